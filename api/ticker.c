/*
 * api/ticker.c - a periodic background thread (see api/ticker.h).
 */
#include "api/ticker.h"

#include "api/pool.h"

int
api_ticker_stopping(api_ticker *t)
{
    pthread_mutex_lock(&t->mu);
    int s = t->stop;
    pthread_mutex_unlock(&t->mu);
    return s;
}

static void *
run(void *arg)
{
    api_ticker *t = arg;
    app_err err = {0};
    db_conn *db = db_conn_open(t->database_url, &err);
    while (!api_ticker_stopping(t)) {
        t->step(db);
        struct timespec ts;
        api_deadline_in(t->interval_ms, &ts);
        pthread_mutex_lock(&t->mu);
        if (!t->stop)
            pthread_cond_timedwait(&t->wake, &t->mu, &ts);
        pthread_mutex_unlock(&t->mu);
    }
    db_conn_close(db);
    return NULL;
}

int
api_ticker_start(api_ticker *t)
{
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->wake, NULL);
    t->stop = 0;
    if (pthread_create(&t->thread, NULL, run, t) != 0)
        return -1;
    t->running = 1;
    return 0;
}

int
api_ticker_stop(api_ticker *t, const struct timespec *deadline)
{
    if (!t->running)
        return 0;
    pthread_mutex_lock(&t->mu);
    t->stop = 1;
    pthread_cond_broadcast(&t->wake);
    pthread_mutex_unlock(&t->mu);
    if (pthread_timedjoin_np(t->thread, NULL, deadline) != 0)
        return -1; /* a step stuck on a lock: left to the exit */
    t->running = 0;
    return 0;
}
