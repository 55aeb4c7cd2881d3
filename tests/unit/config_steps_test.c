/*
 * tests/unit/config_steps_test.c - api_config_load reads every XUEJI_*
 * variable into its field, and when several are wrong the first check in
 * the documented order is the one reported.
 */
#include "api/config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const char *const all_vars[] = {"XUEJI_LISTEN",
                                       "XUEJI_METRICS_LISTEN",
                                       "XUEJI_METRICS_TOKEN",
                                       "XUEJI_METRICS_TOKEN_FILE",
                                       "XUEJI_THREADS",
                                       "XUEJI_DB_POOL",
                                       "XUEJI_MAX_JSON",
                                       "XUEJI_MAX_UPLOAD",
                                       "XUEJI_IMPORT_WORKERS",
                                       "XUEJI_IMPORT_STALE",
                                       "XUEJI_IMPORT_POLL_MS",
                                       "XUEJI_IMPORT_BATCH",
                                       "XUEJI_FILES_UPKEEP",
                                       "XUEJI_SHUTDOWN_TIMEOUT",
                                       "XUEJI_REQUEST_TIMEOUT_MS",
                                       "XUEJI_DB_STATEMENT_TIMEOUT_MS",
                                       "XUEJI_DB_LOCK_TIMEOUT_MS",
                                       "XUEJI_FREEZE_DAYS",
                                       "XUEJI_LOGIN_FAILURES",
                                       "XUEJI_LOGIN_FAILURES_ACCOUNT",
                                       "XUEJI_RATE_LIMIT_IP",
                                       "XUEJI_RATE_LIMIT_ACCOUNT",
                                       "XUEJI_DATABASE_URL",
                                       "XUEJI_CORS_ORIGINS",
                                       "XUEJI_ADMIN_PASSWORD",
                                       "XUEJI_PORT_FILE",
                                       "XUEJI_ENV",
                                       "XUEJI_LOG_LEVEL",
                                       "XUEJI_JWT_SECRET",
                                       "XUEJI_JWT_SECRET_FILE",
                                       "XUEJI_DATA_KEY",
                                       "XUEJI_DATA_KEY_FILE",
                                       "XUEJI_DATA_KEYS_OLD",
                                       "XUEJI_DATA_KEYS_OLD_FILE",
                                       "XUEJI_AUDIT_SIGNING_KEY",
                                       "XUEJI_AUDIT_SIGNING_KEY_FILE",
                                       "XUEJI_AUDIT_SEAL_INTERVAL_MS",
                                       "XUEJI_VERIFIER_URL",
                                       "XUEJI_VERIFIER_TIMEOUT_MS",
                                       "XUEJI_TODAY",
                                       "XUEJI_TEST_FAULT",
                                       NULL};

#define SECRET "0123456789abcdef0123456789abcdef01234567"
#define KEY "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static void
clear_env(void)
{
    for (int i = 0; all_vars[i]; i++)
        unsetenv(all_vars[i]);
}

START_TEST(test_every_variable_lands_in_its_field)
{
    clear_env();
    static const char *const set[][2] = {
        {"XUEJI_ENV", "development"},
        {"XUEJI_LISTEN", "127.0.0.1:9000"},
        {"XUEJI_METRICS_LISTEN", "127.0.0.1:9001"},
        {"XUEJI_METRICS_TOKEN", "abcdefghijklmnopq"},
        {"XUEJI_THREADS", "3"},
        {"XUEJI_DB_POOL", "5"},
        {"XUEJI_MAX_JSON", "2048"},
        {"XUEJI_MAX_UPLOAD", "4096"},
        {"XUEJI_IMPORT_WORKERS", "2"},
        {"XUEJI_IMPORT_STALE", "61"},
        {"XUEJI_IMPORT_POLL_MS", "501"},
        {"XUEJI_IMPORT_BATCH", "77"},
        {"XUEJI_FILES_UPKEEP", "0"},
        {"XUEJI_SHUTDOWN_TIMEOUT", "7"},
        {"XUEJI_REQUEST_TIMEOUT_MS", "1001"},
        {"XUEJI_DB_STATEMENT_TIMEOUT_MS", "1002"},
        {"XUEJI_DB_LOCK_TIMEOUT_MS", "1003"},
        {"XUEJI_FREEZE_DAYS", "9"},
        {"XUEJI_LOGIN_FAILURES", "6"},
        {"XUEJI_LOGIN_FAILURES_ACCOUNT", "51"},
        {"XUEJI_RATE_LIMIT_IP", "0"},
        {"XUEJI_RATE_LIMIT_ACCOUNT", "12"},
        {"XUEJI_DATABASE_URL", "postgresql:///other"},
        {"XUEJI_CORS_ORIGINS", "*"},
        {"XUEJI_ADMIN_PASSWORD", "pw"},
        {"XUEJI_PORT_FILE", "/tmp/port"},
        {"XUEJI_LOG_LEVEL", "debug"},
        {"XUEJI_JWT_SECRET", SECRET},
        {"XUEJI_DATA_KEY", KEY},
        {"XUEJI_DATA_KEYS_OLD", KEY "," KEY},
        {"XUEJI_AUDIT_SIGNING_KEY", KEY},
        {"XUEJI_AUDIT_SEAL_INTERVAL_MS", "250"},
        {"XUEJI_VERIFIER_URL", "http://127.0.0.1:1/v"},
        {"XUEJI_VERIFIER_TIMEOUT_MS", "300"},
        {"XUEJI_TODAY", "2026-09-01"},
        {"XUEJI_TEST_FAULT", "import_crash"},
    };
    for (size_t i = 0; i < sizeof(set) / sizeof(set[0]); i++)
        setenv(set[i][0], set[i][1], 1);
    api_config cfg;
    app_err err = {0};
    ck_assert_int_eq(api_config_load(&cfg, &err), 0);
    ck_assert_int_eq(cfg.port, 9000);
    ck_assert_int_eq(cfg.metrics_listen, 1);
    ck_assert_int_eq(cfg.metrics_port, 9001);
    ck_assert_str_eq(cfg.metrics_token, "abcdefghijklmnopq");
    ck_assert_int_eq(cfg.threads, 3);
    ck_assert_int_eq(cfg.db_pool, 5);
    ck_assert_int_eq((int)cfg.max_json, 2048);
    ck_assert_int_eq((int)cfg.max_upload, 4096);
    ck_assert_int_eq(cfg.import_workers, 2);
    ck_assert_int_eq(cfg.import_stale_s, 61);
    ck_assert_int_eq(cfg.import_poll_ms, 501);
    ck_assert_int_eq(cfg.import_batch, 77);
    ck_assert_int_eq(cfg.files_upkeep_s, 0);
    ck_assert_int_eq(cfg.shutdown_timeout_ms, 7000);
    ck_assert_int_eq(cfg.request_timeout_ms, 1001);
    ck_assert_int_eq(cfg.statement_timeout_ms, 1002);
    ck_assert_int_eq(cfg.lock_timeout_ms, 1003);
    ck_assert_int_eq(cfg.freeze_days, 9);
    ck_assert_int_eq(cfg.max_login_failures, 6);
    ck_assert_int_eq(cfg.max_login_failures_account, 51);
    ck_assert(cfg.rate_ip == 0.0 && cfg.rate_account == 12.0);
    ck_assert_str_eq(cfg.database_url, "postgresql:///other");
    ck_assert_str_eq(cfg.cors_origins, "*");
    ck_assert_str_eq(cfg.admin_password, "pw");
    ck_assert_str_eq(cfg.port_file, "/tmp/port");
    ck_assert_int_eq(cfg.production, 0);
    ck_assert_int_eq(cfg.log_level, 3);
    ck_assert_int_eq((int)cfg.jwt_secret_len, (int)strlen(SECRET));
    ck_assert_int_eq(cfg.have_data_key, 1);
    ck_assert_int_eq(cfg.nold_keys, 2);
    ck_assert_int_eq(cfg.old_keys[1][31], 0xff);
    ck_assert_int_eq(cfg.have_audit_key, 1);
    ck_assert_int_eq(cfg.audit_key_ephemeral, 0);
    ck_assert_int_eq(cfg.audit_seed[1], 0x11);
    ck_assert_int_eq(cfg.audit_seal_interval_ms, 250);
    ck_assert_str_eq(cfg.verifier_url, "http://127.0.0.1:1/v");
    ck_assert_int_eq(cfg.verifier_timeout_ms, 300);
    ck_assert_int_eq(cfg.today_override, 20260901);
    ck_assert_int_eq(cfg.fault_import_crash, 1);
    ck_assert_int_eq(cfg.fault_after_effect, 0);
    ck_assert_int_eq(cfg.dev_keys, 0);
    api_config_wipe(&cfg);
    ck_assert_int_eq(cfg.jwt_secret[0], 0);
}
END_TEST

/*
 * Pairs of wrong settings, the earlier check first: with both set, the
 * first one's variable is the one err->detail names.
 */
static const struct {
    const char *var, *bad, *named;
} order[] = {
    {"XUEJI_LISTEN", "nonsense", "XUEJI_LISTEN"},
    {"XUEJI_METRICS_TOKEN", "short", "XUEJI_METRICS_TOKEN"},
    {"XUEJI_THREADS", "0", "XUEJI_THREADS"},
    {"XUEJI_MAX_UPLOAD", "1", "XUEJI_MAX_UPLOAD"},
    {"XUEJI_IMPORT_WORKERS", "65", "XUEJI_IMPORT_WORKERS"},
    {"XUEJI_AUDIT_SEAL_INTERVAL_MS", "5", "XUEJI_AUDIT_SEAL_INTERVAL_MS"},
    {"XUEJI_SHUTDOWN_TIMEOUT", "-1", "XUEJI_SHUTDOWN_TIMEOUT"},
    {"XUEJI_REQUEST_TIMEOUT_MS", "x", "XUEJI_REQUEST_TIMEOUT_MS"},
    {"XUEJI_DB_LOCK_TIMEOUT_MS", "-1", "XUEJI_DB_LOCK_TIMEOUT_MS"},
    {"XUEJI_FREEZE_DAYS", "-1", "XUEJI_FREEZE_DAYS"},
    {"XUEJI_RATE_LIMIT_ACCOUNT", "-1", "XUEJI_RATE_LIMIT_ACCOUNT"},
    {"XUEJI_ENV", "staging", "XUEJI_ENV"},
    {"XUEJI_LOG_LEVEL", "trace", "XUEJI_LOG_LEVEL"},
    {"XUEJI_JWT_SECRET", "short", "XUEJI_JWT_SECRET"},
    {"XUEJI_DATA_KEY", "zz", "XUEJI_DATA_KEY must"},
    {"XUEJI_DATA_KEYS_OLD", "zz", "XUEJI_DATA_KEYS_OLD"},
    {"XUEJI_AUDIT_SIGNING_KEY", "zz", "XUEJI_AUDIT_SIGNING_KEY"},
    {"XUEJI_VERIFIER_TIMEOUT_MS", "10", "XUEJI_VERIFIER_TIMEOUT_MS"},
    {"XUEJI_TODAY", "2026-13-01", "XUEJI_TODAY"},
};
#define NORDER ((int)(sizeof(order) / sizeof(order[0])))

START_TEST(test_first_wrong_setting_is_reported)
{
    /* order[_i] and order[_i + 1] both wrong: order[_i] is named */
    clear_env();
    setenv("XUEJI_ENV", "development", 1);
    setenv(order[_i].var, order[_i].bad, 1);
    setenv(order[_i + 1].var, order[_i + 1].bad, 1);
    api_config cfg;
    app_err err = {0};
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    ck_assert_msg(strstr(err.detail, order[_i].named) != NULL, "%s: got \"%s\"", order[_i].var,
                  err.detail);
    /* and alone, the later one is reported too */
    unsetenv(order[_i].var);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    ck_assert_msg(strstr(err.detail, order[_i + 1].named) != NULL, "%s: got \"%s\"",
                  order[_i + 1].var, err.detail);
}
END_TEST

START_TEST(test_production_checks_come_last)
{
    api_config cfg;
    app_err err = {0};
    /* test hooks are refused in production before the missing keys are */
    clear_env();
    setenv("XUEJI_TEST_FAULT", "after_effect", 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.detail, "development only"));
    unsetenv("XUEJI_TEST_FAULT");
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.detail, "production needs"));
    /* a development marker on the secret alone is refused in production */
    setenv("XUEJI_JWT_SECRET", API_DEV_KEY_MARKER SECRET, 1);
    setenv("XUEJI_DATA_KEY", KEY, 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.detail, "production needs"));
    setenv("XUEJI_AUDIT_SIGNING_KEY", KEY, 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.detail, "refuses development keys"));
    ck_assert_int_eq(cfg.dev_keys, 1);
}
END_TEST

/* The audit signing key: required in production, never a development one
   there; in development a random one when unset. */
START_TEST(test_audit_signing_key)
{
    api_config cfg;
    app_err err = {0};
    clear_env();
    setenv("XUEJI_JWT_SECRET", SECRET, 1);
    setenv("XUEJI_DATA_KEY", KEY, 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.detail, "XUEJI_AUDIT_SIGNING_KEY"));
    setenv("XUEJI_AUDIT_SIGNING_KEY", API_DEV_KEY_MARKER KEY, 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.detail, "refuses development keys"));
    setenv("XUEJI_AUDIT_SIGNING_KEY", KEY, 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), 0);
    ck_assert_int_eq(cfg.have_audit_key, 1);
    ck_assert_int_eq(cfg.audit_seal_interval_ms, 1000);
    setenv("XUEJI_ENV", "development", 1);
    setenv("XUEJI_AUDIT_SIGNING_KEY", API_DEV_KEY_MARKER KEY, 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), 0);
    ck_assert_int_eq(cfg.dev_keys, 1);
    ck_assert_int_eq(cfg.audit_seed[31], 0xff);
    unsetenv("XUEJI_AUDIT_SIGNING_KEY");
    ck_assert_int_eq(api_config_load(&cfg, &err), 0);
    ck_assert_int_eq(cfg.have_audit_key, 0);
    ck_assert_int_eq(cfg.audit_key_ephemeral, 1);
    unsigned char first[32];
    memcpy(first, cfg.audit_seed, 32);
    ck_assert_int_eq(api_config_load(&cfg, &err), 0);
    ck_assert_int_ne(memcmp(first, cfg.audit_seed, 32), 0);
}
END_TEST

START_TEST(test_old_keys_up_to_seven)
{
    clear_env();
    setenv("XUEJI_ENV", "development", 1);
    setenv("XUEJI_DATA_KEYS_OLD", KEY "," KEY "," KEY "," KEY "," KEY "," KEY "," KEY, 1);
    api_config cfg;
    app_err err = {0};
    ck_assert_int_eq(api_config_load(&cfg, &err), 0);
    ck_assert_int_eq(cfg.nold_keys, 7);
    setenv("XUEJI_DATA_KEYS_OLD", KEY "," KEY "," KEY "," KEY "," KEY "," KEY "," KEY "," KEY, 1);
    ck_assert_int_eq(api_config_load(&cfg, &err), APP_EINVAL);
    /* an eighth key does not fit the 511 bytes read: too long */
    ck_assert_ptr_nonnull(strstr(err.detail, "XUEJI_DATA_KEYS_OLD"));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("config_steps");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, test_every_variable_lands_in_its_field);
    tcase_add_loop_test(tc, test_first_wrong_setting_is_reported, 0, NORDER - 1);
    tcase_add_test(tc, test_production_checks_come_last);
    tcase_add_test(tc, test_audit_signing_key);
    tcase_add_test(tc, test_old_keys_up_to_seven);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
