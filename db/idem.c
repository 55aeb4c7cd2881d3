/*
 * db/idem.c - Idempotency-Key rows.
 */
#include "db/idem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const db_stmt SQL_EXPIRE = {"idem_expire",
                                   "DELETE FROM idempotency_key WHERE scope = $1 AND key = $2"
                                   " AND created_at < now() - interval '24 hours'"};
static const db_stmt SQL_CLAIM = {
    "idem_claim", "INSERT INTO idempotency_key (scope, key, method, path, body_hash)"
                  " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1"};
static const db_stmt SQL_GET = {"idem_get",
                                "SELECT body_hash, status, content_type, body FROM idempotency_key"
                                " WHERE scope = $1 AND key = $2"};
static const db_stmt SQL_COMPLETE = {
    "idem_complete", "UPDATE idempotency_key SET status = $3, content_type = $4, body = $5"
                     " WHERE scope = $1 AND key = $2"};
static const db_stmt SQL_ABANDON = {"idem_abandon",
                                    "DELETE FROM idempotency_key WHERE scope = $1 AND key = $2"};

int
db_idem_claim(db_conn *c, const char *scope, const char *key, const char *method, const char *path,
              const char *hash, app_arena *a, db_idem_state *out_state, db_idem_answer *out_answer,
              app_err *err)
{
    const char *k[] = {scope, key};
    int rc = db_exec(c, &SQL_EXPIRE, 2, k, NULL, err);
    if (rc != 0)
        return rc;

    const char *p[] = {scope, key, method, path, hash};
    db_res *res = NULL;
    rc = db_exec(c, &SQL_CLAIM, 5, p, &res, err);
    if (rc != 0)
        return rc;
    int claimed = db_res_nrows(res) == 1;
    db_res_free(res);
    if (claimed) {
        *out_state = DB_IDEM_NEW;
        return 0;
    }

    rc = db_exec(c, &SQL_GET, 2, k, &res, err);
    if (rc != 0)
        return rc;
    if (db_res_nrows(res) == 0) {
        /* expired and deleted between our statements: treat as in progress */
        *out_state = DB_IDEM_IN_PROGRESS;
    } else if (strcmp(db_res_get(res, 0, 0), hash) != 0) {
        *out_state = DB_IDEM_MISMATCH;
    } else if (db_res_isnull(res, 0, 1)) {
        *out_state = DB_IDEM_IN_PROGRESS;
    } else {
        *out_state = DB_IDEM_REPLAY;
        out_answer->status = (int)db_res_int(res, 0, 1);
        out_answer->content_type = app_arena_strdup(a, db_res_get(res, 0, 2));
        out_answer->len = db_res_len(res, 0, 3);
        out_answer->body = app_arena_strndup(a, db_res_get(res, 0, 3), out_answer->len);
    }
    db_res_free(res);
    return 0;
}

int
db_idem_complete(db_conn *c, const char *scope, const char *key, int status,
                 const char *content_type, const char *body, app_err *err)
{
    char s[16];
    snprintf(s, sizeof(s), "%d", status);
    const char *p[] = {scope, key, s, content_type, body};
    return db_exec(c, &SQL_COMPLETE, 5, p, NULL, err);
}

int
db_idem_abandon(db_conn *c, const char *scope, const char *key, app_err *err)
{
    const char *p[] = {scope, key};
    return db_exec(c, &SQL_ABANDON, 2, p, NULL, err);
}
