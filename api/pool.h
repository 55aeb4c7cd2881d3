/*
 * api/pool.h - the DB worker pool: a fixed set of threads, each owning one
 * PostgreSQL connection. Blocking libpq calls run only here, never on a loop
 * thread. A finished call is queued to its loop thread and announced with
 * uv_async_send (the only thread-safe libuv call).
 */
#ifndef API_POOL_H
#define API_POOL_H

#include "api/api.h"

#include <time.h>
#include <uv.h>

/* Start `n` workers connected to `url` (they reconnect by themselves), with the
   session settings `options` (libpq's options parameter; NULL: none). With a
   `replica_url` (not NULL or ""), each worker holds a second connection, to a
   streaming replica, for the routes that may read there (docs/decisions/0035). */
int api_pool_start(int n, const char *url, const char *replica_url, const char *options);
/* The CLOCK_REALTIME instant `ms` milliseconds from now, for the stops below
   (pthread_timedjoin_np) to share one shutdown deadline. */
void api_deadline_in(int ms, struct timespec *out);
/* Finish queued jobs, stop the workers, close the connections. Returns 0, or
   -1 when jobs were still running at `deadline` (the workers are then left
   running: the caller exits). */
int api_pool_stop(const struct timespec *deadline);
/* Queue a call whose c->job is set (loop thread). */
void api_pool_push(api_call *c);
/* Jobs running now and jobs waiting for a worker. */
void api_pool_stats(int *out_busy, int *out_waiting);

/* Implemented by api/job.c: run the call's job (or the next part of its
   streamed answer) on the worker holding `db` (and `replica`, NULL when none
   is configured), failures rendered. */
void api__run_job(api_call *c, db_conn *db, db_conn *replica);
/* Implemented by api/server.c: hand a finished call back to its loop thread. */
void api_thread_post_done(api_thread *t, api_call *c);

#endif
