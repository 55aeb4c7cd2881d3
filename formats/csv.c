/*
 * formats/csv.c - the CSV reader and writer of formats/csv.h.
 *
 * The reader is a push parser fed with UTF-8: the whole input when it is
 * UTF-8 already, else 64 KiB pieces that iconv converted from GB18030, so a
 * GBK file is never held twice in memory.
 */
#include "formats/csv.h"

#include "base/arena.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

enum { S_START, S_UNQUOTED, S_QUOTED, S_QUOTE_IN_QUOTED };

typedef struct parser {
    fmt_csv_limits lim;
    fmt_sheet_row_fn fn;
    void *ctx;
    app_err *err;
    base_buf rec; /* the record's fields, each NUL-terminated */
    size_t *foff; /* start of field k in rec */
    size_t nf, fcap;
    core_cell *cells;
    int state, skip_lf;
    long row, quote_row;
} parser;

fmt_csv_limits
fmt_csv_limits_default(void)
{
    fmt_csv_limits l = {.max_record = (size_t)1 << 20, .max_columns = FMT_SHEET_MAX_COLS};
    return l;
}

static int
row_error(parser *p, app_code code, const char *slug, const char *param, long row)
{
    app_err_set(p->err, code, slug, "csv: %s at record %ld", param, row);
    app_err_param(p->err, param);
    app_err_add(p->err, "", slug, param);
    if (p->err && p->err->nitems > 0)
        p->err->items[p->err->nitems - 1].row = (int)row;
    return code;
}

static int
end_field(parser *p)
{
    if (p->nf >= p->lim.max_columns)
        return row_error(p, APP_ETOOLARGE, "csv_too_large", "columns", p->row);
    if (p->nf == p->fcap) {
        p->fcap = p->fcap ? p->fcap * 2 : 64;
        p->foff = xrealloc(p->foff, (p->fcap + 1) * sizeof(size_t));
        p->cells = xrealloc(p->cells, p->fcap * sizeof(core_cell));
    }
    base_buf_addc(&p->rec, '\0');
    p->foff[++p->nf] = p->rec.n;
    return 0;
}

static int
end_record(parser *p)
{
    int rc = end_field(p);
    if (rc != 0)
        return rc;
    size_t n = p->nf;
    while (n > 0 && p->foff[n] - p->foff[n - 1] == 1)
        n--; /* trailing empty fields */
    for (size_t i = 0; i < n; i++) {
        core_cell *c = &p->cells[i];
        c->s = (const char *)p->rec.p + p->foff[i];
        c->len = p->foff[i + 1] - p->foff[i] - 1;
        c->type = c->len ? CORE_CELL_TEXT : CORE_CELL_EMPTY;
        c->flags = fmt_sheet_lost_digits(c->s, c->len, 1) ? CORE_CELL_F_LOST_DIGITS : 0;
    }
    fmt_sheet_row r = {p->row, n, p->cells, 0, 0}; /* CSV has no date system: 1900 */
    rc = p->fn(p->ctx, &r, p->err);
    base_buf_reset(&p->rec);
    p->nf = 0;
    p->row++;
    p->state = S_START;
    return rc;
}

static int
feed(parser *p, const unsigned char *s, size_t n)
{
    int rc;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (p->skip_lf) {
            p->skip_lf = 0;
            if (c == '\n')
                continue;
        }
        switch (p->state) {
        case S_START:
        case S_UNQUOTED:
            if (c == '"' && p->state == S_START) {
                p->state = S_QUOTED;
                p->quote_row = p->row;
                continue;
            }
            if (c == ',') {
                if ((rc = end_field(p)) != 0)
                    return rc;
                p->state = S_START;
                continue;
            }
            if (c == '\r' || c == '\n') {
                p->skip_lf = c == '\r';
                if ((rc = end_record(p)) != 0)
                    return rc;
                continue;
            }
            p->state = S_UNQUOTED;
            break;
        case S_QUOTED:
            if (c == '"') {
                p->state = S_QUOTE_IN_QUOTED;
                continue;
            }
            break;
        case S_QUOTE_IN_QUOTED:
            if (c == '"') {
                p->state = S_QUOTED;
                break; /* "" is one quote */
            }
            if (c == ',') {
                if ((rc = end_field(p)) != 0)
                    return rc;
                p->state = S_START;
                continue;
            }
            if (c == '\r' || c == '\n') {
                p->skip_lf = c == '\r';
                if ((rc = end_record(p)) != 0)
                    return rc;
                continue;
            }
            p->state = S_UNQUOTED; /* "ab"c: Excel reads abc */
            break;
        }
        if (p->rec.n >= p->lim.max_record)
            return row_error(p, APP_ETOOLARGE, "csv_too_large", "record",
                             p->state == S_QUOTED ? p->quote_row : p->row);
        base_buf_addc(&p->rec, c);
    }
    return 0;
}

static int
finish(parser *p)
{
    if (p->state == S_QUOTED)
        return row_error(p, APP_EINVAL, "csv_malformed", "quote", p->quote_row);
    if (p->nf > 0 || p->state != S_START)
        return end_record(p);
    return 0;
}

static int
bad_encoding(app_err *err, const char *param, const char *why)
{
    app_err_set(err, APP_EINVAL, "csv_bad_encoding", "csv: %s", why);
    app_err_param(err, param);
    return APP_EINVAL;
}

/* Convert GB18030 to UTF-8 in pieces and feed them to the parser. */
static int
feed_gb18030(parser *p, const unsigned char *data, size_t len)
{
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return app_err_set(p->err, APP_EINTERNAL, NULL, "csv: iconv_open GB18030: %s",
                           strerror(errno));
    char *in = (char *)(uintptr_t)data; /* iconv does not write through it */
    size_t left = len;
    int rc = 0;
    char buf[65536];
    while (rc == 0) {
        char *o = buf;
        size_t room = sizeof(buf);
        size_t r = left > 0 ? iconv(cd, &in, &left, &o, &room) : iconv(cd, NULL, NULL, &o, &room);
        int e = errno;
        rc = feed(p, (unsigned char *)buf, sizeof(buf) - room);
        if (rc != 0)
            break;
        if (r == (size_t)-1 && e != E2BIG) {
            rc = bad_encoding(p->err, "", "neither UTF-8 nor GB18030");
            app_err_add(p->err, "", "csv_bad_encoding", "");
            if (p->err && p->err->nitems > 0)
                p->err->items[p->err->nitems - 1].row = (int)p->row;
            break;
        }
        if (left == 0 && r != (size_t)-1 && o == buf)
            break; /* flushed and nothing more */
    }
    iconv_close(cd);
    return rc;
}

int
fmt_csv_read(const unsigned char *data, size_t len, const fmt_csv_limits *lim, fmt_sheet_row_fn fn,
             void *ctx, fmt_csv_encoding *out_enc, app_err *err)
{
    parser p = {.fn = fn, .ctx = ctx, .err = err, .row = 1};
    int rc;

    p.lim = lim ? *lim : fmt_csv_limits_default();
    if (p.lim.max_columns == 0)
        p.lim.max_columns = 1;
    if (data == NULL)
        len = 0;
    if (len >= 2 && ((data[0] == 0xFF && data[1] == 0xFE) || (data[0] == 0xFE && data[1] == 0xFF)))
        return bad_encoding(err, "utf16", "UTF-16 byte order mark");
    if (len > 0 && memchr(data, '\0', len) != NULL)
        return bad_encoding(err, "", "NUL byte");
    int bom = len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF;
    if (bom) {
        data += 3;
        len -= 3;
    }
    fmt_csv_encoding enc = base_utf8_valid(data, len) ? FMT_CSV_UTF8 : FMT_CSV_GB18030;
    if (bom && enc != FMT_CSV_UTF8)
        return bad_encoding(err, "", "not UTF-8 after a UTF-8 byte order mark");
    if (out_enc)
        *out_enc = enc;
    p.foff = xmalloc(65 * sizeof(size_t));
    p.cells = xmalloc(64 * sizeof(core_cell));
    p.fcap = 64;
    p.foff[0] = 0;
    rc = enc == FMT_CSV_UTF8 ? feed(&p, data, len) : feed_gb18030(&p, data, len);
    if (rc == 0)
        rc = finish(&p);
    base_buf_free(&p.rec);
    free(p.foff);
    free(p.cells);
    return rc;
}

/* ---- writing ---------------------------------------------------------------- */

void
fmt_csv_write_bom(base_buf *b)
{
    base_buf_add(b, "\xEF\xBB\xBF", 3);
}

/* -3, +1.5, 42: nothing a spreadsheet would run. */
static int
plain_number(const char *s)
{
    const char *p = s + (*s == '+' || *s == '-');
    int digits = 0;
    while (*p >= '0' && *p <= '9')
        p++, digits++;
    if (*p == '.' && digits > 0) {
        p++;
        int frac = 0;
        while (*p >= '0' && *p <= '9')
            p++, frac++;
        if (frac == 0)
            return 0;
    }
    return digits > 0 && *p == '\0';
}

void
fmt_csv_write_row(base_buf *b, const char *const *cells, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *v = cells[i] ? cells[i] : "";
        size_t len = strlen(v);
        if (i > 0)
            base_buf_addc(b, ',');
        if (len == 0)
            continue;
        int guard = strchr("=+-@\t\r", v[0]) != NULL && !plain_number(v);
        int quote = strpbrk(v, ",\"\r\n") != NULL || v[0] == ' ' || v[len - 1] == ' ';
        if (quote)
            base_buf_addc(b, '"');
        if (guard)
            base_buf_addc(b, '\'');
        for (const char *q = v; *q; q++) {
            if (*q == '"')
                base_buf_addc(b, '"');
            base_buf_addc(b, *q);
        }
        if (quote)
            base_buf_addc(b, '"');
    }
    base_buf_add(b, "\r\n", 2);
}
