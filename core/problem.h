/*
 * core/problem.h - problem records (DOMAIN rule 24): a suspected duplicate,
 * a failed identity check or a conflict found later blocks the student's
 * approvals and edits until an authority resolves it.
 */
#ifndef CORE_PROBLEM_H
#define CORE_PROBLEM_H

#include "base/err.h"
#include "db/db.h"

/*
 * Open a problem record of `kind` ("suspected_duplicate", "identity_failed",
 * ...) about `student` (and `other`, 0: none) at `school` (`other_school`
 * may be NULL), held by `authority`, in the caller's open transaction.
 * Strings are borrowed. `reason` is stored and shown: no personal number.
 * Returns 0 or the db/ error in *err.
 */
int core_problem_open(db_conn *db, const char *kind, long long student, long long other,
                      const char *school, const char *other_school, const char *authority,
                      const char *reason, app_err *err);

#endif
