/*
 * tests/unit/verifier_test.c - the identity verifier client (DOMAIN rule 23)
 * against the fake verifier of tests/lib, over real loopback sockets.
 *
 * Unit binaries link api/ and the core/db library but not tests/lib, so the
 * fake server's source is included here (h2o's t/00unit style) rather than
 * changing the Makefile's link rule; integration and http suites link its
 * object as usual.
 */
#include "api/verifier.h"
#include "tests/lib/fakeverifier.c"

#include <check.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
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
new_verifier(int port, int timeout_ms)
{
    char url[64];
    app_err err = {0};

    snprintf(url, sizeof(url), "http://127.0.0.1:%d/verify", port);
    api_verifier *v = api_verifier_new(url, timeout_ms, &err);
    ck_assert_msg(v != NULL, "%s: %s", url, err.detail);
    return v;
}

static api_verify_result
check_id(api_verifier *v, const char *id, app_err *err)
{
    return api_verifier_check(v, "张三", "resident_id", id, "male", "1990-01-01", err);
}

static double
elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * Answer `raw` verbatim and expect `want`; an UNAVAILABLE result must carry
 * APP_EUNAVAIL, the slug and a detail containing `why` (if not NULL) and never
 * the ID number.
 */
static void
expect_raw(const char *raw, api_verify_result want, const char *why)
{
    app_err err = {0};
    api_verifier *v = new_verifier(fv_port(srv), 2000);

    fv_set_raw(srv, raw);
    api_verify_result r = check_id(v, ID, &err);
    ck_assert_msg(r == want, "got %s, want %s (%s)", api_verify_result_name(r),
                  api_verify_result_name(want), err.detail);
    if (want == API_VERIFY_UNAVAILABLE) {
        ck_assert_int_eq(err.code, APP_EUNAVAIL);
        ck_assert_str_eq(err.slug, "verifier_unavailable");
        ck_assert_ptr_null(strstr(err.detail, ID));
        if (why != NULL)
            ck_assert_msg(strstr(err.detail, why) != NULL, "detail \"%s\" lacks \"%s\"", err.detail,
                          why);
    } else {
        ck_assert_int_eq(err.code, APP_OK); /* untouched */
    }
    ck_assert_int_eq(fv_requests(srv), 1);
    api_verifier_free(v);
}

/* ---- results --------------------------------------------------------------- */

static const struct {
    const char *word;
    api_verify_result r;
} results[] = {
    {"passed", API_VERIFY_PASSED},
    {"id_not_found", API_VERIFY_ID_NOT_FOUND},
    {"name_mismatch", API_VERIFY_NAME_MISMATCH},
    {"cancelled", API_VERIFY_CANCELLED},
    {"migrating", API_VERIFY_MIGRATING},
    {"duplicate_population", API_VERIFY_DUPLICATE_POPULATION},
};

START_TEST(test_result_round_trip)
{
    app_err err = {0};
    api_verifier *v = new_verifier(fv_port(srv), 2000);

    fv_set(srv, ID, results[_i].word);
    fv_set(srv, "110101199003078036", "id_not_found"); /* another ID's answer */
    ck_assert_int_eq(check_id(v, ID, &err), results[_i].r);
    ck_assert_int_eq(err.code, APP_OK);
    ck_assert_str_eq(api_verify_result_name(results[_i].r), results[_i].word);
    ck_assert_int_eq(fv_requests(srv), 1);
    api_verifier_free(v);
}
END_TEST

START_TEST(test_result_names)
{
    ck_assert_str_eq(api_verify_result_name(API_VERIFY_UNAVAILABLE), "unavailable");
    ck_assert_str_eq(api_verify_result_name((api_verify_result)99), "unavailable");
    ck_assert_str_eq(api_verify_result_name((api_verify_result)-1), "unavailable");
}
END_TEST

START_TEST(test_unset_id_passes)
{
    api_verifier *v = new_verifier(fv_port(srv), 2000);

    fv_set(srv, "110101199003078036", "cancelled");
    ck_assert_int_eq(check_id(v, ID, NULL), API_VERIFY_PASSED);
    fv_set(srv, ID, "migrating");
    ck_assert_int_eq(check_id(v, ID, NULL), API_VERIFY_MIGRATING);
    fv_set(srv, ID, NULL); /* back to the default */
    ck_assert_int_eq(check_id(v, ID, NULL), API_VERIFY_PASSED);
    ck_assert_int_eq(fv_requests(srv), 3);
    api_verifier_free(v);
}
END_TEST

/* The body holds exactly the five fields; NULL gender and birth date are null. */
START_TEST(test_request_body)
{
    api_verifier *v = new_verifier(fv_port(srv), 2000);

    ck_assert_ptr_null(fv_last_body(srv));
    ck_assert_int_eq(check_id(v, ID, NULL), API_VERIFY_PASSED);
    char *body = fv_last_body(srv);
    json_t *j = json_loads(body, 0, NULL);
    ck_assert_msg(j != NULL, "not JSON: %s", body);
    ck_assert_int_eq(json_object_size(j), 5);
    ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "张三");
    ck_assert_str_eq(json_string_value(json_object_get(j, "id_type")), "resident_id");
    ck_assert_str_eq(json_string_value(json_object_get(j, "id_number")), ID);
    ck_assert_str_eq(json_string_value(json_object_get(j, "gender")), "male");
    ck_assert_str_eq(json_string_value(json_object_get(j, "birth_date")), "1990-01-01");
    json_decref(j);
    free(body);

    ck_assert_int_eq(
        api_verifier_check(v, "A \"quoted\"\nname", "passport", "E12345678", NULL, NULL, NULL),
        API_VERIFY_PASSED);
    body = fv_last_body(srv);
    j = json_loads(body, 0, NULL);
    ck_assert_msg(j != NULL, "not JSON: %s", body);
    ck_assert_str_eq(json_string_value(json_object_get(j, "name")), "A \"quoted\"\nname");
    ck_assert_str_eq(json_string_value(json_object_get(j, "id_number")), "E12345678");
    ck_assert(json_is_null(json_object_get(j, "gender")));
    ck_assert(json_is_null(json_object_get(j, "birth_date")));
    json_decref(j);
    free(body);
    api_verifier_free(v);
}
END_TEST

/* Invalid UTF-8 never leaves the process; the detail does not quote it. */
START_TEST(test_bad_utf8)
{
    app_err err = {0};
    api_verifier *v = new_verifier(fv_port(srv), 2000);

    ck_assert_int_eq(api_verifier_check(v, "\xff\xfe", "resident_id", ID, NULL, NULL, &err),
                     API_VERIFY_UNAVAILABLE);
    ck_assert_int_eq(err.code, APP_EUNAVAIL);
    ck_assert_ptr_null(strstr(err.detail, ID));
    ck_assert_int_eq(fv_requests(srv), 0);
    api_verifier_free(v);
}
END_TEST

/* ---- failures ------------------------------------------------------------- */

START_TEST(test_timeout)
{
    app_err err = {0};
    api_verifier *v = new_verifier(fv_port(srv), 300);
    struct timespec t0;

    fv_set_delay_ms(srv, 1000);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(check_id(v, ID, &err), API_VERIFY_UNAVAILABLE);
    double ms = elapsed_ms(&t0);
    ck_assert_msg(ms >= 250 && ms < 900, "took %.0f ms with a 300 ms timeout", ms);
    ck_assert_msg(strstr(err.detail, "timed out") != NULL, "%s", err.detail);
    ck_assert_ptr_null(strstr(err.detail, ID));

    api_verifier_free(v);

    /* the next check, without delay, is fine again (its timeout covers the
       rest of the delay of the first request: one connection at a time) */
    fv_set_delay_ms(srv, 0);
    v = new_verifier(fv_port(srv), 3000);
    ck_assert_int_eq(check_id(v, ID, &err), API_VERIFY_PASSED);
    ck_assert_int_eq(fv_requests(srv), 2);
    api_verifier_free(v);
}
END_TEST

/* A server that accepts and answers nothing: the whole exchange is bounded. */
START_TEST(test_timeout_silent_server)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(listen(fd, 4), 0); /* the kernel completes the handshake; nobody reads */
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);

    app_err err = {0};
    api_verifier *v = new_verifier(ntohs(sa.sin_port), 200);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(check_id(v, ID, &err), API_VERIFY_UNAVAILABLE);
    double ms = elapsed_ms(&t0);
    ck_assert_msg(ms >= 150 && ms < 700, "took %.0f ms with a 200 ms timeout", ms);
    ck_assert_msg(strstr(err.detail, "timed out") != NULL, "%s", err.detail);
    api_verifier_free(v);
    close(fd);
}
END_TEST

START_TEST(test_closed_port)
{
    /* a port the kernel just gave out and nobody listens on */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd);

    app_err err = {0};
    api_verifier *v = new_verifier(ntohs(sa.sin_port), 2000);
    ck_assert_int_eq(check_id(v, ID, &err), API_VERIFY_UNAVAILABLE);
    ck_assert_int_eq(err.code, APP_EUNAVAIL);
    ck_assert_str_eq(err.slug, "verifier_unavailable");
    ck_assert_msg(strstr(err.detail, "cannot connect") != NULL, "%s", err.detail);
    api_verifier_free(v);
}
END_TEST

START_TEST(test_status_500)
{
    expect_raw("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 21\r\n\r\n"
               "{\"result\":\"passed\"}\r\n",
               API_VERIFY_UNAVAILABLE, "HTTP 500");
}
END_TEST

START_TEST(test_status_404_no_length)
{
    expect_raw("HTTP/1.1 404 Not Found\r\n\r\n", API_VERIFY_UNAVAILABLE, "HTTP 404");
}
END_TEST

START_TEST(test_status_204)
{
    expect_raw("HTTP/1.1 204 No Content\r\n\r\n", API_VERIFY_UNAVAILABLE, "204");
}
END_TEST

/* A garbage body that echoes the ID number: jansson's error text would quote it. */
START_TEST(test_garbage_body)
{
    expect_raw("HTTP/1.1 200 OK\r\nContent-Length: 27\r\n\r\nnot json " ID, API_VERIFY_UNAVAILABLE,
               "not JSON");
}
END_TEST

START_TEST(test_garbage_response)
{
    expect_raw("SSH-2.0-OpenSSH_9.2 " ID "\r\n", API_VERIFY_UNAVAILABLE, "status line");
}
END_TEST

START_TEST(test_empty_response)
{
    expect_raw("", API_VERIFY_UNAVAILABLE, "closed before a complete answer");
}
END_TEST

START_TEST(test_unknown_word)
{
    app_err err = {0};
    api_verifier *v = new_verifier(fv_port(srv), 2000);

    fv_set(srv, ID, "maybe");
    ck_assert_int_eq(check_id(v, ID, &err), API_VERIFY_UNAVAILABLE);
    ck_assert_msg(strstr(err.detail, "unknown result \"maybe\"") != NULL, "%s", err.detail);
    fv_set(srv, ID, "unavailable"); /* not an answer the verifier may give */
    ck_assert_int_eq(check_id(v, ID, &err), API_VERIFY_UNAVAILABLE);
    fv_set(srv, ID, "PASSED");
    ck_assert_int_eq(check_id(v, ID, &err), API_VERIFY_UNAVAILABLE);
    fv_set(srv, ID, "");
    ck_assert_int_eq(check_id(v, ID, &err), API_VERIFY_UNAVAILABLE);
    fv_set(srv, ID, "id " ID); /* never quoted */
    ck_assert_int_eq(check_id(v, ID, &err), API_VERIFY_UNAVAILABLE);
    ck_assert_ptr_null(strstr(err.detail, ID));
    ck_assert_msg(strstr(err.detail, "(not shown)") != NULL, "%s", err.detail);
    api_verifier_free(v);
}
END_TEST

START_TEST(test_not_an_object)
{
    expect_raw("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n[\"passed\"]", API_VERIFY_UNAVAILABLE,
               "not a JSON object");
}
END_TEST

START_TEST(test_result_not_string)
{
    expect_raw("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{\"result\":1}",
               API_VERIFY_UNAVAILABLE, "no \"result\" string");
}
END_TEST

START_TEST(test_truncated_body)
{
    expect_raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"result\":\"passed\"}",
               API_VERIFY_UNAVAILABLE, "closed before the end of the body");
}
END_TEST

START_TEST(test_conflicting_lengths)
{
    expect_raw("HTTP/1.1 200 OK\r\nContent-Length: 19\r\nContent-Length: 20\r\n\r\n"
               "{\"result\":\"passed\"}",
               API_VERIFY_UNAVAILABLE, "conflicting Content-Length");
}
END_TEST

START_TEST(test_too_large)
{
    /* declared too large: refused from the head */
    expect_raw("HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n\r\n{}", API_VERIFY_UNAVAILABLE,
               "larger than");
}
END_TEST

START_TEST(test_too_large_close_delimited)
{
    size_t n = 70 * 1024;
    const char *head = "HTTP/1.1 200 OK\r\n\r\n{\"result\":\"passed\",\"pad\":\"";
    char *raw = malloc(n + 1);
    memset(raw, 'a', n);
    memcpy(raw, head, strlen(head));
    strcpy(raw + n - 3, "\"}");
    expect_raw(raw, API_VERIFY_UNAVAILABLE, "larger than");
    free(raw);
}
END_TEST

/* ---- framing that must work ------------------------------------------------ */

START_TEST(test_chunked)
{
    expect_raw("HTTP/1.1 200 OK\r\n"
               "Content-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\n"
               "\r\n"
               "4\r\n{\"re\r\n"
               "a;ext=1\r\nsult\":\"nam\r\n"
               "C \r\ne_mismatch\"}\n"
               "0\r\n"
               "X-Trailer: yes\r\n"
               "\r\n",
               API_VERIFY_NAME_MISMATCH, NULL);
}
END_TEST

/* Transfer-Encoding wins over Content-Length; bare LF line ends are tolerated. */
START_TEST(test_chunked_over_length)
{
    expect_raw("HTTP/1.1 200 OK\nContent-Length: 3\nTransfer-Encoding: CHUNKED\n\n"
               "16\n{\"result\":\"cancelled\"}\n0\n\n",
               API_VERIFY_CANCELLED, NULL);
}
END_TEST

START_TEST(test_chunked_malformed)
{
    expect_raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
               API_VERIFY_UNAVAILABLE, "chunk size");
}
END_TEST

START_TEST(test_chunked_unfinished)
{
    expect_raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               "16\r\n{\"result\":\"cancelled\"}\r\n",
               API_VERIFY_UNAVAILABLE, "closed before the end");
}
END_TEST

START_TEST(test_close_delimited)
{
    expect_raw("HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n"
               "{\"result\":\"migrating\",\"extra\":[1,2]}",
               API_VERIFY_MIGRATING, NULL);
}
END_TEST

START_TEST(test_interim_answer)
{
    expect_raw("HTTP/1.1 100 Continue\r\n\r\n"
               "HTTP/1.1 200 OK\r\nContent-Length: 31\r\n\r\n"
               "{\"result\":\"duplicate_population\"}",
               API_VERIFY_UNAVAILABLE, "not JSON"); /* 31 < 33 bytes: cut JSON */
}
END_TEST

START_TEST(test_interim_answer_ok)
{
    expect_raw("HTTP/1.1 100 Continue\r\n\r\n"
               "HTTP/1.1 200 OK\r\nContent-Length: 33\r\n\r\n"
               "{\"result\":\"duplicate_population\"}",
               API_VERIFY_DUPLICATE_POPULATION, NULL);
}
END_TEST

/* ---- URLs ----------------------------------------------------------------- */

static const struct {
    const char *url;
    const char *why;
} bad_urls[] = {
    {"ftp://verifier.example/", "only http://"},
    {"verifier.example:9000/verify", "only http://"},
    {"garbage", "only http://"},
    {"", "empty"},
    {"http://", "no host"},
    {"http:///verify", "no host"},
    {"http://:9000/verify", "no host"},
    {"http://host:/x", "bad port"},
    {"http://host:0/x", "port out of range"},
    {"http://host:65536/x", "port out of range"},
    {"http://host:123456/x", "bad port"},
    {"http://host:9a/x", "bad port"},
    {"http://host:80:81/x", "bad port"},
    {"http://user:pw@host/x", "user info"},
    {"http://host/x y", "spaces"},
    {"http://host/x\r\nX-Injected: 1", "control characters"},
    {"http://host/x#frag", "fragment"},
    {"http://[::1/x", "unterminated"},
    {"http://[::1]x/", "bad port"},
    {"http://ho$t/", "bad character"},
};

START_TEST(test_bad_url)
{
    app_err err = {0};
    ck_assert_ptr_null(api_verifier_new(bad_urls[_i].url, 1000, &err));
    ck_assert_int_eq(err.code, APP_EINVAL);
    ck_assert_str_eq(err.slug, "bad_verifier_url");
    ck_assert_msg(strstr(err.detail, bad_urls[_i].why) != NULL, "%s: detail \"%s\"",
                  bad_urls[_i].url, err.detail);
    ck_assert_ptr_null(api_verifier_new(bad_urls[_i].url, 1000, NULL));
}
END_TEST

START_TEST(test_bad_timeout)
{
    app_err err = {0};
    ck_assert_ptr_null(api_verifier_new("http://127.0.0.1/", 0, &err));
    ck_assert_str_eq(err.slug, "bad_verifier_url");
    ck_assert_ptr_null(api_verifier_new("http://127.0.0.1/", -5, NULL));
    ck_assert_ptr_null(api_verifier_new(NULL, 1000, NULL));
}
END_TEST

/* The path (query included) may hold 1024 bytes. */
START_TEST(test_long_path)
{
    char url[1100];
    app_err err = {0};
    int n = snprintf(url, sizeof(url), "http://127.0.0.1:%d/", fv_port(srv));

    memset(url + n, 'p', 1023);
    url[n + 1023] = '\0';
    api_verifier *v = api_verifier_new(url, 2000, &err);
    ck_assert_msg(v != NULL, "%s", err.detail);
    ck_assert_int_eq(check_id(v, ID, NULL), API_VERIFY_PASSED);
    api_verifier_free(v);

    strcat(url, "p");
    ck_assert_ptr_null(api_verifier_new(url, 2000, &err));
    ck_assert_msg(strstr(err.detail, "path too long") != NULL, "%s", err.detail);
}
END_TEST

static const char *const good_urls[] = {
    "http://127.0.0.1:9000/verify",
    "HTTP://verifier.example",
    "http://verifier.example/",
    "http://verifier.example?key=1",
    "http://[::1]:8080/v1/verify?x=1&y=2",
    "http://host_name.internal:65535/a/b",
    "https://verifier.example/verify",
    "HTTPS://verifier.example/",
};

START_TEST(test_good_url)
{
    app_err err = {0};
    api_verifier *v = api_verifier_new(good_urls[_i], 1000, &err);
    ck_assert_msg(v != NULL, "%s: %s", good_urls[_i], err.detail);
    api_verifier_free(v);
}
END_TEST

/* A name (localhost: maybe ::1 first, where nobody listens) and no path: "/?k=v". */
START_TEST(test_localhost_no_path)
{
    char url[64];
    snprintf(url, sizeof(url), "http://localhost:%d?k=v", fv_port(srv));
    api_verifier *v = api_verifier_new(url, 2000, NULL);
    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(check_id(v, ID, NULL), API_VERIFY_PASSED);
    api_verifier_free(v);
    api_verifier_free(NULL);
}
END_TEST

/* ---- threads ---------------------------------------------------------------- */

typedef struct worker_arg {
    api_verifier *v;
    int n;
    int bad;
} worker_arg;

static void *
worker(void *p)
{
    worker_arg *a = p;
    for (int i = 0; i < 8; i++) {
        int k = (a->n + i) % (int)NELEM(results);
        char id[32];
        snprintf(id, sizeof(id), "11010119900307%04d", k);
        if (check_id(a->v, id, NULL) != results[k].r)
            a->bad++;
    }
    return NULL;
}

START_TEST(test_threads)
{
    api_verifier *v = new_verifier(fv_port(srv), 5000);
    pthread_t t[4];
    worker_arg args[4];

    for (size_t k = 0; k < NELEM(results); k++) {
        char id[32];
        snprintf(id, sizeof(id), "11010119900307%04zu", k);
        fv_set(srv, id, results[k].word);
    }
    for (int i = 0; i < 4; i++) {
        args[i] = (worker_arg){.v = v, .n = i};
        ck_assert_int_eq(pthread_create(&t[i], NULL, worker, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        ck_assert_int_eq(args[i].bad, 0);
    }
    ck_assert_int_eq(fv_requests(srv), 32);
    api_verifier_free(v);
}
END_TEST

/* fv_stop cuts a pending answer delay short. */
START_TEST(test_stop_during_delay)
{
    fv_set_delay_ms(srv, 10000);
    api_verifier *v = new_verifier(fv_port(srv), 200);
    ck_assert_int_eq(check_id(v, ID, NULL), API_VERIFY_UNAVAILABLE);
    api_verifier_free(v);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fv_stop(srv);
    srv = NULL;
    ck_assert_msg(elapsed_ms(&t0) < 1000, "fv_stop took %.0f ms", elapsed_ms(&t0));
}
END_TEST

static Suite *
verifier_suite(void)
{
    Suite *s = suite_create("verifier");
    TCase *tc;

    tc = tcase_create("results");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_result_round_trip, 0, NELEM(results));
    tcase_add_test(tc, test_result_names);
    tcase_add_test(tc, test_unset_id_passes);
    tcase_add_test(tc, test_request_body);
    tcase_add_test(tc, test_bad_utf8);
    suite_add_tcase(s, tc);

    tc = tcase_create("failures");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_timeout);
    tcase_add_test(tc, test_timeout_silent_server);
    tcase_add_test(tc, test_closed_port);
    tcase_add_test(tc, test_status_500);
    tcase_add_test(tc, test_status_404_no_length);
    tcase_add_test(tc, test_status_204);
    tcase_add_test(tc, test_garbage_body);
    tcase_add_test(tc, test_garbage_response);
    tcase_add_test(tc, test_empty_response);
    tcase_add_test(tc, test_unknown_word);
    tcase_add_test(tc, test_not_an_object);
    tcase_add_test(tc, test_result_not_string);
    tcase_add_test(tc, test_truncated_body);
    tcase_add_test(tc, test_conflicting_lengths);
    tcase_add_test(tc, test_too_large);
    tcase_add_test(tc, test_too_large_close_delimited);
    suite_add_tcase(s, tc);

    tc = tcase_create("framing");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_chunked);
    tcase_add_test(tc, test_chunked_over_length);
    tcase_add_test(tc, test_chunked_malformed);
    tcase_add_test(tc, test_chunked_unfinished);
    tcase_add_test(tc, test_close_delimited);
    tcase_add_test(tc, test_interim_answer);
    tcase_add_test(tc, test_interim_answer_ok);
    suite_add_tcase(s, tc);

    tc = tcase_create("urls");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_bad_url, 0, NELEM(bad_urls));
    tcase_add_test(tc, test_bad_timeout);
    tcase_add_test(tc, test_long_path);
    tcase_add_loop_test(tc, test_good_url, 0, NELEM(good_urls));
    tcase_add_test(tc, test_localhost_no_path);
    suite_add_tcase(s, tc);

    tc = tcase_create("threads");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_threads);
    tcase_add_test(tc, test_stop_during_delay);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(verifier_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
