/*
 * api/call.c - a call's answer (status, headers, body or failure), its
 * inputs (path and query parameters), and sending it: the head h2o writes,
 * the access log line and metrics, and freeing the call.
 */
#include "api/handlers.h"
#include "api/internal.h"
#include "api/log.h"
#include "api/metrics.h"
#include "api/stream.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t
api__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
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
    double secs = (double)(api__now_ns() - c->start_ns) / 1e9;
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
        double secs = (double)(api__now_ns() - c->start_ns) / 1e9;
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
