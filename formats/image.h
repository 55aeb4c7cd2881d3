/*
 * formats/image.h - sniffing of uploaded student photos.
 *
 * A photo is judged by its bytes, never by a file name or a declared
 * Content-Type. Only the headers are read (PNG signature and IHDR; JPEG
 * segments up to the first frame header): the image data is not decoded and
 * PNG CRCs are not checked, so a file cut off after its header still
 * passes. Whoever shows the photo should serve it with the type found here
 * and "X-Content-Type-Options: nosniff". Pure: no I/O, no allocation,
 * thread-safe.
 */
#ifndef FMT_IMAGE_H
#define FMT_IMAGE_H

#include "base/err.h"

#include <stddef.h>

typedef enum { FMT_IMAGE_NONE = 0, FMT_IMAGE_JPEG = 1, FMT_IMAGE_PNG = 2 } fmt_image_type;

typedef struct fmt_image_info {
    fmt_image_type type;
    int width, height; /* pixels */
} fmt_image_info;

#define CORE_PHOTO_MAX_BYTES (200 * 1024)
#define CORE_PHOTO_MIN_SIDE 32
#define CORE_PHOTO_MAX_SIDE 4096
#define CORE_PHOTO_MAX_RATIO 3 /* long side / short side */

/*
 * Judge `len` bytes at `data` (may be NULL when len is 0). On success fills
 * *out and returns 0. On error returns one of the following, sets the slug
 * (and param where given) in `err` (may be NULL), and sets *out to
 * {FMT_IMAGE_NONE, 0, 0}. The checks run in this order:
 *   - len > CORE_PHOTO_MAX_BYTES: APP_ETOOLARGE, "photo_too_large", param
 *     the limit in bytes ("204800");
 *   - neither a PNG (8-byte signature, then an IHDR chunk of length 13 with
 *     a valid bit depth / colour type pair, compression 0, filter 0,
 *     interlace 0 or 1) nor a JPEG (FF D8 FF, then well-formed segments up
 *     to a complete SOF0..SOF15 frame header other than DHT C4, JPG C8 and
 *     DAC CC; fill bytes FF FF and the standalone markers 01 and D0-D7 are
 *     skipped; SOS or EOI before the frame header, or a segment running
 *     past len, is an error): APP_EINVAL, "photo_bad_format";
 *   - width or height outside CORE_PHOTO_MIN_SIDE..CORE_PHOTO_MAX_SIDE, or
 *     long side > CORE_PHOTO_MAX_RATIO * short side: APP_EINVAL,
 *     "photo_bad_size", param "WxH" as read ("5000x5000", "0x100").
 * Never reads data[len] or beyond.
 */
int fmt_image_check(const unsigned char *data, size_t len, fmt_image_info *out, app_err *err);

/* "image/jpeg", "image/png", or NULL for FMT_IMAGE_NONE and anything else. */
const char *fmt_image_mime(fmt_image_type t);

#endif
