/*
 * tests/lib/htclient.c - see httptest.h: requests to a server (HTTP/1.1 and
 * HTTP/2 through libcurl), their answers, the problem+json assertions and the
 * test database. The servers are in tests/lib/httptest.c.
 *
 * Linking: the Makefile links every .c file of tests/lib into the
 * integration and http binaries, both with -lcurl (the unit binaries link
 * none of tests/lib). The libcurl symbols used here are declared weak: in a
 * binary without libcurl they stay NULL and are never called (ht_request
 * checks and fails loudly). The linker runs with --as-needed, so weak
 * references alone do not make libcurl a dependency: the strong reference
 * in ht_global_init() (an inline function in httptest.h, called by
 * ht_run_suite() and by the suites that write their own main()) does.
 */
#include "tests/lib/httptest.h"
#include "tests/lib/httptest_int.h"

#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#pragma weak curl_easy_init
#pragma weak curl_easy_setopt
#pragma weak curl_easy_perform
#pragma weak curl_easy_getinfo
#pragma weak curl_easy_cleanup
#pragma weak curl_easy_strerror
#pragma weak curl_slist_append
#pragma weak curl_slist_free_all

#define REQUEST_TIMEOUT_S 30

/* ----------------------------------------------------------- requests */

typedef struct growbuf {
    char *p;
    size_t len, cap;
} growbuf;

static void
gb_append(growbuf *b, const char *data, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (np == NULL)
            abort();
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    gb_append(ud, data, size * nmemb);
    return size * nmemb;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    growbuf *b = ud;
    size_t n = size * nmemb;
    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0)
        b->len = 0; /* a new response (after 1xx): keep only the final block */
    size_t start = b->len;
    gb_append(b, data, n);
    /* lower-case the name of a header line */
    char *colon = memchr(b->p + start, ':', n);
    if (colon != NULL && memcmp(b->p + start, "HTTP/", n < 5 ? n : 5) != 0)
        for (char *c = b->p + start; c < colon; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
    return n;
}

void
ht_url(ht_server *s, const char *path, char *buf, size_t cap)
{
    snprintf(buf, cap, "http://127.0.0.1:%d%s", s->port, path);
}

static int
is_json_ct(const char *ct)
{
    if (ct == NULL)
        return 0;
    const char *semi = strchr(ct, ';');
    size_t n = semi ? (size_t)(semi - ct) : strlen(ct);
    return (n >= 16 && strncasecmp(ct, "application/json", 16) == 0) ||
           (n > 5 && strncasecmp(ct + n - 5, "+json", 5) == 0);
}

/* The local address requests are sent from (ht_source_address), "" for any. */
static char source_address[64];

void
ht_source_address(const char *ip)
{
    snprintf(source_address, sizeof(source_address), "%s", ip ? ip : "");
}

static int
do_request(ht_server *s, int h2, const char *method, const char *path, const char *const *headers,
           const char *body, size_t body_len, ht_resp *out)
{
    memset(out, 0, sizeof(*out));
    if (curl_easy_init == NULL) {
        fprintf(stderr, "httptest: libcurl is not linked in: call ht_global_init() in main()\n");
        return -1;
    }
    CURL *h = curl_easy_init();
    if (h == NULL)
        return -1;
    char url[1024];
    ht_url(s, path, url, sizeof(url));
    growbuf bb = {0}, hb = {0};
    struct curl_slist *hl = NULL;
    for (const char *const *x = headers; x != NULL && *x != NULL; x++)
        hl = curl_slist_append(hl, *x);
    hl = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip */

    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (getenv("XUEJI_TEST_VERBOSE"))
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)ht_timeout(REQUEST_TIMEOUT_S));
    char iface[80];
    if (source_address[0] != '\0') {
        snprintf(iface, sizeof(iface), "host!%s", source_address);
        curl_easy_setopt(h, CURLOPT_INTERFACE, iface);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &bb);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &hb);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
                     h2 ? (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE : (long)CURL_HTTP_VERSION_1_1);
    if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (body != NULL || strcmp(method, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body_len : 0));
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }

    CURLcode rc = curl_easy_perform(h);
    int ret = 0;
    if (rc != CURLE_OK) {
        fprintf(stderr, "httptest: %s %s: %s\n", method, url, curl_easy_strerror(rc));
        ret = -1;
    }
    long ver = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &ver);
    out->http_version = ver == CURL_HTTP_VERSION_2_0 ? 2 : 1;
    curl_easy_cleanup(h);
    curl_slist_free_all(hl);

    out->body = bb.p ? bb.p : ht__xstrdup("");
    out->len = bb.len;
    out->headers = hb.p ? hb.p : ht__xstrdup("");
    out->hcopy_ = ht__xstrdup(out->headers);
    for (char *c = out->hcopy_; *c; c++)
        if (*c == '\r' || *c == '\n')
            *c = '\0';
    if (is_json_ct(ht_header(out, "content-type")) && out->len > 0)
        out->json = json_loadb(out->body, out->len, 0, NULL);
    return ret;
}

int
ht_request(ht_server *s, const char *method, const char *path, const char *const *headers,
           const char *body, size_t body_len, ht_resp *out)
{
    return do_request(s, 0, method, path, headers, body, body_len, out);
}

int
ht_request2(ht_server *s, const char *method, const char *path, const char *const *headers,
            const char *body, size_t body_len, ht_resp *out)
{
    return do_request(s, 1, method, path, headers, body, body_len, out);
}

int
ht_get(ht_server *s, const char *path, ht_resp *out)
{
    return do_request(s, 0, "GET", path, NULL, NULL, 0, out);
}

int
ht_post_json(ht_server *s, const char *path, const char *json, const char *const *headers,
             ht_resp *out)
{
    const char *h[24];
    int n = 0;
    h[n++] = "Content-Type: application/json";
    for (const char *const *x = headers; x != NULL && *x != NULL && n < 23; x++)
        h[n++] = *x;
    h[n] = NULL;
    return do_request(s, 0, "POST", path, h, json, strlen(json), out);
}

/* Walk the NUL-separated header copy; calls back with each value of `name`. */
static const char *
find_header(const ht_resp *r, const char *name, int nth, int *count)
{
    if (r->hcopy_ == NULL)
        return NULL;
    size_t nlen = strlen(name), total = strlen(r->headers);
    int seen = 0;
    for (size_t off = 0; off < total;) {
        char *line = r->hcopy_ + off;
        size_t llen = strlen(line);
        if (strncmp(line, name, nlen) == 0 && line[nlen] == ':') {
            if (seen == nth && count == NULL) {
                char *v = line + nlen + 1;
                while (*v == ' ' || *v == '\t')
                    v++;
                char *end = v + strlen(v);
                while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
                    *--end = '\0';
                return v;
            }
            seen++;
        }
        off += llen + 1;
    }
    if (count != NULL)
        *count = seen;
    return NULL;
}

const char *
ht_header(const ht_resp *r, const char *lowercase_name)
{
    return find_header(r, lowercase_name, 0, NULL);
}

int
ht_header_count(const ht_resp *r, const char *lowercase_name)
{
    int n = 0;
    find_header(r, lowercase_name, 0, &n);
    return n;
}

void
ht_resp_free(ht_resp *r)
{
    free(r->body);
    free(r->headers);
    free(r->hcopy_);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

/* ---------------------------------------------------------- assertions */

const char *
ht_json_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

void(ht_assert_problem)(const ht_resp *r, long status, const char *code)
{
    ht_assert_problem_at(r, status, code, "?", 0);
}

void
ht_assert_problem_at(const ht_resp *r, long status, const char *code, const char *file, int line)
{
    ck_assert_msg(r->status == status, "%s:%d: status %ld, expected %ld; body: %s", file, line,
                  r->status, status, r->body);
    const char *ct = ht_header(r, "content-type");
    ck_assert_msg(ct != NULL && strncmp(ct, "application/problem+json", 24) == 0,
                  "%s:%d: content-type %s, expected application/problem+json", file, line,
                  ct ? ct : "(none)");
    ck_assert_msg(r->json != NULL && json_is_object(r->json),
                  "%s:%d: body is not a JSON object: %s", file, line, r->body);
    static const char *const str_keys[] = {"type", "title", "detail", "code", "request_id"};
    for (size_t i = 0; i < sizeof(str_keys) / sizeof(str_keys[0]); i++)
        ck_assert_msg(json_is_string(json_object_get(r->json, str_keys[i])),
                      "%s:%d: problem without string \"%s\": %s", file, line, str_keys[i], r->body);
    ck_assert_msg(json_is_integer(json_object_get(r->json, "status")) &&
                      json_integer_value(json_object_get(r->json, "status")) == status,
                  "%s:%d: problem status is not %ld: %s", file, line, status, r->body);
    ck_assert_msg(json_is_array(json_object_get(r->json, "errors")),
                  "%s:%d: problem without an errors array: %s", file, line, r->body);
    ck_assert_msg(strcmp(ht_json_str(r->json, "code"), code) == 0,
                  "%s:%d: problem code %s, expected %s", file, line, ht_json_str(r->json, "code"),
                  code);
    ck_assert_msg(ht_json_str(r->json, "title")[0] != '\0', "%s:%d: empty title", file, line);
    const char *rid = ht_header(r, "x-request-id");
    ck_assert_msg(rid != NULL && strcmp(rid, ht_json_str(r->json, "request_id")) == 0,
                  "%s:%d: request_id %s differs from the x-request-id header %s", file, line,
                  ht_json_str(r->json, "request_id"), rid ? rid : "(none)");
}

/* ------------------------------------------------------------ database */

PGconn *
ht_db_connect(void)
{
    const char *url = getenv("XUEJI_TEST_DATABASE_URL");
    ck_assert_msg(url != NULL && *url, "XUEJI_TEST_DATABASE_URL is not set");
    PGconn *db = PQconnectdb(url);
    ck_assert_msg(PQstatus(db) == CONNECTION_OK, "cannot connect to %s: %s", url,
                  PQerrorMessage(db));
    return db;
}

void
ht_db_exec(PGconn *db, const char *sql)
{
    PGresult *res = PQexec(db, sql);
    ExecStatusType st = PQresultStatus(res);
    ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
                  PQresultErrorMessage(res));
    PQclear(res);
}

const char *
ht_db_val(PGconn *db, const char *fmt, ...)
{
    /* a ring of buffers: several values in one assertion stay apart */
    static char ring[8][4096];
    static unsigned next;
    char *buf = ring[next++ % 8];
    char sql[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    PGresult *r = PQexec(db, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK,
                  "%s: %s", sql, PQresultErrorMessage(r));
    snprintf(buf, sizeof(ring[0]), "%s",
             PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
    PQclear(r);
    return buf;
}

void
ht_call(ht_server *s, const char *token, const char *method, const char *path, const char *body,
        ht_resp *out)
{
    char auth[1100];
    const char *h[3];
    int n = 0;
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h[n++] = auth;
    }
    if (body)
        h[n++] = "Content-Type: application/json";
    h[n] = NULL;
    ck_assert_int_eq(ht_request(s, method, path, h, body, body ? strlen(body) : 0, out), 0);
}

int
ht_pg_ctl(const char *cmd)
{
    const char *pgdir = getenv("XUEJI_TEST_PGDIR");
    const char *bin = getenv("XUEJID_BIN");
    if (pgdir == NULL || *pgdir == '\0') {
        fprintf(stderr, "httptest: XUEJI_TEST_PGDIR is not set\n");
        return -1;
    }
    /* the repository root: XUEJID_BIN is <root>/build/<BUILD>/xuejid */
    char root[PATH_MAX] = ".";
    if (bin != NULL) {
        snprintf(root, sizeof(root), "%s", bin);
        for (int i = 0; i < 3; i++) {
            char *slash = strrchr(root, '/');
            if (slash == NULL) {
                snprintf(root, sizeof(root), ".");
                break;
            }
            *slash = '\0';
        }
    }
    char script[PATH_MAX + 32];
    snprintf(script, sizeof(script), "%s/scripts/pg.sh", root);
    if (access(script, R_OK) != 0)
        snprintf(script, sizeof(script), "scripts/pg.sh");
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        if (in >= 0)
            dup2(in, 0);
        execlp("sh", "sh", script, cmd, pgdir, (char *)NULL);
        _exit(127);
    }
    if (pid < 0)
        return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    return ht__decode_status(st);
}

/* ---- suites ---- */

START_TEST(test_shared_server_exited_cleanly)
{
    ht_assert_shared_exits();
}
END_TEST

TCase *
ht_clean_exit_tcase(void)
{
    TCase *tc = tcase_create("clean-exit");
    tcase_add_unchecked_fixture(tc, ht_shared_stop, NULL);
    tcase_add_test(tc, test_shared_server_exited_cleanly);
    return tc;
}

int
ht_run_suite(Suite *s, void (*after)(void))
{
    ht_global_init();
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    if (after)
        after();
    ht_global_cleanup();
    return failed != 0;
}
