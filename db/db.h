/*
 * db/db.h - PostgreSQL connections through libpq. No business rules here.
 *
 * A db_conn belongs to one thread at a time. Statements are described once as
 * static db_stmt values and prepared lazily on each connection (named server-side
 * prepared statements), so hot reads pay no parse/plan cost after the first use.
 * libpq errors are translated here, once, into app_err codes:
 *   23505 -> APP_ECONFLICT, 40001/40P01 -> APP_ERETRY, connection loss and
 *   57P01..57P03/08xxx -> APP_EUNAVAIL, 57014 -> APP_EUNAVAIL, other -> APP_EINTERNAL.
 * PQerrorMessage text goes to err->detail (logged), never to clients.
 */
#ifndef DB_DB_H
#define DB_DB_H

#include "base/arena.h"
#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct db_conn db_conn;
typedef struct db_res db_res;

/* A statement: a unique name and parameterized SQL ($1, $2, ...). Static storage. */
typedef struct db_stmt {
    const char *name;
    const char *sql;
} db_stmt;

/*
 * Open a connection to `url` (libpq URI or key=value string). Returns NULL only
 * on out-of-memory; a connection that failed to connect is returned in a broken
 * state and reconnects on first use (so a server can start before PostgreSQL).
 * `err` receives the reason when the first connect failed.
 */
db_conn *db_conn_open(const char *url, app_err *err);
/*
 * The same with session settings: `options` is libpq's `options` parameter
 * (e.g. "-c statement_timeout=10000 -c lock_timeout=3000"), applied on every
 * reconnect, with a connect timeout of 3 s. A statement that runs past
 * statement_timeout or waits past lock_timeout fails with APP_EUNAVAIL and the
 * slug "database_timeout".
 */
db_conn *db_conn_open_opts(const char *url, const char *options, app_err *err);
void db_conn_close(db_conn *c); /* c may be NULL */

/* 1 when the last connect or query left the connection usable. */
int db_conn_ok(const db_conn *c);

/* Mark a connection as one to a streaming replica (docs/decisions/0035):
   read-only, so what a read would write on the side (a feed positioning
   pass) is left to the primary. */
void db_conn_set_replica(db_conn *c);
int db_conn_is_replica(const db_conn *c);

/*
 * Close the connection (outside a transaction) so that the next use opens a
 * fresh one. libpq keeps its buffers at the largest size they ever grew to:
 * after moving a large value (an upload) this gives that memory back.
 */
void db_conn_recycle(db_conn *c);
#define DB_LARGE_TRANSFER (8u << 20) /* bytes: recycle the connection after this much */

/*
 * Make sure the connection is usable, reconnecting when it is broken (at most
 * once per 250 ms per connection, so a down database fails requests fast).
 * Errors: APP_EUNAVAIL.
 */
int db_conn_ensure(db_conn *c, app_err *err);

/*
 * Run a prepared statement with text parameters (NULL = SQL NULL). On success
 * *out_res (if out_res != NULL) receives the result, to be freed with db_res_free.
 * Outside a transaction, a statement that fails because the connection was lost
 * is retried once on a fresh connection.
 */
int db_exec(db_conn *c, const db_stmt *st, int nparams, const char *const *params, db_res **out_res,
            app_err *err);

/* The same with SQL that is not prepared (one-off statements, tools, tests). */
int db_exec_once(db_conn *c, const char *sql, int nparams, const char *const *params,
                 db_res **out_res, app_err *err);

/* Unprepared, with parameter lengths and formats (1: binary, e.g. a bytea
   without hex) and the result in text (0) or binary (1) format. */
int db_exec_raw(db_conn *c, const char *sql, int nparams, const char *const *params,
                const int *lengths, const int *formats, int result_format, db_res **out_res,
                app_err *err);

/* "{1,2,3}": a PostgreSQL array literal of ids (for $n::bigint[]), in `a`. */
const char *db_id_array(app_arena *a, const long long *ids, int n);

/* Run literal SQL with no parameters (DDL, BEGIN, ...). Multiple statements allowed. */
int db_exec_sql(db_conn *c, const char *sql, app_err *err);

/* COPY ... FROM STDIN with `data` as the whole input. */
int db_copy_in(db_conn *c, const char *copy_sql, const char *data, size_t len, app_err *err);

/* A trivial round trip (readiness). Errors: APP_EUNAVAIL. */
int db_ping(db_conn *c, app_err *err);

int db_begin(db_conn *c, app_err *err);
int db_commit(db_conn *c, app_err *err);
void db_rollback(db_conn *c); /* best effort, never fails */
int db_in_tx(const db_conn *c);

int db_res_nrows(const db_res *r);
/* Borrowed: valid until db_res_free. "" for NULL (use db_res_isnull). */
const char *db_res_get(const db_res *r, int row, int col);
size_t db_res_len(const db_res *r, int row, int col);
int db_res_isnull(const db_res *r, int row, int col);
long long db_res_int(const db_res *r, int row, int col);
void db_res_free(db_res *r); /* r may be NULL */

/* Number of affected rows of the last command, as reported by PostgreSQL. */
long long db_res_affected(const db_res *r);

#endif
