/*
 * core/student.h - the student registry's record operations (DOMAIN §3, §6,
 * §7): registration with the real-time duplicate check (core/register.c),
 * reads (masked or revealed), history and look-up (core/student_read.c),
 * edits of non-key fields (core/student_edit.c), the stored row form
 * (core/student_row.c), and the effects the workflow applies on approval
 * (core/student_effects.c). Check-ins, photos, problem records, key rotation
 * and the calendar have headers of their own (core/checkin.h, core/photo.h,
 * core/problem.h, core/rekey.h, core/calendar.h).
 *
 * Every operation takes a DB handle and a core_op (who acts, from where,
 * with which keys and reference data), runs its own transaction (the
 * workflow's effects run in the workflow's), and writes its business
 * change, audit entry and change-feed event in that one transaction
 * (ARCHITECTURE "Data"). Personal numbers leave this module
 * masked unless the caller asked to reveal them, and are never put into
 * audit rows, events, history or error details.
 */
#ifndef CORE_STUDENT_H
#define CORE_STUDENT_H

#include "base/arena.h"
#include "base/err.h"
#include "core/audit.h"
#include "core/jurisdiction.h"
#include "core/op.h"
#include "core/pii.h"
#include "core/record.h"
#include "db/db.h"
#include "db/history.h"
#include "db/request.h"
#include "db/school.h"
#include "db/student.h"

/* Call once at start (after the catalog is final): hands the columns to db/. */
int core_student_init(void);

/* A student as operations hand it back. Strings in the op's arena. */
typedef struct core_student {
    long long id;
    char school[11];
    const char *school_name;
    char authority[7], county[7];
    const char *state;
    const char *student_number; /* masked G unless revealed */
    int version;
    const char *created_at, *updated_at;
    int has_photo;
    const char *verification;
    int revealed;
    core_record rec; /* PII masked unless revealed */
} core_student;

/* A request as operations hand it back (registration for now). */
typedef db_request core_request;

/*
 * Register one student at the caller's school (registrar). Validation lists
 * every bad field; then window, grade, class, entry age, size limit; then,
 * in one transaction: the duplicate check (409 duplicate_enrolled naming the
 * holding school, masked outside the caller's jurisdiction), the record in
 * state pending with an L number, suspected-duplicate and failed-identity
 * problem records, history, the registration request with its steps, the
 * audit entry and the event.
 */
int core_student_register(db_conn *db, const core_op *op, core_record *rec, core_student *out,
                          core_request *out_req, int *out_warnings, app_err *err);

/* One record of core_student_register_many(). */
typedef struct core_reg {
    core_record *rec; /* in: validated (and normalised) in place */
    int rc;           /* out: 0 registered, else the record's error in *err */
    app_err *err;     /* the caller's (one per record); items already in it fail the record */
    int warnings;
    long long student_id, request_id; /* out, when registered */
} core_reg;

/*
 * Register many records at the caller's school with the same checks and the
 * same writes as core_student_register() (which is this with one record),
 * set-based: each table is written by one statement for the whole batch, in
 * one transaction (a savepoint inside the caller's). Records are checked in
 * order, so of two records with the same identity the later one is the
 * duplicate. Returns 0 with each record's outcome in rows[i], or an error of
 * the batch as a whole (database unavailable ...), when nothing was written.
 */
int core_student_register_many(db_conn *db, const core_op *op, core_reg *rows, int n, app_err *err);

/*
 * Find a student by `key` (the record id in digits or a student number)
 * that the actor may see: its school is visible to the actor (and a head
 * teacher's class, a grade leader's grade); otherwise APP_ENOTFOUND
 * student_not_found. `reveal` decrypts the personal numbers and writes an
 * audit entry.
 */
int core_student_get(db_conn *db, const core_op *op, const char *key, int reveal, core_student *out,
                     app_err *err);

/*
 * Edit non-key fields: `changes` holds the fields to set (present[i] = 1;
 * v[i] NULL clears). A key field whose value changes: 422
 * key_field_requires_approval. Stale version: 412. An open problem record:
 * 409 student_has_problem (DOMAIN rule 24). The row is rewritten under the
 * current data key (so an edit also rotates it).
 */
int core_student_patch(db_conn *db, const core_op *op, const char *key, int expect_version,
                       const core_record *changes, const unsigned char *present, core_student *out,
                       app_err *err);

/* List filter as the API gives it. */
typedef struct core_student_filter {
    const char *school;
    int grade, class_no;
    const char *state, *name_prefix, *left_behind, *migrant_child;
    long long after_id;
    int limit;
    int reveal; /* personal numbers in clear (exports, core/export.h); audit is the caller's */
} core_student_filter;

/* One page of students the actor sees (masked unless f->reveal), ordered by
   id after f->after_id; a filter outside the actor's scope gives none. */
int core_student_list(db_conn *db, const core_op *op, const core_student_filter *f,
                      core_student **out, int *out_n, app_err *err);
/* How many students core_student_list would give over all its pages (the same
   scoping; f->after_id applies, f->limit does not). */
int core_student_count(db_conn *db, const core_op *op, const core_student_filter *f,
                       long long *out_n, app_err *err);

/* The timeline: history rows and requests of a visible student. */
int core_student_history(db_conn *db, const core_op *op, const char *key, long long after_id,
                         int limit, db_history **out, int *out_n, core_request **out_reqs,
                         int *out_nreqs, app_err *err);

/*
 * Rule 11 check for a document: does an active record hold it? *out_found;
 * when found, the holder (school masked via *out_visible = 0 outside the
 * caller's jurisdiction). Audited.
 */
int core_student_lookup(db_conn *db, const core_op *op, const char *id_type, const char *id_number,
                        int *out_found, int *out_visible, core_student *out, app_err *err);

/*
 * The registration effect, on the last approval (called by the workflow
 * inside its transaction): duplicate check again, then the final number
 * (rule 9: G + ID for types 1 and C, J self-code without a document, keep L
 * otherwise) and state enrolled, history, event.
 */
int core_student_apply_registration(db_conn *db, const core_op *op, long long student_id,
                                    long long request_id, app_err *err);
/* The route of the registration of pending student `student_id` as its
   record is now (a correction may have given or taken its document):
   steps numbered from 1, the first waiting and due, the others pending.
   The workflow's resubmission of a returned registration takes it. */
int core_student_registration_steps(db_conn *db, const core_op *op, long long student_id,
                                    db_step **out, int *out_n, app_err *err);
/* The registration refused (rejected, or withdrawn by its school): state
   registration_rejected (the identity is free again), history, event. */
int core_student_reject_registration(db_conn *db, const core_op *op, long long student_id,
                                     long long request_id, app_err *err);

/*
 * The stored form of a record, for bulk loaders (xuejictl demo, imports):
 * the row values in core_record_columns() order with PII encrypted under the
 * current key and masked. Strings in op->arena.
 */
int core_student_row(const core_op *op, const core_record *rec, const char **out_vals,
                     app_err *err);
/* A blind index as PostgreSQL hex text ("\x..."), under ring key 0, of
   `value` in `domain` ("stuno", or "id:<type>" for documents). */
const char *core_student_bidx(const core_op *op, const char *domain, const char *value);

/* ---- for the workflow engine ---- */

/* The student `key` the actor sees, with its school (lock: FOR UPDATE). */
int core_student_load(db_conn *db, const core_op *op, const char *key, int lock, db_student *out,
                      db_school *out_school, app_err *err);

/* The student with full student number `number`, whoever holds it: a
   transfer's receiving school names the student it takes by number
   (never by id, so ids cannot be walked). */
int core_student_load_by_number(db_conn *db, const core_op *op, const char *number, int lock,
                                db_student *out, db_school *out_school, app_err *err);

/* Grade and class number of a loaded row (plain columns: nothing decrypted). */
void core_student_place_of(const db_student *s, int *out_grade, int *out_class);

/* The record in clear (decrypted) of a loaded row. */
int core_student_record(const core_op *op, const db_student *s, core_record *out, app_err *err);

/* A school by code (APP_ENOTFOUND school_not_found). */
int core_school_load(db_conn *db, const core_op *op, const char *code, db_school *out,
                     app_err *err);

/* 1 if `grade` is the last one the school teaches at its level (the
   graduating grade: 16 or 15, 23 or 24, 33). */
int core_grade_is_final(const db_school *sc, int grade);

/*
 * The key-field effect (on the last approval of key_field_change): apply the
 * present key fields, validate the whole record, rerun the duplicate check
 * (a clash: APP_ECONFLICT duplicate_enrolled, nothing written, *out_holder
 * set), re-encrypt, and with `renumber` give a G number from the new ID.
 * History names the fields (PII without values).
 */
int core_student_key_change(db_conn *db, const core_op *op, long long id,
                            const core_record *changes, const unsigned char *present, int renumber,
                            long long request_id, long long *out_holder, app_err *err);

/*
 * core_student_key_change with more said and more kept (DOMAIN rule 18,
 * docs/decisions/0030): `kind` names the history entry ("key_field_change",
 * or "revert" when a bureau puts the old values back); with `expect`, every
 * present key field must still hold its value there (the change being
 * reverted left it so), else APP_ECONFLICT revert_conflict and nothing is
 * written. On success `sealed_old` receives the present fields' values
 * before (core_changes_seal, in op->arena) for the request's applied data.
 * The checks are those of core_student_key_change (duplicate_enrolled with
 * *out_holder).
 */
typedef struct core_key_change {
    const core_record *changes;
    const unsigned char *present;
    int renumber;
    long long request_id;
    const char *kind;
    const core_record *expect;
    const char *sealed_old; /* out */
} core_key_change;
int core_student_key_apply(db_conn *db, const core_op *op, long long id, core_key_change *kc,
                           long long *out_holder, app_err *err);

/* Key-field changes travel sealed (encrypted under the data key) in a
   request's payload: the new ID number is personal information. Hex text. */
const char *core_changes_seal(const core_op *op, const core_record *changes,
                              const unsigned char *present);
int core_changes_open(const core_op *op, const char *hex, core_record *out, unsigned char *present,
                      app_err *err);

#endif
