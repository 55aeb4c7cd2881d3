/*
 * tests/http/users_world.h - the world and helpers of the suites
 * users_test.c (accounts over HTTP: bootstrap, first login, hierarchy and scoping, resets, locks,
 * patch and disable), users_access_test.c (sessions and sign-in over HTTP: secret answers, sessions
 * ended, lockout per source and account, school staff, service clients, forged tokens). Each suite
 * is its own program with its own copy of this state (all static).
 *
 * What the suites test, together:
 * black-box tests of account management (/users),
 * first login with a one-time password, locks (per address and per account),
 * resets, disabling, sessions and secret answers (never stored), service
 * clients (/clients, /auth/token) and forged tokens.
 *
 * The suite runs on a database of its own (xueji_users, created afresh in the
 * test cluster by main()), so the bootstrap admin is really bootstrapped here
 * whatever other suites did to the shared one. Each test uses its own
 * usernames; tests may run in any order.
 */
#ifndef TESTS_HTTP_USERS_WORLD_H
#define TESTS_HTTP_USERS_WORLD_H

#include "db/db.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <jwt.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Each suite uses some of these helpers, not all. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

#define ADMIN_PASSWORD "Xueji-Test-2026!"
#define NEW_PASSWORD "Zhongyuan-2026!" /* contains none of the usernames below */
#define TEST_DB "xueji_users"

static char db_url[2048];
static char env_db[2100];
static ht_server *srv;

static void
start_server(void)
{
    const char *env[] = {env_db, "XUEJI_ADMIN_PASSWORD=" ADMIN_PASSWORD, NULL};
    srv = ht_server_start(env);
    ck_assert_msg(srv != NULL, "xuejid did not start");
}

static void
stop_server(void)
{
    ck_assert_int_eq(ht_server_stop(srv), 0);
}

/* METHOD path with a bearer token (may be NULL), a JSON body (may be NULL) and
   up to two extra headers (may be NULL). */
static void
call(const char *method, const char *path, const char *token, const char *json, const char *h1,
     const char *h2, ht_resp *r)
{
    const char *h[6];
    int n = 0;
    char auth[2048];
    if (token != NULL) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h[n++] = auth;
    }
    if (json != NULL)
        h[n++] = "Content-Type: application/json";
    if (h1 != NULL)
        h[n++] = h1;
    if (h2 != NULL)
        h[n++] = h2;
    h[n] = NULL;
    ck_assert_int_eq(ht_request(srv, method, path, h, json, json ? strlen(json) : 0, r), 0);
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *
fmt(const char *f, ...)
{
    static char bufs[8][2048];
    static int next;
    char *b = bufs[next++ % 8];
    va_list ap;
    va_start(ap, f);
    vsnprintf(b, sizeof(bufs[0]), f, ap);
    va_end(ap);
    return b;
}

static void
login(const char *user, const char *password, ht_resp *r)
{
    call("POST", "/api/v1/auth/login", NULL,
         fmt("{\"username\":\"%s\",\"password\":\"%s\"}", user, password), NULL, NULL, r);
}

/* Log in and return the access token (malloc'd). */
static char *
token_of(const char *user, const char *password)
{
    ht_resp r;
    login(user, password, &r);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", user, r.status, r.body);
    char *t = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
    return t;
}

static char *
admin_token(void)
{
    return token_of("admin", ADMIN_PASSWORD);
}

/* POST /users and expect 201; *out_id and the one-time password (malloc'd). */
static char *
create_user(const char *token, const char *username, const char *role, const char *org,
            const char *extra, long long *out_id)
{
    ht_resp r;
    call(
        "POST", "/api/v1/users", token,
        fmt("{\"username\":\"%s\",\"display_name\":\"测试 %s\",\"role\":\"%s\",\"org\":\"%s\"%s%s}",
            username, username, role, org, extra ? "," : "", extra ? extra : ""),
        NULL, NULL, &r);
    ck_assert_msg(r.status == 201, "create %s: %ld %s", username, r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "username"), username);
    ck_assert_str_eq(ht_json_str(r.json, "role"), role);
    ck_assert_str_eq(ht_json_str(r.json, "org"), org);
    ck_assert_ptr_null(json_object_get(r.json, "password_hash"));
    ck_assert_ptr_null(strstr(r.body, "argon2"));
    long long id = json_integer_value(json_object_get(r.json, "id"));
    ck_assert_int_gt(id, 0);
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/users/%lld", id);
    ck_assert_str_eq(ht_header(&r, "location"), loc);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    const char *otp = ht_json_str(r.json, "one_time_password");
    ck_assert_ptr_nonnull(otp);
    ck_assert_int_eq((int)strlen(otp), 16);
    char *pw = strdup(otp);
    ht_resp_free(&r);
    if (out_id != NULL)
        *out_id = id;
    return pw;
}

/* First login with the one-time password, then the password change: the new token. */
static char *
activate(const char *username, const char *otp)
{
    ht_resp r;
    login(username, otp, &r);
    ck_assert_msg(r.status == 200, "first login %s: %ld %s", username, r.status, r.body);
    ck_assert(json_is_true(json_object_get(r.json, "must_change_password")));
    char *first = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
    call("PUT", "/api/v1/me/password", first,
         fmt("{\"old_password\":\"%s\",\"new_password\":\"%s\"}", otp, NEW_PASSWORD), NULL, NULL,
         &r);
    ck_assert_msg(r.status == 200, "password change %s: %ld %s", username, r.status, r.body);
    char *t = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
    free(first);
    return t;
}

/* Create and activate: the new account's token; *out_id its id. */
static char *
new_account(const char *token, const char *username, const char *role, const char *org,
            const char *extra, long long *out_id)
{
    char *otp = create_user(token, username, role, org, extra, out_id);
    char *t = activate(username, otp);
    free(otp);
    return t;
}

static void
expect_status(const char *method, const char *path, const char *token, const char *json,
              long status, const char *code)
{
    ht_resp r;
    call(method, path, token, json, NULL, NULL, &r);
    if (code != NULL)
        ht_assert_problem(&r, status, code);
    else
        ck_assert_msg(r.status == status, "%s %s: %ld %s", method, path, r.status, r.body);
    ht_resp_free(&r);
}

/* Is an account with this id among the items? */
static int
has_id(const json_t *items, long long id)
{
    for (size_t i = 0; i < json_array_size(items); i++)
        if (json_integer_value(json_object_get(json_array_get(items, i), "id")) == id)
            return 1;
    return 0;
}

static db_conn *
test_db(void)
{
    app_err err = {0};
    db_conn *c = db_conn_open(db_url, &err);
    ck_assert_msg(c != NULL && db_conn_ok(c), "cannot connect to %s: %s", db_url, err.detail);
    return c;
}

static void
sql(const char *text)
{
    app_err err = {0};
    db_conn *c = test_db();
    ck_assert_msg(db_exec_sql(c, text, &err) == 0, "%s: %s", text, err.detail);
    db_conn_close(c);
}

/* How many audit rows of `action` name user `id` as their target. */
static long long
audit_count(long long id, const char *action)
{
    app_err err = {0};
    db_conn *c = test_db();
    char ids[24];
    snprintf(ids, sizeof(ids), "%lld", id);
    const char *p[] = {ids, action};
    db_res *r = NULL;
    ck_assert_int_eq(db_exec_once(c,
                                  "SELECT count(*) FROM audit WHERE target_type = 'user'"
                                  " AND target_id = $1 AND action = $2",
                                  2, p, &r, &err),
                     0);
    long long n = db_res_int(r, 0, 0);
    db_res_free(r);
    db_conn_close(c);
    return n;
}

/* The test cluster's URL with another database name. */
static void
url_with_db(const char *url, const char *db, char *out, size_t cap)
{
    const char *scheme = strstr(url, "://");
    const char *path = scheme ? strchr(scheme + 3, '/') : NULL;
    if (path == NULL) { /* key=value form: a later dbname wins */
        snprintf(out, cap, "%s dbname=%s", url, db);
        return;
    }
    const char *q = strchr(path, '?');
    snprintf(out, cap, "%.*s/%s%s", (int)(path - url), url, db, q ? q : "");
}

/* A fresh database for this suite, migrated and with its admin. */
static int
prepare_database(void)
{
    const char *base = getenv("XUEJI_TEST_DATABASE_URL");
    if (base == NULL || *base == '\0') {
        fprintf(stderr, "users_test: XUEJI_TEST_DATABASE_URL is not set\n");
        return -1;
    }
    url_with_db(base, TEST_DB, db_url, sizeof(db_url));
    snprintf(env_db, sizeof(env_db), "XUEJI_DATABASE_URL=%s", db_url);
    app_err err = {0};
    db_conn *c = db_conn_open(base, &err);
    if (c == NULL || !db_conn_ok(c) ||
        db_exec_sql(c, "DROP DATABASE IF EXISTS " TEST_DB, &err) != 0 ||
        db_exec_sql(c, "CREATE DATABASE " TEST_DB, &err) != 0) {
        fprintf(stderr, "users_test: cannot create database %s: %s\n", TEST_DB, err.detail);
        db_conn_close(c);
        return -1;
    }
    db_conn_close(c);
    const char *args[] = {"migrate", NULL};
    const char *env[] = {env_db, "XUEJI_ADMIN_PASSWORD=" ADMIN_PASSWORD, NULL};
    char *out = NULL;
    int rc = ht_run_xuejid(args, env, 300, &out);
    if (rc != 0)
        fprintf(stderr, "users_test: xuejid migrate exited %d:\n%s\n", rc, out ? out : "");
    free(out);
    return rc == 0 ? 0 : -1;
}

static int
world_main(Suite *suite)
{
    ht_global_init();
    if (sodium_init() < 0 || prepare_database() != 0)
        return 1;
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed ? 1 : 0;
}

#pragma GCC diagnostic pop

#endif
