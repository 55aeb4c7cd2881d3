/*
 * api/ticker.h - a background thread of xuejid with its own database
 * connection that runs a step once at start and then every interval until
 * it is stopped: the audit sealer (api/sealer.c) and the files upkeep
 * (api/upkeep.c). The connection is opened when the thread starts (a step
 * calls db_conn_ensure: the database may be down) and closed when it ends,
 * which also ends any session lock the step took on it.
 *
 * The caller owns the api_ticker (static storage) and fills database_url,
 * interval_ms and step before api_ticker_start; the rest is the ticker's.
 */
#ifndef API_TICKER_H
#define API_TICKER_H

#include "db/db.h"

#include <pthread.h>
#include <time.h>

typedef struct api_ticker {
    const char *database_url;
    int interval_ms;
    void (*step)(db_conn *db);
    /* the ticker's own */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    int stop, running;
} api_ticker;

/* Start the thread. 0, or -1 when it could not be created. */
int api_ticker_start(api_ticker *t);
/* 1 once api_ticker_stop was called: a long step checks it between batches. */
int api_ticker_stopping(api_ticker *t);
/* Stop the thread after its current step, waiting until `deadline` at the
   most: 0 when it stopped (or never ran), -1 when it was still busy (the
   caller exits and the step dies with the process). */
int api_ticker_stop(api_ticker *t, const struct timespec *deadline);

#endif
