/*
 * tests/unit/student_json_test.c - a student body into a record
 * (api_record_from_json, api/h_students.c): numbers where the record keeps
 * text, and what the record's own check then says of them.
 */
#include "api/handlers.h"
#include "core/record.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static api_call *
call_with(const char *body)
{
    api_call *c = calloc(1, sizeof(*c));
    c->arena = app_arena_new();
    c->json = json_loads(body, 0, NULL);
    ck_assert_ptr_nonnull(c->json);
    return c;
}

static void
call_free(api_call *c)
{
    json_decref(c->json);
    app_arena_free(c->arena);
    free(c);
}

/* distance_km as the record takes it; *out_code the record check's code for it, or "" */
static const char *
distance(api_call *c, const char **out_code)
{
    core_record r;
    unsigned char present[CORE_NFIELDS];
    app_err e = {0};
    ck_assert_int_eq(api_record_from_json(c, &r, present, &e), 0);
    core_codes *codes = core_codes_new();
    core_codes_add(codes, "gender", "1", "男");
    core_codes_seal(codes);
    core_record_rules rules = {codes, 20261207, NULL, 0};
    app_err ve = {0};
    core_record_validate(&r, &rules, c->arena, NULL, &ve);
    core_codes_free(codes);
    *out_code = ""; /* items about other fields (no guardian) do not matter here */
    for (int i = 0; i < ve.nitems; i++)
        if (strcmp(ve.items[i].field, "/distance_km") == 0)
            *out_code = ve.items[i].code;
    return r.v[CORE_R_DISTANCE];
}

START_TEST(test_distance_one_decimal)
{
    api_call *c = call_with("{\"distance_km\": 2.5}");
    const char *code;
    ck_assert_str_eq(distance(c, &code), "2.5");
    ck_assert_str_eq(code, "");
    call_free(c);
}
END_TEST

/* a real far beyond long long (found by record_fuzz): refused, not rounded
   through an out-of-range conversion (undefined behaviour; UBSan aborts) */
START_TEST(test_distance_huge_refused)
{
    static const char *const bodies[] = {"{\"distance_km\": 1e60}", "{\"distance_km\": -1e60}",
                                         "{\"distance_km\": 9.3e18}"};
    for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
        api_call *c = call_with(bodies[i]);
        const char *code;
        ck_assert_ptr_nonnull(distance(c, &code));
        ck_assert_str_eq(code, "invalid_distance");
        call_free(c);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("student_json");
    TCase *tc = tcase_create("distance");
    tcase_add_test(tc, test_distance_one_decimal);
    tcase_add_test(tc, test_distance_huge_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
