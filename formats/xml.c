/*
 * formats/xml.c - the pull tokenizer of formats/xml.h.
 *
 * The buffer holds raw bytes [pos, end). A token is first located whole
 * (refilling, and sliding the unread bytes to the front, as needed), then
 * parsed in place; positions are kept as offsets from pos while locating,
 * because a refill moves the bytes.
 */
#include "formats/xml.h"

#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"

#define READ_CHUNK 65536

struct fmt_xml {
    fmt_xml_source src;
    void *ctx;
    unsigned char *buf;
    size_t pos, end, cap;
    size_t max_token;
    int eof;
    int started; /* a byte order mark was looked for */
    int depth;
    base_buf scratch; /* decoded text and attribute values of the current token */
    fmt_xml_attr attrs[FMT_XML_MAX_ATTRS];
};

static int
bad(app_err *err, const char *why)
{
    app_err_set(err, APP_EINVAL, "xlsx_malformed", "xml: %s", why);
    app_err_param(err, "xml");
    return APP_EINVAL;
}

fmt_xml *
fmt_xml_new(fmt_xml_source src, void *ctx, size_t max_token)
{
    fmt_xml *x = xcalloc(1, sizeof(*x));
    x->src = src;
    x->ctx = ctx;
    x->max_token = max_token < 64 ? 64 : max_token;
    return x;
}

void
fmt_xml_free(fmt_xml *x)
{
    if (x == NULL)
        return;
    free(x->buf);
    base_buf_free(&x->scratch);
    free(x);
}

/*
 * Read more bytes after `end`. Returns 1 when some arrived, 0 at the end of
 * input, or an error. `have` bytes from pos are part of the token being
 * located; the token may not grow past max_token.
 */
static int
fill(fmt_xml *x, app_err *err)
{
    if (x->eof)
        return 0;
    if (x->pos > 0) {
        memmove(x->buf, x->buf + x->pos, x->end - x->pos);
        x->end -= x->pos;
        x->pos = 0;
    }
    if (x->end > x->max_token) {
        app_err_set(err, APP_ETOOLARGE, "xlsx_too_large", "xml: token longer than %zu bytes",
                    x->max_token);
        app_err_param(err, "xml_token");
        return APP_ETOOLARGE;
    }
    if (x->cap - x->end < READ_CHUNK) {
        x->cap = x->end + READ_CHUNK > 2 * x->cap ? x->end + READ_CHUNK : 2 * x->cap;
        x->buf = xrealloc(x->buf, x->cap + 1);
    }
    size_t before = x->end;
    for (;;) {
        size_t n = 0;
        int rc = x->src(x->ctx, x->buf + x->end, x->cap - x->end, &n, err);
        if (rc != 0)
            return rc;
        if (n == 0) {
            x->eof = 1;
            break;
        }
        x->end += n;
        if (x->started || x->end >= 3)
            break; /* else: three bytes are needed to see a byte order mark */
    }
    if (!x->started) {
        x->started = 1;
        if (x->end >= 3 && memcmp(x->buf, "\xEF\xBB\xBF", 3) == 0)
            x->pos = 3;
    }
    return x->end > before;
}

/* Make sure at least `n` bytes from pos are in the buffer: 1, 0 (input ends first) or an error. */
static int
need(fmt_xml *x, size_t n, app_err *err)
{
    while (x->end - x->pos < n) {
        int rc = fill(x, err);
        if (rc <= 0)
            return rc;
    }
    return 1;
}

/* Offset from pos of `pat` at or after offset `from`, refilling as needed; -1: not found before the end. */
static int
find(fmt_xml *x, size_t from, const char *pat, size_t plen, size_t *out_at, app_err *err)
{
    for (;;) {
        size_t avail = x->end - x->pos;
        if (avail >= from + plen) {
            const unsigned char *hit =
                plen == 1 ? memchr(x->buf + x->pos + from, pat[0], avail - from)
                          : memmem(x->buf + x->pos + from, avail - from, pat, plen);
            if (hit != NULL) {
                *out_at = (size_t)(hit - (x->buf + x->pos));
                return 1;
            }
            from = avail - plen + 1;
        }
        int rc = fill(x, err);
        if (rc <= 0)
            return rc;
    }
}

/* Offset of the '>' closing the tag at pos, outside quoted attribute values. */
static int
find_tag_end(fmt_xml *x, size_t *out_at, app_err *err)
{
    size_t i = 1;
    int quote = 0;

    for (;;) {
        const unsigned char *b = x->buf + x->pos;
        size_t avail = x->end - x->pos;
        for (; i < avail; i++) {
            unsigned char c = b[i];
            if (quote) {
                if (c == quote)
                    quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                *out_at = i;
                return 1;
            }
        }
        int rc = fill(x, err);
        if (rc <= 0)
            return rc;
    }
}

static int
is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* An XML 1.0 Char. */
static int
xml_char(unsigned long cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

/* Bytes that decode() must look at: 1 in character data, 2 in attribute values. */
#define SP_TEXT 1
#define SP_ATTR 2
static const unsigned char special[256] = {
    ['\0'] = SP_TEXT | SP_ATTR, ['&'] = SP_TEXT | SP_ATTR, ['\r'] = SP_TEXT | SP_ATTR,
    ['\t'] = SP_ATTR,           ['\n'] = SP_ATTR,           ['<'] = SP_ATTR,
};

/* Decode character data or an attribute value p[0..n) onto scratch. */
static int
decode(fmt_xml *x, const unsigned char *p, size_t n, int attr, app_err *err)
{
    base_buf *o = &x->scratch;
    unsigned mask = attr ? SP_ATTR : SP_TEXT;
    size_t i = 0;

    base_buf_reserve(o, n);
    while (i < n) {
        size_t run = i;
        while (run < n && !(special[p[run]] & mask))
            run++;
        base_buf_add(o, p + i, run - i);
        i = run;
        if (i == n)
            break;
        unsigned char c = p[i];
        if (c == '\0')
            return bad(err, "NUL byte");
        if (c == '<')
            return bad(err, "'<' in an attribute value");
        if (c == '\r') {
            base_buf_addc(o, attr ? ' ' : '\n');
            i += (i + 1 < n && p[i + 1] == '\n') ? 2 : 1;
            continue;
        }
        if (c != '&') { /* tab or newline in an attribute value */
            base_buf_addc(o, ' ');
            i++;
            continue;
        }
        const unsigned char *semi = memchr(p + i, ';', n - i < 12 ? n - i : 12);
        if (semi == NULL)
            return bad(err, "unterminated entity reference");
        const char *ent = (const char *)p + i + 1;
        size_t elen = (size_t)(semi - (p + i)) - 1;
        if (elen == 3 && memcmp(ent, "amp", 3) == 0) {
            base_buf_addc(o, '&');
        } else if (elen == 2 && memcmp(ent, "lt", 2) == 0) {
            base_buf_addc(o, '<');
        } else if (elen == 2 && memcmp(ent, "gt", 2) == 0) {
            base_buf_addc(o, '>');
        } else if (elen == 4 && memcmp(ent, "quot", 4) == 0) {
            base_buf_addc(o, '"');
        } else if (elen == 4 && memcmp(ent, "apos", 4) == 0) {
            base_buf_addc(o, '\'');
        } else if (elen >= 2 && ent[0] == '#') {
            unsigned long cp = 0;
            int hex = ent[1] == 'x';
            size_t k = hex ? 2 : 1;
            if (k == elen)
                return bad(err, "empty character reference");
            for (; k < elen; k++) {
                int ch = ent[k], d;
                if (ch >= '0' && ch <= '9')
                    d = ch - '0';
                else if (hex && ch >= 'a' && ch <= 'f')
                    d = ch - 'a' + 10;
                else if (hex && ch >= 'A' && ch <= 'F')
                    d = ch - 'A' + 10;
                else
                    return bad(err, "bad character reference");
                cp = cp * (hex ? 16 : 10) + (unsigned long)d;
                if (cp > 0x10FFFF)
                    return bad(err, "character reference out of range");
            }
            if (!xml_char(cp))
                return bad(err, "character reference to a non-character");
            base_buf_add_utf8(o, (uint32_t)cp);
        } else {
            return bad(err, "unknown entity");
        }
        i = (size_t)(semi - p) + 1;
    }
    return 0;
}

/*
 * Parse the start or end tag b[0..len] (b[len] is '>') into *t. A value
 * that needs no decoding is NUL-terminated in place, over its closing
 * quote (the tag's bytes are consumed and never read again); others are
 * decoded onto scratch.
 */
static int
parse_tag(fmt_xml *x, unsigned char *b, size_t len, fmt_xml_token *t, app_err *err)
{
    int end_tag = b[1] == '/';
    size_t i = end_tag ? 2 : 1, n0 = i;
    size_t voff[FMT_XML_MAX_ATTRS]; /* SIZE_MAX: the value is in place */

    while (i < len && !is_space(b[i]) && b[i] != '/' && b[i] != '>')
        i++;
    if (i == n0)
        return bad(err, "tag without a name");
    const char *name = (const char *)b + n0;
    size_t nlen = i - n0;
    const char *colon = memchr(name, ':', nlen);
    if (colon) {
        nlen -= (size_t)(colon + 1 - name);
        name = colon + 1;
    }
    t->name = name;
    t->nlen = nlen;
    if (end_tag) {
        while (i < len && is_space(b[i]))
            i++;
        if (i != len)
            return bad(err, "junk in an end tag");
        if (x->depth == 0)
            return bad(err, "end tag without a start tag");
        x->depth--;
        t->type = FMT_XML_END;
        return 0;
    }
    t->type = FMT_XML_START;
    int na = 0;
    for (;;) {
        while (i < len && is_space(b[i]))
            i++;
        if (i == len)
            break;
        if (b[i] == '/') {
            if (i + 1 != len)
                return bad(err, "'/' inside a tag");
            t->empty = 1;
            break;
        }
        size_t a0 = i;
        while (i < len && !is_space(b[i]) && b[i] != '=' && b[i] != '/')
            i++;
        size_t alen = i - a0;
        while (i < len && is_space(b[i]))
            i++;
        if (alen == 0 || i == len || b[i] != '=')
            return bad(err, "attribute without a value");
        i++;
        while (i < len && is_space(b[i]))
            i++;
        if (i == len || (b[i] != '"' && b[i] != '\''))
            return bad(err, "unquoted attribute value");
        unsigned char q = b[i++];
        size_t v0 = i;
        while (i < len && b[i] != q)
            i++;
        if (i == len)
            return bad(err, "unterminated attribute value");
        size_t at = SIZE_MAX, vlen = i - v0;
        for (size_t k = v0; k < i && at == SIZE_MAX; k++)
            if (special[b[k]] & SP_ATTR)
                at = x->scratch.n;
        if (at == SIZE_MAX) {
            b[i] = '\0';
        } else {
            int rc = decode(x, b + v0, i - v0, 1, err);
            if (rc != 0)
                return rc;
            vlen = x->scratch.n - at;
            base_buf_addc(&x->scratch, '\0');
        }
        i++;
        if (na < FMT_XML_MAX_ATTRS) {
            fmt_xml_attr *a = &x->attrs[na];
            a->name = (const char *)b + a0;
            a->nlen = alen;
            const char *c = memchr(a->name, ':', alen);
            a->local = c ? c + 1 : a->name;
            a->llen = c ? alen - (size_t)(c + 1 - a->name) : alen;
            a->prefixed = c != NULL && !((size_t)(c - a->name) == 5 && memcmp(a->name, "xmlns", 5) == 0);
            a->vlen = vlen;
            a->value = (const char *)b + v0;
            voff[na++] = at;
        }
    }
    for (int k = 0; k < na; k++) /* scratch may have moved while growing */
        if (voff[k] != SIZE_MAX)
            x->attrs[k].value = (const char *)x->scratch.p + voff[k];
    t->attrs = x->attrs;
    t->nattrs = na;
    if (!t->empty) {
        if (x->depth >= FMT_XML_MAX_DEPTH)
            return bad(err, "elements nested too deeply");
        x->depth++;
    }
    t->depth = t->empty ? x->depth + 1 : x->depth;
    return 0;
}

int
fmt_xml_next(fmt_xml *x, fmt_xml_token *t, app_err *err)
{
    int rc;
    size_t at;

    memset(t, 0, sizeof(*t));
    base_buf_reset(&x->scratch);
    for (;;) {
        if ((rc = need(x, 1, err)) < 0)
            return rc;
        if (rc == 0) {
            if (x->depth > 0)
                return bad(err, "input ends inside an element");
            t->type = FMT_XML_EOF;
            return 0;
        }
        if (x->buf[x->pos] != '<') {
            /* text up to the next '<' or the end */
            rc = find(x, 0, "<", 1, &at, err);
            if (rc < 0)
                return rc;
            if (rc == 0)
                at = x->end - x->pos;
            if ((rc = decode(x, x->buf + x->pos, at, 0, err)) != 0)
                return rc;
            x->pos += at;
            t->type = FMT_XML_TEXT;
            t->text = (const char *)(x->scratch.p ? x->scratch.p : (unsigned char *)"");
            t->tlen = x->scratch.n;
            return 0;
        }
        if ((rc = need(x, 9, err)) < 0)
            return rc;
        const unsigned char *b = x->buf + x->pos;
        size_t avail = x->end - x->pos;
        if (avail >= 4 && memcmp(b, "<!--", 4) == 0) {
            if ((rc = find(x, 4, "-->", 3, &at, err)) <= 0)
                return rc < 0 ? rc : bad(err, "unterminated comment");
            x->pos += at + 3;
            continue;
        }
        if (avail >= 9 && memcmp(b, "<![CDATA[", 9) == 0) {
            if ((rc = find(x, 9, "]]>", 3, &at, err)) <= 0)
                return rc < 0 ? rc : bad(err, "unterminated CDATA section");
            if (x->depth == 0)
                return bad(err, "CDATA outside the root element");
            base_buf_add(&x->scratch, x->buf + x->pos + 9, at - 9);
            if (memchr(x->scratch.p, '\0', x->scratch.n) != NULL)
                return bad(err, "NUL byte");
            x->pos += at + 3;
            t->type = FMT_XML_TEXT;
            t->text = (const char *)x->scratch.p;
            t->tlen = x->scratch.n;
            return 0;
        }
        if (avail >= 2 && b[1] == '?') {
            if ((rc = find(x, 2, "?>", 2, &at, err)) <= 0)
                return rc < 0 ? rc : bad(err, "unterminated processing instruction");
            x->pos += at + 2;
            continue;
        }
        if (avail >= 2 && b[1] == '!')
            return bad(err, "DOCTYPE or other declaration");
        if ((rc = find_tag_end(x, &at, err)) <= 0)
            return rc < 0 ? rc : bad(err, "unterminated tag");
        unsigned char *tag = x->buf + x->pos;
        x->pos += at + 1;
        return parse_tag(x, tag, at, t, err);
    }
}
