/*
 * db/uni.h - the tables of universities (migration 021, docs/decisions/0032):
 * colleges, majors, cohorts, administrative classes, the university part of
 * a student record, the teaching calendar, and the office holders among the
 * accounts.
 *
 * No rules here beyond what the schema enforces: core/uni.h decides who may,
 * validates, audits. Strings handed back live in the arena `a`. Dates are
 * YYYYMMDD integers (0: none). A unique violation on insert is APP_ECONFLICT
 * with the slug the caller passes (`dup_slug`); a missing referenced row
 * (foreign key) is APP_EINVAL slug "uni_reference". Every function may
 * answer APP_EUNAVAIL, APP_ERETRY, APP_EINTERNAL.
 */
#ifndef DB_UNI_H
#define DB_UNI_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

typedef struct db_uni_college {
    long long id;
    char school[11];
    const char *code, *name;
    int is_pe;
    int version;
} db_uni_college;

typedef struct db_uni_major {
    long long id;
    char school[11];
    long long college;
    const char *code, *name;
    const char *level; /* "undergraduate" (本科) or "junior" (专科) */
    int years;         /* 学制 */
    int version;
} db_uni_major;

typedef struct db_uni_class {
    long long id; /* = the backing class row's id (student.class_id) */
    char school[11];
    long long major, college;
    int cohort; /* entry year */
    int number; /* within the major's cohort */
    int seq;    /* the backing class row's number within the university */
    const char *name;
} db_uni_class;

typedef struct db_uni_student {
    long long student_id;
    char school[11];
    const char *student_no; /* 学号 */
    long long college, major, class_id;
    int cohort;
    const char *level; /* "undergraduate" or "junior" */
    const char
        *state; /* studying, suspended, sitting_in, withdrawn, graduated, completed, deceased */
    int entry_date, expected_graduation, suspended_until;
    long long sitting_in_major, sitting_in_class; /* 0: none */
    int version;
} db_uni_student;

typedef struct db_uni_term {
    char school[11];
    char term[8];  /* "YYYY-1" autumn, "YYYY-2" spring */
    int first_day; /* YYYYMMDD, the first teaching day */
    int weeks;     /* teaching weeks of the term */
    int version;
} db_uni_term;

/* ---- colleges, majors, cohorts, classes ---- */

int db_uni_college_insert(db_conn *c, const db_uni_college *in, app_arena *a, db_uni_college *out,
                          app_err *err); /* APP_ECONFLICT college_exists / pe_college_exists */
int db_uni_college_list(db_conn *c, const char *school, app_arena *a, db_uni_college **out,
                        int *out_n, app_err *err);
/* 0 with *out_found 0 when college `id` is not a college of `school`. */
int db_uni_college_get(db_conn *c, const char *school, long long id, app_arena *a,
                       db_uni_college *out, int *out_found, app_err *err);

int db_uni_major_insert(db_conn *c, const db_uni_major *in, app_arena *a, db_uni_major *out,
                        app_err *err); /* APP_ECONFLICT major_exists */
/* The majors of `school`, of college `college` only when it is not 0. */
int db_uni_major_list(db_conn *c, const char *school, long long college, app_arena *a,
                      db_uni_major **out, int *out_n, app_err *err);
int db_uni_major_get(db_conn *c, const char *school, long long id, app_arena *a, db_uni_major *out,
                     int *out_found, app_err *err);

/* The cohort (school, year), created when missing. */
int db_uni_cohort_ensure(db_conn *c, const char *school, int year, app_err *err);
/* The cohorts of `school`, ascending. */
int db_uni_cohort_list(db_conn *c, const char *school, app_arena *a, int **out, int *out_n,
                       app_err *err);

/*
 * A new administrative class: its backing class row (grade 40, the next
 * free number of the university, name and school of `in`), then the
 * uni_class row with the same id. APP_ECONFLICT class_exists when the
 * major's cohort has class `in->number` already.
 */
int db_uni_class_insert(db_conn *c, const db_uni_class *in, app_arena *a, db_uni_class *out,
                        app_err *err);
/* The classes of `school`, filtered by major and cohort when not 0. */
int db_uni_class_list(db_conn *c, const char *school, long long major, int cohort, app_arena *a,
                      db_uni_class **out, int *out_n, app_err *err);
int db_uni_class_get(db_conn *c, const char *school, long long id, app_arena *a, db_uni_class *out,
                     int *out_found, app_err *err);

/* ---- the university part of a student ---- */

int db_uni_student_insert(db_conn *c, const db_uni_student *in, app_err *err);
/* APP_ECONFLICT student_no_taken */
/* lock: 0 none, 1 FOR UPDATE. 0 with *out_found 0 when the student has no university part. */
int db_uni_student_get(db_conn *c, long long student_id, int lock, app_arena *a,
                       db_uni_student *out, int *out_found, app_err *err);
/* The student id of 学号 `no` at `school`; 0 when none. */
int db_uni_student_find(db_conn *c, const char *school, const char *no, long long *out_id,
                        app_err *err);
/*
 * Store the changeable members of `in` (college, major, cohort, class_id,
 * state, suspended_until, sitting_in_major, sitting_in_class) when the
 * version is still in->version; the version goes up. APP_EPRECOND when it
 * moved.
 */
int db_uni_student_update(db_conn *c, const db_uni_student *in, app_err *err);
/* A page of the students of `school` by id after `after`; college / class
   filter when not 0. */
int db_uni_student_list(db_conn *c, const char *school, long long college, long long class_id,
                        long long after, int limit, app_arena *a, db_uni_student **out, int *out_n,
                        app_err *err);

/* ---- the teaching calendar ---- */

/* Insert or replace (school, term); the version goes up on replace. */
int db_uni_term_put(db_conn *c, const db_uni_term *in, long long by_user, app_arena *a,
                    db_uni_term *out, app_err *err);
int db_uni_term_list(db_conn *c, const char *school, app_arena *a, db_uni_term **out, int *out_n,
                     app_err *err);

/* ---- offices ---- */

/*
 * The ids of the enabled accounts of `school` holding staff role
 * `staff_role` (its stored name), of college `college` when it is not 0,
 * ascending; at most `max`.
 */
int db_uni_office_holders(db_conn *c, const char *school, const char *staff_role, long long college,
                          long long *out_ids, int max, int *out_n, app_err *err);

#endif
