/*
 * tests/unit/mask_name_test.c - masking of names (core_mask_name, the
 * graduate pool's answers): the first character, a star for each other,
 * never a cut UTF-8 character.
 */
#include "core/mask.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *in;
    size_t cap;
    const char *want;
} rows[] = {
    {"李小明", 64, "李**"},
    {"欧阳娜娜", 64, "欧***"},
    {"李", 64, "李"},
    {"Anna", 64, "A***"},
    {"", 64, ""},
    {"李小明", 5, "李*"},
    {"李小明", 4, "李"},
    /* the first character does not fit: left out whole */
    {"李小明", 3, "**"},
    {"李小明", 1, ""},
};

START_TEST(test_mask_name)
{
    char out[64];
    memset(out, '#', sizeof(out));
    core_mask_name(rows[_i].in, out, rows[_i].cap);
    ck_assert_msg(strcmp(out, rows[_i].want) == 0, "%s/%zu -> %s, want %s", rows[_i].in,
                  rows[_i].cap, out, rows[_i].want);
    ck_assert_uint_le(strlen(out) + 1, rows[_i].cap);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("mask_name");
    TCase *tc = tcase_create("name");
    tcase_add_loop_test(tc, test_mask_name, 0, NELEM(rows));
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
