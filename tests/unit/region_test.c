/*
 * tests/unit/region_test.c - GB/T 2260 code shapes and level names.
 */
#include "base/err.h"
#include "core/region.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- level names -------------------------------------------------------- */

static const struct {
    core_level level;
    const char *name;
} level_rows[] = {
    {CORE_LEVEL_SCHOOL, "school"},     {CORE_LEVEL_COUNTY, "county"},     {CORE_LEVEL_CITY, "city"},
    {CORE_LEVEL_PROVINCE, "province"}, {CORE_LEVEL_MINISTRY, "ministry"},
};

START_TEST(test_region_like)
{
    char out[8];
    core_region_like("000000", out);
    ck_assert_str_eq(out, "%");
    core_region_like("410000", out);
    ck_assert_str_eq(out, "41%");
    core_region_like("410100", out);
    ck_assert_str_eq(out, "4101%");
    core_region_like("410102", out);
    ck_assert_str_eq(out, "410102");
}
END_TEST

START_TEST(test_level_name)
{
    ck_assert_str_eq(core_level_name(level_rows[_i].level), level_rows[_i].name);
    ck_assert_int_eq(core_level_from_name(level_rows[_i].name), level_rows[_i].level);
}
END_TEST

/* The enum values are stored and compared (higher = wider jurisdiction). */
START_TEST(test_level_order)
{
    ck_assert_int_eq(CORE_LEVEL_NONE, 0);
    ck_assert_int_eq(CORE_LEVEL_SCHOOL, 1);
    ck_assert_int_eq(CORE_LEVEL_COUNTY, 2);
    ck_assert_int_eq(CORE_LEVEL_CITY, 3);
    ck_assert_int_eq(CORE_LEVEL_PROVINCE, 4);
    ck_assert_int_eq(CORE_LEVEL_MINISTRY, 5);
}
END_TEST

START_TEST(test_level_name_none)
{
    ck_assert_ptr_null(core_level_name(CORE_LEVEL_NONE));
    ck_assert_ptr_null(core_level_name((core_level)6));
    ck_assert_ptr_null(core_level_name((core_level)-1));
    ck_assert_ptr_null(core_level_name((core_level)1000));
}
END_TEST

static const char *const bad_names[] = {
    "", "none", "School", "COUNTY", "countyx", "count", " city", "province ", "nation",
};

START_TEST(test_level_from_bad_name)
{
    ck_assert_int_eq(core_level_from_name(bad_names[_i]), CORE_LEVEL_NONE);
}
END_TEST

START_TEST(test_level_from_null)
{
    ck_assert_int_eq(core_level_from_name(NULL), CORE_LEVEL_NONE);
}
END_TEST

/* ---- provinces ---------------------------------------------------------- */

/* Written out one by one so the test does not share the implementation's ranges. */
static const int provinces[] = {
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42,
    43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
};

static int
in_list(int pp)
{
    for (size_t i = 0; i < NELEM(provinces); i++)
        if (provinces[i] == pp)
            return 1;
    return 0;
}

/* Every value from -1 to 120: exactly the 34 listed ones are provinces. */
START_TEST(test_province_valid)
{
    for (int pp = -1; pp <= 120; pp++)
        ck_assert_msg(core_region_province_valid(pp) == in_list(pp), "province %d", pp);
}
END_TEST

START_TEST(test_province_count)
{
    int n = 0;

    for (int pp = -100; pp < 1000; pp++)
        n += core_region_province_valid(pp) != 0;
    ck_assert_int_eq(n, 34);
    ck_assert_int_eq(core_region_province_valid(83), 0); /* residence permits only */
}
END_TEST

/* ---- code level --------------------------------------------------------- */

static const struct {
    const char *code;
    size_t len; /* 0: strlen(code) */
    core_level want;
} code_rows[] = {
    {"000000", 0, CORE_LEVEL_MINISTRY},  {"110000", 0, CORE_LEVEL_PROVINCE},
    {"650000", 0, CORE_LEVEL_PROVINCE},  {"710000", 0, CORE_LEVEL_PROVINCE},
    {"810000", 0, CORE_LEVEL_PROVINCE},  {"820000", 0, CORE_LEVEL_PROVINCE},
    {"110100", 0, CORE_LEVEL_CITY},      {"440300", 0, CORE_LEVEL_CITY},
    {"429000", 0, CORE_LEVEL_CITY},      {"110101", 0, CORE_LEVEL_COUNTY},
    {"440305", 0, CORE_LEVEL_COUNTY},    {"429004", 0, CORE_LEVEL_COUNTY},
    {"110001", 0, CORE_LEVEL_COUNTY},  /* PP00DD: not a real shape, but "else county" */
    {"1101019", 6, CORE_LEVEL_COUNTY}, /* reads only len bytes */
    {"1100009", 6, CORE_LEVEL_PROVINCE}, {"830000", 0, CORE_LEVEL_NONE},
    {"000001", 0, CORE_LEVEL_NONE},      {"001000", 0, CORE_LEVEL_NONE},
    {"100000", 0, CORE_LEVEL_NONE},      {"160101", 0, CORE_LEVEL_NONE},
    {"990000", 0, CORE_LEVEL_NONE},      {"11010", 0, CORE_LEVEL_NONE},
    {"1101011", 0, CORE_LEVEL_NONE},     {"0000000", 0, CORE_LEVEL_NONE},
    {"11010a", 0, CORE_LEVEL_NONE},      {"11 101", 0, CORE_LEVEL_NONE},
    {"-10101", 0, CORE_LEVEL_NONE},      {"11010\xd9", 0, CORE_LEVEL_NONE},
    {"110\00001", 6, CORE_LEVEL_NONE}, /* embedded NUL */
};

START_TEST(test_code_level)
{
    const char *c = code_rows[_i].code;
    size_t len = code_rows[_i].len ? code_rows[_i].len : strlen(c);

    ck_assert_int_eq(core_region_code_level(c, len), code_rows[_i].want);
}
END_TEST

START_TEST(test_code_level_empty)
{
    ck_assert_int_eq(core_region_code_level(NULL, 0), CORE_LEVEL_NONE);
    ck_assert_int_eq(core_region_code_level("", 0), CORE_LEVEL_NONE);
    ck_assert_int_eq(core_region_code_level("110101", 5), CORE_LEVEL_NONE);
}
END_TEST

/* ---- province_of / city_of ---------------------------------------------- */

static const struct {
    const char *code;
    const char *province, *city;
} parent_rows[] = {
    {"440305", "440000", "440300"},
    {"110101", "110000", "110100"},
    {"110100", "110000", "110100"},
    {"110000", "110000", "110000"},
    {"429004", "420000", "429000"},
    {"6501059999", "650000", "650100"}, /* only six characters are read */
};

START_TEST(test_parents)
{
    char out[16];

    memset(out, '#', sizeof(out));
    core_region_province_of(parent_rows[_i].code, out);
    ck_assert_str_eq(out, parent_rows[_i].province);
    ck_assert_int_eq(out[7], '#'); /* writes exactly 7 bytes */

    memset(out, '#', sizeof(out));
    core_region_city_of(parent_rows[_i].code, out);
    ck_assert_str_eq(out, parent_rows[_i].city);
    ck_assert_int_eq(out[7], '#');
}
END_TEST

/* ---- 12-digit statistical codes ----------------------------------------- */

static const struct {
    const char *in;
    size_t len;         /* 0: strlen(in) */
    const char *reason; /* NULL: valid */
    const char *county;
} r12_rows[] = {
    {"110101000000", 0, NULL, "110101"},
    {"440305001002", 0, NULL, "440305"},
    {"110100000000", 0, NULL, "110100"}, /* a city code is accepted */
    {"810101000000", 0, NULL, "810101"},
    {"440305001002999", 12, NULL, "440305"},
    {"", 0, "length", NULL},
    {"110101", 0, "length", NULL},
    {"11010100000", 0, "length", NULL},
    {"1101010000000", 0, "length", NULL},
    {" 110101000000", 0, "length", NULL},
    {"11010100000a", 0, "chars", NULL},
    {"11010100000 ", 0, "chars", NULL},
    {"110101-00000", 0, "chars", NULL},
    {"a10101000000", 0, "chars", NULL}, /* chars before province */
    {"110101\000000000", 12, "chars", NULL},
    {"110000000000", 0, "province", NULL}, /* province, not a city or county */
    {"000000000000", 0, "province", NULL},
    {"990101000000", 0, "province", NULL},
    {"160101000000", 0, "province", NULL},
    {"830000000000", 0, "province", NULL},
    {"830101000000", 0, "province", NULL},
};

START_TEST(test_region12)
{
    app_err err = {0};
    char out[8];
    const char *in = r12_rows[_i].in;
    size_t len = r12_rows[_i].len ? r12_rows[_i].len : strlen(in);
    int rc;

    memset(out, '#', sizeof(out));
    rc = core_region12_parse(in, len, out, &err);
    if (r12_rows[_i].reason == NULL) {
        ck_assert_int_eq(rc, 0);
        ck_assert_int_eq(err.code, APP_OK);
        ck_assert_str_eq(out, r12_rows[_i].county);
        ck_assert_int_eq(out[7], '#');
    } else {
        ck_assert_int_eq(rc, APP_EINVAL);
        ck_assert_int_eq(err.code, APP_EINVAL);
        ck_assert_str_eq(err.slug, "invalid_region_code");
        ck_assert_str_eq(err.param, r12_rows[_i].reason);
        for (size_t i = 0; i < sizeof(out); i++)
            ck_assert_int_eq(out[i], '#');
        ck_assert_int_eq(core_region12_parse(in, len, out, NULL), APP_EINVAL);
    }
}
END_TEST

static Suite *
region_suite(void)
{
    Suite *s = suite_create("region");
    TCase *tc;

    tc = tcase_create("levels");
    tcase_add_loop_test(tc, test_level_name, 0, NELEM(level_rows));
    tcase_add_test(tc, test_level_order);
    tcase_add_test(tc, test_level_name_none);
    tcase_add_loop_test(tc, test_level_from_bad_name, 0, NELEM(bad_names));
    tcase_add_test(tc, test_level_from_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("provinces");
    tcase_add_test(tc, test_province_valid);
    tcase_add_test(tc, test_province_count);
    suite_add_tcase(s, tc);

    tc = tcase_create("code_level");
    tcase_add_loop_test(tc, test_code_level, 0, NELEM(code_rows));
    tcase_add_test(tc, test_code_level_empty);
    tcase_add_test(tc, test_region_like);
    tcase_add_loop_test(tc, test_parents, 0, NELEM(parent_rows));
    suite_add_tcase(s, tc);

    tc = tcase_create("region12");
    tcase_add_loop_test(tc, test_region12, 0, NELEM(r12_rows));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(region_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
