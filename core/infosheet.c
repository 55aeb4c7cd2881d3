/*
 * core/infosheet.c - the student information sheet (see core/infosheet.h).
 *
 * The page is drawn top to bottom by a cursor `y`; every height is bounded
 * (a short value one line, a long text two lines, a label two lines), so a
 * fully filled-in record still ends above the bottom margin: the sheet is
 * always one page.
 */
#include "core/infosheet.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/files.h"
#include "core/grade.h"
#include "core/student.h"
#include "core/student_int.h"
#include "formats/pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MARGIN 36.0
#define WIDTH (FMT_PDF_A4_W - 2 * MARGIN)
#define PHOTO_W 75.0
#define PHOTO_H 100.0
#define TOP 84.0 /* the groups and the photo start here */
#define ROW 13.0
#define TEXT_PT 8.0
#define LABEL_PT 7.5

/* The record's groups (DOMAIN §4) by national item numbers; the family
   members (49-72) are drawn as a table of their own. */
static const struct {
    const char *title;
    int first, last;
} groups[] = {
    {"基本信息", 1, 13},  {"辅助信息", 14, 19}, {"学籍信息", 20, 27},
    {"联系方式", 28, 34}, {"扩展信息", 35, 45}, {"交通方式", 46, 48},
};

typedef struct sheet {
    fmt_pdf *pdf;
    const core_op *op;
    const core_student *s;
    double y;
} sheet;

/* ---------------------------------------------------------------- values */

static const char *
region_text(const core_codes *codes, const char *v, app_arena *a)
{
    if (v == NULL || strlen(v) < 6)
        return v;
    char p[7], c[7], d[7];
    snprintf(p, sizeof(p), "%.2s0000", v);
    snprintf(c, sizeof(c), "%.4s00", v);
    snprintf(d, sizeof(d), "%.6s", v);
    const char *pn = core_codes_label(codes, "region", p);
    const char *cn = strcmp(c, p) != 0 ? core_codes_label(codes, "region", c) : NULL;
    const char *dn = strcmp(d, c) != 0 ? core_codes_label(codes, "region", d) : NULL;
    if (pn == NULL)
        return v;
    return app_arena_printf(a, "%s%s%s", pn, cn ? cn : "", dn ? dn : "");
}

/* Field `i` of the record as the sheet shows it (in the op's arena), or NULL. */
static const char *
value_text(const core_op *op, const core_record *r, int i)
{
    const core_field *f = &core_fields[i];
    const char *v = r->v[i];
    if (v == NULL || v[0] == '\0')
        return NULL;
    const char *label;
    switch (f->kind) {
    case CORE_FK_CODE:
        label = core_codes_label(op->env->codes, f->table, v);
        return label ? label : v;
    case CORE_FK_GRADE:
        label = core_grade_label(atoi(v));
        return label ? label : v;
    case CORE_FK_CLASSNO:
        return app_arena_printf(op->arena, "%s班", v);
    case CORE_FK_REGION12:
        return region_text(op->env->codes, v, op->arena);
    case CORE_FK_MONTH:
        return strlen(v) == 6 ? app_arena_printf(op->arena, "%.4s年%.2s月", v, v + 4) : v;
    case CORE_FK_KM:
        return app_arena_printf(op->arena, "%s 公里", v);
    default:
        return v;
    }
}

/* A long text (addresses, employer, specialty, home page) takes a whole row. */
static int
is_long(const core_field *f)
{
    return (f->kind == CORE_FK_TEXT || f->kind == CORE_FK_URL) && f->max >= 100;
}

/* ---------------------------------------------------------------- drawing */

/* One label/value cell; returns its height. */
static double
cell(sheet *sh, double x, double w, const char *label, const char *value, int lines)
{
    double lw = 56;
    double h1 = fmt_pdf_text(sh->pdf, x, sh->y + 0.5, lw - 3, LABEL_PT, FMT_PDF_GRAY, 2, label);
    double h2 = fmt_pdf_text(sh->pdf, x + lw, sh->y, w - lw - 4, TEXT_PT, 0, lines, value);
    double h = h1 > h2 ? h1 : h2;
    return h < ROW - 2 ? ROW : h + 2;
}

/* The width the groups may use at the cursor (left of the photo beside it). */
static double
width_here(const sheet *sh)
{
    return sh->y < TOP + PHOTO_H + 4 ? WIDTH - PHOTO_W - 10 : WIDTH;
}

/* A group's title and rule; the width of its grid (beside the photo when
   the group starts there). */
static double
group_title(sheet *sh, const char *title)
{
    double w = width_here(sh);
    sh->y += 3;
    fmt_pdf_text(sh->pdf, MARGIN, sh->y, 120, 9.5, FMT_PDF_BOLD, 1, title);
    sh->y += 13;
    fmt_pdf_line(sh->pdf, MARGIN, sh->y - 1, MARGIN + w, sh->y - 1, 0.5, 1);
    sh->y += 1;
    return w;
}

/* A group's fields: short ones three to a row, long ones a row each. */
static void
group(sheet *sh, int g)
{
    double w = group_title(sh, groups[g].title);
    int col = 0;
    double rowh = 0;
    for (int i = 0; i < CORE_R_F1; i++) {
        const core_field *f = &core_fields[i];
        if (f->item < groups[g].first || f->item > groups[g].last || f->kind == CORE_FK_PHOTO)
            continue;
        const char *v = value_text(sh->op, &sh->s->rec, i);
        if (is_long(f)) {
            if (col > 0) {
                sh->y += rowh;
                col = 0, rowh = 0;
            }
            sh->y += cell(sh, MARGIN, w, f->label, v, 2);
            continue;
        }
        double h = cell(sh, MARGIN + col * (w / 3), w / 3, f->label, v, 1);
        rowh = h > rowh ? h : rowh;
        if (++col == 3) {
            sh->y += rowh;
            col = 0, rowh = 0;
        }
    }
    sh->y += rowh;
}

/* The two family members side by side: a row per field. */
static void
family(sheet *sh)
{
    group_title(sh, "家庭成员");
    double lw = 80, cw = (WIDTH - lw) / 2;
    fmt_pdf_text(sh->pdf, MARGIN + lw, sh->y, cw, TEXT_PT, FMT_PDF_BOLD, 1, "成员一");
    fmt_pdf_text(sh->pdf, MARGIN + lw + cw, sh->y, cw, TEXT_PT, FMT_PDF_BOLD, 1, "成员二");
    sh->y += ROW;
    for (int k = 0; k < CORE_FAMILY_FIELDS; k++) {
        const core_field *f = &core_fields[CORE_R_F1 + k];
        int lines = is_long(f) ? 2 : 1;
        double h =
            fmt_pdf_text(sh->pdf, MARGIN, sh->y + 0.5, lw - 4, LABEL_PT, FMT_PDF_GRAY, 1, f->label);
        for (int m = 0; m < CORE_FAMILY_MAX; m++) {
            const char *v = value_text(sh->op, &sh->s->rec, CORE_R_F1 + m * CORE_FAMILY_FIELDS + k);
            double hv =
                fmt_pdf_text(sh->pdf, MARGIN + lw + m * cw, sh->y, cw - 6, TEXT_PT, 0, lines, v);
            h = hv > h ? hv : h;
        }
        sh->y += h < ROW - 2 ? ROW : h + 2;
    }
}

/* The title, the school and the record's place; the photo box. */
static void
head(sheet *sh, const unsigned char *photo, size_t photo_len)
{
    const core_student *s = sh->s;
    fmt_pdf_text(sh->pdf, MARGIN, MARGIN, WIDTH, 18, FMT_PDF_BOLD | FMT_PDF_CENTER, 1,
                 "学生信息表");
    const char *school = app_arena_printf(sh->op->arena, "%s（%s）",
                                          s->school_name ? s->school_name : "", s->school);
    fmt_pdf_text(sh->pdf, MARGIN, MARGIN + 26, WIDTH, 9, FMT_PDF_CENTER, 1, school);
    const char *state = core_codes_label(sh->op->env->codes, "student_state", s->state);
    const char *line =
        app_arena_printf(sh->op->arena, "学籍号：%s　　状态：%s　　打印日期：%d-%02d-%02d",
                         s->student_number ? s->student_number : "", state ? state : s->state,
                         sh->op->today / 10000, sh->op->today / 100 % 100, sh->op->today % 100);
    fmt_pdf_text(sh->pdf, MARGIN, MARGIN + 42, WIDTH, TEXT_PT, 0, 1, line);
    double px = MARGIN + WIDTH - PHOTO_W;
    fmt_pdf_rect(sh->pdf, px, TOP, PHOTO_W, PHOTO_H, 0.5);
    if (photo != NULL) {
        app_err ignored = {0};
        /* a stored photo was judged when it was put; one that no longer
           draws leaves the box empty rather than failing the sheet */
        if (fmt_pdf_image(sh->pdf, photo, photo_len, px + 1, TOP + 1, PHOTO_W - 2, PHOTO_H - 2,
                          &ignored) != 0)
            photo = NULL;
    }
    if (photo == NULL)
        fmt_pdf_text(sh->pdf, px, TOP + PHOTO_H / 2 - 5, PHOTO_W, TEXT_PT,
                     FMT_PDF_GRAY | FMT_PDF_CENTER, 1, "照片");
    sh->y = TOP;
}

/* The statement and the lines to sign: at the foot of the page, or below
   the record when a full one reaches down there. */
static void
signatures(sheet *sh)
{
    double y = FMT_PDF_A4_H - 100;
    if (sh->y + 12 > y)
        y = sh->y + 12;
    fmt_pdf_text(sh->pdf, MARGIN, y, WIDTH, 9, 0, 2,
                 "请家长（监护人）核对以上信息。信息有误的，请在空白处注明正确内容；"
                 "核对无误后签字，并将本表交回学校。");
    static const char *const who[] = {"家长（监护人）签字：", "学校经办人签字："};
    for (int i = 0; i < 2; i++) {
        y += i == 0 ? 22 : 24;
        fmt_pdf_text(sh->pdf, MARGIN, y, 140, 10, 0, 1, who[i]);
        fmt_pdf_line(sh->pdf, MARGIN + 100, y + 13, MARGIN + 260, y + 13, 0.6, 0);
        fmt_pdf_text(sh->pdf, MARGIN + 300, y, 40, 10, 0, 1, "日期：");
        fmt_pdf_line(sh->pdf, MARGIN + 330, y + 13, MARGIN + 450, y + 13, 0.6, 0);
    }
    fmt_pdf_text(sh->pdf, MARGIN, FMT_PDF_A4_H - 24, WIDTH, 6.5, FMT_PDF_GRAY | FMT_PDF_CENTER, 1,
                 "本表含学生个人信息，仅供家长核对学籍信息使用，请妥善保管。");
}

/* One pupil's page, ended. */
static int
draw_page(fmt_pdf *pdf, const core_op *op, const core_student *s, const unsigned char *photo,
          size_t photo_len, app_err *err)
{
    sheet sh = {pdf, op, s, 0};
    head(&sh, photo, photo_len);
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
        group(&sh, (int)g);
    family(&sh);
    signatures(&sh);
    return fmt_pdf_page_end(pdf, err);
}

/* The pupil's photo opened into the op's arena, or NULL when none. */
static int
photo_of(db_conn *db, const core_op *op, const core_student *s, const unsigned char **out,
         size_t *out_len, app_err *err)
{
    *out = NULL;
    *out_len = 0;
    if (!s->has_photo)
        return 0;
    int found = 0;
    int rc = core_photo_bytes(db, op->env->ring, s->id, op->arena, out, out_len, &found, err);
    if (rc == 0 && !found)
        *out = NULL;
    return rc;
}

/* ---------------------------------------------------------------- one pupil */

int
core_infosheet_student(db_conn *db, const core_op *op, const char *key, int reveal, fmt_sink sink,
                       app_err *err)
{
    fmt_pdf *pdf = NULL;
    int rc = fmt_pdf_open(sink, "学生信息表", &pdf, err);
    if (rc != 0)
        return rc;
    core_student s;
    const unsigned char *photo;
    size_t plen;
    if ((rc = core_student_get(db, op, key, reveal, &s, err)) == 0 &&
        (rc = photo_of(db, op, &s, &photo, &plen, err)) == 0 &&
        (rc = draw_page(pdf, op, &s, photo, plen, err)) == 0)
        rc = fmt_pdf_close(pdf, err);
    fmt_pdf_free(pdf);
    return rc;
}

/* ---------------------------------------------------------------- a class */

struct core_infosheets {
    core_op op; /* arena: the caller's, used by open only */
    core_student_filter f;
    fmt_pdf *pdf;
    int pages;
    int done;
};

/* The school, seen by the actor, as core_checkin finds it. */
static int
visible_school(db_conn *db, const core_op *op, const char *code, db_school *sc, app_err *err)
{
    int rc = core__load_school(db, op, code, sc, err);
    if (rc != 0)
        return rc;
    core_school_ref ref = {sc->code, sc->county, sc->authority};
    if (!core_actor_sees_school(op->actor, &ref))
        return app_err_set(err, APP_ENOTFOUND, "school_not_found", "school %s", code);
    return 0;
}

static int
audit_printing(db_conn *db, const core_op *op, const core_student_filter *f, long long count,
               app_err *err)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_int(&w, "count", count);
    jw_bool(&w, "revealed", f->reveal);
    jw_int(&w, "grade", f->grade);
    jw_int(&w, "class", f->class_no);
    jw_end(&w);
    return core_audit(db, op, "student.info_sheets", "school", f->school, jw_text(&w, NULL), err);
}

int
core_infosheets_open(db_conn *db, const core_op *op, const char *school, int grade, int class_no,
                     int reveal, fmt_sink sink, core_infosheets **out, long long *out_count,
                     app_err *err)
{
    *out = NULL;
    *out_count = 0;
    int rc = fmt_pdf_font_check(err);
    db_school sc;
    if (rc != 0 || (rc = visible_school(db, op, school, &sc, err)) != 0)
        return rc;
    core_infosheets *x = xcalloc(1, sizeof(*x));
    x->op = *op;
    x->f.school = xstrdup(sc.code);
    x->f.grade = grade;
    x->f.class_no = class_no;
    x->f.state = "enrolled";
    x->f.reveal = reveal;
    x->f.limit = CORE_INFOSHEET_STEP;
    if ((rc = core_student_count(db, op, &x->f, out_count, err)) != 0)
        goto fail;
    if (*out_count == 0) {
        rc = app_err_set(err, APP_ENOTFOUND, "no_students", "no enrolled pupil in class %d-%d",
                         grade, class_no);
        goto fail;
    }
    if ((rc = audit_printing(db, op, &x->f, *out_count, err)) != 0 ||
        (rc = fmt_pdf_open(sink, "学生信息表", &x->pdf, err)) != 0)
        goto fail;
    *out = x;
    return 0;
fail:
    core_infosheets_free(x);
    return rc;
}

/* The pages of one batch of pupils, read and drawn in an arena of its own. */
static int
draw_batch(core_infosheets *x, db_conn *db, app_arena *a, int *out_n, app_err *err)
{
    core_op op = x->op;
    op.arena = a;
    core_student *v = NULL;
    int rc = core_student_list(db, &op, &x->f, &v, out_n, err);
    for (int i = 0; rc == 0 && i < *out_n; i++) {
        const unsigned char *photo;
        size_t plen;
        if ((rc = photo_of(db, &op, &v[i], &photo, &plen, err)) == 0 &&
            (rc = draw_page(x->pdf, &op, &v[i], photo, plen, err)) == 0)
            x->pages++;
    }
    if (rc == 0 && *out_n > 0)
        x->f.after_id = v[*out_n - 1].id;
    return rc;
}

int
core_infosheets_next(core_infosheets *x, db_conn *db, int *out_done, app_err *err)
{
    *out_done = 0;
    if (x->done)
        return app_err_set(err, APP_EINTERNAL, "internal", "sheets already finished");
    app_arena *a = app_arena_new();
    int n = 0;
    int rc = draw_batch(x, db, a, &n, err);
    app_arena_free(a);
    if (rc != 0)
        return rc;
    if (n < CORE_INFOSHEET_STEP) {
        /* pupils who left since the count are not drawn; a file of no page
           would not be a PDF, so it ends with what there is */
        if ((rc = fmt_pdf_close(x->pdf, err)) != 0)
            return rc;
        x->done = 1;
        *out_done = 1;
    }
    return 0;
}

int
core_infosheets_pages(const core_infosheets *x)
{
    return x->pages;
}

void
core_infosheets_free(core_infosheets *x)
{
    if (x == NULL)
        return;
    fmt_pdf_free(x->pdf);
    free((char *)x->f.school);
    free(x);
}
