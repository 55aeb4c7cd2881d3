/*
 * api/job.c - a call's job on a DB worker thread (docs/decisions/0001,
 * 0016): a call that waited too long for a worker is answered 503 unrun,
 * the account behind its token is checked, its Idempotency-Key claimed
 * (core/idem.h), the job run and rerun on APP_ERETRY, a failure rendered as
 * problem+json, and the answer kept for replays or the key released.
 */
#include "api/auth.h"
#include "api/internal.h"
#include "api/log.h"
#include "api/pool.h"
#include "api/server.h"
#include "api/stream.h"
#include "core/idem.h"
#include "core/replica.h"

#include <string.h>

#define MAX_JOB_RETRIES 3

/* A request that waited longer than XUEJI_REQUEST_TIMEOUT_MS for a worker (all of
   them held by a slow or unreachable database) is answered 503 without running:
   its client may have given up already, and running it would only lengthen the queue. */
static int
waited_too_long(const api_call *c)
{
    const api_config *cfg = api_server_config();
    return cfg->request_timeout_ms > 0 &&
           api__now_ns() - c->start_ns > (uint64_t)cfg->request_timeout_ms * 1000000u;
}

/* Claim the call's Idempotency-Key. 1 when the call is answered already
   (a replay, a refusal or a failure), 0 when its job is to run. */
static int
idem_claim(api_call *c, db_conn *db)
{
    core_idem_state st;
    core_idem_answer ans = {0};
    int rc = core_idem_claim(db, c->idem_scope, c->idem_key, c->method, c->path, c->idem_hash,
                             c->arena, &st, &ans, &c->err);
    if (rc != 0) {
        api_fail(c, &c->err);
        api_problem_render(c);
        return 1;
    }
    if (st == CORE_IDEM_REPLAY) {
        api_reply_raw(c, ans.status, ans.content_type, ans.body, ans.len);
        api_header(c, "idempotent-replayed", "true");
        return 1;
    }
    if (st != CORE_IDEM_NEW) {
        api_fail_code(c, st == CORE_IDEM_MISMATCH ? APP_EINVAL : APP_ECONFLICT,
                      st == CORE_IDEM_MISMATCH ? "idempotency_key_reused"
                                               : "idempotency_in_progress",
                      "/headers/idempotency-key");
        api_problem_render(c);
        return 1;
    }
    return 0;
}

/* Run the job, again while it answers APP_ERETRY (at most MAX_JOB_RETRIES
   times); a failure is rendered. */
static void
run_with_retries(api_call *c, db_conn *db)
{
    int rc = 0;
    for (int attempt = 0; attempt < MAX_JOB_RETRIES; attempt++) {
        app_err_clear(&c->err);
        c->failed = 0;
        rc = c->job(c, db);
        while (db_in_tx(db))
            db_rollback(db); /* a job that returned inside a transaction changed nothing */
        if (rc != APP_ERETRY)
            break;
    }
    if (rc != 0) {
        if (c->err.code == APP_OK)
            app_err_set(&c->err, (app_code)rc, NULL, NULL);
        c->failed = 1;
    }
    if (c->failed) {
        /* a job that failed after api_stream_begin answers problem+json as any
           other (nothing was sent): the stream goes before the answer is
           rendered, since rendering makes the call an ordinary answer again
           (failed = 0) and api_finish would otherwise start the stream */
        api__stream_discard(c);
        api_problem_render(c);
    }
}

/* The connection a call reads on: the replica for a route that allows it
   while the replica is fresh enough (and has replayed c->min_lsn), else the
   primary (docs/decisions/0035). */
static db_conn *
read_conn(api_call *c, db_conn *db, db_conn *replica)
{
    if (replica == NULL || c->route_index < 0 ||
        !(api_routes[c->route_index].flags & API_ROUTE_REPLICA))
        return db;
    int fresh = 0;
    app_err e = {0};
    if (core_replica_fresh(replica, c->min_lsn, api_server_config()->replica_max_lag_ms, &fresh,
                           &e) != 0)
        fresh = 0; /* an unreachable replica: the primary answers */
    return fresh ? replica : db;
}

/* After a write, with a replica configured: the primary's WAL position, which
   the client may quote back as xueji-min-lsn to read its write on a replica. */
static void
tell_position(api_call *c, db_conn *db)
{
    char lsn[CORE_LSN_MAX];
    app_err e = {0};
    if (core_wal_position(db, lsn, &e) == 0 && lsn[0] != '\0')
        api_header(c, "xueji-lsn", lsn);
}

/* Run the call's job where it may read, on the primary again when a replica
   refused a side write (25006, read_only_sql_transaction). */
static void
run_routed(api_call *c, db_conn *db, db_conn *replica)
{
    db_conn *rdb = read_conn(c, db, replica);
    run_with_retries(c, rdb);
    if (rdb != db && c->failed && strcmp(c->err.sqlstate, "25006") == 0) {
        api_log(API_LOG_WARN, "a replica route wrote; run on the primary", c->request_id, NULL);
        rdb = db;
        run_with_retries(c, db);
    }
    if (replica == NULL)
        return;
    if (c->route_index >= 0 && (api_routes[c->route_index].flags & API_ROUTE_REPLICA))
        api_header(c, "xueji-read-from", rdb == db ? "primary" : "replica");
    else if (!c->failed && strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0)
        tell_position(c, db);
}

void
api__run_job(api_call *c, db_conn *db, db_conn *replica)
{
    if (api__stream_started(c)) { /* the next part of a streamed answer */
        api__stream_step(c, db);
        return;
    }
    if (waited_too_long(c)) {
        api_fail_code(c, APP_EUNAVAIL, "server_busy", NULL);
        api_problem_render(c);
        return;
    }
    if (c->authed && api_auth_check(c, db) != 0) {
        api_fail(c, &c->err);
        api_problem_render(c);
        return;
    }
    if (c->idem_key != NULL && idem_claim(c, db))
        return;

    run_routed(c, db, replica);

    if (c->idem_key != NULL) {
        app_err e2 = {0};
        /* answers a retry could change (5xx) are not kept: the key is released;
           nor are streamed ones, which are never held whole */
        core_idem_finish(db, c->idem_scope, c->idem_key, c->status, c->stream != NULL && !c->failed,
                         c->content_type, c->out, &e2);
        if (e2.code != APP_OK)
            api_log(API_LOG_WARN, "idempotency answer not stored", c->request_id, e2.detail);
    }
}

void
api_submit(api_call *c, api_job_fn fn)
{
    c->job = fn;
    api_pool_push(c);
}
