/*
 * api/h_reports.c - the FAQ's statistics (issue #15; core/report_faq.h):
 *   GET /reports/school-statistics?region=&school=&by=school|grade|class&format=json|xlsx
 *   GET /reports/non-local-students?region=&stage=primary|junior|senior&format=json|xlsx
 * As GET /reports/enrollment: JSON by default, a workbook with ?format=xlsx
 * or an Accept header that names the xlsx type.
 */
#include "api/api.h"
#include "api/handlers.h"
#include "api/registry.h"
#include "core/report_faq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

typedef struct faq_args {
    const char *region, *school;
    db_stats_depth depth;
    core_stage stage;
    int xlsx;
} faq_args;

/* ?format= / Accept and ?region=; 0, or -1 answered. */
static int
parse_common(api_call *c, faq_args *a)
{
    const char *v = api_query(c, "format");
    if (v != NULL) {
        if (strcmp(v, "xlsx") == 0)
            a->xlsx = 1;
        else if (strcmp(v, "json") != 0) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/format");
            return -1;
        }
    } else if ((v = api_req_header(c, "accept")) != NULL && strstr(v, XLSX_TYPE) != NULL) {
        a->xlsx = 1;
    }
    if ((v = api_query(c, "region")) != NULL && *v != '\0') {
        if (!api_six_digits(v)) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/region");
            return -1;
        }
        a->region = v;
    }
    return 0;
}

static void
reply_xlsx(api_call *c, unsigned char *x, size_t n, const char *disposition)
{
    api_header(c, "content-disposition", disposition);
    api_reply_raw(c, 200, XLSX_TYPE, (const char *)x, n);
    free(x);
}

/* ---------------------------------------------------------------- school statistics */

static json_t *
stats_json(const db_stats_row *r, db_stats_depth depth, const char *grade_label)
{
    json_t *o = json_object();
    if (r->school[0] != '\0') {
        json_object_set_new(o, "school", json_string(r->school));
        json_object_set_new(o, "school_name", json_string(r->school_name));
    }
    if (depth >= DB_STATS_GRADE && r->grade) {
        char g[8];
        snprintf(g, sizeof(g), "%d", r->grade);
        json_object_set_new(o, "grade", json_string(g));
        json_object_set_new(o, "grade_label", grade_label ? json_string(grade_label) : json_null());
    }
    if (depth >= DB_STATS_CLASS && r->class_no)
        json_object_set_new(o, "class", json_integer(r->class_no));
    json_t *k = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "total", (json_int_t)r->total, "male",
                          (json_int_t)r->male, "female", (json_int_t)r->female, "boarders",
                          (json_int_t)r->boarders, "left_behind", (json_int_t)r->left_behind,
                          "migrant_children", (json_int_t)r->migrant);
    json_object_update(o, k);
    json_decref(k);
    return o;
}

static int
job_school_stats(api_call *c, db_conn *db)
{
    faq_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_stats_report r;
    int rc = core_report_school_stats(db, &op, a->region, a->school, a->depth, &r, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    if (a->xlsx) {
        unsigned char *x = NULL;
        size_t n = 0;
        if ((rc = core_report_school_stats_xlsx(&r, &x, &n, &c->err)) != 0)
            return rc;
        reply_xlsx(c, x, n,
                   "attachment; filename=\"school-statistics.xlsx\"; "
                   "filename*=UTF-8''%E5%AD%A6%E6%A0%A1%E5%AD%A6%E7%94%9F%E7%BB%9F%E8%AE%A1.xlsx");
        return 0;
    }
    static const char *const by[] = {"", "school", "grade", "class"};
    json_t *rows = json_array();
    for (int i = 0; i < r.nrows; i++)
        json_array_append_new(rows, stats_json(&r.rows[i], a->depth, r.grade_label[i]));
    json_t *o = json_pack("{s:s,s:s?,s:s?,s:s,s:o,s:o}", "by", by[a->depth], "region", a->region,
                          "school", a->school, "state", "enrolled", "rows", rows, "total",
                          stats_json(&r.total, DB_STATS_SCHOOL, NULL));
    api_reply_json(c, 200, o);
    return 0;
}

void
h_report_school_stats(api_call *c)
{
    faq_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    if (parse_common(c, a) != 0)
        return;
    const char *v = api_query(c, "by");
    a->depth = DB_STATS_CLASS;
    if (v != NULL && *v != '\0') {
        a->depth = strcmp(v, "school") == 0  ? DB_STATS_SCHOOL
                   : strcmp(v, "grade") == 0 ? DB_STATS_GRADE
                   : strcmp(v, "class") == 0 ? DB_STATS_CLASS
                                             : 0;
        if (a->depth == 0) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/by");
            return;
        }
    }
    if ((v = api_query(c, "school")) != NULL && *v != '\0') {
        if (strlen(v) != 10 || !api_digits_only(v, 10)) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/school");
            return;
        }
        a->school = v;
    }
    c->data = a;
    api_submit(c, job_school_stats);
}

/* ---------------------------------------------------------------- 异地就读 */

static json_t *
nonlocal_json(const db_nonlocal_row *r)
{
    json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "total", (json_int_t)r->total, "local",
                          (json_int_t)r->local, "non_local",
                          (json_int_t)(r->other_county + r->other_city + r->other_province),
                          "other_county", (json_int_t)r->other_county, "other_city",
                          (json_int_t)r->other_city, "other_province",
                          (json_int_t)r->other_province, "unknown", (json_int_t)r->unknown);
    if (r->school[0] != '\0') {
        json_object_set_new(o, "school", json_string(r->school));
        json_object_set_new(o, "school_name", json_string(r->school_name));
        json_object_set_new(o, "county", json_string(r->county));
    }
    return o;
}

static int
job_nonlocal(api_call *c, db_conn *db)
{
    faq_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_nonlocal_report r;
    int rc = core_report_nonlocal(db, &op, a->region, a->stage, &r, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    if (a->xlsx) {
        unsigned char *x = NULL;
        size_t n = 0;
        if ((rc = core_report_nonlocal_xlsx(&r, &x, &n, &c->err)) != 0)
            return rc;
        reply_xlsx(c, x, n,
                   "attachment; filename=\"non-local-students.xlsx\"; "
                   "filename*=UTF-8''%E5%BC%82%E5%9C%B0%E5%B0%B1%E8%AF%BB.xlsx");
        return 0;
    }
    json_t *rows = json_array();
    for (int i = 0; i < r.nrows; i++)
        json_array_append_new(rows, nonlocal_json(&r.rows[i]));
    api_reply_json(c, 200,
                   json_pack("{s:s,s:s,s:s?,s:o,s:o}", "stage", core_stage_name(a->stage),
                             "stage_label", core_stage_title(a->stage), "region", a->region, "rows",
                             rows, "total", nonlocal_json(&r.total)));
    return 0;
}

void
h_report_nonlocal(api_call *c)
{
    faq_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    if (parse_common(c, a) != 0)
        return;
    const char *v = api_query(c, "stage");
    a->stage = v == NULL || *v == '\0' ? CORE_STAGE_PRIMARY : core_stage_parse(v);
    if (a->stage == 0) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/stage");
        return;
    }
    c->data = a;
    api_submit(c, job_nonlocal);
}
