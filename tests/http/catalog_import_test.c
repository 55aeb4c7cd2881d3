/*
 * tests/http/catalog_import_test.c - the catalog files through the import
 * jobs (core/uni_catalog_file.h): the templates; good course, plan and
 * section files create what they say and a re-import reports them
 * unchanged; rows wrong in the file or against the catalog are reported
 * with their column in Chinese; an all-wrong file of 20,000 rows has every
 * row reported; only the registrar section uploads.
 */
#define CW_UNI "4141019912"
#define CW_K12 "2141019912"
#define CW_P "cim_"
#define CW_ID "410102200703070031"
#define CW_TAG "乙"
#include "core/uni_catalog_file.h"
#include "formats/xlsx.h"
#include "tests/http/catalog_world.h"

/* An .xlsx of catalog file `mode`: the header, n rows of cells, then
   `blank` empty rows (the same rows as another file's, with other bytes: an
   upload of the very same bytes is the same job). */
static void
xlsx_of(const char *mode, const char *const *cells, int n, int blank, unsigned char **out,
        size_t *out_len)
{
    const core_catfile *f = core_catfile_of(mode);
    int nc = core_catfile_ncols(f);
    fmt_xlsx_col cv[CORE_CATFILE_MAX_COLS];
    const char *head[CORE_CATFILE_MAX_COLS];
    for (int c = 0; c < nc; c++) {
        core_catfile_col(f, c, &cv[c]);
        head[c] = core_catfile_title(f, c);
    }
    fmt_xlsx_writer *w = fmt_xlsx_writer_new();
    fmt_xlsx_sheet_opts so = {cv, (size_t)nc, 1, 0};
    app_err e = {0};
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, core_catfile_sheet(f), &so, &e), 0);
    ck_assert_int_eq(fmt_xlsx_writer_row(w, head, (size_t)nc, &e), 0);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(
            fmt_xlsx_writer_row(w, cells + (size_t)i * (size_t)(nc - 1), (size_t)(nc - 1), &e), 0);
    static const char *const empty[CORE_CATFILE_MAX_COLS] = {"", "", "", "", "", "", "", ""};
    for (int i = 0; i < blank; i++)
        ck_assert_int_eq(fmt_xlsx_writer_row(w, empty, (size_t)(nc - 1), &e), 0);
    ck_assert_int_eq(fmt_xlsx_writer_finish(w, out, out_len, &e), 0);
    fmt_xlsx_writer_free(w);
}

/* POST /imports?mode=<mode> as `tok`: the status; the job id in *out_id. */
static long
upload(const char *tok, const char *mode, const unsigned char *x, size_t n, long long *out_id)
{
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
    const char *h[] = {auth, "Content-Type: application/octet-stream", NULL};
    ht_resp r;
    ck_assert_int_eq(ht_request(cw_srv, "POST", cfmt("/api/v1/imports?mode=%s", mode), h,
                                (const char *)x, n, &r),
                     0);
    long st = r.status;
    *out_id = st == 202 ? json_integer_value(json_object_get(r.json, "id")) : 0;
    ht_resp_free(&r);
    return st;
}

static void
wait_job(long long id, ht_resp *out)
{
    for (int i = 0; i < 800; i++) {
        ccall("GET", cfmt("/api/v1/imports/%lld", id), tok_sec, NULL, NULL, out);
        ck_assert_msg(out->status == 200, "%ld %s", out->status, out->body);
        const char *st = ht_json_str(out->json, "state");
        if (strcmp(st, "done") == 0 || strcmp(st, "failed") == 0)
            return;
        ht_resp_free(out);
        ht_sleep_ms(25);
    }
    ck_abort_msg("import %lld did not finish", id);
}

/* Import n rows of `mode` (and `blank` empty ones) as the registrar
   section; the finished job in *out. */
static void
import_rows(const char *mode, const char *const *cells, int n, int blank, ht_resp *out)
{
    unsigned char *x = NULL;
    size_t len = 0;
    long long id = 0;
    xlsx_of(mode, cells, n, blank, &x, &len);
    ck_assert_int_eq(upload(tok_sec, mode, x, len, &id), 202);
    free(x);
    wait_job(id, out);
    ck_assert_msg(strcmp(ht_json_str(out->json, "state"), "done") == 0, "%s", out->body);
}

static long long
jint(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* The job's counts "created/updated/unchanged/rejected". */
static const char *
counts(const ht_resp *r)
{
    return cfmt("%lld/%lld/%lld/%lld", jint(r->json, "created"), jint(r->json, "updated"),
                jint(r->json, "unchanged"), jint(r->json, "rejected"));
}

/* The error of sheet row `row`: its code, column and message. */
static const char *
error_at(const ht_resp *r, int row, const char **column, const char **message)
{
    const json_t *x;
    size_t i;
    json_array_foreach(json_object_get(r->json, "errors"), i, x)
    {
        if (jint(x, "row") != row)
            continue;
        *column = json_string_value(json_object_get(x, "column"));
        *message = ht_json_str(x, "message");
        return ht_json_str(x, "code");
    }
    return NULL;
}

static void
assert_error(const ht_resp *r, int row, const char *code, const char *column)
{
    const char *col = NULL, *msg = NULL;
    const char *got = error_at(r, row, &col, &msg);
    ck_assert_msg(got != NULL && strcmp(got, code) == 0, "row %d: %s in %s", row,
                  got ? got : "none", r->body);
    ck_assert_msg(col != NULL && strcmp(col, column) == 0, "row %d: column %s", row,
                  col ? col : "null");
    ck_assert_msg((unsigned char)msg[0] >= 0x80, "row %d: message %s", row, msg);
}

START_TEST(test_templates)
{
    static const char *const modes[] = {"courses", "plans", "sections"};
    for (int i = 0; i < 3; i++) {
        ht_resp r;
        ccall("GET", cfmt("/api/v1/templates/%s.xlsx", modes[i]), tok_sec, NULL, NULL, &r);
        ck_assert_msg(r.status == 200, "%s: %ld", modes[i], r.status);
        ck_assert_str_eq(ht_header(&r, "x-template-version"), cfmt("xueji-%s-1", modes[i]));
        ck_assert(r.len > 4 && memcmp(r.body, "PK", 2) == 0);
        ht_resp_free(&r);
    }
}
END_TEST

START_TEST(test_good_files)
{
    long long audits = atoll(cval("SELECT count(*) FROM audit WHERE action = 'uni_course_create'"));
    const char *courses[] = {
        "IM101", "数据结构", "必修",       "4",   "64", "CT01",       /* by code */
        "IM102", "操作系统", "compulsory", "3.5", "56", "计算机学院", /* by name */
        "IM201", "机器学习", "选修",       "2",   "32", "CT01",       /* */
        "IM901", "羽毛球",   "体育",       "1",   "32", "体育学院",
    };
    ht_resp r;
    import_rows("courses", courses, 4, 0, &r);
    ck_assert_str_eq(counts(&r), "4/0/0/0");
    ht_resp_free(&r);
    ck_assert_int_eq(atoll(cval("SELECT count(*) FROM audit WHERE action = 'uni_course_create'")),
                     audits + 4);
    ccall("GET", CU "/courses/IM102", tok_stu, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "college"), "CT01");
    ck_assert(json_real_value(json_object_get(r.json, "credits")) == 3.5);
    ht_resp_free(&r);
    /* the same file again: nothing changes */
    import_rows("courses", courses, 4, 1, &r);
    ck_assert_str_eq(counts(&r), "0/0/4/0");
    ht_resp_free(&r);
    /* one row changed: that course only, a new version */
    courses[4 * 6 - 2] = "36";
    import_rows("courses", courses, 4, 0, &r);
    ck_assert_str_eq(counts(&r), "0/1/3/0");
    ht_resp_free(&r);
    ck_assert_str_eq(cval("SELECT hours || '/' || version FROM uni_course WHERE school = '" CW_UNI
                          "' AND code = 'IM901'"),
                     "36/2");

    const char *plans[] = {"CT0101", "2025", "IM101",  "1",    "CT0101", "2025级",
                           "IM102",  "2",    "CT0102", "2025", "IM201",  "3"};
    import_rows("plans", plans, 3, 0, &r);
    ck_assert_str_eq(counts(&r), "3/0/0/0");
    ht_resp_free(&r);
    import_rows("plans", plans, 3, 1, &r);
    ck_assert_str_eq(counts(&r), "0/0/3/0");
    ht_resp_free(&r);
    ccall("GET", CU "/plans/CT0101/2025", tok_stu, NULL, NULL, &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "entries")), 2);
    ht_resp_free(&r);

    const char *sections[] = {"IM101",
                              "2026-2",
                              "1",
                              CW_P "teacher1",
                              "60",
                              "2025",
                              "CT0101、CT0102",
                              "IM901",
                              "2026-2",
                              "1",
                              "",
                              "20",
                              "",
                              ""};
    import_rows("sections", sections, 2, 0, &r);
    ck_assert_str_eq(counts(&r), "2/0/0/0");
    ht_resp_free(&r);
    import_rows("sections", sections, 2, 1, &r);
    ck_assert_str_eq(counts(&r), "0/0/2/0");
    ht_resp_free(&r);
    ccall("GET", CU "/sections?term=2026-2&course=IM101", tok_stu, NULL, NULL, &r);
    json_t *s = json_array_get(json_object_get(r.json, "items"), 0);
    ck_assert_str_eq(ht_json_str(s, "teacher"), CW_P "teacher1");
    ck_assert_int_eq(json_array_size(json_object_get(s, "majors")), 2);
    ck_assert_int_eq(jint(s, "free"), 60);
    ht_resp_free(&r);
}
END_TEST

/* Rows wrong in the file or against the catalog: each reported at its column, in Chinese. */
START_TEST(test_wrong_rows)
{
    const char *courses[] = {
        "IX1", "好课", "必修课", "2",    "32",   "CT01",     /* row 2: kind */
        "IX2", "好课", "选修",   "0.25", "32",   "CT01",     /* row 3: credits */
        "IX3", "好课", "选修",   "2",    "32",   "无此院系", /* row 4: college */
        "",    "好课", "选修",   "2",    "2000", "CT01",     /* row 5: code, hours */
    };
    ht_resp r;
    import_rows("courses", courses, 4, 0, &r);
    ck_assert_str_eq(counts(&r), "0/0/0/4");
    assert_error(&r, 2, "invalid_course_kind", "C");
    assert_error(&r, 3, "invalid_credits", "D");
    assert_error(&r, 4, "college_not_found", "F");
    assert_error(&r, 5, "missing_field", "A");
    ht_resp_free(&r);
    const char *plans[] = {"NOPE",  "2025", "IM101",  "1",    "CT0101", "2025",
                           "NOPE1", "1",    "CT0101", "2025", "IM101",  "17"};
    import_rows("plans", plans, 3, 0, &r);
    ck_assert_str_eq(counts(&r), "0/0/0/3");
    assert_error(&r, 2, "major_not_found", "A");
    assert_error(&r, 3, "unknown_course", "C");
    assert_error(&r, 4, "invalid_term_no", "D");
    ht_resp_free(&r);
    const char *sections[] = {"IX9",   "2026-2", "1", "",       "30", "", "",
                              "IM101", "2026-2", "2", "nobody", "30", "", "CT0101,ZZ"};
    import_rows("sections", sections, 2, 0, &r);
    ck_assert_str_eq(counts(&r), "0/0/0/2");
    assert_error(&r, 2, "unknown_course", "A");
    assert_error(&r, 3, "teacher_not_found", "D");
    ht_resp_free(&r);
}
END_TEST

/* 20,000 wrong rows: every one reported, quickly. */
START_TEST(test_all_wrong_file)
{
    enum { N = 20000 };
    const char **cells = calloc((size_t)N * 6, sizeof(*cells));
    char(*codes)[16] = calloc(N, sizeof(*codes));
    for (int i = 0; i < N; i++) {
        snprintf(codes[i], sizeof(codes[i]), "W%05d", i);
        const char *row[6] = {codes[i], "错误课程", "必修课", "2", "32", "CT01"};
        memcpy(cells + (size_t)i * 6, row, sizeof(row));
    }
    long long t0 = ht_now_ms();
    ht_resp r;
    import_rows("courses", cells, N, 0, &r);
    long long ms = ht_now_ms() - t0;
    ck_assert_str_eq(counts(&r), "0/0/0/20000");
    ck_assert_int_eq(jint(r.json, "errors_total"), N);
    long long id = jint(r.json, "id");
    ht_resp_free(&r);
    fprintf(stderr, "catalog import: %d wrong rows reported in %lld ms\n", N, ms);
    ck_assert_msg(ms < ht_timeout(10000), "%lld ms", ms); /* 10 s, twice that with sanitizers */
    ck_assert_str_eq(
        cval("SELECT count(*) FROM uni_course WHERE school = '" CW_UNI "' AND code LIKE 'W%'"),
        "0");
    /* the rows to fix, in the file's own columns */
    ccall("GET", cfmt("/api/v1/imports/%lld/errors.xlsx", id), tok_sec, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld", r.status);
    ck_assert(r.len > 4 && memcmp(r.body, "PK", 2) == 0);
    ht_resp_free(&r);
    free(cells);
    free(codes);
}
END_TEST

START_TEST(test_who_may)
{
    const char *courses[] = {"IW1", "好课", "必修", "2", "32", "CT01"};
    unsigned char *x = NULL;
    size_t len = 0;
    long long id = 0;
    xlsx_of("courses", courses, 1, 0, &x, &len);
    ck_assert_int_eq(upload(tok_office, "courses", x, len, &id), 403);
    ck_assert_int_eq(upload(tok_stu, "courses", x, len, &id), 403);
    free(x);
}
END_TEST

START_TEST(test_shared_servers_exited_cleanly)
{
    ht_assert_shared_exits();
}
END_TEST

static void
start(void)
{
    static const char *const env[] = {"XUEJI_IMPORT_POLL_MS=25", NULL};
    ht_shared_start_env(env);
}

int
main(void)
{
    ht_global_init();
    Suite *s = suite_create("catalog_import");
    TCase *tc = tcase_create("catalog_import");
    tcase_add_unchecked_fixture(tc, start, NULL);
    tcase_add_checked_fixture(tc, cw_build, NULL);
    tcase_set_timeout(tc, ht_timeout(60));
    tcase_add_test(tc, test_templates);
    tcase_add_test(tc, test_good_files);
    tcase_add_test(tc, test_wrong_rows);
    tcase_add_test(tc, test_all_wrong_file);
    tcase_add_test(tc, test_who_may);
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
