/*
 * db/intake.h - the graduate pool and intake claims (毕业库抽取, DOMAIN §5
 * intake_claim, docs/decisions/0027): the statements only; the rules are in
 * core/intake.c and workflow/ (start.c, effects.c).
 *
 * The pool is every student in state `graduated` (partial indexes of
 * migration 016). A claim is a request of type `intake_claim` whose `school`
 * is the claiming school and `student_id` the graduate; it is no member of
 * request_member, so several schools may claim one graduate at once
 * (request_claim_open_idx: one open claim per school and graduate).
 *
 * Strings are copied into the arena `a`. Errors: database errors as db.h
 * translates them (APP_ECONFLICT for a unique index).
 */
#ifndef DB_INTAKE_H
#define DB_INTAKE_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* One graduate of the pool, as stored (personal numbers only as masks). */
typedef struct db_pool_hit {
    long long id;
    const char *name, *gender, *birth_date; /* birth_date YYYY-MM-DD, "" when none */
    const char *id_number_mask;             /* "" when none */
    char stuno_kind;                        /* 'G', 'J' or 'L' */
    const char *stuno_text;                 /* the number (J, L) or its mask (G) */
    const char *school, *school_name;
    int grade; /* the grade it graduated from */
} db_pool_hit;

/* At most this many hits are answered (the rest are counted in *out_more). */
#define DB_POOL_MAX 20

/*
 * Graduates of province `province` (6 digits; NULL: every province) whose
 * document is (`id_type`, the blind index `bidx_hex`, "\\x..." text).
 */
int db_pool_by_document(db_conn *c, const char *province, const char *id_type, const char *bidx_hex,
                        app_arena *a, db_pool_hit **out, int *out_n, app_err *err);

/* Graduates of `province` (NULL: every province) named `name` exactly,
   born on `birth_date` (YYYY-MM-DD). */
int db_pool_by_name(db_conn *c, const char *province, const char *name, const char *birth_date,
                    app_arena *a, db_pool_hit **out, int *out_n, app_err *err);

/*
 * Lock the graduate of claim `request_id` (SELECT ... FOR UPDATE of the
 * student row), before the claim's own row is locked: every transaction
 * that touches the claims of one graduate (start, approve, supersede,
 * withdraw) takes the student first and the claims after, so two approvals
 * of two claims wait for each other instead of deadlocking. *out_student
 * = 0 when `request_id` is no intake claim (nothing locked).
 */
int db_intake_claim_lock(db_conn *c, long long request_id, long long *out_student, app_err *err);

/*
 * The graduate `student` (locked by the caller, in state graduated) enrolled
 * at `school` in (grade, class_no) of class `class_id`, entered in month
 * `enrolled_month` (YYYYMM). *out_old_month: the month it had ("" for none;
 * in `a`), for a revert. *out_found = 0 when it is no longer graduated.
 * APP_ECONFLICT when another active record holds its document
 * (student_one_person_idx).
 */
int db_intake_enrol(db_conn *c, long long student, const char *school, long long class_id,
                    int grade, int class_no, const char *enrolled_month, app_arena *a,
                    const char **out_old_month, int *out_found, app_err *err);

/* A revert of a claim: the entry month back to `month` ("" clears it). */
int db_intake_restore_month(db_conn *c, long long student, const char *month, app_err *err);

/* A claim that ended by itself. */
typedef struct db_superseded {
    long long id;
    const char *school; /* the claiming school */
} db_superseded;

/*
 * Every other open (open or returned) claim on `student` than `except`:
 * state superseded, no current step. *out lists them in id order.
 */
int db_intake_supersede(db_conn *c, long long student, long long except, app_arena *a,
                        db_superseded **out, int *out_n, app_err *err);

#endif
