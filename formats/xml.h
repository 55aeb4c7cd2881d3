/*
 * formats/xml.h - the XML parts of xlsx files, read through expat.
 *
 * fmt_xml_parse() pulls bytes from a source callback (a zip entry being
 * inflated, formats/zip.h) chunk by chunk and pushes them into an expat
 * parser, which calls the handlers below for every start tag, end tag and
 * piece of character data. Only a chunk and expat's partial token are held,
 * so memory does not grow with the length of the part. Names are reported
 * without their namespace prefix ("x:row" -> "row"); namespaces are
 * otherwise ignored, which is all the fixed vocabulary of SpreadsheetML
 * needs. An empty-element tag (<c/>) is a start followed by an end.
 *
 * Safe on hostile input (docs/decisions/0021): a document type declaration
 * (<!DOCTYPE) is refused as soon as it starts, so no entity can be defined
 * and nothing is fetched; parameter entities are never parsed; expat's
 * amplification guard is on as well. Only the five predefined entities
 * and character references are expanded. Limits: a tag, comment or
 * processing instruction longer than max_token bytes, or a run of
 * character data between two tags longer than max_token bytes, is an
 * error; so is nesting deeper than FMT_XML_MAX_DEPTH. The document must be
 * well-formed (end tags match their start tags).
 *
 * Text and attribute values are UTF-8 (expat converts a declared UTF-16 or
 * Latin-1 part), NUL-terminated, CR LF turned into LF.
 *
 * Errors: APP_EINVAL "xlsx_malformed" param "xml" (not well-formed, a
 * DOCTYPE, too deep), or param "utf8" when the bytes where expat stopped
 * are not UTF-8; APP_ETOOLARGE "xlsx_too_large" param "xml_token"; and
 * whatever the source or a handler returns.
 */
#ifndef FMT_XML_H
#define FMT_XML_H

#include "base/err.h"

#include <stddef.h>
#include <string.h>

#define FMT_XML_MAX_DEPTH 256
#define FMT_XML_STOP 1 /* a handler's return value: stop reading, no error */

/* Fill buf with up to cap bytes; *out_n 0 at the end. 0 or an APP_E* code. */
typedef int (*fmt_xml_source)(void *ctx, void *buf, size_t cap, size_t *out_n, app_err *err);

/* A start or end tag; valid only during the handler call. */
typedef struct fmt_xml_tag {
    const char *name; /* local name, NUL-terminated */
    size_t nlen;
    int depth;         /* of the element (root = 1) */
    const char **atts; /* start: name, value, name, value, ..., NULL (names as written, "r:id") */
} fmt_xml_tag;

/*
 * Handlers (any may be NULL) return 0 to go on, FMT_XML_STOP to end the
 * parse successfully (nothing more is read), or an APP_E* code (with `err`
 * set) to end it with that error.
 */
typedef struct fmt_xml_handlers {
    int (*start)(void *ctx, const fmt_xml_tag *t, app_err *err);
    int (*end)(void *ctx, const fmt_xml_tag *t, app_err *err);
    /* character data, in pieces: a run of text may come in several calls */
    int (*text)(void *ctx, const char *s, size_t n, app_err *err);
} fmt_xml_handlers;

/*
 * Parse the document that `src` yields, calling `h` with `ctx`. Returns 0
 * at the end of the document (or after FMT_XML_STOP), else the first error.
 */
int fmt_xml_parse(fmt_xml_source src, void *src_ctx, size_t max_token, const fmt_xml_handlers *h,
                  void *ctx, app_err *err);

/* 1 when the tag's local name is `name` (inline: called for every tag). */
static inline int
fmt_xml_is(const fmt_xml_tag *t, const char *name)
{
    return strcmp(t->name, name) == 0;
}

/*
 * The value of the attribute whose local name is `local`: unprefixed when
 * `prefixed` is 0 ("r" of <c r="B7">), with a namespace prefix other than
 * xmlns when 1 ("id" of r:id). NULL when absent.
 */
const char *fmt_xml_attr(const fmt_xml_tag *t, const char *local, int prefixed);

#endif
