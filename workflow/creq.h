/*
 * workflow/creq.h - the course requests of a university's students
 * (../shared/UNIVERSITY.md "Grades and course requests" and "Late
 * selection", docs/decisions/0044): 课程免修 course_exemption, 课程置换
 * course_substitution, 课程覆盖 course_coverage and 补选 late_selection.
 * The student starts them (WF_START_STUDENT, docs/decisions/0033); the
 * engine calls these through workflow/uni.c (start, revert) and
 * workflow/effects.c (effect). Strings returned live in op->arena.
 */
#ifndef WORKFLOW_CREQ_H
#define WORKFLOW_CREQ_H

#include "db/uniflow.h"
#include "workflow/effects.h"

/* 1 when type `d` is one of the course requests. */
int wf_creq_is(const wf_def *d);

/*
 * The rules of starting course request `d` for student `p` (the caller
 * checked the student, the state and open business); *payload gets what
 * the start resolved (course_ids, add_ids, remove_ids). Errors:
 * APP_ECONFLICT window_closed (exemption: more than 3 days after the
 * 调整年级通知单; substitution: after week 3 of the term; late selection:
 * more than a month after the term's first teaching day),
 * no_cohort_notice (exemption without a notice), no_status_change (late
 * selection without a 转专业, 随下届 or 复学 of the student's);
 * APP_EINVAL with one item per bad member: /payload/courses/N course_not_found,
 * course_not_in_plan, course_not_passed, course_already_exempted,
 * duplicate_course, wrong_type, missing_field, same_course (../by);
 * /payload/add/N and /payload/remove/N section_not_found, not_selected,
 * course_exempted, course_already_selected; /evidence evidence_required.
 */
int wf_creq_start(db_conn *db, const core_op *op, const wf_def *d, const wf_start *a,
                  const db_uplace *p, const char **payload, app_err *err);

/* The last approval's effect on request `q`: exemptions granted and
   selections dropped (seats released), or a late selection's drops and
   adds; records `applied`. Errors (nothing changed; the request stays
   at its last step): APP_ECONFLICT section_full, course_already_selected;
   APP_EINVAL course_exempted (exempted since the start). */
int wf_creq_effect(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
                   app_err *err);

/* Revert: the exemptions the request granted are removed (dropped
   selections stay dropped). */
int wf_creq_revert(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
                   app_err *err);

/* The due time of step `step` (1-based) of a request of type `d` of
   university `school`, when its type has its own deadline (wf_def.due);
   else `dflt`. `q` is the request once stored (NULL at its start): a
   coverage's steps are all due on the date fixed at submission (its first
   step's), the Friday one week after it. */
int wf_creq_due(db_conn *db, const core_op *op, const wf_def *d, const char *school,
                const core_request *q, int step, const char *dflt, const char **out, app_err *err);

/* ---- pure rules, unit-tested (dates YYYYMMDD) ---- */

/* The first Friday on or after the day one week after `submitted`. */
int wf_creq_friday_after(int submitted);

/* The Sunday ending teaching week 5 of a term whose first teaching day is
   `first_day`. */
int wf_creq_week5_end(int first_day);

/* The same day one month after `d` (the month's last day when it has no
   such day). */
int wf_creq_month_after(int d);

#endif
