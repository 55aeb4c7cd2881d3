/*
 * formats/sink.h - where a file that is written as it is made goes (the
 * streaming zip and xlsx writers, formats/zip.h and formats/xlsx.h, and the roster
 * export, core/export.h).
 *
 * A sink is called with the file's bytes in order, in pieces of any size
 * (never 0 bytes). It returns 0, or an app code with `err` filled (which may
 * be NULL), and the writer then fails with that code. The bytes are borrowed:
 * a sink that keeps them must copy them before it returns.
 */
#ifndef FMT_SINK_H
#define FMT_SINK_H

#include "base/err.h"

#include <stddef.h>

typedef int (*fmt_sink_fn)(void *ctx, const void *p, size_t n, app_err *err);

typedef struct fmt_sink {
    fmt_sink_fn fn;
    void *ctx;
} fmt_sink;

#endif
