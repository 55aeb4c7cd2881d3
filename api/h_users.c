/*
 * api/h_users.c - accounts managed by their superiors (DOMAIN §8, rule 29):
 * GET/POST /users, GET/PATCH /users/{id}, POST /users/{id}/password-reset,
 * POST /users/{id}/unlock.
 *
 * The handlers parse, call one core/account.h function and reply; the rules
 * below are decided there.
 *
 * Who manages whom (one predicate, used by every /users/{id} route):
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
#include "api/auth.h"
#include "api/handlers.h"
#include "api/registry.h"
#include "base/buf.h"
#include "core/account.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* A non-empty array of distinct positive class ids, at most CORE_ACCOUNT_MAX_CLASSES. */
static int
parse_classes(const json_t *v, long long *out, int *out_n)
{
    size_t n = json_array_size(v);
    if (!json_is_array(v) || n == 0 || n > CORE_ACCOUNT_MAX_CLASSES)
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

/* Service clients, grade leaders and head teachers manage no accounts: listing
   and creating answer 403, one account 404 (as for any account not managed).
   Asked before the request is validated; core/account.c decides it again. */
static int
refuse_non_managers(api_call *c)
{
    if (!core_account_manages_anyone(&c->actor)) {
        api_fail_code(c, APP_EFORBIDDEN, "forbidden", NULL);
        return -1;
    }
    return 0;
}

static int
refuse_item(api_call *c)
{
    if (!core_account_manages_anyone(&c->actor)) {
        api_fail_code(c, APP_ENOTFOUND, "user_not_found", NULL);
        return -1;
    }
    return 0;
}

/* An account as clients see it: never the password hash. */
static json_t *
user_json(const core_account *u)
{
    json_t *cls = json_array();
    for (int i = 0; i < u->nclasses; i++)
        json_array_append_new(cls, json_integer(u->classes[i]));
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s?}", "id", (json_int_t)u->id, "username",
                          u->username, "display_name", u->display_name, "role", u->role, "org",
                          u->org, "staff_role", u->staff_role);
    json_object_set_new(o, "grade", u->grade ? json_sprintf("%d", u->grade) : json_null());
    json_object_set_new(o, "classes", cls);
    if (u->college) /* a college-scoped university office (docs/decisions/0032) */
        json_object_set_new(o, "college", json_integer(u->college));
    json_object_set_new(o, "must_change_password", json_boolean(u->must_change_password));
    json_object_set_new(o, "disabled", json_boolean(u->disabled));
    json_object_set_new(o, "frozen", json_boolean(u->frozen));
    json_object_set_new(o, "locked", json_boolean(u->locked));
    json_object_set_new(o, "last_login_at", iso_time(u->last_login_at));
    json_object_set_new(o, "created_at", iso_time(u->created_at));
    json_object_set_new(o, "created_by", u->created_by ? json_integer(u->created_by) : json_null());
    json_object_set_new(o, "version", json_integer(u->version));
    return o;
}

/* An account after a change: its ETag and the account. */
static void
reply_account(api_call *c, const core_account *u)
{
    api_etag(c, u->version);
    api_reply_json(c, 200, user_json(u));
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
    core_op op;
    api_op(c, &op);
    core_account_page page;
    int rc = core_account_list(db, &op, a->org, a->after, a->limit, &page, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < page.n; i++)
        json_array_append_new(items, user_json(&page.items[i]));
    json_t *o = json_pack("{s:o}", "items", items);
    json_object_set_new(o, "next_cursor",
                        page.more ? json_sprintf("%lld", page.items[page.n - 1].id) : json_null());
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
    c->data = a;
    api_submit(c, job_users_list);
}

/* ---- POST /users ---- */

static int
job_user_create(api_call *c, db_conn *db)
{
    core_account_new *a = c->data;
    core_op op;
    api_op(c, &op);
    core_account made;
    char pw[CORE_PASSWORD_GEN_LEN + 1];
    int rc = core_account_create(db, &op, a, &made, pw, &c->err);
    if (rc != 0)
        return rc;
    json_t *o = user_json(&made);
    json_object_set_new(o, "one_time_password", json_string(pw));
    sodium_memzero(pw, sizeof(pw));
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/users/%lld", made.id);
    api_header(c, "location", loc);
    api_etag(c, made.version);
    api_header(c, "cache-control", "no-store");
    api_reply_json(c, 201, o);
    return 0;
}

/* Shape of the body; every bad field is reported. */
static void
validate_create(api_call *c, core_account_new *a)
{
    a->username = member_string(c, "username", 1);
    a->display_name = member_string(c, "display_name", 1);
    const char *role = member_string(c, "role", 1);
    a->org = member_string(c, "org", 1);
    const char *staff = member_string(c, "staff_role", 0);
    if (a->username != NULL && !valid_username(a->username))
        app_err_add(&c->err, "/username", "invalid_username", NULL);
    if (a->display_name != NULL && !base_text_visible(a->display_name, CORE_DISPLAY_NAME_MAX))
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
        if (c->actor.level >= CORE_LEVEL_COUNTY)
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
    const json_t *col = json_object_get(c->json, "college");
    if (col != NULL && !json_is_null(col)) {
        a->college = json_is_integer(col) ? json_integer_value(col) : 0;
        if (a->college <= 0 || !core_staff_role_college_scoped(a->staff))
            app_err_add(&c->err, "/college", "invalid_college", NULL);
    } else if (core_staff_role_college_scoped(a->staff)) {
        app_err_add(&c->err, "/college", "missing_field", NULL);
    }
    const json_t *cl = json_object_get(c->json, "classes");
    int empty = cl == NULL || json_is_null(cl) || (json_is_array(cl) && json_array_size(cl) == 0);
    if (!empty) {
        if (parse_classes(cl, a->classes, &a->nclasses) != 0 || a->staff != CORE_STAFF_HEAD_TEACHER)
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
    core_account_new *a = app_arena_alloc(c->arena, sizeof(*a));
    validate_create(c, a);
    if (validation_done(c) != 0)
        return;
    /* who may create what (rule 29) is decided by core_account_create */
    c->data = a;
    api_submit(c, job_user_create);
}

/* ---- GET /users/{id} ---- */

static int
job_user_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    core_account u;
    int rc = core_account_get(db, &op, path_id(c), &u, &c->err);
    if (rc != 0)
        return rc;
    api_header(c, "cache-control", "no-store");
    reply_account(c, &u);
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

static int
job_user_patch(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    core_account u;
    int rc = core_account_patch(db, &op, path_id(c), c->data, &u, &c->err);
    api_auth_forget(path_id(c)); /* tokens may have been revoked */
    if (rc != 0)
        return rc;
    reply_account(c, &u);
    return 0;
}

void
h_user_patch(api_call *c)
{
    if (refuse_item(c) != 0)
        return;
    core_account_change *a = app_arena_alloc(c->arena, sizeof(*a));
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
            else if (!base_text_visible(json_string_value(v), CORE_DISPLAY_NAME_MAX))
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
    core_op op;
    api_op(c, &op);
    char pw[CORE_PASSWORD_GEN_LEN + 1];
    int rc = core_account_password_reset(db, &op, path_id(c), pw, &c->err);
    api_auth_forget(path_id(c));
    if (rc != 0)
        return rc;
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
    core_op op;
    api_op(c, &op);
    core_account u;
    int rc = core_account_unlock(db, &op, path_id(c), &u, &c->err);
    api_auth_forget(path_id(c));
    if (rc != 0)
        return rc;
    reply_account(c, &u);
    return 0;
}

void
h_user_unlock(api_call *c)
{
    if (refuse_item(c) != 0)
        return;
    api_submit(c, job_user_unlock);
}
