/*
 * tests/unit/image_test.c - sniffing of uploaded student photos.
 *
 * Inputs are copied into malloc'ed buffers of exactly their length, so the
 * debug build's AddressSanitizer catches any read past len.
 */
#include "base/err.h"
#include "formats/image.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- building inputs ---------------------------------------------------- */

static size_t
put(unsigned char *b, size_t at, const void *p, size_t n)
{
    memcpy(b + at, p, n);
    return at + n;
}

static size_t
put16(unsigned char *b, size_t at, unsigned v)
{
    b[at] = (unsigned char)(v >> 8);
    b[at + 1] = (unsigned char)v;
    return at + 2;
}

static size_t
put32(unsigned char *b, size_t at, unsigned long v)
{
    b[at] = (unsigned char)(v >> 24);
    b[at + 1] = (unsigned char)(v >> 16);
    b[at + 2] = (unsigned char)(v >> 8);
    b[at + 3] = (unsigned char)v;
    return at + 4;
}

/* A PNG signature and IHDR (8-bit RGB), then an IEND chunk: 45 bytes. */
static size_t
make_png(unsigned char *b, unsigned long w, unsigned long h)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    static const unsigned char tail[5] = {8, 2, 0, 0,
                                          0}; /* depth, colour, comp, filter, interlace */
    size_t n = put(b, 0, sig, 8);

    n = put32(b, n, 13);
    n = put(b, n, "IHDR", 4);
    n = put32(b, n, w);
    n = put32(b, n, h);
    n = put(b, n, tail, 5);
    n = put32(b, n, 0x12345678); /* CRC: not checked */
    n = put32(b, n, 0);
    n = put(b, n, "IEND", 4);
    return put32(b, n, 0xAE426082);
}

/* SOI, APP0 (JFIF), DQT. */
static size_t
jpeg_head(unsigned char *b)
{
    static const unsigned char app0[] = {0xFF, 0xE0, 0x00, 0x10, 'J',  'F',  'I',  'F',  0x00,
                                         0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00};
    size_t n;

    b[0] = 0xFF;
    b[1] = 0xD8;
    n = put(b, 2, app0, sizeof(app0));
    b[n++] = 0xFF;
    b[n++] = 0xDB;
    n = put16(b, n, 67);
    b[n++] = 0x00; /* 8-bit table 0 */
    for (int i = 0; i < 64; i++)
        b[n++] = (unsigned char)(i + 1);
    return n;
}

/* A frame header with marker `m` (3 components). */
static size_t
jpeg_sof(unsigned char *b, size_t n, unsigned m, unsigned w, unsigned h)
{
    static const unsigned char comps[9] = {1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1};

    b[n++] = 0xFF;
    b[n++] = (unsigned char)m;
    n = put16(b, n, 8 + 9);
    b[n++] = 8;
    n = put16(b, n, h);
    n = put16(b, n, w);
    b[n++] = 3;
    return put(b, n, comps, sizeof(comps));
}

/* A small DHT, SOS, a few bytes of scan data and EOI. */
static size_t
jpeg_tail(unsigned char *b, size_t n)
{
    static const unsigned char rest[] = {/* DHT: DC table 0 with one code of length 1 */
                                         0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0,
                                         0, 0, 0, 0, 0, 0, 0, 0x00,
                                         /* SOS: 3 components, then scan data with a stuffed FF */
                                         0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03,
                                         0x11, 0x00, 0x3F, 0x00, 0x12, 0xFF, 0x00, 0x34,
                                         /* EOI */
                                         0xFF, 0xD9};

    return put(b, n, rest, sizeof(rest));
}

/* A whole JPEG; *sof_end (if not NULL) gets the offset just past the frame header. */
static size_t
make_jpeg(unsigned char *b, unsigned w, unsigned h, size_t *sof_end)
{
    size_t n = jpeg_sof(b, jpeg_head(b), 0xC0, w, h);

    if (sof_end != NULL)
        *sof_end = n;
    return jpeg_tail(b, n);
}

/* Run fmt_image_check on an exact-size heap copy of b[0..n). */
static int
check_copy(const unsigned char *b, size_t n, fmt_image_info *info, app_err *err)
{
    unsigned char *p = malloc(n > 0 ? n : 1);
    int rc;

    ck_assert_ptr_nonnull(p);
    if (n > 0)
        memcpy(p, b, n);
    rc = fmt_image_check(p, n, info, err);
    free(p);
    return rc;
}

static void
expect_ok(const unsigned char *b, size_t n, fmt_image_type type, int w, int h)
{
    fmt_image_info info = {FMT_IMAGE_NONE, -1, -1};
    app_err err = {0};

    ck_assert_msg(check_copy(b, n, &info, &err) == 0, "rejected: %s", err.detail);
    ck_assert_int_eq(info.type, type);
    ck_assert_int_eq(info.width, w);
    ck_assert_int_eq(info.height, h);
}

static void
expect_err(const unsigned char *b, size_t n, int code, const char *slug, const char *param)
{
    fmt_image_info info = {FMT_IMAGE_JPEG, -1, -1};
    app_err err = {0};

    ck_assert_int_eq(check_copy(b, n, &info, &err), code);
    ck_assert_int_eq(err.code, code);
    ck_assert_ptr_nonnull(err.slug);
    ck_assert_str_eq(err.slug, slug);
    ck_assert_str_eq(err.param, param);
    ck_assert_int_eq(info.type, FMT_IMAGE_NONE);
    ck_assert_int_eq(info.width, 0);
    ck_assert_int_eq(info.height, 0);
}

/* ---- accepted ----------------------------------------------------------- */

START_TEST(test_png_ok)
{
    unsigned char b[64];

    expect_ok(b, make_png(b, 358, 441), FMT_IMAGE_PNG, 358, 441);
    expect_ok(b, make_png(b, 441, 358), FMT_IMAGE_PNG, 441, 358);
    /* just the signature and IHDR */
    expect_ok(b, 33, FMT_IMAGE_PNG, 441, 358);
}
END_TEST

START_TEST(test_jpeg_ok)
{
    unsigned char b[256];

    expect_ok(b, make_jpeg(b, 358, 441, NULL), FMT_IMAGE_JPEG, 358, 441);
    expect_ok(b, make_jpeg(b, 441, 358, NULL), FMT_IMAGE_JPEG, 441, 358);
}
END_TEST

/* Other frame types count; DHT (C4), JPG (C8) and DAC (CC) are skipped as segments. */
START_TEST(test_jpeg_sof_kinds)
{
    static const unsigned sofs[] = {0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7,
                                    0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF};
    static const unsigned not_sofs[] = {0xC4, 0xC8, 0xCC};
    unsigned char b[256];
    size_t n;

    for (size_t i = 0; i < NELEM(sofs); i++) {
        n = jpeg_tail(b, jpeg_sof(b, jpeg_head(b), sofs[i], 100, 200));
        expect_ok(b, n, FMT_IMAGE_JPEG, 100, 200);
    }
    /* a look-alike segment holding a bad size, then the real SOF0 */
    for (size_t i = 0; i < NELEM(not_sofs); i++) {
        n = jpeg_sof(b, jpeg_head(b), not_sofs[i], 9000, 1);
        n = jpeg_tail(b, jpeg_sof(b, n, 0xC0, 100, 200));
        expect_ok(b, n, FMT_IMAGE_JPEG, 100, 200);
    }
}
END_TEST

/* Fill bytes and standalone markers between segments are skipped. */
START_TEST(test_jpeg_fill_standalone)
{
    static const unsigned char extra[] = {0xFF, 0xFF, 0xFF, 0xD0, 0xFF, 0x01, 0xFF, 0xD7, 0xFF};
    unsigned char b[256];
    size_t n = jpeg_head(b);

    n = put(b, n, extra, sizeof(extra));
    n = jpeg_tail(b, jpeg_sof(b, n, 0xC0, 358, 441));
    expect_ok(b, n, FMT_IMAGE_JPEG, 358, 441);
}
END_TEST

/* Limits are inclusive; a ratio of exactly 3 passes. */
START_TEST(test_bounds_ok)
{
    unsigned char b[256];

    expect_ok(b, make_png(b, 32, 32), FMT_IMAGE_PNG, 32, 32);
    expect_ok(b, make_png(b, 4096, 4096), FMT_IMAGE_PNG, 4096, 4096);
    expect_ok(b, make_png(b, 100, 300), FMT_IMAGE_PNG, 100, 300);
    expect_ok(b, make_jpeg(b, 1365, 4095, NULL), FMT_IMAGE_JPEG, 1365, 4095);
}
END_TEST

START_TEST(test_size_limit)
{
    size_t max = CORE_PHOTO_MAX_BYTES;
    unsigned char *b = calloc(1, max + 1);
    fmt_image_info info;

    ck_assert_ptr_nonnull(b);
    make_png(b, 358, 441);
    expect_ok(b, max, FMT_IMAGE_PNG, 358, 441);
    expect_err(b, max + 1, APP_ETOOLARGE, "photo_too_large", "204800");
    /* err may be NULL */
    ck_assert_int_eq(fmt_image_check(b, max + 1, &info, NULL), APP_ETOOLARGE);
    free(b);
}
END_TEST

/* ---- truncation --------------------------------------------------------- */

START_TEST(test_png_prefixes)
{
    unsigned char b[64];
    size_t n = make_png(b, 358, 441);

    for (size_t k = 0; k < 33; k++)
        expect_err(b, k, APP_EINVAL, "photo_bad_format", "");
    for (size_t k = 33; k <= n; k++)
        expect_ok(b, k, FMT_IMAGE_PNG, 358, 441);
}
END_TEST

START_TEST(test_jpeg_prefixes)
{
    unsigned char b[256];
    size_t sof_end, n = make_jpeg(b, 358, 441, &sof_end);

    for (size_t k = 0; k < sof_end; k++)
        expect_err(b, k, APP_EINVAL, "photo_bad_format", "");
    for (size_t k = sof_end; k <= n; k++)
        expect_ok(b, k, FMT_IMAGE_JPEG, 358, 441);
}
END_TEST

/* ---- rejected: format --------------------------------------------------- */

typedef struct bad_row {
    const char *name;
    size_t (*make)(unsigned char *b); /* builds the input, returns its length */
} bad_row;

static size_t
gif(unsigned char *b)
{
    static const unsigned char g[] = {
        'G', 'I',  'F',  '8',  '9',  'a',  0x66, 0x01, 0xB9, 0x01, 0xF0, 0, 0,    0, 0,
        0,   0xFF, 0xFF, 0xFF, 0x21, 0xF9, 0x04, 0,    0,    0,    0,    0, 0x2C, 0, 0,
        0,   0,    0x66, 0x01, 0xB9, 0x01, 0,    0x02, 0x02, 0x44, 0x01, 0, 0x3B};
    return put(b, 0, g, sizeof(g));
}

static size_t
pdf(unsigned char *b)
{
    static const char p[] = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
                            "trailer\n<< /Root 1 0 R >>\n%%EOF\n";
    return put(b, 0, p, sizeof(p) - 1);
}

static size_t
empty(unsigned char *b)
{
    (void)b;
    return 0;
}

static size_t
text(unsigned char *b)
{
    return put(b, 0, "name,id\nzhang,410102199001011234\n", 33);
}

/* A JPEG whose APP0 segment length points past the end. */
static size_t
jpeg_seg_past_end(unsigned char *b)
{
    size_t n = make_jpeg(b, 358, 441, NULL);

    b[4] = 0x7F;
    b[5] = 0xF0;
    return n;
}

/* A JPEG whose frame header claims fewer bytes than its 3 components need. */
static size_t
jpeg_sof_short(unsigned char *b)
{
    size_t n = make_jpeg(b, 358, 441, NULL);
    size_t at = jpeg_head(b);

    b[at + 3] = 8 + 8; /* Lf = 16 < 8 + 3*3 */
    return n;
}

static size_t
jpeg_sof_len_tiny(unsigned char *b)
{
    size_t at = jpeg_head(b);
    size_t n = make_jpeg(b, 358, 441, NULL);

    b[at + 3] = 6;
    return n;
}

/* Scan data before any frame header. */
static size_t
jpeg_sos_first(unsigned char *b)
{
    return jpeg_tail(b, jpeg_head(b));
}

/* SOI, then EOI. */
static size_t
jpeg_eoi(unsigned char *b)
{
    static const unsigned char j[] = {0xFF, 0xD8, 0xFF, 0xD9};
    return put(b, 0, j, sizeof(j));
}

/* A segment not introduced by FF. */
static size_t
jpeg_no_marker(unsigned char *b)
{
    size_t n = make_jpeg(b, 358, 441, NULL);

    b[2 + 18] = 0x00; /* the FF of DQT */
    return n;
}

/* A segment length of 0 or 1 (less than its own two bytes). */
static size_t
jpeg_len_one(unsigned char *b)
{
    size_t n = make_jpeg(b, 358, 441, NULL);

    b[4] = 0x00;
    b[5] = 0x01;
    return n;
}

/* FF D8 FF and nothing more. */
static size_t
jpeg_soi_only(unsigned char *b)
{
    static const unsigned char j[] = {0xFF, 0xD8, 0xFF, 0xFF, 0xFF};
    return put(b, 0, j, sizeof(j));
}

static size_t
png_not_ihdr(unsigned char *b)
{
    size_t n = make_png(b, 358, 441);

    memcpy(b + 12, "IDAT", 4);
    return n;
}

static size_t
png_ihdr_len(unsigned char *b)
{
    size_t n = make_png(b, 358, 441);

    b[11] = 14;
    return n;
}

static size_t
png_bad_depth(unsigned char *b)
{
    size_t n = make_png(b, 358, 441);

    b[24] = 4; /* 4-bit RGB does not exist */
    return n;
}

static size_t
png_bad_interlace(unsigned char *b)
{
    size_t n = make_png(b, 358, 441);

    b[28] = 2;
    return n;
}

static size_t
png_bad_sig(unsigned char *b)
{
    size_t n = make_png(b, 358, 441);

    b[7] = '\r'; /* the CRLF-mangled signature */
    return n;
}

static const bad_row bad_rows[] = {
    {"gif", gif},
    {"pdf", pdf},
    {"empty", empty},
    {"text", text},
    {"jpeg segment past end", jpeg_seg_past_end},
    {"jpeg sof short", jpeg_sof_short},
    {"jpeg sof length 6", jpeg_sof_len_tiny},
    {"jpeg sos first", jpeg_sos_first},
    {"jpeg eoi", jpeg_eoi},
    {"jpeg no marker", jpeg_no_marker},
    {"jpeg length 1", jpeg_len_one},
    {"jpeg soi only", jpeg_soi_only},
    {"png not ihdr", png_not_ihdr},
    {"png ihdr length", png_ihdr_len},
    {"png bad depth", png_bad_depth},
    {"png bad interlace", png_bad_interlace},
    {"png bad signature", png_bad_sig},
};

START_TEST(test_bad_format)
{
    unsigned char b[512];
    size_t n = bad_rows[_i].make(b);
    fmt_image_info info;
    app_err err = {0};

    ck_assert_msg(check_copy(b, n, &info, &err) == APP_EINVAL, "%s accepted", bad_rows[_i].name);
    ck_assert_str_eq(err.slug, "photo_bad_format");
}
END_TEST

START_TEST(test_null_empty)
{
    fmt_image_info info;
    app_err err = {0};

    ck_assert_int_eq(fmt_image_check(NULL, 0, &info, &err), APP_EINVAL);
    ck_assert_str_eq(err.slug, "photo_bad_format");
    ck_assert_int_eq(fmt_image_check(NULL, 0, &info, NULL), APP_EINVAL);
}
END_TEST

/* ---- rejected: size ----------------------------------------------------- */

typedef struct size_row {
    int jpeg;
    unsigned long w, h;
    const char *param;
} size_row;

static const size_row size_rows[] = {
    {0, 0, 441, "0x441"},
    {0, 358, 0, "358x0"},
    {0, 5000, 5000, "5000x5000"},
    {0, 100, 400, "100x400"},
    {0, 400, 100, "400x100"},
    {0, 31, 40, "31x40"},
    {0, 4097, 2000, "4097x2000"},
    {0, 100, 301, "100x301"},
    {0, 4294967295UL, 100, "4294967295x100"},
    {0, 2147483648UL, 2147483648UL, "2147483648x2147483648"},
    {1, 5000, 5000, "5000x5000"},
    {1, 100, 400, "100x400"},
    {1, 358, 0, "358x0"},
    {1, 65535, 65535, "65535x65535"},
};

START_TEST(test_bad_size)
{
    const size_row *r = &size_rows[_i];
    unsigned char b[256];
    size_t n =
        r->jpeg ? make_jpeg(b, (unsigned)r->w, (unsigned)r->h, NULL) : make_png(b, r->w, r->h);

    expect_err(b, n, APP_EINVAL, "photo_bad_size", r->param);
}
END_TEST

START_TEST(test_mime)
{
    ck_assert_str_eq(fmt_image_mime(FMT_IMAGE_JPEG), "image/jpeg");
    ck_assert_str_eq(fmt_image_mime(FMT_IMAGE_PNG), "image/png");
    ck_assert_ptr_null(fmt_image_mime(FMT_IMAGE_NONE));
    ck_assert_ptr_null(fmt_image_mime((fmt_image_type)7));
}
END_TEST

static Suite *
image_suite(void)
{
    Suite *s = suite_create("image");
    TCase *tc;

    tc = tcase_create("accepted");
    tcase_add_test(tc, test_png_ok);
    tcase_add_test(tc, test_jpeg_ok);
    tcase_add_test(tc, test_jpeg_sof_kinds);
    tcase_add_test(tc, test_jpeg_fill_standalone);
    tcase_add_test(tc, test_bounds_ok);
    tcase_add_test(tc, test_mime);
    suite_add_tcase(s, tc);

    tc = tcase_create("truncated");
    tcase_add_test(tc, test_png_prefixes);
    tcase_add_test(tc, test_jpeg_prefixes);
    suite_add_tcase(s, tc);

    tc = tcase_create("rejected");
    tcase_add_test(tc, test_size_limit);
    tcase_add_test(tc, test_null_empty);
    tcase_add_loop_test(tc, test_bad_format, 0, NELEM(bad_rows));
    tcase_add_loop_test(tc, test_bad_size, 0, NELEM(size_rows));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(image_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
