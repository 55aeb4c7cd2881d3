/*
 * api/internal.h - what the files of the request pipeline share, and
 * nothing else in api/ needs:
 *   api/server.c   loop threads, listeners, shutdown (owns api_thread)
 *   api/request.c  on_req: a request's checks before its handler
 *   api/call.c     answers, parameters, sending and freeing a call
 *   api/job.c      a call's job on a DB worker: deadline, account check,
 *                  Idempotency-Key, retries
 * Loop-thread state is touched only on its loop thread.
 */
#ifndef API_INTERNAL_H
#define API_INTERNAL_H

#include "api/api.h"

#include <pthread.h>
#include <stdint.h>

struct api_thread {
    int index;
    pthread_t tid;
    uv_loop_t loop;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    uv_tcp_t listener;
    int listen_fd;
    int listening;
    uv_tcp_t mlistener; /* thread 0: the XUEJI_METRICS_LISTEN socket */
    int mlistening;
    uv_async_t done_async;
    uv_async_t stop_async;
    uv_timer_t drain_timer;
    uint64_t drain_deadline;
    pthread_mutex_t done_mu;
    api_call *done_head, *done_tail;
    int inflight; /* calls of this thread not yet freed */
    int unclean;  /* stopped with connections open: not disposed */
};

/* Lives in req->pool; h2o calls its dispose when the request is freed
   (api/request.c makes it, api/call.c detaches it). */
struct api_ticket {
    api_call *call;
};

/* api/call.c: CLOCK_MONOTONIC in nanoseconds (request start, deadlines). */
uint64_t api__now_ns(void);

/* api/request.c: h2o's handler of every request. */
int api__on_req(h2o_handler_t *self, h2o_req_t *req);

#endif
