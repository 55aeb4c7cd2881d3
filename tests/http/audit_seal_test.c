/*
 * tests/http/audit_seal_test.c - the audit sealer inside xuejid (ADR 0023):
 * rows get sealed within a few intervals, /metrics shows the backlog, an
 * open transaction holds its rows back without touching /readyz, one of two
 * servers seals and the other takes over when it stops, and `xuejictl audit
 * verify` and `audit pubkey` work with the servers' key.
 */
#include "tests/lib/httptest.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const fast[] = {"XUEJI_AUDIT_SEAL_INTERVAL_MS=50", NULL};

static long long
scalar(PGconn *db, const char *sql)
{
    PGresult *r = PQexec(db, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(db));
    long long v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return v;
}

/* A fresh audit row (committed); its id. */
static long long
audit_row(PGconn *db, const char *what)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "INSERT INTO audit (actor_org, action, target_type, target_id, detail)"
             " VALUES ('410102', 'test.seal', 'test', '%s', '{\"说明\": \"封存\"}') RETURNING id",
             what);
    return scalar(db, sql);
}

/* Wait until row `id` is sealed; its seq (0 when not within the time). */
static long long
wait_sealed(PGconn *db, long long id, int ms)
{
    char sql[96];
    snprintf(sql, sizeof(sql), "SELECT coalesce(seq, 0) FROM audit WHERE id = %lld", id);
    long long seq = 0;
    for (long long end = ht_now_ms() + ms; (seq = scalar(db, sql)) == 0 && ht_now_ms() < end;)
        ht_sleep_ms(20);
    return seq;
}

/* The value of a metric line "name value" in /metrics; -1 when absent. */
static double
metric(ht_server *s, const char *name)
{
    ht_resp r;
    ck_assert_int_eq(ht_get(s, "/metrics", &r), 0);
    ck_assert_int_eq(r.status, 200);
    char key[96];
    snprintf(key, sizeof(key), "\n%s ", name);
    const char *p = strstr(r.body, key);
    double v = p ? strtod(p + strlen(key), NULL) : -1;
    ht_resp_free(&r);
    return v;
}

/* Run xuejictl (next to XUEJID_BIN) with `args` and `env` on the test
   database; its exit status, its output in *out_text (free). */
static int
run_ctl(const char *a1, const char *a2, const char *env1, char **out_text)
{
    const char *bin = getenv("XUEJID_BIN");
    ck_assert_ptr_nonnull(bin);
    char ctl[PATH_MAX], out[PATH_MAX + 16], url[1024], pathv[PATH_MAX + 8];
    snprintf(ctl, sizeof(ctl), "%s", bin);
    char *slash = strrchr(ctl, '/');
    snprintf(slash + 1, sizeof(ctl) - (size_t)(slash + 1 - ctl), "xuejictl");
    snprintf(out, sizeof(out), "/tmp/xueji-seal.%ld.out", (long)getpid());
    snprintf(url, sizeof(url), "XUEJI_DATABASE_URL=%s", getenv("XUEJI_TEST_DATABASE_URL"));
    const char *path = getenv("PATH");
    snprintf(pathv, sizeof(pathv), "PATH=%s", path ? path : "/usr/bin:/bin");
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        char *argv[] = {ctl, (char *)a1, (char *)a2, NULL};
        char *envp[] = {url, pathv, (char *)env1, NULL};
        execve(ctl, argv, envp);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    FILE *f = fopen(out, "r");
    ck_assert_ptr_nonnull(f);
    char *text = calloc(1, 65536);
    size_t n = fread(text, 1, 65535, f);
    text[n] = '\0';
    fclose(f);
    unlink(out);
    *out_text = text;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

START_TEST(test_rows_sealed_and_metrics)
{
    ht_server *srv = ht_server_start(fast);
    ck_assert_ptr_nonnull(srv);
    PGconn *db = ht_db_connect();
    long long id = audit_row(db, "a");
    ck_assert_int_gt(wait_sealed(db, id, 10000), 0);
    ck_assert_int_eq(scalar(db, "SELECT count(*) FROM audit WHERE seq IS NULL"), 0);
    /* the sealer's key is the configured one */
    char *text = NULL;
    ck_assert_int_eq(run_ctl("audit", "pubkey", "XUEJI_AUDIT_SIGNING_KEY=" HT_AUDIT_KEY, &text), 0);
    char want[24];
    snprintf(want, sizeof(want), "%.16s", text);
    free(text);
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit_seal WHERE key_id <> '%s'", want);
    ck_assert_int_eq(scalar(db, sql), 0);

    /* an open transaction holds its rows (and later ones) back; /readyz stays 200 */
    PGconn *open = ht_db_connect();
    ht_db_exec(open, "BEGIN");
    long long held = audit_row(open, "held");
    long long later = audit_row(db, "later");
    long long end = ht_now_ms() + 10000;
    while (metric(srv, "xueji_audit_unsealed_rows") < 1 && ht_now_ms() < end)
        ht_sleep_ms(20);
    ht_sleep_ms(300);
    ck_assert_int_eq(wait_sealed(db, later, 1), 0);
    ck_assert_msg(metric(srv, "xueji_audit_unsealed_rows") >= 1, "backlog not shown");
    ck_assert_msg(metric(srv, "xueji_audit_unsealed_oldest_seconds") >= 0.2, "age not shown");
    ck_assert(metric(srv, "xueji_audit_sealer_leader") == 1);
    ht_resp r;
    ck_assert_int_eq(ht_get(srv, "/readyz", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    ht_db_exec(open, "COMMIT");
    ck_assert_int_gt(wait_sealed(db, later, 10000), 0);
    snprintf(sql, sizeof(sql),
             "SELECT ((SELECT seq FROM audit WHERE id = %lld) <"
             " (SELECT seq FROM audit WHERE id = %lld))::int",
             held, later);
    ck_assert_int_eq(scalar(db, sql), 1); /* in transaction order */
    end = ht_now_ms() + 10000;
    while (metric(srv, "xueji_audit_unsealed_rows") != 0 && ht_now_ms() < end)
        ht_sleep_ms(20);
    ck_assert(metric(srv, "xueji_audit_unsealed_rows") == 0);

    /* verify with the servers' key; a foreign public key fails */
    ck_assert_msg(run_ctl("audit", "verify", "XUEJI_AUDIT_SIGNING_KEY=" HT_AUDIT_KEY, &text) == 0,
                  "%s", text);
    ck_assert_msg(strstr(text, "intact") != NULL, "%s", text);
    free(text);
    ck_assert_int_eq(run_ctl("audit", "verify",
                             "XUEJI_AUDIT_PUBLIC_KEY=" HT_DATA_KEY /* not a public key of ours */,
                             &text),
                     1);
    ck_assert_msg(strstr(text, "seal 1: the signature") != NULL, "%s", text);
    free(text);
    PQfinish(open);
    PQfinish(db);
    ck_assert_int_eq(ht_server_stop(srv), 0);
}
END_TEST

/* Two servers: one seals; when it stops, the other takes over. */
START_TEST(test_second_server_takes_over)
{
    ht_server *a = ht_server_start(fast);
    ck_assert_ptr_nonnull(a);
    PGconn *db = ht_db_connect();
    ck_assert_int_gt(wait_sealed(db, audit_row(db, "b1"), 10000), 0);
    ht_server *b = ht_server_start(fast);
    ck_assert_ptr_nonnull(b);
    ck_assert_int_gt(wait_sealed(db, audit_row(db, "b2"), 10000), 0);
    ht_sleep_ms(200);
    ck_assert(metric(a, "xueji_audit_sealer_leader") == 1);
    ck_assert(metric(b, "xueji_audit_sealer_leader") == 0);
    ck_assert_int_eq(ht_server_stop(a), 0);
    ck_assert_int_gt(wait_sealed(db, audit_row(db, "b3"), 10000), 0);
    ck_assert(metric(b, "xueji_audit_sealer_leader") == 1);
    ck_assert_int_ge(ht_server_log_count(b, "this process seals the audit trail"), 1);
    char *text = NULL;
    ck_assert_msg(run_ctl("audit", "verify", "XUEJI_AUDIT_SIGNING_KEY=" HT_AUDIT_KEY, &text) == 0,
                  "%s", text);
    free(text);
    PQfinish(db);
    ck_assert_int_eq(ht_server_stop(b), 0);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("audit_seal_http");
    TCase *tc = tcase_create("sealer");
    tcase_set_timeout(tc, ht_timeout(60));
    tcase_add_test(tc, test_rows_sealed_and_metrics);
    tcase_add_test(tc, test_second_server_takes_over);
    suite_add_tcase(s, tc);
    return ht_run_suite(s, NULL);
}
