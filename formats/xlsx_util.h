/*
 * formats/xlsx_util.h - small pieces of ECMA-376 the xlsx reader needs:
 * part names of an OPC package and OOXML's encodings of values. Pure
 * functions; strings they return are allocated on the arena `a` and live
 * as long as it does. No errors beyond a NULL return where said.
 */
#ifndef FMT_XLSX_UTIL_H
#define FMT_XLSX_UTIL_H

#include "base/arena.h"

#include <stddef.h>

/* The folder of a part name, with its trailing '/' ("" for a top-level part). */
char *fmt_xlsx_part_dir(app_arena *a, const char *part);

/* The relationships part of `part`: "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels". */
char *fmt_xlsx_rels_of(app_arena *a, const char *part);

/*
 * A relationship target resolved against folder `dir` (from
 * fmt_xlsx_part_dir), "." and ".." removed; an absolute target ("/xl/...")
 * is taken from the package root. NULL if it escapes the package or is empty.
 */
char *fmt_xlsx_resolve(app_arena *a, const char *dir, const char *target);

/*
 * An xsd:boolean attribute value v[0..n) that is true: "1" or "true",
 * blanks around it allowed. Anything else is false (0).
 */
int fmt_xlsx_xsd_true(const char *v, size_t n);

/*
 * Undo OOXML's _xHHHH_ escapes in s[0..n) in place (the output is never
 * longer); returns the new length. Escapes of NUL, of surrogates and of
 * U+FFFE/U+FFFF are left as written.
 */
size_t fmt_xlsx_unescape(char *s, size_t n);

#endif
