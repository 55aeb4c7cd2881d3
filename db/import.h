/*
 * db/import.h - import jobs (issue #6): the upload, its progress and its
 * errors, claimed by workers with SELECT ... FOR UPDATE SKIP LOCKED.
 */
#ifndef DB_IMPORT_H
#define DB_IMPORT_H

#include "db/db.h"

typedef struct db_import {
    long long id, created_by;
    const char *school, *mode, *format, *sha256, *state, *failure, *created_org;
    int atomic, size, attempts;
    int total, processed, last_row, created, updated, rejected, skipped;
    int unchanged;            /* rows that matched a record and changed nothing */
    int errors_total;         /* rows of import_error (the last one's seq) */
    int lost;                 /* times taken over from a worker that was gone */
    const char *error_counts; /* {"code": n, ...} */
    const char *created_at, *started_at, *finished_at;
    const char *upload_deleted_at; /* when the upload was deleted (retention), or NULL */
    /* The upload as stored (db_import_claim only; db_import_release): sealed
       under the data key when data_sealed (docs/decisions/0013), else in
       clear (stored before migration 012). core_import_open_upload() points
       `data` at the plaintext in data_plain. */
    const unsigned char *data;
    size_t data_len;
    int data_sealed;
    long long data_key;        /* db_import_insert: the key id of a sealed `data` */
    db_res *data_res;          /* holds `data` as stored */
    unsigned char *data_plain; /* malloc'd plaintext, wiped and freed by db_import_release */
} db_import;

/*
 * The stored upload of job `id`, read in binary: *out_data points into
 * *out_res (free with db_res_free), *out_sealed tells whether it is sealed.
 * *out_found = 0 (and *out_res NULL) when there is no such job or its upload
 * was deleted.
 */
int db_import_upload(db_conn *c, long long id, db_res **out_res, const unsigned char **out_data,
                     size_t *out_len, int *out_sealed, int *out_found, app_err *err);
/* Store a new job: `data` as stored (sealed with job->data_key when
   job->data_sealed), job->sha256 and job->size those of the plaintext. The
   same file (school, mode, atomic, sha256) already stored gives its id with
   *out_existing = 1. */
int db_import_insert(db_conn *c, const db_import *job, const unsigned char *data, size_t len,
                     long long *out_id, int *out_existing, app_err *err);
int db_import_get(db_conn *c, long long id, app_arena *a, db_import *out, int *out_found,
                  app_err *err);
/* Take the oldest queued job, or a running one whose worker has not been
   heard of for `stale_seconds` (it died; lost + 1): state running, attempts
   + 1, data loaded. *out_found = 0 when there is none. Commits by itself. */
int db_import_claim(db_conn *c, int stale_seconds, app_arena *a, db_import *out, int *out_found,
                    app_err *err);
/* Free the upload a claim loaded (and its plaintext). */
void db_import_release(db_import *job);
/* Progress of a running job, in the caller's transaction: the counters and
   errors_total as given, the errors after seq `counted` (written already)
   added to error_counts, heartbeat now. */
int db_import_progress(db_conn *c, const db_import *job, int counted, app_err *err);

/* One row error of a job (table import_error). NULL: none. */
typedef struct db_import_error {
    int seq, row;
    const char *column, *header, *field, *code, *param, *message;
} db_import_error;

/* Error `e` of job `job` as a line of COPY text into out[0..cap), like snprintf
   without the NUL: returns the line's length, written only when it is <= cap. */
size_t db_import_error_encode(char *out, size_t cap, long long job, const db_import_error *e);
/* Write errors encoded so (whole lines) in the caller's transaction. */
int db_import_errors_write(db_conn *c, const char *text, size_t len, app_err *err);
/* Up to `limit` errors of job `job` into `a` (*out_n of them): by seq after
   seq `after_seq`; or, with `by_row`, the rows' errors (row > 0) by row and
   seq after (after_row, after_seq). */
int db_import_errors_page(db_conn *c, long long job, int by_row, int after_row, int after_seq,
                          int limit, app_arena *a, db_import_error **out, int *out_n, app_err *err);
/* Hold the job's row for the caller's transaction: claims skip it (SKIP
   LOCKED), so only a worker that is gone loses its job. */
int db_import_lock(db_conn *c, long long id, app_err *err);
/* Restart an atomic job from nothing (its rows were rolled back): counters
   zero, no errors. */
int db_import_reset(db_conn *c, long long id, app_err *err);
/* End a job: state done or failed (with `failure`); or queued again (a
   worker stopping hands it back). */
int db_import_finish(db_conn *c, long long id, const char *state, const char *failure,
                     app_err *err);

/* Retention (docs/decisions/0013). The authorities of the schools that have
   finished jobs whose upload is still kept (strings in `a`). */
int db_import_kept_authorities(db_conn *c, app_arena *a, const char ***out, int *out_n,
                               app_err *err);
/* Delete the uploads of the finished jobs of `authority`'s schools that
   ended `days` or more before `now` (Unix seconds), and of its jobs refused
   as a whole; the jobs stay. Skips rows locked by others. *out_n = jobs. */
int db_import_purge(db_conn *c, const char *authority, int days, long long now, int *out_n,
                    app_err *err);

#endif
