/*
 * core/uni_catalog.h - a university's catalog (课程), teaching plans
 * (培养方案) and sections (教学班) (issue 17, docs/decisions/0039).
 *
 * Who may (as for the structure, core/uni.h):
 *   - read: whoever sees the university (its staff, the bureaus above it)
 *     and its own students;
 *   - write: the university's registrar section (教务处教务科) and the
 *     bureaus above it (core_uni_manages).
 * A school the actor does not see is APP_ENOTFOUND school_not_found; a
 * school that is no university APP_ENOTFOUND not_a_university; a visible
 * university the actor may not change APP_EFORBIDDEN forbidden.
 *
 * Every write opens its own transaction (a savepoint inside the caller's,
 * as the import jobs run them), audits ("uni_course_create",
 * "uni_course_update", "uni_plan_put", "uni_plan_entry", "uni_section_create",
 * "uni_section_update") and commits, or rolls back and changes nothing.
 * Outputs live in op->arena. Besides the errors named: APP_EUNAVAIL,
 * APP_ERETRY, APP_EINTERNAL from db/.
 */
#ifndef CORE_UNI_CATALOG_H
#define CORE_UNI_CATALOG_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/uni_catalog.h"

#define CORE_UNI_PLAN_MAX 500      /* entries of one plan */
#define CORE_UNI_SECTION_MAJORS 50 /* majors a section is meant for */

/* What an upsert (the import jobs) did. */
enum { CORE_UNI_CREATED = 1, CORE_UNI_UPDATED, CORE_UNI_UNCHANGED };

/* 1 if `kind` is compulsory, elective, public_elective or pe. Pure. */
int core_uni_course_kind_valid(const char *kind);

/* ---- courses ---- */

/* A course's fields: for a create all are required; for a change NULL / -1
   keeps the stored value. */
typedef struct core_uni_course_in {
    const char *code;    /* 课程号: 1-16 letters or digits (create only) */
    const char *name;    /* 1-100 characters */
    const char *kind;    /* core_uni_course_kind_valid */
    int credits10;       /* tenths of a credit, 1..300 */
    int hours;           /* 学时 1..1000 */
    const char *college; /* the offering college's code (院系代码) */
} core_uni_course_in;

/* GET /schools/{code}/courses: by id after `after`, at most `limit`;
   college (code) NULL / kind NULL: any. An unknown college code gives no
   courses. */
int core_uni_course_list(db_conn *db, const core_op *op, const char *code, const char *college,
                         const char *kind, long long after, int limit, db_uni_course **out,
                         int *out_n, app_err *err);
/* GET /schools/{code}/courses/{course}: APP_ENOTFOUND course_not_found. */
int core_uni_course_get(db_conn *db, const core_op *op, const char *code, const char *course,
                        db_uni_course *out, app_err *err);
/*
 * POST /schools/{code}/courses. Errors after the school's: APP_EINVAL
 * invalid_course_code (/code), invalid_name (/name), invalid_course_kind
 * (/kind), invalid_credits (/credits), invalid_hours (/hours),
 * college_not_found (/college); APP_ECONFLICT course_exists (/code).
 */
int core_uni_course_create(db_conn *db, const core_op *op, const char *code,
                           const core_uni_course_in *in, db_uni_course *out, app_err *err);
/* PATCH /schools/{code}/courses/{course} at version `if_match` (412
   precondition_failed when stale); the checks of create. No change: no new
   version, no audit row. */
int core_uni_course_patch(db_conn *db, const core_op *op, const char *code, const char *course,
                          const core_uni_course_in *in, int if_match, db_uni_course *out,
                          app_err *err);
/* The import's row: create the course, or change it to `in` (every field
   given); *out_did CORE_UNI_CREATED / UPDATED / UNCHANGED. */
int core_uni_course_put(db_conn *db, const core_op *op, const char *code,
                        const core_uni_course_in *in, int *out_did, app_err *err);

/* ---- teaching plans ---- */

typedef struct core_uni_plan {
    long long major;
    const char *major_code;
    int cohort;
    int version; /* 0: never stored */
    db_uni_plan_entry *entries;
    int n;
} core_uni_plan;

/* One entry of a PUT: a course code and the term of study. */
typedef struct core_uni_plan_in {
    const char *course;
    int term_no; /* 1..16 */
} core_uni_plan_in;

/* GET /schools/{code}/plans/{major}/{cohort}: APP_ENOTFOUND not_found (no such major);
   APP_EINVAL invalid_cohort (/cohort, not 1990..2100). */
int core_uni_plan_get(db_conn *db, const core_op *op, const char *code, const char *major,
                      int cohort, core_uni_plan *out, app_err *err);
/*
 * PUT /schools/{code}/plans/{major}/{cohort}: the plan's entries become
 * `in` (n <= CORE_UNI_PLAN_MAX), at version `if_match` (0 for a plan never
 * stored; else 412 precondition_failed). Errors: those of get; APP_EINVAL
 * with an item per bad entry: /entries/N/course unknown_course or
 * plan_duplicate_course, /entries/N/term_no invalid_term_no.
 */
int core_uni_plan_put(db_conn *db, const core_op *op, const char *code, const char *major,
                      int cohort, const core_uni_plan_in *in, int n, int if_match,
                      core_uni_plan *out, app_err *err);
/* The import's row: course `in` in term in->term_no of the plan (added, or
   its term changed; the plan's other entries kept). Errors of put, fields
   /major /cohort /course /term_no. */
int core_uni_plan_entry_put(db_conn *db, const core_op *op, const char *code, const char *major,
                            int cohort, const core_uni_plan_in *in, int *out_did, app_err *err);

/* ---- sections ---- */

typedef struct core_uni_section_in {
    const char *course;        /* 课程号 (create only) */
    const char *term;          /* "YYYY-1" / "YYYY-2" (create only) */
    int number;                /* 课序号 1..999; change: 0 keeps */
    const char *teacher;       /* a course_teacher's username; NULL: none */
    int teacher_given;         /* change: 0 keeps the teacher */
    int capacity;              /* 1..10000; change: 0 keeps */
    int cohort;                /* 0: any (change: -1 keeps) */
    const char *const *majors; /* 专业代码; NULL: any */
    int nmajors;
    int majors_given; /* change: 0 keeps the majors */
} core_uni_section_in;

/* GET /schools/{code}/sections: term NULL, course NULL, college NULL: any. */
int core_uni_section_list(db_conn *db, const core_op *op, const char *code, const char *term,
                          const char *course, const char *college, long long after, int limit,
                          db_uni_section **out, int *out_n, app_err *err);
/* GET /schools/{code}/sections/{id}: APP_ENOTFOUND section_not_found. */
int core_uni_section_get(db_conn *db, const core_op *op, const char *code, long long id,
                         db_uni_section *out, app_err *err);
/*
 * POST /schools/{code}/sections. Errors after the school's: APP_EINVAL
 * unknown_course (/course), invalid_term (/term), invalid_section_number
 * (/number), teacher_not_found (/teacher), invalid_capacity (/capacity),
 * invalid_cohort (/cohort), major_not_found (/majors/N); APP_ECONFLICT
 * section_exists (/number).
 */
int core_uni_section_create(db_conn *db, const core_op *op, const char *code,
                            const core_uni_section_in *in, db_uni_section *out, app_err *err);
/* PATCH /schools/{code}/sections/{id} at version `if_match`: the checks of
   create; APP_ECONFLICT capacity_below_taken (/capacity) when the capacity
   would fall below the seats taken. */
int core_uni_section_patch(db_conn *db, const core_op *op, const char *code, long long id,
                           const core_uni_section_in *in, int if_match, db_uni_section *out,
                           app_err *err);
/* The import's row: the section of in->course, in->term, in->number created
   or changed to `in`; *out_did as core_uni_course_put. */
int core_uni_section_put(db_conn *db, const core_op *op, const char *code,
                         const core_uni_section_in *in, int *out_did, app_err *err);

#endif
