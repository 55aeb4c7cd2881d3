/*
 * db/uni_select.h - selection rounds and a student's selections in the
 * tables of migration 024 (docs/decisions/0039, 0041): uni_round,
 * uni_selection and the seat count uni_section.taken.
 *
 * core/ decides who may and when, and audits; the exception is a change of
 * one selection (db_sel_add, db_sel_drop), whose rules are checked in the
 * statement that makes it (docs/decisions/0047). A seat is taken only by
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

/* ---- a change of one selection: checked and made in one statement, in
   the caller's transaction or, outside one, in its own (docs/decisions/0046,
   0047). The statement holds the rules of a change (who, which round, the
   student's eligibility, exemption, the live selection of the course,
   capacity) and writes the audit row `au` with the change, only when it
   happened (NULL: none). ---- */

typedef struct db_sel_change {
    long long student, section;
    /* "student": the round of the section's term open now decides (a
       preselect round preselects, an add/drop round takes a seat) and the
       student must be eligible for it; "office": a seat, no round */
    const char *source;
    long long replaces; /* the live section of the course it replaces; 0: none */
    const db_audit *au; /* its detail gains "state" */
} db_sel_change;

/* Add: *out_made 1 and *out_state "preselected" or "selected" when the
   change was made; *out_made 0 and *out_state the state found when the
   section is live already. Errors: APP_ENOTFOUND student_not_found,
   not_found (the section); APP_ECONFLICT round_closed, not_eligible,
   course_exempted, course_already_selected (another live section of the
   course, or this one made live meanwhile by the same student's other
   request), section_full; APP_EINVAL invalid_value (field /replaces) when
   `replaces` is not the live section of the course. With `replaces` the
   caller holds a transaction and rolls it back on error: the release of
   `replaces` is made before the take is refused. */
int db_sel_add(db_conn *c, const db_sel_change *in, app_arena *a, const char **out_state,
               int *out_made, app_err *err);
/* The student's drop of `section` in the open round: a `selected` row
   becomes `dropped` and its seat is freed, a `preselected` one is deleted;
   *out_state "dropped" or "removed" (the audit detail's "state"). Errors as
   db_sel_add, and APP_ENOTFOUND not_found when there is no live selection
   to drop; APP_ECONFLICT round_closed for a selected row in a preselect
   round. */
int db_sel_drop(db_conn *c, long long student, long long section, const db_audit *au, app_arena *a,
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
