/*
 * tests/unit/intake_window_test.c - the setting intake_window (the graduate
 * pool's claim window, docs/decisions/0027): its default and the validation
 * of an override (api/settings.h), and the yearly period it is judged by.
 */
#include "api/settings.h"
#include "core/intake.h"
#include "core/settings.h"
#include "db/settings.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static int
validate(const char *text, const char **out_field, const char **out_code)
{
    json_t *o = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(o);
    app_err err = {0};
    int n = api_settings_validate(o, "/settings", &err);
    static char field[64], code[64];
    field[0] = code[0] = '\0';
    if (err.nitems > 0) {
        snprintf(field, sizeof(field), "%s", err.items[0].field);
        snprintf(code, sizeof(code), "%s", err.items[0].code);
    }
    *out_field = field;
    *out_code = code;
    app_err_clear(&err);
    json_decref(o);
    return n;
}

START_TEST(test_default)
{
    json_t *d = json_loads(DB_SETTINGS_DEFAULTS, 0, NULL);
    json_t *w = json_object_get(d, "intake_window");
    ck_assert_str_eq(json_string_value(json_object_get(w, "from")), "10-16");
    ck_assert_str_eq(json_string_value(json_object_get(w, "until")), "10-31");
    json_decref(d);
}
END_TEST

START_TEST(test_overrides)
{
    const char *f, *c;
    ck_assert_int_eq(
        validate("{\"intake_window\":{\"from\":\"09-01\",\"until\":\"09-30\"}}", &f, &c), 0);
    ck_assert_int_eq(validate("{\"intake_window\":null}", &f, &c), 0);
    ck_assert_int_ne(
        validate("{\"intake_window\":{\"from\":\"02-29\",\"until\":\"03-10\"}}", &f, &c), 0);
    ck_assert_str_eq(f, "/settings/intake_window/from");
    ck_assert_int_ne(validate("{\"intake_window\":{\"from\":\"10-16\"}}", &f, &c), 0);
    ck_assert_str_eq(f, "/settings/intake_window/until");
    ck_assert_str_eq(c, "missing_field");
    ck_assert_int_ne(validate("{\"intake_window\":\"10-16\"}", &f, &c), 0);
    ck_assert_str_eq(c, "wrong_type");
}
END_TEST

START_TEST(test_period_and_grades)
{
    ck_assert_int_eq(core_blackout_contains(1016, 1031, 20261016), 1);
    ck_assert_int_eq(core_blackout_contains(1016, 1031, 20261031), 1);
    ck_assert_int_eq(core_blackout_contains(1016, 1031, 20261015), 0);
    ck_assert_int_eq(core_blackout_contains(1016, 1031, 20261101), 0);
    ck_assert_int_eq(core_intake_grade(16), 21);
    ck_assert_int_eq(core_intake_grade(15), 21); /* 五四 primary */
    ck_assert_int_eq(core_intake_grade(23), 31);
    ck_assert_int_eq(core_intake_grade(24), 31); /* 五四 junior */
    ck_assert_int_eq(core_intake_grade(33), 0);
    ck_assert_int_eq(core_intake_grade(0), 0);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("intake_window");
    TCase *tc = tcase_create("window");
    tcase_add_test(tc, test_default);
    tcase_add_test(tc, test_overrides);
    tcase_add_test(tc, test_period_and_grades);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
