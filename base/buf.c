/*
 * base/buf.c - growing byte buffers and UTF-8 checks.
 */
#include "base/buf.h"

#include "base/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
base_buf_reserve(base_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - 1 - b->n)
        abort(); /* cannot be represented: as fatal as out of memory */
    size_t need = b->n + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

void
base_buf_add_slow(base_buf *b, const void *p, size_t n)
{
    base_buf_reserve(b, n);
    if (n > 0)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void
base_buf_adds(base_buf *b, const char *s)
{
    base_buf_add(b, s, strlen(s));
}

void
base_buf_printf(base_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];

    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    if ((size_t)n < sizeof(small)) {
        base_buf_add(b, small, (size_t)n);
        return;
    }
    base_buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

void
base_buf_add_utf8(base_buf *b, uint32_t cp)
{
    unsigned char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    base_buf_add(b, u, n);
}

void
base_buf_reset(base_buf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
}

void
base_buf_free(base_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

unsigned char *
base_buf_steal(base_buf *b, size_t *out_len)
{
    if (b->p == NULL)
        base_buf_reserve(b, 0);
    b->p[b->n] = '\0';
    unsigned char *p = b->p;
    if (out_len)
        *out_len = b->n;
    b->p = NULL;
    b->n = b->cap = 0;
    return p;
}

size_t
base_utf8_valid_prefix(const void *data, size_t n)
{
    const unsigned char *s = data;
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            return i;
        }
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += len;
    }
    return n;
}

int
base_utf8_valid(const void *p, size_t n)
{
    return base_utf8_valid_prefix(p, n) == n;
}

size_t
base_utf8_chars(const void *data, size_t n)
{
    const unsigned char *s = data;
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        k += (s[i] & 0xC0) != 0x80;
    return k;
}

int
base_text_visible(const char *s, size_t max_chars)
{
    size_t chars = 0;
    int visible = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return 0;
        chars += (*p & 0xc0) != 0x80;
        visible |= *p != ' ';
    }
    return visible && chars <= max_chars;
}
