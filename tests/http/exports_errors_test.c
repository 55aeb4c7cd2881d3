/*
 * tests/http/exports_errors_test.c - errors.xlsx of imports and the enrollment report.
 * The world and helpers: tests/http/exports_world.h.
 */
#include "tests/http/exports_world.h"

/* ------------------------------------------------------------ errors.xlsx */

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
    Suite *s = suite_create("http-exports-errors");
    TCase *tc = wf_import_tcase("exports", 180);
    tcase_add_test(tc, test_errors_xlsx);
    tcase_add_test(tc, test_errors_xlsx_atomic_and_states);
    tcase_add_test(tc, test_errors_xlsx_after_retention);
    tcase_add_test(tc, test_report_enrollment);
    suite_add_tcase(s, tc);

    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(exports_suite(), close_db);
}
