/*
 * api/stream.h - the server's side of streamed answers (api_stream_begin in
 * api/api.h, docs/decisions/0010), shared by api/call.c, api/job.c,
 * api/request.c, api/server.c and api/stream.c only. "loop" functions run on
 * the call's loop thread, "worker" ones on a DB worker thread that holds the
 * call.
 */
#ifndef API_STREAM_H
#define API_STREAM_H

#include "api/api.h"

/* Any thread holding the call: 1 once the answer's head went out, so that
   every later job of the call is the next step of its stream. */
int api__stream_started(const api_call *c);
/* Worker: make the next part (one call of the producer). */
void api__stream_step(api_call *c, db_conn *db);
/* Loop: the job that began the stream succeeded; send the head and its part. */
void api__stream_start(api_call *c);
/* Loop: a step came back from the worker. */
void api__stream_stepped(api_call *c);
/* Loop: h2o stopped the generator or freed the request (the client went away). */
void api__stream_gone(api_call *c);
/* Any thread holding the call, before the head went out: drop the stream
   (the producer's state released) so that the call answers as usual. */
void api__stream_discard(api_call *c);

/* For /metrics: streams open now, and how many ended complete, aborted, or
   because the client went away (since start; any thread). */
void api__stream_counts(int *out_open, unsigned long long *out_done,
                        unsigned long long *out_aborted, unsigned long long *out_gone);

/* api/call.c, for the above (loop thread). */
void api__put_head(api_call *c, h2o_req_t *req);
void api__call_log(api_call *c);
void api__call_free(api_call *c);

#endif
