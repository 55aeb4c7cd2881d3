/*
 * api/auth.h - access tokens (JWT, HS256 only) and the per-request check of
 * the account behind them.
 *
 * A token is checked twice: on the loop thread its signature, algorithm,
 * issuer, iat and exp (60 s skew) are verified (no database); on the worker the
 * account is looked up (cached for at most API_AUTH_CACHE_MS) and must still
 * exist, be enabled, unlocked and unfrozen, have the token's role and org, and
 * not have revoked tokens issued before a password change or disable; a user's
 * token must name its session (`sid`, the refresh family), and that session
 * must still be alive (not logged out or revoked; cached the same way).
 */
#ifndef API_AUTH_H
#define API_AUTH_H

#include "api/api.h"
#include "core/jurisdiction.h"

#define API_TOKEN_TTL_S 900                /* access tokens: 15 minutes */
#define API_REFRESH_TTL_S (14 * 24 * 3600) /* refresh tokens: 14 days */
#define API_TOKEN_SKEW_S 60
#define API_TOKEN_ISSUER "xueji"
#define API_AUTH_CACHE_MS 2000

/*
 * Sign an access token for the actor. `client_id` NULL: a user's token (`sub`
 * is a->user_id); else a service client's (`sub` "client:<client_id>", role and
 * org from `a`, no scope). *out is malloc'd (caller frees).
 */
int api_token_issue(const core_actor *a, const char *client_id, int must_change, char **out,
                    app_err *err);
/*
 * The same, with the session claim `sid` (the refresh family the token is issued
 * with; 0: none, for service clients) and `iat` no earlier than `not_before`
 * (epoch seconds, rounded up; pass the account's tokens_valid_after). A
 * revocation (password change or reset, disable) kills every token of its
 * second and moves tokens_valid_after to the next second, so a token issued
 * right after it would be born revoked; it is dated at the cut-off instead, a
 * second or so ahead, well within API_TOKEN_SKEW_S. A cut-off more than 30 s
 * ahead is not followed (the token is then refused: fail closed).
 */
int api_token_issue_after(const core_actor *a, const char *client_id, double not_before,
                          long long sid, int must_change, char **out, app_err *err);

/* Verify a bearer token (loop thread). Fills c->actor, c->token_iat,
   c->token_sid, c->token_pwc, c->client_id. Errors: APP_EAUTH ("invalid_token",
   "token_expired"). `now` in epoch seconds (injectable for tests). */
int api_token_verify(api_call *c, const char *token, size_t len, long now, app_err *err);

/* Worker: the account behind c->actor still allows this call. */
int api_auth_check(api_call *c, db_conn *db);

/* Forget cached account state (after a local change to the account). */
void api_auth_forget(long long user_id);
/* Forget a session's cached state (after its refresh family was revoked here). */
void api_session_forget(long long sid);

/* A random opaque token (43 chars base64url of 32 bytes) and its keyed hash (hex). */
void api_opaque_token(char out_token[44], char out_hash[65]);
void api_opaque_hash(const char *token, char out_hash[65]);

/* The role of an actor as tokens and accounts name it: "student" for a
   signed-in student (docs/decisions/0032), else its level's name; "" if none. */
const char *api_role_name(const core_actor *a);

/* Fill a core_actor from account fields. */
void api_actor_from_user(core_actor *a, long long id, const char *role, const char *org,
                         const char *staff_role, int grade, int nclasses, const long long *classes);

#endif
