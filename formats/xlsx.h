/*
 * formats/xlsx.h - Excel workbooks (.xlsx, ECMA-376 SpreadsheetML): a
 * streaming reader of one worksheet and a writer of all-text workbooks.
 *
 * Reading (fmt_xlsx_read): the file is a zip (formats/zip.h) held in memory.
 * The workbook part is found through _rels/.rels (else xl/workbook.xml),
 * the sheet through the workbook's relationships, the shared strings
 * likewise (else xl/sharedStrings.xml). Shared strings are held in memory
 * (bounded by the limits); the sheet is inflated and parsed by expat
 * (formats/xml.h) as it streams, one row at a time, so memory does not grow
 * with the number of rows. Cells come as text (formats/sheet.h):
 *   t="s"          the shared string (rich text runs joined, phonetic runs
 *                  <rPh> left out)
 *   t="inlineStr"  the text of <is> (runs joined)
 *   t="str", "d"   the text of <v> (a formula's cached string, an ISO date)
 *   t="n" or none  the <v> text as stored, CORE_CELL_NUMBER; 16 or more
 *                  digits set CORE_CELL_F_LOST_DIGITS
 *   t="b"          "TRUE" / "FALSE";  t="e": the error text ("#N/A")
 * Strings are unescaped from OOXML's _xHHHH_ form (Excel writes control
 * characters that way) and checked to be UTF-8. Formulas are not
 * evaluated; only cached values are read. Styles are not read, so dates
 * are the serial numbers Excel stores, counted in the workbook's date
 * system: every row carries it (fmt_sheet_row.date1904, set when
 * xl/workbook.xml has <workbookPr date1904="1"> or "true").
 *
 * Writing (fmt_xlsx_writer_*): one or more sheets of text cells. Every
 * cell, and every column a sheet declares, has the text number format
 * "@" (numFmtId 49), so Excel keeps leading zeros and 18-digit ID numbers
 * as typed. Options: a bold, frozen header row; column widths; hidden
 * columns and sheets; a drop-down list (list data validation) per column,
 * written inline when short and otherwise as a range of a hidden sheet
 * "_lists" written last. Strings are inline (t="inlineStr"), so rows go out
 * as they come: each sheet is deflated while it is written.
 *
 * A streaming writer (fmt_xlsx_writer_new_stream) sends the workbook to a
 * sink (formats/sink.h) as it is written, through a streaming zip writer
 * (formats/zip.h: data descriptors), and holds only zlib's state, a 64 KiB row
 * buffer and its list values, however many rows go through it. It has one
 * visible sheet, started with fmt_xlsx_writer_sheet() (a second call, or a
 * hidden sheet, is refused); the workbook's small parts go out then, the
 * rows as they come, and finish() ends the stream.
 *
 * Errors (`err` may be NULL everywhere), slugs of api/problem.c:
 *   APP_EINVAL    "xlsx_not_zip"      not a zip; param "ole" when it is an
 *                                     OLE2 file (an old .xls, or an .xlsx
 *                                     saved with a password)
 *                 "xlsx_no_workbook"  a zip without a workbook; param "ods"
 *                                     for an OpenDocument spreadsheet
 *                 "xlsx_no_sheet"     no worksheet, or none of that name
 *                                     (param: the name asked for)
 *                 "xlsx_malformed"    param "zip", "crc", "xml", "reference"
 *                                     (a cell or row reference outside
 *                                     A1:XFD1048576), "shared_string" (index
 *                                     out of range), "utf8", "part" (a
 *                                     relationship names a missing part)
 *                 "xlsx_unsupported"  see formats/zip.h
 *   APP_ETOOLARGE "xlsx_too_large"    param "entries", "entry", "total",
 *                                     "ratio" (formats/zip.h), "xml_token",
 *                                     "shared_strings" (count or bytes),
 *                                     "columns" (a cell past max_columns),
 *                                     "rows" (more than 1048576 <row>s)
 * and whatever the row callback returns. The writer: APP_EINVAL
 * "xlsx_bad_sheet_name", "invalid_text" (cell text not UTF-8),
 * "xlsx_no_sheet" (finish without a visible sheet); APP_ETOOLARGE
 * "xlsx_too_large" param "rows", "columns", "cell" (over 32767 characters),
 * "total" (archive over 4 GiB).
 *
 * Not thread-safe per object; independent objects may be used from
 * different threads.
 */
#ifndef FMT_XLSX_H
#define FMT_XLSX_H

#include "base/err.h"
#include "formats/sheet.h"
#include "formats/zip.h"

#include <stddef.h>

/* ---- reading ---- */

typedef struct fmt_xlsx_limits {
    fmt_zip_limits zip;
    size_t max_shared_strings; /* count of <si> */
    size_t max_shared_bytes;   /* UTF-8 bytes of all shared strings */
    size_t max_token;          /* longest tag, comment or text run of any XML part */
    size_t max_columns;        /* columns a row may have (a cell further right is an
                                  error), so that cells like XFD1 cannot make every
                                  row 16384 wide */
} fmt_xlsx_limits;

/*
 * Zip defaults, 2,000,000 shared strings, 64 MiB of them, 1 MiB tokens,
 * 1024 columns (A..AMJ).
 */
fmt_xlsx_limits fmt_xlsx_limits_default(void);

/*
 * Read worksheet `sheet` (its name in the workbook; NULL: the first
 * worksheet, hidden or not) of the xlsx file data[0..len) and call `fn`
 * once per <row> element of it, in file order (rows absent from the file,
 * which Excel omits when empty, are not reported; row numbers are taken as
 * written, not checked to ascend). `lim` NULL means the
 * defaults. Returns 0 after the last row, or the first error (or non-zero
 * value of `fn`), with nothing more called after it.
 */
int fmt_xlsx_read(const unsigned char *data, size_t len, const char *sheet,
                  const fmt_xlsx_limits *lim, fmt_sheet_row_fn fn, void *ctx, app_err *err);

/* ---- writing ---- */

#define FMT_XLSX_MAX_CELL_CHARS 32767 /* Excel's limit on the text of a cell */
#define FMT_XLSX_LIST_SHEET "_lists"

typedef struct fmt_xlsx_col {
    double width; /* in characters; 0: Excel's default */
    int hidden;
    const char *const *list; /* drop-down values (UTF-8), or NULL */
    size_t nlist;
} fmt_xlsx_col;

typedef struct fmt_xlsx_sheet_opts {
    const fmt_xlsx_col *cols; /* cols[0..ncols): column A, B, ...; may be NULL */
    size_t ncols;
    int header; /* row 1 is bold and frozen; lists start at row 2 */
    int hidden; /* the sheet is hidden */
} fmt_xlsx_sheet_opts;

typedef struct fmt_xlsx_writer fmt_xlsx_writer;

fmt_xlsx_writer *fmt_xlsx_writer_new(void); /* never NULL */
/* A writer that streams one sheet to `sink` (see above); never NULL. */
fmt_xlsx_writer *fmt_xlsx_writer_new_stream(fmt_sink sink);
void fmt_xlsx_writer_free(fmt_xlsx_writer *w); /* w may be NULL */

/*
 * Start sheet `name` (1..31 characters, none of : \ / ? * [ ], not
 * beginning or ending with ', unique ignoring ASCII case, not "History" nor
 * FMT_XLSX_LIST_SHEET); the previous sheet ends. `opts` may be NULL, and
 * is copied (with the list values) before the call returns.
 */
int fmt_xlsx_writer_sheet(fmt_xlsx_writer *w, const char *name, const fmt_xlsx_sheet_opts *opts,
                          app_err *err);

/* Append a row of n text cells (NULL or "" for an empty cell) to the current sheet. */
int fmt_xlsx_writer_row(fmt_xlsx_writer *w, const char *const *cells, size_t n, app_err *err);

/*
 * End the workbook and hand it to the caller in a new malloc'ed buffer
 * (free with free()); a streaming writer sends the end of the workbook to
 * its sink instead (*out NULL; out and out_len may be NULL). The writer is
 * spent afterwards: free it. Errors of the sink are returned as they are.
 *
 * An error from fmt_xlsx_writer_row() leaves the writer as it was (that
 * row is not written) and from fmt_xlsx_writer_sheet()'s name check
 * likewise; after any other error only fmt_xlsx_writer_free() may follow.
 */
int fmt_xlsx_writer_finish(fmt_xlsx_writer *w, unsigned char **out, size_t *out_len, app_err *err);

#endif
