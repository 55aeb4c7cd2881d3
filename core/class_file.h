/*
 * core/class_file.h - the class assignment file (批量分班/调班, issue 15,
 * docs/decisions/0028): the roster of one grade of a school with a column
 * for the class each pupil goes to, given by GET
 * /schools/{code}/class-assignment.xlsx?grade= (core_export_open_classes,
 * core/export.h) and read back by POST /imports?mode=classes
 * (core/import_job.c).
 *
 * Columns, in this order, every cell text:
 *
 *   A 记录编号   the record id (not personal: it matches the row to its record
 *                without the ID number, so the file needs no revealing)
 *   B 学籍号     the student number as the caller sees it (masked G numbers);
 *                not read
 *   C 姓名       must be the record's name
 *   D 年级       the grade label (一年级, 初一 ...) or code (11, 21 ...); must
 *                be the pupil's grade now (a pupil promoted since the file was
 *                made is an error, not a move to a class of the old grade)
 *   E 当前班级   the class the pupil is in, "一年级(3)班"; not read
 *   F 新班级     to fill: the class number ("3"), "3班", "(3)班" or the class
 *                name of the pupil's own grade ("一年级(3)班"); empty: the
 *                pupil stays where it is
 *   G (hidden)   "模板版本:xueji-classes-1"; may be absent (a CSV)
 *
 * Pure: no I/O. Moving a pupil is core_class_move() (core/class_move.c).
 */
#ifndef CORE_CLASS_FILE_H
#define CORE_CLASS_FILE_H

#include "base/arena.h"
#include "base/err.h"
#include "core/op.h"
#include "core/student.h"
#include "db/db.h"
#include "formats/sheet.h"
#include "formats/xlsx.h"

#define CORE_CLASS_FILE_VERSION "xueji-classes-1"
#define CORE_CLASS_FILE_SHEET "分班调班"

enum {
    CORE_CF_ID,
    CORE_CF_STUNO,
    CORE_CF_NAME,
    CORE_CF_GRADE,
    CORE_CF_CLASS,
    CORE_CF_NEW_CLASS,
    CORE_CF_VERSION,
    CORE_CF_NCOLS
};

/* The header text of column `col` (static UTF-8); "" past the last one. */
const char *core_class_file_title(int col);

/* Width and visibility of column `col`. */
void core_class_file_col(int col, fmt_xlsx_col *out);

/* The column a row error's field pointer names ("/id", "/name", "/grade",
   "/class"), or -1. */
int core_class_file_column_of(const char *pointer);

/*
 * The header row of an upload: the titles above in their order (the version
 * column may be absent; empty cells after it do not count). A difference is
 * APP_EINVAL template_mismatch with an item for each of the first five wrong
 * columns (field: the column letter, param: the title that belongs there),
 * as core_import_header() says; another version marker is template_version.
 */
int core_class_file_header(const fmt_sheet_row *row, app_err *err);

/* The cells of one pupil (CORE_CF_NCOLS of them, strings in `a`); the new
   class column is empty. */
void core_class_file_cells(const core_student *s, app_arena *a, const char **out);

/* One data row as read. */
typedef struct core_class_row {
    long long id;     /* the record id */
    const char *name; /* trimmed */
    int grade;        /* a grade code */
    int new_class;    /* the class number to go to; 0: the cell was empty */
} core_class_row;

/*
 * Read data row `row`. An empty row sets *out_empty and returns 0. Errors
 * (APP_EINVAL, one item each, every one found): /id missing_field or
 * invalid_record_id; /name missing_field; /grade missing_field or
 * invalid_grade; /class invalid_class_cell (param: the cell), class_wrong_grade
 * (the cell names a class of another grade).
 */
int core_class_file_row(const fmt_sheet_row *row, app_arena *a, core_class_row *out, int *out_empty,
                        app_err *err);

/*
 * The class number that cell text `s` names for a pupil of `grade`: "3",
 * "3班", "(3)班" (full-width brackets too) or "<label of grade>(3)班".
 * Returns the number (1..CORE_CLASS_NUMBER_MAX); 0 for an empty cell; -1 when
 * the cell is not a class; -2 when it names a class of another grade.
 */
int core_class_cell(const char *s, int grade);

/*
 * Move the pupil of row `in` to class in->new_class of its grade, as school
 * `school`'s registrar (op) would by PATCH /students/{id} {"class"}: the
 * class's size limit is kept, history, audit ("student.edit") and the change
 * feed ("student.updated") are written by core_student_patch. Runs in the
 * caller's transaction (a savepoint of its own). *out_changed = 1 when the
 * record changed, 0 when the row matched and changed nothing (empty new
 * class, or the class the pupil is in).
 * Row errors: APP_ENOTFOUND student_not_in_school (/id: no record of that id
 * in `school`); APP_EINVAL student_name_mismatch (/name); APP_ESTATE
 * student_not_active; APP_EINVAL grade_mismatch (/grade; param the grade's
 * label now); those of core_student_patch (class_not_found at /class,
 * class_full, student_has_problem, precondition_failed).
 */
int core_class_move(db_conn *db, const core_op *op, const char *school, const core_class_row *in,
                    int *out_changed, app_err *err);

#endif
