/*
 * tests/unit/problem_has_record_test.c - the wording of student_has_record
 * (a record in any state holds the G number a registration would get): 409,
 * the holding school named or masked to its county as duplicate_enrolled
 * does, and the record's state, in Chinese and English; also as an import
 * row's message (api_problem_message).
 */
#include "api/api.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_status_and_wording)
{
    app_arena *a = app_arena_new();
    app_err e = {0};
    app_err_set(&e, APP_ECONFLICT, "student_has_record", "held by 7");
    ck_assert_int_eq(api_problem_status(&e), 409);
    const char *named =
        api_problem_message(a, "student_has_record", "芙蓉第一小学（2143019401）|毕业", 0);
    ck_assert_ptr_nonnull(strstr(named, "学籍在 芙蓉第一小学（2143019401）（毕业）"));
    ck_assert_ptr_null(strchr(named, '|'));
    const char *masked = api_problem_message(a, "student_has_record", "@芙蓉区|结业", 0);
    ck_assert_ptr_nonnull(strstr(masked, "学籍在芙蓉区的一所学校（结业）"));
    ck_assert_ptr_null(strchr(masked, '@'));
    const char *en = api_problem_message(a, "student_has_record", "@芙蓉区|毕业", 1);
    ck_assert_ptr_nonnull(strstr(en, "held at a school in 芙蓉区 (毕业)"));
    /* no param: the title alone */
    const char *bare = api_problem_message(a, "student_has_record", "", 0);
    ck_assert_ptr_nonnull(strstr(bare, "已有学籍记录"));
    app_arena_free(a);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("problem-has-record");
    TCase *tc = tcase_create("wording");
    tcase_add_test(tc, test_status_and_wording);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
