/*
 * db/bulk.h - the statements of a registration, set-based: one statement per
 * table for many students at once (core_student_register_many()).
 *
 * The look-ups of a batch travel as one JSON parameter (an array of objects)
 * that PostgreSQL unpacks with json_to_recordset(): one round trip and one
 * plan however many rows, values still parameters. The rows written travel
 * as COPY ... FROM STDIN text, one COPY per table (parsed several times
 * faster than JSON records; triggers fire as for INSERT).
 *
 * The look-ups are not prepared: each is planned for the table's size at
 * the time (a generic plan made while a new database was empty stays a scan
 * of the whole table as an import fills it).
 *
 * Ids are drawn before the insert (db_ids_next()), so the caller knows which
 * row became which id without relying on the order of RETURNING.
 */
#ifndef DB_BULK_H
#define DB_BULK_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"
#include "db/event.h"
#include "db/history.h"
#include "db/request.h"
#include "db/student.h"
#include "db/user.h"

/* Build the statements from the catalog columns (db_student_setup() calls it). */
void db_bulk_setup(const char *const *cols, int ncols);

/* n fresh ids of table "student" or "request" (their identity sequences). */
int db_ids_next(db_conn *c, const char *table, int n, long long *out, app_err *err);

/* The identity key locks of db_student_lock_identity(), for many blind
   indexes at once, taken in a fixed order (no deadlock between batches);
   escalated as db/keylock.h says (space DB_KEYS_IDENTITY). */
int db_identities_lock(db_conn *c, const char *const *bidx_hex, int n, app_err *err);

/* Who holds an identity: for entries (row[i], id_type[i], bidx_hex[i]), the
   lowest-id active student of that type and index, one answer per row
   (state left empty). */
typedef struct db_holder {
    int row;
    long long id;
    char school[11];
    char state[24];
    int grade; /* db_stuno_holders_find only: the holder's grade; 0 otherwise */
} db_holder;
int db_holders_find(db_conn *c, int n, const int *row, const char *const *id_type,
                    const char *const *bidx_hex, app_arena *a, db_holder **out, int *out_n,
                    app_err *err);

/* Who holds a student number: for entries (row[i], bidx_hex[i]), the
   lowest-id student in any state whose number has that blind index, one
   answer per row, with its state and grade. */
int db_stuno_holders_find(db_conn *c, int n, const int *row, const char *const *bidx_hex,
                          app_arena *a, db_holder **out, int *out_n, app_err *err);

/* Lock the classes (grade, number) of a school and count the active
   students of those with a size limit (after the locks; count 0 for the
   others). id 0: no such class. */
typedef struct db_class_slot {
    int grade, number;
    long long id;
    int limit, count;
} db_class_slot;
int db_classes_lock(db_conn *c, const char *school, db_class_slot *v, int n, app_err *err);

/* taken[i] = 1 when a student already has the number of blind index bidx_hex[i]. */
int db_stunos_taken(db_conn *c, const char *const *bidx_hex, int n, unsigned char *taken,
                    app_err *err);

/* Insert students whose ids came from db_ids_next(). */
int db_student_insert_many(db_conn *c, const db_student *s, int n, app_err *err);

/* The transaction's key locks on the look-alike keys (province, name,
   gender, birth date) of db_similar_find_many(), ascending; held to the end
   of the transaction; escalated as db/keylock.h says (DB_KEYS_TWINS). Take them before that search,
   in a statement of their own, so that a concurrent registration of a look-alike is seen. */
int db_twins_lock(db_conn *c, const char *province, int n, const char *const *name,
                  const char *const *gender, const char *const *birth_date, app_err *err);

/* Suspected duplicates (same province, name, gender, birth date, active) of
   the students `id[i]`: those registered earlier than each (a lower id, or
   any id outside `id`), at most 10 per student. */
typedef struct db_similar {
    int row;
    long long id;
    char school[11];
} db_similar;
int db_similar_find_many(db_conn *c, const char *province, int n, const long long *id,
                         const char *const *name, const char *const *gender,
                         const char *const *birth_date, app_arena *a, db_similar **out, int *out_n,
                         app_err *err);

/* Requests with their steps; ids from db_ids_next(). */
int db_request_insert_many(db_conn *c, const db_request *q, int n, app_err *err);

int db_history_insert_many(db_conn *c, const db_history *h, int n, app_err *err);
int db_audit_insert_many(db_conn *c, const db_audit *e, int n, app_err *err);
int db_event_insert_many(db_conn *c, const db_event *e, int n, app_err *err);

#endif
