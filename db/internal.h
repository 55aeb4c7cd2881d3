/*
 * db/internal.h - helpers shared by the files of db/ (libuv's uv__ rule: the
 * double underscore marks them private to the layer). Nothing outside db/
 * includes this header.
 */
#ifndef DB_INTERNAL_H
#define DB_INTERNAL_H

#include "base/arena.h"
#include "db/db.h"

/* A timestamptz column as the API's UTC text, "YYYY-MM-DDTHH:MI:SSZ". */
#define DB__TS(col) " to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* The value of a column copied into `a`, or NULL when it is SQL NULL. */
char *db__dup_or_null(app_arena *a, const db_res *r, int row, int col);

/* The key locks of the outermost transaction (db/keylock.h): zero when it
   begins, commits or rolls back. Index: space - DB_KEYS_IDENTITY. */
#define DB__KEYSPACES 2
typedef struct db__tx_keys {
    int escalate;         /* db_keylocks_escalate() */
    int n[DB__KEYSPACES]; /* keys locked (an upper bound: a savepoint's roll-back frees some) */
} db__tx_keys;
db__tx_keys *db__keys_of(db_conn *c);

/*
 * Lock `n` keys of `space` (db/keylock.h): `fine` (params p[0..np-1]) takes
 * the SHARED bucket locks, then the key locks, each ascending; escalated,
 * every bucket of the space EXCLUSIVE instead. Not prepared when `once`.
 */
int db__keys_lock(db_conn *c, int space, int n, const db_stmt *fine, int once, int np,
                  const char *const *p, app_err *err);

#endif
