/*
 * workflow/revert.c - putting an applied change back (异动纠错, DOMAIN rule
 * 18; see workflow/wf.h): a bureau over the school reverts the latest
 * change of a student, or a whole batch, from the `applied` snapshot the
 * effect recorded (workflow/effects.h); a key-field change from the old
 * values sealed at its approval (docs/decisions/0030).
 */
#include "db/history.h"
#include "db/intake.h"
#include "workflow/effects.h"
#include "workflow/uni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An applied snapshot, read back. */
typedef struct snapshot {
    const char *state, *school, *class_id, *grade, *class_no, *to_state, *to_school;
} snapshot;

static int
snapshot_read(app_arena *a, const char *json, snapshot *s)
{
    s->state = wf_payload_member(a, json, "state");
    s->school = wf_payload_member(a, json, "school");
    s->class_id = wf_payload_member(a, json, "class_id");
    s->grade = wf_payload_member(a, json, "grade");
    s->class_no = wf_payload_member(a, json, "class");
    s->to_state = wf_payload_member(a, json, "to_state");
    s->to_school = wf_payload_member(a, json, "to_school");
    return s->state && s->school && s->class_id && s->grade && s->class_no;
}

static const char *
type_state(app_arena *a, const char *type, const char *state)
{
    json_t *o = json_pack("{s:s}", "type", type);
    if (state)
        json_object_set_new(o, "state", json_string(state));
    return wf_json_text(a, o);
}

/* The request's own rows: state reverted, action, audit, event. */
static int
record_revert(db_conn *db, const core_op *op, const core_request *q, long long student_id,
              const char *school, const db_school *sc, const char *comment, app_err *err)
{
    const core_actor *ac = op->actor;
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", q->id);
    int rc;
    if ((rc = db_request_set_state(db, q->id, "reverted", 0, err)) != 0 ||
        (rc = db_request_action_insert(db, q->id, 0, "revert", ac->user_id, ac->org, comment,
                                       err)) != 0 ||
        (rc = core_audit(db, op, "request.revert", "request", rid, "{}", err)) != 0)
        return rc;
    return core_event(db, "request.reverted", student_id, school, sc->authority, q->province, q->id,
                      type_state(op->arena, q->type, "reverted"), err);
}

/* Revert a batch: every member back where it was, or none when any has
   moved since (or has business open now). */
static int
revert_members(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
               const db_school *sc, app_err *err)
{
    const core_actor *ac = op->actor;
    int rc = 0;
    for (int i = 0; i < q->nmembers; i++) {
        const db_member *m = &q->members[i];
        snapshot p;
        if (m->applied_json == NULL || !snapshot_read(op->arena, m->applied_json, &p) ||
            !p.to_state || !p.to_school)
            return app_err_set(err, APP_EINTERNAL, NULL, "applied snapshot incomplete");
        db_student s;
        int found = 0, nopen = 0, grade, class_no, version = 0;
        if ((rc = db_student_get(db, m->student_id, 1, op->arena, &s, &found, err)) != 0 ||
            (rc = db_request_open_count(db, m->student_id, &nopen, err)) != 0)
            return rc;
        if (!found || nopen > 0 || strcmp(p.to_state, s.state) != 0 ||
            strcmp(p.to_school, s.school) != 0)
            return app_err_set(err, APP_ECONFLICT, "revert_conflict", "member %lld changed",
                               m->student_id);
        core_student_place_of(&s, &grade, &class_no);
        const char *chg = wf_history_moves(op->arena, s.state, p.state, s.school, p.school, grade,
                                           atoi(p.grade), class_no, atoi(p.class_no), 0);
        db_history h = {0, s.id, ac->user_id, q->id, NULL, "revert", ac->org, p.school, chg, NULL};
        if ((rc = db_student_place(db, s.id, p.state, p.school, atoll(p.class_id), atoi(p.grade),
                                   atoi(p.class_no), &version, err)) != 0 ||
            (rc = db_history_insert(db, &h, err)) != 0 ||
            (rc = core_event(db, "student.reverted", s.id, p.school, sc->authority, sc->province,
                             q->id, type_state(op->arena, d->type, NULL), err)) != 0)
            return rc;
    }
    return 0;
}

/* Revert one student's latest change: only when the student is where this
   change left it and has nothing open. */
static int
revert_student(db_conn *db, const core_op *op, const core_request *q, const db_school *sc,
               const char *comment, app_err *err)
{
    const core_actor *ac = op->actor;
    int nopen = 0;
    int rc = db_request_open_count(db, q->student_id, &nopen, err);
    if (rc != 0)
        return rc;
    if (nopen > 0)
        return app_err_set(err, APP_ECONFLICT, "student_in_flight", "open request");
    snapshot p;
    if (!snapshot_read(op->arena, q->applied_json, &p))
        return app_err_set(err, APP_EINTERNAL, NULL, "applied snapshot incomplete");
    db_student s;
    int found = 0;
    if ((rc = db_student_get(db, q->student_id, 1, op->arena, &s, &found, err)) != 0)
        return rc;
    if (!p.to_state || !p.to_school || strcmp(p.to_state, s.state) != 0 ||
        strcmp(p.to_school, s.school) != 0)
        return app_err_set(err, APP_ECONFLICT, "revert_conflict", "changed since");
    int version = 0;
    /* an intake claim also restores the entry month it replaced */
    const char *em = wf_payload_member(op->arena, q->applied_json, "enrolled_month");
    if ((rc = db_student_place(db, s.id, p.state, p.school, atoll(p.class_id), atoi(p.grade),
                               atoi(p.class_no), &version, err)) != 0 ||
        (em && (rc = db_intake_restore_month(db, s.id, em, err)) != 0))
        return rc;
    json_t *chg = json_pack("[{s:s,s:s,s:s},{s:s,s:s,s:s}]", "field", "/state", "old", s.state,
                            "new", p.state, "field", "/school", "old", s.school, "new", p.school);
    db_history h = {0,       s.id,     ac->user_id,
                    q->id,   NULL,     "revert",
                    ac->org, p.school, wf_json_text(op->arena, chg),
                    NULL};
    if ((rc = db_history_insert(db, &h, err)) != 0)
        return rc;
    return record_revert(db, op, q, s.id, p.school, sc, comment, err);
}

/* Revert a key-field change: the old values sealed at approval come back,
   when the record still holds the new ones and has nothing open; the
   duplicate check runs on them (duplicate_enrolled). */
static int
revert_key_fields(db_conn *db, const core_op *op, const core_request *q, const db_school *sc,
                  const char *comment, app_err *err)
{
    int nopen = 0;
    int rc = db_request_open_count(db, q->student_id, &nopen, err);
    if (rc != 0)
        return rc;
    if (nopen > 0)
        return app_err_set(err, APP_ECONFLICT, "student_in_flight", "open request");
    const char *old_sealed = wf_payload_member(op->arena, q->applied_json, "sealed_old");
    const char *new_sealed = wf_payload_member(op->arena, q->payload_json, "sealed");
    const char *rn = wf_payload_member(op->arena, q->applied_json, "renumber");
    if (old_sealed == NULL || new_sealed == NULL)
        return app_err_set(err, APP_EINTERNAL, NULL, "applied key fields incomplete");
    core_record old, now;
    unsigned char present[CORE_NFIELDS], present_new[CORE_NFIELDS];
    if ((rc = core_changes_open(op, old_sealed, &old, present, err)) != 0 ||
        (rc = core_changes_open(op, new_sealed, &now, present_new, err)) != 0)
        return rc;
    core_key_change kc = {&old, present, rn && atoi(rn) == 1, q->id, "revert", &now, NULL};
    long long holder = 0;
    if ((rc = core_student_key_apply(db, op, q->student_id, &kc, &holder, err)) != 0)
        return rc;
    db_student s;
    int found = 0;
    if ((rc = db_student_get(db, q->student_id, 0, op->arena, &s, &found, err)) != 0)
        return rc;
    return record_revert(db, op, q, q->student_id, found ? s.school : q->school, sc, comment, err);
}

int
wf_request_revert(db_conn *db, const core_op *op, long long id, const char *comment,
                  core_request *out, app_err *err)
{
    const core_actor *ac = op->actor;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    core_request q;
    if ((rc = wf_request_load(db, op, id, 1, &q, err)) != 0)
        goto fail;
    db_school sc;
    if ((rc = core_school_load(db, op, q.school, &sc, err)) != 0)
        goto fail;
    /* county or above, over the school the change started at (rule 18) */
    if (ac->level < CORE_LEVEL_COUNTY ||
        !core_org_is_superior_of_school(ac->org,
                                        &(core_school_ref){sc.code, sc.county, sc.authority})) {
        rc = app_err_set(err, APP_EFORBIDDEN, "forbidden", "revert needs an authority above");
        goto fail;
    }
    const wf_def *d = wf_def_find(q.type);
    if (d == NULL || !d->revertible || strcmp(q.state, "approved") != 0 ||
        (!d->batch && q.applied_json == NULL)) {
        rc = app_err_set(err, APP_EINVAL, "not_revertible", "%s in state %s", q.type, q.state);
        goto fail;
    }
    if (d->university) {
        rc = wf_uni_revert(db, op, d, &q, err);
        if (rc == 0)
            rc = record_revert(db, op, &q, q.student_id, q.school, &sc, comment, err);
    } else if (d->effect == WF_E_KEY_FIELDS) {
        rc = revert_key_fields(db, op, &q, &sc, comment, err);
    } else if (d->batch) {
        rc = revert_members(db, op, d, &q, &sc, err);
        if (rc == 0)
            rc = record_revert(db, op, &q, 0, q.school, &sc, comment, err);
    } else
        rc = revert_student(db, op, &q, &sc, comment, err);
    if (rc != 0)
        goto fail;
    if ((rc = db_commit(db, err)) != 0)
        return rc;
    return wf_request_get(db, op, id, out, err);
fail:
    db_rollback(db);
    return rc;
}
