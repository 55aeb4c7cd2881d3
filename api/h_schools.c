/*
 * api/h_schools.c - schools and their classes (API.md "Organisation").
 *
 * Jurisdiction (docs/decisions/0004): every school route goes through
 * load_school(), which fetches the row and applies core_actor_sees_school():
 * a school the caller does not see is 404 school_not_found whether or not it
 * exists; a visible school the caller may not change is 403 forbidden.
 * Lists filter in SQL with the same rule (authority prefix), and the tests
 * check the SQL against the core predicate. A merge (学校合并) applies the
 * same predicate in core/school_merge.c, inside its own transaction.
 *
 * Validation reports every bad field at once (app_err_add); a request with one
 * bad field answers that field's code, with several `validation_failed`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/registry.h"
#include "core/grade.h"
#include "core/region.h"
#include "core/school_merge.h"
#include "core/schoolcode.h"
#include "db/refdata.h"
#include "db/school.h"

#define NAME_MAX_CHARS 100
#define CLASS_NAME_MAX_CHARS 100
#define Q_MAX_CHARS 100

/* ------------------------------------------------------------ helpers */

int
api_fail_items(app_err *err)
{
    if (err->nitems == 0)
        return 0;
    if (err->nitems == 1) {
        app_err_set(err, APP_EINVAL, err->items[0].code, NULL);
        app_err_field(err, err->items[0].field);
        app_err_param(err, err->items[0].param);
    } else {
        app_err_set(err, APP_EINVAL, "validation_failed", NULL);
    }
    return APP_EINVAL;
}

/* Characters of a UTF-8 string (jansson strings are valid UTF-8). */
static size_t
utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/*
 * A display name: leading and trailing blanks dropped, 1..max characters, no
 * control characters. The trimmed copy (arena) or NULL.
 */
static const char *
clean_name(api_call *c, const char *s, size_t max)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *out = app_arena_strndup(c->arena, s, n);
    for (const char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return NULL;
    size_t chars = utf8_chars(out);
    return chars >= 1 && chars <= max ? out : NULL;
}

static int
n_digits(const char *s, size_t n)
{
    if (s == NULL || strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* A JSON string without an embedded NUL (C strings would cut it short). */
static int
is_text(const json_t *v)
{
    return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
}

/* A code given as a string of digits or as an integer (2 digits), or -1. */
static int
small_code(const json_t *v)
{
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        return x >= 0 && x <= 99 ? (int)x : -1;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        return n_digits(s, 2) ? (s[0] - '0') * 10 + (s[1] - '0') : -1;
    }
    return -1;
}

/* Members of the body not in `allowed` (NULL-terminated); `read_only` ones get their own code. */
static void
check_members(api_call *c, app_err *e, const char *const *allowed, const char *const *read_only)
{
    const char *k;
    json_t *v;
    json_object_foreach(c->json, k, v) {
        int ok = 0, ro = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, k) == 0;
        for (const char *const *a = read_only; a && *a; a++)
            ro |= strcmp(*a, k) == 0;
        if (!ok) {
            char p[64];
            snprintf(p, sizeof(p), "/%s", k);
            app_err_add(e, p, ro ? "field_not_editable" : "unknown_field", NULL);
        }
    }
}

static char *
dump(api_call *c, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(j);
    char *out = app_arena_strdup(c->arena, s ? s : "{}");
    free(s);
    return out;
}

static int
is_bureau(const core_actor *a)
{
    return a->level >= CORE_LEVEL_COUNTY;
}

static json_t *
school_json(const db_school *s)
{
    char cat[8];
    snprintf(cat, sizeof(cat), "%02d", s->category);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s,s:b,s:s?,s:i,s:s,s:s}", "code",
                     s->code, "name", s->name, "county", s->county, "county_name",
                     s->county_name, "authority", s->authority, "authority_name",
                     s->authority_name, "province", s->province, "category", cat,
                     "category_label", core_school_category_label(s->category), "system",
                     s->system, "closed", s->closed, "merged_into", s->merged_into, "version",
                     s->version, "created_at", s->created_at, "updated_at", s->updated_at);
}

/*
 * The loader: school `code` if the caller sees it (lock: FOR UPDATE, inside
 * the caller's transaction). Not there or not visible: APP_ENOTFOUND
 * school_not_found, the same answer either way.
 */
static int
load_school(api_call *c, db_conn *db, const char *code, int lock, db_school *out)
{
    int found = 0;
    int rc = lock ? db_school_get_for_update(db, code, c->arena, out, &found, &c->err)
                  : db_school_get(db, code, c->arena, out, &found, &c->err);
    if (rc != 0)
        return rc;
    core_school_ref ref = {out->code, out->county, out->authority};
    if (!found || !core_actor_sees_school(&c->actor, &ref))
        return app_err_set(&c->err, APP_ENOTFOUND, "school_not_found", "school %s", code);
    return 0;
}

/* A path {code} that cannot be a school code is a school we do not have. */
static const char *
path_code(api_call *c)
{
    const char *code = api_param(c, "code");
    if (!n_digits(code, 10)) {
        api_fail_code(c, APP_ENOTFOUND, "school_not_found", NULL);
        return NULL;
    }
    return code;
}

/*
 * Is `authority` a valid competent authority for a school located in
 * `county`: the county itself or a region above it (its city, its province),
 * never the ministry? Uses the region tree (docs/decisions/0002), not the
 * shape of the codes.
 */
static int
authority_contains_county(api_call *c, db_conn *db, const char *county, const char *authority,
                          int *out_ok)
{
    db_region *v;
    int n = 0;
    int rc = db_region_get_with_ancestors(db, county, c->arena, &v, &n, &c->err);
    if (rc != 0)
        return rc;
    *out_ok = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].code, authority) == 0 && strcmp(v[i].level, "ministry") != 0)
            *out_ok = 1;
    return 0;
}

/* A region code shaped like a bureau below the ministry (county, city, province). */
static int
bureau_code(const char *s)
{
    core_level l = s ? core_region_code_level(s, strlen(s)) : CORE_LEVEL_NONE;
    return l == CORE_LEVEL_COUNTY || l == CORE_LEVEL_CITY || l == CORE_LEVEL_PROVINCE;
}

/* ---- GET /api/v1/schools?region=&q=&limit=&cursor= ---- */

typedef struct list_args {
    db_school_filter f;
    const char *region;
} list_args;

/* The LIKE pattern of the codes a region code contains: PP%, PPCC%, or itself. */
static const char *
region_pattern(api_call *c, const char *code)
{
    char *like = app_arena_alloc(c->arena, 8);
    core_region_like(code, like);
    return like;
}

static int
job_schools_list(api_call *c, db_conn *db)
{
    list_args *a = c->data;
    if (a->region != NULL) {
        db_region *v;
        int n = 0;
        int rc = db_region_get_with_ancestors(db, a->region, c->arena, &v, &n, &c->err);
        if (rc != 0)
            return rc;
        /* a bureau filters within its region, a school user by a region it stands in */
        int sees = n > 0 && strcmp(v[0].level, "ministry") != 0;
        if (sees && is_bureau(&c->actor)) {
            sees = core_actor_sees_region(&c->actor, a->region);
        } else if (sees) {
            db_school own;
            int found = 0;
            if ((rc = db_school_get(db, c->actor.org, c->arena, &own, &found, &c->err)) != 0)
                return rc;
            sees = found && core_region_contains(a->region, own.county);
        }
        if (!sees) {
            app_err_field(&c->err, "/query/region");
            return app_err_set(&c->err, APP_ENOTFOUND, "region_not_found", NULL);
        }
        a->f.county_like = region_pattern(c, a->region);
    }
    int limit = a->f.limit;
    a->f.limit = limit + 1; /* one extra row tells whether there is a next page */
    db_school *v;
    int n = 0;
    int rc = db_school_list(db, &a->f, c->arena, &v, &n, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    int shown = n > limit ? limit : n;
    for (int i = 0; i < shown; i++)
        json_array_append_new(items, school_json(&v[i]));
    json_t *o = json_pack("{s:o}", "items", items);
    json_object_set_new(o, "next_cursor", n > limit ? json_string(v[shown - 1].code) : json_null());
    api_reply_json(c, 200, o);
    return 0;
}

/* LIKE-escape `s` (\ % _) and wrap it in %...%. */
static const char *
contains_pattern(api_call *c, const char *s)
{
    size_t n = strlen(s);
    char *out = app_arena_alloc(c->arena, 2 * n + 3), *o = out;
    *o++ = '%';
    for (; *s; s++) {
        if (*s == '\\' || *s == '%' || *s == '_')
            *o++ = '\\';
        *o++ = *s;
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

void
h_schools_list(api_call *c)
{
    list_args *a = app_arena_alloc(c->arena, sizeof(*a));
    const char *region = api_query(c, "region");
    const char *q = api_query(c, "q");
    const char *cursor = api_query(c, "cursor");
    if (region != NULL && *region != '\0') {
        if (!n_digits(region, 6)) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/region");
            return;
        }
        a->region = region;
    }
    if (q != NULL && *q != '\0') {
        if (utf8_chars(q) > Q_MAX_CHARS) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/q");
            return;
        }
        a->f.name_ilike = contains_pattern(c, q);
    }
    a->f.after = "";
    if (cursor != NULL && *cursor != '\0') {
        if (!n_digits(cursor, 10)) {
            api_fail_code(c, APP_EINVAL, "invalid_cursor", "/query/cursor");
            return;
        }
        a->f.after = cursor;
    }
    if (api_list_limit(c, &a->f.limit) != 0)
        return;
    /* the jurisdiction, in SQL: the same rule as core_actor_sees_school() */
    const core_actor *ac = &c->actor;
    switch (ac->level) {
    case CORE_LEVEL_MINISTRY: break;
    case CORE_LEVEL_PROVINCE:
    case CORE_LEVEL_CITY:
    case CORE_LEVEL_COUNTY: a->f.authority_like = region_pattern(c, ac->org); break;
    case CORE_LEVEL_SCHOOL: a->f.code = ac->org; break;
    default: api_fail_code(c, APP_EFORBIDDEN, "forbidden", NULL); return;
    }
    c->data = a;
    api_submit(c, job_schools_list);
}

/* ---- POST /api/v1/schools ---- */

typedef struct create_args {
    db_school s;
    app_err pre; /* problems found before the job */
    int authority_given;
} create_args;

static int
job_school_create(api_call *c, db_conn *db)
{
    create_args *a = c->data;
    db_school *s = &a->s;
    c->err = a->pre;
    int code_ok = 1, county_ok = 1;
    for (int i = 0; i < c->err.nitems; i++) {
        code_ok &= strcmp(c->err.items[i].field, "/code") != 0;
        county_ok &= strcmp(c->err.items[i].field, "/county") != 0;
    }
    int rc;
    if (county_ok) {
        int ok = 0;
        if ((rc = db_school_location_ok(db, s->county, &ok, &c->err)) != 0)
            return rc;
        if (!ok) {
            app_err_add(&c->err, "/county", "unknown_county", NULL);
            county_ok = 0;
        }
    }
    if (county_ok && code_ok && strncmp(s->code + 2, s->county, 2) != 0)
        app_err_add(&c->err, "/county", "province_mismatch", NULL);
    int authority_ok = 1;
    for (int i = 0; i < c->err.nitems; i++)
        authority_ok &= strcmp(c->err.items[i].field, "/authority") != 0;
    if (county_ok && authority_ok) {
        int ok = 0;
        if ((rc = authority_contains_county(c, db, s->county, s->authority, &ok)) != 0)
            return rc;
        if (!ok)
            app_err_add(&c->err, a->authority_given ? "/authority" : "/county",
                        "invalid_authority", NULL);
    }
    if (c->err.nitems > 0)
        return api_fail_items(&c->err);
    if (!core_actor_sees_region(&c->actor, s->authority)) {
        app_err_field(&c->err, a->authority_given ? "/authority" : "/county");
        return app_err_set(&c->err, APP_EFORBIDDEN, "authority_out_of_jurisdiction", NULL);
    }
    snprintf(s->province, sizeof(s->province), "%.2s0000", s->county);

    db_school out;
    if ((rc = db_begin(db, &c->err)) != 0)
        return rc;
    rc = db_school_insert(db, s, NULL, c->arena, &out, &c->err);
    if (rc == APP_ECONFLICT)
        app_err_field(&c->err, "/code");
    if (rc != 0)
        return rc;
    json_t *d = json_pack("{s:s,s:s,s:s,s:s,s:i,s:s}", "code", out.code, "name", out.name,
                          "county", out.county, "authority", out.authority, "category",
                          out.category, "system", out.system);
    api_audit(c, db, "school_create", "school", out.code, dump(c, d));
    if ((rc = c->err.code) != 0 || (rc = db_commit(db, &c->err)) != 0)
        return rc;
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/schools/%s", out.code);
    api_header(c, "location", loc);
    api_etag(c, out.version);
    api_reply_json(c, 201, school_json(&out));
    return 0;
}

void
h_school_create(api_call *c)
{
    if (!is_bureau(&c->actor)) {
        api_fail_code(c, APP_EFORBIDDEN, "forbidden", NULL);
        return;
    }
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    static const char *const allowed[] = {"code",     "name",   "county", "authority",
                                          "category", "system", NULL};
    create_args *a = app_arena_alloc(c->arena, sizeof(*a));
    app_err *e = &a->pre;
    db_school *s = &a->s;
    check_members(c, e, allowed, NULL);

    core_school_code sc = {0};
    json_t *v = json_object_get(c->json, "code");
    if (v == NULL || json_is_null(v)) {
        app_err_add(e, "/code", "missing_field", NULL);
    } else if (!is_text(v)) {
        app_err_add(e, "/code", "wrong_type", NULL);
    } else {
        app_err pe = {0};
        if (core_school_code_parse(json_string_value(v), json_string_length(v), &sc, &pe) != 0)
            app_err_add(e, "/code", "invalid_school_code", pe.param);
        else
            snprintf(s->code, sizeof(s->code), "%s", sc.code);
    }

    v = json_object_get(c->json, "name");
    if (v == NULL || json_is_null(v))
        app_err_add(e, "/name", "missing_field", NULL);
    else if (!is_text(v))
        app_err_add(e, "/name", "wrong_type", NULL);
    else if ((s->name = clean_name(c, json_string_value(v), NAME_MAX_CHARS)) == NULL)
        app_err_add(e, "/name", "invalid_name", NULL);

    v = json_object_get(c->json, "county");
    if (v == NULL || json_is_null(v))
        app_err_add(e, "/county", "missing_field", NULL);
    else if (!is_text(v))
        app_err_add(e, "/county", "wrong_type", NULL);
    else if (!n_digits(json_string_value(v), 6) ||
             core_region_code_level(json_string_value(v), 6) == CORE_LEVEL_NONE)
        app_err_add(e, "/county", "unknown_county", NULL);
    else
        snprintf(s->county, sizeof(s->county), "%s", json_string_value(v));

    v = json_object_get(c->json, "authority");
    if (v != NULL && !json_is_null(v)) {
        a->authority_given = 1;
        if (!is_text(v))
            app_err_add(e, "/authority", "wrong_type", NULL);
        else if (!n_digits(json_string_value(v), 6) || !bureau_code(json_string_value(v)))
            app_err_add(e, "/authority", "invalid_authority", NULL);
        else
            snprintf(s->authority, sizeof(s->authority), "%s", json_string_value(v));
    } else {
        memcpy(s->authority, s->county, sizeof(s->authority));
    }

    v = json_object_get(c->json, "category");
    if (v != NULL && !json_is_null(v)) {
        int cat = small_code(v);
        if (!is_text(v) && !json_is_integer(v))
            app_err_add(e, "/category", "wrong_type", NULL);
        else if (sc.code[0] != '\0' && cat != sc.category)
            app_err_add(e, "/category", "category_mismatch", NULL);
    }
    s->category = sc.category;

    v = json_object_get(c->json, "system");
    s->system = "63";
    if (v != NULL && !json_is_null(v)) {
        if (!is_text(v))
            app_err_add(e, "/system", "wrong_type", NULL);
        else if (!core_school_system_valid(json_string_value(v)))
            app_err_add(e, "/system", "invalid_school_system", NULL);
        else
            s->system = json_string_value(v);
    }
    c->data = a;
    api_submit(c, job_school_create);
}

/* ---- GET /api/v1/schools/{code} ---- */

static int
job_school_get(api_call *c, db_conn *db)
{
    db_school s;
    int rc = load_school(c, db, api_param(c, "code"), 0, &s);
    if (rc != 0)
        return rc;
    api_etag(c, s.version);
    api_reply_json(c, 200, school_json(&s));
    return 0;
}

void
h_school_get(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    api_submit(c, job_school_get);
}

/* ---- PATCH /api/v1/schools/{code} ---- */

typedef struct patch_args {
    int if_match;
    const char *name, *authority, *system;
    int closed; /* -1: not given */
} patch_args;

/* Add {"field": {"from": a, "to": b}} to changes when they differ. */
static void
change_str(json_t *changes, const char *field, const char *from, const char *to)
{
    if (to != NULL && strcmp(from, to) != 0)
        json_object_set_new(changes, field, json_pack("{s:s,s:s}", "from", from, "to", to));
}

static int
job_school_patch(api_call *c, db_conn *db)
{
    patch_args *a = c->data;
    db_school s;
    int rc = db_begin(db, &c->err);
    if (rc == 0)
        rc = load_school(c, db, api_param(c, "code"), 1, &s);
    if (rc != 0)
        return rc;
    if (!is_bureau(&c->actor))
        return app_err_set(&c->err, APP_EFORBIDDEN, "forbidden", NULL);
    if (a->if_match != s.version) {
        app_err_field(&c->err, "/headers/if-match");
        return app_err_set(&c->err, APP_EPRECOND, "precondition_failed", NULL);
    }

    json_t *changes = json_object();
    change_str(changes, "name", s.name, a->name);
    change_str(changes, "authority", s.authority, a->authority);
    change_str(changes, "system", s.system, a->system);
    if (a->closed >= 0 && a->closed != s.closed)
        json_object_set_new(changes, "closed", json_pack("{s:b,s:b}", "from", s.closed, "to",
                                                         a->closed));
    if (a->closed == 0 && s.merged_into != NULL) {
        json_decref(changes);
        app_err_field(&c->err, "/closed");
        return app_err_set(&c->err, APP_ECONFLICT, "school_merged", "merged into %s",
                           s.merged_into);
    }
    if (json_object_get(changes, "authority") != NULL) {
        int ok = 0;
        if ((rc = authority_contains_county(c, db, s.county, a->authority, &ok)) != 0) {
            json_decref(changes);
            return rc;
        }
        if (!ok) {
            json_decref(changes);
            app_err_field(&c->err, "/authority");
            return app_err_set(&c->err, APP_EINVAL, "invalid_authority", NULL);
        }
        /* the old authority is visible (the loader), the new one must be too */
        if (!core_actor_sees_region(&c->actor, a->authority)) {
            json_decref(changes);
            app_err_field(&c->err, "/authority");
            return app_err_set(&c->err, APP_EFORBIDDEN, "authority_out_of_jurisdiction", NULL);
        }
    }
    if (json_object_get(changes, "system") != NULL) {
        /* every existing class must still fit the school */
        int *grades, n = 0;
        if ((rc = db_class_grades(db, s.code, c->arena, &grades, &n, &c->err)) != 0) {
            json_decref(changes);
            return rc;
        }
        for (int i = 0; i < n; i++) {
            if (!core_grade_fits_school(s.category, a->system, grades[i])) {
                json_decref(changes);
                app_err_field(&c->err, "/system");
                return app_err_set(&c->err, APP_ECONFLICT, "system_conflicts_with_classes",
                                   "grade %d", grades[i]);
            }
        }
    }
    if (json_object_size(changes) == 0) {
        /* nothing to change: no new version, no audit row */
        json_decref(changes);
        db_rollback(db);
        api_etag(c, s.version);
        api_reply_json(c, 200, school_json(&s));
        return 0;
    }
    db_school next = s;
    if (a->name)
        next.name = a->name;
    if (a->authority)
        memcpy(next.authority, a->authority, sizeof(next.authority));
    if (a->system)
        next.system = a->system;
    if (a->closed >= 0)
        next.closed = a->closed;
    db_school out;
    rc = db_school_update(db, &next, s.version, c->arena, &out, &c->err);
    if (rc != 0) {
        json_decref(changes);
        return rc;
    }
    api_audit(c, db, "school_update", "school", s.code,
              dump(c, json_pack("{s:o,s:i}", "changes", changes, "version", out.version)));
    if ((rc = c->err.code) != 0 || (rc = db_commit(db, &c->err)) != 0)
        return rc;
    api_etag(c, out.version);
    api_reply_json(c, 200, school_json(&out));
    return 0;
}

void
h_school_patch(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    patch_args *a = app_arena_alloc(c->arena, sizeof(*a));
    a->closed = -1;
    if (api_if_match(c, &a->if_match) != 0)
        return;
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    static const char *const allowed[] = {"name", "authority", "system", "closed", NULL};
    static const char *const read_only[] = {
        "code",        "county",         "province",   "category",   "category_label",
        "county_name", "authority_name", "version",    "created_at", "updated_at",
        "merged_into", NULL};
    app_err e = {0};
    check_members(c, &e, allowed, read_only);
    json_t *v = json_object_get(c->json, "name");
    if (v != NULL) {
        if (!is_text(v))
            app_err_add(&e, "/name", "wrong_type", NULL);
        else if ((a->name = clean_name(c, json_string_value(v), NAME_MAX_CHARS)) == NULL)
            app_err_add(&e, "/name", "invalid_name", NULL);
    }
    v = json_object_get(c->json, "authority");
    if (v != NULL) {
        if (!is_text(v))
            app_err_add(&e, "/authority", "wrong_type", NULL);
        else if (!n_digits(json_string_value(v), 6) || !bureau_code(json_string_value(v)))
            app_err_add(&e, "/authority", "invalid_authority", NULL);
        else
            a->authority = app_arena_strdup(c->arena, json_string_value(v));
    }
    v = json_object_get(c->json, "system");
    if (v != NULL) {
        if (!is_text(v))
            app_err_add(&e, "/system", "wrong_type", NULL);
        else if (!core_school_system_valid(json_string_value(v)))
            app_err_add(&e, "/system", "invalid_school_system", NULL);
        else
            a->system = app_arena_strdup(c->arena, json_string_value(v));
    }
    v = json_object_get(c->json, "closed");
    if (v != NULL) {
        if (!json_is_boolean(v))
            app_err_add(&e, "/closed", "wrong_type", NULL);
        else
            a->closed = json_is_true(v);
    }
    if (api_fail_items(&e) != 0) {
        api_fail(c, &e);
        return;
    }
    c->data = a;
    api_submit(c, job_school_patch);
}

/* ---- POST /api/v1/schools/{code}/merge ---- */

/* The shape of the body here; the rules, the jurisdiction (the same predicate
   as load_school() for {code}) and the effect are core_school_merge()'s. */

static int
job_school_merge(api_call *c, db_conn *db)
{
    const char *into = c->data;
    core_op op;
    api_op(c, &op);
    core_merge_result m;
    int rc = core_school_merge(db, &op, api_param(c, "code"), into, &m, &c->err);
    if (rc == APP_EINVAL && c->err.nitems > 0 && c->err.slug == NULL)
        api_fail_items(&c->err);
    if (rc != 0)
        return rc;
    json_t *renumbered = json_array();
    for (int i = 0; i < m.nrenumbered; i++) {
        const db_renumber *k = &m.renumbered[i];
        char grade[8];
        snprintf(grade, sizeof(grade), "%d", k->grade);
        json_array_append_new(renumbered, json_pack("{s:s,s:i,s:i}", "grade", grade, "from",
                                                    k->from, "to", k->to));
    }
    api_reply_json(c, 200,
                   json_pack("{s:s,s:s,s:I,s:I,s:o}", "from", m.from, "into", m.into, "students",
                             (json_int_t)m.students, "classes", (json_int_t)m.classes,
                             "renumbered", renumbered));
    return 0;
}

void
h_school_merge(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    static const char *const allowed[] = {"into", NULL};
    app_err e = {0};
    check_members(c, &e, allowed, NULL);
    char *into = NULL;
    json_t *v = json_object_get(c->json, "into");
    if (v == NULL || json_is_null(v)) {
        app_err_add(&e, "/into", "missing_field", NULL);
    } else if (!is_text(v)) {
        app_err_add(&e, "/into", "wrong_type", NULL);
    } else {
        core_school_code sc;
        app_err pe = {0};
        if (core_school_code_parse(json_string_value(v), json_string_length(v), &sc, &pe) != 0)
            app_err_add(&e, "/into", "invalid_school_code", pe.param);
        else
            into = app_arena_strdup(c->arena, sc.code);
    }
    if (api_fail_items(&e) != 0) {
        api_fail(c, &e);
        return;
    }
    c->data = into;
    api_submit(c, job_school_merge);
}

/* ---- GET /api/v1/schools/{code}/classes ---- */

typedef struct classes_args {
    int after_grade, after_number, limit;
} classes_args;

static json_t *
class_json(const db_class *k)
{
    char grade[8];
    snprintf(grade, sizeof(grade), "%d", k->grade);
    json_t *o = json_pack("{s:I,s:s,s:s,s:s?,s:i,s:s}", "id", (json_int_t)k->id, "school",
                          k->school, "grade", grade, "grade_label", core_grade_label(k->grade),
                          "number", k->number, "name", k->name);
    json_object_set_new(o, "size_limit", k->size_limit > 0 ? json_integer(k->size_limit)
                                                           : json_null());
    json_object_set_new(o, "version", json_integer(k->version));
    json_object_set_new(o, "created_at", json_string(k->created_at));
    return o;
}

static int
job_classes_list(api_call *c, db_conn *db)
{
    classes_args *a = c->data;
    db_school s;
    int rc = load_school(c, db, api_param(c, "code"), 0, &s);
    if (rc != 0)
        return rc;
    db_class *v;
    int n = 0;
    rc = db_class_list(db, s.code, a->after_grade, a->after_number, a->limit + 1, c->arena, &v,
                       &n, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    int shown = n > a->limit ? a->limit : n;
    for (int i = 0; i < shown; i++)
        json_array_append_new(items, class_json(&v[i]));
    json_t *o = json_pack("{s:o}", "items", items);
    json_object_set_new(o, "next_cursor",
                        n > a->limit ? json_sprintf("%02d%02d", v[shown - 1].grade,
                                                    v[shown - 1].number)
                                     : json_null());
    api_reply_json(c, 200, o);
    return 0;
}

void
h_classes_list(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    classes_args *a = app_arena_alloc(c->arena, sizeof(*a));
    const char *cursor = api_query(c, "cursor");
    if (cursor != NULL && *cursor != '\0') {
        /* GGNN: the grade and class number of the last item of the previous page */
        if (!n_digits(cursor, 4)) {
            api_fail_code(c, APP_EINVAL, "invalid_cursor", "/query/cursor");
            return;
        }
        a->after_grade = (cursor[0] - '0') * 10 + (cursor[1] - '0');
        a->after_number = (cursor[2] - '0') * 10 + (cursor[3] - '0');
    }
    if (api_list_limit(c, &a->limit) != 0)
        return;
    c->data = a;
    api_submit(c, job_classes_list);
}

/* ---- POST /api/v1/schools/{code}/classes ---- */

static int
job_class_create(api_call *c, db_conn *db)
{
    db_class *k = c->data;
    db_school s;
    int rc = load_school(c, db, api_param(c, "code"), 0, &s);
    if (rc != 0)
        return rc;
    /* the school's registrar, or a bureau over it; grade leaders and head teachers not */
    if (!is_bureau(&c->actor) && c->actor.staff_role != CORE_STAFF_REGISTRAR)
        return app_err_set(&c->err, APP_EFORBIDDEN, "forbidden", NULL);
    if (s.closed)
        return app_err_set(&c->err, APP_ECONFLICT, "school_closed", NULL);
    if (!core_grade_fits_school(s.category, s.system, k->grade)) {
        app_err_field(&c->err, "/grade");
        return app_err_set(&c->err, APP_EINVAL, "grade_not_in_school", "category %d system %s",
                           s.category, s.system);
    }
    memcpy(k->school, s.code, sizeof(k->school));
    if (k->name == NULL) {
        char name[CORE_CLASS_NAME_MAX];
        core_class_default_name(k->grade, k->number, name, sizeof(name));
        k->name = app_arena_strdup(c->arena, name);
    }
    db_class out;
    if ((rc = db_begin(db, &c->err)) != 0)
        return rc;
    rc = db_class_insert(db, k, NULL, c->arena, &out, &c->err);
    if (rc == APP_ECONFLICT)
        app_err_field(&c->err, "/number");
    if (rc != 0)
        return rc;
    char id[24];
    snprintf(id, sizeof(id), "%lld", out.id);
    json_t *d = json_pack("{s:s,s:i,s:i,s:s}", "school", out.school, "grade", out.grade,
                          "number", out.number, "name", out.name);
    json_object_set_new(d, "size_limit", out.size_limit ? json_integer(out.size_limit)
                                                        : json_null());
    api_audit(c, db, "class_create", "class", id, dump(c, d));
    if ((rc = c->err.code) != 0 || (rc = db_commit(db, &c->err)) != 0)
        return rc;
    api_etag(c, out.version);
    api_reply_json(c, 201, class_json(&out));
    return 0;
}

void
h_class_create(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    static const char *const allowed[] = {"grade", "number", "name", "size_limit", NULL};
    static const char *const read_only[] = {"id", "school", "grade_label", "version",
                                            "created_at", NULL};
    db_class *k = app_arena_alloc(c->arena, sizeof(*k));
    app_err e = {0};
    check_members(c, &e, allowed, read_only);

    json_t *v = json_object_get(c->json, "grade");
    if (v == NULL || json_is_null(v))
        app_err_add(&e, "/grade", "missing_field", NULL);
    else if (!is_text(v) && !json_is_integer(v))
        app_err_add(&e, "/grade", "wrong_type", NULL);
    else if (!core_grade_valid(k->grade = small_code(v)))
        app_err_add(&e, "/grade", "invalid_grade", NULL);

    v = json_object_get(c->json, "number");
    if (v == NULL || json_is_null(v))
        app_err_add(&e, "/number", "missing_field", NULL);
    else if (!json_is_integer(v))
        app_err_add(&e, "/number", "wrong_type", NULL);
    else if (json_integer_value(v) < 1 || json_integer_value(v) > CORE_CLASS_NUMBER_MAX)
        app_err_add(&e, "/number", "invalid_class_number", NULL);
    else
        k->number = (int)json_integer_value(v);

    v = json_object_get(c->json, "name");
    if (v != NULL && !json_is_null(v)) {
        if (!is_text(v))
            app_err_add(&e, "/name", "wrong_type", NULL);
        else if ((k->name = clean_name(c, json_string_value(v), CLASS_NAME_MAX_CHARS)) == NULL)
            app_err_add(&e, "/name", "invalid_name", NULL);
    }

    v = json_object_get(c->json, "size_limit");
    if (v != NULL && !json_is_null(v)) {
        if (!json_is_integer(v))
            app_err_add(&e, "/size_limit", "wrong_type", NULL);
        else if (json_integer_value(v) < 1 || json_integer_value(v) > CORE_CLASS_SIZE_MAX)
            app_err_add(&e, "/size_limit", "invalid_size_limit", NULL);
        else
            k->size_limit = (int)json_integer_value(v);
    }
    if (api_fail_items(&e) != 0) {
        api_fail(c, &e);
        return;
    }
    c->data = k;
    api_submit(c, job_class_create);
}
