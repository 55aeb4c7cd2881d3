/*
 * tests/integration/lock_escalation_test.c - key locks with escalation
 * (db/keylock.h, docs/concurrency.md) on a real PostgreSQL: a transaction
 * that locks tens of thousands of identity and look-alike keys (an atomic
 * import) stays within PostgreSQL's shared lock table; while it is open,
 * registrations wait for its commit; two ordinary writers of different keys
 * do not wait for each other.
 */
#include "base/buf.h"
#include "core/import.h"
#include "core/import_jobs.h"
#include "db/bulk.h"
#include "db/import.h"
#include "db/keylock.h"
#include "tests/lib/coreworld.h"
#include "tests/lib/race.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEYS 15000 /* per key space: past what the lock table holds unescalated */
#define BATCH 500  /* the rows of an import batch (CORE_IMPORT_BATCH_CREATE) */
#define PAUSE 1.0  /* seconds the escalated writer holds its transaction open */

/* The advisory locks the test's own session holds. */
static long long
own_locks(void)
{
    return cw_count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                    " AND pid = pg_backend_pid()");
}

/* Lock KEYS identity keys and KEYS look-alike keys in batches, as an atomic
   import's batches do, in the transaction open on the test's connection. */
static void
lock_many(void)
{
    db_conn *c = cw_db();
    static char kbuf[BATCH][24], nbuf[BATCH][24];
    const char *keys[BATCH], *name[BATCH], *gender[BATCH], *birth[BATCH];
    for (int b = 0; b < KEYS / BATCH; b++) {
        for (int i = 0; i < BATCH; i++) {
            snprintf(kbuf[i], sizeof(kbuf[i]), "id-%d", b * BATCH + i);
            snprintf(nbuf[i], sizeof(nbuf[i]), "name-%d", b * BATCH + i);
            keys[i] = kbuf[i];
            name[i] = nbuf[i];
            gender[i] = "1";
            birth[i] = "2015-01-01";
        }
        app_err err = {0};
        int rc = db_identities_lock(c, keys, BATCH, &err);
        ck_assert_msg(rc == 0, "identity locks of batch %d: %s", b, err.detail);
        rc = db_twins_lock(c, "430000", BATCH, name, gender, birth, &err);
        ck_assert_msg(rc == 0, "look-alike locks of batch %d: %s", b, err.detail);
    }
}

/* An atomic import's transaction says it is large before its first batch:
   its 30,000 keys cost 2 x 1,024 bucket locks, from the first batch on.
   Unescalated it took one lock per key and failed past about 12,000
   ("out of shared memory", 53200) on a default cluster. */
START_TEST(test_atomic_import_escalated)
{
    app_err err = {0};
    ck_assert_int_eq(db_begin(cw_db(), &err), 0);
    ck_assert_int_eq(db_keylocks_escalate(cw_db(), &err), 0);
    ck_assert(db_keylocks_escalated(cw_db(), DB_KEYS_IDENTITY));
    lock_many();
    long long held = own_locks();
    ck_assert_msg(held <= 2100, "%lld advisory locks held", held);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                              " AND pid = pg_backend_pid() AND objsubid = 2"
                              " AND mode = 'ExclusiveLock'"),
                     2048);
    ck_assert_int_eq(db_commit(cw_db(), &err), 0);
    ck_assert_int_eq(own_locks(), 0);
    ck_assert(!db_keylocks_escalated(cw_db(), DB_KEYS_IDENTITY));
}
END_TEST

/* The same keys in one transaction that did not say so: it escalates when
   its key locks of a space pass DB_KEYLOCK_ESCALATE, and succeeds. Before
   escalation this failed with "out of shared memory". */
START_TEST(test_many_keys_escalate_by_count)
{
    app_err err = {0};
    ck_assert_int_eq(db_begin(cw_db(), &err), 0);
    lock_many();
    ck_assert(db_keylocks_escalated(cw_db(), DB_KEYS_IDENTITY));
    ck_assert(db_keylocks_escalated(cw_db(), DB_KEYS_TWINS));
    long long held = own_locks();
    /* per space: at most the threshold's keys, their shared buckets, every bucket */
    ck_assert_msg(held <= 2 * (DB_KEYLOCK_ESCALATE + 2 * 1024), "%lld advisory locks", held);
    ck_assert_int_eq(db_commit(cw_db(), &err), 0);
}
END_TEST

/* An ordinary batch: per key its exclusive lock and its bucket's shared one. */
START_TEST(test_ordinary_keys_two_locks)
{
    app_err err = {0};
    const char *keys[] = {"k1", "k2", "k3"};
    ck_assert_int_eq(db_begin(cw_db(), &err), 0);
    ck_assert_int_eq(db_identities_lock(cw_db(), keys, 3, &err), 0);
    ck_assert(!db_keylocks_escalated(cw_db(), DB_KEYS_IDENTITY));
    ck_assert_int_eq(cw_count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                              " AND pid = pg_backend_pid() AND objsubid = 1"
                              " AND mode = 'ExclusiveLock'"),
                     3);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                              " AND pid = pg_backend_pid() AND objsubid = 2"
                              " AND mode = 'ShareLock' AND classid = 7263 AND objid < 1024"),
                     cw_count("SELECT count(DISTINCT hashtextextended(k, 7263) & 1023)"
                              " FROM unnest(ARRAY['k1', 'k2', 'k3']) AS k"));
    ck_assert_int_eq(db_commit(cw_db(), &err), 0);
}
END_TEST

/* ------------------------------------------------------------ two writers */

static int
register_side(void *arg)
{
    app_err err = {0};
    return cw_register(CW_REG_B, arg, NULL, NULL, NULL, &err);
}

/* A registration at A in a transaction escalated as a large atomic import's
   is, held open (paused) after its checks. */
static int
escalated_side(void *arg)
{
    app_err err = {0};
    int rc = db_begin(cw_db(), &err);
    if (rc == 0)
        rc = db_keylocks_escalate(cw_db(), &err);
    if (rc == 0)
        rc = cw_register(CW_REG_A, arg, NULL, NULL, NULL, &err);
    if (rc != 0) {
        db_rollback(cw_db());
        return rc;
    }
    return db_commit(cw_db(), &err);
}

/* Wait (at most 10 s) until `n` sessions wait for an advisory lock. */
static void
wait_blocked(int n)
{
    for (int i = 0; i < 1000; i++) {
        if (cw_count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                     " AND NOT granted") >= n)
            return;
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    ck_abort_msg("the registrations never waited for the escalated transaction");
}

/* While an escalated transaction is open, a registration of one of its
   identities waits for its commit and then meets it (duplicate), and one
   of another identity waits too (its bucket is held) and then goes in. */
START_TEST(test_registrations_wait_for_escalated)
{
    core_record *rec = cw_record(CW_A, 13, 1, 601);
    core_record *copy = cw_copy(rec);
    race_pause_at("request");
    pid_t holder = race_child(escalated_side, rec, PAUSE);
    race_wait_paused();
    pid_t same = race_child(register_side, copy, 0);
    pid_t other = race_child(register_side, cw_record(CW_B, 13, 1, 602), 0);
    wait_blocked(2);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student"), 0); /* nothing committed yet */
    ck_assert_int_eq(race_join(holder), 0);
    ck_assert_int_eq(race_join(same), APP_ECONFLICT);
    ck_assert_int_eq(race_join(other), 0);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student"), 2);
}
END_TEST

/* Two ordinary registrations of different identities (other classes,
   other look-alike keys) do not wait for each other: the second commits
   while the first is still held open. */
START_TEST(test_ordinary_writers_do_not_wait)
{
    race_pause_at("request");
    pid_t first = race_child(register_side, cw_record(CW_B, 13, 1, 611), PAUSE);
    race_wait_paused();
    app_err err = {0};
    int rc = cw_register(CW_REG_A, cw_record(CW_A, 13, 1, 612), NULL, NULL, NULL, &err);
    cw_ok(rc, &err);
    ck_assert_msg(
        cw_count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                 " AND wait_event = 'PgSleep'") == 1,
        "the second registration waited for the first");
    ck_assert_int_eq(race_join(first), 0);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student"), 2);
}
END_TEST

/* ------------------------------------------------------------ imports */

/* A CSV in the template's columns: the header, `bad` rows with a name only
   (rejected before registration), then `rec`. In the arena. */
static const char *
create_csv(const core_record *rec, int bad)
{
    base_buf b = {0};
    char line[2][4096] = {"", ""};
    size_t at[2] = {0, 0};
    for (int col = 0; col < core_template_ncols(); col++) {
        char title[128];
        core_template_title(col, title, sizeof(title));
        int f = core_template_field(col);
        const char *v = f >= 0 && rec->v[f] ? rec->v[f] : "";
        const char *sep = col ? "," : "";
        at[0] += (size_t)snprintf(line[0] + at[0], sizeof(line[0]) - at[0], "%s\"%s\"", sep, title);
        at[1] += (size_t)snprintf(line[1] + at[1], sizeof(line[1]) - at[1], "%s\"%s\"", sep, v);
    }
    base_buf_adds(&b, line[0]);
    base_buf_adds(&b, "\n");
    for (int i = 0; i < bad; i++) {
        base_buf_adds(&b, "\"x\"");
        for (int col = 1; col < core_template_ncols(); col++)
            base_buf_adds(&b, ",");
        base_buf_adds(&b, "\n");
    }
    base_buf_adds(&b, line[1]);
    base_buf_adds(&b, "\n");
    const char *out = app_arena_strdup(cw_arena(), (const char *)b.p);
    base_buf_free(&b);
    return out;
}

static const char *
message_of(void *ctx, app_arena *a, long row, int column, const char *header, const char *code,
           const char *param)
{
    (void)ctx, (void)row, (void)column, (void)header, (void)param;
    return app_arena_strdup(a, code);
}

static int
import_side(void *arg)
{
    db_import *job = arg;
    app_err err = {0};
    int rc = core_import_run(cw_db(), cw_op(CW_REG_A), job, message_of, NULL, &err);
    db_import_release(job);
    return rc;
}

/* An atomic import of `bad` rejected rows and one valid row, run by a
   worker held open at the valid row's registration: the bucket locks its
   session holds then, EXCLUSIVE. */
static long long
atomic_import_buckets(int bad)
{
    const char *csv = create_csv(cw_record(CW_A, 13, 1, 621), bad);
    core_import_new in = {
        .mode = "create", .atomic = "true", .body = (const unsigned char *)csv, .len = strlen(csv)};
    db_import job;
    int existing = 0, found = 0;
    app_err err = {0};
    int rc = core_import_job_create(cw_db(), cw_op(CW_REG_A), &in, &job, &existing, &err);
    cw_ok(rc, &err);
    rc = db_import_claim(cw_db(), 300, cw_arena(), &job, &found, &err);
    cw_ok(rc, &err);
    ck_assert(found);
    race_pause_at("request");
    pid_t pid = race_child(import_side, &job, PAUSE);
    race_wait_paused();
    long long n =
        cw_count("SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                 " WHERE a.wait_event = 'PgSleep' AND l.locktype = 'advisory'"
                 " AND l.objsubid = 2 AND l.classid = %d AND l.mode = 'ExclusiveLock'",
                 DB_KEYS_IDENTITY);
    ck_assert_int_eq(race_join(pid), 0);
    db_import_release(&job);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM import_job WHERE state = 'done'"
                              " OR failure = 'rows_rejected'"),
                     1);
    return n;
}

/* An atomic import of more rows than DB_KEYLOCK_ESCALATE escalates from its
   first registration on; a small one takes key locks. */
START_TEST(test_large_atomic_import_escalates)
{
    ck_assert_int_eq(atomic_import_buckets(DB_KEYLOCK_ESCALATE), 1024);
}
END_TEST

START_TEST(test_small_atomic_import_does_not)
{
    ck_assert_int_eq(atomic_import_buckets(10), 0);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("lock_escalation");
    TCase *tc = tcase_create("lock_escalation");
    tcase_add_checked_fixture(tc, cw_setup, cw_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_atomic_import_escalated);
    tcase_add_test(tc, test_many_keys_escalate_by_count);
    tcase_add_test(tc, test_ordinary_keys_two_locks);
    tcase_add_test(tc, test_registrations_wait_for_escalated);
    tcase_add_test(tc, test_ordinary_writers_do_not_wait);
    tcase_add_test(tc, test_large_atomic_import_escalates);
    tcase_add_test(tc, test_small_atomic_import_does_not);
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
