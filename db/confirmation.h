/*
 * db/confirmation.h - parent confirmations of the information sheet
 * (table student_confirmation, migration 018): one per pupil and term.
 * The rules (who may record one, which pupils count) are core/confirmation.c's.
 */
#ifndef DB_CONFIRMATION_H
#define DB_CONFIRMATION_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

typedef struct db_confirmation {
    long long id, student_id;
    const char *school, *term, *signed_on; /* signed_on YYYY-MM-DD */
    const char *evidence;                  /* file ids as an array literal "{1,2}" */
    long long by_user;
    const char *created_at; /* set by insert (UTC, ISO 8601) */
} db_confirmation;

/*
 * Insert `c` (id and created_at are set, in `a`). The pupil already has one
 * for the term: *out_new = 0 and `c` is left as given.
 */
int db_confirmation_insert(db_conn *conn, db_confirmation *c, app_arena *a, int *out_new,
                           app_err *err);

/* The enrolled pupils of one class and how many of them have a confirmation. */
typedef struct db_confirmation_count {
    int grade, class_no;
    long long students, confirmed;
} db_confirmation_count;

/* Per class of `school` (grade, class order) for `term`: only classes with
   enrolled pupils. Rows in `a`. */
int db_confirmation_counts(db_conn *conn, const char *school, const char *term, app_arena *a,
                           db_confirmation_count **out, int *out_n, app_err *err);

#endif
