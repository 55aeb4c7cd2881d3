/*
 * tests/unit/fixture.h - the workbooks of tests/data/xlsx for the unit tests
 * that read them (xlsx_test, import_test), found from the working directory
 * or from the test binary's path. Included once per test program.
 */
#ifndef TESTS_UNIT_FIXTURE_H
#define TESTS_UNIT_FIXTURE_H

#include "base/buf.h"

#include <check.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

static unsigned char *
slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    base_buf b = {0};
    char tmp[8192];
    size_t k;
    while ((k = fread(tmp, 1, sizeof(tmp), f)) > 0)
        base_buf_add(&b, tmp, k);
    fclose(f);
    return base_buf_steal(&b, n);
}

/* A fixture of tests/data/xlsx, found from the working directory or the binary. */
static unsigned char *
fixture(const char *name, size_t *n)
{
    char path[PATH_MAX], exe[PATH_MAX];
    snprintf(path, sizeof(path), "tests/data/xlsx/%s", name);
    unsigned char *p = slurp(path, n);
    if (p != NULL)
        return p;
    ssize_t k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    ck_assert_int_gt(k, 0);
    exe[k] = '\0';
    /* build/<BUILD>/tests/unit/<test> -> the source root */
    char *d = exe;
    for (int i = 0; i < 5; i++)
        d = dirname(d);
    snprintf(path, sizeof(path), "%s/tests/data/xlsx/%s", d, name);
    p = slurp(path, n);
    ck_assert_msg(p != NULL, "fixture %s not found", name);
    return p;
}

#endif
