/*
 * tests/unit/feed_cursor_test.c - the change feed's cursor (core/feed.h):
 * a feed position, 1-18 digits; nothing, or empty, is the start; anything
 * else is refused and leaves the output untouched.
 */
#include "core/feed.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *in;
    int ok;
    long long pos;
} rows[] = {
    {NULL, 1, 0},
    {"", 1, 0},
    {"0", 1, 0},
    {"42", 1, 42},
    {"007", 1, 7},
    {"123456789012345678", 1, 123456789012345678LL}, /* 18 digits */
    {"999999999999999999", 1, 999999999999999999LL},
    {"1234567890123456789", 0, 0}, /* 19 digits */
    {"7731.17", 0, 0},             /* the "<transaction>.<id>" form is gone */
    {"abc", 0, 0},
    {"1.", 0, 0},
    {".1", 0, 0},
    {"-1", 0, 0},
    {"+1", 0, 0},
    {" 1", 0, 0},
    {"1 ", 0, 0},
    {"0x10", 0, 0},
    {"1e3", 0, 0},
};

START_TEST(test_parse)
{
    long long p = -99;
    int rc = core_feed_cursor_parse(rows[_i].in, &p);
    if (!rows[_i].ok) {
        ck_assert_msg(rc == -1, "\"%s\" taken", rows[_i].in);
        ck_assert_int_eq(p, -99); /* untouched */
        return;
    }
    ck_assert_msg(rc == 0, "\"%s\" refused", rows[_i].in ? rows[_i].in : "(null)");
    ck_assert_int_eq(p, rows[_i].pos);
}
END_TEST

/* What GET /events writes as next_cursor ("%lld" of a position) reads back. */
START_TEST(test_written_reads_back)
{
    static const long long pos[] = {0, 1, 17, 999999999999999999LL};
    for (size_t i = 0; i < NELEM(pos); i++) {
        char buf[24];
        snprintf(buf, sizeof(buf), "%lld", pos[i]);
        long long p = -1;
        ck_assert_int_eq(core_feed_cursor_parse(buf, &p), 0);
        ck_assert_int_eq(p, pos[i]);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("feed-cursor");
    TCase *tc = tcase_create("cursor");
    tcase_add_loop_test(tc, test_parse, 0, NELEM(rows));
    tcase_add_test(tc, test_written_reads_back);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
