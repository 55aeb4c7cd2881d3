/*
 * workflow/act.c - actions on a request's steps: approve, reject, return,
 * and the starter's withdraw and resubmit (see workflow/wf.h).
 */
#include "db/intake.h"
#include "workflow/course.h"
#include "workflow/creq.h"
#include "workflow/effects.h"
#include "workflow/uni.h"

#include <stdio.h>
#include <string.h>

int wf_fault_after_effect;

/* 1 when the actor holds step `st`: its org, or (once overdue) the org it
   escalates to, which then forces the decision (强制干预). */
static int
holds(const core_op *op, const db_step *st, int *out_forced)
{
    const core_actor *a = op->actor;
    *out_forced = 0;
    if (wf_actor_holds(a, st->org, st->office, st->college))
        return 1;
    char now[24];
    wf_now_text(now);
    if (st->escalate_to && wf_actor_holds(a, st->escalate_to, st->escalate_office, NULL) &&
        st->due_at && st->due_at[0] && strcmp(st->due_at, now) < 0) {
        *out_forced = 1; /* 强制干预 */
        return 1;
    }
    return 0;
}

/* What an action decided, for its action row, audit row and event. */
typedef struct outcome {
    const char *req_state;
    const char *failure; /* the effect failed the request: "duplicate_enrolled" */
    int forced, step;
} outcome;

/* The org that starts `q`: a registration's is the student's school
   (its registrar), whoever registered it; every other type's is the org
   that started it. */
static const char *
starter_org(const wf_def *d, const core_request *q)
{
    return d->effect == WF_E_REGISTER ? q->school : q->started_org;
}

/* withdraw and resubmit: the starter's own (rule 15: for transfers only
   the receiving school). A withdrawn registration ends like a rejected one:
   the pending record gives up its identity. */
static int
act_as_starter(db_conn *db, const core_op *op, const wf_def *d, const core_request *q, int withdraw,
               outcome *o, app_err *err)
{
    const char *org = starter_org(d, q);
    /* a student's own request is the student's, not the university's */
    int mine =
        d->starter == WF_START_STUDENT
            ? wf_actor_is_student(op->actor) && q->started_by == op->actor->user_id
            : !wf_actor_is_student(op->actor) && strcmp(org, op->actor->org) == 0 &&
                  (op->actor->level != CORE_LEVEL_SCHOOL || wf_actor_is_registrar(op->actor));
    if (!mine)
        return app_err_set(err, APP_EFORBIDDEN, "not_request_starter", "starter %s", org);
    int open = strcmp(q->state, "open") == 0, returned = strcmp(q->state, "returned") == 0;
    if (withdraw ? !open && !returned : !returned)
        return app_err_set(err, APP_ECONFLICT, "step_already_decided", "state %s", q->state);
    int rc;
    if (withdraw) {
        o->req_state = "withdrawn";
        if ((rc = db_request_set_state(db, q->id, "withdrawn", 0, err)) != 0 ||
            (rc = wf_uni_step_undone(db, op, d, q, err)) != 0)
            return rc;
        if (d->effect == WF_E_REGISTER)
            return core_student_reject_registration(db, op, q->student_id, q->id, err);
        return 0;
    }
    o->req_state = "open";
    if (d->effect == WF_E_REGISTER) {
        /* routed again: a correction may have given or taken the document */
        db_step *steps;
        int n = 0;
        if ((rc = core_student_registration_steps(db, op, q->student_id, &steps, &n, err)) != 0 ||
            (rc = db_request_steps_replace(db, q->id, steps, n, err)) != 0)
            return rc;
    } else {
        db_settings set;
        const char *due = NULL;
        /* a resubmission is submitted again: a course request's own due date anew */
        if ((rc = db_settings_for_school(db, q->school, op->arena, &set, err)) != 0 ||
            (rc = wf_creq_due(db, op, d, q->school, NULL, 1, wf_step_due(op, &set), &due, err)) !=
                0 ||
            (rc = db_request_steps_reset(db, q->id, due, wf_parallel_of(d, q->steps, q->nsteps),
                                         err)) != 0)
            return rc;
    }
    return db_request_set_state(db, q->id, "open", 1, err);
}

/* Whether step `step` may be decided now: the current one, or a step of
   the type's parallel group still waiting (docs/decisions/0033). */
static int
actable(const wf_def *d, const core_request *q, int step)
{
    if (step < 1 || step > q->nsteps)
        return 0;
    if (step == q->current_step)
        return 1;
    return step <= d->parallel && q->current_step >= 1 && q->current_step <= d->parallel &&
           strcmp(q->steps[step - 1].state, "waiting") == 0;
}

/* Another step of the parallel group still waiting besides `step`: its
   number, else 0. */
static int
parallel_waiting(const wf_def *d, const core_request *q, int step)
{
    for (int i = 1; i <= d->parallel && i <= q->nsteps; i++)
        if (i != step && strcmp(q->steps[i - 1].state, "waiting") == 0)
            return i;
    return 0;
}

/* approve, reject or return step `step`, and on the last approval (or a
   rejected registration) the effect, in this transaction (rule 17). */
/* The electronic registration step (学信网电子注册) of a major transfer. */
static int
is_registration(const db_step *st)
{
    return st->office && strcmp(st->office, "student_affairs") == 0;
}

/* Who may decide step `st`: its holder (or superior once overdue); a
   confirmation's step only through POST .../confirmations, by student
   affairs or a service client of the request's province. */
static int
may_decide(const core_op *op, const core_request *q, const db_step *st, int confirm, int *forced)
{
    *forced = 0;
    if (confirm == 2)
        return is_registration(st) && op->actor->level == CORE_LEVEL_PROVINCE &&
               strcmp(op->actor->org, q->province) == 0;
    return holds(op, st, forced);
}

static int
act_on_step(db_conn *db, const core_op *op, const wf_def *d, const core_request *q, const wf_act *a,
            outcome *o, app_err *err)
{
    const char *action = a->action, *comment = a->comment;
    int step = a->step;
    int approve = strcmp(action, "approve") == 0, reject = strcmp(action, "reject") == 0;
    if (strcmp(q->state, "open") != 0 || !actable(d, q, step))
        return app_err_set(err, APP_ECONFLICT, "step_already_decided", "current step %d",
                           q->current_step);
    const db_step *st = &q->steps[step - 1];
    if (a->confirm && !is_registration(st))
        return app_err_set(err, APP_ECONFLICT, "not_awaiting_confirmation", "step %d", step);
    if (!may_decide(op, q, st, a->confirm, &o->forced))
        return app_err_set(err, APP_EFORBIDDEN, "not_step_holder", "step %d is held by %s", step,
                           st->org);
    o->step = step;
    int last = step == q->nsteps, rc;
    long long uid = op->actor->user_id;
    if (!approve && !reject) {
        o->req_state = "returned";
        /* the step stays `returned` until the starter resubmits */
        if ((rc = db_request_decide(db, q->id, step, "returned", uid, comment, o->forced,
                                    "returned", 0, NULL, err)) != 0 ||
            (rc = wf_uni_step_undone(db, op, d, q, err)) != 0)
            return rc;
        return db_request_set_state(db, q->id, "returned", step, err);
    }
    o->req_state = reject ? "rejected" : last ? "approved" : "open";
    int next = reject || last ? 0 : step + 1;
    /* after a parallel group: the first step not yet approved */
    while (next && next < q->nsteps && strcmp(q->steps[next - 1].state, "approved") == 0)
        next++;
    const char *due = NULL;
    int waits = approve ? parallel_waiting(d, q, step) : 0;
    if (waits) {
        /* the other dean has yet to decide: the request stays at that step */
        next = waits;
        due = q->steps[waits - 1].due_at;
    } else if (next && d->due_fixed && q->steps[0].due_at) {
        due = q->steps[0].due_at; /* 成绩复核: every step by week 3 (docs/decisions/0043) */
    } else if (next) {
        db_settings set;
        if ((rc = db_settings_for_school(db, q->school, op->arena, &set, err)) != 0)
            return rc;
        if ((rc = wf_creq_due(db, op, d, q->school, q, next, wf_step_due(op, &set), &due, err)) !=
            0)
            return rc;
    }
    if ((rc = db_request_decide(db, q->id, step, reject ? "rejected" : "approved", uid, comment,
                                o->forced, o->req_state, next, due, err)) != 0)
        return rc;
    if (reject && d->effect == WF_E_REGISTER)
        return core_student_reject_registration(db, op, q->student_id, q->id, err);
    if (reject)
        return wf_uni_step_undone(db, op, d, q, err);
    if (approve && last && d->approval_score &&
        (rc = wf_course_approval(db, op, q, a->score, err)) != 0)
        return rc;
    if (approve && last)
        return wf_effect_apply(db, op, d, q->id, &o->req_state, &o->failure, err);
    return wf_uni_step_approved(db, op, d, q, step, err);
}

/* The action row, the audit row and the change-feed event of an action. */
static int
record_action(db_conn *db, const core_op *op, const core_request *q, const wf_act *a,
              const char *ev, const outcome *o, app_err *err)
{
    const char *action = a->action;
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", q->id);
    json_t *detail = json_pack("{s:s,s:i}", "action", action, "step", o->step);
    json_t *data = json_pack("{s:s,s:s,s:i,s:s}", "type", q->type, "action", action, "step",
                             o->step, "state", o->req_state);
    if (o->forced) {
        json_object_set_new(detail, "forced", json_true());
        json_object_set_new(data, "forced", json_true());
    }
    if (o->failure)
        json_object_set_new(data, "failure", json_string(o->failure));
    if (a->nevidence > 0)
        json_object_set_new(detail, "evidence", json_integer(a->nevidence));
    const char *dt = wf_json_text(op->arena, detail), *dd = wf_json_text(op->arena, data);
    db_school sc;
    const char *act = o->forced ? app_arena_printf(op->arena, "forced_%s", action) : action;
    int rc;
    if ((rc = db_request_action_insert_ev(db, q->id, o->step, act, op->actor->user_id,
                                          op->actor->org, a->comment, ev, err)) != 0 ||
        (rc = core_school_load(db, op, q->school, &sc, err)) != 0 ||
        (rc = core_audit(db, op, "request.act", "request", rid, dt, err)) != 0)
        return rc;
    return core_event(db, "request.decided", q->student_id, q->school, sc.authority, q->province,
                      q->id, dd, err);
}

int
wf_request_act(db_conn *db, const core_op *op, long long id, const char *action, int step,
               const char *comment, core_request *out, app_err *err)
{
    wf_act a = {id, action, step, comment, NULL, 0, 0, NULL};
    return wf_request_act_on(db, op, &a, out, err);
}

int
wf_request_act_on(db_conn *db, const core_op *op, const wf_act *a, core_request *out, app_err *err)
{
    static const char *const actions[] = {"approve",  "reject",   "return",
                                          "withdraw", "resubmit", NULL};
    if (a->confirm && strcmp(a->action, "approve") != 0 && strcmp(a->action, "reject") != 0)
        return app_err_set(err, APP_EINVAL, "invalid_action", "action %s", a->action);
    int known = 0;
    for (const char *const *x = actions; *x; x++)
        known |= strcmp(*x, a->action) == 0;
    if (!known)
        return app_err_set(err, APP_EINVAL, "invalid_action", "action %s", a->action);
    int withdraw = strcmp(a->action, "withdraw") == 0,
        resubmit = strcmp(a->action, "resubmit") == 0;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    core_request q;
    const char *ev = NULL;
    long long claimed = 0;
    /* a claim's graduate before the claim: two approvals of two claims on
       one graduate wait for each other instead of deadlocking (db/intake.h) */
    if ((rc = db_intake_claim_lock(db, a->request, &claimed, err)) != 0 ||
        (rc = wf_request_load(db, op, a->request, 1, &q, err)) != 0)
        goto fail;
    const wf_def *d = wf_def_find(q.type);
    if (d == NULL) {
        rc = app_err_set(err, APP_EINTERNAL, NULL, "unknown type %s", q.type);
        goto fail;
    }
    outcome o = {q.state, NULL, 0, 0};
    if (withdraw || resubmit)
        rc = act_as_starter(db, op, d, &q, withdraw, &o, err);
    else
        rc = act_on_step(db, op, d, &q, a, &o, err);
    if (rc != 0 || (rc = wf_evidence_check(db, op, a->evidence, a->nevidence, &ev, err)) != 0)
        goto fail;
    if (wf_fault_after_effect) {
        rc = app_err_set(err, APP_EINTERNAL, NULL, "injected fault after the effect");
        goto fail;
    }
    if ((rc = record_action(db, op, &q, a, ev, &o, err)) != 0)
        goto fail;
    if ((rc = db_commit(db, err)) != 0)
        return rc;
    return wf_request_get(db, op, a->request, out, err);
fail:
    db_rollback(db);
    return rc;
}

int
wf_request_confirm(db_conn *db, const core_op *op, const wf_confirm *c, core_request *out,
                   app_err *err)
{
    int yes = c->result && strcmp(c->result, "confirmed") == 0;
    if (!yes && (c->result == NULL || strcmp(c->result, "refused") != 0))
        return wf_err_item(err, "/result", "invalid_value");
    /* the step is the current one: read it first (the action checks it again, locked) */
    core_request q;
    int rc = wf_request_load(db, op, c->request, 0, &q, err);
    if (rc != 0)
        return rc;
    const char *comment = c->comment;
    if (c->reference)
        comment =
            app_arena_printf(op->arena, "%s%s学信网电子注册：%s", c->comment ? c->comment : "",
                             c->comment ? "；" : "", c->reference);
    wf_act a = {c->request,
                yes ? "approve" : "reject",
                q.current_step,
                comment,
                NULL,
                0,
                c->by_client ? 2 : 1,
                NULL};
    return wf_request_act_on(db, op, &a, out, err);
}
