/*
 * core/report.c - statistics of enrolled students (see core/report.h).
 */
#include "core/report.h"

#include "db/report.h"
#include "formats/xlsx.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name, *title;
    const char *field; /* the catalog field (student's own), or NULL */
    const char *table; /* labels: a code table, "region", or NULL (the school's name) */
} keys_[CORE_RK_COUNT] = {
    [CORE_RK_GRADE] = {"grade", "年级", "grade", "grade"},
    [CORE_RK_GENDER] = {"gender", "性别", "gender", "gender"},
    [CORE_RK_ETHNICITY] = {"ethnicity", "民族", "ethnicity", "ethnicity"},
    [CORE_RK_SCHOOL] = {"school", "学校", NULL, NULL},
    [CORE_RK_COUNTY] = {"county", "县区", NULL, "region"},
    [CORE_RK_LEFT_BEHIND] = {"left_behind", "留守儿童", "left_behind", "left_behind"},
    [CORE_RK_MIGRANT_CHILD] = {"migrant_child", "随迁子女", "migrant_child", "yes_no"},
    [CORE_RK_BOARDING] = {"boarding", "就读方式（走读/住校）", "study_mode", "study_mode"},
    [CORE_RK_DISABILITY] = {"disability", "残疾类型", "disability", "disability"},
};

int
core_report_key(const char *p, size_t len)
{
    for (int k = 0; k < CORE_RK_COUNT; k++)
        if (strlen(keys_[k].name) == len && memcmp(keys_[k].name, p, len) == 0)
            return k;
    return -1;
}

const char *
core_report_key_name(int k)
{
    return k >= 0 && k < CORE_RK_COUNT ? keys_[k].name : NULL;
}

const char *
core_report_key_title(int k)
{
    return k >= 0 && k < CORE_RK_COUNT ? keys_[k].title : NULL;
}

/* The LIKE pattern of the codes a region contains: PP%, PPCC%, or itself. */
static const char *
region_like(app_arena *a, const char *code)
{
    char *like = app_arena_alloc(a, 8);
    core_region_like(code, like);
    return like;
}

/* The groups of `keys`, in their order, into g and out->keys: each key once. */
static int
report_groups(const int *keys, int nkeys, db_report_group *g, core_report *out, app_err *err)
{
    if (nkeys < 0 || nkeys > CORE_RK_COUNT)
        return app_err_set(err, APP_EINVAL, "invalid_parameter", "%d groups", nkeys);
    unsigned seen = 0;
    for (int i = 0; i < nkeys; i++) {
        int k = keys[i];
        if (k < 0 || k >= CORE_RK_COUNT || (seen & (1u << k)))
            return app_err_set(err, APP_EINVAL, "invalid_parameter", "bad or repeated key");
        seen |= 1u << k;
        out->keys[i] = k;
        if (k == CORE_RK_SCHOOL) {
            g[i] = (db_report_group){DB_REPORT_SCHOOL, NULL};
        } else if (k == CORE_RK_COUNTY) {
            g[i] = (db_report_group){DB_REPORT_COUNTY, NULL};
        } else {
            int f = core_field_index(0, keys_[k].field);
            if (f < 0 || core_fields[f].column == NULL || core_fields[f].flags & CORE_F_PII)
                return app_err_set(err, APP_EINTERNAL, NULL, "report key %s", keys_[k].name);
            g[i] = (db_report_group){DB_REPORT_STUDENT, core_fields[f].column};
        }
    }
    out->ngroups = nkeys;
    return 0;
}

int
core_report_scope(db_conn *db, const core_op *op, const char *region, db_report_filter *df,
                  app_err *err)
{
    const core_actor *ac = op->actor;
    int region_ok = region == NULL;
    if (region != NULL && core_codes_label(op->env->codes, "region", region) == NULL)
        region = NULL; /* no such region: not found below */
    if (ac->level == CORE_LEVEL_SCHOOL) {
        if (ac->staff_role != CORE_STAFF_REGISTRAR)
            return app_err_set(err, APP_EFORBIDDEN, "forbidden",
                               "statistics are the registrar's: staff scopes are narrower");
        df->school = ac->org;
        if (region != NULL) {
            /* a school may name a region it stands in (nothing narrower) */
            db_school sc;
            int rc = core_school_load(db, op, ac->org, &sc, err);
            if (rc != 0)
                return rc;
            region_ok = core_region_contains(region, sc.county);
        }
    } else {
        if (ac->level != CORE_LEVEL_MINISTRY)
            df->authority_like = region_like(op->arena, ac->org);
        if (region != NULL) {
            region_ok = core_actor_sees_region(ac, region);
            df->county_like = region_like(op->arena, region);
        }
    }
    if (!region_ok) {
        app_err_field(err, "/query/region");
        return app_err_set(err, APP_ENOTFOUND, "region_not_found", "region outside");
    }
    return 0;
}

/* The n counted rows into out->rows, with their labels, and the total. */
static void
report_rows(const core_op *op, const db_report_row *rows, int n, core_report *out)
{
    out->rows = app_arena_alloc(op->arena, sizeof(core_report_row) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        core_report_row *r = &out->rows[i];
        for (int j = 0; j < out->ngroups; j++) {
            int k = out->keys[j];
            const char *v = rows[i].vals[j];
            r->code[j] = v;
            if (v == NULL)
                continue;
            if (k == CORE_RK_SCHOOL)
                r->label[j] = rows[i].school_name;
            else
                r->label[j] = core_codes_label(op->env->codes, keys_[k].table, v);
        }
        r->count = rows[i].count;
        out->total += r->count;
    }
    out->nrows = n;
}

int
core_report_enrollment(db_conn *db, const core_op *op, const char *region, const int *keys,
                       int nkeys, core_report *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    db_report_group g[CORE_RK_COUNT];
    db_report_filter df = {"enrolled", NULL, NULL, NULL};
    int rc = report_groups(keys, nkeys, g, out, err);
    if (rc == 0)
        rc = core_report_scope(db, op, region, &df, err);
    if (rc != 0)
        return rc;

    db_report_row *rows;
    int n = 0, more = 0;
    rc = db_report_count(db, &df, g, nkeys, CORE_REPORT_MAX_ROWS, op->arena, &rows, &n, &more, err);
    if (rc != 0)
        return rc;
    if (more) {
        char lim[16];
        snprintf(lim, sizeof(lim), "%d", CORE_REPORT_MAX_ROWS);
        rc = app_err_set(err, APP_ETOOLARGE, "report_too_large", "over %d rows",
                         CORE_REPORT_MAX_ROWS);
        app_err_param(err, lim);
        return rc;
    }
    report_rows(op, rows, n, out);
    /* no group and no student: still one row, the zero */
    if (nkeys > 0 || n > 0)
        return 0;
    out->rows[0].count = 0;
    out->nrows = 1;
    return 0;
}

int
core_report_xlsx(const core_report *r, unsigned char **out, size_t *out_len, app_err *err)
{
    const char *cells[CORE_RK_COUNT + 1];
    fmt_xlsx_col cv[CORE_RK_COUNT + 1];
    memset(cv, 0, sizeof(cv));
    for (int j = 0; j < r->ngroups; j++) {
        cells[j] = core_report_key_title(r->keys[j]);
        cv[j].width = r->keys[j] == CORE_RK_SCHOOL ? 36 : 18;
    }
    cells[r->ngroups] = "人数";
    cv[r->ngroups].width = 10;
    size_t nc = (size_t)r->ngroups + 1;
    fmt_xlsx_sheet_opts so = {cv, nc, 1, 0};
    fmt_xlsx_writer *w = fmt_xlsx_writer_new();
    int rc = fmt_xlsx_writer_sheet(w, "在籍学生统计", &so, err);
    if (rc == 0)
        rc = fmt_xlsx_writer_row(w, cells, nc, err);
    char text[CORE_RK_COUNT][512], count[24];
    for (int i = 0; rc == 0 && i < r->nrows; i++) {
        const core_report_row *row = &r->rows[i];
        for (int j = 0; j < r->ngroups; j++) {
            if (row->code[j] == NULL)
                snprintf(text[j], sizeof(text[j]), "（未填写）");
            else if (row->label[j])
                snprintf(text[j], sizeof(text[j]), "%s %s", row->code[j], row->label[j]);
            else
                snprintf(text[j], sizeof(text[j]), "%s", row->code[j]);
            cells[j] = text[j];
        }
        snprintf(count, sizeof(count), "%lld", row->count);
        cells[r->ngroups] = count;
        rc = fmt_xlsx_writer_row(w, cells, nc, err);
    }
    if (rc == 0 && r->ngroups > 0) {
        for (int j = 0; j < r->ngroups; j++)
            cells[j] = j == 0 ? "合计" : "";
        snprintf(count, sizeof(count), "%lld", r->total);
        cells[r->ngroups] = count;
        rc = fmt_xlsx_writer_row(w, cells, nc, err);
    }
    if (rc == 0)
        rc = fmt_xlsx_writer_finish(w, out, out_len, err);
    fmt_xlsx_writer_free(w);
    return rc;
}
