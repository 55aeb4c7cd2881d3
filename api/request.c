/*
 * api/request.c - a request's way to its handler, on its loop thread: the
 * call is made (request id, language, client address, method, path, query),
 * CORS headers chosen, the route matched (404, 405, preflight, who may read
 * /metrics), the bearer token verified, rate limits taken, the body checked
 * (size cap, JSON media type and syntax) and an Idempotency-Key read. Every
 * refusal is answered here, as problem+json, before the handler runs.
 */
#include "api/auth.h"
#include "api/handlers.h"
#include "api/internal.h"
#include "api/ratelimit.h"
#include "api/server.h"
#include "api/stream.h"
#include "api/uni.h"
#include "core/idem.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

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
    const api_config *cfg = api_server_config();
    size_t n;
    const char *o = header(req, H2O_STRLIT("origin"), &n);
    if (o == NULL || cfg->cors_origins[0] == '\0')
        return NULL;
    if (strcmp(cfg->cors_origins, "*") == 0)
        return app_arena_strndup(c->arena, o, n);
    const char *p = cfg->cors_origins;
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
    const api_config *cfg = api_server_config();
    if (!cfg->metrics_listen)
        return 0;
    struct sockaddr_storage ss;
    if (req->conn->callbacks->get_sockname(req->conn, (struct sockaddr *)&ss) == 0 ||
        ss.ss_family != AF_INET)
        return 0;
    return ntohs(((struct sockaddr_in *)&ss)->sin_port) == cfg->metrics_port;
}

/* Does the request carry XUEJI_METRICS_TOKEN as its bearer token? */
static int
metrics_token_ok(h2o_req_t *req)
{
    const api_config *cfg = api_server_config();
    size_t n;
    const char *v = header(req, H2O_STRLIT("authorization"), &n);
    if (v == NULL || n < 7 || strncasecmp(v, "Bearer ", 7) != 0)
        return 0;
    unsigned char a[32], b[32]; /* hashes: equal lengths for a constant-time comparison */
    crypto_generichash(a, sizeof(a), (const unsigned char *)v + 7, n - 7, NULL, 0);
    crypto_generichash(b, sizeof(b), (const unsigned char *)cfg->metrics_token,
                       strlen(cfg->metrics_token), NULL, 0);
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
    const api_config *cfg = api_server_config();
    int is_metrics = r >= 0 && (api_routes[r].flags & API_ROUTE_METRICS);
    if (mport && !is_metrics) {
        api_fail_code(c, APP_ENOTFOUND, "route_not_found", NULL);
        return 1;
    }
    if (!is_metrics)
        return 0;
    if ((!mport && cfg->metrics_listen) ||
        (cfg->metrics_token[0] == '\0' && cfg->production && !mport)) {
        api_fail_code(c, APP_ENOTFOUND, "route_not_found", NULL);
        return 1;
    }
    if (cfg->metrics_token[0] != '\0' && !metrics_token_ok(req)) {
        api_header(c, "www-authenticate", "Bearer realm=\"xueji-metrics\"");
        api_fail_code(c, APP_EAUTH, "unauthenticated", NULL);
        return 1;
    }
    return 0;
}

/* A new call for `req`, counted in its thread: its id, language, caller and
   target copied into its arena. */
static api_call *
call_new(h2o_req_t *req)
{
    api_thread *t = H2O_STRUCT_FROM_MEMBER(api_thread, ctx, req->conn->ctx);
    api_call *c = xcalloc(1, sizeof(*c));
    c->thread = t;
    t->inflight++;
    c->arena = app_arena_new();
    c->start_ns = api__now_ns();
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
    return c;
}

static void
add_cors_headers(api_call *c, h2o_req_t *req)
{
    const char *origin = cors_origin(c, req);
    /* answers differ by Origin whenever CORS is on: caches must key on it */
    if (api_server_config()->cors_origins[0] != '\0')
        api_header(c, "vary", "origin");
    if (origin != NULL) {
        api_header(c, "access-control-allow-origin", origin);
        api_header(c, "access-control-expose-headers",
                   "etag, location, retry-after, x-request-id, idempotent-replayed");
    }
}

/* Match the route (c->route_index). 1 when the call is answered already:
   no such path, another method (405, or the preflight of OPTIONS), or
   /metrics refused. */
static int
route(api_call *c, h2o_req_t *req)
{
    int allow = 0;
    int is_options = strcmp(c->method, "OPTIONS") == 0;
    const char *match_method = strcmp(c->method, "HEAD") == 0 ? "GET" : c->method;
    int r = api_route_match(is_options ? "OPTIONS" : match_method, c->path, c, &allow);
    if (metrics_refused(c, req, r, on_metrics_port(req)))
        return 1;
    if (r == -1) {
        api_fail_code(c, APP_ENOTFOUND, "route_not_found", NULL);
        return 1;
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
        return 1;
    }
    c->route_index = r;
    return 0;
}

/* The bearer token of an API_ROUTE_AUTH route. 1 when refused (401). */
static int
authenticate(api_call *c, h2o_req_t *req)
{
    size_t n;
    const char *v = header(req, H2O_STRLIT("authorization"), &n);
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
    if (c->err.code == APP_OK)
        return 0;
    api_header(c, "www-authenticate", "Bearer realm=\"xueji\"");
    api_fail(c, &c->err);
    return 1;
}

/* Take from the caller's rate limits (its account or client, then its
   address). 1 when one is empty (429 with Retry-After). */
static int
rate_limited(api_call *c)
{
    const api_config *cfg = api_server_config();
    char key[80];
    int wait = 0;
    if (c->authed) {
        if (c->client_id != NULL)
            snprintf(key, sizeof(key), "client:%s", c->client_id);
        else
            snprintf(key, sizeof(key), "acct:%lld", c->actor.user_id);
        wait = api_ratelimit_take(key, cfg->rate_account);
    }
    snprintf(key, sizeof(key), "ip:%s", c->client_ip);
    if (wait == 0)
        wait = api_ratelimit_take(key, cfg->rate_ip);
    if (wait <= 0)
        return 0;
    char s[16];
    snprintf(s, sizeof(s), "%d", wait);
    api_header(c, "retry-after", s);
    api_fail_code(c, APP_EINVAL, "rate_limited", NULL);
    return 1;
}

/* Copy the body into the call, within the route's cap. 1 when too large. */
static int
read_body(api_call *c, h2o_req_t *req, const api_route *route)
{
    const api_config *cfg = api_server_config();
    if (req->entity.base == NULL) {
        c->body = "";
        return 0;
    }
    size_t cap = (route->flags & API_ROUTE_JSON_BODY) ? cfg->max_json : cfg->max_upload;
    if (req->entity.len > cap) {
        api_fail_code(c, APP_ETOOLARGE, "body_too_large", NULL);
        return 1;
    }
    c->body = app_arena_strndup(c->arena, req->entity.base, req->entity.len);
    c->body_len = req->entity.len;
    return 0;
}

/* Parse the JSON body of an API_ROUTE_JSON_BODY route into c->json. 1 when
   its media type is not JSON (415) or it is not JSON (400). */
static int
parse_json(api_call *c, h2o_req_t *req)
{
    size_t n;
    const char *ct = header(req, H2O_STRLIT("content-type"), &n);
    if (ct == NULL || !is_json_type(ct, n)) {
        api_fail_code(c, APP_EINVAL, "unsupported_media_type", "/headers/content-type");
        return 1;
    }
    json_error_t jerr;
    c->json = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (c->json == NULL) {
        app_err_clear(&c->err);
        /* jansson's text quotes the input near the error, which may be PII:
           only the position is kept */
        app_err_set(&c->err, APP_EINVAL, "malformed_json", "json error at byte %d", jerr.position);
        char where[128];
        snprintf(where, sizeof(where), "%d:%d:%d", jerr.line, jerr.column, jerr.position);
        app_err_param(&c->err, where);
        api_fail(c, &c->err);
        return 1;
    }
    app_arena_defer(c->arena, decref_json, c->json);
    return 0;
}

/* The Idempotency-Key of a POST (not of a route whose answer carries a
   secret: there it is ignored), with its scope and the request's
   fingerprint, for api/job.c. 1 when the key is empty or too long. */
static int
read_idempotency_key(api_call *c, h2o_req_t *req, const api_route *route)
{
    if (strcmp(c->method, "POST") != 0 || (route->flags & API_ROUTE_SECRET))
        return 0;
    size_t n;
    const char *key = header(req, H2O_STRLIT("idempotency-key"), &n);
    if (key == NULL)
        return 0;
    if (n == 0 || n > 255) {
        api_fail_code(c, APP_EINVAL, "invalid_idempotency_key", "/headers/idempotency-key");
        return 1;
    }
    c->idem_key = app_arena_strndup(c->arena, key, n);
    if (c->authed && c->client_id != NULL)
        c->idem_scope = app_arena_printf(c->arena, "client:%s", c->client_id);
    else if (c->authed)
        c->idem_scope = app_arena_printf(c->arena, "acct:%lld", c->actor.user_id);
    else
        c->idem_scope = app_arena_printf(c->arena, "ip:%s", c->client_ip);
    char *h = app_arena_alloc(c->arena, CORE_IDEM_HASH_LEN);
    core_idem_fingerprint(c->method, c->path, c->query, c->body, c->body_len, h);
    c->idem_hash = h;
    return 0;
}

/* The checks a matched request passes before its handler, in order. 1 when
   one refused it (the answer is set). */
static int
refused(api_call *c, h2o_req_t *req, const api_route *route)
{
    size_t n;
    const char *v = header(req, H2O_STRLIT("user-agent"), &n);
    c->user_agent = v ? app_arena_strndup(c->arena, v, n < 256 ? n : 256) : "";
    if ((route->flags & API_ROUTE_AUTH) && authenticate(c, req))
        return 1;
    if (c->actor.student_id != 0 && !api_student_route(route)) { /* docs/decisions/0032 */
        api_fail_code(c, APP_EFORBIDDEN, "forbidden", NULL);
        return 1;
    }
    if (!(route->flags & API_ROUTE_NO_LIMIT) && rate_limited(c))
        return 1;
    if (read_body(c, req, route))
        return 1;
    if ((route->flags & API_ROUTE_JSON_BODY) && parse_json(c, req))
        return 1;
    return read_idempotency_key(c, req, route);
}

int
api__on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    api_call *c = call_new(req);
    add_cors_headers(c, req);
    if (route(c, req) || refused(c, req, &api_routes[c->route_index])) {
        api_finish(c);
        return 0;
    }
    api_routes[c->route_index].handler(c);
    /* a handler that answered at once (no job) is finished here */
    if (c->job == NULL)
        api_finish(c);
    return 0;
}
