/*
 * api/h_imports.c - the import template and import jobs (API.md "Import,
 * export, reports"; issue #6). The rows are read and applied by the
 * background workers of api/jobs.c; these handlers pass the upload and the
 * reads of progress and errors to core/import_jobs.h and answer.
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "core/import.h"
#include "core/import_jobs.h"
#include "core/uni_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* GET /templates/uni-students.xlsx: the university student file, empty
   (core/uni_file.h), for POST /imports?mode=uni_students. */
void
h_template_uni_students(api_call *c)
{
    unsigned char *x = NULL;
    size_t n = 0;
    app_err e = {0};
    if (core_uni_file_xlsx(api_env()->codes, &x, &n, &e) != 0) {
        api_fail(c, &e);
        return;
    }
    /* 大学生信息导入模板.xlsx */
    api_header(c, "content-disposition",
               "attachment; filename=\"uni-students-template.xlsx\"; "
               "filename*=UTF-8''%E5%A4%A7%E5%AD%A6%E7%94%9F%E4%BF%A1%E6%81%AF%E5%AF%BC%E5%85%A5"
               "%E6%A8%A1%E6%9D%BF.xlsx");
    api_header(c, "x-template-version", CORE_UNI_FILE_VERSION);
    api_reply_raw(c, 200, XLSX_TYPE, (const char *)x, n);
    free(x);
}

/* ---------------------------------------------------------------- POST /imports */

static int
job_upload(api_call *c, db_conn *db)
{
    core_import_new *in = c->data;
    core_op op;
    api_op(c, &op);
    in->body = (const unsigned char *)c->body;
    in->len = c->body_len;
    db_import j;
    int existing = 0;
    int rc = core_import_job_create(db, &op, in, &j, &existing, &c->err);
    if (rc != 0)
        return rc;
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/imports/%lld", j.id);
    api_header(c, "location", loc);
    /* the same file again answers with the first job, as it stands */
    api_reply_json(
        c, existing ? 200 : 202,
        json_pack("{s:I,s:s,s:b}", "id", (json_int_t)j.id, "state", j.state, "existing", existing));
    return 0;
}

void
h_import_create(api_call *c)
{
    core_import_new *in = app_arena_alloc(c->arena, sizeof(*in));
    memset(in, 0, sizeof(*in));
    in->mode = api_query(c, "mode");
    in->school = api_query(c, "school");
    in->atomic = api_query(c, "atomic");
    c->data = in;
    api_submit(c, job_upload);
}

/* ---------------------------------------------------------------- GET /imports/{id} */

/* How many errors GET /imports/{id} shows; GET /imports/{id}/errors pages the rest. */
#define ERRORS_SHOWN 50

static json_t *
error_json(const db_import_error *e)
{
    json_t *o = json_pack("{s:i,s:s,s:s}", "row", e->row, "code", e->code, "message", e->message);
    json_object_set_new(o, "column", e->column ? json_string(e->column) : json_null());
    json_object_set_new(o, "header", e->header ? json_string(e->header) : json_null());
    json_object_set_new(o, "field", e->field ? json_string(e->field) : json_null());
    return o;
}

/* The errors of a view and the cursor of the next page (JSON null: none). */
static json_t *
errors_json(const core_import_view *v, json_t **out_next)
{
    json_t *items = json_array();
    for (int i = 0; i < v->nerrors; i++)
        json_array_append_new(items, error_json(&v->errors[i]));
    *out_next = v->more ? json_sprintf("%d", v->errors[v->nerrors - 1].seq) : json_null();
    return items;
}

static int
job_import_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    core_import_view view;
    int rc =
        core_import_job_get(db, &op, atoll(api_param(c, "id")), 0, ERRORS_SHOWN, &view, &c->err);
    if (rc != 0)
        return rc;
    const db_import j = view.job;
    json_t *next = NULL, *errors = errors_json(&view, &next);
    json_t *counts = json_loads(j.error_counts, 0, NULL);
    json_t *o = json_pack("{s:I,s:s,s:s,s:b,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:i,s:o}", "id",
                          (json_int_t)j.id, "school", j.school, "mode", j.mode, "atomic", j.atomic,
                          "format", j.format, "state", j.state, "total", j.total, "processed",
                          j.processed, "created", j.created, "updated", j.updated, "rejected",
                          j.rejected, "skipped", j.skipped, "errors", errors);
    json_object_set_new(o, "unchanged", json_integer(j.unchanged));
    json_object_set_new(o, "errors_total", json_integer(j.errors_total));
    json_object_set_new(o, "errors_next_cursor", next);
    json_object_set_new(o, "error_counts", counts ? counts : json_object());
    json_object_set_new(o, "failure", j.failure ? json_string(j.failure) : json_null());
    json_object_set_new(o, "created_at", json_string(j.created_at ? j.created_at : ""));
    json_object_set_new(o, "started_at", j.started_at ? json_string(j.started_at) : json_null());
    json_object_set_new(o, "finished_at", j.finished_at ? json_string(j.finished_at) : json_null());
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
    core_op op;
    api_op(c, &op);
    core_import_view view;
    int rc =
        core_import_job_get(db, &op, atoll(api_param(c, "id")), a->after, a->limit, &view, &c->err);
    if (rc != 0)
        return rc;
    json_t *next = NULL, *items = errors_json(&view, &next);
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

static int
job_import_errors(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_import j;
    unsigned char *x = NULL;
    size_t xn = 0;
    int rc = core_import_job_errors_xlsx(db, &op, atoll(api_param(c, "id")), &j, &x, &xn, &c->err);
    if (rc != 0)
        return rc;
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
