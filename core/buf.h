/*
 * core/buf.h - a growing byte buffer, and UTF-8 checks, for the file-format
 * code (zip, xlsx, csv) that builds output of unknown size.
 *
 * A core_buf is a value: zero-initialise it ({0}), append, then either free
 * it with core_buf_free() or take its bytes with core_buf_steal() (caller
 * frees them with free()). The bytes are always followed by a NUL that is
 * not counted in n, so text in a buffer is a C string. Out of memory, or a
 * size that would overflow size_t, aborts (house rule: no untested NULL
 * branches). Not thread-safe; one buffer, one thread.
 */
#ifndef CORE_BUF_H
#define CORE_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct core_buf {
    unsigned char *p; /* NULL until the first append */
    size_t n;         /* bytes in use */
    size_t cap;       /* bytes allocated (n + 1 <= cap once allocated) */
} core_buf;

/* Make room for `extra` more bytes (and the trailing NUL). */
void core_buf_reserve(core_buf *b, size_t extra);
void core_buf_add_slow(core_buf *b, const void *p, size_t n);
void core_buf_adds(core_buf *b, const char *s);

/* Append n bytes (inline: parsers call this per byte). */
static inline void
core_buf_add(core_buf *b, const void *p, size_t n)
{
    if (b->cap - b->n > n) { /* room for the bytes and the NUL */
        memcpy(b->p + b->n, p, n);
        b->n += n;
        b->p[b->n] = '\0';
        return;
    }
    core_buf_add_slow(b, p, n);
}

static inline void
core_buf_addc(core_buf *b, int c)
{
    unsigned char ch = (unsigned char)c;
    core_buf_add(b, &ch, 1);
}
void core_buf_printf(core_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append code point `cp` (<= 0x10FFFF) encoded as UTF-8. */
void core_buf_add_utf8(core_buf *b, uint32_t cp);
/* Forget the contents, keep the allocation. */
void core_buf_reset(core_buf *b);
/* Release the allocation; the buffer is {0} again. */
void core_buf_free(core_buf *b);
/*
 * Hand the bytes to the caller (free() them; never NULL: an empty buffer
 * gives a 1-byte allocation holding NUL) and leave the buffer {0}.
 */
unsigned char *core_buf_steal(core_buf *b, size_t *out_len);

/*
 * Length of the longest prefix of p[0..n) that is well-formed UTF-8
 * (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF);
 * n when all of it is.
 */
size_t core_utf8_valid_prefix(const void *p, size_t n);

/* 1 when all of p[0..n) is well-formed UTF-8. */
int core_utf8_valid(const void *p, size_t n);

/* Number of code points in well-formed UTF-8 p[0..n). */
size_t core_utf8_chars(const void *p, size_t n);

#endif
