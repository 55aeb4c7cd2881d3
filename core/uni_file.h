/*
 * core/uni_file.h - the university student file (issue 16, a second import
 * template, docs/decisions/0037): GET /templates/uni-students.xlsx gives it
 * empty, POST /imports?mode=uni_students reads it back (core/import_job.c),
 * each row a new university student made by core_uni_student_create()
 * (core/uni_student.h), with that function's validation, encryption and
 * 一人一籍 check.
 *
 * Columns, in this order, every cell text:
 *
 *   A 学号          4-20 letters or digits
 *   B 姓名 C 性别 D 出生日期 E 民族 F 国籍/地区 G 身份证件类型 H 身份证件号
 *                   read as the student template reads them (core_import_row:
 *                   a code column takes the code, its label or "code label";
 *                   an Excel serial date is a date)
 *   I 学院          the college's code or name
 *   J 专业          the major's code or name, a major of that college
 *   K 年级          the cohort: the entry year, "2025" or "2025级"
 *   L 班级          the administrative class's number in the major's cohort:
 *                   "3" or "3班"
 *   M 层次          本科 or 专科; may be empty; else it must be the major's
 *   N 入学日期      may be empty (September 1st of the cohort)
 *   O 预计毕业日期  may be empty (July 1st of cohort + the major's years)
 *   P (hidden)      "模板版本:xueji-uni-students-1"; may be absent (a CSV)
 *
 * Pure but for core_uni_file_place(), which reads the university's
 * colleges, majors and classes.
 */
#ifndef CORE_UNI_FILE_H
#define CORE_UNI_FILE_H

#include "base/arena.h"
#include "base/err.h"
#include "core/import.h"
#include "core/op.h"
#include "core/record.h"
#include "core/uni_student.h"
#include "db/db.h"
#include "db/uni.h"
#include "formats/sheet.h"
#include "formats/xlsx.h"

#define CORE_UNI_FILE_VERSION "xueji-uni-students-1"
#define CORE_UNI_FILE_SHEET "大学生信息"

enum {
    CORE_UF_STUDENT_NO,
    CORE_UF_NAME,
    CORE_UF_GENDER,
    CORE_UF_BIRTH_DATE,
    CORE_UF_ETHNICITY,
    CORE_UF_NATIONALITY,
    CORE_UF_ID_TYPE,
    CORE_UF_ID_NUMBER,
    CORE_UF_COLLEGE,
    CORE_UF_MAJOR,
    CORE_UF_COHORT,
    CORE_UF_CLASS,
    CORE_UF_LEVEL,
    CORE_UF_ENTRY_DATE,
    CORE_UF_GRADUATION,
    CORE_UF_VERSION,
    CORE_UF_NCOLS
};

/* The header text of column `col` (static UTF-8); "" past the last one. */
const char *core_uni_file_title(int col);

/* Width and visibility of column `col`. */
void core_uni_file_col(int col, fmt_xlsx_col *out);

/* The column a row error's field pointer names ("/student_no", "/name",
   "/id_number", "/college", "/class_id" ...), or -1. */
int core_uni_file_column_of(const char *pointer);

/* The empty file (header row, a sheet of instructions) as .xlsx, malloc'd
   into *out (free() it). */
int core_uni_file_xlsx(const core_codes *codes, unsigned char **out, size_t *out_len, app_err *err);

/*
 * The header row of an upload: the titles above in their order (the version
 * column may be absent). A difference is APP_EINVAL template_mismatch with
 * an item for each of the first five wrong columns (field: the column
 * letter, param: the title that belongs there); another version marker is
 * template_version.
 */
int core_uni_file_header(const fmt_sheet_row *row, app_err *err);

/* One data row as read: the personal fields in `rec`, the rest as text. */
typedef struct core_uni_row {
    core_record rec;
    const char *student_no, *college, *major, *level;
    int cohort;     /* 0 when bad */
    int class_no;   /* 0 when bad */
    int entry_date; /* YYYYMMDD; 0: empty */
    int graduation; /* YYYYMMDD; 0: empty */
} core_uni_row;

/*
 * Read data row `row` (strings in `a`). An empty row sets *out_empty and
 * returns 0. Errors (APP_EINVAL, one item each, every one found): those of
 * core_import_row for the personal columns; /student_no missing_field;
 * /college, /major, /cohort, /class missing_field; /cohort invalid_cohort;
 * /class invalid_class_number; /level invalid_level; /entry_date,
 * /expected_graduation invalid_date.
 */
int core_uni_file_row(const core_codes *codes, const fmt_sheet_row *row, app_arena *a,
                      core_uni_row *out, int *out_empty, app_err *err);

/* The colleges and majors of one university, loaded once per job. */
typedef struct core_uni_file_refs {
    db_uni_college *colleges;
    int ncolleges;
    db_uni_major *majors;
    int nmajors;
} core_uni_file_refs;

/* Load them (strings in `a`). */
int core_uni_file_refs_load(db_conn *db, const char *school, app_arena *a, core_uni_file_refs *out,
                            app_err *err);

/*
 * The class of row `in`: its college (code or name), major (code or name,
 * of that college), the class of that number in the major's cohort, and the
 * level checked against the major's. Fills out->class_id, the dates and the
 * 学号. Errors (APP_EINVAL, one item): /college college_not_found, /major
 * major_not_found, /class class_not_found, /level study_level_mismatch.
 */
int core_uni_file_place(db_conn *db, const core_op *op, const char *school,
                        const core_uni_file_refs *refs, const core_uni_row *in,
                        core_uni_student_new *out, app_err *err);

#endif
