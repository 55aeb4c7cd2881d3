/*
 * api/round_closer.c - closing due selection rounds (see api/round_closer.h).
 */
#include "api/round_closer.h"

#include "api/log.h"
#include "api/registry.h"
#include "api/ticker.h"
#include "core/draw.h"

#include <stdio.h>

#define ROUNDS_PER_TICK 20

static api_ticker TICKER;

static void
tick(db_conn *db)
{
    static int failing;
    app_err err = {0};
    int n = 0, rc = db_conn_ensure(db, &err);
    if (rc == 0) {
        app_arena *a = app_arena_new();
        core_op op;
        api_op_for(NULL, a, &op);
        rc = core_draw_close_due(db, &op, ROUNDS_PER_TICK, &n, &err);
        app_arena_free(a);
    }
    if (rc != 0 && !failing)
        api_log(API_LOG_ERROR, "round closer: pass failed", NULL, err.detail);
    else if (rc == 0 && failing)
        api_log(API_LOG_INFO, "round closer", NULL, "passes succeed again");
    failing = rc != 0;
    if (n > 0) {
        char d[64];
        snprintf(d, sizeof(d), "%d due selection rounds closed", n);
        api_log(API_LOG_INFO, "round closer", NULL, d);
    }
}

int
api_round_closer_start(const api_config *cfg)
{
    if (cfg->round_closer_ms <= 0)
        return 0;
    TICKER.database_url = cfg->database_url;
    TICKER.interval_ms = cfg->round_closer_ms;
    TICKER.step = tick;
    return api_ticker_start(&TICKER);
}

int
api_round_closer_stop(const struct timespec *deadline)
{
    return api_ticker_stop(&TICKER, deadline);
}
