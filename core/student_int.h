/*
 * core/student_int.h - private to the student modules of core/ (student_row,
 * student_read, student_edit, student_effects, register, register_check,
 * checkin, photo, rekey): the stored row form of a record and the visibility rules they
 * share. Not for other callers; the public contract is core/student.h.
 *
 * Strings returned are in op->arena (or the arena passed).
 */
#ifndef CORE_STUDENT_INT_H
#define CORE_STUDENT_INT_H

#include "base/jw.h"
#include "core/student.h"

#include <string.h>

/* The states in which a record is active (its identity is held). */
#define CORE__ACTIVE(st)                                                                           \
    (strcmp(st, "pending") == 0 || strcmp(st, "enrolled") == 0 || strcmp(st, "suspended") == 0)

/* ---- student_row.c: the row form and PII ---- */

/* The number of row values (core_record_columns(), set by core_student_init()). */
int core__ncols(void);

/* "\x..." PostgreSQL hex text of the ciphertext of `plain` under the
   current key; NULL when encryption fails. */
const char *core__encrypt_hex(const core_op *op, const char *plain);
/* The plain text of a "\x..." ciphertext; NULL when it does not open. */
const char *core__decrypt_hex(app_arena *a, const core_pii_ring *ring, const char *hex);
/* The blind index of `value` in `domain` under ring key `key_index`, as "\x...". */
const char *core__bidx_hex(const core_op *op, int key_index, const char *domain, const char *value);
/* The blind index of a document (type, number) under the current key. */
const char *core__id_bidx(const core_op *op, const char *type, const char *number);
/* Blind indexes of (type, number) under every ring key, current first. */
const char **core__id_indexes(const core_op *op, const char *type, const char *number, int *out_n);

/* Record -> row values (catalog column order, core__ncols() of them, in
   op->arena), PII encrypted under the current key and masked. */
int core__row_of_record(const core_op *op, const core_record *r, const char ***out_vals,
                        app_err *err);
/* Row values -> record: PII masked, or decrypted when `reveal`. */
int core__record_of_row(const core_op *op, const char *const *vals, int reveal, core_record *r,
                        app_err *err);

/* The grade of a loaded row (0 when none). */
int core__grade_of(const db_student *s);

/* Give s the G number made from ID `number` (rule 9): kind, mask, ciphertext, index. */
void core__stuno_set_g(const core_op *op, db_student *s, const char *number);
/* Re-make s's student number ciphertext and blind index under the current
   key (the row is being rewritten). APP_EINTERNAL when it does not open. */
int core__stuno_rewrap(const core_op *op, db_student *s, app_err *err);

/* 1 when both are NULL or equal strings. */
int core__same(const char *a, const char *b);
/* YYYY-MM-DD -> YYYYMMDD, 0 when NULL or not a date. */
int core__ymd(const char *date);

/*
 * Write the history change items of the fields `fields` (n of them; NULL:
 * every catalog field) whose values differ between `cur` and `next` into
 * the open array of `w`: {"field":"/x","old":..,"new":..}, or for personal
 * information {"field":"/x","pii":true} (never its values). Returns how many.
 */
int core__history_fields(jw *w, const core_record *cur, const core_record *next, const int *fields,
                         int n);

/* ---- student_read.c: finding and seeing students ---- */

/* A school by code; APP_ENOTFOUND school_not_found. */
int core__load_school(db_conn *db, const core_op *op, const char *code, db_school *out,
                      app_err *err);
/* May the actor see this student? Its school, then a staff role's narrowing. */
int core__sees_student(const core_actor *a, const db_school *sc, const db_student *s);
/* Find by key (digits: the id; else a student number, by blind index under
   every key). *out_found = 0 when there is none; no visibility check. */
int core__find_student(db_conn *db, const core_op *op, const char *key, int lock, db_student *out,
                       int *out_found, app_err *err);
/* APP_ENOTFOUND student_not_found (one answer for missing and not visible). */
int core__not_found(app_err *err);
/* Load a student the actor sees (or the other party of an open transfer
   sees, rule 26), with its school from the row. */
int core__load_visible(db_conn *db, const core_op *op, const char *key, int lock, db_student *s,
                       db_school *sc, app_err *err);
/* The API form of a loaded row; `sc` NULL: the school columns of the row. */
int core__fill_out(const core_op *op, const db_student *s, const db_school *sc, int reveal,
                   core_student *out, app_err *err);
/* A school as a duplicate answer names it: "建设路第一小学（2141010201）"
   to an actor who sees it, else "郑州市金水区的一所学校" (for_error: "@<county>"). */
const char *core__describe_school(db_conn *db, const core_op *op, const char *code, int for_error,
                                  app_err *err);

/* ---- register_check.c: what registration, its approval and its correction share ---- */

/* The G number (rule 9) document (type, number) gets on approval - types 1
   and C - in op->arena; NULL for the others. */
const char *core__g_number(const core_op *op, const char *type, const char *number);
/* Set APP_ECONFLICT student_has_record at /id_number: the param is
   "<who>|<state label>" (`who` as core__describe_school's error form names
   the holder's school); returns APP_ECONFLICT. */
int core__has_record(const core_op *op, app_err *err, long long holder, const char *who,
                     const char *state);
/* 复读生 (docs/decisions/0030): 1 when a record in `state` at `held_grade`
   means a registration into `grade` repeats a compulsory stage the pupil
   already finished (graduated or completed, primary 1x or junior 2x, the
   same stage). core__repeater sets APP_ECONFLICT compulsory_repeater at
   /grade and returns it. */
int core__repeats_stage(const char *state, int held_grade, int grade);
int core__repeater(app_err *err);
/* Rule 9 until intake from the graduate pool exists: no record other than
   `self`, in any state, holds the G number (type, number) would get, under
   any key of the ring; else student_has_record (core__has_record). */
int core__check_no_record(db_conn *db, const core_op *op, const char *type, const char *number,
                          long long self, app_err *err);
/* A returned registration's pending record `s` corrected from `cur` to
   `next` (validated already): when a key field changed, the checks of
   registration again - entry age (rule 21), the duplicate check under the
   identity lock (duplicate_enrolled naming the holder's school),
   student_has_record, a suspected duplicate (same name, gender, birth date)
   and the identity check (rules 24 and 23: each opens a problem record) -
   and s->id_bidx, s->verification set for the rewrite. */
int core__registration_recheck(db_conn *db, const core_op *op, const db_school *sc, db_student *s,
                               const core_record *cur, const core_record *next, app_err *err);

#endif
