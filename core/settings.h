/*
 * core/settings.h - the date rules behind region settings (DOMAIN rules 16,
 * 21 and 32) and the formats their values use.
 *
 * Settings are stored per region as JSON overrides and merged along a
 * region's chain (defaults, then the province, the city, the county: the
 * nearest wins, key by key); db/settings.h does the merge and hands back
 * typed values, which these functions judge. Dates travel as integers:
 * a month-day "MM-DD" as MMDD (831), a date "YYYY-MM-DD" as YYYYMMDD.
 *
 * Pure: no I/O, no allocation, thread-safe.
 */
#ifndef CORE_SETTINGS_H
#define CORE_SETTINGS_H

#include "base/err.h"

#include <stddef.h>

/*
 * Parse "MM-DD" (exactly five characters) into *out_mmdd. February 29 is
 * refused: a yearly cut-off or blackout bound must exist every year.
 * Returns 0, or -1 (*out_mmdd untouched). `s` may be NULL (-1).
 */
int core_mmdd_parse(const char *s, int *out_mmdd);

/*
 * Parse "YYYY-MM-DD" (exactly ten characters, a real date, years 1900-9999)
 * into *out_ymd as YYYYMMDD. Returns 0, or -1 (*out_ymd untouched).
 */
int core_date_parse(const char *s, int *out_ymd);

/*
 * Rule 32, reporting windows: 1 if a school may submit registrations on
 * `today` (YYYYMMDD). A window that is not required is always open. A
 * required one is open only when both bounds are set (non-zero) and
 * from <= today <= until; a required window with no bounds is closed (the
 * authority has opened none yet).
 */
int core_window_open(int required, int from_ymd, int until_ymd, int today_ymd);

/*
 * core_window_open() as an error: 0 when open, else APP_ECONFLICT with slug
 * "window_closed" (409). `err` may be NULL.
 */
int core_window_check(int required, int from_ymd, int until_ymd, int today_ymd, app_err *err);

/*
 * Rule 16, transfer blackout: 1 if `today` (YYYYMMDD) lies in the yearly
 * period [from, until] given as MMDD, both ends included. A period whose
 * `from` is after its `until` wraps over the new year (12-20 .. 01-10).
 * No blackout (either bound 0) gives 0.
 */
int core_blackout_contains(int from_mmdd, int until_mmdd, int today_ymd);

/*
 * Rule 21, entry age: 1 if a pupil born on `birth_ymd` is at least
 * `min_age` years old on the cut-off day `cutoff_mmdd` of `entry_year`
 * (a birthday on the cut-off day counts). A 02-29 birthday falls on 03-01
 * in common years.
 */
int core_entry_age_ok(int birth_ymd, int entry_year, int cutoff_mmdd, int min_age);

/*
 * Day numbers: days since 1970-01-01 of a date YYYYMMDD (proleptic
 * Gregorian), and back. For date arithmetic (deadlines, ranges).
 */
long core_days_of(int ymd);
int core_ymd_of_days(long days);

#endif
