/*
 * db/report.h - counts of students for statistics (issue #6): one GROUP BY
 * query over columns the caller picks from a fixed set, and filters that are
 * always parameters.
 *
 * db/ knows no catalog: a student column is named by the caller (core/
 * report.c takes it from the field catalog, never from a request) and must
 * be a plain identifier, which is checked again here before it goes into
 * the SQL text.
 */
#ifndef DB_REPORT_H
#define DB_REPORT_H

#include "db/db.h"

#define DB_REPORT_MAX_GROUPS 16

typedef enum {
    DB_REPORT_STUDENT = 1, /* a column of `student` (`column`) */
    DB_REPORT_SCHOOL,      /* the student's school code; its name comes with the row */
    DB_REPORT_COUNTY,      /* the county where the student's school is */
} db_report_kind;

typedef struct db_report_group {
    db_report_kind kind;
    const char *column; /* DB_REPORT_STUDENT: a static [a-z0-9_]+ name */
} db_report_group;

/* NULL members are not applied. */
typedef struct db_report_filter {
    const char *state;          /* student state, exact */
    const char *school;         /* school code, exact */
    const char *authority_like; /* schools whose competent authority LIKE this */
    const char *county_like;    /* schools located in a county LIKE this */
} db_report_filter;

typedef struct db_report_row {
    const char **vals;       /* one per group, as text; NULL for SQL NULL */
    const char *school_name; /* with a DB_REPORT_SCHOOL group, else NULL */
    long long count;
} db_report_row;

/*
 * Count the students that match `f`, grouped by g[0..ng) (none: one row, the
 * whole count), ordered by the groups (NULLs last). At most `max_rows` rows:
 * *out_more = 1 when there were more. Rows in `a`. APP_EINVAL for a bad
 * column name or more than DB_REPORT_MAX_GROUPS groups.
 */
int db_report_count(db_conn *c, const db_report_filter *f, const db_report_group *g, int ng,
                    int max_rows, app_arena *a, db_report_row **out, int *out_n, int *out_more,
                    app_err *err);

#endif
