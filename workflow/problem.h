/*
 * workflow/problem.h - problem records (问题学籍, DOMAIN rule 24) as their
 * users see them, and the evidence files that requests and problem
 * resolutions name (DOMAIN rule 19). Adding evidence to a problem and
 * resolving one are in workflow/wf.h (wf_problem_add_evidence,
 * wf_request_start with type problem_resolution).
 */
#ifndef WORKFLOW_PROBLEM_H
#define WORKFLOW_PROBLEM_H

#include "workflow/wf.h"

/*
 * The problem records the actor may see, ascending id after `after`, at
 * most `limit` (state "open", "resolved" or NULL for both): a school's
 * registrar those of its school, a bureau those under it, the ministry all.
 * Into op->arena. APP_EFORBIDDEN forbidden for a school user who is not
 * the registrar.
 */
int wf_problem_list(db_conn *db, const core_op *op, const char *state, long long after, int limit,
                    db_problem **out, int *out_n, app_err *err);

/*
 * Store an evidence file of the actor's org: `data` (already checked to be
 * JPEG, PNG or PDF, `mime`) is sealed under the data key
 * (docs/decisions/0013); the row and its audit row commit together.
 * *out_id: the new file's id. APP_ETOOLARGE when it cannot be sealed.
 */
int wf_evidence_upload(db_conn *db, const core_op *op, const char *mime, const unsigned char *data,
                       size_t len, long long *out_id, app_err *err);

#endif
