/*
 * core/seal.c - the signing key and the sealer's pass (see core/seal.h).
 */
#include "core/seal.h"

#include "base/buf.h"
#include "core/env.h"
#include "core/seal_int.h"
#include "db/seal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
core_seal_key_id(const unsigned char pk[32], char out[17])
{
    sodium_bin2hex(out, 17, pk, 8);
}

void
core_seal_pubkey_hex(const unsigned char pk[32], char out[65])
{
    sodium_bin2hex(out, 65, pk, 32);
}

int
core_seal_pubkey_parse(const char *hex, unsigned char pk[32])
{
    size_t got = 0;
    if (strlen(hex) != 64 || sodium_hex2bin(pk, 32, hex, 64, NULL, &got, NULL) != 0 || got != 32)
        return APP_EINVAL;
    return 0;
}

void
core_seal_key_from_seed(const unsigned char seed[32], core_seal_key *k)
{
    crypto_sign_seed_keypair(k->pk, k->sk, seed);
    core_seal_key_id(k->pk, k->key_id);
}

int
core_seal_key_parse(const char *text, core_seal_key *k, int *out_dev)
{
    unsigned char seed[32];
    int rc = core_key_parse(text, seed, out_dev);
    if (rc == 0)
        core_seal_key_from_seed(seed, k);
    sodium_memzero(seed, sizeof(seed));
    return rc;
}

void
core_seal_key_generate(core_seal_key *k)
{
    unsigned char seed[32];
    randombytes_buf(seed, sizeof(seed));
    core_seal_key_from_seed(seed, k);
    sodium_memzero(seed, sizeof(seed));
}

void
core__seal_row_hash(const db_res *r, int row, int col0, base_buf *scratch, unsigned char out[32])
{
    base_buf_reset(scratch);
    db_seal_canon(r, row, col0, scratch);
    crypto_hash_sha256(out, scratch->p, scratch->n);
}

void
core__seal_hash(const core__seal_fields *s, unsigned char out[32])
{
    base_buf b = {0};
    char n[3][24], at[24];
    snprintf(n[0], sizeof(n[0]), "%lld", s->id);
    snprintf(n[1], sizeof(n[1]), "%lld", s->first_seq);
    snprintf(n[2], sizeof(n[2]), "%lld", s->last_seq);
    snprintf(at, sizeof(at), "%lld", s->at_us);
    const char *f[] = {"xueji-audit-seal-1", n[0], n[1],         n[2],
                       s->upto_xid,          at,   s->prev_hash, s->rows_hash};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        db_seal_field(&b, f[i], strlen(f[i]));
    crypto_hash_sha256(out, b.p, b.n);
    base_buf_free(&b);
}

int
core__xid_cmp(const char *a, const char *b)
{
    unsigned long long x = strtoull(a, NULL, 10), y = strtoull(b, NULL, 10);
    return x < y ? -1 : x > y;
}

/* The rows of r (columns: id, xid, canonical columns from 2) as one seal
   after `last`, signed with k. */
static void
seal_compute(const db_res *r, int n, const db_seal_last *last, const char *upto, long long at_us,
             const core_seal_key *k, db_seal *s, char hex[3][129])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    base_buf scratch = {0};
    for (int i = 0; i < n; i++) {
        unsigned char h[32];
        core__seal_row_hash(r, i, 2, &scratch, h);
        crypto_hash_sha256_update(&st, h, sizeof(h));
    }
    base_buf_free(&scratch);
    unsigned char rows_hash[32], hash[32], sig[64];
    crypto_hash_sha256_final(&st, rows_hash);
    sodium_bin2hex(hex[0], 129, rows_hash, 32);
    core__seal_fields f = {
        last->id + 1, last->last_seq + 1, last->last_seq + n, upto, at_us, last->hash, hex[0]};
    core__seal_hash(&f, hash);
    sodium_bin2hex(hex[1], 129, hash, 32);
    crypto_sign_detached(sig, NULL, hash, sizeof(hash), k->sk);
    sodium_bin2hex(hex[2], 129, sig, 64);
    *s = (db_seal){.id = f.id,
                   .first_seq = f.first_seq,
                   .last_seq = f.last_seq,
                   .upto_xid = upto,
                   .at_us = at_us,
                   .prev_hash = last->hash,
                   .rows_hash = hex[0],
                   .hash = hex[1],
                   .key_id = k->key_id,
                   .signature = hex[2]};
}

/* The horizon of this seal: every row of a transaction below it is sealed
   by it or earlier. A full seal may stop inside the rows below the
   snapshot's horizon: then it is the xid of its last row. Never below the
   previous seal's. */
static void
seal_upto(const db_res *r, int n, int max_rows, const char *horizon, const db_seal_last *last,
          char upto[24])
{
    snprintf(upto, 24, "%s", n == max_rows ? db_res_get(r, n - 1, 1) : horizon);
    if (core__xid_cmp(upto, last->upto_xid) < 0)
        snprintf(upto, 24, "%s", last->upto_xid);
}

/* One seal in one transaction: *out_n rows sealed (0: nothing below the
   horizon), *out_leader 0 when another sealer holds the lock. */
static int
seal_once(db_conn *db, const core_seal_key *k, int max_rows, int *out_leader, int *out_n,
          app_err *err)
{
    db_res *r = NULL;
    long long *ids = NULL;
    char horizon[24], upto[24];
    db_seal_last last;
    long long at_us = 0;
    *out_n = 0;
    int rc = db_begin(db, err);
    if (rc == 0)
        rc = db_seal_lock(db, out_leader, err);
    if (rc != 0 || !*out_leader)
        goto done;
    /* the horizon first, before this transaction writes anything */
    if ((rc = db_seal_horizon(db, horizon, err)) != 0 ||
        (rc = db_seal_last_get(db, &last, err)) != 0 ||
        (rc = db_seal_unsealed(db, horizon, max_rows, &r, err)) != 0)
        goto done;
    int n = db_res_nrows(r);
    if (n == 0)
        goto done;
    ids = xmalloc((size_t)n * sizeof(*ids));
    for (int i = 0; i < n; i++)
        ids[i] = db_res_int(r, i, 0);
    seal_upto(r, n, max_rows, horizon, &last, upto);
    if ((rc = db_seal_now_us(db, &at_us, err)) != 0)
        goto done;
    db_seal s;
    char hex[3][129];
    seal_compute(r, n, &last, upto, at_us, k, &s, hex);
    if ((rc = db_seal_append(db, &s, ids, n, err)) != 0 || (rc = db_commit(db, err)) != 0)
        goto done;
    *out_n = n;
done:
    if (db_in_tx(db))
        db_rollback(db);
    free(ids);
    db_res_free(r);
    return rc;
}

int
core_seal_run(db_conn *db, const core_seal_key *k, int max_rows, core_seal_pass *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    if (max_rows < 1 || max_rows > CORE_SEAL_MAX_ROWS)
        max_rows = CORE_SEAL_MAX_ROWS;
    for (;;) {
        int n = 0;
        int rc = seal_once(db, k, max_rows, &out->leader, &n, err);
        if (rc != 0)
            return rc;
        if (n == 0)
            break;
        out->seals++;
        out->rows += n;
        if (n < max_rows)
            break;
    }
    return db_seal_backlog(db, &out->unsealed, &out->oldest_unsealed_s, err);
}
