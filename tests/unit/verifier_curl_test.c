/*
 * tests/unit/verifier_curl_test.c - what the identity verifier client does
 * since it speaks through libcurl (docs/decisions/0021): https:// URLs, the
 * TLS handshake inside the one timeout, the response cap however the answer
 * is framed, no redirects, no proxy from the environment.
 *
 * The fake verifier's source is included, as in verifier_test.c (unit
 * binaries do not link tests/lib).
 */
#include "api/verifier.h"
#include "base/buf.h"
#include "tests/lib/fakeverifier.c"

#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ID "410102199001011234"

static fv_server *srv;

static void
setup(void)
{
    srv = fv_start();
    ck_assert_ptr_nonnull(srv);
}

static void
teardown(void)
{
    fv_stop(srv);
    srv = NULL;
}

static api_verifier *
verifier(const char *scheme, int port, int timeout_ms)
{
    char url[80];
    app_err err = {0};

    snprintf(url, sizeof(url), "%s://127.0.0.1:%d/verify", scheme, port);
    api_verifier *v = api_verifier_new(url, timeout_ms, &err);
    ck_assert_msg(v != NULL, "%s refused: %s", url, err.detail);
    return v;
}

static api_verify_result
check_id(api_verifier *v, app_err *err)
{
    return api_verifier_check(v, "张三", "resident_id", ID, "male", "1990-01-01", err);
}

static double
elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* A loopback socket bound to a fresh port; listening when `listening`. */
static int
loopback(int listening, int *out_port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    if (listening)
        ck_assert_int_eq(listen(fd, 4), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    *out_port = ntohs(sa.sin_port);
    return fd;
}

/* Expect UNAVAILABLE with `why` in the detail and never the ID number. */
static void
expect_unavailable(api_verifier *v, const char *why)
{
    app_err err = {0};
    ck_assert_int_eq(check_id(v, &err), API_VERIFY_UNAVAILABLE);
    ck_assert_int_eq(err.code, APP_EUNAVAIL);
    ck_assert_str_eq(err.slug, "verifier_unavailable");
    ck_assert_ptr_null(strstr(err.detail, ID));
    ck_assert_msg(strstr(err.detail, why) != NULL, "detail \"%s\" lacks \"%s\"", err.detail, why);
}

/* ---- https ------------------------------------------------------------------ */

/* An https URL is accepted; a closed port answers UNAVAILABLE at once. */
START_TEST(test_https_closed_port)
{
    int port;
    close(loopback(0, &port)); /* a port the kernel just gave out; nobody listens */
    api_verifier *v = verifier("https", port, 2000);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    expect_unavailable(v, "cannot connect");
    ck_assert_msg(elapsed_ms(&t0) < 1500, "took %.0f ms", elapsed_ms(&t0));
    api_verifier_free(v);
}
END_TEST

/* A server that accepts and never says a word: the TLS handshake is inside the timeout. */
START_TEST(test_https_silent_server)
{
    int port, fd = loopback(1, &port);
    api_verifier *v = verifier("https", port, 300);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    expect_unavailable(v, "timed out");
    double ms = elapsed_ms(&t0);
    ck_assert_msg(ms >= 250 && ms < 1000, "took %.0f ms with a 300 ms timeout", ms);
    api_verifier_free(v);
    close(fd);
}
END_TEST

/* https to a plain-HTTP server fails in the handshake: TLS is really spoken. */
START_TEST(test_https_to_plain_http)
{
    api_verifier *v = verifier("https", fv_port(srv), 2000);
    app_err err = {0};
    ck_assert_int_eq(check_id(v, &err), API_VERIFY_UNAVAILABLE);
    ck_assert_int_eq(err.code, APP_EUNAVAIL);
    ck_assert_ptr_null(strstr(err.detail, ID));
    api_verifier_free(v);
}
END_TEST

/* The default port of https is 443, so the URL need not name it. */
START_TEST(test_https_default_port)
{
    app_err err = {0};
    api_verifier *v = api_verifier_new("https://verifier.example/v1?x=1", 1000, &err);
    ck_assert_msg(v != NULL, "%s", err.detail);
    api_verifier_free(v);
    ck_assert_ptr_null(api_verifier_new("https://user@verifier.example/", 1000, &err));
    ck_assert_str_eq(err.slug, "bad_verifier_url");
    ck_assert_ptr_null(api_verifier_new("https://verifier.example:0/", 1000, &err));
    ck_assert_ptr_null(api_verifier_new("httpx://verifier.example/", 1000, &err));
}
END_TEST

/* ---- the cap and the framing ------------------------------------------------ */

static void
raw_unavailable(const char *raw, const char *why)
{
    api_verifier *v = verifier("http", fv_port(srv), 3000);
    fv_set_raw(srv, raw);
    expect_unavailable(v, why);
    ck_assert_int_eq(fv_requests(srv), 1);
    api_verifier_free(v);
}

/* A chunked answer carries no length up front: the cap stops it as it arrives. */
START_TEST(test_too_large_chunked)
{
    base_buf b = {0};
    base_buf_adds(&b, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "1a\r\n{\"result\":\"passed\",\"pad\":\"\r\n");
    for (int i = 0; i < 80; i++) {
        base_buf_adds(&b, "400\r\n");
        for (int k = 0; k < 1024; k++)
            base_buf_addc(&b, 'a');
        base_buf_adds(&b, "\r\n");
    }
    base_buf_adds(&b, "2\r\n\"}\r\n0\r\n\r\n");
    base_buf_addc(&b, '\0');
    raw_unavailable((const char *)b.p, "larger than");
    base_buf_free(&b);
}
END_TEST

/* The heads count too: 70 KiB of headers and a tiny body. */
START_TEST(test_too_large_headers)
{
    base_buf b = {0};
    base_buf_adds(&b, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 70; i++) {
        base_buf_printf(&b, "X-Pad-%d: ", i);
        for (int k = 0; k < 1000; k++)
            base_buf_addc(&b, 'p');
        base_buf_adds(&b, "\r\n");
    }
    base_buf_adds(&b, "Content-Length: 19\r\n\r\n{\"result\":\"passed\"}");
    base_buf_addc(&b, '\0');
    raw_unavailable((const char *)b.p, "larger than");
    base_buf_free(&b);
}
END_TEST

/* An answer just under the cap is read. */
START_TEST(test_large_but_allowed)
{
    base_buf body = {0}, b = {0};
    base_buf_adds(&body, "{\"result\":\"migrating\",\"pad\":\"");
    for (size_t k = 0; k < 60 * 1024; k++)
        base_buf_addc(&body, 'a');
    base_buf_adds(&body, "\"}");
    base_buf_printf(&b, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", body.n);
    base_buf_add(&b, body.p, body.n);
    base_buf_addc(&b, '\0');
    api_verifier *v = verifier("http", fv_port(srv), 3000);
    fv_set_raw(srv, (const char *)b.p);
    app_err err = {0};
    ck_assert_msg(check_id(v, &err) == API_VERIFY_MIGRATING, "%s", err.detail);
    api_verifier_free(v);
    base_buf_free(&body);
    base_buf_free(&b);
}
END_TEST

/* A redirect is an answer like any non-2xx one: not followed. */
START_TEST(test_redirect_not_followed)
{
    char raw[160];
    snprintf(
        raw, sizeof(raw),
        "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:%d/other\r\nContent-Length: 0\r\n\r\n",
        fv_port(srv));
    raw_unavailable(raw, "HTTP 302");
}
END_TEST

/* A transfer coding other than chunked is refused, not read as plain text. */
START_TEST(test_unknown_transfer_coding)
{
    raw_unavailable("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                    "16\r\n{\"result\":\"cancelled\"}\r\n0\r\n\r\n",
                    "127.0.0.1");
}
END_TEST

/* A proxy named in the environment is not used: the ID number goes to the verifier only. */
START_TEST(test_env_proxy_ignored)
{
    int dead;
    close(loopback(0, &dead));
    char proxy[64];
    snprintf(proxy, sizeof(proxy), "http://127.0.0.1:%d", dead);
    setenv("http_proxy", proxy, 1);
    setenv("HTTPS_PROXY", proxy, 1);
    setenv("ALL_PROXY", proxy, 1);
    unsetenv("no_proxy");
    unsetenv("NO_PROXY");
    api_verifier *v = verifier("http", fv_port(srv), 2000);
    app_err err = {0};
    ck_assert_msg(check_id(v, &err) == API_VERIFY_PASSED, "%s", err.detail);
    ck_assert_int_eq(fv_requests(srv), 1);
    api_verifier_free(v);
    unsetenv("http_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("ALL_PROXY");
}
END_TEST

static Suite *
verifier_curl_suite(void)
{
    Suite *s = suite_create("verifier_curl");
    TCase *tc = tcase_create("https");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_https_closed_port);
    tcase_add_test(tc, test_https_silent_server);
    tcase_add_test(tc, test_https_to_plain_http);
    tcase_add_test(tc, test_https_default_port);
    suite_add_tcase(s, tc);

    tc = tcase_create("answers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_too_large_chunked);
    tcase_add_test(tc, test_too_large_headers);
    tcase_add_test(tc, test_large_but_allowed);
    tcase_add_test(tc, test_redirect_not_followed);
    tcase_add_test(tc, test_unknown_transfer_coding);
    tcase_add_test(tc, test_env_proxy_ignored);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(verifier_curl_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
