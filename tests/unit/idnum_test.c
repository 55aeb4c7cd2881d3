/*
 * tests/unit/idnum_test.c - GB 11643 ID numbers (DOMAIN rules 1-6).
 *
 * Expected check digits in the tables were computed independently of
 * core/idnum.c (by hand from the weights), so the tables do not just echo
 * the implementation.
 */
#include "base/err.h"
#include "core/idnum.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define TODAY 20250901
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* The three valid vectors of DOMAIN rule 2. */
static const char *const vectors[] = {
    "11010119900307803X",
    "500154199301135886",
    "360426199101010071",
};

/* ---- core_idnum_check_digit ------------------------------------------- */

/* One row per residue S mod 11, so every character of "10X98765432" is used. */
static const struct {
    const char *first17;
    char want;
} check_rows[] = {
    {"11010119900307802", '1'},
    {"11010119900307808", '0'},
    {"11010119900307803", 'X'},
    {"11010119900307809", '9'},
    {"11010119900307804", '8'},
    {"11010119900307818", '7'},
    {"11010119900307805", '6'},
    {"11010119900307800", '5'},
    {"11010119900307806", '4'},
    {"11010119900307801", '3'},
    {"11010119900307807", '2'},
    {"50015419930113588", '6'},
    {"36042619910101007", '1'},
    {"61010419620927690", '8'},
    /* need not be NUL-terminated: only 17 characters are read */
    {"110101199003078039999", 'X'},
};

START_TEST(test_check_digit)
{
    ck_assert_int_eq(core_idnum_check_digit(check_rows[_i].first17), check_rows[_i].want);
}
END_TEST

/* ---- valid numbers ------------------------------------------------------ */

static const struct {
    const char *in;
    const char *number;
    const char *region;
    int year, month, day, gender, legacy15;
} valid_rows[] = {
    {"11010119900307803X", "11010119900307803X", "110101", 1990, 3, 7, 1, 0},
    {"11010119900307803x", "11010119900307803X", "110101", 1990, 3, 7, 1, 0},
    {"500154199301135886", "500154199301135886", "500154", 1993, 1, 13, 2, 0},
    {"360426199101010071", "360426199101010071", "360426", 1991, 1, 1, 1, 0},
    {"610104620927690", "610104196209276908", "610104", 1962, 9, 27, 2, 1},
    /* birth date edges: first allowed day, today, leap days */
    {"110101190001011236", "110101190001011236", "110101", 1900, 1, 1, 1, 0},
    {"110101202509011232", "110101202509011232", "110101", 2025, 9, 1, 1, 0},
    {"11010120000229123X", "11010120000229123X", "110101", 2000, 2, 29, 1, 0},
    {"110101200402291239", "110101200402291239", "110101", 2004, 2, 29, 1, 0},
    {"110101202402291238", "110101202402291238", "110101", 2024, 2, 29, 1, 0},
    {"11010119900430123X", "11010119900430123X", "110101", 1990, 4, 30, 1, 0},
    /* province edges, Taiwan, HK/Macao/Taiwan residence permits */
    {"150101199001011234", "150101199001011234", "150101", 1990, 1, 1, 1, 0},
    {"210101199001011230", "210101199001011230", "210101", 1990, 1, 1, 1, 0},
    {"460101199001011237", "460101199001011237", "460101", 1990, 1, 1, 1, 0},
    {"50010119900101123X", "50010119900101123X", "500101", 1990, 1, 1, 1, 0},
    {"540101199001011237", "540101199001011237", "540101", 1990, 1, 1, 1, 0},
    {"650101199001011232", "650101199001011232", "650101", 1990, 1, 1, 1, 0},
    {"710000199001011237", "710000199001011237", "710000", 1990, 1, 1, 1, 0},
    {"810000199001011230", "810000199001011230", "810000", 1990, 1, 1, 1, 0},
    {"820000199001011232", "820000199001011232", "820000", 1990, 1, 1, 1, 0},
    {"830000199001011234", "830000199001011234", "830000", 1990, 1, 1, 1, 0},
};

START_TEST(test_valid)
{
    app_err err = {0};
    core_idnum id;
    const char *in = valid_rows[_i].in;

    memset(&id, 0x5a, sizeof(id));
    ck_assert_int_eq(core_idnum_parse(in, strlen(in), TODAY, NULL, NULL, &id, &err), 0);
    ck_assert_int_eq(err.code, APP_OK);
    ck_assert_str_eq(id.number, valid_rows[_i].number);
    ck_assert_str_eq(id.region, valid_rows[_i].region);
    ck_assert_int_eq(id.year, valid_rows[_i].year);
    ck_assert_int_eq(id.month, valid_rows[_i].month);
    ck_assert_int_eq(id.day, valid_rows[_i].day);
    ck_assert_int_eq(id.gender, valid_rows[_i].gender);
    ck_assert_int_eq(id.legacy15, valid_rows[_i].legacy15);
    ck_assert_int_eq(id.region_unknown, 0);
}
END_TEST

/* The parser reads exactly `len` bytes: trailing garbage beyond it is ignored. */
START_TEST(test_valid_not_terminated)
{
    core_idnum id;
    const char buf[] = "11010119900307803X99999";

    ck_assert_int_eq(core_idnum_parse(buf, 18, TODAY, NULL, NULL, &id, NULL), 0);
    ck_assert_str_eq(id.number, "11010119900307803X");
    ck_assert_int_eq(core_idnum_parse("610104620927690xyz", 15, TODAY, NULL, NULL, &id, NULL), 0);
    ck_assert_str_eq(id.number, "610104196209276908");
}
END_TEST

/* ---- invalid numbers ---------------------------------------------------- */

static const struct {
    const char *in;
    size_t len; /* 0: strlen(in) */
    const char *reason;
} invalid_rows[] = {
    {"", 0, "length"},
    {"1", 0, "length"},
    {"11010119900307", 0, "length"},      /* 14 */
    {"1101011990030780", 0, "length"},    /* 16 */
    {"11010119900307803", 0, "length"},   /* 17 */
    {"11010119900307803X0", 0, "length"}, /* 19 */
    {"11010119900307803X ", 0, "length"}, /* trailing space */
    {" 11010119900307803X", 0, "length"}, /* leading space */
    {" 1010119900307803X", 0, "chars"},   /* 18 with a space */
    {"1101011990030780 X", 0, "chars"},
    {"X10101199003078030", 0, "chars"}, /* X first */
    {"1101011990030780X3", 0, "chars"}, /* X 17th */
    {"11010119900307803Y", 0, "chars"},
    {"1101011990030780-3", 0, "chars"},
    {"11010119900307803\xc3", 0, "chars"},  /* non-ASCII byte */
    {"110101199003078\0003X", 18, "chars"}, /* embedded NUL */
    {"61010462092769X", 0, "chars"},        /* X in a 15-digit number */
    {"6101046209276a0", 0, "chars"},
    {"110101199003078031", 0, "checksum"},
    {"11010119900307803 ", 0, "chars"},
    {"500154199301135880", 0, "checksum"},
    {"50015419930113588X", 0, "checksum"},
    {"50015419930113588x", 0, "checksum"},
    /* valid check digits, impossible dates */
    {"110101190002291233", 0, "birth_date"}, /* 1900 is not a leap year */
    {"110101200102291237", 0, "birth_date"},
    {"110101189912311231", 0, "birth_date"}, /* before 1900 */
    {"110101202509021238", 0, "birth_date"}, /* the day after TODAY */
    {"110101210001011231", 0, "birth_date"}, /* 2100 */
    {"110101199013011234", 0, "birth_date"}, /* month 13 */
    {"110101199000011235", 0, "birth_date"}, /* month 0 */
    {"110101199001001231", 0, "birth_date"}, /* day 0 */
    {"110101199001321235", 0, "birth_date"}, /* day 32 */
    {"110101199004311235", 0, "birth_date"}, /* April 31 */
    {"610104621327690", 0, "birth_date"},    /* legacy, month 13 */
    {"610104620230690", 0, "birth_date"},    /* legacy, February 30 */
    /* valid check digits and dates, no province */
    {"001010199001011233", 0, "region"},
    {"100101199001011235", 0, "region"},
    {"160101199001011236", 0, "region"},
    {"200101199001011239", 0, "region"},
    {"720101199001011230", 0, "region"},
    {"840101199001011238", 0, "region"},
    {"990101199001011230", 0, "region"},
    {"990101620927690", 0, "region"}, /* legacy */
    /* bad date and bad region: the date is checked first */
    {"990101189912311235", 0, "birth_date"},
    {"990101202502301230", 0, "birth_date"},
};

START_TEST(test_invalid)
{
    app_err err = {0};
    core_idnum id, before;
    const char *in = invalid_rows[_i].in;
    size_t len = invalid_rows[_i].len ? invalid_rows[_i].len : strlen(in);

    memset(&id, 0x5a, sizeof(id));
    before = id;
    ck_assert_int_eq(core_idnum_parse(in, len, TODAY, NULL, NULL, &id, &err), APP_EINVAL);
    ck_assert_int_eq(err.code, APP_EINVAL);
    ck_assert_ptr_nonnull(err.slug);
    ck_assert_str_eq(err.slug, "invalid_id_number");
    ck_assert_str_eq(err.param, invalid_rows[_i].reason);
    ck_assert_msg(memcmp(&id, &before, sizeof(id)) == 0, "out written on error");
    /* the internal detail is logged: it must not carry the number */
    if (len >= 10) {
        char head[11];
        memcpy(head, in, 10);
        head[10] = '\0';
        ck_assert_ptr_null(strstr(err.detail, head));
    }
    /* err is optional */
    ck_assert_int_eq(core_idnum_parse(in, len, TODAY, NULL, NULL, &id, NULL), APP_EINVAL);
}
END_TEST

START_TEST(test_null_empty_input)
{
    app_err err = {0};
    core_idnum id;

    ck_assert_int_eq(core_idnum_parse(NULL, 0, TODAY, NULL, NULL, &id, &err), APP_EINVAL);
    ck_assert_str_eq(err.param, "length");
}
END_TEST

/* "today" is a parameter, not the clock. */
START_TEST(test_today_bound)
{
    core_idnum id;
    app_err err = {0};

    ck_assert_int_eq(core_idnum_parse("110101202509021238", 18, 20250902, NULL, NULL, &id, &err),
                     0);
    ck_assert_int_eq(core_idnum_parse("110101202509021238", 18, 20250901, NULL, NULL, &id, &err),
                     APP_EINVAL);
    ck_assert_str_eq(err.param, "birth_date");
    ck_assert_int_eq(core_idnum_parse("11010119900307803X", 18, 19900306, NULL, NULL, &id, &err),
                     APP_EINVAL);
    ck_assert_str_eq(err.param, "birth_date");
}
END_TEST

/* ---- every single-character error is caught ----------------------------- */

static void
expect_reason(const char *s, const char *reason)
{
    app_err err = {0};
    core_idnum id;
    int rc = core_idnum_parse(s, 18, TODAY, NULL, NULL, &id, &err);

    ck_assert_msg(rc == APP_EINVAL, "%s accepted", s);
    ck_assert_msg(strcmp(err.param, reason) == 0, "%s: param %s, want %s", s, err.param, reason);
}

START_TEST(test_every_digit_change)
{
    const char *v = vectors[_i];
    char s[19];
    int n = 0;

    for (int pos = 0; pos < 18; pos++) {
        const char *alphabet = pos == 17 ? "0123456789X" : "0123456789";
        for (const char *c = alphabet; *c; c++) {
            if (*c == v[pos])
                continue;
            memcpy(s, v, 19);
            s[pos] = *c;
            expect_reason(s, "checksum");
            n++;
        }
    }
    /* 17 positions x 9 other digits + 10 other check characters */
    ck_assert_int_eq(n, 17 * 9 + 10);
}
END_TEST

/* Adjacent pairs of different characters in each vector (counted by hand). */
static const int distinct_neighbours[] = {13, 13, 15};

START_TEST(test_every_adjacent_swap)
{
    const char *v = vectors[_i];
    char s[19];
    int n = 0;

    for (int pos = 0; pos < 17; pos++) {
        if (v[pos] == v[pos + 1])
            continue;
        memcpy(s, v, 19);
        s[pos] = v[pos + 1];
        s[pos + 1] = v[pos];
        expect_reason(s, s[pos] == 'X' ? "chars" : "checksum");
        n++;
    }
    ck_assert_int_eq(n, distinct_neighbours[_i]);
}
END_TEST

/* The swap that moves X off the last position is the "chars" case. */
START_TEST(test_swap_moving_x)
{
    expect_reason("1101011990030780X3", "chars");
}
END_TEST

/* ---- region list callback (rule 4) -------------------------------------- */

typedef struct known_ctx {
    const char *const *codes; /* NULL-terminated */
    int calls;
    char last[8];
} known_ctx;

static int
known_cb(const char *code6, void *ctx)
{
    known_ctx *k = ctx;

    k->calls++;
    ck_assert_uint_eq(strlen(code6), 6);
    memcpy(k->last, code6, 7);
    for (const char *const *c = k->codes; *c; c++)
        if (strcmp(*c, code6) == 0)
            return 1;
    return 0;
}

static const char *const list_with[] = {"110000", "110101", "500154", NULL};
static const char *const list_without[] = {"110000", "110102", NULL};

START_TEST(test_region_known)
{
    known_ctx k = {list_with, 0, ""};
    core_idnum id;

    ck_assert_int_eq(core_idnum_parse(vectors[0], 18, TODAY, known_cb, &k, &id, NULL), 0);
    ck_assert_int_eq(k.calls, 1);
    ck_assert_str_eq(k.last, "110101");
    ck_assert_int_eq(id.region_unknown, 0);
}
END_TEST

START_TEST(test_region_unknown_is_warning)
{
    known_ctx k = {list_without, 0, ""};
    app_err err = {0};
    core_idnum id;

    ck_assert_int_eq(core_idnum_parse(vectors[0], 18, TODAY, known_cb, &k, &id, &err), 0);
    ck_assert_int_eq(err.code, APP_OK);
    ck_assert_int_eq(k.calls, 1);
    ck_assert_int_eq(id.region_unknown, 1);
    ck_assert_str_eq(id.number, vectors[0]);
    ck_assert_str_eq(id.region, "110101");

    /* legacy numbers are looked up by their address code too */
    k.calls = 0;
    ck_assert_int_eq(core_idnum_parse("610104620927690", 15, TODAY, known_cb, &k, &id, &err), 0);
    ck_assert_int_eq(k.calls, 1);
    ck_assert_str_eq(k.last, "610104");
    ck_assert_int_eq(id.region_unknown, 1);
}
END_TEST

START_TEST(test_region_callback_not_called_on_error)
{
    known_ctx k = {list_with, 0, ""};
    core_idnum id;

    ck_assert_int_eq(core_idnum_parse("110101199003078031", 18, TODAY, known_cb, &k, &id, NULL),
                     APP_EINVAL);
    ck_assert_int_eq(core_idnum_parse("990101199001011230", 18, TODAY, known_cb, &k, &id, NULL),
                     APP_EINVAL);
    ck_assert_int_eq(k.calls, 0);
}
END_TEST

/* ---- rule 6: gender and birth date consistency -------------------------- */

/* The bitmask values are the contract (1 gender, 2 birth date): literals. */

static const struct {
    const char *id;
    int gender, birth, want;
} match_rows[] = {
    {"11010119900307803X", 1, 19900307, 0}, {"11010119900307803X", 2, 19900307, 1},
    {"11010119900307803X", 1, 19900308, 2}, {"11010119900307803X", 1, 19900407, 2},
    {"11010119900307803X", 2, 19910307, 3}, {"11010119900307803X", 0, 19900307, 1},
    {"11010119900307803X", 1, 0, 2},        {"500154199301135886", 2, 19930113, 0},
    {"500154199301135886", 1, 19930113, 1}, {"360426199101010071", 1, 19910101, 0},
    {"360426199101010071", 2, 19910101, 1}, {"610104620927690", 2, 19620927, 0},
    {"610104620927690", 2, 20620927, 2},    {"610104620927690", 2, 620927, 2},
};

START_TEST(test_matches)
{
    core_idnum id;
    const char *s = match_rows[_i].id;

    ck_assert_int_eq(core_idnum_parse(s, strlen(s), TODAY, NULL, NULL, &id, NULL), 0);
    ck_assert_int_eq(core_idnum_matches(&id, match_rows[_i].gender, match_rows[_i].birth),
                     match_rows[_i].want);
}
END_TEST

static Suite *
idnum_suite(void)
{
    Suite *s = suite_create("idnum");
    TCase *tc;

    tc = tcase_create("check_digit");
    tcase_add_loop_test(tc, test_check_digit, 0, NELEM(check_rows));
    suite_add_tcase(s, tc);

    tc = tcase_create("valid");
    tcase_add_loop_test(tc, test_valid, 0, NELEM(valid_rows));
    tcase_add_test(tc, test_valid_not_terminated);
    tcase_add_test(tc, test_today_bound);
    suite_add_tcase(s, tc);

    tc = tcase_create("invalid");
    tcase_add_loop_test(tc, test_invalid, 0, NELEM(invalid_rows));
    tcase_add_test(tc, test_null_empty_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("single_errors");
    tcase_add_loop_test(tc, test_every_digit_change, 0, NELEM(vectors));
    tcase_add_loop_test(tc, test_every_adjacent_swap, 0, NELEM(vectors));
    tcase_add_test(tc, test_swap_moving_x);
    suite_add_tcase(s, tc);

    tc = tcase_create("region_list");
    tcase_add_test(tc, test_region_known);
    tcase_add_test(tc, test_region_unknown_is_warning);
    tcase_add_test(tc, test_region_callback_not_called_on_error);
    suite_add_tcase(s, tc);

    tc = tcase_create("matches");
    tcase_add_loop_test(tc, test_matches, 0, NELEM(match_rows));
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(idnum_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
