/*
 * api/api.h - the HTTP layer's internal interface: one api_call per request.
 *
 * Life of a request (all on its loop thread unless said otherwise):
 *   api/request.c: request id, language, CORS, route match, token, rate
 *   limits, body checks, Idempotency-Key (a refusal is answered at once)
 *   -> route handler: answers at once (api_reply_*) or api_submit()s a job
 *   -> job fn on a DB worker thread (api/job.c runs it): may touch only the
 *      call's arena, inputs and outputs, never h2o objects
 *   -> back on the loop thread: api_finish() (api/call.c) sends the answer,
 *      logs one line, counts metrics and frees the call.
 * If the client goes away while a job runs (HTTP/2 stream reset), h2o disposes
 * the request; a shared "ticket" in req->pool then clears call->req, and the
 * finished job is dropped instead of writing to freed memory.
 *
 * Streamed answers (docs/decisions/0010; api/stream.c): a job may instead
 * api_stream_begin() an answer whose body it does not hold whole. What the
 * job writes with api_stream_write() is the first part, sent with the status
 * and headers once the job returns 0; each later part is made by the
 * producer, one call per part, each a job of its own on whichever worker is
 * free, queued only once the part before has been taken by h2o (so a slow
 * client slows the producer, and between parts the call holds no worker).
 * A job that fails after api_stream_begin answers with problem+json as
 * usual (nothing was sent); a producer that fails aborts the transfer (the
 * client sees it truncated) and the failure is logged. A client that goes
 * away stops the producer: the running part is dropped, no other is made.
 */
#ifndef API_API_H
#define API_API_H

#include "base/arena.h"
#include "base/err.h"
#include "core/jurisdiction.h"
#include "db/db.h"

#include <h2o.h>
#include <jansson.h>
#include <stdint.h>

#define API_MAX_PARAMS 4
#define API_MAX_HEADERS 8

typedef struct api_call api_call;
typedef struct api_thread api_thread;
typedef struct api_route api_route;

/* Runs on the loop thread; ends in api_reply_*, api_fail or api_submit. */
typedef void (*api_handler)(api_call *c);
/* Runs on a DB worker thread with a connection of its own. Returns 0 or an app code
   (with c->err filled); on 0 it has set the answer with api_reply_json & co. */
typedef int (*api_job_fn)(api_call *c, db_conn *db);
/* Makes the next part of a streamed body on a DB worker thread: writes it with
   api_stream_write and returns 0, with *out_last = 1 when it was the body's end,
   or an app code (c->err filled), which aborts the transfer. */
typedef int (*api_stream_fn)(api_call *c, db_conn *db, int *out_last);
/* Releases the producer's state (in c->data); called once, on any thread, however
   the stream ended (also when it never started). */
typedef void (*api_stream_free_fn)(api_call *c);

enum {
    API_GET = 1 << 0,
    API_POST = 1 << 1,
    API_PUT = 1 << 2,
    API_PATCH = 1 << 3,
    API_DELETE = 1 << 4,
};

/* Route flags. */
enum {
    API_ROUTE_JSON_BODY = 1 << 0, /* the handler takes a JSON body (1 MiB cap, parsed) */
    API_ROUTE_NO_LIMIT = 1 << 1,  /* exempt from rate limits (health, metrics) */
    API_ROUTE_AUTH = 1 << 2,      /* needs a valid bearer token (401 otherwise) */
    API_ROUTE_PWCHANGE = 1 << 3,  /* allowed while the user must change the password */
    API_ROUTE_PUBLIC = 1 << 4,    /* public content, no personal data: answers are not no-store */
    API_ROUTE_METRICS = 1 << 5,   /* GET /metrics: XUEJI_METRICS_LISTEN / _TOKEN decide who */
    /* The answer carries a secret (tokens, one-time passwords, client secrets):
       Idempotency-Key is ignored, so the answer is never stored nor replayed. */
    API_ROUTE_SECRET = 1 << 6,
    /* A read a fresh streaming replica may answer (docs/decisions/0035): no
       side writes (a job that writes anyway is run again on the primary),
       no streamed answer. */
    API_ROUTE_REPLICA = 1 << 7,
};

struct api_route {
    int method;          /* one API_* bit */
    const char *pattern; /* "/api/v1/regions/{code}" */
    api_handler handler;
    int flags;
};

struct api_call {
    h2o_req_t *req; /* NULL once the client went away */
    struct api_ticket *ticket;
    api_thread *thread;
    app_arena *arena;
    uint64_t start_ns;
    int route_index;     /* -1 when no route matched */
    char request_id[72]; /* up to 64 characters, echoed or generated */
    int lang_en;
    char client_ip[64];
    const char *user_agent; /* "" when absent */

    /* the caller, when the route needs a token */
    int authed;
    core_actor actor;
    long token_iat, token_exp;
    long long token_sid;   /* the session (refresh family) a user's token belongs to */
    int token_pwc;         /* the token says the password must be changed */
    const char *client_id; /* service client tokens: the client id, else NULL */

    /* input, copied into the arena so worker jobs never read h2o memory */
    const char *method;
    const char *path;  /* without the query */
    const char *query; /* "" when none */
    int nparams;
    const char *param_names[API_MAX_PARAMS];
    const char *params[API_MAX_PARAMS];
    const char *body;
    size_t body_len;
    json_t *json; /* parsed body for API_ROUTE_JSON_BODY routes */

    /* idempotency: set when a POST carries Idempotency-Key and claimed it */
    const char *idem_scope;
    const char *idem_key;
    const char *min_lsn; /* xueji-min-lsn: read-your-writes on a replica, or NULL */
    const char *idem_hash;

    /* output */
    int status;
    const char *content_type;
    char *out;
    size_t out_len;
    int nheaders;
    const char *hname[API_MAX_HEADERS];
    const char *hvalue[API_MAX_HEADERS];
    app_err err;
    int failed;

    struct api_stream *stream; /* a streamed answer (api/stream.c), or NULL */

    api_job_fn job;
    void *data;     /* the handler's state for its job, in the arena */
    api_call *next; /* completion queue link */
};

/* ---- answers (any thread, before api_finish) ---- */

/* Serialise `j` (reference stolen) as the body with `status`. */
void api_reply_json(api_call *c, int status, json_t *j);
/* A body of any type; `body` is copied into the arena. */
void api_reply_raw(api_call *c, int status, const char *content_type, const char *body, size_t len);
/* An error: status and problem+json are chosen by api/problem.c from err. */
void api_fail(api_call *c, const app_err *err);
/* Shorthand: api_fail with a fresh error. */
void api_fail_code(api_call *c, app_code code, const char *slug, const char *field);
/* Add a response header (name lower-case, static or arena; value copied). */
void api_header(api_call *c, const char *name, const char *value);

/*
 * From a job: answer `status` with a body of `content_type` made in parts
 * (see the top of this file); `more` makes each part after the first (NULL:
 * the job's part is all), `release` frees the producer's state (may be
 * NULL). Headers (api_header) go with the first part; the length is not
 * known, so HTTP/1.1 answers are chunked. Not for idempotent POSTs (the
 * answer is not stored). A job that begins twice (retried) keeps the last.
 */
void api_stream_begin(api_call *c, int status, const char *content_type, api_stream_fn more,
                      api_stream_free_fn release);
/* Append body bytes to the part being made (from the job or the producer). */
void api_stream_write(api_call *c, const void *p, size_t n);

/* Path parameter by name ("code"), or NULL. */
const char *api_param(const api_call *c, const char *name);
/* Query parameter by name, percent-decoded into the arena, or NULL when absent. */
const char *api_query(api_call *c, const char *name);

/* ---- running and finishing (loop thread) ---- */

/* Hand the call to the DB worker pool; the answer is sent when `fn` returns. */
void api_submit(api_call *c, api_job_fn fn);
/* Send the answer (or drop it if the client left), log, count, free the call. */
void api_finish(api_call *c);

/* ---- pieces implemented elsewhere in api/ ---- */

/* api/router.c */
extern const api_route api_routes[];
extern const int api_nroutes;
/* Match a method and path. Returns the route index, -1 for no path match,
   -2 when the path matches but not the method (*out_allow gets the API_* mask). */
int api_route_match(const char *method, const char *path, api_call *c, int *out_allow);
/* "GET, HEAD, OPTIONS" style list for an API_* mask, into buf. */
void api_allow_string(int mask, char *buf, size_t cap);

/* api/problem.c: fills status, content type and body of a failed call. */
void api_problem_render(api_call *c);
int api_problem_status(const app_err *err);
/* One failed item of a batch answer (POST /requests/actions): {status,
   code, detail, errors?} as the single call's problem+json would carry them
   after its job failed with rc and `err`; error fields after `at`
   ("/items/3"). A new reference; a 5xx is logged. */
json_t *api_problem_item(api_call *c, int rc, const app_err *err, const char *at);
/* The message of a code word and its parameter, as problem+json items word it. */
char *api_problem_message(app_arena *arena, const char *slug, const char *param, int en);

#endif
