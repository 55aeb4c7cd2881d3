/*
 * tests/http/imports_has_record_test.c - an import (mode create) row whose
 * ID number's G student number a former pupil's record holds (one who left
 * the stage unfinished, 肄业; a graduate of the same compulsory stage is a
 * repeater, compulsory_repeater) is a row error `student_has_record`
 * naming the school and the record's state (DOMAIN rule 9: a former
 * student cannot be registered again yet); the other rows
 * are registered. The world is tests/lib/wfworld.h's.
 */
#include "base/buf.h"
#include "core/import.h"
#include "formats/csv.h"
#include "tests/lib/wfworld.h"

#include <stdio.h>
#include <string.h>

/* The template's header and one complete row per student (grade 13, class 1). */
static char *
csv_of(const stu *const *v, int n, size_t *len)
{
    int ncols = core_template_ncols();
    const char **cells = calloc((size_t)ncols, sizeof(char *));
    char(*head)[64] = calloc((size_t)ncols, 64);
    base_buf b = {0};
    fmt_csv_write_bom(&b);
    for (int c = 0; c < ncols; c++) {
        core_template_title(c, head[c], 64);
        cells[c] = head[c];
    }
    fmt_csv_write_row(&b, cells, (size_t)ncols);
    static const struct {
        const char *json;
        int member;
        const char *v;
    } fixed[] = {
        {"ethnicity", 0, "01"},      {"nationality", 0, "CHN"},
        {"id_type", 0, "1"},         {"hukou_region", 0, "430102000000"},
        {"hukou_type", 0, "1"},      {"grade", 0, "13"},
        {"class", 0, "1"},           {"enrolled_month", 0, "202209"},
        {"entry_mode", 0, "1"},      {"study_mode", 0, "1"},
        {"source", 0, "1"},          {"distance_km", 0, "1.5"},
        {"transport", 0, "1"},       {"school_bus", 0, "0"},
        {"phone", 0, "13900000000"}, {"name", 1, "导入家长"},
        {"relation", 1, "1"},        {"phone", 1, "13700000000"},
        {"guardian", 1, "1"},        {"name", 2, "导入家长二"},
        {"relation", 2, "2"},        {"phone", 2, "13700000001"},
    };
    for (int i = 0; i < n; i++) {
        for (int c = 0; c < ncols; c++)
            cells[c] = "";
        for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
            cells[wf_col_of(fixed[k].json, fixed[k].member)] = fixed[k].v;
        cells[wf_col_of("name", 0)] = v[i]->name;
        cells[wf_col_of("gender", 0)] = v[i]->gender == 1 ? "1" : "2";
        cells[wf_col_of("birth_date", 0)] = v[i]->birth;
        cells[wf_col_of("id_number", 0)] = v[i]->idnum;
        fmt_csv_write_row(&b, cells, (size_t)ncols);
    }
    free(cells);
    free(head);
    *len = b.n;
    return (char *)b.p;
}

START_TEST(test_graduate_row_has_record)
{
    stu grad, fresh;
    enrol(REG_A, FURONG, 13, &grad);
    char sql[128];
    snprintf(sql, sizeof(sql), "UPDATE student SET state = 'incomplete' WHERE id = %lld", grad.id);
    scalar("%s RETURNING id", sql);
    stu_make(&fresh, 2016);
    const stu *rows[] = {&grad, &fresh};
    size_t len;
    char *csv = csv_of(rows, 2, &len);
    long long id = wf_upload(REG_A, "mode=create", csv, len, 202);
    free(csv);
    ht_resp r;
    wf_wait_import(REG_A, id, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_int_eq(jint(r.json, "created"), 1);
    ck_assert_int_eq(jint(r.json, "rejected"), 1);
    const json_t *e = NULL, *x;
    size_t i;
    json_array_foreach(json_object_get(r.json, "errors"), i, x) if (jint(x, "row") == 2) e = x;
    ck_assert_msg(e != NULL, "no error of row 2: %s", r.body);
    ck_assert_str_eq(ht_json_str(e, "code"), "student_has_record");
    const char *msg = ht_json_str(e, "message");
    ck_assert_msg(strstr(msg, "肄业") && strstr(msg, cast[REG_A].org), "message: %s", msg);
    ck_assert_ptr_null(strstr(r.body, grad.idnum));
    ht_resp_free(&r);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE name = '%s'", fresh.name), 1);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE name = '%s'", grad.name), 1);
}
END_TEST

static Suite *
imports_has_record_suite(void)
{
    Suite *s = suite_create("http-imports-has-record");
    TCase *tc = wf_import_tcase("imports-has-record", 180);
    tcase_add_test(tc, test_graduate_row_has_record);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(imports_has_record_suite(), close_db);
}
