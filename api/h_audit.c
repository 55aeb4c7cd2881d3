/*
 * api/h_audit.c - GET /api/v1/audit (API.md "Sync, audit, operations"): the
 * audit trail within the caller's scope, newest first, one keyset page at a
 * time, with the seal each row belongs to and personal numbers masked. The
 * rules are core/audit_read.h's; this file parses the query and writes JSON.
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "core/audit_read.h"
#include "core/stuno.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- the answer */

/* Mask, in place, every string of `j` that names or looks like a personal
   number; `key` is the member name that `j` is the value of (NULL: none). */
static void
mask_json(json_t *j, const char *key)
{
    char masked[64];
    const char *k;
    json_t *v;
    size_t i;
    if (json_is_object(j)) {
        json_object_foreach(j, k, v)
        {
            if (json_is_string(v) &&
                core_audit_mask_value(k, json_string_value(v), masked, sizeof(masked)))
                json_object_set_new(j, k, json_string(masked));
            else
                mask_json(v, k);
        }
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, v)
        {
            if (json_is_string(v) &&
                core_audit_mask_value(key, json_string_value(v), masked, sizeof(masked)))
                json_array_set_new(j, i, json_string(masked));
            else
                mask_json(v, key);
        }
    }
}

static json_t *
str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *
seal_json(const db_audit_row *r)
{
    if (r->seq > 0 && r->seal_id > 0)
        return json_pack("{s:s,s:I,s:I}", "state", "sealed", "seq", (json_int_t)r->seq, "id",
                         (json_int_t)r->seal_id);
    json_t *o = json_pack("{s:s}", "state", "unsealed");
    if (r->seq > 0) /* numbered, but no seal covers it: `xuejictl audit verify` names it */
        json_object_set_new(o, "seq", json_integer(r->seq));
    return o;
}

static json_t *
entry_json(const db_audit_row *r)
{
    json_t *detail = json_loads(r->detail_json, 0, NULL);
    if (!json_is_object(detail)) { /* the column is an object; never show raw text */
        json_decref(detail);
        detail = json_object();
    }
    mask_json(detail, NULL);
    json_t *target = json_null();
    if (r->target_type != NULL || r->target_id != NULL) {
        char masked[64];
        const char *tid = r->target_id;
        if (tid != NULL && core_audit_mask_value(NULL, tid, masked, sizeof(masked)))
            tid = masked;
        target =
            json_pack("{s:o,s:o}", "type", str_or_null(r->target_type), "id", str_or_null(tid));
    }
    json_t *actor =
        json_pack("{s:o,s:o}", "id", r->actor_id > 0 ? json_integer(r->actor_id) : json_null(),
                  "org", str_or_null(r->actor_org));
    return json_pack("{s:I,s:s,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:s,s:o}", "id", (json_int_t)r->id, "at",
                     r->at, "actor", actor, "action", r->action, "target", target, "request_id",
                     str_or_null(r->request_id), "ip", str_or_null(r->ip), "user_agent",
                     str_or_null(r->user_agent), "detail", detail, "hash", r->hash, "seal",
                     seal_json(r));
}

static int
job_audit_list(api_call *c, db_conn *db)
{
    core_audit_filter *f = c->data;
    core_op op;
    api_op(c, &op);
    core_audit_page page;
    int rc = core_audit_list(db, &op, f, &page, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    json_t *items = json_array();
    for (int i = 0; i < page.n; i++)
        json_array_append_new(items, entry_json(&page.items[i]));
    json_t *next = page.more ? json_sprintf("%lld", page.items[page.n - 1].id) : json_null();
    api_reply_json(c, 200, json_pack("{s:o,s:o}", "items", items, "next_cursor", next));
    return 0;
}

/* ---------------------------------------------------------------- the query */

/* ?name= present and not empty, or NULL. */
static const char *
param(api_call *c, const char *name)
{
    const char *v = api_query(c, name);
    return v != NULL && *v != '\0' ? v : NULL;
}

static int
bad(api_call *c, const char *name)
{
    api_fail_code(c, APP_EINVAL, "invalid_parameter",
                  app_arena_printf(c->arena, "/query/%s", name));
    return -1;
}

/* A user id (as /users/{id}), a student key (as /students/{key}), an action name. */
static int
parse_who(api_call *c, core_audit_filter *f)
{
    const char *actor = param(c, "actor");
    if (actor != NULL) {
        if (!api_digits_only(actor, 18) || (f->actor_id = atoll(actor)) <= 0)
            return bad(c, "actor");
    }
    const char *student = param(c, "student");
    if (student != NULL) {
        char num[20];
        size_t n = strlen(student);
        if (!api_digits_only(student, 18) && core_stuno_parse(student, n, num, NULL) != 0)
            return bad(c, "student");
        f->student = student;
    }
    const char *action = param(c, "action");
    if (action != NULL) {
        size_t n = strlen(action);
        int ok = n <= 64;
        for (size_t i = 0; ok && i < n; i++)
            ok = (action[i] >= 'a' && action[i] <= 'z') || (action[i] >= '0' && action[i] <= '9') ||
                 action[i] == '_' || action[i] == '.';
        if (!ok)
            return bad(c, "action");
        f->action = action;
    }
    return 0;
}

/* ?from= and ?to=: dates or RFC 3339 times (core_audit_time_parse). */
static int
parse_when(api_call *c, core_audit_filter *f)
{
    const char *from = param(c, "from"), *to = param(c, "to");
    if (from != NULL) {
        if (core_audit_time_parse(from, 0, &f->from) != 0)
            return bad(c, "from");
        f->has_from = 1;
    }
    if (to != NULL) {
        if (core_audit_time_parse(to, 1, &f->to) != 0 || (f->has_from && f->to <= f->from))
            return bad(c, "to");
        f->has_to = 1;
    }
    return 0;
}

void
h_audit_list(api_call *c)
{
    core_audit_filter *f = app_arena_alloc(c->arena, sizeof(*f));
    memset(f, 0, sizeof(*f));
    if (api_list_limit(c, &f->limit) != 0 || api_list_after(c, "cursor", &f->before) != 0 ||
        parse_who(c, f) != 0 || parse_when(c, f) != 0)
        return;
    c->data = f;
    api_submit(c, job_audit_list);
}
