/*
 * tests/http/system_http_test.c - what every route shares, over HTTP: response headers, /metrics,
 * CORS, rate limits, HTTP/2. The world and helpers: tests/http/system_world.h.
 */
#include "tests/http/system_world.h"

START_TEST(test_metrics)
{
    ht_resp r;
    ck_assert_int_eq(ht_get(srv, "/api/v1/code-tables/gender", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    ck_assert_int_eq(ht_get(srv, "/no/such/route", &r), 0);
    ck_assert_int_eq(r.status, 404);
    ht_resp_free(&r);

    ck_assert_int_eq(ht_get(srv, "/metrics", &r), 0);
    ck_assert_int_eq(r.status, 200);
    const char *ct = ht_header(&r, "content-type");
    ck_assert_msg(ct != NULL && strncmp(ct, "text/plain", 10) == 0, "content-type %s", ct);
    ck_assert_msg(strstr(r.body, "# TYPE xueji_http_requests_total counter\n") != NULL, "%s",
                  r.body);
    /* a fresh server: exactly the one request made above */
    ck_assert_msg(strstr(r.body,
                         "xueji_http_requests_total{method=\"GET\",route=\"/api/v1/code-tables/"
                         "{name}\",status=\"200\"} 1\n") != NULL,
                  "%s", r.body);
    ck_assert_msg(strstr(r.body, "route=\"unmatched\",status=\"404\"} 1\n") != NULL, "%s", r.body);
    ck_assert_msg(strstr(r.body, "\nxueji_db_pool_in_use ") != NULL, "%s", r.body);
    ck_assert_msg(strstr(r.body, "\nxueji_db_pool_waiting ") != NULL, "%s", r.body);
    ck_assert_msg(strstr(r.body, "# TYPE xueji_http_request_duration_seconds histogram\n") != NULL,
                  "%s", r.body);
    ck_assert_msg(strstr(r.body, "xueji_http_request_duration_seconds_bucket{route=\"/api/v1/"
                                 "code-tables/{name}\",le=\"+Inf\"} 1\n") != NULL,
                  "%s", r.body);
    ck_assert_msg(strstr(r.body, "xueji_http_request_duration_seconds_count{route=\"/api/v1/"
                                 "code-tables/{name}\"} 1\n") != NULL,
                  "%s", r.body);
    /* the buckets are cumulative: the count never goes down with le */
    unsigned long long prev = 0;
    int nb = 0;
    for (const char *p = r.body;
         (p = strstr(p, "_bucket{route=\"/api/v1/code-tables/{name}\",le=\"")) != NULL; p++) {
        const char *sp = strchr(p, ' ');
        ck_assert_ptr_nonnull(sp);
        unsigned long long v = strtoull(sp + 1, NULL, 10);
        ck_assert_msg(v >= prev, "bucket counts not cumulative: %s", r.body);
        prev = v;
        nb++;
    }
    ck_assert_int_ge(nb, 2);
    ht_resp_free(&r);
}
END_TEST

/* ---- headers and /metrics (issue 12, defect 8) -------------------------- */

/* nosniff, and no-store unless `cacheable`. */
static void
assert_safe_headers(const ht_resp *r, int cacheable, const char *what)
{
    const char *n = ht_header(r, "x-content-type-options");
    ck_assert_msg(n != NULL && strcmp(n, "nosniff") == 0, "%s: x-content-type-options %s", what,
                  n ? n : "(none)");
    ck_assert_msg(ht_header_count(r, "x-content-type-options") == 1, "%s: twice", what);
    const char *cc = ht_header(r, "cache-control");
    if (cacheable)
        ck_assert_msg(cc == NULL || strstr(cc, "no-store") == NULL, "%s: cache-control %s", what,
                      cc);
    else
        ck_assert_msg(cc != NULL && strcmp(cc, "no-store") == 0 &&
                          ht_header_count(r, "cache-control") == 1,
                      "%s: cache-control %s", what, cc ? cc : "(none)");
}

/* Every answer is nosniff; all but public reference data are no-store. */
START_TEST(test_headers_on_answers_and_errors)
{
    ht_resp r;
    /* a JSON answer about a person (no account needed) */
    ck_assert_int_eq(ht_post_json(srv, "/api/v1/id-numbers/validate",
                                  "{\"id_number\":\"11010119900307803X\"}", NULL, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    assert_safe_headers(&r, 0, "id-numbers/validate");
    ht_resp_free(&r);
    /* errors: a route h2o routed to us, a token missing, a malformed body */
    ck_assert_int_eq(ht_get(srv, "/no/such/route", &r), 0);
    ht_assert_problem(&r, 404, "route_not_found");
    assert_safe_headers(&r, 0, "404");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_get(srv, "/api/v1/me", &r), 0);
    ht_assert_problem(&r, 401, "unauthenticated");
    assert_safe_headers(&r, 0, "401");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_post_json(srv, "/api/v1/id-numbers/validate", "{", NULL, &r), 0);
    ht_assert_problem(&r, 400, "malformed_json");
    assert_safe_headers(&r, 0, "400");
    ht_resp_free(&r);
    /* over HTTP/2 as well */
    ck_assert_int_eq(ht_request2(srv, "GET", "/api/v1/me", NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 401);
    assert_safe_headers(&r, 0, "401 h2");
    ht_resp_free(&r);
    /* public content may be cached, and is nosniff too */
    static const char *const pub[] = {"/healthz", "/openapi.yaml", "/api/v1/code-tables/gender",
                                      "/api/v1/regions/410102", "/api/v1/workflows"};
    for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++) {
        ck_assert_int_eq(ht_get(srv, pub[i], &r), 0);
        ck_assert_int_eq(r.status, 200);
        assert_safe_headers(&r, 1, pub[i]);
        ht_resp_free(&r);
    }
    /* development mode: /metrics on the API port, not cached */
    ck_assert_int_eq(ht_get(srv, "/metrics", &r), 0);
    ck_assert_int_eq(r.status, 200);
    assert_safe_headers(&r, 0, "/metrics");
    ht_resp_free(&r);
}
END_TEST

/* A body over h2o's own cap is refused by h2o itself, with the same headers. */
START_TEST(test_headers_on_h2o_own_413)
{
    const char *env[] = {"XUEJI_MAX_UPLOAD=1024", NULL};
    ht_server *s = ht_server_start(env);
    ck_assert_ptr_nonnull(s);
    size_t big = 3u << 20; /* h2o's cap: XUEJI_MAX_UPLOAD + 1 MiB */
    char *body = malloc(big);
    ck_assert_ptr_nonnull(body);
    memset(body, 'x', big);
    /* Expect: 100-continue keeps curl from sending the body h2o refuses: without
       it, the refusal can reach curl as a reset while it is still writing */
    const char *h[] = {"Content-Type: application/pdf", "Expect: 100-continue", NULL};
    ht_resp r;
    ck_assert_int_eq(ht_request(s, "POST", "/api/v1/files", h, body, big, &r), 0);
    free(body);
    ck_assert_int_eq(r.status, 413);
    ck_assert_msg(ht_header(&r, "x-request-id") == NULL, "answered by xuejid, not h2o: %s", r.body);
    assert_safe_headers(&r, 0, "h2o 413");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_server_stop(s), 0);
}
END_TEST

/* A free TCP port on 127.0.0.1 (closed again: the server binds it next). */
static int
free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    socklen_t sl = sizeof(sa);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd);
    return ntohs(sa.sin_port);
}

static size_t
count_body(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    *(size_t *)ctx += size * n;
    return size * n;
}

/* GET http://127.0.0.1:port/path (bearer `token` unless NULL): the status; 0 on failure. */
static long
get_on_port(int port, const char *path, const char *token)
{
    char url[128], auth[320];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    CURL *e = curl_easy_init();
    struct curl_slist *h = NULL;
    if (token != NULL) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    size_t got = 0;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, count_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &got);
    long status = 0;
    if (curl_easy_perform(e) == CURLE_OK)
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    return status;
}

/* Production without XUEJI_METRICS_*: /metrics is not served on the API port. */
START_TEST(test_metrics_off_in_production)
{
    const char *env[] = {"XUEJI_ENV=production", NULL};
    ht_server *s = ht_server_start(env);
    ck_assert_ptr_nonnull(s);
    ht_resp r;
    ck_assert_int_eq(ht_get(s, "/metrics", &r), 0);
    ht_assert_problem(&r, 404, "route_not_found");
    assert_safe_headers(&r, 0, "production /metrics");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_get(s, "/healthz", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    ck_assert_int_eq(ht_server_stop(s), 0);
}
END_TEST

#define METRICS_TOKEN "metrics-test-token-0123456789"

/* XUEJI_METRICS_TOKEN: the API port serves /metrics to its holders only. */
START_TEST(test_metrics_token)
{
    const char *env[] = {"XUEJI_ENV=production", "XUEJI_METRICS_TOKEN=" METRICS_TOKEN, NULL};
    ht_server *s = ht_server_start(env);
    ck_assert_ptr_nonnull(s);
    ht_resp r;
    ck_assert_int_eq(ht_get(s, "/metrics", &r), 0);
    ht_assert_problem(&r, 401, "unauthenticated");
    ck_assert_ptr_nonnull(ht_header(&r, "www-authenticate"));
    ht_resp_free(&r);
    int port = ht_server_port(s);
    ck_assert_int_eq(get_on_port(port, "/metrics", "metrics-test-token-012345678X"), 401);
    ck_assert_int_eq(get_on_port(port, "/metrics", "metrics-test-token"), 401);
    ck_assert_int_eq(get_on_port(port, "/metrics", METRICS_TOKEN), 200);
    ck_assert_int_eq(ht_server_stop(s), 0);
}
END_TEST

/* XUEJI_METRICS_LISTEN: /metrics there only, and nothing else there. */
START_TEST(test_metrics_listener)
{
    int mport = free_port();
    char listen[64];
    snprintf(listen, sizeof(listen), "XUEJI_METRICS_LISTEN=127.0.0.1:%d", mport);
    const char *env[] = {listen, NULL}; /* development: it still moves off the API port */
    ht_server *s = ht_server_start(env);
    ck_assert_ptr_nonnull(s);
    ht_resp r;
    ck_assert_int_eq(ht_get(s, "/metrics", &r), 0);
    ht_assert_problem(&r, 404, "route_not_found");
    ht_resp_free(&r);
    ck_assert_int_eq(get_on_port(mport, "/metrics", NULL), 200);
    ck_assert_int_eq(get_on_port(mport, "/healthz", NULL), 404);
    ck_assert_int_eq(get_on_port(mport, "/api/v1/code-tables/gender", NULL), 404);
    ck_assert_int_eq(get_on_port(ht_server_port(s), "/healthz", NULL), 200);
    ck_assert_int_eq(ht_server_stop(s), 0);

    /* a listener of its own: not the API port */
    const char *same[] = {"XUEJI_LISTEN=127.0.0.1:18080", "XUEJI_METRICS_LISTEN=127.0.0.1:18080",
                          NULL};
    const char *args[] = {"serve", NULL};
    char *out = NULL;
    ck_assert_int_ne(ht_run_xuejid(args, same, 20, &out), 0);
    ck_assert_msg(out && strstr(out, "XUEJI_METRICS_LISTEN"), "%s", out ? out : "");
    free(out);
}
END_TEST

/* ---- CORS ----------------------------------------------------------------- */

static int
list_has(const char *list, const char *item)
{
    if (list == NULL)
        return 0;
    size_t n = strlen(item);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > p && t[-1] == ' ')
            t--;
        if ((size_t)(t - p) == n && strncasecmp(p, item, n) == 0)
            return 1;
        p = e;
    }
    return 0;
}

START_TEST(test_cors_allowed_origin)
{
    ht_resp r;
    const char *h[] = {"Origin: https://spa.example", NULL};
    ck_assert_int_eq(ht_request(srv, "GET", "/api/v1/regions/410102", h, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_header(&r, "access-control-allow-origin"), "https://spa.example");
    ck_assert_msg(list_has(ht_header(&r, "vary"), "origin"), "vary: %s", ht_header(&r, "vary"));
    const char *expose = ht_header(&r, "access-control-expose-headers");
    ck_assert_msg(list_has(expose, "x-request-id") && list_has(expose, "retry-after"), "expose: %s",
                  expose);
    ht_resp_free(&r);

    /* problems carry the CORS headers too, or the browser hides them */
    ck_assert_int_eq(ht_request(srv, "GET", "/api/v1/regions/999999", h, NULL, 0, &r), 0);
    ht_assert_problem(&r, 404, "region_not_found");
    ck_assert_str_eq(ht_header(&r, "access-control-allow-origin"), "https://spa.example");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_cors_other_origin)
{
    static const char *const origins[] = {"Origin: https://evil.example",
                                          "Origin: https://spa.example.evil.example",
                                          "Origin: http://spa.example", "Origin: null"};
    for (size_t i = 0; i < sizeof(origins) / sizeof(origins[0]); i++) {
        ht_resp r;
        const char *h[] = {origins[i], NULL};
        ck_assert_int_eq(ht_request(srv, "GET", "/api/v1/regions/410102", h, NULL, 0, &r), 0);
        ck_assert_int_eq(r.status, 200);
        ck_assert_msg(ht_header(&r, "access-control-allow-origin") == NULL, "%s -> %s", origins[i],
                      ht_header(&r, "access-control-allow-origin"));
        ht_resp_free(&r);
    }
}
END_TEST

/*
 * Region answers are `cache-control: public, max-age=3600` and whether they carry
 * access-control-allow-origin depends on the Origin header, so every one of them
 * must say `vary: origin` (Fetch standard, "CORS protocol and HTTP caches"):
 * otherwise a shared cache that stored the answer for a request without Origin
 * (or from another origin) serves it to https://spa.example without the
 * allow-origin header, and the browser blocks it.
 */
START_TEST(test_cors_vary_origin_on_every_answer)
{
    ht_resp r;
    const char *other[] = {"Origin: https://evil.example", NULL};
    ck_assert_int_eq(ht_request(srv, "GET", "/api/v1/regions/410102", other, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(list_has(ht_header(&r, "vary"), "origin"),
                  "no vary: origin on a cacheable answer to another origin");
    ht_resp_free(&r);

    ck_assert_int_eq(ht_get(srv, "/api/v1/regions/410102", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_msg(list_has(ht_header(&r, "vary"), "origin"),
                  "no vary: origin on a cacheable answer to a request without Origin");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_cors_preflight)
{
    ht_resp r;
    const char *h[] = {"Origin: https://spa.example", "Access-Control-Request-Method: POST",
                       "Access-Control-Request-Headers: content-type, idempotency-key", NULL};
    ck_assert_int_eq(ht_request(srv, "OPTIONS", "/api/v1/id-numbers/validate", h, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 204);
    ck_assert_uint_eq(r.len, 0);
    ck_assert_str_eq(ht_header(&r, "access-control-allow-origin"), "https://spa.example");
    const char *m = ht_header(&r, "access-control-allow-methods");
    ck_assert_msg(list_has(m, "POST"), "allow-methods: %s", m);
    const char *ah = ht_header(&r, "access-control-allow-headers");
    ck_assert_msg(list_has(ah, "idempotency-key") && list_has(ah, "content-type") &&
                      list_has(ah, "x-request-id") && list_has(ah, "authorization"),
                  "allow-headers: %s", ah);
    const char *age = ht_header(&r, "access-control-max-age");
    ck_assert_msg(age != NULL && atoi(age) > 0, "max-age: %s", age);
    ht_resp_free(&r);

    /* a preflight on an unknown path is a plain 404 */
    ck_assert_int_eq(ht_request(srv, "OPTIONS", "/api/v1/nope", h, NULL, 0, &r), 0);
    ht_assert_problem(&r, 404, "route_not_found");
    ht_resp_free(&r);

    /* from another origin: no allow-origin */
    const char *o[] = {"Origin: https://evil.example", "Access-Control-Request-Method: POST", NULL};
    ck_assert_int_eq(ht_request(srv, "OPTIONS", "/api/v1/id-numbers/validate", o, NULL, 0, &r), 0);
    ck_assert_ptr_null(ht_header(&r, "access-control-allow-origin"));
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_cors_off_by_default)
{
    ht_server *s = ht_server_start(NULL);
    ck_assert_ptr_nonnull(s);
    ht_resp r;
    const char *h[] = {"Origin: https://spa.example", NULL};
    ck_assert_int_eq(ht_request(s, "GET", "/api/v1/regions/410102", h, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(ht_header(&r, "access-control-allow-origin"));
    ht_resp_free(&r);
    ck_assert_int_eq(ht_server_stop(s), 0);
}
END_TEST

/* ---- rate limits -------------------------------------------------------- */

static size_t
discard_body(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

/* GET `path` `n` times at once (a connection each); fills statuses[]. */
static void
parallel_get(ht_server *s, const char *path, int n, long *statuses)
{
    char url[256];
    ht_url(s, path, url, sizeof(url));
    CURLM *m = curl_multi_init();
    CURL *e[64];
    ck_assert_int_le(n, 64);
    for (int i = 0; i < n; i++) {
        e[i] = curl_easy_init();
        curl_easy_setopt(e[i], CURLOPT_URL, url);
        curl_easy_setopt(e[i], CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e[i], CURLOPT_TIMEOUT, (long)ht_timeout(30));
        curl_easy_setopt(e[i], CURLOPT_WRITEFUNCTION, discard_body);
        curl_multi_add_handle(m, e[i]);
    }
    int running = 1;
    while (running > 0) {
        curl_multi_perform(m, &running);
        curl_multi_poll(m, NULL, 0, 50, NULL);
    }
    for (int i = 0; i < n; i++) {
        statuses[i] = 0;
        curl_easy_getinfo(e[i], CURLINFO_RESPONSE_CODE, &statuses[i]);
        curl_multi_remove_handle(m, e[i]);
        curl_easy_cleanup(e[i]);
    }
    curl_multi_cleanup(m);
}

/* XUEJI_RATE_LIMIT_IP=5: a bucket of 10, refilled at 5 per second. */
START_TEST(test_rate_limit)
{
    const char *env[] = {"XUEJI_RATE_LIMIT_IP=5", NULL};
    ht_server *s = ht_server_start(env);
    ck_assert_ptr_nonnull(s);
    long st[30];
    parallel_get(s, "/api/v1/regions/410102", 30, st);
    int ok = 0, limited = 0;
    for (int i = 0; i < 30; i++) {
        ck_assert_msg(st[i] == 200 || st[i] == 429, "status %ld", st[i]);
        ok += st[i] == 200;
        limited += st[i] == 429;
    }
    ck_assert_msg(limited >= 1 && ok >= 5, "%d answered, %d limited", ok, limited);

    /* the bucket is empty now: the next ones are limited, as problems */
    int seen = 0;
    for (int i = 0; i < 20 && !seen; i++) {
        ht_resp r;
        ck_assert_int_eq(ht_get(s, "/api/v1/regions/410102", &r), 0);
        if (r.status == 429) {
            ht_assert_problem(&r, 429, "rate_limited");
            const char *ra = ht_header(&r, "retry-after");
            ck_assert_ptr_nonnull(ra);
            char *end;
            long secs = strtol(ra, &end, 10);
            ck_assert_msg(*ra && *end == '\0' && secs >= 1, "retry-after: %s", ra);
            seen = 1;
        }
        ht_resp_free(&r);
    }
    ck_assert_msg(seen, "no 429 in 20 more requests");

    /* liveness, readiness and metrics are never limited */
    static const char *const exempt[] = {"/healthz", "/readyz", "/metrics"};
    for (int k = 0; k < 3; k++) {
        parallel_get(s, exempt[k], 30, st);
        for (int i = 0; i < 30; i++)
            ck_assert_msg(st[i] == 200, "%s -> %ld", exempt[k], st[i]);
    }
    ck_assert_int_eq(ht_server_stop(s), 0);
}
END_TEST

START_TEST(test_rate_limit_off)
{
    /* XUEJI_RATE_LIMIT_IP=0 (the harness default): no 429 however fast */
    for (int i = 0; i < 60; i++) {
        ht_resp r;
        ck_assert_int_eq(ht_get(srv, "/api/v1/regions/410102", &r), 0);
        ck_assert_int_eq(r.status, 200);
        ht_resp_free(&r);
    }
}
END_TEST

/* ---- HTTP/2 ------------------------------------------------------------ */

START_TEST(test_http2_region)
{
    ht_resp r;
    ck_assert_int_eq(ht_request2(srv, "GET", "/api/v1/regions/410102", NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.http_version, 2);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(r.json);
    ck_assert_str_eq(ht_json_str(r.json, "name"), "中原区");
    ck_assert(is_generated_id(ht_header(&r, "x-request-id")));
    ck_assert_ptr_nonnull(ht_header(&r, "cache-control"));
    ht_resp_free(&r);
}
END_TEST

/* Custom header names must be lower-case on HTTP/2 or clients reject the frame. */
START_TEST(test_http2_problems_and_headers)
{
    ht_resp r;
    ck_assert_int_eq(ht_request2(srv, "GET", "/nope", NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.http_version, 2);
    ht_assert_problem(&r, 404, "route_not_found");
    ht_resp_free(&r);

    ck_assert_int_eq(ht_request2(srv, "DELETE", "/api/v1/regions/410102", NULL, NULL, 0, &r), 0);
    ht_assert_problem(&r, 405, "method_not_allowed");
    ck_assert_ptr_nonnull(ht_header(&r, "allow"));
    ht_resp_free(&r);

    char key[64];
    snprintf(key, sizeof(key), "Idempotency-Key: h2-%ld-%lld", (long)getpid(), ht_now_ms());
    const char *h[] = {"Content-Type: application/json", key, NULL};
    const char *body = "{\"id_number\":\"11010119900307803X\"}";
    ck_assert_int_eq(
        ht_request2(srv, "POST", "/api/v1/id-numbers/validate", h, body, strlen(body), &r), 0);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    ck_assert_int_eq(
        ht_request2(srv, "POST", "/api/v1/id-numbers/validate", h, body, strlen(body), &r), 0);
    ck_assert_int_eq(r.http_version, 2);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_header(&r, "idempotent-replayed"), "true");
    ht_resp_free(&r);

    const char *opt[] = {"Origin: https://spa.example", "Access-Control-Request-Method: POST",
                         NULL};
    ck_assert_int_eq(ht_request2(srv, "OPTIONS", "/api/v1/id-numbers/validate", opt, NULL, 0, &r),
                     0);
    ck_assert_int_eq(r.status, 204);
    ht_resp_free(&r);
}
END_TEST

static Suite *
system_suite(void)
{
    Suite *s = suite_create("http-system-http");

    TCase *tc = shared_tcase("limits-h2");
    tcase_add_test(tc, test_rate_limit_off);
    tcase_add_test(tc, test_http2_region);
    tcase_add_test(tc, test_http2_problems_and_headers);
    suite_add_tcase(s, tc);

    /* a server each */
    tc = own_tcase("metrics", 1); /* counts from a fresh server */
    tcase_add_test(tc, test_metrics);
    suite_add_tcase(s, tc);

    tc = shared_tcase("headers");
    tcase_add_test(tc, test_headers_on_answers_and_errors);
    suite_add_tcase(s, tc);

    tc = own_tcase("metrics-access", 0); /* a server each, in production mode */
    tcase_add_test(tc, test_headers_on_h2o_own_413);
    tcase_add_test(tc, test_metrics_off_in_production);
    tcase_add_test(tc, test_metrics_token);
    tcase_add_test(tc, test_metrics_listener);
    suite_add_tcase(s, tc);

    tc = own_tcase("own-env", 0);
    tcase_add_test(tc, test_cors_off_by_default);
    tcase_add_test(tc, test_rate_limit);
    suite_add_tcase(s, tc);

    tc = tcase_create("cors"); /* a shared server with XUEJI_CORS_ORIGINS */
    tcase_add_unchecked_fixture(tc, start_shared_cors, NULL);
    tcase_add_checked_fixture(tc, use_shared, NULL);
    tcase_set_timeout(tc, ht_timeout(60));
    tcase_add_test(tc, test_cors_allowed_origin);
    tcase_add_test(tc, test_cors_other_origin);
    tcase_add_test(tc, test_cors_preflight);
    suite_add_tcase(s, tc);

    /* Regression tests of server bugs this suite found (all fixed). */
    tc = tcase_create("cors-vary");
    tcase_add_unchecked_fixture(tc, start_shared_cors, ht_shared_stop);
    tcase_add_checked_fixture(tc, use_shared, NULL);
    tcase_set_timeout(tc, ht_timeout(60));
    tcase_add_test(tc, test_cors_vary_origin_on_every_answer);
    suite_add_tcase(s, tc);

    /* last: every shared server exited 0 (ASan and UBSan reports exit non-zero) */
    tc = tcase_create("clean-exit");
    tcase_add_unchecked_fixture(tc, ht_shared_stop, NULL);
    tcase_add_test(tc, test_shared_servers_exited_cleanly);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    ht_global_init();
    SRunner *sr = srunner_create(system_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}
