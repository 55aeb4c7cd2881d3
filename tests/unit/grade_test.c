/*
 * tests/unit/grade_test.c - grade codes, which grades a school teaches, class names.
 */
#include "core/grade.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_grade_codes)
{
    static const int valid[] = {11, 12, 13, 14, 15, 16, 21, 22, 23, 24, 31, 32, 33};
    int nvalid = 0;
    for (int g = -1; g <= 100; g++) {
        int want = 0;
        for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
            want |= valid[i] == g;
        ck_assert_msg(core_grade_valid(g) == want, "grade %d", g);
        ck_assert_msg((core_grade_label(g) != NULL) == want, "label of %d", g);
        nvalid += want;
    }
    ck_assert_int_eq(nvalid, 13);
    ck_assert_str_eq(core_grade_label(11), "一年级");
    ck_assert_str_eq(core_grade_label(16), "六年级");
    ck_assert_str_eq(core_grade_label(21), "初一");
    ck_assert_str_eq(core_grade_label(24), "初四");
    ck_assert_str_eq(core_grade_label(31), "高一");
    ck_assert_str_eq(core_grade_label(33), "高三");
}
END_TEST

START_TEST(test_school_system)
{
    ck_assert(core_school_system_valid("63"));
    ck_assert(core_school_system_valid("54"));
    ck_assert(!core_school_system_valid("6"));
    ck_assert(!core_school_system_valid("633"));
    ck_assert(!core_school_system_valid(""));
    ck_assert(!core_school_system_valid(NULL));
}
END_TEST

/* The table of core/grade.h, grade by grade. */
static const struct {
    int category;
    const char *system;
    int lo, hi; /* every grade code in [lo, hi] fits, no other */
} fits[] = {
    {21, "63", 11, 16}, {21, "54", 11, 15}, {31, "63", 21, 23},
    {31, "54", 21, 24}, {34, "63", 31, 33}, {34, "54", 31, 33},
};

START_TEST(test_grade_fits_school)
{
    for (size_t i = 0; i < sizeof(fits) / sizeof(fits[0]); i++)
        for (int g = 0; g <= 40; g++) {
            int want = core_grade_valid(g) && g >= fits[i].lo && g <= fits[i].hi;
            ck_assert_msg(core_grade_fits_school(fits[i].category, fits[i].system, g) == want,
                          "category %d system %s grade %d", fits[i].category, fits[i].system, g);
        }
    /* other categories: any valid grade */
    static const int others[] = {11, 22, 32, 33, 35, 36, 37, 51, 91};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
        for (int g = 0; g <= 40; g++)
            ck_assert_int_eq(core_grade_fits_school(others[i], "63", g), core_grade_valid(g));
    /* an unknown system counts as 六三 */
    ck_assert(core_grade_fits_school(21, NULL, 16));
    ck_assert(!core_grade_fits_school(31, "xx", 24));
}
END_TEST

START_TEST(test_class_default_name)
{
    char b[CORE_CLASS_NAME_MAX];
    ck_assert_int_eq(core_class_default_name(11, 1, b, sizeof(b)), 0);
    ck_assert_str_eq(b, "一年级(1)班");
    ck_assert_int_eq(core_class_default_name(21, 2, b, sizeof(b)), 0);
    ck_assert_str_eq(b, "初一(2)班");
    ck_assert_int_eq(core_class_default_name(33, 99, b, sizeof(b)), 0);
    ck_assert_str_eq(b, "高三(99)班");
    ck_assert_int_eq(core_class_default_name(17, 1, b, sizeof(b)), -1);
    ck_assert_str_eq(b, "");
    ck_assert_int_eq(core_class_default_name(11, 0, b, sizeof(b)), -1);
    ck_assert_int_eq(core_class_default_name(11, 100, b, sizeof(b)), -1);
    char small[8];
    ck_assert_int_eq(core_class_default_name(11, 1, small, sizeof(small)), -1);
    ck_assert_str_eq(small, "");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("grade");
    TCase *tc = tcase_create("grade");
    tcase_add_test(tc, test_grade_codes);
    tcase_add_test(tc, test_school_system);
    tcase_add_test(tc, test_grade_fits_school);
    tcase_add_test(tc, test_class_default_name);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
