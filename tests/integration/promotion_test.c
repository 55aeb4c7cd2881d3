/*
 * tests/integration/promotion_test.c - promotion at the end of a school
 * year (学年升级) with automatic graduation (core/promotion.h) on a real
 * PostgreSQL, without HTTP: the plan (counts per grade, pupils left out
 * and why), the apply (grades, classes created, graduates with certificate
 * numbers, history, events, audit), a second run refused, who may, the
 * calendar window, and the revert, all or nothing.
 *
 * Today is the real date (the tests are written for school year 2025 being
 * over: cw_set_today pins 2026-12-07).
 */
#include "core/checkin.h"
#include "core/promotion.h"
#include "core/promotion_job.h"
#include "tests/lib/coreworld.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TODAY 20261207

static int
run(int who, const char *school, int year, int dry, core_promotion_result *out, app_err *err)
{
    return core_promotion_run(cw_db(), cw_op(who), school, year, dry, 0, out, err);
}

static int
revert(int who, const char *school, int year, db_promotion *out, app_err *err)
{
    return core_promotion_revert(cw_db(), cw_op(who), school, year, out, err);
}

static const core_promotion_grade *
grade(const core_promotion_result *r, int g)
{
    for (int i = 0; i < r->ngrades; i++)
        if (r->grades[i].grade == g)
            return &r->grades[i];
    ck_abort_msg("no grade %d in the plan", g);
    return NULL;
}

static const char *
reason_of(const core_promotion_result *r, long long id)
{
    for (int i = 0; i < r->nleft; i++)
        if (r->left[i].id == id)
            return r->left[i].reason;
    return NULL;
}

/* School A's pupils: one per situation. */
typedef struct pupils {
    long long g11, g13a, g13b, g16, suspended, flight, problem;
} pupils;

static pupils
world_a(void)
{
    cw_set_today(TODAY);
    pupils p;
    p.g11 = cw_student(CW_A, 11, 1, 10);
    p.g13a = cw_student(CW_A, 13, 1, 11);
    p.g13b = cw_student(CW_A, 13, 2, 12);
    p.g16 = cw_student(CW_A, 16, 1, 13);
    p.suspended = cw_student(CW_A, 14, 1, 14);
    p.flight = cw_student(CW_A, 13, 1, 15);
    p.problem = cw_student(CW_A, 16, 1, 16);
    cw_exec("UPDATE student SET state = 'suspended' WHERE id = %lld", p.suspended);
    wf_start a = {.type = "leave_other",
                  .student = cw_key(p.flight),
                  .reason = "随父母外出",
                  .date = "2026-11-01"};
    cw_start_ok(CW_REG_A, &a);
    cw_problem_open("wrong_id", p.problem, 0, CW_A, NULL, "430102", "test");
    return p;
}

START_TEST(test_dry_run_plans_and_changes_nothing)
{
    pupils p = world_a();
    long long events = cw_count("SELECT count(*) FROM events");
    long long classes = cw_count("SELECT count(*) FROM class");
    core_promotion_result r;
    app_err err = {0};
    int rc = run(CW_FURONG, CW_A, 2025, 1, &r, &err);
    cw_ok(rc, &err);
    ck_assert_int_eq(r.dry_run, 1);
    ck_assert_int_eq(r.run.id, 0);
    ck_assert_int_eq(r.run.promoted, 3);
    ck_assert_int_eq(r.run.graduated, 1);
    ck_assert_int_eq(r.run.suspended, 1);
    ck_assert_int_eq(r.run.left_out, 2);
    ck_assert_int_eq(grade(&r, 11)->promoted, 1);
    ck_assert_int_eq(grade(&r, 11)->next, 12);
    ck_assert_int_eq(grade(&r, 13)->promoted, 2);
    ck_assert_int_eq(grade(&r, 13)->left_out, 1);
    ck_assert_int_eq(grade(&r, 14)->suspended, 1);
    ck_assert_int_eq(grade(&r, 16)->graduated, 1);
    ck_assert_int_eq(grade(&r, 16)->left_out, 1);
    ck_assert_int_eq(grade(&r, 16)->next, 0);
    ck_assert_int_eq(r.nleft, 2);
    ck_assert_str_eq(reason_of(&r, p.flight), "student_in_flight");
    ck_assert_str_eq(reason_of(&r, p.problem), "student_has_problem");
    /* nothing written */
    ck_assert_int_eq(cw_grade_of(p.g11), 11);
    ck_assert_str_eq(cw_state(p.g16), "enrolled");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM promotion"), 0);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM events"), events);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM class"), classes);
}
END_TEST

START_TEST(test_apply_moves_graduates_and_records)
{
    pupils p = world_a();
    int v11 = (int)cw_count("SELECT version FROM student WHERE id = %lld", p.g11);
    core_promotion_result r;
    app_err err = {0};
    int rc = run(CW_FURONG, CW_A, 2025, 0, &r, &err);
    cw_ok(rc, &err);
    ck_assert_int_gt(r.run.id, 0);
    ck_assert_str_eq(r.run.state, "applied");
    ck_assert_int_eq(r.run.promoted, 3);
    ck_assert_int_eq(r.run.graduated, 1);
    /* up one grade, same class number, the class of the new grade */
    ck_assert_int_eq(cw_grade_of(p.g11), 12);
    ck_assert_int_eq(cw_class_of(p.g11), 1);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student s JOIN class c ON c.id = s.class_id"
                              " WHERE s.id = %lld AND c.grade = 12 AND c.number = 1",
                              p.g11),
                     1);
    ck_assert_int_eq(cw_count("SELECT version FROM student WHERE id = %lld", p.g11), v11 + 1);
    ck_assert_int_eq(cw_grade_of(p.g13a), 14);
    ck_assert_int_eq(cw_grade_of(p.g13b), 14);
    ck_assert_int_eq(cw_class_of(p.g13b), 2);
    ck_assert_str_eq(cw_scalar("SELECT name FROM class WHERE school = '%s' AND grade = 14"
                               " AND number = 2",
                               CW_A),
                     "四年级(2)班");
    ck_assert_str_eq(cw_scalar("SELECT name FROM class WHERE school = '%s' AND grade = 12"
                               " AND number = 1",
                               CW_A),
                     "二年级(1)班");
    /* the final primary grade graduates, with a certificate number */
    ck_assert_str_eq(cw_state(p.g16), "graduated");
    ck_assert_int_eq(cw_grade_of(p.g16), 16);
    ck_assert_str_eq(cw_scalar("SELECT certificate_no FROM promotion_member WHERE student_id ="
                               " %lld",
                               p.g16),
                     CW_A "202600001");
    /* the others stay */
    ck_assert_int_eq(cw_grade_of(p.suspended), 14);
    ck_assert_str_eq(cw_state(p.suspended), "suspended");
    ck_assert_int_eq(cw_grade_of(p.flight), 13);
    ck_assert_int_eq(cw_grade_of(p.problem), 16);
    ck_assert_str_eq(cw_state(p.problem), "enrolled");
    /* history, events and audit for every pupil moved, one audit row for the run */
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_history WHERE kind = 'promotion'"), 4);
    ck_assert_str_eq(cw_scalar("SELECT changes::text FROM student_history WHERE kind ="
                               " 'promotion' AND student_id = %lld",
                               p.g11),
                     "[{\"new\": \"12\", \"old\": \"11\", \"field\": \"/grade\"}]");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM events WHERE type = 'student.promoted'"), 3);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM events WHERE type = 'student.graduated'"
                              " AND student_id = %lld AND data->>'certificate_no' = '%s'",
                              p.g16, CW_A "202600001"),
                     1);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM audit WHERE action IN ('student.promote',"
                              " 'student.graduate') AND actor_org = '430102'"),
                     4);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM audit WHERE action = 'promotion.apply'"
                              " AND target_id = '%s'",
                              CW_A),
                     1);
    ck_assert_int_eq(cw_count("SELECT jsonb_array_length(plan->'left_out') FROM promotion"), 2);
}
END_TEST

START_TEST(test_second_run_refused)
{
    world_a();
    core_promotion_result r, r2;
    app_err err = {0}, e2 = {0}, e3 = {0};
    int rc = run(CW_FURONG, CW_A, 2025, 0, &r, &err);
    cw_ok(rc, &err);
    long long events = cw_count("SELECT count(*) FROM events");
    rc = run(CW_CHANGSHA, CW_A, 2025, 0, &r2, &e2);
    cw_fails(rc, &e2, APP_ECONFLICT, "promotion_done");
    char id[24];
    snprintf(id, sizeof(id), "%lld ", r.run.id);
    ck_assert_msg(strncmp(e2.param, id, strlen(id)) == 0, "param %s names run %lld", e2.param,
                  r.run.id);
    rc = run(CW_FURONG, CW_A, 2025, 1, &r2, &e3);
    cw_fails(rc, &e3, APP_ECONFLICT, "promotion_done");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM events"), events);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM promotion"), 1);
}
END_TEST

START_TEST(test_who_and_when)
{
    cw_set_today(TODAY);
    cw_student(CW_A, 11, 1, 20);
    core_promotion_result r;
    struct {
        int who;
        const char *school;
        int year, code;
        const char *slug;
    } cases[] = {
        {CW_REG_A, CW_A, 2025, APP_EFORBIDDEN, "forbidden"},
        {CW_TIANXIN, CW_A, 2025, APP_ENOTFOUND, "school_not_found"},
        {CW_FURONG, CW_D, 2025, APP_ENOTFOUND, "school_not_found"}, /* the city's */
        {CW_DONGHU, CW_A, 2025, APP_ENOTFOUND, "school_not_found"},
        {CW_FURONG, CW_X, 2025, APP_ECONFLICT, "school_closed"},
        {CW_FURONG, CW_A, 2026, APP_ECONFLICT, "promotion_not_due"},
        {CW_FURONG, CW_A, 2024, APP_ECONFLICT, "promotion_not_due"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        app_err err = {0};
        int rc = run(cases[i].who, cases[i].school, cases[i].year, 1, &r, &err);
        cw_fails(rc, &err, cases[i].code, cases[i].slug);
    }
    ck_assert_int_eq(cw_count("SELECT count(*) FROM promotion"), 0);
    /* the city and the province are above the county's school */
    app_err err = {0};
    int rc = run(CW_HUNAN, CW_A, 2025, 1, &r, &err);
    cw_ok(rc, &err);
    rc = run(CW_CHANGSHA, CW_D, 2025, 0, &r, &err);
    cw_ok(rc, &err);
}
END_TEST

START_TEST(test_senior_and_five_four)
{
    cw_set_today(TODAY);
    long long h31 = cw_student(CW_H, 31, 1, 30), h33 = cw_student(CW_H, 33, 1, 31);
    core_promotion_result r;
    app_err err = {0};
    int rc = run(CW_FURONG, CW_H, 2025, 0, &r, &err);
    cw_ok(rc, &err);
    ck_assert_int_eq(cw_grade_of(h31), 32);
    ck_assert_str_eq(cw_state(h33), "enrolled");
    ck_assert_int_eq(cw_grade_of(h33), 33);
    ck_assert_int_eq(r.nleft, 1);
    ck_assert_str_eq(reason_of(&r, h33), "graduation_request");
    ck_assert_int_eq(r.run.graduated, 0);

    /* a 五四 primary school: grade 15 is its last */
    cw_exec("INSERT INTO class (school, grade, number, name) VALUES ('%s', 15, 1, '五年级(1)班')",
            CW_B);
    long long b15 = cw_student(CW_B, 15, 1, 32), b13 = cw_student(CW_B, 13, 1, 33);
    cw_exec("UPDATE school SET system = '54' WHERE code = '%s'", CW_B);
    app_err e2 = {0};
    rc = run(CW_FURONG, CW_B, 2025, 0, &r, &e2);
    cw_ok(rc, &e2);
    ck_assert_str_eq(cw_state(b15), "graduated");
    ck_assert_int_eq(cw_grade_of(b13), 14);
}
END_TEST

START_TEST(test_revert_all_or_nothing)
{
    pupils p = world_a();
    core_promotion_result r;
    app_err err = {0};
    int rc = run(CW_FURONG, CW_A, 2025, 0, &r, &err);
    cw_ok(rc, &err);
    /* one promoted pupil has changed since: nothing is reverted */
    cw_exec("UPDATE student SET version = version + 1 WHERE id = %lld", p.g13b);
    db_promotion back;
    app_err e2 = {0};
    rc = revert(CW_FURONG, CW_A, 2025, &back, &e2);
    cw_fails(rc, &e2, APP_ECONFLICT, "promotion_changed");
    ck_assert_str_eq(e2.param, "1");
    ck_assert_int_eq(cw_grade_of(p.g11), 12);
    ck_assert_str_eq(cw_state(p.g16), "graduated");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_history WHERE kind = 'revert'"), 0);
    /* open business on one: refused as well */
    cw_exec("UPDATE student SET version = version - 1 WHERE id = %lld", p.g13b);
    wf_start a = {.type = "leave_other",
                  .student = cw_key(p.g11),
                  .reason = "随父母外出",
                  .date = "2026-11-01"};
    long long rid = cw_start_ok(CW_REG_A, &a);
    app_err e3 = {0};
    rc = revert(CW_FURONG, CW_A, 2025, &back, &e3);
    cw_fails(rc, &e3, APP_ECONFLICT, "promotion_changed");
    ck_assert_int_eq(cw_grade_of(p.g11), 12);
    cw_exec("UPDATE request SET state = 'withdrawn', current_step = NULL WHERE id = %lld", rid);
    /* a school cannot revert; the county can */
    app_err e4 = {0};
    rc = revert(CW_REG_A, CW_A, 2025, &back, &e4);
    cw_fails(rc, &e4, APP_EFORBIDDEN, "forbidden");
    app_err e5 = {0};
    rc = revert(CW_FURONG, CW_A, 2025, &back, &e5);
    cw_ok(rc, &e5);
    ck_assert_str_eq(back.state, "reverted");
    ck_assert_int_eq(cw_grade_of(p.g11), 11);
    ck_assert_int_eq(cw_grade_of(p.g13b), 13);
    ck_assert_int_eq(cw_class_of(p.g13b), 2);
    ck_assert_str_eq(cw_state(p.g16), "enrolled");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student s JOIN class c ON c.id = s.class_id"
                              " WHERE s.id = %lld AND c.grade = 13 AND c.number = 2",
                              p.g13b),
                     1);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_history WHERE kind = 'revert'"), 4);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM events WHERE type = 'student.reverted'"
                              " AND data->>'type' = 'promotion_revert'"),
                     4);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM audit WHERE action = 'promotion.revert'"), 1);
    /* a second revert finds no applied run; the year may be promoted again */
    app_err e6 = {0};
    rc = revert(CW_FURONG, CW_A, 2025, &back, &e6);
    cw_fails(rc, &e6, APP_ENOTFOUND, "promotion_not_found");
    app_err e7 = {0};
    rc = run(CW_FURONG, CW_A, 2025, 0, &r, &e7);
    cw_ok(rc, &e7);
    ck_assert_str_eq(cw_state(p.g16), "graduated");
    ck_assert_str_eq(cw_scalar("SELECT certificate_no FROM promotion_member WHERE student_id ="
                               " %lld AND promotion_id = %lld",
                               p.g16, r.run.id),
                     CW_A "202600002");
    /* after the end of school year 2026 the run stays */
    cw_set_today(20270901);
    app_err e8 = {0};
    rc = revert(CW_FURONG, CW_A, 2025, &back, &e8);
    cw_fails(rc, &e8, APP_ECONFLICT, "promotion_year_over");
}
END_TEST

/* Check-ins take only terms of this school year and the last. */
START_TEST(test_checkin_terms_of_the_calendar)
{
    cw_set_today(TODAY);
    long long s = cw_student(CW_A, 13, 1, 40);
    const char *keys[] = {cw_key(s)};
    core_checkin_result out;
    static const char *const ok[] = {"2026-1", "2026-2", "2025-2", "2025-1"};
    static const char *const bad[] = {"2027-1", "2027-2", "2024-2", "2024-1"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        app_err err = {0};
        int rc = core_checkin(cw_db(), cw_op(CW_REG_A), CW_A, ok[i], keys, 1, &out, &err);
        cw_ok(rc, &err);
        ck_assert_int_eq(out.checked_in, 1);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        app_err err = {0};
        int rc = core_checkin(cw_db(), cw_op(CW_REG_A), CW_A, bad[i], keys, 1, &out, &err);
        cw_fails(rc, &err, APP_EINVAL, "term_not_in_calendar");
        cw_has_item(&err, "/term", "term_not_in_calendar");
    }
    ck_assert_int_eq(cw_count("SELECT count(*) FROM checkin WHERE student_id = %lld", s), 4);
    /* a province whose school year starts on 12-08 is still in school year 2025 */
    cw_exec("INSERT INTO region_settings (region, settings) VALUES ('430000',"
            " '{\"school_year_start\": \"12-08\", \"second_term_start\": \"05-01\"}')");
    app_err err = {0};
    int rc = core_checkin(cw_db(), cw_op(CW_REG_A), CW_A, "2024-2", keys, 1, &out, &err);
    cw_ok(rc, &err);
    app_err e2 = {0};
    rc = core_checkin(cw_db(), cw_op(CW_REG_A), CW_A, "2026-1", keys, 1, &out, &e2);
    cw_fails(rc, &e2, APP_EINVAL, "term_not_in_calendar");
}
END_TEST

static void
job_op(const db_promotion_job *j, app_arena *a, core_actor *actor, core_op *out)
{
    (void)a;
    ck_assert_str_eq(j->role, "county");
    *actor = *cw_actor(CW_FURONG);
    *out = *cw_op(CW_FURONG);
    out->actor = actor;
}

/* A county's job: every open school of the county, each in its own transaction. */
START_TEST(test_region_job)
{
    cw_set_today(TODAY);
    long long a11 = cw_student(CW_A, 11, 1, 50), b13 = cw_student(CW_B, 13, 1, 51);
    long long c13 = cw_student(CW_C, 13, 1, 52); /* 天心区: not in the job */
    core_promotion_result r;
    app_err err = {0};
    int rc = run(CW_FURONG, CW_B, 2025, 0, &r, &err); /* B first, by hand */
    cw_ok(rc, &err);
    db_promotion_job j;
    app_err e1 = {0}, e2 = {0}, e3 = {0};
    rc = core_promotion_job_create(cw_db(), cw_op(CW_REG_A), "430102", 2025, &j, &e1);
    cw_fails(rc, &e1, APP_EFORBIDDEN, "forbidden");
    rc = core_promotion_job_create(cw_db(), cw_op(CW_TIANXIN), "430102", 2025, &j, &e2);
    cw_fails(rc, &e2, APP_ENOTFOUND, "region_not_found");
    rc = core_promotion_job_create(cw_db(), cw_op(CW_FURONG), "430102", 2025, &j, &e3);
    cw_ok(rc, &e3);
    ck_assert_str_eq(j.state, "queued");
    long long schools = cw_count("SELECT count(*) FROM school WHERE authority = '430102'"
                                 " AND NOT closed");
    ck_assert_int_eq(j.total, schools);
    db_promotion_job done;
    int found = 0;
    app_err e4 = {0};
    rc = core_promotion_job_turn(cw_db(), 60, job_op, cw_arena(), &done, &found, &e4);
    cw_ok(rc, &e4);
    ck_assert_int_eq(found, 1);
    ck_assert_str_eq(done.state, "done");
    ck_assert_int_eq(done.processed, schools);
    ck_assert_int_eq(done.skipped, 1); /* B: promotion_done */
    ck_assert_int_eq(done.applied, schools - 1);
    ck_assert_int_eq(cw_grade_of(a11), 12);
    ck_assert_int_eq(cw_grade_of(b13), 14);
    ck_assert_int_eq(cw_grade_of(c13), 13);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM promotion_job WHERE errors @>"
                              " '[{\"school\": \"%s\", \"code\": \"promotion_done\"}]'",
                              CW_B),
                     1);
    /* nothing left to claim */
    app_err e5 = {0};
    rc = core_promotion_job_turn(cw_db(), 60, job_op, cw_arena(), &done, &found, &e5);
    cw_ok(rc, &e5);
    ck_assert_int_eq(found, 0);
    /* the job is read by the bureaus over its region only */
    app_err e6 = {0}, e7 = {0};
    rc = core_promotion_job_get(cw_db(), cw_op(CW_HUNAN), j.id, &done, &e6);
    cw_ok(rc, &e6);
    rc = core_promotion_job_get(cw_db(), cw_op(CW_TIANXIN), j.id, &done, &e7);
    cw_fails(rc, &e7, APP_ENOTFOUND, "promotion_job_not_found");
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("promotion-core");
    TCase *tc = tcase_create("promotion");
    tcase_add_checked_fixture(tc, cw_setup, cw_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_dry_run_plans_and_changes_nothing);
    tcase_add_test(tc, test_apply_moves_graduates_and_records);
    tcase_add_test(tc, test_second_run_refused);
    tcase_add_test(tc, test_who_and_when);
    tcase_add_test(tc, test_senior_and_five_four);
    tcase_add_test(tc, test_revert_all_or_nothing);
    tcase_add_test(tc, test_checkin_terms_of_the_calendar);
    tcase_add_test(tc, test_region_job);
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
