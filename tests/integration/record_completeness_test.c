/*
 * tests/integration/record_completeness_test.c - the record's completeness
 * rules of issue 15 (docs/decisions/0030) through core/ and workflow/ on a
 * real PostgreSQL:
 *   - 复读生: a pupil who graduated (or completed) a compulsory stage is not
 *     registered into that stage again (409 compulsory_repeater); another
 *     stage still meets the former record (student_has_record);
 *   - key-field changes are revertible: the old values sealed at approval
 *     come back, with the duplicate check on them and both entries in the
 *     history;
 *   - a transfer done on paper first carries its effective_date (past,
 *     within transfer_backdate_days, with evidence) into the history;
 *   - a registration names two family members unless the province's
 *     family_members_required is 1;
 *   - rewards and punishments: added by the school, checked, in history
 *     and the export's cell, removed only by an approved reward_removal.
 */
#include "core/pii.h"
#include "core/reward.h"
#include "core/settings.h"
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

/* A key_field_change of `student` (of school A) approved: its request. */
static core_request
key_change(long long student, int field, const char *value, int renumber)
{
    long long ev = cw_file(CW_A);
    wf_start a = {.type = "key_field_change",
                  .student = cw_key(student),
                  .evidence = &ev,
                  .nevidence = 1,
                  .renumber = renumber};
    a.changes.v[field] = value;
    a.present[field] = 1;
    long long rid = cw_start_ok(CW_REG_A, &a);
    core_request q;
    cw_approve_all(rid, &q);
    ck_assert_str_eq(q.state, "approved");
    return q;
}

START_TEST(test_key_field_change_is_reverted_with_both_entries_in_history)
{
    core_record *r = cw_record(CW_A, 13, 1, 730);
    long long s = cw_enrol(CW_REG_A, cw_copy(r));
    const char *name = r->v[CORE_R_NAME];
    core_request q = key_change(s, CORE_R_NAME, "欧阳新名", 0);
    ck_assert_str_eq(cw_scalar("SELECT name FROM student WHERE id = %lld", s), "欧阳新名");
    /* the old value is kept sealed, not in clear */
    ck_assert_ptr_nonnull(q.applied_json);
    ck_assert_ptr_null(strstr(q.applied_json, name));
    core_request back;
    app_err err = {0};
    int rc = cw_revert(CW_FURONG, q.id, &back, &err);
    cw_ok(rc, &err);
    ck_assert_str_eq(back.state, "reverted");
    ck_assert_str_eq(cw_scalar("SELECT name FROM student WHERE id = %lld", s), name);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_history WHERE student_id = %lld"
                              " AND request_id = %lld AND kind = 'key_field_change'",
                              s, q.id),
                     1);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_history WHERE student_id = %lld"
                              " AND request_id = %lld AND kind = 'revert'"
                              " AND changes @> '[{\"field\": \"/name\"}]'",
                              s, q.id),
                     1);
    /* once only */
    rc = cw_revert(CW_FURONG, q.id, NULL, &err);
    cw_fails(rc, &err, APP_EINVAL, "not_revertible");
}
END_TEST

START_TEST(test_key_revert_meets_the_duplicate_check)
{
    core_record *r = cw_record(CW_A, 13, 1, 740);
    long long x = cw_enrol(CW_REG_A, cw_copy(r));
    core_request q = key_change(x, CORE_R_ID_NUMBER, cw_new_id(r, CW_A), 1);
    /* the old identity (and its G number) is free: another school enrols it */
    core_record *again = cw_copy(r);
    again->v[CORE_R_NAME] = "司马另名"; /* not a look-alike of x */
    long long y = cw_enrol(CW_REG_B, again);
    ck_assert_int_ne(x, y);
    long long before = cw_count("SELECT count(*) FROM student_history WHERE student_id = %lld", x);
    app_err err = {0};
    int rc = cw_revert(CW_FURONG, q.id, NULL, &err);
    cw_fails(rc, &err, APP_ECONFLICT, "duplicate_enrolled");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_history WHERE student_id = %lld", x),
                     before);
    core_request now;
    app_err e2 = {0};
    cw_ok(cw_get(CW_FURONG, q.id, &now, &e2), &e2);
    ck_assert_str_eq(now.state, "approved");
}
END_TEST

START_TEST(test_key_revert_after_a_later_change_conflicts)
{
    long long s = cw_student(CW_A, 13, 1, 750);
    core_request first = key_change(s, CORE_R_NAME, "欧阳一名", 0);
    key_change(s, CORE_R_NAME, "欧阳二名", 0);
    app_err err = {0};
    int rc = cw_revert(CW_FURONG, first.id, NULL, &err);
    cw_fails(rc, &err, APP_ECONFLICT, "revert_conflict");
    ck_assert_str_eq(cw_scalar("SELECT name FROM student WHERE id = %lld", s), "欧阳二名");
    /* a school does not revert (rule 18) */
    app_err e2 = {0};
    core_request second;
    ck_assert_int_gt(cw_count("SELECT max(id) FROM request WHERE student_id = %lld", s), 0);
    long long last = cw_count("SELECT max(id) FROM request WHERE student_id = %lld", s);
    rc = cw_revert(CW_REG_A, last, &second, &e2);
    ck_assert_int_ne(rc, 0);
}
END_TEST

/* A date `days` before the op's today, YYYY-MM-DD, in the arena. */
static const char *
days_ago(int days)
{
    int ymd = core_ymd_of_days(core_days_of(cw_today()) - days);
    return app_arena_printf(cw_arena(), "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* A transfer of `student` (of A) to B dated `effective`, with or without evidence. */
static int
transfer(long long student, const char *effective, int evidence, core_request *out, app_err *err)
{
    long long ev = cw_file(CW_B);
    wf_start a = {.type = "transfer",
                  .student = cw_number(student),
                  .to_school = CW_B,
                  .effective_date = effective,
                  .evidence = evidence ? &ev : NULL,
                  .nevidence = evidence ? 1 : 0};
    return cw_start(CW_REG_B, &a, out, err);
}

START_TEST(test_offline_transfer_keeps_its_real_date_in_history)
{
    cw_set_today(20261207);
    long long s = cw_student(CW_A, 13, 1, 760);
    const char *when = days_ago(30);
    core_request q;
    app_err err = {0};
    int rc = transfer(s, when, 1, &q, &err);
    cw_ok(rc, &err);
    cw_approve_all(q.id, &q);
    ck_assert_str_eq(q.state, "approved");
    ck_assert_str_eq(cw_school_of(s), CW_B);
    /* the entry keeps both dates: effective_date and when it was recorded */
    ck_assert_str_eq(cw_scalar("SELECT effective_date::text FROM student_history"
                               " WHERE student_id = %lld AND kind = 'transfer'",
                               s),
                     when);
    ck_assert_str_eq(cw_scalar("SELECT (at AT TIME ZONE 'Asia/Shanghai')::date::text"
                               " FROM student_history WHERE student_id = %lld"
                               " AND kind = 'transfer'",
                               s),
                     cw_scalar("SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date::text"));
    /* a transfer without a date keeps none */
    long long t = cw_student(CW_A, 13, 1, 761);
    cw_ok(transfer(t, NULL, 0, &q, &err), &err);
    cw_approve_all(q.id, &q);
    ck_assert_str_eq(cw_scalar("SELECT coalesce(effective_date::text, '-') FROM student_history"
                               " WHERE student_id = %lld AND kind = 'transfer'",
                               t),
                     "-");
}
END_TEST

START_TEST(test_offline_transfer_date_limits_and_evidence)
{
    cw_set_today(20261207);
    long long s = cw_student(CW_A, 13, 1, 770);
    core_request q;
    long long nreq = cw_count("SELECT count(*) FROM request");
    /* a date needs evidence */
    app_err e1 = {0};
    int rc = transfer(s, days_ago(10), 0, &q, &e1);
    cw_fails(rc, &e1, APP_EINVAL, NULL);
    cw_has_item(&e1, "/evidence", "evidence_required");
    /* not in the future */
    app_err e2 = {0};
    rc = transfer(s, days_ago(-1), 1, &q, &e2);
    cw_fails(rc, &e2, APP_EINVAL, NULL);
    cw_has_item(&e2, "/payload/effective_date", "invalid_date");
    /* not before the default limit of 90 days */
    app_err e3 = {0};
    rc = transfer(s, days_ago(91), 1, &q, &e3);
    cw_fails(rc, &e3, APP_EINVAL, NULL);
    cw_has_item(&e3, "/payload/effective_date", "effective_date_too_old");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM request"), nreq);
    /* the province sets its own limit */
    cw_exec("INSERT INTO region_settings (region, settings) VALUES ('430000',"
            " '{\"transfer_backdate_days\": 120}')");
    app_err e4 = {0};
    cw_ok(transfer(s, days_ago(91), 1, &q, &e4), &e4);
}
END_TEST

START_TEST(test_registration_needs_two_family_members_unless_relaxed)
{
    core_record *r = cw_record(CW_A, 13, 1, 780);
    for (int k = 0; k < CORE_FAMILY_FIELDS; k++)
        r->v[CORE_R_F2 + k] = NULL;
    core_student s;
    core_request q;
    app_err err = {0};
    long long before = cw_count("SELECT count(*) FROM student");
    int rc = cw_register(CW_REG_A, cw_copy(r), &s, &q, NULL, &err);
    cw_fails(rc, &err, APP_EINVAL, NULL);
    cw_has_item(&err, "/family/1/name", "family_member_required");
    cw_has_item(&err, "/family/1/relation", "family_member_required");
    cw_has_item(&err, "/family/1/phone", "family_member_required");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student"), before);
    /* an orphan's second member is a teacher: relation 9 (其他) */
    core_record *t = cw_copy(r);
    t->v[CORE_R_F2 + CORE_M_NAME] = "李老师";
    t->v[CORE_R_F2 + CORE_M_RELATION] = "9";
    t->v[CORE_R_F2 + CORE_M_PHONE] = "13900001234";
    app_err e2 = {0};
    cw_ok(cw_register(CW_REG_A, t, &s, &q, NULL, &e2), &e2);
    /* a province that relaxes it takes one member */
    cw_exec("INSERT INTO region_settings (region, settings) VALUES ('430000',"
            " '{\"family_members_required\": 1}')");
    core_record *one = cw_record(CW_A, 13, 1, 781);
    for (int k = 0; k < CORE_FAMILY_FIELDS; k++)
        one->v[CORE_R_F2 + k] = NULL;
    app_err e3 = {0};
    cw_ok(cw_register(CW_REG_A, one, &s, &q, NULL, &e3), &e3);
}
END_TEST

/* Add an entry to `student` of A as A's registrar. */
static int
reward_add(long long student, const char *kind, const char *date, db_reward *out, app_err *err)
{
    core_reward_in in = {kind, date, "长沙市芙蓉区教育局", "市级三好学生"};
    return core_reward_add(cw_db(), cw_op(CW_REG_A), cw_key(student), &in, out, err);
}

START_TEST(test_reward_added_listed_in_history_and_removed_by_request)
{
    cw_set_today(20261207);
    long long s = cw_student(CW_A, 13, 1, 790);
    db_reward r;
    app_err err = {0};
    cw_ok(reward_add(s, "13", "2026-11-20", &r, &err), &err);
    ck_assert_int_gt(r.id, 0);
    ck_assert_str_eq(r.kind, "13");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_history WHERE student_id = %lld"
                              " AND kind = 'reward'",
                              s),
                     1);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM events WHERE student_id = %lld"
                              " AND type = 'student.reward_added'",
                              s),
                     1);
    /* the county sees it too */
    db_reward *v;
    int n = 0;
    cw_ok(core_reward_list(cw_db(), cw_op(CW_FURONG), cw_key(s), &v, &n, &err), &err);
    ck_assert_int_eq(n, 1);
    /* the export's cell */
    const char *cell = NULL;
    cw_ok(core_reward_cells(cw_db(), cw_op(CW_REG_A)->env->codes, &s, 1, cw_arena(), &cell, &err),
          &err);
    ck_assert_ptr_nonnull(cell);
    ck_assert_ptr_nonnull(strstr(cell, "市级表彰奖励"));
    /* removal: a request to the competent authority */
    wf_start a = {.type = "reward_removal",
                  .student = cw_key(s),
                  .payload_json = app_arena_printf(
                      cw_arena(), "{\"reward\": %lld, \"reason\": \"误录\"}", r.id)};
    long long rid = cw_start_ok(CW_REG_A, &a);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_reward WHERE removed_at IS NULL"), 1);
    core_request q;
    cw_approve_all(rid, &q);
    ck_assert_str_eq(q.state, "approved");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_reward WHERE id = %lld"
                              " AND removed_by = %lld",
                              r.id, rid),
                     1);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_history WHERE student_id = %lld"
                              " AND kind = 'reward_removal' AND request_id = %lld",
                              s, rid),
                     1);
    cw_ok(core_reward_cells(cw_db(), cw_op(CW_REG_A)->env->codes, &s, 1, cw_arena(), &cell, &err),
          &err);
    ck_assert_ptr_null(cell);
    /* the removed entry cannot be removed again */
    app_err e2 = {0};
    core_request q2;
    int rc = cw_start(CW_REG_A, &a, &q2, &e2);
    cw_fails(rc, &e2, APP_EINVAL, NULL);
    cw_has_item(&e2, "/payload/reward", "reward_not_found");
}
END_TEST

START_TEST(test_reward_input_and_who_may_add)
{
    cw_set_today(20261207);
    long long s = cw_student(CW_A, 13, 1, 800);
    db_reward r;
    long long before = cw_count("SELECT count(*) FROM student_reward");
    app_err e1 = {0};
    cw_fails(reward_add(s, "77", "2026-11-20", &r, &e1), &e1, APP_EINVAL, NULL);
    cw_has_item(&e1, "/kind", "invalid_code");
    app_err e2 = {0};
    cw_fails(reward_add(s, "21", "2026-12-08", &r, &e2), &e2, APP_EINVAL, NULL);
    cw_has_item(&e2, "/date", "invalid_date");
    /* no expulsion in the compulsory stage */
    app_err e3 = {0};
    cw_fails(reward_add(s, "25", "2026-11-20", &r, &e3), &e3, APP_EINVAL, NULL);
    cw_has_item(&e3, "/kind", "expulsion_not_compulsory");
    /* a bureau does not add entries; another school does not see the pupil */
    core_reward_in in = {"21", "2026-11-20", "学校", "违纪"};
    app_err e4 = {0};
    cw_fails(core_reward_add(cw_db(), cw_op(CW_FURONG), cw_key(s), &in, &r, &e4), &e4,
             APP_EFORBIDDEN, "forbidden");
    app_err e5 = {0};
    int rc = core_reward_add(cw_db(), cw_op(CW_REG_B), cw_key(s), &in, &r, &e5);
    ck_assert_int_ne(rc, 0);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_reward"), before);
    /* a senior pupil may be expelled */
    long long h = cw_student(CW_H, 31, 1, 801);
    core_reward_in ex = {"25", "2026-11-20", "长沙市第一中学", "严重违纪"};
    app_err e6 = {0};
    cw_ok(core_reward_add(cw_db(), cw_op(CW_REG_H), cw_key(h), &ex, &r, &e6), &e6);
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
    tcase_add_test(tc, test_key_field_change_is_reverted_with_both_entries_in_history);
    tcase_add_test(tc, test_key_revert_meets_the_duplicate_check);
    tcase_add_test(tc, test_key_revert_after_a_later_change_conflicts);
    tcase_add_test(tc, test_offline_transfer_keeps_its_real_date_in_history);
    tcase_add_test(tc, test_offline_transfer_date_limits_and_evidence);
    tcase_add_test(tc, test_registration_needs_two_family_members_unless_relaxed);
    tcase_add_test(tc, test_reward_added_listed_in_history_and_removed_by_request);
    tcase_add_test(tc, test_reward_input_and_who_may_add);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    cw_suite_done();
    return failed == 0 ? 0 : 1;
}
