/*
 * core/sink.h - where a file that is written as it is made goes (the
 * streaming zip and xlsx writers, core/zip.h and core/xlsx.h, and the roster
 * export, core/export.h).
 *
 * A sink is called with the file's bytes in order, in pieces of any size
 * (never 0 bytes). It returns 0, or an app code with `err` filled (which may
 * be NULL), and the writer then fails with that code. The bytes are borrowed:
 * a sink that keeps them must copy them before it returns.
 */
#ifndef CORE_SINK_H
#define CORE_SINK_H

#include <stddef.h>

#include "core/err.h"

typedef int (*core_sink_fn)(void *ctx, const void *p, size_t n, app_err *err);

typedef struct core_sink {
    core_sink_fn fn;
    void *ctx;
} core_sink;

#endif
