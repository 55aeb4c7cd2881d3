/*
 * api/jobs.h - background workers that run import jobs (issue #6). Each
 * owns a PostgreSQL connection, claims the oldest waiting job with SELECT
 * ... FOR UPDATE SKIP LOCKED (so any number of xuejid share the queue), and
 * runs it as the account that uploaded it. A job whose worker died is taken
 * over after XUEJI_IMPORT_STALE seconds without a heartbeat. The same
 * workers run region promotion jobs (core/promotion_job.h) when no import
 * waits.
 */
#ifndef API_JOBS_H
#define API_JOBS_H

#include "api/config.h"

#include <time.h>

/* Start cfg->import_workers workers (0: none). */
int api_jobs_start(const api_config *cfg);
/* Ask them to stop after their current batch, and wait until `deadline` at
   the most: 0 when all stopped, -1 when one was still busy (the caller exits;
   its batch's transaction is rolled back and the job resumes elsewhere). */
int api_jobs_stop(const struct timespec *deadline);

#endif
