/*
 * core/export.h - the roster (花名册) as an .xlsx or CSV file (issue #6,
 * DOMAIN rules 27-28).
 *
 * The columns are the import template's (core/import.h), in its order and
 * with its titles, so that an exported roster, edited in Excel, goes back in
 * through POST /imports?mode=update; after them come two columns the import
 * passes over, CORE_TPL_STUNO (学籍号) and CORE_TPL_STATE (学籍状态). Code
 * fields are written "code label" ("1 男", "01 汉族"), which the import
 * reads back as the code; other fields as stored. Personal numbers (ID
 * numbers, phones, G student numbers) are masked unless the export reveals
 * them; a masked roster cannot be matched by an update import (it matches
 * on the ID number), a revealed one can.
 *
 * Memory: students are read CORE_EXPORT_PAGE at a time through
 * core_student_list's keyset cursor, each page in an arena of its own that
 * is freed once its rows are written; the xlsx sheet is deflated as rows
 * come. The file itself is built in memory (the HTTP layer sends whole
 * bodies), so an export is capped at CORE_EXPORT_MAX_ROWS students.
 */
#ifndef CORE_EXPORT_H
#define CORE_EXPORT_H

#include "core/student.h"

#include <stddef.h>

typedef enum { CORE_EXPORT_XLSX = 1, CORE_EXPORT_CSV = 2 } core_export_format;

#define CORE_EXPORT_PAGE 500
#define CORE_EXPORT_MAX_ROWS 20000

/*
 * Export the students core_student_list(f) gives the actor (its scoping
 * and staff-role narrowing included; f->after_id and f->limit are ignored;
 * f->reveal shows personal numbers in clear: the caller decides who may),
 * in `fmt`: xlsx (sheet CORE_TEMPLATE_SHEET, header row bold and frozen,
 * the template's hidden columns hidden) or CSV (UTF-8 with a byte order
 * mark, core_csv_write_row's formula guard). The file is malloc'd into
 * *out (free() it); *out_count gets the number of students.
 *
 * Every export is audited once, after it is built (DOMAIN rule 28: who
 * exported what): action "student.export", target "school" `audit_target`
 * (the school asked for, or the actor's org), detail {"count", "revealed",
 * "format", "grade", "class", "status"}. No audit row, no file.
 *
 * Errors: APP_ETOOLARGE "export_too_large" (param the limit) past
 * CORE_EXPORT_MAX_ROWS students, nothing audited; those of
 * core_student_list, the writers and core_audit.
 */
int core_student_export(db_conn *db, const core_op *op, const core_student_filter *f,
                        core_export_format fmt, const char *audit_target, unsigned char **out,
                        size_t *out_len, int *out_count, app_err *err);

/*
 * The cells of one student in the roster's columns (core_export_ncols()
 * of them), strings in `a`.
 */
int core_export_ncols(void);
void core_export_cells(const core_codes *codes, const core_student *s, app_arena *a,
                       const char **out_cells);

#endif
