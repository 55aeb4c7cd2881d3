/*
 * tests/unit/grade_map_test.c - 六三/五四 grade mapping by year of schooling
 * (core/grade.h) and the class cells of the class assignment file
 * (core/class_file.h).
 */
#include "core/class_file.h"
#include "core/grade.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* The table of core/grade.h, column by column. */
static const int table[12][3] = {
    {1, 11, 11}, {2, 12, 12}, {3, 13, 13}, {4, 14, 14},  {5, 15, 15},  {6, 16, 21},
    {7, 21, 22}, {8, 22, 23}, {9, 23, 24}, {10, 31, 31}, {11, 32, 32}, {12, 33, 33},
};

START_TEST(test_years)
{
    for (int i = 0; i < 12; i++) {
        int y = table[i][0], g63 = table[i][1], g54 = table[i][2];
        ck_assert_int_eq(core_grade_year("63", g63), y);
        ck_assert_int_eq(core_grade_year("54", g54), y);
        ck_assert_int_eq(core_grade_of_year("63", y), g63);
        ck_assert_int_eq(core_grade_of_year("54", y), g54);
        ck_assert_int_eq(core_grade_map("63", "54", g63), g54);
        ck_assert_int_eq(core_grade_map("54", "63", g54), g63);
    }
    /* grades a system has not */
    ck_assert_int_eq(core_grade_year("63", 24), 0);
    ck_assert_int_eq(core_grade_year("54", 16), 0);
    ck_assert_int_eq(core_grade_map("63", "54", 24), 0);
    ck_assert_int_eq(core_grade_map("54", "63", 16), 0);
    ck_assert_int_eq(core_grade_year("63", 17), 0);
    ck_assert_int_eq(core_grade_year("63", 0), 0);
    ck_assert_int_eq(core_grade_of_year("63", 0), 0);
    ck_assert_int_eq(core_grade_of_year("54", 13), 0);
    /* an unknown system counts as 六三 */
    ck_assert_int_eq(core_grade_year(NULL, 16), 6);
    ck_assert_int_eq(core_grade_year("xx", 24), 0);
}
END_TEST

START_TEST(test_same_system_and_round_trip)
{
    static const char *const sys[] = {"63", "54"};
    for (int g = 0; g <= 40; g++)
        for (int k = 0; k < 2; k++) {
            int y = core_grade_year(sys[k], g);
            /* the same system: the grade itself, where it exists */
            ck_assert_int_eq(core_grade_map(sys[k], sys[k], g), y ? g : 0);
            /* there and back: the grade again */
            int there = core_grade_map(sys[k], sys[1 - k], g);
            ck_assert_int_eq(core_grade_map(sys[1 - k], sys[k], there), y ? g : 0);
            /* a mapped grade is one the other system has, and a valid code */
            if (y)
                ck_assert(core_grade_valid(there));
        }
}
END_TEST

/* The examples of DOMAIN and core/grade.h. */
START_TEST(test_examples)
{
    /* 六年级 of 六三 is 初一 of 五四 */
    ck_assert_int_eq(core_grade_map("63", "54", 16), 21);
    /* a pupil in 初一 of a 五四 school enters 六年级 of a 六三 school */
    ck_assert_int_eq(core_grade_map("54", "63", 21), 16);
    /* finishing 五年级 of a 五四 primary: year 6, 六年级 in a 六三 school */
    ck_assert_int_eq(core_grade_of_year("63", core_grade_year("54", 15) + 1), 16);
    ck_assert_int_eq(core_grade_of_year("54", core_grade_year("54", 15) + 1), 21);
    /* primary 1-5 and senior grades keep their codes */
    ck_assert_int_eq(core_grade_map("63", "54", 15), 15);
    ck_assert_int_eq(core_grade_map("54", "63", 31), 31);
    /* the last junior grade: 初三 of 六三 is 初四 of 五四 */
    ck_assert_int_eq(core_grade_map("63", "54", 23), 24);
}
END_TEST

START_TEST(test_class_cells)
{
    ck_assert_int_eq(core_class_cell("", 11), 0);
    ck_assert_int_eq(core_class_cell(NULL, 11), 0);
    ck_assert_int_eq(core_class_cell("3", 11), 3);
    ck_assert_int_eq(core_class_cell("03", 11), 3);
    ck_assert_int_eq(core_class_cell("12班", 11), 12);
    ck_assert_int_eq(core_class_cell("(3)班", 11), 3);
    ck_assert_int_eq(core_class_cell("（3）班", 11), 3);
    ck_assert_int_eq(core_class_cell("(3)", 11), 3);
    ck_assert_int_eq(core_class_cell("一年级(3)班", 11), 3);
    ck_assert_int_eq(core_class_cell("初一（2）班", 21), 2);
    /* a class of another grade */
    ck_assert_int_eq(core_class_cell("二年级(3)班", 11), -2);
    ck_assert_int_eq(core_class_cell("初一(1)班", 16), -2);
    /* not a class */
    ck_assert_int_eq(core_class_cell("0", 11), -1);
    ck_assert_int_eq(core_class_cell("100", 11), -1);
    ck_assert_int_eq(core_class_cell("三班", 11), -1);
    ck_assert_int_eq(core_class_cell("3.5", 11), -1);
    ck_assert_int_eq(core_class_cell("(3", 11), -1);
    ck_assert_int_eq(core_class_cell("一年级(x)班", 11), -1);
    ck_assert_int_eq(core_class_cell("一年级3班", 11), -1);
    ck_assert_int_eq(core_class_cell("班", 11), -1);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("grade_map");
    TCase *tc = tcase_create("grade_map");
    tcase_add_test(tc, test_years);
    tcase_add_test(tc, test_same_system_and_round_trip);
    tcase_add_test(tc, test_examples);
    tcase_add_test(tc, test_class_cells);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
