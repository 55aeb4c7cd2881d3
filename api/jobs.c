/*
 * api/jobs.c - import workers (see api/jobs.h).
 */
#include "api/jobs.h"

#include "api/api.h"
#include "api/auth.h"
#include "api/log.h"
#include "api/pool.h"
#include "api/registry.h"
#include "core/import.h"
#include "core/import_worker.h"
#include "core/promotion_job.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_t *WORKERS;
static int NWORKERS;
static volatile int STOP;
static pthread_mutex_t MU = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t WAKE = PTHREAD_COND_INITIALIZER;
static const api_config *CFG;

/* One row error worded in Chinese like problem+json items, after its
   column's header. */
static const char *
error_message(void *ctx, app_arena *a, long row, int column, const char *header, const char *code,
              const char *param)
{
    (void)ctx;
    (void)row;
    char col[4] = "";
    if (column >= 0)
        fmt_sheet_col_name(column, col);
    if (strcmp(code, "template_mismatch") == 0)
        return param && *param ? app_arena_printf(a, "不符合模板：第 %s 列应为“%s”", col, param)
                               : app_arena_printf(a, "不符合模板：第 %s 列是多余的列", col);
    const char *msg = api_problem_message(a, code, param, 0);
    if (header && *header)
        msg = app_arena_printf(a, "%s：%s", header, msg);
    return msg;
}

static void
idle_wait(int ms)
{
    struct timespec ts;
    api_deadline_in(ms, &ts);
    pthread_mutex_lock(&MU);
    if (!STOP)
        pthread_cond_timedwait(&WAKE, &MU, &ts);
    pthread_mutex_unlock(&MU);
}

/* core_import_op_fn: the uploader acts as it would through the API. */
static void
op_for(void *ctx, const core_import_uploader *u, app_arena *a, core_actor *actor, core_op *out)
{
    (void)ctx;
    api_actor_from_user(actor, u->id, u->role, u->org, u->staff_role, u->grade, u->nclasses,
                        u->classes);
    api_op_for(actor, a, out);
}

/* Claim and run one job; 1 if there was one. */
static int
one(db_conn *db)
{
    app_arena *a = app_arena_new();
    app_err err = {0};
    core_import_turn t;
    int rc = core_import_worker_turn(db, CFG->import_stale_s, op_for, NULL, error_message, NULL, a,
                                     &t, &err);
    if (!t.found) {
        if (rc != 0)
            api_log(API_LOG_ERROR, "import claim", NULL, err.detail);
        app_arena_free(a);
        return 0;
    }
    if (!t.skipped) {
        char d[160];
        snprintf(d, sizeof(d), "job %lld: %s, %d rows, %d created, %d updated, %d rejected", t.id,
                 rc == 0 ? t.state : "interrupted", t.total, t.created, t.updated, t.rejected);
        api_log(rc == 0 ? API_LOG_INFO : API_LOG_ERROR, "import", NULL, rc == 0 ? d : err.detail);
    }
    app_arena_free(a);
    return 1;
}

/* core_promotion_op_fn: the job's creator acts as it would through the API. */
static void
promotion_op_for(const db_promotion_job *j, app_arena *a, core_actor *actor, core_op *out)
{
    api_actor_from_user(actor, j->created_by, j->role, j->created_org, NULL, 0, 0, NULL);
    api_op_for(actor, a, out);
}

/* Claim and run one region promotion job (docs/decisions/0026); 1 if there was one. */
static int
promotion_one(db_conn *db)
{
    app_arena *a = app_arena_new();
    app_err err = {0};
    db_promotion_job j;
    int found = 0;
    int rc = core_promotion_job_turn(db, 60, promotion_op_for, a, &j, &found, &err);
    if (rc != 0)
        api_log(API_LOG_ERROR, "promotion job", NULL, err.detail);
    else if (found) {
        char d[160];
        snprintf(d, sizeof(d),
                 "job %lld: %d schools, %d promoted, %d skipped; %d pupils up, %d graduated", j.id,
                 j.processed, j.applied, j.skipped, j.promoted, j.graduated);
        api_log(API_LOG_INFO, "promotion job", NULL, d);
    }
    app_arena_free(a);
    return found;
}

static void *
worker(void *arg)
{
    (void)arg;
    app_err err = {0};
    db_conn *db = db_conn_open(CFG->database_url, &err);
    while (!STOP) {
        if (db_conn_ensure(db, &err) != 0) {
            idle_wait(1000);
            continue;
        }
        if (!one(db) && !promotion_one(db))
            idle_wait(CFG->import_poll_ms);
    }
    db_conn_close(db);
    return NULL;
}

int
api_jobs_start(const api_config *cfg)
{
    CFG = cfg;
    STOP = 0;
    core_import_stop = 0;
    NWORKERS = cfg->import_workers;
    core_import_batch = cfg->import_batch;
    core_import_fault_crash = cfg->fault_import_crash;
    if (NWORKERS <= 0)
        return 0;
    WORKERS = calloc((size_t)NWORKERS, sizeof(pthread_t));
    if (WORKERS == NULL)
        return -1;
    for (int i = 0; i < NWORKERS; i++)
        if (pthread_create(&WORKERS[i], NULL, worker, NULL) != 0)
            return -1;
    return 0;
}

int
api_jobs_stop(const struct timespec *deadline)
{
    pthread_mutex_lock(&MU);
    STOP = 1;
    core_import_stop = 1;
    pthread_cond_broadcast(&WAKE);
    pthread_mutex_unlock(&MU);
    for (int i = 0; i < NWORKERS; i++)
        if (pthread_timedjoin_np(WORKERS[i], NULL, deadline) != 0)
            return -1; /* a batch still running: left to the exit */
    free(WORKERS);
    WORKERS = NULL;
    NWORKERS = 0;
    return 0;
}
