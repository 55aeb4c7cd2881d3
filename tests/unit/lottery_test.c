/*
 * tests/unit/lottery_test.c - the draw of a pre-selection round
 * (core/lottery.h, ADR 0042): the same seed gives the same ranking and
 * another seed another; the commitment and the seed; fairness by
 * chi-square over 30,000 seeds (every candidate wins and comes first
 * equally often, whatever the order of their 学号); the order the
 * candidates come in changes nothing; no candidates, free >= candidates,
 * free = 0; a published ranking checks, a tampered one does not.
 */
#include "core/lottery.h"

#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define NC 12
#define SEATS 4
#define DRAWS 30000
/* chi-square with 11 degrees of freedom at p = 0.001 */
#define CHI2_11_P001 31.264

static char keys[NC][16];

static void
make_keys(void)
{
    for (int i = 0; i < NC; i++)
        snprintf(keys[i], sizeof(keys[i]), "2026%06d", 1000 + i * 7);
}

static void
fill(core_lottery_cand *c, const int *order)
{
    for (int i = 0; i < NC; i++) {
        int k = order ? order[i] : i;
        c[i].key = keys[k];
        c[i].id = k;
    }
}

static void
seed_of(long long round, unsigned char seed[32])
{
    unsigned char reveal[32];
    memset(reveal, 0xA5, sizeof(reveal));
    core_lottery_seed(round, reveal, seed);
}

START_TEST(test_same_seed_same_ranking)
{
    unsigned char seed[32];
    seed_of(42, seed);
    core_lottery_cand a[NC], b[NC];
    fill(a, NULL);
    fill(b, NULL);
    ck_assert_int_eq(core_lottery_rank(seed, 7, a, NC, SEATS), SEATS);
    ck_assert_int_eq(core_lottery_rank(seed, 7, b, NC, SEATS), SEATS);
    for (int i = 0; i < NC; i++)
        ck_assert_int_eq(a[i].id, b[i].id);
    for (int i = 1; i < NC; i++)
        ck_assert(a[i - 1].ticket <= a[i].ticket);
}
END_TEST

START_TEST(test_another_seed_another_ranking)
{
    unsigned char s1[32], s2[32];
    seed_of(42, s1);
    seed_of(43, s2);
    ck_assert(memcmp(s1, s2, 32) != 0);
    core_lottery_cand a[NC], b[NC];
    fill(a, NULL);
    fill(b, NULL);
    core_lottery_rank(s1, 7, a, NC, SEATS);
    core_lottery_rank(s2, 7, b, NC, SEATS);
    int same = 1;
    for (int i = 0; i < NC; i++)
        same &= a[i].id == b[i].id;
    ck_assert_msg(!same, "two seeds gave the same ranking of 12");
    /* another section under the same seed is another draw as well */
    core_lottery_cand c[NC];
    fill(c, NULL);
    core_lottery_rank(s1, 8, c, NC, SEATS);
    same = 1;
    for (int i = 0; i < NC; i++)
        same &= a[i].id == c[i].id;
    ck_assert(!same);
}
END_TEST

START_TEST(test_seed_and_commitment)
{
    unsigned char reveal[32], seed[32], again[32], other[32], com[32];
    memset(reveal, 0xA5, sizeof(reveal));
    core_lottery_seed(42, reveal, seed);
    core_lottery_seed(42, reveal, again);
    core_lottery_seed(43, reveal, other);
    ck_assert(memcmp(seed, again, 32) == 0);
    ck_assert(memcmp(seed, other, 32) != 0);
    /* BLAKE2b-256 of 00..00 2a || reveal, computed independently of the module */
    unsigned char in[40], want[32];
    memset(in, 0, 8);
    in[7] = 42;
    memcpy(in + 8, reveal, 32);
    crypto_generichash(want, 32, in, sizeof(in), NULL, 0);
    ck_assert(memcmp(seed, want, 32) == 0);
    core_lottery_commitment(reveal, com);
    crypto_hash_sha256(want, reveal, 32);
    ck_assert(memcmp(com, want, 32) == 0);
}
END_TEST

static double
chi2(const long *obs, int n, double expected)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += ((double)obs[i] - expected) * ((double)obs[i] - expected) / expected;
    return s;
}

/* Over DRAWS seeds: how often each key wins and how often it comes first,
   with the candidates handed over in `order`. */
static void
tally(const int *order, long wins[NC], long first[NC])
{
    memset(wins, 0, sizeof(long) * NC);
    memset(first, 0, sizeof(long) * NC);
    for (int d = 0; d < DRAWS; d++) {
        unsigned char seed[32];
        seed_of(d + 1, seed);
        core_lottery_cand c[NC];
        fill(c, order);
        int w = core_lottery_rank(seed, 501, c, NC, SEATS);
        for (int i = 0; i < w; i++)
            wins[c[i].id]++;
        first[c[0].id]++;
    }
}

START_TEST(test_fair_by_chi_square)
{
    long wins[NC], first[NC];
    tally(NULL, wins, first);
    double w = chi2(wins, NC, (double)DRAWS * SEATS / NC);
    double f = chi2(first, NC, (double)DRAWS / NC);
    ck_assert_msg(w < CHI2_11_P001, "wins chi-square %.2f", w);
    ck_assert_msg(f < CHI2_11_P001, "first places chi-square %.2f", f);
    /* the smallest and the largest 学号 win about as often (|diff| < 4 sigma) */
    ck_assert_msg(labs(wins[0] - wins[NC - 1]) < 4 * 115, "%ld vs %ld", wins[0], wins[NC - 1]);
}
END_TEST

START_TEST(test_input_order_changes_nothing)
{
    static const int reversed[NC] = {11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    static const int shuffled[NC] = {5, 0, 11, 3, 8, 1, 10, 6, 2, 9, 4, 7};
    for (int d = 1; d <= 200; d++) {
        unsigned char seed[32];
        seed_of(d, seed);
        core_lottery_cand a[NC], b[NC], c[NC];
        fill(a, NULL);
        fill(b, reversed);
        fill(c, shuffled);
        core_lottery_rank(seed, 9, a, NC, SEATS);
        core_lottery_rank(seed, 9, b, NC, SEATS);
        core_lottery_rank(seed, 9, c, NC, SEATS);
        for (int i = 0; i < NC; i++) {
            ck_assert_int_eq(a[i].id, b[i].id);
            ck_assert_int_eq(a[i].id, c[i].id);
        }
    }
}
END_TEST

START_TEST(test_edges)
{
    unsigned char seed[32];
    seed_of(1, seed);
    core_lottery_cand c[NC];
    ck_assert_int_eq(core_lottery_rank(seed, 1, c, 0, 5), 0); /* no candidates */
    fill(c, NULL);
    ck_assert_int_eq(core_lottery_rank(seed, 1, c, NC, NC), NC); /* free = candidates */
    fill(c, NULL);
    ck_assert_int_eq(core_lottery_rank(seed, 1, c, NC, 100), NC); /* free > candidates */
    fill(c, NULL);
    ck_assert_int_eq(core_lottery_rank(seed, 1, c, NC, 0), 0); /* free = 0 */
    fill(c, NULL);
    ck_assert_int_eq(core_lottery_rank(seed, 1, c, NC, -3), 0); /* over-full: none */
    fill(c, NULL);
    ck_assert_int_eq(core_lottery_rank(seed, 1, c, 1, 1), 1);
}
END_TEST

START_TEST(test_check_published)
{
    unsigned char seed[32];
    seed_of(5, seed);
    core_lottery_cand c[NC];
    fill(c, NULL);
    int w = core_lottery_rank(seed, 3, c, NC, SEATS);
    const char *pub[NC];
    int sel[NC], bad = 0;
    for (int i = 0; i < NC; i++) {
        pub[i] = c[i].key;
        sel[i] = i < w;
    }
    ck_assert_int_eq(core_lottery_check(seed, 3, SEATS, pub, sel, NC, &bad), 1);
    ck_assert_int_eq(bad, -1);
    /* two ranks swapped across the cut */
    const char *t = pub[SEATS - 1];
    pub[SEATS - 1] = pub[SEATS];
    pub[SEATS] = t;
    ck_assert_int_eq(core_lottery_check(seed, 3, SEATS, pub, sel, NC, &bad), 0);
    ck_assert_int_eq(bad, SEATS - 1);
    pub[SEATS] = pub[SEATS - 1];
    pub[SEATS - 1] = t;
    /* the right order with a loser marked selected */
    sel[SEATS] = 1;
    ck_assert_int_eq(core_lottery_check(seed, 3, SEATS, pub, sel, NC, &bad), 0);
    ck_assert_int_eq(bad, SEATS);
    sel[SEATS] = 0;
    /* another seed or section */
    ck_assert_int_eq(core_lottery_check(seed, 4, SEATS, pub, sel, NC, NULL), 0);
    seed[0] ^= 1;
    ck_assert_int_eq(core_lottery_check(seed, 3, SEATS, pub, sel, NC, NULL), 0);
}
END_TEST

static Suite *
lottery_suite(void)
{
    Suite *s = suite_create("lottery");
    TCase *tc = tcase_create("draw");
    tcase_add_test(tc, test_same_seed_same_ranking);
    tcase_add_test(tc, test_another_seed_another_ranking);
    tcase_add_test(tc, test_seed_and_commitment);
    tcase_add_test(tc, test_input_order_changes_nothing);
    tcase_add_test(tc, test_edges);
    tcase_add_test(tc, test_check_published);
    suite_add_tcase(s, tc);
    tc = tcase_create("fairness");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_fair_by_chi_square);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    if (sodium_init() < 0)
        return 1;
    make_keys();
    SRunner *sr = srunner_create(lottery_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
