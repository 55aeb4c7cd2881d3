/*
 * db/replica.h - reads from a streaming replica (docs/decisions/0035): how far
 * a replica has replayed, and the primary's WAL position that a client quotes
 * back to read its own writes there.
 *
 * A WAL position travels as PostgreSQL's pg_lsn text, "X/Y" with X and Y
 * hexadecimal of at most 8 digits each ("0/16B3748").
 */
#ifndef DB_REPLICA_H
#define DB_REPLICA_H

#include "base/err.h"
#include "db/db.h"

#include <stddef.h>

#define DB_LSN_MAX 18 /* "FFFFFFFF/FFFFFFFF" and its NUL */

/*
 * Whether the replica behind `db` may answer a read now: it is in recovery,
 * its WAL receiver is streaming, it has replayed everything it received or
 * its last replayed commit is at most `max_lag_ms` old, and (when `min_lsn`
 * is not NULL) it has replayed up to `min_lsn`. *out_fresh is 1 or 0.
 * A primary, a replica that is not streaming or a bad `min_lsn` give 0.
 * Errors: APP_EUNAVAIL (the replica unreachable).
 */
int db_replica_fresh(db_conn *db, const char *min_lsn, int max_lag_ms, int *out_fresh,
                     app_err *err);

/* The primary's current WAL write position into out[DB_LSN_MAX]: a write that
   committed before the call lies at or before it. Errors: APP_EUNAVAIL. */
int db_wal_position(db_conn *db, char out[DB_LSN_MAX], app_err *err);

#endif
