/*
 * api/settings.c - validation of region settings overrides.
 */
#include "api/settings.h"

#include "core/settings.h"

#include <stdio.h>
#include <string.h>

#define MAX_HOLIDAYS 366
#define MAX_REQUIRED_FIELDS 64

/* Display order: that of DB_SETTINGS_DEFAULTS. */
static const char *const keys[] = {
    "entry_age_cutoff",
    "entry_min_age",
    "transfer_blackout",
    "required_fields",
    "holidays",
    "step_deadline_days",
    "province_approves_transfers",
    "registration_window",
    "import_upload_retention_days",
    "intake_window",
    "school_year_start",
    "second_term_start",
    "transfer_backdate_days",
    "family_members_required",
};

/* API.md "Student record fields", by JSON name. */
static const char *const student_fields[] = {
    "name",
    "gender",
    "birth_date",
    "birthplace",
    "native_place",
    "ethnicity",
    "nationality",
    "id_type",
    "id_number",
    "overseas_status",
    "political_status",
    "health",
    "photo",
    "name_pinyin",
    "former_name",
    "id_valid_until",
    "hukou_region",
    "hukou_type",
    "specialty",
    "aux_number",
    "seat_number",
    "grade",
    "class",
    "enrolled_month",
    "entry_mode",
    "study_mode",
    "source",
    "current_address",
    "mailing_address",
    "home_address",
    "phone",
    "postcode",
    "email",
    "homepage",
    "only_child",
    "preschool",
    "left_behind",
    "migrant_child",
    "orphan",
    "martyr_child",
    "inclusive_ed",
    "disability",
    "gov_funded_seat",
    "needs_aid",
    "boarding_subsidy",
    "distance_km",
    "transport",
    "school_bus",
    "family",
};

int
api_student_field_known(const char *name)
{
    for (size_t i = 0; i < sizeof(student_fields) / sizeof(student_fields[0]); i++)
        if (strcmp(student_fields[i], name) == 0)
            return 1;
    return 0;
}

/* base + "/" + token, the token escaped per RFC 6901 (~ -> ~0, / -> ~1). */
static void
pointer(char *out, size_t cap, const char *base, const char *token)
{
    size_t n = (size_t)snprintf(out, cap, "%s/", base);
    for (const char *t = token; *t && n + 3 < cap; t++) {
        if (*t == '~' || *t == '/') {
            out[n++] = '~';
            out[n++] = *t == '~' ? '0' : '1';
        } else {
            out[n++] = *t;
        }
    }
    out[n < cap ? n : cap - 1] = '\0';
}

static void
index_pointer(char *out, size_t cap, const char *base, size_t i)
{
    int n = snprintf(out, cap, "%s/%zu", base, i);
    if (n < 0 || (size_t)n >= cap)
        out[cap - 1] = '\0'; /* truncated: a field pointer is at most 63 bytes */
}

static int
mmdd_ok(const json_t *v)
{
    int x;
    return json_is_string(v) && core_mmdd_parse(json_string_value(v), &x) == 0;
}

/* A string "MM-DD" member. Returns problems added. */
static int
check_mmdd(const json_t *v, const char *ptr, app_err *err)
{
    if (!json_is_string(v)) {
        app_err_add(err, ptr, "wrong_type", NULL);
        return 1;
    }
    if (!mmdd_ok(v)) {
        app_err_add(err, ptr, "invalid_setting", "mmdd");
        return 1;
    }
    return 0;
}

/* A "YYYY-MM-DD" string, or null when `nullable`; *out_ymd 0 for null. */
static int
check_date(const json_t *v, int nullable, const char *ptr, int *out_ymd, app_err *err)
{
    *out_ymd = 0;
    if (nullable && json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        app_err_add(err, ptr, "wrong_type", NULL);
        return 1;
    }
    if (core_date_parse(json_string_value(v), out_ymd) != 0) {
        app_err_add(err, ptr, "invalid_setting", "date");
        return 1;
    }
    return 0;
}

static int
check_int(const json_t *v, long long lo, long long hi, const char *reason, const char *ptr,
          app_err *err)
{
    if (!json_is_integer(v)) {
        app_err_add(err, ptr, "wrong_type", NULL);
        return 1;
    }
    long long x = json_integer_value(v);
    if (x < lo || x > hi) {
        app_err_add(err, ptr, "invalid_setting", reason);
        return 1;
    }
    return 0;
}

/* Members of object `v` other than `allowed` (NULL-terminated) are unknown. */
static int
check_members(const json_t *v, const char *const *allowed, const char *ptr, app_err *err)
{
    int bad = 0;
    const char *k;
    json_t *m;
    json_object_foreach((json_t *)v, k, m)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, k) == 0;
        if (!ok) {
            char p[64];
            pointer(p, sizeof(p), ptr, k);
            app_err_add(err, p, "unknown_setting", NULL);
            bad++;
        }
    }
    return bad;
}

static int
check_blackout(const json_t *v, const char *ptr, app_err *err)
{
    static const char *const members[] = {"from", "until", NULL};
    if (json_is_null(v))
        return 0;
    if (!json_is_object(v)) {
        app_err_add(err, ptr, "wrong_type", NULL);
        return 1;
    }
    int bad = check_members(v, members, ptr, err);
    for (int i = 0; i < 2; i++) {
        char p[64];
        pointer(p, sizeof(p), ptr, members[i]);
        const json_t *m = json_object_get(v, members[i]);
        if (m == NULL) {
            app_err_add(err, p, "missing_field", NULL);
            bad++;
        } else {
            bad += check_mmdd(m, p, err);
        }
    }
    return bad;
}

static int
check_required_fields(const json_t *v, const char *ptr, app_err *err)
{
    if (!json_is_array(v)) {
        app_err_add(err, ptr, "wrong_type", NULL);
        return 1;
    }
    if (json_array_size(v) > MAX_REQUIRED_FIELDS) {
        app_err_add(err, ptr, "invalid_setting", "too_many");
        return 1;
    }
    int bad = 0;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        char p[64];
        index_pointer(p, sizeof(p), ptr, i);
        if (!json_is_string(item)) {
            app_err_add(err, p, "wrong_type", NULL);
            bad++;
            continue;
        }
        const char *name = json_string_value(item);
        if (!api_student_field_known(name)) {
            app_err_add(err, p, "invalid_setting", "student_field");
            bad++;
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            const json_t *prev = json_array_get(v, j);
            if (json_is_string(prev) && strcmp(json_string_value(prev), name) == 0) {
                app_err_add(err, p, "invalid_setting", "duplicate");
                bad++;
                break;
            }
        }
    }
    return bad;
}

static int
check_holidays(const json_t *v, const char *ptr, app_err *err)
{
    if (!json_is_array(v)) {
        app_err_add(err, ptr, "wrong_type", NULL);
        return 1;
    }
    if (json_array_size(v) > MAX_HOLIDAYS) {
        app_err_add(err, ptr, "invalid_setting", "too_many");
        return 1;
    }
    int bad = 0;
    size_t i;
    json_t *item;
    json_array_foreach(v, i, item)
    {
        char p[64];
        int ymd;
        index_pointer(p, sizeof(p), ptr, i);
        if (check_date(item, 0, p, &ymd, err) != 0) {
            bad++;
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            const json_t *prev = json_array_get(v, j);
            if (json_is_string(prev) &&
                strcmp(json_string_value(prev), json_string_value(item)) == 0) {
                app_err_add(err, p, "invalid_setting", "duplicate");
                bad++;
                break;
            }
        }
    }
    return bad;
}

static int
check_window(const json_t *v, const char *ptr, app_err *err)
{
    static const char *const members[] = {"required", "from", "until", NULL};
    if (!json_is_object(v)) {
        app_err_add(err, ptr, "wrong_type", NULL);
        return 1;
    }
    int bad = check_members(v, members, ptr, err);
    char p[64];
    pointer(p, sizeof(p), ptr, "required");
    const json_t *req = json_object_get(v, "required");
    if (req == NULL) {
        app_err_add(err, p, "missing_field", NULL);
        bad++;
    } else if (!json_is_boolean(req)) {
        app_err_add(err, p, "wrong_type", NULL);
        bad++;
    }
    int from = 0, until = 0, dbad = 0;
    const json_t *f = json_object_get(v, "from"), *u = json_object_get(v, "until");
    pointer(p, sizeof(p), ptr, "from");
    if (f != NULL)
        dbad += check_date(f, 1, p, &from, err);
    pointer(p, sizeof(p), ptr, "until");
    if (u != NULL)
        dbad += check_date(u, 1, p, &until, err);
    bad += dbad;
    if (dbad == 0 && (from == 0) != (until == 0)) {
        /* the bound that is missing */
        pointer(p, sizeof(p), ptr, from == 0 ? "from" : "until");
        app_err_add(err, p, "invalid_setting", "window_bounds");
        bad++;
    } else if (dbad == 0 && from > until) {
        pointer(p, sizeof(p), ptr, "until");
        app_err_add(err, p, "invalid_setting", "window_order");
        bad++;
    }
    return bad;
}

/* The two calendar month-days, when both are given, must differ (core/school_year.h). */
static int
check_calendar(const json_t *settings, const char *key, const char *ptr, app_err *err)
{
    const json_t *a = json_object_get(settings, "school_year_start");
    const json_t *b = json_object_get(settings, "second_term_start");
    if (strcmp(key, "second_term_start") != 0 || !mmdd_ok(a) || !mmdd_ok(b) ||
        strcmp(json_string_value(a), json_string_value(b)) != 0)
        return 0;
    app_err_add(err, ptr, "invalid_setting", "calendar");
    return 1;
}

int
api_settings_validate(const json_t *settings, const char *base, app_err *err)
{
    if (!json_is_object(settings)) {
        app_err_add(err, base, "wrong_type", NULL);
        return 1;
    }
    int bad = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)settings, k, v)
    {
        char p[64];
        pointer(p, sizeof(p), base, k);
        if (strcmp(k, "entry_age_cutoff") == 0)
            bad += check_mmdd(v, p, err);
        else if (strcmp(k, "entry_min_age") == 0)
            bad += check_int(v, 3, 10, "age", p, err);
        else if (strcmp(k, "transfer_blackout") == 0)
            bad += check_blackout(v, p, err);
        else if (strcmp(k, "required_fields") == 0)
            bad += check_required_fields(v, p, err);
        else if (strcmp(k, "holidays") == 0)
            bad += check_holidays(v, p, err);
        else if (strcmp(k, "step_deadline_days") == 0)
            bad += check_int(v, 1, 60, "days", p, err);
        else if (strcmp(k, "province_approves_transfers") == 0) {
            if (!json_is_boolean(v)) {
                app_err_add(err, p, "wrong_type", NULL);
                bad++;
            }
        } else if (strcmp(k, "registration_window") == 0)
            bad += check_window(v, p, err);
        else if (strcmp(k, "import_upload_retention_days") == 0)
            bad += check_int(v, 1, 30, "retention_days", p, err);
        else if (strcmp(k, "intake_window") == 0)
            bad += check_blackout(v, p, err); /* the same shape: {from, until} MM-DD, or null */
        else if (strcmp(k, "school_year_start") == 0 || strcmp(k, "second_term_start") == 0)
            bad += check_mmdd(v, p, err) || check_calendar(settings, k, p, err);
        else if (strcmp(k, "transfer_backdate_days") == 0)
            bad += check_int(v, 0, 365, "backdate_days", p, err);
        else if (strcmp(k, "family_members_required") == 0)
            bad += check_int(v, 1, 2, "family_members", p, err);
        else {
            app_err_add(err, p, "unknown_setting", NULL);
            bad++;
        }
    }
    return bad;
}

json_t *
api_settings_ordered(const json_t *obj)
{
    json_t *out = json_object();
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *v = json_object_get(obj, keys[i]);
        if (v != NULL)
            json_object_set(out, keys[i], v);
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        if (json_object_get(out, k) == NULL)
            json_object_set(out, k, v);
    }
    return out;
}
