/*
 * db/uni_grade.h - what grades and the grade requests of a university read
 * and write (docs/decisions/0039, 0043): sections as grading sees them,
 * grades (uni_grade) and their history (uni_grade_change), the deferrals
 * of 缓考 (uni_deferral, migration 028) and a retake's seat (uni_selection
 * with source 'retake', taken atomically in uni_section.taken). Strings
 * read back are in the caller's arena; scores are text ("85.5"). Every
 * function may answer APP_EUNAVAIL, APP_ERETRY or APP_EINTERNAL.
 */
#ifndef DB_UNI_GRADE_H
#define DB_UNI_GRADE_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* A section with its course, as grading and the requests see it. */
typedef struct db_usection {
    long long id, course, college; /* college: the course's offering college */
    const char *school, *term, *course_code, *course_name, *kind, *credits;
    int number, hours, cohort; /* cohort 0: any */
    long long teacher;         /* app_user id, 0 when none */
    long long teacher_college; /* that account's college, 0 when none */
    const char *majors;        /* "{1,2}" or NULL: any major */
    int capacity, taken;
} db_usection;

/* Section `id` of `school` (`school` NULL: of any school); *out_found 0
   when none. */
int db_usection_get(db_conn *c, const char *school, long long id, app_arena *a, db_usection *out,
                    int *out_found, app_err *err);

/* What a grade item of section `section` finds about 学号 nos[i]. */
typedef struct db_ugrade_who {
    long long student;     /* 0: no such student of the university */
    const char *sel_state; /* the selection of the section, NULL when none */
    const char *sel_source;
    int deferred_from; /* a live deferral of this section's exam */
    int deferred_to;   /* a live deferral that sits this section's exam */
} db_ugrade_who;

/* out[0..n) for nos[0..n) (学号 checked by the caller: letters and digits). */
int db_ugrade_whos(db_conn *c, const db_usection *s, const char *const *nos, int n, app_arena *a,
                   db_ugrade_who *out, app_err *err);

/* Write n scores of section `s` by `user` in one statement: new grades
   inserted, changed ones updated with a uni_grade_change row each, equal
   ones untouched. *out_created, *out_changed. */
int db_ugrade_put(db_conn *c, const db_usection *s, const long long *students,
                  const char *const *exams, const char *const *scores, int n, long long user,
                  int *out_created, int *out_changed, app_err *err);

/* A grade as read back. */
typedef struct db_ugrade {
    long long id, student, section, course, college;
    const char *student_no, *term, *exam, *score, *course_code, *course_name, *kind, *credits;
    const char *posted_at, *updated_at;
    int section_number, version;
    int hours;         /* the course's 学时 */
    long long teacher; /* the section's teacher */
} db_ugrade;

/* The grades of section `section` (by 学号, exam), or of student `student`
   (`term` NULL: every term; by term, course code, exam). */
int db_ugrade_of_section(db_conn *c, long long section, app_arena *a, db_ugrade **out, int *out_n,
                         app_err *err);
int db_ugrade_of_student(db_conn *c, long long student, const char *term, app_arena *a,
                         db_ugrade **out, int *out_n, app_err *err);

/* Grade `id` (FOR UPDATE when `lock`); *out_found 0 when none. */
int db_ugrade_get(db_conn *c, long long id, int lock, app_arena *a, db_ugrade *out, int *out_found,
                  app_err *err);

/* One change of a grade. */
typedef struct db_ugrade_change {
    long long grade, changed_by, request; /* request 0: by the teacher */
    const char *old_score, *new_score, *reason, *changed_at;
} db_ugrade_change;

/* The changes of grades ids[0..n), by grade and time. */
int db_ugrade_changes(db_conn *c, const long long *ids, int n, app_arena *a, db_ugrade_change **out,
                      int *out_n, app_err *err);

/* Grade `id` set to `score` by `user` for `request` with its change row
   (the caller checked that it differs). */
int db_ugrade_correct(db_conn *c, long long id, const char *score, long long user,
                      long long request, const char *reason, app_err *err);

/* The student's live selection (state 'selected') of a section of
   `course` in `term`: *out_section 0 when none. */
int db_uselection_of_course(db_conn *c, long long student, long long course, const char *term,
                            long long *out_section, app_err *err);

/* Sections of `course` in `term` meant for a cohort after `cohort` whose
   majors hold `major` (or any major): the first in *out (0: none). */
int db_usection_lower(db_conn *c, long long course, const char *term, int cohort, long long major,
                      long long *out, app_err *err);

/* A seat of section `section` for a retake (ADR 0039): the seat counted
   in the row, the selection 'selected' with source 'retake'. APP_ECONFLICT
   section_full when none is left; course_already_selected when the student holds
   a live selection of the course in the term. */
int db_uselection_retake(db_conn *c, long long student, const db_usection *s, app_err *err);

/* A 缓考's record. */
typedef struct db_udeferral {
    const char *school;
    long long student, course, section, request;
    int target_cohort;
    long long target_section; /* 0: not known yet */
    const char *exam_date, *reason_kind;
} db_udeferral;

int db_udeferral_insert(db_conn *c, const db_udeferral *d, app_err *err);

/* The first section of `course` meant for `cohort` and `major` (any term),
 *out 0 when none. */
int db_usection_for_cohort(db_conn *c, long long course, int cohort, long long major,
                           long long *out, app_err *err);

/* Whether the student has a live (unrevoked) deferral of `course`. */
int db_udeferral_live(db_conn *c, long long student, long long course, int *out, app_err *err);

/* The PE college (体育学院) of `school`: *out its id, 0 when none. */
int db_ucollege_pe(db_conn *c, const char *school, long long *out, app_err *err);

/* Member `key` of request `request`'s payload set to text `value` (the
   corrected score a grade review's last approval gives). */
int db_request_note(db_conn *c, long long request, const char *key, const char *value,
                    app_err *err);

#endif
