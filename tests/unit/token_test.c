/*
 * tests/unit/token_test.c - access tokens: what api_token_verify accepts and
 * refuses (tampering, alg none, other algorithms, expiry, issuer, skew).
 */
#include "api/auth.h"
#include "api/config.h"
#include "api/server.h"

#include <check.h>
#include <jwt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECRET "test-secret-0123456789abcdef0123456789"

static api_config cfg;

static void
setup(void)
{
    ck_assert_int_ge(sodium_init(), 0);
    memset(&cfg, 0, sizeof(cfg));
    memcpy(cfg.jwt_secret, SECRET, strlen(SECRET));
    cfg.jwt_secret_len = strlen(SECRET);
    api_server_set_config(&cfg);
}

static api_call *
new_call(void)
{
    api_call *c = calloc(1, sizeof(*c));
    c->arena = app_arena_new();
    return c;
}

static void
free_call(api_call *c)
{
    app_arena_free(c->arena);
    free(c);
}

static int
verify(const char *tok, long now, app_err *err)
{
    api_call *c = new_call();
    app_err_clear(err);
    int rc = api_token_verify(c, tok, strlen(tok), now, err);
    free_call(c);
    return rc;
}

/* A token with chosen claims, signed with `alg` and `key`. */
static char *
craft(jwt_alg_t alg, const char *key, const char *iss, long iat, long exp)
{
    jwt_t *j;
    ck_assert_int_eq(jwt_new(&j), 0);
    jwt_add_grant(j, "iss", iss);
    jwt_add_grant(j, "sub", "42");
    jwt_add_grant(j, "role", "county");
    jwt_add_grant(j, "org", "410102");
    jwt_add_grant_int(j, "iat", iat);
    jwt_add_grant_int(j, "exp", exp);
    jwt_add_grant(j, "jti", "x");
    ck_assert_int_eq(jwt_set_alg(j, alg, (const unsigned char *)key, key ? (int)strlen(key) : 0),
                     0);
    char *s = jwt_encode_str(j);
    jwt_free(j);
    ck_assert_ptr_nonnull(s);
    return s;
}

START_TEST(test_issue_then_verify_roundtrip)
{
    core_actor a;
    long long classes[] = {7, 9};
    api_actor_from_user(&a, 42, "school", "2141010001", "head_teacher", 0, 2, classes);
    char *tok = NULL;
    app_err err = {0};
    ck_assert_int_eq(api_token_issue(&a, 0, 1, &tok, &err), 0);
    api_call *c = new_call();
    ck_assert_int_eq(api_token_verify(c, tok, strlen(tok), (long)time(NULL), &err), 0);
    ck_assert(c->authed);
    ck_assert_int_eq(c->actor.user_id, 42);
    ck_assert_int_eq(c->actor.level, CORE_LEVEL_SCHOOL);
    ck_assert_str_eq(c->actor.org, "2141010001");
    ck_assert_int_eq(c->actor.staff_role, CORE_STAFF_HEAD_TEACHER);
    ck_assert_int_eq(c->actor.nclasses, 2);
    ck_assert_int_eq(c->actor.classes[1], 9);
    ck_assert_int_eq(c->token_pwc, 1);
    free_call(c);

    /* a flipped character anywhere in the signature breaks it */
    size_t n = strlen(tok);
    tok[n - 3] = tok[n - 3] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(verify(tok, (long)time(NULL), &err), APP_EAUTH);
    ck_assert_str_eq(err.slug, "invalid_token");
    free(tok);
}
END_TEST

START_TEST(test_expiry_and_skew)
{
    long now = 2000000000;
    app_err err = {0};
    char *t = craft(JWT_ALG_HS256, SECRET, "xueji", now - 900, now);
    ck_assert_int_eq(verify(t, now + 59, &err), 0); /* within the skew */
    ck_assert_int_eq(verify(t, now + 61, &err), APP_EAUTH);
    ck_assert_str_eq(err.slug, "token_expired");
    ck_assert_int_eq(verify(t, now - 900 - 61, &err), APP_EAUTH); /* iat in the future */
    ck_assert_str_eq(err.slug, "invalid_token");
    free(t);
    /* a lifetime longer than ours was not issued by us */
    t = craft(JWT_ALG_HS256, SECRET, "xueji", now, now + 86400);
    ck_assert_int_eq(verify(t, now, &err), APP_EAUTH);
    free(t);
}
END_TEST

START_TEST(test_wrong_issuer_secret_and_algorithm)
{
    long now = (long)time(NULL);
    app_err err = {0};
    char *t = craft(JWT_ALG_HS256, SECRET, "someone-else", now, now + 900);
    ck_assert_int_eq(verify(t, now, &err), APP_EAUTH);
    free(t);
    t = craft(JWT_ALG_HS256, "another-secret-0123456789abcdef0123", "xueji", now, now + 900);
    ck_assert_int_eq(verify(t, now, &err), APP_EAUTH);
    free(t);
    /* the right secret, another HMAC algorithm: refused */
    t = craft(JWT_ALG_HS512, SECRET, "xueji", now, now + 900);
    ck_assert_int_eq(verify(t, now, &err), APP_EAUTH);
    free(t);
    t = craft(JWT_ALG_HS384, SECRET, "xueji", now, now + 900);
    ck_assert_int_eq(verify(t, now, &err), APP_EAUTH);
    free(t);
}
END_TEST

START_TEST(test_alg_none_refused)
{
    long now = (long)time(NULL);
    app_err err = {0};
    char *t = craft(JWT_ALG_NONE, NULL, "xueji", now, now + 900);
    ck_assert_int_eq(verify(t, now, &err), APP_EAUTH);
    free(t);
    /* hand-made: {"alg":"none","typ":"JWT"} . claims . (empty) */
    char buf[512];
    snprintf(
        buf, sizeof(buf), "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.%s.",
        "eyJpc3MiOiJ4dWVqaSIsInN1YiI6IjEiLCJyb2xlIjoibWluaXN0cnkiLCJvcmciOiIwMDAwMDAiLCJpYXQiOjEsImV4cCI6OTk5OTk5OTk5OX0");
    ck_assert_int_eq(verify(buf, now, &err), APP_EAUTH);
}
END_TEST

START_TEST(test_garbage_refused)
{
    app_err err = {0};
    static const char *const bad[] = {"", "abc", "a.b.c", "....", "eyJ.eyJ.sig"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_int_eq(verify(bad[i], (long)time(NULL), &err), APP_EAUTH);
}
END_TEST

START_TEST(test_opaque_tokens)
{
    char t1[44], h1[65], t2[44], h2[65], again[65];
    api_opaque_token(t1, h1);
    api_opaque_token(t2, h2);
    ck_assert_int_eq((int)strlen(t1), 43);
    ck_assert_str_ne(t1, t2);
    ck_assert_str_ne(h1, h2);
    api_opaque_hash(t1, again);
    ck_assert_str_eq(h1, again);
    /* the hash is keyed: another secret, another hash */
    cfg.jwt_secret[0] ^= 1;
    api_opaque_hash(t1, again);
    ck_assert_str_ne(h1, again);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("token");
    TCase *tc = tcase_create("jwt");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_issue_then_verify_roundtrip);
    tcase_add_test(tc, test_expiry_and_skew);
    tcase_add_test(tc, test_wrong_issuer_secret_and_algorithm);
    tcase_add_test(tc, test_alg_none_refused);
    tcase_add_test(tc, test_garbage_refused);
    tcase_add_test(tc, test_opaque_tokens);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
