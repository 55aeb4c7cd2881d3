/*
 * workflow/effects.c - the effect of each request type on its last approval
 * (see workflow/effects.h).
 */
#include "workflow/effects.h"

#include "core/grade.h"
#include "core/problem.h"
#include "core/reward.h"
#include "db/history.h"
#include "db/intake.h"
#include "db/problem.h"
#include "workflow/course.h"
#include "workflow/creq.h"
#include "workflow/uni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ payload reads */

/* Member `name` of the parsed object `o`: a string, or an integer as text; or NULL. */
static const char *
member_text(app_arena *a, const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);
    if (json_is_string(v))
        return app_arena_strndup(a, json_string_value(v), json_string_length(v));
    if (json_is_integer(v))
        return app_arena_printf(a, "%lld", (long long)json_integer_value(v));
    return NULL;
}

const char *
wf_payload_member(app_arena *a, const char *json, const char *name)
{
    json_t *o = json ? json_loads(json, 0, NULL) : NULL;
    const char *v = member_text(a, o, name);
    json_decref(o);
    return v;
}

/* ------------------------------------------------------------ history */

static void
change(json_t *arr, const char *field, json_t *old, json_t *new_)
{
    json_array_append_new(arr, json_pack("{s:s,s:o,s:o}", "field", field, "old", old, "new", new_));
}

const char *
wf_history_moves(app_arena *a, const char *st0, const char *st1, const char *sc0, const char *sc1,
                 int g0, int g1, int c0, int c1, int class_moved)
{
    json_t *arr = json_array();
    if (strcmp(st0, st1) != 0)
        change(arr, "/state", json_string(st0), json_string(st1));
    if (strcmp(sc0, sc1) != 0)
        change(arr, "/school", json_string(sc0), json_string(sc1));
    if (g0 != g1)
        change(arr, "/grade", json_sprintf("%d", g0), json_sprintf("%d", g1));
    if (c0 != c1 || class_moved)
        change(arr, "/class", json_integer(c0), json_integer(c1));
    return wf_json_text(a, arr);
}

const char *
wf_applied_json(app_arena *a, const db_student *s, int grade, int class_no, const char *to_state,
                const char *to_school)
{
    return wf_json_text(a,
                        json_pack("{s:s,s:s,s:I,s:i,s:i,s:s,s:s}", "state", s->state, "school",
                                  s->school, "class_id", (json_int_t)s->class_id, "grade", grade,
                                  "class", class_no, "to_state", to_state, "to_school", to_school));
}

/* ------------------------------------------------------------ one student */

/*
 * A state change, transfer or grade change of `q`'s student. `applied`
 * receives what was there before and what it left, for a revert.
 */
static int
apply_move(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
           const char **out_applied, app_err *err)
{
    *out_applied = NULL;
    db_student s;
    int found = 0;
    int rc = db_student_get(db, q->student_id, 1, op->arena, &s, &found, err);
    if (rc != 0)
        return rc;
    if (!found || !wf_def_allows(d, s.state))
        return app_err_set(err, APP_EINVAL, "transition_not_allowed", "state %s", s.state);
    int grade, class_no;
    core_student_place_of(&s, &grade, &class_no);
    const char *state = s.state, *school = s.school;
    long long class_id = s.class_id;
    int ng = grade, nc = class_no;
    if (d->effect == WF_E_STATE) {
        state = d->to_state;
    } else if (d->effect == WF_E_TRANSFER || d->effect == WF_E_GRADE) {
        const char *g = wf_payload_member(op->arena, q->payload_json, "grade");
        const char *c = wf_payload_member(op->arena, q->payload_json, "class");
        if (d->effect == WF_E_TRANSFER)
            school = q->other_school;
        ng = g ? atoi(g) : grade;
        nc = c ? atoi(c) : 1;
        if ((rc = wf_class_lock(db, school, ng, nc, &class_id, err)) != 0)
            return rc;
    } else {
        return app_err_set(err, APP_EINTERNAL, NULL, "effect %d", d->effect);
    }
    int version = 0;
    if ((rc = db_student_place(db, s.id, state, school, class_id, ng, nc, &version, err)) != 0)
        return rc;
    /* what it left, so that a revert can tell whether a later change intervened */
    *out_applied = wf_applied_json(op->arena, &s, grade, class_no, state, school);
    const char *chg = wf_history_moves(op->arena, s.state, state, s.school, school, grade, ng,
                                       class_no, nc, class_id != s.class_id);
    db_history h = {0,   s.id, op->actor->user_id, q->id, NULL, d->type, op->actor->org, school,
                    chg, NULL};
    if (d->effect == WF_E_TRANSFER) /* done on paper first: its real date */
        h.effective_date = wf_payload_member(op->arena, q->payload_json, "effective_date");
    return db_history_insert(db, &h, err);
}

/* The key-field changes a request carries: sealed (encrypted) in its payload. */
static int
key_changes_of(const core_op *op, const char *payload, core_record *out, unsigned char *present,
               int *renumber, app_err *err)
{
    const char *sealed = wf_payload_member(op->arena, payload, "sealed");
    const char *rn = wf_payload_member(op->arena, payload, "renumber");
    *renumber = rn && atoi(rn) == 1;
    if (sealed == NULL)
        return app_err_set(err, APP_EINTERNAL, NULL, "key_field_change without sealed changes");
    return core_changes_open(op, sealed, out, present, err);
}

/* Apply the sealed key-field changes of `q`; *holder: the enrolled student
   holding the new identity when that fails with duplicate_enrolled. With
   `applied`, what a revert needs: the old values sealed and the renumber
   flag (JSON object text). */
static int
apply_key_changes(db_conn *db, const core_op *op, const core_request *q, long long *holder,
                  const char **applied, app_err *err)
{
    core_record ch;
    unsigned char present[CORE_NFIELDS];
    int renumber = 0;
    int rc = key_changes_of(op, q->payload_json, &ch, present, &renumber, err);
    if (rc != 0)
        return rc;
    core_key_change kc = {&ch, present, renumber, q->id, "key_field_change", NULL, NULL};
    if ((rc = core_student_key_apply(db, op, q->student_id, &kc, holder, err)) != 0)
        return rc;
    if (applied)
        *applied = wf_json_text(
            op->arena, json_pack("{s:s,s:i}", "sealed_old", kc.sealed_old, "renumber", renumber));
    return 0;
}

static int
is_duplicate_enrolled(int rc, const app_err *err)
{
    return rc == APP_ECONFLICT && err->slug && strcmp(err->slug, "duplicate_enrolled") == 0;
}

/* key_field_change: a new identity held by an enrolled student fails the
   request (rejected) and opens a problem record instead. */
static int
apply_key_fields(db_conn *db, const core_op *op, const core_request *q, const char **req_state,
                 const char **failure, app_err *err)
{
    long long holder = 0;
    const char *applied = NULL;
    int rc = apply_key_changes(db, op, q, &holder, &applied, err);
    if (rc == 0)
        return db_request_set_applied(db, q->id, applied, err);
    if (!is_duplicate_enrolled(rc, err))
        return rc;
    app_err_clear(err);
    *req_state = "rejected";
    *failure = "duplicate_enrolled";
    db_student hs;
    int found = 0;
    if ((rc = db_request_set_state(db, q->id, "rejected", 0, err)) != 0 ||
        (rc = db_student_get(db, holder, 0, op->arena, &hs, &found, err)) != 0)
        return rc;
    return core_problem_open(db, "duplicate_id", q->student_id, holder, q->school,
                             found ? hs.school : NULL, op->actor->org,
                             "key_field_change: duplicate_enrolled", err);
}

/* ------------------------------------------------------------ members */

/* The outcome of graduation member `id` from the parsed payload's outcomes
   ({"<student id>": "completed" | "incomplete"}); graduated when not named. */
static const char *
outcome_of(const json_t *payload, long long id)
{
    char key[24];
    snprintf(key, sizeof(key), "%lld", id);
    const char *o = json_string_value(json_object_get(json_object_get(payload, "outcomes"), key));
    if (o != NULL && strcmp(o, "completed") == 0)
        return "completed";
    if (o != NULL && strcmp(o, "incomplete") == 0)
        return "incomplete";
    return "graduated";
}

/* What a batch does to one member. */
typedef struct member_move {
    const char *state, *cert, *etype;
    long long class_id;
    int class_no;
    int grade; /* the grade it goes to (a transfer between systems maps it) */
} member_move;

static int
place_member(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
             const db_student *s, int grade, int class_no, const db_school *dst,
             const member_move *mv, app_err *err)
{
    const char *applied = wf_applied_json(op->arena, s, grade, class_no, mv->state, dst->code);
    const char *chg = wf_history_moves(op->arena, s->state, mv->state, s->school, dst->code, grade,
                                       mv->grade, class_no, mv->class_no, 0);
    db_history h = {0,       s->id,          op->actor->user_id, q->id, NULL,
                    d->type, op->actor->org, dst->code,          chg,   NULL};
    json_t *data = json_pack("{s:s,s:s,s:s,s:s}", "type", d->type, "state", mv->state, "from",
                             s->school, "school", dst->code);
    if (mv->cert)
        json_object_set_new(data, "certificate_no", json_string(mv->cert));
    int version = 0, rc;
    if ((rc = db_student_place(db, s->id, mv->state, dst->code, mv->class_id, mv->grade,
                               mv->class_no, &version, err)) != 0 ||
        (rc = db_history_insert(db, &h, err)) != 0 ||
        (rc = db_member_set(db, q->id, s->id, d->effect == WF_E_GRADUATE ? mv->state : NULL,
                            mv->cert, applied, err)) != 0)
        return rc;
    return core_event(db, mv->etype, s->id, dst->code, dst->authority, dst->province, q->id,
                      wf_json_text(op->arena, data), err);
}

/* batch_transfer and graduation: every member, in id order; `pl` is the parsed payload. */
static int
apply_members_of(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
                 const json_t *pl, app_err *err)
{
    db_member *m = q->members;
    int n = q->nmembers, rc;
    int grad = d->effect == WF_E_GRADUATE;
    const char *cls = member_text(op->arena, pl, "class");
    int year = op->today / 10000, ngrad = 0, first = 0;
    for (int i = 0; grad && i < n; i++)
        ngrad += strcmp(outcome_of(pl, m[i].student_id), "graduated") == 0;
    if (ngrad && (rc = db_certificate_take(db, q->school, year, ngrad, &first, err)) != 0)
        return rc;
    db_school dst, src;
    if ((rc = core_school_load(db, op, grad ? q->school : q->other_school, &dst, err)) != 0 ||
        (rc = core_school_load(db, op, q->school, &src, err)) != 0)
        return rc;
    for (int i = 0; i < n; i++) {
        db_student s;
        int found = 0;
        if ((rc = db_student_get(db, m[i].student_id, 1, op->arena, &s, &found, err)) != 0)
            return rc;
        /* the members are held by this request: nothing else moved them */
        if (!found || !wf_def_allows(d, s.state) || strcmp(s.school, q->school) != 0)
            return app_err_set(err, APP_ESTATE, "transition_not_allowed", "member %lld",
                               m[i].student_id);
        int grade, class_no;
        core_student_place_of(&s, &grade, &class_no);
        member_move mv = {"enrolled", NULL, NULL, s.class_id, class_no, grade};
        if (grad) {
            mv.state = outcome_of(pl, s.id);
            if (strcmp(mv.state, "graduated") == 0)
                mv.cert = app_arena_printf(op->arena, "%s%04d%05d", q->school, year, first++);
            mv.etype = "student.graduated";
        } else {
            mv.class_no = cls ? atoi(cls) : class_no;
            /* the same year of schooling under the receiving school's system */
            int g = core_grade_map(src.system, dst.system, grade);
            mv.grade = g ? g : grade;
            if ((rc = wf_class_lock(db, dst.code, mv.grade, mv.class_no, &mv.class_id, err)) != 0)
                return rc;
            mv.etype = "student.transferred";
        }
        if ((rc = place_member(db, op, d, q, &s, grade, class_no, &dst, &mv, err)) != 0)
            return rc;
    }
    return 0;
}

static int
apply_members(db_conn *db, const core_op *op, const wf_def *d, const core_request *q, app_err *err)
{
    json_t *pl = q->payload_json ? json_loads(q->payload_json, 0, NULL) : NULL;
    int rc = apply_members_of(db, op, d, q, pl, err);
    json_decref(pl);
    return rc;
}

/* ------------------------------------------------------------ problems */

/* 删除: the record leaves the active states; a registration waiting for it ends. */
static int
delete_record(db_conn *db, const core_op *op, const core_request *q, app_err *err)
{
    db_student s;
    int found = 0, grade, class_no, version = 0;
    int rc = db_student_get(db, q->student_id, 1, op->arena, &s, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return app_err_set(err, APP_ESTATE, "transition_not_allowed", "no student");
    core_student_place_of(&s, &grade, &class_no);
    const char *chg = wf_history_moves(op->arena, s.state, "deleted", s.school, s.school, grade,
                                       grade, class_no, class_no, 0);
    db_history h = {
        0,   s.id, op->actor->user_id, q->id, NULL, "problem_resolution", op->actor->org, s.school,
        chg, NULL};
    if ((rc = db_request_end_open_of(db, s.id, "rejected", err)) != 0 ||
        (rc = db_student_place(db, s.id, "deleted", s.school, s.class_id, grade, class_no, &version,
                               err)) != 0)
        return rc;
    return db_history_insert(db, &h, err);
}

/* problem_resolution: 佐证 closes the problem, 变更 corrects the key fields
   (checks rerun), 删除 takes the record out of the active states. */
static int
apply_resolution(db_conn *db, const core_op *op, const core_request *q, const char **req_state,
                 const char **failure, app_err *err)
{
    const char *method = wf_payload_member(op->arena, q->payload_json, "method");
    int rc = 0;
    if (method == NULL)
        return app_err_set(err, APP_EINTERNAL, NULL, "resolution without method");
    if (strcmp(method, "change") == 0) {
        long long holder = 0;
        rc = apply_key_changes(db, op, q, &holder, NULL, err);
        if (is_duplicate_enrolled(rc, err)) {
            /* the new identity is held: the request fails, the problem stays */
            app_err_clear(err);
            *req_state = "rejected";
            *failure = "duplicate_enrolled";
            return db_request_set_state(db, q->id, "rejected", 0, err);
        }
    } else if (strcmp(method, "delete") == 0) {
        rc = delete_record(db, op, q, err);
    }
    if (rc != 0)
        return rc;
    return db_problem_resolve(db, q->problem_id, method, q->id, err);
}

/* ------------------------------------------------------------ intake */

/* The other open claims on the graduate end by themselves, each with its
   action row, audit row and an event to its claiming school. */
static int
supersede_claims(db_conn *db, const core_op *op, const core_request *q, app_err *err)
{
    db_superseded *v;
    int n = 0;
    int rc = db_intake_supersede(db, q->student_id, q->id, op->arena, &v, &n, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        db_school sc;
        int found = 0;
        char rid[24];
        snprintf(rid, sizeof(rid), "%lld", v[i].id);
        json_t *data = json_pack("{s:s,s:s,s:I}", "type", "intake_claim", "state", "superseded",
                                 "by_request", (json_int_t)q->id);
        const char *dd = wf_json_text(op->arena, data);
        const char *dt =
            wf_json_text(op->arena, json_pack("{s:I}", "by_request", (json_int_t)q->id));
        if ((rc = db_school_get(db, v[i].school, op->arena, &sc, &found, err)) != 0 ||
            (rc = db_request_action_insert(db, v[i].id, 0, "supersede", op->actor->user_id,
                                           op->actor->org, NULL, err)) != 0 ||
            (rc = core_audit(db, op, "request.supersede", "request", rid, dt, err)) != 0)
            break;
        rc = core_event(db, "request.superseded", q->student_id, sc.code, sc.authority, sc.province,
                        v[i].id, dd, err);
    }
    return rc;
}

/*
 * intake_claim: the graduate enrolled at the claiming school (q->school) in
 * the claimed grade and class, its record re-activated (one record, its
 * history and student number kept: docs/decisions/0027); then every other
 * claim on it ends. The row was locked before the request (act.c).
 */
static int
apply_intake(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
             const char **out_applied, app_err *err)
{
    db_student s;
    int found = 0, grade, class_no;
    int rc = db_student_get(db, q->student_id, DB_STUDENT_LOCK, op->arena, &s, &found, err);
    if (rc != 0)
        return rc;
    if (!found || !wf_def_allows(d, s.state))
        return app_err_set(err, APP_ESTATE, "transition_not_allowed", "no longer in the pool");
    core_student_place_of(&s, &grade, &class_no);
    const char *g = wf_payload_member(op->arena, q->payload_json, "grade");
    const char *c = wf_payload_member(op->arena, q->payload_json, "class");
    const char *e = wf_payload_member(op->arena, q->payload_json, "entry_date");
    if (g == NULL || c == NULL || e == NULL || strlen(e) != 10)
        return app_err_set(err, APP_EINTERNAL, NULL, "intake_claim without grade, class or date");
    int ng = atoi(g), nc = atoi(c);
    char month[7];
    snprintf(month, sizeof(month), "%.4s%.2s", e, e + 5);
    long long cid;
    db_school dst;
    const char *old_month = "";
    if ((rc = wf_class_lock(db, q->school, ng, nc, &cid, err)) != 0 ||
        (rc = db_school_get(db, q->school, op->arena, &dst, &found, err)) != 0 ||
        (rc = db_intake_enrol(db, s.id, q->school, cid, ng, nc, month, op->arena, &old_month,
                              &found, err)) != 0) {
        if (rc == APP_ECONFLICT && strstr(err->detail, "one_person"))
            rc = app_err_set(err, APP_ECONFLICT, "duplicate_enrolled", "another active record");
        return rc;
    }
    /* a revert puts it back in the pool as it was, entry month included */
    json_t *ap =
        json_loads(wf_applied_json(op->arena, &s, grade, class_no, "enrolled", q->school), 0, NULL);
    json_object_set_new(ap, "enrolled_month", json_string(old_month));
    *out_applied = wf_json_text(op->arena, ap);
    const char *chg = wf_history_moves(op->arena, s.state, "enrolled", s.school, q->school, grade,
                                       ng, class_no, nc, 1);
    db_history h = {0,       s.id,           op->actor->user_id, q->id, NULL,
                    d->type, op->actor->org, q->school,          chg,   NULL};
    json_t *data = json_pack("{s:s,s:s,s:s,s:s,s:i}", "type", d->type, "state", "enrolled", "from",
                             s.school, "school", q->school, "grade", ng);
    if ((rc = db_history_insert(db, &h, err)) != 0 ||
        (rc = core_event(db, "student.claimed", s.id, dst.code, dst.authority, dst.province, q->id,
                         wf_json_text(op->arena, data), err)) != 0)
        return rc;
    return supersede_claims(db, op, q, err);
}

/* ------------------------------------------------------------ dispatch */

int
wf_effect_apply(db_conn *db, const core_op *op, const wf_def *d, long long id,
                const char **req_state, const char **failure, app_err *err)
{
    core_request q;
    int found = 0;
    int rc = db_request_get(db, id, 0, op->arena, &q, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return wf_request_not_found(err, id);
    const char *applied = NULL;
    switch (d->effect) {
    case WF_E_REGISTER:
        return core_student_apply_registration(db, op, q.student_id, q.id, err);
    case WF_E_BATCH_TRANSFER:
    case WF_E_GRADUATE:
        return apply_members(db, op, d, &q, err);
    case WF_E_RESOLVE:
        return apply_resolution(db, op, &q, req_state, failure, err);
    case WF_E_KEY_FIELDS:
        return apply_key_fields(db, op, &q, req_state, failure, err);
    case WF_E_INTAKE:
        rc = apply_intake(db, op, d, &q, &applied, err);
        break;
    case WF_E_U_SUSPEND:
    case WF_E_U_RESUME:
    case WF_E_U_WITHDRAW:
    case WF_E_U_MAJOR:
    case WF_E_U_COHORT:
        return wf_uni_effect(db, op, d, &q, err);
    case WF_E_U_GRADE_REVIEW:
    case WF_E_U_DEFERRED_EXAM:
    case WF_E_U_RETAKE:
        return wf_course_effect(db, op, d, &q, err);
    case WF_E_U_EXEMPT:
    case WF_E_U_SUBSTITUTE:
    case WF_E_U_COVER:
    case WF_E_U_LATE:
        return wf_creq_effect(db, op, d, &q, err);
    case WF_E_REWARD_REMOVE: {
        const char *rid = wf_payload_member(op->arena, q.payload_json, "reward");
        return core_reward_remove(db, op, q.student_id, rid ? atoll(rid) : 0, q.id, err);
    }
    default:
        rc = apply_move(db, op, d, &q, &applied, err);
        break;
    }
    if (rc != 0)
        return rc;
    return applied ? db_request_set_applied(db, id, applied, err) : 0;
}
