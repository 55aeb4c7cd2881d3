/*
 * core/confirmation.h - parent confirmations (家长确认, issue #15): the school
 * records, term by term, that the information sheet it printed
 * (core/infosheet.h) came back signed, with the date the parents signed and
 * optionally the scan as evidence (files of POST /files); and a report of
 * the enrolled pupils per class with and without one.
 */
#ifndef CORE_CONFIRMATION_H
#define CORE_CONFIRMATION_H

#include "base/err.h"
#include "core/op.h"
#include "db/confirmation.h"
#include "db/db.h"

/* What the school records. Borrowed. */
typedef struct core_confirmation_in {
    const char *term;      /* "YYYY-1" / "YYYY-2" (checked by the caller) */
    const char *signed_on; /* YYYY-MM-DD */
    const long long *evidence;
    int nevidence; /* 0..10 */
} core_confirmation_in;

/*
 * Record the confirmation of student `key` (id or student number) for
 * in->term, in one transaction with its audit entry ("student.confirmation")
 * and change-feed event ("student.confirmed"). A school user who sees the
 * pupil at the own school records it (a head teacher for the own class);
 * a bureau that sees the pupil: APP_EFORBIDDEN forbidden. Errors:
 * student_not_found (404, also for a bureau that does not see the pupil);
 * invalid_date at /date (format, future: after today) and file_not_found at
 * /evidence (not a file of the actor's school) as items of APP_EINVAL;
 * student_not_enrolled (422); already_confirmed (409) when the pupil has one
 * for the term. *out: strings in op->arena.
 */
int core_confirmation_record(db_conn *db, const core_op *op, const char *key,
                             const core_confirmation_in *in, db_confirmation *out, app_err *err);

/*
 * The report of `school` for `term`: per class with enrolled pupils, how
 * many and how many are confirmed (rows in op->arena). A school the actor
 * does not see: APP_ENOTFOUND school_not_found. Read only, not audited
 * (counts, no personal data).
 */
int core_confirmation_report(db_conn *db, const core_op *op, const char *school, const char *term,
                             db_confirmation_count **out, int *out_n, app_err *err);

#endif
