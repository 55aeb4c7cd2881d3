/*
 * api/ratelimit.h - token buckets per key ("ip:1.2.3.4", "acct:42"), in this
 * process's memory: with N xuejid processes the effective limit is N times the
 * setting (documented in --help and the README). Thread-safe.
 */
#ifndef API_RATELIMIT_H
#define API_RATELIMIT_H

/* Take one token from `key`'s bucket (rate per second, burst 2x rate).
   Returns 0 when allowed, else whole seconds until a token is available (>= 1). */
int api_ratelimit_take(const char *key, double rate);

/* Free the table (shutdown). */
void api_ratelimit_free(void);

#endif
