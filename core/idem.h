/*
 * core/idem.h - Idempotency-Key (API.md "Idempotency"): a POST that carries
 * a key runs once per (scope, key); the same request sent again gets the
 * answer of the first, another request under that key is refused.
 *
 * The caller (api/) names the scope (whose keys these are: a service
 * client, an account or, unauthenticated, an address) and fingerprints the
 * request; routes whose answer carries a secret never come here
 * (API_ROUTE_SECRET, docs/decisions/0014). A key is claimed before the
 * request runs, outside its transaction, and then finished: its answer is
 * kept for 24 hours, or the key is released when a retry may fare better.
 *
 * Thread-safe with one connection per thread. Strings are borrowed for the
 * call; answers are copied into the caller's arena.
 */
#ifndef CORE_IDEM_H
#define CORE_IDEM_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

#include <stddef.h>

#define CORE_IDEM_HASH_LEN 65 /* 64 hex digits and the NUL */

typedef enum {
    CORE_IDEM_NEW = 0,     /* key claimed: run the request, then core_idem_finish */
    CORE_IDEM_REPLAY,      /* same key, same request, answer stored: send it again */
    CORE_IDEM_MISMATCH,    /* same key, another request */
    CORE_IDEM_IN_PROGRESS, /* same key, the first request is still running */
} core_idem_state;

/* A stored answer (CORE_IDEM_REPLAY); strings in the caller's arena. */
typedef struct core_idem_answer {
    int status;
    const char *content_type;
    const char *body;
    size_t len;
} core_idem_answer;

/*
 * The fingerprint of a request: an unkeyed BLAKE2b hash of its method,
 * path, query and body, as 64 hex digits into out (NUL-terminated). Two
 * requests with the same fingerprint are the same request.
 */
void core_idem_fingerprint(const char *method, const char *path, const char *query,
                           const void *body, size_t body_len, char out[CORE_IDEM_HASH_LEN]);

/*
 * Claim (scope, key) for a request with fingerprint `hash` (a stored key
 * older than 24 hours is forgotten first). *out_state says what to do;
 * *out_answer is filled for CORE_IDEM_REPLAY. Errors: those of the
 * database (APP_EUNAVAIL, APP_EINTERNAL).
 */
int core_idem_claim(db_conn *db, const char *scope, const char *key, const char *method,
                    const char *path, const char *hash, app_arena *a, core_idem_state *out_state,
                    core_idem_answer *out_answer, app_err *err);

/*
 * After a claimed request ran: keep its answer (`status`, `content_type`,
 * `body`) for replays, or release the key when a retry could get another
 * answer (status >= 500: the database was down, busy or slow) or when the
 * answer was streamed (`streamed`: it was never held whole). Errors: those
 * of the database; the answer then simply is not kept.
 */
int core_idem_finish(db_conn *db, const char *scope, const char *key, int status, int streamed,
                     const char *content_type, const char *body, app_err *err);

#endif
