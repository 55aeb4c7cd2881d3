/*
 * api/config.h - configuration from XUEJI_* environment variables.
 * Built once in main() and read-only afterwards.
 */
#ifndef API_CONFIG_H
#define API_CONFIG_H

#include "base/err.h"

#include <stddef.h>

/* Keys written by `make run` carry this prefix; production refuses them. */
#define API_DEV_KEY_MARKER "xueji-dev-"

struct api_config {
    char host[64];
    int port;
    int threads;
    int db_pool;
    char database_url[1024];
    char replica_url[1024]; /* XUEJI_REPLICA_URL: "" = every read on the primary */
    int replica_max_lag_ms; /* XUEJI_REPLICA_MAX_LAG_MS */
    unsigned char jwt_secret[256];
    size_t jwt_secret_len;
    unsigned char data_key[32];
    int have_data_key;
    unsigned char old_keys[7][32]; /* XUEJI_DATA_KEYS_OLD: still decrypt during a rotation */
    int nold_keys;
    unsigned char audit_seed[32]; /* XUEJI_AUDIT_SIGNING_KEY: the seals' Ed25519 seed */
    int have_audit_key;           /* configured (not a development start's own) */
    int audit_key_ephemeral;      /* development without one: a random seed, this start only */
    int audit_seal_interval_ms;   /* XUEJI_AUDIT_SEAL_INTERVAL_MS */
    char verifier_url[512];       /* XUEJI_VERIFIER_URL: "" = no external identity check */
    int verifier_timeout_ms;
    int today_override;     /* XUEJI_TODAY=YYYY-MM-DD (development only): the registry's clock */
    int fault_after_effect; /* XUEJI_TEST_FAULT=after_effect (development only) */
    int fault_import_crash; /* XUEJI_TEST_FAULT=import_crash (development only) */
    int dev_keys;           /* a key carries the development marker */
    const char *admin_password;
    int log_level; /* 0 error, 1 warn, 2 info, 3 debug */
    int production;
    char cors_origins[1024]; /* comma-separated; "*" for any */
    double rate_ip;          /* requests per second per client address; 0 = off */
    double rate_account;     /* requests per second per account; 0 = off */
    size_t max_json;
    size_t max_upload;
    int import_workers; /* XUEJI_IMPORT_WORKERS */
    int import_batch; /* XUEJI_IMPORT_BATCH: rows registered and committed together (mode create) */
    int import_stale_s; /* XUEJI_IMPORT_STALE: a running job without a heartbeat this long is taken
                           over */
    int import_poll_ms; /* XUEJI_IMPORT_POLL_MS: idle workers look for jobs this often */
    int files_upkeep_s; /* XUEJI_FILES_UPKEEP: seal files in clear, delete old uploads */
    int shutdown_timeout_ms;
    int request_timeout_ms;   /* XUEJI_REQUEST_TIMEOUT_MS: longest wait for a DB worker; 0 = none */
    int statement_timeout_ms; /* XUEJI_DB_STATEMENT_TIMEOUT_MS: PostgreSQL statement_timeout */
    int lock_timeout_ms;      /* XUEJI_DB_LOCK_TIMEOUT_MS: PostgreSQL lock_timeout */
    int freeze_days;          /* accounts unused this long are frozen at login; 0 = never */
    /* failed logins within 15 minutes that lock one source out of an account,
       and those from any sources that lock the account itself (ADR 0014) */
    int max_login_failures, max_login_failures_account;
    const char *port_file; /* write the bound port here (tests) */
    int metrics_listen;    /* XUEJI_METRICS_LISTEN given: /metrics is served there only */
    char metrics_host[64];
    int metrics_port;
    char metrics_token[256]; /* XUEJI_METRICS_TOKEN: "" = none */

    /* XUEJI_ROUND_CLOSER_MS: close (and draw) due selection rounds this often; 0 = never */
    int round_closer_ms;
};
typedef struct api_config api_config;

/* Read the environment. Errors (APP_EINVAL) name the variable in err->detail. */
int api_config_load(api_config *cfg, app_err *err);

/* The --help text: every variable, its default and meaning. */
const char *api_config_help(void);

/* Wipe secrets. */
void api_config_wipe(api_config *cfg);

#endif
