/*
 * api/h_users.c - accounts managed by their superiors (DOMAIN §8, rule 29):
 * GET/POST /users, GET/PATCH /users/{id}, POST /users/{id}/password-reset,
 * POST /users/{id}/unlock.
 *
 * Who manages whom (one predicate, manages(), used by every /users/{id} route):
 *   - a bureau account (county..province) is managed by every bureau strictly
 *     above its org (core_org_is_superior);
 *   - a school account by every bureau whose region contains the school's
 *     competent authority (core_org_is_superior_of_school), and by that
 *     school's registrars;
 *   - nobody manages their own account here (that is /me), and service clients
 *     manage nothing.
 * An account the caller does not manage answers 404 user_not_found, so its
 * existence does not leak. Lists are wider: a bureau lists every account at or
 * below its org, its own colleagues included; a registrar lists its school.
 * Callers who manage nobody (service clients, grade leaders, head teachers) get
 * 403 on the list and on creation.
 *
 * Answers that carry a one-time password are never stored: their routes are
 * flagged API_ROUTE_SECRET (api/router.c) and so ignore Idempotency-Key, since
 * the idempotency table would keep the password in clear.
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "api/handlers.h"
#include "core/password.h"
#include "core/pwhash.h"
#include "db/refdata.h"
#include "db/school.h"
#include "db/user.h"

#define DISPLAY_NAME_MAX 100 /* characters */

/* ---- small helpers ---- */

/* The {id} path parameter, or 0 when it is not a positive decimal id. */
static long long
path_id(api_call *c)
{
    const char *s = api_param(c, "id");
    if (s == NULL || *s == '\0' || strlen(s) > 18)
        return 0;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return strtoll(s, NULL, 10);
}

static int
is_registrar(const api_call *c)
{
    return c->actor.level == CORE_LEVEL_SCHOOL && c->actor.staff_role == CORE_STAFF_REGISTRAR;
}

static int
is_bureau(const api_call *c)
{
    return c->actor.level >= CORE_LEVEL_COUNTY && c->actor.level <= CORE_LEVEL_MINISTRY;
}

/* Service clients, grade leaders and head teachers manage no accounts: listing
   and creating answer 403, one account 404 (as for any account not managed). */
static int
manages_nobody(const api_call *c)
{
    return c->client_id != NULL || !(is_bureau(c) || is_registrar(c));
}

static int
refuse_non_managers(api_call *c)
{
    if (manages_nobody(c)) {
        api_fail_code(c, APP_EFORBIDDEN, "forbidden", NULL);
        return -1;
    }
    return 0;
}

static int
refuse_item(api_call *c)
{
    if (manages_nobody(c)) {
        api_fail_code(c, APP_ENOTFOUND, "user_not_found", NULL);
        return -1;
    }
    return 0;
}

static int
valid_username(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '@' || *s == '-'))
            return 0;
    return 1;
}

/* Grade codes (DOMAIN §1): primary 11-16, junior 21-24, senior 31-33. */
static int
valid_grade(long long g)
{
    return (g >= 11 && g <= 16) || (g >= 21 && g <= 24) || (g >= 31 && g <= 33);
}

/* "13" or 13 -> 13; 0 when neither or not a grade code. */
static int
parse_grade(const json_t *v)
{
    long long g = 0;
    if (json_is_integer(v)) {
        g = json_integer_value(v);
    } else if (json_is_string(v) && json_string_length(v) == 2) {
        const char *s = json_string_value(v);
        if (s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9')
            g = (s[0] - '0') * 10 + (s[1] - '0');
    }
    return valid_grade(g) ? (int)g : 0;
}

/* A non-empty array of distinct positive class ids, at most DB_USER_MAX_CLASSES. */
static int
parse_classes(const json_t *v, long long *out, int *out_n)
{
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n == 0 || n > DB_USER_MAX_CLASSES)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(v, i);
        if (!json_is_integer(e) || json_integer_value(e) <= 0)
            return -1;
        out[i] = json_integer_value(e);
        for (size_t j = 0; j < i; j++)
            if (out[j] == out[i])
                return -1;
    }
    *out_n = (int)n;
    return 0;
}

/* A string member: NULL when absent or null; records wrong_type / missing_field. */
static const char *
member_string(api_call *c, const char *name, int required)
{
    const json_t *v = json_object_get(c->json, name);
    char ptr[64];
    snprintf(ptr, sizeof(ptr), "/%s", name);
    if (v == NULL || json_is_null(v)) {
        if (required)
            app_err_add(&c->err, ptr, "missing_field", NULL);
        return NULL;
    }
    if (!json_is_string(v)) {
        app_err_add(&c->err, ptr, "wrong_type", NULL);
        return NULL;
    }
    return app_arena_strndup(c->arena, json_string_value(v), json_string_length(v));
}

/* After validation: fail with every item found (the one item's code when alone). */
static int
validation_done(api_call *c)
{
    app_err *e = &c->err;
    if (e->nitems == 0)
        return 0;
    e->code = APP_EINVAL;
    e->slug = e->nitems == 1 ? e->items[0].code : "validation_failed";
    if (e->nitems == 1)
        app_err_field(e, e->items[0].field);
    c->failed = 1;
    return -1;
}

static int
body_object(api_call *c)
{
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return -1;
    }
    return 0;
}

static json_t *
iso_time(double t)
{
    if (!isfinite(t) || t <= 0)
        return json_null();
    time_t s = (time_t)t;
    struct tm tm;
    char buf[32];
    gmtime_r(&s, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

/* An account as clients see it: never the password hash. */
static json_t *
user_json(const db_user *u)
{
    json_t *cls = json_array();
    for (int i = 0; i < u->nclasses; i++)
        json_array_append_new(cls, json_integer(u->classes[i]));
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s?}", "id", (json_int_t)u->id, "username",
                          u->username, "display_name", u->display_name, "role", u->role, "org",
                          u->org, "staff_role", u->staff_role);
    json_object_set_new(o, "grade", u->grade ? json_sprintf("%d", u->grade) : json_null());
    json_object_set_new(o, "classes", cls);
    json_object_set_new(o, "must_change_password", json_boolean(u->must_change_password));
    json_object_set_new(o, "disabled", json_boolean(u->disabled));
    json_object_set_new(o, "frozen", json_boolean(u->frozen));
    json_object_set_new(o, "locked", json_boolean(u->locked_for_s > 0));
    json_object_set_new(o, "last_login_at", iso_time(u->last_login_at));
    json_object_set_new(o, "created_at", iso_time(u->created_at));
    json_object_set_new(o, "created_by",
                        u->created_by ? json_integer(u->created_by) : json_null());
    json_object_set_new(o, "version", json_integer(u->version));
    return o;
}

/* A JSON object (reference stolen) as an arena string for an audit row. */
static const char *
audit_detail(api_call *c, json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    const char *out = app_arena_strdup(c->arena, s ? s : "{}");
    free(s);
    return out;
}

/* A fresh one-time password that passes the policy for `username`, and its hash. */
static int
one_time_password(api_call *c, const char *username, char pw[CORE_PASSWORD_GEN_LEN + 1],
                  char hash[CORE_PWHASH_LEN])
{
    unsigned char rnd[16];
    for (int i = 0; i < 64; i++) {
        randombytes_buf(rnd, sizeof(rnd));
        core_password_generate(pw, rnd);
        if (core_password_check(pw, username, NULL) == 0)
            break;
    }
    sodium_memzero(rnd, sizeof(rnd));
    if (core_pwhash(pw, hash) != 0) {
        sodium_memzero(pw, CORE_PASSWORD_GEN_LEN + 1);
        return app_err_set(&c->err, APP_EINTERNAL, NULL, "pwhash");
    }
    return 0;
}

static int
user_not_found(api_call *c)
{
    return app_err_set(&c->err, APP_ENOTFOUND, "user_not_found", NULL);
}

static int
org_not_found(api_call *c)
{
    app_err_field(&c->err, "/org");
    return app_err_set(&c->err, APP_ENOTFOUND, "org_not_found", NULL);
}

/* Worker: does the caller manage account `u`? See the file comment. */
static int
manages(api_call *c, db_conn *db, const db_user *u, int *out)
{
    *out = 0;
    if (c->client_id != NULL || u->id == c->actor.user_id)
        return 0;
    if (strcmp(u->role, "school") != 0) {
        *out = is_bureau(c) && core_org_is_superior(c->actor.org, u->org);
        return 0;
    }
    if (is_registrar(c)) {
        *out = strcmp(c->actor.org, u->org) == 0;
        return 0;
    }
    if (!is_bureau(c))
        return 0;
    db_school s;
    int found = 0;
    int rc = db_school_get(db, u->org, c->arena, &s, &found, &c->err);
    if (rc != 0 || !found)
        return rc;
    core_school_ref ref = {.code = s.code, .county = s.county, .authority = s.authority};
    *out = core_org_is_superior_of_school(c->actor.org, &ref);
    return 0;
}

/* Worker: the {id} account if the caller manages it, else 404 user_not_found. */
static int
load_managed(api_call *c, db_conn *db, db_user *u)
{
    long long id = path_id(c);
    int found = 0, ok = 0;
    if (id <= 0)
        return user_not_found(c);
    int rc = db_user_by_id(db, id, c->arena, u, &found, &c->err);
    if (rc != 0)
        return rc;
    if (!found)
        return user_not_found(c);
    if ((rc = manages(c, db, u, &ok)) != 0)
        return rc;
    return ok ? 0 : user_not_found(c);
}

/* Worker: every class id belongs to `school`, else a 422 invalid_classes. */
static int
check_classes(api_call *c, db_conn *db, const char *school, const long long *ids, int n)
{
    int count = 0;
    int rc = db_user_classes_in_school(db, school, ids, n, &count, &c->err);
    if (rc != 0)
        return rc;
    if (count != n) {
        app_err_field(&c->err, "/classes");
        return app_err_set(&c->err, APP_EINVAL, "invalid_classes", "classes of another school");
    }
    return 0;
}

/* ---- GET /users ---- */

typedef struct list_args {
    const char *org; /* ?org=, or NULL */
    long long after;
    int limit;
} list_args;

static int
job_users_list(api_call *c, db_conn *db)
{
    list_args *a = c->data;
    db_user *v = NULL;
    int n = 0, rc;
    if (is_registrar(c)) {
        rc = db_user_list_org(db, c->actor.org, a->after, a->limit + 1, c->arena, &v, &n,
                              &c->err);
    } else if (a->org != NULL) {
        int visible = 0;
        if (core_org_level(a->org) == CORE_LEVEL_SCHOOL) {
            db_school s;
            int found = 0;
            if ((rc = db_school_get(db, a->org, c->arena, &s, &found, &c->err)) != 0)
                return rc;
            core_school_ref ref = {.code = s.code, .county = s.county, .authority = s.authority};
            visible = found && core_actor_sees_school(&c->actor, &ref);
        } else {
            visible = core_actor_sees_region(&c->actor, a->org);
        }
        if (!visible) {
            app_err_field(&c->err, "/query/org");
            return app_err_set(&c->err, APP_ENOTFOUND, "org_not_found", NULL);
        }
        rc = db_user_list_org(db, a->org, a->after, a->limit + 1, c->arena, &v, &n, &c->err);
    } else {
        /* the region's significant digits: ministry none, province 2, city 4, county 6 */
        static const int digits[] = {[CORE_LEVEL_COUNTY] = 6, [CORE_LEVEL_CITY] = 4,
                                     [CORE_LEVEL_PROVINCE] = 2, [CORE_LEVEL_MINISTRY] = 0};
        const char *prefix = app_arena_strndup(c->arena, c->actor.org,
                                               (size_t)digits[c->actor.level]);
        rc = db_user_list_region(db, prefix, a->after, a->limit + 1, c->arena, &v, &n, &c->err);
    }
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    int shown = n > a->limit ? a->limit : n;
    for (int i = 0; i < shown; i++)
        json_array_append_new(items, user_json(&v[i]));
    json_t *o = json_pack("{s:o}", "items", items);
    json_object_set_new(o, "next_cursor",
                        n > a->limit ? json_sprintf("%lld", v[shown - 1].id) : json_null());
    api_header(c, "cache-control", "no-store");
    api_reply_json(c, 200, o);
    return 0;
}

void
h_users_list(api_call *c)
{
    if (refuse_non_managers(c) != 0)
        return;
    list_args *a = app_arena_alloc(c->arena, sizeof(*a));
    if (api_list_limit(c, &a->limit) != 0)
        return;
    const char *cur = api_query(c, "cursor");
    if (cur != NULL) {
        size_t n = strlen(cur);
        int ok = n > 0 && n <= 18;
        for (size_t i = 0; ok && i < n; i++)
            ok = cur[i] >= '0' && cur[i] <= '9';
        if (!ok) {
            api_fail_code(c, APP_EINVAL, "invalid_cursor", "/query/cursor");
            return;
        }
        a->after = strtoll(cur, NULL, 10);
    }
    a->org = api_query(c, "org");
    if (a->org != NULL && core_org_level(a->org) == CORE_LEVEL_NONE) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/org");
        return;
    }
    if (a->org != NULL && is_registrar(c) && strcmp(a->org, c->actor.org) != 0) {
        api_fail_code(c, APP_ENOTFOUND, "org_not_found", "/query/org");
        return;
    }
    c->data = a;
    api_submit(c, job_users_list);
}

/* ---- POST /users ---- */

typedef struct create_args {
    const char *username, *display_name, *org;
    core_level role;
    core_staff_role staff;
    int grade;
    int nclasses;
    long long classes[DB_USER_MAX_CLASSES];
} create_args;

static int
job_user_create(api_call *c, db_conn *db)
{
    create_args *a = c->data;
    int rc, found = 0;
    if (a->role == CORE_LEVEL_SCHOOL) {
        db_school s;
        if ((rc = db_school_get(db, a->org, c->arena, &s, &found, &c->err)) != 0)
            return rc;
        core_school_ref ref = {.code = s.code, .county = s.county, .authority = s.authority};
        /* a registrar's own school (checked by the handler), or a bureau above it */
        if (!found || (!is_registrar(c) && !core_org_is_superior_of_school(c->actor.org, &ref)))
            return org_not_found(c);
        if (a->nclasses > 0 && (rc = check_classes(c, db, a->org, a->classes, a->nclasses)) != 0)
            return rc;
    } else {
        db_region *v;
        int n = 0;
        if ((rc = db_region_get_with_ancestors(db, a->org, c->arena, &v, &n, &c->err)) != 0)
            return rc;
        if (n == 0 || strcmp(v[0].level, core_level_name(a->role)) != 0)
            return org_not_found(c);
    }

    char pw[CORE_PASSWORD_GEN_LEN + 1], hash[CORE_PWHASH_LEN];
    if ((rc = one_time_password(c, a->username, pw, hash)) != 0)
        return rc;
    db_user u = {
        .username = a->username,
        .display_name = a->display_name,
        .role = core_level_name(a->role),
        .org = a->org,
        .staff_role = core_staff_role_name(a->staff),
        .grade = a->grade,
        .nclasses = a->nclasses,
        .password_hash = hash,
        .must_change_password = 1,
        .created_by = c->actor.user_id,
    };
    memcpy(u.classes, a->classes, sizeof(long long) * (size_t)a->nclasses);
    long long id = 0;
    db_user made;
    rc = db_begin(db, &c->err);
    if (rc == 0)
        rc = db_user_insert(db, &u, &id, &c->err);
    if (rc == APP_ECONFLICT) /* username_taken */
        app_err_field(&c->err, "/username");
    sodium_memzero(hash, sizeof(hash));
    if (rc == 0)
        rc = db_user_by_id(db, id, c->arena, &made, &found, &c->err);
    if (rc == 0 && !found)
        rc = app_err_set(&c->err, APP_EINTERNAL, NULL, "inserted user %lld not found", id);
    if (rc == 0) {
        char uid[24];
        snprintf(uid, sizeof(uid), "%lld", id);
        api_audit(c, db, "user_create", "user", uid,
                  audit_detail(c, json_pack("{s:s,s:s,s:s,s:s?}", "username", a->username,
                                            "role", u.role, "org", a->org, "staff_role",
                                            u.staff_role)));
        rc = c->err.code;
    }
    if (rc == 0)
        rc = db_commit(db, &c->err);
    if (rc != 0) {
        sodium_memzero(pw, sizeof(pw));
        return rc;
    }
    json_t *o = user_json(&made);
    json_object_set_new(o, "one_time_password", json_string(pw));
    sodium_memzero(pw, sizeof(pw));
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/users/%lld", id);
    api_header(c, "location", loc);
    api_etag(c, made.version);
    api_header(c, "cache-control", "no-store");
    api_reply_json(c, 201, o);
    return 0;
}

/* Shape of the body; every bad field is reported. */
static void
validate_create(api_call *c, create_args *a)
{
    a->username = member_string(c, "username", 1);
    a->display_name = member_string(c, "display_name", 1);
    const char *role = member_string(c, "role", 1);
    a->org = member_string(c, "org", 1);
    const char *staff = member_string(c, "staff_role", 0);
    if (a->username != NULL && !valid_username(a->username))
        app_err_add(&c->err, "/username", "invalid_username", NULL);
    if (a->display_name != NULL && !api_valid_text(a->display_name, DISPLAY_NAME_MAX))
        app_err_add(&c->err, "/display_name", "invalid_display_name", NULL);
    a->role = core_level_from_name(role);
    if (role != NULL && a->role == CORE_LEVEL_NONE)
        app_err_add(&c->err, "/role", "invalid_role", NULL);
    core_level org_level = core_org_level(a->org);
    if (a->org != NULL && org_level == CORE_LEVEL_NONE)
        app_err_add(&c->err, "/org", "invalid_org", NULL);
    else if (a->org != NULL && a->role != CORE_LEVEL_NONE && a->role != org_level)
        app_err_add(&c->err, "/role", "role_org_mismatch", NULL);

    a->staff = core_staff_role_from_name(staff);
    if (staff != NULL && (a->role != CORE_LEVEL_SCHOOL || a->staff == CORE_STAFF_NONE))
        app_err_add(&c->err, "/staff_role", "invalid_staff_role", NULL);
    if (a->role == CORE_LEVEL_SCHOOL && staff == NULL) {
        /* a bureau creates registrars only, so it may leave staff_role out */
        if (is_bureau(c))
            a->staff = CORE_STAFF_REGISTRAR;
        else
            app_err_add(&c->err, "/staff_role", "missing_field", NULL);
    }

    const json_t *g = json_object_get(c->json, "grade");
    if (g != NULL && !json_is_null(g)) {
        a->grade = parse_grade(g);
        if (a->grade == 0 || a->staff != CORE_STAFF_GRADE_LEADER)
            app_err_add(&c->err, "/grade", "invalid_grade", NULL);
    } else if (a->staff == CORE_STAFF_GRADE_LEADER) {
        app_err_add(&c->err, "/grade", "missing_field", NULL);
    }
    const json_t *cl = json_object_get(c->json, "classes");
    int empty = cl == NULL || json_is_null(cl) || (json_is_array(cl) && json_array_size(cl) == 0);
    if (!empty) {
        if (parse_classes(cl, a->classes, &a->nclasses) != 0 ||
            a->staff != CORE_STAFF_HEAD_TEACHER)
            app_err_add(&c->err, "/classes", "invalid_classes", NULL);
    } else if (a->staff == CORE_STAFF_HEAD_TEACHER) {
        app_err_add(&c->err, "/classes", "missing_field", NULL);
    }
}

void
h_user_create(api_call *c)
{
    if (refuse_non_managers(c) != 0 || body_object(c) != 0)
        return;
    create_args *a = app_arena_alloc(c->arena, sizeof(*a));
    validate_create(c, a);
    if (validation_done(c) != 0)
        return;
    /*
     * Who may create what (rule 29). A level the caller may never create is a
     * 403 whatever the org; an org outside the caller's jurisdiction is a 404.
     */
    if (is_registrar(c)) {
        if (a->role != CORE_LEVEL_SCHOOL) {
            api_fail_code(c, APP_EFORBIDDEN, "role_not_allowed", "/role");
            return;
        }
        if (strcmp(a->org, c->actor.org) != 0) {
            api_fail_code(c, APP_ENOTFOUND, "org_not_found", "/org");
            return;
        }
    } else {
        if (a->role >= c->actor.level) {
            api_fail_code(c, APP_EFORBIDDEN, "role_not_allowed", "/role");
            return;
        }
        if (a->role == CORE_LEVEL_SCHOOL && a->staff != CORE_STAFF_REGISTRAR) {
            api_fail_code(c, APP_EFORBIDDEN, "role_not_allowed", "/staff_role");
            return;
        }
        if (a->role != CORE_LEVEL_SCHOOL && !core_org_is_superior(c->actor.org, a->org)) {
            api_fail_code(c, APP_ENOTFOUND, "org_not_found", "/org");
            return;
        }
    }
    c->data = a;
    api_submit(c, job_user_create);
}

/* ---- GET /users/{id} ---- */

static int
job_user_get(api_call *c, db_conn *db)
{
    db_user u;
    int rc = load_managed(c, db, &u);
    if (rc != 0)
        return rc;
    api_etag(c, u.version);
    api_header(c, "cache-control", "no-store");
    api_reply_json(c, 200, user_json(&u));
    return 0;
}

void
h_user_get(api_call *c)
{
    if (refuse_item(c) != 0)
        return;
    api_submit(c, job_user_get);
}

/* ---- PATCH /users/{id} ---- */

typedef struct patch_args {
    int expect_version;
    const char *display_name; /* NULL: unchanged */
    int disabled;             /* -1: unchanged */
    int grade;                /* 0: unchanged */
    int has_classes, nclasses;
    long long classes[DB_USER_MAX_CLASSES];
} patch_args;

/*
 * The end of every change to an account, inside the transaction the caller
 * opened: audit it (taking `detail`), re-read the account, commit, drop the
 * cached account state (tokens may have been revoked) and answer with it.
 */
static int
commit_user_change(api_call *c, db_conn *db, int rc, const char *action, db_user *u,
                   json_t *detail)
{
    char uid[24];
    snprintf(uid, sizeof(uid), "%lld", u->id);
    if (rc == 0) {
        api_audit(c, db, action, "user", uid, audit_detail(c, detail));
        detail = NULL;
        rc = c->err.code;
    }
    json_decref(detail);
    int found = 0;
    if (rc == 0)
        rc = db_user_by_id(db, u->id, c->arena, u, &found, &c->err);
    if (rc == 0)
        rc = db_commit(db, &c->err);
    api_auth_forget(u->id);
    if (rc != 0)
        return rc;
    api_etag(c, u->version);
    api_reply_json(c, 200, user_json(u));
    return 0;
}

static int
job_user_patch(api_call *c, db_conn *db)
{
    patch_args *a = c->data;
    db_user u;
    int rc = load_managed(c, db, &u);
    if (rc != 0)
        return rc;
    if (u.version != a->expect_version)
        return app_err_set(&c->err, APP_EPRECOND, "precondition_failed", "version %d, not %d",
                           u.version, a->expect_version);
    const char *staff = u.staff_role ? u.staff_role : "";
    if (a->grade && strcmp(staff, "grade_leader") != 0) {
        app_err_field(&c->err, "/grade");
        return app_err_set(&c->err, APP_EINVAL, "invalid_grade", "not a grade leader");
    }
    if (a->has_classes && strcmp(staff, "head_teacher") != 0) {
        app_err_field(&c->err, "/classes");
        return app_err_set(&c->err, APP_EINVAL, "invalid_classes", "not a head teacher");
    }
    if (a->has_classes && (rc = check_classes(c, db, u.org, a->classes, a->nclasses)) != 0)
        return rc;

    json_t *changed = json_object();
    if (a->display_name != NULL && strcmp(a->display_name, u.display_name) != 0) {
        u.display_name = a->display_name;
        json_object_set_new(changed, "display_name", json_string(a->display_name));
    }
    if (a->disabled >= 0 && a->disabled != u.disabled) {
        u.disabled = a->disabled;
        json_object_set_new(changed, "disabled", json_boolean(a->disabled));
    }
    if (a->grade && a->grade != u.grade) {
        u.grade = a->grade;
        json_object_set_new(changed, "grade", json_sprintf("%d", a->grade));
    }
    if (a->has_classes) {
        json_t *cls = json_array();
        for (int i = 0; i < a->nclasses; i++)
            json_array_append_new(cls, json_integer(a->classes[i]));
        u.nclasses = a->nclasses;
        memcpy(u.classes, a->classes, sizeof(long long) * (size_t)a->nclasses);
        json_object_set_new(changed, "classes", cls);
    }
    if ((rc = db_begin(db, &c->err)) != 0) {
        json_decref(changed);
        return rc;
    }
    rc = db_user_update(db, &u, a->expect_version, &c->err);
    return commit_user_change(c, db, rc, "user_update", &u, changed);
}

void
h_user_patch(api_call *c)
{
    if (refuse_item(c) != 0)
        return;
    patch_args *a = app_arena_alloc(c->arena, sizeof(*a));
    if (api_if_match(c, &a->expect_version) != 0 || body_object(c) != 0)
        return;
    a->disabled = -1;
    const char *key;
    json_t *v;
    json_object_foreach(c->json, key, v)
    {
        char ptr[80];
        snprintf(ptr, sizeof(ptr), "/%.70s", key);
        if (strcmp(key, "display_name") == 0) {
            if (!json_is_string(v))
                app_err_add(&c->err, ptr, "wrong_type", NULL);
            else if (!api_valid_text(json_string_value(v), DISPLAY_NAME_MAX))
                app_err_add(&c->err, ptr, "invalid_display_name", NULL);
            else
                a->display_name = app_arena_strdup(c->arena, json_string_value(v));
        } else if (strcmp(key, "disabled") == 0) {
            if (!json_is_boolean(v))
                app_err_add(&c->err, ptr, "wrong_type", NULL);
            else
                a->disabled = json_is_true(v);
        } else if (strcmp(key, "grade") == 0) {
            if ((a->grade = parse_grade(v)) == 0)
                app_err_add(&c->err, ptr, "invalid_grade", NULL);
        } else if (strcmp(key, "classes") == 0) {
            if (parse_classes(v, a->classes, &a->nclasses) != 0)
                app_err_add(&c->err, ptr, "invalid_classes", NULL);
            else
                a->has_classes = 1;
        } else {
            /* username, role, org, staff_role, ...: not changed through this route */
            app_err_add(&c->err, ptr, "field_not_editable", NULL);
        }
    }
    if (validation_done(c) != 0)
        return;
    c->data = a;
    api_submit(c, job_user_patch);
}

/* ---- POST /users/{id}/password-reset ---- */

static int
job_user_password_reset(api_call *c, db_conn *db)
{
    db_user u;
    int rc = load_managed(c, db, &u);
    if (rc != 0)
        return rc;
    char pw[CORE_PASSWORD_GEN_LEN + 1], hash[CORE_PWHASH_LEN];
    if ((rc = one_time_password(c, u.username, pw, hash)) != 0)
        return rc;
    char uid[24];
    snprintf(uid, sizeof(uid), "%lld", u.id);
    rc = db_begin(db, &c->err);
    /* must change at next login; every token and refresh token of the account dies */
    if (rc == 0)
        rc = db_user_set_password(db, u.id, hash, 1, &c->err);
    sodium_memzero(hash, sizeof(hash));
    if (rc == 0) {
        api_audit(c, db, "password_reset", "user", uid, NULL);
        rc = c->err.code;
    }
    if (rc == 0)
        rc = db_commit(db, &c->err);
    api_auth_forget(u.id);
    if (rc != 0) {
        sodium_memzero(pw, sizeof(pw));
        return rc;
    }
    json_t *o = json_pack("{s:s}", "one_time_password", pw);
    sodium_memzero(pw, sizeof(pw));
    api_header(c, "cache-control", "no-store");
    api_reply_json(c, 200, o);
    return 0;
}

void
h_user_password_reset(api_call *c)
{
    if (refuse_item(c) != 0)
        return;
    api_submit(c, job_user_password_reset);
}

/* ---- POST /users/{id}/unlock ---- */

static int
job_user_unlock(api_call *c, db_conn *db)
{
    db_user u;
    int rc = load_managed(c, db, &u);
    if (rc != 0)
        return rc;
    json_t *was = json_pack("{s:b,s:b}", "locked", u.locked_for_s > 0, "frozen", u.frozen);
    rc = db_begin(db, &c->err);
    if (rc == 0)
        rc = db_user_unlock(db, u.id, &c->err);
    return commit_user_change(c, db, rc, "unlock", &u, was);
}

void
h_user_unlock(api_call *c)
{
    if (refuse_item(c) != 0)
        return;
    api_submit(c, job_user_unlock);
}
