/*
 * tests/http/system_test.c - what every route shares, over HTTP: system endpoints, errors, request
 * ids, the access log. The world and helpers: tests/http/system_world.h.
 */
#include "tests/http/system_world.h"

/* ---- system endpoints --------------------------------------------------- */

START_TEST(test_healthz)
{
    ht_resp r;
    ck_assert_int_eq(ht_get(srv, "/healthz", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(r.body, "{\"status\":\"ok\"}");
    ck_assert_ptr_nonnull(ht_header(&r, "content-type"));
    ck_assert(strncmp(ht_header(&r, "content-type"), "application/json", 16) == 0);
    ck_assert_ptr_nonnull(ht_header(&r, "x-request-id"));
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_healthz_head_has_no_body)
{
    ht_resp r;
    ck_assert_int_eq(ht_request(srv, "HEAD", "/healthz", NULL, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.len, 0);
    ck_assert_ptr_nonnull(ht_header(&r, "x-request-id"));
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_readyz)
{
    ht_resp r;
    ck_assert_int_eq(ht_get(srv, "/readyz", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(r.json);
    ck_assert_str_eq(ht_json_str(r.json, "status"), "ready");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_openapi_yaml)
{
    ht_resp r;
    ck_assert_int_eq(ht_get(srv, "/openapi.yaml", &r), 0);
    ck_assert_int_eq(r.status, 200);
    const char *ct = ht_header(&r, "content-type");
    ck_assert_ptr_nonnull(ct);
    ck_assert_msg(strncmp(ct, "application/yaml", 16) == 0, "content-type %s", ct);
    ck_assert_msg(strncmp(r.body, "openapi:", 8) == 0, "starts with %.20s", r.body);
    ck_assert_ptr_nonnull(strstr(r.body, "/api/v1/regions/{code}:"));
    ck_assert_ptr_nonnull(strstr(r.body, "/api/v1/id-numbers/validate:"));
    ck_assert_ptr_null(r.json);
    ht_resp_free(&r);
}
END_TEST

/* ---- errors --------------------------------------------------------------- */

START_TEST(test_unknown_route)
{
    ht_resp r;
    ck_assert_int_eq(ht_get(srv, "/api/v1/nope", &r), 0);
    ht_assert_problem(&r, 404, "route_not_found");
    ck_assert_str_eq(ht_json_str(r.json, "title"), "请求的地址不存在");
    ck_assert_str_eq(ht_json_str(r.json, "type"), "https://xueji.example/problems/route_not_found");
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "errors")), 0);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_trailing_slash_is_404)
{
    ht_resp r;
    ck_assert_int_eq(ht_get(srv, "/api/v1/regions/", &r), 0);
    ht_assert_problem(&r, 404, "route_not_found");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_get(srv, "/healthz/", &r), 0);
    ht_assert_problem(&r, 404, "route_not_found");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_get(srv, "/healthzX", &r), 0);
    ht_assert_problem(&r, 404, "route_not_found");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_method_not_allowed)
{
    ht_resp r;
    ck_assert_int_eq(ht_request(srv, "DELETE", "/api/v1/regions/410102", NULL, NULL, 0, &r), 0);
    ht_assert_problem(&r, 405, "method_not_allowed");
    const char *allow = ht_header(&r, "allow");
    ck_assert_ptr_nonnull(allow);
    ck_assert_msg(strstr(allow, "GET") != NULL, "allow: %s", allow);
    ck_assert_msg(strstr(allow, "DELETE") == NULL, "allow: %s", allow);
    ht_resp_free(&r);

    ck_assert_int_eq(ht_get(srv, "/api/v1/id-numbers/validate", &r), 0);
    ht_assert_problem(&r, 405, "method_not_allowed");
    allow = ht_header(&r, "allow");
    ck_assert_msg(allow != NULL && strstr(allow, "POST") != NULL, "allow: %s", allow);
    ck_assert_msg(strstr(allow, "GET") == NULL, "allow: %s", allow);
    ht_resp_free(&r);

    const char *json[] = {"Content-Type: application/json", NULL};
    ck_assert_int_eq(ht_request(srv, "PUT", "/healthz", json, "{}", 2, &r), 0);
    ht_assert_problem(&r, 405, "method_not_allowed");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_problem_language)
{
    ht_resp r;
    const char *en[] = {"Accept-Language: en", NULL};
    ck_assert_int_eq(ht_request(srv, "GET", "/nope", en, NULL, 0, &r), 0);
    ht_assert_problem(&r, 404, "route_not_found");
    ck_assert_str_eq(ht_json_str(r.json, "title"), "No such resource path");
    ck_assert_str_eq(ht_json_str(r.json, "detail"), "No such resource path");
    ht_resp_free(&r);

    const char *en_us[] = {"Accept-Language: en-US,en;q=0.9", NULL};
    ck_assert_int_eq(ht_request(srv, "GET", "/nope", en_us, NULL, 0, &r), 0);
    ck_assert_str_eq(ht_json_str(r.json, "title"), "No such resource path");
    ht_resp_free(&r);

    const char *zh[] = {"Accept-Language: zh-CN,zh;q=0.9,en;q=0.8", NULL};
    ck_assert_int_eq(ht_request(srv, "GET", "/nope", zh, NULL, 0, &r), 0);
    ck_assert_str_eq(ht_json_str(r.json, "title"), "请求的地址不存在");
    ht_resp_free(&r);

    ck_assert_int_eq(ht_get(srv, "/nope", &r), 0); /* default: Chinese */
    ck_assert_str_eq(ht_json_str(r.json, "title"), "请求的地址不存在");
    ht_resp_free(&r);
}
END_TEST

/* ---- request ids and the access log -------------------------------------- */

START_TEST(test_request_id_echoed)
{
    ht_resp r;
    const char *h[] = {"X-Request-Id: client-id_1.2:3", NULL};
    ck_assert_int_eq(ht_request(srv, "GET", "/api/v1/regions/410102", h, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_header(&r, "x-request-id"), "client-id_1.2:3");
    ck_assert_int_eq(ht_header_count(&r, "x-request-id"), 1);
    ht_resp_free(&r);

    /* on problems too, in the header and the body */
    ck_assert_int_eq(ht_request(srv, "GET", "/nope", h, NULL, 0, &r), 0);
    ht_assert_problem(&r, 404, "route_not_found");
    ck_assert_str_eq(ht_json_str(r.json, "request_id"), "client-id_1.2:3");
    ht_resp_free(&r);

    /* 47 characters (48 and more: test_request_id_48_to_64_chars) */
    char hdr[128], id47[48];
    memset(id47, 'b', 47);
    id47[47] = '\0';
    snprintf(hdr, sizeof(hdr), "X-Request-Id: %s", id47);
    const char *h47[] = {hdr, NULL};
    ck_assert_int_eq(ht_request(srv, "GET", "/healthz", h47, NULL, 0, &r), 0);
    ck_assert_str_eq(ht_header(&r, "x-request-id"), id47);
    ht_resp_free(&r);
}
END_TEST

/* Up to 64 characters are accepted: they must come back whole. */
START_TEST(test_request_id_48_to_64_chars)
{
    static const int lens[] = {48, 49, 64};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        ht_resp r;
        char hdr[128], id[65];
        memset(id, 'a', (size_t)lens[i]);
        id[lens[i]] = '\0';
        snprintf(hdr, sizeof(hdr), "X-Request-Id: %s", id);
        const char *h[] = {hdr, NULL};
        int rc = ht_request(srv, "GET", "/healthz", h, NULL, 0, &r);
        ck_assert_msg(rc == 0,
                      "%d characters: the request failed: did the server die? (see its log)",
                      lens[i]);
        ck_assert_int_eq(r.status, 200);
        ck_assert_msg(strcmp(ht_header(&r, "x-request-id"), id) == 0, "%d characters: got back %s",
                      lens[i], ht_header(&r, "x-request-id"));
        ht_resp_free(&r);
    }
}
END_TEST

/*
 * Ids of 49 to 64 characters are valid and must come back whole, over HTTP/2
 * too, and the access log line must stay JSON. (With Accept-Language: en a
 * corrupted id ends in a control byte, which HTTP/2 clients reject.)
 */
START_TEST(test_request_id_long_english_h2)
{
    char id[61], hdr[96];
    memset(id, 'r', 60);
    id[60] = '\0';
    snprintf(hdr, sizeof(hdr), "X-Request-Id: %s", id);
    const char *h[] = {hdr, "Accept-Language: en", NULL};
    ht_resp r;
    int rc = ht_request2(srv, "GET", "/healthz", h, NULL, 0, &r);
    ck_assert_msg(rc == 0, "the HTTP/2 request failed (see stderr)");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_header(&r, "x-request-id"), id);
    ht_resp_free(&r);

    char *log = ht_server_log(srv);
    for (char *line = log; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        if (strstr(line, "rrrrrrrrrrrrrrrrrrrr") != NULL) {
            json_t *j = json_loads(line, 0, NULL);
            ck_assert_msg(j != NULL, "log line is not JSON: %s", line);
            ck_assert_str_eq(ht_json_str(j, "request_id"), id);
            json_decref(j);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(log);
}
END_TEST

START_TEST(test_request_id_invalid_replaced)
{
    static const char *const bad[] = {
        "X-Request-Id: has space",
        "X-Request-Id: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
        "X-Request-Id: quote\"inside",
        "X-Request-Id: new\\line",
        "X-Request-Id: 中文",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ht_resp r;
        const char *h[] = {bad[i], NULL};
        ck_assert_int_eq(ht_request(srv, "GET", "/nope", h, NULL, 0, &r), 0);
        ht_assert_problem(&r, 404, "route_not_found");
        const char *rid = ht_header(&r, "x-request-id");
        ck_assert_msg(is_generated_id(rid), "%s -> x-request-id %s", bad[i], rid);
        ht_resp_free(&r);
    }
    /* two requests without an id get different ones */
    ht_resp a, b;
    ck_assert_int_eq(ht_get(srv, "/healthz", &a), 0);
    ck_assert_int_eq(ht_get(srv, "/healthz", &b), 0);
    ck_assert(is_generated_id(ht_header(&a, "x-request-id")));
    ck_assert_str_ne(ht_header(&a, "x-request-id"), ht_header(&b, "x-request-id"));
    ht_resp_free(&a);
    ht_resp_free(&b);
}
END_TEST

START_TEST(test_request_id_on_every_response)
{
    ht_resp r;
    ck_assert_int_eq(ht_get(srv, "/readyz", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert(is_generated_id(ht_header(&r, "x-request-id")));
    ht_resp_free(&r);

    ck_assert_int_eq(ht_get(srv, "/metrics", &r), 0);
    ck_assert(is_generated_id(ht_header(&r, "x-request-id")));
    ht_resp_free(&r);

    ck_assert_int_eq(ht_get(srv, "/openapi.yaml", &r), 0);
    ck_assert(is_generated_id(ht_header(&r, "x-request-id")));
    ht_resp_free(&r);

    ck_assert_int_eq(ht_get(srv, "/x", &r), 0);
    ht_assert_problem(&r, 404, "route_not_found");
    ht_resp_free(&r);

    ck_assert_int_eq(ht_request(srv, "PATCH", "/api/v1/regions", NULL, NULL, 0, &r), 0);
    ht_assert_problem(&r, 405, "method_not_allowed");
    ht_resp_free(&r);

    const char *opt[] = {"Origin: https://spa.example", "Access-Control-Request-Method: POST",
                         NULL};
    ck_assert_int_eq(ht_request(srv, "OPTIONS", "/api/v1/id-numbers/validate", opt, NULL, 0, &r),
                     0);
    ck_assert_int_eq(r.status, 204);
    ck_assert(is_generated_id(ht_header(&r, "x-request-id")));
    ht_resp_free(&r);

    size_t big = 2u << 20;
    char *body = malloc(big + 1);
    ck_assert_ptr_nonnull(body);
    memset(body, ' ', big);
    body[0] = '{';
    body[big - 1] = '}';
    body[big] = '\0';
    const char *json[] = {"Content-Type: application/json", NULL};
    ck_assert_int_eq(ht_request(srv, "POST", "/api/v1/id-numbers/validate", json, body, big, &r),
                     0);
    ht_assert_problem(&r, 413, "body_too_large");
    ht_resp_free(&r);
    free(body);
}
END_TEST

/* The one access-log line of a request, parsed (asserts there is exactly one). */
static json_t *
access_line(ht_server *s, const char *request_id)
{
    char needle[128];
    snprintf(needle, sizeof(needle), "\"request_id\":\"%s\"", request_id);
    char *log = ht_server_log(s);
    json_t *found = NULL;
    int n = 0;
    for (char *line = log; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        if (strstr(line, needle) != NULL && strstr(line, "\"msg\":\"request\"") != NULL) {
            n++;
            json_decref(found);
            json_error_t e;
            found = json_loads(line, 0, &e);
            ck_assert_msg(found != NULL, "access line is not JSON (%s): %s", e.text, line);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(log);
    ck_assert_msg(n == 1, "%d access lines for request %s", n, request_id);
    return found;
}

START_TEST(test_access_log_line)
{
    ht_resp r;
    const char *h[] = {"X-Request-Id: access-log-get-1", NULL};
    ck_assert_int_eq(
        ht_request(srv, "GET", "/api/v1/regions/410102?x=secret-query", h, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);

    json_t *l = access_line(srv, "access-log-get-1");
    ck_assert_str_eq(ht_json_str(l, "level"), "info");
    ck_assert_str_eq(ht_json_str(l, "method"), "GET");
    ck_assert_str_eq(ht_json_str(l, "route"), "/api/v1/regions/{code}");
    ck_assert(json_is_integer(json_object_get(l, "status")));
    ck_assert_int_eq(json_integer_value(json_object_get(l, "status")), 200);
    ck_assert(json_is_number(json_object_get(l, "duration_ms")));
    ck_assert(json_number_value(json_object_get(l, "duration_ms")) >= 0);
    ck_assert(json_is_string(json_object_get(l, "ts")));
    /* the route pattern, not the path or the query, is logged */
    char *text = json_dumps(l, 0);
    ck_assert_ptr_null(strstr(text, "410102"));
    ck_assert_ptr_null(strstr(text, "secret-query"));
    free(text);
    json_decref(l);

    /* a POST: the body is never logged */
    const char *hp[] = {"X-Request-Id: access-log-post-1", NULL};
    ck_assert_int_eq(
        ht_post_json(srv, "/api/v1/id-numbers/validate",
                     "{\"id_number\":\"11010119900307803X\",\"note\":\"body-marker-77\"}", hp, &r),
        0);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    l = access_line(srv, "access-log-post-1");
    ck_assert_str_eq(ht_json_str(l, "method"), "POST");
    ck_assert_str_eq(ht_json_str(l, "route"), "/api/v1/id-numbers/validate");
    ck_assert_int_eq(json_integer_value(json_object_get(l, "status")), 200);
    ck_assert_ptr_null(json_object_get(l, "body"));
    json_decref(l);
    ck_assert_int_eq(ht_server_log_count(srv, "body-marker-77"), 0);

    /* an unmatched path is logged as "unmatched", with its status */
    const char *hn[] = {"X-Request-Id: access-log-404-1", NULL};
    ck_assert_int_eq(ht_request(srv, "GET", "/some/where", hn, NULL, 0, &r), 0);
    ht_resp_free(&r);
    l = access_line(srv, "access-log-404-1");
    ck_assert_str_eq(ht_json_str(l, "route"), "unmatched");
    ck_assert_int_eq(json_integer_value(json_object_get(l, "status")), 404);
    json_decref(l);
}
END_TEST

static Suite *
system_suite(void)
{
    Suite *s = suite_create("http-system");

    /* these share one server (ht_shared_start) */
    TCase *tc = shared_tcase("system");
    tcase_add_test(tc, test_healthz);
    tcase_add_test(tc, test_healthz_head_has_no_body);
    tcase_add_test(tc, test_readyz);
    tcase_add_test(tc, test_openapi_yaml);
    suite_add_tcase(s, tc);

    tc = shared_tcase("errors");
    tcase_add_test(tc, test_unknown_route);
    tcase_add_test(tc, test_trailing_slash_is_404);
    tcase_add_test(tc, test_method_not_allowed);
    tcase_add_test(tc, test_problem_language);
    suite_add_tcase(s, tc);

    tc = shared_tcase("request-id");
    tcase_add_test(tc, test_request_id_echoed);
    tcase_add_test(tc, test_request_id_invalid_replaced);
    tcase_add_test(tc, test_request_id_on_every_response);
    tcase_add_test(tc, test_access_log_line);
    suite_add_tcase(s, tc);

    tc = own_tcase("request-id-long", 1); /* a server each: these once crashed the ASan build */
    tcase_add_test(tc, test_request_id_48_to_64_chars);
    tcase_add_test(tc, test_request_id_long_english_h2);
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
