/*
 * core/report_faq.c - the FAQ's statistics (see core/report_faq.h).
 */
#include "core/report_faq.h"

#include "core/school.h"
#include "formats/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
too_large(app_err *err)
{
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", CORE_REPORT_MAX_ROWS);
    int rc =
        app_err_set(err, APP_ETOOLARGE, "report_too_large", "over %d rows", CORE_REPORT_MAX_ROWS);
    app_err_param(err, lim);
    return rc;
}

int
core_report_school_stats(db_conn *db, const core_op *op, const char *region, const char *school,
                         db_stats_depth depth, core_stats_report *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    out->depth = depth;
    db_report_filter df = {"enrolled", NULL, NULL, NULL};
    int rc = core_report_scope(db, op, region, &df, err);
    if (rc == 0 && school != NULL) {
        db_school sc;
        rc = core_school_get(db, op, school, &sc, err);
        df.school = school;
    }
    if (rc != 0)
        return rc;
    int more = 0;
    rc = db_report_school_stats(db, &df, depth, CORE_REPORT_MAX_ROWS, op->arena, &out->rows,
                                &out->nrows, &more, err);
    if (rc != 0)
        return rc;
    if (more)
        return too_large(err);
    out->grade_label = app_arena_alloc(op->arena, sizeof(char *) * (size_t)(out->nrows + 1));
    db_stats_row *t = &out->total;
    for (int i = 0; i < out->nrows; i++) {
        const db_stats_row *r = &out->rows[i];
        char g[8];
        snprintf(g, sizeof(g), "%d", r->grade);
        out->grade_label[i] = r->grade ? core_codes_label(op->env->codes, "grade", g) : NULL;
        t->total += r->total;
        t->male += r->male;
        t->female += r->female;
        t->boarders += r->boarders;
        t->left_behind += r->left_behind;
        t->migrant += r->migrant;
    }
    return 0;
}

/* A workbook of one sheet: the title row, then rows of ncol cells each (row-major). */
static int
write_sheet(const char *sheet, const char *const *titles, const double *widths, size_t ncol,
            const char *const *cells, int nrows, unsigned char **out, size_t *out_len, app_err *err)
{
    fmt_xlsx_col cv[16];
    memset(cv, 0, sizeof(cv));
    for (size_t j = 0; j < ncol && j < 16; j++)
        cv[j].width = widths[j];
    fmt_xlsx_sheet_opts so = {cv, ncol, 1, 0};
    fmt_xlsx_writer *w = fmt_xlsx_writer_new();
    int rc = fmt_xlsx_writer_sheet(w, sheet, &so, err);
    if (rc == 0)
        rc = fmt_xlsx_writer_row(w, titles, ncol, err);
    for (int i = 0; rc == 0 && i < nrows; i++)
        rc = fmt_xlsx_writer_row(w, cells + (size_t)i * ncol, ncol, err);
    if (rc == 0)
        rc = fmt_xlsx_writer_finish(w, out, out_len, err);
    fmt_xlsx_writer_free(w);
    return rc;
}

/* "%lld" into a malloc'd-once pool of cells: each cell its own 24 bytes. */
static const char *
num(char *slot, long long v)
{
    snprintf(slot, 24, "%lld", v);
    return slot;
}

int
core_report_school_stats_xlsx(const core_stats_report *r, unsigned char **out, size_t *out_len,
                              app_err *err)
{
    enum { NCOL = 10 };
    static const char *const titles[NCOL] = {"学校标识码", "学校名称", "年级", "班级",
                                             "在籍人数",   "男",       "女",   "住校",
                                             "留守儿童",   "随迁子女"};
    static const double widths[NCOL] = {14, 36, 12, 8, 10, 8, 8, 8, 10, 10};
    size_t nr = (size_t)r->nrows + 1;
    const char **cells = calloc(nr * NCOL, sizeof(char *));
    char *text = calloc(nr * NCOL, 24);
    if (cells == NULL || text == NULL) {
        free(cells);
        free(text);
        return app_err_set(err, APP_EINTERNAL, NULL, "out of memory");
    }
    for (size_t i = 0; i < nr; i++) {
        const db_stats_row *s = i < (size_t)r->nrows ? &r->rows[i] : &r->total;
        const char **c = cells + i * NCOL;
        char *t = text + i * NCOL * 24;
        int last = i == (size_t)r->nrows;
        c[0] = last ? "合计" : s->school;
        c[1] = last ? "" : s->school_name;
        c[2] = !last && s->grade ? (r->grade_label[i] ? r->grade_label[i] : num(t + 48, s->grade))
                                 : "";
        c[3] = !last && s->class_no ? num(t + 72, s->class_no) : "";
        long long v[] = {s->total, s->male, s->female, s->boarders, s->left_behind, s->migrant};
        for (int k = 0; k < 6; k++)
            c[4 + k] = num(t + (size_t)(4 + k) * 24, v[k]);
    }
    int rc = write_sheet("学校学生统计", titles, widths, NCOL, cells, (int)nr, out, out_len, err);
    free(cells);
    free(text);
    return rc;
}

/* ---------------------------------------------------------------- 异地就读 */

static const struct {
    const char *name, *title, *sheet;
    int lo, hi;
} stages_[] = {
    [CORE_STAGE_PRIMARY] = {"primary", "小学", "小学生异地就读", 11, 16},
    [CORE_STAGE_JUNIOR] = {"junior", "初中", "初中生异地就读", 21, 24},
    [CORE_STAGE_SENIOR] = {"senior", "高中", "高中生异地就读", 31, 33},
};

core_stage
core_stage_parse(const char *p)
{
    for (int s = CORE_STAGE_PRIMARY; p != NULL && s <= CORE_STAGE_SENIOR; s++)
        if (strcmp(p, stages_[s].name) == 0)
            return (core_stage)s;
    return 0;
}

const char *
core_stage_name(core_stage s)
{
    return s >= CORE_STAGE_PRIMARY && s <= CORE_STAGE_SENIOR ? stages_[s].name : NULL;
}

const char *
core_stage_title(core_stage s)
{
    return s >= CORE_STAGE_PRIMARY && s <= CORE_STAGE_SENIOR ? stages_[s].title : NULL;
}

int
core_report_nonlocal(db_conn *db, const core_op *op, const char *region, core_stage stage,
                     core_nonlocal_report *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    if (core_stage_name(stage) == NULL)
        return app_err_set(err, APP_EINVAL, "invalid_parameter", "stage %d", (int)stage);
    out->stage = stage;
    db_report_filter df = {"enrolled", NULL, NULL, NULL};
    int rc = core_report_scope(db, op, region, &df, err);
    if (rc != 0)
        return rc;
    int more = 0;
    rc = db_report_nonlocal(db, &df, stages_[stage].lo, stages_[stage].hi, CORE_REPORT_MAX_ROWS,
                            op->arena, &out->rows, &out->nrows, &more, err);
    if (rc != 0)
        return rc;
    if (more)
        return too_large(err);
    db_nonlocal_row *t = &out->total;
    for (int i = 0; i < out->nrows; i++) {
        const db_nonlocal_row *r = &out->rows[i];
        t->total += r->total;
        t->local += r->local;
        t->other_county += r->other_county;
        t->other_city += r->other_city;
        t->other_province += r->other_province;
        t->unknown += r->unknown;
    }
    return 0;
}

int
core_report_nonlocal_xlsx(const core_nonlocal_report *r, unsigned char **out, size_t *out_len,
                          app_err *err)
{
    enum { NCOL = 10 };
    static const char *const titles[NCOL] = {
        "学校标识码",   "学校名称",     "学校所在县区", "在籍人数", "本县户籍",
        "异地就读合计", "本市外县户籍", "本省外市户籍", "外省户籍", "户籍未填写"};
    static const double widths[NCOL] = {14, 36, 12, 10, 10, 12, 12, 12, 10, 10};
    size_t nr = (size_t)r->nrows + 1;
    const char **cells = calloc(nr * NCOL, sizeof(char *));
    char *text = calloc(nr * NCOL, 24);
    if (cells == NULL || text == NULL) {
        free(cells);
        free(text);
        return app_err_set(err, APP_EINTERNAL, NULL, "out of memory");
    }
    for (size_t i = 0; i < nr; i++) {
        const db_nonlocal_row *s = i < (size_t)r->nrows ? &r->rows[i] : &r->total;
        const char **c = cells + i * NCOL;
        char *t = text + i * NCOL * 24;
        int last = i == (size_t)r->nrows;
        c[0] = last ? "合计" : s->school;
        c[1] = last ? "" : s->school_name;
        c[2] = last ? "" : s->county;
        long long v[] = {
            s->total,        s->local,      s->other_county + s->other_city + s->other_province,
            s->other_county, s->other_city, s->other_province,
            s->unknown};
        for (int k = 0; k < 7; k++)
            c[3 + k] = num(t + (size_t)(3 + k) * 24, v[k]);
    }
    int rc = write_sheet(stages_[r->stage].sheet, titles, widths, NCOL, cells, (int)nr, out,
                         out_len, err);
    free(cells);
    free(text);
    return rc;
}
