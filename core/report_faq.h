/*
 * core/report_faq.h - statistics the national system's FAQ asks for (issue
 * #15), within the caller's jurisdiction as GET /reports/enrollment
 * (core_report_scope(), core/report.h): who may ask, which schools count,
 * `region` narrowing to schools located in it.
 *
 *   school statistics (学校学生统计)  enrolled pupils per school, grade or
 *       class: total, 男, 女, 住校 (study_mode 2), 留守 (left_behind 1/2),
 *       随迁子女 (migrant_child 1)
 *   异地就读 (小学生异地就读 by default)  per school, the pupils of a stage
 *       whose household registration (户口所在地) lies in the school's
 *       county, another county of its city, another city of its province,
 *       another province, or is not recorded
 *
 * Both are one GROUP BY in SQL (db/report_faq.h); household registration is
 * a plain column (not PII, never logged) and only counts leave the database.
 * Errors: those of core_report_scope(); APP_ENOTFOUND school_not_found for a
 * `school` the actor does not see; APP_ETOOLARGE report_too_large past
 * CORE_REPORT_MAX_ROWS rows.
 */
#ifndef CORE_REPORT_FAQ_H
#define CORE_REPORT_FAQ_H

#include "core/report.h"
#include "db/report_faq.h"

typedef struct core_stats_report {
    db_stats_depth depth;
    db_stats_row *rows;       /* in the op's arena */
    const char **grade_label; /* per row: the grade's Chinese name, or NULL */
    int nrows;
    db_stats_row total; /* the sums; school "", grade and class 0 */
} core_stats_report;

/* `school` (NULL: every school of the scope) narrows to one visible school. */
int core_report_school_stats(db_conn *db, const core_op *op, const char *region, const char *school,
                             db_stats_depth depth, core_stats_report *out, app_err *err);

/* Sheet "学校学生统计": one row per group with Chinese titles, then 合计. */
int core_report_school_stats_xlsx(const core_stats_report *r, unsigned char **out, size_t *out_len,
                                  app_err *err);

typedef enum { CORE_STAGE_PRIMARY = 1, CORE_STAGE_JUNIOR, CORE_STAGE_SENIOR } core_stage;

/* The stage named p ("primary", "junior", "senior"), or 0. Its Chinese name. */
core_stage core_stage_parse(const char *p);
const char *core_stage_name(core_stage s);
const char *core_stage_title(core_stage s);

typedef struct core_nonlocal_report {
    core_stage stage;
    db_nonlocal_row *rows;
    int nrows;
    db_nonlocal_row total; /* the sums; school and county "" */
} core_nonlocal_report;

int core_report_nonlocal(db_conn *db, const core_op *op, const char *region, core_stage stage,
                         core_nonlocal_report *out, app_err *err);

/* Sheet "小学生异地就读" (初中生, 高中生 for the other stages), then 合计. */
int core_report_nonlocal_xlsx(const core_nonlocal_report *r, unsigned char **out, size_t *out_len,
                              app_err *err);

#endif
