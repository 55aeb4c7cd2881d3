/*
 * tests/http/registration_test.c - registration of students (POST
 * /api/v1/students) end to end: the resident-ID path and its approval chain,
 * no document and other documents (student numbers), validation of every
 * field and of the ID number, and that no plaintext ID or phone number
 * reaches the database or the log. DOMAIN.md §2-§7, API.md "Students".
 * The world: tests/http/registration_world.h.
 */
#include "tests/http/registration_world.h"

/* Rules 8, 9, 27; DOMAIN §5 registration: a resident ID goes to the county, then G. */
START_TEST(test_register_resident_id_and_approve)
{
    stu s;
    stu_new(&s);
    ht_resp r;
    register_ok(REG_A, &s, &r);
    json_t *st = json_object_get(r.json, "student"), *rq = json_object_get(r.json, "request");
    long long id = student_id_of(&r), rid = request_id_of(&r);

    ck_assert_str_eq(ht_json_str(st, "state"), "pending");
    ck_assert_str_eq(ht_json_str(st, "school"), SCHOOL_A);
    /* rule 8: L + the school's county + birth date + 4 digits */
    const char *num = ht_json_str(st, "student_number");
    ck_assert_msg(num && strlen(num) == 19 && strncmp(num, "L41010220160301", 15) == 0,
                  "L number %s", num ? num : "(null)");
    for (int i = 15; i < 19; i++)
        ck_assert_msg(num[i] >= '0' && num[i] <= '9', "L number %s", num);
    char lnum[40];
    snprintf(lnum, sizeof(lnum), "%s", num);
    /* rule 27: ID and phone numbers masked, the guardian's too */
    char m[32];
    mask_id(s.id, m);
    ck_assert_str_eq(ht_json_str(st, "id_number"), m);
    ck_assert_int_eq(strlen(m), 18);
    ck_assert_int_eq(strncmp(m, "4101**********", 14), 0);
    mask_phone(s.phone, m);
    ck_assert_str_eq(ht_json_str(st, "phone"), m);
    json_t *f0 = json_array_get(json_object_get(st, "family"), 0);
    mask_id(s.gid, m);
    ck_assert_str_eq(ht_json_str(f0, "id_number"), m);
    mask_phone(s.gphone, m);
    ck_assert_str_eq(ht_json_str(f0, "phone"), m);
    ck_assert(json_is_false(json_object_get(st, "revealed")));
    /* the request: one step, the school's authority */
    ck_assert_str_eq(ht_json_str(rq, "type"), "registration");
    ck_assert_str_eq(ht_json_str(rq, "state"), "open");
    ck_assert_int_eq(json_integer_value(json_object_get(rq, "current_step")), 1);
    json_t *steps = json_object_get(rq, "steps");
    ck_assert_int_eq(json_array_size(steps), 1);
    ck_assert_str_eq(ht_json_str(json_array_get(steps, 0), "org"), "410102");
    ck_assert_str_eq(ht_json_str(json_array_get(steps, 0), "state"), "waiting");
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/students/%lld", id);
    ck_assert_str_eq(ht_header(&r, "location"), loc);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    ht_resp_free(&r);

    /* rule 8: the L number addresses the record */
    get_student(REG_A, lnum, 0, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), id);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), lnum);
    ht_resp_free(&r);

    approve_ok(COUNTY, rid, 1, "approved");

    /* rule 9: a resident ID gets G + the ID number, masked in reads */
    get_student_id(REG_A, id, 0, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "enrolled");
    char g[40];
    g[0] = 'G';
    mask_id(s.id, g + 1);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), g);
    ht_resp_free(&r);

    /* the full G number addresses the same record */
    char key[40];
    snprintf(key, sizeof(key), "G%s", s.id);
    get_student(REG_A, key, 0, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), id);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), g);
    ht_resp_free(&r);
    get_student(COUNTY, key, 0, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), id);
    ht_resp_free(&r);

    /* revealed: the whole numbers, and an audited read (rule 27) */
    char sql[160];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE action = 'student.reveal' AND target_id = '%lld'",
             id);
    long long reveals = count_of(sql);
    get_student_id(REG_A, id, 1, &r);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), s.id);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), key);
    ck_assert(json_is_true(json_object_get(r.json, "revealed")));
    ht_resp_free(&r);
    ck_assert_int_eq(count_of(sql), reveals + 1);

    /* the L number is gone */
    call("GET", "/api/v1/students/L00000000000000000", REG_A, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    char lpath[64];
    snprintf(lpath, sizeof(lpath), "/api/v1/students/%s", lnum);
    call("GET", lpath, REG_A, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ 2: no document */

/* DOMAIN §5: without a document every level up to the province approves; rule 9: J number. */
START_TEST(test_register_without_document)
{
    stu s;
    stu_new(&s);
    json_t *b = stu_json(&s, "13", 1);
    json_object_del(b, "id_type");
    json_object_del(b, "id_number");
    ht_resp r;
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long id = student_id_of(&r), rid = request_id_of(&r);
    json_t *rq = json_object_get(r.json, "request");
    json_t *steps = json_object_get(rq, "steps");
    ck_assert_int_eq(json_array_size(steps), 3);
    static const char *const orgs[] = {"410102", "410100", "410000"};
    static const char *const levels[] = {"county", "city", "province"};
    for (int i = 0; i < 3; i++) {
        json_t *st = json_array_get(steps, (size_t)i);
        ck_assert_int_eq(json_integer_value(json_object_get(st, "number")), i + 1);
        ck_assert_str_eq(ht_json_str(st, "org"), orgs[i]);
        ck_assert_str_eq(ht_json_str(st, "level"), levels[i]);
        ck_assert_str_eq(ht_json_str(st, "state"), i == 0 ? "waiting" : "pending");
    }
    ck_assert_int_eq(json_integer_value(json_object_get(rq, "current_step")), 1);
    ck_assert(json_is_null(json_object_get(json_object_get(r.json, "student"), "id_number")));
    ht_resp_free(&r);

    /* step 2 while step 1 is current: no longer (or not yet) the step */
    act(CITY, rid, "approve", 2, &r);
    ht_assert_problem(&r, 409, "step_already_decided");
    ht_resp_free(&r);
    /* the current step, but another org's */
    act(CITY, rid, "approve", 1, &r);
    ht_assert_problem(&r, 403, "not_step_holder");
    ht_resp_free(&r);
    act(PROVINCE, rid, "approve", 1, &r);
    ht_assert_problem(&r, 403, "not_step_holder");
    ht_resp_free(&r);

    approve_ok(COUNTY, rid, 1, "open");
    /* step 1 again: decided */
    act(COUNTY, rid, "approve", 1, &r);
    ht_assert_problem(&r, 409, "step_already_decided");
    ht_resp_free(&r);
    get_student_id(REG_A, id, 0, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "pending");
    ht_resp_free(&r);
    approve_ok(CITY, rid, 2, "open");
    approve_ok(PROVINCE, rid, 3, "approved");

    /* rule 9: J + county + birth date + 3 digits + check digit */
    get_student_id(REG_A, id, 0, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "enrolled");
    const char *num = ht_json_str(r.json, "student_number");
    ck_assert_msg(num && strlen(num) == 19 && strncmp(num, "J41010220160301", 15) == 0,
                  "J number %s", num ? num : "(null)");
    for (int i = 15; i < 18; i++)
        ck_assert_msg(num[i] >= '0' && num[i] <= '9', "J number %s", num);
    ck_assert_msg(num[18] == check_digit(num + 1), "J number %s: check digit", num);
    /* a J number holds no ID number: shown whole, and addresses the record */
    char key[40];
    snprintf(key, sizeof(key), "%s", num);
    ht_resp_free(&r);
    get_student(COUNTY, key, 0, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), id);
    ht_resp_free(&r);
}
END_TEST

/* DOMAIN §4: a student without a document needs a guardian who holds one. */
START_TEST(test_no_document_needs_guardian_document)
{
    stu s;
    stu_new(&s);
    long long before = student_rows();
    json_t *b = stu_json(&s, "13", 1);
    json_object_del(b, "id_type");
    json_object_del(b, "id_number");
    json_t *f0 = json_array_get(json_object_get(b, "family"), 0);
    json_object_del(f0, "id_type");
    json_object_del(f0, "id_number");
    ht_resp r;
    post_student(REG_A, b, NULL, &r);
    ht_assert_problem(&r, 422, "guardian_document_required");
    assert_error(&r, "/family/0/guardian", "guardian_document_required");
    ht_resp_free(&r);

    /* a guardian flag on a member without a document is not enough either */
    b = stu_json(&s, "13", 1);
    json_object_del(b, "id_type");
    json_object_del(b, "id_number");
    f0 = json_array_get(json_object_get(b, "family"), 0);
    json_object_set_new(f0, "guardian", json_string("0"));
    post_student(REG_A, b, NULL, &r);
    ht_assert_problem(&r, 422, "guardian_document_required");
    ht_resp_free(&r);
    ck_assert_int_eq(student_rows(), before);
}
END_TEST

/* ------------------------------------------------------------ 3: other documents */

/* Rule 9 (our choice): holders of other documents keep their L number. */
START_TEST(test_other_document_keeps_l_number)
{
    stu s;
    stu_new(&s);
    char passport[16];
    snprintf(passport, sizeof(passport), "H%08lld", s.n);
    note_pii(passport);
    json_t *b = stu_json(&s, "13", 1);
    json_object_set_new(b, "id_type", json_string("6"));
    json_object_set_new(b, "id_number", json_string(passport));
    ht_resp r;
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long id = student_id_of(&r), rid = request_id_of(&r);
    json_t *st = json_object_get(r.json, "student");
    char lnum[40];
    snprintf(lnum, sizeof(lnum), "%s", ht_json_str(st, "student_number"));
    ck_assert_int_eq(strncmp(lnum, "L41010220160301", 15), 0);
    char m[32];
    mask_id(passport, m);
    ck_assert_str_eq(ht_json_str(st, "id_number"), m);
    ck_assert_int_eq(json_array_size(json_object_get(json_object_get(r.json, "request"), "steps")),
                     1);
    /* no resident ID: the verifier is not asked */
    ck_assert(json_is_null(json_object_get(st, "verification")));
    ht_resp_free(&r);

    approve_ok(COUNTY, rid, 1, "approved");
    get_student_id(REG_A, id, 0, &r);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "enrolled");
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), lnum);
    ht_resp_free(&r);
    get_student(REG_A, lnum, 1, &r);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), passport);
    ck_assert_str_eq(ht_json_str(r.json, "id_type"), "6");
    ht_resp_free(&r);

    /* the same passport again: one person, one record (rule 11) */
    stu t;
    stu_new(&t);
    b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_type", json_string("6"));
    json_object_set_new(b, "id_number", json_string(passport));
    post_student(REG_B, b, NULL, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ 4: validation */

/* DOMAIN §2, §4 format rules: every bad field in one answer. */
START_TEST(test_validation_lists_every_field)
{
    stu s;
    stu_new(&s);
    long long before = student_rows();
    char bad_id[32];
    snprintf(bad_id, sizeof(bad_id), "%s", s.id);
    bad_id[17] = s.id[17] == '0' ? '1' : '0'; /* a wrong check digit */
    json_t *b = stu_json(&s, "13", 1);
    json_object_set_new(b, "phone", json_string("138-1234"));
    json_object_set_new(b, "distance_km", json_real(2.55));
    json_object_set_new(b, "id_number", json_string(bad_id));
    json_object_set_new(b, "foo", json_string("bar"));
    json_object_set_new(b, "ethnicity", json_string("99"));
    json_object_set_new(b, "birthplace", json_string("999999000000"));
    json_object_del(json_array_get(json_object_get(b, "family"), 0), "relation");
    char *text = json_dumps(b, JSON_COMPACT);
    json_decref(b);

    ht_resp r;
    call("POST", "/api/v1/students", REG_A, text, NULL, &r);
    ht_assert_problem(&r, 422, "validation_failed");
    assert_error(&r, "/phone", "invalid_phone");
    assert_error(&r, "/distance_km", "invalid_distance");
    assert_error(&r, "/id_number", "invalid_id_number");
    assert_error(&r, "/foo", "unknown_field");
    assert_error(&r, "/ethnicity", "invalid_code");
    assert_error(&r, "/birthplace", "invalid_region_code");
    assert_error(&r, "/family/0/relation", "missing_field");
    /* Chinese by default: the title, and each message names the field */
    ck_assert_str_eq(ht_json_str(r.json, "title"), "数据校验未通过");
    const json_t *e = error_at(&r, "/phone", NULL);
    ck_assert_msg(strstr(ht_json_str(e, "message"), "联系电话") != NULL, "%s", r.body);
    e = error_at(&r, "/id_number", NULL);
    ck_assert_msg(strstr(ht_json_str(e, "message"), "校验位") != NULL, "%s", r.body);
    ht_resp_free(&r);

    /* English on request */
    call("POST", "/api/v1/students", REG_A, text, "Accept-Language: en", &r);
    ht_assert_problem(&r, 422, "validation_failed");
    ck_assert_str_eq(ht_json_str(r.json, "title"), "Validation failed");
    e = error_at(&r, "/phone", "invalid_phone");
    ck_assert_ptr_nonnull(e);
    ck_assert_msg(strstr(ht_json_str(e, "message"), "phone") != NULL, "%s", r.body);
    e = error_at(&r, "/distance_km", "invalid_distance");
    ck_assert_msg(strstr(ht_json_str(e, "message"), "one decimal") != NULL, "%s", r.body);
    ht_resp_free(&r);
    free(text);

    /* the guardian's document is checked too */
    b = stu_json(&s, "13", 1);
    json_t *f0 = json_array_get(json_object_get(b, "family"), 0);
    json_object_set_new(f0, "id_number", json_string(bad_id));
    json_object_set_new(f0, "phone", json_string("无"));
    post_student(REG_A, b, NULL, &r);
    ht_assert_problem(&r, 422, "validation_failed");
    assert_error(&r, "/family/0/id_number", "invalid_id_number");
    assert_error(&r, "/family/0/phone", "invalid_phone");
    ht_resp_free(&r);
    ck_assert_int_eq(student_rows(), before);
}
END_TEST

/* Rule 6: gender and birth date follow a resident ID; a contradiction names the fields. */
START_TEST(test_validation_contradicts_id)
{
    stu s;
    stu_new(&s); /* a male born 2016-03-01 */
    long long before = student_rows();
    ht_resp r;

    /* the gender against digit 17 */
    json_t *b = stu_json(&s, "13", 1);
    json_object_set_new(b, "gender", json_string("2"));
    post_student(REG_A, b, NULL, &r);
    ck_assert_int_eq(r.status, 422);
    assert_error(&r, "/gender", "contradicts_id_number");
    assert_error(&r, "/id_number", "contradicts_id_number");
    ht_resp_free(&r);

    /* the birth date against digits 7-14 */
    b = stu_json(&s, "13", 1);
    json_object_set_new(b, "birth_date", json_string("2016-03-02"));
    post_student(REG_A, b, NULL, &r);
    ck_assert_int_eq(r.status, 422);
    assert_error(&r, "/birth_date", "contradicts_id_number");
    assert_error(&r, "/id_number", "contradicts_id_number");
    ht_resp_free(&r);

    /* both: both named, with the others of the body */
    b = stu_json(&s, "13", 1);
    json_object_set_new(b, "gender", json_string("2"));
    json_object_set_new(b, "birth_date", json_string("2015-12-31"));
    json_object_set_new(b, "phone", json_string("138-1234"));
    post_student(REG_A, b, "Accept-Language: en", &r);
    ht_assert_problem(&r, 422, "validation_failed");
    assert_error(&r, "/gender", "contradicts_id_number");
    assert_error(&r, "/birth_date", "contradicts_id_number");
    assert_error(&r, "/phone", "invalid_phone");
    const json_t *e = error_at(&r, "/id_number", "contradicts_id_number");
    ck_assert_ptr_nonnull(e);
    ht_resp_free(&r);

    /* without gender and birth date they come from the ID */
    b = stu_json(&s, "13", 1);
    json_object_del(b, "gender");
    json_object_del(b, "birth_date");
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    json_t *st = json_object_get(r.json, "student");
    ck_assert_str_eq(ht_json_str(st, "gender"), "1");
    ck_assert_str_eq(ht_json_str(st, "birth_date"), "2016-03-01");
    ht_resp_free(&r);
    ck_assert_int_eq(student_rows(), before + 1);
}
END_TEST

/* Malformed JSON is the transport's problem, before any field. */
START_TEST(test_malformed_json)
{
    ht_resp r;
    call("POST", "/api/v1/students", REG_A, "{\"name\":\"x\",", NULL, &r);
    ht_assert_problem(&r, 400, "malformed_json");
    ht_resp_free(&r);
    call("POST", "/api/v1/students", REG_A, "[1,2]", NULL, &r);
    ht_assert_problem(&r, 422, "wrong_type");
    ht_resp_free(&r);
}
END_TEST

/* Rule 5: a 15-digit ID is converted to 18 and stored so. */
START_TEST(test_legacy_15_digit_id)
{
    stu s;
    stu_make(&s, 19990307, 1);
    /* 6 address + YYMMDD + 3 sequence (odd: male) */
    char id15[32], id18[32];
    int seq = (int)(s.n % 500) * 2 + 1;
    snprintf(id15, sizeof(id15), "410102990307%03d", seq);
    snprintf(id18, sizeof(id18), "41010219990307%03d", seq);
    id18[17] = check_digit(id18);
    id18[18] = '\0';
    note_pii(id15);
    note_pii(id18);
    json_t *b = stu_json(&s, "13", 1);
    json_object_set_new(b, "id_number", json_string(id15));
    ht_resp r;
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long id = student_id_of(&r);
    char m[32];
    mask_id(id18, m);
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "student"), "id_number"), m);
    ht_resp_free(&r);

    get_student_id(REG_A, id, 1, &r);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), id18);
    ht_resp_free(&r);

    /* the 18-digit form of the same person is a duplicate */
    stu t;
    stu_new(&t);
    b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(id18));
    json_object_set_new(b, "birth_date", json_string("1999-03-07"));
    post_student(REG_A, b, NULL, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    ht_resp_free(&r);
}
END_TEST

/* Rule 2: a lower-case x is normalised; the G number ends in X and addresses the record. */
START_TEST(test_check_digit_x)
{
    stu s;
    stu_make(&s, 20150615, 1);
    char idx[32] = "";
    for (int seq = 1; seq < 1000 && idx[0] == '\0'; seq += 2) {
        char t[32];
        snprintf(t, sizeof(t), "41010220150615%03d", seq);
        if (check_digit(t) == 'X') {
            t[17] = 'X';
            t[18] = '\0';
            snprintf(idx, sizeof(idx), "%s", t);
        }
    }
    ck_assert_msg(idx[0] != '\0', "no ID with check digit X");
    note_pii(idx);
    char lower[32];
    snprintf(lower, sizeof(lower), "%s", idx);
    lower[17] = 'x';
    json_t *b = stu_json(&s, "13", 1);
    json_object_set_new(b, "id_number", json_string(lower));
    ht_resp r;
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long id = student_id_of(&r), rid = request_id_of(&r);
    char m[32];
    mask_id(idx, m);
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "student"), "id_number"), m);
    ht_resp_free(&r);
    approve_ok(COUNTY, rid, 1, "approved");
    char key[40];
    snprintf(key, sizeof(key), "G%s", idx);
    get_student(REG_A, key, 1, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), id);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), idx);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), key);
    ht_resp_free(&r);
    key[18] = 'x';
    get_student(REG_A, key, 0, &r);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "id")), id);
    ht_resp_free(&r);
    /* the upper-case form is the same person */
    stu t;
    stu_new(&t);
    b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(idx));
    json_object_set_new(b, "birth_date", json_string("2015-06-15"));
    post_student(REG_B, b, NULL, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    ht_resp_free(&r);
}
END_TEST

static Suite *
registration_suite(void)
{
    Suite *s = suite_create("http-registration");

    TCase *tc = shared_tcase("register", 120);
    tcase_add_test(tc, test_register_resident_id_and_approve);
    tcase_add_test(tc, test_register_without_document);
    tcase_add_test(tc, test_no_document_needs_guardian_document);
    tcase_add_test(tc, test_other_document_keeps_l_number);
    tcase_add_test(tc, test_validation_lists_every_field);
    tcase_add_test(tc, test_validation_contradicts_id);
    tcase_add_test(tc, test_malformed_json);
    tcase_add_test(tc, test_legacy_15_digit_id);
    tcase_add_test(tc, test_check_digit_x);
    suite_add_tcase(s, tc);

    /* after everything else: the scan reads what they all wrote */
    tc = shared_tcase("plaintext", 120);
    tcase_add_test(tc, test_no_plaintext_anywhere);
    suite_add_tcase(s, tc);

    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return world_main(registration_suite());
}
