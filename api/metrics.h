/*
 * api/metrics.h - Prometheus counters: requests by route and status, latency
 * histogram by route, DB pool in use and waiting, streamed answers open and
 * ended, the audit sealer's backlog (api/sealer.h). Lock-free (relaxed atomics).
 */
#ifndef API_METRICS_H
#define API_METRICS_H

#include "base/arena.h"

#include <stddef.h>

/* Size the tables for `nroutes` routes (plus one slot for unmatched requests). */
void api_metrics_init(int nroutes);
/* route = -1 for unmatched requests. */
void api_metrics_observe(int route, int status, double seconds);
/* The text exposition, in the arena. */
char *api_metrics_render(app_arena *a, size_t *out_len);

#endif
