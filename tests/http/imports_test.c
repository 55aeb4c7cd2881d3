/*
 * tests/http/imports_test.c - the import template and import jobs through
 * xuejid (API.md "Import, export, reports"; issue #6; DOMAIN rule 25): the
 * template's columns, mode create with every clerk mistake the issue names
 * (ID number turned into a number, a unit in the distance, 无 in a phone,
 * loose dates, full-width digits, "code label" values, empty rows), the same
 * file twice, a wrong header, atomic imports, mode update, an .xlsx upload
 * and a worker killed in the middle of a job.
 *
 * The world is tests/lib/wfworld.h's (school A, its registrar and county).
 */
#include "base/buf.h"
#include "core/import.h"
#include "formats/csv.h"
#include "formats/xlsx.h"
#include "tests/lib/wfworld.h"

#include <stdio.h>
#include <string.h>

/* A sheet being built: rows of template columns. */
#define SHEET_ROWS (3 * CORE_IMPORT_BATCH_CREATE + 1)
typedef struct sheet {
    int ncols, nrows;
    char *(*cells)[CORE_TEMPLATE_MAX_COLS]; /* SHEET_ROWS rows */
} sheet;

static void
put(sheet *s, int row, const char *json, int member, const char *v)
{
    int c = wf_col_of(json, member);
    free(s->cells[row][c]);
    s->cells[row][c] = strdup(v);
}

static void
sheet_init(sheet *s)
{
    memset(s, 0, sizeof(*s));
    s->cells = calloc(SHEET_ROWS, sizeof(*s->cells));
    ck_assert_ptr_nonnull(s->cells);
    s->ncols = core_template_ncols();
    for (int c = 0; c < s->ncols; c++) {
        char t[64];
        core_template_title(c, t, sizeof(t));
        s->cells[0][c] = strdup(t);
    }
    s->nrows = 1;
}

static void
sheet_free(sheet *s)
{
    for (int r = 0; r < SHEET_ROWS; r++)
        for (int c = 0; c < CORE_TEMPLATE_MAX_COLS; c++)
            free(s->cells[r][c]);
    free(s->cells);
}

/* A complete, valid row for student `st` in grade 13 class 1 ("code label" codes). */
static int
add_student(sheet *s, const stu *st)
{
    ck_assert_int_lt(s->nrows, SHEET_ROWS);
    int r = s->nrows++;
    char g[2] = {(char)('0' + st->gender), 0};
    put(s, r, "name", 0, st->name);
    put(s, r, "gender", 0, st->gender == 1 ? "1 男" : "2 女");
    (void)g;
    put(s, r, "birth_date", 0, st->birth);
    put(s, r, "ethnicity", 0, "01");
    put(s, r, "nationality", 0, "CHN");
    put(s, r, "id_type", 0, "1");
    put(s, r, "id_number", 0, st->idnum);
    put(s, r, "hukou_region", 0, "430102000000");
    put(s, r, "hukou_type", 0, "1");
    put(s, r, "grade", 0, "13");
    put(s, r, "class", 0, "1");
    put(s, r, "enrolled_month", 0, "202209");
    put(s, r, "entry_mode", 0, "1");
    put(s, r, "study_mode", 0, "1");
    put(s, r, "source", 0, "1");
    put(s, r, "distance_km", 0, "1.5");
    put(s, r, "transport", 0, "1");
    put(s, r, "school_bus", 0, "0");
    put(s, r, "phone", 0, "13900000000");
    put(s, r, "name", 1, "导入家长");
    put(s, r, "relation", 1, "1");
    put(s, r, "phone", 1, "13700000000");
    put(s, r, "guardian", 1, "1");
    put(s, r, "name", 2, "导入家长二");
    put(s, r, "relation", 2, "2");
    put(s, r, "phone", 2, "13700000001");
    return r;
}

static char *
to_csv(const sheet *s, size_t *len)
{
    base_buf b = {0};
    fmt_csv_write_bom(&b);
    for (int r = 0; r < s->nrows; r++) {
        const char *cells[CORE_TEMPLATE_MAX_COLS];
        for (int c = 0; c < s->ncols; c++)
            cells[c] = s->cells[r][c] ? s->cells[r][c] : "";
        fmt_csv_write_row(&b, cells, (size_t)s->ncols);
    }
    *len = b.n;
    return (char *)b.p;
}

/* The error of `row` with `code`, or NULL. */
static const json_t *
error_of(const ht_resp *r, long row, const char *code)
{
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(r->json, "errors"), i,
                       e) if (jint(e, "row") == row &&
                              strcmp(ht_json_str(e, "code"), code) == 0) return e;
    return NULL;
}

/* ------------------------------------------------------------ template */

static int
template_row(void *ctx, const fmt_sheet_row *row, app_err *err)
{
    (void)err;
    int *seen = ctx;
    if (row->row != 1)
        return 0;
    ck_assert_int_eq((int)row->ncells, core_template_ncols());
    for (size_t c = 0; c < row->ncells; c++) {
        char t[64];
        core_template_title((int)c, t, sizeof(t));
        ck_assert_str_eq(row->cells[c].s, t);
    }
    *seen = 1;
    return 0;
}

static int
count_rows(void *ctx, const fmt_sheet_row *row, app_err *err)
{
    (void)err;
    (void)row;
    ++*(int *)ctx;
    return 0;
}

START_TEST(test_template)
{
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[REG_A]);
    const char *h[] = {auth, NULL};
    ht_resp r;
    ck_assert_int_eq(ht_request(srv, "GET", "/api/v1/templates/students.xlsx", h, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(ht_header(&r, "content-type"), "spreadsheetml"));
    ck_assert_str_eq(ht_header(&r, "x-template-version"), CORE_TEMPLATE_VERSION);
    int seen = 0;
    app_err e = {0};
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    ck_assert_int_eq(fmt_xlsx_read((const unsigned char *)r.body, r.len, CORE_TEMPLATE_SHEET, &lim,
                                   template_row, &seen, &e),
                     0);
    ck_assert(seen);
    /* the instructions sheet is there too */
    int rules = 0;
    ck_assert_int_eq(fmt_xlsx_read((const unsigned char *)r.body, r.len, "填写说明", &lim,
                                   count_rows, &rules, &e),
                     0);
    ck_assert_int_ge(rules, 8);
    ht_resp_free(&r);
    /* anonymous: 401 */
    ck_assert_int_eq(ht_request(srv, "GET", "/api/v1/templates/students.xlsx", NULL, NULL, 0, &r),
                     0);
    ck_assert_int_eq(r.status, 401);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ mode create */

START_TEST(test_create_with_clerk_mistakes)
{
    sheet s;
    sheet_init(&s);
    stu ok1, ok2, lost, unit, nophone;
    stu_make(&ok1, 2016);
    stu_make(&ok2, 2016);
    stu_make(&lost, 2016);
    stu_make(&unit, 2016);
    stu_make(&nophone, 2016);
    add_student(&s, &ok1);           /* row 2 */
    int r3 = add_student(&s, &lost); /* row 3 */
    put(&s, r3, "id_number", 0, "4.30102201603E+17");
    int r4 = add_student(&s, &unit); /* row 4 */
    put(&s, r4, "distance_km", 0, "1.5公里");
    s.nrows++;                          /* row 5: empty */
    int r6 = add_student(&s, &nophone); /* row 6 */
    put(&s, r6, "phone", 0, "无");
    int r7 = add_student(&s, &ok2); /* row 7: loose date, full-width digits, blanks */
    char loose[32], wide[96] = "";
    snprintf(loose, sizeof(loose), " %d/%d/%d ", ok2.ymd / 10000, ok2.ymd / 100 % 100,
             ok2.ymd % 100);
    put(&s, r7, "birth_date", 0, loose);
    size_t k = 0;
    for (const char *p = ok2.idnum; *p; p++) {
        if (*p >= '0' && *p <= '9') { /* U+FF10.. */
            wide[k++] = (char)0xEF;
            wide[k++] = (char)0xBC;
            wide[k++] = (char)(0x90 + (*p - '0'));
        } else {
            wide[k++] = *p;
        }
    }
    wide[k] = '\0';
    put(&s, r7, "id_number", 0, wide);
    put(&s, r7, "ethnicity", 0, "汉族");
    size_t len;
    char *csv = to_csv(&s, &len);
    long long id = wf_upload(REG_A, "mode=create", csv, len, 202);
    /* another school's registrar, a bureau: not theirs */
    wf_upload(REG_B, "mode=create&school=" SCH_A, csv, len, 403);
    wf_upload(FURONG, "mode=create", csv, len, 403);
    wf_upload(REG_A, "mode=merge", csv, len, 400);

    ht_resp r;
    wf_wait_import(REG_A, id, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "total"), 5);
    ck_assert_int_eq(jint(r.json, "created"), 2);
    ck_assert_int_eq(jint(r.json, "rejected"), 3);
    ck_assert_int_eq(jint(r.json, "skipped"), 1);
    const json_t *e3 = error_of(&r, 3, "number_lost_digits");
    ck_assert_msg(e3 != NULL, "%s", r.body);
    char col[4];
    fmt_sheet_col_name(wf_col_of("id_number", 0), col);
    ck_assert_str_eq(ht_json_str(e3, "column"), col);
    ck_assert_str_eq(ht_json_str(e3, "header"), "身份证件号");
    ck_assert_ptr_nonnull(strstr(ht_json_str(e3, "message"), "文本"));
    ck_assert_ptr_nonnull(error_of(&r, 4, "distance_with_unit"));
    const json_t *e6 = NULL;
    size_t i;
    const json_t *x;
    json_array_foreach(json_object_get(r.json, "errors"), i, x) if (jint(x, "row") == 6) e6 = x;
    ck_assert_msg(e6 != NULL, "%s", r.body);
    ck_assert_str_eq(ht_json_str(e6, "field"), "/phone");
    ck_assert_ptr_nonnull(strstr(ht_json_str(e6, "message"), "联系电话"));
    ht_resp_free(&r);
    /* the two good rows are registered, pending with their registration request */
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE name IN ('%s', '%s')"
                              " AND state = 'pending' AND school = '" SCH_A "'",
                              ok1.name, ok2.name),
                     2);
    ck_assert_str_eq(scalar("SELECT birth_date::text FROM student WHERE name = '%s'", ok2.name),
                     ok2.birth);
    ck_assert_int_eq(count_of("SELECT count(*) FROM request r JOIN student s ON s.id ="
                              " r.student_id WHERE s.name = '%s' AND r.type = 'registration'",
                              ok1.name),
                     1);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE name = '%s'", lost.name), 0);

    /* the same file again: the same job */
    ck_assert_int_eq(wf_upload(REG_A, "mode=create", csv, len, 200), id);
    free(csv);
    sheet_free(&s);
}
END_TEST

START_TEST(test_wrong_header_and_bad_files)
{
    sheet s;
    sheet_init(&s);
    stu a;
    stu_make(&a, 2016);
    add_student(&s, &a);
    /* a clerk deleted the hidden separator column: every column after it shifts */
    int sep = -1;
    for (int c = 0; c < s.ncols; c++)
        if (core_template_field(c) == CORE_TPL_SEPARATOR)
            sep = c;
    ck_assert_int_ge(sep, 0);
    for (int r = 0; r < s.nrows; r++) {
        free(s.cells[r][sep]);
        memmove(&s.cells[r][sep], &s.cells[r][sep + 1],
                sizeof(char *) * (size_t)(s.ncols - sep - 1));
        s.cells[r][s.ncols - 1] = NULL;
    }
    s.ncols--;
    size_t len;
    char *csv = to_csv(&s, &len);
    long long id = wf_upload(REG_A, "mode=create", csv, len, 202);
    ht_resp r;
    wf_wait_import(REG_A, id, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "failed");
    ck_assert_str_eq(ht_json_str(r.json, "failure"), "template_mismatch");
    const json_t *e = json_array_get(json_object_get(r.json, "errors"), 0);
    char col[4];
    fmt_sheet_col_name(sep, col);
    ck_assert_str_eq(ht_json_str(e, "column"), col);
    ck_assert_ptr_nonnull(strstr(ht_json_str(e, "message"), "以下为家庭成员信息"));
    ht_resp_free(&r);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE name = '%s'", a.name), 0);
    free(csv);
    sheet_free(&s);

    /* the template as downloaded, header only: failed, saying there is nothing in it */
    sheet_init(&s);
    csv = to_csv(&s, &len);
    id = wf_upload(REG_A, "mode=create", csv, len, 202);
    wf_wait_import(REG_A, id, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "failed");
    ck_assert_str_eq(ht_json_str(r.json, "failure"), "import_no_rows");
    ht_resp_free(&r);
    free(csv);
    sheet_free(&s);

    /* not a spreadsheet at all; an old .xls; nothing */
    wf_upload(REG_A, "mode=create", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8, 415);
    wf_upload(REG_A, "mode=create", "\x00\x01\x02\x03", 4, 415);
    wf_upload(REG_A, "mode=create", "", 0, 422);
    /* a zip that is not a workbook fails the job with a reason */
    static const char zip[] = "PK\x03\x04garbage that is not a zip archive";
    id = wf_upload(REG_A, "mode=update", zip, sizeof(zip) - 1, 202);
    wf_wait_import(REG_A, id, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "failed");
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "errors")), 1);
    ht_resp_free(&r);
}
END_TEST

/* ?atomic=true: all rows or none. */
START_TEST(test_atomic)
{
    sheet s;
    sheet_init(&s);
    stu a, b;
    stu_make(&a, 2016);
    stu_make(&b, 2016);
    add_student(&s, &a);
    int rb = add_student(&s, &b);
    put(&s, rb, "gender", 0, "9");
    size_t len;
    char *csv = to_csv(&s, &len);
    long long id = wf_upload(REG_A, "mode=create&atomic=true", csv, len, 202);
    ht_resp r;
    wf_wait_import(REG_A, id, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "failed");
    ck_assert_str_eq(ht_json_str(r.json, "failure"), "rows_rejected");
    ck_assert_int_eq(jint(r.json, "created"), 0);
    ck_assert_int_eq(jint(r.json, "rejected"), 1);
    ck_assert_ptr_nonnull(error_of(&r, 3, "invalid_code"));
    ht_resp_free(&r);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE name = '%s'", a.name), 0);
    free(csv);
    /* fixed, the whole file goes in */
    put(&s, rb, "gender", 0, b.gender == 1 ? "男" : "女");
    csv = to_csv(&s, &len);
    id = wf_upload(REG_A, "mode=create&atomic=true", csv, len, 202);
    wf_wait_import(REG_A, id, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "created"), 2);
    ht_resp_free(&r);
    free(csv);
    sheet_free(&s);
}
END_TEST

/* mode update: by name and ID number; never creates; key fields stay. */
START_TEST(test_update)
{
    stu a, ghost;
    enrol(REG_A, FURONG, 13, &a);
    stu_make(&ghost, 2016);
    sheet s;
    sheet_init(&s);
    int ra = s.nrows++;
    put(&s, ra, "name", 0, a.name);
    put(&s, ra, "id_type", 0, "1");
    put(&s, ra, "id_number", 0, a.idnum);
    put(&s, ra, "phone", 0, "13811112222");
    put(&s, ra, "distance_km", 0, "3.5");
    int rg = s.nrows++;
    put(&s, rg, "name", 0, ghost.name);
    put(&s, rg, "id_type", 0, "1");
    put(&s, rg, "id_number", 0, ghost.idnum);
    put(&s, rg, "phone", 0, "13811112222");
    int rk = s.nrows++; /* the right student, another birth date: a key field */
    put(&s, rk, "name", 0, a.name);
    put(&s, rk, "id_type", 0, "1");
    put(&s, rk, "id_number", 0, a.idnum);
    put(&s, rk, "birth_date", 0, "2015-01-01");
    size_t len;
    char *csv = to_csv(&s, &len);
    long long id = wf_upload(REG_A, "mode=update", csv, len, 202);
    ht_resp r;
    wf_wait_import(REG_A, id, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "updated"), 1);
    ck_assert_int_eq(jint(r.json, "created"), 0);
    ck_assert_int_eq(jint(r.json, "rejected"), 2);
    ck_assert_ptr_nonnull(error_of(&r, 3, "no_matching_student"));
    ck_assert_msg(error_of(&r, 4, "key_field_requires_approval") != NULL, "%s", r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(scalar("SELECT distance_km::text FROM student WHERE id = %lld", a.id), "3.5");
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE name = '%s'", ghost.name), 0);
    /* the history says who changed what */
    ck_assert_int_eq(count_of("SELECT count(*) FROM student_history WHERE student_id = %lld"
                              " AND kind = 'edited'",
                              a.id),
                     1);
    free(csv);
    sheet_free(&s);
}
END_TEST

/* An .xlsx upload goes through the same path. */
START_TEST(test_xlsx_upload)
{
    sheet s;
    sheet_init(&s);
    stu a;
    stu_make(&a, 2016);
    add_student(&s, &a);
    fmt_xlsx_writer *w = fmt_xlsx_writer_new();
    app_err e = {0};
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, CORE_TEMPLATE_SHEET, NULL, &e), 0);
    for (int r = 0; r < s.nrows; r++) {
        const char *cells[CORE_TEMPLATE_MAX_COLS];
        for (int c = 0; c < s.ncols; c++)
            cells[c] = s.cells[r][c] ? s.cells[r][c] : "";
        ck_assert_int_eq(fmt_xlsx_writer_row(w, cells, (size_t)s.ncols, &e), 0);
    }
    unsigned char *x;
    size_t n;
    ck_assert_int_eq(fmt_xlsx_writer_finish(w, &x, &n, &e), 0);
    fmt_xlsx_writer_free(w);
    long long id = wf_upload(REG_A, "mode=create", (const char *)x, n, 202);
    free(x);
    ht_resp r;
    wf_wait_import(REG_A, id, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "created"), 1);
    ck_assert_str_eq(ht_json_str(r.json, "format"), "xlsx");
    ht_resp_free(&r);
    /* another school's registrar and a county outside do not see the job */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/imports/%lld", id);
    call_fails("GET", path, REG_B, NULL, 404, "import_not_found");
    call_fails("GET", path, TIANXIN, NULL, 404, "import_not_found");
    call("GET", path, FURONG, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    sheet_free(&s);
}
END_TEST

/* A batch is registered set-based: rows are still checked in order against
   the registry and each other, and each registered row gets exactly what
   POST /students writes. */
START_TEST(test_create_batch_in_order)
{
    ht_db_exec(tdb(), "INSERT INTO class (school, grade, number, name, size_limit) VALUES"
                      " ('" SCH_A "', 13, 7, '三年级(7)班', 2)"
                      " ON CONFLICT (school, grade, number) DO NOTHING");
    stu held, a, b, c, d, twin, nocls;
    enrol(REG_A, FURONG, 13, &held); /* enrolled before the file */
    stu_make(&a, 2016);
    stu_make(&b, 2016);
    stu_make(&c, 2016);
    stu_make(&d, 2016);
    stu_make(&twin, 2016);
    stu_make(&nocls, 2016);
    /* twin: another child with b's name, gender and birth date */
    snprintf(twin.name, sizeof(twin.name), "%s", b.name);
    twin.gender = b.gender;
    snprintf(twin.birth, sizeof(twin.birth), "%s", b.birth);
    make_id(b.ymd, b.gender, b.n / 360 + 250, twin.idnum); /* another order number */
    sheet s;
    sheet_init(&s);
    add_student(&s, &a);          /* row 2: registered */
    int r3 = add_student(&s, &a); /* row 3: a's identity again */
    put(&s, r3, "name", 0, "冒名学生");
    int r4 = add_student(&s, &b); /* rows 4-6 into class 7 (limit 2) */
    int r5 = add_student(&s, &c);
    int r6 = add_student(&s, &d);
    put(&s, r4, "class", 0, "7");
    put(&s, r5, "class", 0, "7");
    put(&s, r6, "class", 0, "7");
    add_student(&s, &twin);           /* row 7: b's twin by name */
    int r8 = add_student(&s, &nocls); /* row 8: no such class */
    put(&s, r8, "class", 0, "9");
    add_student(&s, &held); /* row 9: enrolled already */
    size_t len;
    char *csv = to_csv(&s, &len);
    long long id = wf_upload(REG_A, "mode=create", csv, len, 202);
    ht_resp r;
    wf_wait_import(REG_A, id, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "total"), 8);
    ck_assert_msg(jint(r.json, "created") == 4, "%s", r.body); /* rows 2, 4, 5, 7 */
    ck_assert_int_eq(jint(r.json, "rejected"), 4);
    const json_t *e3 = error_of(&r, 3, "duplicate_enrolled");
    ck_assert_msg(e3 != NULL, "%s", r.body);
    /* the holder of row 3's identity is row 2's student: this school, named */
    ck_assert_ptr_nonnull(strstr(ht_json_str(e3, "message"), SCH_A));
    ck_assert_str_eq(ht_json_str(e3, "header"), "身份证件号"); /* the column of its field */
    const json_t *e6 = error_of(&r, 6, "class_full");
    ck_assert_msg(e6 != NULL, "%s", r.body);
    ck_assert_str_eq(ht_json_str(e6, "header"), "班级");
    ck_assert_msg(error_of(&r, 8, "class_not_found") != NULL, "%s", r.body);
    ck_assert_msg(error_of(&r, 9, "duplicate_enrolled") != NULL, "%s", r.body);
    /* errors in row order */
    size_t i;
    const json_t *x;
    long last = 0;
    json_array_foreach(json_object_get(r.json, "errors"), i, x)
    {
        ck_assert_int_ge(jint(x, "row"), last);
        last = (long)jint(x, "row");
    }
    ht_resp_free(&r);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE name = '冒名学生'"), 0);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student s JOIN class k ON k.id = s.class_id"
                              " WHERE k.school = '" SCH_A "' AND k.grade = 13 AND k.number = 7"),
                     2);
    /* one suspected-duplicate problem: the later row's, naming the earlier */
    ck_assert_int_eq(count_of("SELECT count(*) FROM problem p JOIN student s ON s.id = p.student_id"
                              " JOIN student o ON o.id = p.other_student_id"
                              " WHERE p.kind = 'suspected_duplicate' AND s.id_bidx <> o.id_bidx"
                              " AND s.name = '%s' AND s.id > o.id",
                              b.name),
                     1);
    ck_assert_int_eq(count_of("SELECT count(*) FROM problem p JOIN student s ON s.id = p.student_id"
                              " WHERE p.kind = 'suspected_duplicate' AND s.name = '%s'",
                              b.name),
                     1);
    /* every registered row: pending, one history row, one open registration
       request with its step and member, one audit row, one event */
    const char *names[] = {a.name, b.name, c.name};
    for (int k = 0; k < 3; k++) {
        long long sid = count_of("SELECT min(id) FROM student WHERE name = '%s'"
                                 " AND state = 'pending'",
                                 names[k]);
        ck_assert_int_gt(sid, 0);
        ck_assert_int_eq(count_of("SELECT count(*) FROM student_history WHERE student_id = %lld"
                                  " AND kind = 'registered' AND request_id IS NOT NULL",
                                  sid),
                         1);
        long long rid = count_of("SELECT id FROM request WHERE student_id = %lld"
                                 " AND type = 'registration' AND state = 'open'"
                                 " AND current_step = 1",
                                 sid);
        ck_assert_int_gt(rid, 0);
        ck_assert_int_eq(count_of("SELECT count(*) FROM request_step WHERE request_id = %lld"
                                  " AND number = 1 AND state = 'waiting' AND org = '430102'"
                                  " AND due_at IS NOT NULL",
                                  rid),
                         1);
        ck_assert_int_eq(count_of("SELECT count(*) FROM request_member WHERE request_id = %lld"
                                  " AND student_id = %lld",
                                  rid, sid),
                         1);
        ck_assert_int_eq(count_of("SELECT count(*) FROM audit WHERE action = 'student.register'"
                                  " AND target_id = '%lld' AND detail->>'request' = '%lld'",
                                  sid, rid),
                         1);
        ck_assert_int_eq(events_of(rid, "student.registered"), 1);
    }
    /* every audit row written together carries the hash of its own content
       and its transaction, and none is sealed before it commits */
    ck_assert_int_eq(count_of("SELECT count(*) FROM audit a WHERE hash <> audit_row_hash(a)"
                              " OR xid IS NULL"),
                     0);
    free(csv);
    sheet_free(&s);
}
END_TEST

/* A worker killed mid-job: another takes the job over from its last commit,
   and no row is registered twice. */
START_TEST(test_crash_resume)
{
    static sheet s;
    sheet_init(&s);
    enum { N = 3 * CORE_IMPORT_BATCH_CREATE }; /* three batches */
    for (int i = 0; i < N; i++) {
        stu v;
        stu_make(&v, 2016);
        snprintf(v.name, sizeof(v.name), "续传学生%lld", v.n);
        add_student(&s, &v);
    }
    size_t len;
    char *csv = to_csv(&s, &len);
    long long id = wf_upload(REG_A, "mode=create", csv, len, 202);
    /* kill the only worker once it has committed a batch, before the end */
    int killed = 0;
    for (int i = 0; i < 3000 && !killed; i++) {
        long long done = count_of("SELECT processed FROM import_job WHERE id = %lld", id);
        if (done > 0) { /* the first batch committed */
            ht_server_kill(wf_workers);
            killed = 1;
        }
        ht_sleep_ms(5);
    }
    ck_assert(killed);
    long long at_kill = count_of("SELECT processed FROM import_job WHERE id = %lld", id);
    ck_assert_msg(at_kill < N, "the job ended before the kill (%lld rows)", at_kill);
    ck_assert_str_eq(scalar("SELECT state FROM import_job WHERE id = %lld", id), "running");
    /* a new worker takes it over once its heartbeat is stale */
    ht_server *w2 = server_with("XUEJI_IMPORT_STALE=1");
    ht_resp r;
    wf_wait_import(REG_A, id, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "created"), N);
    ck_assert_int_eq(jint(r.json, "total"), N);
    ck_assert_int_eq(jint(r.json, "rejected"), 0);
    ht_resp_free(&r);
    ck_assert_int_eq(count_of("SELECT attempts FROM import_job WHERE id = %lld", id), 2);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE name LIKE '续传学生%%'"), N);
    ck_assert_int_eq(ht_server_stop(w2), 0);
    free(csv);
    sheet_free(&s);
}
END_TEST

static Suite *
imports_suite(void)
{
    Suite *s = suite_create("http-imports");
    TCase *tc = wf_import_tcase("imports", 180);
    tcase_add_test(tc, test_template);
    tcase_add_test(tc, test_create_with_clerk_mistakes);
    tcase_add_test(tc, test_create_batch_in_order);
    tcase_add_test(tc, test_wrong_header_and_bad_files);
    tcase_add_test(tc, test_atomic);
    tcase_add_test(tc, test_update);
    tcase_add_test(tc, test_xlsx_upload);
    tcase_add_test(tc, test_crash_resume);
    suite_add_tcase(s, tc);

    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(imports_suite(), close_db);
}
