/*
 * tests/unit/course_rules_test.c - the grade requests of a university, the
 * pure part (docs/decisions/0043): the offices each type's route gives
 * (workflow/route.c) - the course's college for 成绩复核, the one teacher
 * for 缓考, the vice-dean only for a cross-major 重修 - and the term before
 * a term (workflow/course.c). A route is written
 * "org/office[/college]>escalate_to[/office]".
 */
#include "workflow/course.h"
#include "workflow/defs.h"
#include "workflow/route.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static const wf_place UNIV = {"4141010001", "410000"};

static const char *
route_of(const char *type, const char *college, const char *other, int cross)
{
    static char buf[1024];
    wf_route_in in;
    memset(&in, 0, sizeof(in));
    in.def = wf_def_find(type);
    in.school = UNIV;
    in.college = college;
    in.other_college = other;
    in.cross_major = cross;
    wf_route_step v[WF_ROUTE_MAX];
    int n = -1;
    if (wf_route(&in, NULL, NULL, v, &n) != 0)
        return "error";
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s/%s%s%s>%s", i ? " " : "",
                                v[i].org, v[i].office, v[i].college[0] ? "/" : "", v[i].college,
                                v[i].escalate_office);
    return buf;
}

START_TEST(test_routes)
{
    /* the course's college (9), not the student's (7) */
    ck_assert_str_eq(route_of("grade_review", "7", "9", 0),
                     "4141010001/college_office/9>registrar_head "
                     "4141010001/registrar_section>registrar_head");
    /* the section's teacher: one account of its college */
    ck_assert_str_eq(route_of("deferred_exam", "7", "9/42", 0),
                     "4141010001/course_teacher/9/42>registrar_head "
                     "4141010001/teaching_vice_dean/7>registrar_head "
                     "4141010001/registrar_deputy_head>registrar_head");
    ck_assert_str_eq(route_of("retake", "7", "7", 0), "4141010001/college_office/7>registrar_head");
    /* cross-major: the vice-dean after the office; a PE course: the PE college's office */
    ck_assert_str_eq(route_of("retake", "7", "7", 1),
                     "4141010001/college_office/7>registrar_head "
                     "4141010001/teaching_vice_dean/7>registrar_head");
    ck_assert_str_eq(route_of("retake", "7", "3", 0), "4141010001/college_office/3>registrar_head");
    /* no course college: no route */
    ck_assert_str_eq(route_of("grade_review", "7", NULL, 0), "error");
}
END_TEST

START_TEST(test_defs)
{
    const wf_def *d = wf_def_find("grade_review");
    ck_assert_ptr_nonnull(d);
    ck_assert(d->due_fixed && d->approval_score && d->starter == WF_START_STUDENT);
    ck_assert(wf_course_type(d));
    ck_assert(!wf_course_type(wf_def_find("uni_suspend")));
    ck_assert_str_eq(wf_holder_name(WF_H_U_COURSE_TEACHER), "course_teacher");
    ck_assert_str_eq(wf_effect_name(WF_E_U_RETAKE), "retake_selection");
    for (wf_holder h = WF_H_U_COURSE_OFFICE; h <= WF_H_U_CROSS_VICE_DEAN; h++)
        ck_assert_msg(strlen(wf_holder_label(h)) <= 24 * 3, "label %d", h);
}
END_TEST

START_TEST(test_prev_term)
{
    char t[8];
    wf_course_prev_term("2026-2", t);
    ck_assert_str_eq(t, "2026-1");
    wf_course_prev_term("2026-1", t);
    ck_assert_str_eq(t, "2025-2");
}
END_TEST

static Suite *
course_rules_suite(void)
{
    Suite *s = suite_create("course_rules");
    TCase *tc = tcase_create("course_rules");
    tcase_add_test(tc, test_routes);
    tcase_add_test(tc, test_defs);
    tcase_add_test(tc, test_prev_term);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(course_rules_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
