/*
 * tests/unit/settings_test.c - region settings: date formats and rules
 * (core/settings.h) and the validation of overrides (api/settings.h).
 * The merge itself is SQL: tests/integration/settings_test.c.
 */
#include "api/settings.h"
#include "core/settings.h"
#include "db/settings.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* ---- core: formats ---- */

START_TEST(test_mmdd)
{
    int v = 0;
    ck_assert_int_eq(core_mmdd_parse("08-31", &v), 0);
    ck_assert_int_eq(v, 831);
    ck_assert_int_eq(core_mmdd_parse("01-01", &v), 0);
    ck_assert_int_eq(v, 101);
    ck_assert_int_eq(core_mmdd_parse("12-31", &v), 0);
    ck_assert_int_eq(v, 1231);
    static const char *const bad[] = {"02-29", "02-30", "04-31",  "13-01", "00-10", "08-00",
                                      "8-31",  "08/31", "08-311", "0831",  "",      "ab-cd"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        v = -7;
        ck_assert_msg(core_mmdd_parse(bad[i], &v) == -1, "%s accepted", bad[i]);
        ck_assert_int_eq(v, -7);
    }
    ck_assert_int_eq(core_mmdd_parse(NULL, &v), -1);
}
END_TEST

START_TEST(test_date)
{
    int v = 0;
    ck_assert_int_eq(core_date_parse("2026-09-01", &v), 0);
    ck_assert_int_eq(v, 20260901);
    ck_assert_int_eq(core_date_parse("2024-02-29", &v), 0); /* leap year */
    ck_assert_int_eq(v, 20240229);
    ck_assert_int_eq(core_date_parse("2000-02-29", &v), 0);
    static const char *const bad[] = {
        "2026-02-29", "1900-02-29", "2026-13-01", "2026-04-31",       "1899-12-31",
        "2026-9-1",   "2026/09/01", "20260901",   "2026-09-01T00:00", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(core_date_parse(bad[i], &v) == -1, "%s accepted", bad[i]);
    ck_assert_int_eq(core_date_parse(NULL, &v), -1);
}
END_TEST

/* ---- core: rules ---- */

START_TEST(test_window)
{
    /* not required: always open */
    ck_assert(core_window_open(0, 0, 0, 20260101));
    ck_assert(core_window_open(0, 20260901, 20260930, 20261001));
    /* required: open inside [from, until], both ends included */
    ck_assert(core_window_open(1, 20260901, 20260930, 20260901));
    ck_assert(core_window_open(1, 20260901, 20260930, 20260930));
    ck_assert(!core_window_open(1, 20260901, 20260930, 20260831));
    ck_assert(!core_window_open(1, 20260901, 20260930, 20261001));
    /* required with no window opened: closed */
    ck_assert(!core_window_open(1, 0, 0, 20260915));

    app_err err = {0};
    ck_assert_int_eq(core_window_check(1, 20260901, 20260930, 20260915, &err), 0);
    ck_assert_int_eq(core_window_check(1, 20260901, 20260930, 20261015, &err), APP_ECONFLICT);
    ck_assert_str_eq(err.slug, "window_closed");
    ck_assert_int_eq(core_window_check(1, 0, 0, 20261015, NULL), APP_ECONFLICT);
}
END_TEST

START_TEST(test_blackout)
{
    ck_assert(core_blackout_contains(715, 814, 20260715));
    ck_assert(core_blackout_contains(715, 814, 20260801));
    ck_assert(core_blackout_contains(715, 814, 20260814));
    ck_assert(!core_blackout_contains(715, 814, 20260714));
    ck_assert(!core_blackout_contains(715, 814, 20260815));
    /* over the new year */
    ck_assert(core_blackout_contains(1220, 110, 20261225));
    ck_assert(core_blackout_contains(1220, 110, 20270105));
    ck_assert(!core_blackout_contains(1220, 110, 20270111));
    ck_assert(!core_blackout_contains(1220, 110, 20261219));
    /* none */
    ck_assert(!core_blackout_contains(0, 0, 20260801));
}
END_TEST

START_TEST(test_entry_age)
{
    /* six on 08-31 of the entry year: born on or before 2020-08-31 for 2026 */
    ck_assert(core_entry_age_ok(20200831, 2026, 831, 6));
    ck_assert(!core_entry_age_ok(20200901, 2026, 831, 6));
    ck_assert(core_entry_age_ok(20190101, 2026, 831, 6));
    /* a county that extends the cut-off to 09-01 */
    ck_assert(core_entry_age_ok(20200901, 2026, 901, 6));
    /* born on 02-29: counts from 03-01 in common years */
    ck_assert(!core_entry_age_ok(20200229, 2026, 228, 6));
    ck_assert(core_entry_age_ok(20200229, 2026, 301, 6));
    ck_assert(core_entry_age_ok(20200229, 2028, 229, 8));
}
END_TEST

/* ---- api: validation of overrides ---- */

static json_t *
parse(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, 0, &e);
    ck_assert_msg(j != NULL, "bad test JSON %s: %s", s, e.text);
    return j;
}

/* Does err hold an item (field, code[, param])? */
static int
has_item(const app_err *err, const char *field, const char *code, const char *param)
{
    for (int i = 0; i < err->nitems; i++)
        if (strcmp(err->items[i].field, field) == 0 && strcmp(err->items[i].code, code) == 0 &&
            (param == NULL || strcmp(err->items[i].param, param) == 0))
            return 1;
    return 0;
}

static void
dump_items(const app_err *err)
{
    for (int i = 0; i < err->nitems; i++)
        fprintf(stderr, "  %s %s %s\n", err->items[i].field, err->items[i].code,
                err->items[i].param);
}

START_TEST(test_defaults_are_valid)
{
    /* the defaults pass the validation of overrides: one list of keys and types */
    json_t *d = parse(DB_SETTINGS_DEFAULTS);
    app_err err = {0};
    int n = api_settings_validate(d, "/settings", &err);
    if (n != 0)
        dump_items(&err);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(json_object_size(d), 14);
    json_decref(d);
}
END_TEST

START_TEST(test_valid_overrides)
{
    static const char *const ok[] = {
        "{}",
        "{\"entry_age_cutoff\":\"09-01\"}",
        "{\"entry_min_age\":6,\"entry_age_cutoff\":\"08-31\"}",
        "{\"transfer_blackout\":null}",
        "{\"transfer_blackout\":{\"from\":\"12-20\",\"until\":\"01-10\"}}",
        "{\"required_fields\":[]}",
        "{\"required_fields\":[\"name\",\"family\",\"photo\",\"boarding_subsidy\"]}",
        "{\"holidays\":[\"2026-10-01\",\"2026-10-02\"]}",
        "{\"step_deadline_days\":1,\"province_approves_transfers\":true}",
        "{\"registration_window\":{\"required\":true,\"from\":\"2026-09-01\","
        "\"until\":\"2026-09-30\"}}",
        "{\"registration_window\":{\"required\":true,\"from\":null,\"until\":null}}",
        "{\"registration_window\":{\"required\":false}}",
        "{\"import_upload_retention_days\":1}",
        "{\"import_upload_retention_days\":30}",
        "{\"school_year_start\":\"08-25\",\"second_term_start\":\"02-20\"}",
        "{\"second_term_start\":\"09-01\"}",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        json_t *j = parse(ok[i]);
        app_err err = {0};
        int n = api_settings_validate(j, "/settings", &err);
        if (n != 0)
            dump_items(&err);
        ck_assert_msg(n == 0, "%s refused", ok[i]);
        json_decref(j);
    }
}
END_TEST

/* Every problem of one body is reported, each at its own JSON pointer. */
START_TEST(test_every_problem_at_once)
{
    json_t *j = parse("{\"entry_age_cutoff\":\"02-29\",\"entry_min_age\":\"6\",\"colour\":1,"
                      "\"a/b~c\":2,"
                      "\"transfer_blackout\":{\"from\":\"7-15\",\"x\":1},"
                      "\"required_fields\":[\"name\",\"nope\",\"name\",3],"
                      "\"holidays\":[\"2026-02-30\",\"2026-10-01\",\"2026-10-01\"],"
                      "\"step_deadline_days\":0,\"province_approves_transfers\":1,"
                      "\"registration_window\":{\"from\":\"2026-09-01\"}}");
    app_err err = {0};
    int n = api_settings_validate(j, "/settings", &err);
    if (n != 16)
        dump_items(&err);
    ck_assert(has_item(&err, "/settings/entry_age_cutoff", "invalid_setting", "mmdd"));
    ck_assert(has_item(&err, "/settings/entry_min_age", "wrong_type", NULL));
    ck_assert(has_item(&err, "/settings/colour", "unknown_setting", NULL));
    ck_assert(has_item(&err, "/settings/a~1b~0c", "unknown_setting", NULL)); /* RFC 6901 */
    ck_assert(has_item(&err, "/settings/transfer_blackout/from", "invalid_setting", "mmdd"));
    ck_assert(has_item(&err, "/settings/transfer_blackout/until", "missing_field", NULL));
    ck_assert(has_item(&err, "/settings/transfer_blackout/x", "unknown_setting", NULL));
    ck_assert(has_item(&err, "/settings/required_fields/1", "invalid_setting", "student_field"));
    ck_assert(has_item(&err, "/settings/required_fields/2", "invalid_setting", "duplicate"));
    ck_assert(has_item(&err, "/settings/required_fields/3", "wrong_type", NULL));
    ck_assert(has_item(&err, "/settings/holidays/0", "invalid_setting", "date"));
    ck_assert(has_item(&err, "/settings/holidays/2", "invalid_setting", "duplicate"));
    ck_assert(has_item(&err, "/settings/step_deadline_days", "invalid_setting", "days"));
    ck_assert(has_item(&err, "/settings/province_approves_transfers", "wrong_type", NULL));
    ck_assert(has_item(&err, "/settings/registration_window/required", "missing_field", NULL));
    ck_assert(
        has_item(&err, "/settings/registration_window/until", "invalid_setting", "window_bounds"));
    ck_assert_int_eq(n, 16);
    ck_assert_int_eq(err.nitems, 16);
    json_decref(j);
}
END_TEST

START_TEST(test_ranges_and_types)
{
    static const struct {
        const char *json, *field, *code, *param;
    } bad[] = {
        {"[]", "/settings", "wrong_type", NULL},
        {"{\"entry_min_age\":2}", "/settings/entry_min_age", "invalid_setting", "age"},
        {"{\"school_year_start\":\"9-1\"}", "/settings/school_year_start", "invalid_setting",
         "mmdd"},
        {"{\"second_term_start\":301}", "/settings/second_term_start", "wrong_type", NULL},
        {"{\"school_year_start\":\"09-01\",\"second_term_start\":\"09-01\"}",
         "/settings/second_term_start", "invalid_setting", "calendar"},
        {"{\"entry_min_age\":11}", "/settings/entry_min_age", "invalid_setting", "age"},
        {"{\"entry_min_age\":6.0}", "/settings/entry_min_age", "wrong_type", NULL},
        {"{\"step_deadline_days\":61}", "/settings/step_deadline_days", "invalid_setting", "days"},
        {"{\"import_upload_retention_days\":0}", "/settings/import_upload_retention_days",
         "invalid_setting", "retention_days"},
        {"{\"import_upload_retention_days\":31}", "/settings/import_upload_retention_days",
         "invalid_setting", "retention_days"},
        {"{\"import_upload_retention_days\":\"7\"}", "/settings/import_upload_retention_days",
         "wrong_type", NULL},
        {"{\"transfer_blackout\":\"07-15\"}", "/settings/transfer_blackout", "wrong_type", NULL},
        {"{\"required_fields\":\"name\"}", "/settings/required_fields", "wrong_type", NULL},
        {"{\"holidays\":{}}", "/settings/holidays", "wrong_type", NULL},
        {"{\"registration_window\":null}", "/settings/registration_window", "wrong_type", NULL},
        {"{\"registration_window\":{\"required\":\"yes\"}}",
         "/settings/registration_window/required", "wrong_type", NULL},
        {"{\"registration_window\":{\"required\":true,\"from\":\"2026-09-30\","
         "\"until\":\"2026-09-01\"}}",
         "/settings/registration_window/until", "invalid_setting", "window_order"},
        {"{\"registration_window\":{\"required\":true,\"from\":null,\"until\":\"2026-09-01\"}}",
         "/settings/registration_window/from", "invalid_setting", "window_bounds"},
        {"{\"registration_window\":{\"required\":true,\"from\":20260901,\"until\":null}}",
         "/settings/registration_window/from", "wrong_type", NULL},
        {"{\"entry_age_cutoff\":null}", "/settings/entry_age_cutoff", "wrong_type", NULL},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        json_t *j = parse(bad[i].json);
        app_err err = {0};
        int n = api_settings_validate(j, "/settings", &err);
        if (!has_item(&err, bad[i].field, bad[i].code, bad[i].param))
            dump_items(&err);
        ck_assert_msg(n == 1 && has_item(&err, bad[i].field, bad[i].code, bad[i].param),
                      "%s: %d problems", bad[i].json, n);
        json_decref(j);
    }
    /* too many holidays */
    json_t *days = json_array();
    for (int i = 0; i < 367; i++)
        json_array_append_new(days, json_sprintf("2026-%02d-%02d", 1 + i / 28, 1 + i % 28));
    json_t *j = json_pack("{s:o}", "holidays", days);
    app_err err = {0};
    ck_assert_int_eq(api_settings_validate(j, "/settings", &err), 1);
    ck_assert(has_item(&err, "/settings/holidays", "invalid_setting", "too_many"));
    json_decref(j);
}
END_TEST

START_TEST(test_ordered)
{
    json_t *j = parse("{\"zz\":1,\"registration_window\":{},\"entry_min_age\":6,"
                      "\"entry_age_cutoff\":\"08-31\"}");
    json_t *o = api_settings_ordered(j);
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    ck_assert_str_eq(s, "{\"entry_age_cutoff\":\"08-31\",\"entry_min_age\":6,"
                        "\"registration_window\":{},\"zz\":1}");
    free(s);
    json_decref(o);
    json_decref(j);
}
END_TEST

START_TEST(test_student_fields)
{
    ck_assert(api_student_field_known("name"));
    ck_assert(api_student_field_known("family"));
    ck_assert(api_student_field_known("distance_km"));
    ck_assert(!api_student_field_known("Name"));
    ck_assert(!api_student_field_known("family.name"));
    ck_assert(!api_student_field_known(""));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("settings");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_mmdd);
    tcase_add_test(tc, test_date);
    tcase_add_test(tc, test_window);
    tcase_add_test(tc, test_blackout);
    tcase_add_test(tc, test_entry_age);
    suite_add_tcase(s, tc);
    tc = tcase_create("validate");
    tcase_add_test(tc, test_defaults_are_valid);
    tcase_add_test(tc, test_valid_overrides);
    tcase_add_test(tc, test_every_problem_at_once);
    tcase_add_test(tc, test_ranges_and_types);
    tcase_add_test(tc, test_ordered);
    tcase_add_test(tc, test_student_fields);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
