/*
 * api/pool.h - the DB worker pool: a fixed set of threads, each owning one
 * PostgreSQL connection. Blocking libpq calls run only here, never on a loop
 * thread. A finished call is queued to its loop thread and announced with
 * uv_async_send (the only thread-safe libuv call).
 */
#ifndef API_POOL_H
#define API_POOL_H

#include <uv.h>

#include "api/api.h"

/* Start `n` workers connected to `url` (they reconnect by themselves), with the
   session settings `options` (libpq's options parameter; NULL: none). */
int api_pool_start(int n, const char *url, const char *options);
/* Finish queued jobs, stop the workers, close the connections. Returns 0, or
   -1 when jobs were still running after `timeout_ms` (the workers are then
   left running: the caller exits). */
int api_pool_stop(int timeout_ms);
/* Queue a call whose c->job is set (loop thread). */
void api_pool_push(api_call *c);
/* Jobs running now and jobs waiting for a worker. */
void api_pool_stats(int *out_busy, int *out_waiting);

/* Implemented by api/server.c: hand a finished call back to its loop thread. */
void api_thread_post_done(api_thread *t, api_call *c);

#endif
