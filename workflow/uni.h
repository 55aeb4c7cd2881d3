/*
 * workflow/uni.h - a university's status changes (休学, 复学, 退学, 转专业,
 * 调整年级; ../shared/UNIVERSITY.md, docs/decisions/0033): the start rules
 * (the student's own record, windows of the teaching calendar, evidence,
 * suspension limits), the effects, 转专业's interim 插班学习 and its undoing,
 * and revert. The engine's files call these for types with
 * `wf_def.university`; strings returned live in op->arena.
 */
#ifndef WORKFLOW_UNI_H
#define WORKFLOW_UNI_H

#include "workflow/effects.h"

/* What a start of a university's type found out. */
typedef struct wf_uni_draft {
    long long student_id;
    const char *school;        /* the university */
    const char *college;       /* the student's college */
    const char *other_college; /* major transfer: the receiving college; grade requests: the
                                  course's college (docs/decisions/0043), else NULL */
    const char *payload;       /* the stored payload, with what the start resolved */
    const char *due;           /* grade review: every step due by then (else NULL) */
    int cross_major;           /* retake: in another major's section */
    const char *subject;       /* d->subject's "<type>:<value>", else NULL */
} wf_uni_draft;

/*
 * The rules of starting type `d` (its `university` set) for the acting
 * student. Errors: APP_EFORBIDDEN forbidden (not a student account);
 * APP_ENOTFOUND student_not_found (not the student's own record);
 * APP_EINVAL transition_not_allowed (state), evidence_required,
 * missing_field /payload/hospital, suspension_too_long /payload/end_date,
 * suspension_limit_reached, major_not_found /payload/to_major,
 * same_major, class_not_found /payload/class; APP_ECONFLICT window_closed,
 * student_in_flight, student_has_problem.
 */
int wf_uni_start(db_conn *db, const core_op *op, const wf_def *d, const wf_start *a,
                 wf_uni_draft *out, app_err *err);

/* The last approval's effect on request `q`; records `applied`. Errors:
   APP_EINVAL transition_not_allowed (the student moved since), class_not_found. */
int wf_uni_effect(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
                  app_err *err);

/* Step `step` of `q` was just approved: the interim effect when it is the
   type's `interim` step (转专业: 插班学习). */
int wf_uni_step_approved(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
                         int step, app_err *err);

/* `q` was rejected, returned or withdrawn: an interim effect applied is
   undone (the student back in 在读 in the old major). */
int wf_uni_step_undone(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
                       app_err *err);

/* Put back what an approved request's effect changed (revert). Errors:
   APP_ECONFLICT revert_conflict (moved since), student_in_flight. */
int wf_uni_revert(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
                  app_err *err);

/* ---- pure rules, unit-tested ---- */

/* Days since 1970-01-01 of YYYYMMDD `d`, and back. */
long wf_uni_days(int d);
int wf_uni_date(long days);

/* 1 when `today` is in week 1 (Monday to Sunday of the week holding the
   first teaching day, docs/decisions/0032) of the second term of the first academic year of
   `cohort` (the year from cohort-08-01 to (cohort+1)-07-31), by the terms' first teaching days
   `starts[0..n)` ascending. */
int wf_uni_transfer_window(const int *starts, int n, int cohort, int today);

/* 1 when a resumption may start `today` after a suspension ending on
   `end`: from 30 days before `end` until the first teaching day of the first
   term starting on or after that day (no such term: no upper bound). */
int wf_uni_resume_window(const int *starts, int n, int end, int today);

/* A new suspension [start, end] of `kind` against the student's past ones
   (kinds, starts, ends of n). 0 when allowed, else "suspension_too_long"
   or "suspension_limit_reached". */
const char *wf_uni_suspension_check(const char *kind, int start, int end,
                                    const char *const *past_kinds, const int *past_starts,
                                    const int *past_ends, int n);

/* Cohort years a suspension [start, end] puts the student back: one per
   started year. */
int wf_uni_years_back(int start, int end);

#endif
