/*
 * tests/integration/registration_test.c - registration (DOMAIN §3, rules
 * 6-11, 21-24, 32) through core_student_register and
 * core_student_register_many on a real PostgreSQL, without HTTP: the
 * pending record with its L number and request, the final number on
 * approval (G for a resident ID, J without a document, L kept for other
 * documents), and every rejection with its code and slug - nothing written.
 */
#include "tests/lib/coreworld.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long long
students(void)
{
    return cw_count("SELECT count(*) FROM student");
}

START_TEST(test_register_pending_then_enrolled_g)
{
    core_record *rec = cw_record(CW_A, 13, 1, 1);
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_A, rec, &s, &q, NULL, &err);
    cw_ok(rc, &err);
    ck_assert_str_eq(s.state, "pending");
    ck_assert_str_eq(s.school, CW_A);
    ck_assert_int_eq(s.student_number[0], 'L');
    ck_assert_int_eq(cw_stuno_kind(s.id), 'L');
    /* the request: one step at the competent authority */
    ck_assert_str_eq(q.type, "registration");
    ck_assert_str_eq(q.state, "open");
    ck_assert_int_eq(q.nsteps, 1);
    ck_assert_str_eq(q.steps[0].org, "430102");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM audit WHERE action = 'student.register'"
                              " AND target_id = '%lld'",
                              s.id),
                     1);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM events WHERE type = 'student.registered'"
                              " AND student_id = %lld",
                              s.id),
                     1);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_history WHERE kind = 'registered'"
                              " AND student_id = %lld",
                              s.id),
                     1);
    /* approval: enrolled, G + the ID number */
    cw_act_ok(CW_FURONG, q.id, "approve", 1, &q);
    ck_assert_str_eq(q.state, "approved");
    ck_assert_str_eq(cw_state(s.id), "enrolled");
    ck_assert_int_eq(cw_stuno_kind(s.id), 'G');
    core_student back;
    rc = cw_student_get(CW_REG_A, s.id, &back, &err);
    cw_ok(rc, &err);
    ck_assert_int_eq(back.student_number[0], 'G');
    ck_assert_str_eq(back.state, "enrolled");
}
END_TEST

START_TEST(test_register_no_document_gets_j)
{
    core_record *rec = cw_record(CW_A, 13, 1, 2);
    rec->v[CORE_R_ID_TYPE] = NULL;
    rec->v[CORE_R_ID_NUMBER] = NULL;
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_A, rec, &s, &q, NULL, &err);
    cw_ok(rc, &err);
    /* without a document every level up to the province approves */
    ck_assert_int_eq(q.nsteps, 3);
    ck_assert_str_eq(q.steps[0].org, "430102");
    ck_assert_str_eq(q.steps[1].org, "430100");
    ck_assert_str_eq(q.steps[2].org, "430000");
    cw_approve_all(q.id, &q);
    ck_assert_str_eq(q.state, "approved");
    ck_assert_str_eq(cw_state(s.id), "enrolled");
    ck_assert_int_eq(cw_stuno_kind(s.id), 'J');
    ck_assert_int_eq(cw_scalar("SELECT stuno_text FROM student WHERE id = %lld", s.id)[0], 'J');
    /* without a document, a guardian who holds one is required */
    core_record *orphan = cw_record(CW_A, 13, 1, 44);
    orphan->v[CORE_R_ID_TYPE] = orphan->v[CORE_R_ID_NUMBER] = NULL;
    for (int m = 0; m < 2; m++) {
        int base = m == 0 ? CORE_R_F1 : CORE_R_F2;
        orphan->v[base + CORE_M_ID_TYPE] = orphan->v[base + CORE_M_ID_NUMBER] = NULL;
    }
    app_err e2 = {0};
    rc = cw_register(CW_REG_A, orphan, NULL, NULL, NULL, &e2);
    cw_fails(rc, &e2, APP_EINVAL, NULL);
    cw_has_item(&e2, "/family/0/guardian", "guardian_document_required");
}
END_TEST

START_TEST(test_register_other_document_keeps_l)
{
    core_record *rec = cw_record(CW_A, 13, 1, 3);
    rec->v[CORE_R_ID_TYPE] = "6";
    rec->v[CORE_R_ID_NUMBER] = "h1234567";
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_A, rec, &s, &q, NULL, &err);
    cw_ok(rc, &err);
    const char *l = cw_scalar("SELECT stuno_text FROM student WHERE id = %lld", s.id);
    cw_approve_all(q.id, &q);
    ck_assert_str_eq(cw_state(s.id), "enrolled");
    ck_assert_int_eq(cw_stuno_kind(s.id), 'L');
    ck_assert_str_eq(cw_scalar("SELECT stuno_text FROM student WHERE id = %lld", s.id), l);
    /* the number was normalised (upper case) before the duplicate check */
    core_record *again = cw_record(CW_B, 13, 1, 4);
    again->v[CORE_R_ID_TYPE] = "6";
    again->v[CORE_R_ID_NUMBER] = "H1234567";
    app_err e2 = {0};
    rc = cw_register(CW_REG_B, again, NULL, NULL, NULL, &e2);
    cw_fails(rc, &e2, APP_ECONFLICT, "duplicate_enrolled");
}
END_TEST

START_TEST(test_register_permit_gets_g)
{
    core_record *rec = cw_record(CW_A, 13, 1, 41);
    rec->v[CORE_R_ID_TYPE] = "C";
    rec->v[CORE_R_ID_NUMBER] = cw_permit_id(rec);
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_A, rec, &s, &q, NULL, &err);
    cw_ok(rc, &err);
    ck_assert_int_eq(q.nsteps, 1);
    cw_approve_all(q.id, &q);
    ck_assert_int_eq(cw_stuno_kind(s.id), 'G');
    char want[24];
    snprintf(want, sizeof(want), "G%s", rec->v[CORE_R_ID_NUMBER]);
    ck_assert_str_eq(cw_number(s.id), want);
    /* a type C number must be a permit's (81, 82, 83) */
    core_record *bad = cw_record(CW_A, 13, 1, 42);
    bad->v[CORE_R_ID_TYPE] = "C";
    app_err e2 = {0};
    rc = cw_register(CW_REG_A, bad, NULL, NULL, NULL, &e2);
    cw_fails(rc, &e2, APP_EINVAL, NULL);
    cw_has_item(&e2, "/id_number", "invalid_id_number");
}
END_TEST

START_TEST(test_register_rejected_by_authority)
{
    core_student s;
    core_request q;
    app_err err = {0};
    core_record *rec = cw_record(CW_A, 13, 1, 5);
    int rc = cw_register(CW_REG_A, cw_copy(rec), &s, &q, NULL, &err);
    cw_ok(rc, &err);
    cw_act_ok(CW_FURONG, q.id, "reject", 1, &q);
    ck_assert_str_eq(q.state, "rejected");
    ck_assert_str_eq(cw_state(s.id), "registration_rejected");
    /* a rejected record holds no identity: the school registers it again */
    core_student again;
    rc = cw_register(CW_REG_A, cw_copy(rec), &again, NULL, NULL, &err);
    cw_ok(rc, &err);
    ck_assert_int_ne(again.id, s.id);
    /* the school is the starter: it withdraws, the authority does not */
    rc = cw_register(CW_REG_A, cw_record(CW_A, 13, 1, 6), &s, &q, NULL, &err);
    cw_ok(rc, &err);
    rc = cw_act(CW_FURONG, q.id, "withdraw", 0, NULL, &err);
    cw_fails(rc, &err, APP_EFORBIDDEN, "not_request_starter");
}
END_TEST

/*
 * DOMAIN rule 15: a holder may return a registration to its starter for
 * correction - the registrar of the student's school. While it is returned
 * the school corrects the pending record (key fields included, every check
 * rerun) and resubmits it; the authority decides again.
 */
START_TEST(test_returned_registration_corrected_and_resubmitted)
{
    core_record *rec = cw_record(CW_A, 13, 1, 40);
    const char *old_id = rec->v[CORE_R_ID_NUMBER];
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_A, cw_copy(rec), &s, &q, NULL, &err);
    cw_ok(rc, &err);
    /* while it is open the key fields wait for the authority */
    unsigned char present[CORE_NFIELDS] = {0};
    core_record ch;
    memset(&ch, 0, sizeof(ch));
    ch.v[CORE_R_NAME] = "更正姓名";
    present[CORE_R_NAME] = 1;
    app_err e0 = {0};
    rc = cw_patch(CW_REG_A, s.id, s.version, &ch, present, NULL, &e0);
    cw_fails(rc, &e0, APP_EINVAL, NULL);
    cw_has_item(&e0, "/name", "key_field_requires_approval");
    cw_act_ok(CW_FURONG, q.id, "return", 1, &q);
    ck_assert_str_eq(q.state, "returned");
    /* the holder waits for the resubmission; only the school resubmits */
    app_err e1 = {0};
    rc = cw_act(CW_FURONG, q.id, "approve", 1, NULL, &e1);
    cw_fails(rc, &e1, APP_ECONFLICT, "step_already_decided");
    app_err e2 = {0};
    rc = cw_act(CW_FURONG, q.id, "resubmit", 0, NULL, &e2);
    cw_fails(rc, &e2, APP_EFORBIDDEN, "not_request_starter");
    app_err e3 = {0};
    rc = cw_act(CW_TEACHER_A, q.id, "resubmit", 0, NULL, &e3);
    ck_assert_int_ne(rc, 0);
    /* a key-field change request is not the way: the registration is in flight */
    long long ev = cw_file(CW_A);
    wf_start kc = {
        .type = "key_field_change", .student = cw_key(s.id), .evidence = &ev, .nevidence = 1};
    kc.changes.v[CORE_R_NAME] = "更正姓名";
    kc.present[CORE_R_NAME] = 1;
    app_err e4 = {0};
    core_request no;
    rc = cw_start(CW_REG_A, &kc, &no, &e4);
    cw_fails(rc, &e4, APP_ECONFLICT, "student_in_flight");
    /* the correction is checked like a registration: a bad check digit */
    char *bad = strdup(cw_new_id(rec, CW_A));
    bad[17] = bad[17] == '0' ? '1' : '0';
    memset(present, 0, sizeof(present));
    ch.v[CORE_R_ID_NUMBER] = bad;
    present[CORE_R_ID_NUMBER] = 1;
    app_err e5 = {0};
    rc = cw_patch(CW_REG_A, s.id, s.version, &ch, present, NULL, &e5);
    free(bad);
    cw_fails(rc, &e5, APP_EINVAL, NULL);
    cw_has_item(&e5, "/id_number", "invalid_id_number");
    /* the duplicate check: an identity an enrolled student holds */
    core_record *held = cw_record(CW_B, 13, 1, 46);
    cw_enrol(CW_REG_B, cw_copy(held));
    memset(present, 0, sizeof(present));
    ch.v[CORE_R_ID_NUMBER] = held->v[CORE_R_ID_NUMBER];
    ch.v[CORE_R_GENDER] = held->v[CORE_R_GENDER];
    ch.v[CORE_R_BIRTH_DATE] = held->v[CORE_R_BIRTH_DATE];
    present[CORE_R_ID_NUMBER] = present[CORE_R_GENDER] = present[CORE_R_BIRTH_DATE] = 1;
    app_err e6 = {0};
    rc = cw_patch(CW_REG_A, s.id, s.version, &ch, present, NULL, &e6);
    cw_fails(rc, &e6, APP_ECONFLICT, "duplicate_enrolled");
    ck_assert_str_eq(cw_state(s.id), "pending");
    /* a right correction: the name and the document number */
    const char *new_id = cw_new_id(rec, CW_A);
    memset(present, 0, sizeof(present));
    memset(&ch, 0, sizeof(ch));
    ch.v[CORE_R_NAME] = "更正姓名";
    ch.v[CORE_R_ID_NUMBER] = new_id;
    present[CORE_R_NAME] = present[CORE_R_ID_NUMBER] = 1;
    core_student fixed;
    app_err e7 = {0};
    rc = cw_patch(CW_REG_A, s.id, s.version, &ch, present, &fixed, &e7);
    cw_ok(rc, &e7);
    ck_assert_int_gt(fixed.version, s.version);
    ck_assert_str_eq(fixed.state, "pending");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_history WHERE kind = 'edited'"
                              " AND student_id = %lld",
                              s.id),
                     1);
    /* the school resubmits; the authority decides again */
    cw_act_ok(CW_REG_A, q.id, "resubmit", 0, &q);
    ck_assert_str_eq(q.state, "open");
    ck_assert_int_eq(q.current_step, 1);
    /* open again: key fields wait again */
    memset(present, 0, sizeof(present));
    memset(&ch, 0, sizeof(ch));
    ch.v[CORE_R_NAME] = "再改姓名";
    present[CORE_R_NAME] = 1;
    app_err e8 = {0};
    rc = cw_patch(CW_REG_A, s.id, fixed.version, &ch, present, NULL, &e8);
    cw_fails(rc, &e8, APP_EINVAL, NULL);
    cw_has_item(&e8, "/name", "key_field_requires_approval");
    cw_act_ok(CW_FURONG, q.id, "approve", 1, &q);
    ck_assert_str_eq(q.state, "approved");
    ck_assert_str_eq(cw_state(s.id), "enrolled");
    char want[24];
    snprintf(want, sizeof(want), "G%s", new_id);
    ck_assert_str_eq(cw_number(s.id), want);
    /* the old document number is free again */
    core_record *other = cw_copy(rec);
    other->v[CORE_R_ID_NUMBER] = old_id;
    rc = cw_register(CW_REG_B, other, NULL, NULL, NULL, &err);
    cw_ok(rc, &err);
}
END_TEST

/*
 * A former student (graduated here) registers again: the approval would
 * give G + the same ID number, which a finished record holds (rule 9 numbers
 * are unique across every record). Until intake from the graduate pool
 * exists, the registration is refused at once: 409 student_has_record,
 * naming the school that holds the record and its state; in a batch, that
 * row. A registration that got in before the check fails its approval with
 * the same code (nothing changes) and can be withdrawn.
 */
START_TEST(test_graduate_cannot_register_again)
{
    core_record *rec = cw_record(CW_A, 16, 1, 43);
    long long old = cw_enrol(CW_REG_A, cw_copy(rec));
    wf_start grad = {.type = "graduation", .grade = 16};
    core_request q;
    app_err err = {0};
    int rc = cw_start(CW_REG_A, &grad, &q, &err);
    cw_ok(rc, &err);
    ck_assert_str_eq(cw_state(old), "graduated");
    core_record *again = cw_copy(rec);
    again->v[CORE_R_GRADE] = "31";
    again->v[CORE_R_CLASS] = "1";
    long long before = students();
    app_err e1 = {0};
    rc = cw_register(CW_REG_H, cw_copy(again), NULL, NULL, NULL, &e1);
    cw_fails(rc, &e1, APP_ECONFLICT, "student_has_record");
    ck_assert_str_eq(e1.field, "/id_number");
    /* H does not see A: the county only, and the record's state */
    ck_assert_int_eq(e1.param[0], '@');
    ck_assert_ptr_null(strstr(e1.param, CW_A));
    ck_assert_ptr_nonnull(strstr(e1.param, "|毕业"));
    ck_assert_int_eq(students(), before);
    /* back into primary school: a compulsory-stage repeater (docs/decisions/0030) */
    core_record *home = cw_copy(rec);
    home->v[CORE_R_GRADE] = "14";
    app_err e2 = {0};
    rc = cw_register(CW_REG_A, home, NULL, NULL, NULL, &e2);
    cw_fails(rc, &e2, APP_ECONFLICT, "compulsory_repeater");
    ck_assert_str_eq(e2.field, "/grade");
    /* a batch: that row, the others registered */
    core_reg rows[2];
    app_err e[2];
    memset(rows, 0, sizeof(rows));
    memset(e, 0, sizeof(e));
    rows[0].rec = cw_copy(again);
    rows[1].rec = cw_record(CW_H, 31, 1, 47);
    for (int i = 0; i < 2; i++)
        rows[i].err = &e[i];
    app_err batch = {0};
    rc = cw_register_many(CW_REG_H, rows, 2, &batch);
    cw_ok(rc, &batch);
    cw_fails(rows[0].rc, &e[0], APP_ECONFLICT, "student_has_record");
    ck_assert_int_eq(rows[0].student_id, 0);
    cw_ok(rows[1].rc, &e[1]);
    ck_assert_int_eq(students(), before + 1);
    /* one registered before this check: its approval fails cleanly */
    cw_exec("UPDATE student SET stuno_bidx = '\\x00'::bytea || stuno_bidx WHERE id = %lld", old);
    core_student s;
    rc = cw_register(CW_REG_H, cw_copy(again), &s, &q, NULL, &err);
    cw_ok(rc, &err);
    cw_exec("UPDATE student SET stuno_bidx = substring(stuno_bidx from 2) WHERE id = %lld", old);
    for (int attempt = 0; attempt < 2; attempt++) {
        app_err e3 = {0};
        rc = cw_act(CW_FURONG, q.id, "approve", 1, NULL, &e3);
        cw_fails(rc, &e3, APP_ECONFLICT, "student_has_record");
        ck_assert_ptr_nonnull(strstr(e3.param, "|毕业"));
    }
    ck_assert_str_eq(cw_state(s.id), "pending");
    app_err e4 = {0};
    rc = cw_get(CW_FURONG, q.id, &q, &e4);
    cw_ok(rc, &e4);
    ck_assert_str_eq(q.state, "open");
    /* the school withdraws it */
    cw_act_ok(CW_REG_H, q.id, "withdraw", 0, &q);
    ck_assert_str_eq(cw_state(s.id), "registration_rejected");
}
END_TEST

START_TEST(test_invalid_id_number)
{
    core_record *rec = cw_record(CW_A, 13, 1, 7);
    char *bad = strdup(rec->v[CORE_R_ID_NUMBER]);
    bad[17] = bad[17] == '0' ? '1' : '0'; /* a wrong check digit */
    rec->v[CORE_R_ID_NUMBER] = bad;
    app_err err = {0};
    int rc = cw_register(CW_REG_A, rec, NULL, NULL, NULL, &err);
    free(bad);
    cw_fails(rc, &err, APP_EINVAL, NULL);
    cw_has_item(&err, "/id_number", "invalid_id_number");
    ck_assert_int_eq(students(), 0);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM request"), 0);
}
END_TEST

START_TEST(test_gender_contradicts_id)
{
    core_record *rec = cw_record(CW_A, 13, 1, 8);
    rec->v[CORE_R_GENDER] = strcmp(rec->v[CORE_R_GENDER], "1") == 0 ? "2" : "1";
    app_err err = {0};
    int rc = cw_register(CW_REG_A, rec, NULL, NULL, NULL, &err);
    cw_fails(rc, &err, APP_EINVAL, NULL);
    cw_has_item(&err, "/gender", "contradicts_id_number");
    cw_has_item(&err, "/id_number", "contradicts_id_number");
    ck_assert_int_eq(students(), 0);
}
END_TEST

START_TEST(test_missing_and_misplaced)
{
    core_record *rec = cw_record(CW_A, 13, 1, 9);
    rec->v[CORE_R_NAME] = NULL;
    app_err err = {0};
    int rc = cw_register(CW_REG_A, rec, NULL, NULL, NULL, &err);
    cw_fails(rc, &err, APP_EINVAL, NULL);
    cw_has_item(&err, "/name", "missing_field");

    rec = cw_record(CW_A, 13, 1, 10);
    rec->v[CORE_R_GRADE] = "31"; /* a primary school teaches no senior grade */
    app_err e2 = {0};
    rc = cw_register(CW_REG_A, rec, NULL, NULL, NULL, &e2);
    cw_fails(rc, &e2, APP_EINVAL, NULL);
    cw_has_item(&e2, "/grade", "grade_not_in_school");

    rec = cw_record(CW_A, 13, 1, 11);
    rec->v[CORE_R_CLASS] = "9";
    app_err e3 = {0};
    rc = cw_register(CW_REG_A, rec, NULL, NULL, NULL, &e3);
    cw_fails(rc, &e3, APP_EINVAL, NULL);
    cw_has_item(&e3, "/class", "class_not_found");
    ck_assert_int_eq(students(), 0);
}
END_TEST

START_TEST(test_below_entry_age)
{
    core_record *rec = cw_record(CW_A, 11, 1, 12);
    int today = cw_today();
    /* five years old on the cut-off day of this year's entry */
    cw_reborn(rec, CW_A, (today / 10000 - 5) * 10000 + 601);
    app_err err = {0};
    int rc = cw_register(CW_REG_A, rec, NULL, NULL, NULL, &err);
    cw_fails(rc, &err, APP_EINVAL, NULL);
    cw_has_item(&err, "/birth_date", "below_entry_age");
    ck_assert_int_eq(students(), 0);
}
END_TEST

START_TEST(test_duplicate_enrolled)
{
    core_record *rec = cw_record(CW_A, 13, 1, 13);
    long long id = cw_enrol(CW_REG_A, cw_copy(rec));
    /* the same school: named in full */
    app_err err = {0};
    int rc = cw_register(CW_REG_A, cw_copy(rec), NULL, NULL, NULL, &err);
    cw_fails(rc, &err, APP_ECONFLICT, "duplicate_enrolled");
    ck_assert_str_eq(err.field, "/id_number");
    ck_assert_ptr_nonnull(strstr(err.param, CW_A));
    /* a school outside the caller's jurisdiction: only the county, marked '@' */
    app_err e2 = {0};
    core_record *other = cw_copy(rec);
    other->v[CORE_R_GRADE] = "13";
    rc = cw_register(CW_REG_C, other, NULL, NULL, NULL, &e2);
    cw_fails(rc, &e2, APP_ECONFLICT, "duplicate_enrolled");
    ck_assert_int_eq(e2.param[0], '@');
    ck_assert_ptr_null(strstr(e2.param, CW_A));
    ck_assert_int_eq(students(), 1);
    ck_assert_str_eq(cw_state(id), "enrolled");
}
END_TEST

START_TEST(test_duplicate_of_pending)
{
    core_record *rec = cw_record(CW_A, 13, 1, 14);
    app_err err = {0};
    int rc = cw_register(CW_REG_A, cw_copy(rec), NULL, NULL, NULL, &err);
    cw_ok(rc, &err);
    rc = cw_register(CW_REG_B, cw_copy(rec), NULL, NULL, NULL, &err);
    cw_fails(rc, &err, APP_ECONFLICT, "duplicate_enrolled");
    ck_assert_int_eq(students(), 1);
}
END_TEST

START_TEST(test_suspected_twin_opens_problem)
{
    core_record *first = cw_record(CW_A, 13, 1, 15);
    long long a = cw_enrol(CW_REG_A, first);
    core_record *twin = cw_twin(first, CW_C, 13, 1, 16);
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_C, twin, &s, &q, NULL, &err);
    cw_ok(rc, &err); /* registered, but with a problem record */
    ck_assert_int_eq(
        cw_count("SELECT count(*) FROM problem WHERE kind = 'suspected_duplicate'"
                 " AND student_id = %lld AND other_student_id = %lld AND state = 'open'"
                 " AND authority = '430100'",
                 s.id, a),
        1);
    /* rule 24: the approval waits for the problem's resolution */
    rc = cw_act(CW_TIANXIN, q.id, "approve", 1, NULL, &err);
    cw_fails(rc, &err, APP_ECONFLICT, "student_has_problem");
    ck_assert_str_eq(cw_state(s.id), "pending");
    core_request back;
    rc = cw_get(CW_TIANXIN, q.id, &back, &err);
    cw_ok(rc, &err);
    ck_assert_str_eq(back.state, "open");
    ck_assert_int_eq(back.current_step, 1);
}
END_TEST

START_TEST(test_identity_check_fails_opens_problem)
{
    cw_set_verify("id_not_found");
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_A, cw_record(CW_A, 13, 1, 17), &s, &q, NULL, &err);
    cw_ok(rc, &err);
    ck_assert_str_eq(cw_scalar("SELECT verification FROM student WHERE id = %lld", s.id),
                     "id_not_found");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM problem WHERE kind = 'identity_failed'"
                              " AND student_id = %lld AND reason = 'id_not_found'",
                              s.id),
                     1);
    rc = cw_act(CW_FURONG, q.id, "approve", 1, NULL, &err);
    cw_fails(rc, &err, APP_ECONFLICT, "student_has_problem");
    /* an unavailable service opens none */
    cw_set_verify("unavailable");
    rc = cw_register(CW_REG_A, cw_record(CW_A, 13, 1, 18), &s, &q, NULL, &err);
    cw_ok(rc, &err);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM problem WHERE student_id = %lld", s.id), 0);
    cw_set_verify(NULL);
}
END_TEST

START_TEST(test_class_full)
{
    app_err err = {0};
    int rc = cw_register(CW_REG_A, cw_record(CW_A, 13, 2, 19), NULL, NULL, NULL, &err);
    cw_ok(rc, &err);
    rc = cw_register(CW_REG_A, cw_record(CW_A, 13, 2, 20), NULL, NULL, NULL, &err);
    cw_fails(rc, &err, APP_ECONFLICT, "class_full");
    ck_assert_int_eq(students(), 1);
}
END_TEST

START_TEST(test_not_a_registrar)
{
    int who[] = {CW_TEACHER_A, CW_FURONG, CW_MINISTRY};
    for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
        app_err err = {0};
        int rc = cw_register(who[i], cw_record(CW_A, 13, 1, 21), NULL, NULL, NULL, &err);
        cw_fails(rc, &err, APP_EFORBIDDEN, "forbidden");
    }
    ck_assert_int_eq(students(), 0);
}
END_TEST

START_TEST(test_school_closed)
{
    app_err err = {0};
    int rc = cw_register(CW_REG_X, cw_record(CW_X, 13, 1, 22), NULL, NULL, NULL, &err);
    cw_fails(rc, &err, APP_ESTATE, "school_closed");
    /* a batch: every record gets the school's answer */
    core_reg rows[2];
    app_err e[2];
    memset(rows, 0, sizeof(rows));
    memset(e, 0, sizeof(e));
    for (int i = 0; i < 2; i++) {
        rows[i].rec = cw_record(CW_X, 13, 1, 23 + (unsigned)i);
        rows[i].err = &e[i];
    }
    app_err batch = {0};
    rc = cw_register_many(CW_REG_X, rows, 2, &batch);
    cw_ok(rc, &batch);
    for (int i = 0; i < 2; i++)
        cw_fails(rows[i].rc, &e[i], APP_ESTATE, "school_closed");
    ck_assert_int_eq(students(), 0);
}
END_TEST

START_TEST(test_window_closed)
{
    /* rule 32: a required window with no bounds is closed */
    cw_exec("INSERT INTO region_settings (region, settings) VALUES ('430000',"
            " '{\"registration_window\":{\"required\":true,\"from\":null,\"until\":null}}')");
    app_err err = {0};
    int rc = cw_register(CW_REG_A, cw_record(CW_A, 13, 1, 25), NULL, NULL, NULL, &err);
    cw_fails(rc, &err, APP_ECONFLICT, "window_closed");
    /* another province is not concerned */
    rc = cw_register(CW_REG_J, cw_record(CW_J, 13, 1, 26), NULL, NULL, NULL, &err);
    cw_ok(rc, &err);
    ck_assert_int_eq(students(), 1);
}
END_TEST

START_TEST(test_register_many_each_row_its_answer)
{
    core_record *held = cw_record(CW_A, 13, 1, 27);
    cw_enrol(CW_REG_A, cw_copy(held));
    core_record *same = cw_record(CW_A, 13, 1, 28);
    core_record *bad = cw_record(CW_A, 13, 1, 29);
    bad->v[CORE_R_CLASS] = "9";
    core_record *recs[] = {
        cw_record(CW_A, 13, 1, 30), /* 0: registered */
        cw_copy(held),              /* 1: held by an enrolled student */
        cw_copy(same),              /* 2: registered */
        cw_copy(same),              /* 3: the same identity as row 2 */
        bad,                        /* 4: no such class */
        cw_record(CW_A, 13, 2, 31), /* 5: registered, fills 13-2 */
        cw_record(CW_A, 13, 2, 32), /* 6: class full */
    };
    enum { N = sizeof(recs) / sizeof(recs[0]) };
    core_reg rows[N];
    app_err e[N];
    memset(rows, 0, sizeof(rows));
    memset(e, 0, sizeof(e));
    for (int i = 0; i < N; i++) {
        rows[i].rec = recs[i];
        rows[i].err = &e[i];
    }
    app_err batch = {0};
    int rc = cw_register_many(CW_REG_A, rows, N, &batch);
    cw_ok(rc, &batch);
    int ok[] = {0, 2, 5};
    for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
        core_reg *r = &rows[ok[k]];
        cw_ok(r->rc, r->err);
        ck_assert_int_gt(r->student_id, 0);
        ck_assert_int_gt(r->request_id, 0);
        ck_assert_str_eq(cw_state(r->student_id), "pending");
    }
    cw_fails(rows[1].rc, &e[1], APP_ECONFLICT, "duplicate_enrolled");
    cw_fails(rows[3].rc, &e[3], APP_ECONFLICT, "duplicate_enrolled");
    cw_fails(rows[4].rc, &e[4], APP_EINVAL, NULL);
    cw_has_item(&e[4], "/class", "class_not_found");
    cw_fails(rows[6].rc, &e[6], APP_ECONFLICT, "class_full");
    for (int i = 0; i < N; i++)
        if (rows[i].rc != 0)
            ck_assert_int_eq(rows[i].student_id, 0);
    ck_assert_int_eq(students(), 1 + 3);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM request WHERE type = 'registration'"), 1 + 3);
    /* distinct L numbers */
    ck_assert_int_eq(cw_count("SELECT count(DISTINCT stuno_text) FROM student WHERE state ="
                              " 'pending'"),
                     3);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("registration-core");
    TCase *tc = tcase_create("registration");
    tcase_add_checked_fixture(tc, cw_setup, cw_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_register_pending_then_enrolled_g);
    tcase_add_test(tc, test_register_no_document_gets_j);
    tcase_add_test(tc, test_register_other_document_keeps_l);
    tcase_add_test(tc, test_register_permit_gets_g);
    tcase_add_test(tc, test_register_rejected_by_authority);
    tcase_add_test(tc, test_returned_registration_corrected_and_resubmitted);
    tcase_add_test(tc, test_graduate_cannot_register_again);
    tcase_add_test(tc, test_invalid_id_number);
    tcase_add_test(tc, test_gender_contradicts_id);
    tcase_add_test(tc, test_missing_and_misplaced);
    tcase_add_test(tc, test_below_entry_age);
    tcase_add_test(tc, test_duplicate_enrolled);
    tcase_add_test(tc, test_duplicate_of_pending);
    tcase_add_test(tc, test_suspected_twin_opens_problem);
    tcase_add_test(tc, test_identity_check_fails_opens_problem);
    tcase_add_test(tc, test_class_full);
    tcase_add_test(tc, test_not_a_registrar);
    tcase_add_test(tc, test_school_closed);
    tcase_add_test(tc, test_window_closed);
    tcase_add_test(tc, test_register_many_each_row_its_answer);
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
