/*
 * tests/unit/replica_test.c - the WAL positions a client quotes back to read
 * its own writes on a replica (core/replica.h).
 */
#include "core/replica.h"

#include <check.h>
#include <stdlib.h>

START_TEST(test_lsn_valid)
{
    static const char *const good[] = {"0/0", "0/16B3748", "FFFFFFFF/FFFFFFFF", "a/b", "1A/0"};
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        ck_assert_msg(core_lsn_valid(good[i]), "%s refused", good[i]);
    static const char *const bad[] = {"",     "0",    "/0",          "0/",          "0/0/0",
                                      "g/0",  "0/-1", "123456789/0", "0/123456789", " 0/0",
                                      "0/0 ", "0x1/0"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        ck_assert_msg(!core_lsn_valid(bad[i]), "%s accepted", bad[i]);
    ck_assert(!core_lsn_valid(NULL));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("replica");
    TCase *tc = tcase_create("lsn");
    tcase_add_test(tc, test_lsn_valid);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
