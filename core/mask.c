/*
 * core/mask.c - masking of personal numbers.
 */
#include "core/mask.h"

#include <assert.h>
#include <string.h>

/*
 * Copy `s` (length n) to out, showing its first `head` and last `tail`
 * characters and a star for each one between; all stars when n is not
 * longer than head + tail. Truncates at cap - 1 characters.
 */
static void
mask(const char *s, size_t n, size_t head, size_t tail, char *out, size_t cap)
{
    size_t i;
    int clear = n > head + tail;

    if (cap == 0)
        return;
    for (i = 0; i < n && i < cap - 1; i++) {
        if (clear && (i < head || i >= n - tail))
            out[i] = s[i];
        else
            out[i] = '*';
    }
    out[i] = '\0';
}

void
core_mask_id(const char *s, char *out, size_t cap)
{
    assert(s != NULL && (out != NULL || cap == 0));
    mask(s, strlen(s), 4, 4, out, cap);
}

void
core_mask_phone(const char *s, char *out, size_t cap)
{
    assert(s != NULL && (out != NULL || cap == 0));
    mask(s, strlen(s), 3, 4, out, cap);
}

void
core_mask_stuno(const char *s, char *out, size_t cap)
{
    size_t n;

    assert(s != NULL && (out != NULL || cap == 0));
    n = strlen(s);
    if (cap == 0)
        return;
    switch (s[0]) {
    case 'J':
    case 'j':
    case 'L':
    case 'l': {
        size_t k = n < cap - 1 ? n : cap - 1;
        memcpy(out, s, k);
        out[k] = '\0';
        return;
    }
    case 'G':
    case 'g':
        out[0] = s[0];
        if (cap > 1)
            mask(s + 1, n - 1, 4, 4, out + 1, cap - 1);
        else
            out[0] = '\0';
        return;
    default:
        mask(s, n, 4, 4, out, cap);
        return;
    }
}

void
core_mask_name(const char *s, char *out, size_t cap)
{
    assert(s != NULL && (out != NULL || cap == 0));
    if (cap == 0)
        return;
    /* the first character (1 to 4 bytes of UTF-8) and a star for each other */
    size_t first = 1;
    while (s[0] && s[first] && ((unsigned char)s[first] & 0xC0) == 0x80)
        first++;
    size_t k = 0;
    if (s[0] && first < cap) {
        memcpy(out, s, first);
        k = first;
    }
    for (const char *p = s[0] ? s + first : s; *p && k + 1 < cap; p++)
        if (((unsigned char)*p & 0xC0) != 0x80)
            out[k++] = '*';
    out[k] = '\0';
}
