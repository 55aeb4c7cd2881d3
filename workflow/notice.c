/*
 * workflow/notice.c - the notice of an applied university status change
 * (see workflow/notice.h): the request read as GET /requests/{id} reads it,
 * its payload handed to core/uni_notice.h.
 */
#include "workflow/notice.h"

#include "core/uni_notice.h"
#include "workflow/effects.h"

#include <stdlib.h>
#include <string.h>

int
wf_request_notice(db_conn *db, const core_op *op, long long id, fmt_sink sink, app_err *err)
{
    core_request q;
    int rc = wf_request_get(db, op, id, &q, err);
    if (rc != 0)
        return rc;
    int suspend = strcmp(q.type, "uni_suspend") == 0;
    if (!suspend && strcmp(q.type, "cohort_change") != 0)
        return app_err_set(err, APP_ECONFLICT, "request_has_no_notice", "type %s", q.type);
    if (strcmp(q.state, "approved") != 0 || q.applied_json == NULL)
        return app_err_set(err, APP_ECONFLICT, "request_not_applied", "state %s", q.state);
    core_uni_notice n;
    memset(&n, 0, sizeof(n));
    n.q = &q;
    if (suspend) {
        n.reason_kind = wf_payload_member(op->arena, q.payload_json, "reason_kind");
        n.reason = wf_payload_member(op->arena, q.payload_json, "reason");
        n.from_date = wf_payload_member(op->arena, q.payload_json, "start_date");
        n.until_date = wf_payload_member(op->arena, q.payload_json, "end_date");
    } else {
        const char *cls = wf_payload_member(op->arena, q.payload_json, "to_class");
        n.to_class = cls ? atoll(cls) : 0;
    }
    return core_uni_notice_pdf(db, op, &n, sink, err);
}
