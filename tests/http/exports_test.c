/*
 * tests/http/exports_test.c - files out of xuejid (API.md "Import, export,
 * reports"; issue #6; DOMAIN rules 27-28): the roster (花名册) as xlsx and
 * CSV, masked and revealed, scoped and audited; an exported roster edited
 * and imported again with mode=update; the rejected rows of an import
 * (errors.xlsx) fixed and imported again; enrollment statistics by grade
 * and gender, by school and county, as JSON and xlsx, within jurisdiction.
 *
 * The roster is streamed (docs/decisions/0010): a roster of more than one
 * page arrives whole and goes back in; a school of 30,000 students
 * (copies made in SQL) streams in full, and a client that hangs up early
 * (HTTP/1.1 and HTTP/2) or a stream that fails on the way (the student
 * table renamed under it) ends the call without harm to the server.
 *
 * The world is tests/lib/wfworld.h's: schools A and B (芙蓉区 430102), C
 * (天心区 430103), D (in 芙蓉区, managed by the city 430100); their
 * registrars, A's grade-13 leader, and the bureaus; here also E (芙蓉区),
 * for the copies. Files are read back with the server's own readers
 * (fmt_xlsx_read, fmt_csv_read).
 */
#include "base/buf.h"
#include "formats/csv.h"
#include "core/import.h"
#include "core/mask.h"
#include "formats/xlsx.h"
#include "tests/lib/wfworld.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>


#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define MAXROWS 4000 /* school A also gets the import suite's students when it runs first */
#define MAXCOLS (CORE_TEMPLATE_MAX_COLS + 4)

/* ------------------------------------------------------------ tables */

/* A sheet read back, or being built: row 0 is the header. */
typedef struct table {
    int nrows, ncols;
    long rownum[MAXROWS];
    char *cells[MAXROWS][MAXCOLS];
} table;

static table *
table_new(void)
{
    table *t = calloc(1, sizeof(*t));
    ck_assert_ptr_nonnull(t);
    return t;
}

static void
table_free(table *t)
{
    for (int r = 0; r < MAXROWS; r++)
        for (int c = 0; c < MAXCOLS; c++)
            free(t->cells[r][c]);
    free(t);
}

static const char *
cell(const table *t, int r, int c)
{
    return r < t->nrows && c < MAXCOLS && t->cells[r][c] ? t->cells[r][c] : "";
}

static void
set_cell(table *t, int r, int c, const char *v)
{
    free(t->cells[r][c]);
    t->cells[r][c] = strdup(v);
    if (c + 1 > t->ncols)
        t->ncols = c + 1;
    if (r + 1 > t->nrows)
        t->nrows = r + 1;
}

static int
collect(void *ctx, const fmt_sheet_row *row, app_err *err)
{
    (void)err;
    table *t = ctx;
    ck_assert_int_lt(t->nrows, MAXROWS);
    int r = t->nrows++;
    t->rownum[r] = row->row;
    for (size_t c = 0; c < row->ncells && c < MAXCOLS; c++) {
        t->cells[r][c] = strdup(row->cells[c].s);
        if ((int)c + 1 > t->ncols)
            t->ncols = (int)c + 1;
    }
    return 0;
}

static table *
read_xlsx(const char *body, size_t len)
{
    table *t = table_new();
    app_err e = {0};
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    int rc = fmt_xlsx_read((const unsigned char *)body, len, NULL, &lim, collect, t, &e);
    ck_assert_msg(rc == 0, "xlsx: %d %s %s", rc, e.slug ? e.slug : "", e.param);
    return t;
}

static table *
read_csv(const char *body, size_t len)
{
    table *t = table_new();
    app_err e = {0};
    fmt_csv_encoding enc;
    int rc = fmt_csv_read((const unsigned char *)body, len, NULL, collect, t, &enc, &e);
    ck_assert_msg(rc == 0, "csv: %d %s", rc, e.slug ? e.slug : "");
    ck_assert_int_eq(enc, FMT_CSV_UTF8);
    return t;
}

static unsigned char *
write_xlsx(const table *t, size_t *len)
{
    fmt_xlsx_writer *w = fmt_xlsx_writer_new();
    app_err e = {0};
    ck_assert_int_eq(fmt_xlsx_writer_sheet(w, CORE_TEMPLATE_SHEET, NULL, &e), 0);
    for (int r = 0; r < t->nrows; r++) {
        const char *cells[MAXCOLS];
        for (int c = 0; c < t->ncols; c++)
            cells[c] = cell(t, r, c);
        ck_assert_int_eq(fmt_xlsx_writer_row(w, cells, (size_t)t->ncols, &e), 0);
    }
    unsigned char *x;
    ck_assert_int_eq(fmt_xlsx_writer_finish(w, &x, len, &e), 0);
    fmt_xlsx_writer_free(w);
    return x;
}

static char *
write_csv(const table *t, size_t *len)
{
    base_buf b = {0};
    fmt_csv_write_bom(&b);
    for (int r = 0; r < t->nrows; r++) {
        const char *cells[MAXCOLS];
        for (int c = 0; c < t->ncols; c++)
            cells[c] = cell(t, r, c);
        fmt_csv_write_row(&b, cells, (size_t)t->ncols);
    }
    *len = b.n;
    return (char *)b.p;
}

/* The row whose 姓名 is `name`, or -1. */
static int
row_named(const table *t, const char *name)
{
    int c = wf_col_of("name", 0);
    for (int r = 1; r < t->nrows; r++)
        if (strcmp(cell(t, r, c), name) == 0)
            return r;
    return -1;
}

/* The template's header, then 学籍号 and 学籍状态. */
static void
assert_roster_header(const table *t)
{
    int n = core_template_ncols();
    ck_assert_int_ge(t->nrows, 1);
    for (int c = 0; c < n; c++) {
        char want[64];
        core_template_title(c, want, sizeof(want));
        ck_assert_str_eq(cell(t, 0, c), want);
    }
    ck_assert_str_eq(cell(t, 0, n), CORE_TPL_STUNO);
    ck_assert_str_eq(cell(t, 0, n + 1), CORE_TPL_STATE);
}

/* ------------------------------------------------------------ HTTP */

/* GET `path` as `who` with an X-Request-Id of our own. */
static void
get_rid(int who, const char *path, const char *rid, ht_resp *out)
{
    char auth[1100], xr[128];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[who]);
    snprintf(xr, sizeof(xr), "X-Request-Id: %s", rid);
    const char *h[] = {auth, xr, NULL};
    ck_assert_int_eq(ht_request(srv, "GET", path, h, NULL, 0, out), 0);
}

static void
get_ok(int who, const char *path, ht_resp *out)
{
    call("GET", path, who, NULL, out);
    ck_assert_msg(out->status == 200, "GET %s as %s: %ld %s", path, cast[who].user, out->status,
                  out->body);
}

/* The whole record as the registrar reads it revealed, without what an
   edit moves by itself (version, updated_at) and without `except`. */
static json_t *
record_of(long long id, const char *except)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/students/%lld?reveal=id_number", id);
    ht_resp r;
    get_ok(REG_A, path, &r);
    json_t *o = json_deep_copy(r.json);
    ht_resp_free(&r);
    json_object_del(o, "version");
    json_object_del(o, "updated_at");
    if (except)
        json_object_del(o, except);
    return o;
}

/* ------------------------------------------------------------ roster */

START_TEST(test_roster_xlsx_masked_and_scoped)
{
    stu a, b;
    enrol(REG_A, FURONG, 13, &a);
    enrol(REG_A, FURONG, 14, &b);
    ht_resp r;
    char rid[64];
    snprintf(rid, sizeof(rid), "export-xlsx-%lld", a.n);
    get_rid(REG_A, "/api/v1/students/export", rid, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_header(&r, "content-type"), XLSX_TYPE);
    ck_assert_ptr_nonnull(strstr(ht_header(&r, "content-disposition"), "attachment"));
    ck_assert_str_eq(ht_header(&r, "cache-control"), "no-store");
    table *t = read_xlsx(r.body, r.len);
    ck_assert_int_eq(atoll(ht_header(&r, "x-export-count")),
                     count_of("SELECT count(*) FROM student WHERE school = '" SCH_A "'"));
    ht_resp_free(&r);
    assert_roster_header(t);
    ck_assert_int_eq(t->nrows - 1,
                     count_of("SELECT count(*) FROM student WHERE school = '" SCH_A "'"));
    int ra = row_named(t, a.name), rb = row_named(t, b.name);
    ck_assert_int_gt(ra, 0);
    ck_assert_int_gt(rb, 0);
    /* personal numbers masked; codes as "code label"; the extra columns */
    char mask[32], phone[32];
    core_mask_id(a.idnum, mask, sizeof(mask));
    core_mask_phone("13900000000", phone, sizeof(phone));
    ck_assert_str_eq(cell(t, ra, wf_col_of("id_number", 0)), mask);
    ck_assert_str_eq(cell(t, ra, wf_col_of("phone", 0)), phone);
    ck_assert_str_eq(cell(t, ra, wf_col_of("gender", 0)), a.gender == 1 ? "1 男" : "2 女");
    ck_assert_str_eq(cell(t, ra, wf_col_of("ethnicity", 0)), "01 汉族");
    ck_assert_str_eq(cell(t, ra, wf_col_of("relation", 1)), "1 父亲");
    ck_assert_str_eq(cell(t, ra, wf_col_of("birth_date", 0)), a.birth);
    ck_assert_str_eq(cell(t, ra, wf_col_of("grade", 0)), "13");
    ck_assert_str_eq(cell(t, rb, wf_col_of("grade", 0)), "14");
    ck_assert_str_eq(cell(t, ra, wf_col_of("distance_km", 0)), "1.5");
    int n = core_template_ncols();
    char gmask[32];
    char g[32];
    snprintf(g, sizeof(g), "G%s", a.idnum);
    core_mask_stuno(g, gmask, sizeof(gmask));
    ck_assert_str_eq(cell(t, ra, n), gmask);
    ck_assert_str_eq(cell(t, ra, n + 1), "在籍");
    ck_assert_ptr_null(strstr(cell(t, ra, n), a.idnum));
    table_free(t);
    /* one audit row: who exported what */
    char want[96];
    snprintf(want, sizeof(want), "false %lld " SCH_A,
             count_of("SELECT count(*) FROM student WHERE school = '" SCH_A "'"));
    ck_assert_str_eq(scalar("SELECT detail->>'revealed' || ' ' || (detail->>'count') || ' ' ||"
                            " target_id FROM audit WHERE action = 'student.export' AND"
                            " request_id = '%s'",
                            rid),
                     want);

    /* the county over A exports A, given the school; a grade filter */
    get_ok(FURONG, "/api/v1/students/export?school=" SCH_A "&grade=14", &r);
    t = read_xlsx(r.body, r.len);
    ht_resp_free(&r);
    ck_assert_int_gt(row_named(t, b.name), 0);
    ck_assert_int_eq(row_named(t, a.name), -1);
    for (int i = 1; i < t->nrows; i++)
        ck_assert_str_eq(cell(t, i, wf_col_of("grade", 0)), "14");
    table_free(t);
    /* A's grade leader: grade 13 only, and no reveal */
    get_ok(GRADE_A, "/api/v1/students/export", &r);
    t = read_xlsx(r.body, r.len);
    ht_resp_free(&r);
    ck_assert_int_gt(row_named(t, a.name), 0);
    ck_assert_int_eq(row_named(t, b.name), -1);
    table_free(t);
    call_fails("GET", "/api/v1/students/export?reveal=id_number", GRADE_A, NULL, 403, "forbidden");

    /* outside: another school's registrar, another county; a bureau names its school */
    call_fails("GET", "/api/v1/students/export?school=" SCH_A, REG_B, NULL, 404,
               "school_not_found");
    call_fails("GET", "/api/v1/students/export?school=" SCH_A, TIANXIN, NULL, 404,
               "school_not_found");
    call_fails("GET", "/api/v1/students/export?school=" SCH_D, FURONG, NULL, 404,
               "school_not_found"); /* in 芙蓉区, but the city's school */
    call_fails("GET", "/api/v1/students/export?school=2143099999", FURONG, NULL, 404,
               "school_not_found");
    call_fails("GET", "/api/v1/students/export", FURONG, NULL, 400, "school_required");
    /* 天心区 sees its school C, where none of A's students are */
    get_ok(TIANXIN, "/api/v1/students/export?school=" SCH_C, &r);
    t = read_xlsx(r.body, r.len);
    ht_resp_free(&r);
    assert_roster_header(t);
    ck_assert_int_eq(row_named(t, a.name), -1);
    table_free(t);
    ck_assert_int_eq(count_of("SELECT count(*) FROM audit WHERE action = 'student.export'"
                              " AND actor_org = '430103' AND target_id = '" SCH_C "'"),
                     1);
    /* bad parameters */
    call_fails("GET", "/api/v1/students/export?format=pdf", REG_A, NULL, 400, "invalid_parameter");
    call_fails("GET", "/api/v1/students/export?grade=x", REG_A, NULL, 400, "invalid_parameter");
    call_fails("GET", "/api/v1/students/export?school=21430193", REG_A, NULL, 400,
               "invalid_parameter");
    call_fails("GET", "/api/v1/students/export?status=nope", REG_A, NULL, 400, "invalid_parameter");
    call_fails("GET", "/api/v1/students/export?reveal=phone", REG_A, NULL, 400,
               "invalid_parameter");
    call_fails("GET", "/api/v1/students/export", -1, NULL, 401, "unauthenticated");
}
END_TEST

START_TEST(test_roster_csv_revealed)
{
    stu a;
    enrol(REG_A, FURONG, 13, &a);
    ht_resp r;
    char rid[64];
    snprintf(rid, sizeof(rid), "export-csv-%lld", a.n);
    get_rid(REG_A, "/api/v1/students/export?format=csv&reveal=id_number&status=enrolled", rid, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_header(&r, "content-type"), "text/csv; charset=utf-8");
    ck_assert_str_eq(ht_header(&r, "cache-control"), "no-store");
    ck_assert_ptr_nonnull(strstr(ht_header(&r, "content-disposition"), ".csv"));
    ck_assert(r.len > 3 && memcmp(r.body, "\xEF\xBB\xBF", 3) == 0); /* the BOM */
    table *t = read_csv(r.body, r.len);
    ht_resp_free(&r);
    assert_roster_header(t);
    int ra = row_named(t, a.name);
    ck_assert_int_gt(ra, 0);
    /* in clear: the ID number, the phones, the G number */
    ck_assert_str_eq(cell(t, ra, wf_col_of("id_number", 0)), a.idnum);
    ck_assert_str_eq(cell(t, ra, wf_col_of("phone", 0)), "13900000000");
    ck_assert_str_eq(cell(t, ra, wf_col_of("phone", 1)), "13700000000");
    char g[32];
    snprintf(g, sizeof(g), "G%s", a.idnum);
    ck_assert_str_eq(cell(t, ra, core_template_ncols()), g);
    for (int i = 1; i < t->nrows; i++)
        ck_assert_str_eq(cell(t, i, core_template_ncols() + 1), "在籍");
    int rows = t->nrows - 1;
    table_free(t);
    /* the reveal is audited once, with the count */
    ck_assert_int_eq(count_of("SELECT count(*) FROM audit WHERE request_id = '%s'", rid), 1);
    char want[64];
    snprintf(want, sizeof(want), "true %d csv enrolled", rows);
    ck_assert_str_eq(scalar("SELECT detail->>'revealed' || ' ' || (detail->>'count') || ' ' ||"
                            " (detail->>'format') || ' ' || (detail->>'status') FROM audit"
                            " WHERE request_id = '%s' AND action = 'student.export'",
                            rid),
                     want);
    /* a bureau may reveal too; its audit row names the school */
    snprintf(rid, sizeof(rid), "export-county-%lld", a.n);
    get_rid(FURONG, "/api/v1/students/export?school=" SCH_A "&reveal=id_number&format=csv", rid,
            &r);
    ck_assert_int_eq(r.status, 200);
    t = read_csv(r.body, r.len);
    ht_resp_free(&r);
    ck_assert_str_eq(cell(t, row_named(t, a.name), wf_col_of("id_number", 0)), a.idnum);
    table_free(t);
    ck_assert_str_eq(scalar("SELECT actor_org || ' ' || target_id || ' ' || (detail->>'revealed')"
                            " FROM audit WHERE request_id = '%s'",
                            rid),
                     "430102 " SCH_A " true");
}
END_TEST

/* An exported roster, one cell edited, imported again with mode=update:
   that cell changes and nothing else does. */
START_TEST(test_roster_reimport_update)
{
    stu a, b;
    enrol(REG_A, FURONG, 14, &a);
    enrol(REG_A, FURONG, 14, &b);
    json_t *a0 = record_of(a.id, "current_address"), *b0 = record_of(b.id, NULL);
    long long bver = count_of("SELECT version FROM student WHERE id = %lld", b.id);
    ht_resp r;
    get_ok(REG_A, "/api/v1/students/export?grade=14&class=1&reveal=id_number", &r);
    table *t = read_xlsx(r.body, r.len);
    ht_resp_free(&r);
    int ra = row_named(t, a.name);
    ck_assert_int_gt(ra, 0);
    ck_assert_int_gt(row_named(t, b.name), 0);
    int rows = t->nrows - 1;
    set_cell(t, ra, wf_col_of("current_address", 0), "长沙市芙蓉区新地址1号");
    size_t len;
    unsigned char *x = write_xlsx(t, &len);
    table_free(t);
    long long id = wf_upload(REG_A, "mode=update", (const char *)x, len, 202);
    free(x);
    wf_wait_import(REG_A, id, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_msg(jint(r.json, "rejected") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "updated"), rows);
    ck_assert_int_eq(jint(r.json, "created"), 0);
    ht_resp_free(&r);
    /* the edited cell, and only it */
    ck_assert_str_eq(scalar("SELECT current_address FROM student WHERE id = %lld", a.id),
                     "长沙市芙蓉区新地址1号");
    json_t *a1 = record_of(a.id, "current_address"), *b1 = record_of(b.id, NULL);
    char *s0 = json_dumps(a0, JSON_SORT_KEYS), *s1 = json_dumps(a1, JSON_SORT_KEYS);
    ck_assert_str_eq(s1, s0);
    free(s0);
    free(s1);
    s0 = json_dumps(b0, JSON_SORT_KEYS);
    s1 = json_dumps(b1, JSON_SORT_KEYS);
    ck_assert_str_eq(s1, s0);
    free(s0);
    free(s1);
    json_decref(a0);
    json_decref(a1);
    json_decref(b0);
    json_decref(b1);
    ck_assert_int_eq(count_of("SELECT version FROM student WHERE id = %lld", b.id), bver);
    ck_assert_str_eq(scalar("SELECT string_agg(c->>'field', ',') FROM student_history h,"
                            " jsonb_array_elements(h.changes) c WHERE h.student_id = %lld"
                            " AND h.kind = 'edited'",
                            a.id),
                     "/current_address");
    ck_assert_int_eq(count_of("SELECT count(*) FROM student_history WHERE student_id = %lld"
                              " AND kind = 'edited'",
                              b.id),
                     0);

    /* the CSV roster goes back in unchanged: every row matched, nothing written */
    long long aver = count_of("SELECT version FROM student WHERE id = %lld", a.id);
    get_ok(REG_A, "/api/v1/students/export?grade=14&class=1&reveal=id_number&format=csv", &r);
    id = wf_upload(REG_A, "mode=update", r.body, r.len, 202);
    ht_resp_free(&r);
    wf_wait_import(REG_A, id, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_msg(jint(r.json, "rejected") == 0 && jint(r.json, "updated") == rows, "%s", r.body);
    ht_resp_free(&r);
    ck_assert_int_eq(count_of("SELECT version FROM student WHERE id = %lld", a.id), aver);
    ck_assert_int_eq(count_of("SELECT version FROM student WHERE id = %lld", b.id), bver);

    /* a masked roster cannot be matched: every row says so, nothing changes */
    get_ok(REG_A, "/api/v1/students/export?grade=14&class=1", &r);
    id = wf_upload(REG_A, "mode=update", r.body, r.len, 202);
    ht_resp_free(&r);
    wf_wait_import(REG_A, id, &r);
    ck_assert_int_eq(jint(r.json, "updated"), 0);
    ck_assert_int_eq(jint(r.json, "rejected"), rows);
    ht_resp_free(&r);
    ck_assert_int_eq(count_of("SELECT version FROM student WHERE id = %lld", b.id), bver);
}
END_TEST

/* ------------------------------------------------------------ errors.xlsx */

/* A new upload: the template's header; rows added by add_row. */
static table *
upload_table(void)
{
    table *t = table_new();
    for (int c = 0; c < core_template_ncols(); c++) {
        char h[64];
        core_template_title(c, h, sizeof(h));
        set_cell(t, 0, c, h);
    }
    return t;
}

/* A complete, valid row for `st` in grade 13 class 1; its index. */
static int
add_row(table *t, const stu *st)
{
    int r = t->nrows;
    set_cell(t, r, wf_col_of("name", 0), st->name);
    set_cell(t, r, wf_col_of("gender", 0), st->gender == 1 ? "1 男" : "2 女");
    set_cell(t, r, wf_col_of("birth_date", 0), st->birth);
    set_cell(t, r, wf_col_of("ethnicity", 0), "01");
    set_cell(t, r, wf_col_of("nationality", 0), "CHN");
    set_cell(t, r, wf_col_of("id_type", 0), "1");
    set_cell(t, r, wf_col_of("id_number", 0), st->idnum);
    set_cell(t, r, wf_col_of("hukou_region", 0), "430102000000");
    set_cell(t, r, wf_col_of("hukou_type", 0), "1");
    set_cell(t, r, wf_col_of("grade", 0), "13");
    set_cell(t, r, wf_col_of("class", 0), "1");
    set_cell(t, r, wf_col_of("enrolled_month", 0), "202209");
    set_cell(t, r, wf_col_of("entry_mode", 0), "1");
    set_cell(t, r, wf_col_of("study_mode", 0), "1");
    set_cell(t, r, wf_col_of("source", 0), "1");
    set_cell(t, r, wf_col_of("distance_km", 0), "1.5");
    set_cell(t, r, wf_col_of("transport", 0), "1");
    set_cell(t, r, wf_col_of("school_bus", 0), "0");
    set_cell(t, r, wf_col_of("name", 1), "导出家长");
    set_cell(t, r, wf_col_of("relation", 1), "1");
    set_cell(t, r, wf_col_of("phone", 1), "13700000000");
    set_cell(t, r, wf_col_of("guardian", 1), "1");
    return r;
}

static void
errors_path(long long id, char *out, size_t cap)
{
    snprintf(out, cap, "/api/v1/imports/%lld/errors.xlsx", id);
}

START_TEST(test_errors_xlsx)
{
    table *t = upload_table();
    stu ok1, bad1, ok2, bad2;
    stu_make(&ok1, 2016);
    stu_make(&bad1, 2016);
    stu_make(&ok2, 2016);
    stu_make(&bad2, 2016);
    add_row(t, &ok1);           /* sheet row 2 */
    int r3 = add_row(t, &bad1); /* row 3: a bad gender */
    set_cell(t, r3, wf_col_of("gender", 0), "9");
    add_row(t, &ok2);           /* row 4 */
    t->nrows++;                 /* row 5: empty */
    int r6 = add_row(t, &bad2); /* row 6: two mistakes */
    set_cell(t, r6, wf_col_of("phone", 0), "无");
    set_cell(t, r6, wf_col_of("ethnicity", 0), "99");
    set_cell(t, r6, wf_col_of("specialty", 0), "钢琴, \"八级\""); /* quotes and a comma */
    size_t len;
    char *csv = write_csv(t, &len);
    long long id = wf_upload(REG_A, "mode=create", csv, len, 202);
    free(csv);
    ht_resp r;
    wf_wait_import(REG_A, id, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "created"), 2);
    ck_assert_int_eq(jint(r.json, "rejected"), 2);
    ht_resp_free(&r);

    char path[96], rid[64];
    errors_path(id, path, sizeof(path));
    snprintf(rid, sizeof(rid), "errors-xlsx-%lld", id);
    get_rid(REG_A, path, rid, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_header(&r, "content-type"), XLSX_TYPE);
    ck_assert_ptr_nonnull(strstr(ht_header(&r, "content-disposition"), "attachment"));
    ck_assert_str_eq(ht_header(&r, "cache-control"), "no-store");
    table *e = read_xlsx(r.body, r.len);
    ht_resp_free(&r);
    int n = core_template_ncols();
    /* the header as uploaded, then the reason column */
    for (int c = 0; c < n; c++)
        ck_assert_str_eq(cell(e, 0, c), cell(t, 0, c));
    ck_assert_str_eq(cell(e, 0, n), "错误原因");
    /* exactly the rejected rows, as uploaded, with their reasons */
    ck_assert_int_eq(e->nrows, 3);
    ck_assert_str_eq(cell(e, 1, wf_col_of("name", 0)), bad1.name);
    ck_assert_str_eq(cell(e, 2, wf_col_of("name", 0)), bad2.name);
    for (int c = 0; c < n; c++) {
        ck_assert_str_eq(cell(e, 1, c), cell(t, r3, c));
        ck_assert_str_eq(cell(e, 2, c), cell(t, r6, c));
    }
    ck_assert_ptr_nonnull(strstr(cell(e, 1, n), "性别"));
    const char *why = cell(e, 2, n);
    ck_assert_msg(strstr(why, "联系电话") && strstr(why, "民族") && strstr(why, "；"), "reason: %s",
                  why);
    ck_assert_int_eq(count_of("SELECT count(*) FROM audit WHERE action = 'import.errors'"
                              " AND request_id = '%s' AND (detail->>'rows')::int = 2",
                              rid),
                     1);

    /* visible as the job is: the county over A yes; another school, another county no */
    get_ok(FURONG, path, &r);
    ht_resp_free(&r);
    call_fails("GET", path, REG_B, NULL, 404, "import_not_found");
    call_fails("GET", path, TIANXIN, NULL, 404, "import_not_found");
    call_fails("GET", path, GRADE_A, NULL, 404, "import_not_found");
    call_fails("GET", "/api/v1/imports/999999999/errors.xlsx", REG_A, NULL, 404,
               "import_not_found");
    call_fails("GET", "/api/v1/imports/abc/errors.xlsx", REG_A, NULL, 404, "import_not_found");

    /* fixed in the file itself (the reason column stays), it goes in */
    set_cell(e, 1, wf_col_of("gender", 0), bad1.gender == 1 ? "男" : "女");
    set_cell(e, 2, wf_col_of("phone", 0), "");
    set_cell(e, 2, wf_col_of("ethnicity", 0), "01 汉族");
    unsigned char *x = write_xlsx(e, &len);
    table_free(e);
    long long id2 = wf_upload(REG_A, "mode=create", (const char *)x, len, 202);
    free(x);
    wf_wait_import(REG_A, id2, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "created"), 2);
    ck_assert_int_eq(jint(r.json, "rejected"), 0);
    ht_resp_free(&r);
    ck_assert_str_eq(scalar("SELECT specialty FROM student WHERE name = '%s'", bad2.name),
                     "钢琴, \"八级\"");
    /* nothing rejected: the header alone */
    errors_path(id2, path, sizeof(path));
    get_ok(REG_A, path, &r);
    e = read_xlsx(r.body, r.len);
    ht_resp_free(&r);
    ck_assert_int_eq(e->nrows, 1);
    ck_assert_str_eq(cell(e, 0, n), "错误原因");
    table_free(e);
    table_free(t);
}
END_TEST

/* An atomic import applied nothing: every row comes back; a file refused as
   a whole has no rows; a job still running has none yet. */
START_TEST(test_errors_xlsx_atomic_and_states)
{
    table *t = upload_table();
    stu a, b;
    stu_make(&a, 2016);
    stu_make(&b, 2016);
    add_row(t, &a);
    int rb = add_row(t, &b);
    set_cell(t, rb, wf_col_of("ethnicity", 0), "99");
    size_t len;
    unsigned char *x = write_xlsx(t, &len);
    long long id = wf_upload(REG_A, "mode=create&atomic=true", (const char *)x, len, 202);
    free(x);
    ht_resp r;
    wf_wait_import(REG_A, id, &r);
    ck_assert_str_eq(ht_json_str(r.json, "failure"), "rows_rejected");
    ht_resp_free(&r);
    char path[96];
    errors_path(id, path, sizeof(path));
    get_ok(REG_A, path, &r);
    table *e = read_xlsx(r.body, r.len);
    ht_resp_free(&r);
    int n = core_template_ncols();
    ck_assert_int_eq(e->nrows, 3);
    ck_assert_str_eq(cell(e, 1, wf_col_of("name", 0)), a.name);
    ck_assert_str_eq(cell(e, 1, n), "");
    ck_assert_str_eq(cell(e, 2, wf_col_of("name", 0)), b.name);
    ck_assert_ptr_nonnull(strstr(cell(e, 2, n), "民族"));
    table_free(e);
    table_free(t);

    /* a wrong header: the file was refused as a whole */
    t = upload_table();
    set_cell(t, 0, 0, "名字");
    add_row(t, &a);
    char *csv = write_csv(t, &len);
    table_free(t);
    id = wf_upload(REG_A, "mode=create", csv, len, 202);
    free(csv);
    wf_wait_import(REG_A, id, &r);
    ck_assert_str_eq(ht_json_str(r.json, "failure"), "template_mismatch");
    ht_resp_free(&r);
    errors_path(id, path, sizeof(path));
    call_fails("GET", path, REG_A, NULL, 409, "import_file_rejected");

    /* a job a worker holds (its heartbeat fresh): not finished */
    const char *job = scalar(
        "INSERT INTO import_job (school, mode, format, sha256, size, data, state, created_by,"
        " created_org, heartbeat_at) SELECT '" SCH_A "', 'create', 'csv', md5(random()::text),"
        " 1, '\\x41', 'running', id, '" SCH_A "', now() + interval '1 hour' FROM app_user"
        " WHERE username = '%s' RETURNING id",
        cast[REG_A].user);
    snprintf(path, sizeof(path), "/api/v1/imports/%s/errors.xlsx", job);
    call_fails("GET", path, REG_A, NULL, 409, "import_not_finished");
    call_fails("GET", path, REG_B, NULL, 404, "import_not_found");
    ht_db_exec(tdb(), "UPDATE import_job SET state = 'failed', failure = 'test'"
                      " WHERE state = 'running' AND heartbeat_at > now() + interval '10 minutes'");
}
END_TEST

/* An upload is stored sealed; past its retention the file upkeep deletes it:
   errors.xlsx answers 410 import_upload_deleted and the job stays readable. */
START_TEST(test_errors_xlsx_after_retention)
{
    table *t = upload_table();
    stu ok1, bad1;
    stu_make(&ok1, 2016);
    stu_make(&bad1, 2016);
    add_row(t, &ok1);
    int rb = add_row(t, &bad1);
    set_cell(t, rb, wf_col_of("gender", 0), "9");
    size_t len;
    char *csv = write_csv(t, &len);
    table_free(t);
    long long id = wf_upload(REG_A, "mode=create", csv, len, 202);
    ht_resp r;
    wf_wait_import(REG_A, id, &r);
    ck_assert_int_eq(jint(r.json, "rejected"), 1);
    ck_assert(json_is_null(json_object_get(r.json, "upload_deleted_at")));
    ht_resp_free(&r);
    /* stored sealed under the data key: not the bytes uploaded */
    ck_assert_int_eq(count_of("SELECT octet_length(data) FROM import_job WHERE id = %lld", id),
                     (long long)len + 45);
    ck_assert_int_eq(count_of("SELECT count(*) FROM import_job WHERE id = %lld AND"
                              " data_key IS NOT NULL AND position(convert_to('%s', 'UTF8')"
                              " IN data) = 0",
                              id, bad1.idnum),
                     1);
    free(csv);
    char path[96];
    errors_path(id, path, sizeof(path));
    get_ok(REG_A, path, &r);
    ht_resp_free(&r);

    /* eight days later (the default retention is 7), with the upkeep every second; and
       an evidence file stored in clear before migration 012, which the upkeep seals */
    char sql[128];
    snprintf(sql, sizeof(sql),
             "UPDATE import_job SET finished_at = now() - interval '8 days' WHERE id = %lld", id);
    ht_db_exec(tdb(), sql);
    long long legacy = count_of("INSERT INTO file (org, mime, size, sha256, data) VALUES"
                                " ('" SCH_A "', 'application/pdf', 10, 'legacy',"
                                " convert_to('%%PDF-clear', 'UTF8')) RETURNING id");
    const char *env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", "XUEJI_IMPORT_WORKERS=0",
                         "XUEJI_FILES_UPKEEP=1", NULL};
    ht_server *up = ht_server_start(env);
    ck_assert_ptr_nonnull(up);
    int waited = 0;
    while (count_of("SELECT count(*) FROM import_job WHERE id = %lld AND data IS NULL", id) == 0 ||
           count_of("SELECT count(*) FROM file WHERE data_key IS NULL") > 0) {
        ck_assert_msg(waited < 20000, "the upload of job %lld was not deleted", id);
        ht_sleep_ms(100);
        waited += 100;
    }
    ck_assert_int_eq(count_of("SELECT count(*) FROM file WHERE id = %lld AND"
                              " octet_length(data) = 10 + 45",
                              legacy),
                     1);
    ck_assert_int_eq(ht_server_stop(up), 0);
    call_fails("GET", path, REG_A, NULL, 410, "import_upload_deleted");
    call_fails("GET", path, FURONG, NULL, 410, "import_upload_deleted");
    call_fails("GET", path, REG_B, NULL, 404, "import_not_found");
    /* the job as it was: counts, errors, and when its file went */
    char jp[64];
    snprintf(jp, sizeof(jp), "/api/v1/imports/%lld", id);
    get_ok(REG_A, jp, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "done");
    ck_assert_int_eq(jint(r.json, "created"), 1);
    ck_assert_int_eq(jint(r.json, "rejected"), 1);
    ck_assert_int_ge(json_array_size(json_object_get(r.json, "errors")), 1);
    ck_assert_ptr_nonnull(ht_json_str(r.json, "upload_deleted_at"));
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ streaming */

/* 分页学生 (percent-encoded for a query string) */
#define PAGED "%E5%88%86%E9%A1%B5%E5%AD%A6%E7%94%9F"

/* The names of a table's rows 1.. in order, comma-separated (malloc'd). */
static char *
names_of(const table *t)
{
    base_buf b = {0};
    int c = wf_col_of("name", 0);
    for (int r = 1; r < t->nrows; r++) {
        if (r > 1)
            base_buf_addc(&b, ',');
        base_buf_adds(&b, cell(t, r, c));
    }
    size_t n;
    return (char *)base_buf_steal(&b, &n);
}

/* Are `names` those of the 分页学生 of school A, in id order? */
static int
paged_names_are(const char *names)
{
    const char *p[1] = {names};
    PGresult *res = PQexecParams(tdb(),
                                 "SELECT string_agg(name, ',' ORDER BY id) = $1 FROM student"
                                 " WHERE school = '" SCH_A "' AND starts_with(name, '分页学生')",
                                 1, NULL, p, NULL, NULL, 0);
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    int same = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return same;
}

/* More students than a page (CORE_EXPORT_PAGE = 500): imported, exported as
   xlsx (HTTP/1.1, chunked) and CSV (HTTP/2), whole and in id order, audited
   once with the count, and imported again with mode=update unchanged. */
START_TEST(test_roster_multi_page)
{
    enum { N = 600 };
    table *t = upload_table();
    for (int i = 0; i < N; i++) {
        stu v;
        stu_make(&v, 2016);
        snprintf(v.name, sizeof(v.name), "分页学生%lld", v.n);
        add_row(t, &v);
    }
    size_t len;
    char *csv = write_csv(t, &len);
    table_free(t);
    long long id = wf_upload(REG_A, "mode=create", csv, len, 202);
    free(csv);
    ht_resp r;
    wf_wait_import(REG_A, id, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "created"), N);
    ht_resp_free(&r);
    char rid[64];
    snprintf(rid, sizeof(rid), "export-pages-%lld", id);
    get_rid(REG_A, "/api/v1/students/export?name=" PAGED "&reveal=id_number", rid, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_header(&r, "transfer-encoding"), "chunked"); /* streamed */
    ck_assert_ptr_null(ht_header(&r, "content-length"));
    /* a streamed answer has the headers of any other (issue 12, defect 8) */
    ck_assert_msg(ht_header_count(&r, "x-content-type-options") == 1 &&
                      strcmp(ht_header(&r, "x-content-type-options"), "nosniff") == 0,
                  "x-content-type-options on a streamed export");
    ck_assert_int_eq(ht_header_count(&r, "cache-control"), 1);
    ck_assert_str_eq(ht_header(&r, "cache-control"), "no-store");
    ck_assert_str_eq(ht_header(&r, "x-export-count"), "600");
    ck_assert_str_eq(ht_header(&r, "content-type"), XLSX_TYPE);
    t = read_xlsx(r.body, r.len);
    assert_roster_header(t);
    ck_assert_int_eq(t->nrows, N + 1);
    char *got = names_of(t);
    ck_assert(paged_names_are(got));
    free(got);
    table_free(t);
    ck_assert_str_eq(scalar("SELECT (detail->>'count') || ' ' || (detail->>'revealed') FROM audit"
                            " WHERE action = 'student.export' AND request_id = '%s'",
                            rid),
                     "600 true");
    /* unchanged, it goes back in: every row matched */
    long long id2 = wf_upload(REG_A, "mode=update", r.body, r.len, 202);
    ht_resp_free(&r);
    wf_wait_import(REG_A, id2, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_msg(jint(r.json, "updated") == N && jint(r.json, "rejected") == 0, "%s", r.body);
    ht_resp_free(&r);

    /* the CSV over HTTP/2 */
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[REG_A]);
    const char *h[] = {auth, NULL};
    ck_assert_int_eq(ht_request2(srv, "GET", "/api/v1/students/export?format=csv&name=" PAGED, h,
                                 NULL, 0, &r),
                     0);
    ck_assert_int_eq(r.http_version, 2);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    t = read_csv(r.body, r.len);
    ht_resp_free(&r);
    ck_assert_int_eq(t->nrows, N + 1);
    got = names_of(t);
    ck_assert(paged_names_are(got));
    free(got);
    table_free(t);
}
END_TEST

#define SCH_E "2143019305"
#define MANY 30000

/* School E with MANY students: copies of one enrolled through the API, each
   with a student number of its own and no identity document (once per run). */
static void
seed_many(void)
{
    ht_db_exec(tdb(), "INSERT INTO school (code, name, county, authority, province, category)"
                      " VALUES ('" SCH_E "', '流程测试芙蓉导出小学', '430102', '430102', '430000', 21)"
                      " ON CONFLICT DO NOTHING");
    ht_db_exec(tdb(), "INSERT INTO class (school, grade, number, name) VALUES"
                      " ('" SCH_E "', 13, 1, '三年级(1)班') ON CONFLICT (school, grade, number)"
                      " DO NOTHING");
    if (count_of("SELECT count(*) FROM student WHERE school = '" SCH_E "'") > 0)
        return;
    stu m;
    enrol(REG_A, FURONG, 13, &m);
    char sql[2048];
    snprintf(sql, sizeof(sql),
             "DO $$ DECLARE cols text; scols text; BEGIN"
             " SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),"
             "  string_agg('s.' || quote_ident(column_name), ', ' ORDER BY ordinal_position)"
             "  INTO cols, scols FROM information_schema.columns"
             "  WHERE table_schema = current_schema() AND table_name = 'student' AND column_name"
             "  NOT IN ('id', 'stuno_bidx', 'id_bidx', 'class_id', 'class_no', 'version', 'school');"
             " EXECUTE 'INSERT INTO student (' || cols || ', stuno_bidx, class_id, class_no, school)"
             "  SELECT ' || scols || ', decode(md5(''ex-many-'' || g), ''hex''), k.id, k.number,"
             "  k.school FROM student s CROSS JOIN generate_series(1, %d) g JOIN class k"
             "  ON k.school = ''" SCH_E "'' AND k.grade = 13 AND k.number = 1"
             "  WHERE s.id = %lld';"
             " END $$",
             MANY, m.id);
    ht_db_exec(tdb(), sql);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE school = '" SCH_E "'"), MANY);
}

/* A body pulled through libcurl and counted, not kept. */
typedef struct pull {
    size_t got;          /* body bytes received */
    long lines;          /* '\n' in them */
    size_t hang_up_at;   /* stop reading (curl hangs up) once this many arrived; 0: never */
    const char *sql;     /* run once `sql_at` bytes arrived, or NULL */
    size_t sql_at;
    int sql_done;
} pull;

static size_t
pull_write(char *p, size_t sz, size_t n, void *ud)
{
    pull *u = ud;
    size_t k = sz * n;
    for (size_t i = 0; i < k; i++)
        u->lines += p[i] == '\n';
    u->got += k;
    if (u->sql != NULL && !u->sql_done && u->got >= u->sql_at) {
        ht_db_exec(tdb(), u->sql);
        u->sql_done = 1;
    }
    if (u->hang_up_at && u->got >= u->hang_up_at)
        return 0; /* curl aborts the transfer and closes the connection */
    return k;
}

/* A small receive buffer: the server's writes back up soon. */
static int
small_rcvbuf(void *clientp, curl_socket_t fd, curlsocktype purpose)
{
    (void)clientp;
    (void)purpose;
    int v = 8192;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
    return CURL_SOCKOPT_OK;
}

/* GET `path` as `who` with X-Request-Id `rid`; curl's result, the status in *out_status. */
static CURLcode
pull_get(int who, const char *path, const char *rid, int http2, int slow, pull *u,
         long *out_status)
{
    CURL *h = curl_easy_init();
    ck_assert_ptr_nonnull(h);
    char url[512], auth[1100], xr[128];
    ht_url(srv, path, url, sizeof(url));
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[who]);
    snprintf(xr, sizeof(xr), "X-Request-Id: %s", rid);
    struct curl_slist *hd = curl_slist_append(NULL, auth);
    hd = curl_slist_append(hd, xr);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, pull_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, u);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)ht_timeout(60));
    if (slow) {
        curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, small_rcvbuf);
        curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 8192L);
    }
    if (http2)
        curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
    CURLcode rc = curl_easy_perform(h);
    *out_status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, out_status);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
    return rc;
}

/* Wait (up to 20 s) for the server's log line `msg` of request `rid`; its "after N bytes". */
static unsigned long long
wait_log(const char *msg, const char *rid)
{
    char needle[256];
    snprintf(needle, sizeof(needle), "\"msg\":\"%s\",\"request_id\":\"%s\"", msg, rid);
    for (int i = 0; i < 2000 && ht_server_log_count(srv, needle) == 0; i++)
        ht_sleep_ms(10);
    char *log = ht_server_log(srv);
    const char *at = strstr(log, needle);
    ck_assert_msg(at != NULL, "no log line: %s", needle);
    const char *after = strstr(at, "after ");
    ck_assert_ptr_nonnull(after);
    unsigned long long n = strtoull(after + 6, NULL, 10);
    free(log);
    return n;
}

/* The server's gauge of open streams (every one of ours ended). */
static void
assert_no_stream_open(void)
{
    ht_resp r;
    ck_assert_int_eq(ht_get(srv, "/metrics", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.body, "\nxueji_http_streams_open 0\n"));
    ht_resp_free(&r);
}

/* 30,000 students stream in full; clients that read slowly and hang up early, over
   HTTP/1.1 and HTTP/2, stop the export (the server made little more than they
   read) and leave the server serving, with no stream left open. */
START_TEST(test_roster_stream_hang_up)
{
    seed_many();
    pull full = {0};
    long status;
    char rid[64];
    snprintf(rid, sizeof(rid), "export-many-%lld", ht_now_ms());
    ck_assert_int_eq(pull_get(FURONG, "/api/v1/students/export?school=" SCH_E "&format=csv", rid,
                              1, 0, &full, &status),
                     CURLE_OK);
    ck_assert_int_eq(status, 200);
    ck_assert_int_eq(full.lines, MANY + 1);
    ck_assert_str_eq(scalar("SELECT detail->>'count' FROM audit WHERE action = 'student.export'"
                            " AND request_id = '%s'",
                            rid),
                     "30000");

    for (int http2 = 0; http2 <= 1; http2++) {
        pull u = {0};
        u.hang_up_at = 256 * 1024;
        snprintf(rid, sizeof(rid), "export-hang-up-%d-%lld", http2, ht_now_ms());
        CURLcode rc = pull_get(FURONG, "/api/v1/students/export?school=" SCH_E "&format=csv", rid,
                               http2, 1, &u, &status);
        ck_assert_int_eq(rc, CURLE_WRITE_ERROR);
        ck_assert_int_eq(status, 200);
        unsigned long long sent = wait_log("client gone during a streamed answer", rid);
        /* what the kernel's buffers and two parts hold, not the file */
        ck_assert_msg(sent < full.got / 2, "sent %llu of %zu", sent, full.got);
        ck_assert_uint_ge(sent, u.got);
    }
    assert_no_stream_open();
    ht_resp r;
    ck_assert_int_eq(ht_get(srv, "/healthz", &r), 0);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
}
END_TEST

/* A stream that fails on the way (the student table renamed while the client
   reads) is cut off: the client sees a truncated transfer after the 200, the
   server logs it and serves on. */
START_TEST(test_roster_stream_abort)
{
    seed_many();
    for (int http2 = 0; http2 <= 1; http2++) {
        pull u = {0};
        u.sql = "ALTER TABLE student RENAME TO student_away";
        u.sql_at = 1;
        char rid[64];
        long status;
        snprintf(rid, sizeof(rid), "export-abort-%d-%lld", http2, ht_now_ms());
        CURLcode rc = pull_get(FURONG, "/api/v1/students/export?school=" SCH_E "&format=csv", rid,
                               http2, 1, &u, &status);
        if (u.sql_done)
            ht_db_exec(tdb(), "ALTER TABLE student_away RENAME TO student");
        ck_assert(u.sql_done);
        ck_assert_int_eq(status, 200);
        /* HTTP/1.1: closed before the last chunk; HTTP/2: the stream reset */
        ck_assert_msg(rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR || rc == CURLE_HTTP2 ||
                          rc == CURLE_HTTP2_STREAM,
                      "curl: %d %s", rc, curl_easy_strerror(rc));
        ck_assert_int_lt(u.lines, MANY + 1);
        wait_log("streamed answer aborted", rid);
    }
    assert_no_stream_open();
    ht_resp r;
    get_ok(FURONG, "/api/v1/students/export?school=" SCH_E "&format=csv&grade=13&class=1&name=x",
           &r);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ reports */

/* The count of the row (grade, gender) of a report grouped by grade,gender; 0 when absent. */
static long long
count_at(const ht_resp *r, const char *grade, const char *gender)
{
    size_t i;
    const json_t *row;
    json_array_foreach(json_object_get(r->json, "rows"), i, row)
    {
        const char *g = ht_json_str(row, "grade"), *s = ht_json_str(row, "gender");
        if (g && s && strcmp(g, grade) == 0 && strcmp(s, gender) == 0)
            return jint(row, "count");
    }
    return 0;
}

/* Every row of a grade,gender report against SQL over the same schools. */
static void
assert_matches_sql(const ht_resp *r, const char *where)
{
    size_t i;
    const json_t *row;
    long long sum = 0;
    json_array_foreach(json_object_get(r->json, "rows"), i, row)
    {
        const char *g = ht_json_str(row, "grade"), *s = ht_json_str(row, "gender");
        ck_assert_ptr_nonnull(g);
        ck_assert_ptr_nonnull(s);
        ck_assert_int_eq(jint(row, "count"),
                         count_of("SELECT count(*) FROM student st JOIN school sc ON sc.code ="
                                  " st.school WHERE st.state = 'enrolled' AND %s AND"
                                  " st.grade = %s AND st.gender = '%s'",
                                  where, g, s));
        sum += jint(row, "count");
    }
    ck_assert_int_eq(jint(r->json, "total"), sum);
    ck_assert_int_eq(sum, count_of("SELECT count(*) FROM student st JOIN school sc ON sc.code ="
                                   " st.school WHERE st.state = 'enrolled' AND %s",
                                   where));
}

START_TEST(test_report_enrollment)
{
    ht_resp r;
    const char *q = "/api/v1/reports/enrollment?group_by=grade,gender";
    get_ok(FURONG, q, &r);
    long long g13m = count_at(&r, "13", "1"), g13f = count_at(&r, "13", "2");
    long long g14m = count_at(&r, "14", "1"), g14f = count_at(&r, "14", "2");
    long long total = jint(r.json, "total");
    ht_resp_free(&r);
    /* enrolled now: two in A's grade 13, one in A's grade 14, one in B's grade 13;
       one in D (in 芙蓉区, but the city's school) does not count for the county */
    stu s1, s2, s3, s4, s5;
    enrol(REG_A, FURONG, 13, &s1);
    enrol(REG_A, FURONG, 13, &s2);
    enrol(REG_A, FURONG, 14, &s3);
    enrol(REG_B, FURONG, 13, &s5);
    enrol(REG_D, CHANGSHA, 13, &s4);
    get_ok(FURONG, q, &r);
    ck_assert_int_eq(jint(r.json, "total"), total + 4);
    long long m13 = (s1.gender == 1) + (s2.gender == 1) + (s5.gender == 1);
    ck_assert_int_eq(count_at(&r, "13", "1"), g13m + m13);
    ck_assert_int_eq(count_at(&r, "13", "2"), g13f + 3 - m13);
    ck_assert_int_eq(count_at(&r, "14", "1"), g14m + (s3.gender == 1));
    ck_assert_int_eq(count_at(&r, "14", "2"), g14f + (s3.gender == 2));
    assert_matches_sql(&r, "sc.authority = '430102'");
    /* the shape: keys, codes and labels */
    const json_t *gb = json_object_get(r.json, "group_by");
    ck_assert_int_eq(json_array_size(gb), 2);
    ck_assert_str_eq(json_string_value(json_array_get(gb, 0)), "grade");
    ck_assert_str_eq(json_string_value(json_array_get(gb, 1)), "gender");
    size_t i;
    const json_t *row;
    json_array_foreach(json_object_get(r.json, "rows"), i, row)
    {
        if (strcmp(ht_json_str(row, "grade"), "13") == 0)
            ck_assert_str_eq(ht_json_str(row, "grade_label"), "三年级");
        ck_assert_str_eq(ht_json_str(row, "gender_label"),
                         strcmp(ht_json_str(row, "gender"), "1") == 0 ? "男" : "女");
    }
    ht_resp_free(&r);

    /* a school's registrar: its school only, enrolled only (the imports left pending ones) */
    ck_assert_int_gt(count_of("SELECT count(*) FROM student WHERE school = '" SCH_A "'"
                              " AND state = 'pending'"),
                     0);
    get_ok(REG_A, q, &r);
    assert_matches_sql(&r, "st.school = '" SCH_A "'");
    ht_resp_free(&r);
    /* the city, narrowed to 芙蓉区: its own school D located there counts too */
    get_ok(CHANGSHA, "/api/v1/reports/enrollment?group_by=grade,gender&region=430102", &r);
    assert_matches_sql(&r, "sc.county = '430102' AND sc.authority LIKE '4301%%'");
    ck_assert_int_eq(count_at(&r, "13", s4.gender == 1 ? "1" : "2"),
                     count_of("SELECT count(*) FROM student st JOIN school sc ON sc.code ="
                              " st.school WHERE st.state = 'enrolled' AND sc.county = '430102'"
                              " AND st.grade = 13 AND st.gender = '%d'",
                              s4.gender));
    ht_resp_free(&r);
    /* by school and by county, with names */
    get_ok(FURONG, "/api/v1/reports/enrollment?group_by=school", &r);
    int seen_a = 0;
    json_array_foreach(json_object_get(r.json, "rows"), i, row)
    {
        ck_assert_str_ne(ht_json_str(row, "school"), SCH_D);
        ck_assert_str_ne(ht_json_str(row, "school"), SCH_C);
        if (strcmp(ht_json_str(row, "school"), SCH_A) == 0) {
            seen_a = 1;
            ck_assert_str_eq(ht_json_str(row, "school_label"), "流程测试芙蓉第一小学");
            ck_assert_int_eq(jint(row, "count"),
                             count_of("SELECT count(*) FROM student WHERE school = '" SCH_A
                                      "' AND state = 'enrolled'"));
        }
    }
    ck_assert(seen_a);
    ht_resp_free(&r);
    get_ok(CHANGSHA, "/api/v1/reports/enrollment?group_by=county", &r);
    json_array_foreach(json_object_get(r.json, "rows"), i, row)
    {
        if (strcmp(ht_json_str(row, "county"), "430102") == 0)
            ck_assert_str_eq(ht_json_str(row, "county_label"), "芙蓉区");
        else
            ck_assert_str_eq(ht_json_str(row, "county"), "430103");
    }
    ht_resp_free(&r);
    /* every key at once; no key: the total alone */
    get_ok(HUNAN,
           "/api/v1/reports/enrollment?group_by=grade,gender,ethnicity,school,county,left_behind,"
           "migrant_child,boarding,disability",
           &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "group_by")), 9);
    long long hunan = jint(r.json, "total");
    row = json_array_get(json_object_get(r.json, "rows"), 0);
    ck_assert_ptr_nonnull(json_object_get(row, "boarding_label"));
    ck_assert_ptr_nonnull(json_object_get(row, "left_behind"));
    ht_resp_free(&r);
    get_ok(HUNAN, "/api/v1/reports/enrollment", &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "rows")), 1);
    ck_assert_int_eq(jint(r.json, "total"), hunan);
    ck_assert_int_eq(hunan, count_of("SELECT count(*) FROM student st JOIN school sc ON sc.code"
                                     " = st.school WHERE st.state = 'enrolled' AND"
                                     " sc.authority LIKE '43%%'"));
    ht_resp_free(&r);

    /* xlsx: the same as a sheet with Chinese headers and a total */
    get_ok(FURONG, "/api/v1/reports/enrollment?group_by=grade,gender&format=xlsx", &r);
    ck_assert_str_eq(ht_header(&r, "content-type"), XLSX_TYPE);
    table *t = read_xlsx(r.body, r.len);
    ht_resp_free(&r);
    ck_assert_str_eq(cell(t, 0, 0), "年级");
    ck_assert_str_eq(cell(t, 0, 1), "性别");
    ck_assert_str_eq(cell(t, 0, 2), "人数");
    ck_assert_str_eq(cell(t, t->nrows - 1, 0), "合计");
    ck_assert_int_eq(atoll(cell(t, t->nrows - 1, 2)), total + 4);
    int found = 0;
    for (int k = 1; k < t->nrows - 1; k++)
        if (strcmp(cell(t, k, 0), "13 三年级") == 0 && strcmp(cell(t, k, 1), "1 男") == 0) {
            ck_assert_int_eq(atoll(cell(t, k, 2)), g13m + m13);
            found = 1;
        }
    ck_assert_int_eq(found, g13m + m13 > 0);
    table_free(t);

    /* outside the jurisdiction, bad keys, staff without the whole school */
    call_fails("GET", "/api/v1/reports/enrollment?region=430102", TIANXIN, NULL, 404,
               "region_not_found");
    call_fails("GET", "/api/v1/reports/enrollment?region=430102", JIANGXI, NULL, 404,
               "region_not_found");
    call_fails("GET", "/api/v1/reports/enrollment?region=430103", REG_A, NULL, 404,
               "region_not_found");
    call_fails("GET", "/api/v1/reports/enrollment?region=999999", HUNAN, NULL, 404,
               "region_not_found");
    call_fails("GET", "/api/v1/reports/enrollment?region=4301", HUNAN, NULL, 400,
               "invalid_parameter");
    call_fails("GET", "/api/v1/reports/enrollment?group_by=grade,nope", FURONG, NULL, 400,
               "invalid_group_by");
    call_fails("GET", "/api/v1/reports/enrollment?group_by=grade,grade", FURONG, NULL, 400,
               "invalid_group_by");
    call_fails("GET", "/api/v1/reports/enrollment?group_by=id_number", FURONG, NULL, 400,
               "invalid_group_by");
    call_fails("GET", "/api/v1/reports/enrollment?group_by=grade;DROP", FURONG, NULL, 400,
               "invalid_group_by");
    call_fails("GET", "/api/v1/reports/enrollment?group_by=%FF%FE", FURONG, NULL, 400,
               "invalid_group_by");
    call("GET", "/api/v1/reports/enrollment?group_by=gender,nope", FURONG, NULL, &r);
    ht_assert_problem(&r, 400, "invalid_group_by");
    ck_assert_ptr_nonnull(strstr(ht_json_str(r.json, "detail"), "“nope”"));
    ht_resp_free(&r);
    call_fails("GET", "/api/v1/reports/enrollment?format=pdf", FURONG, NULL, 400,
               "invalid_parameter");
    call_fails("GET", "/api/v1/reports/enrollment", GRADE_A, NULL, 403, "forbidden");
    /* a school may name a region it stands in */
    get_ok(REG_A, "/api/v1/reports/enrollment?region=430100", &r);
    ck_assert_int_eq(
        jint(r.json, "total"),
        count_of("SELECT count(*) FROM student WHERE school = '" SCH_A "' AND state = 'enrolled'"));
    ht_resp_free(&r);
}
END_TEST

static Suite *
exports_suite(void)
{
    Suite *s = suite_create("http-exports");
    TCase *tc = wf_import_tcase("exports", 180);
    tcase_add_test(tc, test_roster_xlsx_masked_and_scoped);
    tcase_add_test(tc, test_roster_csv_revealed);
    tcase_add_test(tc, test_roster_reimport_update);
    tcase_add_test(tc, test_errors_xlsx);
    tcase_add_test(tc, test_errors_xlsx_atomic_and_states);
    tcase_add_test(tc, test_errors_xlsx_after_retention);
    tcase_add_test(tc, test_report_enrollment);
    tcase_add_test(tc, test_roster_multi_page);
    tcase_add_test(tc, test_roster_stream_hang_up);
    tcase_add_test(tc, test_roster_stream_abort);
    suite_add_tcase(s, tc);

    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(exports_suite(), close_db);
}
