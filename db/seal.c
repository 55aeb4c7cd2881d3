/*
 * db/seal.c - statements of the audit sealer and of verify (see db/seal.h).
 */
#include "db/seal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sealer's session advisory lock: key 7263512014, seen in pg_locks as
   classid 1, objid 2968544718, objsubid 1 (a bigint key). */
static const db_stmt SQL_LOCK = {
    "seal_lock", "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
                 " AND pid = pg_backend_pid() AND granted AND classid = 1"
                 " AND objid = 2968544718 AND objsubid = 1)"
                 " THEN true ELSE pg_try_advisory_lock(7263512014) END::int"};

static const db_stmt SQL_HORIZON = {"seal_horizon",
                                    "SELECT pg_snapshot_xmin(pg_current_snapshot())::text"};

static const db_stmt SQL_LAST = {"seal_last", "SELECT id, last_seq, upto_xid::text, hash"
                                              " FROM audit_seal ORDER BY id DESC LIMIT 1"};

static const db_stmt SQL_UNSEALED = {"seal_unsealed",
                                     "SELECT id, xid::text, " DB_SEAL_ROW_COLS
                                     " FROM audit WHERE seq IS NULL AND xid < $1::xid8"
                                     " ORDER BY audit.xid, audit.id LIMIT $2"};

static const db_stmt SQL_SET_SEQ = {"seal_set_seq",
                                    "UPDATE audit a SET seq = $2::bigint + u.o - 1"
                                    " FROM unnest($1::bigint[]) WITH ORDINALITY AS u(id, o)"
                                    " WHERE a.id = u.id AND a.seq IS NULL"};

static const db_stmt SQL_INSERT = {
    "seal_insert",
    "INSERT INTO audit_seal (id, first_seq, last_seq, upto_xid, at, prev_hash, rows_hash, hash,"
    " key_id, signature) VALUES ($1, $2, $3, $4::xid8,"
    " timestamptz 'epoch' + $5::bigint * interval '1 microsecond', $6, $7, $8, $9, $10)"};

static const db_stmt SQL_NOW = {"seal_now",
                                "SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint"};

static const db_stmt SQL_BACKLOG = {
    "seal_backlog", "SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() - min(at)),"
                    " 0)::float8 FROM audit WHERE seq IS NULL"};

static const db_stmt SQL_PAGE = {
    "seal_page", "SELECT id, first_seq, last_seq, upto_xid::text,"
                 " (extract(epoch FROM at) * 1000000)::bigint, prev_hash, rows_hash, hash,"
                 " key_id, signature FROM audit_seal WHERE id > $1 ORDER BY id LIMIT $2"};

static const db_stmt SQL_ROWS_PAGE = {"seal_rows_page", "SELECT seq, hash, " DB_SEAL_ROW_COLS
                                                        " FROM audit WHERE seq > $1"
                                                        " ORDER BY audit.seq LIMIT $2"};

static const db_stmt SQL_UNSEALED_PAGE = {
    "seal_unsealed_page",
    "SELECT id, hash, " DB_SEAL_ROW_COLS ", extract(epoch FROM clock_timestamp() - at)::float8"
    " FROM audit WHERE seq IS NULL AND audit.id > $1 ORDER BY audit.id LIMIT $2"};

void
db_seal_field(base_buf *out, const char *v, size_t len)
{
    if (v == NULL) {
        base_buf_addc(out, '-');
        return;
    }
    base_buf_printf(out, "%zu:", len);
    base_buf_add(out, v, len);
}

void
db_seal_canon(const db_res *r, int row, int col0, base_buf *out)
{
    for (int i = col0; i < col0 + DB_SEAL_NCOLS; i++)
        db_seal_field(out, db_res_isnull(r, row, i) ? NULL : db_res_get(r, row, i),
                      db_res_len(r, row, i));
}

static int
one_row(db_conn *c, const db_stmt *st, int np, const char *const *p, db_res **out, app_err *err)
{
    int rc = db_exec(c, st, np, p, out, err);
    if (rc == 0 && db_res_nrows(*out) != 1) {
        db_res_free(*out);
        *out = NULL;
        return app_err_set(err, APP_EINTERNAL, "internal", "%s: no row", st->name);
    }
    return rc;
}

int
db_seal_lock(db_conn *c, int *out_held, app_err *err)
{
    db_res *r = NULL;
    int rc = one_row(c, &SQL_LOCK, 0, NULL, &r, err);
    if (rc == 0)
        *out_held = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    return rc;
}

int
db_seal_horizon(db_conn *c, char *horizon, app_err *err)
{
    db_res *r = NULL;
    int rc = one_row(c, &SQL_HORIZON, 0, NULL, &r, err);
    if (rc == 0)
        snprintf(horizon, 24, "%s", db_res_get(r, 0, 0));
    db_res_free(r);
    return rc;
}

int
db_seal_last_get(db_conn *c, db_seal_last *out, app_err *err)
{
    db_res *r = NULL;
    memset(out, 0, sizeof(*out));
    snprintf(out->upto_xid, sizeof(out->upto_xid), "0");
    memset(out->hash, '0', 64);
    int rc = db_exec(c, &SQL_LAST, 0, NULL, &r, err);
    if (rc == 0 && db_res_nrows(r) == 1) {
        out->id = db_res_int(r, 0, 0);
        out->last_seq = db_res_int(r, 0, 1);
        snprintf(out->upto_xid, sizeof(out->upto_xid), "%s", db_res_get(r, 0, 2));
        snprintf(out->hash, sizeof(out->hash), "%s", db_res_get(r, 0, 3));
    }
    db_res_free(r);
    return rc;
}

static int
page(db_conn *c, const db_stmt *st, const char *first, int limit, db_res **out, app_err *err)
{
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *p[] = {first, lim};
    return db_exec(c, st, 2, p, out, err);
}

int
db_seal_unsealed(db_conn *c, const char *horizon, int limit, db_res **out, app_err *err)
{
    return page(c, &SQL_UNSEALED, horizon, limit, out, err);
}

int
db_seal_append(db_conn *c, const db_seal *s, const long long *ids, int n, app_err *err)
{
    app_arena *a = app_arena_new();
    char id[24], first[24], last[24], at[24];
    snprintf(id, sizeof(id), "%lld", s->id);
    snprintf(first, sizeof(first), "%lld", s->first_seq);
    snprintf(last, sizeof(last), "%lld", s->last_seq);
    snprintf(at, sizeof(at), "%lld", s->at_us);
    const char *up[] = {db_id_array(a, ids, n), first};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SET_SEQ, 2, up, &r, err);
    if (rc == 0 && db_res_affected(r) != n)
        rc = app_err_set(err, APP_ECONFLICT, "conflict", "seal: %lld of %d rows already sealed",
                         (long long)n - db_res_affected(r), n);
    db_res_free(r);
    app_arena_free(a);
    if (rc != 0)
        return rc;
    const char *p[] = {id,           first,        last,    s->upto_xid, at,
                       s->prev_hash, s->rows_hash, s->hash, s->key_id,   s->signature};
    return db_exec(c, &SQL_INSERT, 10, p, NULL, err);
}

int
db_seal_now_us(db_conn *c, long long *out, app_err *err)
{
    db_res *r = NULL;
    int rc = one_row(c, &SQL_NOW, 0, NULL, &r, err);
    if (rc == 0)
        *out = db_res_int(r, 0, 0);
    db_res_free(r);
    return rc;
}

int
db_seal_backlog(db_conn *c, long long *out_rows, double *out_oldest_s, app_err *err)
{
    db_res *r = NULL;
    int rc = one_row(c, &SQL_BACKLOG, 0, NULL, &r, err);
    if (rc == 0) {
        *out_rows = db_res_int(r, 0, 0);
        *out_oldest_s = strtod(db_res_get(r, 0, 1), NULL);
    }
    db_res_free(r);
    return rc;
}

static int
page_after(db_conn *c, const db_stmt *st, long long after, int limit, db_res **out, app_err *err)
{
    char af[24];
    snprintf(af, sizeof(af), "%lld", after);
    return page(c, st, af, limit, out, err);
}

int
db_seal_page(db_conn *c, long long after, int limit, db_res **out, app_err *err)
{
    return page_after(c, &SQL_PAGE, after, limit, out, err);
}

int
db_seal_rows_page(db_conn *c, long long after, int limit, db_res **out, app_err *err)
{
    return page_after(c, &SQL_ROWS_PAGE, after, limit, out, err);
}

int
db_seal_unsealed_page(db_conn *c, long long after, int limit, db_res **out, app_err *err)
{
    return page_after(c, &SQL_UNSEALED_PAGE, after, limit, out, err);
}
