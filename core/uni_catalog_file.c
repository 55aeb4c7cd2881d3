/*
 * core/uni_catalog_file.c - the course, plan and section files of a
 * university: columns, header and rows (core/uni_catalog_file.h).
 */
#include "core/uni_catalog_file.h"

#include "core/import.h"
#include "core/uni_catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KIND_COURSES, KIND_PLANS, KIND_SECTIONS };

struct core_catfile {
    int kind;
    const char *mode, *sheet, *version, *filename;
    int ncols; /* with the version column, the last */
    const char *(*title)(int col);
    const char *const *pointers; /* the field of each data column */
    const double *widths;
    const char *const *help;
    int nhelp;
};

/* ---- the three files ---- */

static const char *const course_titles[] = {
    "课程号", "课程名称", "课程属性", "学分", "学时", "开课院系", "模板版本:xueji-courses-1"};
static const char *const course_ptrs[] = {"/code",    "/name",  "/kind",
                                          "/credits", "/hours", "/college"};
static const double course_widths[] = {14, 24, 12, 8, 8, 16, 4};
static const char *const course_help[] = {
    "每行一门课程，由教务处教务科上传：POST /api/v1/imports?mode=courses。",
    "课程号：1 至 16 位字母或数字，本校唯一；已有的课程号按本行修改，相同则不变。",
    "课程属性：必修、选修、公共选修或体育（也可填 compulsory、elective、public_elective、pe）。",
    "学分：大于 0、不超过 30，最多一位小数，如 3 或 3.5；学时：1 至 1000。",
    "开课院系：院系代码或名称。",
};

static const char *const plan_titles[] = {"专业代码", "年级", "课程号", "学期序号",
                                          "模板版本:xueji-plans-1"};
static const char *const plan_ptrs[] = {"/major", "/cohort", "/course", "/term_no"};
static const double plan_widths[] = {12, 10, 14, 10, 4};
static const char *const plan_help[] = {
    "每行为某专业某年级培养方案中的一门课程，由教务处教务科上传：POST /api/v1/imports?mode=plans。",
    "年级：入学年份，如 2025 或 2025级。课程号须已在课程库中。",
    "学期序号：1 至 16，1 为入学当年秋季学期，2 为其后的春季学期，依此类推。",
    "已在方案中的课程按本行调整学期；方案中的其他课程不变。",
};

static const char *const section_titles[] = {
    "课程号", "学期",     "课序号",   "任课教师工号",
    "容量",   "面向年级", "面向专业", "模板版本:xueji-sections-1"};
static const char *const section_ptrs[] = {"/course",   "/term",   "/number", "/teacher",
                                           "/capacity", "/cohort", "/majors"};
static const double section_widths[] = {14, 10, 8, 16, 8, 10, 24, 4};
static const char *const section_help[] = {
    "每行一个教学班，由教务处教务科上传：POST /api/v1/imports?mode=sections。",
    "学期：如 2026-1（秋季）或 2026-2（春季）；课程号 + 学期 + 课序号确定一个教学班，已有的按本行修改。",
    "任课教师工号：本校任课教师账户的用户名，可空。",
    "容量：1 至 10000，不能低于已选人数。",
    "面向年级：入学年份，可空（不限）；面向专业：专业代码，多个用逗号或顿号分隔，可空（不限）。",
};

static const char *
course_title(int col)
{
    return col >= 0 && col < 7 ? course_titles[col] : "";
}

static const char *
plan_title(int col)
{
    return col >= 0 && col < 5 ? plan_titles[col] : "";
}

static const char *
section_title(int col)
{
    return col >= 0 && col < 8 ? section_titles[col] : "";
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const core_catfile files[] = {
    {KIND_COURSES, "courses", "课程库", "xueji-courses-1", "courses-template.xlsx", 7, course_title,
     course_ptrs, course_widths, course_help, N(course_help)},
    {KIND_PLANS, "plans", "培养方案", "xueji-plans-1", "plans-template.xlsx", 5, plan_title,
     plan_ptrs, plan_widths, plan_help, N(plan_help)},
    {KIND_SECTIONS, "sections", "教学班", "xueji-sections-1", "sections-template.xlsx", 8,
     section_title, section_ptrs, section_widths, section_help, N(section_help)},
};

const core_catfile *
core_catfile_of(const char *mode)
{
    for (int i = 0; mode != NULL && i < N(files); i++)
        if (strcmp(files[i].mode, mode) == 0)
            return &files[i];
    return NULL;
}

const char *
core_catfile_sheet(const core_catfile *f)
{
    return f->sheet;
}

const char *
core_catfile_version(const core_catfile *f)
{
    return f->version;
}

const char *
core_catfile_filename(const core_catfile *f)
{
    return f->filename;
}

int
core_catfile_ncols(const core_catfile *f)
{
    return f->ncols;
}

const char *
core_catfile_title(const core_catfile *f, int col)
{
    return f->title(col);
}

void
core_catfile_col(const core_catfile *f, int col, fmt_xlsx_col *out)
{
    memset(out, 0, sizeof(*out));
    if (col < 0 || col >= f->ncols)
        return;
    out->width = f->widths[col];
    out->hidden = col == f->ncols - 1;
}

int
core_catfile_column_of(const core_catfile *f, const char *pointer)
{
    if (pointer == NULL)
        return -1;
    for (int c = 0; c < f->ncols - 1; c++) {
        size_t n = strlen(f->pointers[c]);
        if (strncmp(pointer, f->pointers[c], n) == 0 && (pointer[n] == '\0' || pointer[n] == '/'))
            return c;
    }
    return -1;
}

int
core_catfile_xlsx(const core_catfile *f, unsigned char **out, size_t *out_len, app_err *err)
{
    fmt_xlsx_col cv[CORE_CATFILE_MAX_COLS];
    const char *titles[CORE_CATFILE_MAX_COLS];
    for (int c = 0; c < f->ncols; c++) {
        core_catfile_col(f, c, &cv[c]);
        titles[c] = f->title(c);
    }
    fmt_xlsx_writer *w = fmt_xlsx_writer_new();
    fmt_xlsx_sheet_opts main = {cv, (size_t)f->ncols, 1, 0};
    fmt_xlsx_col wide = {110, 0, NULL, 0};
    fmt_xlsx_sheet_opts help = {&wide, 1, 1, 0};
    int rc = fmt_xlsx_writer_sheet(w, f->sheet, &main, err);
    if (rc == 0)
        rc = fmt_xlsx_writer_row(w, titles, (size_t)f->ncols, err);
    if (rc == 0)
        rc = fmt_xlsx_writer_sheet(w, "填写说明", &help, err);
    for (int i = 0; rc == 0 && i < f->nhelp; i++)
        rc = fmt_xlsx_writer_row(w, &f->help[i], 1, err);
    if (rc == 0)
        rc = fmt_xlsx_writer_finish(w, out, out_len, err);
    fmt_xlsx_writer_free(w);
    return rc;
}

int
core_catfile_header(const core_catfile *f, const fmt_sheet_row *row, app_err *err)
{
    return core_import_template_header(row, f->title, f->ncols, f->ncols - 1, f->version, err);
}

/* ---- reading cells ---- */

/* A required cell; "" adds missing_field at the column's pointer. */
static const char *
need(const core_catfile *f, const fmt_sheet_row *row, int c, app_arena *a, app_err *err)
{
    const char *v = core_import_cell(row, c, a);
    if (v[0] == '\0')
        app_err_add(err, f->pointers[c], "missing_field", NULL);
    return v;
}

/* An integer lo..hi in cell text `s` (a number cell may read "30.0"); 0 when not. */
static int
int_of(const char *s, int lo, int hi)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || v != (double)(long)v || v < lo || v > hi)
        return 0;
    return (int)v;
}

/* "2025" or "2025级": the year; 0 when neither. */
static int
cohort_of(const char *s)
{
    char y[8];
    size_t n = strlen(s);
    if (n == 4 + strlen("级") && strcmp(s + 4, "级") == 0)
        n = 4;
    if (n != 4)
        return 0;
    memcpy(y, s, 4);
    y[4] = '\0';
    return int_of(y, 1990, 2100);
}

/* 学分 "3" / "3.5" as tenths; 0 when not 0.1..30 with one decimal at most. */
static int
credits_of(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !(v > 0 && v <= 30))
        return 0;
    long t = (long)(v * 10 + 0.5);
    return (double)t / 10 - v > 1e-6 || v - (double)t / 10 > 1e-6 ? 0 : (int)t;
}

static const char *
kind_of(const char *s)
{
    static const char *const map[][2] = {{"必修", "compulsory"},
                                         {"选修", "elective"},
                                         {"公共选修", "public_elective"},
                                         {"体育", "pe"}};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, map[i][0]) == 0 || strcmp(s, map[i][1]) == 0)
            return map[i][1];
    return NULL;
}

/* ---- applying rows ---- */

static int
course_row(const core_catfile *f, db_conn *db, const core_op *op, const char *school,
           const fmt_sheet_row *row, int *out_did, app_err *err)
{
    app_arena *a = op->arena;
    core_uni_course_in in = {0};
    in.code = need(f, row, 0, a, err);
    in.name = need(f, row, 1, a, err);
    const char *kind = need(f, row, 2, a, err);
    if (kind[0] && (in.kind = kind_of(kind)) == NULL)
        app_err_add(err, "/kind", "invalid_course_kind", NULL);
    const char *credits = need(f, row, 3, a, err);
    if (credits[0] && (in.credits10 = credits_of(credits)) == 0)
        app_err_add(err, "/credits", "invalid_credits", NULL);
    const char *hours = need(f, row, 4, a, err);
    if (hours[0] && (in.hours = int_of(hours, 1, 1000)) == 0)
        app_err_add(err, "/hours", "invalid_hours", NULL);
    in.college = need(f, row, 5, a, err);
    if (err->nitems > 0)
        return APP_EINVAL;
    return core_uni_course_put(db, op, school, &in, out_did, err);
}

static int
plan_row(const core_catfile *f, db_conn *db, const core_op *op, const char *school,
         const fmt_sheet_row *row, int *out_did, app_err *err)
{
    app_arena *a = op->arena;
    const char *major = need(f, row, 0, a, err);
    const char *cohort = need(f, row, 1, a, err);
    int year = cohort[0] ? cohort_of(cohort) : 0;
    if (cohort[0] && year == 0)
        app_err_add(err, "/cohort", "invalid_cohort", NULL);
    core_uni_plan_in in = {0};
    in.course = need(f, row, 2, a, err);
    const char *term = need(f, row, 3, a, err);
    if (term[0] && (in.term_no = int_of(term, 1, 16)) == 0)
        app_err_add(err, "/term_no", "invalid_term_no", NULL);
    if (err->nitems > 0)
        return APP_EINVAL;
    return core_uni_plan_entry_put(db, op, school, major, year, &in, out_did, err);
}

/* 面向专业: codes split at , ， 、 ; or spaces (arena). */
static int
majors_of(const char *s, app_arena *a, const char ***out)
{
    size_t len = strlen(s);
    char *t = app_arena_strndup(a, s, len);
    const char **v = app_arena_alloc(a, sizeof(*v) * (len / 2 + 2));
    int n = 0;
    for (char *p = t; *p;) {
        static const char *const seps[] = {"，", "、", "；", ",", ";", " ", "\t"};
        size_t k = 0;
        for (int i = 0; i < 7 && k == 0; i++)
            if (strncmp(p, seps[i], strlen(seps[i])) == 0)
                k = strlen(seps[i]);
        if (k > 0) {
            memset(p, 0, k);
            p += k;
            continue;
        }
        if (p == t || p[-1] == '\0')
            v[n++] = p;
        p++;
    }
    *out = v;
    return n;
}

static int
section_row(const core_catfile *f, db_conn *db, const core_op *op, const char *school,
            const fmt_sheet_row *row, int *out_did, app_err *err)
{
    app_arena *a = op->arena;
    core_uni_section_in in = {.teacher_given = 1, .majors_given = 1};
    in.course = need(f, row, 0, a, err);
    in.term = need(f, row, 1, a, err);
    const char *number = need(f, row, 2, a, err);
    if (number[0] && (in.number = int_of(number, 1, 999)) == 0)
        app_err_add(err, "/number", "invalid_section_number", NULL);
    const char *teacher = core_import_cell(row, 3, a);
    in.teacher = teacher[0] ? teacher : NULL;
    const char *cap = need(f, row, 4, a, err);
    if (cap[0] && (in.capacity = int_of(cap, 1, 10000)) == 0)
        app_err_add(err, "/capacity", "invalid_capacity", NULL);
    const char *cohort = core_import_cell(row, 5, a);
    if (cohort[0] && (in.cohort = cohort_of(cohort)) == 0)
        app_err_add(err, "/cohort", "invalid_cohort", NULL);
    const char *majors = core_import_cell(row, 6, a);
    if (majors[0]) {
        const char **v;
        in.nmajors = majors_of(majors, a, &v);
        in.majors = v;
    }
    if (err->nitems > 0)
        return APP_EINVAL;
    return core_uni_section_put(db, op, school, &in, out_did, err);
}

int
core_catfile_row(const core_catfile *f, db_conn *db, const core_op *op, const char *school,
                 const fmt_sheet_row *row, int *out_empty, int *out_did, app_err *err)
{
    *out_empty = 1;
    *out_did = 0;
    for (int c = 0; c < f->ncols - 1 && *out_empty; c++)
        if (core_import_cell(row, c, op->arena)[0] != '\0')
            *out_empty = 0;
    if (*out_empty)
        return 0;
    switch (f->kind) {
    case KIND_COURSES:
        return course_row(f, db, op, school, row, out_did, err);
    case KIND_PLANS:
        return plan_row(f, db, op, school, row, out_did, err);
    default:
        return section_row(f, db, op, school, row, out_did, err);
    }
}
