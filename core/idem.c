/*
 * core/idem.c - Idempotency-Key claims and answers (see core/idem.h).
 */
#include "core/idem.h"

#include "db/idem.h"

#include <sodium.h>
#include <string.h>

void
core_idem_fingerprint(const char *method, const char *path, const char *query, const void *body,
                      size_t body_len, char out[CORE_IDEM_HASH_LEN])
{
    crypto_generichash_state st;
    unsigned char h[32];
    /* each string with its NUL, so that no two requests run together */
    crypto_generichash_init(&st, NULL, 0, sizeof(h));
    crypto_generichash_update(&st, (const unsigned char *)method, strlen(method) + 1);
    crypto_generichash_update(&st, (const unsigned char *)path, strlen(path) + 1);
    crypto_generichash_update(&st, (const unsigned char *)query, strlen(query) + 1);
    crypto_generichash_update(&st, body, body_len);
    crypto_generichash_final(&st, h, sizeof(h));
    sodium_bin2hex(out, CORE_IDEM_HASH_LEN, h, sizeof(h));
}

static core_idem_state
state_of(db_idem_state s)
{
    switch (s) {
    case DB_IDEM_NEW:
        return CORE_IDEM_NEW;
    case DB_IDEM_REPLAY:
        return CORE_IDEM_REPLAY;
    case DB_IDEM_MISMATCH:
        return CORE_IDEM_MISMATCH;
    case DB_IDEM_IN_PROGRESS:
        break;
    }
    return CORE_IDEM_IN_PROGRESS;
}

int
core_idem_claim(db_conn *db, const char *scope, const char *key, const char *method,
                const char *path, const char *hash, app_arena *a, core_idem_state *out_state,
                core_idem_answer *out_answer, app_err *err)
{
    db_idem_state st = DB_IDEM_IN_PROGRESS;
    db_idem_answer ans = {0};
    int rc = db_idem_claim(db, scope, key, method, path, hash, a, &st, &ans, err);
    if (rc != 0)
        return rc;
    *out_state = state_of(st);
    if (st == DB_IDEM_REPLAY) {
        out_answer->status = ans.status;
        out_answer->content_type = ans.content_type;
        out_answer->body = ans.body;
        out_answer->len = ans.len;
    }
    return 0;
}

int
core_idem_finish(db_conn *db, const char *scope, const char *key, int status, int streamed,
                 const char *content_type, const char *body, app_err *err)
{
    if (status >= 500 || streamed)
        return db_idem_abandon(db, scope, key, err);
    return db_idem_complete(db, scope, key, status, content_type, body, err);
}
