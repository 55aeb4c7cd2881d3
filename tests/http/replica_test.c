/*
 * tests/http/replica_test.c - replica reads over HTTP (docs/decisions/0035)
 * where make test can check them: with XUEJI_REPLICA_URL naming a server that
 * is not a streaming replica (the test cluster's primary), every read goes to
 * the primary and says so; writes tell their WAL position; a bad
 * xueji-min-lsn is refused. Reads served by a real replica, and
 * read-your-writes across it, are tested on the cluster (tests/cluster/run.sh).
 * The world: tests/http/users_world.h (a database of its own, its admin).
 */
#include "tests/http/users_world.h"

static int
lsn_like(const char *s)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    return slash != NULL && slash > s && slash[1] != '\0' &&
           strspn(s, "0123456789ABCDEF/") == strlen(s);
}

static void
start_with_replica(void)
{
    static char env_replica[2200];
    snprintf(env_replica, sizeof(env_replica), "XUEJI_REPLICA_URL=%s", db_url);
    const char *env[] = {env_db, env_replica, "XUEJI_ADMIN_PASSWORD=" ADMIN_PASSWORD, NULL};
    srv = ht_server_start(env);
    ck_assert_msg(srv != NULL, "xuejid did not start");
}

START_TEST(test_replica_not_fresh_reads_on_primary)
{
    char *tok = admin_token();
    ht_resp r;
    /* a write says where the primary's WAL stood after it */
    call("POST", "/api/v1/users", tok,
         "{\"username\":\"replica.henan\",\"display_name\":\"河南省 管理员\",\"role\":\"province\","
         "\"org\":\"410000\"}",
         NULL, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    const char *lsn = ht_header(&r, "xueji-lsn");
    ck_assert_msg(lsn_like(lsn), "xueji-lsn %s", lsn ? lsn : "(none)");
    char quoted[64];
    snprintf(quoted, sizeof(quoted), "xueji-min-lsn: %s", lsn);
    ht_resp_free(&r);

    /* a route a replica may answer, the "replica" being a primary: never fresh */
    call("GET", "/api/v1/schools", tok, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_header(&r, "xueji-read-from"), "primary");
    ht_resp_free(&r);
    call("GET", "/api/v1/requests", tok, NULL, quoted, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_header(&r, "xueji-read-from"), "primary");
    ht_resp_free(&r);
    /* a read a replica may not answer says nothing; neither does a failed write */
    call("GET", "/api/v1/me", tok, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(ht_header(&r, "xueji-read-from"));
    ht_resp_free(&r);
    call("POST", "/api/v1/users", tok, "{\"username\":\"\"}", NULL, NULL, &r);
    ck_assert_int_eq(r.status, 422);
    ck_assert_ptr_null(ht_header(&r, "xueji-lsn"));
    ht_resp_free(&r);
    free(tok);
}
END_TEST

START_TEST(test_bad_min_lsn)
{
    char *tok = admin_token();
    static const char *const bad[] = {"xueji-min-lsn: 0",           "xueji-min-lsn: /1",
                                      "xueji-min-lsn: 1/",          "xueji-min-lsn: G/1",
                                      "xueji-min-lsn: 123456789/1", "xueji-min-lsn: 1/2/3"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ht_resp r;
        call("GET", "/api/v1/schools", tok, NULL, bad[i], NULL, &r);
        ht_assert_problem(&r, 400, "invalid_min_lsn");
        ht_resp_free(&r);
    }
    free(tok);
}
END_TEST

START_TEST(test_no_replica_no_headers)
{
    char *tok = admin_token();
    ht_resp r;
    call("GET", "/api/v1/schools", tok, NULL, "xueji-min-lsn: 0/0", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(ht_header(&r, "xueji-read-from"));
    ht_resp_free(&r);
    call("POST", "/api/v1/users", tok,
         "{\"username\":\"replica.zhengzhou\",\"display_name\":\"郑州市 管理员\",\"role\":\"city\","
         "\"org\":\"410100\"}",
         NULL, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_ptr_null(ht_header(&r, "xueji-lsn"));
    ht_resp_free(&r);
    free(tok);
}
END_TEST

static Suite *
replica_suite(void)
{
    Suite *s = suite_create("http-replica");
    TCase *tc = tcase_create("replica");
    tcase_add_checked_fixture(tc, start_with_replica, stop_server);
    tcase_set_timeout(tc, ht_timeout(60));
    tcase_add_test(tc, test_replica_not_fresh_reads_on_primary);
    tcase_add_test(tc, test_bad_min_lsn);
    suite_add_tcase(s, tc);
    TCase *tn = tcase_create("no_replica");
    tcase_add_checked_fixture(tn, start_server, stop_server);
    tcase_set_timeout(tn, ht_timeout(60));
    tcase_add_test(tn, test_no_replica_no_headers);
    suite_add_tcase(s, tn);
    return s;
}

int
main(void)
{
    return world_main(replica_suite());
}
