/*
 * db/uni_select.h - selection rounds and a student's selections in the
 * tables of migration 024 (docs/decisions/0039, 0041): uni_round,
 * uni_selection and the seat count uni_section.taken.
 *
 * No rules here beyond what the schema and the statements enforce: core/
 * decides who may and when, and audits. A seat is taken only by
 * `UPDATE uni_section SET taken = taken + 1 WHERE ... AND taken < capacity`
 * in the statement that makes the selection `selected`, and released in the
 * statement that moves it away from `selected`. Strings live in the arena
 * `a`. Times are RFC 3339 text in UTC ("2026-12-07T08:00:00Z"). Every
 * function may answer APP_EUNAVAIL, APP_ERETRY, APP_EINTERNAL.
 */
#ifndef DB_UNI_SELECT_H
#define DB_UNI_SELECT_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"
#include "db/user.h"

typedef struct db_sel_round {
    long long id;
    char school[11];
    char term[8];
    const char *kind;     /* preselect, add_drop, leftover */
    const char *opens_at; /* RFC 3339, UTC */
    const char *closes_at;
    const char *cohorts;    /* "{2024,2025}" or NULL: every cohort */
    const char *state;      /* scheduled, closed, drawn */
    const char *commitment; /* hex of SHA-256(reveal); NULL unless preselect */
    const char *reveal;     /* hex; NULL unless the round is closed or drawn */
    const char *closed_at, *drawn_at;
    int open; /* scheduled and opens_at <= now() < closes_at */
    int version;
} db_sel_round;

/* A new round; commitment and reveal are 32 bytes each, or both NULL. */
typedef struct db_sel_round_new {
    const char *school, *term, *kind;
    long long opens_at, closes_at; /* epoch seconds */
    const char *cohorts;           /* array literal or NULL */
    const unsigned char *commitment, *reveal;
    long long by_user;
} db_sel_round_new;

int db_sel_round_insert(db_conn *c, const db_sel_round_new *in, app_arena *a, db_sel_round *out,
                        app_err *err);
/* The rounds of `school` (of `term` when not NULL), by opening time. */
int db_sel_round_list(db_conn *c, const char *school, const char *term, app_arena *a,
                      db_sel_round **out, int *out_n, app_err *err);
int db_sel_round_get(db_conn *c, const char *school, long long id, app_arena *a, db_sel_round *out,
                     int *out_found, app_err *err);

/*
 * Where the selection of `term` at `school` stands now, in one read:
 * the open round (preselect or add_drop; *out_found 0 when none) and
 * *out_undrawn 1 when a preselect round of the term has closed (by state or
 * by time) and is not drawn yet.
 */
int db_sel_round_now(db_conn *c, const char *school, const char *term, app_arena *a,
                     db_sel_round *out, int *out_found, int *out_undrawn, app_err *err);

/* A section as selection needs it, with what the student has of it. */
typedef struct db_sel_section {
    long long id, course;
    char school[11];
    char term[8];
    int number, capacity, taken;
    int cohort;          /* 0: any */
    const char *majors;  /* "{1,2}" or NULL: any */
    int for_student;     /* meant for the student's cohort and major */
    int exempted;        /* the student is exempted from the course */
    long long live;      /* the student's live selection of the course: its section, 0 none */
    const char *mystate; /* the student's selection of this section, NULL none */
    const char *course_code, *course_name, *course_kind;
    const char *credits;
} db_sel_section;

/* Section `id` of `school` seen by student `student` (cohort, major); 0
   with *out_found 0 when no such section. */
int db_sel_section_get(db_conn *c, const char *school, long long id, long long student, int cohort,
                       long long major, app_arena *a, db_sel_section *out, int *out_found,
                       app_err *err);
/* The sections of `term` meant for the cohort and major (or for any), by
   course code and number, as db_sel_section_get. */
int db_sel_section_list(db_conn *c, const char *school, const char *term, long long student,
                        int cohort, long long major, app_arena *a, db_sel_section **out, int *out_n,
                        app_err *err);

/* A student's change of a section, read at once: the student's university
   record (found 0: none), section `section` of their university as they see
   it (section_found), the round of its term open now (round_found) and
   whether a preselect round of the term waits for its draw (undrawn), as
   db_sel_section_get and db_sel_round_now answer them. */
typedef struct db_sel_context_t {
    int found, section_found, round_found, undrawn;
    long long student, major, college;
    char school[11];
    int cohort;
    const char *state; /* the university state: studying, ... */
    db_sel_section section;
    db_sel_round round;
} db_sel_context_t;
int db_sel_context(db_conn *c, long long student, long long section, app_arena *a,
                   db_sel_context_t *out, app_err *err);

/* ---- changes of one selection: each one statement, in the caller's
   transaction or, outside one, in its own (docs/decisions/0046). With `au`
   the change writes its audit row in the same statement, only when it
   happened; NULL writes none. ---- */

/* Preselect: the row becomes `preselected` (no seat). *out_ok 0 when the
   student already has this section live. APP_ECONFLICT
   course_already_selected from the one-live-course index; APP_ECONFLICT
   round_closed when the round `round` was closed meanwhile (its row is
   share-locked: a close waits for this transaction, or ended it first). */
int db_sel_preselect(db_conn *c, const db_sel_section *s, long long student, long long round,
                     const db_audit *au, int *out_ok, app_err *err);
/* Take a seat and make the row `selected` with `source`: *out_ok 1 done, 0
   when the section is full or the row is live already (nothing changed).
   APP_ECONFLICT course_already_selected when another live section of the
   course, or this one taken meanwhile by the same student, stands in the way
   (the seat is not taken). */
int db_sel_take(db_conn *c, const db_sel_section *s, long long student, long long round,
                const char *source, const db_audit *au, int *out_ok, app_err *err);
/* Release: a `selected` row becomes `dropped` and its seat is freed; a
   `preselected` row is deleted. *out_state the state the row had (static
   string: "selected", "preselected") or NULL when nothing was live. The
   audit detail gains "state": "dropped" or "removed". */
int db_sel_release(db_conn *c, long long section, long long student, const db_audit *au,
                   const char **out_state, app_err *err);

/* ---- a student's selections ---- */

typedef struct db_sel_row {
    long long section, course;
    int number;
    const char *course_code, *course_name, *course_kind, *credits;
    const char *state, *source, *updated_at;
    long long round;
} db_sel_row;

int db_sel_mine(db_conn *c, long long student, const char *term, app_arena *a, db_sel_row **out,
                int *out_n, app_err *err);

/* The courses of kind `kind` in the student's plan (major, cohort) for
   `term` that have no live selection and no exemption: code and name. */
typedef struct db_sel_course {
    long long id;
    const char *code, *name, *kind;
} db_sel_course;
int db_sel_plan_missing(db_conn *c, long long student, long long major, int cohort,
                        const char *term, const char *kind, app_arena *a, db_sel_course **out,
                        int *out_n, app_err *err);

/*
 * Preload section `id` of `school`: its cohort's and majors' studying
 * students whose plan has the course in the section's term, not exempted,
 * become `selected` (source preload) up to the free seats, by student id.
 * *already: candidates with a live selection of the course; *preloaded;
 * *no_seat: candidates left without a seat. *out_found 0: no section.
 */
int db_sel_preload(db_conn *c, const char *school, long long id, int *out_found, int *already,
                   int *preloaded, int *no_seat, app_err *err);

#endif
