/*
 * core/school_year.c - school years, terms and the grade after promotion
 * (see core/school_year.h).
 */
#include "core/school_year.h"

#include "core/settings.h"

#include <string.h>

static int
day_before(int ymd)
{
    return core_ymd_of_days(core_days_of(ymd) - 1);
}

int
core_calendar_valid(int year_start_mmdd, int term2_mmdd)
{
    if (year_start_mmdd < 101 || year_start_mmdd > 1231 || term2_mmdd < 101 || term2_mmdd > 1231)
        return 0;
    return year_start_mmdd != term2_mmdd;
}

int
core_school_year_get(int year, int year_start_mmdd, int term2_mmdd, core_school_year *out)
{
    if (!core_calendar_valid(year_start_mmdd, term2_mmdd) || year < CORE_SCHOOL_YEAR_MIN ||
        year > CORE_SCHOOL_YEAR_MAX)
        return -1;
    core_school_year y;
    y.year = year;
    y.start = year * 10000 + year_start_mmdd;
    y.end = day_before((year + 1) * 10000 + year_start_mmdd);
    /* the first second-term day after the year's start */
    int t2year = term2_mmdd > year_start_mmdd ? year : year + 1;
    y.term1_start = y.start;
    y.term2_start = t2year * 10000 + term2_mmdd;
    y.term1_end = day_before(y.term2_start);
    y.term2_end = y.end;
    *out = y;
    return 0;
}

int
core_school_year_at(int ymd, int year_start_mmdd)
{
    int y = ymd / 10000;
    return ymd % 10000 >= year_start_mmdd ? y : y - 1;
}

int
core_term_parse(const char *term, int *out_year, int *out_number)
{
    if (term == NULL || strnlen(term, 7) != 6 || term[4] != '-' ||
        (term[5] != '1' && term[5] != '2'))
        return -1;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (term[i] < '0' || term[i] > '9')
            return -1;
        y = y * 10 + (term[i] - '0');
    }
    *out_year = y;
    *out_number = term[5] - '0';
    return 0;
}

int
core_term_check(const char *term, int today, int year_start_mmdd, int term2_mmdd, const char *field,
                app_err *err)
{
    int year, n;
    core_school_year y;
    (void)term2_mmdd;
    int current = core_school_year_at(today, year_start_mmdd);
    if (core_term_parse(term, &year, &n) == 0 && year >= current - 1 && year <= current &&
        core_school_year_get(year, year_start_mmdd, term2_mmdd, &y) == 0)
        return 0;
    app_err_set(err, APP_EINVAL, "term_not_in_calendar", "term %s on %d", term ? term : "", today);
    app_err_add(err, field, "term_not_in_calendar", NULL);
    return APP_EINVAL;
}

int
core_promotion_due(int year, int today, int year_start_mmdd, int term2_mmdd, app_err *err)
{
    core_school_year y, next;
    if (core_school_year_get(year, year_start_mmdd, term2_mmdd, &y) == 0 &&
        core_school_year_get(year + 1, year_start_mmdd, term2_mmdd, &next) == 0 &&
        y.term2_start <= today && today <= next.end)
        return 0;
    return app_err_set(err, APP_ECONFLICT, "promotion_not_due", "promotion of school year %d on %d",
                       year, today);
}

int
core_promotion_revertible(int year, int today, int year_start_mmdd, int term2_mmdd, app_err *err)
{
    core_school_year next = {0};
    if (core_school_year_get(year + 1, year_start_mmdd, term2_mmdd, &next) == 0 &&
        today <= next.end)
        return 0;
    return app_err_set(err, APP_ECONFLICT, "promotion_year_over", "school year %d ended on %d",
                       year + 1, next.end);
}

int
core_grade_promoted(const char *system, int grade)
{
    int five_four = system != NULL && strcmp(system, "54") == 0;
    int primary_last = five_four ? 15 : 16, junior_last = five_four ? 24 : 23;
    if (grade >= 11 && grade <= primary_last)
        return grade == primary_last ? 0 : grade + 1;
    if (grade >= 21 && grade <= junior_last)
        return grade == junior_last ? 0 : grade + 1;
    if (grade >= 31 && grade <= 33)
        return grade == 33 ? 0 : grade + 1;
    return -1;
}
