/*
 * tests/http/classes_import_test.c - class assignment by spreadsheet (issue
 * 15): GET /schools/{code}/class-assignment.xlsx, POST /imports?mode=classes
 * (success, every row error, counts, history, audit, events, the errors
 * file), and the `unchanged` count of mode update (a roster exported and
 * imported again unchanged). The world is tests/lib/wfworld.h's; grade 15
 * of school A (classes 15-1, 15-2, and 15-3 with room for one) is this
 * suite's own.
 */
#include "base/buf.h"
#include "core/class_file.h"
#include "core/import.h"
#include "formats/csv.h"
#include "formats/xlsx.h"
#include "tests/lib/wfworld.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void
seed_grade15(void)
{
    ht_db_exec(tdb(), "INSERT INTO class (school, grade, number, name, size_limit) VALUES"
                      " ('" SCH_A "', 15, 1, '五年级(1)班', NULL),"
                      " ('" SCH_A "', 15, 2, '五年级(2)班', NULL),"
                      " ('" SCH_A "', 15, 3, '五年级(3)班', 1)"
                      " ON CONFLICT (school, grade, number) DO NOTHING");
}

/* A fresh pupil of school A enrolled in class 15-<class_no>. */
static void
pupil(int class_no, stu *s)
{
    seed_grade15();
    act_ok(FURONG, wf_register(REG_A, 15, class_no, s), "approve", 1, "approved");
}

static int
class_of(long long id)
{
    return (int)count_of("SELECT class_no FROM student WHERE id = %lld", id);
}

/* ------------------------------------------------------------ the file */

typedef struct file_row {
    char c[CORE_CF_NCOLS][64];
} file_row;

typedef struct read_file {
    file_row *rows;
    int n, cap;
} read_file;

static int
keep_row(void *ctx, const fmt_sheet_row *row, app_err *err)
{
    (void)err;
    read_file *f = ctx;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 64;
        f->rows = realloc(f->rows, (size_t)f->cap * sizeof(file_row));
    }
    file_row *r = &f->rows[f->n++];
    memset(r, 0, sizeof(*r));
    for (size_t c = 0; c < row->ncells && c < CORE_CF_NCOLS; c++)
        snprintf(r->c[c], sizeof(r->c[c]), "%s", row->cells[c].s);
    return 0;
}

/* GET the class file of grade `grade` of school A as `who`: its rows (header first). */
static void
get_file(int who, const char *query, read_file *out, long want)
{
    char auth[1100], path[128];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[who]);
    snprintf(path, sizeof(path), "/api/v1/schools/%s/class-assignment.xlsx?%s", SCH_A, query);
    const char *h[] = {auth, NULL};
    ht_resp r;
    ck_assert_int_eq(ht_request(srv, "GET", path, h, NULL, 0, &r), 0);
    ck_assert_msg(r.status == want, "GET %s: %ld %s", path, r.status, r.body);
    memset(out, 0, sizeof(*out));
    if (want == 200) {
        ck_assert_ptr_nonnull(strstr(ht_header(&r, "content-type"), "spreadsheetml"));
        app_err e = {0};
        fmt_xlsx_limits lim = fmt_xlsx_limits_default();
        ck_assert_int_eq(fmt_xlsx_read((const unsigned char *)r.body, r.len, CORE_CLASS_FILE_SHEET,
                                       &lim, keep_row, out, &e),
                         0);
    }
    ht_resp_free(&r);
}

static const file_row *
row_of(const read_file *f, long long id)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", id);
    for (int i = 1; i < f->n; i++)
        if (strcmp(f->rows[i].c[CORE_CF_ID], k) == 0)
            return &f->rows[i];
    return NULL;
}

/* A CSV class file: the header, then rows of (id, name, grade, new class). */
typedef struct csvfile {
    base_buf b;
    int rows; /* data rows so far: the next is sheet row rows + 2 */
} csvfile;

static void
csv_begin(csvfile *f)
{
    memset(f, 0, sizeof(*f));
    const char *h[CORE_CF_NCOLS];
    for (int c = 0; c < CORE_CF_NCOLS; c++)
        h[c] = core_class_file_title(c);
    fmt_csv_write_row(&f->b, h, CORE_CF_VERSION); /* a CSV without the version column */
}

static int
csv_row(csvfile *f, const char *id, const char *name, const char *grade, const char *to)
{
    const char *c[CORE_CF_VERSION] = {id, "", name, grade, "", to};
    fmt_csv_write_row(&f->b, c, CORE_CF_VERSION);
    return ++f->rows + 1;
}

static int
csv_pupil(csvfile *f, const stu *s, const char *grade, const char *to)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", s->id);
    return csv_row(f, id, s->name, grade, to);
}

/* Upload `f` in mode classes as REG_A and wait for the job. */
static long long
run_classes(csvfile *f, ht_resp *out)
{
    long long id = wf_upload(REG_A, "mode=classes", (const char *)f->b.p, f->b.n, 202);
    base_buf_free(&f->b);
    wf_wait_import(REG_A, id, out);
    return id;
}

/* The code of the error of sheet row `row` in GET /imports/{id} (the first one). */
static const char *
error_at(const ht_resp *r, int row, const char **column)
{
    const json_t *x;
    size_t i;
    json_array_foreach(json_object_get(r->json, "errors"), i, x) if (jint(x, "row") == row)
    {
        if (column)
            *column = json_string_value(json_object_get(x, "column"));
        return ht_json_str(x, "code");
    }
    return NULL;
}

/* ------------------------------------------------------------ tests */

START_TEST(test_export_the_grade)
{
    stu a, b;
    pupil(1, &a);
    pupil(2, &b);
    read_file f;
    get_file(REG_A, "grade=15", &f, 200);
    ck_assert_int_ge(f.n, 3);
    for (int c = 0; c < CORE_CF_NCOLS; c++)
        ck_assert_str_eq(f.rows[0].c[c], core_class_file_title(c));
    const file_row *ra = row_of(&f, a.id), *rb = row_of(&f, b.id);
    ck_assert_ptr_nonnull(ra);
    ck_assert_ptr_nonnull(rb);
    ck_assert_str_eq(ra->c[CORE_CF_NAME], a.name);
    ck_assert_str_eq(ra->c[CORE_CF_GRADE], "五年级");
    ck_assert_str_eq(ra->c[CORE_CF_CLASS], "五年级(1)班");
    ck_assert_str_eq(rb->c[CORE_CF_CLASS], "五年级(2)班");
    ck_assert_str_eq(ra->c[CORE_CF_NEW_CLASS], "");
    /* the student number is masked (a G number holds the ID number) */
    ck_assert_ptr_null(strstr(ra->c[CORE_CF_STUNO], a.idnum));
    free(f.rows);
    ck_assert_int_ge(count_of("SELECT count(*) FROM audit WHERE action = 'student.export'"
                              " AND detail->>'file' = 'class_assignment'"),
                     1);
    /* a grade that is not a code: 400; one the school does not teach: 422 */
    get_file(REG_A, "grade=17", &f, 400);
    get_file(REG_A, "grade=", &f, 400);
    get_file(REG_A, "grade=21", &f, 422);
    /* a school the caller does not see: 404 */
    get_file(REG_J, "grade=15", &f, 404);
}
END_TEST

/* The file exported, filled in and uploaded: pupils move, others stay. */
START_TEST(test_moves_and_counts)
{
    stu a, b, c;
    pupil(1, &a);
    pupil(1, &b);
    pupil(2, &c);
    long long feed0 = count_of("SELECT count(*) FROM events WHERE type = 'student.updated'");
    csvfile f;
    csv_begin(&f);
    csv_pupil(&f, &a, "五年级", "2");       /* moves to 15-2 */
    csv_pupil(&f, &b, "15", "五年级(2)班"); /* moves too, by the class name */
    csv_pupil(&f, &c, "五年级", "");        /* stays: empty */
    csv_row(&f, "", "", "", "");            /* an empty row */
    ht_resp r;
    run_classes(&f, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_str_eq(ht_json_str(r.json, "mode"), "classes");
    ck_assert_int_eq(jint(r.json, "updated"), 2);
    ck_assert_int_eq(jint(r.json, "unchanged"), 1);
    ck_assert_int_eq(jint(r.json, "rejected"), 0);
    ht_resp_free(&r);
    ck_assert_int_eq(class_of(a.id), 2);
    ck_assert_int_eq(class_of(b.id), 2);
    ck_assert_int_eq(class_of(c.id), 2);
    ck_assert_str_eq(placement(REG_A, a.id), "enrolled " SCH_A " 15-2");
    /* the class id follows the number */
    ck_assert_int_eq(count_of("SELECT count(*) FROM student s JOIN class k ON k.id = s.class_id"
                              " WHERE s.id IN (%lld, %lld) AND k.grade = 15 AND k.number = 2",
                              a.id, b.id),
                     2);
    /* history, audit and the change feed of each move */
    ck_assert_int_eq(count_of("SELECT count(*) FROM student_history WHERE student_id = %lld"
                              " AND kind = 'edited' AND changes::text LIKE '%%/class%%'",
                              a.id),
                     1);
    ck_assert_int_eq(count_of("SELECT count(*) FROM audit WHERE action = 'student.edit'"
                              " AND target_id IN ('%lld', '%lld')",
                              a.id, b.id),
                     2);
    ck_assert_int_eq(count_of("SELECT count(*) FROM events WHERE type = 'student.updated'") - feed0,
                     2);
    /* the same moves again (another file: the class column says where they
       are now) change nothing */
    csv_begin(&f);
    csv_pupil(&f, &a, "五年级", "2");
    csv_pupil(&f, &b, "五年级", "(2)班");
    run_classes(&f, &r);
    ck_assert_int_eq(jint(r.json, "updated"), 0);
    ck_assert_int_eq(jint(r.json, "unchanged"), 2);
    ht_resp_free(&r);
}
END_TEST

/* Every row error, in Chinese, at its column; the good row is applied. */
START_TEST(test_row_errors)
{
    stu a, b, full, other, good;
    pupil(1, &a);
    pupil(1, &b);
    pupil(3, &full); /* 15-3 holds one: full */
    pupil(1, &good);
    stu_make(&other, 2016);
    act_ok(FURONG, wf_register(REG_B, 13, 1, &other), "approve", 1, "approved");
    csvfile f;
    csv_begin(&f);
    int r_unknown = csv_pupil(&f, &a, "五年级", "9");         /* no class 15-9 */
    int r_wrong = csv_pupil(&f, &a, "五年级", "四年级(1)班"); /* another grade's class */
    int r_grade = csv_pupil(&f, &a, "四年级", "2");           /* the pupil is in grade 15 */
    int r_other = csv_pupil(&f, &other, "三年级", "2");       /* school B's pupil */
    int r_none = csv_row(&f, "999999999999", "无此人", "五年级", "2");
    char bid[24];
    snprintf(bid, sizeof(bid), "%lld", b.id);
    int r_name = csv_row(&f, bid, "别的名字", "五年级", "2");
    int r_full = csv_pupil(&f, &b, "五年级", "3"); /* 15-3 is full */
    int r_cell = csv_pupil(&f, &b, "五年级", "三班");
    int r_id = csv_row(&f, "12a", b.name, "五年级", "2");
    int r_missing = csv_row(&f, "", b.name, "", "2");
    int r_good = csv_pupil(&f, &good, "五年级", "2");
    ht_resp r;
    long long job = run_classes(&f, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "updated"), 1);
    ck_assert_int_eq(jint(r.json, "unchanged"), 0);
    ck_assert_int_eq(jint(r.json, "rejected"), 10);
    const char *col = NULL;
    ck_assert_str_eq(error_at(&r, r_unknown, &col), "class_not_found");
    ck_assert_str_eq(col, "F");
    ck_assert_str_eq(error_at(&r, r_wrong, &col), "class_wrong_grade");
    ck_assert_str_eq(col, "F");
    ck_assert_str_eq(error_at(&r, r_grade, &col), "grade_mismatch");
    ck_assert_str_eq(col, "D");
    ck_assert_str_eq(error_at(&r, r_other, &col), "student_not_in_school");
    ck_assert_str_eq(col, "A");
    ck_assert_str_eq(error_at(&r, r_none, NULL), "student_not_in_school");
    ck_assert_str_eq(error_at(&r, r_name, &col), "student_name_mismatch");
    ck_assert_str_eq(col, "C");
    ck_assert_str_eq(error_at(&r, r_full, NULL), "class_full");
    ck_assert_str_eq(error_at(&r, r_cell, &col), "invalid_class_cell");
    ck_assert_str_eq(error_at(&r, r_id, &col), "invalid_record_id");
    ck_assert_str_eq(col, "A");
    ck_assert_str_eq(error_at(&r, r_missing, NULL), "missing_field");
    ck_assert_ptr_null(error_at(&r, r_good, NULL));
    /* worded in Chinese after the column's title */
    const json_t *x;
    size_t i;
    int worded = 0;
    json_array_foreach(json_object_get(r.json, "errors"), i, x)
    {
        const char *m = ht_json_str(x, "message");
        if (jint(x, "row") == r_grade)
            worded += strstr(m, "年级：") != NULL && strstr(m, "五年级") != NULL;
        if (jint(x, "row") == r_wrong)
            worded += strstr(m, "新班级：") != NULL;
    }
    ck_assert_msg(worded == 2, "%s", r.body);
    ht_resp_free(&r);
    /* nothing moved but the good row */
    ck_assert_int_eq(class_of(a.id), 1);
    ck_assert_int_eq(class_of(b.id), 1);
    ck_assert_int_eq(class_of(other.id), 1);
    ck_assert_int_eq(class_of(good.id), 2);
    /* the errors file has the class file's columns and the reasons */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/imports/%lld/errors.xlsx", job);
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[REG_A]);
    const char *h[] = {auth, NULL};
    ck_assert_int_eq(ht_request(srv, "GET", path, h, NULL, 0, &r), 0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    read_file ef = {0};
    app_err e = {0};
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    ck_assert_int_eq(fmt_xlsx_read((const unsigned char *)r.body, r.len, CORE_CLASS_FILE_SHEET,
                                   &lim, keep_row, &ef, &e),
                     0);
    ht_resp_free(&r);
    ck_assert_int_eq(ef.n, 1 + 10);
    ck_assert_str_eq(ef.rows[0].c[CORE_CF_NEW_CLASS], "新班级");
    free(ef.rows);
}
END_TEST

/* The roster exported (revealed) and imported again in mode update:
   nothing changed, so nothing is counted as updated. */
START_TEST(test_update_roster_unchanged)
{
    stu a, b;
    pupil(2, &a);
    pupil(2, &b);
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[REG_A]);
    const char *h[] = {auth, NULL};
    ht_resp r;
    ck_assert_int_eq(ht_request(srv, "GET",
                                "/api/v1/students/export?grade=15&class=2&status=enrolled"
                                "&reveal=id_number",
                                h, NULL, 0, &r),
                     0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    long long n = atoll(ht_header(&r, "x-export-count"));
    ck_assert_int_ge(n, 2);
    long long v0 = count_of("SELECT version FROM student WHERE id = %lld", a.id);
    long long id = wf_upload(REG_A, "mode=update", r.body, r.len, 202);
    ht_resp_free(&r);
    wf_wait_import(REG_A, id, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_msg(jint(r.json, "updated") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "unchanged"), n);
    ck_assert_int_eq(jint(r.json, "rejected"), 0);
    ht_resp_free(&r);
    ck_assert_int_eq(count_of("SELECT version FROM student WHERE id = %lld", a.id), v0);
}
END_TEST

/* Mode update: a row that changes a field counts updated, the others unchanged. */
START_TEST(test_update_counts_real_changes)
{
    stu a;
    pupil(2, &a);
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[REG_A]);
    const char *h[] = {auth, NULL};
    ht_resp r;
    ck_assert_int_eq(ht_request(srv, "GET",
                                "/api/v1/students/export?grade=15&status=enrolled&format=csv"
                                "&reveal=id_number",
                                h, NULL, 0, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    long long n = atoll(ht_header(&r, "x-export-count"));
    /* a's phone changes; every other row stays as exported */
    char *csv = strdup(r.body);
    ht_resp_free(&r);
    char *line = strstr(csv, a.idnum);
    ck_assert_ptr_nonnull(line);
    char *ph = strstr(line, "13900000000");
    ck_assert_ptr_nonnull(ph);
    memcpy(ph, "13911112222", 11);
    long long id = wf_upload(REG_A, "mode=update", csv, strlen(csv), 202);
    free(csv);
    wf_wait_import(REG_A, id, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "updated"), 1);
    ck_assert_int_eq(jint(r.json, "unchanged"), n - 1);
    ht_resp_free(&r);
}
END_TEST

/* Any header but the class file's refuses the file as a whole. */
START_TEST(test_wrong_header)
{
    csvfile f;
    memset(&f, 0, sizeof(f));
    const char *h[] = {"记录编号", "学籍号", "名字", "年级", "当前班级", "新班级"};
    fmt_csv_write_row(&f.b, h, 6);
    const char *row[] = {"1", "", "某人", "五年级", "", "2"};
    fmt_csv_write_row(&f.b, row, 6);
    ht_resp r;
    run_classes(&f, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "failed");
    ck_assert_str_eq(ht_json_str(r.json, "failure"), "template_mismatch");
    const char *col = NULL;
    ck_assert_str_eq(error_at(&r, 1, &col), "template_mismatch");
    ck_assert_str_eq(col, "C");
    ht_resp_free(&r);
}
END_TEST

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A file of n rows, every one naming a record that is not the school's. */
static double
all_wrong(int n)
{
    csvfile f;
    csv_begin(&f);
    for (int i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof(id), "%d", 900000000 + i);
        csv_row(&f, id, "无此人", "五年级", "2");
    }
    double t0 = now_s();
    ht_resp r;
    run_classes(&f, &r);
    double t = now_s() - t0;
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "rejected"), n);
    ck_assert_int_eq(jint(r.json, "errors_total"), n);
    ht_resp_free(&r);
    return t;
}

START_TEST(test_all_wrong_is_linear)
{
    double t500 = all_wrong(500), t5000 = all_wrong(5000);
    fprintf(stderr, "classes import, every row wrong: 500 rows %.2f s, 5000 rows %.2f s\n", t500,
            t5000);
    /* ten times the rows: about ten times the time (polling adds up to 0.1 s) */
    ck_assert_msg(t5000 < 20 * (t500 + 0.2), "500 rows %.2f s, 5000 rows %.2f s", t500, t5000);
}
END_TEST

static Suite *
classes_suite(void)
{
    Suite *s = suite_create("http-classes-import");
    TCase *tc = wf_import_tcase("classes-import", 240);
    tcase_add_test(tc, test_export_the_grade);
    tcase_add_test(tc, test_moves_and_counts);
    tcase_add_test(tc, test_row_errors);
    tcase_add_test(tc, test_update_roster_unchanged);
    tcase_add_test(tc, test_update_counts_real_changes);
    tcase_add_test(tc, test_wrong_header);
    tcase_add_test(tc, test_all_wrong_is_linear);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(classes_suite(), close_db);
}
