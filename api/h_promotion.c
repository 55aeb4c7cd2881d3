/*
 * api/h_promotion.c - the school calendar and promotion (学年升级):
 * GET /regions/{code}/calendar, POST /schools/{code}/promotion, POST
 * /schools/{code}/promotion/{year}/revert, and the region's job: POST
 * /regions/{code}/promotion, GET /promotion-jobs/{id}. The rules, the transaction and
 * the audit are core/calendar_op.h's and core/promotion.h's.
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "core/calendar_op.h"
#include "core/grade.h"
#include "core/promotion.h"
#include "core/promotion_job.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
date_json(int ymd)
{
    return json_sprintf("%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

static json_t *
mmdd_json(int mmdd)
{
    return json_sprintf("%02d-%02d", mmdd / 100, mmdd % 100);
}

/* A year 1990..2100 of digits (query or path): 0 when not one. */
static int
year_of(const char *s)
{
    if (s == NULL || !api_digits_only(s, 4) || strlen(s) != 4)
        return 0;
    int y = atoi(s);
    return y >= CORE_SCHOOL_YEAR_MIN && y <= CORE_SCHOOL_YEAR_MAX ? y : 0;
}

static int
school_code_ok(api_call *c)
{
    const char *code = api_param(c, "code");
    if (code == NULL || strlen(code) != 10 || !api_digits_only(code, 10)) {
        api_fail_code(c, APP_ENOTFOUND, "school_not_found", NULL);
        return 0;
    }
    return 1;
}

/* ---- GET /regions/{code}/calendar ---- */

static int
job_calendar(api_call *c, db_conn *db)
{
    int *year = c->data;
    core_op op;
    api_op(c, &op);
    core_calendar cal;
    int rc = core_calendar_get(db, &op, api_param(c, "code"), *year, &cal, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    const core_school_year *y = &cal.year;
    json_t *terms = json_pack("[{s:s,s:i,s:o,s:o},{s:s,s:i,s:o,s:o}]", "term",
                              app_arena_printf(c->arena, "%d-1", y->year), "number", 1, "start",
                              date_json(y->term1_start), "end", date_json(y->term1_end), "term",
                              app_arena_printf(c->arena, "%d-2", y->year), "number", 2, "start",
                              date_json(y->term2_start), "end", date_json(y->term2_end));
    json_t *o = json_pack("{s:s,s:i,s:b,s:o,s:o,s:o,s:o,s:o,s:o}", "region", api_param(c, "code"),
                          "year", y->year, "current", y->year == cal.current_year, "start",
                          date_json(y->start), "end", date_json(y->end), "terms", terms, "today",
                          date_json(op.today), "school_year_start", mmdd_json(cal.year_start_mmdd),
                          "second_term_start", mmdd_json(cal.term2_mmdd));
    json_object_set_new(o, "current_term",
                        cal.current_term ? json_sprintf("%d-%d", y->year, cal.current_term)
                                         : json_null());
    api_reply_json(c, 200, o);
    return 0;
}

void
h_region_calendar(api_call *c)
{
    if (!api_six_digits(api_param(c, "code"))) {
        api_fail_code(c, APP_ENOTFOUND, "region_not_found", NULL);
        return;
    }
    int *year = app_arena_alloc(c->arena, sizeof(int));
    const char *q = api_query(c, "year");
    *year = q ? year_of(q) : 0;
    if (q && *year == 0) {
        api_fail_code(c, APP_EINVAL, "invalid_year", "/year");
        return;
    }
    c->data = year;
    api_submit(c, job_calendar);
}

/* ---- POST /schools/{code}/promotion ---- */

static int year_body(api_call *c, int *out_year);

typedef struct promo_args {
    int year, dry_run;
} promo_args;

static json_t *
grades_json(const core_promotion_result *r)
{
    json_t *a = json_array();
    for (int i = 0; i < r->ngrades; i++) {
        const core_promotion_grade *g = &r->grades[i];
        json_t *o = json_pack("{s:i,s:s?,s:o,s:i,s:i,s:i,s:i}", "grade", g->grade, "grade_label",
                              core_grade_label(g->grade), "next_grade",
                              g->next > 0 ? json_integer(g->next) : json_null(), "promoted",
                              g->promoted, "graduated", g->graduated, "suspended", g->suspended,
                              "left_out", g->left_out);
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *
left_json(const core_promotion_result *r)
{
    json_t *a = json_array();
    for (int i = 0; i < r->nleft; i++) {
        const db_promotion_left *l = &r->left[i];
        json_array_append_new(a, json_pack("{s:I,s:s,s:i,s:i,s:s}", "student", (json_int_t)l->id,
                                           "name", l->name, "grade", l->grade, "class", l->class_no,
                                           "reason", l->reason));
    }
    return a;
}

/* The run's members (id, school, year, state, counts, created_at). */
static json_t *
run_json(const db_promotion *p)
{
    json_t *o = json_pack("{s:I,s:s,s:i,s:s,s:i,s:i,s:i,s:i,s:s}", "id", (json_int_t)p->id,
                          "school", p->school, "year", p->year, "state", p->state, "promoted",
                          p->promoted, "graduated", p->graduated, "suspended", p->suspended,
                          "left_out", p->left_out, "created_at", p->created_at);
    json_object_set_new(o, "reverted_at",
                        p->reverted_at && p->reverted_at[0] ? json_string(p->reverted_at)
                                                            : json_null());
    return o;
}

static int
job_promotion(api_call *c, db_conn *db)
{
    promo_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_promotion_result r;
    int rc = core_promotion_run(db, &op, api_param(c, "code"), a->year, a->dry_run, 0, &r, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    const db_promotion *p = &r.run;
    json_t *o = json_pack("{s:s,s:i,s:b,s:i,s:i,s:i,s:i,s:o,s:o}", "school", p->school, "year",
                          p->year, "dry_run", a->dry_run, "promoted", p->promoted, "graduated",
                          p->graduated, "suspended", p->suspended, "left_out", p->left_out,
                          "grades", grades_json(&r), "left_out_students", left_json(&r));
    json_object_set_new(o, "promotion", a->dry_run ? json_null() : run_json(p));
    api_reply_json(c, a->dry_run ? 200 : 201, o);
    return 0;
}

/* ?dry_run=: absent, true or false. */
static int
dry_run_of(api_call *c, int *out)
{
    const char *q = api_query(c, "dry_run");
    *out = q != NULL && strcmp(q, "true") == 0;
    if (q == NULL || strcmp(q, "true") == 0 || strcmp(q, "false") == 0)
        return 0;
    api_fail_code(c, APP_EINVAL, "invalid_parameter", "/dry_run");
    return -1;
}

void
h_school_promotion(api_call *c)
{
    if (!school_code_ok(c))
        return;
    promo_args *a = app_arena_alloc(c->arena, sizeof(*a));
    if (dry_run_of(c, &a->dry_run) != 0)
        return;
    if (year_body(c, &a->year) != 0)
        return;
    c->data = a;
    api_submit(c, job_promotion);
}

/* ---- POST /schools/{code}/promotion/{year}/revert ---- */

static int
job_promotion_revert(api_call *c, db_conn *db)
{
    int *year = c->data;
    core_op op;
    api_op(c, &op);
    db_promotion p;
    int rc = core_promotion_revert(db, &op, api_param(c, "code"), *year, &p, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_reply_json(c, 200, json_pack("{s:o}", "promotion", run_json(&p)));
    return 0;
}

void
h_school_promotion_revert(api_call *c)
{
    if (!school_code_ok(c))
        return;
    int *year = app_arena_alloc(c->arena, sizeof(int));
    if ((*year = year_of(api_param(c, "year"))) == 0) {
        api_fail_code(c, APP_ENOTFOUND, "promotion_not_found", NULL);
        return;
    }
    c->data = year;
    api_submit(c, job_promotion_revert);
}

/* ---- POST /regions/{code}/promotion, GET /promotion-jobs/{id} ---- */

static json_t *
job_json(const db_promotion_job *j)
{
    json_t *errors = json_loads(j->errors_json ? j->errors_json : "[]", 0, NULL);
    json_t *o = json_pack(
        "{s:I,s:s,s:i,s:s,s:i,s:i,s:i,s:i,s:i,s:i,s:o,s:s}", "id", (json_int_t)j->id, "region",
        j->region, "year", j->year, "state", j->state, "total", j->total, "processed", j->processed,
        "applied", j->applied, "skipped", j->skipped, "promoted", j->promoted, "graduated",
        j->graduated, "errors", errors ? errors : json_array(), "created_at", j->created_at);
    json_object_set_new(o, "started_at",
                        j->started_at && *j->started_at ? json_string(j->started_at) : json_null());
    json_object_set_new(o, "finished_at",
                        j->finished_at && *j->finished_at ? json_string(j->finished_at)
                                                          : json_null());
    return o;
}

static int
job_region_promotion(api_call *c, db_conn *db)
{
    promo_args *a = c->data;
    core_op op;
    api_op(c, &op);
    db_promotion_job j;
    int rc = core_promotion_job_create(db, &op, api_param(c, "code"), a->year, &j, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_reply_json(c, 202, job_json(&j));
    return 0;
}

/* The body {year}: 0 with *out_year, or -1 with the problem failed on the call. */
static int
year_body(api_call *c, int *out_year)
{
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach(c->json, k, v)
    {
        if (strcmp(k, "year") != 0) {
            char p[64];
            snprintf(p, sizeof(p), "/%.60s", k);
            api_fail_code(c, APP_EINVAL, "unknown_field", p);
            return -1;
        }
    }
    json_t *y = json_object_get(c->json, "year");
    if (y == NULL || !json_is_integer(y)) {
        api_fail_code(c, APP_EINVAL, y ? "wrong_type" : "missing_field", "/year");
        return -1;
    }
    json_int_t n = json_integer_value(y);
    if (n < CORE_SCHOOL_YEAR_MIN || n > CORE_SCHOOL_YEAR_MAX) {
        api_fail_code(c, APP_EINVAL, "invalid_year", "/year");
        return -1;
    }
    *out_year = (int)n;
    return 0;
}

void
h_region_promotion(api_call *c)
{
    if (!api_six_digits(api_param(c, "code"))) {
        api_fail_code(c, APP_ENOTFOUND, "region_not_found", NULL);
        return;
    }
    promo_args *a = app_arena_alloc(c->arena, sizeof(*a));
    if (year_body(c, &a->year) != 0)
        return;
    c->data = a;
    api_submit(c, job_region_promotion);
}

static int
job_promotion_job_get(api_call *c, db_conn *db)
{
    long long *id = c->data;
    core_op op;
    api_op(c, &op);
    db_promotion_job j;
    int rc = core_promotion_job_get(db, &op, *id, &j, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_reply_json(c, 200, job_json(&j));
    return 0;
}

void
h_promotion_job_get(api_call *c)
{
    const char *s = api_param(c, "id");
    if (s == NULL || !api_digits_only(s, 18)) {
        api_fail_code(c, APP_ENOTFOUND, "promotion_job_not_found", NULL);
        return;
    }
    long long *id = app_arena_alloc(c->arena, sizeof(*id));
    *id = atoll(s);
    c->data = id;
    api_submit(c, job_promotion_job_get);
}
