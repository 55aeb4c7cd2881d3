/*
 * tests/http/select_world.h - the world of tests/http/select_test.c: a
 * university of 河南 of its own (so that its rounds are no other suite's),
 * seeded idempotently by SQL, with students (record, university record,
 * account) and courses, sections and plans made per test. The server's
 * registry date is 2027-03-02, week 1 of term 2026-2 (the leftover window);
 * rounds open and close by the real clock.
 *   U 4141019961 选课测试大学
 *   college SC01 (软件学院): majors SM01 软件工程, SM03 网络工程
 *   college SC02 (数学学院): major SM02 数学
 *   cohorts 2024-2027, one class per major and cohort
 *   terms 2026-1 2026-09-07, 2026-2 2027-03-01, 2027-1 2027-09-06
 */
#ifndef TESTS_HTTP_SELECT_WORLD_H
#define TESTS_HTTP_SELECT_WORLD_H

#include "core/pwhash.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <jwt.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SW_PW "Sw-Select-2026!"
#define SWU "4141019961"

enum { SW_RS, SW_OFF1, SW_OFF2, SW_PROV, SW_NSTAFF };

static const struct {
    const char *user, *role, *org, *staff, *college;
} sw_staff[SW_NSTAFF] = {
    [SW_RS] = {"sw_rs", "school", SWU, "registrar_section", NULL},
    [SW_OFF1] = {"sw_off1", "school", SWU, "college_office", "SC01"},
    [SW_OFF2] = {"sw_off2", "school", SWU, "college_office", "SC02"},
    [SW_PROV] = {"sw_henan", "province", "410000", NULL, NULL},
};

static char sw_tok[SW_NSTAFF][1024];
static PGconn *sw_pg;
static ht_server *sw_srv;
static char sw_hash[CORE_PWHASH_LEN];

static PGconn *
swdb(void)
{
    if (sw_pg == NULL)
        sw_pg = ht_db_connect();
    return sw_pg;
}

/* The first value of a query (tests/lib/httptest.h). */
#define swv(...) ht_db_val(swdb(), __VA_ARGS__)

static long long
swi(const char *sql)
{
    return atoll(swv("%s", sql));
}

static void
sw_seed(void)
{
    ht_db_exec(swdb(), "SET client_min_messages TO warning");
    ht_db_exec(swdb(), "CREATE SEQUENCE IF NOT EXISTS sw_seq");
    ht_db_exec(swdb(), "INSERT INTO school (code, name, county, authority, province, category)"
                       " VALUES ('" SWU "', '选课测试大学', '410102', '410000', '410000', 41)"
                       " ON CONFLICT DO NOTHING");
    ht_db_exec(swdb(), "INSERT INTO uni_college (school, code, name) VALUES"
                       " ('" SWU "', 'SC01', '软件学院'), ('" SWU "', 'SC02', '数学学院')"
                       " ON CONFLICT DO NOTHING");
    ht_db_exec(swdb(), "INSERT INTO uni_major (school, college, code, name, level, years)"
                       " SELECT '" SWU "', c.id, m.code, m.name, 'undergraduate', 4 FROM"
                       " (VALUES ('SC01', 'SM01', '软件工程'), ('SC01', 'SM03', '网络工程'),"
                       " ('SC02', 'SM02', '数学')) m (college, code, name)"
                       " JOIN uni_college c ON c.school = '" SWU "' AND c.code = m.college"
                       " ON CONFLICT DO NOTHING");
    ht_db_exec(swdb(), "INSERT INTO uni_cohort (school, year) SELECT '" SWU "', y FROM"
                       " generate_series(2024, 2027) y ON CONFLICT DO NOTHING");
    ht_db_exec(swdb(), "INSERT INTO class (school, grade, number, name) SELECT '" SWU "', 40,"
                       " (row_number() OVER (ORDER BY m.id, y.year))::int, m.code || '-' || y.year"
                       " FROM uni_major m, uni_cohort y WHERE m.school = '" SWU "'"
                       " AND y.school = '" SWU "' ON CONFLICT DO NOTHING");
    ht_db_exec(swdb(), "INSERT INTO uni_class (id, school, major, cohort, number, name)"
                       " SELECT k.id, '" SWU "', m.id, y.year, 1, k.name FROM class k"
                       " JOIN uni_major m ON m.school = '" SWU "' AND k.name LIKE m.code || '-%'"
                       " JOIN uni_cohort y ON y.school = '" SWU "' AND k.name = m.code || '-'"
                       " || y.year WHERE k.school = '" SWU "' ON CONFLICT DO NOTHING");
    ht_db_exec(swdb(), "INSERT INTO uni_term (school, term, first_day) VALUES"
                       " ('" SWU "', '2026-1', '2026-09-07'), ('" SWU "', '2026-2', '2027-03-01'),"
                       " ('" SWU "', '2027-1', '2027-09-06') ON CONFLICT DO NOTHING");
    ck_assert_int_eq(core_pwhash(SW_PW, sw_hash), 0);
    for (int i = 0; i < SW_NSTAFF; i++) {
        char col[160] = "NULL";
        if (sw_staff[i].college)
            snprintf(col, sizeof(col),
                     "(SELECT id FROM uni_college WHERE school = '" SWU "' AND code = '%s')",
                     sw_staff[i].college);
        swv("INSERT INTO app_user (username, display_name, role, org, staff_role, college,"
            " password_hash, must_change_password) VALUES ('%s', '%s', '%s', '%s', %s%s%s,"
            " %s, '%s', false) ON CONFLICT (username) DO NOTHING",
            sw_staff[i].user, sw_staff[i].user, sw_staff[i].role, sw_staff[i].org,
            sw_staff[i].staff ? "'" : "", sw_staff[i].staff ? sw_staff[i].staff : "NULL",
            sw_staff[i].staff ? "'" : "", col, sw_hash);
    }
}

static void
sw_login(const char *user, char out[1024])
{
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, SW_PW);
    ht_resp r;
    ck_assert_int_eq(ht_post_json(sw_srv, "/api/v1/auth/login", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", user, r.status, r.body);
    snprintf(out, 1024, "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

/* An access token of student account `uid` (record `student`) signed as
   the server signs one, with a live session (a refresh family) behind it:
   the suite's 40 racers need no 40 Argon2 logins on a shared machine. */
static void
sw_mint(long long uid, long long student, char out[1024])
{
    long long fam = atoll(swv("SELECT nextval('refresh_family_seq')"));
    swv("INSERT INTO refresh_token (family, user_id, token_hash, expires_at) VALUES"
        " (%lld, %lld, 'sw-' || %lld, now() + interval '1 hour')",
        fam, uid, fam);
    jwt_t *j = NULL;
    ck_assert_int_eq(jwt_new(&j), 0);
    char sub[24], jti[33];
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(jti, sizeof(jti), rnd, sizeof(rnd));
    snprintf(sub, sizeof(sub), "%lld", uid);
    long now = (long)time(NULL);
    int rc = jwt_add_grant(j, "iss", "xueji") | jwt_add_grant(j, "sub", sub) |
             jwt_add_grant(j, "role", "student") | jwt_add_grant(j, "org", SWU) |
             jwt_add_grant_int(j, "iat", now) | jwt_add_grant_int(j, "exp", now + 900) |
             jwt_add_grant(j, "jti", jti) | jwt_add_grant_int(j, "sid", (long)fam) |
             jwt_add_grant_int(j, "stu", (long)student) |
             jwt_set_alg(j, JWT_ALG_HS256, (const unsigned char *)HT_JWT_SECRET,
                         (int)strlen(HT_JWT_SECRET));
    ck_assert_int_eq(rc, 0);
    char *t = jwt_encode_str(j);
    ck_assert_ptr_nonnull(t);
    snprintf(out, 1024, "%s", t);
    free(t);
    jwt_free(j);
}

typedef struct swstu {
    long long id;
    char no[32], token[1024];
} swstu;

/* A studying student of `major` (code) and `cohort` with an account, signed in. */
static void
sw_student(swstu *s, const char *major, int cohort)
{
    long long n = atoll(swv("SELECT nextval('sw_seq')"));
    snprintf(s->no, sizeof(s->no), "sw%04d%06lld", cohort, n);
    s->id = atoll(
        swv("WITH k AS (SELECT c.id, c.number FROM uni_class c JOIN uni_major m ON m.id = c.major"
            " WHERE c.school = '" SWU "' AND m.code = '%s' AND c.cohort = %d)"
            " INSERT INTO student (province, school, class_id, state, stuno_kind, stuno_text,"
            " stuno_bidx, key_id, name, grade, class_no) SELECT '410000', '" SWU "', k.id,"
            " 'enrolled', 'J', 'J%s', decode(md5('%s'), 'hex'), 1, '选课学生', 40, k.number FROM k"
            " RETURNING id",
            major, cohort, s->no, s->no));
    ck_assert_msg(s->id > 0, "student of %s %d", major, cohort);
    swv("INSERT INTO uni_student (student_id, school, student_no, college, major, cohort,"
        " class_id, level, entry_date, expected_graduation) SELECT %lld, '" SWU "', '%s',"
        " m.college, m.id, %d, s.class_id, 'undergraduate', '%d-09-01', '%d-07-01' FROM"
        " student s, uni_major m WHERE s.id = %lld AND m.school = '" SWU "' AND m.code = '%s'",
        s->id, s->no, cohort, cohort, cohort + 4, s->id, major);
    long long uid = atoll(swv("INSERT INTO app_user (username, display_name, role, org, student_id,"
                              " password_hash, must_change_password) VALUES ('%s', '%s', 'student',"
                              " '" SWU "', %lld, '%s', false) RETURNING id",
                              s->no, s->no, s->id, sw_hash));
    sw_mint(uid, s->id, s->token);
}

/* A new course of `kind` offered by SC01: its id. */
static long long
sw_course(const char *kind)
{
    long long n = atoll(swv("SELECT nextval('sw_seq')"));
    return atoll(swv("INSERT INTO uni_course (school, code, name, kind, credits, hours, college)"
                     " SELECT '" SWU "', 'SWC%lld', '课程%lld', '%s', 2, 32, id FROM uni_college"
                     " WHERE school = '" SWU "' AND code = 'SC01' RETURNING id",
                     n, n, kind));
}

/* Section `number` of `course` in `term`: capacity, meant for cohort (0:
   any) and majors ("SM01,SM02" codes, NULL: any). Its id. */
static long long
sw_section(long long course, const char *term, int number, int capacity, int cohort,
           const char *majors)
{
    char ms[256] = "NULL";
    if (majors)
        snprintf(ms, sizeof(ms),
                 "(SELECT array_agg(id) FROM uni_major WHERE school = '" SWU "'"
                 " AND code = ANY (string_to_array('%s', ',')))",
                 majors);
    char co[16] = "NULL";
    if (cohort)
        snprintf(co, sizeof(co), "%d", cohort);
    return atoll(swv("INSERT INTO uni_section (school, course, term, number, capacity, cohort,"
                     " majors) VALUES ('" SWU "', %lld, '%s', %d, %d, %s, %s) RETURNING id",
                     course, term, number, capacity, co, ms));
}

#define sw_call(token, method, path, body, out) ht_call(sw_srv, token, method, path, body, out)

/* A round of `term` made directly (times relative to now in seconds). */
static long long
sw_round(const char *term, const char *kind, int opens_in, int closes_in, const char *cohorts)
{
    int pre = strcmp(kind, "preselect") == 0;
    return atoll(swv("INSERT INTO uni_round (school, term, kind, opens_at, closes_at, cohorts,"
                     " commitment, reveal) VALUES ('" SWU "', '%s', '%s', now() + '%d s',"
                     " now() + '%d s', %s, %s, %s) RETURNING id",
                     term, kind, opens_in, closes_in, cohorts ? cohorts : "NULL",
                     pre ? "sha256(sha256('sw'::bytea))" : "NULL",
                     pre ? "sha256('sw'::bytea)" : "NULL"));
}

static void
sw_world(void)
{
    static const char *const env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", "XUEJI_RATE_LIMIT_IP=0",
                                      "XUEJI_IMPORT_WORKERS=0", "XUEJI_TODAY=2027-03-02",
                                      /* rounds that closed undrawn stay so */
                                      "XUEJI_ROUND_CLOSER_MS=0", NULL};
    ht_shared_start_env(env);
    sw_srv = ht_shared();
    sw_seed();
    for (int i = 0; i < SW_NSTAFF; i++)
        sw_login(sw_staff[i].user, sw_tok[i]);
    PQfinish(sw_pg);
    sw_pg = NULL;
}

static void
sw_use(void)
{
    sw_srv = ht_shared();
    ck_assert_msg(sw_srv != NULL, "no shared server");
}

static void
sw_close(void)
{
    if (sw_pg)
        PQfinish(sw_pg);
    sw_pg = NULL;
}

#endif
