/*
 * tests/http/datacheck_test.c - the semester data check (数据质量核查,
 * issue #15, core/datacheck.h) and the FAQ's statistics (core/report_faq.h)
 * over HTTP.
 *
 * The world is tests/lib/wfworld.h's (芙蓉区 430102, its city 长沙 430100,
 * 江西 360000 outside), plus schools of this suite only, each with its own
 * registrar seeded by SQL, so that counts are exact whatever other suites
 * leave in the shared schools:
 *   DC1 2143019321 小学 in 芙蓉区 (authority 430102): the data check
 *   DC2 2143019322 小学 in 芙蓉区 (authority 430102): the statistics
 * Students are registered through the API and approved by the county; the
 * states the check looks for (an empty field, a photo, an open problem) are
 * then set in SQL.
 */
#include "core/pwhash.h"
#include "formats/xlsx.h"
#include "tests/lib/wfworld.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DC1 "2143019321"
#define DC2 "2143019322"
#define TERM "2026-1"
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static char dc_token[1024];

/* The school and its registrar "dc_reg_<code>"; idempotent. */
static void
seed_school(const char *code, const char *name)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO school (code, name, county, authority, province, category) VALUES"
             " ('%s', '%s', '430102', '430102', '430000', 21) ON CONFLICT DO NOTHING",
             code, name);
    ht_db_exec(tdb(), sql);
    snprintf(sql, sizeof(sql),
             "INSERT INTO class (school, grade, number, name) VALUES ('%s', 13, 1, '三年级(1)班'),"
             " ('%s', 14, 1, '四年级(1)班') ON CONFLICT (school, grade, number) DO NOTHING",
             code, code);
    ht_db_exec(tdb(), sql);
    char hash[CORE_PWHASH_LEN];
    ck_assert_int_eq(core_pwhash(PW, hash), 0);
    snprintf(sql, sizeof(sql),
             "INSERT INTO app_user (username, display_name, role, org, staff_role, password_hash,"
             " must_change_password) VALUES ('dc_reg_%s', '核查学籍员', 'school', '%s',"
             " 'registrar', '%s', false) ON CONFLICT (username) DO NOTHING",
             code, code, hash);
    ht_db_exec(tdb(), sql);
    snprintf(sql, sizeof(sql), "{\"username\":\"dc_reg_%s\",\"password\":\"%s\"}", code, PW);
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, "/api/v1/auth/login", sql, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "login: %ld %s", r.status, r.body);
    snprintf(dc_token, sizeof(dc_token), "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

/* A request as the suite's registrar. */
static void
dcall(const char *method, const char *path, const char *body, ht_resp *out)
{
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", dc_token);
    const char *h[] = {auth, body ? "Content-Type: application/json" : NULL, NULL};
    ck_assert_int_eq(ht_request(srv, method, path, h, body, body ? strlen(body) : 0, out), 0);
}

/* Register a grade-13 pupil at the suite's school and have the county approve it. */
static long long
dc_enrol(int grade)
{
    stu s;
    stu_make(&s, 2016);
    char g[2] = {(char)('0' + s.gender), 0}, gr[4];
    snprintf(gr, sizeof(gr), "%d", grade);
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:f,s:s,s:s,s:[{s:s,s:s,"
        "s:s,s:s},{s:s,s:s,s:s}]}",
        "name", s.name, "gender", g, "birth_date", s.birth, "ethnicity", "01", "nationality", "CHN",
        "id_type", "1", "id_number", s.idnum, "hukou_region", "430102000000", "hukou_type", "1",
        "grade", gr, "class", 1, "enrolled_month", "202209", "entry_mode", "1", "study_mode", "1",
        "source", "1", "distance_km", 1.5, "transport", "1", "school_bus", "0", "family", "name",
        "核查家长", "relation", "1", "phone", "13700000000", "guardian", "1", "name", "核查家属",
        "relation", "2", "phone", "13700000001");
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    ht_resp r;
    dcall("POST", "/api/v1/students", text, &r);
    free(text);
    ck_assert_msg(r.status == 201, "register: %ld %s", r.status, r.body);
    long long id = jint(json_object_get(r.json, "student"), "id");
    long long rid = jint(json_object_get(r.json, "request"), "id");
    ht_resp_free(&r);
    act_ok(FURONG, rid, "approve", 1, "approved");
    return id;
}

static void
get_as(int who, const char *path, ht_resp *r)
{
    if (who < 0)
        dcall("GET", path, NULL, r);
    else
        call("GET", path, who, NULL, r);
    ck_assert_msg(r->status == 200, "GET %s: %ld %s", path, r->status, r->body);
}

static long long
counts_of(const ht_resp *r, const char *key)
{
    return jint(json_object_get(r->json, "counts"), key);
}

/* ---------------------------------------------------------------- the data check */

/* Three pupils: s1 complete, photo, checked in; s2 ethnicity emptied, no
   photo, checked in; s3 in an open suspected duplicate, no photo, not
   checked in. */
/* The pupils of `school` by id into s[0..n): 1 when the world was there already. */
static int
world_there(const char *school, long long *s, int n)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT id FROM student WHERE school = '%s' ORDER BY id", school);
    PGresult *res = PQexec(tdb(), sql);
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    int there = PQntuples(res) == n;
    ck_assert_msg(there || PQntuples(res) == 0, "%d pupils in %s", PQntuples(res), school);
    for (int i = 0; there && i < n; i++)
        s[i] = atoll(PQgetvalue(res, i, 0));
    PQclear(res);
    return there;
}

static void
check_world(long long s[3])
{
    seed_school(DC1, "核查测试第一小学");
    if (world_there(DC1, s, 3))
        return;
    for (int i = 0; i < 3; i++)
        s[i] = dc_enrol(13);
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO student_photo (student_id, mime, width, height, data)"
             " VALUES (%lld, 'image/png', 64, 64, '\\x00')",
             s[0]);
    ht_db_exec(tdb(), sql);
    snprintf(sql, sizeof(sql), "UPDATE student SET ethnicity = NULL WHERE id = %lld", s[1]);
    ht_db_exec(tdb(), sql);
    snprintf(sql, sizeof(sql),
             "INSERT INTO problem (kind, student_id, school, authority, reason)"
             " VALUES ('suspected_duplicate', %lld, '" DC1 "', '430102', 'test')",
             s[2]);
    ht_db_exec(tdb(), sql);
    char body[128];
    snprintf(body, sizeof(body), "{\"term\":\"" TERM "\",\"students\":[%lld,%lld]}", s[0], s[1]);
    ht_resp r;
    dcall("POST", "/api/v1/schools/" DC1 "/check-ins", body, &r);
    ck_assert_msg(r.status == 200, "check-in: %ld %s", r.status, r.body);
    ht_resp_free(&r);
}

static long long
item_id(const ht_resp *r, size_t i)
{
    return jint(json_array_get(json_object_get(r->json, "items"), i), "id");
}

START_TEST(test_school_check)
{
    long long s[3];
    check_world(s);
    ht_resp r;
    get_as(-1, "/api/v1/schools/" DC1 "/data-check?term=" TERM, &r);
    ck_assert_int_eq(counts_of(&r, "students"), 3);
    ck_assert_int_eq(counts_of(&r, "with_issues"), 2);
    ck_assert_int_eq(counts_of(&r, "missing_fields"), 1);
    ck_assert_int_eq(counts_of(&r, "duplicate"), 1);
    ck_assert_int_eq(counts_of(&r, "no_photo"), 2);
    ck_assert_int_eq(counts_of(&r, "not_checked_in"), 1);
    json_t *by = json_object_get(json_object_get(r.json, "counts"), "missing_by_field");
    ck_assert_int_eq(json_array_size(by), 1);
    ck_assert_str_eq(ht_json_str(json_array_get(by, 0), "field"), "/ethnicity");
    ck_assert_str_eq(ht_json_str(json_array_get(by, 0), "label"), "民族");
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 2);
    ck_assert_int_eq(item_id(&r, 0), s[1]);
    ck_assert_int_eq(item_id(&r, 1), s[2]);
    json_t *it = json_array_get(items, 0);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(it, "missing_fields"), 0)),
                     "/ethnicity");
    char *issues = json_dumps(json_object_get(json_array_get(items, 1), "issues"), JSON_COMPACT);
    ck_assert_str_eq(issues, "[\"duplicate\",\"no_photo\",\"not_checked_in\"]");
    free(issues);
    /* the ID number never comes out whole: a G number is masked */
    ck_assert_ptr_nonnull(strstr(ht_json_str(it, "student_number"), "*"));
    ck_assert(json_is_null(json_object_get(r.json, "sign_off")));
    ht_resp_free(&r);

    /* one issue, and pages */
    get_as(-1, "/api/v1/schools/" DC1 "/data-check?term=" TERM "&issue=duplicate", &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ck_assert_int_eq(item_id(&r, 0), s[2]);
    ht_resp_free(&r);
    get_as(-1, "/api/v1/schools/" DC1 "/data-check?term=" TERM "&limit=1", &r);
    ck_assert_int_eq(item_id(&r, 0), s[1]);
    char path[160];
    snprintf(path, sizeof(path),
             "/api/v1/schools/" DC1 "/data-check?term=" TERM "&limit=1&cursor=%s",
             ht_json_str(r.json, "next_cursor"));
    ht_resp_free(&r);
    get_as(-1, path, &r);
    ck_assert_int_eq(item_id(&r, 0), s[2]);
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    ht_resp_free(&r);
    /* another term: nobody checked in */
    get_as(CHANGSHA, "/api/v1/schools/" DC1 "/data-check?term=2026-2", &r);
    ck_assert_int_eq(counts_of(&r, "not_checked_in"), 3);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_school_check_errors)
{
    seed_school(DC1, "核查测试第一小学");
    ht_resp r;
    const char *base = "/api/v1/schools/" DC1 "/data-check";
    call_fails("GET", base, FURONG, NULL, 422, "invalid_term");
    call_fails("GET", "/api/v1/schools/" DC1 "/data-check?term=2026-3", FURONG, NULL, 422,
               "invalid_term");
    call_fails("GET", "/api/v1/schools/" DC1 "/data-check?term=26-1", FURONG, NULL, 422,
               "invalid_term");
    call_fails("GET", "/api/v1/schools/" DC1 "/data-check?term=2026-1&issue=nope", FURONG, NULL,
               400, "invalid_parameter");
    call_fails("GET", "/api/v1/schools/" DC1 "/data-check?term=2026-1&cursor=x", FURONG, NULL, 400,
               "invalid_cursor");
    /* out of jurisdiction: another county's, another province's, another school's registrar */
    call_fails("GET", "/api/v1/schools/" DC1 "/data-check?term=2026-1", TIANXIN, NULL, 404,
               "school_not_found");
    call_fails("GET", "/api/v1/schools/" DC1 "/data-check?term=2026-1", JIANGXI, NULL, 404,
               "school_not_found");
    call_fails("GET", "/api/v1/schools/" DC1 "/data-check?term=2026-1", REG_A, NULL, 404,
               "school_not_found");
    call_fails("GET", "/api/v1/schools/9999999999/data-check?term=2026-1", FURONG, NULL, 404,
               "school_not_found");
    /* a grade leader's scope is narrower than the school */
    call_fails("GET", "/api/v1/schools/" SCH_A "/data-check?term=2026-1", GRADE_A, NULL, 403,
               "forbidden");
    get_as(REG_A, "/api/v1/schools/" SCH_A "/data-check?term=2026-1", &r);
    ht_resp_free(&r);
}
END_TEST

static long long
audits(const char *action, const char *target)
{
    return count_of("SELECT count(*) FROM audit WHERE action = '%s' AND target_id = '%s'", action,
                    target);
}

START_TEST(test_sign_offs)
{
    long long s[3];
    check_world(s);
    const char *body = "{\"term\":\"" TERM "\"}";
    /* the school signs; the wrong level is 403, outside 404 */
    call_fails("POST", "/api/v1/schools/" DC1 "/data-check/sign-off", FURONG, body, 403,
               "forbidden");
    call_fails("POST", "/api/v1/schools/" DC1 "/data-check/sign-off", REG_A, body, 404,
               "school_not_found");
    call_fails("POST", "/api/v1/schools/" SCH_A "/data-check/sign-off", GRADE_A, body, 403,
               "forbidden");
    ht_resp r;
    dcall("POST", "/api/v1/schools/" DC1 "/data-check/sign-off", "{\"term\":\"2026-9\"}", &r);
    ht_assert_problem(&r, 422, "invalid_term");
    ht_resp_free(&r);
    dcall("POST", "/api/v1/schools/" DC1 "/data-check/sign-off", "{}", &r);
    ht_assert_problem(&r, 422, "missing_field");
    ht_resp_free(&r);
    ck_assert_int_eq(audits("data_check.sign_off", DC1), 0);

    dcall("POST", "/api/v1/schools/" DC1 "/data-check/sign-off", body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "level"), "school");
    ck_assert(json_is_true(json_object_get(r.json, "created")));
    ck_assert_int_eq(jint(json_object_get(r.json, "counts"), "with_issues"), 2);
    char at[64];
    snprintf(at, sizeof(at), "%s", ht_json_str(r.json, "signed_at"));
    ht_resp_free(&r);
    /* twice: the first sign-off, unchanged and not audited again */
    dcall("POST", "/api/v1/schools/" DC1 "/data-check/sign-off", body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_false(json_object_get(r.json, "created")));
    ck_assert_str_eq(ht_json_str(r.json, "signed_at"), at);
    ht_resp_free(&r);
    ck_assert_int_eq(audits("data_check.sign_off", DC1), 1);

    /* the county's report: who has not signed */
    get_as(FURONG, "/api/v1/regions/430102/data-check?term=" TERM "&limit=500", &r);
    long long open =
        count_of("SELECT count(*) FROM school WHERE authority = '430102' AND NOT closed");
    ck_assert_int_eq(counts_of(&r, "schools"), open);
    ck_assert_int_eq(counts_of(&r, "school_signed"),
                     count_of("SELECT count(*) FROM data_check_signoff WHERE term = '" TERM
                              "' AND level = 'school' AND school IN (SELECT code FROM school"
                              " WHERE authority = '430102' AND NOT closed)"));
    int seen = 0;
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r.json, "items"), i, row)
    {
        if (strcmp(ht_json_str(row, "school"), DC1) == 0) {
            seen = 1;
            ck_assert(json_is_object(json_object_get(row, "sign_off")));
            ck_assert(json_is_null(json_object_get(row, "authority_sign_off")));
        }
    }
    ck_assert(seen);
    ht_resp_free(&r);
    get_as(CHANGSHA, "/api/v1/regions/430102/data-check?term=" TERM "&missing=school&limit=500",
           &r);
    json_array_foreach(json_object_get(r.json, "items"), i, row)
    {
        ck_assert_str_ne(ht_json_str(row, "school"), DC1);
        ck_assert(json_is_null(json_object_get(row, "sign_off")));
    }
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")),
                     counts_of(&r, "school_pending"));
    ht_resp_free(&r);
    call_fails("GET", "/api/v1/regions/430102/data-check?term=" TERM, REG_A, NULL, 403,
               "forbidden");
    call_fails("GET", "/api/v1/regions/430102/data-check?term=" TERM, JIANGXI, NULL, 404,
               "region_not_found");
    call_fails("GET", "/api/v1/regions/430199/data-check?term=" TERM, HUNAN, NULL, 404,
               "region_not_found");
    call_fails("GET", "/api/v1/regions/430102/data-check?term=2026", FURONG, NULL, 422,
               "invalid_term");
    call_fails("GET", "/api/v1/regions/430102/data-check?term=" TERM "&missing=x", FURONG, NULL,
               400, "invalid_parameter");

    /* the county signs off its schools: the city and the school are the wrong level */
    const char *rp = "/api/v1/regions/430102/data-check/sign-off";
    call_fails("POST", rp, CHANGSHA, body, 403, "forbidden");
    call_fails("POST", rp, REG_A, body, 403, "forbidden");
    call_fails("POST", rp, JIANGXI, body, 404, "region_not_found");
    call_fails("POST", rp, FURONG, "{\"term\":\"x\"}", 422, "invalid_term");
    call("POST", rp, FURONG, body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    long long signed_now = jint(r.json, "signed_off");
    ck_assert_int_ge(signed_now, 1);
    ck_assert_int_eq(jint(r.json, "schools"), open);
    ck_assert_int_eq(jint(r.json, "pending"),
                     open - count_of("SELECT count(*) FROM data_check_signoff d JOIN school s ON"
                                     " s.code = d.school WHERE d.term = '" TERM "' AND d.level ="
                                     " 'school' AND s.authority = '430102' AND NOT s.closed"));
    ht_resp_free(&r);
    /* only the schools that signed themselves */
    ck_assert_int_eq(count_of("SELECT count(*) FROM data_check_signoff a WHERE a.level ="
                              " 'authority' AND a.term = '" TERM "' AND NOT EXISTS (SELECT 1 FROM"
                              " data_check_signoff s WHERE s.school = a.school AND s.term = a.term"
                              " AND s.level = 'school')"),
                     0);
    call("POST", rp, FURONG, body, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(jint(r.json, "signed_off"), 0);
    ck_assert_int_ge(jint(r.json, "already_signed_off"), signed_now);
    ht_resp_free(&r);
    ck_assert_int_eq(audits("data_check.approve", "430102"), 1);
    get_as(-1, "/api/v1/schools/" DC1 "/data-check?term=" TERM, &r);
    json_t *ap = json_object_get(r.json, "authority_sign_off");
    ck_assert_str_eq(ht_json_str(ap, "org"), "430102");
    ck_assert_str_eq(ht_json_str(ap, "level"), "authority");
    ht_resp_free(&r);
}
END_TEST

/* ---------------------------------------------------------------- statistics */

/* Four pupils of DC2, grade 13: a boarder; a left-behind child from another
   county of 长沙; a migrant child from another province; one from 株洲
   (another city of 湖南); one more in grade 14, local. */
static void
stats_world(long long s[5])
{
    seed_school(DC2, "统计测试小学");
    if (world_there(DC2, s, 5))
        return;
    for (int i = 0; i < 5; i++)
        s[i] = dc_enrol(i < 4 ? 13 : 14);
    const char *set[] = {"study_mode = '2'", "left_behind = '1', hukou_region = '430103000000'",
                         "migrant_child = '1', hukou_region = '440105000000'",
                         "hukou_region = '430202000000'", "study_mode = '2'"};
    for (int i = 0; i < 5; i++) {
        char sql[256];
        snprintf(sql, sizeof(sql), "UPDATE student SET %s WHERE id = %lld", set[i], s[i]);
        ht_db_exec(tdb(), sql);
    }
}

static json_t *
row_of(const ht_resp *r, const char *school, const char *grade)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(r->json, "rows"), i, row)
    {
        if (strcmp(ht_json_str(row, "school"), school) == 0 &&
            (grade == NULL || strcmp(ht_json_str(row, "grade"), grade) == 0))
            return row;
    }
    return NULL;
}

static void table_check(const char *body, size_t len, const char *first, const char *last_first);

START_TEST(test_school_statistics)
{
    long long s[5];
    stats_world(s);
    ht_resp r;
    get_as(FURONG, "/api/v1/reports/school-statistics?school=" DC2, &r);
    ck_assert_str_eq(ht_json_str(r.json, "by"), "class");
    json_t *g13 = row_of(&r, DC2, "13");
    ck_assert_ptr_nonnull(g13);
    ck_assert_int_eq(jint(g13, "class"), 1);
    ck_assert_str_eq(ht_json_str(g13, "grade_label"), "三年级");
    ck_assert_int_eq(jint(g13, "total"), 4);
    ck_assert_int_eq(jint(g13, "male") + jint(g13, "female"), 4);
    ck_assert_int_eq(jint(g13, "male"), count_of("SELECT count(*) FROM student WHERE school = '" DC2
                                                 "' AND grade = 13 AND gender = '1'"));
    ck_assert_int_eq(jint(g13, "boarders"), 1);
    ck_assert_int_eq(jint(g13, "left_behind"), 1);
    ck_assert_int_eq(jint(g13, "migrant_children"), 1);
    ck_assert_int_eq(jint(json_object_get(r.json, "total"), "total"), 5);
    ck_assert_int_eq(jint(json_object_get(r.json, "total"), "boarders"), 2);
    ht_resp_free(&r);
    get_as(-1, "/api/v1/reports/school-statistics?by=school", &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "rows")), 1);
    json_t *one = row_of(&r, DC2, NULL);
    ck_assert_int_eq(jint(one, "total"), 5);
    ck_assert_ptr_null(json_object_get(one, "grade"));
    ht_resp_free(&r);
    get_as(FURONG, "/api/v1/reports/school-statistics?by=grade&school=" DC2, &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "rows")), 2);
    ck_assert_int_eq(jint(row_of(&r, DC2, "14"), "total"), 1);
    ht_resp_free(&r);

    /* xlsx: by ?format= or by Accept */
    get_as(FURONG, "/api/v1/reports/school-statistics?school=" DC2 "&format=xlsx", &r);
    ck_assert_str_eq(ht_header(&r, "content-type"), XLSX_TYPE);
    table_check(r.body, r.len, "学校标识码", "合计");
    ht_resp_free(&r);
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[FURONG]);
    const char *h[] = {auth, "Accept: " XLSX_TYPE, NULL};
    ck_assert_int_eq(
        ht_request(srv, "GET", "/api/v1/reports/school-statistics?school=" DC2, h, NULL, 0, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_header(&r, "content-type"), XLSX_TYPE);
    ht_resp_free(&r);

    /* errors and jurisdiction */
    call_fails("GET", "/api/v1/reports/school-statistics?by=pupil", FURONG, NULL, 400,
               "invalid_parameter");
    call_fails("GET", "/api/v1/reports/school-statistics?school=12", FURONG, NULL, 400,
               "invalid_parameter");
    call_fails("GET", "/api/v1/reports/school-statistics?school=" DC2, JIANGXI, NULL, 404,
               "school_not_found");
    call_fails("GET", "/api/v1/reports/school-statistics?school=" DC2, REG_A, NULL, 404,
               "school_not_found");
    call_fails("GET", "/api/v1/reports/school-statistics?region=430102", JIANGXI, NULL, 404,
               "region_not_found");
    call_fails("GET", "/api/v1/reports/school-statistics", GRADE_A, NULL, 403, "forbidden");
    /* a province sees it, another does not count it */
    get_as(HUNAN, "/api/v1/reports/school-statistics?by=school&region=430102", &r);
    ck_assert_ptr_nonnull(row_of(&r, DC2, NULL));
    ht_resp_free(&r);
    get_as(JIANGXI, "/api/v1/reports/school-statistics?by=school", &r);
    ck_assert_ptr_null(row_of(&r, DC2, NULL));
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_non_local)
{
    long long s[5];
    stats_world(s);
    ht_resp r;
    get_as(FURONG, "/api/v1/reports/non-local-students?region=430102", &r);
    ck_assert_str_eq(ht_json_str(r.json, "stage"), "primary");
    json_t *row = row_of(&r, DC2, NULL);
    ck_assert_ptr_nonnull(row);
    ck_assert_int_eq(jint(row, "total"), 5);
    ck_assert_int_eq(jint(row, "local"), 2);
    ck_assert_int_eq(jint(row, "other_county"), 1);
    ck_assert_int_eq(jint(row, "other_city"), 1);
    ck_assert_int_eq(jint(row, "other_province"), 1);
    ck_assert_int_eq(jint(row, "non_local"), 3);
    ck_assert_int_eq(jint(row, "unknown"), 0);
    ck_assert_str_eq(ht_json_str(row, "county"), "430102");
    ht_resp_free(&r);
    /* the school's registrar: its own school only */
    get_as(-1, "/api/v1/reports/non-local-students", &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "rows")), 1);
    ck_assert_int_eq(jint(json_object_get(r.json, "total"), "non_local"), 3);
    ht_resp_free(&r);
    get_as(FURONG, "/api/v1/reports/non-local-students?stage=junior&region=430102", &r);
    ck_assert_ptr_null(row_of(&r, DC2, NULL));
    ht_resp_free(&r);
    get_as(FURONG, "/api/v1/reports/non-local-students?format=xlsx", &r);
    ck_assert_str_eq(ht_header(&r, "content-type"), XLSX_TYPE);
    table_check(r.body, r.len, "学校标识码", "合计");
    ht_resp_free(&r);
    call_fails("GET", "/api/v1/reports/non-local-students?stage=college", FURONG, NULL, 400,
               "invalid_parameter");
    call_fails("GET", "/api/v1/reports/non-local-students?format=pdf", FURONG, NULL, 400,
               "invalid_parameter");
    call_fails("GET", "/api/v1/reports/non-local-students?region=430102", JIANGXI, NULL, 404,
               "region_not_found");
    call_fails("GET", "/api/v1/reports/non-local-students", GRADE_A, NULL, 403, "forbidden");
    get_as(JIANGXI, "/api/v1/reports/non-local-students", &r);
    ck_assert_ptr_null(row_of(&r, DC2, NULL));
    ht_resp_free(&r);
}
END_TEST

/* A workbook read back: its first cell and the first cell of its last row. */
typedef struct sheet_ends {
    char first[64], last[64];
    int rows;
} sheet_ends;

static int
ends_row(void *ctx, const fmt_sheet_row *row, app_err *err)
{
    (void)err;
    sheet_ends *e = ctx;
    const char *c0 = row->ncells > 0 ? row->cells[0].s : "";
    if (e->rows++ == 0)
        snprintf(e->first, sizeof(e->first), "%s", c0);
    snprintf(e->last, sizeof(e->last), "%s", c0);
    return 0;
}

static void
table_check(const char *body, size_t len, const char *first, const char *last_first)
{
    sheet_ends e = {0};
    app_err err = {0};
    fmt_xlsx_limits lim = fmt_xlsx_limits_default();
    ck_assert_int_eq(
        fmt_xlsx_read((const unsigned char *)body, len, NULL, &lim, ends_row, &e, &err), 0);
    ck_assert_int_ge(e.rows, 3);
    ck_assert_str_eq(e.first, first);
    ck_assert_str_eq(e.last, last_first);
}

static Suite *
datacheck_suite(void)
{
    Suite *s = suite_create("http-datacheck");
    TCase *tc = wf_tcase("datacheck", 120);
    tcase_add_test(tc, test_school_check);
    tcase_add_test(tc, test_school_check_errors);
    tcase_add_test(tc, test_sign_offs);
    tcase_add_test(tc, test_school_statistics);
    tcase_add_test(tc, test_non_local);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(datacheck_suite(), close_db);
}
