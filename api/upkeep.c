/*
 * api/upkeep.c - background upkeep of stored files (see api/upkeep.h).
 */
#include "api/upkeep.h"

#include "api/api.h"
#include "api/log.h"
#include "api/registry.h"
#include "api/ticker.h"
#include "core/files.h"

#include <stdio.h>
#include <time.h>

#define SEAL_BATCH 100
#define SEAL_BYTES (64u << 20)

static api_ticker TICKER;

/* Seal what is left in clear, a batch per transaction. */
static void
seal_clear(db_conn *db)
{
    long long total = 0;
    int n = 0;
    app_err err = {0};
    while (!api_ticker_stopping(&TICKER)) {
        if (core_files_seal(db, api_env()->ring, 1, SEAL_BATCH, SEAL_BYTES, &n, &err) != 0) {
            api_log(API_LOG_ERROR, "files: sealing", NULL, err.detail);
            break;
        }
        if (n == 0)
            break;
        total += n;
    }
    if (total > 0) {
        char d[64];
        snprintf(d, sizeof(d), "%lld files stored in clear sealed", total);
        api_log(API_LOG_INFO, "files", NULL, d);
    }
}

static void
purge(db_conn *db)
{
    app_err err = {0};
    int n = 0;
    if (core_import_purge(db, (long long)time(NULL), &n, &err) != 0) {
        api_log(API_LOG_ERROR, "files: deleting uploads", NULL, err.detail);
        return;
    }
    if (n > 0) {
        char d[64];
        snprintf(d, sizeof(d), "%d import uploads deleted", n);
        api_log(API_LOG_INFO, "files", NULL, d);
    }
}

/* One tick: seal what is in clear, then delete expired uploads. */
static void
tick(db_conn *db)
{
    app_err err = {0};
    if (db_conn_ensure(db, &err) == 0) {
        seal_clear(db);
        purge(db);
    }
}

int
api_upkeep_start(const api_config *cfg)
{
    if (cfg->files_upkeep_s <= 0)
        return 0;
    TICKER.database_url = cfg->database_url;
    TICKER.interval_ms = cfg->files_upkeep_s * 1000;
    TICKER.step = tick;
    return api_ticker_start(&TICKER);
}

int
api_upkeep_stop(const struct timespec *deadline)
{
    return api_ticker_stop(&TICKER, deadline);
}
