/*
 * formats/xlsx_write.c - the all-text workbook writer of formats/xlsx.h.
 *
 * Sheets are written to `body`, a zip writer of their own, and deflated as
 * rows arrive; at the end the small parts go into the final archive first
 * ([Content_Types].xml leading, which is what file-type sniffers look
 * for), then the sheets' compressed bytes are copied after them.
 *
 * A streaming writer has one sheet, known when it starts: `body` is then a
 * streaming zip writer, the small parts go out first (naming the hidden
 * list sheet too when the sheet's drop-downs need one), the sheet follows
 * row by row, and the list sheet and the central directory end the file.
 *
 * Styles (xl/styles.xml): cellXfs 0 is the default, 1 is text ("@",
 * numFmtId 49), 2 is bold text for the header row.
 */
#include "base/arena.h"
#include "base/buf.h"
#include "formats/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG_REL "http://schemas.openxmlformats.org/package/2006/relationships"
#define CT_BASE "application/vnd.openxmlformats-officedocument.spreadsheetml."
#define XML_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define FLUSH_AT 65536
#define INLINE_LIST_MAX 255 /* characters of an inline list formula, quotes excluded */
#define DEFAULT_WIDTH 9.140625
/* zlib level of sheets, which large exports deflate while the client waits:
   on 100,000 rows x 72 cells level 3 took about half the time of the
   default (6) for 15% more bytes; level 1 saved little more time for 65% */
#define SHEET_LEVEL 3

typedef struct wlist {
    const char *const *v;
    size_t n;
    int col;      /* column of the sheet that gets the drop-down */
    int list_col; /* column in the list sheet, or -1 when inline */
} wlist;

typedef struct wsheet {
    const char *name;
    int hidden, header;
    long rows;
    wlist *lists;
    size_t nlists;
} wsheet;

struct fmt_xlsx_writer {
    app_arena *a;
    fmt_zip_writer *body;
    wsheet *sheets;
    size_t n, cap;
    int open; /* sheets[n - 1] is being written */
    int spent;
    int stream; /* body streams to a sink: one sheet, parts first */
    base_buf chunk;
    base_buf tmp;
    int list_cols;            /* columns used in the list sheet */
    const wlist **long_lists; /* in list sheet column order */
};

fmt_xlsx_writer *
fmt_xlsx_writer_new(void)
{
    fmt_xlsx_writer *w = xcalloc(1, sizeof(*w));
    w->a = app_arena_new();
    w->body = fmt_zip_writer_new();
    return w;
}

fmt_xlsx_writer *
fmt_xlsx_writer_new_stream(fmt_sink sink)
{
    fmt_xlsx_writer *w = xcalloc(1, sizeof(*w));
    w->a = app_arena_new();
    w->body = fmt_zip_writer_new_stream(sink);
    w->stream = 1;
    return w;
}

void
fmt_xlsx_writer_free(fmt_xlsx_writer *w)
{
    if (w == NULL)
        return;
    fmt_zip_writer_free(w->body);
    base_buf_free(&w->chunk);
    base_buf_free(&w->tmp);
    free(w->sheets);
    free(w->long_lists);
    app_arena_free(w->a);
    free(w);
}

static int
too_large(app_err *err, const char *param)
{
    app_err_set(err, APP_ETOOLARGE, "xlsx_too_large", "xlsx writer: limit on %s exceeded", param);
    app_err_param(err, param);
    return APP_ETOOLARGE;
}

/* UTF-16 code units of UTF-8 text (Excel counts those). */
static size_t
utf16_units(const unsigned char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (s[i] & 0xC0) != 0x80 ? (s[i] >= 0xF0 ? 2 : 1) : 0;
    return k;
}

static int
is_hex(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * Escape UTF-8 text s[0..n) for XML character data or an attribute value
 * onto b. Control characters (other than tab and newline) and U+FFFE/FFFF
 * become OOXML's _xHHHH_, and an underscore that would read as such an
 * escape becomes _x005F_.
 */
static void
put_text(base_buf *b, const unsigned char *s, size_t n)
{
    size_t i = 0;

    base_buf_reserve(b, n + n / 8);
    while (i < n) {
        size_t run = i;
        while (run < n && s[run] >= 0x20 && s[run] != '&' && s[run] != '<' && s[run] != '>' &&
               s[run] != '"' && s[run] != '_' && s[run] != 0xEF)
            run++;
        base_buf_add(b, s + i, run - i);
        i = run;
        if (i == n)
            break;
        unsigned char c = s[i];
        switch (c) {
        case '&':
            base_buf_adds(b, "&amp;");
            break;
        case '<':
            base_buf_adds(b, "&lt;");
            break;
        case '>':
            base_buf_adds(b, "&gt;");
            break;
        case '"':
            base_buf_adds(b, "&quot;");
            break;
        case '_':
            if (n - i >= 7 && s[i + 1] == 'x' && is_hex(s[i + 2]) && is_hex(s[i + 3]) &&
                is_hex(s[i + 4]) && is_hex(s[i + 5]) && s[i + 6] == '_')
                base_buf_adds(b, "_x005F_");
            else
                base_buf_addc(b, '_');
            break;
        case 0xEF:
            if (n - i >= 3 && s[i + 1] == 0xBF && (s[i + 2] == 0xBE || s[i + 2] == 0xBF)) {
                base_buf_adds(b, s[i + 2] == 0xBE ? "_xFFFE_" : "_xFFFF_");
                i += 3;
                continue;
            }
            base_buf_addc(b, c);
            break;
        default: /* below 0x20 */
            if (c == '\t' || c == '\n')
                base_buf_addc(b, c);
            else
                base_buf_printf(b, "_x%04X_", c);
            break;
        }
        i++;
    }
}

static void
put_str(base_buf *b, const char *s)
{
    put_text(b, (const unsigned char *)s, strlen(s));
}

/* ---- sheets --------------------------------------------------------------- */

static int
check_name(const fmt_xlsx_writer *w, const char *name, app_err *err)
{
    size_t n = strlen(name);
    const char *why = NULL;

    if (!base_utf8_valid(name, n) || n == 0 || utf16_units((const unsigned char *)name, n) > 31)
        why = "length";
    else if (strpbrk(name, ":\\/?*[]") != NULL || name[0] == '\'' || name[n - 1] == '\'')
        why = "characters";
    else if (strcasecmp(name, "History") == 0 || strcasecmp(name, FMT_XLSX_LIST_SHEET) == 0)
        why = "reserved";
    for (size_t i = 0; i < n && why == NULL; i++)
        if ((unsigned char)name[i] < 0x20)
            why = "characters";
    for (size_t i = 0; i < w->n && why == NULL; i++)
        if (strcasecmp(w->sheets[i].name, name) == 0)
            why = "duplicate";
    if (why == NULL)
        return 0;
    app_err_set(err, APP_EINVAL, "xlsx_bad_sheet_name", "xlsx writer: sheet name: %s", why);
    app_err_param(err, why);
    return APP_EINVAL;
}

static int
flush(fmt_xlsx_writer *w, app_err *err)
{
    int rc = fmt_zip_writer_write(w->body, w->chunk.p, w->chunk.n, err);
    base_buf_reset(&w->chunk);
    return rc;
}

/* An inline list "a,b,c" fits when no value is empty or holds , or " and all is short. */
static int
list_inline(const char *const *v, size_t n)
{
    size_t units = n > 0 ? n - 1 : 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]);
        if (len == 0 || strpbrk(v[i], ",\"") != NULL)
            return 0;
        units += utf16_units((const unsigned char *)v[i], len);
    }
    return units <= INLINE_LIST_MAX;
}

static int
end_sheet(fmt_xlsx_writer *w, app_err *err)
{
    wsheet *s = &w->sheets[w->n - 1];
    base_buf *b = &w->chunk;
    char col[4];

    base_buf_adds(b, "</sheetData>");
    if (s->nlists > 0) {
        base_buf_printf(b, "<dataValidations count=\"%zu\">", s->nlists);
        for (size_t i = 0; i < s->nlists; i++) {
            const wlist *l = &s->lists[i];
            fmt_sheet_col_name(l->col, col);
            base_buf_printf(b,
                            "<dataValidation type=\"list\" allowBlank=\"1\" showInputMessage=\"1\" "
                            "showErrorMessage=\"1\" errorTitle=\"输入错误\" "
                            "error=\"请从下拉列表中选择\" sqref=\"%s%d:%s%ld\"><formula1>",
                            col, s->header ? 2 : 1, col, FMT_SHEET_MAX_ROWS);
            if (l->list_col < 0) {
                base_buf_addc(b, '"');
                for (size_t k = 0; k < l->n; k++) {
                    if (k > 0)
                        base_buf_addc(b, ',');
                    put_str(b, l->v[k]);
                }
                base_buf_addc(b, '"');
            } else {
                char lc[4];
                fmt_sheet_col_name(l->list_col, lc);
                base_buf_printf(b, "'%s'!$%s$1:$%s$%zu", FMT_XLSX_LIST_SHEET, lc, lc,
                                l->n > 0 ? l->n : 1);
            }
            base_buf_adds(b, "</formula1></dataValidation>");
        }
        base_buf_adds(b, "</dataValidations>");
    }
    base_buf_adds(b, "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" "
                     "header=\"0.3\" footer=\"0.3\"/></worksheet>");
    int rc = flush(w, err);
    if (rc == 0)
        rc = fmt_zip_writer_end(w->body, err);
    w->open = 0;
    return rc;
}

/* Record sheet `name` with its options (lists copied) as sheets[n]; not yet open. */
static int
sheet_meta(fmt_xlsx_writer *w, const char *name, const fmt_xlsx_sheet_opts *o, app_err *err)
{
    if (o->ncols > FMT_SHEET_MAX_COLS)
        return too_large(err, "columns");
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 4;
        w->sheets = xrealloc(w->sheets, w->cap * sizeof(wsheet));
    }
    wsheet *s = &w->sheets[w->n];
    memset(s, 0, sizeof(*s));
    s->name = app_arena_strdup(w->a, name);
    s->hidden = o->hidden != 0;
    s->header = o->header != 0;
    for (size_t i = 0; i < o->ncols; i++)
        s->nlists += o->cols[i].list != NULL;
    s->lists = app_arena_alloc(w->a, (s->nlists ? s->nlists : 1) * sizeof(wlist));
    for (size_t i = 0, k = 0; i < o->ncols; i++) {
        const fmt_xlsx_col *c = &o->cols[i];
        if (c->list == NULL)
            continue;
        const char **v = app_arena_alloc(w->a, (c->nlist ? c->nlist : 1) * sizeof(char *));
        for (size_t j = 0; j < c->nlist; j++) {
            const char *x = c->list[j] ? c->list[j] : "";
            if (!base_utf8_valid(x, strlen(x)))
                return app_err_set(err, APP_EINVAL, "invalid_text", "xlsx writer: list value");
            v[j] = app_arena_strdup(w->a, x);
        }
        wlist *l = &s->lists[k++];
        l->v = v;
        l->n = c->nlist;
        l->col = (int)i;
        l->list_col = -1;
        if (!list_inline(v, c->nlist)) {
            if (w->list_cols >= FMT_SHEET_MAX_COLS)
                return too_large(err, "columns");
            if (c->nlist > (size_t)FMT_SHEET_MAX_ROWS)
                return too_large(err, "rows");
            l->list_col = w->list_cols++;
            w->long_lists = xrealloc(w->long_lists, (size_t)w->list_cols * sizeof(wlist *));
            w->long_lists[l->list_col] = l;
        }
    }
    return 0;
}

/* Open sheets[n] (recorded by sheet_meta) as the next part and write its head. */
static int
sheet_open(fmt_xlsx_writer *w, const fmt_xlsx_sheet_opts *o, int tab_selected, app_err *err)
{
    wsheet *s = &w->sheets[w->n];
    char part[64];
    int rc;

    snprintf(part, sizeof(part), "xl/worksheets/sheet%zu.xml", w->n + 1);
    if ((rc = fmt_zip_writer_begin(w->body, part, SHEET_LEVEL, err)) != 0)
        return rc;
    w->n++;
    w->open = 1;

    base_buf *b = &w->chunk;
    base_buf_adds(b, XML_DECL "<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">");
    base_buf_printf(b, "<sheetViews><sheetView %sworkbookViewId=\"0\">",
                    tab_selected ? "tabSelected=\"1\" " : "");
    if (s->header)
        base_buf_adds(b, "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" "
                         "state=\"frozen\"/><selection pane=\"bottomLeft\" activeCell=\"A2\" "
                         "sqref=\"A2\"/>");
    base_buf_adds(b, "</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>");
    if (o->ncols > 0) {
        base_buf_adds(b, "<cols>");
        for (size_t i = 0; i < o->ncols; i++) {
            const fmt_xlsx_col *c = &o->cols[i];
            double width = c->width > 0 && c->width <= 255 ? c->width : DEFAULT_WIDTH;
            base_buf_printf(b, "<col min=\"%zu\" max=\"%zu\" width=\"%.6g\" style=\"1\"%s%s/>",
                            i + 1, i + 1, width, c->width > 0 ? " customWidth=\"1\"" : "",
                            c->hidden ? " hidden=\"1\"" : "");
        }
        base_buf_adds(b, "</cols>");
    }
    base_buf_adds(b, "<sheetData>");
    return 0;
}

static const fmt_xlsx_sheet_opts no_opts = {0};

static int
begin_sheet(fmt_xlsx_writer *w, const char *name, const fmt_xlsx_sheet_opts *o, int tab_selected,
            app_err *err)
{
    int rc;

    if (o == NULL)
        o = &no_opts;
    if ((rc = sheet_meta(w, name, o, err)) != 0)
        return rc;
    return sheet_open(w, o, tab_selected, err);
}

static int write_package(fmt_xlsx_writer *w, fmt_zip_writer *z, int list_sheet_ahead, app_err *err);

/* The one sheet of a streaming writer: the package's parts, then its head. */
static int
begin_stream_sheet(fmt_xlsx_writer *w, const char *name, const fmt_xlsx_sheet_opts *o, app_err *err)
{
    int rc;

    if (o == NULL)
        o = &no_opts;
    if (o->hidden)
        return app_err_set(err, APP_EINVAL, "xlsx_no_sheet", "xlsx writer: no visible sheet");
    if ((rc = sheet_meta(w, name, o, err)) != 0)
        return rc;
    /* the parts name every sheet: this one (not counted in n until it opens) and the
       list sheet that finish adds when some drop-down is too long to go inline */
    w->n++;
    rc = write_package(w, w->body, w->list_cols > 0, err);
    w->n--;
    if (rc != 0)
        return rc;
    return sheet_open(w, o, 1, err);
}

int
fmt_xlsx_writer_sheet(fmt_xlsx_writer *w, const char *name, const fmt_xlsx_sheet_opts *opts,
                      app_err *err)
{
    int rc;

    if (w->spent)
        return app_err_set(err, APP_EINTERNAL, NULL, "xlsx writer: already finished");
    if (w->stream && w->n > 0) /* the sheet being written stays open */
        return app_err_set(err, APP_EINTERNAL, NULL, "xlsx writer: a stream has one sheet");
    if ((rc = check_name(w, name, err)) != 0)
        return rc;
    if (w->stream)
        return begin_stream_sheet(w, name, opts, err);
    if (w->open && (rc = end_sheet(w, err)) != 0)
        return rc;
    int selected = !(opts && opts->hidden);
    for (size_t i = 0; i < w->n && selected; i++)
        if (!w->sheets[i].hidden)
            selected = 0; /* an earlier sheet is the selected one */
    return begin_sheet(w, name, opts, selected, err);
}

/* Decimal digits of v > 0 into out; returns their count. */
static size_t
fmt_long(char *out, long v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v > 0);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* Append a row; on error nothing of it is written. */
static int
put_row(fmt_xlsx_writer *w, wsheet *s, const char *const *cells, size_t n, app_err *err)
{
    base_buf *b = &w->chunk;
    size_t mark = b->n;
    char col[4];
    int rc = 0;

    if (s->rows >= FMT_SHEET_MAX_ROWS)
        return too_large(err, "rows");
    if (n > FMT_SHEET_MAX_COLS)
        return too_large(err, "columns");
    long r = s->rows + 1;
    int style = s->header && r == 1 ? 2 : 1;
    char num[24];
    size_t nlen = fmt_long(num, r);
    base_buf_add(b, "<row r=\"", 8);
    base_buf_add(b, num, nlen);
    base_buf_add(b, "\">", 2);
    for (size_t i = 0; i < n; i++) {
        const char *v = cells[i];
        size_t len = v ? strlen(v) : 0;
        if (len == 0)
            continue;
        if (!base_utf8_valid(v, len)) {
            app_err_set(err, APP_EINVAL, "invalid_text", "xlsx writer: cell is not UTF-8");
            app_err_param(err, "utf8");
            rc = APP_EINVAL;
            break;
        }
        if (len > FMT_XLSX_MAX_CELL_CHARS &&
            utf16_units((const unsigned char *)v, len) > FMT_XLSX_MAX_CELL_CHARS) {
            rc = too_large(err, "cell");
            break;
        }
        fmt_sheet_col_name((int)i, col);
        int edge_space = v[0] == ' ' || v[0] == '\t' || v[0] == '\n' || v[len - 1] == ' ' ||
                         v[len - 1] == '\t' || v[len - 1] == '\n';
        base_buf_add(b, "<c r=\"", 6);
        base_buf_adds(b, col);
        base_buf_add(b, num, nlen);
        base_buf_adds(b, style == 2 ? "\" s=\"2\" t=\"inlineStr\"><is><t"
                                    : "\" s=\"1\" t=\"inlineStr\"><is><t");
        base_buf_adds(b, edge_space ? " xml:space=\"preserve\">" : ">");
        put_text(b, (const unsigned char *)v, len);
        base_buf_adds(b, "</t></is></c>");
    }
    if (rc != 0) {
        b->n = mark;
        return rc;
    }
    base_buf_adds(b, "</row>");
    s->rows = r;
    return b->n >= FLUSH_AT ? flush(w, err) : 0;
}

int
fmt_xlsx_writer_row(fmt_xlsx_writer *w, const char *const *cells, size_t n, app_err *err)
{
    if (w->spent || !w->open)
        return app_err_set(err, APP_EINTERNAL, NULL, "xlsx writer: no sheet is open");
    return put_row(w, &w->sheets[w->n - 1], cells, n, err);
}

/* ---- the package ------------------------------------------------------------ */

/* The hidden sheet holding long drop-down lists, one list per column. */
static int
write_list_sheet(fmt_xlsx_writer *w, app_err *err)
{
    static const fmt_xlsx_sheet_opts hidden = {.hidden = 1};
    size_t rows = 0;
    int rc;

    if ((rc = begin_sheet(w, FMT_XLSX_LIST_SHEET, &hidden, 0, err)) != 0)
        return rc;
    for (int k = 0; k < w->list_cols; k++)
        if (w->long_lists[k]->n > rows)
            rows = w->long_lists[k]->n;
    const char **cells = xcalloc((size_t)w->list_cols, sizeof(char *));
    for (size_t r = 0; r < rows && rc == 0; r++) {
        for (int k = 0; k < w->list_cols; k++)
            cells[k] = r < w->long_lists[k]->n ? w->long_lists[k]->v[r] : NULL;
        rc = put_row(w, &w->sheets[w->n - 1], cells, (size_t)w->list_cols, err);
    }
    free(cells);
    return rc == 0 ? end_sheet(w, err) : rc;
}

static int
add_part(fmt_zip_writer *z, const char *name, const base_buf *b, app_err *err)
{
    return fmt_zip_writer_add(z, name, b->p, b->n, err);
}

/* Name and visibility of sheet i of the package; past n, the list sheet to come. */
static const char *
pkg_sheet_name(const fmt_xlsx_writer *w, size_t i)
{
    return i < w->n ? w->sheets[i].name : FMT_XLSX_LIST_SHEET;
}

static int
pkg_sheet_hidden(const fmt_xlsx_writer *w, size_t i)
{
    return i < w->n ? w->sheets[i].hidden : 1;
}

/* [Content_Types].xml: the parts by type, sheets 1..nsheets among them. */
static int
pkg_content_types(base_buf *b, fmt_zip_writer *z, size_t nsheets, app_err *err)
{
    base_buf_reset(b);
    base_buf_adds(b, XML_DECL "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
                              "content-types\"><Default Extension=\"rels\" ContentType=\""
                              "application/vnd.openxmlformats-package.relationships+xml\"/>"
                              "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                              "<Override PartName=\"/xl/workbook.xml\" ContentType=\"" CT_BASE
                              "sheet.main+xml\"/><Override PartName=\"/xl/styles.xml\" "
                              "ContentType=\"" CT_BASE "styles+xml\"/>");
    for (size_t i = 0; i < nsheets; i++)
        base_buf_printf(b,
                        "<Override PartName=\"/xl/worksheets/sheet%zu.xml\" ContentType=\"" CT_BASE
                        "worksheet+xml\"/>",
                        i + 1);
    base_buf_adds(b, "</Types>");
    return add_part(z, "[Content_Types].xml", b, err);
}

/* _rels/.rels: the package's one relationship, to the workbook. */
static int
pkg_root_rels(base_buf *b, fmt_zip_writer *z, app_err *err)
{
    base_buf_reset(b);
    base_buf_adds(b, XML_DECL "<Relationships xmlns=\"" NS_PKG_REL "\"><Relationship Id=\"rId1\" "
                              "Type=\"" NS_REL "/officeDocument\" Target=\"xl/workbook.xml\"/>"
                              "</Relationships>");
    return add_part(z, "_rels/.rels", b, err);
}

/* xl/workbook.xml: the sheets, the first visible one active. */
static int
pkg_workbook(const fmt_xlsx_writer *w, base_buf *b, fmt_zip_writer *z, size_t nsheets, app_err *err)
{
    int active = -1;
    for (size_t i = 0; i < nsheets && active < 0; i++)
        if (!pkg_sheet_hidden(w, i))
            active = (int)i;
    base_buf_reset(b);
    base_buf_printf(b,
                    XML_DECL "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
                             "<bookViews><workbookView activeTab=\"%d\"/></bookViews><sheets>",
                    active);
    for (size_t i = 0; i < nsheets; i++) {
        base_buf_adds(b, "<sheet name=\"");
        put_str(b, pkg_sheet_name(w, i));
        base_buf_printf(b, "\" sheetId=\"%zu\"%s r:id=\"rId%zu\"/>", i + 1,
                        pkg_sheet_hidden(w, i) ? " state=\"hidden\"" : "", i + 1);
    }
    base_buf_adds(b, "</sheets></workbook>");
    return add_part(z, "xl/workbook.xml", b, err);
}

/* xl/_rels/workbook.xml.rels: the workbook's sheets and styles. */
static int
pkg_workbook_rels(base_buf *b, fmt_zip_writer *z, size_t nsheets, app_err *err)
{
    base_buf_reset(b);
    base_buf_adds(b, XML_DECL "<Relationships xmlns=\"" NS_PKG_REL "\">");
    for (size_t i = 0; i < nsheets; i++)
        base_buf_printf(b,
                        "<Relationship Id=\"rId%zu\" Type=\"" NS_REL "/worksheet\" "
                        "Target=\"worksheets/sheet%zu.xml\"/>",
                        i + 1, i + 1);
    base_buf_printf(b,
                    "<Relationship Id=\"rId%zu\" Type=\"" NS_REL "/styles\" "
                    "Target=\"styles.xml\"/></Relationships>",
                    nsheets + 1);
    return add_part(z, "xl/_rels/workbook.xml.rels", b, err);
}

/* xl/styles.xml: the fixed styles (0 general, 1 text, 2 bold text). */
static int
pkg_styles(base_buf *b, fmt_zip_writer *z, app_err *err)
{
    base_buf_reset(b);
    base_buf_adds(b, XML_DECL
                  "<styleSheet xmlns=\"" NS_MAIN "\">"
                  "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"宋体\"/>"
                  "<family val=\"3\"/><charset val=\"134\"/></font>"
                  "<font><b/><sz val=\"11\"/><name val=\"宋体\"/><family val=\"3\"/>"
                  "<charset val=\"134\"/></font></fonts>"
                  "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
                  "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
                  "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/>"
                  "</border></borders>"
                  "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" "
                  "borderId=\"0\"/></cellStyleXfs>"
                  "<cellXfs count=\"3\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" "
                  "borderId=\"0\" xfId=\"0\"/>"
                  "<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
                  "applyNumberFormat=\"1\"/>"
                  "<xf numFmtId=\"49\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
                  "applyNumberFormat=\"1\" applyFont=\"1\"/></cellXfs>"
                  "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" "
                  "builtinId=\"0\"/></cellStyles></styleSheet>");
    return add_part(z, "xl/styles.xml", b, err);
}

/* The package's parts: content types, relationships, workbook, styles. They
   name sheets 0..n-1 and, with list_sheet_ahead, a hidden list sheet after them. */
static int
write_package(fmt_xlsx_writer *w, fmt_zip_writer *z, int list_sheet_ahead, app_err *err)
{
    base_buf *b = &w->tmp;
    size_t nsheets = w->n + (list_sheet_ahead ? 1 : 0);
    int rc;
    if ((rc = pkg_content_types(b, z, nsheets, err)) != 0 || (rc = pkg_root_rels(b, z, err)) != 0 ||
        (rc = pkg_workbook(w, b, z, nsheets, err)) != 0 ||
        (rc = pkg_workbook_rels(b, z, nsheets, err)) != 0)
        return rc;
    return pkg_styles(b, z, err);
}

int
fmt_xlsx_writer_finish(fmt_xlsx_writer *w, unsigned char **out, size_t *out_len, app_err *err)
{
    int rc, visible = 0;

    if (out != NULL)
        *out = NULL;
    if (out_len != NULL)
        *out_len = 0;
    if (w->spent)
        return app_err_set(err, APP_EINTERNAL, NULL, "xlsx writer: already finished");
    w->spent = 1;
    if (w->open && (rc = end_sheet(w, err)) != 0)
        return rc;
    for (size_t i = 0; i < w->n; i++)
        visible += !w->sheets[i].hidden;
    if (visible == 0)
        return app_err_set(err, APP_EINVAL, "xlsx_no_sheet", "xlsx writer: no visible sheet");
    if (w->list_cols > 0 && (rc = write_list_sheet(w, err)) != 0)
        return rc;
    if (w->stream) /* the parts went first: the central directory ends the stream */
        return fmt_zip_writer_finish(w->body, NULL, NULL, err);

    fmt_zip_writer *z = fmt_zip_writer_new();
    rc = write_package(w, z, 0, err);
    if (rc == 0)
        rc = fmt_zip_writer_copy(z, w->body, err);
    if (rc == 0)
        rc = fmt_zip_writer_finish(z, out, out_len, err);
    fmt_zip_writer_free(z);
    return rc;
}
