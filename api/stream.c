/*
 * api/stream.c - streamed answers: a body made in parts on DB workers and
 * sent by the loop thread through an h2o generator (docs/decisions/0010).
 *
 * A part is made by one job of the call on a worker (a "step"); between
 * steps the call holds no worker and no connection. The loop thread owns the
 * stream's state; a worker touches only the part it is filling (`fill`)
 * and the step's result, and the pool and completion queues hand the call
 * over under their mutexes. Three buffers rotate: at most one being filled
 * by a step, one made and waiting (`ready`), one that h2o holds until it
 * calls proceed (`sending`). A step is queued only when nothing is waiting,
 * so at most two parts (about 2 x CORE_EXPORT_STEP_BYTES for the roster)
 * are in memory per stream, and a client that reads slowly holds its
 * producer back (h2o calls proceed when the previous part is written).
 *
 * Ends: the producer's last part, then an empty final send; a failed step
 * (or a step after the client left) aborts with H2O_SEND_STATE_ERROR, which
 * closes the connection without the chunked terminator (HTTP/1.1) or
 * resets the stream (HTTP/2): the client sees a truncated transfer. When
 * the client goes away, h2o calls stop (before it frees the request): the
 * buffer h2o held is ours again, and the call is freed at once, or when its
 * running step comes back, whose part is then dropped.
 */
#include "api/stream.h"

#include "api/log.h"
#include "api/pool.h"
#include "base/buf.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct api_stream {
    h2o_generator_t gen; /* h2o hands its address back to proceed and stop */
    api_call *call;
    api_stream_fn more;
    api_stream_free_fn release;
    base_buf buf[3];
    int fill;                 /* the buffer a step writes into, or -1 */
    int ready;                /* a part made and waiting for h2o, or -1 */
    int sending;              /* the part h2o holds until proceed or stop, or -1 */
    int busy;                 /* a step is queued or running */
    int started;              /* the head went out: h2o_start_response was called */
    int last;                 /* the producer has made its last part */
    int failed;               /* a step failed: abort at the next chance */
    int gone;                 /* the client went away */
    int step_rc, step_last;   /* what the last step returned, for the loop */
    unsigned long long bytes; /* body bytes handed to h2o */
};

#define STREAM_OF(g) H2O_STRUCT_FROM_MEMBER(struct api_stream, gen, g)

/* Process-wide, for /metrics: streams whose head went out and that have not
   ended, and how the ended ones ended. */
static atomic_int OPEN;
static atomic_ullong ENDED[3];

void
api__stream_counts(int *out_open, unsigned long long *out_done, unsigned long long *out_aborted,
                   unsigned long long *out_gone)
{
    *out_open = atomic_load(&OPEN);
    *out_done = atomic_load(&ENDED[0]);
    *out_aborted = atomic_load(&ENDED[1]);
    *out_gone = atomic_load(&ENDED[2]);
}

/* A started stream ends: 0 done, 1 aborted, 2 the client went away. */
static void
count_end(int how)
{
    atomic_fetch_sub(&OPEN, 1);
    atomic_fetch_add(&ENDED[how], 1);
}

/* ------------------------------------------------------------ any thread */

void
api_stream_begin(api_call *c, int status, const char *content_type, api_stream_fn more,
                 api_stream_free_fn release)
{
    if (c->stream != NULL) /* a retried job begins again */
        api__stream_discard(c);
    struct api_stream *s = xcalloc(1, sizeof(*s));
    s->call = c;
    s->more = more;
    s->release = release;
    s->fill = 0;
    s->ready = s->sending = -1;
    c->stream = s;
    c->status = status;
    c->content_type = content_type;
    c->out = NULL;
    c->out_len = 0;
    c->failed = 0;
}

void
api_stream_write(api_call *c, const void *p, size_t n)
{
    struct api_stream *s = c->stream;
    if (s != NULL && s->fill >= 0 && n > 0)
        base_buf_add(&s->buf[s->fill], p, n);
}

int
api__stream_started(const api_call *c)
{
    return c->stream != NULL && c->stream->started;
}

void
api__stream_discard(api_call *c)
{
    struct api_stream *s = c->stream;
    if (s == NULL)
        return;
    c->stream = NULL;
    if (s->release != NULL)
        s->release(c);
    for (int i = 0; i < 3; i++)
        base_buf_free(&s->buf[i]);
    free(s);
}

/* ------------------------------------------------------------ worker */

void
api__stream_step(api_call *c, db_conn *db)
{
    struct api_stream *s = c->stream;
    int last = 0;
    app_err_clear(&c->err);
    int rc = s->more(c, db, &last);
    while (db_in_tx(db))
        db_rollback(db);
    s->step_rc = rc;
    s->step_last = rc == 0 && last;
}

/* ------------------------------------------------------------ loop thread */

static void pump(struct api_stream *s);

/* Queue the next step when nothing is waiting to be sent. */
static void
schedule(struct api_stream *s)
{
    if (s->busy || s->last || s->failed || s->gone || s->ready >= 0)
        return;
    int k = 0;
    while (k == s->sending)
        k++;
    base_buf_reset(&s->buf[k]);
    s->fill = k;
    s->busy = 1;
    api_pool_push(s->call);
}

/* The end of a stream whose client is still there: final or abort, then the call goes. */
static void
end(struct api_stream *s, h2o_send_state_t state)
{
    api_call *c = s->call;
    h2o_req_t *req = c->req;
    api__call_log(c);
    count_end(state == H2O_SEND_STATE_ERROR ? 1 : 0);
    if (state == H2O_SEND_STATE_ERROR) {
        char d[320];
        snprintf(d, sizeof(d), "after %llu bytes: %s", s->bytes,
                 c->err.detail[0] ? c->err.detail : app_code_name(c->err.code));
        api_log(API_LOG_ERROR, "streamed answer aborted", c->request_id, d);
    }
    /* nothing of ours is with h2o now; the call no longer streams (h2o calls
       no generator after a final or error send) */
    api__stream_discard(c);
    h2o_send(req, NULL, 0, state);
    api__call_free(c);
}

/* The client went away and no step runs: the call goes. */
static void
end_gone(struct api_stream *s)
{
    api_call *c = s->call;
    char d[64];
    snprintf(d, sizeof(d), "after %llu bytes", s->bytes);
    api__call_log(c);
    count_end(2);
    api_log(API_LOG_INFO, "client gone during a streamed answer", c->request_id, d);
    api__stream_discard(c);
    api__call_free(c);
}

/* Make progress after any event: send what is ready, end, or queue a step. */
static void
pump(struct api_stream *s)
{
    api_call *c = s->call;
    if (s->sending >= 0)
        return; /* h2o calls proceed when it is done with that part */
    if (s->failed) {
        end(s, H2O_SEND_STATE_ERROR);
        return;
    }
    if (s->ready >= 0) {
        base_buf *b = &s->buf[s->ready];
        if (b->n > 0) {
            s->sending = s->ready;
            s->ready = -1;
            s->bytes += b->n;
            schedule(s); /* the next part is made while this one is sent */
            h2o_iovec_t v = h2o_iovec_init(b->p, b->n);
            /* last: h2o may call back into this stream before it returns */
            h2o_send(c->req, &v, 1, H2O_SEND_STATE_IN_PROGRESS);
            return;
        }
        base_buf_reset(b); /* an empty part: nothing to send */
        s->ready = -1;
    }
    if (s->last) {
        end(s, H2O_SEND_STATE_FINAL);
        return;
    }
    schedule(s);
}

static void
on_proceed(h2o_generator_t *g, h2o_req_t *req)
{
    (void)req;
    struct api_stream *s = STREAM_OF(g);
    if (s->sending >= 0)
        base_buf_reset(&s->buf[s->sending]);
    s->sending = -1;
    pump(s);
}

static void
on_stop(h2o_generator_t *g, h2o_req_t *req)
{
    (void)req;
    api__stream_gone(STREAM_OF(g)->call);
}

void
api__stream_gone(api_call *c)
{
    struct api_stream *s = c->stream;
    if (s == NULL || !s->started || s->gone)
        return; /* before the head, the call's ticket handles it (api_finish) */
    s->gone = 1;
    c->req = NULL;
    s->sending = -1; /* h2o is done with it */
    if (!s->busy)
        end_gone(s);
    /* else the step's return ends the call */
}

void
api__stream_start(api_call *c)
{
    struct api_stream *s = c->stream;
    h2o_req_t *req = c->req;
    if (req == NULL) { /* gone before the head: an ordinary call without an answer */
        api__stream_discard(c);
        api_finish(c);
        return;
    }
    api__put_head(c, req); /* content-length unknown: chunked (HTTP/1.1) or DATA frames */
    s->gen.proceed = on_proceed;
    s->gen.stop = on_stop;
    h2o_start_response(req, &s->gen);
    s->started = 1;
    atomic_fetch_add(&OPEN, 1);
    s->ready = s->fill; /* what the job wrote */
    s->fill = -1;
    if (s->more == NULL || strcmp(c->method, "HEAD") == 0) {
        s->last = 1; /* HEAD: the head alone */
        if (strcmp(c->method, "HEAD") == 0)
            base_buf_reset(&s->buf[s->ready]);
    }
    pump(s);
}

void
api__stream_stepped(api_call *c)
{
    struct api_stream *s = c->stream;
    s->busy = 0;
    if (s->gone) {
        end_gone(s);
        return;
    }
    if (s->step_rc != 0) {
        if (c->err.code == APP_OK)
            app_err_set(&c->err, (app_code)s->step_rc, NULL, NULL);
        base_buf_reset(&s->buf[s->fill]);
        s->failed = 1;
    } else {
        s->ready = s->fill;
        s->last = s->step_last;
    }
    s->fill = -1;
    pump(s);
}
