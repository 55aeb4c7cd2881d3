/*
 * tests/unit/xlsx_test.c - Excel workbooks: sheet helpers, round trips, the streaming writer, files
 * from other software. The world and helpers: tests/unit/xlsx_helpers.h.
 */
#include "tests/unit/xlsx_helpers.h"

START_TEST(test_col_names)
{
    static const struct {
        int col;
        const char *name;
    } rows[] = {{0, "A"},     {25, "Z"},      {26, "AA"}, {51, "AZ"},  {701, "ZZ"},
                {702, "AAA"}, {16383, "XFD"}, {-1, "?"},  {16384, "?"}};
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
        {"A1", 1, 0, 1},       {"b7", 1, 1, 7},    {"XFD1048576", 1, 16383, 1048576},
        {"AA10", 1, 26, 10},   {"C", 1, 2, 0},     {"XFE1", 0, 0, 0},
        {"A1048577", 0, 0, 0}, {"A0", 0, 0, 0},    {"A01", 0, 0, 0},
        {"7B", 0, 0, 0},       {"", 0, 0, 0},      {"AAAA1", 0, 0, 0},
        {"$A$1", 0, 0, 0},     {"A1:B2", 0, 0, 0}, {"A99999999999999999999", 0, 0, 0},
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
        {"1.10101199003078E+17", 1, 1},
        {"1.10101199003078E+017", 1, 1},
        {"110101199003078130", 1, 0},
        {"1E+15", 1, 1},
        {"9.99E+14", 0, 0},
        {"999999999999999", 0, 0},
        {"1000000000000000", 1, 0},
        {"-1.2e16", 1, 1},
        {"0.0001E+20", 1, 1},
        {"0.0001E+18", 0, 0},
        {"43586", 0, 0},
        {"1.5", 0, 0},
        {"", 0, 0},
        {"E+17", 0, 0},
        {"1.1E", 0, 0},
        {"1.1E+17x", 0, 0},
        {"abc", 0, 0},
        {"0", 0, 0},
        {"0000000000000000001", 0, 0},
        {".5E16", 1, 1},
        {"1e99999999999999", 1, 1},
    };
    for (size_t i = 0; i < NELEM(rows); i++) {
        size_t n = strlen(rows[i].s);
        ck_assert_msg(fmt_sheet_lost_digits(rows[i].s, n, 0) == rows[i].any, "%s", rows[i].s);
        ck_assert_msg(fmt_sheet_lost_digits(rows[i].s, n, 1) == rows[i].exp_only, "%s e",
                      rows[i].s);
    }
}
END_TEST

/* ---- round trips ---------------------------------------------------------------- */

START_TEST(test_round_trip)
{
    size_t n;
    unsigned char *x = write_sample(&n, 1);
    got g = {0};
    app_err err = {0};
    static const char *const e3[] = {"<&>\"'", "", "tail"};
    static const char *const e5[] = {"a\x01"
                                     "b\x1f"
                                     "c",
                                     "line1\r\nline2\rx", "\ttab", "\x7f"};
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
    expect_contains(s,
                    "<c r=\"B2\" s=\"1\" t=\"inlineStr\"><is><t>110101199003078123</t></is></c>");
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
        {"", "length"},         {"abcdefghijklmnopqrstuvwxyz123456", "length"},
        {"a/b", "characters"},  {"a[1]", "characters"},
        {"'q", "characters"},   {"q'", "characters"},
        {"a\tb", "characters"}, {"history", "reserved"},
        {"_LISTS", "reserved"}, {"SHEET", "duplicate"},
        {"\xff", "length"},
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
    ck_assert_int_eq(
        fmt_xlsx_writer_sheet(w, "三十一个字三十一个字三十一个字三十一个字三十一个字三十一个字一",
                              NULL, &err),
        0);
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
    got g;   /* the sample's 8 rows */
    int gen; /* generated rows seen */
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
    fmt_xlsx_col cols[5] = {
        {12, 0, NULL, 0}, {22, 0, NULL, 0}, {6, 0, sex, 2}, {0, 1, eth, 60}, {8, 0, comma, 2}};
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
    static const char *const e5[] = {"a\x01"
                                     "b\x1f"
                                     "c",
                                     "line1\r\nline2\rx", "\ttab", "\x7f"};
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
    for (long i = 0; i < FMT_SHEET_MAX_ROWS; i++) /* no ck_assert a row: check records each */
        if (fmt_xlsx_writer_row(w, NULL, 0, &err) != 0)
            ck_abort_msg("row %ld refused: %s", i + 1, err.detail);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, NULL, 0, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.param, "rows");
    fmt_xlsx_writer_free(w);
}
END_TEST

/* ---- files from other software -------------------------------------------------- */

static const char *const fx_h[] = {"姓名", "身份证号", "性别", "出生日期", "联系电话", "备注"};
static const char *const fx_2[] = {"张三",       "11010119900307803X", "男",
                                   "2019-05-01", "01234567",           "a<b & c>\"d\" 'e'"};
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
    static const char *const e2[] = {"李 四", "1.10101199003078E+17",
                                     "a\x01"
                                     "b_x0041_"};
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
