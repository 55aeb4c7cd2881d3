/*
 * core/uni_select_int.h - what core/uni_select.c and core/uni_select_office.c
 * share (private to them): the transaction helpers and the checks of one
 * selection change.
 */
#ifndef CORE_UNI_SELECT_INT_H
#define CORE_UNI_SELECT_INT_H

#include "core/uni_select.h"
#include "db/school.h"
#include "db/uni.h"

/* Roll back and return rc. */
int core_sel__rollback(db_conn *db, int rc);
/* Begin; the university visible and the actor its registrar section (else
   APP_EFORBIDDEN forbidden, rolled back). */
int core_sel__begin_registrar(db_conn *db, const core_op *op, const char *code, db_school *sc,
                              app_err *err);
/* The audit row of a selection change (`state`, `source`: NULL to leave out
   of its detail), for the change's statement to write; strings in op->arena. */
void core_sel__audit_of(const core_op *op, const char *action, long long section, long long student,
                        const char *state, const char *source, db_audit *out);
/* APP_EFORBIDDEN forbidden (param student_only) unless a student signed in. */
int core_sel__student_only(const core_op *op, app_err *err);
/* Section `section` as student `st` sees it; APP_ENOTFOUND not_found. */
int core_sel__section(db_conn *db, const core_op *op, const db_uni_student *st, long long section,
                      db_sel_section *sec, app_err *err);
/* Exemption, the live selection of the course and `replaces`; *out_same 1
   when the section is live already. */
int core_sel__checks(const db_sel_section *sec, long long replaces, int *out_same, app_err *err);
/* Release `replaces` (0: none), then preselect or take a seat (`source`),
   writing the audit row `au` with it: APP_ECONFLICT section_full /
   course_already_selected. With `replaces`, in the caller's transaction,
   which it rolls back on error. */
int core_sel__change(db_conn *db, const db_sel_section *sec, long long student, long long round,
                     int preselect, const char *source, long long replaces, const db_audit *au,
                     app_err *err);

#endif
