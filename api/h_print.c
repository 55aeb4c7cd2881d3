/*
 * api/h_print.c - what clerks print and parents sign (issue #15): the
 * student information sheet (学生信息表) of one pupil or of a class as PDF
 * (core/infosheet.h), and the parents' confirmations that the signed sheet
 * came back, with the report per class (core/confirmation.h).
 *
 * One pupil's sheet is a page of a few dozen KB, made by the job and sent
 * whole. A class's sheets are streamed (api_stream_begin, ADR 0010): the job
 * checks the school, counts and audits, then each later part is
 * CORE_INFOSHEET_STEP pages made on whichever DB worker is free.
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "base/buf.h"
#include "base/jw.h"
#include "core/confirmation.h"
#include "core/grade.h"
#include "core/infosheet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PDF_TYPE "application/pdf"

/* ?reveal=id_number as GET /students/{key} takes it: 1 reveal, 0 not, -1 answered. */
static int
parse_reveal(api_call *c)
{
    const char *r = api_query(c, "reveal");
    if (r == NULL)
        return 0;
    if (strcmp(r, "id_number") != 0) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/reveal");
        return -1;
    }
    /* a staff member scoped to classes or a grade reads, but does not reveal */
    if (c->actor.level == CORE_LEVEL_SCHOOL && c->actor.staff_role != CORE_STAFF_REGISTRAR) {
        api_fail_code(c, APP_EFORBIDDEN, "forbidden", "/query/reveal");
        return -1;
    }
    return 1;
}

static int
school_code_ok(api_call *c, const char *code)
{
    if (code == NULL || strlen(code) != 10 || !api_digits_only(code, 10)) {
        api_fail_code(c, APP_ENOTFOUND, "school_not_found", NULL);
        return 0;
    }
    return 1;
}

static int
valid_term(const char *t)
{
    if (t == NULL || strlen(t) != 6 || t[4] != '-' || (t[5] != '1' && t[5] != '2'))
        return 0;
    return strspn(t, "0123456789") == 4;
}

/* ---------------------------------------------------------------- GET
 * /students/{key}/info-sheet.pdf */

static int
buf_sink(void *ctx, const void *p, size_t n, app_err *err)
{
    (void)err;
    base_buf_add(ctx, p, n);
    return 0;
}

static void
pdf_headers(api_call *c, const char *name)
{
    /* 学生信息表-<name>.pdf */
    char disp[200];
    snprintf(disp, sizeof(disp),
             "attachment; filename=\"info-sheet-%s.pdf\"; "
             "filename*=UTF-8''%%E5%%AD%%A6%%E7%%94%%9F%%E4%%BF%%A1%%E6%%81%%AF%%E8%%A1%%A8-%s.pdf",
             name, name);
    api_header(c, "content-disposition", disp);
    api_header(c, "cache-control", "no-store");
}

static int
job_info_sheet(api_call *c, db_conn *db)
{
    int reveal = c->data != NULL;
    core_op op;
    api_op(c, &op);
    base_buf b = {0};
    fmt_sink sink = {buf_sink, &b};
    int rc = core_infosheet_student(db, &op, api_param(c, "key"), reveal, sink, &c->err);
    if (rc == 0) {
        pdf_headers(c, api_param(c, "key"));
        api_reply_raw(c, 200, PDF_TYPE, (const char *)b.p, b.n);
    }
    base_buf_free(&b);
    return rc;
}

void
h_student_info_sheet(api_call *c)
{
    if (api_student_key(c) == NULL)
        return;
    int reveal = parse_reveal(c);
    if (reveal < 0)
        return;
    c->data = reveal ? c : NULL; /* any non-NULL: reveal */
    api_submit(c, job_info_sheet);
}

/* ---------------------------------------------------------------- GET
 * /schools/{code}/info-sheets.pdf */

typedef struct sheets_args {
    int grade, class_no, reveal;
    core_infosheets *x;
} sheets_args;

static int
stream_sink(void *ctx, const void *p, size_t n, app_err *err)
{
    (void)err;
    api_stream_write(ctx, p, n);
    return 0;
}

static int
sheets_more(api_call *c, db_conn *db, int *out_last)
{
    sheets_args *a = c->data;
    return core_infosheets_next(a->x, db, out_last, &c->err);
}

static void
sheets_release(api_call *c)
{
    sheets_args *a = c->data;
    core_infosheets_free(a->x);
    a->x = NULL;
}

static int
job_info_sheets(api_call *c, db_conn *db)
{
    sheets_args *a = c->data;
    core_op op;
    api_op(c, &op);
    const char *code = api_param(c, "code");
    api_stream_begin(c, 200, PDF_TYPE, sheets_more, sheets_release);
    fmt_sink sink = {stream_sink, c};
    long long count = 0;
    int rc = core_infosheets_open(db, &op, code, a->grade, a->class_no, a->reveal, sink, &a->x,
                                  &count, &c->err);
    if (rc != 0)
        return rc;
    char name[40], n[24];
    snprintf(name, sizeof(name), "%s-%d-%d", code, a->grade, a->class_no);
    snprintf(n, sizeof(n), "%lld", count);
    pdf_headers(c, name);
    api_header(c, "x-export-count", n);
    return 0;
}

/* A required small number query parameter within lo..hi; -1 answered. */
static int
query_int(api_call *c, const char *name, int lo, int hi)
{
    const char *v = api_query(c, name);
    char ptr[32];
    snprintf(ptr, sizeof(ptr), "/query/%s", name);
    if (v == NULL || strlen(v) == 0 || strlen(v) > 2 || strspn(v, "0123456789") != strlen(v) ||
        atoi(v) < lo || atoi(v) > hi) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", ptr);
        return -1;
    }
    return atoi(v);
}

void
h_school_info_sheets(api_call *c)
{
    if (!school_code_ok(c, api_param(c, "code")))
        return;
    sheets_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    if ((a->grade = query_int(c, "grade", 11, 33)) < 0)
        return;
    if (!core_grade_valid(a->grade)) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/grade");
        return;
    }
    if ((a->class_no = query_int(c, "class", 1, CORE_CLASS_NUMBER_MAX)) < 0 ||
        (a->reveal = parse_reveal(c)) < 0)
        return;
    c->data = a;
    api_submit(c, job_info_sheets);
}

/* ---------------------------------------------------------------- POST
 * /students/{key}/confirmations */

typedef struct confirm_args {
    core_confirmation_in in;
    long long *ids;
} confirm_args;

static void
confirmation_write(jw *w, const db_confirmation *k, int nevidence, const long long *ids)
{
    jw_obj(w);
    jw_int(w, "id", k->id);
    jw_int(w, "student", k->student_id);
    jw_str(w, "school", k->school);
    jw_str(w, "term", k->term);
    jw_str(w, "date", k->signed_on);
    jw_key(w, "evidence");
    jw_arr(w);
    for (int i = 0; i < nevidence; i++) {
        char n[24];
        snprintf(n, sizeof(n), "%lld", ids[i]);
        jw_elem(w);
        jw_raw(w, n, strlen(n));
    }
    jw_arr_end(w);
    jw_int(w, "recorded_by", k->by_user);
    jw_str(w, "recorded_at", k->created_at);
    jw_end(w);
}

static int
job_confirm(api_call *c, db_conn *db)
{
    confirm_args *a = c->data;
    core_op op;
    api_op(c, &op);
    db_confirmation k;
    int rc = core_confirmation_record(db, &op, api_param(c, "key"), &a->in, &k, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    jw w;
    jw_init(&w, c->arena);
    confirmation_write(&w, &k, a->in.nevidence, a->in.evidence);
    size_t len = 0;
    const char *body = jw_text(&w, &len);
    api_reply_raw(c, 201, "application/json", body, len);
    return 0;
}

/* Members other than term, date, evidence: unknown_field items. */
static int
confirm_unknown(api_call *c)
{
    app_err e = {0};
    const char *k;
    json_t *v;
    json_object_foreach(c->json, k, v)
    {
        if (strcmp(k, "term") != 0 && strcmp(k, "date") != 0 && strcmp(k, "evidence") != 0) {
            char p[80];
            snprintf(p, sizeof(p), "/%.70s", k);
            app_err_add(&e, p, "unknown_field", NULL);
        }
    }
    if (api_fail_items(&e) == 0)
        return 0;
    api_fail(c, &e);
    return -1;
}

void
h_confirmation_create(api_call *c)
{
    if (api_student_key(c) == NULL)
        return;
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    if (confirm_unknown(c) != 0)
        return;
    confirm_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    if ((a->in.term = api_body_string(c, "term", 1)) == NULL ||
        (a->in.signed_on = api_body_string(c, "date", 1)) == NULL)
        return;
    if (!valid_term(a->in.term)) {
        api_fail_code(c, APP_EINVAL, "invalid_term", "/term");
        return;
    }
    app_err e = {0};
    if (api_file_ids(c, json_object_get(c->json, "evidence"), "/evidence", &a->ids,
                     &a->in.nevidence, &e) != 0) {
        api_fail_items(&e);
        api_fail(c, &e);
        return;
    }
    a->in.evidence = a->ids;
    c->data = a;
    api_submit(c, job_confirm);
}

/* ---------------------------------------------------------------- GET
 * /schools/{code}/confirmations */

static void
report_write(jw *w, const char *school, const char *term, const db_confirmation_count *v, int n)
{
    long long students = 0, confirmed = 0;
    jw_obj(w);
    jw_str(w, "school", school);
    jw_str(w, "term", term);
    jw_key(w, "classes");
    jw_arr(w);
    for (int i = 0; i < n; i++) {
        jw_elem(w);
        jw_obj(w);
        jw_int(w, "grade", v[i].grade);
        const char *gl = core_grade_label(v[i].grade);
        if (gl)
            jw_str(w, "grade_label", gl);
        jw_int(w, "class", v[i].class_no);
        jw_int(w, "students", v[i].students);
        jw_int(w, "confirmed", v[i].confirmed);
        jw_int(w, "missing", v[i].students - v[i].confirmed);
        jw_end(w);
        students += v[i].students;
        confirmed += v[i].confirmed;
    }
    jw_arr_end(w);
    jw_key(w, "total");
    jw_obj(w);
    jw_int(w, "students", students);
    jw_int(w, "confirmed", confirmed);
    jw_int(w, "missing", students - confirmed);
    jw_end(w);
    jw_end(w);
}

static int
job_report(api_call *c, db_conn *db)
{
    const char *term = c->data;
    core_op op;
    api_op(c, &op);
    db_confirmation_count *v;
    int n = 0;
    const char *code = api_param(c, "code");
    int rc = core_confirmation_report(db, &op, code, term, &v, &n, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    jw w;
    jw_init(&w, c->arena);
    report_write(&w, code, term, v, n);
    size_t len = 0;
    const char *body = jw_text(&w, &len);
    api_reply_raw(c, 200, "application/json", body, len);
    return 0;
}

void
h_confirmations_report(api_call *c)
{
    if (!school_code_ok(c, api_param(c, "code")))
        return;
    const char *term = api_query(c, "term");
    if (!valid_term(term)) {
        api_fail_code(c, APP_EINVAL, "invalid_term", "/query/term");
        return;
    }
    c->data = (void *)term;
    api_submit(c, job_report);
}
