/*
 * core/import.c - the student template and its rows (see core/import.h).
 */
#include "core/import.h"

#include "core/class_file.h"
#include "core/uni_catalog_file.h"
#include "core/uni_file.h"
#include "formats/csv.h"
#include "formats/xlsx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ the columns */

/* Column order: the student's fields, the separator, both family members,
   the version marker. The photo (read-only) has no column. */
static int cols[CORE_TEMPLATE_MAX_COLS];
static int ncols;

static void
layout(void)
{
    if (ncols)
        return;
    int n = 0;
    for (int i = 0; i < CORE_NFIELDS; i++) {
        if (core_fields[i].flags & CORE_F_READONLY)
            continue;
        if (i == CORE_R_F1)
            cols[n++] = CORE_TPL_SEPARATOR;
        cols[n++] = i;
    }
    cols[n++] = CORE_TPL_VERSION;
    ncols = n; /* written last: a reader that sees ncols sees cols (no other writer) */
}

int
core_template_ncols(void)
{
    layout();
    return ncols;
}

int
core_template_field(int col)
{
    layout();
    return col >= 0 && col < ncols ? cols[col] : -1;
}

void
core_template_title(int col, char *buf, size_t cap)
{
    int f = core_template_field(col);
    if (f == CORE_TPL_SEPARATOR)
        snprintf(buf, cap, "以下为家庭成员信息");
    else if (f == CORE_TPL_VERSION)
        snprintf(buf, cap, "模板版本:%s", CORE_TEMPLATE_VERSION);
    else if (f >= 0)
        core_field_title(f, buf, cap);
    else if (cap)
        buf[0] = '\0';
}

int
core_import_column_of(const core_import_map *m, int field)
{
    for (int c = 0; c < m->ncols; c++)
        if (m->field[c] == field)
            return c;
    return -1;
}

/* ------------------------------------------------------------ the template file */

typedef struct listv {
    const char **v;
    size_t n, cap;
} listv;

static void
add_value(void *ctx, const char *code, const char *label)
{
    listv *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof(char *));
        if (l->v == NULL)
            abort();
    }
    size_t len = strlen(code) + strlen(label) + 2;
    char *s = malloc(len);
    if (s == NULL)
        abort();
    snprintf(s, len, "%s %s", code, label);
    l->v[l->n++] = s;
}

static double
width_of(const core_field *f)
{
    switch (f->kind) {
    case CORE_FK_IDNUM:
        return 22;
    case CORE_FK_DATE:
        return 12;
    case CORE_FK_CODE:
        return 16;
    case CORE_FK_PHONE:
        return 14;
    case CORE_FK_REGION12:
        return 15;
    default:
        return f->max > 30 ? 30 : 12;
    }
}

static const char *const rules_text[] = {
    "学生信息导入模板填写说明",
    "1. 请勿增加、删除、移动或改名任何列（含隐藏列）；第一行为表头，从第二行起每行一名学生。",
    "2. 所有单元格均为文本格式：身份证件号、电话、邮编等请直接输入，不要改成“数值”或“科学计数”格式，"
    "否则身份证号末几位会丢失。",
    "3. 代码项（性别、民族、证件类型等）请从下拉列表中选择；也可只填代码（如 1）或名称（如 男）。",
    "4. 日期填写为 YYYY-MM-DD（如 2016-09-01），也接受 2016/9/1、2016年9月1日 和 Excel 日期。",
    "5. 入学年月填写为 YYYYMM（如 202209）；上下学距离只填数字（公里，最多一位小数），不要写单位。",
    "6. 联系电话只填数字，不要填写“-”或“无”；没有请留空。",
    "7. 没有身份证件的学生，证件类型与证件号留空，并填写一名持有证件的监护人。",
    "8. 空行会被跳过；出错的行会在导入结果中列出行号、列号和原因，可下载错误行修改后重新导入。",
    "模板版本：" CORE_TEMPLATE_VERSION,
};

void
core_template_col(int col, fmt_xlsx_col *out)
{
    memset(out, 0, sizeof(*out));
    int f = core_template_field(col);
    if (f == -1)
        return;
    if (f < 0) {
        out->hidden = 1;
        out->width = 4;
        return;
    }
    out->width = width_of(&core_fields[f]);
}

int
core_template_xlsx(const core_codes *codes, unsigned char **out, size_t *out_len, app_err *err)
{
    int n = core_template_ncols();
    fmt_xlsx_col cv[CORE_TEMPLATE_MAX_COLS];
    listv lists[CORE_TEMPLATE_MAX_COLS];
    const char *titles[CORE_TEMPLATE_MAX_COLS];
    char tbuf[CORE_TEMPLATE_MAX_COLS][64];
    memset(lists, 0, sizeof(lists));
    for (int c = 0; c < n; c++) {
        int f = cols[c];
        core_template_title(c, tbuf[c], sizeof(tbuf[c]));
        titles[c] = tbuf[c];
        core_template_col(c, &cv[c]);
        if (f >= 0 && core_fields[f].kind == CORE_FK_CODE) {
            core_codes_each(codes, core_fields[f].table, add_value, &lists[c]);
            cv[c].list = lists[c].v;
            cv[c].nlist = lists[c].n;
        }
    }
    fmt_xlsx_writer *w = fmt_xlsx_writer_new();
    fmt_xlsx_sheet_opts main = {cv, (size_t)n, 1, 0};
    fmt_xlsx_col wide = {110, 0, NULL, 0};
    fmt_xlsx_sheet_opts help = {&wide, 1, 1, 0};
    int rc = fmt_xlsx_writer_sheet(w, CORE_TEMPLATE_SHEET, &main, err);
    if (rc == 0)
        rc = fmt_xlsx_writer_row(w, titles, (size_t)n, err);
    if (rc == 0)
        rc = fmt_xlsx_writer_sheet(w, "填写说明", &help, err);
    for (size_t i = 0; rc == 0 && i < sizeof(rules_text) / sizeof(rules_text[0]); i++)
        rc = fmt_xlsx_writer_row(w, &rules_text[i], 1, err);
    if (rc == 0)
        rc = fmt_xlsx_writer_finish(w, out, out_len, err);
    fmt_xlsx_writer_free(w);
    for (int c = 0; c < n; c++) {
        for (size_t k = 0; k < lists[c].n; k++)
            free((void *)lists[c].v[k]);
        free(lists[c].v);
    }
    return rc;
}

/* ------------------------------------------------------------ reading */

void
core_import_trim(const char **p, size_t *n)
{
    const unsigned char *s = (const unsigned char *)*p;
    size_t len = *n;
    for (;;) {
        if (len >= 1 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n'))
            s++, len--;
        else if (len >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
            s += 2, len -= 2;
        else if (len >= 3 && s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80)
            s += 3, len -= 3;
        else
            break;
    }
    for (;;) {
        if (len >= 1 &&
            (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
            len--;
        else if (len >= 2 && s[len - 2] == 0xC2 && s[len - 1] == 0xA0)
            len -= 2;
        else if (len >= 3 && s[len - 3] == 0xE3 && s[len - 2] == 0x80 && s[len - 1] == 0x80)
            len -= 3;
        else
            break;
    }
    *p = (const char *)s;
    *n = len;
}

const char *
core_import_cell(const fmt_sheet_row *row, int c, app_arena *a)
{
    if ((size_t)c >= row->ncells)
        return "";
    const char *p = row->cells[c].s;
    size_t n = row->cells[c].len;
    core_import_trim(&p, &n);
    return app_arena_strndup(a, p, n);
}

int
core_import_template_header(const fmt_sheet_row *row, const char *(*title)(int), int ntitles,
                            int version_col, const char *version, app_err *err)
{
    size_t have = row->ncells;
    int bad = 0;
    app_arena *a = app_arena_new();
    while (have > 0 && core_import_cell(row, (int)have - 1, a)[0] == '\0')
        have--;
    for (int c = 0; c < ntitles || (size_t)c < have; c++) {
        const char *got = (size_t)c < have ? core_import_cell(row, c, a) : "";
        const char *want = c < ntitles ? title(c) : "";
        char col[4];
        fmt_sheet_col_name(c, col);
        if (c == version_col && (size_t)c >= have)
            break; /* a CSV or a copy without the marker column */
        if (c == version_col && strncmp(got, "模板版本:", strlen("模板版本:")) == 0 &&
            strcmp(got, want) != 0) {
            app_arena_free(a);
            app_err_set(err, APP_EINVAL, "template_version", "another template version");
            app_err_param(err, version);
            return APP_EINVAL;
        }
        if (strcmp(got, want) != 0) {
            if (bad < 5)
                app_err_add(err, col, "template_mismatch", want);
            bad++;
        }
    }
    app_arena_free(a);
    return bad ? APP_EINVAL : 0;
}

/* Full-width ASCII (U+FF01..U+FF5E, EF BC 81 .. EF BD 9E) to ASCII; the
   ideographic space to a space. */
static char *
halfwidth(app_arena *a, const char *p, size_t n)
{
    char *o = app_arena_alloc(a, n + 1);
    size_t k = 0;
    const unsigned char *s = (const unsigned char *)p;
    for (size_t i = 0; i < n;) {
        if (i + 2 < n && s[i] == 0xEF && (s[i + 1] == 0xBC || s[i + 1] == 0xBD)) {
            unsigned cp = 0xFF00u | ((unsigned)(s[i + 1] & 0x03) << 6) | (s[i + 2] & 0x3Fu);
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                o[k++] = (char)(cp - 0xFEE0);
                i += 3;
                continue;
            }
        }
        if (i + 2 < n && s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80) {
            o[k++] = ' ';
            i += 3;
            continue;
        }
        o[k++] = p[i++];
    }
    o[k] = '\0';
    return o;
}

/*
 * Excel's serial day `d` as Y, M, D, up to 9999-12-31 (a time of day, the
 * fraction, is dropped). The 1900 date system: 1 = 1900-01-01, and 60 is
 * Excel's phantom 1900-02-29. The 1904 system (`date1904`, old Excel for
 * Mac): 0 = 1904-01-01, so the same day is 1462 less than in 1900.
 */
static int
serial_date(double d, int date1904, int *y, int *m, int *day)
{
    long epoch; /* days since 1970-01-01 */
    if (date1904) {
        if (!(d >= 0 && d <= 2957003)) /* NaN too */
            return -1;
        epoch = (long)d - 24107; /* 1970-01-01 is serial 24107 */
    } else {
        if (!(d >= 1 && d <= 2958465))
            return -1;
        long serial = (long)d;
        /* 1970-01-01 is serial 25569; below 61 Excel has no phantom
           1900-02-29 to skip */
        epoch = serial >= 61 ? serial - 25569 : serial - 25568;
    }
    long z = epoch + 719468; /* proleptic Gregorian civil date from a day count */
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = yoe + era * 400;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
    return 0;
}

/* "2016/9/1", "2016.9.1", "2016年9月1日", "2016-9-1", "20160901" -> Y, M, D. */
static int
loose_date(const char *s, int *y, int *m, int *d)
{
    if (strlen(s) == 8 && core_all_digits(s)) {
        long v = atol(s);
        *y = (int)(v / 10000), *m = (int)(v / 100 % 100), *d = (int)(v % 100);
        return 0;
    }
    int n = 0;
    if (sscanf(s, "%4d/%2d/%2d%n", y, m, d, &n) == 3 && s[n] == '\0')
        return 0;
    if (sscanf(s, "%4d.%2d.%2d%n", y, m, d, &n) == 3 && s[n] == '\0')
        return 0;
    if (sscanf(s, "%4d-%2d-%2d%n", y, m, d, &n) == 3 && s[n] == '\0')
        return 0;
    if (sscanf(s, "%4d年%2d月%2d日%n", y, m, d, &n) == 3 && s[n] == '\0')
        return 0;
    return -1;
}

/* A code column: the code, its label, or "code label". */
static const char *
code_of(const core_codes *codes, const char *table, const char *v, app_arena *a)
{
    if (core_codes_label(codes, table, v))
        return v;
    const char *c = core_codes_by_label(codes, table, v);
    if (c)
        return c;
    size_t k = strcspn(v, " -:：");
    if (k > 0 && v[k]) {
        char *head = app_arena_strndup(a, v, k);
        if (core_codes_label(codes, table, head))
            return head;
    }
    return v; /* validation names it */
}

int
core_import_row(const core_codes *codes, const core_import_map *m, const fmt_sheet_row *row,
                app_arena *a, core_record *out, int *out_empty, app_err *err)
{
    memset(out, 0, sizeof(*out));
    *out_empty = 1;
    int bad = 0;
    for (size_t c = 0; c < row->ncells && (int)c < m->ncols; c++) {
        int f = m->field[c];
        const core_cell *cell = &row->cells[c];
        const char *p = cell->s;
        size_t n = cell->len;
        core_import_trim(&p, &n);
        if (n == 0 || f < 0)
            continue;
        *out_empty = 0;
        const core_field *fd = &core_fields[f];
        char ptr[64];
        core_field_pointer(f, ptr, sizeof(ptr));
        char *v = fd->kind == CORE_FK_TEXT || fd->kind == CORE_FK_PINYIN
                      ? app_arena_strndup(a, p, n)
                      : halfwidth(a, p, n);
        if (cell->flags & CORE_CELL_F_LOST_DIGITS) {
            /* Excel kept 15 digits of an 18-digit number */
            app_err_add(err, ptr, "number_lost_digits", NULL);
            bad = 1;
            continue;
        }
        switch (fd->kind) {
        case CORE_FK_DATE:
        case CORE_FK_MONTH: {
            int y, mo, d;
            int ok = -1;
            if (cell->type == CORE_CELL_NUMBER)
                ok = serial_date(atof(v), row->date1904, &y, &mo, &d);
            else if (fd->kind == CORE_FK_DATE || !core_all_digits(v))
                ok = loose_date(v, &y, &mo, &d);
            if (ok == 0 && fd->kind == CORE_FK_DATE)
                v = app_arena_printf(a, "%04d-%02d-%02d", y, mo, d);
            else if (ok == 0 && !(cell->type != CORE_CELL_NUMBER && core_all_digits(v)))
                v = app_arena_printf(a, "%04d%02d", y, mo);
            break;
        }
        case CORE_FK_KM: {
            /* "1.5公里", "1.5 km": the number is there, the unit is not allowed */
            char *end = NULL;
            strtod(v, &end);
            if (end != v && *end != '\0') {
                app_err_add(err, ptr, "distance_with_unit", NULL);
                bad = 1;
                continue;
            }
            break;
        }
        case CORE_FK_CODE:
            v = (char *)code_of(codes, fd->table, v, a);
            break;
        case CORE_FK_IDNUM:
            for (char *q = v; *q; q++)
                if (*q == 'x')
                    *q = 'X';
            break;
        default:
            break;
        }
        out->v[f] = v;
    }
    return bad ? APP_EINVAL : 0;
}

int
core_template_is_extra(const char *p, size_t len)
{
    static const char *const extras[] = {CORE_TPL_STUNO, CORE_TPL_STATE, CORE_TPL_REASON,
                                         CORE_TPL_REWARDS};
    core_import_trim(&p, &len);
    for (size_t i = 0; i < sizeof(extras) / sizeof(extras[0]); i++)
        if (len == strlen(extras[i]) && memcmp(p, extras[i], len) == 0)
            return 1;
    return 0;
}

int
core_import_header(const fmt_sheet_row *row, core_import_map *out, app_err *err)
{
    int n = core_template_ncols();
    memset(out, 0, sizeof(*out));
    size_t have = row->ncells;
    /* trailing empty header cells do not count, nor the columns a roster or
       an errors file adds after the template's (学籍号, 学籍状态, 错误原因) */
    while (have > 0) {
        const char *p = row->cells[have - 1].s;
        size_t len = row->cells[have - 1].len;
        core_import_trim(&p, &len);
        if (len && (have <= (size_t)n - 1 || !core_template_is_extra(p, len)))
            break;
        have--;
    }
    int bad = 0;
    for (int c = 0; c < n || (size_t)c < have; c++) {
        char want[64] = "", col[4];
        const char *p = (size_t)c < have ? row->cells[c].s : "";
        size_t len = (size_t)c < have ? row->cells[c].len : 0;
        core_import_trim(&p, &len);
        core_template_title(c, want, sizeof(want));
        fmt_sheet_col_name(c, col);
        int f = core_template_field(c);
        if (f == CORE_TPL_VERSION && (size_t)c >= have)
            break; /* a CSV or a copy without the marker column */
        if (f == CORE_TPL_VERSION && strncmp(p, "模板版本:", strlen("模板版本:")) == 0 &&
            (len != strlen(want) || memcmp(p, want, len) != 0)) {
            app_err_set(err, APP_EINVAL, "template_version", "another template version");
            app_err_param(err, CORE_TEMPLATE_VERSION);
            return APP_EINVAL;
        }
        if (c >= n || len != strlen(want) || memcmp(p, want, len) != 0) {
            /* the column letter and what belongs there ("": nothing) */
            if (bad < 5)
                app_err_add(err, col, "template_mismatch", c < n ? want : "");
            bad++;
        }
    }
    if (bad)
        return APP_EINVAL;
    out->ncols = n;
    for (int c = 0; c < n; c++)
        out->field[c] = core_template_field(c);
    return 0;
}

/* ------------------------------------------------------------ the errors file */

typedef struct errfile {
    int classes;             /* the class assignment file (core/class_file.h), not the template */
    int uni;                 /* the university student file (core/uni_file.h) */
    const core_catfile *cat; /* a catalog file (core/uni_catalog_file.h) */
    fmt_xlsx_writer *w;
    core_import_msgs_fn next; /* the messages, in row order */
    void *ctx;
    core_import_rowmsg msg; /* the next message, when have_msg */
    int have_msg;
    int all_rows, have_header;
    long rows;
    base_buf reason;
} errfile;

/* The messages of sheet row `row` joined into ef->reason: how many (those of
   earlier rows are passed over: no row of the file has them), or an app code. */
static int
row_reason(errfile *ef, long row, app_err *err)
{
    int found = 0;
    base_buf_reset(&ef->reason);
    while (ef->have_msg && ef->msg.row <= row) {
        if (ef->msg.row == row) {
            if (ef->reason.n)
                base_buf_adds(&ef->reason, "；");
            base_buf_adds(&ef->reason, ef->msg.message ? ef->msg.message : "");
            found++;
        }
        int rc = ef->next(ef->ctx, &ef->msg, err);
        if (rc < 0)
            return rc;
        ef->have_msg = rc;
    }
    return found;
}

static int
blank_row(const fmt_sheet_row *row)
{
    for (size_t c = 0; c < row->ncells; c++) {
        const char *p = row->cells[c].s;
        size_t n = row->cells[c].len;
        core_import_trim(&p, &n);
        if (n)
            return 0;
    }
    return 1;
}

/* Columns of the file the errors file copies, and their titles. */
static int
ef_ncols(const errfile *ef)
{
    if (ef->cat)
        return core_catfile_ncols(ef->cat);
    return ef->classes ? CORE_CF_NCOLS : ef->uni ? CORE_UF_NCOLS : core_template_ncols();
}

static void
ef_title(const errfile *ef, int col, char *buf, size_t cap)
{
    if (ef->cat)
        snprintf(buf, cap, "%s", core_catfile_title(ef->cat, col));
    else if (ef->classes)
        snprintf(buf, cap, "%s", core_class_file_title(col));
    else if (ef->uni)
        snprintf(buf, cap, "%s", core_uni_file_title(col));
    else
        core_template_title(col, buf, cap);
}

static int
errfile_row(void *ctx, const fmt_sheet_row *row, app_err *err)
{
    errfile *ef = ctx;
    int n = ef_ncols(ef);
    const char *cells[CORE_TEMPLATE_MAX_COLS + 1];
    char titles[CORE_TEMPLATE_MAX_COLS][64];
    char dates[CORE_TEMPLATE_MAX_COLS][16];
    if (!ef->have_header) {
        /* the header as uploaded (it matched the template); a CSV without the
           version column gets the template's title there */
        for (int c = 0; c < n; c++) {
            if ((size_t)c < row->ncells && row->cells[c].len > 0) {
                cells[c] = row->cells[c].s;
            } else {
                ef_title(ef, c, titles[c], sizeof(titles[c]));
                cells[c] = titles[c];
            }
        }
        cells[n] = CORE_TPL_REASON;
        ef->have_header = 1;
        return fmt_xlsx_writer_row(ef->w, cells, (size_t)n + 1, err);
    }
    int found = row_reason(ef, row->row, err);
    if (found < 0)
        return found;
    if (found == 0 && (!ef->all_rows || blank_row(row)))
        return 0;
    for (int c = 0; c < n; c++) {
        cells[c] = (size_t)c < row->ncells ? row->cells[c].s : "";
        int f = ef->classes || ef->uni || ef->cat ? -1 : core_template_field(c);
        if ((size_t)c >= row->ncells || row->cells[c].type != CORE_CELL_NUMBER || f < 0)
            continue;
        /* an Excel date (a serial number) as the date the import read in it: the
           file only holds text, where a serial number would no longer be a date */
        core_field_kind k = core_fields[f].kind;
        int y, mo, d;
        if ((k == CORE_FK_DATE || k == CORE_FK_MONTH) &&
            serial_date(atof(row->cells[c].s), row->date1904, &y, &mo, &d) == 0) {
            if (k == CORE_FK_DATE)
                snprintf(dates[c], sizeof(dates[c]), "%04d-%02d-%02d", y % 10000, mo % 100,
                         d % 100);
            else
                snprintf(dates[c], sizeof(dates[c]), "%04d%02d", y % 10000, mo % 100);
            cells[c] = dates[c];
        }
    }
    cells[n] = ef->reason.n ? (const char *)ef->reason.p : "";
    ef->rows++;
    return fmt_xlsx_writer_row(ef->w, cells, (size_t)n + 1, err);
}

/* kind: 0 the student template, 1 the class assignment file, 2 the
   university student file, 3 the catalog file `cat`. */
static int
errors_xlsx(int kind, const core_catfile *cat, const char *format, const unsigned char *data,
            size_t len, core_import_msgs_fn next, void *ctx, int all_rows, unsigned char **out,
            size_t *out_len, long *out_rows, app_err *err)
{
    errfile ef;
    memset(&ef, 0, sizeof(ef));
    ef.classes = kind == 1;
    ef.uni = kind == 2;
    ef.cat = kind == 3 ? cat : NULL;
    int n = ef_ncols(&ef);
    fmt_xlsx_col cv[CORE_TEMPLATE_MAX_COLS + 1];
    for (int c = 0; c < n; c++) {
        if (ef.cat)
            core_catfile_col(ef.cat, c, &cv[c]);
        else if (ef.classes)
            core_class_file_col(c, &cv[c]);
        else if (ef.uni)
            core_uni_file_col(c, &cv[c]);
        else
            core_template_col(c, &cv[c]);
    }
    memset(&cv[n], 0, sizeof(cv[n]));
    cv[n].width = 60;
    fmt_xlsx_sheet_opts so = {cv, (size_t)n + 1, 1, 0};
    ef.w = fmt_xlsx_writer_new();
    ef.next = next;
    ef.ctx = ctx;
    ef.all_rows = all_rows;
    const char *sheet = ef.cat       ? core_catfile_sheet(ef.cat)
                        : ef.classes ? CORE_CLASS_FILE_SHEET
                        : ef.uni     ? CORE_UNI_FILE_SHEET
                                     : CORE_TEMPLATE_SHEET;
    int rc = fmt_xlsx_writer_sheet(ef.w, sheet, &so, err);
    if (rc == 0 && (rc = next(ctx, &ef.msg, err)) >= 0) {
        ef.have_msg = rc;
        rc = 0;
    }
    if (rc == 0 && strcmp(format, "xlsx") == 0) {
        fmt_xlsx_limits lim = fmt_xlsx_limits_default();
        rc = fmt_xlsx_read(data, len, NULL, &lim, errfile_row, &ef, err);
    } else if (rc == 0) {
        fmt_csv_limits lim = fmt_csv_limits_default();
        rc = fmt_csv_read(data, len, &lim, errfile_row, &ef, NULL, err);
    }
    if (rc == 0 && !ef.have_header)
        rc = app_err_set(err, APP_EINVAL, "import_empty", "no header row");
    if (rc == 0)
        rc = fmt_xlsx_writer_finish(ef.w, out, out_len, err);
    fmt_xlsx_writer_free(ef.w);
    base_buf_free(&ef.reason);
    if (out_rows)
        *out_rows = ef.rows;
    return rc;
}

int
core_import_errors_xlsx_next(const char *format, const unsigned char *data, size_t len,
                             core_import_msgs_fn next, void *ctx, int all_rows, unsigned char **out,
                             size_t *out_len, long *out_rows, app_err *err)
{
    return errors_xlsx(0, NULL, format, data, len, next, ctx, all_rows, out, out_len, out_rows,
                       err);
}

int
core_class_file_errors_xlsx_next(const char *format, const unsigned char *data, size_t len,
                                 core_import_msgs_fn next, void *ctx, int all_rows,
                                 unsigned char **out, size_t *out_len, long *out_rows, app_err *err)
{
    return errors_xlsx(1, NULL, format, data, len, next, ctx, all_rows, out, out_len, out_rows,
                       err);
}

int
core_uni_file_errors_xlsx_next(const char *format, const unsigned char *data, size_t len,
                               core_import_msgs_fn next, void *ctx, int all_rows,
                               unsigned char **out, size_t *out_len, long *out_rows, app_err *err)
{
    return errors_xlsx(2, NULL, format, data, len, next, ctx, all_rows, out, out_len, out_rows,
                       err);
}

int
core_catfile_errors_xlsx_next(const core_catfile *f, const char *format, const unsigned char *data,
                              size_t len, core_import_msgs_fn next, void *ctx, int all_rows,
                              unsigned char **out, size_t *out_len, long *out_rows, app_err *err)
{
    return errors_xlsx(3, f, format, data, len, next, ctx, all_rows, out, out_len, out_rows, err);
}

typedef struct msg_array {
    const core_import_rowmsg *v;
    size_t n, at;
} msg_array;

static int
array_next(void *ctx, core_import_rowmsg *out, app_err *err)
{
    (void)err;
    msg_array *m = ctx;
    if (m->at == m->n)
        return 0;
    *out = m->v[m->at++];
    return 1;
}

int
core_import_errors_xlsx(const char *format, const unsigned char *data, size_t len,
                        const core_import_rowmsg *msgs, size_t nmsgs, int all_rows,
                        unsigned char **out, size_t *out_len, long *out_rows, app_err *err)
{
    msg_array m = {msgs, nmsgs, 0};
    return core_import_errors_xlsx_next(format, data, len, array_next, &m, all_rows, out, out_len,
                                        out_rows, err);
}
