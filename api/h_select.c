/*
 * api/h_select.c - course selection (docs/decisions/0041): selection rounds,
 * the student's own sections and selections (/me/...), the college office's
 * leftover changes and the registrar section's preload. Handlers check the
 * shape and call one function of core/uni_select.h.
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "core/uni_select.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- shared ---- */

static const char *
path_code(api_call *c)
{
    const char *code = api_param(c, "code");
    size_t n = code ? strlen(code) : 0;
    int ok = n == 10;
    for (size_t i = 0; ok && i < n; i++)
        ok = code[i] >= '0' && code[i] <= '9';
    if (!ok) {
        api_fail_code(c, APP_ENOTFOUND, "school_not_found", NULL);
        return NULL;
    }
    return code;
}

/* A path id of digits: > 0, else 404 not_found. */
static long long
path_id(api_call *c, const char *name)
{
    const char *s = api_param(c, name);
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (s == NULL || *s == '\0' || *end != '\0' || v <= 0 || v > 999999999999LL) {
        api_fail_code(c, APP_ENOTFOUND, "not_found", NULL);
        return 0;
    }
    return v;
}

/* The student routes: a staff token gets 403 (selection is by the student
   in person, L311). */
static int
student_only(api_call *c)
{
    if (c->actor.student_id != 0)
        return 0;
    app_err e = {0};
    app_err_param(&e, "student_only");
    app_err_set(&e, APP_EFORBIDDEN, "forbidden", NULL);
    api_fail(c, &e);
    return -1;
}

/* "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" -> epoch seconds; -1 when malformed. */
static long long
rfc3339(const char *s)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (s == NULL ||
        sscanf(s, "%4d-%2d-%2d%*1[Tt ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
        n != 19)
        return -1;
    const char *p = s + 19;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om, k = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5 || oh > 23 || om > 59)
            return -1;
        off = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0' || y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59 || sec > 60)
        return -1;
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = sec};
    return (long long)timegm(&tm) - off;
}

static long long
time_member(api_call *c, app_err *e, const char *name)
{
    json_t *v = json_object_get(c->json, name);
    char p[32];
    snprintf(p, sizeof(p), "/%s", name);
    if (v == NULL || json_is_null(v)) {
        app_err_add(e, p, "missing_field", NULL);
        return 0;
    }
    long long t = json_is_string(v) ? rfc3339(json_string_value(v)) : -1;
    if (t < 0)
        app_err_add(e, p, json_is_string(v) ? "invalid_datetime" : "wrong_type", NULL);
    return t;
}

static long long
id_member(api_call *c, app_err *e, const char *name, int required)
{
    json_t *v = json_object_get(c->json, name);
    char p[32];
    snprintf(p, sizeof(p), "/%s", name);
    if (v == NULL || json_is_null(v)) {
        if (required)
            app_err_add(e, p, "missing_field", NULL);
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) <= 0) {
        app_err_add(e, p, "wrong_type", NULL);
        return 0;
    }
    return json_integer_value(v);
}

static int
body_ok(api_call *c, app_err *e)
{
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return 0;
    }
    if (api_fail_items(e) != 0) {
        api_fail(c, e);
        return 0;
    }
    return 1;
}

static json_t *
str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* ---- rounds ---- */

static json_t *
round_json(const db_sel_round *r)
{
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:i}", "id", (json_int_t)r->id, "school",
                  r->school, "term", r->term, "kind", r->kind, "opens_at", r->opens_at, "closes_at",
                  r->closes_at, "state", r->state, "open", r->open, "version", r->version);
    json_t *cohorts = r->cohorts ? json_array() : json_null();
    for (const char *p = r->cohorts; p && *p;) {
        if (*p >= '0' && *p <= '9') {
            char *end;
            json_array_append_new(cohorts, json_integer(strtol(p, &end, 10)));
            p = end;
        } else {
            p++;
        }
    }
    json_object_set_new(o, "cohorts", cohorts);
    json_object_set_new(o, "commitment", str_or_null(r->commitment));
    json_object_set_new(o, "reveal", str_or_null(r->reveal));
    json_object_set_new(o, "closed_at", str_or_null(r->closed_at));
    json_object_set_new(o, "drawn_at", str_or_null(r->drawn_at));
    return o;
}

typedef struct round_args {
    core_sel_round_new in;
    int cohorts[16];
} round_args;

static int
job_round_create(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    round_args *a = c->data;
    db_sel_round out;
    int rc = core_sel_round_create(db, &op, api_param(c, "code"), &a->in, &out, &c->err);
    if (rc == 0)
        api_reply_json(c, 201, round_json(&out));
    return rc;
}

static void
cohorts_member(api_call *c, app_err *e, round_args *a)
{
    json_t *v = json_object_get(c->json, "cohorts");
    if (v == NULL || json_is_null(v))
        return;
    if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > 16) {
        app_err_add(e, "/cohorts", json_is_array(v) ? "invalid_cohort" : "wrong_type", NULL);
        return;
    }
    size_t i;
    json_t *y;
    json_array_foreach(v, i, y)
    {
        if (!json_is_integer(y)) {
            app_err_add(e, "/cohorts", "wrong_type", NULL);
            return;
        }
        json_int_t yv = json_integer_value(y);
        a->cohorts[i] = yv < 0 || yv > 9999 ? 0 : (int)yv;
    }
    a->in.cohorts = a->cohorts;
    a->in.ncohorts = (int)json_array_size(v);
}

void
h_sel_round_create(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    app_err e = {0};
    round_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    if (json_is_object(c->json)) {
        json_t *t = json_object_get(c->json, "term"), *k = json_object_get(c->json, "kind");
        if (!json_is_string(t))
            app_err_add(&e, "/term", t ? "wrong_type" : "missing_field", NULL);
        if (!json_is_string(k))
            app_err_add(&e, "/kind", k ? "wrong_type" : "missing_field", NULL);
        a->in.term = json_string_value(t);
        a->in.kind = json_string_value(k);
        a->in.opens_at = time_member(c, &e, "opens_at");
        a->in.closes_at = time_member(c, &e, "closes_at");
        cohorts_member(c, &e, a);
    }
    if (!body_ok(c, &e))
        return;
    c->data = a;
    api_submit(c, job_round_create);
}

static int
job_rounds_list(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_sel_round *v;
    int n = 0;
    int rc =
        core_sel_round_list(db, &op, api_param(c, "code"), api_query(c, "term"), &v, &n, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, round_json(&v[i]));
    api_reply_json(c, 200, json_pack("{s:o}", "items", items));
    return 0;
}

void
h_sel_rounds_list(api_call *c)
{
    if (path_code(c) != NULL)
        api_submit(c, job_rounds_list);
}

static int
job_round_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_sel_round out;
    int rc =
        core_sel_round_get(db, &op, api_param(c, "code"), *(long long *)c->data, &out, &c->err);
    if (rc == 0)
        api_reply_json(c, 200, round_json(&out));
    return rc;
}

void
h_sel_round_get(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    long long *id = app_arena_alloc(c->arena, sizeof(*id));
    if ((*id = path_id(c, "id")) == 0)
        return;
    c->data = id;
    api_submit(c, job_round_get);
}

/* ---- the student's own ---- */

static json_t *
section_json(const db_sel_section *s)
{
    json_t *o =
        json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:i,s:s,s:i,s:i,s:i,s:b}", "id", (json_int_t)s->id,
                  "course", (json_int_t)s->course, "course_code", s->course_code, "course_name",
                  s->course_name, "course_kind", s->course_kind, "credits", s->credits, "number",
                  s->number, "term", s->term, "capacity", s->capacity, "taken", s->taken, "free",
                  s->capacity - s->taken, "exempted", s->exempted);
    json_object_set_new(o, "my_state", str_or_null(s->mystate));
    return o;
}

static int
job_me_sections(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_sel_section *v;
    db_sel_round round;
    int n = 0, found = 0;
    int rc = core_sel_my_sections(db, &op, api_query(c, "term"), &v, &n, &round, &found, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, section_json(&v[i]));
    api_reply_json(
        c, 200,
        json_pack("{s:o,s:o}", "round", found ? round_json(&round) : json_null(), "items", items));
    return 0;
}

void
h_me_sections(api_call *c)
{
    if (student_only(c) == 0)
        api_submit(c, job_me_sections);
}

static int
job_me_selections(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_sel_row *v;
    db_sel_course *m;
    int n = 0, nm = 0;
    int rc = core_sel_mine(db, &op, api_query(c, "term"), &v, &n, &m, &nm, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array(), *missing = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s}", "section",
                      (json_int_t)v[i].section, "course", (json_int_t)v[i].course, "course_code",
                      v[i].course_code, "course_name", v[i].course_name, "course_kind",
                      v[i].course_kind, "credits", v[i].credits, "number", v[i].number, "state",
                      v[i].state, "source", v[i].source, "updated_at", v[i].updated_at));
    for (int i = 0; i < nm; i++)
        json_array_append_new(missing, json_pack("{s:I,s:s,s:s,s:s}", "course", (json_int_t)m[i].id,
                                                 "course_code", m[i].code, "course_name", m[i].name,
                                                 "course_kind", m[i].kind));
    api_reply_json(c, 200,
                   json_pack("{s:s,s:o,s:o}", "term", api_query(c, "term"), "items", items,
                             "missing", missing));
    return 0;
}

void
h_me_selections(api_call *c)
{
    if (student_only(c) == 0)
        api_submit(c, job_me_selections);
}

typedef struct sel_args {
    long long section, replaces;
} sel_args;

static int
job_me_select(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    const sel_args *a = c->data;
    const char *state = NULL;
    int created = 0;
    int rc = core_sel_add(db, &op, a->section, a->replaces, &state, &created, &c->err);
    if (rc == 0)
        api_reply_json(c, created ? 201 : 200,
                       json_pack("{s:I,s:I,s:s}", "student", (json_int_t)c->actor.student_id,
                                 "section", (json_int_t)a->section, "state", state ? state : ""));
    return rc;
}

static sel_args *
sel_body(api_call *c)
{
    app_err e = {0};
    sel_args *a = app_arena_alloc(c->arena, sizeof(*a));
    if (json_is_object(c->json)) {
        a->section = id_member(c, &e, "section", 1);
        a->replaces = id_member(c, &e, "replaces", 0);
    }
    return body_ok(c, &e) ? a : NULL;
}

void
h_me_selection_add(api_call *c)
{
    if (student_only(c) != 0 || (c->data = sel_body(c)) == NULL)
        return;
    api_submit(c, job_me_select);
}

static int
job_me_drop(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    long long section = *(long long *)c->data;
    const char *state = NULL;
    int rc = core_sel_drop(db, &op, section, &state, &c->err);
    if (rc == 0)
        api_reply_json(c, 200,
                       json_pack("{s:I,s:I,s:s}", "student", (json_int_t)c->actor.student_id,
                                 "section", (json_int_t)section, "state", state ? state : ""));
    return rc;
}

void
h_me_selection_drop(api_call *c)
{
    if (student_only(c) != 0)
        return;
    long long *id = app_arena_alloc(c->arena, sizeof(*id));
    if ((*id = path_id(c, "section")) == 0)
        return;
    c->data = id;
    api_submit(c, job_me_drop);
}

/* ---- the offices ---- */

static int
job_office_select(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    const sel_args *a = c->data;
    int created = 0;
    int rc = core_sel_office_add(db, &op, api_param(c, "code"), api_param(c, "no"), a->section,
                                 a->replaces, &created, &c->err);
    if (rc == 0)
        api_reply_json(c, created ? 201 : 200,
                       json_pack("{s:s,s:I,s:s,s:s}", "student_no", api_param(c, "no"), "section",
                                 (json_int_t)a->section, "state", "selected", "source", "office"));
    return rc;
}

void
h_uni_student_selection_add(api_call *c)
{
    if (path_code(c) == NULL || (c->data = sel_body(c)) == NULL)
        return;
    api_submit(c, job_office_select);
}

static int
job_preload(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    long long id = *(long long *)c->data;
    core_sel_preload_counts n = {0};
    int rc = core_sel_preload(db, &op, api_param(c, "code"), id, &n, &c->err);
    if (rc == 0)
        api_reply_json(c, 200,
                       json_pack("{s:I,s:i,s:i,s:i}", "section", (json_int_t)id, "preloaded",
                                 n.preloaded, "already", n.already, "no_seat", n.no_seat));
    return rc;
}

void
h_section_preload(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    long long *id = app_arena_alloc(c->arena, sizeof(*id));
    if ((*id = path_id(c, "id")) == 0)
        return;
    c->data = id;
    api_submit(c, job_preload);
}
