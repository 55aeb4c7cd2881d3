/*
 * tests/integration/infra_core_test.c - the core functions behind xuejid's
 * infrastructure, called directly against a real PostgreSQL
 * (XUEJI_TEST_DATABASE_URL), each test in a database of its own:
 * core/schema.h (migrations), core/idem.h (Idempotency-Key claims and
 * answers) and core/import_worker.h (a worker's turn: claim, uploader,
 * run as the uploader).
 */
#include "core/idem.h"
#include "core/import_worker.h"
#include "core/schema.h"
#include "db/db.h"
#include "db/import.h"
#include "db/school.h"
#include "db/user.h"
#include "tests/lib/dbtest.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

static db_conn *conn;
static app_arena *arena;

static void
setup(void)
{
    conn = dbt_create("xueji_infra");
    app_err err = {0};
    int applied = 0;
    ck_assert_msg(core_schema_migrate(conn, &applied, &err) == 0, "migrate: %s", err.detail);
    ck_assert_int_gt(applied, 0);
    arena = app_arena_new();
}

static void
teardown(void)
{
    app_arena_free(arena);
    dbt_drop(conn);
}

/* ---------------------------------------------------------------- schema */

START_TEST(test_schema_migrate_is_idempotent)
{
    app_err err = {0};
    int applied = -1;
    ck_assert_int_eq(core_schema_migrate(conn, &applied, &err), 0);
    ck_assert_int_eq(applied, 0);
    ck_assert_int_eq(core_schema_migrate(conn, NULL, &err), 0);
}
END_TEST

/* ------------------------------------------------------------------ idem */

static void
fp(const char *method, const char *path, const char *query, const char *body, char *out)
{
    core_idem_fingerprint(method, path, query, body, strlen(body), out);
}

START_TEST(test_idem_fingerprint)
{
    char a[CORE_IDEM_HASH_LEN], b[CORE_IDEM_HASH_LEN];
    fp("POST", "/api/v1/students", "", "{\"x\":1}", a);
    ck_assert_int_eq(strlen(a), 64);
    fp("POST", "/api/v1/students", "", "{\"x\":1}", b);
    ck_assert_str_eq(a, b);
    fp("POST", "/api/v1/students", "", "{\"x\":2}", b);
    ck_assert_str_ne(a, b);
    fp("POST", "/api/v1/students", "dry_run=true", "{\"x\":1}", b);
    ck_assert_str_ne(a, b);
    fp("PUT", "/api/v1/students", "", "{\"x\":1}", b);
    ck_assert_str_ne(a, b);
    /* the parts do not run together */
    fp("POST", "/a", "bc", "", a);
    fp("POST", "/ab", "c", "", b);
    ck_assert_str_ne(a, b);
}
END_TEST

static core_idem_state
claim(const char *scope, const char *key, const char *hash, core_idem_answer *ans)
{
    app_err err = {0};
    core_idem_state st = CORE_IDEM_NEW;
    int rc =
        core_idem_claim(conn, scope, key, "POST", "/api/v1/students", hash, arena, &st, ans, &err);
    ck_assert_msg(rc == 0, "claim: %d %s", rc, err.detail);
    return st;
}

static void
finish(const char *scope, const char *key, int status, int streamed, const char *body)
{
    app_err err = {0};
    int rc = core_idem_finish(conn, scope, key, status, streamed, "application/json", body, &err);
    ck_assert_msg(rc == 0, "finish: %d %s", rc, err.detail);
}

START_TEST(test_idem_claim_replay_mismatch)
{
    char h1[CORE_IDEM_HASH_LEN], h2[CORE_IDEM_HASH_LEN];
    fp("POST", "/api/v1/students", "", "{\"a\":1}", h1);
    fp("POST", "/api/v1/students", "", "{\"a\":2}", h2);
    core_idem_answer ans = {0};
    ck_assert_int_eq(claim("acct:7", "k1", h1, &ans), CORE_IDEM_NEW);
    /* the first is still running */
    ck_assert_int_eq(claim("acct:7", "k1", h1, &ans), CORE_IDEM_IN_PROGRESS);
    ck_assert_int_eq(claim("acct:7", "k1", h2, &ans), CORE_IDEM_MISMATCH);
    /* another caller's key of the same text is another key */
    ck_assert_int_eq(claim("acct:8", "k1", h2, &ans), CORE_IDEM_NEW);

    finish("acct:7", "k1", 201, 0, "{\"id\":42}");
    ck_assert_int_eq(claim("acct:7", "k1", h1, &ans), CORE_IDEM_REPLAY);
    ck_assert_int_eq(ans.status, 201);
    ck_assert_str_eq(ans.content_type, "application/json");
    ck_assert_int_eq(ans.len, strlen("{\"id\":42}"));
    ck_assert_str_eq(ans.body, "{\"id\":42}");
    ck_assert_int_eq(claim("acct:7", "k1", h2, &ans), CORE_IDEM_MISMATCH);

    /* a 4xx answer is kept like any other */
    ck_assert_int_eq(claim("acct:7", "k4", h1, &ans), CORE_IDEM_NEW);
    finish("acct:7", "k4", 422, 0, "{\"code\":\"validation_failed\"}");
    ck_assert_int_eq(claim("acct:7", "k4", h1, &ans), CORE_IDEM_REPLAY);
    ck_assert_int_eq(ans.status, 422);
}
END_TEST

START_TEST(test_idem_released_on_5xx_and_stream)
{
    char h[CORE_IDEM_HASH_LEN];
    fp("POST", "/api/v1/students", "", "{}", h);
    core_idem_answer ans = {0};
    ck_assert_int_eq(claim("ip:10.0.0.1", "k5", h, &ans), CORE_IDEM_NEW);
    finish("ip:10.0.0.1", "k5", 503, 0, "{\"code\":\"database_unavailable\"}");
    /* released: the retry runs */
    ck_assert_int_eq(claim("ip:10.0.0.1", "k5", h, &ans), CORE_IDEM_NEW);
    finish("ip:10.0.0.1", "k5", 500, 0, "{}");
    ck_assert_int_eq(claim("ip:10.0.0.1", "k5", h, &ans), CORE_IDEM_NEW);
    /* a streamed 200 is never held whole: released too */
    finish("ip:10.0.0.1", "k5", 200, 1, "");
    ck_assert_int_eq(claim("ip:10.0.0.1", "k5", h, &ans), CORE_IDEM_NEW);
}
END_TEST

/* --------------------------------------------------------- import worker */

#define SCHOOL "2141010201"

typedef struct seen {
    int calls;
    long long id;
    char role[16], org[16];
    int messages;
    char last_code[32];
} seen;

static void
op_for(void *ctx, const core_import_uploader *u, app_arena *a, core_actor *actor, core_op *out)
{
    static const core_env env = {NULL, NULL};
    seen *s = ctx;
    s->calls++;
    s->id = u->id;
    snprintf(s->role, sizeof(s->role), "%s", u->role);
    snprintf(s->org, sizeof(s->org), "%s", u->org);
    memset(actor, 0, sizeof(*actor));
    actor->user_id = u->id;
    actor->level = CORE_LEVEL_SCHOOL;
    snprintf(actor->org, sizeof(actor->org), "%s", u->org);
    memset(out, 0, sizeof(*out));
    out->actor = actor;
    out->env = &env;
    out->arena = a;
    out->today = 20261207;
}

static const char *
message(void *ctx, app_arena *a, long row, int column, const char *header, const char *code,
        const char *param)
{
    (void)row, (void)column, (void)header, (void)param;
    seen *s = ctx;
    s->messages++;
    snprintf(s->last_code, sizeof(s->last_code), "%s", code);
    return app_arena_strdup(a, code);
}

static void
add_school(void)
{
    db_school s = {.name = "郑州市中原区建设路第一小学", .system = "63", .category = 21};
    snprintf(s.code, sizeof(s.code), "%s", SCHOOL);
    snprintf(s.county, sizeof(s.county), "410102");
    snprintf(s.authority, sizeof(s.authority), "410102");
    snprintf(s.province, sizeof(s.province), "410000");
    int created = 0;
    app_err err = {0};
    ck_assert_msg(db_school_insert(conn, &s, &created, arena, NULL, &err) == 0, "school: %s",
                  err.detail);
}

static long long
add_user(const char *username)
{
    db_user u = {.username = username,
                 .display_name = "学籍管理员",
                 .role = "school",
                 .org = SCHOOL,
                 .staff_role = "registrar",
                 .password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$aGFzaA"};
    long long id = 0;
    app_err err = {0};
    ck_assert_msg(db_user_insert(conn, &u, &id, &err) == 0, "user: %s", err.detail);
    return id;
}

/* An empty CSV upload of SCHOOL by `uploader`, stored in clear. */
static long long
add_job(long long uploader, const char *sha)
{
    db_import job = {.school = SCHOOL,
                     .mode = "create",
                     .format = "csv",
                     .sha256 = sha,
                     .size = 0,
                     .created_by = uploader,
                     .created_org = SCHOOL};
    long long id = 0;
    int existing = 0;
    app_err err = {0};
    ck_assert_msg(
        db_import_insert(conn, &job, (const unsigned char *)"", 0, &id, &existing, &err) == 0,
        "import: %s", err.detail);
    ck_assert_int_eq(existing, 0);
    return id;
}

static db_import
job_row(long long id)
{
    db_import j;
    int found = 0;
    app_err err = {0};
    ck_assert_int_eq(db_import_get(conn, id, arena, &j, &found, &err), 0);
    ck_assert(found);
    return j;
}

static int
turn(seen *s, core_import_turn *t, app_err *err)
{
    return core_import_worker_turn(conn, 300, op_for, s, message, s, arena, t, err);
}

START_TEST(test_worker_no_job)
{
    seen s = {0};
    core_import_turn t;
    app_err err = {0};
    ck_assert_int_eq(turn(&s, &t, &err), 0);
    ck_assert_int_eq(t.found, 0);
    ck_assert_int_eq(s.calls, 0);
}
END_TEST

START_TEST(test_worker_uploader_gone)
{
    add_school();
    long long id = add_job(987654, "00aa");
    seen s = {0};
    core_import_turn t;
    app_err err = {0};
    ck_assert_int_eq(turn(&s, &t, &err), 0);
    ck_assert_int_eq(t.found, 1);
    ck_assert_int_eq(t.skipped, 1);
    ck_assert_int_eq(t.id, id);
    ck_assert_int_eq(s.calls, 0); /* never run */
    db_import j = job_row(id);
    ck_assert_str_eq(j.state, "failed");
    ck_assert_str_eq(j.failure, "uploader_gone");
    /* nothing left to claim */
    ck_assert_int_eq(turn(&s, &t, &err), 0);
    ck_assert_int_eq(t.found, 0);
}
END_TEST

START_TEST(test_worker_runs_as_uploader)
{
    add_school();
    long long uid = add_user("jianshe.registrar");
    long long id = add_job(uid, "00bb");
    seen s = {0};
    core_import_turn t;
    app_err err = {0};
    int rc = turn(&s, &t, &err);
    ck_assert_msg(rc == 0, "turn: %d %s", rc, err.detail);
    ck_assert_int_eq(t.found, 1);
    ck_assert_int_eq(t.skipped, 0);
    ck_assert_int_eq(t.id, id);
    ck_assert_int_eq(s.calls, 1);
    ck_assert_int_eq(s.id, uid);
    ck_assert_str_eq(s.role, "school");
    ck_assert_str_eq(s.org, SCHOOL);
    /* an empty file: the job ends failed, its error worded by `message` */
    ck_assert_str_eq(t.state, "failed");
    ck_assert_int_eq(t.total, 0);
    ck_assert_int_eq(s.messages, 1);
    ck_assert_str_eq(s.last_code, "import_empty");
    db_import j = job_row(id);
    ck_assert_str_eq(j.state, "failed");
    ck_assert_str_eq(j.failure, "import_empty");
    ck_assert_int_eq(j.attempts, 1);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("infra-core");
    TCase *tc = tcase_create("postgres");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_schema_migrate_is_idempotent);
    tcase_add_test(tc, test_idem_fingerprint);
    tcase_add_test(tc, test_idem_claim_replay_mismatch);
    tcase_add_test(tc, test_idem_released_on_5xx_and_stream);
    tcase_add_test(tc, test_worker_no_job);
    tcase_add_test(tc, test_worker_uploader_gone);
    tcase_add_test(tc, test_worker_runs_as_uploader);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
