/*
 * tests/http/workflow_chain_test.c - the approval engine (workflow/, API.md
 * "Requests", DOMAIN §5 rules 14-18, §7 rule 26), second part: transfer
 * chains (same authority, different authorities, across provinces), the
 * transfer blackout, deadlines and escalation to the holder's superior
 * (强制干预), atomicity of the last approval under an injected fault, key-field
 * changes and the request lists. Single-student types, rules 12-13, actions,
 * races, revert and GET /workflows are in
 * tests/http/workflow_test.c, whose world (schools, classes, accounts) this
 * suite shares:
 *   A 2143019301 小学 in 芙蓉区 430102 (authority 430102), classes 13-1, 13-2, 14-1
 *   B 2143019302 小学 in 芙蓉区 too (same authority), classes 13-1, 13-2
 *   C 2143019303 小学 in 天心区 430103 (another county of 长沙 430100), class 13-1
 *   D 2143019304 小学 in 芙蓉区, managed by the city 430100 directly, class 13-1
 *   H 3443019301 高级中学 in 芙蓉区 (authority 430102), class 31-1
 *   J 2136019301 小学 in 东湖区 360102 (江西 360000), class 13-1
 * Extra servers on the same database: one whose registry date
 * (XUEJI_TODAY) is 30 days back, one on 07-20 (the blackout), one with
 * XUEJI_TEST_FAULT=after_effect.
 */
#include "core/pwhash.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PW "Wf-Workflow-2026!"

#define SCH_A "2143019301"
#define SCH_B "2143019302"
#define SCH_C "2143019303"
#define SCH_D "2143019304"
#define SCH_H "3443019301"
#define SCH_J "2136019301"

enum {
    REG_A,
    REG_B,
    REG_C,
    REG_D,
    REG_H,
    REG_J,
    GRADE_A,
    FURONG,
    TIANXIN,
    CHANGSHA,
    HUNAN,
    DONGHU,
    JIANGXI,
    NACTORS
};

static const struct {
    const char *user, *role, *org, *staff;
} cast[NACTORS] = {
    [REG_A] = {"wf_reg_a", "school", SCH_A, "registrar"},
    [REG_B] = {"wf_reg_b", "school", SCH_B, "registrar"},
    [REG_C] = {"wf_reg_c", "school", SCH_C, "registrar"},
    [REG_D] = {"wf_reg_d", "school", SCH_D, "registrar"},
    [REG_H] = {"wf_reg_h", "school", SCH_H, "registrar"},
    [REG_J] = {"wf_reg_j", "school", SCH_J, "registrar"},
    [GRADE_A] = {"wf_grade_a", "school", SCH_A, "grade_leader"},
    [FURONG] = {"wf_furong", "county", "430102", NULL},
    [TIANXIN] = {"wf_tianxin", "county", "430103", NULL},
    [CHANGSHA] = {"wf_changsha", "city", "430100", NULL},
    [HUNAN] = {"wf_hunan", "province", "430000", NULL},
    [DONGHU] = {"wf_donghu", "county", "360102", NULL},
    [JIANGXI] = {"wf_jiangxi", "province", "360000", NULL},
};

static const char *const shared_env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", NULL};

static ht_server *srv;             /* the server the current test talks to */
static char tokens[NACTORS][1024]; /* logged in by the runner, inherited by each test */
static PGconn *db;                 /* per forked test, opened lazily */

/* ------------------------------------------------------------ database */

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

/* ------------------------------------------------------------ the world */

static void
seed_world(void)
{
    ht_db_exec(tdb(), "SET client_min_messages TO warning"); /* no "already exists" */
    ht_db_exec(tdb(), "CREATE SEQUENCE IF NOT EXISTS wf_seq");
    ht_db_exec(tdb(),
               "INSERT INTO school (code, name, county, authority, province, category) VALUES"
               " ('" SCH_A "', '流程测试芙蓉第一小学', '430102', '430102', '430000', 21),"
               " ('" SCH_B "', '流程测试芙蓉第二小学', '430102', '430102', '430000', 21),"
               " ('" SCH_C "', '流程测试天心小学', '430103', '430103', '430000', 21),"
               " ('" SCH_D "', '流程测试长沙市直属小学', '430102', '430100', '430000', 21),"
               " ('" SCH_H "', '流程测试芙蓉高级中学', '430102', '430102', '430000', 34),"
               " ('" SCH_J "', '流程测试东湖小学', '360102', '360102', '360000', 21)"
               " ON CONFLICT DO NOTHING");
    ht_db_exec(tdb(), "INSERT INTO class (school, grade, number, name) VALUES"
                      " ('" SCH_A "', 13, 1, '三年级(1)班'), ('" SCH_A "', 13, 2, '三年级(2)班'),"
                      " ('" SCH_A "', 14, 1, '四年级(1)班'), ('" SCH_B "', 13, 1, '三年级(1)班'),"
                      " ('" SCH_B "', 13, 2, '三年级(2)班'), ('" SCH_C "', 13, 1, '三年级(1)班'),"
                      " ('" SCH_D "', 13, 1, '三年级(1)班'), ('" SCH_H "', 31, 1, '高一(1)班'),"
                      " ('" SCH_J "', 13, 1, '三年级(1)班')"
                      " ON CONFLICT (school, grade, number) DO NOTHING");
    char hash[CORE_PWHASH_LEN];
    ck_assert_int_eq(core_pwhash(PW, hash), 0);
    for (int i = 0; i < NACTORS; i++) {
        char sql[1024];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO app_user (username, display_name, role, org, staff_role, grade,"
                 " password_hash, must_change_password) VALUES ('%s', '%s', '%s', '%s', %s%s%s,"
                 " %s, '%s', false) ON CONFLICT (username) DO NOTHING",
                 cast[i].user, cast[i].user, cast[i].role, cast[i].org, cast[i].staff ? "'" : "",
                 cast[i].staff ? cast[i].staff : "NULL", cast[i].staff ? "'" : "",
                 i == GRADE_A ? "13" : "NULL", hash);
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

/* ------------------------------------------------------------ HTTP */

/* One request as `who` (-1: anonymous) on server `s`, with an optional JSON body. */
static void
call_on(ht_server *s, const char *method, const char *path, int who, const char *body, ht_resp *out)
{
    char auth[1100];
    const char *h[3];
    int n = 0;
    if (who >= 0) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[who]);
        h[n++] = auth;
    }
    if (body != NULL)
        h[n++] = "Content-Type: application/json";
    h[n] = NULL;
    ck_assert_int_eq(ht_request(s, method, path, h, body, body ? strlen(body) : 0, out), 0);
}

static void
call(const char *method, const char *path, int who, const char *body, ht_resp *out)
{
    call_on(srv, method, path, who, body, out);
}

static long long
jint(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* POST /files: a small PDF of `who`'s org; its id. */
static long long
upload_pdf(int who)
{
    static const char pdf[] = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[who]);
    const char *h[] = {auth, "Content-Type: application/pdf", NULL};
    ht_resp r;
    ck_assert_int_eq(ht_request(srv, "POST", "/api/v1/files", h, pdf, sizeof(pdf) - 1, &r), 0);
    ck_assert_msg(r.status == 201, "upload: %ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "type"), "application/pdf");
    ck_assert_int_eq(jint(r.json, "size"), (long long)sizeof(pdf) - 1);
    long long id = jint(r.json, "id");
    ht_resp_free(&r);
    return id;
}

/* POST /requests as `who` on `s`: `student` is an id or a number, `payload` JSON
   text (NULL: none), `evidence` a JSON array text (NULL: none). */
static void
start_on(ht_server *s, int who, const char *type, const char *student, const char *payload,
         const char *evidence, ht_resp *out)
{
    char body[2048];
    snprintf(body, sizeof(body), "{\"type\":\"%s\",\"student\":\"%s\"%s%s%s%s}", type, student,
             payload ? ",\"payload\":" : "", payload ? payload : "",
             evidence ? ",\"evidence\":" : "", evidence ? evidence : "");
    call_on(s, "POST", "/api/v1/requests", who, body, out);
}

static void
start(int who, const char *type, long long student, const char *payload, const char *evidence,
      ht_resp *out)
{
    char key[24];
    snprintf(key, sizeof(key), "%lld", student);
    start_on(srv, who, type, key, payload, evidence, out);
}

/* The same, expecting 201 open at step 1; the request id. */
static long long
start_ok(int who, const char *type, long long student, const char *payload, const char *evidence)
{
    ht_resp r;
    start(who, type, student, payload, evidence, &r);
    ck_assert_msg(r.status == 201, "start %s: %ld %s", type, r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "type"), type);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "open");
    ck_assert_int_eq(jint(r.json, "current_step"), 1);
    long long id = jint(r.json, "id");
    ht_resp_free(&r);
    return id;
}

/* POST /requests that must fail with `status` and `code`. */
static void
start_fails_at(const char *file, int line, int who, const char *type, long long student,
               const char *payload, const char *evidence, long status, const char *code)
{
    ht_resp r;
    start(who, type, student, payload, evidence, &r);
    ht_assert_problem_at(&r, status, code, file, line);
    ht_resp_free(&r);
}
#define start_fails(...) start_fails_at(__FILE__, __LINE__, __VA_ARGS__)

/* Any call that must fail with `status` and `code`. */
static void
call_fails_at(const char *file, int line, const char *method, const char *path, int who,
              const char *body, long status, const char *code)
{
    ht_resp r;
    call(method, path, who, body, &r);
    ht_assert_problem_at(&r, status, code, file, line);
    ht_resp_free(&r);
}
#define call_fails(...) call_fails_at(__FILE__, __LINE__, __VA_ARGS__)

static void
act_on(ht_server *s, int who, long long rid, const char *action, int step, ht_resp *out)
{
    char path[96], body[128];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", rid);
    if (step > 0)
        snprintf(body, sizeof(body), "{\"action\":\"%s\",\"step\":%d,\"comment\":\"ok\"}", action,
                 step);
    else
        snprintf(body, sizeof(body), "{\"action\":\"%s\"}", action);
    call_on(s, "POST", path, who, body, out);
}

static void
act(int who, long long rid, const char *action, int step, ht_resp *out)
{
    act_on(srv, who, rid, action, step, out);
}

/* Act and expect 200 with the request in `want_state`. */
static void
act_ok(int who, long long rid, const char *action, int step, const char *want_state)
{
    ht_resp r;
    act(who, rid, action, step, &r);
    ck_assert_msg(r.status == 200, "%s step %d of %lld as %s: %ld %s", action, step, rid,
                  cast[who].user, r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), want_state);
    ht_resp_free(&r);
}

/* Act and expect a problem. */
static void
act_fails_at(const char *file, int line, int who, long long rid, const char *action, int step,
             long status, const char *code)
{
    ht_resp r;
    act(who, rid, action, step, &r);
    ht_assert_problem_at(&r, status, code, file, line);
    ht_resp_free(&r);
}
#define act_fails(...) act_fails_at(__FILE__, __LINE__, __VA_ARGS__)

static void
get_request(int who, long long rid, ht_resp *out)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld", rid);
    call("GET", path, who, NULL, out);
}

static const json_t *
step_of(const ht_resp *r, int number)
{
    return json_array_get(json_object_get(r->json, "steps"), (size_t)(number - 1));
}

/* Assert the request's state, current step (0: null) and each step's org and
   state ("org:state" strings, NULL-terminated). */
static void
assert_request(const ht_resp *r, const char *state, int current, const char *const *steps)
{
    ck_assert_msg(r->status == 200 || r->status == 201, "%ld %s", r->status, r->body);
    ck_assert_msg(strcmp(ht_json_str(r->json, "state"), state) == 0, "state %s: %s", state,
                  r->body);
    const json_t *cs = json_object_get(r->json, "current_step");
    if (current == 0)
        ck_assert_msg(json_is_null(cs), "current_step not null: %s", r->body);
    else
        ck_assert_msg(json_integer_value(cs) == current, "current_step %d: %s", current, r->body);
    size_t n = 0;
    for (; steps && steps[n]; n++) {
        char want[64];
        const json_t *st = step_of(r, (int)n + 1);
        snprintf(want, sizeof(want), "%s:%s", ht_json_str(st, "org"), ht_json_str(st, "state"));
        ck_assert_msg(strcmp(want, steps[n]) == 0, "step %zu is %s, not %s: %s", n + 1, want,
                      steps[n], r->body);
        ck_assert_int_eq(jint(st, "number"), (long long)n + 1);
    }
    if (steps)
        ck_assert_msg(json_array_size(json_object_get(r->json, "steps")) == n, "steps: %s",
                      r->body);
}

#define STEPS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void
check_request(int who, long long rid, const char *state, int current, const char *const *steps)
{
    ht_resp r;
    get_request(who, rid, &r);
    assert_request(&r, state, current, steps);
    ht_resp_free(&r);
}

/* The actions of the request, "a,b,c" (a static buffer). */
static const char *
actions_of(int who, long long rid)
{
    static char buf[1024];
    ht_resp r;
    get_request(who, rid, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    buf[0] = '\0';
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(r.json, "actions"), i, a)
    {
        size_t n = strlen(buf);
        snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "", ht_json_str(a, "action"));
    }
    ht_resp_free(&r);
    return buf;
}

/* ------------------------------------------------------------ students */

static char
check_digit(const char *s17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (s17[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

/* A valid resident ID of region 430102, birth `ymd`, `gender` 1/2, sequence `seq`. */
static void
make_id(int ymd, int gender, long long seq, char out[24])
{
    int s = (int)(seq % 500) * 2 + (gender == 1 ? 1 : 0); /* odd digit 17: male */
    snprintf(out, 24, "430102%08d%03d", ymd, s);
    out[17] = check_digit(out);
    out[18] = '\0';
}

typedef struct stu {
    long long id, n;
    int gender, ymd;
    char idnum[24], birth[16], name[64];
} stu;

/* Fresh identity data: born in `year`, a day and sequence drawn from wf_seq. */
static void
stu_make(stu *s, int year)
{
    memset(s, 0, sizeof(*s));
    s->n = count_of("SELECT nextval('wf_seq')");
    struct tm tm = {.tm_year = year - 1900, .tm_mon = 0, .tm_mday = 1 + (int)(s->n % 360)};
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    s->ymd = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    s->gender = s->n % 2 ? 1 : 2;
    make_id(s->ymd, s->gender, s->n / 360, s->idnum);
    snprintf(s->birth, sizeof(s->birth), "%04d-%02d-%02d", s->ymd / 10000, s->ymd / 100 % 100,
             s->ymd % 100);
    snprintf(s->name, sizeof(s->name), "流程学生%lld", s->n);
}

/*
 * Register a student at `reg`'s school in `grade` class 1 and approve the
 * registration as `auth`: an enrolled student with a G number.
 */
static void
enrol(int reg, int auth, int grade, stu *s)
{
    stu_make(s, grade >= 31 ? 2009 : 2016);
    char g[2] = {(char)('0' + s->gender), 0}, gr[4];
    snprintf(gr, sizeof(gr), "%d", grade);
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:f,s:s,s:s,s:s,s:[{s:s,s:s,"
        "s:s,s:s}]}",
        "name", s->name, "gender", g, "birth_date", s->birth, "ethnicity", "01", "nationality",
        "CHN", "id_type", "1", "id_number", s->idnum, "hukou_region", "430102000000", "hukou_type",
        "1", "grade", gr, "class", 1, "enrolled_month", "202209", "entry_mode", "1", "study_mode",
        "1", "source", "1", "distance_km", 1.5, "transport", "1", "school_bus", "0", "phone",
        "13900000000", "family", "name", "流程家长", "relation", "1", "phone", "13700000000",
        "guardian", "1");
    ck_assert_ptr_nonnull(o);
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    ht_resp r;
    call("POST", "/api/v1/students", reg, text, &r);
    free(text);
    ck_assert_msg(r.status == 201, "register %s: %ld %s", s->name, r.status, r.body);
    s->id = jint(json_object_get(r.json, "student"), "id");
    long long rid = jint(json_object_get(r.json, "request"), "id");
    ht_resp_free(&r);
    act_ok(auth, rid, "approve", 1, "approved");
}

static void
get_student(int who, long long id, ht_resp *out)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/students/%lld", id);
    call("GET", path, who, NULL, out);
    ck_assert_msg(out->status == 200, "GET %s as %s: %ld %s", path, cast[who].user, out->status,
                  out->body);
}

/* The student's state, school, grade and class as "state school grade-class". */
static const char *
placement(int who, long long id)
{
    static char buf[128];
    ht_resp r;
    get_student(who, id, &r);
    snprintf(buf, sizeof(buf), "%s %s %s-%lld", ht_json_str(r.json, "state"),
             ht_json_str(r.json, "school"), ht_json_str(r.json, "grade"), jint(r.json, "class"));
    ht_resp_free(&r);
    return buf;
}

/* Does the student's history (read as `who`) hold an entry of `kind` for `rid`? */
static int
history_has(int who, long long id, const char *kind, long long rid)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/students/%lld/history", id);
    ht_resp r;
    call("GET", path, who, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    int found = 0;
    size_t i;
    json_t *h;
    json_array_foreach(json_object_get(r.json, "items"), i, h)
    {
        if (strcmp(ht_json_str(h, "kind"), kind) == 0 && jint(h, "request") == rid)
            found = 1;
    }
    ht_resp_free(&r);
    return found;
}

static long long
events_of(long long rid, const char *type)
{
    return count_of("SELECT count(*) FROM events WHERE request_id = %lld AND type = '%s'", rid,
                    type);
}

#define REASON_DATE "{\"reason\":\"家庭原因\",\"date\":\"2025-03-01\"}"
#define SUSPEND_PAYLOAD                                                                            \
    "{\"reason\":\"病休\",\"start_date\":\"2025-03-01\",\"end_date\":\"2025-09-01\"}"
#define COUNTY_WAITING STEPS("430102:waiting")
#define COUNTY_APPROVED STEPS("430102:approved")
/* ------------------------------------------------------------ helpers of this part */

/* Today in China (UTC+8) moved by `days`, as YYYY-MM-DD. */
static void
china_date(int days, char out[16])
{
    time_t t = time(NULL) + 8 * 3600 + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

/* Another xuejid on the same database with `extra` in its environment. */
static ht_server *
server_with(const char *extra)
{
    const char *env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", extra, NULL};
    ht_server *s = ht_server_start(env);
    ck_assert_msg(s != NULL, "xuejid with %s did not start", extra);
    return s;
}

/* The full student number, revealed by `reg` (the sending school's registrar). */
static void
full_number(int reg, long long id, char out[32])
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/students/%lld?reveal=id_number", id);
    ht_resp r;
    call("GET", path, reg, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    snprintf(out, 32, "%s", ht_json_str(r.json, "student_number"));
    ht_resp_free(&r);
    ck_assert_msg(out[0] == 'G' && strlen(out) == 19, "student number %s", out);
}

/* The status of GET /students/{id} as `who`. */
static long
student_status(int who, long long id)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/students/%lld", id);
    ht_resp r;
    call("GET", path, who, NULL, &r);
    long st = r.status;
    ht_resp_free(&r);
    return st;
}

/* The province's settings: province_approves_transfers = true (as its account). */
static void
province_approves_transfers(int who, const char *region)
{
    char path[96], auth[1100], im[64];
    snprintf(path, sizeof(path), "/api/v1/regions/%s/settings", region);
    ht_resp r;
    call("GET", path, who, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    snprintf(im, sizeof(im), "If-Match: %s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[who]);
    const char *h[] = {auth, "Content-Type: application/json", im, NULL};
    const char *body = "{\"settings\":{\"province_approves_transfers\":true}}";
    ck_assert_int_eq(ht_request(srv, "PUT", path, h, body, strlen(body), &r), 0);
    ck_assert_msg(r.status == 200, "PUT %s: %ld %s", path, r.status, r.body);
    ht_resp_free(&r);
}

/* The item of request `rid` in GET `query` as `who` (all pages), or NULL; the
   caller decrefs. */
static json_t *
list_find(int who, const char *query, long long rid)
{
    char path[256], cursor[32] = "";
    for (int page = 0; page < 50; page++) {
        snprintf(path, sizeof(path), "/api/v1/requests?%s&limit=100%s%s", query,
                 cursor[0] ? "&cursor=" : "", cursor);
        ht_resp r;
        call("GET", path, who, NULL, &r);
        ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
        json_t *found = NULL, *x;
        size_t i;
        json_array_foreach(json_object_get(r.json, "items"), i, x) if (jint(x, "id") == rid) found =
            json_incref(x);
        const char *next = ht_json_str(r.json, "next_cursor");
        snprintf(cursor, sizeof(cursor), "%s", next ? next : "");
        ht_resp_free(&r);
        if (found || cursor[0] == '\0')
            return found;
    }
    return NULL;
}

static int
listed(int who, const char *query, long long rid)
{
    json_t *x = list_find(who, query, rid);
    json_decref(x);
    return x != NULL;
}

/* ------------------------------------------------------------ 3: transfers */

/* (a) Same authority: sending school, then the county once; then a revert. */
START_TEST(test_transfer_same_authority)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char num[32];
    full_number(REG_A, s.id, num);
    ht_resp r;

    /* the receiving school is the caller; a transfer names the student by number */
    start_on(srv, REG_C, "transfer", num, "{\"to_school\":\"" SCH_B "\"}", NULL, &r);
    ht_assert_problem(&r, 422, "to_school_not_caller");
    ht_resp_free(&r);
    start_fails(REG_B, "transfer", s.id, "{\"to_school\":\"" SCH_B "\"}", NULL, 404,
                "student_not_found");
    start_on(srv, REG_A, "transfer", num, "{\"to_school\":\"" SCH_A "\"}", NULL, &r);
    ht_assert_problem(&r, 422, "transition_not_allowed");
    ht_resp_free(&r);
    start_on(srv, REG_B, "transfer", num, "{\"to_school\":\"" SCH_B "\",\"class\":9}", NULL, &r);
    ht_assert_problem(&r, 422, "class_not_found");
    ht_resp_free(&r);
    ck_assert_int_eq(student_status(REG_B, s.id), 404); /* not a party yet */

    start_on(srv, REG_B, "transfer", num, "{\"to_school\":\"" SCH_B "\",\"class\":2}", NULL, &r);
    assert_request(&r, "open", 1, STEPS(SCH_A ":waiting", "430102:pending"));
    ck_assert_str_eq(ht_json_str(r.json, "school"), SCH_A);
    ck_assert_str_eq(ht_json_str(r.json, "started_org"), SCH_B);
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    /* rule 12 holds for transfers too */
    start_fails(REG_A, "go_abroad", s.id, REASON_DATE, NULL, 409, "student_in_flight");
    /* rule 26: the receiving school sees the record while the transfer is open */
    ck_assert_int_eq(student_status(REG_B, s.id), 200);
    ck_assert_int_eq(student_status(REG_C, s.id), 404);

    act_fails(FURONG, rid, "approve", 1, 403, "not_step_holder");
    act_fails(REG_B, rid, "approve", 1, 403, "not_step_holder");
    act_ok(REG_A, rid, "approve", 1, "open");
    check_request(REG_B, rid, "open", 2, STEPS(SCH_A ":approved", "430102:waiting"));
    act_fails(REG_A, rid, "approve", 1, 409, "step_already_decided");
    act_fails(REG_A, rid, "approve", 2, 403, "not_step_holder");
    /* rule 15: only the receiving school withdraws */
    act_fails(REG_A, rid, "withdraw", 0, 403, "not_request_starter");
    act_ok(FURONG, rid, "approve", 2, "approved");
    check_request(REG_B, rid, "approved", 0, STEPS(SCH_A ":approved", "430102:approved"));
    act_fails(REG_B, rid, "withdraw", 0, 409, "step_already_decided");

    /* at the receiving school: grade kept, class from the payload */
    ck_assert_str_eq(placement(REG_B, s.id), "enrolled " SCH_B " 13-2");
    ck_assert_int_eq(student_status(REG_A, s.id), 404);
    ck_assert(history_has(FURONG, s.id, "transfer", rid));
    ck_assert_int_eq(events_of(rid, "request.decided"), 2);
    ck_assert_str_eq(actions_of(REG_B, rid), "start,approve,approve");

    /* 异动纠错: the county puts the student back */
    call_fails("POST", "/api/v1/requests/0/revert", FURONG, "{}", 404, "request_not_found");
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    call_fails("POST", path, REG_B, "{}", 403, "forbidden");
    call("POST", path, FURONG, "{\"comment\":\"转错了\"}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "reverted");
    ht_resp_free(&r);
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    ck_assert(history_has(FURONG, s.id, "revert", rid));
    ck_assert(history_has(FURONG, s.id, "transfer", rid));
}
END_TEST

/* (b) Different authorities: receiving authority, sending school, sending authority. */
START_TEST(test_transfer_other_county)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char num[32];
    full_number(REG_A, s.id, num);
    ht_resp r;
    start_on(srv, REG_C, "transfer", num, "{}", NULL, &r); /* to_school defaults to the caller */
    assert_request(&r, "open", 1, STEPS("430103:waiting", SCH_A ":pending", "430102:pending"));
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    act_fails(FURONG, rid, "approve", 1, 403, "not_step_holder");
    act_fails(REG_A, rid, "approve", 1, 403, "not_step_holder");
    act_ok(TIANXIN, rid, "approve", 1, "open");
    act_fails(TIANXIN, rid, "approve", 2, 403, "not_step_holder");
    act_ok(REG_A, rid, "approve", 2, "open");
    act_fails(TIANXIN, rid, "approve", 3, 403, "not_step_holder");
    act_fails(FURONG, rid, "approve", 2, 409, "step_already_decided");
    act_ok(FURONG, rid, "approve", 3, "approved");
    check_request(REG_C, rid, "approved", 0,
                  STEPS("430103:approved", SCH_A ":approved", "430102:approved"));
    ck_assert_str_eq(placement(REG_C, s.id), "enrolled " SCH_C " 13-1");
    ck_assert_int_eq(student_status(REG_A, s.id), 404);
    ck_assert_int_eq(student_status(FURONG, s.id), 404);
    ck_assert_int_eq(student_status(TIANXIN, s.id), 200);
}
END_TEST

/* (b) A school the city manages directly; withdrawn by the receiving school. */
START_TEST(test_transfer_city_school_withdrawn)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char num[32];
    full_number(REG_A, s.id, num);
    ht_resp r;
    start_on(srv, REG_D, "transfer", num, "{\"to_school\":\"" SCH_D "\",\"grade\":\"13\"}", NULL,
             &r);
    assert_request(&r, "open", 1, STEPS("430100:waiting", SCH_A ":pending", "430102:pending"));
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    ck_assert_int_eq(student_status(REG_D, s.id), 200);
    act_ok(CHANGSHA, rid, "approve", 1, "open");
    act_ok(REG_A, rid, "approve", 2, "open");
    act_fails(REG_A, rid, "withdraw", 0, 403, "not_request_starter");
    act_fails(FURONG, rid, "withdraw", 0, 403, "not_request_starter");
    act_ok(REG_D, rid, "withdraw", 0, "withdrawn");
    check_request(REG_A, rid, "withdrawn", 0, NULL);
    act_fails(FURONG, rid, "approve", 3, 409, "step_already_decided");
    /* the party's view ends with the transfer */
    ck_assert_int_eq(student_status(REG_D, s.id), 404);
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    ck_assert_str_eq(actions_of(REG_A, rid), "start,approve,approve,withdraw");
    /* and the student is free for a new request */
    long long again = start_ok(REG_A, "missing", s.id, REASON_DATE, NULL);
    act_ok(REG_A, again, "withdraw", 0, "withdrawn");
}
END_TEST

/* (c) Across provinces, both of which approve transfers by their settings. */
START_TEST(test_transfer_across_provinces)
{
    province_approves_transfers(HUNAN, "430000");
    province_approves_transfers(JIANGXI, "360000");
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char num[32];
    full_number(REG_A, s.id, num);
    ht_resp r;
    start_on(srv, REG_J, "transfer", num, "{\"to_school\":\"" SCH_J "\",\"class\":1}", NULL, &r);
    assert_request(&r, "open", 1,
                   STEPS("360102:waiting", "360000:pending", SCH_A ":pending", "430102:pending",
                         "430000:pending"));
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    static const int holder[] = {DONGHU, JIANGXI, REG_A, FURONG, HUNAN};
    for (int step = 1; step <= 5; step++) {
        int wrong = holder[step % 5]; /* another party of the chain */
        act_fails(wrong, rid, "approve", step, 403, "not_step_holder");
        act_ok(holder[step - 1], rid, "approve", step, step == 5 ? "approved" : "open");
    }
    ck_assert_str_eq(placement(REG_J, s.id), "enrolled " SCH_J " 13-1");
    ck_assert_int_eq(student_status(REG_A, s.id), 404);
    ck_assert_int_eq(student_status(HUNAN, s.id), 404);
    ck_assert_int_eq(student_status(JIANGXI, s.id), 200);
    ck_assert(history_has(DONGHU, s.id, "transfer", rid));
}
END_TEST

/* Rule 16: no new transfer from 07-15 to 08-14; one in flight continues. */
START_TEST(test_transfer_blackout)
{
    stu s, t;
    enrol(REG_A, FURONG, 13, &s);
    enrol(REG_A, FURONG, 13, &t);
    char num[32], today[16], env[40];
    full_number(REG_A, s.id, num);
    long long inflight;
    {
        char tnum[32];
        full_number(REG_A, t.id, tnum);
        ht_resp r;
        start_on(srv, REG_B, "transfer", tnum, "{}", NULL, &r);
        ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
        inflight = jint(r.json, "id");
        ht_resp_free(&r);
    }
    china_date(0, today);
    snprintf(env, sizeof(env), "XUEJI_TODAY=%.4s-07-20", today);
    ht_server *b = server_with(env);
    ht_resp r;
    start_on(b, REG_B, "transfer", num, "{}", NULL, &r);
    ht_assert_problem(&r, 409, "transfer_blackout");
    ht_resp_free(&r);
    /* other requests go on, and so does the transfer in flight */
    act_on(b, REG_A, inflight, "approve", 1, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    act_on(b, FURONG, inflight, "approve", 2, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "approved");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_server_stop(b), 0);
    /* the same start on the real date */
    start_on(srv, REG_B, "transfer", num, "{}", NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ 6: deadlines */

/* Rule 14: an overdue step stays with its holder, flagged, and is escalated to
   the holder's superior, which may force a decision. */
START_TEST(test_overdue_escalation)
{
    stu s, t;
    enrol(REG_A, FURONG, 13, &s);
    enrol(REG_A, FURONG, 13, &t);
    char past[16], env[40];
    china_date(-30, past);
    snprintf(env, sizeof(env), "XUEJI_TODAY=%s", past);
    ht_server *p = server_with(env);
    char key[24];
    snprintf(key, sizeof(key), "%lld", s.id);
    ht_resp r;
    start_on(p, REG_A, "go_abroad", key, REASON_DATE, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long rid = jint(r.json, "id");
    char due[32];
    snprintf(due, sizeof(due), "%s", ht_json_str(step_of(&r, 1), "due_at"));
    ht_resp_free(&r);
    ck_assert_int_eq(ht_server_stop(p), 0);
    ck_assert_int_eq(count_of("SELECT count(*) FROM request_step WHERE request_id = %lld"
                              " AND due_at < now()",
                              rid),
                     1);
    long long fresh = start_ok(REG_A, "go_abroad", t.id, REASON_DATE, NULL);

    /* the holder: flagged */
    json_t *x = list_find(FURONG, "box=todo", rid);
    ck_assert_msg(x != NULL, "not in the holder's todo");
    ck_assert(json_is_true(json_object_get(x, "overdue")));
    ck_assert(json_is_false(json_object_get(x, "escalated")));
    ck_assert_str_eq(ht_json_str(x, "due_at"), due);
    json_decref(x);
    /* the superior: escalated; not a fresh request */
    x = list_find(CHANGSHA, "box=todo", rid);
    ck_assert_msg(x != NULL, "not in the superior's todo");
    ck_assert(json_is_true(json_object_get(x, "overdue")));
    ck_assert(json_is_true(json_object_get(x, "escalated")));
    json_decref(x);
    ck_assert(!listed(CHANGSHA, "box=todo", fresh));
    ck_assert(!listed(HUNAN, "box=todo", rid));
    ck_assert(!listed(TIANXIN, "box=todo", rid));
    act_fails(CHANGSHA, fresh, "approve", 1, 403, "not_step_holder");

    /* neither a sibling county nor the province forces it */
    act(TIANXIN, rid, "approve", 1, &r);
    ck_assert_msg(r.status == 404 || r.status == 403, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    act_fails(HUNAN, rid, "approve", 1, 403, "not_step_holder");
    /* the superior does (强制干预) */
    act_ok(CHANGSHA, rid, "approve", 1, "approved");
    ck_assert_str_eq(actions_of(CHANGSHA, rid), "start,forced_approve");
    ck_assert_int_eq(count_of("SELECT count(*) FROM request_step WHERE request_id = %lld"
                              " AND forced AND state = 'approved'",
                              rid),
                     1);
    ck_assert_str_eq(placement(REG_A, s.id), "abroad " SCH_A " 13-1");
    ck_assert(!listed(CHANGSHA, "box=todo", rid));
    ck_assert(!listed(FURONG, "box=todo", rid));
    act_ok(FURONG, fresh, "approve", 1, "approved");
}
END_TEST

/* ------------------------------------------------------------ 7: atomicity */

/* Counts of history, events and actions, and the states of student, request and steps. */
#define SNAP                                                                                       \
    "SELECT (SELECT count(*) FROM student_history WHERE student_id = %lld) || ' ' ||"              \
    " (SELECT count(*) FROM events WHERE student_id = %lld) || ' ' ||"                             \
    " (SELECT count(*) FROM request_action WHERE request_id = %lld) || ' ' ||"                     \
    " (SELECT state || version FROM student WHERE id = %lld) || ' ' ||"                            \
    " (SELECT state || current_step || version FROM request WHERE id = %lld) || ' ' ||"            \
    " (SELECT string_agg(state || coalesce(decided_by, 0), ',') FROM request_step"                 \
    " WHERE request_id = %lld)"

/* Rule 17: a fault after the effect and before the commit leaves nothing behind. */
START_TEST(test_fault_after_effect)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char ev[32];
    snprintf(ev, sizeof(ev), "[%lld]", upload_pdf(REG_A));
    long long rid = start_ok(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, ev);
    char before[512];
    snprintf(before, sizeof(before), "%s", scalar(SNAP, s.id, s.id, rid, s.id, rid, rid));

    ht_server *f = server_with("XUEJI_TEST_FAULT=after_effect");
    ht_resp r;
    act_on(f, FURONG, rid, "approve", 1, &r);
    ht_assert_problem(&r, 500, "internal_error");
    ht_resp_free(&r);
    act_on(f, FURONG, rid, "reject", 1, &r);
    ht_assert_problem(&r, 500, "internal_error");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_server_stop(f), 0);

    ck_assert_str_eq(scalar(SNAP, s.id, s.id, rid, s.id, rid, rid), before);
    check_request(REG_A, rid, "open", 1, COUNTY_WAITING);
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    /* and the real server still approves it */
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "suspended " SCH_A " 13-1");
}
END_TEST

/* ------------------------------------------------------------ 9: key fields */

/* 关键信息变更: a name, with evidence; history names the field. */
START_TEST(test_key_field_name)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char ev[32], body[256], name[64];
    snprintf(ev, sizeof(ev), "[%lld]", upload_pdf(REG_A));
    snprintf(name, sizeof(name), "新名%lld", s.n);
    snprintf(body, sizeof(body), "{\"changes\":{\"name\":\"%s\"}}", name);
    ht_resp r;
    start_fails(REG_A, "key_field_change", s.id, body, NULL, 422, "evidence_required");
    start_fails(REG_A, "key_field_change", s.id, "{\"changes\":{\"grade\":\"14\"}}", ev, 422,
                "not_a_key_field");
    start(REG_A, "key_field_change", s.id, "{\"changes\":{}}", ev, &r);
    ck_assert_int_eq(r.status, 422);
    ht_resp_free(&r);
    snprintf(body, sizeof(body), "{\"changes\":{\"name\":\"%s\"}}", s.name);
    start_fails(REG_A, "key_field_change", s.id, body, ev, 422, "nothing_changes");

    snprintf(body, sizeof(body), "{\"changes\":{\"name\":\"%s\"}}", name);
    start(REG_A, "key_field_change", s.id, body, ev, &r);
    assert_request(&r, "open", 1, COUNTY_WAITING);
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "approve", 1, "approved");
    get_student(REG_A, s.id, &r);
    ck_assert_str_eq(ht_json_str(r.json, "name"), name);
    ht_resp_free(&r);
    ck_assert(history_has(FURONG, s.id, "key_field_change", rid));
    ck_assert_int_eq(
        count_of("SELECT count(*) FROM student_history WHERE request_id = %lld"
                 " AND kind = 'key_field_change' AND changes @> '[{\"field\":\"/name\"}]'",
                 rid),
        1);
    ck_assert_int_eq(events_of(rid, "request.decided"), 1);
    /* not revertible (its effect keeps no snapshot) */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    call_fails("POST", path, FURONG, "{}", 422, "not_revertible");
}
END_TEST

/* A new ID number with renumbering: the province approves too; a new G number. */
START_TEST(test_key_field_renumber)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char old[32], id2[24], ev[32], body[256], m[24];
    full_number(REG_A, s.id, old);
    long long n2 = count_of("SELECT nextval('wf_seq')");
    make_id(s.ymd, s.gender, 499 - n2 % 100, id2); /* same birth date and gender */
    ck_assert_str_ne(id2, s.idnum);
    snprintf(ev, sizeof(ev), "[%lld]", upload_pdf(REG_A));
    snprintf(body, sizeof(body), "{\"changes\":{\"id_number\":\"%s\"},\"renumber\":true}", id2);
    ht_resp r;
    start(REG_A, "key_field_change", s.id, body, ev, &r);
    assert_request(&r, "open", 1, STEPS("430102:waiting", "430000:pending"));
    long long rid = jint(r.json, "id");
    snprintf(m, sizeof(m), "%.4s**********%s", id2, id2 + 14);
    const json_t *ch = json_object_get(json_object_get(r.json, "payload"), "changes");
    ck_assert_str_eq(ht_json_str(ch, "id_number"), m);
    ck_assert_msg(strstr(r.body, id2) == NULL, "plaintext ID in %s", r.body);
    ht_resp_free(&r);
    get_request(FURONG, rid, &r);
    ck_assert_msg(strstr(r.body, id2) == NULL, "plaintext ID in %s", r.body);
    ht_resp_free(&r);
    ck_assert_int_eq(count_of("SELECT count(*) FROM request r WHERE id = %lld"
                              " AND strpos(r::text, '%s') = 0 AND strpos(payload::text, '%s') = 0",
                              rid, id2, id2),
                     1);

    act_fails(HUNAN, rid, "approve", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "approve", 1, "open");
    act_fails(FURONG, rid, "approve", 2, 403, "not_step_holder");
    act_ok(HUNAN, rid, "approve", 2, "approved");

    /* the new G number resolves, the old one no longer does */
    char key[32], path[64];
    snprintf(key, sizeof(key), "G%s", id2);
    snprintf(path, sizeof(path), "/api/v1/students/%s", key);
    call("GET", path, REG_A, NULL, &r);
    ck_assert_msg(r.status == 200, "%s: %ld %s", key, r.status, r.body);
    ck_assert_int_eq(jint(r.json, "id"), s.id);
    ht_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/students/%s", old);
    call_fails("GET", path, REG_A, NULL, 404, "student_not_found");
    char now[32];
    full_number(REG_A, s.id, now);
    ck_assert_str_eq(now, key);
    ck_assert(history_has(FURONG, s.id, "key_field_change", rid));
    /* nothing of the plaintext in the rows the request wrote */
    ck_assert_int_eq(count_of("SELECT count(*) FROM request r WHERE id = %lld"
                              " AND strpos(r::text, '%s') = 0",
                              rid, id2),
                     1);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student_history h WHERE request_id = %lld"
                              " AND strpos(h::text, '%s') > 0",
                              rid, id2),
                     0);
    ck_assert_int_eq(count_of("SELECT count(*) FROM events e WHERE request_id = %lld"
                              " AND strpos(e::text, '%s') > 0",
                              rid, id2),
                     0);
}
END_TEST

/* A new ID that another active student holds: the request fails, a problem opens. */
START_TEST(test_key_field_duplicate)
{
    stu u, v;
    enrol(REG_A, FURONG, 13, &u);
    enrol(REG_B, FURONG, 13, &v);
    char ev[32], body[512];
    snprintf(ev, sizeof(ev), "[%lld]", upload_pdf(REG_A));
    snprintf(body, sizeof(body),
             "{\"changes\":{\"id_number\":\"%s\",\"birth_date\":\"%s\",\"gender\":\"%d\"}}",
             v.idnum, v.birth, v.gender);
    ht_resp r;
    start(REG_A, "key_field_change", u.id, body, ev, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    long long problems = count_of("SELECT count(*) FROM problem");

    act(FURONG, rid, "approve", 1, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "rejected");
    ck_assert_msg(json_is_null(json_object_get(r.json, "current_step")), "%s", r.body);
    ht_resp_free(&r);
    ck_assert_int_eq(count_of("SELECT count(*) FROM problem"), problems + 1);
    ck_assert_int_eq(
        count_of("SELECT count(*) FROM problem WHERE kind = 'duplicate_id'"
                 " AND state = 'open' AND student_id = %lld AND other_student_id = %lld",
                 u.id, v.id),
        1);
    /* the ID is unchanged */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/students/%lld?reveal=id_number", u.id);
    call("GET", path, REG_A, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), u.idnum);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "enrolled");
    ht_resp_free(&r);
    /* rule 12: an open problem stops new requests */
    start_fails(REG_A, "go_abroad", u.id, REASON_DATE, NULL, 409, "student_has_problem");
    ck_assert_int_eq(count_of("SELECT count(*) FROM request r WHERE id = %lld"
                              " AND strpos(r::text, '%s') = 0",
                              rid, v.idnum),
                     1);
}
END_TEST
/* ------------------------------------------------------------ 10: request lists */

START_TEST(test_lists)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    long long open = start_ok(REG_A, "missing", s.id, REASON_DATE, NULL);

    /* todo: waiting at the caller's org */
    json_t *x = list_find(FURONG, "box=todo", open);
    ck_assert_msg(x != NULL, "not in the county's todo");
    ck_assert(json_is_false(json_object_get(x, "overdue")));
    ck_assert(json_is_false(json_object_get(x, "escalated")));
    ck_assert_str_eq(ht_json_str(x, "state"), "open");
    json_decref(x);
    ck_assert(listed(FURONG, "box=todo&type=missing", open));
    ck_assert(!listed(FURONG, "box=todo&type=go_abroad", open));
    ck_assert(!listed(REG_A, "box=todo", open));
    ck_assert(!listed(CHANGSHA, "box=todo", open)); /* not overdue: not escalated */
    ck_assert(!listed(TIANXIN, "box=todo", open));
    /* mine: started by the caller's org */
    ck_assert(listed(REG_A, "box=mine", open));
    ck_assert(listed(REG_A, "box=mine&state=open&type=missing", open));
    ck_assert(!listed(REG_A, "box=mine&state=approved", open));
    ck_assert(!listed(REG_B, "box=mine", open));
    ck_assert(!listed(FURONG, "box=mine", open));
    /* all: within jurisdiction */
    ck_assert(listed(REG_A, "box=all", open));
    ck_assert(listed(FURONG, "box=all", open));
    ck_assert(listed(CHANGSHA, "box=all", open));
    ck_assert(listed(HUNAN, "box=all&state=open", open));
    ck_assert(!listed(TIANXIN, "box=all", open));
    ck_assert(!listed(REG_B, "box=all", open));
    ck_assert(!listed(JIANGXI, "box=all", open));

    act_ok(FURONG, open, "approve", 1, "approved");
    ck_assert(!listed(FURONG, "box=todo", open));
    ck_assert(listed(FURONG, "box=all&state=approved&type=missing", open));
    ck_assert(!listed(FURONG, "box=all&state=open", open));
    ck_assert(listed(REG_A, "box=mine&state=approved", open));

    /* bad parameters */
    static const char *const bad[] = {"box=inbox",         "box=todo&state=done",
                                      "box=all&type=nope", "box=all&cursor=abc",
                                      "box=all&limit=0",   NULL};
    for (const char *const *q = bad; *q; q++) {
        char path[128];
        snprintf(path, sizeof(path), "/api/v1/requests?%s", *q);
        ht_resp r;
        call("GET", path, FURONG, NULL, &r);
        ck_assert_msg(r.status == 400, "%s: %ld %s", *q, r.status, r.body);
        ht_resp_free(&r);
    }
    ht_resp r;
    call("GET", "/api/v1/requests?box=all", -1, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    ht_resp_free(&r);
    /* a grade leader has no request lists */
    call_fails("GET", "/api/v1/requests?box=all", GRADE_A, NULL, 403, "forbidden");
    /* paging: limit=1 walks with next_cursor */
    call("GET", "/api/v1/requests?box=mine&limit=1", REG_A, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ck_assert_ptr_nonnull(ht_json_str(r.json, "next_cursor"));
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_shared_server_exited_cleanly)
{
    ht_assert_shared_exits();
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
workflow_chain_suite(void)
{
    Suite *s = suite_create("http-workflow-chain");
    TCase *tc = shared_tcase("transfers", 120);
    tcase_add_test(tc, test_transfer_same_authority);
    tcase_add_test(tc, test_transfer_other_county);
    tcase_add_test(tc, test_transfer_city_school_withdrawn);
    tcase_add_test(tc, test_transfer_across_provinces);
    suite_add_tcase(s, tc);

    /* each starts a server of its own next to the shared one */
    tc = shared_tcase("other-servers", 180);
    tcase_add_test(tc, test_transfer_blackout);
    tcase_add_test(tc, test_overdue_escalation);
    tcase_add_test(tc, test_fault_after_effect);
    suite_add_tcase(s, tc);

    tc = shared_tcase("changes", 120);
    tcase_add_test(tc, test_key_field_name);
    tcase_add_test(tc, test_key_field_renumber);
    tcase_add_test(tc, test_key_field_duplicate);
    tcase_add_test(tc, test_lists);
    suite_add_tcase(s, tc);

    /* last: the shared server exits 0 (ASan and UBSan reports exit non-zero) */
    tc = tcase_create("clean-exit");
    tcase_add_unchecked_fixture(tc, ht_shared_stop, NULL);
    tcase_add_test(tc, test_shared_server_exited_cleanly);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    ht_global_init();
    SRunner *sr = srunner_create(workflow_chain_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    close_db();
    ht_global_cleanup();
    return failed != 0;
}
