/*
 * tests/http/system_world.h - the world and helpers of the suites
 * system_test.c (what every route shares, over HTTP: system endpoints, errors, request ids, the
 * access log), system_http_test.c (what every route shares, over HTTP: response headers, /metrics,
 * CORS, rate limits, HTTP/2). Each suite is its own program with its own copy of this state (all
 * static).
 *
 * What the suites test, together:
 * black-box tests of xuejid's system endpoints and of
 * what every route shares: errors, request ids, the access log, CORS, rate
 * limits, HTTP/2.
 */
#ifndef TESTS_HTTP_SYSTEM_WORLD_H
#define TESTS_HTTP_SYSTEM_WORLD_H

#include "tests/lib/httptest.h"

#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* Each suite uses some of these helpers, not all. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

static ht_server *srv;

static void
start_default(void)
{
    srv = ht_server_start(NULL);
    ck_assert_msg(srv != NULL, "xuejid did not start");
}

static void
stop_default(void)
{
    ck_assert_int_eq(ht_server_stop(srv), 0);
}

/* Checked setup of the tcases that share one server (see ht_shared_start). */
static void
use_shared(void)
{
    srv = ht_shared();
    ck_assert_msg(srv != NULL, "no shared server");
}

START_TEST(test_shared_servers_exited_cleanly)
{
    ht_assert_shared_exits();
}
END_TEST

static int
is_generated_id(const char *s)
{
    if (s == NULL || strlen(s) < 16)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

static const char *const cors_env[] = {"XUEJI_CORS_ORIGINS=https://spa.example", NULL};

static void
start_shared_cors(void)
{
    ht_shared_start_env(cors_env);
}

static TCase *
shared_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_add_unchecked_fixture(tc, ht_shared_start, NULL);
    tcase_add_checked_fixture(tc, use_shared, NULL);
    tcase_set_timeout(tc, ht_timeout(60));
    return tc;
}

static TCase *
own_tcase(const char *name, int fixture)
{
    TCase *tc = tcase_create(name);
    if (fixture)
        tcase_add_checked_fixture(tc, start_default, stop_default);
    tcase_set_timeout(tc, ht_timeout(60));
    return tc;
}

static int
world_main(Suite *suite)
{
    ht_global_init();
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}

#pragma GCC diagnostic pop

#endif
