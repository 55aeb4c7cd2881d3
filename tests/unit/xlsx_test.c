/*
 * tests/unit/xlsx_test.c - Excel workbooks (formats/xlsx.h) and the sheet
 * helpers (formats/sheet.h).
 *
 * Round trips through our writer and reader; files written by exceljs,
 * SheetJS and LibreOffice (tests/data/xlsx, see its README); hand-made
 * broken workbooks; and a deterministic mutation run over valid files that
 * must end in success or a clean error every time (run it in the debug
 * build: AddressSanitizer and UBSan turn any slip into a failure).
 */
#include <check.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "formats/sheet.h"
#include "formats/xlsx.h"
#include "formats/zip.h"
#include "tests/unit/fixture.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- collecting rows ---------------------------------------------------- */

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

/* ---- files ---------------------------------------------------------------- */


/* ---- hand-made workbooks --------------------------------------------------------- */

#define XMLDECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
#define NSR "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define WS_OPEN XMLDECL "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"

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
        {"xl/workbook.xml",
         wb ? wb
            : XMLDECL "<workbook xmlns:r=\"" NSR "\"><sheets><sheet name=\"S\" sheetId=\"1\" "
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

/* ---- sheet helpers ------------------------------------------------------------ */

START_TEST(test_col_names)
{
    static const struct {
        int col;
        const char *name;
    } rows[] = {{0, "A"},    {25, "Z"},    {26, "AA"},  {51, "AZ"},    {701, "ZZ"},
                {702, "AAA"}, {16383, "XFD"}, {-1, "?"}, {16384, "?"}};
    char b[4];
    for (size_t i = 0; i < NELEM(rows); i++) {
        fmt_sheet_col_name(rows[i].col, b);
        ck_assert_str_eq(b, rows[i].name);
    }
}
END_TEST

START_TEST(test_ref_parse)
{
    static const struct {
        const char *ref;
        int ok, col;
        long row;
    } rows[] = {
        {"A1", 1, 0, 1},          {"b7", 1, 1, 7},    {"XFD1048576", 1, 16383, 1048576},
        {"AA10", 1, 26, 10},      {"C", 1, 2, 0},     {"XFE1", 0, 0, 0},
        {"A1048577", 0, 0, 0},    {"A0", 0, 0, 0},    {"A01", 0, 0, 0},
        {"7B", 0, 0, 0},          {"", 0, 0, 0},      {"AAAA1", 0, 0, 0},
        {"$A$1", 0, 0, 0},        {"A1:B2", 0, 0, 0}, {"A99999999999999999999", 0, 0, 0},
    };
    for (size_t i = 0; i < NELEM(rows); i++) {
        int col = -7;
        long row = -7;
        int rc = fmt_sheet_ref_parse(rows[i].ref, strlen(rows[i].ref), &col, &row);
        ck_assert_msg(rc == (rows[i].ok ? 0 : -1), "%s", rows[i].ref);
        if (rows[i].ok) {
            ck_assert_int_eq(col, rows[i].col);
            ck_assert_int_eq(row, rows[i].row);
        }
    }
}
END_TEST

START_TEST(test_lost_digits)
{
    static const struct {
        const char *s;
        int any, exp_only;
    } rows[] = {
        {"1.10101199003078E+17", 1, 1}, {"1.10101199003078E+017", 1, 1}, {"110101199003078130", 1, 0},
        {"1E+15", 1, 1},                {"9.99E+14", 0, 0},              {"999999999999999", 0, 0},
        {"1000000000000000", 1, 0},     {"-1.2e16", 1, 1},               {"0.0001E+20", 1, 1},
        {"0.0001E+18", 0, 0},           {"43586", 0, 0},                 {"1.5", 0, 0},
        {"", 0, 0},                     {"E+17", 0, 0},                  {"1.1E", 0, 0},
        {"1.1E+17x", 0, 0},             {"abc", 0, 0},                   {"0", 0, 0},
        {"0000000000000000001", 0, 0},  {".5E16", 1, 1},                 {"1e99999999999999", 1, 1},
    };
    for (size_t i = 0; i < NELEM(rows); i++) {
        size_t n = strlen(rows[i].s);
        ck_assert_msg(fmt_sheet_lost_digits(rows[i].s, n, 0) == rows[i].any, "%s", rows[i].s);
        ck_assert_msg(fmt_sheet_lost_digits(rows[i].s, n, 1) == rows[i].exp_only, "%s e", rows[i].s);
    }
}
END_TEST

/* ---- round trips ---------------------------------------------------------------- */

static const char *const h1[] = {"姓名", "身份证号", "备注"};
static const char *const r2[] = {"张三", "110101199003078123", "0012345"};
static const char *const r3[] = {"<&>\"'", NULL, "tail"};
static const char *const r5[] = {"a\x01" "b\x1f" "c", "line1\r\nline2\rx", "\ttab", "\x7f"};
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
    fmt_xlsx_col cols[5] = {{12, 0, NULL, 0}, {22, 0, NULL, 0}, {6, 0, sex, 2},
                             {0, 1, eth, 60},  {8, 0, comma, 2}};
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

START_TEST(test_round_trip)
{
    size_t n;
    unsigned char *x = write_sample(&n, 1);
    got g = {0};
    app_err err = {0};
    static const char *const e3[] = {"<&>\"'", "", "tail"};
    static const char *const e5[] = {"a\x01" "b\x1f" "c", "line1\r\nline2\rx", "\ttab", "\x7f"};
    static const char *const e7[] = {"x"};
    const char *e8[20];
    for (int i = 0; i < 19; i++)
        e8[i] = "";
    e8[19] = "T";

    ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), 0);
    ck_assert_int_eq(g.nrows, 8);
    expect_row(&g, 0, 1, 3, h1);
    expect_row(&g, 1, 2, 3, r2);
    expect_row(&g, 2, 3, 3, e3);
    expect_row(&g, 3, 4, 0, NULL);
    expect_row(&g, 4, 5, 4, e5);
    expect_row(&g, 5, 6, 5, r6);
    expect_row(&g, 6, 7, 1, e7);
    expect_row(&g, 7, 8, 20, e8);
    ck_assert_int_eq(g.type[1][1], CORE_CELL_TEXT); /* an ID number stays text */
    ck_assert_uint_eq(g.flags[1][1], 0);
    ck_assert_int_eq(g.type[2][1], CORE_CELL_EMPTY);
    got_free(&g);

    static const char *const ver[] = {"xueji-template", "v1"};
    ck_assert_int_eq(read_buf(x, n, "版本", NULL, &g, &err), 0); /* a hidden sheet by name */
    expect_row(&g, 0, 1, 2, ver);
    got_free(&g);
    ck_assert_int_eq(read_buf(x, n, FMT_XLSX_LIST_SHEET, NULL, &g, &err), 0);
    ck_assert_int_eq(g.nrows, 60);
    ck_assert_str_eq(g.cell[0][0], "01 民族1");
    ck_assert_str_eq(g.cell[0][1], "a,b");
    ck_assert_str_eq(g.cell[1][1], "c");
    ck_assert_str_eq(g.cell[59][0], "60 民族60");
    ck_assert_uint_eq(g.ncells[59], 1);
    got_free(&g);
    free(x);
}
END_TEST

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

static void
expect_contains(const char *hay, const char *needle)
{
    ck_assert_msg(strstr(hay, needle) != NULL, "missing: %s", needle);
}

START_TEST(test_writer_parts)
{
    size_t n;
    unsigned char *x = write_sample(&n, 1);
    fmt_zip *z;
    app_err err = {0};

    ck_assert_int_eq(fmt_zip_open(x, n, NULL, &z, &err), 0);
    ck_assert_str_eq(fmt_zip_name(z, 0), "[Content_Types].xml"); /* what sniffers look at */
    ck_assert_uint_eq(fmt_zip_count(z), 9);
    fmt_zip_close(z);

    char *s = part_text(x, n, "xl/styles.xml");
    expect_contains(s, "<xf numFmtId=\"49\" fontId=\"0\"");
    expect_contains(s, "<xf numFmtId=\"49\" fontId=\"1\"");
    expect_contains(s, "<font><b/>");
    free(s);

    s = part_text(x, n, "xl/worksheets/sheet1.xml");
    expect_contains(s, "<sheetView tabSelected=\"1\" workbookViewId=\"0\"><pane ySplit=\"1\" "
                       "topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>");
    expect_contains(s, "<col min=\"1\" max=\"1\" width=\"12\" style=\"1\" customWidth=\"1\"/>");
    expect_contains(s, "<col min=\"4\" max=\"4\" width=\"9.14062\" style=\"1\" hidden=\"1\"/>");
    expect_contains(s, "<c r=\"A1\" s=\"2\" t=\"inlineStr\"><is><t>姓名</t></is></c>");
    expect_contains(s, "<c r=\"B2\" s=\"1\" t=\"inlineStr\"><is><t>110101199003078123</t></is></c>");
    expect_contains(s, "<t>&lt;&amp;&gt;&quot;'</t>");
    expect_contains(s, "<t>a_x0001_b_x001F_c</t>");
    expect_contains(s, "<t>line1_x000D_\nline2_x000D_x</t>");
    expect_contains(s, "<t xml:space=\"preserve\"> edge </t>");
    expect_contains(s, "<t>_x005F_x0041_</t>");
    expect_contains(s, "<row r=\"4\"></row>");
    expect_contains(s, "sqref=\"C2:C1048576\"><formula1>\"男,女\"</formula1>");
    expect_contains(s, "sqref=\"D2:D1048576\"><formula1>'_lists'!$A$1:$A$60</formula1>");
    expect_contains(s, "sqref=\"E2:E1048576\"><formula1>'_lists'!$B$1:$B$2</formula1>");
    expect_contains(s, "<dataValidations count=\"3\">");
    free(s);

    s = part_text(x, n, "xl/workbook.xml");
    expect_contains(s, "<sheet name=\"学生信息\" sheetId=\"1\" r:id=\"rId1\"/>");
    expect_contains(s, "<sheet name=\"版本\" sheetId=\"2\" state=\"hidden\" r:id=\"rId2\"/>");
    expect_contains(s, "<sheet name=\"_lists\" sheetId=\"4\" state=\"hidden\" r:id=\"rId4\"/>");
    expect_contains(s, "<workbookView activeTab=\"0\"/>");
    free(s);
    s = part_text(x, n, "[Content_Types].xml");
    expect_contains(s, "/xl/worksheets/sheet4.xml");
    free(s);
    s = part_text(x, n, "xl/worksheets/sheet3.xml"); /* 填写说明: no header, no cols */
    ck_assert_ptr_null(strstr(s, "<pane"));
    ck_assert_ptr_null(strstr(s, "<cols>"));
    ck_assert_ptr_null(strstr(s, "tabSelected"));
    free(s);
    free(x);

    /* without long lists there is no list sheet */
    x = write_sample(&n, 0);
    ck_assert_int_eq(fmt_zip_open(x, n, NULL, &z, &err), 0);
    ck_assert_int_lt(fmt_zip_find(z, "xl/worksheets/sheet4.xml"), 0);
    fmt_zip_close(z);
    free(x);
}
END_TEST

START_TEST(test_writer_long_cell)
{
    fmt_xlsx_writer *w = fmt_xlsx_writer_new();
    app_err err = {0};
    char *big = malloc(32769);
    unsigned char *out;
    size_t n;
    got g = {0};

    memset(big, 'x', 32768);
    big[32768] = '\0';
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, "S", NULL, &err), 0);
    const char *row[] = {big};
    ck_assert_int_eq(fmt_xlsx_writer_row(w, row, 1, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.param, "cell");
    big[32767] = '\0';
    ck_assert_int_eq(fmt_xlsx_writer_row(w, row, 1, &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_finish(w, &out, &n, &err), 0);
    fmt_xlsx_writer_free(w);
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    ck_assert_msg(read_buf(out, n, NULL, &lim, &g, &err) == 0, "%s %s", err.param, err.detail);
    ck_assert_uint_eq(strlen(g.cell[0][0]), 32767);
    got_free(&g);
    lim.max_token = 10000; /* the reader's own cap on one text run */
    ck_assert_int_eq(read_buf(out, n, NULL, &lim, &g, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.param, "xml_token");
    got_free(&g);
    free(out);
    free(big);
}
END_TEST

START_TEST(test_writer_errors)
{
    static const struct {
        const char *name, *why;
    } names[] = {
        {"", "length"},       {"abcdefghijklmnopqrstuvwxyz123456", "length"}, {"a/b", "characters"},
        {"a[1]", "characters"}, {"'q", "characters"},  {"q'", "characters"}, {"a\tb", "characters"},
        {"history", "reserved"}, {"_LISTS", "reserved"}, {"SHEET", "duplicate"}, {"\xff", "length"},
    };
    fmt_xlsx_writer *w = fmt_xlsx_writer_new();
    app_err err = {0};
    unsigned char *out;
    size_t n;

    ck_assert_int_eq(fmt_xlsx_writer_row(w, NULL, 0, &err), APP_EINTERNAL); /* no sheet yet */
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, "Sheet", NULL, &err), 0);
    for (size_t i = 0; i < NELEM(names); i++) {
        app_err_clear(&err);
        ck_assert_int_eq(fmt_xlsx_writer_sheet(w, names[i].name, NULL, &err), APP_EINVAL);
        ck_assert_str_eq(err.slug, "xlsx_bad_sheet_name");
        ck_assert_msg(strcmp(err.param, names[i].why) == 0, "%s: %s", names[i].name, err.param);
    }
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, "三十一个字三十一个字三十一个字三十一个字三十一个字三十一个字一", NULL, &err), 0);
    const char *bad[] = {"ok", "\xe4\xb8"};
    ck_assert_int_eq(fmt_xlsx_writer_row(w, bad, 2, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "invalid_text");
    const char **wide = calloc(FMT_SHEET_MAX_COLS + 1, sizeof(char *));
    ck_assert_int_eq(fmt_xlsx_writer_row(w, wide, FMT_SHEET_MAX_COLS + 1, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.param, "columns");
    free(wide);
    ck_assert_int_eq(fmt_xlsx_writer_finish(w, &out, &n, &err), 0);
    free(out);
    ck_assert_int_eq(fmt_xlsx_writer_finish(w, &out, &n, &err), APP_EINTERNAL);
    fmt_xlsx_writer_free(w);

    /* nothing visible: no workbook */
    w = fmt_xlsx_writer_new();
    ck_assert_int_eq(fmt_xlsx_writer_finish(w, &out, &n, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "xlsx_no_sheet");
    fmt_xlsx_writer_free(w);
    w = fmt_xlsx_writer_new();
    fmt_xlsx_sheet_opts hidden = {NULL, 0, 0, 1};
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, "h", &hidden, &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_finish(w, &out, &n, &err), APP_EINVAL);
    fmt_xlsx_writer_free(w);
}
END_TEST

/* ---- the streaming writer --------------------------------------------------------- */

typedef struct sunk {
    base_buf b;
    int calls;
} sunk;

static int
sink_keep(void *ctx, const void *p, size_t n, app_err *err)
{
    (void)err;
    sunk *k = ctx;
    base_buf_add(&k->b, p, n);
    k->calls++;
    return 0;
}

#define GEN_ROWS 20000

/* Cells of generated row i (0-based) into buf. */
static void
gen_row(int i, char buf[3][48], const char *cells[3])
{
    snprintf(buf[0], sizeof(buf[0]), "学生%d", i);
    snprintf(buf[1], sizeof(buf[1]), "4301021990%08d", i);
    snprintf(buf[2], sizeof(buf[2]), "%s", i % 2 ? "1 男" : "2 女");
    for (int c = 0; c < 3; c++)
        cells[c] = buf[c];
}

typedef struct streamed {
    got g;    /* the sample's 8 rows */
    int gen;  /* generated rows seen */
} streamed;

static int
check_streamed(void *ctx, const fmt_sheet_row *r, app_err *err)
{
    streamed *st = ctx;
    if (r->row <= 8)
        return collect(&st->g, r, err);
    char buf[3][48];
    const char *want[3];
    gen_row(st->gen, buf, want);
    ck_assert_int_eq(r->row, 9 + st->gen);
    ck_assert_uint_eq(r->ncells, 3);
    for (int c = 0; c < 3; c++)
        ck_assert_str_eq(r->cells[c].s, want[c]);
    st->gen++;
    return 0;
}

/* One sheet streamed to a sink as rows come: the sample's rows and 20,000 more,
   drop-downs with a long list (the list sheet after it), read back whole. */
START_TEST(test_stream_workbook)
{
    static const char *const sex[] = {"男", "女"};
    const char *eth[60];
    static char names[60][32];
    for (int i = 0; i < 60; i++) {
        snprintf(names[i], sizeof(names[i]), "%02d 民族%d", i + 1, i + 1);
        eth[i] = names[i];
    }
    static const char *const comma[] = {"a,b", "c"};
    fmt_xlsx_col cols[5] = {{12, 0, NULL, 0}, {22, 0, NULL, 0}, {6, 0, sex, 2},
                             {0, 1, eth, 60},  {8, 0, comma, 2}};
    fmt_xlsx_sheet_opts o = {cols, 5, 1, 0};
    sunk k = {0};
    fmt_sink sink = {sink_keep, &k};
    fmt_xlsx_writer *w = fmt_xlsx_writer_new_stream(sink);
    app_err err = {0};
    const char *wide[20] = {0};
    wide[19] = "T";

    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, "学生信息", &o, &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, "第二张", NULL, &err), APP_EINTERNAL);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, h1, NELEM(h1), &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, r2, NELEM(r2), &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, r3, NELEM(r3), &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, NULL, 0, &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, r5, NELEM(r5), &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, r6, NELEM(r6), &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, r7, NELEM(r7), &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, wide, 20, &err), 0);
    size_t at_start = k.b.n;
    for (int i = 0; i < GEN_ROWS; i++) {
        char buf[3][48];
        const char *cells[3];
        gen_row(i, buf, cells);
        ck_assert_int_eq(fmt_xlsx_writer_row(w, cells, 3, &err), 0);
    }
    size_t before_finish = k.b.n;
    int calls = k.calls;
    ck_assert_int_eq(fmt_xlsx_writer_finish(w, NULL, NULL, &err), 0);
    fmt_xlsx_writer_free(w);
    /* the rows went out while they were written, in pieces of about 64 KiB */
    ck_assert_uint_gt(before_finish, at_start + 4 * FMT_ZIP_STREAM_CHUNK);
    ck_assert_uint_gt(before_finish, k.b.n / 2);
    ck_assert_int_gt(calls, 4);

    streamed st = {0};
    unsigned char *copy = malloc(k.b.n);
    memcpy(copy, k.b.p, k.b.n);
    ck_assert_int_eq(fmt_xlsx_read(copy, k.b.n, NULL, NULL, check_streamed, &st, &err), 0);
    free(copy);
    ck_assert_int_eq(st.gen, GEN_ROWS);
    static const char *const e3[] = {"<&>\"'", "", "tail"};
    static const char *const e5[] = {"a\x01" "b\x1f" "c", "line1\r\nline2\rx", "\ttab", "\x7f"};
    static const char *const e7[] = {"x"};
    const char *e8[20];
    for (int i = 0; i < 19; i++)
        e8[i] = "";
    e8[19] = "T";
    ck_assert_int_eq(st.g.nrows, 8);
    expect_row(&st.g, 0, 1, 3, h1);
    expect_row(&st.g, 1, 2, 3, r2);
    expect_row(&st.g, 2, 3, 3, e3);
    expect_row(&st.g, 3, 4, 0, NULL);
    expect_row(&st.g, 4, 5, 4, e5);
    expect_row(&st.g, 5, 6, 5, r6);
    expect_row(&st.g, 6, 7, 1, e7);
    expect_row(&st.g, 7, 8, 20, e8);
    got_free(&st.g);

    got g = {0};
    ck_assert_int_eq(read_buf(k.b.p, k.b.n, FMT_XLSX_LIST_SHEET, NULL, &g, &err), 0);
    ck_assert_int_eq(g.nrows, 60);
    ck_assert_str_eq(g.cell[0][0], "01 民族1");
    ck_assert_str_eq(g.cell[1][1], "c");
    got_free(&g);

    /* the parts name the list sheet written after the data */
    fmt_zip *z;
    ck_assert_int_eq(fmt_zip_open(k.b.p, k.b.n, NULL, &z, &err), 0);
    ck_assert_str_eq(fmt_zip_name(z, 0), "[Content_Types].xml");
    ck_assert_uint_eq(fmt_zip_count(z), 7);
    fmt_zip_close(z);
    char *t = part_text(k.b.p, k.b.n, "xl/workbook.xml");
    expect_contains(t, "<sheet name=\"学生信息\" sheetId=\"1\" r:id=\"rId1\"/>");
    expect_contains(t, "<sheet name=\"_lists\" sheetId=\"2\" state=\"hidden\" r:id=\"rId2\"/>");
    free(t);
    t = part_text(k.b.p, k.b.n, "[Content_Types].xml");
    expect_contains(t, "/xl/worksheets/sheet2.xml");
    free(t);
    t = part_text(k.b.p, k.b.n, "xl/_rels/workbook.xml.rels");
    expect_contains(t, "Target=\"worksheets/sheet2.xml\"");
    expect_contains(t, "<Relationship Id=\"rId3\"");
    free(t);
    t = part_text(k.b.p, k.b.n, "xl/worksheets/sheet1.xml");
    expect_contains(t, "<sheetView tabSelected=\"1\" workbookViewId=\"0\"><pane ySplit=\"1\"");
    expect_contains(t, "sqref=\"D2:D1048576\"><formula1>'_lists'!$A$1:$A$60</formula1>");
    free(t);
    base_buf_free(&k.b);

    /* without long lists, no list sheet is named or written; a hidden sheet cannot stream */
    memset(&k, 0, sizeof(k));
    w = fmt_xlsx_writer_new_stream(sink);
    fmt_xlsx_sheet_opts o3 = {cols, 3, 1, 0};
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, "S", &o3, &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, h1, NELEM(h1), &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_finish(w, NULL, NULL, &err), 0);
    fmt_xlsx_writer_free(w);
    t = part_text(k.b.p, k.b.n, "xl/workbook.xml");
    ck_assert_ptr_null(strstr(t, "_lists"));
    free(t);
    ck_assert_int_eq(read_buf(k.b.p, k.b.n, NULL, NULL, &g, &err), 0);
    expect_row(&g, 0, 1, 3, h1);
    got_free(&g);
    base_buf_free(&k.b);
    w = fmt_xlsx_writer_new_stream(sink);
    fmt_xlsx_sheet_opts hidden = {NULL, 0, 0, 1};
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, "h", &hidden, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "xlsx_no_sheet");
    fmt_xlsx_writer_free(w);
    ck_assert_uint_eq(k.b.n, 0);
}
END_TEST

/* Excel's last row is 1048576: one more is refused. */
START_TEST(test_writer_max_rows)
{
    fmt_xlsx_writer *w = fmt_xlsx_writer_new();
    app_err err = {0};
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, "S", NULL, &err), 0);
    for (long i = 0; i < FMT_SHEET_MAX_ROWS; i++)
        ck_assert_int_eq(fmt_xlsx_writer_row(w, NULL, 0, &err), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, NULL, 0, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.param, "rows");
    fmt_xlsx_writer_free(w);
}
END_TEST

/* ---- files from other software -------------------------------------------------- */

static const char *const fx_h[] = {"姓名", "身份证号", "性别", "出生日期", "联系电话", "备注"};
static const char *const fx_2[] = {"张三", "11010119900307803X", "男", "2019-05-01", "01234567",
                                   "a<b & c>\"d\" 'e'"};
static const char *const fx_5[] = {"王五", "", "", "", "", "gap"};

static void
check_common(const char *file, got *g, const char *id_as_number)
{
    size_t n;
    unsigned char *x = fixture(file, &n);
    app_err err = {0};
    const char *e3[] = {"李四", id_as_number, "女", "43586", "13812345678"};

    ck_assert_int_eq(read_buf(x, n, NULL, NULL, g, &err), 0);
    expect_row(g, 0, 1, 6, fx_h);
    expect_row(g, 1, 2, 6, fx_2);
    expect_row(g, 2, 3, 5, e3);
    expect_row(g, 3, 5, 6, fx_5);
    ck_assert_int_eq(g->type[1][1], CORE_CELL_TEXT);
    ck_assert_int_eq(g->type[2][1], CORE_CELL_NUMBER);
    ck_assert_uint_eq(g->flags[2][1], CORE_CELL_F_LOST_DIGITS);
    ck_assert_int_eq(g->type[2][3], CORE_CELL_NUMBER); /* a date: the serial number */
    ck_assert_uint_eq(g->flags[2][3], 0);
    ck_assert_int_eq(g->date1904, 0);     /* counted from 1900 */
    ck_assert_uint_eq(g->flags[2][4], 0); /* an 11-digit phone fits */
    ck_assert_int_eq(g->type[3][1], CORE_CELL_EMPTY);
    free(x);
}

START_TEST(test_sheetjs)
{
    got g = {0};
    check_common("sheetjs.xlsx", &g, "110101199003078130"); /* t="str" */
    ck_assert_int_eq(g.nrows, 4);
    got_free(&g);
    check_common("sheetjs-sst.xlsx", &g, "110101199003078130"); /* shared strings */
    ck_assert_int_eq(g.nrows, 4);
    got_free(&g);
}
END_TEST

/* libxlsxwriter (Debian libxlsxwriter-dev), shared strings, numbers as it writes them */
START_TEST(test_libxlsxwriter)
{
    got g = {0};
    check_common("libxlsxwriter.xlsx", &g, "1.101011990030781E+17");
    ck_assert_int_eq(g.nrows, 4);
    ck_assert_int_eq(g.hint, 5); /* <dimension ref="A1:F5"> */
    got_free(&g);
}
END_TEST

START_TEST(test_exceljs)
{
    got g = {0};
    size_t n;
    app_err err = {0};
    static const char *const e6[] = {"富文本", "TRUE", "2", "#N/A", "1.5", "多行\n文本"};

    check_common("exceljs.xlsx", &g, "110101199003078130");
    ck_assert_int_eq(g.nrows, 5);
    expect_row(&g, 4, 6, 6, e6);
    ck_assert_int_eq(g.type[4][0], CORE_CELL_TEXT); /* rich text runs joined */
    ck_assert_int_eq(g.type[4][1], CORE_CELL_BOOL);
    ck_assert_int_eq(g.type[4][2], CORE_CELL_NUMBER); /* the formula's cached value */
    ck_assert_int_eq(g.type[4][3], CORE_CELL_ERROR);
    ck_assert_int_eq(g.hint, 6); /* <dimension ref="A1:F6"> */
    got_free(&g);

    unsigned char *x = fixture("exceljs.xlsx", &n);
    static const char *const s2[] = {"second", "sheet"};
    ck_assert_int_eq(read_buf(x, n, "第二页", NULL, &g, &err), 0);
    expect_row(&g, 0, 1, 2, s2);
    got_free(&g);
    ck_assert_int_eq(read_buf(x, n, "第三页", NULL, &g, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "xlsx_no_sheet");
    ck_assert_str_eq(err.param, "第三页");
    got_free(&g);
    g.stop_at = 3; /* the callback's error ends the read */
    ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), APP_ECONFLICT);
    ck_assert_str_eq(err.slug, "stop");
    ck_assert_int_eq(g.nrows, 2);
    got_free(&g);
    free(x);
}
END_TEST

START_TEST(test_libreoffice)
{
    got g = {0};
    static const char *const e6[] = {"富文本", "1", "2", "#N/A", "1.5", "多行\n文本"};

    check_common("libreoffice.xlsx", &g, "1.10101199003078E+017");
    ck_assert_int_eq(g.nrows, 5);
    expect_row(&g, 4, 6, 6, e6); /* LibreOffice has no boolean type: TRUE is 1 */
    got_free(&g);
}
END_TEST

/*
 * The 1904 date system as LibreOffice writes it: libreoffice-1904.fods (null
 * date 1904-01-01) saved as xlsx, <workbookPr ... date1904="true"/>. The
 * serials are as stored; the import counts them from 1904 (import_test).
 */
START_TEST(test_libreoffice_1904)
{
    got g = {0};
    size_t n;
    unsigned char *x = fixture("libreoffice-1904.xlsx", &n);
    app_err err = {0};
    static const char *const e2[] = {"李四",  "11010119900307803X", "女",
                                     "42124", "13812345678",        "1904"};
    static const char *const e3[] = {"零", "", "", "0"}, *const e4[] = {"一", "", "", "1"};
    static const char *const e5[] = {"时刻", "", "", "42124.75"};

    ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), 0);
    ck_assert_int_eq(g.nrows, 5);
    expect_row(&g, 0, 1, 6, fx_h);
    expect_row(&g, 1, 2, 6, e2); /* 2019-05-01: 43586 in the 1900 system */
    expect_row(&g, 2, 3, 4, e3); /* 1904-01-01 */
    expect_row(&g, 3, 4, 4, e4); /* 1904-01-02 */
    expect_row(&g, 4, 5, 4, e5); /* 2019-05-01 18:00 */
    for (int k = 1; k < 5; k++)
        ck_assert_int_eq(g.type[k][3], CORE_CELL_NUMBER);
    ck_assert_int_eq(g.date1904, 1);
    got_free(&g);
    free(x);
}
END_TEST

/* <workbookPr date1904>: an xsd:boolean, "1" or "true"; absent or anything else is 1900. */
START_TEST(test_date_system)
{
    static const struct {
        const char *pr; /* the workbookPr element, or "" */
        int date1904;
    } rows[] = {
        {"", 0},
        {"<workbookPr/>", 0},
        {"<workbookPr date1904=\"1\"/>", 1},
        {"<workbookPr date1904=\"true\"/>", 1},
        {"<workbookPr date1904=' true '/>", 1}, /* xsd:boolean collapses blanks */
        {"<workbookPr defaultThemeVersion=\"124226\" date1904=\"1\"></workbookPr>", 1},
        {"<workbookPr date1904=\"0\"/>", 0},
        {"<workbookPr date1904=\"false\"/>", 0},
        {"<workbookPr date1904=\"\"/>", 0},
        {"<workbookPr date1904=\"yes\"/>", 0},
        {"<workbookPr dateCompatibility=\"1\"/>", 0},
    };
    static const char *const sheet =
        WS_OPEN "<sheetData><row r=\"1\"><c r=\"A1\"><v>42124</v></c></row>"
                "<row r=\"2\"><c r=\"A2\"><v>0</v></c></row></sheetData></worksheet>";
    static const char *const e1[] = {"42124"}, *const e2[] = {"0"};
    char wb[512];

    for (size_t i = 0; i < NELEM(rows); i++) {
        snprintf(wb, sizeof(wb),
                 XMLDECL "<workbook xmlns:r=\"" NSR "\">%s<sheets><sheet name=\"S\" sheetId=\"1\" "
                         "r:id=\"rId1\"/></sheets></workbook>",
                 rows[i].pr);
        size_t n;
        unsigned char *x = make_xlsx(sheet, NULL, wb, -1, &n);
        got g = {0};
        app_err err = {0};
        ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), 0);
        ck_assert_int_eq(g.nrows, 2);
        expect_row(&g, 0, 1, 1, e1); /* the serials as stored, whatever the system */
        expect_row(&g, 1, 2, 1, e2);
        ck_assert_msg(g.date1904 == rows[i].date1904, "%s: %d", rows[i].pr, g.date1904);
        got_free(&g);
        ck_assert_int_eq(read_buf(x, n, "S", NULL, &g, &err), 0); /* a sheet by name too */
        ck_assert_int_eq(g.date1904, rows[i].date1904);
        got_free(&g);
        free(x);
    }

    /* a prefixed workbook (Strict OOXML is often written so), workbookPr after the sheets */
    size_t n;
    unsigned char *x = make_xlsx(
        sheet, NULL,
        XMLDECL "<x:workbook xmlns:x=\"http://purl.oclc.org/ooxml/spreadsheetml/main\" "
                "xmlns:r=\"" NSR "\"><x:sheets><x:sheet name=\"S\" sheetId=\"1\" r:id=\"rId1\"/>"
                "</x:sheets><x:workbookPr date1904=\"true\"/></x:workbook>",
        -1, &n);
    got g = {0};
    app_err err = {0};
    ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), 0);
    ck_assert_int_eq(g.nrows, 2);
    ck_assert_int_eq(g.date1904, 1);
    got_free(&g);
    free(x);
}
END_TEST

START_TEST(test_excel_style)
{
    got g = {0};
    size_t n;
    unsigned char *x = fixture("excel-style.xlsx", &n);
    app_err err = {0};
    static const char *const e1[] = {"姓名", "身份证号"};
    static const char *const e2[] = {"李 四", "1.10101199003078E+17", "a\x01" "b_x0041_"};
    static const char *const e3[] = {"中文&<>", "110101900307803"};

    ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), 0);
    ck_assert_int_eq(g.nrows, 3);
    expect_row(&g, 0, 1, 2, e1); /* the phonetic run is not part of the text */
    expect_row(&g, 1, 2, 3, e2);
    expect_row(&g, 2, 3, 2, e3); /* C3 is styled but empty */
    ck_assert_uint_eq(g.flags[1][1], CORE_CELL_F_LOST_DIGITS);
    ck_assert_uint_eq(g.flags[2][1], 0); /* a 15-digit ID is exact */
    ck_assert_int_eq(g.hint, 3);
    got_free(&g);
    free(x);
}
END_TEST

/* ---- broken input ------------------------------------------------------------------ */

START_TEST(test_not_xlsx)
{
    got g = {0};
    app_err err = {0};
    static const unsigned char ole[16] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};

    ck_assert_int_eq(read_buf((const unsigned char *)"姓名,身份证号\r\n", 21, NULL, NULL, &g, &err),
                     APP_EINVAL);
    ck_assert_str_eq(err.slug, "xlsx_not_zip");
    ck_assert_int_eq(read_buf(ole, sizeof(ole), NULL, NULL, &g, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "xlsx_not_zip");
    ck_assert_str_eq(err.param, "ole");
    ck_assert_int_eq(read_buf(NULL, 0, NULL, NULL, &g, &err), APP_EINVAL);

    /* zips that are no workbook: any archive, and an OpenDocument spreadsheet */
    fmt_zip_writer *w = fmt_zip_writer_new();
    unsigned char *out;
    size_t n;
    ck_assert_int_eq(fmt_zip_writer_add(w, "readme.txt", "hi", 2, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_finish(w, &out, &n, &err), 0);
    fmt_zip_writer_free(w);
    ck_assert_int_eq(read_buf(out, n, NULL, NULL, &g, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "xlsx_no_workbook");
    ck_assert_str_eq(err.param, "");
    free(out);
    w = fmt_zip_writer_new();
    static const char mt[] = "application/vnd.oasis.opendocument.spreadsheet";
    ck_assert_int_eq(fmt_zip_writer_begin(w, "mimetype", 0, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_write(w, mt, strlen(mt), &err), 0);
    ck_assert_int_eq(fmt_zip_writer_end(w, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_add(w, "content.xml", "<x/>", 4, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_finish(w, &out, &n, &err), 0);
    fmt_zip_writer_free(w);
    ck_assert_int_eq(read_buf(out, n, NULL, NULL, &g, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "xlsx_no_workbook");
    ck_assert_str_eq(err.param, "ods");
    free(out);
    ck_assert_int_eq(g.nrows, 0);
}
END_TEST

START_TEST(test_missing_sheet)
{
    got g = {0};
    app_err err = {0};
    size_t n;
    unsigned char *x;

    /* the workbook lists no sheet */
    x = make_xlsx(WS_OPEN "</worksheet>", NULL, XMLDECL "<workbook><sheets/></workbook>", -1, &n);
    ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "xlsx_no_sheet");
    free(x);
    /* the sheet's relationship is of another type (a chart sheet) or dangling */
    x = make_xlsx(WS_OPEN "</worksheet>", NULL,
                  XMLDECL "<workbook xmlns:r=\"" NSR "\"><sheets><sheet name=\"S\" r:id=\"rId9\"/>"
                          "</sheets></workbook>",
                  -1, &n);
    ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "xlsx_no_sheet");
    ck_assert_int_eq(read_buf(x, n, "S", NULL, &g, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "xlsx_no_sheet");
    free(x);
    /* the relationship names a part that is not there */
    x = make_xlsx(NULL, NULL, NULL, -1, &n);
    ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "xlsx_malformed");
    ck_assert_str_eq(err.param, "part");
    free(x);
    ck_assert_int_eq(g.nrows, 0);
}
END_TEST

START_TEST(test_bad_xml)
{
    static const char *const sheets[] = {
        WS_OPEN "<sheetData><row r=\"1\"><c r=\"A1\"",                      /* unterminated tag */
        WS_OPEN "<sheetData><row r=\"1\">",                                 /* ends inside */
        XMLDECL "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]>"
                "<worksheet><sheetData><row><c t=\"inlineStr\"><is><t>&lol2;</t></is></c></row>"
                "</sheetData></worksheet>",                                 /* billion laughs */
        WS_OPEN "<sheetData><row><c t=\"inlineStr\"><is><t>&foo;</t></is></c></row></sheetData></worksheet>",
        WS_OPEN "<sheetData><row><c t=\"inlineStr\"><is><t>&#0;</t></is></c></row></sheetData></worksheet>",
        WS_OPEN "<sheetData><row><c t=\"inlineStr\"><is><t>&#xD800;</t></is></c></row></sheetData></worksheet>",
        WS_OPEN "<sheetData><row><c t=\"inlineStr\"><is><t>&#x110000;</t></is></c></row></sheetData></worksheet>",
        WS_OPEN "<sheetData><row><c t=\"inlineStr\"><is><t>&amp</t></is></c></row></sheetData></worksheet>",
        WS_OPEN "<sheetData><row><c r=A1/></row></sheetData></worksheet>",     /* unquoted */
        WS_OPEN "<sheetData><row><c r></c></row></sheetData></worksheet>",     /* no value */
        WS_OPEN "</a></b>",                                              /* unbalanced */
        WS_OPEN "<sheetData><row><row></row></row></sheetData></worksheet>", /* nested rows */
        WS_OPEN "<!-- never closed",
        WS_OPEN "<sheetData><![CDATA[ never closed",
        WS_OPEN "< >",
        WS_OPEN "<sheetData><row a=\"x<y\"/></sheetData></worksheet>",
    };
    for (size_t i = 0; i < NELEM(sheets); i++) {
        app_err err = {0};
        size_t n;
        unsigned char *x = make_xlsx(sheets[i], NULL, NULL, -1, &n);
        got g = {0};
        int rc = read_buf(x, n, NULL, NULL, &g, &err);
        ck_assert_msg(rc == APP_EINVAL, "sheet %zu: rc %d", i, rc);
        ck_assert_str_eq(err.slug, "xlsx_malformed");
        ck_assert_msg(strcmp(err.param, "xml") == 0, "sheet %zu: %s %s", i, err.param, err.detail);
        got_free(&g);
        free(x);
    }

    /* nesting past FMT_XML_MAX_DEPTH */
    base_buf b = {0};
    base_buf_adds(&b, WS_OPEN);
    for (int i = 0; i < 300; i++)
        base_buf_adds(&b, "<x>");
    expect_sheet_err((char *)b.p, NULL, APP_EINVAL, "xlsx_malformed", "xml");
    base_buf_free(&b);
}
END_TEST

/* What the tokenizer accepts: comments, PIs, CDATA, prefixes, single quotes, entities. */
START_TEST(test_xml_variants)
{
    got g = {0};
    read_sheet_ok("\xEF\xBB\xBF" XMLDECL "<!-- c --><?pi x?><x:worksheet xmlns:x=\"urn:x\"><x:sheetData>"
                  "<x:row r='2'><x:c r='b2' t='inlineStr'><x:is><x:t><![CDATA[<a&b>]]>&#x4E2D;&#25991;"
                  "&apos;&quot;</x:t></x:is></x:c><x:c t=\"str\"><x:f>A1</x:f><x:v>v&#10;w\r\nz</x:v></x:c>"
                  "</x:row><x:row><x:c r=\"A3\" t=\"inlineStr\"><x:is><x:r><x:t>a</x:t></x:r>"
                  "<x:rPh><x:t>PH</x:t></x:rPh><x:r><x:t>b</x:t></x:r></x:is></x:c><x:c t=\"b\">"
                  "<x:v>0</x:v></x:c><x:c t=\"d\"><x:v>2024-01-02</x:v></x:c><x:c t=\"e\"><x:v>#DIV/0!</x:v>"
                  "</x:c><x:c t=\"s\"/><x:c><x:v></x:v></x:c></x:row></x:sheetData>"
                  "<x:sheetData><x:row><x:c><x:v>ignored</x:v></x:c></x:row></x:sheetData></x:worksheet>",
                  NULL, &g);
    static const char *const e2[] = {"", "<a&b>中文'\"", "v\nw\nz"};
    static const char *const e3[] = {"ab", "FALSE", "2024-01-02", "#DIV/0!"};
    ck_assert_int_eq(g.nrows, 2);
    expect_row(&g, 0, 2, 3, e2);
    expect_row(&g, 1, 3, 4, e3);
    ck_assert_int_eq(g.type[1][1], CORE_CELL_BOOL);
    ck_assert_int_eq(g.type[1][2], CORE_CELL_TEXT);
    got_free(&g);

    /* no sheetData at all; an empty one */
    read_sheet_ok(WS_OPEN "</worksheet>", NULL, &g);
    ck_assert_int_eq(g.nrows, 0);
    read_sheet_ok(WS_OPEN "<sheetData/></worksheet>", NULL, &g);
    ck_assert_int_eq(g.nrows, 0);
    /* rows and cells without r count on from the last */
    read_sheet_ok(WS_OPEN "<sheetData><row r=\"3\"><c r=\"C3\"><v>1</v></c><c><v>2</v></c></row>"
                  "<row><c><v>3</v></c></row><row r=\"7\"/></sheetData></worksheet>",
                  NULL, &g);
    static const char *const c1[] = {"", "", "1", "2"}, *const c2[] = {"3"};
    ck_assert_int_eq(g.nrows, 3);
    expect_row(&g, 0, 3, 4, c1);
    expect_row(&g, 1, 4, 1, c2);
    expect_row(&g, 2, 7, 0, NULL);
    got_free(&g);
}
END_TEST

START_TEST(test_references)
{
    static const char *const sheets[] = {
        WS_OPEN "<sheetData><row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row></sheetData></worksheet>",
        WS_OPEN "<sheetData><row r=\"1\"><c r=\"A1048577\"><v>1</v></c></row></sheetData></worksheet>",
        WS_OPEN "<sheetData><row r=\"1048577\"><c><v>1</v></c></row></sheetData></worksheet>",
        WS_OPEN "<sheetData><row r=\"0\"/></sheetData></worksheet>",
        WS_OPEN "<sheetData><row r=\"-1\"/></sheetData></worksheet>",
        WS_OPEN "<sheetData><row r=\"1x\"/></sheetData></worksheet>",
        WS_OPEN "<sheetData><row r=\"1\"><c r=\"1A\"><v>1</v></c></row></sheetData></worksheet>",
        WS_OPEN "<sheetData><row r=\"1\"><c r=\"\"><v>1</v></c></row></sheetData></worksheet>",
        WS_OPEN "<sheetData><row r=\"1048576\"/><row/></sheetData></worksheet>",
        WS_OPEN "<sheetData><row r=\"1\"><c r=\"XFD1\"><v>1</v></c><c><v>2</v></c></row></sheetData></worksheet>",
    };
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    lim.max_columns = FMT_SHEET_MAX_COLS;
    for (size_t i = 0; i < NELEM(sheets); i++) {
        size_t n;
        unsigned char *x = make_xlsx(sheets[i], NULL, NULL, -1, &n);
        got g = {0};
        app_err err = {0};
        ck_assert_msg(read_buf(x, n, NULL, &lim, &g, &err) == APP_EINVAL, "sheet %zu", i);
        ck_assert_str_eq(err.slug, "xlsx_malformed");
        ck_assert_msg(strcmp(err.param, "reference") == 0, "sheet %zu: %s", i, err.param);
        got_free(&g);
        free(x);
    }
    /* the corners themselves are fine */
    got g = {0};
    app_err err = {0};
    size_t n;
    unsigned char *x = make_xlsx(WS_OPEN "<sheetData><row r=\"1048576\"><c r=\"XFD1048576\" "
                                 "t=\"inlineStr\"><is><t>z</t></is></c></row></sheetData></worksheet>",
                                 NULL, NULL, -1, &n);
    ck_assert_int_eq(read_buf(x, n, NULL, &lim, &g, &err), 0);
    ck_assert_int_eq(g.row[0], 1048576);
    ck_assert_uint_eq(g.ncells[0], 16384);
    got_free(&g);
    /* but by default a row is at most 1024 columns wide (A..AMJ) */
    ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.slug, "xlsx_too_large");
    ck_assert_str_eq(err.param, "columns");
    free(x);
    read_sheet_ok(WS_OPEN "<sheetData><row><c r=\"AMJ1\"><v>1</v></c></row></sheetData></worksheet>",
                  NULL, &g);
    ck_assert_uint_eq(g.ncells[0], 1024);
    got_free(&g);
    expect_sheet_err(WS_OPEN "<sheetData><row><c r=\"AMK1\"><v>1</v></c></row></sheetData></worksheet>",
                     NULL, APP_ETOOLARGE, "xlsx_too_large", "columns");
}
END_TEST

static int
count_only(void *ctx, const fmt_sheet_row *r, app_err *err)
{
    (void)r;
    (void)err;
    (*(long *)ctx)++;
    return 0;
}

/* Row numbers are not checked to ascend, but a sheet reports at most 1048576 rows. */
START_TEST(test_row_count)
{
    base_buf b = {0};
    base_buf_adds(&b, WS_OPEN "<sheetData>");
    for (long i = 0; i <= FMT_SHEET_MAX_ROWS; i++)
        base_buf_adds(&b, "<row r=\"1\"/>");
    base_buf_adds(&b, "</sheetData></worksheet>");
    size_t n;
    unsigned char *x = make_xlsx((char *)b.p, NULL, NULL, 1, &n);
    app_err err = {0};
    long rows = 0;
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    lim.zip.max_ratio = 0; /* so repetitive that the ratio limit would stop it first */
    ck_assert_int_eq(fmt_xlsx_read(x, n, NULL, &lim, count_only, &rows, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.param, "rows");
    ck_assert_int_eq(rows, FMT_SHEET_MAX_ROWS);
    free(x);
    base_buf_free(&b);
}
END_TEST

#define SST_OPEN XMLDECL "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""

START_TEST(test_shared_strings)
{
    static const char *const cells[] = {"1", "-1", "x", "", " 0 1", "99999999999999999999999"};
    for (size_t i = 0; i < NELEM(cells); i++) {
        char sheet[256];
        snprintf(sheet, sizeof(sheet),
                 WS_OPEN "<sheetData><row><c t=\"s\"><v>%s</v></c></row></sheetData></worksheet>",
                 cells[i]);
        if (cells[i][0] == '\0') { /* an empty <v> is an empty cell */
            got g = {0};
            read_sheet_ok(sheet, SST_OPEN " count=\"1\"><si><t>only</t></si></sst>", &g);
            ck_assert_uint_eq(g.ncells[0], 0);
            got_free(&g);
            continue;
        }
        expect_sheet_err(sheet, SST_OPEN "><si><t>only</t></si></sst>", APP_EINVAL, "xlsx_malformed",
                         "shared_string");
    }
    /* t="s" without any shared strings part */
    expect_sheet_err(WS_OPEN "<sheetData><row><c t=\"s\"><v>0</v></c></row></sheetData></worksheet>",
                     NULL, APP_EINVAL, "xlsx_malformed", "shared_string");
    /* a shared string that is not UTF-8 */
    expect_sheet_err(WS_OPEN "</worksheet>", SST_OPEN "><si><t>\xC3\x28</t></si></sst>", APP_EINVAL,
                     "xlsx_malformed", "utf8");
    expect_sheet_err(WS_OPEN "<sheetData><row><c t=\"inlineStr\"><is><t>\xED\xA0\x80</t></is></c></row>"
                     "</sheetData></worksheet>",
                     NULL, APP_EINVAL, "xlsx_malformed", "utf8");

    /* a declared count of four billion allocates nothing */
    got g = {0};
    read_sheet_ok(WS_OPEN "<sheetData><row><c t=\"s\"><v>2</v></c><c t=\"s\"><v>0</v></c></row>"
                  "</sheetData></worksheet>",
                  SST_OPEN " count=\"4294967295\" uniqueCount=\"4294967295\"><si><t>a</t></si><si/>"
                  "<si><t>c</t></si></sst>",
                  &g);
    static const char *const e[] = {"c", "a"};
    expect_row(&g, 0, 1, 2, e);
    got_free(&g);
}
END_TEST

/*
 * Found by make fuzz (tests/fuzz/xlsx_fuzz.c): end tags are not matched by
 * name (formats/xml.h), so an <si> can end without </si>, or </si> come while
 * its <t> is open. The text of the unfinished string, or text after such a
 * </si>, stayed in front of the next string without being checked: a cell
 * got bytes that are not UTF-8 and _xHHHH_ escapes left as written. Now it
 * is dropped.
 */
START_TEST(test_unfinished_shared_string)
{
    got g = {0};
    read_sheet_ok(WS_OPEN "<sheetData><row><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c>"
                  "<c t=\"s\"><v>2</v></c><c t=\"s\"><v>3</v></c></row></sheetData></worksheet>",
                  SST_OPEN "><si><t>a</t></si>"
                  "<si><t>\xE8N_x0041_</t></x>" /* no </si>: dropped */
                  "<si/>"                         /* string 1: "" */
                  "<si><t>b</si>\xFF"             /* string 2: "b"; the text after it is not a string's */
                  "<si><t>c</t></si></y></sst>",  /* string 3: "c"; </y> ends the open <t> */
                  &g);
    static const char *const e[] = {"a", "", "b", "c"};
    expect_row(&g, 0, 1, 4, e);
    ck_assert_int_eq(g.type[0][1], CORE_CELL_EMPTY);
    got_free(&g);
}
END_TEST

/* More strings, or more bytes of them, than the limits allow. */
START_TEST(test_shared_string_limits)
{
    base_buf sst = {0};
    base_buf_adds(&sst, SST_OPEN " uniqueCount=\"4000000000\">");
    for (int i = 0; i < 1001; i++)
        base_buf_printf(&sst, "<si><t>s%d</t></si>", i);
    base_buf_adds(&sst, "</sst>");
    size_t n;
    unsigned char *x = make_xlsx(WS_OPEN "</worksheet>", (char *)sst.p, NULL, -1, &n);
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    got g = {0};
    app_err err = {0};

    ck_assert_int_eq(read_buf(x, n, NULL, &lim, &g, &err), 0);
    lim.max_shared_strings = 1000;
    ck_assert_int_eq(read_buf(x, n, NULL, &lim, &g, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.slug, "xlsx_too_large");
    ck_assert_str_eq(err.param, "shared_strings");
    lim = fmt_xlsx_limits_default();
    lim.max_shared_bytes = 4000;
    ck_assert_int_eq(read_buf(x, n, NULL, &lim, &g, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.param, "shared_strings");
    free(x);
    base_buf_free(&sst);
}
END_TEST

/* A sheet of 64 MiB of "<x/>" compresses ~1000:1: the ratio limit stops it early. */
START_TEST(test_bomb)
{
    size_t big = (size_t)64 << 20;
    char *sheet = malloc(big + 1024);
    strcpy(sheet, WS_OPEN);
    size_t at = strlen(sheet);
    for (size_t i = 0; i < big; i += 4)
        memcpy(sheet + at + i, "<x/>", 4);
    strcpy(sheet + at + big, "<sheetData/></worksheet>");
    size_t n;
    unsigned char *x = make_xlsx(sheet, NULL, NULL, 9, &n);
    got g = {0};
    app_err err = {0};
    ck_assert_uint_lt(n, 300000);
    ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.slug, "xlsx_too_large");
    ck_assert_str_eq(err.param, "ratio");
    free(x);

    /* one text run of 64 MiB hits the token limit first */
    memset(sheet + at, ' ', big);
    x = make_xlsx(sheet, NULL, NULL, 9, &n);
    ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.param, "xml_token");
    free(x);
    free(sheet);
}
END_TEST

/* Every prefix of a real file fails cleanly. */
START_TEST(test_truncated)
{
    size_t n;
    unsigned char *x = fixture("exceljs.xlsx", &n);
    for (size_t len = 0; len < n; len += 1 + len / 64) {
        got g = {0};
        app_err err = {0};
        int rc = read_buf(x, len, NULL, NULL, &g, &err);
        ck_assert_int_lt(rc, 0);
        ck_assert_ptr_nonnull(err.slug);
        got_free(&g);
    }
    free(x);
}
END_TEST

/* ---- mutation ------------------------------------------------------------------------- */

static uint32_t
rng(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static int
touch(void *ctx, const fmt_sheet_row *r, app_err *err)
{
    long *rows = ctx;
    (void)err;
    ck_assert_int_ge(r->row, 1);
    ck_assert_int_le(r->row, FMT_SHEET_MAX_ROWS);
    ck_assert_uint_le(r->ncells, FMT_SHEET_MAX_COLS);
    for (size_t i = 0; i < r->ncells; i++) {
        ck_assert_uint_eq(strlen(r->cells[i].s), r->cells[i].len);
        ck_assert(base_utf8_valid(r->cells[i].s, r->cells[i].len));
    }
    (*rows)++;
    return 0;
}

/* One random change to b[0..*n): flip bits, overwrite, insert, delete or truncate. */
static void
mutate(unsigned char **b, size_t *n, uint32_t *seed)
{
    static const char *const tokens[] = {"<", ">", "&", "\"", "</row>", "<c r=\"ZZZ9\">", "&#x0;",
                                         "<v>", "t=\"s\"", "\xff", "\xe4\xb8", "<!DOCTYPE", "]]>"};
    size_t at = *n ? rng(seed) % *n : 0;
    switch (rng(seed) % 6) {
    case 0: /* flip a few bits */
        for (int k = 0; k < 1 + (int)(rng(seed) % 4) && *n; k++)
            (*b)[rng(seed) % *n] ^= (unsigned char)(1u << (rng(seed) % 8));
        break;
    case 1: /* overwrite a byte */
        if (*n)
            (*b)[at] = (unsigned char)rng(seed);
        break;
    case 2: { /* insert random bytes or a token */
        const char *t = tokens[rng(seed) % NELEM(tokens)];
        unsigned char rnd[8];
        size_t k = strlen(t);
        if (rng(seed) % 2) {
            k = 1 + rng(seed) % 8;
            for (size_t i = 0; i < k; i++)
                rnd[i] = (unsigned char)rng(seed);
            t = (const char *)rnd;
        }
        *b = realloc(*b, *n + k + 1);
        memmove(*b + at + k, *b + at, *n - at);
        memcpy(*b + at, t, k);
        *n += k;
        break;
    }
    case 3: { /* delete a run */
        size_t k = 1 + rng(seed) % 16;
        if (k > *n - at)
            k = *n - at;
        memmove(*b + at, *b + at + k, *n - at - k);
        *n -= k;
        break;
    }
    case 4: /* truncate */
        *n = at;
        break;
    default: /* duplicate a run */
        if (*n - at > 1) {
            size_t k = 1 + rng(seed) % (*n - at < 64 ? *n - at : 64);
            *b = realloc(*b, *n + k + 1);
            memmove(*b + at + k, *b + at, *n - at);
            *n += k;
        }
        break;
    }
}

/*
 * Rounds per mutation test: fixed by default; XUEJI_FUZZ_ROUNDS (a
 * multiplier) and XUEJI_FUZZ_SEED make longer or different runs by hand.
 */
static int
rounds(int base)
{
    const char *m = getenv("XUEJI_FUZZ_ROUNDS");
    return m && atoi(m) > 0 ? base * atoi(m) : base;
}

static uint32_t
seed_of(uint32_t base)
{
    const char *s = getenv("XUEJI_FUZZ_SEED");
    return s ? base ^ (uint32_t)strtoul(s, NULL, 0) * 2654435761u : base;
}

/* Read one mutant: success or a clean error with a slug, nothing else. */
static void
read_mutant(const unsigned char *b, size_t n, const fmt_xlsx_limits *lim)
{
    unsigned char *copy = malloc(n ? n : 1);
    memcpy(copy, b, n);
    app_err err = {0};
    long rows = 0;
    int rc = fmt_xlsx_read(copy, n, NULL, lim, touch, &rows, &err);
    ck_assert_int_le(rc, 0);
    if (rc < 0) {
        ck_assert_int_eq(err.code, rc);
        ck_assert_ptr_nonnull(err.slug);
    }
    if (getenv("XUEJI_FUZZ_STATS"))
        fprintf(stderr, "mutant %d %s %s\n", rc, err.slug ? err.slug : "-", err.param);
    free(copy);
}

static void
mutate_file(const unsigned char *base, size_t n, int nrounds, uint32_t seed)
{
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    lim.max_token = 1 << 16;
    seed = seed_of(seed);
    for (int i = 0; i < nrounds; i++) {
        unsigned char *b = malloc(n + 1);
        size_t len = n;
        memcpy(b, base, n);
        int k = 1 + (int)(rng(&seed) % 3);
        for (int j = 0; j < k; j++)
            mutate(&b, &len, &seed);
        read_mutant(b, len, &lim);
        free(b);
    }
}

/* Bytes of whole archives: mostly caught by the zip layer (CRC, deflate). */
START_TEST(test_mutate_archives)
{
    size_t n;
    unsigned char *x = write_sample(&n, 1);
    mutate_file(x, n, rounds(1000), 0x5EED0001u);
    free(x);
    x = fixture("exceljs.xlsx", &n);
    mutate_file(x, n, rounds(1000), 0x5EED0002u);
    free(x);
}
END_TEST

/* Stored (uncompressed) archives: mutations reach the XML before the CRC is checked. */
START_TEST(test_mutate_stored)
{
    static const char sheet[] =
        WS_OPEN "<dimension ref=\"A1:C3\"/><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
                "<c r=\"B1\" t=\"inlineStr\"><is><r><t>a&amp;b</t></r><rPh><t>x</t></rPh></is></c>"
                "<c r=\"C1\"><v>1.10101199003078E+17</v></c></row><row r=\"3\"><c r=\"A3\" t=\"b\"><v>1"
                "</v></c><c t=\"str\"><f>A1</f><v>_x000D_&#x4E2D;</v></c><c t=\"e\"><v>#N/A</v></c>"
                "</row></sheetData></worksheet>";
    static const char sst[] = SST_OPEN " count=\"2\"><si><t>姓名</t></si><si><r><t>富</t></r><r>"
                              "<t>文本</t></r></si></sst>";
    size_t n;
    unsigned char *x = make_xlsx(sheet, sst, NULL, 0, &n);
    got g = {0};
    app_err err = {0};
    ck_assert_int_eq(read_buf(x, n, NULL, NULL, &g, &err), 0); /* the base is valid */
    ck_assert_int_eq(g.nrows, 2);
    got_free(&g);
    mutate_file(x, n, rounds(1500), 0x5EED0003u);
    free(x);
}
END_TEST

/* Mutated XML packed into valid archives: every mutant reaches the tokenizer. */
START_TEST(test_mutate_xml)
{
    size_t n;
    unsigned char *x = write_sample(&n, 0);
    char *sheet = part_text(x, n, "xl/worksheets/sheet1.xml");
    free(x);
    static const char sst[] = SST_OPEN "><si><t>a</t></si><si><t>b</t><rPh><t>c</t></rPh></si></sst>";
    uint32_t seed = seed_of(0x5EED0004u);
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    lim.max_token = 1 << 16;
    for (int i = 0, nr = rounds(1500); i < nr; i++) {
        size_t ls = strlen(sheet), lt = strlen(sst);
        unsigned char *s = malloc(ls + 1), *t = malloc(lt + 1);
        memcpy(s, sheet, ls);
        memcpy(t, sst, lt);
        int k = 1 + (int)(rng(&seed) % 3);
        for (int j = 0; j < k; j++) {
            if (rng(&seed) % 4)
                mutate(&s, &ls, &seed);
            else
                mutate(&t, &lt, &seed);
        }
        s[ls] = '\0'; /* the parts are C strings for make_xlsx: cut at a NUL */
        t[lt] = '\0';
        unsigned char *a = make_xlsx((char *)s, (char *)t, NULL, 1, &n);
        read_mutant(a, n, &lim);
        free(a);
        free(s);
        free(t);
    }
    free(sheet);
}
END_TEST

static Suite *
xlsx_suite(void)
{
    Suite *s = suite_create("xlsx");
    TCase *tc = tcase_create("sheet");
    tcase_add_test(tc, test_col_names);
    tcase_add_test(tc, test_ref_parse);
    tcase_add_test(tc, test_lost_digits);
    suite_add_tcase(s, tc);

    tc = tcase_create("writer");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_writer_parts);
    tcase_add_test(tc, test_writer_long_cell);
    tcase_add_test(tc, test_writer_errors);
    tcase_add_test(tc, test_writer_max_rows);
    tcase_add_test(tc, test_stream_workbook);
    suite_add_tcase(s, tc);

    tc = tcase_create("other producers");
    tcase_add_test(tc, test_sheetjs);
    tcase_add_test(tc, test_exceljs);
    tcase_add_test(tc, test_libxlsxwriter);
    tcase_add_test(tc, test_libreoffice);
    tcase_add_test(tc, test_libreoffice_1904);
    tcase_add_test(tc, test_date_system);
    tcase_add_test(tc, test_excel_style);
    suite_add_tcase(s, tc);

    tc = tcase_create("broken");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_not_xlsx);
    tcase_add_test(tc, test_missing_sheet);
    tcase_add_test(tc, test_bad_xml);
    tcase_add_test(tc, test_xml_variants);
    tcase_add_test(tc, test_references);
    tcase_add_test(tc, test_row_count);
    tcase_add_test(tc, test_shared_strings);
    tcase_add_test(tc, test_unfinished_shared_string);
    tcase_add_test(tc, test_shared_string_limits);
    tcase_add_test(tc, test_bomb);
    tcase_add_test(tc, test_truncated);
    suite_add_tcase(s, tc);

    tc = tcase_create("mutation");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_mutate_archives);
    tcase_add_test(tc, test_mutate_stored);
    tcase_add_test(tc, test_mutate_xml);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(xlsx_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
