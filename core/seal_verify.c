/*
 * core/seal_verify.c - verification of the sealed audit trail (see
 * core/seal.h): seals by id and sealed rows by seq are read in pages and
 * walked side by side, then the unsealed rows by id.
 */
#include "base/buf.h"
#include "core/seal.h"
#include "core/seal_int.h"
#include "db/seal.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 1000

typedef struct walk {
    db_conn *db;
    const unsigned char (*pks)[32];
    int npk;
    core_seal_problem_fn fn;
    void *ctx;
    core_seal_report *rep;
    /* the sealed rows, a page at a time */
    db_res *rows;
    int nrows, at;
    long long after_seq;
    int rows_done;
    /* the row before, in seq order: (xid, id) must grow */
    char prev_xid[24];
    long long prev_id;
    base_buf scratch;
} walk;

static void __attribute__((format(printf, 2, 3))) problem(walk *w, const char *fmt, ...)
{
    char line[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    w->rep->problems++;
    if (w->fn)
        w->fn(w->ctx, line);
}

/* The next sealed row (its index in w->rows), or -1 at the end. */
static int
peek(walk *w, app_err *err, int *rc)
{
    if (w->at < w->nrows)
        return w->at;
    if (w->rows_done)
        return -1;
    db_res_free(w->rows);
    w->rows = NULL;
    w->at = w->nrows = 0;
    if ((*rc = db_seal_rows_page(w->db, w->after_seq, PAGE, &w->rows, err)) != 0)
        return -1;
    w->nrows = db_res_nrows(w->rows);
    if (w->nrows < PAGE)
        w->rows_done = 1;
    if (w->nrows == 0)
        return -1;
    w->after_seq = db_res_int(w->rows, w->nrows - 1, 0);
    return 0;
}

/* The seal's fields from a db_seal_page row. */
typedef struct seal_row {
    long long id, first, last, at_us;
    const char *upto, *prev_hash, *rows_hash, *hash, *key_id, *sig;
} seal_row;

static void
seal_read(const db_res *r, int i, seal_row *s)
{
    s->id = db_res_int(r, i, 0);
    s->first = db_res_int(r, i, 1);
    s->last = db_res_int(r, i, 2);
    s->upto = db_res_get(r, i, 3);
    s->at_us = db_res_int(r, i, 4);
    s->prev_hash = db_res_get(r, i, 5);
    s->rows_hash = db_res_get(r, i, 6);
    s->hash = db_res_get(r, i, 7);
    s->key_id = db_res_get(r, i, 8);
    s->sig = db_res_get(r, i, 9);
}

/* The seal's own hash and its signature by one of the keys. */
static void
check_signature(walk *w, const seal_row *s)
{
    core__seal_fields f = {s->id, s->first, s->last, s->upto, s->at_us, s->prev_hash, s->rows_hash};
    unsigned char hash[32], sig[64];
    char hex[65];
    core__seal_hash(&f, hash);
    sodium_bin2hex(hex, sizeof(hex), hash, 32);
    if (strcmp(hex, s->hash) != 0)
        problem(w, "seal %lld: its fields do not match its hash (the seal was changed)", s->id);
    size_t got = 0;
    int ok = 0;
    if (strlen(s->sig) == 128 &&
        sodium_hex2bin(sig, sizeof(sig), s->sig, 128, NULL, &got, NULL) == 0 && got == 64)
        for (int i = 0; i < w->npk && !ok; i++)
            ok = crypto_sign_verify_detached(sig, hash, sizeof(hash), w->pks[i]) == 0;
    if (!ok)
        problem(w, "seal %lld: the signature (key %s) does not verify with the public key", s->id,
                s->key_id);
}

/* One sealed row of seal s: its hash, its place in (xid, id) order. */
static void
check_row(walk *w, const seal_row *s, int i, crypto_hash_sha256_state *st)
{
    unsigned char h[32];
    char hex[65];
    long long seq = db_res_int(w->rows, i, 0), id = db_res_int(w->rows, i, 2);
    const char *xid = db_res_get(w->rows, i, 3);
    core__seal_row_hash(w->rows, i, 2, &w->scratch, h);
    crypto_hash_sha256_update(st, h, sizeof(h));
    sodium_bin2hex(hex, sizeof(hex), h, 32);
    if (strcmp(hex, db_res_get(w->rows, i, 1)) != 0)
        problem(w, "row %lld (seq %lld, seal %lld): its content does not match its hash (changed)",
                id, seq, s->id);
    if (core__xid_cmp(xid, s->upto) > 0)
        problem(w, "row %lld (seq %lld, seal %lld): transaction %s above the seal's horizon %s", id,
                seq, s->id, xid, s->upto);
    int c = core__xid_cmp(xid, w->prev_xid);
    if (c < 0 || (c == 0 && id <= w->prev_id))
        problem(w, "row %lld (seq %lld, seal %lld): out of (transaction, id) order", id, seq,
                s->id);
    snprintf(w->prev_xid, sizeof(w->prev_xid), "%s", xid);
    w->prev_id = id;
    w->rep->rows_sealed++;
}

/* The rows seq first..last of seal s, and its rows_hash. */
static int
check_rows(walk *w, const seal_row *s, app_err *err)
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    int rc = 0;
    long long seq = s->first;
    while (seq <= s->last) {
        int i = peek(w, err, &rc);
        if (rc != 0)
            return rc;
        long long rseq = i < 0 ? 0 : db_res_int(w->rows, i, 0);
        if (i >= 0 && rseq < seq) { /* before this seal: in no seal */
            problem(w, "row %lld: seq %lld is in no seal", db_res_int(w->rows, i, 2), rseq);
            w->at++;
            continue;
        }
        if (i < 0 || rseq > s->last) {
            problem(w, "seal %lld: seq %lld..%lld missing (rows deleted)", s->id, seq, s->last);
            break;
        }
        if (rseq > seq) {
            problem(w, "seal %lld: seq %lld..%lld missing (rows deleted)", s->id, seq, rseq - 1);
            seq = rseq;
        }
        check_row(w, s, i, &st);
        w->at++;
        seq++;
    }
    unsigned char h[32];
    char hex[65];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, sizeof(hex), h, 32);
    if (strcmp(hex, s->rows_hash) != 0)
        problem(w, "seal %lld: rows seq %lld..%lld do not match its rows_hash", s->id, s->first,
                s->last);
    return 0;
}

/* Seal s after the one before (id, hash, last_seq, upto). */
static void
check_link(walk *w, const seal_row *s, long long prev_id, const char *prev_hash,
           long long prev_last, const char *prev_upto)
{
    if (s->id != prev_id + 1)
        problem(w, "seal %lld: follows seal %lld (seals missing)", s->id, prev_id);
    if (strcmp(s->prev_hash, prev_hash) != 0)
        problem(w, "seal %lld: prev_hash does not link to seal %lld", s->id, prev_id);
    if (s->first != prev_last + 1 || s->last < s->first)
        problem(w, "seal %lld: covers seq %lld..%lld, expected to start at %lld (gap or overlap)",
                s->id, s->first, s->last, prev_last + 1);
    if (core__xid_cmp(s->upto, prev_upto) < 0)
        problem(w, "seal %lld: horizon %s below seal %lld's", s->id, s->upto, prev_id);
}

/* Every seal, and the sealed rows with them; the last seal's horizon into
   upto (24 bytes). */
static int
walk_seals(walk *w, char *upto, app_err *err)
{
    long long after = 0, prev_id = 0, prev_last = 0;
    char prev_hash[129];
    memset(prev_hash, '0', 64);
    prev_hash[64] = '\0';
    snprintf(upto, 24, "0");
    for (;;) {
        db_res *r = NULL;
        int rc = db_seal_page(w->db, after, PAGE, &r, err);
        if (rc != 0)
            return rc;
        int n = db_res_nrows(r);
        for (int i = 0; i < n && rc == 0; i++) {
            seal_row s;
            seal_read(r, i, &s);
            check_link(w, &s, prev_id, prev_hash, prev_last, upto);
            check_signature(w, &s);
            rc = check_rows(w, &s, err);
            prev_id = s.id;
            prev_last = s.last > prev_last ? s.last : prev_last;
            snprintf(prev_hash, sizeof(prev_hash), "%s", s.hash);
            snprintf(upto, 24, "%s", s.upto);
            after = s.id;
            w->rep->seals++;
        }
        db_res_free(r);
        if (rc != 0)
            return rc;
        if (n < PAGE)
            break;
    }
    w->rep->last_seq = prev_last;
    return 0;
}

/* Rows with a seq after the last seal. */
static int
walk_rest(walk *w, app_err *err)
{
    int rc = 0;
    for (int i; (i = peek(w, err, &rc)) >= 0; w->at++)
        problem(w, "row %lld: seq %lld is in no seal", db_res_int(w->rows, i, 2),
                db_res_int(w->rows, i, 0));
    return rc;
}

/* The unsealed rows: their hashes, none below the last seal's horizon. */
static int
walk_unsealed(walk *w, const char *upto, app_err *err)
{
    long long after = 0;
    unsigned char h[32];
    char hex[65];
    for (;;) {
        db_res *r = NULL;
        int rc = db_seal_unsealed_page(w->db, after, PAGE, &r, err);
        if (rc != 0)
            return rc;
        int n = db_res_nrows(r);
        for (int i = 0; i < n; i++) {
            long long id = db_res_int(r, i, 0);
            core__seal_row_hash(r, i, 2, &w->scratch, h);
            sodium_bin2hex(hex, sizeof(hex), h, 32);
            if (strcmp(hex, db_res_get(r, i, 1)) != 0)
                problem(w, "row %lld (unsealed): its content does not match its hash", id);
            if (core__xid_cmp(db_res_get(r, i, 3), upto) < 0)
                problem(w,
                        "row %lld: unsealed, but its transaction %s is below the last seal's "
                        "horizon %s (its seq removed, or inserted afterwards)",
                        id, db_res_get(r, i, 3), upto);
            double age = strtod(db_res_get(r, i, 2 + DB_SEAL_NCOLS), NULL);
            if (age > w->rep->oldest_unsealed_s)
                w->rep->oldest_unsealed_s = age;
            w->rep->rows_unsealed++;
            after = id;
        }
        db_res_free(r);
        if (n < PAGE)
            return 0;
    }
}

int
core_seal_verify(db_conn *db, const unsigned char (*pks)[32], int npk, core_seal_problem_fn fn,
                 void *ctx, core_seal_report *rep, app_err *err)
{
    memset(rep, 0, sizeof(*rep));
    walk w = {.db = db, .pks = pks, .npk = npk, .fn = fn, .ctx = ctx, .rep = rep};
    snprintf(w.prev_xid, sizeof(w.prev_xid), "0");
    char upto[24];
    int rc = db_begin(db, err);
    if (rc == 0)
        rc = db_exec_sql(db, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", err);
    if (rc == 0)
        rc = walk_seals(&w, upto, err);
    if (rc == 0)
        rc = walk_rest(&w, err);
    if (rc == 0)
        rc = walk_unsealed(&w, upto, err);
    if (db_in_tx(db))
        db_rollback(db);
    db_res_free(w.rows);
    base_buf_free(&w.scratch);
    return rc;
}
