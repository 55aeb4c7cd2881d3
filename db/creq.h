/*
 * db/creq.h - what the course requests of a university's students read and
 * write (课程免修, 课程置换, 课程覆盖, 补选; workflow/creq.h,
 * docs/decisions/0044): the latest 调整年级通知单, courses by 课程号, the
 * teaching plan, the student's best score in a course, exemptions,
 * sections and the student's selections, seats taken and released in the
 * section row (docs/decisions/0039). Tables of migrations 022 and 024.
 * Strings read back live in the caller's arena. Every function may answer
 * APP_EUNAVAIL, APP_ERETRY or APP_EINTERNAL.
 */
#ifndef DB_CREQ_H
#define DB_CREQ_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* The student's latest unrevoked 调整年级通知单: its date (YYYYMMDD) and
   the cohort it moved the student to; *out_found 0 when none. */
int db_creq_notice_latest(db_conn *c, long long student, int *out_issued, int *out_to_cohort,
                          int *out_found, app_err *err);

/* Course `code` (课程号) of `school`: *out_id, 0 when none. */
int db_creq_course_find(db_conn *c, const char *school, const char *code, long long *out_id,
                        app_err *err);

/* 1 in *out when course `course` is in the plan of `major` (id) and `cohort`. */
int db_creq_in_plan(db_conn *c, const char *major, int cohort, long long course, int *out,
                    app_err *err);

/* The student's best score in course `course` (any section, any exam) in
   tenths (85.5 -> 855), of grades posted before `before` (YYYYMMDD, 0: any
   time); -1 when none. */
int db_creq_best_score(db_conn *c, long long student, long long course, int before, int *out,
                       app_err *err);

/* 1 in *out when the student is exempted from course `course` (any kind). */
int db_creq_exempted(db_conn *c, long long student, long long course, int *out, app_err *err);

/* Exempt the student from `course` by request `request`, of `kind`
   (exemption, substitution, coverage); *out_inserted 0 when the student
   already was. */
int db_creq_exempt(db_conn *c, long long student, long long course, const char *kind,
                   long long request, int *out_inserted, app_err *err);

/* Remove the exemptions request `request` granted; *out_n how many. */
int db_creq_unexempt(db_conn *c, long long request, int *out_n, app_err *err);

/* A selection dropped by a course request. */
typedef struct db_creq_drop {
    long long section;
    const char *was; /* preselected or selected (a seat released) */
} db_creq_drop;

/* Drop every live selection (preselected or selected, any source) of the
   student's in course `course` in term `from_term` or later ("": any
   term), marking them source `exemption`; the seat of a selected one is
   released in the same statement. Up to `max` of them in out[0..*out_n). */
int db_creq_drop_course(db_conn *c, long long student, long long course, const char *from_term,
                        app_arena *a, db_creq_drop *out, int max, int *out_n, app_err *err);

/* A section of a university as a late selection sees it. */
typedef struct db_creq_section {
    long long id, course;
    const char *code; /* 课程号 */
    int number;       /* 课序号 */
    const char *term;
    int capacity, taken;
} db_creq_section;

/* Section `id` of `school` in `term`, or (id 0) the section numbered
   `number` of course `code`; *out_found 0 when none. */
int db_creq_section_find(db_conn *c, const char *school, const char *term, long long id,
                         const char *code, int number, app_arena *a, db_creq_section *out,
                         int *out_found, app_err *err);

/* The state of the student's selection of section `section` ("" when
   none) and of the student's live selection of `course` in `term`: its
   section in *out_live (0 when none). */
int db_creq_selection_of(db_conn *c, long long student, long long section, long long course,
                         const char *term, app_arena *a, const char **out_state,
                         long long *out_live, app_err *err);

/* Drop the student's live selection of section `section`, releasing its
   seat when it was selected; *out_was its state before ("" when it was not
   live: nothing changed). */
int db_creq_drop_section(db_conn *c, long long student, long long section, app_arena *a,
                         const char **out_was, app_err *err);

/* Take a seat of section `section` for the student (`taken` + 1 only
   while below capacity) and make the selection `selected` with `source`.
   *out_full 1 (nothing changed) when no seat is left. APP_ECONFLICT
   `conflict` when the student holds another live selection of the course
   in the term (the unique index). */
int db_creq_add_section(db_conn *c, long long student, long long section, const char *source,
                        int *out_full, app_err *err);

/* 1 in *out when the student is exempted from the course of section `section`. */
int db_creq_section_exempted(db_conn *c, long long student, long long section, int *out,
                             app_err *err);

/* 1 in *out when the student has a request of `type` approved (and not
   reverted) on or after `since` (YYYYMMDD). */
int db_creq_approved_since(db_conn *c, long long student, const char *type, int since, int *out,
                           app_err *err);

#endif
