/*
 * core/class_file.c - the class assignment file's columns and rows (see
 * core/class_file.h).
 */
#include "core/class_file.h"

#include "core/grade.h"
#include "core/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const titles[CORE_CF_NCOLS] = {
    "记录编号",
    "学籍号",
    "姓名",
    "年级",
    "当前班级",
    "新班级",
    ("模板版本:" CORE_CLASS_FILE_VERSION),
};

const char *
core_class_file_title(int col)
{
    return col >= 0 && col < CORE_CF_NCOLS ? titles[col] : "";
}

void
core_class_file_col(int col, fmt_xlsx_col *out)
{
    static const double widths[CORE_CF_NCOLS] = {12, 24, 14, 10, 16, 16, 4};
    memset(out, 0, sizeof(*out));
    if (col < 0 || col >= CORE_CF_NCOLS)
        return;
    out->width = widths[col];
    out->hidden = col == CORE_CF_VERSION;
}

int
core_class_file_column_of(const char *pointer)
{
    static const struct {
        const char *p;
        int col;
    } m[] = {{"/id", CORE_CF_ID},
             {"/name", CORE_CF_NAME},
             {"/grade", CORE_CF_GRADE},
             {"/class", CORE_CF_NEW_CLASS}};
    for (size_t i = 0; pointer && i < sizeof(m) / sizeof(m[0]); i++)
        if (strcmp(pointer, m[i].p) == 0)
            return m[i].col;
    return -1;
}

int
core_class_file_header(const fmt_sheet_row *row, app_err *err)
{
    return core_import_template_header(row, core_class_file_title, CORE_CF_NCOLS, CORE_CF_VERSION,
                                       CORE_CLASS_FILE_VERSION, err);
}

void
core_class_file_cells(const core_student *s, app_arena *a, const char **out)
{
    int grade = s->rec.v[CORE_R_GRADE] ? atoi(s->rec.v[CORE_R_GRADE]) : 0;
    int number = s->rec.v[CORE_R_CLASS] ? atoi(s->rec.v[CORE_R_CLASS]) : 0;
    const char *label = core_grade_label(grade);
    char cname[CORE_CLASS_NAME_MAX];
    core_class_default_name(grade, number, cname, sizeof(cname));
    out[CORE_CF_ID] = app_arena_printf(a, "%lld", s->id);
    out[CORE_CF_STUNO] = s->student_number ? s->student_number : "";
    out[CORE_CF_NAME] = s->rec.v[CORE_R_NAME] ? s->rec.v[CORE_R_NAME] : "";
    out[CORE_CF_GRADE] = label ? label : "";
    out[CORE_CF_CLASS] = app_arena_strdup(a, cname);
    out[CORE_CF_NEW_CLASS] = "";
    out[CORE_CF_VERSION] = "";
}

/* A grade label or code into its code; 0 when it is neither. */
static int
grade_of(const char *s)
{
    for (int g = 11; g <= 33; g++) {
        const char *label = core_grade_label(g);
        if (label != NULL && strcmp(s, label) == 0)
            return g;
    }
    int n = (int)strlen(s);
    if (n == 2 && strspn(s, "0123456789") == 2 && core_grade_valid(atoi(s)))
        return atoi(s);
    return 0;
}

/* Digits s[0..) up to `stop` as a class number; -1 when it is not one. */
static int
number_of(const char *s, const char *stop)
{
    size_t n = (size_t)(stop - s);
    if (n == 0 || n > 2 || strspn(s, "0123456789") < n)
        return -1;
    int v = atoi(s);
    return v >= 1 && v <= CORE_CLASS_NUMBER_MAX ? v : -1;
}

/* s starts with `prefix`: the rest, else NULL. */
static const char *
after(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

/* "(3)班", "（3）班" (also without 班): the number; -1 when not so. */
static int
bracketed(const char *s)
{
    const char *p = after(s, "(");
    const char *close = ")";
    if (p == NULL && (p = after(s, "（")) != NULL)
        close = "）";
    if (p == NULL)
        return -1;
    const char *end = strstr(p, close);
    if (end == NULL)
        return -1;
    const char *rest = end + strlen(close);
    if (*rest != '\0' && strcmp(rest, "班") != 0)
        return -1;
    return number_of(p, end);
}

int
core_class_cell(const char *s, int grade)
{
    if (s == NULL || *s == '\0')
        return 0;
    size_t n = strlen(s);
    size_t k = strlen("班");
    if (strspn(s, "0123456789") == n)
        return number_of(s, s + n);
    if (n > k && strcmp(s + n - k, "班") == 0 && strspn(s, "0123456789") == n - k)
        return number_of(s, s + n - k);
    if (s[0] == '(' || after(s, "（"))
        return bracketed(s);
    /* a class name: its grade label first */
    for (int g = 11; g <= 33; g++) {
        const char *label = core_grade_label(g);
        const char *rest = label ? after(s, label) : NULL;
        if (rest == NULL || (rest[0] != '(' && after(rest, "（") == NULL))
            continue;
        int v = bracketed(rest);
        if (v < 0)
            return -1;
        return g == grade ? v : -2;
    }
    return -1;
}

int
core_class_file_row(const fmt_sheet_row *row, app_arena *a, core_class_row *out, int *out_empty,
                    app_err *err)
{
    memset(out, 0, sizeof(*out));
    const char *v[CORE_CF_NCOLS];
    *out_empty = 1;
    for (int c = 0; c < CORE_CF_VERSION; c++) {
        v[c] = core_import_cell(row, c, a);
        if (v[c][0] != '\0')
            *out_empty = 0;
    }
    if (*out_empty)
        return 0;
    size_t idn = strlen(v[CORE_CF_ID]);
    if (idn == 0)
        app_err_add(err, "/id", "missing_field", NULL);
    else if (idn > 18 || strspn(v[CORE_CF_ID], "0123456789") != idn ||
             (out->id = atoll(v[CORE_CF_ID])) <= 0)
        app_err_add(err, "/id", "invalid_record_id", NULL);
    out->name = v[CORE_CF_NAME];
    if (out->name[0] == '\0')
        app_err_add(err, "/name", "missing_field", NULL);
    if (v[CORE_CF_GRADE][0] == '\0')
        app_err_add(err, "/grade", "missing_field", NULL);
    else if ((out->grade = grade_of(v[CORE_CF_GRADE])) == 0)
        app_err_add(err, "/grade", "invalid_grade", NULL);
    int k = core_class_cell(v[CORE_CF_NEW_CLASS], out->grade);
    if (k == -1)
        app_err_add(err, "/class", "invalid_class_cell", v[CORE_CF_NEW_CLASS]);
    else if (k == -2 && out->grade)
        app_err_add(err, "/class", "class_wrong_grade", NULL);
    else if (k == -2) /* the grade itself is wrong: said above */
        k = 0;
    out->new_class = k > 0 ? k : 0;
    return err->nitems > 0 ? APP_EINVAL : 0;
}
