/*
 * api/h_requests.c - requests and their approval steps (API.md "Requests").
 * The engine is workflow/wf.h; registration is the first request type.
 */
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/registry.h"
#include "workflow/wf.h"

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

typedef struct act_args {
    const char *action, *comment;
    int step;
} act_args;

static int
job_request_act(api_call *c, db_conn *db)
{
    act_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_request q;
    int rc = wf_request_act(db, &op, atoll(api_param(c, "id")), a->action, a->step, a->comment,
                            &q, &c->err);
    if (rc != 0)
        return rc;
    api_etag(c, q.version);
    api_reply_json(c, 200, api_request_json(&q));
    return 0;
}

void
h_request_act(api_call *c)
{
    if (path_id(c) == 0)
        return;
    act_args *a = app_arena_alloc(c->arena, sizeof(*a));
    if ((a->action = api_body_string(c, "action", 1)) == NULL)
        return;
    if (strcmp(a->action, "approve") != 0 && strcmp(a->action, "reject") != 0) {
        api_fail_code(c, APP_EINVAL, "invalid_action", "/action");
        return;
    }
    json_t *st = json_object_get(c->json, "step");
    if (!json_is_integer(st) || json_integer_value(st) < 1 || json_integer_value(st) > 20) {
        api_fail_code(c, APP_EINVAL, st ? "wrong_type" : "missing_field", "/step");
        return;
    }
    a->step = (int)json_integer_value(st);
    json_t *cm = json_object_get(c->json, "comment");
    if (cm != NULL && !json_is_null(cm)) {
        if (!json_is_string(cm) || !api_valid_text(json_string_value(cm), 500)) {
            api_fail_code(c, APP_EINVAL, "wrong_type", "/comment");
            return;
        }
        a->comment = app_arena_strdup(c->arena, json_string_value(cm));
    }
    c->data = a;
    api_submit(c, job_request_act);
}
