/*
 * tests/lib/wfworld.c - the world of the workflow HTTP suites (see wfworld.h).
 */
#include "tests/lib/wfworld.h"

#include "core/import.h"
#include "core/pwhash.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const struct wf_cast cast[NACTORS] = {
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

/* the shared server runs no import workers: a suite that imports starts its own */
const char *const shared_env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", "XUEJI_IMPORT_WORKERS=0", NULL};

ht_server *srv;             /* the server the current test talks to */
char tokens[NACTORS][1024]; /* logged in by the runner, inherited by each test */
static PGconn *db;          /* per forked test, opened lazily */

/* ------------------------------------------------------------ database */

PGconn *
tdb(void)
{
    if (db == NULL)
        db = ht_db_connect();
    return db;
}

/* One value of a one-row query (a static buffer). */
const char *
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

void
close_db(void)
{
    if (db != NULL)
        PQfinish(db);
    db = NULL;
}

/* ------------------------------------------------------------ the world */

void
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
                      " ('" SCH_J "', 13, 1, '三年级(1)班'), ('" SCH_A "', 16, 1, '六年级(1)班'),"
                      " ('" SCH_H "', 33, 1, '高三(1)班')"
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

void
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
void
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

void
use_shared(void)
{
    srv = ht_shared();
    ck_assert_msg(srv != NULL, "no shared server");
}

/* ------------------------------------------------------------ HTTP */

/* One request as `who` (-1: anonymous) on server `s`, with an optional JSON body. */
void
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

void
call(const char *method, const char *path, int who, const char *body, ht_resp *out)
{
    call_on(srv, method, path, who, body, out);
}

long long
jint(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* POST /files: a small PDF of `who`'s org; its id. */
long long
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
void
start_on(ht_server *s, int who, const char *type, const char *student, const char *payload,
         const char *evidence, ht_resp *out)
{
    char body[2048];
    snprintf(body, sizeof(body), "{\"type\":\"%s\",\"student\":\"%s\"%s%s%s%s}", type, student,
             payload ? ",\"payload\":" : "", payload ? payload : "",
             evidence ? ",\"evidence\":" : "", evidence ? evidence : "");
    call_on(s, "POST", "/api/v1/requests", who, body, out);
}

void
start(int who, const char *type, long long student, const char *payload, const char *evidence,
      ht_resp *out)
{
    char key[24];
    snprintf(key, sizeof(key), "%lld", student);
    start_on(srv, who, type, key, payload, evidence, out);
}

/* The same, expecting 201 open at step 1; the request id. */
long long
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
void
start_fails_at(const char *file, int line, int who, const char *type, long long student,
               const char *payload, const char *evidence, long status, const char *code)
{
    ht_resp r;
    start(who, type, student, payload, evidence, &r);
    ht_assert_problem_at(&r, status, code, file, line);
    ht_resp_free(&r);
}

/* Any call that must fail with `status` and `code`. */
void
call_fails_at(const char *file, int line, const char *method, const char *path, int who,
              const char *body, long status, const char *code)
{
    ht_resp r;
    call(method, path, who, body, &r);
    ht_assert_problem_at(&r, status, code, file, line);
    ht_resp_free(&r);
}

void
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

void
act(int who, long long rid, const char *action, int step, ht_resp *out)
{
    act_on(srv, who, rid, action, step, out);
}

/* Act and expect 200 with the request in `want_state`. */
void
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
void
act_fails_at(const char *file, int line, int who, long long rid, const char *action, int step,
             long status, const char *code)
{
    ht_resp r;
    act(who, rid, action, step, &r);
    ht_assert_problem_at(&r, status, code, file, line);
    ht_resp_free(&r);
}

void
get_request(int who, long long rid, ht_resp *out)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld", rid);
    call("GET", path, who, NULL, out);
}

const json_t *
step_of(const ht_resp *r, int number)
{
    return json_array_get(json_object_get(r->json, "steps"), (size_t)(number - 1));
}

/* Assert the request's state, current step (0: null) and each step's org and
   state ("org:state" strings, NULL-terminated). */
void
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

void
check_request(int who, long long rid, const char *state, int current, const char *const *steps)
{
    ht_resp r;
    get_request(who, rid, &r);
    assert_request(&r, state, current, steps);
    ht_resp_free(&r);
}

/* The actions of the request, "a,b,c" (a static buffer). */
const char *
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

char
check_digit(const char *s17)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (s17[i] - '0') * w[i];
    return "10X98765432"[sum % 11];
}

/* A valid resident ID of region 430102, birth `ymd`, `gender` 1/2, sequence `seq`. */
void
make_id(int ymd, int gender, long long seq, char out[24])
{
    int s = (int)(seq % 500) * 2 + (gender == 1 ? 1 : 0); /* odd digit 17: male */
    snprintf(out, 24, "430102%08d%03d", ymd, s);
    out[17] = check_digit(out);
    out[18] = '\0';
}

/* Fresh identity data: born in `year`, a day and sequence drawn from wf_seq. */
void
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
long long
wf_register(int reg, int grade, int class_no, stu *s)
{
    stu_make(s, grade >= 31 ? 2009 : 2016);
    char g[2] = {(char)('0' + s->gender), 0}, gr[4];
    snprintf(gr, sizeof(gr), "%d", grade);
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:f,s:s,s:s,s:s,s:[{s:s,s:s,"
        "s:s,s:s},{s:s,s:s,s:s}]}",
        "name", s->name, "gender", g, "birth_date", s->birth, "ethnicity", "01", "nationality",
        "CHN", "id_type", "1", "id_number", s->idnum, "hukou_region", "430102000000", "hukou_type",
        "1", "grade", gr, "class", class_no, "enrolled_month", "202209", "entry_mode", "1",
        "study_mode", "1", "source", "1", "distance_km", 1.5, "transport", "1", "school_bus", "0",
        "phone", "13900000000", "family", "name", "流程家长", "relation", "1", "phone",
        "13700000000", "guardian", "1", "name", "家长二", "relation", "2", "phone", "13700000001");
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
    return rid;
}

void
enrol(int reg, int auth, int grade, stu *s)
{
    act_ok(auth, wf_register(reg, grade, 1, s), "approve", 1, "approved");
}

void
get_student(int who, long long id, ht_resp *out)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/students/%lld", id);
    call("GET", path, who, NULL, out);
    ck_assert_msg(out->status == 200, "GET %s as %s: %ld %s", path, cast[who].user, out->status,
                  out->body);
}

/* The student's state, school, grade and class as "state school grade-class". */
const char *
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
int
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

long long
events_of(long long rid, const char *type)
{
    return count_of("SELECT count(*) FROM events WHERE request_id = %lld AND type = '%s'", rid,
                    type);
}
/* Another xuejid on the same database with `extra` in its environment. */
ht_server *
server_with(const char *extra)
{
    const char *env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", extra, NULL};
    ht_server *s = ht_server_start(env);
    ck_assert_msg(s != NULL, "xuejid with %s did not start", extra);
    return s;
}

/* A test case on the shared server in this world (a fresh connection per test). */
TCase *
wf_tcase(const char *name, int timeout)
{
    TCase *tc = tcase_create(name);
    tcase_add_unchecked_fixture(tc, shared_world, NULL);
    tcase_add_checked_fixture(tc, use_shared, close_db);
    tcase_set_timeout(tc, ht_timeout(timeout));
    return tc;
}

ht_server *wf_workers;

void
wf_start_workers(void)
{
    shared_world();
    wf_workers = server_with("XUEJI_IMPORT_STALE=2");
}

void
wf_stop_workers(void)
{
    ht_server_kill(wf_workers); /* a test may have killed it already */
}

TCase *
wf_import_tcase(const char *name, int timeout)
{
    TCase *tc = tcase_create(name);
    tcase_add_unchecked_fixture(tc, wf_start_workers, wf_stop_workers);
    tcase_add_checked_fixture(tc, use_shared, close_db);
    tcase_set_timeout(tc, ht_timeout(timeout));
    return tc;
}

/* The template column (0-based) of field `json` of `member` (0: the student). */
int
wf_col_of(const char *json, int member)
{
    int f = core_field_index(member, json);
    ck_assert_msg(f >= 0, "no field %s", json);
    for (int c = 0; c < core_template_ncols(); c++)
        if (core_template_field(c) == f)
            return c;
    ck_abort_msg("field %s has no column", json);
    return -1;
}

long long
wf_upload(int who, const char *query, const char *body, size_t len, long want)
{
    char auth[1100], path[160];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[who]);
    snprintf(path, sizeof(path), "/api/v1/imports?%s", query);
    const char *h[] = {auth, "Content-Type: application/octet-stream", NULL};
    ht_resp r;
    ck_assert_int_eq(ht_request(srv, "POST", path, h, body, len, &r), 0);
    ck_assert_msg(r.status == want, "POST %s: %ld %s", path, r.status, r.body);
    long long id = r.status < 300 ? jint(r.json, "id") : 0;
    ht_resp_free(&r);
    return id;
}

void
wf_wait_import(int who, long long id, ht_resp *out)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/imports/%lld", id);
    for (int i = 0; i < 2400; i++) { /* 60 s */
        call("GET", path, who, NULL, out);
        ck_assert_msg(out->status == 200, "%ld %s", out->status, out->body);
        const char *st = ht_json_str(out->json, "state");
        if (strcmp(st, "done") == 0 || strcmp(st, "failed") == 0)
            return;
        ht_resp_free(out);
        ht_sleep_ms(25);
    }
    ck_abort_msg("import %lld did not finish", id);
}
