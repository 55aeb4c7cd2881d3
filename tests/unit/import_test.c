/*
 * tests/unit/import_test.c - the template's columns, the header check and
 * the reading of a row (core/import.h): what a clerk's spreadsheet habits
 * turn into.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/import.h"

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
    core_sheet_row row;
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
    trow_set(&t, col("id_number", 0), "\xEF\xBC\x94\xEF\xBC\x93" "0102201609012345x",
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
    static const char *const dates[] = {"2016/9/1", "2016.9.1", "2016-9-1", "20160901",
                                        "2016年9月1日", "２０１６-09-01"};
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
