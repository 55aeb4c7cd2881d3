/*
 * tests/integration/datacheck_test.c - the semester data check and the
 * FAQ's statistics (core/datacheck.h, core/report_faq.h) on a database of
 * each test's own (tests/lib/coreworld.h), without HTTP: exact counts, the
 * required_fields setting that governs the school, who may read and sign,
 * idempotent sign-offs and their audit rows, and the reports' scope.
 */
#include "core/checkin.h"
#include "core/datacheck.h"
#include "core/report_faq.h"
#include "tests/lib/coreworld.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TERM "2026-1"

/* B's three pupils: s[0] with a photo and checked in; s[1] checked in, its
   ethnicity emptied; s[2] in an open suspected duplicate. */
static void
world(long long s[3])
{
    for (int i = 0; i < 3; i++)
        s[i] = cw_student(CW_B, 13, 1, 700 + (unsigned)i);
    app_err e = {0};
    int nv = 0;
    int version = (int)cw_count("SELECT version FROM student WHERE id = %lld", s[0]);
    cw_ok(cw_photo_put(CW_REG_B, s[0], version, &nv, &e), &e);
    cw_exec("UPDATE student SET ethnicity = NULL WHERE id = %lld", s[1]);
    cw_problem_open("suspected_duplicate", s[2], 0, CW_B, NULL, "430102", "test");
    const char *keys[] = {cw_key(s[0]), cw_key(s[1])};
    core_checkin_result cr;
    cw_ok(core_checkin(cw_db(), cw_op(CW_REG_B), CW_B, TERM, keys, 2, &cr, &e), &e);
}

START_TEST(test_counts_and_items)
{
    long long s[3];
    world(s);
    core_datacheck d;
    app_err e = {0};
    cw_ok(core_datacheck_get(cw_db(), cw_op(CW_REG_B), CW_B, TERM, 0, 0, 50, &d, &e), &e);
    ck_assert_int_eq(d.counts.students, 3);
    ck_assert_int_eq(d.counts.with_issues, 2); /* s[0] has none */
    ck_assert_int_eq(d.counts.missing, 1);
    ck_assert_int_eq(d.counts.duplicate, 1);
    ck_assert_int_eq(d.counts.no_photo, 2);
    ck_assert_int_eq(d.counts.not_checked_in, 1);
    ck_assert_int_eq(d.counts.nfields, 1);
    ck_assert_str_eq(core_fields[d.counts.field_index[0]].json, "ethnicity");
    ck_assert_int_eq(d.nitems, 2);
    ck_assert_int_eq(d.items[0].id, s[1]);
    ck_assert_uint_eq(d.items[0].issues, DB_DC_MISSING | DB_DC_NO_PHOTO);
    ck_assert_uint_eq(d.items[1].issues, DB_DC_DUPLICATE | DB_DC_NO_PHOTO | DB_DC_NOT_IN);
    ck_assert_ptr_null(d.signoff);

    /* the other side of a duplicate counts too; a resolved one does not */
    long long other = cw_student(CW_A, 13, 1, 710);
    cw_exec("UPDATE problem SET other_student_id = %lld, other_school = '" CW_B "',"
            " student_id = %lld, school = '" CW_A "' WHERE student_id = %lld",
            s[2], other, s[2]);
    cw_ok(core_datacheck_get(cw_db(), cw_op(CW_FURONG), CW_B, TERM, DB_DC_DUPLICATE, 0, 50, &d, &e),
          &e);
    ck_assert_int_eq(d.counts.duplicate, 1);
    ck_assert_int_eq(d.nitems, 1);
    ck_assert_int_eq(d.items[0].id, s[2]);
    cw_exec("UPDATE problem SET state = 'resolved'");
    cw_ok(core_datacheck_get(cw_db(), cw_op(CW_FURONG), CW_B, TERM, 0, 0, 50, &d, &e), &e);
    ck_assert_int_eq(d.counts.duplicate, 0);

    /* a suspended pupil is checked but need not check in; a withdrawn one is not checked */
    cw_exec("UPDATE student SET state = 'suspended' WHERE id = %lld", s[2]);
    cw_ok(core_datacheck_get(cw_db(), cw_op(CW_FURONG), CW_B, TERM, 0, 0, 50, &d, &e), &e);
    ck_assert_int_eq(d.counts.students, 3);
    ck_assert_int_eq(d.counts.not_checked_in, 0);
    cw_exec("UPDATE student SET state = 'withdrawn' WHERE id = %lld", s[2]);
    cw_ok(core_datacheck_get(cw_db(), cw_op(CW_FURONG), CW_B, TERM, 0, 0, 50, &d, &e), &e);
    ck_assert_int_eq(d.counts.students, 2);
}
END_TEST

/* The required fields are those of the setting that governs the school. */
START_TEST(test_required_fields_setting)
{
    long long s[3];
    world(s);
    cw_exec("INSERT INTO region_settings (region, settings) VALUES ('430102',"
            " '{\"required_fields\": [\"name\", \"specialty\", \"family\", \"id_number\"]}')");
    core_datacheck d;
    app_err e = {0};
    cw_ok(core_datacheck_get(cw_db(), cw_op(CW_FURONG), CW_B, TERM, DB_DC_MISSING, 0, 50, &d, &e),
          &e);
    ck_assert_int_eq(d.counts.missing,
                     3); /* nobody has a specialty; ethnicity is no longer required */
    ck_assert_int_eq(d.counts.nfields, 1);
    ck_assert_str_eq(core_fields[d.counts.field_index[0]].json, "specialty");
    /* family: member 1's phone (ciphertext) emptied */
    cw_exec("UPDATE student SET f1_phone_enc = NULL WHERE id = %lld", s[0]);
    cw_ok(core_datacheck_get(cw_db(), cw_op(CW_FURONG), CW_B, TERM, DB_DC_MISSING, 0, 50, &d, &e),
          &e);
    ck_assert_int_eq(d.counts.nfields, 2);
    ck_assert_int_eq(d.items[0].id, s[0]);
    ck_assert_int_eq(d.items[0].nmissing, 2);
}
END_TEST

START_TEST(test_readers)
{
    core_datacheck d;
    app_err e = {0};
    int rc = core_datacheck_get(cw_db(), cw_op(CW_TEACHER_A), CW_A, TERM, 0, 0, 50, &d, &e);
    cw_fails(rc, &e, APP_EFORBIDDEN, "forbidden");
    app_err e2 = {0};
    rc = core_datacheck_get(cw_db(), cw_op(CW_REG_A), CW_B, TERM, 0, 0, 50, &d, &e2);
    cw_fails(rc, &e2, APP_ENOTFOUND, "school_not_found");
    app_err e3 = {0};
    rc = core_datacheck_get(cw_db(), cw_op(CW_TIANXIN), CW_D, TERM, 0, 0, 50, &d, &e3);
    cw_fails(rc, &e3, APP_ENOTFOUND, "school_not_found");
    app_err e4 = {0};
    cw_ok(core_datacheck_get(cw_db(), cw_op(CW_CHANGSHA), CW_D, TERM, 0, 0, 50, &d, &e4), &e4);
}
END_TEST

START_TEST(test_sign_offs)
{
    long long s[3];
    world(s);
    db_dc_signoff so;
    int fresh = 0;
    app_err e = {0};
    int rc = core_datacheck_sign_school(cw_db(), cw_op(CW_FURONG), CW_B, TERM, &so, &fresh, &e);
    cw_fails(rc, &e, APP_EFORBIDDEN, "forbidden");
    app_err e1 = {0};
    rc = core_datacheck_sign_school(cw_db(), cw_op(CW_REG_X), CW_X, TERM, &so, &fresh, &e1);
    cw_fails(rc, &e1, APP_ESTATE, "school_closed");
    app_err e2 = {0};
    cw_ok(core_datacheck_sign_school(cw_db(), cw_op(CW_REG_B), CW_B, TERM, &so, &fresh, &e2), &e2);
    ck_assert_int_eq(fresh, 1);
    ck_assert_str_eq(so.level, "school");
    ck_assert_ptr_nonnull(strstr(so.counts, "\"with_issues\": 2"));
    char at[40];
    snprintf(at, sizeof(at), "%s", so.at);
    cw_ok(core_datacheck_sign_school(cw_db(), cw_op(CW_REG_B), CW_B, TERM, &so, &fresh, &e2), &e2);
    ck_assert_int_eq(fresh, 0);
    ck_assert_str_eq(so.at, at);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM audit WHERE action = 'data_check.sign_off'"),
                     1);

    /* the county signs its schools: A, B and H are its own (D is the city's, X closed) */
    db_dc_authority_result ar;
    app_err e3 = {0};
    rc = core_datacheck_sign_region(cw_db(), cw_op(CW_CHANGSHA), "430102", TERM, &ar, &e3);
    cw_fails(rc, &e3, APP_EFORBIDDEN, "forbidden");
    app_err e4 = {0};
    rc = core_datacheck_sign_region(cw_db(), cw_op(CW_JIANGXI), "430102", TERM, &ar, &e4);
    cw_fails(rc, &e4, APP_ENOTFOUND, "region_not_found");
    app_err e5 = {0};
    rc = core_datacheck_sign_region(cw_db(), cw_op(CW_REG_B), "430102", TERM, &ar, &e5);
    cw_fails(rc, &e5, APP_EFORBIDDEN, "forbidden");
    app_err e6 = {0};
    cw_ok(core_datacheck_sign_region(cw_db(), cw_op(CW_FURONG), "430102", TERM, &ar, &e6), &e6);
    ck_assert_int_eq(ar.schools, 3);
    ck_assert_int_eq(ar.signed_now, 1);
    ck_assert_int_eq(ar.already, 0);
    ck_assert_int_eq(ar.pending, 2);
    cw_ok(core_datacheck_sign_region(cw_db(), cw_op(CW_FURONG), "430102", TERM, &ar, &e6), &e6);
    ck_assert_int_eq(ar.signed_now, 0);
    ck_assert_int_eq(ar.already, 1);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM audit WHERE action = 'data_check.approve'"), 1);
    /* another term is another check */
    core_datacheck d;
    cw_ok(core_datacheck_get(cw_db(), cw_op(CW_FURONG), CW_B, "2026-2", 0, 0, 50, &d, &e6), &e6);
    ck_assert_ptr_null(d.signoff);
    cw_ok(core_datacheck_get(cw_db(), cw_op(CW_FURONG), CW_B, TERM, 0, 0, 50, &d, &e6), &e6);
    ck_assert_ptr_nonnull(d.signoff);
    ck_assert_str_eq(d.approval->org, "430102");

    /* the city's report: every open school it governs, by code */
    db_dc_region_counts k;
    db_dc_school_row *rows;
    int n = 0, more = 0;
    cw_ok(core_datacheck_region(cw_db(), cw_op(CW_CHANGSHA), "430100", TERM, 0, "", 50, &k, &rows,
                                &n, &more, &e6),
          &e6);
    ck_assert_int_eq(k.schools, 5); /* A, B, C, D, H */
    ck_assert_int_eq(k.school_signed, 1);
    ck_assert_int_eq(k.authority_signed, 1);
    cw_ok(core_datacheck_region(cw_db(), cw_op(CW_CHANGSHA), "430100", TERM, 1, "", 2, &k, &rows,
                                &n, &more, &e6),
          &e6);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(more, 1);
    ck_assert_str_eq(rows[0].code, CW_A);
    cw_ok(core_datacheck_region(cw_db(), cw_op(CW_CHANGSHA), "430100", TERM, 1, rows[1].code, 50,
                                &k, &rows, &n, &more, &e6),
          &e6);
    ck_assert_int_eq(n, 2); /* D, H: B has signed */
    ck_assert_int_eq(more, 0);
    app_err e7 = {0};
    rc = core_datacheck_region(cw_db(), cw_op(CW_TIANXIN), "430102", TERM, 0, "", 50, &k, &rows, &n,
                               &more, &e7);
    cw_fails(rc, &e7, APP_ENOTFOUND, "region_not_found");
}
END_TEST

START_TEST(test_reports)
{
    long long a[3], c = cw_student(CW_C, 13, 1, 730);
    for (int i = 0; i < 3; i++)
        a[i] = cw_student(CW_A, i < 2 ? 13 : 14, 1, 720 + (unsigned)i);
    cw_exec("UPDATE student SET study_mode = '2', left_behind = '2', hukou_region = '430103000000'"
            " WHERE id = %lld",
            a[0]);
    cw_exec("UPDATE student SET migrant_child = '1', hukou_region = '360102000000' WHERE id = %lld",
            a[1]);
    cw_exec("UPDATE student SET hukou_region = NULL WHERE id = %lld", a[2]);
    (void)c;
    core_stats_report st;
    app_err e = {0};
    cw_ok(core_report_school_stats(cw_db(), cw_op(CW_FURONG), NULL, NULL, DB_STATS_CLASS, &st, &e),
          &e);
    ck_assert_int_eq(st.nrows, 2); /* A 13-1, A 14-1; C is another county's */
    ck_assert_str_eq(st.rows[0].school, CW_A);
    ck_assert_int_eq(st.rows[0].grade, 13);
    ck_assert_int_eq(st.rows[0].total, 2);
    ck_assert_int_eq(st.rows[0].boarders, 1);
    ck_assert_int_eq(st.rows[0].left_behind, 1);
    ck_assert_int_eq(st.rows[0].migrant, 1);
    ck_assert_int_eq(st.total.total, 3);
    cw_ok(
        core_report_school_stats(cw_db(), cw_op(CW_CHANGSHA), NULL, NULL, DB_STATS_SCHOOL, &st, &e),
        &e);
    ck_assert_int_eq(st.nrows, 2); /* A and C */
    app_err e2 = {0};
    int rc =
        core_report_school_stats(cw_db(), cw_op(CW_FURONG), NULL, CW_C, DB_STATS_CLASS, &st, &e2);
    cw_fails(rc, &e2, APP_ENOTFOUND, "school_not_found");
    app_err e3 = {0};
    rc = core_report_school_stats(cw_db(), cw_op(CW_TEACHER_A), NULL, NULL, DB_STATS_CLASS, &st,
                                  &e3);
    cw_fails(rc, &e3, APP_EFORBIDDEN, "forbidden");

    core_nonlocal_report nl;
    cw_ok(core_report_nonlocal(cw_db(), cw_op(CW_REG_A), NULL, CORE_STAGE_PRIMARY, &nl, &e), &e);
    ck_assert_int_eq(nl.nrows, 1);
    ck_assert_int_eq(nl.rows[0].total, 3);
    ck_assert_int_eq(nl.rows[0].local, 0);
    ck_assert_int_eq(nl.rows[0].other_county, 1);
    ck_assert_int_eq(nl.rows[0].other_province, 1);
    ck_assert_int_eq(nl.rows[0].unknown, 1);
    cw_ok(core_report_nonlocal(cw_db(), cw_op(CW_HUNAN), "430103", CORE_STAGE_PRIMARY, &nl, &e),
          &e);
    ck_assert_int_eq(nl.nrows, 1);
    ck_assert_str_eq(nl.rows[0].school, CW_C);
    ck_assert_int_eq(nl.rows[0].local, 1); /* cw_record: a household in the school's county */
    cw_ok(core_report_nonlocal(cw_db(), cw_op(CW_HUNAN), NULL, CORE_STAGE_SENIOR, &nl, &e), &e);
    ck_assert_int_eq(nl.nrows, 0);
    app_err e4 = {0};
    rc = core_report_nonlocal(cw_db(), cw_op(CW_JIANGXI), "430102", CORE_STAGE_PRIMARY, &nl, &e4);
    cw_fails(rc, &e4, APP_ENOTFOUND, "region_not_found");
}
END_TEST

START_TEST(test_term)
{
    ck_assert(core_term_valid("2026-1"));
    ck_assert(core_term_valid("1999-2"));
    ck_assert(!core_term_valid("2026-3"));
    ck_assert(!core_term_valid("2026-0"));
    ck_assert(!core_term_valid("0026-1"));
    ck_assert(!core_term_valid("2026-12"));
    ck_assert(!core_term_valid("2026"));
    ck_assert(!core_term_valid(NULL));
    ck_assert_uint_eq(core_datacheck_issue("no_photo", 8), DB_DC_NO_PHOTO);
    ck_assert_uint_eq(core_datacheck_issue("no_phot", 7), 0);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("datacheck-core");
    TCase *tc = tcase_create("datacheck");
    tcase_add_checked_fixture(tc, cw_setup, cw_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_counts_and_items);
    tcase_add_test(tc, test_required_fields_setting);
    tcase_add_test(tc, test_readers);
    tcase_add_test(tc, test_sign_offs);
    tcase_add_test(tc, test_reports);
    tcase_add_test(tc, test_term);
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
