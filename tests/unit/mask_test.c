/*
 * tests/unit/mask_test.c - masking of personal numbers (DOMAIN rule 27).
 */
#include "core/mask.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

typedef void (*mask_fn)(const char *s, char *out, size_t cap);

typedef struct mask_row {
    const char *in;
    size_t cap; /* 0: sizeof the test buffer (large enough) */
    const char *want;
} mask_row;

/*
 * Run one row with a 64-byte buffer pre-filled with '#': the result must be
 * `want`, and nothing after its NUL may be written.
 */
static void
run_row(mask_fn fn, const mask_row *r)
{
    char out[64];
    size_t cap = r->cap ? r->cap : 40;

    memset(out, '#', sizeof(out));
    fn(r->in, out, cap);
    ck_assert_msg(strcmp(out, r->want) == 0, "%s -> %s, want %s", r->in, out, r->want);
    for (size_t i = strlen(r->want) + 1; i < sizeof(out); i++)
        ck_assert_msg(out[i] == '#', "%s: byte %zu written", r->in, i);
}

/* ---- ID numbers --------------------------------------------------------- */

static const mask_row id_rows[] = {
    {"410102199001011234", 0, "4101**********1234"},
    {"11010119900307803X", 0, "1101**********803X"},
    {"610104620927690", 0, "6101*******7690"},
    {"123456789", 0, "1234*6789"},
    {"12345678", 0, "********"},
    {"1234567", 0, "*******"},
    {"1", 0, "*"},
    {"", 0, ""},
    /* truncation: a prefix of the full mask, never more in clear */
    {"410102199001011234", 19, "4101**********1234"},
    {"410102199001011234", 18, "4101**********123"},
    {"410102199001011234", 10, "4101*****"},
    {"410102199001011234", 5, "4101"},
    {"410102199001011234", 3, "41"},
    {"410102199001011234", 1, ""},
    {"12345678", 5, "****"},
};

START_TEST(test_mask_id)
{
    run_row(core_mask_id, &id_rows[_i]);
}
END_TEST

/* ---- student numbers ---------------------------------------------------- */

static const mask_row stuno_rows[] = {
    {"G410102199001011234", 0, "G4101**********1234"},
    {"G11010119900307803X", 0, "G1101**********803X"},
    {"g410102199001011234", 0, "g4101**********1234"},
    {"J110101201501010150", 0, "J110101201501010150"},
    {"j110101201501010150", 0, "j110101201501010150"},
    {"L110101201501011234", 0, "L110101201501011234"},
    {"l110101201501011234", 0, "l110101201501011234"},
    /* anything unexpected is masked whole */
    {"410102199001011234", 0, "4101**********1234"},
    {"Z410102199001011234", 0, "Z410***********1234"},
    {"G12345678", 0, "G********"},
    {"G", 0, "G"},
    {"", 0, ""},
    /* truncation */
    {"G410102199001011234", 20, "G4101**********1234"},
    {"G410102199001011234", 19, "G4101**********123"},
    {"G410102199001011234", 6, "G4101"},
    {"G410102199001011234", 2, "G"},
    {"G410102199001011234", 1, ""},
    {"L110101201501011234", 5, "L110"},
    {"L110101201501011234", 1, ""},
};

START_TEST(test_mask_stuno)
{
    run_row(core_mask_stuno, &stuno_rows[_i]);
}
END_TEST

/* ---- phone numbers ------------------------------------------------------ */

static const mask_row phone_rows[] = {
    {"13812345678", 0, "138****5678"},
    {"02112345678", 0, "021****5678"},
    {"8613812345678", 0, "861******5678"},
    {"12345678", 0, "123*5678"},
    {"1234567", 0, "*******"},
    {"123", 0, "***"},
    {"", 0, ""},
    {"13812345678", 12, "138****5678"},
    {"13812345678", 11, "138****567"},
    {"13812345678", 4, "138"},
    {"13812345678", 1, ""},
};

START_TEST(test_mask_phone)
{
    run_row(core_mask_phone, &phone_rows[_i]);
}
END_TEST

/* cap 0 writes nothing at all (out may even be NULL). */
START_TEST(test_cap_zero)
{
    char out[4] = "###";

    core_mask_id("410102199001011234", out, 0);
    core_mask_stuno("G410102199001011234", out, 0);
    core_mask_stuno("J110101201501010150", out, 0);
    core_mask_phone("13812345678", out, 0);
    ck_assert_str_eq(out, "###");
    core_mask_id("410102199001011234", NULL, 0);
    core_mask_stuno("G410102199001011234", NULL, 0);
    core_mask_phone("13812345678", NULL, 0);
}
END_TEST

/* No digit of the hidden middle ever appears, whatever the length. */
START_TEST(test_middle_never_shown)
{
    char in[32], out[32];

    for (size_t n = 0; n < 30; n++) {
        for (size_t i = 0; i < n; i++)
            in[i] = (i < 4 || i + 4 >= n) ? 'a' : 'Z';
        in[n] = '\0';
        core_mask_id(in, out, sizeof(out));
        ck_assert_uint_eq(strlen(out), n);
        ck_assert_ptr_null(strchr(out, 'Z'));
        if (n <= 8)
            ck_assert_ptr_null(strchr(out, 'a'));
        core_mask_phone(in, out, sizeof(out));
        ck_assert_uint_eq(strlen(out), n);
        ck_assert_ptr_null(strchr(out, 'Z'));
    }
}
END_TEST

static Suite *
mask_suite(void)
{
    Suite *s = suite_create("mask");
    TCase *tc;

    tc = tcase_create("id");
    tcase_add_loop_test(tc, test_mask_id, 0, NELEM(id_rows));
    suite_add_tcase(s, tc);

    tc = tcase_create("stuno");
    tcase_add_loop_test(tc, test_mask_stuno, 0, NELEM(stuno_rows));
    suite_add_tcase(s, tc);

    tc = tcase_create("phone");
    tcase_add_loop_test(tc, test_mask_phone, 0, NELEM(phone_rows));
    suite_add_tcase(s, tc);

    tc = tcase_create("bounds");
    tcase_add_test(tc, test_cap_zero);
    tcase_add_test(tc, test_middle_never_shown);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(mask_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
