/*
 * tests/http/registration_test.c - registration of students (POST
 * /api/v1/students) end to end: validation, student numbers, the approval
 * chain, duplicates (also under a race), suspected duplicates, the identity
 * verifier, reporting windows, entry age, class limits, who may register,
 * idempotency, and that no plaintext ID or phone number reaches the database
 * or the log. DOMAIN.md §2-§7, API.md "Students".
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
 * the plaintext scan reads at the end.
 */
#include "base/buf.h"
#include "formats/csv.h"
#include "core/import.h"
#include "core/pwhash.h"
#include "core/record.h"
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

/* ------------------------------------------------------------ database */

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

/* ------------------------------------------------------------ the world */

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

/* ------------------------------------------------------------ test data */

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
        json_pack("[{s:s,s:s,s:s,s:s,s:s,s:s}]", "name", s->gname, "relation", "1", "phone",
                  s->gphone, "guardian", "1", "id_type", "1", "id_number", s->gid);
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

/* ------------------------------------------------------------ HTTP */

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

/* ------------------------------------------------------------ 1: the resident ID path */

/* Rules 8, 9, 27; DOMAIN §5 registration: a resident ID goes to the county, then G. */
START_TEST(test_register_resident_id_and_approve)
{
    stu s;
    stu_new(&s);
    ht_resp r;
    register_ok(REG_A, &s, &r);
    json_t *st = json_object_get(r.json, "student"), *rq = json_object_get(r.json, "request");
    long long id = student_id_of(&r), rid = request_id_of(&r);

    ck_assert_str_eq(ht_json_str(st, "state"), "pending");
    ck_assert_str_eq(ht_json_str(st, "school"), SCHOOL_A);
    /* rule 8: L + the school's county + birth date + 4 digits */
    const char *num = ht_json_str(st, "student_number");
    ck_assert_msg(num && strlen(num) == 19 && strncmp(num, "L41010220160301", 15) == 0,
                  "L number %s", num ? num : "(null)");
    for (int i = 15; i < 19; i++)
        ck_assert_msg(num[i] >= '0' && num[i] <= '9', "L number %s", num);
    char lnum[40];
    snprintf(lnum, sizeof(lnum), "%s", num);
    /* rule 27: ID and phone numbers masked, the guardian's too */
    char m[32];
    mask_id(s.id, m);
    ck_assert_str_eq(ht_json_str(st, "id_number"), m);
    ck_assert_int_eq(strlen(m), 18);
    ck_assert_int_eq(strncmp(m, "4101**********", 14), 0);
    mask_phone(s.phone, m);
    ck_assert_str_eq(ht_json_str(st, "phone"), m);
    json_t *f0 = json_array_get(json_object_get(st, "family"), 0);
    mask_id(s.gid, m);
    ck_assert_str_eq(ht_json_str(f0, "id_number"), m);
    mask_phone(s.gphone, m);
    ck_assert_str_eq(ht_json_str(f0, "phone"), m);
    ck_assert(json_is_false(json_object_get(st, "revealed")));
    /* the request: one step, the school's authority */
    ck_assert_str_eq(ht_json_str(rq, "type"), "registration");
    ck_assert_str_eq(ht_json_str(rq, "state"), "open");
    ck_assert_int_eq(json_integer_value(json_object_get(rq, "current_step")), 1);
    json_t *steps = json_object_get(rq, "steps");
    ck_assert_int_eq(json_array_size(steps), 1);
    ck_assert_str_eq(ht_json_str(json_array_get(steps, 0), "org"), "410102");
    ck_assert_str_eq(ht_json_str(json_array_get(steps, 0), "state"), "waiting");
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/students/%lld", id);
    ck_assert_str_eq(ht_header(&r, "location"), loc);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    ht_resp_free(&r);

    /* rule 8: the L number addresses the record */
    get_student(REG_A, lnum, 0, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), id);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), lnum);
    ht_resp_free(&r);

    approve_ok(COUNTY, rid, 1, "approved");

    /* rule 9: a resident ID gets G + the ID number, masked in reads */
    get_student_id(REG_A, id, 0, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "enrolled");
    char g[40];
    g[0] = 'G';
    mask_id(s.id, g + 1);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), g);
    ht_resp_free(&r);

    /* the full G number addresses the same record */
    char key[40];
    snprintf(key, sizeof(key), "G%s", s.id);
    get_student(REG_A, key, 0, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), id);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), g);
    ht_resp_free(&r);
    get_student(COUNTY, key, 0, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), id);
    ht_resp_free(&r);

    /* revealed: the whole numbers, and an audited read (rule 27) */
    char sql[160];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE action = 'student.reveal' AND target_id = '%lld'",
             id);
    long long reveals = count_of(sql);
    get_student_id(REG_A, id, 1, &r);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), s.id);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), key);
    ck_assert(json_is_true(json_object_get(r.json, "revealed")));
    ht_resp_free(&r);
    ck_assert_int_eq(count_of(sql), reveals + 1);

    /* the L number is gone */
    call("GET", "/api/v1/students/L00000000000000000", REG_A, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    char lpath[64];
    snprintf(lpath, sizeof(lpath), "/api/v1/students/%s", lnum);
    call("GET", lpath, REG_A, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ 2: no document */

/* DOMAIN §5: without a document every level up to the province approves; rule 9: J number. */
START_TEST(test_register_without_document)
{
    stu s;
    stu_new(&s);
    json_t *b = stu_json(&s, "13", 1);
    json_object_del(b, "id_type");
    json_object_del(b, "id_number");
    ht_resp r;
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long id = student_id_of(&r), rid = request_id_of(&r);
    json_t *rq = json_object_get(r.json, "request");
    json_t *steps = json_object_get(rq, "steps");
    ck_assert_int_eq(json_array_size(steps), 3);
    static const char *const orgs[] = {"410102", "410100", "410000"};
    static const char *const levels[] = {"county", "city", "province"};
    for (int i = 0; i < 3; i++) {
        json_t *st = json_array_get(steps, (size_t)i);
        ck_assert_int_eq(json_integer_value(json_object_get(st, "number")), i + 1);
        ck_assert_str_eq(ht_json_str(st, "org"), orgs[i]);
        ck_assert_str_eq(ht_json_str(st, "level"), levels[i]);
        ck_assert_str_eq(ht_json_str(st, "state"), i == 0 ? "waiting" : "pending");
    }
    ck_assert_int_eq(json_integer_value(json_object_get(rq, "current_step")), 1);
    ck_assert(json_is_null(json_object_get(json_object_get(r.json, "student"), "id_number")));
    ht_resp_free(&r);

    /* step 2 while step 1 is current: no longer (or not yet) the step */
    act(CITY, rid, "approve", 2, &r);
    ht_assert_problem(&r, 409, "step_already_decided");
    ht_resp_free(&r);
    /* the current step, but another org's */
    act(CITY, rid, "approve", 1, &r);
    ht_assert_problem(&r, 403, "not_step_holder");
    ht_resp_free(&r);
    act(PROVINCE, rid, "approve", 1, &r);
    ht_assert_problem(&r, 403, "not_step_holder");
    ht_resp_free(&r);

    approve_ok(COUNTY, rid, 1, "open");
    /* step 1 again: decided */
    act(COUNTY, rid, "approve", 1, &r);
    ht_assert_problem(&r, 409, "step_already_decided");
    ht_resp_free(&r);
    get_student_id(REG_A, id, 0, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "pending");
    ht_resp_free(&r);
    approve_ok(CITY, rid, 2, "open");
    approve_ok(PROVINCE, rid, 3, "approved");

    /* rule 9: J + county + birth date + 3 digits + check digit */
    get_student_id(REG_A, id, 0, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "enrolled");
    const char *num = ht_json_str(r.json, "student_number");
    ck_assert_msg(num && strlen(num) == 19 && strncmp(num, "J41010220160301", 15) == 0,
                  "J number %s", num ? num : "(null)");
    for (int i = 15; i < 18; i++)
        ck_assert_msg(num[i] >= '0' && num[i] <= '9', "J number %s", num);
    ck_assert_msg(num[18] == check_digit(num + 1), "J number %s: check digit", num);
    /* a J number holds no ID number: shown whole, and addresses the record */
    char key[40];
    snprintf(key, sizeof(key), "%s", num);
    ht_resp_free(&r);
    get_student(COUNTY, key, 0, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), id);
    ht_resp_free(&r);
}
END_TEST

/* DOMAIN §4: a student without a document needs a guardian who holds one. */
START_TEST(test_no_document_needs_guardian_document)
{
    stu s;
    stu_new(&s);
    long long before = student_rows();
    json_t *b = stu_json(&s, "13", 1);
    json_object_del(b, "id_type");
    json_object_del(b, "id_number");
    json_t *f0 = json_array_get(json_object_get(b, "family"), 0);
    json_object_del(f0, "id_type");
    json_object_del(f0, "id_number");
    ht_resp r;
    post_student(REG_A, b, NULL, &r);
    ht_assert_problem(&r, 422, "guardian_document_required");
    assert_error(&r, "/family/0/guardian", "guardian_document_required");
    ht_resp_free(&r);

    /* a guardian flag on a member without a document is not enough either */
    b = stu_json(&s, "13", 1);
    json_object_del(b, "id_type");
    json_object_del(b, "id_number");
    f0 = json_array_get(json_object_get(b, "family"), 0);
    json_object_set_new(f0, "guardian", json_string("0"));
    post_student(REG_A, b, NULL, &r);
    ht_assert_problem(&r, 422, "guardian_document_required");
    ht_resp_free(&r);
    ck_assert_int_eq(student_rows(), before);
}
END_TEST

/* ------------------------------------------------------------ 3: other documents */

/* Rule 9 (our choice): holders of other documents keep their L number. */
START_TEST(test_other_document_keeps_l_number)
{
    stu s;
    stu_new(&s);
    char passport[16];
    snprintf(passport, sizeof(passport), "H%08lld", s.n);
    note_pii(passport);
    json_t *b = stu_json(&s, "13", 1);
    json_object_set_new(b, "id_type", json_string("6"));
    json_object_set_new(b, "id_number", json_string(passport));
    ht_resp r;
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long id = student_id_of(&r), rid = request_id_of(&r);
    json_t *st = json_object_get(r.json, "student");
    char lnum[40];
    snprintf(lnum, sizeof(lnum), "%s", ht_json_str(st, "student_number"));
    ck_assert_int_eq(strncmp(lnum, "L41010220160301", 15), 0);
    char m[32];
    mask_id(passport, m);
    ck_assert_str_eq(ht_json_str(st, "id_number"), m);
    ck_assert_int_eq(json_array_size(json_object_get(json_object_get(r.json, "request"), "steps")),
                     1);
    /* no resident ID: the verifier is not asked */
    ck_assert(json_is_null(json_object_get(st, "verification")));
    ht_resp_free(&r);

    approve_ok(COUNTY, rid, 1, "approved");
    get_student_id(REG_A, id, 0, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "enrolled");
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), lnum);
    ht_resp_free(&r);
    get_student(REG_A, lnum, 1, &r);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), passport);
    ck_assert_str_eq(ht_json_str(r.json, "id_type"), "6");
    ht_resp_free(&r);

    /* the same passport again: one person, one record (rule 11) */
    stu t;
    stu_new(&t);
    b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_type", json_string("6"));
    json_object_set_new(b, "id_number", json_string(passport));
    post_student(REG_B, b, NULL, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ 4: validation */

/* DOMAIN §2, §4 format rules: every bad field in one answer. */
START_TEST(test_validation_lists_every_field)
{
    stu s;
    stu_new(&s);
    long long before = student_rows();
    char bad_id[32];
    snprintf(bad_id, sizeof(bad_id), "%s", s.id);
    bad_id[17] = s.id[17] == '0' ? '1' : '0'; /* a wrong check digit */
    json_t *b = stu_json(&s, "13", 1);
    json_object_set_new(b, "phone", json_string("138-1234"));
    json_object_set_new(b, "distance_km", json_real(2.55));
    json_object_set_new(b, "id_number", json_string(bad_id));
    json_object_set_new(b, "foo", json_string("bar"));
    json_object_set_new(b, "ethnicity", json_string("99"));
    json_object_set_new(b, "birthplace", json_string("999999000000"));
    json_object_del(json_array_get(json_object_get(b, "family"), 0), "relation");
    char *text = json_dumps(b, JSON_COMPACT);
    json_decref(b);

    ht_resp r;
    call("POST", "/api/v1/students", REG_A, text, NULL, &r);
    ht_assert_problem(&r, 422, "validation_failed");
    assert_error(&r, "/phone", "invalid_phone");
    assert_error(&r, "/distance_km", "invalid_distance");
    assert_error(&r, "/id_number", "invalid_id_number");
    assert_error(&r, "/foo", "unknown_field");
    assert_error(&r, "/ethnicity", "invalid_code");
    assert_error(&r, "/birthplace", "invalid_region_code");
    assert_error(&r, "/family/0/relation", "missing_field");
    /* Chinese by default: the title, and each message names the field */
    ck_assert_str_eq(ht_json_str(r.json, "title"), "数据校验未通过");
    const json_t *e = error_at(&r, "/phone", NULL);
    ck_assert_msg(strstr(ht_json_str(e, "message"), "联系电话") != NULL, "%s", r.body);
    e = error_at(&r, "/id_number", NULL);
    ck_assert_msg(strstr(ht_json_str(e, "message"), "校验位") != NULL, "%s", r.body);
    ht_resp_free(&r);

    /* English on request */
    call("POST", "/api/v1/students", REG_A, text, "Accept-Language: en", &r);
    ht_assert_problem(&r, 422, "validation_failed");
    ck_assert_str_eq(ht_json_str(r.json, "title"), "Validation failed");
    e = error_at(&r, "/phone", "invalid_phone");
    ck_assert_ptr_nonnull(e);
    ck_assert_msg(strstr(ht_json_str(e, "message"), "phone") != NULL, "%s", r.body);
    e = error_at(&r, "/distance_km", "invalid_distance");
    ck_assert_msg(strstr(ht_json_str(e, "message"), "one decimal") != NULL, "%s", r.body);
    ht_resp_free(&r);
    free(text);

    /* the guardian's document is checked too */
    b = stu_json(&s, "13", 1);
    json_t *f0 = json_array_get(json_object_get(b, "family"), 0);
    json_object_set_new(f0, "id_number", json_string(bad_id));
    json_object_set_new(f0, "phone", json_string("无"));
    post_student(REG_A, b, NULL, &r);
    ht_assert_problem(&r, 422, "validation_failed");
    assert_error(&r, "/family/0/id_number", "invalid_id_number");
    assert_error(&r, "/family/0/phone", "invalid_phone");
    ht_resp_free(&r);
    ck_assert_int_eq(student_rows(), before);
}
END_TEST

/* Rule 6: gender and birth date follow a resident ID; a contradiction names the fields. */
START_TEST(test_validation_contradicts_id)
{
    stu s;
    stu_new(&s); /* a male born 2016-03-01 */
    long long before = student_rows();
    ht_resp r;

    /* the gender against digit 17 */
    json_t *b = stu_json(&s, "13", 1);
    json_object_set_new(b, "gender", json_string("2"));
    post_student(REG_A, b, NULL, &r);
    ck_assert_int_eq(r.status, 422);
    assert_error(&r, "/gender", "contradicts_id_number");
    assert_error(&r, "/id_number", "contradicts_id_number");
    ht_resp_free(&r);

    /* the birth date against digits 7-14 */
    b = stu_json(&s, "13", 1);
    json_object_set_new(b, "birth_date", json_string("2016-03-02"));
    post_student(REG_A, b, NULL, &r);
    ck_assert_int_eq(r.status, 422);
    assert_error(&r, "/birth_date", "contradicts_id_number");
    assert_error(&r, "/id_number", "contradicts_id_number");
    ht_resp_free(&r);

    /* both: both named, with the others of the body */
    b = stu_json(&s, "13", 1);
    json_object_set_new(b, "gender", json_string("2"));
    json_object_set_new(b, "birth_date", json_string("2015-12-31"));
    json_object_set_new(b, "phone", json_string("138-1234"));
    post_student(REG_A, b, "Accept-Language: en", &r);
    ht_assert_problem(&r, 422, "validation_failed");
    assert_error(&r, "/gender", "contradicts_id_number");
    assert_error(&r, "/birth_date", "contradicts_id_number");
    assert_error(&r, "/phone", "invalid_phone");
    const json_t *e = error_at(&r, "/id_number", "contradicts_id_number");
    ck_assert_ptr_nonnull(e);
    ht_resp_free(&r);

    /* without gender and birth date they come from the ID */
    b = stu_json(&s, "13", 1);
    json_object_del(b, "gender");
    json_object_del(b, "birth_date");
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    json_t *st = json_object_get(r.json, "student");
    ck_assert_str_eq(ht_json_str(st, "gender"), "1");
    ck_assert_str_eq(ht_json_str(st, "birth_date"), "2016-03-01");
    ht_resp_free(&r);
    ck_assert_int_eq(student_rows(), before + 1);
}
END_TEST

/* Malformed JSON is the transport's problem, before any field. */
START_TEST(test_malformed_json)
{
    ht_resp r;
    call("POST", "/api/v1/students", REG_A, "{\"name\":\"x\",", NULL, &r);
    ht_assert_problem(&r, 400, "malformed_json");
    ht_resp_free(&r);
    call("POST", "/api/v1/students", REG_A, "[1,2]", NULL, &r);
    ht_assert_problem(&r, 422, "wrong_type");
    ht_resp_free(&r);
}
END_TEST

/* Rule 5: a 15-digit ID is converted to 18 and stored so. */
START_TEST(test_legacy_15_digit_id)
{
    stu s;
    stu_make(&s, 19990307, 1);
    /* 6 address + YYMMDD + 3 sequence (odd: male) */
    char id15[32], id18[32];
    int seq = (int)(s.n % 500) * 2 + 1;
    snprintf(id15, sizeof(id15), "410102990307%03d", seq);
    snprintf(id18, sizeof(id18), "41010219990307%03d", seq);
    id18[17] = check_digit(id18);
    id18[18] = '\0';
    note_pii(id15);
    note_pii(id18);
    json_t *b = stu_json(&s, "13", 1);
    json_object_set_new(b, "id_number", json_string(id15));
    ht_resp r;
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long id = student_id_of(&r);
    char m[32];
    mask_id(id18, m);
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "student"), "id_number"), m);
    ht_resp_free(&r);

    get_student_id(REG_A, id, 1, &r);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), id18);
    ht_resp_free(&r);

    /* the 18-digit form of the same person is a duplicate */
    stu t;
    stu_new(&t);
    b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(id18));
    json_object_set_new(b, "birth_date", json_string("1999-03-07"));
    post_student(REG_A, b, NULL, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    ht_resp_free(&r);
}
END_TEST

/* Rule 2: a lower-case x is normalised; the G number ends in X and addresses the record. */
START_TEST(test_check_digit_x)
{
    stu s;
    stu_make(&s, 20150615, 1);
    char idx[32] = "";
    for (int seq = 1; seq < 1000 && idx[0] == '\0'; seq += 2) {
        char t[32];
        snprintf(t, sizeof(t), "41010220150615%03d", seq);
        if (check_digit(t) == 'X') {
            t[17] = 'X';
            t[18] = '\0';
            snprintf(idx, sizeof(idx), "%s", t);
        }
    }
    ck_assert_msg(idx[0] != '\0', "no ID with check digit X");
    note_pii(idx);
    char lower[32];
    snprintf(lower, sizeof(lower), "%s", idx);
    lower[17] = 'x';
    json_t *b = stu_json(&s, "13", 1);
    json_object_set_new(b, "id_number", json_string(lower));
    ht_resp r;
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long id = student_id_of(&r), rid = request_id_of(&r);
    char m[32];
    mask_id(idx, m);
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "student"), "id_number"), m);
    ht_resp_free(&r);
    approve_ok(COUNTY, rid, 1, "approved");
    char key[40];
    snprintf(key, sizeof(key), "G%s", idx);
    get_student(REG_A, key, 1, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), id);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), idx);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), key);
    ht_resp_free(&r);
    key[18] = 'x';
    get_student(REG_A, key, 0, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), id);
    ht_resp_free(&r);
    /* the upper-case form is the same person */
    stu t;
    stu_new(&t);
    b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(idx));
    json_object_set_new(b, "birth_date", json_string("2015-06-15"));
    post_student(REG_B, b, NULL, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ 5: duplicates */

/*
 * Rule 22: an ID that holds an active record refuses a new one, naming the
 * holding school to a caller whose jurisdiction covers it and only its county
 * to anyone else (rule 26: a school's jurisdiction is itself, so a
 * neighbouring school of the same county gets the masked form too).
 */
START_TEST(test_duplicate_enrolled)
{
    stu s;
    stu_new(&s);
    ht_resp r;
    register_ok(REG_A, &s, &r);
    ht_resp_free(&r);
    long long before = student_rows();
    long long reqs = count_of("SELECT count(*) FROM request");

    /* again at the same school: its own, named */
    stu t;
    stu_new(&t);
    json_t *b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(s.id));
    post_student(REG_A, b, NULL, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    const char *detail = ht_json_str(r.json, "detail");
    ck_assert_msg(strstr(detail, NAME_A) && strstr(detail, SCHOOL_A), "detail: %s", detail);
    assert_error(&r, "/id_number", "duplicate_enrolled");
    ht_resp_free(&r);

    /* another school of the same county */
    b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(s.id));
    post_student(REG_B, b, NULL, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    detail = ht_json_str(r.json, "detail");
    ck_assert_msg(strstr(detail, "中原区的一所学校") != NULL, "detail: %s", detail);
    ck_assert_msg(strstr(detail, NAME_A) == NULL && strstr(detail, SCHOOL_A) == NULL,
                  "detail names the school outside the jurisdiction: %s", detail);
    ht_resp_free(&r);

    /* a school of another province: only the county, in either language */
    b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(s.id));
    post_student(REG_C, b, NULL, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    detail = ht_json_str(r.json, "detail");
    ck_assert_msg(strstr(detail, "中原区的一所学校") != NULL, "detail: %s", detail);
    ck_assert_msg(strstr(detail, NAME_A) == NULL && strstr(detail, SCHOOL_A) == NULL,
                  "detail names the school outside the jurisdiction: %s", detail);
    ck_assert_msg(strstr(r.body, NAME_A) == NULL && strstr(r.body, SCHOOL_A) == NULL,
                  "body names the school: %s", r.body);
    ht_resp_free(&r);
    b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(s.id));
    post_student(REG_C, b, "Accept-Language: en", &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    ck_assert_msg(strstr(ht_json_str(r.json, "detail"), "held at a school in 中原区") != NULL,
                  "detail: %s", ht_json_str(r.json, "detail"));
    ck_assert_msg(strstr(r.body, NAME_A) == NULL && strstr(r.body, SCHOOL_A) == NULL,
                  "body names the school: %s", r.body);
    ht_resp_free(&r);

    /* nothing written by the refusals */
    ck_assert_int_eq(student_rows(), before);
    ck_assert_int_eq(count_of("SELECT count(*) FROM request"), reqs);

    /* the county over both schools reads the holder through the look-up */
    char body[128];
    snprintf(body, sizeof(body), "{\"id_type\":\"1\",\"id_number\":\"%s\"}", s.id);
    call("POST", "/api/v1/students/lookup", COUNTY, body, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_true(json_object_get(r.json, "found")));
    ck_assert_str_eq(ht_json_str(r.json, "school"), SCHOOL_A);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ 6: the race */

typedef struct racer {
    pthread_barrier_t *go;
    const char *body;
    int who;
    long status;
    char code[64];
} racer;

static void *
race_one(void *arg)
{
    racer *x = arg;
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[x->who]);
    const char *h[] = {auth, NULL};
    ht_resp r;
    pthread_barrier_wait(x->go);
    x->status = -1;
    x->code[0] = '\0';
    if (ht_post_json(srv, "/api/v1/students", x->body, h, &r) != 0)
        return NULL;
    x->status = r.status;
    const char *c = r.json ? ht_json_str(r.json, "code") : NULL;
    snprintf(x->code, sizeof(x->code), "%s", c ? c : "");
    ht_resp_free(&r);
    return NULL;
}

#define RACE_ROUNDS 100

/* Rule 22 in real time: two schools register one ID at once; exactly one wins. */
START_TEST(test_duplicate_race)
{
    long long before = student_rows();
    for (int round = 0; round < RACE_ROUNDS; round++) {
        stu s;
        stu_new(&s);
        char *ba = stu_text(&s, "13", 1);
        char name_a[64];
        snprintf(name_a, sizeof(name_a), "%s", s.name);
        snprintf(s.name, sizeof(s.name), "注册学生%lld乙", s.n);
        char *bb = stu_text(&s, "13", 1);
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 2);
        racer x[2] = {{&go, ba, REG_A, 0, ""}, {&go, bb, REG_B, 0, ""}};
        pthread_t t[2];
        for (int i = 0; i < 2; i++)
            ck_assert_int_eq(pthread_create(&t[i], NULL, race_one, &x[i]), 0);
        for (int i = 0; i < 2; i++)
            pthread_join(t[i], NULL);
        pthread_barrier_destroy(&go);
        free(ba);
        free(bb);
        int won = (x[0].status == 201) + (x[1].status == 201);
        int lost = 0;
        for (int i = 0; i < 2; i++)
            lost += x[i].status == 409 && strcmp(x[i].code, "duplicate_enrolled") == 0;
        ck_assert_msg(won == 1 && lost == 1, "round %d: %ld %s / %ld %s", round, x[0].status,
                      x[0].code, x[1].status, x[1].code);
        char sql[256];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM student WHERE name IN ('%s', '%s')",
                 name_a, s.name);
        ck_assert_msg(count_of(sql) == 1, "round %d: not one row", round);
    }
    ck_assert_int_eq(student_rows(), before + RACE_ROUNDS);
    /* one active record per identity, over the whole table */
    ck_assert_int_eq(count_of("SELECT count(*) FROM (SELECT id_bidx FROM student"
                              " WHERE id_bidx IS NOT NULL"
                              " AND state IN ('pending', 'enrolled', 'suspended')"
                              " GROUP BY id_type, id_bidx HAVING count(*) > 1) d"),
                     0);
    ck_assert_int_eq(count_of("SELECT count(*) FROM (SELECT id_bidx FROM student"
                              " WHERE id_bidx IS NOT NULL GROUP BY id_bidx"
                              " HAVING count(*) > 1) d"),
                     0);
}
END_TEST

/* ------------------------------------------------------------ 7: suspected duplicate */

/* Rule 24: same name, gender and birth date with another ID: accepted, problem opened. */
START_TEST(test_suspected_duplicate)
{
    stu s, t;
    stu_make(&s, 20160517, 2);
    stu_make(&t, 20160517, 2);
    snprintf(t.name, sizeof(t.name), "%s", s.name);
    ck_assert_str_ne(s.id, t.id);
    ht_resp r;
    register_ok(REG_A, &s, &r);
    long long first = student_id_of(&r);
    ht_resp_free(&r);
    register_ok(REG_B, &t, &r);
    long long second = student_id_of(&r);
    ht_resp_free(&r);
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM problem WHERE kind = 'suspected_duplicate' AND state = 'open'"
             " AND student_id = %lld AND other_student_id = %lld AND school = '" SCHOOL_B "'"
             " AND other_school = '" SCHOOL_A "' AND authority = '410102'",
             second, first);
    ck_assert_int_eq(count_of(sql), 1);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM problem WHERE student_id = %lld", first);
    ck_assert_int_eq(count_of(sql), 0);

    /* GET /problems: both schools and their county see it; a school elsewhere does not */
    const int sees[] = {COUNTY, REG_A, REG_B, CITY}, blind[] = {REG_C, COUNTY_D};
    for (int k = 0; k < 6; k++) {
        int who = k < 4 ? sees[k] : blind[k - 4];
        ht_resp p;
        call("GET", "/api/v1/problems?state=open&limit=500", who, NULL, NULL, &p);
        ck_assert_int_eq(p.status, 200);
        int hit = 0;
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(p.json, "items"), i, it) {
            hit |= json_integer_value(json_object_get(it, "student")) == second &&
                   strcmp(json_string_value(json_object_get(it, "kind")), "suspected_duplicate") == 0 &&
                   json_integer_value(json_object_get(it, "other_student")) == first;
        }
        ck_assert_msg(hit == (k < 4), "actor %d sees the problem: %d", who, hit);
        ht_resp_free(&p);
    }

    /* another gender is another person */
    stu u;
    stu_make(&u, 20160517, 1);
    snprintf(u.name, sizeof(u.name), "%s", s.name);
    register_ok(REG_A, &u, &r);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM problem WHERE student_id = %lld",
             student_id_of(&r));
    ht_resp_free(&r);
    ck_assert_int_eq(count_of(sql), 0);
}
END_TEST

/* ------------------------------------------------------------ 8: the identity verifier */

/* A problem row of `kind` for student `id` (open). */
static long long
problems_of(long long id, const char *kind)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM problem WHERE student_id = %lld AND state = 'open'%s%s%s", id,
             kind ? " AND kind = '" : "", kind ? kind : "", kind ? "'" : "");
    return count_of(sql);
}

static void assert_no_plaintext(const char *what, const char *text);

/* Rule 23: the verifier's answer is recorded; a failure opens a problem; slowness does not block.
 */
START_TEST(test_verifier)
{
    fv_server *fv = fv_start();
    ck_assert_ptr_nonnull(fv);
    char url[96];
    snprintf(url, sizeof(url), "XUEJI_VERIFIER_URL=http://127.0.0.1:%d/verify", fv_port(fv));
    const char *env[] = {url, "XUEJI_VERIFIER_TIMEOUT_MS=300", "XUEJI_RATE_LIMIT_ACCOUNT=0",
                         "XUEJI_LOG_LEVEL=debug", NULL};
    srv = ht_server_start(env);
    ck_assert_msg(srv != NULL, "xuejid with a verifier did not start");
    ht_resp r;

    /* name_mismatch: accepted, flagged, a problem record */
    stu a;
    stu_new(&a);
    fv_set(fv, a.id, "name_mismatch");
    register_ok(REG_A, &a, &r);
    long long ida = student_id_of(&r);
    json_t *st = json_object_get(r.json, "student");
    ck_assert_str_eq(ht_json_str(st, "verification"), "name_mismatch");
    ck_assert_str_eq(ht_json_str(st, "state"), "pending");
    ht_resp_free(&r);
    ck_assert_int_eq(problems_of(ida, "identity_failed"), 1);
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT reason FROM problem WHERE student_id = %lld", ida);
    ck_assert_str_eq(scalar(sql), "name_mismatch");
    /* what the verifier was asked */
    char *sent = fv_last_body(fv);
    ck_assert_ptr_nonnull(sent);
    json_t *q = json_loads(sent, 0, NULL);
    free(sent);
    ck_assert_ptr_nonnull(q);
    ck_assert_str_eq(ht_json_str(q, "id_number"), a.id);
    ck_assert_str_eq(ht_json_str(q, "name"), a.name);
    ck_assert_str_eq(ht_json_str(q, "id_type"), "1");
    json_decref(q);

    /* passed: no problem */
    stu b;
    stu_new(&b);
    int asked = fv_requests(fv);
    register_ok(REG_A, &b, &r);
    long long idb = student_id_of(&r);
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "student"), "verification"), "passed");
    ht_resp_free(&r);
    ck_assert_int_eq(fv_requests(fv), asked + 1);
    ck_assert_int_eq(problems_of(idb, NULL), 0);
    get_student_id(REG_A, idb, 0, &r);
    ck_assert_str_eq(ht_json_str(r.json, "verification"), "passed");
    ht_resp_free(&r);

    /* the other failures are problems too */
    static const char *const fails[] = {"id_not_found", "cancelled", "migrating",
                                        "duplicate_population"};
    for (size_t i = 0; i < sizeof(fails) / sizeof(fails[0]); i++) {
        stu c;
        stu_new(&c);
        fv_set(fv, c.id, fails[i]);
        register_ok(REG_A, &c, &r);
        ck_assert_str_eq(ht_json_str(json_object_get(r.json, "student"), "verification"), fails[i]);
        ck_assert_int_eq(problems_of(student_id_of(&r), "identity_failed"), 1);
        ht_resp_free(&r);
    }

    /* a word the client does not know: unavailable, no problem */
    stu c;
    stu_new(&c);
    fv_set(fv, c.id, "maybe");
    register_ok(REG_A, &c, &r);
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "student"), "verification"),
                     "unavailable");
    ck_assert_int_eq(problems_of(student_id_of(&r), NULL), 0);
    ht_resp_free(&r);

    /* slower than XUEJI_VERIFIER_TIMEOUT_MS: registered anyway, quickly */
    stu d;
    stu_new(&d);
    fv_set_delay_ms(fv, 5000);
    long long t0 = ht_now_ms();
    register_ok(REG_A, &d, &r);
    long long took = ht_now_ms() - t0;
    fv_set_delay_ms(fv, 0);
    ck_assert_msg(took < 2000, "registration took %lld ms with a silent verifier", took);
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "student"), "verification"),
                     "unavailable");
    ck_assert_int_eq(problems_of(student_id_of(&r), NULL), 0);
    ht_resp_free(&r);

    /* other documents are not sent */
    stu e;
    stu_new(&e);
    char passport[16];
    snprintf(passport, sizeof(passport), "H%08lld", e.n);
    note_pii(passport);
    json_t *body = stu_json(&e, "13", 1);
    json_object_set_new(body, "id_type", json_string("6"));
    json_object_set_new(body, "id_number", json_string(passport));
    asked = fv_requests(fv);
    post_student(REG_A, body, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert(json_is_null(json_object_get(json_object_get(r.json, "student"), "verification")));
    ht_resp_free(&r);
    ck_assert_int_eq(fv_requests(fv), asked);

    /* nothing of what went to the verifier is in the log */
    char *log = ht_server_log(srv);
    assert_no_plaintext("the verifier server's log", log);
    free(log);
    ck_assert_int_eq(ht_server_stop(srv), 0);
    fv_stop(fv);
}
END_TEST

/* ------------------------------------------------------------ 9: reporting window */

static void
put_settings(int who, const char *region, const char *settings_json)
{
    char path[64], body[512], im[64];
    snprintf(path, sizeof(path), "/api/v1/regions/%s/settings", region);
    ht_resp r;
    call("GET", path, who, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, r.body);
    snprintf(im, sizeof(im), "If-Match: %s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    snprintf(body, sizeof(body), "{\"settings\":%s}", settings_json);
    call("PUT", path, who, body, im, &r);
    ck_assert_msg(r.status == 200, "PUT %s %s: %ld %s", path, body, r.status, r.body);
    ht_resp_free(&r);
}

/* Rule 32: outside the window its county opened, registrations answer 409 window_closed. */
START_TEST(test_window_closed)
{
    ht_resp r;
    call("GET", "/api/v1/regions/410104/settings", COUNTY_D, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    char *saved = json_dumps(json_object_get(r.json, "settings"), JSON_COMPACT);
    ht_resp_free(&r);

    put_settings(COUNTY_D, "410104",
                 "{\"registration_window\":{\"required\":true,\"from\":null,\"until\":null}}");
    long long before = student_rows();
    stu s;
    stu_new(&s);
    post_student(REG_D, stu_json(&s, "13", 1), NULL, &r);
    ht_assert_problem(&r, 409, "window_closed");
    ht_resp_free(&r);
    ck_assert_int_eq(student_rows(), before);

    /* another county's schools are not concerned */
    stu o;
    stu_new(&o);
    register_ok(REG_A, &o, &r);
    ht_resp_free(&r);

    /* a window in the past */
    put_settings(COUNTY_D, "410104",
                 "{\"registration_window\":{\"required\":true,\"from\":\"2000-01-01\","
                 "\"until\":\"2000-12-31\"}}");
    post_student(REG_D, stu_json(&s, "13", 1), NULL, &r);
    ht_assert_problem(&r, 409, "window_closed");
    ht_resp_free(&r);

    /* a window around today */
    put_settings(COUNTY_D, "410104",
                 "{\"registration_window\":{\"required\":true,\"from\":\"2000-01-01\","
                 "\"until\":\"2099-12-31\"}}");
    stu t;
    stu_new(&t);
    register_ok(REG_D, &t, &r);
    ht_resp_free(&r);

    /* restored: open again */
    put_settings(COUNTY_D, "410104", saved);
    free(saved);
    register_ok(REG_D, &s, &r);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ 10: entry age */

/* Rule 21: a grade-1 pupil is at least 6 on 08-31 of this year. */
START_TEST(test_entry_age)
{
    int y = today() / 10000;
    char month[16];
    snprintf(month, sizeof(month), "%06d", today() / 100);
    ht_resp r;

    stu s; /* turns 6 on 09-01: 5 on the cut-off day */
    stu_make(&s, (y - 6) * 10000 + 901, 2);
    json_t *b = stu_json(&s, "11", 1);
    json_object_set_new(b, "enrolled_month", json_string(month));
    post_student(REG_A, b, NULL, &r);
    ht_assert_problem(&r, 422, "below_entry_age");
    assert_error(&r, "/birth_date", "below_entry_age");
    ck_assert_msg(strstr(ht_json_str(r.json, "detail"), "6") != NULL, "%s", r.body);
    ht_resp_free(&r);

    stu t; /* 6 on the cut-off day */
    stu_make(&t, (y - 6) * 10000 + 831, 2);
    b = stu_json(&t, "11", 1);
    json_object_set_new(b, "enrolled_month", json_string(month));
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    /* only grade 1 is checked */
    b = stu_json(&s, "13", 1);
    json_object_set_new(b, "enrolled_month", json_string(month));
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ 11: classes */

/* Rule 21: a class may have a size limit; the class must exist, in a grade the school teaches. */
START_TEST(test_class_limit_and_unknown_class)
{
    ht_resp r;
    stu s, t;
    stu_new(&s);
    stu_new(&t);
    post_student(REG_A, stu_json(&s, "13", 9), NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(r.json, "student"), "class")), 9);
    ht_resp_free(&r);
    long long before = student_rows();
    post_student(REG_A, stu_json(&t, "13", 9), NULL, &r);
    ht_assert_problem(&r, 409, "class_full");
    ht_resp_free(&r);

    post_student(REG_A, stu_json(&t, "13", 98), NULL, &r);
    ht_assert_problem(&r, 422, "class_not_found");
    assert_error(&r, "/class", "class_not_found");
    ht_resp_free(&r);
    post_student(REG_A, stu_json(&t, "15", 1), NULL, &r);
    ht_assert_problem(&r, 422, "class_not_found");
    ht_resp_free(&r);
    post_student(REG_A, stu_json(&t, "31", 1), NULL, &r);
    ht_assert_problem(&r, 422, "grade_not_in_school");
    assert_error(&r, "/grade", "grade_not_in_school");
    ht_resp_free(&r);
    ck_assert_int_eq(student_rows(), before);
}
END_TEST

/* ------------------------------------------------------------ 12: who registers */

/* DOMAIN §5: the school starts a registration; only its registrar (rule 31). */
START_TEST(test_only_registrars_register)
{
    stu s;
    stu_new(&s);
    char *text = stu_text(&s, "13", 1);
    long long before = student_rows();
    static const int who[] = {COUNTY, CITY, PROVINCE, HEAD_A};
    ht_resp r;
    for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
        call("POST", "/api/v1/students", who[i], text, NULL, &r);
        ht_assert_problem(&r, 403, "forbidden");
        ht_resp_free(&r);
    }
    call("POST", "/api/v1/students", -1, text, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    ht_resp_free(&r);
    free(text);
    ck_assert_int_eq(student_rows(), before);
}
END_TEST

/* ------------------------------------------------------------ 14: idempotency */

/* The same POST with one Idempotency-Key: one student, the same answer. */
START_TEST(test_idempotent_registration)
{
    stu s;
    stu_new(&s);
    char *text = stu_text(&s, "13", 1);
    char key[64];
    snprintf(key, sizeof(key), "Idempotency-Key: rg-register-%lld", s.n);
    ht_resp a, b;
    call("POST", "/api/v1/students", REG_A, text, key, &a);
    ck_assert_msg(a.status == 201, "%ld %s", a.status, a.body);
    call("POST", "/api/v1/students", REG_A, text, key, &b);
    ck_assert_int_eq(b.status, 201);
    ck_assert_str_eq(a.body, b.body);
    ck_assert_str_eq(ht_header(&b, "idempotent-replayed"), "true");
    ht_resp_free(&a);
    ht_resp_free(&b);
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM student WHERE name = '%s'", s.name);
    ck_assert_int_eq(count_of(sql), 1);

    /* the key with another body */
    stu t;
    stu_new(&t);
    char *other = stu_text(&t, "13", 1);
    call("POST", "/api/v1/students", REG_A, other, key, &b);
    ht_assert_problem(&b, 422, "idempotency_key_reused");
    ht_resp_free(&b);
    free(other);
    free(text);
}
END_TEST

/* ------------------------------------------------------------ 13: no plaintext */

/* Every plaintext value noted so far (malloc'd array of malloc'd strings). */
static char **
noted_pii(int *out_n)
{
    FILE *f = fopen(pii_path, "r");
    ck_assert_msg(f != NULL, "cannot read %s", pii_path);
    int n = 0, cap = 64;
    char **v = malloc(sizeof(char *) * (size_t)cap);
    char line[64];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '\0')
            continue;
        if (n == cap) {
            cap *= 2;
            v = realloc(v, sizeof(char *) * (size_t)cap);
        }
        v[n++] = strdup(line);
    }
    fclose(f);
    *out_n = n;
    return v;
}

/* The first noted plaintext value in text[0..len) (binary: NULs allowed), into found. */
static void
find_plaintext(const char *text, size_t len, char found[64])
{
    int n = 0;
    char **v = noted_pii(&n);
    ck_assert_int_gt(n, 0);
    const char *hit = NULL;
    for (int i = 0; i < n && hit == NULL; i++)
        if (memmem(text, len, v[i], strlen(v[i])) != NULL)
            hit = v[i];
    found[0] = '\0';
    if (hit)
        snprintf(found, 64, "%s", hit);
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void
assert_no_plaintext_n(const char *what, const char *text, size_t len)
{
    char found[64];
    find_plaintext(text, len, found);
    ck_assert_msg(found[0] == '\0', "%s holds the plaintext %s", what, found);
}

static void
assert_no_plaintext(const char *what, const char *text)
{
    assert_no_plaintext_n(what, text, strlen(text));
}

/* A growing binary buffer. */
typedef struct bytes {
    char *p;
    size_t n, cap;
} bytes;

static void
dump_add(bytes *d, const void *p, size_t n)
{
    while (d->n + n + 2 > d->cap) {
        d->cap = d->cap ? d->cap * 2 : 1 << 20;
        d->p = realloc(d->p, d->cap);
    }
    memcpy(d->p + d->n, p, n);
    d->n += n;
    d->p[d->n++] = '\n';
    d->p[d->n] = '\0';
}

/* The value as it is, and when it is a zip (an xlsx), every entry inflated:
   compressed text hides its digits from a plain search. */
static void
dump_value(bytes *d, const unsigned char *v, size_t n)
{
    dump_add(d, v, n);
    fmt_zip *z = NULL;
    if (n < 4 || memcmp(v, "PK\3\4", 4) != 0 || fmt_zip_open(v, n, NULL, &z, NULL) != 0)
        return;
    for (size_t i = 0; i < fmt_zip_count(z); i++) {
        unsigned char *e = NULL;
        size_t en = 0;
        if (fmt_zip_read_all(z, i, 64u << 20, &e, &en, NULL) == 0)
            dump_add(d, e, en);
        free(e);
    }
    fmt_zip_close(z);
}

/* Every bytea column's values as bytes (as text they are hex, which hides
   any plaintext in them), unzipped when they are zips, each column checked
   on its own; *out_n counts the values. */
static void
assert_bytea_clean(long long *out_n)
{
    PGresult *c = PQexec(tdb(), "SELECT table_name, column_name FROM information_schema.columns"
                                " WHERE table_schema = 'public' AND data_type = 'bytea'"
                                " ORDER BY 1, 2");
    ck_assert_int_eq(PQresultStatus(c), PGRES_TUPLES_OK);
    *out_n = 0;
    for (int i = 0; i < PQntuples(c); i++) {
        char sql[256], what[128];
        snprintf(sql, sizeof(sql), "SELECT \"%s\" FROM public.\"%s\" WHERE \"%s\" IS NOT NULL",
                 PQgetvalue(c, i, 1), PQgetvalue(c, i, 0), PQgetvalue(c, i, 1));
        snprintf(what, sizeof(what), "the database's %s.%s", PQgetvalue(c, i, 0),
                 PQgetvalue(c, i, 1));
        PGresult *r = PQexecParams(tdb(), sql, 0, NULL, NULL, NULL, NULL, 1);
        ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql,
                      PQresultErrorMessage(r));
        bytes d = {0};
        for (int j = 0; j < PQntuples(r); j++)
            dump_value(&d, (const unsigned char *)PQgetvalue(r, j, 0),
                       (size_t)PQgetlength(r, j, 0));
        *out_n += PQntuples(r);
        PQclear(r);
        if (d.n > 0)
            assert_no_plaintext_n(what, d.p, d.n);
        free(d.p);
    }
    PQclear(c);
}

/* Every row of every table in the public schema, as text (caller frees). */
static char *
dump_database(void)
{
    PGresult *t = PQexec(tdb(), "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                " ORDER BY 1");
    ck_assert_int_eq(PQresultStatus(t), PGRES_TUPLES_OK);
    bytes d = {0};
    for (int i = 0; i < PQntuples(t); i++) {
        char sql[256];
        snprintf(sql, sizeof(sql),
                 "SELECT coalesce(string_agg(x::text, E'\\n'), '') FROM public.\"%s\" x",
                 PQgetvalue(t, i, 0));
        PGresult *r = PQexec(tdb(), sql);
        ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(r));
        dump_add(&d, PQgetvalue(r, 0, 0), strlen(PQgetvalue(r, 0, 0)));
        PQclear(r);
    }
    PQclear(t);
    return d.p;
}

/* ------------------------------------------------------------ uploads (for the scan) */

/* A request as `who` with a body of type `ctype` and one optional extra header. */
static void
call_bytes(const char *method, const char *path, int who, const char *ctype, const void *body,
           size_t len, const char *extra, ht_resp *out)
{
    char auth[1100], type[96];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[who]);
    snprintf(type, sizeof(type), "Content-Type: %s", ctype);
    const char *h[] = {auth, type, extra, NULL};
    ck_assert_int_eq(ht_request(srv, method, path, h, body, len, out), 0);
}

/* The import template's column of field `json` (member 0: the student, 1: the first
   family member). */
static int
tpl_col(const char *json, int member)
{
    int f = core_field_index(member, json);
    ck_assert_msg(f >= 0, "no field %s", json);
    for (int c = 0; c < core_template_ncols(); c++)
        if (core_template_field(c) == f)
            return c;
    ck_abort_msg("field %s has no column", json);
    return -1;
}

/* The import template's header and one row of `s` (its numbers in clear), as
   CSV or xlsx (malloc'd). The other columns are empty: the row is rejected,
   and the file is kept for its errors file. */
static unsigned char *
import_file(const stu *s, int xlsx, size_t *len)
{
    int n = core_template_ncols();
    char **head = calloc((size_t)n, sizeof(char *));
    const char **row = calloc((size_t)n, sizeof(char *));
    for (int c = 0; c < n; c++) {
        head[c] = malloc(64);
        core_template_title(c, head[c], 64);
        row[c] = "";
    }
    row[tpl_col("name", 0)] = s->name;
    row[tpl_col("id_type", 0)] = "1";
    row[tpl_col("id_number", 0)] = s->id;
    row[tpl_col("phone", 0)] = s->phone;
    row[tpl_col("phone", 1)] = s->gphone;
    unsigned char *out = NULL;
    if (xlsx) {
        fmt_xlsx_writer *w = fmt_xlsx_writer_new();
        ck_assert_int_eq(fmt_xlsx_writer_sheet(w, CORE_TEMPLATE_SHEET, NULL, NULL), 0);
        ck_assert_int_eq(fmt_xlsx_writer_row(w, (const char *const *)head, (size_t)n, NULL), 0);
        ck_assert_int_eq(fmt_xlsx_writer_row(w, row, (size_t)n, NULL), 0);
        ck_assert_int_eq(fmt_xlsx_writer_finish(w, &out, len, NULL), 0);
        fmt_xlsx_writer_free(w);
    } else {
        base_buf b = {0};
        fmt_csv_write_bom(&b);
        fmt_csv_write_row(&b, (const char *const *)head, (size_t)n);
        fmt_csv_write_row(&b, row, (size_t)n);
        out = (unsigned char *)b.p;
        *len = b.n;
    }
    for (int c = 0; c < n; c++)
        free(head[c]);
    free(head);
    free(row);
    return out;
}

/* POST /imports (mode create) of `s`'s row as REG_A; waits for the job's end. */
static void
import_of(const stu *s, int xlsx)
{
    size_t len = 0;
    unsigned char *f = import_file(s, xlsx, &len);
    ht_resp r;
    call_bytes("POST", "/api/v1/imports?mode=create", REG_A, "application/octet-stream", f, len,
               NULL, &r);
    free(f);
    ck_assert_msg(r.status == 202, "POST /imports: %ld %s", r.status, r.body);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/imports/%lld",
             (long long)json_integer_value(json_object_get(r.json, "id")));
    ht_resp_free(&r);
    for (int i = 0; i < 600; i++) {
        call("GET", path, REG_A, NULL, NULL, &r);
        ck_assert_int_eq(r.status, 200);
        const char *st = ht_json_str(r.json, "state");
        int end = strcmp(st, "done") == 0 || strcmp(st, "failed") == 0;
        ht_resp_free(&r);
        if (end)
            return;
        ht_sleep_ms(100);
    }
    ck_abort_msg("import %s did not finish", path);
}

/* Evidence (POST /files): a PDF that carries `s`'s numbers in clear. */
static void
evidence_of(const stu *s)
{
    char pdf[256];
    int n = snprintf(pdf, sizeof(pdf), "%%PDF-1.4\n%% 户口簿 %s %s 监护人 %s\n%%%%EOF\n", s->id,
                     s->phone, s->gid);
    ht_resp r;
    call_bytes("POST", "/api/v1/files", REG_A, "application/pdf", pdf, (size_t)n, NULL, &r);
    ck_assert_msg(r.status == 201, "POST /files: %ld %s", r.status, r.body);
    ht_resp_free(&r);
}

/* A photo of student `id` (`s`, registered): a PNG whose bytes after IEND carry its ID
   number in clear (as a photo's metadata may). */
static void
photo_of(long long id, const stu *s)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char png[300];
    memset(png, 0, sizeof(png));
    memcpy(png, sig, 8);
    unsigned char *p = png + 8;
    p[3] = 13;
    memcpy(p + 4, "IHDR", 4);
    p[10] = 0; /* 120 x 160 */
    p[11] = 120;
    p[15] = 160;
    p[16] = 8; /* bit depth */
    p[17] = 2; /* truecolour */
    memcpy(p + 25 + 4, "IEND", 4);
    snprintf((char *)p + 25 + 16, 100, "%s %s", s->id, s->phone);
    ht_resp r;
    char path[96], im[64];
    snprintf(path, sizeof(path), "/api/v1/students/%lld", id);
    call("GET", path, REG_A, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    snprintf(im, sizeof(im), "If-Match: %s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/students/%lld/photo", id);
    call_bytes("PUT", path, REG_A, "image/png", png, sizeof(png), im, &r);
    ck_assert_msg(r.status == 204, "PUT photo: %ld %s", r.status, r.body);
    ht_resp_free(&r);
    /* read back whole, as it was sent */
    call("GET", path, REG_A, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.len, sizeof(png));
    ck_assert(memcmp(r.body, png, sizeof(png)) == 0);
    ht_resp_free(&r);
}

/*
 * Rule 27: ID and phone numbers are stored only as ciphertext and masks, and
 * never logged. Runs last: it reads what every test before it wrote.
 */
START_TEST(test_no_plaintext_anywhere)
{
    /* one more of each path with everything: approved (a G number), revealed, refused */
    stu s;
    stu_new(&s);
    ht_resp r;
    register_ok(REG_A, &s, &r);
    long long id = student_id_of(&r), rid = request_id_of(&r);
    ht_resp_free(&r);
    approve_ok(COUNTY, rid, 1, "approved");
    get_student_id(REG_A, id, 1, &r);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), s.id);
    ht_resp_free(&r);
    char key[40];
    snprintf(key, sizeof(key), "G%s", s.id);
    get_student(COUNTY, key, 1, &r);
    ht_resp_free(&r);
    stu t;
    stu_new(&t);
    json_t *b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(s.id));
    post_student(REG_C, b, "Idempotency-Key: rg-pii-refused", &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    ht_resp_free(&r);
    char body[128];
    snprintf(body, sizeof(body), "{\"id_type\":\"1\",\"id_number\":\"%s\"}", s.id);
    call("POST", "/api/v1/students/lookup", REG_C, body, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    /* files that carry the numbers: an import as CSV and as xlsx, evidence, a photo */
    stu u1, u2, u3;
    stu_new(&u1);
    stu_new(&u2);
    stu_new(&u3);
    import_of(&u1, 0);
    import_of(&u2, 1);
    evidence_of(&u3);
    photo_of(id, &s);

    char *dump = dump_database();
    /* the scan sees the data: masks are there */
    char m[32];
    mask_id(s.id, m);
    ck_assert_msg(strstr(dump, m) != NULL, "the dump lacks the mask %s", m);
    mask_phone(s.phone, m);
    ck_assert_msg(strstr(dump, m) != NULL, "the dump lacks the mask %s", m);
    assert_no_plaintext("the database", dump);
    free(dump);
    /* bytea decoded and zips opened: the uploads, evidence and photo are there, sealed */
    long long nbytea = 0;
    assert_bytea_clean(&nbytea);
    ck_assert_int_ge(nbytea, 4);

    char *log = ht_server_log(srv);
    ck_assert_msg(strlen(log) > 0, "empty server log %s", ht_server_log_path(srv));
    assert_no_plaintext("the server log", log);
    free(log);
}
END_TEST

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

static Suite *
registration_suite(void)
{
    Suite *s = suite_create("http-registration");

    TCase *tc = shared_tcase("register", 120);
    tcase_add_test(tc, test_register_resident_id_and_approve);
    tcase_add_test(tc, test_register_without_document);
    tcase_add_test(tc, test_no_document_needs_guardian_document);
    tcase_add_test(tc, test_other_document_keeps_l_number);
    tcase_add_test(tc, test_validation_lists_every_field);
    tcase_add_test(tc, test_validation_contradicts_id);
    tcase_add_test(tc, test_malformed_json);
    tcase_add_test(tc, test_legacy_15_digit_id);
    tcase_add_test(tc, test_check_digit_x);
    tcase_add_test(tc, test_duplicate_enrolled);
    tcase_add_test(tc, test_suspected_duplicate);
    tcase_add_test(tc, test_window_closed);
    tcase_add_test(tc, test_entry_age);
    tcase_add_test(tc, test_class_limit_and_unknown_class);
    tcase_add_test(tc, test_only_registrars_register);
    tcase_add_test(tc, test_idempotent_registration);
    suite_add_tcase(s, tc);

    /* a server of its own, pointed at the fake verifier (tokens of the shared one work) */
    tc = tcase_create("verifier");
    tcase_add_unchecked_fixture(tc, shared_world, NULL);
    tcase_add_checked_fixture(tc, NULL, close_db);
    tcase_set_timeout(tc, ht_timeout(120));
    tcase_add_test(tc, test_verifier);
    suite_add_tcase(s, tc);

    tc = shared_tcase("race", 400);
    tcase_add_test(tc, test_duplicate_race);
    suite_add_tcase(s, tc);

    /* after everything else: the scan reads what they all wrote */
    tc = shared_tcase("plaintext", 120);
    tcase_add_test(tc, test_no_plaintext_anywhere);
    suite_add_tcase(s, tc);

    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
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
    SRunner *sr = srunner_create(registration_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    unlink(pii_path);
    close_db();
    ht_global_cleanup();
    return failed != 0;
}
