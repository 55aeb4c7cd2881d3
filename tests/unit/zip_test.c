/*
 * tests/unit/zip_test.c - zip archives in memory (formats/zip.h), and the
 * streaming writer's archives read back by the same reader.
 *
 * Archives are built with the writer, then read back, patched into every
 * kind of damage the reader must refuse cleanly, or inflated past the
 * limits. Every input handed to the reader is a malloc'ed copy of exactly
 * its length, so the debug build's AddressSanitizer sees any overread.
 */
#include "base/err.h"
#include "formats/zip.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct blob {
    unsigned char *p;
    size_t n;
} blob;

static blob
copy_of(const void *p, size_t n)
{
    blob b = {malloc(n ? n : 1), n};
    memcpy(b.p, p, n);
    return b;
}

static void
put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static void
put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t
get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Pseudo-random but compressible bytes. */
static void
fill_text(unsigned char *p, size_t n, unsigned seed)
{
    static const char words[] = "姓名 身份证号 <row r=\"1\"><c t=\"s\"><v>42</v></c></row> ";
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (x >> 24) < 40 ? (unsigned char)(x >> 16)
                              : (unsigned char)words[i % (sizeof(words) - 1)];
    }
}

/* An archive of three entries: "a.txt" deflated, "dir/B.XML" stored, "empty" deflated. */
static blob
sample(void)
{
    fmt_zip_writer *w = fmt_zip_writer_new();
    app_err err = {0};
    unsigned char *out;
    size_t n;

    ck_assert_int_eq(fmt_zip_writer_add(w, "a.txt", "hello, hello, hello", 19, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_begin(w, "dir/B.XML", 0, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_write(w, "<x>", 3, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_write(w, "中文</x>", 10, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_end(w, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_add(w, "empty", "", 0, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_finish(w, &out, &n, &err), 0);
    fmt_zip_writer_free(w);
    blob b = copy_of(out, n);
    free(out);
    return b;
}

/* Offset of the end of central directory record (no comment). */
static size_t
eocd(const blob *b)
{
    return b->n - 22;
}

/* Offset of central directory entry k. */
static size_t
central(const blob *b, int k)
{
    size_t at = get32(b->p + eocd(b) + 16);
    for (int i = 0; i < k; i++)
        at += 46 + (b->p[at + 28] | b->p[at + 29] << 8) + (b->p[at + 30] | b->p[at + 31] << 8) +
              (b->p[at + 32] | b->p[at + 33] << 8);
    return at;
}

static int
read_entry(fmt_zip *z, const char *name, unsigned char **out, size_t *n, app_err *err)
{
    long i = fmt_zip_find(z, name);
    ck_assert_int_ge(i, 0);
    return fmt_zip_read_all(z, (size_t)i, SIZE_MAX, out, n, err);
}

static void
expect_open_err(const blob *b, const fmt_zip_limits *lim, app_code code, const char *slug,
                const char *param)
{
    fmt_zip *z = NULL;
    app_err err = {0};
    ck_assert_int_eq(fmt_zip_open(b->p, b->n, lim, &z, &err), code);
    ck_assert_ptr_null(z);
    ck_assert_str_eq(err.slug, slug);
    if (param)
        ck_assert_str_eq(err.param, param);
}

/* Open must work; reading entry `name` must fail with code/slug/param. */
static void
expect_read_err(const blob *b, const fmt_zip_limits *lim, const char *name, app_code code,
                const char *slug, const char *param)
{
    fmt_zip *z = NULL;
    app_err err = {0};
    unsigned char *out = NULL;
    size_t n;
    ck_assert_int_eq(fmt_zip_open(b->p, b->n, lim, &z, &err), 0);
    ck_assert_int_eq(read_entry(z, name, &out, &n, &err), code);
    ck_assert_ptr_null(out);
    ck_assert_str_eq(err.slug, slug);
    if (param)
        ck_assert_str_eq(err.param, param);
    fmt_zip_close(z);
}

/* ---- round trips ------------------------------------------------------------------ */

START_TEST(test_round_trip)
{
    blob b = sample();
    fmt_zip *z;
    app_err err = {0};
    unsigned char *out;
    size_t n;

    ck_assert_int_eq(fmt_zip_open(b.p, b.n, NULL, &z, &err), 0);
    ck_assert_uint_eq(fmt_zip_count(z), 3);
    ck_assert_str_eq(fmt_zip_name(z, 0), "a.txt");
    ck_assert_str_eq(fmt_zip_name(z, 1), "dir/B.XML");
    ck_assert_ptr_null(fmt_zip_name(z, 3));
    ck_assert_uint_eq(fmt_zip_size(z, 1), 13);
    ck_assert_int_eq(fmt_zip_find(z, "DIR/b.xml"), 1); /* OPC names ignore case */
    ck_assert_int_eq(fmt_zip_find(z, "/a.txt"), 0);
    ck_assert_int_eq(fmt_zip_find(z, "a.tx"), -1);
    ck_assert_int_eq(fmt_zip_find(z, "a.txt2"), -1);

    ck_assert_int_eq(read_entry(z, "a.txt", &out, &n, &err), 0);
    ck_assert_uint_eq(n, 19);
    ck_assert_str_eq((char *)out, "hello, hello, hello");
    free(out);
    ck_assert_int_eq(read_entry(z, "dir/B.XML", &out, &n, &err), 0);
    ck_assert_str_eq((char *)out, "<x>中文</x>");
    free(out);
    ck_assert_int_eq(read_entry(z, "empty", &out, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    free(out);
    fmt_zip_close(z);
    free(b.p);
}
END_TEST

/* The same input gives the same bytes: stored entry 1 is readable in place. */
START_TEST(test_writer_layout)
{
    blob a = sample(), b = sample();
    ck_assert_uint_eq(a.n, b.n);
    ck_assert_mem_eq(a.p, b.p, a.n);
    ck_assert_uint_eq(get32(a.p), 0x04034b50u);
    ck_assert_mem_eq(a.p + 30, "a.txt", 5);
    ck_assert_uint_eq(get32(a.p + eocd(&a)), 0x06054b50u);
    /* general purpose flag: names are UTF-8 (bit 11); sizes in the local header */
    ck_assert_uint_eq(a.p[7], 0x08);
    ck_assert_uint_eq(get32(a.p + 22), 19);
    free(a.p);
    free(b.p);
}
END_TEST

/* A large entry written in pieces, read back a few bytes at a time. */
START_TEST(test_streaming)
{
    size_t big = 300000;
    unsigned char *data = malloc(big), *out, buf[7];
    fmt_zip_writer *w = fmt_zip_writer_new();
    app_err err = {0};
    size_t n, got = 0;
    fmt_zip *z;
    fmt_zip_reader *r;

    fill_text(data, big, 1);
    ck_assert_int_eq(fmt_zip_writer_begin(w, "big", 6, &err), 0);
    for (size_t at = 0; at < big; at += 100003)
        ck_assert_int_eq(
            fmt_zip_writer_write(w, data + at, big - at < 100003 ? big - at : 100003, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_end(w, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_finish(w, &out, &n, &err), 0);
    fmt_zip_writer_free(w);
    ck_assert_uint_lt(n, big / 2);

    ck_assert_int_eq(fmt_zip_open(out, n, NULL, &z, &err), 0);
    ck_assert_int_eq(fmt_zip_reader_open(z, 0, &r, &err), 0);
    for (;;) {
        size_t k;
        ck_assert_int_eq(fmt_zip_reader_read(r, buf, sizeof(buf), &k, &err), 0);
        if (k == 0)
            break;
        ck_assert_uint_le(got + k, big);
        ck_assert_mem_eq(buf, data + got, k);
        got += k;
    }
    ck_assert_uint_eq(got, big);
    size_t k = 1;
    ck_assert_int_eq(fmt_zip_reader_read(r, buf, sizeof(buf), &k, &err), 0); /* stays at the end */
    ck_assert_uint_eq(k, 0);
    fmt_zip_reader_close(r);
    fmt_zip_close(z);
    free(out);
    free(data);
}
END_TEST

/* ---- the streaming writer ------------------------------------------------------ */

/* A sink that keeps what it gets, notes the pieces, and may fail after `fail_after` bytes. */
typedef struct sunk {
    unsigned char *p;
    size_t n, cap;
    int calls;
    size_t biggest;
    size_t fail_after; /* 0: never */
} sunk;

static int
sink_keep(void *ctx, const void *p, size_t n, app_err *err)
{
    sunk *k = ctx;
    ck_assert_uint_gt(n, 0);
    if (k->fail_after && k->n + n > k->fail_after)
        return app_err_set(err, APP_EUNAVAIL, NULL, "sink: gone");
    if (k->n + n > k->cap) {
        k->cap = (k->n + n) * 2;
        k->p = realloc(k->p, k->cap);
    }
    memcpy(k->p + k->n, p, n);
    k->n += n;
    k->calls++;
    if (n > k->biggest)
        k->biggest = n;
    return 0;
}

/* Three entries through a streaming writer: read back like any archive, with
   data descriptors; the archive reached the sink as it was made. */
START_TEST(test_stream_writer)
{
    size_t big = 3000000;
    unsigned char *data = malloc(big), *out;
    sunk k = {0};
    fmt_sink sink = {sink_keep, &k};
    fmt_zip_writer *w = fmt_zip_writer_new_stream(sink);
    app_err err = {0};
    size_t n;
    fmt_zip *z;

    fill_text(data, big, 7);
    ck_assert_int_eq(fmt_zip_writer_add(w, "a.txt", "hello, hello, hello", 19, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_begin(w, "big.xml", 3, &err), 0);
    for (size_t at = 0; at < big; at += 100003)
        ck_assert_int_eq(
            fmt_zip_writer_write(w, data + at, big - at < 100003 ? big - at : 100003, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_end(w, &err), 0);
    size_t before = k.n; /* most of the archive is out before the last entry */
    ck_assert_int_eq(fmt_zip_writer_add(w, "empty", "", 0, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_flush(w, &err), 0);
    ck_assert_uint_gt(k.n, before);
    ck_assert_int_eq(fmt_zip_writer_finish(w, NULL, NULL, &err), 0);
    fmt_zip_writer_free(w);
    ck_assert_uint_gt(before, k.n / 2);
    ck_assert_int_gt(k.calls, 4);
    ck_assert_uint_le(k.biggest, 2 * FMT_ZIP_STREAM_CHUNK + 65536);

    blob b = copy_of(k.p, k.n);
    ck_assert_int_eq(fmt_zip_open(b.p, b.n, NULL, &z, &err), 0);
    ck_assert_uint_eq(fmt_zip_count(z), 3);
    ck_assert_int_eq(read_entry(z, "a.txt", &out, &n, &err), 0);
    ck_assert_str_eq((char *)out, "hello, hello, hello");
    free(out);
    ck_assert_int_eq(read_entry(z, "big.xml", &out, &n, &err), 0);
    ck_assert_uint_eq(n, big);
    ck_assert_mem_eq(out, data, big);
    free(out);
    ck_assert_int_eq(read_entry(z, "empty", &out, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    free(out);
    fmt_zip_close(z);

    /* the layout: bit 3 and zeros in the local header, then the data, then the
       descriptor PK\7\8 with the central directory's CRC and sizes */
    size_t cd = central(&b, 0);
    uint32_t crc = get32(b.p + cd + 16), csize = get32(b.p + cd + 20);
    ck_assert_uint_eq(b.p[6], 0x08);
    ck_assert_uint_eq(b.p[7], 0x08);
    ck_assert_uint_eq(b.p[cd + 8], 0x08);
    ck_assert_uint_eq(get32(b.p + 14), 0);
    ck_assert_uint_eq(get32(b.p + 18), 0);
    ck_assert_uint_eq(get32(b.p + 22), 0);
    size_t dd = 30 + 5 + csize;
    ck_assert_uint_eq(get32(b.p + dd), 0x08074b50u);
    ck_assert_uint_eq(get32(b.p + dd + 4), crc);
    ck_assert_uint_eq(get32(b.p + dd + 8), csize);
    ck_assert_uint_eq(get32(b.p + dd + 12), 19);
    ck_assert_uint_eq(get32(b.p + central(&b, 1) + 42), dd + 16); /* the next entry follows */
    free(b.p);
    free(k.p);
    free(data);
}
END_TEST

/* A streaming writer stores nothing, copies nothing, and stops at its sink's error. */
START_TEST(test_stream_writer_errors)
{
    sunk k = {0};
    fmt_sink sink = {sink_keep, &k};
    fmt_zip_writer *w = fmt_zip_writer_new_stream(sink), *other = fmt_zip_writer_new();
    app_err err = {0};
    unsigned char *out = (unsigned char *)"x";
    size_t n = 1;

    ck_assert_int_eq(fmt_zip_writer_begin(w, "stored", 0, &err), APP_EINVAL);
    ck_assert_int_eq(fmt_zip_writer_copy(w, other, &err), APP_EINTERNAL);
    ck_assert_int_eq(fmt_zip_writer_copy(other, w, &err), APP_EINTERNAL);
    ck_assert_int_eq(fmt_zip_writer_finish(other, NULL, NULL, &err), APP_EINTERNAL);
    fmt_zip_writer_free(other);
    ck_assert_int_eq(fmt_zip_writer_add(w, "a", "abc", 3, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_finish(w, &out, &n, &err), 0);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(n, 0);
    fmt_zip_writer_free(w);
    free(k.p);

    /* the sink fails after 100 kB: that error, and the same from then on */
    size_t big = 1000000;
    unsigned char *data = malloc(big);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < big; i++) { /* xorshift: incompressible */
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (unsigned char)x;
    }
    memset(&k, 0, sizeof(k));
    k.fail_after = 100000;
    w = fmt_zip_writer_new_stream(sink);
    ck_assert_int_eq(fmt_zip_writer_begin(w, "big", 1, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_write(w, data, big, &err), APP_EUNAVAIL);
    ck_assert_int_eq(fmt_zip_writer_write(w, "x", 1, &err), APP_EUNAVAIL);
    ck_assert_int_eq(fmt_zip_writer_end(w, &err), APP_EUNAVAIL);
    ck_assert_int_eq(fmt_zip_writer_flush(w, &err), APP_EUNAVAIL);
    ck_assert_int_eq(fmt_zip_writer_finish(w, NULL, NULL, &err), APP_EUNAVAIL);
    ck_assert_uint_le(k.n, 100000);
    fmt_zip_writer_free(w); /* the open entry and zlib's state go too (ASan) */
    free(k.p);
    free(data);
}
END_TEST

START_TEST(test_copy)
{
    fmt_zip_writer *a = fmt_zip_writer_new(), *b = fmt_zip_writer_new();
    app_err err = {0};
    unsigned char *out, *e;
    size_t n, en;
    fmt_zip *z;

    ck_assert_int_eq(fmt_zip_writer_add(a, "first", "1111", 4, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_add(b, "x/second", "2222222222", 10, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_add(b, "x/third", "3", 1, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_copy(a, b, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_finish(a, &out, &n, &err), 0);
    ck_assert_int_eq(fmt_zip_open(out, n, NULL, &z, &err), 0);
    ck_assert_uint_eq(fmt_zip_count(z), 3);
    ck_assert_int_eq(read_entry(z, "x/second", &e, &en, &err), 0);
    ck_assert_str_eq((char *)e, "2222222222");
    free(e);
    ck_assert_int_eq(read_entry(z, "x/third", &e, &en, &err), 0);
    ck_assert_str_eq((char *)e, "3");
    free(e);
    fmt_zip_close(z);
    free(out);
    /* out of order calls are refused */
    ck_assert_int_eq(fmt_zip_writer_write(b, "x", 1, &err), APP_EINTERNAL);
    ck_assert_int_eq(fmt_zip_writer_begin(b, "", 1, &err), APP_EINVAL);
    ck_assert_int_eq(fmt_zip_writer_add(a, "late", "x", 1, &err), APP_EINTERNAL);
    fmt_zip_writer_free(a);
    fmt_zip_writer_free(b);
}
END_TEST

/* A comment after the end record (zip -z) is allowed. */
START_TEST(test_comment)
{
    blob b = sample();
    blob c = {malloc(b.n + 5), b.n + 5};
    memcpy(c.p, b.p, b.n);
    memcpy(c.p + b.n, "hello", 5);
    put16(c.p + eocd(&b) + 20, 5);
    fmt_zip *z;
    app_err err = {0};
    ck_assert_int_eq(fmt_zip_open(c.p, c.n, NULL, &z, &err), 0);
    ck_assert_uint_eq(fmt_zip_count(z), 3);
    fmt_zip_close(z);
    free(b.p);
    free(c.p);
}
END_TEST

/* ---- damage -------------------------------------------------------------------- */

START_TEST(test_not_zip)
{
    static const char *const inputs[] = {"", "PK", "hello world, this is not a zip archive at all",
                                         "PK\x03\x04 local header but nothing else"};
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        blob b = copy_of(inputs[i], strlen(inputs[i]));
        expect_open_err(&b, NULL, APP_EINVAL, "xlsx_not_zip", NULL);
        free(b.p);
    }
    fmt_zip *z;
    app_err err = {0};
    ck_assert_int_eq(fmt_zip_open(NULL, 0, NULL, &z, &err), APP_EINVAL);
}
END_TEST

/* Every prefix of an archive fails cleanly (or, for none, succeeds). */
START_TEST(test_truncated)
{
    blob full = sample();
    for (size_t len = 0; len < full.n; len++) {
        blob b = copy_of(full.p, len);
        fmt_zip *z = NULL;
        app_err err = {0};
        int rc = fmt_zip_open(b.p, b.n, NULL, &z, &err);
        ck_assert_int_lt(rc, 0);
        ck_assert_ptr_nonnull(err.slug);
        free(b.p);
    }
    free(full.p);
}
END_TEST

START_TEST(test_bad_central)
{
    blob b = sample();
    size_t c0 = central(&b, 0);

    b.p[c0] ^= 0xFF; /* signature */
    expect_open_err(&b, NULL, APP_EINVAL, "xlsx_malformed", "zip");
    b.p[c0] ^= 0xFF;

    put32(b.p + eocd(&b) + 16, (uint32_t)b.n); /* central directory offset past the end */
    expect_open_err(&b, NULL, APP_EINVAL, "xlsx_malformed", "zip");
    put32(b.p + eocd(&b) + 16, (uint32_t)c0);

    put16(b.p + c0 + 28, 60000); /* name length past the directory */
    expect_open_err(&b, NULL, APP_EINVAL, "xlsx_malformed", "zip");
    put16(b.p + c0 + 28, 5);

    put16(b.p + eocd(&b) + 4, 1); /* disk number */
    expect_open_err(&b, NULL, APP_EINVAL, "xlsx_malformed", "zip");
    put16(b.p + eocd(&b) + 4, 0);

    put32(b.p + c0 + 42, (uint32_t)b.n - 10); /* local header out of bounds */
    expect_read_err(&b, NULL, "a.txt", APP_EINVAL, "xlsx_malformed", "zip");
    put32(b.p + c0 + 42, 0);

    put32(b.p + c0 + 20, 100000); /* compressed size past the end */
    expect_read_err(&b, NULL, "a.txt", APP_EINVAL, "xlsx_malformed", "zip");
    free(b.p);
}
END_TEST

START_TEST(test_bad_data)
{
    blob b = sample();
    size_t c0 = central(&b, 0), c1 = central(&b, 1);

    put32(b.p + c0 + 16, get32(b.p + c0 + 16) ^ 1); /* CRC */
    expect_read_err(&b, NULL, "a.txt", APP_EINVAL, "xlsx_malformed", "crc");
    put32(b.p + c0 + 16, get32(b.p + c0 + 16) ^ 1);

    put32(b.p + c0 + 24, 18); /* declared one byte short */
    expect_read_err(&b, NULL, "a.txt", APP_EINVAL, "xlsx_malformed", "zip");
    put32(b.p + c0 + 24, 20); /* declared one byte long */
    expect_read_err(&b, NULL, "a.txt", APP_EINVAL, "xlsx_malformed", "crc");
    put32(b.p + c0 + 24, 19);

    put32(b.p + c0 + 20, get32(b.p + c0 + 20) - 2); /* deflate data cut short */
    expect_read_err(&b, NULL, "a.txt", APP_EINVAL, "xlsx_malformed", "zip");
    put32(b.p + c0 + 20, get32(b.p + c0 + 20) + 2);

    b.p[30 + 5] = 0xFF; /* first deflate block header: reserved block type */
    b.p[30 + 5] = 0x07;
    expect_read_err(&b, NULL, "a.txt", APP_EINVAL, "xlsx_malformed", "zip");

    put32(b.p + c1 + 24, 14); /* stored entry whose sizes differ */
    expect_read_err(&b, NULL, "dir/B.XML", APP_EINVAL, "xlsx_malformed", "zip");
    free(b.p);
}
END_TEST

START_TEST(test_unsupported)
{
    blob b = sample();
    size_t c0 = central(&b, 0);

    b.p[c0 + 8] |= 1; /* encrypted */
    expect_read_err(&b, NULL, "a.txt", APP_EINVAL, "xlsx_unsupported", "encrypted");
    b.p[c0 + 8] &= (unsigned char)~1;

    put16(b.p + c0 + 10, 12); /* bzip2 */
    expect_read_err(&b, NULL, "a.txt", APP_EINVAL, "xlsx_unsupported", "method");
    put16(b.p + c0 + 10, 8);

    put32(b.p + c0 + 24, 0xFFFFFFFFu); /* ZIP64 sizes */
    expect_open_err(&b, NULL, APP_EINVAL, "xlsx_unsupported", "zip64");
    put32(b.p + c0 + 24, 19);

    put16(b.p + eocd(&b) + 8, 0xFFFF); /* ZIP64 entry count */
    put16(b.p + eocd(&b) + 10, 0xFFFF);
    expect_open_err(&b, NULL, APP_EINVAL, "xlsx_unsupported", "zip64");
    free(b.p);
}
END_TEST

/* ---- limits ------------------------------------------------------------------------ */

/* An archive whose one entry "bomb" is `n` zero bytes. */
static blob
zeros(size_t n)
{
    fmt_zip_writer *w = fmt_zip_writer_new();
    unsigned char *chunk = calloc(1, 1 << 20), *out;
    app_err err = {0};
    size_t len;

    ck_assert_int_eq(fmt_zip_writer_begin(w, "bomb", 9, &err), 0);
    for (size_t at = 0; at < n; at += 1 << 20)
        ck_assert_int_eq(
            fmt_zip_writer_write(w, chunk, n - at < (1u << 20) ? n - at : 1u << 20, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_end(w, &err), 0);
    ck_assert_int_eq(fmt_zip_writer_finish(w, &out, &len, &err), 0);
    fmt_zip_writer_free(w);
    free(chunk);
    blob b = copy_of(out, len);
    free(out);
    return b;
}

/* 64 MiB of zeros deflate to ~64 KiB: the ratio limit stops it early. */
START_TEST(test_bomb_ratio)
{
    blob b = zeros((size_t)64 << 20);
    ck_assert_uint_lt(b.n, 200000);
    expect_read_err(&b, NULL, "bomb", APP_ETOOLARGE, "xlsx_too_large", "ratio");

    /* the same with a lying central directory that declares a small size */
    put32(b.p + central(&b, 0) + 24, 1000);
    expect_read_err(&b, NULL, "bomb", APP_EINVAL, "xlsx_malformed", "zip");
    free(b.p);
}
END_TEST

START_TEST(test_entry_and_total_limits)
{
    blob b = zeros((size_t)2 << 20);
    fmt_zip_limits lim = fmt_zip_limits_default();
    lim.max_ratio = 0; /* no ratio limit */

    lim.max_entry = 1 << 20; /* declared size over the limit: refused before inflating */
    expect_read_err(&b, &lim, "bomb", APP_ETOOLARGE, "xlsx_too_large", "entry");

    lim.max_entry = (size_t)4 << 20;
    lim.max_total = (size_t)3 << 20; /* the second read of the same entry passes the total */
    fmt_zip *z;
    app_err err = {0};
    unsigned char *out;
    size_t n;
    ck_assert_int_eq(fmt_zip_open(b.p, b.n, &lim, &z, &err), 0);
    ck_assert_int_eq(fmt_zip_read_all(z, 0, SIZE_MAX, &out, &n, &err), 0);
    free(out);
    ck_assert_int_eq(fmt_zip_read_all(z, 0, SIZE_MAX, &out, &n, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.param, "total");
    ck_assert_int_eq(fmt_zip_read_all(z, 0, 1000, &out, &n, &err), APP_ETOOLARGE);
    ck_assert_str_eq(err.param, "entry");
    fmt_zip_close(z);

    lim = fmt_zip_limits_default();
    lim.max_entries = 0;
    expect_open_err(&b, &lim, APP_ETOOLARGE, "xlsx_too_large", "entries");
    free(b.p);
}
END_TEST

static Suite *
zip_suite(void)
{
    Suite *s = suite_create("zip");
    TCase *tc = tcase_create("round trip");
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_writer_layout);
    tcase_add_test(tc, test_streaming);
    tcase_add_test(tc, test_stream_writer);
    tcase_add_test(tc, test_stream_writer_errors);
    tcase_add_test(tc, test_copy);
    tcase_add_test(tc, test_comment);
    suite_add_tcase(s, tc);

    tc = tcase_create("damage");
    tcase_add_test(tc, test_not_zip);
    tcase_add_test(tc, test_truncated);
    tcase_add_test(tc, test_bad_central);
    tcase_add_test(tc, test_bad_data);
    tcase_add_test(tc, test_unsupported);
    suite_add_tcase(s, tc);

    tc = tcase_create("limits");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_bomb_ratio);
    tcase_add_test(tc, test_entry_and_total_limits);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(zip_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
