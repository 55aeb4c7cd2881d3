/*
 * core/export.h - the roster (花名册) as an .xlsx or CSV file (issue #6,
 * DOMAIN rules 27-28), written as it is read.
 *
 * The columns are the import template's (core/import.h), in its order and
 * with its titles, so that an exported roster, edited in Excel, goes back in
 * through POST /imports?mode=update; after them come two columns the import
 * passes over, CORE_TPL_STUNO (学籍号), CORE_TPL_STATE (学籍状态) and
 * CORE_TPL_REWARDS (奖惩: the entries not removed, core/reward.h). Code
 * fields are written "code label" ("1 男", "01 汉族"), which the import
 * reads back as the code; other fields as stored. Personal numbers (ID
 * numbers, phones, G student numbers) are masked unless the export reveals
 * them; a masked roster cannot be matched by an update import (it matches
 * on the ID number), a revealed one can.
 *
 * Streaming: the file goes to a sink (formats/sink.h) as it is made, in steps
 * the caller drives (core_export_open, then core_export_next until done),
 * each with the DB connection of its choice, so that a server can send one
 * step's output before it makes the next. Students are read CORE_EXPORT_PAGE
 * at a time through core_student_list's keyset cursor, each page in an
 * arena of its own that is freed once its rows are written; the xlsx file
 * is a streaming zip (formats/xlsx.h, formats/zip.h) deflated as rows come, the
 * CSV text goes out every 64 KiB. Memory does not grow with the roster:
 * a page, the writer's buffers and zlib's state. The steps are not one
 * transaction: each page is read as it stands when it is read.
 */
#ifndef CORE_EXPORT_H
#define CORE_EXPORT_H

#include "core/student.h"
#include "formats/sink.h"

#include <stddef.h>

typedef enum { CORE_EXPORT_XLSX = 1, CORE_EXPORT_CSV = 2 } core_export_format;

#define CORE_EXPORT_PAGE 500
/* Sane bounds; beyond them, export by grade or class. CSV: a million students.
   xlsx: the sheet is one zip entry, which cannot pass 4 GiB (no ZIP64); a
   fully filled-in student is about 4.4 KB of sheet XML, so half a million
   leave room for twice that (and stay under Excel's 1,048,576 rows). */
#define CORE_EXPORT_MAX_ROWS 1000000
#define CORE_EXPORT_MAX_ROWS_XLSX 500000
/* A step ends once this many more bytes have gone to the sink (or the file ends). */
#define CORE_EXPORT_STEP_BYTES (64 * 1024)

typedef struct core_export core_export;

/* CORE_EXPORT_MAX_ROWS or CORE_EXPORT_MAX_ROWS_XLSX. */
long long core_export_max_rows(core_export_format fmt);

/*
 * Start exporting the students core_student_list(f) gives the actor (its
 * scoping and staff-role narrowing included; f->after_id and f->limit are
 * ignored; f->reveal shows personal numbers in clear: the caller decides
 * who may), in `fmt`: xlsx (sheet CORE_TEMPLATE_SHEET, header row bold and
 * frozen, the template's hidden columns hidden) or CSV (UTF-8 with a byte
 * order mark, fmt_csv_write_row's formula guard).
 *
 * First the students are counted (core_student_count) and the export is
 * audited (DOMAIN rule 28: who exported what), before any byte goes to the
 * sink: action "student.export", target "school" `audit_target` (the
 * school asked for, or the actor's org), detail {"count", "revealed",
 * "format", "grade", "class", "status"} with the count taken then. No audit
 * row, no file. Then the start of the file goes to `sink` (the CSV's byte
 * order mark and header row; an xlsx file's first parts may stay buffered).
 *
 * On success *out is the export (free with core_export_free) and
 * *out_count the students counted. `op` is copied; what it points to (the
 * actor, the arena) must outlive the export. Nothing is allocated in
 * op->arena after this call returns, so the export's steps may run on
 * other threads than the owner of that arena, one at a time.
 *
 * Errors: APP_ETOOLARGE "export_too_large" (param the limit) when more
 * students are counted than core_export_max_rows(fmt), nothing audited;
 * those of core_student_count, core_audit, the writers and the sink.
 */
int core_export_open(db_conn *db, const core_op *op, const core_student_filter *f,
                     core_export_format fmt, const char *audit_target, fmt_sink sink,
                     core_export **out, long long *out_count, app_err *err);

/*
 * The class assignment file of core/class_file.h (GET
 * /schools/{code}/class-assignment.xlsx), an xlsx file made and streamed as
 * above: the students of `f` (the caller sets school, grade and state), one
 * row each in the file's columns. Audited as above ("student.export", detail
 * with "file": "class_assignment"); the same errors.
 */
int core_export_open_classes(db_conn *db, const core_op *op, const core_student_filter *f,
                             const char *audit_target, fmt_sink sink, core_export **out,
                             long long *out_count, app_err *err);

/*
 * Write the next rows: at least CORE_EXPORT_STEP_BYTES more go to the sink,
 * reading pages of students with `db` as needed, unless the roster ends
 * first; then the end of the file is written and *out_done set to 1 (it is
 * 0 otherwise). Students added or removed since the count are exported as
 * they are read; more than core_export_max_rows(fmt) in all fail with
 * "export_too_large". After an error or once done, only core_export_free
 * may follow.
 */
int core_export_next(core_export *x, db_conn *db, int *out_done, app_err *err);

/* Students written so far (after done: in the file), against the count of open. */
long long core_export_written(const core_export *x);

/* x may be NULL. Needs no connection; any thread. */
void core_export_free(core_export *x);

/*
 * The cells of one student in the roster's columns (core_export_ncols()
 * of them), strings in `a`.
 */
int core_export_ncols(void);
void core_export_cells(const core_codes *codes, const core_student *s, app_arena *a,
                       const char **out_cells);

#endif
