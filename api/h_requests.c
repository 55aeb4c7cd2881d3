/*
 * api/h_requests.c - requests and their approval steps (API.md "Requests").
 * The engine is workflow/wf.h; registration is the first request type.
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "base/buf.h"
#include "workflow/payload.h"
#include "workflow/problem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

json_t *api_request_json(const core_request *q);

static long long
path_id(api_call *c)
{
    const char *v = api_param(c, "id");
    size_t n = v ? strlen(v) : 0;
    int ok = n > 0 && n <= 18;
    for (size_t i = 0; ok && i < n; i++)
        ok = v[i] >= '0' && v[i] <= '9';
    /* 0 is no request, and callers take 0 for "failed": it must fail here too */
    if (ok && atoll(v) == 0)
        ok = 0;
    if (!ok) {
        api_fail_code(c, APP_ENOTFOUND, "request_not_found", NULL);
        return 0;
    }
    return atoll(v);
}

static int
job_request_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    core_request q;
    int rc = wf_request_get(db, &op, atoll(api_param(c, "id")), &q, &c->err);
    if (rc != 0)
        return rc;
    api_etag(c, q.version);
    api_reply_json(c, 200, api_request_json(&q));
    return 0;
}

void
h_request_get(api_call *c)
{
    if (path_id(c) == 0)
        return;
    api_submit(c, job_request_get);
}

static int
job_request_act(api_call *c, db_conn *db)
{
    wf_act *a = c->data;
    core_op op;
    api_op(c, &op);
    core_request q;
    a->request = atoll(api_param(c, "id"));
    int rc = wf_request_act_on(db, &op, a, &q, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_etag(c, q.version);
    api_reply_json(c, 200, api_request_json(&q));
    return 0;
}

void
h_request_act(api_call *c)
{
    if (path_id(c) == 0)
        return;
    wf_act *a = app_arena_alloc(c->arena, sizeof(*a));
    app_err *e = app_arena_alloc(c->arena, sizeof(*e));
    memset(e, 0, sizeof(*e));
    /* the first problem, as this call always answered */
    if (api_act_parse(c, c->json, "", 0, a, e) != 0) {
        api_fail_code(c, APP_EINVAL, e->items[0].code, e->items[0].field);
        return;
    }
    c->data = a;
    api_submit(c, job_request_act);
}

/* ---------------------------------------------------------------- POST /requests */

static int
job_request_start(api_call *c, db_conn *db)
{
    wf_start *a = c->data;
    core_op op;
    api_op(c, &op);
    core_request q;
    int rc = wf_request_start(db, &op, a, &q, &c->err);
    if (rc != 0) {
        if (rc == APP_EINVAL && c->err.nitems > 0 && c->err.slug == NULL)
            api_fail_items(&c->err);
        return rc;
    }
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/requests/%lld", q.id);
    api_header(c, "location", loc);
    api_etag(c, q.version);
    api_reply_json(c, 201, api_request_json(&q));
    return 0;
}

/* Submit a start that workflow/payload.c read from the body, or fail with its items. */
static void
submit_start(api_call *c, wf_start *a, int rc, app_err *e)
{
    if (rc != 0) {
        api_fail_items(e);
        api_fail(c, e);
        return;
    }
    c->data = a;
    api_submit(c, job_request_start);
}

void
h_request_create(api_call *c)
{
    wf_start *a = app_arena_alloc(c->arena, sizeof(*a));
    app_err e = {0};
    int rc = wf_start_parse(c->json, c->actor.org, c->arena, a, &e);
    submit_start(c, a, rc, &e);
}

/* ---------------------------------------------------------------- GET /requests */

typedef struct list_args {
    const char *box, *state, *type;
    long long after;
    int limit;
} list_args;

static int
job_request_list(api_call *c, db_conn *db)
{
    list_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_request *v;
    int n = 0;
    int rc = wf_request_list(db, &op, a->box, a->state, a->type, a->after, a->limit + 1, &v, &n,
                             &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    int shown = n > a->limit ? a->limit : n;
    char now[24];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
    for (int i = 0; i < shown; i++) {
        json_t *o = api_request_json(&v[i]);
        int overdue = 0;
        if (v[i].current_step > 0 && v[i].current_step <= v[i].nsteps) {
            const db_step *st = &v[i].steps[v[i].current_step - 1];
            overdue = st->due_at && st->due_at[0] && strcmp(st->due_at, now) < 0 &&
                      strcmp(v[i].state, "open") == 0;
            json_object_set_new(
                o, "due_at", st->due_at && st->due_at[0] ? json_string(st->due_at) : json_null());
            /* inside a university the superior is an office (docs/decisions/0033) */
            const char *office = core_staff_role_name(c->actor.staff_role);
            int mine = st->escalate_office == NULL ||
                       (office != NULL && strcmp(st->escalate_office, office) == 0);
            json_object_set_new(o, "escalated",
                                json_boolean(overdue && mine && st->escalate_to &&
                                             strcmp(st->escalate_to, c->actor.org) == 0));
        }
        json_object_set_new(o, "overdue", json_boolean(overdue));
        json_array_append_new(items, o);
    }
    json_t *next = n > a->limit ? json_sprintf("%lld", v[shown - 1].id) : json_null();
    api_reply_json(c, 200, json_pack("{s:o,s:o}", "items", items, "next_cursor", next));
    return 0;
}

void
h_requests_list(api_call *c)
{
    list_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    if (api_list_limit(c, &a->limit) != 0)
        return;
    a->box = api_query(c, "box");
    if (a->box == NULL)
        a->box = "todo";
    if (strcmp(a->box, "todo") && strcmp(a->box, "mine") && strcmp(a->box, "all")) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/box");
        return;
    }
    a->state = api_query(c, "state");
    static const char *const states[] = {"open",      "returned", "approved",   "rejected",
                                         "withdrawn", "reverted", "superseded", NULL};
    int ok = a->state == NULL;
    for (const char *const *s = states; !ok && *s; s++)
        ok = strcmp(*s, a->state) == 0;
    if (!ok) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/state");
        return;
    }
    a->type = api_query(c, "type");
    if (a->type && wf_def_find(a->type) == NULL) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/type");
        return;
    }
    if (api_list_after(c, "cursor", &a->after) != 0)
        return;
    c->data = a;
    api_submit(c, job_request_list);
}

/* ---------------------------------------------------------------- revert */

static int
job_request_revert(api_call *c, db_conn *db)
{
    const char *comment = c->data;
    core_op op;
    api_op(c, &op);
    core_request q;
    int rc = wf_request_revert(db, &op, atoll(api_param(c, "id")), comment, &q, &c->err);
    if (rc != 0)
        return rc;
    api_reply_json(c, 200, api_request_json(&q));
    return 0;
}

void
h_request_revert(api_call *c)
{
    if (path_id(c) == 0)
        return;
    const char *comment = NULL;
    json_t *cm = c->json ? json_object_get(c->json, "comment") : NULL;
    if (cm && !json_is_null(cm)) {
        if (!json_is_string(cm) || !base_text_visible(json_string_value(cm), 500)) {
            api_fail_code(c, APP_EINVAL, "wrong_type", "/comment");
            return;
        }
        comment = app_arena_strdup(c->arena, json_string_value(cm));
    }
    c->data = (void *)comment;
    api_submit(c, job_request_revert);
}

/* ---------------------------------------------------------------- GET /workflows */

void
h_workflows(api_call *c)
{
    json_t *items = json_array();
    for (int i = 0; i < wf_ndefs; i++) {
        const wf_def *d = &wf_defs[i];
        json_t *from = json_array(), *steps = json_array();
        for (const char *const *s = d->from; *s; s++)
            json_array_append_new(from, json_string(*s));
        for (int k = 0; k < WF_MAX_STEPS && d->steps[k] != WF_H_NONE; k++)
            json_array_append_new(steps,
                                  json_pack("{s:s,s:s}", "holder", wf_holder_name(d->steps[k]),
                                            "label", wf_holder_label(d->steps[k])));
        json_t *o =
            json_pack("{s:s,s:s,s:o,s:s,s:o,s:s,s:b,s:b}", "type", d->type, "label", d->label,
                      "from_states", from, "started_by", wf_starter_name(d->starter), "steps",
                      steps, "effect", wf_effect_name(d->effect), "evidence_required",
                      d->evidence_required, "revertible", d->revertible);
        json_object_set_new(o, "to_state", d->to_state ? json_string(d->to_state) : json_null());
        if (d->senior_only)
            json_object_set_new(o, "senior_secondary_only", json_true());
        if (d->batch)
            json_object_set_new(o, "batch", json_true()); /* many students: `members` */
        json_array_append_new(items, o);
    }
    api_reply_json(c, 200, json_pack("{s:o}", "items", items));
}

/* ---------------------------------------------------------------- POST /files */

#define FILE_MAX_BYTES (2 * 1024 * 1024)

/* Evidence by its bytes (DOMAIN rule 19): JPEG, PNG or PDF. */
static const char *
sniff(const unsigned char *b, size_t n)
{
    if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        return "image/jpeg";
    if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "image/png";
    if (n >= 5 && memcmp(b, "%PDF-", 5) == 0)
        return "application/pdf";
    return NULL;
}

static int
job_file_create(api_call *c, db_conn *db)
{
    const char *mime = c->data;
    core_op op;
    api_op(c, &op);
    long long id = 0;
    int rc = wf_evidence_upload(db, &op, mime, (const unsigned char *)c->body, c->body_len, &id,
                                &c->err);
    if (rc != 0)
        return rc;
    api_reply_json(c, 201,
                   json_pack("{s:I,s:s,s:I}", "id", (json_int_t)id, "type", mime, "size",
                             (json_int_t)c->body_len));
    return 0;
}

void
h_file_create(api_call *c)
{
    if (c->body_len > FILE_MAX_BYTES) {
        api_fail_code(c, APP_ETOOLARGE, "file_too_large", NULL);
        return;
    }
    const char *mime = sniff((const unsigned char *)c->body, c->body_len);
    if (mime == NULL) {
        api_fail_code(c, APP_EINVAL, "file_bad_format", NULL);
        return;
    }
    c->data = (void *)mime;
    api_submit(c, job_file_create);
}

/* ---------------------------------------------------------------- problems */

static json_t *
problem_json(const db_problem *p)
{
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)p->id, "kind", p->kind,
                  "state", p->state, "student", (json_int_t)p->student_id, "school", p->school,
                  "authority", p->authority, "reason", p->reason, "created_at", p->created_at);
    /* the other party, when there is one (a duplicate across two schools) */
    json_object_set_new(o, "other_student",
                        p->other_student_id ? json_integer(p->other_student_id) : json_null());
    json_object_set_new(o, "other_school",
                        p->other_school && p->other_school[0] ? json_string(p->other_school)
                                                              : json_null());
    /* evidence ids from the array literal "{1,2}" */
    json_t *ev = json_array();
    for (const char *x = p->evidence ? p->evidence : ""; *x; x++)
        if (*x >= '0' && *x <= '9') {
            json_array_append_new(ev, json_integer(strtoll(x, (char **)&x, 10)));
            x--;
        }
    json_object_set_new(o, "evidence", ev);
    json_object_set_new(o, "resolution", p->resolution ? json_string(p->resolution) : json_null());
    json_object_set_new(o, "resolved_by_request",
                        p->resolved_by_request ? json_integer(p->resolved_by_request)
                                               : json_null());
    return o;
}

static long long
problem_path_id(api_call *c)
{
    const char *v = api_param(c, "id");
    size_t n = v ? strlen(v) : 0;
    if (n == 0 || n > 18 || strspn(v, "0123456789") != n || atoll(v) == 0) {
        api_fail_code(c, APP_ENOTFOUND, "problem_not_found", NULL);
        return 0;
    }
    return atoll(v);
}

typedef struct evidence_args {
    long long *files;
    int n;
} evidence_args;

static int
job_problem_evidence(api_call *c, db_conn *db)
{
    evidence_args *a = c->data;
    core_op op;
    api_op(c, &op);
    db_problem p;
    int rc =
        wf_problem_add_evidence(db, &op, atoll(api_param(c, "id")), a->files, a->n, &p, &c->err);
    if (rc != 0) {
        if (rc == APP_EINVAL && c->err.nitems > 0 && c->err.slug == NULL)
            api_fail_items(&c->err);
        return rc;
    }
    api_reply_json(c, 200, problem_json(&p));
    return 0;
}

void
h_problem_evidence(api_call *c)
{
    if (problem_path_id(c) == 0)
        return;
    evidence_args *a = app_arena_alloc(c->arena, sizeof(*a));
    app_err e = {0};
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(c->json, k, v)
    {
        if (strcmp(k, "files") != 0) {
            char p[80];
            snprintf(p, sizeof(p), "/%s", k);
            app_err_add(&e, p, "unknown_field", NULL);
        }
    }
    json_t *f = json_object_get(c->json, "files");
    if (f == NULL || (json_is_array(f) && json_array_size(f) == 0))
        app_err_add(&e, "/files", "missing_field", NULL);
    else
        api_file_ids(c, f, "/files", &a->files, &a->n, &e);
    if (api_fail_items(&e) != 0) {
        api_fail(c, &e);
        return;
    }
    c->data = a;
    api_submit(c, job_problem_evidence);
}

void
h_problem_resolve(api_call *c)
{
    if (problem_path_id(c) == 0)
        return;
    wf_start *a = app_arena_alloc(c->arena, sizeof(*a));
    app_err e = {0};
    int rc = wf_resolution_parse(c->json, atoll(api_param(c, "id")), c->arena, a, &e);
    submit_start(c, a, rc, &e);
}

/* ---------------------------------------------------------------- GET /problems */

typedef struct problems_args {
    const char *state;
    long long after;
    int limit;
} problems_args;

static int
job_problems(api_call *c, db_conn *db)
{
    problems_args *a = c->data;
    core_op op;
    api_op(c, &op);
    db_problem *v;
    int n = 0;
    int rc = wf_problem_list(db, &op, a->state, a->after, a->limit + 1, &v, &n, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    int shown = n > a->limit ? a->limit : n;
    for (int i = 0; i < shown; i++)
        json_array_append_new(items, problem_json(&v[i]));
    json_t *next = n > a->limit ? json_sprintf("%lld", v[shown - 1].id) : json_null();
    api_reply_json(c, 200, json_pack("{s:o,s:o}", "items", items, "next_cursor", next));
    return 0;
}

void
h_problems_list(api_call *c)
{
    problems_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    if (api_list_limit(c, &a->limit) != 0)
        return;
    a->state = api_query(c, "state");
    if (a->state && strcmp(a->state, "open") != 0 && strcmp(a->state, "resolved") != 0) {
        api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/state");
        return;
    }
    if (api_list_after(c, "cursor", &a->after) != 0)
        return;
    c->data = a;
    api_submit(c, job_problems);
}
