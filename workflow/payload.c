/*
 * workflow/payload.c - request bodies read by the member declarations of
 * workflow/defs.c (see workflow/payload.h, docs/decisions/0022).
 */
#include "workflow/payload.h"

#include "base/buf.h"
#include "core/mask.h"
#include "core/settings.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One read: where the members are, where they go. */
typedef struct pctx {
    app_arena *a;
    const char *caller_org;
    const char *prefix; /* "/payload", or "" for members at the top of the body */
    wf_start *out;
    json_t *stored;
    app_err *err;
} pctx;

/* ------------------------------------------------------------ typed fields */

/* The wf_start string field that receives member `name`, or NULL. */
static const char **
str_field(wf_start *s, const char *name)
{
    static const struct {
        const char *name;
        size_t off;
    } F[] = {
        {"reason", offsetof(wf_start, reason)},
        {"date", offsetof(wf_start, date)},
        {"start_date", offsetof(wf_start, start_date)},
        {"end_date", offsetof(wf_start, end_date)},
        {"entry_date", offsetof(wf_start, entry_date)},
        {"to_school", offsetof(wf_start, to_school)},
        {"effective_date", offsetof(wf_start, effective_date)},
        {"from_school", offsetof(wf_start, from_school)},
        {"method", offsetof(wf_start, method)},
        {"comment", offsetof(wf_start, comment)},
    };
    for (size_t i = 0; i < sizeof(F) / sizeof(F[0]); i++)
        if (strcmp(F[i].name, name) == 0)
            return (const char **)(void *)((char *)s + F[i].off);
    return NULL;
}

/* The wf_start integer field that receives member `name`, or NULL. */
static int *
int_field(wf_start *s, const char *name)
{
    if (strcmp(name, "grade") == 0)
        return &s->grade;
    if (strcmp(name, "class") == 0)
        return &s->class_no;
    if (strcmp(name, "renumber") == 0)
        return &s->renumber;
    return NULL;
}

static void
set_str(pctx *p, const wf_member *m, const char *v)
{
    const char **f = str_field(p->out, m->name);
    if (f)
        *f = v;
    if (!m->unstored)
        json_object_set_new(p->stored, m->name, json_string(v));
}

/* ------------------------------------------------------------ reading */

static const char *
ptr_of(pctx *p, const char *name)
{
    return app_arena_printf(p->a, "%s/%s", p->prefix, name);
}

/* Add an item unless the same one is there already. */
static void
add_once(app_err *e, const char *ptr, const char *code, const char *param)
{
    for (int i = 0; i < e->nitems; i++)
        if (strcmp(e->items[i].field, ptr) == 0 && strcmp(e->items[i].code, code) == 0)
            return;
    app_err_add(e, ptr, code, param);
}

/* Where a wrong type of `m` is reported. */
static const char *
bad_ptr(pctx *p, const wf_member *m)
{
    return m->bad_at ? m->bad_at : ptr_of(p, m->name);
}

/* A string: NULL when absent or null; *bad for another type or a NUL inside. */
static const char *
str_of(app_arena *a, const json_t *v, int *bad)
{
    if (v == NULL || json_is_null(v))
        return NULL;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        *bad = 1;
        return NULL;
    }
    return app_arena_strdup(a, json_string_value(v));
}

/* An integer, or a string of one or two digits; 0 when absent. */
static int
int_of(const json_t *v, int *bad)
{
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_integer(v))
        return (int)json_integer_value(v);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        int ok = *s && strlen(s) <= 2;
        for (const char *c = s; ok && *c; c++)
            ok = *c >= '0' && *c <= '9';
        if (ok)
            return atoi(s);
    }
    *bad = 1;
    return 0;
}

static int
method_is(const pctx *p, const char *method)
{
    return p->out->method && strcmp(p->out->method, method) == 0;
}

/* ------------------------------------------------------------ kinds */

static void
read_text(pctx *p, const wf_member *m, json_t *v)
{
    int bad = 0;
    const char *s = str_of(p->a, v, &bad);
    if (bad || (s && !base_text_visible(s, (size_t)m->max)))
        add_once(p->err, bad_ptr(p, m), "wrong_type", NULL);
    else if (s)
        set_str(p, m, s);
    else if (m->required)
        app_err_add(p->err, ptr_of(p, m->name), "missing_field", NULL);
}

static void
read_date(pctx *p, const wf_member *m, json_t *v)
{
    int bad = 0, ymd;
    const char *s = str_of(p->a, v, &bad), *ptr = ptr_of(p, m->name);
    if (m->non_string_absent)
        bad = 0;
    if (s == NULL && !bad) {
        if (m->required)
            app_err_add(p->err, ptr, "missing_field", "format");
        return;
    }
    /* the typed field holds the text as given: a later member compares with it */
    const char **f = str_field(p->out, m->name);
    if (f)
        *f = s;
    if (bad || core_date_parse(s, &ymd) != 0) {
        app_err_add(p->err, ptr, "invalid_date", "format");
        return;
    }
    const char **before = m->after ? str_field(p->out, m->after) : NULL;
    if (before && *before && strcmp(s, *before) < 0) {
        app_err_add(p->err, ptr, "invalid_date", "before_start");
        return;
    }
    set_str(p, m, s);
}

/* A grade or class number. A wrong type reported at bad_at leaves the
   member absent (and so missing when required), as it always was. */
static void
read_number(pctx *p, const wf_member *m, json_t *v)
{
    int bad = 0;
    int n = int_of(v, &bad);
    if (bad || (m->max > 0 && (n < m->min || n > m->max))) {
        add_once(p->err, bad_ptr(p, m), "wrong_type", NULL);
        if (m->bad_at == NULL)
            return;
        n = 0;
    }
    if (n == 0) {
        if (m->required)
            app_err_add(p->err, ptr_of(p, m->name), "missing_field", NULL);
        return;
    }
    int *f = int_field(p->out, m->name);
    if (f)
        *f = n;
    json_object_set_new(p->stored, m->name,
                        m->kind == WF_K_GRADE ? json_sprintf("%02d", n) : json_integer(n));
}

static void
read_school(pctx *p, const wf_member *m, json_t *v)
{
    int bad = 0;
    const char *s = str_of(p->a, v, &bad);
    if (m->kind == WF_K_CALLER_SCHOOL) {
        if (bad)
            add_once(p->err, bad_ptr(p, m), "wrong_type", NULL);
        set_str(p, m, s ? s : p->caller_org); /* the receiving school is the caller */
        return;
    }
    if (s == NULL || strlen(s) != 10 || strspn(s, "0123456789") != 10)
        app_err_add(p->err, ptr_of(p, m->name), s || bad ? "invalid_school_code" : "missing_field",
                    NULL);
    else
        set_str(p, m, s);
}

static void
read_students(pctx *p, const wf_member *m, json_t *v)
{
    if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > (size_t)m->max) {
        app_err_add(p->err, ptr_of(p, m->name), v ? "wrong_type" : "missing_field", NULL);
        return;
    }
    const char **ids = app_arena_alloc(p->a, sizeof(char *) * json_array_size(v));
    wf_start *o = p->out;
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (json_is_integer(x) && json_integer_value(x) > 0) {
            ids[o->nstudents++] = app_arena_printf(p->a, "%lld", (long long)json_integer_value(x));
        } else if (json_is_string(x) && json_string_length(x) >= 1 && json_string_length(x) <= 19) {
            ids[o->nstudents++] = app_arena_strdup(p->a, json_string_value(x));
        } else {
            char ptr[80];
            snprintf(ptr, sizeof(ptr), "%s/%s/%zu", p->prefix, m->name, i);
            app_err_add(p->err, ptr, "wrong_type", NULL);
        }
    }
    o->students = ids;
    json_object_set(p->stored, m->name, v);
}

static void
read_outcomes(pctx *p, const wf_member *m, json_t *v)
{
    if (v == NULL)
        return;
    if (!json_is_object(v)) {
        app_err_add(p->err, ptr_of(p, m->name), "wrong_type", NULL);
        return;
    }
    wf_start *o = p->out;
    size_t n = json_object_size(v);
    long long *ids = app_arena_alloc(p->a, sizeof(long long) * (n + 1));
    const char **vals = app_arena_alloc(p->a, sizeof(char *) * (n + 1));
    json_t *shown = json_object();
    const char *k;
    json_t *x;
    json_object_foreach(v, k, x)
    {
        char ptr[96];
        snprintf(ptr, sizeof(ptr), "%s/%s/%.40s", p->prefix, m->name, k);
        const char *val = json_string_value(x);
        size_t kl = strlen(k);
        if (kl == 0 || kl > 18 || strspn(k, "0123456789") != kl) {
            app_err_add(p->err, ptr, "student_not_in_grade", NULL);
        } else if (!val || (strcmp(val, "graduated") && strcmp(val, "completed") &&
                            strcmp(val, "incomplete"))) {
            app_err_add(p->err, ptr, "invalid_code", NULL);
        } else {
            ids[o->noutcomes] = atoll(k);
            vals[o->noutcomes++] = app_arena_strdup(p->a, val);
            json_object_set_new(shown, k, json_string(val));
        }
    }
    o->outcome_ids = ids;
    o->outcome_vals = vals;
    json_object_set_new(p->stored, m->name, shown);
}

/* Key-field changes {name?, id_type?, id_number?, gender?, birth_date?}
   into out->changes; stored with PII masked (the values travel sealed,
   added by wf_payload_stored). */
static void
read_changes(pctx *p, const wf_member *m, json_t *v)
{
    const char *ptr0 = ptr_of(p, m->name);
    json_t *shown = json_object();
    if (!json_is_object(v) || json_object_size(v) == 0)
        app_err_add(p->err, ptr0, v ? "wrong_type" : "missing_field", NULL);
    const char *k;
    json_t *x;
    json_object_foreach(json_is_object(v) ? v : NULL, k, x)
    {
        int i = core_field_index(0, k);
        char ptr[96];
        snprintf(ptr, sizeof(ptr), "%s/%s", ptr0, k);
        if (i < 0 || !(core_fields[i].flags & CORE_F_KEY)) {
            app_err_add(p->err, ptr, "not_a_key_field", NULL);
            continue;
        }
        if (!json_is_string(x) && !json_is_null(x)) {
            app_err_add(p->err, ptr, "wrong_type", NULL);
            continue;
        }
        const char *val = json_is_null(x) ? NULL : app_arena_strdup(p->a, json_string_value(x));
        p->out->present[i] = 1;
        p->out->changes.v[i] = val;
        if ((core_fields[i].flags & CORE_F_PII) && val) {
            char masked[64];
            core_mask_id(val, masked, sizeof(masked));
            json_object_set_new(shown, k, json_string(masked));
        } else {
            json_object_set(shown, k, x);
        }
    }
    json_object_set_new(p->stored, m->name, shown);
}

static void
read_flag(pctx *p, const wf_member *m, json_t *v)
{
    if (v && !json_is_boolean(v))
        app_err_add(p->err, ptr_of(p, m->name), "wrong_type", NULL);
    int on = json_is_true(v);
    int *f = int_field(p->out, m->name);
    if (f)
        *f = on;
    json_object_set_new(p->stored, m->name, json_integer(on));
}

static void
read_choice(pctx *p, const wf_member *m, json_t *v)
{
    int bad = 0, ok = 0;
    if (v == NULL && !m->required)
        return; /* an optional choice left out */
    const char *s = str_of(p->a, v, &bad);
    for (const char *const *c = m->choices; s && c && *c && !ok; c++)
        ok = strcmp(*c, s) == 0;
    if (!ok)
        app_err_add(p->err, ptr_of(p, m->name),
                    !(s || bad)   ? "missing_field"
                    : m->bad_code ? m->bad_code
                                  : "invalid_method",
                    NULL);
    else
        set_str(p, m, s);
}

static void
read_student_id(pctx *p, const wf_member *m, json_t *v)
{
    if (json_is_integer(v) && json_integer_value(v) > 0) {
        p->out->student = app_arena_printf(p->a, "%lld", (long long)json_integer_value(v));
        json_object_set(p->stored, m->name, v);
    } else if (v && !json_is_null(v)) {
        app_err_add(p->err, ptr_of(p, m->name), "wrong_type", NULL);
    }
}

/* Evidence file ids: at most 10 positive integers. `each`: an item per bad
   element (POST /requests), else one for the first (resolutions). */
static void
read_file_ids(pctx *p, const char *ptr, json_t *v, int each)
{
    if (v == NULL || json_is_null(v))
        return;
    if (!json_is_array(v) || json_array_size(v) > 10) {
        app_err_add(p->err, ptr, "wrong_type", NULL);
        return;
    }
    long long *ids = app_arena_alloc(p->a, sizeof(long long) * (json_array_size(v) + 1));
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_integer(x) || json_integer_value(x) < 1) {
            app_err_add(p->err, ptr, "wrong_type", NULL);
            if (!each)
                return;
        } else {
            ids[p->out->nevidence++] = (long long)json_integer_value(x);
        }
    }
    p->out->evidence = ids;
}

/* A wrong type reported at bad_at (transfer, grade_change) comes before
   the type's other items, as it always did. */
static void
early_wrong_types(pctx *p, const wf_def *d, json_t *o)
{
    for (const wf_member *m = d->members; m && m->name; m++) {
        int bad = 0;
        json_t *v = json_object_get(o, m->name);
        if (m->bad_at == NULL)
            continue;
        if (m->kind == WF_K_GRADE || m->kind == WF_K_CLASS)
            int_of(v, &bad);
        else
            str_of(p->a, v, &bad);
        if (bad)
            add_once(p->err, m->bad_at, "wrong_type", NULL);
    }
}

static void
read_files(pctx *p, const wf_member *m, json_t *v)
{
    read_file_ids(p, ptr_of(p, m->name), v, 0);
}

/* The id of a row of the student's (reward_removal's entry), kept as an integer. */
static void
read_row_id(pctx *p, const wf_member *m, json_t *v)
{
    if (json_is_integer(v) && json_integer_value(v) > 0)
        json_object_set(p->stored, m->name, v);
    else if (v == NULL || json_is_null(v)) {
        if (m->required)
            app_err_add(p->err, ptr_of(p, m->name), "missing_field", NULL);
    } else
        app_err_add(p->err, ptr_of(p, m->name), "wrong_type", NULL);
}

/* A list (course requests): an array of at most .max items, kept as given
   for the type's start rules; absent when required is missing_field. */
static void
read_list(pctx *p, const wf_member *m, json_t *v)
{
    if (v == NULL || json_is_null(v)) {
        if (m->required)
            app_err_add(p->err, ptr_of(p, m->name), "missing_field", NULL);
    } else if (!json_is_array(v) || json_array_size(v) > (size_t)m->max) {
        app_err_add(p->err, ptr_of(p, m->name), "wrong_type", NULL);
    } else if (m->required && json_array_size(v) == 0) {
        app_err_add(p->err, ptr_of(p, m->name), "missing_field", NULL);
    } else {
        json_object_set(p->stored, m->name, v);
    }
}

/* ------------------------------------------------------------ the loop */

/* The reader of each kind of member (workflow/defs.h). */
typedef void (*reader)(pctx *p, const wf_member *m, json_t *v);
static const reader READERS[] = {
    [WF_K_TEXT] = read_text,         [WF_K_DATE] = read_date,
    [WF_K_GRADE] = read_number,      [WF_K_CLASS] = read_number,
    [WF_K_SCHOOL] = read_school,     [WF_K_CALLER_SCHOOL] = read_school,
    [WF_K_STUDENTS] = read_students, [WF_K_OUTCOMES] = read_outcomes,
    [WF_K_CHANGES] = read_changes,   [WF_K_FLAG] = read_flag,
    [WF_K_CHOICE] = read_choice,     [WF_K_STUDENT_ID] = read_student_id,
    [WF_K_FILES] = read_files,       [WF_K_ROW_ID] = read_row_id,
    [WF_K_LIST] = read_list,
};

/* Every member of `d` from object `o`, in declaration order. */
static void
read_members(pctx *p, const wf_def *d, json_t *o)
{
    early_wrong_types(p, d, o);
    for (const wf_member *m = d->members; m && m->name; m++) {
        json_t *v = json_object_get(o, m->name);
        if (m->with_method && !method_is(p, m->with_method)) {
            if (v)
                app_err_add(p->err, ptr_of(p, m->name), "unknown_field", NULL);
            continue;
        }
        READERS[m->kind](p, m, v);
    }
    /* required with a method: checked last, a value of a wrong type counting as none */
    for (const wf_member *m = d->members; m && m->name; m++) {
        const char **f = str_field(p->out, m->name);
        if (m->required_with && method_is(p, m->required_with) && f && *f == NULL)
            app_err_add(p->err, ptr_of(p, m->name), "missing_field", NULL);
    }
}

/* Members of `o` that are neither in `allowed` nor members of `d` (NULL: none). */
static void
unknown_members(pctx *p, const wf_def *d, json_t *o, const char *const *allowed)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int known = d && wf_def_member(d, k) != NULL;
        for (const char *const *x = allowed; x && *x && !known; x++)
            known = strcmp(*x, k) == 0;
        if (!known) {
            char ptr[96];
            snprintf(ptr, sizeof(ptr), "%s/%.80s", p->prefix, k);
            app_err_add(p->err, ptr, "unknown_field", NULL);
        }
    }
}

/* ------------------------------------------------------------ the body */

static void
read_comment(pctx *p, const json_t *body)
{
    int bad = 0;
    p->out->comment = str_of(p->a, json_object_get(body, "comment"), &bad);
    if (bad || (p->out->comment && !base_text_visible(p->out->comment, 500)))
        app_err_add(p->err, "/comment", "wrong_type", NULL);
}

/* The student a request is about: an id (integer) or a student number; a
   batch names its students in the payload. */
static void
read_student(pctx *p, const wf_def *d, const json_t *body)
{
    json_t *sv = json_object_get(body, "student");
    if (d != NULL && d->batch) {
        if (sv != NULL)
            app_err_add(p->err, "/student", "unknown_field", NULL);
    } else if (sv == NULL && d != NULL && d->starter == WF_START_STUDENT) {
        return; /* the student's own record */
    } else if (json_is_integer(sv)) {
        p->out->student = app_arena_printf(p->a, "%lld", (long long)json_integer_value(sv));
    } else if (json_is_string(sv) && json_string_length(sv) <= 19) {
        p->out->student = app_arena_strdup(p->a, json_string_value(sv));
    } else {
        app_err_add(p->err, "/student", sv ? "wrong_type" : "missing_field", NULL);
    }
}

static int
not_an_object(app_err *err)
{
    app_err_clear(err);
    app_err_set(err, APP_EINVAL, "wrong_type", NULL);
    app_err_field(err, "");
    return APP_EINVAL;
}

/* The stored members as text, or APP_EINVAL when an item was added. */
static int
finish(pctx *p)
{
    int bad = p->err->nitems > 0;
    char *s = bad ? NULL : json_dumps(p->stored, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(p->stored);
    if (bad)
        return APP_EINVAL;
    p->out->payload_json = app_arena_strdup(p->a, s ? s : "{}");
    free(s);
    return 0;
}

int
wf_start_parse(const json_t *body, const char *caller_org, app_arena *a, wf_start *out,
               app_err *err)
{
    static const char *const TOP[] = {"type", "student", "payload", "comment", "evidence", NULL};
    memset(out, 0, sizeof(*out));
    if (!json_is_object(body))
        return not_an_object(err);
    json_t *b = (json_t *)body;
    pctx p = {a, caller_org, "", out, json_object(), err};
    unknown_members(&p, NULL, b, TOP);
    int bad = 0;
    out->type = str_of(a, json_object_get(b, "type"), &bad);
    const wf_def *d = wf_def_find(out->type);
    if (d == NULL || d->starter == WF_START_NONE || d->starter == WF_START_PROBLEM)
        app_err_add(err, "/type", out->type ? "invalid_request_type" : "missing_field", NULL);
    read_student(&p, d, b);
    read_comment(&p, b);
    read_file_ids(&p, "/evidence", json_object_get(b, "evidence"), 1);
    json_t *pl = json_object_get(b, "payload");
    if (pl != NULL && !json_is_object(pl)) {
        app_err_add(err, "/payload", "wrong_type", NULL);
        pl = NULL;
    }
    if (d != NULL) {
        /* registration and problem resolutions take no payload here */
        const wf_def *pd = d->starter == WF_START_NONE || d->body_members ? NULL : d;
        json_t *empty = pl ? NULL : json_object();
        p.prefix = "/payload";
        if (pd)
            read_members(&p, pd, pl ? pl : empty);
        unknown_members(&p, pd, pl ? pl : empty, NULL);
        json_decref(empty);
    }
    return finish(&p);
}

int
wf_resolution_parse(const json_t *body, long long problem_id, app_arena *a, wf_start *out,
                    app_err *err)
{
    memset(out, 0, sizeof(*out));
    out->type = "problem_resolution";
    out->problem_id = problem_id;
    if (!json_is_object(body))
        return not_an_object(err);
    json_t *b = (json_t *)body;
    const wf_def *d = wf_def_find(out->type);
    pctx p = {a, NULL, "", out, json_object(), err};
    unknown_members(&p, d, b, NULL);
    read_members(&p, d, b);
    return finish(&p);
}

/* ------------------------------------------------------------ storing */

const char *
wf_payload_with(app_arena *a, const char *json, const char *key, json_t *value)
{
    json_t *o = json_loads(json ? json : "{}", 0, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        o = json_object();
    }
    json_object_set_new(o, key, value);
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    const char *t = app_arena_strdup(a, s ? s : "{}");
    free(s);
    return t;
}

const char *
wf_payload_stored(const core_op *op, const wf_def *d, const wf_start *a)
{
    const char *json = a->payload_json ? a->payload_json : "{}";
    for (const wf_member *m = d->members; m && m->name; m++) {
        if (!m->sealed ||
            (m->with_method && !(a->method && strcmp(a->method, m->with_method) == 0)))
            continue;
        const char *sealed = core_changes_seal(op, &a->changes, a->present);
        return wf_payload_with(op->arena, json, "sealed", json_string(sealed));
    }
    return json;
}
