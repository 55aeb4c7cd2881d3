/*
 * core/import_worker.h - one turn of an import worker (docs/decisions/0009):
 * claim the oldest waiting import job (or one whose worker is gone), run it
 * as the account that uploaded it, and say how it went.
 *
 * The threads, their connections and the log belong to the caller (api/jobs.c);
 * so does the account-to-actor rule and the process's services, which the
 * caller supplies through `op_for`. The knobs core_import_batch,
 * core_import_stop and core_import_fault_crash (core/import.h) apply.
 */
#ifndef CORE_IMPORT_WORKER_H
#define CORE_IMPORT_WORKER_H

#include "base/arena.h"
#include "base/err.h"
#include "core/import.h"
#include "core/op.h"
#include "db/db.h"

/* The account a job runs as, as stored (borrowed for the call). */
typedef struct core_import_uploader {
    long long id;
    const char *role, *org, *staff_role; /* staff_role NULL if none */
    int grade;
    int nclasses;
    const long long *classes;
} core_import_uploader;

/* Fill *actor for `u` and *out (its services, arena `a`) for an operation by
   it; out->actor must point at *actor. */
typedef void (*core_import_op_fn)(void *ctx, const core_import_uploader *u, app_arena *a,
                                  core_actor *actor, core_op *out);

/* What one turn did. Strings in the caller's arena. */
typedef struct core_import_turn {
    int found;   /* 0: no job was waiting (nothing else is set) */
    int skipped; /* 1: the job's uploader is gone: it ended failed, uploader_gone, unrun */
    long long id;
    const char *state; /* done, failed or queued (handed back), when the run returned 0 */
    int total, created, updated, rejected;
} core_import_turn;

/*
 * Claim a job, waiting or running without a heartbeat for `stale_seconds`,
 * and run it (core_import_run) as its uploader, with the request id
 * "import-ID" and the user agent "xuejid import" in its audit rows; the
 * upload is freed afterwards, and the connection recycled after a large one
 * (DB_LARGE_TRANSFER). `message` words its row errors. Returns 0 with
 * *out filled, or an error: the claim's (out->found = 0) or the run's
 * (out->found = 1: the job is resumed by a later claim).
 */
int core_import_worker_turn(db_conn *db, int stale_seconds, core_import_op_fn op_for, void *op_ctx,
                            core_import_message_fn message, void *msg_ctx, app_arena *a,
                            core_import_turn *out, app_err *err);

#endif
