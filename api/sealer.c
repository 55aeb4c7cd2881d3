/*
 * api/sealer.c - the audit sealer thread (see api/sealer.h).
 */
#include "api/sealer.h"

#include "api/api.h"
#include "api/log.h"
#include "api/pool.h"
#include "core/feed.h"
#include "core/seal.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_t THREAD;
static int RUNNING;
static int STOP;
static pthread_mutex_t MU = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t WAKE = PTHREAD_COND_INITIALIZER;
static const api_config *CFG;
static core_seal_key KEY;

static _Atomic long long UNSEALED = -1; /* -1: no pass yet */
static _Atomic long long OLDEST_MS;
static _Atomic int LEADER;

static int
stopping(void)
{
    pthread_mutex_lock(&MU);
    int s = STOP;
    pthread_mutex_unlock(&MU);
    return s;
}

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

static void *
sealer(void *arg)
{
    (void)arg;
    app_err err = {0};
    db_conn *db = db_conn_open(CFG->database_url, &err);
    int leader = -1, failing = 0, feed_failing = 0;
    while (!stopping()) {
        pass(db, &leader, &failing);
        feed_pass(db, &feed_failing);
        struct timespec ts;
        api_deadline_in(CFG->audit_seal_interval_ms, &ts);
        pthread_mutex_lock(&MU);
        if (!STOP)
            pthread_cond_timedwait(&WAKE, &MU, &ts);
        pthread_mutex_unlock(&MU);
    }
    db_conn_close(db); /* the session lock goes with the connection */
    return NULL;
}

int
api_sealer_start(const api_config *cfg)
{
    CFG = cfg;
    STOP = 0;
    core_seal_key_from_seed(cfg->audit_seed, &KEY);
    announce();
    if (pthread_create(&THREAD, NULL, sealer, NULL) != 0)
        return -1;
    RUNNING = 1;
    return 0;
}

int
api_sealer_stop(const struct timespec *deadline)
{
    if (!RUNNING)
        return 0;
    pthread_mutex_lock(&MU);
    STOP = 1;
    pthread_cond_broadcast(&WAKE);
    pthread_mutex_unlock(&MU);
    if (pthread_timedjoin_np(THREAD, NULL, deadline) != 0)
        return -1;
    RUNNING = 0;
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
