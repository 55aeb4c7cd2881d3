/*
 * core/uni.h - the structure of a university (docs/decisions/0032,
 * UNIVERSITY.md): colleges (学院, one may be the PE college), majors (专业,
 * each in one college), cohorts (年级: the entry year) and administrative
 * classes (行政班: major + cohort + number), and the look-ups the workflow
 * needs: a student's place in it and the holders of an office.
 *
 * A university is a school whose 学校标识码 starts with 4
 * (core_school_is_university()). Who may:
 *   - read the structure: whoever sees the school (core_actor_sees_school),
 *     and its own students (signed in, core_actor.student_id);
 *   - create colleges, majors and classes: the university's registrar
 *     section (教务处教务科) and the bureaus above the university.
 * A school the actor does not see is APP_ENOTFOUND school_not_found; a
 * school that is no university APP_ENOTFOUND not_a_university; a visible
 * university the actor may not change APP_EFORBIDDEN forbidden.
 *
 * Every function without `_tx` opens, commits (with its audit row) or rolls
 * back its own transaction; `_tx` ones run in the caller's. Outputs live in
 * op->arena. Besides the errors named: APP_EUNAVAIL, APP_ERETRY,
 * APP_EINTERNAL from db/.
 */
#ifndef CORE_UNI_H
#define CORE_UNI_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/school.h"
#include "db/uni.h"

#define CORE_UNI_MAX_HOLDERS 64

/* 1 if `s` is 1..max ASCII letters or digits (the codes of colleges, majors,
   courses). Pure. */
int core_uni_code_ok(const char *s, size_t max);

/* The university `code` if the actor sees it (core_school_visible without a
   lock): APP_ENOTFOUND school_not_found, not_a_university. */
int core_uni_visible(db_conn *db, const core_op *op, const char *code, db_school *out,
                     app_err *err);

/* 1 if the actor manages the structure of university `sc` (its registrar
   section, or a bureau above it). Pure. */
int core_uni_manages(const core_actor *a, const db_school *sc);

/* ---- colleges ---- */

typedef struct core_uni_college_new {
    const char *code; /* 1-10 letters or digits */
    const char *name; /* 1-100 characters */
    int is_pe;        /* the PE college (体育学院): at most one per university */
} core_uni_college_new;

/* GET /schools/{code}/colleges: every college, by code. */
int core_uni_college_list(db_conn *db, const core_op *op, const char *code, db_uni_college **out,
                          int *out_n, app_err *err);
/*
 * POST /schools/{code}/colleges. Errors after the school's: APP_EINVAL
 * invalid_college_code (/code), invalid_name (/name); APP_ECONFLICT
 * college_exists (/code), pe_college_exists (/is_pe). Audit "uni_college_create".
 */
int core_uni_college_create(db_conn *db, const core_op *op, const char *code,
                            const core_uni_college_new *in, db_uni_college *out, app_err *err);

/* ---- majors ---- */

typedef struct core_uni_major_new {
    long long college;
    const char *code;  /* 1-12 letters or digits (专业代码) */
    const char *name;  /* 1-100 characters */
    const char *level; /* "undergraduate" (本科) or "junior" (专科) */
    int years;         /* 2..8 (学制) */
} core_uni_major_new;

/* GET /schools/{code}/majors (?college=): college 0 = every college. */
int core_uni_major_list(db_conn *db, const core_op *op, const char *code, long long college,
                        db_uni_major **out, int *out_n, app_err *err);
/*
 * POST /schools/{code}/majors. Errors after the school's: APP_EINVAL
 * invalid_major_code (/code), invalid_name (/name), invalid_level (/level),
 * invalid_years (/years), college_not_found (/college); APP_ECONFLICT
 * major_exists (/code). Audit "uni_major_create".
 */
int core_uni_major_create(db_conn *db, const core_op *op, const char *code,
                          const core_uni_major_new *in, db_uni_major *out, app_err *err);

/* ---- cohorts and administrative classes ---- */

/* GET /schools/{code}/cohorts: the entry years with classes, ascending. */
int core_uni_cohort_list(db_conn *db, const core_op *op, const char *code, int **out, int *out_n,
                         app_err *err);

typedef struct core_uni_class_new {
    long long major;
    int cohort;       /* entry year, 1950..2200 */
    int number;       /* 1..99 within the major's cohort */
    const char *name; /* NULL: "<major name><cohort 2 digits><number>班", e.g. 数学2501班 */
} core_uni_class_new;

/* GET /schools/{code}/uni-classes (?major=&cohort=). */
int core_uni_class_list(db_conn *db, const core_op *op, const char *code, long long major,
                        int cohort, db_uni_class **out, int *out_n, app_err *err);
/*
 * POST /schools/{code}/uni-classes: the class and, when new, its cohort.
 * Errors after the school's: APP_EINVAL major_not_found (/major),
 * invalid_cohort (/cohort), invalid_class_number (/number), invalid_name
 * (/name); APP_ECONFLICT class_exists (/number). Audit "uni_class_create".
 */
int core_uni_class_create(db_conn *db, const core_op *op, const char *code,
                          const core_uni_class_new *in, db_uni_class *out, app_err *err);

/* ---- look-ups for the workflow (in the caller's transaction) ---- */

/*
 * The university part of student `student_id` (lock 1: FOR UPDATE), with
 * its college, major and class rows. *out_found 0 when the student is no
 * university student (a K-12 record).
 */
typedef struct core_uni_place {
    db_uni_student st;
    db_uni_college college;
    db_uni_major major;
    db_uni_class cls;
} core_uni_place;
int core_uni_place_tx(db_conn *db, const core_op *op, long long student_id, int lock,
                      core_uni_place *out, int *out_found, app_err *err);

/*
 * The enabled accounts of university `school` holding `role`: of college
 * `college` for a college-scoped role (core_staff_role_college_scoped; 0
 * there gives none), the whole university's otherwise (college ignored).
 * Ids ascending, at most CORE_UNI_MAX_HOLDERS.
 */
int core_uni_office_holders_tx(db_conn *db, const char *school, core_staff_role role,
                               long long college, long long out_ids[CORE_UNI_MAX_HOLDERS],
                               int *out_n, app_err *err);

/* 1 if the actor holds office `role` of university `school` (of `college` for
   a college-scoped role). Pure. */
int core_uni_actor_holds(const core_actor *a, const char *school, core_staff_role role,
                         long long college);

/* The student.state that university state `uni_state` maps to (studying,
   sitting_in -> "enrolled", suspended -> "suspended", ...); NULL for an
   unknown state. Pure. */
const char *core_uni_student_state(const char *uni_state);

/* 1 if `s` is a university state (studying ... deceased). Pure. */
int core_uni_state_valid(const char *s);

#endif
