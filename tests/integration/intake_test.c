/*
 * tests/integration/intake_test.c - the graduate pool (毕业库抽取,
 * docs/decisions/0027) through core/ and workflow/ on a real PostgreSQL:
 * the search, claims by two junior schools of two counties, the first
 * approval enrolling the graduate and superseding the other claim, the
 * window, the start rules, a wrong grade fixed by grade_change, and two
 * authorities approving at the same moment (tests/lib/race.h).
 */
#include "core/intake.h"
#include "db/settings.h"
#include "tests/lib/coreworld.h"
#include "tests/lib/race.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* two junior schools: M in 芙蓉区 (authority 430102), N in 天心区 (430103) */
#define JM "2143019421"
#define JN "2143019422"
#define TODAY 20261020 /* within the default window 10-16..10-31 */

static core_actor reg_actor[2];
static core_op reg_op[2];

static void
setup(void)
{
    cw_setup();
    cw_set_today(TODAY);
    cw_exec("INSERT INTO school (code, name, county, authority, province, category, closed) VALUES"
            " ('" JM "', '核心测试芙蓉初级中学', '430102', '430102', '430000', 31, false),"
            " ('" JN "', '核心测试天心初级中学', '430103', '430103', '430000', 31, false)");
    cw_exec("INSERT INTO class (school, grade, number, name, size_limit) VALUES"
            " ('" JM "', 21, 1, '初一(1)班', NULL), ('" JM "', 22, 1, '初二(1)班', NULL),"
            " ('" JN "', 21, 1, '初一(1)班', NULL)");
}

/* The registrar of junior school k (0: M, 1: N). */
static const core_op *
junior(int k)
{
    reg_actor[k] = *cw_actor(CW_REG_A);
    snprintf(reg_actor[k].org, sizeof(reg_actor[k].org), "%s", k ? JN : JM);
    reg_op[k] = *cw_op(CW_REG_A);
    reg_op[k].actor = &reg_actor[k];
    return &reg_op[k];
}

/* A pupil of A's grade 16, graduated (primary: at once). */
static long long
graduate(core_record *rec)
{
    long long id = cw_enrol(CW_REG_A, rec);
    wf_start g = {.type = "graduation", .grade = 16};
    core_request q;
    app_err err = {0};
    cw_ok(cw_start(CW_REG_A, &g, &q, &err), &err);
    ck_assert_str_eq(cw_state(id), "graduated");
    return id;
}

static int
claim(int k, long long student, int grade, int class_no, core_request *out, app_err *err)
{
    wf_start a = {.type = "intake_claim", .student = cw_key(student)};
    a.grade = grade;
    a.class_no = class_no;
    a.entry_date = "2026-09-01";
    char pl[96];
    snprintf(pl, sizeof(pl), "{\"class\":%d,\"entry_date\":\"2026-09-01\",\"grade\":\"%02d\"}",
             class_no, grade);
    a.payload_json = app_arena_strdup(cw_arena(), pl);
    return wf_request_start(cw_db(), junior(k), &a, out, err);
}

static long long
claim_ok(int k, long long student)
{
    core_request q;
    app_err err = {0};
    cw_ok(claim(k, student, 21, 1, &q, &err), &err);
    ck_assert_str_eq(q.state, "open");
    ck_assert_int_eq(q.nsteps, 1);
    ck_assert_str_eq(q.steps[0].org, k ? "430103" : "430102");
    return q.id;
}

static const char *
request_state(long long rid)
{
    return cw_scalar("SELECT state FROM request WHERE id = %lld", rid);
}

/* ------------------------------------------------------------ search */

START_TEST(test_search_masked_and_scoped)
{
    core_record *rec = cw_record(CW_A, 16, 1, 701);
    long long id = graduate(rec);
    core_pool_query q = {.id_number = rec->v[CORE_R_ID_NUMBER]};
    core_pool_hit *h;
    int n = 0;
    app_err err = {0};
    cw_ok(core_pool_search(cw_db(), junior(0), &q, &h, &n, &err), &err);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(h[0].id, id);
    ck_assert_int_eq(h[0].intake_grade, 21);
    ck_assert_str_eq(h[0].school, CW_A);
    ck_assert_ptr_null(strstr(h[0].id_number, rec->v[CORE_R_ID_NUMBER] + 4));
    ck_assert_ptr_nonnull(strchr(h[0].id_number, '*'));
    ck_assert_str_ne(h[0].name, rec->v[CORE_R_NAME]);
    ck_assert_ptr_nonnull(strchr(h[0].name, '*'));
    /* by name and birth date */
    core_pool_query qn = {.name = rec->v[CORE_R_NAME], .birth_date = rec->v[CORE_R_BIRTH_DATE]};
    cw_ok(core_pool_search(cw_db(), junior(0), &qn, &h, &n, &err), &err);
    ck_assert_int_eq(n, 1);
    /* another province sees nothing */
    cw_ok(core_pool_search(cw_db(), cw_op(CW_REG_J), &q, &h, &n, &err), &err);
    ck_assert_int_eq(n, 0);
    /* no browsing: a name alone, nothing at all */
    core_pool_query qa = {.name = rec->v[CORE_R_NAME]};
    cw_fails(core_pool_search(cw_db(), junior(0), &qa, &h, &n, &err), &err, APP_EINVAL, NULL);
    cw_has_item(&err, "/birth_date", "missing_field");
    app_err_clear(&err);
    core_pool_query qz = {0};
    cw_fails(core_pool_search(cw_db(), junior(0), &qz, &h, &n, &err), &err, APP_EINVAL, NULL);
    app_err_clear(&err);
    /* a head teacher does not search */
    cw_fails(core_pool_search(cw_db(), cw_op(CW_TEACHER_A), &q, &h, &n, &err), &err, APP_EFORBIDDEN,
             "forbidden");
    app_err_clear(&err);
    /* audited without the values searched */
    ck_assert_int_eq(cw_count("SELECT count(*) FROM audit WHERE action = 'graduate_pool.search'"),
                     3);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM audit WHERE detail::text LIKE '%%%s%%'",
                              rec->v[CORE_R_ID_NUMBER]),
                     0);
}
END_TEST

/* ------------------------------------------------------------ claims */

/* Two schools claim one graduate; the first claim approved enrols it (the
   same record and student number), the other ends superseded with an event
   to its school, in the approval's transaction. */
START_TEST(test_first_approval_enrols_others_superseded)
{
    long long id = graduate(cw_record(CW_A, 16, 1, 711));
    const char *number =
        cw_scalar("SELECT encode(stuno_bidx, 'hex') FROM student WHERE id = %lld", id);
    long long rm = claim_ok(0, id), rn = claim_ok(1, id);
    core_request q;
    cw_act_ok(CW_TIANXIN, rn, "approve", 1, &q);
    ck_assert_str_eq(q.state, "approved");
    ck_assert_str_eq(cw_state(id), "enrolled");
    ck_assert_str_eq(cw_school_of(id), JN);
    ck_assert_int_eq(cw_grade_of(id), 21);
    ck_assert_int_eq(cw_class_of(id), 1);
    ck_assert_str_eq(cw_scalar("SELECT encode(stuno_bidx, 'hex') FROM student WHERE id = %lld", id),
                     number);
    ck_assert_str_eq(cw_scalar("SELECT enrolled_month FROM student WHERE id = %lld", id), "202609");
    ck_assert_str_eq(request_state(rm), "superseded");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM events WHERE type = 'request.superseded'"
                              " AND request_id = %lld AND school = '%s'",
                              rm, JM),
                     1);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_history WHERE student_id = %lld"
                              " AND kind = 'intake_claim'",
                              id),
                     1);
    /* the superseded claim is nobody's business any more */
    app_err err = {0};
    cw_fails(cw_act(CW_FURONG, rm, "approve", 1, NULL, &err), &err, APP_ECONFLICT,
             "step_already_decided");
    core_request *v;
    int n = 0;
    cw_ok(cw_list(CW_FURONG, "todo", NULL, NULL, &v, &n, &err), &err);
    ck_assert_int_eq(n, 0);
    /* one record: no second active one */
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student"), 1);
}
END_TEST

START_TEST(test_claim_rules)
{
    long long id = graduate(cw_record(CW_A, 16, 1, 721));
    core_request q;
    app_err err = {0};
    /* grade 22 is not where a primary graduate enters */
    cw_fails(claim(0, id, 22, 1, &q, &err), &err, APP_EINVAL, NULL);
    cw_has_item(&err, "/payload/grade", "grade_not_in_school");
    app_err_clear(&err);
    /* no class 21-2 at M */
    cw_fails(claim(0, id, 21, 2, &q, &err), &err, APP_EINVAL, NULL);
    cw_has_item(&err, "/payload/class", "class_not_found");
    app_err_clear(&err);
    /* an enrolled pupil is not in the pool */
    long long other = cw_student(CW_A, 13, 1, 722);
    cw_fails(claim(0, other, 21, 1, &q, &err), &err, APP_ENOTFOUND, "student_not_found");
    app_err_clear(&err);
    /* one open claim per school */
    claim_ok(0, id);
    cw_fails(claim(0, id, 21, 1, &q, &err), &err, APP_ECONFLICT, "already_claimed");
    app_err_clear(&err);
    /* a primary school takes no grade 21 */
    wf_start a = {.type = "intake_claim", .student = cw_key(id), .grade = 21, .class_no = 1};
    a.entry_date = "2026-09-01";
    a.payload_json = "{\"class\":1,\"entry_date\":\"2026-09-01\",\"grade\":\"21\"}";
    cw_fails(cw_start(CW_REG_B, &a, &q, &err), &err, APP_EINVAL, NULL);
    cw_has_item(&err, "/payload/grade", "grade_not_in_school");
    app_err_clear(&err);
    /* outside the window: 409 window_closed, nothing stored */
    cw_set_today(20261101);
    cw_fails(claim(1, id, 21, 1, &q, &err), &err, APP_ECONFLICT, "window_closed");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM request WHERE type = 'intake_claim'"), 1);
}
END_TEST

/* The window is a province setting (its authority's effective settings). */
START_TEST(test_window_setting)
{
    long long id = graduate(cw_record(CW_A, 16, 1, 731));
    int v = 0;
    app_err err = {0};
    cw_ok(db_settings_put(cw_db(), "430000",
                          "{\"intake_window\":{\"from\":\"11-01\",\"until\":"
                          "\"11-10\"}}",
                          0, 0, &v, &err),
          &err);
    core_request q;
    cw_fails(claim(0, id, 21, 1, &q, &err), &err, APP_ECONFLICT, "window_closed");
    app_err_clear(&err);
    cw_set_today(20261105);
    cw_ok(claim(0, id, 21, 1, &q, &err), &err);
    /* null: any day */
    cw_ok(db_settings_put(cw_db(), "430000", "{\"intake_window\":null}", 1, 0, &v, &err), &err);
    cw_set_today(20260301);
    cw_ok(claim(1, id, 21, 1, &q, &err), &err);
}
END_TEST

/* A claimed pupil put into the wrong grade: grade_change, as for anyone. */
START_TEST(test_wrong_grade_fixed_by_grade_change)
{
    long long id = graduate(cw_record(CW_A, 16, 1, 741));
    long long rm = claim_ok(0, id);
    cw_act_ok(CW_FURONG, rm, "approve", 1, NULL);
    wf_start g = {.type = "grade_change", .student = cw_key(id), .grade = 22, .class_no = 1};
    g.payload_json = "{\"class\":1,\"grade\":\"22\"}";
    core_request q;
    app_err err = {0};
    cw_ok(wf_request_start(cw_db(), junior(0), &g, &q, &err), &err);
    cw_act_ok(CW_FURONG, q.id, "approve", 1, &q);
    ck_assert_str_eq(q.state, "approved");
    ck_assert_int_eq(cw_grade_of(id), 22);
    ck_assert_str_eq(cw_school_of(id), JM);
}
END_TEST

/* 异动纠错 (rule 18): a county reverts an approved claim; the graduate is back
   in the pool as it was (school, grade, class, entry month), the claims it
   superseded stay ended, and schools may claim it again. */
START_TEST(test_revert_puts_back_in_pool)
{
    long long id = graduate(cw_record(CW_A, 16, 1, 771));
    const char *month = cw_scalar("SELECT enrolled_month FROM student WHERE id = %lld", id);
    ck_assert_str_ne(month, "202609");
    long long rm = claim_ok(0, id), rn = claim_ok(1, id);
    cw_act_ok(CW_FURONG, rm, "approve", 1, NULL);
    core_request q;
    app_err err = {0};
    /* 天心区 does not even see it: the change happened at M, in 芙蓉区 */
    cw_fails(cw_revert(CW_TIANXIN, rm, &q, &err), &err, APP_ENOTFOUND, "request_not_found");
    app_err_clear(&err);
    cw_ok(cw_revert(CW_FURONG, rm, &q, &err), &err);
    ck_assert_str_eq(q.state, "reverted");
    ck_assert_str_eq(cw_state(id), "graduated");
    ck_assert_str_eq(cw_school_of(id), CW_A);
    ck_assert_int_eq(cw_grade_of(id), 16);
    ck_assert_str_eq(cw_scalar("SELECT enrolled_month FROM student WHERE id = %lld", id), month);
    ck_assert_str_eq(request_state(rn), "superseded");
    claim_ok(0, id);
}
END_TEST

/* A school withdraws its claim: the others stay open. */
START_TEST(test_withdraw_leaves_others)
{
    long long id = graduate(cw_record(CW_A, 16, 1, 751));
    long long rm = claim_ok(0, id), rn = claim_ok(1, id);
    core_request q;
    app_err err = {0};
    cw_ok(wf_request_act(cw_db(), junior(0), rm, "withdraw", 0, NULL, &q, &err), &err);
    ck_assert_str_eq(q.state, "withdrawn");
    ck_assert_str_eq(request_state(rn), "open");
    cw_act_ok(CW_TIANXIN, rn, "approve", 1, NULL);
    ck_assert_str_eq(cw_school_of(id), JN);
}
END_TEST

/* ------------------------------------------------------------ race */

typedef struct approve_arg {
    int who;
    long long rid;
} approve_arg;

static int
approve_side(void *arg)
{
    approve_arg *a = arg;
    app_err err = {0};
    return cw_act(a->who, a->rid, "approve", 1, NULL, &err);
}

/* Two authorities approve two claims on one graduate at the same moment:
   one enrolment, the other claim superseded, and the second approver told
   409 step_already_decided (not a deadlock). Held by the graduate's row,
   locked before either claim (db_intake_claim_lock). */
START_TEST(test_two_approvals_at_once)
{
    long long id = graduate(cw_record(CW_A, 16, 1, 761));
    long long rm = claim_ok(0, id), rn = claim_ok(1, id);
    approve_arg a = {CW_FURONG, rm};
    race_pause_at("student");
    pid_t pid = race_child(approve_side, &a, 0.5);
    race_wait_paused();
    app_err err = {0};
    int rc = cw_act(CW_TIANXIN, rn, "approve", 1, NULL, &err);
    ck_assert_int_eq(race_join(pid), 0);
    cw_fails(rc, &err, APP_ECONFLICT, "step_already_decided");
    ck_assert_str_eq(cw_school_of(id), JM);
    ck_assert_str_eq(request_state(rm), "approved");
    ck_assert_str_eq(request_state(rn), "superseded");
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("intake");
    TCase *tc = tcase_create("intake");
    tcase_add_checked_fixture(tc, setup, cw_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_search_masked_and_scoped);
    tcase_add_test(tc, test_first_approval_enrols_others_superseded);
    tcase_add_test(tc, test_claim_rules);
    tcase_add_test(tc, test_window_setting);
    tcase_add_test(tc, test_wrong_grade_fixed_by_grade_change);
    tcase_add_test(tc, test_withdraw_leaves_others);
    tcase_add_test(tc, test_revert_puts_back_in_pool);
    tcase_add_test(tc, test_two_approvals_at_once);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    cw_suite_init();
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    cw_suite_done();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
