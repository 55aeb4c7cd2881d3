/*
 * tests/unit/import_test.c - the template's columns, the header check and
 * the reading of a row (core/import.h): what a clerk's spreadsheet habits
 * turn into, Excel serial dates of both date systems included.
 */
#include "base/buf.h"
#include "core/import.h"
#include "formats/zip.h"
#include "tests/unit/fixture.h"

#include <check.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static core_codes *codes;

static void
setup(void)
{
    codes = core_codes_new();
    core_codes_add(codes, "gender", "1", "男");
    core_codes_add(codes, "gender", "2", "女");
    core_codes_add(codes, "ethnicity", "01", "汉族");
    core_codes_add(codes, "ethnicity", "02", "蒙古族");
    core_codes_add(codes, "region", "430102", "芙蓉区");
    core_codes_seal(codes);
}

static void
teardown(void)
{
    core_codes_free(codes);
}

/* A row of `n` cells from strings (NULL: empty). */
typedef struct trow {
    core_cell cells[CORE_TEMPLATE_MAX_COLS];
    fmt_sheet_row row;
} trow;

static void
trow_init(trow *t, long rowno)
{
    memset(t, 0, sizeof(*t));
    for (int c = 0; c < CORE_TEMPLATE_MAX_COLS; c++)
        t->cells[c] = (core_cell){"", 0, CORE_CELL_EMPTY, 0};
    t->row.row = rowno;
    t->row.cells = t->cells;
}

static void
trow_set(trow *t, int col, const char *s, core_cell_type type, unsigned flags)
{
    t->cells[col] = (core_cell){s, strlen(s), type, flags};
    if ((size_t)col + 1 > t->row.ncells)
        t->row.ncells = (size_t)col + 1;
}

static char titles[CORE_TEMPLATE_MAX_COLS][64];

static void
header(trow *t)
{
    trow_init(t, 1);
    for (int c = 0; c < core_template_ncols(); c++) {
        core_template_title(c, titles[c], sizeof(titles[c]));
        trow_set(t, c, titles[c], CORE_CELL_TEXT, 0);
    }
}

static int
col(const char *json, int member)
{
    int f = core_field_index(member, json);
    ck_assert_int_ge(f, 0);
    for (int c = 0; c < core_template_ncols(); c++)
        if (core_template_field(c) == f)
            return c;
    ck_abort_msg("no column for %s", json);
    return -1;
}

START_TEST(test_columns)
{
    int n = core_template_ncols(), fields = 0, sep = -1;
    for (int c = 0; c < n; c++) {
        int f = core_template_field(c);
        if (f >= 0) {
            fields++;
            ck_assert(!(core_fields[f].flags & CORE_F_READONLY));
        } else if (f == CORE_TPL_SEPARATOR) {
            sep = c;
        }
    }
    /* every field but the photo, the separator before member 1, the version last */
    ck_assert_int_eq(fields, CORE_NFIELDS - 1);
    ck_assert_int_eq(n, CORE_NFIELDS + 1);
    ck_assert_int_eq(core_template_field(sep + 1), CORE_R_F1);
    ck_assert_int_eq(core_template_field(n - 1), CORE_TPL_VERSION);
    ck_assert_int_eq(core_template_field(n), -1);
    char t[64];
    core_template_title(0, t, sizeof(t));
    ck_assert_str_eq(t, "姓名");
    core_template_title(col("name", 1), t, sizeof(t));
    ck_assert_str_eq(t, "家庭成员1姓名");
    core_template_title(n - 1, t, sizeof(t));
    ck_assert_str_eq(t, "模板版本:" CORE_TEMPLATE_VERSION);
}
END_TEST

START_TEST(test_header)
{
    trow t;
    core_import_map m;
    app_err e = {0};
    header(&t);
    ck_assert_int_eq(core_import_header(&t.row, &m, &e), 0);
    ck_assert_int_eq(m.ncols, core_template_ncols());
    /* a CSV has no version column: fine */
    t.row.ncells--;
    ck_assert_int_eq(core_import_header(&t.row, &m, &e), 0);
    /* blanks around a title do not matter */
    header(&t);
    trow_set(&t, 1, " 性别\xE3\x80\x80", CORE_CELL_TEXT, 0);
    ck_assert_int_eq(core_import_header(&t.row, &m, &e), 0);
    /* two swapped columns: both named, by letter, with what belongs there */
    header(&t);
    trow_set(&t, 1, titles[2], CORE_CELL_TEXT, 0);
    trow_set(&t, 2, titles[1], CORE_CELL_TEXT, 0);
    app_err_clear(&e);
    ck_assert_int_eq(core_import_header(&t.row, &m, &e), APP_EINVAL);
    ck_assert_int_eq(e.nitems, 2);
    ck_assert_str_eq(e.items[0].field, "B");
    ck_assert_str_eq(e.items[0].code, "template_mismatch");
    ck_assert_str_eq(e.items[0].param, titles[1]);
    ck_assert_str_eq(e.items[1].field, "C");
    /* an extra column at the end */
    header(&t);
    trow_set(&t, core_template_ncols(), "备注", CORE_CELL_TEXT, 0);
    app_err_clear(&e);
    ck_assert_int_eq(core_import_header(&t.row, &m, &e), APP_EINVAL);
    ck_assert_str_eq(e.items[0].param, "");
    /* another template version */
    header(&t);
    trow_set(&t, core_template_ncols() - 1, "模板版本:xueji-students-0", CORE_CELL_TEXT, 0);
    app_err_clear(&e);
    ck_assert_int_eq(core_import_header(&t.row, &m, &e), APP_EINVAL);
    ck_assert_str_eq(e.slug, "template_version");
    /* only five wrong columns are listed */
    trow_init(&t, 1);
    for (int c = 0; c < 20; c++)
        trow_set(&t, c, "x", CORE_CELL_TEXT, 0);
    app_err_clear(&e);
    ck_assert_int_eq(core_import_header(&t.row, &m, &e), APP_EINVAL);
    ck_assert_int_eq(e.nitems, 5);
}
END_TEST

static void
map_of(core_import_map *m)
{
    trow t;
    app_err e = {0};
    header(&t);
    ck_assert_int_eq(core_import_header(&t.row, m, &e), 0);
}

START_TEST(test_row_normalisation)
{
    core_import_map m;
    map_of(&m);
    app_arena *a = app_arena_new();
    trow t;
    trow_init(&t, 2);
    trow_set(&t, col("name", 0), "\xC2\xA0张三 ", CORE_CELL_TEXT, 0);
    trow_set(&t, col("gender", 0), "1 男", CORE_CELL_TEXT, 0);
    trow_set(&t, col("ethnicity", 0), "蒙古族", CORE_CELL_TEXT, 0);
    trow_set(&t, col("birth_date", 0), "42614", CORE_CELL_NUMBER, 0); /* Excel serial */
    trow_set(&t, col("id_number", 0),
             "\xEF\xBC\x94\xEF\xBC\x93"
             "0102201609012345x",
             CORE_CELL_TEXT, 0);
    trow_set(&t, col("enrolled_month", 0), "2022年9月1日", CORE_CELL_TEXT, 0);
    trow_set(&t, col("phone", 1), "13700000000", CORE_CELL_NUMBER, 0);
    trow_set(&t, col("grade", 0), "13", CORE_CELL_NUMBER, 0);
    core_record r;
    int empty = 1;
    app_err e = {0};
    ck_assert_int_eq(core_import_row(codes, &m, &t.row, a, &r, &empty, &e), 0);
    ck_assert_int_eq(empty, 0);
    ck_assert_str_eq(r.v[CORE_R_NAME], "张三");
    ck_assert_str_eq(r.v[CORE_R_GENDER], "1");
    ck_assert_str_eq(r.v[core_field_index(0, "ethnicity")], "02");
    ck_assert_str_eq(r.v[CORE_R_BIRTH_DATE], "2016-09-01");
    ck_assert_str_eq(r.v[CORE_R_ID_NUMBER], "430102201609012345X");
    ck_assert_str_eq(r.v[CORE_R_ENROLLED_MONTH], "202209");
    ck_assert_str_eq(r.v[CORE_R_F1 + CORE_M_PHONE], "13700000000");
    ck_assert_str_eq(r.v[CORE_R_GRADE], "13");
    ck_assert_ptr_null(r.v[CORE_R_PHONE]);
    /* other date spellings */
    static const char *const dates[] = {"2016/9/1", "2016.9.1",     "2016-9-1",
                                        "20160901", "2016年9月1日", "２０１６-09-01"};
    for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
        trow_init(&t, 3);
        trow_set(&t, col("birth_date", 0), dates[i], CORE_CELL_TEXT, 0);
        ck_assert_int_eq(core_import_row(codes, &m, &t.row, a, &r, &empty, &e), 0);
        ck_assert_msg(strcmp(r.v[CORE_R_BIRTH_DATE], "2016-09-01") == 0, "%s -> %s", dates[i],
                      r.v[CORE_R_BIRTH_DATE]);
    }
    /* serial dates around Excel's phantom 1900-02-29 */
    trow_init(&t, 3);
    trow_set(&t, col("birth_date", 0), "61", CORE_CELL_NUMBER, 0);
    ck_assert_int_eq(core_import_row(codes, &m, &t.row, a, &r, &empty, &e), 0);
    ck_assert_str_eq(r.v[CORE_R_BIRTH_DATE], "1900-03-01");
    trow_set(&t, col("birth_date", 0), "36526", CORE_CELL_NUMBER, 0);
    ck_assert_int_eq(core_import_row(codes, &m, &t.row, a, &r, &empty, &e), 0);
    ck_assert_str_eq(r.v[CORE_R_BIRTH_DATE], "2000-01-01");
    /* an unknown code is left for validation to name */
    trow_set(&t, col("gender", 0), "9", CORE_CELL_TEXT, 0);
    ck_assert_int_eq(core_import_row(codes, &m, &t.row, a, &r, &empty, &e), 0);
    ck_assert_str_eq(r.v[CORE_R_GENDER], "9");
    app_arena_free(a);
}
END_TEST

/*
 * What number cell `serial` in the birth date column becomes in a workbook of
 * date system `date1904`: the date, or the text as typed when it is no date
 * (validation then names it).
 */
static const char *
serial_as_date(const core_import_map *m, app_arena *a, const char *serial, int date1904)
{
    trow t;
    core_record r;
    int empty = 1;
    app_err e = {0};
    trow_init(&t, 2);
    t.row.date1904 = date1904;
    trow_set(&t, col("birth_date", 0), serial, CORE_CELL_NUMBER, 0);
    ck_assert_int_eq(core_import_row(codes, m, &t.row, a, &r, &empty, &e), 0);
    return r.v[CORE_R_BIRTH_DATE];
}

START_TEST(test_serial_dates)
{
    static const struct {
        int date1904;
        const char *serial, *date;
    } rows[] = {
        /* 1900: serial 1 is 1900-01-01; 60 is Excel's phantom 1900-02-29, read as
           the next day like 61 (as before the 1904 system was known) */
        {0, "1", "1900-01-01"},
        {0, "59", "1900-02-28"},
        {0, "60", "1900-03-01"},
        {0, "61", "1900-03-01"},
        {0, "1462", "1904-01-01"},
        {0, "43586", "2019-05-01"},
        {0, "43586.75", "2019-05-01"}, /* a time of day is dropped */
        {0, "2958465", "9999-12-31"},
        {0, "0", "0"}, /* before the first day: not a date */
        {0, "2958466", "2958466"},
        /* 1904: serial 0 is 1904-01-01, every day 1462 less than in 1900 */
        {1, "0", "1904-01-01"},
        {1, "1", "1904-01-02"},
        {1, "59", "1904-02-29"}, /* 1904 is a leap year, really */
        {1, "1462", "1908-01-02"},
        {1, "42124", "2019-05-01"},
        {1, "42124.75", "2019-05-01"},
        {1, "2957003", "9999-12-31"},
        {1, "-1", "-1"},
        {1, "2957004", "2957004"},
        /* not a number at all (a hostile file): left as it is */
        {0, "nan", "nan"},
        {1, "nan", "nan"},
    };
    core_import_map m;
    map_of(&m);
    app_arena *a = app_arena_new();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const char *got = serial_as_date(&m, a, rows[i].serial, rows[i].date1904);
        ck_assert_msg(got != NULL && strcmp(got, rows[i].date) == 0, "%s (%s): %s", rows[i].serial,
                      rows[i].date1904 ? "1904" : "1900", got ? got : "NULL");
    }

    /* a month column likewise: 2018-09-01 */
    trow t;
    core_record r;
    int empty = 1;
    app_err e = {0};
    trow_init(&t, 2);
    trow_set(&t, col("enrolled_month", 0), "43344", CORE_CELL_NUMBER, 0);
    ck_assert_int_eq(core_import_row(codes, &m, &t.row, a, &r, &empty, &e), 0);
    ck_assert_str_eq(r.v[CORE_R_ENROLLED_MONTH], "201809");
    t.row.date1904 = 1;
    trow_set(&t, col("enrolled_month", 0), "41882", CORE_CELL_NUMBER, 0);
    ck_assert_int_eq(core_import_row(codes, &m, &t.row, a, &r, &empty, &e), 0);
    ck_assert_str_eq(r.v[CORE_R_ENROLLED_MONTH], "201809");
    /* the date system is about serial numbers only: typed dates are as typed */
    trow_set(&t, col("birth_date", 0), "2019-05-01", CORE_CELL_TEXT, 0);
    trow_set(&t, col("enrolled_month", 0), "201809", CORE_CELL_TEXT, 0);
    ck_assert_int_eq(core_import_row(codes, &m, &t.row, a, &r, &empty, &e), 0);
    ck_assert_str_eq(r.v[CORE_R_BIRTH_DATE], "2019-05-01");
    ck_assert_str_eq(r.v[CORE_R_ENROLLED_MONTH], "201809");
    app_arena_free(a);
}
END_TEST

/* ---- workbooks ---- */

/* Column `col` of every row of a workbook, as the reader hands it over. */
#define GRAB_ROWS 8
typedef struct grab {
    int col, nrows, date1904;
    long row[GRAB_ROWS];
    char s[GRAB_ROWS][32];
    core_cell_type type[GRAB_ROWS];
} grab;

static int
grab_row(void *ctx, const fmt_sheet_row *r, app_err *err)
{
    grab *g = ctx;
    (void)err;
    ck_assert_int_lt(g->nrows, GRAB_ROWS);
    int k = g->nrows++;
    g->row[k] = r->row;
    g->date1904 = r->date1904;
    if ((size_t)g->col < r->ncells) {
        snprintf(g->s[k], sizeof(g->s[k]), "%s", r->cells[g->col].s);
        g->type[k] = r->cells[g->col].type;
    }
    return 0;
}

/* Read workbook x[0..n) (first sheet), keeping column `col`. */
static void
grab_read(const unsigned char *x, size_t n, int col, grab *g)
{
    app_err e = {0};
    memset(g, 0, sizeof(*g));
    g->col = col;
    ck_assert_int_eq(fmt_xlsx_read(x, n, NULL, NULL, grab_row, g, &e), 0);
}

/* Row k of g as the birth date of an import row: the date it becomes. */
static const char *
grabbed_date(const grab *g, int k, const core_import_map *m, app_arena *a)
{
    ck_assert_int_eq(g->type[k], CORE_CELL_NUMBER);
    return serial_as_date(m, a, g->s[k], g->date1904);
}

/*
 * 2019-05-01 typed as a date in LibreOffice, saved once in the 1900 date
 * system (libreoffice.xlsx, D3) and once in the 1904 system
 * (libreoffice-1904.xlsx, D2): two serial numbers, one date.
 */
START_TEST(test_serial_dates_from_files)
{
    core_import_map m;
    map_of(&m);
    app_arena *a = app_arena_new();
    size_t n;
    grab g;

    unsigned char *x = fixture("libreoffice.xlsx", &n);
    grab_read(x, n, 3, &g);
    free(x);
    ck_assert_int_eq(g.date1904, 0);
    ck_assert_int_eq(g.row[2], 3);
    ck_assert_str_eq(g.s[2], "43586");
    ck_assert_str_eq(grabbed_date(&g, 2, &m, a), "2019-05-01");

    x = fixture("libreoffice-1904.xlsx", &n);
    grab_read(x, n, 3, &g);
    free(x);
    ck_assert_int_eq(g.date1904, 1);
    ck_assert_int_eq(g.nrows, 5);
    ck_assert_str_eq(g.s[1], "42124");
    ck_assert_str_eq(grabbed_date(&g, 1, &m, a), "2019-05-01");
    ck_assert_str_eq(grabbed_date(&g, 2, &m, a), "1904-01-01"); /* serial 0 */
    ck_assert_str_eq(grabbed_date(&g, 3, &m, a), "1904-01-02"); /* serial 1 */
    ck_assert_str_eq(grabbed_date(&g, 4, &m, a), "2019-05-01"); /* 42124.75: 18:00 */
    app_arena_free(a);
}
END_TEST

/*
 * An upload in the template's columns: a header, then row 2 with a name and
 * the number cells `birth` (出生日期) and `month` (入学年月); with
 * <workbookPr date1904="1"/> when `date1904`. Made part by part with
 * formats/zip.h: our xlsx writer writes text cells only.
 */
static unsigned char *
upload(int date1904, const char *birth, const char *month, size_t *n)
{
    char cb[4], cm[4], sheet[1024], wb[512];
    fmt_sheet_col_name(col("birth_date", 0), cb);
    fmt_sheet_col_name(col("enrolled_month", 0), cm);
    snprintf(sheet, sizeof(sheet),
             "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
             "<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>姓名</t></is></c></row>"
             "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>李四</t></is></c>"
             "<c r=\"%s2\" s=\"1\"><v>%s</v></c><c r=\"%s2\" s=\"1\"><v>%s</v></c></row>"
             "</sheetData></worksheet>",
             cb, birth, cm, month);
    snprintf(wb, sizeof(wb),
             "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
             "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
             "%s<sheets><sheet name=\"学生信息\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
             date1904 ? "<workbookPr date1904=\"1\"/>" : "");
    static const char rels[] =
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";
    static const char wbrels[] =
        "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
        "relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>";
    const char *parts[][2] = {
        {"[Content_Types].xml", "<Types/>"},
        {"_rels/.rels", rels},
        {"xl/workbook.xml", wb},
        {"xl/_rels/workbook.xml.rels", wbrels},
        {"xl/worksheets/sheet1.xml", sheet},
    };
    fmt_zip_writer *w = fmt_zip_writer_new();
    app_err e = {0};
    unsigned char *out;
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        ck_assert_int_eq(fmt_zip_writer_add(w, parts[i][0], parts[i][1], strlen(parts[i][1]), &e),
                         0);
    ck_assert_int_eq(fmt_zip_writer_finish(w, &out, n, &e), 0);
    fmt_zip_writer_free(w);
    return out;
}

/*
 * The errors file writes a rejected row's serial dates as the dates the
 * import read in them (every cell of it is text), in the upload's date
 * system; and the import reads the same upload the same way.
 */
START_TEST(test_errors_file_date_system)
{
    static const struct {
        int date1904;
        const char *birth, *month;
    } books[] = {{0, "43586", "43344"}, {1, "42124", "41882"}};
    core_import_map m;
    map_of(&m);
    int cb = col("birth_date", 0), cm = col("enrolled_month", 0);
    for (size_t i = 0; i < sizeof(books) / sizeof(books[0]); i++) {
        size_t n, on;
        unsigned char *x = upload(books[i].date1904, books[i].birth, books[i].month, &n), *out;
        grab g;
        grab_read(x, n, cb, &g);
        ck_assert_int_eq(g.date1904, books[i].date1904);

        core_import_rowmsg msg = {2, "出生日期有误"};
        long rows = 0;
        app_err e = {0};
        ck_assert_int_eq(core_import_errors_xlsx("xlsx", x, n, &msg, 1, 0, &out, &on, &rows, &e),
                         0);
        ck_assert_int_eq(rows, 1);
        grab_read(out, on, cb, &g);
        ck_assert_int_eq(g.date1904, 0); /* the errors file is text: no date system to carry */
        ck_assert_int_eq(g.nrows, 2);
        ck_assert_str_eq(g.s[1], "2019-05-01");
        ck_assert_int_eq(g.type[1], CORE_CELL_TEXT);
        grab_read(out, on, cm, &g);
        ck_assert_str_eq(g.s[1], "201809");
        free(out);
        free(x);
    }
}
END_TEST

START_TEST(test_row_errors)
{
    core_import_map m;
    map_of(&m);
    app_arena *a = app_arena_new();
    trow t;
    trow_init(&t, 4);
    trow_set(&t, col("id_number", 0), "4.30102201609012E+17", CORE_CELL_NUMBER,
             CORE_CELL_F_LOST_DIGITS);
    trow_set(&t, col("distance_km", 0), "1.5公里", CORE_CELL_TEXT, 0);
    trow_set(&t, col("id_number", 2), "430102201609012345", CORE_CELL_TEXT, 0);
    core_record r;
    int empty = 0;
    app_err e = {0};
    ck_assert_int_eq(core_import_row(codes, &m, &t.row, a, &r, &empty, &e), APP_EINVAL);
    ck_assert_int_eq(e.nitems, 2);
    ck_assert_str_eq(e.items[0].field, "/id_number");
    ck_assert_str_eq(e.items[0].code, "number_lost_digits");
    ck_assert_str_eq(e.items[1].field, "/distance_km");
    ck_assert_str_eq(e.items[1].code, "distance_with_unit");
    /* the other cells are still read */
    ck_assert_str_eq(r.v[CORE_R_F2 + CORE_M_ID_NUMBER], "430102201609012345");
    /* a row of blanks is empty, and the separator column's content is ignored */
    trow_init(&t, 5);
    trow_set(&t, 0, "  ", CORE_CELL_TEXT, 0);
    trow_set(&t, col("name", 1) - 1, "x", CORE_CELL_TEXT, 0);
    app_err_clear(&e);
    ck_assert_int_eq(core_import_row(codes, &m, &t.row, a, &r, &empty, &e), 0);
    ck_assert_int_eq(empty, 1);
    app_arena_free(a);
}
END_TEST

START_TEST(test_template_file)
{
    unsigned char *x = NULL;
    size_t n = 0;
    app_err e = {0};
    ck_assert_int_eq(core_template_xlsx(codes, &x, &n, &e), 0);
    ck_assert_int_gt(n, 1000);
    ck_assert_int_eq(memcmp(x, "PK\x03\x04", 4), 0);
    free(x);
}
END_TEST

static Suite *
import_suite(void)
{
    Suite *s = suite_create("import");
    TCase *tc = tcase_create("template");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_columns);
    tcase_add_test(tc, test_header);
    tcase_add_test(tc, test_row_normalisation);
    tcase_add_test(tc, test_serial_dates);
    tcase_add_test(tc, test_serial_dates_from_files);
    tcase_add_test(tc, test_errors_file_date_system);
    tcase_add_test(tc, test_row_errors);
    tcase_add_test(tc, test_template_file);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(import_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
