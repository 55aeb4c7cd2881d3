/*
 * tests/http/schools_test.c - schools over HTTP: create at every level, validation, lists, patch.
 * The world and helpers: tests/http/schools_world.h.
 */
#include "tests/http/schools_world.h"

START_TEST(test_create_at_every_level)
{
    seed_scoping();
    ht_resp r;
    char *cty = as("t_zhongyuan");

    /* what the county made: 201, Location, ETag and the whole school */
    call("POST", "/api/v1/schools", cty,
         "{\"code\":\"3441010281\",\"name\":\"  中原区测试高级中学 \",\"county\":\"410102\","
         "\"authority\":\"410102\",\"category\":\"34\",\"system\":\"63\"}",
         NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_header(&r, "location"), "/api/v1/schools/3441010281");
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    ck_assert_str_eq(ht_json_str(r.json, "code"), "3441010281");
    ck_assert_str_eq(ht_json_str(r.json, "name"), "中原区测试高级中学");
    ck_assert_str_eq(ht_json_str(r.json, "county"), "410102");
    ck_assert_str_eq(ht_json_str(r.json, "county_name"), "中原区");
    ck_assert_str_eq(ht_json_str(r.json, "authority"), "410102");
    ck_assert_str_eq(ht_json_str(r.json, "authority_name"), "中原区");
    ck_assert_str_eq(ht_json_str(r.json, "province"), "410000");
    ck_assert_str_eq(ht_json_str(r.json, "category"), "34");
    ck_assert_str_eq(ht_json_str(r.json, "category_label"), "高级中学");
    ck_assert_str_eq(ht_json_str(r.json, "system"), "63");
    ck_assert(json_is_false(json_object_get(r.json, "closed")));
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 1);
    ck_assert_ptr_nonnull(ht_json_str(r.json, "created_at"));
    ck_assert_ptr_nonnull(ht_json_str(r.json, "updated_at"));
    ht_resp_free(&r);

    /* the city-managed one the province made */
    char *min = as("t_ministry");
    call("GET", "/api/v1/schools/" S_CITY, min, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "authority"), "410100");
    ck_assert_str_eq(ht_json_str(r.json, "authority_name"), "郑州市");
    ck_assert_str_eq(ht_json_str(r.json, "system"), "63"); /* the default */
    ht_resp_free(&r);

    /* a city without counties is a location (东莞 441900, docs/decisions/0002) */
    call("POST", "/api/v1/schools", min,
         "{\"code\":\"2144190081\",\"name\":\"东莞市测试小学\",\"county\":\"441900\"}", NULL, &r);
    ck_assert_msg(r.status == 201 || r.status == 409, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    /* one audit row per creation, in the same transaction */
    ck_assert_int_eq(scalar("SELECT count(*) FROM audit WHERE action = 'school_create'"
                            " AND target_id = '3441010281' AND detail->>'authority' = '410102'"),
                     1);
    free(cty);
    free(min);
}
END_TEST

START_TEST(test_create_validation)
{
    seed_scoping();
    char *cty = as("t_zhongyuan");
    ht_resp r;
    static const struct {
        const char *body;
        long status;
        const char *code, *field;
    } cases[] = {
        /* the school code: length, digits, category, province */
        {"{\"code\":\"21410102\",\"name\":\"甲\",\"county\":\"410102\"}", 422,
         "invalid_school_code", "/code"},
        {"{\"code\":\"21410102AB\",\"name\":\"甲\",\"county\":\"410102\"}", 422,
         "invalid_school_code", "/code"},
        {"{\"code\":\"9941010282\",\"name\":\"甲\",\"county\":\"410102\"}", 422,
         "invalid_school_code", "/code"},
        {"{\"code\":\"2199010282\",\"name\":\"甲\",\"county\":\"410102\"}", 422,
         "invalid_school_code", "/code"},
        {"{\"code\":2141010283,\"name\":\"甲\",\"county\":\"410102\"}", 422, "wrong_type", "/code"},
        /* the province of the code is not the county's */
        {"{\"code\":\"2142010283\",\"name\":\"甲\",\"county\":\"410102\"}", 422,
         "province_mismatch", "/county"},
        /* no such county; a city that has counties; a malformed code */
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410199\"}", 422, "unknown_county",
         "/county"},
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410100\"}", 422, "unknown_county",
         "/county"},
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"4101\"}", 422, "unknown_county",
         "/county"},
        /* an authority that does not contain the county */
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"authority\":\"410300\"}",
         422, "invalid_authority", "/authority"},
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"authority\":\"410105\"}",
         422, "invalid_authority", "/authority"},
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"authority\":\"000000\"}",
         422, "invalid_authority", "/authority"},
        /* an authority the county does not see: its city, or a sibling county by default */
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"authority\":\"410100\"}",
         403, "authority_out_of_jurisdiction", "/authority"},
        {"{\"code\":\"2141010583\",\"name\":\"甲\",\"county\":\"410105\"}", 403,
         "authority_out_of_jurisdiction", "/county"},
        /* category and system */
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"category\":\"31\"}", 422,
         "category_mismatch", "/category"},
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"system\":\"55\"}", 422,
         "invalid_school_system", "/system"},
        /* names */
        {"{\"code\":\"2141010283\",\"name\":\"   \",\"county\":\"410102\"}", 422, "invalid_name",
         "/name"},
        {"{\"code\":\"2141010283\",\"county\":\"410102\"}", 422, "missing_field", "/name"},
        {"{\"code\":\"2141010283\",\"name\":\"甲\",\"county\":\"410102\",\"colour\":\"red\"}", 422,
         "unknown_field", "/colour"},
        /* the code is taken */
        {"{\"code\":\"" S_COUNTY "\",\"name\":\"甲\",\"county\":\"410102\"}", 409, "school_exists",
         "/code"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        call("POST", "/api/v1/schools", cty, cases[i].body, NULL, &r);
        ht_assert_problem(&r, cases[i].status, cases[i].code);
        ck_assert_msg(has_error(&r, cases[i].field, cases[i].code), "%s: %s", cases[i].body,
                      r.body);
        ht_resp_free(&r);
    }

    /* every problem at once */
    call("POST", "/api/v1/schools", cty,
         "{\"code\":\"9941010283\",\"name\":\"\",\"county\":\"410199\",\"authority\":\"abc\","
         "\"system\":\"7\",\"x\":1}",
         NULL, &r);
    ht_assert_problem(&r, 422, "validation_failed");
    ck_assert(has_error(&r, "/code", "invalid_school_code"));
    ck_assert(has_error(&r, "/name", "invalid_name"));
    ck_assert(has_error(&r, "/county", "unknown_county"));
    ck_assert(has_error(&r, "/authority", "invalid_authority"));
    ck_assert(has_error(&r, "/system", "invalid_school_system"));
    ck_assert(has_error(&r, "/x", "unknown_field"));
    ht_resp_free(&r);

    /* the ministry sees every authority: the same body is created */
    char *min = as("t_ministry");
    call("POST", "/api/v1/schools", min,
         "{\"code\":\"2141010583\",\"name\":\"金水区测试第二小学\",\"county\":\"410105\"}", NULL,
         &r);
    ck_assert_msg(r.status == 201 || r.status == 409, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    /* a school user: 403, whatever the body */
    char *school = login("t_school281");
    call("POST", "/api/v1/schools", school,
         "{\"code\":\"2141010284\",\"name\":\"甲\",\"county\":\"410102\"}", NULL, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    /* no token: 401 */
    call("POST", "/api/v1/schools", NULL,
         "{\"code\":\"2141010284\",\"name\":\"甲\",\"county\":\"410102\"}", NULL, &r);
    ck_assert_int_eq(r.status, 401);
    ht_resp_free(&r);
    ck_assert_int_eq(scalar("SELECT count(*) FROM school WHERE code IN ('2141010283',"
                            " '2141010284', '9941010283')"),
                     0);
    free(cty);
    free(min);
    free(school);
}
END_TEST

/*
 * The list of each level equals the schools the core predicate lets it see,
 * computed here over every row of the table.
 */
static void
check_list_matches_predicate(const char *user, const char *role, const char *org)
{
    char *t = strcmp(role, "school") == 0 ? login(user) : as(user);
    json_t *codes = list_all(t, "", 7, NULL);
    core_actor a = {.level = core_level_from_name(role)};
    snprintf(a.org, sizeof(a.org), "%s", org);

    PGconn *pg = ht_db_connect();
    PGresult *res = PQexec(pg, "SELECT code, county, authority FROM school ORDER BY code");
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    size_t want = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        core_school_ref s = {PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2)};
        int sees = core_actor_sees_school(&a, &s);
        ck_assert_msg(sees == has_code(codes, s.code), "%s (%s): school %s authority %s: %s", user,
                      org, s.code, s.authority, sees ? "missing" : "listed");
        want += (size_t)sees;
    }
    ck_assert_uint_eq(json_array_size(codes), want);
    /* keyset order: ascending codes, no repeats */
    for (size_t i = 1; i < json_array_size(codes); i++)
        ck_assert(strcmp(json_string_value(json_array_get(codes, i - 1)),
                         json_string_value(json_array_get(codes, i))) < 0);
    PQclear(res);
    PQfinish(pg);
    json_decref(codes);
    free(t);
}

START_TEST(test_list_scoping)
{
    seed_scoping();
    check_list_matches_predicate("t_ministry", "ministry", "000000");
    check_list_matches_predicate("t_henan", "province", "410000");
    check_list_matches_predicate("t_hubei", "province", "420000");
    check_list_matches_predicate("t_zhengzhou", "city", "410100");
    check_list_matches_predicate("t_zhongyuan", "county", "410102");
    check_list_matches_predicate("t_jinshui", "county", "410105");
    check_list_matches_predicate("t_school281", "school", S_COUNTY);

    /* and the cases the brief names, by code */
    char *cty = as("t_zhongyuan"), *city = as("t_zhengzhou"), *hubei = as("t_hubei"),
         *min = as("t_ministry"), *school = login("t_school281");
    json_t *l = list_all(cty, "", 50, NULL);
    ck_assert(has_code(l, S_COUNTY) && has_code(l, S_COUNTY2));
    ck_assert(!has_code(l, S_CITY)); /* in 410102, but the city's */
    ck_assert(!has_code(l, S_JINSHUI));
    json_decref(l);
    l = list_all(city, "", 50, NULL);
    ck_assert(has_code(l, S_COUNTY) && has_code(l, S_CITY) && has_code(l, S_COUNTY2) &&
              has_code(l, S_JINSHUI));
    ck_assert(!has_code(l, S_HUBEI));
    json_decref(l);
    l = list_all(school, "", 50, NULL);
    ck_assert_uint_eq(json_array_size(l), 1);
    ck_assert(has_code(l, S_COUNTY));
    json_decref(l);
    l = list_all(school, "region=410100", 50, NULL); /* a region it stands in */
    ck_assert_uint_eq(json_array_size(l), 1);
    json_decref(l);
    l = list_all(hubei, "", 50, NULL);
    ck_assert(!has_code(l, S_COUNTY) && !has_code(l, S_CITY) && has_code(l, S_HUBEI));
    json_decref(l);
    l = list_all(min, "", 500, NULL);
    ck_assert_uint_eq(json_array_size(l), (size_t)scalar("SELECT count(*) FROM school"));
    json_decref(l);

    /* one school: the same rule, 404 when not visible */
    ht_resp r;
    call("GET", "/api/v1/schools?region=410105", school, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/" S_CITY, cty, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/" S_CITY, city, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/" S_COUNTY2, school, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/" S_COUNTY, school, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/0000000000", min, NULL, NULL, &r); /* a code no school has */
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/abc", min, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools", NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    ht_resp_free(&r);
    free(cty);
    free(city);
    free(hubei);
    free(min);
    free(school);
}
END_TEST

START_TEST(test_list_filters_and_pages)
{
    char *min = as("t_ministry"), *erqi = as("t_erqi"), *cty = as("t_zhongyuan"),
         *city = as("t_zhengzhou");
    /* six schools in 二七区 410103 */
    static const char *const made[] = {
        "{\"code\":\"2141010381\",\"name\":\"二七区分页测试小学甲\",\"county\":\"410103\"}",
        "{\"code\":\"2141010382\",\"name\":\"二七区分页测试小学乙\",\"county\":\"410103\"}",
        "{\"code\":\"2141010383\",\"name\":\"二七区分页测试小学丙\",\"county\":\"410103\"}",
        "{\"code\":\"2141010384\",\"name\":\"二七区分页测试小学丁\",\"county\":\"410103\"}",
        "{\"code\":\"3141010381\",\"name\":\"二七区分页测试中学\",\"county\":\"410103\"}",
        "{\"code\":\"3141010382\",\"name\":\"百分%之_百\\\\中学\",\"county\":\"410103\"}",
    };
    for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
        ensure_school(min, made[i]);

    /* pages of 2 over the region: every school once, in code order */
    int pages = 0;
    json_t *all = list_all(erqi, "region=410103", 2, &pages);
    ck_assert_uint_eq(json_array_size(all), 6);
    ck_assert_int_eq(pages, 3);
    ck_assert_str_eq(json_string_value(json_array_get(all, 0)), "2141010381");
    ck_assert_str_eq(json_string_value(json_array_get(all, 5)), "3141010382");
    json_decref(all);

    /* q: a parameterised name substring, % and _ taken literally */
    json_t *l = list_all(erqi, "region=410103&q=%E5%88%86%E9%A1%B5%E6%B5%8B%E8%AF%95", 50, NULL);
    ck_assert_uint_eq(json_array_size(l), 5); /* 分页测试 */
    json_decref(l);
    l = list_all(erqi, "q=%25", 50, NULL); /* % */
    ck_assert_uint_eq(json_array_size(l), 1);
    ck_assert(has_code(l, "3141010382"));
    json_decref(l);
    l = list_all(erqi, "q=_", 50, NULL);
    ck_assert_uint_eq(json_array_size(l), 1);
    json_decref(l);
    l = list_all(erqi, "q=%5C", 50, NULL); /* a backslash */
    ck_assert_uint_eq(json_array_size(l), 1);
    json_decref(l);
    l = list_all(erqi, "q=%E7%94%B2", 50, NULL); /* 甲 */
    ck_assert_uint_eq(json_array_size(l), 1);
    ck_assert(has_code(l, "2141010381"));
    json_decref(l);

    /* region: the city sees its counties; the result is what is located there */
    l = list_all(city, "region=410103", 50, NULL);
    ck_assert_uint_eq(json_array_size(l), 6);
    json_decref(l);
    l = list_all(min, "region=410100", 500, NULL);
    ck_assert(has_code(l, "2141010381"));
    json_decref(l);

    ht_resp r;
    /* a region the caller does not see, or none at all: 404 */
    call("GET", "/api/v1/schools?region=410103", cty, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools?region=419999", min, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    /* malformed parameters: 400 */
    call("GET", "/api/v1/schools?region=4101", min, NULL, NULL, &r);
    ht_assert_problem(&r, 400, "invalid_parameter");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools?cursor=21410103", min, NULL, NULL, &r);
    ht_assert_problem(&r, 400, "invalid_cursor");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools?limit=0", min, NULL, NULL, &r);
    ht_assert_problem(&r, 400, "invalid_parameter");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools?limit=501", min, NULL, NULL, &r);
    ht_assert_problem(&r, 400, "invalid_parameter");
    ht_resp_free(&r);
    free(min);
    free(erqi);
    free(cty);
    free(city);
}
END_TEST

START_TEST(test_patch)
{
    seed_scoping();
    char *min = as("t_ministry"), *cty = as("t_zhongyuan"), *city = as("t_zhengzhou"),
         *jinshui = as("t_jinshui");
    ensure_school(cty, "{\"code\":\"2141010285\",\"name\":\"待改名小学\",\"county\":\"410102\"}");
    ensure_user_full("t_school285", "school", "2141010285", "registrar", 0, 0);
    char *school = login("t_school285");
    const char *path = "/api/v1/schools/2141010285";
    ht_resp r;

    /* If-Match: required, and it must be current */
    call("PATCH", path, cty, "{\"name\":\"新名小学\"}", NULL, &r);
    ht_assert_problem(&r, 428, "precondition_required");
    ht_resp_free(&r);
    call("PATCH", path, cty, "{\"name\":\"新名小学\"}", "\"7\"", &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    call("PATCH", path, cty, "{\"name\":\"新名小学\"}", "*", &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    call("PATCH", path, cty, "{\"name\":\"新名小学\",\"closed\":false}", "\"1\"", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "name"), "新名小学");
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"2\"");
    ht_resp_free(&r);
    /* the same If-Match again is stale now */
    call("PATCH", path, cty, "{\"name\":\"又一个名字\"}", "\"1\"", &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    ck_assert_int_eq(scalar("SELECT count(*) FROM audit WHERE action = 'school_update'"
                            " AND target_id = '2141010285'"
                            " AND detail->'changes'->'name'->>'to' = '新名小学'"
                            " AND NOT detail->'changes' ? 'closed'"),
                     1);

    /* who: the school itself may not, a county that does not see it gets 404 */
    call("PATCH", path, school, "{\"name\":\"学校自改\"}", "\"2\"", &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    call("PATCH", path, jinshui, "{\"name\":\"邻区改名\"}", "\"2\"", &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);

    /* fields: read-only and unknown ones, bad values, all at once */
    call("PATCH", path, cty,
         "{\"code\":\"2141010286\",\"county\":\"410105\",\"nope\":1,\"system\":\"99\","
         "\"closed\":\"yes\",\"name\":\"\"}",
         "\"2\"", &r);
    ht_assert_problem(&r, 422, "validation_failed");
    ck_assert(has_error(&r, "/code", "field_not_editable"));
    ck_assert(has_error(&r, "/county", "field_not_editable"));
    ck_assert(has_error(&r, "/nope", "unknown_field"));
    ck_assert(has_error(&r, "/system", "invalid_school_system"));
    ck_assert(has_error(&r, "/closed", "wrong_type"));
    ck_assert(has_error(&r, "/name", "invalid_name"));
    ht_resp_free(&r);

    /* authority: must contain the county, and the caller must see the new one */
    call("PATCH", path, cty, "{\"authority\":\"410105\"}", "\"2\"", &r);
    ht_assert_problem(&r, 422, "invalid_authority");
    ht_resp_free(&r);
    call("PATCH", path, cty, "{\"authority\":\"410100\"}", "\"2\"", &r);
    ht_assert_problem(&r, 403, "authority_out_of_jurisdiction");
    ht_resp_free(&r);
    call("PATCH", path, city, "{\"authority\":\"410100\"}", "\"2\"", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "authority"), "410100");
    ck_assert_str_eq(ht_header(&r, "etag"), "\"3\"");
    ht_resp_free(&r);
    /* now the city's: the county no longer sees it */
    call("GET", path, cty, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    /* a change to nothing: no new version */
    call("PATCH", path, min, "{\"authority\":\"410100\"}", "\"3\"", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"3\"");
    ht_resp_free(&r);
    /* the ministry hands it back; then the county closes it */
    call("PATCH", path, min, "{\"authority\":\"410102\"}", "\"3\"", &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    call("PATCH", path, cty, "{\"closed\":true}", "W/\"4\"", &r); /* weak: never */
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    call("PATCH", path, cty, "{\"closed\":true}", "\"4\", \"9\"", &r); /* a list: the first */
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_true(json_object_get(r.json, "closed")));
    ht_resp_free(&r);
    ck_assert_int_eq(scalar("SELECT count(*) FROM audit WHERE action = 'school_update'"
                            " AND target_id = '2141010285'"),
                     4);
    free(min);
    free(cty);
    free(city);
    free(jinshui);
    free(school);
}
END_TEST

static Suite *
schools_suite(void)
{
    Suite *s = suite_create("http-schools");
    int t = ht_timeout(120);

    TCase *tc = tcase_create("schools");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_create_at_every_level);
    tcase_add_test(tc, test_create_validation);
    tcase_add_test(tc, test_list_scoping);
    tcase_add_test(tc, test_list_filters_and_pages);
    tcase_add_test(tc, test_patch);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    ht_global_init();
    SRunner *sr = srunner_create(schools_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}
