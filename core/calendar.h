/*
 * core/calendar.h - the date of today in China and working days (deadlines
 * of workflow steps, DOMAIN rule 14). Dates are YYYYMMDD integers.
 *
 * Pure apart from reading the clock; no allocation, no errors.
 */
#ifndef CORE_CALENDAR_H
#define CORE_CALENDAR_H

/* Today's date in China (UTC+8) as YYYYMMDD. */
int core_today(void);

/* Add `n` working days (weekends and `holidays`, YYYYMMDD each, skipped) to
   YYYYMMDD `from`; the result is a working day (n > 0) or `from` (n <= 0). */
int core_add_working_days(int from, int n, const int *holidays, int nholidays);

#endif
