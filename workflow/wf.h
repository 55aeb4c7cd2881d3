/*
 * workflow/wf.h - the approval engine: requests move step by step through
 * the orgs that hold them, and the last approval applies the effect in the
 * same transaction (DOMAIN §5, rules 12-18).
 *
 * The types are data (workflow/defs.h). A step is held by an org, not a
 * person: any registrar (school steps) or bureau user of that org may act.
 * Every action names the step it acts on, so two actions on one step give
 * one success and one 409 step_already_decided. An overdue step stays with
 * its holder and also shows in the inbox of the holder's superior, which may
 * force a decision (强制干预, recorded as forced).
 */
#ifndef WORKFLOW_WF_H
#define WORKFLOW_WF_H

#include "core/student.h"
#include "db/problem.h"
#include "workflow/defs.h"

/* A new request: workflow/payload.h reads it from a request body by the
   member declarations of its type (workflow/defs.c); tests and tools may
   fill it themselves. */
typedef struct wf_start {
    const char *type;
    const char *student;      /* id or student number; a transfer names the student by number */
    const char *payload_json; /* the members as stored, without `sealed`: wf_request_start
                                 adds the sealed key-field changes of `changes` itself */
    const char *comment;
    const long long *evidence; /* file ids of the caller's org */
    int nevidence;
    /* typed payload members (shapes checked by workflow/payload.c; rules here) */
    const char *reason, *date, *start_date, *end_date;
    const char *entry_date; /* intake_claim */
    const char *to_school;
    /* transfer: the date it took effect on paper (docs/decisions/0030);
       NULL: the day of approval */
    const char *effective_date;
    int grade, class_no; /* 0 = not given */
    core_record changes; /* key_field_change: the fields in `present` */
    unsigned char present[CORE_NFIELDS];
    int renumber;
    /* batch_transfer: from_school, to_school (above), students by id or number */
    const char *from_school;
    const char *const *students;
    int nstudents;
    /* graduation: grade (above); outcomes of some students (id -> completed/incomplete) */
    const long long *outcome_ids;
    const char *const *outcome_vals;
    int noutcomes;
    /* problem_resolution (POST /problems/{id}/resolutions) */
    long long problem_id;
    const char *method; /* evidence, change or delete */
} wf_start;

/* Start a request (POST /requests). The student's school registrar starts
   it; a transfer's receiving school's registrar starts that; a batch
   transfer a bureau over both schools; a graduation the school's registrar
   for its graduating grade (students with open business are left out and
   listed in the payload's `excluded`; primary and junior grades complete at
   once); a problem resolution the registrar of a school involved or a
   bureau over one (a.problem_id, a.method). */
int wf_request_start(db_conn *db, const core_op *op, const wf_start *a, core_request *out,
                     app_err *err);

/* A request the actor may see: either school is visible, or the actor's org
   holds (or is escalated) one of its steps. Else APP_ENOTFOUND request_not_found. */
int wf_request_get(db_conn *db, const core_op *op, long long id, core_request *out, app_err *err);

/*
 * Act on request `id`: "approve", "reject" or "return" on the current step
 * `step` (its holder, or the holder's superior once overdue: forced);
 * "withdraw" (the starter, before the last approval) and "resubmit" (the
 * starter, after a return) take no step. Everything - step, request,
 * effect, action row, history, audit, event - commits at once or not at
 * all. A key-field change whose new ID clashes fails the request (state
 * rejected) and opens a problem record instead of applying.
 */
int wf_request_act(db_conn *db, const core_op *op, long long id, const char *action, int step,
                   const char *comment, core_request *out, app_err *err);

/* An action as POST /requests/{id}/actions and each item of POST
   /requests/actions take it. */
typedef struct wf_act {
    long long request;
    const char *action;
    int step; /* 0 for withdraw and resubmit */
    const char *comment;
    const long long *evidence; /* file ids of the caller's org (POST /files), at most 10 */
    int nevidence;
    int confirm; /* POST /requests/{id}/confirmations: 1 student affairs, 2 a service client */
    const char *score; /* 成绩复核's last approval: the corrected score ("85.0") or "unchanged" */
} wf_act;

/* wf_request_act with evidence: the files are checked as a start checks
   its own (the item /evidence file_not_found, APP_EINVAL, after the step
   and holder checks) and recorded on the action row. */
int wf_request_act_on(db_conn *db, const core_op *op, const wf_act *a, core_request *out,
                      app_err *err);

/*
 * The electronic registration's answer on a major transfer (POST
 * /requests/{id}/confirmations, docs/decisions/0033): `confirmed` approves
 * its last step (the transfer becomes real), `refused` rejects it (the
 * student back in the old major). By the university's student affairs
 * office, or (by_client) a service client of the university's province.
 * `reference` (学信网 reference, at most 64 characters) goes into the
 * action's comment. Errors: APP_EINVAL invalid_value /result;
 * APP_ECONFLICT not_awaiting_confirmation (the request waits at no
 * registration step); APP_EFORBIDDEN not_step_holder; and as
 * wf_request_act_on.
 */
typedef struct wf_confirm {
    long long request;
    const char *result, *reference, *comment;
    int by_client;
} wf_confirm;
int wf_request_confirm(db_conn *db, const core_op *op, const wf_confirm *c, core_request *out,
                       app_err *err);

/* The outcome of item `i` of a review: rc 0 with the request as it is now
   (q), or rc and its error (e; q NULL). Both are the callee's, valid during
   the call only. */
typedef void (*wf_review_fn)(void *ctx, int i, int rc, const core_request *q, const app_err *e);

#define WF_REVIEW_MAX 500

/*
 * Batch review (批量审核): items[0..n) decided in the order given, each
 * exactly as wf_request_act_on decides it, in a transaction of its own: a
 * failed item leaves the others applied. (Not one transaction with a
 * savepoint per item: that would keep every decided request's rows locked,
 * and its effects invisible, until the last item.) A serialization
 * failure retries that item alone. `fn` is told each item's outcome before
 * the next starts.
 * Once an item finds the database unreachable (APP_EUNAVAIL
 * database_unavailable) the items after it are not tried: each is told
 * that same failure at once.
 * Returns 0 when every item was tried, or an error for the whole call
 * before any: APP_EFORBIDDEN forbidden for school staff other than the
 * registrar (they hold no step and start no request).
 */
int wf_request_review(db_conn *db, const core_op *op, const wf_act *items, int n, wf_review_fn fn,
                      void *ctx, app_err *err);

/* Revert an applied change (异动纠错): a bureau over the student's school. */
int wf_request_revert(db_conn *db, const core_op *op, long long id, const char *comment,
                      core_request *out, app_err *err);

/* box: "todo" (waiting at the caller's org, or escalated to it and overdue),
   "mine" (started by the caller's org), "all" (within jurisdiction). */
int wf_request_list(db_conn *db, const core_op *op, const char *box, const char *state,
                    const char *type, long long after_id, int limit, core_request **out, int *out_n,
                    app_err *err);

/* Attach evidence files of the caller's org to an open problem record. */
int wf_problem_add_evidence(db_conn *db, const core_op *op, long long id, const long long *files,
                            int n, db_problem *out, app_err *err);

/* Test hook: a fault after the effect and before commit (development only). */
extern int wf_fault_after_effect;

#endif
