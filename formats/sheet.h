/*
 * formats/sheet.h - a row of a spreadsheet as the file readers hand it over.
 *
 * formats/xlsx.h and formats/csv.h read a whole file and call a fmt_sheet_row_fn
 * once per row, in file order, with the row's cells as UTF-8 text indexed
 * by column (0 = A). The import code above them sees one shape whatever the
 * file was. Pure: no I/O, no allocation; thread-safe.
 */
#ifndef FMT_SHEET_H
#define FMT_SHEET_H

#include "base/err.h"

#include <stddef.h>

#define FMT_SHEET_MAX_ROWS 1048576L /* Excel's limit: row 1048576 */
#define FMT_SHEET_MAX_COLS 16384    /* Excel's limit: column XFD */

typedef enum {
    CORE_CELL_EMPTY = 0, /* no value (s is "") */
    CORE_CELL_TEXT,      /* a string (xlsx s, inlineStr, str, d; every CSV field) */
    CORE_CELL_NUMBER,    /* xlsx n: the number as stored ("42", "1.10101199003078E+17");
                            dates are numbers here (Excel serial days, counted
                            as fmt_sheet_row.date1904 says) */
    CORE_CELL_BOOL,      /* xlsx b: "TRUE" or "FALSE" */
    CORE_CELL_ERROR,     /* xlsx e: "#N/A", "#VALUE!", ... */
} core_cell_type;

/*
 * The cell holds a number of at least 16 digits (|value| >= 1e15), more than
 * the 15 significant digits Excel keeps: typically an 18-digit ID number
 * typed into a cell that was not formatted as text, whose last digits are
 * gone. xlsx: any number cell that large; CSV: a field in scientific
 * notation that large ("1.10101199003078E+17"), which is how Excel saved it.
 * The import says 「身份证号被Excel转成了数字，请把该列设为文本」.
 */
#define CORE_CELL_F_LOST_DIGITS 1u

typedef struct core_cell {
    const char *s; /* NUL-terminated UTF-8, never NULL; borrowed (see below) */
    size_t len;    /* bytes, without the NUL */
    core_cell_type type;
    unsigned flags; /* CORE_CELL_F_* */
} core_cell;

typedef struct fmt_sheet_row {
    long row;               /* 1-based: xlsx the r= of <row>, CSV the record number */
    size_t ncells;          /* 1 + the last non-empty column; 0 for an empty row */
    const core_cell *cells; /* cells[0..ncells), gaps are CORE_CELL_EMPTY */
    long last_row_hint;     /* xlsx: last row by the sheet's <dimension>, else 0 */
    int date1904;           /* the date system of the file, the same in every row:
                               1 when a date's serial number counts days from
                               1904-01-01 (serial 0), an xlsx whose workbook says
                               <workbookPr date1904="1"> (old Excel for Mac);
                               0 for the 1900 system (serial 1 = 1900-01-01, with
                               Excel's phantom 1900-02-29), every other xlsx and
                               every CSV */
} fmt_sheet_row;

/*
 * Called once per row. Everything `row` points to is borrowed and valid
 * only during the call: copy what you keep. Return 0 to go on; a negative
 * APP_E* code stops the reader, which returns that code (with whatever the
 * callback put in `err`).
 */
typedef int (*fmt_sheet_row_fn)(void *ctx, const fmt_sheet_row *row, app_err *err);

/* The letters of 0-based column `col` (0 -> "A", 16383 -> "XFD") into out[4]. */
void fmt_sheet_col_name(int col, char out[4]);

/*
 * Parse an A1 reference p[0..n) ("B7", "XFD1048576"; letters in either case,
 * no "$"): 0 with *out_col 0-based and *out_row 1-based, or -1 when it is not
 * a reference or lies outside A1:XFD1048576. A reference without the row
 * part ("B") gives *out_row 0.
 */
int fmt_sheet_ref_parse(const char *p, size_t n, int *out_col, long *out_row);

/*
 * 1 when p[0..n) is a decimal number (optional sign, digits, optional
 * fraction, optional exponent) whose absolute value is at least 1e15, else
 * 0. With `exponent_only`, plain digit strings never count: only the
 * scientific form does (for CSV, where a long digit string is text).
 */
int fmt_sheet_lost_digits(const char *p, size_t n, int exponent_only);

#endif
