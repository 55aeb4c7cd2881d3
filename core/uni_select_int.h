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
/* The audit row of a selection change (`source`: NULL to leave it out of
   its detail), for the change's statement to write, which adds the state
   it made; strings in op->arena. */
void core_sel__audit_of(const core_op *op, const char *action, long long section, long long student,
                        const char *source, db_audit *out);
/* APP_EFORBIDDEN forbidden (param student_only) unless a student signed in. */
int core_sel__student_only(const core_op *op, app_err *err);
#endif
