/*
 * tests/http/intake_test.c - the graduate pool (毕业库抽取, API.md "Graduate
 * pool", docs/decisions/0027) through xuejid: POST /graduate-pool/search
 * (masked, one person, problem+json for bad bodies), claims as POST
 * /requests intake_claim by two junior schools of two counties, the first
 * approval enrolling the graduate and superseding the other claim, the
 * window (409 window_closed) and a wrong grade fixed by grade_change.
 * Graduates come from school A of tests/lib/wfworld.h (grade 16); the junior
 * schools M and N and their registrars are this suite's own. The server runs
 * on 2026-10-20 (XUEJI_TODAY), inside the default window 10-16..10-31.
 */
#include "core/pwhash.h"
#include "tests/lib/httptest.h"
#include "tests/lib/wfworld.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCH_M "2143019361" /* 芙蓉区 junior school */
#define SCH_N "2143019362" /* 天心区 junior school */

static const char *const intake_env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", "XUEJI_IMPORT_WORKERS=0",
                                         "XUEJI_TODAY=2026-10-20", NULL};
static char jtok[2][1024]; /* the registrars of M and N */

static void
seed_juniors(void)
{
    ht_db_exec(tdb(),
               "INSERT INTO school (code, name, county, authority, province, category)"
               " VALUES ('" SCH_M "', '抽取测试芙蓉初级中学', '430102', '430102', '430000', 31),"
               " ('" SCH_N "', '抽取测试天心初级中学', '430103', '430103', '430000', 31)"
               " ON CONFLICT DO NOTHING");
    ht_db_exec(tdb(), "INSERT INTO class (school, grade, number, name) VALUES"
                      " ('" SCH_M "', 21, 1, '初一(1)班'), ('" SCH_M "', 22, 1, '初二(1)班'),"
                      " ('" SCH_N "', 21, 1, '初一(1)班') ON CONFLICT DO NOTHING");
    char hash[CORE_PWHASH_LEN], sql[1024];
    ck_assert_int_eq(core_pwhash(PW, hash), 0);
    const char *orgs[2] = {SCH_M, SCH_N};
    for (int k = 0; k < 2; k++) {
        snprintf(
            sql, sizeof(sql),
            "INSERT INTO app_user (username, display_name, role, org, staff_role,"
            " password_hash, must_change_password) VALUES ('in_reg_%d', '抽取登记员', 'school',"
            " '%s', 'registrar', '%s', false) ON CONFLICT (username) DO NOTHING",
            k, orgs[k], hash);
        ht_db_exec(tdb(), sql);
        char body[128];
        snprintf(body, sizeof(body), "{\"username\":\"in_reg_%d\",\"password\":\"%s\"}", k, PW);
        ht_resp r;
        ck_assert_int_eq(ht_post_json(ht_shared(), "/api/v1/auth/login", body, NULL, &r), 0);
        ck_assert_msg(r.status == 200, "login: %ld %s", r.status, r.body);
        snprintf(jtok[k], sizeof(jtok[k]), "%s", ht_json_str(r.json, "access_token"));
        ht_resp_free(&r);
    }
}

/* Unchecked setup: the server on its date, the workflow world, M and N. */
static void
intake_world(void)
{
    static int seeded;
    ht_shared_start_env(intake_env);
    if (!seeded) {
        seed_world();
        seeded = 1;
    }
    for (int i = 0; i < NACTORS; i++)
        login(i);
    seed_juniors();
    close_db();
}

/* A request as the registrar of M (0) or N (1) on server `s`. */
static void
jcall_on(ht_server *s, int k, const char *method, const char *path, const char *body, ht_resp *out)
{
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", jtok[k]);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    ck_assert_int_eq(ht_request(s, method, path, h, body, body ? strlen(body) : 0, out), 0);
}

static void
jcall(int k, const char *method, const char *path, const char *body, ht_resp *out)
{
    jcall_on(srv, k, method, path, body, out);
}

/* A pupil of A's grade 16 graduated (primary: the school's start decides). */
static void
graduate(stu *s)
{
    enrol(REG_A, FURONG, 16, s);
    ht_resp r;
    call("POST", "/api/v1/requests", REG_A, "{\"type\":\"graduation\",\"payload\":{\"grade\":16}}",
         &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(scalar("SELECT state FROM student WHERE id = %lld", s->id), "graduated");
}

static const char *
claim_body(long long id, int grade, const char *entry)
{
    static char b[256];
    snprintf(
        b, sizeof(b),
        "{\"type\":\"intake_claim\",\"student\":%lld,\"payload\":{\"grade\":%d,\"class\":1%s%s%s}}",
        id, grade, entry ? ",\"entry_date\":\"" : "", entry ? entry : "", entry ? "\"" : "");
    return b;
}

static long long
claim_ok(int k, long long id, const char *county)
{
    ht_resp r;
    jcall(k, "POST", "/api/v1/requests", claim_body(id, 21, "2026-09-01"), &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "open");
    ck_assert_str_eq(ht_json_str(step_of(&r, 1), "org"), county);
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    return rid;
}

/* ------------------------------------------------------------ search */

START_TEST(test_search_masked)
{
    stu s;
    graduate(&s);
    char body[128];
    snprintf(body, sizeof(body), "{\"id_type\":\"1\",\"id_number\":\"%s\"}", s.idnum);
    ht_resp r;
    jcall(0, "POST", "/api/v1/graduate-pool/search", body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 1);
    json_t *h = json_array_get(items, 0);
    ck_assert_int_eq(jint(h, "student"), s.id);
    ck_assert_str_eq(ht_json_str(h, "intake_grade"), "21");
    ck_assert_str_eq(ht_json_str(h, "grade"), "16");
    ck_assert_str_eq(ht_json_str(h, "school"), SCH_A);
    ck_assert_ptr_nonnull(strchr(ht_json_str(h, "id_number"), '*'));
    ck_assert_ptr_nonnull(strchr(ht_json_str(h, "name"), '*'));
    ck_assert_ptr_null(strstr(r.body, s.idnum + 4));
    ck_assert_ptr_null(strstr(r.body, s.name));
    ht_resp_free(&r);
    /* by name and birth date */
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"birth_date\":\"%s\"}", s.name, s.birth);
    jcall(1, "POST", "/api/v1/graduate-pool/search", body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ht_resp_free(&r);
    /* another province finds nothing */
    snprintf(body, sizeof(body), "{\"id_number\":\"%s\"}", s.idnum);
    call("POST", "/api/v1/graduate-pool/search", REG_J, body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_search_errors)
{
    ht_resp r;
    jcall(0, "POST", "/api/v1/graduate-pool/search", "{}", &r);
    ht_assert_problem(&r, 422, "missing_field");
    ht_resp_free(&r);
    jcall(0, "POST", "/api/v1/graduate-pool/search", "{\"name\":\"流程学生1\"}", &r);
    ht_assert_problem(&r, 422, "missing_field");
    ht_resp_free(&r);
    jcall(0, "POST", "/api/v1/graduate-pool/search", "{\"id_number\":\"123\"}", &r);
    ht_assert_problem(&r, 422, "invalid_id_number");
    ht_resp_free(&r);
    jcall(0, "POST", "/api/v1/graduate-pool/search", "{\"grade\":16}", &r);
    ht_assert_problem(&r, 422, "unknown_field");
    ht_resp_free(&r);
    jcall(0, "POST", "/api/v1/graduate-pool/search",
          "{\"name\":\"流程学生1\",\"birth_date\":\"2016-13-01\"}", &r);
    ht_assert_problem(&r, 422, "invalid_date");
    ht_resp_free(&r);
    jcall(0, "POST", "/api/v1/graduate-pool/search", "{\"id_number\":7}", &r);
    ht_assert_problem(&r, 422, "wrong_type");
    ht_resp_free(&r);
    call("POST", "/api/v1/graduate-pool/search", GRADE_A, "{\"id_number\":\"11010119900307803X\"}",
         &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ claims */

START_TEST(test_claims_first_approval_wins)
{
    stu s;
    graduate(&s);
    long long rm = claim_ok(0, s.id, "430102"), rn = claim_ok(1, s.id, "430103");
    ht_resp r;
    /* one open claim per school; the grade its stage enters; the members */
    jcall(0, "POST", "/api/v1/requests", claim_body(s.id, 21, "2026-09-01"), &r);
    ht_assert_problem(&r, 409, "already_claimed");
    ht_resp_free(&r);
    jcall(0, "POST", "/api/v1/requests", claim_body(s.id, 22, "2026-09-01"), &r);
    ht_assert_problem(&r, 422, "grade_not_in_school");
    ht_resp_free(&r);
    jcall(0, "POST", "/api/v1/requests", claim_body(s.id, 21, NULL), &r);
    ht_assert_problem(&r, 422, "missing_field");
    ht_resp_free(&r);
    /* 天心区 approves N's claim first */
    act_ok(TIANXIN, rn, "approve", 1, "approved");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld", rm);
    jcall(0, "GET", path, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "superseded");
    ht_resp_free(&r);
    act_fails(FURONG, rm, "approve", 1, 409, "step_already_decided");
    ck_assert_int_eq(events_of(rm, "request.superseded"), 1);
    ck_assert_str_eq(scalar("SELECT school FROM events WHERE request_id = %lld"
                            " AND type = 'request.superseded'",
                            rm),
                     SCH_M);
    snprintf(path, sizeof(path), "/api/v1/students/%lld", s.id);
    jcall(1, "GET", path, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "enrolled");
    ck_assert_str_eq(ht_json_str(r.json, "school"), SCH_N);
    ck_assert_str_eq(ht_json_str(r.json, "grade"), "21");
    ht_resp_free(&r);
    /* the superseded claim in M's list */
    jcall(0, "GET", "/api/v1/requests?box=all&state=superseded&type=intake_claim", NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_ptr_nonnull(strstr(r.body, "superseded"));
    ht_resp_free(&r);
    /* no longer in the pool */
    jcall(0, "POST", "/api/v1/requests", claim_body(s.id, 21, "2026-09-01"), &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_window_closed)
{
    stu s;
    graduate(&s);
    ht_server *late = server_with("XUEJI_TODAY=2026-11-05");
    ht_resp r;
    jcall_on(late, 0, "POST", "/api/v1/requests", claim_body(s.id, 21, "2026-09-01"), &r);
    ht_assert_problem(&r, 409, "window_closed");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_server_stop(late), 0);
    ck_assert_int_eq(count_of("SELECT count(*) FROM request WHERE type = 'intake_claim'"
                              " AND student_id = %lld",
                              s.id),
                     0);
}
END_TEST

/* A pupil claimed into grade 21 that belongs in 22: the grade_change request. */
START_TEST(test_wrong_grade_fixed_by_grade_change)
{
    stu s;
    graduate(&s);
    act_ok(FURONG, claim_ok(0, s.id, "430102"), "approve", 1, "approved");
    char body[128];
    snprintf(body, sizeof(body),
             "{\"type\":\"grade_change\",\"student\":%lld,\"payload\":{\"grade\":22,\"class\":1}}",
             s.id);
    ht_resp r;
    jcall(0, "POST", "/api/v1/requests", body, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(scalar("SELECT school || ' ' || grade FROM student WHERE id = %lld", s.id),
                     SCH_M " 22");
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("intake");
    TCase *tc = tcase_create("intake");
    tcase_add_unchecked_fixture(tc, intake_world, NULL);
    tcase_add_checked_fixture(tc, use_shared, close_db);
    tcase_set_timeout(tc, ht_timeout(60));
    tcase_add_test(tc, test_search_masked);
    tcase_add_test(tc, test_search_errors);
    tcase_add_test(tc, test_claims_first_approval_wins);
    tcase_add_test(tc, test_window_closed);
    tcase_add_test(tc, test_wrong_grade_fixed_by_grade_change);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase());
    return s;
}

int
main(void)
{
    return ht_run_suite(suite(), NULL);
}
