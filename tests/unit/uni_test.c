/*
 * tests/unit/uni_test.c - the pure parts of universities: teaching weeks,
 * terms, university school categories and grades, the offices and the
 * state mapping (docs/decisions/0032).
 */
#include "core/grade.h"
#include "core/jurisdiction.h"
#include "core/schoolcode.h"
#include "core/uni.h"
#include "core/uni_calendar.h"

#include <check.h>
#include <string.h>

/* 2025-09-03 is a Wednesday: week 1 is Monday 09-01 .. Sunday 09-07. */
static const struct {
    int first, date, week;
} weeks[] = {
    {20250903, 20250903, 1},  /* the first class */
    {20250903, 20250907, 1},  /* the Sunday after it */
    {20250903, 20250908, 2},  /* the next Monday */
    {20250903, 20250902, 0},  /* before the first class, same calendar week */
    {20250903, 20250101, 0},  /* long before */
    {20250901, 20250901, 1},  /* a term starting on a Monday */
    {20250901, 20250914, 2},  /* its second Sunday */
    {20250901, 20250915, 3},  /* its third Monday */
    {20250907, 20250907, 1},  /* starting on a Sunday: week 1 is that one day */
    {20250907, 20250908, 2},  /* and the Monday after is week 2 */
    {20260223, 20260302, 2},  /* spring term */
    {20260223, 20260719, 21}, /* past a 20-week term: counts on */
    {20240226, 20240301, 1},  /* over a leap day: Mon 02-26 .. Sun 03-03 */
    {20240226, 20240304, 2},  {20251229, 20260105, 2}, /* over a year's end */
    {20250230, 20250301, -1},                          /* no such first day */
    {20250903, 20251301, -1},                          /* no such date */
    {0, 20250903, -1},
};

START_TEST(test_teaching_week)
{
    ck_assert_msg(core_teaching_week(weeks[_i].first, weeks[_i].date) == weeks[_i].week,
                  "first %d date %d: %d, want %d", weeks[_i].first, weeks[_i].date,
                  core_teaching_week(weeks[_i].first, weeks[_i].date), weeks[_i].week);
}
END_TEST

/* Every day of a long span: the week goes up by one exactly on Mondays. */
START_TEST(test_teaching_week_mondays)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int prev = core_teaching_week(20250903, 20250903), wd = 3; /* Wednesday */
    for (int y = 2025; y <= 2026; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= mdays[m - 1]; d++) {
                int date = y * 10000 + m * 100 + d;
                if (date <= 20250903)
                    continue;
                wd = wd % 7 + 1; /* 1 Monday .. 7 Sunday */
                int w = core_teaching_week(20250903, date);
                ck_assert_int_eq(w, wd == 1 ? prev + 1 : prev);
                prev = w;
            }
}
END_TEST

START_TEST(test_terms)
{
    ck_assert(core_uni_term_valid("2025-1"));
    ck_assert(core_uni_term_valid("2025-2"));
    ck_assert(!core_uni_term_valid("2025-3"));
    ck_assert(!core_uni_term_valid("2025-"));
    ck_assert(!core_uni_term_valid("25-1"));
    ck_assert(!core_uni_term_valid("1949-1"));
    ck_assert(!core_uni_term_valid("2025/1"));
    ck_assert(!core_uni_term_valid(NULL));
}
END_TEST

START_TEST(test_university_schools)
{
    core_school_code c;
    ck_assert_int_eq(core_school_code_parse("4141010459", 10, &c, NULL), 0);
    ck_assert_int_eq(c.category, 41);
    ck_assert(core_school_is_university(41));
    ck_assert(core_school_is_university(42));
    ck_assert(!core_school_is_university(34));
    ck_assert_str_eq(core_school_category_label(41), "普通高等学校");
    /* a university teaches no K-12 grade; its class rows have grade code 40 */
    for (int g = 0; g <= 40; g++)
        ck_assert(!core_grade_fits_school(41, "63", g));
    ck_assert(!core_grade_valid(CORE_GRADE_UNIVERSITY));
}
END_TEST

START_TEST(test_offices)
{
    static const char *const names[] = {
        "college_office", "teaching_vice_dean", "dean",
        "course_teacher", "registrar_section",  "registrar_deputy_head",
        "registrar_head", "vice_president",     "student_affairs",
        "admissions",
    };
    for (int i = 0; i < 10; i++) {
        core_staff_role r = core_staff_role_from_name(names[i]);
        ck_assert_int_eq(r, CORE_STAFF_COLLEGE_OFFICE + i);
        ck_assert_str_eq(core_staff_role_name(r), names[i]);
        ck_assert(core_staff_role_university(r));
        ck_assert_int_eq(core_staff_role_college_scoped(r), i < 4);
        ck_assert_ptr_nonnull(core_staff_role_label(r));
    }
    ck_assert(!core_staff_role_university(CORE_STAFF_REGISTRAR));
    ck_assert_str_eq(core_staff_role_label(CORE_STAFF_REGISTRAR_HEAD), "教务处处长");

    core_actor vd = {.user_id = 7,
                     .level = CORE_LEVEL_SCHOOL,
                     .org = "4141010459",
                     .staff_role = CORE_STAFF_TEACHING_VICE_DEAN,
                     .college = 3};
    ck_assert(core_uni_actor_holds(&vd, "4141010459", CORE_STAFF_TEACHING_VICE_DEAN, 3));
    ck_assert(!core_uni_actor_holds(&vd, "4141010459", CORE_STAFF_TEACHING_VICE_DEAN, 4));
    ck_assert(!core_uni_actor_holds(&vd, "4141010459", CORE_STAFF_DEAN, 3));
    ck_assert(!core_uni_actor_holds(&vd, "4141010460", CORE_STAFF_TEACHING_VICE_DEAN, 3));
    core_actor head = {.user_id = 8,
                       .level = CORE_LEVEL_SCHOOL,
                       .org = "4141010459",
                       .staff_role = CORE_STAFF_REGISTRAR_HEAD};
    ck_assert(core_uni_actor_holds(&head, "4141010459", CORE_STAFF_REGISTRAR_HEAD, 0));
    ck_assert(core_uni_actor_holds(&head, "4141010459", CORE_STAFF_REGISTRAR_HEAD, 9));
    /* a student holds no office, whatever the token says */
    core_actor st = head;
    st.student_id = 5;
    ck_assert(!core_uni_actor_holds(&st, "4141010459", CORE_STAFF_REGISTRAR_HEAD, 0));
}
END_TEST

START_TEST(test_states)
{
    ck_assert_str_eq(core_uni_student_state("studying"), "enrolled");
    ck_assert_str_eq(core_uni_student_state("sitting_in"), "enrolled");
    ck_assert_str_eq(core_uni_student_state("suspended"), "suspended");
    ck_assert_str_eq(core_uni_student_state("withdrawn"), "withdrawn");
    ck_assert_str_eq(core_uni_student_state("graduated"), "graduated");
    ck_assert_ptr_null(core_uni_student_state("enrolled"));
    ck_assert_ptr_null(core_uni_student_state(NULL));
    ck_assert(core_uni_state_valid("sitting_in"));
    ck_assert(!core_uni_state_valid("pending"));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("uni");
    TCase *tc = tcase_create("uni");
    tcase_add_loop_test(tc, test_teaching_week, 0, (int)(sizeof(weeks) / sizeof(weeks[0])));
    tcase_add_test(tc, test_teaching_week_mondays);
    tcase_add_test(tc, test_terms);
    tcase_add_test(tc, test_university_schools);
    tcase_add_test(tc, test_offices);
    tcase_add_test(tc, test_states);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
