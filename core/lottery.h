/*
 * core/lottery.h - the draw of a pre-selection round (抽签, ADR 0042): who of
 * a section's candidates gets one of its free seats. Pure: no database, no
 * randomness of its own, so the server, xuejictl lottery-verify and anyone
 * with the published data compute the same result.
 *
 * The seed of a round is BLAKE2b-256 of the round id (8 bytes, big-endian)
 * followed by the 32 revealed bytes (ADR 0039: their SHA-256 is the
 * commitment published when the round is created). Each candidate of a
 * section gets a ticket: the first 8 bytes (big-endian) of BLAKE2b-128 keyed
 * with the seed over the section id (8 bytes, big-endian) followed by the
 * candidate's 学号. Candidates are ranked by ticket ascending (ties, which
 * need a 64-bit collision, by 学号 bytewise); as many win as the section has free seats.
 * Sections are drawn independently (a student preselects at most one section
 * of a course in a term). Nothing depends on the order the candidates come in.
 */
#ifndef CORE_LOTTERY_H
#define CORE_LOTTERY_H

#include <stddef.h>
#include <stdint.h>

#define CORE_LOTTERY_ALGORITHM "xueji-lottery-blake2b/1"
#define CORE_LOTTERY_BYTES 32 /* reveal, commitment and seed */

/* SHA-256 of `reveal`: the commitment it must match. */
void core_lottery_commitment(const unsigned char reveal[CORE_LOTTERY_BYTES],
                             unsigned char out[CORE_LOTTERY_BYTES]);

/* The seed of round `round` from its reveal (see above). */
void core_lottery_seed(long long round, const unsigned char reveal[CORE_LOTTERY_BYTES],
                       unsigned char out[CORE_LOTTERY_BYTES]);

/* A candidate: `key` (the 学号, borrowed, NUL-terminated) is what is hashed;
   `id` is the caller's (the student id) and travels with it; `ticket` is
   set by core_lottery_rank. */
typedef struct core_lottery_cand {
    const char *key;
    long long id;
    uint64_t ticket;
} core_lottery_cand;

/* The ticket of `key` in `section` under `seed`. */
uint64_t core_lottery_ticket(const unsigned char seed[CORE_LOTTERY_BYTES], long long section,
                             const char *key);

/*
 * Rank the `n` candidates of `section` in place (c[0] first) and return the
 * number of winners, min(seats, n) (0 when seats <= 0): c[0..winners-1] are
 * selected, draw rank i + 1 for c[i]. Keys must be distinct.
 */
int core_lottery_rank(const unsigned char seed[CORE_LOTTERY_BYTES], long long section,
                      core_lottery_cand *c, int n, int seats);

/*
 * 1 when a published ranking is the draw: `keys` (n 学号, in the published
 * order) is exactly the ranking core_lottery_rank gives, and `selected[i]`
 * is (i < seats) for each. 0 otherwise; *out_first_bad (may be NULL) gets the
 * first position that differs (-1 when they all match).
 */
int core_lottery_check(const unsigned char seed[CORE_LOTTERY_BYTES], long long section, int seats,
                       const char *const *keys, const int *selected, int n, int *out_first_bad);

#endif
