/*
 * formats/xml.h - a small pull tokenizer for the XML parts of xlsx files.
 *
 * It reads bytes from a source callback (a zip entry being inflated) into a
 * sliding buffer and returns one token at a time: start tags with their
 * attributes, end tags, and text. Names are reported without their
 * namespace prefix ("x:row" -> "row"); namespaces are otherwise ignored,
 * which is all the fixed vocabulary of SpreadsheetML needs.
 *
 * Safe on hostile input: no DTDs (a <!DOCTYPE is an error, so no entity
 * can be defined and nothing is fetched), only the five predefined
 * entities and character references (&#NN; &#xHH;) are expanded, a token
 * (tag or text run) longer than max_token bytes is an error, and nesting
 * deeper than FMT_XML_MAX_DEPTH is an error. Comments and processing
 * instructions are skipped; CDATA sections are text. A UTF-8 byte order
 * mark is skipped. Well-formedness is checked only as far as the tokens
 * go: end tags are not matched against start tags by name.
 *
 * Errors: APP_EINVAL "xlsx_malformed" param "xml"; APP_ETOOLARGE
 * "xlsx_too_large" param "xml_token"; and whatever the source returns.
 */
#ifndef FMT_XML_H
#define FMT_XML_H

#include <stddef.h>
#include <string.h>

#include "base/err.h"

#define FMT_XML_MAX_ATTRS 32 /* attributes kept per tag; later ones are parsed and dropped */
#define FMT_XML_MAX_DEPTH 256

/* Fill buf with up to cap bytes; *out_n 0 at the end. 0 or an APP_E* code. */
typedef int (*fmt_xml_source)(void *ctx, void *buf, size_t cap, size_t *out_n, app_err *err);

typedef enum {
    FMT_XML_EOF = 0,
    FMT_XML_START, /* <name ...> or <name .../> (then `empty` is 1 and no END follows) */
    FMT_XML_END,   /* </name> */
    FMT_XML_TEXT,  /* character data, entities decoded, CR LF -> LF */
} fmt_xml_type;

typedef struct fmt_xml_attr {
    const char *name;  /* as written, "r:id" (not NUL-terminated: use nlen) */
    size_t nlen;
    const char *local; /* after the prefix, "id" */
    size_t llen;
    int prefixed;      /* the name had a prefix other than xmlns */
    const char *value; /* decoded, NUL-terminated */
    size_t vlen;
} fmt_xml_attr;

typedef struct fmt_xml_token {
    fmt_xml_type type;
    const char *name; /* START/END: local name (not NUL-terminated) */
    size_t nlen;
    int empty;        /* START of an empty-element tag */
    int depth;        /* START: depth of the element (root = 1) */
    const fmt_xml_attr *attrs;
    int nattrs;
    const char *text; /* TEXT: decoded, NUL-terminated */
    size_t tlen;
} fmt_xml_token;

typedef struct fmt_xml fmt_xml;

/* A tokenizer over `src`; free with fmt_xml_free(). Never NULL. */
fmt_xml *fmt_xml_new(fmt_xml_source src, void *ctx, size_t max_token);
void fmt_xml_free(fmt_xml *x); /* x may be NULL */

/*
 * The next token into *out; everything it points to stays valid until the
 * next call. At the end of input *out is FMT_XML_EOF (an error instead if
 * an element is still open). After an error, do not call again.
 */
int fmt_xml_next(fmt_xml *x, fmt_xml_token *out, app_err *err);

/* 1 when the token's name is `name` (inline: called for every token). */
static inline int
fmt_xml_is(const fmt_xml_token *t, const char *name)
{
    size_t n = strlen(name);
    return t->nlen == n && memcmp(t->name, name, n) == 0;
}

/*
 * The attribute whose local name is `local`: unprefixed when `prefixed` is
 * 0 ("r" of <c r="B7">), with a namespace prefix other than xmlns when 1
 * ("id" of r:id). NULL when absent.
 */
static inline const fmt_xml_attr *
fmt_xml_attr_find(const fmt_xml_token *t, const char *local, int prefixed)
{
    size_t n = strlen(local);
    for (int i = 0; i < t->nattrs; i++) {
        const fmt_xml_attr *a = &t->attrs[i];
        int has_prefix = a->local != a->name;
        if (has_prefix != (prefixed != 0) || (prefixed && !a->prefixed))
            continue;
        if (a->llen == n && memcmp(a->local, local, n) == 0)
            return a;
    }
    return NULL;
}

#endif
