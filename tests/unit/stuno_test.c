/*
 * tests/unit/stuno_test.c - student numbers (学籍号, DOMAIN rules 7-9).
 */
#include "base/err.h"
#include "core/idnum.h"
#include "core/stuno.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- parse -------------------------------------------------------------- */

static const struct {
    const char *in;
    size_t len;         /* 0: strlen(in) */
    const char *reason; /* NULL: valid */
    const char *out;
} rows[] = {
    {"G11010119900307803X", 0, NULL, "G11010119900307803X"},
    {"G11010119900307803x", 0, NULL, "G11010119900307803X"},
    {"g11010119900307803x", 0, NULL, "G11010119900307803X"},
    {"G500154199301135886", 0, NULL, "G500154199301135886"},
    {"J110101201501010150", 0, NULL, "J110101201501010150"},
    {"J44030520180615000X", 0, NULL, "J44030520180615000X"},
    {"j44030520180615000x", 0, NULL, "J44030520180615000X"},
    {"L110101201501011234", 0, NULL, "L110101201501011234"},
    {"l110101201501011234", 0, NULL, "L110101201501011234"},
    {"G11010119900307803X999", 19, NULL, "G11010119900307803X"}, /* reads len bytes */
    /* length */
    {"", 0, "length", NULL},
    {"G", 0, "length", NULL},
    {"G11010119900307803", 0, "length", NULL},   /* 18 */
    {"11010119900307803X", 0, "length", NULL},   /* a bare ID number */
    {"G11010119900307803X0", 0, "length", NULL}, /* 20 */
    {"G11010119900307803X ", 0, "length", NULL},
    /* prefix */
    {"A11010119900307803X", 0, "prefix", NULL},
    {"X11010119900307803X", 0, "prefix", NULL},
    {"111010119900307803X", 0, "prefix", NULL},
    {" 11010119900307803X", 0, "prefix", NULL},
    {"\xc7"
     "11010119900307803X",
     0, "prefix", NULL},
    {"A1101011990030780ZZ", 0, "prefix", NULL}, /* prefix before chars */
    /* chars */
    {"L11010120150101123X", 0, "chars", NULL}, /* L numbers are all digits */
    {"L11010120150101123x", 0, "chars", NULL},
    {"G1101011990030780X3", 0, "chars", NULL}, /* X not last */
    {"GX10101199003078033", 0, "chars", NULL},
    {"J1101012015010101X0", 0, "chars", NULL},
    {"G11010119900307803Y", 0, "chars", NULL},
    {"GG1010119900307803X", 0, "chars", NULL},
    {"G 1010119900307803X", 0, "chars", NULL},
    {"G110101199003078-3X", 0, "chars", NULL},
    {"G11010119900307803\xd8", 0, "chars", NULL},
    {"G110101199003\0007803X", 19, "chars", NULL}, /* embedded NUL */
};

START_TEST(test_parse)
{
    app_err err = {0};
    char out[24];
    const char *in = rows[_i].in;
    size_t len = rows[_i].len ? rows[_i].len : strlen(in);
    int rc;

    memset(out, '#', sizeof(out));
    rc = core_stuno_parse(in, len, out, &err);
    if (rows[_i].reason == NULL) {
        ck_assert_int_eq(rc, 0);
        ck_assert_int_eq(err.code, APP_OK);
        ck_assert_str_eq(out, rows[_i].out);
        ck_assert_int_eq(out[20], '#'); /* writes exactly 20 bytes */
    } else {
        ck_assert_int_eq(rc, APP_EINVAL);
        ck_assert_int_eq(err.code, APP_EINVAL);
        ck_assert_str_eq(err.slug, "invalid_student_number");
        ck_assert_str_eq(err.param, rows[_i].reason);
        for (size_t i = 0; i < sizeof(out); i++)
            ck_assert_int_eq(out[i], '#');
        ck_assert_int_eq(core_stuno_parse(in, len, out, NULL), APP_EINVAL);
    }
}
END_TEST

START_TEST(test_parse_null_empty)
{
    app_err err = {0};
    char out[20];

    ck_assert_int_eq(core_stuno_parse(NULL, 0, out, &err), APP_EINVAL);
    ck_assert_str_eq(err.param, "length");
}
END_TEST

/* ---- make_l ------------------------------------------------------------- */

static const struct {
    const char *county;
    int birth;
    unsigned rand4;
    const char *want;
} l_rows[] = {
    {"110101", 20150101, 1234, "L110101201501011234"},
    {"110101", 20150101, 7, "L110101201501010007"},
    {"110101", 20150101, 0, "L110101201501010000"},
    {"440305", 20180615, 9999, "L440305201806159999"},
    {"4403059", 19991231, 42, "L440305199912310042"}, /* reads six county digits */
};

START_TEST(test_make_l)
{
    char out[24], back[20];

    memset(out, '#', sizeof(out));
    core_stuno_make_l(l_rows[_i].county, l_rows[_i].birth, l_rows[_i].rand4, out);
    ck_assert_str_eq(out, l_rows[_i].want);
    ck_assert_int_eq(out[20], '#');
    ck_assert_int_eq(core_stuno_parse(out, strlen(out), back, NULL), 0);
    ck_assert_str_eq(back, out);
}
END_TEST

/* ---- make_j ------------------------------------------------------------- */

/* Expected check digits computed by hand from the GB 11643 weights. */
static const struct {
    const char *county;
    int birth;
    unsigned seq3;
    const char *want;
} j_rows[] = {
    {"110101", 20150101, 15, "J110101201501010150"},
    {"110101", 20150101, 0, "J110101201501010003"},
    {"440305", 20180615, 999, "J440305201806159995"},
    {"440305", 20180615, 0, "J44030520180615000X"},
};

START_TEST(test_make_j)
{
    char out[24], back[20];
    core_idnum id;

    memset(out, '#', sizeof(out));
    core_stuno_make_j(j_rows[_i].county, j_rows[_i].birth, j_rows[_i].seq3, out);
    ck_assert_str_eq(out, j_rows[_i].want);
    ck_assert_int_eq(out[20], '#');
    /* the self-code is built like an ID number: its check digit verifies */
    ck_assert_int_eq(out[18], core_idnum_check_digit(out + 1));
    ck_assert_int_eq(core_idnum_parse(out + 1, 18, 20250901, NULL, NULL, &id, NULL), 0);
    ck_assert_int_eq(core_stuno_parse(out, strlen(out), back, NULL), 0);
    ck_assert_str_eq(back, out);
}
END_TEST

/* Every sequence number of one county and day gives a distinct, verifying number. */
START_TEST(test_make_j_all_sequences)
{
    char out[20], prev[20] = "";
    int x = 0;

    for (unsigned seq = 0; seq <= 999; seq++) {
        core_stuno_make_j("320106", 20170301, seq, out);
        ck_assert_int_eq(out[0], 'J');
        ck_assert_int_eq((int)strlen(out), 19);
        ck_assert_int_eq(out[18], core_idnum_check_digit(out + 1));
        ck_assert_int_eq((out[15] - '0') * 100 + (out[16] - '0') * 10 + (out[17] - '0'), (int)seq);
        ck_assert_str_ne(out, prev);
        memcpy(prev, out, sizeof(out));
        x += out[18] == 'X';
    }
    ck_assert_int_gt(x, 0); /* some end in X, and the parser accepts those */
}
END_TEST

/* ---- make_g ------------------------------------------------------------- */

static const char *const g_rows[] = {
    "11010119900307803X",
    "500154199301135886",
    "360426199101010071",
};

START_TEST(test_make_g)
{
    char out[24], back[20];

    memset(out, '#', sizeof(out));
    core_stuno_make_g(g_rows[_i], out);
    ck_assert_int_eq(out[0], 'G');
    ck_assert_str_eq(out + 1, g_rows[_i]);
    ck_assert_int_eq(out[20], '#');
    ck_assert_int_eq(core_stuno_parse(out, strlen(out), back, NULL), 0);
    ck_assert_str_eq(back, out);
}
END_TEST

static Suite *
stuno_suite(void)
{
    Suite *s = suite_create("stuno");
    TCase *tc;

    tc = tcase_create("parse");
    tcase_add_loop_test(tc, test_parse, 0, NELEM(rows));
    tcase_add_test(tc, test_parse_null_empty);
    suite_add_tcase(s, tc);

    tc = tcase_create("make");
    tcase_add_loop_test(tc, test_make_l, 0, NELEM(l_rows));
    tcase_add_loop_test(tc, test_make_j, 0, NELEM(j_rows));
    tcase_add_test(tc, test_make_j_all_sequences);
    tcase_add_loop_test(tc, test_make_g, 0, NELEM(g_rows));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(stuno_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
