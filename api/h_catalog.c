/*
 * api/h_catalog.c - a university's catalog (课程), teaching plans (培养方案)
 * and sections (教学班) (issue 17, docs/decisions/0039). Handlers check the
 * shape and call one core/ function (core/uni_catalog.h).
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "core/record.h"
#include "core/uni_catalog.h"
#include "core/uni_catalog_file.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared ---- */

/* The {code} of the path: ten digits, else 404 school_not_found. */
static int
path_code(api_call *c)
{
    const char *code = api_param(c, "code");
    if (code == NULL || !api_digits_only(code, 10) || strlen(code) != 10) {
        api_fail_code(c, APP_ENOTFOUND, "school_not_found", NULL);
        return -1;
    }
    return 0;
}

static int
body_object(api_call *c)
{
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return -1;
    }
    return 0;
}

/* Members other than `allowed` (and `ignored`, read-only ones echoed back)
   are unknown_field items. */
static void
check_members(api_call *c, app_err *e, const char *const *allowed, const char *const *ignored)
{
    const char *k;
    json_t *v;
    json_object_foreach(c->json, k, v)
    {
        int ok = 0;
        for (int i = 0; !ok && allowed[i]; i++)
            ok = strcmp(k, allowed[i]) == 0;
        for (int i = 0; !ok && ignored[i]; i++)
            ok = strcmp(k, ignored[i]) == 0;
        if (!ok)
            app_err_add(e, app_arena_printf(c->arena, "/%s", k), "unknown_field", NULL);
    }
}

/* A string member: NULL when absent or null (missing_field when required);
   wrong_type when not a string. */
static const char *
str_member(api_call *c, app_err *e, const char *name, int required)
{
    json_t *v = json_object_get(c->json, name);
    if (v == NULL || json_is_null(v)) {
        if (required)
            app_err_add(e, app_arena_printf(c->arena, "/%s", name), "missing_field", NULL);
        return NULL;
    }
    if (!json_is_string(v)) {
        app_err_add(e, app_arena_printf(c->arena, "/%s", name), "wrong_type", NULL);
        return NULL;
    }
    return json_string_value(v);
}

/* An integer member: `absent` when absent or null (missing_field when
   required); wrong_type when not an integer; `bad` when out of int. */
static int
int_member(api_call *c, app_err *e, const char *name, int required, int absent, int bad)
{
    json_t *v = json_object_get(c->json, name);
    if (v == NULL || json_is_null(v)) {
        if (required)
            app_err_add(e, app_arena_printf(c->arena, "/%s", name), "missing_field", NULL);
        return absent;
    }
    if (!json_is_integer(v)) {
        app_err_add(e, app_arena_printf(c->arena, "/%s", name), "wrong_type", NULL);
        return absent;
    }
    json_int_t n = json_integer_value(v);
    return n < -1000000 || n > 1000000 ? bad : (int)n;
}

/* Credits (a number, at most one decimal) as tenths: -1 when absent, 0
   (invalid_credits in core) when not a valid amount. */
static int
credits_member(api_call *c, app_err *e, int required)
{
    json_t *v = json_object_get(c->json, "credits");
    if (v == NULL || json_is_null(v)) {
        if (required)
            app_err_add(e, "/credits", "missing_field", NULL);
        return -1;
    }
    if (!json_is_number(v)) {
        app_err_add(e, "/credits", "wrong_type", NULL);
        return -1;
    }
    double t = json_number_value(v) * 10;
    if (!(t >= 1 && t <= 300) || fabs(t - round(t)) > 1e-6)
        return 0;
    return (int)round(t);
}

/* A query parameter as given, NULL when absent or empty. */
static const char *
query_text(api_call *c, const char *name)
{
    const char *s = api_query(c, name);
    return s && *s ? s : NULL;
}

static int
submit_body(api_call *c, app_err *e, void *data, api_job_fn fn)
{
    if (api_fail_items(e) != 0) {
        api_fail(c, e);
        return -1;
    }
    c->data = data;
    api_submit(c, fn);
    return 0;
}

static json_t *
credits_json(int tenths)
{
    return json_real(tenths / 10.0);
}

/* ---- courses ---- */

static const char *
kind_label(const char *kind)
{
    const char *l = core_codes_label(api_env()->codes, "uni_course_kind", kind);
    return l ? l : "";
}

static json_t *
course_json(const db_uni_course *k)
{
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)k->id, "school", k->school, "code",
                  k->code, "name", k->name, "kind", k->kind, "kind_label", kind_label(k->kind));
    json_object_set_new(o, "credits", credits_json(k->credits10));
    json_object_set_new(o, "hours", json_integer(k->hours));
    json_object_set_new(o, "college", json_string(k->college_code ? k->college_code : ""));
    json_object_set_new(o, "college_id", json_integer(k->college));
    json_object_set_new(o, "version", json_integer(k->version));
    return o;
}

typedef struct list_query {
    const char *college, *kind, *term, *course;
    long long after;
    int limit;
} list_query;

static int
job_courses_list(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    const list_query *q = c->data;
    db_uni_course *v;
    int n = 0;
    int rc = core_uni_course_list(db, &op, api_param(c, "code"), q->college, q->kind, q->after,
                                  q->limit + 1, &v, &n, &c->err);
    if (rc != 0)
        return rc;
    int more = n > q->limit;
    if (more)
        n = q->limit;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, course_json(&v[i]));
    json_t *o = json_pack("{s:o}", "items", items);
    json_object_set_new(o, "next_cursor", more ? json_sprintf("%lld", v[n - 1].id) : json_null());
    api_reply_json(c, 200, o);
    return 0;
}

void
h_courses_list(api_call *c)
{
    if (path_code(c) != 0)
        return;
    list_query *q = app_arena_alloc(c->arena, sizeof(*q));
    memset(q, 0, sizeof(*q));
    q->college = query_text(c, "college");
    q->kind = query_text(c, "kind");
    if (q->kind != NULL && !core_uni_course_kind_valid(q->kind)) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/kind");
        return;
    }
    if (api_list_after(c, "cursor", &q->after) != 0 || api_list_limit(c, &q->limit) != 0)
        return;
    c->data = q;
    api_submit(c, job_courses_list);
}

static int
job_course_create(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_uni_course out;
    int rc = core_uni_course_create(db, &op, api_param(c, "code"), c->data, &out, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_etag(c, out.version);
    api_reply_json(c, 201, course_json(&out));
    return 0;
}

static const char *const course_fields[] = {"code",  "name",    "kind", "credits",
                                            "hours", "college", NULL};
static const char *const course_read_only[] = {"id",         "school",  "kind_label",
                                               "college_id", "version", NULL};

void
h_course_create(api_call *c)
{
    if (path_code(c) != 0 || body_object(c) != 0)
        return;
    app_err e = {0};
    check_members(c, &e, course_fields, course_read_only);
    core_uni_course_in *k = app_arena_alloc(c->arena, sizeof(*k));
    k->code = str_member(c, &e, "code", 1);
    k->name = str_member(c, &e, "name", 1);
    k->kind = str_member(c, &e, "kind", 1);
    k->credits10 = credits_member(c, &e, 1);
    k->hours = int_member(c, &e, "hours", 1, -1, 0);
    k->college = str_member(c, &e, "college", 1);
    submit_body(c, &e, k, job_course_create);
}

static int
job_course_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_uni_course out;
    int rc =
        core_uni_course_get(db, &op, api_param(c, "code"), api_param(c, "course"), &out, &c->err);
    if (rc != 0)
        return rc;
    api_etag(c, out.version);
    api_reply_json(c, 200, course_json(&out));
    return 0;
}

void
h_course_get(api_call *c)
{
    if (path_code(c) == 0)
        api_submit(c, job_course_get);
}

typedef struct course_patch {
    core_uni_course_in in;
    int if_match;
} course_patch;

static int
job_course_patch(api_call *c, db_conn *db)
{
    const course_patch *a = c->data;
    core_op op;
    api_op(c, &op);
    db_uni_course out;
    int rc = core_uni_course_patch(db, &op, api_param(c, "code"), api_param(c, "course"), &a->in,
                                   a->if_match, &out, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_etag(c, out.version);
    api_reply_json(c, 200, course_json(&out));
    return 0;
}

void
h_course_patch(api_call *c)
{
    if (path_code(c) != 0)
        return;
    course_patch *a = app_arena_alloc(c->arena, sizeof(*a));
    if (api_if_match(c, &a->if_match) != 0 || body_object(c) != 0)
        return;
    app_err e = {0};
    static const char *const fields[] = {"name", "kind", "credits", "hours", "college", NULL};
    static const char *const ro[] = {"id",         "school",  "code", "kind_label",
                                     "college_id", "version", NULL};
    check_members(c, &e, fields, ro);
    a->in.name = str_member(c, &e, "name", 0);
    a->in.kind = str_member(c, &e, "kind", 0);
    a->in.credits10 = credits_member(c, &e, 0);
    a->in.hours = int_member(c, &e, "hours", 0, -1, 0);
    a->in.college = str_member(c, &e, "college", 0);
    submit_body(c, &e, a, job_course_patch);
}

/* ---- teaching plans ---- */

static json_t *
plan_json(const char *school, const core_uni_plan *p)
{
    json_t *items = json_array();
    int total = 0;
    for (int i = 0; i < p->n; i++) {
        const db_uni_plan_entry *e = &p->entries[i];
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:i}", "course", e->code, "name", e->name, "kind",
                              e->kind, "kind_label", kind_label(e->kind), "term_no", e->term_no);
        json_object_set_new(o, "credits", credits_json(e->credits10));
        json_array_append_new(items, o);
        total += e->credits10;
    }
    json_t *o = json_pack("{s:s,s:s,s:i,s:i,s:o}", "school", school, "major", p->major_code,
                          "cohort", p->cohort, "version", p->version, "entries", items);
    json_object_set_new(o, "total_credits", credits_json(total));
    return o;
}

/* {cohort} of the path: a year, else 404 not_found (-1). */
static int
path_cohort(api_call *c)
{
    const char *s = api_param(c, "cohort");
    if (s == NULL || !api_digits_only(s, 4) || strlen(s) != 4) {
        api_fail_code(c, APP_ENOTFOUND, "not_found", NULL);
        return -1;
    }
    return atoi(s);
}

static int
job_plan_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    core_uni_plan p;
    int rc = core_uni_plan_get(db, &op, api_param(c, "code"), api_param(c, "major"),
                               atoi(api_param(c, "cohort")), &p, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_etag(c, p.version);
    api_reply_json(c, 200, plan_json(api_param(c, "code"), &p));
    return 0;
}

void
h_plan_get(api_call *c)
{
    if (path_code(c) == 0 && path_cohort(c) >= 0)
        api_submit(c, job_plan_get);
}

typedef struct plan_put {
    core_uni_plan_in *entries;
    int n, if_match;
} plan_put;

static int
job_plan_put(api_call *c, db_conn *db)
{
    const plan_put *a = c->data;
    core_op op;
    api_op(c, &op);
    core_uni_plan p;
    int rc =
        core_uni_plan_put(db, &op, api_param(c, "code"), api_param(c, "major"),
                          atoi(api_param(c, "cohort")), a->entries, a->n, a->if_match, &p, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_etag(c, p.version);
    api_reply_json(c, 200, plan_json(api_param(c, "code"), &p));
    return 0;
}

/* One entry {course, term_no} of the body into *out; items when bad. */
static void
plan_entry(api_call *c, app_err *e, json_t *v, int i, core_uni_plan_in *out)
{
    out->course = NULL;
    out->term_no = 0;
    if (!json_is_object(v)) {
        app_err_add(e, app_arena_printf(c->arena, "/entries/%d", i), "wrong_type", NULL);
        return;
    }
    json_t *k = json_object_get(v, "course"), *t = json_object_get(v, "term_no");
    if (k == NULL || json_is_null(k))
        app_err_add(e, app_arena_printf(c->arena, "/entries/%d/course", i), "missing_field", NULL);
    else if (!json_is_string(k))
        app_err_add(e, app_arena_printf(c->arena, "/entries/%d/course", i), "wrong_type", NULL);
    else
        out->course = json_string_value(k);
    if (t == NULL || json_is_null(t))
        app_err_add(e, app_arena_printf(c->arena, "/entries/%d/term_no", i), "missing_field", NULL);
    else if (!json_is_integer(t))
        app_err_add(e, app_arena_printf(c->arena, "/entries/%d/term_no", i), "wrong_type", NULL);
    else
        out->term_no = json_integer_value(t) > 99 ? 99 : (int)json_integer_value(t);
}

void
h_plan_put(api_call *c)
{
    if (path_code(c) != 0 || path_cohort(c) < 0)
        return;
    plan_put *a = app_arena_alloc(c->arena, sizeof(*a));
    if (api_if_match(c, &a->if_match) != 0 || body_object(c) != 0)
        return;
    app_err e = {0};
    static const char *const fields[] = {"entries", NULL};
    static const char *const ro[] = {"school", "major", "cohort", "version", "total_credits", NULL};
    check_members(c, &e, fields, ro);
    json_t *list = json_object_get(c->json, "entries");
    if (list == NULL)
        app_err_add(&e, "/entries", "missing_field", NULL);
    else if (!json_is_array(list))
        app_err_add(&e, "/entries", "wrong_type", NULL);
    else if (json_array_size(list) > CORE_UNI_PLAN_MAX)
        app_err_add(&e, "/entries", "too_many_items", "500");
    else {
        a->n = (int)json_array_size(list);
        a->entries = app_arena_alloc(c->arena, sizeof(*a->entries) * (size_t)(a->n + 1));
        for (int i = 0; i < a->n; i++)
            plan_entry(c, &e, json_array_get(list, (size_t)i), i, &a->entries[i]);
    }
    submit_body(c, &e, a, job_plan_put);
}

/* ---- sections ---- */

static json_t *
section_json(const db_uni_section *s)
{
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:i}", "id", (json_int_t)s->id, "school",
                  s->school, "course", s->course_code, "course_name", s->course_name, "term",
                  s->term, "number", s->number, "capacity", s->capacity, "taken", s->taken, "free",
                  s->capacity - s->taken, "version", s->version);
    json_object_set_new(o, "teacher",
                        s->teacher_username ? json_string(s->teacher_username) : json_null());
    json_object_set_new(o, "cohort", s->cohort ? json_integer(s->cohort) : json_null());
    json_t *m = json_null();
    if (s->majors != NULL) {
        m = json_array();
        for (int i = 0; i < s->nmajors; i++)
            json_array_append_new(m, json_string(s->major_codes[i] ? s->major_codes[i] : ""));
    }
    json_object_set_new(o, "majors", m);
    return o;
}

static int
job_sections_list(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    const list_query *q = c->data;
    db_uni_section *v;
    int n = 0;
    int rc = core_uni_section_list(db, &op, api_param(c, "code"), q->term, q->course, q->college,
                                   q->after, q->limit + 1, &v, &n, &c->err);
    if (rc != 0)
        return rc;
    int more = n > q->limit;
    if (more)
        n = q->limit;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, section_json(&v[i]));
    json_t *o = json_pack("{s:o}", "items", items);
    json_object_set_new(o, "next_cursor", more ? json_sprintf("%lld", v[n - 1].id) : json_null());
    api_reply_json(c, 200, o);
    return 0;
}

void
h_sections_list(api_call *c)
{
    if (path_code(c) != 0)
        return;
    list_query *q = app_arena_alloc(c->arena, sizeof(*q));
    memset(q, 0, sizeof(*q));
    q->term = query_text(c, "term");
    q->course = query_text(c, "course");
    q->college = query_text(c, "college");
    if (q->term != NULL && (strlen(q->term) != 6 || q->term[4] != '-')) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/term");
        return;
    }
    if (api_list_after(c, "cursor", &q->after) != 0 || api_list_limit(c, &q->limit) != 0)
        return;
    c->data = q;
    api_submit(c, job_sections_list);
}

/* The section members of the body into `in` (create: course, term,
   number, capacity required). */
static void
section_in(api_call *c, app_err *e, int create, core_uni_section_in *in)
{
    memset(in, 0, sizeof(*in));
    in->course = create ? str_member(c, e, "course", 1) : NULL;
    in->term = create ? str_member(c, e, "term", 1) : NULL;
    in->number = int_member(c, e, "number", create, 0, -1);
    in->capacity = int_member(c, e, "capacity", create, 0, -1);
    in->cohort = int_member(c, e, "cohort", 0, create ? 0 : -1, 1);
    if (!create && json_is_null(json_object_get(c->json, "cohort")))
        in->cohort = 0;
    json_t *t = json_object_get(c->json, "teacher");
    in->teacher_given = create || t != NULL;
    in->teacher = str_member(c, e, "teacher", 0);
    json_t *m = json_object_get(c->json, "majors");
    in->majors_given = create || m != NULL;
    if (m == NULL || json_is_null(m))
        return;
    if (!json_is_array(m)) {
        app_err_add(e, "/majors", "wrong_type", NULL);
        return;
    }
    in->nmajors = (int)json_array_size(m);
    const char **v = app_arena_alloc(c->arena, sizeof(*v) * (size_t)(in->nmajors + 1));
    for (int i = 0; i < in->nmajors; i++) {
        json_t *x = json_array_get(m, (size_t)i);
        v[i] = json_is_string(x) ? json_string_value(x) : "";
        if (!json_is_string(x))
            app_err_add(e, app_arena_printf(c->arena, "/majors/%d", i), "wrong_type", NULL);
    }
    in->majors = v;
}

static const char *const section_fields[] = {"course",   "term",   "number", "teacher",
                                             "capacity", "cohort", "majors", NULL};
static const char *const section_read_only[] = {"id",   "school",  "course_name", "taken",
                                                "free", "version", NULL};

static int
job_section_create(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_uni_section out;
    int rc = core_uni_section_create(db, &op, api_param(c, "code"), c->data, &out, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_etag(c, out.version);
    api_reply_json(c, 201, section_json(&out));
    return 0;
}

void
h_section_create(api_call *c)
{
    if (path_code(c) != 0 || body_object(c) != 0)
        return;
    app_err e = {0};
    check_members(c, &e, section_fields, section_read_only);
    core_uni_section_in *in = app_arena_alloc(c->arena, sizeof(*in));
    section_in(c, &e, 1, in);
    submit_body(c, &e, in, job_section_create);
}

/* {id} of the path: digits, else 404 section_not_found (-1). */
static long long
path_id(api_call *c)
{
    const char *s = api_param(c, "id");
    if (s == NULL || !api_digits_only(s, 15) || atoll(s) <= 0) {
        api_fail_code(c, APP_ENOTFOUND, "section_not_found", NULL);
        return -1;
    }
    return atoll(s);
}

static int
job_section_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_uni_section out;
    int rc = core_uni_section_get(db, &op, api_param(c, "code"), atoll(api_param(c, "id")), &out,
                                  &c->err);
    if (rc != 0)
        return rc;
    api_etag(c, out.version);
    api_reply_json(c, 200, section_json(&out));
    return 0;
}

void
h_section_get(api_call *c)
{
    if (path_code(c) == 0 && path_id(c) > 0)
        api_submit(c, job_section_get);
}

typedef struct section_patch {
    core_uni_section_in in;
    int if_match;
} section_patch;

static int
job_section_patch(api_call *c, db_conn *db)
{
    const section_patch *a = c->data;
    core_op op;
    api_op(c, &op);
    db_uni_section out;
    int rc = core_uni_section_patch(db, &op, api_param(c, "code"), atoll(api_param(c, "id")),
                                    &a->in, a->if_match, &out, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_etag(c, out.version);
    api_reply_json(c, 200, section_json(&out));
    return 0;
}

void
h_section_patch(api_call *c)
{
    if (path_code(c) != 0 || path_id(c) <= 0)
        return;
    section_patch *a = app_arena_alloc(c->arena, sizeof(*a));
    if (api_if_match(c, &a->if_match) != 0 || body_object(c) != 0)
        return;
    app_err e = {0};
    static const char *const fields[] = {"number", "teacher", "capacity", "cohort", "majors", NULL};
    static const char *const ro[] = {"id",    "school", "course",  "course_name", "term",
                                     "taken", "free",   "version", NULL};
    check_members(c, &e, fields, ro);
    section_in(c, &e, 0, &a->in);
    submit_body(c, &e, a, job_section_patch);
}

/* ---- the import templates (core/uni_catalog_file.h) ---- */

static void
template_reply(api_call *c, const char *mode)
{
    const core_catfile *f = core_catfile_of(mode);
    unsigned char *x = NULL;
    size_t n = 0;
    app_err e = {0};
    if (core_catfile_xlsx(f, &x, &n, &e) != 0) {
        api_fail(c, &e);
        return;
    }
    api_header(c, "content-disposition",
               app_arena_printf(c->arena, "attachment; filename=\"%s\"", core_catfile_filename(f)));
    api_header(c, "x-template-version", core_catfile_version(f));
    api_reply_raw(c, 200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  (const char *)x, n);
    free(x);
}

void
h_template_courses(api_call *c)
{
    template_reply(c, "courses");
}

void
h_template_plans(api_call *c)
{
    template_reply(c, "plans");
}

void
h_template_sections(api_call *c)
{
    template_reply(c, "sections");
}
