/*
 * tests/http/registration_world.h - the world, helpers and plaintext scan of
 * the registration suites (registration_test.c: the paths, documents and
 * validation; registration_dup_test.c: duplicates, the verifier, windows,
 * limits, who registers, idempotency). Each suite is its own program with its
 * own server and its own copy of this state (everything here is static).
 *
 * The world (seeded by SQL once, in the runner process, before the first
 * tcase; codes and usernames no other suite uses):
 *   school A 2141019101 in 中原区 410102 (authority 410102): the main school,
 *     classes 11-1, 13-1 and 13-9 (size limit 1)
 *   school B 2141019102 in 中原区 too, class 13-1
 *   school C 2142019101 in 江岸区 420102 (湖北), class 13-1
 *   school D 2141019103 in 管城回族区 410104, class 13-1 (the window test's county)
 *   registrars rg_reg_a .. rg_reg_d, a head teacher of A, bureau accounts of
 *   410102, 410100, 410000 and 410104.
 *
 * Every ID number, phone number and name is new: a number drawn from a
 * sequence in the test database (rg_seq) goes into each. Every plaintext ID
 * and phone number a test sends is also appended to a file (pii_path), which
 * the plaintext scan of each suite reads at its end.
 */
#ifndef TESTS_HTTP_REGISTRATION_WORLD_H
#define TESTS_HTTP_REGISTRATION_WORLD_H

#include "base/buf.h"
#include "core/import.h"
#include "core/pwhash.h"
#include "core/record.h"
#include "formats/csv.h"
#include "formats/xlsx.h"
#include "formats/zip.h"
#include "tests/lib/fakeverifier.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Each suite uses some of these helpers, not all. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

#define PW "Rg-Register-2026!"

#define SCHOOL_A "2141019101"
#define SCHOOL_B "2141019102"
#define SCHOOL_C "2142019101"
#define SCHOOL_D "2141019103"
#define NAME_A "注册测试中原第一小学"
#define NAME_B "注册测试中原第二小学"
#define NAME_C "注册测试江岸小学"
#define NAME_D "注册测试管城小学"

/* the actors */
enum { REG_A, REG_B, REG_C, REG_D, HEAD_A, COUNTY, CITY, PROVINCE, COUNTY_D, NACTORS };

static const struct {
    const char *user, *role, *org, *staff;
} cast[NACTORS] = {
    [REG_A] = {"rg_reg_a", "school", SCHOOL_A, "registrar"},
    [REG_B] = {"rg_reg_b", "school", SCHOOL_B, "registrar"},
    [REG_C] = {"rg_reg_c", "school", SCHOOL_C, "registrar"},
    [REG_D] = {"rg_reg_d", "school", SCHOOL_D, "registrar"},
    [HEAD_A] = {"rg_head_a", "school", SCHOOL_A, "head_teacher"},
    [COUNTY] = {"rg_county", "county", "410102", NULL},
    [CITY] = {"rg_city", "city", "410100", NULL},
    [PROVINCE] = {"rg_province", "province", "410000", NULL},
    [COUNTY_D] = {"rg_county_d", "county", "410104", NULL},
};

/* The shared server: debug logging, so the plaintext scan sees the most. */
static const char *const shared_env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", "XUEJI_LOG_LEVEL=debug",
                                         NULL};

static ht_server *srv;             /* the server the current test talks to */
static char tokens[NACTORS][1024]; /* logged in by the runner, inherited by each test */
static char pii_path[256];         /* plaintext values sent, one a line */
static PGconn *db;                 /* per forked test, opened lazily */

static PGconn *
tdb(void)
{
    if (db == NULL)
        db = ht_db_connect();
    return db;
}

/* One value of a one-row query (copied into a static buffer). */
static const char *
scalar(const char *sql)
{
    static char buf[512];
    PGresult *r = PQexec(tdb(), sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql,
                  PQresultErrorMessage(r));
    snprintf(buf, sizeof(buf), "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return buf;
}

static long long
count_of(const char *sql)
{
    return atoll(scalar(sql));
}

static long long
student_rows(void)
{
    return count_of("SELECT count(*) FROM student");
}

static void
add_user(const char *hash, int who, const char *classes)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO app_user (username, display_name, role, org, staff_role, classes,"
             " password_hash, must_change_password) VALUES ('%s', '%s', '%s', '%s', %s%s%s,"
             " '%s', '%s', false) ON CONFLICT (username) DO NOTHING",
             cast[who].user, cast[who].user, cast[who].role, cast[who].org,
             cast[who].staff ? "'" : "", cast[who].staff ? cast[who].staff : "NULL",
             cast[who].staff ? "'" : "", classes, hash);
    ht_db_exec(tdb(), sql);
}

static void
seed_world(void)
{
    ht_db_exec(tdb(), "CREATE SEQUENCE IF NOT EXISTS rg_seq");
    ht_db_exec(tdb(),
               "INSERT INTO school (code, name, county, authority, province, category) VALUES"
               " ('" SCHOOL_A "', '" NAME_A "', '410102', '410102', '410000', 21),"
               " ('" SCHOOL_B "', '" NAME_B "', '410102', '410102', '410000', 21),"
               " ('" SCHOOL_C "', '" NAME_C "', '420102', '420102', '420000', 21),"
               " ('" SCHOOL_D "', '" NAME_D "', '410104', '410104', '410000', 21)"
               " ON CONFLICT DO NOTHING");
    ht_db_exec(tdb(), "INSERT INTO class (school, grade, number, name, size_limit) VALUES"
                      " ('" SCHOOL_A "', 11, 1, '一年级1班', NULL),"
                      " ('" SCHOOL_A "', 13, 1, '三年级1班', NULL),"
                      " ('" SCHOOL_A "', 13, 9, '三年级9班', 1),"
                      " ('" SCHOOL_B "', 13, 1, '三年级1班', NULL),"
                      " ('" SCHOOL_C "', 13, 1, '三年级1班', NULL),"
                      " ('" SCHOOL_D "', 13, 1, '三年级1班', NULL)"
                      " ON CONFLICT (school, grade, number) DO NOTHING");
    char classes[64];
    snprintf(classes, sizeof(classes), "{%s}",
             scalar("SELECT id FROM class WHERE school = '" SCHOOL_A "' AND grade = 13"
                    " AND number = 1"));
    char hash[CORE_PWHASH_LEN];
    ck_assert_int_eq(core_pwhash(PW, hash), 0);
    for (int i = 0; i < NACTORS; i++)
        add_user(hash, i, i == HEAD_A ? classes : "{}");
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

/*
 * Unchecked setup of every tcase (runner process): the shared server, the
 * world once, fresh tokens (they live 15 minutes; the debug build's run may
 * take a while).
 */
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
    if (db != NULL) {
        PQfinish(db); /* the runner keeps no connection for the forks to share */
        db = NULL;
    }
}

/* Checked setup and teardown (inside each forked test). */
static void
use_shared(void)
{
    srv = ht_shared();
    ck_assert_msg(srv != NULL, "no shared server");
}

static void
close_db(void)
{
    if (db != NULL)
        PQfinish(db);
    db = NULL;
}

/* GB 11643 check digit of the first 17 characters. */
static char
check_digit(const char *s17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (s17[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

/* A fresh number for this run. */
static long long
next_n(void)
{
    return count_of("SELECT nextval('rg_seq')");
}

/* A valid resident ID: region, birth date YYYYMMDD, gender 1/2, made unique by n. */
static void
make_id(const char *region, int ymd, int gender, long long n, char out[32])
{
    int seq = (int)(n % 500) * 2 + (gender == 1 ? 1 : 0); /* digit 17: odd for a male */
    snprintf(out, 32, "%.6s%08d%03d", region, ymd % 100000000, seq % 1000);
    out[17] = check_digit(out);
    out[18] = '\0';
}

/* Remember a plaintext value for the scan. */
static void
note_pii(const char *v)
{
    FILE *f = fopen(pii_path, "a");
    ck_assert_msg(f != NULL, "cannot append to %s", pii_path);
    fprintf(f, "%s\n", v);
    fclose(f);
}

typedef struct stu {
    long long n;
    char name[64], gname[64];
    char id[32], gid[32]; /* the student's and the guardian's ID numbers */
    char phone[24], gphone[24];
    char birth[16]; /* YYYY-MM-DD */
    int gender;
} stu;

/* A student born `ymd` (0: 2016-03-01) of `gender` (0: male), all numbers new. */
static void
stu_make(stu *s, int ymd, int gender)
{
    memset(s, 0, sizeof(*s));
    s->n = next_n();
    s->gender = gender ? gender : 1;
    if (ymd == 0)
        ymd = 20160301;
    snprintf(s->birth, sizeof(s->birth), "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
    snprintf(s->name, sizeof(s->name), "注册学生%lld", s->n);
    snprintf(s->gname, sizeof(s->gname), "注册家长%lld", s->n);
    make_id("410102", ymd, s->gender, s->n, s->id);
    make_id("410105", 19860512, 1, s->n, s->gid);
    long long p = (s->n * 7919 + 1234567) % 100000000;
    snprintf(s->phone, sizeof(s->phone), "139%08lld", p);
    snprintf(s->gphone, sizeof(s->gphone), "137%08lld", p);
    note_pii(s->id);
    note_pii(s->gid);
    note_pii(s->phone);
    note_pii(s->gphone);
}

static void
stu_new(stu *s)
{
    stu_make(s, 0, 0);
}

/* The whole record of `s` in grade `grade`, class `class_no` (the caller owns it). */
static json_t *
stu_json(const stu *s, const char *grade, int class_no)
{
    char g[2] = {(char)('0' + s->gender), 0};
    json_t *fam =
        json_pack("[{s:s,s:s,s:s,s:s,s:s,s:s},{s:s,s:s,s:s}]", "name", s->gname, "relation", "1",
                  "phone", s->gphone, "guardian", "1", "id_type", "1", "id_number", s->gid, "name",
                  "注册家长二", "relation", "2", "phone", "13700000001");
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:f,s:s,s:s,s:s,s:o}", "name",
        s->name, "gender", g, "birth_date", s->birth, "ethnicity", "01", "nationality", "CHN",
        "id_type", "1", "id_number", s->id, "hukou_region", "410102000000", "hukou_type", "1",
        "grade", grade, "class", class_no, "enrolled_month", "202209", "entry_mode", "1",
        "study_mode", "1", "source", "1", "distance_km", 1.5, "transport", "1", "school_bus", "0",
        "phone", s->phone, "family", fam);
    ck_assert_ptr_nonnull(o);
    return o;
}

/* The same as JSON text (caller frees). */
static char *
stu_text(const stu *s, const char *grade, int class_no)
{
    json_t *o = stu_json(s, grade, class_no);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    ck_assert_ptr_nonnull(text);
    return text;
}

/* Masks as the server makes them (core/mask.c). */
static void
mask_id(const char *id, char *out)
{
    size_t n = strlen(id);
    for (size_t i = 0; i < n; i++)
        out[i] = i < 4 || i >= n - 4 ? id[i] : '*';
    out[n] = '\0';
}

static void
mask_phone(const char *p, char *out)
{
    size_t n = strlen(p);
    for (size_t i = 0; i < n; i++)
        out[i] = i < 3 || i >= n - 4 ? p[i] : '*';
    out[n] = '\0';
}

/* Today in China (UTC+8), YYYYMMDD, as the server reckons it. */
static int
today(void)
{
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

/* One request as `who` (-1: anonymous) with optional JSON body and one extra header. */
static void
call(const char *method, const char *path, int who, const char *body, const char *extra,
     ht_resp *out)
{
    char auth[1100];
    const char *h[5];
    int n = 0;
    if (who >= 0) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[who]);
        h[n++] = auth;
    }
    if (body != NULL)
        h[n++] = "Content-Type: application/json";
    if (extra != NULL)
        h[n++] = extra;
    h[n] = NULL;
    ck_assert_int_eq(ht_request(srv, method, path, h, body, body ? strlen(body) : 0, out), 0);
}

/* POST /api/v1/students as `who`; takes `body`. */
static void
post_student(int who, json_t *body, const char *extra, ht_resp *out)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    ck_assert_ptr_nonnull(text);
    call("POST", "/api/v1/students", who, text, extra, out);
    free(text);
}

/* Register `s` (grade 13, class 1 of the caller's school) and expect 201. */
static void
register_ok(int who, const stu *s, ht_resp *out)
{
    post_student(who, stu_json(s, "13", 1), NULL, out);
    ck_assert_msg(out->status == 201, "register %s: %ld %s", s->name, out->status, out->body);
}

static long long
student_id_of(const ht_resp *r)
{
    return json_integer_value(json_object_get(json_object_get(r->json, "student"), "id"));
}

static long long
request_id_of(const ht_resp *r)
{
    return json_integer_value(json_object_get(json_object_get(r->json, "request"), "id"));
}

/* GET /api/v1/students/{key}[?reveal=id_number] as `who`, expecting 200. */
static void
get_student(int who, const char *key, int reveal, ht_resp *out)
{
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/students/%s%s", key, reveal ? "?reveal=id_number" : "");
    call("GET", path, who, NULL, NULL, out);
    ck_assert_msg(out->status == 200, "GET %s: %ld %s", path, out->status, out->body);
}

static void
get_student_id(int who, long long id, int reveal, ht_resp *out)
{
    char key[24];
    snprintf(key, sizeof(key), "%lld", id);
    get_student(who, key, reveal, out);
}

/* POST /api/v1/requests/{id}/actions {"action":action,"step":step} as `who`. */
static void
act(int who, long long request, const char *action, int step, ht_resp *out)
{
    char path[96], body[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", request);
    snprintf(body, sizeof(body), "{\"action\":\"%s\",\"step\":%d}", action, step);
    call("POST", path, who, body, NULL, out);
}

static void
approve_ok(int who, long long request, int step, const char *want_state)
{
    ht_resp r;
    act(who, request, "approve", step, &r);
    ck_assert_msg(r.status == 200, "approve step %d: %ld %s", step, r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), want_state);
    ht_resp_free(&r);
}

/* Does the problem list an item at `field` (with `code`, unless NULL)? */
static const json_t *
error_at(const ht_resp *r, const char *field, const char *code)
{
    json_t *errs = json_object_get(r->json, "errors");
    size_t i;
    json_t *e;
    json_array_foreach(errs, i, e)
    {
        const char *f = ht_json_str(e, "field");
        const char *c = ht_json_str(e, "code");
        if (f && strcmp(f, field) == 0 && (code == NULL || (c && strcmp(c, code) == 0)))
            return e;
    }
    return NULL;
}

#define assert_error(r, field, code)                                                               \
    ck_assert_msg(error_at((r), (field), (code)) != NULL, "no error %s %s in %s", (field),         \
                  (code) ? (code) : "*", (r)->body)

#include "tests/http/registration_scan.h"

/* ------------------------------------------------------------ the suite */

static TCase *
shared_tcase(const char *name, int timeout)
{
    TCase *tc = tcase_create(name);
    tcase_add_unchecked_fixture(tc, shared_world, NULL);
    tcase_add_checked_fixture(tc, use_shared, close_db);
    tcase_set_timeout(tc, ht_timeout(timeout));
    return tc;
}

static int
world_main(Suite *suite)
{
    ht_global_init();
    const char *tmp = getenv("TMPDIR");
    snprintf(pii_path, sizeof(pii_path), "%s/xueji-rg-pii-%d.txt", tmp && *tmp ? tmp : "/tmp",
             (int)getpid());
    FILE *f = fopen(pii_path, "w");
    if (f == NULL) {
        perror(pii_path);
        return 1;
    }
    fclose(f);
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    unlink(pii_path);
    close_db();
    ht_global_cleanup();
    return failed != 0;
}

#pragma GCC diagnostic pop

#endif
