/*
 * tests/http/exports_test.c - the roster out of xuejid: xlsx and CSV, masked and revealed,
 * re-imported, streamed. The world and helpers: tests/http/exports_world.h.
 */
#include "tests/http/exports_world.h"

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
    /* one row changed its record; the others matched and changed nothing */
    ck_assert_int_eq(jint(r.json, "updated"), 1);
    ck_assert_int_eq(jint(r.json, "unchanged"), rows - 1);
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
    ck_assert_msg(jint(r.json, "rejected") == 0 && jint(r.json, "updated") == 0 &&
                      jint(r.json, "unchanged") == rows,
                  "%s", r.body);
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
    /* unchanged, it goes back in: every row matched, none changed */
    long long id2 = wf_upload(REG_A, "mode=update", r.body, r.len, 202);
    ht_resp_free(&r);
    wf_wait_import(REG_A, id2, &r);
    ck_assert_msg(strcmp(ht_json_str(r.json, "state"), "done") == 0, "%s", r.body);
    ck_assert_msg(jint(r.json, "updated") == 0 && jint(r.json, "unchanged") == N &&
                      jint(r.json, "rejected") == 0,
                  "%s", r.body);
    ht_resp_free(&r);

    /* the CSV over HTTP/2 */
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[REG_A]);
    const char *h[] = {auth, NULL};
    ck_assert_int_eq(
        ht_request2(srv, "GET", "/api/v1/students/export?format=csv&name=" PAGED, h, NULL, 0, &r),
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
    ht_db_exec(tdb(),
               "INSERT INTO school (code, name, county, authority, province, category)"
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
    snprintf(
        sql, sizeof(sql),
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
    size_t got;        /* body bytes received */
    long lines;        /* '\n' in them */
    size_t hang_up_at; /* stop reading (curl hangs up) once this many arrived; 0: never */
    const char *sql;   /* run once `sql_at` bytes arrived, or NULL */
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
pull_get(int who, const char *path, const char *rid, int http2, int slow, pull *u, long *out_status)
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
    ck_assert_int_eq(pull_get(FURONG, "/api/v1/students/export?school=" SCH_E "&format=csv", rid, 1,
                              0, &full, &status),
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

static Suite *
exports_suite(void)
{
    Suite *s = suite_create("http-exports");
    TCase *tc = wf_import_tcase("exports", 180);
    tcase_add_test(tc, test_roster_xlsx_masked_and_scoped);
    tcase_add_test(tc, test_roster_csv_revealed);
    tcase_add_test(tc, test_roster_reimport_update);
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
