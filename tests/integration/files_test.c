/*
 * tests/integration/files_test.c - the retention of import uploads
 * (core_import_purge, what xuejid's file upkeep runs; docs/decisions/0013)
 * against a real PostgreSQL (XUEJI_TEST_DATABASE_URL), with the clock
 * given to the purge: an upload is deleted once its job has been finished
 * for the retention period of its school's authority (the region setting
 * import_upload_retention_days, default 7), or as soon as the job ends
 * refused as a whole; the job, its counts and errors stay.
 */
#include "core/files.h"
#include "db/db.h"
#include "db/import.h"
#include "db/migrate.h"
#include "db/school.h"
#include "db/settings.h"
#include "tests/lib/dbtest.h"

#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SCHOOL_A "2141010201" /* authority 410102 (default retention) */
#define SCHOOL_B "2141010501" /* authority 410105 (retention 1 day) */
#define DAY 86400LL

static db_conn *conn;
static app_arena *arena;
static core_pii_ring *ring;

static void
setup(void)
{
    ck_assert_int_ge(sodium_init(), 0);
    conn = dbt_create_migrated("xueji_files");
    app_err err = {0};
    int applied = 0;
    ck_assert_msg(db_migrate(conn, &applied, &err) == 0, "migrate: %s", err.detail);
    arena = app_arena_new();
    unsigned char key[1][CORE_PII_KEY_BYTES];
    randombytes_buf(key, sizeof(key));
    ring = core_pii_ring_new((const unsigned char(*)[CORE_PII_KEY_BYTES])key, 1);
    ck_assert_ptr_nonnull(ring);
    db_school a = {.code = SCHOOL_A,
                   .name = "建设路第一小学",
                   .county = "410102",
                   .authority = "410102",
                   .province = "410000",
                   .category = 21,
                   .system = "63"};
    db_school b = {.code = SCHOOL_B,
                   .name = "金水路小学",
                   .county = "410105",
                   .authority = "410105",
                   .province = "410000",
                   .category = 21,
                   .system = "63"};
    ck_assert_msg(db_school_insert(conn, &a, NULL, arena, NULL, &err) == 0, "school: %s",
                  err.detail);
    ck_assert_msg(db_school_insert(conn, &b, NULL, arena, NULL, &err) == 0, "school: %s",
                  err.detail);
    int v = 0;
    ck_assert_int_eq(
        db_settings_put(conn, "410105", "{\"import_upload_retention_days\":1}", 0, 0, &v, &err), 0);
}

static void
teardown(void)
{
    core_pii_ring_free(ring);
    app_arena_free(arena);
    dbt_drop(conn);
}

/* A job of `school` with a sealed upload, then ended as `state`/`failure`
   (NULL: left queued) `days_ago` days before now. Returns its id. */
static long long
job(const char *school, const char *state, const char *failure, int days_ago)
{
    static int n;
    char body[64], sha[65];
    int len = snprintf(body, sizeof(body), "upload %d of %s", ++n, school);
    core_file_sha256_hex((const unsigned char *)body, (size_t)len, sha);
    unsigned char *sealed;
    size_t sn;
    long long key, id = 0;
    app_err err = {0};
    ck_assert_int_eq(
        core_file_seal(ring, (const unsigned char *)body, (size_t)len, &sealed, &sn, &key, &err),
        0);
    db_import j = {.school = school,
                   .mode = "create",
                   .format = "csv",
                   .sha256 = sha,
                   .size = len,
                   .data_sealed = 1,
                   .data_key = key,
                   .created_by = 1,
                   .created_org = school};
    int existing = 0;
    ck_assert_msg(db_import_insert(conn, &j, sealed, sn, &id, &existing, &err) == 0, "insert: %s",
                  err.detail);
    free(sealed);
    if (state != NULL) {
        ck_assert_int_eq(db_import_finish(conn, id, state, failure, &err), 0);
        char sql[160];
        snprintf(sql, sizeof(sql),
                 "UPDATE import_job SET rejected = 2, errors_total = 2,"
                 " finished_at = now() - interval '%d days' WHERE id = %lld",
                 days_ago, id);
        ck_assert_int_eq(db_exec_sql(conn, sql, &err), 0);
    }
    return id;
}

/* 1 when job `id` still keeps its upload (and 0 with upload_deleted_at set when not). */
static int
kept(long long id)
{
    db_import j;
    int found = 0;
    app_err err = {0};
    ck_assert_int_eq(db_import_get(conn, id, arena, &j, &found, &err), 0);
    ck_assert(found);
    const unsigned char *d;
    size_t n;
    int rc = core_import_upload(conn, ring, id, arena, &d, &n, &err);
    if (rc == 0) {
        ck_assert_ptr_null(j.upload_deleted_at);
        return 1;
    }
    ck_assert_int_eq(rc, APP_ESTATE);
    ck_assert_str_eq(err.slug, "import_upload_deleted");
    ck_assert_ptr_nonnull(j.upload_deleted_at);
    /* the job itself stays readable: its counts and errors */
    ck_assert_int_eq(j.rejected, 2);
    ck_assert_int_eq(j.errors_total, 2);
    return 0;
}

START_TEST(test_uploads_deleted_after_retention)
{
    long long now = (long long)time(NULL);
    long long old_a = job(SCHOOL_A, "done", NULL, 8);
    long long new_a = job(SCHOOL_A, "done", NULL, 2);
    long long atomic_a = job(SCHOOL_A, "failed", "rows_rejected", 1);
    long long waiting = job(SCHOOL_A, NULL, NULL, 0);
    long long b = job(SCHOOL_B, "done", NULL, 2);
    ck_assert(kept(old_a) && kept(new_a) && kept(atomic_a) && kept(b));

    /* now: A's 8-day-old job (7 days) and B's 2-day-old job (1 day) */
    int n = -1;
    app_err err = {0};
    ck_assert_msg(core_import_purge(conn, now, &n, &err) == 0, "purge: %s", err.detail);
    ck_assert_int_eq(n, 2);
    ck_assert(!kept(old_a));
    ck_assert(!kept(b));
    ck_assert(kept(new_a) && kept(atomic_a));
    ck_assert_int_eq(core_import_purge(conn, now, &n, &err), 0);
    ck_assert_int_eq(n, 0);

    /* six days on: A's 2-day-old job (8 days); later its 1-day-old one; a job not ended never */
    ck_assert_int_eq(core_import_purge(conn, now + 6 * DAY, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert(!kept(new_a));
    ck_assert(kept(atomic_a));
    ck_assert_int_eq(core_import_purge(conn, now + 8 * DAY, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert(!kept(atomic_a));
    ck_assert_int_eq(core_import_purge(conn, now + 365 * DAY, &n, &err), 0);
    ck_assert_int_eq(n, 0);
    const unsigned char *d;
    size_t len;
    ck_assert_int_eq(core_import_upload(conn, ring, waiting, arena, &d, &len, &err), 0);
}
END_TEST

/* A job refused as a whole offers no errors file: its upload goes as it ends. */
START_TEST(test_refused_job_loses_its_upload_at_once)
{
    long long refused = job(SCHOOL_A, "failed", "template_mismatch", 0);
    long long atomic = job(SCHOOL_A, "failed", "rows_rejected", 0);
    long long done = job(SCHOOL_A, "done", NULL, 0);
    ck_assert(!kept(refused));
    ck_assert(kept(atomic) && kept(done));
    /* and one refused before that rule (its upload still there) goes at the next purge */
    long long older = job(SCHOOL_A, "done", NULL, 0);
    app_err err = {0};
    char sql[128];
    snprintf(sql, sizeof(sql),
             "UPDATE import_job SET state = 'failed', failure = 'xlsx_malformed' WHERE id = %lld",
             older);
    ck_assert_int_eq(db_exec_sql(conn, sql, &err), 0);
    int n = 0;
    ck_assert_int_eq(core_import_purge(conn, (long long)time(NULL), &n, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert(!kept(older));
    ck_assert(kept(atomic) && kept(done));
}
END_TEST

static Suite *
files_suite(void)
{
    Suite *s = suite_create("files");
    TCase *tc = tcase_create("retention");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_uploads_deleted_after_retention);
    tcase_add_test(tc, test_refused_job_loses_its_upload_at_once);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(files_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
