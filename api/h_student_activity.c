/*
 * api/h_student_activity.c - what happens around a student record, over HTTP
 * (API.md "Students", "Sync"): its history, look-up by ID number, photos,
 * check-ins of a school's term, and the change feed. The record itself is
 * api/h_students.c; the operations are core/ (student.h, photo.h,
 * checkin.h, feed.h).
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "base/jw.h"
#include "core/checkin.h"
#include "core/feed.h"
#include "core/photo.h"
#include "core/student.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECKIN_MAX 3000

/* ---------------------------------------------------------------- history */

static int
job_history(api_call *c, db_conn *db)
{
    long long *after = c->data;
    core_op op;
    api_op(c, &op);
    db_history *h;
    core_request *q;
    int n = 0, nq = 0, limit = 200;
    int rc = core_student_history(db, &op, api_param(c, "key"), *after, limit + 1, &h, &n, &q, &nq,
                                  &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    json_t *items = json_array();
    int shown = n > limit ? limit : n;
    for (int i = 0; i < shown; i++) {
        json_t *changes = json_loads(h[i].changes_json, 0, NULL);
        json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)h[i].id, "at", h[i].at,
                              "kind", h[i].kind, "actor_org", h[i].actor_org, "school", h[i].school,
                              "changes", changes ? changes : json_array());
        if (h[i].actor_id)
            json_object_set_new(o, "actor", json_integer(h[i].actor_id));
        if (h[i].request_id)
            json_object_set_new(o, "request", json_integer(h[i].request_id));
        if (h[i].effective_date)
            json_object_set_new(o, "effective_date", json_string(h[i].effective_date));
        json_array_append_new(items, o);
    }
    json_t *reqs = json_array();
    for (int i = 0; i < nq; i++)
        json_array_append_new(reqs, api_request_json(&q[i]));
    json_t *next = n > limit ? json_sprintf("%lld", h[shown - 1].id) : json_null();
    api_reply_json(
        c, 200, json_pack("{s:o,s:o,s:o}", "items", items, "requests", reqs, "next_cursor", next));
    return 0;
}

void
h_student_history(api_call *c)
{
    if (api_student_key(c) == NULL)
        return;
    long long *after = app_arena_alloc(c->arena, sizeof(*after));
    if (api_list_after(c, "cursor", after) != 0)
        return;
    c->data = after;
    api_submit(c, job_history);
}

/* ---------------------------------------------------------------- lookup */

typedef struct lookup_args {
    const char *id_type, *id_number;
} lookup_args;

static int
job_lookup(api_call *c, db_conn *db)
{
    lookup_args *a = c->data;
    core_op op;
    api_op(c, &op);
    int found = 0, visible = 0;
    core_student s;
    int rc = core_student_lookup(db, &op, a->id_type, a->id_number, &found, &visible, &s, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    json_t *o = json_pack("{s:b}", "found", found);
    if (found) {
        json_object_set_new(o, "within_jurisdiction", json_boolean(visible));
        json_object_set_new(o, "state", json_string(s.state));
        json_object_set_new(o, "school_name", json_string(s.school_name ? s.school_name : ""));
        if (visible) {
            json_object_set_new(o, "school", json_string(s.school));
            json_object_set_new(o, "student", json_integer(s.id));
            json_object_set_new(o, "student_number", json_string(s.student_number));
            json_object_set_new(o, "name", json_string(s.rec.v[CORE_R_NAME]));
        }
    }
    api_reply_json(c, 200, o);
    return 0;
}

void
h_student_lookup(api_call *c)
{
    lookup_args *a = app_arena_alloc(c->arena, sizeof(*a));
    static const char *const allowed[] = {"id_type", "id_number"};
    app_err e = {0};
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    const char *k;
    json_t *v;
    json_object_foreach(c->json, k, v)
    {
        if (strcmp(k, allowed[0]) != 0 && strcmp(k, allowed[1]) != 0) {
            char p[80];
            snprintf(p, sizeof(p), "/%s", k);
            app_err_add(&e, p, "unknown_field", NULL);
        }
    }
    if (api_fail_items(&e) != 0) {
        api_fail(c, &e);
        return;
    }
    if ((a->id_type = api_body_string(c, "id_type", 1)) == NULL ||
        (a->id_number = api_body_string(c, "id_number", 1)) == NULL)
        return;
    c->data = a;
    api_submit(c, job_lookup);
}

/* ---------------------------------------------------------------- check-ins */

typedef struct checkin_args {
    const char *term;
    const char **keys;
    int nkeys;
} checkin_args;

static int
job_checkin(api_call *c, db_conn *db)
{
    checkin_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_checkin_result r;
    int rc = core_checkin(db, &op, api_param(c, "code"), a->term, a->keys, a->nkeys, &r, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_reply_json(c, 200,
                   json_pack("{s:s,s:i,s:i}", "term", a->term, "checked_in", r.checked_in,
                             "already_checked_in", r.already));
    return 0;
}

static int
valid_term(const char *t)
{
    if (t == NULL || strlen(t) != 6 || t[4] != '-' || (t[5] != '1' && t[5] != '2'))
        return 0;
    for (int i = 0; i < 4; i++)
        if (t[i] < '0' || t[i] > '9')
            return 0;
    return 1;
}

void
h_checkins_create(api_call *c)
{
    const char *code = api_param(c, "code");
    if (code == NULL || strlen(code) != 10 || !api_digits_only(code, 10)) {
        api_fail_code(c, APP_ENOTFOUND, "school_not_found", NULL);
        return;
    }
    checkin_args *a = app_arena_alloc(c->arena, sizeof(*a));
    if ((a->term = api_body_string(c, "term", 1)) == NULL)
        return;
    if (!valid_term(a->term)) {
        api_fail_code(c, APP_EINVAL, "invalid_term", "/term");
        return;
    }
    json_t *list = json_object_get(c->json, "students");
    if (!json_is_array(list) || json_array_size(list) == 0) {
        api_fail_code(c, list ? APP_EINVAL : APP_EINVAL, list ? "wrong_type" : "missing_field",
                      "/students");
        return;
    }
    if (json_array_size(list) > CHECKIN_MAX) {
        app_err e = {0};
        app_err_set(&e, APP_EINVAL, "too_many_items", NULL);
        app_err_field(&e, "/students");
        app_err_param(&e, "3000");
        api_fail(c, &e);
        return;
    }
    a->nkeys = (int)json_array_size(list);
    a->keys = app_arena_alloc(c->arena, sizeof(char *) * (size_t)a->nkeys);
    for (int i = 0; i < a->nkeys; i++) {
        json_t *v = json_array_get(list, (size_t)i);
        if (json_is_integer(v)) {
            a->keys[i] = app_arena_printf(c->arena, "%lld", (long long)json_integer_value(v));
        } else if (json_is_string(v) && json_string_length(v) <= 19) {
            a->keys[i] = app_arena_strdup(c->arena, json_string_value(v));
        } else {
            char p[32];
            snprintf(p, sizeof(p), "/students/%d", i);
            api_fail_code(c, APP_EINVAL, "wrong_type", p);
            return;
        }
    }
    c->data = a;
    api_submit(c, job_checkin);
}

/* ---------------------------------------------------------------- photos */

static int
job_photo_put(api_call *c, db_conn *db)
{
    int *if_match = c->data;
    core_op op;
    api_op(c, &op);
    int version = 0;
    int rc = core_photo_put(db, &op, api_param(c, "key"), *if_match, (const unsigned char *)c->body,
                            c->body_len, &version, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_etag(c, version);
    api_reply_raw(c, 204, NULL, "", 0);
    return 0;
}

void
h_student_photo_put(api_call *c)
{
    if (api_student_key(c) == NULL)
        return;
    int *if_match = app_arena_alloc(c->arena, sizeof(*if_match));
    if (api_if_match(c, if_match) != 0)
        return;
    c->data = if_match;
    api_submit(c, job_photo_put);
}

static int
job_photo_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    const char *mime;
    const unsigned char *data;
    size_t len = 0;
    int rc = core_photo_get(db, &op, api_param(c, "key"), &mime, &data, &len, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_header(c, "cache-control", "private, no-store");
    api_reply_raw(c, 200, mime, (const char *)data, len);
    return 0;
}

void
h_student_photo_get(api_call *c)
{
    if (api_student_key(c) == NULL)
        return;
    api_submit(c, job_photo_get);
}

/* ---------------------------------------------------------------- GET /events */

typedef struct events_args {
    long long after;
    int limit;
} events_args;

static json_t *
event_json(const db_event *e)
{
    json_t *data = json_loads(e->data_json, 0, NULL);
    json_t *o = json_pack("{s:s,s:s,s:s,s:o}", "id", "", "at", e->at, "type", e->type, "data",
                          data ? data : json_object());
    json_object_set_new(o, "id", json_sprintf("%lld", e->id));
    json_object_set_new(o, "student", e->student_id ? json_integer(e->student_id) : json_null());
    json_object_set_new(o, "school", e->school[0] ? json_string(e->school) : json_null());
    json_object_set_new(o, "request", e->request_id ? json_integer(e->request_id) : json_null());
    return o;
}

static int
job_events(api_call *c, db_conn *db)
{
    events_args *a = c->data;
    core_op op;
    api_op(c, &op);
    db_event *v;
    int n = 0;
    int rc = core_feed_list(db, &op, a->after, a->limit, &v, &n, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, event_json(&v[i]));
    /* the cursor moves past what was read, so an empty page keeps the caller's place */
    json_t *next = json_sprintf("%lld", n > 0 ? v[n - 1].id : a->after);
    api_reply_json(c, 200, json_pack("{s:o,s:o}", "items", items, "next_cursor", next));
    return 0;
}

void
h_events_list(api_call *c)
{
    events_args *a = app_arena_alloc(c->arena, sizeof(*a));
    if (api_list_limit(c, &a->limit) != 0)
        return;
    if (core_feed_cursor_parse(api_query(c, "after"), &a->after) != 0) {
        api_fail_code(c, APP_EINVAL, "invalid_cursor", "/query/after");
        return;
    }
    c->data = a;
    api_submit(c, job_events);
}
