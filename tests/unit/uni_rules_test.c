/*
 * tests/unit/uni_rules_test.c - a university's status changes, the pure part
 * (docs/decisions/0033): the office holders each type's route gives
 * (workflow/route.c), the major transfer's and the resumption's windows in
 * the teaching calendar and the suspension limits (workflow/uni_rules.c).
 * A route is written "org/office[/college]>escalate_to[/office]".
 */
#include "workflow/defs.h"
#include "workflow/payload.h"
#include "workflow/route.h"
#include "workflow/uni.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static const wf_place UNIV = {"4141010001", "410000"}; /* a university of 河南 */

static const char *
show(const wf_route_step *v, int n)
{
    static char buf[1024];
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", i ? " " : "", v[i].org);
        if (v[i].office[0])
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "/%s", v[i].office);
        if (v[i].college[0])
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "/%s", v[i].college);
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, ">%s", v[i].escalate_to);
        if (v[i].escalate_office[0])
            len += (size_t)snprintf(buf + len, sizeof(buf) - len, "/%s", v[i].escalate_office);
    }
    return buf;
}

static const char *
route_of(const char *type, const char *college, const char *other)
{
    wf_route_in in;
    memset(&in, 0, sizeof(in));
    in.def = wf_def_find(type);
    in.school = UNIV;
    in.college = college;
    in.other_college = other;
    wf_route_step out[WF_ROUTE_MAX];
    int n = -1;
    if (wf_route(&in, NULL, NULL, out, &n) != 0)
        return "error";
    return show(out, n);
}

START_TEST(test_routes)
{
    ck_assert_str_eq(route_of("uni_suspend", "7", NULL),
                     "4141010001/teaching_vice_dean/7>4141010001/registrar_head "
                     "4141010001/registrar_head>4141010001/vice_president");
    ck_assert_str_eq(route_of("uni_resume", "7", NULL),
                     "4141010001/teaching_vice_dean/7>4141010001/registrar_head "
                     "4141010001/registrar_head>4141010001/vice_president");
    /* the vice-president escalates to the university's competent authority */
    ck_assert_str_eq(route_of("uni_withdraw", "7", NULL),
                     "4141010001/college_office/7>4141010001/registrar_head "
                     "4141010001/registrar_head>4141010001/vice_president "
                     "4141010001/vice_president>410000");
    /* both deans, the province (escalating to the ministry), the registration
       with no superior */
    ck_assert_str_eq(route_of("major_transfer", "7", "9"),
                     "4141010001/dean/7>4141010001/registrar_head "
                     "4141010001/dean/9>4141010001/registrar_head "
                     "4141010001/registrar_head>4141010001/vice_president "
                     "4141010001/vice_president>410000 410000>000000 "
                     "4141010001/student_affairs>");
    /* one college: its dean decides once */
    ck_assert_str_eq(route_of("major_transfer", "7", "7"),
                     "4141010001/dean/7>4141010001/registrar_head "
                     "4141010001/registrar_head>4141010001/vice_president "
                     "4141010001/vice_president>410000 410000>000000 "
                     "4141010001/student_affairs>");
    ck_assert_str_eq(route_of("cohort_change", "7", NULL),
                     "4141010001/registrar_head>4141010001/vice_president");
    /* a college office's step without a college: no route */
    ck_assert_str_eq(route_of("uni_suspend", NULL, NULL), "error");
    ck_assert_str_eq(route_of("major_transfer", "7", NULL), "error");
}
END_TEST

START_TEST(test_defs)
{
    const wf_def *d = wf_def_find("major_transfer");
    ck_assert_int_eq(d->parallel, 2);
    ck_assert_int_eq(d->interim, WF_H_U_VICE_PRESIDENT);
    ck_assert_str_eq(wf_holder_name(WF_H_U_REGISTRATION), "electronic_registration");
    ck_assert_str_eq(wf_starter_name(WF_START_STUDENT), "student");
    static const char *const types[] = {"uni_suspend",    "uni_resume",    "uni_withdraw",
                                        "major_transfer", "cohort_change", NULL};
    for (const char *const *t = types; *t; t++) {
        d = wf_def_find(*t);
        ck_assert_msg(d && d->university && d->starter == WF_START_STUDENT, "%s", *t);
        ck_assert_ptr_nonnull(wf_effect_name(d->effect));
    }
    ck_assert(wf_def_allows(wf_def_find("uni_resume"), "suspended"));
    ck_assert(!wf_def_allows(wf_def_find("uni_resume"), "studying"));
    ck_assert(!wf_def_allows(wf_def_find("major_transfer"), "sitting_in"));
}
END_TEST

START_TEST(test_dates)
{
    ck_assert_int_eq(wf_uni_days(19700101), 0);
    ck_assert_int_eq(wf_uni_date(wf_uni_days(20280229) + 1), 20280301);
    ck_assert_int_eq(wf_uni_date(wf_uni_days(20261231) + 1), 20270101);
    ck_assert_int_eq(wf_uni_years_back(20260901, 20270831), 1);
    ck_assert_int_eq(wf_uni_years_back(20260901, 20270915), 2);
    ck_assert_int_eq(wf_uni_years_back(20260901, 20260902), 1);
}
END_TEST

/* Terms of the 2026 cohort: autumn 2026 (Wed 9 Sep), spring 2027 (Mon 1 Mar),
   autumn 2027 (Mon 6 Sep). Week 1 of spring 2027: Mon 1 to Sun 7 Mar. */
static const int TERMS[] = {20260909, 20270301, 20270906};

START_TEST(test_transfer_window)
{
    ck_assert(wf_uni_transfer_window(TERMS, 3, 2026, 20270301));
    ck_assert(wf_uni_transfer_window(TERMS, 3, 2026, 20270307));
    ck_assert(!wf_uni_transfer_window(TERMS, 3, 2026, 20270228));
    ck_assert(!wf_uni_transfer_window(TERMS, 3, 2026, 20270308)); /* late: refused */
    ck_assert(!wf_uni_transfer_window(TERMS, 3, 2026, 20260909)); /* 1st term */
    ck_assert(!wf_uni_transfer_window(TERMS, 3, 2025, 20270301)); /* year two */
    ck_assert(!wf_uni_transfer_window(TERMS, 1, 2026, 20270301)); /* no 2nd term yet */
    /* a first teaching day on a Wednesday: week 1 is its Monday to Sunday */
    static const int WED[] = {20260907, 20270303};
    ck_assert(wf_uni_transfer_window(WED, 2, 2026, 20270301));
    ck_assert(wf_uni_transfer_window(WED, 2, 2026, 20270307));
    ck_assert(!wf_uni_transfer_window(WED, 2, 2026, 20270308));
}
END_TEST

START_TEST(test_resume_window)
{
    /* suspension ends 2027-08-31: from 08-01 until term starts 09-06 */
    ck_assert(!wf_uni_resume_window(TERMS, 3, 20270831, 20270731));
    ck_assert(wf_uni_resume_window(TERMS, 3, 20270831, 20270801));
    ck_assert(wf_uni_resume_window(TERMS, 3, 20270831, 20270905));
    ck_assert(!wf_uni_resume_window(TERMS, 3, 20270831, 20270906));
    /* no term published after it: open */
    ck_assert(wf_uni_resume_window(TERMS, 3, 20280831, 20280901));
}
END_TEST

START_TEST(test_suspension_limits)
{
    const char *none[] = {NULL};
    int z[] = {0};
    /* personal: one year at most */
    ck_assert_ptr_null(wf_uni_suspension_check("personal", 20260901, 20270901, none, z, z, 0));
    ck_assert_str_eq(wf_uni_suspension_check("personal", 20260901, 20270902, none, z, z, 0),
                     "suspension_too_long");
    /* illness and military: two */
    ck_assert_ptr_null(wf_uni_suspension_check("illness", 20260901, 20280901, none, z, z, 0));
    ck_assert_str_eq(wf_uni_suspension_check("illness", 20260901, 20280902, none, z, z, 0),
                     "suspension_too_long");
    ck_assert_ptr_null(wf_uni_suspension_check("military", 20260901, 20280901, none, z, z, 0));
    /* at most two times and two years in all; military service apart */
    const char *k1[] = {"personal"};
    int s1[] = {20240901}, e1[] = {20250831};
    ck_assert_ptr_null(wf_uni_suspension_check("personal", 20260901, 20270831, k1, s1, e1, 1));
    ck_assert_str_eq(wf_uni_suspension_check("illness", 20260901, 20280831, k1, s1, e1, 1),
                     "suspension_limit_reached");
    const char *k2[] = {"personal", "illness"};
    int s2[] = {20240901, 20250901}, e2[] = {20250301, 20260301};
    ck_assert_str_eq(wf_uni_suspension_check("personal", 20260901, 20261201, k2, s2, e2, 2),
                     "suspension_limit_reached");
    const char *k3[] = {"military", "military"};
    ck_assert_ptr_null(wf_uni_suspension_check("personal", 20260901, 20270831, k3, s2, e2, 2));
    ck_assert_ptr_null(wf_uni_suspension_check("military", 20260901, 20280831, k2, s2, e2, 2));
}
END_TEST

/* An optional choice member (uni_suspend's `hospital`) may be left out; a
   wrong value of it is invalid_value, not invalid_method. */
START_TEST(test_optional_choice)
{
    app_arena *a = app_arena_new();
    wf_start st;
    app_err e = {0};
    json_t *b = json_pack("{s:s,s:{s:s,s:s,s:s,s:s}}", "type", "uni_suspend", "payload",
                          "reason_kind", "personal", "reason", "创业", "start_date", "2027-03-01",
                          "end_date", "2027-09-01");
    ck_assert_int_eq(wf_start_parse(b, UNIV.code, a, &st, &e), 0);
    ck_assert_ptr_null(st.student); /* the student's own record */
    json_object_set_new(json_object_get(b, "payload"), "hospital", json_string("clinic"));
    ck_assert_int_eq(wf_start_parse(b, UNIV.code, a, &st, &e), APP_EINVAL);
    ck_assert_int_eq(e.nitems, 1);
    ck_assert_str_eq(e.items[0].field, "/payload/hospital");
    ck_assert_str_eq(e.items[0].code, "invalid_value");
    json_decref(b);
    app_err_clear(&e);
    app_arena_free(a);
}
END_TEST

static Suite *
uni_suite(void)
{
    Suite *s = suite_create("uni_rules");
    TCase *tc = tcase_create("rules");
    tcase_add_test(tc, test_routes);
    tcase_add_test(tc, test_defs);
    tcase_add_test(tc, test_dates);
    tcase_add_test(tc, test_transfer_window);
    tcase_add_test(tc, test_resume_window);
    tcase_add_test(tc, test_suspension_limits);
    tcase_add_test(tc, test_optional_choice);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(uni_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
