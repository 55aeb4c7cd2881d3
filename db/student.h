/*
 * db/student.h - student rows (migration 005): insert, read, update, place,
 * list and count; the class locks and counts of a registration; student
 * numbers; the reads of key rotation and bulk loading. What hangs off a
 * student has its own file: db/history.h, db/request.h, db/problem.h,
 * db/event.h (change feed), db/photo.h (photos and check-ins), db/files.h
 * (evidence files).
 *
 * db/ knows no field catalog: the caller hands the catalog's physical column
 * names once (db_student_setup(), from core_record_columns()) and every
 * record then travels as an array of text values in that order. Statements
 * are built from those names once, so the SQL stays in db/ while the catalog
 * stays the one description of the record.
 *
 * Binary values (ciphertexts, blind indexes) travel as PostgreSQL hex text
 * ("\x0a1b..."); NULL pointers are SQL NULLs.
 */
#ifndef DB_STUDENT_H
#define DB_STUDENT_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/*
 * Give the catalog columns (static strings, [a-z0-9_] only). Call once,
 * before any other function here, from one thread. Returns APP_EINVAL for a
 * name that is not a plain identifier.
 */
int db_student_setup(const char *const *cols, int ncols);
/* The columns given to db_student_setup(). */
const char *const *db_student_columns(int *out_n);

typedef struct db_student {
    long long id;
    char province[7];
    char school[11];
    long long class_id;
    const char *state;
    char stuno_kind[2];
    const char *stuno_text; /* the number, or its mask for G */
    const char *stuno_enc;  /* hex, G only */
    const char *stuno_bidx; /* hex */
    const char *id_bidx;    /* hex or NULL */
    long long key_id;
    const char *verification; /* NULL when not run */
    int version;
    const char *created_at, *updated_at;
    int has_photo;
    /* the school, as reads join it (not written) */
    char school_county[7], school_authority[7];
    const char *school_name;
    int school_closed;
    const char **vals; /* catalog columns, in the order given to db_student_setup() */
} db_student;

/* Insert; fills s->id, version, created_at, updated_at. A clash with the
   one-person index is APP_ECONFLICT with err->detail naming the index. */
int db_student_insert(db_conn *c, db_student *s, app_err *err);

/* By id or by the blind index of a student number. `for_update`:
   DB_STUDENT_LIGHT (0) a masked read: ciphertexts and blind indexes are NULL;
   DB_STUDENT_LOCK (1) everything, the row locked until commit;
   DB_STUDENT_FULL (2) everything, unlocked (reveals). Lists are light. */
enum { DB_STUDENT_LIGHT = 0, DB_STUDENT_LOCK = 1, DB_STUDENT_FULL = 2 };
int db_student_get(db_conn *c, long long id, int for_update, app_arena *a, db_student *out,
                   int *out_found, app_err *err);
int db_student_get_by_stuno(db_conn *c, const char *stuno_bidx, int for_update, app_arena *a,
                            db_student *out, int *out_found, app_err *err);

/* Write s->vals, class, state, numbers and key of row s->id if its version is
   `expect_version`; sets s->version/updated_at. Stale: APP_EPRECOND. */
int db_student_update(db_conn *c, db_student *s, int expect_version, app_err *err);

/* Bump the version of row `id` if it is `expect_version` (a change held
   elsewhere, such as the photo). Stale: APP_EPRECOND. */
int db_student_touch(db_conn *c, long long id, int expect_version, int *out_version, app_err *err);

/* Serialise registrations of one identity (blind index as hex) until commit:
   its key lock (db/keylock.h, space DB_KEYS_IDENTITY; nothing more when the
   transaction is escalated). */
int db_student_lock_identity(db_conn *c, const char *bidx_hex, app_err *err);

/* An active record holding (id_type, one of the blind indexes): its id and
   school, or *out_found = 0. `exclude` (0 = none) is skipped. */
int db_student_find_holder(db_conn *c, const char *id_type, const char *const *bidx_hex, int nbidx,
                           long long exclude, long long *out_id, char out_school[11],
                           int *out_found, app_err *err);

/* Class (school, grade, number) locked until commit: its id and size limit
   (0 = none); *out_found = 0 when the school has no such class. */
int db_class_lock(db_conn *c, const char *school, int grade, int number, long long *out_id,
                  int *out_limit, int *out_found, app_err *err);

/* Number of active students in a class (for its size limit). */
int db_class_count(db_conn *c, long long class_id, int *out_n, app_err *err);

/* A list filter; NULL/0 members are not applied. */
typedef struct db_student_filter {
    const char *school;         /* exact */
    const char *authority_like; /* schools whose authority LIKE this */
    int grade, class_no;
    const char *state;
    const char *name_prefix;
    const char *left_behind, *migrant_child;
    const long long *class_ids; /* head teachers */
    int nclass_ids;
    long long after_id;
    int limit;
    int full; /* read the ciphertexts too (an export that reveals); lists are light */
} db_student_filter;

int db_student_list(db_conn *c, const db_student_filter *f, app_arena *a, db_student **out,
                    int *out_n, app_err *err);
/* How many students the filter matches (after_id applies, limit and full do not). */
int db_student_count(db_conn *c, const db_student_filter *f, long long *out_n, app_err *err);

/* Next J sequence number (1..999) for a county and birth date (locks the row). */
int db_stuno_j_next(db_conn *c, const char *county, const char *birth_date, int *out_seq,
                    app_err *err);

/* Place a student (state, school, class) and bump its version; *out_version. */
int db_student_place(db_conn *c, long long id, const char *state, const char *school,
                     long long class_id, int grade, int class_no, int *out_version, app_err *err);

/* ---- key rotation ---- */

/* Up to `limit` ids of rows whose key_id differs from `key_id`, locked (SKIP LOCKED). */
int db_student_ids_not_under(db_conn *c, long long key_id, int limit, app_arena *a,
                             long long **out_ids, int *out_n, app_err *err);

/* ---- bulk loading and key rotation (xuejictl) ---- */

/*
 * What the masks of the stored type-1 ID numbers show (core_mask_id keeps
 * the first and last four characters), one call per (first four
 * characters, birth date "YYYYMMDD"): `seqs` is the three sequence digits
 * (characters 15-17) of each such number, concatenated. Any state counts:
 * a bulk loader must not reuse a number behind a student number.
 */
typedef void (*db_idmask_fn)(void *ctx, const char *prefix4, const char *birth, const char *seqs);
int db_student_id_masks(db_conn *c, db_idmask_fn fn, void *ctx, app_err *err);

/* Rows (any state) of the `n` schools `codes` (10 digits each). */
int db_student_count_in_schools(db_conn *c, const char *const *codes, int n, long long *out,
                                app_err *err);

/* Rows whose key_id differs from `key_id` (what a rotation has left to do). */
int db_student_count_not_under(db_conn *c, long long key_id, long long *out, app_err *err);

#endif
