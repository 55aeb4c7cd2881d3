/*
 * tests/http/users_access_test.c - sessions and sign-in over HTTP: secret answers, sessions ended,
 * lockout per source and account, school staff, service clients, forged tokens. The world and
 * helpers: tests/http/users_world.h.
 */
#include "tests/http/users_world.h"

/* ---- sessions, secret answers and lockout by source ------------------------------------ */

/* Log in: the whole answer (access_token, refresh_token); caller frees. */
static ht_resp
login_pair(const char *user, const char *password)
{
    ht_resp r;
    login(user, password, &r);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", user, r.status, r.body);
    return r;
}

static void
refresh_call(const char *path, const char *refresh, const char *idem_key, ht_resp *r)
{
    call("POST", path, NULL, fmt("{\"refresh_token\":\"%s\"}", refresh), idem_key, NULL, r);
}

/* GET /me with `token` until it answers 401 or `ms` pass: the last status. */
static long
me_status_within(const char *token, int ms)
{
    long long deadline = ht_now_ms() + ms;
    long status;
    for (;;) {
        ht_resp r;
        call("GET", "/api/v1/me", token, NULL, NULL, NULL, &r);
        status = r.status;
        ht_resp_free(&r);
        if (status == 401 || ht_now_ms() >= deadline)
            return status;
        ht_sleep_ms(100);
    }
}

static long long
sql_count(const char *query)
{
    app_err err = {0};
    db_conn *c = test_db();
    db_res *r = NULL;
    ck_assert_msg(db_exec_once(c, query, 0, NULL, &r, &err) == 0, "%s: %s", query, err.detail);
    long long n = db_res_int(r, 0, 0);
    db_res_free(r);
    db_conn_close(c);
    return n;
}

START_TEST(test_secret_answers_not_stored)
{
    ht_resp r;
    const char *body = "{\"username\":\"admin\",\"password\":\"" ADMIN_PASSWORD "\"}";
    /* login with a key twice: two fresh pairs, nothing replayed */
    call("POST", "/api/v1/auth/login", NULL, body, "Idempotency-Key: login-1", NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    char *access1 = strdup(ht_json_str(r.json, "access_token"));
    char *refresh1 = strdup(ht_json_str(r.json, "refresh_token"));
    ht_resp_free(&r);
    call("POST", "/api/v1/auth/login", NULL, body, "Idempotency-Key: login-1", NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_ptr_null(ht_header(&r, "idempotent-replayed"));
    ck_assert_str_ne(ht_json_str(r.json, "access_token"), access1);
    ht_resp_free(&r);

    /* refresh once with a key, then the same request again: that is reuse of a
       rotated token, which ends the session, not a replay of the new pair */
    refresh_call("/api/v1/auth/refresh", refresh1, "Idempotency-Key: refresh-1", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    char *refresh2 = strdup(ht_json_str(r.json, "refresh_token"));
    ht_resp_free(&r);
    refresh_call("/api/v1/auth/refresh", refresh1, "Idempotency-Key: refresh-1", &r);
    ht_assert_problem(&r, 401, "refresh_token_reused");
    ck_assert_ptr_null(ht_header(&r, "idempotent-replayed"));
    ht_resp_free(&r);
    refresh_call("/api/v1/auth/refresh", refresh2, NULL, &r);
    ht_assert_problem(&r, 401, "invalid_refresh_token"); /* the family is revoked */
    ht_resp_free(&r);

    /* no token, secret or password is kept in the idempotency table */
    ck_assert_int_eq(
        sql_count("SELECT count(*) FROM idempotency_key WHERE path LIKE '/api/v1/auth/%'"
                  " OR body LIKE '%access_token%' OR body LIKE '%refresh_token%'"
                  " OR body LIKE '%one_time_password%'"
                  " OR body LIKE '%client_secret%'"),
        0);
    free(access1);
    free(refresh1);
    free(refresh2);
}
END_TEST

/* PATCH /users/{id} `json` at its current version; asserts 200. */
static void
patch_user(const char *admin, long long id, const char *json)
{
    char upath[64], etag[48];
    snprintf(upath, sizeof(upath), "/api/v1/users/%lld", id);
    ht_resp r;
    call("GET", upath, admin, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    snprintf(etag, sizeof(etag), "If-Match: %s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    call("PATCH", upath, admin, json, etag, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
}

START_TEST(test_disable_ends_sessions)
{
    char *admin = admin_token();
    long long id;
    free(new_account(admin, "ds-user", "province", "410000", NULL, &id));
    ht_resp p = login_pair("ds-user", NEW_PASSWORD);
    char *refresh = strdup(ht_json_str(p.json, "refresh_token"));
    ht_resp_free(&p);

    patch_user(admin, id, "{\"disabled\":true}");
    patch_user(admin, id, "{\"disabled\":false}");

    /* enabled again, but the session of before the disable is over */
    ht_resp r;
    refresh_call("/api/v1/auth/refresh", refresh, NULL, &r);
    ht_assert_problem(&r, 401, "invalid_refresh_token");
    ht_resp_free(&r);
    /* a new login starts a new session */
    p = login_pair("ds-user", NEW_PASSWORD);
    ht_resp_free(&p);
    free(refresh);
    free(admin);
}
END_TEST

START_TEST(test_access_token_dies_with_session)
{
    char *admin = admin_token();
    long long id;
    free(new_account(admin, "ss-user", "province", "410000", NULL, &id));

    /* logout: that session's access token stops within the cache window; another
       session of the same account goes on */
    ht_resp p = login_pair("ss-user", NEW_PASSWORD);
    char *access = strdup(ht_json_str(p.json, "access_token"));
    char *refresh = strdup(ht_json_str(p.json, "refresh_token"));
    ht_resp_free(&p);
    p = login_pair("ss-user", NEW_PASSWORD);
    char *other = strdup(ht_json_str(p.json, "access_token"));
    ht_resp_free(&p);
    expect_status("GET", "/api/v1/me", access, NULL, 200, NULL);
    ht_resp r;
    refresh_call("/api/v1/auth/logout", refresh, NULL, &r);
    ck_assert_int_eq(r.status, 204);
    ht_resp_free(&r);
    ck_assert_int_eq(me_status_within(access, 2500), 401);
    expect_status("GET", "/api/v1/me", access, NULL, 401, "token_revoked");
    expect_status("GET", "/api/v1/me", other, NULL, 200, NULL);
    free(access);
    free(refresh);

    /* a reused refresh token revokes the family: both access tokens of it stop */
    p = login_pair("ss-user", NEW_PASSWORD);
    char *access1 = strdup(ht_json_str(p.json, "access_token"));
    char *refresh1 = strdup(ht_json_str(p.json, "refresh_token"));
    ht_resp_free(&p);
    refresh_call("/api/v1/auth/refresh", refresh1, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    char *access2 = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
    expect_status("GET", "/api/v1/me", access2, NULL, 200, NULL);
    refresh_call("/api/v1/auth/refresh", refresh1, NULL, &r);
    ht_assert_problem(&r, 401, "refresh_token_reused");
    ht_resp_free(&r);
    ck_assert_int_eq(me_status_within(access2, 2500), 401);
    ck_assert_int_eq(me_status_within(access1, 2500), 401);
    expect_status("GET", "/api/v1/me", other, NULL, 200, NULL);

    /* disabling ends them all */
    patch_user(admin, id, "{\"disabled\":true}");
    ck_assert_int_eq(me_status_within(other, 2500), 401);
    free(access1);
    free(refresh1);
    free(access2);
    free(other);
    free(admin);
}
END_TEST

/* Log in as `user` from local address `ip`: the status (the body is checked
   for the lock's code and Retry-After). */
static long
login_from(const char *ip, const char *user, const char *password)
{
    ht_source_address(ip);
    ht_resp r;
    login(user, password, &r);
    ht_source_address(NULL);
    long status = r.status;
    if (status == 423) {
        ht_assert_problem(&r, 423, "account_locked");
        ck_assert_int_gt(atoi(ht_header(&r, "retry-after")), 0);
    }
    ht_resp_free(&r);
    return status;
}

static int
user_locked(const char *admin, long long id)
{
    ht_resp r;
    call("GET", fmt("/api/v1/users/%lld", id), admin, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    int locked = json_is_true(json_object_get(r.json, "locked"));
    ht_resp_free(&r);
    return locked;
}

START_TEST(test_lock_per_source)
{
    char *admin = admin_token();
    long long id;
    free(new_account(admin, "lsrc-user", "province", "410000", NULL, &id));

    /* five wrong passwords from one address lock that address out */
    for (int i = 1; i <= 5; i++)
        ck_assert_int_eq(login_from("127.0.0.2", "lsrc-user", "Wrong-Password-1"),
                         i < 5 ? 401 : 423);
    ck_assert_int_eq(login_from("127.0.0.2", "lsrc-user", NEW_PASSWORD), 423);
    /* the account's user, at another address, logs in as usual */
    ck_assert_int_eq(login_from("127.0.0.3", "lsrc-user", NEW_PASSWORD), 200);
    ck_assert_int_eq(user_locked(admin, id), 0);
    /* and so does the ministry admin, whatever one address tried against it */
    for (int i = 1; i <= 6; i++)
        login_from("127.0.0.4", "admin", "Wrong-Password-1");
    ck_assert_int_eq(login_from("127.0.0.4", "admin", ADMIN_PASSWORD), 423);
    ck_assert_int_eq(login_from("127.0.0.5", "admin", ADMIN_PASSWORD), 200);

    /* an unlock lifts the address's lock too */
    ht_resp r;
    call("POST", fmt("/api/v1/users/%lld/unlock", id), admin, NULL, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_int_eq(login_from("127.0.0.2", "lsrc-user", NEW_PASSWORD), 200);
    ck_assert_int_eq(audit_count(id, "lock"), 1);
    free(admin);
}
END_TEST

START_TEST(test_lock_per_account)
{
    /* a lower account-wide threshold than the default, to keep the test short */
    ck_assert_int_eq(ht_server_stop(srv), 0);
    const char *env[] = {env_db, "XUEJI_LOGIN_FAILURES_ACCOUNT=8", NULL};
    srv = ht_server_start(env);
    ck_assert_msg(srv != NULL, "xuejid did not start");

    char *admin = admin_token();
    long long id;
    char *tok = new_account(admin, "lacc-user", "province", "410000", NULL, &id);

    /* guesses spread over addresses: each stays under its own lock, but the
       account's count reaches 8 and the account locks for everyone */
    const char *ips[] = {"127.0.0.6", "127.0.0.7"};
    for (int i = 1; i <= 8; i++)
        ck_assert_int_eq(login_from(ips[i > 4], "lacc-user", "Wrong-Password-1"),
                         i < 8 ? 401 : 423);
    ck_assert_int_eq(login_from("127.0.0.8", "lacc-user", NEW_PASSWORD), 423);
    ck_assert_int_eq(user_locked(admin, id), 1);
    expect_status("GET", "/api/v1/me", tok, NULL, 423, "account_locked");
    free(tok);
    free(admin);
}
END_TEST

/* ---- school staff ------------------------------------------------------------------ */

/* One class of `school`, its id. */
static long long
class_id(const char *school, int grade, int number)
{
    app_err err = {0};
    db_conn *c = test_db();
    char g[8], n[8];
    snprintf(g, sizeof(g), "%d", grade);
    snprintf(n, sizeof(n), "%d", number);
    const char *p[] = {school, g, n};
    db_res *r = NULL;
    ck_assert_int_eq(db_exec_once(c,
                                  "INSERT INTO class (school, grade, number, name)"
                                  " VALUES ($1, $2, $3, 'c') RETURNING id",
                                  3, p, &r, &err),
                     0);
    long long id = db_res_int(r, 0, 0);
    db_res_free(r);
    db_conn_close(c);
    return id;
}

START_TEST(test_school_staff)
{
    /* two primary schools: one under 中原区 410102, one under 二七区 410103 */
    sql("INSERT INTO school (code, name, county, authority, province, category) VALUES"
        " ('2141010901', '中原区测试小学', '410102', '410102', '410000', 21),"
        " ('2141010902', '二七区测试小学', '410103', '410103', '410000', 21)");
    long long c1 = class_id("2141010901", 13, 1), c2 = class_id("2141010901", 13, 2);
    long long other = class_id("2141010902", 13, 1);

    char *admin = admin_token();
    long long kid, k2id, rid, gid, hid;
    char *county = new_account(admin, "st-k1", "county", "410102", NULL, &kid);
    char *county2 = new_account(admin, "st-k2", "county", "410103", NULL, &k2id);

    /* a bureau creates registrars only (staff_role may be left out) */
    expect_status("POST", "/api/v1/users", county,
                  "{\"username\":\"st-ht0\",\"display_name\":\"x\",\"role\":\"school\","
                  "\"org\":\"2141010901\",\"staff_role\":\"head_teacher\",\"classes\":[1]}",
                  403, "role_not_allowed");
    /* for schools under its authority only */
    expect_status("POST", "/api/v1/users", county,
                  "{\"username\":\"st-r2\",\"display_name\":\"x\",\"role\":\"school\","
                  "\"org\":\"2141010902\"}",
                  404, "org_not_found");
    expect_status("POST", "/api/v1/users", county,
                  "{\"username\":\"st-r3\",\"display_name\":\"x\",\"role\":\"school\","
                  "\"org\":\"2141010999\"}",
                  404, "org_not_found");
    char *reg = new_account(county, "st-reg", "school", "2141010901", NULL, &rid);

    ht_resp r;
    call("GET", "/api/v1/me", reg, NULL, NULL, NULL, &r);
    ck_assert_str_eq(ht_json_str(r.json, "staff_role"), "registrar");
    ht_resp_free(&r);

    /* the registrar grants the other staff roles at its own school */
    char *gl = new_account(reg, "st-gl", "school", "2141010901",
                           "\"staff_role\":\"grade_leader\",\"grade\":\"13\"", &gid);
    char *ht = new_account(reg, "st-ht", "school", "2141010901",
                           fmt("\"staff_role\":\"head_teacher\",\"classes\":[%lld]", c1), &hid);
    call("GET", fmt("/api/v1/users/%lld", gid), reg, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "staff_role"), "grade_leader");
    ck_assert_str_eq(ht_json_str(r.json, "grade"), "13");
    ht_resp_free(&r);
    expect_status("POST", "/api/v1/users", reg,
                  fmt("{\"username\":\"st-ht2\",\"display_name\":\"x\",\"role\":\"school\","
                      "\"org\":\"2141010901\",\"staff_role\":\"head_teacher\",\"classes\":[%lld]}",
                      other),
                  422, "invalid_classes");
    expect_status("POST", "/api/v1/users", reg,
                  "{\"username\":\"st-gl2\",\"display_name\":\"x\",\"role\":\"school\","
                  "\"org\":\"2141010901\",\"staff_role\":\"grade_leader\"}",
                  422, "missing_field");
    expect_status("POST", "/api/v1/users", reg,
                  "{\"username\":\"st-gl3\",\"display_name\":\"x\",\"role\":\"school\","
                  "\"org\":\"2141010901\",\"staff_role\":\"grade_leader\",\"grade\":\"17\"}",
                  422, "invalid_grade");
    expect_status("POST", "/api/v1/users", reg,
                  "{\"username\":\"st-o\",\"display_name\":\"x\",\"role\":\"school\","
                  "\"org\":\"2141010902\",\"staff_role\":\"registrar\"}",
                  404, "org_not_found");
    expect_status("POST", "/api/v1/users", reg,
                  "{\"username\":\"st-c\",\"display_name\":\"x\",\"role\":\"county\","
                  "\"org\":\"410102\"}",
                  403, "role_not_allowed");

    /* the registrar lists its school; grade leaders and head teachers manage nobody */
    call("GET", "/api/v1/users", reg, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 3);
    ck_assert(has_id(items, rid) && has_id(items, gid) && has_id(items, hid));
    ht_resp_free(&r);
    expect_status("GET", "/api/v1/users", gl, NULL, 403, "forbidden");
    expect_status("GET", "/api/v1/users", ht, NULL, 403, "forbidden");
    expect_status("POST", "/api/v1/users", gl,
                  "{\"username\":\"st-x\",\"display_name\":\"x\",\"role\":\"school\","
                  "\"org\":\"2141010901\",\"staff_role\":\"registrar\"}",
                  403, "forbidden");
    expect_status("GET", fmt("/api/v1/users/%lld", hid), gl, NULL, 404, "user_not_found");
    expect_status("GET", fmt("/api/v1/users/%lld", rid), reg, NULL, 404, "user_not_found");

    /* the school's county lists and manages its accounts; the next county does not */
    call("GET", "/api/v1/users", county, NULL, NULL, NULL, &r);
    items = json_object_get(r.json, "items");
    ck_assert(has_id(items, rid) && has_id(items, gid) && has_id(items, hid));
    ck_assert(!has_id(items, k2id));
    ht_resp_free(&r);
    call("GET", "/api/v1/users?org=2141010901", county, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 3);
    ht_resp_free(&r);
    expect_status("GET", "/api/v1/users?org=2141010901", county2, NULL, 404, "org_not_found");
    expect_status("GET", fmt("/api/v1/users/%lld", rid), county2, NULL, 404, "user_not_found");
    call("GET", "/api/v1/users", county2, NULL, NULL, NULL, &r);
    ck_assert(!has_id(json_object_get(r.json, "items"), rid));
    ht_resp_free(&r);

    /* the registrar moves the head teacher to another class: its token dies */
    call("PATCH", fmt("/api/v1/users/%lld", hid), reg, fmt("{\"classes\":[%lld]}", c2),
         "If-Match: \"2\"", NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(r.json, "classes"), 0)), c2);
    ht_resp_free(&r);
    expect_status("GET", "/api/v1/me", ht, NULL, 401, NULL);
    call("PATCH", fmt("/api/v1/users/%lld", hid), reg, fmt("{\"classes\":[%lld]}", other),
         "If-Match: \"3\"", NULL, &r);
    ht_assert_problem(&r, 422, "invalid_classes");
    ht_resp_free(&r);

    free(admin);
    free(county);
    free(county2);
    free(reg);
    free(gl);
    free(ht);
}
END_TEST

/* ---- service clients ---------------------------------------------------------------- */

static void
token_request(const char *ct, const char *body, const char *extra, ht_resp *r)
{
    const char *h[4];
    int n = 0;
    char cth[128];
    if (ct != NULL) {
        snprintf(cth, sizeof(cth), "Content-Type: %s", ct);
        h[n++] = cth;
    }
    if (extra != NULL)
        h[n++] = extra;
    h[n] = NULL;
    ck_assert_int_eq(
        ht_request(srv, "POST", "/api/v1/auth/token", h, body, body ? strlen(body) : 0, r), 0);
}

START_TEST(test_clients)
{
    char *admin = admin_token();
    long long pid, kid;
    char *prov = new_account(admin, "cl-prov", "province", "410000", NULL, &pid);
    char *county = new_account(prov, "cl-k", "county", "410102", NULL, &kid);

    expect_status("POST", "/api/v1/clients", county, "{\"name\":\"区平台\"}", 403, "forbidden");
    expect_status("POST", "/api/v1/clients", admin, "{\"name\":\"省平台\"}", 422, "missing_field");
    expect_status("POST", "/api/v1/clients", prov, "{\"name\":\"x\",\"province\":\"420000\"}", 404,
                  "org_not_found");

    ht_resp r;
    call("POST", "/api/v1/clients", prov, "{\"name\":\"河南省学籍对接平台\"}", NULL, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "org"), "410000");
    ck_assert_str_eq(ht_json_str(r.json, "name"), "河南省学籍对接平台");
    char *id = strdup(ht_json_str(r.json, "client_id"));
    char *secret = strdup(ht_json_str(r.json, "client_secret"));
    ck_assert_int_eq((int)strlen(secret), 43);
    ht_resp_free(&r);

    /* form body */
    token_request("application/x-www-form-urlencoded",
                  fmt("grant_type=client_credentials&client_id=%s&client_secret=%s", id, secret),
                  NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "token_type"), "Bearer");
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "expires_in")), 900);
    ck_assert_ptr_null(json_object_get(r.json, "refresh_token"));
    ck_assert_str_eq(ht_header(&r, "cache-control"), "no-store");
    char *ctok = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);

    /* the token is the province's, for this client */
    jwt_t *j = NULL;
    ck_assert_int_eq(
        jwt_decode(&j, ctok, (const unsigned char *)HT_JWT_SECRET, (int)strlen(HT_JWT_SECRET)), 0);
    ck_assert_str_eq(jwt_get_grant(j, "sub"), fmt("client:%s", id));
    ck_assert_str_eq(jwt_get_grant(j, "role"), "province");
    ck_assert_str_eq(jwt_get_grant(j, "org"), "410000");
    jwt_free(j);
    call("GET", "/api/v1/me", ctok, NULL, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "client_id"), id);
    ck_assert_str_eq(ht_json_str(r.json, "role"), "province");
    ck_assert_str_eq(ht_json_str(r.json, "org"), "410000");
    ht_resp_free(&r);
    /* a client manages no accounts */
    expect_status("GET", "/api/v1/users", ctok, NULL, 403, "forbidden");
    expect_status("GET", fmt("/api/v1/users/%lld", kid), ctok, NULL, 404, "user_not_found");

    /* JSON body and HTTP Basic work as well */
    token_request("application/json",
                  fmt("{\"grant_type\":\"client_credentials\",\"client_id\":\"%s\","
                      "\"client_secret\":\"%s\"}",
                      id, secret),
                  NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    char cred[256], b64[512];
    snprintf(cred, sizeof(cred), "%s:%s", id, secret);
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)cred, strlen(cred),
                      sodium_base64_VARIANT_ORIGINAL);
    token_request("application/x-www-form-urlencoded", "grant_type=client_credentials",
                  fmt("Authorization: Basic %s", b64), &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    /* wrong secret, unknown client, no credentials: 401 invalid_client */
    token_request("application/x-www-form-urlencoded",
                  fmt("grant_type=client_credentials&client_id=%s&client_secret=%sx", id, secret),
                  NULL, &r);
    ht_assert_problem(&r, 401, "invalid_client");
    ht_resp_free(&r);
    snprintf(cred, sizeof(cred), "%s:wrong", id);
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)cred, strlen(cred),
                      sodium_base64_VARIANT_ORIGINAL);
    token_request("application/x-www-form-urlencoded", "grant_type=client_credentials",
                  fmt("Authorization: Basic %s", b64), &r);
    ht_assert_problem(&r, 401, "invalid_client");
    ck_assert_ptr_nonnull(ht_header(&r, "www-authenticate"));
    ht_resp_free(&r);
    token_request("application/x-www-form-urlencoded",
                  "grant_type=client_credentials&client_id=xjc-00&client_secret=abc", NULL, &r);
    ht_assert_problem(&r, 401, "invalid_client");
    ht_resp_free(&r);
    token_request("application/x-www-form-urlencoded", "grant_type=client_credentials", NULL, &r);
    ht_assert_problem(&r, 401, "invalid_client");
    ht_resp_free(&r);

    /* other grants and malformed requests */
    token_request("application/x-www-form-urlencoded",
                  fmt("grant_type=password&client_id=%s&client_secret=%s", id, secret), NULL, &r);
    ht_assert_problem(&r, 400, "unsupported_grant_type");
    ht_resp_free(&r);
    token_request("application/x-www-form-urlencoded", fmt("client_id=%s", id), NULL, &r);
    ht_assert_problem(&r, 400, "invalid_request");
    ht_resp_free(&r);
    token_request("application/x-www-form-urlencoded",
                  "grant_type=client_credentials&grant_type=client_credentials", NULL, &r);
    ht_assert_problem(&r, 400, "invalid_request");
    ht_resp_free(&r);
    token_request("text/plain", "grant_type=client_credentials", NULL, &r);
    ht_assert_problem(&r, 415, "unsupported_media_type");
    ht_resp_free(&r);

    /* the ministry names the province */
    call("POST", "/api/v1/clients", admin, "{\"name\":\"湖北\",\"province\":\"420000\"}", NULL,
         NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "org"), "420000");
    ht_resp_free(&r);

    free(ctok);
    free(id);
    free(secret);
    free(county);
    free(prov);
    free(admin);
}
END_TEST

/* ---- forged tokens ----------------------------------------------------------------- */

static char *
b64url(const char *s)
{
    size_t n = strlen(s);
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = malloc(cap);
    sodium_bin2base64(out, cap, (const unsigned char *)s, n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* An HS256 token for the admin with chosen times and session (`sid` 0: none),
   signed with `key`. */
static char *
craft_sid(const char *key, long iat, long exp, long sid)
{
    jwt_t *j;
    ck_assert_int_eq(jwt_new(&j), 0);
    jwt_add_grant(j, "iss", "xueji");
    jwt_add_grant(j, "sub", "1");
    jwt_add_grant(j, "role", "ministry");
    jwt_add_grant(j, "org", "000000");
    jwt_add_grant_int(j, "iat", iat);
    jwt_add_grant_int(j, "exp", exp);
    jwt_add_grant(j, "jti", "forged");
    if (sid > 0)
        jwt_add_grant_int(j, "sid", sid);
    ck_assert_int_eq(jwt_set_alg(j, JWT_ALG_HS256, (const unsigned char *)key, (int)strlen(key)),
                     0);
    char *s = jwt_encode_str(j);
    jwt_free(j);
    ck_assert_ptr_nonnull(s);
    return s;
}

/* The session of a fresh admin login (the `sid` of its access token). */
static long
admin_sid(void)
{
    char *t = admin_token();
    jwt_t *j = NULL;
    ck_assert_int_eq(
        jwt_decode(&j, t, (const unsigned char *)HT_JWT_SECRET, (int)strlen(HT_JWT_SECRET)), 0);
    long sid = jwt_get_grant_int(j, "sid");
    jwt_free(j);
    free(t);
    ck_assert_int_gt(sid, 0);
    return sid;
}

static long forged_sid;

static char *
craft(const char *key, long iat, long exp)
{
    return craft_sid(key, iat, exp, forged_sid);
}

START_TEST(test_forged_tokens)
{
    long now = (long)time(NULL);
    forged_sid = admin_sid();
    /* the control: a token we sign like the server does is accepted */
    char *good = craft(HT_JWT_SECRET, now, now + 900);
    expect_status("GET", "/api/v1/me", good, NULL, 200, NULL);
    /* well signed, but naming no session: refused */
    char *no_sid = craft_sid(HT_JWT_SECRET, now, now + 900, 0);
    expect_status("GET", "/api/v1/me", no_sid, NULL, 401, "invalid_token");
    free(no_sid);

    /* one character of the signature flipped */
    char *tampered = strdup(good);
    char *sig = strrchr(tampered, '.') + 1;
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    expect_status("GET", "/api/v1/me", tampered, NULL, 401, "invalid_token");

    /* expired: right secret, exp in the past beyond the skew */
    char *expired = craft(HT_JWT_SECRET, now - 2000, now - 1100);
    expect_status("GET", "/api/v1/me", expired, NULL, 401, "token_expired");

    /* another secret */
    char *other = craft("some-other-secret-0123456789abcdefghijk", now, now + 900);
    expect_status("GET", "/api/v1/me", other, NULL, 401, "invalid_token");

    /* alg none, by hand: header.payload. with an empty signature */
    char *h = b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    char *p =
        b64url(fmt("{\"iss\":\"xueji\",\"sub\":\"1\",\"role\":\"ministry\",\"org\":\"000000\","
                   "\"iat\":%ld,\"exp\":%ld,\"jti\":\"none\"}",
                   now, now + 900));
    char *none = malloc(strlen(h) + strlen(p) + 3);
    sprintf(none, "%s.%s.", h, p);
    expect_status("GET", "/api/v1/me", none, NULL, 401, "invalid_token");
    /* the same with the real signature of the HS256 token glued on */
    char *none_sig = malloc(strlen(h) + strlen(p) + strlen(sig) + 3);
    sprintf(none_sig, "%s.%s.%s", h, p, strrchr(good, '.') + 1);
    expect_status("GET", "/api/v1/me", none_sig, NULL, 401, "invalid_token");
    /* a bare garbage token and a missing one */
    expect_status("GET", "/api/v1/me", "not-a-token", NULL, 401, "invalid_token");
    expect_status("GET", "/api/v1/me", NULL, NULL, 401, "unauthenticated");

    free(good);
    free(tampered);
    free(expired);
    free(other);
    free(h);
    free(p);
    free(none);
    free(none_sig);
}
END_TEST

static Suite *
users_suite(void)
{
    Suite *s = suite_create("http-users-access");
    TCase *tc = tcase_create("accounts");
    tcase_add_checked_fixture(tc, start_server, stop_server);
    tcase_set_timeout(tc, ht_timeout(180));
    tcase_add_test(tc, test_school_staff);
    tcase_add_test(tc, test_clients);
    tcase_add_test(tc, test_forged_tokens);
    tcase_add_test(tc, test_secret_answers_not_stored);
    tcase_add_test(tc, test_disable_ends_sessions);
    tcase_add_test(tc, test_access_token_dies_with_session);
    tcase_add_test(tc, test_lock_per_source);
    tcase_add_test(tc, test_lock_per_account);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return world_main(users_suite());
}
