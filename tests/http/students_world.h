/*
 * tests/http/students_world.h - the world and helpers of the suites
 * students_test.c (the student registry over HTTP: list, read and reveal, edit),
 * students_activity_test.c (the student registry over HTTP: history, look-up, check-ins, photos,
 * the change feed, reading a request). Each suite is its own program with its own copy of this
 * state (all static).
 *
 * What the suites test, together:
 * black-box tests of the student registry
 * (API.md "Students", "Sync"): list, read, reveal, edit, history, look-up,
 * check-ins, photos, the change feed and reading a request, against a real
 * xuejid and PostgreSQL.
 *
 * The world is inserted with SQL (as tests/http/authz_test.c does): three
 * schools of their own - A in 中原区 410102, B in 金水区 410105, H in 江岸区
 * 420102 - their classes, and accounts of every level and school staff role
 * (no password change required). Students are registered through
 * POST /api/v1/students with valid GB 11643 numbers (DOMAIN §2) unique to the
 * test process, and names carrying a per-test prefix, so each test finds its
 * own students whatever else the shared database holds.
 */
#ifndef TESTS_HTTP_STUDENTS_WORLD_H
#define TESTS_HTTP_STUDENTS_WORLD_H

#include "core/pwhash.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Each suite uses some of these helpers, not all. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

#define PW "Students-Test-2026!"

#define SCH_A "2141019201" /* 中原区 410102, authority the county */
#define SCH_B "2141019202" /* 金水区 410105 */
#define SCH_H "2142019201" /* 江岸区 420102 */

static ht_server *srv;
static PGconn *pg;

/* ids of A's classes 13-1 (the head teacher's) and 13-2 */
static long long cls_a13_1, cls_a13_2;

enum actor {
    REG_A,     /* registrar of A */
    REG_B,     /* registrar of B */
    REG_H,     /* registrar of H */
    GRADE_A,   /* grade leader of A, grade 13 */
    HEAD_A,    /* head teacher of A, class 13-1 */
    ZHONGYUAN, /* county 410102 */
    JINSHUI,   /* county 410105 */
    JIANGAN,   /* county 420102 */
    ZHENGZHOU, /* city 410100 */
    HENAN,     /* province 410000 */
    NACTORS
};

static const char *const usernames[NACTORS] = {
    "st_reg_a",     "st_reg_b",   "st_reg_h",   "st_grade_a",   "st_head_a",
    "st_zhongyuan", "st_jinshui", "st_jiangan", "st_zhengzhou", "st_henan"};

static char *tokens[NACTORS];

static const char *
scalar_str(const char *sql)
{
    static char buf[256];
    PGresult *r = PQexec(pg, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql,
                  PQerrorMessage(pg));
    snprintf(buf, sizeof(buf), "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return buf;
}

static long long
scalar(const char *sql)
{
    return atoll(scalar_str(sql));
}

static long long
class_id(const char *school, int grade, int number)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO class (school, grade, number, name) VALUES ('%s', %d, %d, '%d年级%d班')"
             " ON CONFLICT (school, grade, number) DO UPDATE SET name = EXCLUDED.name"
             " RETURNING id",
             school, grade, number, grade % 10, number);
    return scalar(sql);
}

static void
add_user(const char *hash, const char *name, const char *role, const char *org, const char *staff,
         const char *grade, const char *classes)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO app_user (username, display_name, role, org, staff_role, grade, classes,"
             " password_hash, must_change_password) VALUES ('%s', '%s', '%s', '%s', %s, %s, '%s',"
             " '%s', false) ON CONFLICT (username) DO NOTHING",
             name, name, role, org, staff, grade, classes, hash);
    ht_db_exec(pg, sql);
}

/* Schools, classes and accounts; idempotent (every test calls it). */
static void
build_world(void)
{
    ht_db_exec(pg, "INSERT INTO school (code, name, county, authority, province, category)"
                   " VALUES ('" SCH_A "', '学籍测试中原小学', '410102', '410102', '410000', 21),"
                   " ('" SCH_B "', '学籍测试金水小学', '410105', '410105', '410000', 21),"
                   " ('" SCH_H "', '学籍测试江岸小学', '420102', '420102', '420000', 21)"
                   " ON CONFLICT DO NOTHING");
    cls_a13_1 = class_id(SCH_A, 13, 1);
    cls_a13_2 = class_id(SCH_A, 13, 2);
    class_id(SCH_A, 14, 1);
    class_id(SCH_B, 13, 1);
    class_id(SCH_H, 13, 1);
    if (scalar("SELECT count(*) FROM app_user WHERE username LIKE 'st\\_%'") >= NACTORS)
        return;
    char hash[CORE_PWHASH_LEN], classes[32];
    ck_assert_int_eq(core_pwhash(PW, hash), 0);
    snprintf(classes, sizeof(classes), "{%lld}", cls_a13_1);
    add_user(hash, "st_reg_a", "school", SCH_A, "'registrar'", "NULL", "{}");
    add_user(hash, "st_reg_b", "school", SCH_B, "'registrar'", "NULL", "{}");
    add_user(hash, "st_reg_h", "school", SCH_H, "'registrar'", "NULL", "{}");
    add_user(hash, "st_grade_a", "school", SCH_A, "'grade_leader'", "13", "{}");
    add_user(hash, "st_head_a", "school", SCH_A, "'head_teacher'", "NULL", classes);
    add_user(hash, "st_zhongyuan", "county", "410102", "NULL", "NULL", "{}");
    add_user(hash, "st_jinshui", "county", "410105", "NULL", "NULL", "{}");
    add_user(hash, "st_jiangan", "county", "420102", "NULL", "NULL", "{}");
    add_user(hash, "st_zhengzhou", "city", "410100", "NULL", "NULL", "{}");
    add_user(hash, "st_henan", "province", "410000", "NULL", "NULL", "{}");
}

static void
start(void)
{
    static const char *const env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", NULL};
    srv = ht_server_start(env);
    ck_assert_msg(srv != NULL, "xuejid did not start");
    pg = ht_db_connect();
    build_world();
}

static void
stop(void)
{
    PQfinish(pg);
    ck_assert_int_eq(ht_server_stop(srv), 0);
}

/* A bearer token of `who`, logged in once per test process. */
static const char *
as(enum actor who)
{
    if (tokens[who] != NULL)
        return tokens[who];
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", usernames[who], PW);
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, "/api/v1/auth/login", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", usernames[who], r.status, r.body);
    tokens[who] = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
    return tokens[who];
}

/* One request: bearer token, optional body of type `ctype`, optional If-Match. */
static void
call_raw(const char *method, const char *path, const char *token, const char *ctype,
         const char *body, size_t len, const char *if_match, ht_resp *out)
{
    char auth[1024], ct[128], im[64];
    const char *h[4];
    int n = 0;
    if (token != NULL) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h[n++] = auth;
    }
    if (ctype != NULL) {
        snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
        h[n++] = ct;
    }
    if (if_match != NULL) {
        snprintf(im, sizeof(im), "If-Match: %s", if_match);
        h[n++] = im;
    }
    h[n] = NULL;
    ck_assert_int_eq(ht_request(srv, method, path, h, body, len, out), 0);
}

static void
call(const char *method, const char *path, const char *token, const char *json,
     const char *if_match, ht_resp *out)
{
    call_raw(method, path, token, json ? "application/json" : NULL, json, json ? strlen(json) : 0,
             if_match, out);
}

static void
get(const char *path, enum actor who, ht_resp *out)
{
    call("GET", path, as(who), NULL, NULL, out);
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

static long long
jint(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_integer(v), "member %s is not an integer", key);
    return (long long)json_integer_value(v);
}

/* Percent-encode a query value (names are UTF-8). */
static void
urlenc(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < cap; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, cap - o, "%%%02X", *p);
    }
    out[o] = '\0';
}

/* The 18-character GB 11643 number of area + YYYYMMDD + seq. */
static void
make_id(const char *area, int ymd, int seq, char out[19])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    snprintf(out, 19, "%.6s%08d%03d", area, ymd, seq % 1000);
    int s = 0;
    for (int i = 0; i < 17; i++)
        s += (out[i] - '0') * w[i];
    out[17] = "10X98765432"[s % 11];
    out[18] = '\0';
}

/* YYYYMMDD `days` after 2014-01-01. */
static int
date_after(int days)
{
    struct tm tm = {.tm_year = 114, .tm_mon = 0, .tm_mday = 1 + days, .tm_hour = 12};
    mktime(&tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

static int uniq_counter;

/* A number unique to this test process (and, by its pid, in this run). */
static int
uniq(void)
{
    return (int)(getpid() % 2000000) * 64 % 2000000 + uniq_counter++;
}

typedef struct stu {
    long long id, request;
    int version;
    char name[64], id_number[19], gender[2], birth[16], phone[16], fphone[16];
    char number[24]; /* the student number as registered (an L number) */
} stu;

typedef struct stu_opts {
    const char *name;          /* full name */
    int grade, class_no;       /* default 13, 1 */
    const char *left_behind;   /* default "0" */
    const char *migrant_child; /* default "0" */
} stu_opts;

/*
 * Register one student through the API as the registrar `who` (201). Every
 * field the default settings require, and a phone for the student and for
 * the one family member.
 */
static void
register_student(enum actor who, const stu_opts *o, stu *out)
{
    memset(out, 0, sizeof(*out));
    for (int attempt = 0; attempt < 5; attempt++) {
        int u = uniq();
        int ymd = date_after(u / 1000 % 1800);
        make_id("410102", ymd, u % 1000, out->id_number);
        snprintf(out->gender, sizeof(out->gender), "%c", (u % 1000) % 2 ? '1' : '2');
        snprintf(out->birth, sizeof(out->birth), "%04d-%02d-%02d", ymd / 10000 % 10000,
                 ymd / 100 % 100, ymd % 100);
        snprintf(out->phone, sizeof(out->phone), "139%08u", (unsigned)u % 100000000u);
        snprintf(out->fphone, sizeof(out->fphone), "137%08u", (unsigned)u % 100000000u);
        snprintf(out->name, sizeof(out->name), "%s", o->name);
        char grade[4];
        snprintf(grade, sizeof(grade), "%d", o->grade ? o->grade : 13);
        json_t *fam = json_pack("[{s:s,s:s,s:s,s:s},{s:s,s:s,s:s}]", "name", "家长", "relation",
                                "1", "phone", out->fphone, "guardian", "1", "name", "家长二",
                                "relation", "2", "phone", "13700000001");
        json_t *b = json_pack(
            "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:f,s:s,s:s,s:s,"
            "s:s,s:s,s:o}",
            "name", o->name, "gender", out->gender, "birth_date", out->birth, "ethnicity", "01",
            "nationality", "CHN", "id_type", "1", "id_number", out->id_number, "hukou_region",
            "410102000000", "hukou_type", "1", "current_address", "郑州市中原区建设路1号", "grade",
            grade, "class", o->class_no ? o->class_no : 1, "enrolled_month", "202409", "entry_mode",
            "1", "study_mode", "1", "source", "1", "distance_km", 1.5, "transport", "1",
            "school_bus", "0", "left_behind", o->left_behind ? o->left_behind : "0",
            "migrant_child", o->migrant_child ? o->migrant_child : "0", "phone", out->phone,
            "family", fam);
        ck_assert_ptr_nonnull(b);
        char *body = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        ht_resp r;
        call("POST", "/api/v1/students", as(who), body, NULL, &r);
        free(body);
        if (r.status == 409 && strcmp(ht_json_str(r.json, "code"), "duplicate_enrolled") == 0) {
            ht_resp_free(&r); /* the number is taken (another process): the next one */
            continue;
        }
        ck_assert_msg(r.status == 201, "register %s: %ld %s", o->name, r.status, r.body);
        json_t *s = json_object_get(r.json, "student"), *q = json_object_get(r.json, "request");
        out->id = jint(s, "id");
        out->version = (int)jint(s, "version");
        out->request = jint(q, "id");
        snprintf(out->number, sizeof(out->number), "%s", ht_json_str(s, "student_number"));
        ck_assert_str_eq(ht_json_str(s, "state"), "pending");
        ck_assert_str_eq(ht_json_str(q, "type"), "registration");
        ht_resp_free(&r);
        return;
    }
    ck_abort_msg("no free ID number after 5 attempts");
}

static void
register_named(enum actor who, const char *name, int grade, int class_no, stu *out)
{
    stu_opts o = {.name = name, .grade = grade, .class_no = class_no};
    register_student(who, &o, out);
}

/* The competent authority approves step 1 of the registration (DOMAIN §5). */
static void
approve(enum actor county, const stu *s)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", s->request);
    ht_resp r;
    call("POST", path, as(county), "{\"action\":\"approve\",\"step\":1}", NULL, &r);
    ck_assert_msg(r.status == 200, "approve %lld: %ld %s", s->request, r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "approved");
    ht_resp_free(&r);
}

static void
student_path(const stu *s, const char *suffix, char *out, size_t cap)
{
    snprintf(out, cap, "/api/v1/students/%lld%s", s->id, suffix);
}

/* A name prefix unique to this test process: "<surname>测<pid>号". */
static void
prefix(const char *surname, char *out, size_t cap)
{
    snprintf(out, cap, "%s测%d号", surname, (int)getpid());
}

/*
 * Every id of GET /students?<query> over all pages of `limit`, asserting the
 * keyset contract on the way: full pages before the last, ascending ids, the
 * cursor is the last id of its page.
 */
static int
list_ids(enum actor who, const char *query, int limit, long long *out, int cap, int *out_pages)
{
    char cursor[32] = "";
    int n = 0, pages = 0;
    long long last = 0;
    for (;;) {
        char path[512];
        snprintf(path, sizeof(path), "/api/v1/students?limit=%d%s%s%s%s", limit,
                 query[0] ? "&" : "", query, cursor[0] ? "&cursor=" : "", cursor);
        ht_resp r;
        get(path, who, &r);
        ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
        json_t *items = json_object_get(r.json, "items");
        ck_assert(json_is_array(items));
        ck_assert_int_le(json_array_size(items), limit);
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            long long id = jint(it, "id");
            ck_assert_msg(id > last, "ids not ascending: %lld after %lld", id, last);
            last = id;
            ck_assert_int_lt(n, cap);
            out[n++] = id;
        }
        pages++;
        json_t *next = json_object_get(r.json, "next_cursor");
        if (json_is_null(next)) {
            ht_resp_free(&r);
            break;
        }
        ck_assert_int_eq(json_array_size(items), limit);
        char want[32];
        snprintf(want, sizeof(want), "%lld", last);
        ck_assert_str_eq(json_string_value(next), want); /* keyset: after the last id */
        snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
        ht_resp_free(&r);
    }
    if (out_pages)
        *out_pages = pages;
    return n;
}

/* The list for `query` is exactly the students `want` (by index into v). */
static void
expect_list(enum actor who, const char *query, const stu *v, const int *want, int nwant)
{
    long long got[64];
    int n = list_ids(who, query, 500, got, 64, NULL);
    char msg[256] = "";
    ck_assert_msg(n == nwant, "%s as %s: %d students, want %d", query, usernames[who], n, nwant);
    for (int i = 0; i < nwant; i++) {
        int found = 0;
        for (int k = 0; k < n; k++)
            found |= got[k] == v[want[i]].id;
        snprintf(msg, sizeof(msg), "%s as %s: student %d missing", query, usernames[who], want[i]);
        ck_assert_msg(found, "%s", msg);
    }
}

/*
 * The list fixture: seven students at A, one at B and one at H, under one name
 * prefix.
 *   k  grade class left_behind migrant_child
 *   0   13    1       1           1
 *   1   13    1       0           1
 *   2   13    1       0           0
 *   3   13    2       2           0
 *   4   13    2       0           1
 *   5   14    1       1           0
 *   6   14    1       0           0
 *   7   (school B) 13 1
 *   8   (school H) 13 1
 */
static void
seed_list(const char *pfx, stu v[9])
{
    static const struct {
        int grade, class_no;
        const char *lb, *mc;
    } shape[7] = {{13, 1, "1", "1"}, {13, 1, "0", "1"}, {13, 1, "0", "0"}, {13, 2, "2", "0"},
                  {13, 2, "0", "1"}, {14, 1, "1", "0"}, {14, 1, "0", "0"}};
    for (int k = 0; k < 7; k++) {
        char name[64];
        snprintf(name, sizeof(name), "%s%d", pfx, k + 1);
        stu_opts o = {name, shape[k].grade, shape[k].class_no, shape[k].lb, shape[k].mc};
        register_student(REG_A, &o, &v[k]);
    }
    char name[64];
    snprintf(name, sizeof(name), "%s%d", pfx, 8);
    register_named(REG_B, name, 13, 1, &v[7]);
    snprintf(name, sizeof(name), "%s%d", pfx, 9);
    register_named(REG_H, name, 13, 1, &v[8]);
}

static void
patch(const stu *s, enum actor who, const char *json, const char *if_match, ht_resp *r)
{
    char path[96];
    student_path(s, "", path, sizeof(path));
    call("PATCH", path, as(who), json, if_match, r);
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
