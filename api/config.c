/*
 * api/config.c - XUEJI_* environment variables.
 */
#include "api/config.h"

#include "core/env.h"
#include "core/import.h"
#include "core/settings.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char HELP[] =
    "Environment (all optional unless marked):\n"
    "  XUEJI_DATABASE_URL      libpq URL of the database (default: postgresql:///xueji)\n"
    "  XUEJI_LISTEN            host:port to serve on (default 127.0.0.1:8080; port 0 = any free)\n"
    "  XUEJI_THREADS           event-loop threads (default: number of cores)\n"
    "  XUEJI_DB_POOL           PostgreSQL connections = DB worker threads (default 4)\n"
    "  XUEJI_REPLICA_URL       a streaming replica for heavy reads (reports, lists, the\n"
    "                          change feed); each worker holds a second connection\n"
    "  XUEJI_REPLICA_MAX_LAG_MS  a replica further behind answers nothing (default 2000)\n"
    "  XUEJI_JWT_SECRET        token signing secret, >= 32 bytes (required in production)\n"
    "  XUEJI_JWT_SECRET_FILE   ... or a file holding it\n"
    "  XUEJI_DATA_KEY          PII encryption key: 64 hex digits (required in production)\n"
    "  XUEJI_DATA_KEY_FILE     ... or a file holding it\n"
    "  XUEJI_DATA_KEYS_OLD     earlier data keys, comma-separated, during a key rotation\n"
    "  XUEJI_AUDIT_SIGNING_KEY the audit seals' Ed25519 key: a 32-byte seed in 64 hex\n"
    "                          digits (required in production; in development a new\n"
    "                          one per start, its public key logged)\n"
    "  XUEJI_AUDIT_SIGNING_KEY_FILE ... or a file holding it\n"
    "  XUEJI_AUDIT_SEAL_INTERVAL_MS how often the audit sealer runs (default 1000)\n"
    "  XUEJI_VERIFIER_URL      identity verification service (http://host:port/path; unset: none)\n"
    "  XUEJI_VERIFIER_TIMEOUT_MS  its time limit per check (default 2000)\n"
    "  XUEJI_ADMIN_PASSWORD    password of the ministry user 'admin' created on first start\n"
    "  XUEJI_ENV               production (default) or development\n"
    "  XUEJI_LOG_LEVEL         error, warn, info (default) or debug\n"
    "  XUEJI_CORS_ORIGINS      comma-separated allowed browser origins, or * (default: none)\n"
    "  XUEJI_RATE_LIMIT_IP     requests per second per client address, 0 = off (default 300)\n"
    "  XUEJI_RATE_LIMIT_ACCOUNT requests per second per account, 0 = off (default 50)\n"
    "  XUEJI_MAX_JSON          JSON body limit in bytes (default 1048576)\n"
    "  XUEJI_MAX_UPLOAD        upload body limit in bytes (default 52428800)\n"
    "  XUEJI_IMPORT_WORKERS    background import workers (default 1; 0: none)\n"
    "  XUEJI_IMPORT_STALE      seconds without a heartbeat before a running import\n"
    "                          is taken over by another worker (default 60)\n"
    "  XUEJI_IMPORT_POLL_MS    how often idle import workers look for jobs (default 500)\n"
    "  XUEJI_IMPORT_BATCH      rows an import registers and commits at a time (default 500)\n"
    "  XUEJI_FILES_UPKEEP      seconds between runs of the file upkeep: sealing files\n"
    "                          stored in clear, deleting import uploads past their\n"
    "                          retention (default 300; 0: none)\n"
    "  XUEJI_ROUND_CLOSER_MS   how often due selection rounds are closed and drawn\n"
    "                          (default 1000; 0: none)\n"
    "  XUEJI_SHUTDOWN_TIMEOUT  seconds to finish in-flight requests on SIGTERM (default 10)\n"
    "  XUEJI_REQUEST_TIMEOUT_MS  a request still waiting for a DB worker after this\n"
    "                          gets 503 server_busy, 0 = wait (default 10000)\n"
    "  XUEJI_DB_STATEMENT_TIMEOUT_MS  PostgreSQL statement_timeout of the request\n"
    "                          connections; past it 503 database_timeout, 0 = none\n"
    "                          (default 10000)\n"
    "  XUEJI_DB_LOCK_TIMEOUT_MS  PostgreSQL lock_timeout of the request connections,\n"
    "                          0 = none (default 3000)\n"
    "  XUEJI_FREEZE_DAYS       accounts unused this many days are frozen, 0 = never (default 180)\n"
    "  XUEJI_LOGIN_FAILURES    failed logins within 15 minutes from one address that lock\n"
    "                          that address out of the account for 15 minutes (default 5)\n"
    "  XUEJI_LOGIN_FAILURES_ACCOUNT failed logins within 15 minutes from any addresses\n"
    "                          that lock the account itself for 15 minutes (default 50)\n"
    "  XUEJI_METRICS_LISTEN    host:port of a separate listener that serves GET /metrics\n"
    "                          only; with it, the API port does not serve /metrics\n"
    "  XUEJI_METRICS_TOKEN     a bearer token (16 to 255 characters) that GET /metrics\n"
    "                          requires, on either listener (_FILE: read from a file).\n"
    "                          With neither setting, /metrics is open in development and\n"
    "                          off (404) in production\n"
    "  XUEJI_PORT_FILE         write the bound port to this file (for tests)\n"
    "Rate limits are counted per xuejid process: with N processes behind a load\n"
    "balancer the effective limit is N times the setting.\n"
    "Production refuses to start without real keys, or with the development keys\n"
    "that `make run` writes (they carry the prefix " API_DEV_KEY_MARKER ").\n";

const char *
api_config_help(void)
{
    return HELP;
}

static const char *
env(const char *name, const char *def)
{
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? v : def;
}

static int
env_int(const char *name, long def, long min, long max, long *out, app_err *err)
{
    const char *v = env(name, NULL);
    if (v == NULL) {
        *out = def;
        return 0;
    }
    char *end;
    long n = strtol(v, &end, 10);
    if (*end != '\0' || n < min || n > max)
        return app_err_set(err, APP_EINVAL, "bad_config", "%s must be a number from %ld to %ld",
                           name, min, max);
    *out = n;
    return 0;
}

/* A secret from NAME or NAME_FILE, trailing newline removed. */
static int
secret(const char *name, char *buf, size_t cap, app_err *err)
{
    char fname[64];
    snprintf(fname, sizeof(fname), "%s_FILE", name);
    const char *v = env(name, NULL), *path = env(fname, NULL);
    buf[0] = '\0';
    if (v != NULL) {
        if (strlen(v) >= cap)
            return app_err_set(err, APP_EINVAL, "bad_config", "%s is too long", name);
        snprintf(buf, cap, "%s", v);
    } else if (path != NULL) {
        FILE *f = fopen(path, "r");
        if (f == NULL)
            return app_err_set(err, APP_EINVAL, "bad_config", "%s: cannot read %s", fname, path);
        size_t n = fread(buf, 1, cap - 1, f);
        fclose(f);
        buf[n] = '\0';
    }
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return 0;
}

/* host:port of `name` (value `v`) into host (64 bytes) and port (0-65535). */
static int
listen_addr(const char *name, const char *v, char *host, int *port, app_err *err)
{
    const char *colon = strrchr(v, ':');
    if (colon == NULL || colon - v >= 64)
        return app_err_set(err, APP_EINVAL, "bad_config", "%s must be host:port", name);
    snprintf(host, 64, "%.*s", (int)(colon - v), v);
    char *end;
    long n = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || n < 0 || n > 65535)
        return app_err_set(err, APP_EINVAL, "bad_config", "%s port must be 0-65535", name);
    *port = (int)n;
    return 0;
}

/* Where GET /metrics is served (api/request.c): XUEJI_METRICS_LISTEN, XUEJI_METRICS_TOKEN. */
static int
metrics_config(api_config *cfg, app_err *err)
{
    const char *v = env("XUEJI_METRICS_LISTEN", NULL);
    if (v != NULL) {
        int rc = listen_addr("XUEJI_METRICS_LISTEN", v, cfg->metrics_host, &cfg->metrics_port, err);
        if (rc != 0)
            return rc;
        if (cfg->metrics_port == 0 || cfg->metrics_port == cfg->port)
            return app_err_set(err, APP_EINVAL, "bad_config",
                               "XUEJI_METRICS_LISTEN needs a port of its own (not 0, not the "
                               "XUEJI_LISTEN port)");
        cfg->metrics_listen = 1;
    }
    int rc = secret("XUEJI_METRICS_TOKEN", cfg->metrics_token, sizeof(cfg->metrics_token), err);
    if (rc != 0)
        return rc;
    size_t n = strlen(cfg->metrics_token);
    if (n > 0 && n < 16)
        return app_err_set(err, APP_EINVAL, "bad_config",
                           "XUEJI_METRICS_TOKEN must be 16 to 255 characters");
    return 0;
}

/* How long a request may wait for a worker, a statement or a lock (ADR 0016). */
static int
load_deadlines(api_config *cfg, app_err *err)
{
    long n;
    int rc;
    if ((rc = env_int("XUEJI_REQUEST_TIMEOUT_MS", 10000, 0, 3600000, &n, err)) != 0)
        return rc;
    cfg->request_timeout_ms = (int)n;
    if ((rc = env_int("XUEJI_DB_STATEMENT_TIMEOUT_MS", 10000, 0, 3600000, &n, err)) != 0)
        return rc;
    cfg->statement_timeout_ms = (int)n;
    if ((rc = env_int("XUEJI_DB_LOCK_TIMEOUT_MS", 3000, 0, 3600000, &n, err)) != 0)
        return rc;
    cfg->lock_timeout_ms = (int)n;
    return 0;
}

/* Event-loop threads, DB pool and body limits. */
static int
load_sizes(api_config *cfg, app_err *err)
{
    long n;
    int rc;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if ((rc = env_int("XUEJI_THREADS", cores > 0 ? cores : 2, 1, 256, &n, err)) != 0)
        return rc;
    cfg->threads = (int)n;
    if ((rc = env_int("XUEJI_DB_POOL", 4, 1, 256, &n, err)) != 0)
        return rc;
    cfg->db_pool = (int)n;
    if ((rc = env_int("XUEJI_REPLICA_MAX_LAG_MS", 2000, 0, 3600000, &n, err)) != 0)
        return rc;
    cfg->replica_max_lag_ms = (int)n;
    if ((rc = env_int("XUEJI_MAX_JSON", 1 << 20, 1024, 64L << 20, &n, err)) != 0)
        return rc;
    cfg->max_json = (size_t)n;
    if ((rc = env_int("XUEJI_MAX_UPLOAD", 50L << 20, 1024, 1L << 30, &n, err)) != 0)
        return rc;
    cfg->max_upload = (size_t)n;
    return 0;
}

/* Import workers, file upkeep and the shutdown grace period. */
static int
load_background(api_config *cfg, app_err *err)
{
    long n;
    int rc;
    if ((rc = env_int("XUEJI_IMPORT_WORKERS", 1, 0, 64, &n, err)) != 0)
        return rc;
    cfg->import_workers = (int)n;
    if ((rc = env_int("XUEJI_IMPORT_STALE", 60, 1, 86400, &n, err)) != 0)
        return rc;
    cfg->import_stale_s = (int)n;
    if ((rc = env_int("XUEJI_IMPORT_POLL_MS", 500, 10, 60000, &n, err)) != 0)
        return rc;
    cfg->import_poll_ms = (int)n;
    if ((rc = env_int("XUEJI_IMPORT_BATCH", CORE_IMPORT_BATCH_CREATE, 1, 5000, &n, err)) != 0)
        return rc;
    cfg->import_batch = (int)n;
    if ((rc = env_int("XUEJI_FILES_UPKEEP", 300, 0, 86400, &n, err)) != 0)
        return rc;
    cfg->files_upkeep_s = (int)n;
    if ((rc = env_int("XUEJI_ROUND_CLOSER_MS", 1000, 0, 3600000, &n, err)) != 0)
        return rc;
    cfg->round_closer_ms = (int)n;
    if ((rc = env_int("XUEJI_AUDIT_SEAL_INTERVAL_MS", 1000, 10, 3600000, &n, err)) != 0)
        return rc;
    cfg->audit_seal_interval_ms = (int)n;
    if ((rc = env_int("XUEJI_SHUTDOWN_TIMEOUT", 10, 0, 3600, &n, err)) != 0)
        return rc;
    cfg->shutdown_timeout_ms = (int)n * 1000;
    return 0;
}

/* Account freezing, login lockouts and rate limits. */
static int
load_guards(api_config *cfg, app_err *err)
{
    long n;
    int rc;
    if ((rc = env_int("XUEJI_FREEZE_DAYS", 180, 0, 36500, &n, err)) != 0)
        return rc;
    cfg->freeze_days = (int)n;
    if ((rc = env_int("XUEJI_LOGIN_FAILURES", 5, 1, 100, &n, err)) != 0)
        return rc;
    cfg->max_login_failures = (int)n;
    if ((rc = env_int("XUEJI_LOGIN_FAILURES_ACCOUNT", 50, 1, 10000, &n, err)) != 0)
        return rc;
    cfg->max_login_failures_account = (int)n;
    if ((rc = env_int("XUEJI_RATE_LIMIT_IP", 300, 0, 10000000, &n, err)) != 0)
        return rc;
    cfg->rate_ip = (double)n;
    if ((rc = env_int("XUEJI_RATE_LIMIT_ACCOUNT", 50, 0, 10000000, &n, err)) != 0)
        return rc;
    cfg->rate_account = (double)n;
    return 0;
}

/* Database URL, CORS origins, admin password, port file, XUEJI_ENV, log level. */
static int
load_mode(api_config *cfg, app_err *err)
{
    snprintf(cfg->database_url, sizeof(cfg->database_url), "%s",
             env("XUEJI_DATABASE_URL", "postgresql:///xueji"));
    snprintf(cfg->replica_url, sizeof(cfg->replica_url), "%s", env("XUEJI_REPLICA_URL", ""));
    snprintf(cfg->cors_origins, sizeof(cfg->cors_origins), "%s", env("XUEJI_CORS_ORIGINS", ""));
    cfg->admin_password = env("XUEJI_ADMIN_PASSWORD", NULL);
    cfg->port_file = env("XUEJI_PORT_FILE", NULL);

    const char *mode = env("XUEJI_ENV", "production");
    if (strcmp(mode, "production") == 0)
        cfg->production = 1;
    else if (strcmp(mode, "development") != 0)
        return app_err_set(err, APP_EINVAL, "bad_config",
                           "XUEJI_ENV must be production or development");

    const char *lvl = env("XUEJI_LOG_LEVEL", "info");
    static const char *const levels[] = {"error", "warn", "info", "debug"};
    cfg->log_level = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(lvl, levels[i]) == 0)
            cfg->log_level = i;
    if (cfg->log_level < 0)
        return app_err_set(err, APP_EINVAL, "bad_config",
                           "XUEJI_LOG_LEVEL must be error, warn, info or debug");
    return 0;
}

/* XUEJI_JWT_SECRET(_FILE): 32 to 256 bytes; the dev-key marker sets dev_keys. */
static int
load_jwt_secret(api_config *cfg, app_err *err)
{
    char buf[512];
    int rc = secret("XUEJI_JWT_SECRET", buf, sizeof(buf), err);
    if (rc != 0 || buf[0] == '\0')
        goto out;
    if (strncmp(buf, API_DEV_KEY_MARKER, strlen(API_DEV_KEY_MARKER)) == 0)
        cfg->dev_keys = 1;
    size_t len = strlen(buf);
    if (len < 32 || len > sizeof(cfg->jwt_secret)) {
        rc = app_err_set(err, APP_EINVAL, "bad_config", "XUEJI_JWT_SECRET must be 32 to 256 bytes");
        goto out;
    }
    memcpy(cfg->jwt_secret, buf, len);
    cfg->jwt_secret_len = len;
out:
    sodium_memzero(buf, sizeof(buf));
    return rc;
}

/* XUEJI_DATA_KEY(_FILE): 64 hex digits, after the dev-key marker if any. */
static int
load_data_key(api_config *cfg, app_err *err)
{
    char buf[512];
    int rc = secret("XUEJI_DATA_KEY", buf, sizeof(buf), err);
    if (rc != 0 || buf[0] == '\0')
        goto out;
    const char *hex = buf;
    size_t mlen = strlen(API_DEV_KEY_MARKER);
    if (strncmp(buf, API_DEV_KEY_MARKER, mlen) == 0) {
        cfg->dev_keys = 1;
        hex += mlen;
    }
    size_t got = 0;
    if (strlen(hex) != 64 ||
        sodium_hex2bin(cfg->data_key, sizeof(cfg->data_key), hex, 64, NULL, &got, NULL) != 0 ||
        got != 32) {
        rc = app_err_set(err, APP_EINVAL, "bad_config",
                         "XUEJI_DATA_KEY must be 64 hex digits (32 bytes)");
        goto out;
    }
    cfg->have_data_key = 1;
out:
    sodium_memzero(buf, sizeof(buf));
    return rc;
}

/* XUEJI_DATA_KEYS_OLD(_FILE): up to 7 earlier data keys, comma-separated. */
static int
load_old_keys(api_config *cfg, app_err *err)
{
    char buf[512];
    int rc = secret("XUEJI_DATA_KEYS_OLD", buf, sizeof(buf), err);
    if (rc != 0)
        goto out;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        int dev = 0;
        if (cfg->nold_keys == 7 || core_key_parse(tok, cfg->old_keys[cfg->nold_keys], &dev) != 0) {
            rc = app_err_set(err, APP_EINVAL, "bad_config",
                             "XUEJI_DATA_KEYS_OLD: up to 7 keys of 64 hex digits");
            goto out;
        }
        cfg->nold_keys++;
    }
out:
    sodium_memzero(buf, sizeof(buf));
    return rc;
}

/* XUEJI_AUDIT_SIGNING_KEY(_FILE): the seed of the seals' Ed25519 key, 64 hex
   digits after the dev-key marker if any; in development a random one when
   unset (audit_key_ephemeral). */
static int
load_audit_key(api_config *cfg, app_err *err)
{
    char buf[512];
    int dev = 0, rc = secret("XUEJI_AUDIT_SIGNING_KEY", buf, sizeof(buf), err);
    if (rc != 0)
        goto out;
    if (buf[0] == '\0') {
        if (!cfg->production) {
            randombytes_buf(cfg->audit_seed, sizeof(cfg->audit_seed));
            cfg->audit_key_ephemeral = 1;
        }
        goto out;
    }
    if (core_key_parse(buf, cfg->audit_seed, &dev) != 0) {
        rc = app_err_set(err, APP_EINVAL, "bad_config",
                         "XUEJI_AUDIT_SIGNING_KEY must be 64 hex digits (a 32-byte seed)");
        goto out;
    }
    cfg->dev_keys |= dev;
    cfg->have_audit_key = 1;
out:
    sodium_memzero(buf, sizeof(buf));
    return rc;
}

static int
load_verifier(api_config *cfg, app_err *err)
{
    snprintf(cfg->verifier_url, sizeof(cfg->verifier_url), "%s", env("XUEJI_VERIFIER_URL", ""));
    cfg->verifier_timeout_ms = atoi(env("XUEJI_VERIFIER_TIMEOUT_MS", "2000"));
    if (cfg->verifier_timeout_ms < 50 || cfg->verifier_timeout_ms > 60000)
        return app_err_set(err, APP_EINVAL, "bad_config",
                           "XUEJI_VERIFIER_TIMEOUT_MS must be 50..60000");
    return 0;
}

/* Test hooks: an injectable date and an injected fault, never in production. */
static int
load_test_hooks(api_config *cfg, app_err *err)
{
    const char *today = env("XUEJI_TODAY", NULL), *fault = env("XUEJI_TEST_FAULT", NULL);
    if ((today || fault) && cfg->production)
        return app_err_set(err, APP_EINVAL, "bad_config",
                           "XUEJI_TODAY and XUEJI_TEST_FAULT are for development only");
    if (today && core_date_parse(today, &cfg->today_override) != 0)
        return app_err_set(err, APP_EINVAL, "bad_config", "XUEJI_TODAY must be YYYY-MM-DD");
    cfg->fault_after_effect = fault && strcmp(fault, "after_effect") == 0;
    cfg->fault_import_crash = fault && strcmp(fault, "import_crash") == 0;
    return 0;
}

/* Production starts only with real keys. */
static int
check_production(const api_config *cfg, app_err *err)
{
    if (!cfg->production)
        return 0;
    if (cfg->jwt_secret_len == 0 || !cfg->have_data_key || !cfg->have_audit_key)
        return app_err_set(err, APP_EINVAL, "bad_config",
                           "production needs XUEJI_JWT_SECRET, XUEJI_DATA_KEY and "
                           "XUEJI_AUDIT_SIGNING_KEY");
    if (cfg->dev_keys)
        return app_err_set(err, APP_EINVAL, "bad_config",
                           "production refuses development keys (" API_DEV_KEY_MARKER
                           "...): generate real ones");
    return 0;
}

int
api_config_load(api_config *cfg, app_err *err)
{
    memset(cfg, 0, sizeof(*cfg));
    int rc;
    if ((rc = listen_addr("XUEJI_LISTEN", env("XUEJI_LISTEN", "127.0.0.1:8080"), cfg->host,
                          &cfg->port, err)) != 0 ||
        (rc = metrics_config(cfg, err)) != 0 || (rc = load_sizes(cfg, err)) != 0 ||
        (rc = load_background(cfg, err)) != 0 || (rc = load_deadlines(cfg, err)) != 0 ||
        (rc = load_guards(cfg, err)) != 0 || (rc = load_mode(cfg, err)) != 0 ||
        (rc = load_jwt_secret(cfg, err)) != 0 || (rc = load_data_key(cfg, err)) != 0 ||
        (rc = load_old_keys(cfg, err)) != 0 || (rc = load_audit_key(cfg, err)) != 0 ||
        (rc = load_verifier(cfg, err)) != 0 || (rc = load_test_hooks(cfg, err)) != 0)
        return rc;
    return check_production(cfg, err);
}

void
api_config_wipe(api_config *cfg)
{
    sodium_memzero(cfg->jwt_secret, sizeof(cfg->jwt_secret));
    sodium_memzero(cfg->data_key, sizeof(cfg->data_key));
    sodium_memzero(cfg->audit_seed, sizeof(cfg->audit_seed));
    sodium_memzero(cfg->metrics_token, sizeof(cfg->metrics_token));
}
