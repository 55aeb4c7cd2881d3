/*
 * tests/http/students_test.c - black-box tests of the student registry
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
#include "core/pwhash.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PW "Students-Test-2026!"

#define SCH_A "2141019201" /* 中原区 410102, authority the county */
#define SCH_B "2141019202" /* 金水区 410105 */
#define SCH_H "2142019201" /* 江岸区 420102 */

/* ------------------------------------------------------------ fixtures */

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
    json_array_foreach(errs, i, e) {
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

/* ---- identity numbers (DOMAIN §2 rule 2) ---- */

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

/* ---- students ---- */

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
        json_t *fam = json_pack("[{s:s,s:s,s:s,s:s}]", "name", "家长", "relation", "1", "phone",
                                out->fphone, "guardian", "1");
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
        json_array_foreach(items, i, it) {
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

/* ------------------------------------------------------------ list */

/* Lists: keyset pagination, never OFFSET (API.md "Conventions"). */
START_TEST(test_list_pagination)
{
    char pfx[64], q[256], enc[192];
    stu v[9];
    prefix("张", pfx, sizeof(pfx));
    seed_list(pfx, v);
    urlenc(pfx, enc, sizeof(enc));
    snprintf(q, sizeof(q), "name=%s", enc);

    long long ids[16];
    int pages = 0;
    int n = list_ids(REG_A, q, 3, ids, 16, &pages);
    ck_assert_int_eq(n, 7);
    ck_assert_int_eq(pages, 3); /* 3 + 3 + 1, the last without a cursor */
    for (int k = 0; k < 7; k++) {
        int seen = 0;
        for (int i = 0; i < n; i++)
            seen += ids[i] == v[k].id;
        ck_assert_msg(seen == 1, "student %d seen %d times", k, seen);
    }
    /* a page that ends exactly at the last student says so */
    n = list_ids(REG_A, q, 7, ids, 16, &pages);
    ck_assert_int_eq(n, 7);
    ck_assert_int_eq(pages, 1);

    /* a cursor is a position, not a page number: after the 4th id come the last 3 */
    char path[512];
    ht_resp r;
    snprintf(path, sizeof(path), "/api/v1/students?%s&cursor=%lld", q, v[3].id);
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 3);
    ck_assert_int_eq(jint(json_array_get(json_object_get(r.json, "items"), 0), "id"), v[4].id);
    ht_resp_free(&r);

    static const char *const bad_cursor[] = {"abc", "-1", "1e3", "12345678901234567890"};
    for (size_t i = 0; i < sizeof(bad_cursor) / sizeof(bad_cursor[0]); i++) {
        snprintf(path, sizeof(path), "/api/v1/students?cursor=%s", bad_cursor[i]);
        get(path, REG_A, &r);
        ht_assert_problem(&r, 400, "invalid_cursor");
        ht_resp_free(&r);
    }
    static const char *const bad_limit[] = {"0", "501", "-3", "x"};
    for (size_t i = 0; i < sizeof(bad_limit) / sizeof(bad_limit[0]); i++) {
        snprintf(path, sizeof(path), "/api/v1/students?limit=%s", bad_limit[i]);
        get(path, REG_A, &r);
        ht_assert_problem(&r, 400, "invalid_parameter");
        ck_assert(has_error(&r, "/query/limit", "invalid_parameter"));
        ht_resp_free(&r);
    }
}
END_TEST

/* Each filter narrows the list to the students it names. */
START_TEST(test_list_filters)
{
    char pfx[64], enc[192], q[512];
    stu v[9];
    prefix("李", pfx, sizeof(pfx));
    seed_list(pfx, v);
    approve(ZHONGYUAN, &v[2]);
    approve(ZHONGYUAN, &v[5]);
    urlenc(pfx, enc, sizeof(enc));

    static const struct {
        const char *filter;
        int n, want[8];
    } cases[] = {
        {"", 7, {0, 1, 2, 3, 4, 5, 6}},
        {"&grade=14", 2, {5, 6}},
        {"&grade=13", 5, {0, 1, 2, 3, 4}},
        {"&class=2", 2, {3, 4}},
        {"&grade=13&class=1", 3, {0, 1, 2}},
        {"&status=enrolled", 2, {2, 5}},
        {"&status=pending", 5, {0, 1, 3, 4, 6}},
        {"&left_behind=1", 2, {0, 5}},
        {"&left_behind=2", 1, {3}},
        {"&migrant_child=1", 3, {0, 1, 4}},
        {"&migrant_child=0&grade=13", 2, {2, 3}},
        {"&school=" SCH_A, 7, {0, 1, 2, 3, 4, 5, 6}},
        {"&school=" SCH_B, 0, {0}},
        {"&status=withdrawn", 0, {0}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(q, sizeof(q), "name=%s%s", enc, cases[i].filter);
        expect_list(REG_A, q, v, cases[i].want, cases[i].n);
    }
    /* the city sees both schools; ?school= picks one */
    snprintf(q, sizeof(q), "name=%s", enc);
    expect_list(ZHENGZHOU, q, v, (int[]){0, 1, 2, 3, 4, 5, 6, 7}, 8);
    snprintf(q, sizeof(q), "name=%s&school=" SCH_B, enc);
    expect_list(ZHENGZHOU, q, v, (int[]){7}, 1);
    snprintf(q, sizeof(q), "name=%s&school=" SCH_A "&grade=14", enc);
    expect_list(ZHENGZHOU, q, v, (int[]){5, 6}, 2);

    /* name is a prefix: the full name of one; the middle of a name finds none */
    char one[96];
    snprintf(one, sizeof(one), "%s4", pfx);
    urlenc(one, enc, sizeof(enc));
    snprintf(q, sizeof(q), "name=%s", enc);
    expect_list(REG_A, q, v, (int[]){3}, 1);
    urlenc(pfx + strlen("李"), enc, sizeof(enc));
    snprintf(q, sizeof(q), "name=%s", enc);
    expect_list(REG_A, q, v, NULL, 0);

    /* bad filter values: 400 naming the parameter */
    static const struct {
        const char *query, *field;
    } bad[] = {
        {"status=studying", "/query/status"},
        {"status=", "/query/status"},
        {"school=21410192", "/query/school"},
        {"grade=abc", "/query/grade"},
        {"class=x", "/query/class"},
        {"left_behind=3", "/query/left_behind"},
        {"migrant_child=2", "/query/migrant_child"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[256];
        ht_resp r;
        snprintf(path, sizeof(path), "/api/v1/students?%s", bad[i].query);
        get(path, REG_A, &r);
        ht_assert_problem(&r, 400, "invalid_parameter");
        ck_assert_msg(has_error(&r, bad[i].field, "invalid_parameter"), "%s: %s", bad[i].query,
                      r.body);
        ht_resp_free(&r);
    }
}
END_TEST

/* DOMAIN rules 26, 27, 31: who sees which students, and masked numbers in lists. */
START_TEST(test_list_scoping_and_masking)
{
    char pfx[64], enc[192], q[512];
    stu v[9];
    prefix("王", pfx, sizeof(pfx));
    seed_list(pfx, v);
    urlenc(pfx, enc, sizeof(enc));
    snprintf(q, sizeof(q), "name=%s", enc);

    expect_list(ZHONGYUAN, q, v, (int[]){0, 1, 2, 3, 4, 5, 6}, 7); /* its county's school */
    expect_list(JINSHUI, q, v, (int[]){7}, 1);
    expect_list(JIANGAN, q, v, (int[]){8}, 1);                    /* another province */
    expect_list(HENAN, q, v, (int[]){0, 1, 2, 3, 4, 5, 6, 7}, 8); /* A and B, not H */
    expect_list(GRADE_A, q, v, (int[]){0, 1, 2, 3, 4}, 5);        /* grade 13 only */
    expect_list(HEAD_A, q, v, (int[]){0, 1, 2}, 3);               /* class 13-1 only */
    expect_list(REG_B, q, v, (int[]){7}, 1);
    snprintf(q, sizeof(q), "name=%s&grade=14", enc);
    expect_list(GRADE_A, q, v, NULL, 0); /* asking for another grade widens nothing */
    snprintf(q, sizeof(q), "name=%s&school=" SCH_B, enc);
    expect_list(REG_A, q, v, NULL, 0); /* a registrar asking for another school */
    snprintf(q, sizeof(q), "name=%s&school=" SCH_A, enc);
    expect_list(JIANGAN, q, v, NULL, 0);

    /* masked in list items: ID numbers, phones, family phones, never the digits */
    ht_resp r;
    char path[512];
    snprintf(path, sizeof(path), "/api/v1/students?name=%s", enc);
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_uint_eq(json_array_size(items), 7);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        const char *idn = ht_json_str(it, "id_number"), *ph = ht_json_str(it, "phone");
        ck_assert_uint_eq(strlen(idn), 18);
        ck_assert(strncmp(idn, "4101", 4) == 0 && strncmp(idn + 4, "**********", 10) == 0);
        ck_assert(strncmp(ph, "139****", 7) == 0 && strlen(ph) == 11);
        const char *fph = ht_json_str(json_array_get(json_object_get(it, "family"), 0), "phone");
        ck_assert(strncmp(fph, "137****", 7) == 0);
        ck_assert(json_is_false(json_object_get(it, "revealed")));
    }
    for (int k = 0; k < 7; k++) {
        ck_assert_msg(strstr(r.body, v[k].id_number) == NULL, "ID number %d in the list", k);
        ck_assert_msg(strstr(r.body, v[k].phone) == NULL, "phone %d in the list", k);
        ck_assert_msg(strstr(r.body, v[k].fphone) == NULL, "family phone %d in the list", k);
    }
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ read */

/* GET /students/{key}: by id or number, ETag, masking, reveal (DOMAIN rules 9, 26, 27). */
START_TEST(test_get_and_reveal)
{
    char name[64], path[128];
    stu s;
    prefix("赵", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    ht_resp r;

    /* by id: the whole record, masked, with its version as ETag */
    student_path(&s, "", path, sizeof(path));
    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert_int_eq(jint(r.json, "id"), s.id);
    ck_assert_str_eq(ht_json_str(r.json, "school"), SCH_A);
    ck_assert_str_eq(ht_json_str(r.json, "name"), s.name);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "pending");
    ck_assert_str_eq(ht_json_str(r.json, "grade"), "13");
    ck_assert_int_eq(jint(r.json, "class"), 1);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), s.number);
    ck_assert(s.number[0] == 'L' && strlen(s.number) == 19); /* rule 8 */
    char want[24];
    snprintf(want, sizeof(want), "%.4s**********%.4s", s.id_number, s.id_number + 14);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), want);
    snprintf(want, sizeof(want), "%.3s****%.4s", s.phone, s.phone + 7);
    ck_assert_str_eq(ht_json_str(r.json, "phone"), want);
    json_t *f0 = json_array_get(json_object_get(r.json, "family"), 0);
    snprintf(want, sizeof(want), "%.3s****%.4s", s.fphone, s.fphone + 7);
    ck_assert_str_eq(ht_json_str(f0, "phone"), want);
    ck_assert_ptr_null(strstr(r.body, s.id_number));
    ck_assert_ptr_null(strstr(r.body, s.phone));
    ck_assert_ptr_null(strstr(r.body, s.fphone));
    ck_assert(json_is_false(json_object_get(r.json, "revealed")));
    ck_assert(json_is_null(json_object_get(r.json, "photo")));
    ht_resp_free(&r);

    /* by its L number: the same record */
    snprintf(path, sizeof(path), "/api/v1/students/%s", s.number);
    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
    ck_assert_int_eq(jint(r.json, "id"), s.id);
    ht_resp_free(&r);

    /* its county sees it; the grade leader of its grade and its head teacher too */
    student_path(&s, "", path, sizeof(path));
    get(path, ZHONGYUAN, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    get(path, HEAD_A, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);

    /* reveal by the registrar: full numbers, not cached, audited with this request */
    snprintf(path, sizeof(path), "/api/v1/students/%lld?reveal=id_number", s.id);
    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), s.id_number);
    ck_assert_str_eq(ht_json_str(r.json, "phone"), s.phone);
    ck_assert_str_eq(ht_json_str(json_array_get(json_object_get(r.json, "family"), 0), "phone"),
                     s.fphone);
    ck_assert(json_is_true(json_object_get(r.json, "revealed")));
    ck_assert_ptr_nonnull(ht_header(&r, "cache-control"));
    ck_assert_ptr_nonnull(strstr(ht_header(&r, "cache-control"), "no-store"));
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE action = 'student.reveal' AND target_id = '%lld'"
             " AND request_id = '%s'",
             s.id, ht_header(&r, "x-request-id"));
    ck_assert_int_eq(scalar(sql), 1);
    ht_resp_free(&r);
    /* the audit row itself holds no number */
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE detail::text LIKE '%%%s%%'",
             s.id_number);
    ck_assert_int_eq(scalar(sql), 0);

    /* the county may reveal too; a head teacher and a grade leader may not */
    get(path, ZHONGYUAN, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), s.id_number);
    ht_resp_free(&r);
    get(path, HEAD_A, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ck_assert_ptr_null(strstr(r.body, s.id_number));
    ht_resp_free(&r);
    get(path, GRADE_A, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/students/%lld?reveal=phone", s.id);
    get(path, REG_A, &r);
    ht_assert_problem(&r, 400, "invalid_parameter");
    ck_assert(has_error(&r, "/query/reveal", "invalid_parameter"));
    ht_resp_free(&r);

    /* what does not exist, and what is not the caller's, look the same: 404 */
    static const char *const missing[] = {"/api/v1/students/999999999999", "/api/v1/students/abc",
                                          "/api/v1/students/L41010220150101999X",
                                          "/api/v1/students/G123",
                                          "/api/v1/students/12345678901234567890123"};
    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        get(missing[i], REG_A, &r);
        ht_assert_problem(&r, 404, "student_not_found");
        ht_resp_free(&r);
    }
    student_path(&s, "", path, sizeof(path));
    get(path, JIANGAN, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    get(path, JINSHUI, &r); /* the neighbouring county of the same city */
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    get(path, REG_B, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    get(path, GRADE_A, &r);
    ck_assert_int_eq(r.status, 200); /* grade 13 */
    ht_resp_free(&r);

    /* approved: a G number, masked, and the full G number still finds the record (rule 9) */
    approve(ZHONGYUAN, &s);
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "enrolled");
    snprintf(want, sizeof(want), "G%.4s**********%.4s", s.id_number, s.id_number + 14);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), want);
    ht_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/students/G%s", s.id_number);
    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
    ck_assert_int_eq(jint(r.json, "id"), s.id);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ edit */

static void
patch(const stu *s, enum actor who, const char *json, const char *if_match, ht_resp *r)
{
    char path[96];
    student_path(s, "", path, sizeof(path));
    call("PATCH", path, as(who), json, if_match, r);
}

/* PATCH: If-Match, non-key fields only (DOMAIN §4 "Key fields"), class moves. */
START_TEST(test_patch)
{
    char name[64], path[128];
    stu s;
    prefix("孙", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    approve(ZHONGYUAN, &s);
    ht_resp r;
    student_path(&s, "", path, sizeof(path));
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    int v = (int)jint(r.json, "version");
    ht_resp_free(&r);
    char tag[16], stale[16];
    snprintf(tag, sizeof(tag), "\"%d\"", v);
    snprintf(stale, sizeof(stale), "\"%d\"", v - 1);

    /* If-Match: missing 428, stale 412, and nothing changes */
    patch(&s, REG_A, "{\"current_address\":\"郑州市中原区桐柏路2号\"}", NULL, &r);
    ht_assert_problem(&r, 428, "precondition_required");
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"current_address\":\"郑州市中原区桐柏路2号\"}", stale, &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"current_address\":\"郑州市中原区桐柏路2号\"}", "\"99\"", &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);

    /* the right version: 200, version + 1, a new ETag, the change visible */
    patch(&s, REG_A,
          "{\"current_address\":\"郑州市中原区桐柏路2号\",\"postcode\":\"450007\","
          "\"specialty\":\"书法\"}",
          tag, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(jint(r.json, "version"), v + 1);
    char tag2[16];
    snprintf(tag2, sizeof(tag2), "\"%d\"", v + 1);
    ck_assert_str_eq(ht_header(&r, "etag"), tag2);
    ht_resp_free(&r);
    get(path, REG_A, &r);
    ck_assert_str_eq(ht_json_str(r.json, "current_address"), "郑州市中原区桐柏路2号");
    ck_assert_str_eq(ht_json_str(r.json, "postcode"), "450007");
    ck_assert_str_eq(ht_json_str(r.json, "specialty"), "书法");
    ck_assert_str_eq(ht_json_str(r.json, "name"), s.name); /* untouched */
    ck_assert_str_eq(ht_header(&r, "etag"), tag2);
    ht_resp_free(&r);
    /* the old tag is stale now */
    patch(&s, REG_A, "{\"specialty\":\"围棋\"}", tag, &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);

    /* key fields need a key_field_change request, each named */
    char other_id[19], body[256];
    {
        /* another valid number that agrees with gender and birth date */
        char date[9], seq[4];
        memcpy(date, s.id_number + 6, 8);
        date[8] = '\0';
        memcpy(seq, s.id_number + 14, 3);
        seq[3] = '\0';
        make_id("410102", atoi(date), (atoi(seq) + 500) % 1000, other_id);
    }
    static const struct {
        const char *member, *value, *pointer;
    } keys[] = {
        {"name", "改名测试", "/name"},
        {"id_type", "A", "/id_type"},
        {"id_number", NULL, "/id_number"},
        {"gender", NULL, "/gender"},
        {"birth_date", "2010-01-01", "/birth_date"},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *val = keys[i].value;
        if (strcmp(keys[i].member, "id_number") == 0)
            val = other_id;
        if (strcmp(keys[i].member, "gender") == 0)
            val = s.gender[0] == '1' ? "2" : "1";
        snprintf(body, sizeof(body), "{\"%s\":\"%s\"}", keys[i].member, val);
        patch(&s, REG_A, body, tag2, &r);
        ck_assert_msg(r.status == 422, "%s: %ld %s", body, r.status, r.body);
        ck_assert_msg(has_error(&r, keys[i].pointer, "key_field_requires_approval"), "%s: %s", body,
                      r.body);
        ht_resp_free(&r);
    }
    /* name and the document number alone: the problem's code itself */
    patch(&s, REG_A, "{\"name\":\"改名测试\"}", tag2, &r);
    ht_assert_problem(&r, 422, "key_field_requires_approval");
    ht_resp_free(&r);
    snprintf(body, sizeof(body), "{\"id_number\":\"%s\"}", other_id);
    patch(&s, REG_A, body, tag2, &r);
    ht_assert_problem(&r, 422, "key_field_requires_approval");
    ck_assert_ptr_null(strstr(r.body, other_id)); /* never echoed */
    ht_resp_free(&r);
    /* a key field sent unchanged is no change */
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"specialty\":\"围棋\"}", s.name);
    patch(&s, REG_A, body, tag2, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(jint(r.json, "version"), v + 2);
    ht_resp_free(&r);
    char tag3[16];
    snprintf(tag3, sizeof(tag3), "\"%d\"", v + 2);

    /* bad values: 422 with the pointer */
    patch(&s, REG_A, "{\"postcode\":\"4500\"}", tag3, &r);
    ht_assert_problem(&r, 422, "invalid_postcode");
    ck_assert(has_error(&r, "/postcode", "invalid_postcode"));
    ht_resp_free(&r);
    patch(&s, REG_A,
          "{\"family\":[{\"name\":\"家长\",\"relation\":\"1\",\"phone\":\"138-0000\","
          "\"guardian\":\"1\"}]}",
          tag3, &r);
    ht_assert_problem(&r, 422, "invalid_phone");
    ck_assert(has_error(&r, "/family/0/phone", "invalid_phone"));
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"distance_km\":\"far\",\"ethnicity\":\"99\"}", tag3, &r);
    ht_assert_problem(&r, 422, "validation_failed");
    ck_assert(has_error(&r, "/distance_km", "invalid_distance"));
    ck_assert(has_error(&r, "/ethnicity", "invalid_code"));
    ht_resp_free(&r);
    /* members that are not fields, or not the client's */
    patch(&s, REG_A, "{\"shoe_size\":\"37\"}", tag3, &r);
    ht_assert_problem(&r, 422, "unknown_field");
    ck_assert(has_error(&r, "/shoe_size", "unknown_field"));
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"state\":\"graduated\"}", tag3, &r);
    ht_assert_problem(&r, 422, "field_not_editable");
    ck_assert(has_error(&r, "/state", "field_not_editable"));
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"student_number\":\"L410102201501019999\"}", tag3, &r);
    ht_assert_problem(&r, 422, "field_not_editable");
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"photo\":null}", tag3, &r);
    ht_assert_problem(&r, 422, "field_not_editable");
    ht_resp_free(&r);

    /* bureaus do not edit records; others' staff do not find them */
    patch(&s, ZHONGYUAN, "{\"specialty\":\"绘画\"}", tag3, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    patch(&s, REG_B, "{\"specialty\":\"绘画\"}", tag3, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);

    /* a class of the same grade: the student moves, and leaves its head teacher's view */
    patch(&s, REG_A, "{\"class\":9}", tag3, &r);
    ht_assert_problem(&r, 422, "class_not_found");
    ck_assert(has_error(&r, "/class", "class_not_found"));
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"class\":2}", tag3, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(jint(r.json, "class"), 2);
    ck_assert_str_eq(ht_json_str(r.json, "grade"), "13");
    ht_resp_free(&r);
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT class_id FROM student WHERE id = %lld", s.id);
    ck_assert_int_eq(scalar(sql), cls_a13_2);
    get(path, HEAD_A, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    char tag4[16];
    snprintf(tag4, sizeof(tag4), "\"%d\"", v + 3);

    /* a grade change is a request (DOMAIN §5 grade_change) */
    patch(&s, REG_A, "{\"grade\":\"14\",\"class\":1}", tag4, &r);
    ht_assert_problem(&r, 422, "grade_change_requires_approval");
    ck_assert(has_error(&r, "/grade", "grade_change_requires_approval"));
    ht_resp_free(&r);
    get(path, REG_A, &r);
    ck_assert_str_eq(ht_json_str(r.json, "grade"), "13");
    ck_assert_int_eq(jint(r.json, "version"), v + 3);
    ht_resp_free(&r);
}
END_TEST

/* A bearer token of account `username` (password PW). */
static char *
login_as(const char *username)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", username, PW);
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, "/api/v1/auth/login", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", username, r.status, r.body);
    char *t = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
    return t;
}

/* Issue 12 defect 5: a head teacher moves a pupil between their own classes
   only; a destination outside their scope is 403 class_out_of_scope and
   changes nothing. Every other way to set a class or school (imports,
   requests) is the registrar's alone. */
START_TEST(test_patch_class_scope)
{
    char name[64], path[128], sql[256];
    stu s;
    prefix("郑", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    approve(ZHONGYUAN, &s);
    student_path(&s, "", path, sizeof(path));
    ht_resp r;
    get(path, HEAD_A, &r);
    ck_assert_int_eq(r.status, 200);
    int v = (int)jint(r.json, "version");
    ht_resp_free(&r);
    char tag[16];
    snprintf(tag, sizeof(tag), "\"%d\"", v);

    /* the head teacher of 13-1 alone: 13-2 is not theirs */
    patch(&s, HEAD_A, "{\"class\":2}", tag, &r);
    ht_assert_problem(&r, 403, "class_out_of_scope");
    ck_assert(has_error(&r, "/class", "class_out_of_scope"));
    ht_resp_free(&r);
    snprintf(sql, sizeof(sql), "SELECT class_id FROM student WHERE id = %lld", s.id);
    ck_assert_int_eq(scalar(sql), cls_a13_1);
    get(path, HEAD_A, &r); /* still theirs, unchanged */
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(jint(r.json, "class"), 1);
    ck_assert_int_eq(jint(r.json, "version"), v);
    ht_resp_free(&r);
    /* with another change in the same body: nothing of it is kept */
    patch(&s, HEAD_A, "{\"class\":2,\"specialty\":\"篮球\"}", tag, &r);
    ht_assert_problem(&r, 403, "class_out_of_scope");
    ht_resp_free(&r);
    get(path, REG_A, &r);
    ck_assert_ptr_null(ht_json_str(r.json, "specialty"));
    ck_assert_int_eq(jint(r.json, "version"), v);
    ht_resp_free(&r);

    /* a head teacher of 13-1 and 13-2 moves the pupil between them, and back */
    char hash[CORE_PWHASH_LEN], classes[64];
    ck_assert_int_eq(core_pwhash(PW, hash), 0);
    snprintf(classes, sizeof(classes), "{%lld,%lld}", cls_a13_1, cls_a13_2);
    add_user(hash, "st_head2_a", "school", SCH_A, "'head_teacher'", "NULL", classes);
    char *head2 = login_as("st_head2_a");
    call("PATCH", path, head2, "{\"class\":2}", tag, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(jint(r.json, "class"), 2);
    ht_resp_free(&r);
    ck_assert_int_eq(scalar(sql), cls_a13_2);
    snprintf(tag, sizeof(tag), "\"%d\"", v + 1);
    /* ... but not into 14-1 (a grade change is a request anyway) */
    call("PATCH", path, head2, "{\"grade\":\"14\",\"class\":1}", tag, &r);
    ht_assert_problem(&r, 422, "grade_change_requires_approval");
    ht_resp_free(&r);

    /* the grade leader of 13 moves pupils within grade 13 */
    patch(&s, GRADE_A, "{\"class\":1}", tag, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    snprintf(tag, sizeof(tag), "\"%d\"", v + 2);

    /* the other ways to place a student are the registrar's: an update
       import, a request that names a class (grade change, transfer) */
    call_raw("POST", "/api/v1/imports?mode=update", as(HEAD_A), "text/csv", "a\n", 2, NULL, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    char body[256];
    snprintf(body, sizeof(body),
             "{\"type\":\"grade_change\",\"student\":%lld,\"payload\":{\"grade\":\"14\","
             "\"class\":1}}",
             s.id);
    call("POST", "/api/v1/requests", as(HEAD_A), body, NULL, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    call("POST", "/api/v1/requests", head2, body, NULL, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    ck_assert_int_eq(scalar(sql), cls_a13_1);
    free(head2);
}
END_TEST

/* ------------------------------------------------------------ history */

/* The timeline: registration, edits with old/new values, PII named only (rule 27). */
START_TEST(test_history)
{
    char name[64], path[128];
    stu s;
    prefix("周", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    approve(ZHONGYUAN, &s);
    ht_resp r;
    student_path(&s, "", path, sizeof(path));
    get(path, REG_A, &r);
    int v = (int)jint(r.json, "version");
    ht_resp_free(&r);
    char tag[16];
    snprintf(tag, sizeof(tag), "\"%d\"", v);
    patch(&s, REG_A, "{\"current_address\":\"郑州市中原区伏牛路3号\"}", tag, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    snprintf(tag, sizeof(tag), "\"%d\"", v + 1);
    patch(&s, REG_A, "{\"phone\":\"13612345678\"}", tag, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    student_path(&s, "/history", path, sizeof(path));
    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_uint_ge(json_array_size(items), 3);
    json_t *first = json_array_get(items, 0);
    ck_assert_str_eq(ht_json_str(first, "kind"), "registered");
    ck_assert_int_eq(jint(first, "request"), s.request);
    ck_assert_str_eq(ht_json_str(first, "school"), SCH_A);
    /* ascending ids; then the address edit, then the phone edit */
    int addr = -1, phone = -1;
    long long last = 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        ck_assert_int_gt(jint(it, "id"), last);
        last = jint(it, "id");
        if (strcmp(ht_json_str(it, "kind"), "edited") != 0)
            continue;
        json_t *ch = json_array_get(json_object_get(it, "changes"), 0);
        ck_assert_uint_eq(json_array_size(json_object_get(it, "changes")), 1);
        if (strcmp(ht_json_str(ch, "field"), "/current_address") == 0) {
            addr = (int)i;
            ck_assert_str_eq(ht_json_str(ch, "old"), "郑州市中原区建设路1号");
            ck_assert_str_eq(ht_json_str(ch, "new"), "郑州市中原区伏牛路3号");
        } else if (strcmp(ht_json_str(ch, "field"), "/phone") == 0) {
            phone = (int)i;
            ck_assert(json_is_true(json_object_get(ch, "pii")));
            ck_assert_ptr_null(json_object_get(ch, "old"));
            ck_assert_ptr_null(json_object_get(ch, "new"));
        }
    }
    ck_assert_msg(addr > 0 && phone > addr, "edits at %d and %d: %s", addr, phone, r.body);
    /* no plaintext digits anywhere: not the old phone, not the new one, not the ID */
    ck_assert_ptr_null(strstr(r.body, s.phone));
    ck_assert_ptr_null(strstr(r.body, "13612345678"));
    ck_assert_ptr_null(strstr(r.body, s.id_number));
    ck_assert_ptr_null(strstr(r.body, s.fphone));
    /* the requests: the registration, approved */
    json_t *reqs = json_object_get(r.json, "requests");
    int found = 0;
    json_array_foreach(reqs, i, it) {
        if (jint(it, "id") == s.request) {
            found = 1;
            ck_assert_str_eq(ht_json_str(it, "type"), "registration");
            ck_assert_str_eq(ht_json_str(it, "state"), "approved");
        }
    }
    ck_assert_msg(found, "no registration request in %s", r.body);
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    ht_resp_free(&r);

    /* outside the jurisdiction: 404, as for the record */
    get(path, JIANGAN, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    get("/api/v1/students/abc/history", REG_A, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ look-up */

static void
lookup(enum actor who, const char *body, ht_resp *r)
{
    call("POST", "/api/v1/students/lookup", as(who), body, NULL, r);
}

/* Rule 11 and 22: does a document hold an active record? Masked outside (rule 26). */
START_TEST(test_lookup)
{
    char name[64], body[256];
    stu s;
    prefix("吴", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    ht_resp r;

    /* inside: who and where */
    snprintf(body, sizeof(body), "{\"id_type\":\"1\",\"id_number\":\"%s\"}", s.id_number);
    lookup(REG_A, body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_true(json_object_get(r.json, "found")));
    ck_assert(json_is_true(json_object_get(r.json, "within_jurisdiction")));
    ck_assert_int_eq(jint(r.json, "student"), s.id);
    ck_assert_str_eq(ht_json_str(r.json, "school"), SCH_A);
    ck_assert_ptr_null(strstr(r.body, s.id_number));
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE action = 'student.lookup' AND request_id = '%s'",
             ht_header(&r, "x-request-id"));
    ck_assert_int_eq(scalar(sql), 1);
    ht_resp_free(&r);
    lookup(ZHONGYUAN, body, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert(json_is_true(json_object_get(r.json, "within_jurisdiction")));
    ck_assert_int_eq(jint(r.json, "student"), s.id);
    ht_resp_free(&r);

    /* outside (another county's school, another province): only the county's name */
    static const enum actor outside[] = {REG_B, JIANGAN, JINSHUI};
    for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        lookup(outside[i], body, &r);
        ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
        ck_assert(json_is_true(json_object_get(r.json, "found")));
        ck_assert(json_is_false(json_object_get(r.json, "within_jurisdiction")));
        ck_assert_ptr_null(json_object_get(r.json, "student"));
        ck_assert_ptr_null(json_object_get(r.json, "name"));
        ck_assert_ptr_null(json_object_get(r.json, "school"));
        ck_assert_ptr_null(json_object_get(r.json, "student_number"));
        ck_assert_str_eq(ht_json_str(r.json, "school_name"), "中原区的一所学校");
        ck_assert_ptr_null(strstr(r.body, SCH_A));
        ck_assert_ptr_null(strstr(r.body, s.name));
        ck_assert_ptr_null(strstr(r.body, "学籍测试中原小学"));
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM audit WHERE action = 'student.lookup'"
                 " AND request_id = '%s' AND target_id IS NULL",
                 ht_header(&r, "x-request-id"));
        ck_assert_int_eq(scalar(sql), 1);
        ht_resp_free(&r);
    }

    /* a number nobody holds (another county's area code) */
    char free_id[19];
    make_id("410103", 20080101 + uniq() % 28, uniq() % 1000, free_id);
    snprintf(body, sizeof(body), "{\"id_type\":\"1\",\"id_number\":\"%s\"}", free_id);
    lookup(REG_A, body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_false(json_object_get(r.json, "found")));
    ck_assert_ptr_null(json_object_get(r.json, "student"));
    ht_resp_free(&r);

    /* a wrong check digit; an unknown member; a missing one */
    char bad[19];
    snprintf(bad, sizeof(bad), "%s", s.id_number);
    bad[17] = bad[17] == '0' ? '1' : '0';
    snprintf(body, sizeof(body), "{\"id_type\":\"1\",\"id_number\":\"%s\"}", bad);
    lookup(REG_A, body, &r);
    ht_assert_problem(&r, 422, "invalid_id_number");
    ck_assert(has_error(&r, "/id_number", "invalid_id_number"));
    ck_assert_ptr_null(strstr(r.body, bad));
    ht_resp_free(&r);
    snprintf(body, sizeof(body), "{\"id_type\":\"1\",\"id_number\":\"%s\",\"name\":\"x\"}",
             s.id_number);
    lookup(REG_A, body, &r);
    ht_assert_problem(&r, 422, "unknown_field");
    ck_assert(has_error(&r, "/name", "unknown_field"));
    ht_resp_free(&r);
    lookup(REG_A, "{\"id_type\":\"1\"}", &r);
    ht_assert_problem(&r, 422, "missing_field");
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ check-ins */

static void
checkin(enum actor who, const char *school, const char *term, const stu *const *v, int n,
        ht_resp *r)
{
    char body[512], path[96];
    size_t o = (size_t)snprintf(body, sizeof(body), "{\"term\":\"%s\",\"students\":[", term);
    for (int i = 0; i < n; i++)
        o += (size_t)snprintf(body + o, sizeof(body) - o, "%s%lld", i ? "," : "", v[i]->id);
    snprintf(body + o, sizeof(body) - o, "]}");
    snprintf(path, sizeof(path), "/api/v1/schools/%s/check-ins", school);
    call("POST", path, as(who), body, NULL, r);
}

static long long
checkins_of(const stu *s, const char *term)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM checkin WHERE student_id = %lld AND term = '%s'", s->id, term);
    return scalar(sql);
}

/* Semester check-in (报到注册): enrolled students only, all or nothing. */
START_TEST(test_checkins)
{
    char pfx[64], name[80];
    stu s[4];
    prefix("郑", pfx, sizeof(pfx));
    for (int k = 0; k < 4; k++) {
        snprintf(name, sizeof(name), "%s%d", pfx, k + 1);
        register_named(REG_A, name, 13, 1, &s[k]);
    }
    for (int k = 0; k < 3; k++)
        approve(ZHONGYUAN, &s[k]); /* s[3] stays pending */
    ht_resp r;

    const stu *two[] = {&s[0], &s[1]};
    checkin(REG_A, SCH_A, "2026-1", two, 2, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "term"), "2026-1");
    ck_assert_int_eq(jint(r.json, "checked_in"), 2);
    ck_assert_int_eq(jint(r.json, "already_checked_in"), 0);
    ht_resp_free(&r);
    ck_assert_int_eq(checkins_of(&s[0], "2026-1"), 1);
    /* again: nothing new */
    checkin(REG_A, SCH_A, "2026-1", two, 2, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(jint(r.json, "checked_in"), 0);
    ck_assert_int_eq(jint(r.json, "already_checked_in"), 2);
    ht_resp_free(&r);
    /* a mix of new and done, by id and by student number */
    const stu *mix[] = {&s[0], &s[2]};
    checkin(REG_A, SCH_A, "2026-1", mix, 2, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(jint(r.json, "checked_in"), 1);
    ck_assert_int_eq(jint(r.json, "already_checked_in"), 1);
    ht_resp_free(&r);

    /* a pending student spoils the list: 422 naming it, and nothing is written */
    const stu *spoilt[] = {&s[0], &s[1], &s[3]};
    checkin(REG_A, SCH_A, "2026-2", spoilt, 3, &r);
    ht_assert_problem(&r, 422, "student_not_enrolled");
    ck_assert(has_error(&r, "/students/2", "student_not_enrolled"));
    ht_resp_free(&r);
    ck_assert_int_eq(checkins_of(&s[0], "2026-2"), 0);
    ck_assert_int_eq(checkins_of(&s[1], "2026-2"), 0);
    ck_assert_int_eq(checkins_of(&s[3], "2026-2"), 0);

    /* the term; the school: another's, or none, is 404 */
    checkin(REG_A, SCH_A, "2026-3", two, 2, &r);
    ht_assert_problem(&r, 422, "invalid_term");
    ck_assert(has_error(&r, "/term", "invalid_term"));
    ht_resp_free(&r);
    checkin(REG_A, SCH_A, "26-1", two, 2, &r);
    ht_assert_problem(&r, 422, "invalid_term");
    ht_resp_free(&r);
    checkin(REG_A, SCH_B, "2026-1", two, 2, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    checkin(REG_A, "2141019299", "2026-1", two, 2, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    checkin(REG_B, SCH_B, "2026-1", two, 2, &r); /* A's students at B: not found there */
    ht_assert_problem(&r, 422, "validation_failed");
    ck_assert(has_error(&r, "/students/0", "student_not_found"));
    ck_assert(has_error(&r, "/students/1", "student_not_found"));
    ht_resp_free(&r);
    checkin(JIANGAN, SCH_A, "2026-1", two, 2, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    ck_assert_int_eq(checkins_of(&s[0], "2026-1"), 1);
}
END_TEST

/* ------------------------------------------------------------ photos */

/* A PNG of w x h as far as formats/image.c reads it: signature, IHDR, an empty IEND,
   zero padding up to `total` (at least 45) bytes. */
static size_t
png(unsigned w, unsigned h, unsigned char *out, size_t total)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    memset(out, 0, total);
    memcpy(out, sig, 8);
    unsigned char *p = out + 8;
    p[3] = 13;
    memcpy(p + 4, "IHDR", 4);
    p[8] = (unsigned char)(w >> 24);
    p[9] = (unsigned char)(w >> 16);
    p[10] = (unsigned char)(w >> 8);
    p[11] = (unsigned char)w;
    p[12] = (unsigned char)(h >> 24);
    p[13] = (unsigned char)(h >> 16);
    p[14] = (unsigned char)(h >> 8);
    p[15] = (unsigned char)h;
    p[16] = 8; /* bit depth */
    p[17] = 2; /* truecolour */
    /* compression, filter, interlace 0; CRC (not checked) */
    p[21] = 0x12;
    p[22] = 0x34;
    p[23] = 0x56;
    p[24] = 0x78;
    unsigned char *e = p + 25;
    memcpy(e + 4, "IEND", 4);
    e[8] = 0xae;
    e[9] = 0x42;
    e[10] = 0x60;
    e[11] = 0x82;
    return total;
}

static void
put_photo(const stu *s, enum actor who, const char *ctype, const unsigned char *data, size_t len,
          const char *if_match, ht_resp *r)
{
    char path[96];
    student_path(s, "/photo", path, sizeof(path));
    call_raw("PUT", path, as(who), ctype, (const char *)data, len, if_match, r);
}

/* The record's version, read by its registrar. */
static int
version_of(const stu *s)
{
    char path[96];
    ht_resp r;
    student_path(s, "", path, sizeof(path));
    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    int v = (int)jint(r.json, "version");
    char tag[16];
    snprintf(tag, sizeof(tag), "\"%d\"", v);
    ck_assert_str_eq(ht_header(&r, "etag"), tag);
    ht_resp_free(&r);
    return v;
}

/*
 * Photos (DOMAIN §4 item 13): sniffed PNG/JPEG, at most 200 KiB, sane pixel
 * sizes. The photo is a field of the record, so a PUT takes the record's
 * If-Match and bumps its version (openapi.yaml putStudentPhoto).
 */
START_TEST(test_photo)
{
    char name[64], path[128], tag[16], stale[16];
    stu s, bare;
    prefix("冯", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    snprintf(name + strlen(name), sizeof(name) - strlen(name), "乙");
    register_named(REG_A, name, 13, 1, &bare);
    ht_resp r;
    unsigned char *buf = calloc(1, 256 * 1024);

    /* no photo yet */
    student_path(&s, "/photo", path, sizeof(path));
    get(path, REG_A, &r);
    ht_assert_problem(&r, 404, "photo_not_found");
    ht_resp_free(&r);

    /* a 120x160 PNG: If-Match required and checked like any edit */
    int v = version_of(&s);
    snprintf(tag, sizeof(tag), "\"%d\"", v);
    snprintf(stale, sizeof(stale), "\"%d\"", v - 1);
    size_t n = png(120, 160, buf, 300);
    put_photo(&s, REG_A, "image/png", buf, n, NULL, &r);
    ht_assert_problem(&r, 428, "precondition_required");
    ht_resp_free(&r);
    put_photo(&s, REG_A, "image/png", buf, n, stale, &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    get(path, REG_A, &r);
    ht_assert_problem(&r, 404, "photo_not_found"); /* nothing stored */
    ht_resp_free(&r);
    put_photo(&s, REG_A, "image/png", buf, n, tag, &r);
    ck_assert_msg(r.status == 204, "%ld %s", r.status, r.body);
    ck_assert_uint_eq(r.len, 0);
    snprintf(tag, sizeof(tag), "\"%d\"", v + 1);
    ck_assert_str_eq(ht_header(&r, "etag"), tag);
    ht_resp_free(&r);
    ck_assert_int_eq(version_of(&s), v + 1);

    /* served back byte for byte, with the sniffed type */
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(ht_header(&r, "content-type"), "image/png"));
    ck_assert_uint_eq(r.len, n);
    ck_assert(memcmp(r.body, buf, n) == 0);
    ht_resp_free(&r);
    get(path, ZHONGYUAN, &r); /* its county sees it too */
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    get(path, JIANGAN, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    /* the record links it */
    char link[96];
    student_path(&s, "", link, sizeof(link));
    get(link, REG_A, &r);
    student_path(&s, "/photo", link, sizeof(link));
    ck_assert_str_eq(ht_json_str(r.json, "photo"), link);
    ht_resp_free(&r);

    /* judged by its bytes: a PNG declared as JPEG is a PNG; a GIF or text is not a photo */
    put_photo(&s, REG_A, "image/jpeg", buf, n, tag, &r);
    ck_assert_msg(r.status == 204, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    snprintf(tag, sizeof(tag), "\"%d\"", v + 2);
    static const unsigned char gif[] = "GIF89a\x78\x00\xa0\x00\x80\x00\x00\xff\xff\xff\x00\x00"
                                       "\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00";
    put_photo(&s, REG_A, "image/gif", gif, sizeof(gif) - 1, tag, &r);
    ht_assert_problem(&r, 422, "photo_bad_format");
    ht_resp_free(&r);
    put_photo(&s, REG_A, "image/png", (const unsigned char *)"not a picture at all", 20, tag, &r);
    ht_assert_problem(&r, 422, "photo_bad_format");
    ht_resp_free(&r);
    put_photo(&s, REG_A, "image/png", (const unsigned char *)"", 0, tag, &r);
    ht_assert_problem(&r, 422, "photo_bad_format");
    ht_resp_free(&r);
    /* too large: a valid header, 200 KiB + 1 */
    n = png(120, 160, buf, 200 * 1024 + 1);
    put_photo(&s, REG_A, "image/png", buf, n, tag, &r);
    ht_assert_problem(&r, 413, "photo_too_large");
    ht_resp_free(&r);
    n = png(4000, 100, buf, 300);
    put_photo(&s, REG_A, "image/png", buf, n, tag, &r);
    ht_assert_problem(&r, 422, "photo_bad_size");
    ht_resp_free(&r);
    n = png(16, 16, buf, 300);
    put_photo(&s, REG_A, "image/png", buf, n, tag, &r);
    ht_assert_problem(&r, 422, "photo_bad_size");
    ht_resp_free(&r);
    /* refused photos changed nothing: the version and the stored bytes */
    ck_assert_int_eq(version_of(&s), v + 2);
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    n = png(120, 160, buf, 300);
    ck_assert_uint_eq(r.len, n);
    ck_assert(memcmp(r.body, buf, n) == 0);
    ht_resp_free(&r);

    /* who may: the school, not a bureau; nobody outside */
    put_photo(&s, ZHONGYUAN, "image/png", buf, n, tag, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    put_photo(&s, REG_B, "image/png", buf, n, tag, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);

    /* another student has none */
    student_path(&bare, "/photo", path, sizeof(path));
    get(path, REG_A, &r);
    ht_assert_problem(&r, 404, "photo_not_found");
    ht_resp_free(&r);
    get("/api/v1/students/999999999999/photo", REG_A, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    free(buf);
}
END_TEST

/* ------------------------------------------------------------ events */

typedef struct ev {
    long long id, student, request;
    char type[48], school[11];
} ev;

/* GET /events?after= as `who`, every page (limit 500); the last cursor. */
static int
events(enum actor who, long long after, ev *out, int cap, long long *out_cursor, char **out_body)
{
    int n = 0;
    long long cur = after;
    size_t blen = 0;
    char *body = calloc(1, 1);
    for (;;) {
        char path[96];
        snprintf(path, sizeof(path), "/api/v1/events?after=%lld&limit=500", cur);
        ht_resp r;
        get(path, who, &r);
        ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
        body = realloc(body, blen + r.len + 1);
        memcpy(body + blen, r.body, r.len + 1);
        blen += r.len;
        json_t *items = json_object_get(r.json, "items");
        size_t i;
        json_t *it;
        long long prev = cur;
        json_array_foreach(items, i, it) {
            long long id = atoll(ht_json_str(it, "id"));
            ck_assert_msg(id > prev, "event ids not ascending: %lld after %lld", id, prev);
            prev = id;
            if (n < cap) {
                ev *e = &out[n++];
                memset(e, 0, sizeof(*e));
                e->id = id;
                json_t *st = json_object_get(it, "student"), *rq = json_object_get(it, "request");
                e->student = json_is_integer(st) ? json_integer_value(st) : 0;
                e->request = json_is_integer(rq) ? json_integer_value(rq) : 0;
                snprintf(e->type, sizeof(e->type), "%s", ht_json_str(it, "type"));
                const char *sc = ht_json_str(it, "school");
                snprintf(e->school, sizeof(e->school), "%s", sc ? sc : "");
            }
        }
        long long next = atoll(ht_json_str(r.json, "next_cursor"));
        size_t got = json_array_size(items);
        ht_resp_free(&r);
        if (got == 0) {
            ck_assert_int_eq(next, cur); /* an empty page keeps the caller's place */
            break;
        }
        ck_assert_int_eq(next, prev);
        cur = next;
    }
    if (out_cursor)
        *out_cursor = cur;
    if (out_body)
        *out_body = body;
    else
        free(body);
    return n;
}

static int
find_event(const ev *v, int n, const char *type, long long student)
{
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].type, type) == 0 && v[i].student == student)
            return i;
    return -1;
}

/* The change feed (API.md "Sync"): in id order, after= resumes, jurisdiction applies. */
START_TEST(test_events)
{
    static ev v[1024];
    long long mark = 0, mark_out = 0;
    events(REG_A, 0, v, 1024, &mark, NULL);
    events(JIANGAN, 0, v, 1024, &mark_out, NULL);

    char name[64];
    stu s;
    prefix("陈", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    approve(ZHONGYUAN, &s);

    /* registration, decision, enrolment: in this order, all after the mark */
    long long end = 0;
    char *body;
    int n = events(REG_A, mark, v, 1024, &end, &body);
    int reg = find_event(v, n, "student.registered", s.id);
    int dec = find_event(v, n, "request.decided", s.id);
    int enr = find_event(v, n, "student.enrolled", s.id);
    ck_assert_msg(reg >= 0 && dec > reg && enr > reg, "events %d %d %d: %s", reg, dec, enr, body);
    ck_assert_int_eq(v[reg].request, s.request);
    ck_assert_str_eq(v[reg].school, SCH_A);
    for (int i = 0; i < n; i++)
        ck_assert_str_eq(v[i].school, SCH_A); /* a school reads its own */
    /* no personal numbers in the feed */
    ck_assert_ptr_null(strstr(body, s.id_number));
    ck_assert_ptr_null(strstr(body, s.phone));
    ck_assert_ptr_null(strstr(body, s.fphone));
    free(body);

    /* after= the registration: only what came later */
    static ev w[1024];
    int m = events(REG_A, v[reg].id, w, 1024, NULL, NULL);
    ck_assert_int_eq(m, n - reg - 1);
    ck_assert_int_eq(find_event(w, m, "student.registered", s.id), -1);
    ck_assert_int_ge(find_event(w, m, "student.enrolled", s.id), 0);
    /* after the end: empty, and the cursor stays */
    ht_resp r;
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/events?after=%lld", end);
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 0);
    char want[32];
    snprintf(want, sizeof(want), "%lld", end);
    ck_assert_str_eq(ht_json_str(r.json, "next_cursor"), want);
    ht_resp_free(&r);

    /* the county sees them; a county of another province sees none of them */
    n = events(ZHONGYUAN, mark, v, 1024, NULL, NULL);
    ck_assert_int_ge(find_event(v, n, "student.enrolled", s.id), 0);
    n = events(JIANGAN, mark_out, v, 1024, NULL, NULL);
    for (int i = 0; i < n; i++)
        ck_assert_msg(strcmp(v[i].school, SCH_A) != 0 && v[i].student != s.id,
                      "event %lld (%s) of school A shown to 420102", v[i].id, v[i].type);
    n = events(REG_B, 0, v, 1024, NULL, NULL);
    ck_assert_int_eq(find_event(v, n, "student.registered", s.id), -1);

    get("/api/v1/events?after=abc", REG_A, &r);
    ht_assert_problem(&r, 400, "invalid_cursor");
    ht_resp_free(&r);
    get("/api/v1/events?limit=0", REG_A, &r);
    ht_assert_problem(&r, 400, "invalid_parameter");
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ requests */

/* GET /requests/{id}: the school's registrar and the step holder; 404 beyond. */
START_TEST(test_request_get)
{
    char name[64], path[96];
    stu s;
    prefix("褚", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    ht_resp r;
    snprintf(path, sizeof(path), "/api/v1/requests/%lld", s.request);

    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(jint(r.json, "id"), s.request);
    ck_assert_str_eq(ht_json_str(r.json, "type"), "registration");
    ck_assert_str_eq(ht_json_str(r.json, "state"), "open");
    ck_assert_int_eq(jint(r.json, "student"), s.id);
    ck_assert_str_eq(ht_json_str(r.json, "school"), SCH_A);
    ck_assert_int_eq(jint(r.json, "current_step"), 1);
    json_t *steps = json_object_get(r.json, "steps");
    ck_assert_uint_eq(json_array_size(steps), 1); /* a resident ID: the county alone (§5) */
    ck_assert_str_eq(ht_json_str(json_array_get(steps, 0), "org"), "410102");
    ck_assert_str_eq(ht_json_str(json_array_get(steps, 0), "state"), "waiting");
    char etag[16];
    snprintf(etag, sizeof(etag), "\"%lld\"", jint(r.json, "version"));
    ck_assert_str_eq(ht_header(&r, "etag"), etag);
    ht_resp_free(&r);

    get(path, ZHONGYUAN, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    get(path, ZHENGZHOU, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);

    static const enum actor outside[] = {JIANGAN, JINSHUI, REG_B};
    for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++) {
        get(path, outside[i], &r);
        ht_assert_problem(&r, 404, "request_not_found");
        ht_resp_free(&r);
    }
    static const char *const garbage[] = {"/api/v1/requests/abc", "/api/v1/requests/-1",
                                          "/api/v1/requests/0", "/api/v1/requests/999999999999",
                                          "/api/v1/requests/1234567890123456789012"};
    for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
        get(garbage[i], REG_A, &r);
        ck_assert_msg(r.status == 404, "%s: %ld %s", garbage[i], r.status, r.body);
        ht_assert_problem(&r, 404, "request_not_found");
        ht_resp_free(&r);
    }
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *
students_suite(void)
{
    Suite *s = suite_create("http-students");
    int t = ht_timeout(120);

    TCase *tc = tcase_create("list");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_list_pagination);
    tcase_add_test(tc, test_list_filters);
    tcase_add_test(tc, test_list_scoping_and_masking);
    suite_add_tcase(s, tc);

    tc = tcase_create("record");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_get_and_reveal);
    tcase_add_test(tc, test_patch);
    tcase_add_test(tc, test_patch_class_scope);
    tcase_add_test(tc, test_history);
    tcase_add_test(tc, test_lookup);
    tcase_add_test(tc, test_photo);
    suite_add_tcase(s, tc);

    tc = tcase_create("school");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_checkins);
    suite_add_tcase(s, tc);

    tc = tcase_create("sync");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_events);
    tcase_add_test(tc, test_request_get);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    ht_global_init();
    SRunner *sr = srunner_create(students_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}
