/*
 * tests/http/system_change_test.c - a school changes its system (学校变更学制,
 * issue 15): POST /schools/{code}/system-change remaps the active pupils by
 * year of schooling (core_grade_map), with history, events and audit; who
 * may; every error; and a transfer into a school of the other system takes
 * the grade of the same year of schooling. The world is tests/lib/wfworld.h's
 * with two junior schools of this suite's own in 芙蓉区 (authority 430102):
 *   K 3143019391 初级中学, 六三, classes 21-1, 22-1, 23-1
 *   L 3143019392 初级中学, 五四, class 21-1, and a registrar of its own
 * Pupils are registered at school A and placed at K or L by SQL.
 */
#include "core/calendar.h"
#include "core/pwhash.h"
#include "core/system_change.h"
#include "tests/lib/wfworld.h"

#include <stdio.h>
#include <string.h>

#define SCH_K "3143019391"
#define SCH_L "3143019392"
#define USER_L "sc_reg_l"

static char token_l[1024];

static void
seed(void)
{
    ht_db_exec(tdb(),
               "INSERT INTO school (code, name, county, authority, province, category,"
               " system) VALUES"
               " ('" SCH_K "', '学制测试芙蓉初级中学', '430102', '430102', '430000', 31, '63'),"
               " ('" SCH_L "', '学制测试芙蓉五四初中', '430102', '430102', '430000', 31, '54')"
               " ON CONFLICT DO NOTHING");
    ht_db_exec(tdb(), "INSERT INTO class (school, grade, number, name) VALUES"
                      " ('" SCH_K "', 21, 1, '初一(1)班'), ('" SCH_K "', 22, 1, '初二(1)班'),"
                      " ('" SCH_K "', 23, 1, '初三(1)班'), ('" SCH_L "', 21, 1, '初一(1)班')"
                      " ON CONFLICT (school, grade, number) DO NOTHING");
    char hash[CORE_PWHASH_LEN], sql[1024];
    ck_assert_int_eq(core_pwhash(PW, hash), 0);
    snprintf(sql, sizeof(sql),
             "INSERT INTO app_user (username, display_name, role, org, staff_role, password_hash,"
             " must_change_password) VALUES ('" USER_L "', '" USER_L "', 'school', '" SCH_L "',"
             " 'registrar', '%s', false) ON CONFLICT (username) DO NOTHING",
             hash);
    ht_db_exec(tdb(), sql);
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, "/api/v1/auth/login",
                                  "{\"username\":\"" USER_L "\",\"password\":\"" PW "\"}", NULL,
                                  &r),
                     0);
    ck_assert_msg(r.status == 200, "login: %ld %s", r.status, r.body);
    snprintf(token_l, sizeof(token_l), "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

/* A pupil enrolled at school A, then placed in class `grade`-1 of `school`. */
static void
placed(const char *school, int grade, stu *s)
{
    enrol(REG_A, FURONG, 13, s);
    ck_assert_int_eq(count_of("WITH k AS (SELECT id FROM class WHERE school = '%s' AND grade = %d"
                              " AND number = 1) UPDATE student SET school = '%s', grade = %d,"
                              " class_no = 1, class_id = (SELECT id FROM k) WHERE id = %lld"
                              " RETURNING 1",
                              school, grade, school, grade, s->id),
                     1);
}

static int
grade_of(long long id)
{
    return (int)count_of("SELECT grade FROM student WHERE id = %lld", id);
}

static void
change(int who, const char *code, const char *body, ht_resp *out)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/schools/%s/system-change", code);
    call("POST", path, who, body, out);
}

static void
change_fails(int who, const char *code, const char *body, long status, const char *slug)
{
    ht_resp r;
    change(who, code, body, &r);
    ht_assert_problem(&r, status, slug);
    ht_resp_free(&r);
}

static const char *
body_of(const char *system, int year)
{
    static char b[96];
    snprintf(b, sizeof(b), "{\"system\":\"%s\",\"effective_year\":%d}", system, year);
    return b;
}

static int
this_year(void)
{
    return core_school_year_of(core_today());
}

START_TEST(test_remap_there_and_back)
{
    seed();
    stu p1, p2, p3;
    placed(SCH_K, 21, &p1);
    placed(SCH_K, 22, &p2);
    placed(SCH_K, 23, &p3);
    long long ev0 = count_of("SELECT count(*) FROM events WHERE type = 'student.updated'"
                             " AND data->>'reason' = 'system_change'");
    ht_resp r;
    change(FURONG, SCH_K, body_of("54", this_year()), &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "from"), "63");
    ck_assert_str_eq(ht_json_str(r.json, "to"), "54");
    ck_assert_int_eq(jint(r.json, "students"), 3);
    ck_assert_int_eq(jint(r.json, "classes_created"), 1); /* 初四(1)班 */
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "grades")), 3);
    ht_resp_free(&r);
    /* 初一 of 六三 is 初二 of 五四 ... 初三 is 初四 */
    ck_assert_int_eq(grade_of(p1.id), 22);
    ck_assert_int_eq(grade_of(p2.id), 23);
    ck_assert_int_eq(grade_of(p3.id), 24);
    ck_assert_str_eq(placement(FURONG, p3.id), "enrolled " SCH_K " 24-1");
    ck_assert_int_eq(count_of("SELECT count(*) FROM student s JOIN class k ON k.id = s.class_id"
                              " WHERE s.id = %lld AND k.grade = 24 AND k.name = '初四(1)班'",
                              p3.id),
                     1);
    ck_assert_str_eq(scalar("SELECT system FROM school WHERE code = '" SCH_K "'"), "54");
    /* history, events, audit */
    ck_assert_int_eq(count_of("SELECT count(*) FROM student_history WHERE student_id = %lld"
                              " AND kind = 'system_change' AND changes @> '[{\"field\":\"/grade\","
                              "\"old\":\"21\",\"new\":\"22\"}]'",
                              p1.id),
                     1);
    ck_assert_int_eq(count_of("SELECT count(*) FROM events WHERE type = 'student.updated'"
                              " AND data->>'reason' = 'system_change'") -
                         ev0,
                     3);
    ck_assert_int_eq(count_of("SELECT count(*) FROM audit WHERE action = 'school.system_change'"
                              " AND target_id = '" SCH_K "' AND detail->>'to' = '54'"),
                     1);
    /* again: nothing to change */
    change_fails(FURONG, SCH_K, body_of("54", this_year()), 409, "system_unchanged");
    /* and back, from the next school year */
    change(FURONG, SCH_K, body_of("63", this_year() + 1), &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(jint(r.json, "students"), 3);
    ck_assert_int_eq(jint(r.json, "classes_created"), 0);
    ht_resp_free(&r);
    ck_assert_int_eq(grade_of(p1.id), 21);
    ck_assert_int_eq(grade_of(p2.id), 22);
    ck_assert_int_eq(grade_of(p3.id), 23);
}
END_TEST

/* A grade the school would not teach any more blocks the change; nothing moves. */
START_TEST(test_blocked)
{
    seed();
    stu p;
    placed(SCH_L, 21, &p); /* 初一 of a 五四 school is 六年级 under 六三: no junior grade */
    long long v0 = count_of("SELECT version FROM school WHERE code = '" SCH_L "'");
    ht_resp r;
    change(FURONG, SCH_L, body_of("63", this_year()), &r);
    ht_assert_problem(&r, 409, "system_change_blocked");
    ck_assert_msg(strstr(r.body, "初一") != NULL, "%s", r.body);
    ht_resp_free(&r);
    ck_assert_int_eq(grade_of(p.id), 21);
    ck_assert_int_eq(count_of("SELECT version FROM school WHERE code = '" SCH_L "'"), v0);
    ck_assert_str_eq(scalar("SELECT system FROM school WHERE code = '" SCH_L "'"), "54");
    /* graduated or moved away, the change goes through */
    ht_db_exec(tdb(), "UPDATE student SET state = 'transferred_out' WHERE school = '" SCH_L "'");
    change(FURONG, SCH_L, body_of("63", this_year()), &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(jint(r.json, "students"), 0);
    ht_resp_free(&r);
    ck_assert_int_eq(grade_of(p.id), 21); /* a pupil who left keeps its record */
    change(FURONG, SCH_L, body_of("54", this_year()), &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_who_and_errors)
{
    seed();
    int y = this_year();
    /* school staff: 403 at their own school, 404 elsewhere; another county 404 */
    change_fails(REG_A, SCH_K, body_of("54", y), 404, "school_not_found");
    change_fails(REG_A, SCH_A, body_of("54", y), 403, "forbidden");
    change_fails(TIANXIN, SCH_K, body_of("54", y), 404, "school_not_found");
    change_fails(DONGHU, SCH_K, body_of("54", y), 404, "school_not_found");
    change_fails(FURONG, "21430193", body_of("54", y), 404, "school_not_found");
    change_fails(FURONG, "2143019399", body_of("54", y), 404, "school_not_found");
    /* the body */
    change_fails(FURONG, SCH_K, "[]", 422, "wrong_type");
    change_fails(FURONG, SCH_K, "{\"effective_year\":2026}", 422, "missing_field");
    change_fails(FURONG, SCH_K, "{\"system\":54,\"effective_year\":2026}", 422, "wrong_type");
    change_fails(FURONG, SCH_K, "{\"system\":\"54\",\"effective_year\":\"2026\"}", 422,
                 "wrong_type");
    change_fails(FURONG, SCH_K, "{\"system\":\"54\",\"effective_year\":2026,\"x\":1}", 422,
                 "unknown_field");
    change_fails(FURONG, SCH_K, body_of("55", y), 422, "invalid_system");
    change_fails(FURONG, SCH_K, body_of("54", y - 1), 422, "invalid_effective_year");
    change_fails(FURONG, SCH_K, body_of("54", y + 2), 422, "invalid_effective_year");
    change_fails(FURONG, SCH_K, body_of("54", 1999), 422, "invalid_effective_year");
    change_fails(FURONG, SCH_K, body_of("63", y), 409, "system_unchanged");
    /* a closed school */
    ht_db_exec(tdb(), "UPDATE school SET closed = true WHERE code = '" SCH_K "'");
    change_fails(FURONG, SCH_K, body_of("54", y), 409, "school_closed");
    ht_db_exec(tdb(), "UPDATE school SET closed = false WHERE code = '" SCH_K "'");
    /* the city above the authority may */
    ht_resp r;
    change(CHANGSHA, SCH_K, body_of("54", y), &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    change(CHANGSHA, SCH_K, body_of("63", y), &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
}
END_TEST

/* 六年级 of a 六三 primary transferred to a 五四 junior school: 初一, the
   same year of schooling, written into the request when it starts. */
START_TEST(test_transfer_maps_grade)
{
    seed();
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    ck_assert_int_eq(count_of("UPDATE student SET grade = 16, class_no = 1, class_id = (SELECT id"
                              " FROM class WHERE school = '" SCH_A
                              "' AND grade = 16 AND number = 1)"
                              " WHERE id = %lld RETURNING 1",
                              s.id),
                     1);
    char path[96], num[32];
    snprintf(path, sizeof(path), "/api/v1/students/%lld?reveal=id_number", s.id);
    ht_resp r;
    call("GET", path, REG_A, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    snprintf(num, sizeof(num), "%s", ht_json_str(r.json, "student_number"));
    ht_resp_free(&r);
    char body[256], auth[1100];
    snprintf(body, sizeof(body),
             "{\"type\":\"transfer\",\"student\":\"%s\",\"payload\":{\"to_school\":\"" SCH_L "\"}}",
             num);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token_l);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    ck_assert_int_eq(ht_request(srv, "POST", "/api/v1/requests", h, body, strlen(body), &r), 0);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long rid = jint(r.json, "id");
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "payload"), "grade"), "21");
    ht_resp_free(&r);
    act_ok(REG_A, rid, "approve", 1, "open");
    act_ok(FURONG, rid, "approve", 2, "approved");
    ck_assert_str_eq(placement(FURONG, s.id), "enrolled " SCH_L " 21-1");
}
END_TEST

/* A cohort of 六年级 moved by batch_transfer into the 五四 junior school: 初一. */
START_TEST(test_batch_transfer_maps_grade)
{
    seed();
    stu s1, s2;
    enrol(REG_A, FURONG, 13, &s1);
    enrol(REG_A, FURONG, 13, &s2);
    ck_assert_int_eq(count_of("WITH u AS (UPDATE student SET grade = 16, class_no = 1, class_id ="
                              " (SELECT id FROM class WHERE school = '" SCH_A "' AND grade = 16"
                              " AND number = 1) WHERE id IN (%lld, %lld) RETURNING 1)"
                              " SELECT count(*) FROM u",
                              s1.id, s2.id),
                     2);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"type\":\"batch_transfer\",\"payload\":{\"from_school\":\"" SCH_A
             "\",\"to_school\":\"" SCH_L "\",\"students\":[%lld,%lld]}}",
             s1.id, s2.id);
    ht_resp r;
    call("POST", "/api/v1/requests", FURONG, body, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    act_ok(REG_A, rid, "approve", 1, "open");
    char path[96], auth[1100];
    const char *act = "{\"action\":\"approve\",\"step\":2,\"comment\":\"ok\"}";
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", rid);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token_l);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    ck_assert_int_eq(ht_request(srv, "POST", path, h, act, strlen(act), &r), 0);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(placement(FURONG, s1.id), "enrolled " SCH_L " 21-1");
    ck_assert_str_eq(placement(FURONG, s2.id), "enrolled " SCH_L " 21-1");
    ck_assert_int_eq(count_of("SELECT count(*) FROM student_history WHERE student_id = %lld"
                              " AND kind = 'batch_transfer' AND changes @> '[{\"field\":\"/grade\","
                              "\"old\":\"16\",\"new\":\"21\"}]'",
                              s1.id),
                     1);
}
END_TEST

static Suite *
system_change_suite(void)
{
    Suite *s = suite_create("http-system-change");
    TCase *tc = wf_tcase("system-change", 120);
    tcase_add_test(tc, test_remap_there_and_back);
    tcase_add_test(tc, test_blocked);
    tcase_add_test(tc, test_who_and_errors);
    tcase_add_test(tc, test_transfer_maps_grade);
    tcase_add_test(tc, test_batch_transfer_maps_grade);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(system_change_suite(), close_db);
}
