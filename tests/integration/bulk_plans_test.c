/*
 * tests/integration/bulk_plans_test.c - the look-ups of db/bulk.h are planned
 * for each batch, never from a generic plan cached while the table was small.
 *
 * An import into a new (empty) database ran its look-ups as prepared
 * statements: after five batches PostgreSQL kept the generic plan made for an
 * empty student table (a hash join over the whole table) while the import
 * filled it, and on 100,000 rows the look-ups took 14 of the 31 s of
 * statements (bench/README.md, "Imports").
 */
#include "db/bulk.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/school.h"
#include "tests/lib/dbtest.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#define SCHOOL "2141010201"
#define RUNS 8 /* more than the five custom plans before a generic one */

static db_conn *conn;
static app_arena *arena;

static void
setup(void)
{
    conn = dbt_create_migrated("xueji_bulk_plans");
    app_err err = {0};
    int applied = 0;
    ck_assert_msg(db_migrate(conn, &applied, &err) == 0, "migrate: %s", err.detail);
    arena = app_arena_new();
    db_school s = {.code = SCHOOL,
                   .name = "建设路第一小学",
                   .county = "410102",
                   .authority = "410102",
                   .province = "410000",
                   .category = 21,
                   .system = "63"};
    ck_assert_msg(db_school_insert(conn, &s, NULL, arena, NULL, &err) == 0, "school: %s",
                  err.detail);
    /* a class with a size limit: its students are counted */
    db_class k = {
        .school = SCHOOL, .grade = 13, .number = 1, .name = "三年级(1)班", .size_limit = 45};
    db_class out;
    ck_assert_msg(db_class_insert(conn, &k, NULL, arena, &out, &err) == 0, "class: %s", err.detail);
}

static void
teardown(void)
{
    app_arena_free(arena);
    dbt_drop(conn);
}

/* Every look-up of a registration batch, once, on an empty student table. */
static void
one_batch(int k)
{
    app_err err = {0};
    char bidx[80];
    snprintf(bidx, sizeof(bidx), "\\x%064d", k);
    const char *b[] = {bidx};
    const char *type[] = {"1"};
    int row[] = {0};
    unsigned char taken[1];
    db_holder *h = NULL;
    int nh = -1;
    ck_assert_msg(db_begin(conn, &err) == 0, "%s", err.detail);
    ck_assert_msg(db_identities_lock(conn, b, 1, &err) == 0, "locks: %s", err.detail);
    ck_assert_msg(db_holders_find(conn, 1, row, type, b, arena, &h, &nh, &err) == 0, "holders: %s",
                  err.detail);
    ck_assert_int_eq(nh, 0);
    ck_assert_msg(db_stuno_holders_find(conn, 1, row, b, arena, &h, &nh, &err) == 0,
                  "stuno holders: %s", err.detail);
    ck_assert_int_eq(nh, 0);
    ck_assert_msg(db_stunos_taken(conn, b, 1, taken, &err) == 0, "taken: %s", err.detail);
    ck_assert_int_eq(taken[0], 0);
    db_class_slot v[1] = {{.grade = 13, .number = 1}};
    ck_assert_msg(db_classes_lock(conn, SCHOOL, v, 1, &err) == 0, "classes: %s", err.detail);
    ck_assert_int_gt(v[0].id, 0);
    ck_assert_int_eq(v[0].count, 0);
    long long id = 1;
    const char *name[] = {"王小明"}, *gender[] = {"1"}, *birth[] = {"2016-03-01"};
    db_similar *sim = NULL;
    int nsim = -1;
    ck_assert_msg(db_similar_find_many(conn, "410000", 1, &id, name, gender, birth, arena, &sim,
                                       &nsim, &err) == 0,
                  "similar: %s", err.detail);
    ck_assert_int_eq(nsim, 0);
    db_rollback(conn);
}

START_TEST(test_lookups_never_run_a_generic_plan)
{
    for (int k = 0; k < RUNS; k++)
        one_batch(k);
    /* on this connection: no look-up of db/bulk.c ran from a cached generic plan
       (the id draw, a plain nextval, may) */
    app_err err = {0};
    db_res *r = NULL;
    ck_assert_msg(db_exec_once(conn,
                               "SELECT count(*), coalesce(string_agg(name, ','), '')"
                               " FROM pg_prepared_statements WHERE name LIKE 'bulk\\_%'"
                               " AND name <> 'bulk_ids' AND generic_plans > 0",
                               0, NULL, &r, &err) == 0,
                  "%s", err.detail);
    ck_assert_msg(db_res_int(r, 0, 0) == 0, "generic plans of %s", db_res_get(r, 0, 1));
    db_res_free(r);
}
END_TEST

static Suite *
bulk_plans_suite(void)
{
    Suite *s = suite_create("bulk_plans");
    TCase *tc = tcase_create("plans");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_lookups_never_run_a_generic_plan);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(bulk_plans_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
