/*
 * core/uni_select.h - course selection of a university (docs/decisions/0039,
 * 0041, UNIVERSITY.md L309-313, L302): the rounds of a term (预选
 * preselect, 补退选 add_drop, 遗留问题 leftover), a student's own
 * selections, the college office's leftover changes and the registrar
 * section's preload of a section.
 *
 * Who may:
 *   - create a round, preload a section: the university's registrar
 *     section (教务处教务科) only;
 *   - read rounds: whoever sees the university (its students too);
 *   - select and drop: the signed-in student only (op->actor->student_id;
 *     L311, no proxy: anyone else APP_EFORBIDDEN forbidden, param
 *     "student_only");
 *   - leftover changes: the academic office (college_office) of the
 *     student's college.
 * Rounds open and close by the database clock (now()); the leftover window
 * is weeks 1-2 of the section's term by op->today (core/uni_calendar.h).
 *
 * Every function opens, commits (with its audit row) or rolls back its own
 * transaction. Outputs live in op->arena. Besides the errors named: those of
 * core_uni_visible, and APP_EUNAVAIL, APP_ERETRY, APP_EINTERNAL from db/.
 */
#ifndef CORE_UNI_SELECT_H
#define CORE_UNI_SELECT_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/uni_select.h"

/* ---- rounds ---- */

typedef struct core_sel_round_new {
    const char *term;              /* "YYYY-1" / "YYYY-2" */
    const char *kind;              /* preselect, add_drop, leftover */
    long long opens_at, closes_at; /* epoch seconds */
    const int *cohorts;            /* NULL: every cohort */
    int ncohorts;                  /* 1..16 when cohorts is set */
} core_sel_round_new;

/*
 * POST /schools/{code}/selection-rounds. A preselect round gets 32 random
 * bytes (`reveal`, kept secret until the round is closed) and their SHA-256
 * (`commitment`, answered at once). Errors: APP_EINVAL invalid_term
 * (/term), invalid_value (/kind), invalid_round_times (/closes_at: not
 * after opens_at), invalid_cohort (/cohorts); APP_EFORBIDDEN forbidden.
 * Audit "uni_round_create" (never the reveal).
 */
int core_sel_round_create(db_conn *db, const core_op *op, const char *code,
                          const core_sel_round_new *in, db_sel_round *out, app_err *err);
/* GET /schools/{code}/selection-rounds (?term=, NULL: all). APP_EINVAL
   invalid_term. */
int core_sel_round_list(db_conn *db, const core_op *op, const char *code, const char *term,
                        db_sel_round **out, int *out_n, app_err *err);
/* GET /schools/{code}/selection-rounds/{id}: APP_ENOTFOUND not_found. */
int core_sel_round_get(db_conn *db, const core_op *op, const char *code, long long id,
                       db_sel_round *out, app_err *err);

/* ---- the student's own ---- */

/* GET /me/sections?term=: the sections of the term meant for the student,
   and the open round (*round_found 0: none). APP_EINVAL invalid_term. */
int core_sel_my_sections(db_conn *db, const core_op *op, const char *term, db_sel_section **out,
                         int *out_n, db_sel_round *round, int *round_found, app_err *err);

/* GET /me/selections?term=: the selections of the term, and the plan's PE
   courses of the term that are neither selected nor exempted. */
int core_sel_mine(db_conn *db, const core_op *op, const char *term, db_sel_row **out, int *out_n,
                  db_sel_course **missing, int *out_nmissing, app_err *err);

/*
 * POST /me/selections {section, replaces?}. In an open preselect round the
 * selection becomes `preselected` (no capacity limit); in an open add_drop
 * round `selected`, taking a seat. `replaces` (0: none) is the student's
 * live section of the same course, released in the same transaction.
 * *out_state the resulting state; *out_created 0 when the section was live
 * already (nothing changed). Errors: APP_ENOTFOUND not_found (no such
 * section); APP_ECONFLICT round_closed (no open round, or a preselect round
 * waits for its draw), not_eligible (the cohort's first term, a cohort the
 * round does not admit, a section not meant for the student, a student not
 * studying), course_exempted, course_already_selected, section_full;
 * APP_EINVAL invalid_value (/replaces: not the live section of the course).
 * Audit "uni_selection_add".
 */
int core_sel_add(db_conn *db, const core_op *op, long long section, long long replaces,
                 const char **out_state, int *out_created, app_err *err);

/* DELETE /me/selections/{section}: preselect round: the preselection is
   removed; add_drop: dropped, the seat released. APP_ECONFLICT round_closed
   (otherwise, or a selected entry in a preselect round); APP_ENOTFOUND
   not_found (no live selection of the section). Audit "uni_selection_drop". */
int core_sel_drop(db_conn *db, const core_op *op, long long section, const char **out_state,
                  app_err *err);

/* ---- the offices ---- */

/*
 * POST /schools/{code}/uni-students/{no}/selections {section, replaces?}:
 * the leftover round (遗留问题, L302) at the student's college office, in
 * weeks 1-2 of the section's term: the selection becomes `selected`
 * (source office), taking a seat; never a drop. Errors: APP_ENOTFOUND
 * student_not_found, not_found; APP_EFORBIDDEN forbidden (not that
 * college's office); APP_ECONFLICT window_closed, course_exempted,
 * course_already_selected, section_full; APP_EINVAL invalid_value
 * (/replaces). Audit "uni_selection_office".
 */
int core_sel_office_add(db_conn *db, const core_op *op, const char *code, const char *no,
                        long long section, long long replaces, int *out_created, app_err *err);

typedef struct core_sel_preload_counts {
    int preloaded, already, no_seat;
} core_sel_preload_counts;

/* POST /schools/{code}/sections/{id}/preload (db_sel_preload). Errors:
   APP_EFORBIDDEN forbidden; APP_ENOTFOUND not_found. Audit
   "uni_section_preload". */
int core_sel_preload(db_conn *db, const core_op *op, const char *code, long long id,
                     core_sel_preload_counts *out, app_err *err);

#endif
