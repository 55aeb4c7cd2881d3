/*
 * tests/http/workflow_test.c - the approval engine (workflow/, API.md
 * "Requests", DOMAIN §5 rules 12-19) end to end through xuejid: every
 * single-student type with the right and the wrong org, rules 12 and 13 (also
 * under a race), the actions (reject, return, resubmit, stale steps, holders),
 * two approvals of one step at once, revert (异动纠错) and GET /workflows.
 * Transfers, deadlines, atomicity, key-field changes and the request lists
 * are in tests/http/workflow_chain_test.c. graduation_revert is not tested:
 * no request type graduates a student yet, so no student can be `graduated`.
 *
 * The world (SQL, idempotent, shared with workflow_chain_test.c; codes and
 * usernames no other suite uses):
 *   A 2143019301 小学 in 芙蓉区 430102 (authority 430102), classes 13-1, 13-2, 14-1
 *   B 2143019302 小学 in 芙蓉区 too (same authority), classes 13-1, 13-2
 *   C 2143019303 小学 in 天心区 430103 (another county of 长沙 430100), class 13-1
 *   D 2143019304 小学 in 芙蓉区, managed by the city 430100 directly, class 13-1
 *   H 3443019301 高级中学 in 芙蓉区 (authority 430102), class 31-1
 *   J 2136019301 小学 in 东湖区 360102 (江西 360000), class 13-1
 *   registrars wf_reg_a .. wf_reg_j, a grade leader of A (grade 13), bureaus
 *   芙蓉区, 天心区, 长沙市, 湖南省, 东湖区, 江西省.
 * Students are registered through POST /api/v1/students (valid GB 11643 IDs
 * from the sequence wf_seq, region 430102) and approved by their authority.
 */
#include "core/pwhash.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <pthread.h>
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

/* After the last approval: history and the change-feed event are there. */
static void
assert_applied(long long student, long long rid, const char *kind)
{
    ck_assert_msg(history_has(FURONG, student, kind, rid), "no history %s of %lld", kind, rid);
    ck_assert_int_eq(events_of(rid, "request.decided"), 1);
    ck_assert_int_eq(events_of(rid, "request.started"), 1);
}

#define REASON_DATE "{\"reason\":\"家庭原因\",\"date\":\"2025-03-01\"}"
#define SUSPEND_PAYLOAD                                                                            \
    "{\"reason\":\"病休\",\"start_date\":\"2025-03-01\",\"end_date\":\"2025-09-01\"}"
#define COUNTY_WAITING STEPS("430102:waiting")
#define COUNTY_APPROVED STEPS("430102:approved")

/* ------------------------------------------------------------ 1: single-student types */

/* Suspend (休学, with evidence, rule 19) and resume (复学), the right and the wrong orgs. */
START_TEST(test_suspend_and_resume)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    long long mine = upload_pdf(REG_A), theirs = upload_pdf(REG_B);
    char ev[64];
    ht_resp r;

    /* evidence: required, and the caller's org's own */
    start_fails(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, NULL, 422, "evidence_required");
    snprintf(ev, sizeof(ev), "[%lld]", theirs);
    start_fails(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, ev, 422, "file_not_found");
    start_fails(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, "[999999999]", 422, "file_not_found");
    /* not JPEG, PNG or PDF */
    {
        char auth[1100];
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[REG_A]);
        const char *h[] = {auth, "Content-Type: text/plain", NULL};
        ck_assert_int_eq(ht_request(srv, "POST", "/api/v1/files", h, "hello", 5, &r), 0);
        ht_assert_problem(&r, 422, "file_bad_format");
        ht_resp_free(&r);
    }
    /* a county does not start requests; a grade leader neither */
    snprintf(ev, sizeof(ev), "[%lld]", mine);
    start(FURONG, "suspend", s.id, SUSPEND_PAYLOAD, ev, &r);
    ck_assert_msg(r.status == 403 || r.status == 404, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    start(GRADE_A, "suspend", s.id, SUSPEND_PAYLOAD, ev, &r);
    ck_assert_msg(r.status == 403 || r.status == 404, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    start(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, ev, &r);
    assert_request(&r, "open", 1, COUNTY_WAITING);
    ck_assert_str_eq(ht_json_str(r.json, "school"), SCH_A);
    ck_assert_str_eq(ht_json_str(r.json, "started_org"), SCH_A);
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "payload"), "reason"), "病休");
    ck_assert_msg(ht_json_str(step_of(&r, 1), "due_at") != NULL, "%s", r.body);
    long long rid = jint(r.json, "id");
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/requests/%lld", rid);
    ck_assert_str_eq(ht_header(&r, "location"), loc);
    ht_resp_free(&r);
    ck_assert_str_eq(actions_of(REG_A, rid), "start");

    /* wrong orgs: the school itself, the city (not overdue), a sibling county */
    act_fails(REG_A, rid, "approve", 1, 403, "not_step_holder");
    act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
    act_fails(TIANXIN, rid, "approve", 1, 404, "request_not_found");
    act_fails(FURONG, rid, "approve", 2, 409, "step_already_decided");
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");

    act_ok(FURONG, rid, "approve", 1, "approved");
    check_request(REG_A, rid, "approved", 0, COUNTY_APPROVED);
    ck_assert_str_eq(actions_of(FURONG, rid), "start,approve");
    ck_assert_str_eq(placement(REG_A, s.id), "suspended " SCH_A " 13-1");
    assert_applied(s.id, rid, "suspend");
    ck_assert_int_eq(
        count_of("SELECT count(*) FROM request WHERE id = %lld AND evidence = '{%lld}'", rid, mine),
        1);

    /* resume: only from suspended */
    rid = start_ok(REG_A, "resume", s.id, NULL, NULL);
    act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    assert_applied(s.id, rid, "resume");
}
END_TEST

/* Withdraw (退学): senior secondary only; then restore from withdrawn. */
START_TEST(test_withdraw_senior_only)
{
    stu p, h;
    enrol(REG_A, FURONG, 13, &p);
    start_fails(REG_A, "withdraw", p.id, REASON_DATE, NULL, 422, "transition_not_allowed");

    enrol(REG_H, FURONG, 31, &h);
    /* reason and date are required */
    start_fails(REG_H, "withdraw", h.id, "{\"reason\":\"x\"}", NULL, 422, "missing_field");
    start_fails(REG_H, "withdraw", h.id, "{\"reason\":\"x\",\"date\":\"2025-02-30\"}", NULL, 422,
                "invalid_date");
    long long rid = start_ok(REG_H, "withdraw", h.id, REASON_DATE, NULL);
    check_request(REG_H, rid, "open", 1, COUNTY_WAITING);
    act_fails(REG_H, rid, "approve", 1, 403, "not_step_holder");
    act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_H, h.id), "withdrawn " SCH_H " 31-1");
    assert_applied(h.id, rid, "withdraw");

    rid = start_ok(REG_H, "restore", h.id, NULL, NULL);
    act_fails(TIANXIN, rid, "approve", 1, 404, "request_not_found");
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_H, h.id), "enrolled " SCH_H " 31-1");
    assert_applied(h.id, rid, "restore");
}
END_TEST

/* go_abroad, leave_other, missing, drop_out, each then restored (恢复). */
START_TEST(test_leave_types_and_restore)
{
    static const struct {
        const char *type, *state;
    } leave[] = {{"go_abroad", "abroad"},
                 {"leave_other", "left_other"},
                 {"missing", "missing"},
                 {"drop_out", "dropped_out"}};
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    for (size_t i = 0; i < sizeof(leave) / sizeof(leave[0]); i++) {
        long long rid = start_ok(REG_A, leave[i].type, s.id, REASON_DATE, NULL);
        check_request(FURONG, rid, "open", 1, COUNTY_WAITING);
        act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
        act_fails(REG_A, rid, "approve", 1, 403, "not_step_holder");
        act_ok(FURONG, rid, "approve", 1, "approved");
        char want[96];
        snprintf(want, sizeof(want), "%s " SCH_A " 13-1", leave[i].state);
        ck_assert_str_eq(placement(REG_A, s.id), want);
        assert_applied(s.id, rid, leave[i].type);
        /* rule 13: only restore from here */
        start_fails(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, "[1]", 422, "transition_not_allowed");

        rid = start_ok(REG_A, "restore", s.id, NULL, NULL);
        act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
        act_ok(FURONG, rid, "approve", 1, "approved");
        ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
        assert_applied(s.id, rid, "restore");
    }
    /* drop_out needs {reason, date} */
    start_fails(REG_A, "drop_out", s.id, "{\"date\":\"2025-03-01\"}", NULL, 422, "missing_field");
    start_fails(REG_A, "drop_out", s.id, "{\"reason\":\"x\",\"date\":\"2025-03-01\",\"x\":1}", NULL,
                422, "unknown_field");
}
END_TEST

/* Decease: final; restore is not allowed from deceased. */
START_TEST(test_decease)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    long long rid = start_ok(REG_A, "decease", s.id, REASON_DATE, NULL);
    act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "deceased " SCH_A " 13-1");
    assert_applied(s.id, rid, "decease");
    start_fails(REG_A, "restore", s.id, NULL, NULL, 422, "transition_not_allowed");
}
END_TEST

/* Grade change (调整年级): the class must exist; grade and class move. */
START_TEST(test_grade_change)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    start_fails(REG_A, "grade_change", s.id, "{\"grade\":\"14\",\"class\":5}", NULL, 422,
                "class_not_found");
    start_fails(REG_A, "grade_change", s.id, "{\"grade\":\"31\",\"class\":1}", NULL, 422,
                "grade_not_in_school");
    start_fails(REG_A, "grade_change", s.id, "{\"class\":1}", NULL, 422, "missing_field");
    long long rid = start_ok(REG_A, "grade_change", s.id, "{\"grade\":\"14\",\"class\":1}", NULL);
    act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 14-1");
    assert_applied(s.id, rid, "grade_change");
    /* back to grade 13, class 2 (a number: the payload takes both) */
    rid = start_ok(REG_A, "grade_change", s.id, "{\"grade\":13,\"class\":2}", NULL);
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-2");
}
END_TEST

/* A school managed by the city: its single steps go to 长沙市, not 芙蓉区. */
START_TEST(test_city_managed_school)
{
    stu s;
    enrol(REG_D, CHANGSHA, 13, &s);
    long long rid = start_ok(REG_D, "go_abroad", s.id, REASON_DATE, NULL);
    check_request(REG_D, rid, "open", 1, STEPS("430100:waiting"));
    act_fails(FURONG, rid, "approve", 1, 404, "request_not_found");
    act_fails(HUNAN, rid, "approve", 1, 403, "not_step_holder");
    act_ok(CHANGSHA, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_D, s.id), "abroad " SCH_D " 13-1");
    ck_assert(history_has(CHANGSHA, s.id, "go_abroad", rid));
}
END_TEST

/* ------------------------------------------------------------ 2: rules 12 and 13 */

START_TEST(test_rules_12_and_13)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    /* rule 13 */
    start_fails(REG_A, "resume", s.id, NULL, NULL, 422, "transition_not_allowed");
    start_fails(REG_A, "restore", s.id, NULL, NULL, 422, "transition_not_allowed");
    start_fails(REG_A, "registration", s.id, NULL, NULL, 422, "invalid_request_type");
    start_fails(REG_A, "no_such_type", s.id, NULL, NULL, 422, "invalid_request_type");
    /* rule 12: one open request */
    long long rid = start_ok(REG_A, "missing", s.id, REASON_DATE, NULL);
    start_fails(REG_A, "go_abroad", s.id, REASON_DATE, NULL, 409, "student_in_flight");
    /* also while returned */
    act_ok(FURONG, rid, "return", 1, "returned");
    start_fails(REG_A, "go_abroad", s.id, REASON_DATE, NULL, 409, "student_in_flight");
    act_ok(REG_A, rid, "withdraw", 0, "withdrawn");
    rid = start_ok(REG_A, "go_abroad", s.id, REASON_DATE, NULL);
    act_ok(REG_A, rid, "withdraw", 0, "withdrawn");
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    /* a student of another school is not found */
    start_fails(REG_B, "go_abroad", s.id, REASON_DATE, NULL, 404, "student_not_found");
}
END_TEST

typedef struct race {
    ht_server *srv;
    int who;
    long long rid, student;
    const char *type;
    long status;
    char code[64];
} race;

static void *
race_start(void *arg)
{
    race *x = arg;
    char body[256], auth[1100];
    snprintf(body, sizeof(body), "{\"type\":\"%s\",\"student\":%lld,\"payload\":" REASON_DATE "}",
             x->type, x->student);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[x->who]);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    ht_resp r;
    x->status = -1;
    x->code[0] = '\0';
    if (ht_request(x->srv, "POST", "/api/v1/requests", h, body, strlen(body), &r) != 0)
        return NULL;
    x->status = r.status;
    if (r.status == 201)
        x->rid = json_integer_value(json_object_get(r.json, "id"));
    else if (r.json && ht_json_str(r.json, "code"))
        snprintf(x->code, sizeof(x->code), "%s", ht_json_str(r.json, "code"));
    ht_resp_free(&r);
    return NULL;
}

static void *
race_approve(void *arg)
{
    race *x = arg;
    char path[96], auth[1100];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", x->rid);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[x->who]);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    const char *body = "{\"action\":\"approve\",\"step\":1}";
    ht_resp r;
    x->status = -1;
    x->code[0] = '\0';
    if (ht_request(x->srv, "POST", path, h, body, strlen(body), &r) != 0)
        return NULL;
    x->status = r.status;
    if (r.status != 200 && r.json && ht_json_str(r.json, "code"))
        snprintf(x->code, sizeof(x->code), "%s", ht_json_str(r.json, "code"));
    ht_resp_free(&r);
    return NULL;
}

/* Run `fn` on two threads at once over a and b. */
static void
twice(void *(*fn)(void *), race *a, race *b)
{
    pthread_t ta, tb;
    ck_assert_int_eq(pthread_create(&ta, NULL, fn, a), 0);
    ck_assert_int_eq(pthread_create(&tb, NULL, fn, b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
}

/* Rule 12 under a race: two starts at once give one 201 and one 409. */
START_TEST(test_concurrent_starts)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    for (int round = 0; round < 10; round++) {
        race a = {srv, REG_A, 0, s.id, "go_abroad", 0, ""};
        race b = {srv, REG_A, 0, s.id, round % 2 ? "missing" : "leave_other", 0, ""};
        twice(race_start, &a, &b);
        race *won = a.status == 201 ? &a : &b, *lost = a.status == 201 ? &b : &a;
        ck_assert_msg(won->status == 201 && lost->status == 409 &&
                          strcmp(lost->code, "student_in_flight") == 0,
                      "round %d: %ld %s / %ld %s", round, a.status, a.code, b.status, b.code);
        ck_assert_int_eq(count_of("SELECT count(*) FROM request WHERE student_id = %lld"
                                  " AND state IN ('open', 'returned')",
                                  s.id),
                         1);
        act_ok(REG_A, won->rid, "withdraw", 0, "withdrawn");
    }
}
END_TEST

/* ------------------------------------------------------------ 4: actions */

START_TEST(test_actions)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);

    /* reject ends the request; the student is unchanged */
    long long rid = start_ok(REG_A, "leave_other", s.id, REASON_DATE, NULL);
    act_fails(CHANGSHA, rid, "reject", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "reject", 1, "rejected");
    check_request(REG_A, rid, "rejected", 0, STEPS("430102:rejected"));
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    act_fails(FURONG, rid, "approve", 1, 409, "step_already_decided");
    act_fails(REG_A, rid, "withdraw", 0, 409, "step_already_decided");
    ck_assert_int_eq(events_of(rid, "request.decided"), 1);

    /* return: back to the starter */
    rid = start_ok(REG_A, "leave_other", s.id, REASON_DATE, NULL);
    act_ok(FURONG, rid, "return", 1, "returned");
    check_request(REG_A, rid, "returned", 1, STEPS("430102:returned"));
    act_fails(FURONG, rid, "approve", 1, 409, "step_already_decided");
    act_fails(FURONG, rid, "reject", 1, 409, "step_already_decided");
    /* only the starter resubmits: not the county, not another school, not a grade leader */
    act_fails(FURONG, rid, "resubmit", 0, 403, "not_request_starter");
    {
        ht_resp r;
        act(GRADE_A, rid, "resubmit", 0, &r);
        ck_assert_msg(r.status == 403 || r.status == 404, "%ld %s", r.status, r.body);
        ht_resp_free(&r);
    }
    act_ok(REG_A, rid, "resubmit", 0, "open");
    check_request(REG_A, rid, "open", 1, COUNTY_WAITING);
    act_fails(REG_A, rid, "resubmit", 0, 409, "step_already_decided");
    /* a stale step, a step out of range, an unknown action, no step */
    act_fails(FURONG, rid, "approve", 2, 409, "step_already_decided");
    act_fails(FURONG, rid, "approve", 7, 409, "step_already_decided");
    act_fails(FURONG, rid, "bless", 1, 422, "invalid_action");
    {
        char path[96];
        snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", rid);
        call_fails("POST", path, FURONG, "{\"action\":\"approve\"}", 422, "missing_field");
    }
    /* a grade leader of the school neither sees nor acts (visible(): registrars only) */
    {
        ht_resp r;
        get_request(GRADE_A, rid, &r);
        ht_assert_problem(&r, 404, "request_not_found");
        ht_resp_free(&r);
        act(GRADE_A, rid, "approve", 1, &r);
        ck_assert_msg(r.status == 404 || r.status == 403, "%ld %s", r.status, r.body);
        ht_resp_free(&r);
        get_request(TIANXIN, rid, &r);
        ht_assert_problem(&r, 404, "request_not_found");
        ht_resp_free(&r);
        get_request(REG_B, rid, &r);
        ht_assert_problem(&r, 404, "request_not_found");
        ht_resp_free(&r);
        call_fails("GET", "/api/v1/requests/0", FURONG, NULL, 404, "request_not_found");
    }
    act_ok(FURONG, rid, "approve", 1, "approved");
    act_fails(FURONG, rid, "approve", 1, 409, "step_already_decided");
    act_fails(REG_A, rid, "withdraw", 0, 409, "step_already_decided");
    ck_assert_str_eq(actions_of(REG_A, rid), "start,return,resubmit,approve");
    ck_assert_str_eq(placement(REG_A, s.id), "left_other " SCH_A " 13-1");
}
END_TEST

/* ------------------------------------------------------------ 5: two approvals at once */

START_TEST(test_concurrent_approvals)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    int won_a = 0;
    for (int round = 0; round < 100; round++) {
        /* enrolled -> abroad -> enrolled -> ... */
        const char *type = round % 2 ? "restore" : "go_abroad";
        long long rid = start_ok(REG_A, type, s.id, round % 2 ? NULL : REASON_DATE, NULL);
        race a = {srv, FURONG, rid, s.id, type, 0, ""}, b = a;
        twice(race_approve, &a, &b);
        race *won = a.status == 200 ? &a : &b, *lost = a.status == 200 ? &b : &a;
        ck_assert_msg(won->status == 200 && lost->status == 409 &&
                          strcmp(lost->code, "step_already_decided") == 0,
                      "round %d: %ld %s / %ld %s", round, a.status, a.code, b.status, b.code);
        won_a += a.status == 200;
        ck_assert_int_eq(count_of("SELECT count(*) FROM request_action WHERE request_id = %lld"
                                  " AND action = 'approve'",
                                  rid),
                         1);
    }
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    ck_assert_int_eq(count_of("SELECT count(*) FROM student_history WHERE student_id = %lld"
                              " AND kind IN ('go_abroad', 'restore')",
                              s.id),
                     100);
}
END_TEST

/* ------------------------------------------------------------ 8: revert */

START_TEST(test_revert)
{
    stu s, t;
    enrol(REG_A, FURONG, 13, &s);
    enrol(REG_A, FURONG, 13, &t);
    char ev[32];
    snprintf(ev, sizeof(ev), "[%lld]", upload_pdf(REG_A));
    long long rid = start_ok(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, ev);
    long long open = start_ok(REG_A, "missing", t.id, REASON_DATE, NULL);
    char path[96];
    ht_resp r;
    /* only what was applied */
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", open);
    call_fails("POST", path, FURONG, "{}", 422, "not_revertible");
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    call_fails("POST", path, FURONG, "{}", 422, "not_revertible");
    act_ok(FURONG, open, "reject", 1, "rejected");
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", open);
    call_fails("POST", path, FURONG, "{}", 422, "not_revertible");

    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "suspended " SCH_A " 13-1");
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    /* county or above, over the school */
    call_fails("POST", path, REG_A, "{}", 403, "forbidden");
    call("POST", path, TIANXIN, "{}", &r);
    ck_assert_msg(r.status == 403 || r.status == 404, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    call("POST", path, FURONG, "{\"comment\":\"误操作\"}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "reverted");
    ht_resp_free(&r);
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    ck_assert(history_has(FURONG, s.id, "suspend", rid));
    ck_assert(history_has(FURONG, s.id, "revert", rid));
    ck_assert_int_eq(events_of(rid, "request.reverted"), 1);
    ck_assert_str_eq(actions_of(FURONG, rid), "start,approve,revert");
    call_fails("POST", path, FURONG, "{}", 422, "not_revertible");
    /* the city is above the school too */
    rid = start_ok(REG_A, "grade_change", s.id, "{\"grade\":\"14\",\"class\":1}", NULL);
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 14-1");
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    call("POST", path, CHANGSHA, "{}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
}
END_TEST

/* ------------------------------------------------------------ 10: definitions */

START_TEST(test_workflows)
{
    static const char *const types[] = {
        "registration",     "transfer",          "suspend", "resume",   "withdraw", "decease",
        "go_abroad",        "leave_other",       "missing", "drop_out", "restore",  "grade_change",
        "key_field_change", "graduation_revert", NULL};
    ht_resp r;
    call("GET", "/api/v1/workflows", -1, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    json_t *items = json_object_get(r.json, "items");
    for (const char *const *t = types; *t; t++) {
        const json_t *d = NULL, *x;
        size_t i;
        json_array_foreach(items, i, x) if (strcmp(ht_json_str(x, "type"), *t) == 0) d = x;
        ck_assert_msg(d != NULL, "no workflow %s in %s", *t, r.body);
        ck_assert_msg(json_array_size(json_object_get(d, "steps")) >= 1, "%s has no steps", *t);
        ck_assert_ptr_nonnull(
            ht_json_str(json_array_get(json_object_get(d, "steps"), 0), "holder"));
        ck_assert_ptr_nonnull(ht_json_str(d, "label"));
        ck_assert(json_array_size(json_object_get(d, "from_states")) >= 1);
    }
    const json_t *x;
    size_t i;
    json_array_foreach(items, i, x)
    {
        const char *t = ht_json_str(x, "type");
        if (strcmp(t, "suspend") == 0 || strcmp(t, "key_field_change") == 0)
            ck_assert(json_is_true(json_object_get(x, "evidence_required")));
        if (strcmp(t, "withdraw") == 0)
            ck_assert(json_is_true(json_object_get(x, "senior_secondary_only")));
        if (strcmp(t, "transfer") == 0) {
            ck_assert_str_eq(ht_json_str(x, "started_by"), "receiving_school");
            ck_assert_int_eq(json_array_size(json_object_get(x, "steps")), 5);
        }
    }
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
workflow_suite(void)
{
    Suite *s = suite_create("http-workflow");
    TCase *tc = shared_tcase("types", 120);
    tcase_add_test(tc, test_suspend_and_resume);
    tcase_add_test(tc, test_withdraw_senior_only);
    tcase_add_test(tc, test_leave_types_and_restore);
    tcase_add_test(tc, test_decease);
    tcase_add_test(tc, test_grade_change);
    tcase_add_test(tc, test_city_managed_school);
    tcase_add_test(tc, test_rules_12_and_13);
    tcase_add_test(tc, test_actions);
    tcase_add_test(tc, test_revert);
    tcase_add_test(tc, test_workflows);
    suite_add_tcase(s, tc);

    tc = shared_tcase("races", 300);
    tcase_add_test(tc, test_concurrent_starts);
    tcase_add_test(tc, test_concurrent_approvals);
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
    SRunner *sr = srunner_create(workflow_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    close_db();
    ht_global_cleanup();
    return failed != 0;
}
