/*
 * tests/unit/audit_read_test.c - the pure parts of core/audit_read.h: the
 * time bounds of GET /audit?from=&to= (days in China Standard Time, RFC 3339
 * times with their offsets, real dates only) and the masking of personal
 * numbers in an audit row's detail.
 */
#include "core/audit_read.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* 2026-12-07T00:00:00Z */
#define DEC7 1796601600LL

START_TEST(test_days_are_china_standard_time)
{
    long long t = 0;
    ck_assert_int_eq(core_audit_time_parse("2026-12-07", 0, &t), 0);
    ck_assert_int_eq(t, DEC7 - 8 * 3600); /* 00:00 in Beijing */
    ck_assert_int_eq(core_audit_time_parse("2026-12-07", 1, &t), 0);
    ck_assert_int_eq(t, DEC7 + 16 * 3600); /* the next day's 00:00 in Beijing */
    ck_assert_int_eq(core_audit_time_parse("1970-01-01", 0, &t), 0);
    ck_assert_int_eq(t, -8 * 3600);
    ck_assert_int_eq(core_audit_time_parse("2024-02-29", 0, &t), 0);
    ck_assert_int_eq(core_audit_time_parse("2000-02-29", 0, &t), 0);
}
END_TEST

START_TEST(test_rfc3339_times_and_offsets)
{
    long long t = 0;
    ck_assert_int_eq(core_audit_time_parse("2026-12-07T00:00:00Z", 0, &t), 0);
    ck_assert_int_eq(t, DEC7);
    ck_assert_int_eq(core_audit_time_parse("2026-12-07T00:00:00Z", 1, &t), 0);
    ck_assert_int_eq(t, DEC7 + 1); /* `to` takes in its whole second */
    ck_assert_int_eq(core_audit_time_parse("2026-12-07t08:00:00.999z", 0, &t), 0);
    ck_assert_int_eq(t, DEC7 + 8 * 3600);
    ck_assert_int_eq(core_audit_time_parse("2026-12-07T08:00:00+08:00", 0, &t), 0);
    ck_assert_int_eq(t, DEC7);
    ck_assert_int_eq(core_audit_time_parse("2026-12-07T08:00:00 08:00", 0, &t), 0); /* a '+' */
    ck_assert_int_eq(t, DEC7);
    ck_assert_int_eq(core_audit_time_parse("2026-12-06T18:30:00-05:30", 0, &t), 0);
    ck_assert_int_eq(t, DEC7);
}
END_TEST

START_TEST(test_not_times)
{
    static const char *const bad[] = {
        "",
        "2026-12-7",
        "2026/12/07",
        "2026-00-10",
        "2026-13-01",
        "2026-04-31",
        "2100-02-29",
        "2025-02-29",
        "1969-12-31",
        "2026-12-07T10:00:00",
        "2026-12-07 10:00:00Z",
        "2026-12-07T24:00:00Z",
        "2026-12-07T10:60:00Z",
        "2026-12-07T10:00:60Z",
        "2026-12-07T10:00:00.Z",
        "2026-12-07T10:00:00.1234567890Z",
        "2026-12-07T10:00:00+8",
        "2026-12-07T10:00:00+24:00",
        "2026-12-07T10:00:00+08:60",
        "2026-12-07T10:00:00Zjunk",
        "2026-12-07T10:00:00+08:00x",
        "2026-12-07x",
        "yesterday",
        NULL,
    };
    long long t = 42;
    for (int i = 0; bad[i] != NULL; i++)
        ck_assert_msg(core_audit_time_parse(bad[i], 0, &t) == -1, "accepted %s", bad[i]);
    ck_assert_int_eq(core_audit_time_parse(NULL, 0, &t), -1);
    ck_assert_int_eq(t, 42);
}
END_TEST

START_TEST(test_masking_by_name_and_by_shape)
{
    char out[64] = "untouched";
    ck_assert_int_eq(core_audit_mask_value("id_number", "430102201601160018", out, sizeof(out)), 1);
    ck_assert_str_eq(out, "4301**********0018");
    ck_assert_int_eq(core_audit_mask_value("phone", "13700000000", out, sizeof(out)), 1);
    ck_assert_str_eq(out, "137****0000");
    ck_assert_int_eq(
        core_audit_mask_value("student_number", "G430102201601160018", out, sizeof(out)), 1);
    ck_assert_str_eq(out, "G4301**********0018");
    ck_assert_int_eq(core_audit_mask_value("student_number", "L202609000000000123", out, 64), 1);
    ck_assert_str_eq(out, "L202609000000000123"); /* L numbers hold no ID number */
    /* by shape, under any name or none: a check digit that does not match
       is still someone's mistyped number */
    ck_assert_int_eq(core_audit_mask_value("note", "43010220160116001X", out, sizeof(out)), 1);
    ck_assert_str_eq(out, "4301**********001X");
    ck_assert_int_eq(core_audit_mask_value(NULL, "430102201601160017", out, sizeof(out)), 1);
    ck_assert_str_eq(out, "4301**********0017");
    ck_assert_int_eq(core_audit_mask_value(NULL, "g430102201601160018", out, sizeof(out)), 1);
    ck_assert_str_eq(out, "g4301**********0018");
    /* not personal numbers */
    snprintf(out, sizeof(out), "untouched");
    ck_assert_int_eq(core_audit_mask_value("school", "2143019301", out, sizeof(out)), 0);
    ck_assert_int_eq(core_audit_mask_value("name", "李小明", out, sizeof(out)), 0);
    ck_assert_int_eq(core_audit_mask_value(NULL, "4301022016011600181", out, sizeof(out)), 0);
    ck_assert_int_eq(core_audit_mask_value("id_number", NULL, out, sizeof(out)), 0);
    ck_assert_str_eq(out, "untouched");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("audit_read");
    TCase *tc = tcase_create("audit_read");
    tcase_add_test(tc, test_days_are_china_standard_time);
    tcase_add_test(tc, test_rfc3339_times_and_offsets);
    tcase_add_test(tc, test_not_times);
    tcase_add_test(tc, test_masking_by_name_and_by_shape);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
