/*
 * api/upkeep.h - background upkeep of stored files (docs/decisions/0013):
 * one thread per xuejid that, every XUEJI_FILES_UPKEEP seconds (and once at
 * start), seals the files still stored in clear (rows from before migration
 * 012) and deletes the import uploads past their retention period. Several
 * xuejid may run it at once: every step skips rows others hold and is
 * idempotent.
 */
#ifndef API_UPKEEP_H
#define API_UPKEEP_H

#include "api/config.h"

#include <time.h>

/* Start the thread (cfg->files_upkeep_s 0: none). */
int api_upkeep_start(const api_config *cfg);
/* Stop it after its current step, and wait until `deadline` at the most:
   0 when it stopped, -1 when it was still busy (the caller exits). */
int api_upkeep_stop(const struct timespec *deadline);

#endif
