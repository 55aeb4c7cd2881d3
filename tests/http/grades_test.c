/*
 * tests/http/grades_test.c - grades of a university's sections (issue 17,
 * docs/decisions/0043): only the section's teacher posts, only for
 * selected students, all or nothing with the pointer of each bad item, at
 * most 500 items, history of every change, who reads a section's and a
 * student's grades, a student their own. World: tests/http/grades_world.h.
 */
#include "tests/http/grades_world.h"

static long
get_status(const char *token, const char *path, ht_resp *out)
{
    ucall(token, "GET", path, NULL, out);
    return out->status;
}

START_TEST(test_post_and_history)
{
    ustu s;
    ustudent(&s, "UF0101", 2025);
    long long c = gcourse("UF01", "compulsory", 48);
    long long x = gsection(c, "2026-1", 2025, "UF0101", T1, 50);
    gselect(s.id, x, "selected", "student");
    char one[160];
    snprintf(one, sizeof(one), "[{\"student\":\"%s\",\"score\":71.5}]", s.user);
    ht_resp r;
    gput(g_tokens[T1], x, one, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "created")), 1);
    ht_resp_free(&r);
    /* the same score again changes nothing */
    gput(g_tokens[T1], x, one, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "unchanged")), 1);
    ht_resp_free(&r);
    ck_assert_str_eq(uval("SELECT count(*) FROM uni_grade_change c JOIN uni_grade g ON"
                          " g.id = c.grade WHERE g.student = %lld",
                          s.id),
                     "0");
    /* a correction: one history row */
    snprintf(one, sizeof(one), "[{\"student\":\"%s\",\"score\":80,\"exam\":\"normal\"}]", s.user);
    gput(g_tokens[T1], x, one, &r);
    ck_assert_msg(json_integer_value(json_object_get(r.json, "changed")) == 1, "%s", r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(uval("SELECT old_score || '>' || new_score FROM uni_grade_change c JOIN"
                          " uni_grade g ON g.id = c.grade WHERE g.student = %lld",
                          s.id),
                     "71.5>80.0");
    ck_assert_str_eq(uval("SELECT count(*) FROM audit WHERE action = 'uni_grade_put' AND"
                          " target_id = '%lld'",
                          x),
                     "3");
    /* the student reads their own, with the history */
    ck_assert_int_eq(get_status(s.token, "/api/v1/me/grades?term=2026-1", &r), 200);
    json_t *g = json_array_get(json_object_get(r.json, "items"), 0);
    ck_assert_msg(g != NULL, "%s", r.body);
    ck_assert_double_eq(json_number_value(json_object_get(g, "score")), 80.0);
    ck_assert_int_eq(json_array_size(json_object_get(g, "history")), 1);
    ht_resp_free(&r);
    ck_assert_int_eq(get_status(s.token, "/api/v1/me/grades?term=2025-2", &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_teacher_only_selected_only)
{
    ustu s, t, u;
    ustudent(&s, "UF0101", 2025);
    ustudent(&t, "UF0101", 2025);
    ustudent(&u, "UF0101", 2025);
    long long c = gcourse("UF01", "elective", 32);
    long long x = gsection(c, "2026-1", 2025, NULL, T1, 50);
    gselect(s.id, x, "selected", "student");
    gselect(t.id, x, "not_selected", "lottery");
    char body[512];
    snprintf(body, sizeof(body), "[{\"student\":\"%s\",\"score\":90}]", s.user);
    ht_resp r;
    /* another course teacher, the registrar section, the student: 403 */
    gput(g_tokens[T3], x, body, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    gput(g_tokens[RS], x, body, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    gput(s.token, x, body, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    /* all or nothing: the selected student's grade is not written either */
    snprintf(body, sizeof(body),
             "[{\"student\":\"%s\",\"score\":90},{\"student\":\"%s\",\"score\":60},"
             "{\"student\":\"%s\",\"score\":60},{\"student\":\"nosuch99\",\"score\":60},"
             "{\"student\":\"%s\",\"score\":100.5},{\"student\":\"%s\",\"score\":70,"
             "\"exam\":\"retake\"}]",
             s.user, t.user, u.user, s.user, s.user);
    gput(g_tokens[T1], x, body, &r);
    gassert_item(&r, 422, "/grades/4/score", "invalid_score");
    ht_resp_free(&r);
    snprintf(body, sizeof(body),
             "[{\"student\":\"%s\",\"score\":90},{\"student\":\"%s\",\"score\":60},"
             "{\"student\":\"%s\",\"score\":60},{\"student\":\"nosuch99\",\"score\":60},"
             "{\"student\":\"%s\",\"score\":70,\"exam\":\"retake\"},"
             "{\"student\":\"%s\",\"score\":91}]",
             s.user, t.user, u.user, s.user, s.user);
    gput(g_tokens[T1], x, body, &r);
    gassert_item(&r, 422, "/grades/1/student", "not_selected");
    gassert_item(&r, 422, "/grades/2/student", "not_selected");
    gassert_item(&r, 422, "/grades/3/student", "unknown_student_no");
    gassert_item(&r, 422, "/grades/4/exam", "exam_not_allowed");
    gassert_item(&r, 422, "/grades/5/student", "duplicate_value");
    ht_resp_free(&r);
    ck_assert_str_eq(uval("SELECT count(*) FROM uni_grade WHERE section = %lld", x), "0");
    /* one bad item: its own code */
    snprintf(body, sizeof(body), "[{\"student\":\"%s\",\"score\":60}]", t.user);
    gput(g_tokens[T1], x, body, &r);
    ht_assert_problem(&r, 422, "not_selected");
    ht_resp_free(&r);
    /* another university's section number: not found */
    gput(g_tokens[T1], 999999999, "[]", &r);
    ht_assert_problem(&r, 404, "section_not_found");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_at_most_500)
{
    ustu s;
    ustudent(&s, "UF0101", 2025);
    long long c = gcourse("UF01", "compulsory", 48);
    long long x = gsection(c, "2026-1", 2025, NULL, T1, 50);
    gselect(s.id, x, "selected", "student");
    size_t cap = 501 * 64 + 16;
    char *body = malloc(cap);
    size_t k = 0;
    body[k++] = '[';
    for (int i = 0; i < 501; i++)
        k += (size_t)snprintf(body + k, cap - k, "%s{\"student\":\"%s\",\"score\":60}",
                              i ? "," : "", s.user);
    body[k++] = ']';
    body[k] = 0;
    ht_resp r;
    gput(g_tokens[T1], x, body, &r);
    ht_assert_problem(&r, 422, "too_many_items");
    ht_resp_free(&r);
    /* exactly 500: 500 students selected into the section (records by SQL, no accounts) */
    const char *tag = uval("SELECT 'gm' || nextval('gr_seq')");
    char pre[16];
    snprintf(pre, sizeof(pre), "%s", tag);
    uval("WITH k AS (SELECT c.id, c.number FROM uni_class c JOIN uni_major m ON m.id = c.major"
         " WHERE c.school = '" UNIV "' AND m.code = 'UF0101' AND c.cohort = 2025),"
         " s AS (INSERT INTO student (province, school, class_id, state, stuno_kind, stuno_text,"
         " stuno_bidx, key_id, name, grade, class_no) SELECT '410000', '" UNIV "', k.id,"
         " 'enrolled', 'J', 'J%s' || i, decode(md5('%s' || i), 'hex'), 1, '批量学生', 40, k.number"
         " FROM k, generate_series(1, 500) i RETURNING id, stuno_text),"
         " u AS (INSERT INTO uni_student (student_id, school, student_no, college, major, cohort,"
         " class_id, level, entry_date, expected_graduation) SELECT s.id, '" UNIV "',"
         " substr(s.stuno_text, 2), m.college, m.id, 2025, k.id, 'undergraduate', '2025-09-01',"
         " '2029-07-01' FROM s, k, uni_major m WHERE m.school = '" UNIV "' AND m.code = 'UF0101'"
         " RETURNING student_id)"
         " INSERT INTO uni_selection (student, section, school, course, term, state, source)"
         " SELECT u.student_id, %lld, '" UNIV "', %lld, '2026-1', 'selected', 'student' FROM u",
         pre, pre, x, c);
    k = 0;
    body[k++] = '[';
    for (int i = 1; i <= 500; i++)
        k += (size_t)snprintf(body + k, cap - k, "%s{\"student\":\"%s%d\",\"score\":%d}",
                              i > 1 ? "," : "", pre, i, 50 + i % 50);
    body[k++] = ']';
    body[k] = 0;
    gput(g_tokens[T1], x, body, &r);
    ck_assert_msg(r.status == 200, "%ld %.300s", r.status, r.body);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "created")), 500);
    ht_resp_free(&r);
    free(body);
}
END_TEST

START_TEST(test_who_reads)
{
    ustu s, o;
    ustudent(&s, "UF0101", 2025);
    ustudent(&o, "UF0101", 2025);
    long long c = gcourse("UF02", "compulsory", 48); /* offered by 数学学院 */
    long long x = gsection(c, "2026-1", 2025, NULL, T2, 50);
    gselect(s.id, x, "selected", "student");
    long long gid = ggrade(s.id, x, "normal", "55");
    uval("INSERT INTO uni_grade_change (grade, old_score, new_score) VALUES (%lld, 50, 55)", gid);
    char path[160];
    snprintf(path, sizeof(path), "/api/v1/schools/" UNIV "/sections/%lld/grades", x);
    ht_resp r;
    /* the teacher, the registrar section, the offering college's office */
    const char *ok[] = {g_tokens[T2], g_tokens[RS], g_tokens[OFF2]};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(get_status(ok[i], path, &r), 200);
        json_t *g = json_array_get(json_object_get(r.json, "items"), 0);
        ck_assert_str_eq(ht_json_str(g, "student"), s.user);
        ck_assert_int_eq(json_array_size(json_object_get(g, "history")), 1);
        ht_resp_free(&r);
    }
    /* another teacher, the student's own college office (not the course's), a student */
    const char *no[] = {g_tokens[T1], uf_tokens[OFF1], s.token};
    for (int i = 0; i < 3; i++) {
        get_status(no[i], path, &r);
        ck_assert_msg(r.status == 403, "%d: %ld %s", i, r.status, r.body);
        ht_resp_free(&r);
    }
    /* a student's grades: offices who see the student, the student; not another student */
    snprintf(path, sizeof(path), "/api/v1/schools/" UNIV "/uni-students/%s/grades", s.user);
    ck_assert_int_eq(get_status(uf_tokens[OFF1], path, &r), 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ht_resp_free(&r);
    ck_assert_int_eq(get_status(s.token, path, &r), 200);
    ht_resp_free(&r);
    get_status(g_tokens[OFF2], path, &r); /* another college's office */
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    get_status(o.token, path, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    /* /me/grades is a student's */
    get_status(g_tokens[RS], "/api/v1/me/grades", &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    get_status(s.token, "/api/v1/me/grades?term=2026-3", &r);
    ht_assert_problem(&r, 422, "invalid_term");
    ht_resp_free(&r);
}
END_TEST

static Suite *
grades_suite(void)
{
    Suite *s = suite_create("grades");
    TCase *tc = tcase_create("grades");
    tcase_add_unchecked_fixture(tc, gworld, NULL);
    tcase_add_checked_fixture(tc, uuse, uclose);
    tcase_set_timeout(tc, ht_timeout(30));
    tcase_add_test(tc, test_post_and_history);
    tcase_add_test(tc, test_teacher_only_selected_only);
    tcase_add_test(tc, test_at_most_500);
    tcase_add_test(tc, test_who_reads);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(grades_suite(), uclose);
}
