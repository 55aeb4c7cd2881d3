/*
 * api/upkeep.c - background upkeep of stored files (see api/upkeep.h).
 */
#include "api/upkeep.h"

#include "api/api.h"
#include "api/log.h"
#include "api/pool.h"
#include "api/registry.h"
#include "core/files.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define SEAL_BATCH 100
#define SEAL_BYTES (64u << 20)

static pthread_t THREAD;
static int RUNNING;
static int STOP;
static pthread_mutex_t MU = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t WAKE = PTHREAD_COND_INITIALIZER;
static const api_config *CFG;

static int
stopping(void)
{
    pthread_mutex_lock(&MU);
    int s = STOP;
    pthread_mutex_unlock(&MU);
    return s;
}

/* Seal what is left in clear, a batch per transaction. */
static void
seal_clear(db_conn *db)
{
    long long total = 0;
    int n = 0;
    app_err err = {0};
    while (!stopping()) {
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

static void *
upkeep(void *arg)
{
    (void)arg;
    app_err err = {0};
    db_conn *db = db_conn_open(CFG->database_url, &err);
    while (!stopping()) {
        if (db_conn_ensure(db, &err) == 0) {
            seal_clear(db);
            purge(db);
        }
        struct timespec ts;
        api_deadline_in(CFG->files_upkeep_s * 1000, &ts);
        pthread_mutex_lock(&MU);
        if (!STOP)
            pthread_cond_timedwait(&WAKE, &MU, &ts);
        pthread_mutex_unlock(&MU);
    }
    db_conn_close(db);
    return NULL;
}

int
api_upkeep_start(const api_config *cfg)
{
    CFG = cfg;
    STOP = 0;
    if (cfg->files_upkeep_s <= 0)
        return 0;
    if (pthread_create(&THREAD, NULL, upkeep, NULL) != 0)
        return -1;
    RUNNING = 1;
    return 0;
}

int
api_upkeep_stop(const struct timespec *deadline)
{
    if (!RUNNING)
        return 0;
    pthread_mutex_lock(&MU);
    STOP = 1;
    pthread_cond_broadcast(&WAKE);
    pthread_mutex_unlock(&MU);
    if (pthread_timedjoin_np(THREAD, NULL, deadline) != 0)
        return -1; /* a step stuck on a lock: left to the exit */
    RUNNING = 0;
    return 0;
}
