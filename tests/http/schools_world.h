/*
 * tests/http/schools_world.h - the world and helpers of the suites
 * schools_test.c (schools over HTTP: create at every level, validation, lists, patch),
 * schools_classes_test.c (classes, settings and the demo loader over HTTP). Each suite is its own
 * program with its own copy of this state (all static).
 *
 * What the suites test, together:
 * black-box tests of schools, classes, region
 * settings and `xuejictl demo` against a real xuejid and PostgreSQL.
 *
 * Accounts are inserted straight into the test database (db_user_insert with
 * a core_pwhash hash), so these tests need no account API. The database is
 * shared by every test (and by other suites of the run): each test uses codes
 * of its own and checks visibility against the core predicate over whatever
 * schools exist, never against a fixed count.
 */
#ifndef TESTS_HTTP_SCHOOLS_WORLD_H
#define TESTS_HTTP_SCHOOLS_WORLD_H

#include "core/jurisdiction.h"
#include "core/pwhash.h"
#include "db/db.h"
#include "db/user.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Each suite uses some of these helpers, not all. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

#define PW "Xueji-Test-2026!"
#define DEMO_PW "Xueji-Demo-2026!"

static ht_server *srv;

static void
start(void)
{
    srv = ht_server_start(NULL);
    ck_assert_msg(srv != NULL, "xuejid did not start");
}

static void
stop(void)
{
    ck_assert_int_eq(ht_server_stop(srv), 0);
}

static db_conn *
dbc(void)
{
    static db_conn *c;
    if (c == NULL) {
        app_err err = {0};
        c = db_conn_open(getenv("XUEJI_TEST_DATABASE_URL"), &err);
        ck_assert_msg(db_conn_ok(c), "connect: %s", err.detail);
    }
    return c;
}

/* An account that needs no password change; created once, kept for the run. */
static void
ensure_user_full(const char *username, const char *role, const char *org, const char *staff,
                 int grade, long long class_id)
{
    static char hash[CORE_PWHASH_LEN];
    app_err err = {0};
    app_arena *a = app_arena_new();
    db_user u;
    int found = 0;
    ck_assert_int_eq(db_user_by_username(dbc(), username, a, &u, &found, &err), 0);
    if (!found) {
        if (hash[0] == '\0')
            ck_assert_int_eq(core_pwhash(PW, hash), 0);
        db_user nu = {.username = username,
                      .display_name = username,
                      .role = role,
                      .org = org,
                      .staff_role = staff,
                      .grade = grade,
                      .password_hash = hash,
                      .must_change_password = 0};
        if (class_id > 0) {
            nu.classes[0] = class_id;
            nu.nclasses = 1;
        }
        long long id;
        int rc = db_user_insert(dbc(), &nu, &id, &err);
        ck_assert_msg(rc == 0 || rc == APP_ECONFLICT, "insert %s: %s", username, err.detail);
    }
    app_arena_free(a);
}

static void
ensure_user(const char *username, const char *role, const char *org)
{
    ensure_user_full(username, role, org, NULL, 0, 0);
}

static char *
login_pw(const char *username, const char *password)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", username, password);
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, "/api/v1/auth/login", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", username, r.status, r.body);
    char *t = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
    return t;
}

static char *
login(const char *username)
{
    return login_pw(username, PW);
}

/* The standard cast, by level. */
static char *
as(const char *who)
{
    static const struct {
        const char *user, *role, *org;
    } cast[] = {
        {"t_ministry", "ministry", "000000"}, {"t_henan", "province", "410000"},
        {"t_hubei", "province", "420000"},    {"t_zhengzhou", "city", "410100"},
        {"t_wuhan", "city", "420100"},        {"t_zhongyuan", "county", "410102"},
        {"t_jinshui", "county", "410105"},    {"t_erqi", "county", "410103"},
        {"t_jiangan", "county", "420102"},    {"t_jianghan", "county", "420103"},
    };
    for (size_t i = 0; i < sizeof(cast) / sizeof(cast[0]); i++)
        if (strcmp(cast[i].user, who) == 0) {
            ensure_user(cast[i].user, cast[i].role, cast[i].org);
            return login(cast[i].user);
        }
    ck_abort_msg("no such cast member %s", who);
    return NULL;
}

/* One request with a bearer token, an optional JSON body and an optional If-Match. */
static void
call(const char *method, const char *path, const char *token, const char *body,
     const char *if_match, ht_resp *out)
{
    char auth[1024], im[64];
    const char *h[4];
    int n = 0;
    if (token != NULL) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h[n++] = auth;
    }
    if (body != NULL)
        h[n++] = "Content-Type: application/json";
    if (if_match != NULL) {
        snprintf(im, sizeof(im), "If-Match: %s", if_match);
        h[n++] = im;
    }
    h[n] = NULL;
    ck_assert_int_eq(ht_request(srv, method, path, h, body, body ? strlen(body) : 0, out), 0);
}

/* Does the problem list an error item (field, code)? */
static int
has_error(const ht_resp *r, const char *field, const char *code)
{
    json_t *errs = json_object_get(r->json, "errors");
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e)
    {
        if (strcmp(ht_json_str(e, "field"), field) == 0 &&
            strcmp(ht_json_str(e, "code"), code) == 0)
            return 1;
    }
    return 0;
}

/* POST a school; 201 or (when allowed) 409 school_exists. */
static void
ensure_school(const char *token, const char *body)
{
    ht_resp r;
    call("POST", "/api/v1/schools", token, body, NULL, &r);
    ck_assert_msg(r.status == 201 || r.status == 409, "%ld %s (body %s)", r.status, r.body, body);
    if (r.status == 409)
        ht_assert_problem(&r, 409, "school_exists");
    ht_resp_free(&r);
}

static long long
scalar(const char *sql)
{
    PGconn *pg = ht_db_connect();
    PGresult *res = PQexec(pg, sql);
    ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(res));
    long long v = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(pg);
    return v;
}

/* Every code of GET /schools?<query> over all pages (page size `limit`). */
static json_t *
list_all(const char *token, const char *query, int limit, int *out_pages)
{
    json_t *codes = json_array();
    char cursor[32] = "";
    int pages = 0;
    for (;;) {
        char path[512];
        snprintf(path, sizeof(path), "/api/v1/schools?limit=%d%s%s%s%s", limit, query[0] ? "&" : "",
                 query, cursor[0] ? "&cursor=" : "", cursor);
        ht_resp r;
        call("GET", path, token, NULL, NULL, &r);
        ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
        json_t *items = json_object_get(r.json, "items");
        ck_assert(json_is_array(items));
        ck_assert_int_le(json_array_size(items), limit);
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            json_array_append_new(codes, json_string(ht_json_str(it, "code")));
        }
        pages++;
        json_t *next = json_object_get(r.json, "next_cursor");
        if (json_is_null(next)) {
            ht_resp_free(&r);
            break;
        }
        ck_assert_int_eq(json_array_size(items), limit);
        snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
        ht_resp_free(&r);
    }
    if (out_pages)
        *out_pages = pages;
    return codes;
}

static int
has_code(const json_t *codes, const char *code)
{
    size_t i;
    json_t *c;
    json_array_foreach(codes, i, c)
    {
        if (strcmp(json_string_value(c), code) == 0)
            return 1;
    }
    return 0;
}

#define S_COUNTY "2141010281"  /* authority the county 410102 (made by the ministry) */
#define S_CITY "2141010282"    /* located in 410102, managed directly by the city 410100 */
#define S_COUNTY2 "3141010281" /* authority 410102, made by the county itself */
#define S_JINSHUI "2141010581" /* 金水区 410105, made by the city */
#define S_HUBEI "2142010281"   /* 江岸区 420102 */

static void
seed_scoping(void)
{
    char *min = as("t_ministry"), *prov = as("t_henan"), *city = as("t_zhengzhou"),
         *cty = as("t_zhongyuan");
    ensure_school(min, "{\"code\":\"" S_COUNTY "\",\"name\":\"中原区测试第一小学\","
                       "\"county\":\"410102\"}");
    ensure_school(prov, "{\"code\":\"" S_CITY "\",\"name\":\"郑州市直属测试小学\","
                        "\"county\":\"410102\",\"authority\":\"410100\"}");
    ensure_school(cty, "{\"code\":\"" S_COUNTY2 "\",\"name\":\"中原区测试初级中学\","
                       "\"county\":\"410102\",\"category\":\"31\",\"system\":\"54\"}");
    ensure_school(city, "{\"code\":\"" S_JINSHUI "\",\"name\":\"金水区测试小学\","
                        "\"county\":\"410105\"}");
    ensure_school(min, "{\"code\":\"" S_HUBEI "\",\"name\":\"江岸区测试小学\","
                       "\"county\":\"420102\"}");
    free(min);
    free(prov);
    free(city);
    free(cty);
    ensure_user_full("t_school281", "school", S_COUNTY, "registrar", 0, 0);
}

static int
world_main(Suite *suite)
{
    ht_global_init();
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}

#pragma GCC diagnostic pop

#endif
