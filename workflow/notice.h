/*
 * workflow/notice.h - GET /requests/{id}/notice.pdf: the notice an applied
 * university status change issues (issue 16): the 休学通知单 of a
 * uni_suspend request, the 调整年级通知单 of a cohort_change
 * (core/uni_notice.h draws them).
 */
#ifndef WORKFLOW_NOTICE_H
#define WORKFLOW_NOTICE_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "formats/sink.h"

/*
 * The notice of request `id` to `sink`, for an actor who may read the
 * request (wf_request_get's rule: the student their own, the university's
 * offices that see it, the bureaus above the university). Errors, in
 * order: APP_ENOTFOUND request_not_found; APP_ECONFLICT
 * request_has_no_notice (a type that issues none), request_not_applied
 * (not approved, or reverted); then core_uni_notice_pdf's.
 */
int wf_request_notice(db_conn *db, const core_op *op, long long id, fmt_sink sink, app_err *err);

#endif
