/*
 * core/import.h - the student template and turning its rows into records
 * (issue #6, DOMAIN rule 25).
 *
 * The template is the field catalog laid out as columns: every field a
 * school may fill, in catalog order, with its Chinese title ("姓名",
 * "家庭成员1姓名"); a hidden separator column before the family members;
 * a hidden last column whose header carries the template version. Every
 * cell is text; code columns offer drop-downs of "code label" values.
 *
 * Reading is forgiving where a clerk's spreadsheet habits are harmless and
 * precise where they lose data: blanks and full-width characters are
 * normalised, Excel serial dates become dates (counted in the workbook's
 * date system, fmt_sheet_row.date1904), a code column takes the code,
 * its label or "code label"; an ID number that Excel turned into a number,
 * a distance with a unit or a wrong header are errors that say what to do.
 *
 * Pure: no I/O. The job that runs an import is core/import_job.c.
 */
#ifndef CORE_IMPORT_H
#define CORE_IMPORT_H

#include "core/record.h"
#include "core/student.h"
#include "db/import.h"
#include "formats/sheet.h"
#include "formats/xlsx.h"

#include <stddef.h>

#define CORE_TEMPLATE_VERSION "xueji-students-1"
#define CORE_TEMPLATE_SHEET "学生信息"
#define CORE_TEMPLATE_MAX_COLS 96

/* Column `col` (0-based) of the template: a catalog field index, or
   CORE_TPL_SEPARATOR / CORE_TPL_VERSION; -1 past the last column. */
#define CORE_TPL_SEPARATOR (-2)
#define CORE_TPL_VERSION (-3)
int core_template_ncols(void);
int core_template_field(int col);
/* The header text of column `col`. */
void core_template_title(int col, char *buf, size_t cap);

/* Width and visibility of column `col` as the template shows it (no drop-down list). */
void core_template_col(int col, fmt_xlsx_col *out);

/*
 * Titles of the columns a roster (core/export.h) or an errors file adds after
 * the template's own. An upload may keep them: the header check passes over
 * them when they come last, and their cells are not read.
 */
#define CORE_TPL_STUNO "学籍号"
#define CORE_TPL_STATE "学籍状态"
#define CORE_TPL_REASON "错误原因"
#define CORE_TPL_REWARDS "奖惩" /* the export's column of reward entries (core/reward.h) */
/* 1 if p[0..len) (blanks trimmed) is one of those titles. */
int core_template_is_extra(const char *p, size_t len);

/* The template as an .xlsx file (malloc'd into *out; free() it). */
int core_template_xlsx(const core_codes *codes, unsigned char **out, size_t *out_len, app_err *err);

/* Which catalog field each column of an upload holds. */
typedef struct core_import_map {
    int ncols;
    int field[CORE_TEMPLATE_MAX_COLS]; /* catalog index, or a CORE_TPL_* marker */
} core_import_map;

/*
 * Check the header row of an upload against the template: the same titles
 * in the same order (the version column may be absent, as in a CSV). A
 * difference is APP_EINVAL `template_mismatch` with an item for each of
 * the first five wrong columns: field = the column letter ("D"), param =
 * the title that belongs there ("" past the template's last column).
 * A version marker of another template is `template_version`.
 */
int core_import_header(const fmt_sheet_row *row, core_import_map *out, app_err *err);

/* Trim ASCII blanks, NBSP (C2 A0) and the ideographic space (E3 80 80) from
   both ends of the `*n` bytes at `*p`, in place. Pure. */
void core_import_trim(const char **p, size_t *n);

/* Cell `c` of `row`, trimmed, copied into `a` ("" when the row is shorter). */
const char *core_import_cell(const fmt_sheet_row *row, int c, app_arena *a);

/*
 * The header check of a fixed template other than the student one (the class
 * file, the university students' file): columns 0..ntitles-1 titled title(c),
 * column `version_col` the "模板版本:<version>" marker, which may be absent
 * (a CSV). Errors as core_import_header's: `template_mismatch` items for the
 * first five wrong columns (param: the title due there, "" past the last), or
 * `template_version` (param: `version`) for another version's marker.
 */
int core_import_template_header(const fmt_sheet_row *row, const char *(*title)(int), int ntitles,
                                int version_col, const char *version, app_err *err);

/*
 * Turn data row `row` into a record (strings in `a`). Items of `err` name
 * the field's JSON pointer like POST /students errors, so one renderer
 * serves both. An empty row sets *out_empty and returns 0.
 */
int core_import_row(const core_codes *codes, const core_import_map *m, const fmt_sheet_row *row,
                    app_arena *a, core_record *out, int *out_empty, app_err *err);

/* The column (0-based) holding catalog field `field`, or -1. */
int core_import_column_of(const core_import_map *m, int field);

/* ---- the errors file (GET /imports/{id}/errors.xlsx) ---- */

/* One message of a rejected row: its sheet row number and its text. */
typedef struct core_import_rowmsg {
    long row;
    const char *message;
} core_import_rowmsg;

/*
 * The rejected rows of an upload, ready to fix and upload again, as an .xlsx
 * file (malloc'd into *out; free() it). The upload data[0..len) (`format`
 * "xlsx" or "csv", as the job stored it) is read again: its header row (a
 * missing version title filled in from the template) with one more column,
 * CORE_TPL_REASON, then every data row that `msgs` names, in file order,
 * cells as uploaded in the template's columns (an Excel serial number in a
 * date or month column written as the date the import read in it, since
 * every cell of the file is text) and the row's messages joined by "；".
 * `msgs` must be sorted by row (messages of one row in their order); rows
 * that are not data rows of the file (0: the file as a whole) are not
 * written. With `all_rows`, every non-empty data row is written, the good
 * ones with an empty reason: an atomic import applied none of them.
 * *out_rows (may be NULL) gets the number of data rows written.
 * Errors: those of fmt_xlsx_read/fmt_csv_read and the writer;
 * APP_EINVAL import_empty when the file has no row at all.
 */
int core_import_errors_xlsx(const char *format, const unsigned char *data, size_t len,
                            const core_import_rowmsg *msgs, size_t nmsgs, int all_rows,
                            unsigned char **out, size_t *out_len, long *out_rows, app_err *err);

/* The messages one at a time, in the order `msgs` has above: the next into
   *out (its text valid until the following call); 1, 0 after the last, or
   an app code with `err` filled. */
typedef int (*core_import_msgs_fn)(void *ctx, core_import_rowmsg *out, app_err *err);

/* The same file with the messages read as it is written (a job's errors
   are read from the database a page at a time, never all at once). */
int core_import_errors_xlsx_next(const char *format, const unsigned char *data, size_t len,
                                 core_import_msgs_fn next, void *ctx, int all_rows,
                                 unsigned char **out, size_t *out_len, long *out_rows,
                                 app_err *err);

/* The same for a class assignment file (mode classes, core/class_file.h):
   its columns and sheet name instead of the template's. */
int core_class_file_errors_xlsx_next(const char *format, const unsigned char *data, size_t len,
                                     core_import_msgs_fn next, void *ctx, int all_rows,
                                     unsigned char **out, size_t *out_len, long *out_rows,
                                     app_err *err);

/* The same for a university student file (mode uni_students, core/uni_file.h). */
int core_uni_file_errors_xlsx_next(const char *format, const unsigned char *data, size_t len,
                                   core_import_msgs_fn next, void *ctx, int all_rows,
                                   unsigned char **out, size_t *out_len, long *out_rows,
                                   app_err *err);

/* The same for a catalog file (modes courses, plans, sections,
   core/uni_catalog_file.h). */
struct core_catfile;
int core_catfile_errors_xlsx_next(const struct core_catfile *f, const char *format,
                                  const unsigned char *data, size_t len, core_import_msgs_fn next,
                                  void *ctx, int all_rows, unsigned char **out, size_t *out_len,
                                  long *out_rows, app_err *err);

/* ---- running a job (core/import_job.c) ---- */

/* How the caller words one row error in Chinese (api/ renders it like a
   problem+json item): row, 0-based column (-1: none), its header, code and
   param. The text lives in `a`. */
typedef const char *(*core_import_message_fn)(void *ctx, app_arena *a, long row, int column,
                                              const char *header, const char *code,
                                              const char *param);

/* A job that was taken over this many times from a worker that was gone
   (db_import.lost) is failed with `import_worker_lost` instead of run: it
   may be what kills its workers. */
#define CORE_IMPORT_MAX_LOST 2

#define CORE_IMPORT_BATCH 50         /* rows per commit, mode update */
#define CORE_IMPORT_BATCH_CREATE 500 /* rows per commit, mode create (default) */
/* Rows of mode create registered together (core_student_register_many()) and
   committed together; set before jobs run (XUEJI_IMPORT_BATCH). */
extern int core_import_batch;

/*
 * Run a claimed job (state running) as `op`'s actor, the uploader: read
 * the file, check the header, then each data row - mode create registers
 * it exactly like POST /students, mode update edits the record that
 * matches its name and ID number (key fields are not changed), mode classes
 * moves a pupil to another class of its grade (core_class_move, the class
 * assignment file of core/class_file.h), mode uni_students creates a
 * university student (core_uni_student_create, the file of core/uni_file.h;
 * counted in job->created). A row of mode update or classes
 * that matched its record and changed nothing counts in job->unchanged, not
 * job->updated. Without
 * atomic, rows commit in batches (core_import_batch rows of mode create,
 * registered set-based; CORE_IMPORT_BATCH of mode update) with the job's
 * progress, so a worker that dies leaves the job at its last commit and
 * the next one resumes after job->last_row; with atomic, everything runs
 * in one transaction and is rolled back when any row is rejected. Ends the
 * job (done or failed) unless the database went away (then it returns the
 * error and the job is resumed later) or core_import_stop was set (the job
 * is queued again; returns APP_EUNAVAIL).
 *
 * Row errors are rows of import_error, written with their batch (worded by
 * `message`): memory holds one batch's errors, whatever the file. An atomic
 * job keeps them in a temporary file until its end, when they are written
 * after the rollback. A job with job->lost >= CORE_IMPORT_MAX_LOST is not
 * run: it ends failed, `import_worker_lost`. A sealed upload is opened first
 * (core_import_open_upload); one that does not decrypt fails the job with
 * failure "upload_unreadable".
 */
int core_import_run(db_conn *db, const core_op *op, db_import *job, core_import_message_fn message,
                    void *ctx, app_err *err);

/* Set by a worker that must stop: a running import hands its job back
   (queued, from its last commit) at the next row. */
extern volatile int core_import_stop;

/* Development only (XUEJI_TEST_FAULT=import_crash): the process kills itself
   (SIGKILL) after a job's batch committed, like a worker the kernel killed. */
extern int core_import_fault_crash;

#endif
