/*
 * workflow/wf.c - requests, steps and actions (see workflow/wf.h).
 */
#include "workflow/wf.h"

#include <stdio.h>
#include <string.h>

#include "db/school.h"
#include "db/settings.h"

static int
not_found(app_err *err, long long id)
{
    return app_err_set(err, APP_ENOTFOUND, "request_not_found", "request %lld", id);
}

/* Visible: the school is in the actor's jurisdiction, or a step is the actor's. */
static int
visible(db_conn *db, const core_op *op, const core_request *q, int *out, app_err *err)
{
    *out = 0;
    for (int i = 0; i < q->nsteps; i++)
        if (strcmp(q->steps[i].org, op->actor->org) == 0)
            *out = 1;
    if (*out)
        return 0;
    db_school sc;
    int found = 0;
    int rc = db_school_get(db, q->school, op->arena, &sc, &found, err);
    if (rc != 0)
        return rc;
    core_school_ref ref = {sc.code, sc.county, sc.authority};
    *out = found && core_actor_sees_school(op->actor, &ref);
    if (*out && op->actor->level == CORE_LEVEL_SCHOOL)
        *out = op->actor->staff_role == CORE_STAFF_REGISTRAR;
    return 0;
}

static int
load(db_conn *db, const core_op *op, long long id, int lock, core_request *out, app_err *err)
{
    int found = 0, ok = 0;
    int rc = db_request_get(db, id, lock, op->arena, out, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return not_found(err, id);
    if ((rc = visible(db, op, out, &ok, err)) != 0)
        return rc;
    return ok ? 0 : not_found(err, id);
}

int
wf_request_get(db_conn *db, const core_op *op, long long id, core_request *out, app_err *err)
{
    return load(db, op, id, 0, out, err);
}

static const char *
due_after(db_conn *db, const core_op *op, const char *school, app_err *err)
{
    db_settings set;
    if (db_settings_for_school(db, school, op->arena, &set, err) != 0)
        return NULL;
    int due = core_add_working_days(op->today, set.step_deadline_days, set.holidays,
                                    set.nholidays);
    return app_arena_printf(op->arena, "%04d-%02d-%02dT23:59:59+08:00", due / 10000,
                            due / 100 % 100, due % 100);
}

int
wf_request_act(db_conn *db, const core_op *op, long long id, const char *action, int step,
               const char *comment, core_request *out, app_err *err)
{
    int approve = strcmp(action, "approve") == 0, reject = strcmp(action, "reject") == 0;
    if (!approve && !reject)
        return app_err_set(err, APP_EINVAL, "invalid_action", "action %s", action);
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    core_request q;
    if ((rc = load(db, op, id, 1, &q, err)) != 0)
        goto fail;
    if (strcmp(q.state, "open") != 0 || q.current_step != step) {
        rc = app_err_set(err, APP_ECONFLICT, "step_already_decided", "current step %d",
                         q.current_step);
        goto fail;
    }
    const db_step *st = &q.steps[step - 1];
    if (op->actor->level == CORE_LEVEL_SCHOOL || strcmp(st->org, op->actor->org) != 0) {
        rc = app_err_set(err, APP_EFORBIDDEN, "not_step_holder", "step %d is held by %s", step,
                         st->org);
        goto fail;
    }
    int last = step == q.nsteps;
    const char *req_state = reject ? "rejected" : last ? "approved" : "open";
    int next = reject || last ? 0 : step + 1;
    const char *due = next ? due_after(db, op, q.school, err) : NULL;
    if (next && due == NULL) {
        rc = err->code ? err->code : APP_EINTERNAL;
        goto fail;
    }
    if ((rc = db_request_decide(db, id, step, reject ? "rejected" : "approved",
                                op->actor->user_id, comment, req_state, next, due, err)) != 0 ||
        (rc = db_request_action_insert(db, id, step, action, op->actor->user_id, op->actor->org,
                                       comment, err)) != 0)
        goto fail;
    /* the effect, in this transaction */
    if (strcmp(q.type, "registration") == 0) {
        if (reject)
            rc = core_student_reject_registration(db, op, q.student_id, id, err);
        else if (last)
            rc = core_student_apply_registration(db, op, q.student_id, id, err);
        if (rc != 0)
            goto fail;
    }
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", id);
    const char *detail = app_arena_printf(op->arena, "{\"action\":\"%s\",\"step\":%d}",
                                          approve ? "approve" : "reject", step);
    const char *data = app_arena_printf(
        op->arena, "{\"type\":\"%s\",\"action\":\"%s\",\"step\":%d,\"state\":\"%s\"}", q.type,
        approve ? "approve" : "reject", step, req_state);
    db_school sc;
    int found = 0;
    if ((rc = db_school_get(db, q.school, op->arena, &sc, &found, err)) != 0 ||
        (rc = core_audit(db, op, "request.act", "request", rid, detail, err)) != 0 ||
        (rc = core_event(db, "request.decided", q.student_id, q.school, sc.authority,
                         q.province, id, data, err)) != 0)
        goto fail;
    if ((rc = db_commit(db, err)) != 0)
        return rc;
    return wf_request_get(db, op, id, out, err);
fail:
    db_rollback(db);
    return rc;
}
