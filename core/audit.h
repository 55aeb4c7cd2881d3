/*
 * core/audit.h - the one writer of the audit trail and of the change feed.
 *
 * Every business write of core/ and workflow/ appends its audit row (who:
 * op->actor, from where: op->ip, user agent and request id) and, when it
 * changes a student, its change-feed event, in the caller's open
 * transaction, so that the change, its audit row and its event commit or
 * roll back together (ARCHITECTURE "Data"). No personal number goes into
 * `detail_json` or `data_json`: they are stored and shown in clear.
 *
 * Both return 0 or the db/ error (APP_EUNAVAIL, APP_EINTERNAL) in *err.
 */
#ifndef CORE_AUDIT_H
#define CORE_AUDIT_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/user.h"

/* One audit row. op->actor may be NULL (the system: workers, xuejictl). */
int core_audit(db_conn *db, const core_op *op, const char *action, const char *target_type,
               const char *target_id, const char *detail_json, app_err *err);
/* The audit row core_audit writes, for a statement that writes it itself
   with its change (db_audit_params); strings are borrowed, not copied. */
void core_audit_row(const core_op *op, const char *action, const char *target_type,
                    const char *target_id, const char *detail_json, db_audit *out);

/* One change-feed event about `student_id` (0: none) and its places. */
int core_event(db_conn *db, const char *type, long long student_id, const char *school,
               const char *authority, const char *province, long long request_id,
               const char *data_json, app_err *err);

#endif
