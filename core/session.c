/*
 * core/session.c - login, refresh, logout, password change (see core/session.h).
 */
#include "core/session.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/password.h"
#include "core/pwhash.h"
#include "db/user.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Made on first need (an argon2id hash takes a while; tests start many servers). */
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
core_session_dummy_hash(void)
{
    pthread_once(&dummy_once, make_dummy_hash);
    return dummy_hash;
}

void
core_session_login_source(const char *ip, char *out, size_t cap)
{
    struct in6_addr a6;
    if (ip == NULL)
        ip = "";
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

static void
session_of(core_session *s, const db_user *u, long long family)
{
    core_actor *a = &s->actor;
    memset(s, 0, sizeof(*s));
    a->user_id = u->id;
    a->level = core_level_from_name(u->role);
    snprintf(a->org, sizeof(a->org), "%s", u->org);
    a->staff_role = core_staff_role_from_name(u->staff_role);
    a->grade = u->grade;
    a->nclasses = u->nclasses > CORE_ACTOR_MAX_CLASSES ? CORE_ACTOR_MAX_CLASSES : u->nclasses;
    memcpy(a->classes, u->classes, sizeof(long long) * (size_t)a->nclasses);
    a->college = u->college;
    a->student_id = u->student_id; /* role student: level stays CORE_LEVEL_NONE */
    s->tokens_valid_after = u->tokens_valid_after;
    s->must_change_password = u->must_change_password;
    s->family = family;
}

/* A new session of `u` (family 0) or the next token of `family`, in the open transaction. */
static int
start_token(db_conn *db, const db_user *u, long long family, const char *hash, int ttl_s,
            core_session *out, app_err *err)
{
    int rc = family == 0 ? db_refresh_new_family(db, &family, err) : 0;
    if (rc == 0)
        rc = db_refresh_insert(db, u->id, family, hash, ttl_s, err);
    if (rc == 0)
        session_of(out, u, family);
    return rc;
}

/* Commit when rc (how the transaction went) is 0, else roll back; 0 once committed. */
static int
commit_then(db_conn *db, int rc, app_err *err)
{
    if (rc == 0 && (rc = db_commit(db, err)) == 0)
        return 0;
    db_rollback(db);
    return rc;
}

static const char *
uid_text(const core_op *op, long long id)
{
    return app_arena_printf(op->arena, "%lld", id);
}

/* ---- login ---- */

typedef struct login_ctx {
    db_conn *db;
    const core_op *op;
    const core_login_in *in;
    core_login_out *out;
    db_user u;
    const char *uid;
    char src[64];
} login_ctx;

/* One audit row standing alone (no other write goes with it). */
static int
audit_alone(login_ctx *x, const char *action, const char *detail, app_err *err)
{
    return core_audit(x->db, x->op, action, "user", x->uid, detail, err);
}

/* A wrong password: counted for this source and for the whole account. */
static int
login_failed(login_ctx *x, app_err *err)
{
    const core_login_rules *r = x->in->rules;
    long long src_for = 0, acct_for = 0;
    long long id = x->u.id;
    int rc = db_begin(x->db, err);
    if (rc == 0)
        rc = db_user_source_failed(x->db, id, x->src, r->max_failures, &src_for, err);
    if (rc == 0)
        rc = db_user_login_failed(x->db, id, r->max_failures_account, &acct_for, err);
    if (rc == 0)
        rc = audit_alone(x, "login_failure", NULL, err);
    if (rc == 0 && acct_for > 0)
        rc = audit_alone(x, "lock", "{\"scope\":\"account\"}", err);
    else if (rc == 0 && src_for > 0)
        rc = audit_alone(x, "lock", "{\"scope\":\"source\"}", err);
    if ((rc = commit_then(x->db, rc, err)) != 0)
        return rc;
    if (acct_for > 0)
        x->out->locked_user = id; /* an account lock also stops its tokens */
    if (acct_for == 0 && src_for == 0)
        return app_err_set(err, APP_EAUTH, "invalid_credentials", NULL);
    x->out->retry_after = acct_for > src_for ? acct_for : src_for;
    return app_err_set(err, APP_EAUTH, "account_locked", NULL);
}

/* Unused longer than the freeze period: frozen now. */
static int
freeze_if_idle(login_ctx *x, app_err *err)
{
    int days = x->in->rules->freeze_days;
    double last = x->u.last_login_at > 0 ? x->u.last_login_at : x->u.created_at;
    if (x->u.frozen || days <= 0 || (double)time(NULL) - last <= (double)days * 86400)
        return 0;
    int rc = db_begin(x->db, err);
    if (rc == 0)
        rc = db_user_freeze(x->db, x->u.id, err);
    if (rc == 0)
        rc = audit_alone(x, "freeze", NULL, err);
    if (rc == 0)
        rc = audit_alone(x, "login_refused_frozen", NULL, err);
    if ((rc = commit_then(x->db, rc, err)) != 0)
        return rc;
    return app_err_set(err, APP_EFORBIDDEN, "account_frozen", NULL);
}

static int
login_ok(login_ctx *x, app_err *err)
{
    core_session *s = &x->out->session;
    int rc = db_begin(x->db, err);
    if (rc == 0)
        rc = db_user_login_ok(x->db, x->u.id, x->src, err);
    if (rc == 0)
        rc = start_token(x->db, &x->u, 0, x->in->refresh_hash, x->in->refresh_ttl_s, s, err);
    if (rc == 0) {
        core_op as_user = *x->op; /* the account is the actor of its own login */
        as_user.actor = &s->actor;
        rc = core_audit(x->db, &as_user, "login_success", "user", x->uid, NULL, err);
    }
    return commit_then(x->db, rc, err);
}

/* The username as the audit detail of a failure. */
static const char *
username_detail(const core_op *op, const char *username)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "username", username);
    jw_end(&w);
    return jw_text(&w, NULL);
}

int
core_session_login(db_conn *db, const core_op *op, const core_login_in *in, core_login_out *out,
                   app_err *err)
{
    core_op anon = *op; /* nobody is signed in yet */
    anon.actor = NULL;
    login_ctx x = {.db = db, .op = &anon, .in = in, .out = out};
    memset(out, 0, sizeof(*out));
    core_session_login_source(op->ip, x.src, sizeof(x.src));
    int found = 0;
    int rc = db_user_by_username(db, in->username, op->arena, &x.u, &found, err);
    if (rc != 0)
        return rc;
    if (!found) {
        core_pwhash_verify(core_session_dummy_hash(), in->password);
        if ((rc = audit_alone(&x, "login_failure", username_detail(op, in->username), err)) != 0)
            return rc;
        return app_err_set(err, APP_EAUTH, "invalid_credentials", NULL);
    }
    x.uid = uid_text(op, x.u.id);
    long long locked_for = x.u.locked_for_s;
    if (locked_for == 0 && (rc = db_user_source_locked(db, x.u.id, x.src, &locked_for, err)) != 0)
        return rc;
    if (locked_for > 0) {
        core_pwhash_verify(core_session_dummy_hash(), in->password);
        out->retry_after = locked_for;
        if ((rc = audit_alone(&x, "login_refused_locked", NULL, err)) != 0)
            return rc;
        return app_err_set(err, APP_EAUTH, "account_locked", NULL);
    }
    if (!core_pwhash_verify(x.u.password_hash, in->password))
        return login_failed(&x, err);
    if (x.u.disabled) {
        if ((rc = audit_alone(&x, "login_refused_disabled", NULL, err)) != 0)
            return rc;
        return app_err_set(err, APP_EFORBIDDEN, "account_disabled", NULL);
    }
    if ((rc = freeze_if_idle(&x, err)) != 0)
        return rc;
    if (x.u.frozen) {
        if ((rc = audit_alone(&x, "login_refused_frozen", NULL, err)) != 0)
            return rc;
        return app_err_set(err, APP_EFORBIDDEN, "account_frozen", NULL);
    }
    return login_ok(&x, err);
}

/* ---- refresh and logout ---- */

/* A rotated token came back: someone holds a copy. End the family. */
static int
revoke_reused(db_conn *db, const core_op *op, long long user, long long family, app_err *err)
{
    int rc = db_refresh_revoke_family(db, family, err);
    if (rc == 0)
        rc = core_audit(db, op, "refresh_reuse_revoked", "user", uid_text(op, user), NULL, err);
    if ((rc = commit_then(db, rc, err)) != 0)
        return rc;
    return app_err_set(err, APP_EAUTH, "refresh_token_reused", NULL);
}

int
core_session_refresh(db_conn *db, const core_op *op, const char *hash, const char *new_hash,
                     int ttl_s, core_session *out, long long *out_revoked, app_err *err)
{
    long long user = 0, family = 0;
    int state = 1, found = 0;
    core_op anon = *op; /* nobody is signed in */
    anon.actor = NULL;
    *out_revoked = 0;
    int rc = db_begin(db, err);
    if (rc == 0)
        rc = db_refresh_use(db, hash, &user, &family, &state, err);
    if (rc != 0)
        return commit_then(db, rc, err);
    if (state == 2) {
        *out_revoked = family;
        return revoke_reused(db, &anon, user, family, err);
    }
    if (state == 1) {
        db_rollback(db);
        return app_err_set(err, APP_EAUTH, "invalid_refresh_token", NULL);
    }
    db_user u;
    if ((rc = db_user_by_id(db, user, op->arena, &u, &found, err)) != 0)
        return commit_then(db, rc, err);
    if (!found || u.disabled || u.frozen || u.locked_for_s > 0) {
        db_rollback(db);
        return app_err_set(err, APP_EAUTH, "invalid_refresh_token", "account inactive");
    }
    rc = start_token(db, &u, family, new_hash, ttl_s, out, err);
    return commit_then(db, rc, err);
}

int
core_session_logout(db_conn *db, const core_op *op, const char *hash, long long *out_family,
                    app_err *err)
{
    long long user = 0, family = 0;
    int state = 1;
    core_op anon = *op; /* nobody is signed in */
    anon.actor = NULL;
    *out_family = 0;
    int rc = db_begin(db, err);
    if (rc == 0)
        rc = db_refresh_use(db, hash, &user, &family, &state, err);
    if (rc == 0 && state == 1 && family == 0) {
        db_rollback(db);
        return app_err_set(err, APP_EAUTH, "invalid_refresh_token", NULL);
    }
    if (rc == 0)
        rc = db_refresh_revoke_family(db, family, err);
    if (rc == 0)
        rc = core_audit(db, &anon, "logout", "user", uid_text(op, user), NULL, err);
    if ((rc = commit_then(db, rc, err)) == 0)
        *out_family = family;
    return rc;
}

/* ---- password change ---- */

static int
check_new_password(const db_user *u, const core_password_change *in, app_err *err)
{
    if (!core_pwhash_verify(u->password_hash, in->old_password)) {
        app_err_field(err, "/old_password");
        return app_err_set(err, APP_EINVAL, "wrong_password", NULL);
    }
    if (strcmp(in->old_password, in->new_password) == 0) {
        app_err_field(err, "/new_password");
        return app_err_set(err, APP_EINVAL, "password_reused", NULL);
    }
    return core_password_check(in->new_password, u->username, err);
}

int
core_session_password_change(db_conn *db, const core_op *op, const core_password_change *in,
                             core_session *out, app_err *err)
{
    db_user u;
    int found = 0;
    long long id = op->actor->user_id;
    int rc = db_user_by_id(db, id, op->arena, &u, &found, err);
    if (rc != 0)
        return rc;
    if (!found || id == 0)
        return app_err_set(err, APP_EAUTH, "invalid_token", NULL);
    if ((rc = check_new_password(&u, in, err)) != 0)
        return rc;
    char hash[CORE_PWHASH_LEN];
    if (core_pwhash(in->new_password, hash) != 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "pwhash");
    if ((rc = db_begin(db, err)) == 0)
        rc = db_user_set_password(db, id, hash, 0, err);
    sodium_memzero(hash, sizeof(hash));
    /* re-read: the new session must not predate the revocation just written */
    if (rc == 0)
        rc = db_user_by_id(db, id, op->arena, &u, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_EAUTH, "invalid_token", NULL);
    if (rc == 0)
        rc = start_token(db, &u, 0, in->refresh_hash, in->refresh_ttl_s, out, err);
    if (rc == 0)
        rc = core_audit(db, op, "password_change", "user", uid_text(op, id), NULL, err);
    return commit_then(db, rc, err);
}
