/*
 * core/calendar_op.c - a region's school calendar (see core/calendar_op.h).
 */
#include "core/calendar_op.h"

#include "core/settings_op.h"
#include "db/settings.h"

#include <string.h>

static void
month_days(const db_settings *s, int *out_year_start, int *out_term2)
{
    *out_year_start = s->school_year_start;
    *out_term2 = s->second_term_start;
    if (!core_calendar_valid(*out_year_start, *out_term2)) {
        *out_year_start = CORE_SCHOOL_YEAR_START;
        *out_term2 = CORE_SECOND_TERM_START;
    }
}

int
core_calendar_get(db_conn *db, const core_op *op, const char *code, int year, core_calendar *out,
                  app_err *err)
{
    db_settings s;
    memset(out, 0, sizeof(*out));
    int rc = core_settings_effective_of(db, op, code, &s, err);
    if (rc != 0)
        return rc;
    month_days(&s, &out->year_start_mmdd, &out->term2_mmdd);
    out->current_year = core_school_year_at(op->today, out->year_start_mmdd);
    if (year == 0)
        year = out->current_year;
    if (core_school_year_get(year, out->year_start_mmdd, out->term2_mmdd, &out->year) != 0) {
        app_err_add(err, "/year", "invalid_year", NULL);
        return app_err_set(err, APP_EINVAL, "invalid_year", "school year %d", year);
    }
    if (op->today >= out->year.term1_start && op->today <= out->year.term1_end)
        out->current_term = 1;
    else if (op->today >= out->year.term2_start && op->today <= out->year.term2_end)
        out->current_term = 2;
    return 0;
}

int
core_calendar_of_school(db_conn *db, const core_op *op, const char *school, int *out_year_start,
                        int *out_term2, app_err *err)
{
    db_settings s;
    int rc = db_settings_for_school(db, school, op->arena, &s, err);
    if (rc != 0)
        return rc;
    month_days(&s, out_year_start, out_term2);
    return 0;
}
