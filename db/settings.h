/*
 * db/settings.h - region settings (province rules, DOMAIN rules 14, 16, 21, 32).
 *
 * Each region may store overrides: a JSON object of setting keys (table
 * region_settings). The effective settings of a region are the defaults
 * (DB_SETTINGS_DEFAULTS) overridden key by key along the region's chain from
 * the top down: province, then city, then county; the nearest region wins.
 * A key is replaced whole (an object such as registration_window is not
 * merged member by member). The merge is one SQL statement (jsonb_each +
 * jsonb_object_agg ordered by depth: the last value of a key wins).
 *
 * The keys and their JSON types are those of DB_SETTINGS_DEFAULTS; api/
 * validates overrides before they are stored, so the typed read below may
 * assume them well formed (a malformed row is APP_EINTERNAL).
 */
#ifndef DB_SETTINGS_H
#define DB_SETTINGS_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* The defaults: every key, with its default value (DOMAIN §4-§8). */
#define DB_SETTINGS_DEFAULTS                                                                       \
    "{\"entry_age_cutoff\":\"08-31\","                                                             \
    "\"entry_min_age\":6,"                                                                         \
    "\"transfer_blackout\":{\"from\":\"07-15\",\"until\":\"08-14\"},"                              \
    "\"required_fields\":[\"name\",\"gender\",\"birth_date\",\"ethnicity\",\"nationality\","       \
    "\"id_type\",\"id_number\",\"hukou_region\",\"hukou_type\",\"grade\",\"class\","               \
    "\"enrolled_month\",\"entry_mode\",\"study_mode\",\"source\",\"distance_km\","                 \
    "\"transport\",\"school_bus\",\"family\"],"                                                    \
    "\"holidays\":[],"                                                                             \
    "\"step_deadline_days\":10,"                                                                   \
    "\"province_approves_transfers\":false,"                                                       \
    "\"registration_window\":{\"required\":false,\"from\":null,\"until\":null},"                   \
    "\"import_upload_retention_days\":7,"                                                          \
    "\"intake_window\":{\"from\":\"10-16\",\"until\":\"10-31\"},"                                  \
    "\"school_year_start\":\"09-01\",\"second_term_start\":\"03-01\","                             \
    "\"transfer_backdate_days\":90,"                                                               \
    "\"family_members_required\":2}"

/* One region's settings as stored and as merged. Strings in the arena. */
typedef struct db_region_settings {
    char region[7];
    const char *settings;   /* the region's own overrides, JSON text; "{}" when none */
    const char *effective;  /* the merge (defaults, ancestors, own), JSON text */
    int version;            /* 0 when the region never stored overrides */
    const char *updated_at; /* ISO 8601, "" when never */
} db_region_settings;

/*
 * The settings of region `code` (any level; the ministry "000000" has a chain of
 * itself only). *out_found = 0 when there is no such region.
 */
int db_settings_get(db_conn *c, const char *code, app_arena *a, db_region_settings *out,
                    int *out_found, app_err *err);

/*
 * Replace the overrides of `code` with `settings_json` (a JSON object) when
 * the stored version is still `expect_version` (0: none stored yet).
 * *out_version gets the new version. APP_EPRECOND when the version moved.
 * `updated_by` is the user id, 0 for none.
 */
int db_settings_put(db_conn *c, const char *code, const char *settings_json, int expect_version,
                    long long updated_by, int *out_version, app_err *err);

/* Effective settings, typed, for domain code. Dates as integers; 0 = not set. */
typedef struct db_settings {
    int entry_age_cutoff;              /* MMDD, e.g. 831 */
    int entry_min_age;                 /* years */
    int blackout_from, blackout_until; /* MMDD; both 0 when transfer_blackout is null */
    const char **required_fields;      /* JSON field names (API.md), in stored order */
    int nrequired_fields;
    int *holidays; /* YYYYMMDD, ascending */
    int nholidays;
    int step_deadline_days;
    int province_approves_transfers;
    int window_required;              /* registration_window.required */
    int window_from, window_until;    /* YYYYMMDD, 0 when null */
    int import_upload_retention_days; /* days an import's upload is kept after the job ends */
    int intake_from, intake_until;    /* MMDD: claims from the graduate pool (毕业库抽取);
                                         both 0 when intake_window is null (any day) */
    int school_year_start;            /* MMDD: school year Y starts on Y-MM-DD (901) */
    int second_term_start;            /* MMDD: its second term (301, core/school_year.h) */
    int transfer_backdate_days;       /* how far back a transfer's effective_date may go */
    int family_members_required;      /* 2: both family members; 1: the first only */
    const char *json;                 /* the effective settings as JSON text */
} db_settings;

/* The effective settings of region `code`. APP_ENOTFOUND (region_not_found) if no such region. */
int db_settings_effective(db_conn *c, const char *code, app_arena *a, db_settings *out,
                          app_err *err);

/*
 * The effective settings that govern school `school`: those of its competent
 * AUTHORITY (so a school its city manages directly follows the city, not the
 * county it stands in). APP_ENOTFOUND (school_not_found) if no such school.
 * Rule 32: core_window_check(out.window_required, out.window_from,
 * out.window_until, today, err) tells whether it may submit registrations.
 */
int db_settings_for_school(db_conn *c, const char *school, app_arena *a, db_settings *out,
                           app_err *err);

#endif
