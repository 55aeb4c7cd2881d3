/*
 * api/h_schools.c - schools and their classes (API.md "Organisation").
 *
 * The handlers read the request and answer; the rules, the jurisdiction
 * (docs/decisions/0004), the transaction and the audit row are core/'s
 * (core/school.h, core/school_merge.h): one call per request.
 *
 * Validation reports every bad field at once (app_err_add); a request with one
 * bad field answers that field's code, with several `validation_failed`.
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "core/grade.h"
#include "core/region.h"
#include "core/school.h"
#include "core/school_merge.h"
#include "core/schoolcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CHARS 100
#define CLASS_NAME_MAX_CHARS 100
#define Q_MAX_CHARS 100

/* ------------------------------------------------------------ helpers */

int
api_fail_items(app_err *err)
{
    if (err->nitems == 0)
        return 0;
    if (err->nitems == 1) {
        app_err_set(err, APP_EINVAL, err->items[0].code, NULL);
        app_err_field(err, err->items[0].field);
        app_err_param(err, err->items[0].param);
    } else {
        app_err_set(err, APP_EINVAL, "validation_failed", NULL);
    }
    return APP_EINVAL;
}

/* Characters of a UTF-8 string (jansson strings are valid UTF-8). */
static size_t
utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/*
 * A display name: leading and trailing blanks dropped, 1..max characters, no
 * control characters. The trimmed copy (arena) or NULL.
 */
static const char *
clean_name(api_call *c, const char *s, size_t max)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *out = app_arena_strndup(c->arena, s, n);
    for (const char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return NULL;
    size_t chars = utf8_chars(out);
    return chars >= 1 && chars <= max ? out : NULL;
}

static int
n_digits(const char *s, size_t n)
{
    if (s == NULL || strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* A JSON string without an embedded NUL (C strings would cut it short). */
static int
is_text(const json_t *v)
{
    return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v);
}

/* A code given as a string of digits or as an integer (2 digits), or -1. */
static int
small_code(const json_t *v)
{
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        return x >= 0 && x <= 99 ? (int)x : -1;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        return n_digits(s, 2) ? (s[0] - '0') * 10 + (s[1] - '0') : -1;
    }
    return -1;
}

/* Members of the body not in `allowed` (NULL-terminated); `read_only` ones get their own code. */
static void
check_members(api_call *c, app_err *e, const char *const *allowed, const char *const *read_only)
{
    const char *k;
    json_t *v;
    json_object_foreach(c->json, k, v)
    {
        int ok = 0, ro = 0;
        for (const char *const *a = allowed; *a; a++)
            ok |= strcmp(*a, k) == 0;
        for (const char *const *a = read_only; a && *a; a++)
            ro |= strcmp(*a, k) == 0;
        if (!ok) {
            char p[64];
            snprintf(p, sizeof(p), "/%s", k);
            app_err_add(e, p, ro ? "field_not_editable" : "unknown_field", NULL);
        }
    }
}

static json_t *
school_json(const db_school *s)
{
    char cat[8];
    snprintf(cat, sizeof(cat), "%02d", s->category);
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s?,s:s,s:b,s:s?,s:i,s:s,s:s}", "code",
                     s->code, "name", s->name, "county", s->county, "county_name", s->county_name,
                     "authority", s->authority, "authority_name", s->authority_name, "province",
                     s->province, "category", cat, "category_label",
                     core_school_category_label(s->category), "system", s->system, "closed",
                     s->closed, "merged_into", s->merged_into, "version", s->version, "created_at",
                     s->created_at, "updated_at", s->updated_at);
}

/* A path {code} that cannot be a school code is a school we do not have. */
static const char *
path_code(api_call *c)
{
    const char *code = api_param(c, "code");
    if (!n_digits(code, 10)) {
        api_fail_code(c, APP_ENOTFOUND, "school_not_found", NULL);
        return NULL;
    }
    return code;
}

/* A region code shaped like a bureau below the ministry (county, city, province). */
static int
bureau_code(const char *s)
{
    core_level l = s ? core_region_code_level(s, strlen(s)) : CORE_LEVEL_NONE;
    return l == CORE_LEVEL_COUNTY || l == CORE_LEVEL_CITY || l == CORE_LEVEL_PROVINCE;
}

/* ---- GET /api/v1/schools?region=&q=&limit=&cursor= ---- */

static int
job_schools_list(api_call *c, db_conn *db)
{
    const core_school_query *q = c->data;
    core_op op;
    api_op(c, &op);
    db_school *v;
    int n = 0, more = 0;
    int rc = core_school_list(db, &op, q, &v, &n, &more, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, school_json(&v[i]));
    json_t *o = json_pack("{s:o}", "items", items);
    json_object_set_new(o, "next_cursor", more ? json_string(v[n - 1].code) : json_null());
    api_reply_json(c, 200, o);
    return 0;
}

void
h_schools_list(api_call *c)
{
    core_school_query *a = app_arena_alloc(c->arena, sizeof(*a));
    const char *region = api_query(c, "region");
    const char *q = api_query(c, "q");
    const char *cursor = api_query(c, "cursor");
    if (region != NULL && *region != '\0') {
        if (!n_digits(region, 6)) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/region");
            return;
        }
        a->region = region;
    }
    if (q != NULL && *q != '\0') {
        if (utf8_chars(q) > Q_MAX_CHARS) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/q");
            return;
        }
        a->q = q;
    }
    if (cursor != NULL && *cursor != '\0') {
        if (!n_digits(cursor, 10)) {
            api_fail_code(c, APP_EINVAL, "invalid_cursor", "/query/cursor");
            return;
        }
        a->after = cursor;
    }
    if (api_list_limit(c, &a->limit) != 0)
        return;
    c->data = a;
    api_submit(c, job_schools_list);
}

/* ---- POST /api/v1/schools ---- */

typedef struct create_args {
    core_school_new s; /* NULL-like (`body` 0) when the body was not an object */
    int body;
    app_err pre; /* problems found while reading the body */
} create_args;

static int
job_school_create(api_call *c, db_conn *db)
{
    create_args *a = c->data;
    core_op op;
    api_op(c, &op);
    c->err = a->pre;
    db_school out;
    int rc = core_school_create(db, &op, a->body ? &a->s : NULL, &out, &c->err);
    if (rc != 0)
        return rc;
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/schools/%s", out.code);
    api_header(c, "location", loc);
    api_etag(c, out.version);
    api_reply_json(c, 201, school_json(&out));
    return 0;
}

/* The code, name and county of a new school; problems as items of e. */
static void
read_school_place(api_call *c, core_school_new *s, core_school_code *sc, app_err *e)
{
    json_t *v = json_object_get(c->json, "code");
    s->code = s->county = "";
    if (v == NULL || json_is_null(v)) {
        app_err_add(e, "/code", "missing_field", NULL);
    } else if (!is_text(v)) {
        app_err_add(e, "/code", "wrong_type", NULL);
    } else {
        app_err pe = {0};
        if (core_school_code_parse(json_string_value(v), json_string_length(v), sc, &pe) != 0)
            app_err_add(e, "/code", "invalid_school_code", pe.param);
        else
            s->code = app_arena_strdup(c->arena, sc->code);
    }

    v = json_object_get(c->json, "name");
    if (v == NULL || json_is_null(v))
        app_err_add(e, "/name", "missing_field", NULL);
    else if (!is_text(v))
        app_err_add(e, "/name", "wrong_type", NULL);
    else if ((s->name = clean_name(c, json_string_value(v), NAME_MAX_CHARS)) == NULL)
        app_err_add(e, "/name", "invalid_name", NULL);

    v = json_object_get(c->json, "county");
    if (v == NULL || json_is_null(v))
        app_err_add(e, "/county", "missing_field", NULL);
    else if (!is_text(v))
        app_err_add(e, "/county", "wrong_type", NULL);
    else if (!n_digits(json_string_value(v), 6) ||
             core_region_code_level(json_string_value(v), 6) == CORE_LEVEL_NONE)
        app_err_add(e, "/county", "unknown_county", NULL);
    else
        s->county = app_arena_strdup(c->arena, json_string_value(v));
}

/* The authority, category and system of a new school; problems as items of e. */
static void
read_school_kind(api_call *c, core_school_new *s, const core_school_code *sc, app_err *e)
{
    json_t *v = json_object_get(c->json, "authority");
    if (v != NULL && !json_is_null(v)) {
        s->authority = ""; /* given: checked no further when unusable */
        if (!is_text(v))
            app_err_add(e, "/authority", "wrong_type", NULL);
        else if (!n_digits(json_string_value(v), 6) || !bureau_code(json_string_value(v)))
            app_err_add(e, "/authority", "invalid_authority", NULL);
        else
            s->authority = app_arena_strdup(c->arena, json_string_value(v));
    }

    v = json_object_get(c->json, "category");
    if (v != NULL && !json_is_null(v)) {
        int cat = small_code(v);
        if (!is_text(v) && !json_is_integer(v))
            app_err_add(e, "/category", "wrong_type", NULL);
        else if (sc->code[0] != '\0' && cat != sc->category)
            app_err_add(e, "/category", "category_mismatch", NULL);
    }
    s->category = sc->category;

    v = json_object_get(c->json, "system");
    s->system = "63";
    if (v != NULL && !json_is_null(v)) {
        if (!is_text(v))
            app_err_add(e, "/system", "wrong_type", NULL);
        else if (!core_school_system_valid(json_string_value(v)))
            app_err_add(e, "/system", "invalid_school_system", NULL);
        else
            s->system = app_arena_strdup(c->arena, json_string_value(v));
    }
}

void
h_school_create(api_call *c)
{
    static const char *const allowed[] = {"code",     "name",   "county", "authority",
                                          "category", "system", NULL};
    create_args *a = app_arena_alloc(c->arena, sizeof(*a));
    /* who may create is core_school_create()'s to answer first, then the body's shape */
    a->body = json_is_object(c->json);
    if (a->body) {
        core_school_code sc = {0};
        check_members(c, &a->pre, allowed, NULL);
        read_school_place(c, &a->s, &sc, &a->pre);
        read_school_kind(c, &a->s, &sc, &a->pre);
    }
    c->data = a;
    api_submit(c, job_school_create);
}

/* ---- GET /api/v1/schools/{code} ---- */

static int
job_school_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_school s;
    int rc = core_school_get(db, &op, api_param(c, "code"), &s, &c->err);
    if (rc != 0)
        return rc;
    api_etag(c, s.version);
    api_reply_json(c, 200, school_json(&s));
    return 0;
}

void
h_school_get(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    api_submit(c, job_school_get);
}

/* ---- PATCH /api/v1/schools/{code} ---- */

static int
job_school_patch(api_call *c, db_conn *db)
{
    const core_school_change *ch = c->data;
    core_op op;
    api_op(c, &op);
    db_school out;
    int rc = core_school_patch(db, &op, api_param(c, "code"), ch, &out, &c->err);
    if (rc != 0)
        return rc;
    api_etag(c, out.version);
    api_reply_json(c, 200, school_json(&out));
    return 0;
}

void
h_school_patch(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    core_school_change *a = app_arena_alloc(c->arena, sizeof(*a));
    a->closed = -1;
    if (api_if_match(c, &a->if_match) != 0)
        return;
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    static const char *const allowed[] = {"name", "authority", "system", "closed", NULL};
    static const char *const read_only[] = {
        "code",           "county",  "province",   "category",   "category_label", "county_name",
        "authority_name", "version", "created_at", "updated_at", "merged_into",    NULL};
    app_err e = {0};
    check_members(c, &e, allowed, read_only);
    json_t *v = json_object_get(c->json, "name");
    if (v != NULL) {
        if (!is_text(v))
            app_err_add(&e, "/name", "wrong_type", NULL);
        else if ((a->name = clean_name(c, json_string_value(v), NAME_MAX_CHARS)) == NULL)
            app_err_add(&e, "/name", "invalid_name", NULL);
    }
    v = json_object_get(c->json, "authority");
    if (v != NULL) {
        if (!is_text(v))
            app_err_add(&e, "/authority", "wrong_type", NULL);
        else if (!n_digits(json_string_value(v), 6) || !bureau_code(json_string_value(v)))
            app_err_add(&e, "/authority", "invalid_authority", NULL);
        else
            a->authority = app_arena_strdup(c->arena, json_string_value(v));
    }
    v = json_object_get(c->json, "system");
    if (v != NULL) {
        if (!is_text(v))
            app_err_add(&e, "/system", "wrong_type", NULL);
        else if (!core_school_system_valid(json_string_value(v)))
            app_err_add(&e, "/system", "invalid_school_system", NULL);
        else
            a->system = app_arena_strdup(c->arena, json_string_value(v));
    }
    v = json_object_get(c->json, "closed");
    if (v != NULL) {
        if (!json_is_boolean(v))
            app_err_add(&e, "/closed", "wrong_type", NULL);
        else
            a->closed = json_is_true(v);
    }
    if (api_fail_items(&e) != 0) {
        api_fail(c, &e);
        return;
    }
    c->data = a;
    api_submit(c, job_school_patch);
}

/* ---- POST /api/v1/schools/{code}/merge ---- */

/* The shape of the body here; the rules, the jurisdiction (the same predicate
   as core_school_visible() for {code}) and the effect are core_school_merge()'s. */

static int
job_school_merge(api_call *c, db_conn *db)
{
    const char *into = c->data;
    core_op op;
    api_op(c, &op);
    core_merge_result m;
    int rc = core_school_merge(db, &op, api_param(c, "code"), into, &m, &c->err);
    if (rc == APP_EINVAL && c->err.nitems > 0 && c->err.slug == NULL)
        api_fail_items(&c->err);
    if (rc != 0)
        return rc;
    json_t *renumbered = json_array();
    for (int i = 0; i < m.nrenumbered; i++) {
        const db_renumber *k = &m.renumbered[i];
        char grade[8];
        snprintf(grade, sizeof(grade), "%d", k->grade);
        json_array_append_new(
            renumbered, json_pack("{s:s,s:i,s:i}", "grade", grade, "from", k->from, "to", k->to));
    }
    api_reply_json(c, 200,
                   json_pack("{s:s,s:s,s:I,s:I,s:o}", "from", m.from, "into", m.into, "students",
                             (json_int_t)m.students, "classes", (json_int_t)m.classes, "renumbered",
                             renumbered));
    return 0;
}

void
h_school_merge(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    static const char *const allowed[] = {"into", NULL};
    app_err e = {0};
    check_members(c, &e, allowed, NULL);
    char *into = NULL;
    json_t *v = json_object_get(c->json, "into");
    if (v == NULL || json_is_null(v)) {
        app_err_add(&e, "/into", "missing_field", NULL);
    } else if (!is_text(v)) {
        app_err_add(&e, "/into", "wrong_type", NULL);
    } else {
        core_school_code sc;
        app_err pe = {0};
        if (core_school_code_parse(json_string_value(v), json_string_length(v), &sc, &pe) != 0)
            app_err_add(&e, "/into", "invalid_school_code", pe.param);
        else
            into = app_arena_strdup(c->arena, sc.code);
    }
    if (api_fail_items(&e) != 0) {
        api_fail(c, &e);
        return;
    }
    c->data = into;
    api_submit(c, job_school_merge);
}

/* ---- GET /api/v1/schools/{code}/classes ---- */

typedef struct classes_args {
    int after_grade, after_number, limit;
} classes_args;

static json_t *
class_json(const db_class *k)
{
    char grade[8];
    snprintf(grade, sizeof(grade), "%d", k->grade);
    json_t *o = json_pack("{s:I,s:s,s:s,s:s?,s:i,s:s}", "id", (json_int_t)k->id, "school",
                          k->school, "grade", grade, "grade_label", core_grade_label(k->grade),
                          "number", k->number, "name", k->name);
    json_object_set_new(o, "size_limit",
                        k->size_limit > 0 ? json_integer(k->size_limit) : json_null());
    json_object_set_new(o, "version", json_integer(k->version));
    json_object_set_new(o, "created_at", json_string(k->created_at));
    return o;
}

static int
job_classes_list(api_call *c, db_conn *db)
{
    classes_args *a = c->data;
    core_op op;
    api_op(c, &op);
    db_class *v;
    int n = 0, more = 0;
    int rc = core_class_list(db, &op, api_param(c, "code"), a->after_grade, a->after_number,
                             a->limit, &v, &n, &more, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, class_json(&v[i]));
    json_t *o = json_pack("{s:o}", "items", items);
    json_object_set_new(o, "next_cursor",
                        more ? json_sprintf("%02d%02d", v[n - 1].grade, v[n - 1].number)
                             : json_null());
    api_reply_json(c, 200, o);
    return 0;
}

void
h_classes_list(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    classes_args *a = app_arena_alloc(c->arena, sizeof(*a));
    const char *cursor = api_query(c, "cursor");
    if (cursor != NULL && *cursor != '\0') {
        /* GGNN: the grade and class number of the last item of the previous page */
        if (!n_digits(cursor, 4)) {
            api_fail_code(c, APP_EINVAL, "invalid_cursor", "/query/cursor");
            return;
        }
        a->after_grade = (cursor[0] - '0') * 10 + (cursor[1] - '0');
        a->after_number = (cursor[2] - '0') * 10 + (cursor[3] - '0');
    }
    if (api_list_limit(c, &a->limit) != 0)
        return;
    c->data = a;
    api_submit(c, job_classes_list);
}

/* ---- POST /api/v1/schools/{code}/classes ---- */

static int
job_class_create(api_call *c, db_conn *db)
{
    const core_class_new *k = c->data;
    core_op op;
    api_op(c, &op);
    db_class out;
    int rc = core_class_create(db, &op, api_param(c, "code"), k, &out, &c->err);
    if (rc != 0)
        return rc;
    api_etag(c, out.version);
    api_reply_json(c, 201, class_json(&out));
    return 0;
}

void
h_class_create(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    static const char *const allowed[] = {"grade", "number", "name", "size_limit", NULL};
    static const char *const read_only[] = {"id",      "school",     "grade_label",
                                            "version", "created_at", NULL};
    core_class_new *k = app_arena_alloc(c->arena, sizeof(*k));
    app_err e = {0};
    check_members(c, &e, allowed, read_only);

    json_t *v = json_object_get(c->json, "grade");
    if (v == NULL || json_is_null(v))
        app_err_add(&e, "/grade", "missing_field", NULL);
    else if (!is_text(v) && !json_is_integer(v))
        app_err_add(&e, "/grade", "wrong_type", NULL);
    else if (!core_grade_valid(k->grade = small_code(v)))
        app_err_add(&e, "/grade", "invalid_grade", NULL);

    v = json_object_get(c->json, "number");
    if (v == NULL || json_is_null(v))
        app_err_add(&e, "/number", "missing_field", NULL);
    else if (!json_is_integer(v))
        app_err_add(&e, "/number", "wrong_type", NULL);
    else if (json_integer_value(v) < 1 || json_integer_value(v) > CORE_CLASS_NUMBER_MAX)
        app_err_add(&e, "/number", "invalid_class_number", NULL);
    else
        k->number = (int)json_integer_value(v);

    v = json_object_get(c->json, "name");
    if (v != NULL && !json_is_null(v)) {
        if (!is_text(v))
            app_err_add(&e, "/name", "wrong_type", NULL);
        else if ((k->name = clean_name(c, json_string_value(v), CLASS_NAME_MAX_CHARS)) == NULL)
            app_err_add(&e, "/name", "invalid_name", NULL);
    }

    v = json_object_get(c->json, "size_limit");
    if (v != NULL && !json_is_null(v)) {
        if (!json_is_integer(v))
            app_err_add(&e, "/size_limit", "wrong_type", NULL);
        else if (json_integer_value(v) < 1 || json_integer_value(v) > CORE_CLASS_SIZE_MAX)
            app_err_add(&e, "/size_limit", "invalid_size_limit", NULL);
        else
            k->size_limit = (int)json_integer_value(v);
    }
    if (api_fail_items(&e) != 0) {
        api_fail(c, &e);
        return;
    }
    c->data = k;
    api_submit(c, job_class_create);
}
