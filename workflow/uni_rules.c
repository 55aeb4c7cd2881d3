/*
 * workflow/uni_rules.c - the pure rules of a university's status changes:
 * dates, the major transfer's and the resumption's windows in the teaching
 * calendar, the suspension limits (see workflow/uni.h, docs/decisions/0033).
 */
#include "workflow/uni.h"

#include <string.h>

/* Days from civil date (Howard Hinnant's algorithm, proleptic Gregorian). */
long
wf_uni_days(int d)
{
    long y = d / 10000, m = d / 100 % 100, day = d % 100;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int
wf_uni_date(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    return (int)(y * 10000 + m * 100 + d);
}

int
wf_uni_transfer_window(const int *starts, int n, int cohort, int today)
{
    int from = cohort * 10000 + 801, until = (cohort + 1) * 10000 + 731, k = 0;
    for (int i = 0; i < n; i++) {
        if (starts[i] < from || starts[i] > until)
            continue;
        if (++k == 2) {
            /* week 1: Monday to Sunday of the week of the first teaching day
               (docs/decisions/0032); 1970-01-01 was a Thursday */
            long t = wf_uni_days(today), s = wf_uni_days(starts[i]);
            long monday = s - ((s % 7 + 10) % 7);
            return t >= monday && t <= monday + 6;
        }
    }
    return 0; /* the calendar has no second term for that year */
}

int
wf_uni_resume_window(const int *starts, int n, int end, int today)
{
    long open = wf_uni_days(end) - 30, t = wf_uni_days(today);
    if (t < open)
        return 0;
    for (int i = 0; i < n; i++)
        if (wf_uni_days(starts[i]) >= open)
            return t < wf_uni_days(starts[i]);
    return 1;
}

int
wf_uni_years_back(int start, int end)
{
    long days = wf_uni_days(end) - wf_uni_days(start);
    int years = (int)((days + 364) / 365);
    return years < 1 ? 1 : years;
}

/* The latest day a suspension of `kind` starting on `start` may end: one
   year; illness and military service two. */
static long
longest_end(const char *kind, int start)
{
    int years = strcmp(kind, "personal") == 0 ? 1 : 2;
    return wf_uni_days(start + years * 10000);
}

const char *
wf_uni_suspension_check(const char *kind, int start, int end, const char *const *past_kinds,
                        const int *past_starts, const int *past_ends, int n)
{
    if (wf_uni_days(end) > longest_end(kind, start))
        return "suspension_too_long";
    if (strcmp(kind, "military") == 0)
        return NULL; /* service counts apart: status kept until a year after discharge */
    int times = 1;
    long days = wf_uni_days(end) - wf_uni_days(start);
    for (int i = 0; i < n; i++) {
        if (strcmp(past_kinds[i], "military") == 0)
            continue;
        times++;
        days += wf_uni_days(past_ends[i]) - wf_uni_days(past_starts[i]);
    }
    if (times > 2 || days > 731)
        return "suspension_limit_reached";
    return NULL;
}
