/*
 * db/import.c - import jobs (see db/import.h).
 */
#include "db/import.h"

#include "db/files.h"
#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JOB_COLS                                                                                   \
    "id, created_by, school, mode, format, sha256, state, failure, created_org, atomic, size,"     \
    " attempts, total, processed, last_row, created, updated, rejected, skipped, "                 \
    "errors_total," DB__TS("created_at") ", " DB__TS("started_at") "," DB__TS(                     \
        "finished_at") ", error_counts::text, lost, data_key IS NOT NULL," DB__TS("upload_deleted_at") ", unchanged"

static void
fill(const db_res *r, app_arena *a, db_import *j)
{
    memset(j, 0, sizeof(*j));
    j->id = db_res_int(r, 0, 0);
    j->created_by = db_res_int(r, 0, 1);
    j->school = app_arena_strdup(a, db_res_get(r, 0, 2));
    j->mode = app_arena_strdup(a, db_res_get(r, 0, 3));
    j->format = app_arena_strdup(a, db_res_get(r, 0, 4));
    j->sha256 = app_arena_strdup(a, db_res_get(r, 0, 5));
    j->state = app_arena_strdup(a, db_res_get(r, 0, 6));
    j->failure = db__dup_or_null(a, r, 0, 7);
    j->created_org = app_arena_strdup(a, db_res_get(r, 0, 8));
    j->atomic = db_res_get(r, 0, 9)[0] == 't';
    j->size = (int)db_res_int(r, 0, 10);
    j->attempts = (int)db_res_int(r, 0, 11);
    j->total = (int)db_res_int(r, 0, 12);
    j->processed = (int)db_res_int(r, 0, 13);
    j->last_row = (int)db_res_int(r, 0, 14);
    j->created = (int)db_res_int(r, 0, 15);
    j->updated = (int)db_res_int(r, 0, 16);
    j->rejected = (int)db_res_int(r, 0, 17);
    j->skipped = (int)db_res_int(r, 0, 18);
    j->errors_total = (int)db_res_int(r, 0, 19);
    j->created_at = db__dup_or_null(a, r, 0, 20);
    j->started_at = db__dup_or_null(a, r, 0, 21);
    j->finished_at = db__dup_or_null(a, r, 0, 22);
    j->error_counts = app_arena_strdup(a, db_res_get(r, 0, 23));
    j->lost = (int)db_res_int(r, 0, 24);
    j->data_sealed = db_res_get(r, 0, 25)[0] == 't';
    j->upload_deleted_at = db__dup_or_null(a, r, 0, 26);
    j->unchanged = (int)db_res_int(r, 0, 27);
}

/* The upload travels as a binary parameter (no hex: a 50 MiB file stays 50 MiB).
   It is stored as given (sealed by the caller); the hash and size are the
   plaintext's, from the caller. */
#define SQL_INSERT                                                                                 \
    "INSERT INTO import_job (school, mode, atomic, format, sha256, size, data, data_key,"          \
    " created_by, created_org) VALUES ($1, $2, $3::boolean, $4, $5, $6, $7::bytea,"                \
    " nullif($8, '-1')::bigint, $9, $10)"                                                          \
    " ON CONFLICT (school, mode, atomic, sha256) DO NOTHING RETURNING id"
#define SQL_SAME                                                                                   \
    "SELECT id FROM import_job WHERE school = $1 AND mode = $2 AND atomic = $3::boolean"           \
    " AND sha256 = $4"

int
db_import_insert(db_conn *c, const db_import *job, const unsigned char *data, size_t len,
                 long long *out_id, int *out_existing, app_err *err)
{
    char size[24], by[24], key[24];
    snprintf(size, sizeof(size), "%d", job->size);
    snprintf(by, sizeof(by), "%lld", job->created_by);
    snprintf(key, sizeof(key), "%lld", job->data_sealed ? job->data_key : -1LL);
    const char *at = job->atomic ? "true" : "false";
    const char *p[] = {job->school, job->mode,          at,  job->format, job->sha256,
                       size,        (const char *)data, key, by,          job->created_org};
    int lens[] = {0, 0, 0, 0, 0, 0, (int)len, 0, 0, 0};
    int fmts[] = {0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    db_res *r = NULL;
    int rc = db_exec_raw(c, SQL_INSERT, 10, p, lens, fmts, 0, &r, err);
    *out_existing = 0;
    if (rc == 0 && db_res_nrows(r) == 0) {
        /* the same file again: the first job answers */
        db_res_free(r);
        r = NULL;
        const char *q[] = {job->school, job->mode, at, job->sha256};
        rc = db_exec_once(c, SQL_SAME, 4, q, &r, err);
        *out_existing = 1;
    }
    if (rc != 0)
        return rc;
    if (db_res_nrows(r) == 0) {
        db_res_free(r);
        return app_err_set(err, APP_ERETRY, NULL, "import job vanished");
    }
    *out_id = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_GET = {"import_get", "SELECT " JOB_COLS " FROM import_job WHERE id = $1"};

int
db_import_get(db_conn *c, long long id, app_arena *a, db_import *out, int *out_found, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", id);
    const char *p[] = {k};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_GET, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    if (*out_found)
        fill(r, a, out);
    db_res_free(r);
    return 0;
}

int
db_import_upload(db_conn *c, long long id, db_res **out_res, const unsigned char **out_data,
                 size_t *out_len, int *out_sealed, int *out_found, app_err *err)
{
    return db_blob_get(c, DB_BLOB_IMPORT, id, out_res, out_data, out_len, out_sealed, out_found,
                       err);
}

static const db_stmt SQL_CLAIM = {
    "import_claim",
    "UPDATE import_job SET state = 'running', attempts = attempts + 1,"
    " lost = lost + CASE WHEN state = 'running' THEN 1 ELSE 0 END,"
    " started_at = coalesce(started_at, now()), heartbeat_at = now()"
    " WHERE id = (SELECT id FROM import_job WHERE state = 'queued' OR (state = 'running'"
    " AND heartbeat_at < now() - make_interval(secs => $1::int)) ORDER BY id"
    " FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING " JOB_COLS};

int
db_import_claim(db_conn *c, int stale_seconds, app_arena *a, db_import *out, int *out_found,
                app_err *err)
{
    char s[16];
    snprintf(s, sizeof(s), "%d", stale_seconds);
    const char *p[] = {s};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CLAIM, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    if (*out_found)
        fill(r, a, out);
    db_res_free(r);
    if (!*out_found)
        return 0;
    /* the upload in binary, kept in its result until db_import_release() */
    int have = 0;
    if ((rc = db_import_upload(c, out->id, &out->data_res, &out->data, &out->data_len,
                               &out->data_sealed, &have, err)) != 0)
        return rc;
    return 0;
}

void
db_import_release(db_import *job)
{
    db_res_free(job->data_res);
    job->data_res = NULL;
    if (job->data_plain != NULL) {
        explicit_bzero(job->data_plain, job->data_len); /* the pupils' data, in clear */
        free(job->data_plain);
        job->data_plain = NULL;
    }
    job->data = NULL;
    job->data_len = 0;
}

/* The counts by code: those stored plus those of the errors after seq $10. */
static const db_stmt SQL_PROGRESS = {
    "import_progress",
    "UPDATE import_job j SET total = $2, processed = $3, last_row = $4, created = $5,"
    " updated = $6, rejected = $7, skipped = $8, errors_total = $9, error_counts ="
    " (SELECT coalesce(jsonb_object_agg(code, n), '{}') FROM (SELECT code, sum(n) AS n FROM"
    " (SELECT key AS code, value::bigint AS n FROM jsonb_each_text(j.error_counts) UNION ALL"
    " SELECT code, count(*) FROM import_error WHERE job = $1 AND seq > $10::int GROUP BY code)"
    " u GROUP BY code) s), unchanged = $11, heartbeat_at = now() WHERE id = $1"};

int
db_import_progress(db_conn *c, const db_import *j, int counted, app_err *err)
{
    char v[11][24];
    snprintf(v[0], 24, "%lld", j->id);
    snprintf(v[1], 24, "%d", j->total);
    snprintf(v[2], 24, "%d", j->processed);
    snprintf(v[3], 24, "%d", j->last_row);
    snprintf(v[4], 24, "%d", j->created);
    snprintf(v[5], 24, "%d", j->updated);
    snprintf(v[6], 24, "%d", j->rejected);
    snprintf(v[7], 24, "%d", j->skipped);
    snprintf(v[8], 24, "%d", j->errors_total);
    snprintf(v[9], 24, "%d", counted);
    snprintf(v[10], 24, "%d", j->unchanged);
    const char *p[] = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]};
    return db_exec(c, &SQL_PROGRESS, 11, p, NULL, err);
}

/* ------------------------------------------------------------ errors */

/* A COPY text field at out[n..cap): \N for NULL; backslash, tab, newline, CR
   escaped. Returns the new length, which may pass cap (nothing is written there). */
static size_t
copy_field(char *out, size_t cap, size_t n, const char *v, int first)
{
#define PUT(ch)                                                                                    \
    do {                                                                                           \
        if (n < cap)                                                                               \
            out[n] = (ch);                                                                         \
        n++;                                                                                       \
    } while (0)
    if (!first)
        PUT('\t');
    if (v == NULL) {
        PUT('\\');
        PUT('N');
        return n;
    }
    for (const char *q = v; *q; q++) {
        char ch = *q;
        if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
            PUT('\\');
            ch = ch == '\t' ? 't' : ch == '\n' ? 'n' : ch == '\r' ? 'r' : '\\';
        }
        PUT(ch);
    }
    return n;
#undef PUT
}

size_t
db_import_error_encode(char *out, size_t cap, long long job, const db_import_error *e)
{
    char k[24], seq[16], row[16];
    snprintf(k, sizeof(k), "%lld", job);
    snprintf(seq, sizeof(seq), "%d", e->seq);
    snprintf(row, sizeof(row), "%d", e->row);
    const char *f[] = {k,         seq,       row,
                       e->column, e->header, e->field,
                       e->code,   e->param,  e->message ? e->message : ""};
    size_t n = 0;
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        n = copy_field(out, cap, n, f[i], i == 0);
    if (n < cap)
        out[n] = '\n';
    return n + 1;
}

int
db_import_errors_write(db_conn *c, const char *text, size_t len, app_err *err)
{
    if (len == 0)
        return 0;
    return db_copy_in(c,
                      "COPY import_error (job, seq, row, col, header, field, code, param,"
                      " message) FROM STDIN",
                      text, len, err);
}

#define ERR_COLS "seq, row, col, header, field, code, param, message"
static const db_stmt SQL_ERRORS = {
    "import_errors", "SELECT " ERR_COLS " FROM import_error WHERE job = $1 AND seq > $2::int"
                     " ORDER BY seq LIMIT $3"};
static const db_stmt SQL_ERRORS_BY_ROW = {
    "import_errors_by_row", "SELECT " ERR_COLS " FROM import_error WHERE job = $1 AND row > 0"
                            " AND (row, seq) > ($2::int, $3::int) ORDER BY row, seq LIMIT $4"};

int
db_import_errors_page(db_conn *c, long long job, int by_row, int after_row, int after_seq,
                      int limit, app_arena *a, db_import_error **out, int *out_n, app_err *err)
{
    char v[4][24];
    snprintf(v[0], 24, "%lld", job);
    snprintf(v[1], 24, "%d", after_row);
    snprintf(v[2], 24, "%d", after_seq);
    snprintf(v[3], 24, "%d", limit);
    const char *p[] = {v[0], v[1], v[2], v[3]};
    const char *q[] = {v[0], v[2], v[3]}; /* by seq: no row */
    db_res *r = NULL;
    int rc = by_row ? db_exec(c, &SQL_ERRORS_BY_ROW, 4, p, &r, err)
                    : db_exec(c, &SQL_ERRORS, 3, q, &r, err);
    *out = NULL;
    *out_n = 0;
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_import_error *e = app_arena_alloc(a, sizeof(*e) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        e[i].seq = (int)db_res_int(r, i, 0);
        e[i].row = (int)db_res_int(r, i, 1);
        e[i].column = db__dup_or_null(a, r, i, 2);
        e[i].header = db__dup_or_null(a, r, i, 3);
        e[i].field = db__dup_or_null(a, r, i, 4);
        e[i].code = app_arena_strdup(a, db_res_get(r, i, 5));
        e[i].param = db__dup_or_null(a, r, i, 6);
        e[i].message = app_arena_strdup(a, db_res_get(r, i, 7));
    }
    db_res_free(r);
    *out = e;
    *out_n = n;
    return 0;
}

static const db_stmt SQL_LOCK = {"import_lock",
                                 "SELECT 1 FROM import_job WHERE id = $1 FOR UPDATE"};

int
db_import_lock(db_conn *c, long long id, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", id);
    const char *p[] = {k};
    return db_exec(c, &SQL_LOCK, 1, p, NULL, err);
}

static const db_stmt SQL_RESET = {
    "import_reset",
    "WITH gone AS (DELETE FROM import_error WHERE job = $1) UPDATE import_job SET total = 0,"
    " processed = 0, last_row = 0, created = 0, updated = 0, unchanged = 0, rejected = 0,"
    " skipped = 0,"
    " errors_total = 0, error_counts = '{}' WHERE id = $1"};

int
db_import_reset(db_conn *c, long long id, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", id);
    const char *p[] = {k};
    return db_exec(c, &SQL_RESET, 1, p, NULL, err);
}

/* SQL: the job's upload deleted when the job ended refused as a whole (a
   failure other than rows_rejected: GET errors.xlsx answers
   import_file_rejected, so nothing will read the file again). $2 is the
   state, $3 the failure. */
#define DROP_UNOFFERED_WHEN                                                                        \
    "$2 = 'failed' AND $3 IS DISTINCT FROM 'rows_rejected' AND data IS NOT NULL"
#define DB_IMPORT_DROP_UNOFFERED                                                                   \
    "data = CASE WHEN " DROP_UNOFFERED_WHEN " THEN NULL ELSE data END,"                            \
    " data_key = CASE WHEN " DROP_UNOFFERED_WHEN " THEN NULL ELSE data_key END,"                   \
    " upload_deleted_at = CASE WHEN " DROP_UNOFFERED_WHEN " THEN now()"                            \
    " ELSE upload_deleted_at END"

/* A job refused as a whole offers no errors file: its upload goes at once
   (docs/decisions/0013). */
static const db_stmt SQL_FINISH = {
    "import_finish", "UPDATE import_job SET state = $2, failure = $3, finished_at ="
                     " CASE WHEN $2 IN ('done', 'failed') THEN now() END, heartbeat_at = now(),"
                     " " DB_IMPORT_DROP_UNOFFERED " WHERE id = $1"};

int
db_import_finish(db_conn *c, long long id, const char *state, const char *failure, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", id);
    const char *p[] = {k, state, failure};
    return db_exec(c, &SQL_FINISH, 3, p, NULL, err);
}

/* ------------------------------------------------------------ retention */

static const db_stmt SQL_KEPT_AUTHORITIES = {
    "import_kept_authorities",
    "SELECT DISTINCT s.authority FROM import_job j JOIN school s ON s.code = j.school"
    " WHERE j.data IS NOT NULL AND j.state IN ('done', 'failed') ORDER BY 1"};

int
db_import_kept_authorities(db_conn *c, app_arena *a, const char ***out, int *out_n, app_err *err)
{
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_KEPT_AUTHORITIES, 0, NULL, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(char *) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        (*out)[i] = app_arena_strdup(a, db_res_get(r, i, 0));
    *out_n = n;
    db_res_free(r);
    return 0;
}

/* $1 authority, $2 retention days, $3 now (Unix seconds). Jobs a worker
   holds are skipped (they are running, not finished). */
static const db_stmt SQL_PURGE = {
    "import_purge",
    "UPDATE import_job SET data = NULL, data_key = NULL, upload_deleted_at = now()"
    " WHERE id IN (SELECT j.id FROM import_job j JOIN school s ON s.code = j.school"
    " WHERE s.authority = $1 AND j.data IS NOT NULL AND j.state IN ('done', 'failed')"
    " AND (j.finished_at <= to_timestamp($3::bigint) - make_interval(days => $2::int)"
    " OR (j.state = 'failed' AND j.failure IS DISTINCT FROM 'rows_rejected'))"
    " FOR UPDATE OF j SKIP LOCKED)"};

int
db_import_purge(db_conn *c, const char *authority, int days, long long now, int *out_n,
                app_err *err)
{
    char d[16], t[24];
    snprintf(d, sizeof(d), "%d", days);
    snprintf(t, sizeof(t), "%lld", now);
    const char *p[] = {authority, d, t};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_PURGE, 3, p, &r, err);
    if (rc != 0)
        return rc;
    *out_n = (int)db_res_affected(r);
    db_res_free(r);
    return 0;
}
