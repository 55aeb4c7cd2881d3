/*
 * db/seal.h - the statements of the audit sealer and of `xuejictl audit
 * verify` (docs/decisions/0023): the canonical text of an audit row, the
 * unsealed rows below a transaction horizon, the seals (table audit_seal),
 * the sealer's session lock, and the pages verify streams through.
 *
 * The canonical text of a row is built here, in C, from its columns read as
 * text (DB_SEAL_ROW_COLS): for each column '-' when NULL, else
 * '<octet length>:<value>', concatenated. It is the text migration 014's
 * audit_row_hash() hashes; verify never calls that function (whoever can
 * write the database can replace it).
 *
 * Results (db_res) belong to the caller (db_res_free). Errors: APP_EUNAVAIL
 * (connection), APP_EINTERNAL (SQL), APP_ECONFLICT (a seal id or range
 * already taken: another sealer went first).
 */
#ifndef DB_SEAL_H
#define DB_SEAL_H

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"

/* The twelve hashed columns of audit, as text, in canonical order. */
#define DB_SEAL_ROW_COLS                                                                           \
    "id::text, xid::text, extract(epoch FROM at)::text, actor_id::text, actor_org, action,"        \
    " target_type, target_id, ip, user_agent, request_id, detail::text"
#define DB_SEAL_NCOLS 12

/* Append the canonical text of columns col0..col0+11 of row `row` to `out`. */
void db_seal_canon(const db_res *r, int row, int col0, base_buf *out);
/* Append one field: '-' for NULL (v == NULL), else '<len>:<v>'. */
void db_seal_field(base_buf *out, const char *v, size_t len);

/* The session lock that makes one sealer among several xuejid: 1 in
   *out_held when this connection holds it (taken now or before), 0 when
   another session does. Released when the connection ends. */
int db_seal_lock(db_conn *c, int *out_held, app_err *err);

/* The horizon: pg_snapshot_xmin(pg_current_snapshot()) as text (into
   horizon, 24 bytes). Every transaction below it has ended. */
int db_seal_horizon(db_conn *c, char *horizon, app_err *err);

/* The last seal: id, last_seq, upto_xid and hash (0, 0, "0", 64 zeros when
   there is none). */
typedef struct db_seal_last {
    long long id, last_seq;
    char upto_xid[24];
    char hash[65];
} db_seal_last;
int db_seal_last_get(db_conn *c, db_seal_last *out, app_err *err);

/* Up to `limit` unsealed rows with xid < horizon in (xid, id) order; the
   columns: id, xid::text, then DB_SEAL_ROW_COLS (from column 2). */
int db_seal_unsealed(db_conn *c, const char *horizon, int limit, db_res **out, app_err *err);

/* A new seal, fully computed by the caller. */
typedef struct db_seal {
    long long id, first_seq, last_seq;
    const char *upto_xid;
    long long at_us; /* microseconds since 1970 (UTC) */
    const char *prev_hash, *rows_hash, *hash, *key_id, *signature;
} db_seal;
/* Give the rows `ids` (n, in seal order) seq first_seq.. and insert the seal.
   Inside the caller's transaction. */
int db_seal_append(db_conn *c, const db_seal *s, const long long *ids, int n, app_err *err);

/* The clock of the database in microseconds since 1970. */
int db_seal_now_us(db_conn *c, long long *out, app_err *err);

/* Unsealed rows and the age in seconds of the oldest (0 when none). */
int db_seal_backlog(db_conn *c, long long *out_rows, double *out_oldest_s, app_err *err);

/* ---- verify: pages, each in the caller's (repeatable read) transaction ---- */

/* Seals with id > after, by id: id, first_seq, last_seq, upto_xid, at_us,
   prev_hash, rows_hash, hash, key_id, signature. */
int db_seal_page(db_conn *c, long long after, int limit, db_res **out, app_err *err);
/* Sealed rows with seq > after, by seq: seq, hash, then DB_SEAL_ROW_COLS
   (from column 2). */
int db_seal_rows_page(db_conn *c, long long after, int limit, db_res **out, app_err *err);
/* Unsealed rows with id > after, by id: id, hash, then DB_SEAL_ROW_COLS
   (from column 2), and the age of the row in seconds (column 14). */
int db_seal_unsealed_page(db_conn *c, long long after, int limit, db_res **out, app_err *err);

#endif
