/*
 * core/uni_calendar.c - teaching weeks and the terms of a university
 * (core/uni_calendar.h).
 */
#include "core/uni_calendar.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/uni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days since 1970-01-01 of YYYYMMDD `d` (proleptic Gregorian); -1 when `d`
   is no date. */
static long
days_of(int d)
{
    int y = d / 10000, m = d / 100 % 100, day = d % 100;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d <= 0 || y < 1900 || y > 9999 || m < 1 || m > 12 || day < 1 ||
        day > mdays[m - 1] + (m == 2 && leap))
        return -1;
    /* days from civil (H. Hinnant's algorithm) */
    y -= m <= 2;
    long era = y / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int
core_teaching_week(int first_day, int date)
{
    long f = days_of(first_day), d = days_of(date);
    if (f < 0 || d < 0)
        return -1;
    if (d < f)
        return 0;
    /* 1970-01-01 was a Thursday: the Monday of day n is n - (n + 3) % 7 */
    long monday = f - (f + 3) % 7;
    return (int)((d - monday) / 7) + 1;
}

int
core_uni_term_valid(const char *term)
{
    if (term == NULL || strlen(term) != 6 || term[4] != '-' || (term[5] != '1' && term[5] != '2'))
        return 0;
    for (int i = 0; i < 4; i++)
        if (term[i] < '0' || term[i] > '9')
            return 0;
    int y = atoi(term);
    return y >= 1950 && y <= 2200;
}

/* Autumn terms start in August..October of YYYY, spring terms in
   February..April of YYYY+1. */
static int
first_day_fits(const char *term, int first_day)
{
    int y = atoi(term), fy = first_day / 10000, fm = first_day / 100 % 100;
    if (days_of(first_day) < 0)
        return 0;
    if (term[5] == '1')
        return fy == y && fm >= 8 && fm <= 10;
    return fy == y + 1 && fm >= 2 && fm <= 4;
}

int
core_uni_term_list(db_conn *db, const core_op *op, const char *code, db_uni_term **out, int *out_n,
                   app_err *err)
{
    db_school sc;
    int rc = core_uni_visible(db, op, code, &sc, err);
    return rc ? rc : db_uni_term_list(db, sc.code, op->arena, out, out_n, err);
}

static int
term_checks(const char *term, int first_day, int weeks, app_err *err)
{
    if (!core_uni_term_valid(term)) {
        app_err_field(err, "/path/term");
        return app_err_set(err, APP_EINVAL, "invalid_term", NULL);
    }
    if (!first_day_fits(term, first_day)) {
        app_err_field(err, "/first_day");
        return app_err_set(err, APP_EINVAL, "invalid_date", NULL);
    }
    if (weeks < 1 || weeks > 30) {
        app_err_field(err, "/weeks");
        return app_err_set(err, APP_EINVAL, "invalid_weeks", NULL);
    }
    return 0;
}

int
core_uni_term_set(db_conn *db, const core_op *op, const char *code, const char *term, int first_day,
                  int weeks, db_uni_term *out, app_err *err)
{
    db_school sc;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    if ((rc = core_uni_visible(db, op, code, &sc, err)) != 0)
        goto fail;
    if (!core_uni_actor_holds(op->actor, sc.code, CORE_STAFF_REGISTRAR_SECTION, 0)) {
        rc = app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL);
        goto fail;
    }
    if ((rc = term_checks(term, first_day, weeks, err)) != 0)
        goto fail;
    db_uni_term t = {.first_day = first_day, .weeks = weeks};
    memcpy(t.school, sc.code, sizeof(t.school));
    snprintf(t.term, sizeof(t.term), "%s", term);
    if ((rc = db_uni_term_put(db, &t, op->actor->user_id, op->arena, out, err)) != 0)
        goto fail;
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "term", out->term);
    jw_int(&w, "first_day", out->first_day);
    jw_int(&w, "weeks", out->weeks);
    jw_int(&w, "version", out->version);
    jw_end(&w);
    const char *target = app_arena_printf(op->arena, "%s/%s", sc.code, out->term);
    if ((rc = core_audit(db, op, "uni_term_set", "uni_term", target, jw_text(&w, NULL), err)) !=
            0 ||
        (rc = db_commit(db, err)) != 0)
        goto fail;
    return 0;
fail:
    db_rollback(db);
    return rc;
}

int
core_uni_term_at_tx(db_conn *db, const core_op *op, const char *school, int date, db_uni_term *out,
                    int *out_week, int *out_found, app_err *err)
{
    db_uni_term *v = NULL;
    int n = 0;
    int rc = db_uni_term_list(db, school, op->arena, &v, &n, err);
    *out_found = 0;
    *out_week = 0;
    if (rc != 0)
        return rc;
    /* terms are ordered by term, which is the order of their first days */
    for (int i = n - 1; i >= 0; i--)
        if (v[i].first_day <= date) {
            *out = v[i];
            *out_week = core_teaching_week(v[i].first_day, date);
            *out_found = 1;
            break;
        }
    return 0;
}
