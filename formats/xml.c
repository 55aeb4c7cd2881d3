/*
 * formats/xml.c - formats/xml.h over expat's push parser.
 *
 * Inflated bytes go straight into expat's own buffer (XML_GetBuffer), one
 * chunk at a time. The token cap is kept without looking into expat: every
 * event records where it ends in the input (`mark`), so after a chunk the
 * bytes expat holds without having reported them - a partial tag, comment
 * or processing instruction - are `fed - mark`. Character data is reported
 * as it arrives, so its runs are counted in the text handler instead.
 */
#include "formats/xml.h"

#include "base/buf.h"

#include <string.h>

/* Debian's libexpat is built with DTD support (expat_config.h), which also
   declares the amplification guard of expat >= 2.4.0. */
#ifndef XML_DTD
#define XML_DTD 1
#endif
#include <expat.h>

#define CHUNK 65536

typedef struct parse {
    XML_Parser p;
    const fmt_xml_handlers *h;
    void *ctx;
    app_err *err;
    int rc; /* a handler's or a cap's verdict; stops the parse */
    int depth;
    int seen_element;
    size_t max_token;
    size_t run; /* bytes of the current run of character data */
    unsigned long long fed, mark;
} parse;

static int
malformed(app_err *err, const char *param, const char *why)
{
    app_err_set(err, APP_EINVAL, "xlsx_malformed", "xml: %s", why);
    app_err_param(err, param);
    return APP_EINVAL;
}

static int
token_too_large(app_err *err, size_t max_token)
{
    app_err_set(err, APP_ETOOLARGE, "xlsx_too_large", "xml: token longer than %zu bytes",
                max_token);
    app_err_param(err, "xml_token");
    return APP_ETOOLARGE;
}

/* Record a verdict (error or FMT_XML_STOP) and stop expat; later events are ignored. */
static void
stop(parse *ps, int rc)
{
    if (rc != 0 && ps->rc == 0) {
        ps->rc = rc;
        XML_StopParser(ps->p, XML_FALSE);
    }
}

/*
 * An event was reported: everything up to its end has been consumed.
 * Returns 0, or -1 (the parse stopped) when the event's own bytes - a tag
 * that arrived in the chunk just fed - are more than max_token.
 */
static int
note(parse *ps)
{
    XML_Index at = XML_GetCurrentByteIndex(ps->p);
    int n = XML_GetCurrentByteCount(ps->p);
    unsigned long long end = (unsigned long long)at + (unsigned long long)(n > 0 ? n : 0);
    if (at >= 0 && end > ps->mark) /* the end of an empty element has no bytes of its own */
        ps->mark = end;
    if (n > 0 && (size_t)n > ps->max_token) {
        stop(ps, token_too_large(ps->err, ps->max_token));
        return -1;
    }
    return 0;
}

/* The part of `name` after its last ':' (one pass: called for every tag). */
static const char *
local_name(const char *name, size_t *out_n)
{
    const char *local = name, *q = name;
    for (; *q != '\0'; q++)
        if (*q == ':')
            local = q + 1;
    *out_n = (size_t)(q - local);
    return local;
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    parse *ps = ud;
    if (ps->rc != 0 || note(ps) < 0)
        return;
    ps->run = 0;
    ps->seen_element = 1;
    if (ps->depth >= FMT_XML_MAX_DEPTH) {
        stop(ps, malformed(ps->err, "xml", "elements nested too deeply"));
        return;
    }
    fmt_xml_tag t = {.depth = ++ps->depth, .atts = atts};
    t.name = local_name(name, &t.nlen);
    if (ps->h->start != NULL)
        stop(ps, ps->h->start(ps->ctx, &t, ps->err));
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
    parse *ps = ud;
    if (ps->rc != 0 || note(ps) < 0)
        return;
    ps->run = 0;
    fmt_xml_tag t = {.depth = ps->depth--};
    t.name = local_name(name, &t.nlen);
    if (ps->h->end != NULL)
        stop(ps, ps->h->end(ps->ctx, &t, ps->err));
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
    parse *ps = ud;
    if (ps->rc != 0 || note(ps) < 0)
        return;
    ps->run += (size_t)len;
    if (ps->run > ps->max_token)
        stop(ps, token_too_large(ps->err, ps->max_token));
    else if (ps->h->text != NULL)
        stop(ps, ps->h->text(ps->ctx, s, (size_t)len, ps->err));
}

/* Comments, processing instructions, CDATA bounds, the XML declaration: consumed, nothing to
 * report. */
static void
other(void *ud)
{
    parse *ps = ud;
    if (ps->rc == 0 && note(ps) == 0)
        ps->run = 0;
}

static void XMLCALL
on_comment(void *ud, const XML_Char *data)
{
    (void)data;
    other(ud);
}

static void XMLCALL
on_pi(void *ud, const XML_Char *target, const XML_Char *data)
{
    (void)target;
    (void)data;
    other(ud);
}

static void XMLCALL
on_cdata(void *ud)
{
    other(ud);
}

static void XMLCALL
on_xmldecl(void *ud, const XML_Char *version, const XML_Char *encoding, int standalone)
{
    (void)version;
    (void)encoding;
    (void)standalone;
    other(ud);
}

static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
           int has_internal_subset)
{
    parse *ps = ud;
    (void)name;
    (void)sysid;
    (void)pubid;
    (void)has_internal_subset;
    stop(ps, malformed(ps->err, "xml", "DOCTYPE or other declaration"));
}

static XML_Parser
parser_new(parse *ps)
{
    XML_Parser p = XML_ParserCreate(NULL);
    if (p == NULL)
        return NULL;
    XML_SetUserData(p, ps);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    XML_SetCommentHandler(p, on_comment);
    XML_SetProcessingInstructionHandler(p, on_pi);
    XML_SetCdataSectionHandler(p, on_cdata, on_cdata);
    XML_SetXmlDeclHandler(p, on_xmldecl);
    XML_SetStartDoctypeDeclHandler(p, on_doctype);
    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER);
#if XML_MAJOR_VERSION > 2 || (XML_MAJOR_VERSION == 2 && XML_MINOR_VERSION >= 4)
    XML_SetBillionLaughsAttackProtectionMaximumAmplification(p, 10.0f);
    XML_SetBillionLaughsAttackProtectionActivationThreshold(p, 1 << 20);
#endif
    return p;
}

/* The bytes where expat stopped do not start a UTF-8 character (`final`: nothing follows them). */
static int
stopped_at_bad_utf8(XML_Parser p)
{
    int off = 0, size = 0;
    const char *b = XML_GetInputContext(p, &off, &size);
    if (b == NULL || off < 0 || off >= size)
        return 0;
    unsigned char c = (unsigned char)b[off];
    size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    if ((size_t)(size - off) < len)
        len = (size_t)(size - off);
    return base_utf8_valid_prefix(b + off, len) == 0;
}

/* After XML_ParseBuffer failed: the verdict to return. */
static int
parse_failed(parse *ps)
{
    if (ps->rc != 0)
        return ps->rc == FMT_XML_STOP ? 0 : ps->rc;
    enum XML_Error e = XML_GetErrorCode(ps->p);
    if (e == XML_ERROR_NO_ELEMENTS && !ps->seen_element)
        return 0; /* an empty part, or one of only comments: no elements, nothing to read */
    if (e == XML_ERROR_NO_MEMORY) {
        app_err_set(ps->err, APP_EINTERNAL, "internal", "xml: out of memory");
        return APP_EINTERNAL;
    }
    if ((e == XML_ERROR_INVALID_TOKEN || e == XML_ERROR_PARTIAL_CHAR) && stopped_at_bad_utf8(ps->p))
        return malformed(ps->err, "utf8", "text is not UTF-8");
    return malformed(ps->err, "xml", XML_ErrorString(e));
}

int
fmt_xml_parse(fmt_xml_source src, void *src_ctx, size_t max_token, const fmt_xml_handlers *h,
              void *ctx, app_err *err)
{
    parse ps = {.h = h, .ctx = ctx, .err = err, .max_token = max_token < 64 ? 64 : max_token};
    int rc = 0;

    if ((ps.p = parser_new(&ps)) == NULL) {
        app_err_set(err, APP_EINTERNAL, "internal", "xml: out of memory");
        return APP_EINTERNAL;
    }
    for (;;) {
        void *buf = XML_GetBuffer(ps.p, CHUNK);
        size_t n = 0;
        if (buf == NULL) {
            rc = parse_failed(&ps);
            break;
        }
        if ((rc = src(src_ctx, buf, CHUNK, &n, err)) != 0)
            break;
        ps.fed += n;
        if (XML_ParseBuffer(ps.p, (int)n, n == 0) != XML_STATUS_OK) {
            rc = parse_failed(&ps);
            break;
        }
        if (n == 0)
            break;
        if (ps.fed - ps.mark > ps.max_token) {
            rc = token_too_large(err, ps.max_token);
            break;
        }
    }
    XML_ParserFree(ps.p);
    return rc;
}

const char *
fmt_xml_attr(const fmt_xml_tag *t, const char *local, int prefixed)
{
    for (const char **a = t->atts; a != NULL && a[0] != NULL; a += 2) {
        const char *name = a[0], *colon = strchr(name, ':');
        if ((colon != NULL) != (prefixed != 0))
            continue;
        if (colon != NULL && colon - name == 5 && memcmp(name, "xmlns", 5) == 0)
            continue;
        if (strcmp(colon ? colon + 1 : name, local) == 0)
            return a[1];
    }
    return NULL;
}
