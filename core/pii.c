/*
 * core/pii.c - encryption at rest and blind indexes for personal data.
 */
#include "core/pii.h"

#include "base/err.h"

#include <assert.h>
#include <sodium.h>
#include <string.h>

#define VERSION 0x01
#define HEADER_BYTES 5 /* version, key id */
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define KDF_CONTEXT "xuejipii"
#define KDF_ENC 1
#define KDF_IDX 2
#define KEY_ID_PREFIX "xueji-key-id"

_Static_assert(CORE_PII_OVERHEAD == HEADER_BYTES + NONCE_BYTES + TAG_BYTES, "overhead");
_Static_assert(CORE_PII_KEY_BYTES == crypto_kdf_KEYBYTES, "master key size");
_Static_assert(sizeof(KDF_CONTEXT) - 1 == crypto_kdf_CONTEXTBYTES, "kdf context size");
_Static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES >= crypto_kdf_BYTES_MIN &&
                   crypto_aead_xchacha20poly1305_ietf_KEYBYTES <= crypto_kdf_BYTES_MAX,
               "aead key size");
_Static_assert(CORE_PII_BIDX_BYTES >= crypto_generichash_BYTES_MIN &&
                   CORE_PII_BIDX_BYTES <= crypto_generichash_BYTES_MAX,
               "blind index size");

typedef struct pii_key {
    uint32_t id;
    unsigned char enc[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    unsigned char idx[crypto_generichash_KEYBYTES];
} pii_key;

struct core_pii_ring {
    int n;
    pii_key keys[CORE_PII_MAX_KEYS];
};

static uint32_t
key_id(const unsigned char *key)
{
    crypto_generichash_state st;
    unsigned char h[32];
    uint32_t id;

    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    crypto_generichash_update(&st, (const unsigned char *)KEY_ID_PREFIX, sizeof(KEY_ID_PREFIX) - 1);
    crypto_generichash_update(&st, key, CORE_PII_KEY_BYTES);
    crypto_generichash_final(&st, h, sizeof(h));
    id = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    sodium_memzero(&st, sizeof(st));
    return id;
}

/* The key named by a stored value's header, or NULL (short, bad version, unknown id). */
static const pii_key *
find_key(const core_pii_ring *r, const unsigned char *in, size_t len, int *out_index)
{
    uint32_t id;

    if (in == NULL || len < CORE_PII_OVERHEAD || in[0] != VERSION)
        return NULL;
    id = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 8 | in[4];
    for (int i = 0; i < r->n; i++) {
        if (r->keys[i].id == id) {
            if (out_index != NULL)
                *out_index = i;
            return &r->keys[i];
        }
    }
    return NULL;
}

core_pii_ring *
core_pii_ring_new(const unsigned char (*keys)[CORE_PII_KEY_BYTES], int n)
{
    core_pii_ring *r;

    if (keys == NULL || n < 1 || n > CORE_PII_MAX_KEYS)
        return NULL;
    if (sodium_init() < 0)
        return NULL;
    /* sizeof is a multiple of the alignment, so the guard-page-aligned end keeps it aligned. */
    r = sodium_malloc(sizeof(*r));
    if (r == NULL)
        return NULL;
    memset(r, 0, sizeof(*r));
    r->n = n;
    for (int i = 0; i < n; i++) {
        pii_key *k = &r->keys[i];

        k->id = key_id(keys[i]);
        for (int j = 0; j < i; j++) {
            if (r->keys[j].id == k->id) {
                sodium_free(r);
                return NULL;
            }
        }
        crypto_kdf_derive_from_key(k->enc, sizeof(k->enc), KDF_ENC, KDF_CONTEXT, keys[i]);
        crypto_kdf_derive_from_key(k->idx, sizeof(k->idx), KDF_IDX, KDF_CONTEXT, keys[i]);
    }
    /* Best effort: a stray write then faults instead of changing a key. */
    (void)sodium_mprotect_readonly(r);
    return r;
}

void
core_pii_ring_free(core_pii_ring *r)
{
    if (r != NULL)
        sodium_free(r); /* makes it writable again and wipes it */
}

int
core_pii_ring_count(const core_pii_ring *r)
{
    assert(r != NULL);
    return r->n;
}

uint32_t
core_pii_key_id(const core_pii_ring *r, int i)
{
    assert(r != NULL && i >= 0 && i < r->n);
    return r->keys[i].id;
}

int
core_pii_encrypt(const core_pii_ring *r, const char *plain, size_t len, unsigned char *out,
                 size_t cap, size_t *out_len)
{
    const pii_key *k;
    unsigned char *nonce;
    unsigned long long clen;

    assert(r != NULL && out_len != NULL && (plain != NULL || len == 0));
    *out_len = 0;
    if (len > crypto_aead_xchacha20poly1305_ietf_MESSAGEBYTES_MAX ||
        len > SIZE_MAX - CORE_PII_OVERHEAD || cap < len + CORE_PII_OVERHEAD || out == NULL)
        return APP_EINVAL;
    k = &r->keys[0];
    out[0] = VERSION;
    out[1] = (unsigned char)(k->id >> 24);
    out[2] = (unsigned char)(k->id >> 16);
    out[3] = (unsigned char)(k->id >> 8);
    out[4] = (unsigned char)k->id;
    nonce = out + HEADER_BYTES;
    randombytes_buf(nonce, NONCE_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + HEADER_BYTES + NONCE_BYTES, &clen,
                                               (const unsigned char *)(plain != NULL ? plain : ""),
                                               len, out, HEADER_BYTES, NULL, nonce, k->enc);
    *out_len = HEADER_BYTES + NONCE_BYTES + (size_t)clen;
    return 0;
}

int
core_pii_decrypt(const core_pii_ring *r, const unsigned char *in, size_t len, char *out, size_t cap,
                 size_t *out_len)
{
    const pii_key *k;
    size_t mlen;

    assert(r != NULL && out_len != NULL && (out != NULL || cap == 0));
    *out_len = 0;
    if (cap > 0)
        out[0] = '\0';
    k = find_key(r, in, len, NULL);
    if (k == NULL)
        return APP_EINVAL;
    mlen = len - CORE_PII_OVERHEAD;
    if (cap < mlen + 1)
        return APP_EINVAL;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            (unsigned char *)out, NULL, NULL, in + HEADER_BYTES + NONCE_BYTES,
            len - HEADER_BYTES - NONCE_BYTES, in, HEADER_BYTES, in + HEADER_BYTES, k->enc) != 0) {
        sodium_memzero(out, mlen + 1); /* libsodium clears it too; do not rely on that */
        return APP_EINVAL;
    }
    out[mlen] = '\0';
    *out_len = mlen;
    return 0;
}

int
core_pii_decrypt_key_index(const core_pii_ring *r, const unsigned char *in, size_t len)
{
    int i = -1;

    assert(r != NULL);
    if (find_key(r, in, len, &i) == NULL)
        return -1;
    return i;
}

void
core_pii_blind_index(const core_pii_ring *r, int key_index, const char *domain, const char *value,
                     size_t len, unsigned char out[CORE_PII_BIDX_BYTES])
{
    crypto_generichash_state st;
    const pii_key *k;
    static const unsigned char sep = 0x00;

    assert(r != NULL && key_index >= 0 && key_index < r->n);
    assert(domain != NULL && (value != NULL || len == 0) && out != NULL);
    k = &r->keys[key_index];
    crypto_generichash_init(&st, k->idx, sizeof(k->idx), CORE_PII_BIDX_BYTES);
    crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain));
    crypto_generichash_update(&st, &sep, 1);
    if (len > 0)
        crypto_generichash_update(&st, (const unsigned char *)value, len);
    crypto_generichash_final(&st, out, CORE_PII_BIDX_BYTES);
    sodium_memzero(&st, sizeof(st)); /* holds key material */
}
