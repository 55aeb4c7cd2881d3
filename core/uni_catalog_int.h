/*
 * core/uni_catalog_int.h - helpers shared by core/uni_catalog.c (courses,
 * plans) and core/uni_section.c (sections); not a public contract.
 */
#ifndef CORE_UNI_CATALOG_INT_H
#define CORE_UNI_CATALOG_INT_H

#include "base/jw.h"
#include "core/uni_catalog.h"
#include "db/school.h"

/* Roll back and return rc. */
int core_uc_rollback(db_conn *db, int rc);
/* One APP_EINVAL item `slug` at `field`; returns APP_EINVAL. */
int core_uc_invalid(app_err *err, const char *field, const char *slug);
/* Begin (a savepoint inside a transaction); the university visible and
   managed by the actor, else rolled back with its error. */
int core_uc_begin_managed(db_conn *db, const core_op *op, const char *code, db_school *sc,
                          app_err *err);
/* End object w, audit `action` on (type, id) and commit; rolled back on error. */
int core_uc_audit_commit(db_conn *db, const core_op *op, const char *action, const char *type,
                         long long id, jw *w, app_err *err);
/* The id of college `code` (its code or name) / major `code` of `school`;
   0 when none. */
int core_uc_college_id(db_conn *db, const char *school, const char *code, app_arena *a,
                       long long *out, app_err *err);
int core_uc_major_id(db_conn *db, const char *school, const char *code, app_arena *a,
                     long long *out, app_err *err);
/* 1 if `s` is "YYYY-1" or "YYYY-2" (1990..2100). */
int core_uc_term_ok(const char *s);

#endif
