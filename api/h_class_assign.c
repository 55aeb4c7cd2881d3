/*
 * api/h_class_assign.c - class assignment and school system changes (issue
 * 15, docs/decisions/0028): GET /schools/{code}/class-assignment.xlsx (the
 * file of core/class_file.h, streamed like the roster: docs/decisions/0010)
 * and POST /schools/{code}/system-change (core/system_change.h). The file
 * comes back through POST /imports?mode=classes (api/h_imports.c).
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "core/export.h"
#include "core/grade.h"
#include "core/school.h"
#include "core/system_change.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static int
ten_digits(const char *s)
{
    return s != NULL && strlen(s) == 10 && strspn(s, "0123456789") == 10;
}

/* ---------------------------------------------------------------- the file */

typedef struct assign_args {
    core_student_filter f;
    core_export *x;
} assign_args;

static int
assign_sink(void *ctx, const void *p, size_t n, app_err *err)
{
    (void)err;
    api_stream_write(ctx, p, n);
    return 0;
}

static int
assign_more(api_call *c, db_conn *db, int *out_last)
{
    assign_args *a = c->data;
    return core_export_next(a->x, db, out_last, &c->err);
}

static void
assign_release(api_call *c)
{
    assign_args *a = c->data;
    core_export_free(a->x);
    a->x = NULL;
}

static int
job_class_assignment(api_call *c, db_conn *db)
{
    assign_args *a = c->data;
    core_op op;
    api_op(c, &op);
    db_school sc;
    /* a school outside the caller's jurisdiction is one we do not have */
    int rc = core_school_get(db, &op, a->f.school, &sc, &c->err);
    if (rc != 0)
        return rc;
    if (!core_grade_fits_school(sc.category, sc.system, a->f.grade)) {
        app_err_field(&c->err, "/query/grade");
        return app_err_set(&c->err, APP_EINVAL, "grade_not_in_school", NULL);
    }
    api_stream_begin(c, 200, XLSX_TYPE, assign_more, assign_release);
    fmt_sink sink = {assign_sink, c};
    long long count = 0;
    if ((rc = core_export_open_classes(db, &op, &a->f, sc.code, sink, &a->x, &count, &c->err)) != 0)
        return rc;
    /* 分班-<code>-<grade>.xlsx */
    char disp[200], n[24];
    snprintf(disp, sizeof(disp),
             "attachment; filename=\"class-assignment-%s-%d.xlsx\"; "
             "filename*=UTF-8''%%E5%%88%%86%%E7%%8F%%AD-%s-%d.xlsx",
             sc.code, a->f.grade, sc.code, a->f.grade);
    snprintf(n, sizeof(n), "%lld", count);
    api_header(c, "content-disposition", disp);
    api_header(c, "cache-control", "no-store");
    api_header(c, "x-export-count", n);
    return 0;
}

void
h_class_assignment_export(api_call *c)
{
    const char *code = api_param(c, "code");
    if (!ten_digits(code)) {
        api_fail_code(c, APP_ENOTFOUND, "school_not_found", NULL);
        return;
    }
    const char *g = api_query(c, "grade");
    if (g == NULL || strlen(g) != 2 || strspn(g, "0123456789") != 2 || !core_grade_valid(atoi(g))) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/grade");
        return;
    }
    assign_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    a->f.school = code;
    a->f.grade = atoi(g);
    a->f.state = "enrolled";
    c->data = a;
    api_submit(c, job_class_assignment);
}

/* ---------------------------------------------------------------- system change */

typedef struct system_args {
    const char *system;
    int year;
} system_args;

static int
job_system_change(api_call *c, db_conn *db)
{
    system_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_system_change r;
    int rc =
        core_school_system_change(db, &op, api_param(c, "code"), a->system, a->year, &r, &c->err);
    if (rc != 0)
        return rc;
    json_t *grades = json_array();
    for (int i = 0; i < r.ngrades; i++) {
        const core_system_grade *g = &r.grades[i];
        json_array_append_new(grades, json_pack("{s:s%,s:s%,s:I}", "from",
                                                app_arena_printf(c->arena, "%d", g->from), 2, "to",
                                                app_arena_printf(c->arena, "%d", g->to), 2,
                                                "students", (json_int_t)g->students));
    }
    api_reply_json(c, 200,
                   json_pack("{s:s,s:s,s:s,s:i,s:I,s:i,s:i,s:o}", "school", r.school.code, "from",
                             r.from, "to", r.school.system, "effective_year", r.effective_year,
                             "students", (json_int_t)r.students, "classes_created",
                             r.classes_created, "version", r.school.version, "grades", grades));
    return 0;
}

void
h_school_system_change(api_call *c)
{
    if (!ten_digits(api_param(c, "code"))) {
        api_fail_code(c, APP_ENOTFOUND, "school_not_found", NULL);
        return;
    }
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    app_err e = {0};
    const char *k;
    json_t *v;
    json_object_foreach(c->json, k, v)
    {
        if (strcmp(k, "system") != 0 && strcmp(k, "effective_year") != 0)
            app_err_add(&e, app_arena_printf(c->arena, "/%s", k), "unknown_field", NULL);
    }
    system_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    json_t *sys = json_object_get(c->json, "system");
    json_t *year = json_object_get(c->json, "effective_year");
    if (sys == NULL || json_is_null(sys))
        app_err_add(&e, "/system", "missing_field", NULL);
    else if (!json_is_string(sys))
        app_err_add(&e, "/system", "wrong_type", NULL);
    else
        a->system = app_arena_strdup(c->arena, json_string_value(sys));
    if (year == NULL || json_is_null(year))
        app_err_add(&e, "/effective_year", "missing_field", NULL);
    else if (!json_is_integer(year))
        app_err_add(&e, "/effective_year", "wrong_type", NULL);
    else if (json_integer_value(year) < 2000 || json_integer_value(year) > 2100)
        app_err_add(&e, "/effective_year", "invalid_effective_year", NULL);
    else
        a->year = (int)json_integer_value(year);
    if (api_fail_items(&e) != 0) {
        api_fail(c, &e);
        return;
    }
    c->data = a;
    api_submit(c, job_system_change);
}
