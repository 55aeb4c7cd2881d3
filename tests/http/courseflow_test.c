/*
 * tests/http/courseflow_test.c - a university student's grade requests
 * (issue 17, docs/decisions/0043): 成绩复核 grade_review, 缓考
 * deferred_exam, 重修 retake - each type's window, evidence, chain (who
 * holds each step, the wrong office) and effect, and requests about
 * different grades side by side. The server's date is
 * 2027-03-02, week 1 of term 2026-2 (tests/http/grades_world.h); a window
 * test moves the term's first day and the teardown puts it back.
 */
#include "tests/http/grades_world.h"

static void
calendar_back(void)
{
    ht_db_exec(udb(), "UPDATE uni_term SET first_day = '2027-03-01' WHERE school = '" UNIV "'"
                      " AND term = '2026-2'");
    uclose();
}

static void
move_term(const char *first_day)
{
    uval("UPDATE uni_term SET first_day = '%s' WHERE school = '" UNIV "' AND term = '2026-2'",
         first_day);
}

static void
start_fails(const ustu *s, const char *type, const char *payload, long long ev, long status,
            const char *code)
{
    ht_resp r;
    ustart(s, type, payload, ev, &r);
    ht_assert_problem(&r, status, code);
    ht_resp_free(&r);
}

/* An approval with a body of its own (the score). */
static void
act_body(const char *token, long long rid, const char *body, ht_resp *out)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", rid);
    ucall(token, "POST", path, body, out);
}

/* A student of UF0101 2025 with a grade `score` of a course of `college`
   (`kind`) taught by `teacher` in `term`: the grade id; *course its course. */
static long long
graded(ustu *s, const char *college, const char *kind, int teacher, const char *term,
       const char *score, long long *course)
{
    ustudent(s, "UF0101", 2025);
    *course = gcourse(college, kind, 48);
    long long x = gsection(*course, term, 2025, "UF0101", teacher, 50);
    gselect(s->id, x, "selected", "student");
    return ggrade(s->id, x, "normal", score);
}

/* ------------------------------------------------------------ 成绩复核 */

START_TEST(test_grade_review_chain)
{
    ustu s;
    long long c;
    /* a course of 数学学院 taken by a 计算机学院 student */
    long long g = graded(&s, "UF02", "compulsory", T2, "2026-1", "55", &c);
    char pl[160];
    snprintf(pl, sizeof(pl), "{\"grade\":%lld,\"reason\":\"卷面合分有误\"}", g);
    long long rid = ustart_ok(&s, "grade_review", pl, 0);
    ck_assert_str_eq(ureq_state(rid), "open:1");
    /* one open request per student: the same review again waits for this one */
    start_fails(&s, "grade_review", pl, 0, 409, "student_in_flight");
    /* both steps due by the end of week 3 */
    ck_assert_str_eq(uval("SELECT string_agg(coalesce(to_char(due_at AT TIME ZONE 'Asia/Shanghai',"
                          " 'YYYY-MM-DD HH24:MI'), '-'), ',' ORDER BY number) FROM request_step"
                          " WHERE request_id = %lld",
                          rid),
                     "2027-03-21 23:59,-");
    /* the student's own college office is not the course's; the registrar section not yet */
    uact_fails(uf_tokens[OFF1], rid, "approve", 1, 404, "request_not_found");
    uact_fails(g_tokens[RS], rid, "approve", 1, 403, "not_step_holder");
    uact_ok(g_tokens[OFF2], rid, "approve", 1, "open");
    ck_assert_str_eq(uval("SELECT to_char(due_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
                          " FROM request_step WHERE request_id = %lld AND number = 2",
                          rid),
                     "2027-03-21");
    ht_resp r;
    act_body(g_tokens[RS], rid, "{\"action\":\"approve\",\"step\":2}", &r);
    ht_assert_problem(&r, 422, "score_required");
    ht_resp_free(&r);
    act_body(g_tokens[RS], rid, "{\"action\":\"approve\",\"step\":2,\"score\":62}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(ureq_state(rid), "approved:0");
    ck_assert_str_eq(uval("SELECT score FROM uni_grade WHERE id = %lld", g), "62.0");
    ck_assert_str_eq(uval("SELECT old_score || '>' || new_score || ':' || (request = %lld)"
                          " FROM uni_grade_change WHERE grade = %lld",
                          rid, g),
                     "55.0>62.0:true");
    /* the student sees the correction, citing the request */
    ucall(s.token, "GET", "/api/v1/me/grades?term=2026-1", NULL, &r);
    json_t *h = json_array_get(
        json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "history"), 0);
    ck_assert_msg(h && json_integer_value(json_object_get(h, "request")) == rid, "%s", r.body);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_grade_review_rules)
{
    ustu s, o;
    long long c;
    long long g = graded(&s, "UF01", "compulsory", T1, "2026-1", "58", &c);
    long long old = ggrade(s.id, gsection(c, "2025-2", 2025, NULL, T1, 50), "normal", "40");
    graded(&o, "UF01", "compulsory", T1, "2026-1", "30", &c);
    char pl[160];
    snprintf(pl, sizeof(pl), "{\"grade\":%lld,\"reason\":\"复核\"}", old);
    start_fails(&s, "grade_review", pl, 0, 422, "not_last_term");
    snprintf(pl, sizeof(pl), "{\"grade\":%lld,\"reason\":\"复核\"}", g);
    start_fails(&o, "grade_review", pl, 0, 404, "grade_not_found"); /* another's grade */
    /* a staff account never starts it */
    ht_resp r;
    char body[256];
    snprintf(body, sizeof(body), "{\"type\":\"grade_review\",\"payload\":%s}", pl);
    ucall(g_tokens[RS], "POST", "/api/v1/requests", body, &r);
    ck_assert_msg(r.status == 403, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    /* week 2: closed */
    move_term("2027-02-22");
    start_fails(&s, "grade_review", pl, 0, 409, "window_closed");
    move_term("2027-03-01");
    /* "unchanged": no change row */
    long long rid = ustart_ok(&s, "grade_review", pl, 0);
    uact_ok(uf_tokens[OFF1], rid, "approve", 1, "open");
    act_body(g_tokens[RS], rid, "{\"action\":\"approve\",\"step\":2,\"score\":\"unchanged\"}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(uval("SELECT score || ':' || (SELECT count(*) FROM uni_grade_change WHERE"
                          " grade = %lld) FROM uni_grade WHERE id = %lld",
                          g, g),
                     "58.0:0");
}
END_TEST

/* ------------------------------------------------------------ 缓考 */

START_TEST(test_deferred_exam_chain)
{
    ustu s;
    ustudent(&s, "UF0101", 2025);
    long long c = gcourse("UF01", "compulsory", 48);
    long long x = gsection(c, "2026-2", 2025, "UF0101", T1, 50);
    long long next = gsection(c, "2027-2", 2026, "UF0101", T3, 50);
    gselect(s.id, x, "selected", "student");
    char pl[256];
    snprintf(pl, sizeof(pl),
             "{\"section\":%lld,\"reason_kind\":\"illness\",\"exam_date\":\"2027-03-08\","
             "\"reason\":\"住院\"}",
             x);
    long long ev = uupload(s.token);
    start_fails(&s, "deferred_exam", pl, ev, 422, "exam_too_soon");
    snprintf(pl, sizeof(pl),
             "{\"section\":%lld,\"reason_kind\":\"illness\",\"exam_date\":\"2027-03-09\","
             "\"reason\":\"住院\"}",
             x);
    start_fails(&s, "deferred_exam", pl, 0, 422, "evidence_required");
    long long rid = ustart_ok(&s, "deferred_exam", pl, ev);
    /* the section's own teacher: another teacher of the college neither sees nor holds it */
    uact_fails(g_tokens[T3], rid, "approve", 1, 404, "request_not_found");
    uact_fails(uf_tokens[VD1], rid, "approve", 1, 403, "not_step_holder");
    ht_resp r;
    ucall(g_tokens[T1], "GET", "/api/v1/requests?box=todo", NULL, &r);
    ck_assert_msg(strstr(r.body, "deferred_exam") != NULL, "%s", r.body);
    ht_resp_free(&r);
    uact_ok(g_tokens[T1], rid, "approve", 1, "open");
    uact_fails(g_tokens[DH], rid, "approve", 2, 403, "not_step_holder");
    uact_ok(uf_tokens[VD1], rid, "approve", 2, "open");
    uact_ok(g_tokens[DH], rid, "approve", 3, "approved");
    ck_assert_str_eq(uval("SELECT target_cohort || ':' || target_section FROM uni_deferral"
                          " WHERE request = %lld",
                          rid),
                     uval("SELECT '2026:' || %lld", next));
    /* the exam missed is not graded normally; the next cohort's teacher posts `deferred` */
    char one[160];
    snprintf(one, sizeof(one), "[{\"student\":\"%s\",\"score\":70}]", s.user);
    gput(g_tokens[T1], x, one, &r);
    gassert_item(&r, 422, "/grades/0/exam", "exam_not_allowed");
    ht_resp_free(&r);
    snprintf(one, sizeof(one), "[{\"student\":\"%s\",\"score\":70,\"exam\":\"deferred\"}]", s.user);
    gput(g_tokens[T3], next, one, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    /* not selected: nothing to defer; clash needs no certificate */
    ustu o;
    ustudent(&o, "UF0101", 2025);
    snprintf(pl, sizeof(pl),
             "{\"section\":%lld,\"reason_kind\":\"clash\",\"exam_date\":\"2027-03-20\","
             "\"reason\":\"考试冲突\"}",
             x);
    start_fails(&o, "deferred_exam", pl, 0, 422, "not_selected");
    gselect(o.id, x, "selected", "student");
    ustart_ok(&o, "deferred_exam", pl, 0);
}
END_TEST

/* ------------------------------------------------------------ 重修 */

START_TEST(test_retake_chain_and_seat)
{
    ustu s, o;
    long long c;
    long long g = graded(&s, "UF01", "compulsory", T1, "2026-1", "45", &c);
    ustudent(&o, "UF0101", 2025);
    long long x0 = atoll(uval("SELECT section FROM uni_grade WHERE id = %lld", g));
    gselect(o.id, x0, "selected", "student");
    long long go = ggrade(o.id, x0, "normal", "20");
    long long lower = gsection(c, "2026-2", 2026, "UF0101", T3, 1); /* one seat */
    char pl[160];
    snprintf(pl, sizeof(pl), "{\"grade\":%lld}", g);
    long long rid = ustart_ok(&s, "retake", pl, 0);
    ck_assert_str_eq(uval("SELECT count(*) FROM request_step WHERE request_id = %lld", rid), "1");
    snprintf(pl, sizeof(pl), "{\"grade\":%lld}", go);
    long long rid2 = ustart_ok(&o, "retake", pl, 0);
    uact_fails(g_tokens[OFF2], rid, "approve", 1, 404, "request_not_found");
    uact_ok(uf_tokens[OFF1], rid, "approve", 1, "approved");
    ck_assert_str_eq(uval("SELECT state || ':' || source FROM uni_selection WHERE student = %lld"
                          " AND section = %lld",
                          s.id, lower),
                     "selected:retake");
    ck_assert_str_eq(uval("SELECT taken FROM uni_section WHERE id = %lld", lower), "1");
    /* the seat is gone: the approval fails, the request stays at its step */
    uact_fails(uf_tokens[OFF1], rid2, "approve", 1, 409, "section_full");
    ck_assert_str_eq(ureq_state(rid2), "open:1");
    /* a retake grade may now be posted in that section */
    char one[160];
    ht_resp r;
    snprintf(one, sizeof(one), "[{\"student\":\"%s\",\"score\":75,\"exam\":\"retake\"}]", s.user);
    gput(g_tokens[T3], lower, one, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_retake_rules)
{
    ustu s;
    long long c, cp, ce, cx;
    long long pass = graded(&s, "UF01", "compulsory", T1, "2026-1", "60", &c);
    char pl[200];
    snprintf(pl, sizeof(pl), "{\"grade\":%lld}", pass);
    start_fails(&s, "retake", pl, 0, 422, "not_failed");
    /* a public elective is never retaken */
    ce = gcourse("UF01", "public_elective", 32);
    long long ge = ggrade(s.id, gsection(ce, "2026-1", 0, NULL, T1, 50), "normal", "30");
    snprintf(pl, sizeof(pl), "{\"grade\":%lld}", ge);
    start_fails(&s, "retake", pl, 0, 422, "retake_excluded");
    /* no lower-cohort section: none to retake in, unless cross-major */
    cx = gcourse("UF01", "compulsory", 48);
    long long gx = ggrade(s.id, gsection(cx, "2026-1", 2025, NULL, T1, 50), "normal", "35");
    snprintf(pl, sizeof(pl), "{\"grade\":%lld}", gx);
    start_fails(&s, "retake", pl, 0, 422, "no_retake_section");
    long long other = gsection(cx, "2026-2", 2026, "UF0102", T3, 50); /* 网络工程 */
    snprintf(pl, sizeof(pl), "{\"grade\":%lld,\"cross_major\":true,\"section\":%lld}", gx, other);
    long long rid = ustart_ok(&s, "retake", pl, 0);
    /* cross-major: the office, then the teaching vice-dean */
    uact_ok(uf_tokens[OFF1], rid, "approve", 1, "open");
    uact_fails(g_tokens[OFF2], rid, "approve", 2, 404, "request_not_found");
    uact_ok(uf_tokens[VD1], rid, "approve", 2, "approved");
    ck_assert_str_eq(uval("SELECT source FROM uni_selection WHERE student = %lld AND"
                          " section = %lld",
                          s.id, other),
                     "retake");
    /* cross-major while the lower cohort of the major offers it: refused */
    long long gc = ggrade(s.id, gsection(c, "2026-1", 2025, NULL, T1, 50), "normal", "10");
    gsection(c, "2026-2", 2026, "UF0101", T3, 50);
    snprintf(pl, sizeof(pl), "{\"grade\":%lld,\"cross_major\":true,\"section\":%lld}", gc, other);
    start_fails(&s, "retake", pl, 0, 422, "cross_major_not_allowed");
    /* PE: the PE college's office */
    cp = gcourse("UF09", "pe", 32);
    long long gp = ggrade(s.id, gsection(cp, "2026-1", 2025, NULL, -1, 50), "normal", "50");
    gsection(cp, "2026-2", 2026, NULL, -1, 50);
    snprintf(pl, sizeof(pl), "{\"grade\":%lld}", gp);
    rid = ustart_ok(&s, "retake", pl, 0);
    uact_fails(uf_tokens[OFF1], rid, "approve", 1, 404, "request_not_found");
    uact_ok(g_tokens[OFFPE], rid, "approve", 1, "approved");
    /* week 3: closed */
    move_term("2027-02-15");
    snprintf(pl, sizeof(pl), "{\"grade\":%lld}", gc);
    start_fails(&s, "retake", pl, 0, 409, "window_closed");
}
END_TEST

/* ------------------------------------------------------------ side by side */

/* Grade requests hold their grade or section, not the student
   (docs/decisions/0048): two failed courses are retaken at once, a grade
   under retake may be reviewed; the same subject twice waits, and a status
   change waits for every open request (and they for it). */
START_TEST(test_requests_side_by_side)
{
    ustu s, t;
    long long c1, c2, ct;
    long long g1 = graded(&s, "UF01", "compulsory", T1, "2026-1", "40", &c1);
    c2 = gcourse("UF01", "compulsory", 48);
    long long g2 = ggrade(s.id, gsection(c2, "2026-1", 2025, "UF0101", T1, 50), "normal", "30");
    long long x1 = gsection(c1, "2026-2", 2026, "UF0101", T3, 50);
    long long x2 = gsection(c2, "2026-2", 2026, "UF0101", T3, 50);
    char pl[160];
    snprintf(pl, sizeof(pl), "{\"grade\":%lld}", g1);
    long long r1 = ustart_ok(&s, "retake", pl, 0);
    start_fails(&s, "retake", pl, 0, 409, "student_in_flight");
    snprintf(pl, sizeof(pl), "{\"grade\":%lld}", g2);
    long long r2 = ustart_ok(&s, "retake", pl, 0);
    snprintf(pl, sizeof(pl), "{\"grade\":%lld,\"reason\":\"卷面合分有误\"}", g1);
    ustart_ok(&s, "grade_review", pl, 0);
    start_fails(&s, "cohort_change", "{\"reason\":\"随下届学习\"}", 0, 409, "student_in_flight");
    ck_assert_str_eq(
        uval("SELECT count(*) FROM request_member WHERE student_id = %lld AND open", s.id), "3");
    uact_ok(uf_tokens[OFF1], r1, "approve", 1, "approved");
    uact_ok(uf_tokens[OFF1], r2, "approve", 1, "approved");
    ck_assert_str_eq(uval("SELECT string_agg(state || ':' || source, ',' ORDER BY section) FROM"
                          " uni_selection WHERE student = %lld AND section IN (%lld, %lld)",
                          s.id, x1, x2),
                     "selected:retake,selected:retake");
    /* an open status change holds the student: no grade request beside it */
    long long gt = graded(&t, "UF01", "compulsory", T1, "2026-1", "20", &ct);
    ustart_ok(&t, "cohort_change", "{\"reason\":\"随下届学习\"}", 0);
    snprintf(pl, sizeof(pl), "{\"grade\":%lld}", gt);
    start_fails(&t, "retake", pl, 0, 409, "student_in_flight");
}
END_TEST

static Suite *
courseflow_suite(void)
{
    Suite *s = suite_create("courseflow");
    TCase *tc = tcase_create("courseflow");
    tcase_add_unchecked_fixture(tc, gworld, NULL);
    tcase_add_checked_fixture(tc, uuse, calendar_back);
    tcase_set_timeout(tc, ht_timeout(30));
    tcase_add_test(tc, test_grade_review_chain);
    tcase_add_test(tc, test_grade_review_rules);
    tcase_add_test(tc, test_deferred_exam_chain);
    tcase_add_test(tc, test_retake_chain_and_seat);
    tcase_add_test(tc, test_retake_rules);
    tcase_add_test(tc, test_requests_side_by_side);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(courseflow_suite(), uclose);
}
