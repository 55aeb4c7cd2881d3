/*
 * tests/http/creq_test.c - the course requests of a university's students
 * (issue 17, docs/decisions/0044): 课程免修, 课程置换, 课程覆盖 and 补选,
 * each with its window, evidence, chain of offices (a wrong office 403),
 * due dates, effect (exemptions, selections dropped with their seats
 * released, taken == the count of selected rows) and revert. World:
 * tests/http/creq_world.h.
 */
#include "tests/http/creq_world.h"

/* ------------------------------------------------------------ 课程免修 */

START_TEST(test_exemption_chain_and_effect)
{
    cstu s, t;
    cstudent(&s, UA, 2025);
    cstudent(&t, UA, 2025);
    char a[16], b[16], c[16], d[16];
    long long ca = ccourse(UA, a), cb = ccourse(UA, b), cc = ccourse(UA, c), cd = ccourse(UA, d);
    cplan(UA, 2026, ca);
    cplan(UA, 2026, cb);
    cplan(UA, 2026, cc);
    cgrade(UA, s.id, ca, "85");
    cgrade(UA, s.id, cb, "80");
    cgrade(UA, s.id, cc, "79.5");
    cgrade(UA, s.id, cd, "95");
    /* A selected (a seat of 2), B preloaded and preselected; another student in A */
    long long sa = csection(UA, ca, "2026-2", 1, 2), sb = csection(UA, cb, "2026-2", 1, 30);
    cselect(s.id, sa, "selected", "student");
    cselect(t.id, sa, "selected", "student");
    cselect(s.id, sb, "preselected", "preload");
    /* the section of A the student passed in 2025-2 */
    long long past =
        cid("SELECT section FROM uni_grade WHERE student = %lld AND course = %lld", s.id, ca);
    cselect(s.id, past, "selected", "student");
    /* no 调整年级 yet */
    char pl[256];
    snprintf(pl, sizeof(pl), "{\"courses\":[\"%s\",\"%s\"]}", a, b);
    cstart_fails(&s, "course_exemption", pl, 0, 409, "no_cohort_notice");
    ccohort_change(&s);
    /* each course checked: passed with 80, in the new cohort's plan, known */
    char bad[256];
    snprintf(bad, sizeof(bad), "{\"courses\":[\"%s\",\"%s\",\"NOPE1\",\"%s\"]}", a, c, d);
    cstart_item(&s, "course_exemption", bad, 0, "/payload/courses/1", "course_not_passed");
    cstart_item(&s, "course_exemption", bad, 0, "/payload/courses/2", "unknown_course");
    cstart_item(&s, "course_exemption", bad, 0, "/payload/courses/3", "course_not_in_plan");
    snprintf(bad, sizeof(bad), "{\"courses\":[\"%s\",\"%s\"]}", a, a);
    cstart_item(&s, "course_exemption", bad, 0, "/payload/courses/1", "duplicate_course");
    long long rid = cstart_ok(&s, "course_exemption", pl, 0);
    /* teaching vice-dean, then the registrar section (due by the end of week 5) */
    cact_fails(cq_tokens[RSA], rid, 1, 403, "not_step_holder");
    cact_ok(cq_tokens[VDA], rid, 1, "open");
    cact_fails(cq_tokens[RHA], rid, 2, 403, "not_step_holder");
    ck_assert_str_eq(cval("SELECT to_char(due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
                          " FROM request_step WHERE request_id = %lld AND number = 2",
                          rid),
                     "2027-04-04");
    cact_ok(cq_tokens[RSA], rid, 2, "approved");
    ck_assert_str_eq(
        cval("SELECT string_agg(kind, ',') FROM uni_exemption WHERE request = %lld", rid),
        "exemption,exemption");
    ck_assert_str_eq(cstate(s.id, sa), "dropped:exemption");
    ck_assert_str_eq(cstate(s.id, sb), "dropped:exemption");
    ck_assert_str_eq(cstate(t.id, sa), "selected:student");
    /* a past term's selection is the record of the course passed: kept */
    ck_assert_str_eq(cstate(s.id, past), "selected:student");
    ck_assert_str_eq(cval("SELECT taken FROM uni_section WHERE id = %lld", sa), "1");
    ck_assert_int_eq(cmiscounted(UA), 0);
    /* exempted: a second request for A is refused */
    snprintf(bad, sizeof(bad), "{\"courses\":[\"%s\"]}", a);
    cstart_item(&s, "course_exemption", bad, 0, "/payload/courses/0", "course_already_exempted");
    /* the province reverts: the exemptions go, the selections stay dropped */
    ht_resp r;
    ck_assert_int_eq(crevert(rid, &r), 200);
    ht_resp_free(&r);
    ck_assert_str_eq(cval("SELECT count(*) FROM uni_exemption WHERE student = %lld", s.id), "0");
    ck_assert_str_eq(cstate(s.id, sa), "dropped:exemption");
}
END_TEST

START_TEST(test_exemption_window)
{
    cstu s;
    cstudent(&s, UA, 2025);
    char a[16];
    long long ca = ccourse(UA, a);
    cplan(UA, 2026, ca);
    cgrade(UA, s.id, ca, "90");
    long long notice = ccohort_change(&s);
    char pl[128];
    snprintf(pl, sizeof(pl), "{\"courses\":[\"%s\"]}", a);
    /* 3 days after the notice: still open; 4 days: closed */
    cval("UPDATE uni_notice SET issued_on = '2027-02-27' WHERE request_id = %lld", notice);
    long long rid = cstart_ok(&s, "course_exemption", pl, 0);
    ht_resp r;
    cact(s.token, rid, "withdraw", 0, &r);
    ht_resp_free(&r);
    cval("UPDATE uni_notice SET issued_on = '2027-02-26' WHERE request_id = %lld", notice);
    cstart_fails(&s, "course_exemption", pl, 0, 409, "window_closed");
    /* a grade posted after the notice does not count */
    cval("UPDATE uni_notice SET issued_on = '2027-03-01' WHERE request_id = %lld", notice);
    cval("UPDATE uni_grade SET posted_at = '2027-03-02 10:00+08' WHERE student = %lld", s.id);
    cstart_item(&s, "course_exemption", pl, 0, "/payload/courses/0", "course_not_passed");
    /* offices never start it */
    ht_resp o;
    ccall(cq_tokens[RSA], "POST", "/api/v1/requests",
          "{\"type\":\"course_exemption\",\"payload\":{\"courses\":[\"X1\"]}}", &o);
    ht_assert_problem(&o, 403, "forbidden");
    ht_resp_free(&o);
}
END_TEST

/* ------------------------------------------------------------ 课程置换 */

#define SUBST                                                                                      \
    "{\"basis\":\"exchange\",\"courses\":[{\"course\":\"%s\",\"taken\":\"Data Structures\","       \
    "\"institution\":\"University of Leeds\",\"credits\":4,\"score\":\"A\"}]}"

START_TEST(test_substitution)
{
    cstu s, b;
    cstudent(&s, UA, 2026);
    cstudent(&b, UB, 2026);
    char a[16], x[16];
    long long ca = ccourse(UA, a);
    ccourse(UB, x);
    long long sa = csection(UA, ca, "2026-2", 1, 1);
    cselect(s.id, sa, "selected", "preload");
    char pl[512];
    snprintf(pl, sizeof(pl), SUBST, a);
    /* the transcript is required; week 6 of B's term is past the first 3 weeks */
    cstart_item(&s, "course_substitution", pl, 0, "/evidence", "evidence_required");
    char plb[512];
    snprintf(plb, sizeof(plb), SUBST, x);
    cstart_fails(&b, "course_substitution", plb, cupload(b.token), 409, "window_closed");
    long long ev = cupload(s.token);
    /* each course from elsewhere: its members checked */
    char bad[512];
    snprintf(bad, sizeof(bad),
             "{\"basis\":\"exchange\",\"courses\":[{\"course\":\"%s\",\"credits\":0,"
             "\"score\":101,\"extra\":1}]}",
             a);
    cstart_item(&s, "course_substitution", bad, ev, "/payload/courses/0/taken", "missing_field");
    cstart_item(&s, "course_substitution", bad, ev, "/payload/courses/0/institution",
                "missing_field");
    cstart_item(&s, "course_substitution", bad, ev, "/payload/courses/0/credits", "wrong_type");
    cstart_item(&s, "course_substitution", bad, ev, "/payload/courses/0/score", "wrong_type");
    cstart_item(&s, "course_substitution", bad, ev, "/payload/courses/0/extra", "unknown_field");
    snprintf(bad, sizeof(bad), "{\"basis\":\"tourism\",\"courses\":[]}");
    cstart_item(&s, "course_substitution", bad, ev, "/payload/basis", "invalid_value");
    long long rid = cstart_ok(&s, "course_substitution", pl, ev);
    cact_fails(cq_tokens[DHA], rid, 1, 403, "not_step_holder");
    cact_ok(cq_tokens[VDA], rid, 1, "open");
    cact_ok(cq_tokens[RSA], rid, 2, "approved");
    ck_assert_str_eq(cval("SELECT kind FROM uni_exemption WHERE request = %lld", rid),
                     "substitution");
    ck_assert_str_eq(cstate(s.id, sa), "dropped:exemption");
    ck_assert_str_eq(cval("SELECT taken FROM uni_section WHERE id = %lld", sa), "0");
    ck_assert_int_eq(cmiscounted(UA), 0);
}
END_TEST

/* ------------------------------------------------------------ 课程覆盖 */

START_TEST(test_coverage)
{
    cstu s;
    cstudent(&s, UA, 2025);
    char a[16], b[16], c[16];
    long long ca = ccourse(UA, a), cb = ccourse(UA, b), cc = ccourse(UA, c);
    cgrade(UA, s.id, cb, "61");
    cgrade(UA, s.id, cc, "59");
    long long sa = csection(UA, ca, "2026-2", 1, 3);
    cselect(s.id, sa, "selected", "student");
    char bad[256];
    snprintf(bad, sizeof(bad),
             "{\"courses\":[{\"course\":\"%s\",\"by\":\"%s\"},{\"course\":\"%s\",\"by\":\"%s\"},"
             "\"%s\"]}",
             a, c, b, b, a);
    cstart_item(&s, "course_coverage", bad, 0, "/payload/courses/0/by", "course_not_passed");
    cstart_item(&s, "course_coverage", bad, 0, "/payload/courses/1/by", "same_course");
    cstart_item(&s, "course_coverage", bad, 0, "/payload/courses/2", "wrong_type");
    char pl[128];
    snprintf(pl, sizeof(pl), "{\"courses\":[{\"course\":\"%s\",\"by\":\"%s\"}]}", a, b);
    long long rid = cstart_ok(&s, "course_coverage", pl, 0);
    /* every step due the Friday one week after Tuesday 2027-03-02 */
    ck_assert_str_eq(cval("SELECT to_char(due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
                          " FROM request_step WHERE request_id = %lld AND number = 1",
                          rid),
                     "2027-03-12");
    cact_ok(cq_tokens[VDA], rid, 1, "open");
    cact_fails(cq_tokens[RHA], rid, 2, 403, "not_step_holder");
    cact_ok(cq_tokens[RSA], rid, 2, "open");
    ck_assert_str_eq(cval("SELECT to_char(due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
                          " FROM request_step WHERE request_id = %lld AND number = 3",
                          rid),
                     "2027-03-12");
    cact_fails(cq_tokens[RSA], rid, 3, 403, "not_step_holder");
    /* returned and resubmitted: submitted again, due the Friday a week after */
    ht_resp r;
    ck_assert_int_eq(cact(cq_tokens[DHA], rid, "return", 3, &r), 200);
    ht_resp_free(&r);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", rid);
    ccall(s.token, "POST", path, "{\"action\":\"resubmit\"}", &r);
    ck_assert_msg(r.status == 200, "resubmit: %ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(cval("SELECT to_char(due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
                          " FROM request_step WHERE request_id = %lld AND number = 1",
                          rid),
                     "2027-03-12");
    cact_ok(cq_tokens[VDA], rid, 1, "open");
    cact_ok(cq_tokens[RSA], rid, 2, "open");
    cact_ok(cq_tokens[DHA], rid, 3, "approved");
    ck_assert_str_eq(
        cval("SELECT kind FROM uni_exemption WHERE student = %lld AND course = %lld", s.id, ca),
        "coverage");
    ck_assert_str_eq(cstate(s.id, sa), "dropped:exemption");
    ck_assert_int_eq(cmiscounted(UA), 0);
}
END_TEST

/* ------------------------------------------------------------ 补选 */

START_TEST(test_late_selection)
{
    cstu s, t, u;
    cstudent(&s, UA, 2025);
    cstudent(&t, UA, 2025);
    cstudent(&u, UB, 2025);
    char a[16], b[16], x[16];
    long long ca = ccourse(UA, a), cb = ccourse(UA, b);
    ccourse(UB, x);
    long long sa = csection(UA, ca, "2026-2", 1, 5), sb = csection(UA, cb, "2026-2", 2, 1);
    cselect(s.id, sa, "selected", "student");
    char pl[256];
    snprintf(pl, sizeof(pl),
             "{\"basis\":\"cohort_change\",\"remove\":[%lld],\"add\":[{\"course\":\"%s\","
             "\"number\":2}]}",
             sa, b);
    /* no 随下届 of the student's: not eligible; a 转学 shows by its evidence */
    cstart_fails(&s, "late_selection", pl, 0, 409, "no_status_change");
    char tin[256];
    snprintf(tin, sizeof(tin), "{\"basis\":\"transfer_in\",\"add\":[%lld]}", sb);
    cstart_item(&s, "late_selection", tin, 0, "/evidence", "evidence_required");
    ccohort_change(&s);
    /* B's term began more than a month ago */
    cstart_fails(&u, "late_selection", "{\"basis\":\"transfer_in\",\"add\":[1]}", cupload(u.token),
                 409, "window_closed");
    char bad[256];
    snprintf(bad, sizeof(bad),
             "{\"basis\":\"cohort_change\",\"remove\":[%lld],\"add\":[999999999]}", sb);
    cstart_item(&s, "late_selection", bad, 0, "/payload/remove/0", "not_selected");
    cstart_item(&s, "late_selection", bad, 0, "/payload/add/0", "unknown_section");
    cstart_item(&s, "late_selection", "{\"basis\":\"cohort_change\"}", 0, "/payload/add",
                "missing_field");
    long long rid = cstart_ok(&s, "late_selection", pl, 0);
    cact_fails(cq_tokens[RSA], rid, 1, 403, "not_step_holder");
    cact_ok(cq_tokens[VDA], rid, 1, "open");
    /* the last seat of B goes to another student meanwhile: the filing fails, nothing moves */
    cselect(t.id, sb, "selected", "student");
    cact_fails(cq_tokens[RSA], rid, 2, 409, "section_full");
    ck_assert_str_eq(creq_state(rid), "open:2");
    ck_assert_str_eq(cstate(s.id, sa), "selected:student");
    /* the seat comes back: filed, A dropped (its seat released), B selected */
    cval("UPDATE uni_selection SET state = 'dropped' WHERE student = %lld AND section = %lld", t.id,
         sb);
    cval("UPDATE uni_section SET taken = taken - 1 WHERE id = %lld", sb);
    /* but B exempted meanwhile: not selected */
    cval("INSERT INTO uni_exemption (student, course, kind) VALUES (%lld, %lld, 'coverage')", s.id,
         cb);
    cact_fails(cq_tokens[RSA], rid, 2, 409, "course_exempted");
    ck_assert_str_eq(creq_state(rid), "open:2");
    cval("DELETE FROM uni_exemption WHERE student = %lld", s.id);
    cact_ok(cq_tokens[RSA], rid, 2, "approved");
    ck_assert_str_eq(cstate(s.id, sa), "dropped:student");
    ck_assert_str_eq(cstate(s.id, sb), "selected:late");
    ck_assert_str_eq(cval("SELECT taken || '/' || capacity FROM uni_section WHERE id = %lld", sb),
                     "1/1");
    ck_assert_int_eq(cmiscounted(UA), 0);
    /* not revertible: the seats may have gone to others since */
    ht_resp r;
    crevert(rid, &r);
    ht_assert_problem(&r, 422, "not_revertible");
    ht_resp_free(&r);
}
END_TEST

static Suite *
creq_suite(void)
{
    Suite *s = suite_create("creq");
    TCase *tc = tcase_create("creq");
    tcase_add_unchecked_fixture(tc, cworld, NULL);
    tcase_add_checked_fixture(tc, cuse, cclose);
    tcase_set_timeout(tc, ht_timeout(30));
    tcase_add_test(tc, test_exemption_chain_and_effect);
    tcase_add_test(tc, test_exemption_window);
    tcase_add_test(tc, test_substitution);
    tcase_add_test(tc, test_coverage);
    tcase_add_test(tc, test_late_selection);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(creq_suite(), cclose);
}
