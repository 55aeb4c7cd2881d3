/*
 * tests/integration/db_test.c - db/ against a real PostgreSQL
 * (XUEJI_TEST_DATABASE_URL, set by scripts/run-tests.sh). Each test works in a
 * database of its own, created from the test cluster and dropped afterwards.
 */
#include "db/db.h"
#include "db/idem.h"
#include "db/migrate.h"
#include "db/refdata.h"
#include "db/user.h"
#include "tests/lib/dbtest.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static db_conn *conn;

/* The test URL with its database name replaced. */
static void
setup(void)
{
    conn = dbt_create("xueji_it");
}

static void
teardown(void)
{
    dbt_drop(conn);
}

static long long
scalar(const char *sql)
{
    db_res *r = NULL;
    app_err err = {0};
    int rc = db_exec_once(conn, sql, 0, NULL, &r, &err);
    ck_assert_msg(rc == 0, "%s: %s", sql, err.detail);
    long long v = db_res_int(r, 0, 0);
    db_res_free(r);
    return v;
}

static int
count_migration_files(void)
{
    int n = 0;
    for (const struct embedded_file *f = embedded_files; f->name != NULL; f++)
        if (strncmp(f->name, "db/migrations/", 14) == 0)
            n++;
    return n;
}

START_TEST(test_migrate_fresh_then_noop)
{
    app_err err = {0};
    int applied = -1;
    ck_assert_msg(db_migrate(conn, &applied, &err) == 0, "%s", err.detail);
    ck_assert_int_eq(applied, count_migration_files());
    ck_assert_int_eq(scalar("SELECT count(*) FROM schema_migrations"), count_migration_files());
    /* the region list is loaded: every province, its cities and counties */
    ck_assert_int_eq(scalar("SELECT count(*) FROM region WHERE level = 'province'"), 31);
    ck_assert_int_gt(scalar("SELECT count(*) FROM region WHERE level = 'county'"), 2800);
    ck_assert_int_eq(scalar("SELECT count(*) FROM region WHERE code = '410102'"
                            " AND name = '中原区' AND parent = '410100'"),
                     1);
    ck_assert_int_eq(scalar("SELECT count(*) FROM code_value WHERE table_name = 'ethnicity'"), 58);

    applied = -1;
    ck_assert_msg(db_migrate(conn, &applied, &err) == 0, "%s", err.detail);
    ck_assert_int_eq(applied, 0);
    ck_assert_int_eq(scalar("SELECT count(*) FROM region WHERE level = 'province'"), 31);
}
END_TEST

#define FILE_ENTRY(n, text)                                                                        \
    {                                                                                              \
        n, (const unsigned char *)(text), sizeof(text) - 1                                         \
    }

START_TEST(test_failed_migration_rolls_back_whole)
{
    const struct embedded_file bad[] = {
        FILE_ENTRY("db/migrations/001_a.sql", "CREATE TABLE t_a (x int);"),
        FILE_ENTRY("db/migrations/002_b.sql",
                   "CREATE TABLE t_b (x int);\nINSERT INTO t_b VALUES (1);\nSELECT 1/0;\n"),
        {NULL, NULL, 0},
    };
    app_err err = {0};
    int applied = -1;
    ck_assert_int_ne(db_migrate_files(conn, bad, &applied, &err), 0);
    ck_assert_int_eq(applied, 1);
    ck_assert_ptr_nonnull(strstr(err.detail, "002_b.sql"));
    ck_assert_str_eq(err.sqlstate, "22012"); /* division_by_zero */
    ck_assert_int_eq(scalar("SELECT count(*) FROM schema_migrations"), 1);
    ck_assert_int_eq(scalar("SELECT count(*) FROM pg_tables WHERE tablename = 't_a'"), 1);
    ck_assert_int_eq(scalar("SELECT count(*) FROM pg_tables WHERE tablename = 't_b'"), 0);

    /* fixed, it applies; the first one is not run again */
    const struct embedded_file good[] = {
        FILE_ENTRY("db/migrations/001_a.sql", "CREATE TABLE t_a (x int);"),
        FILE_ENTRY("db/migrations/002_b.sql", "CREATE TABLE t_b (x int);"),
        {NULL, NULL, 0},
    };
    app_err_clear(&err);
    ck_assert_msg(db_migrate_files(conn, good, &applied, &err) == 0, "%s", err.detail);
    ck_assert_int_eq(applied, 1);
    ck_assert_int_eq(scalar("SELECT count(*) FROM schema_migrations"), 2);
}
END_TEST

START_TEST(test_edited_migration_is_refused)
{
    const struct embedded_file v1[] = {
        FILE_ENTRY("db/migrations/001_a.sql", "CREATE TABLE t_a (x int);"),
        {NULL, NULL, 0},
    };
    const struct embedded_file v2[] = {
        FILE_ENTRY("db/migrations/001_a.sql", "CREATE TABLE t_a (x bigint);"),
        {NULL, NULL, 0},
    };
    app_err err = {0};
    ck_assert_int_eq(db_migrate_files(conn, v1, NULL, &err), 0);
    ck_assert_int_eq(db_migrate_files(conn, v2, NULL, &err), APP_EINTERNAL);
    ck_assert_ptr_nonnull(strstr(err.detail, "changed after it was applied"));
}
END_TEST

START_TEST(test_unique_violation_is_conflict)
{
    app_err err = {0};
    ck_assert_int_eq(db_exec_sql(conn, "CREATE TABLE t_u (x int PRIMARY KEY)", &err), 0);
    static const db_stmt ins = {"t_ins", "INSERT INTO t_u VALUES ($1)"};
    const char *p[] = {"7"};
    ck_assert_int_eq(db_exec(conn, &ins, 1, p, NULL, &err), 0);
    ck_assert_int_eq(db_exec(conn, &ins, 1, p, NULL, &err), APP_ECONFLICT);
    ck_assert_str_eq(err.sqlstate, "23505");
    /* the connection stays usable, the prepared statement too */
    const char *q[] = {"8"};
    ck_assert_int_eq(db_exec(conn, &ins, 1, q, NULL, &err), 0);
}
END_TEST

/* A recycled connection is a fresh one (another backend) that works at once,
   prepared statements included; inside a transaction it is left alone. */
START_TEST(test_recycle_gives_a_fresh_connection)
{
    app_err err = {0};
    static const db_stmt pid = {"t_pid", "SELECT pg_backend_pid()"};
    db_res *r = NULL;
    ck_assert_int_eq(db_exec(conn, &pid, 0, NULL, &r, &err), 0);
    long long before = db_res_int(r, 0, 0);
    db_res_free(r);
    ck_assert_int_eq(db_begin(conn, &err), 0);
    db_conn_recycle(conn); /* in a transaction: nothing happens */
    ck_assert(db_conn_ok(conn));
    ck_assert_int_eq(db_commit(conn, &err), 0);
    db_conn_recycle(conn);
    ck_assert(!db_conn_ok(conn));
    ck_assert_int_eq(db_exec(conn, &pid, 0, NULL, &r, &err), 0);
    long long after = db_res_int(r, 0, 0);
    db_res_free(r);
    ck_assert(db_conn_ok(conn));
    ck_assert_int_ne(before, after);
}
END_TEST

START_TEST(test_transaction_rollback_leaves_nothing)
{
    app_err err = {0};
    ck_assert_int_eq(db_exec_sql(conn, "CREATE TABLE t_r (x int)", &err), 0);
    ck_assert_int_eq(db_begin(conn, &err), 0);
    ck_assert(db_in_tx(conn));
    ck_assert_int_eq(db_exec_sql(conn, "INSERT INTO t_r VALUES (1)", &err), 0);
    db_rollback(conn);
    ck_assert(!db_in_tx(conn));
    ck_assert_int_eq(scalar("SELECT count(*) FROM t_r"), 0);
}
END_TEST

START_TEST(test_region_reads)
{
    app_err err = {0};
    ck_assert_int_eq(db_migrate(conn, NULL, &err), 0);
    app_arena *a = app_arena_new();
    db_region *v;
    int n;
    ck_assert_int_eq(db_region_get_with_ancestors(conn, "410102", a, &v, &n, &err), 0);
    ck_assert_int_eq(n, 4); /* 中原区, 郑州市, 河南省, the ministry root */
    ck_assert_str_eq(v[0].name, "中原区");
    ck_assert_str_eq(v[1].code, "410100");
    ck_assert_str_eq(v[2].code, "410000");
    ck_assert_str_eq(v[3].level, "ministry");
    ck_assert_int_eq(db_region_get_with_ancestors(conn, "999999", a, &v, &n, &err), 0);
    ck_assert_int_eq(n, 0);

    /* keyset pages cover the children exactly once */
    int total = 0;
    char after[7] = "";
    for (;;) {
        ck_assert_int_eq(db_region_children(conn, "410000", after, 4, a, &v, &n, &err), 0);
        if (n == 0)
            break;
        for (int i = 0; i < n; i++)
            ck_assert_int_gt(strcmp(v[i].code, after), 0);
        total += n;
        snprintf(after, sizeof(after), "%s", v[n - 1].code);
    }
    ck_assert_int_eq(total, (int)scalar("SELECT count(*) FROM region WHERE parent = '410000'"));

    db_code_table t;
    db_code_value *cv;
    ck_assert_int_eq(db_code_values(conn, "gender", a, &t, &cv, &n, &err), 0);
    ck_assert_int_eq(n, 2);
    ck_assert_str_eq(cv[0].code, "1");
    ck_assert_str_eq(cv[0].label, "男");
    ck_assert_int_eq(db_code_values(conn, "nope", a, &t, &cv, &n, &err), APP_ENOTFOUND);
    app_arena_free(a);
}
END_TEST

START_TEST(test_idempotency_states)
{
    app_err err = {0};
    ck_assert_int_eq(db_migrate(conn, NULL, &err), 0);
    app_arena *a = app_arena_new();
    db_idem_state st;
    db_idem_answer ans;
    ck_assert_int_eq(db_idem_claim(conn, "ip:1", "k1", "POST", "/x", "h1", a, &st, &ans, &err), 0);
    ck_assert_int_eq(st, DB_IDEM_NEW);
    /* a second claim while the first runs */
    ck_assert_int_eq(db_idem_claim(conn, "ip:1", "k1", "POST", "/x", "h1", a, &st, &ans, &err), 0);
    ck_assert_int_eq(st, DB_IDEM_IN_PROGRESS);
    ck_assert_int_eq(
        db_idem_complete(conn, "ip:1", "k1", 201, "application/json", "{\"a\":1}", &err), 0);
    ck_assert_int_eq(db_idem_claim(conn, "ip:1", "k1", "POST", "/x", "h1", a, &st, &ans, &err), 0);
    ck_assert_int_eq(st, DB_IDEM_REPLAY);
    ck_assert_int_eq(ans.status, 201);
    ck_assert_str_eq(ans.body, "{\"a\":1}");
    ck_assert_int_eq(db_idem_claim(conn, "ip:1", "k1", "POST", "/x", "h2", a, &st, &ans, &err), 0);
    ck_assert_int_eq(st, DB_IDEM_MISMATCH);
    /* keys are per caller */
    ck_assert_int_eq(db_idem_claim(conn, "ip:2", "k1", "POST", "/x", "h2", a, &st, &ans, &err), 0);
    ck_assert_int_eq(st, DB_IDEM_NEW);
    /* an abandoned key can be claimed again */
    ck_assert_int_eq(db_idem_abandon(conn, "ip:2", "k1", &err), 0);
    ck_assert_int_eq(db_idem_claim(conn, "ip:2", "k1", "POST", "/x", "h3", a, &st, &ans, &err), 0);
    ck_assert_int_eq(st, DB_IDEM_NEW);
    /* keys older than 24 hours are forgotten */
    ck_assert_int_eq(db_exec_sql(conn,
                                 "UPDATE idempotency_key SET created_at = now() - interval '25 "
                                 "hours' WHERE scope = 'ip:1'",
                                 &err),
                     0);
    ck_assert_int_eq(db_idem_claim(conn, "ip:1", "k1", "POST", "/x", "h9", a, &st, &ans, &err), 0);
    ck_assert_int_eq(st, DB_IDEM_NEW);
    app_arena_free(a);
}
END_TEST

/* The audit table refuses edits and deletions (the sealed trail's tamper
   tests, with the trigger disabled, are in audit_seal_test.c). */
START_TEST(test_audit_append_only)
{
    app_err err = {0};
    ck_assert_int_eq(db_migrate(conn, NULL, &err), 0);
    for (int i = 0; i < 3; i++) {
        char t[16];
        snprintf(t, sizeof(t), "t%d", i);
        db_audit e = {.actor_id = i,
                      .actor_org = "410102",
                      .action = "test",
                      .target_type = "user",
                      .target_id = t,
                      .detail_json = "{\"k\": [1, 2]}"};
        ck_assert_msg(db_audit_insert(conn, &e, &err) == 0, "%s", err.detail);
    }
    ck_assert_int_eq(scalar("SELECT count(*) FROM audit WHERE action = 'test' AND seq IS NULL"
                            " AND hash = audit_row_hash(audit)"),
                     3);
    ck_assert_int_ne(
        db_exec_sql(conn, "UPDATE audit SET action = 'x' WHERE target_id = 't2'", &err), 0);
    ck_assert_int_ne(db_exec_sql(conn, "DELETE FROM audit WHERE target_id = 't2'", &err), 0);
    ck_assert_int_ne(db_exec_sql(conn, "TRUNCATE audit_seal", &err), 0);
    /* seq is set once, and nothing else with it */
    ck_assert_int_eq(db_exec_sql(conn, "UPDATE audit SET seq = 1 WHERE target_id = 't0'", &err), 0);
    ck_assert_int_ne(db_exec_sql(conn, "UPDATE audit SET seq = 2 WHERE target_id = 't0'", &err), 0);
    ck_assert_int_ne(
        db_exec_sql(conn, "UPDATE audit SET seq = 2, action = 'x' WHERE target_id = 't1'", &err),
        0);
}
END_TEST

START_TEST(test_broken_url_reports_unavailable)
{
    app_err err = {0};
    db_conn *c =
        db_conn_open("postgresql://xueji@/nope?host=/nonexistent-dir&connect_timeout=1", &err);
    ck_assert(!db_conn_ok(c));
    ck_assert_int_eq(err.code, APP_EUNAVAIL);
    static const db_stmt st = {"t_one", "SELECT 1"};
    app_err_clear(&err);
    ck_assert_int_eq(db_exec(c, &st, 0, NULL, NULL, &err), APP_EUNAVAIL);
    db_conn_close(c);
}
END_TEST

/* A lock waited for past lock_timeout, and a statement past statement_timeout, are
   503 database_timeout (not 500), and the connection goes on working. */
START_TEST(test_timeouts_are_database_timeout)
{
    const char *url = getenv("XUEJI_TEST_DATABASE_URL");
    app_err err = {0};
    db_conn *holder = db_conn_open(url, &err);
    ck_assert_msg(db_conn_ok(holder), "%s", err.detail);
    db_conn *c = db_conn_open_opts(url, "-c lock_timeout=200 -c statement_timeout=500", &err);
    ck_assert_msg(db_conn_ok(c), "%s", err.detail);
    ck_assert_int_eq(db_exec_sql(holder, "SELECT pg_advisory_lock(4242)", &err), 0);

    ck_assert_int_eq(db_exec_sql(c, "SELECT pg_advisory_lock(4242)", &err), APP_EUNAVAIL);
    ck_assert_str_eq(err.slug, "database_timeout");
    ck_assert_str_eq(err.sqlstate, "55P03");

    app_err_clear(&err);
    ck_assert_int_eq(db_exec_sql(c, "SELECT pg_sleep(5)", &err), APP_EUNAVAIL);
    ck_assert_str_eq(err.slug, "database_timeout");
    ck_assert_str_eq(err.sqlstate, "57014");

    app_err_clear(&err);
    ck_assert_int_eq(db_exec_sql(c, "SELECT 1", &err), 0);
    ck_assert_int_eq(db_exec_sql(holder, "SELECT pg_advisory_unlock(4242)", &err), 0);
    db_conn_close(c);
    db_conn_close(holder);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("postgres");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_migrate_fresh_then_noop);
    tcase_add_test(tc, test_failed_migration_rolls_back_whole);
    tcase_add_test(tc, test_edited_migration_is_refused);
    tcase_add_test(tc, test_unique_violation_is_conflict);
    tcase_add_test(tc, test_transaction_rollback_leaves_nothing);
    tcase_add_test(tc, test_region_reads);
    tcase_add_test(tc, test_idempotency_states);
    tcase_add_test(tc, test_broken_url_reports_unavailable);
    tcase_add_test(tc, test_timeouts_are_database_timeout);
    tcase_add_test(tc, test_recycle_gives_a_fresh_connection);
    tcase_add_test(tc, test_audit_append_only);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
