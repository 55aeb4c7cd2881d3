/*
 * api/h_auth.c - login, refresh, logout, client credentials, /me, password.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "api/handlers.h"
#include "api/server.h"
#include "core/password.h"
#include "core/pwhash.h"
#include "db/refdata.h"
#include "db/school.h"
#include "db/user.h"

/* A hash of a random password: unknown users cost as much as known ones.
   Made on first need (an argon2id hash takes a while; tests start many servers). */
static char dummy_hash[CORE_PWHASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
make_dummy_hash(void)
{
    char pw[33];
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(pw, sizeof(pw), rnd, sizeof(rnd));
    core_pwhash(pw, dummy_hash);
}

const char *
api_dummy_hash(void)
{
    pthread_once(&dummy_once, make_dummy_hash);
    return dummy_hash;
}

/* A string member of the JSON body, or NULL with a 422 recorded on the call. */
const char *
api_body_string(api_call *c, const char *name, int required)
{
    json_t *v = json_is_object(c->json) ? json_object_get(c->json, name) : NULL;
    char ptr[64];
    snprintf(ptr, sizeof(ptr), "/%s", name);
    if (v == NULL || json_is_null(v)) {
        if (required && !c->failed)
            api_fail_code(c, APP_EINVAL, "missing_field", ptr);
        return NULL;
    }
    if (!json_is_string(v)) {
        if (!c->failed)
            api_fail_code(c, APP_EINVAL, "wrong_type", ptr);
        return NULL;
    }
    return app_arena_strndup(c->arena, json_string_value(v), json_string_length(v));
}

void
api_audit(api_call *c, db_conn *db, const char *action, const char *target_type,
          const char *target_id, const char *detail_json)
{
    db_audit e = {
        .actor_id = c->authed ? c->actor.user_id : 0,
        .actor_org = c->authed ? c->actor.org : NULL,
        .action = action,
        .target_type = target_type,
        .target_id = target_id,
        .ip = c->client_ip,
        .user_agent = c->user_agent,
        .request_id = c->request_id,
        .detail_json = detail_json,
    };
    app_err err = {0};
    if (db_audit_insert(db, &e, &err) != 0) {
        /* callers that must not lose it run inside their transaction and check */
        c->err = err;
    }
}

/* Issue an access token and a new refresh token of `family` (0: a new family,
   that is a new session); the access token names the family as its `sid`. */
static int
issue_pair(api_call *c, db_conn *db, const db_user *u, long long family, json_t **out)
{
    core_actor a;
    api_actor_from_user(&a, u->id, u->role, u->org, u->staff_role, u->grade, u->nclasses,
                        u->classes);
    int rc = family == 0 ? db_refresh_new_family(db, &family, &c->err) : 0;
    if (rc != 0)
        return rc;
    char *access = NULL;
    rc = api_token_issue_after(&a, NULL, u->tokens_valid_after, family, u->must_change_password,
                               &access, &c->err);
    if (rc != 0)
        return rc;
    char refresh[44], hash[65];
    api_opaque_token(refresh, hash);
    rc = db_refresh_insert(db, u->id, family, hash, API_REFRESH_TTL_S, &c->err);
    if (rc == 0)
        *out = json_pack("{s:s,s:s,s:i,s:s,s:b}", "access_token", access, "token_type", "Bearer",
                         "expires_in", API_TOKEN_TTL_S, "refresh_token", refresh,
                         "must_change_password", u->must_change_password);
    free(access);
    return rc;
}

static void
retry_after(api_call *c, long long secs)
{
    char s[24];
    snprintf(s, sizeof(s), "%lld", secs < 1 ? 1 : secs);
    api_header(c, "retry-after", s);
}

/* ---- POST /auth/login ---- */

typedef struct login_args {
    const char *username, *password;
} login_args;

/*
 * The source failed logins are counted against (ADR 0014): the socket peer (no
 * proxy header is trusted), as its IPv4 address or its IPv6 /64 prefix, since
 * one subscriber holds a whole /64.
 */
static void
login_source(const char *ip, char *out, size_t cap)
{
    struct in6_addr a6;
    if (inet_pton(AF_INET6, ip, &a6) != 1) {
        snprintf(out, cap, "%s", ip[0] ? ip : "unknown");
        return;
    }
    char buf[INET6_ADDRSTRLEN];
    if (IN6_IS_ADDR_V4MAPPED(&a6)) {
        inet_ntop(AF_INET, &a6.s6_addr[12], buf, sizeof(buf));
        snprintf(out, cap, "%s", buf);
        return;
    }
    memset(&a6.s6_addr[8], 0, 8);
    inet_ntop(AF_INET6, &a6, buf, sizeof(buf));
    snprintf(out, cap, "%s/64", buf);
}

static int
refuse_locked(api_call *c, db_conn *db, const char *uid, const char *password, long long locked_for)
{
    core_pwhash_verify(api_dummy_hash(), password);
    retry_after(c, locked_for);
    api_audit(c, db, "login_refused_locked", "user", uid, NULL);
    return app_err_set(&c->err, APP_EAUTH, "account_locked", NULL);
}

/* A wrong password: counted for this source and for the whole account. */
static int
login_failed(api_call *c, db_conn *db, long long id, const char *uid, const char *src)
{
    const api_config *cfg = api_server_config();
    long long src_for = 0, acct_for = 0;
    int rc = db_user_source_failed(db, id, src, cfg->max_login_failures, &src_for, &c->err);
    if (rc == 0)
        rc = db_user_login_failed(db, id, cfg->max_login_failures_account, &acct_for, &c->err);
    if (rc != 0)
        return rc;
    api_audit(c, db, "login_failure", "user", uid, NULL);
    if (acct_for > 0) {
        api_auth_forget(id); /* an account lock also stops its tokens */
        api_audit(c, db, "lock", "user", uid, "{\"scope\":\"account\"}");
    } else if (src_for > 0) {
        api_audit(c, db, "lock", "user", uid, "{\"scope\":\"source\"}");
    }
    if (acct_for == 0 && src_for == 0)
        return app_err_set(&c->err, APP_EAUTH, "invalid_credentials", NULL);
    retry_after(c, acct_for > src_for ? acct_for : src_for);
    return app_err_set(&c->err, APP_EAUTH, "account_locked", NULL);
}

static int
job_login(api_call *c, db_conn *db)
{
    const api_config *cfg = api_server_config();
    login_args *a = c->data;
    char src[64];
    login_source(c->client_ip, src, sizeof(src));
    db_user u;
    int found = 0;
    int rc = db_user_by_username(db, a->username, c->arena, &u, &found, &c->err);
    if (rc != 0)
        return rc;
    json_t *dj = json_pack("{s:s}", "username", a->username);
    char *ds = json_dumps(dj, JSON_COMPACT);
    json_decref(dj);
    const char *detail = app_arena_strdup(c->arena, ds ? ds : "{}");
    free(ds);
    if (!found) {
        core_pwhash_verify(api_dummy_hash(), a->password);
        api_audit(c, db, "login_failure", "user", NULL, detail);
        return app_err_set(&c->err, APP_EAUTH, "invalid_credentials", NULL);
    }
    char uid[24];
    snprintf(uid, sizeof(uid), "%lld", u.id);
    long long locked_for = u.locked_for_s;
    if (locked_for == 0 && (rc = db_user_source_locked(db, u.id, src, &locked_for, &c->err)) != 0)
        return rc;
    if (locked_for > 0)
        return refuse_locked(c, db, uid, a->password, locked_for);
    if (!core_pwhash_verify(u.password_hash, a->password))
        return login_failed(c, db, u.id, uid, src);
    if (u.disabled) {
        api_audit(c, db, "login_refused_disabled", "user", uid, NULL);
        return app_err_set(&c->err, APP_EFORBIDDEN, "account_disabled", NULL);
    }
    double last = u.last_login_at > 0 ? u.last_login_at : u.created_at;
    if (!u.frozen && cfg->freeze_days > 0 &&
        (double)time(NULL) - last > (double)cfg->freeze_days * 86400) {
        if ((rc = db_user_freeze(db, u.id, &c->err)) != 0)
            return rc;
        u.frozen = 1;
        api_audit(c, db, "freeze", "user", uid, NULL);
    }
    if (u.frozen) {
        api_audit(c, db, "login_refused_frozen", "user", uid, NULL);
        return app_err_set(&c->err, APP_EFORBIDDEN, "account_frozen", NULL);
    }

    if ((rc = db_begin(db, &c->err)) != 0)
        return rc;
    json_t *out = NULL;
    rc = db_user_login_ok(db, u.id, src, &c->err);
    if (rc == 0)
        rc = issue_pair(c, db, &u, 0, &out);
    if (rc == 0) {
        c->authed = 1;
        api_actor_from_user(&c->actor, u.id, u.role, u.org, u.staff_role, u.grade, u.nclasses,
                            u.classes);
        api_audit(c, db, "login_success", "user", uid, NULL);
        rc = c->err.code;
    }
    if (rc == 0)
        rc = db_commit(db, &c->err);
    if (rc != 0) {
        json_decref(out);
        return rc;
    }
    api_reply_json(c, 200, out);
    return 0;
}

void
h_login(api_call *c)
{
    login_args *a = app_arena_alloc(c->arena, sizeof(*a));
    a->username = api_body_string(c, "username", 1);
    a->password = api_body_string(c, "password", 1);
    if (c->failed)
        return;
    if (strlen(a->password) > 1024) {
        api_fail_code(c, APP_EAUTH, "invalid_credentials", NULL);
        return;
    }
    c->data = a;
    api_submit(c, job_login);
}

/* ---- POST /auth/refresh and /auth/logout ---- */

static int
job_refresh(api_call *c, db_conn *db)
{
    const char *token = c->data;
    char hash[65];
    api_opaque_hash(token, hash);
    long long user = 0, family = 0;
    int state = 1;
    int rc = db_begin(db, &c->err);
    if (rc == 0)
        rc = db_refresh_use(db, hash, &user, &family, &state, &c->err);
    if (rc != 0)
        return rc;
    if (state == 2) {
        /* a rotated token came back: someone holds a copy. End the family. */
        rc = db_refresh_revoke_family(db, family, &c->err);
        char uid[24];
        snprintf(uid, sizeof(uid), "%lld", user);
        if (rc == 0)
            api_audit(c, db, "refresh_reuse_revoked", "user", uid, NULL);
        if (rc == 0 && (rc = c->err.code) == 0)
            rc = db_commit(db, &c->err);
        api_session_forget(family);
        return rc != 0 ? rc : app_err_set(&c->err, APP_EAUTH, "refresh_token_reused", NULL);
    }
    if (state == 1)
        return app_err_set(&c->err, APP_EAUTH, "invalid_refresh_token", NULL);
    db_user u;
    int found = 0;
    rc = db_user_by_id(db, user, c->arena, &u, &found, &c->err);
    if (rc != 0)
        return rc;
    if (!found || u.disabled || u.frozen || u.locked_for_s > 0)
        return app_err_set(&c->err, APP_EAUTH, "invalid_refresh_token", "account inactive");
    json_t *out = NULL;
    rc = issue_pair(c, db, &u, family, &out);
    if (rc == 0)
        rc = db_commit(db, &c->err);
    if (rc != 0) {
        json_decref(out);
        return rc;
    }
    api_reply_json(c, 200, out);
    return 0;
}

static int
job_logout(api_call *c, db_conn *db)
{
    const char *token = c->data;
    char hash[65];
    api_opaque_hash(token, hash);
    long long user = 0, family = 0;
    int state = 1;
    int rc = db_refresh_use(db, hash, &user, &family, &state, &c->err);
    if (rc != 0)
        return rc;
    if (state == 1 && family == 0)
        return app_err_set(&c->err, APP_EAUTH, "invalid_refresh_token", NULL);
    rc = db_refresh_revoke_family(db, family, &c->err);
    if (rc != 0)
        return rc;
    api_session_forget(family);
    char uid[24];
    snprintf(uid, sizeof(uid), "%lld", user);
    api_audit(c, db, "logout", "user", uid, NULL);
    api_reply_raw(c, 204, NULL, NULL, 0);
    return 0;
}

static void
refresh_like(api_call *c, api_job_fn fn)
{
    const char *t = api_body_string(c, "refresh_token", 1);
    if (c->failed)
        return;
    if (strlen(t) != 43) {
        api_fail_code(c, APP_EAUTH, "invalid_refresh_token", NULL);
        return;
    }
    c->data = (void *)t;
    api_submit(c, fn);
}

void
h_refresh(api_call *c)
{
    refresh_like(c, job_refresh);
}

void
h_logout(api_call *c)
{
    refresh_like(c, job_logout);
}

/* ---- GET /me ---- */

static int
job_me(api_call *c, db_conn *db)
{
    json_t *o;
    if (c->client_id != NULL) {
        o = json_pack("{s:s,s:s,s:s}", "client_id", c->client_id, "role",
                      core_level_name(c->actor.level), "org", c->actor.org);
    } else {
        db_user u;
        int found = 0;
        int rc = db_user_by_id(db, c->actor.user_id, c->arena, &u, &found, &c->err);
        if (rc != 0)
            return rc;
        if (!found)
            return app_err_set(&c->err, APP_EAUTH, "invalid_token", NULL);
        json_t *cls = json_array();
        for (int i = 0; i < u.nclasses; i++)
            json_array_append_new(cls, json_integer(u.classes[i]));
        o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s?,s:o,s:b}", "id", (json_int_t)u.id, "username",
                      u.username, "display_name", u.display_name, "role", u.role, "org", u.org,
                      "staff_role", u.staff_role, "classes", cls, "must_change_password",
                      u.must_change_password);
        if (u.grade)
            json_object_set_new(o, "grade", json_sprintf("%d", u.grade));
    }
    /* the jurisdiction's name: a region's full name, or the school's */
    const char *name = NULL;
    if (core_org_level(c->actor.org) == CORE_LEVEL_SCHOOL) {
        name = api_school_name(db, c->actor.org, c->arena);
    } else {
        db_region *v;
        int n = 0;
        int rc = db_region_get_with_ancestors(db, c->actor.org, c->arena, &v, &n, &c->err);
        if (rc != 0) {
            json_decref(o);
            return rc;
        }
        char *full = "";
        for (int i = n - 1; i >= 0; i--)
            if (strcmp(v[i].level, "ministry") != 0 || n == 1)
                full = app_arena_printf(c->arena, "%s%s", full, v[i].name);
        name = full;
    }
    json_object_set_new(o, "jurisdiction",
                        json_pack("{s:s,s:s,s:s?}", "org", c->actor.org, "level",
                                  core_level_name(c->actor.level), "name", name));
    api_reply_json(c, 200, o);
    return 0;
}

void
h_me(api_call *c)
{
    api_submit(c, job_me);
}

/* ---- PUT /me/password ---- */

typedef struct pw_args {
    const char *old_password, *new_password;
} pw_args;

static int
job_me_password(api_call *c, db_conn *db)
{
    pw_args *a = c->data;
    db_user u;
    int found = 0;
    int rc = db_user_by_id(db, c->actor.user_id, c->arena, &u, &found, &c->err);
    if (rc != 0)
        return rc;
    if (!found)
        return app_err_set(&c->err, APP_EAUTH, "invalid_token", NULL);
    if (!core_pwhash_verify(u.password_hash, a->old_password)) {
        app_err_field(&c->err, "/old_password");
        return app_err_set(&c->err, APP_EINVAL, "wrong_password", NULL);
    }
    if (strcmp(a->old_password, a->new_password) == 0) {
        app_err_field(&c->err, "/new_password");
        return app_err_set(&c->err, APP_EINVAL, "password_reused", NULL);
    }
    if ((rc = core_password_check(a->new_password, u.username, &c->err)) != 0)
        return rc;
    char hash[CORE_PWHASH_LEN];
    if (core_pwhash(a->new_password, hash) != 0)
        return app_err_set(&c->err, APP_EINTERNAL, NULL, "pwhash");
    json_t *out = NULL;
    if ((rc = db_begin(db, &c->err)) != 0)
        return rc;
    rc = db_user_set_password(db, u.id, hash, 0, &c->err);
    sodium_memzero(hash, sizeof(hash));
    /* re-read: the new pair must not predate the revocation just written */
    if (rc == 0)
        rc = db_user_by_id(db, u.id, c->arena, &u, &found, &c->err);
    if (rc == 0 && !found)
        rc = app_err_set(&c->err, APP_EAUTH, "invalid_token", NULL);
    if (rc == 0)
        rc = issue_pair(c, db, &u, 0, &out);
    if (rc == 0) {
        char uid[24];
        snprintf(uid, sizeof(uid), "%lld", u.id);
        api_audit(c, db, "password_change", "user", uid, NULL);
        rc = c->err.code;
    }
    if (rc == 0)
        rc = db_commit(db, &c->err);
    api_auth_forget(u.id);
    if (rc != 0) {
        json_decref(out);
        return rc;
    }
    /* every earlier token is dead; here is a fresh pair */
    api_reply_json(c, 200, out);
    return 0;
}

void
h_me_password(api_call *c)
{
    if (c->client_id != NULL) {
        api_fail_code(c, APP_EFORBIDDEN, "forbidden", NULL);
        return;
    }
    pw_args *a = app_arena_alloc(c->arena, sizeof(*a));
    a->old_password = api_body_string(c, "old_password", 1);
    a->new_password = api_body_string(c, "new_password", 1);
    if (c->failed)
        return;
    c->data = a;
    api_submit(c, job_me_password);
}

/* ---- bootstrap ---- */

int
api_bootstrap_admin(const api_config *cfg, db_conn *db, app_err *err)
{
    long long n = 0;
    int rc = db_user_count(db, &n, err);
    if (rc != 0 || n > 0 || cfg->admin_password == NULL)
        return rc;
    if (core_password_check(cfg->admin_password, "admin", err) != 0) {
        snprintf(err->detail, sizeof(err->detail),
                 "XUEJI_ADMIN_PASSWORD does not meet the password policy (10+ characters, "
                 "three of: lower, upper, digit, symbol)");
        return APP_EINVAL;
    }
    char hash[CORE_PWHASH_LEN];
    if (core_pwhash(cfg->admin_password, hash) != 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "pwhash");
    db_user u = {.username = "admin",
                 .display_name = "教育部学籍管理员",
                 .role = "ministry",
                 .org = "000000",
                 .password_hash = hash,
                 .must_change_password = 0};
    long long id;
    rc = db_user_insert(db, &u, &id, err);
    if (rc == APP_ECONFLICT) /* another xuejid made it first */
        return 0;
    if (rc == 0) {
        db_audit e = {.action = "bootstrap_admin", .target_type = "user", .target_id = "admin"};
        rc = db_audit_insert(db, &e, err);
    }
    return rc;
}

const char *
api_school_name(db_conn *db, const char *code, app_arena *a)
{
    db_school s;
    int found = 0;
    app_err err = {0};
    if (db_school_get(db, code, a, &s, &found, &err) != 0 || !found)
        return NULL;
    return s.name;
}
