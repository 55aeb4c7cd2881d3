/*
 * formats/xlsx_util.c - the part names and value encodings of
 * formats/xlsx_util.h.
 */
#include "formats/xlsx_util.h"

#include <string.h>

/* The folder of a part name, with its trailing '/' ("" for a top-level part). */
char *
fmt_xlsx_part_dir(app_arena *a, const char *part)
{
    const char *slash = strrchr(part, '/');
    return app_arena_strndup(a, part, slash ? (size_t)(slash - part) + 1 : 0);
}

/* The relationships part of `part`: "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels". */
char *
fmt_xlsx_rels_of(app_arena *a, const char *part)
{
    const char *slash = strrchr(part, '/');
    const char *base = slash ? slash + 1 : part;
    return app_arena_printf(a, "%.*s_rels/%s.rels", (int)(base - part), part, base);
}

/* A relationship target resolved against folder `dir`, ".." and "." removed; NULL if it escapes. */
char *
fmt_xlsx_resolve(app_arena *a, const char *dir, const char *target)
{
    const char *in = target[0] == '/' ? app_arena_strdup(a, target + 1)
                                      : app_arena_printf(a, "%s%s", dir, target);
    size_t n = strlen(in);
    char *out = app_arena_alloc(a, n + 1);
    size_t o = 0;
    const char *p = in;

    while (*p) {
        const char *seg = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - seg);
        if (*p == '/')
            p++;
        if (len == 0 || (len == 1 && seg[0] == '.'))
            continue;
        if (len == 2 && seg[0] == '.' && seg[1] == '.') {
            if (o == 0)
                return NULL;
            o--; /* drop the '/' ending the last segment */
            while (o > 0 && out[o - 1] != '/')
                o--;
            continue;
        }
        memcpy(out + o, seg, len);
        o += len;
        if (*p || p[-1] == '/')
            out[o++] = '/';
    }
    if (o > 0 && out[o - 1] == '/')
        o--;
    out[o] = '\0';
    return o > 0 ? out : NULL;
}

static int
xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * An xsd:boolean attribute value that is true: "1" or "true", blanks around
 * it allowed (the type collapses white space). Anything else is false.
 */
int
fmt_xlsx_xsd_true(const char *v, size_t n)
{
    while (n > 0 && xml_space(v[0]))
        v++, n--;
    while (n > 0 && xml_space(v[n - 1]))
        n--;
    return (n == 1 && v[0] == '1') || (n == 4 && memcmp(v, "true", 4) == 0);
}

static int
hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        int c = (unsigned char)p[k], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return 0;
        v = v * 16 + (unsigned)d;
    }
    *out = v;
    return 1;
}

/*
 * Undo OOXML's _xHHHH_ escapes in s[0..n) in place (the output is never
 * longer); returns the new length. Escapes of NUL, of surrogates and of
 * U+FFFE/U+FFFF are left as written (Excel writes characters outside the
 * BMP as UTF-8, never as escaped surrogate pairs).
 */
size_t
fmt_xlsx_unescape(char *s, size_t n)
{
    size_t i = 0, o = 0;

    while (i < n) {
        unsigned cp;
        if (s[i] == '_' && n - i >= 7 && s[i + 1] == 'x' && s[i + 6] == '_' &&
            hex4(s + i + 2, &cp) && cp != 0 && (cp < 0xD800 || cp > 0xDFFF) && cp < 0xFFFE) {
            if (cp < 0x80) {
                s[o++] = (char)cp;
            } else if (cp < 0x800) {
                s[o++] = (char)(0xC0 | (cp >> 6));
                s[o++] = (char)(0x80 | (cp & 0x3F));
            } else {
                s[o++] = (char)(0xE0 | (cp >> 12));
                s[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                s[o++] = (char)(0x80 | (cp & 0x3F));
            }
            i += 7;
            continue;
        }
        s[o++] = s[i++];
    }
    return o;
}
