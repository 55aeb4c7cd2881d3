/*
 * tests/integration/registration_fix_test.c - a registration returned,
 * corrected and withdrawn by its school (DOMAIN rule 15), through
 * wf_request_act and core_student_patch on a real PostgreSQL, without HTTP:
 * the school is the starter of its registrations (withdraw before the last
 * approval frees the identity; resubmit after a return routes the request
 * again from the corrected record).
 */
#include "tests/lib/coreworld.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The school withdraws its registration before the last approval (open or
   returned): the request ends like a rejection and the identity is free. */
START_TEST(test_registration_withdrawn_frees_identity)
{
    core_record *rec = cw_record(CW_A, 13, 1, 45);
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_A, cw_copy(rec), &s, &q, NULL, &err);
    cw_ok(rc, &err);
    app_err e1 = {0};
    rc = cw_act(CW_FURONG, q.id, "withdraw", 0, NULL, &e1);
    cw_fails(rc, &e1, APP_EFORBIDDEN, "not_request_starter");
    cw_act_ok(CW_REG_A, q.id, "withdraw", 0, &q);
    ck_assert_str_eq(q.state, "withdrawn");
    ck_assert_str_eq(cw_state(s.id), "registration_rejected");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM events WHERE"
                              " type = 'student.registration_rejected' AND student_id = %lld",
                              s.id),
                     1);
    app_err e2 = {0};
    rc = cw_act(CW_FURONG, q.id, "approve", 1, NULL, &e2);
    cw_fails(rc, &e2, APP_ECONFLICT, "step_already_decided");
    /* registered again, returned, withdrawn while returned */
    core_student again;
    rc = cw_register(CW_REG_A, cw_copy(rec), &again, &q, NULL, &err);
    cw_ok(rc, &err);
    cw_act_ok(CW_FURONG, q.id, "return", 1, &q);
    cw_act_ok(CW_REG_A, q.id, "withdraw", 0, &q);
    ck_assert_str_eq(q.state, "withdrawn");
    ck_assert_str_eq(cw_state(again.id), "registration_rejected");
    /* and a third time, approved: then there is nothing to withdraw */
    rc = cw_register(CW_REG_A, cw_copy(rec), &again, &q, NULL, &err);
    cw_ok(rc, &err);
    cw_act_ok(CW_FURONG, q.id, "approve", 1, &q);
    app_err e3 = {0};
    rc = cw_act(CW_REG_A, q.id, "withdraw", 0, NULL, &e3);
    cw_fails(rc, &e3, APP_ECONFLICT, "step_already_decided");
    ck_assert_str_eq(cw_state(again.id), "enrolled");
}
END_TEST

/* A pupil registered without a document goes to every level up to the
   province; returned at the first, corrected with a resident ID and
   resubmitted, it goes to the competent authority alone, and the other way
   round. */
START_TEST(test_resubmit_routes_again)
{
    core_record *rec = cw_record(CW_A, 13, 1, 60);
    const char *id = rec->v[CORE_R_ID_NUMBER];
    rec->v[CORE_R_ID_TYPE] = rec->v[CORE_R_ID_NUMBER] = NULL;
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_A, rec, &s, &q, NULL, &err);
    cw_ok(rc, &err);
    ck_assert_int_eq(q.nsteps, 3);
    cw_act_ok(CW_FURONG, q.id, "return", 1, &q);
    unsigned char present[CORE_NFIELDS] = {0};
    core_record ch;
    memset(&ch, 0, sizeof(ch));
    ch.v[CORE_R_ID_TYPE] = "1";
    ch.v[CORE_R_ID_NUMBER] = id;
    present[CORE_R_ID_TYPE] = present[CORE_R_ID_NUMBER] = 1;
    core_student fixed;
    rc = cw_patch(CW_REG_A, s.id, s.version, &ch, present, &fixed, &err);
    cw_ok(rc, &err);
    cw_act_ok(CW_REG_A, q.id, "resubmit", 0, &q);
    ck_assert_str_eq(q.state, "open");
    ck_assert_int_eq(q.nsteps, 1);
    ck_assert_str_eq(q.steps[0].org, "430102");
    ck_assert_str_eq(q.steps[0].state, "waiting");
    /* the document now holds the identity: nobody else registers it */
    core_record *other = cw_record(CW_B, 13, 1, 61);
    other->v[CORE_R_ID_NUMBER] = id;
    other->v[CORE_R_GENDER] = rec->v[CORE_R_GENDER];
    other->v[CORE_R_BIRTH_DATE] = rec->v[CORE_R_BIRTH_DATE];
    app_err e1 = {0};
    rc = cw_register(CW_REG_B, other, NULL, NULL, NULL, &e1);
    cw_fails(rc, &e1, APP_ECONFLICT, "duplicate_enrolled");
    /* returned again and the document taken away: the long route again */
    cw_act_ok(CW_FURONG, q.id, "return", 1, &q);
    memset(&ch, 0, sizeof(ch));
    rc = cw_patch(CW_REG_A, s.id, fixed.version, &ch, present, &fixed, &err);
    cw_ok(rc, &err);
    cw_act_ok(CW_REG_A, q.id, "resubmit", 0, &q);
    ck_assert_int_eq(q.nsteps, 3);
    ck_assert_str_eq(q.steps[2].org, "430000");
    cw_approve_all(q.id, &q);
    ck_assert_str_eq(q.state, "approved");
    ck_assert_int_eq(cw_stuno_kind(s.id), 'J');
    /* the identity it gave up is free */
    rc = cw_register(CW_REG_B, other, NULL, NULL, NULL, &err);
    cw_ok(rc, &err);
}
END_TEST

/* The correction of a returned registration opens no door for others:
   another school, a teacher or the authority edit nothing; a correction
   to a G number a graduate holds is refused like the registration. */
START_TEST(test_correction_is_the_schools)
{
    core_record *grad = cw_record(CW_A, 16, 1, 62);
    long long old = cw_enrol(CW_REG_A, cw_copy(grad));
    cw_exec("UPDATE student SET state = 'graduated' WHERE id = %lld", old);
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_A, cw_record(CW_A, 13, 1, 63), &s, &q, NULL, &err);
    cw_ok(rc, &err);
    cw_act_ok(CW_FURONG, q.id, "return", 1, &q);
    unsigned char present[CORE_NFIELDS] = {0};
    core_record ch;
    memset(&ch, 0, sizeof(ch));
    ch.v[CORE_R_NAME] = "更正姓名";
    present[CORE_R_NAME] = 1;
    int who[] = {CW_REG_B, CW_TEACHER_A, CW_FURONG};
    for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
        app_err e = {0};
        rc = cw_patch(who[i], s.id, s.version, &ch, present, NULL, &e);
        ck_assert_int_ne(rc, 0);
    }
    memset(&ch, 0, sizeof(ch));
    memset(present, 0, sizeof(present));
    ch.v[CORE_R_ID_NUMBER] = grad->v[CORE_R_ID_NUMBER];
    ch.v[CORE_R_GENDER] = grad->v[CORE_R_GENDER];
    ch.v[CORE_R_BIRTH_DATE] = grad->v[CORE_R_BIRTH_DATE];
    present[CORE_R_ID_NUMBER] = present[CORE_R_GENDER] = present[CORE_R_BIRTH_DATE] = 1;
    app_err e2 = {0};
    rc = cw_patch(CW_REG_A, s.id, s.version, &ch, present, NULL, &e2);
    cw_fails(rc, &e2, APP_ECONFLICT, "student_has_record");
    ck_assert_ptr_nonnull(strstr(e2.param, CW_A));
    ck_assert_ptr_nonnull(strstr(e2.param, "|毕业"));
    ck_assert_int_eq(cw_count("SELECT version FROM student WHERE id = %lld", s.id), s.version);
    /* a failed identity check of the corrected document opens a problem record */
    cw_set_verify("name_mismatch");
    memset(&ch, 0, sizeof(ch));
    memset(present, 0, sizeof(present));
    ch.v[CORE_R_NAME] = "更正姓名";
    present[CORE_R_NAME] = 1;
    rc = cw_patch(CW_REG_A, s.id, s.version, &ch, present, NULL, &err);
    cw_ok(rc, &err);
    cw_set_verify(NULL);
    ck_assert_str_eq(cw_scalar("SELECT verification FROM student WHERE id = %lld", s.id),
                     "name_mismatch");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM problem WHERE kind = 'identity_failed'"
                              " AND student_id = %lld AND state = 'open'",
                              s.id),
                     1);
}
END_TEST

/* A correction that makes the pupil a suspected twin of an enrolled one
   (same name, gender, birth date, another ID) opens a problem record, as
   registration does; the approval then waits for its resolution. */
START_TEST(test_correction_to_a_twin_opens_problem)
{
    core_record *first = cw_record(CW_A, 13, 1, 64);
    long long a = cw_enrol(CW_REG_A, first);
    core_record *twin = cw_twin(first, CW_C, 13, 1, 65);
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_C, cw_record(CW_C, 13, 1, 66), &s, &q, NULL, &err);
    cw_ok(rc, &err);
    cw_act_ok(CW_TIANXIN, q.id, "return", 1, &q);
    unsigned char present[CORE_NFIELDS] = {0};
    core_record ch;
    memset(&ch, 0, sizeof(ch));
    int keys[] = {CORE_R_NAME, CORE_R_GENDER, CORE_R_BIRTH_DATE, CORE_R_ID_NUMBER};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        ch.v[keys[i]] = twin->v[keys[i]];
        present[keys[i]] = 1;
    }
    rc = cw_patch(CW_REG_C, s.id, s.version, &ch, present, NULL, &err);
    cw_ok(rc, &err);
    ck_assert_int_eq(
        cw_count("SELECT count(*) FROM problem WHERE kind = 'suspected_duplicate'"
                 " AND student_id = %lld AND other_student_id = %lld AND state = 'open'"
                 " AND authority = '430100'",
                 s.id, a),
        1);
    cw_act_ok(CW_REG_C, q.id, "resubmit", 0, &q);
    app_err e1 = {0};
    rc = cw_act(CW_TIANXIN, q.id, "approve", 1, NULL, &e1);
    cw_fails(rc, &e1, APP_ECONFLICT, "student_has_problem");
    ck_assert_str_eq(cw_state(s.id), "pending");
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("registration-fix-core");
    TCase *tc = tcase_create("registration-fix");
    tcase_add_checked_fixture(tc, cw_setup, cw_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_registration_withdrawn_frees_identity);
    tcase_add_test(tc, test_resubmit_routes_again);
    tcase_add_test(tc, test_correction_is_the_schools);
    tcase_add_test(tc, test_correction_to_a_twin_opens_problem);
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
