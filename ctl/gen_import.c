/*
 * ctl/gen_import.c - xuejictl gen-import.
 *
 * `xuejictl gen-import` writes an upload for POST /imports?mode=create: the
 * template's header row and `rows` students of `school` in grade `grade`,
 * classes first..last in turn, made by core/demo.h (so every record passes
 * core_record_validate, the first ones are checked here). Their ID numbers
 * have the school's county as address code and are unique in the file and
 * against the students stored (read from their masks, as `demo` does), so a
 * second file made after the first was imported is new as well. The data
 * keys are not needed: nothing is decrypted or written.
 */
#include "base/buf.h"
#include "core/calendar.h"
#include "core/demo.h"
#include "core/env.h"
#include "core/import.h"
#include "core/student.h"
#include "ctl/ctl.h"
#include "db/school.h"
#include "db/student.h"
#include "formats/csv.h"
#include "formats/xlsx.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One run: the school, the class students go to, and the file being made. */
typedef struct gen {
    db_school sc;
    core_demo_class k;
    core_codes *codes;
    core_demo_ids *ids;
    int today, school_year;
    int xlsx;
    base_buf csv;
    fmt_xlsx_writer *w;
} gen;

/* The school, its code tables, grade `grade`'s birth window and the ID
   numbers stored there already. */
static int
gen_setup(db_conn *db, gen *g, const char *school, int grade, app_arena *a, app_err *err)
{
    int found = 0, rc = db_conn_ok(db) ? 0 : APP_EUNAVAIL;
    if (rc == 0)
        rc = db_school_get(db, school, a, &g->sc, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ENOTFOUND, "school_not_found", "no school %s", school);
    if (rc == 0)
        rc = core_codes_load(db, &g->codes, err);
    if (rc != 0)
        return rc;

    g->today = core_today();
    g->school_year = core_demo_school_year(g->today);
    core_demo_class *k = &g->k;
    memset(k, 0, sizeof(*k));
    snprintf(k->school, sizeof(k->school), "%s", g->sc.code);
    snprintf(k->county, sizeof(k->county), "%s", g->sc.county);
    snprintf(k->system, sizeof(k->system), "%s", g->sc.system ? g->sc.system : "63");
    k->category = g->sc.category;
    k->grade = grade;
    int schooling = core_demo_schooling_year(grade, k->system);
    if (schooling == 0)
        return app_err_set(err, APP_EINVAL, "invalid_grade", "grade %d does not exist in system %s",
                           grade, k->system);
    int from, until;
    core_demo_birth_window(schooling, g->school_year, &from, &until);
    const char *county = k->county;
    g->ids = core_demo_ids_new(&county, 1, from, until);
    return db_student_id_masks(db, ctl_mark_stored, g->ids, err);
}

/* One row of the file: the header (the first) or a student. */
static int
gen_row(gen *g, const char **cells, int ncols, app_err *err)
{
    if (g->xlsx)
        return fmt_xlsx_writer_row(g->w, cells, (size_t)ncols, err);
    fmt_csv_write_row(&g->csv, cells, (size_t)ncols);
    return 0;
}

/* The template's header row, then `rows` students of classes first..last. */
static int
gen_rows(gen *g, long long rows, int first, int last, app_err *err)
{
    int rc = 0, ncols = core_template_ncols();
    const char *cells[CORE_TEMPLATE_MAX_COLS];
    char titles[CORE_TEMPLATE_MAX_COLS][64];
    for (int c = 0; c < ncols; c++) {
        core_template_title(c, titles[c], sizeof(titles[c]));
        cells[c] = titles[c];
    }
    if (g->xlsx) {
        g->w = fmt_xlsx_writer_new();
        fmt_xlsx_sheet_opts o = {NULL, 0, 1, 0};
        rc = fmt_xlsx_writer_sheet(g->w, CORE_TEMPLATE_SHEET, &o, err);
    } else {
        fmt_csv_write_bom(&g->csv);
    }
    if (rc == 0)
        rc = gen_row(g, cells, ncols, err);
    core_demo_rng rng;
    uint64_t seed;
    randombytes_buf(&seed, sizeof(seed));
    core_demo_rng_seed(&rng, seed);
    for (long long i = 0; rc == 0 && i < rows; i++) {
        g->k.number = first + (int)(i % (last - first + 1));
        core_demo_student st;
        if (core_demo_student_make(&rng, g->ids, &g->k, g->school_year, &st) != 0)
            return app_err_set(err, APP_ECONFLICT, "id_space_full",
                               "no free ID number left for grade %d in county %s after %lld rows "
                               "(use another grade)",
                               g->k.grade, g->k.county, i);
        if (i < 200) {
            core_record copy = st.rec;
            core_record_rules rules = {g->codes, g->today, NULL, 0};
            app_arena *x = app_arena_new();
            rc = core_record_validate(&copy, &rules, x, NULL, err);
            app_arena_free(x);
            if (rc != 0) {
                fprintf(stderr, "xuejictl: gen-import: generated record invalid: %s %s\n",
                        err->items[0].field, err->items[0].code);
                return rc;
            }
        }
        for (int c = 0; c < ncols; c++) {
            int f = core_template_field(c);
            cells[c] = f >= 0 ? st.rec.v[f] : NULL;
        }
        rc = gen_row(g, cells, ncols, err);
    }
    return rc;
}

/* The file made, to `out_path` or stdout. */
static int
gen_write(gen *g, const char *out_path, unsigned char **file, size_t *file_len, app_err *err)
{
    int rc = 0;
    if (g->xlsx)
        rc = fmt_xlsx_writer_finish(g->w, file, file_len, err);
    else
        *file = base_buf_steal(&g->csv, file_len);
    if (rc != 0)
        return rc;
    FILE *out = out_path ? fopen(out_path, "wb") : stdout;
    if (out == NULL || fwrite(*file, 1, *file_len, out) != *file_len ||
        (out_path ? fclose(out) : fflush(out)) != 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "cannot write %s",
                           out_path ? out_path : "stdout");
    return 0;
}

int
ctl_cmd_gen_import(long long rows, const char *school, const char *format, int grade, int first,
                   int last, const char *out_path)
{
    app_err err = {0};
    db_conn *db = ctl_connect(&err);
    app_arena *a = app_arena_new();
    gen g = {.xlsx = strcmp(format, "xlsx") == 0};
    unsigned char *file = NULL;
    size_t file_len = 0;
    int rc = gen_setup(db, &g, school, grade, a, &err);
    if (rc == 0)
        rc = gen_rows(&g, rows, first, last, &err);
    if (rc == 0)
        rc = gen_write(&g, out_path, &file, &file_len, &err);
    if (rc == 0)
        fprintf(stderr,
                "gen-import: %lld students of %s (county %s), grade %d classes %d-%d: %zu bytes "
                "of %s\n",
                rows, g.sc.code, g.sc.county, grade, first, last, file_len, format);
    else
        fprintf(stderr, "xuejictl: gen-import: %s (%s)\n",
                err.detail[0] ? err.detail : app_code_name(err.code), err.slug ? err.slug : "-");
    free(file);
    base_buf_free(&g.csv);
    fmt_xlsx_writer_free(g.w);
    core_demo_ids_free(g.ids);
    core_codes_free(g.codes);
    app_arena_free(a);
    db_conn_close(db);
    return rc == 0 ? 0 : 1;
}
