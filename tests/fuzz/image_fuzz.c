/*
 * tests/fuzz/image_fuzz.c - libFuzzer target for the sniffing of uploaded
 * photos (fmt_image_check; make fuzz). The input is the body of PUT
 * /students/{key}/photo. (Evidence files and imports are sniffed by their
 * handlers, which api_fuzz reaches.)
 *
 * Promises (formats/image.h): the answer is 0, photo_too_large, photo_bad_format
 * or photo_bad_size; an accepted photo is a JPEG that starts FF D8 FF or a
 * PNG with its signature, within the side and ratio limits, with its MIME
 * type; a refused one leaves {FMT_IMAGE_NONE, 0, 0}; nothing past the end
 * is read (the input is copied to a buffer of exactly its size).
 */
#include "formats/image.h"
#include "tests/fuzz/fuzz.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_accepted(const fmt_image_info *in, const unsigned char *d, size_t n)
{
    FUZZ_CHECK(in->type == FMT_IMAGE_JPEG || in->type == FMT_IMAGE_PNG);
    if (in->type == FMT_IMAGE_JPEG)
        FUZZ_CHECK(n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF);
    else
        FUZZ_CHECK(n >= 8 + 8 + 13 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0);
    FUZZ_CHECK(in->width >= CORE_PHOTO_MIN_SIDE && in->width <= CORE_PHOTO_MAX_SIDE);
    FUZZ_CHECK(in->height >= CORE_PHOTO_MIN_SIDE && in->height <= CORE_PHOTO_MAX_SIDE);
    int lo = in->width < in->height ? in->width : in->height;
    int hi = in->width < in->height ? in->height : in->width;
    FUZZ_CHECK(hi <= CORE_PHOTO_MAX_RATIO * lo);
    const char *mime = fmt_image_mime(in->type);
    FUZZ_CHECK(mime != NULL && strncmp(mime, "image/", 6) == 0);
    FUZZ_CHECK(n <= CORE_PHOTO_MAX_BYTES);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *copy = malloc(size ? size : 1);
    if (size)
        memcpy(copy, data, size);
    fmt_image_info in = {FMT_IMAGE_PNG, -1, -1};
    app_err e = {0};
    int rc = fmt_image_check(size ? copy : NULL, size, &in, &e);
    if (rc == 0) {
        check_accepted(&in, copy, size);
    } else {
        FUZZ_CHECK(in.type == FMT_IMAGE_NONE && in.width == 0 && in.height == 0);
        FUZZ_CHECK(fmt_image_mime(in.type) == NULL);
        FUZZ_CHECK(e.slug != NULL);
        if (rc == APP_ETOOLARGE)
            FUZZ_CHECK(strcmp(e.slug, "photo_too_large") == 0);
        else
            FUZZ_CHECK(rc == APP_EINVAL && (strcmp(e.slug, "photo_bad_format") == 0 ||
                                            strcmp(e.slug, "photo_bad_size") == 0));
    }
    free(copy);
    return 0;
}
