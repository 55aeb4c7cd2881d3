/*
 * workflow/wf.h - the approval engine: requests move step by step through
 * the orgs that hold them, and the last approval applies the effect in the
 * same transaction (DOMAIN §5, rule 17).
 *
 * This first cut knows one type, `registration` (its effect is
 * core_student_apply_registration(); a rejection
 * core_student_reject_registration()), and the actions approve and reject.
 * The tables (request, request_step, request_action) are the engine's final
 * shape, so further types are definitions and effects, not migrations.
 */
#ifndef WORKFLOW_WF_H
#define WORKFLOW_WF_H

#include "core/student.h"

/* A request the actor may see: its school is visible, or the actor's org
   holds one of its steps. Else APP_ENOTFOUND request_not_found. */
int wf_request_get(db_conn *db, const core_op *op, long long id, core_request *out,
                   app_err *err);

/*
 * Act on step `step` of request `id`: "approve" or "reject", with a
 * comment. The step must be the current one (409 step_already_decided) and
 * held by the actor's org (403 not_step_holder). Everything - step, request,
 * effect, action row, audit, event - commits at once or not at all.
 */
int wf_request_act(db_conn *db, const core_op *op, long long id, const char *action, int step,
                   const char *comment, core_request *out, app_err *err);

#endif
