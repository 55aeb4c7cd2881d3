/*
 * workflow/uni.c - a university's status changes: start rules, effects,
 * 转专业's interim 插班学习, revert (see workflow/uni.h, docs/decisions/0033).
 */
#include "workflow/uni.h"

#include "db/history.h"
#include "db/problem.h"
#include "db/uniflow.h"
#include "workflow/course.h"
#include "workflow/creq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SITTING_IN "sitting_in" /* 插班学习 */
#define MAX_TERMS 64
#define MAX_SUSPENSIONS 16

/* YYYY-MM-DD -> YYYYMMDD (the payload's dates are checked by workflow/payload.c). */
static int
date_int(const char *s)
{
    return s && strlen(s) == 10 ? atoi(s) * 10000 + atoi(s + 5) * 100 + atoi(s + 8) : 0;
}

static const char *
date_text(app_arena *a, int d)
{
    return app_arena_printf(a, "%04d-%02d-%02d", d / 10000, d / 100 % 100, d % 100);
}

/* ------------------------------------------------------------ start */

/* The acting student's own record, locked; another student's is not found. */
static int
own_place(db_conn *db, const core_op *op, const wf_start *a, db_uplace *p, app_err *err)
{
    if (!wf_actor_is_student(op->actor))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "a student starts this request");
    long long sid = 0;
    int found = 0;
    int rc = db_uplace_of_user(db, op->actor->user_id, &sid, err);
    if (rc != 0)
        return rc;
    if (sid == 0 || (a->student && atoll(a->student) != sid))
        return app_err_set(err, APP_ENOTFOUND, "student_not_found", "not the student's own");
    if ((rc = db_uplace_get(db, sid, 1, op->arena, p, &found, err)) != 0)
        return rc;
    if (!found)
        return app_err_set(err, APP_ENOTFOUND, "student_not_found", "no university record");
    return 0;
}

/* Rule 12 (docs/decisions/0048): a request without a subject waits for
   every open request of the student; one with a subject only for those
   without (the same subject is the unique index's). */
static int
no_open_business(db_conn *db, long long sid, int with_subject, app_err *err)
{
    int nprob = 0, nopen = 0;
    int rc;
    if ((rc = db_problem_open_count(db, sid, &nprob, err)) != 0 ||
        (rc = with_subject ? db_request_open_plain_count(db, sid, &nopen, err)
                           : db_request_open_count(db, sid, &nopen, err)) != 0)
        return rc;
    if (nprob > 0)
        return app_err_set(err, APP_ECONFLICT, "student_has_problem", "open problem");
    if (nopen > 0)
        return app_err_set(err, APP_ECONFLICT, "student_in_flight", "open request");
    return 0;
}

static int
pick_class(db_conn *db, const char *school, const char *major, int cohort, long long want,
           long long *out, app_err *err)
{
    int rc = db_uclass_pick(db, school, major, cohort, want, out, err);
    if (rc == 0 && *out == 0)
        return wf_err_item(err, "/payload/class", "class_not_found");
    return rc;
}

/* 休学: evidence by reason, the limits of length, times and total. */
static int
start_suspend(db_conn *db, const core_op *op, const wf_start *a, const db_uplace *p, app_err *err)
{
    const char *kind = wf_payload_member(op->arena, a->payload_json, "reason_kind");
    const char *hosp = wf_payload_member(op->arena, a->payload_json, "hospital");
    if (kind && strcmp(kind, "illness") == 0 && hosp == NULL)
        return wf_err_item(err, "/payload/hospital", "missing_field");
    db_ususpension past[MAX_SUSPENSIONS];
    int n = 0;
    int rc = db_ususpensions(db, p->student_id, op->arena, past, MAX_SUSPENSIONS, &n, err);
    if (rc != 0)
        return rc;
    const char *kinds[MAX_SUSPENSIONS];
    int starts[MAX_SUSPENSIONS], ends[MAX_SUSPENSIONS];
    for (int i = 0; i < n; i++) {
        kinds[i] = past[i].reason_kind;
        starts[i] = past[i].start;
        ends[i] = past[i].end;
    }
    const char *bad = wf_uni_suspension_check(kind ? kind : "personal", date_int(a->start_date),
                                              date_int(a->end_date), kinds, starts, ends, n);
    if (bad == NULL)
        return 0;
    if (strcmp(bad, "suspension_too_long") == 0)
        return wf_err_item(err, "/payload/end_date", bad);
    return app_err_set(err, APP_EINVAL, bad, "%d suspensions before", n);
}

/* 复学: within its window, the re-examination certificate after illness,
   a class of the cohort it returns to. */
static int
start_resume(db_conn *db, const core_op *op, const wf_start *a, const db_uplace *p,
             const char **payload, app_err *err)
{
    db_ususpension past[MAX_SUSPENSIONS];
    int n = 0, starts[MAX_TERMS], nt = 0;
    int rc = db_ususpensions(db, p->student_id, op->arena, past, MAX_SUSPENSIONS, &n, err);
    if (rc == 0)
        rc = db_uterm_starts(db, p->school, starts, MAX_TERMS, &nt, err);
    if (rc != 0)
        return rc;
    if (n == 0)
        return app_err_set(err, APP_EINVAL, "transition_not_allowed", "no suspension found");
    const db_ususpension *last = &past[n - 1];
    if (!wf_uni_resume_window(starts, nt, last->end, op->today))
        return app_err_set(err, APP_ECONFLICT, "window_closed", "resumption window");
    if (strcmp(last->reason_kind, "illness") == 0 && a->nevidence == 0)
        return wf_err_item(err, "/evidence", "evidence_required");
    int to = p->cohort + wf_uni_years_back(last->start, last->end);
    long long cls = 0;
    if ((rc = pick_class(db, p->school, p->major, to, a->class_no, &cls, err)) != 0)
        return rc;
    json_t *o = json_loads(*payload, 0, NULL);
    json_object_set_new(o, "from_cohort", json_integer(p->cohort));
    json_object_set_new(o, "to_cohort", json_integer(to));
    json_object_set_new(o, "to_class", json_integer(cls));
    *payload = wf_json_text(op->arena, o);
    return 0;
}

/* 转专业: week 1 of the 2nd term of year one; another major of the university. */
static int
start_major(db_conn *db, const core_op *op, const wf_start *a, const db_uplace *p,
            wf_uni_draft *out, app_err *err)
{
    int starts[MAX_TERMS], nt = 0;
    int rc = db_uterm_starts(db, p->school, starts, MAX_TERMS, &nt, err);
    if (rc != 0)
        return rc;
    if (!wf_uni_transfer_window(starts, nt, p->cohort, op->today))
        return app_err_set(err, APP_ECONFLICT, "window_closed",
                           "week 1 of the second term of year one only");
    const char *to = wf_payload_member(op->arena, a->payload_json, "to_major");
    const char *college = NULL, *major = NULL;
    int found = 0;
    if ((rc = db_umajor_find(db, p->school, to, op->arena, &major, &college, &found, err)) != 0)
        return rc;
    if (!found)
        return wf_err_item(err, "/payload/to_major", "major_not_found");
    if (strcmp(major, p->major) == 0)
        return wf_err_item(err, "/payload/to_major", "same_major");
    long long cls = 0;
    if ((rc = pick_class(db, p->school, major, p->cohort, a->class_no, &cls, err)) != 0)
        return rc;
    out->other_college = college;
    json_t *o = json_loads(out->payload, 0, NULL);
    json_object_set_new(o, "to_major_id", json_string(major));
    json_object_set_new(o, "from_major", json_string(p->major));
    json_object_set_new(o, "from_college", json_string(p->college));
    json_object_set_new(o, "to_college", json_string(college));
    json_object_set_new(o, "to_class", json_integer(cls));
    out->payload = wf_json_text(op->arena, o);
    return 0;
}

/* 调整年级: the next cohort of the same major. */
static int
start_cohort(db_conn *db, const core_op *op, const wf_start *a, const db_uplace *p,
             const char **payload, app_err *err)
{
    long long cls = 0;
    int rc = pick_class(db, p->school, p->major, p->cohort + 1, a->class_no, &cls, err);
    if (rc != 0)
        return rc;
    json_t *o = json_loads(*payload, 0, NULL);
    json_object_set_new(o, "from_cohort", json_integer(p->cohort));
    json_object_set_new(o, "to_cohort", json_integer(p->cohort + 1));
    json_object_set_new(o, "to_class", json_integer(cls));
    *payload = wf_json_text(op->arena, o);
    return 0;
}

int
wf_uni_start(db_conn *db, const core_op *op, const wf_def *d, const wf_start *a, wf_uni_draft *out,
             app_err *err)
{
    db_uplace p;
    memset(out, 0, sizeof(*out));
    int rc = own_place(db, op, a, &p, err);
    if (rc != 0)
        return rc;
    if (!wf_def_allows(d, p.state))
        return app_err_set(err, APP_EINVAL, "transition_not_allowed", "%s from %s", d->type,
                           p.state);
    if (d->subject != NULL) {
        const char *v = wf_payload_member(op->arena, a->payload_json, d->subject);
        if (v != NULL)
            out->subject = app_arena_printf(op->arena, "%s:%s", d->type, v);
    }
    if ((rc = no_open_business(db, p.student_id, out->subject != NULL, err)) != 0)
        return rc;
    out->student_id = p.student_id;
    out->school = p.school;
    out->college = p.college;
    out->payload = a->payload_json ? a->payload_json : "{}";
    if (wf_course_type(d))
        return wf_course_start(db, op, d, a, &p, out, err);
    switch (d->effect) {
    case WF_E_U_SUSPEND:
        return start_suspend(db, op, a, &p, err);
    case WF_E_U_RESUME:
        return start_resume(db, op, a, &p, &out->payload, err);
    case WF_E_U_MAJOR:
        return start_major(db, op, a, &p, out, err);
    case WF_E_U_COHORT:
        return start_cohort(db, op, a, &p, &out->payload, err);
    case WF_E_U_EXEMPT:
    case WF_E_U_SUBSTITUTE:
    case WF_E_U_COVER:
    case WF_E_U_LATE:
        return wf_creq_start(db, op, d, a, &p, &out->payload, err);
    default:
        return 0;
    }
}

/* ------------------------------------------------------------ effects */

static void
change(json_t *arr, const char *field, json_t *old, json_t *new_)
{
    if (!json_equal(old, new_))
        json_array_append_new(arr,
                              json_pack("{s:s,s:o,s:o}", "field", field, "old", old, "new", new_));
    else {
        json_decref(old);
        json_decref(new_);
    }
}

/* Move the student from `p0` to `p1`: the row, its history. */
static int
move(db_conn *db, const core_op *op, const core_request *q, const db_uplace *p0,
     const db_uplace *p1, const char *until, const char *kind, app_err *err)
{
    int rc = db_uplace_set(db, p1, until, err);
    if (rc != 0)
        return rc;
    json_t *c = json_array();
    change(c, "/state", json_string(p0->state), json_string(p1->state));
    change(c, "/college", json_string(p0->college), json_string(p1->college));
    change(c, "/major", json_string(p0->major), json_string(p1->major));
    change(c, "/cohort", json_integer(p0->cohort), json_integer(p1->cohort));
    change(c, "/class", json_integer(p0->class_id), json_integer(p1->class_id));
    db_history h = {0,
                    p0->student_id,
                    op->actor->user_id,
                    q->id,
                    NULL,
                    kind,
                    op->actor->org,
                    p1->school,
                    wf_json_text(op->arena, c),
                    NULL};
    return db_history_insert(db, &h, err);
}

/* The snapshot a revert reads: where the student was and where it was left. */
static const char *
applied_of(app_arena *a, const db_uplace *p0, const db_uplace *p1)
{
    return wf_json_text(a, json_pack("{s:s,s:s,s:s,s:i,s:I,s:s,s:s,s:i}", "state", p0->state,
                                     "college", p0->college, "major", p0->major, "cohort",
                                     p0->cohort, "class_id", (json_int_t)p0->class_id, "to_state",
                                     p1->state, "to_major", p1->major, "to_cohort", p1->cohort));
}

static long long
member_id(app_arena *a, const char *json, const char *name)
{
    const char *v = wf_payload_member(a, json, name);
    return v ? atoll(v) : 0;
}

/* Where the effect of `d` leaves the student `p0` (p1 starts as a copy). */
static int
target(const core_op *op, const wf_def *d, const core_request *q, const db_uplace *p0,
       db_uplace *p1, const char **until, app_err *err)
{
    const char *pl = q->payload_json;
    *p1 = *p0;
    *until = NULL;
    switch (d->effect) {
    case WF_E_U_SUSPEND:
        p1->state = "suspended";
        *until = wf_payload_member(op->arena, pl, "end_date");
        return 0;
    case WF_E_U_RESUME:
    case WF_E_U_COHORT:
        p1->state = "studying";
        p1->cohort = (int)member_id(op->arena, pl, "to_cohort");
        p1->class_id = member_id(op->arena, pl, "to_class");
        return 0;
    case WF_E_U_WITHDRAW:
        p1->state = "withdrawn";
        return 0;
    case WF_E_U_MAJOR:
        p1->state = "studying";
        p1->major = wf_payload_member(op->arena, pl, "to_major_id");
        p1->college = wf_payload_member(op->arena, pl, "to_college");
        p1->class_id = member_id(op->arena, pl, "to_class");
        p1->sit_major = NULL;
        p1->sit_class = 0;
        return p1->major && p1->college ? 0 : app_err_set(err, APP_EINTERNAL, NULL, "payload");
    default:
        return app_err_set(err, APP_EINTERNAL, NULL, "effect %d", d->effect);
    }
}

static int
load_place(db_conn *db, const core_op *op, long long sid, db_uplace *p, app_err *err)
{
    int found = 0;
    int rc = db_uplace_get(db, sid, 1, op->arena, p, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_EINVAL, "transition_not_allowed", "no university record");
    return rc;
}

int
wf_uni_effect(db_conn *db, const core_op *op, const wf_def *d, const core_request *q, app_err *err)
{
    db_uplace p0, p1;
    const char *until;
    int rc = load_place(db, op, q->student_id, &p0, err);
    if (rc != 0)
        return rc;
    /* a major transfer confirmed finds the student sitting in (插班学习) */
    int ok = wf_def_allows(d, p0.state) ||
             (d->effect == WF_E_U_MAJOR && strcmp(p0.state, SITTING_IN) == 0);
    if (!ok)
        return app_err_set(err, APP_EINVAL, "transition_not_allowed", "state %s", p0.state);
    if ((rc = target(op, d, q, &p0, &p1, &until, err)) != 0)
        return rc;
    db_uplace was = p0;
    if (d->effect == WF_E_U_MAJOR) {
        /* what a revert puts back: studying in the old major */
        p0.state = "studying";
        p0.sit_major = NULL;
        p0.sit_class = 0;
    }
    if ((rc = move(db, op, q, &was, &p1, until, d->type, err)) != 0)
        return rc;
    if (d->effect == WF_E_U_COHORT) {
        long long nid = 0;
        if ((rc = db_unotice_insert(db, "cohort_change", p0.student_id, q->id,
                                    date_text(op->arena, op->today), p0.cohort, p1.cohort, &nid,
                                    err)) != 0)
            return rc;
    }
    return db_request_set_applied(db, q->id, applied_of(op->arena, &p0, &p1), err);
}

int
wf_uni_step_approved(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
                     int step, app_err *err)
{
    if (d->interim == WF_H_NONE || step < 1 || step > WF_MAX_STEPS ||
        d->steps[step - 1] != d->interim)
        return 0;
    db_uplace p0, p1;
    int rc = load_place(db, op, q->student_id, &p0, err);
    if (rc != 0)
        return rc;
    if (strcmp(p0.state, "studying") != 0)
        return app_err_set(err, APP_EINVAL, "transition_not_allowed", "state %s", p0.state);
    p1 = p0;
    p1.state = SITTING_IN; /* studies in the new major, counted in the old */
    p1.sit_major = wf_payload_member(op->arena, q->payload_json, "to_major_id");
    p1.sit_class = member_id(op->arena, q->payload_json, "to_class");
    return move(db, op, q, &p0, &p1, NULL, "sit_in", err);
}

int
wf_uni_step_undone(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
                   app_err *err)
{
    if (d->interim == WF_H_NONE)
        return 0;
    db_uplace p0, p1;
    int rc = load_place(db, op, q->student_id, &p0, err);
    if (rc != 0 || strcmp(p0.state, SITTING_IN) != 0)
        return rc;
    p1 = p0;
    p1.state = "studying"; /* back in the old major: the transfer never happened */
    p1.sit_major = NULL;
    p1.sit_class = 0;
    return move(db, op, q, &p0, &p1, NULL, "sit_in_ended", err);
}

int
wf_uni_revert(db_conn *db, const core_op *op, const wf_def *d, const core_request *q, app_err *err)
{
    if (wf_creq_is(d))
        return wf_creq_revert(db, op, d, q, err);
    int nopen = 0;
    int rc = db_request_open_count(db, q->student_id, &nopen, err);
    if (rc != 0)
        return rc;
    if (nopen > 0)
        return app_err_set(err, APP_ECONFLICT, "student_in_flight", "open request");
    db_uplace now, back;
    if ((rc = load_place(db, op, q->student_id, &now, err)) != 0)
        return rc;
    const char *js = q->applied_json;
    app_arena *a = op->arena;
    const char *ts = wf_payload_member(a, js, "to_state"),
               *tm = wf_payload_member(a, js, "to_major");
    const char *tc = wf_payload_member(a, js, "to_cohort");
    if (!ts || !tm || !tc || strcmp(ts, now.state) != 0 || strcmp(tm, now.major) != 0 ||
        atoi(tc) != now.cohort)
        return app_err_set(err, APP_ECONFLICT, "revert_conflict", "changed since");
    back = now;
    back.state = wf_payload_member(a, js, "state");
    back.college = wf_payload_member(a, js, "college");
    back.major = wf_payload_member(a, js, "major");
    back.cohort = (int)member_id(a, js, "cohort");
    back.class_id = member_id(a, js, "class_id");
    if (!back.state || !back.college || !back.major)
        return app_err_set(err, APP_EINTERNAL, NULL, "applied snapshot incomplete");
    if ((rc = move(db, op, q, &now, &back, NULL, "revert", err)) != 0)
        return rc;
    return db_unotice_revoke(db, q->id, err);
}
