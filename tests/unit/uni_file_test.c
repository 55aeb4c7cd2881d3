/*
 * tests/unit/uni_file_test.c - the university student file (core/uni_file.h):
 * its header check and the reading of a row (cohort, class, level and date
 * cells, Excel serial dates of both date systems), and which column a row
 * error's field names.
 */
#include "core/uni_file.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static core_codes *codes;

static void
setup(void)
{
    codes = core_codes_new();
    core_codes_add(codes, "gender", "1", "男");
    core_codes_add(codes, "gender", "2", "女");
    core_codes_add(codes, "ethnicity", "01", "汉族");
    core_codes_add(codes, "nationality", "CHN", "中国");
    core_codes_add(codes, "id_type", "1", "居民身份证");
    core_codes_seal(codes);
}

static void
teardown(void)
{
    core_codes_free(codes);
}

/* A row of CORE_UF_NCOLS cells from strings (NULL: empty); `number`: those
   columns hold numbers (Excel serial dates). */
typedef struct trow {
    core_cell c[CORE_UF_NCOLS];
    fmt_sheet_row r;
} trow;

static const fmt_sheet_row *
mkrow(trow *t, const char *const *v, int number_col, int date1904)
{
    memset(t, 0, sizeof(*t));
    for (int i = 0; i < CORE_UF_NCOLS; i++) {
        t->c[i].s = v[i] ? v[i] : "";
        t->c[i].len = strlen(t->c[i].s);
        t->c[i].type = !v[i]             ? CORE_CELL_EMPTY
                       : i == number_col ? CORE_CELL_NUMBER
                                         : CORE_CELL_TEXT;
    }
    t->r.row = 2;
    t->r.ncells = CORE_UF_NCOLS;
    t->r.cells = t->c;
    t->r.date1904 = date1904;
    return &t->r;
}

static const char *good[CORE_UF_NCOLS] = {
    "20250101", "张三",     "男",     "2007-03-07", "汉族", "中国",       "1", "410102200703071234",
    "01",       "数学学院", "2025级", "3班",        "本科", "2025-09-01", "",  NULL};

START_TEST(test_header)
{
    trow t;
    app_err e = {0};
    const char *h[CORE_UF_NCOLS];
    for (int c = 0; c < CORE_UF_NCOLS; c++)
        h[c] = core_uni_file_title(c);
    ck_assert_int_eq(core_uni_file_header(mkrow(&t, h, -1, 0), &e), 0);
    /* a CSV without the version column */
    h[CORE_UF_VERSION] = NULL;
    ck_assert_int_eq(core_uni_file_header(mkrow(&t, h, -1, 0), &e), 0);
    /* two columns swapped: both named, with what belongs there */
    h[CORE_UF_COLLEGE] = "专业";
    h[CORE_UF_MAJOR] = "学院";
    ck_assert_int_eq(core_uni_file_header(mkrow(&t, h, -1, 0), &e), APP_EINVAL);
    ck_assert_int_eq(e.nitems, 2);
    ck_assert_str_eq(e.items[0].field, "I");
    ck_assert_str_eq(e.items[0].code, "template_mismatch");
    ck_assert_str_eq(e.items[0].param, "学院");
    /* another version of the file */
    memset(&e, 0, sizeof(e));
    h[CORE_UF_COLLEGE] = "学院";
    h[CORE_UF_MAJOR] = "专业";
    h[CORE_UF_VERSION] = "模板版本:xueji-uni-students-0";
    ck_assert_int_eq(core_uni_file_header(mkrow(&t, h, -1, 0), &e), APP_EINVAL);
    ck_assert_str_eq(e.slug, "template_version");
}
END_TEST

START_TEST(test_row)
{
    trow t;
    app_err e = {0};
    app_arena *a = app_arena_new();
    core_uni_row u;
    int empty = 1;
    ck_assert_int_eq(core_uni_file_row(codes, mkrow(&t, good, -1, 0), a, &u, &empty, &e), 0);
    ck_assert_int_eq(empty, 0);
    ck_assert_str_eq(u.student_no, "20250101");
    ck_assert_str_eq(u.rec.v[CORE_R_NAME], "张三");
    ck_assert_str_eq(u.rec.v[CORE_R_GENDER], "1");
    ck_assert_str_eq(u.rec.v[CORE_R_ID_TYPE], "1");
    ck_assert_str_eq(u.college, "01");
    ck_assert_str_eq(u.major, "数学学院");
    ck_assert_int_eq(u.cohort, 2025);
    ck_assert_int_eq(u.class_no, 3);
    ck_assert_str_eq(u.level, "本科");
    ck_assert_int_eq(u.entry_date, 20250901);
    ck_assert_int_eq(u.graduation, 0);
    /* an Excel serial date, in either date system */
    const char *v[CORE_UF_NCOLS];
    memcpy(v, good, sizeof(v));
    v[CORE_UF_ENTRY_DATE] = "45906";
    ck_assert_int_eq(
        core_uni_file_row(codes, mkrow(&t, v, CORE_UF_ENTRY_DATE, 0), a, &u, &empty, &e), 0);
    ck_assert_int_eq(u.entry_date, 20250906);
    v[CORE_UF_ENTRY_DATE] = "44444";
    ck_assert_int_eq(
        core_uni_file_row(codes, mkrow(&t, v, CORE_UF_ENTRY_DATE, 1), a, &u, &empty, &e), 0);
    ck_assert_int_eq(u.entry_date, 20250906);
    v[CORE_UF_ENTRY_DATE] = "20250906";
    v[CORE_UF_COHORT] = "2025";
    v[CORE_UF_CLASS] = "12";
    ck_assert_int_eq(core_uni_file_row(codes, mkrow(&t, v, -1, 0), a, &u, &empty, &e), 0);
    ck_assert_int_eq(u.entry_date, 20250906);
    ck_assert_int_eq(u.cohort, 2025);
    ck_assert_int_eq(u.class_no, 12);
    /* an empty row */
    const char *none[CORE_UF_NCOLS] = {0};
    ck_assert_int_eq(core_uni_file_row(codes, mkrow(&t, none, -1, 0), a, &u, &empty, &e), 0);
    ck_assert_int_eq(empty, 1);
    app_arena_free(a);
}
END_TEST

START_TEST(test_row_errors)
{
    trow t;
    app_err e = {0};
    app_arena *a = app_arena_new();
    core_uni_row u;
    int empty = 0;
    const char *v[CORE_UF_NCOLS];
    memcpy(v, good, sizeof(v));
    v[CORE_UF_STUDENT_NO] = NULL;
    v[CORE_UF_COHORT] = "25级";
    v[CORE_UF_CLASS] = "三班";
    v[CORE_UF_LEVEL] = "硕士";
    v[CORE_UF_ENTRY_DATE] = "2025-02-30";
    v[CORE_UF_GRADUATION] = "明年";
    v[CORE_UF_MAJOR] = NULL;
    ck_assert_int_eq(core_uni_file_row(codes, mkrow(&t, v, -1, 0), a, &u, &empty, &e), APP_EINVAL);
    static const char *const want[][2] = {{"/student_no", "missing_field"},
                                          {"/major", "missing_field"},
                                          {"/cohort", "invalid_cohort"},
                                          {"/class", "invalid_class_number"},
                                          {"/level", "invalid_level"},
                                          {"/entry_date", "invalid_date"},
                                          {"/expected_graduation", "invalid_date"}};
    int n = (int)(sizeof(want) / sizeof(want[0]));
    ck_assert_int_eq(e.nitems, n);
    for (int i = 0; i < n; i++) {
        ck_assert_str_eq(e.items[i].field, want[i][0]);
        ck_assert_str_eq(e.items[i].code, want[i][1]);
        ck_assert_int_eq(core_uni_file_column_of(want[i][0]) >= 0, 1);
    }
    ck_assert_int_eq(core_uni_file_column_of("/id_number"), CORE_UF_ID_NUMBER);
    ck_assert_int_eq(core_uni_file_column_of("/class_id"), CORE_UF_CLASS);
    ck_assert_int_eq(core_uni_file_column_of("/phone"), -1);
    app_arena_free(a);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("uni-file");
    TCase *tc = tcase_create("uni-file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_header);
    tcase_add_test(tc, test_row);
    tcase_add_test(tc, test_row_errors);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
