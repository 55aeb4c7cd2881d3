/*
 * api/h_grades.c - grades of a university's sections (core/uni_grade.h,
 * docs/decisions/0043): PUT and GET /schools/{code}/sections/{id}/grades,
 * GET /schools/{code}/uni-students/{no}/grades and a student's own GET
 * /me/grades. Handlers check the shape and call one core/ function.
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "core/uni_grade.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* {code} ten digits and {id} a positive integer, else 404. */
static int
path_ok(api_call *c, int with_id)
{
    const char *code = api_param(c, "code");
    if (code == NULL || strlen(code) != 10 || !api_digits_only(code, 10)) {
        api_fail_code(c, APP_ENOTFOUND, "school_not_found", NULL);
        return 0;
    }
    const char *id = with_id ? api_param(c, "id") : "1";
    if (id == NULL || !api_digits_only(id, 18) || atoll(id) < 1) {
        api_fail_code(c, APP_ENOTFOUND, "section_not_found", NULL);
        return 0;
    }
    return 1;
}

/* 学号: 4-20 letters or digits. */
static int
student_no_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n > 20)
        return 0;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
            return 0;
    return 1;
}

/* ?term=: NULL when absent. */
static const char *
term_param(api_call *c)
{
    const char *t = api_query(c, "term");
    return t && *t ? app_arena_strdup(c->arena, t) : NULL;
}

/* ---- JSON ---- */

static json_t *
score_json(const char *s)
{
    return s ? json_real(atof(s)) : json_null();
}

static json_t *
changes_json(const core_ugrade_list *l, long long grade)
{
    json_t *a = json_array();
    for (int k = 0; k < l->nchanges; k++) {
        const db_ugrade_change *x = &l->changes[k];
        if (x->grade != grade)
            continue;
        json_t *o = json_pack("{s:o,s:o,s:s}", "old_score", score_json(x->old_score), "new_score",
                              score_json(x->new_score), "changed_at", x->changed_at);
        json_object_set_new(o, "changed_by",
                            x->changed_by ? json_integer(x->changed_by) : json_null());
        json_object_set_new(o, "request", x->request ? json_integer(x->request) : json_null());
        json_object_set_new(o, "reason", x->reason ? json_string(x->reason) : json_null());
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *
grade_json(const core_ugrade_list *l, const db_ugrade *g)
{
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:I,s:i,s:s,s:s,s:s,s:o,s:s,s:o,s:s,s:s,s:i}", "id",
                  (json_int_t)g->id, "student", g->student_no, "term", g->term, "section",
                  (json_int_t)g->section, "section_number", g->section_number, "course_code",
                  g->course_code, "course_name", g->course_name, "kind", g->kind, "credits",
                  score_json(g->credits), "exam", g->exam, "score", score_json(g->score),
                  "posted_at", g->posted_at, "updated_at", g->updated_at, "version", g->version);
    json_object_set_new(o, "history", changes_json(l, g->id));
    return o;
}

static void
reply_list(api_call *c, const core_ugrade_list *l, int with_section)
{
    json_t *items = json_array();
    for (int i = 0; i < l->n; i++)
        json_array_append_new(items, grade_json(l, &l->grades[i]));
    json_t *o = json_pack("{s:o}", "items", items);
    if (with_section)
        json_object_set_new(o, "section",
                            json_pack("{s:I,s:s,s:s,s:i,s:s}", "id", (json_int_t)l->section.id,
                                      "term", l->section.term, "course_code",
                                      l->section.course_code, "number", l->section.number,
                                      "course_name", l->section.course_name));
    api_reply_json(c, 200, o);
}

/* ---- PUT /schools/{code}/sections/{id}/grades ---- */

typedef struct put_args {
    core_ugrade_item *items;
    int n;
} put_args;

static int
job_put(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    const put_args *a = c->data;
    int created = 0, changed = 0, unchanged = 0;
    int rc = core_uni_grade_put(db, &op, api_param(c, "code"), atoll(api_param(c, "id")), a->items,
                                a->n, &created, &changed, &unchanged, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_reply_json(
        c, 200,
        json_pack("{s:i,s:i,s:i}", "created", created, "changed", changed, "unchanged", unchanged));
    return 0;
}

static void
item_err(app_err *e, int i, const char *member, const char *code)
{
    char p[48];
    snprintf(p, sizeof(p), "/grades/%d/%s", i, member);
    app_err_add(e, p, code, NULL);
}

/* A score: a number 0..100 with one decimal at most, as text. */
static const char *
score_of(api_call *c, json_t *v, app_err *e, int i)
{
    if (v == NULL || json_is_null(v)) {
        item_err(e, i, "score", "missing_field");
        return NULL;
    }
    if (!json_is_number(v)) {
        item_err(e, i, "score", "wrong_type");
        return NULL;
    }
    double d = json_number_value(v), t = d * 10;
    if (!(d >= 0 && d <= 100) || fabs(t - round(t)) > 1e-6) {
        item_err(e, i, "score", "invalid_score");
        return NULL;
    }
    return app_arena_printf(c->arena, "%.1f", round(t) / 10);
}

static void
parse_item(api_call *c, json_t *o, int i, core_ugrade_item *it, app_err *e)
{
    if (!json_is_object(o)) {
        char p[32];
        snprintf(p, sizeof(p), "/grades/%d", i);
        app_err_add(e, p, "wrong_type", NULL);
        return;
    }
    json_t *st = json_object_get(o, "student"), *ex = json_object_get(o, "exam");
    if (st == NULL || json_is_null(st))
        item_err(e, i, "student", "missing_field");
    else if (!json_is_string(st))
        item_err(e, i, "student", "wrong_type");
    else if (!student_no_ok(json_string_value(st)))
        item_err(e, i, "student", "unknown_student_no");
    else
        it->student = app_arena_strdup(c->arena, json_string_value(st));
    it->score = score_of(c, json_object_get(o, "score"), e, i);
    it->exam = "normal";
    if (ex != NULL && !json_is_null(ex)) {
        if (!json_is_string(ex) || !core_uni_exam_valid(json_string_value(ex)))
            item_err(e, i, "exam", "invalid_value");
        else
            it->exam = app_arena_strdup(c->arena, json_string_value(ex));
    }
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (strcmp(k, "student") != 0 && strcmp(k, "score") != 0 && strcmp(k, "exam") != 0) {
            char p[96];
            snprintf(p, sizeof(p), "/grades/%d/%.40s", i, k);
            app_err_add(e, p, "unknown_field", NULL);
        }
    }
}

void
h_section_grades_put(api_call *c)
{
    if (!path_ok(c, 1))
        return;
    json_t *g = json_is_object(c->json) ? json_object_get(c->json, "grades") : NULL;
    if (!json_is_array(g)) {
        api_fail_code(c, APP_EINVAL, g ? "wrong_type" : "missing_field", "/grades");
        return;
    }
    size_t n = json_array_size(g);
    if (n > CORE_UGRADE_MAX) {
        api_fail_code(c, APP_EINVAL, "too_many_items", "/grades");
        return;
    }
    app_err e = {0};
    put_args *a = app_arena_alloc(c->arena, sizeof(*a));
    a->n = (int)n;
    a->items = app_arena_alloc(c->arena, sizeof(*a->items) * (n ? n : 1));
    memset(a->items, 0, sizeof(*a->items) * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        parse_item(c, json_array_get(g, i), (int)i, &a->items[i], &e);
    if (api_fail_items(&e) != 0) {
        api_fail(c, &e);
        return;
    }
    c->data = a;
    api_submit(c, job_put);
}

/* ---- reads ---- */

static int
job_section(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    core_ugrade_list l;
    int rc = core_uni_grade_of_section(db, &op, api_param(c, "code"), atoll(api_param(c, "id")), &l,
                                       &c->err);
    if (rc == 0)
        reply_list(c, &l, 1);
    return rc;
}

void
h_section_grades_get(api_call *c)
{
    if (path_ok(c, 1))
        api_submit(c, job_section);
}

static int
job_student(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    core_ugrade_list l;
    int rc = core_uni_grade_of_student(db, &op, api_param(c, "code"), api_param(c, "no"), c->data,
                                       &l, &c->err);
    if (rc == 0)
        reply_list(c, &l, 0);
    return api_fail_core(c, rc);
}

void
h_uni_student_grades(api_call *c)
{
    if (!path_ok(c, 0))
        return;
    c->data = (void *)term_param(c);
    api_submit(c, job_student);
}

static int
job_mine(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    core_ugrade_list l;
    int rc = core_uni_grade_mine(db, &op, c->data, &l, &c->err);
    if (rc == 0)
        reply_list(c, &l, 0);
    return api_fail_core(c, rc);
}

void
h_me_grades(api_call *c)
{
    c->data = (void *)term_param(c);
    api_submit(c, job_mine);
}
