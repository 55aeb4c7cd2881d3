/*
 * tests/unit/password_test.c - the password policy and one-time passwords.
 */
#include "base/err.h"
#include "core/password.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Failed rules, in the order the items must come. */
enum { SHORT = 1, LONG = 2, CLASSES = 4, USER = 8 };

static const char *const codes[] = {
    "password_too_short",
    "password_too_long",
    "password_classes",
    "password_contains_username",
};

/* Assert the outcome of checking `pw` for `user`: exactly the rules in `want` fail. */
static void
expect(const char *pw, const char *user, int want)
{
    app_err err = {0};
    int rc = core_password_check(pw, user, &err);
    int n = 0;

    ck_assert_int_eq(core_password_check(pw, user, NULL), rc);
    if (want == 0) {
        ck_assert_msg(rc == 0, "'%s' (user %s) rejected: first item %s", pw ? pw : "(null)",
                      user ? user : "(null)", err.nitems ? err.items[0].code : "-");
        ck_assert_int_eq(err.code, APP_OK);
        ck_assert_int_eq(err.nitems, 0);
        return;
    }
    ck_assert_msg(rc == APP_EINVAL, "'%s' (user %s) accepted", pw ? pw : "(null)",
                  user ? user : "(null)");
    ck_assert_int_eq(err.code, APP_EINVAL);
    ck_assert_str_eq(err.slug, "weak_password");
    for (int bit = 0; bit < 4; bit++) {
        if (!(want & (1 << bit)))
            continue;
        ck_assert_msg(n < err.nitems, "'%s': missing %s", pw, codes[bit]);
        ck_assert_str_eq(err.items[n].code, codes[bit]);
        ck_assert_str_eq(err.items[n].field, "/new_password");
        ck_assert_str_eq(err.items[n].param, "");
        n++;
    }
    ck_assert_msg(err.nitems == n, "'%s': %d items, want %d (extra %s)", pw, err.nitems, n,
                  err.nitems > n ? err.items[n].code : "-");
    if (pw != NULL && strlen(pw) >= 8) /* the log line never holds the password */
        ck_assert_ptr_null(strstr(err.detail, pw));
}

/* ---- rules, one table --------------------------------------------------- */

static const struct {
    const char *pw, *user;
    int want;
} rows[] = {
    /* passing: 10+ characters, 3+ classes */
    {"Abcdefgh12", NULL, 0},
    {"abcde 1234", NULL, 0},  /* a space is "other" */
    {"ABCDE-1234", NULL, 0},  /* no lower case */
    {"abcdeFGHI!", NULL, 0},  /* no digit */
    {"Aa1!Aa1!Aa", NULL, 0},  /* all four */
    {"abc\tdefg12", NULL, 0}, /* a tab is "other" too */
    /* each rule alone */
    {"Abcdefg12", NULL, SHORT}, /* 9 */
    {"A1!", NULL, SHORT},
    {"abcdefghij", NULL, CLASSES},
    {"ABCDEFGHIJ", NULL, CLASSES},
    {"0123456789", NULL, CLASSES},
    {"!@#$%^&*()", NULL, CLASSES},
    {"abcde12345", NULL, CLASSES},
    {"abcdeFGHIJ", NULL, CLASSES},
    {"ABCDE12345", NULL, CLASSES},
    {"------12345", NULL, CLASSES},
    {"Zhangsan2024!", "zhangsan", USER},
    /* several at once */
    {"", NULL, SHORT | CLASSES},
    {"abc", "abc", SHORT | CLASSES | USER},
    {"abcd", NULL, SHORT | CLASSES},
    {"Aa1!", "aa1!", SHORT | USER},
    {"lisi", "LISI", SHORT | CLASSES | USER},
    {"lisi99999", "lisi", SHORT | CLASSES | USER},
    /* the username rule, case-insensitive */
    {"Zhangsan2024!", "ZHANGSAN", USER},
    {"Zhangsan2024!", "ZhAnGsAn", USER},
    {"2024!zhangsan", "Zhangsan", USER},        /* at the end */
    {"x-ZHANGSAN-1y", "zhangsan", USER},        /* in the middle */
    {"Teacher.li2024", "TEACHER.LI2024", USER}, /* equal */
    {"Teacher.li2024", "teacher.li2025", 0},
    {"Abcd1234!x", "abcd", USER},           /* 4 characters: contained counts */
    {"abcXYZ123!", "abc", 0},               /* 3 characters: only equality counts */
    {"ABC", "abc", SHORT | CLASSES | USER}, /* equal, 3 characters */
    {"Abcd1234!x", "abcde", 0},
    {"Abcdefgh12", "", 0},
    {"Abcdefgh12", "Abcdefgh123", 0}, /* longer than the password */
    {"Zhang-san-2024", "zhang_san", 0},
    /* non-ASCII: code points, not bytes */
    {"学籍管理系统密码安全", NULL, CLASSES},       /* 10 characters, 30 bytes: "other" only */
    {"学籍管理系统密码安全12", NULL, CLASSES},     /* other + digit */
    {"学籍管理系统密码a1", NULL, 0},               /* 10 characters: other, lower, digit */
    {"学籍管理系统a1", NULL, SHORT},               /* 8 characters in 20 bytes */
    {"学籍管理系统密码安", NULL, SHORT | CLASSES}, /* 9 characters in 27 bytes */
    {"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
     "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
     "a",
     NULL, SHORT | CLASSES}, /* 8 emoji (4 bytes each) and a letter: 9 characters */
    {"Ünïcödé-Pässwörd", NULL, 0},
    {"张老师好Abc123", "张老师好", USER}, /* a 4-character Chinese username */
    {"张老师Abc12345", "张老师", 0},      /* 3 characters: only equality counts */
    {"ÄBCD-xyz-12", "Äbcd", USER},        /* ASCII letters fold, Ä matches exactly */
    {"äbcd-xyz-12", "Äbcd", 0},           /* non-ASCII letters do not fold */
};

START_TEST(test_rules)
{
    expect(rows[_i].pw, rows[_i].user, rows[_i].want);
}
END_TEST

START_TEST(test_null_password)
{
    expect(NULL, NULL, SHORT | CLASSES);
    expect(NULL, "admin", SHORT | CLASSES);
}
END_TEST

/* ---- length boundaries -------------------------------------------------- */

/* `prefix` then `fill` up to `n` bytes. */
static char *
build(const char *prefix, const char *fill, size_t n)
{
    char *s = malloc(n + 1);
    size_t p = strlen(prefix), f = strlen(fill);

    ck_assert_ptr_nonnull(s);
    memcpy(s, prefix, p);
    while (p + f <= n) {
        memcpy(s + p, fill, f);
        p += f;
    }
    ck_assert_int_eq(p, n);
    s[n] = '\0';
    return s;
}

static const struct {
    const char *prefix, *fill;
    size_t bytes;
    const char *user;
    int want;
} len_rows[] = {
    {"Aa1", "x", 10, NULL, 0},
    {"Aa1", "x", 9, NULL, SHORT},
    {"Aa1", "x", 128, NULL, 0},
    {"Aa1", "x", 129, NULL, LONG},
    {"Aa1", "x", 4096, NULL, LONG},
    {"", "a", 129, NULL, LONG | CLASSES},
    {"", "a", 129, "aaaa", LONG | CLASSES | USER},
    {"", "a", 129, "AAAA", LONG | CLASSES | USER},
    {"a1", "学", 128, NULL, 0},            /* 42 characters of 3 bytes and two letters */
    {"a1", "学", 131, NULL, LONG},         /* 43 characters: 131 bytes */
    {"", "学", 129, NULL, LONG | CLASSES}, /* 43 characters, one class */
    {"", "Aa1!", 128, "a1!a", USER},
    {"", "Aa1!", 132, "a1!a", LONG | USER},
};

START_TEST(test_lengths)
{
    char *pw = build(len_rows[_i].prefix, len_rows[_i].fill, len_rows[_i].bytes);

    expect(pw, len_rows[_i].user, len_rows[_i].want);
    free(pw);
}
END_TEST

/* ---- the error value ---------------------------------------------------- */

/* Items are appended to what the caller has already collected. */
START_TEST(test_appends_items)
{
    app_err err = {0};

    app_err_add(&err, "/old_password", "required", NULL);
    ck_assert_int_eq(core_password_check("short", "bob", &err), APP_EINVAL);
    ck_assert_int_eq(err.nitems, 3);
    ck_assert_str_eq(err.items[0].code, "required");
    ck_assert_str_eq(err.items[1].code, "password_too_short");
    ck_assert_str_eq(err.items[2].code, "password_classes");
}
END_TEST

START_TEST(test_pass_leaves_err)
{
    app_err err = {0};

    ck_assert_int_eq(core_password_check("Correct-Horse-9", "horse", &err), APP_EINVAL);
    app_err_clear(&err);
    ck_assert_int_eq(core_password_check("Correct-Horse-9", "pony", &err), 0);
    ck_assert_int_eq(err.code, APP_OK);
    ck_assert_ptr_null(err.slug);
    ck_assert_int_eq(err.nitems, 0);
}
END_TEST

START_TEST(test_constants)
{
    ck_assert_int_eq(CORE_PASSWORD_MIN_CHARS, 10);
    ck_assert_int_eq(CORE_PASSWORD_MAX_BYTES, 128);
    ck_assert_int_eq(CORE_PASSWORD_MIN_CLASSES, 3);
    ck_assert_int_eq(CORE_PASSWORD_USERNAME_MIN, 4);
    ck_assert_int_eq(CORE_PASSWORD_GEN_LEN, 16);
}
END_TEST

/* ---- generated passwords ------------------------------------------------ */

#define NGEN 1000

/* splitmix64: a fixed, counter-based stream, so every run tests the same inputs. */
static uint64_t
splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void
random16(unsigned char out[16], uint64_t counter)
{
    uint64_t st = counter;

    for (int i = 0; i < 16; i += 8) {
        uint64_t v = splitmix64(&st);

        for (int j = 0; j < 8; j++)
            out[i + j] = (unsigned char)(v >> (8 * j));
    }
}

static const char allowed[] = "abcdefghijkmnpqrstuvwxyz"
                              "ABCDEFGHJKLMNPQRSTUVWXYZ"
                              "23456789"
                              "-_.!";

static void
check_generated(const char *pw)
{
    int lower = 0, upper = 0, digit = 0, symbol = 0;

    ck_assert_int_eq(strlen(pw), 16);
    for (const char *p = pw; *p; p++) {
        ck_assert_msg(strchr(allowed, *p) != NULL, "'%s': '%c' not allowed", pw, *p);
        ck_assert_ptr_null(strchr("0Oo1lI", *p));
        lower |= *p >= 'a' && *p <= 'z';
        upper |= *p >= 'A' && *p <= 'Z';
        digit |= *p >= '0' && *p <= '9';
        symbol |= strchr("-_.!", *p) != NULL;
    }
    ck_assert_msg(lower && upper && digit && symbol, "'%s' lacks a class", pw);
    expect(pw, NULL, 0);
    expect(pw, "admin", 0);
    expect(pw, "zhangsan", 0);
}

static int
cmp16(const void *a, const void *b)
{
    return memcmp(a, b, 17);
}

START_TEST(test_generate_many)
{
    static char pws[NGEN][17];
    int seen[256] = {0};

    for (int i = 0; i < NGEN; i++) {
        unsigned char rnd[16], copy[16];

        random16(rnd, (uint64_t)i);
        memcpy(copy, rnd, sizeof(rnd));
        memset(pws[i], '#', sizeof(pws[i]));
        core_password_generate(pws[i], rnd);
        ck_assert_int_eq(memcmp(rnd, copy, sizeof(rnd)), 0); /* input untouched */
        check_generated(pws[i]);
        for (int k = 0; k < 16; k++)
            seen[(unsigned char)pws[i][k]]++;
    }
    /* 16,000 characters use the whole alphabet (about 267 of each expected) */
    for (const char *p = allowed; *p; p++)
        ck_assert_msg(seen[(unsigned char)*p] > 100, "'%c' seen %d times", *p,
                      seen[(unsigned char)*p]);
    /* and no two passwords are alike */
    qsort(pws, NGEN, sizeof(pws[0]), cmp16);
    for (int i = 1; i < NGEN; i++)
        ck_assert_str_ne(pws[i - 1], pws[i]);
}
END_TEST

/* Every position holds each required class sometimes: they are not pinned. */
START_TEST(test_generate_positions)
{
    int digit_at[16] = {0}, symbol_at[16] = {0};

    for (int i = 0; i < NGEN; i++) {
        unsigned char rnd[16];
        char pw[17];

        random16(rnd, (uint64_t)i + 1000000);
        core_password_generate(pw, rnd);
        for (int k = 0; k < 16; k++) {
            digit_at[k] += pw[k] >= '2' && pw[k] <= '9';
            symbol_at[k] += strchr("-_.!", pw[k]) != NULL;
        }
    }
    for (int k = 0; k < 16; k++)
        ck_assert_msg(digit_at[k] > 0 && symbol_at[k] > 0, "position %d", k);
}
END_TEST

static const unsigned char edge_inputs[][16] = {
    {0},
    {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff},
    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    {0x80},
};

START_TEST(test_generate_edges)
{
    char pw[18];

    memset(pw, '#', sizeof(pw));
    core_password_generate(pw, edge_inputs[_i]);
    ck_assert_int_eq(pw[17], '#'); /* writes exactly 17 bytes */
    check_generated(pw);
}
END_TEST

START_TEST(test_generate_deterministic)
{
    unsigned char rnd[16];
    char a[17], b[17], c[17];

    random16(rnd, 42);
    core_password_generate(a, rnd);
    core_password_generate(b, rnd);
    ck_assert_str_eq(a, b);
    rnd[15] ^= 1; /* the lowest bit: the first draw (a position) changes */
    core_password_generate(c, rnd);
    ck_assert_str_ne(a, c);
}
END_TEST

static Suite *
password_suite(void)
{
    Suite *s = suite_create("password");
    TCase *tc;

    tc = tcase_create("policy");
    tcase_add_loop_test(tc, test_rules, 0, NELEM(rows));
    tcase_add_test(tc, test_null_password);
    tcase_add_loop_test(tc, test_lengths, 0, NELEM(len_rows));
    tcase_add_test(tc, test_appends_items);
    tcase_add_test(tc, test_pass_leaves_err);
    tcase_add_test(tc, test_constants);
    suite_add_tcase(s, tc);

    tc = tcase_create("generate");
    tcase_add_test(tc, test_generate_many);
    tcase_add_test(tc, test_generate_positions);
    tcase_add_loop_test(tc, test_generate_edges, 0, NELEM(edge_inputs));
    tcase_add_test(tc, test_generate_deterministic);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(password_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
