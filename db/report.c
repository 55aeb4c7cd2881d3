/*
 * db/report.c - counts of students (see db/report.h).
 */
#include "db/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int
plain_name(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 63)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* Append to the statement text (fixed buffer: the shape is bounded). */
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

int
db_report_count(db_conn *c, const db_report_filter *f, const db_report_group *g, int ng,
                int max_rows, app_arena *a, db_report_row **out, int *out_n, int *out_more,
                app_err *err)
{
    if (ng < 0 || ng > DB_REPORT_MAX_GROUPS || max_rows < 1)
        return app_err_set(err, APP_EINVAL, NULL, "report: %d groups", ng);
    char q[4096] = "SELECT ";
    int school_at = -1;
    for (int i = 0; i < ng; i++) {
        switch (g[i].kind) {
        case DB_REPORT_STUDENT:
            if (!plain_name(g[i].column))
                return app_err_set(err, APP_EINVAL, NULL, "report: bad column");
            add(q, sizeof(q), "s.%s::text, ", g[i].column);
            break;
        case DB_REPORT_SCHOOL:
            add(q, sizeof(q), "s.school::text, ");
            school_at = i;
            break;
        case DB_REPORT_COUNTY:
            add(q, sizeof(q), "sc.county::text, ");
            break;
        default:
            return app_err_set(err, APP_EINVAL, NULL, "report: bad group kind");
        }
    }
    /* a school's name is one per code: min() carries it through the grouping */
    add(q, sizeof(q), "%scount(*) FROM student s JOIN school sc ON sc.code = s.school WHERE true",
        school_at >= 0 ? "min(sc.name), " : "");
    const char *p[8];
    int np = 0;
    if (f->state) {
        p[np++] = f->state;
        add(q, sizeof(q), " AND s.state = $%d", np);
    }
    if (f->school) {
        p[np++] = f->school;
        add(q, sizeof(q), " AND s.school = $%d", np);
    }
    if (f->authority_like) {
        p[np++] = f->authority_like;
        add(q, sizeof(q), " AND sc.authority LIKE $%d", np);
    }
    if (f->county_like) {
        p[np++] = f->county_like;
        add(q, sizeof(q), " AND sc.county LIKE $%d", np);
    }
    for (int i = 0; i < ng; i++)
        add(q, sizeof(q), "%s%d", i ? ", " : " GROUP BY ", i + 1);
    for (int i = 0; i < ng; i++)
        add(q, sizeof(q), "%s%d NULLS LAST", i ? ", " : " ORDER BY ", i + 1);
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", max_rows + 1);
    p[np++] = lim;
    add(q, sizeof(q), " LIMIT $%d", np);

    db_res *r = NULL;
    int rc = db_exec_once(c, q, np, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out_more = n > max_rows;
    if (n > max_rows)
        n = max_rows;
    *out = app_arena_alloc(a, sizeof(db_report_row) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        db_report_row *row = &(*out)[i];
        row->vals = app_arena_alloc(a, sizeof(char *) * (size_t)(ng ? ng : 1));
        for (int k = 0; k < ng; k++)
            row->vals[k] = db_res_isnull(r, i, k) ? NULL : app_arena_strdup(a, db_res_get(r, i, k));
        int at = ng;
        if (school_at >= 0)
            row->school_name = app_arena_strdup(a, db_res_get(r, i, at++));
        row->count = db_res_int(r, i, at);
    }
    *out_n = n;
    db_res_free(r);
    return 0;
}
