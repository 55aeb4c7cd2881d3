/*
 * tests/http/workflow_batch_test.c - the request types about many students
 * and the problem records, end to end through xuejid (API.md "Requests",
 * "Problem records"; DOMAIN §5, rules 12, 17, 18, 24): batch_transfer (an
 * authority over both schools, both schools confirm, revert), graduation
 * (primary at once with certificate numbers and students with open business
 * left out; senior secondary through the authority), graduation_revert, and
 * problem resolutions 佐证 / 变更 / 删除 routed to the lowest common
 * authority (the province too when a G-numbered record is deleted).
 *
 * The world is tests/lib/wfworld.h's.
 */
#include "tests/lib/wfworld.h"

#include <stdio.h>
#include <string.h>

/* POST /requests with a JSON body as given. */
static void
post_request(int who, const char *body, ht_resp *out)
{
    call("POST", "/api/v1/requests", who, body, out);
}

static long long
post_request_ok(int who, const char *body, long want_status)
{
    ht_resp r;
    post_request(who, body, &r);
    ck_assert_msg(r.status == want_status, "POST %s: %ld %s", body, r.status, r.body);
    long long id = jint(r.json, "id");
    ht_resp_free(&r);
    return id;
}

static void
post_fails_at(const char *file, int line, int who, const char *path, const char *body, long status,
              const char *code)
{
    ht_resp r;
    call("POST", path, who, body, &r);
    ck_assert_msg(r.status == status && strstr(r.body, code) != NULL,
                  "%s:%d: POST %s %s: want %ld %s, got %ld %s", file, line, path, body, status,
                  code, r.status, r.body);
    ht_resp_free(&r);
}
#define post_fails(...) post_fails_at(__FILE__, __LINE__, __VA_ARGS__)

static const char *
state_of(long long id)
{
    return scalar("SELECT state FROM student WHERE id = %lld", id);
}

/* The member `student` of a batch request's JSON, or NULL. */
static const json_t *
member_of(const ht_resp *r, long long student)
{
    const json_t *ms = json_object_get(r->json, "members");
    size_t i;
    const json_t *m;
    json_array_foreach(ms, i, m) if (jint(m, "student") == student) return m;
    return NULL;
}

/* ------------------------------------------------------------ batch_transfer */

START_TEST(test_batch_transfer)
{
    stu s1, s2, busy;
    enrol(REG_A, FURONG, 13, &s1);
    enrol(REG_A, FURONG, 13, &s2);
    enrol(REG_A, FURONG, 13, &busy);
    long long ev = upload_pdf(REG_A);
    char ebody[64];
    snprintf(ebody, sizeof(ebody), "[%lld]", ev);
    long long open_rid = start_ok(REG_A, "suspend", busy.id, SUSPEND_PAYLOAD, ebody);
    (void)open_rid;

    char body[512];
    snprintf(body, sizeof(body),
             "{\"type\":\"batch_transfer\",\"payload\":{\"from_school\":\"" SCH_A
             "\",\"to_school\":\"" SCH_B "\",\"students\":[%lld,%lld]}}",
             s1.id, s2.id);
    /* a school does not start it; a county over only one school neither */
    post_fails(REG_A, "/api/v1/requests", body, 403, "forbidden");
    post_fails(TIANXIN, "/api/v1/requests", body, 403, "forbidden");
    /* a student with open business, one of another school, a repeat: listed, nothing starts */
    char bad[512];
    snprintf(bad, sizeof(bad),
             "{\"type\":\"batch_transfer\",\"payload\":{\"from_school\":\"" SCH_A
             "\",\"to_school\":\"" SCH_B "\",\"students\":[%lld,%lld,%lld,999999999]}}",
             s1.id, busy.id, s1.id);
    ht_resp r;
    post_request(FURONG, bad, &r);
    ck_assert_msg(r.status == 422, "%ld %s", r.status, r.body);
    ck_assert_ptr_nonnull(strstr(r.body, "/payload/students/1"));
    ck_assert_ptr_nonnull(strstr(r.body, "student_in_flight"));
    ck_assert_ptr_nonnull(strstr(r.body, "/payload/students/2"));
    ck_assert_ptr_nonnull(strstr(r.body, "duplicate_value"));
    ck_assert_ptr_nonnull(strstr(r.body, "/payload/students/3"));
    ht_resp_free(&r);
    /* a batch names no single student */
    post_fails(FURONG, "/api/v1/requests",
               "{\"type\":\"batch_transfer\",\"student\":1,\"payload\":{\"from_school\":\"" SCH_A
               "\",\"to_school\":\"" SCH_B "\",\"students\":[1]}}",
               422, "/student");

    long long rid = post_request_ok(FURONG, body, 201);
    check_request(FURONG, rid, "open", 1, STEPS(SCH_A ":waiting", SCH_B ":pending"));
    /* both students are in flight now */
    start_fails(REG_A, "leave_other", s1.id, REASON_DATE, NULL, 409, "student_in_flight");
    /* the receiving school cannot act before the sending school */
    act_fails(REG_B, rid, "approve", 1, 403, "not_step_holder");
    act_fails(FURONG, rid, "approve", 1, 403, "not_step_holder");
    act_ok(REG_A, rid, "approve", 1, "open");
    act_fails(REG_A, rid, "approve", 2, 403, "not_step_holder");
    act_ok(REG_B, rid, "approve", 2, "approved");
    ck_assert_str_eq(placement(FURONG, s1.id), "enrolled " SCH_B " 13-1");
    ck_assert_str_eq(placement(FURONG, s2.id), "enrolled " SCH_B " 13-1");
    ck_assert_int_eq(count_of("SELECT count(*) FROM events WHERE request_id = %lld"
                              " AND type = 'student.transferred'",
                              rid),
                     2);
    ck_assert(history_has(FURONG, s1.id, "batch_transfer", rid));
    get_request(FURONG, rid, &r);
    ck_assert(json_is_null(json_object_get(r.json, "student")));
    ck_assert_ptr_nonnull(member_of(&r, s1.id));
    ck_assert_str_eq(ht_json_str(member_of(&r, s2.id), "school"), SCH_B);
    ht_resp_free(&r);
    /* the new school's registrar now runs them */
    start_fails(REG_A, "leave_other", s1.id, REASON_DATE, NULL, 404, "student_not_found");

    /* revert: both back, with history on both sides */
    ht_resp rv;
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    call_fails("POST", path, REG_A, "{}", 403, "forbidden");
    call("POST", path, FURONG, "{\"comment\":\"批量调整撤回\"}", &rv);
    ck_assert_msg(rv.status == 200, "%ld %s", rv.status, rv.body);
    ck_assert_str_eq(ht_json_str(rv.json, "state"), "reverted");
    ht_resp_free(&rv);
    ck_assert_str_eq(placement(FURONG, s1.id), "enrolled " SCH_A " 13-1");
    ck_assert_str_eq(placement(FURONG, s2.id), "enrolled " SCH_A " 13-1");
    ck_assert(history_has(FURONG, s2.id, "revert", rid));
    call_fails("POST", path, FURONG, "{}", 422, "not_revertible");
}
END_TEST

/* A batch whose member moved since cannot be reverted (rule 18). */
START_TEST(test_batch_revert_conflict)
{
    stu s1, s2;
    enrol(REG_A, FURONG, 13, &s1);
    enrol(REG_A, FURONG, 13, &s2);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"type\":\"batch_transfer\",\"payload\":{\"from_school\":\"" SCH_A
             "\",\"to_school\":\"" SCH_B "\",\"students\":[%lld,%lld],\"class\":2}}",
             s1.id, s2.id);
    long long rid = post_request_ok(CHANGSHA, body, 201);
    act_ok(REG_A, rid, "approve", 1, "open");
    act_ok(REG_B, rid, "approve", 2, "approved");
    ck_assert_str_eq(placement(FURONG, s2.id), "enrolled " SCH_B " 13-2");
    long long lid = start_ok(REG_B, "leave_other", s2.id, REASON_DATE, NULL);
    act_ok(FURONG, lid, "approve", 1, "approved");
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    call_fails("POST", path, FURONG, "{}", 409, "revert_conflict");
    /* nothing of the batch moved back */
    ck_assert_str_eq(placement(FURONG, s1.id), "enrolled " SCH_B " 13-2");
}
END_TEST

/* ------------------------------------------------------------ graduation */

START_TEST(test_graduation_primary)
{
    stu g1, g2, g3, busy;
    enrol(REG_A, FURONG, 16, &g1);
    enrol(REG_A, FURONG, 16, &g2);
    enrol(REG_A, FURONG, 16, &g3);
    enrol(REG_A, FURONG, 16, &busy);
    long long open_rid = start_ok(REG_A, "leave_other", busy.id, REASON_DATE, NULL);

    /* not the graduating grade; an unknown student in outcomes; a bureau */
    post_fails(REG_A, "/api/v1/requests",
               "{\"type\":\"graduation\",\"payload\":{\"grade\":\"13\"}}", 422, "grade_not_final");
    post_fails(REG_A, "/api/v1/requests",
               "{\"type\":\"graduation\",\"payload\":{\"grade\":\"16\",\"outcomes\":"
               "{\"999999999\":\"completed\"}}}",
               422, "/payload/outcomes/999999999");
    post_fails(REG_A, "/api/v1/requests",
               "{\"type\":\"graduation\",\"payload\":{\"grade\":\"16\",\"outcomes\":"
               "{\"1\":\"expelled\"}}}",
               422, "invalid_code");
    post_fails(REG_A, "/api/v1/requests",
               "{\"type\":\"graduation\",\"payload\":{\"grade\":\"16\",\"outcomes\":"
               "{\"abc\":\"completed\"}}}",
               422, "student_not_in_grade");
    post_fails(FURONG, "/api/v1/requests",
               "{\"type\":\"graduation\",\"payload\":{\"grade\":\"16\"}}", 403, "forbidden");

    char body[256];
    snprintf(body, sizeof(body),
             "{\"type\":\"graduation\",\"payload\":{\"grade\":\"16\",\"outcomes\":"
             "{\"%lld\":\"completed\"}}}",
             g3.id);
    ht_resp r;
    post_request(REG_A, body, &r);
    /* primary: no approval, done at once (DOMAIN §5) */
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "approved");
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "steps")), 0);
    long long rid = jint(r.json, "id");
    /* the student with an open request is left out and listed with why (rule 12) */
    ck_assert_ptr_null(member_of(&r, busy.id));
    const json_t *ex = json_object_get(json_object_get(r.json, "payload"), "excluded");
    ck_assert_int_eq(json_array_size(ex), 1);
    ck_assert_int_eq(jint(json_array_get(ex, 0), "student"), busy.id);
    ck_assert_str_eq(ht_json_str(json_array_get(ex, 0), "reason"), "student_in_flight");
    const json_t *m1 = member_of(&r, g1.id), *m2 = member_of(&r, g2.id), *m3 = member_of(&r, g3.id);
    ck_assert_ptr_nonnull(m1);
    ck_assert_str_eq(ht_json_str(m1, "outcome"), "graduated");
    ck_assert_str_eq(ht_json_str(m3, "outcome"), "completed");
    ck_assert_ptr_null(json_object_get(m3, "certificate_no"));
    /* certificate numbers: school code, year, a sequence of the school and year */
    const char *c1 = ht_json_str(m1, "certificate_no"), *c2 = ht_json_str(m2, "certificate_no");
    ck_assert_ptr_nonnull(c1);
    ck_assert_ptr_nonnull(c2);
    ck_assert_int_eq(strlen(c1), 19);
    ck_assert_int_eq(strncmp(c1, SCH_A, 10), 0);
    ck_assert_str_ne(c1, c2);
    ck_assert_int_eq(strncmp(c1, c2, 14), 0);
    ck_assert_int_eq(labs(atol(c1 + 14) - atol(c2 + 14)), 1);
    ht_resp_free(&r);
    ck_assert_str_eq(state_of(g1.id), "graduated");
    ck_assert_str_eq(state_of(g3.id), "completed");
    ck_assert_str_eq(state_of(busy.id), "enrolled");
    ck_assert_int_eq(count_of("SELECT count(*) FROM events WHERE request_id = %lld"
                              " AND type = 'student.graduated'",
                              rid),
                     3);
    ck_assert(history_has(FURONG, g2.id, "graduation", rid));
    /* graduated students take no other change */
    start_fails(REG_A, "leave_other", g1.id, REASON_DATE, NULL, 422, "transition_not_allowed");
    /* nobody is left to graduate but the busy one: no_students */
    post_fails(REG_A, "/api/v1/requests",
               "{\"type\":\"graduation\",\"payload\":{\"grade\":\"16\"}}", 422, "no_students");
    act_ok(FURONG, open_rid, "reject", 1, "rejected");

    /* 毕业回退: back to enrolled through the authority, both kept in the history */
    long long back = start_ok(REG_A, "graduation_revert", g1.id, "{}", NULL);
    act_fails(CHANGSHA, back, "approve", 1, 403, "not_step_holder");
    act_ok(FURONG, back, "approve", 1, "approved");
    ck_assert_str_eq(state_of(g1.id), "enrolled");
    ck_assert(history_has(FURONG, g1.id, "graduation", rid));
    ck_assert(history_has(FURONG, g1.id, "graduation_revert", back));
    /* and that one reverts too (rule 18) */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", back);
    ht_resp rv;
    call("POST", path, FURONG, "{}", &rv);
    ck_assert_msg(rv.status == 200, "%ld %s", rv.status, rv.body);
    ht_resp_free(&rv);
    ck_assert_str_eq(state_of(g1.id), "graduated");
    /* a graduation itself is not reverted wholesale */
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    call_fails("POST", path, FURONG, "{}", 422, "not_revertible");
}
END_TEST

START_TEST(test_graduation_senior)
{
    stu h1, h2;
    enrol(REG_H, FURONG, 33, &h1);
    enrol(REG_H, FURONG, 33, &h2);
    long long rid =
        post_request_ok(REG_H, "{\"type\":\"graduation\",\"payload\":{\"grade\":\"33\"}}", 201);
    /* senior secondary: the competent authority approves */
    check_request(FURONG, rid, "open", 1, STEPS("430102:waiting"));
    ck_assert_str_eq(state_of(h1.id), "enrolled");
    start_fails(REG_H, "withdraw", h1.id, REASON_DATE, NULL, 409, "student_in_flight");
    act_fails(REG_A, rid, "approve", 1, 404, "request_not_found"); /* not its business */
    act_fails(TIANXIN, rid, "approve", 1, 404, "request_not_found");
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(state_of(h1.id), "graduated");
    ck_assert_str_eq(state_of(h2.id), "graduated");
    ck_assert_int_eq(count_of("SELECT count(*) FROM request_member WHERE request_id = %lld"
                              " AND certificate_no LIKE '" SCH_H "%%'",
                              rid),
                     2);
}
END_TEST

/* ------------------------------------------------------------ problem records */

/* Register at C a student with the name, gender and birth date of `twin`
   (another ID): a suspected duplicate across C and A. Returns the problem
   id; *out the new (pending) student and *out_reg its registration. */
static long long
suspected_twin(const stu *twin, stu *out, long long *out_reg)
{
    stu_make(out, 2016);
    char g[2] = {(char)('0' + twin->gender), 0};
    /* another ID number of the same birth date and gender (sequences from
       250 up: enrol()'s are below) */
    make_id(twin->ymd, twin->gender, 250 + out->n % 250, out->idnum);
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:f,s:s,s:s,s:s,s:[{s:s,s:s,"
        "s:s,s:s},{s:s,s:s,s:s}]}",
        "name", twin->name, "gender", g, "birth_date", twin->birth, "ethnicity", "01",
        "nationality", "CHN", "id_type", "1", "id_number", out->idnum, "hukou_region",
        "430102000000", "hukou_type", "1", "grade", "13", "class", 1, "enrolled_month", "202209",
        "entry_mode", "1", "study_mode", "1", "source", "1", "distance_km", 1.5, "transport", "1",
        "school_bus", "0", "phone", "13900000000", "family", "name", "流程家长", "relation", "1",
        "phone", "13700000000", "guardian", "1", "name", "家长二", "relation", "2", "phone",
        "13700000001");
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    ht_resp r;
    call("POST", "/api/v1/students", REG_C, text, &r);
    free(text);
    ck_assert_msg(r.status == 201, "register twin: %ld %s", r.status, r.body);
    out->id = jint(json_object_get(r.json, "student"), "id");
    *out_reg = jint(json_object_get(r.json, "request"), "id");
    ht_resp_free(&r);
    return count_of("SELECT id FROM problem WHERE student_id = %lld AND kind ="
                    " 'suspected_duplicate' AND other_student_id = %lld",
                    out->id, twin->id);
}

START_TEST(test_problem_evidence_resolution)
{
    stu a, c;
    long long reg;
    enrol(REG_A, FURONG, 13, &a);
    long long pid = suspected_twin(&a, &c, &reg);
    /* the open problem blocks the registration (rule 24) */
    act_fails(TIANXIN, reg, "approve", 1, 409, "student_has_problem");
    ck_assert_str_eq(scalar("SELECT authority FROM problem WHERE id = %lld", pid), "430100");

    char path[80], body[256];
    snprintf(path, sizeof(path), "/api/v1/problems/%lld/evidence", pid);
    long long mine = upload_pdf(REG_C), theirs = upload_pdf(REG_J);
    snprintf(body, sizeof(body), "{\"files\":[%lld]}", theirs);
    post_fails(REG_C, path, body, 422, "file_not_found");
    post_fails(REG_J, path, body, 404, "problem_not_found");
    post_fails(REG_C, path, "{\"files\":[]}", 422, "missing_field");
    post_fails(REG_C, path, "{\"files\":[1],\"x\":1}", 422, "unknown_field");
    snprintf(body, sizeof(body), "{\"files\":[%lld]}", mine);
    ht_resp r;
    call("POST", path, REG_C, body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(r.json, "evidence"), 0)),
                     mine);
    ht_resp_free(&r);

    /* 佐证: decided by the lowest common authority of C and A, 长沙市 */
    snprintf(path, sizeof(path), "/api/v1/problems/%lld/resolutions", pid);
    post_fails(REG_C, path, "{\"method\":\"forget\"}", 422, "invalid_method");
    post_fails(REG_C, path, "{\"method\":\"evidence\",\"student\":1}", 422,
               "student_not_in_problem");
    post_fails(REG_J, path, "{\"method\":\"evidence\"}", 404, "problem_not_found");
    call("POST", path, REG_C, "{\"method\":\"evidence\",\"comment\":\"户口簿佐证\"}", &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long rid = jint(r.json, "id");
    ck_assert_str_eq(ht_json_str(r.json, "type"), "problem_resolution");
    ck_assert_int_eq(jint(r.json, "problem"), pid);
    ht_resp_free(&r);
    check_request(CHANGSHA, rid, "open", 1, STEPS("430100:waiting"));
    post_fails(REG_C, path, "{\"method\":\"evidence\"}", 409, "problem_in_flight");
    /* POST /requests does not take this type */
    start_fails(REG_C, "problem_resolution", c.id, "{}", NULL, 422, "invalid_request_type");
    act_fails(TIANXIN, rid, "approve", 1, 403, "not_step_holder");
    act_fails(FURONG, rid, "approve", 1, 403, "not_step_holder");
    act_ok(CHANGSHA, rid, "approve", 1, "approved");
    char want[64];
    snprintf(want, sizeof(want), "resolved evidence %lld", rid);
    ck_assert_str_eq(scalar("SELECT state || ' ' || resolution || ' ' || resolved_by_request"
                            " FROM problem WHERE id = %lld",
                            pid),
                     want);
    /* the registration goes through now */
    act_ok(TIANXIN, reg, "approve", 1, "approved");
    ck_assert_str_eq(state_of(c.id), "enrolled");
    post_fails(REG_C, path, "{\"method\":\"evidence\"}", 409, "problem_resolved");
}
END_TEST

/* 变更 corrects the key fields; 删除 of a pending record ends its registration. */
START_TEST(test_problem_change_and_delete)
{
    stu a, c;
    long long reg;
    enrol(REG_A, FURONG, 13, &a);
    long long pid = suspected_twin(&a, &c, &reg);
    char path[80];
    snprintf(path, sizeof(path), "/api/v1/problems/%lld/resolutions", pid);
    post_fails(REG_C, path, "{\"method\":\"change\"}", 422, "/changes");
    post_fails(REG_C, path, "{\"method\":\"change\",\"changes\":{\"ethnicity\":\"02\"}}", 422,
               "not_a_key_field");
    post_fails(REG_C, path, "{\"method\":\"delete\"}", 422, "/reason");
    ht_resp r;
    /* a reason that reads like a member name: payloads are read as JSON, not
       searched as text (jsonb puts "reason" before "sealed") */
    call("POST", path, REG_C,
         "{\"method\":\"change\",\"changes\":{\"name\":\"流程改名学生\"},"
         "\"reason\":\"sealed\"}",
         &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    act_ok(CHANGSHA, rid, "approve", 1, "approved");
    ck_assert_str_eq(scalar("SELECT name FROM student WHERE id = %lld", c.id), "流程改名学生");
    ck_assert_str_eq(scalar("SELECT resolution FROM problem WHERE id = %lld", pid), "change");

    /* another twin, deleted: the registration ends with it */
    stu c2;
    long long reg2;
    long long pid2 = suspected_twin(&a, &c2, &reg2);
    snprintf(path, sizeof(path), "/api/v1/problems/%lld/resolutions", pid2);
    char body[128];
    snprintf(body, sizeof(body), "{\"method\":\"delete\",\"student\":%lld,\"reason\":\"重复登记\"}",
             c2.id);
    call("POST", path, REG_C, body, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    rid = jint(r.json, "id");
    ht_resp_free(&r);
    /* an L-numbered record: the lowest common authority alone */
    check_request(CHANGSHA, rid, "open", 1, STEPS("430100:waiting"));
    act_ok(CHANGSHA, rid, "approve", 1, "approved");
    ck_assert_str_eq(state_of(c2.id), "deleted");
    ck_assert_str_eq(scalar("SELECT state FROM request WHERE id = %lld", reg2), "rejected");
    ck_assert(history_has(CHANGSHA, c2.id, "problem_resolution", rid));
    /* its identity is free again: the record left the active states */
    ck_assert_int_eq(count_of("SELECT count(*) FROM request_member WHERE student_id = %lld"
                              " AND open",
                              c2.id),
                     0);
}
END_TEST

/* Deleting a G-numbered record needs the province too. */
START_TEST(test_problem_delete_g_number)
{
    stu a, c;
    long long reg;
    enrol(REG_A, FURONG, 13, &a);
    long long pid = suspected_twin(&a, &c, &reg);
    char path[80], body[128];
    snprintf(path, sizeof(path), "/api/v1/problems/%lld/resolutions", pid);
    snprintf(body, sizeof(body), "{\"method\":\"delete\",\"student\":%lld,\"reason\":\"冒名\"}",
             a.id);
    ht_resp r;
    call("POST", path, FURONG, body, &r); /* a bureau over one of the schools may start it */
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    check_request(CHANGSHA, rid, "open", 1, STEPS("430100:waiting", "430000:pending"));
    act_ok(CHANGSHA, rid, "approve", 1, "open");
    ck_assert_str_eq(state_of(a.id), "enrolled");
    act_fails(CHANGSHA, rid, "approve", 2, 403, "not_step_holder");
    act_ok(HUNAN, rid, "approve", 2, "approved");
    ck_assert_str_eq(state_of(a.id), "deleted");
    ck_assert_str_eq(scalar("SELECT state FROM problem WHERE id = %lld", pid), "resolved");
}
END_TEST

#define BATCH_SNAP                                                                                 \
    "SELECT (SELECT count(*) FROM student_history WHERE request_id IN (%lld, %lld))"               \
    " || ' ' || (SELECT count(*) FROM events WHERE request_id IN (%lld, %lld))"                    \
    " || ' ' || (SELECT string_agg(state || version, ',' ORDER BY id) FROM student"                \
    " WHERE id IN (%lld, %lld, %lld)) || ' ' || (SELECT coalesce(sum(last), 0)"                    \
    " FROM certificate_seq)"

/* Rule 17 for batches: a fault after the effects of every member and before
   the commit leaves none of them applied, nor a certificate number taken. */
START_TEST(test_fault_after_batch_effect)
{
    stu s1, s2, h1;
    enrol(REG_A, FURONG, 13, &s1);
    enrol(REG_A, FURONG, 13, &s2);
    enrol(REG_H, FURONG, 33, &h1);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"type\":\"batch_transfer\",\"payload\":{\"from_school\":\"" SCH_A
             "\",\"to_school\":\"" SCH_B "\",\"students\":[%lld,%lld]}}",
             s1.id, s2.id);
    long long rid = post_request_ok(FURONG, body, 201);
    act_ok(REG_A, rid, "approve", 1, "open");
    long long grad =
        post_request_ok(REG_H, "{\"type\":\"graduation\",\"payload\":{\"grade\":\"33\"}}", 201);

    char before[256];
    snprintf(before, sizeof(before), "%s",
             scalar(BATCH_SNAP, rid, grad, rid, grad, s1.id, s2.id, h1.id));

    ht_server *f = server_with("XUEJI_TEST_FAULT=after_effect");
    ht_resp r;
    act_on(f, REG_B, rid, "approve", 2, &r);
    ht_assert_problem(&r, 500, "internal_error");
    ht_resp_free(&r);
    act_on(f, FURONG, grad, "approve", 1, &r);
    ht_assert_problem(&r, 500, "internal_error");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_server_stop(f), 0);
    ck_assert_str_eq(scalar(BATCH_SNAP, rid, grad, rid, grad, s1.id, s2.id, h1.id), before);
    ck_assert_str_eq(placement(FURONG, s1.id), "enrolled " SCH_A " 13-1");
    /* the real server applies both */
    act_ok(REG_B, rid, "approve", 2, "approved");
    act_ok(FURONG, grad, "approve", 1, "approved");
    ck_assert_str_eq(placement(FURONG, s2.id), "enrolled " SCH_B " 13-1");
    ck_assert_str_eq(state_of(h1.id), "graduated");
}
END_TEST

static Suite *
batch_suite(void)
{
    Suite *s = suite_create("http-workflow-batch");
    TCase *tc = wf_tcase("batches", 120);
    tcase_add_test(tc, test_batch_transfer);
    tcase_add_test(tc, test_batch_revert_conflict);
    tcase_add_test(tc, test_graduation_primary);
    tcase_add_test(tc, test_graduation_senior);
    tcase_add_test(tc, test_fault_after_batch_effect);
    suite_add_tcase(s, tc);

    tc = wf_tcase("problems", 120);
    tcase_add_test(tc, test_problem_evidence_resolution);
    tcase_add_test(tc, test_problem_change_and_delete);
    tcase_add_test(tc, test_problem_delete_g_number);
    suite_add_tcase(s, tc);

    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(batch_suite(), close_db);
}
