/*
 * core/export.c - the roster as a file (see core/export.h).
 */
#include "core/export.h"

#include "base/buf.h"
#include "core/class_file.h"
#include "core/import.h"
#include "core/reward.h"
#include "formats/csv.h"
#include "formats/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
core_export_ncols(void)
{
    return core_template_ncols() + 3; /* + 学籍号, 学籍状态, 奖惩 */
}

/* A code field as "code label" (the import takes the code back from it). */
static const char *
code_cell(const core_codes *codes, const char *table, const char *v, app_arena *a)
{
    const char *label = core_codes_label(codes, table, v);
    return label ? app_arena_printf(a, "%s %s", v, label) : v;
}

void
core_export_cells(const core_codes *codes, const core_student *s, app_arena *a,
                  const char **out_cells)
{
    int n = core_template_ncols();
    for (int c = 0; c < n; c++) {
        int f = core_template_field(c);
        const char *v = f >= 0 ? s->rec.v[f] : NULL;
        if (v != NULL && core_fields[f].kind == CORE_FK_CODE)
            v = code_cell(codes, core_fields[f].table, v, a);
        out_cells[c] = v ? v : "";
    }
    out_cells[n] = s->student_number ? s->student_number : "";
    const char *st = s->state ? core_codes_label(codes, "student_state", s->state) : NULL;
    out_cells[n + 1] = st ? st : (s->state ? s->state : "");
    out_cells[n + 2] = "";
}

#define CSV_FLUSH_AT 65536

struct core_export {
    core_op op;            /* arena: the caller's, used by open only */
    core_student_filter f; /* f.after_id: the keyset cursor */
    core_export_format fmt;
    int classes; /* the class assignment file (core/class_file.h), not the roster */
    fmt_sink out;
    unsigned long long emitted; /* bytes given to `out` */
    fmt_xlsx_writer *w;
    base_buf csv;
    app_arena *page; /* the page being written, or NULL */
    core_student *v;
    const char **rewards; /* the page's 奖惩 cells (core_reward_cells) */
    int n, i;             /* rows of the page, next one to write */
    int last_page;        /* the page was short: no more after it */
    int done;
    long long count, written;
};

/* Every byte of the file passes here: counted, then to the caller's sink. */
static int
counting_sink(void *ctx, const void *p, size_t n, app_err *err)
{
    core_export *x = ctx;
    x->emitted += n;
    return x->out.fn(x->out.ctx, p, n, err);
}

static int
csv_flush(core_export *x, size_t at_least, app_err *err)
{
    if (x->csv.n == 0 || x->csv.n < at_least)
        return 0;
    int rc = counting_sink(x, x->csv.p, x->csv.n, err);
    base_buf_reset(&x->csv);
    return rc;
}

static int
put_row(core_export *x, const char *const *cells, size_t n, app_err *err)
{
    if (x->fmt == CORE_EXPORT_CSV) {
        fmt_csv_write_row(&x->csv, cells, n);
        return csv_flush(x, CSV_FLUSH_AT, err);
    }
    return fmt_xlsx_writer_row(x->w, cells, n, err);
}

/* The class assignment file's start: its sheet and header row. */
static int
put_start_classes(core_export *x, app_err *err)
{
    fmt_xlsx_col cv[CORE_CF_NCOLS];
    const char *titles[CORE_CF_NCOLS];
    for (int c = 0; c < CORE_CF_NCOLS; c++) {
        core_class_file_col(c, &cv[c]);
        titles[c] = core_class_file_title(c);
    }
    fmt_xlsx_sheet_opts so = {cv, CORE_CF_NCOLS, 1, 0};
    x->w = fmt_xlsx_writer_new_stream((fmt_sink){counting_sink, x});
    int rc = fmt_xlsx_writer_sheet(x->w, CORE_CLASS_FILE_SHEET, &so, err);
    return rc == 0 ? put_row(x, titles, CORE_CF_NCOLS, err) : rc;
}

static int
put_start(core_export *x, app_err *err)
{
    if (x->classes)
        return put_start_classes(x, err);
    int n = core_template_ncols(), nc = core_export_ncols();
    const char *titles[CORE_TEMPLATE_MAX_COLS + 3];
    char tbuf[CORE_TEMPLATE_MAX_COLS][64];
    for (int c = 0; c < n; c++) {
        core_template_title(c, tbuf[c], sizeof(tbuf[c]));
        titles[c] = tbuf[c];
    }
    titles[n] = CORE_TPL_STUNO;
    titles[n + 1] = CORE_TPL_STATE;
    titles[n + 2] = CORE_TPL_REWARDS;
    fmt_sink mine = {counting_sink, x};
    if (x->fmt == CORE_EXPORT_CSV) {
        fmt_csv_write_bom(&x->csv);
    } else {
        fmt_xlsx_col cv[CORE_TEMPLATE_MAX_COLS + 3];
        for (int c = 0; c < n; c++)
            core_template_col(c, &cv[c]);
        memset(&cv[n], 0, sizeof(cv[0]) * 3);
        cv[n].width = 24;
        cv[n + 1].width = 10;
        cv[n + 2].width = 40;
        fmt_xlsx_sheet_opts so = {cv, (size_t)nc, 1, 0};
        x->w = fmt_xlsx_writer_new_stream(mine);
        int rc = fmt_xlsx_writer_sheet(x->w, CORE_TEMPLATE_SHEET, &so, err);
        if (rc != 0)
            return rc;
    }
    int rc = put_row(x, titles, (size_t)nc, err);
    /* the CSV's header goes out at once; an xlsx file's first parts go with its rows */
    return rc == 0 && x->fmt == CORE_EXPORT_CSV ? csv_flush(x, 0, err) : rc;
}

static int
put_end(core_export *x, app_err *err)
{
    if (x->fmt == CORE_EXPORT_CSV)
        return csv_flush(x, 0, err);
    return fmt_xlsx_writer_finish(x->w, NULL, NULL, err);
}

long long
core_export_max_rows(core_export_format fmt)
{
    return fmt == CORE_EXPORT_XLSX ? CORE_EXPORT_MAX_ROWS_XLSX : CORE_EXPORT_MAX_ROWS;
}

static int
too_many(core_export_format fmt, app_err *err)
{
    char lim[24];
    long long max = core_export_max_rows(fmt);
    snprintf(lim, sizeof(lim), "%lld", max);
    int rc = app_err_set(err, APP_ETOOLARGE, "export_too_large", "over %lld rows", max);
    app_err_param(err, lim);
    return rc;
}

static int
export_open(db_conn *db, const core_op *op, const core_student_filter *f, core_export_format fmt,
            int classes, const char *audit_target, fmt_sink sink, core_export **out,
            long long *out_count, app_err *err)
{
    *out = NULL;
    *out_count = 0;
    core_student_filter cf = *f;
    cf.after_id = 0;
    long long count = 0;
    int rc = core_student_count(db, op, &cf, &count, err);
    if (rc != 0)
        return rc;
    if (count > core_export_max_rows(fmt))
        return too_many(fmt, err);

    /* who exported what (DOMAIN rule 28), before any of it leaves; the filters
       are codes and numbers */
    int plain = f->state != NULL && strlen(f->state) < 32;
    for (const char *q = f->state; plain && *q; q++)
        plain = (*q >= 'a' && *q <= 'z') || *q == '_';
    char detail[256];
    snprintf(detail, sizeof(detail),
             "{\"count\":%lld,\"revealed\":%s,\"format\":\"%s\",\"grade\":%d,\"class\":%d,"
             "\"status\":%s%s%s%s}",
             count, f->reveal ? "true" : "false", fmt == CORE_EXPORT_CSV ? "csv" : "xlsx", f->grade,
             f->class_no, plain ? "\"" : "", plain ? f->state : "null", plain ? "\"" : "",
             classes ? ",\"file\":\"class_assignment\"" : "");
    if ((rc = core_audit(db, op, "student.export", "school", audit_target, detail, err)) != 0)
        return rc;

    core_export *x = xcalloc(1, sizeof(*x));
    x->op = *op;
    x->f = cf;
    x->f.limit = CORE_EXPORT_PAGE;
    x->fmt = fmt;
    x->classes = classes;
    x->out = sink;
    x->count = count;
    if ((rc = put_start(x, err)) != 0) {
        core_export_free(x);
        return rc;
    }
    *out = x;
    *out_count = count;
    return 0;
}

int
core_export_open(db_conn *db, const core_op *op, const core_student_filter *f,
                 core_export_format fmt, const char *audit_target, fmt_sink sink, core_export **out,
                 long long *out_count, app_err *err)
{
    return export_open(db, op, f, fmt, 0, audit_target, sink, out, out_count, err);
}

int
core_export_open_classes(db_conn *db, const core_op *op, const core_student_filter *f,
                         const char *audit_target, fmt_sink sink, core_export **out,
                         long long *out_count, app_err *err)
{
    return export_open(db, op, f, CORE_EXPORT_XLSX, 1, audit_target, sink, out, out_count, err);
}

/* The next page into x (the previous one freed); x->n 0 at the end. */
static int
next_page(core_export *x, db_conn *db, app_err *err)
{
    app_arena_free(x->page);
    x->page = NULL;
    x->v = NULL;
    x->n = x->i = 0;
    if (x->last_page)
        return 0;
    core_op pop = x->op;
    pop.arena = x->page = app_arena_new();
    int rc = core_student_list(db, &pop, &x->f, &x->v, &x->n, err);
    if (rc != 0)
        return rc;
    if (x->n < CORE_EXPORT_PAGE)
        x->last_page = 1;
    if (x->n == 0)
        return 0;
    x->f.after_id = x->v[x->n - 1].id;
    long long *ids = app_arena_alloc(x->page, sizeof(long long) * (size_t)x->n);
    for (int i = 0; i < x->n; i++)
        ids[i] = x->v[i].id;
    x->rewards = app_arena_alloc(x->page, sizeof(char *) * (size_t)x->n);
    return core_reward_cells(db, x->op.env->codes, ids, x->n, x->page, x->rewards, err);
}

int
core_export_next(core_export *x, db_conn *db, int *out_done, app_err *err)
{
    const char *cells[CORE_TEMPLATE_MAX_COLS + 3];
    size_t nc = (size_t)core_export_ncols();
    unsigned long long until = x->emitted + CORE_EXPORT_STEP_BYTES;
    int rc = 0;

    *out_done = 0;
    if (x->done)
        return app_err_set(err, APP_EINTERNAL, NULL, "export: next after the end");
    while (x->emitted < until) {
        if (x->i == x->n) {
            if ((rc = next_page(x, db, err)) != 0)
                return rc;
            if (x->n == 0) {
                if ((rc = put_end(x, err)) != 0)
                    return rc;
                x->done = 1;
                *out_done = 1;
                return 0;
            }
        }
        if (x->written >= core_export_max_rows(x->fmt))
            return too_many(x->fmt, err);
        if (x->classes) {
            core_class_file_cells(&x->v[x->i], x->page, cells);
        } else {
            core_export_cells(x->op.env->codes, &x->v[x->i], x->page, cells);
            if (x->rewards[x->i])
                cells[nc - 1] = x->rewards[x->i];
        }
        if ((rc = put_row(x, cells, x->classes ? CORE_CF_NCOLS : nc, err)) != 0)
            return rc;
        x->i++;
        x->written++;
    }
    return 0;
}

long long
core_export_written(const core_export *x)
{
    return x->written;
}

void
core_export_free(core_export *x)
{
    if (x == NULL)
        return;
    fmt_xlsx_writer_free(x->w);
    base_buf_free(&x->csv);
    app_arena_free(x->page);
    free(x);
}
