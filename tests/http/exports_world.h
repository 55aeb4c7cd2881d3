/*
 * tests/http/exports_world.h - the world and helpers of the suites
 * exports_test.c (the roster out of xuejid: xlsx and CSV, masked and revealed, re-imported,
 * streamed), exports_errors_test.c (errors.xlsx of imports and the enrollment report). Each suite
 * is its own program with its own copy of this state (all static).
 *
 * What the suites test, together:
 * files out of xuejid (API.md "Import, export,
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
#ifndef TESTS_HTTP_EXPORTS_WORLD_H
#define TESTS_HTTP_EXPORTS_WORLD_H

#include "base/buf.h"
#include "core/import.h"
#include "core/mask.h"
#include "formats/csv.h"
#include "formats/xlsx.h"
#include "tests/lib/wfworld.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Each suite uses some of these helpers, not all. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define MAXROWS 4000 /* school A also gets the import suite's students when it runs first */
#define MAXCOLS (CORE_TEMPLATE_MAX_COLS + 4)

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
    set_cell(t, r, wf_col_of("name", 2), "导出家长二");
    set_cell(t, r, wf_col_of("relation", 2), "2");
    set_cell(t, r, wf_col_of("phone", 2), "13700000001");
    return r;
}

#pragma GCC diagnostic pop

#endif
