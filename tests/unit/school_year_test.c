/*
 * tests/unit/school_year_test.c - school years, terms, when promotion may
 * run, and the grade a pupil moves up to (core/school_year.h).
 */
#include "core/school_year.h"

#include <check.h>
#include <stdlib.h>

START_TEST(test_default_year)
{
    core_school_year y;
    ck_assert_int_eq(core_school_year_get(2025, 901, 301, &y), 0);
    ck_assert_int_eq(y.year, 2025);
    ck_assert_int_eq(y.start, 20250901);
    ck_assert_int_eq(y.end, 20260831);
    ck_assert_int_eq(y.term1_start, 20250901);
    ck_assert_int_eq(y.term1_end, 20260228);
    ck_assert_int_eq(y.term2_start, 20260301);
    ck_assert_int_eq(y.term2_end, 20260831);
    /* a leap February ends the first term on the 29th */
    ck_assert_int_eq(core_school_year_get(2027, 901, 301, &y), 0);
    ck_assert_int_eq(y.term1_end, 20280229);
    ck_assert_int_eq(y.end, 20280831);
}
END_TEST

START_TEST(test_other_calendars)
{
    core_school_year y;
    /* a province starting on 08-25 with the spring term from 02-20 */
    ck_assert_int_eq(core_school_year_get(2025, 825, 220, &y), 0);
    ck_assert_int_eq(y.end, 20260824);
    ck_assert_int_eq(y.term1_end, 20260219);
    ck_assert_int_eq(y.term2_start, 20260220);
    /* a year starting in February: its second term in the same calendar year */
    ck_assert_int_eq(core_school_year_get(2025, 215, 901, &y), 0);
    ck_assert_int_eq(y.term2_start, 20250901);
    ck_assert_int_eq(y.end, 20260214);
    ck_assert_int_eq(core_school_year_get(2025, 901, 901, &y), -1);
    ck_assert_int_eq(core_school_year_get(1989, 901, 301, &y), -1);
    ck_assert_int_eq(core_school_year_get(2101, 901, 301, &y), -1);
    ck_assert(!core_calendar_valid(0, 301));
    ck_assert(core_calendar_valid(901, 301));
}
END_TEST

START_TEST(test_year_at)
{
    ck_assert_int_eq(core_school_year_at(20260831, 901), 2025);
    ck_assert_int_eq(core_school_year_at(20260901, 901), 2026);
    ck_assert_int_eq(core_school_year_at(20261207, 901), 2026);
    ck_assert_int_eq(core_school_year_at(20270101, 901), 2026);
    ck_assert_int_eq(core_school_year_at(20260824, 825), 2025);
}
END_TEST

START_TEST(test_terms)
{
    int y = 0, n = 0;
    ck_assert_int_eq(core_term_parse("2025-1", &y, &n), 0);
    ck_assert_int_eq(y, 2025);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(core_term_parse("2025-2", &y, &n), 0);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(core_term_parse("2025-3", &y, &n), -1);
    ck_assert_int_eq(core_term_parse("2025-12", &y, &n), -1);
    ck_assert_int_eq(core_term_parse("20x5-1", &y, &n), -1);
    ck_assert_int_eq(core_term_parse(NULL, &y, &n), -1);

    /* on 2026-12-07: the terms of school years 2026 and 2025 */
    app_err e = {0};
    ck_assert_int_eq(core_term_check("2026-1", 20261207, 901, 301, "/term", &e), 0);
    ck_assert_int_eq(core_term_check("2026-2", 20261207, 901, 301, "/term", &e), 0);
    ck_assert_int_eq(core_term_check("2025-2", 20261207, 901, 301, "/term", &e), 0);
    ck_assert_int_eq(core_term_check("2025-1", 20261207, 901, 301, "/term", &e), 0);
    ck_assert_int_eq(core_term_check("2027-1", 20261207, 901, 301, "/term", &e), APP_EINVAL);
    ck_assert_str_eq(e.slug, "term_not_in_calendar");
    ck_assert_int_eq(e.nitems, 1);
    app_err e2 = {0};
    ck_assert_int_eq(core_term_check("2024-2", 20261207, 901, 301, "/term", &e2), APP_EINVAL);
    app_err e3 = {0};
    ck_assert_int_eq(core_term_check("2026-3", 20261207, 901, 301, "/term", &e3), APP_EINVAL);
    /* the year turns on the start day */
    app_err e4 = {0};
    ck_assert_int_eq(core_term_check("2025-1", 20270901, 901, 301, "/term", &e4), APP_EINVAL);
    ck_assert_int_eq(core_term_check("2026-1", 20270831, 901, 301, "/term", NULL), 0);
}
END_TEST

START_TEST(test_promotion_window)
{
    app_err e = {0};
    /* school year 2025: from its second term to the end of school year 2026 */
    ck_assert_int_eq(core_promotion_due(2025, 20260228, 901, 301, &e), APP_ECONFLICT);
    ck_assert_str_eq(e.slug, "promotion_not_due");
    ck_assert_int_eq(core_promotion_due(2025, 20260301, 901, 301, NULL), 0);
    ck_assert_int_eq(core_promotion_due(2025, 20261207, 901, 301, NULL), 0);
    ck_assert_int_eq(core_promotion_due(2025, 20270831, 901, 301, NULL), 0);
    ck_assert_int_eq(core_promotion_due(2025, 20270901, 901, 301, NULL), APP_ECONFLICT);
    ck_assert_int_eq(core_promotion_due(2026, 20261207, 901, 301, NULL), APP_ECONFLICT);
    ck_assert_int_eq(core_promotion_revertible(2025, 20270831, 901, 301, NULL), 0);
    app_err e2 = {0};
    ck_assert_int_eq(core_promotion_revertible(2025, 20270901, 901, 301, &e2), APP_ECONFLICT);
    ck_assert_str_eq(e2.slug, "promotion_year_over");
}
END_TEST

START_TEST(test_grade_promoted)
{
    /* 六三制 */
    for (int g = 11; g <= 15; g++)
        ck_assert_int_eq(core_grade_promoted("63", g), g + 1);
    ck_assert_int_eq(core_grade_promoted("63", 16), 0);
    ck_assert_int_eq(core_grade_promoted("63", 21), 22);
    ck_assert_int_eq(core_grade_promoted("63", 22), 23);
    ck_assert_int_eq(core_grade_promoted("63", 23), 0);
    ck_assert_int_eq(core_grade_promoted("63", 24), -1);
    /* 五四制 */
    for (int g = 11; g <= 14; g++)
        ck_assert_int_eq(core_grade_promoted("54", g), g + 1);
    ck_assert_int_eq(core_grade_promoted("54", 15), 0);
    ck_assert_int_eq(core_grade_promoted("54", 16), -1);
    ck_assert_int_eq(core_grade_promoted("54", 23), 24);
    ck_assert_int_eq(core_grade_promoted("54", 24), 0);
    /* senior secondary is the same in both */
    ck_assert_int_eq(core_grade_promoted("54", 31), 32);
    ck_assert_int_eq(core_grade_promoted("63", 32), 33);
    ck_assert_int_eq(core_grade_promoted("63", 33), 0);
    ck_assert_int_eq(core_grade_promoted(NULL, 16), 0);
    ck_assert_int_eq(core_grade_promoted("63", 17), -1);
    ck_assert_int_eq(core_grade_promoted("63", 0), -1);
    ck_assert_int_eq(core_grade_promoted("63", 51), -1);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("school_year");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_default_year);
    tcase_add_test(tc, test_other_calendars);
    tcase_add_test(tc, test_year_at);
    tcase_add_test(tc, test_terms);
    tcase_add_test(tc, test_promotion_window);
    tcase_add_test(tc, test_grade_promoted);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
