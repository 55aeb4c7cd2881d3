/*
 * api/auth.c - JWT access tokens, opaque refresh tokens, account checks.
 */
#include "api/auth.h"

#include "api/server.h"
#include "core/account.h"
#include "core/client.h"
#include "core/session.h"

#include <jwt.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- tokens ---- */

const char *
api_role_name(const core_actor *a)
{
    const char *n = a->student_id > 0 ? "student" : core_level_name(a->level);
    return n ? n : "";
}

void
api_actor_from_user(core_actor *a, long long id, const char *role, const char *org,
                    const char *staff_role, int grade, int nclasses, const long long *classes)
{
    memset(a, 0, sizeof(*a));
    a->user_id = id;
    a->level = core_level_from_name(role);
    snprintf(a->org, sizeof(a->org), "%s", org);
    a->staff_role = core_staff_role_from_name(staff_role);
    a->grade = grade;
    a->nclasses = nclasses > CORE_ACTOR_MAX_CLASSES ? CORE_ACTOR_MAX_CLASSES : nclasses;
    for (int i = 0; i < a->nclasses; i++)
        a->classes[i] = classes[i];
}

int
api_token_issue(const core_actor *a, const char *client_id, int must_change, char **out,
                app_err *err)
{
    return api_token_issue_after(a, client_id, 0, 0, must_change, out, err);
}

int
api_token_issue_after(const core_actor *a, const char *client_id, double not_before, long long sid,
                      int must_change, char **out, app_err *err)
{
    const api_config *cfg = api_server_config();
    long now = (long)time(NULL);
    /* -infinity (never revoked) and NaN fail this test and leave `now` alone */
    if (not_before > (double)now && not_before < (double)now + API_TOKEN_SKEW_S / 2)
        now = (long)ceil(not_before);
    char jti[33], sub[96];
    unsigned char rnd[16];
    if (client_id != NULL && (strlen(client_id) == 0 || strlen(client_id) > 64))
        return app_err_set(err, APP_EINTERNAL, NULL, "client id length");
    jwt_t *jwt = NULL;
    if (jwt_new(&jwt) != 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "jwt_new");
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(jti, sizeof(jti), rnd, sizeof(rnd));
    if (client_id != NULL)
        snprintf(sub, sizeof(sub), "client:%s", client_id);
    else
        snprintf(sub, sizeof(sub), "%lld", a->user_id);

    int rc = jwt_add_grant(jwt, "iss", API_TOKEN_ISSUER);
    rc |= jwt_add_grant(jwt, "sub", sub);
    rc |= jwt_add_grant(jwt, "role", api_role_name(a));
    rc |= jwt_add_grant(jwt, "org", a->org);
    rc |= jwt_add_grant_int(jwt, "iat", now);
    rc |= jwt_add_grant_int(jwt, "exp", now + API_TOKEN_TTL_S);
    rc |= jwt_add_grant(jwt, "jti", jti);
    if (sid > 0)
        rc |= jwt_add_grant_int(jwt, "sid", (long)sid);
    if (must_change)
        rc |= jwt_add_grant_bool(jwt, "pwc", 1);
    if (client_id == NULL && a->student_id > 0)
        rc |= jwt_add_grant_int(jwt, "stu", (long)a->student_id);
    if (client_id == NULL && a->staff_role != CORE_STAFF_NONE) {
        json_t *scope = json_pack("{s:s}", "staff_role", core_staff_role_name(a->staff_role));
        if (a->grade)
            json_object_set_new(scope, "grade", json_sprintf("%d", a->grade));
        if (a->college)
            json_object_set_new(scope, "college", json_integer(a->college));
        if (a->nclasses) {
            json_t *cls = json_array();
            for (int i = 0; i < a->nclasses; i++)
                json_array_append_new(cls, json_integer(a->classes[i]));
            json_object_set_new(scope, "classes", cls);
        }
        json_t *wrap = json_pack("{s:o}", "scope", scope);
        char *s = json_dumps(wrap, JSON_COMPACT);
        json_decref(wrap);
        rc |= jwt_add_grants_json(jwt, s);
        free(s);
    }
    rc |= jwt_set_alg(jwt, JWT_ALG_HS256, cfg->jwt_secret, (int)cfg->jwt_secret_len);
    char *tok = rc == 0 ? jwt_encode_str(jwt) : NULL;
    jwt_free(jwt);
    if (tok == NULL)
        return app_err_set(err, APP_EINTERNAL, NULL, "jwt encode failed");
    *out = tok;
    return 0;
}

static int
bad_token(app_err *err, const char *slug, const char *why)
{
    return app_err_set(err, APP_EAUTH, slug, "%s", why);
}

/*
 * Tokens verified on this loop thread, by a keyed hash of the whole token: a
 * client sends the same token for up to its 15 minutes, and decoding and
 * checking it (base64, JSON, HMAC) costs a third of a small read. Only what
 * the token itself says is kept; the account check (api_auth_check) still
 * runs for every call, so a revoked or disabled account stops at once, and
 * expiry is checked on every hit.
 */
#define VERIFIED_SLOTS 64

typedef struct verified {
    unsigned char hash[16]; /* all zero: empty */
    long exp, iat;
    long long sid;
    core_actor actor;
    char client_id[72];
    int has_client, pwc;
} verified;

static __thread verified verified_cache[VERIFIED_SLOTS];
static unsigned char verified_key[crypto_generichash_KEYBYTES];
static pthread_once_t verified_once = PTHREAD_ONCE_INIT;

static void
verified_init(void)
{
    randombytes_buf(verified_key, sizeof(verified_key));
}

static verified *
verified_slot(const char *token, size_t len, unsigned char hash[16])
{
    pthread_once(&verified_once, verified_init);
    crypto_generichash(hash, 16, (const unsigned char *)token, len, verified_key,
                       sizeof(verified_key));
    return &verified_cache[(hash[0] | (unsigned)hash[1] << 8) % VERIFIED_SLOTS];
}

static int verify_full(api_call *c, const char *token, size_t len, long now, app_err *err);

int
api_token_verify(api_call *c, const char *token, size_t len, long now, app_err *err)
{
    if (len == 0 || len > 4096)
        return bad_token(err, "invalid_token", "token length");
    unsigned char hash[16];
    verified *v = verified_slot(token, len, hash);
    if (sodium_memcmp(v->hash, hash, 16) == 0) {
        /* the time checks of verify_full() again: `now` moves */
        if (v->iat > now + API_TOKEN_SKEW_S)
            return bad_token(err, "invalid_token", "iat");
        if (v->exp + API_TOKEN_SKEW_S < now)
            return bad_token(err, "token_expired", "exp");
        c->actor = v->actor;
        c->client_id = v->has_client ? app_arena_strdup(c->arena, v->client_id) : NULL;
        c->token_iat = v->iat;
        c->token_sid = v->sid;
        c->token_pwc = v->pwc;
        c->authed = 1;
        return 0;
    }
    int rc = verify_full(c, token, len, now, err);
    if (rc == 0) {
        memcpy(v->hash, hash, 16);
        v->actor = c->actor;
        v->iat = c->token_iat;
        v->exp = c->token_exp;
        v->sid = c->token_sid;
        v->pwc = c->token_pwc;
        v->has_client = c->client_id != NULL;
        snprintf(v->client_id, sizeof(v->client_id), "%s", c->client_id ? c->client_id : "");
    }
    return rc;
}

static int
verify_full(api_call *c, const char *token, size_t len, long now, app_err *err)
{
    const api_config *cfg = api_server_config();
    char *tok = app_arena_strndup(c->arena, token, len);
    jwt_t *jwt = NULL;
    /* libjwt checks the signature with the key given, whatever the header says;
       the algorithm itself is checked below (no alg confusion, no "none"). */
    if (jwt_decode(&jwt, tok, cfg->jwt_secret, (int)cfg->jwt_secret_len) != 0 || jwt == NULL)
        return bad_token(err, "invalid_token", "decode or signature");
    int rc = 0;
    const char *iss = jwt_get_grant(jwt, "iss");
    const char *sub = jwt_get_grant(jwt, "sub");
    const char *role = jwt_get_grant(jwt, "role");
    const char *org = jwt_get_grant(jwt, "org");
    long iat = jwt_get_grant_int(jwt, "iat");
    long exp = jwt_get_grant_int(jwt, "exp");
    core_level level = role ? core_level_from_name(role) : CORE_LEVEL_NONE;
    /* a student (docs/decisions/0032): no level, the record in "stu" */
    long stu = role && strcmp(role, "student") == 0 ? jwt_get_grant_int(jwt, "stu") : 0;

    if (jwt_get_alg(jwt) != JWT_ALG_HS256)
        rc = bad_token(err, "invalid_token", "algorithm");
    else if (iss == NULL || strcmp(iss, API_TOKEN_ISSUER) != 0)
        rc = bad_token(err, "invalid_token", "issuer");
    else if (sub == NULL || org == NULL || (level == CORE_LEVEL_NONE && stu <= 0) || iat <= 0 ||
             exp <= 0)
        rc = bad_token(err, "invalid_token", "claims");
    else if (iat > now + API_TOKEN_SKEW_S || exp - iat > API_TOKEN_TTL_S + API_TOKEN_SKEW_S)
        rc = bad_token(err, "invalid_token", "iat");
    else if (exp + API_TOKEN_SKEW_S < now)
        rc = bad_token(err, "token_expired", "exp");

    if (rc == 0) {
        memset(&c->actor, 0, sizeof(c->actor));
        if (strncmp(sub, "client:", 7) == 0) {
            c->client_id = app_arena_strdup(c->arena, sub + 7);
        } else {
            char *end;
            c->actor.user_id = strtoll(sub, &end, 10);
            if (*end != '\0' || c->actor.user_id <= 0)
                rc = bad_token(err, "invalid_token", "sub");
        }
        c->actor.level = level;
        c->actor.student_id = stu > 0 ? stu : 0;
        snprintf(c->actor.org, sizeof(c->actor.org), "%s", org);
        c->token_iat = iat;
        c->token_exp = exp;
        long sid = jwt_get_grant_int(jwt, "sid"); /* 0 when absent */
        c->token_sid = sid > 0 ? sid : 0;
        c->token_pwc = jwt_get_grant_bool(jwt, "pwc") == 1;
        char *scope = jwt_get_grants_json(jwt, "scope");
        if (scope != NULL) {
            json_t *j = json_loads(scope, 0, NULL);
            free(scope);
            c->actor.staff_role =
                core_staff_role_from_name(json_string_value(json_object_get(j, "staff_role")));
            const char *g = json_string_value(json_object_get(j, "grade"));
            c->actor.grade = g ? atoi(g) : 0;
            c->actor.college = json_integer_value(json_object_get(j, "college"));
            json_t *cls = json_object_get(j, "classes");
            for (size_t i = 0; i < json_array_size(cls) && i < CORE_ACTOR_MAX_CLASSES; i++)
                c->actor.classes[c->actor.nclasses++] = json_integer_value(json_array_get(cls, i));
            json_decref(j);
        }
        c->authed = rc == 0;
    }
    jwt_free(jwt);
    return rc;
}

/* ---- account cache: a few seconds, so a disable or reset bites at once ---- */

typedef struct cached {
    long long id;
    uint64_t at_ms;
    int found, disabled, frozen, locked, must_change;
    double tokens_valid_after;
    char role[12], org[11];
} cached;

#define CACHE_SLOTS 1024
static cached cache[CACHE_SLOTS];
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
api_auth_forget(long long user_id)
{
    pthread_mutex_lock(&cache_mu);
    cached *e = &cache[(unsigned long long)user_id % CACHE_SLOTS];
    if (e->id == user_id)
        e->id = 0;
    pthread_mutex_unlock(&cache_mu);
}

/* ---- sessions: a user's token names its refresh family (`sid`); logging out,
   a reused refresh token, a password reset or disabling revokes the family, and
   the token dies with it. Cached like the account, so a read costs no query. ---- */

typedef struct session {
    long long sid, user;
    uint64_t at_ms;
    int alive;
} session;

static session sessions[CACHE_SLOTS];

void
api_session_forget(long long sid)
{
    pthread_mutex_lock(&cache_mu);
    session *e = &sessions[(unsigned long long)sid % CACHE_SLOTS];
    if (e->sid == sid)
        e->sid = 0;
    pthread_mutex_unlock(&cache_mu);
}

/* The account `id` (*out) and, when `sid` > 0, whether that session is alive
   (*out_alive): from the caches when both are fresh, else in one read that
   refreshes both. */
static int
load(api_call *c, db_conn *db, long long id, long long sid, cached *out, int *out_alive)
{
    uint64_t t = now_ms();
    pthread_mutex_lock(&cache_mu);
    cached *e = &cache[(unsigned long long)id % CACHE_SLOTS];
    int hit = e->id == id && t - e->at_ms < API_AUTH_CACHE_MS;
    if (hit)
        *out = *e;
    if (hit && sid > 0) {
        session *se = &sessions[(unsigned long long)sid % CACHE_SLOTS];
        hit = se->sid == sid && se->user == id && t - se->at_ms < API_AUTH_CACHE_MS;
        if (hit)
            *out_alive = se->alive;
    }
    pthread_mutex_unlock(&cache_mu);
    if (hit)
        return 0;

    core_account u;
    int found = 0, alive = 0;
    int rc = sid > 0 ? core_account_session(db, id, sid, c->arena, &u, &found, &alive, &c->err)
                     : core_account_read(db, id, c->arena, &u, &found, &c->err);
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->id = id;
    out->at_ms = t;
    out->found = found;
    if (found) {
        out->disabled = u.disabled;
        out->frozen = u.frozen;
        out->locked = u.locked;
        out->must_change = u.must_change_password;
        out->tokens_valid_after = u.tokens_valid_after;
        snprintf(out->role, sizeof(out->role), "%s", u.role);
        snprintf(out->org, sizeof(out->org), "%s", u.org);
    }
    *out_alive = alive;
    pthread_mutex_lock(&cache_mu);
    cache[(unsigned long long)id % CACHE_SLOTS] = *out;
    if (sid > 0)
        sessions[(unsigned long long)sid % CACHE_SLOTS] =
            (session){.sid = sid, .user = id, .at_ms = t, .alive = alive};
    pthread_mutex_unlock(&cache_mu);
    return 0;
}

int
api_auth_check(api_call *c, db_conn *db)
{
    if (c->client_id != NULL) {
        const char *org;
        int found = 0;
        int rc = core_client_active(db, c->client_id, c->arena, &org, &found, &c->err);
        if (rc != 0)
            return rc;
        if (!found || strcmp(org, c->actor.org) != 0)
            return app_err_set(&c->err, APP_EAUTH, "invalid_token", "client gone");
        return 0;
    }
    cached u;
    int alive = 0;
    int rc = load(c, db, c->actor.user_id, c->token_sid, &u, &alive);
    if (rc != 0)
        return rc;
    if (!u.found || strcmp(u.org, c->actor.org) != 0 ||
        strcmp(u.role, api_role_name(&c->actor)) != 0)
        return app_err_set(&c->err, APP_EAUTH, "invalid_token", "account changed or gone");
    if ((double)c->token_iat < u.tokens_valid_after)
        return app_err_set(&c->err, APP_EAUTH, "token_revoked", "issued before revocation");
    if (c->token_sid <= 0) /* every user token since sessions were named carries one */
        return app_err_set(&c->err, APP_EAUTH, "invalid_token", "no session");
    if (!alive)
        return app_err_set(&c->err, APP_EAUTH, "token_revoked", "session ended");
    if (u.disabled)
        return app_err_set(&c->err, APP_EAUTH, "account_disabled", NULL);
    if (u.frozen)
        return app_err_set(&c->err, APP_EAUTH, "account_frozen", NULL);
    if (u.locked)
        return app_err_set(&c->err, APP_EAUTH, "account_locked", NULL);
    const api_route *r = &api_routes[c->route_index];
    if ((u.must_change || c->token_pwc) && !(r->flags & API_ROUTE_PWCHANGE))
        return app_err_set(&c->err, APP_EFORBIDDEN, "password_change_required", NULL);
    return 0;
}

/* ---- opaque tokens and password hashes ---- */

static void
token_key(unsigned char key[32])
{
    /* refresh-token hashes are keyed with a subkey of the JWT secret */
    const api_config *cfg = api_server_config();
    crypto_generichash(key, 32, cfg->jwt_secret, cfg->jwt_secret_len,
                       (const unsigned char *)"xueji refresh", 13);
}

void
api_opaque_hash(const char *token, char out_hash[65])
{
    unsigned char key[32], h[32];
    token_key(key);
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), key, sizeof(key));
    sodium_bin2hex(out_hash, 65, h, sizeof(h));
    sodium_memzero(key, sizeof(key));
}

void
api_opaque_token(char out_token[44], char out_hash[65])
{
    unsigned char rnd[32];
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2base64(out_token, 44, rnd, sizeof(rnd), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    api_opaque_hash(out_token, out_hash);
}
