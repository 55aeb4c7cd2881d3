/*
 * api/sealer.c - the audit sealer thread (see api/sealer.h).
 */
#include "api/sealer.h"

#include "api/api.h"
#include "api/log.h"
#include "api/ticker.h"
#include "core/feed.h"
#include "core/seal.h"

#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static api_ticker TICKER;
static const api_config *CFG;
static core_seal_key KEY;

static _Atomic long long UNSEALED = -1; /* -1: no pass yet */
static _Atomic long long OLDEST_MS;
static _Atomic int LEADER;

/* The public key in the log (never the seed). */
static void
announce(void)
{
    char hex[65], d[160];
    core_seal_pubkey_hex(KEY.pk, hex);
    if (CFG->audit_key_ephemeral) {
        snprintf(d, sizeof(d),
                 "no XUEJI_AUDIT_SIGNING_KEY: a new key for this start only, public "
                 "key %s",
                 hex);
        api_log(API_LOG_WARN, "audit sealer", NULL, d);
    } else {
        snprintf(d, sizeof(d), "seals signed by key %s (public key %s)", KEY.key_id, hex);
        api_log(API_LOG_INFO, "audit sealer", NULL, d);
    }
}

/* One pass; what changed (leadership, a failure, a recovery) is logged. */
static void
pass(db_conn *db, int *was_leader, int *was_failing)
{
    core_seal_pass p;
    app_err err = {0};
    int rc = db_conn_ensure(db, &err);
    if (rc == 0)
        rc = core_seal_run(db, &KEY, CORE_SEAL_MAX_ROWS, &p, &err);
    if (rc != 0) {
        if (!*was_failing)
            api_log(API_LOG_ERROR, "audit sealer: pass failed", NULL, err.detail);
        *was_failing = 1;
        return;
    }
    if (*was_failing)
        api_log(API_LOG_INFO, "audit sealer", NULL, "passes succeed again");
    *was_failing = 0;
    if (p.leader != *was_leader)
        api_log(API_LOG_INFO, "audit sealer", NULL,
                p.leader ? "this process seals the audit trail"
                         : "another process seals the audit trail");
    *was_leader = p.leader;
    atomic_store(&LEADER, p.leader);
    atomic_store(&UNSEALED, p.unsealed);
    atomic_store(&OLDEST_MS, (long long)(p.oldest_unsealed_s * 1000.0));
}

/* Feed positions for what committed since the last pass, so that they stay
   fresh when nobody reads GET /events (which runs a pass itself). Every
   process runs it; the positioning lock makes passes one at a time. */
static void
feed_pass(db_conn *db, int *was_failing)
{
    app_err err = {0};
    int rc = db_conn_ensure(db, &err);
    if (rc == 0)
        rc = core_feed_position(db, NULL, &err);
    if (rc != 0 && !*was_failing)
        api_log(API_LOG_ERROR, "feed positions: pass failed", NULL, err.detail);
    else if (rc == 0 && *was_failing)
        api_log(API_LOG_INFO, "feed positions", NULL, "passes succeed again");
    *was_failing = rc != 0;
}

/* One tick: a sealing pass, then a feed positioning pass. */
static void
tick(db_conn *db)
{
    static int leader = -1, failing, feed_failing;
    pass(db, &leader, &failing);
    feed_pass(db, &feed_failing);
}

int
api_sealer_start(const api_config *cfg)
{
    CFG = cfg;
    core_seal_key_from_seed(cfg->audit_seed, &KEY);
    announce();
    TICKER.database_url = cfg->database_url;
    TICKER.interval_ms = cfg->audit_seal_interval_ms;
    TICKER.step = tick;
    return api_ticker_start(&TICKER);
}

int
api_sealer_stop(const struct timespec *deadline)
{
    if (api_ticker_stop(&TICKER, deadline) != 0)
        return -1;
    sodium_memzero(&KEY, sizeof(KEY));
    return 0;
}

int
api_sealer_stats(long long *out_unsealed, double *out_oldest_s, int *out_leader)
{
    long long n = atomic_load(&UNSEALED);
    *out_unsealed = n;
    *out_oldest_s = (double)atomic_load(&OLDEST_MS) / 1000.0;
    *out_leader = atomic_load(&LEADER);
    return n >= 0;
}
