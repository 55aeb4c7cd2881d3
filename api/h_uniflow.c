/*
 * api/h_uniflow.c - POST /requests/{id}/confirmations: the national
 * platform's electronic registration (学信网电子注册) confirms or refuses a
 * university's major transfer (docs/decisions/0033, workflow/wf.h
 * wf_request_confirm). Sent by a service client of the university's
 * province, or entered by the university's student affairs office.
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "base/buf.h"
#include "workflow/wf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *api_request_json(const core_request *q);

static int
job_request_confirm(api_call *c, db_conn *db)
{
    wf_confirm *a = c->data;
    core_op op;
    api_op(c, &op);
    core_request q;
    int rc = wf_request_confirm(db, &op, a, &q, &c->err);
    if (rc != 0) {
        if (rc == APP_EINVAL && c->err.nitems > 0 && c->err.slug == NULL)
            api_fail_items(&c->err);
        return rc;
    }
    api_etag(c, q.version);
    api_reply_json(c, 200, api_request_json(&q));
    return 0;
}

/* Member `k` of the body: a visible text of at most `max` characters, or absent. */
static const char *
text_member(api_call *c, const char *k, size_t max, app_err *e)
{
    json_t *v = json_object_get(c->json, k);
    if (v == NULL || json_is_null(v))
        return NULL;
    if (!json_is_string(v) || !base_text_visible(json_string_value(v), max)) {
        char ptr[32];
        snprintf(ptr, sizeof(ptr), "/%s", k);
        app_err_add(e, ptr, "wrong_type", NULL);
        return NULL;
    }
    return app_arena_strdup(c->arena, json_string_value(v));
}

void
h_request_confirm(api_call *c)
{
    const char *v = api_param(c, "id");
    long long id = v ? atoll(v) : 0;
    if (v == NULL || strlen(v) > 18 || strspn(v, "0123456789") != strlen(v) || id <= 0) {
        api_fail_code(c, APP_ENOTFOUND, "request_not_found", NULL);
        return;
    }
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    app_err *e = app_arena_alloc(c->arena, sizeof(*e));
    memset(e, 0, sizeof(*e));
    wf_confirm *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    a->request = id;
    a->by_client = c->client_id != NULL;
    const char *k;
    json_t *x;
    json_object_foreach(c->json, k, x)
    {
        if (strcmp(k, "result") != 0 && strcmp(k, "reference") != 0 && strcmp(k, "comment") != 0) {
            char ptr[96];
            snprintf(ptr, sizeof(ptr), "/%.80s", k);
            app_err_add(e, ptr, "unknown_field", NULL);
        }
    }
    a->result = text_member(c, "result", 16, e);
    if (json_object_get(c->json, "result") == NULL)
        app_err_add(e, "/result", "missing_field", NULL);
    a->reference = text_member(c, "reference", 64, e);
    a->comment = text_member(c, "comment", 500, e);
    if (api_fail_items(e) != 0) {
        api_fail(c, e);
        return;
    }
    c->data = a;
    api_submit(c, job_request_confirm);
}
