/*
 * core/client.h - service clients of integrating provincial systems (API.md
 * "Clients"): creation by a province or the ministry, and the client
 * credentials check behind POST /auth/token.
 *
 * A client belongs to one province: its tokens (signed by api/) carry that
 * province as org, so it sees what a province user sees. Its secret is made
 * here, handed back once in the caller's buffer (the caller wipes it) and
 * stored as an argon2id hash only; no secret or hash goes into an audit row
 * or a log.
 *
 * Besides the errors named, every function may answer APP_EUNAVAIL,
 * APP_ERETRY or APP_EINTERNAL from db/.
 */
#ifndef CORE_CLIENT_H
#define CORE_CLIENT_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"

#define CORE_CLIENT_ID_LEN 24     /* "xjc-" and 20 hex digits */
#define CORE_CLIENT_SECRET_LEN 43 /* base64url of 32 random bytes */

typedef struct core_client_made {
    char id[CORE_CLIENT_ID_LEN + 1];
    char secret[CORE_CLIENT_SECRET_LEN + 1]; /* shown once; the caller wipes it */
    const char *org;                         /* the province (op->arena) */
} core_client_made;

/* May the actor create clients (a province or ministry user, no client)? Pure:
   the handler asks it before reading the body, as core_client_create does. */
int core_client_may_create(const core_actor *a);

/*
 * A new client named `name` (validated by the caller) for `province` (NULL:
 * the actor's own province), committed with its audit row "client_create"
 * (client id, name, org). Errors: APP_EFORBIDDEN forbidden (not a province or
 * ministry user); APP_ENOTFOUND org_not_found, field /province (a province
 * naming another province, or no such province).
 */
int core_client_create(db_conn *db, const core_op *op, const char *name, const char *province,
                       core_client_made *out, app_err *err);

/*
 * Client credentials: `secret` is the secret of enabled client `id`.
 * *out_org (op->arena) is its province. An unknown client costs as much as
 * a known one. Errors: APP_EAUTH invalid_client. Audit: "client_token", or
 * "client_auth_failure" (the client id only).
 */
int core_client_authenticate(db_conn *db, const core_op *op, const char *id, const char *secret,
                             const char **out_org, app_err *err);

/* The province of enabled client `id` (op-less read for the per-request token
   check); 0 with *out_found 0 when unknown or disabled. */
int core_client_active(db_conn *db, const char *id, app_arena *a, const char **out_org,
                       int *out_found, app_err *err);

#endif
