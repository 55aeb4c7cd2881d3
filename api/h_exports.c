/*
 * api/h_exports.c - the roster (花名册) and enrollment statistics (API.md
 * "Import, export, reports"; issue #6). The files are made by core/export.c
 * and core/report.c; this file turns query strings into their inputs and
 * their results into answers.
 *
 * The roster is streamed (api_stream_begin, docs/decisions/0010): the job
 * checks the school, then core_export_open counts and audits the export and
 * writes the file's start; each later part is one core_export_next step
 * (about CORE_EXPORT_STEP_BYTES) on whichever DB worker is free, made once
 * the part before has been taken, so memory stays flat however many
 * students there are (up to core_export_max_rows). Errors found by the job
 * are problem+json answers; a step that fails aborts the transfer.
 * The report is small and sent whole.
 */
#include "api/handlers.h"
#include "api/log.h"
#include "api/registry.h"
#include "base/buf.h"
#include "base/jw.h"
#include "core/export.h"
#include "core/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static int
digits(const char *s, size_t min, size_t max)
{
    size_t n = strlen(s);
    return n >= min && n <= max && strspn(s, "0123456789") == n;
}

/* ---------------------------------------------------------------- GET /students/export */

typedef struct export_args {
    core_student_filter f;
    core_export_format fmt;
    core_export *x;  /* the export being streamed */
    long long count; /* counted (and audited) when it started */
} export_args;

static int
export_sink(void *ctx, const void *p, size_t n, app_err *err)
{
    (void)err;
    api_stream_write(ctx, p, n);
    return 0;
}

/* A part of the file: about CORE_EXPORT_STEP_BYTES (worker thread). */
static int
export_more(api_call *c, db_conn *db, int *out_last)
{
    export_args *a = c->data;
    int rc = core_export_next(a->x, db, out_last, &c->err);
    if (rc == 0 && *out_last && core_export_written(a->x) != a->count) {
        char d[96];
        snprintf(d, sizeof(d), "%lld students counted and audited, %lld written", a->count,
                 core_export_written(a->x));
        api_log(API_LOG_WARN, "roster changed while it was exported", c->request_id, d);
    }
    return rc;
}

static void
export_release(api_call *c)
{
    export_args *a = c->data;
    core_export_free(a->x);
    a->x = NULL;
}

static int
job_export(api_call *c, db_conn *db)
{
    export_args *a = c->data;
    const core_actor *ac = &c->actor;
    core_op op;
    api_op(c, &op);
    const char *target = ac->org;
    if (a->f.school != NULL) {
        /* a school outside the caller's jurisdiction is one we do not have */
        db_school sc;
        int rc = core_school_load(db, &op, a->f.school, &sc, &c->err);
        if (rc != 0)
            return rc;
        core_school_ref ref = {sc.code, sc.county, sc.authority};
        int sees = ac->level == CORE_LEVEL_SCHOOL ? strcmp(ac->org, sc.code) == 0
                                                  : core_actor_sees_school(ac, &ref);
        if (!sees) {
            app_err_field(&c->err, "/query/school");
            return app_err_set(&c->err, APP_ENOTFOUND, "school_not_found", "school outside");
        }
        target = a->f.school;
    }
    /* what the export writes now is the first part; an error before the
       job returns is still an ordinary problem+json answer */
    api_stream_begin(c, 200, a->fmt == CORE_EXPORT_CSV ? "text/csv; charset=utf-8" : XLSX_TYPE,
                     export_more, export_release);
    fmt_sink sink = {export_sink, c};
    int rc = core_export_open(db, &op, &a->f, a->fmt, target, sink, &a->x, &a->count, &c->err);
    if (rc != 0)
        return rc;
    const char *ext = a->fmt == CORE_EXPORT_CSV ? "csv" : "xlsx";
    /* 花名册-<code>.<ext> */
    char disp[200], n[24];
    snprintf(disp, sizeof(disp),
             "attachment; filename=\"roster-%s.%s\"; "
             "filename*=UTF-8''%%E8%%8A%%B1%%E5%%90%%8D%%E5%%86%%8C-%s.%s",
             target, ext, target, ext);
    snprintf(n, sizeof(n), "%lld", a->count);
    api_header(c, "content-disposition", disp);
    api_header(c, "cache-control", "no-store");
    api_header(c, "x-export-count", n);
    return 0;
}

/* A bad query parameter: answered 400 invalid_parameter at `pointer`; -1. */
static int
export_bad(api_call *c, const char *pointer)
{
    api_fail_code(c, APP_EINVAL, "invalid_parameter", pointer);
    return -1;
}

/* format= and school= (a bureau exports one school at a time). 0, or -1 answered. */
static int
export_parse_target(api_call *c, export_args *a)
{
    const char *v;
    a->fmt = CORE_EXPORT_XLSX;
    if ((v = api_query(c, "format")) != NULL) {
        if (strcmp(v, "csv") == 0)
            a->fmt = CORE_EXPORT_CSV;
        else if (strcmp(v, "xlsx") != 0)
            return export_bad(c, "/query/format");
    }
    if ((v = api_query(c, "school")) != NULL) {
        if (!digits(v, 10, 10))
            return export_bad(c, "/query/school");
        a->f.school = v;
    } else if (c->actor.level != CORE_LEVEL_SCHOOL) {
        /* a bureau exports one school at a time */
        api_fail_code(c, APP_EINVAL, "school_required", "/query/school");
        return -1;
    }
    return 0;
}

/* grade=, class= and status= (or its older name state=). 0, or -1 answered. */
static int
export_parse_place(api_call *c, export_args *a, const core_codes *codes)
{
    const char *v;
    if ((v = api_query(c, "grade")) != NULL) {
        if (!digits(v, 1, 2))
            return export_bad(c, "/query/grade");
        a->f.grade = atoi(v);
    }
    if ((v = api_query(c, "class")) != NULL) {
        if (!digits(v, 1, 2))
            return export_bad(c, "/query/class");
        a->f.class_no = atoi(v);
    }
    const char *st = api_query(c, "status");
    if (st == NULL)
        st = api_query(c, "state");
    if (st != NULL) {
        if (core_codes_label(codes, "student_state", st) == NULL)
            return export_bad(c, "/query/status");
        a->f.state = st;
    }
    return 0;
}

/* name=, left_behind= and migrant_child=. 0, or -1 answered. */
static int
export_parse_person(api_call *c, export_args *a, const core_codes *codes)
{
    const char *v;
    if ((v = api_query(c, "name")) != NULL) {
        if (!base_text_visible(v, 50))
            return export_bad(c, "/query/name");
        a->f.name_prefix = v;
    }
    if ((v = api_query(c, "left_behind")) != NULL) {
        if (core_codes_label(codes, "left_behind", v) == NULL)
            return export_bad(c, "/query/left_behind");
        a->f.left_behind = v;
    }
    if ((v = api_query(c, "migrant_child")) != NULL) {
        if (core_codes_label(codes, "yes_no", v) == NULL)
            return export_bad(c, "/query/migrant_child");
        a->f.migrant_child = v;
    }
    return 0;
}

/* reveal=id_number: registrars and bureaus, not class or grade staff. 0, or -1 answered. */
static int
export_parse_reveal(api_call *c, export_args *a)
{
    const core_actor *ac = &c->actor;
    const char *v = api_query(c, "reveal");
    if (v == NULL)
        return 0;
    if (strcmp(v, "id_number") != 0)
        return export_bad(c, "/query/reveal");
    /* as GET /students/{key}?reveal: registrars and bureaus, not class or grade staff */
    if (ac->level == CORE_LEVEL_SCHOOL && ac->staff_role != CORE_STAFF_REGISTRAR) {
        api_fail_code(c, APP_EFORBIDDEN, "forbidden", "/query/reveal");
        return -1;
    }
    a->f.reveal = 1;
    return 0;
}

void
h_students_export(api_call *c)
{
    export_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    const core_codes *codes = api_env()->codes;
    if (export_parse_target(c, a) != 0 || export_parse_place(c, a, codes) != 0 ||
        export_parse_person(c, a, codes) != 0 || export_parse_reveal(c, a) != 0)
        return;
    c->data = a;
    api_submit(c, job_export);
}

/* ---------------------------------------------------------------- GET /reports/enrollment */

typedef struct report_args {
    const char *region;
    int keys[CORE_RK_COUNT];
    int nkeys;
    int xlsx;
} report_args;

static int
job_report(api_call *c, db_conn *db)
{
    report_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_report r;
    int rc = core_report_enrollment(db, &op, a->region, a->keys, a->nkeys, &r, &c->err);
    if (rc != 0)
        return rc;
    if (a->xlsx) {
        unsigned char *x = NULL;
        size_t n = 0;
        if ((rc = core_report_xlsx(&r, &x, &n, &c->err)) != 0)
            return rc;
        api_header(c, "content-disposition",
                   "attachment; filename=\"enrollment.xlsx\"; "
                   "filename*=UTF-8''%E5%9C%A8%E7%B1%8D%E5%AD%A6%E7%94%9F%E7%BB%9F%E8%AE%A1.xlsx");
        api_reply_raw(c, 200, XLSX_TYPE, (const char *)x, n);
        free(x);
        return 0;
    }
    jw w;
    jw_init(&w, c->arena);
    jw_obj(&w);
    jw_key(&w, "group_by");
    jw_arr(&w);
    for (int j = 0; j < r.ngroups; j++) {
        const char *q = app_arena_printf(c->arena, "\"%s\"", core_report_key_name(r.keys[j]));
        jw_elem(&w);
        jw_raw(&w, q, strlen(q)); /* key names are plain ASCII words */
    }
    jw_arr_end(&w);
    jw_str(&w, "region", a->region);
    jw_str(&w, "state", "enrolled");
    jw_key(&w, "rows");
    jw_arr(&w);
    for (int i = 0; i < r.nrows; i++) {
        const core_report_row *row = &r.rows[i];
        jw_elem(&w);
        jw_obj(&w);
        for (int j = 0; j < r.ngroups; j++) {
            const char *name = core_report_key_name(r.keys[j]);
            jw_str(&w, name, row->code[j]);
            jw_str(&w, app_arena_printf(c->arena, "%s_label", name), row->label[j]);
        }
        jw_int(&w, "count", row->count);
        jw_end(&w);
    }
    jw_arr_end(&w);
    jw_int(&w, "total", r.total);
    jw_end(&w);
    size_t n = 0;
    const char *t = jw_text(&w, &n);
    api_reply_raw(c, 200, "application/json; charset=utf-8", t, n);
    return 0;
}

void
h_report_enrollment(api_call *c)
{
    report_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    const char *v;
    if ((v = api_query(c, "format")) != NULL) {
        if (strcmp(v, "xlsx") == 0)
            a->xlsx = 1;
        else if (strcmp(v, "json") != 0) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/format");
            return;
        }
    }
    if ((v = api_query(c, "region")) != NULL && *v != '\0') {
        if (!digits(v, 6, 6)) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/region");
            return;
        }
        a->region = v;
    }
    if ((v = api_query(c, "group_by")) != NULL && *v != '\0') {
        /* a comma-separated list of distinct keys of core/report.h */
        unsigned seen = 0;
        for (const char *p = v;;) {
            size_t len = strcspn(p, ",");
            int k = core_report_key(p, len);
            if (k < 0 || (seen & (1u << k)) || a->nkeys >= CORE_RK_COUNT) {
                app_err e = {0};
                app_err_set(&e, APP_EINVAL, "invalid_group_by", NULL);
                app_err_field(&e, "/query/group_by");
                /* the text says which key, when it is a plain word worth echoing */
                if (len > 0 && len <= 40 &&
                    strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") >=
                        len)
                    app_err_param(&e, app_arena_strndup(c->arena, p, len));
                api_fail(c, &e);
                return;
            }
            seen |= 1u << k;
            a->keys[a->nkeys++] = k;
            if (p[len] == '\0')
                break;
            p += len + 1;
        }
    }
    c->data = a;
    api_submit(c, job_report);
}
