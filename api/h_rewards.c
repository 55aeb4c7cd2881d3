/*
 * api/h_rewards.c - GET and POST /students/{key}/rewards: the record's
 * rewards and punishments (奖惩, core/reward.h). Removal goes through a
 * `reward_removal` request (POST /requests).
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "core/reward.h"

#include <stdio.h>
#include <string.h>

static json_t *
reward_json(const db_reward *r)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)r->id, "school",
                          r->school, "kind", r->kind, "date", r->date, "issuer", r->issuer, "text",
                          r->text, "created_at", r->created_at);
    json_object_set_new(o, "removed", json_boolean(r->removed_at != NULL));
    if (r->removed_at) {
        json_object_set_new(o, "removed_at", json_string(r->removed_at));
        json_object_set_new(o, "removed_by_request", json_integer(r->removed_by));
    }
    return o;
}

static int
job_list(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_reward *v;
    int n = 0;
    int rc = core_reward_list(db, &op, api_param(c, "key"), &v, &n, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, reward_json(&v[i]));
    api_reply_json(c, 200, json_pack("{s:o}", "items", items));
    return 0;
}

void
h_student_rewards_list(api_call *c)
{
    if (api_student_key(c) == NULL)
        return;
    api_submit(c, job_list);
}

static int
job_add(api_call *c, db_conn *db)
{
    core_reward_in *in = c->data;
    core_op op;
    api_op(c, &op);
    db_reward r;
    int rc = core_reward_add(db, &op, api_param(c, "key"), in, &r, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_reply_json(c, 201, reward_json(&r));
    return 0;
}

void
h_student_reward_create(api_call *c)
{
    static const char *const members[] = {"kind", "date", "issuer", "text"};
    if (api_student_key(c) == NULL)
        return;
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    core_reward_in *in = app_arena_alloc(c->arena, sizeof(*in));
    const char **slot[] = {&in->kind, &in->date, &in->issuer, &in->text};
    app_err e = {0};
    const char *k;
    json_t *v;
    json_object_foreach(c->json, k, v)
    {
        size_t i = 0;
        while (i < 4 && strcmp(members[i], k) != 0)
            i++;
        char ptr[80];
        snprintf(ptr, sizeof(ptr), "/%.64s", k);
        if (i == 4)
            app_err_add(&e, ptr, "unknown_field", NULL);
        else if (json_is_string(v))
            *slot[i] = app_arena_strndup(c->arena, json_string_value(v), json_string_length(v));
        else if (!json_is_null(v))
            app_err_add(&e, ptr, "wrong_type", NULL);
    }
    if (api_fail_items(&e) != 0) {
        api_fail(c, &e);
        return;
    }
    c->data = in;
    api_submit(c, job_add);
}
