/*
 * tests/http/catalog_test.c - a university's catalog, teaching plans and
 * sections over HTTP (issue 17, core/uni_catalog.h): who writes and reads,
 * the checks of every field, If-Match, paging, capacity never below the
 * seats taken, and the audit rows. The world: tests/http/catalog_world.h.
 */
#include "tests/http/catalog_world.h"

/* The problem's first item at `field` has code `code`. */
static void
assert_item(const ht_resp *r, const char *field, const char *code)
{
    json_t *items = json_object_get(r->json, "errors");
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (strcmp(ht_json_str(it, "field"), field) == 0) {
            ck_assert_msg(strcmp(ht_json_str(it, "code"), code) == 0, "%s: %s", field, r->body);
            return;
        }
    }
    ck_abort_msg("no item at %s: %s", field, r->body);
}

static long long
audit_count(const char *action)
{
    return atoll(cval(cfmt("SELECT count(*) FROM audit WHERE action = '%s'", action)));
}

START_TEST(test_courses)
{
    long long audits = audit_count("uni_course_create");
    ht_resp r;
    ccall("POST", CU "/courses", tok_sec, NULL,
          "{\"code\":\"CS101\",\"name\":\"程序设计基础\",\"kind\":\"compulsory\",\"credits\":3.5,"
          "\"hours\":56,\"college\":\"CT01\"}",
          &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "code"), "CS101");
    ck_assert_str_eq(ht_json_str(r.json, "kind_label"), "必修");
    ck_assert_str_eq(ht_json_str(r.json, "college"), "CT01");
    ck_assert(json_real_value(json_object_get(r.json, "credits")) == 3.5);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    ht_resp_free(&r);
    ck_assert_int_eq(audit_count("uni_course_create"), audits + 1);
    cexpect("POST", CU "/courses", tok_sec,
            "{\"code\":\"CS101\",\"name\":\"重复\",\"kind\":\"elective\",\"credits\":2,"
            "\"hours\":32,\"college\":\"CT01\"}",
            409, "course_exists");
    /* every bad field is named, and nothing is stored */
    ccall("POST", CU "/courses", tok_sec, NULL,
          "{\"code\":\"CS-1\",\"name\":\"\",\"kind\":\"major\",\"credits\":0.25,\"hours\":0,"
          "\"college\":\"XX\"}",
          &r);
    ht_assert_problem(&r, 422, "validation_failed");
    assert_item(&r, "/code", "invalid_course_code");
    assert_item(&r, "/name", "invalid_name");
    assert_item(&r, "/kind", "invalid_course_kind");
    assert_item(&r, "/credits", "invalid_credits");
    assert_item(&r, "/hours", "invalid_hours");
    assert_item(&r, "/college", "college_not_found");
    ht_resp_free(&r);
    cexpect("POST", CU "/courses", tok_sec, "{\"code\":\"CS102\"}", 422, "validation_failed");
    ck_assert_str_eq(cval("SELECT count(*) FROM uni_course WHERE school = '" CW_UNI
                          "' AND code IN ('CS-1', 'CS102')"),
                     "0");
    /* more courses, then the list: filters and a cursor */
    cexpect("POST", CU "/courses", tok_sec,
            "{\"code\":\"CS201\",\"name\":\"人工智能导论\",\"kind\":\"elective\",\"credits\":2,"
            "\"hours\":32,\"college\":\"CT01\"}",
            201, NULL);
    cexpect("POST", CU "/courses", tok_sec,
            "{\"code\":\"PE101\",\"name\":\"篮球\",\"kind\":\"pe\",\"credits\":1,"
            "\"hours\":32,\"college\":\"CT09\"}",
            201, NULL);
    ccall("GET", CU "/courses?college=CT01&limit=1", tok_stu, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    char cursor[32];
    snprintf(cursor, sizeof(cursor), "%s", ht_json_str(r.json, "next_cursor"));
    ck_assert(cursor[0] != '\0');
    ht_resp_free(&r);
    ccall("GET", cfmt(CU "/courses?college=CT01&limit=5&cursor=%s", cursor), tok_office, NULL, NULL,
          &r);
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_ge(json_array_size(items), 1);
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    for (size_t i = 0; i < json_array_size(items); i++)
        ck_assert_str_eq(ht_json_str(json_array_get(items, i), "college"), "CT01");
    ht_resp_free(&r);
    ccall("GET", CU "/courses?kind=pe", tok_sec, NULL, NULL, &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ht_resp_free(&r);
    cexpect("GET", CU "/courses?kind=major", tok_sec, NULL, 400, "invalid_parameter");
    cexpect("GET", CU "/courses/CS101", tok_stu, NULL, 200, NULL);
    cexpect("GET", CU "/courses/NOPE1", tok_sec, NULL, 404, "course_not_found");
    /* who writes: the registrar section and the bureaus, not other staff or students */
    cexpect("POST", CU "/courses", tok_office,
            "{\"code\":\"CS301\",\"name\":\"编译原理\",\"kind\":\"compulsory\",\"credits\":3,"
            "\"hours\":48,\"college\":\"CT01\"}",
            403, "forbidden");
    cexpect("POST", CU "/courses", tok_stu, "{\"code\":\"CS301\"}", 403, "forbidden");
    cexpect("POST", CU "/courses", tok_prov,
            "{\"code\":\"CS301\",\"name\":\"编译原理\",\"kind\":\"compulsory\",\"credits\":3,"
            "\"hours\":48,\"college\":\"CT01\"}",
            201, NULL);
    /* a K-12 school has no catalog */
    cexpect("GET", "/api/v1/schools/" CW_K12 "/courses", tok_prov, NULL, 404, "not_a_university");
}
END_TEST

START_TEST(test_course_patch)
{
    cexpect("POST", CU "/courses", tok_sec,
            "{\"code\":\"MA101\",\"name\":\"高等数学\",\"kind\":\"compulsory\",\"credits\":5,"
            "\"hours\":80,\"college\":\"CT01\"}",
            201, NULL);
    ht_resp r;
    ccall("PATCH", CU "/courses/MA101", tok_sec, NULL, "{\"hours\":96}", &r);
    ht_assert_problem(&r, 428, "precondition_required");
    ht_resp_free(&r);
    ccall("PATCH", CU "/courses/MA101", tok_sec, "\"7\"", "{\"hours\":96}", &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    ccall("PATCH", CU "/courses/MA101", tok_sec, "\"1\"", "{\"code\":\"X\",\"colour\":1}", &r);
    ht_assert_problem(&r, 422, "unknown_field");
    ht_resp_free(&r);
    ccall("PATCH", CU "/courses/MA101", tok_sec, "\"1\"", "{\"hours\":2000}", &r);
    ht_assert_problem(&r, 422, "invalid_hours");
    ht_resp_free(&r);
    long long audits = audit_count("uni_course_update");
    ccall("PATCH", CU "/courses/MA101", tok_sec, "\"1\"",
          "{\"hours\":96,\"credits\":6,\"kind\":\"public_elective\"}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "hours")), 96);
    ck_assert_str_eq(ht_json_str(r.json, "kind"), "public_elective");
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"2\"");
    ht_resp_free(&r);
    ck_assert_int_eq(audit_count("uni_course_update"), audits + 1);
    /* the old version is stale now */
    ccall("PATCH", CU "/courses/MA101", tok_sec, "\"1\"", "{\"hours\":64}", &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    ck_assert_str_eq(
        cval("SELECT hours FROM uni_course WHERE school = '" CW_UNI "' AND code = 'MA101'"), "96");
    ccall("PATCH", CU "/courses/MA101", tok_office, "\"2\"", "{\"hours\":64}", &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_plans)
{
    for (int i = 1; i <= 3; i++)
        cexpect("POST", CU "/courses", tok_sec,
                cfmt("{\"code\":\"PL%d\",\"name\":\"方案课程%d\",\"kind\":\"compulsory\","
                     "\"credits\":2,\"hours\":32,\"college\":\"CT01\"}",
                     i, i),
                201, NULL);
    ht_resp r;
    ccall("GET", CU "/plans/CT0102/2026", tok_stu, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 0);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "entries")), 0);
    ht_resp_free(&r);
    const char *good = "{\"entries\":[{\"course\":\"PL1\",\"term_no\":1},"
                       "{\"course\":\"PL2\",\"term_no\":2},{\"course\":\"PL3\",\"term_no\":2}]}";
    ccall("PUT", CU "/plans/CT0102/2026", tok_sec, NULL, good, &r);
    ht_assert_problem(&r, 428, "precondition_required");
    ht_resp_free(&r);
    ccall("PUT", CU "/plans/CT0102/2026", tok_office, "\"0\"", good, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    long long audits = audit_count("uni_plan_put");
    ccall("PUT", CU "/plans/CT0102/2026", tok_sec, "\"0\"", good, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 1);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "entries")), 3);
    ck_assert(json_real_value(json_object_get(r.json, "total_credits")) == 6.0);
    ht_resp_free(&r);
    ck_assert_int_eq(audit_count("uni_plan_put"), audits + 1);
    /* each bad entry has its pointer; nothing changes */
    ccall("PUT", CU "/plans/CT0102/2026", tok_sec, "\"1\"",
          "{\"entries\":[{\"course\":\"PL1\",\"term_no\":1},{\"course\":\"NOPE\",\"term_no\":2},"
          "{\"course\":\"PL2\",\"term_no\":17},{\"course\":\"PL1\",\"term_no\":3}]}",
          &r);
    ht_assert_problem(&r, 422, "validation_failed");
    assert_item(&r, "/entries/1/course", "unknown_course");
    assert_item(&r, "/entries/2/term_no", "invalid_term_no");
    assert_item(&r, "/entries/3/course", "plan_duplicate_course");
    ht_resp_free(&r);
    ccall("PUT", CU "/plans/CT0102/2026", tok_sec, "\"1\"", "{\"entries\":[{\"term_no\":3}]}", &r);
    ht_assert_problem(&r, 422, "missing_field");
    ht_resp_free(&r);
    ck_assert_str_eq(cval("SELECT count(*) FROM uni_plan_course p JOIN uni_major m ON m.id ="
                          " p.major WHERE m.code = 'CT0102' AND p.cohort = 2026"),
                     "3");
    /* at most 500 entries */
    char *big = malloc(600 * 40 + 64);
    size_t n = (size_t)sprintf(big, "{\"entries\":[");
    for (int i = 0; i < 501; i++)
        n += (size_t)sprintf(big + n, "%s{\"course\":\"PL1\",\"term_no\":1}", i ? "," : "");
    sprintf(big + n, "]}");
    ccall("PUT", CU "/plans/CT0102/2026", tok_sec, "\"1\"", big, &r);
    ht_assert_problem(&r, 422, "too_many_items");
    ht_resp_free(&r);
    free(big);
    /* replacing: an empty plan, version 2 */
    ccall("PUT", CU "/plans/CT0102/2026", tok_sec, "\"1\"", "{\"entries\":[]}", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"2\"");
    ht_resp_free(&r);
    cexpect("GET", CU "/plans/NOPE/2026", tok_sec, NULL, 404, "not_found");
    cexpect("GET", CU "/plans/CT0102/1850", tok_sec, NULL, 422, "invalid_cohort");
    cexpect("GET", CU "/plans/CT0102/0000", tok_sec, NULL, 422, "invalid_cohort");
    cexpect("GET", CU "/plans/CT0102/20x6", tok_sec, NULL, 404, "not_found");
}
END_TEST

START_TEST(test_sections)
{
    cexpect("POST", CU "/courses", tok_sec,
            "{\"code\":\"SE201\",\"name\":\"软件工程导论\",\"kind\":\"elective\",\"credits\":2,"
            "\"hours\":32,\"college\":\"CT01\"}",
            201, NULL);
    long long audits = audit_count("uni_section_create");
    ht_resp r;
    ccall("POST", CU "/sections", tok_sec, NULL,
          "{\"course\":\"SE201\",\"term\":\"2026-2\",\"number\":1,\"teacher\":\"cat_teacher1\","
          "\"capacity\":30,\"cohort\":2025,\"majors\":[\"CT0101\",\"CT0102\"]}",
          &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    ck_assert_str_eq(ht_json_str(r.json, "teacher"), "cat_teacher1");
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "taken")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "free")), 30);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "majors"), 1)),
                     "CT0102");
    ht_resp_free(&r);
    ck_assert_int_eq(audit_count("uni_section_create"), audits + 1);
    cexpect("POST", CU "/sections", tok_sec,
            "{\"course\":\"SE201\",\"term\":\"2026-2\",\"number\":1,\"capacity\":20}", 409,
            "section_exists");
    /* a teacher must be a course teacher of the university */
    ccall("POST", CU "/sections", tok_sec, NULL,
          "{\"course\":\"NOPE\",\"term\":\"2026-3\",\"number\":0,\"teacher\":\"cat_office\","
          "\"capacity\":0,\"cohort\":1800,\"majors\":[\"CT0101\",\"ZZ\"]}",
          &r);
    ht_assert_problem(&r, 422, "validation_failed");
    assert_item(&r, "/course", "unknown_course");
    assert_item(&r, "/term", "invalid_term");
    ht_resp_free(&r);
    ccall("POST", CU "/sections", tok_sec, NULL,
          "{\"course\":\"SE201\",\"term\":\"2026-2\",\"number\":2,\"teacher\":\"cat_k12_head\","
          "\"capacity\":0,\"cohort\":1800,\"majors\":[\"CT0101\",\"ZZ\"]}",
          &r);
    ht_assert_problem(&r, 422, "validation_failed");
    assert_item(&r, "/teacher", "teacher_not_found");
    assert_item(&r, "/capacity", "invalid_capacity");
    assert_item(&r, "/cohort", "invalid_cohort");
    assert_item(&r, "/majors/1", "major_not_found");
    ht_resp_free(&r);
    cexpect("POST", CU "/sections", tok_sec,
            "{\"course\":\"SE201\",\"term\":\"2026-2\",\"number\":2,\"teacher\":null,"
            "\"capacity\":10}",
            201, NULL);
    cexpect("POST", CU "/sections", tok_stu,
            "{\"course\":\"SE201\",\"term\":\"2026-2\",\"number\":3,\"capacity\":10}", 403,
            "forbidden");
    /* reading: list by term and course, one by id */
    ccall("GET", CU "/sections?term=2026-2&course=SE201", tok_stu, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 2);
    ht_resp_free(&r);
    ccall("GET", CU "/sections?term=2026-1&course=SE201", tok_office, NULL, NULL, &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    ht_resp_free(&r);
    cexpect("GET", cfmt(CU "/sections/%lld", id), tok_stu, NULL, 200, NULL);
    cexpect("GET", CU "/sections/999999999", tok_sec, NULL, 404, "section_not_found");
    cexpect("GET", CU "/sections/0", tok_sec, NULL, 404, "section_not_found");
    cexpect("PATCH", CU "/sections/0", tok_sec, "{}", 404, "section_not_found");
    /* capacity never below the seats taken */
    cval(cfmt("UPDATE uni_section SET taken = 25 WHERE id = %lld RETURNING id", id));
    ccall("PATCH", cfmt(CU "/sections/%lld", id), tok_sec, "\"1\"", "{\"capacity\":24}", &r);
    ht_assert_problem(&r, 409, "capacity_below_taken");
    ht_resp_free(&r);
    ck_assert_str_eq(cval(cfmt("SELECT capacity || '/' || version FROM uni_section WHERE id = "
                               "%lld",
                               id)),
                     "30/1");
    ccall("PATCH", cfmt(CU "/sections/%lld", id), tok_sec, "\"1\"",
          "{\"capacity\":25,\"teacher\":\"cat_teacher2\",\"majors\":null,\"cohort\":null}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "free")), 0);
    ck_assert_str_eq(ht_json_str(r.json, "teacher"), "cat_teacher2");
    ck_assert(json_is_null(json_object_get(r.json, "majors")));
    ck_assert(json_is_null(json_object_get(r.json, "cohort")));
    ht_resp_free(&r);
    ck_assert_int_ge(audit_count("uni_section_update"), 1);
    ccall("PATCH", cfmt(CU "/sections/%lld", id), tok_office, "\"2\"", "{\"capacity\":40}", &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    cexpect("GET", "/api/v1/schools/" CW_K12 "/sections", tok_prov, NULL, 404, "not_a_university");
}
END_TEST

START_TEST(test_shared_servers_exited_cleanly)
{
    ht_assert_shared_exits();
}
END_TEST

int
main(void)
{
    ht_global_init();
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("catalog");
    tcase_add_unchecked_fixture(tc, ht_shared_start, NULL);
    tcase_add_checked_fixture(tc, cw_build, NULL);
    tcase_set_timeout(tc, ht_timeout(60));
    tcase_add_test(tc, test_courses);
    tcase_add_test(tc, test_course_patch);
    tcase_add_test(tc, test_plans);
    tcase_add_test(tc, test_sections);
    suite_add_tcase(s, tc);
    tc = tcase_create("clean-exit");
    tcase_add_unchecked_fixture(tc, ht_shared_stop, NULL);
    tcase_add_test(tc, test_shared_servers_exited_cleanly);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}
