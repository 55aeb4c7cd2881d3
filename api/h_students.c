/*
 * api/h_students.c - the student registry over HTTP (API.md "Students"):
 * registration, list, read (masked or revealed) and edit; history, look-up,
 * photos, check-ins and the change feed are in api/h_student_activity.c.
 *
 * JSON in and out walk the field catalog (core/record.h): a top-level member
 * per student field, `family` an array of up to two member objects. The
 * operations themselves are core/student.h; this file only turns JSON and
 * query strings into their inputs and their results into JSON.
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "base/buf.h"
#include "base/jw.h"
#include "core/request.h"
#include "core/student.h"
#include "workflow/defs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Members a client reads but never writes. */
static const char *const server_set[] = {"id",    "school",       "school_name", "student_number",
                                         "state", "version",      "created_at",  "updated_at",
                                         "photo", "verification", "revealed",    NULL};

static int
listed(const char *const *v, const char *k)
{
    for (; *v; v++)
        if (strcmp(*v, k) == 0)
            return 1;
    return 0;
}

static int
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * One JSON value into a catalog field: strings as given; numbers where the
 * field is numeric (distance, grade, class); null clears. Reports wrong_type.
 */
static void
take(api_call *c, app_err *e, int i, json_t *v, core_record *r, unsigned char *present)
{
    const core_field *f = &core_fields[i];
    char p[64];
    core_field_pointer(i, p, sizeof(p));
    present[i] = 1;
    if (json_is_null(v)) {
        r->v[i] = NULL;
        return;
    }
    if (json_is_string(v)) {
        if (strlen(json_string_value(v)) != json_string_length(v)) {
            app_err_add(e, p, "wrong_type", NULL);
            return;
        }
        r->v[i] = app_arena_strdup(c->arena, json_string_value(v));
        return;
    }
    int numeric = f->kind == CORE_FK_KM || f->kind == CORE_FK_GRADE || f->kind == CORE_FK_CLASSNO;
    if (numeric && json_is_integer(v)) {
        r->v[i] = app_arena_printf(c->arena, "%lld", (long long)json_integer_value(v));
        return;
    }
    if (f->kind == CORE_FK_KM && json_is_real(v)) {
        double x = json_real_value(v);
        if (!(x >= 0 && x < 1e6)) {
            /* far outside 0..999.9 (1e60 would not even fit the rounding's
               long long): kept as written, for the record's check to refuse */
            r->v[i] = app_arena_printf(c->arena, "%.6g", x);
            return;
        }
        double t = x * 10;
        long long k = (long long)(t + 0.5);
        /* one decimal exactly: 2.5 -> "2.5"; 2.55 stays as written and is refused */
        r->v[i] = (t - (double)k < 1e-9 && (double)k - t < 1e-9)
                      ? app_arena_printf(c->arena, "%lld.%lld", k / 10, k % 10)
                      : app_arena_printf(c->arena, "%.6g", x);
        return;
    }
    app_err_add(e, p, "wrong_type", NULL);
}

/*
 * The body of POST (all fields) or PATCH (the fields present). `family`
 * replaces both members: absent members are cleared.
 */
int
api_record_from_json(api_call *c, core_record *r, unsigned char *present, app_err *e)
{
    memset(r, 0, sizeof(*r));
    memset(present, 0, CORE_NFIELDS);
    if (!json_is_object(c->json)) {
        app_err_add(e, "", "wrong_type", NULL);
        return -1;
    }
    const char *k;
    json_t *v;
    json_object_foreach(c->json, k, v)
    {
        char p[80];
        snprintf(p, sizeof(p), "/%s", k);
        if (strcmp(k, "family") == 0) {
            for (int i = CORE_R_F1; i < CORE_NFIELDS; i++) {
                present[i] = 1;
                r->v[i] = NULL;
            }
            if (json_is_null(v))
                continue;
            if (!json_is_array(v)) {
                app_err_add(e, "/family", "wrong_type", NULL);
                continue;
            }
            if (json_array_size(v) > CORE_FAMILY_MAX) {
                app_err_add(e, "/family", "too_many_items", "2");
                continue;
            }
            size_t m;
            json_t *mo;
            json_array_foreach(v, m, mo)
            {
                if (!json_is_object(mo)) {
                    snprintf(p, sizeof(p), "/family/%zu", m);
                    app_err_add(e, p, "wrong_type", NULL);
                    continue;
                }
                const char *mk;
                json_t *mv;
                json_object_foreach(mo, mk, mv)
                {
                    int i = core_field_index((int)m + 1, mk);
                    if (i < 0) {
                        snprintf(p, sizeof(p), "/family/%zu/%s", m, mk);
                        app_err_add(
                            e, p, ends_with(mk, "_label") ? "field_not_editable" : "unknown_field",
                            NULL);
                        continue;
                    }
                    take(c, e, i, mv, r, present);
                }
            }
            continue;
        }
        int i = core_field_index(0, k);
        if (i < 0 || core_fields[i].flags & CORE_F_READONLY) {
            int ro = i >= 0 || listed(server_set, k) || ends_with(k, "_label");
            app_err_add(e, p, ro ? "field_not_editable" : "unknown_field", NULL);
            continue;
        }
        take(c, e, i, v, r, present);
    }
    return e->nitems ? -1 : 0;
}

/* ---------------------------------------------------------------- output */

/* One field as its JSON member, plus `<name>_label` for a code. */
static void
put_field(jw *w, const core_env *env, int i, const char *v)
{
    const core_field *f = &core_fields[i];
    if (v == NULL) {
        jw_null(w, f->json);
        return;
    }
    if (f->kind == CORE_FK_CLASSNO) {
        jw_int(w, f->json, atoll(v));
    } else if (f->kind == CORE_FK_KM) {
        jw_key(w, f->json); /* the database's numeric text, e.g. 1.5 */
        jw_raw(w, v, strlen(v));
    } else {
        jw_str(w, f->json, v);
    }
    if (f->kind == CORE_FK_CODE) {
        char k[64];
        snprintf(k, sizeof(k), "%s_label", f->json);
        jw_str(w, k, core_codes_label(env->codes, f->table, v));
    }
}

/* A student record as JSON (API.md "Student record fields"). */
static void
student_write(jw *w, const core_student *s)
{
    const core_env *env = api_env();
    jw_obj(w);
    jw_int(w, "id", s->id);
    jw_str(w, "school", s->school);
    if (s->school_name)
        jw_str(w, "school_name", s->school_name);
    jw_str(w, "student_number", s->student_number);
    jw_str(w, "state", s->state);
    const char *sl = core_codes_label(env->codes, "student_state", s->state);
    if (sl)
        jw_str(w, "state_label", sl);
    for (int i = 0; i < CORE_R_F1; i++) {
        if (i == CORE_R_PHOTO) {
            if (s->has_photo) {
                char link[64];
                snprintf(link, sizeof(link), "/api/v1/students/%lld/photo", s->id);
                jw_str(w, "photo", link);
            } else {
                jw_null(w, "photo");
            }
            continue;
        }
        put_field(w, env, i, s->rec.v[i]);
    }
    jw_key(w, "family");
    jw_arr(w);
    for (int m = 0; m < CORE_FAMILY_MAX; m++) {
        int base = CORE_R_F1 + m * CORE_FAMILY_FIELDS, any = 0;
        for (int k = 0; k < CORE_FAMILY_FIELDS; k++)
            any |= s->rec.v[base + k] != NULL;
        if (!any)
            continue;
        jw_elem(w);
        jw_obj(w);
        for (int k = 0; k < CORE_FAMILY_FIELDS; k++)
            put_field(w, env, base + k, s->rec.v[base + k]);
        jw_end(w);
    }
    jw_arr_end(w);
    jw_str(w, "verification", s->verification);
    jw_bool(w, "revealed", s->revealed);
    jw_int(w, "version", s->version);
    jw_str(w, "created_at", s->created_at ? s->created_at : "");
    jw_str(w, "updated_at", s->updated_at ? s->updated_at : "");
    jw_end(w);
}

void
api_student_write(struct jw *w, const struct core_student *s)
{
    student_write(w, s);
}

static void
reply_text(api_call *c, int status, jw *w)
{
    size_t n = 0;
    const char *t = jw_text(w, &n);
    api_reply_raw(c, status, "application/json; charset=utf-8", t, n);
}

static void
reply_student(api_call *c, int status, const core_student *s)
{
    jw w;
    jw_init(&w, c->arena);
    student_write(&w, s);
    reply_text(c, status, &w);
}

/* File ids from a PostgreSQL array literal ("{1,2}", "{}"). */
static json_t *
id_array_json(const char *lit)
{
    json_t *v = json_array();
    for (const char *x = lit ? lit : ""; *x;) {
        char *end;
        if (*x >= '0' && *x <= '9') {
            json_array_append_new(v, json_integer(strtoll(x, &end, 10)));
            x = end;
        } else {
            x++;
        }
    }
    return v;
}

json_t *
api_request_json(const core_request *q)
{
    json_t *steps = json_array();
    for (int i = 0; i < q->nsteps; i++) {
        const db_step *st = &q->steps[i];
        json_t *so = json_pack("{s:i,s:s,s:s,s:s}", "number", st->number, "level", st->level, "org",
                               st->org, "state", st->state);
        json_object_set_new(so, "due_at",
                            st->due_at && *st->due_at ? json_string(st->due_at) : json_null());
        if (st->decided_by)
            json_object_set_new(so, "decided_by", json_integer(st->decided_by));
        if (st->decided_at && *st->decided_at)
            json_object_set_new(so, "decided_at", json_string(st->decided_at));
        if (st->comment)
            json_object_set_new(so, "comment", json_string(st->comment));
        /* a university's office holds it (docs/decisions/0033) */
        if (st->office)
            json_object_set_new(so, "office", json_string(st->office));
        if (st->college)
            json_object_set_new(so, "college", json_integer(atoll(st->college)));
        json_array_append_new(steps, so);
    }
    json_t *payload = json_loads(q->payload_json ? q->payload_json : "{}", 0, NULL);
    json_object_del(payload, "sealed"); /* sealed key-field values stay inside */
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:I,s:s,s:o,s:o,s:o}", "id", (json_int_t)q->id, "type", q->type,
                  "state", q->state, "student", (json_int_t)q->student_id, "school", q->school,
                  "payload", payload ? payload : json_object(), "steps", steps, "current_step",
                  q->current_step ? json_integer(q->current_step) : json_null());
    json_object_set_new(o, "started_org", json_string(q->started_org ? q->started_org : ""));
    json_t *acts = json_array();
    for (int i = 0; i < q->nactions; i++) {
        const db_action *x = &q->actions[i];
        json_t *ao =
            json_pack("{s:s,s:s,s:s}", "action", x->action, "actor_org", x->actor_org, "at", x->at);
        json_object_set_new(ao, "step", x->step ? json_integer(x->step) : json_null());
        if (x->actor_id)
            json_object_set_new(ao, "actor", json_integer(x->actor_id));
        json_object_set_new(ao, "comment", x->comment ? json_string(x->comment) : json_null());
        json_object_set_new(ao, "evidence", id_array_json(x->evidence));
        json_array_append_new(acts, ao);
    }
    json_object_set_new(o, "actions", acts);
    const wf_def *d = wf_def_find(q->type);
    if (d && d->batch) {
        /* a batch names its students; the student of the request is none */
        json_object_set_new(o, "student", json_null());
        json_object_set_new(o, "other_school",
                            q->other_school ? json_string(q->other_school) : json_null());
        json_t *ms = json_array();
        for (int i = 0; i < q->nmembers; i++) {
            const db_member *m = &q->members[i];
            json_t *mo =
                json_pack("{s:I,s:s,s:s,s:s}", "student", (json_int_t)m->student_id, "name",
                          m->name, "student_number", m->student_number, "school", m->school);
            if (m->outcome)
                json_object_set_new(mo, "outcome", json_string(m->outcome));
            if (m->certificate_no)
                json_object_set_new(mo, "certificate_no", json_string(m->certificate_no));
            json_array_append_new(ms, mo);
        }
        json_object_set_new(o, "members", ms);
    } else if (q->other_school) {
        json_object_set_new(o, "other_school", json_string(q->other_school));
    }
    if (q->problem_id)
        json_object_set_new(o, "problem", json_integer(q->problem_id));
    json_object_set_new(o, "version", json_integer(q->version));
    if (q->created_at)
        json_object_set_new(o, "created_at", json_string(q->created_at));
    if (q->updated_at)
        json_object_set_new(o, "updated_at", json_string(q->updated_at));
    return o;
}

/* ---------------------------------------------------------------- POST /students */

typedef struct reg_args {
    core_record rec;
    unsigned char present[CORE_NFIELDS];
    app_err shape; /* JSON shape problems, listed with the record's own */
} reg_args;

static int
job_register(api_call *c, db_conn *db)
{
    reg_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_student s;
    core_request q;
    int warnings = 0;
    c->err = a->shape;
    int rc = core_student_register(db, &op, &a->rec, &s, &q, &warnings, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    json_t *w = json_array();
    if (warnings & CORE_RECORD_WARN_ID_REGION)
        json_array_append_new(w, json_string("id_region_unknown"));
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/students/%lld", s.id);
    api_header(c, "location", loc);
    api_etag(c, s.version);
    json_t *rq = api_request_json(&q);
    char *req = json_dumps(rq, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(rq);
    char *warn = json_dumps(w, JSON_COMPACT);
    json_decref(w);
    jw out;
    jw_init(&out, c->arena);
    jw_obj(&out);
    jw_key(&out, "student");
    student_write(&out, &s);
    jw_json(&out, "request", req ? req : "null");
    jw_json(&out, "warnings", warn ? warn : "[]");
    jw_end(&out);
    free(req);
    free(warn);
    reply_text(c, 201, &out);
    return 0;
}

void
h_student_create(api_call *c)
{
    reg_args *a = app_arena_alloc(c->arena, sizeof(*a));
    app_err_clear(&a->shape);
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    api_record_from_json(c, &a->rec, a->present, &a->shape);
    c->data = a;
    api_submit(c, job_register);
}

/* ---------------------------------------------------------------- GET /students */

static int
job_list(api_call *c, db_conn *db)
{
    core_student_filter *f = c->data;
    core_op op;
    api_op(c, &op);
    int want = f->limit;
    f->limit = want + 1;
    core_student *v;
    int n = 0;
    int rc = core_student_list(db, &op, f, &v, &n, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    int shown = n > want ? want : n;
    jw w;
    jw_init(&w, c->arena);
    jw_obj(&w);
    jw_key(&w, "items");
    jw_arr(&w);
    for (int i = 0; i < shown; i++) {
        jw_elem(&w);
        student_write(&w, &v[i]);
    }
    jw_arr_end(&w);
    if (n > want) {
        char cur[24];
        snprintf(cur, sizeof(cur), "%lld", v[shown - 1].id);
        jw_str(&w, "next_cursor", cur);
    } else {
        jw_null(&w, "next_cursor");
    }
    jw_end(&w);
    reply_text(c, 200, &w);
    return 0;
}

void
h_students_list(api_call *c)
{
    core_student_filter *f = app_arena_alloc(c->arena, sizeof(*f));
    memset(f, 0, sizeof(*f));
    if (api_list_limit(c, &f->limit) != 0)
        return;
    if (api_list_after(c, "cursor", &f->after_id) != 0)
        return;
    const char *v;
    if ((v = api_query(c, "school")) != NULL) {
        if (!api_digits_only(v, 10) || strlen(v) != 10) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/school");
            return;
        }
        f->school = v;
    }
    if ((v = api_query(c, "grade")) != NULL) {
        if (!api_digits_only(v, 2)) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/grade");
            return;
        }
        f->grade = atoi(v);
    }
    if ((v = api_query(c, "class")) != NULL) {
        if (!api_digits_only(v, 2)) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/class");
            return;
        }
        f->class_no = atoi(v);
    }
    const char *st = api_query(c, "status");
    if (st == NULL)
        st = api_query(c, "state");
    if (st != NULL) {
        if (core_codes_label(api_env()->codes, "student_state", st) == NULL) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/status");
            return;
        }
        f->state = st;
    }
    if ((v = api_query(c, "name")) != NULL) {
        if (!base_text_visible(v, 50)) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/name");
            return;
        }
        f->name_prefix = v;
    }
    if ((v = api_query(c, "left_behind")) != NULL) {
        if (core_codes_label(api_env()->codes, "left_behind", v) == NULL) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/left_behind");
            return;
        }
        f->left_behind = v;
    }
    if ((v = api_query(c, "migrant_child")) != NULL) {
        if (core_codes_label(api_env()->codes, "yes_no", v) == NULL) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/migrant_child");
            return;
        }
        f->migrant_child = v;
    }
    c->data = f;
    api_submit(c, job_list);
}

/* ---------------------------------------------------------------- GET /students/{key} */

static int
job_get(api_call *c, db_conn *db)
{
    int reveal = c->data != NULL;
    core_op op;
    api_op(c, &op);
    core_student s;
    int rc = core_student_get(db, &op, api_param(c, "key"), reveal, &s, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_etag(c, s.version);
    if (reveal)
        api_header(c, "cache-control", "no-store");
    reply_student(c, 200, &s);
    return 0;
}

void
h_student_get(api_call *c)
{
    if (api_student_key(c) == NULL)
        return;
    const char *r = api_query(c, "reveal");
    if (r != NULL) {
        if (strcmp(r, "id_number") != 0) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/reveal");
            return;
        }
        /* a staff member scoped to classes or a grade reads, but does not reveal */
        if (c->actor.level == CORE_LEVEL_SCHOOL && c->actor.staff_role != CORE_STAFF_REGISTRAR) {
            api_fail_code(c, APP_EFORBIDDEN, "forbidden", NULL);
            return;
        }
        c->data = c; /* any non-NULL: reveal */
    }
    api_submit(c, job_get);
}

/* ---------------------------------------------------------------- PATCH /students/{key} */

typedef struct patch_args {
    core_record rec;
    unsigned char present[CORE_NFIELDS];
    int if_match;
    app_err shape;
} patch_args;

static int
job_patch(api_call *c, db_conn *db)
{
    patch_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_student s;
    c->err = a->shape;
    int rc = core_student_patch(db, &op, api_param(c, "key"), a->if_match, &a->rec, a->present, &s,
                                &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_etag(c, s.version);
    reply_student(c, 200, &s);
    return 0;
}

void
h_student_patch(api_call *c)
{
    if (api_student_key(c) == NULL)
        return;
    patch_args *a = app_arena_alloc(c->arena, sizeof(*a));
    if (api_if_match(c, &a->if_match) != 0)
        return;
    app_err_clear(&a->shape);
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    api_record_from_json(c, &a->rec, a->present, &a->shape);
    c->data = a;
    api_submit(c, job_patch);
}
