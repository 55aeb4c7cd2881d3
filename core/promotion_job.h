/*
 * core/promotion_job.h - promotion of every school of a region as a
 * background job (POST /regions/{code}/promotion, docs/decisions/0026).
 *
 * core_promotion_job_create: a bureau whose region contains `region`
 * (core_actor_sees_region; a province, city or county code) queues a job
 * over the open schools whose competent authority lies in `region` (so all
 * within the caller's jurisdiction); total counts them. A school user:
 * APP_EFORBIDDEN forbidden; a region not seen (or the ministry root):
 * APP_ENOTFOUND region_not_found. Audit row "promotion_job.create".
 *
 * core_promotion_job_get: the job, for a bureau whose region contains the
 * job's region; else APP_ENOTFOUND promotion_job_not_found.
 *
 * core_promotion_job_turn: a worker claims one job (db_promotion_job_claim)
 * and runs it to its end, school by school in code order, each through
 * core_promotion_run() (its own transaction) acting as the job's creator
 * (`op_for` builds that op); a school that refuses (promotion_done,
 * promotion_not_due, ...) is counted skipped with its code in `errors`.
 * Progress is written after every school, so a job whose worker died is
 * taken over after `stale_s` seconds and resumes after its last school.
 */
#ifndef CORE_PROMOTION_JOB_H
#define CORE_PROMOTION_JOB_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/promotion.h"

int core_promotion_job_create(db_conn *db, const core_op *op, const char *region, int year,
                              db_promotion_job *out, app_err *err);

int core_promotion_job_get(db_conn *db, const core_op *op, long long id, db_promotion_job *out,
                           app_err *err);

/* Builds the op of the job's creator (user id, role and org of `j`), with
   `actor` as its storage and `a` its arena. */
typedef void (*core_promotion_op_fn)(const db_promotion_job *j, app_arena *a, core_actor *actor,
                                     core_op *out);

/* Claim and run one job: *out_found 0 when there was none. */
int core_promotion_job_turn(db_conn *db, int stale_s, core_promotion_op_fn op_for, app_arena *a,
                            db_promotion_job *out, int *out_found, app_err *err);

#endif
