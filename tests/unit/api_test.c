/*
 * tests/unit/api_test.c - problem+json rendering and configuration.
 */
#include "api/api.h"
#include "api/config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static api_call *
new_call(void)
{
    api_call *c = calloc(1, sizeof(*c));
    c->arena = app_arena_new();
    c->path = "/api/v1/x";
    strcpy(c->request_id, "rid-1");
    return c;
}

static void
free_call(api_call *c)
{
    app_arena_free(c->arena);
    free(c);
}

static json_t *
render(api_call *c)
{
    api_problem_render(c);
    json_error_t e;
    json_t *j = json_loadb(c->out, c->out_len, 0, &e);
    ck_assert_msg(j != NULL, "problem body is not JSON: %s", c->out);
    ck_assert_str_eq(c->content_type, "application/problem+json; charset=utf-8");
    return j;
}

static const struct {
    app_code code;
    const char *slug;
    int status;
} statuses[] = {
    {APP_ENOTFOUND, "route_not_found", 404},
    {APP_EINVAL, "method_not_allowed", 405},
    {APP_EINVAL, "malformed_json", 400},
    {APP_ETOOLARGE, "body_too_large", 413},
    {APP_EINVAL, "unsupported_media_type", 415},
    {APP_EINVAL, "invalid_id_number", 422},
    {APP_EINVAL, "idempotency_key_reused", 422},
    {APP_ECONFLICT, "idempotency_in_progress", 409},
    {APP_EINVAL, "rate_limited", 429},
    {APP_EUNAVAIL, "database_unavailable", 503},
    {APP_EINVAL, NULL, 422},
    {APP_ENOTFOUND, NULL, 404},
    {APP_EFORBIDDEN, NULL, 403},
    {APP_EAUTH, NULL, 401},
    {APP_EPRECOND, NULL, 412},
    {APP_EINTERNAL, NULL, 500},
    {APP_EINVAL, "no_such_slug_anywhere", 422},
};

START_TEST(test_status_by_slug)
{
    app_err e = {0};
    app_err_set(&e, statuses[_i].code, statuses[_i].slug, NULL);
    ck_assert_int_eq(api_problem_status(&e), statuses[_i].status);
}
END_TEST

START_TEST(test_problem_body_chinese_with_reason)
{
    api_call *c = new_call();
    app_err_set(&c->err, APP_EINVAL, "invalid_id_number", "internal: 110101...");
    app_err_param(&c->err, "checksum");
    app_err_field(&c->err, "/id_number");
    c->failed = 1;
    json_t *j = render(c);
    ck_assert_int_eq(c->status, 422);
    ck_assert_str_eq(json_string_value(json_object_get(j, "code")), "invalid_id_number");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 422);
    ck_assert_str_eq(json_string_value(json_object_get(j, "title")), "身份证件号不正确");
    ck_assert_str_eq(json_string_value(json_object_get(j, "detail")),
                     "身份证件号不正确：校验位错误");
    ck_assert_str_eq(json_string_value(json_object_get(j, "request_id")), "rid-1");
    json_t *e0 = json_array_get(json_object_get(j, "errors"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(e0, "field")), "/id_number");
    /* the internal detail never reaches the client */
    ck_assert_ptr_null(strstr(c->out, "internal"));
    json_decref(j);
    free_call(c);
}
END_TEST

START_TEST(test_problem_body_english)
{
    api_call *c = new_call();
    c->lang_en = 1;
    app_err_set(&c->err, APP_ENOTFOUND, "route_not_found", NULL);
    json_t *j = render(c);
    ck_assert_str_eq(json_string_value(json_object_get(j, "title")), "No such resource path");
    ck_assert_int_eq((int)json_array_size(json_object_get(j, "errors")), 0);
    json_decref(j);
    free_call(c);
}
END_TEST

START_TEST(test_problem_items_each_with_message)
{
    api_call *c = new_call();
    app_err_set(&c->err, APP_EINVAL, "validation_failed", NULL);
    app_err_add(&c->err, "/a", "missing_field", NULL);
    app_err_add(&c->err, "/b", "invalid_school_code", "category");
    json_t *j = render(c);
    json_t *errs = json_object_get(j, "errors");
    ck_assert_int_eq((int)json_array_size(errs), 2);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(errs, 1), "message")),
                     "学校标识码不正确：学校类别代码不存在");
    json_decref(j);
    free_call(c);
}
END_TEST

START_TEST(test_internal_errors_hide_detail)
{
    api_call *c = new_call();
    app_err_set(&c->err, APP_EINTERNAL, NULL, "syntax error at or near SELEC");
    json_t *j = render(c);
    ck_assert_int_eq(c->status, 500);
    ck_assert_ptr_null(strstr(c->out, "SELEC"));
    json_decref(j);
    free_call(c);
}
END_TEST

/* ---- configuration ---- */

static void
clear_env(void)
{
    static const char *const vars[] = {"XUEJI_LISTEN",
                                       "XUEJI_THREADS",
                                       "XUEJI_DB_POOL",
                                       "XUEJI_JWT_SECRET",
                                       "XUEJI_JWT_SECRET_FILE",
                                       "XUEJI_DATA_KEY",
                                       "XUEJI_DATA_KEY_FILE",
                                       "XUEJI_ENV",
                                       "XUEJI_LOG_LEVEL",
                                       "XUEJI_RATE_LIMIT_IP",
                                       "XUEJI_MAX_JSON",
                                       "XUEJI_AUDIT_SIGNING_KEY",
                                       NULL};
    for (int i = 0; vars[i]; i++)
        unsetenv(vars[i]);
}

#define SECRET "0123456789abcdef0123456789abcdef01234567"
#define KEY "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

START_TEST(test_config_defaults_and_listen)
{
    clear_env();
    setenv("XUEJI_ENV", "development", 1);
    setenv("XUEJI_LISTEN", "0.0.0.0:9090", 1);
    api_config cfg;
    app_err err = {0};
    ck_assert_int_eq(api_config_load(&cfg, &err), 0);
    ck_assert_str_eq(cfg.host, "0.0.0.0");
    ck_assert_int_eq(cfg.port, 9090);
    ck_assert_int_eq(cfg.db_pool, 4);
    ck_assert_int_eq((int)cfg.max_json, 1 << 20);
    ck_assert_int_eq(cfg.production, 0);
    setenv("XUEJI_LISTEN", "nonsense", 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    setenv("XUEJI_LISTEN", "127.0.0.1:70000", 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    setenv("XUEJI_LISTEN", "127.0.0.1:8080", 1);
    setenv("XUEJI_THREADS", "0", 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.detail, "XUEJI_THREADS"));
}
END_TEST

START_TEST(test_config_production_needs_real_keys)
{
    clear_env();
    api_config cfg;
    app_err err = {0};
    /* production is the default, and it needs both keys */
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    setenv("XUEJI_JWT_SECRET", SECRET, 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    setenv("XUEJI_DATA_KEY", KEY, 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    setenv("XUEJI_AUDIT_SIGNING_KEY", KEY, 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), 0);
    ck_assert_int_eq(cfg.production, 1);
    ck_assert_int_eq(cfg.data_key[1], 0x11);
    /* development keys (as written by make run) are refused */
    setenv("XUEJI_DATA_KEY", API_DEV_KEY_MARKER KEY, 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.detail, "development"));
    setenv("XUEJI_ENV", "development", 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), 0);
    ck_assert_int_eq(cfg.dev_keys, 1);
    /* short secrets and malformed keys are refused in any mode */
    setenv("XUEJI_JWT_SECRET", "short", 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    setenv("XUEJI_JWT_SECRET", SECRET, 1);
    setenv("XUEJI_DATA_KEY", "zz", 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    setenv("XUEJI_ENV", "staging", 1);
    setenv("XUEJI_DATA_KEY", KEY, 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
}
END_TEST

START_TEST(test_config_secret_from_file)
{
    clear_env();
    char path[] = "/tmp/xueji-secret-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq((int)write(fd, SECRET "\n", strlen(SECRET) + 1), (int)strlen(SECRET) + 1);
    close(fd);
    setenv("XUEJI_ENV", "development", 1);
    setenv("XUEJI_JWT_SECRET_FILE", path, 1);
    api_config cfg;
    app_err err = {0};
    ck_assert_int_eq(api_config_load(&cfg, &err), 0);
    ck_assert_int_eq((int)cfg.jwt_secret_len, (int)strlen(SECRET)); /* newline stripped */
    unlink(path);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL); /* unreadable file */
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("problem");
    tcase_add_loop_test(tc, test_status_by_slug, 0, (int)(sizeof(statuses) / sizeof(statuses[0])));
    tcase_add_test(tc, test_problem_body_chinese_with_reason);
    tcase_add_test(tc, test_problem_body_english);
    tcase_add_test(tc, test_problem_items_each_with_message);
    tcase_add_test(tc, test_internal_errors_hide_detail);
    suite_add_tcase(s, tc);
    TCase *tc2 = tcase_create("config");
    tcase_add_test(tc2, test_config_defaults_and_listen);
    tcase_add_test(tc2, test_config_production_needs_real_keys);
    tcase_add_test(tc2, test_config_secret_from_file);
    suite_add_tcase(s, tc2);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
