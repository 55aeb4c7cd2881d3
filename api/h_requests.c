/*
 * api/h_requests.c - requests and their approval steps (API.md "Requests").
 * The engine is workflow/wf.h; registration is the first request type.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/handlers.h"
#include "api/registry.h"
#include "core/files.h"
#include "core/mask.h"
#include "core/settings.h"
#include "workflow/wf.h"
#include "db/files.h"
#include "db/problem.h"
#include "db/request.h"

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
    static const char *const actions[] = {"approve", "reject", "return", "withdraw", "resubmit",
                                          NULL};
    int known = 0;
    for (const char *const *x = actions; *x; x++)
        known |= strcmp(*x, a->action) == 0;
    if (!known) {
        api_fail_code(c, APP_EINVAL, "invalid_action", "/action");
        return;
    }
    /* withdraw and resubmit are the starter's and take no step */
    int stepless = strcmp(a->action, "withdraw") == 0 || strcmp(a->action, "resubmit") == 0;
    json_t *st = json_object_get(c->json, "step");
    if (!stepless &&
        (!json_is_integer(st) || json_integer_value(st) < 1 || json_integer_value(st) > 20)) {
        api_fail_code(c, APP_EINVAL, st ? "wrong_type" : "missing_field", "/step");
        return;
    }
    a->step = stepless ? 0 : (int)json_integer_value(st);
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

/* ---------------------------------------------------------------- POST /requests */

/* A string member of an object: NULL when absent; sets *bad for a non-string. */
static const char *
member_str(api_call *c, json_t *o, const char *name, int *bad)
{
    json_t *v = json_object_get(o, name);
    if (v == NULL || json_is_null(v))
        return NULL;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
        *bad = 1;
        return NULL;
    }
    return app_arena_strdup(c->arena, json_string_value(v));
}

static int
member_int(json_t *o, const char *name, int *bad)
{
    json_t *v = json_object_get(o, name);
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_integer(v))
        return (int)json_integer_value(v);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        int ok = *s && strlen(s) <= 2;
        for (const char *p = s; ok && *p; p++)
            ok = *p >= '0' && *p <= '9';
        if (ok)
            return atoi(s);
    }
    *bad = 1;
    return 0;
}

static int
is_date(const char *s)
{
    int ymd;
    return s && core_date_parse(s, &ymd) == 0;
}

/* 1 if type `d` takes payload member `k`. */
static int
payload_takes(const wf_def *d, const char *k)
{
    static const struct {
        unsigned bit;
        const char *name;
    } m[] = {{WF_P_REASON, "reason"},
             {WF_P_DATE, "date"},
             {WF_P_START_END, "start_date"},
             {WF_P_START_END, "end_date"},
             {WF_P_TO_SCHOOL, "to_school"},
             {WF_P_TO_SCHOOL | WF_P_GRADE, "grade"},
             {WF_P_TO_SCHOOL | WF_P_GRADE, "class"},
             {WF_P_CHANGES, "changes"},
             {WF_P_CHANGES, "renumber"},
             {WF_P_BATCH, "from_school"},
             {WF_P_BATCH, "to_school"},
             {WF_P_BATCH, "students"},
             {WF_P_BATCH, "class"},
             {WF_P_GRADUATION, "grade"},
             {WF_P_GRADUATION, "outcomes"}};
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
        if ((d->payload & m[i].bit) && strcmp(m[i].name, k) == 0)
            return 1;
    return 0;
}

/* Key-field changes {name?, id_type?, id_number?, gender?, birth_date?}
   into a->changes; `canon` gets them with PII masked (the values travel
   sealed, appended by the job). */
static void
parse_changes(api_call *c, json_t *ch, const char *ptr0, wf_start *a, json_t *canon, app_err *e)
{
    json_t *shown = json_object();
    if (!json_is_object(ch) || json_object_size(ch) == 0) {
        app_err_add(e, ptr0, ch ? "wrong_type" : "missing_field", NULL);
    } else {
        const char *ck;
        json_t *cv;
        json_object_foreach(ch, ck, cv) {
            int i = core_field_index(0, ck);
            char ptr[80];
            snprintf(ptr, sizeof(ptr), "%s/%s", ptr0, ck);
            if (i < 0 || !(core_fields[i].flags & CORE_F_KEY)) {
                app_err_add(e, ptr, "not_a_key_field", NULL);
                continue;
            }
            if (!json_is_string(cv) && !json_is_null(cv)) {
                app_err_add(e, ptr, "wrong_type", NULL);
                continue;
            }
            a->present[i] = 1;
            a->changes.v[i] = json_is_null(cv) ? NULL : app_arena_strdup(c->arena, json_string_value(cv));
            if (core_fields[i].flags & CORE_F_PII && a->changes.v[i]) {
                char m[64];
                core_mask_id(a->changes.v[i], m, sizeof(m));
                json_object_set_new(shown, ck, json_string(m));
            } else {
                json_object_set(shown, ck, cv);
            }
        }
    }
    json_object_set_new(canon, "changes", shown);
}

/* A school code member (10 digits) or NULL with an item. */
static const char *
member_school(api_call *c, json_t *o, const char *name, app_err *e)
{
    int bad = 0;
    const char *v = member_str(c, o, name, &bad);
    char ptr[48];
    snprintf(ptr, sizeof(ptr), "/payload/%s", name);
    if (v == NULL || strlen(v) != 10 || strspn(v, "0123456789") != 10) {
        app_err_add(e, ptr, v || bad ? "invalid_school_code" : "missing_field", NULL);
        return NULL;
    }
    return v;
}

static int
job_request_start(api_call *c, db_conn *db)
{
    wf_start *a = c->data;
    core_op op;
    api_op(c, &op);
    if (a->type && (strcmp(a->type, "key_field_change") == 0 ||
                    (a->method && strcmp(a->method, "change") == 0))) {
        a->payload_json = app_arena_printf(
            c->arena, "%s,\"sealed\":\"%s\"}", a->payload_json, core_changes_seal(&op, &a->changes, a->present));
    }
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

void
h_request_create(api_call *c)
{
    wf_start *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    json_t *b = c->json;
    if (!json_is_object(b)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    app_err e = {0};
    int bad = 0;
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v) {
        if (strcmp(k, "type") && strcmp(k, "student") && strcmp(k, "payload") &&
            strcmp(k, "comment") && strcmp(k, "evidence")) {
            char p[80];
            snprintf(p, sizeof(p), "/%s", k);
            app_err_add(&e, p, "unknown_field", NULL);
        }
    }
    a->type = member_str(c, b, "type", &bad);
    const wf_def *d = wf_def_find(a->type);
    if (d == NULL || d->starter == WF_START_NONE || d->starter == WF_START_PROBLEM)
        app_err_add(&e, "/type", a->type ? "invalid_request_type" : "missing_field", NULL);
    json_t *sv = json_object_get(b, "student");
    if (d != NULL && d->batch) {
        if (sv != NULL)
            app_err_add(&e, "/student", "unknown_field", NULL); /* the payload names them */
    } else if (json_is_integer(sv))
        a->student = app_arena_printf(c->arena, "%lld", (long long)json_integer_value(sv));
    else if (json_is_string(sv) && json_string_length(sv) <= 19)
        a->student = app_arena_strdup(c->arena, json_string_value(sv));
    else
        app_err_add(&e, "/student", sv ? "wrong_type" : "missing_field", NULL);
    bad = 0;
    a->comment = member_str(c, b, "comment", &bad);
    if (bad || (a->comment && !api_valid_text(a->comment, 500)))
        app_err_add(&e, "/comment", "wrong_type", NULL);
    json_t *ev = json_object_get(b, "evidence");
    if (ev && !json_is_null(ev)) {
        if (!json_is_array(ev) || json_array_size(ev) > 10) {
            app_err_add(&e, "/evidence", "wrong_type", NULL);
        } else {
            long long *ids = app_arena_alloc(c->arena, sizeof(long long) * (json_array_size(ev) + 1));
            size_t i;
            json_t *x;
            json_array_foreach(ev, i, x) {
                if (!json_is_integer(x) || json_integer_value(x) < 1)
                    app_err_add(&e, "/evidence", "wrong_type", NULL);
                else
                    ids[a->nevidence++] = (long long)json_integer_value(x);
            }
            a->evidence = ids;
        }
    }
    json_t *p = json_object_get(b, "payload");
    if (p != NULL && !json_is_object(p)) {
        app_err_add(&e, "/payload", "wrong_type", NULL);
        p = NULL;
    }
    json_t *canon = json_object();
    if (d != NULL) {
        json_t *pp = p ? p : json_object();
        bad = 0;
        if (d->payload & WF_P_REASON) {
            a->reason = member_str(c, pp, "reason", &bad);
            if (bad || a->reason == NULL || !api_valid_text(a->reason, 500))
                app_err_add(&e, "/payload/reason", a->reason || bad ? "wrong_type" : "missing_field", NULL);
            else
                json_object_set_new(canon, "reason", json_string(a->reason));
        }
        bad = 0;
        if (d->payload & WF_P_DATE) {
            a->date = member_str(c, pp, "date", &bad);
            if (!is_date(a->date))
                app_err_add(&e, "/payload/date", a->date || bad ? "invalid_date" : "missing_field", "format");
            else
                json_object_set_new(canon, "date", json_string(a->date));
        }
        if (d->payload & WF_P_START_END) {
            bad = 0;
            a->start_date = member_str(c, pp, "start_date", &bad);
            a->end_date = member_str(c, pp, "end_date", &bad);
            if (!is_date(a->start_date))
                app_err_add(&e, "/payload/start_date", a->start_date ? "invalid_date" : "missing_field", "format");
            else
                json_object_set_new(canon, "start_date", json_string(a->start_date));
            if (a->end_date && !is_date(a->end_date))
                app_err_add(&e, "/payload/end_date", "invalid_date", "format");
            else if (a->end_date && a->start_date && strcmp(a->end_date, a->start_date) < 0)
                app_err_add(&e, "/payload/end_date", "invalid_date", "before_start");
            else if (a->end_date)
                json_object_set_new(canon, "end_date", json_string(a->end_date));
        }
        if (d->payload & (WF_P_TO_SCHOOL | WF_P_GRADE)) {
            bad = 0;
            if (d->payload & WF_P_TO_SCHOOL) {
                a->to_school = member_str(c, pp, "to_school", &bad);
                if (a->to_school == NULL)
                    a->to_school = c->actor.org; /* the receiving school is the caller */
                json_object_set_new(canon, "to_school", json_string(a->to_school));
            }
            a->grade = member_int(pp, "grade", &bad);
            a->class_no = member_int(pp, "class", &bad);
            if (bad)
                app_err_add(&e, "/payload", "wrong_type", NULL);
            if ((d->payload & WF_P_GRADE) && a->grade == 0)
                app_err_add(&e, "/payload/grade", "missing_field", NULL);
            if (a->grade)
                json_object_set_new(canon, "grade", json_sprintf("%02d", a->grade));
            if (a->class_no)
                json_object_set_new(canon, "class", json_integer(a->class_no));
        }
        if (d->payload & WF_P_CHANGES) {
            parse_changes(c, json_object_get(pp, "changes"), "/payload/changes", a, canon, &e);
            json_t *rn = json_object_get(pp, "renumber");
            if (rn && !json_is_boolean(rn))
                app_err_add(&e, "/payload/renumber", "wrong_type", NULL);
            a->renumber = json_is_true(rn);
            json_object_set_new(canon, "renumber", json_integer(a->renumber));
        }
        if (d->payload & WF_P_BATCH) {
            a->from_school = member_school(c, pp, "from_school", &e);
            a->to_school = member_school(c, pp, "to_school", &e);
            if (a->from_school)
                json_object_set_new(canon, "from_school", json_string(a->from_school));
            if (a->to_school)
                json_object_set_new(canon, "to_school", json_string(a->to_school));
            bad = 0;
            a->class_no = member_int(pp, "class", &bad);
            if (bad || a->class_no < 0)
                app_err_add(&e, "/payload/class", "wrong_type", NULL);
            else if (a->class_no)
                json_object_set_new(canon, "class", json_integer(a->class_no));
            json_t *st = json_object_get(pp, "students");
            if (!json_is_array(st) || json_array_size(st) == 0 || json_array_size(st) > 2000) {
                app_err_add(&e, "/payload/students", st ? "wrong_type" : "missing_field", NULL);
            } else {
                const char **ids = app_arena_alloc(c->arena, sizeof(char *) * json_array_size(st));
                size_t i;
                json_t *x;
                json_array_foreach(st, i, x) {
                    if (json_is_integer(x) && json_integer_value(x) > 0) {
                        ids[a->nstudents++] = app_arena_printf(c->arena, "%lld", (long long)json_integer_value(x));
                    } else if (json_is_string(x) && json_string_length(x) >= 1 && json_string_length(x) <= 19) {
                        ids[a->nstudents++] = app_arena_strdup(c->arena, json_string_value(x));
                    } else {
                        char ptr[48];
                        snprintf(ptr, sizeof(ptr), "/payload/students/%zu", i);
                        app_err_add(&e, ptr, "wrong_type", NULL);
                    }
                }
                a->students = ids;
                json_object_set(canon, "students", st);
            }
        }
        if (d->payload & WF_P_GRADUATION) {
            bad = 0;
            a->grade = member_int(pp, "grade", &bad);
            if (bad || a->grade == 0)
                app_err_add(&e, "/payload/grade", bad ? "wrong_type" : "missing_field", NULL);
            else
                json_object_set_new(canon, "grade", json_sprintf("%02d", a->grade));
            json_t *oc = json_object_get(pp, "outcomes");
            if (oc && !json_is_object(oc)) {
                app_err_add(&e, "/payload/outcomes", "wrong_type", NULL);
            } else if (oc) {
                size_t n = json_object_size(oc);
                long long *oid = app_arena_alloc(c->arena, sizeof(long long) * (n + 1));
                const char **ov = app_arena_alloc(c->arena, sizeof(char *) * (n + 1));
                const char *ok;
                json_t *x;
                json_t *shown = json_object();
                json_object_foreach(oc, ok, x) {
                    char ptr[80];
                    snprintf(ptr, sizeof(ptr), "/payload/outcomes/%.40s", ok);
                    const char *val = json_string_value(x);
                    if (strlen(ok) == 0 || strlen(ok) > 18 || strspn(ok, "0123456789") != strlen(ok)) {
                        app_err_add(&e, ptr, "student_not_in_grade", NULL);
                    } else if (!val || (strcmp(val, "graduated") && strcmp(val, "completed") &&
                                        strcmp(val, "incomplete"))) {
                        app_err_add(&e, ptr, "invalid_code", NULL);
                    } else {
                        oid[a->noutcomes] = atoll(ok);
                        ov[a->noutcomes++] = app_arena_strdup(c->arena, val);
                        json_object_set_new(shown, ok, json_string(val));
                    }
                }
                a->outcome_ids = oid;
                a->outcome_vals = ov;
                json_object_set_new(canon, "outcomes", shown);
            }
        }
        const char *pk;
        json_t *pv;
        json_object_foreach(pp, pk, pv) {
            /* a member the type does not take (an invalid value of one it
               takes is reported above, not as unknown) */
            if (!payload_takes(d, pk)) {
                char ptr[80];
                snprintf(ptr, sizeof(ptr), "/payload/%s", pk);
                app_err_add(&e, ptr, "unknown_field", NULL);
            }
        }
        if (!p)
            json_decref(pp);
    }
    if (api_fail_items(&e) != 0) {
        json_decref(canon);
        api_fail(c, &e);
        return;
    }
    char *s = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(canon);
    a->payload_json = app_arena_strdup(c->arena, s ? s : "{}");
    free(s);
    if (strcmp(a->type, "key_field_change") == 0) /* sealed changes appended by the job */
        a->payload_json = app_arena_strndup(c->arena, a->payload_json, strlen(a->payload_json) - 1);
    c->data = a;
    api_submit(c, job_request_start);
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
            json_object_set_new(o, "due_at", st->due_at && st->due_at[0] ? json_string(st->due_at) : json_null());
            json_object_set_new(o, "escalated",
                                json_boolean(overdue && st->escalate_to &&
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
    static const char *const states[] = {"open", "returned", "approved", "rejected", "withdrawn", "reverted", NULL};
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
        if (!json_is_string(cm) || !api_valid_text(json_string_value(cm), 500)) {
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
            json_array_append_new(steps, json_pack("{s:s,s:s}", "holder", wf_holder_name(d->steps[k]),
                                                   "label", wf_holder_label(d->steps[k])));
        json_t *o = json_pack("{s:s,s:s,s:o,s:s,s:o,s:s,s:b,s:b}", "type", d->type, "label",
                              d->label, "from_states", from, "started_by",
                              wf_starter_name(d->starter), "steps", steps, "effect",
                              wf_effect_name(d->effect), "evidence_required",
                              (d->payload & WF_P_EVIDENCE) != 0, "revertible", d->revertible);
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
    long long id = 0;
    /* stored sealed under the data key (docs/decisions/0013) */
    const unsigned char *body = (const unsigned char *)c->body;
    char sha[65];
    core_file_sha256_hex(body, c->body_len, sha);
    db_file f = {.org = c->actor.org, .mime = mime, .sha256 = sha, .size = c->body_len,
                 .created_by = c->actor.user_id};
    unsigned char *sealed = NULL;
    size_t sealed_len = 0;
    int rc = core_file_seal(api_env()->ring, body, c->body_len, &sealed, &sealed_len,
                            &f.data_key, &c->err);
    if (rc == 0)
        rc = db_file_insert(db, &f, sealed, sealed_len, &id, &c->err);
    free(sealed);
    if (rc != 0)
        return rc;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", id);
    api_audit(c, db, "file.upload", "file", sid,
              app_arena_printf(c->arena, "{\"type\":\"%s\",\"size\":%zu}", mime, c->body_len));
    if (c->err.code != APP_OK)
        return c->err.code;
    api_reply_json(c, 201, json_pack("{s:I,s:s,s:I}", "id", (json_int_t)id, "type", mime, "size",
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
    json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)p->id, "kind",
                          p->kind, "state", p->state, "student", (json_int_t)p->student_id,
                          "school", p->school, "authority", p->authority, "reason", p->reason,
                          "created_at", p->created_at);
    /* the other party, when there is one (a duplicate across two schools) */
    json_object_set_new(o, "other_student", p->other_student_id
                                                ? json_integer(p->other_student_id)
                                                : json_null());
    json_object_set_new(o, "other_school", p->other_school && p->other_school[0]
                                               ? json_string(p->other_school)
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
    json_object_set_new(o, "resolved_by_request", p->resolved_by_request
                                                      ? json_integer(p->resolved_by_request)
                                                      : json_null());
    return o;
}

/* Evidence file ids of a body member: 1..10 positive integers. */
static int
file_ids(api_call *c, json_t *v, const char *ptr, long long **out, int *n, app_err *e)
{
    *n = 0;
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_array(v) || json_array_size(v) > 10) {
        app_err_add(e, ptr, "wrong_type", NULL);
        return -1;
    }
    *out = app_arena_alloc(c->arena, sizeof(long long) * (json_array_size(v) + 1));
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
        if (!json_is_integer(x) || json_integer_value(x) < 1) {
            app_err_add(e, ptr, "wrong_type", NULL);
            return -1;
        }
        (*out)[(*n)++] = (long long)json_integer_value(x);
    }
    return 0;
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
    int rc = wf_problem_add_evidence(db, &op, atoll(api_param(c, "id")), a->files, a->n, &p,
                                     &c->err);
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
    json_object_foreach(c->json, k, v) {
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
        file_ids(c, f, "/files", &a->files, &a->n, &e);
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
    memset(a, 0, sizeof(*a));
    a->type = "problem_resolution";
    a->problem_id = atoll(api_param(c, "id"));
    json_t *b = c->json;
    if (!json_is_object(b)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    app_err e = {0};
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v) {
        if (strcmp(k, "method") && strcmp(k, "student") && strcmp(k, "comment") &&
            strcmp(k, "evidence") && strcmp(k, "changes") && strcmp(k, "reason")) {
            char p[80];
            snprintf(p, sizeof(p), "/%s", k);
            app_err_add(&e, p, "unknown_field", NULL);
        }
    }
    int bad = 0;
    json_t *canon = json_object();
    a->method = member_str(c, b, "method", &bad);
    if (a->method == NULL || (strcmp(a->method, "evidence") && strcmp(a->method, "change") &&
                              strcmp(a->method, "delete")))
        app_err_add(&e, "/method", a->method || bad ? "invalid_method" : "missing_field", NULL);
    else
        json_object_set_new(canon, "method", json_string(a->method));
    json_t *sv = json_object_get(b, "student");
    if (json_is_integer(sv) && json_integer_value(sv) > 0) {
        a->student = app_arena_printf(c->arena, "%lld", (long long)json_integer_value(sv));
        json_object_set(canon, "student", sv);
    } else if (sv && !json_is_null(sv)) {
        app_err_add(&e, "/student", "wrong_type", NULL);
    }
    bad = 0;
    a->comment = member_str(c, b, "comment", &bad);
    if (bad || (a->comment && !api_valid_text(a->comment, 500)))
        app_err_add(&e, "/comment", "wrong_type", NULL);
    bad = 0;
    a->reason = member_str(c, b, "reason", &bad);
    if (bad || (a->reason && !api_valid_text(a->reason, 500)))
        app_err_add(&e, "/reason", "wrong_type", NULL);
    else if (a->reason)
        json_object_set_new(canon, "reason", json_string(a->reason));
    long long *ev;
    if (file_ids(c, json_object_get(b, "evidence"), "/evidence", &ev, &a->nevidence, &e) == 0)
        a->evidence = ev;
    int change = a->method && strcmp(a->method, "change") == 0;
    if (change)
        parse_changes(c, json_object_get(b, "changes"), "/changes", a, canon, &e);
    else if (json_object_get(b, "changes"))
        app_err_add(&e, "/changes", "unknown_field", NULL);
    if (a->method && strcmp(a->method, "delete") == 0 && a->reason == NULL)
        app_err_add(&e, "/reason", "missing_field", NULL);
    if (api_fail_items(&e) != 0) {
        json_decref(canon);
        api_fail(c, &e);
        return;
    }
    char *s = json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(canon);
    a->payload_json = app_arena_strdup(c->arena, s ? s : "{}");
    free(s);
    if (change) /* sealed changes appended by the job */
        a->payload_json = app_arena_strndup(c->arena, a->payload_json, strlen(a->payload_json) - 1);
    c->data = a;
    api_submit(c, job_request_start);
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
    const core_actor *ac = &c->actor;
    const char *school = NULL, *like = NULL;
    if (ac->level == CORE_LEVEL_SCHOOL && ac->staff_role != CORE_STAFF_REGISTRAR)
        return app_err_set(&c->err, APP_EFORBIDDEN, "forbidden", "problems are the registrar's");
    char likebuf[8];
    if (ac->level == CORE_LEVEL_SCHOOL) {
        school = ac->org;
    } else if (ac->level != CORE_LEVEL_MINISTRY) {
        core_region_like(ac->org, likebuf);
        like = likebuf;
    }
    db_problem *v;
    int n = 0;
    int rc = db_problem_list(db, school, like, a->state, a->after, a->limit + 1, c->arena, &v, &n,
                             &c->err);
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
