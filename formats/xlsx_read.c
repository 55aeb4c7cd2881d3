/*
 * formats/xlsx_read.c - the streaming worksheet reader of formats/xlsx.h.
 *
 * Parts are found as OPC says: the package relationships (_rels/.rels)
 * name the workbook, the workbook's relationships name its sheets and
 * shared strings; relationship types are matched by their last segment so
 * that Strict OOXML's namespace works too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "formats/xlsx.h"
#include "formats/xml.h"

#define MAX_RELS 4096
#define MAX_SHEETS 4096

fmt_xlsx_limits
fmt_xlsx_limits_default(void)
{
    fmt_xlsx_limits l = {
        .zip = fmt_zip_limits_default(),
        .max_shared_strings = 2000000,
        .max_shared_bytes = (size_t)64 << 20,
        .max_token = (size_t)1 << 20,
        .max_columns = 1024,
    };
    return l;
}

typedef struct rel {
    const char *id, *type, *target;
    int external;
} rel;

typedef struct sheet_ref {
    const char *name, *rid;
} sheet_ref;

typedef enum { T_N, T_S, T_STR, T_INLINE, T_B, T_E, T_D } cell_t;

typedef struct cellb {
    unsigned char set, from_sst;
    core_cell_type type;
    unsigned flags;
    size_t off, len;
} cellb;

typedef struct reader {
    fmt_xlsx_limits lim;
    fmt_zip *z;
    app_arena *a;
    app_err *err;
    /* shared strings: NUL-terminated strings in sst, string k at soff[k],
       soff[k + 1] - soff[k] - 1 bytes long */
    base_buf sst;
    uint32_t *soff;
    size_t sn, scap;
    /* the row being read */
    cellb *cb;
    core_cell *cells;
    size_t ccap, maxcol;
    base_buf rowtext, val;
    int date1904; /* the workbook's date system (fmt_sheet_row.date1904) */
} reader;

static int
malformed(app_err *err, const char *param, const char *why)
{
    app_err_set(err, APP_EINVAL, "xlsx_malformed", "xlsx: %s", why);
    app_err_param(err, param);
    return APP_EINVAL;
}

static int
too_large(app_err *err, const char *param)
{
    app_err_set(err, APP_ETOOLARGE, "xlsx_too_large", "xlsx: limit on %s exceeded", param);
    app_err_param(err, param);
    return APP_ETOOLARGE;
}

static int
zip_source(void *ctx, void *buf, size_t cap, size_t *out_n, app_err *err)
{
    return fmt_zip_reader_read(ctx, buf, cap, out_n, err);
}

static int
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The folder of a part name, with its trailing '/' ("" for a top-level part). */
static char *
part_dir(app_arena *a, const char *part)
{
    const char *slash = strrchr(part, '/');
    return app_arena_strndup(a, part, slash ? (size_t)(slash - part) + 1 : 0);
}

/* The relationships part of `part`: "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels". */
static char *
rels_of(app_arena *a, const char *part)
{
    const char *slash = strrchr(part, '/');
    const char *base = slash ? slash + 1 : part;
    return app_arena_printf(a, "%.*s_rels/%s.rels", (int)(base - part), part, base);
}

/* A relationship target resolved against folder `dir`, ".." and "." removed; NULL if it escapes. */
static char *
resolve(app_arena *a, const char *dir, const char *target)
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

/* ---- XML parts ------------------------------------------------------------ */

typedef struct part {
    fmt_zip_reader *zr;
    fmt_xml *x;
} part;

/* Open part `name` for tokenizing: 0, 1 when it does not exist, or an error. */
static int
part_open(reader *rd, const char *name, part *p)
{
    memset(p, 0, sizeof(*p));
    long i = fmt_zip_find(rd->z, name);
    if (i < 0)
        return 1;
    int rc = fmt_zip_reader_open(rd->z, (size_t)i, &p->zr, rd->err);
    if (rc != 0)
        return rc;
    p->x = fmt_xml_new(zip_source, p->zr, rd->lim.max_token);
    return 0;
}

static void
part_close(part *p)
{
    fmt_xml_free(p->x);
    fmt_zip_reader_close(p->zr);
    memset(p, 0, sizeof(*p));
}

static const char *
attr(reader *rd, const fmt_xml_token *t, const char *local, int prefixed)
{
    const fmt_xml_attr *a = fmt_xml_attr_find(t, local, prefixed);
    return a ? app_arena_strndup(rd->a, a->value, a->vlen) : NULL;
}

/* The relationships of `source` (a part name, or "" for the package). */
static int
read_rels(reader *rd, const char *source, rel **out, size_t *out_n)
{
    part p;
    fmt_xml_token t;
    const char *name = source[0] ? rels_of(rd->a, source) : "_rels/.rels";
    const char *dir = part_dir(rd->a, source);
    rel *v = app_arena_alloc(rd->a, MAX_RELS * sizeof(rel));
    size_t n = 0;

    *out = v;
    *out_n = 0;
    int rc = part_open(rd, name, &p);
    if (rc != 0)
        return rc > 0 ? 0 : rc;
    while ((rc = fmt_xml_next(p.x, &t, rd->err)) == 0 && t.type != FMT_XML_EOF) {
        if (t.type != FMT_XML_START || !fmt_xml_is(&t, "Relationship"))
            continue;
        const char *id = attr(rd, &t, "Id", 0), *type = attr(rd, &t, "Type", 0);
        const char *target = attr(rd, &t, "Target", 0), *mode = attr(rd, &t, "TargetMode", 0);
        if (id == NULL || type == NULL || target == NULL)
            continue;
        if (n == MAX_RELS) {
            rc = too_large(rd->err, "entries");
            break;
        }
        v[n].id = id;
        v[n].type = type;
        v[n].external = mode && strcmp(mode, "External") == 0;
        v[n].target = v[n].external ? target : resolve(rd->a, dir, target);
        if (v[n].target != NULL)
            n++;
    }
    part_close(&p);
    *out_n = n;
    return rc;
}

static const rel *
rel_by_type(const rel *v, size_t n, const char *suffix)
{
    for (size_t i = 0; i < n; i++)
        if (!v[i].external && ends_with(v[i].type, suffix))
            return &v[i];
    return NULL;
}

static const rel *
rel_by_id(const rel *v, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!v[i].external && strcmp(v[i].id, id) == 0)
            return &v[i];
    return NULL;
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
static int
xsd_true(const char *v, size_t n)
{
    while (n > 0 && xml_space(v[0]))
        v++, n--;
    while (n > 0 && xml_space(v[n - 1]))
        n--;
    return (n == 1 && v[0] == '1') || (n == 4 && memcmp(v, "true", 4) == 0);
}

/*
 * The workbook part: its worksheets in order (name and relationship id)
 * and its date system, <workbookPr date1904>, into rd->date1904.
 */
static int
read_workbook(reader *rd, const char *wb, sheet_ref **out, size_t *out_n)
{
    part p;
    fmt_xml_token t;
    sheet_ref *v = app_arena_alloc(rd->a, MAX_SHEETS * sizeof(sheet_ref));
    size_t n = 0;

    *out = v;
    *out_n = 0;
    int rc = part_open(rd, wb, &p);
    if (rc != 0)
        return rc > 0 ? malformed(rd->err, "part", "no workbook part") : rc;
    while ((rc = fmt_xml_next(p.x, &t, rd->err)) == 0 && t.type != FMT_XML_EOF) {
        if (t.type == FMT_XML_START && fmt_xml_is(&t, "workbookPr")) {
            const fmt_xml_attr *a = fmt_xml_attr_find(&t, "date1904", 0);
            rd->date1904 = a != NULL && xsd_true(a->value, a->vlen);
            continue;
        }
        if (t.type != FMT_XML_START || !fmt_xml_is(&t, "sheet"))
            continue;
        const char *name = attr(rd, &t, "name", 0), *rid = attr(rd, &t, "id", 1);
        if (name == NULL || rid == NULL)
            continue;
        if (n == MAX_SHEETS) {
            rc = too_large(rd->err, "entries");
            break;
        }
        v[n].name = name;
        v[n].rid = rid;
        n++;
    }
    part_close(&p);
    *out_n = n;
    return rc;
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
static size_t
unescape_x(char *s, size_t n)
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

/* ---- shared strings --------------------------------------------------------- */

/*
 * The string being read is complete: unescape, check and index it. It is
 * everything after the last indexed string (read_sst keeps nothing else
 * there), so no byte of rd->sst escapes the checks.
 */
static int
sst_push(reader *rd, size_t max_bytes)
{
    size_t start = rd->soff[rd->sn];
    size_t len = unescape_x((char *)rd->sst.p + start, rd->sst.n - start);
    if (!base_utf8_valid(rd->sst.p + start, len))
        return malformed(rd->err, "utf8", "shared string is not UTF-8");
    rd->sst.n = start + len;
    if (rd->sst.n >= max_bytes)
        return too_large(rd->err, "shared_strings");
    base_buf_addc(&rd->sst, '\0');
    if (rd->sn + 2 > rd->scap) {
        rd->scap *= 2;
        rd->soff = xrealloc(rd->soff, rd->scap * sizeof(uint32_t));
    }
    rd->soff[++rd->sn] = (uint32_t)rd->sst.n;
    return 0;
}

static int
read_sst(reader *rd, const char *name)
{
    part p;
    fmt_xml_token t;
    int in_si = 0, in_t = 0, rph = 0;
    size_t max_bytes =
        rd->lim.max_shared_bytes < UINT32_MAX - 1 ? rd->lim.max_shared_bytes : UINT32_MAX - 1;

    rd->scap = 1024;
    rd->soff = xmalloc(rd->scap * sizeof(uint32_t));
    rd->soff[0] = 0;
    base_buf_reserve(&rd->sst, 0);
    int rc = part_open(rd, name, &p);
    if (rc != 0)
        return rc > 0 ? 0 : rc;
    while (rc == 0 && (rc = fmt_xml_next(p.x, &t, rd->err)) == 0 && t.type != FMT_XML_EOF) {
        if (t.type == FMT_XML_START) {
            if (fmt_xml_is(&t, "si")) {
                /* an <si> that never ended (end tags are not matched by name,
                   formats/xml.h): its text is dropped, not glued to this one */
                rd->sst.n = rd->soff[rd->sn];
                in_t = rph = 0;
                if (rd->sn >= rd->lim.max_shared_strings) {
                    rc = too_large(rd->err, "shared_strings");
                } else if (t.empty) {
                    in_si = 0;
                    rc = sst_push(rd, max_bytes);
                } else {
                    in_si = 1;
                }
            } else if (in_si && fmt_xml_is(&t, "rPh") && !t.empty) {
                rph++;
            } else if (in_si && fmt_xml_is(&t, "t") && !t.empty && rph == 0) {
                in_t = 1;
            }
        } else if (t.type == FMT_XML_TEXT) {
            if (!in_si || !in_t)
                continue;
            if (t.tlen > max_bytes - rd->sst.n)
                rc = too_large(rd->err, "shared_strings");
            else
                base_buf_add(&rd->sst, t.text, t.tlen);
        } else if (t.type == FMT_XML_END) {
            if (fmt_xml_is(&t, "t")) {
                in_t = 0;
            } else if (fmt_xml_is(&t, "rPh")) {
                rph -= rph > 0;
            } else if (in_si && fmt_xml_is(&t, "si")) {
                in_si = in_t = rph = 0;
                rc = sst_push(rd, max_bytes);
            }
        }
    }
    part_close(&p);
    return rc;
}

/* ---- the sheet ------------------------------------------------------------------ */

typedef struct sheet_state {
    fmt_sheet_row_fn fn;
    void *ctx;
    long row, hint, nrows;
    int in_data, in_row, in_cell, in_v, in_is, in_t, rph;
    int col, next_col;
    cell_t type;
} sheet_state;

static int
parse_row_number(const char *s, long *out)
{
    long v = 0;
    if (*s == '\0' || *s == '0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > FMT_SHEET_MAX_ROWS)
            return -1;
    }
    *out = v;
    return 0;
}

static void
row_reset(reader *rd)
{
    for (size_t i = 0; i < rd->maxcol; i++)
        rd->cb[i].set = 0;
    rd->maxcol = 0;
    base_buf_reset(&rd->rowtext);
}

static cellb *
cell_slot(reader *rd, int col)
{
    size_t c = (size_t)col;
    if (c >= rd->ccap) {
        size_t cap = rd->ccap ? rd->ccap : 64;
        while (cap <= c)
            cap *= 2;
        rd->cb = xrealloc(rd->cb, cap * sizeof(cellb));
        rd->cells = xrealloc(rd->cells, cap * sizeof(core_cell));
        memset(rd->cb + rd->ccap, 0, (cap - rd->ccap) * sizeof(cellb));
        rd->ccap = cap;
    }
    if (c >= rd->maxcol) {
        for (size_t i = rd->maxcol; i < c; i++)
            rd->cb[i].set = 0;
        rd->maxcol = c + 1;
    }
    return &rd->cb[c];
}

/* The value collected in rd->val becomes cell st->col. */
static int
cell_end(reader *rd, sheet_state *st)
{
    char *v = (char *)(rd->val.p ? rd->val.p : (unsigned char *)"");
    size_t n = rd->val.n;
    cellb *c;

    if (n == 0)
        return 0;
    c = cell_slot(rd, st->col);
    c->set = 1;
    c->from_sst = 0;
    c->flags = 0;
    switch (st->type) {
    case T_S: {
        size_t i = 0, idx = 0;
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n'))
            i++;
        size_t d0 = i;
        for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
            idx = idx * 10 + (size_t)(v[i] - '0');
            if (idx > rd->sn)
                break;
        }
        size_t d1 = i;
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == '\n'))
            i++;
        if (d1 == d0 || i != n || idx >= rd->sn)
            return malformed(rd->err, "shared_string", "shared string index out of range");
        c->from_sst = 1;
        c->off = rd->soff[idx];
        c->len = rd->soff[idx + 1] - rd->soff[idx] - 1;
        c->type = CORE_CELL_TEXT;
        break;
    }
    case T_STR:
    case T_INLINE:
    case T_D:
        n = unescape_x(v, n);
        c->type = CORE_CELL_TEXT;
        break;
    case T_N:
        c->type = CORE_CELL_NUMBER;
        if (fmt_sheet_lost_digits(v, n, 0))
            c->flags |= CORE_CELL_F_LOST_DIGITS;
        break;
    case T_B:
        c->type = CORE_CELL_BOOL;
        if (n == 1 && (v[0] == '0' || v[0] == '1')) {
            v = v[0] == '1' ? "TRUE" : "FALSE";
            n = strlen(v);
        }
        break;
    case T_E:
        c->type = CORE_CELL_ERROR;
        break;
    }
    if (!c->from_sst) {
        if (!base_utf8_valid(v, n))
            return malformed(rd->err, "utf8", "cell text is not UTF-8");
        c->off = rd->rowtext.n;
        c->len = n;
        base_buf_add(&rd->rowtext, v, n);
        base_buf_addc(&rd->rowtext, '\0');
    }
    if (c->len == 0)
        c->set = 0;
    return 0;
}

static int
row_emit(reader *rd, sheet_state *st)
{
    size_t n = rd->maxcol;
    while (n > 0 && !rd->cb[n - 1].set)
        n--;
    for (size_t i = 0; i < n; i++) {
        const cellb *b = &rd->cb[i];
        core_cell *c = &rd->cells[i];
        if (!b->set) {
            c->s = "";
            c->len = 0;
            c->type = CORE_CELL_EMPTY;
            c->flags = 0;
            continue;
        }
        c->s = (const char *)(b->from_sst ? rd->sst.p : rd->rowtext.p) + b->off;
        c->len = b->len;
        c->type = b->type;
        c->flags = b->flags;
    }
    fmt_sheet_row r = {st->row, n, rd->cells, st->hint, rd->date1904};
    return st->fn(st->ctx, &r, rd->err);
}

static int
on_start(reader *rd, sheet_state *st, const fmt_xml_token *t)
{
    const fmt_xml_attr *a;

    if (!st->in_data) {
        if (fmt_xml_is(t, "dimension") && (a = fmt_xml_attr_find(t, "ref", 0)) != NULL) {
            const char *colon = strchr(a->value, ':');
            const char *last = colon ? colon + 1 : a->value;
            int col;
            long row;
            if (fmt_sheet_ref_parse(last, strlen(last), &col, &row) == 0)
                st->hint = row;
        } else if (fmt_xml_is(t, "sheetData")) {
            st->in_data = t->empty ? 2 : 1;
        }
        return 0;
    }
    if (fmt_xml_is(t, "row")) {
        if (st->in_row)
            return malformed(rd->err, "xml", "row inside a row");
        if ((a = fmt_xml_attr_find(t, "r", 0)) != NULL) {
            if (parse_row_number(a->value, &st->row) != 0)
                return malformed(rd->err, "reference", "row number out of range");
        } else if (++st->row > FMT_SHEET_MAX_ROWS) {
            return malformed(rd->err, "reference", "too many rows");
        }
        if (++st->nrows > FMT_SHEET_MAX_ROWS)
            return too_large(rd->err, "rows"); /* row numbers repeated over and over */
        row_reset(rd);
        st->next_col = 0;
        st->in_row = 1;
        if (t->empty) {
            st->in_row = 0;
            return row_emit(rd, st);
        }
        return 0;
    }
    if (!st->in_row)
        return 0;
    if (fmt_xml_is(t, "c")) {
        if ((a = fmt_xml_attr_find(t, "r", 0)) != NULL) {
            long row;
            if (fmt_sheet_ref_parse(a->value, a->vlen, &st->col, &row) != 0)
                return malformed(rd->err, "reference", "cell reference out of range");
        } else if (st->next_col >= FMT_SHEET_MAX_COLS) {
            return malformed(rd->err, "reference", "too many cells in a row");
        } else {
            st->col = st->next_col;
        }
        if ((size_t)st->col >= rd->lim.max_columns)
            return too_large(rd->err, "columns");
        st->next_col = st->col + 1;
        st->type = T_N;
        if ((a = fmt_xml_attr_find(t, "t", 0)) != NULL) {
            const char *v = a->value;
            st->type = strcmp(v, "s") == 0           ? T_S
                       : strcmp(v, "inlineStr") == 0 ? T_INLINE
                       : strcmp(v, "str") == 0       ? T_STR
                       : strcmp(v, "b") == 0         ? T_B
                       : strcmp(v, "e") == 0         ? T_E
                       : strcmp(v, "d") == 0         ? T_D
                                                     : T_N;
        }
        base_buf_reset(&rd->val);
        st->in_cell = !t->empty;
        st->in_v = st->in_is = st->in_t = st->rph = 0;
        return 0;
    }
    if (!st->in_cell || t->empty)
        return 0;
    if (fmt_xml_is(t, "v"))
        st->in_v = 1;
    else if (fmt_xml_is(t, "is"))
        st->in_is = 1;
    else if (st->in_is && fmt_xml_is(t, "rPh"))
        st->rph++;
    else if (st->in_is && st->rph == 0 && fmt_xml_is(t, "t"))
        st->in_t = 1;
    return 0;
}

static int
on_end(reader *rd, sheet_state *st, const fmt_xml_token *t)
{
    if (!st->in_data)
        return 0;
    if (fmt_xml_is(t, "sheetData")) {
        st->in_data = 2;
    } else if (fmt_xml_is(t, "row")) {
        if (st->in_row) {
            st->in_row = 0;
            return row_emit(rd, st);
        }
    } else if (fmt_xml_is(t, "c")) {
        if (st->in_cell) {
            st->in_cell = 0;
            return cell_end(rd, st);
        }
    } else if (fmt_xml_is(t, "v")) {
        st->in_v = 0;
    } else if (fmt_xml_is(t, "t")) {
        st->in_t = 0;
    } else if (fmt_xml_is(t, "rPh")) {
        st->rph -= st->rph > 0;
    } else if (fmt_xml_is(t, "is")) {
        st->in_is = 0;
    }
    return 0;
}

static int
read_sheet(reader *rd, const char *name, fmt_sheet_row_fn fn, void *ctx)
{
    part p;
    fmt_xml_token t;
    sheet_state st = {.fn = fn, .ctx = ctx};

    int rc = part_open(rd, name, &p);
    if (rc != 0)
        return rc > 0 ? malformed(rd->err, "part", "no sheet part") : rc;
    while (st.in_data != 2 && (rc = fmt_xml_next(p.x, &t, rd->err)) == 0 &&
           t.type != FMT_XML_EOF) {
        if (t.type == FMT_XML_START) {
            rc = on_start(rd, &st, &t);
        } else if (t.type == FMT_XML_END) {
            rc = on_end(rd, &st, &t);
        } else if (t.type == FMT_XML_TEXT && st.in_cell && (st.in_v || st.in_t)) {
            if (t.tlen > rd->lim.max_token - rd->val.n) {
                rc = too_large(rd->err, "xml_token");
            } else {
                base_buf_add(&rd->val, t.text, t.tlen);
            }
        }
        if (rc != 0)
            break;
    }
    part_close(&p);
    return rc;
}

/* ---- the whole ---------------------------------------------------------------- */

static const unsigned char OLE_MAGIC[8] = {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1};

/* A zip without a workbook: say so, and recognise an OpenDocument spreadsheet. */
static int
no_workbook(reader *rd)
{
    long i = fmt_zip_find(rd->z, "mimetype");
    unsigned char *mt = NULL;
    size_t n = 0;
    int ods = 0;

    if (i >= 0 && fmt_zip_read_all(rd->z, (size_t)i, 256, &mt, &n, NULL) == 0)
        ods = strncmp((char *)mt, "application/vnd.oasis.opendocument.spreadsheet", 46) == 0;
    free(mt);
    app_err_set(rd->err, APP_EINVAL, "xlsx_no_workbook", "xlsx: no workbook part%s",
                ods ? " (OpenDocument spreadsheet)" : "");
    app_err_param(rd->err, ods ? "ods" : "");
    return APP_EINVAL;
}

int
fmt_xlsx_read(const unsigned char *data, size_t len, const char *sheet,
               const fmt_xlsx_limits *lim, fmt_sheet_row_fn fn, void *ctx, app_err *err)
{
    reader rd = {0};
    rel *rels;
    size_t nrels;
    sheet_ref *sheets;
    size_t nsheets;
    int rc;

    if (len >= sizeof(OLE_MAGIC) && memcmp(data, OLE_MAGIC, sizeof(OLE_MAGIC)) == 0) {
        app_err_set(err, APP_EINVAL, "xlsx_not_zip", "xlsx: an OLE2 file (xls or encrypted)");
        app_err_param(err, "ole");
        return APP_EINVAL;
    }
    rd.lim = lim ? *lim : fmt_xlsx_limits_default();
    rd.err = err;
    if ((rc = fmt_zip_open(data, len, &rd.lim.zip, &rd.z, err)) != 0)
        return rc;
    rd.a = app_arena_new();

    /* the workbook */
    if ((rc = read_rels(&rd, "", &rels, &nrels)) != 0)
        goto done;
    const rel *r = rel_by_type(rels, nrels, "/officeDocument");
    const char *wb = r ? r->target : "xl/workbook.xml";
    if (fmt_zip_find(rd.z, wb) < 0) {
        rc = no_workbook(&rd);
        goto done;
    }
    if ((rc = read_rels(&rd, wb, &rels, &nrels)) != 0)
        goto done;
    if ((rc = read_workbook(&rd, wb, &sheets, &nsheets)) != 0)
        goto done;

    /* the sheet */
    const rel *target = NULL;
    for (size_t i = 0; i < nsheets && target == NULL; i++) {
        if (sheet != NULL && strcmp(sheets[i].name, sheet) != 0)
            continue;
        const rel *s = rel_by_id(rels, nrels, sheets[i].rid);
        if (s != NULL && ends_with(s->type, "/worksheet"))
            target = s;
        else if (sheet != NULL)
            break; /* the named sheet is a chart sheet or dangling */
    }
    if (target == NULL) {
        rc = app_err_set(err, APP_EINVAL, "xlsx_no_sheet", "xlsx: no worksheet %s",
                         sheet ? sheet : "at all");
        app_err_param(err, sheet ? sheet : "");
        goto done;
    }
    if (fmt_zip_find(rd.z, target->target) < 0) {
        rc = malformed(err, "part", "the sheet's part is missing");
        goto done;
    }

    /* shared strings, then the rows */
    const rel *ss = rel_by_type(rels, nrels, "/sharedStrings");
    const char *ssname =
        ss ? ss->target : app_arena_printf(rd.a, "%ssharedStrings.xml", part_dir(rd.a, wb));
    if ((rc = read_sst(&rd, ssname)) != 0)
        goto done;
    rc = read_sheet(&rd, target->target, fn, ctx);
done:
    free(rd.soff);
    free(rd.cb);
    free(rd.cells);
    base_buf_free(&rd.sst);
    base_buf_free(&rd.rowtext);
    base_buf_free(&rd.val);
    app_arena_free(rd.a);
    fmt_zip_close(rd.z);
    return rc;
}
