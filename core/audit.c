/*
 * core/audit.c - the audit trail and change-feed writer (see core/audit.h).
 */
#include "core/audit.h"

#include "db/event.h"
#include "db/user.h"

void
core_audit_row(const core_op *op, const char *action, const char *target_type,
               const char *target_id, const char *detail_json, db_audit *out)
{
    *out = (db_audit){
        .actor_id = op->actor ? op->actor->user_id : 0,
        .actor_org = op->actor ? op->actor->org : NULL,
        .action = action,
        .target_type = target_type,
        .target_id = target_id,
        .ip = op->ip,
        .user_agent = op->user_agent,
        .request_id = op->request_id,
        .detail_json = detail_json,
    };
}

int
core_audit(db_conn *db, const core_op *op, const char *action, const char *target_type,
           const char *target_id, const char *detail_json, app_err *err)
{
    db_audit e;
    core_audit_row(op, action, target_type, target_id, detail_json, &e);
    return db_audit_insert(db, &e, err);
}

int
core_event(db_conn *db, const char *type, long long student_id, const char *school,
           const char *authority, const char *province, long long request_id, const char *data_json,
           app_err *err)
{
    db_event e = {
        .student_id = student_id,
        .request_id = request_id,
        .type = type,
        .school = school,
        .authority = authority,
        .province = province,
        .data_json = data_json,
    };
    return db_event_insert(db, &e, err);
}
