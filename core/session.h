/*
 * core/session.h - sign-in: login with the lockout rules of
 * docs/decisions/0014, refresh-token rotation, logout, password change, and
 * the session-alive check behind every user's access token.
 *
 * A session is a refresh family: login starts one, each refresh rotates its
 * token, and logout, a reused refresh token, a password change or reset and
 * disabling the account end it. Access tokens (JWT) are signed by api/, not
 * here: these functions hand back what a token needs (core_session) after
 * their transaction has committed.
 *
 * Refresh tokens are opaque; only their keyed hash (made by the caller, who
 * holds the key) reaches this layer and the database. No password, token or
 * hash goes into an audit row or a log.
 *
 * Every write and its audit rows commit in one transaction (core_audit).
 * op->actor is ignored by login, refresh and logout (nobody is signed in;
 * their rows name no actor, except login_success: the account itself) and
 * required by the password change.
 * Besides the errors named, every function may answer APP_EUNAVAIL,
 * APP_ERETRY or APP_EINTERNAL from db/.
 */
#ifndef CORE_SESSION_H
#define CORE_SESSION_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"

/* What a fresh access token needs. */
typedef struct core_session {
    core_actor actor;          /* the account's id, level, org and staff scope */
    double tokens_valid_after; /* the token's iat may not precede it */
    int must_change_password;
    long long family; /* the session (refresh family): the token's `sid` */
} core_session;

/* The lockout rules (ADR 0014), from the configuration. */
typedef struct core_login_rules {
    int max_failures;         /* per account and source, in 15 minutes */
    int max_failures_account; /* per account, all sources */
    int freeze_days;          /* unused this long: frozen at the next login (0: never) */
} core_login_rules;

typedef struct core_login_in {
    const char *username, *password;
    const core_login_rules *rules;
    const char *refresh_hash; /* keyed hash of the new session's refresh token */
    int refresh_ttl_s;
} core_login_in;

typedef struct core_login_out {
    core_session session;  /* on success */
    long long retry_after; /* seconds, with account_locked */
    long long locked_user; /* an account locked now (its cached state is stale), or 0 */
} core_login_out;

/*
 * The source failed logins are counted against (ADR 0014), from the peer
 * address `ip`: an IPv4 address as it is, an IPv6 address as its /64 prefix.
 */
void core_session_login_source(const char *ip, char *out, size_t cap);

/*
 * Log in `in->username` from op->ip (op->actor is ignored; the audit rows
 * name the account once it is known). An unknown user costs as much as a
 * known one. Errors: APP_EAUTH invalid_credentials; APP_EAUTH account_locked
 * (out->retry_after set; a wrong password may lock the source or the
 * account); APP_EFORBIDDEN account_disabled, account_frozen. Audit:
 * login_failure, lock, login_refused_locked / _disabled / _frozen, freeze,
 * login_success. On success a new session with in->refresh_hash.
 */
int core_session_login(db_conn *db, const core_op *op, const core_login_in *in, core_login_out *out,
                       app_err *err);

/*
 * Rotate the refresh token with hash `hash` to `new_hash` in its session.
 * Errors: APP_EAUTH invalid_refresh_token (unknown, expired, revoked, or the
 * account disabled, frozen or locked); APP_EAUTH refresh_token_reused (a
 * token already rotated came back: the whole session is revoked, audit
 * "refresh_reuse_revoked", *out_revoked set to the family).
 */
int core_session_refresh(db_conn *db, const core_op *op, const char *hash, const char *new_hash,
                         int ttl_s, core_session *out, long long *out_revoked, app_err *err);

/* End the session of the refresh token with hash `hash` (audit "logout");
 *out_family: the session ended. Errors: APP_EAUTH invalid_refresh_token. */
int core_session_logout(db_conn *db, const core_op *op, const char *hash, long long *out_family,
                        app_err *err);

typedef struct core_password_change {
    const char *old_password, *new_password;
    const char *refresh_hash; /* of the new session's refresh token */
    int refresh_ttl_s;
} core_password_change;

/*
 * The actor changes its own password: every other token and session ends and
 * a new session starts (*out). Errors: APP_EAUTH invalid_token (no such
 * account); APP_EINVAL wrong_password (/old_password), password_reused
 * (/new_password), the policy errors of core_password_check. Audit
 * "password_change".
 */
int core_session_password_change(db_conn *db, const core_op *op, const core_password_change *in,
                                 core_session *out, app_err *err);

/* A hash of a random password, made once: unknown users and clients are
   verified against it, so that they cost as much as known ones. */
const char *core_session_dummy_hash(void);

#endif
