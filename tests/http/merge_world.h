/*
 * tests/http/merge_world.h - the world and helpers of the suites
 * merge_test.c (merging schools over HTTP (POST /schools/{code}/merge)).
 * Each suite is its own program with its own copy of this state (all static).
 *
 * What the suites test, together:
 * school merges (学校合并: POST /api/v1/schools/{code}/merge,
 * API.md "Schools", DOMAIN §1) end to end through xuejid: what moves (classes,
 * renumbered where the surviving school has the number; students of every
 * state with history and events), what stays (earlier history, the merged
 * school's row, closed with merged_into), who may merge (the lowest common
 * authority or above; placeholders such as 重庆 5001 are no authority), what
 * blocks a merge (open requests, open problem records, grades the surviving
 * school does not teach, class numbers past 99, a closed school), bad bodies,
 * and two opposite merges at once.
 *
 * The world (SQL, idempotent; codes and usernames no other suite uses): 贵州
 * 520000 > 贵阳 520100 > 南明区 520102, 云岩区 520103; 遵义 520300 > 红花岗区
 * 520302; and 重庆 500000 > 万州区 500101, 涪陵区 500102, whose city-level code
 * 500100 (市辖区) is no org (docs/decisions/0002). Every test has schools of
 * its own (see `schools` below); students are registered through POST
 * /api/v1/students and approved by their county.
 */
#ifndef TESTS_HTTP_MERGE_WORLD_H
#define TESTS_HTTP_MERGE_WORLD_H

#include "core/pwhash.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Each suite uses some of these helpers, not all. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

#define PW "Mg-Merge-Test-2026!"

/* 南明区 primary schools (六三制) unless said otherwise */
#define MA "2152019801" /* merged: 13-1, 13-2, 14-1 火箭班 */
#define MB "2152019802" /* surviving: 13-1, 14-1, 15-1 */
#define XA "2152019803" /* 南明区: 12-1 */
#define XB "2152019804" /* 云岩区: 12-1 */
#define RA "2152019805" /* an open registration */
#define RB "2152019806"
#define PA "2152019807" /* an open problem record */
#define PB "2152019808"
#define GA "2152019809" /* 16-1 */
#define GB "2152019810" /* 五四制 (11-15): 15-1 */
#define NA "2152019811" /* 13-1 */
#define NB "2152019812" /* 13-1, 13-99 */
#define BA "2152019813" /* bad bodies */
#define KA "2152019814" /* two merges at once */
#define KB "2152019815"
#define LA "2152019816" /* 2000 students */
#define LB "2152019817"
#define SA "2152019818" /* a request started while the merge runs */
#define SB "2152019819"
#define CA "2150019801" /* 万州区 */
#define CB "2150019802" /* 涪陵区 */
#define NOSCHOOL "2152019899"

enum {
    REG_MA,
    REG_MB,
    REG_RA,
    REG_PA,
    REG_XA,
    REG_LA,
    REG_SA,
    NANMING,
    YUNYAN,
    GUIYANG,
    HONGHUAGANG,
    CQ_PLACEHOLDER,
    CHONGQING,
    NACTORS
};

static const struct {
    const char *user, *role, *org, *staff;
} cast[NACTORS] = {
    [REG_MA] = {"mg_reg_ma", "school", MA, "registrar"},
    [REG_MB] = {"mg_reg_mb", "school", MB, "registrar"},
    [REG_RA] = {"mg_reg_ra", "school", RA, "registrar"},
    [REG_PA] = {"mg_reg_pa", "school", PA, "registrar"},
    [REG_XA] = {"mg_reg_xa", "school", XA, "registrar"},
    [REG_LA] = {"mg_reg_la", "school", LA, "registrar"},
    [REG_SA] = {"mg_reg_sa", "school", SA, "registrar"},
    [NANMING] = {"mg_nanming", "county", "520102", NULL},
    [YUNYAN] = {"mg_yunyan", "county", "520103", NULL},
    [GUIYANG] = {"mg_guiyang", "city", "520100", NULL},
    [HONGHUAGANG] = {"mg_honghuagang", "county", "520302", NULL},
    /* no such org can be made through the API (500100 has no region row); inserted
       here to show that the lowest common authority skips it */
    [CQ_PLACEHOLDER] = {"mg_cq_5001", "city", "500100", NULL},
    [CHONGQING] = {"mg_chongqing", "province", "500000", NULL},
};

static const char *const shared_env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", "XUEJI_RATE_LIMIT_IP=0",
                                         NULL};

static ht_server *srv;
static char tokens[NACTORS][1024];
static PGconn *db;

static PGconn *
tdb(void)
{
    if (db == NULL)
        db = ht_db_connect();
    return db;
}

static const char *scalar(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One value of a one-row query (a static buffer). */
static const char *
scalar(const char *fmt, ...)
{
    static char buf[4096];
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    PGresult *r = PQexec(tdb(), sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql,
                  PQresultErrorMessage(r));
    snprintf(buf, sizeof(buf), "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return buf;
}

#define count_of(...) atoll(scalar(__VA_ARGS__))

static void
close_db(void)
{
    if (db != NULL)
        PQfinish(db);
    db = NULL;
}

static void
seed_world(void)
{
    ht_db_exec(tdb(), "SET client_min_messages TO warning");
    ht_db_exec(tdb(), "CREATE SEQUENCE IF NOT EXISTS mg_seq");
    ht_db_exec(tdb(),
               "INSERT INTO school (code, name, county, authority, province, category, system)"
               " VALUES"
               " ('" MA "', '合并测试南明第一小学', '520102', '520102', '520000', 21, '63'),"
               " ('" MB "', '合并测试南明第二小学', '520102', '520102', '520000', 21, '63'),"
               " ('" XA "', '合并测试南明第三小学', '520102', '520102', '520000', 21, '63'),"
               " ('" XB "', '合并测试云岩小学', '520103', '520103', '520000', 21, '63'),"
               " ('" RA "', '合并测试南明第五小学', '520102', '520102', '520000', 21, '63'),"
               " ('" RB "', '合并测试南明第六小学', '520102', '520102', '520000', 21, '63'),"
               " ('" PA "', '合并测试南明第七小学', '520102', '520102', '520000', 21, '63'),"
               " ('" PB "', '合并测试南明第八小学', '520102', '520102', '520000', 21, '63'),"
               " ('" GA "', '合并测试南明六三制小学', '520102', '520102', '520000', 21, '63'),"
               " ('" GB "', '合并测试南明五四制小学', '520102', '520102', '520000', 21, '54'),"
               " ('" NA "', '合并测试南明十一小学', '520102', '520102', '520000', 21, '63'),"
               " ('" NB "', '合并测试南明十二小学', '520102', '520102', '520000', 21, '63'),"
               " ('" BA "', '合并测试南明十三小学', '520102', '520102', '520000', 21, '63'),"
               " ('" KA "', '合并测试南明十四小学', '520102', '520102', '520000', 21, '63'),"
               " ('" KB "', '合并测试南明十五小学', '520102', '520102', '520000', 21, '63'),"
               " ('" LA "', '合并测试南明十六小学', '520102', '520102', '520000', 21, '63'),"
               " ('" LB "', '合并测试南明十七小学', '520102', '520102', '520000', 21, '63'),"
               " ('" SA "', '合并测试南明十八小学', '520102', '520102', '520000', 21, '63'),"
               " ('" SB "', '合并测试南明十九小学', '520102', '520102', '520000', 21, '63'),"
               " ('" CA "', '合并测试万州小学', '500101', '500101', '500000', 21, '63'),"
               " ('" CB "', '合并测试涪陵小学', '500102', '500102', '500000', 21, '63')"
               " ON CONFLICT DO NOTHING");
    ht_db_exec(tdb(), "INSERT INTO class (school, grade, number, name) VALUES"
                      " ('" MA "', 13, 1, '三年级(1)班'), ('" MA "', 13, 2, '三年级(2)班'),"
                      " ('" MA "', 14, 1, '四年级火箭班'),"
                      " ('" MB "', 13, 1, '三年级(1)班'), ('" MB "', 14, 1, '四年级(1)班'),"
                      " ('" MB "', 15, 1, '五年级(1)班'),"
                      " ('" XA "', 12, 1, '二年级(1)班'), ('" XB "', 12, 1, '二年级(1)班'),"
                      " ('" RA "', 13, 1, '三年级(1)班'), ('" RB "', 13, 1, '三年级(1)班'),"
                      " ('" PA "', 13, 1, '三年级(1)班'), ('" PB "', 13, 1, '三年级(1)班'),"
                      " ('" GA "', 16, 1, '六年级(1)班'), ('" GB "', 15, 1, '五年级(1)班'),"
                      " ('" NA "', 13, 1, '三年级(1)班'), ('" NB "', 13, 1, '三年级(1)班'),"
                      " ('" NB "', 13, 99, '三年级(99)班'),"
                      " ('" BA "', 13, 1, '三年级(1)班'),"
                      " ('" KA "', 11, 1, '一年级(1)班'), ('" KB "', 11, 1, '一年级(1)班'),"
                      " ('" LA "', 13, 1, '三年级(1)班'), ('" LA "', 13, 2, '三年级(2)班'),"
                      " ('" LB "', 13, 1, '三年级(1)班'),"
                      " ('" SA "', 13, 1, '三年级(1)班'), ('" SB "', 13, 1, '三年级(1)班'),"
                      " ('" CA "', 11, 1, '一年级(1)班'), ('" CB "', 11, 1, '一年级(1)班')"
                      " ON CONFLICT (school, grade, number) DO NOTHING");
    char hash[CORE_PWHASH_LEN];
    ck_assert_int_eq(core_pwhash(PW, hash), 0);
    for (int i = 0; i < NACTORS; i++) {
        char sql[1024];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO app_user (username, display_name, role, org, staff_role,"
                 " password_hash, must_change_password) VALUES ('%s', '%s', '%s', '%s', %s%s%s,"
                 " '%s', false) ON CONFLICT (username) DO NOTHING",
                 cast[i].user, cast[i].user, cast[i].role, cast[i].org, cast[i].staff ? "'" : "",
                 cast[i].staff ? cast[i].staff : "NULL", cast[i].staff ? "'" : "", hash);
        ht_db_exec(tdb(), sql);
    }
}

static void
login(int who)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", cast[who].user, PW);
    ht_resp r;
    ck_assert_int_eq(ht_post_json(ht_shared(), "/api/v1/auth/login", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", cast[who].user, r.status, r.body);
    snprintf(tokens[who], sizeof(tokens[who]), "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

/* Unchecked setup (runner process): the shared server, the world, fresh tokens. */
static void
shared_world(void)
{
    static int seeded;
    ht_shared_start_env(shared_env);
    if (!seeded) {
        seed_world();
        seeded = 1;
    }
    for (int i = 0; i < NACTORS; i++)
        login(i);
    close_db(); /* the runner keeps no connection for the forks to share */
}

static void
use_shared(void)
{
    srv = ht_shared();
    ck_assert_msg(srv != NULL, "no shared server");
}

/* One request as `who` (-1: anonymous) with an optional JSON body and one more header. */
static void
call_h(const char *method, const char *path, int who, const char *body, const char *header,
       ht_resp *out)
{
    char auth[1100];
    const char *h[4];
    int n = 0;
    if (who >= 0) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[who]);
        h[n++] = auth;
    }
    if (body != NULL)
        h[n++] = "Content-Type: application/json";
    if (header != NULL)
        h[n++] = header;
    h[n] = NULL;
    ck_assert_int_eq(ht_request(srv, method, path, h, body, body ? strlen(body) : 0, out), 0);
}

static void
call(const char *method, const char *path, int who, const char *body, ht_resp *out)
{
    call_h(method, path, who, body, NULL, out);
}

static long long
jint(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* POST /schools/{code}/merge {"into": into} as `who`. */
static void
merge(int who, const char *code, const char *into, ht_resp *out)
{
    char path[96], body[96];
    snprintf(path, sizeof(path), "/api/v1/schools/%s/merge", code);
    snprintf(body, sizeof(body), "{\"into\":\"%s\"}", into);
    call("POST", path, who, body, out);
}

/* A merge that must fail with `status` and `code`, the first error at `field` (NULL: any). */
static void
merge_fails_at(const char *file, int line, int who, const char *code, const char *into, long status,
               const char *slug, const char *field)
{
    ht_resp r;
    merge(who, code, into, &r);
    ht_assert_problem_at(&r, status, slug, file, line);
    if (field != NULL) {
        const json_t *e = json_array_get(json_object_get(r.json, "errors"), 0);
        ck_assert_msg(e != NULL && strcmp(ht_json_str(e, "field"), field) == 0,
                      "%s:%d: first error not at %s: %s", file, line, field, r.body);
    }
    ht_resp_free(&r);
}
#define merge_fails(...) merge_fails_at(__FILE__, __LINE__, __VA_ARGS__)

/* A merge that must succeed: the answer's students and classes, and the
   renumbered classes as "13:1>3,14:1>2". */
static void
merge_ok_at(const char *file, int line, int who, const char *code, const char *into,
            long long students, long long classes, const char *renumbered)
{
    ht_resp r;
    merge(who, code, into, &r);
    ck_assert_msg(r.status == 200, "%s:%d: merge %s into %s: %ld %s", file, line, code, into,
                  r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "from"), code);
    ck_assert_str_eq(ht_json_str(r.json, "into"), into);
    ck_assert_msg(jint(r.json, "students") == students && jint(r.json, "classes") == classes,
                  "%s:%d: want %lld students, %lld classes: %s", file, line, students, classes,
                  r.body);
    char got[512] = "";
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(r.json, "renumbered"), i, k)
    {
        size_t n = strlen(got);
        snprintf(got + n, sizeof(got) - n, "%s%s:%lld>%lld", i ? "," : "", ht_json_str(k, "grade"),
                 jint(k, "from"), jint(k, "to"));
    }
    ck_assert_msg(strcmp(got, renumbered) == 0, "%s:%d: renumbered %s, want %s: %s", file, line,
                  got, renumbered, r.body);
    ht_resp_free(&r);
}
#define merge_ok(...) merge_ok_at(__FILE__, __LINE__, __VA_ARGS__)

/* GET /schools/{code} as `who` (200 expected). */
static void
get_school(int who, const char *code, ht_resp *out)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/schools/%s", code);
    call("GET", path, who, NULL, out);
    ck_assert_msg(out->status == 200, "GET %s: %ld %s", path, out->status, out->body);
}

/* "closed merged_into" of a school: "false null", "true 2152019802". */
static const char *
school_state(int who, const char *code)
{
    static char buf[64];
    ht_resp r;
    get_school(who, code, &r);
    const json_t *m = json_object_get(r.json, "merged_into");
    ck_assert_msg(m != NULL && (json_is_null(m) || json_is_string(m)), "merged_into: %s", r.body);
    snprintf(buf, sizeof(buf), "%s %s",
             json_is_true(json_object_get(r.json, "closed")) ? "true" : "false",
             json_is_null(m) ? "null" : json_string_value(m));
    ht_resp_free(&r);
    return buf;
}

/* The classes of a school as "13-1 三年级(1)班,13-2 ...". */
static const char *
classes_of(int who, const char *code)
{
    static char buf[1024];
    char path[80];
    snprintf(path, sizeof(path), "/api/v1/schools/%s/classes", code);
    ht_resp r;
    call("GET", path, who, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    buf[0] = '\0';
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(r.json, "items"), i, k)
    {
        size_t n = strlen(buf);
        ck_assert_str_eq(ht_json_str(k, "school"), code);
        snprintf(buf + n, sizeof(buf) - n, "%s%s-%lld %s", i ? "," : "", ht_json_str(k, "grade"),
                 jint(k, "number"), ht_json_str(k, "name"));
    }
    ht_resp_free(&r);
    return buf;
}

static char
check_digit(const char *s17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (s17[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

/*
 * Register a student at `reg`'s school in grade-class (a fresh valid ID of
 * 520102 born in 2016, a name of its own so that no two look like suspected
 * duplicates, which would open problem records) and, unless `approver` is
 * -1, approve the registration. The student's id; *out_request the request.
 */
static long long
register_student(int reg, int approver, int grade, int class_no, long long *out_request)
{
    long long n = count_of("SELECT nextval('mg_seq')");
    struct tm tm = {.tm_year = 2016 - 1900, .tm_mon = 0, .tm_mday = 1 + (int)(n % 360)};
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    char birth[32], id[48], name[64], gr[8];
    unsigned mon = (unsigned)(tm.tm_mon + 1) % 100u, day = (unsigned)tm.tm_mday % 100u;
    snprintf(birth, sizeof(birth), "2016-%02u-%02u", mon, day);
    snprintf(id, sizeof(id), "5201022016%02u%02u%03u", mon, day,
             (unsigned)((n / 360) % 500) * 2u + 1u);
    id[17] = check_digit(id);
    id[18] = '\0';
    snprintf(name, sizeof(name), "合并学生%lld", n);
    snprintf(gr, sizeof(gr), "%d", grade);
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:f,s:s,s:s,s:[{s:s,s:s,"
        "s:s,s:s},{s:s,s:s,s:s}]}",
        "name", name, "gender", "1", "birth_date", birth, "ethnicity", "01", "nationality", "CHN",
        "id_type", "1", "id_number", id, "hukou_region", "520102000000", "hukou_type", "1", "grade",
        gr, "class", class_no, "enrolled_month", "202209", "entry_mode", "1", "study_mode", "1",
        "source", "1", "distance_km", 1.5, "transport", "1", "school_bus", "0", "family", "name",
        "合并家长", "relation", "1", "phone", "13700000000", "guardian", "1", "name", "家长二",
        "relation", "2", "phone", "13700000001");
    ck_assert_ptr_nonnull(o);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    ht_resp r;
    call("POST", "/api/v1/students", reg, text, &r);
    free(text);
    ck_assert_msg(r.status == 201, "register %s: %ld %s", name, r.status, r.body);
    long long sid = jint(json_object_get(r.json, "student"), "id");
    long long rid = jint(json_object_get(r.json, "request"), "id");
    ht_resp_free(&r);
    if (out_request != NULL)
        *out_request = rid;
    if (approver >= 0) {
        char path[96];
        snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", rid);
        call("POST", path, approver, "{\"action\":\"approve\",\"step\":1}", &r);
        ck_assert_msg(r.status == 200, "approve %lld: %ld %s", rid, r.status, r.body);
        ht_resp_free(&r);
    }
    return sid;
}

/* Start a request of `type` on the student as `reg` and approve it as `approver`. */
static void
change_state(int reg, int approver, long long sid, const char *type)
{
    char body[256], path[96];
    snprintf(body, sizeof(body),
             "{\"type\":\"%s\",\"student\":%lld,"
             "\"payload\":{\"reason\":\"家庭原因\",\"date\":\"2025-03-01\"}}",
             type, sid);
    ht_resp r;
    call("POST", "/api/v1/requests", reg, body, &r);
    ck_assert_msg(r.status == 201, "start %s: %ld %s", type, r.status, r.body);
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", rid);
    call("POST", path, approver, "{\"action\":\"approve\",\"step\":1}", &r);
    ck_assert_msg(r.status == 200, "approve %lld: %ld %s", rid, r.status, r.body);
    ht_resp_free(&r);
}

/* "state school grade-class vVERSION" of a student read as `who`. */
static const char *
placement(int who, long long sid)
{
    static char buf[128];
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/students/%lld", sid);
    ht_resp r;
    call("GET", path, who, NULL, &r);
    ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, r.body);
    snprintf(buf, sizeof(buf), "%s %s %s-%lld v%lld", ht_json_str(r.json, "state"),
             ht_json_str(r.json, "school"), ht_json_str(r.json, "grade"), jint(r.json, "class"),
             jint(r.json, "version"));
    ht_resp_free(&r);
    return buf;
}

static long
student_status(int who, long long sid)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/students/%lld", sid);
    ht_resp r;
    call("GET", path, who, NULL, &r);
    long st = r.status;
    ht_resp_free(&r);
    return st;
}

/* The student's history (read as `who`); the caller frees it with ht_resp_free. */
static void
history(int who, long long sid, ht_resp *out)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/students/%lld/history", sid);
    call("GET", path, who, NULL, out);
    ck_assert_msg(out->status == 200, "%ld %s", out->status, out->body);
}

/* A history entry's changes as "/school:OLD>NEW,/class:1>3". */
static const char *
changes_text(const json_t *entry)
{
    static char buf[256];
    buf[0] = '\0';
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(entry, "changes"), i, c)
    {
        size_t n = strlen(buf);
        const json_t *o = json_object_get(c, "old"), *v = json_object_get(c, "new");
        char os[32], ns[32];
        if (json_is_string(o))
            snprintf(os, sizeof(os), "%s", json_string_value(o));
        else
            snprintf(os, sizeof(os), "%lld", (long long)json_integer_value(o));
        if (json_is_string(v))
            snprintf(ns, sizeof(ns), "%s", json_string_value(v));
        else
            snprintf(ns, sizeof(ns), "%lld", (long long)json_integer_value(v));
        snprintf(buf + n, sizeof(buf) - n, "%s%s:%s>%s", i ? "," : "", ht_json_str(c, "field"), os,
                 ns);
    }
    return buf;
}

/* ------------------------------------------------------------ the suite */

#pragma GCC diagnostic pop

#endif
