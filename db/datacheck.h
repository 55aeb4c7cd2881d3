/*
 * db/datacheck.h - the semester data check (数据质量核查, issue #15): one
 * set-based pass over a school's active students (enrolled, suspended) that
 * finds required fields left empty, open duplicate problem records, missing
 * photos and enrolled students not checked in for a term; and the sign-offs
 * of table data_check_signoff (db/migrations/020_data_check.sql).
 *
 * db/ knows no catalog: the caller (core/datacheck.c) names the columns of
 * the required fields, each a static [a-z0-9_]+ name checked again here, and
 * gets back the caller's field indexes of those found empty. Every value is
 * a parameter. Strings and arrays handed back live in the arena.
 */
#ifndef DB_DATACHECK_H
#define DB_DATACHECK_H

#include "base/arena.h"
#include "db/db.h"

#define DB_DC_MAX_FIELDS 64

/* A required field: its column and the caller's index for it. `pii`: the
   column holds ciphertext (<column>_enc), empty when NULL. */
typedef struct db_dc_field {
    const char *column;
    int index;
    int pii;
} db_dc_field;

typedef struct db_dc_query {
    const char *school; /* 10 digits */
    const char *term;   /* YYYY-1 / YYYY-2 */
    const db_dc_field *fields;
    int nfields;
} db_dc_query;

/* Issues of a student, as bits. */
enum {
    DB_DC_MISSING = 1,   /* a required field is empty */
    DB_DC_DUPLICATE = 2, /* an open duplicate_id / suspected_duplicate problem */
    DB_DC_NO_PHOTO = 4,  /* no photo */
    DB_DC_NOT_IN = 8,    /* enrolled and not checked in for the term */
};

typedef struct db_dc_counts {
    long long students, with_issues, missing, duplicate, no_photo, not_checked_in;
    int nfields;          /* entries below: fields found empty, by index ascending */
    int *field_index;     /* the caller's index */
    long long *field_cnt; /* students with that field empty */
} db_dc_counts;

/* The counts of the school's check. APP_EINVAL for a bad column name. */
int db_datacheck_counts(db_conn *c, const db_dc_query *q, app_arena *a, db_dc_counts *out,
                        app_err *err);

typedef struct db_dc_item {
    long long id;
    const char *student_number; /* stuno_text: the number, or the mask of a G number */
    const char *name, *state;
    int grade, class_no;
    unsigned issues; /* DB_DC_* */
    int nmissing;
    int *missing; /* the caller's indexes of the empty fields */
} db_dc_item;

/*
 * Students of the check with any of the issues `want` (DB_DC_* bits), id
 * greater than `after`, by id; at most `limit`, *out_more = 1 when there are
 * more.
 */
int db_datacheck_items(db_conn *c, const db_dc_query *q, unsigned want, long long after, int limit,
                       app_arena *a, db_dc_item **out, int *out_n, int *out_more, app_err *err);

/* ---- sign-offs ---- */

typedef struct db_dc_signoff {
    char school[11];
    const char *term, *level, *org, *at; /* at: ISO 8601 */
    long long by_user;
    const char *counts; /* JSON text */
} db_dc_signoff;

/*
 * Insert the school-level sign-off of (school, term) unless there is one;
 * *out is the row (new or earlier), *out_new = 1 when it was inserted.
 */
int db_datacheck_sign_school(db_conn *c, const char *school, const char *term, long long by,
                             const char *counts_json, app_arena *a, db_dc_signoff *out,
                             int *out_new, app_err *err);

/* The sign-offs of (school, term): *out_school and *out_authority, each NULL
   when there is none. */
int db_datacheck_signoffs(db_conn *c, const char *school, const char *term, app_arena *a,
                          db_dc_signoff **out_school, db_dc_signoff **out_authority, app_err *err);

/* The authority-level sign-off: of the open schools whose competent
   authority is exactly `authority`. */
typedef struct db_dc_authority_result {
    int schools;    /* open schools of the authority */
    int signed_now; /* authority sign-offs inserted */
    int already;    /* authority sign-offs there before */
    int pending;    /* schools that have not signed off themselves */
} db_dc_authority_result;

/* Sign off, for `authority`, every such school that has signed off itself
   and has no authority sign-off yet. */
int db_datacheck_sign_authority(db_conn *c, const char *authority, const char *term, long long by,
                                db_dc_authority_result *out, app_err *err);

/* ---- the region's report: who has signed off ---- */

typedef struct db_dc_school_row {
    char code[11];
    const char *name;
    char county[7], authority[7];
    const db_dc_signoff *school_signoff;    /* NULL: the school has not signed off */
    const db_dc_signoff *authority_signoff; /* NULL: its authority has not */
} db_dc_school_row;

typedef struct db_dc_region_query {
    const char *authority_like; /* open schools whose competent authority LIKE this */
    const char *term;
    int missing;       /* 0: all; 1: without the school's sign-off; 2: without the authority's */
    const char *after; /* school code, "" from the start */
    int limit;
} db_dc_region_query;

typedef struct db_dc_region_counts {
    long long schools, school_signed, authority_signed;
} db_dc_region_counts;

int db_datacheck_region(db_conn *c, const db_dc_region_query *q, app_arena *a,
                        db_dc_region_counts *out_counts, db_dc_school_row **out, int *out_n,
                        int *out_more, app_err *err);

#endif
