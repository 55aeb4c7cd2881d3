/*
 * tests/http/creq_world.h - the world of tests/http/creq_test.c (the course
 * requests, docs/decisions/0044): two universities of 河南 seeded
 * idempotently by SQL, each with one college, one major, cohorts 2025-2027
 * (one class each), a teaching calendar and its offices; courses, plans,
 * sections, selections and grades are made per test by SQL. The server's
 * date is 2027-03-02 (a Tuesday):
 *   A 4141019921 课程申请测试大学: term 2026-2 from Monday 2027-03-01, so
 *     today is in week 1 (substitution open, late selection open)
 *   B 4141019922 课程申请测试学院: term 2026-2 from Monday 2027-01-25, so
 *     today is in week 6 (substitution and late selection closed)
 */
#ifndef TESTS_HTTP_CREQ_WORLD_H
#define TESTS_HTTP_CREQ_WORLD_H

#include "core/pwhash.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CQ_PW "Cq-Course-Req-2026!"
#define UA "4141019921"
#define UB "4141019922"
#define CQ_TODAY "XUEJI_TODAY=2027-03-02"

enum { VDA, VDB, RSA, RSB, DHA, RHA, PROV, NSTAFF };

static const struct {
    const char *user, *role, *org, *staff, *college;
} cq_staff[NSTAFF] = {
    [VDA] = {"cq_vda", "school", UA, "teaching_vice_dean", "CQA1"},
    [VDB] = {"cq_vdb", "school", UB, "teaching_vice_dean", "CQB1"},
    [RSA] = {"cq_rsa", "school", UA, "registrar_section", NULL},
    [RSB] = {"cq_rsb", "school", UB, "registrar_section", NULL},
    [DHA] = {"cq_dha", "school", UA, "registrar_deputy_head", NULL},
    [RHA] = {"cq_rha", "school", UA, "registrar_head", NULL},
    [PROV] = {"cq_henan", "province", "410000", NULL, NULL},
};

static char cq_tokens[NSTAFF][1024];
static char cq_hash[CORE_PWHASH_LEN]; /* of CQ_PW, made once: argon2id is slow */
static PGconn *cq_db;
static ht_server *cq_srv;

static PGconn *
cdb(void)
{
    if (cq_db == NULL)
        cq_db = ht_db_connect();
    return cq_db;
}

/* The first value of a query (tests/lib/httptest.h). */
#define cval(...) ht_db_val(cdb(), __VA_ARGS__)

static long long cid(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long
cid(const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    return atoll(cval("%s", sql));
}

/* One university: college, major, cohorts and classes, its terms. */
static void
cseed_univ(const char *code, const char *name, const char *college, const char *major,
           const char *spring)
{
    char sql[2048];
    snprintf(sql, sizeof(sql),
             "INSERT INTO school (code, name, county, authority, province, category) VALUES"
             " ('%s', '%s', '410102', '410000', '410000', 41) ON CONFLICT DO NOTHING;"
             "INSERT INTO uni_college (school, code, name) VALUES ('%s', '%s', '计算机学院')"
             " ON CONFLICT DO NOTHING;"
             "INSERT INTO uni_major (school, college, code, name, level, years) SELECT '%s',"
             " c.id, '%s', '软件工程', 'undergraduate', 4 FROM uni_college c WHERE"
             " c.school = '%s' AND c.code = '%s' ON CONFLICT DO NOTHING;"
             "INSERT INTO uni_cohort (school, year) VALUES ('%s', 2025), ('%s', 2026),"
             " ('%s', 2027) ON CONFLICT DO NOTHING;",
             code, name, code, college, code, major, code, college, code, code, code);
    ht_db_exec(cdb(), sql);
    snprintf(sql, sizeof(sql),
             "INSERT INTO class (school, grade, number, name) SELECT '%s', 40, y.year - 2024,"
             " '%s-' || y.year FROM uni_cohort y WHERE y.school = '%s' ON CONFLICT DO NOTHING;"
             "INSERT INTO uni_class (id, school, major, cohort, number, name) SELECT k.id, '%s',"
             " m.id, y.year, 1, k.name FROM class k JOIN uni_major m ON m.school = '%s'"
             " JOIN uni_cohort y ON y.school = '%s' AND k.name = m.code || '-' || y.year"
             " WHERE k.school = '%s' ON CONFLICT DO NOTHING;"
             "INSERT INTO uni_term (school, term, first_day) VALUES ('%s', '2026-1', '2026-09-07'),"
             " ('%s', '2026-2', '%s'), ('%s', '2027-1', '2027-09-06') ON CONFLICT DO NOTHING;",
             code, major, code, code, code, code, code, code, code, spring, code);
    ht_db_exec(cdb(), sql);
}

static void
cseed(void)
{
    ht_db_exec(cdb(), "SET client_min_messages TO warning");
    ht_db_exec(cdb(), "CREATE SEQUENCE IF NOT EXISTS cq_seq");
    cseed_univ(UA, "课程申请测试大学", "CQA1", "CQA101", "2027-03-01");
    cseed_univ(UB, "课程申请测试学院", "CQB1", "CQB101", "2027-01-25");
    ck_assert_int_eq(core_pwhash(CQ_PW, cq_hash), 0);
    for (int i = 0; i < NSTAFF; i++) {
        char col[160] = "NULL", sql[1024];
        if (cq_staff[i].college)
            snprintf(col, sizeof(col), "(SELECT id FROM uni_college WHERE code = '%s')",
                     cq_staff[i].college);
        snprintf(sql, sizeof(sql),
                 "INSERT INTO app_user (username, display_name, role, org, staff_role, college,"
                 " password_hash, must_change_password) VALUES ('%s', '%s', '%s', '%s', %s%s%s,"
                 " %s, '%s', false) ON CONFLICT (username) DO NOTHING",
                 cq_staff[i].user, cq_staff[i].user, cq_staff[i].role, cq_staff[i].org,
                 cq_staff[i].staff ? "'" : "", cq_staff[i].staff ? cq_staff[i].staff : "NULL",
                 cq_staff[i].staff ? "'" : "", col, cq_hash);
        ht_db_exec(cdb(), sql);
    }
}

static void
clogin(const char *user, char out[1024])
{
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, CQ_PW);
    ht_resp r;
    ck_assert_int_eq(ht_post_json(cq_srv, "/api/v1/auth/login", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", user, r.status, r.body);
    snprintf(out, 1024, "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

/* A studying student of `univ` (its one major) in `cohort`, signed in. */
typedef struct cstu {
    long long id;
    char user[32], token[1024];
} cstu;

static void
cstudent(cstu *s, const char *univ, int cohort)
{
    long long n = cid("SELECT nextval('cq_seq')");
    snprintf(s->user, sizeof(s->user), "cq%04d%06lld", cohort, n);
    s->id =
        cid("WITH k AS (SELECT c.id, c.number FROM uni_class c WHERE c.school = '%s' AND"
            " c.cohort = %d) INSERT INTO student (province, school, class_id, state, stuno_kind,"
            " stuno_text, stuno_bidx, key_id, name, grade, class_no) SELECT '410000', '%s',"
            " k.id, 'enrolled', 'J', 'J%s', decode(md5('%s'), 'hex'), 1, '选课学生', 40,"
            " k.number FROM k RETURNING id",
            univ, cohort, univ, s->user, s->user);
    ck_assert_msg(s->id > 0, "student of %s %d", univ, cohort);
    cval("INSERT INTO uni_student (student_id, school, student_no, college, major, cohort,"
         " class_id, level, entry_date, expected_graduation) SELECT %lld, '%s', '%s', m.college,"
         " m.id, %d, s.class_id, 'undergraduate', '%d-09-01', '%d-07-01' FROM student s, uni_major"
         " m WHERE s.id = %lld AND m.school = '%s'",
         s->id, univ, s->user, cohort, cohort, cohort + 4, s->id, univ);
    cval("INSERT INTO app_user (username, display_name, role, org, student_id, password_hash,"
         " must_change_password) VALUES ('%s', '%s', 'student', '%s', %lld, '%s', false)",
         s->user, s->user, univ, s->id, cq_hash);
    clogin(s->user, s->token);
}

/* A new course of `univ` (课程号 printed into `code`): its id. */
static long long
ccourse(const char *univ, char code[16])
{
    snprintf(code, 16, "K%06lld", cid("SELECT nextval('cq_seq')"));
    return cid("INSERT INTO uni_course (school, code, name, kind, credits, hours, college)"
               " SELECT '%s', '%s', '课程' || '%s', 'compulsory', 3, 48, id FROM uni_college"
               " WHERE school = '%s' RETURNING id",
               univ, code, code, univ);
}

/* The course in the plan of `univ`'s major for `cohort`. */
static void
cplan(const char *univ, int cohort, long long course)
{
    cval("INSERT INTO uni_plan_course (school, major, cohort, course, term_no) SELECT '%s', id,"
         " %d, %lld, 3 FROM uni_major WHERE school = '%s'",
         univ, cohort, course, univ);
}

/* A section (课序号 `number`) of the course in `term`: its id. */
static long long
csection(const char *univ, long long course, const char *term, int number, int capacity)
{
    return cid("INSERT INTO uni_section (school, course, term, number, capacity) VALUES"
               " ('%s', %lld, '%s', %d, %d) RETURNING id",
               univ, course, term, number, capacity);
}

/* The student's selection of the section in `state`, a seat taken when selected. */
static void
cselect(long long student, long long section, const char *state, const char *source)
{
    cval("INSERT INTO uni_selection (student, section, school, course, term, state, source)"
         " SELECT %lld, id, school, course, term, '%s', '%s' FROM uni_section WHERE id = %lld",
         student, state, source, section);
    if (strcmp(state, "selected") == 0)
        cval("UPDATE uni_section SET taken = taken + 1 WHERE id = %lld", section);
}

/* A grade of the student in a section of the course in term 2025-2. */
static void
cgrade(const char *univ, long long student, long long course, const char *score)
{
    long long sec = cid("SELECT coalesce((SELECT id FROM uni_section WHERE course = %lld AND"
                        " term = '2025-2' AND number = 1), 0)",
                        course);
    if (sec == 0)
        sec = csection(univ, course, "2025-2", 1, 100);
    cval("INSERT INTO uni_grade (school, student, section, course, term, score, posted_at)"
         " VALUES ('%s', %lld, %lld, %lld, '2025-2', %s, '2026-07-01')",
         univ, student, sec, course, score);
}

static const char *
cstate(long long student, long long section)
{
    return cval("SELECT state || ':' || source FROM uni_selection WHERE student = %lld AND"
                " section = %lld",
                student, section);
}

/* Sections of `univ` whose `taken` is not the count of their selected rows. */
static int
cmiscounted(const char *univ)
{
    return (int)cid("SELECT count(*) FROM uni_section x WHERE school = '%s' AND taken <>"
                    " (SELECT count(*) FROM uni_selection s WHERE s.section = x.id AND"
                    " s.state = 'selected')",
                    univ);
}

#define ccall(token, method, path, body, out) ht_call(cq_srv, token, method, path, body, out)

/* A PDF uploaded as `token`: its file id. */
static long long
cupload(const char *token)
{
    static const char pdf[] = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    const char *h[] = {auth, "Content-Type: application/pdf", NULL};
    ht_resp r;
    ck_assert_int_eq(ht_request(cq_srv, "POST", "/api/v1/files", h, pdf, sizeof(pdf) - 1, &r), 0);
    ck_assert_msg(r.status == 201, "upload: %ld %s", r.status, r.body);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    ht_resp_free(&r);
    return id;
}

/* POST /requests as the student. */
static void
cstart(const cstu *s, const char *type, const char *payload, long long evidence, ht_resp *out)
{
    char body[4096], ev[64] = "";
    if (evidence)
        snprintf(ev, sizeof(ev), ",\"evidence\":[%lld]", evidence);
    snprintf(body, sizeof(body), "{\"type\":\"%s\",\"payload\":%s%s}", type, payload, ev);
    ccall(s->token, "POST", "/api/v1/requests", body, out);
}

static long long
cstart_ok(const cstu *s, const char *type, const char *payload, long long evidence)
{
    ht_resp r;
    cstart(s, type, payload, evidence, &r);
    ck_assert_msg(r.status == 201, "%s: %ld %s", type, r.status, r.body);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    ht_resp_free(&r);
    return id;
}

static void
cstart_fails(const cstu *s, const char *type, const char *payload, long long ev, long status,
             const char *code)
{
    ht_resp r;
    cstart(s, type, payload, ev, &r);
    ht_assert_problem(&r, status, code);
    ht_resp_free(&r);
}

/* A 422 holding the item (field, code) among its errors. */
static void
cstart_item(const cstu *s, const char *type, const char *payload, long long ev, const char *field,
            const char *code)
{
    ht_resp r;
    cstart(s, type, payload, ev, &r);
    ck_assert_msg(r.status == 422, "%ld %s", r.status, r.body);
    const json_t *x;
    size_t i;
    int found = 0;
    json_array_foreach(json_object_get(r.json, "errors"), i, x) found |=
        strcmp(ht_json_str(x, "field"), field) == 0 && strcmp(ht_json_str(x, "code"), code) == 0;
    ck_assert_msg(found, "no %s at %s in %s", code, field, r.body);
    ht_resp_free(&r);
}

static long
cact(const char *token, long long rid, const char *action, int step, ht_resp *out)
{
    char path[96], body[160];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", rid);
    snprintf(body, sizeof(body), "{\"action\":\"%s\",\"step\":%d}", action, step);
    ccall(token, "POST", path, body, out);
    return out->status;
}

static void
cact_ok(const char *token, long long rid, int step, const char *want)
{
    ht_resp r;
    cact(token, rid, "approve", step, &r);
    ck_assert_msg(r.status == 200, "approve step %d: %ld %s", step, r.status, r.body);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), want) == 0, "step %d: %s", step, r.body);
    ht_resp_free(&r);
}

static void
cact_fails(const char *token, long long rid, int step, long status, const char *code)
{
    ht_resp r;
    cact(token, rid, "approve", step, &r);
    ht_assert_problem(&r, status, code);
    ht_resp_free(&r);
}

static const char *
creq_state(long long rid)
{
    return cval("SELECT state || ':' || coalesce(current_step, 0) FROM request WHERE id = %lld",
                rid);
}

/* POST /requests/{id}/revert as the province: the status. */
static long
crevert(long long rid, ht_resp *out)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    ccall(cq_tokens[PROV], "POST", path, "{}", out);
    return out->status;
}

/* The student moved to the next cohort by an approved 调整年级 (its notice dated today). */
static long long
ccohort_change(const cstu *s)
{
    long long rid = cstart_ok(s, "cohort_change", "{\"reason\":\"随下届学习\"}", 0);
    cact_ok(cq_tokens[RHA], rid, 1, "approved");
    return rid;
}

static void
cworld(void)
{
    static const char *const env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", "XUEJI_IMPORT_WORKERS=0",
                                      CQ_TODAY, NULL};
    ht_shared_start_env(env);
    cq_srv = ht_shared();
    cseed();
    for (int i = 0; i < NSTAFF; i++)
        clogin(cq_staff[i].user, cq_tokens[i]);
    PQfinish(cq_db);
    cq_db = NULL;
}

static void
cuse(void)
{
    cq_srv = ht_shared();
    ck_assert_msg(cq_srv != NULL, "no shared server");
}

static void
cclose(void)
{
    if (cq_db)
        PQfinish(cq_db);
    cq_db = NULL;
}

#endif
