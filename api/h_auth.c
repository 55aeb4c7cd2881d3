/*
 * api/h_auth.c - login, refresh, logout, /me, password: each handler parses,
 * calls one core/session.h or core/account.h function and replies. Access
 * tokens are signed here (api/auth.h) from the session core hands back.
 */
#include "api/auth.h"
#include "api/handlers.h"
#include "api/registry.h"
#include "api/server.h"
#include "api/uni.h"
#include "core/account.h"
#include "core/audit.h"
#include "core/session.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* The core_op of a call nobody is signed in to yet. */
static void
anonymous_op(api_call *c, core_op *op)
{
    api_op(c, op);
    op->actor = NULL;
}

/* The answer of a new session or a rotation: an access token naming the
   session (`sid`) and the refresh token `refresh`. */
static int
reply_pair(api_call *c, const core_session *s, const char *refresh)
{
    char *access = NULL;
    int rc = api_token_issue_after(&s->actor, NULL, s->tokens_valid_after, s->family,
                                   s->must_change_password, &access, &c->err);
    if (rc != 0)
        return rc;
    json_t *o = json_pack("{s:s,s:s,s:i,s:s,s:b}", "access_token", access, "token_type", "Bearer",
                          "expires_in", API_TOKEN_TTL_S, "refresh_token", refresh,
                          "must_change_password", s->must_change_password);
    free(access);
    api_reply_json(c, 200, o);
    return 0;
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

static int
job_login(api_call *c, db_conn *db)
{
    const api_config *cfg = api_server_config();
    login_args *a = c->data;
    core_login_rules rules = {.max_failures = cfg->max_login_failures,
                              .max_failures_account = cfg->max_login_failures_account,
                              .freeze_days = cfg->freeze_days};
    char refresh[44], hash[65];
    api_opaque_token(refresh, hash);
    core_login_in in = {.username = a->username,
                        .password = a->password,
                        .rules = &rules,
                        .refresh_hash = hash,
                        .refresh_ttl_s = API_REFRESH_TTL_S};
    core_op op;
    anonymous_op(c, &op);
    core_login_out out;
    int rc = core_session_login(db, &op, &in, &out, &c->err);
    if (out.locked_user != 0)
        api_auth_forget(out.locked_user); /* an account lock also stops its tokens */
    if (out.retry_after > 0)
        retry_after(c, out.retry_after);
    if (rc != 0)
        return rc;
    c->authed = 1;
    c->actor = out.session.actor;
    return reply_pair(c, &out.session, refresh);
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
    char hash[65], refresh[44], next[65];
    api_opaque_hash(c->data, hash);
    api_opaque_token(refresh, next);
    core_op op;
    anonymous_op(c, &op);
    core_session s;
    long long revoked = 0;
    int rc = core_session_refresh(db, &op, hash, next, API_REFRESH_TTL_S, &s, &revoked, &c->err);
    if (revoked != 0)
        api_session_forget(revoked);
    if (rc != 0)
        return rc;
    return reply_pair(c, &s, refresh);
}

static int
job_logout(api_call *c, db_conn *db)
{
    char hash[65];
    api_opaque_hash(c->data, hash);
    core_op op;
    anonymous_op(c, &op);
    long long family = 0;
    int rc = core_session_logout(db, &op, hash, &family, &c->err);
    if (rc != 0)
        return rc;
    api_session_forget(family);
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

static json_t *
me_json(api_call *c, const core_me *me)
{
    if (c->client_id != NULL || !me->is_user)
        return json_pack("{s:s,s:s,s:s}", "client_id", c->client_id ? c->client_id : "", "role",
                         api_role_name(&c->actor), "org", c->actor.org);
    const core_account *u = &me->account;
    json_t *cls = json_array();
    for (int i = 0; i < u->nclasses; i++)
        json_array_append_new(cls, json_integer(u->classes[i]));
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s?,s:o,s:b}", "id", (json_int_t)u->id, "username",
                          u->username, "display_name", u->display_name, "role", u->role, "org",
                          u->org, "staff_role", u->staff_role, "classes", cls,
                          "must_change_password", u->must_change_password);
    if (u->grade)
        json_object_set_new(o, "grade", json_sprintf("%d", u->grade));
    if (u->college)
        json_object_set_new(o, "college", json_integer(u->college));
    return o;
}

static int
job_me(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    core_me me;
    int rc = core_account_me(db, &op, &me, &c->err);
    if (rc != 0)
        return rc;
    json_t *o = me_json(c, &me);
    /* a student's jurisdiction is its university */
    const char *level = c->actor.student_id ? "school" : core_level_name(c->actor.level);
    json_object_set_new(
        o, "jurisdiction",
        json_pack("{s:s,s:s,s:s?}", "org", c->actor.org, "level", level, "name", me.jurisdiction));
    if (c->actor.student_id && (rc = api_uni_me_json(c, db, &op, o)) != 0) {
        json_decref(o);
        return rc;
    }
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
    char refresh[44], hash[65];
    api_opaque_token(refresh, hash);
    core_password_change in = {.old_password = a->old_password,
                               .new_password = a->new_password,
                               .refresh_hash = hash,
                               .refresh_ttl_s = API_REFRESH_TTL_S};
    core_op op;
    api_op(c, &op);
    core_session s;
    int rc = core_session_password_change(db, &op, &in, &s, &c->err);
    api_auth_forget(c->actor.user_id);
    if (rc != 0)
        return rc;
    /* every earlier token is dead; here is a fresh pair */
    return reply_pair(c, &s, refresh);
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
    return core_account_bootstrap_admin(db, cfg->admin_password, err);
}
