/*
 * core/uni_file.c - the university student file: columns, header, rows and
 * the class a row names (see core/uni_file.h).
 */
#include "core/uni_file.h"

#include "core/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const titles[CORE_UF_NCOLS] = {
    "学号", "姓名",      "性别",         "出生日期",
    "民族", "国籍/地区", "身份证件类型", "身份证件号",
    "学院", "专业",      "年级",         "班级",
    "层次", "入学日期",  "预计毕业日期", ("模板版本:" CORE_UNI_FILE_VERSION),
};

/* The personal columns and the record fields they hold. */
static const char *const personal[CORE_UF_NCOLS] = {
    [CORE_UF_NAME] = "/name",
    [CORE_UF_GENDER] = "/gender",
    [CORE_UF_BIRTH_DATE] = "/birth_date",
    [CORE_UF_ETHNICITY] = "/ethnicity",
    [CORE_UF_NATIONALITY] = "/nationality",
    [CORE_UF_ID_TYPE] = "/id_type",
    [CORE_UF_ID_NUMBER] = "/id_number",
};

static const char *const help_text[] = {
    "每行一名学生，由教务处教务科上传：POST /api/v1/imports?mode=uni_students。",
    "学号：4 至 20 位字母或数字，本校唯一。",
    "性别、民族、国籍/地区、身份证件类型：填代码、名称或“代码 名称”。",
    "身份证件号：请将单元格设为文本，以免 Excel 丢失末尾数字。",
    "学院、专业：填代码或名称，专业须属于该学院。",
    "年级：入学年份，如 2025 或 2025级；班级：该专业该年级的行政班序号，如 3 或 3班。",
    "层次：本科或专科，可空；填写时须与专业的层次一致。",
    "入学日期、预计毕业日期：YYYY-MM-DD，可空（默认为入学年份 9 月 1 日、按学制计算的 7 月 1 日）。",
};

const char *
core_uni_file_title(int col)
{
    return col >= 0 && col < CORE_UF_NCOLS ? titles[col] : "";
}

void
core_uni_file_col(int col, fmt_xlsx_col *out)
{
    static const double widths[CORE_UF_NCOLS] = {14, 12, 8, 12, 10, 10, 14, 22,
                                                 16, 16, 8, 8,  8,  12, 14, 4};
    memset(out, 0, sizeof(*out));
    if (col < 0 || col >= CORE_UF_NCOLS)
        return;
    out->width = widths[col];
    out->hidden = col == CORE_UF_VERSION;
}

int
core_uni_file_column_of(const char *pointer)
{
    static const struct {
        const char *p;
        int col;
    } m[] = {{"/student_no", CORE_UF_STUDENT_NO},
             {"/college", CORE_UF_COLLEGE},
             {"/major", CORE_UF_MAJOR},
             {"/cohort", CORE_UF_COHORT},
             {"/class", CORE_UF_CLASS},
             {"/class_id", CORE_UF_CLASS},
             {"/level", CORE_UF_LEVEL},
             {"/entry_date", CORE_UF_ENTRY_DATE},
             {"/expected_graduation", CORE_UF_GRADUATION}};
    if (pointer == NULL)
        return -1;
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
        if (strcmp(pointer, m[i].p) == 0)
            return m[i].col;
    for (int c = 0; c < CORE_UF_NCOLS; c++)
        if (personal[c] != NULL && strcmp(pointer, personal[c]) == 0)
            return c;
    return -1;
}

int
core_uni_file_xlsx(const core_codes *codes, unsigned char **out, size_t *out_len, app_err *err)
{
    (void)codes;
    fmt_xlsx_col cv[CORE_UF_NCOLS];
    for (int c = 0; c < CORE_UF_NCOLS; c++)
        core_uni_file_col(c, &cv[c]);
    fmt_xlsx_writer *w = fmt_xlsx_writer_new();
    fmt_xlsx_sheet_opts main = {cv, CORE_UF_NCOLS, 1, 0};
    fmt_xlsx_col wide = {110, 0, NULL, 0};
    fmt_xlsx_sheet_opts help = {&wide, 1, 1, 0};
    int rc = fmt_xlsx_writer_sheet(w, CORE_UNI_FILE_SHEET, &main, err);
    if (rc == 0)
        rc = fmt_xlsx_writer_row(w, titles, CORE_UF_NCOLS, err);
    if (rc == 0)
        rc = fmt_xlsx_writer_sheet(w, "填写说明", &help, err);
    for (size_t i = 0; rc == 0 && i < sizeof(help_text) / sizeof(help_text[0]); i++)
        rc = fmt_xlsx_writer_row(w, &help_text[i], 1, err);
    if (rc == 0)
        rc = fmt_xlsx_writer_finish(w, out, out_len, err);
    fmt_xlsx_writer_free(w);
    return rc;
}

int
core_uni_file_header(const fmt_sheet_row *row, app_err *err)
{
    return core_import_template_header(row, core_uni_file_title, CORE_UF_NCOLS, CORE_UF_VERSION,
                                       CORE_UNI_FILE_VERSION, err);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian) and back. */
static void
civil_of_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
valid_ymd(int y, int m, int d)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    return m != 2 || d < 29 || (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
}

/* A date cell as YYYYMMDD: an Excel serial, "YYYY-MM-DD", "YYYY/MM/DD" or
   "YYYYMMDD"; 0 when empty, -1 when not a date. */
static int
date_cell(const fmt_sheet_row *row, int c, app_arena *a)
{
    const char *s = core_import_cell(row, c, a);
    int y = 0, m = 0, d = 0;
    char tail = 0;
    if (s[0] == '\0')
        return 0;
    if (row->cells[c].type == CORE_CELL_NUMBER) {
        double v = atof(s);
        if (v < 1 || v > 200000)
            return -1;
        /* serial 25569 is 1970-01-01 (1900 system); 1904 system: 24107 */
        civil_of_days((long)v - (row->date1904 ? 24107 : 25569), &y, &m, &d);
    } else if (strlen(s) == 8 && strspn(s, "0123456789") == 8) {
        long v = atol(s);
        y = (int)(v / 10000), m = (int)(v / 100 % 100), d = (int)(v % 100);
    } else if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 &&
               sscanf(s, "%4d/%2d/%2d%c", &y, &m, &d, &tail) != 3) {
        return -1;
    }
    return valid_ymd(y, m, d) ? y * 10000 + m * 100 + d : -1;
}

/* "2025" or "2025级": the year; 0 when neither. */
static int
cohort_of(const char *s)
{
    size_t n = strlen(s);
    if (n == 4 + strlen("级") && strcmp(s + 4, "级") == 0)
        n = 4;
    if (n != 4 || strspn(s, "0123456789") < 4)
        return 0;
    int y = atoi(s);
    return y >= 1990 && y <= 2100 ? y : 0;
}

/* "3" or "3班": the number; 0 when neither. */
static int
class_of(const char *s)
{
    size_t n = strlen(s);
    size_t k = strlen("班");
    if (n > k && strcmp(s + n - k, "班") == 0)
        n -= k;
    if (n == 0 || n > 2 || strspn(s, "0123456789") < n)
        return 0;
    int v = atoi(s);
    return v >= 1 && v <= 99 ? v : 0;
}

/* The personal columns read as the student template reads them. */
static int
personal_fields(const core_codes *codes, const fmt_sheet_row *row, app_arena *a, core_record *rec,
                app_err *err)
{
    core_import_map map;
    memset(&map, 0, sizeof(map));
    map.ncols = CORE_UF_NCOLS;
    for (int c = 0; c < CORE_UF_NCOLS; c++)
        map.field[c] = personal[c] ? core_field_by_pointer(personal[c]) : CORE_TPL_SEPARATOR;
    int empty = 0;
    return core_import_row(codes, &map, row, a, rec, &empty, err);
}

/* A required text cell of the row; "" adds missing_field at `ptr`. */
static const char *
required(const fmt_sheet_row *row, int c, app_arena *a, const char *ptr, app_err *err)
{
    const char *v = core_import_cell(row, c, a);
    if (v[0] == '\0')
        app_err_add(err, ptr, "missing_field", NULL);
    return v;
}

/* The university columns of the row into `out`. */
static void
place_fields(const fmt_sheet_row *row, app_arena *a, core_uni_row *out, app_err *err)
{
    out->student_no = required(row, CORE_UF_STUDENT_NO, a, "/student_no", err);
    out->college = required(row, CORE_UF_COLLEGE, a, "/college", err);
    out->major = required(row, CORE_UF_MAJOR, a, "/major", err);
    const char *cohort = required(row, CORE_UF_COHORT, a, "/cohort", err);
    if (cohort[0] && (out->cohort = cohort_of(cohort)) == 0)
        app_err_add(err, "/cohort", "invalid_cohort", NULL);
    const char *klass = required(row, CORE_UF_CLASS, a, "/class", err);
    if (klass[0] && (out->class_no = class_of(klass)) == 0)
        app_err_add(err, "/class", "invalid_class_number", klass);
    out->level = core_import_cell(row, CORE_UF_LEVEL, a);
    if (out->level[0] && strcmp(out->level, "本科") != 0 && strcmp(out->level, "专科") != 0)
        app_err_add(err, "/level", "invalid_level", NULL);
    if ((out->entry_date = date_cell(row, CORE_UF_ENTRY_DATE, a)) < 0)
        app_err_add(err, "/entry_date", "invalid_date", NULL);
    if ((out->graduation = date_cell(row, CORE_UF_GRADUATION, a)) < 0)
        app_err_add(err, "/expected_graduation", "invalid_date", NULL);
}

int
core_uni_file_row(const core_codes *codes, const fmt_sheet_row *row, app_arena *a,
                  core_uni_row *out, int *out_empty, app_err *err)
{
    memset(out, 0, sizeof(*out));
    *out_empty = 1;
    for (int c = 0; c < CORE_UF_VERSION && *out_empty; c++)
        if (core_import_cell(row, c, a)[0] != '\0')
            *out_empty = 0;
    if (*out_empty)
        return 0;
    personal_fields(codes, row, a, &out->rec, err);
    place_fields(row, a, out, err);
    return err->nitems > 0 ? APP_EINVAL : 0;
}

int
core_uni_file_refs_load(db_conn *db, const char *school, app_arena *a, core_uni_file_refs *out,
                        app_err *err)
{
    memset(out, 0, sizeof(*out));
    int rc = db_uni_college_list(db, school, a, &out->colleges, &out->ncolleges, err);
    if (rc == 0)
        rc = db_uni_major_list(db, school, 0, a, &out->majors, &out->nmajors, err);
    return rc;
}

static int
named(const char *code, const char *name, const char *s)
{
    return (code && strcmp(code, s) == 0) || (name && strcmp(name, s) == 0);
}

static int
bad(app_err *err, const char *ptr, const char *slug)
{
    app_err_add(err, ptr, slug, NULL);
    return APP_EINVAL;
}

int
core_uni_file_place(db_conn *db, const core_op *op, const char *school,
                    const core_uni_file_refs *refs, const core_uni_row *in,
                    core_uni_student_new *out, app_err *err)
{
    const db_uni_college *col = NULL;
    const db_uni_major *maj = NULL;
    for (int i = 0; col == NULL && i < refs->ncolleges; i++)
        if (named(refs->colleges[i].code, refs->colleges[i].name, in->college))
            col = &refs->colleges[i];
    if (col == NULL)
        return bad(err, "/college", "college_not_found");
    for (int i = 0; maj == NULL && i < refs->nmajors; i++)
        if (refs->majors[i].college == col->id &&
            named(refs->majors[i].code, refs->majors[i].name, in->major))
            maj = &refs->majors[i];
    if (maj == NULL)
        return bad(err, "/major", "major_not_found");
    const char *level = strcmp(maj->level, "junior") == 0 ? "专科" : "本科";
    if (in->level[0] && strcmp(in->level, level) != 0)
        return bad(err, "/level", "study_level_mismatch");
    db_uni_class *ks = NULL;
    int nk = 0;
    int rc = db_uni_class_list(db, school, maj->id, in->cohort, op->arena, &ks, &nk, err);
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < nk; i++)
        if (ks[i].number == in->class_no && ks[i].cohort == in->cohort)
            out->class_id = ks[i].id;
    if (out->class_id == 0)
        return bad(err, "/class", "class_not_found");
    out->student_no = in->student_no;
    out->entry_date = in->entry_date;
    out->expected_graduation = in->graduation;
    return 0;
}
