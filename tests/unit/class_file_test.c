/*
 * tests/unit/class_file_test.c - the class assignment file's header check and
 * rows (core/class_file.h), without a database.
 */
#include "core/class_file.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

typedef struct row_buf {
    core_cell cells[CORE_CF_NCOLS + 2];
    fmt_sheet_row row;
} row_buf;

/* A row of `n` text cells. */
static const fmt_sheet_row *
mkrow(row_buf *b, const char *const *v, int n)
{
    memset(b, 0, sizeof(*b));
    for (int i = 0; i < n; i++) {
        b->cells[i].s = v[i];
        b->cells[i].len = strlen(v[i]);
        b->cells[i].type = v[i][0] ? CORE_CELL_TEXT : CORE_CELL_EMPTY;
    }
    b->row.row = 2;
    b->row.ncells = (size_t)n;
    b->row.cells = b->cells;
    return &b->row;
}

START_TEST(test_header)
{
    const char *t[CORE_CF_NCOLS];
    for (int c = 0; c < CORE_CF_NCOLS; c++)
        t[c] = core_class_file_title(c);
    row_buf b;
    app_err e = {0};
    ck_assert_int_eq(core_class_file_header(mkrow(&b, t, CORE_CF_NCOLS), &e), 0);
    /* without the version column (a CSV) */
    ck_assert_int_eq(core_class_file_header(mkrow(&b, t, CORE_CF_VERSION), &e), 0);
    /* another version */
    const char *v2[CORE_CF_NCOLS];
    memcpy(v2, t, sizeof(v2));
    v2[CORE_CF_VERSION] = "模板版本:xueji-classes-0";
    ck_assert_int_eq(core_class_file_header(mkrow(&b, v2, CORE_CF_NCOLS), &e), APP_EINVAL);
    ck_assert_str_eq(e.slug, "template_version");
    /* a renamed column: its letter and what belongs there */
    app_err e2 = {0};
    memcpy(v2, t, sizeof(v2));
    v2[CORE_CF_NAME] = "名字";
    ck_assert_int_eq(core_class_file_header(mkrow(&b, v2, CORE_CF_NCOLS), &e2), APP_EINVAL);
    ck_assert_int_eq(e2.nitems, 1);
    ck_assert_str_eq(e2.items[0].field, "C");
    ck_assert_str_eq(e2.items[0].code, "template_mismatch");
    ck_assert_str_eq(e2.items[0].param, "姓名");
    /* the student template is not the class file */
    app_err e3 = {0};
    const char *st[] = {"姓名", "性别", "出生日期"};
    ck_assert_int_eq(core_class_file_header(mkrow(&b, st, 3), &e3), APP_EINVAL);
    ck_assert_int_ge(e3.nitems, 3);
}
END_TEST

START_TEST(test_rows)
{
    row_buf b;
    app_arena *a = app_arena_new();
    core_class_row r;
    int empty = 0;
    app_err e = {0};
    const char *ok[] = {"42", "G1234****", "张三", "五年级", "五年级(1)班", "五年级(3)班"};
    ck_assert_int_eq(core_class_file_row(mkrow(&b, ok, 6), a, &r, &empty, &e), 0);
    ck_assert_int_eq(empty, 0);
    ck_assert_int_eq(r.id, 42);
    ck_assert_str_eq(r.name, "张三");
    ck_assert_int_eq(r.grade, 15);
    ck_assert_int_eq(r.new_class, 3);
    /* blanks around cells, the grade by code, an empty new class */
    const char *stay[] = {" 42 ", "", "张三　", "15", "", ""};
    ck_assert_int_eq(core_class_file_row(mkrow(&b, stay, 6), a, &r, &empty, &e), 0);
    ck_assert_int_eq(r.id, 42);
    ck_assert_str_eq(r.name, "张三");
    ck_assert_int_eq(r.grade, 15);
    ck_assert_int_eq(r.new_class, 0);
    /* an empty row */
    const char *none[] = {"", "", "", "", "", "", ""};
    ck_assert_int_eq(core_class_file_row(mkrow(&b, none, 7), a, &r, &empty, &e), 0);
    ck_assert_int_eq(empty, 1);
    /* every error of a row at once */
    const char *bad[] = {"x1", "", "", "七年级", "", "五年级3班"};
    ck_assert_int_eq(core_class_file_row(mkrow(&b, bad, 6), a, &r, &empty, &e), APP_EINVAL);
    ck_assert_int_eq(e.nitems, 4);
    ck_assert_str_eq(e.items[0].code, "invalid_record_id");
    ck_assert_str_eq(e.items[1].code, "missing_field");
    ck_assert_str_eq(e.items[1].field, "/name");
    ck_assert_str_eq(e.items[2].code, "invalid_grade");
    ck_assert_str_eq(e.items[3].code, "invalid_class_cell");
    ck_assert_str_eq(e.items[3].param, "五年级3班");
    /* a class of another grade */
    app_err e2 = {0};
    const char *other[] = {"42", "", "张三", "五年级", "", "四年级(1)班"};
    ck_assert_int_eq(core_class_file_row(mkrow(&b, other, 6), a, &r, &empty, &e2), APP_EINVAL);
    ck_assert_int_eq(e2.nitems, 1);
    ck_assert_str_eq(e2.items[0].code, "class_wrong_grade");
    ck_assert_str_eq(e2.items[0].field, "/class");
    app_arena_free(a);
}
END_TEST

START_TEST(test_columns)
{
    ck_assert_int_eq(core_class_file_column_of("/id"), CORE_CF_ID);
    ck_assert_int_eq(core_class_file_column_of("/class"), CORE_CF_NEW_CLASS);
    ck_assert_int_eq(core_class_file_column_of("/grade"), CORE_CF_GRADE);
    ck_assert_int_eq(core_class_file_column_of("/phone"), -1);
    ck_assert_int_eq(core_class_file_column_of(NULL), -1);
    ck_assert_str_eq(core_class_file_title(CORE_CF_NEW_CLASS), "新班级");
    ck_assert_str_eq(core_class_file_title(CORE_CF_NCOLS), "");
    fmt_xlsx_col c;
    core_class_file_col(CORE_CF_VERSION, &c);
    ck_assert(c.hidden);
    core_class_file_col(CORE_CF_NAME, &c);
    ck_assert(!c.hidden);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("class_file");
    TCase *tc = tcase_create("class_file");
    tcase_add_test(tc, test_header);
    tcase_add_test(tc, test_rows);
    tcase_add_test(tc, test_columns);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
