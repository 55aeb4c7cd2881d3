/*
 * core/settings.c - month-days, dates, reporting windows, blackouts, entry age.
 */
#include "core/settings.h"

#include <string.h>

static int
digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int
leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : d[m - 1];
}

int
core_mmdd_parse(const char *s, int *out_mmdd)
{
    int m, d;

    if (s == NULL || strnlen(s, 6) != 5 || s[2] != '-' || digits(s, 2, &m) != 0 ||
        digits(s + 3, 2, &d) != 0)
        return -1;
    /* 2001 is a common year: 02-29 is refused */
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(2001, m))
        return -1;
    *out_mmdd = m * 100 + d;
    return 0;
}

int
core_date_parse(const char *s, int *out_ymd)
{
    int y, m, d;

    if (s == NULL || strnlen(s, 11) != 10 || s[4] != '-' || s[7] != '-' || digits(s, 4, &y) != 0 ||
        digits(s + 5, 2, &m) != 0 || digits(s + 8, 2, &d) != 0)
        return -1;
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    *out_ymd = y * 10000 + m * 100 + d;
    return 0;
}

int
core_window_open(int required, int from_ymd, int until_ymd, int today_ymd)
{
    if (!required)
        return 1;
    if (from_ymd == 0 || until_ymd == 0)
        return 0;
    return from_ymd <= today_ymd && today_ymd <= until_ymd;
}

int
core_window_check(int required, int from_ymd, int until_ymd, int today_ymd, app_err *err)
{
    if (core_window_open(required, from_ymd, until_ymd, today_ymd))
        return 0;
    return app_err_set(err, APP_ECONFLICT, "window_closed",
                       "registration window %d..%d does not contain %d", from_ymd, until_ymd,
                       today_ymd);
}

int
core_blackout_contains(int from_mmdd, int until_mmdd, int today_ymd)
{
    int md = today_ymd % 10000;

    if (from_mmdd == 0 || until_mmdd == 0)
        return 0;
    if (from_mmdd <= until_mmdd)
        return from_mmdd <= md && md <= until_mmdd;
    return md >= from_mmdd || md <= until_mmdd; /* wraps over the new year */
}

int
core_entry_age_ok(int birth_ymd, int entry_year, int cutoff_mmdd, int min_age)
{
    int by = birth_ymd / 10000, bmd = birth_ymd % 10000;

    /* a 02-29 birthday is celebrated on 03-01 in common years */
    if (bmd == 229 && !leap(entry_year))
        bmd = 301;
    int age = entry_year - by - (bmd > cutoff_mmdd ? 1 : 0);
    return age >= min_age;
}

/* ------------------------------------------------------------ day numbers */

long
core_days_of(int ymd)
{
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int
core_ymd_of_days(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    long d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    return (int)((y + (m <= 2)) * 10000 + m * 100 + d);
}
