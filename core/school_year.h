/*
 * core/school_year.h - the school calendar (学期学年设置) and the grade a
 * pupil moves up to at promotion (学年升级).
 *
 * A school year is named by the calendar year it starts in: school year
 * 2025 runs from its start (province setting school_year_start, default
 * 09-01) of 2025 to the day before the start of school year 2026. Its
 * first term "2025-1" (autumn) runs from the year's start to the day
 * before the second term's start (setting second_term_start, default
 * 03-01: the first such day after the year's start, so in 2026); its
 * second term "2025-2" runs from then to the year's end.
 *
 * Promotion of school year Y moves pupils from their grades of Y into
 * those of Y + 1. It may run from the second term of Y on, until the end
 * of school year Y + 1, and is revertible until that end as well ("within
 * the year" the pupils were promoted into).
 *
 * Dates are YYYYMMDD integers, month-days MMDD (core/settings.h).
 * Pure: no I/O, no allocation, thread-safe.
 */
#ifndef CORE_SCHOOL_YEAR_H
#define CORE_SCHOOL_YEAR_H

#include "base/err.h"

/* The defaults of the settings school_year_start and second_term_start. */
#define CORE_SCHOOL_YEAR_START 901
#define CORE_SECOND_TERM_START 301

/* Years a calendar answers: 1990..2100. */
#define CORE_SCHOOL_YEAR_MIN 1990
#define CORE_SCHOOL_YEAR_MAX 2100

typedef struct core_school_year {
    int year;                   /* 2025 */
    int start, end;             /* 20250901, 20260831 */
    int term1_start, term1_end; /* 20250901, 20260228 (or 0229) */
    int term2_start, term2_end; /* 20260301, 20260831 */
} core_school_year;

/*
 * 1 if a year start and a second-term start (MMDD, both valid month-days,
 * not 02-29) make a calendar: they differ. Both come from settings that
 * api/ has checked one by one; this checks them together.
 */
int core_calendar_valid(int year_start_mmdd, int term2_mmdd);

/*
 * School year `year` under the two month-days. Returns 0, or -1 when the
 * month-days do not make a calendar (core_calendar_valid) or the year is
 * outside CORE_SCHOOL_YEAR_MIN..MAX (*out untouched).
 */
int core_school_year_get(int year, int year_start_mmdd, int term2_mmdd, core_school_year *out);

/* The school year that contains `ymd`. */
int core_school_year_at(int ymd, int year_start_mmdd);

/*
 * Parse a term "YYYY-1" or "YYYY-2" (exactly six characters) into its school
 * year and number (1 or 2). Returns 0, or -1 (outputs untouched).
 */
int core_term_parse(const char *term, int *out_year, int *out_number);

/*
 * A term a school may check pupils in for (报到注册) on `today`: one of
 * the current school year or the year before (the terms of the calendar).
 * Else APP_EINVAL with slug "term_not_in_calendar" and an item at `field`.
 * A malformed term is the same error.
 */
int core_term_check(const char *term, int today, int year_start_mmdd, int term2_mmdd,
                    const char *field, app_err *err);

/*
 * Promotion of school year `year` on `today`: 0 when due (from the start of
 * its second term to the end of school year year + 1), else APP_ECONFLICT
 * "promotion_not_due". A revert is allowed until the end of school year
 * year + 1: core_promotion_revertible(), "promotion_year_over".
 */
int core_promotion_due(int year, int today, int year_start_mmdd, int term2_mmdd, app_err *err);
int core_promotion_revertible(int year, int today, int year_start_mmdd, int term2_mmdd,
                              app_err *err);

/*
 * The grade a pupil of `grade` moves up to in a school of `system` ("63"
 * 六三制 or "54" 五四制; anything else counts as "63"):
 *   "63": 11->12 .. 15->16, 16 final; 21->22, 22->23, 23 final
 *   "54": 11->12 .. 14->15, 15 final; 21->22 .. 23->24, 24 final
 *   both: 31->32, 32->33, 33 final
 * Returns the next grade, 0 for the final grade of its stage, -1 for a
 * grade the system does not have (16 in "54", 24 in "63", not a grade).
 */
int core_grade_promoted(const char *system, int grade);

#endif
