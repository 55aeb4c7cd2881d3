/*
 * tests/unit/xlsx_helpers.h - the helpers of the suites
 * xlsx_test.c (Excel workbooks: sheet helpers, round trips, the streaming writer, files from other
 * software), xlsx_broken_test.c (Excel workbooks that are broken: hand-made broken input and a
 * deterministic mutation run). Each suite is its own program with its own copy of this state (all
 * static).
 *
 * What the suites test, together:
 * Excel workbooks (formats/xlsx.h) and the sheet
 * helpers (formats/sheet.h).
 *
 * Round trips through our writer and reader; files written by exceljs,
 * SheetJS and LibreOffice (tests/data/xlsx, see its README); hand-made
 * broken workbooks; and a deterministic mutation run over valid files that
 * must end in success or a clean error every time (run it in the debug
 * build: AddressSanitizer and UBSan turn any slip into a failure).
 */
#ifndef TESTS_UNIT_XLSX_HELPERS_H
#define TESTS_UNIT_XLSX_HELPERS_H

#include "base/buf.h"
#include "base/err.h"
#include "formats/sheet.h"
#include "formats/xlsx.h"
#include "formats/zip.h"
#include "tests/unit/fixture.h"

#include <check.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Each suite uses some of these helpers, not all. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define MAXR 64
#define MAXC 32

typedef struct got {
    int nrows;
    long row[MAXR];
    size_t ncells[MAXR];
    char *cell[MAXR][MAXC];
    core_cell_type type[MAXR][MAXC];
    unsigned flags[MAXR][MAXC];
    long hint;
    int date1904; /* of every row: they must agree */
    int stop_at;  /* return APP_ECONFLICT at this row number */
} got;

static int
collect(void *ctx, const fmt_sheet_row *r, app_err *err)
{
    got *g = ctx;
    if (g->stop_at && r->row == g->stop_at)
        return app_err_set(err, APP_ECONFLICT, "stop", "stop");
    ck_assert_int_lt(g->nrows, MAXR);
    int k = g->nrows++;
    g->row[k] = r->row;
    g->ncells[k] = r->ncells;
    g->hint = r->last_row_hint;
    if (k > 0)
        ck_assert_int_eq(r->date1904, g->date1904);
    g->date1904 = r->date1904;
    if (r->ncells > 0)
        ck_assert_int_ne(r->cells[r->ncells - 1].type, CORE_CELL_EMPTY);
    for (size_t i = 0; i < r->ncells && i < MAXC; i++) {
        const core_cell *c = &r->cells[i];
        ck_assert_uint_eq(strlen(c->s), c->len);
        ck_assert(c->type != CORE_CELL_EMPTY || c->len == 0);
        ck_assert_msg(base_utf8_valid(c->s, c->len), "row %ld cell %zu is not UTF-8", r->row, i);
        g->cell[k][i] = strdup(c->s);
        g->type[k][i] = c->type;
        g->flags[k][i] = c->flags;
    }
    return 0;
}

static void
got_free(got *g)
{
    for (int k = 0; k < g->nrows; k++)
        for (size_t i = 0; i < g->ncells[k] && i < MAXC; i++)
            free(g->cell[k][i]);
    memset(g, 0, sizeof(*g));
}

/* Row k of g is row `row` with the given cells ("" for an empty one). */
static void
expect_row(const got *g, int k, long row, size_t n, const char *const *cells)
{
    ck_assert_int_lt(k, g->nrows);
    ck_assert_int_eq(g->row[k], row);
    ck_assert_uint_eq(g->ncells[k], n);
    for (size_t i = 0; i < n; i++)
        ck_assert_str_eq(g->cell[k][i], cells[i]);
}

static int
read_buf(const unsigned char *p, size_t n, const char *sheet, const fmt_xlsx_limits *lim, got *g,
         app_err *err)
{
    unsigned char *copy = malloc(n ? n : 1); /* exact length: ASan sees overreads */
    if (n > 0)
        memcpy(copy, p, n);
    int rc = fmt_xlsx_read(copy, n, sheet, lim, collect, g, err);
    free(copy);
    return rc;
}

#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
#define NSR "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define WS_OPEN                                                                                    \
    XMLDECL "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"

/*
 * A workbook with one sheet "S" whose XML is `sheet`, shared strings `sst`
 * (NULL: none), workbook XML `wb` (NULL: the usual), stored (level 0) or
 * deflated entries.
 */
static unsigned char *
make_xlsx(const char *sheet, const char *sst, const char *wb, int level, size_t *n)
{
    fmt_zip_writer *w = fmt_zip_writer_new();
    app_err err = {0};
    unsigned char *out;
    struct {
        const char *name, *data;
    } parts[] = {
        {"[Content_Types].xml", XMLDECL "<Types/>"},
        {"_rels/.rels",
         XMLDECL "<Relationships><Relationship Id=\"rId1\" Type=\"" NSR "/officeDocument\" "
                 "Target=\"xl/workbook.xml\"/></Relationships>"},
        {"xl/workbook.xml", wb ? wb
                               : XMLDECL "<workbook xmlns:r=\"" NSR
                                         "\"><sheets><sheet name=\"S\" sheetId=\"1\" "
                                         "r:id=\"rId1\"/></sheets></workbook>"},
        {"xl/_rels/workbook.xml.rels",
         XMLDECL "<Relationships><Relationship Id=\"rId1\" Type=\"" NSR "/worksheet\" "
                 "Target=\"worksheets/sheet1.xml\"/><Relationship Id=\"rId2\" Type=\"" NSR
                 "/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>"},
        {"xl/worksheets/sheet1.xml", sheet},
        {"xl/sharedStrings.xml", sst},
    };
    for (size_t i = 0; i < NELEM(parts); i++) {
        if (parts[i].data == NULL)
            continue;
        ck_assert_int_eq(fmt_zip_writer_begin(w, parts[i].name, level, &err), 0);
        ck_assert_int_eq(fmt_zip_writer_write(w, parts[i].data, strlen(parts[i].data), &err), 0);
        ck_assert_int_eq(fmt_zip_writer_end(w, &err), 0);
    }
    ck_assert_int_eq(fmt_zip_writer_finish(w, &out, n, &err), 0);
    fmt_zip_writer_free(w);
    return out;
}

static void
expect_sheet_err(const char *sheet, const char *sst, app_code code, const char *slug,
                 const char *param)
{
    size_t n;
    unsigned char *x = make_xlsx(sheet, sst, NULL, -1, &n);
    got g = {0};
    app_err err = {0};
    ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), code);
    ck_assert_str_eq(err.slug, slug);
    if (param)
        ck_assert_str_eq(err.param, param);
    got_free(&g);
    free(x);
}

static void
read_sheet_ok(const char *sheet, const char *sst, got *g)
{
    size_t n;
    unsigned char *x = make_xlsx(sheet, sst, NULL, -1, &n);
    app_err err = {0};
    ck_assert_int_eq(read_buf(x, n, NULL, NULL, g, &err), 0);
    free(x);
}

static const char *const h1[] = {"姓名", "身份证号", "备注"};
static const char *const r2[] = {"张三", "110101199003078123", "0012345"};
static const char *const r3[] = {"<&>\"'", NULL, "tail"};
static const char *const r5[] = {"a\x01"
                                 "b\x1f"
                                 "c",
                                 "line1\r\nline2\rx", "\ttab", "\x7f"};
static const char *const r6[] = {" edge ", "_x0041_", "😀 emoji", "_x005F_", "&amp;"};
static const char *const r7[] = {"x", "", NULL, ""};

static unsigned char *
write_sample(size_t *n, int with_lists)
{
    static const char *const sex[] = {"男", "女"};
    const char *eth[60];
    static char names[60][32];
    for (int i = 0; i < 60; i++) {
        snprintf(names[i], sizeof(names[i]), "%02d 民族%d", i + 1, i + 1);
        eth[i] = names[i];
    }
    static const char *const comma[] = {"a,b", "c"};
    fmt_xlsx_col cols[5] = {
        {12, 0, NULL, 0}, {22, 0, NULL, 0}, {6, 0, sex, 2}, {0, 1, eth, 60}, {8, 0, comma, 2}};
    fmt_xlsx_sheet_opts o = {cols, with_lists ? 5 : 3, 1, 0};
    fmt_xlsx_writer *w = fmt_xlsx_writer_new();
    app_err err = {0};
    unsigned char *out;
    const char *wide[20] = {0};
    wide[19] = "T";

    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, "学生信息", &o, &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, h1, NELEM(h1), &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, r2, NELEM(r2), &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, r3, NELEM(r3), &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, NULL, 0, &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, r5, NELEM(r5), &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, r6, NELEM(r6), &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, r7, NELEM(r7), &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, wide, 20, &err), 0);
    fmt_xlsx_sheet_opts hidden = {NULL, 0, 0, 1};
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, "版本", &hidden, &err), 0);
    static const char *const ver[] = {"xueji-template", "v1"};
    ck_assert_int_eq(fmt_xlsx_writer_row(w, ver, 2, &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, "填写说明", NULL, &err), 0);
    static const char *const help[] = {"所有单元格均为文本格式"};
    ck_assert_int_eq(fmt_xlsx_writer_row(w, help, 1, &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_finish(w, &out, n, &err), 0);
    fmt_xlsx_writer_free(w);
    return out;
}

/* The text of part `name` of archive x[0..n), NUL-terminated; caller frees. */
static char *
part_text(const unsigned char *x, size_t n, const char *name)
{
    fmt_zip *z;
    app_err err = {0};
    unsigned char *out;
    size_t len;
    ck_assert_int_eq(fmt_zip_open(x, n, NULL, &z, &err), 0);
    long i = fmt_zip_find(z, name);
    ck_assert_msg(i >= 0, "no part %s", name);
    ck_assert_int_eq(fmt_zip_read_all(z, (size_t)i, SIZE_MAX, &out, &len, &err), 0);
    fmt_zip_close(z);
    return (char *)out;
}

static int
world_main(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

#pragma GCC diagnostic pop

#endif
