/*
 * tests/unit/workflow_test.c - the request types as data (workflow/defs.c)
 * and the pure pieces the engine leans on: working-day deadlines (DOMAIN
 * rule 14), the graduating grade (rule 16), sealed key-field changes.
 */
#include "core/calendar.h"
#include "core/student.h"
#include "workflow/defs.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_defs_are_complete)
{
    for (int i = 0; i < wf_ndefs; i++) {
        const wf_def *d = &wf_defs[i];
        ck_assert_ptr_eq(wf_def_find(d->type), d); /* unique names */
        ck_assert_ptr_nonnull(d->label);
        ck_assert_ptr_nonnull(d->from[0]);
        ck_assert_ptr_nonnull(wf_effect_name(d->effect));
        ck_assert_ptr_nonnull(wf_starter_name(d->starter));
        ck_assert_msg(d->steps[0] != WF_H_NONE, "%s has no step", d->type);
        for (int k = 0; k < WF_MAX_STEPS && d->steps[k] != WF_H_NONE; k++)
            ck_assert_ptr_nonnull(wf_holder_name(d->steps[k]));
        /* a state change names the state it leaves the student in */
        ck_assert_int_eq(d->effect == WF_E_STATE, d->to_state != NULL);
    }
    ck_assert_ptr_null(wf_def_find("nope"));
    ck_assert_ptr_null(wf_def_find(NULL));
}
END_TEST

START_TEST(test_domain_table)
{
    /* DOMAIN §5: from-states and targets of a few types */
    const wf_def *d = wf_def_find("resume");
    ck_assert(wf_def_allows(d, "suspended"));
    ck_assert(!wf_def_allows(d, "enrolled"));
    ck_assert_str_eq(d->to_state, "enrolled");
    d = wf_def_find("withdraw");
    ck_assert(d->senior_only);
    ck_assert(wf_def_allows(d, "enrolled") && wf_def_allows(d, "suspended"));
    ck_assert_str_eq(d->to_state, "withdrawn");
    d = wf_def_find("restore");
    const char *left[] = {"abroad", "left_other", "missing", "dropped_out", "withdrawn"};
    for (size_t i = 0; i < 5; i++)
        ck_assert(wf_def_allows(d, left[i]));
    ck_assert(!wf_def_allows(d, "deceased"));
    d = wf_def_find("transfer");
    ck_assert_int_eq(d->starter, WF_START_RECEIVING);
    ck_assert(!wf_def_allows(d, "suspended")); /* rule 16 */
    ck_assert(wf_def_find("suspend")->evidence_required);
    ck_assert(wf_def_find("key_field_change")->evidence_required);
    ck_assert_int_eq(wf_def_find("registration")->starter, WF_START_NONE);
    ck_assert(!wf_def_find("registration")->revertible);
}
END_TEST

START_TEST(test_working_days)
{
    /* 2026-11-27 is a Friday */
    ck_assert_int_eq(core_add_working_days(20261127, 1, NULL, 0), 20261130);
    ck_assert_int_eq(core_add_working_days(20261127, 10, NULL, 0), 20261211);
    ck_assert_int_eq(core_add_working_days(20261128, 1, NULL, 0), 20261130); /* Saturday */
    int holidays[] = {20261130, 20261201};
    ck_assert_int_eq(core_add_working_days(20261127, 1, holidays, 2), 20261202);
    /* over a month and a year end */
    ck_assert_int_eq(core_add_working_days(20261231, 1, NULL, 0), 20270101);
    ck_assert_int_eq(core_add_working_days(20240228, 1, NULL, 0), 20240229);
    ck_assert_int_eq(core_add_working_days(20261127, 0, NULL, 0), 20261127);
}
END_TEST

START_TEST(test_final_grade)
{
    db_school primary = {.category = 21, .system = "63"};
    db_school primary54 = {.category = 21, .system = "54"};
    db_school junior = {.category = 31, .system = "63"};
    db_school senior = {.category = 34, .system = "63"};
    ck_assert(core_grade_is_final(&primary, 16));
    ck_assert(!core_grade_is_final(&primary, 15));
    ck_assert(core_grade_is_final(&primary54, 15));
    ck_assert(core_grade_is_final(&junior, 23));
    ck_assert(!core_grade_is_final(&junior, 22));
    ck_assert(core_grade_is_final(&senior, 33));
    ck_assert(!core_grade_is_final(&senior, 31));
    ck_assert(!core_grade_is_final(&senior, 16)); /* not a grade it teaches */
}
END_TEST

START_TEST(test_sealed_changes)
{
    unsigned char key[1][CORE_PII_KEY_BYTES];
    memset(key, 7, sizeof(key));
    core_pii_ring *ring = core_pii_ring_new((const unsigned char(*)[CORE_PII_KEY_BYTES])key, 1);
    ck_assert_ptr_nonnull(ring);
    core_env env = {NULL, ring};
    app_arena *a = app_arena_new();
    core_op op = {0};
    op.env = &env;
    op.arena = a;
    core_record ch, back;
    unsigned char present[CORE_NFIELDS] = {0}, pback[CORE_NFIELDS];
    memset(&ch, 0, sizeof(ch));
    ch.v[CORE_R_NAME] = "张三";
    ch.v[CORE_R_ID_NUMBER] = "11010119900307803X";
    present[CORE_R_NAME] = present[CORE_R_ID_NUMBER] = present[CORE_R_GENDER] =
        1; /* gender: clear */
    const char *hex = core_changes_seal(&op, &ch, present);
    ck_assert_ptr_nonnull(hex);
    ck_assert_ptr_null(strstr(hex, "11010119900307803X"));
    app_err e = {0};
    ck_assert_int_eq(core_changes_open(&op, hex, &back, pback, &e), 0);
    ck_assert_str_eq(back.v[CORE_R_NAME], "张三");
    ck_assert_str_eq(back.v[CORE_R_ID_NUMBER], "11010119900307803X");
    ck_assert(pback[CORE_R_GENDER]);
    ck_assert_ptr_null(back.v[CORE_R_GENDER]);
    ck_assert(!pback[CORE_R_BIRTH_DATE]);
    /* tampering does not open */
    char *t = app_arena_strdup(a, hex);
    t[strlen(t) - 1] = t[strlen(t) - 1] == '0' ? '1' : '0';
    ck_assert_int_ne(core_changes_open(&op, t, &back, pback, &e), 0);
    app_arena_free(a);
    core_pii_ring_free(ring);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("workflow");
    TCase *tc = tcase_create("defs");
    tcase_add_test(tc, test_defs_are_complete);
    tcase_add_test(tc, test_domain_table);
    tcase_add_test(tc, test_working_days);
    tcase_add_test(tc, test_final_grade);
    tcase_add_test(tc, test_sealed_changes);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
