/*
 * tests/http/uni_import_test.c - university students imported from a
 * spreadsheet (issue 16, core/uni_file.h): GET /templates/uni-students.xlsx,
 * POST /imports?mode=uni_students by the university's registrar section
 * (each row a student made as POST /schools/{code}/uni-students makes one),
 * row errors in Chinese, counts and the errors file, who may upload and see
 * the job, and a large all-wrong file staying fast.
 *
 * The world, built once through the API: university 4141010461 (authority
 * 河南 410000) with its registrar section, college 01 数学学院 (major 070101
 * 数学与应用数学, 本科, classes 2025-1 and 2025-2) and college 02 计算机学院
 * (major 610201 软件技术, 专科, class 2025-1); a K-12 registrar of school
 * 4101020001.
 */
#include "base/buf.h"
#include "core/pwhash.h"
#include "core/uni_file.h"
#include "db/db.h"
#include "db/user.h"
#include "formats/csv.h"
#include "formats/xlsx.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW "Xueji-Test-2026!"
#define UNI "4141010461"
#define K12 "4101020001"
#define U "/api/v1/schools/" UNI

static ht_server *srv;
static int built;
static long long college1, college2, major1, major2;
static char tok_henan[1024], tok_section[1024], tok_k12[1024], tok_dean[1024];
static int idseq = 100; /* the next ID number's seed: every student its own person */

static const char *
fmt(const char *f, ...)
{
    static char buf[8][2048];
    static int i;
    char *b = buf[i++ % 8];
    va_list ap;
    va_start(ap, f);
    vsnprintf(b, sizeof(buf[0]), f, ap);
    va_end(ap);
    return b;
}

static void
call(const char *method, const char *path, const char *token, const char *ctype, const char *body,
     size_t len, ht_resp *r)
{
    const char *h[4];
    int n = 0;
    char auth[1100];
    if (token != NULL) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h[n++] = auth;
    }
    char ct[96];
    if (ctype != NULL) {
        snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
        h[n++] = ct;
    }
    h[n] = NULL;
    ck_assert_int_eq(ht_request(srv, method, path, h, body, len, r), 0);
}

static long long
post_id(const char *path, const char *token, const char *json)
{
    ht_resp r;
    call("POST", path, token, "application/json", json, strlen(json), &r);
    ck_assert_msg(r.status == 201, "POST %s: %ld %s", path, r.status, r.body);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    ht_resp_free(&r);
    return id;
}

static PGconn *
pg(void)
{
    static PGconn *c;
    if (c == NULL) {
        c = PQconnectdb(getenv("XUEJI_TEST_DATABASE_URL"));
        ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
    }
    return c;
}

static long long
count_of(const char *sql)
{
    PGresult *res = PQexec(pg(), sql);
    ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s: %s", sql, PQerrorMessage(pg()));
    long long v = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

static long long
students(void)
{
    return count_of("SELECT count(*) FROM uni_student WHERE school = '" UNI "'");
}

/* An account with password PW and no change required, and its token. */
static void
account(const char *name, const char *role, const char *org, const char *staff, long long college,
        char tok[1024])
{
    static char hash[CORE_PWHASH_LEN];
    static db_conn *c;
    app_err err = {0};
    if (hash[0] == '\0')
        ck_assert_int_eq(core_pwhash(PW, hash), 0);
    if (c == NULL)
        c = db_conn_open(getenv("XUEJI_TEST_DATABASE_URL"), &err);
    ck_assert_msg(db_conn_ok(c), "connect: %s", err.detail);
    db_user u = {.username = name,
                 .display_name = name,
                 .role = role,
                 .org = org,
                 .staff_role = staff,
                 .college = college,
                 .password_hash = hash};
    long long id;
    int rc = db_user_insert(c, &u, &id, &err);
    ck_assert_msg(rc == 0 || rc == APP_ECONFLICT, "insert %s: %s", name, err.detail);
    const char *body = fmt("{\"username\":\"%s\",\"password\":\"%s\"}", name, PW);
    ht_resp r;
    call("POST", "/api/v1/auth/login", NULL, "application/json", body, strlen(body), &r);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", name, r.status, r.body);
    snprintf(tok, 1024, "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

/* A valid resident ID number born 2006-MM-DD (GB 11643 check digit). */
static const char *id_number(int n);

/* The gender the ID number says: as code (1, 2) or as label (男, 女). */
static const char *
gender_of(const char *id, int label)
{
    int man = (id[16] - '0') % 2;
    return label ? (man ? "男" : "女") : (man ? "1" : "2");
}

static const char *
id_number(int n)
{
    static char buf[4][19];
    static int k;
    char *s = buf[k++ % 4];
    char t[48];
    snprintf(t, sizeof(t), "410102200%d%02d%02d%03d", 6, 1 + n / 28 % 12, 1 + n % 28,
             (11 + n % 2 + 2 * (n / 336)) % 1000); /* odd n: a woman */
    memcpy(s, t, 17);
    static const int w[] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (s[i] - '0') * w[i];
    s[17] = "10X98765432"[sum % 11];
    s[18] = '\0';
    return s;
}

static void
build(void)
{
    srv = ht_shared();
    ck_assert_msg(srv != NULL, "no shared server");
    if (built)
        return;
    built = 1;
    account("ui_henan", "province", "410000", NULL, 0, tok_henan);
    const char *school = "{\"code\":\"" UNI "\",\"name\":\"中原软件大学\",\"county\":\"410102\","
                         "\"authority\":\"410000\"}";
    post_id("/api/v1/schools", tok_henan, school);
    account("ui_section", "school", UNI, "registrar_section", 0, tok_section);
    account("ui_k12reg", "school", K12, "registrar", 0, tok_k12);
    college1 = post_id(U "/colleges", tok_section, "{\"code\":\"01\",\"name\":\"数学学院\"}");
    college2 = post_id(U "/colleges", tok_section, "{\"code\":\"02\",\"name\":\"计算机学院\"}");
    account("ui_dean", "school", UNI, "dean", college1, tok_dean);
    major1 = post_id(U "/majors", tok_section,
                     fmt("{\"college\":%lld,\"code\":\"070101\",\"name\":\"数学与应用数学\","
                         "\"level\":\"undergraduate\",\"years\":4}",
                         college1));
    major2 = post_id(U "/majors", tok_section,
                     fmt("{\"college\":%lld,\"code\":\"610201\",\"name\":\"软件技术\","
                         "\"level\":\"junior\",\"years\":3}",
                         college2));
    post_id(U "/uni-classes", tok_section,
            fmt("{\"major\":%lld,\"cohort\":2025,\"number\":1}", major1));
    post_id(U "/uni-classes", tok_section,
            fmt("{\"major\":%lld,\"cohort\":2025,\"number\":2}", major1));
    post_id(U "/uni-classes", tok_section,
            fmt("{\"major\":%lld,\"cohort\":2025,\"number\":1}", major2));
}

/* ---- files ---- */

typedef struct ufile {
    base_buf b;
    int rows; /* data rows so far: the next is sheet row rows + 2 */
} ufile;

static void
csv_begin(ufile *f)
{
    memset(f, 0, sizeof(*f));
    const char *h[CORE_UF_NCOLS];
    for (int c = 0; c < CORE_UF_NCOLS; c++)
        h[c] = core_uni_file_title(c);
    fmt_csv_write_row(&f->b, h, CORE_UF_VERSION); /* a CSV without the version column */
}

/* A good row of student `no` (a fresh person) in college/major/cohort/class; its sheet row. */
static int
csv_good(ufile *f, const char *no, const char *college, const char *major, const char *cls)
{
    const char *id = id_number(idseq++);
    char birth[16];
    snprintf(birth, sizeof(birth), "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
    const char *c[CORE_UF_VERSION] = {no,
                                      fmt("学生%s", no),
                                      gender_of(id, 1),
                                      birth,
                                      "汉族",
                                      "中国",
                                      "1",
                                      id,
                                      college,
                                      major,
                                      "2025级",
                                      cls,
                                      "",
                                      "2025-09-01",
                                      ""};
    fmt_csv_write_row(&f->b, c, CORE_UF_VERSION);
    return ++f->rows + 1;
}

/* A row with cell `col` of a good row replaced by `v`; its sheet row. */
static int
csv_with(ufile *f, const char *no, int col, const char *v)
{
    const char *id = id_number(idseq++);
    if (col == CORE_UF_ID_NUMBER && strlen(v) == 18)
        id = v; /* the birth date the ID number says */
    char birth[16];
    snprintf(birth, sizeof(birth), "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
    const char *c[CORE_UF_VERSION] = {
        no,   fmt("学生%s", no), gender_of(id, 0), birth, "01",   "CHN", "1", id,
        "01", "070101",          "2025",           "1",   "本科", "",    ""};
    c[col] = v;
    fmt_csv_write_row(&f->b, c, CORE_UF_VERSION);
    return ++f->rows + 1;
}

/* POST /imports?<query> with `f` as `tok`: the status, the job id in *out_id. */
static long
upload(const char *tok, const char *query, const ufile *f, long long *out_id)
{
    ht_resp r;
    call("POST", fmt("/api/v1/imports?%s", query), tok, "application/octet-stream",
         (const char *)f->b.p, f->b.n, &r);
    long st = r.status;
    if (out_id)
        *out_id = st < 300 ? json_integer_value(json_object_get(r.json, "id")) : 0;
    if (st >= 300 && st != 401)
        ck_assert_ptr_nonnull(ht_json_str(r.json, "code"));
    ht_resp_free(&r);
    return st;
}

static void
wait_job(long long id, ht_resp *out)
{
    for (int i = 0; i < 600; i++) {
        call("GET", fmt("/api/v1/imports/%lld", id), tok_section, NULL, NULL, 0, out);
        ck_assert_msg(out->status == 200, "%ld %s", out->status, out->body);
        const char *st = ht_json_str(out->json, "state");
        if (strcmp(st, "done") == 0 || strcmp(st, "failed") == 0)
            return;
        ht_resp_free(out);
        ht_sleep_ms(50);
    }
    ck_abort_msg("import %lld did not finish", id);
}

/* Upload `f` in mode uni_students as the registrar section and wait for the job. */
static long long
run(ufile *f, ht_resp *out)
{
    long long id = 0;
    ck_assert_int_eq(upload(tok_section, "mode=uni_students", f, &id), 202);
    base_buf_free(&f->b);
    wait_job(id, out);
    return id;
}

static long long
jint(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* The first error of sheet row `row`: its code (and message, column). */
static const char *
error_at(const ht_resp *r, int row, const char **message, const char **column)
{
    const json_t *x;
    size_t i;
    json_array_foreach(json_object_get(r->json, "errors"), i, x)
    {
        if (jint(x, "row") != row)
            continue;
        if (message)
            *message = ht_json_str(x, "message");
        if (column)
            *column = json_string_value(json_object_get(x, "column"));
        return ht_json_str(x, "code");
    }
    return NULL;
}

/* ---- tests ---- */

typedef struct sheet_rows {
    char head[CORE_UF_NCOLS][64];
    int n;
} sheet_rows;

static int
keep_head(void *ctx, const fmt_sheet_row *row, app_err *err)
{
    (void)err;
    sheet_rows *s = ctx;
    if (s->n++ == 0)
        for (size_t c = 0; c < row->ncells && c < CORE_UF_NCOLS; c++)
            snprintf(s->head[c], sizeof(s->head[c]), "%.*s", (int)row->cells[c].len,
                     row->cells[c].s);
    return 0;
}

START_TEST(test_template)
{
    ht_resp r;
    call("GET", "/api/v1/templates/uni-students.xlsx", tok_section, NULL, NULL, 0, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_ptr_nonnull(strstr(ht_header(&r, "content-type"), "spreadsheetml"));
    ck_assert_str_eq(ht_header(&r, "x-template-version"), CORE_UNI_FILE_VERSION);
    sheet_rows s;
    memset(&s, 0, sizeof(s));
    app_err e = {0};
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    ck_assert_int_eq(fmt_xlsx_read((const unsigned char *)r.body, r.len, CORE_UNI_FILE_SHEET, &lim,
                                   keep_head, &s, &e),
                     0);
    ck_assert_int_eq(s.n, 1); /* the header only */
    ck_assert_str_eq(s.head[0], "学号");
    ck_assert_str_eq(s.head[CORE_UF_COLLEGE], "学院");
    ck_assert_str_eq(s.head[CORE_UF_CLASS], "班级");
    ck_assert_str_eq(s.head[CORE_UF_VERSION], "模板版本:" CORE_UNI_FILE_VERSION);
    ht_resp_free(&r);
}
END_TEST

/* The template filled in as .xlsx: N rows, N students, each as the API makes one. */
START_TEST(test_good_file)
{
    enum { N = 6 };
    long long before = students();
    long long audit0 = count_of("SELECT count(*) FROM audit WHERE action = 'uni_student_create'");
    fmt_xlsx_col cv[CORE_UF_NCOLS];
    for (int c = 0; c < CORE_UF_NCOLS; c++)
        core_uni_file_col(c, &cv[c]);
    fmt_xlsx_writer *w = fmt_xlsx_writer_new();
    fmt_xlsx_sheet_opts so = {cv, CORE_UF_NCOLS, 1, 0};
    app_err e = {0};
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, CORE_UNI_FILE_SHEET, &so, &e), 0);
    const char *head[CORE_UF_NCOLS];
    for (int c = 0; c < CORE_UF_NCOLS; c++)
        head[c] = core_uni_file_title(c);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, head, CORE_UF_NCOLS, &e), 0);
    /* by code and by name, 本科 and 专科, with and without dates */
    static const char *const place[N][5] = {{"01", "070101", "2025", "1", "本科"},
                                            {"数学学院", "数学与应用数学", "2025级", "2班", ""},
                                            {"01", "数学与应用数学", "2025", "1", ""},
                                            {"02", "610201", "2025", "1", "专科"},
                                            {"计算机学院", "软件技术", "2025", "1班", "专科"},
                                            {"01", "070101", "2025", "2", "本科"}};
    char first[19] = "";
    for (int i = 0; i < N; i++) {
        const char *id = id_number(idseq++);
        if (i == 0)
            snprintf(first, sizeof(first), "%s", id);
        char birth[16], no[16];
        snprintf(birth, sizeof(birth), "%.4s-%.2s-%.2s", id + 6, id + 10, id + 12);
        snprintf(no, sizeof(no), "2025%04d", i + 1);
        const char *c[CORE_UF_NCOLS] = {no,
                                        fmt("好学生%d", i),
                                        gender_of(id, i % 2),
                                        birth,
                                        "01 汉族",
                                        "CHN",
                                        "居民身份证",
                                        id,
                                        place[i][0],
                                        place[i][1],
                                        place[i][2],
                                        place[i][3],
                                        place[i][4],
                                        i == 0 ? "2025-09-06" : "",
                                        "",
                                        ""};
        ck_assert_int_eq(fmt_xlsx_writer_row(w, c, CORE_UF_NCOLS, &e), 0);
    }
    ufile f;
    memset(&f, 0, sizeof(f));
    unsigned char *x = NULL;
    size_t n = 0;
    ck_assert_int_eq(fmt_xlsx_writer_finish(w, &x, &n, &e), 0);
    fmt_xlsx_writer_free(w);
    base_buf_add(&f.b, x, n);
    free(x);
    ht_resp r;
    run(&f, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_str_eq(ht_json_str(r.json, "mode"), "uni_students");
    ck_assert_msg(jint(r.json, "created") == N && jint(r.json, "rejected") == 0, "%s", r.body);
    ht_resp_free(&r);
    ck_assert_int_eq(students() - before, N);
    ck_assert_int_eq(
        count_of("SELECT count(*) FROM audit WHERE action = 'uni_student_create'") - audit0, N);
    /* the student as the API shows it: placed, dated, ID number masked */
    call("GET", U "/uni-students/20250001", tok_section, NULL, NULL, 0, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_ptr_null(strstr(r.body, first));
    ht_resp_free(&r);
    ck_assert_int_eq(
        count_of("SELECT to_char(entry_date, 'YYYYMMDD') FROM uni_student WHERE school = '" UNI
                 "' AND student_no = '20250001'"),
        20250906);
    ck_assert_int_eq(
        count_of(
            "SELECT to_char(expected_graduation, 'YYYYMMDD') FROM uni_student WHERE school = '" UNI
            "' AND student_no = '20250004'"),
        20280701); /* 专科, 3 years */
    ck_assert_int_eq(count_of("SELECT count(*) FROM uni_student u JOIN uni_class k ON k.id ="
                              " u.class_id WHERE u.school = '" UNI "' AND u.student_no ="
                              " '20250002' AND k.number = 2"),
                     1);
}
END_TEST

/* Every row wrong, each its own way: as many row errors, nothing created. */
START_TEST(test_every_row_wrong)
{
    /* a student already there, whose 学号 and person the file repeats */
    ufile f;
    csv_begin(&f);
    int first_id = idseq;
    csv_good(&f, "20259901", "01", "070101", "1");
    ht_resp r;
    run(&f, &r);
    ck_assert_msg(jint(r.json, "created") == 1, "%s", r.body);
    ht_resp_free(&r);
    long long before = students();

    csv_begin(&f);
    struct {
        int row;
        const char *code, *column;
    } want[16];
    int n = 0;
#define WANT(expr, c, col) (want[n].row = (expr), want[n].code = (c), want[n++].column = (col))
    WANT(csv_with(&f, "20259801", CORE_UF_COLLEGE, "99"), "college_not_found", "I");
    WANT(csv_with(&f, "20259802", CORE_UF_MAJOR, "610201"), "major_not_found",
         "J"); /* college 02's */
    WANT(csv_with(&f, "20259803", CORE_UF_CLASS, "7"), "class_not_found", "L");
    WANT(csv_with(&f, "20259804", CORE_UF_CLASS, "甲班"), "invalid_class_number", "L");
    WANT(csv_with(&f, "20259805", CORE_UF_COHORT, "二〇二五"), "invalid_cohort", "K");
    WANT(csv_with(&f, "20259806", CORE_UF_LEVEL, "专科"), "study_level_mismatch", "M");
    WANT(csv_with(&f, "20259807", CORE_UF_LEVEL, "硕士"), "invalid_level", "M");
    WANT(csv_with(&f, "20259808", CORE_UF_ID_NUMBER, "410102200601010000"), "invalid_id_number",
         "H");
    WANT(csv_with(&f, "20259809", CORE_UF_NAME, ""), "missing_field", "B");
    WANT(csv_with(&f, "x1", CORE_UF_STUDENT_NO, "x1"), "invalid_student_no", "A");
    WANT(csv_with(&f, "20259901", CORE_UF_STUDENT_NO, "20259901"), "student_no_taken", "A");
    WANT(csv_with(&f, "20259810", CORE_UF_ID_NUMBER, id_number(first_id)), "duplicate_enrolled",
         "H");
    WANT(csv_with(&f, "20259811", CORE_UF_ENTRY_DATE, "2025-13-01"), "invalid_date", "N");
#undef WANT
    run(&f, &r);
    ck_assert_msg(jint(r.json, "created") == 0 && jint(r.json, "rejected") == n, "%s", r.body);
    for (int i = 0; i < n; i++) {
        const char *msg = NULL, *col = NULL;
        const char *code = error_at(&r, want[i].row, &msg, &col);
        ck_assert_msg(code != NULL, "row %d: no error in %s", want[i].row, r.body);
        ck_assert_msg(strcmp(code, want[i].code) == 0, "row %d: %s, not %s", want[i].row, code,
                      want[i].code);
        ck_assert_msg(col != NULL && strcmp(col, want[i].column) == 0, "row %d (%s): column %s",
                      want[i].row, code, col ? col : "null");
        /* in Chinese: the header of the column, the problem's title */
        ck_assert_msg(msg != NULL && (unsigned char)msg[0] >= 0x80, "row %d: %s", want[i].row,
                      msg ? msg : "null");
    }
    long long id = jint(r.json, "id");
    ht_resp_free(&r);
    ck_assert_int_eq(students(), before);
    /* the rows to fix, in the file's own columns */
    call("GET", fmt("/api/v1/imports/%lld/errors.xlsx", id), tok_section, NULL, NULL, 0, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    sheet_rows s;
    memset(&s, 0, sizeof(s));
    app_err e = {0};
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    ck_assert_int_eq(fmt_xlsx_read((const unsigned char *)r.body, r.len, CORE_UNI_FILE_SHEET, &lim,
                                   keep_head, &s, &e),
                     0);
    ck_assert_int_eq(s.n, 1 + n);
    ck_assert_str_eq(s.head[CORE_UF_COLLEGE], "学院");
    ht_resp_free(&r);
}
END_TEST

/* Only a university's registrar section imports university students. */
START_TEST(test_who_may)
{
    ufile f;
    csv_begin(&f);
    csv_good(&f, "20258001", "01", "070101", "1");
    /* a K-12 school's registrar: 403, and its own modes stay its own */
    ck_assert_int_eq(upload(tok_k12, "mode=uni_students", &f, NULL), 403);
    /* the university's registrar section: only this mode */
    ck_assert_int_eq(upload(tok_section, "mode=create", &f, NULL), 403);
    ck_assert_int_eq(upload(tok_section, "mode=classes", &f, NULL), 403);
    /* another office of the university, the province, nobody */
    ck_assert_int_eq(upload(tok_dean, "mode=uni_students", &f, NULL), 403);
    ck_assert_int_eq(upload(tok_henan, "mode=uni_students", &f, NULL), 403);
    ck_assert_int_eq(upload(NULL, "mode=uni_students", &f, NULL), 401);
    long long id = 0;
    ck_assert_int_eq(upload(tok_section, "mode=uni_students", &f, &id), 202);
    base_buf_free(&f.b);
    ht_resp r;
    wait_job(id, &r);
    ck_assert_msg(jint(r.json, "created") == 1, "%s", r.body);
    ht_resp_free(&r);
    /* the job: the section and the bureaus above see it, a K-12 registrar does not */
    call("GET", fmt("/api/v1/imports/%lld", id), tok_k12, NULL, NULL, 0, &r);
    ht_assert_problem(&r, 404, "import_not_found");
    ht_resp_free(&r);
    call("GET", fmt("/api/v1/imports/%lld", id), tok_dean, NULL, NULL, 0, &r);
    ht_assert_problem(&r, 404, "import_not_found");
    ht_resp_free(&r);
    call("GET", fmt("/api/v1/imports/%lld", id), tok_henan, NULL, NULL, 0, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
}
END_TEST

/* The student template uploaded as university students: refused as a whole. */
START_TEST(test_wrong_header)
{
    ufile f;
    memset(&f, 0, sizeof(f));
    const char *h[] = {"姓名", "性别", "出生日期"};
    fmt_csv_write_row(&f.b, h, 3);
    const char *c[] = {"张三", "1", "2006-01-01"};
    fmt_csv_write_row(&f.b, c, 3);
    long long before = students();
    ht_resp r;
    run(&f, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "failed");
    const char *code = error_at(&r, 1, NULL, NULL);
    ck_assert_ptr_nonnull(code);
    ck_assert_str_eq(code, "template_mismatch");
    ht_resp_free(&r);
    ck_assert_int_eq(students(), before);
}
END_TEST

/* 2,000 wrong rows: every one reported, in seconds. */
START_TEST(test_large_all_wrong_is_fast)
{
    enum { N = 2000 };
    ufile f;
    csv_begin(&f);
    for (int i = 0; i < N; i++) {
        char no[16];
        snprintf(no, sizeof(no), "2026%05d", i);
        if (i % 3 == 1)
            csv_with(&f, no, CORE_UF_COLLEGE, "不存在学院");
        else if (i % 3 == 2)
            csv_with(&f, no, CORE_UF_CLASS, "9"); /* read from the database: no such class */
        else
            csv_with(&f, no, CORE_UF_ID_NUMBER, "410102200601010000");
    }
    long long before = students();
    long long t0 = ht_now_ms();
    ht_resp r;
    run(&f, &r);
    long long ms = ht_now_ms() - t0;
    ck_assert_msg(jint(r.json, "rejected") == N && jint(r.json, "created") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "errors_total"), N);
    ht_resp_free(&r);
    ck_assert_int_eq(students(), before);
    fprintf(stderr, "uni_import: %d wrong rows in %lld ms\n", N, ms);
    ck_assert_msg(ms < 10000, "%d wrong rows took %lld ms", N, ms);
}
END_TEST

START_TEST(test_shared_servers_exited_cleanly)
{
    ht_assert_shared_exits();
}
END_TEST

static const char *const env[] = {"XUEJI_IMPORT_POLL_MS=50", NULL};

static void
start(void)
{
    ht_shared_start_env(env);
}

int
main(void)
{
    ht_global_init();
    Suite *s = suite_create("uni-import");
    TCase *tc = tcase_create("uni-import");
    tcase_add_unchecked_fixture(tc, start, NULL);
    tcase_add_checked_fixture(tc, build, NULL);
    tcase_set_timeout(tc, ht_timeout(120));
    tcase_add_test(tc, test_template);
    tcase_add_test(tc, test_good_file);
    tcase_add_test(tc, test_every_row_wrong);
    tcase_add_test(tc, test_who_may);
    tcase_add_test(tc, test_wrong_header);
    tcase_add_test(tc, test_large_all_wrong_is_fast);
    suite_add_tcase(s, tc);
    tc = tcase_create("clean-exit");
    tcase_add_unchecked_fixture(tc, ht_shared_stop, NULL);
    tcase_add_test(tc, test_shared_servers_exited_cleanly);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}
