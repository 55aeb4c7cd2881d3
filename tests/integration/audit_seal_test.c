/*
 * tests/integration/audit_seal_test.c - the sealed audit trail (ADR 0023)
 * on a real PostgreSQL: the canonical row text in C against the SQL of
 * migration 014, the sealer (horizon, open transactions, one sealer at a
 * time, take-over), and verify against tampering done by someone who can
 * write the database (triggers disabled).
 */
#include "core/seal.h"
#include "db/migrate.h"
#include "db/seal.h"
#include "db/user.h"
#include "tests/lib/dbtest.h"

#include <check.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static db_conn *conn;
static core_seal_key KA, KB;
static char problems[8192];
static core_seal_report rep;

static void
setup(void)
{
    ck_assert(sodium_init() >= 0);
    conn = dbt_create_migrated("xueji_seal");
    app_err err = {0};
    ck_assert_msg(db_migrate(conn, NULL, &err) == 0, "%s", err.detail);
    unsigned char seed[32];
    memset(seed, 0x11, sizeof(seed));
    core_seal_key_from_seed(seed, &KA);
    memset(seed, 0x22, sizeof(seed));
    core_seal_key_from_seed(seed, &KB);
    /* start from an empty trail: the migrations' own rows are not the test's */
    ck_assert_int_eq(db_exec_sql(conn,
                                 "ALTER TABLE audit DISABLE TRIGGER audit_append_only;"
                                 "DELETE FROM audit;"
                                 "ALTER TABLE audit ENABLE TRIGGER audit_append_only;",
                                 &err),
                     0);
}

static void
teardown(void)
{
    dbt_drop(conn);
}

/* A second connection to the test's database. */
static db_conn *
other_conn(void)
{
    db_res *r = NULL;
    app_err err = {0};
    ck_assert_int_eq(db_exec_once(conn, "SELECT current_database()", 0, NULL, &r, &err), 0);
    const char *base = getenv("XUEJI_TEST_DATABASE_URL");
    const char *at = strstr(base, "@/"), *q = strchr(base, '?');
    char url[1024];
    snprintf(url, sizeof(url), "%.*s%s%s", (int)(at + 2 - base), base, db_res_get(r, 0, 0), q);
    db_res_free(r);
    db_conn *c = db_conn_open(url, &err);
    ck_assert_msg(db_conn_ok(c), "%s", err.detail);
    return c;
}

static long long
scalar_on(db_conn *c, const char *sql)
{
    db_res *r = NULL;
    app_err err = {0};
    ck_assert_msg(db_exec_once(c, sql, 0, NULL, &r, &err) == 0, "%s: %s", sql, err.detail);
    long long v = db_res_int(r, 0, 0);
    db_res_free(r);
    return v;
}

static long long
scalar(const char *sql)
{
    return scalar_on(conn, sql);
}

static void
sql(const char *text)
{
    app_err err = {0};
    ck_assert_msg(db_exec_sql(conn, text, &err) == 0, "%s: %s", text, err.detail);
}

/* n audit rows on c, with NULLs, Chinese text and JSON details. */
static void
insert_rows_on(db_conn *c, int n)
{
    for (int i = 0; i < n; i++) {
        char target[32];
        snprintf(target, sizeof(target), "学生%d", i);
        db_audit e = {.actor_id = i % 3, /* 0: NULL */
                      .actor_org = i % 4 ? "410102" : NULL,
                      .action = "student.register",
                      .target_type = "student",
                      .target_id = target,
                      .ip = i % 2 ? "127.0.0.1" : NULL,
                      .user_agent = i % 5 ? "测试 agent/1.0" : NULL,
                      .request_id = i % 2 ? NULL : "req-1",
                      .detail_json =
                          i % 2 ? "{\"姓名\": \"张三\", \"k\": [1, {\"a\": null}]}" : NULL};
        app_err err = {0};
        ck_assert_msg(db_audit_insert(c, &e, &err) == 0, "%s", err.detail);
    }
}

static void
insert_rows(int n)
{
    insert_rows_on(conn, n);
}

static core_seal_pass
seal_on(db_conn *c, const core_seal_key *k, int max_rows)
{
    core_seal_pass p;
    app_err err = {0};
    ck_assert_msg(core_seal_run(c, k, max_rows, &p, &err) == 0, "%s", err.detail);
    return p;
}

static core_seal_pass
seal(const core_seal_key *k, int max_rows)
{
    return seal_on(conn, k, max_rows);
}

static void
collect(void *ctx, const char *what)
{
    (void)ctx;
    size_t n = strlen(problems);
    snprintf(problems + n, sizeof(problems) - n, "%s\n", what);
}

/* Problems found by verify with the keys given. */
static long long
verify_keys(const core_seal_key *k1, const core_seal_key *k2)
{
    unsigned char pks[2][32];
    int n = 0;
    memcpy(pks[n++], k1->pk, 32);
    if (k2)
        memcpy(pks[n++], k2->pk, 32);
    problems[0] = '\0';
    app_err err = {0};
    ck_assert_msg(
        core_seal_verify(conn, (const unsigned char(*)[32])pks, n, collect, NULL, &rep, &err) == 0,
        "%s", err.detail);
    return rep.problems;
}

static long long
verify(void)
{
    return verify_keys(&KA, NULL);
}

static void
expect_problem(const char *part)
{
    ck_assert_msg(verify() > 0, "verify passed; expected: %s", part);
    ck_assert_msg(strstr(problems, part) != NULL, "expected \"%s\" in:\n%s", part, problems);
}

static long long
id_of_seq(int seq)
{
    char q[96];
    snprintf(q, sizeof(q), "SELECT id FROM audit WHERE seq = %d", seq);
    return scalar(q);
}

/* The C canonical text hashes to what audit_row_hash() gives, and to the
   hash the row was written with. */
START_TEST(test_canon_matches_sql)
{
    insert_rows(12);
    db_res *r = NULL;
    app_err err = {0};
    ck_assert_int_eq(db_exec_once(conn,
                                  "SELECT hash, audit_row_hash(a), " DB_SEAL_ROW_COLS
                                  " FROM audit a ORDER BY id",
                                  0, NULL, &r, &err),
                     0);
    ck_assert_int_eq(db_res_nrows(r), 12);
    int nulls = 0;
    for (int i = 0; i < db_res_nrows(r); i++) {
        base_buf b = {0};
        db_seal_canon(r, i, 2, &b);
        unsigned char h[32];
        char hex[65];
        crypto_hash_sha256(h, b.p, b.n);
        sodium_bin2hex(hex, sizeof(hex), h, 32);
        ck_assert_str_eq(hex, db_res_get(r, i, 0));
        ck_assert_str_eq(hex, db_res_get(r, i, 1));
        nulls += strstr((const char *)b.p, "-") != NULL;
        base_buf_free(&b);
    }
    ck_assert_int_gt(nulls, 0);
    db_res_free(r);
}
END_TEST

START_TEST(test_seal_and_verify)
{
    insert_rows(25);
    core_seal_pass p = seal(&KA, 10);
    ck_assert_int_eq(p.leader, 1);
    ck_assert_int_eq(p.seals, 3);
    ck_assert_int_eq(p.rows, 25);
    ck_assert_int_eq(p.unsealed, 0);
    ck_assert_int_eq(scalar("SELECT count(*) FROM audit_seal"), 3);
    ck_assert_int_eq(scalar("SELECT max(seq) FROM audit"), 25);
    ck_assert_int_eq(scalar("SELECT count(DISTINCT key_id) FROM audit_seal"), 1);
    insert_rows(4);
    p = seal(&KA, 10);
    ck_assert_int_eq(p.seals, 1);
    ck_assert_int_eq(p.rows, 4);
    p = seal(&KA, 10); /* nothing new: no empty seal */
    ck_assert_int_eq(p.seals, 0);
    ck_assert_msg(verify() == 0, "%s", problems);
    ck_assert_int_eq(rep.seals, 4);
    ck_assert_int_eq(rep.rows_sealed, 29);
    ck_assert_int_eq(rep.last_seq, 29);
    ck_assert_int_eq(rep.rows_unsealed, 0);
    /* unsealed rows are reported, with their age, and do not fail verify */
    insert_rows(2);
    ck_assert_msg(verify() == 0, "%s", problems);
    ck_assert_int_eq(rep.rows_unsealed, 2);
}
END_TEST

START_TEST(test_changed_row_detected)
{
    insert_rows(12);
    seal(&KA, 5);
    char q[160];
    snprintf(q, sizeof(q),
             "ALTER TABLE audit DISABLE TRIGGER audit_append_only;"
             "UPDATE audit SET target_id = 'forged' WHERE id = %lld",
             id_of_seq(7));
    sql(q);
    char want[64];
    snprintf(want, sizeof(want), "row %lld (seq 7, seal 2)", id_of_seq(7));
    expect_problem(want);
    /* the forger fixes the row's hash too: the seal's rows_hash still differs */
    sql("UPDATE audit a SET hash = audit_row_hash(a) WHERE seq = 7");
    expect_problem("seal 2: rows seq 6..10 do not match its rows_hash");
}
END_TEST

/* Whoever can write the database can also replace audit_row_hash(): verify
   does not use it. */
START_TEST(test_replaced_sql_hash_does_not_fool_verify)
{
    insert_rows(6);
    seal(&KA, 10);
    sql("ALTER TABLE audit DISABLE TRIGGER audit_append_only;"
        "CREATE OR REPLACE FUNCTION audit_row_hash(r audit) RETURNS text LANGUAGE sql"
        " IMMUTABLE AS $$ SELECT r.hash $$;"
        "UPDATE audit SET action = 'forged' WHERE seq = 2;");
    ck_assert_int_eq(scalar("SELECT count(*) FROM audit a WHERE hash <> audit_row_hash(a)"), 0);
    char want[64];
    snprintf(want, sizeof(want), "row %lld (seq 2, seal 1)", id_of_seq(2));
    expect_problem(want);
}
END_TEST

START_TEST(test_deleted_row_detected)
{
    insert_rows(12);
    seal(&KA, 5);
    sql("ALTER TABLE audit DISABLE TRIGGER audit_append_only; DELETE FROM audit WHERE seq = 3");
    expect_problem("seal 1: seq 3..3 missing");
    expect_problem("seal 1: rows seq 1..5 do not match its rows_hash");
}
END_TEST

/* A row put in place of a sealed one, or with a seq after the last seal. */
START_TEST(test_inserted_row_detected)
{
    insert_rows(12);
    seal(&KA, 5);
    sql("ALTER TABLE audit DISABLE TRIGGER USER;"
        "DELETE FROM audit WHERE seq = 4;"
        "INSERT INTO audit (id, xid, at, actor_org, action, target_type, target_id, detail, seq,"
        " hash) VALUES (900001, (SELECT xid FROM audit WHERE seq = 3), now(), '410102',"
        " 'student.register', 'student', '伪造', '{}', 4, '');"
        "UPDATE audit a SET hash = audit_row_hash(a) WHERE id = 900001;");
    expect_problem("seal 1: rows seq 1..5 do not match its rows_hash");
    sql("INSERT INTO audit (id, xid, at, action, target_type, detail, seq, hash)"
        " VALUES (900002, '5', now(), 'x', 'y', '{}', 40, '');"
        "UPDATE audit a SET hash = audit_row_hash(a) WHERE id = 900002;");
    expect_problem("row 900002: seq 40 is in no seal");
    /* a row slipped in unsealed with an old transaction id */
    sql("INSERT INTO audit (id, xid, at, action, target_type, detail, hash)"
        " VALUES (900003, '3', now(), 'x', 'y', '{}', '');"
        "UPDATE audit a SET hash = audit_row_hash(a) WHERE id = 900003;");
    expect_problem("row 900003: unsealed, but its transaction 3 is below");
}
END_TEST

START_TEST(test_changed_seal_detected)
{
    insert_rows(12);
    seal(&KA, 4);
    sql("ALTER TABLE audit_seal DISABLE TRIGGER audit_seal_append_only;"
        "UPDATE audit_seal SET upto_xid = '1' WHERE id = 2");
    expect_problem("seal 2: its fields do not match its hash");
    /* recomputing the hash does not help without the key */
    sql("UPDATE audit_seal SET upto_xid = (SELECT upto_xid FROM audit_seal WHERE id = 1),"
        " hash = repeat('ab', 32) WHERE id = 2");
    expect_problem("seal 2: the signature");
    expect_problem("seal 3: prev_hash does not link to seal 2");
}
END_TEST

START_TEST(test_deleted_and_inserted_seal_detected)
{
    insert_rows(12);
    seal(&KA, 4);
    sql("ALTER TABLE audit_seal DISABLE TRIGGER audit_seal_append_only;"
        "DELETE FROM audit_seal WHERE id = 2");
    expect_problem("seal 3: follows seal 1 (seals missing)");
    expect_problem("seal 3: covers seq 9..12, expected to start at 5");
    expect_problem("row ");
    /* a seal appended by hand after the last one, over rows that do not exist */
    sql("INSERT INTO audit_seal (id, first_seq, last_seq, upto_xid, prev_hash, rows_hash, hash,"
        " key_id, signature) SELECT 4, 13, 14, upto_xid, hash, rows_hash, hash, key_id, signature"
        " FROM audit_seal WHERE id = 3");
    expect_problem("seal 4: its fields do not match its hash");
    expect_problem("seal 4: the signature");
    expect_problem("seal 4: seq 13..14 missing");
}
END_TEST

START_TEST(test_forged_seal_detected)
{
    insert_rows(12);
    seal(&KA, 4);
    insert_rows(3);
    /* the rows sealed by someone with another key */
    seal(&KB, 4);
    expect_problem("seal 4: the signature (key ");
    ck_assert_int_eq(rep.problems, 1);
    ck_assert_msg(verify_keys(&KA, &KB) == 0, "%s", problems);
}
END_TEST

/* The whole chain re-sealed with a different key: every seal fails. */
START_TEST(test_resealed_with_other_key_detected)
{
    insert_rows(12);
    seal(&KA, 4);
    sql("ALTER TABLE audit DISABLE TRIGGER audit_append_only;"
        "ALTER TABLE audit_seal DISABLE TRIGGER USER;"
        "UPDATE audit SET seq = NULL; DELETE FROM audit_seal;"
        "ALTER TABLE audit ENABLE TRIGGER audit_append_only;");
    core_seal_pass p = seal(&KB, 4);
    ck_assert_int_eq(p.rows, 12);
    ck_assert_int_eq(verify(), 3);
    ck_assert_msg(strstr(problems, "seal 1: the signature") && strstr(problems, "seal 3: the "),
                  "%s", problems);
}
END_TEST

/* Rows of a transaction still open are not sealed, nor any row of a later
   transaction; once it commits they are, in (xid, id) order. */
START_TEST(test_open_transaction_not_sealed)
{
    app_err err = {0};
    insert_rows(3);
    db_conn *open = other_conn();
    ck_assert_int_eq(db_begin(open, &err), 0);
    insert_rows_on(open, 2);
    insert_rows(4); /* committed, after the open transaction began */
    core_seal_pass p = seal(&KA, 100);
    ck_assert_int_eq(p.rows, 3);
    ck_assert_int_eq(p.unsealed, 4); /* the open transaction's rows are not visible */
    ck_assert_msg(verify() == 0, "%s", problems);
    ck_assert_int_eq(db_commit(open, &err), 0);
    p = seal(&KA, 100);
    ck_assert_int_eq(p.rows, 6);
    ck_assert_int_eq(p.unsealed, 0);
    /* the open transaction's rows come before the later ones */
    ck_assert_int_eq(scalar("SELECT count(*) FROM audit a, audit b WHERE a.seq < b.seq"
                            " AND (a.xid, a.id) > (b.xid, b.id)"),
                     0);
    ck_assert_msg(verify() == 0, "%s", problems);
    db_conn_close(open);
}
END_TEST

/* One sealer holds the lock; when its connection dies, another takes over. */
START_TEST(test_one_sealer_and_take_over)
{
    db_conn *s1 = other_conn(), *s2 = other_conn();
    insert_rows(5);
    core_seal_pass p = seal_on(s1, &KA, 100);
    ck_assert_int_eq(p.leader, 1);
    ck_assert_int_eq(p.rows, 5);
    insert_rows(5);
    p = seal_on(s2, &KA, 100);
    ck_assert_int_eq(p.leader, 0);
    ck_assert_int_eq(p.rows, 0);
    ck_assert_int_eq(p.unsealed, 5);
    p = seal_on(s1, &KA, 100); /* still the leader */
    ck_assert_int_eq(p.leader, 1);
    ck_assert_int_eq(p.rows, 5);
    long long pid = scalar_on(s1, "SELECT pg_backend_pid()");
    char q[96];
    snprintf(q, sizeof(q), "SELECT pg_terminate_backend(%lld)::int", pid);
    ck_assert_int_eq(scalar(q), 1);
    for (int i = 0; i < 50 && scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                                     " AND objid = 2968544718") > 0;
         i++)
        usleep(20000);
    insert_rows(3);
    p = seal_on(s2, &KA, 100);
    ck_assert_int_eq(p.leader, 1);
    ck_assert_int_eq(p.rows, 3);
    /* s1 finds its connection gone (an error, as the sealer thread logs it),
       reconnects, and is no longer the leader */
    app_err err = {0};
    core_seal_run(s1, &KA, 100, &p, &err);
    /* the connection reconnects after its backoff (db_conn_ensure) */
    int rc = -1;
    for (int i = 0; i < 100 && rc != 0; i++) {
        memset(&err, 0, sizeof(err));
        if ((rc = core_seal_run(s1, &KA, 100, &p, &err)) != 0)
            usleep(50000);
    }
    ck_assert_msg(rc == 0, "%s", err.detail);
    ck_assert_int_eq(p.leader, 0);
    ck_assert_msg(verify() == 0, "%s", problems);
    db_conn_close(s1);
    db_conn_close(s2);
}
END_TEST

typedef struct racer {
    db_conn *c;
    long long rows;
    int leader_passes, failures;
} racer;

static volatile int RACE_STOP;

static void *
race(void *arg)
{
    racer *r = arg;
    while (!RACE_STOP) {
        core_seal_pass p;
        app_err err = {0};
        if (core_seal_run(r->c, &KA, 7, &p, &err) != 0)
            r->failures++;
        r->rows += p.rows;
        r->leader_passes += p.leader;
    }
    return NULL;
}

/* Two sealers running at once while rows are written: only one seals. */
START_TEST(test_two_sealers_at_once)
{
    racer a = {.c = other_conn()}, b = {.c = other_conn()};
    db_conn *writer = other_conn();
    pthread_t ta, tb;
    RACE_STOP = 0;
    pthread_create(&ta, NULL, race, &a);
    pthread_create(&tb, NULL, race, &b);
    for (int i = 0; i < 20; i++) {
        insert_rows_on(writer, 5);
        usleep(5000);
    }
    usleep(100000);
    RACE_STOP = 1;
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    ck_assert_int_eq(a.failures + b.failures, 0);
    ck_assert_msg((a.leader_passes == 0) != (b.leader_passes == 0), "leaders %d and %d",
                  a.leader_passes, b.leader_passes);
    ck_assert_int_eq(a.rows + b.rows, 100);
    ck_assert_msg(verify() == 0, "%s", problems);
    ck_assert_int_eq(rep.rows_sealed, 100);
    db_conn_close(a.c);
    db_conn_close(b.c);
    db_conn_close(writer);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("audit_seal");
    TCase *tc = tcase_create("seal");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_canon_matches_sql);
    tcase_add_test(tc, test_seal_and_verify);
    tcase_add_test(tc, test_changed_row_detected);
    tcase_add_test(tc, test_replaced_sql_hash_does_not_fool_verify);
    tcase_add_test(tc, test_deleted_row_detected);
    tcase_add_test(tc, test_inserted_row_detected);
    tcase_add_test(tc, test_changed_seal_detected);
    tcase_add_test(tc, test_deleted_and_inserted_seal_detected);
    tcase_add_test(tc, test_forged_seal_detected);
    tcase_add_test(tc, test_resealed_with_other_key_detected);
    tcase_add_test(tc, test_open_transaction_not_sealed);
    tcase_add_test(tc, test_one_sealer_and_take_over);
    tcase_add_test(tc, test_two_sealers_at_once);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
