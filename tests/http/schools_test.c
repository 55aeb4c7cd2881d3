/*
 * tests/http/schools_test.c - black-box tests of schools, classes, region
 * settings and `xuejictl demo` against a real xuejid and PostgreSQL.
 *
 * Accounts are inserted straight into the test database (db_user_insert with
 * a core_pwhash hash), so these tests need no account API. The database is
 * shared by every test (and by other suites of the run): each test uses codes
 * of its own and checks visibility against the core predicate over whatever
 * schools exist, never against a fixed count.
 */
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

#include "core/jurisdiction.h"
#include "core/pwhash.h"
#include "db/db.h"
#include "db/user.h"
#include "tests/lib/httptest.h"

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

/* ------------------------------------------------------------ fixtures */

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
    json_array_foreach(errs, i, e) {
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
    ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql,
                  PQresultErrorMessage(res));
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
        snprintf(path, sizeof(path), "/api/v1/schools?limit=%d%s%s%s%s", limit,
                 query[0] ? "&" : "", query, cursor[0] ? "&cursor=" : "", cursor);
        ht_resp r;
        call("GET", path, token, NULL, NULL, &r);
        ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
        json_t *items = json_object_get(r.json, "items");
        ck_assert(json_is_array(items));
        ck_assert_int_le(json_array_size(items), limit);
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it) {
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
    json_array_foreach(codes, i, c) {
        if (strcmp(json_string_value(c), code) == 0)
            return 1;
    }
    return 0;
}

/* ---- the schools of the scoping tests (all located in 中原区 410102 but one) ---- */

#define S_COUNTY "2141010281"   /* authority the county 410102 (made by the ministry) */
#define S_CITY "2141010282"     /* located in 410102, managed directly by the city 410100 */
#define S_COUNTY2 "3141010281"  /* authority 410102, made by the county itself */
#define S_JINSHUI "2141010581"  /* 金水区 410105, made by the city */
#define S_HUBEI "2142010281"    /* 江岸区 420102 */

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

/* ------------------------------------------------------------- schools */

START_TEST(test_create_at_every_level)
{
    seed_scoping();
    ht_resp r;
    char *cty = as("t_zhongyuan");

    /* what the county made: 201, Location, ETag and the whole school */
    call("POST", "/api/v1/schools", cty,
         "{\"code\":\"3441010281\",\"name\":\"  中原区测试高级中学 \",\"county\":\"410102\","
         "\"authority\":\"410102\",\"category\":\"34\",\"system\":\"63\"}",
         NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_header(&r, "location"), "/api/v1/schools/3441010281");
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    ck_assert_str_eq(ht_json_str(r.json, "code"), "3441010281");
    ck_assert_str_eq(ht_json_str(r.json, "name"), "中原区测试高级中学");
    ck_assert_str_eq(ht_json_str(r.json, "county"), "410102");
    ck_assert_str_eq(ht_json_str(r.json, "county_name"), "中原区");
    ck_assert_str_eq(ht_json_str(r.json, "authority"), "410102");
    ck_assert_str_eq(ht_json_str(r.json, "authority_name"), "中原区");
    ck_assert_str_eq(ht_json_str(r.json, "province"), "410000");
    ck_assert_str_eq(ht_json_str(r.json, "category"), "34");
    ck_assert_str_eq(ht_json_str(r.json, "category_label"), "高级中学");
    ck_assert_str_eq(ht_json_str(r.json, "system"), "63");
    ck_assert(json_is_false(json_object_get(r.json, "closed")));
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 1);
    ck_assert_ptr_nonnull(ht_json_str(r.json, "created_at"));
    ck_assert_ptr_nonnull(ht_json_str(r.json, "updated_at"));
    ht_resp_free(&r);

    /* the city-managed one the province made */
    char *min = as("t_ministry");
    call("GET", "/api/v1/schools/" S_CITY, min, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "authority"), "410100");
    ck_assert_str_eq(ht_json_str(r.json, "authority_name"), "郑州市");
    ck_assert_str_eq(ht_json_str(r.json, "system"), "63"); /* the default */
    ht_resp_free(&r);

    /* a city without counties is a location (东莞 441900, docs/decisions/0002) */
    call("POST", "/api/v1/schools", min,
         "{\"code\":\"2144190081\",\"name\":\"东莞市测试小学\",\"county\":\"441900\"}", NULL, &r);
    ck_assert_msg(r.status == 201 || r.status == 409, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    /* one audit row per creation, in the same transaction */
    ck_assert_int_eq(scalar("SELECT count(*) FROM audit WHERE action = 'school_create'"
                            " AND target_id = '3441010281' AND detail->>'authority' = '410102'"),
                     1);
    free(cty);
    free(min);
}
END_TEST

START_TEST(test_create_validation)
{
    seed_scoping();
    char *cty = as("t_zhongyuan");
    ht_resp r;
    static const struct {
        const char *body;
        long status;
        const char *code, *field;
    } cases[] = {
        /* the school code: length, digits, category, province */
        {"{\"code\":\"21410102\",\"name\":\"甲\",\"county\":\"410102\"}", 422,
         "invalid_school_code", "/code"},
        {"{\"code\":\"21410102AB\",\"name\":\"甲\",\"county\":\"410102\"}", 422,
         "invalid_school_code", "/code"},
        {"{\"code\":\"9941010282\",\"name\":\"甲\",\"county\":\"410102\"}", 422,
         "invalid_school_code", "/code"},
        {"{\"code\":\"2199010282\",\"name\":\"甲\",\"county\":\"410102\"}", 422,
         "invalid_school_code", "/code"},
        {"{\"code\":2141010283,\"name\":\"甲\",\"county\":\"410102\"}", 422, "wrong_type", "/code"},
        /* the province of the code is not the county's */
        {"{\"code\":\"2142010283\",\"name\":\"甲\",\"county\":\"410102\"}", 422,
         "province_mismatch", "/county"},
        /* no such county; a city that has counties; a malformed code */
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410199\"}", 422, "unknown_county",
         "/county"},
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410100\"}", 422, "unknown_county",
         "/county"},
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"4101\"}", 422, "unknown_county",
         "/county"},
        /* an authority that does not contain the county */
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"authority\":\"410300\"}",
         422, "invalid_authority", "/authority"},
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"authority\":\"410105\"}",
         422, "invalid_authority", "/authority"},
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"authority\":\"000000\"}",
         422, "invalid_authority", "/authority"},
        /* an authority the county does not see: its city, or a sibling county by default */
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"authority\":\"410100\"}",
         403, "authority_out_of_jurisdiction", "/authority"},
        {"{\"code\":\"2141010583\",\"name\":\"甲\",\"county\":\"410105\"}", 403,
         "authority_out_of_jurisdiction", "/county"},
        /* category and system */
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"category\":\"31\"}", 422,
         "category_mismatch", "/category"},
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"system\":\"55\"}", 422,
         "invalid_school_system", "/system"},
        /* names */
        {"{\"code\":\"2141010283\",\"name\":\"   \",\"county\":\"410102\"}", 422, "invalid_name",
         "/name"},
        {"{\"code\":\"2141010283\",\"county\":\"410102\"}", 422, "missing_field", "/name"},
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"colour\":\"red\"}", 422,
         "unknown_field", "/colour"},
        /* the code is taken */
        {"{\"code\":\"" S_COUNTY "\",\"name\":\"甲\",\"county\":\"410102\"}", 409, "school_exists",
         "/code"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        call("POST", "/api/v1/schools", cty, cases[i].body, NULL, &r);
        ht_assert_problem(&r, cases[i].status, cases[i].code);
        ck_assert_msg(has_error(&r, cases[i].field, cases[i].code), "%s: %s", cases[i].body,
                      r.body);
        ht_resp_free(&r);
    }

    /* every problem at once */
    call("POST", "/api/v1/schools", cty,
         "{\"code\":\"9941010283\",\"name\":\"\",\"county\":\"410199\",\"authority\":\"abc\","
         "\"system\":\"7\",\"x\":1}",
         NULL, &r);
    ht_assert_problem(&r, 422, "validation_failed");
    ck_assert(has_error(&r, "/code", "invalid_school_code"));
    ck_assert(has_error(&r, "/name", "invalid_name"));
    ck_assert(has_error(&r, "/county", "unknown_county"));
    ck_assert(has_error(&r, "/authority", "invalid_authority"));
    ck_assert(has_error(&r, "/system", "invalid_school_system"));
    ck_assert(has_error(&r, "/x", "unknown_field"));
    ht_resp_free(&r);

    /* the ministry sees every authority: the same body is created */
    char *min = as("t_ministry");
    call("POST", "/api/v1/schools", min,
         "{\"code\":\"2141010583\",\"name\":\"金水区测试第二小学\",\"county\":\"410105\"}", NULL,
         &r);
    ck_assert_msg(r.status == 201 || r.status == 409, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    /* a school user: 403, whatever the body */
    char *school = login("t_school281");
    call("POST", "/api/v1/schools", school,
         "{\"code\":\"2141010284\",\"name\":\"甲\",\"county\":\"410102\"}", NULL, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    /* no token: 401 */
    call("POST", "/api/v1/schools", NULL,
         "{\"code\":\"2141010284\",\"name\":\"甲\",\"county\":\"410102\"}", NULL, &r);
    ck_assert_int_eq(r.status, 401);
    ht_resp_free(&r);
    ck_assert_int_eq(scalar("SELECT count(*) FROM school WHERE code IN ('2141010283',"
                            " '2141010284', '9941010283')"),
                     0);
    free(cty);
    free(min);
    free(school);
}
END_TEST

/*
 * The list of each level equals the schools the core predicate lets it see,
 * computed here over every row of the table.
 */
static void
check_list_matches_predicate(const char *user, const char *role, const char *org)
{
    char *t = strcmp(role, "school") == 0 ? login(user) : as(user);
    json_t *codes = list_all(t, "", 7, NULL);
    core_actor a = {.level = core_level_from_name(role)};
    snprintf(a.org, sizeof(a.org), "%s", org);

    PGconn *pg = ht_db_connect();
    PGresult *res = PQexec(pg, "SELECT code, county, authority FROM school ORDER BY code");
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    size_t want = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        core_school_ref s = {PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2)};
        int sees = core_actor_sees_school(&a, &s);
        ck_assert_msg(sees == has_code(codes, s.code), "%s (%s): school %s authority %s: %s",
                      user, org, s.code, s.authority, sees ? "missing" : "listed");
        want += (size_t)sees;
    }
    ck_assert_uint_eq(json_array_size(codes), want);
    /* keyset order: ascending codes, no repeats */
    for (size_t i = 1; i < json_array_size(codes); i++)
        ck_assert(strcmp(json_string_value(json_array_get(codes, i - 1)),
                         json_string_value(json_array_get(codes, i))) < 0);
    PQclear(res);
    PQfinish(pg);
    json_decref(codes);
    free(t);
}

START_TEST(test_list_scoping)
{
    seed_scoping();
    check_list_matches_predicate("t_ministry", "ministry", "000000");
    check_list_matches_predicate("t_henan", "province", "410000");
    check_list_matches_predicate("t_hubei", "province", "420000");
    check_list_matches_predicate("t_zhengzhou", "city", "410100");
    check_list_matches_predicate("t_zhongyuan", "county", "410102");
    check_list_matches_predicate("t_jinshui", "county", "410105");
    check_list_matches_predicate("t_school281", "school", S_COUNTY);

    /* and the cases the brief names, by code */
    char *cty = as("t_zhongyuan"), *city = as("t_zhengzhou"), *hubei = as("t_hubei"),
         *min = as("t_ministry"), *school = login("t_school281");
    json_t *l = list_all(cty, "", 50, NULL);
    ck_assert(has_code(l, S_COUNTY) && has_code(l, S_COUNTY2));
    ck_assert(!has_code(l, S_CITY)); /* in 410102, but the city's */
    ck_assert(!has_code(l, S_JINSHUI));
    json_decref(l);
    l = list_all(city, "", 50, NULL);
    ck_assert(has_code(l, S_COUNTY) && has_code(l, S_CITY) && has_code(l, S_COUNTY2) &&
              has_code(l, S_JINSHUI));
    ck_assert(!has_code(l, S_HUBEI));
    json_decref(l);
    l = list_all(school, "", 50, NULL);
    ck_assert_uint_eq(json_array_size(l), 1);
    ck_assert(has_code(l, S_COUNTY));
    json_decref(l);
    l = list_all(school, "region=410100", 50, NULL); /* a region it stands in */
    ck_assert_uint_eq(json_array_size(l), 1);
    json_decref(l);
    l = list_all(hubei, "", 50, NULL);
    ck_assert(!has_code(l, S_COUNTY) && !has_code(l, S_CITY) && has_code(l, S_HUBEI));
    json_decref(l);
    l = list_all(min, "", 500, NULL);
    ck_assert_uint_eq(json_array_size(l), (size_t)scalar("SELECT count(*) FROM school"));
    json_decref(l);

    /* one school: the same rule, 404 when not visible */
    ht_resp r;
    call("GET", "/api/v1/schools?region=410105", school, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/" S_CITY, cty, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/" S_CITY, city, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/" S_COUNTY2, school, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/" S_COUNTY, school, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/0000000000", min, NULL, NULL, &r); /* a code no school has */
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/abc", min, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    ht_resp_free(&r);
    free(cty);
    free(city);
    free(hubei);
    free(min);
    free(school);
}
END_TEST

START_TEST(test_list_filters_and_pages)
{
    char *min = as("t_ministry"), *erqi = as("t_erqi"), *cty = as("t_zhongyuan"),
         *city = as("t_zhengzhou");
    /* six schools in 二七区 410103 */
    static const char *const made[] = {
        "{\"code\":\"2141010381\",\"name\":\"二七区分页测试小学甲\",\"county\":\"410103\"}",
        "{\"code\":\"2141010382\",\"name\":\"二七区分页测试小学乙\",\"county\":\"410103\"}",
        "{\"code\":\"2141010383\",\"name\":\"二七区分页测试小学丙\",\"county\":\"410103\"}",
        "{\"code\":\"2141010384\",\"name\":\"二七区分页测试小学丁\",\"county\":\"410103\"}",
        "{\"code\":\"3141010381\",\"name\":\"二七区分页测试中学\",\"county\":\"410103\"}",
        "{\"code\":\"3141010382\",\"name\":\"百分%之_百\\\\中学\",\"county\":\"410103\"}",
    };
    for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
        ensure_school(min, made[i]);

    /* pages of 2 over the region: every school once, in code order */
    int pages = 0;
    json_t *all = list_all(erqi, "region=410103", 2, &pages);
    ck_assert_uint_eq(json_array_size(all), 6);
    ck_assert_int_eq(pages, 3);
    ck_assert_str_eq(json_string_value(json_array_get(all, 0)), "2141010381");
    ck_assert_str_eq(json_string_value(json_array_get(all, 5)), "3141010382");
    json_decref(all);

    /* q: a parameterised name substring, % and _ taken literally */
    json_t *l = list_all(erqi, "region=410103&q=%E5%88%86%E9%A1%B5%E6%B5%8B%E8%AF%95", 50, NULL);
    ck_assert_uint_eq(json_array_size(l), 5); /* 分页测试 */
    json_decref(l);
    l = list_all(erqi, "q=%25", 50, NULL); /* % */
    ck_assert_uint_eq(json_array_size(l), 1);
    ck_assert(has_code(l, "3141010382"));
    json_decref(l);
    l = list_all(erqi, "q=_", 50, NULL);
    ck_assert_uint_eq(json_array_size(l), 1);
    json_decref(l);
    l = list_all(erqi, "q=%5C", 50, NULL); /* a backslash */
    ck_assert_uint_eq(json_array_size(l), 1);
    json_decref(l);
    l = list_all(erqi, "q=%E7%94%B2", 50, NULL); /* 甲 */
    ck_assert_uint_eq(json_array_size(l), 1);
    ck_assert(has_code(l, "2141010381"));
    json_decref(l);

    /* region: the city sees its counties; the result is what is located there */
    l = list_all(city, "region=410103", 50, NULL);
    ck_assert_uint_eq(json_array_size(l), 6);
    json_decref(l);
    l = list_all(min, "region=410100", 500, NULL);
    ck_assert(has_code(l, "2141010381"));
    json_decref(l);

    ht_resp r;
    /* a region the caller does not see, or none at all: 404 */
    call("GET", "/api/v1/schools?region=410103", cty, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools?region=419999", min, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    /* malformed parameters: 400 */
    call("GET", "/api/v1/schools?region=4101", min, NULL, NULL, &r);
    ht_assert_problem(&r, 400, "invalid_parameter");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools?cursor=21410103", min, NULL, NULL, &r);
    ht_assert_problem(&r, 400, "invalid_cursor");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools?limit=0", min, NULL, NULL, &r);
    ht_assert_problem(&r, 400, "invalid_parameter");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools?limit=501", min, NULL, NULL, &r);
    ht_assert_problem(&r, 400, "invalid_parameter");
    ht_resp_free(&r);
    free(min);
    free(erqi);
    free(cty);
    free(city);
}
END_TEST

START_TEST(test_patch)
{
    seed_scoping();
    char *min = as("t_ministry"), *cty = as("t_zhongyuan"), *city = as("t_zhengzhou"),
         *jinshui = as("t_jinshui");
    ensure_school(cty, "{\"code\":\"2141010285\",\"name\":\"待改名小学\",\"county\":\"410102\"}");
    ensure_user_full("t_school285", "school", "2141010285", "registrar", 0, 0);
    char *school = login("t_school285");
    const char *path = "/api/v1/schools/2141010285";
    ht_resp r;

    /* If-Match: required, and it must be current */
    call("PATCH", path, cty, "{\"name\":\"新名小学\"}", NULL, &r);
    ht_assert_problem(&r, 428, "precondition_required");
    ht_resp_free(&r);
    call("PATCH", path, cty, "{\"name\":\"新名小学\"}", "\"7\"", &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    call("PATCH", path, cty, "{\"name\":\"新名小学\"}", "*", &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    call("PATCH", path, cty, "{\"name\":\"新名小学\",\"closed\":false}", "\"1\"", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "name"), "新名小学");
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"2\"");
    ht_resp_free(&r);
    /* the same If-Match again is stale now */
    call("PATCH", path, cty, "{\"name\":\"又一个名字\"}", "\"1\"", &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    ck_assert_int_eq(scalar("SELECT count(*) FROM audit WHERE action = 'school_update'"
                            " AND target_id = '2141010285'"
                            " AND detail->'changes'->'name'->>'to' = '新名小学'"
                            " AND NOT detail->'changes' ? 'closed'"),
                     1);

    /* who: the school itself may not, a county that does not see it gets 404 */
    call("PATCH", path, school, "{\"name\":\"学校自改\"}", "\"2\"", &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    call("PATCH", path, jinshui, "{\"name\":\"邻区改名\"}", "\"2\"", &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);

    /* fields: read-only and unknown ones, bad values, all at once */
    call("PATCH", path, cty,
         "{\"code\":\"2141010286\",\"county\":\"410105\",\"nope\":1,\"system\":\"99\","
         "\"closed\":\"yes\",\"name\":\"\"}",
         "\"2\"", &r);
    ht_assert_problem(&r, 422, "validation_failed");
    ck_assert(has_error(&r, "/code", "field_not_editable"));
    ck_assert(has_error(&r, "/county", "field_not_editable"));
    ck_assert(has_error(&r, "/nope", "unknown_field"));
    ck_assert(has_error(&r, "/system", "invalid_school_system"));
    ck_assert(has_error(&r, "/closed", "wrong_type"));
    ck_assert(has_error(&r, "/name", "invalid_name"));
    ht_resp_free(&r);

    /* authority: must contain the county, and the caller must see the new one */
    call("PATCH", path, cty, "{\"authority\":\"410105\"}", "\"2\"", &r);
    ht_assert_problem(&r, 422, "invalid_authority");
    ht_resp_free(&r);
    call("PATCH", path, cty, "{\"authority\":\"410100\"}", "\"2\"", &r);
    ht_assert_problem(&r, 403, "authority_out_of_jurisdiction");
    ht_resp_free(&r);
    call("PATCH", path, city, "{\"authority\":\"410100\"}", "\"2\"", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "authority"), "410100");
    ck_assert_str_eq(ht_header(&r, "etag"), "\"3\"");
    ht_resp_free(&r);
    /* now the city's: the county no longer sees it */
    call("GET", path, cty, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    /* a change to nothing: no new version */
    call("PATCH", path, min, "{\"authority\":\"410100\"}", "\"3\"", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"3\"");
    ht_resp_free(&r);
    /* the ministry hands it back; then the county closes it */
    call("PATCH", path, min, "{\"authority\":\"410102\"}", "\"3\"", &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    call("PATCH", path, cty, "{\"closed\":true}", "W/\"4\"", &r); /* weak: never */
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    call("PATCH", path, cty, "{\"closed\":true}", "\"4\", \"9\"", &r); /* a list: the first */
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_true(json_object_get(r.json, "closed")));
    ht_resp_free(&r);
    ck_assert_int_eq(scalar("SELECT count(*) FROM audit WHERE action = 'school_update'"
                            " AND target_id = '2141010285'"),
                     4);
    free(min);
    free(cty);
    free(city);
    free(jinshui);
    free(school);
}
END_TEST

/* ------------------------------------------------------------- classes */

static long long
post_class(const char *token, const char *school, const char *body, long want_status,
           const char *want_code)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/schools/%s/classes", school);
    ht_resp r;
    call("POST", path, token, body, NULL, &r);
    long long id = 0;
    if (want_code == NULL) {
        ck_assert_msg(r.status == want_status, "%s %s: %ld %s", school, body, r.status, r.body);
        id = json_integer_value(json_object_get(r.json, "id"));
    } else {
        ht_assert_problem(&r, want_status, want_code);
    }
    ht_resp_free(&r);
    return id;
}

START_TEST(test_classes)
{
    char *cty = as("t_zhongyuan"), *jinshui = as("t_jinshui");
    /* a primary (六三), a primary (五四), a junior (五四), a senior, a special school */
    ensure_school(cty, "{\"code\":\"2141010287\",\"name\":\"班级测试小学\",\"county\":\"410102\"}");
    ensure_school(cty, "{\"code\":\"2141010288\",\"name\":\"五四制测试小学\",\"county\":\"410102\","
                       "\"system\":\"54\"}");
    ensure_school(cty, "{\"code\":\"3141010288\",\"name\":\"五四制测试初中\",\"county\":\"410102\","
                       "\"system\":\"54\"}");
    ensure_school(cty, "{\"code\":\"3441010288\",\"name\":\"班级测试高中\",\"county\":\"410102\"}");
    ensure_school(cty, "{\"code\":\"5141010288\",\"name\":\"班级测试特教学校\",\"county\":\"410102\"}");
    ensure_user_full("t_reg287", "school", "2141010287", "registrar", 0, 0);
    ensure_user_full("t_lead287", "school", "2141010287", "grade_leader", 11, 0);
    char *reg = login("t_reg287"), *lead = login("t_lead287");

    /* the registrar: 201 with the default name */
    ht_resp r;
    call("POST", "/api/v1/schools/2141010287/classes", reg, "{\"grade\":\"11\",\"number\":1}", NULL,
         &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "grade"), "11");
    ck_assert_str_eq(ht_json_str(r.json, "grade_label"), "一年级");
    ck_assert_str_eq(ht_json_str(r.json, "name"), "一年级(1)班");
    ck_assert_str_eq(ht_json_str(r.json, "school"), "2141010287");
    ck_assert(json_is_null(json_object_get(r.json, "size_limit")));
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    long long first = json_integer_value(json_object_get(r.json, "id"));
    ht_resp_free(&r);
    /* the county over it, with a name and a size limit */
    post_class(cty, "2141010287", "{\"grade\":11,\"number\":2,\"name\":\"一年级(2)班（实验班）\","
                                  "\"size_limit\":40}",
               201, NULL);
    post_class(reg, "2141010287", "{\"grade\":\"16\",\"number\":3}", 201, NULL);
    post_class(reg, "2141010287", "{\"grade\":\"12\",\"number\":1}", 201, NULL);

    /* refused */
    post_class(reg, "2141010287", "{\"grade\":\"11\",\"number\":1}", 409, "class_exists");
    post_class(reg, "2141010287", "{\"grade\":\"21\",\"number\":1}", 422, "grade_not_in_school");
    post_class(reg, "2141010287", "{\"grade\":\"17\",\"number\":1}", 422, "invalid_grade");
    post_class(reg, "2141010287", "{\"grade\":\"11\",\"number\":0}", 422, "invalid_class_number");
    post_class(reg, "2141010287", "{\"grade\":\"11\",\"number\":100}", 422,
               "invalid_class_number");
    post_class(reg, "2141010287", "{\"grade\":\"11\",\"number\":5,\"size_limit\":201}", 422,
               "invalid_size_limit");
    post_class(reg, "2141010287", "{\"number\":\"5\"}", 422, "validation_failed");
    post_class(lead, "2141010287", "{\"grade\":\"11\",\"number\":6}", 403, "forbidden");
    ensure_user_full("t_head287", "school", "2141010287", "head_teacher", 0, first);
    char *head = login("t_head287");
    post_class(head, "2141010287", "{\"grade\":\"11\",\"number\":6}", 403, "forbidden");
    post_class(jinshui, "2141010287", "{\"grade\":\"11\",\"number\":6}", 404, "school_not_found");
    post_class(reg, "2141010288", "{\"grade\":\"11\",\"number\":6}", 404, "school_not_found");

    /* grades by category and system */
    post_class(cty, "2141010288", "{\"grade\":\"15\",\"number\":1}", 201, NULL);
    post_class(cty, "2141010288", "{\"grade\":\"16\",\"number\":1}", 422, "grade_not_in_school");
    post_class(cty, "3141010288", "{\"grade\":\"24\",\"number\":1}", 201, NULL);
    post_class(cty, "3141010288", "{\"grade\":\"31\",\"number\":1}", 422, "grade_not_in_school");
    post_class(cty, "3441010288", "{\"grade\":\"33\",\"number\":1}", 201, NULL);
    post_class(cty, "3441010288", "{\"grade\":\"23\",\"number\":1}", 422, "grade_not_in_school");
    post_class(cty, "5141010288", "{\"grade\":\"11\",\"number\":1}", 201, NULL);
    post_class(cty, "5141010288", "{\"grade\":\"23\",\"number\":1}", 201, NULL);

    /* 五四 -> 六三 would orphan grade 24 of the junior school */
    call("GET", "/api/v1/schools/3141010288", cty, NULL, NULL, &r);
    char etag[16];
    snprintf(etag, sizeof(etag), "%s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    call("PATCH", "/api/v1/schools/3141010288", cty, "{\"system\":\"63\"}", etag, &r);
    ht_assert_problem(&r, 409, "system_conflicts_with_classes");
    ht_resp_free(&r);

    /* the list: every member of the school, sorted by grade and number, in pages */
    call("GET", "/api/v1/schools/2141010287/classes", head, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_uint_eq(json_array_size(items), 4);
    ck_assert_str_eq(ht_json_str(json_array_get(items, 0), "name"), "一年级(1)班");
    ck_assert_str_eq(ht_json_str(json_array_get(items, 1), "name"), "一年级(2)班（实验班）");
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_array_get(items, 1), "size_limit")), 40);
    ck_assert_str_eq(ht_json_str(json_array_get(items, 2), "grade"), "12");
    ck_assert_str_eq(ht_json_str(json_array_get(items, 3), "name"), "六年级(3)班");
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/2141010287/classes?limit=3", lead, NULL, NULL, &r);
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 3);
    ck_assert_str_eq(ht_json_str(r.json, "next_cursor"), "1201");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/2141010287/classes?limit=3&cursor=1201", cty, NULL, NULL, &r);
    items = json_object_get(r.json, "items");
    ck_assert_uint_eq(json_array_size(items), 1);
    ck_assert_str_eq(ht_json_str(json_array_get(items, 0), "grade"), "16");
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/2141010287/classes?cursor=12-1", cty, NULL, NULL, &r);
    ht_assert_problem(&r, 400, "invalid_cursor");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/2141010287/classes", jinshui, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);

    /* a closed school takes no new class */
    call("GET", "/api/v1/schools/5141010288", cty, NULL, NULL, &r);
    snprintf(etag, sizeof(etag), "%s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    call("PATCH", "/api/v1/schools/5141010288", cty, "{\"closed\":true}", etag, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    post_class(cty, "5141010288", "{\"grade\":\"12\",\"number\":1}", 409, "school_closed");

    ck_assert_int_eq(scalar("SELECT count(*) FROM audit a JOIN class c ON a.target_id = c.id::text"
                            " WHERE a.action = 'class_create' AND c.school = '2141010287'"),
                     4);
    free(cty);
    free(jinshui);
    free(reg);
    free(lead);
    free(head);
}
END_TEST

/* ------------------------------------------------------------ settings */

static void
get_settings(const char *token, const char *region, ht_resp *r)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/regions/%s/settings", region);
    call("GET", path, token, NULL, NULL, r);
}

static void
put_settings(const char *token, const char *region, const char *body, const char *if_match,
             ht_resp *r)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/regions/%s/settings", region);
    call("PUT", path, token, body, if_match, r);
}

/* Read the ETag, then PUT with it; asserts 200. */
static void
put_current(const char *token, const char *region, const char *body)
{
    ht_resp r;
    get_settings(token, region, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    char etag[16];
    snprintf(etag, sizeof(etag), "%s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    put_settings(token, region, body, etag, &r);
    ck_assert_msg(r.status == 200, "PUT %s: %ld %s", region, r.status, r.body);
    ht_resp_free(&r);
}

static const char *
eff_str(const ht_resp *r, const char *key)
{
    return ht_json_str(json_object_get(r->json, "effective"), key);
}

static long long
eff_int(const ht_resp *r, const char *key)
{
    return json_integer_value(json_object_get(json_object_get(r->json, "effective"), key));
}

START_TEST(test_settings_inheritance)
{
    /* 湖北 420000 > 武汉 420100 > 江岸区 420102 (and its sibling 江汉区 420103) */
    char *prov = as("t_hubei"), *city = as("t_wuhan"), *cty = as("t_jiangan"),
         *sib = as("t_jianghan");
    ht_resp r;
    get_settings(prov, "420000", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "region"), "420000");
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 0);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"0\"");
    ck_assert_int_eq(json_object_size(json_object_get(r.json, "settings")), 0);
    /* with no overrides, the effective settings are the defaults */
    ck_assert_str_eq(eff_str(&r, "entry_age_cutoff"), "08-31");
    ck_assert_int_eq(eff_int(&r, "entry_min_age"), 6);
    ck_assert_int_eq(eff_int(&r, "step_deadline_days"), 10);
    ck_assert(json_is_false(json_object_get(json_object_get(r.json, "effective"),
                                            "province_approves_transfers")));
    ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(r.json, "effective"),
                                                      "required_fields")),
                      19);
    ht_resp_free(&r);

    put_settings(prov, "420000",
                 "{\"settings\":{\"entry_min_age\":6,\"entry_age_cutoff\":\"08-31\","
                 "\"step_deadline_days\":12}}",
                 "\"0\"", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 1);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    ht_resp_free(&r);
    put_settings(cty, "420102", "{\"settings\":{\"entry_age_cutoff\":\"09-01\"}}", "\"0\"", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    /* the county: its own override, the province's values, the defaults */
    get_settings(cty, "420102", &r);
    ck_assert_int_eq(r.status, 200);
    json_t *own = json_object_get(r.json, "settings");
    ck_assert_uint_eq(json_object_size(own), 1);
    ck_assert_str_eq(ht_json_str(own, "entry_age_cutoff"), "09-01");
    ck_assert_str_eq(eff_str(&r, "entry_age_cutoff"), "09-01");
    ck_assert_int_eq(eff_int(&r, "entry_min_age"), 6);
    ck_assert_int_eq(eff_int(&r, "step_deadline_days"), 12);
    ck_assert_str_eq(ht_json_str(json_object_get(json_object_get(r.json, "effective"),
                                                 "transfer_blackout"),
                                 "from"),
                     "07-15");
    ht_resp_free(&r);
    /* the city, with no overrides, shows the province's values */
    get_settings(city, "420100", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_object_size(json_object_get(r.json, "settings")), 0);
    ck_assert_str_eq(eff_str(&r, "entry_age_cutoff"), "08-31");
    ck_assert_int_eq(eff_int(&r, "step_deadline_days"), 12);
    ht_resp_free(&r);
    /* the sibling county is untouched by its neighbour */
    get_settings(sib, "420103", &r);
    ck_assert_str_eq(eff_str(&r, "entry_age_cutoff"), "08-31");
    ht_resp_free(&r);

    /* a later province change reaches the county at once */
    put_current(prov, "420000", "{\"settings\":{\"entry_min_age\":7}}");
    get_settings(cty, "420102", &r);
    ck_assert_int_eq(eff_int(&r, "entry_min_age"), 7);
    ck_assert_int_eq(eff_int(&r, "step_deadline_days"), 10); /* dropped from the overrides */
    ht_resp_free(&r);

    /* a superior may write a county's settings; a GET body may be sent back as is */
    get_settings(city, "420102", &r);
    char *back = json_dumps(r.json, JSON_COMPACT);
    char etag[16];
    snprintf(etag, sizeof(etag), "%s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    put_settings(city, "420102", back, etag, &r);
    free(back);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(eff_str(&r, "entry_age_cutoff"), "09-01");
    ht_resp_free(&r);
    ck_assert_int_ge(scalar("SELECT count(*) FROM audit WHERE action = 'settings_update'"
                            " AND target_id = '420102'"
                            " AND detail->'after'->>'entry_age_cutoff' = '09-01'"),
                     2);
    free(prov);
    free(city);
    free(cty);
    free(sib);
}
END_TEST

START_TEST(test_settings_errors_and_access)
{
    char *prov = as("t_hubei"), *cty = as("t_jiangan"), *sib = as("t_jianghan"),
         *min = as("t_ministry"), *henan = as("t_henan");
    ensure_school(cty, "{\"code\":\"2142010282\",\"name\":\"江岸区设置测试小学\",\"county\":\"420102\"}");
    ensure_user_full("t_school_hb", "school", "2142010282", "registrar", 0, 0);
    char *school = login("t_school_hb");
    ht_resp r;

    /* every bad key at once, each at its JSON pointer */
    put_settings(cty, "420102",
                 "{\"settings\":{\"entry_age_cutoff\":\"02-30\",\"entry_min_age\":\"six\","
                 "\"favourite_colour\":\"red\",\"holidays\":[\"2026-10-01\",\"soon\"],"
                 "\"registration_window\":{\"required\":true,\"from\":\"2026-09-30\","
                 "\"until\":\"2026-09-01\"},\"required_fields\":[\"name\",\"shoe_size\"]}}",
                 "\"0\"", &r);
    ht_assert_problem(&r, 422, "validation_failed");
    ck_assert(has_error(&r, "/settings/entry_age_cutoff", "invalid_setting"));
    ck_assert(has_error(&r, "/settings/entry_min_age", "wrong_type"));
    ck_assert(has_error(&r, "/settings/favourite_colour", "unknown_setting"));
    ck_assert(has_error(&r, "/settings/holidays/1", "invalid_setting"));
    ck_assert(has_error(&r, "/settings/registration_window/until", "invalid_setting"));
    ck_assert(has_error(&r, "/settings/required_fields/1", "invalid_setting"));
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "errors")), 6);
    ht_resp_free(&r);
    put_settings(cty, "420102", "{\"settings\":{\"entry_min_age\":6},\"extra\":1}", "\"0\"", &r);
    ht_assert_problem(&r, 422, "unknown_field");
    ht_resp_free(&r);
    put_settings(cty, "420102", "{}", "\"0\"", &r);
    ht_assert_problem(&r, 422, "missing_field");
    ht_resp_free(&r);

    /* a sibling county: 404 for the GET and the PUT alike */
    put_settings(sib, "420102", "{\"settings\":{\"entry_min_age\":6}}", "\"0\"", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    get_settings(sib, "420102", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    /* another province; a county reading its province (above it) */
    get_settings(henan, "420102", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    get_settings(cty, "420000", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    /* no such region, the ministry root, a malformed code */
    get_settings(min, "429999", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    get_settings(min, "000000", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    get_settings(min, "42", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);

    /* If-Match: missing 428, stale 412 */
    put_settings(prov, "420103", "{\"settings\":{}}", NULL, &r);
    ht_assert_problem(&r, 428, "precondition_required");
    ht_resp_free(&r);
    put_current(sib, "420103", "{\"settings\":{\"holidays\":[\"2026-10-01\"]}}");
    put_settings(prov, "420103", "{\"settings\":{}}", "\"0\"", &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);

    /* a school reads its authority's chain, writes nothing, sees no other region */
    get_settings(school, "420102", &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    get_settings(school, "420000", &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    get_settings(school, "420103", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    get_settings(school, "420102", &r);
    char etag[16];
    snprintf(etag, sizeof(etag), "%s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    put_settings(school, "420102", "{\"settings\":{}}", etag, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    get_settings(NULL, "420102", &r);
    ck_assert_int_eq(r.status, 401);
    ht_resp_free(&r);
    free(prov);
    free(cty);
    free(sib);
    free(min);
    free(henan);
    free(school);
}
END_TEST

/* --------------------------------------------------------------- demo */

/* Run `xuejictl demo` (next to XUEJID_BIN) on the test database; its exit status. */
static int
run_demo(char **out_text)
{
    const char *bin = getenv("XUEJID_BIN");
    ck_assert_ptr_nonnull(bin);
    char ctl[PATH_MAX], out[PATH_MAX + 16];
    snprintf(ctl, sizeof(ctl), "%s", bin);
    char *slash = strrchr(ctl, '/');
    ck_assert_ptr_nonnull(slash);
    snprintf(slash + 1, sizeof(ctl) - (size_t)(slash + 1 - ctl), "xuejictl");
    snprintf(out, sizeof(out), "/tmp/xueji-demo.%ld.out", (long)getpid());
    char url[1024];
    snprintf(url, sizeof(url), "XUEJI_DATABASE_URL=%s", getenv("XUEJI_TEST_DATABASE_URL"));
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        const char *path = getenv("PATH");
        char pathv[PATH_MAX + 8];
        snprintf(pathv, sizeof(pathv), "PATH=%s", path ? path : "/usr/bin:/bin");
        char *argv[] = {ctl, (char *)"demo", NULL};
        char *envp[] = {url, pathv, NULL};
        execve(ctl, argv, envp);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    FILE *f = fopen(out, "r");
    ck_assert_ptr_nonnull(f);
    char *text = calloc(1, 65536);
    size_t n = fread(text, 1, 65535, f);
    text[n] = '\0';
    fclose(f);
    unlink(out);
    *out_text = text;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
counts(long long out[5])
{
    out[0] = scalar("SELECT count(*) FROM school");
    out[1] = scalar("SELECT count(*) FROM class");
    out[2] = scalar("SELECT count(*) FROM app_user");
    out[3] = scalar("SELECT count(*) FROM region_settings");
    out[4] = scalar("SELECT count(*) FROM audit");
}

START_TEST(test_demo_twice)
{
    char *text;
    int rc = run_demo(&text);
    ck_assert_msg(rc == 0, "xuejictl demo: %d\n%s", rc, text);
    ck_assert_msg(strstr(text, DEMO_PW) != NULL, "%s", text);
    ck_assert_msg(strstr(text, "zhongyuan") != NULL && strstr(text, "jianshe.registrar") != NULL,
                  "%s", text);
    free(text);
    ck_assert_int_eq(scalar("SELECT count(*) FROM school WHERE province = '410000'"
                            " AND code IN ('2141010201', '3441010201', '5141030501')"),
                     3);
    ck_assert_int_ge(scalar("SELECT count(*) FROM school WHERE code LIKE '__41%'"
                            " AND created_at IS NOT NULL AND code ~ '^(21|31|34|51)41'"),
                     20);
    ck_assert_int_eq(scalar("SELECT count(*) FROM school WHERE code = '3441010201'"
                            " AND authority = '410100' AND county = '410102'"),
                     1);
    ck_assert_int_eq(scalar("SELECT count(*) FROM class c JOIN school s ON s.code = c.school"
                            " WHERE s.code = '2141030201' AND c.grade = 16"),
                     0); /* 五四制 primary: no grade 6 */
    ck_assert_int_eq(scalar("SELECT count(*) FROM app_user WHERE username IN ('henan',"
                            " 'zhengzhou', 'luoyang', 'zhongyuan', 'jinshui', 'laocheng', 'jianxi')"
                            " AND NOT must_change_password"),
                     7);

    long long before[5], after[5];
    counts(before);
    rc = run_demo(&text);
    ck_assert_msg(rc == 0, "xuejictl demo (again): %d\n%s", rc, text);
    ck_assert_msg(strstr(text, "already loaded") != NULL, "%s", text);
    free(text);
    counts(after);
    for (int i = 0; i < 5; i++)
        ck_assert_msg(before[i] == after[i], "count %d changed: %lld -> %lld", i, before[i],
                      after[i]);

    /* the demo accounts work without a password change, with their jurisdiction */
    char *cty = login_pw("zhongyuan", DEMO_PW), *city = login_pw("zhengzhou", DEMO_PW),
         *teacher = login_pw("jianshe.teacher", DEMO_PW);
    json_t *l = list_all(cty, "", 50, NULL);
    ck_assert(has_code(l, "2141010201") && !has_code(l, "3441010201"));
    json_decref(l);
    l = list_all(city, "", 500, NULL);
    ck_assert(has_code(l, "2141010201") && has_code(l, "3441010201"));
    json_decref(l);
    ht_resp r;
    call("GET", "/api/v1/schools/2141010201/classes", teacher, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 18);
    ht_resp_free(&r);
    get_settings(cty, "410102", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(json_object_get(json_object_get(r.json, "effective"),
                                                 "transfer_blackout"),
                                 "from"),
                     "07-10"); /* the demo's 郑州 override */
    ht_resp_free(&r);
    free(cty);
    free(city);
    free(teacher);
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *
schools_suite(void)
{
    Suite *s = suite_create("http-schools");
    int t = ht_timeout(120);

    TCase *tc = tcase_create("schools");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_create_at_every_level);
    tcase_add_test(tc, test_create_validation);
    tcase_add_test(tc, test_list_scoping);
    tcase_add_test(tc, test_list_filters_and_pages);
    tcase_add_test(tc, test_patch);
    suite_add_tcase(s, tc);

    tc = tcase_create("classes");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_classes);
    suite_add_tcase(s, tc);

    tc = tcase_create("settings");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_settings_inheritance);
    tcase_add_test(tc, test_settings_errors_and_access);
    suite_add_tcase(s, tc);

    tc = tcase_create("demo");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_demo_twice);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    ht_global_init();
    SRunner *sr = srunner_create(schools_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}
