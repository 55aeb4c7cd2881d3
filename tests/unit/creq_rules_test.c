/*
 * tests/unit/creq_rules_test.c - the course requests' dates and payload
 * lists, the pure part (workflow/creq_effect.c, workflow/payload.c,
 * docs/decisions/0044): the Friday one week after submission (课程覆盖),
 * the end of teaching week 5 (课程免修, 课程置换), a month after the term's
 * first teaching day (补选), and the `courses` list member.
 */
#include "workflow/creq.h"
#include "workflow/defs.h"
#include "workflow/payload.h"

#include <check.h>
#include <jansson.h>
#include <string.h>

START_TEST(test_friday_after)
{
    /* Tuesday: a week on is Tuesday, then that week's Friday */
    ck_assert_int_eq(wf_creq_friday_after(20270302), 20270312);
    /* Friday: exactly a week on */
    ck_assert_int_eq(wf_creq_friday_after(20270305), 20270312);
    /* Saturday and Sunday: the Friday after the next */
    ck_assert_int_eq(wf_creq_friday_after(20270306), 20270319);
    ck_assert_int_eq(wf_creq_friday_after(20270307), 20270319);
    /* Monday, across a year */
    ck_assert_int_eq(wf_creq_friday_after(20261228), 20270108);
}
END_TEST

START_TEST(test_week5_end)
{
    /* a Monday start: week 5 ends on the fifth Sunday */
    ck_assert_int_eq(wf_creq_week5_end(20270301), 20270404);
    /* a Wednesday start: week 1 is that calendar week */
    ck_assert_int_eq(wf_creq_week5_end(20260909), 20261011);
}
END_TEST

START_TEST(test_month_after)
{
    ck_assert_int_eq(wf_creq_month_after(20270301), 20270401);
    ck_assert_int_eq(wf_creq_month_after(20270131), 20270228);
    ck_assert_int_eq(wf_creq_month_after(20280131), 20280229);
    ck_assert_int_eq(wf_creq_month_after(20261215), 20270115);
}
END_TEST

/* courses: a required list of at most 30, stored as given */
START_TEST(test_list_member)
{
    static const struct {
        const char *body, *field, *code;
    } cases[] = {
        {"{\"type\":\"course_exemption\",\"payload\":{}}", "/payload/courses", "missing_field"},
        {"{\"type\":\"course_exemption\",\"payload\":{\"courses\":[]}}", "/payload/courses",
         "missing_field"},
        {"{\"type\":\"course_exemption\",\"payload\":{\"courses\":\"CS101\"}}", "/payload/courses",
         "wrong_type"},
        {"{\"type\":\"late_selection\",\"payload\":{\"basis\":\"x\",\"add\":[1]}}",
         "/payload/basis", "invalid_value"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        app_arena *a = app_arena_new();
        app_err err = {0};
        wf_start st;
        json_t *b = json_loads(cases[i].body, 0, NULL);
        ck_assert_int_eq(wf_start_parse(b, "4141019901", a, &st, &err), APP_EINVAL);
        ck_assert_int_eq(err.nitems, 1);
        ck_assert_str_eq(err.items[0].field, cases[i].field);
        ck_assert_str_eq(err.items[0].code, cases[i].code);
        json_decref(b);
        app_arena_free(a);
    }
    app_arena *a = app_arena_new();
    app_err err = {0};
    wf_start st;
    json_t *b = json_loads("{\"type\":\"course_coverage\",\"payload\":{\"courses\":"
                           "[{\"course\":\"A1\",\"by\":\"B1\"}]}}",
                           0, NULL);
    ck_assert_int_eq(wf_start_parse(b, "4141019901", a, &st, &err), 0);
    ck_assert_str_eq(st.payload_json, "{\"courses\":[{\"by\":\"B1\",\"course\":\"A1\"}]}");
    json_decref(b);
    app_arena_free(a);
}
END_TEST

START_TEST(test_defs)
{
    const wf_def *d = wf_def_find("course_coverage");
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(d->steps[0], WF_H_U_VICE_DEAN);
    ck_assert_int_eq(d->steps[1], WF_H_U_REGISTRAR_SECTION);
    ck_assert_int_eq(d->steps[2], WF_H_U_DEPUTY_HEAD);
    ck_assert_int_eq(d->due, WF_DUE_FRIDAY);
    ck_assert(wf_creq_is(d));
    ck_assert(!wf_def_find("late_selection")->revertible);
    ck_assert(wf_def_find("course_substitution")->evidence_required);
    ck_assert(!wf_creq_is(wf_def_find("cohort_change")));
}
END_TEST

static Suite *
creq_suite(void)
{
    Suite *s = suite_create("creq_rules");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, test_friday_after);
    tcase_add_test(tc, test_week5_end);
    tcase_add_test(tc, test_month_after);
    tcase_add_test(tc, test_list_member);
    tcase_add_test(tc, test_defs);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(creq_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
