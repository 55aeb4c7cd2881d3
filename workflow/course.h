/*
 * workflow/course.h - a university student's grade requests
 * (UNIVERSITY.md "Grades and course requests", docs/decisions/0043):
 * 成绩复核 grade_review, 缓考 deferred_exam, 重修 retake. The start rules
 * (windows by teaching week, evidence, which grade or section), the office
 * that decides first (the course's college, the section's teacher, the
 * student's or the PE college's office), the score the registrar
 * section's approval gives, and the effects. workflow/uni.c calls the
 * start, workflow/effects.c the effect, workflow/act.c the approval.
 */
#ifndef WORKFLOW_COURSE_H
#define WORKFLOW_COURSE_H

#include "db/uniflow.h"
#include "workflow/uni.h"

/* 1 if `d` is a grade request (its effect is one of this file's). */
int wf_course_type(const wf_def *d);

/*
 * The start of grade request `d` by the student at `p` (own record, state
 * checked): fills out->other_college (the course's college; a teacher's
 * step "college/account"), out->due, out->cross_major, out->payload.
 * Errors: APP_ECONFLICT window_closed (grade_review outside week 1 of a
 * term, retake outside weeks 1-2); APP_EINVAL items /payload/grade
 * (grade_not_found, exam_not_allowed, not_last_term, not_failed,
 * retake_excluded), /payload/section (section_not_found, not_selected,
 * no_retake_section, missing_field), /payload/cross_major
 * (cross_major_not_allowed), /payload/exam_date (exam_too_soon),
 * /evidence (evidence_required: an illness's certificate).
 */
int wf_course_start(db_conn *db, const core_op *op, const wf_def *d, const wf_start *a,
                    const db_uplace *p, wf_uni_draft *out, app_err *err);

/* The last approval of a type with `approval_score`: `score` ("85.0" or
   "unchanged") noted in the payload; NULL is APP_EINVAL score_required
   at /score. */
int wf_course_approval(db_conn *db, const core_op *op, const core_request *q, const char *score,
                       app_err *err);

/* The effect of request `q`: the grade corrected with a change row citing
   the request; the deferral recorded; the retake's seat taken (APP_ECONFLICT
   section_full, course_already_selected: the approval fails, the request stays).
   Records `applied`. */
int wf_course_effect(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
                     app_err *err);

/* The term before `term` ("2026-2" -> "2026-1", "2026-1" -> "2025-2") into
   out[8]. Pure. */
void wf_course_prev_term(const char *term, char out[8]);

#endif
