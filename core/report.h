/*
 * core/report.h - statistics of enrolled students (issue #6, GET
 * /reports/enrollment): counts within the caller's jurisdiction, grouped by
 * keys from a fixed list. Each key is a field of the catalog (core/record.h)
 * or of the student's school; the SQL column comes from the catalog, never
 * from the request.
 *
 *   key            groups by                         labels from
 *   grade          年级 (grade)                      code table grade
 *   gender         性别 (gender)                     gender
 *   ethnicity      民族 (ethnicity)                  ethnicity
 *   school         学校 (the school code)            the school's name
 *   county         县区 (where the school is)        the region list
 *   left_behind    留守儿童 (left_behind)            left_behind
 *   migrant_child  随迁子女 (migrant_child)          yes_no
 *   boarding       就读方式: 走读/住校 (study_mode)  study_mode
 *   disability     残疾类型 (disability)             disability
 */
#ifndef CORE_REPORT_H
#define CORE_REPORT_H

#include "core/student.h"

#include <stddef.h>

enum {
    CORE_RK_GRADE,
    CORE_RK_GENDER,
    CORE_RK_ETHNICITY,
    CORE_RK_SCHOOL,
    CORE_RK_COUNTY,
    CORE_RK_LEFT_BEHIND,
    CORE_RK_MIGRANT_CHILD,
    CORE_RK_BOARDING,
    CORE_RK_DISABILITY,
    CORE_RK_COUNT
};

#define CORE_REPORT_MAX_ROWS 50000

/* The key named p[0..len), or -1. */
int core_report_key(const char *p, size_t len);
/* The name ("grade") and the Chinese column title ("年级") of key `k`. Static. */
const char *core_report_key_name(int k);
const char *core_report_key_title(int k);

typedef struct core_report_row {
    const char *code[CORE_RK_COUNT];  /* per group, in group order; NULL: the field is empty */
    const char *label[CORE_RK_COUNT]; /* per group; NULL when there is none */
    long long count;
} core_report_row;

typedef struct core_report {
    int ngroups;
    int keys[CORE_RK_COUNT];
    core_report_row *rows; /* in the op's arena */
    int nrows;
    long long total;
} core_report;

/*
 * Count the students in state enrolled, grouped by keys[0..nkeys) (distinct
 * CORE_RK_* values; none: one row with the whole count), ordered by the
 * groups. Scope: a bureau, the schools whose competent authority lies in
 * its region (the ministry: all), narrowed to the schools located in
 * `region` when given; a school's registrar, its school (`region`, when
 * given, must contain the school's county). Errors: APP_EFORBIDDEN
 * forbidden for other school staff; APP_ENOTFOUND region_not_found for a
 * region that does not exist or that the caller does not see;
 * APP_ETOOLARGE report_too_large (param the limit) beyond
 * CORE_REPORT_MAX_ROWS rows; APP_EINVAL for bad keys.
 */
int core_report_enrollment(db_conn *db, const core_op *op, const char *region, const int *keys,
                           int nkeys, core_report *out, app_err *err);

/*
 * The scope of a statistics report, into df (authority_like, county_like,
 * school; state untouched): the students the actor counts, narrowed to
 * `region` (NULL: all of them), as core_report_enrollment() describes, with
 * its errors (forbidden, region_not_found). The other reports of the FAQ
 * (core/report_faq.h) share it.
 */
struct db_report_filter;
int core_report_scope(db_conn *db, const core_op *op, const char *region,
                      struct db_report_filter *df, app_err *err);

/*
 * The report as an .xlsx file (malloc'd into *out; free() it): sheet
 * "在籍学生统计", one column per group with Chinese titles and "code label"
 * cells, then 人数, and a last row 合计 with the total.
 */
int core_report_xlsx(const core_report *r, unsigned char **out, size_t *out_len, app_err *err);

#endif
