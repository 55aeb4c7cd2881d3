/*
 * formats/image.c - sniffing of uploaded student photos.
 */
#include "formats/image.h"

#include <assert.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

static uint32_t
be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned
be16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* 1 when IHDR's bit depth suits its colour type (PNG spec table 11.1). */
static int
png_depth_ok(unsigned depth, unsigned color)
{
    switch (color) {
    case 0:
        return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3:
        return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2:
    case 4:
    case 6:
        return depth == 8 || depth == 16;
    default:
        return 0;
    }
}

/*
 * PNG: signature, then IHDR first (length 13, type, 13 bytes of data, CRC).
 * Returns 1 and the size when it is one, else 0.
 */
static int
sniff_png(const unsigned char *d, size_t len, uint32_t *w, uint32_t *h)
{
    const unsigned char *ihdr;

    if (len < 8 + 4 + 4 + 13 + 4 || memcmp(d, png_sig, 8) != 0)
        return 0;
    if (be32(d + 8) != 13 || memcmp(d + 12, "IHDR", 4) != 0)
        return 0;
    ihdr = d + 16;
    if (!png_depth_ok(ihdr[8], ihdr[9]) || ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1)
        return 0;
    *w = be32(ihdr);
    *h = be32(ihdr + 4);
    return 1;
}

/* A start-of-frame marker: C0..CF except DHT C4, JPG C8 and DAC CC. */
static int
is_sof(unsigned m)
{
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/*
 * JPEG: SOI, then segments up to the first complete frame header, which
 * holds precision (1), height (2), width (2), components (1), then 3 bytes
 * per component. Returns 1 and the size when found, else 0.
 */
static int
sniff_jpeg(const unsigned char *d, size_t len, uint32_t *w, uint32_t *h)
{
    size_t pos = 2;

    if (len < 3 || d[0] != 0xFF || d[1] != 0xD8 || d[2] != 0xFF)
        return 0;
    for (;;) {
        unsigned m, seglen;

        if (pos >= len || d[pos] != 0xFF)
            return 0;
        while (pos < len && d[pos] == 0xFF) /* the marker's FF and any fill bytes */
            pos++;
        if (pos >= len)
            return 0;
        m = d[pos++];
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
            continue; /* standalone: no length */
        if (m == 0x00 || m == 0xD8 || m == 0xD9 || m == 0xDA)
            return 0; /* stuffing, second SOI, EOI or scan data before any frame */
        if (len - pos < 2)
            return 0;
        seglen = be16(d + pos); /* counts its own two bytes */
        if (seglen < 2 || seglen > len - pos)
            return 0;
        if (is_sof(m)) {
            unsigned ncomp;

            if (seglen < 8)
                return 0;
            ncomp = d[pos + 7];
            if (ncomp == 0 || seglen < 8 + 3 * ncomp)
                return 0;
            *h = be16(d + pos + 3);
            *w = be16(d + pos + 5);
            return 1;
        }
        pos += seglen;
    }
}

int
fmt_image_check(const unsigned char *data, size_t len, fmt_image_info *out, app_err *err)
{
    fmt_image_type type;
    uint32_t w = 0, h = 0, lo, hi;
    char param[32];

    assert(out != NULL && (data != NULL || len == 0));
    out->type = FMT_IMAGE_NONE;
    out->width = out->height = 0;
    if (len > CORE_PHOTO_MAX_BYTES) {
        snprintf(param, sizeof(param), "%d", CORE_PHOTO_MAX_BYTES);
        app_err_set(err, APP_ETOOLARGE, "photo_too_large", "photo of %zu bytes", len);
        app_err_param(err, param);
        return APP_ETOOLARGE;
    }
    if (data != NULL && sniff_png(data, len, &w, &h))
        type = FMT_IMAGE_PNG;
    else if (data != NULL && sniff_jpeg(data, len, &w, &h))
        type = FMT_IMAGE_JPEG;
    else
        return app_err_set(err, APP_EINVAL, "photo_bad_format",
                           "photo of %zu bytes is neither PNG nor JPEG", len);

    lo = w < h ? w : h;
    hi = w < h ? h : w;
    if (lo < CORE_PHOTO_MIN_SIDE || hi > CORE_PHOTO_MAX_SIDE ||
        hi > (uint64_t)CORE_PHOTO_MAX_RATIO * lo) {
        snprintf(param, sizeof(param), "%" PRIu32 "x%" PRIu32, w, h);
        app_err_set(err, APP_EINVAL, "photo_bad_size", "%s photo of %s pixels",
                    fmt_image_mime(type), param);
        app_err_param(err, param);
        return APP_EINVAL;
    }
    out->type = type;
    out->width = (int)w;
    out->height = (int)h;
    return 0;
}

const char *
fmt_image_mime(fmt_image_type t)
{
    switch (t) {
    case FMT_IMAGE_JPEG:
        return "image/jpeg";
    case FMT_IMAGE_PNG:
        return "image/png";
    default:
        return NULL;
    }
}
