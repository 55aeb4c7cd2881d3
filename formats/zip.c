/*
 * formats/zip.c - zip archives in memory on zlib.
 *
 * Record layouts are those of PKWARE's APPNOTE: local file header
 * (PK\3\4, 30 bytes + name + extra), central directory header (PK\1\2,
 * 46 bytes + name + extra + comment), end of central directory (PK\5\6,
 * 22 bytes + comment). All integers little-endian.
 */
#include "formats/zip.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/arena.h"
#include "base/buf.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64_LOC 0x07064b50u
#define SIG_DESCRIPTOR 0x08074b50u
#define LOCAL_LEN 30
#define CENTRAL_LEN 46
#define EOCD_LEN 22
#define FLAG_ENCRYPTED 0x0001u
#define FLAG_DESCRIPTOR 0x0008u /* CRC and sizes in a data descriptor after the data */
#define FLAG_UTF8 0x0800u
#define DOS_DATE_1980 0x0021u /* 1980-01-01 */

fmt_zip_limits
fmt_zip_limits_default(void)
{
    fmt_zip_limits l = {
        .max_entries = 4096,
        .max_entry = (uint64_t)1 << 30,
        .max_total = (uint64_t)2 << 30,
        .max_ratio = 200,
    };
    return l;
}

static uint32_t
rd16(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- reading ------------------------------------------------------------- */

typedef struct zent {
    char *name;
    uint32_t crc, csize, usize, local;
    uint16_t method, flags;
} zent;

struct fmt_zip {
    const unsigned char *data;
    size_t len;
    fmt_zip_limits lim;
    zent *ents;
    size_t n;
    uint64_t total; /* bytes inflated so far, all readers */
};

struct fmt_zip_reader {
    fmt_zip *z;
    const zent *e;
    const unsigned char *src; /* compressed bytes */
    z_stream zs;
    int inflating; /* zs initialised */
    int ended;
    int failed; /* the error code, sticky */
    uint64_t out;
    uLong crc;
    size_t stored_at;
};

static int
malformed(app_err *err, const char *why)
{
    app_err_set(err, APP_EINVAL, "xlsx_malformed", "zip: %s", why);
    app_err_param(err, "zip");
    return APP_EINVAL;
}

static int
unsupported(app_err *err, const char *what)
{
    app_err_set(err, APP_EINVAL, "xlsx_unsupported", "zip: %s not supported", what);
    app_err_param(err, what);
    return APP_EINVAL;
}

static int
too_large(app_err *err, const char *what)
{
    app_err_set(err, APP_ETOOLARGE, "xlsx_too_large", "zip: limit on %s exceeded", what);
    app_err_param(err, what);
    return APP_ETOOLARGE;
}

/* The end of central directory record nearest the end whose comment fits. */
static long
find_eocd(const unsigned char *d, size_t len)
{
    if (len < EOCD_LEN)
        return -1;
    size_t lowest = len - EOCD_LEN > 0xFFFF ? len - EOCD_LEN - 0xFFFF : 0;
    for (size_t i = len - EOCD_LEN + 1; i-- > lowest;) {
        if (rd32(d + i) == SIG_EOCD && i + EOCD_LEN + rd16(d + i + 20) <= len)
            return (long)i;
    }
    return -1;
}

int
fmt_zip_open(const unsigned char *data, size_t len, const fmt_zip_limits *lim, fmt_zip **out,
              app_err *err)
{
    *out = NULL;
    if (data == NULL)
        len = 0;
    long at = find_eocd(data, len);
    if (at < 0)
        return app_err_set(err, APP_EINVAL, "xlsx_not_zip", "no end of central directory");
    const unsigned char *e = data + at;
    uint32_t disk = rd16(e + 4), cd_disk = rd16(e + 6);
    uint32_t n_here = rd16(e + 8), n_all = rd16(e + 10);
    uint32_t cd_size = rd32(e + 12), cd_off = rd32(e + 16);

    if ((at >= 20 && rd32(e - 20) == SIG_EOCD64_LOC) || n_all == 0xFFFF ||
        cd_size == 0xFFFFFFFFu || cd_off == 0xFFFFFFFFu)
        return unsupported(err, "zip64");
    if (disk != 0 || cd_disk != 0 || n_here != n_all)
        return malformed(err, "multi-disk archive");
    if ((uint64_t)cd_off + cd_size > (uint64_t)at)
        return malformed(err, "central directory out of bounds");

    fmt_zip_limits l = lim ? *lim : fmt_zip_limits_default();
    if (n_all > l.max_entries)
        return too_large(err, "entries");

    fmt_zip *z = xcalloc(1, sizeof(*z));
    z->data = data;
    z->len = len;
    z->lim = l;
    z->ents = xcalloc(n_all ? n_all : 1, sizeof(zent));

    const unsigned char *p = data + cd_off, *end = data + cd_off + cd_size;
    int rc = 0;
    for (uint32_t k = 0; k < n_all; k++) {
        if ((size_t)(end - p) < CENTRAL_LEN || rd32(p) != SIG_CENTRAL) {
            rc = malformed(err, "bad central directory entry");
            goto fail;
        }
        uint32_t nlen = rd16(p + 28), xlen = rd16(p + 30), clen = rd16(p + 32);
        if ((size_t)(end - p) - CENTRAL_LEN < (size_t)nlen + xlen + clen) {
            rc = malformed(err, "central directory entry out of bounds");
            goto fail;
        }
        zent *ze = &z->ents[z->n];
        ze->flags = (uint16_t)rd16(p + 8);
        ze->method = (uint16_t)rd16(p + 10);
        ze->crc = rd32(p + 16);
        ze->csize = rd32(p + 20);
        ze->usize = rd32(p + 24);
        ze->local = rd32(p + 42);
        if (ze->csize == 0xFFFFFFFFu || ze->usize == 0xFFFFFFFFu || ze->local == 0xFFFFFFFFu) {
            rc = unsupported(err, "zip64");
            goto fail;
        }
        if (rd16(p + 34) != 0) {
            rc = malformed(err, "multi-disk entry");
            goto fail;
        }
        ze->name = xmalloc((size_t)nlen + 1);
        memcpy(ze->name, p + CENTRAL_LEN, nlen);
        ze->name[nlen] = '\0';
        z->n++;
        p += CENTRAL_LEN + nlen + xlen + clen;
    }
    *out = z;
    return 0;
fail:
    fmt_zip_close(z);
    return rc;
}

void
fmt_zip_close(fmt_zip *z)
{
    if (z == NULL)
        return;
    for (size_t i = 0; i < z->n; i++)
        free(z->ents[i].name);
    free(z->ents);
    free(z);
}

size_t
fmt_zip_count(const fmt_zip *z)
{
    return z->n;
}

const char *
fmt_zip_name(const fmt_zip *z, size_t i)
{
    return i < z->n ? z->ents[i].name : NULL;
}

uint64_t
fmt_zip_size(const fmt_zip *z, size_t i)
{
    return i < z->n ? z->ents[i].usize : 0;
}

static int
ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

long
fmt_zip_find(const fmt_zip *z, const char *name)
{
    if (name[0] == '/')
        name++;
    for (size_t i = 0; i < z->n; i++) {
        const char *a = z->ents[i].name, *b = name;
        if (a[0] == '/')
            a++;
        while (*a && ascii_lower((unsigned char)*a) == ascii_lower((unsigned char)*b))
            a++, b++;
        if (*a == '\0' && *b == '\0')
            return (long)i;
    }
    return -1;
}

int
fmt_zip_reader_open(fmt_zip *z, size_t i, fmt_zip_reader **out, app_err *err)
{
    *out = NULL;
    if (i >= z->n)
        return app_err_set(err, APP_EINVAL, "xlsx_malformed", "zip: no entry %zu", i);
    const zent *e = &z->ents[i];
    if (e->flags & FLAG_ENCRYPTED)
        return unsupported(err, "encrypted");
    if (e->method != 0 && e->method != 8)
        return unsupported(err, "method");
    if (e->usize > z->lim.max_entry)
        return too_large(err, "entry");
    if (e->local > z->len || z->len - e->local < LOCAL_LEN || rd32(z->data + e->local) != SIG_LOCAL)
        return malformed(err, "bad local header");
    const unsigned char *lh = z->data + e->local;
    size_t skip = (size_t)LOCAL_LEN + rd16(lh + 26) + rd16(lh + 28);
    if (z->len - e->local < skip || z->len - e->local - skip < e->csize)
        return malformed(err, "entry data out of bounds");
    if (e->method == 0 && e->csize != e->usize)
        return malformed(err, "stored entry sizes differ");

    fmt_zip_reader *r = xcalloc(1, sizeof(*r));
    r->z = z;
    r->e = e;
    r->src = lh + skip;
    r->crc = crc32(0L, Z_NULL, 0);
    if (e->method == 8) {
        r->zs.next_in = (Bytef *)(uintptr_t)r->src; /* zlib does not write through next_in */
        r->zs.avail_in = e->csize;
        if (inflateInit2(&r->zs, -MAX_WBITS) != Z_OK) {
            free(r);
            return app_err_set(err, APP_EINTERNAL, NULL, "zip: inflateInit2 failed");
        }
        r->inflating = 1;
    }
    *out = r;
    return 0;
}

/* Account for n new bytes of output; an error once a limit is passed. */
static int
count_out(fmt_zip_reader *r, size_t n, app_err *err)
{
    fmt_zip *z = r->z;
    r->out += n;
    z->total += n;
    if (r->out > r->e->usize)
        return malformed(err, "entry longer than declared");
    if (r->out > z->lim.max_entry)
        return too_large(err, "entry");
    if (z->total > z->lim.max_total)
        return too_large(err, "total");
    if (z->lim.max_ratio > 0 && r->out > FMT_ZIP_RATIO_FLOOR &&
        r->out / z->lim.max_ratio > r->e->csize)
        return too_large(err, "ratio");
    return 0;
}

static int
finish_entry(fmt_zip_reader *r, app_err *err)
{
    r->ended = 1;
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    /* make fuzz (tests/fuzz): a mutated entry would always fail here, after
       its bytes went through the XML reader; take its CRC as right so that
       the parts read whole before they are parsed get fuzzed as well */
    r->crc = r->e->crc;
#endif
    if (r->out != r->e->usize || r->crc != r->e->crc) {
        app_err_set(err, APP_EINVAL, "xlsx_malformed", "zip: size or CRC mismatch in %s",
                    r->e->name);
        app_err_param(err, "crc");
        return APP_EINVAL;
    }
    return 0;
}

int
fmt_zip_reader_read(fmt_zip_reader *r, void *buf, size_t cap, size_t *out_n, app_err *err)
{
    int rc;

    *out_n = 0;
    if (r->failed)
        return r->failed;
    if (r->ended || cap == 0)
        return 0;
    if (!r->inflating) {
        size_t left = r->e->csize - r->stored_at, n = left < cap ? left : cap;
        if (n == 0) {
            rc = finish_entry(r, err);
            goto done;
        }
        memcpy(buf, r->src + r->stored_at, n);
        r->stored_at += n;
        r->crc = crc32(r->crc, buf, (uInt)n);
        if ((rc = count_out(r, n, err)) != 0)
            goto done;
        *out_n = n;
        return 0;
    }
    if (cap > UINT_MAX)
        cap = UINT_MAX;
    for (;;) {
        r->zs.next_out = buf;
        r->zs.avail_out = (uInt)cap;
        int zr = inflate(&r->zs, Z_NO_FLUSH);
        size_t n = cap - r->zs.avail_out;
        if (n > 0) {
            r->crc = crc32(r->crc, buf, (uInt)n);
            if ((rc = count_out(r, n, err)) != 0)
                goto done;
        }
        if (zr == Z_STREAM_END) {
            if (n == 0) {
                rc = finish_entry(r, err);
                goto done;
            }
            /* report the data now, check on the next call */
            r->zs.avail_in = 0;
            *out_n = n;
            inflateEnd(&r->zs);
            r->inflating = 0;
            r->stored_at = r->e->csize; /* the stored path then finishes */
            return 0;
        }
        if (zr == Z_MEM_ERROR) {
            rc = app_err_set(err, APP_EINTERNAL, NULL, "zip: out of memory in inflate");
            goto done;
        }
        if (zr != Z_OK && !(zr == Z_BUF_ERROR && n > 0)) {
            /* Z_DATA_ERROR, Z_NEED_DICT, or Z_BUF_ERROR: input ended early */
            rc = malformed(err, zr == Z_BUF_ERROR ? "truncated deflate data" : "bad deflate data");
            goto done;
        }
        if (n > 0) {
            *out_n = n;
            return 0;
        }
    }
done:
    if (rc != 0)
        r->failed = rc;
    return rc;
}

void
fmt_zip_reader_close(fmt_zip_reader *r)
{
    if (r == NULL)
        return;
    if (r->inflating)
        inflateEnd(&r->zs);
    free(r);
}

int
fmt_zip_read_all(fmt_zip *z, size_t i, size_t max, unsigned char **out, size_t *out_len,
                  app_err *err)
{
    fmt_zip_reader *r;
    base_buf b = {0};
    int rc;

    *out = NULL;
    *out_len = 0;
    if (i < z->n && z->ents[i].usize > max)
        return too_large(err, "entry");
    if ((rc = fmt_zip_reader_open(z, i, &r, err)) != 0)
        return rc;
    /* the declared size is a hint only: never trust it for more than a MiB */
    base_buf_reserve(&b, z->ents[i].usize < (1u << 20) ? z->ents[i].usize : (1u << 20));
    for (;;) {
        size_t n;
        base_buf_reserve(&b, 16384);
        if ((rc = fmt_zip_reader_read(r, b.p + b.n, b.cap - b.n - 1, &n, err)) != 0)
            break;
        if (n == 0)
            break;
        b.n += n;
        if (b.n > max) {
            rc = too_large(err, "entry");
            break;
        }
    }
    fmt_zip_reader_close(r);
    if (rc != 0) {
        base_buf_free(&b);
        return rc;
    }
    *out = base_buf_steal(&b, out_len);
    return 0;
}

/* ---- writing ------------------------------------------------------------- */

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
    fmt_sink sink;   /* fn NULL: the archive is kept in `out` */
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
        return app_err_set(err, (app_code)w->failed, NULL, "zip writer: stopped by an earlier error");
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
        return too_large(err, "entries");
    if (at > 0xFFFFFFFFu - 0x10000u || more > 0xFFFFFFFFu - 0x10000u - at)
        return too_large(err, "total");
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
        if (deflateInit2(&w->zs, level < 0 || level > 9 ? Z_DEFAULT_COMPRESSION : level,
                         Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
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
            return too_large(err, "entry");
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
