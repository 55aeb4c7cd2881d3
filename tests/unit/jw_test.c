/*
 * tests/unit/jw_test.c - the JSON text writer of base/jw.h: structure,
 * escaping per RFC 8259, and values that other writers embed.
 */
#include "base/arena.h"
#include "base/jw.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_object_and_array)
{
    app_arena *a = app_arena_new();
    jw w;
    jw_init(&w, a);
    jw_obj(&w);
    jw_str(&w, "name", "张三");
    jw_int(&w, "grade", -13);
    jw_bool(&w, "ok", 1);
    jw_null(&w, "none");
    jw_str(&w, "missing", NULL);
    jw_key(&w, "list");
    jw_arr(&w);
    jw_value(&w, "a");
    jw_value(&w, NULL);
    jw_elem(&w);
    jw_raw(&w, "1", 1);
    jw_arr_end(&w);
    jw_json(&w, "raw", "{\"k\":[]}");
    jw_end(&w);
    size_t n;
    const char *t = jw_text(&w, &n);
    ck_assert_uint_eq(n, strlen(t));
    ck_assert_str_eq(t, "{\"name\":\"张三\",\"grade\":-13,\"ok\":true,\"none\":null,"
                        "\"missing\":null,\"list\":[\"a\",null,1],\"raw\":{\"k\":[]}}");
    app_arena_free(a);
}
END_TEST

/* Every byte below 0x20, quotes and backslashes come back from a real
   parser as they went in. */
START_TEST(test_escapes_round_trip)
{
    app_arena *a = app_arena_new();
    char in[64];
    int k = 0;
    for (int c = 1; c < 0x20; c++)
        in[k++] = (char)c;
    in[k++] = '"';
    in[k++] = '\\';
    in[k++] = '/';
    in[k] = '\0';
    const char *q = jw_quote(a, in);
    json_error_t e;
    json_t *v = json_loads(q, JSON_DECODE_ANY, &e);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(json_string_value(v), in);
    json_decref(v);
    ck_assert_str_eq(jw_quote(a, NULL), "null");
    ck_assert_str_eq(jw_quote(a, ""), "\"\"");
    app_arena_free(a);
}
END_TEST

/* A value far larger than the first buffer (4 KiB) grows it. */
START_TEST(test_large_value)
{
    app_arena *a = app_arena_new();
    size_t big = 1 << 20;
    char *s = malloc(big + 1);
    memset(s, 'x', big);
    s[big] = '\0';
    s[big / 2] = '\n';
    jw w;
    jw_init(&w, a);
    jw_obj(&w);
    jw_str(&w, "v", s);
    jw_end(&w);
    size_t n;
    const char *t = jw_text(&w, &n);
    ck_assert_uint_eq(n, big + 1 + 8); /* {"v":""} around it, \n as two bytes */
    json_error_t e;
    json_t *v = json_loads(t, 0, &e);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(json_string_value(json_object_get(v, "v")), s);
    json_decref(v);
    free(s);
    app_arena_free(a);
}
END_TEST

static Suite *
jw_suite(void)
{
    Suite *s = suite_create("jw");
    TCase *tc = tcase_create("writer");
    tcase_add_test(tc, test_object_and_array);
    tcase_add_test(tc, test_escapes_round_trip);
    tcase_add_test(tc, test_large_value);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(jw_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
