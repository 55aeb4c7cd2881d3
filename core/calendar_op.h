/*
 * core/calendar_op.h - the school calendar of a region (GET
 * /regions/{code}/calendar): the school years and terms that the
 * effective settings school_year_start and second_term_start make
 * (core/school_year.h), read with the inheritance of region settings.
 *
 * Who: whoever may read the region's settings (core/settings_op.h); other
 * regions are APP_ENOTFOUND region_not_found.
 */
#ifndef CORE_CALENDAR_OP_H
#define CORE_CALENDAR_OP_H

#include "base/err.h"
#include "core/op.h"
#include "core/school_year.h"
#include "db/db.h"

typedef struct core_calendar {
    int year_start_mmdd, term2_mmdd; /* the effective settings */
    int current_year;                /* the school year of op->today */
    core_school_year year;           /* the year asked for (current when 0) */
    int current_term;                /* 1 or 2 when op->today lies in `year`, else 0 */
} core_calendar;

/*
 * The calendar of region `code` for school year `year` (0: the current
 * one). A year outside CORE_SCHOOL_YEAR_MIN..MAX: APP_EINVAL invalid_year
 * at /year (query). Effective month-days that do not make a calendar
 * (equal, set at two levels) fall back to the defaults.
 */
int core_calendar_get(db_conn *db, const core_op *op, const char *code, int year,
                      core_calendar *out, app_err *err);

/*
 * The calendar month-days that govern school `school` (those of its
 * competent authority), with the same fallback. No access check: for
 * core/ operations that have made theirs.
 */
int core_calendar_of_school(db_conn *db, const core_op *op, const char *school, int *out_year_start,
                            int *out_term2, app_err *err);

#endif
