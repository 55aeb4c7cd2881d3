/*
 * core/checkin.h - semester check-ins (学期报到): a school confirms, term by
 * term, which of its enrolled students are present.
 */
#ifndef CORE_CHECKIN_H
#define CORE_CHECKIN_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"

typedef struct core_checkin_result {
    int checked_in, already; /* new check-ins; students checked in before */
    int nerrors;             /* items in *err */
} core_checkin_result;

/*
 * Check in the students `keys` (record ids or student numbers, borrowed) of
 * `school` for `term` ("YYYY-1"/"YYYY-2": a term of the school's calendar,
 * of this school year or the last, else APP_EINVAL
 * term_not_in_calendar at /term, core/school_year.h), in one
 * transaction with its audit entry and event. A school the actor does not
 * see: APP_ENOTFOUND school_not_found; a bureau: APP_EFORBIDDEN. All or
 * nothing: a key that is not an enrolled student of the school the actor
 * sees adds an item "/students/<i>" (student_not_found, student_not_enrolled)
 * to *err, and with any item nothing is written and APP_EINVAL is returned.
 */
int core_checkin(db_conn *db, const core_op *op, const char *school, const char *term,
                 const char *const *keys, int nkeys, core_checkin_result *out, app_err *err);

#endif
