/*
 * tests/lib/httptest.h - black-box HTTP test harness: start xuejid as a child
 * process against the throwaway test database, talk to it with libcurl
 * (HTTP/1.1 or HTTP/2 with prior knowledge), check problem+json answers.
 *
 * Environment (set by scripts/run-tests.sh http):
 *   XUEJID_BIN               absolute path of the xuejid under test
 *   XUEJI_TEST_DATABASE_URL  libpq URL of the test database
 *   XUEJI_TEST_PGDIR         its cluster directory (for scripts/pg.sh stop|start)
 *   XUEJI_TEST_KEEP=1        keep server logs (their paths are printed) instead of removing them
 *   XUEJI_TEST_VERBOSE=1     libcurl's verbose trace on stderr
 *
 * Process hygiene: every server is started with PR_SET_PDEATHSIG=SIGKILL, so it
 * dies with the (forked) test process however that ends - a failed ck_assert
 * leaves check's child without running atexit handlers or teardowns, and a
 * timeout SIGKILLs it. An atexit handler also kills servers that a test forgot
 * to stop. Use check's fork mode (the default).
 */
#ifndef TESTS_LIB_HTTPTEST_H
#define TESTS_LIB_HTTPTEST_H

#include <check.h>
#include <curl/curl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

/* The fixed secrets every test server gets (a 40-byte JWT secret, a 32-byte data key,
   the 32-byte seed of the audit signing key). */
#define HT_JWT_SECRET "xueji-http-test-jwt-secret-0123456789abc"
#define HT_DATA_KEY "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define HT_AUDIT_KEY "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"

/*
 * Call first in main() of every http suite, before srunner_run_all (so the
 * forked tests share one libcurl initialisation), and ht_global_cleanup() at
 * the end; ht_run_suite() below does both. Besides initialising libcurl, this
 * call is the strong reference that keeps libcurl linked: see the note on
 * linking in httptest.c.
 */
static inline void
ht_global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static inline void
ht_global_cleanup(void)
{
    curl_global_cleanup();
}

/* ---- the server under test ---- */

typedef struct ht_server ht_server;

/*
 * Fork and exec `$XUEJID_BIN serve` with the test defaults (see httptest.c) and
 * `extra_env` on top: "NAME=value" sets, a bare "NAME" removes; NULL-terminated,
 * may be NULL. stdout and stderr go to a log file (ht_server_log_path). Waits up
 * to 30 s for the port file. Returns NULL (and prints the log) when the server
 * exits or does not listen in time.
 */
ht_server *ht_server_start(const char *const *extra_env);
int ht_server_port(ht_server *s);
int ht_server_pid(ht_server *s);
const char *ht_server_log_path(ht_server *s);
/* SIGTERM, wait (up to the shutdown timeout + 10 s, then SIGKILL) and return
   the exit status: 0..255, 128+signal when killed, -1 on error. Prints the log
   tail when it is not 0. The log stays readable until the test process exits. */
int ht_server_stop(ht_server *s);
/* SIGTERM without waiting; ht_server_wait collects the status. */
void ht_server_signal_term(ht_server *s);
/* Wait up to `timeout_ms` for the server to exit: its status as above, or -2 when
   it is still running. */
int ht_server_wait(ht_server *s, int timeout_ms);
/* SIGKILL and reap; for failure paths. */
void ht_server_kill(ht_server *s);
/* 1 while the process has not exited. */
int ht_server_alive(ht_server *s);

/*
 * One server shared by many tests (starting xuejid costs a PostgreSQL
 * connection per pool thread and, in the ASan build, seconds on a busy machine):
 *
 *     tcase_add_unchecked_fixture(tc, ht_shared_start, NULL);   for each tcase
 *     tcase_add_checked_fixture(tc, setup_that_takes_ht_shared, NULL);
 *     ...
 *     last tcase: tcase_add_unchecked_fixture(tc, ht_shared_stop, NULL) and a
 *     test that calls ht_assert_shared_exits()
 *
 * Unchecked fixtures run in the runner process, so the server outlives each
 * forked test and dies with the runner; tests must not stop it.
 * ht_shared_start_env(env) keeps the running shared server if it was started
 * with the same `env` (the same pointer: use a static array) and is alive;
 * otherwise it stops it and starts a new one. ht_shared_start() is
 * ht_shared_start_env(NULL), the test defaults. Wrap it for a fixture:
 *     static void start_cors(void) { ht_shared_start_env(cors_env); }
 * Every stop records the exit status, which ht_assert_shared_exits() checks in
 * a later test: forked tests see what earlier unchecked fixtures recorded.
 */
void ht_shared_start(void);
void ht_shared_start_env(const char *const *extra_env);
void ht_shared_stop(void);
ht_server *ht_shared(void);
/* Asserts that every shared server stopped so far exited 0. */
void ht_assert_shared_exits(void);

/* The whole log file (malloc'd, NUL-terminated; "" when missing). */
char *ht_server_log(ht_server *s);
/* How many log lines contain `needle`. */
int ht_server_log_count(ht_server *s, const char *needle);

/*
 * Run `$XUEJID_BIN args...` (args NULL-terminated, not including argv[0]) to
 * completion with the same environment rules as ht_server_start; stdout and
 * stderr are captured into *out_output (malloc'd; may be NULL). Returns the exit
 * status (128+signal when killed), or -1 when it ran longer than timeout_s (it
 * is then killed).
 */
int ht_run_xuejid(const char *const *args, const char *const *extra_env, int timeout_s,
                  char **out_output);

/* ---- requests ---- */

typedef struct ht_resp {
    long status;
    char *body; /* NUL-terminated (the NUL is not counted in len) */
    size_t len;
    json_t *json;      /* parsed when the body is JSON, else NULL */
    char *headers;     /* raw header block of the final response, lower-cased names */
    long http_version; /* 1 for HTTP/1.x, 2 for HTTP/2 */
    char *hcopy_;      /* private: NUL-separated copy of headers for ht_header */
} ht_resp;

/*
 * One request on a new connection. `headers` are "Name: value" strings
 * (NULL-terminated, may be NULL; "Name;" sends an empty header); `body` may be
 * NULL. curl adds no Content-Type of its own: pass it. Returns 0, or -1 on a
 * transport error (printed). The response must be freed with ht_resp_free.
 */
int ht_request(ht_server *s, const char *method, const char *path, const char *const *headers,
               const char *body, size_t body_len, ht_resp *out);
/* The same over HTTP/2 (cleartext, prior knowledge). */
int ht_request2(ht_server *s, const char *method, const char *path, const char *const *headers,
                const char *body, size_t body_len, ht_resp *out);
/* GET shorthand (HTTP/1.1, no extra headers). */
int ht_get(ht_server *s, const char *path, ht_resp *out);
/* `method path` on `s` as `token` (NULL: none) with the JSON `body` (NULL:
   none); asserts the request was made. */
void ht_call(ht_server *s, const char *token, const char *method, const char *path,
             const char *body, ht_resp *out);
/* POST `json` (a C string) with Content-Type: application/json plus `headers`. */
int ht_post_json(ht_server *s, const char *path, const char *json, const char *const *headers,
                 ht_resp *out);

/* Send the following requests of this process from local address `ip` (any
   127.x.y.z on Linux loopback), so a test can act as several clients; NULL:
   back to the default. */
void ht_source_address(const char *ip);

/* Value of the first header `lowercase_name`, or NULL. Valid until ht_resp_free. */
const char *ht_header(const ht_resp *r, const char *lowercase_name);
/* How many headers are called `lowercase_name`. */
int ht_header_count(const ht_resp *r, const char *lowercase_name);
void ht_resp_free(ht_resp *r);

/* "http://127.0.0.1:PORT" + path into buf. */
void ht_url(ht_server *s, const char *path, char *buf, size_t cap);

/* ---- assertions ---- */

/*
 * Asserts `status`, Content-Type application/problem+json, a body with type,
 * title, status, detail, code, request_id and errors (an array), `code` and
 * `status` as given and `request_id` equal to the x-request-id header.
 * The macro adds the caller's file and line to the failure message.
 */
void ht_assert_problem(const ht_resp *r, long status, const char *code);
void ht_assert_problem_at(const ht_resp *r, long status, const char *code, const char *file,
                          int line);
#define ht_assert_problem(r, status, code)                                                         \
    ht_assert_problem_at((r), (status), (code), __FILE__, __LINE__)

/* A string member of a JSON object, or NULL. */
const char *ht_json_str(const json_t *obj, const char *key);

/* ---- the test database ---- */

/* A libpq connection to $XUEJI_TEST_DATABASE_URL (asserts it works). */
PGconn *ht_db_connect(void);
/* Run one SQL command; asserts it succeeds. */
void ht_db_exec(PGconn *db, const char *sql);
/* The first value of the query `fmt` (printf-style) on `db`, "" when it
   returns no row; asserts it succeeds. The value lives in one of 8 static
   buffers used in turn: it stays valid for the next 7 calls. */
const char *ht_db_val(PGconn *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `sh scripts/pg.sh <cmd> $XUEJI_TEST_PGDIR` from the repository root; its exit status. */
int ht_pg_ctl(const char *cmd);

/* ---- misc ---- */

/* Monotonic milliseconds. */
long long ht_now_ms(void);
/* Sleep `ms` milliseconds. */
void ht_sleep_ms(int ms);
/* Seconds to use for tcase timeouts: `base`, doubled under AddressSanitizer. */
int ht_timeout(int base);

/* ---- suites ---- */

/* The last test case of a suite that runs on the shared server: stops it
   and checks that it exited 0 (ASan and UBSan reports exit non-zero). */
TCase *ht_clean_exit_tcase(void);
/* The body of a suite's main(): init, run `s`, then `after` (may be NULL);
   the process's exit status. */
int ht_run_suite(Suite *s, void (*after)(void));

#endif
