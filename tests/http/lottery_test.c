/*
 * tests/http/lottery_test.c - closing selection rounds and the lottery
 * (issue 17, docs/decisions/0042): the registrar section's close of a
 * pre-selection round draws it (seats taken up to the free ones, the rest
 * not_selected, draw ranks, one uni_lottery audit row naming nobody); the
 * published draw (GET .../draw, read by a student too) re-runs to the same
 * ranking with an independent implementation here, its reveal matches the
 * commitment, and the students' selections follow it; a second close is
 * 409 round_closed; another office 403, a student 403, an unknown round
 * 404; a round of another kind closes without a draw; the round closer
 * closes a due round exactly once (also racing the closers of two more
 * servers), and skips a round it cannot draw without holding up the
 * rounds after it; xuejictl lottery-verify says match, and
 * mismatch for a tampered ranking (in the database or in a saved answer).
 *
 * World: its own university 4141017042 with 40 students (学号 LT000001..),
 * rounds, courses, sections and pre-selections made by SQL per test.
 */
#include "core/pwhash.h"
#include "tests/lib/httptest.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define LU "4141017042"
#define LT_PW "Lt-Lottery-2026!"
#define NSTU 40

enum { SEC, HEAD, STU, NTOK };
static char tok[NTOK][1024];
static PGconn *ldb;
static ht_server *srv;

static PGconn *
db(void)
{
    if (ldb == NULL)
        ldb = ht_db_connect();
    return ldb;
}

/* The first value of a query (tests/lib/httptest.h). */
#define val(...) ht_db_val(db(), __VA_ARGS__)

static long long
ival(const char *sql)
{
    return atoll(val("%s", sql));
}

static void
seed_world(void)
{
    ht_db_exec(db(), "SET client_min_messages TO warning");
    ht_db_exec(db(), "CREATE SEQUENCE IF NOT EXISTS lt_seq");
    ht_db_exec(db(), "INSERT INTO school (code, name, county, authority, province, category)"
                     " VALUES ('" LU "', '抽签测试大学', '410102', '410000', '410000', 41)"
                     " ON CONFLICT DO NOTHING");
    ht_db_exec(db(), "INSERT INTO uni_college (school, code, name) VALUES ('" LU "', 'LT01',"
                     " '抽签学院') ON CONFLICT DO NOTHING");
    ht_db_exec(db(), "INSERT INTO uni_major (school, college, code, name, level, years)"
                     " SELECT '" LU "', id, 'LT0101', '抽签专业', 'undergraduate', 4"
                     " FROM uni_college WHERE school = '" LU "' AND code = 'LT01'"
                     " ON CONFLICT DO NOTHING");
    ht_db_exec(db(), "INSERT INTO uni_cohort (school, year) VALUES ('" LU "', 2025)"
                     " ON CONFLICT DO NOTHING");
    ht_db_exec(db(), "INSERT INTO class (school, grade, number, name) VALUES ('" LU "', 40, 1,"
                     " 'LT0101-2025') ON CONFLICT DO NOTHING");
    ht_db_exec(db(), "INSERT INTO uni_class (id, school, major, cohort, number, name)"
                     " SELECT k.id, '" LU "', m.id, 2025, 1, k.name FROM class k, uni_major m"
                     " WHERE k.school = '" LU "' AND k.name = 'LT0101-2025' AND m.school = '" LU
                     "' AND m.code = 'LT0101' ON CONFLICT DO NOTHING");
    ht_db_exec(db(), "INSERT INTO student (province, school, class_id, state, stuno_kind,"
                     " stuno_text, stuno_bidx, key_id, name, grade, class_no)"
                     " SELECT '410000', '" LU "', k.id, 'enrolled', 'J', 'JLT' || lpad(g::text,"
                     " 6, '0'), decode(md5('LT' || g), 'hex'), 1, '抽签学生', 40, 1"
                     " FROM class k, generate_series(1, 40) g WHERE k.school = '" LU "'"
                     " AND k.name = 'LT0101-2025'"
                     " AND NOT EXISTS (SELECT 1 FROM student WHERE school = '" LU "')");
    ht_db_exec(db(), "INSERT INTO uni_student (student_id, school, student_no, college, major,"
                     " cohort, class_id, level, entry_date, expected_graduation)"
                     " SELECT s.id, '" LU "', substr(s.stuno_text, 2), m.college, m.id, 2025,"
                     " s.class_id, 'undergraduate', '2025-09-01', '2029-07-01'"
                     " FROM student s, uni_major m WHERE s.school = '" LU "' AND m.school = '" LU
                     "' AND m.code = 'LT0101' ON CONFLICT DO NOTHING");
    char hash[CORE_PWHASH_LEN], sql[1024];
    ck_assert_int_eq(core_pwhash(LT_PW, hash), 0);
    static const char *const users[][2] = {{"lt_sec", "registrar_section"},
                                           {"lt_head", "registrar_head"}};
    for (int i = 0; i < 2; i++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO app_user (username, display_name, role, org, staff_role,"
                 " password_hash, must_change_password) VALUES ('%s', '%s', 'school', '" LU
                 "', '%s', '%s', false) ON CONFLICT (username) DO NOTHING",
                 users[i][0], users[i][0], users[i][1], hash);
        ht_db_exec(db(), sql);
    }
    snprintf(sql, sizeof(sql),
             "INSERT INTO app_user (username, display_name, role, org, student_id, password_hash,"
             " must_change_password) SELECT 'lt_stu1', 'lt_stu1', 'student', '" LU "',"
             " student_id, '%s', false FROM uni_student WHERE school = '" LU "'"
             " AND student_no = 'LT000001' ON CONFLICT (username) DO NOTHING",
             hash);
    ht_db_exec(db(), sql);
}

static void
login(const char *user, char out[1024])
{
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", user, LT_PW);
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, "/api/v1/auth/login", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", user, r.status, r.body);
    snprintf(out, 1024, "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

static void
world(void)
{
    static const char *const env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", "XUEJI_IMPORT_WORKERS=0", NULL};
    ht_shared_start_env(env);
    srv = ht_shared();
    seed_world();
    login("lt_sec", tok[SEC]);
    login("lt_head", tok[HEAD]);
    login("lt_stu1", tok[STU]);
    PQfinish(ldb);
    ldb = NULL;
}

static void
use(void)
{
    srv = ht_shared();
    ck_assert_msg(srv != NULL, "no shared server");
}

static void
done(void)
{
    if (ldb)
        PQfinish(ldb);
    ldb = NULL;
}

#define call(token, method, path, out) ht_call(srv, token, method, path, NULL, out)

/* ---- rounds, sections and pre-selections by SQL ---- */

/* A round of `kind` open from `opens` to `closes` (SQL intervals from now). */
static long long
make_round(const char *kind, const char *opens, const char *closes)
{
    int pre = strcmp(kind, "preselect") == 0;
    return atoll(val("INSERT INTO uni_round (school, term, kind, opens_at, closes_at, commitment,"
                     " reveal) SELECT '" LU "', '2026-2', '%s', now() + interval '%s',"
                     " now() + interval '%s', %s, %s FROM (SELECT decode(md5(random()::text)"
                     " || md5(random()::text), 'hex') AS r) x RETURNING id",
                     kind, opens, closes, pre ? "sha256(r)" : "NULL", pre ? "r" : "NULL"));
}

/* Round `id` falls due now (closes_at a second ago). */
static void
fall_due(long long id)
{
    val("UPDATE uni_round SET closes_at = now() - interval '1 second' WHERE id = %lld", id);
}

/* A section of a new course with `capacity` seats of which `taken` are held. */
static long long
make_section(int capacity, int taken)
{
    long long n = ival("SELECT nextval('lt_seq')");
    long long course = atoll(val("INSERT INTO uni_course (school, code, name, kind, credits,"
                                 " hours, college) SELECT '" LU "', 'LTC%lld', '抽签课程%lld',"
                                 " 'elective', 2, 32, id FROM uni_college WHERE school = '" LU
                                 "' AND code = 'LT01' RETURNING id",
                                 n, n));
    return atoll(val("INSERT INTO uni_section (school, course, term, number, capacity, taken)"
                     " VALUES ('" LU "', %lld, '2026-2', 1, %d, %d) RETURNING id",
                     course, capacity, taken));
}

/* Students first..first+n-1 (1-based, by 学号) pre-select `section` in `round`. */
static void
preselect(long long round, long long section, int first, int n)
{
    val("INSERT INTO uni_selection (student, section, school, course, term, state, source,"
        " round) SELECT u.student_id, c.id, c.school, c.course, c.term, 'preselected',"
        " 'student', %lld FROM uni_section c, (SELECT student_id FROM uni_student"
        " WHERE school = '" LU "' ORDER BY student_no OFFSET %d LIMIT %d) u WHERE c.id = %lld",
        round, first - 1, n, section);
}

static long
close_round(const char *token, long long round, ht_resp *r)
{
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/schools/" LU "/selection-rounds/%lld/close", round);
    call(token, "POST", path, r);
    return r->status;
}

static void
get_draw(const char *token, long long round, ht_resp *r)
{
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/schools/" LU "/selection-rounds/%lld/draw", round);
    call(token, "GET", path, r);
}

static long long
jint(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* ---- an independent re-run of the draw (ADR 0042), with libsodium only ---- */

static void
be64(unsigned char *p, unsigned long long v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

typedef struct ticket {
    unsigned long long t;
    const char *no;
} ticket;

static int
by_t(const void *a, const void *b)
{
    const ticket *x = a, *y = b;
    return x->t != y->t ? (x->t < y->t ? -1 : 1) : strcmp(x->no, y->no);
}

/* Re-run every section of a GET .../draw answer: the published ranking and
   selected flags are those the seed gives. */
static void
rerun(const json_t *d)
{
    unsigned char reveal[32], com[32], want[32], in[40], seed[32];
    size_t n = 0;
    const char *rv = ht_json_str(d, "reveal"), *cm = ht_json_str(d, "commitment");
    ck_assert_int_eq(sodium_hex2bin(reveal, 32, rv, strlen(rv), NULL, &n, NULL), 0);
    ck_assert_int_eq(sodium_hex2bin(com, 32, cm, strlen(cm), NULL, &n, NULL), 0);
    crypto_hash_sha256(want, reveal, 32);
    ck_assert_msg(memcmp(want, com, 32) == 0, "the reveal does not match the commitment");
    be64(in, (unsigned long long)jint(d, "round"));
    memcpy(in + 8, reveal, 32);
    crypto_generichash(seed, 32, in, sizeof(in), NULL, 0);
    char hex[65];
    sodium_bin2hex(hex, sizeof(hex), seed, 32);
    ck_assert_str_eq(ht_json_str(d, "seed"), hex);
    json_t *secs = json_object_get(d, "sections");
    for (size_t j = 0; j < json_array_size(secs); j++) {
        json_t *s = json_array_get(secs, j), *cands = json_object_get(s, "candidates");
        size_t k = json_array_size(cands);
        ticket *t = calloc(k ? k : 1, sizeof(*t));
        for (size_t i = 0; i < k; i++) {
            unsigned char msg[64], h[16];
            t[i].no = ht_json_str(json_array_get(cands, i), "student_no");
            be64(msg, (unsigned long long)jint(s, "section"));
            size_t l = strlen(t[i].no);
            memcpy(msg + 8, t[i].no, l);
            crypto_generichash(h, 16, msg, 8 + l, seed, 32);
            for (int b = 0; b < 8; b++)
                t[i].t = (t[i].t << 8) | h[b];
        }
        qsort(t, k, sizeof(*t), by_t);
        long long free_seats = jint(s, "free");
        for (size_t i = 0; i < k; i++) {
            json_t *c = json_array_get(cands, i);
            ck_assert_str_eq(ht_json_str(c, "student_no"), t[i].no);
            ck_assert_int_eq(jint(c, "rank"), (long long)i + 1);
            ck_assert_int_eq(json_is_true(json_object_get(c, "selected")),
                             (long long)i < free_seats);
        }
        free(t);
    }
}

/* The draw's outcome in uni_selection agrees with the published one. */
static void
selections_follow(const json_t *d, long long round)
{
    json_t *secs = json_object_get(d, "sections");
    for (size_t j = 0; j < json_array_size(secs); j++) {
        json_t *s = json_array_get(secs, j), *cands = json_object_get(s, "candidates");
        for (size_t i = 0; i < json_array_size(cands); i++) {
            json_t *c = json_array_get(cands, i);
            int sel = json_is_true(json_object_get(c, "selected"));
            const char *got = val("SELECT s.state || ':' || s.source || ':' || s.draw_rank"
                                  " FROM uni_selection s JOIN uni_student u ON u.student_id ="
                                  " s.student WHERE s.round = %lld AND s.section = %lld"
                                  " AND u.student_no = '%s'",
                                  round, jint(s, "section"), ht_json_str(c, "student_no"));
            char want[64];
            snprintf(want, sizeof(want), "%s:%lld",
                     sel ? "selected:lottery" : "not_selected:student", (long long)i + 1);
            ck_assert_str_eq(got, want);
        }
    }
}

/* ---- tests ---- */

START_TEST(test_close_draws)
{
    long long round = make_round("preselect", "-1 day", "+1 day");
    long long a = make_section(5, 0), b = make_section(10, 2), c = make_section(3, 3);
    preselect(round, a, 1, 12); /* 12 for 5 free seats */
    preselect(round, b, 13, 6); /* 6 for 8 */
    preselect(round, c, 1, 2);  /* 2 for none left */
    char commitment[65];
    snprintf(commitment, sizeof(commitment), "%s",
             val("SELECT encode(commitment, 'hex') FROM uni_round WHERE id = %lld", round));

    ht_resp r;
    ck_assert_msg(close_round(tok[SEC], round, &r) == 200, "%s", r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "drawn");
    ck_assert_int_eq(jint(r.json, "candidates"), 20);
    ck_assert_int_eq(jint(r.json, "selected"), 11);
    ck_assert_int_eq(jint(r.json, "not_selected"), 9);
    ck_assert_int_eq(jint(r.json, "sections"), 3);
    ck_assert_int_eq(jint(r.json, "oversubscribed"), 2);
    ck_assert_str_eq(ht_json_str(r.json, "commitment"), commitment);
    ht_resp_free(&r);

    /* seats: the winners added to what was taken, never above capacity */
    char q[160];
    snprintf(q, sizeof(q),
             "SELECT string_agg(taken::text, ',' ORDER BY id) FROM uni_section"
             " WHERE id IN (%lld, %lld, %lld)",
             a, b, c);
    ck_assert_str_eq(val("%s", q), "5,8,3");
    ck_assert_str_eq(val("SELECT count(*) FROM uni_selection WHERE round = %lld"
                         " AND state = 'preselected'",
                         round),
                     "0");
    ck_assert_str_eq(val("SELECT state || ':' || (closed_at IS NOT NULL) || ':' ||"
                         " (drawn_at IS NOT NULL) FROM uni_round WHERE id = %lld",
                         round),
                     "drawn:true:true");
    /* one audit row with the seed and the counts, naming no student */
    ck_assert_str_eq(val("SELECT count(*) FROM audit WHERE action = 'uni_lottery'"
                         " AND target_id = '%lld'",
                         round),
                     "1");
    ck_assert_str_eq(val("SELECT (detail->>'selected') || ':' || (detail->>'commitment') || ':'"
                         " || (length(detail->>'seed') = 64) || ':' || (detail::text LIKE"
                         " '%%LT0000%%') FROM audit WHERE action = 'uni_lottery'"
                         " AND target_id = '%lld'",
                         round),
                     val("SELECT '11:%s:true:false'", commitment));

    /* the student reads the published draw; it re-runs to the same result */
    get_draw(tok[STU], round, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "commitment"), commitment);
    ck_assert_str_eq(ht_json_str(r.json, "algorithm"), "xueji-lottery-blake2b/1");
    json_t *secs = json_object_get(r.json, "sections");
    ck_assert_int_eq(json_array_size(secs), 3);
    ck_assert_int_eq(jint(json_array_get(secs, 0), "free"), 5);
    ck_assert_int_eq(jint(json_array_get(secs, 1), "free"), 8);
    ck_assert_int_eq(jint(json_array_get(secs, 2), "free"), 0);
    rerun(r.json);
    selections_follow(r.json, round);
    ht_resp_free(&r);

    /* a second close */
    close_round(tok[SEC], round, &r);
    ht_assert_problem(&r, 409, "round_closed");
    ht_resp_free(&r);
    ck_assert_str_eq(val("SELECT count(*) FROM audit WHERE action = 'uni_lottery'"
                         " AND target_id = '%lld'",
                         round),
                     "1");
}
END_TEST

START_TEST(test_who_may_close)
{
    long long round = make_round("preselect", "-1 day", "+1 day");
    long long a = make_section(2, 0);
    preselect(round, a, 1, 4);
    ht_resp r;
    close_round(tok[HEAD], round, &r); /* 教务处处长: not the registrar section */
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    close_round(tok[STU], round, &r); /* no student route */
    ck_assert_int_eq(r.status, 403);
    ht_resp_free(&r);
    close_round(tok[SEC], 999999999, &r);
    ht_assert_problem(&r, 404, "round_not_found");
    ht_resp_free(&r);
    /* not drawn yet: nothing published */
    get_draw(tok[STU], round, &r);
    ht_assert_problem(&r, 409, "round_not_drawn");
    ht_resp_free(&r);
    get_draw(tok[HEAD], 999999999, &r);
    ht_assert_problem(&r, 404, "round_not_found");
    ht_resp_free(&r);
    ck_assert_str_eq(val("SELECT state FROM uni_round WHERE id = %lld", round), "scheduled");
    ck_assert_str_eq(val("SELECT count(*) FROM uni_selection WHERE round = %lld"
                         " AND state = 'preselected'",
                         round),
                     "4");
}
END_TEST

START_TEST(test_other_kind_closes_without_draw)
{
    long long round = make_round("add_drop", "+1 day", "+2 days"); /* not even open yet */
    ht_resp r;
    ck_assert_msg(close_round(tok[SEC], round, &r) == 200, "%s", r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "closed");
    ck_assert_int_eq(jint(r.json, "candidates"), 0);
    ck_assert(json_is_null(json_object_get(r.json, "drawn_at")));
    ht_resp_free(&r);
    ck_assert_str_eq(val("SELECT count(*) FROM audit WHERE action = 'uni_round_close'"
                         " AND target_id = '%lld'",
                         round),
                     "1");
    get_draw(tok[STU], round, &r);
    ht_assert_problem(&r, 409, "round_not_drawn");
    ht_resp_free(&r);
    close_round(tok[SEC], round, &r);
    ht_assert_problem(&r, 409, "round_closed");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_closer_closes_due_round_once)
{
    /* due only once its pre-selections are in: a closer would draw it at once */
    long long round = make_round("preselect", "-2 days", "+1 hour");
    long long a = make_section(3, 1);
    preselect(round, a, 20, 7);
    fall_due(round);
    long long t0 = ht_now_ms();
    while (strcmp(val("SELECT state FROM uni_round WHERE id = %lld", round), "drawn") != 0 &&
           ht_now_ms() - t0 < 15000)
        ht_sleep_ms(100);
    ck_assert_str_eq(val("SELECT state FROM uni_round WHERE id = %lld", round), "drawn");
    ck_assert_str_eq(val("SELECT taken FROM uni_section WHERE id = %lld", a), "3");
    ck_assert_str_eq(val("SELECT string_agg(state || draw_rank, ',' ORDER BY draw_rank)"
                         " FROM uni_selection WHERE round = %lld",
                         round),
                     "selected1,selected2,not_selected3,not_selected4,not_selected5,"
                     "not_selected6,not_selected7");
    ht_sleep_ms(1500); /* another tick: nothing more */
    ck_assert_str_eq(val("SELECT count(*) || ':' || bool_and(actor_id IS NULL) FROM audit"
                         " WHERE action = 'uni_lottery' AND target_id = '%lld'",
                         round),
                     "1:true");
    ht_resp r;
    get_draw(tok[SEC], round, &r);
    ck_assert_int_eq(r.status, 200);
    rerun(r.json);
    selections_follow(r.json, round);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_closer_skips_a_broken_round)
{
    /* the earlier due round's reveal does not match its commitment: it stays
       scheduled, and the later one is still drawn */
    long long bad = make_round("preselect", "-2 days", "+1 hour");
    val("UPDATE uni_round SET reveal = sha256(reveal) WHERE id = %lld", bad);
    val("UPDATE uni_round SET closes_at = now() - interval '2 seconds' WHERE id = %lld", bad);
    long long good = make_round("preselect", "-2 days", "+1 hour");
    long long a = make_section(1, 0);
    preselect(good, a, 30, 3);
    fall_due(good);
    long long t0 = ht_now_ms();
    while (strcmp(val("SELECT state FROM uni_round WHERE id = %lld", good), "drawn") != 0 &&
           ht_now_ms() - t0 < 15000)
        ht_sleep_ms(100);
    char got[64];
    snprintf(got, sizeof(got), "%s",
             val("SELECT string_agg(state, ',' ORDER BY id) FROM uni_round"
                 " WHERE id IN (%lld, %lld)",
                 bad, good));
    int ok = strcmp(got, "scheduled,drawn") == 0;
    /* out of the closer's way for the other tests */
    val("UPDATE uni_round SET state = 'closed', closed_at = now() WHERE id = %lld", bad);
    ck_assert_msg(ok, "rounds: %s", got);
    ck_assert_str_eq(val("SELECT taken FROM uni_section WHERE id = %lld", a), "1");
}
END_TEST

START_TEST(test_closers_of_two_servers_close_once)
{
    /* two more servers polling every 50 ms race the shared one for six
       rounds that fall due at the same moment: each is drawn exactly once */
    static const char *const fast[] = {"XUEJI_ROUND_CLOSER_MS=50", "XUEJI_IMPORT_WORKERS=0", NULL};
    ht_server *b = ht_server_start(fast), *c = ht_server_start(fast);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(c);
    long long rounds[6], secs[6];
    for (int i = 0; i < 6; i++) {
        rounds[i] = make_round("preselect", "-2 days", "+1 hour");
        secs[i] = make_section(2, 0);
        preselect(rounds[i], secs[i], 1 + i * 5, 5);
    }
    val("UPDATE uni_round SET closes_at = now() WHERE id BETWEEN %lld AND %lld", rounds[0],
        rounds[5]);
    long long t0 = ht_now_ms();
    while (atoi(val("SELECT count(*) FROM uni_round WHERE id BETWEEN %lld AND %lld"
                    " AND state = 'drawn'",
                    rounds[0], rounds[5])) < 6 &&
           ht_now_ms() - t0 < 15000)
        ht_sleep_ms(50);
    ht_sleep_ms(300); /* a few more passes of the fast closers */
    for (int i = 0; i < 6; i++) {
        ck_assert_str_eq(val("SELECT state FROM uni_round WHERE id = %lld", rounds[i]), "drawn");
        ck_assert_str_eq(val("SELECT count(*) FROM audit WHERE action = 'uni_lottery'"
                             " AND target_id = '%lld'",
                             rounds[i]),
                         "1");
        ck_assert_str_eq(val("SELECT taken FROM uni_section WHERE id = %lld", secs[i]), "2");
        ck_assert_str_eq(val("SELECT count(*) FROM uni_draw_section WHERE round = %lld", rounds[i]),
                         "1");
    }
    ck_assert_int_eq(ht_server_stop(b), 0);
    ck_assert_int_eq(ht_server_stop(c), 0);
}
END_TEST

/* Run xuejictl lottery-verify with `a1 a2`: its exit status, output in out. */
static int
verify(const char *a1, const char *a2, char *out, size_t cap)
{
    const char *bin = getenv("XUEJID_BIN");
    ck_assert_ptr_nonnull(bin);
    char ctl[PATH_MAX], cmd[PATH_MAX * 2 + 64];
    snprintf(ctl, sizeof(ctl), "%s", bin);
    char *slash = strrchr(ctl, '/');
    snprintf(slash + 1, sizeof(ctl) - (size_t)(slash + 1 - ctl), "xuejictl");
    snprintf(cmd, sizeof(cmd), "XUEJI_DATABASE_URL='%s' %s lottery-verify %s %s 2>&1",
             getenv("XUEJI_TEST_DATABASE_URL"), ctl, a1, a2);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

START_TEST(test_verify_tool)
{
    long long round = make_round("preselect", "-1 day", "+1 day");
    long long a = make_section(4, 0), b = make_section(2, 0);
    preselect(round, a, 1, 9);
    preselect(round, b, 10, 5);
    ht_resp r;
    ck_assert_int_eq(close_round(tok[SEC], round, &r), 200);
    ht_resp_free(&r);
    char id[24], out[1024], file[64];
    snprintf(id, sizeof(id), "%lld", round);
    ck_assert_msg(verify("--round", id, out, sizeof(out)) == 0, "%s", out);
    ck_assert_msg(strncmp(out, "match:", 6) == 0, "%s", out);

    /* the saved answer of GET .../draw, as anyone outside would check it */
    get_draw(tok[STU], round, &r);
    ck_assert_int_eq(r.status, 200);
    snprintf(file, sizeof(file), "/tmp/xueji-draw-%d.json", (int)getpid());
    ck_assert_int_eq(json_dump_file(r.json, file, 0), 0);
    ck_assert_msg(verify("--file", file, out, sizeof(out)) == 0, "%s", out);
    /* tampered: the first two of section a swapped */
    json_t *cands =
        json_object_get(json_array_get(json_object_get(r.json, "sections"), 0), "candidates");
    json_t *c0 = json_array_get(cands, 0), *c1 = json_array_get(cands, 1);
    json_t *n0 = json_copy(json_object_get(c0, "student_no"));
    json_object_set(c0, "student_no", json_object_get(c1, "student_no"));
    json_object_set_new(c1, "student_no", n0);
    ck_assert_int_eq(json_dump_file(r.json, file, 0), 0);
    ck_assert_msg(verify("--file", file, out, sizeof(out)) == 1, "%s", out);
    ck_assert_msg(strstr(out, "mismatch") != NULL, "%s", out);
    ht_resp_free(&r);
    unlink(file);

    /* tampered in the database: a loser moved up to rank 1 */
    val("UPDATE uni_draw_section SET student_nos = student_nos[9:9] || student_nos[1:8]"
        " WHERE round = %lld AND section = %lld",
        round, a);
    ck_assert_msg(verify("--round", id, out, sizeof(out)) == 1, "%s", out);
    char want[64];
    snprintf(want, sizeof(want), "(section %lld)", a);
    ck_assert_msg(strstr(out, "mismatch") != NULL && strstr(out, want) != NULL, "%s", out);
    /* a reveal that does not match the commitment */
    val("UPDATE uni_draw_section SET student_nos = student_nos[2:9] || student_nos[1:1]"
        " WHERE round = %lld AND section = %lld",
        round, a);
    ck_assert_msg(verify("--round", id, out, sizeof(out)) == 0, "%s", out);
    val("UPDATE uni_round SET reveal = sha256(reveal) WHERE id = %lld", round);
    ck_assert_msg(verify("--round", id, out, sizeof(out)) == 1, "%s", out);
    ck_assert_msg(strstr(out, "commitment") != NULL, "%s", out);
}
END_TEST

static Suite *
lottery_suite(void)
{
    Suite *s = suite_create("lottery");
    TCase *tc = tcase_create("lottery");
    tcase_add_unchecked_fixture(tc, world, NULL);
    tcase_add_checked_fixture(tc, use, done);
    tcase_set_timeout(tc, ht_timeout(30));
    tcase_add_test(tc, test_close_draws);
    tcase_add_test(tc, test_who_may_close);
    tcase_add_test(tc, test_other_kind_closes_without_draw);
    tcase_add_test(tc, test_closer_closes_due_round_once);
    tcase_add_test(tc, test_closer_skips_a_broken_round);
    tcase_add_test(tc, test_closers_of_two_servers_close_once);
    tcase_add_test(tc, test_verify_tool);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    if (sodium_init() < 0)
        return 1;
    return ht_run_suite(lottery_suite(), done);
}
