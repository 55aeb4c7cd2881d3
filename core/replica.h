/*
 * core/replica.h - which reads a streaming replica may answer
 * (docs/decisions/0035), and read-your-writes across it.
 *
 * A client that wrote is told the primary's WAL position (the `xueji-lsn`
 * answer header) and may quote it back (`xueji-min-lsn`): a replica answers
 * that read only once it has replayed up to it, else the primary does.
 */
#ifndef CORE_REPLICA_H
#define CORE_REPLICA_H

#include "base/err.h"
#include "db/db.h"
#include "db/replica.h"

#define CORE_LSN_MAX DB_LSN_MAX

/* 1 if `s` is a WAL position "X/Y" (X, Y hexadecimal, 1-8 digits each);
   NULL gives 0. Pure. */
int core_lsn_valid(const char *s);

/*
 * 1 in *out_fresh when the replica behind `db` may answer a read: it streams,
 * lags at most `max_lag_ms`, and has replayed `min_lsn` (NULL: no such wish).
 * An invalid `min_lsn` gives 0 (the primary answers). Errors: APP_EUNAVAIL.
 */
int core_replica_fresh(db_conn *db, const char *min_lsn, int max_lag_ms, int *out_fresh,
                       app_err *err);

/* The primary's WAL position after a write committed, into out[CORE_LSN_MAX]. */
int core_wal_position(db_conn *db, char out[CORE_LSN_MAX], app_err *err);

#endif
