/*
 * api/h_intake.c - the graduate pool over HTTP (毕业库, API.md "Graduate
 * pool", docs/decisions/0027): POST /graduate-pool/search. The search names
 * one person, so its document (or name and birth date) travels in the body,
 * as POST /students/lookup does, never in a URL or a log line. Claims are
 * the request type intake_claim of POST /requests (api/h_requests.c).
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "core/intake.h"

#include <stdio.h>
#include <string.h>

static int
job_pool_search(api_call *c, db_conn *db)
{
    const core_pool_query *q = c->data;
    core_op op;
    api_op(c, &op);
    core_pool_hit *h = NULL;
    int n = 0;
    int rc = core_pool_search(db, &op, q, &h, &n, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            items,
            json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "student", (json_int_t)h[i].id,
                      "name", h[i].name, "gender", h[i].gender, "birth_date", h[i].birth_date,
                      "id_number", h[i].id_number, "student_number", h[i].student_number, "school",
                      h[i].school, "school_name", h[i].school_name, "grade",
                      app_arena_printf(c->arena, "%02d", h[i].grade), "intake_grade",
                      app_arena_printf(c->arena, "%02d", h[i].intake_grade)));
    api_reply_json(c, 200, json_pack("{s:o}", "items", items));
    return 0;
}

void
h_pool_search(api_call *c)
{
    static const char *const allowed[] = {"id_type", "id_number", "name", "birth_date", NULL};
    app_err e = {0};
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(c->json, k, v)
    {
        int known = 0;
        for (const char *const *a = allowed; *a; a++)
            known |= strcmp(*a, k) == 0;
        if (!known) {
            char p[80];
            snprintf(p, sizeof(p), "/%.70s", k);
            app_err_add(&e, p, "unknown_field", NULL);
        }
    }
    if (api_fail_items(&e) != 0) {
        api_fail(c, &e);
        return;
    }
    core_pool_query *q = app_arena_alloc(c->arena, sizeof(*q));
    memset(q, 0, sizeof(*q));
    q->id_type = api_body_string(c, "id_type", 0);
    q->id_number = api_body_string(c, "id_number", 0);
    q->name = api_body_string(c, "name", 0);
    q->birth_date = api_body_string(c, "birth_date", 0);
    if (c->failed)
        return;
    c->data = q;
    api_submit(c, job_pool_search);
}
