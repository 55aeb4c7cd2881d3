/*
 * formats/zip.c - the zip reader of formats/zip.h, on zlib's raw inflate.
 * The writers are in formats/zip_write.c; record layouts in
 * formats/zip_record.h.
 */
#include "formats/zip.h"

#include "base/arena.h"
#include "base/buf.h"
#include "formats/zip_record.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

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

    if ((at >= 20 && rd32(e - 20) == SIG_EOCD64_LOC) || n_all == 0xFFFF || cd_size == 0xFFFFFFFFu ||
        cd_off == 0xFFFFFFFFu)
        return unsupported(err, "zip64");
    if (disk != 0 || cd_disk != 0 || n_here != n_all)
        return malformed(err, "multi-disk archive");
    if ((uint64_t)cd_off + cd_size > (uint64_t)at)
        return malformed(err, "central directory out of bounds");

    fmt_zip_limits l = lim ? *lim : fmt_zip_limits_default();
    if (n_all > l.max_entries)
        return fmt_zip_too_large(err, "entries");

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
        return fmt_zip_too_large(err, "entry");
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
        return fmt_zip_too_large(err, "entry");
    if (z->total > z->lim.max_total)
        return fmt_zip_too_large(err, "total");
    if (z->lim.max_ratio > 0 && r->out > FMT_ZIP_RATIO_FLOOR &&
        r->out / z->lim.max_ratio > r->e->csize)
        return fmt_zip_too_large(err, "ratio");
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
        return fmt_zip_too_large(err, "entry");
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
            rc = fmt_zip_too_large(err, "entry");
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
