/*
 * api/sealer.h - the audit sealer of xuejid (docs/decisions/0023): one
 * thread per process with its own connection that every
 * XUEJI_AUDIT_SEAL_INTERVAL_MS runs core_seal_run with the key of
 * XUEJI_AUDIT_SIGNING_KEY. Among several xuejid only the holder of the
 * sealer's session lock seals; the others keep trying, and one of them
 * takes over within an interval when the holder's connection ends. After
 * each pass the thread keeps the backlog (unsealed rows, age of the oldest)
 * for /metrics; /readyz does not look at it (lag is an alert, not an outage).
 * The same thread, in every process, then runs a change-feed positioning
 * pass (core_feed_position, docs/decisions/0024), so that events get their
 * feed positions within an interval even when nobody reads the feed.
 */
#ifndef API_SEALER_H
#define API_SEALER_H

#include "api/config.h"

#include <time.h>

/* Start the thread; logs the public key (never the seed). 0 or -1. */
int api_sealer_start(const api_config *cfg);
/* Stop it after its current pass, waiting until `deadline` at the most:
   0 when it stopped, -1 when it was still busy (the caller exits). */
int api_sealer_stop(const struct timespec *deadline);
/* The backlog after the last pass and whether this process sealed: 1, or 0
   before the first pass succeeded. */
int api_sealer_stats(long long *out_unsealed, double *out_oldest_s, int *out_leader);

#endif
