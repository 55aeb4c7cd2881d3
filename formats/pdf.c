/*
 * formats/pdf.c - printable PDF documents with cairo and pango (see
 * formats/pdf.h).
 */
#include "formats/pdf.h"

#include "formats/image.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <stdlib.h>
#include <string.h>

struct fmt_pdf {
    fmt_sink sink;
    app_err sink_err; /* the sink's error, kept until the call that caused it returns */
    int sink_rc;
    int dropped; /* being freed unclosed: the sink gets nothing more */
    int pages;
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoFontMap *fonts;
    PangoContext *pango;
};

/* Two characters every sheet prints (学, 籍): the font must have them. */
static const gunichar probe[] = {0x5B66, 0x7C4D};

static int
font_ok(PangoFontMap *map)
{
    PangoContext *ctx = pango_font_map_create_context(map);
    PangoFontDescription *desc = pango_font_description_from_string(FMT_PDF_FONT " 10");
    PangoFont *font = pango_font_map_load_font(map, ctx, desc);
    int ok = font != NULL;
    for (size_t i = 0; ok && i < sizeof(probe) / sizeof(probe[0]); i++)
        ok = pango_font_has_char(font, probe[i]);
    if (font)
        g_object_unref(font);
    pango_font_description_free(desc);
    g_object_unref(ctx);
    return ok;
}

static int
font_missing(app_err *err)
{
    return app_err_set(err, APP_EUNAVAIL, "pdf_font_missing",
                       "no font for Chinese text (%s; Debian: fonts-wqy-microhei)", FMT_PDF_FONT);
}

int
fmt_pdf_font_check(app_err *err)
{
    PangoFontMap *map = pango_cairo_font_map_new();
    int ok = font_ok(map);
    g_object_unref(map);
    return ok ? 0 : font_missing(err);
}

static cairo_status_t
write_sink(void *closure, const unsigned char *data, unsigned int length)
{
    fmt_pdf *d = closure;
    if (d->dropped || d->sink_rc != 0)
        return d->dropped ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
    if (length == 0)
        return CAIRO_STATUS_SUCCESS;
    d->sink_rc = d->sink.fn(d->sink.ctx, data, length, &d->sink_err);
    return d->sink_rc == 0 ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

int
fmt_pdf_open(fmt_sink sink, const char *title, fmt_pdf **out, app_err *err)
{
    *out = NULL;
    fmt_pdf *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return app_err_set(err, APP_EINTERNAL, "internal", "out of memory");
    d->sink = sink;
    d->fonts = pango_cairo_font_map_new();
    if (!font_ok(d->fonts)) {
        fmt_pdf_free(d);
        return font_missing(err);
    }
    d->surface = cairo_pdf_surface_create_for_stream(write_sink, d, FMT_PDF_A4_W, FMT_PDF_A4_H);
    d->cr = cairo_create(d->surface);
    if (cairo_status(d->cr) != CAIRO_STATUS_SUCCESS) {
        fmt_pdf_free(d);
        return app_err_set(err, APP_EINTERNAL, "internal", "cairo: cannot start a PDF");
    }
    if (title != NULL)
        cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, "xueji");
    d->pango = pango_font_map_create_context(d->fonts);
    pango_cairo_update_context(d->cr, d->pango);
    *out = d;
    return 0;
}

double
fmt_pdf_text(fmt_pdf *d, double x, double y, double w, double size, unsigned flags, int max_lines,
             const char *utf8)
{
    if (utf8 == NULL || utf8[0] == '\0')
        return 0;
    PangoLayout *lay = pango_layout_new(d->pango);
    PangoFontDescription *desc = pango_font_description_from_string(FMT_PDF_FONT);
    pango_font_description_set_absolute_size(desc, size * PANGO_SCALE);
    if (flags & FMT_PDF_BOLD)
        pango_font_description_set_weight(desc, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(lay, desc);
    pango_layout_set_width(lay, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_height(lay, -(max_lines > 0 ? max_lines : 1));
    pango_layout_set_ellipsize(lay, PANGO_ELLIPSIZE_END);
    if (flags & FMT_PDF_CENTER)
        pango_layout_set_alignment(lay, PANGO_ALIGN_CENTER);
    pango_layout_set_text(lay, utf8, -1);
    double gray = flags & FMT_PDF_GRAY ? 0.35 : 0;
    cairo_set_source_rgb(d->cr, gray, gray, gray);
    cairo_move_to(d->cr, x, y);
    pango_cairo_show_layout(d->cr, lay);
    int pw = 0, ph = 0;
    pango_layout_get_size(lay, &pw, &ph);
    pango_font_description_free(desc);
    g_object_unref(lay);
    return (double)ph / PANGO_SCALE;
}

void
fmt_pdf_line(fmt_pdf *d, double x1, double y1, double x2, double y2, double width, int gray)
{
    double g = gray ? 0.6 : 0;
    cairo_set_source_rgb(d->cr, g, g, g);
    cairo_set_line_width(d->cr, width);
    cairo_move_to(d->cr, x1, y1);
    cairo_line_to(d->cr, x2, y2);
    cairo_stroke(d->cr);
}

void
fmt_pdf_rect(fmt_pdf *d, double x, double y, double w, double h, double width)
{
    cairo_set_source_rgb(d->cr, 0, 0, 0);
    cairo_set_line_width(d->cr, width);
    cairo_rectangle(d->cr, x, y, w, h);
    cairo_stroke(d->cr);
}

typedef struct png_reader {
    const unsigned char *p;
    size_t left;
} png_reader;

static cairo_status_t
read_png(void *closure, unsigned char *data, unsigned int length)
{
    png_reader *r = closure;
    if (length > r->left)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, r->p, length);
    r->p += length;
    r->left -= length;
    return CAIRO_STATUS_SUCCESS;
}

/*
 * The image as a cairo surface. A JPEG is not decoded: a 1x1 surface
 * carries the file as its MIME data, which the PDF embeds as it is (its own
 * width and height come from the JPEG header); the caller scales the
 * surface to the box either way.
 */
static cairo_surface_t *
image_surface(const unsigned char *data, size_t len, const fmt_image_info *info)
{
    if (info->type == FMT_IMAGE_PNG) {
        png_reader r = {data, len};
        return cairo_image_surface_create_from_png_stream(read_png, &r);
    }
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
    unsigned char *copy = malloc(len);
    if (copy == NULL)
        return s; /* drawn blank */
    memcpy(copy, data, len);
    cairo_surface_set_mime_data(s, CAIRO_MIME_TYPE_JPEG, copy, len, free, copy);
    return s;
}

int
fmt_pdf_image(fmt_pdf *d, const unsigned char *data, size_t len, double x, double y, double w,
              double h, app_err *err)
{
    fmt_image_info info;
    int rc = fmt_image_check(data, len, &info, err);
    if (rc != 0)
        return rc;
    cairo_surface_t *s = image_surface(data, len, &info);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return app_err_set(err, APP_EINVAL, "photo_bad_format", "image not readable");
    }
    /* fit the box, centred, proportions kept */
    double sx = w / info.width, sy = h / info.height, k = sx < sy ? sx : sy;
    double iw = info.width * k, ih = info.height * k;
    double sw = cairo_image_surface_get_width(s), sh = cairo_image_surface_get_height(s);
    cairo_save(d->cr);
    cairo_translate(d->cr, x + (w - iw) / 2, y + (h - ih) / 2);
    cairo_scale(d->cr, iw / sw, ih / sh);
    cairo_set_source_surface(d->cr, s, 0, 0);
    cairo_paint(d->cr);
    cairo_restore(d->cr);
    cairo_surface_destroy(s);
    return 0;
}

/* 0, or the sink's error (copied to err), or cairo's. */
static int
status(fmt_pdf *d, app_err *err)
{
    if (d->sink_rc != 0) {
        if (err != NULL)
            *err = d->sink_err;
        return d->sink_rc;
    }
    cairo_status_t st = cairo_status(d->cr);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(d->surface);
    if (st != CAIRO_STATUS_SUCCESS)
        return app_err_set(err, APP_EINTERNAL, "internal", "cairo: %s", cairo_status_to_string(st));
    return 0;
}

int
fmt_pdf_page_end(fmt_pdf *d, app_err *err)
{
    cairo_show_page(d->cr);
    d->pages++;
    return status(d, err);
}

int
fmt_pdf_pages(const fmt_pdf *d)
{
    return d->pages;
}

int
fmt_pdf_close(fmt_pdf *d, app_err *err)
{
    cairo_surface_finish(d->surface);
    return status(d, err);
}

void
fmt_pdf_free(fmt_pdf *d)
{
    if (d == NULL)
        return;
    d->dropped = 1;
    if (d->cr)
        cairo_destroy(d->cr);
    if (d->surface)
        cairo_surface_destroy(d->surface);
    if (d->pango)
        g_object_unref(d->pango);
    if (d->fonts)
        g_object_unref(d->fonts);
    free(d);
}
