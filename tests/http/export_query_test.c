/*
 * tests/http/export_query_test.c - the query of GET /students/export
 * checked before anything is read: each bad parameter answered with its
 * code and /query/ field, and with several bad, the first in the order
 * format, school, grade, class, status, name, left_behind, migrant_child,
 * reveal. The world: tests/lib/wfworld.h.
 */
#include "tests/lib/wfworld.h"

#include <string.h>

#define X60 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

START_TEST(test_export_query_first_bad_parameter)
{
    static const struct {
        int who;
        const char *query;
        long status;
        const char *code, *field;
    } cases[] = {
        {REG_A, "format=pdf&school=1", 400, "invalid_parameter", "/query/format"},
        {REG_A, "school=1&grade=x", 400, "invalid_parameter", "/query/school"},
        {FURONG, "grade=x", 400, "school_required", "/query/school"},
        {FURONG, "format=pdf", 400, "invalid_parameter", "/query/format"},
        {REG_A, "grade=123&class=x", 400, "invalid_parameter", "/query/grade"},
        {REG_A, "class=x&status=nope", 400, "invalid_parameter", "/query/class"},
        {REG_A, "status=nope&name=" X60, 400, "invalid_parameter", "/query/status"},
        {REG_A, "state=nope&name=" X60, 400, "invalid_parameter", "/query/status"},
        {REG_A, "name=" X60 "&left_behind=9", 400, "invalid_parameter", "/query/name"},
        {REG_A, "left_behind=9&migrant_child=9", 400, "invalid_parameter", "/query/left_behind"},
        {REG_A, "migrant_child=9&reveal=phone", 400, "invalid_parameter", "/query/migrant_child"},
        {REG_A, "reveal=phone", 400, "invalid_parameter", "/query/reveal"},
        {GRADE_A, "reveal=phone", 400, "invalid_parameter", "/query/reveal"},
        {GRADE_A, "reveal=id_number", 403, "forbidden", "/query/reveal"},
    };
    /* other suites on this database export too: count from here */
    long long exports = atoll(scalar("SELECT count(*) FROM audit WHERE action = 'student.export'"));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[256];
        snprintf(path, sizeof(path), "/api/v1/students/export?%s", cases[i].query);
        ht_resp r;
        call("GET", path, cases[i].who, NULL, &r);
        ck_assert_msg(r.status == cases[i].status, "%s -> %ld %s", path, r.status, r.body);
        ht_assert_problem(&r, cases[i].status, cases[i].code);
        json_t *e0 = json_array_get(json_object_get(r.json, "errors"), 0);
        ck_assert_msg(e0 != NULL && strcmp(ht_json_str(e0, "field"), cases[i].field) == 0, "%s: %s",
                      path, r.body);
        ht_resp_free(&r);
    }
    /* nothing was exported */
    ck_assert_int_eq(atoll(scalar("SELECT count(*) FROM audit WHERE action = 'student.export'")),
                     exports);
}
END_TEST

static Suite *
export_query_suite(void)
{
    Suite *s = suite_create("http-export-query");
    TCase *tc = wf_tcase("export_query", 60);
    tcase_add_test(tc, test_export_query_first_bad_parameter);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(export_query_suite(), close_db);
}
