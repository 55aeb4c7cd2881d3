/*
 * core/uni_calendar.h - the teaching calendar of a university
 * (docs/decisions/0032, UNIVERSITY.md "teaching weeks"): its terms ("YYYY-1"
 * autumn, "YYYY-2" spring) with their first teaching day, and the teaching
 * week of a date.
 *
 * Week 1 is counted from the first class (L318): it is the calendar week
 * (Monday to Sunday) that holds the term's first teaching day; week n is
 * the (n-1)th week after it. A date before the first teaching day is in
 * week 0 (the term has not begun); a date after the term's last week still
 * counts on (week weeks+1, ...), so that windows past the end are told
 * apart from those before the start. Dates are YYYYMMDD integers.
 *
 * Reading the calendar: whoever sees the university. Setting a term: its
 * registrar section (教务处教务科) only, else APP_EFORBIDDEN forbidden.
 */
#ifndef CORE_UNI_CALENDAR_H
#define CORE_UNI_CALENDAR_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/uni.h"

/* The teaching week of `date` in a term whose first teaching day is
   `first_day` (rules above); 0 before it, -1 when either is no valid date.
   Pure. */
int core_teaching_week(int first_day, int date);

/* 1 if `term` is "YYYY-1" or "YYYY-2" with 1950 <= YYYY <= 2200. Pure. */
int core_uni_term_valid(const char *term);

/* GET /schools/{code}/calendar: the terms, by term. Errors of core/uni.h's
   core_uni_visible. */
int core_uni_term_list(db_conn *db, const core_op *op, const char *code, db_uni_term **out,
                       int *out_n, app_err *err);

/*
 * PUT /schools/{code}/calendar/{term}: set the first teaching day and the
 * number of weeks of a term. Errors after the school's: APP_EFORBIDDEN
 * forbidden (not its registrar section); APP_EINVAL invalid_term
 * (/path/term), invalid_date (/first_day: no date, or not in the term's
 * half year: autumn terms start in August to October of YYYY, spring terms
 * in February to April of YYYY+1), invalid_weeks (/weeks, 1..30). Audit
 * "uni_term_set".
 */
int core_uni_term_set(db_conn *db, const core_op *op, const char *code, const char *term,
                      int first_day, int weeks, db_uni_term *out, app_err *err);

/*
 * The term of university `school` that `date` falls in, in the caller's
 * transaction: the latest term whose first day is not after `date`, with
 * *out_week its teaching week. *out_found 0 when no term has begun.
 */
int core_uni_term_at_tx(db_conn *db, const core_op *op, const char *school, int date,
                        db_uni_term *out, int *out_week, int *out_found, app_err *err);

#endif
