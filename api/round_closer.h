/*
 * api/round_closer.h - the thread of xuejid that closes due selection rounds
 * (closes_at passed, still scheduled) and draws the pre-selection ones, as
 * POST .../selection-rounds/{id}/close does (core/draw.h), every
 * XUEJI_ROUND_CLOSER_MS. Every process runs it; each due round is closed
 * once, by the transaction that locks it first (FOR UPDATE SKIP LOCKED).
 */
#ifndef API_ROUND_CLOSER_H
#define API_ROUND_CLOSER_H

#include "api/config.h"

#include <time.h>

/* 0, or -1 when the thread could not start (nothing when the interval is 0). */
int api_round_closer_start(const api_config *cfg);
/* As api_ticker_stop. */
int api_round_closer_stop(const struct timespec *deadline);

#endif
