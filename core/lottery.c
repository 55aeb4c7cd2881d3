/*
 * core/lottery.c - the draw of a pre-selection round (core/lottery.h).
 */
#include "core/lottery.h"

#include "base/arena.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static void
put_be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)(v & 0xff);
        v >>= 8;
    }
}

void
core_lottery_commitment(const unsigned char reveal[CORE_LOTTERY_BYTES],
                        unsigned char out[CORE_LOTTERY_BYTES])
{
    crypto_hash_sha256(out, reveal, CORE_LOTTERY_BYTES);
}

void
core_lottery_seed(long long round, const unsigned char reveal[CORE_LOTTERY_BYTES],
                  unsigned char out[CORE_LOTTERY_BYTES])
{
    unsigned char in[8 + CORE_LOTTERY_BYTES];
    put_be64(in, (uint64_t)round);
    memcpy(in + 8, reveal, CORE_LOTTERY_BYTES);
    crypto_generichash(out, CORE_LOTTERY_BYTES, in, sizeof(in), NULL, 0);
}

uint64_t
core_lottery_ticket(const unsigned char seed[CORE_LOTTERY_BYTES], long long section,
                    const char *key)
{
    crypto_generichash_state st;
    unsigned char sec[8], h[16];
    put_be64(sec, (uint64_t)section);
    crypto_generichash_init(&st, seed, CORE_LOTTERY_BYTES, sizeof(h));
    crypto_generichash_update(&st, sec, sizeof(sec));
    crypto_generichash_update(&st, (const unsigned char *)key, strlen(key));
    crypto_generichash_final(&st, h, sizeof(h));
    uint64_t t = 0;
    for (int i = 0; i < 8; i++)
        t = (t << 8) | h[i];
    return t;
}

static int
by_ticket(const void *a, const void *b)
{
    const core_lottery_cand *x = a, *y = b;
    if (x->ticket != y->ticket)
        return x->ticket < y->ticket ? -1 : 1;
    return strcmp(x->key, y->key);
}

int
core_lottery_rank(const unsigned char seed[CORE_LOTTERY_BYTES], long long section,
                  core_lottery_cand *c, int n, int seats)
{
    if (n <= 0)
        return 0;
    for (int i = 0; i < n; i++)
        c[i].ticket = core_lottery_ticket(seed, section, c[i].key);
    qsort(c, (size_t)n, sizeof(*c), by_ticket);
    if (seats <= 0)
        return 0;
    return seats < n ? seats : n;
}

int
core_lottery_check(const unsigned char seed[CORE_LOTTERY_BYTES], long long section, int seats,
                   const char *const *keys, const int *selected, int n, int *out_first_bad)
{
    int bad = -1;
    core_lottery_cand *c = n > 0 ? xcalloc((size_t)n, sizeof(*c)) : NULL;
    for (int i = 0; i < n; i++)
        c[i].key = keys[i];
    int winners = core_lottery_rank(seed, section, c, n, seats);
    for (int i = 0; i < n && bad < 0; i++)
        if (strcmp(c[i].key, keys[i]) != 0 || (selected[i] != 0) != (i < winners))
            bad = i;
    free(c);
    if (out_first_bad)
        *out_first_bad = bad;
    return bad < 0;
}
