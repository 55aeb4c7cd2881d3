/*
 * tests/http/promotion_test.c - the school calendar and promotion over
 * HTTP (GET /regions/{code}/calendar, POST /schools/{code}/promotion with
 * and without dry_run, POST /schools/{code}/promotion/{year}/revert): the
 * answers' shapes, the 409s and 4xx problem+json codes, and a check-in
 * refused for a term not in the calendar. The rules in depth are
 * tests/integration/promotion_test.c's.
 *
 * The world is students_world.h's; the promoted school P is this suite's
 * own (so that no other suite's pupils move): pupils are registered at A,
 * approved, then placed in P with SQL.
 */
#include "tests/http/students_world.h"

/* P: a primary school in 中原区 410102 (its own authority, 六三制), a code of this
   process's own so that a second run of the suite on the same database starts afresh */
static char SCH_P[24];
static long long p11, p16;

static const char *
path_p(const char *suffix)
{
    static char buf[128];
    snprintf(buf, sizeof(buf), "/api/v1/schools/%s%s", SCH_P, suffix);
    return buf;
}

static void
place(long long student, int grade)
{
    char sql[512];
    long long cls = class_id(SCH_P, grade, 1);
    snprintf(sql, sizeof(sql),
             "UPDATE student SET school = '%s', class_id = %lld, grade = %d, class_no = 1"
             " WHERE id = %lld",
             SCH_P, cls, grade, student);
    ht_db_exec(pg, sql);
}

/* P with a pupil in 11-1 and one in 16-1, once per process. */
static void
world_p(void)
{
    snprintf(SCH_P, sizeof(SCH_P), "2141%06d", 100000 + (int)(getpid() % 900000));
    char sql[256];
    snprintf(sql, sizeof(sql),
             "INSERT INTO school (code, name, county, authority, province, category)"
             " VALUES ('%s', '升级测试小学', '410102', '410102', '410000', 21)",
             SCH_P);
    ht_db_exec(pg, sql);
    stu a, b;
    register_named(REG_A, "升级一", 13, 1, &a);
    approve(ZHONGYUAN, &a);
    register_named(REG_A, "升级二", 13, 1, &b);
    approve(ZHONGYUAN, &b);
    place(a.id, 11);
    place(b.id, 16);
    p11 = a.id;
    p16 = b.id;
}

static void
post(const char *path, enum actor who, const char *json, ht_resp *r)
{
    call("POST", path, as(who), json, NULL, r);
}

START_TEST(test_calendar)
{
    ht_resp r;
    get("/api/v1/regions/410102/calendar", ZHONGYUAN, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    int year = (int)jint(r.json, "year");
    ck_assert(json_is_true(json_object_get(r.json, "current")));
    ck_assert_str_eq(ht_json_str(r.json, "school_year_start"), "09-01");
    ck_assert_str_eq(ht_json_str(r.json, "second_term_start"), "03-01");
    json_t *terms = json_object_get(r.json, "terms");
    ck_assert_int_eq((int)json_array_size(terms), 2);
    char want[32];
    snprintf(want, sizeof(want), "%d-09-01", year);
    ck_assert_str_eq(ht_json_str(r.json, "start"), want);
    ck_assert_str_eq(ht_json_str(json_array_get(terms, 0), "start"), want);
    snprintf(want, sizeof(want), "%d-2", year);
    ck_assert_str_eq(ht_json_str(json_array_get(terms, 1), "term"), want);
    snprintf(want, sizeof(want), "%d-03-01", year + 1);
    ck_assert_str_eq(ht_json_str(json_array_get(terms, 1), "start"), want);
    ht_resp_free(&r);
    /* another year, a school reading its authority's calendar */
    get("/api/v1/regions/410102/calendar?year=2024", REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "end"), "2025-08-31");
    ck_assert(json_is_false(json_object_get(r.json, "current")));
    ck_assert(json_is_null(json_object_get(r.json, "current_term")));
    ck_assert_str_eq(ht_json_str(json_array_get(json_object_get(r.json, "terms"), 0), "end"),
                     "2025-02-28");
    ht_resp_free(&r);
    get("/api/v1/regions/410102/calendar?year=1800", ZHONGYUAN, &r);
    ht_assert_problem(&r, 422, "invalid_year");
    ht_resp_free(&r);
    get("/api/v1/regions/420102/calendar", ZHONGYUAN, &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_promotion_bad_input)
{
    static const struct {
        const char *path, *body;
        long status;
        const char *code;
    } cases[] = {
        {"/api/v1/schools/" SCH_A "/promotion", "{}", 422, "missing_field"},
        {"/api/v1/schools/" SCH_A "/promotion", "{\"year\":\"2025\"}", 422, "wrong_type"},
        {"/api/v1/schools/" SCH_A "/promotion", "{\"year\":1800}", 422, "invalid_year"},
        {"/api/v1/schools/" SCH_A "/promotion", "{\"year\":2025,\"x\":1}", 422, "unknown_field"},
        {"/api/v1/schools/" SCH_A "/promotion", "[2025]", 422, "wrong_type"},
        {"/api/v1/schools/" SCH_A "/promotion?dry_run=yes", "{\"year\":2025}", 400,
         "invalid_parameter"},
        {"/api/v1/schools/12345/promotion", "{\"year\":2025}", 404, "school_not_found"},
        {"/api/v1/schools/" SCH_A "/promotion/20x5/revert", NULL, 404, "promotion_not_found"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ht_resp r;
        post(cases[i].path, ZHONGYUAN, cases[i].body, &r);
        ck_assert_msg(r.status == cases[i].status, "case %zu: %ld %s", i, r.status, r.body);
        ht_assert_problem(&r, cases[i].status, cases[i].code);
        ht_resp_free(&r);
    }
}
END_TEST

START_TEST(test_promotion_dry_run_apply_409_revert)
{
    world_p();
    ht_resp r;
    /* outside the jurisdiction, or a school: not found */
    post(path_p("/promotion?dry_run=true"), JINSHUI, "{\"year\":2025}", &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    post(path_p("/promotion?dry_run=true"), ZHONGYUAN, "{\"year\":2026}", &r);
    ht_assert_problem(&r, 409, "promotion_not_due");
    ht_resp_free(&r);
    /* the plan */
    post(path_p("/promotion?dry_run=true"), ZHONGYUAN, "{\"year\":2025}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_true(json_object_get(r.json, "dry_run")));
    ck_assert(json_is_null(json_object_get(r.json, "promotion")));
    ck_assert_int_eq(jint(r.json, "promoted"), 1);
    ck_assert_int_eq(jint(r.json, "graduated"), 1);
    json_t *g0 = json_array_get(json_object_get(r.json, "grades"), 0);
    ck_assert_int_eq(jint(g0, "grade"), 11);
    ck_assert_int_eq(jint(g0, "next_grade"), 12);
    ck_assert_str_eq(ht_json_str(g0, "grade_label"), "一年级");
    ht_resp_free(&r);
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT grade FROM student WHERE id = %lld", p11);
    ck_assert_int_eq(scalar(sql), 11);
    /* the run */
    post(path_p("/promotion"), ZHONGYUAN, "{\"year\":2025}", &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    json_t *run = json_object_get(r.json, "promotion");
    long long id = jint(run, "id");
    ck_assert_str_eq(ht_json_str(run, "state"), "applied");
    ck_assert_int_eq(jint(run, "promoted"), 1);
    ht_resp_free(&r);
    ck_assert_int_eq(scalar(sql), 12);
    snprintf(sql, sizeof(sql), "SELECT state FROM student WHERE id = %lld", p16);
    ck_assert_str_eq(scalar_str(sql), "graduated");
    /* twice: 409 naming the first run */
    post(path_p("/promotion"), ZHENGZHOU, "{\"year\":2025}", &r);
    ht_assert_problem(&r, 409, "promotion_done");
    char want[32];
    snprintf(want, sizeof(want), "%lld ", id);
    ck_assert_msg(strstr(ht_json_str(r.json, "detail"), want) != NULL, "detail %s",
                  ht_json_str(r.json, "detail"));
    ht_resp_free(&r);
    /* revert, then there is nothing to revert */
    post(path_p("/promotion/2025/revert"), REG_A, NULL, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    post(path_p("/promotion/2025/revert"), ZHONGYUAN, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "promotion"), "state"), "reverted");
    ht_resp_free(&r);
    ck_assert_str_eq(scalar_str(sql), "enrolled");
    post(path_p("/promotion/2025/revert"), ZHONGYUAN, NULL, &r);
    ht_assert_problem(&r, 404, "promotion_not_found");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_checkin_term_not_in_calendar)
{
    stu s;
    register_named(REG_A, "报到学期", 13, 1, &s);
    approve(ZHONGYUAN, &s);
    ht_resp r;
    get("/api/v1/regions/410102/calendar", REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    int year = (int)jint(r.json, "year");
    ht_resp_free(&r);
    char body[128];
    snprintf(body, sizeof(body), "{\"term\":\"%d-2\",\"students\":[%lld]}", year + 1, s.id);
    post("/api/v1/schools/" SCH_A "/check-ins", REG_A, body, &r);
    ht_assert_problem(&r, 422, "term_not_in_calendar");
    ck_assert(has_error(&r, "/term", "term_not_in_calendar"));
    ht_resp_free(&r);
    snprintf(body, sizeof(body), "{\"term\":\"%d-1\",\"students\":[%lld]}", year, s.id);
    post("/api/v1/schools/" SCH_A "/check-ins", REG_A, body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
}
END_TEST

/* A bearer token of an account made here (students_world's add_user). */
static char *
login_as(const char *username)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", username, PW);
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, "/api/v1/auth/login", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", username, r.status, r.body);
    char *t = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
    return t;
}

/* 中牟县 (410122): a county of this suite's own, promoted as a whole. */
START_TEST(test_region_job)
{
    char hash[CORE_PWHASH_LEN], sql[512], path[96];
    ck_assert_int_eq(core_pwhash(PW, hash), 0);
    add_user(hash, "pr_zhongmu", "county", "410122", "NULL", "NULL", "{}");
    snprintf(SCH_P, sizeof(SCH_P), "2141%06d", 100000 + (int)((getpid() + 450000) % 900000));
    snprintf(sql, sizeof(sql),
             "INSERT INTO school (code, name, county, authority, province, category)"
             " VALUES ('%s', '中牟升级测试小学', '410122', '410122', '410000', 21)",
             SCH_P);
    ht_db_exec(pg, sql);
    stu a;
    register_named(REG_A, "区域升级", 13, 1, &a);
    approve(ZHONGYUAN, &a);
    place(a.id, 12);
    char *county = login_as("pr_zhongmu");
    ht_resp r;
    /* a school, and a bureau that does not see the region */
    post("/api/v1/regions/410122/promotion", REG_A, "{\"year\":2025}", &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    post("/api/v1/regions/410122/promotion", ZHONGYUAN, "{\"year\":2025}", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    call("POST", "/api/v1/regions/410122/promotion", county, "{\"year\":\"x\"}", NULL, &r);
    ht_assert_problem(&r, 422, "wrong_type");
    ht_resp_free(&r);
    call("POST", "/api/v1/regions/410122/promotion", county, "{\"year\":2025}", NULL, &r);
    ck_assert_msg(r.status == 202, "%ld %s", r.status, r.body);
    long long id = jint(r.json, "id");
    ck_assert_int_ge(jint(r.json, "total"), 1);
    ht_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/promotion-jobs/%lld", id);
    int done = 0;
    for (int i = 0; i < 200 && !done; i++) {
        call("GET", path, county, NULL, NULL, &r);
        ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
        done = strcmp(ht_json_str(r.json, "state"), "done") == 0;
        if (done) {
            ck_assert_int_eq(jint(r.json, "processed"), jint(r.json, "total"));
            ck_assert_int_ge(jint(r.json, "applied"), 1);
            ck_assert_int_ge(jint(r.json, "promoted"), 1);
        }
        ht_resp_free(&r);
        if (!done)
            ht_sleep_ms(100);
    }
    if (!done) {
        char *log = ht_server_log(srv);
        fprintf(stderr, "%s\n", log ? log : "");
        free(log);
    }
    ck_assert_msg(done, "job %lld did not finish", id);
    snprintf(sql, sizeof(sql), "SELECT grade FROM student WHERE id = %lld", a.id);
    ck_assert_int_eq(scalar(sql), 13);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM promotion WHERE job_id = %lld", id);
    ck_assert_int_ge(scalar(sql), 1);
    /* another county does not see the job */
    get(path, JINSHUI, &r);
    ht_assert_problem(&r, 404, "promotion_job_not_found");
    ht_resp_free(&r);
    free(county);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("promotion-http");
    TCase *tc = tcase_create("promotion");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, ht_timeout(60));
    tcase_add_test(tc, test_calendar);
    tcase_add_test(tc, test_promotion_bad_input);
    tcase_add_test(tc, test_promotion_dry_run_apply_409_revert);
    tcase_add_test(tc, test_checkin_term_not_in_calendar);
    tcase_add_test(tc, test_region_job);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return world_main(suite());
}
