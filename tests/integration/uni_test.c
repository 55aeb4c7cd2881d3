/*
 * tests/integration/uni_test.c - universities in core/ on a real database
 * (docs/decisions/0032): who manages the structure, what the tables hold
 * (backing class rows of grade 40, U numbers, the state mapping), student
 * accounts, the office look-ups the workflow uses, and a date's term and
 * teaching week. The world is tests/lib/coreworld.h's plus university UNI
 * in 芙蓉区 under 湖南省 (430000) as competent authority.
 */
#include "core/grade.h"
#include "core/uni.h"
#include "core/uni_calendar.h"
#include "core/uni_student.h"
#include "db/school.h"
#include "db/user.h"
#include "tests/lib/coreworld.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNI "4143019901"

static core_actor section_actor = {
    .level = CORE_LEVEL_SCHOOL, .org = UNI, .staff_role = CORE_STAFF_REGISTRAR_SECTION};

/* An op of `a` with the world's services. */
static core_op
op_of(const core_actor *a)
{
    core_op op = *cw_op(CW_MINISTRY);
    op.actor = a;
    return op;
}

static void
setup(void)
{
    cw_setup();
    app_err err = {0};
    db_school s = {.name = "芙蓉理工大学", .category = 41, .system = "63"};
    snprintf(s.code, sizeof(s.code), "%s", UNI);
    snprintf(s.county, sizeof(s.county), "430102");
    snprintf(s.authority, sizeof(s.authority), "430000");
    snprintf(s.province, sizeof(s.province), "430000");
    ck_assert_msg(db_school_insert(cw_db(), &s, NULL, cw_arena(), NULL, &err) == 0, "%s",
                  err.detail);
}

static long long
college(const core_op *op, const char *code, int pe)
{
    core_uni_college_new in = {code, "学院", pe};
    db_uni_college out;
    app_err err = {0};
    int rc = core_uni_college_create(cw_db(), op, UNI, &in, &out, &err);
    ck_assert_msg(rc == 0, "college %s: %s %s", code, err.slug, err.detail);
    return out.id;
}

static long long
major(long long col, const char *code)
{
    core_op op = op_of(&section_actor);
    core_uni_major_new in = {col, code, "专业", "undergraduate", 4};
    db_uni_major out;
    app_err err = {0};
    ck_assert_msg(core_uni_major_create(cw_db(), &op, UNI, &in, &out, &err) == 0, "%s", err.slug);
    return out.id;
}

static db_uni_class
uni_class(long long maj, int cohort, int number)
{
    core_op op = op_of(&section_actor);
    core_uni_class_new in = {.major = maj, .cohort = cohort, .number = number};
    db_uni_class out;
    app_err err = {0};
    ck_assert_msg(core_uni_class_create(cw_db(), &op, UNI, &in, &out, &err) == 0, "%s", err.slug);
    return out;
}

START_TEST(test_who_manages_the_structure)
{
    app_err err = {0};
    core_uni_college_new in = {"01", "数学学院", 0};
    db_uni_college out;
    /* a K-12 registrar and a county (the authority is the province) do not see it */
    ck_assert_int_eq(core_uni_college_create(cw_db(), cw_op(CW_REG_A), UNI, &in, &out, &err),
                     APP_ENOTFOUND);
    ck_assert_str_eq(err.slug, "school_not_found");
    err = (app_err){0};
    ck_assert_int_eq(core_uni_college_create(cw_db(), cw_op(CW_FURONG), UNI, &in, &out, &err),
                     APP_ENOTFOUND);
    /* another office of the university sees it but may not */
    core_actor head = section_actor;
    head.staff_role = CORE_STAFF_REGISTRAR_HEAD;
    core_op hop = op_of(&head);
    err = (app_err){0};
    ck_assert_int_eq(core_uni_college_create(cw_db(), &hop, UNI, &in, &out, &err), APP_EFORBIDDEN);
    /* a K-12 school is no university */
    err = (app_err){0};
    ck_assert_int_eq(core_uni_college_create(cw_db(), cw_op(CW_HUNAN), CW_A, &in, &out, &err),
                     APP_ENOTFOUND);
    ck_assert_str_eq(err.slug, "not_a_university");
    /* the province (its authority) and the registrar section do */
    college(cw_op(CW_HUNAN), "01", 0);
    core_op sop = op_of(&section_actor);
    college(&sop, "09", 1);
    err = (app_err){0};
    in = (core_uni_college_new){"10", "体育二院", 1};
    ck_assert_int_eq(core_uni_college_create(cw_db(), &sop, UNI, &in, &out, &err), APP_ECONFLICT);
    ck_assert_str_eq(err.slug, "pe_college_exists");
    ck_assert_str_eq(err.field, "/is_pe");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM audit WHERE action = 'uni_college_create'"), 2);
}
END_TEST

START_TEST(test_classes_are_backed_by_class_rows)
{
    core_op sop = op_of(&section_actor);
    long long m = major(college(&sop, "01", 0), "070101");
    db_uni_class k1 = uni_class(m, 2025, 1), k2 = uni_class(m, 2025, 2), k3 = uni_class(m, 2026, 1);
    ck_assert_int_eq(k1.seq, 1);
    ck_assert_int_eq(k2.seq, 2);
    ck_assert_int_eq(k3.seq, 3);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM class WHERE school = '" UNI "' AND grade = 40"),
                     3);
    ck_assert_int_eq(
        cw_count("SELECT count(*) FROM class c JOIN uni_class u ON u.id = c.id WHERE u.id = %lld",
                 k2.id),
        1);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM uni_cohort WHERE school = '" UNI "'"), 2);
    /* a major of another university's college is refused */
    app_err err = {0};
    core_uni_major_new in = {999999, "0702", "x", "undergraduate", 4};
    db_uni_major out;
    ck_assert_int_eq(core_uni_major_create(cw_db(), &sop, UNI, &in, &out, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "college_not_found");
}
END_TEST

START_TEST(test_student_record_and_account)
{
    core_op sop = op_of(&section_actor);
    long long c1 = college(&sop, "01", 0);
    db_uni_class k = uni_class(major(c1, "070101"), 2025, 1);
    core_record *rec = cw_record(CW_A, 31, 1, 7);
    core_uni_student_new in = {.student_no = "20250101", .class_id = k.id};
    core_uni_student out;
    app_err err = {0};
    int rc = core_uni_student_create(cw_db(), &sop, UNI, rec, &in, &out, &err);
    ck_assert_msg(rc == 0, "%s %s %s", err.slug, err.field, err.detail);
    long long id = out.base.id;
    ck_assert_str_eq(cw_state(id), "enrolled");
    ck_assert_int_eq(cw_stuno_kind(id), 'U');
    ck_assert_int_eq(cw_grade_of(id), CORE_GRADE_UNIVERSITY);
    ck_assert_str_eq(out.place.st.state, "studying");
    ck_assert_int_eq(out.place.st.college, c1);
    ck_assert_int_eq(out.place.st.entry_date, 20250901);
    ck_assert_int_eq(out.place.st.expected_graduation, 20290701);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM events WHERE student_id = %lld", id), 1);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student_history WHERE student_id = %lld", id),
                     1);

    /* the same 学号 again */
    core_record *rec2 = cw_record(CW_A, 31, 1, 8);
    err = (app_err){0};
    ck_assert_int_eq(core_uni_student_create(cw_db(), &sop, UNI, rec2, &in, &out, &err),
                     APP_ECONFLICT);
    ck_assert_str_eq(err.slug, "student_no_taken");

    /* the account: role student, username = 学号, once */
    long long uid = 0;
    char pw[CORE_PASSWORD_GEN_LEN + 1];
    err = (app_err){0};
    ck_assert_int_eq(core_uni_account_create(cw_db(), &sop, UNI, "20250101", &uid, pw, &err), 0);
    ck_assert_int_eq(
        cw_count("SELECT count(*) FROM app_user WHERE id = %lld AND role = 'student' AND"
                 " student_id = %lld AND username = '20250101' AND must_change_password",
                 uid, id),
        1);
    err = (app_err){0};
    ck_assert_int_eq(core_uni_account_create(cw_db(), &sop, UNI, "20250101", &uid, pw, &err),
                     APP_ECONFLICT);
    ck_assert_str_eq(err.slug, "account_exists");
    err = (app_err){0};
    ck_assert_int_eq(core_uni_account_create(cw_db(), &sop, UNI, "20259999", &uid, pw, &err),
                     APP_ENOTFOUND);

    /* the student reads their record through core_uni_me, and only theirs */
    core_actor me = {.user_id = uid, .org = UNI, .student_id = id};
    core_op mop = op_of(&me);
    core_uni_student got;
    err = (app_err){0};
    ck_assert_int_eq(core_uni_me(cw_db(), &mop, &got, &err), 0);
    ck_assert_str_eq(got.place.st.student_no, "20250101");
    core_student s;
    err = (app_err){0};
    ck_assert_int_eq(core_student_get(cw_db(), &mop, cw_key(id), 0, &s, &err), 0);
    long long other = cw_student(CW_A, 13, 1, 3);
    err = (app_err){0};
    ck_assert_int_eq(core_student_get(cw_db(), &mop, cw_key(other), 0, &s, &err), APP_ENOTFOUND);
}
END_TEST

START_TEST(test_office_holders)
{
    core_op sop = op_of(&section_actor);
    long long c1 = college(&sop, "01", 0), c2 = college(&sop, "02", 0);
    cw_exec("INSERT INTO app_user (username, display_name, role, org, staff_role, college,"
            " password_hash) VALUES ('vd1', 'vd1', 'school', '" UNI "', 'teaching_vice_dean', %lld,"
            " 'x'), ('vd2', 'vd2', 'school', '" UNI "', 'teaching_vice_dean', %lld, 'x'),"
            " ('head', 'head', 'school', '" UNI "', 'registrar_head', NULL, 'x')",
            c1, c2);
    long long ids[CORE_UNI_MAX_HOLDERS];
    int n = 0;
    app_err err = {0};
    ck_assert_int_eq(
        core_uni_office_holders_tx(cw_db(), UNI, CORE_STAFF_TEACHING_VICE_DEAN, c1, ids, &n, &err),
        0);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(cw_scalar("SELECT username FROM app_user WHERE id = %lld", ids[0]), "vd1");
    ck_assert_int_eq(
        core_uni_office_holders_tx(cw_db(), UNI, CORE_STAFF_REGISTRAR_HEAD, c2, ids, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(
        core_uni_office_holders_tx(cw_db(), UNI, CORE_STAFF_TEACHING_VICE_DEAN, 0, ids, &n, &err),
        0);
    ck_assert_int_eq(n, 0);
    /* the database keeps a college-scoped office's college */
    app_err e2 = {0};
    db_res *r = NULL;
    ck_assert_int_ne(db_exec_once(cw_db(),
                                  "INSERT INTO app_user (username, display_name, role, org,"
                                  " staff_role, password_hash) VALUES ('dean0', 'd', 'school',"
                                  " '" UNI "', 'dean', 'x')",
                                  0, NULL, &r, &e2),
                     0);
    db_res_free(r);
}
END_TEST

START_TEST(test_term_and_week)
{
    core_op sop = op_of(&section_actor);
    db_uni_term t;
    app_err err = {0};
    ck_assert_int_eq(core_uni_term_set(cw_db(), &sop, UNI, "2025-2", 20260223, 20, &t, &err), 0);
    ck_assert_int_eq(core_uni_term_set(cw_db(), &sop, UNI, "2026-1", 20260909, 18, &t, &err), 0);
    ck_assert_int_eq(core_uni_term_set(cw_db(), &sop, UNI, "2026-1", 20260907, 20, &t, &err), 0);
    ck_assert_int_eq(t.version, 2);
    int week = 0, found = 0;
    ck_assert_int_eq(core_uni_term_at_tx(cw_db(), &sop, UNI, 20260302, &t, &week, &found, &err), 0);
    ck_assert(found);
    ck_assert_str_eq(t.term, "2025-2");
    ck_assert_int_eq(week, 2);
    ck_assert_int_eq(core_uni_term_at_tx(cw_db(), &sop, UNI, 20261207, &t, &week, &found, &err), 0);
    ck_assert_str_eq(t.term, "2026-1");
    ck_assert_int_eq(week, 14);
    ck_assert_int_eq(core_uni_term_at_tx(cw_db(), &sop, UNI, 20260101, &t, &week, &found, &err), 0);
    ck_assert(!found);
    /* only the registrar section sets it */
    err = (app_err){0};
    ck_assert_int_eq(
        core_uni_term_set(cw_db(), cw_op(CW_HUNAN), UNI, "2027-1", 20270906, 20, &t, &err),
        APP_EFORBIDDEN);
}
END_TEST

int
main(void)
{
    cw_suite_init();
    Suite *s = suite_create("uni");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, cw_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_who_manages_the_structure);
    tcase_add_test(tc, test_classes_are_backed_by_class_rows);
    tcase_add_test(tc, test_student_record_and_account);
    tcase_add_test(tc, test_office_holders);
    tcase_add_test(tc, test_term_and_week);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    cw_suite_done();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
