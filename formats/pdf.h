/*
 * formats/pdf.h - printable PDF documents (A4 pages of Chinese text, rules
 * and a photo), made with cairo and pango (docs/decisions/0029). Used by
 * the information sheets of core/infosheet.h.
 *
 * Text is laid out by pango in the CJK font FMT_PDF_FONT, found through
 * fontconfig (Debian fonts-wqy-microhei); cairo embeds the subset of the
 * glyphs used, so the file prints the same everywhere. No PDF is written by
 * hand here.
 *
 * A document writes to a sink (formats/sink.h) as cairo makes it: each
 * finished page goes out at fmt_pdf_page_end, the fonts at fmt_pdf_close,
 * so a document of many pages holds about one page in memory. A document
 * is used by one thread at a time (it has a font map of its own, so
 * successive calls may come from different threads).
 *
 * Coordinates are PDF points (1/72 inch) from the page's top left corner.
 */
#ifndef FMT_PDF_H
#define FMT_PDF_H

#include "base/err.h"
#include "formats/sink.h"

#include <stddef.h>

#define FMT_PDF_A4_W 595.276
#define FMT_PDF_A4_H 841.890
/* The font families asked of fontconfig, in order. */
#define FMT_PDF_FONT "WenQuanYi Micro Hei,Noto Sans CJK SC"

enum {
    FMT_PDF_BOLD = 1 << 0,
    FMT_PDF_GRAY = 1 << 1,   /* labels: dark gray */
    FMT_PDF_CENTER = 1 << 2, /* centred in the width */
};

typedef struct fmt_pdf fmt_pdf;

/*
 * Is there a font for Chinese text? 0, or APP_EUNAVAIL "pdf_font_missing"
 * naming FMT_PDF_FONT in the message (install fonts-wqy-microhei). Reads
 * fontconfig's configuration; thread-safe.
 */
int fmt_pdf_font_check(app_err *err);

/*
 * Start an A4 document titled `title` (UTF-8, borrowed) that goes to `sink`.
 * Checks the font first (fmt_pdf_font_check's error). *out: free with
 * fmt_pdf_free. Nothing goes to the sink before the first page ends.
 */
int fmt_pdf_open(fmt_sink sink, const char *title, fmt_pdf **out, app_err *err);

/*
 * Draw `utf8` (NULL or "" draws nothing) at (x, y) in a box `w` points wide,
 * `size` points high letters, wrapped at most `max_lines` lines (the last
 * one ellipsised when it is cut; 0: one line). Returns the height used.
 */
double fmt_pdf_text(fmt_pdf *d, double x, double y, double w, double size, unsigned flags,
                    int max_lines, const char *utf8);

/* A straight line `width` points wide, black (gray when `gray`). */
void fmt_pdf_line(fmt_pdf *d, double x1, double y1, double x2, double y2, double width, int gray);

/* A rectangle's outline. */
void fmt_pdf_rect(fmt_pdf *d, double x, double y, double w, double h, double width);

/*
 * Draw the JPEG or PNG image `data` (borrowed; formats/image.h judges it)
 * scaled to fit the box (x, y, w, h), centred, keeping its proportions.
 * JPEG goes into the file as it is (not decoded). A file that is not a
 * usable image: APP_EINVAL (its slug from fmt_image_check, or
 * "photo_bad_format"), and nothing is drawn.
 */
int fmt_pdf_image(fmt_pdf *d, const unsigned char *data, size_t len, double x, double y, double w,
                  double h, app_err *err);

/* End the page; the next drawing starts a new one. An error of the sink. */
int fmt_pdf_page_end(fmt_pdf *d, app_err *err);

/* Pages ended so far. */
int fmt_pdf_pages(const fmt_pdf *d);

/* Finish the file (the fonts and the trailer go to the sink). After it only
   fmt_pdf_free. An error of the sink, or APP_EINTERNAL from cairo. */
int fmt_pdf_close(fmt_pdf *d, app_err *err);

/* d may be NULL. An unclosed document is dropped (what went to the sink
   stays there, incomplete). */
void fmt_pdf_free(fmt_pdf *d);

#endif
