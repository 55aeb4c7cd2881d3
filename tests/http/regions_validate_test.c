/*
 * tests/http/regions_validate_test.c - ID number validation over HTTP (POST /validate/id-number).
 * The world and helpers: tests/http/regions_world.h.
 */
#include "tests/http/regions_world.h"

/* ---- ID number validation ------------------------------------------------- */

/* 17 digits + the GB 11643 check digit. */
static void
make_id(const char *first17, char out[19])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * w[i];
    memcpy(out, first17, 17);
    out[17] = "10X98765432"[sum % 11];
    out[18] = '\0';
}

START_TEST(test_validate_ok)
{
    ht_resp r;
    validate("\"" GOOD_ID "\"", NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_ptr_nonnull(r.json);
    ck_assert(json_is_true(json_object_get(r.json, "valid")));
    ck_assert_str_eq(ht_json_str(r.json, "id_number_masked"), "1101**********803X");
    ck_assert_str_eq(ht_json_str(r.json, "birth_date"), "1990-03-07");
    ck_assert_str_eq(ht_json_str(r.json, "gender"), "1");
    ck_assert_str_eq(ht_json_str(r.json, "gender_label"), "男");
    json_t *region = json_object_get(r.json, "region");
    ck_assert_str_eq(ht_json_str(region, "code"), "110101");
    ck_assert_msg(strstr(ht_json_str(region, "name"), "东城区") != NULL, "region %s",
                  ht_json_str(region, "name"));
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "warnings")), 0);
    ck_assert_ptr_null(strstr(r.body, GOOD_ID));
    ck_assert_ptr_null(strstr(r.body, "19900307803"));
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_validate_lowercase_x)
{
    ht_resp r;
    validate("\"11010119900307803x\"", NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "id_number_masked"), "1101**********803X");
    ck_assert_ptr_null(strstr(r.body, "11010119900307803"));
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_validate_legacy_15)
{
    ht_resp r;
    validate("\"610104620927690\"", NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "birth_date"), "1962-09-27");
    ck_assert_str_eq(ht_json_str(r.json, "gender"), "2");
    json_t *w = json_object_get(r.json, "warnings");
    int legacy = 0;
    size_t i;
    json_t *it;
    json_array_foreach(w, i, it)
    {
        if (strcmp(ht_json_str(it, "code"), "legacy_15_digit") == 0)
            legacy = 1;
    }
    ck_assert_msg(legacy, "no legacy_15_digit warning: %s", r.body);
    ck_assert_ptr_null(strstr(r.body, "610104620927690"));
    ck_assert_ptr_null(strstr(r.body, "610104196209276908"));
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_validate_unknown_region_warns)
{
    /* province 11 exists, 110199 does not: valid with a warning and no region name */
    char id[19], body[64];
    make_id("11019919900307803", id);
    snprintf(body, sizeof(body), "\"%s\"", id);
    ht_resp r;
    validate(body, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    json_t *region = json_object_get(r.json, "region");
    ck_assert_str_eq(ht_json_str(region, "code"), "110199");
    ck_assert_ptr_null(json_object_get(region, "name"));
    ck_assert_str_eq(ht_json_str(json_array_get(json_object_get(r.json, "warnings"), 0), "code"),
                     "region_unknown");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_validate_checksum_error)
{
    ht_resp r;
    validate("\"110101199003078031\"", NULL, &r);
    ht_assert_problem(&r, 422, "invalid_id_number");
    json_t *e0 = json_array_get(json_object_get(r.json, "errors"), 0);
    ck_assert_ptr_nonnull(e0);
    ck_assert_str_eq(ht_json_str(e0, "field"), "/id_number");
    ck_assert_str_eq(ht_json_str(e0, "code"), "invalid_id_number");
    ck_assert_msg(strstr(ht_json_str(e0, "message"), "校验位") != NULL, "message %s",
                  ht_json_str(e0, "message"));
    ck_assert_msg(strstr(ht_json_str(r.json, "detail"), "校验位") != NULL, "%s", r.body);
    ck_assert_ptr_null(strstr(r.body, "110101199003078031"));
    ht_resp_free(&r);

    const char *en[] = {"Accept-Language: en", NULL};
    validate("\"110101199003078031\"", en, &r);
    ht_assert_problem(&r, 422, "invalid_id_number");
    e0 = json_array_get(json_object_get(r.json, "errors"), 0);
    ck_assert_msg(strstr(ht_json_str(e0, "message"), "check digit") != NULL, "%s", r.body);
    ck_assert_str_eq(ht_json_str(r.json, "title"), "Invalid ID number");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_validate_other_reasons)
{
    char future[19], province[19], bad_date[19];
    make_id("11010120990101001", future);   /* born in 2099 */
    make_id("99010119900307803", province); /* no province 99 */
    make_id("11010119900230803", bad_date); /* 30 February */
    const struct {
        const char *id, *zh;
    } cases[] = {
        {"12345", "18"},      {"11010119900307803A", "数字"},
        {future, "出生日期"}, {bad_date, "出生日期"},
        {province, "省级"},   {"", "18"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char body[64];
        snprintf(body, sizeof(body), "\"%s\"", cases[i].id);
        ht_resp r;
        validate(body, NULL, &r);
        ht_assert_problem(&r, 422, "invalid_id_number");
        json_t *e0 = json_array_get(json_object_get(r.json, "errors"), 0);
        ck_assert_str_eq(ht_json_str(e0, "field"), "/id_number");
        ck_assert_msg(strstr(ht_json_str(e0, "message"), cases[i].zh) != NULL, "%s: %s",
                      cases[i].id, r.body);
        ht_resp_free(&r);
    }
}
END_TEST

START_TEST(test_validate_missing_and_wrong_type)
{
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, VALIDATE, "{}", NULL, &r), 0);
    ht_assert_problem(&r, 422, "missing_field");
    ck_assert_str_eq(ht_json_str(json_array_get(json_object_get(r.json, "errors"), 0), "field"),
                     "/id_number");
    ht_resp_free(&r);

    ck_assert_int_eq(ht_post_json(srv, VALIDATE, "{\"id_number\":110101199003078031}", NULL, &r),
                     0);
    ht_assert_problem(&r, 422, "wrong_type");
    ck_assert_str_eq(ht_json_str(json_array_get(json_object_get(r.json, "errors"), 0), "field"),
                     "/id_number");
    ht_resp_free(&r);

    ck_assert_int_eq(ht_post_json(srv, VALIDATE, "{\"id_number\":null}", NULL, &r), 0);
    ht_assert_problem(&r, 422, "wrong_type");
    ht_resp_free(&r);

    ck_assert_int_eq(ht_post_json(srv, VALIDATE, "[\"" GOOD_ID "\"]", NULL, &r), 0);
    ht_assert_problem(&r, 422, "wrong_type");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_validate_malformed_json)
{
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, VALIDATE, "{\"id_number\": \"1101", NULL, &r), 0);
    ht_assert_problem(&r, 400, "malformed_json");
    const char *d = ht_json_str(r.json, "detail");
    ck_assert_msg(strstr(d, "第 1 行") != NULL && strstr(d, "列") != NULL, "detail %s", d);
    ht_resp_free(&r);

    /* the line and column point at the error */
    const char *en[] = {"Accept-Language: en", NULL};
    ck_assert_int_eq(ht_post_json(srv, VALIDATE, "{\n  \"id_number\": ,\n}", en, &r), 0);
    ht_assert_problem(&r, 400, "malformed_json");
    d = ht_json_str(r.json, "detail");
    ck_assert_msg(strstr(d, "line 2, column") != NULL, "detail %s", d);
    ht_resp_free(&r);

    /* duplicate keys are refused, not silently resolved */
    ck_assert_int_eq(ht_post_json(srv, VALIDATE,
                                  "{\"id_number\":\"" GOOD_ID "\",\"id_number\":\"1\"}", NULL, &r),
                     0);
    ht_assert_problem(&r, 400, "malformed_json");
    ht_resp_free(&r);

    /* an empty body is not JSON */
    ck_assert_int_eq(ht_post_json(srv, VALIDATE, "", NULL, &r), 0);
    ht_assert_problem(&r, 400, "malformed_json");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_validate_media_type)
{
    const char *body = "{\"id_number\":\"" GOOD_ID "\"}";
    ht_resp r;
    const char *text[] = {"Content-Type: text/plain", NULL};
    ck_assert_int_eq(ht_request(srv, "POST", VALIDATE, text, body, strlen(body), &r), 0);
    ht_assert_problem(&r, 415, "unsupported_media_type");
    ht_resp_free(&r);

    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    ck_assert_int_eq(ht_request(srv, "POST", VALIDATE, form, body, strlen(body), &r), 0);
    ht_assert_problem(&r, 415, "unsupported_media_type");
    ht_resp_free(&r);

    const char *none[] = {"Content-Type;", NULL}; /* curl: send the header empty */
    ck_assert_int_eq(ht_request(srv, "POST", VALIDATE, none, body, strlen(body), &r), 0);
    ht_assert_problem(&r, 415, "unsupported_media_type");
    ht_resp_free(&r);

    const char *jsonx[] = {"Content-Type: application/jsonx", NULL};
    ck_assert_int_eq(ht_request(srv, "POST", VALIDATE, jsonx, body, strlen(body), &r), 0);
    ht_assert_problem(&r, 415, "unsupported_media_type");
    ht_resp_free(&r);

    static const char *const ok[] = {"Content-Type: application/json; charset=utf-8",
                                     "Content-Type: Application/JSON",
                                     "Content-Type: application/merge-patch+json"};
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        const char *h[] = {ok[i], NULL};
        ck_assert_int_eq(ht_request(srv, "POST", VALIDATE, h, body, strlen(body), &r), 0);
        ck_assert_msg(r.status == 200, "%s -> %ld", ok[i], r.status);
        ht_resp_free(&r);
    }
}
END_TEST

/* {"id_number":"...","pad":"xxx..."} of exactly `size` bytes (malloc'd). */
static char *
padded_body(size_t size)
{
    const char *head = "{\"id_number\":\"" GOOD_ID "\",\"pad\":\"";
    size_t hl = strlen(head);
    char *b = malloc(size + 1);
    ck_assert_ptr_nonnull(b);
    memcpy(b, head, hl);
    memset(b + hl, 'x', size - hl - 2);
    memcpy(b + size - 2, "\"}", 2);
    b[size] = '\0';
    return b;
}

START_TEST(test_validate_body_limits)
{
    const char *json[] = {"Content-Type: application/json", NULL};
    ht_resp r;
    char *b = padded_body(2u << 20);
    ck_assert_int_eq(ht_request(srv, "POST", VALIDATE, json, b, 2u << 20, &r), 0);
    ht_assert_problem(&r, 413, "body_too_large");
    ht_resp_free(&r);
    free(b);

    b = padded_body((1u << 20) + 1);
    ck_assert_int_eq(ht_request(srv, "POST", VALIDATE, json, b, (1u << 20) + 1, &r), 0);
    ht_assert_problem(&r, 413, "body_too_large");
    ht_resp_free(&r);
    free(b);

    b = padded_body(1u << 20); /* exactly the limit */
    ck_assert_int_eq(ht_request(srv, "POST", VALIDATE, json, b, 1u << 20, &r), 0);
    ck_assert_msg(r.status == 200, "1 MiB -> %ld %s", r.status, r.body);
    ht_resp_free(&r);
    free(b);

    /* the connection is still usable afterwards */
    ck_assert_int_eq(ht_get(srv, "/healthz", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
}
END_TEST

/* No answer and no log line carries the ID numbers sent (PII never logged). */
START_TEST(test_validate_pii_not_logged)
{
    ht_resp r;
    validate("\"" GOOD_ID "\"", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    validate("\"110101199003078031\"", NULL, &r);
    ck_assert_int_eq(r.status, 422);
    ht_resp_free(&r);
    validate("\"610104620927690\"", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    validate("110101199003078031", NULL, &r);
    ck_assert_int_eq(r.status, 422);
    ht_resp_free(&r);
    char key[96];
    snprintf(key, sizeof(key), "Idempotency-Key: pii-%ld-%lld", (long)getpid(), ht_now_ms());
    const char *idem[] = {key, NULL};
    validate("\"" GOOD_ID "\"", idem, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    validate("\"" GOOD_ID "\"", idem, &r); /* the replay */
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    char *big = padded_body(2u << 20);
    const char *json[] = {"Content-Type: application/json", NULL};
    ck_assert_int_eq(ht_request(srv, "POST", VALIDATE, json, big, 2u << 20, &r), 0);
    ck_assert_int_eq(r.status, 413);
    ht_resp_free(&r);
    free(big);

    static const char *const pii[] = {GOOD_ID, "11010119900307803", "110101199003078031",
                                      "610104620927690", "610104196209276908"};
    for (size_t i = 0; i < sizeof(pii) / sizeof(pii[0]); i++)
        ck_assert_msg(ht_server_log_count(srv, pii[i]) == 0, "the log contains %s", pii[i]);
    ck_assert_int_ge(ht_server_log_count(srv, "\"msg\":\"request\""), 6);
}
END_TEST

/*
 * The same at XUEJI_LOG_LEVEL=debug, where 4xx problems log their internal
 * detail: a malformed body must not bring a piece of itself into the log.
 * (jansson's error text quotes the token it stopped at: "':' expected near
 * '\"11010119900307803X\"'".)
 */
START_TEST(test_pii_not_logged_at_debug)
{
    const char *env[] = {"XUEJI_LOG_LEVEL=debug", NULL};
    ht_server *s = ht_server_start(env);
    ck_assert_ptr_nonnull(s);
    static const char *const bodies[] = {
        "{\"id_number\":\"" GOOD_ID "\"}",   "{\"id_number\":\"110101199003078031\"}",
        "{\"id_number\" \"" GOOD_ID "\"}",   "{\"id_number\":\"" GOOD_ID "\" \"x\"}",
        "[\"" GOOD_ID "\" \"" GOOD_ID "\"]",
    };
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        ht_resp r;
        ck_assert_int_eq(ht_post_json(s, VALIDATE, bodies[i], NULL, &r), 0);
        ck_assert_int_ne(r.status, 500);
        ht_resp_free(&r);
    }
    char *log = ht_server_log(s);
    int leaked = strstr(log, "11010119900307803") != NULL;
    ck_assert_int_eq(ht_server_stop(s), 0);
    ck_assert_msg(!leaked, "the debug log contains an ID number:\n%s", log);
    free(log);
}
END_TEST

static Suite *
regions_suite(void)
{
    Suite *s = suite_create("http-regions-validate");

    /* the PII check, last, reads the log that all the tests above wrote */
    TCase *tc = shared_tcase("validate");
    tcase_add_test(tc, test_validate_ok);
    tcase_add_test(tc, test_validate_lowercase_x);
    tcase_add_test(tc, test_validate_legacy_15);
    tcase_add_test(tc, test_validate_unknown_region_warns);
    tcase_add_test(tc, test_validate_checksum_error);
    tcase_add_test(tc, test_validate_other_reasons);
    tcase_add_test(tc, test_validate_missing_and_wrong_type);
    tcase_add_test(tc, test_validate_malformed_json);
    tcase_add_test(tc, test_validate_media_type);
    tcase_add_test(tc, test_validate_body_limits);
    tcase_add_test(tc, test_validate_pii_not_logged);
    suite_add_tcase(s, tc);

    tc = tcase_create("debug-log"); /* a server of its own, at XUEJI_LOG_LEVEL=debug */
    tcase_set_timeout(tc, ht_timeout(60));
    tcase_add_test(tc, test_pii_not_logged_at_debug);
    suite_add_tcase(s, tc);

    /* last: the shared server exits 0 (ASan and UBSan reports exit non-zero) */
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
    SRunner *sr = srunner_create(regions_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}
