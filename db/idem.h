/*
 * db/idem.h - storage of Idempotency-Key answers (table idempotency_key).
 */
#ifndef DB_IDEM_H
#define DB_IDEM_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

typedef enum {
    DB_IDEM_NEW = 0,     /* key claimed: run the request, then complete or abandon */
    DB_IDEM_REPLAY,      /* same key, same request, answer stored: send it again */
    DB_IDEM_MISMATCH,    /* same key, another request */
    DB_IDEM_IN_PROGRESS, /* same key, the first request is still running */
} db_idem_state;

typedef struct db_idem_answer {
    int status;
    const char *content_type; /* in arena */
    const char *body;         /* in arena */
    size_t len;
} db_idem_answer;

/* Claim (scope, key) for a request whose fingerprint is `hash`. */
int db_idem_claim(db_conn *c, const char *scope, const char *key, const char *method,
                  const char *path, const char *hash, app_arena *a, db_idem_state *out_state,
                  db_idem_answer *out_answer, app_err *err);

/* Store the answer of a claimed key. */
int db_idem_complete(db_conn *c, const char *scope, const char *key, int status,
                     const char *content_type, const char *body, app_err *err);

/* Forget a claimed key (the request failed in a way a retry may fix). */
int db_idem_abandon(db_conn *c, const char *scope, const char *key, app_err *err);

#endif
