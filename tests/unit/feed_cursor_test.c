/*
 * tests/unit/feed_cursor_test.c - the change feed's cursor (core/feed.h):
 * the forms it takes, the ones it refuses, and that what it writes reads
 * back as the same place.
 */
#include "core/feed.h"

#include <check.h>
#include <stdio.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
    const char *in;
    int ok, by_id;
    unsigned long long xid;
    long long id;
} rows[] = {
    {NULL, 1, 0, 0, 0},
    {"", 1, 0, 0, 0},
    {"0", 1, 1, 0, 0},
    {"42", 1, 1, 0, 42},
    {"123456789012345678", 1, 1, 0, 123456789012345678LL}, /* 18 digits, as before */
    {"0.0", 1, 0, 0, 0},
    {"0.17", 1, 0, 0, 17},
    {"7731.17", 1, 0, 7731, 17},
    {"9223372036854775807.9223372036854775807", 1, 0, 9223372036854775807ULL,
     9223372036854775807LL},
    {"1234567890123456789", 0, 0, 0, 0}, /* a plain id of 19 digits */
    {"9223372036854775808.1", 0, 0, 0, 0},
    {"1.9223372036854775808", 0, 0, 0, 0},
    {"99999999999999999999.1", 0, 0, 0, 0},
    {"abc", 0, 0, 0, 0},
    {"1.", 0, 0, 0, 0},
    {".1", 0, 0, 0, 0},
    {".", 0, 0, 0, 0},
    {"1.2.3", 0, 0, 0, 0},
    {"-1", 0, 0, 0, 0},
    {"1.-2", 0, 0, 0, 0},
    {"+1", 0, 0, 0, 0},
    {" 1", 0, 0, 0, 0},
    {"1 ", 0, 0, 0, 0},
    {"0x10", 0, 0, 0, 0},
};

START_TEST(test_parse)
{
    db_event_pos p = {.xid = 99, .id = 99, .by_id = 9};
    int rc = core_feed_cursor_parse(rows[_i].in, &p);
    if (!rows[_i].ok) {
        ck_assert_msg(rc == -1, "\"%s\" taken", rows[_i].in);
        ck_assert_int_eq(p.id, 99); /* untouched */
        return;
    }
    ck_assert_msg(rc == 0, "\"%s\" refused", rows[_i].in ? rows[_i].in : "(null)");
    ck_assert_int_eq(p.by_id, rows[_i].by_id);
    ck_assert_uint_eq(p.xid, rows[_i].xid);
    ck_assert_int_eq(p.id, rows[_i].id);
}
END_TEST

/* The cursor of an event reads back as the place just after it. */
START_TEST(test_format_reads_back)
{
    static const unsigned long long xids[] = {0, 1, 7731, 9223372036854775807ULL};
    static const long long ids[] = {1, 17, 9223372036854775807LL};
    for (size_t i = 0; i < NELEM(xids); i++)
        for (size_t j = 0; j < NELEM(ids); j++) {
            db_event_row e = {.ev = {.id = ids[j]}, .xid = xids[i]};
            char buf[CORE_FEED_CURSOR_MAX];
            core_feed_cursor_format(&e, buf);
            ck_assert_uint_lt(strlen(buf), CORE_FEED_CURSOR_MAX);
            db_event_pos p;
            ck_assert_int_eq(core_feed_cursor_parse(buf, &p), 0);
            ck_assert_int_eq(p.by_id, 0);
            ck_assert_uint_eq(p.xid, xids[i]);
            ck_assert_int_eq(p.id, ids[j]);
        }
    db_event_row e = {.ev = {.id = 17}, .xid = 7731};
    char buf[CORE_FEED_CURSOR_MAX];
    core_feed_cursor_format(&e, buf);
    ck_assert_str_eq(buf, "7731.17");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("feed-cursor");
    TCase *tc = tcase_create("cursor");
    tcase_add_loop_test(tc, test_parse, 0, NELEM(rows));
    tcase_add_test(tc, test_format_reads_back);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
