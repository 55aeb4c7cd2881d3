/*
 * tests/integration/workflow_actions_test.c - the approval engine (DOMAIN §5,
 * rules 12-18) through wf_request_start / act / revert / list on a real
 * PostgreSQL, without HTTP: a request of every type of workflow/defs.c
 * through its whole chain (each step's holder org, the effect at the last
 * approval), reject, return and resubmit, withdraw, step_already_decided,
 * a forced decision after the deadline, revert and its refusals, batch
 * transfer and graduation. (registration: registration_test.c;
 * problem_resolution: merge_problem_test.c.)
 */
#include "tests/lib/coreworld.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON .reason = "家庭原因", .date = "2026-11-01"

/* The request's steps are held by `orgs` (NULL-terminated), in order. */
static void
assert_steps(const core_request *q, const char *const *orgs)
{
    int n = 0;
    while (orgs[n])
        n++;
    ck_assert_msg(q->nsteps == n, "request %lld has %d steps, want %d", q->id, q->nsteps, n);
    for (int i = 0; i < n; i++)
        ck_assert_msg(strcmp(q->steps[i].org, orgs[i]) == 0, "step %d held by %s, want %s", i + 1,
                      q->steps[i].org, orgs[i]);
}
#define STEPS(...) ((const char *const[]){__VA_ARGS__, NULL})

static core_request
get(long long rid)
{
    core_request q;
    app_err err = {0};
    int rc = cw_get(CW_MINISTRY, rid, &q, &err);
    cw_ok(rc, &err);
    return q;
}

/* Start `a` as `who`, check its chain, approve each step by its holder. */
static core_request
through_chain(int who, wf_start *a, const char *const *orgs)
{
    long long rid = cw_start_ok(who, a);
    core_request q = get(rid);
    ck_assert_str_eq(q.state, "open");
    assert_steps(&q, orgs);
    for (int i = 0; orgs[i]; i++) {
        ck_assert_int_eq(q.current_step, i + 1);
        if (orgs[i + 1] != NULL) {
            /* the next holder may not act before its turn */
            app_err err = {0};
            int rc = cw_act(cw_actor_of(orgs[i + 1]), rid, "approve", i + 1, NULL, &err);
            ck_assert_int_ne(rc, 0);
        }
        cw_act_ok(cw_actor_of(orgs[i]), rid, "approve", i + 1, &q);
    }
    ck_assert_str_eq(q.state, "approved");
    return q;
}

static int
has(const core_request *v, int n, long long id)
{
    for (int i = 0; i < n; i++)
        if (v[i].id == id)
            return 1;
    return 0;
}

START_TEST(test_state_types)
{
    static const struct {
        const char *type, *to;
    } leave[] = {{"decease", "deceased"},
                 {"go_abroad", "abroad"},
                 {"leave_other", "left_other"},
                 {"missing", "missing"},
                 {"drop_out", "dropped_out"}};
    for (size_t i = 0; i < sizeof(leave) / sizeof(leave[0]); i++) {
        long long s = cw_student(CW_A, 13, 1, 100 + (unsigned)i);
        wf_start a = {.type = leave[i].type, .student = cw_key(s), REASON};
        core_request q = through_chain(CW_REG_A, &a, STEPS("430102"));
        ck_assert_str_eq(cw_state(s), leave[i].to);
        ck_assert_ptr_nonnull(q.applied_json);
        /* restore: back to enrolled, except from deceased */
        wf_start r = {.type = "restore", .student = cw_key(s), REASON};
        if (strcmp(leave[i].to, "deceased") == 0) {
            core_request no;
            app_err err = {0};
            int rc = cw_start(CW_REG_A, &r, &no, &err);
            cw_fails(rc, &err, APP_EINVAL, "transition_not_allowed");
            continue;
        }
        through_chain(CW_REG_A, &r, STEPS("430102"));
        ck_assert_str_eq(cw_state(s), "enrolled");
    }
    /* suspend (evidence required) and resume */
    long long s = cw_student(CW_A, 13, 1, 110);
    long long ev = cw_file(CW_A);
    wf_start su = {.type = "suspend",
                   .student = cw_key(s),
                   .reason = "病休",
                   .start_date = "2026-11-01",
                   .end_date = "2027-06-01",
                   .evidence = &ev,
                   .nevidence = 1};
    through_chain(CW_REG_A, &su, STEPS("430102"));
    ck_assert_str_eq(cw_state(s), "suspended");
    wf_start re = {.type = "resume", .student = cw_key(s)};
    through_chain(CW_REG_A, &re, STEPS("430102"));
    ck_assert_str_eq(cw_state(s), "enrolled");
    /* withdraw: senior secondary only */
    long long h = cw_student(CW_H, 31, 1, 111);
    wf_start w = {.type = "withdraw", .student = cw_key(h), REASON};
    through_chain(CW_REG_H, &w, STEPS("430102"));
    ck_assert_str_eq(cw_state(h), "withdrawn");
    app_err err = {0};
    wf_start wa = {.type = "withdraw", .student = cw_key(s), REASON};
    core_request q;
    int rc = cw_start(CW_REG_A, &wa, &q, &err);
    cw_fails(rc, &err, APP_EINVAL, "transition_not_allowed");
}
END_TEST

START_TEST(test_grade_change)
{
    long long s = cw_student(CW_A, 13, 1, 120);
    wf_start a = {.type = "grade_change", .student = cw_key(s), .grade = 14, .class_no = 1};
    through_chain(CW_REG_A, &a, STEPS("430102"));
    ck_assert_int_eq(cw_grade_of(s), 14);
    ck_assert_int_eq(cw_class_of(s), 1);
    ck_assert_str_eq(cw_state(s), "enrolled");
    /* a grade the school has no class of */
    wf_start b = {.type = "grade_change", .student = cw_key(s), .grade = 15, .class_no = 1};
    core_request q;
    app_err err = {0};
    int rc = cw_start(CW_REG_A, &b, &q, &err);
    cw_fails(rc, &err, APP_EINVAL, NULL);
    cw_has_item(&err, "/payload/class", "class_not_found");
}
END_TEST

START_TEST(test_transfer_chains)
{
    /* one authority: the sending school, then the authority */
    long long s = cw_student(CW_A, 13, 1, 130);
    wf_start a = {
        .type = "transfer", .student = cw_number(s), .to_school = CW_B, .grade = 13, .class_no = 2};
    core_request q = through_chain(CW_REG_B, &a, STEPS(CW_A, "430102"));
    ck_assert_str_eq(cw_school_of(s), CW_B);
    ck_assert_int_eq(cw_class_of(s), 2);
    ck_assert_str_eq(q.other_school, CW_B);
    /* revertible: back to the sending school and class */
    core_request r;
    app_err err = {0};
    int rc = cw_revert(CW_FURONG, q.id, &r, &err);
    cw_ok(rc, &err);
    ck_assert_str_eq(r.state, "reverted");
    ck_assert_str_eq(cw_school_of(s), CW_A);
    ck_assert_int_eq(cw_class_of(s), 1);
    /* another county: the receiving authority first */
    s = cw_student(CW_A, 13, 1, 131);
    wf_start b = {
        .type = "transfer", .student = cw_number(s), .to_school = CW_C, .grade = 13, .class_no = 1};
    through_chain(CW_REG_C, &b, STEPS("430103", CW_A, "430102"));
    ck_assert_str_eq(cw_school_of(s), CW_C);
    /* another province whose settings ask for the province */
    cw_exec("INSERT INTO region_settings (region, settings) VALUES ('360000',"
            " '{\"province_approves_transfers\":true}')");
    s = cw_student(CW_A, 13, 1, 132);
    wf_start c = {
        .type = "transfer", .student = cw_number(s), .to_school = CW_J, .grade = 13, .class_no = 1};
    through_chain(CW_REG_J, &c, STEPS("360102", "360000", CW_A, "430102"));
    ck_assert_str_eq(cw_school_of(s), CW_J);
    ck_assert_str_eq(cw_scalar("SELECT province FROM student WHERE id = %lld", s), "360000");
}
END_TEST

START_TEST(test_transfer_refusals)
{
    long long s = cw_student(CW_A, 13, 1, 140);
    core_request q;
    app_err err = {0};
    /* the receiving school starts it, for itself */
    wf_start a = {.type = "transfer", .student = cw_number(s), .to_school = CW_C, .grade = 13};
    int rc = cw_start(CW_REG_B, &a, &q, &err);
    cw_fails(rc, &err, APP_EINVAL, NULL);
    cw_has_item(&err, "/payload/to_school", "to_school_not_caller");
    /* a closed school takes no one */
    app_err e2 = {0};
    wf_start b = {.type = "transfer", .student = cw_number(s), .to_school = CW_X, .grade = 13};
    rc = cw_start(CW_REG_X, &b, &q, &e2);
    cw_fails(rc, &e2, APP_ESTATE, "school_closed");
    /* its own school */
    app_err e3 = {0};
    wf_start c = {.type = "transfer", .student = cw_number(s), .to_school = CW_A, .grade = 13};
    rc = cw_start(CW_REG_A, &c, &q, &e3);
    cw_fails(rc, &e3, APP_ESTATE, "transition_not_allowed");
    /* the blackout (rule 16) */
    cw_set_today(20260801);
    app_err e4 = {0};
    wf_start d = {.type = "transfer", .student = cw_number(s), .to_school = CW_B, .grade = 13};
    rc = cw_start(CW_REG_B, &d, &q, &e4);
    cw_fails(rc, &e4, APP_ECONFLICT, "transfer_blackout");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM request WHERE type = 'transfer'"), 0);
}
END_TEST

START_TEST(test_key_field_change)
{
    long long s = cw_student(CW_A, 13, 1, 150);
    long long ev = cw_file(CW_A);
    wf_start a = {
        .type = "key_field_change", .student = cw_key(s), .evidence = &ev, .nevidence = 1};
    a.changes.v[CORE_R_NAME] = "欧阳新名";
    a.present[CORE_R_NAME] = 1;
    core_request q = through_chain(CW_REG_A, &a, STEPS("430102"));
    ck_assert_str_eq(cw_scalar("SELECT name FROM student WHERE id = %lld", s), "欧阳新名");
    /* the sealed changes travel encrypted: the name is not in the payload */
    ck_assert_ptr_null(strstr(q.payload_json, "欧阳新名"));
    /* its revert: tests/integration/record_completeness_test.c */
    /* no evidence */
    app_err e2 = {0};
    wf_start b = {.type = "key_field_change", .student = cw_key(s)};
    b.changes.v[CORE_R_NAME] = "欧阳旧名";
    b.present[CORE_R_NAME] = 1;
    int rc = cw_start(CW_REG_A, &b, &q, &e2);
    cw_fails(rc, &e2, APP_EINVAL, NULL);
    cw_has_item(&e2, "/evidence", "evidence_required");
    /* nothing changes */
    app_err e3 = {0};
    wf_start c = {
        .type = "key_field_change", .student = cw_key(s), .evidence = &ev, .nevidence = 1};
    c.changes.v[CORE_R_NAME] = "欧阳新名";
    c.present[CORE_R_NAME] = 1;
    rc = cw_start(CW_REG_A, &c, &q, &e3);
    cw_fails(rc, &e3, APP_EINVAL, NULL);
    cw_has_item(&e3, "/payload/changes", "nothing_changes");
}
END_TEST

START_TEST(test_key_field_change_renumber)
{
    core_record *rec = cw_record(CW_A, 13, 1, 155);
    long long s = cw_enrol(CW_REG_A, cw_copy(rec));
    const char *id = cw_new_id(rec, CW_A);
    long long ev = cw_file(CW_A);
    wf_start a = {.type = "key_field_change",
                  .student = cw_key(s),
                  .evidence = &ev,
                  .nevidence = 1,
                  .renumber = 1};
    a.changes.v[CORE_R_ID_NUMBER] = id;
    a.present[CORE_R_ID_NUMBER] = 1;
    /* a new student number needs the province (rule 10) */
    core_request q = through_chain(CW_REG_A, &a, STEPS("430102", "430000"));
    ck_assert_ptr_null(strstr(q.payload_json, id));
    char want[24];
    snprintf(want, sizeof(want), "G%s", id);
    ck_assert_str_eq(cw_number(s), want);
    /* the old identity is free again */
    app_err err = {0};
    rec->v[CORE_R_CLASS] = "1";
    int rc = cw_register(CW_REG_B, cw_copy(rec), NULL, NULL, NULL, &err);
    cw_ok(rc, &err);
}
END_TEST

START_TEST(test_key_field_change_to_held_id)
{
    core_record *rx = cw_record(CW_A, 13, 1, 160);
    long long x = cw_enrol(CW_REG_A, cw_copy(rx));
    /* the same name, gender and birth date in another province: no suspicion */
    long long y = cw_enrol(CW_REG_J, cw_twin(rx, CW_J, 13, 1, 161));
    long long ev = cw_file(CW_J);
    wf_start a = {
        .type = "key_field_change", .student = cw_key(y), .evidence = &ev, .nevidence = 1};
    a.changes.v[CORE_R_ID_NUMBER] = rx->v[CORE_R_ID_NUMBER];
    a.present[CORE_R_ID_NUMBER] = 1;
    long long rid = cw_start_ok(CW_REG_J, &a);
    core_request q;
    cw_act_ok(CW_DONGHU, rid, "approve", 1, &q);
    /* the request fails and a problem record opens instead */
    ck_assert_str_eq(q.state, "rejected");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM problem WHERE kind = 'duplicate_id'"
                              " AND student_id = %lld AND other_student_id = %lld",
                              y, x),
                     1);
    ck_assert_str_ne(cw_number(y), cw_number(x));
}
END_TEST

START_TEST(test_batch_transfer_and_revert)
{
    long long s1 = cw_student(CW_A, 13, 1, 170), s2 = cw_student(CW_A, 13, 1, 171);
    const char *students[] = {cw_key(s1), cw_number(s2)};
    wf_start a = {.type = "batch_transfer",
                  .from_school = CW_A,
                  .to_school = CW_B,
                  .students = students,
                  .nstudents = 2};
    core_request q = through_chain(CW_FURONG, &a, STEPS(CW_A, CW_B));
    ck_assert_int_eq(q.nmembers, 2);
    ck_assert_str_eq(cw_school_of(s1), CW_B);
    ck_assert_str_eq(cw_school_of(s2), CW_B);
    ck_assert_int_eq(cw_class_of(s1), 1);
    /* a school cannot start one; a bureau not over both cannot either */
    app_err err = {0};
    core_request r;
    int rc = cw_start(CW_REG_A, &a, &r, &err);
    cw_fails(rc, &err, APP_EFORBIDDEN, "forbidden");
    wf_start c = {.type = "batch_transfer",
                  .from_school = CW_B,
                  .to_school = CW_C,
                  .students = students,
                  .nstudents = 1};
    app_err e2 = {0};
    rc = cw_start(CW_FURONG, &c, &r, &e2);
    cw_fails(rc, &e2, APP_EFORBIDDEN, "forbidden");
    /* revert: every member back */
    app_err e3 = {0};
    rc = cw_revert(CW_FURONG, q.id, &r, &e3);
    cw_ok(rc, &e3);
    ck_assert_str_eq(r.state, "reverted");
    ck_assert_str_eq(cw_school_of(s1), CW_A);
    ck_assert_str_eq(cw_school_of(s2), CW_A);
}
END_TEST

START_TEST(test_batch_transfer_member_items)
{
    long long s1 = cw_student(CW_A, 13, 1, 175), s2 = cw_student(CW_A, 13, 1, 177);
    long long other = cw_student(CW_C, 13, 1, 176);
    wf_start busy = {.type = "decease", .student = cw_key(s1), REASON};
    cw_start_ok(CW_REG_A, &busy);
    const char *students[] = {cw_key(s2), cw_key(other), cw_key(s2), cw_key(s1)};
    wf_start a = {.type = "batch_transfer",
                  .from_school = CW_A,
                  .to_school = CW_B,
                  .students = students,
                  .nstudents = 4};
    core_request q;
    app_err err = {0};
    int rc = cw_start(CW_CHANGSHA, &a, &q, &err);
    cw_fails(rc, &err, APP_EINVAL, NULL);
    ck_assert_int_eq(err.nitems, 3);
    cw_has_item(&err, "/payload/students/1", "student_not_found");
    cw_has_item(&err, "/payload/students/2", "duplicate_value");
    cw_has_item(&err, "/payload/students/3", "student_in_flight");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM request WHERE type = 'batch_transfer'"), 0);
}
END_TEST

START_TEST(test_graduation_primary)
{
    long long s1 = cw_student(CW_A, 16, 1, 180), s2 = cw_student(CW_A, 16, 1, 181);
    long long s3 = cw_student(CW_A, 16, 1, 182);
    wf_start busy = {.type = "decease", .student = cw_key(s3), REASON};
    cw_start_ok(CW_REG_A, &busy);
    long long oid[] = {s2};
    const char *oval[] = {"completed"};
    wf_start a = {.type = "graduation",
                  .grade = 16,
                  .outcome_ids = oid,
                  .outcome_vals = oval,
                  .noutcomes = 1};
    long long rid = cw_start_ok(CW_REG_A, &a);
    /* primary: the school's start is the decision */
    core_request q = get(rid);
    ck_assert_str_eq(q.state, "approved");
    ck_assert_int_eq(q.nsteps, 0);
    ck_assert_str_eq(cw_state(s1), "graduated");
    ck_assert_str_eq(cw_state(s2), "completed");
    ck_assert_str_eq(cw_state(s3), "enrolled"); /* left out: in flight */
    ck_assert_ptr_nonnull(strstr(q.payload_json, "student_in_flight"));
    ck_assert_int_eq(cw_count("SELECT count(*) FROM request_member WHERE request_id = %lld"
                              " AND certificate_no IS NOT NULL",
                              rid),
                     1);
    /* not the graduating grade */
    app_err err = {0};
    wf_start b = {.type = "graduation", .grade = 13};
    int rc = cw_start(CW_REG_A, &b, &q, &err);
    cw_fails(rc, &err, APP_EINVAL, NULL);
    cw_has_item(&err, "/payload/grade", "grade_not_final");
    /* graduation_revert brings one back */
    wf_start r = {.type = "graduation_revert", .student = cw_key(s1)};
    through_chain(CW_REG_A, &r, STEPS("430102"));
    ck_assert_str_eq(cw_state(s1), "enrolled");
    /* DOUBTFUL: workflow/defs.c lets it start from completed and incomplete
       too, where DOMAIN §5's table names graduated only */
    wf_start r2 = {.type = "graduation_revert", .student = cw_key(s2)};
    through_chain(CW_REG_A, &r2, STEPS("430102"));
    ck_assert_str_eq(cw_state(s2), "enrolled");
    /* graduation is not revertible */
    app_err e2 = {0};
    rc = cw_revert(CW_FURONG, rid, NULL, &e2);
    cw_fails(rc, &e2, APP_EINVAL, "not_revertible");
}
END_TEST

START_TEST(test_graduation_refusals)
{
    long long s1 = cw_student(CW_A, 16, 1, 185), other = cw_student(CW_A, 13, 1, 186);
    long long oid[] = {other};
    const char *oval[] = {"completed"};
    wf_start a = {.type = "graduation",
                  .grade = 16,
                  .outcome_ids = oid,
                  .outcome_vals = oval,
                  .noutcomes = 1};
    core_request q;
    app_err err = {0};
    int rc = cw_start(CW_REG_A, &a, &q, &err);
    cw_fails(rc, &err, APP_EINVAL, NULL);
    char ptr[48];
    snprintf(ptr, sizeof(ptr), "/payload/outcomes/%lld", other);
    cw_has_item(&err, ptr, "student_not_in_grade");
    /* every student of the grade busy: nobody to graduate */
    wf_start busy = {.type = "decease", .student = cw_key(s1), REASON};
    cw_start_ok(CW_REG_A, &busy);
    wf_start b = {.type = "graduation", .grade = 16};
    app_err e2 = {0};
    rc = cw_start(CW_REG_A, &b, &q, &e2);
    cw_fails(rc, &e2, APP_EINVAL, NULL);
    cw_has_item(&e2, "/payload/grade", "no_students");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM request WHERE type = 'graduation'"), 0);
}
END_TEST

START_TEST(test_graduation_senior)
{
    long long s = cw_student(CW_H, 33, 1, 190);
    wf_start a = {.type = "graduation", .grade = 33};
    core_request q = through_chain(CW_REG_H, &a, STEPS("430102"));
    ck_assert_int_eq(q.nmembers, 1);
    ck_assert_str_eq(cw_state(s), "graduated");
}
END_TEST

/* A request that ends without its effect releases its members. */
START_TEST(test_members_freed_when_request_ends)
{
    long long h = cw_student(CW_H, 33, 1, 195);
    wf_start g = {.type = "graduation", .grade = 33};
    long long rid = cw_start_ok(CW_REG_H, &g);
    cw_act_ok(CW_FURONG, rid, "reject", 1, NULL);
    ck_assert_str_eq(cw_state(h), "enrolled");
    wf_start w = {.type = "withdraw", .student = cw_key(h), REASON};
    cw_start_ok(CW_REG_H, &w);

    long long s1 = cw_student(CW_A, 13, 1, 196), s2 = cw_student(CW_A, 13, 1, 197);
    const char *students[] = {cw_key(s1), cw_key(s2)};
    wf_start b = {.type = "batch_transfer",
                  .from_school = CW_A,
                  .to_school = CW_B,
                  .students = students,
                  .nstudents = 2};
    rid = cw_start_ok(CW_FURONG, &b);
    core_request q;
    cw_act_ok(CW_FURONG, rid, "withdraw", 0, &q);
    ck_assert_str_eq(q.state, "withdrawn");
    wf_start d = {.type = "decease", .student = cw_key(s2), REASON};
    cw_start_ok(CW_REG_A, &d);
    /* and a batch whose member moved since is not reverted at all */
    long long s3 = cw_student(CW_A, 13, 1, 198);
    const char *more[] = {cw_key(s1), cw_key(s3)};
    wf_start c = {.type = "batch_transfer",
                  .from_school = CW_A,
                  .to_school = CW_B,
                  .students = more,
                  .nstudents = 2};
    q = through_chain(CW_FURONG, &c, STEPS(CW_A, CW_B));
    wf_start m = {.type = "missing", .student = cw_key(s3), REASON};
    long long mid = cw_start_ok(CW_REG_B, &m);
    cw_approve_all(mid, &(core_request){0});
    app_err err = {0};
    int rc = cw_revert(CW_FURONG, q.id, NULL, &err);
    cw_fails(rc, &err, APP_ECONFLICT, "revert_conflict");
    ck_assert_str_eq(cw_school_of(s1), CW_B);
    ck_assert_str_eq(cw_school_of(s3), CW_B);
}
END_TEST

START_TEST(test_last_term_and_suspended)
{
    long long g6 = cw_student(CW_A, 16, 1, 205), sus = cw_student(CW_A, 13, 1, 206);
    long long ev = cw_file(CW_A);
    wf_start su = {.type = "suspend",
                   .student = cw_key(sus),
                   .reason = "病休",
                   .start_date = "2026-11-01",
                   .evidence = &ev,
                   .nevidence = 1};
    through_chain(CW_REG_A, &su, STEPS("430102"));
    /* rule 16: no transfer of a suspended student */
    core_request q;
    app_err err = {0};
    wf_start t = {.type = "transfer", .student = cw_number(sus), .to_school = CW_B, .grade = 13};
    int rc = cw_start(CW_REG_B, &t, &q, &err);
    cw_fails(rc, &err, APP_EINVAL, "transition_not_allowed");
    /* nor of one in the graduating grade's last term, nor a suspension then */
    cw_set_today(20270315);
    app_err e2 = {0};
    wf_start t2 = {.type = "transfer", .student = cw_number(g6), .to_school = CW_B, .grade = 16};
    rc = cw_start(CW_REG_B, &t2, &q, &e2);
    cw_fails(rc, &e2, APP_EINVAL, "transition_not_allowed");
    app_err e3 = {0};
    wf_start s2 = {.type = "suspend",
                   .student = cw_key(g6),
                   .reason = "病休",
                   .start_date = "2027-03-16",
                   .evidence = &ev,
                   .nevidence = 1};
    rc = cw_start(CW_REG_A, &s2, &q, &e3);
    cw_fails(rc, &e3, APP_EINVAL, "transition_not_allowed");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM request WHERE type = 'transfer'"), 0);
}
END_TEST

START_TEST(test_reject_return_resubmit)
{
    long long s = cw_student(CW_A, 13, 1, 200);
    wf_start a = {.type = "decease", .student = cw_key(s), REASON};
    long long rid = cw_start_ok(CW_REG_A, &a);
    core_request q;
    cw_act_ok(CW_FURONG, rid, "reject", 1, &q);
    ck_assert_str_eq(q.state, "rejected");
    ck_assert_str_eq(cw_state(s), "enrolled");
    /* return, then the holder cannot decide until the starter resubmits */
    wf_start b = {.type = "go_abroad", .student = cw_key(s), REASON};
    rid = cw_start_ok(CW_REG_A, &b);
    cw_act_ok(CW_FURONG, rid, "return", 1, &q);
    ck_assert_str_eq(q.state, "returned");
    app_err err = {0};
    int rc = cw_act(CW_FURONG, rid, "approve", 1, NULL, &err);
    cw_fails(rc, &err, APP_ECONFLICT, "step_already_decided");
    cw_act_ok(CW_REG_A, rid, "resubmit", 0, &q);
    ck_assert_str_eq(q.state, "open");
    ck_assert_int_eq(q.current_step, 1);
    app_err e2 = {0};
    rc = cw_act(CW_REG_A, rid, "resubmit", 0, NULL, &e2);
    cw_fails(rc, &e2, APP_ECONFLICT, "step_already_decided");
    cw_act_ok(CW_FURONG, rid, "approve", 1, &q);
    ck_assert_str_eq(q.state, "approved");
    ck_assert_str_eq(cw_state(s), "abroad");
    app_err e3 = {0};
    rc = cw_act(CW_FURONG, rid, "shrug", 1, NULL, &e3);
    cw_fails(rc, &e3, APP_EINVAL, "invalid_action");
}
END_TEST

START_TEST(test_withdraw)
{
    long long s = cw_student(CW_A, 13, 1, 210);
    wf_start a = {.type = "leave_other", .student = cw_key(s), REASON};
    long long rid = cw_start_ok(CW_REG_A, &a);
    app_err err = {0};
    int rc = cw_act(CW_FURONG, rid, "withdraw", 0, NULL, &err);
    cw_fails(rc, &err, APP_EFORBIDDEN, "not_request_starter");
    core_request q;
    cw_act_ok(CW_REG_A, rid, "withdraw", 0, &q);
    ck_assert_str_eq(q.state, "withdrawn");
    ck_assert_str_eq(cw_state(s), "enrolled");
    app_err e2 = {0};
    rc = cw_act(CW_REG_A, rid, "withdraw", 0, NULL, &e2);
    cw_fails(rc, &e2, APP_ECONFLICT, "step_already_decided");
    app_err e3 = {0};
    rc = cw_act(CW_FURONG, rid, "approve", 1, NULL, &e3);
    cw_fails(rc, &e3, APP_ECONFLICT, "step_already_decided");
}
END_TEST

START_TEST(test_step_already_decided_and_holders)
{
    long long s = cw_student(CW_A, 13, 1, 220);
    wf_start a = {.type = "transfer", .student = cw_number(s), .to_school = CW_B, .grade = 13};
    long long rid = cw_start_ok(CW_REG_B, &a);
    /* rule 15: only the receiving school withdraws a transfer */
    app_err w = {0};
    int wrc = cw_act(CW_REG_A, rid, "withdraw", 0, NULL, &w);
    cw_fails(wrc, &w, APP_EFORBIDDEN, "not_request_starter");
    core_request q;
    cw_act_ok(CW_REG_A, rid, "approve", 1, &q);
    ck_assert_int_eq(q.current_step, 2);
    app_err err = {0};
    int rc = cw_act(CW_REG_A, rid, "approve", 1, NULL, &err);
    cw_fails(rc, &err, APP_ECONFLICT, "step_already_decided");
    app_err e2 = {0};
    rc = cw_act(CW_TIANXIN, rid, "approve", 2, NULL, &e2);
    ck_assert_int_ne(rc, 0); /* not its request */
    app_err e3 = {0};
    rc = cw_act(CW_CHANGSHA, rid, "approve", 2, NULL, &e3);
    cw_fails(rc, &e3, APP_EFORBIDDEN, "not_step_holder"); /* not overdue */
    cw_act_ok(CW_FURONG, rid, "approve", 2, &q);
    app_err e4 = {0};
    rc = cw_act(CW_FURONG, rid, "approve", 2, NULL, &e4);
    cw_fails(rc, &e4, APP_ECONFLICT, "step_already_decided");
}
END_TEST

START_TEST(test_forced_after_deadline)
{
    long long s = cw_student(CW_A, 13, 1, 230);
    cw_set_today(20261102); /* due ten working days later: passed */
    wf_start a = {.type = "missing", .student = cw_key(s), REASON};
    long long rid = cw_start_ok(CW_REG_A, &a);
    cw_set_today(0);
    /* rule 14: overdue, it shows in the superior's inbox too */
    long long fresh = cw_student(CW_A, 13, 1, 231);
    wf_start b = {.type = "missing", .student = cw_key(fresh), REASON};
    long long on_time = cw_start_ok(CW_REG_A, &b);
    core_request *v;
    int n = 0;
    app_err le = {0};
    int lrc = cw_list(CW_CHANGSHA, "todo", NULL, NULL, &v, &n, &le);
    cw_ok(lrc, &le);
    ck_assert(has(v, n, rid));
    ck_assert(!has(v, n, on_time));
    lrc = cw_list(CW_FURONG, "todo", NULL, NULL, &v, &n, &le);
    cw_ok(lrc, &le);
    ck_assert(has(v, n, rid));
    ck_assert(has(v, n, on_time));
    app_err err = {0};
    int rc = cw_act(CW_HUNAN, rid, "approve", 1, NULL, &err);
    cw_fails(rc, &err, APP_EFORBIDDEN, "not_step_holder"); /* not the one escalated to */
    core_request q;
    cw_act_ok(CW_CHANGSHA, rid, "approve", 1, &q);
    ck_assert_str_eq(q.state, "approved");
    ck_assert_int_eq(q.steps[0].forced, 1);
    ck_assert_str_eq(cw_state(s), "missing");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM request_action WHERE request_id = %lld"
                              " AND action = 'forced_approve' AND actor_org = '430100'",
                              rid),
                     1);
}
END_TEST

START_TEST(test_revert)
{
    long long s = cw_student(CW_A, 13, 1, 240);
    wf_start a = {.type = "go_abroad", .student = cw_key(s), REASON};
    core_request q = through_chain(CW_REG_A, &a, STEPS("430102"));
    app_err err = {0};
    int rc = cw_revert(CW_REG_A, q.id, NULL, &err);
    cw_fails(rc, &err, APP_EFORBIDDEN, "forbidden");
    app_err e2 = {0};
    rc = cw_revert(CW_TIANXIN, q.id, NULL, &e2);
    ck_assert_int_ne(rc, 0);
    core_request r;
    app_err e3 = {0};
    rc = cw_revert(CW_CHANGSHA, q.id, &r, &e3);
    cw_ok(rc, &e3);
    ck_assert_str_eq(r.state, "reverted");
    ck_assert_str_eq(cw_state(s), "enrolled");
    app_err e4 = {0};
    rc = cw_revert(CW_FURONG, q.id, NULL, &e4);
    cw_fails(rc, &e4, APP_EINVAL, "not_revertible");
    /* a later change intervened */
    wf_start b = {.type = "drop_out", .student = cw_key(s), REASON};
    core_request q2 = through_chain(CW_REG_A, &b, STEPS("430102"));
    wf_start c = {.type = "restore", .student = cw_key(s)};
    through_chain(CW_REG_A, &c, STEPS("430102"));
    app_err e5 = {0};
    rc = cw_revert(CW_FURONG, q2.id, NULL, &e5);
    cw_fails(rc, &e5, APP_ECONFLICT, "revert_conflict");
    /* an open request is not revertible */
    wf_start d = {.type = "decease", .student = cw_key(s), REASON};
    long long open = cw_start_ok(CW_REG_A, &d);
    app_err e6 = {0};
    rc = cw_revert(CW_FURONG, open, NULL, &e6);
    cw_fails(rc, &e6, APP_EINVAL, "not_revertible");
}
END_TEST

START_TEST(test_start_refusals)
{
    long long s = cw_student(CW_A, 13, 1, 250);
    core_request q;
    app_err e1 = {0};
    wf_start a = {.type = "resume", .student = cw_key(s)};
    int rc = cw_start(CW_REG_A, &a, &q, &e1);
    cw_fails(rc, &e1, APP_EINVAL, "transition_not_allowed");
    app_err e2 = {0};
    wf_start b = {
        .type = "suspend", .student = cw_key(s), .reason = "病休", .start_date = "2026-11-01"};
    rc = cw_start(CW_REG_A, &b, &q, &e2);
    cw_fails(rc, &e2, APP_EINVAL, NULL);
    cw_has_item(&e2, "/evidence", "evidence_required");
    app_err e3 = {0};
    wf_start c = {.type = "registration", .student = cw_key(s)};
    rc = cw_start(CW_REG_A, &c, &q, &e3);
    cw_fails(rc, &e3, APP_EINVAL, NULL);
    cw_has_item(&e3, "/type", "invalid_request_type");
    app_err e4 = {0};
    wf_start d = {.type = "decease", .student = cw_key(s), REASON};
    rc = cw_start(CW_TEACHER_A, &d, &q, &e4);
    cw_fails(rc, &e4, APP_EFORBIDDEN, "forbidden");
    app_err e5 = {0};
    rc = cw_start(CW_REG_B, &d, &q, &e5);
    cw_fails(rc, &e5, APP_ENOTFOUND, "student_not_found");
    cw_start_ok(CW_REG_A, &d);
    app_err e6 = {0};
    wf_start e = {.type = "go_abroad", .student = cw_key(s), REASON};
    rc = cw_start(CW_REG_A, &e, &q, &e6);
    cw_fails(rc, &e6, APP_ECONFLICT, "student_in_flight");
    app_err e7 = {0};
    long long p = cw_student(CW_A, 13, 1, 251);
    cw_problem_open("wrong_id", p, 0, CW_A, NULL, "430102", "test");
    wf_start f = {.type = "go_abroad", .student = cw_key(p), REASON};
    rc = cw_start(CW_REG_A, &f, &q, &e7);
    cw_fails(rc, &e7, APP_ECONFLICT, "student_has_problem");
}
END_TEST

START_TEST(test_lists)
{
    long long s = cw_student(CW_A, 13, 1, 260);
    wf_start a = {.type = "decease", .student = cw_key(s), REASON};
    long long rid = cw_start_ok(CW_REG_A, &a);
    core_request *v;
    int n = 0;
    app_err err = {0};
    int rc = cw_list(CW_FURONG, "todo", NULL, NULL, &v, &n, &err);
    cw_ok(rc, &err);
    ck_assert(has(v, n, rid));
    rc = cw_list(CW_REG_A, "mine", "open", "decease", &v, &n, &err);
    cw_ok(rc, &err);
    ck_assert(has(v, n, rid));
    rc = cw_list(CW_REG_A, "todo", NULL, NULL, &v, &n, &err);
    cw_ok(rc, &err);
    ck_assert(!has(v, n, rid));
    rc = cw_list(CW_TIANXIN, "all", NULL, NULL, &v, &n, &err);
    cw_ok(rc, &err);
    ck_assert(!has(v, n, rid));
    rc = cw_list(CW_HUNAN, "all", NULL, NULL, &v, &n, &err);
    cw_ok(rc, &err);
    ck_assert(has(v, n, rid));
    rc = cw_list(CW_TEACHER_A, "all", NULL, NULL, &v, &n, &err);
    cw_fails(rc, &err, APP_EFORBIDDEN, "forbidden");
    /* once decided it leaves the holder's todo */
    cw_act_ok(CW_FURONG, rid, "approve", 1, NULL);
    app_err e2 = {0};
    rc = cw_list(CW_FURONG, "todo", NULL, NULL, &v, &n, &e2);
    cw_ok(rc, &e2);
    ck_assert(!has(v, n, rid));
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("workflow-actions-core");
    TCase *tc = tcase_create("actions");
    tcase_add_checked_fixture(tc, cw_setup, cw_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_state_types);
    tcase_add_test(tc, test_grade_change);
    tcase_add_test(tc, test_transfer_chains);
    tcase_add_test(tc, test_transfer_refusals);
    tcase_add_test(tc, test_key_field_change);
    tcase_add_test(tc, test_key_field_change_renumber);
    tcase_add_test(tc, test_key_field_change_to_held_id);
    tcase_add_test(tc, test_batch_transfer_and_revert);
    tcase_add_test(tc, test_batch_transfer_member_items);
    tcase_add_test(tc, test_graduation_primary);
    tcase_add_test(tc, test_graduation_refusals);
    tcase_add_test(tc, test_graduation_senior);
    tcase_add_test(tc, test_members_freed_when_request_ends);
    tcase_add_test(tc, test_last_term_and_suspended);
    tcase_add_test(tc, test_reject_return_resubmit);
    tcase_add_test(tc, test_withdraw);
    tcase_add_test(tc, test_step_already_decided_and_holders);
    tcase_add_test(tc, test_forced_after_deadline);
    tcase_add_test(tc, test_revert);
    tcase_add_test(tc, test_start_refusals);
    tcase_add_test(tc, test_lists);
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
