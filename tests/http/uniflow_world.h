/*
 * tests/http/uniflow_world.h - the world of tests/http/uniflow_test.c: a
 * university of 河南 with two colleges, three majors, cohorts 2025-2027 with
 * one class each, a teaching calendar, its offices and the province, seeded
 * idempotently by SQL; students (record, university record, account) made
 * per test. The server's registry date is 2027-03-02, a Tuesday of week 1 of
 * the second term of the 2026 cohort's first year (the term starts Monday
 * 2027-03-01).
 *   U 4141019931 流程测试大学, authority 410000
 *   college C1 (UF01 计算机学院): majors UF0101 软件工程, UF0102 网络工程
 *   college C2 (UF02 数学学院): major UF0201 数学
 *   terms 2026-1 2026-09-07, 2026-2 2027-03-01, 2027-1 2027-09-06
 */
#ifndef TESTS_HTTP_UNIFLOW_WORLD_H
#define TESTS_HTTP_UNIFLOW_WORLD_H

#include "core/pwhash.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UF_PW "Uf-Uniflow-2026!"
#define UNIV "4141019931"
#define UF_TODAY "XUEJI_TODAY=2027-03-02"

enum { VD1, VD2, DEAN1, DEAN2, OFF1, RH, VP, SA, PROV, NSTAFF };

static const struct {
    const char *user, *role, *org, *staff, *college;
} staff[NSTAFF] = {
    [VD1] = {"uf_vd1", "school", UNIV, "teaching_vice_dean", "UF01"},
    [VD2] = {"uf_vd2", "school", UNIV, "teaching_vice_dean", "UF02"},
    [DEAN1] = {"uf_dean1", "school", UNIV, "dean", "UF01"},
    [DEAN2] = {"uf_dean2", "school", UNIV, "dean", "UF02"},
    [OFF1] = {"uf_off1", "school", UNIV, "college_office", "UF01"},
    [RH] = {"uf_rh", "school", UNIV, "registrar_head", NULL},
    [VP] = {"uf_vp", "school", UNIV, "vice_president", NULL},
    [SA] = {"uf_sa", "school", UNIV, "student_affairs", NULL},
    [PROV] = {"uf_henan", "province", "410000", NULL, NULL},
};

static char uf_tokens[NSTAFF][1024];
static PGconn *uf_db;
static ht_server *uf_srv;

static PGconn *
udb(void)
{
    if (uf_db == NULL)
        uf_db = ht_db_connect();
    return uf_db;
}

/* The first value of a query (tests/lib/httptest.h). */
#define uval(...) ht_db_val(udb(), __VA_ARGS__)

static void
useed(void)
{
    ht_db_exec(udb(), "SET client_min_messages TO warning");
    ht_db_exec(udb(), "CREATE SEQUENCE IF NOT EXISTS uf_seq");
    ht_db_exec(udb(), "INSERT INTO school (code, name, county, authority, province, category)"
                      " VALUES ('" UNIV "', '流程测试大学', '410102', '410000', '410000', 41)"
                      " ON CONFLICT DO NOTHING");
    ht_db_exec(udb(), "INSERT INTO uni_college (school, code, name) VALUES"
                      " ('" UNIV "', 'UF01', '计算机学院'), ('" UNIV "', 'UF02', '数学学院')"
                      " ON CONFLICT DO NOTHING");
    ht_db_exec(udb(), "INSERT INTO uni_major (school, college, code, name, level, years)"
                      " SELECT '" UNIV "', c.id, m.code, m.name, 'undergraduate', 4 FROM"
                      " (VALUES ('UF01', 'UF0101', '软件工程'), ('UF01', 'UF0102', '网络工程'),"
                      " ('UF02', 'UF0201', '数学')) m (college, code, name)"
                      " JOIN uni_college c ON c.school = '" UNIV "' AND c.code = m.college"
                      " ON CONFLICT DO NOTHING");
    ht_db_exec(udb(), "INSERT INTO uni_cohort (school, year) VALUES ('" UNIV "', 2025),"
                      " ('" UNIV "', 2026), ('" UNIV "', 2027), ('" UNIV "', 2028)"
                      " ON CONFLICT DO NOTHING");
    /* one class per major and cohort, backed by a class row of grade 40 */
    ht_db_exec(udb(), "INSERT INTO class (school, grade, number, name) SELECT '" UNIV "', 40,"
                      " (row_number() OVER (ORDER BY m.id, y.year))::int, m.code || '-' || y.year"
                      " FROM uni_major m, uni_cohort y WHERE m.school = '" UNIV "'"
                      " AND y.school = '" UNIV "' ON CONFLICT DO NOTHING");
    ht_db_exec(udb(), "INSERT INTO uni_class (id, school, major, cohort, number, name)"
                      " SELECT k.id, '" UNIV "', m.id, y.year, 1, k.name FROM class k"
                      " JOIN uni_major m ON m.school = '" UNIV "' AND k.name LIKE m.code || '-%'"
                      " JOIN uni_cohort y ON y.school = '" UNIV "' AND k.name = m.code || '-'"
                      " || y.year WHERE k.school = '" UNIV "' ON CONFLICT DO NOTHING");
    ht_db_exec(udb(), "INSERT INTO uni_term (school, term, first_day) VALUES"
                      " ('" UNIV "', '2026-1', '2026-09-07'), ('" UNIV "', '2026-2', '2027-03-01'),"
                      " ('" UNIV "', '2027-1', '2027-09-06') ON CONFLICT DO NOTHING");
    char hash[CORE_PWHASH_LEN];
    ck_assert_int_eq(core_pwhash(UF_PW, hash), 0);
    for (int i = 0; i < NSTAFF; i++) {
        char col[160] = "NULL";
        if (staff[i].college)
            snprintf(col, sizeof(col),
                     "(SELECT id FROM uni_college WHERE school = '" UNIV "' AND code = '%s')",
                     staff[i].college);
        char sql[1024];
        snprintf(sql, sizeof(sql),
                 "INSERT INTO app_user (username, display_name, role, org, staff_role, college,"
                 " password_hash, must_change_password) VALUES ('%s', '%s', '%s', '%s', %s%s%s,"
                 " %s, '%s', false) ON CONFLICT (username) DO NOTHING",
                 staff[i].user, staff[i].user, staff[i].role, staff[i].org,
                 staff[i].staff ? "'" : "", staff[i].staff ? staff[i].staff : "NULL",
                 staff[i].staff ? "'" : "", col, hash);
        ht_db_exec(udb(), sql);
    }
}

static void
ulogin(const char *user, char out[1024])
{
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, UF_PW);
    ht_resp r;
    ck_assert_int_eq(ht_post_json(uf_srv, "/api/v1/auth/login", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", user, r.status, r.body);
    snprintf(out, 1024, "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

/* A student of `major` (code) and `cohort`, studying, with an account:
   s->id the record, s->token signed in. */
typedef struct ustu {
    long long id;
    char user[32], token[1024];
} ustu;

static void
ustudent(ustu *s, const char *major, int cohort)
{
    long long n = atoll(uval("SELECT nextval('uf_seq')"));
    snprintf(s->user, sizeof(s->user), "uf%04d%06lld", cohort, n);
    s->id = atoll(
        uval("WITH k AS (SELECT c.id, c.number FROM uni_class c JOIN uni_major m ON m.id = c.major"
             " WHERE c.school = '" UNIV "' AND m.code = '%s' AND c.cohort = %d)"
             " INSERT INTO student (province, school, class_id, state, stuno_kind, stuno_text,"
             " stuno_bidx, key_id, name, grade, class_no) SELECT '410000', '" UNIV "', k.id,"
             " 'enrolled', 'J', 'J%s', decode(md5('%s'), 'hex'), 1, '流程学生', 40, k.number FROM k"
             " RETURNING id",
             major, cohort, s->user, s->user));
    ck_assert_msg(s->id > 0, "student of %s %d", major, cohort);
    uval("INSERT INTO uni_student (student_id, school, student_no, college, major, cohort,"
         " class_id, level, entry_date, expected_graduation) SELECT %lld, '" UNIV "', '%s',"
         " m.college, m.id, %d, s.class_id, 'undergraduate', '%d-09-01', '%d-07-01' FROM"
         " student s, uni_major m WHERE s.id = %lld AND m.school = '" UNIV "' AND m.code = '%s'",
         s->id, s->user, cohort, cohort, cohort + 4, s->id, major);
    char hash[CORE_PWHASH_LEN];
    ck_assert_int_eq(core_pwhash(UF_PW, hash), 0);
    uval("INSERT INTO app_user (username, display_name, role, org, student_id, password_hash,"
         " must_change_password) VALUES ('%s', '%s', 'student', '" UNIV "', %lld, '%s', false)",
         s->user, s->user, s->id, hash);
    ulogin(s->user, s->token);
}

/* The university record's column `col` of student `id`. */
static const char *
ucol(long long id, const char *col)
{
    return uval("SELECT coalesce(%s::text, '') FROM uni_student WHERE student_id = %lld", col, id);
}

static const char *
umajor_id(const char *code)
{
    static char buf[32];
    snprintf(buf, sizeof(buf), "%s",
             uval("SELECT id FROM uni_major WHERE school = '" UNIV "' AND code = '%s'", code));
    return buf;
}

#define ucall(token, method, path, body, out) ht_call(uf_srv, token, method, path, body, out)

/* A PDF uploaded as `token`: its file id. */
static long long
uupload(const char *token)
{
    static const char pdf[] = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    const char *h[] = {auth, "Content-Type: application/pdf", NULL};
    ht_resp r;
    ck_assert_int_eq(ht_request(uf_srv, "POST", "/api/v1/files", h, pdf, sizeof(pdf) - 1, &r), 0);
    ck_assert_msg(r.status == 201, "upload: %ld %s", r.status, r.body);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    ht_resp_free(&r);
    return id;
}

/* POST /requests as the student: the answer in `out`. */
static void
ustart(const ustu *s, const char *type, const char *payload, long long evidence, ht_resp *out)
{
    char body[2048], ev[64] = "";
    if (evidence)
        snprintf(ev, sizeof(ev), ",\"evidence\":[%lld]", evidence);
    snprintf(body, sizeof(body), "{\"type\":\"%s\",\"payload\":%s%s}", type,
             payload ? payload : "{}", ev);
    ucall(s->token, "POST", "/api/v1/requests", body, out);
}

static long long
ustart_ok(const ustu *s, const char *type, const char *payload, long long evidence)
{
    ht_resp r;
    ustart(s, type, payload, evidence, &r);
    ck_assert_msg(r.status == 201, "%s: %ld %s", type, r.status, r.body);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    ht_resp_free(&r);
    return id;
}

/* An action on step `step` of request `rid` as `token`: the status. */
static long
uact(const char *token, long long rid, const char *action, int step, ht_resp *out)
{
    char path[96], body[160];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", rid);
    if (step)
        snprintf(body, sizeof(body), "{\"action\":\"%s\",\"step\":%d}", action, step);
    else
        snprintf(body, sizeof(body), "{\"action\":\"%s\"}", action);
    ucall(token, "POST", path, body, out);
    return out->status;
}

static void
uact_ok(const char *token, long long rid, const char *action, int step, const char *want)
{
    ht_resp r;
    uact(token, rid, action, step, &r);
    ck_assert_msg(r.status == 200, "%s step %d: %ld %s", action, step, r.status, r.body);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), want) == 0, "%s step %d: %s", action, step,
                  r.body);
    ht_resp_free(&r);
}

static void
uact_fails(const char *token, long long rid, const char *action, int step, long status,
           const char *code)
{
    ht_resp r;
    uact(token, rid, action, step, &r);
    ht_assert_problem(&r, status, code);
    ht_resp_free(&r);
}

static const char *
ureq_state(long long rid)
{
    return uval("SELECT state || ':' || coalesce(current_step, 0) FROM request WHERE id = %lld",
                rid);
}

static void
uworld(void)
{
    static const char *const env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", "XUEJI_IMPORT_WORKERS=0",
                                      UF_TODAY, NULL};
    ht_shared_start_env(env);
    uf_srv = ht_shared();
    useed();
    for (int i = 0; i < NSTAFF; i++)
        ulogin(staff[i].user, uf_tokens[i]);
    PQfinish(uf_db);
    uf_db = NULL;
}

static void
uuse(void)
{
    uf_srv = ht_shared();
    ck_assert_msg(uf_srv != NULL, "no shared server");
}

static void
uclose(void)
{
    if (uf_db)
        PQfinish(uf_db);
    uf_db = NULL;
}

#endif
