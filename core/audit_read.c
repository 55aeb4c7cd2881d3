/*
 * core/audit_read.c - reading the audit trail (see core/audit_read.h).
 */
#include "core/audit_read.h"

#include "core/mask.h"
#include "core/record.h"
#include "core/region.h"
#include "core/student.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ scope */

/* The actor's scope as a query restriction; -1: the actor may not read. */
static int
scope(const core_actor *a, db_audit_query *q, char like[8])
{
    if (a == NULL || core_org_level(a->org) != a->level)
        return -1;
    switch (a->level) {
    case CORE_LEVEL_MINISTRY:
        return 0;
    case CORE_LEVEL_PROVINCE:
        core_region_like(a->org, like);
        q->region_like = like;
        return 0;
    case CORE_LEVEL_CITY:
    case CORE_LEVEL_COUNTY:
        q->org = a->org;
        return 0;
    case CORE_LEVEL_SCHOOL:
        if (a->staff_role != CORE_STAFF_REGISTRAR)
            return -1;
        q->org = a->org;
        return 0;
    default:
        return -1;
    }
}

/* The record id of student key `key`: digits are the id itself; a student
   number is looked up (any state, no visibility check: the rows shown are
   scoped by who wrote them). *out_id 0: no such student. */
static int
student_id(db_conn *db, const core_op *op, const char *key, long long *out_id, app_err *err)
{
    *out_id = 0;
    if (strlen(key) <= 18 && core_all_digits(key)) {
        *out_id = atoll(key);
        return 0;
    }
    db_student s;
    db_school sc;
    app_err e = {0};
    int rc = core_student_load_by_number(db, op, key, DB_STUDENT_LIGHT, &s, &sc, &e);
    if (rc == APP_ENOTFOUND)
        return 0;
    if (rc != 0) {
        *err = e;
        return rc;
    }
    *out_id = s.id;
    return 0;
}

int
core_audit_list(db_conn *db, const core_op *op, const core_audit_filter *f, core_audit_page *out,
                app_err *err)
{
    memset(out, 0, sizeof(*out));
    db_audit_query q = {
        .before = f->before,
        .actor_id = f->actor_id,
        .action = f->action,
        .has_from = f->has_from,
        .has_to = f->has_to,
        .from_epoch = f->from,
        .to_epoch = f->to,
        .limit = f->limit + 1,
    };
    char like[8];
    if (scope(op->actor, &q, like) != 0)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden",
                           "the audit trail is read by bureaus and school registrars");
    if (f->student != NULL) {
        int rc = student_id(db, op, f->student, &q.student_id, err);
        if (rc != 0)
            return rc;
        if (q.student_id <= 0)
            return 0; /* no such student: nothing about it */
    }
    int rc = db_audit_list(db, &q, op->arena, &out->items, &out->n, err);
    if (rc != 0)
        return rc;
    out->more = out->n > f->limit;
    if (out->more)
        out->n = f->limit;
    return 0;
}

/* ------------------------------------------------------------ time bounds */

/* `n` ASCII digits at s as a number, or -1. */
static int
digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), for a valid date. */
static long long
days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = y / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Unix seconds of the date "YYYY-MM-DD" at s at 00:00 UTC, or -1. */
static long long
date_at(const char *s)
{
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (s[4] != '-' || s[7] != '-' || y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap)
        return -1;
    return days_from_civil(y, m, d) * 86400;
}

/* The offset at s ("Z", "+HH:MM", "-HH:MM", " HH:MM") in seconds east of
   UTC, with the rest of the string empty; or -1 (as a flag in *ok). */
static long long
offset_of(const char *s, int *ok)
{
    *ok = 0;
    if ((s[0] == 'Z' || s[0] == 'z') && s[1] == '\0') {
        *ok = 1;
        return 0;
    }
    if ((s[0] != '+' && s[0] != '-' && s[0] != ' ') || strlen(s) != 6 || s[3] != ':')
        return 0;
    int h = digits(s + 1, 2), m = digits(s + 4, 2);
    if (h < 0 || h > 23 || m < 0 || m > 59)
        return 0;
    *ok = 1;
    return (s[0] == '-' ? -1 : 1) * (h * 3600LL + m * 60LL);
}

int
core_audit_time_parse(const char *s, int upper, long long *out)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 10)
        return -1;
    long long day = date_at(s);
    if (day < 0)
        return -1;
    if (n == 10) { /* a day in China Standard Time */
        *out = day - 8 * 3600 + (upper ? 86400 : 0);
        return 0;
    }
    if (n < 20 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
        return -1;
    int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59)
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        const char *q = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == q || p - q > 9)
            return -1;
    }
    int ok = 0;
    long long off = offset_of(p, &ok);
    if (!ok)
        return -1;
    *out = day + h * 3600LL + mi * 60LL + se - off + (upper ? 1 : 0);
    return 0;
}

/* ------------------------------------------------------------ masking */

/* 17 digits and a digit or X: the shape of a GB 11643 number (the check
   digit is not verified: a mistyped number is still a person's). */
static int
id_shaped(const char *v)
{
    if (strlen(v) != 18)
        return 0;
    for (int i = 0; i < 17; i++)
        if (v[i] < '0' || v[i] > '9')
            return 0;
    return (v[17] >= '0' && v[17] <= '9') || v[17] == 'X' || v[17] == 'x';
}

int
core_audit_mask_value(const char *key, const char *value, char *out, size_t cap)
{
    if (value == NULL)
        return 0;
    if (key != NULL && strcmp(key, "id_number") == 0) {
        core_mask_id(value, out, cap);
        return 1;
    }
    if (key != NULL && strcmp(key, "phone") == 0) {
        core_mask_phone(value, out, cap);
        return 1;
    }
    if ((key != NULL && strcmp(key, "student_number") == 0) ||
        ((value[0] == 'G' || value[0] == 'g') && id_shaped(value + 1))) {
        core_mask_stuno(value, out, cap);
        return 1;
    }
    if (id_shaped(value)) {
        core_mask_id(value, out, cap);
        return 1;
    }
    return 0;
}
