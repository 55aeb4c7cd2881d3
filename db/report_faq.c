/*
 * db/report_faq.c - the FAQ's statistics (see db/report_faq.h).
 */
#include "db/report_faq.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void add(char *q, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
add(char *q, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(q);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q + n, cap - n, fmt, ap);
    va_end(ap);
}

/* The WHERE conditions of `f` (enrolled students) into q, parameters into p. */
static int
where(char *q, size_t cap, const db_report_filter *f, const char **p, int np)
{
    add(q, cap, " FROM student s JOIN school sc ON sc.code = s.school WHERE s.state = 'enrolled'");
    if (f->school) {
        p[np++] = f->school;
        add(q, cap, " AND s.school = $%d", np);
    }
    if (f->authority_like) {
        p[np++] = f->authority_like;
        add(q, cap, " AND sc.authority LIKE $%d", np);
    }
    if (f->county_like) {
        p[np++] = f->county_like;
        add(q, cap, " AND sc.county LIKE $%d", np);
    }
    return np;
}

/* Run q with a LIMIT of max_rows + 1 appended; *out_n rows kept. */
static int
run(db_conn *c, char *q, size_t cap, const char **p, int np, int max_rows, db_res **r, int *out_n,
    int *out_more, app_err *err)
{
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", max_rows + 1);
    p[np++] = lim;
    add(q, cap, " LIMIT $%d", np);
    int rc = db_exec_once(c, q, np, p, r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(*r);
    *out_more = n > max_rows;
    *out_n = n > max_rows ? max_rows : n;
    return 0;
}

int
db_report_school_stats(db_conn *c, const db_report_filter *f, db_stats_depth depth, int max_rows,
                       app_arena *a, db_stats_row **out, int *out_n, int *out_more, app_err *err)
{
    if (depth < DB_STATS_SCHOOL || depth > DB_STATS_CLASS || max_rows < 1)
        return app_err_set(err, APP_EINVAL, NULL, "school statistics: depth %d", (int)depth);
    static const char *const groups[] = {"", "s.school", "s.school, s.grade",
                                         "s.school, s.grade, s.class_no"};
    char q[2048];
    snprintf(q, sizeof(q),
             "SELECT s.school, min(sc.name), %s, %s, count(*),"
             " count(*) FILTER (WHERE s.gender = '1'), count(*) FILTER (WHERE s.gender = '2'),"
             " count(*) FILTER (WHERE s.study_mode = '2'),"
             " count(*) FILTER (WHERE s.left_behind IN ('1', '2')),"
             " count(*) FILTER (WHERE s.migrant_child = '1')",
             depth >= DB_STATS_GRADE ? "s.grade" : "0",
             depth >= DB_STATS_CLASS ? "s.class_no" : "0");
    const char *p[8];
    int np = where(q, sizeof(q), f, p, 0);
    add(q, sizeof(q), " GROUP BY %s ORDER BY %s", groups[depth], groups[depth]);
    db_res *r = NULL;
    int n = 0;
    int rc = run(c, q, sizeof(q), p, np, max_rows, &r, &n, out_more, err);
    if (rc != 0)
        return rc;
    *out = app_arena_alloc(a, sizeof(db_stats_row) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        db_stats_row *row = &(*out)[i];
        snprintf(row->school, sizeof(row->school), "%s", db_res_get(r, i, 0));
        row->school_name = app_arena_strdup(a, db_res_get(r, i, 1));
        row->grade = (int)db_res_int(r, i, 2);
        row->class_no = (int)db_res_int(r, i, 3);
        long long *v[] = {&row->total,    &row->male,        &row->female,
                          &row->boarders, &row->left_behind, &row->migrant};
        for (int k = 0; k < 6; k++)
            *v[k] = db_res_int(r, i, 4 + k);
    }
    *out_n = n;
    db_res_free(r);
    return 0;
}

int
db_report_nonlocal(db_conn *c, const db_report_filter *f, int grade_lo, int grade_hi, int max_rows,
                   app_arena *a, db_nonlocal_row **out, int *out_n, int *out_more, app_err *err)
{
    if (max_rows < 1)
        return app_err_set(err, APP_EINVAL, NULL, "non-local report: max_rows");
    /* h: the household registration's county part, NULL when none is recorded */
    char q[2048] =
        "SELECT school, min(name), min(county), count(*),"
        " count(*) FILTER (WHERE h = county),"
        " count(*) FILTER (WHERE h <> county AND left(h, 4) = left(county, 4)),"
        " count(*) FILTER (WHERE left(h, 4) <> left(county, 4) AND left(h, 2) = left(county, 2)),"
        " count(*) FILTER (WHERE left(h, 2) <> left(county, 2)),"
        " count(*) FILTER (WHERE h IS NULL)"
        " FROM (SELECT s.school, sc.name, sc.county::text AS county,"
        " nullif(left(coalesce(s.hukou_region, ''), 6), '') AS h";
    const char *p[8];
    char lo[8], hi[8];
    snprintf(lo, sizeof(lo), "%d", grade_lo);
    snprintf(hi, sizeof(hi), "%d", grade_hi);
    int np = where(q, sizeof(q), f, p, 0);
    p[np++] = lo;
    p[np++] = hi;
    add(q, sizeof(q), " AND s.grade BETWEEN $%d AND $%d) t GROUP BY school ORDER BY school", np - 1,
        np);
    db_res *r = NULL;
    int n = 0;
    int rc = run(c, q, sizeof(q), p, np, max_rows, &r, &n, out_more, err);
    if (rc != 0)
        return rc;
    *out = app_arena_alloc(a, sizeof(db_nonlocal_row) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        db_nonlocal_row *row = &(*out)[i];
        snprintf(row->school, sizeof(row->school), "%s", db_res_get(r, i, 0));
        row->school_name = app_arena_strdup(a, db_res_get(r, i, 1));
        snprintf(row->county, sizeof(row->county), "%s", db_res_get(r, i, 2));
        long long *v[] = {&row->total,      &row->local,          &row->other_county,
                          &row->other_city, &row->other_province, &row->unknown};
        for (int k = 0; k < 6; k++)
            *v[k] = db_res_int(r, i, 3 + k);
    }
    *out_n = n;
    db_res_free(r);
    return 0;
}
