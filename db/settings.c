/*
 * db/settings.c - region settings: stored overrides and their merge.
 */
#include "db/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * $1 the region, $2 the defaults. `layers` are the defaults (depth 1000) and
 * every stored override on the chain (depth 0 = the region itself);
 * jsonb_object_agg keeps the last value of a repeated key, so ordering by
 * depth descending lets the nearest region win.
 */
#define SETTINGS_WITH                                                                              \
    "WITH RECURSIVE up AS ("                                                                       \
    " SELECT code, parent, 0 AS depth FROM region WHERE code = $1"                                 \
    " UNION ALL"                                                                                   \
    " SELECT r.code, r.parent, up.depth + 1 FROM region r JOIN up ON r.code = up.parent"           \
    " WHERE up.depth < 8),"                                                                        \
    " layers AS ("                                                                                 \
    " SELECT $2::jsonb AS settings, 1000 AS depth"                                                 \
    " UNION ALL"                                                                                   \
    " SELECT rs.settings, up.depth FROM up JOIN region_settings rs ON rs.region = up.code),"       \
    " eff AS ("                                                                                    \
    " SELECT coalesce(jsonb_object_agg(e.key, e.value ORDER BY l.depth DESC), '{}'::jsonb) AS j"   \
    " FROM layers l, jsonb_each(l.settings) e)"

#define DASHLESS_INT(expr) "coalesce(replace(" expr ", '-', ''), '0')::int"

/* one column per typed setting, in the order typed_fill() reads them */
// clang-format off
static const db_stmt SQL_GET = {
    "settings_get", SETTINGS_WITH
    " SELECT (SELECT count(*) FROM up WHERE depth = 0), coalesce(own.settings, '{}')::text,"
    " coalesce(own.version, 0),"
    " coalesce(to_char(own.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),"
    " eff.j::text,"
    " " DASHLESS_INT("eff.j->>'entry_age_cutoff'") ","
    " (eff.j->>'entry_min_age')::int,"
    " " DASHLESS_INT("eff.j->'transfer_blackout'->>'from'") ","
    " " DASHLESS_INT("eff.j->'transfer_blackout'->>'until'") ","
    " coalesce((SELECT string_agg(f, ',' ORDER BY n)"
    "  FROM jsonb_array_elements_text(eff.j->'required_fields') WITH ORDINALITY t(f, n)), ''),"
    " coalesce((SELECT string_agg(replace(h, '-', ''), ',' ORDER BY h)"
    "  FROM jsonb_array_elements_text(eff.j->'holidays') h), ''),"
    " (eff.j->>'step_deadline_days')::int,"
    " coalesce((eff.j->>'province_approves_transfers')::boolean, false),"
    " coalesce((eff.j->'registration_window'->>'required')::boolean, false),"
    " " DASHLESS_INT("eff.j->'registration_window'->>'from'") ","
    " " DASHLESS_INT("eff.j->'registration_window'->>'until'") ","
    " coalesce((eff.j->>'import_upload_retention_days')::int, 7),"
    " " DASHLESS_INT("eff.j->'intake_window'->>'from'") ","
    " " DASHLESS_INT("eff.j->'intake_window'->>'until'") ","
    " " DASHLESS_INT("eff.j->>'school_year_start'") ","
    " " DASHLESS_INT("eff.j->>'second_term_start'") ","
    " coalesce((eff.j->>'transfer_backdate_days')::int, 90),"
    " coalesce((eff.j->>'family_members_required')::int, 2)"
    " FROM eff LEFT JOIN region_settings own ON own.region = $1"};
// clang-format on

static const db_stmt SQL_INSERT = {"settings_insert",
                                   "INSERT INTO region_settings (region, settings, updated_by)"
                                   " VALUES ($1, $2::jsonb, nullif($3, '0')::bigint)"
                                   " ON CONFLICT (region) DO NOTHING RETURNING version"};
static const db_stmt SQL_UPDATE = {
    "settings_update",
    "UPDATE region_settings SET settings = $2::jsonb, updated_by = nullif($3, '0')::bigint,"
    " version = version + 1, updated_at = now() WHERE region = $1 AND version = $4"
    " RETURNING version"};

static const db_stmt SQL_SCHOOL_AUTHORITY = {"settings_school_authority",
                                             "SELECT authority FROM school WHERE code = $1"};

/* Count the comma-separated items of s ("" has none). */
static int
count_items(const char *s)
{
    if (*s == '\0')
        return 0;
    int n = 1;
    for (; *s; s++)
        n += *s == ',';
    return n;
}

static void
typed_fill(const db_res *r, app_arena *a, db_settings *out)
{
    memset(out, 0, sizeof(*out));
    out->json = app_arena_strdup(a, db_res_get(r, 0, 4));
    out->entry_age_cutoff = (int)db_res_int(r, 0, 5);
    out->entry_min_age = (int)db_res_int(r, 0, 6);
    out->blackout_from = (int)db_res_int(r, 0, 7);
    out->blackout_until = (int)db_res_int(r, 0, 8);
    if (out->blackout_from == 0 || out->blackout_until == 0)
        out->blackout_from = out->blackout_until = 0;

    char *fields = app_arena_strdup(a, db_res_get(r, 0, 9));
    out->nrequired_fields = count_items(fields);
    out->required_fields = app_arena_alloc(a, sizeof(char *) * (size_t)(out->nrequired_fields + 1));
    for (int i = 0; i < out->nrequired_fields; i++) {
        out->required_fields[i] = fields;
        char *comma = strchr(fields, ',');
        if (comma != NULL) {
            *comma = '\0';
            fields = comma + 1;
        }
    }
    const char *days = db_res_get(r, 0, 10);
    out->nholidays = count_items(days);
    out->holidays = app_arena_alloc(a, sizeof(int) * (size_t)(out->nholidays + 1));
    for (int i = 0; i < out->nholidays; i++) {
        char *end;
        out->holidays[i] = (int)strtol(days, &end, 10);
        days = *end == ',' ? end + 1 : end;
    }
    out->step_deadline_days = (int)db_res_int(r, 0, 11);
    out->province_approves_transfers = db_res_get(r, 0, 12)[0] == 't';
    out->window_required = db_res_get(r, 0, 13)[0] == 't';
    out->window_from = (int)db_res_int(r, 0, 14);
    out->window_until = (int)db_res_int(r, 0, 15);
    out->import_upload_retention_days = (int)db_res_int(r, 0, 16);
    out->intake_from = (int)db_res_int(r, 0, 17);
    out->intake_until = (int)db_res_int(r, 0, 18);
    if (out->intake_from == 0 || out->intake_until == 0)
        out->intake_from = out->intake_until = 0;
    out->school_year_start = (int)db_res_int(r, 0, 19);
    out->second_term_start = (int)db_res_int(r, 0, 20);
    out->transfer_backdate_days = (int)db_res_int(r, 0, 21);
    out->family_members_required = (int)db_res_int(r, 0, 22);
}

/* Run SQL_GET; *out_res is NULL when the region does not exist. */
static int
run_get(db_conn *c, const char *code, db_res **out_res, app_err *err)
{
    const char *p[] = {code, DB_SETTINGS_DEFAULTS};
    db_res *r = NULL;
    *out_res = NULL;
    int rc = db_exec(c, &SQL_GET, 2, p, &r, err);
    if (rc != 0)
        return rc;
    if (db_res_nrows(r) != 1 || db_res_int(r, 0, 0) == 0) {
        db_res_free(r);
        return 0;
    }
    *out_res = r;
    return 0;
}

int
db_settings_get(db_conn *c, const char *code, app_arena *a, db_region_settings *out, int *out_found,
                app_err *err)
{
    db_res *r;
    int rc = run_get(c, code, &r, err);
    if (rc != 0)
        return rc;
    *out_found = r != NULL;
    if (r == NULL)
        return 0;
    memset(out, 0, sizeof(*out));
    snprintf(out->region, sizeof(out->region), "%s", code);
    out->settings = app_arena_strdup(a, db_res_get(r, 0, 1));
    out->version = (int)db_res_int(r, 0, 2);
    out->updated_at = app_arena_strdup(a, db_res_get(r, 0, 3));
    out->effective = app_arena_strdup(a, db_res_get(r, 0, 4));
    db_res_free(r);
    return 0;
}

int
db_settings_put(db_conn *c, const char *code, const char *settings_json, int expect_version,
                long long updated_by, int *out_version, app_err *err)
{
    char by[24], ver[16];
    snprintf(by, sizeof(by), "%lld", updated_by);
    snprintf(ver, sizeof(ver), "%d", expect_version);
    const char *p[] = {code, settings_json, by, ver};
    db_res *r = NULL;
    int rc = expect_version == 0 ? db_exec(c, &SQL_INSERT, 3, p, &r, err)
                                 : db_exec(c, &SQL_UPDATE, 4, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    if (n == 1)
        *out_version = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    if (n != 1)
        return app_err_set(err, APP_EPRECOND, "precondition_failed",
                           "settings of %s are not at version %d", code, expect_version);
    return 0;
}

int
db_settings_effective(db_conn *c, const char *code, app_arena *a, db_settings *out, app_err *err)
{
    db_res *r;
    int rc = run_get(c, code, &r, err);
    if (rc != 0)
        return rc;
    if (r == NULL)
        return app_err_set(err, APP_ENOTFOUND, "region_not_found", "region %s", code);
    typed_fill(r, a, out);
    db_res_free(r);
    return 0;
}

int
db_settings_for_school(db_conn *c, const char *school, app_arena *a, db_settings *out, app_err *err)
{
    const char *p[] = {school};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SCHOOL_AUTHORITY, 1, p, &r, err);
    if (rc != 0)
        return rc;
    if (db_res_nrows(r) != 1) {
        db_res_free(r);
        return app_err_set(err, APP_ENOTFOUND, "school_not_found", "school %s", school);
    }
    char authority[7];
    snprintf(authority, sizeof(authority), "%s", db_res_get(r, 0, 0));
    db_res_free(r);
    return db_settings_effective(c, authority, a, out, err);
}
