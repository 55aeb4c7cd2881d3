/*
 * formats/csv.h - CSV files (RFC 4180) as clerks' spreadsheet programs write
 * them, in and out.
 *
 * Reading: fields separated by commas, records by CRLF, LF or CR; fields
 * in double quotes may hold commas, line breaks and "" for a quote. Lenient
 * where Excel is: a quote inside an unquoted field is kept as a character,
 * and text after a closing quote is appended to the field. Encoding: a
 * UTF-8 byte order mark is skipped; input that is valid UTF-8 is taken as
 * is; anything else is read as GB18030 (a superset of GBK and GB2312, what
 * Excel writes for "CSV" on Chinese Windows) and converted with iconv. Rows
 * go to a fmt_sheet_row_fn (formats/sheet.h) numbered by record (1-based,
 * which is the row Excel shows), every field a CORE_CELL_TEXT (or
 * CORE_CELL_EMPTY); a field like "1.10101199003078E+17" gets
 * CORE_CELL_F_LOST_DIGITS. An empty line is a row with no cells.
 *
 * Writing: UTF-8 with a byte order mark (so Excel opens it as UTF-8), CRLF,
 * fields quoted when they hold a comma, quote, line break or edge space.
 * Against formula injection (CSV Injection, OWASP), a field beginning with
 * = + - @ tab or CR is written with a leading ' unless it is a plain
 * number (-3, +1.5), so a spreadsheet shows it as text instead of running it.
 *
 * Errors (slugs of api/problem.c; `err` may be NULL):
 *   APP_EINVAL    "csv_bad_encoding"  neither UTF-8 nor GB18030, a NUL byte, or
 *                                     UTF-8 after a UTF-8 byte order mark that is
 *                                     not valid; param "utf16" for a UTF-16 file
 *                                     (Excel's "Unicode text")
 *                 "csv_malformed"     param "quote": a quoted field never ends
 *                                     (the item's row is where it began)
 *   APP_ETOOLARGE "csv_too_large"     param "record" or "columns"
 * Row-level errors carry the row in err->items[0].row.
 */
#ifndef FMT_CSV_H
#define FMT_CSV_H

#include "base/buf.h"
#include "base/err.h"
#include "formats/sheet.h"

#include <stddef.h>

typedef enum { FMT_CSV_UTF8 = 1, FMT_CSV_GB18030 = 2 } fmt_csv_encoding;

typedef struct fmt_csv_limits {
    size_t max_record;  /* bytes of one record (after conversion to UTF-8) */
    size_t max_columns; /* fields of one record */
} fmt_csv_limits;

/* 1 MiB per record, FMT_SHEET_MAX_COLS fields. */
fmt_csv_limits fmt_csv_limits_default(void);

/*
 * Read the CSV file data[0..len) and call `fn` once per record. `lim` NULL
 * means the defaults; *out_enc (may be NULL) is set to the encoding found
 * before the first row is reported. Returns 0 after the last row, or the
 * first error (or non-zero value of `fn`).
 */
int fmt_csv_read(const unsigned char *data, size_t len, const fmt_csv_limits *lim,
                 fmt_sheet_row_fn fn, void *ctx, fmt_csv_encoding *out_enc, app_err *err);

/* Append the UTF-8 byte order mark. */
void fmt_csv_write_bom(base_buf *b);

/* Append one record of n fields (NULL is an empty field) and CRLF. */
void fmt_csv_write_row(base_buf *b, const char *const *cells, size_t n);

#endif
