/*
 * db/student.h - student records, their history, requests and steps, problem
 * records, the change feed, photos and check-ins (migration 005).
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
int db_student_touch(db_conn *c, long long id, int expect_version, int *out_version,
                     app_err *err);

/* Serialise registrations of one identity (blind index as hex) until commit. */
int db_student_lock_identity(db_conn *c, const char *bidx_hex, app_err *err);

/* An active record holding (id_type, one of the blind indexes): its id and
   school, or *out_found = 0. `exclude` (0 = none) is skipped. */
int db_student_find_holder(db_conn *c, const char *id_type, const char *const *bidx_hex,
                           int nbidx, long long exclude, long long *out_id, char out_school[11],
                           int *out_found, app_err *err);

/* Active records in `province` with the same name, gender and birth date
   (other than `exclude`), at most 10: ids and schools. */
int db_student_find_similar(db_conn *c, const char *province, const char *name,
                            const char *gender, const char *birth_date, long long exclude,
                            app_arena *a, long long **out_ids, char (**out_schools)[11],
                            int *out_n, app_err *err);

/* Class (school, grade, number) locked until commit: its id and size limit
   (0 = none); *out_found = 0 when the school has no such class. */
int db_class_lock(db_conn *c, const char *school, int grade, int number, long long *out_id,
                  int *out_limit, int *out_found, app_err *err);

/* Number of active students in a class (for its size limit). */
int db_class_count(db_conn *c, long long class_id, int *out_n, app_err *err);

/* A list filter; NULL/0 members are not applied. */
typedef struct db_student_filter {
    const char *school;        /* exact */
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

/* Is this blind index of a student number taken? */
int db_stuno_taken(db_conn *c, const char *bidx_hex, int *out_taken, app_err *err);

/* ---- history ---- */

typedef struct db_history {
    long long id, student_id, actor_id, request_id;
    const char *at, *kind, *actor_org, *school, *changes_json;
} db_history;

int db_history_insert(db_conn *c, const db_history *h, app_err *err);
int db_history_list(db_conn *c, long long student_id, long long after_id, int limit,
                    app_arena *a, db_history **out, int *out_n, app_err *err);

/* ---- requests ---- */

typedef struct db_step {
    int number;
    const char *level, *org, *state, *due_at, *decided_at, *comment;
    const char *escalate_to; /* the holder's superior (overdue steps), or NULL */
    long long decided_by;
    int forced;
} db_step;

typedef struct db_action {
    int step;
    const char *action, *actor_org, *at, *comment;
    long long actor_id;
} db_action;

typedef struct db_request {
    long long id, student_id, started_by;
    const char *type, *state, *school, *province, *payload_json, *comment, *started_org;
    const char *other_school; /* transfer: the receiving school, else NULL */
    const char *evidence;     /* file ids as a PostgreSQL array literal "{1,2}" (insert) */
    const char *applied_json; /* what the effect changed, NULL before */
    const char *created_at, *updated_at;
    int current_step; /* 0 when ended */
    int version;
    db_step *steps;
    int nsteps;
    db_action *actions; /* every action taken, oldest first */
    int nactions;
    long long problem_id;       /* problem_resolution: the problem, else 0 */
    struct db_member *members;  /* the students it is about (db/request.h) */
    int nmembers;
} db_request;

/* Insert a request with its steps (steps[i].state and due_at as given). A
   second open request of the student: APP_ECONFLICT (detail names
   request_member_one_open_idx). */
int db_request_insert(db_conn *c, db_request *r, app_err *err);
int db_request_get(db_conn *c, long long id, int for_update, app_arena *a, db_request *out,
                   int *out_found, app_err *err);
/* Requests of a student, newest last. */
int db_request_list_for_student(db_conn *c, long long student_id, app_arena *a,
                                db_request **out, int *out_n, app_err *err);
/* Decide step `number`: state, decided_by, comment; then move the request to
   `req_state` and `current_step` (0 = ended); the next step (if any) becomes
   waiting with due_at. */
int db_request_decide(db_conn *c, long long id, int number, const char *step_state,
                      long long by, const char *comment, int forced, const char *req_state,
                      int next_step, const char *next_due_at, app_err *err);
/* Move a request to `state` and `current_step` (0 = none) without deciding a step. */
int db_request_set_state(db_conn *c, long long id, const char *state, int current_step,
                         app_err *err);
/* Resubmission: every step pending again, step 1 waiting with `due_at`. */
int db_request_steps_reset(db_conn *c, long long id, const char *due_at, app_err *err);
/* Record what the effect changed (JSON object text). */
int db_request_set_applied(db_conn *c, long long id, const char *json, app_err *err);
/* Is there an open transfer of the student to `school` (DOMAIN rule 26)? */
int db_request_open_transfer_to(db_conn *c, long long student_id, const char *school,
                                int *out_found, app_err *err);
/* Open requests (open or returned) the student is a member of. */
int db_request_open_count(db_conn *c, long long student_id, int *out_n, app_err *err);

typedef struct db_request_filter {
    const char *todo_org;        /* box=todo: steps waiting at this org or escalated to it */
    const char *started_org;     /* box=mine */
    const char *school_like;     /* box=all for a school: school = this */
    const char *authority_like;  /* box=all for a bureau: schools whose authority LIKE */
    const char *state, *type;
    long long after_id;
    int limit;
} db_request_filter;
/* Requests by filter, ascending id (the oldest first). */
int db_request_list(db_conn *c, const db_request_filter *f, app_arena *a, db_request **out,
                    int *out_n, app_err *err);

/* Place a student (state, school, class) and bump its version; *out_version. */
int db_student_place(db_conn *c, long long id, const char *state, const char *school,
                     long long class_id, int grade, int class_no, int *out_version,
                     app_err *err);
int db_request_action_insert(db_conn *c, long long request_id, int step, const char *action,
                             long long actor_id, const char *actor_org, const char *comment,
                             app_err *err);

/* ---- evidence files ---- */

/* An evidence file: `data` is stored as given, sealed under `data_key`
   (docs/decisions/0013); size and sha256 (hex) are the plaintext's. */
typedef struct db_file {
    const char *org, *mime, *sha256;
    size_t size;
    long long data_key, created_by;
} db_file;

int db_file_insert(db_conn *c, const db_file *f, const unsigned char *data, size_t len,
                   long long *out_id, app_err *err);
/* How many of the ids are files of `org`. */
int db_files_owned(db_conn *c, const long long *ids, int n, const char *org, int *out_count,
                   app_err *err);

/* ---- problems ---- */

typedef struct db_problem {
    long long id, student_id, other_student_id;
    const char *kind, *state, *school, *other_school, *authority, *reason, *created_at;
    const char *evidence;   /* file ids, "{1,2}" */
    const char *resolution; /* evidence / change / delete once resolved, else NULL */
    long long resolved_by_request;
} db_problem;

int db_problem_insert(db_conn *c, db_problem *p, app_err *err);
int db_problem_open_count(db_conn *c, long long student_id, int *out_n, app_err *err);
/* Problems touching a school of the scope (school exact, or schools whose
   authority LIKE; both NULL: all), by state (NULL: any), ascending id. */
int db_problem_list(db_conn *c, const char *school, const char *authority_like, const char *state,
                    long long after, int limit, app_arena *a, db_problem **out, int *out_n,
                    app_err *err);

/* ---- change feed ---- */

typedef struct db_event {
    long long id, student_id, request_id;
    const char *at, *type, *school, *authority, *province, *data_json;
} db_event;

int db_event_insert(db_conn *c, const db_event *e, app_err *err);
/* Events after `after` within a scope: school exact, or authority LIKE. */
int db_event_list(db_conn *c, long long after, const char *school, const char *authority_like,
                  int limit, app_arena *a, db_event **out, int *out_n, app_err *err);

/* ---- photos and check-ins ---- */

/* `data` stored as given, sealed under `key_id` (docs/decisions/0013). */
int db_photo_put(db_conn *c, long long student_id, const char *mime, int width, int height,
                 const unsigned char *data, size_t len, long long key_id, app_err *err);
/* The photo's type and time; *out_found = 0 when there is none. Its bytes:
   db_blob_get(DB_BLOB_PHOTO, student_id) (db/files.h). */
int db_photo_get(db_conn *c, long long student_id, app_arena *a, const char **out_mime,
                 const char **out_updated_at, int *out_found, app_err *err);
/* Record a check-in; *out_new = 0 when the student had already checked in for the term. */
int db_checkin_insert(db_conn *c, long long student_id, const char *term, const char *school,
                      long long by, int *out_new, app_err *err);

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
typedef void (*db_idmask_fn)(void *ctx, const char *prefix4, const char *birth,
                             const char *seqs);
int db_student_id_masks(db_conn *c, db_idmask_fn fn, void *ctx, app_err *err);

/* Rows (any state) of the `n` schools `codes` (10 digits each). */
int db_student_count_in_schools(db_conn *c, const char *const *codes, int n, long long *out,
                                app_err *err);

/* Rows whose key_id differs from `key_id` (what a rotation has left to do). */
int db_student_count_not_under(db_conn *c, long long key_id, long long *out, app_err *err);

#endif
