/*
 * api/h_review.c - the body of an action on a request, and batch review
 * (批量审核): POST /api/v1/requests/actions, many actions in one call, each
 * decided as POST /requests/{id}/actions decides it (workflow/review.c).
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "base/buf.h"
#include "workflow/wf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void
add_at(app_err *e, const char *at, const char *member, const char *code)
{
    char p[64];
    snprintf(p, sizeof(p), "%s/%s", at, member);
    app_err_add(e, p, code, NULL);
}

static const char *const ACTIONS[] = {"approve", "reject", "return", "withdraw", "resubmit", NULL};

/* `action` and `step`: withdraw and resubmit are the starter's and take no step. */
static void
action_step(api_call *c, json_t *o, const char *at, wf_act *a, app_err *e)
{
    json_t *v = json_object_get(o, "action");
    if (v == NULL || json_is_null(v)) {
        add_at(e, at, "action", "missing_field");
    } else if (!json_is_string(v)) {
        add_at(e, at, "action", "wrong_type");
    } else {
        a->action = app_arena_strndup(c->arena, json_string_value(v), json_string_length(v));
        int known = 0;
        for (const char *const *x = ACTIONS; *x; x++)
            known |= strcmp(*x, a->action) == 0;
        if (!known)
            add_at(e, at, "action", "invalid_action");
    }
    int stepless =
        a->action && (strcmp(a->action, "withdraw") == 0 || strcmp(a->action, "resubmit") == 0);
    json_t *st = json_object_get(o, "step");
    if (!stepless &&
        (!json_is_integer(st) || json_integer_value(st) < 1 || json_integer_value(st) > 20))
        add_at(e, at, "step", st ? "wrong_type" : "missing_field");
    else
        a->step = stepless ? 0 : (int)json_integer_value(st);
}

/* `score` (成绩复核's last approval, docs/decisions/0043): a number 0..100
   with one decimal at most, or "unchanged"; absent: NULL. */
static void
action_score(api_call *c, json_t *v, const char *at, wf_act *a, app_err *e)
{
    if (v == NULL || json_is_null(v))
        return;
    if (json_is_string(v) && strcmp(json_string_value(v), "unchanged") == 0) {
        a->score = "unchanged";
        return;
    }
    double d = json_is_number(v) ? json_number_value(v) : -1, t = d * 10;
    if (!(d >= 0 && d <= 100) || fabs(t - round(t)) > 1e-6) {
        add_at(e, at, "score", json_is_number(v) ? "invalid_score" : "wrong_type");
        return;
    }
    a->score = app_arena_printf(c->arena, "%.1f", round(t) / 10);
}

int
api_act_parse(api_call *c, json_t *o, const char *at, int item, wf_act *a, app_err *e)
{
    memset(a, 0, sizeof(*a));
    int before = e->nitems;
    if (item) {
        json_t *r = json_object_get(o, "request");
        if (r == NULL || json_is_null(r))
            add_at(e, at, "request", "missing_field");
        else if (!json_is_integer(r) || json_integer_value(r) < 1)
            add_at(e, at, "request", "wrong_type");
        else
            a->request = (long long)json_integer_value(r);
    }
    action_step(c, o, at, a, e);
    json_t *cm = json_object_get(o, "comment");
    if (cm != NULL && !json_is_null(cm)) {
        if (!json_is_string(cm) || !base_text_visible(json_string_value(cm), 500))
            add_at(e, at, "comment", "wrong_type");
        else
            a->comment = app_arena_strdup(c->arena, json_string_value(cm));
    }
    char ev[64];
    snprintf(ev, sizeof(ev), "%s/evidence", at);
    long long *ids;
    api_file_ids(c, json_object_get(o, "evidence"), ev, &ids, &a->nevidence, e);
    a->evidence = ids;
    action_score(c, json_object_get(o, "score"), at, a, e);
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        static const char *const known[] = {"action", "step", "comment", "evidence", "score", NULL};
        int ok = item && strcmp(k, "request") == 0;
        for (const char *const *x = known; !ok && *x; x++)
            ok = strcmp(*x, k) == 0;
        if (!ok)
            add_at(e, at, k, "unknown_field");
    }
    return e->nitems > before || e->nitems >= APP_ERR_MAX_ITEMS ? -1 : 0;
}

/* ---------------------------------------------------------------- POST /requests/actions */

typedef struct review_args {
    wf_act *v;
    int n;
    api_call *c;
    json_t *out;
} review_args;

/* Item i's result: as the single call answers, its status and (failed) code. */
static void
review_one(void *ctx, int i, int rc, const core_request *q, const app_err *e)
{
    review_args *a = ctx;
    json_t *o = json_pack("{s:I}", "request", (json_int_t)a->v[i].request);
    if (rc == 0) {
        json_object_set_new(o, "status", json_integer(200));
        json_object_set_new(o, "state", json_string(q->state));
        json_object_set_new(o, "current_step",
                            q->current_step ? json_integer(q->current_step) : json_null());
        json_object_set_new(o, "version", json_integer(q->version));
    } else {
        char at[32];
        snprintf(at, sizeof(at), "/items/%d", i);
        json_t *p = api_problem_item(a->c, rc, e, at);
        json_object_update(o, p);
        json_decref(p);
    }
    json_array_append_new(a->out, o);
}

static int
job_requests_review(api_call *c, db_conn *db)
{
    review_args *a = c->data;
    core_op op;
    api_op(c, &op);
    a->c = c;
    a->out = json_array();
    int rc = wf_request_review(db, &op, a->v, a->n, review_one, a, &c->err);
    if (rc != 0) {
        json_decref(a->out);
        return rc;
    }
    api_reply_json(c, 200, json_pack("{s:o}", "items", a->out));
    return 0;
}

/* The body {items: [...]}: every shape problem, or the actions in *a. */
static void
review_body(api_call *c, review_args *a, app_err *e)
{
    const char *k;
    json_t *v;
    json_object_foreach(c->json, k, v)
    {
        if (strcmp(k, "items") != 0)
            add_at(e, "", k, "unknown_field");
    }
    json_t *items = json_object_get(c->json, "items");
    if (items == NULL || json_is_null(items) || (json_is_array(items) && !json_array_size(items))) {
        app_err_add(e, "/items", "missing_field", NULL);
        return;
    }
    if (!json_is_array(items)) {
        app_err_add(e, "/items", "wrong_type", NULL);
        return;
    }
    if (json_array_size(items) > WF_REVIEW_MAX) {
        app_err_add(e, "/items", "too_many_items", "500");
        return;
    }
    a->n = (int)json_array_size(items);
    a->v = app_arena_alloc(c->arena, sizeof(wf_act) * (size_t)a->n);
    for (int i = 0; i < a->n && e->nitems < APP_ERR_MAX_ITEMS; i++) {
        char at[32];
        snprintf(at, sizeof(at), "/items/%d", i);
        json_t *x = json_array_get(items, (size_t)i);
        if (!json_is_object(x))
            app_err_add(e, at, "wrong_type", NULL);
        else
            api_act_parse(c, x, at, 1, &a->v[i], e);
    }
}

void
h_requests_review(api_call *c)
{
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    review_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    app_err *e = app_arena_alloc(c->arena, sizeof(*e));
    memset(e, 0, sizeof(*e));
    review_body(c, a, e);
    if (api_fail_items(e) != 0) {
        api_fail(c, e);
        return;
    }
    c->data = a;
    api_submit(c, job_requests_review);
}
