/*
 * api/metrics.c - request counters and histograms.
 */
#include "api/metrics.h"

#include "api/api.h"
#include "api/pool.h"
#include "api/sealer.h"
#include "api/stream.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static const int statuses[] = {200, 201, 202, 204, 304, 400, 401, 403, 404, 405, 409,
                               412, 413, 415, 422, 423, 428, 429, 500, 503, 0 /* other */};
#define NSTATUS (int)(sizeof(statuses) / sizeof(statuses[0]))
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define NBUCKET (int)(sizeof(buckets) / sizeof(buckets[0]))

typedef struct route_stats {
    atomic_ullong count[NSTATUS];
    atomic_ullong bucket[NBUCKET + 1]; /* last = +Inf */
    atomic_ullong sum_us;
} route_stats;

static route_stats *stats;
static int nslots;

void
api_metrics_init(int nroutes)
{
    nslots = nroutes + 1;
    stats = xcalloc((size_t)nslots, sizeof(route_stats));
}

void
api_metrics_observe(int route, int status, double seconds)
{
    route_stats *s = &stats[route < 0 ? nslots - 1 : route];
    int i = 0;
    while (i < NSTATUS - 1 && statuses[i] != status)
        i++;
    atomic_fetch_add_explicit(&s->count[i], 1, memory_order_relaxed);
    int b = 0;
    while (b < NBUCKET && seconds > buckets[b])
        b++;
    atomic_fetch_add_explicit(&s->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->sum_us, (unsigned long long)(seconds * 1e6),
                              memory_order_relaxed);
}

typedef struct buf {
    app_arena *a;
    char *p;
    size_t len, cap;
} buf;

static void __attribute__((format(printf, 2, 3))) put(buf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)(n > 0 ? n : 0);
        char *p = app_arena_alloc(b->a, cap);
        memcpy(p, b->p, b->len);
        b->p = p;
        b->cap = cap;
    }
}

char *
api_metrics_render(app_arena *a, size_t *out_len)
{
    buf b = {a, app_arena_alloc(a, 16384), 0, 16384};
    put(&b, "# HELP xueji_http_requests_total HTTP requests by route and status.\n"
            "# TYPE xueji_http_requests_total counter\n");
    for (int r = 0; r < nslots; r++) {
        const char *route = r < api_nroutes ? api_routes[r].pattern : "unmatched";
        const char *method = "";
        if (r < api_nroutes) {
            static const char *const m[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
            for (int i = 0; i < 5; i++)
                if (api_routes[r].method == 1 << i)
                    method = m[i];
        }
        for (int i = 0; i < NSTATUS; i++) {
            unsigned long long n = atomic_load_explicit(&stats[r].count[i], memory_order_relaxed);
            if (n == 0)
                continue;
            char st[8];
            if (statuses[i])
                snprintf(st, sizeof(st), "%d", statuses[i]);
            else
                snprintf(st, sizeof(st), "other");
            put(&b, "xueji_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
                method, route, st, n);
        }
    }
    put(&b, "# HELP xueji_http_request_duration_seconds Request latency by route.\n"
            "# TYPE xueji_http_request_duration_seconds histogram\n");
    for (int r = 0; r < nslots; r++) {
        const char *route = r < api_nroutes ? api_routes[r].pattern : "unmatched";
        unsigned long long cum = 0;
        for (int i = 0; i <= NBUCKET; i++)
            cum += atomic_load_explicit(&stats[r].bucket[i], memory_order_relaxed);
        if (cum == 0)
            continue;
        unsigned long long acc = 0;
        for (int i = 0; i <= NBUCKET; i++) {
            acc += atomic_load_explicit(&stats[r].bucket[i], memory_order_relaxed);
            if (i < NBUCKET)
                put(&b, "xueji_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                    route, buckets[i], acc);
            else
                put(&b,
                    "xueji_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                    route, acc);
        }
        put(&b, "xueji_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", route,
            (double)atomic_load_explicit(&stats[r].sum_us, memory_order_relaxed) / 1e6);
        put(&b, "xueji_http_request_duration_seconds_count{route=\"%s\"} %llu\n", route, acc);
    }
    int busy, waiting;
    api_pool_stats(&busy, &waiting);
    put(&b,
        "# HELP xueji_db_pool_in_use DB worker connections running a job.\n"
        "# TYPE xueji_db_pool_in_use gauge\nxueji_db_pool_in_use %d\n"
        "# HELP xueji_db_pool_waiting Jobs waiting for a DB worker.\n"
        "# TYPE xueji_db_pool_waiting gauge\nxueji_db_pool_waiting %d\n",
        busy, waiting);
    int open;
    unsigned long long done, aborted, gone;
    api__stream_counts(&open, &done, &aborted, &gone);
    put(&b,
        "# HELP xueji_http_streams_open Streamed answers (exports) being sent.\n"
        "# TYPE xueji_http_streams_open gauge\nxueji_http_streams_open %d\n"
        "# HELP xueji_http_streams_total Streamed answers that ended, by how.\n"
        "# TYPE xueji_http_streams_total counter\n"
        "xueji_http_streams_total{end=\"complete\"} %llu\n"
        "xueji_http_streams_total{end=\"aborted\"} %llu\n"
        "xueji_http_streams_total{end=\"client_gone\"} %llu\n",
        open, done, aborted, gone);
    long long unsealed;
    double oldest;
    int leader;
    if (api_sealer_stats(&unsealed, &oldest, &leader))
        put(&b,
            "# HELP xueji_audit_unsealed_rows Audit rows not yet sealed, at the sealer's last "
            "pass.\n"
            "# TYPE xueji_audit_unsealed_rows gauge\nxueji_audit_unsealed_rows %lld\n"
            "# HELP xueji_audit_unsealed_oldest_seconds Age of the oldest unsealed audit row.\n"
            "# TYPE xueji_audit_unsealed_oldest_seconds gauge\n"
            "xueji_audit_unsealed_oldest_seconds %.3f\n"
            "# HELP xueji_audit_sealer_leader 1 when this process is the one that seals.\n"
            "# TYPE xueji_audit_sealer_leader gauge\nxueji_audit_sealer_leader %d\n",
            unsealed, oldest, leader);
    *out_len = b.len;
    return b.p;
}
