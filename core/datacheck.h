/*
 * core/datacheck.h - the semester data check (数据质量核查, 教基一厅〔2015〕2号;
 * issue #15, docs/decisions/0031): each term a school reviews its active
 * students (enrolled and suspended) for
 *   missing_fields  a required field empty: the required_fields setting
 *                   that governs the school (core/record.c's catalog names
 *                   the columns; id_type/id_number are exempt as in
 *                   validation, "family" is member 1's name, relation,
 *                   phone and guardian)
 *   duplicate       an open problem record of kind duplicate_id or
 *                   suspected_duplicate on either side (core/problem.c)
 *   no_photo        no photo stored (core/photo.c)
 *   not_checked_in  enrolled and not checked in for the term (core/checkin.c)
 * fixes them, and signs off; then its competent authority signs off the
 * school. All counting is one set-based pass in SQL (db/datacheck.h).
 *
 * Sign-offs are idempotent: a second one for the same school, term and
 * level finds the first and changes nothing (no new audit row). A
 * sign-off does not require zero issues: the school's records the counts
 * as they were (`counts`), so the authority sees what was signed.
 *
 * Errors besides those listed: APP_EUNAVAIL, APP_ERETRY, APP_EINTERNAL from
 * db/. Every function is called with no transaction open on `db`.
 */
#ifndef CORE_DATACHECK_H
#define CORE_DATACHECK_H

#include "base/err.h"
#include "core/op.h"
#include "db/datacheck.h"
#include "db/db.h"

/* Issue kinds (bits of db_dc_item.issues) and their names in the API. */
#define CORE_DC_ALL (DB_DC_MISSING | DB_DC_DUPLICATE | DB_DC_NO_PHOTO | DB_DC_NOT_IN)
/* The bit of issue name p[0..len) ("missing_fields", "duplicate", "no_photo",
   "not_checked_in"), or 0. */
unsigned core_datacheck_issue(const char *p, size_t len);
/* The name of one issue bit; NULL for others. Static. */
const char *core_datacheck_issue_name(unsigned bit);

/* 1 if `t` is a term "YYYY-1" (autumn) or "YYYY-2" (spring), years 1900-2999. */
int core_term_valid(const char *t);

typedef struct core_datacheck {
    db_dc_counts counts;     /* counts.field_index: catalog indexes (core_fields[]) */
    db_dc_item *items;       /* a page of students with the wanted issues, by id */
    int nitems, more;        /* more: there is a next page after the last item */
    db_dc_signoff *signoff;  /* the school's sign-off of the term, or NULL */
    db_dc_signoff *approval; /* its authority's, or NULL */
} core_datacheck;

/*
 * GET /schools/{code}/data-check: the counts, and up to `limit` students
 * with any issue of `want` (CORE_DC_* bits) after id `after`. Who: a bureau
 * over the school, the school's registrar. APP_ENOTFOUND school_not_found
 * (not seen); APP_EFORBIDDEN forbidden (school staff other than the
 * registrar).
 */
int core_datacheck_get(db_conn *db, const core_op *op, const char *school, const char *term,
                       unsigned want, long long after, int limit, core_datacheck *out,
                       app_err *err);

/*
 * POST /schools/{code}/data-check/sign-off: the school's registrar signs
 * off the term. *out_new = 1 when this call signed (audit row
 * "data_check.sign_off" with the counts), 0 when it had been signed
 * (*out is the earlier sign-off). APP_ENOTFOUND school_not_found;
 * APP_EFORBIDDEN forbidden (a bureau, other staff); APP_ESTATE
 * school_closed.
 */
int core_datacheck_sign_school(db_conn *db, const core_op *op, const char *school, const char *term,
                               db_dc_signoff *out, int *out_new, app_err *err);

/*
 * POST /regions/{code}/data-check/sign-off: the bureau of region `region`
 * (the actor's org must be that region) signs off, as competent authority,
 * every open school it governs directly (authority = region) that has
 * signed off itself; schools still to sign are counted in out->pending.
 * Audit row "data_check.approve" when any school was signed now.
 * APP_EFORBIDDEN forbidden: a school user, or a bureau above or beside the
 * region's own (the wrong level); APP_ENOTFOUND region_not_found: no such
 * region, or one the bureau does not see.
 */
int core_datacheck_sign_region(db_conn *db, const core_op *op, const char *region, const char *term,
                               db_dc_authority_result *out, app_err *err);

/*
 * GET /regions/{code}/data-check: every open school whose competent
 * authority lies within `region`, with both sign-offs of the term, by code
 * after `after` ("" from the start), `missing` as db_dc_region_query. Who: a
 * bureau that sees the region (APP_ENOTFOUND region_not_found otherwise);
 * school users APP_EFORBIDDEN forbidden.
 */
int core_datacheck_region(db_conn *db, const core_op *op, const char *region, const char *term,
                          int missing, const char *after, int limit,
                          db_dc_region_counts *out_counts, db_dc_school_row **out, int *out_n,
                          int *out_more, app_err *err);

#endif
