/*
 * core/export.c - the roster as a file (see core/export.h).
 */
#include "core/export.h"

#include "core/buf.h"
#include "core/csv.h"
#include "core/import.h"
#include "core/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
core_export_ncols(void)
{
    return core_template_ncols() + 2; /* + 学籍号, 学籍状态 */
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
}

/* The file being written: an xlsx writer or a CSV buffer. */
typedef struct sink {
    core_export_format fmt;
    core_xlsx_writer *w;
    core_buf csv;
} sink;

static int
sink_row(sink *k, const char *const *cells, size_t n, app_err *err)
{
    if (k->fmt == CORE_EXPORT_CSV) {
        core_csv_write_row(&k->csv, cells, n);
        return 0;
    }
    return core_xlsx_writer_row(k->w, cells, n, err);
}

static int
sink_start(sink *k, app_err *err)
{
    int n = core_template_ncols(), nc = core_export_ncols();
    const char *titles[CORE_TEMPLATE_MAX_COLS + 2];
    char tbuf[CORE_TEMPLATE_MAX_COLS][64];
    for (int c = 0; c < n; c++) {
        core_template_title(c, tbuf[c], sizeof(tbuf[c]));
        titles[c] = tbuf[c];
    }
    titles[n] = CORE_TPL_STUNO;
    titles[n + 1] = CORE_TPL_STATE;
    if (k->fmt == CORE_EXPORT_CSV) {
        core_csv_write_bom(&k->csv);
    } else {
        core_xlsx_col cv[CORE_TEMPLATE_MAX_COLS + 2];
        for (int c = 0; c < n; c++)
            core_template_col(c, &cv[c]);
        memset(&cv[n], 0, sizeof(cv[0]) * 2);
        cv[n].width = 24;
        cv[n + 1].width = 10;
        core_xlsx_sheet_opts so = {cv, (size_t)nc, 1, 0};
        k->w = core_xlsx_writer_new();
        int rc = core_xlsx_writer_sheet(k->w, CORE_TEMPLATE_SHEET, &so, err);
        if (rc != 0)
            return rc;
    }
    return sink_row(k, titles, (size_t)nc, err);
}

static int
sink_finish(sink *k, unsigned char **out, size_t *out_len, app_err *err)
{
    if (k->fmt == CORE_EXPORT_CSV) {
        *out = core_buf_steal(&k->csv, out_len);
        return 0;
    }
    return core_xlsx_writer_finish(k->w, out, out_len, err);
}

static void
sink_free(sink *k)
{
    core_xlsx_writer_free(k->w);
    core_buf_free(&k->csv);
}

int
core_student_export(db_conn *db, const core_op *op, const core_student_filter *f,
                    core_export_format fmt, const char *audit_target, unsigned char **out,
                    size_t *out_len, int *out_count, app_err *err)
{
    sink k;
    memset(&k, 0, sizeof(k));
    k.fmt = fmt;
    *out = NULL;
    *out_len = 0;
    *out_count = 0;
    int rc = sink_start(&k, err);
    core_student_filter pf = *f;
    pf.after_id = 0;
    int count = 0;
    const char *cells[CORE_TEMPLATE_MAX_COLS + 2];
    size_t nc = (size_t)core_export_ncols();
    while (rc == 0) {
        /* one page in an arena of its own: memory stays flat over the roster */
        core_op pop = *op;
        pop.arena = app_arena_new();
        pf.limit = CORE_EXPORT_PAGE;
        core_student *v = NULL;
        int n = 0;
        rc = core_student_list(db, &pop, &pf, &v, &n, err);
        for (int i = 0; rc == 0 && i < n; i++) {
            if (++count > CORE_EXPORT_MAX_ROWS) {
                char lim[16];
                snprintf(lim, sizeof(lim), "%d", CORE_EXPORT_MAX_ROWS);
                rc = app_err_set(err, APP_ETOOLARGE, "export_too_large", "over %d rows",
                                 CORE_EXPORT_MAX_ROWS);
                app_err_param(err, lim);
                break;
            }
            core_export_cells(op->env->codes, &v[i], pop.arena, cells);
            rc = sink_row(&k, cells, nc, err);
        }
        if (rc == 0 && n > 0)
            pf.after_id = v[n - 1].id;
        app_arena_free(pop.arena);
        if (n < CORE_EXPORT_PAGE)
            break;
    }
    if (rc == 0)
        rc = sink_finish(&k, out, out_len, err);
    sink_free(&k);
    if (rc != 0)
        return rc;
    /* who exported what (DOMAIN rule 28); the filters are codes and numbers */
    int plain = f->state != NULL && strlen(f->state) < 32;
    for (const char *q = f->state; plain && *q; q++)
        plain = (*q >= 'a' && *q <= 'z') || *q == '_';
    char detail[256];
    snprintf(detail, sizeof(detail),
             "{\"count\":%d,\"revealed\":%s,\"format\":\"%s\",\"grade\":%d,\"class\":%d,"
             "\"status\":%s%s%s}",
             count, f->reveal ? "true" : "false", fmt == CORE_EXPORT_CSV ? "csv" : "xlsx", f->grade,
             f->class_no, plain ? "\"" : "", plain ? f->state : "null", plain ? "\"" : "");
    rc = core_audit(db, op, "student.export", "school", audit_target, detail, err);
    if (rc != 0) {
        free(*out);
        *out = NULL;
        *out_len = 0;
        return rc;
    }
    *out_count = count;
    return 0;
}
