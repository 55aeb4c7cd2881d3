/*
 * core/import_worker.c - claim an import job and run it as its uploader
 * (see core/import_worker.h).
 */
#include "core/import_worker.h"

#include "db/import.h"
#include "db/user.h"

#include <string.h>

/* Run the claimed `job` as the account `uploader_id`. */
static int
run_as_uploader(db_conn *db, db_import *job, core_import_op_fn op_for, void *op_ctx,
                core_import_message_fn message, void *msg_ctx, app_arena *a, core_import_turn *out,
                app_err *err)
{
    db_user u;
    int found = 0;
    int rc = db_user_by_id(db, job->created_by, a, &u, &found, err);
    if (rc != 0)
        return rc;
    if (!found) {
        db_import_finish(db, job->id, "failed", "uploader_gone", err);
        out->skipped = 1;
        return 0;
    }
    core_import_uploader up = {u.id, u.role, u.org, u.staff_role, u.grade, u.nclasses, u.classes};
    core_actor actor;
    core_op op;
    op_for(op_ctx, &up, a, &actor, &op);
    op.request_id = app_arena_printf(a, "import-%lld", job->id);
    op.user_agent = "xuejid import";
    return core_import_run(db, &op, job, message, msg_ctx, err);
}

int
core_import_worker_turn(db_conn *db, int stale_seconds, core_import_op_fn op_for, void *op_ctx,
                        core_import_message_fn message, void *msg_ctx, app_arena *a,
                        core_import_turn *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    db_import job;
    int found = 0;
    int rc = db_import_claim(db, stale_seconds, a, &job, &found, err);
    if (rc != 0 || !found)
        return rc;
    out->found = 1;
    out->id = job.id;
    rc = run_as_uploader(db, &job, op_for, op_ctx, message, msg_ctx, a, out, err);
    size_t moved = job.data_len;
    db_import_release(&job);
    if (out->skipped)
        return 0;
    if (moved >= DB_LARGE_TRANSFER)
        db_conn_recycle(db); /* libpq's input buffer grew to the file's size */
    out->state = job.state;
    out->total = job.total;
    out->created = job.created;
    out->updated = job.updated;
    out->rejected = job.rejected;
    return rc;
}
