/*
 * db/replica.c - replica freshness and WAL positions (db/replica.h).
 */
#include "db/replica.h"

#include <stdio.h>

/* A replica is fresh when it streams and either has replayed all it received
   or replayed a commit within the bound; pg_is_in_recovery() is false on a
   primary, whose replay position is NULL. */
static const db_stmt SQL_FRESH = {
    "replica_fresh",
    "SELECT pg_is_in_recovery()"
    " AND coalesce((SELECT status = 'streaming' FROM pg_stat_wal_receiver LIMIT 1), false)"
    " AND (pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"
    "      OR now() - pg_last_xact_replay_timestamp() <= make_interval(secs => $1::int / 1000.0::float8))"
    " AND ($2::pg_lsn IS NULL OR pg_last_wal_replay_lsn() >= $2::pg_lsn)"};

static const db_stmt SQL_POSITION = {"replica_wal_position", "SELECT pg_current_wal_lsn()::text"};

int
db_replica_fresh(db_conn *db, const char *min_lsn, int max_lag_ms, int *out_fresh, app_err *err)
{
    *out_fresh = 0;
    char lag[16];
    snprintf(lag, sizeof(lag), "%d", max_lag_ms);
    const char *params[] = {lag, min_lsn};
    db_res *r = NULL;
    int rc = db_exec(db, &SQL_FRESH, 2, params, &r, err);
    if (rc != 0)
        return rc;
    *out_fresh = db_res_nrows(r) == 1 && !db_res_isnull(r, 0, 0) && db_res_get(r, 0, 0)[0] == 't';
    db_res_free(r);
    return 0;
}

int
db_wal_position(db_conn *db, char out[DB_LSN_MAX], app_err *err)
{
    db_res *r = NULL;
    int rc = db_exec(db, &SQL_POSITION, 0, NULL, &r, err);
    if (rc != 0)
        return rc;
    snprintf(out, DB_LSN_MAX, "%s", db_res_nrows(r) == 1 ? db_res_get(r, 0, 0) : "");
    db_res_free(r);
    return 0;
}
