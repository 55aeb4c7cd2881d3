/*
 * tests/http/regions_world.h - the world and helpers of the suites
 * regions_test.c (regions, code tables and idempotency over HTTP), regions_validate_test.c (ID
 * number validation over HTTP (POST /validate/id-number)). Each suite is its own program with its
 * own copy of this state (all static).
 *
 * What the suites test, together:
 * black-box tests of the reference data (regions,
 * code tables) and of POST /api/v1/id-numbers/validate: body handling, problem
 * answers, idempotency and keeping ID numbers out of answers and logs.
 */
#ifndef TESTS_HTTP_REGIONS_WORLD_H
#define TESTS_HTTP_REGIONS_WORLD_H

#include "tests/lib/httptest.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Each suite uses some of these helpers, not all. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

#define VALIDATE "/api/v1/id-numbers/validate"
#define GOOD_ID "11010119900307803X"

static ht_server *srv;

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

static void
validate(const char *id_json, const char *const *headers, ht_resp *r)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"id_number\":%s}", id_json);
    ck_assert_int_eq(ht_post_json(srv, VALIDATE, body, headers, r), 0);
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
