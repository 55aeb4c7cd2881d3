/*
 * api/server.c - loop threads, the request pipeline and shutdown.
 */
#include "api/server.h"

#include "api/api.h"
#include "api/auth.h"
#include "api/handlers.h"
#include "api/jobs.h"
#include "api/log.h"
#include "api/metrics.h"
#include "api/pool.h"
#include "api/ratelimit.h"
#include "api/stream.h"
#include "api/upkeep.h"
#include "db/idem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_JOB_RETRIES 3

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
    int inflight;
    int unclean; /* stopped with connections open: not disposed */
};

/* Lives in req->pool; h2o calls dispose when the request is freed. */
struct api_ticket {
    api_call *call;
};

static const api_config *CFG;
static h2o_globalconf_t GLOBALCONF;
static api_thread *THREADS;

const api_config *
api_server_config(void)
{
    return CFG;
}

void
api_server_set_config(const api_config *cfg)
{
    CFG = cfg;
}

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ------------------------------------------------------------------ calls */

static void
ticket_dispose(void *p)
{
    struct api_ticket *t = p;
    if (t->call != NULL) {
        api_call *c = t->call;
        c->req = NULL;
        c->ticket = NULL;
        /* h2o stops a streaming generator before it frees the request; this
           only matters if it did not (the first of the two does the work) */
        if (c->stream != NULL)
            api__stream_gone(c);
    }
}

static void
decref_json(void *p)
{
    json_decref(p);
}

void
api__call_free(api_call *c)
{
    if (c->ticket != NULL)
        c->ticket->call = NULL;
    c->thread->inflight--;
    app_arena_free(c->arena);
    free(c);
}

void
api_reply_raw(api_call *c, int status, const char *content_type, const char *body, size_t len)
{
    c->status = status;
    c->content_type = content_type;
    c->out = app_arena_strndup(c->arena, body ? body : "", body ? len : 0);
    c->out_len = body ? len : 0;
    c->failed = 0;
}

void
api_reply_json(api_call *c, int status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
    json_decref(j);
    if (s == NULL) {
        api_fail_code(c, APP_EINTERNAL, "internal_error", NULL);
        return;
    }
    api_reply_raw(c, status, "application/json; charset=utf-8", s, strlen(s));
    free(s);
}

void
api_fail(api_call *c, const app_err *err)
{
    if (&c->err != err)
        c->err = *err;
    c->failed = 1;
}

void
api_fail_code(api_call *c, app_code code, const char *slug, const char *field)
{
    app_err_clear(&c->err);
    app_err_set(&c->err, code, slug, NULL);
    app_err_field(&c->err, field);
    c->failed = 1;
}

void
api_header(api_call *c, const char *name, const char *value)
{
    if (c->nheaders >= API_MAX_HEADERS)
        return;
    c->hname[c->nheaders] = name;
    c->hvalue[c->nheaders] = app_arena_strdup(c->arena, value);
    c->nheaders++;
}

const char *
api_param(const api_call *c, const char *name)
{
    for (int i = 0; i < c->nparams; i++)
        if (strcmp(c->param_names[i], name) == 0)
            return c->params[i];
    return NULL;
}

const char *
api_query(api_call *c, const char *name)
{
    size_t nlen = strlen(name);
    const char *p = c->query;
    while (*p) {
        const char *amp = strchr(p, '&');
        const char *end = amp ? amp : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        const char *kend = eq ? eq : end;
        if ((size_t)(kend - p) == nlen && memcmp(p, name, nlen) == 0) {
            const char *v = eq ? eq + 1 : end;
            char *out = app_arena_alloc(c->arena, (size_t)(end - v) + 1), *o = out;
            for (; v < end; v++) {
                if (*v == '+') {
                    *o++ = ' ';
                } else if (*v == '%' && end - v >= 3 && api_hexval(v[1]) >= 0 &&
                           api_hexval(v[2]) >= 0) {
                    *o++ = (char)(api_hexval(v[1]) * 16 + api_hexval(v[2]));
                    v += 2;
                } else {
                    *o++ = *v;
                }
            }
            *o = '\0';
            return out;
        }
        p = amp ? amp + 1 : end;
    }
    return NULL;
}

/* ------------------------------------------------------------ DB jobs */

static void
idem_fingerprint(api_call *c, char out[65])
{
    crypto_generichash_state st;
    unsigned char h[32];
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    crypto_generichash_update(&st, (const unsigned char *)c->method, strlen(c->method) + 1);
    crypto_generichash_update(&st, (const unsigned char *)c->path, strlen(c->path) + 1);
    crypto_generichash_update(&st, (const unsigned char *)c->query, strlen(c->query) + 1);
    crypto_generichash_update(&st, (const unsigned char *)c->body, c->body_len);
    crypto_generichash_final(&st, h, sizeof(h));
    sodium_bin2hex(out, 65, h, sizeof(h));
}

/* A request that waited longer than XUEJI_REQUEST_TIMEOUT_MS for a worker (all of
   them held by a slow or unreachable database) is answered 503 without running:
   its client may have given up already, and running it would only lengthen the queue. */
static int
waited_too_long(const api_call *c)
{
    return CFG->request_timeout_ms > 0 &&
           now_ns() - c->start_ns > (uint64_t)CFG->request_timeout_ms * 1000000u;
}

void
api__run_job(api_call *c, db_conn *db)
{
    if (api__stream_started(c)) { /* the next part of a streamed answer */
        api__stream_step(c, db);
        return;
    }
    if (waited_too_long(c)) {
        api_fail_code(c, APP_EUNAVAIL, "server_busy", NULL);
        api_problem_render(c);
        return;
    }
    if (c->authed && api_auth_check(c, db) != 0) {
        api_fail(c, &c->err);
        api_problem_render(c);
        return;
    }
    if (c->idem_key != NULL) {
        db_idem_state st;
        db_idem_answer ans = {0};
        int rc = db_idem_claim(db, c->idem_scope, c->idem_key, c->method, c->path, c->idem_hash,
                               c->arena, &st, &ans, &c->err);
        if (rc != 0) {
            api_fail(c, &c->err);
            api_problem_render(c);
            return;
        }
        if (st == DB_IDEM_REPLAY) {
            api_reply_raw(c, ans.status, ans.content_type, ans.body, ans.len);
            api_header(c, "idempotent-replayed", "true");
            return;
        }
        if (st != DB_IDEM_NEW) {
            api_fail_code(c, st == DB_IDEM_MISMATCH ? APP_EINVAL : APP_ECONFLICT,
                          st == DB_IDEM_MISMATCH ? "idempotency_key_reused"
                                                 : "idempotency_in_progress",
                          "/headers/idempotency-key");
            api_problem_render(c);
            return;
        }
    }

    int rc = 0;
    for (int attempt = 0; attempt < MAX_JOB_RETRIES; attempt++) {
        app_err_clear(&c->err);
        c->failed = 0;
        rc = c->job(c, db);
        while (db_in_tx(db))
            db_rollback(db); /* a job that returned inside a transaction changed nothing */
        if (rc != APP_ERETRY)
            break;
    }
    if (rc != 0) {
        if (c->err.code == APP_OK)
            app_err_set(&c->err, (app_code)rc, NULL, NULL);
        c->failed = 1;
    }
    if (c->failed)
        api_problem_render(c);

    if (c->idem_key != NULL) {
        app_err e2 = {0};
        /* Answers a retry could change (5xx) are not kept: the key is released;
           nor are streamed ones, which are never held whole. */
        if (c->status >= 500 || (c->stream != NULL && !c->failed))
            db_idem_abandon(db, c->idem_scope, c->idem_key, &e2);
        else
            db_idem_complete(db, c->idem_scope, c->idem_key, c->status, c->content_type, c->out,
                             &e2);
        if (e2.code != APP_OK)
            api_log(API_LOG_WARN, "idempotency answer not stored", c->request_id, e2.detail);
    }
}

void
api_submit(api_call *c, api_job_fn fn)
{
    c->job = fn;
    api_pool_push(c);
}

void
api_thread_post_done(api_thread *t, api_call *c)
{
    pthread_mutex_lock(&t->done_mu);
    c->next = NULL;
    if (t->done_tail != NULL)
        t->done_tail->next = c;
    else
        t->done_head = c;
    t->done_tail = c;
    pthread_mutex_unlock(&t->done_mu);
    uv_async_send(&t->done_async);
}

static void
on_done(uv_async_t *a)
{
    api_thread *t = a->data;
    pthread_mutex_lock(&t->done_mu);
    api_call *c = t->done_head;
    t->done_head = t->done_tail = NULL;
    pthread_mutex_unlock(&t->done_mu);
    while (c != NULL) {
        api_call *next = c->next;
        if (api__stream_started(c))
            api__stream_stepped(c);
        else
            api_finish(c);
        c = next;
    }
}

/* ---------------------------------------------------------- answering */

static const char *
reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 423:
        return "Locked";
    case 428:
        return "Precondition Required";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "OK";
    }
}

void
api__call_log(api_call *c)
{
    double secs = (double)(now_ns() - c->start_ns) / 1e9;
    const char *route = c->route_index >= 0 ? api_routes[c->route_index].pattern : "unmatched";
    api_metrics_observe(c->route_index, c->status, secs);
    api_log_access(c->method, route, c->status, secs * 1000, c->request_id);
}

static int
has_header(const api_call *c, const char *name)
{
    for (int i = 0; i < c->nheaders; i++)
        if (strcmp(c->hname[i], name) == 0)
            return 1;
    return 0;
}

void
api__put_head(api_call *c, h2o_req_t *req)
{
    req->res.status = c->status;
    req->res.reason = reason(c->status);
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
                          h2o_strdup(&req->pool, c->request_id, SIZE_MAX).base,
                          strlen(c->request_id));
    for (int i = 0; i < c->nheaders; i++) {
        h2o_iovec_t v = h2o_strdup(&req->pool, c->hvalue[i], SIZE_MAX);
        h2o_add_header_by_str(&req->pool, &req->res.headers, c->hname[i], strlen(c->hname[i]), 0,
                              NULL, v.base, v.len);
    }
    if (c->content_type != NULL && c->status != 204) {
        h2o_iovec_t v = h2o_strdup(&req->pool, c->content_type, SIZE_MAX);
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, v.base, v.len);
    }
    /* browsers take the declared type, never a guessed one; caches keep no
       answer but the public ones (reference data, the contract, health) */
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-content-type-options"), 0,
                          NULL, H2O_STRLIT("nosniff"));
    int public = c->route_index >= 0 && (api_routes[c->route_index].flags & API_ROUTE_PUBLIC);
    if (!public && !has_header(c, "cache-control"))
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                       H2O_STRLIT("no-store"));
}

void
api_finish(api_call *c)
{
    if (c->stream != NULL) {
        if (!c->failed) {
            api__stream_start(c); /* the job made the first part of a streamed answer */
            return;
        }
        api__stream_discard(c); /* failed before anything went out: a normal answer */
    }
    if (c->failed)
        api_problem_render(c);

    h2o_req_t *req = c->req;
    if (req == NULL) {
        /* the client went away while the job ran: nothing to send */
        double secs = (double)(now_ns() - c->start_ns) / 1e9;
        const char *route = c->route_index >= 0 ? api_routes[c->route_index].pattern : "unmatched";
        api_metrics_observe(c->route_index, c->status, secs);
        api_log(API_LOG_DEBUG, "client gone before the answer", c->request_id, route);
        api__call_free(c);
        return;
    }
    api__call_log(c);
    api__put_head(c, req);
    size_t len = c->status == 204 ? 0 : c->out_len;
    req->res.content_length = len;
    /* h2o_send_inline copies the body into req->pool, so the call can go now */
    h2o_send_inline(req, c->out ? c->out : "", len);
    api__call_free(c);
}

/* ------------------------------------------------------------ on_req */

static int
valid_request_id(const char *s, size_t n)
{
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.' || ch == ':'))
            return 0;
    }
    return 1;
}

static const char *
header(h2o_req_t *req, const char *name, size_t nlen, size_t *out_len)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, name, nlen, -1);
    if (i < 0)
        return NULL;
    *out_len = req->headers.entries[i].value.len;
    return req->headers.entries[i].value.base;
}

static const char *
method_name(h2o_iovec_t m)
{
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (h2o_memis(m.base, m.len, known[i], strlen(known[i])))
            return known[i];
    return "OTHER";
}

/* The Origin if it is allowed, else NULL. */
static const char *
cors_origin(api_call *c, h2o_req_t *req)
{
    size_t n;
    const char *o = header(req, H2O_STRLIT("origin"), &n);
    if (o == NULL || CFG->cors_origins[0] == '\0')
        return NULL;
    if (strcmp(CFG->cors_origins, "*") == 0)
        return app_arena_strndup(c->arena, o, n);
    const char *p = CFG->cors_origins;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len > 0 && *p == ' ') {
            p++;
            len--;
        }
        if (len == n && memcmp(p, o, n) == 0)
            return app_arena_strndup(c->arena, o, n);
        if (comma == NULL)
            break;
        p = comma + 1;
    }
    return NULL;
}

static void
client_ip(h2o_req_t *req, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    out[0] = '\0';
    socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
    if (sl == 0)
        return;
    if (ss.ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, (socklen_t)cap);
    else if (ss.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, (socklen_t)cap);
}

static int
is_json_type(const char *ct, size_t n)
{
    /* application/json or application/<x>+json, parameters allowed */
    size_t i = 0;
    while (i < n && ct[i] != ';' && ct[i] != ' ')
        i++;
    if (i >= 16 && strncasecmp(ct, "application/json", 16) == 0 && i == 16)
        return 1;
    return i > 17 && strncasecmp(ct, "application/", 12) == 0 &&
           strncasecmp(ct + i - 5, "+json", 5) == 0;
}

static void
preflight(api_call *c, int allow)
{
    char methods[96];
    api_allow_string(allow, methods, sizeof(methods));
    api_header(c, "allow", methods);
    api_header(c, "access-control-allow-methods", methods);
    api_header(c, "access-control-allow-headers",
               "authorization, content-type, if-match, if-none-match, idempotency-key, "
               "x-request-id, accept-language");
    api_header(c, "access-control-max-age", "600");
    api_reply_raw(c, 204, NULL, NULL, 0);
}

/* Did the request come in on the XUEJI_METRICS_LISTEN socket? */
static int
on_metrics_port(h2o_req_t *req)
{
    if (!CFG->metrics_listen)
        return 0;
    struct sockaddr_storage ss;
    if (req->conn->callbacks->get_sockname(req->conn, (struct sockaddr *)&ss) == 0 ||
        ss.ss_family != AF_INET)
        return 0;
    return ntohs(((struct sockaddr_in *)&ss)->sin_port) == CFG->metrics_port;
}

/* Does the request carry XUEJI_METRICS_TOKEN as its bearer token? */
static int
metrics_token_ok(h2o_req_t *req)
{
    size_t n;
    const char *v = header(req, H2O_STRLIT("authorization"), &n);
    if (v == NULL || n < 7 || strncasecmp(v, "Bearer ", 7) != 0)
        return 0;
    unsigned char a[32], b[32]; /* hashes: equal lengths for a constant-time comparison */
    crypto_generichash(a, sizeof(a), (const unsigned char *)v + 7, n - 7, NULL, 0);
    crypto_generichash(b, sizeof(b), (const unsigned char *)CFG->metrics_token,
                       strlen(CFG->metrics_token), NULL, 0);
    return sodium_memcmp(a, b, sizeof(a)) == 0;
}

/*
 * Who reaches GET /metrics (README "Metrics"): with XUEJI_METRICS_LISTEN, that
 * socket only (and it serves nothing else); with XUEJI_METRICS_TOKEN, callers
 * that send it; with neither, anyone in development and nobody in production.
 * 1 when the call was refused (the failure is set).
 */
static int
metrics_refused(api_call *c, h2o_req_t *req, int r, int mport)
{
    int is_metrics = r >= 0 && (api_routes[r].flags & API_ROUTE_METRICS);
    if (mport && !is_metrics) {
        api_fail_code(c, APP_ENOTFOUND, "route_not_found", NULL);
        return 1;
    }
    if (!is_metrics)
        return 0;
    if ((!mport && CFG->metrics_listen) ||
        (CFG->metrics_token[0] == '\0' && CFG->production && !mport)) {
        api_fail_code(c, APP_ENOTFOUND, "route_not_found", NULL);
        return 1;
    }
    if (CFG->metrics_token[0] != '\0' && !metrics_token_ok(req)) {
        api_header(c, "www-authenticate", "Bearer realm=\"xueji-metrics\"");
        api_fail_code(c, APP_EAUTH, "unauthenticated", NULL);
        return 1;
    }
    return 0;
}

static int
on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    api_thread *t = H2O_STRUCT_FROM_MEMBER(api_thread, ctx, req->conn->ctx);
    api_call *c = xcalloc(1, sizeof(*c));
    c->thread = t;
    t->inflight++;
    c->arena = app_arena_new();
    c->start_ns = now_ns();
    c->route_index = -1;
    c->req = req;
    c->ticket = h2o_mem_alloc_shared(&req->pool, sizeof(struct api_ticket), ticket_dispose);
    c->ticket->call = c;
    c->status = 200;

    size_t n;
    const char *v = header(req, H2O_STRLIT("x-request-id"), &n);
    if (v != NULL && valid_request_id(v, n)) {
        memcpy(c->request_id, v, n);
        c->request_id[n] = '\0';
    } else {
        unsigned char rnd[12];
        randombytes_buf(rnd, sizeof(rnd));
        sodium_bin2hex(c->request_id, sizeof(c->request_id), rnd, sizeof(rnd));
    }
    v = header(req, H2O_STRLIT("accept-language"), &n);
    c->lang_en = v != NULL && n >= 2 && strncasecmp(v, "en", 2) == 0;
    client_ip(req, c->client_ip, sizeof(c->client_ip));

    c->method = method_name(req->method);
    c->path = app_arena_strndup(c->arena, req->path_normalized.base, req->path_normalized.len);
    c->query = req->query_at != SIZE_MAX
                   ? app_arena_strndup(c->arena, req->path.base + req->query_at + 1,
                                       req->path.len - req->query_at - 1)
                   : "";

    const char *origin = cors_origin(c, req);
    /* answers differ by Origin whenever CORS is on: caches must key on it */
    if (CFG->cors_origins[0] != '\0')
        api_header(c, "vary", "origin");
    if (origin != NULL) {
        api_header(c, "access-control-allow-origin", origin);
        api_header(c, "access-control-expose-headers",
                   "etag, location, retry-after, x-request-id, idempotent-replayed");
    }

    int allow = 0;
    int is_options = strcmp(c->method, "OPTIONS") == 0;
    const char *match_method = strcmp(c->method, "HEAD") == 0 ? "GET" : c->method;
    int r = api_route_match(is_options ? "OPTIONS" : match_method, c->path, c, &allow);
    if (metrics_refused(c, req, r, on_metrics_port(req))) {
        api_finish(c);
        return 0;
    }
    if (r == -1) {
        api_fail_code(c, APP_ENOTFOUND, "route_not_found", NULL);
        api_finish(c);
        return 0;
    }
    if (r == -2) {
        if (is_options) {
            preflight(c, allow);
        } else {
            char methods[96];
            api_allow_string(allow, methods, sizeof(methods));
            api_header(c, "allow", methods);
            api_fail_code(c, APP_EINVAL, "method_not_allowed", NULL);
        }
        api_finish(c);
        return 0;
    }
    c->route_index = r;
    const api_route *route = &api_routes[r];

    v = header(req, H2O_STRLIT("user-agent"), &n);
    c->user_agent = v ? app_arena_strndup(c->arena, v, n < 256 ? n : 256) : "";

    if (route->flags & API_ROUTE_AUTH) {
        v = header(req, H2O_STRLIT("authorization"), &n);
        app_err_clear(&c->err);
        if (v == NULL || n < 8 || strncasecmp(v, "Bearer ", 7) != 0) {
            app_err_set(&c->err, APP_EAUTH, "unauthenticated", NULL);
        } else {
            const char *tok = v + 7;
            size_t tlen = n - 7;
            while (tlen > 0 && *tok == ' ') {
                tok++;
                tlen--;
            }
            api_token_verify(c, tok, tlen, (long)time(NULL), &c->err);
        }
        if (c->err.code != APP_OK) {
            api_header(c, "www-authenticate", "Bearer realm=\"xueji\"");
            api_fail(c, &c->err);
            api_finish(c);
            return 0;
        }
    }

    if (!(route->flags & API_ROUTE_NO_LIMIT)) {
        char key[80];
        int wait = 0;
        if (c->authed) {
            if (c->client_id != NULL)
                snprintf(key, sizeof(key), "client:%s", c->client_id);
            else
                snprintf(key, sizeof(key), "acct:%lld", c->actor.user_id);
            wait = api_ratelimit_take(key, CFG->rate_account);
        }
        snprintf(key, sizeof(key), "ip:%s", c->client_ip);
        if (wait == 0)
            wait = api_ratelimit_take(key, CFG->rate_ip);
        if (wait > 0) {
            char s[16];
            snprintf(s, sizeof(s), "%d", wait);
            api_header(c, "retry-after", s);
            api_fail_code(c, APP_EINVAL, "rate_limited", NULL);
            api_finish(c);
            return 0;
        }
    }

    if (req->entity.base != NULL) {
        size_t cap = (route->flags & API_ROUTE_JSON_BODY) ? CFG->max_json : CFG->max_upload;
        if (req->entity.len > cap) {
            api_fail_code(c, APP_ETOOLARGE, "body_too_large", NULL);
            api_finish(c);
            return 0;
        }
        c->body = app_arena_strndup(c->arena, req->entity.base, req->entity.len);
        c->body_len = req->entity.len;
    } else {
        c->body = "";
    }

    if (route->flags & API_ROUTE_JSON_BODY) {
        const char *ct = header(req, H2O_STRLIT("content-type"), &n);
        if (ct == NULL || !is_json_type(ct, n)) {
            api_fail_code(c, APP_EINVAL, "unsupported_media_type", "/headers/content-type");
            api_finish(c);
            return 0;
        }
        json_error_t jerr;
        c->json = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &jerr);
        if (c->json == NULL) {
            app_err_clear(&c->err);
            /* jansson's text quotes the input near the error, which may be PII:
               only the position is kept */
            app_err_set(&c->err, APP_EINVAL, "malformed_json", "json error at byte %d",
                        jerr.position);
            char where[128];
            snprintf(where, sizeof(where), "%d:%d:%d", jerr.line, jerr.column, jerr.position);
            app_err_param(&c->err, where);
            api_fail(c, &c->err);
            api_finish(c);
            return 0;
        }
        app_arena_defer(c->arena, decref_json, c->json);
    }

    /* an answer that carries a secret is never stored: the key is ignored */
    if (strcmp(c->method, "POST") == 0 && !(route->flags & API_ROUTE_SECRET)) {
        const char *key = header(req, H2O_STRLIT("idempotency-key"), &n);
        if (key != NULL) {
            if (n == 0 || n > 255) {
                api_fail_code(c, APP_EINVAL, "invalid_idempotency_key", "/headers/idempotency-key");
                api_finish(c);
                return 0;
            }
            c->idem_key = app_arena_strndup(c->arena, key, n);
            if (c->authed && c->client_id != NULL)
                c->idem_scope = app_arena_printf(c->arena, "client:%s", c->client_id);
            else if (c->authed)
                c->idem_scope = app_arena_printf(c->arena, "acct:%lld", c->actor.user_id);
            else
                c->idem_scope = app_arena_printf(c->arena, "ip:%s", c->client_ip);
            char *h = app_arena_alloc(c->arena, 65);
            idem_fingerprint(c, h);
            c->idem_hash = h;
        }
    }

    route->handler(c);
    /* a handler that answered at once (no job) is finished here */
    if (c->job == NULL)
        api_finish(c);
    return 0;
}

/* ------------------------------------------------------------ threads */

static void
on_accept(uv_stream_t *listener, int status)
{
    if (status != 0)
        return;
    api_thread *t = listener->data;
    uv_tcp_t *conn = xmalloc(sizeof(*conn));
    uv_tcp_init(listener->loop, conn);
    if (uv_accept(listener, (uv_stream_t *)conn) != 0) {
        uv_close((uv_handle_t *)conn, (uv_close_cb)free);
        return;
    }
    /* a streamed answer is many writes: without this, Nagle holds each one's
       last segment until the client's delayed ACK (tens of ms per part) */
    uv_tcp_nodelay(conn, 1);
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)conn, (uv_close_cb)free);
    h2o_accept(&t->accept_ctx, sock);
}

static int
open_listener(const char *host, int port, int *out_fd)
{
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    *out_fd = fd;
    return 0;
}

static void
drain_check(uv_timer_t *timer)
{
    api_thread *t = timer->data;
    uint64_t now = uv_now(&t->loop);
    if (t->inflight > 0 && now < t->drain_deadline)
        return;
    if (t->inflight > 0)
        api_log(API_LOG_WARN, "shutdown deadline passed with requests in flight", NULL, NULL);
    uv_timer_stop(timer);
    uv_stop(&t->loop);
}

static void
on_stop(uv_async_t *a)
{
    api_thread *t = a->data;
    if (t->listening) {
        uv_close((uv_handle_t *)&t->listener, NULL);
        t->listening = 0;
    }
    if (t->mlistening) {
        uv_close((uv_handle_t *)&t->mlistener, NULL);
        t->mlistening = 0;
    }
    h2o_context_request_shutdown(&t->ctx);
    t->drain_deadline = uv_now(&t->loop) + (uint64_t)CFG->shutdown_timeout_ms;
    uv_timer_start(&t->drain_timer, drain_check, 0, 20);
}

static void
close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void *
thread_main(void *arg)
{
    api_thread *t = arg;
    uv_run(&t->loop, UV_RUN_DEFAULT);

    /*
     * Connections still open now are idle keep-alives (or requests past the
     * deadline). h2o 2.2.5 has no call that closes them, and disposing a
     * context under live connections aborts; the process is about to exit and
     * the kernel closes them. Leave this thread's state alone.
     */
    if (!h2o_linklist_is_empty(&t->ctx.http1._conns) ||
        !h2o_linklist_is_empty(&t->ctx.http2._conns) || t->inflight > 0) {
        t->unclean = 1;
        return NULL;
    }
    /* h2o's HTTP/2 graceful-shutdown timer must be unlinked before dispose,
       or h2o_timeout_dispose asserts (see STACK-NOTES 11). */
    if (h2o_timeout_is_linked(&t->ctx.http2._graceful_shutdown_timeout))
        h2o_timeout_unlink(&t->ctx.http2._graceful_shutdown_timeout);
    h2o_context_dispose(&t->ctx);
    uv_walk(&t->loop, close_walk, NULL);
    uv_run(&t->loop, UV_RUN_DEFAULT);
    return NULL;
}

/* Listen on `fd` with `h` (the thread's API or metrics socket). */
static int
listen_on(api_thread *t, uv_tcp_t *h, int fd)
{
    uv_tcp_init(&t->loop, h);
    h->data = t;
    return uv_tcp_open(h, fd) != 0 || uv_listen((uv_stream_t *)h, 1024, on_accept) != 0 ? -1 : 0;
}

static int
thread_init(api_thread *t, int index, int fd, int mfd)
{
    t->index = index;
    t->listen_fd = fd;
    pthread_mutex_init(&t->done_mu, NULL);
    uv_loop_init(&t->loop);
    h2o_context_init(&t->ctx, &t->loop, &GLOBALCONF);
    t->accept_ctx.ctx = &t->ctx;
    t->accept_ctx.hosts = GLOBALCONF.hosts;
    uv_async_init(&t->loop, &t->done_async, on_done);
    t->done_async.data = t;
    uv_async_init(&t->loop, &t->stop_async, on_stop);
    t->stop_async.data = t;
    uv_timer_init(&t->loop, &t->drain_timer);
    t->drain_timer.data = t;
    if (listen_on(t, &t->listener, fd) != 0)
        return -1;
    t->listening = 1;
    if (mfd >= 0) {
        if (listen_on(t, &t->mlistener, mfd) != 0)
            return -1;
        t->mlistening = 1;
    }
    return 0;
}

/*
 * Answers h2o makes itself (413 above its body cap, 400s of a request it
 * could not route) go through the host's fallback path: the same two headers
 * as ours (api__put_head).
 */
static void
own_answers_headers(h2o_hostconf_t *host)
{
    static h2o_iovec_t nosniff_name;
    static h2o_headers_command_t cmds[3];
    nosniff_name = h2o_iovec_init(H2O_STRLIT("x-content-type-options"));
    cmds[0] = (h2o_headers_command_t){H2O_HEADERS_CMD_SET, &nosniff_name,
                                      h2o_iovec_init(H2O_STRLIT("nosniff"))};
    cmds[1] = (h2o_headers_command_t){H2O_HEADERS_CMD_SET, &H2O_TOKEN_CACHE_CONTROL->buf,
                                      h2o_iovec_init(H2O_STRLIT("no-store"))};
    cmds[2] = (h2o_headers_command_t){H2O_HEADERS_CMD_NULL, NULL, {NULL, 0}};
    h2o_headers_register(&host->fallback_path, cmds);
}

/* The XUEJI_METRICS_LISTEN socket, or -1 when there is none (or on error: *out_failed). */
static int
metrics_listener(const api_config *cfg, int *out_failed)
{
    int fd = -1;
    *out_failed = 0;
    if (!cfg->metrics_listen)
        return -1;
    if (open_listener(cfg->metrics_host, cfg->metrics_port, &fd) != 0) {
        char d[160];
        snprintf(d, sizeof(d), "XUEJI_METRICS_LISTEN %s:%d: %s", cfg->metrics_host,
                 cfg->metrics_port, strerror(errno));
        api_log(API_LOG_ERROR, "cannot listen", NULL, d);
        *out_failed = 1;
        return -1;
    }
    char d[128];
    snprintf(d, sizeof(d), "GET /metrics on http://%s:%d only", cfg->metrics_host,
             cfg->metrics_port);
    api_log(API_LOG_INFO, "metrics", NULL, d);
    return fd;
}

int
api_server_run(const api_config *cfg)
{
    CFG = cfg;
    api_log_set_level(cfg->log_level);
    signal(SIGPIPE, SIG_IGN);

    h2o_config_init(&GLOBALCONF);
    GLOBALCONF.server_name = h2o_iovec_init(H2O_STRLIT("xuejid"));
    /* h2o's own cap sits above ours so that we, not h2o, answer 413 as problem+json */
    GLOBALCONF.max_request_entity_size = cfg->max_upload + 1024 * 1024;
    h2o_hostconf_t *host =
        h2o_config_register_host(&GLOBALCONF, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *pathconf = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = on_req;
    own_answers_headers(host);
    api_metrics_init(api_nroutes);

    /* Block the signals in every thread; main waits for them with sigwait. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    char opts[96];
    snprintf(opts, sizeof(opts), "-c statement_timeout=%d -c lock_timeout=%d",
             cfg->statement_timeout_ms, cfg->lock_timeout_ms);
    if (api_pool_start(cfg->db_pool, cfg->database_url, opts) != 0) {
        api_log(API_LOG_ERROR, "cannot start the DB pool", NULL, NULL);
        return 1;
    }
    if (api_jobs_start(cfg) != 0) {
        api_log(API_LOG_ERROR, "cannot start the import workers", NULL, NULL);
        return 1;
    }
    if (api_upkeep_start(cfg) != 0) {
        api_log(API_LOG_ERROR, "cannot start the file upkeep", NULL, NULL);
        return 1;
    }

    int n = cfg->threads, port = cfg->port, mfailed;
    int mfd = metrics_listener(cfg, &mfailed);
    if (mfailed)
        return 1;
    THREADS = xcalloc((size_t)n, sizeof(api_thread));
    for (int i = 0; i < n; i++) {
        int fd;
        if (open_listener(cfg->host, port, &fd) != 0) {
            char d[160];
            snprintf(d, sizeof(d), "%s:%d: %s", cfg->host, port, strerror(errno));
            api_log(API_LOG_ERROR, "cannot listen", NULL, d);
            return 1;
        }
        if (port == 0) { /* the first socket picks a free port; the others share it */
            struct sockaddr_in sa;
            socklen_t sl = sizeof(sa);
            getsockname(fd, (struct sockaddr *)&sa, &sl);
            port = ntohs(sa.sin_port);
        }
        if (thread_init(&THREADS[i], i, fd, i == 0 ? mfd : -1) != 0) {
            api_log(API_LOG_ERROR, "cannot listen", NULL, strerror(errno));
            return 1;
        }
    }
    for (int i = 0; i < n; i++)
        pthread_create(&THREADS[i].tid, NULL, thread_main, &THREADS[i]);

    char d[128];
    snprintf(d, sizeof(d), "http://%s:%d (%d loop threads, %d DB connections)", cfg->host, port, n,
             cfg->db_pool);
    api_log(API_LOG_INFO, "listening", NULL, d);
    if (cfg->port_file != NULL) {
        FILE *f = fopen(cfg->port_file, "w");
        if (f != NULL) {
            fprintf(f, "%d\n", port);
            fclose(f);
        }
    }

    int sig = 0;
    sigwait(&sigs, &sig);
    api_log(API_LOG_INFO, "shutting down", NULL, sig == SIGTERM ? "SIGTERM" : "SIGINT");
    for (int i = 0; i < n; i++)
        uv_async_send(&THREADS[i].stop_async);
    int unclean = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(THREADS[i].tid, NULL);
        unclean |= THREADS[i].unclean;
    }
    /* Import workers (an import stops after its current batch, committed), the
       upkeep thread and the request jobs still running share one deadline;
       past it we go anyway, and a transaction cut short is rolled back. */
    struct timespec deadline;
    api_deadline_in(cfg->shutdown_timeout_ms, &deadline);
    if (api_jobs_stop(&deadline) != 0)
        unclean = 1;
    if (api_upkeep_stop(&deadline) != 0)
        unclean = 1;
    if (api_pool_stop(&deadline) != 0)
        unclean = 1;
    if (unclean) {
        /* idle keep-alive connections or a stuck job: the kernel closes what is
           left; nothing is half-written, since every write is one transaction */
        api_log(API_LOG_INFO, "stopped", NULL, "connections or jobs left at the deadline");
        fflush(stderr);
        _exit(0);
    }
    for (int i = 0; i < n; i++) {
        api_call *c = THREADS[i].done_head;
        while (c != NULL) {
            api_call *next = c->next;
            app_arena_free(c->arena);
            free(c);
            c = next;
        }
        uv_loop_close(&THREADS[i].loop);
        pthread_mutex_destroy(&THREADS[i].done_mu);
    }
    free(THREADS);
    api_ratelimit_free();
    h2o_config_dispose(&GLOBALCONF);
    api_log(API_LOG_INFO, "stopped", NULL, NULL);
    return 0;
}
