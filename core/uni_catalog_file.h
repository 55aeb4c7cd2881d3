/*
 * core/uni_catalog_file.h - the three catalog files of a university (issue
 * 17): GET /templates/courses.xlsx, plans.xlsx and sections.xlsx give them
 * empty; POST /imports?mode=courses|plans|sections reads them back
 * (core/import_job.c), each row created or changed by the function the
 * HTTP routes use (core/uni_catalog.h: core_uni_course_put,
 * core_uni_plan_entry_put, core_uni_section_put), with their checks and
 * audit rows, and counted created, updated or unchanged (a re-import of the
 * same file changes nothing). Uploaded by the university's registrar
 * section (教务处教务科). Every cell is text; the last column is the hidden
 * version marker "模板版本:xueji-<mode>-1" and may be absent (a CSV).
 *
 *   courses  (课程库)   A 课程号 B 课程名称 C 课程属性 (必修/选修/公共选修/体育,
 *                       or the code) D 学分 (e.g. 3 or 3.5) E 学时
 *                       F 开课院系 (the college's code or name)
 *   plans    (培养方案) A 专业代码 B 年级 (2025 or 2025级) C 课程号
 *                       D 学期序号 (1..16; 1 = the autumn of the entry year)
 *   sections (教学班)   A 课程号 B 学期 (2026-1 / 2026-2) C 课序号
 *                       D 任课教师工号 (a course_teacher's username; empty:
 *                       none) E 容量 F 面向年级 (empty: any) G 面向专业
 *                       (专业代码 separated by , ， 、 or spaces; empty: any)
 *
 * A plans row adds the course to the major's cohort's plan (or moves it to
 * the row's term); the plan's other entries stay. A sections row is the
 * section of its 课程号, 学期 and 课序号: created, or changed to the row.
 */
#ifndef CORE_UNI_CATALOG_FILE_H
#define CORE_UNI_CATALOG_FILE_H

#include "base/arena.h"
#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "formats/sheet.h"
#include "formats/xlsx.h"

#define CORE_CATFILE_MAX_COLS 8

typedef struct core_catfile core_catfile;

/* The file of import mode `mode` ("courses", "plans", "sections"), or NULL. */
const core_catfile *core_catfile_of(const char *mode);

/* Its sheet name, version marker ("xueji-courses-1"), download file name
   ("courses-template.xlsx") and number of columns (with the version's). */
const char *core_catfile_sheet(const core_catfile *f);
const char *core_catfile_version(const core_catfile *f);
const char *core_catfile_filename(const core_catfile *f);
int core_catfile_ncols(const core_catfile *f);

/* The header text of column `col` (static UTF-8); "" past the last one. */
const char *core_catfile_title(const core_catfile *f, int col);

/* Width and visibility of column `col`. */
void core_catfile_col(const core_catfile *f, int col, fmt_xlsx_col *out);

/* The column a row error's field pointer names ("/code", "/term_no",
   "/majors/2" ...), or -1. */
int core_catfile_column_of(const core_catfile *f, const char *pointer);

/* The empty file (header row, a sheet of instructions) as .xlsx, malloc'd
   into *out (free() it). */
int core_catfile_xlsx(const core_catfile *f, unsigned char **out, size_t *out_len, app_err *err);

/* The header row of an upload, as core_import_template_header checks it:
   APP_EINVAL template_mismatch (items per wrong column) or template_version. */
int core_catfile_header(const core_catfile *f, const fmt_sheet_row *row, app_err *err);

/*
 * Data row `row` of university `school` read and applied as op->actor
 * (strings in op->arena). An empty row sets *out_empty and returns 0.
 * *out_did: CORE_UNI_CREATED, UPDATED or UNCHANGED (core/uni_catalog.h).
 * A row the file itself gets wrong is APP_EINVAL with an item per bad cell
 * (missing_field, invalid_course_kind, invalid_credits, invalid_hours,
 * invalid_cohort, invalid_term_no, invalid_term, invalid_section_number,
 * invalid_capacity) and touches no table; else the errors of the core
 * function.
 */
int core_catfile_row(const core_catfile *f, db_conn *db, const core_op *op, const char *school,
                     const fmt_sheet_row *row, int *out_empty, int *out_did, app_err *err);

#endif
