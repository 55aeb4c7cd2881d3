/*
 * formats/zip_write.c - the zip writers of formats/zip.h (in memory, and
 * streaming to a sink with data descriptors), on zlib's raw deflate.
 * Record layouts: formats/zip_record.h.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "formats/zip.h"
#include "formats/zip_record.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct went {
    char *name;
    uint32_t crc, csize, usize, local;
    uint16_t method, flags;
} went;

struct fmt_zip_writer {
    base_buf out; /* the archive, or (streaming) what has not gone to the sink yet */
    went *ents;
    size_t n, cap;
    int open;      /* an entry is being written */
    int deflating; /* zs initialised for the open entry */
    int spent;     /* finished */
    z_stream zs;
    uint64_t usize;
    uLong crc;
    uint64_t data_at; /* archive offset of the open entry's data */
    fmt_sink sink;    /* fn NULL: the archive is kept in `out` */
    uint64_t sent;    /* bytes already given to the sink */
    int failed;       /* streaming: the error that stopped the writer (sticky) */
};

/* Archive offset of the next byte written. */
static uint64_t
wpos(const fmt_zip_writer *w)
{
    return w->sent + w->out.n;
}

static void
wr16(base_buf *b, uint32_t v)
{
    unsigned char p[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    base_buf_add(b, p, 2);
}

static void
wr32(base_buf *b, uint32_t v)
{
    unsigned char p[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    base_buf_add(b, p, 4);
}

static void
put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

fmt_zip_writer *
fmt_zip_writer_new(void)
{
    return xcalloc(1, sizeof(fmt_zip_writer));
}

fmt_zip_writer *
fmt_zip_writer_new_stream(fmt_sink sink)
{
    fmt_zip_writer *w = xcalloc(1, sizeof(fmt_zip_writer));
    w->sink = sink;
    return w;
}

void
fmt_zip_writer_free(fmt_zip_writer *w)
{
    if (w == NULL)
        return;
    if (w->deflating)
        deflateEnd(&w->zs);
    if (w->open)
        free(w->ents[w->n].name); /* the entry begun but never ended */
    for (size_t i = 0; i < w->n; i++)
        free(w->ents[i].name);
    free(w->ents);
    base_buf_free(&w->out);
    free(w);
}

static int
writer_state(const fmt_zip_writer *w, int want_open, app_err *err)
{
    if (w->failed)
        return app_err_set(err, (app_code)w->failed, NULL,
                           "zip writer: stopped by an earlier error");
    if (w->spent || w->open != want_open)
        return app_err_set(err, APP_EINTERNAL, NULL, "zip writer: call out of order");
    return 0;
}

/* Streaming: hand what is buffered to the sink. A failure stops the writer. */
static int
drain(fmt_zip_writer *w, app_err *err)
{
    if (w->sink.fn == NULL || w->out.n == 0)
        return 0;
    int rc = w->sink.fn(w->sink.ctx, w->out.p, w->out.n, err);
    w->sent += w->out.n;
    base_buf_reset(&w->out);
    if (rc != 0) {
        w->failed = rc;
        return rc;
    }
    return 0;
}

/* Streaming: drain once a chunk's worth is buffered. */
static int
drain_some(fmt_zip_writer *w, app_err *err)
{
    return w->out.n >= FMT_ZIP_STREAM_CHUNK ? drain(w, err) : 0;
}

int
fmt_zip_writer_flush(fmt_zip_writer *w, app_err *err)
{
    if (w->failed)
        return writer_state(w, w->open, err);
    return drain(w, err);
}

static went *
new_entry(fmt_zip_writer *w)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->ents = xrealloc(w->ents, w->cap * sizeof(went));
    }
    went *e = &w->ents[w->n];
    memset(e, 0, sizeof(*e));
    return e;
}

/* The archive is limited to 32-bit offsets (no ZIP64) and 65535 entries. */
static int
check_room(const fmt_zip_writer *w, size_t more, app_err *err)
{
    uint64_t at = wpos(w);
    if (w->n >= 0xFFFF)
        return fmt_zip_too_large(err, "entries");
    if (at > 0xFFFFFFFFu - 0x10000u || more > 0xFFFFFFFFu - 0x10000u - at)
        return fmt_zip_too_large(err, "total");
    return 0;
}

static void
local_header(base_buf *b, const char *name, size_t nlen, uint16_t flags, uint16_t method,
             uint32_t crc, uint32_t csize, uint32_t usize)
{
    wr32(b, SIG_LOCAL);
    wr16(b, 20); /* version needed: 2.0 (deflate) */
    wr16(b, flags);
    wr16(b, method);
    wr16(b, 0); /* time 00:00 */
    wr16(b, DOS_DATE_1980);
    wr32(b, crc);
    wr32(b, csize);
    wr32(b, usize);
    wr16(b, (uint32_t)nlen);
    wr16(b, 0); /* extra */
    base_buf_add(b, name, nlen);
}

int
fmt_zip_writer_begin(fmt_zip_writer *w, const char *name, int level, app_err *err)
{
    int rc;
    size_t nlen = strlen(name);

    if ((rc = writer_state(w, 0, err)) != 0)
        return rc;
    if (nlen == 0 || nlen > 0xFFFF)
        return app_err_set(err, APP_EINVAL, NULL, "zip writer: bad entry name");
    /* a stored entry's size must be known before its data by some readers */
    if (w->sink.fn != NULL && level == 0)
        return app_err_set(err, APP_EINVAL, NULL, "zip writer: a streamed entry is deflated");
    if ((rc = check_room(w, LOCAL_LEN + nlen, err)) != 0)
        return rc;
    went *e = new_entry(w);
    e->method = level == 0 ? 0 : 8;
    /* streaming: CRC and sizes follow the data in a data descriptor (bit 3) */
    e->flags = FLAG_UTF8 | (w->sink.fn != NULL ? FLAG_DESCRIPTOR : 0);
    if (e->method == 8) {
        memset(&w->zs, 0, sizeof(w->zs));
        if (deflateInit2(&w->zs, level < 0 || level > 9 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED,
                         -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return app_err_set(err, APP_EINTERNAL, NULL, "zip writer: deflateInit2 failed");
        w->deflating = 1;
    }
    e->name = xstrdup(name);
    e->local = (uint32_t)wpos(w);
    local_header(&w->out, name, nlen, e->flags, e->method, 0, 0, 0);
    w->data_at = wpos(w);
    w->usize = 0;
    w->crc = crc32(0L, Z_NULL, 0);
    w->open = 1;
    return 0;
}

/* Run deflate over the pending input with `flush`, appending output to w->out. */
static int
pump(fmt_zip_writer *w, int flush, app_err *err)
{
    for (;;) {
        int rc = check_room(w, 65536, err);
        if (rc != 0)
            return rc;
        base_buf_reserve(&w->out, 65536);
        w->zs.next_out = w->out.p + w->out.n;
        w->zs.avail_out = 65536;
        int zr = deflate(&w->zs, flush);
        w->out.n += 65536 - w->zs.avail_out;
        if ((rc = drain_some(w, err)) != 0)
            return rc;
        if (zr == Z_STREAM_END)
            return 0;
        if (zr != Z_OK && zr != Z_BUF_ERROR)
            return app_err_set(err, APP_EINTERNAL, NULL, "zip writer: deflate failed (%d)", zr);
        if (flush == Z_NO_FLUSH && w->zs.avail_in == 0 && w->zs.avail_out > 0)
            return 0;
    }
}

int
fmt_zip_writer_write(fmt_zip_writer *w, const void *p, size_t n, app_err *err)
{
    int rc;

    if ((rc = writer_state(w, 1, err)) != 0)
        return rc;
    const unsigned char *s = p;
    while (n > 0) {
        size_t k = n > (1u << 30) ? (1u << 30) : n;
        if (w->usize + k > 0xFFFFFFFFu - 0x10000u)
            return fmt_zip_too_large(err, "entry");
        w->crc = crc32(w->crc, s, (uInt)k);
        w->usize += k;
        if (!w->deflating) {
            if ((rc = check_room(w, k, err)) != 0)
                return rc;
            base_buf_add(&w->out, s, k);
        } else {
            w->zs.next_in = (Bytef *)(uintptr_t)s;
            w->zs.avail_in = (uInt)k;
            if ((rc = pump(w, Z_NO_FLUSH, err)) != 0)
                return rc;
        }
        s += k;
        n -= k;
    }
    return 0;
}

int
fmt_zip_writer_end(fmt_zip_writer *w, app_err *err)
{
    int rc;

    if ((rc = writer_state(w, 1, err)) != 0)
        return rc;
    if (w->deflating) {
        w->zs.next_in = NULL;
        w->zs.avail_in = 0;
        rc = pump(w, Z_FINISH, err);
        deflateEnd(&w->zs);
        w->deflating = 0;
        if (rc != 0)
            return rc;
    }
    went *e = &w->ents[w->n];
    e->crc = (uint32_t)w->crc;
    e->usize = (uint32_t)w->usize;
    e->csize = (uint32_t)(wpos(w) - w->data_at);
    if (e->flags & FLAG_DESCRIPTOR) {
        if ((rc = check_room(w, 16, err)) != 0)
            return rc;
        wr32(&w->out, SIG_DESCRIPTOR);
        wr32(&w->out, e->crc);
        wr32(&w->out, e->csize);
        wr32(&w->out, e->usize);
    } else {
        put32(w->out.p + e->local + 14, e->crc);
        put32(w->out.p + e->local + 18, e->csize);
        put32(w->out.p + e->local + 22, e->usize);
    }
    w->n++;
    w->open = 0;
    return drain_some(w, err);
}

int
fmt_zip_writer_add(fmt_zip_writer *w, const char *name, const void *p, size_t n, app_err *err)
{
    int rc = fmt_zip_writer_begin(w, name, -1, err);
    if (rc == 0)
        rc = fmt_zip_writer_write(w, p, n, err);
    if (rc == 0)
        rc = fmt_zip_writer_end(w, err);
    return rc;
}

int
fmt_zip_writer_copy(fmt_zip_writer *w, const fmt_zip_writer *from, app_err *err)
{
    int rc;

    if ((rc = writer_state(w, 0, err)) != 0 || (rc = writer_state(from, 0, err)) != 0)
        return rc;
    if (w->sink.fn != NULL || from->sink.fn != NULL)
        return app_err_set(err, APP_EINTERNAL, NULL, "zip writer: copy between streams");
    for (size_t i = 0; i < from->n; i++) {
        const went *s = &from->ents[i];
        size_t len = LOCAL_LEN + strlen(s->name) + s->csize;
        if ((rc = check_room(w, len, err)) != 0)
            return rc;
        went *e = new_entry(w);
        *e = *s;
        e->name = xstrdup(s->name);
        e->local = (uint32_t)w->out.n;
        base_buf_add(&w->out, from->out.p + s->local, len);
        w->n++;
    }
    return 0;
}

int
fmt_zip_writer_finish(fmt_zip_writer *w, unsigned char **out, size_t *out_len, app_err *err)
{
    int rc;

    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    if ((rc = writer_state(w, 0, err)) != 0)
        return rc;
    if (w->sink.fn == NULL && (out == NULL || out_len == NULL))
        return app_err_set(err, APP_EINTERNAL, NULL, "zip writer: nowhere to put the archive");
    uint64_t cd_at = wpos(w);
    for (size_t i = 0; i < w->n; i++) {
        const went *e = &w->ents[i];
        size_t nlen = strlen(e->name);
        if ((rc = check_room(w, CENTRAL_LEN + nlen, err)) != 0)
            return rc;
        wr32(&w->out, SIG_CENTRAL);
        wr16(&w->out, 20); /* made by: MS-DOS, 2.0 */
        wr16(&w->out, 20);
        wr16(&w->out, e->flags);
        wr16(&w->out, e->method);
        wr16(&w->out, 0);
        wr16(&w->out, DOS_DATE_1980);
        wr32(&w->out, e->crc);
        wr32(&w->out, e->csize);
        wr32(&w->out, e->usize);
        wr16(&w->out, (uint32_t)nlen);
        wr16(&w->out, 0); /* extra */
        wr16(&w->out, 0); /* comment */
        wr16(&w->out, 0); /* disk */
        wr16(&w->out, 0); /* internal attributes */
        wr32(&w->out, 0); /* external attributes */
        wr32(&w->out, e->local);
        base_buf_add(&w->out, e->name, nlen);
        if ((rc = drain_some(w, err)) != 0)
            return rc;
    }
    if ((rc = check_room(w, EOCD_LEN, err)) != 0)
        return rc;
    uint64_t cd_size = wpos(w) - cd_at;
    wr32(&w->out, SIG_EOCD);
    wr16(&w->out, 0);
    wr16(&w->out, 0);
    wr16(&w->out, (uint32_t)w->n);
    wr16(&w->out, (uint32_t)w->n);
    wr32(&w->out, (uint32_t)cd_size);
    wr32(&w->out, (uint32_t)cd_at);
    wr16(&w->out, 0);
    w->spent = 1;
    if (w->sink.fn != NULL)
        return drain(w, err);
    *out = base_buf_steal(&w->out, out_len);
    return 0;
}
