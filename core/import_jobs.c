/*
 * core/import_jobs.c - import jobs: upload, status, rejected rows (see
 * core/import_jobs.h).
 */
#include "core/import_jobs.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/files.h"
#include "core/import.h"
#include "core/uni.h"
#include "core/uni_catalog_file.h"
#include "db/school.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The school's row: APP_ENOTFOUND school_not_found when there is none. */
static int
school_of(db_conn *db, const core_op *op, const char *code, db_school *out, app_err *err)
{
    int found = 0;
    int rc = db_school_get(db, code, op->arena, out, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ENOTFOUND, "school_not_found", "school %s", code);
    return rc;
}

static int
fail_at(app_err *err, app_code code, const char *slug, const char *field)
{
    if (field != NULL)
        app_err_field(err, field);
    return app_err_set(err, code, slug, NULL);
}

/* 1 if a school account of `ac`'s kind uploads and sees jobs of `mode`: a
   school's registrar those of the student template and the class file, a
   university's registrar section (教务处教务科) those of uni_students. */
static int
uploader_ok(const core_actor *ac, const char *mode)
{
    if (ac->level != CORE_LEVEL_SCHOOL || ac->student_id != 0)
        return 0;
    if (mode != NULL && (strcmp(mode, "uni_students") == 0 || core_catfile_of(mode) != NULL))
        return ac->staff_role == CORE_STAFF_REGISTRAR_SECTION;
    return ac->staff_role == CORE_STAFF_REGISTRAR;
}

/* The request's parameters and file, in the order of core/import_jobs.h;
 *out_format "xlsx" or "csv". */
static int
upload_checks(const core_op *op, const core_import_new *in, const char **out_format, app_err *err)
{
    const core_actor *ac = op->actor;
    if (!uploader_ok(ac, in->mode))
        return fail_at(err, APP_EFORBIDDEN, "forbidden", NULL);
    if (in->mode == NULL ||
        (strcmp(in->mode, "create") != 0 && strcmp(in->mode, "update") != 0 &&
         strcmp(in->mode, "classes") != 0 && strcmp(in->mode, "uni_students") != 0 &&
         core_catfile_of(in->mode) == NULL))
        return fail_at(err, APP_EINVAL, "invalid_parameter", "/query/mode");
    /* a registrar imports into its own school only */
    if (in->school != NULL && strcmp(in->school, ac->org) != 0)
        return fail_at(err, APP_EFORBIDDEN, "forbidden", "/query/school");
    if (in->atomic && strcmp(in->atomic, "true") != 0 && strcmp(in->atomic, "false") != 0)
        return fail_at(err, APP_EINVAL, "invalid_parameter", "/query/atomic");
    if (in->len == 0)
        return fail_at(err, APP_EINVAL, "import_empty", NULL);
    const unsigned char *b = in->body;
    if (in->len >= 4 && memcmp(b, "PK\x03\x04", 4) == 0)
        *out_format = "xlsx";
    else if (in->len >= 4 && memcmp(b, "\xD0\xCF\x11\xE0", 4) == 0)
        return fail_at(err, APP_EINVAL, "import_xls", NULL); /* the old binary .xls */
    else if (memchr(b, 0, in->len > 4096 ? 4096 : in->len) != NULL)
        return fail_at(err, APP_EINVAL, "import_format", NULL);
    else
        *out_format = "csv";
    return 0;
}

static const char *
upload_detail(const core_op *op, const db_import *j, size_t len)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "school", j->school);
    jw_str(&w, "mode", j->mode);
    jw_str(&w, "format", j->format);
    jw_int(&w, "size", (long long)len);
    jw_end(&w);
    return jw_text(&w, NULL);
}

/* Store the sealed upload and its audit row; *out_id the job. */
static int
store(db_conn *db, const core_op *op, db_import *job, const core_import_new *in, long long *out_id,
      int *out_existing, app_err *err)
{
    unsigned char *sealed = NULL;
    size_t sealed_len = 0;
    int rc =
        core_file_seal(op->env->ring, in->body, in->len, &sealed, &sealed_len, &job->data_key, err);
    if (rc != 0)
        return rc;
    job->data_sealed = 1;
    if ((rc = db_begin(db, err)) == 0)
        rc = db_import_insert(db, job, sealed, sealed_len, out_id, out_existing, err);
    free(sealed);
    if (rc == 0 && !*out_existing) {
        char sid[24];
        snprintf(sid, sizeof(sid), "%lld", *out_id);
        rc = core_audit(db, op, "import.upload", "import", sid, upload_detail(op, job, in->len),
                        err);
    }
    if (rc == 0)
        rc = db_commit(db, err);
    if (rc != 0)
        db_rollback(db);
    return rc;
}

int
core_import_job_create(db_conn *db, const core_op *op, const core_import_new *in, db_import *out,
                       int *out_existing, app_err *err)
{
    const core_actor *ac = op->actor;
    const char *format = NULL;
    db_school sc;
    int rc = upload_checks(op, in, &format, err);
    if (rc == 0 && (strcmp(in->mode, "uni_students") == 0 || core_catfile_of(in->mode) != NULL))
        rc = core_uni_visible(db, op, ac->org, &sc, err); /* not_a_university */
    else if (rc == 0)
        rc = school_of(db, op, ac->org, &sc, err);
    if (rc != 0)
        return rc;
    char sha[65];
    core_file_sha256_hex(in->body, in->len, sha);
    db_import job = {
        .school = ac->org,
        .mode = in->mode,
        .atomic = in->atomic && strcmp(in->atomic, "true") == 0,
        .format = format,
        .created_by = ac->user_id,
        .created_org = ac->org,
        .sha256 = sha,
        .size = (int)in->len,
    };
    long long id = 0;
    int found = 0;
    *out_existing = 0;
    if ((rc = store(db, op, &job, in, &id, out_existing, err)) != 0 ||
        (rc = db_import_get(db, id, op->arena, out, &found, err)) != 0)
        return rc;
    if (in->len >= DB_LARGE_TRANSFER)
        db_conn_recycle(db); /* libpq's output buffer grew to the file's size */
    return 0;
}

/* Job `id` if the actor sees it: the school's registrar, bureaus over the
   school; else APP_ENOTFOUND import_not_found. */
static int
load_visible(db_conn *db, const core_op *op, long long id, db_import *j, app_err *err)
{
    int found = 0;
    int rc = db_import_get(db, id, op->arena, j, &found, err);
    if (rc != 0)
        return rc;
    int sees = 0;
    if (found) {
        db_school sc;
        app_err e = {0};
        const core_actor *ac = op->actor;
        if (school_of(db, op, j->school, &sc, &e) == 0) {
            core_school_ref ref = {sc.code, sc.county, sc.authority};
            sees = ac->level == CORE_LEVEL_SCHOOL
                       ? strcmp(ac->org, sc.code) == 0 && uploader_ok(ac, j->mode)
                       : core_actor_sees_school(ac, &ref);
        }
    }
    if (!sees)
        return app_err_set(err, APP_ENOTFOUND, "import_not_found", "import %lld", id);
    return 0;
}

int
core_import_job_get(db_conn *db, const core_op *op, long long id, long long after, int limit,
                    core_import_view *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    int rc = load_visible(db, op, id, &out->job, err);
    if (rc != 0)
        return rc;
    int from = after > out->job.errors_total ? out->job.errors_total : (int)after;
    int n = 0;
    /* one extra row tells whether there is a next page */
    rc = db_import_errors_page(db, id, 0, 0, from, limit + 1, op->arena, &out->errors, &n, err);
    if (rc != 0)
        return rc;
    out->more = n > limit;
    out->nerrors = out->more ? limit : n;
    return 0;
}

/* The messages of a job's rejected rows, read from the database a page at a time. */
#define MSG_PAGE 1000
typedef struct msg_reader {
    db_conn *db;
    long long job;
    app_arena *page_arena; /* the page being read */
    db_import_error *page;
    int n, at;
    int last_row, last_seq;
} msg_reader;

static int
next_msg(void *ctx, core_import_rowmsg *out, app_err *err)
{
    msg_reader *m = ctx;
    if (m->at == m->n) {
        if (m->n > 0 && m->n < MSG_PAGE)
            return 0; /* the last page was short: no more */
        app_arena_free(m->page_arena);
        m->page_arena = app_arena_new();
        m->at = 0;
        int rc = db_import_errors_page(m->db, m->job, 1, m->last_row, m->last_seq, MSG_PAGE,
                                       m->page_arena, &m->page, &m->n, err);
        if (rc != 0)
            return rc;
        if (m->n == 0)
            return 0;
    }
    const db_import_error *e = &m->page[m->at++];
    m->last_row = e->row;
    m->last_seq = e->seq;
    out->row = e->row;
    out->message = e->message;
    return 1;
}

/* A finished job whose rows were read: one there are rejected rows of. */
static int
errors_ready(const db_import *j, app_err *err)
{
    if (strcmp(j->state, "done") != 0 && strcmp(j->state, "failed") != 0)
        return app_err_set(err, APP_ESTATE, "import_not_finished", "state %s", j->state);
    /* a file refused as a whole (broken, not the template) has no rows to give back */
    if (j->failure != NULL && strcmp(j->failure, "rows_rejected") != 0)
        return app_err_set(err, APP_ESTATE, "import_file_rejected", "failure %s", j->failure);
    return 0;
}

int
core_import_job_errors_xlsx(db_conn *db, const core_op *op, long long id, db_import *j,
                            unsigned char **out, size_t *out_len, app_err *err)
{
    *out = NULL;
    *out_len = 0;
    int rc = load_visible(db, op, id, j, err);
    if (rc == 0)
        rc = errors_ready(j, err);
    if (rc != 0)
        return rc;
    const unsigned char *data;
    size_t len = 0;
    /* opened from its sealed copy; gone after the retention period */
    if ((rc = core_import_upload(db, op->env->ring, j->id, op->arena, &data, &len, err)) != 0)
        return rc;
    if (len >= DB_LARGE_TRANSFER)
        db_conn_recycle(db); /* the file is in the arena; libpq's buffer grew to its size */
    /* the stored errors in row order, a page at a time */
    msg_reader m = {.db = db, .job = j->id};
    long rows = 0;
    int all_rows = j->atomic && j->failure != NULL;
    if (strcmp(j->mode, "classes") == 0)
        rc = core_class_file_errors_xlsx_next(j->format, data, len, next_msg, &m, all_rows, out,
                                              out_len, &rows, err);
    else if (strcmp(j->mode, "uni_students") == 0)
        rc = core_uni_file_errors_xlsx_next(j->format, data, len, next_msg, &m, all_rows, out,
                                            out_len, &rows, err);
    else if (core_catfile_of(j->mode) != NULL)
        rc = core_catfile_errors_xlsx_next(core_catfile_of(j->mode), j->format, data, len, next_msg,
                                           &m, all_rows, out, out_len, &rows, err);
    else
        rc = core_import_errors_xlsx_next(j->format, data, len, next_msg, &m, all_rows, out,
                                          out_len, &rows, err);
    app_arena_free(m.page_arena);
    if (rc != 0)
        return rc;
    /* the rows are the upload's own, ID numbers in clear: who fetched them is recorded */
    char sid[24];
    jw w;
    snprintf(sid, sizeof(sid), "%lld", j->id);
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "school", j->school);
    jw_int(&w, "rows", rows);
    jw_end(&w);
    if ((rc = core_audit(db, op, "import.errors", "import", sid, jw_text(&w, NULL), err)) != 0) {
        free(*out);
        *out = NULL;
        *out_len = 0;
    }
    return rc;
}
