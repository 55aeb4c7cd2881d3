/*
 * formats/zip.h - zip archives in memory (PKWARE APPNOTE 6.3), for xlsx files.
 *
 * Reading: the archive is a caller-owned buffer that must outlive the
 * fmt_zip. The end of central directory record is found from the end,
 * every central directory entry is checked to lie inside the buffer, and an
 * entry is inflated incrementally (stored or deflate, via zlib's raw
 * inflate) under hard limits, so a zip bomb fails cleanly after at most
 * max(FMT_ZIP_RATIO_FLOOR, ratio * compressed size) bytes of output.
 * Declared sizes are not trusted: the output is counted as it is produced,
 * and it must match the central directory's size and CRC-32 at the end.
 * Not supported, refused with xlsx_unsupported: ZIP64, multi-disk
 * archives, encrypted entries, methods other than stored (0) and deflate (8).
 *
 * Writing: entries are deflated (or stored) into one growing buffer; local
 * headers carry the sizes and CRC (patched after the data, no data
 * descriptors), names are flagged UTF-8, times are fixed at 1980-01-01 so
 * the same input gives the same bytes. At most 65535 entries and 4 GiB.
 * A streaming writer (fmt_zip_writer_new_stream) hands the archive to a
 * sink (formats/sink.h) as it is made, in pieces of about FMT_ZIP_STREAM_CHUNK
 * bytes, and keeps only what it has not handed over yet plus zlib's state
 * and the central directory's entries: its local headers cannot be patched,
 * so each entry has general purpose bit 3 set, zeros in the local header and
 * a data descriptor (signature PK\7\8, CRC-32, compressed and uncompressed
 * size, 32-bit) after its data; the central directory has the real values.
 * Its entries are always deflated (a stored entry's size must come first for
 * some readers).
 *
 * Errors (slugs; the param, a reason word, selects the text in api/problem.c):
 *   APP_EINVAL    "xlsx_not_zip"      no end of central directory record
 *                 "xlsx_malformed"    param "zip": a structure out of bounds or
 *                                     inconsistent, truncated data, bad deflate
 *                                     data; param "crc": CRC or size mismatch
 *                 "xlsx_unsupported"  param "zip64", "encrypted", "method"
 *   APP_ETOOLARGE "xlsx_too_large"    param "entries", "entry", "total", "ratio"
 * `err` may be NULL everywhere. Objects are not thread-safe; several readers
 * of one fmt_zip must be used from one thread (they share the total count).
 */
#ifndef FMT_ZIP_H
#define FMT_ZIP_H

#include "base/err.h"
#include "formats/sink.h"

#include <stddef.h>
#include <stdint.h>

typedef struct fmt_zip_limits {
    size_t max_entries; /* entries in the central directory */
    uint64_t max_entry; /* uncompressed bytes of one entry */
    uint64_t max_total; /* uncompressed bytes inflated from this archive, all entries */
    unsigned max_ratio; /* uncompressed / compressed, checked beyond FMT_ZIP_RATIO_FLOOR */
} fmt_zip_limits;

#define FMT_ZIP_RATIO_FLOOR (1u << 20) /* entries may inflate this far at any ratio */

/* 4096 entries, 1 GiB per entry, 2 GiB in all, ratio 200. */
fmt_zip_limits fmt_zip_limits_default(void);

/* ---- reading ---- */

typedef struct fmt_zip fmt_zip;

/*
 * Read the central directory of data[0..len). `lim` NULL means the
 * defaults. On success *out is a new archive (free with fmt_zip_close).
 */
int fmt_zip_open(const unsigned char *data, size_t len, const fmt_zip_limits *lim, fmt_zip **out,
                 app_err *err);
void fmt_zip_close(fmt_zip *z); /* z may be NULL */

size_t fmt_zip_count(const fmt_zip *z);
/* Name of entry i (NUL-terminated copy owned by z; bytes as stored). */
const char *fmt_zip_name(const fmt_zip *z, size_t i);
/* Uncompressed size of entry i as declared by the central directory. */
uint64_t fmt_zip_size(const fmt_zip *z, size_t i);
/* Index of the entry named `name` (ASCII case-insensitive, as OPC part
   names are), or -1. A leading "/" in `name` is ignored. */
long fmt_zip_find(const fmt_zip *z, const char *name);

typedef struct fmt_zip_reader fmt_zip_reader;

/* Start inflating entry i. Free with fmt_zip_reader_close(). */
int fmt_zip_reader_open(fmt_zip *z, size_t i, fmt_zip_reader **out, app_err *err);
/*
 * Up to `cap` (> 0) bytes of the entry into buf; *out_n 0 means the end,
 * reached only after the size and CRC-32 were checked. Returns 0 or an
 * error; after an error the reader only returns that error again.
 */
int fmt_zip_reader_read(fmt_zip_reader *r, void *buf, size_t cap, size_t *out_n, app_err *err);
void fmt_zip_reader_close(fmt_zip_reader *r); /* r may be NULL */

/*
 * The whole of entry i into a new malloc'ed buffer (caller frees with
 * free(); NUL-terminated, the NUL not counted in *out_len). Entries larger
 * than `max` bytes fail with xlsx_too_large, param "entry".
 */
int fmt_zip_read_all(fmt_zip *z, size_t i, size_t max, unsigned char **out, size_t *out_len,
                     app_err *err);

/* ---- writing ---- */

typedef struct fmt_zip_writer fmt_zip_writer;

#define FMT_ZIP_STREAM_CHUNK 65536 /* a streaming writer drains from this many buffered bytes */

fmt_zip_writer *fmt_zip_writer_new(void); /* never NULL */
/* A writer that streams the archive to `sink` (see above); never NULL. */
fmt_zip_writer *fmt_zip_writer_new_stream(fmt_sink sink);
void fmt_zip_writer_free(fmt_zip_writer *w); /* w may be NULL */
/*
 * Streaming: hand everything buffered so far to the sink now (a no-op for
 * a writer that keeps the archive). After the sink fails, this and every
 * other call of the writer return that failure; only free may follow.
 */
int fmt_zip_writer_flush(fmt_zip_writer *w, app_err *err);

/*
 * Begin an entry (level 0 stores, 1..9 deflates, -1 zlib's default;
 * a streaming writer refuses 0 with APP_EINVAL), write its bytes in any
 * number of pieces, end it. Only one entry is open at a time. Names must be
 * 1..65535 bytes.
 */
int fmt_zip_writer_begin(fmt_zip_writer *w, const char *name, int level, app_err *err);
int fmt_zip_writer_write(fmt_zip_writer *w, const void *p, size_t n, app_err *err);
int fmt_zip_writer_end(fmt_zip_writer *w, app_err *err);
/* begin + write + end, deflated at zlib's default level. */
int fmt_zip_writer_add(fmt_zip_writer *w, const char *name, const void *p, size_t n, app_err *err);
/* Copy every finished entry of `from` (compressed bytes as they are) after
   the entries of `w`; `from` is not changed. No entry may be open in either,
   and neither may stream. */
int fmt_zip_writer_copy(fmt_zip_writer *w, const fmt_zip_writer *from, app_err *err);
/*
 * Write the central directory and hand the archive to the caller in a new
 * malloc'ed buffer (free with free()); a streaming writer sends the rest
 * of the archive to its sink instead and sets *out NULL (out and out_len
 * may then be NULL). The writer is spent afterwards: only
 * fmt_zip_writer_free() may follow.
 */
int fmt_zip_writer_finish(fmt_zip_writer *w, unsigned char **out, size_t *out_len, app_err *err);

#endif
