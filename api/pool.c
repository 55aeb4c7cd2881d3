/*
 * api/pool.c - DB worker threads.
 */
#include "api/pool.h"

#include "api/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

typedef struct worker {
    pthread_t tid;
    db_conn *db;
    db_conn *replica; /* NULL without XUEJI_REPLICA_URL */
} worker;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    api_call *head, *tail;
    int stopping;
    int nworkers;
    worker *workers;
    atomic_int busy;
    atomic_int waiting;
} P = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *
worker_main(void *arg)
{
    worker *w = arg;
    for (;;) {
        pthread_mutex_lock(&P.mu);
        while (P.head == NULL && !P.stopping)
            pthread_cond_wait(&P.cv, &P.mu);
        if (P.head == NULL) {
            pthread_mutex_unlock(&P.mu);
            break;
        }
        api_call *c = P.head;
        P.head = c->next;
        if (P.head == NULL)
            P.tail = NULL;
        c->next = NULL;
        atomic_fetch_sub(&P.waiting, 1);
        atomic_fetch_add(&P.busy, 1);
        pthread_mutex_unlock(&P.mu);

        api__run_job(c, w->db, w->replica);

        atomic_fetch_sub(&P.busy, 1);
        api_thread_post_done(c->thread, c);
    }
    return NULL;
}

int
api_pool_start(int n, const char *url, const char *replica_url, const char *options)
{
    P.nworkers = n;
    P.workers = calloc((size_t)n, sizeof(worker));
    if (P.workers == NULL)
        return -1;
    for (int i = 0; i < n; i++) {
        app_err err = {0};
        P.workers[i].db = db_conn_open_opts(url, options, &err);
        if (!db_conn_ok(P.workers[i].db) && i == 0)
            api_log(API_LOG_WARN, "database unreachable at start; will retry", NULL, err.detail);
        if (replica_url != NULL && replica_url[0] != '\0') {
            app_err rerr = {0};
            P.workers[i].replica = db_conn_open_opts(replica_url, options, &rerr);
            if (P.workers[i].replica == NULL)
                return -1;
            db_conn_set_replica(P.workers[i].replica);
            if (!db_conn_ok(P.workers[i].replica) && i == 0)
                api_log(API_LOG_WARN, "replica unreachable at start; reads go to the primary", NULL,
                        rerr.detail);
        }
        if (pthread_create(&P.workers[i].tid, NULL, worker_main, &P.workers[i]) != 0)
            return -1;
    }
    return 0;
}

void
api_deadline_in(int ms, struct timespec *out)
{
    clock_gettime(CLOCK_REALTIME, out);
    out->tv_sec += ms / 1000;
    out->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (out->tv_nsec >= 1000000000L) {
        out->tv_sec++;
        out->tv_nsec -= 1000000000L;
    }
}

int
api_pool_stop(const struct timespec *deadline)
{
    pthread_mutex_lock(&P.mu);
    P.stopping = 1;
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.mu);
    for (int i = 0; i < P.nworkers; i++) {
        if (pthread_timedjoin_np(P.workers[i].tid, NULL, deadline) != 0)
            return -1;
        db_conn_close(P.workers[i].db);
        db_conn_close(P.workers[i].replica);
        P.workers[i].db = NULL;
        P.workers[i].replica = NULL;
    }
    free(P.workers);
    P.workers = NULL;
    P.nworkers = 0;
    return 0;
}

void
api_pool_push(api_call *c)
{
    pthread_mutex_lock(&P.mu);
    c->next = NULL;
    if (P.tail != NULL)
        P.tail->next = c;
    else
        P.head = c;
    P.tail = c;
    atomic_fetch_add(&P.waiting, 1);
    pthread_cond_signal(&P.cv);
    pthread_mutex_unlock(&P.mu);
}

void
api_pool_stats(int *out_busy, int *out_waiting)
{
    *out_busy = atomic_load(&P.busy);
    *out_waiting = atomic_load(&P.waiting);
}
