/*
 * tests/unit/pii_test.c - encryption at rest and blind indexes.
 */
#include "base/err.h"
#include "core/pii.h"

#include <check.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define CANARY 0xA5

static const char ID18[] = "410102199001011234";

/* Three distinct master keys: every byte = 0x11, 0x22, 0x33. */
static unsigned char key_old[CORE_PII_KEY_BYTES];
static unsigned char key_new[CORE_PII_KEY_BYTES];
static unsigned char key_other[CORE_PII_KEY_BYTES];

static void
setup(void)
{
    ck_assert_int_ge(sodium_init(), 0);
    memset(key_old, 0x11, sizeof(key_old));
    memset(key_new, 0x22, sizeof(key_new));
    memset(key_other, 0x33, sizeof(key_other));
}

/* A ring of up to three of the keys above (NULL ends the list early). */
static core_pii_ring *
ring_of(const unsigned char *a, const unsigned char *b, const unsigned char *c)
{
    unsigned char keys[3][CORE_PII_KEY_BYTES];
    const unsigned char *src[3] = {a, b, c};
    int n = 0;
    core_pii_ring *r;

    for (; n < 3 && src[n] != NULL; n++)
        memcpy(keys[n], src[n], CORE_PII_KEY_BYTES);
    r = core_pii_ring_new((const unsigned char(*)[CORE_PII_KEY_BYTES])keys, n);
    ck_assert_ptr_nonnull(r);
    sodium_memzero(keys, sizeof(keys));
    return r;
}

/* Encrypt `s` (length n) into out (cap 512) and return the stored length. */
static size_t
seal(const core_pii_ring *r, const char *s, size_t n, unsigned char *out)
{
    size_t len = 0;

    ck_assert_int_eq(core_pii_encrypt(r, s, n, out, 512, &len), 0);
    ck_assert_uint_eq(len, n + CORE_PII_OVERHEAD);
    return len;
}

/* ---- round trips -------------------------------------------------------- */

START_TEST(test_round_trip)
{
    char big[201];
    const char *vals[3];
    size_t lens[3] = {0, 18, 200};
    unsigned char ct[512];
    char pt[512];
    size_t ctlen, ptlen = 99;
    core_pii_ring *r = ring_of(key_new, NULL, NULL);

    for (int i = 0; i < 200; i++)
        big[i] = (char)(i * 7 + 1); /* every byte value class, including NUL */
    big[200] = '\0';
    vals[0] = "";
    vals[1] = ID18;
    vals[2] = big;

    ctlen = seal(r, vals[_i], lens[_i], ct);
    memset(pt, '#', sizeof(pt));
    ck_assert_int_eq(core_pii_decrypt(r, ct, ctlen, pt, sizeof(pt), &ptlen), 0);
    ck_assert_uint_eq(ptlen, lens[_i]);
    ck_assert_mem_eq(pt, vals[_i], lens[_i]);
    ck_assert_int_eq(pt[lens[_i]], '\0');
    ck_assert_int_eq(pt[lens[_i] + 1], '#');
    ck_assert_int_eq(core_pii_decrypt_key_index(r, ct, ctlen), 0);
    core_pii_ring_free(r);
}
END_TEST

/* Empty input may come with a NULL pointer. */
START_TEST(test_null_empty)
{
    unsigned char ct[64];
    char pt[4];
    size_t ctlen = 0, ptlen = 9;
    core_pii_ring *r = ring_of(key_new, NULL, NULL);

    ck_assert_int_eq(core_pii_encrypt(r, NULL, 0, ct, sizeof(ct), &ctlen), 0);
    ck_assert_uint_eq(ctlen, CORE_PII_OVERHEAD);
    ck_assert_int_eq(core_pii_decrypt(r, ct, ctlen, pt, 1, &ptlen), 0);
    ck_assert_uint_eq(ptlen, 0);
    ck_assert_int_eq(pt[0], '\0');
    core_pii_ring_free(r);
}
END_TEST

/* A fresh nonce each time: equal values give different ciphertexts. */
START_TEST(test_nonce_differs)
{
    unsigned char a[512], b[512];
    char pa[64], pb[64];
    size_t la, lb, n;
    core_pii_ring *r = ring_of(key_new, NULL, NULL);

    la = seal(r, ID18, 18, a);
    lb = seal(r, ID18, 18, b);
    ck_assert_uint_eq(la, lb);
    ck_assert_int_ne(memcmp(a, b, la), 0);
    ck_assert_int_ne(memcmp(a + 5, b + 5, 24), 0); /* the nonces */
    ck_assert_int_eq(core_pii_decrypt(r, a, la, pa, sizeof(pa), &n), 0);
    ck_assert_int_eq(core_pii_decrypt(r, b, lb, pb, sizeof(pb), &n), 0);
    ck_assert_str_eq(pa, ID18);
    ck_assert_str_eq(pb, ID18);
    core_pii_ring_free(r);
}
END_TEST

/* The stored bytes follow the documented format, checked with libsodium directly. */
START_TEST(test_format)
{
    unsigned char ct[512], sub[32], h[32], pt[64];
    unsigned long long mlen;
    size_t len;
    uint32_t id;
    crypto_generichash_state st;
    core_pii_ring *r = ring_of(key_new, NULL, NULL);

    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    crypto_generichash_update(&st, (const unsigned char *)"xueji-key-id", 12);
    crypto_generichash_update(&st, key_new, sizeof(key_new));
    crypto_generichash_final(&st, h, sizeof(h));
    id = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    ck_assert_uint_eq(core_pii_key_id(r, 0), id);

    len = seal(r, ID18, 18, ct);
    ck_assert_int_eq(ct[0], 0x01);
    ck_assert_mem_eq(ct + 1, h, 4);
    crypto_kdf_derive_from_key(sub, sizeof(sub), 1, "xuejipii", key_new);
    ck_assert_int_eq(crypto_aead_xchacha20poly1305_ietf_decrypt(pt, &mlen, NULL, ct + 29, len - 29,
                                                                ct, 5, ct + 5, sub),
                     0);
    ck_assert_uint_eq(mlen, 18);
    ck_assert_mem_eq(pt, ID18, 18);
    core_pii_ring_free(r);
}
END_TEST

/* ---- tampering ---------------------------------------------------------- */

START_TEST(test_bit_flip)
{
    unsigned char ct[512];
    char pt[64];
    size_t len, n;
    core_pii_ring *r = ring_of(key_new, key_old, NULL);

    len = seal(r, ID18, 18, ct);
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            ct[i] ^= (unsigned char)(1u << bit);
            memset(pt, '#', sizeof(pt));
            n = 99;
            ck_assert_msg(core_pii_decrypt(r, ct, len, pt, sizeof(pt), &n) == APP_EINVAL,
                          "byte %zu bit %d accepted", i, bit);
            ck_assert_uint_eq(n, 0);
            ck_assert_msg(memchr(pt, '4', sizeof(pt)) == NULL, "plaintext left in out");
            ct[i] ^= (unsigned char)(1u << bit);
        }
    }
    ck_assert_int_eq(core_pii_decrypt(r, ct, len, pt, sizeof(pt), &n), 0);
    ck_assert_str_eq(pt, ID18);
    core_pii_ring_free(r);
}
END_TEST

START_TEST(test_truncated)
{
    unsigned char ct[512];
    char pt[64];
    size_t len, n;
    core_pii_ring *r = ring_of(key_new, NULL, NULL);

    len = seal(r, ID18, 18, ct);
    for (size_t k = 0; k < len; k++) {
        ck_assert_msg(core_pii_decrypt(r, ct, k, pt, sizeof(pt), &n) == APP_EINVAL,
                      "prefix %zu accepted", k);
        if (k < CORE_PII_OVERHEAD)
            ck_assert_int_eq(core_pii_decrypt_key_index(r, ct, k), -1);
    }
    ct[len] = 0;
    ck_assert_int_eq(core_pii_decrypt(r, ct, len + 1, pt, sizeof(pt), &n), APP_EINVAL);
    ck_assert_int_eq(core_pii_decrypt(r, NULL, 0, pt, sizeof(pt), &n), APP_EINVAL);
    ck_assert_int_eq(core_pii_decrypt_key_index(r, NULL, 0), -1);
    core_pii_ring_free(r);
}
END_TEST

START_TEST(test_bad_version)
{
    unsigned char ct[512];
    char pt[64];
    size_t len, n;
    core_pii_ring *r = ring_of(key_new, NULL, NULL);

    len = seal(r, ID18, 18, ct);
    ct[0] = 0x02;
    ck_assert_int_eq(core_pii_decrypt(r, ct, len, pt, sizeof(pt), &n), APP_EINVAL);
    ck_assert_int_eq(core_pii_decrypt_key_index(r, ct, len), -1);
    core_pii_ring_free(r);
}
END_TEST

/* ---- rotation ----------------------------------------------------------- */

START_TEST(test_rotation)
{
    unsigned char ct_old[512], ct_new[512];
    char pt[64];
    size_t lo, ln, n;
    core_pii_ring *old = ring_of(key_old, NULL, NULL);
    core_pii_ring *both = ring_of(key_new, key_old, NULL);

    ck_assert_int_eq(core_pii_ring_count(old), 1);
    ck_assert_int_eq(core_pii_ring_count(both), 2);
    ck_assert_uint_eq(core_pii_key_id(both, 1), core_pii_key_id(old, 0));

    lo = seal(old, ID18, 18, ct_old);
    ck_assert_int_eq(core_pii_decrypt_key_index(both, ct_old, lo), 1);
    ck_assert_int_eq(core_pii_decrypt(both, ct_old, lo, pt, sizeof(pt), &n), 0);
    ck_assert_str_eq(pt, ID18);

    /* the new ring encrypts under the new key, which the old ring does not know */
    ln = seal(both, ID18, 18, ct_new);
    ck_assert_int_eq(core_pii_decrypt_key_index(both, ct_new, ln), 0);
    ck_assert_int_eq(core_pii_decrypt_key_index(old, ct_new, ln), -1);
    ck_assert_int_eq(core_pii_decrypt(old, ct_new, ln, pt, sizeof(pt), &n), APP_EINVAL);

    core_pii_ring_free(old);
    core_pii_ring_free(both);
}
END_TEST

START_TEST(test_other_ring)
{
    unsigned char ct[512];
    char pt[64];
    size_t len, n;
    core_pii_ring *r = ring_of(key_new, key_old, NULL);
    core_pii_ring *other = ring_of(key_other, NULL, NULL);

    len = seal(r, ID18, 18, ct);
    ck_assert_int_eq(core_pii_decrypt_key_index(other, ct, len), -1);
    ck_assert_int_eq(core_pii_decrypt(other, ct, len, pt, sizeof(pt), &n), APP_EINVAL);
    /* claiming the other key's id does not help: authentication fails */
    {
        uint32_t id = core_pii_key_id(other, 0);
        ct[1] = (unsigned char)(id >> 24);
        ct[2] = (unsigned char)(id >> 16);
        ct[3] = (unsigned char)(id >> 8);
        ct[4] = (unsigned char)id;
    }
    ck_assert_int_eq(core_pii_decrypt_key_index(other, ct, len), 0);
    ck_assert_int_eq(core_pii_decrypt(other, ct, len, pt, sizeof(pt), &n), APP_EINVAL);
    core_pii_ring_free(r);
    core_pii_ring_free(other);
}
END_TEST

/* ---- blind index -------------------------------------------------------- */

START_TEST(test_blind_index)
{
    unsigned char a[CORE_PII_BIDX_BYTES], b[CORE_PII_BIDX_BYTES];
    core_pii_ring *r = ring_of(key_new, key_old, NULL);
    core_pii_ring *old = ring_of(key_old, NULL, NULL);
    core_pii_ring *r2 = ring_of(key_new, NULL, NULL);

    /* deterministic, also across rings holding the same key */
    core_pii_blind_index(r, 0, "id:1", ID18, 18, a);
    core_pii_blind_index(r2, 0, "id:1", ID18, 18, b);
    ck_assert_mem_eq(a, b, sizeof(a));

    /* differs by domain */
    core_pii_blind_index(r, 0, "id:2", ID18, 18, b);
    ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0);
    core_pii_blind_index(r, 0, "stuno", ID18, 18, b);
    ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0);

    /* differs by key; an old key in the ring indexes as it did alone */
    core_pii_blind_index(r, 1, "id:1", ID18, 18, b);
    ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0);
    core_pii_blind_index(old, 0, "id:1", ID18, 18, a);
    ck_assert_mem_eq(a, b, sizeof(a));

    /* differs by value, including by a prefix */
    core_pii_blind_index(r, 0, "phone", "13812345678", 11, a);
    core_pii_blind_index(r, 0, "phone", "13812345679", 11, b);
    ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0);
    core_pii_blind_index(r, 0, "phone", "13812345678", 10, b);
    ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0);

    /* the separator keeps domain and value apart: "ab"+"c" != "a"+"bc" */
    core_pii_blind_index(r, 0, "ab", "c", 1, a);
    core_pii_blind_index(r, 0, "a", "bc", 2, b);
    ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0);

    core_pii_ring_free(r);
    core_pii_ring_free(old);
    core_pii_ring_free(r2);
}
END_TEST

/* The index is keyed BLAKE2b-256 over domain || 0x00 || value with subkey 2. */
START_TEST(test_blind_index_format)
{
    unsigned char a[CORE_PII_BIDX_BYTES], b[CORE_PII_BIDX_BYTES], sub[32];
    unsigned char msg[64];
    core_pii_ring *r = ring_of(key_new, NULL, NULL);

    core_pii_blind_index(r, 0, "stuno", "G410102199001011234", 19, a);
    crypto_kdf_derive_from_key(sub, sizeof(sub), 2, "xuejipii", key_new);
    memcpy(msg, "stuno", 5);
    msg[5] = 0;
    memcpy(msg + 6, "G410102199001011234", 19);
    crypto_generichash(b, sizeof(b), msg, 25, sub, sizeof(sub));
    ck_assert_mem_eq(a, b, sizeof(a));
    core_pii_ring_free(r);
}
END_TEST

/* ---- the ring ----------------------------------------------------------- */

START_TEST(test_key_ids)
{
    core_pii_ring *r = ring_of(key_new, key_old, key_other);

    ck_assert_int_eq(core_pii_ring_count(r), 3);
    ck_assert_uint_ne(core_pii_key_id(r, 0), core_pii_key_id(r, 1));
    ck_assert_uint_ne(core_pii_key_id(r, 0), core_pii_key_id(r, 2));
    ck_assert_uint_ne(core_pii_key_id(r, 1), core_pii_key_id(r, 2));
    core_pii_ring_free(r);
}
END_TEST

START_TEST(test_ring_new_bad)
{
    unsigned char keys[CORE_PII_MAX_KEYS + 1][CORE_PII_KEY_BYTES];
    const unsigned char(*k)[CORE_PII_KEY_BYTES] = (const unsigned char(*)[CORE_PII_KEY_BYTES])keys;
    core_pii_ring *r;

    for (int i = 0; i < CORE_PII_MAX_KEYS + 1; i++)
        memset(keys[i], i + 1, CORE_PII_KEY_BYTES);
    ck_assert_ptr_null(core_pii_ring_new(k, 0));
    ck_assert_ptr_null(core_pii_ring_new(k, -1));
    ck_assert_ptr_null(core_pii_ring_new(k, 9));
    ck_assert_ptr_null(core_pii_ring_new(NULL, 1));
    r = core_pii_ring_new(k, 8);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(core_pii_ring_count(r), 8);
    core_pii_ring_free(r);
    core_pii_ring_free(NULL);

    /* the same key twice would make a key id ambiguous */
    memcpy(keys[2], keys[0], CORE_PII_KEY_BYTES);
    ck_assert_ptr_null(core_pii_ring_new(k, 3));
}
END_TEST

/* ---- buffer sizes ------------------------------------------------------- */

START_TEST(test_cap_too_small)
{
    unsigned char ct[512], ok[512];
    char pt[64];
    size_t len, n = 99, need = 18 + CORE_PII_OVERHEAD;
    core_pii_ring *r = ring_of(key_new, NULL, NULL);

    /* encrypt: one byte short writes nothing at all */
    memset(ct, CANARY, sizeof(ct));
    ck_assert_int_eq(core_pii_encrypt(r, ID18, 18, ct, need - 1, &n), APP_EINVAL);
    ck_assert_uint_eq(n, 0);
    for (size_t i = 0; i < sizeof(ct); i++)
        ck_assert_msg(ct[i] == CANARY, "encrypt wrote byte %zu", i);
    ck_assert_int_eq(core_pii_encrypt(r, ID18, 18, ct, 0, &n), APP_EINVAL);
    ck_assert_int_eq(core_pii_encrypt(r, ID18, 18, ct, need, &n), 0);
    ck_assert_uint_eq(n, need);
    ck_assert_int_eq(ct[need], CANARY);

    /* decrypt: needs room for the NUL; nothing at or past cap is written */
    len = seal(r, ID18, 18, ok);
    for (size_t cap = 0; cap <= 18; cap++) {
        memset(pt, CANARY, sizeof(pt));
        n = 99;
        ck_assert_int_eq(core_pii_decrypt(r, ok, len, pt, cap, &n), APP_EINVAL);
        ck_assert_uint_eq(n, 0);
        if (cap > 0)
            ck_assert_int_eq(pt[0], '\0');
        for (size_t i = cap; i < sizeof(pt); i++)
            ck_assert_msg((unsigned char)pt[i] == CANARY, "cap %zu: byte %zu written", cap, i);
    }
    ck_assert_int_eq(core_pii_decrypt(r, ok, len, NULL, 0, &n), APP_EINVAL);
    memset(pt, CANARY, sizeof(pt));
    ck_assert_int_eq(core_pii_decrypt(r, ok, len, pt, 19, &n), 0);
    ck_assert_str_eq(pt, ID18);
    ck_assert_int_eq((unsigned char)pt[19], CANARY);
    core_pii_ring_free(r);
}
END_TEST

static Suite *
pii_suite(void)
{
    Suite *s = suite_create("pii");
    TCase *tc;

    tc = tcase_create("round_trip");
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_add_loop_test(tc, test_round_trip, 0, 3);
    tcase_add_test(tc, test_null_empty);
    tcase_add_test(tc, test_nonce_differs);
    tcase_add_test(tc, test_format);
    suite_add_tcase(s, tc);

    tc = tcase_create("tampering");
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_bit_flip);
    tcase_add_test(tc, test_truncated);
    tcase_add_test(tc, test_bad_version);
    suite_add_tcase(s, tc);

    tc = tcase_create("keys");
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_rotation);
    tcase_add_test(tc, test_other_ring);
    tcase_add_test(tc, test_key_ids);
    tcase_add_test(tc, test_ring_new_bad);
    suite_add_tcase(s, tc);

    tc = tcase_create("blind_index");
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_blind_index);
    tcase_add_test(tc, test_blind_index_format);
    suite_add_tcase(s, tc);

    tc = tcase_create("bounds");
    tcase_add_unchecked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_cap_too_small);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(pii_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
