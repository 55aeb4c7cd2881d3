/*
 * tests/integration/settings_test.c - db/settings.c (the merge of region
 * settings along the chain, in SQL) and db/school.c against a real PostgreSQL
 * (XUEJI_TEST_DATABASE_URL). Each test works in a database of its own.
 */
#include "db/db.h"
#include "db/migrate.h"
#include "db/school.h"
#include "db/settings.h"
#include "tests/lib/dbtest.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static db_conn *conn;
static app_arena *arena;

static void
setup(void)
{
    conn = dbt_create_migrated("xueji_st");
    app_err err = {0};
    int applied = 0;
    ck_assert_msg(db_migrate(conn, &applied, &err) == 0, "migrate: %s", err.detail);
    arena = app_arena_new();
}

static void
teardown(void)
{
    app_arena_free(arena);
    dbt_drop(conn);
}

static void
put(const char *region, const char *json, int expect, int want_version)
{
    app_err err = {0};
    int v = 0;
    int rc = db_settings_put(conn, region, json, expect, 0, &v, &err);
    ck_assert_msg(rc == 0, "put %s: %d %s", region, rc, err.detail);
    ck_assert_int_eq(v, want_version);
}

static db_settings
eff(const char *region)
{
    db_settings s;
    app_err err = {0};
    int rc = db_settings_effective(conn, region, arena, &s, &err);
    ck_assert_msg(rc == 0, "effective %s: %d %s", region, rc, err.detail);
    return s;
}

START_TEST(test_defaults)
{
    db_settings s = eff("410102");
    ck_assert_int_eq(s.entry_age_cutoff, 831);
    ck_assert_int_eq(s.entry_min_age, 6);
    ck_assert_int_eq(s.blackout_from, 715);
    ck_assert_int_eq(s.blackout_until, 814);
    ck_assert_int_eq(s.nholidays, 0);
    ck_assert_int_eq(s.step_deadline_days, 10);
    ck_assert_int_eq(s.import_upload_retention_days, 7);
    ck_assert_int_eq(s.province_approves_transfers, 0);
    ck_assert_int_eq(s.window_required, 0);
    ck_assert_int_eq(s.window_from, 0);
    ck_assert_int_eq(s.nrequired_fields, 19);
    ck_assert_str_eq(s.required_fields[0], "name");
    ck_assert_str_eq(s.required_fields[18], "family");

    db_region_settings rs;
    int found = 0;
    app_err err = {0};
    ck_assert_int_eq(db_settings_get(conn, "410102", arena, &rs, &found, &err), 0);
    ck_assert(found);
    ck_assert_str_eq(rs.settings, "{}");
    ck_assert_int_eq(rs.version, 0);
    ck_assert_str_eq(rs.updated_at, "");
    ck_assert_int_eq(db_settings_get(conn, "999999", arena, &rs, &found, &err), 0);
    ck_assert(!found);
    ck_assert_int_eq(db_settings_effective(conn, "999999", arena, &s, &err), APP_ENOTFOUND);
}
END_TEST

/* defaults < province < city < county, key by key; siblings and other branches unaffected */
START_TEST(test_merge_order)
{
    put("410000",
        "{\"entry_min_age\":7,\"entry_age_cutoff\":\"08-31\",\"step_deadline_days\":15,"
        "\"holidays\":[\"2026-10-02\",\"2026-10-01\"]}",
        0, 1);
    put("410100", "{\"step_deadline_days\":12,\"province_approves_transfers\":true}", 0, 1);
    put("410102",
        "{\"entry_age_cutoff\":\"09-01\",\"transfer_blackout\":null,"
        "\"registration_window\":{\"required\":true,\"from\":\"2026-09-01\","
        "\"until\":\"2026-09-30\"},\"required_fields\":[\"name\",\"gender\"]}",
        0, 1);

    db_settings c = eff("410102");              /* the county: every layer */
    ck_assert_int_eq(c.entry_age_cutoff, 901);  /* county */
    ck_assert_int_eq(c.entry_min_age, 7);       /* province */
    ck_assert_int_eq(c.step_deadline_days, 12); /* city over province */
    ck_assert_int_eq(c.province_approves_transfers, 1);
    ck_assert_int_eq(c.blackout_from, 0); /* county: none */
    ck_assert_int_eq(c.blackout_until, 0);
    ck_assert_int_eq(c.window_required, 1);
    ck_assert_int_eq(c.window_from, 20260901);
    ck_assert_int_eq(c.window_until, 20260930);
    ck_assert_int_eq(c.nrequired_fields, 2);
    ck_assert_str_eq(c.required_fields[1], "gender");
    ck_assert_int_eq(c.nholidays, 2);
    ck_assert_int_eq(c.holidays[0], 20261001); /* ascending */
    ck_assert_int_eq(c.holidays[1], 20261002);

    db_settings sib = eff("410105"); /* a sibling county: province and city only */
    ck_assert_int_eq(sib.entry_age_cutoff, 831);
    ck_assert_int_eq(sib.step_deadline_days, 12);
    ck_assert_int_eq(sib.blackout_from, 715);
    ck_assert_int_eq(sib.window_required, 0);
    ck_assert_int_eq(sib.nrequired_fields, 19);

    db_settings ly = eff("410302"); /* another city: province only */
    ck_assert_int_eq(ly.step_deadline_days, 15);
    ck_assert_int_eq(ly.province_approves_transfers, 0);
    ck_assert_int_eq(ly.entry_min_age, 7);

    db_settings other = eff("420102"); /* another province: defaults */
    ck_assert_int_eq(other.entry_min_age, 6);
    ck_assert_int_eq(other.step_deadline_days, 10);

    /* a county under the province directly (docs/decisions/0002): 济源 419001 */
    db_settings jy = eff("419001");
    ck_assert_int_eq(jy.entry_min_age, 7);
    ck_assert_int_eq(jy.step_deadline_days, 15);
}
END_TEST

START_TEST(test_put_versions)
{
    app_err err = {0};
    int v = 0;
    put("410102", "{\"entry_min_age\":5}", 0, 1);
    /* creating again from version 0 is stale */
    ck_assert_int_eq(db_settings_put(conn, "410102", "{}", 0, 0, &v, &err), APP_EPRECOND);
    ck_assert_int_eq(db_settings_put(conn, "410102", "{}", 2, 0, &v, &err), APP_EPRECOND);
    put("410102", "{\"entry_min_age\":4}", 1, 2);
    ck_assert_int_eq(eff("410102").entry_min_age, 4);
    put("410102", "{}", 2, 3); /* an empty object drops every override */
    ck_assert_int_eq(eff("410102").entry_min_age, 6);
    /* a version for a region with no row is stale */
    ck_assert_int_eq(db_settings_put(conn, "410105", "{}", 1, 0, &v, &err), APP_EPRECOND);
}
END_TEST

START_TEST(test_school_follows_authority)
{
    put("410100", "{\"entry_min_age\":7}", 0, 1);
    put("410102", "{\"entry_min_age\":5}", 0, 1);
    app_err err = {0};
    /* located in 410102: one managed by the county, one by the city */
    db_school a = {.code = "2141010290",
                   .name = "县管小学",
                   .county = "410102",
                   .authority = "410102",
                   .province = "410000",
                   .category = 21,
                   .system = "63"};
    db_school b = a;
    b.name = "市直管小学";
    memcpy(b.code, "2141010291", 11);
    memcpy(b.authority, "410100", 7);
    db_school out;
    ck_assert_int_eq(db_school_insert(conn, &a, NULL, arena, &out, &err), 0);
    ck_assert_str_eq(out.county_name, "中原区");
    ck_assert_int_eq(out.version, 1);
    ck_assert_int_eq(db_school_insert(conn, &b, NULL, arena, &out, &err), 0);
    ck_assert_str_eq(out.authority_name, "郑州市");

    db_settings s;
    ck_assert_int_eq(db_settings_for_school(conn, "2141010290", arena, &s, &err), 0);
    ck_assert_int_eq(s.entry_min_age, 5);
    ck_assert_int_eq(db_settings_for_school(conn, "2141010291", arena, &s, &err), 0);
    ck_assert_int_eq(s.entry_min_age, 7);
    ck_assert_int_eq(db_settings_for_school(conn, "2141010299", arena, &s, &err), APP_ENOTFOUND);
    ck_assert_str_eq(err.slug, "school_not_found");

    /* duplicates: a conflict, or skipped when asked */
    ck_assert_int_eq(db_school_insert(conn, &a, NULL, arena, &out, &err), APP_ECONFLICT);
    ck_assert_str_eq(err.slug, "school_exists");
    int created = 1;
    ck_assert_int_eq(db_school_insert(conn, &a, &created, arena, NULL, &err), 0);
    ck_assert_int_eq(created, 0);

    /* lists: by authority pattern, by location, by escaped name */
    db_school *v;
    int n = 0;
    db_school_filter f = {.authority_like = "410102", .after = "", .limit = 10};
    ck_assert_int_eq(db_school_list(conn, &f, arena, &v, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(v[0].code, "2141010290");
    db_school_filter g = {.authority_like = "4101%", .after = "", .limit = 10};
    ck_assert_int_eq(db_school_list(conn, &g, arena, &v, &n, &err), 0);
    ck_assert_int_eq(n, 2);
    db_school_filter h = {
        .county_like = "410102", .name_ilike = "%县管%", .after = "", .limit = 10};
    ck_assert_int_eq(db_school_list(conn, &h, arena, &v, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    db_school_filter k = {.name_ilike = "%\\%%", .after = "", .limit = 10};
    ck_assert_int_eq(db_school_list(conn, &k, arena, &v, &n, &err), 0);
    ck_assert_int_eq(n, 0);
    db_school_filter p = {.after = "2141010290", .limit = 10};
    ck_assert_int_eq(db_school_list(conn, &p, arena, &v, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(v[0].code, "2141010291");

    /* optimistic update */
    db_school u = a;
    u.name = "改名小学";
    ck_assert_int_eq(db_school_update(conn, &u, 1, arena, &out, &err), 0);
    ck_assert_int_eq(out.version, 2);
    ck_assert_int_eq(db_school_update(conn, &u, 1, arena, &out, &err), APP_EPRECOND);
    memcpy(u.code, "2141010299", 11);
    ck_assert_int_eq(db_school_update(conn, &u, 1, arena, &out, &err), APP_ENOTFOUND);

    /* locations: a county, a city without counties, not a city with counties */
    int ok = 0;
    ck_assert_int_eq(db_school_location_ok(conn, "410102", &ok, &err), 0);
    ck_assert(ok);
    ck_assert_int_eq(db_school_location_ok(conn, "441900", &ok, &err), 0);
    ck_assert(ok);
    ck_assert_int_eq(db_school_location_ok(conn, "410100", &ok, &err), 0);
    ck_assert(!ok);
    ck_assert_int_eq(db_school_location_ok(conn, "410000", &ok, &err), 0);
    ck_assert(!ok);
    ck_assert_int_eq(db_school_location_ok(conn, "999999", &ok, &err), 0);
    ck_assert(!ok);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("settings-db");
    TCase *tc = tcase_create("postgres");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_merge_order);
    tcase_add_test(tc, test_put_versions);
    tcase_add_test(tc, test_school_follows_authority);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
