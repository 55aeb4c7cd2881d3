/*
 * tests/http/lifecycle_test.c - xuejid as a process: cancelled HTTP/2 requests,
 * graceful shutdown, losing and regaining PostgreSQL, production key checks,
 * --help and migrate.
 *
 * Slow requests are made deterministic by holding an ACCESS EXCLUSIVE lock on
 * the region table from a test connection: region reads then wait in the DB
 * worker pool until the test commits, and /metrics (answered on the loop
 * thread) shows them as xueji_db_pool_in_use + xueji_db_pool_waiting.
 */
#include "tests/lib/httptest.h"

#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REGION "/api/v1/regions/410102"

/* xueji_db_pool_in_use + xueji_db_pool_waiting, from /metrics. */
static int
pool_load(ht_server *s)
{
    ht_resp r;
    ck_assert_int_eq(ht_get(s, "/metrics", &r), 0);
    ck_assert_int_eq(r.status, 200);
    const char *a = strstr(r.body, "\nxueji_db_pool_in_use ");
    const char *b = strstr(r.body, "\nxueji_db_pool_waiting ");
    ck_assert_msg(a && b, "no pool gauges in %s", r.body);
    int n =
        atoi(a + strlen("\nxueji_db_pool_in_use ")) + atoi(b + strlen("\nxueji_db_pool_waiting "));
    ht_resp_free(&r);
    return n;
}

static size_t
discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static CURL *
easy_for(ht_server *s, const char *path, int h2)
{
    char url[256];
    ht_url(s, path, url, sizeof(url));
    CURL *e = curl_easy_init();
    ck_assert_ptr_nonnull(e);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)ht_timeout(30));
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                     h2 ? (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE : (long)CURL_HTTP_VERSION_1_1);
    if (getenv("XUEJI_TEST_VERBOSE"))
        curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
    return e;
}

/* Drive `m` for up to `ms` milliseconds, or until it has no transfer running. */
static int
drive(CURLM *m, int ms)
{
    int running = 0;
    long long end = ht_now_ms() + ms;
    do {
        curl_multi_perform(m, &running);
        curl_multi_poll(m, NULL, 0, 10, NULL);
    } while (ht_now_ms() < end && running > 0);
    return running;
}

/* Drive `m` until the server's pool holds `want` jobs (asserts within 20 s). */
static void
drive_until_load(CURLM *m, ht_server *s, int want)
{
    long long end = ht_now_ms() + ht_timeout(20) * 1000;
    int load = 0;
    while (ht_now_ms() < end) {
        drive(m, 50);
        load = pool_load(s);
        if (load >= want)
            return;
    }
    ck_abort_msg("the server holds %d DB jobs, expected %d", load, want);
}

/* The region table locked by a transaction of the test's own. */
static PGconn *
lock_regions(void)
{
    PGconn *db = ht_db_connect();
    ht_db_exec(db, "BEGIN");
    ht_db_exec(db, "LOCK TABLE region IN ACCESS EXCLUSIVE MODE");
    return db;
}

static void
unlock_regions(PGconn *db)
{
    ht_db_exec(db, "COMMIT");
    PQfinish(db);
}

/* Both protocols answer normally. */
static void
assert_serves(ht_server *s)
{
    ht_resp r;
    ck_assert_int_eq(ht_request2(s, "GET", REGION, NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "name"), "中原区");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_get(s, REGION, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    ck_assert_int_eq(ht_get(s, "/readyz", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
}

/* ---- a minimal HTTP/2 client ---------------------------------------------
 *
 * libcurl 7.88.1 (Debian 12) cannot reuse an h2c prior-knowledge connection
 * for a second transfer ("Error in the HTTP2 framing layer", curl issue
 * #10634, fixed in 8.0), so streams that must share one connection, and the
 * RST_STREAM frames that cancel them, are written by hand. HPACK: literal
 * header fields without indexing, no Huffman coding.
 */

typedef struct h2c {
    int fd;
    unsigned char buf[1 << 16];
    size_t len;
    int headers_seen[128]; /* HEADERS frames received, by stream id (< 128) */
    int status_200[128];   /* their first field was :status 200 (static index 8) */
    int goaway;
} h2c;

static void
h2_send(h2c *c, int type, int flags, unsigned stream, const void *payload, size_t len)
{
    unsigned char hdr[9] = {
        (unsigned char)(len >> 16),    (unsigned char)(len >> 8),    (unsigned char)len,
        (unsigned char)type,           (unsigned char)flags,         (unsigned char)(stream >> 24),
        (unsigned char)(stream >> 16), (unsigned char)(stream >> 8), (unsigned char)stream};
    ck_assert_int_eq(send(c->fd, hdr, 9, MSG_NOSIGNAL), 9);
    if (len > 0)
        ck_assert_int_eq(send(c->fd, payload, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void
h2_connect(h2c *c, ht_server *s)
{
    memset(c, 0, sizeof(*c));
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(c->fd, 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)ht_server_port(s));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ck_assert_int_eq(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    ck_assert_int_eq(send(c->fd, preface, sizeof(preface) - 1, MSG_NOSIGNAL),
                     (ssize_t)(sizeof(preface) - 1));
    h2_send(c, 4 /* SETTINGS */, 0, 0, NULL, 0);
}

/* GET `path` on `stream` (odd, client-initiated), END_STREAM | END_HEADERS. */
static void
h2_get(h2c *c, unsigned stream, ht_server *s, const char *path)
{
    unsigned char b[512];
    size_t n = 0;
    char authority[32];
    snprintf(authority, sizeof(authority), "127.0.0.1:%d", ht_server_port(s));
    b[n++] = 0x82; /* :method GET */
    b[n++] = 0x86; /* :scheme http */
    b[n++] = 0x04; /* :path, literal value */
    b[n++] = (unsigned char)strlen(path);
    memcpy(b + n, path, strlen(path));
    n += strlen(path);
    b[n++] = 0x01; /* :authority, literal value */
    b[n++] = (unsigned char)strlen(authority);
    memcpy(b + n, authority, strlen(authority));
    n += strlen(authority);
    h2_send(c, 1 /* HEADERS */, 0x5, stream, b, n);
}

static void
h2_reset(h2c *c, unsigned stream)
{
    unsigned char code[4] = {0, 0, 0, 8}; /* CANCEL */
    h2_send(c, 3 /* RST_STREAM */, 0, stream, code, 4);
}

/* Read and handle frames for up to `ms`; returns 0 when the peer closed. */
static int
h2_pump(h2c *c, int ms)
{
    long long end = ht_now_ms() + ms;
    for (;;) {
        struct pollfd pfd = {c->fd, POLLIN, 0};
        long long left = end - ht_now_ms();
        if (left <= 0)
            return 1;
        if (poll(&pfd, 1, (int)left) <= 0)
            continue;
        ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
        if (r <= 0)
            return 0;
        c->len += (size_t)r;
        while (c->len >= 9) {
            size_t flen = (size_t)c->buf[0] << 16 | (size_t)c->buf[1] << 8 | c->buf[2];
            if (c->len < 9 + flen)
                break;
            int type = c->buf[3], flags = c->buf[4];
            unsigned stream = ((unsigned)c->buf[5] << 24 | (unsigned)c->buf[6] << 16 |
                               (unsigned)c->buf[7] << 8 | c->buf[8]) &
                              0x7fffffffu;
            if (type == 4 && !(flags & 1))
                h2_send(c, 4, 1, 0, NULL, 0); /* SETTINGS ACK */
            if (type == 7)
                c->goaway = 1;
            if (type == 1 && stream < 128) {
                c->headers_seen[stream]++;
                const unsigned char *p = c->buf + 9;
                size_t skip = (flags & 0x8) ? 1 + p[0] : 0; /* PADDED */
                if (flags & 0x20)
                    skip += 5; /* PRIORITY */
                if (flen > skip && p[skip] == 0x88)
                    c->status_200[stream] = 1;
            }
            memmove(c->buf, c->buf + 9 + flen, c->len - 9 - flen);
            c->len -= 9 + flen;
        }
    }
}

/* ---- cancellation ------------------------------------------------------- */

#define NCANCEL 25

/*
 * 25 HTTP/2 streams reset by the client (RST_STREAM, the connection stays) and
 * 25 more dropped with their connection, all while their DB jobs wait on the
 * lock; the jobs then finish for requests h2o has already freed. The answers
 * must be dropped (the debug log says so 50 times), never sent on the reset
 * streams, nothing may crash, the first connection keeps working, and in the
 * ASan build the exit must be clean.
 */
START_TEST(test_h2_cancel_while_db_job_pending)
{
    const char *env[] = {"XUEJI_LOG_LEVEL=debug", NULL};
    ht_server *s = ht_server_start(env);
    ck_assert_ptr_nonnull(s);
    assert_serves(s); /* also prepares the statements on some connections */
    PGconn *db = lock_regions();

    h2c *a = calloc(1, sizeof(h2c)), *b = calloc(1, sizeof(h2c));
    ck_assert(a && b);
    h2_connect(a, s);
    for (unsigned i = 0; i < NCANCEL; i++)
        h2_get(a, 1 + 2 * i, s, REGION);
    long long end = ht_now_ms() + ht_timeout(20) * 1000;
    while (pool_load(s) < NCANCEL && ht_now_ms() < end)
        ck_assert_msg(h2_pump(a, 20), "connection closed");
    ck_assert_int_eq(pool_load(s), NCANCEL);
    for (unsigned i = 0; i < NCANCEL; i++)
        h2_reset(a, 1 + 2 * i);
    ck_assert(h2_pump(a, 200));

    h2_connect(b, s);
    for (unsigned i = 0; i < NCANCEL; i++)
        h2_get(b, 1 + 2 * i, s, REGION);
    while (pool_load(s) < 2 * NCANCEL && ht_now_ms() < end)
        h2_pump(b, 20);
    ck_assert_int_eq(pool_load(s), 2 * NCANCEL);
    close(b->fd);

    /* the server is fine while the jobs wait, and after they end */
    ht_resp r;
    ck_assert_int_eq(ht_request2(s, "GET", "/healthz", NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    unlock_regions(db);
    while (pool_load(s) > 0 && ht_now_ms() < end)
        ck_assert_msg(h2_pump(a, 20), "connection closed");
    ck_assert_int_eq(pool_load(s), 0);

    /* the reset streams got nothing; a new stream on the same connection works */
    ck_assert(h2_pump(a, 200));
    for (unsigned i = 0; i < NCANCEL; i++)
        ck_assert_msg(a->headers_seen[1 + 2 * i] == 0, "an answer on reset stream %u", 1 + 2 * i);
    unsigned last = 1 + 2 * NCANCEL;
    h2_get(a, last, s, REGION);
    while (!a->headers_seen[last] && ht_now_ms() < end)
        ck_assert_msg(h2_pump(a, 20), "connection closed");
    ck_assert_msg(a->status_200[last], "no 200 on stream %u", last);
    ck_assert(!a->goaway);
    close(a->fd);
    free(a);
    free(b);

    assert_serves(s);
    ck_assert_int_eq(ht_server_log_count(s, "client gone before the answer"), 2 * NCANCEL);
    ck_assert_int_eq(ht_server_stop(s), 0);
}
END_TEST

/* Many HTTP/2 requests abandoned by 1-3 ms client timeouts, at random points. */
START_TEST(test_h2_client_timeouts)
{
    ht_server *s = ht_server_start(NULL);
    ck_assert_ptr_nonnull(s);
    for (int round = 0; round < 3; round++) {
        CURLM *m = curl_multi_init();
        CURL *e[50];
        for (int i = 0; i < 50; i++) {
            e[i] = easy_for(s, i % 2 ? REGION : "/readyz", 1);
            curl_easy_setopt(e[i], CURLOPT_PIPEWAIT, 0L);
            curl_easy_setopt(e[i], CURLOPT_FRESH_CONNECT, 1L);
            curl_easy_setopt(e[i], CURLOPT_FORBID_REUSE, 1L);
            curl_easy_setopt(e[i], CURLOPT_TIMEOUT_MS, (long)(1 + round));
            curl_multi_add_handle(m, e[i]);
        }
        drive(m, 3000);
        for (int i = 0; i < 50; i++) {
            curl_multi_remove_handle(m, e[i]);
            curl_easy_cleanup(e[i]);
        }
        curl_multi_cleanup(m);
    }
    ck_assert(ht_server_alive(s));
    assert_serves(s);
    ck_assert_int_eq(ht_server_stop(s), 0);
}
END_TEST

/* ---- graceful shutdown ------------------------------------------------- */

/*
 * A request whose DB job is running when SIGTERM comes still gets its answer.
 * (It asks for Connection: close, so that no idle connection is left at exit:
 * that case is test_shutdown_with_idle_h1_connection.)
 */
START_TEST(test_shutdown_finishes_inflight_request)
{
    ht_server *s = ht_server_start(NULL);
    ck_assert_ptr_nonnull(s);
    assert_serves(s);
    PGconn *db = lock_regions();
    CURLM *m = curl_multi_init();
    CURL *e = easy_for(s, REGION, 0);
    struct curl_slist *close_hdr = curl_slist_append(NULL, "Connection: close");
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, close_hdr);
    curl_multi_add_handle(m, e);
    drive_until_load(m, s, 1);

    ht_server_signal_term(s);
    drive(m, 500);
    ck_assert_msg(ht_server_alive(s), "exited with a request in flight");
    unlock_regions(db);

    int running = drive(m, ht_timeout(10) * 1000);
    ck_assert_int_eq(running, 0);
    int left;
    CURLMsg *msg = curl_multi_info_read(m, &left);
    ck_assert_ptr_nonnull(msg);
    ck_assert_int_eq(msg->data.result, CURLE_OK);
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    ck_assert_int_eq(status, 200);
    curl_multi_remove_handle(m, e);
    curl_easy_cleanup(e);
    curl_multi_cleanup(m);
    curl_slist_free_all(close_hdr);

    ck_assert_int_eq(ht_server_wait(s, 7000), 0);
}
END_TEST

/*
 * An idle keep-alive connection does not hold the exit up, nor break it: the
 * process exits 0 within XUEJI_SHUTDOWN_TIMEOUT (5) + 2 s.
 */
static void
shutdown_with_idle_connection(int h2)
{
    ht_server *s = ht_server_start(NULL);
    ck_assert_ptr_nonnull(s);
    CURL *e = easy_for(s, "/healthz", h2);
    ck_assert_int_eq(curl_easy_perform(e), CURLE_OK);
    long v = 0;
    curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &v);
    ck_assert_int_eq(v, h2 ? CURL_HTTP_VERSION_2_0 : CURL_HTTP_VERSION_1_1);
    /* the connection stays open, idle, in the handle's cache */
    long long t0 = ht_now_ms();
    ht_server_signal_term(s);
    int rc = ht_server_wait(s, 5000 + 2000);
    long long took = ht_now_ms() - t0;
    curl_easy_cleanup(e);
    if (rc == -2)
        ht_server_kill(s);
    if (rc != 0) {
        char *log = ht_server_log(s);
        fprintf(stderr, "---- xuejid log ----\n%s---- end ----\n", log);
        free(log);
    }
    ck_assert_msg(rc == 0, "exit status %d after %lld ms (-2: still running, 134: SIGABRT)", rc,
                  took);
}

START_TEST(test_shutdown_with_idle_h1_connection)
{
    shutdown_with_idle_connection(0);
}
END_TEST

START_TEST(test_shutdown_with_idle_h2_connection)
{
    shutdown_with_idle_connection(1);
}
END_TEST

/*
 * A DB job that outlives XUEJI_SHUTDOWN_TIMEOUT (here 1 s) must not keep the
 * process alive: a supervisor's SIGKILL follows its grace period. The lock is
 * held for up to 5 s; the process must be gone within the timeout + 2 s.
 */
START_TEST(test_shutdown_timeout_with_stuck_db_job)
{
    const char *env[] = {"XUEJI_SHUTDOWN_TIMEOUT=1", NULL};
    ht_server *s = ht_server_start(env);
    ck_assert_ptr_nonnull(s);
    assert_serves(s);
    PGconn *db = lock_regions();
    CURLM *m = curl_multi_init();
    CURL *e = easy_for(s, REGION, 0);
    curl_multi_add_handle(m, e);
    drive_until_load(m, s, 1);

    long long t0 = ht_now_ms();
    ht_server_signal_term(s);
    int rc = -2;
    while (rc == -2 && ht_now_ms() - t0 < 5000) {
        drive(m, 20);
        rc = ht_server_wait(s, 0);
    }
    long long took = ht_now_ms() - t0;
    unlock_regions(db);
    if (rc == -2)
        rc = ht_server_wait(s, 5000);
    curl_multi_remove_handle(m, e);
    curl_easy_cleanup(e);
    curl_multi_cleanup(m);
    ck_assert_msg(took <= 3000 && rc == 0,
                  "exit status %d after %lld ms with a DB job stuck (XUEJI_SHUTDOWN_TIMEOUT=1; "
                  "the lock was released at 5 s)",
                  rc, took);
}
END_TEST

/* ---- database outage ------------------------------------------------------ */

/* Poll `path` until it answers `status` (asserts within `ms`). */
static void
wait_status(ht_server *s, const char *path, long status, int ms)
{
    long long end = ht_now_ms() + ms;
    long last = 0;
    for (;;) {
        ht_resp r;
        ck_assert_int_eq(ht_get(s, path, &r), 0);
        last = r.status;
        if (r.status == status) {
            if (status == 503)
                ht_assert_problem(&r, 503, "database_unavailable");
            ht_resp_free(&r);
            return;
        }
        ht_resp_free(&r);
        ck_assert_msg(ht_now_ms() < end, "%s still answers %ld after %d ms, expected %ld", path,
                      last, ms, status);
        ht_sleep_ms(100);
    }
}

START_TEST(test_database_outage_and_recovery)
{
    ht_server *s = ht_server_start(NULL);
    ck_assert_ptr_nonnull(s);
    wait_status(s, "/readyz", 200, 1000);
    assert_serves(s);

    ck_assert_int_eq(ht_pg_ctl("stop"), 0);
    wait_status(s, "/readyz", 503, 10000);
    ht_resp r;
    ck_assert_int_eq(ht_get(s, REGION, &r), 0);
    ht_assert_problem(&r, 503, "database_unavailable");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_get(s, "/api/v1/code-tables", &r), 0);
    ht_assert_problem(&r, 503, "database_unavailable");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_post_json(s, "/api/v1/id-numbers/validate",
                                  "{\"id_number\":\"11010119900307803X\"}", NULL, &r),
                     0);
    ck_assert_int_ne(r.status, 200); /* it reads regions */
    ht_resp_free(&r);
    const char *en[] = {"Accept-Language: en", NULL};
    ck_assert_int_eq(ht_request(s, "GET", "/readyz", en, NULL, 0, &r), 0);
    ht_assert_problem(&r, 503, "database_unavailable");
    /* internal details (libpq messages, socket paths) stay in the log */
    ck_assert_ptr_null(strstr(r.body, "socket"));
    ck_assert_ptr_null(strstr(r.body, "connect"));
    ht_resp_free(&r);
    /* liveness does not depend on the database */
    ck_assert_int_eq(ht_get(s, "/healthz", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);

    ck_assert_int_eq(ht_pg_ctl("start"), 0);
    wait_status(s, "/readyz", 200, 10000);
    /* every pool connection comes back: more reads than connections */
    for (int i = 0; i < 12; i++) {
        ck_assert_int_eq(ht_get(s, REGION, &r), 0);
        ck_assert_msg(r.status == 200, "read %d after recovery: %ld %s", i, r.status, r.body);
        ht_resp_free(&r);
    }
    assert_serves(s);
    ck_assert(ht_server_alive(s));
    ck_assert_int_eq(ht_server_stop(s), 0);
}
END_TEST

/* Unchecked teardown (runs in the runner process): the cluster is left running
   even when the outage test failed half-way. */
static void
restart_pg(void)
{
    ht_pg_ctl("start");
}

/* ---- configuration and commands ----------------------------------------- */

START_TEST(test_production_refuses_dev_keys)
{
    const char *env[] = {"XUEJI_ENV=production",
                         "XUEJI_JWT_SECRET=xueji-dev-0123456789abcdef0123456789abcdef",
                         "XUEJI_DATA_KEY=xueji-dev-" HT_DATA_KEY, NULL};
    const char *args[] = {"serve", NULL};
    char *out = NULL;
    int rc = ht_run_xuejid(args, env, ht_timeout(15), &out);
    ck_assert_msg(rc != 0 && rc != -1, "exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "xueji-dev-") != NULL && strstr(out, "production") != NULL,
                  "no explanation on stderr: %s", out);
    ck_assert_ptr_null(strstr(out, "0123456789abcdef0123456789abcdef")); /* no secret echoed */
    free(out);

    /* one development key is enough to refuse */
    const char *env2[] = {"XUEJI_ENV=production", "XUEJI_DATA_KEY=xueji-dev-" HT_DATA_KEY, NULL};
    rc = ht_run_xuejid(args, env2, ht_timeout(15), &out);
    ck_assert_msg(rc != 0 && rc != -1, "exit %d: %s", rc, out);
    free(out);
}
END_TEST

START_TEST(test_production_needs_keys)
{
    const char *args[] = {"serve", NULL};
    const char *env[] = {"XUEJI_ENV=production", "XUEJI_JWT_SECRET", "XUEJI_DATA_KEY", NULL};
    char *out = NULL;
    int rc = ht_run_xuejid(args, env, ht_timeout(15), &out);
    ck_assert_msg(rc != 0 && rc != -1, "exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "XUEJI_JWT_SECRET") != NULL, "stderr: %s", out);
    free(out);

    /* production is the default */
    const char *env2[] = {"XUEJI_ENV", "XUEJI_JWT_SECRET", "XUEJI_DATA_KEY", NULL};
    rc = ht_run_xuejid(args, env2, ht_timeout(15), &out);
    ck_assert_msg(rc != 0 && rc != -1, "exit %d: %s", rc, out);
    free(out);

    /* a short secret or a bad data key is refused in any mode */
    const char *env3[] = {"XUEJI_JWT_SECRET=too-short", NULL};
    rc = ht_run_xuejid(args, env3, ht_timeout(15), &out);
    ck_assert_msg(rc != 0 && rc != -1 && strstr(out, "XUEJI_JWT_SECRET") != NULL, "exit %d: %s", rc,
                  out);
    free(out);
    const char *env4[] = {"XUEJI_DATA_KEY=0011", NULL};
    rc = ht_run_xuejid(args, env4, ht_timeout(15), &out);
    ck_assert_msg(rc != 0 && rc != -1 && strstr(out, "XUEJI_DATA_KEY") != NULL, "exit %d: %s", rc,
                  out);
    free(out);
}
END_TEST

START_TEST(test_production_with_real_keys_serves)
{
    const char *env[] = {"XUEJI_ENV=production", NULL};
    ht_server *s = ht_server_start(env);
    ck_assert_ptr_nonnull(s);
    ht_resp r;
    ck_assert_int_eq(ht_get(s, "/readyz", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    ck_assert_int_eq(ht_server_stop(s), 0);
    char *log = ht_server_log(s);
    ck_assert_ptr_null(strstr(log, HT_JWT_SECRET));
    ck_assert_ptr_null(strstr(log, HT_DATA_KEY));
    free(log);
}
END_TEST

START_TEST(test_help)
{
    const char *args[] = {"--help", NULL};
    char *out = NULL;
    int rc = ht_run_xuejid(args, NULL, ht_timeout(15), &out);
    ck_assert_msg(rc == 0, "exit %d: %s", rc, out);
    static const char *const vars[] = {
        "XUEJI_DATABASE_URL",   "XUEJI_LISTEN",        "XUEJI_THREADS",
        "XUEJI_DB_POOL",        "XUEJI_JWT_SECRET",    "XUEJI_DATA_KEY",
        "XUEJI_ADMIN_PASSWORD", "XUEJI_LOG_LEVEL",     "XUEJI_ENV",
        "XUEJI_CORS_ORIGINS",   "XUEJI_RATE_LIMIT_IP", "XUEJI_SHUTDOWN_TIMEOUT"};
    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
        ck_assert_msg(strstr(out, vars[i]) != NULL, "--help does not list %s", vars[i]);
    ck_assert_ptr_nonnull(strstr(out, "migrate"));
    free(out);

    const char *bad[] = {"frobnicate", NULL};
    rc = ht_run_xuejid(bad, NULL, ht_timeout(15), &out);
    ck_assert_msg(rc != 0 && rc != -1, "unknown command -> exit %d", rc);
    ck_assert_ptr_nonnull(strstr(out, "frobnicate"));
    free(out);
}
END_TEST

START_TEST(test_bad_config_exits)
{
    static const char *const bad[] = {"XUEJI_LISTEN=nonsense", "XUEJI_LISTEN=127.0.0.1:99999",
                                      "XUEJI_THREADS=0",       "XUEJI_DB_POOL=abc",
                                      "XUEJI_LOG_LEVEL=loud",  "XUEJI_ENV=staging"};
    const char *args[] = {"serve", NULL};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *env[] = {bad[i], NULL};
        char *out = NULL;
        int rc = ht_run_xuejid(args, env, ht_timeout(15), &out);
        char name[64];
        snprintf(name, sizeof(name), "%.*s", (int)(strchr(bad[i], '=') - bad[i]), bad[i]);
        ck_assert_msg(rc != 0 && rc != -1, "%s -> exit %d", bad[i], rc);
        ck_assert_msg(strstr(out, name) != NULL, "%s: the message does not name it: %s", bad[i],
                      out);
        free(out);
    }
}
END_TEST

START_TEST(test_migrate_twice)
{
    const char *args[] = {"migrate", NULL};
    char *out = NULL;
    int rc = ht_run_xuejid(args, NULL, ht_timeout(30), &out);
    ck_assert_msg(rc == 0, "first migrate: exit %d: %s", rc, out);
    free(out);
    rc = ht_run_xuejid(args, NULL, ht_timeout(30), &out);
    ck_assert_msg(rc == 0, "second migrate: exit %d: %s", rc, out);
    ck_assert_msg(strstr(out, "\"0 applied\"") != NULL, "second migrate applied something: %s",
                  out);
    free(out);

    /* and the data is still there, once */
    ht_server *s = ht_server_start(NULL);
    ck_assert_ptr_nonnull(s);
    ht_resp r;
    ck_assert_int_eq(ht_get(s, "/api/v1/regions", &r), 0);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 31);
    ht_resp_free(&r);
    ck_assert_int_eq(ht_server_stop(s), 0);
}
END_TEST

START_TEST(test_migrate_without_database_fails)
{
    const char *args[] = {"migrate", NULL};
    const char *env[] = {
        "XUEJI_DATABASE_URL=postgresql://xueji@/xueji?host=/nonexistent&connect_timeout=2", NULL};
    char *out = NULL;
    int rc = ht_run_xuejid(args, env, ht_timeout(30), &out);
    ck_assert_msg(rc != 0 && rc != -1, "exit %d: %s", rc, out);
    free(out);
}
END_TEST

/* ------------------------------------------------------------------------ */

static Suite *
lifecycle_suite(void)
{
    Suite *s = suite_create("http-lifecycle");
    int t = ht_timeout(60);

    TCase *tc = tcase_create("cancellation");
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_h2_cancel_while_db_job_pending);
    tcase_add_test(tc, test_h2_client_timeouts);
    suite_add_tcase(s, tc);

    tc = tcase_create("shutdown");
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_shutdown_finishes_inflight_request);
    suite_add_tcase(s, tc);

    /* Regression tests of server bugs this suite found (all fixed). */
    tc = tcase_create("shutdown-bugs");
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_shutdown_with_idle_h1_connection);
    tcase_add_test(tc, test_shutdown_with_idle_h2_connection);
    tcase_add_test(tc, test_shutdown_timeout_with_stuck_db_job);
    suite_add_tcase(s, tc);

    tc = tcase_create("config");
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_production_refuses_dev_keys);
    tcase_add_test(tc, test_production_needs_keys);
    tcase_add_test(tc, test_production_with_real_keys_serves);
    tcase_add_test(tc, test_help);
    tcase_add_test(tc, test_bad_config_exits);
    tcase_add_test(tc, test_migrate_twice);
    tcase_add_test(tc, test_migrate_without_database_fails);
    suite_add_tcase(s, tc);

    tc = tcase_create("database-outage");
    tcase_set_timeout(tc, t);
    tcase_add_unchecked_fixture(tc, NULL, restart_pg);
    tcase_add_test(tc, test_database_outage_and_recovery);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    ht_global_init();
    SRunner *sr = srunner_create(lifecycle_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}
