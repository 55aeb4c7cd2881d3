/*
 * core/import_jobs.h - import jobs as callers see them (API.md "Import,
 * export, reports"; issue #6): the upload that creates a job, its status with
 * a page of its errors, and the file of its rejected rows. The rows are read
 * and applied later by core_import_run() (core/import.h) on the background
 * workers.
 *
 * Who: a school's registrar uploads into its own school only (mode
 * uni_students: a university's registrar section, 教务处教务科); a job is seen
 * by that uploader's office and by the bureaus over the school (core_actor_sees_school);
 * to anyone else it is APP_ENOTFOUND import_not_found, whether or not it
 * exists.
 *
 * The rows are db/import.h's db_import and db_import_error, handed back
 * through this header; strings in op->arena. Called with no transaction
 * open. Errors besides those listed: APP_EUNAVAIL, APP_ERETRY, APP_EINTERNAL.
 */
#ifndef CORE_IMPORT_JOBS_H
#define CORE_IMPORT_JOBS_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/import.h"

#include <stddef.h>

/* An upload as the request gives it: the query members as sent (NULL: absent). */
typedef struct core_import_new {
    const char *mode;   /* "create", "update", "classes" (core/class_file.h) or
                           "uni_students" (core/uni_file.h) */
    const char *school; /* must be the registrar's own school when given */
    const char *atomic; /* "true" or "false" */
    const unsigned char *body;
    size_t len;
} core_import_new;

/*
 * Store an upload as a new job (sealed under the data key,
 * docs/decisions/0013). Errors in order: APP_EFORBIDDEN forbidden (not a
 * school's registrar; for uni_students not a university's registrar
 * section); APP_EINVAL invalid_parameter /query/mode;
 * APP_EFORBIDDEN forbidden /query/school (another school); APP_EINVAL
 * invalid_parameter /query/atomic, import_empty, import_xls (the old binary
 * .xls), import_format (binary, not .xlsx); APP_ENOTFOUND school_not_found
 * (uni_students: not_a_university).
 * The same file uploaded again by the school answers its first job with
 * *out_existing = 1 and no audit row; else the job is committed with audit row
 * "import.upload". *out is the job as stored.
 */
int core_import_job_create(db_conn *db, const core_op *op, const core_import_new *in,
                           db_import *out, int *out_existing, app_err *err);

/* A job and one page of its errors. */
typedef struct core_import_view {
    db_import job;
    db_import_error *errors; /* in the order found */
    int nerrors;
    int more; /* 1 when errors follow the last of the page */
} core_import_view;

/*
 * Job `id` if the actor sees it, with up to `limit` of its errors after seq
 * `after` (clipped to the job's count). APP_ENOTFOUND import_not_found.
 */
int core_import_job_get(db_conn *db, const core_op *op, long long id, long long after, int limit,
                        core_import_view *out, app_err *err);

/*
 * The rejected rows of job `id`, ready to fix and upload again, as an .xlsx
 * file (malloc'd into *out; free() it), and the job in *out_job.
 * APP_ENOTFOUND import_not_found; APP_ESTATE import_not_finished (still
 * queued or running), import_file_rejected (refused as a whole: no rows to
 * give back); APP_ESTATE import_upload_deleted (retention, 410). The rows hold ID
 * numbers in clear: who fetched them is recorded (audit row "import.errors").
 */
int core_import_job_errors_xlsx(db_conn *db, const core_op *op, long long id, db_import *out_job,
                                unsigned char **out, size_t *out_len, app_err *err);

#endif
