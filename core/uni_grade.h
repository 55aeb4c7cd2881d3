/*
 * core/uni_grade.h - grades of a university's sections (成绩, 百分制;
 * UNIVERSITY.md "Grades", docs/decisions/0039, 0043).
 *
 * Who may:
 *   - post a section's grades: its teacher only (uni_section.teacher is the
 *     caller, a course_teacher account); anyone else who sees the
 *     university APP_EFORBIDDEN forbidden;
 *   - read a section's grades: its teacher, the registrar section
 *     (教务处教务科) and the academic office of the course's college;
 *   - read a student's grades: who may read the student
 *     (core_uni_student_get), the student their own (core_uni_grade_mine).
 * Rules of posting: all or nothing; only students whose selection of the
 * section is `selected` (an unselected course is not examined); exam
 * `retake` only on a retake's selection (source retake); `deferred` only
 * for a student with a live 缓考 deferral sitting this section's exam,
 * `normal` never for one whose exam of this section was deferred; an
 * unchanged score changes nothing, a changed one adds a uni_grade_change
 * row (the history). One audit row "uni_grade_put" per call.
 *
 * Errors besides those of core_uni_visible: APP_ENOTFOUND
 * section_not_found; APP_EFORBIDDEN forbidden; APP_EINVAL with one item
 * per bad grade at /grades/N/student (unknown_student_no, not_selected,
 * duplicate_value) or /grades/N/exam (exam_not_allowed). Outputs live in
 * op->arena; APP_EUNAVAIL, APP_ERETRY, APP_EINTERNAL from db/.
 */
#ifndef CORE_UNI_GRADE_H
#define CORE_UNI_GRADE_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/uni_grade.h"

#define CORE_UGRADE_MAX 500 /* grades in one call */

/* One grade to post: 学号, the score as text ("0".."100", one decimal at
   most; checked by the caller), the exam (normal, retake, deferred). */
typedef struct core_ugrade_item {
    const char *student, *score, *exam;
} core_ugrade_item;

/* PUT /schools/{code}/sections/{id}/grades: *out_created, *out_changed,
 *out_unchanged counts. */
int core_uni_grade_put(db_conn *db, const core_op *op, const char *code, long long section,
                       const core_ugrade_item *items, int n, int *out_created, int *out_changed,
                       int *out_unchanged, app_err *err);

/* Grades with their history: changes[k] belong to grades[i] when
   changes[k].grade == grades[i].id (by grade, oldest first). */
typedef struct core_ugrade_list {
    db_usection section; /* GET .../sections/{id}/grades only */
    db_ugrade *grades;
    int n;
    db_ugrade_change *changes;
    int nchanges;
} core_ugrade_list;

/* GET /schools/{code}/sections/{id}/grades. */
int core_uni_grade_of_section(db_conn *db, const core_op *op, const char *code, long long section,
                              core_ugrade_list *out, app_err *err);

/* GET /schools/{code}/uni-students/{no}/grades (`term` NULL: all). Errors
   of core_uni_student_get. */
int core_uni_grade_of_student(db_conn *db, const core_op *op, const char *code, const char *no,
                              const char *term, core_ugrade_list *out, app_err *err);

/* GET /me/grades: a signed-in student's own; anyone else APP_EFORBIDDEN
   forbidden. */
int core_uni_grade_mine(db_conn *db, const core_op *op, const char *term, core_ugrade_list *out,
                        app_err *err);

/* 1 if `exam` is normal, retake or deferred. Pure. */
int core_uni_exam_valid(const char *exam);

#endif
