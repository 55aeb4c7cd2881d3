/*
 * tests/http/students_test.c - the student registry over HTTP: list, read and reveal, edit.
 * The world and helpers: tests/http/students_world.h.
 */
#include "tests/http/students_world.h"

/* Lists: keyset pagination, never OFFSET (API.md "Conventions"). */
START_TEST(test_list_pagination)
{
    char pfx[64], q[256], enc[192];
    stu v[9];
    prefix("张", pfx, sizeof(pfx));
    seed_list(pfx, v);
    urlenc(pfx, enc, sizeof(enc));
    snprintf(q, sizeof(q), "name=%s", enc);

    long long ids[16];
    int pages = 0;
    int n = list_ids(REG_A, q, 3, ids, 16, &pages);
    ck_assert_int_eq(n, 7);
    ck_assert_int_eq(pages, 3); /* 3 + 3 + 1, the last without a cursor */
    for (int k = 0; k < 7; k++) {
        int seen = 0;
        for (int i = 0; i < n; i++)
            seen += ids[i] == v[k].id;
        ck_assert_msg(seen == 1, "student %d seen %d times", k, seen);
    }
    /* a page that ends exactly at the last student says so */
    n = list_ids(REG_A, q, 7, ids, 16, &pages);
    ck_assert_int_eq(n, 7);
    ck_assert_int_eq(pages, 1);

    /* a cursor is a position, not a page number: after the 4th id come the last 3 */
    char path[512];
    ht_resp r;
    snprintf(path, sizeof(path), "/api/v1/students?%s&cursor=%lld", q, v[3].id);
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 3);
    ck_assert_int_eq(jint(json_array_get(json_object_get(r.json, "items"), 0), "id"), v[4].id);
    ht_resp_free(&r);

    static const char *const bad_cursor[] = {"abc", "-1", "1e3", "12345678901234567890"};
    for (size_t i = 0; i < sizeof(bad_cursor) / sizeof(bad_cursor[0]); i++) {
        snprintf(path, sizeof(path), "/api/v1/students?cursor=%s", bad_cursor[i]);
        get(path, REG_A, &r);
        ht_assert_problem(&r, 400, "invalid_cursor");
        ht_resp_free(&r);
    }
    static const char *const bad_limit[] = {"0", "501", "-3", "x"};
    for (size_t i = 0; i < sizeof(bad_limit) / sizeof(bad_limit[0]); i++) {
        snprintf(path, sizeof(path), "/api/v1/students?limit=%s", bad_limit[i]);
        get(path, REG_A, &r);
        ht_assert_problem(&r, 400, "invalid_parameter");
        ck_assert(has_error(&r, "/query/limit", "invalid_parameter"));
        ht_resp_free(&r);
    }
}
END_TEST

/* Each filter narrows the list to the students it names. */
START_TEST(test_list_filters)
{
    char pfx[64], enc[192], q[512];
    stu v[9];
    prefix("李", pfx, sizeof(pfx));
    seed_list(pfx, v);
    approve(ZHONGYUAN, &v[2]);
    approve(ZHONGYUAN, &v[5]);
    urlenc(pfx, enc, sizeof(enc));

    static const struct {
        const char *filter;
        int n, want[8];
    } cases[] = {
        {"", 7, {0, 1, 2, 3, 4, 5, 6}},
        {"&grade=14", 2, {5, 6}},
        {"&grade=13", 5, {0, 1, 2, 3, 4}},
        {"&class=2", 2, {3, 4}},
        {"&grade=13&class=1", 3, {0, 1, 2}},
        {"&status=enrolled", 2, {2, 5}},
        {"&status=pending", 5, {0, 1, 3, 4, 6}},
        {"&left_behind=1", 2, {0, 5}},
        {"&left_behind=2", 1, {3}},
        {"&migrant_child=1", 3, {0, 1, 4}},
        {"&migrant_child=0&grade=13", 2, {2, 3}},
        {"&school=" SCH_A, 7, {0, 1, 2, 3, 4, 5, 6}},
        {"&school=" SCH_B, 0, {0}},
        {"&status=withdrawn", 0, {0}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(q, sizeof(q), "name=%s%s", enc, cases[i].filter);
        expect_list(REG_A, q, v, cases[i].want, cases[i].n);
    }
    /* the city sees both schools; ?school= picks one */
    snprintf(q, sizeof(q), "name=%s", enc);
    expect_list(ZHENGZHOU, q, v, (int[]){0, 1, 2, 3, 4, 5, 6, 7}, 8);
    snprintf(q, sizeof(q), "name=%s&school=" SCH_B, enc);
    expect_list(ZHENGZHOU, q, v, (int[]){7}, 1);
    snprintf(q, sizeof(q), "name=%s&school=" SCH_A "&grade=14", enc);
    expect_list(ZHENGZHOU, q, v, (int[]){5, 6}, 2);

    /* name is a prefix: the full name of one; the middle of a name finds none */
    char one[96];
    snprintf(one, sizeof(one), "%s4", pfx);
    urlenc(one, enc, sizeof(enc));
    snprintf(q, sizeof(q), "name=%s", enc);
    expect_list(REG_A, q, v, (int[]){3}, 1);
    urlenc(pfx + strlen("李"), enc, sizeof(enc));
    snprintf(q, sizeof(q), "name=%s", enc);
    expect_list(REG_A, q, v, NULL, 0);

    /* bad filter values: 400 naming the parameter */
    static const struct {
        const char *query, *field;
    } bad[] = {
        {"status=studying", "/query/status"},
        {"status=", "/query/status"},
        {"school=21410192", "/query/school"},
        {"grade=abc", "/query/grade"},
        {"class=x", "/query/class"},
        {"left_behind=3", "/query/left_behind"},
        {"migrant_child=2", "/query/migrant_child"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[256];
        ht_resp r;
        snprintf(path, sizeof(path), "/api/v1/students?%s", bad[i].query);
        get(path, REG_A, &r);
        ht_assert_problem(&r, 400, "invalid_parameter");
        ck_assert_msg(has_error(&r, bad[i].field, "invalid_parameter"), "%s: %s", bad[i].query,
                      r.body);
        ht_resp_free(&r);
    }
}
END_TEST

/* DOMAIN rules 26, 27, 31: who sees which students, and masked numbers in lists. */
START_TEST(test_list_scoping_and_masking)
{
    char pfx[64], enc[192], q[512];
    stu v[9];
    prefix("王", pfx, sizeof(pfx));
    seed_list(pfx, v);
    urlenc(pfx, enc, sizeof(enc));
    snprintf(q, sizeof(q), "name=%s", enc);

    expect_list(ZHONGYUAN, q, v, (int[]){0, 1, 2, 3, 4, 5, 6}, 7); /* its county's school */
    expect_list(JINSHUI, q, v, (int[]){7}, 1);
    expect_list(JIANGAN, q, v, (int[]){8}, 1);                    /* another province */
    expect_list(HENAN, q, v, (int[]){0, 1, 2, 3, 4, 5, 6, 7}, 8); /* A and B, not H */
    expect_list(GRADE_A, q, v, (int[]){0, 1, 2, 3, 4}, 5);        /* grade 13 only */
    expect_list(HEAD_A, q, v, (int[]){0, 1, 2}, 3);               /* class 13-1 only */
    expect_list(REG_B, q, v, (int[]){7}, 1);
    snprintf(q, sizeof(q), "name=%s&grade=14", enc);
    expect_list(GRADE_A, q, v, NULL, 0); /* asking for another grade widens nothing */
    snprintf(q, sizeof(q), "name=%s&school=" SCH_B, enc);
    expect_list(REG_A, q, v, NULL, 0); /* a registrar asking for another school */
    snprintf(q, sizeof(q), "name=%s&school=" SCH_A, enc);
    expect_list(JIANGAN, q, v, NULL, 0);

    /* masked in list items: ID numbers, phones, family phones, never the digits */
    ht_resp r;
    char path[512];
    snprintf(path, sizeof(path), "/api/v1/students?name=%s", enc);
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_uint_eq(json_array_size(items), 7);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *idn = ht_json_str(it, "id_number"), *ph = ht_json_str(it, "phone");
        ck_assert_uint_eq(strlen(idn), 18);
        ck_assert(strncmp(idn, "4101", 4) == 0 && strncmp(idn + 4, "**********", 10) == 0);
        ck_assert(strncmp(ph, "139****", 7) == 0 && strlen(ph) == 11);
        const char *fph = ht_json_str(json_array_get(json_object_get(it, "family"), 0), "phone");
        ck_assert(strncmp(fph, "137****", 7) == 0);
        ck_assert(json_is_false(json_object_get(it, "revealed")));
    }
    for (int k = 0; k < 7; k++) {
        ck_assert_msg(strstr(r.body, v[k].id_number) == NULL, "ID number %d in the list", k);
        ck_assert_msg(strstr(r.body, v[k].phone) == NULL, "phone %d in the list", k);
        ck_assert_msg(strstr(r.body, v[k].fphone) == NULL, "family phone %d in the list", k);
    }
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ read */

/* GET /students/{key}: by id or number, ETag, masking, reveal (DOMAIN rules 9, 26, 27). */
START_TEST(test_get_and_reveal)
{
    char name[64], path[128];
    stu s;
    prefix("赵", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    ht_resp r;

    /* by id: the whole record, masked, with its version as ETag */
    student_path(&s, "", path, sizeof(path));
    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    ck_assert_int_eq(jint(r.json, "version"), 1);
    ck_assert_int_eq(jint(r.json, "id"), s.id);
    ck_assert_str_eq(ht_json_str(r.json, "school"), SCH_A);
    ck_assert_str_eq(ht_json_str(r.json, "name"), s.name);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "pending");
    ck_assert_str_eq(ht_json_str(r.json, "grade"), "13");
    ck_assert_int_eq(jint(r.json, "class"), 1);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), s.number);
    ck_assert(s.number[0] == 'L' && strlen(s.number) == 19); /* rule 8 */
    char want[24];
    snprintf(want, sizeof(want), "%.4s**********%.4s", s.id_number, s.id_number + 14);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), want);
    snprintf(want, sizeof(want), "%.3s****%.4s", s.phone, s.phone + 7);
    ck_assert_str_eq(ht_json_str(r.json, "phone"), want);
    json_t *f0 = json_array_get(json_object_get(r.json, "family"), 0);
    snprintf(want, sizeof(want), "%.3s****%.4s", s.fphone, s.fphone + 7);
    ck_assert_str_eq(ht_json_str(f0, "phone"), want);
    ck_assert_ptr_null(strstr(r.body, s.id_number));
    ck_assert_ptr_null(strstr(r.body, s.phone));
    ck_assert_ptr_null(strstr(r.body, s.fphone));
    ck_assert(json_is_false(json_object_get(r.json, "revealed")));
    ck_assert(json_is_null(json_object_get(r.json, "photo")));
    ht_resp_free(&r);

    /* by its L number: the same record */
    snprintf(path, sizeof(path), "/api/v1/students/%s", s.number);
    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
    ck_assert_int_eq(jint(r.json, "id"), s.id);
    ht_resp_free(&r);

    /* its county sees it; the grade leader of its grade and its head teacher too */
    student_path(&s, "", path, sizeof(path));
    get(path, ZHONGYUAN, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    get(path, HEAD_A, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);

    /* reveal by the registrar: full numbers, not cached, audited with this request */
    snprintf(path, sizeof(path), "/api/v1/students/%lld?reveal=id_number", s.id);
    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), s.id_number);
    ck_assert_str_eq(ht_json_str(r.json, "phone"), s.phone);
    ck_assert_str_eq(ht_json_str(json_array_get(json_object_get(r.json, "family"), 0), "phone"),
                     s.fphone);
    ck_assert(json_is_true(json_object_get(r.json, "revealed")));
    ck_assert_ptr_nonnull(ht_header(&r, "cache-control"));
    ck_assert_ptr_nonnull(strstr(ht_header(&r, "cache-control"), "no-store"));
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM audit WHERE action = 'student.reveal' AND target_id = '%lld'"
             " AND request_id = '%s'",
             s.id, ht_header(&r, "x-request-id"));
    ck_assert_int_eq(scalar(sql), 1);
    ht_resp_free(&r);
    /* the audit row itself holds no number */
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM audit WHERE detail::text LIKE '%%%s%%'",
             s.id_number);
    ck_assert_int_eq(scalar(sql), 0);

    /* the county may reveal too; a head teacher and a grade leader may not */
    get(path, ZHONGYUAN, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), s.id_number);
    ht_resp_free(&r);
    get(path, HEAD_A, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ck_assert_ptr_null(strstr(r.body, s.id_number));
    ht_resp_free(&r);
    get(path, GRADE_A, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/students/%lld?reveal=phone", s.id);
    get(path, REG_A, &r);
    ht_assert_problem(&r, 400, "invalid_parameter");
    ck_assert(has_error(&r, "/query/reveal", "invalid_parameter"));
    ht_resp_free(&r);

    /* what does not exist, and what is not the caller's, look the same: 404 */
    static const char *const missing[] = {"/api/v1/students/999999999999", "/api/v1/students/abc",
                                          "/api/v1/students/L41010220150101999X",
                                          "/api/v1/students/G123",
                                          "/api/v1/students/12345678901234567890123"};
    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        get(missing[i], REG_A, &r);
        ht_assert_problem(&r, 404, "student_not_found");
        ht_resp_free(&r);
    }
    student_path(&s, "", path, sizeof(path));
    get(path, JIANGAN, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    get(path, JINSHUI, &r); /* the neighbouring county of the same city */
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    get(path, REG_B, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    get(path, GRADE_A, &r);
    ck_assert_int_eq(r.status, 200); /* grade 13 */
    ht_resp_free(&r);

    /* approved: a G number, masked, and the full G number still finds the record (rule 9) */
    approve(ZHONGYUAN, &s);
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "enrolled");
    snprintf(want, sizeof(want), "G%.4s**********%.4s", s.id_number, s.id_number + 14);
    ck_assert_str_eq(ht_json_str(r.json, "student_number"), want);
    ht_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/students/G%s", s.id_number);
    get(path, REG_A, &r);
    ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
    ck_assert_int_eq(jint(r.json, "id"), s.id);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ edit */

/* PATCH: If-Match, non-key fields only (DOMAIN §4 "Key fields"), class moves. */
START_TEST(test_patch)
{
    char name[64], path[128];
    stu s;
    prefix("孙", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    approve(ZHONGYUAN, &s);
    ht_resp r;
    student_path(&s, "", path, sizeof(path));
    get(path, REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    int v = (int)jint(r.json, "version");
    ht_resp_free(&r);
    char tag[16], stale[16];
    snprintf(tag, sizeof(tag), "\"%d\"", v);
    snprintf(stale, sizeof(stale), "\"%d\"", v - 1);

    /* If-Match: missing 428, stale 412, and nothing changes */
    patch(&s, REG_A, "{\"current_address\":\"郑州市中原区桐柏路2号\"}", NULL, &r);
    ht_assert_problem(&r, 428, "precondition_required");
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"current_address\":\"郑州市中原区桐柏路2号\"}", stale, &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"current_address\":\"郑州市中原区桐柏路2号\"}", "\"99\"", &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);

    /* the right version: 200, version + 1, a new ETag, the change visible */
    patch(&s, REG_A,
          "{\"current_address\":\"郑州市中原区桐柏路2号\",\"postcode\":\"450007\","
          "\"specialty\":\"书法\"}",
          tag, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(jint(r.json, "version"), v + 1);
    char tag2[16];
    snprintf(tag2, sizeof(tag2), "\"%d\"", v + 1);
    ck_assert_str_eq(ht_header(&r, "etag"), tag2);
    ht_resp_free(&r);
    get(path, REG_A, &r);
    ck_assert_str_eq(ht_json_str(r.json, "current_address"), "郑州市中原区桐柏路2号");
    ck_assert_str_eq(ht_json_str(r.json, "postcode"), "450007");
    ck_assert_str_eq(ht_json_str(r.json, "specialty"), "书法");
    ck_assert_str_eq(ht_json_str(r.json, "name"), s.name); /* untouched */
    ck_assert_str_eq(ht_header(&r, "etag"), tag2);
    ht_resp_free(&r);
    /* the old tag is stale now */
    patch(&s, REG_A, "{\"specialty\":\"围棋\"}", tag, &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);

    /* key fields need a key_field_change request, each named */
    char other_id[19], body[256];
    {
        /* another valid number that agrees with gender and birth date */
        char date[9], seq[4];
        memcpy(date, s.id_number + 6, 8);
        date[8] = '\0';
        memcpy(seq, s.id_number + 14, 3);
        seq[3] = '\0';
        make_id("410102", atoi(date), (atoi(seq) + 500) % 1000, other_id);
    }
    static const struct {
        const char *member, *value, *pointer;
    } keys[] = {
        {"name", "改名测试", "/name"},
        {"id_type", "A", "/id_type"},
        {"id_number", NULL, "/id_number"},
        {"gender", NULL, "/gender"},
        {"birth_date", "2010-01-01", "/birth_date"},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *val = keys[i].value;
        if (strcmp(keys[i].member, "id_number") == 0)
            val = other_id;
        if (strcmp(keys[i].member, "gender") == 0)
            val = s.gender[0] == '1' ? "2" : "1";
        snprintf(body, sizeof(body), "{\"%s\":\"%s\"}", keys[i].member, val);
        patch(&s, REG_A, body, tag2, &r);
        ck_assert_msg(r.status == 422, "%s: %ld %s", body, r.status, r.body);
        ck_assert_msg(has_error(&r, keys[i].pointer, "key_field_requires_approval"), "%s: %s", body,
                      r.body);
        ht_resp_free(&r);
    }
    /* name and the document number alone: the problem's code itself */
    patch(&s, REG_A, "{\"name\":\"改名测试\"}", tag2, &r);
    ht_assert_problem(&r, 422, "key_field_requires_approval");
    ht_resp_free(&r);
    snprintf(body, sizeof(body), "{\"id_number\":\"%s\"}", other_id);
    patch(&s, REG_A, body, tag2, &r);
    ht_assert_problem(&r, 422, "key_field_requires_approval");
    ck_assert_ptr_null(strstr(r.body, other_id)); /* never echoed */
    ht_resp_free(&r);
    /* a key field sent unchanged is no change */
    snprintf(body, sizeof(body), "{\"name\":\"%s\",\"specialty\":\"围棋\"}", s.name);
    patch(&s, REG_A, body, tag2, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(jint(r.json, "version"), v + 2);
    ht_resp_free(&r);
    char tag3[16];
    snprintf(tag3, sizeof(tag3), "\"%d\"", v + 2);

    /* bad values: 422 with the pointer */
    patch(&s, REG_A, "{\"postcode\":\"4500\"}", tag3, &r);
    ht_assert_problem(&r, 422, "invalid_postcode");
    ck_assert(has_error(&r, "/postcode", "invalid_postcode"));
    ht_resp_free(&r);
    patch(&s, REG_A,
          "{\"family\":[{\"name\":\"家长\",\"relation\":\"1\",\"phone\":\"138-0000\","
          "\"guardian\":\"1\"}]}",
          tag3, &r);
    ht_assert_problem(&r, 422, "invalid_phone");
    ck_assert(has_error(&r, "/family/0/phone", "invalid_phone"));
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"distance_km\":\"far\",\"ethnicity\":\"99\"}", tag3, &r);
    ht_assert_problem(&r, 422, "validation_failed");
    ck_assert(has_error(&r, "/distance_km", "invalid_distance"));
    ck_assert(has_error(&r, "/ethnicity", "invalid_code"));
    ht_resp_free(&r);
    /* members that are not fields, or not the client's */
    patch(&s, REG_A, "{\"shoe_size\":\"37\"}", tag3, &r);
    ht_assert_problem(&r, 422, "unknown_field");
    ck_assert(has_error(&r, "/shoe_size", "unknown_field"));
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"state\":\"graduated\"}", tag3, &r);
    ht_assert_problem(&r, 422, "field_not_editable");
    ck_assert(has_error(&r, "/state", "field_not_editable"));
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"student_number\":\"L410102201501019999\"}", tag3, &r);
    ht_assert_problem(&r, 422, "field_not_editable");
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"photo\":null}", tag3, &r);
    ht_assert_problem(&r, 422, "field_not_editable");
    ht_resp_free(&r);

    /* bureaus do not edit records; others' staff do not find them */
    patch(&s, ZHONGYUAN, "{\"specialty\":\"绘画\"}", tag3, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    patch(&s, REG_B, "{\"specialty\":\"绘画\"}", tag3, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);

    /* a class of the same grade: the student moves, and leaves its head teacher's view */
    patch(&s, REG_A, "{\"class\":9}", tag3, &r);
    ht_assert_problem(&r, 422, "class_not_found");
    ck_assert(has_error(&r, "/class", "class_not_found"));
    ht_resp_free(&r);
    patch(&s, REG_A, "{\"class\":2}", tag3, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(jint(r.json, "class"), 2);
    ck_assert_str_eq(ht_json_str(r.json, "grade"), "13");
    ht_resp_free(&r);
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT class_id FROM student WHERE id = %lld", s.id);
    ck_assert_int_eq(scalar(sql), cls_a13_2);
    get(path, HEAD_A, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    char tag4[16];
    snprintf(tag4, sizeof(tag4), "\"%d\"", v + 3);

    /* a grade change is a request (DOMAIN §5 grade_change) */
    patch(&s, REG_A, "{\"grade\":\"14\",\"class\":1}", tag4, &r);
    ht_assert_problem(&r, 422, "grade_change_requires_approval");
    ck_assert(has_error(&r, "/grade", "grade_change_requires_approval"));
    ht_resp_free(&r);
    get(path, REG_A, &r);
    ck_assert_str_eq(ht_json_str(r.json, "grade"), "13");
    ck_assert_int_eq(jint(r.json, "version"), v + 3);
    ht_resp_free(&r);
}
END_TEST

/* A bearer token of account `username` (password PW). */
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

/* Issue 12 defect 5: a head teacher moves a pupil between their own classes
   only; a destination outside their scope is 403 class_out_of_scope and
   changes nothing. Every other way to set a class or school (imports,
   requests) is the registrar's alone. */
START_TEST(test_patch_class_scope)
{
    char name[64], path[128], sql[256];
    stu s;
    prefix("郑", name, sizeof(name));
    register_named(REG_A, name, 13, 1, &s);
    approve(ZHONGYUAN, &s);
    student_path(&s, "", path, sizeof(path));
    ht_resp r;
    get(path, HEAD_A, &r);
    ck_assert_int_eq(r.status, 200);
    int v = (int)jint(r.json, "version");
    ht_resp_free(&r);
    char tag[16];
    snprintf(tag, sizeof(tag), "\"%d\"", v);

    /* the head teacher of 13-1 alone: 13-2 is not theirs */
    patch(&s, HEAD_A, "{\"class\":2}", tag, &r);
    ht_assert_problem(&r, 403, "class_out_of_scope");
    ck_assert(has_error(&r, "/class", "class_out_of_scope"));
    ht_resp_free(&r);
    snprintf(sql, sizeof(sql), "SELECT class_id FROM student WHERE id = %lld", s.id);
    ck_assert_int_eq(scalar(sql), cls_a13_1);
    get(path, HEAD_A, &r); /* still theirs, unchanged */
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(jint(r.json, "class"), 1);
    ck_assert_int_eq(jint(r.json, "version"), v);
    ht_resp_free(&r);
    /* with another change in the same body: nothing of it is kept */
    patch(&s, HEAD_A, "{\"class\":2,\"specialty\":\"篮球\"}", tag, &r);
    ht_assert_problem(&r, 403, "class_out_of_scope");
    ht_resp_free(&r);
    get(path, REG_A, &r);
    ck_assert_ptr_null(ht_json_str(r.json, "specialty"));
    ck_assert_int_eq(jint(r.json, "version"), v);
    ht_resp_free(&r);

    /* a head teacher of 13-1 and 13-2 moves the pupil between them, and back */
    char hash[CORE_PWHASH_LEN], classes[64];
    ck_assert_int_eq(core_pwhash(PW, hash), 0);
    snprintf(classes, sizeof(classes), "{%lld,%lld}", cls_a13_1, cls_a13_2);
    add_user(hash, "st_head2_a", "school", SCH_A, "'head_teacher'", "NULL", classes);
    char *head2 = login_as("st_head2_a");
    call("PATCH", path, head2, "{\"class\":2}", tag, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(jint(r.json, "class"), 2);
    ht_resp_free(&r);
    ck_assert_int_eq(scalar(sql), cls_a13_2);
    snprintf(tag, sizeof(tag), "\"%d\"", v + 1);
    /* ... but not into 14-1 (a grade change is a request anyway) */
    call("PATCH", path, head2, "{\"grade\":\"14\",\"class\":1}", tag, &r);
    ht_assert_problem(&r, 422, "grade_change_requires_approval");
    ht_resp_free(&r);

    /* the grade leader of 13 moves pupils within grade 13 */
    patch(&s, GRADE_A, "{\"class\":1}", tag, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    snprintf(tag, sizeof(tag), "\"%d\"", v + 2);

    /* the other ways to place a student are the registrar's: an update
       import, a request that names a class (grade change, transfer) */
    call_raw("POST", "/api/v1/imports?mode=update", as(HEAD_A), "text/csv", "a\n", 2, NULL, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    char body[256];
    snprintf(body, sizeof(body),
             "{\"type\":\"grade_change\",\"student\":%lld,\"payload\":{\"grade\":\"14\","
             "\"class\":1}}",
             s.id);
    call("POST", "/api/v1/requests", as(HEAD_A), body, NULL, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    call("POST", "/api/v1/requests", head2, body, NULL, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    ck_assert_int_eq(scalar(sql), cls_a13_1);
    free(head2);
}
END_TEST

static Suite *
students_suite(void)
{
    Suite *s = suite_create("http-students");
    int t = ht_timeout(120);

    TCase *tc = tcase_create("list");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_list_pagination);
    tcase_add_test(tc, test_list_filters);
    tcase_add_test(tc, test_list_scoping_and_masking);
    suite_add_tcase(s, tc);

    tc = tcase_create("record");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_get_and_reveal);
    tcase_add_test(tc, test_patch);
    tcase_add_test(tc, test_patch_class_scope);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    ht_global_init();
    SRunner *sr = srunner_create(students_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}
