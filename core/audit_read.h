/*
 * core/audit_read.h - reading the audit trail (GET /audit, API.md "Sync,
 * audit, operations"): who did what, newest first, within the reader's
 * scope, with personal numbers masked. core/audit.h writes the rows; the
 * sealer seals them; this module only reads.
 *
 * Scope (by the org that wrote the row, audit.actor_org):
 *   ministry             every row, the system's included;
 *   province             rows written by an org within its region: its own
 *                        bureau, its cities' and counties', its service
 *                        clients', and the schools whose competent authority
 *                        lies within it (school table);
 *   city, county         rows written by their own org only;
 *   school registrar     rows written by its school only;
 *   grade leader, head teacher: 403 forbidden (narrower than a school).
 * A service client reads as its level (province), like the other reads.
 *
 * The rows are db/audit_read.h's db_audit_row, handed back through this
 * header; they live in op->arena.
 */
#ifndef CORE_AUDIT_READ_H
#define CORE_AUDIT_READ_H

#include "base/err.h"
#include "core/op.h"
#include "db/audit_read.h"
#include "db/db.h"

#include <stddef.h>

typedef struct core_audit_filter {
    long long before;    /* the cursor: ids below this; 0 from the newest */
    long long actor_id;  /* 0: any; else the user id (as /users/{id}) */
    const char *student; /* NULL: any; the record id or a student number: rows
                            whose target is that student or one of its
                            requests (registration, transfers, batches) */
    const char *action;  /* NULL: any; e.g. "student.register" */
    int has_from, has_to;
    long long from, to; /* Unix seconds: at >= from, at < to */
    int limit;          /* 1..500 */
} core_audit_filter;

typedef struct core_audit_page {
    db_audit_row *items;
    int n;
    int more; /* 1: there are older rows; the cursor is items[n - 1].id */
} core_audit_page;

/*
 * One page of the rows `f` selects within the actor's scope. A student key
 * that names no record gives an empty page (never 404: the rows shown are
 * the reader's own org's or region's, whoever the student is).
 * APP_EFORBIDDEN forbidden: a school user other than the registrar, or an
 * actor whose level contradicts its org. APP_EUNAVAIL, APP_EINTERNAL from db/.
 */
int core_audit_list(db_conn *db, const core_op *op, const core_audit_filter *f,
                    core_audit_page *out, app_err *err);

/*
 * A time bound of ?from= / ?to=: "YYYY-MM-DD" (a day in China Standard
 * Time, UTC+8) or an RFC 3339 date-time "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)"
 * (a blank may stand for the '+' of the offset: it is how '+' arrives in an
 * undecoded query). Seconds are whole (a fraction is dropped). `upper` 0:
 * the first second the bound covers; 1: the first second after it (the day
 * after a date, the second after a date-time), so that `to` includes the
 * day or second it names. Returns 0 with *out (Unix seconds), or -1 when
 * `s` is neither form or names no real date or time (years 1970-9999).
 * Pure.
 */
int core_audit_time_parse(const char *s, int upper, long long *out);

/*
 * Masking of a value of an audit row's detail (DOMAIN rule 27): a member
 * named id_number, phone or student_number, or any string that is a GB
 * 11643 ID number or a G student number whatever its name, is written
 * masked (core/mask.h) to `out` and 1 returned; anything else: 0 and
 * `out` untouched. `key` may be NULL (an array element). Pure.
 */
int core_audit_mask_value(const char *key, const char *value, char *out, size_t cap);

#endif
