/*
 * db/report_faq.h - the statistics of the national system's FAQ (issue #15):
 * a school statistics table (pupils per school, grade and class, by gender,
 * boarders, left-behind and migrant children) and 小学生异地就读 (pupils
 * whose household registration lies outside the school's county). Each is
 * one GROUP BY statement over `student` joined to `school`; the filters are
 * db/report.h's and always parameters.
 *
 * Household registration (hukou_region) is a plain 12-digit region code
 * column, not encrypted (it is not CORE_F_PII): it is compared in SQL by
 * its 6-, 4- and 2-digit prefixes and never leaves this file but as counts.
 */
#ifndef DB_REPORT_FAQ_H
#define DB_REPORT_FAQ_H

#include "db/report.h"

/* How deep the school statistics group. */
typedef enum {
    DB_STATS_SCHOOL = 1, /* one row per school */
    DB_STATS_GRADE,      /* per school and grade */
    DB_STATS_CLASS,      /* per school, grade and class */
} db_stats_depth;

typedef struct db_stats_row {
    char school[11];
    const char *school_name;
    int grade, class_no; /* 0 when not grouped by them */
    long long total, male, female, boarders, left_behind, migrant;
} db_stats_row;

/*
 * Enrolled students matching `f` (its state is ignored: enrolled), grouped
 * to `depth`, ordered by school, grade, class. At most max_rows rows,
 * *out_more = 1 when there were more. Boarders: study_mode 2 (住校);
 * left-behind: left_behind 1 or 2; migrant: migrant_child 1.
 */
int db_report_school_stats(db_conn *c, const db_report_filter *f, db_stats_depth depth,
                           int max_rows, app_arena *a, db_stats_row **out, int *out_n,
                           int *out_more, app_err *err);

typedef struct db_nonlocal_row {
    char school[11];
    const char *school_name;
    char county[7];           /* the school's location */
    long long total;          /* enrolled pupils of the grades */
    long long local;          /* household registration in the school's county */
    long long other_county;   /* another county of the same city */
    long long other_city;     /* another city of the same province */
    long long other_province; /* another province */
    long long unknown;        /* no household registration recorded */
} db_nonlocal_row;

/*
 * Per school (by code): enrolled students matching `f` in grades
 * grade_lo..grade_hi, counted by where their household registration lies
 * against the school's county.
 */
int db_report_nonlocal(db_conn *c, const db_report_filter *f, int grade_lo, int grade_hi,
                       int max_rows, app_arena *a, db_nonlocal_row **out, int *out_n, int *out_more,
                       app_err *err);

#endif
