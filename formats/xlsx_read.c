/*
 * formats/xlsx_read.c - the streaming worksheet reader of formats/xlsx.h.
 *
 * Parts are found as OPC says: the package relationships (_rels/.rels)
 * name the workbook, the workbook's relationships name its sheets and
 * shared strings; relationship types are matched by their last segment so
 * that Strict OOXML's namespace works too.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "formats/xlsx.h"
#include "formats/xlsx_util.h"
#include "formats/xml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- XML parts ------------------------------------------------------------ */

/* Parse part `name` with `h`: 0, 1 when it does not exist, or an error. */
static int
part_parse(reader *rd, const char *name, const fmt_xml_handlers *h, void *ctx)
{
    fmt_zip_reader *zr;
    long i = fmt_zip_find(rd->z, name);
    if (i < 0)
        return 1;
    int rc = fmt_zip_reader_open(rd->z, (size_t)i, &zr, rd->err);
    if (rc != 0)
        return rc;
    rc = fmt_xml_parse(zip_source, zr, rd->lim.max_token, h, ctx, rd->err);
    fmt_zip_reader_close(zr);
    return rc;
}

static const char *
attr(reader *rd, const fmt_xml_tag *t, const char *local, int prefixed)
{
    const char *v = fmt_xml_attr(t, local, prefixed);
    return v ? app_arena_strdup(rd->a, v) : NULL;
}

typedef struct rels_read {
    reader *rd;
    const char *dir;
    rel *v;
    size_t n;
} rels_read;

static int
rels_start(void *ctx, const fmt_xml_tag *t, app_err *err)
{
    rels_read *r = ctx;
    if (!fmt_xml_is(t, "Relationship"))
        return 0;
    const char *id = attr(r->rd, t, "Id", 0), *type = attr(r->rd, t, "Type", 0);
    const char *target = attr(r->rd, t, "Target", 0), *mode = attr(r->rd, t, "TargetMode", 0);
    if (id == NULL || type == NULL || target == NULL)
        return 0;
    if (r->n == MAX_RELS)
        return too_large(err, "entries");
    rel *v = &r->v[r->n];
    v->id = id;
    v->type = type;
    v->external = mode && strcmp(mode, "External") == 0;
    v->target = v->external ? target : fmt_xlsx_resolve(r->rd->a, r->dir, target);
    if (v->target != NULL)
        r->n++;
    return 0;
}

/* The relationships of `source` (a part name, or "" for the package). */
static int
read_rels(reader *rd, const char *source, rel **out, size_t *out_n)
{
    static const fmt_xml_handlers h = {.start = rels_start};
    const char *name = source[0] ? fmt_xlsx_rels_of(rd->a, source) : "_rels/.rels";
    rels_read r = {rd, fmt_xlsx_part_dir(rd->a, source),
                   app_arena_alloc(rd->a, MAX_RELS * sizeof(rel)), 0};

    int rc = part_parse(rd, name, &h, &r);
    *out = r.v;
    *out_n = r.n;
    return rc > 0 ? 0 : rc;
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

typedef struct workbook_read {
    reader *rd;
    sheet_ref *v;
    size_t n;
} workbook_read;

static int
workbook_start(void *ctx, const fmt_xml_tag *t, app_err *err)
{
    workbook_read *w = ctx;
    if (fmt_xml_is(t, "workbookPr")) {
        const char *v = fmt_xml_attr(t, "date1904", 0);
        w->rd->date1904 = v != NULL && fmt_xlsx_xsd_true(v, strlen(v));
        return 0;
    }
    if (!fmt_xml_is(t, "sheet"))
        return 0;
    const char *name = attr(w->rd, t, "name", 0), *rid = attr(w->rd, t, "id", 1);
    if (name == NULL || rid == NULL)
        return 0;
    if (w->n == MAX_SHEETS)
        return too_large(err, "entries");
    w->v[w->n].name = name;
    w->v[w->n].rid = rid;
    w->n++;
    return 0;
}

/*
 * The workbook part: its worksheets in order (name and relationship id)
 * and its date system, <workbookPr date1904>, into rd->date1904.
 */
static int
read_workbook(reader *rd, const char *wb, sheet_ref **out, size_t *out_n)
{
    static const fmt_xml_handlers h = {.start = workbook_start};
    workbook_read w = {rd, app_arena_alloc(rd->a, MAX_SHEETS * sizeof(sheet_ref)), 0};

    int rc = part_parse(rd, wb, &h, &w);
    *out = w.v;
    *out_n = w.n;
    return rc > 0 ? malformed(rd->err, "part", "no workbook part") : rc;
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
    size_t len = fmt_xlsx_unescape((char *)rd->sst.p + start, rd->sst.n - start);
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

typedef struct sst_read {
    reader *rd;
    size_t max_bytes;
    int in_si, in_t, rph;
} sst_read;

static int
sst_start(void *ctx, const fmt_xml_tag *t, app_err *err)
{
    sst_read *r = ctx;
    reader *rd = r->rd;
    if (fmt_xml_is(t, "si")) {
        /* a nested <si>: the outer one's text is dropped, not glued to this one */
        rd->sst.n = rd->soff[rd->sn];
        r->in_t = r->rph = 0;
        r->in_si = 1;
        return rd->sn >= rd->lim.max_shared_strings ? too_large(err, "shared_strings") : 0;
    }
    if (r->in_si && fmt_xml_is(t, "rPh"))
        r->rph++;
    else if (r->in_si && fmt_xml_is(t, "t") && r->rph == 0)
        r->in_t = 1;
    return 0;
}

static int
sst_end(void *ctx, const fmt_xml_tag *t, app_err *err)
{
    sst_read *r = ctx;
    (void)err;
    if (fmt_xml_is(t, "t")) {
        r->in_t = 0;
    } else if (fmt_xml_is(t, "rPh")) {
        r->rph -= r->rph > 0;
    } else if (r->in_si && fmt_xml_is(t, "si")) {
        r->in_si = r->in_t = r->rph = 0;
        return sst_push(r->rd, r->max_bytes);
    }
    return 0;
}

static int
sst_text(void *ctx, const char *s, size_t n, app_err *err)
{
    sst_read *r = ctx;
    if (!r->in_si || !r->in_t)
        return 0;
    if (n > r->max_bytes - r->rd->sst.n)
        return too_large(err, "shared_strings");
    base_buf_add(&r->rd->sst, s, n);
    return 0;
}

static int
read_sst(reader *rd, const char *name)
{
    static const fmt_xml_handlers h = {.start = sst_start, .end = sst_end, .text = sst_text};
    sst_read r = {.rd = rd};

    r.max_bytes =
        rd->lim.max_shared_bytes < UINT32_MAX - 1 ? rd->lim.max_shared_bytes : UINT32_MAX - 1;
    rd->scap = 1024;
    rd->soff = xmalloc(rd->scap * sizeof(uint32_t));
    rd->soff[0] = 0;
    base_buf_reserve(&rd->sst, 0);
    int rc = part_parse(rd, name, &h, &r);
    return rc > 0 ? 0 : rc;
}

/* ---- the sheet ------------------------------------------------------------------ */

typedef struct sheet_state {
    reader *rd;
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
        n = fmt_xlsx_unescape(v, n);
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
on_start(void *ctx, const fmt_xml_tag *t, app_err *err)
{
    sheet_state *st = ctx;
    reader *rd = st->rd;
    const char *a;

    (void)err; /* rd->err is the same */
    if (!st->in_data) {
        if (fmt_xml_is(t, "dimension") && (a = fmt_xml_attr(t, "ref", 0)) != NULL) {
            const char *colon = strchr(a, ':');
            const char *last = colon ? colon + 1 : a;
            int col;
            long row;
            if (fmt_sheet_ref_parse(last, strlen(last), &col, &row) == 0)
                st->hint = row;
        } else if (fmt_xml_is(t, "sheetData")) {
            st->in_data = 1;
        }
        return 0;
    }
    if (fmt_xml_is(t, "row")) {
        if (st->in_row)
            return malformed(rd->err, "xml", "row inside a row");
        if ((a = fmt_xml_attr(t, "r", 0)) != NULL) {
            if (parse_row_number(a, &st->row) != 0)
                return malformed(rd->err, "reference", "row number out of range");
        } else if (++st->row > FMT_SHEET_MAX_ROWS) {
            return malformed(rd->err, "reference", "too many rows");
        }
        if (++st->nrows > FMT_SHEET_MAX_ROWS)
            return too_large(rd->err, "rows"); /* row numbers repeated over and over */
        row_reset(rd);
        st->next_col = 0;
        st->in_row = 1;
        return 0;
    }
    if (!st->in_row)
        return 0;
    if (fmt_xml_is(t, "c")) {
        if ((a = fmt_xml_attr(t, "r", 0)) != NULL) {
            long row;
            if (fmt_sheet_ref_parse(a, strlen(a), &st->col, &row) != 0)
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
        if ((a = fmt_xml_attr(t, "t", 0)) != NULL) {
            const char *v = a;
            st->type = strcmp(v, "s") == 0           ? T_S
                       : strcmp(v, "inlineStr") == 0 ? T_INLINE
                       : strcmp(v, "str") == 0       ? T_STR
                       : strcmp(v, "b") == 0         ? T_B
                       : strcmp(v, "e") == 0         ? T_E
                       : strcmp(v, "d") == 0         ? T_D
                                                     : T_N;
        }
        base_buf_reset(&rd->val);
        st->in_cell = 1;
        st->in_v = st->in_is = st->in_t = st->rph = 0;
        return 0;
    }
    if (!st->in_cell)
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
on_end(void *ctx, const fmt_xml_tag *t, app_err *err)
{
    sheet_state *st = ctx;
    reader *rd = st->rd;

    (void)err;
    if (!st->in_data)
        return 0;
    if (fmt_xml_is(t, "sheetData")) {
        st->in_data = 2;
        return FMT_XML_STOP; /* a second <sheetData> is not read */
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
on_text(void *ctx, const char *s, size_t n, app_err *err)
{
    sheet_state *st = ctx;
    base_buf *val = &st->rd->val;

    if (!st->in_cell || !(st->in_v || st->in_t))
        return 0;
    if (n > st->rd->lim.max_token - val->n)
        return too_large(err, "xml_token");
    base_buf_add(val, s, n);
    return 0;
}

static int
read_sheet(reader *rd, const char *name, fmt_sheet_row_fn fn, void *ctx)
{
    static const fmt_xml_handlers h = {.start = on_start, .end = on_end, .text = on_text};
    sheet_state st = {.rd = rd, .fn = fn, .ctx = ctx};

    int rc = part_parse(rd, name, &h, &st);
    return rc > 0 ? malformed(rd->err, "part", "no sheet part") : rc;
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
fmt_xlsx_read(const unsigned char *data, size_t len, const char *sheet, const fmt_xlsx_limits *lim,
              fmt_sheet_row_fn fn, void *ctx, app_err *err)
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
        ss ? ss->target
           : app_arena_printf(rd.a, "%ssharedStrings.xml", fmt_xlsx_part_dir(rd.a, wb));
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
