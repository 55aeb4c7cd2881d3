/*
 * tests/unit/schoolcode_test.c - school identifiers (学校标识码).
 */
#include "base/err.h"
#include "core/schoolcode.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    int category;
    const char *label;
} categories[] = {
    {11, "幼儿园"},       {21, "小学"},     {22, "成人小学"},     {31, "初级中学"},
    {32, "职业初中"},     {33, "成人初中"}, {34, "高级中学"},     {35, "成人高中"},
    {36, "中等职业学校"}, {37, "工读学校"}, {41, "普通高等学校"}, {42, "成人高等学校"},
    {51, "特殊教育学校"}, {91, "其他"},     {92, "其他"},         {93, "其他"},
};

static int
is_category(int c)
{
    for (size_t i = 0; i < NELEM(categories); i++)
        if (categories[i].category == c)
            return 1;
    return 0;
}

/* "AA" + rest: the category as two digits, then eight more characters. */
static void
make_code(char in[11], int category, const char *rest8)
{
    in[0] = (char)('0' + category / 10);
    in[1] = (char)('0' + category % 10);
    memcpy(in + 2, rest8, 8);
    in[10] = '\0';
}

/* ---- labels ------------------------------------------------------------- */

START_TEST(test_label)
{
    const char *l = core_school_category_label(categories[_i].category);

    ck_assert_ptr_nonnull(l);
    ck_assert_str_eq(l, categories[_i].label);
}
END_TEST

/* Every value -1..100 that is not listed has no label. */
START_TEST(test_label_unknown)
{
    for (int c = -1; c <= 100; c++)
        if (!is_category(c))
            ck_assert_msg(core_school_category_label(c) == NULL, "category %d", c);
}
END_TEST

/* ---- parse: every category ---------------------------------------------- */

START_TEST(test_every_category_valid)
{
    char in[11];
    core_school_code sc;
    app_err err = {0};

    make_code(in, categories[_i].category, "44000123");
    memset(&sc, 0x5a, sizeof(sc));
    ck_assert_int_eq(core_school_code_parse(in, 10, &sc, &err), 0);
    ck_assert_int_eq(err.code, APP_OK);
    ck_assert_str_eq(sc.code, in);
    ck_assert_int_eq(sc.category, categories[_i].category);
    ck_assert_int_eq(sc.province, 44);
}
END_TEST

/* Every two-digit prefix 00..99: accepted exactly when it is a category. */
START_TEST(test_every_prefix)
{
    char in[11];
    core_school_code sc;

    for (int c = 0; c <= 99; c++) {
        app_err err = {0};
        make_code(in, c, "11000001");
        int rc = core_school_code_parse(in, 10, &sc, &err);
        if (is_category(c)) {
            ck_assert_msg(rc == 0, "%s rejected", in);
        } else {
            ck_assert_msg(rc == APP_EINVAL, "%s accepted", in);
            ck_assert_str_eq(err.param, "category");
        }
    }
}
END_TEST

/* ---- parse: table ------------------------------------------------------- */

static const struct {
    const char *in;
    size_t len;         /* 0: strlen(in) */
    const char *reason; /* NULL: valid */
    int category, province;
} rows[] = {
    {"2111000001", 0, NULL, 21, 11},
    {"3465999999", 0, NULL, 34, 65},
    {"5150000000", 0, NULL, 51, 50},
    {"2171000001", 0, NULL, 21, 71},
    {"2181000001", 0, NULL, 21, 81},
    {"2182000001", 0, NULL, 21, 82},
    {"21110000019", 10, NULL, 21, 11}, /* reads only len bytes */
    {"", 0, "length", 0, 0},
    {"211100000", 0, "length", 0, 0},
    {"21110000011", 0, "length", 0, 0},
    {" 2111000001", 0, "length", 0, 0},
    {"21110000a1", 0, "chars", 0, 0},
    {"2111-00001", 0, "chars", 0, 0},
    {" 211000001", 0, "chars", 0, 0},
    {"211100000\xef", 0, "chars", 0, 0},
    {"2111\000000001", 10, "chars", 0, 0},
    {"ab11000001", 0, "chars", 0, 0},
    {"1011000001", 0, "category", 0, 0},
    {"0011000001", 0, "category", 0, 0},
    {"9411000001", 0, "category", 0, 0},
    {"1099000001", 0, "category", 0, 0}, /* bad category and province: category first */
    {"2100000001", 0, "province", 0, 0},
    {"2116000001", 0, "province", 0, 0},
    {"2120000001", 0, "province", 0, 0},
    {"2166000001", 0, "province", 0, 0},
    {"2183000001", 0, "province", 0, 0},
    {"2199000001", 0, "province", 0, 0},
};

START_TEST(test_parse)
{
    app_err err = {0};
    core_school_code sc, before;
    const char *in = rows[_i].in;
    size_t len = rows[_i].len ? rows[_i].len : strlen(in);
    int rc;

    memset(&sc, 0x5a, sizeof(sc));
    before = sc;
    rc = core_school_code_parse(in, len, &sc, &err);
    if (rows[_i].reason == NULL) {
        ck_assert_int_eq(rc, 0);
        ck_assert_int_eq((int)strlen(sc.code), 10);
        ck_assert_int_eq(memcmp(sc.code, in, 10), 0);
        ck_assert_int_eq(sc.category, rows[_i].category);
        ck_assert_int_eq(sc.province, rows[_i].province);
    } else {
        ck_assert_int_eq(rc, APP_EINVAL);
        ck_assert_int_eq(err.code, APP_EINVAL);
        ck_assert_str_eq(err.slug, "invalid_school_code");
        ck_assert_str_eq(err.param, rows[_i].reason);
        ck_assert_msg(memcmp(&sc, &before, sizeof(sc)) == 0, "out written on error");
        ck_assert_int_eq(core_school_code_parse(in, len, &sc, NULL), APP_EINVAL);
    }
}
END_TEST

START_TEST(test_parse_null_empty)
{
    app_err err = {0};
    core_school_code sc;

    ck_assert_int_eq(core_school_code_parse(NULL, 0, &sc, &err), APP_EINVAL);
    ck_assert_str_eq(err.param, "length");
}
END_TEST

static Suite *
schoolcode_suite(void)
{
    Suite *s = suite_create("schoolcode");
    TCase *tc;

    tc = tcase_create("labels");
    tcase_add_loop_test(tc, test_label, 0, NELEM(categories));
    tcase_add_test(tc, test_label_unknown);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_every_category_valid, 0, NELEM(categories));
    tcase_add_test(tc, test_every_prefix);
    tcase_add_loop_test(tc, test_parse, 0, NELEM(rows));
    tcase_add_test(tc, test_parse_null_empty);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(schoolcode_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
