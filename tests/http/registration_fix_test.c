/*
 * tests/http/registration_fix_test.c - over HTTP, a registration returned
 * for correction (DOMAIN rule 15: the school corrects the pending record
 * with PATCH, key fields included, and resubmits; or withdraws it and the
 * identity is free), and a former student's registration refused at once
 * with 409 student_has_record when a finished record holds the G number its
 * approval would give (rule 9), also at an approval. The world:
 * tests/http/registration_world.h.
 */
#include "tests/http/registration_world.h"

/* The student's ETag as an If-Match header (static). */
static const char *
if_match(long long id)
{
    static char h[64];
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/students/%lld", id);
    ht_resp r;
    call("GET", path, REG_A, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, r.body);
    snprintf(h, sizeof(h), "If-Match: %s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    return h;
}

static void
patch_student(int who, long long id, const char *body, ht_resp *out)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/students/%lld", id);
    call("PATCH", path, who, body, if_match(id), out);
}

static void
act_ok(int who, long long request, const char *action, int step, const char *want_state)
{
    ht_resp r;
    act(who, request, action, step, &r);
    ck_assert_msg(r.status == 200, "%s: %ld %s", action, r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), want_state);
    ht_resp_free(&r);
}

static void
act_fails(int who, long long request, const char *action, int step, long status, const char *code)
{
    ht_resp r;
    act(who, request, action, step, &r);
    ht_assert_problem(&r, status, code);
    ht_resp_free(&r);
}

/* Returned, corrected (a key field and the document number), resubmitted, approved. */
START_TEST(test_returned_corrected_resubmitted)
{
    stu s, fix;
    stu_new(&s);
    stu_new(&fix); /* its ID number is the corrected one */
    ht_resp r;
    register_ok(REG_A, &s, &r);
    long long id = student_id_of(&r), rid = request_id_of(&r);
    ht_resp_free(&r);
    char body[256];
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"id_number\":\"%s\"}", fix.name, fix.id);
    /* open: the key fields wait for the authority */
    patch_student(REG_A, id, body, &r);
    ck_assert_msg(r.status == 422, "%ld %s", r.status, r.body);
    assert_error(&r, "/name", "key_field_requires_approval");
    assert_error(&r, "/id_number", "key_field_requires_approval");
    ht_resp_free(&r);
    act_ok(COUNTY, rid, "return", 1, "returned");
    act_fails(COUNTY, rid, "approve", 1, 409, "step_already_decided");
    act_fails(COUNTY, rid, "resubmit", 0, 403, "not_request_starter");
    /* returned: the registrar corrects, with the checks of registration */
    char bad[32];
    snprintf(bad, sizeof(bad), "%s", fix.id);
    bad[17] = bad[17] == '0' ? '1' : '0';
    char badbody[128];
    snprintf(badbody, sizeof(badbody), "{\"id_number\":\"%s\"}", bad);
    patch_student(REG_A, id, badbody, &r);
    ck_assert_msg(r.status == 422, "%ld %s", r.status, r.body);
    assert_error(&r, "/id_number", "invalid_id_number");
    ht_resp_free(&r);
    patch_student(HEAD_A, id, body, &r);
    ck_assert_msg(r.status != 200, "a head teacher corrected key fields: %s", r.body);
    ht_resp_free(&r);
    patch_student(REG_A, id, body, &r);
    ck_assert_msg(r.status == 200, "PATCH: %ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "name"), fix.name);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "pending");
    ck_assert_ptr_null(strstr(r.body, fix.id)); /* masked */
    ht_resp_free(&r);
    act_ok(REG_A, rid, "resubmit", 0, "open");
    act_ok(COUNTY, rid, "approve", 1, "approved");
    get_student_id(REG_A, id, 1, &r);
    char want[40];
    snprintf(want, sizeof(want), "G%s", fix.id);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), want);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "enrolled");
    ht_resp_free(&r);
    /* the first document number is free again */
    register_ok(REG_B, &s, &r);
    ht_resp_free(&r);
}
END_TEST

/* The school withdraws its registration; the identity is free at once. */
START_TEST(test_withdrawn_frees_identity)
{
    stu s;
    stu_new(&s);
    ht_resp r;
    register_ok(REG_A, &s, &r);
    long long id = student_id_of(&r), rid = request_id_of(&r);
    ht_resp_free(&r);
    post_student(REG_B, stu_json(&s, "13", 1), NULL, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    ht_resp_free(&r);
    act_fails(COUNTY, rid, "withdraw", 0, 403, "not_request_starter");
    act_ok(REG_A, rid, "withdraw", 0, "withdrawn");
    act_fails(COUNTY, rid, "approve", 1, 409, "step_already_decided");
    get_student_id(REG_A, id, 0, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "registration_rejected");
    ht_resp_free(&r);
    register_ok(REG_B, &s, &r);
    ht_resp_free(&r);
}
END_TEST

/* A former pupil (enrolled, G number, then left the stage unfinished:
   肄业) registered again. One who graduated or completed the same
   compulsory stage is a repeater instead (compulsory_repeater,
   tests/http/record_http_test.c). */
START_TEST(test_graduate_has_record)
{
    stu s;
    stu_new(&s);
    ht_resp r;
    register_ok(REG_A, &s, &r);
    long long old = student_id_of(&r), rid = request_id_of(&r);
    ht_resp_free(&r);
    approve_ok(COUNTY, rid, 1, "approved");
    char sql[256];
    snprintf(sql, sizeof(sql), "UPDATE student SET state = 'incomplete' WHERE id = %lld", old);
    ht_db_exec(tdb(), sql);
    long long before = student_rows();
    /* another school: the county only, and the record's state */
    post_student(REG_B, stu_json(&s, "13", 1), NULL, &r);
    ht_assert_problem(&r, 409, "student_has_record");
    assert_error(&r, "/id_number", "student_has_record");
    const char *detail = ht_json_str(r.json, "detail");
    ck_assert_msg(strstr(detail, "中原区的一所学校") && strstr(detail, "肄业"), "detail: %s",
                  detail);
    ck_assert_msg(strstr(r.body, NAME_A) == NULL && strstr(r.body, SCHOOL_A) == NULL, "%s", r.body);
    ck_assert_ptr_null(strstr(r.body, s.id));
    ht_resp_free(&r);
    /* the school that holds it: named */
    post_student(REG_A, stu_json(&s, "13", 1), NULL, &r);
    ht_assert_problem(&r, 409, "student_has_record");
    detail = ht_json_str(r.json, "detail");
    ck_assert_msg(strstr(detail, NAME_A) && strstr(detail, SCHOOL_A), "detail: %s", detail);
    ht_resp_free(&r);
    ck_assert_int_eq(student_rows(), before);
    /* one that got in before the check: its approval is a 409 with the code */
    snprintf(sql, sizeof(sql),
             "UPDATE student SET stuno_bidx = '\\x00'::bytea || stuno_bidx WHERE id = %lld", old);
    ht_db_exec(tdb(), sql);
    register_ok(REG_A, &s, &r);
    long long id = student_id_of(&r);
    rid = request_id_of(&r);
    ht_resp_free(&r);
    snprintf(sql, sizeof(sql),
             "UPDATE student SET stuno_bidx = substring(stuno_bidx from 2) WHERE id = %lld", old);
    ht_db_exec(tdb(), sql);
    act_fails(COUNTY, rid, "approve", 1, 409, "student_has_record");
    get_student_id(REG_A, id, 0, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "pending");
    ht_resp_free(&r);
    act_ok(REG_A, rid, "withdraw", 0, "withdrawn");
}
END_TEST

static Suite *
registration_fix_suite(void)
{
    Suite *s = suite_create("http-registration-fix");
    TCase *tc = shared_tcase("registration-fix", 120);
    tcase_add_test(tc, test_returned_corrected_resubmitted);
    tcase_add_test(tc, test_withdrawn_frees_identity);
    tcase_add_test(tc, test_graduate_has_record);
    suite_add_tcase(s, tc);
    /* after everything else: no number sent in clear is stored or logged in clear */
    tc = shared_tcase("plaintext", 120);
    tcase_add_test(tc, test_no_plaintext_anywhere);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return world_main(registration_fix_suite());
}
