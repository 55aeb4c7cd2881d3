/*
 * core/calendar.c - today and working days (see core/calendar.h).
 */
#include "core/calendar.h"

#include "core/settings.h"

#include <time.h>

int
core_today(void)
{
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int
core_add_working_days(int from, int n, const int *holidays, int nholidays)
{
    long z = core_days_of(from);
    while (n > 0) {
        z++;
        int wd = (int)((z + 4) % 7); /* 1970-01-01 was a Thursday: 0 = Sunday */
        if (wd == 0 || wd == 6)
            continue;
        int ymd = core_ymd_of_days(z), holiday = 0;
        for (int i = 0; i < nholidays; i++)
            holiday |= holidays[i] == ymd;
        if (!holiday)
            n--;
    }
    return core_ymd_of_days(z);
}
