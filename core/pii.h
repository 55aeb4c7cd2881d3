/*
 * core/pii.h - encryption at rest and blind indexes for personal data
 * (ID numbers, student numbers, phone numbers), through libsodium.
 *
 * A key ring is built once at start from 32-byte master keys and is
 * read-only afterwards, so any number of threads may use one ring at once.
 * From each master key two subkeys are derived with crypto_kdf (context
 * "xuejipii"): subkey 1 encrypts, subkey 2 keys the blind index. Master keys
 * are not kept.
 *
 * A stored value is
 *   0x01 (version) || key id (4 bytes, big-endian) || nonce (24 bytes)
 *   || XChaCha20-Poly1305 IETF ciphertext || tag (16 bytes),
 * with the 5-byte header as additional data. The header binds the key, not
 * the row or column: callers that must stop a value being copied from one
 * row to another need a check of their own.
 *
 * A blind index is a keyed BLAKE2b-256 of domain || 0x00 || value, so a
 * column can be searched by equality without decrypting it. It reveals
 * which rows share a value; it is only as strong as the value is
 * unguessable once the key has leaked.
 *
 * Pure apart from randombytes; no error slugs (callers decide what to say).
 */
#ifndef CORE_PII_H
#define CORE_PII_H

#include <stddef.h>
#include <stdint.h>

#define CORE_PII_KEY_BYTES 32
#define CORE_PII_MAX_KEYS 8
#define CORE_PII_BIDX_BYTES 32              /* blind index length */
#define CORE_PII_OVERHEAD (1 + 4 + 24 + 16) /* version byte, key id, nonce, tag */

/* Opaque; in sodium_malloc'ed, read-only memory, wiped on free. */
typedef struct core_pii_ring core_pii_ring;

/*
 * Build a ring from `n` master keys. keys[0] is the current key (it
 * encrypts and indexes); the others are older keys still accepted for
 * decryption and for look-ups during a rotation. The keys are copied into
 * subkeys; the caller still owns and should wipe `keys`.
 *
 * Returns NULL on bad input: keys NULL, n < 1 or n > CORE_PII_MAX_KEYS, or
 * two keys with the same key id (in practice: the same key twice), so that
 * a key id names exactly one key. Also NULL when sodium_init() or
 * sodium_malloc() fails. Caller frees with core_pii_ring_free().
 */
core_pii_ring *core_pii_ring_new(const unsigned char (*keys)[CORE_PII_KEY_BYTES], int n);

/* Wipe and free. `r` may be NULL. */
void core_pii_ring_free(core_pii_ring *r);

/* The number of keys, 1..CORE_PII_MAX_KEYS. */
int core_pii_ring_count(const core_pii_ring *r);

/*
 * Key id of key `i` (0 <= i < count, asserted): the first 4 bytes, read as
 * a big-endian uint32, of unkeyed BLAKE2b-256 over "xueji-key-id" || key.
 * Not secret; stored in every ciphertext and safe to log.
 */
uint32_t core_pii_key_id(const core_pii_ring *r, int i);

/*
 * Encrypt `len` bytes at `plain` (may be NULL when len is 0) under the
 * current key with a fresh random nonce, writing len + CORE_PII_OVERHEAD
 * bytes to `out` and that length to *out_len. Returns 0, or APP_EINVAL
 * (and *out_len = 0, `out` untouched) when cap is smaller than that or len
 * is beyond libsodium's message limit.
 */
int core_pii_encrypt(const core_pii_ring *r, const char *plain, size_t len, unsigned char *out,
                     size_t cap, size_t *out_len);

/*
 * Decrypt `len` bytes at `in` with whichever ring key its key id names,
 * writing the plaintext and a NUL to `out` and the plaintext length
 * (len - CORE_PII_OVERHEAD, NUL not counted) to *out_len. `cap` must allow
 * len - CORE_PII_OVERHEAD + 1 bytes. Returns 0, or APP_EINVAL when the
 * input is short, its version is not 1, its key id is not in the ring, it
 * fails authentication (tampered, or another key with a colliding id), or
 * cap is too small. On error *out_len = 0, no plaintext is left in `out`,
 * and out[0] is NUL when cap > 0; nothing is written at or past cap.
 */
int core_pii_decrypt(const core_pii_ring *r, const unsigned char *in, size_t len, char *out,
                     size_t cap, size_t *out_len);

/*
 * The ring index (0 = current) of the key named by the header of `in`, or
 * -1 when the input is short, its version is not 1 or the key is not in
 * the ring. Reads the header only and does not authenticate: a rotation
 * job uses it to find values to re-encrypt, and core_pii_decrypt() still
 * rejects a tampered value.
 */
int core_pii_decrypt_key_index(const core_pii_ring *r, const unsigned char *in, size_t len);

/*
 * Blind index of `len` bytes at `value` (may be NULL when len is 0) under
 * the index subkey of ring key `key_index` (0 <= key_index < count,
 * asserted): BLAKE2b-256 keyed by that subkey over domain || 0x00 || value.
 * `domain` names the kind of value ("id:1" for an ID of type 1, "stuno",
 * "phone"), so equal strings of different kinds never share an index; it
 * must not be NULL. During a rotation, look up with every key in the ring.
 * Callers normalise values first (case, spaces): the index is exact.
 */
void core_pii_blind_index(const core_pii_ring *r, int key_index, const char *domain,
                          const char *value, size_t len, unsigned char out[CORE_PII_BIDX_BYTES]);

#endif
