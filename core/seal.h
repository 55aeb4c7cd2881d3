/*
 * core/seal.h - the audit trail's seals (docs/decisions/0023): the signing
 * key, the sealer's pass and the verification of the whole trail.
 *
 * An audit row carries the SHA-256 of its canonical text (db/seal.h),
 * computed in the transaction that writes it, with no lock. The sealer, one
 * at a time among all xuejid (a session advisory lock on its own
 * connection), takes the rows whose transactions have certainly ended (xid
 * below the horizon pg_snapshot_xmin(pg_current_snapshot())), gives them
 * consecutive seq after the last seal, and appends a seal signed with
 * Ed25519 by a key that is not in the database.
 *
 *   rows_hash = SHA-256(H(row first_seq) || ... || H(row last_seq)), the raw
 *               32-byte row hashes recomputed in C, in seq order;
 *   hash      = SHA-256 of the fields "xueji-audit-seal-1", id, first_seq,
 *               last_seq, upto_xid, at (microseconds since 1970), prev_hash,
 *               rows_hash, each encoded as db_seal_field does;
 *   signature = Ed25519 over the 32 raw bytes of hash; key_id = the first
 *               16 hex digits of the public key.
 *
 * Errors: the db/ error (APP_EUNAVAIL, APP_EINTERNAL, APP_ECONFLICT) in *err;
 * APP_EINVAL for a key that is not 64 hex digits.
 */
#ifndef CORE_SEAL_H
#define CORE_SEAL_H

#include "base/err.h"
#include "db/db.h"

#include <stddef.h>

#define CORE_SEAL_MAX_ROWS 10000 /* rows per seal at the most */
#define CORE_SEAL_MAX_KEYS 8     /* public keys verify accepts */

typedef struct core_seal_key {
    unsigned char sk[64]; /* Ed25519 secret key (seed and public key) */
    unsigned char pk[32];
    char key_id[17];
} core_seal_key;

/* The key of a 32-byte seed. */
void core_seal_key_from_seed(const unsigned char seed[32], core_seal_key *k);
/* A key from 64 hex digits of seed, after the development marker if any
   (*out_dev = 1 then). APP_EINVAL otherwise. The caller wipes `text`. */
int core_seal_key_parse(const char *text, core_seal_key *k, int *out_dev);
/* A fresh random key (development without XUEJI_AUDIT_SIGNING_KEY). */
void core_seal_key_generate(core_seal_key *k);
/* The public key in hex (65 bytes with the NUL). */
void core_seal_pubkey_hex(const unsigned char pk[32], char out[65]);
/* A public key from 64 hex digits. APP_EINVAL otherwise. */
int core_seal_pubkey_parse(const char *hex, unsigned char pk[32]);
/* The key id of a public key (17 bytes with the NUL). */
void core_seal_key_id(const unsigned char pk[32], char out[17]);

/* What one pass did. */
typedef struct core_seal_pass {
    int leader;               /* 0: another sealer holds the lock, nothing done */
    long long seals, rows;    /* seals appended, rows sealed */
    long long unsealed;       /* rows left unsealed after the pass */
    double oldest_unsealed_s; /* age of the oldest of them, 0 when none */
} core_seal_pass;

/*
 * One pass of the sealer on its own connection `db` (outside a transaction):
 * take or check the lock, then seal every unsealed row below the horizon,
 * at most max_rows per seal (one transaction each: the rows' seq and the
 * seal commit together or not at all), then count the backlog.
 */
int core_seal_run(db_conn *db, const core_seal_key *k, int max_rows, core_seal_pass *out,
                  app_err *err);

/* ---- core/seal_verify.c ---- */

typedef struct core_seal_report {
    long long seals, rows_sealed, last_seq;
    long long rows_unsealed;
    double oldest_unsealed_s;
    long long problems;
} core_seal_report;

/* Called with one line naming each problem found (row id, seq, seal id). */
typedef void (*core_seal_problem_fn)(void *ctx, const char *what);

/*
 * Verify the whole trail in one read-only snapshot, streaming (pages by seq
 * and by seal id; memory does not grow with the trail): every row's hash
 * recomputed in C, every seal's hash, signature (by one of the npk public
 * keys), prev_hash link and rows_hash, seals covering seq 1..N with no gap
 * or overlap, every sealed row in exactly one seal and in (xid, id) order,
 * no row left unsealed below the last seal's horizon. 0 when the check ran
 * (rep->problems tells the outcome), or the db/ error.
 */
int core_seal_verify(db_conn *db, const unsigned char (*pks)[32], int npk, core_seal_problem_fn fn,
                     void *ctx, core_seal_report *rep, app_err *err);

#endif
