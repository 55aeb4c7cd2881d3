/*
 * api/h_imports.c - the import template and import jobs (API.md "Import,
 * export, reports"; issue #6). The rows are read and applied by the
 * background workers of api/jobs.c; these handlers store the upload and
 * report progress and errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/registry.h"
#include "core/files.h"
#include "core/import.h"
#include "db/import.h"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

/* ---------------------------------------------------------------- template */

void
h_template_students(api_call *c)
{
    unsigned char *x = NULL;
    size_t n = 0;
    app_err e = {0};
    if (core_template_xlsx(api_env()->codes, &x, &n, &e) != 0) {
        api_fail(c, &e);
        return;
    }
    api_header(c, "content-disposition",
               "attachment; filename=\"students-template.xlsx\"; "
               "filename*=UTF-8''%E5%AD%A6%E7%94%9F%E4%BF%A1%E6%81%AF%E5%AF%BC%E5%85%A5%E6%A8%A1"
               "%E6%9D%BF.xlsx");
    api_header(c, "x-template-version", CORE_TEMPLATE_VERSION);
    api_reply_raw(c, 200, XLSX_TYPE, (const char *)x, n);
    free(x);
}

/* ---------------------------------------------------------------- POST /imports */

typedef struct upload_args {
    db_import job;
} upload_args;

static int
job_upload(api_call *c, db_conn *db)
{
    upload_args *a = c->data;
    core_op op;
    api_op(c, &op);
    db_school sc;
    int rc = core_school_load(db, &op, a->job.school, &sc, &c->err);
    if (rc != 0)
        return rc;
    long long id = 0;
    int existing = 0;
    /* the file is stored sealed under the data key (docs/decisions/0013) */
    const unsigned char *body = (const unsigned char *)c->body;
    unsigned char *sealed = NULL;
    size_t sealed_len = 0;
    char sha[65];
    core_file_sha256_hex(body, c->body_len, sha);
    a->job.sha256 = sha;
    a->job.size = (int)c->body_len;
    if ((rc = core_file_seal(api_env()->ring, body, c->body_len, &sealed, &sealed_len,
                             &a->job.data_key, &c->err)) != 0)
        return rc;
    a->job.data_sealed = 1;
    if ((rc = db_begin(db, &c->err)) == 0)
        rc = db_import_insert(db, &a->job, sealed, sealed_len, &id, &existing, &c->err);
    free(sealed);
    if (rc != 0)
        return rc;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", id);
    if (!existing) {
        api_audit(c, db, "import.upload", "import", sid,
                  app_arena_printf(c->arena,
                                   "{\"school\":\"%s\",\"mode\":\"%s\",\"format\":\"%s\","
                                   "\"size\":%zu}",
                                   a->job.school, a->job.mode, a->job.format, c->body_len));
        if (c->err.code != APP_OK)
            return c->err.code;
    }
    if ((rc = db_commit(db, &c->err)) != 0)
        return rc;
    db_import j;
    int found = 0;
    if ((rc = db_import_get(db, id, c->arena, &j, &found, &c->err)) != 0)
        return rc;
    if (c->body_len >= DB_LARGE_TRANSFER)
        db_conn_recycle(db); /* libpq's output buffer grew to the file's size */
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/imports/%lld", id);
    api_header(c, "location", loc);
    /* the same file again answers with the first job, as it stands */
    api_reply_json(c, existing ? 200 : 202,
                   json_pack("{s:I,s:s,s:b}", "id", (json_int_t)id, "state", j.state, "existing",
                             existing));
    return 0;
}

void
h_import_create(api_call *c)
{
    const core_actor *ac = &c->actor;
    if (ac->level != CORE_LEVEL_SCHOOL || ac->staff_role != CORE_STAFF_REGISTRAR) {
        api_fail_code(c, APP_EFORBIDDEN, "forbidden", NULL);
        return;
    }
    upload_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    const char *mode = api_query(c, "mode");
    if (mode == NULL || (strcmp(mode, "create") != 0 && strcmp(mode, "update") != 0)) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter",
                      "/query/mode");
        return;
    }
    const char *school = api_query(c, "school");
    if (school != NULL && strcmp(school, ac->org) != 0) {
        /* a registrar imports into its own school only */
        api_fail_code(c, APP_EFORBIDDEN, "forbidden", "/query/school");
        return;
    }
    const char *atomic = api_query(c, "atomic");
    if (atomic && strcmp(atomic, "true") != 0 && strcmp(atomic, "false") != 0) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/atomic");
        return;
    }
    if (c->body_len == 0) {
        api_fail_code(c, APP_EINVAL, "import_empty", NULL);
        return;
    }
    const unsigned char *b = (const unsigned char *)c->body;
    const char *format;
    if (c->body_len >= 4 && memcmp(b, "PK\x03\x04", 4) == 0)
        format = "xlsx";
    else if (c->body_len >= 4 && memcmp(b, "\xD0\xCF\x11\xE0", 4) == 0) {
        /* the old binary .xls */
        api_fail_code(c, APP_EINVAL, "import_xls", NULL);
        return;
    } else if (memchr(b, 0, c->body_len > 4096 ? 4096 : c->body_len) != NULL) {
        api_fail_code(c, APP_EINVAL, "import_format", NULL);
        return;
    } else
        format = "csv";
    a->job.school = ac->org;
    a->job.mode = mode;
    a->job.atomic = atomic && strcmp(atomic, "true") == 0;
    a->job.format = format;
    a->job.created_by = ac->user_id;
    a->job.created_org = ac->org;
    c->data = a;
    api_submit(c, job_upload);
}

/* ---------------------------------------------------------------- GET /imports/{id} */

/* The job of the path's id if the caller sees it: the school's registrar,
   bureaus over the school; else 404 import_not_found. */
static int
load_visible(api_call *c, db_conn *db, db_import *j)
{
    long long id = atoll(api_param(c, "id"));
    int found = 0;
    int rc = db_import_get(db, id, c->arena, j, &found, &c->err);
    if (rc != 0)
        return rc;
    int sees = 0;
    if (found) {
        core_op op;
        api_op(c, &op);
        db_school sc;
        app_err e = {0};
        const core_actor *ac = &c->actor;
        if (core_school_load(db, &op, j->school, &sc, &e) == 0) {
            core_school_ref ref = {sc.code, sc.county, sc.authority};
            sees = ac->level == CORE_LEVEL_SCHOOL
                       ? strcmp(ac->org, sc.code) == 0 && ac->staff_role == CORE_STAFF_REGISTRAR
                       : core_actor_sees_school(ac, &ref);
        }
    }
    if (!sees)
        return app_err_set(&c->err, APP_ENOTFOUND, "import_not_found", "import %lld", id);
    return 0;
}

/* How many errors GET /imports/{id} shows; GET /imports/{id}/errors pages the rest. */
#define ERRORS_SHOWN 50

static json_t *
error_json(const db_import_error *e)
{
    json_t *o = json_pack("{s:i,s:s,s:s}", "row", e->row, "code", e->code, "message",
                          e->message);
    json_object_set_new(o, "column", e->column ? json_string(e->column) : json_null());
    json_object_set_new(o, "header", e->header ? json_string(e->header) : json_null());
    json_object_set_new(o, "field", e->field ? json_string(e->field) : json_null());
    return o;
}

/* Up to `limit` errors of job `job` after seq `after`, in the order found,
   and the cursor of the next page (JSON null: none). */
static int
errors_page(api_call *c, db_conn *db, long long job, int after, int limit, json_t **out_items,
            json_t **out_next)
{
    db_import_error *v = NULL;
    int n = 0;
    int rc = db_import_errors_page(db, job, 0, 0, after, limit + 1, c->arena, &v, &n, &c->err);
    if (rc != 0)
        return rc;
    int shown = n > limit ? limit : n;
    json_t *items = json_array();
    for (int i = 0; i < shown; i++)
        json_array_append_new(items, error_json(&v[i]));
    *out_items = items;
    *out_next = n > limit ? json_sprintf("%d", v[shown - 1].seq) : json_null();
    return 0;
}

static int
job_import_get(api_call *c, db_conn *db)
{
    db_import j;
    int rc = load_visible(c, db, &j);
    if (rc != 0)
        return rc;
    json_t *errors = NULL, *next = NULL;
    if ((rc = errors_page(c, db, j.id, 0, ERRORS_SHOWN, &errors, &next)) != 0)
        return rc;
    json_t *counts = json_loads(j.error_counts, 0, NULL);
    json_t *o = json_pack("{s:I,s:s,s:s,s:b,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:i,s:o}", "id",
                          (json_int_t)j.id, "school", j.school, "mode", j.mode, "atomic",
                          j.atomic, "format", j.format, "state", j.state, "total", j.total,
                          "processed", j.processed, "created", j.created, "updated", j.updated,
                          "rejected", j.rejected, "skipped", j.skipped, "errors", errors);
    json_object_set_new(o, "errors_total", json_integer(j.errors_total));
    json_object_set_new(o, "errors_next_cursor", next);
    json_object_set_new(o, "error_counts", counts ? counts : json_object());
    json_object_set_new(o, "failure", j.failure ? json_string(j.failure) : json_null());
    json_object_set_new(o, "created_at", json_string(j.created_at ? j.created_at : ""));
    json_object_set_new(o, "started_at", j.started_at ? json_string(j.started_at) : json_null());
    json_object_set_new(o, "finished_at", j.finished_at ? json_string(j.finished_at)
                                                        : json_null());
    json_object_set_new(o, "upload_deleted_at",
                        j.upload_deleted_at ? json_string(j.upload_deleted_at) : json_null());
    api_header(c, "cache-control", "no-store");
    api_reply_json(c, 200, o);
    return 0;
}

/* An id that cannot be a job's is a job we do not have. */
static int
valid_id(api_call *c)
{
    const char *v = api_param(c, "id");
    size_t n = v ? strlen(v) : 0;
    if (n == 0 || n > 18 || strspn(v, "0123456789") != n || atoll(v) == 0) {
        api_fail_code(c, APP_ENOTFOUND, "import_not_found", NULL);
        return 0;
    }
    return 1;
}

void
h_import_get(api_call *c)
{
    if (valid_id(c))
        api_submit(c, job_import_get);
}

/* ---------------------------------------------------------------- GET /imports/{id}/errors */

typedef struct errors_args {
    long long after;
    int limit;
} errors_args;

static int
job_import_errors_list(api_call *c, db_conn *db)
{
    errors_args *a = c->data;
    db_import j;
    int rc = load_visible(c, db, &j);
    if (rc != 0)
        return rc;
    int after = a->after > j.errors_total ? j.errors_total : (int)a->after;
    json_t *items = NULL, *next = NULL;
    if ((rc = errors_page(c, db, j.id, after, a->limit, &items, &next)) != 0)
        return rc;
    api_header(c, "cache-control", "no-store");
    api_reply_json(c, 200, json_pack("{s:o,s:o}", "items", items, "next_cursor", next));
    return 0;
}

void
h_import_errors_list(api_call *c)
{
    if (!valid_id(c))
        return;
    errors_args *a = app_arena_alloc(c->arena, sizeof(*a));
    if (api_list_limit(c, &a->limit) != 0 || api_list_after(c, "cursor", &a->after) != 0)
        return;
    c->data = a;
    api_submit(c, job_import_errors_list);
}

/* ---------------------------------------------------------------- GET /imports/{id}/errors.xlsx */

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

static int
job_import_errors(api_call *c, db_conn *db)
{
    db_import j;
    int rc = load_visible(c, db, &j);
    if (rc != 0)
        return rc;
    if (strcmp(j.state, "done") != 0 && strcmp(j.state, "failed") != 0)
        return app_err_set(&c->err, APP_ESTATE, "import_not_finished", "state %s", j.state);
    /* a file refused as a whole (broken, not the template) has no rows to give back */
    if (j.failure != NULL && strcmp(j.failure, "rows_rejected") != 0)
        return app_err_set(&c->err, APP_ESTATE, "import_file_rejected", "failure %s", j.failure);
    const unsigned char *data;
    size_t len = 0;
    /* opened from its sealed copy; gone after the retention period: 410 */
    if ((rc = core_import_upload(db, api_env()->ring, j.id, c->arena, &data, &len, &c->err)) !=
        0)
        return rc;
    if (len >= DB_LARGE_TRANSFER)
        db_conn_recycle(db); /* the file is in the arena; libpq's buffer grew to its size */
    /* the stored errors in row order, a page at a time */
    msg_reader m = {.db = db, .job = j.id};
    unsigned char *x = NULL;
    size_t xn = 0;
    long rows = 0;
    rc = core_import_errors_xlsx_next(j.format, data, len, next_msg, &m,
                                      j.atomic && j.failure != NULL, &x, &xn, &rows, &c->err);
    app_arena_free(m.page_arena);
    if (rc != 0)
        return rc;
    /* the rows are the upload's own, ID numbers in clear: who fetched them is recorded */
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", j.id);
    api_audit(c, db, "import.errors", "import", sid,
              app_arena_printf(c->arena, "{\"school\":\"%s\",\"rows\":%ld}", j.school, rows));
    if (c->err.code != APP_OK) {
        free(x);
        return c->err.code;
    }
    char disp[160];
    snprintf(disp, sizeof(disp),
             "attachment; filename=\"import-%lld-errors.xlsx\"; "
             "filename*=UTF-8''%%E5%%AF%%BC%%E5%%85%%A5%%E9%%94%%99%%E8%%AF%%AF-%lld.xlsx",
             j.id, j.id);
    api_header(c, "content-disposition", disp);
    api_header(c, "cache-control", "no-store");
    api_reply_raw(c, 200, XLSX_TYPE, (const char *)x, xn);
    free(x);
    return 0;
}

void
h_import_errors(api_call *c)
{
    if (valid_id(c))
        api_submit(c, job_import_errors);
}
