/*
 * base/buf.h - a growing byte buffer, and UTF-8 checks, for the file-format
 * code (zip, xlsx, csv) that builds output of unknown size.
 *
 * A base_buf is a value: zero-initialise it ({0}), append, then either free
 * it with base_buf_free() or take its bytes with base_buf_steal() (caller
 * frees them with free()). The bytes are always followed by a NUL that is
 * not counted in n, so text in a buffer is a C string. Out of memory, or a
 * size that would overflow size_t, aborts (house rule: no untested NULL
 * branches). Not thread-safe; one buffer, one thread.
 */
#ifndef BASE_BUF_H
#define BASE_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct base_buf {
    unsigned char *p; /* NULL until the first append */
    size_t n;         /* bytes in use */
    size_t cap;       /* bytes allocated (n + 1 <= cap once allocated) */
} base_buf;

/* Make room for `extra` more bytes (and the trailing NUL). */
void base_buf_reserve(base_buf *b, size_t extra);
void base_buf_add_slow(base_buf *b, const void *p, size_t n);
void base_buf_adds(base_buf *b, const char *s);

/* Append n bytes (inline: parsers call this per byte). */
static inline void
base_buf_add(base_buf *b, const void *p, size_t n)
{
    if (b->cap - b->n > n) { /* room for the bytes and the NUL */
        memcpy(b->p + b->n, p, n);
        b->n += n;
        b->p[b->n] = '\0';
        return;
    }
    base_buf_add_slow(b, p, n);
}

static inline void
base_buf_addc(base_buf *b, int c)
{
    unsigned char ch = (unsigned char)c;
    base_buf_add(b, &ch, 1);
}
void base_buf_printf(base_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append code point `cp` (<= 0x10FFFF) encoded as UTF-8. */
void base_buf_add_utf8(base_buf *b, uint32_t cp);
/* Forget the contents, keep the allocation. */
void base_buf_reset(base_buf *b);
/* Release the allocation; the buffer is {0} again. */
void base_buf_free(base_buf *b);
/*
 * Hand the bytes to the caller (free() them; never NULL: an empty buffer
 * gives a 1-byte allocation holding NUL) and leave the buffer {0}.
 */
unsigned char *base_buf_steal(base_buf *b, size_t *out_len);

/*
 * Length of the longest prefix of p[0..n) that is well-formed UTF-8
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF);
 * n when all of it is.
 */
size_t base_utf8_valid_prefix(const void *p, size_t n);

/* 1 when all of p[0..n) is well-formed UTF-8. */
int base_utf8_valid(const void *p, size_t n);

/* 1 when NUL-terminated UTF-8 `s` is visible text of at most `max_chars`
   code points: no control characters (below 0x20, 0x7f) and not only
   spaces. Names, reasons and comments that people type are checked so. */
int base_text_visible(const char *s, size_t max_chars);

/* Number of code points in well-formed UTF-8 p[0..n). */
size_t base_utf8_chars(const void *p, size_t n);

#endif
