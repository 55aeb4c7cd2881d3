/*
 * db/db.c - connections, prepared statements, error translation.
 */
#include "db/db.h"

#include "base/arena.h"
#include "db/internal.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_PREPARED 256
#define RECONNECT_BACKOFF_MS 250
#define DB_CONNECT_TIMEOUT_S "3" /* libpq's connect_timeout of connections with options */

struct db_conn {
    PGconn *pg;
    char *url;
    char *options; /* libpq `options` (session settings), or NULL */
    int in_tx;
    int nprepared;
    const db_stmt *prepared[MAX_PREPARED];
    int64_t last_attempt_ms;
    int replica;      /* db_conn_set_replica */
    db__tx_keys keys; /* of the outermost transaction */
};

struct db_res {
    PGresult *pg;
};

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
set_detail(app_err *err, const char *what, const char *pgmsg)
{
    if (err == NULL)
        return;
    snprintf(err->detail, sizeof(err->detail), "%s: %s", what, pgmsg ? pgmsg : "");
    /* libpq messages end in a newline: keep log lines on one line */
    for (char *p = err->detail; *p; p++)
        if (*p == '\n')
            *p = ' ';
}

/* Server notices ("relation already exists, skipping") are not errors: drop them. */
static void
quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int
connect_now(db_conn *c, app_err *err)
{
    if (c->pg != NULL) {
        PQfinish(c->pg);
        c->pg = NULL;
    }
    c->nprepared = 0;
    c->in_tx = 0;
    memset(&c->keys, 0, sizeof(c->keys));
    c->last_attempt_ms = now_ms();
    if (c->options != NULL) {
        /* the URL's own settings first, then the session settings over them */
        const char *keys[] = {"dbname", "options", "connect_timeout", NULL};
        const char *vals[] = {c->url, c->options, DB_CONNECT_TIMEOUT_S, NULL};
        c->pg = PQconnectdbParams(keys, vals, 1);
    } else {
        c->pg = PQconnectdb(c->url);
    }
    if (c->pg == NULL || PQstatus(c->pg) != CONNECTION_OK) {
        app_err_set(err, APP_EUNAVAIL, "database_unavailable", NULL);
        set_detail(err, "connect", c->pg ? PQerrorMessage(c->pg) : "out of memory");
        return APP_EUNAVAIL;
    }
    PQsetNoticeProcessor(c->pg, quiet_notice, NULL);
    return 0;
}

db_conn *
db_conn_open(const char *url, app_err *err)
{
    return db_conn_open_opts(url, NULL, err);
}

db_conn *
db_conn_open_opts(const char *url, const char *options, app_err *err)
{
    db_conn *c = xcalloc(1, sizeof(*c));
    c->url = xstrdup(url);
    c->options = options != NULL && *options != '\0' ? xstrdup(options) : NULL;
    connect_now(c, err);
    return c;
}

void
db_conn_close(db_conn *c)
{
    if (c == NULL)
        return;
    if (c->pg != NULL)
        PQfinish(c->pg);
    free(c->url);
    free(c->options);
    free(c);
}

void
db_conn_recycle(db_conn *c)
{
    if (c->pg == NULL || c->in_tx)
        return;
    PQfinish(c->pg);
    c->pg = NULL;
    c->nprepared = 0;
    c->last_attempt_ms = 0; /* not a failure: the next use connects at once */
}

int
db_conn_ok(const db_conn *c)
{
    return c->pg != NULL && PQstatus(c->pg) == CONNECTION_OK;
}

void
db_conn_set_replica(db_conn *c)
{
    c->replica = 1;
}

int
db_conn_is_replica(const db_conn *c)
{
    return c->replica;
}

int
db_conn_ensure(db_conn *c, app_err *err)
{
    if (db_conn_ok(c))
        return 0;
    if (now_ms() - c->last_attempt_ms < RECONNECT_BACKOFF_MS) {
        return app_err_set(err, APP_EUNAVAIL, "database_unavailable",
                           "database unreachable (reconnect backoff)");
    }
    return connect_now(c, err);
}

/* Map a failed result (or a connection failure when res == NULL) to an app code. */
static int
from_result(db_conn *c, PGresult *res, app_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(c->pg);
    app_code code = APP_EINTERNAL;
    const char *slug = "internal_error";

    if (PQstatus(c->pg) != CONNECTION_OK) {
        code = APP_EUNAVAIL;
        slug = "database_unavailable";
    } else if (state != NULL) {
        if (strcmp(state, "23505") == 0) {
            code = APP_ECONFLICT;
            slug = "conflict";
        } else if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
            code = APP_ERETRY;
            slug = "retry";
        } else if (strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0) {
            /* statement_timeout or lock_timeout: the database is too slow to answer */
            code = APP_EUNAVAIL;
            slug = "database_timeout";
        } else if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0 ||
                   strcmp(state, "53300") == 0) {
            code = APP_EUNAVAIL;
            slug = "database_unavailable";
        }
    }
    app_err_set(err, code, slug, NULL);
    set_detail(err, "query", msg);
    if (err != NULL && state != NULL)
        snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
    return code;
}

/* 0 when `res` is a successful command or query (`empty_ok`: or an empty
   query string); otherwise the mapped error, with `res` cleared. */
static int
result_ok(db_conn *c, PGresult *res, int empty_ok, app_err *err)
{
    ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || (empty_ok && s == PGRES_EMPTY_QUERY))
        return 0;
    int rc = from_result(c, res, err);
    PQclear(res);
    return rc;
}

/* Give `res` to the caller as a db_res, or clear it when none is wanted. */
static void
hand_over(PGresult *res, db_res **out_res)
{
    if (out_res != NULL) {
        db_res *r = xmalloc(sizeof(*r));
        r->pg = res;
        *out_res = r;
    } else {
        PQclear(res);
    }
}

static int
is_prepared(const db_conn *c, const db_stmt *st)
{
    for (int i = 0; i < c->nprepared; i++)
        if (c->prepared[i] == st)
            return 1;
    return 0;
}

static int
exec_once(db_conn *c, const db_stmt *st, int nparams, const char *const *params, PGresult **out,
          app_err *err)
{
    *out = NULL;
    if (!is_prepared(c, st)) {
        PGresult *p = PQprepare(c->pg, st->name, st->sql, 0, NULL);
        if (p == NULL || PQresultStatus(p) != PGRES_COMMAND_OK) {
            int rc = from_result(c, p, err);
            PQclear(p);
            return rc;
        }
        PQclear(p);
        if (c->nprepared < MAX_PREPARED)
            c->prepared[c->nprepared++] = st;
    }
    PGresult *res = PQexecPrepared(c->pg, st->name, nparams, params, NULL, NULL, 0);
    int rc = result_ok(c, res, 0, err);
    if (rc == 0)
        *out = res;
    return rc;
}

int
db_exec(db_conn *c, const db_stmt *st, int nparams, const char *const *params, db_res **out_res,
        app_err *err)
{
    PGresult *res = NULL;
    int rc = db_conn_ensure(c, err);
    if (rc == 0)
        rc = exec_once(c, st, nparams, params, &res, err);
    /* The server restarted under an idle connection: retry once, outside transactions. */
    if (rc == APP_EUNAVAIL && !c->in_tx && !db_conn_ok(c)) {
        c->last_attempt_ms = 0;
        app_err_clear(err);
        rc = db_conn_ensure(c, err);
        if (rc == 0)
            rc = exec_once(c, st, nparams, params, &res, err);
    }
    if (rc != 0)
        return rc;
    hand_over(res, out_res);
    return 0;
}

int
db_exec_once(db_conn *c, const char *sql, int nparams, const char *const *params, db_res **out_res,
             app_err *err)
{
    int rc = db_conn_ensure(c, err);
    if (rc != 0)
        return rc;
    PGresult *res = PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
    if ((rc = result_ok(c, res, 0, err)) != 0)
        return rc;
    hand_over(res, out_res);
    return 0;
}

int
db_exec_raw(db_conn *c, const char *sql, int nparams, const char *const *params, const int *lengths,
            const int *formats, int result_format, db_res **out_res, app_err *err)
{
    int rc = db_conn_ensure(c, err);
    if (rc != 0)
        return rc;
    PGresult *res =
        PQexecParams(c->pg, sql, nparams, NULL, params, lengths, formats, result_format);
    if ((rc = result_ok(c, res, 0, err)) != 0)
        return rc;
    hand_over(res, out_res);
    return 0;
}

int
db_exec_sql(db_conn *c, const char *sql, app_err *err)
{
    int rc = db_conn_ensure(c, err);
    if (rc != 0)
        return rc;
    PGresult *res = PQexec(c->pg, sql);
    if ((rc = result_ok(c, res, 1, err)) != 0)
        return rc;
    PQclear(res);
    return 0;
}

int
db_copy_in(db_conn *c, const char *copy_sql, const char *data, size_t len, app_err *err)
{
    int rc = db_conn_ensure(c, err);
    if (rc != 0)
        return rc;
    PGresult *res = PQexec(c->pg, copy_sql);
    if (res == NULL || PQresultStatus(res) != PGRES_COPY_IN) {
        rc = from_result(c, res, err);
        PQclear(res);
        return rc;
    }
    PQclear(res);
    const size_t step = 1 << 16;
    for (size_t off = 0; off < len; off += step) {
        size_t n = len - off < step ? len - off : step;
        if (PQputCopyData(c->pg, data + off, (int)n) != 1)
            return from_result(c, NULL, err);
    }
    if (PQputCopyEnd(c->pg, NULL) != 1)
        return from_result(c, NULL, err);
    rc = 0;
    while ((res = PQgetResult(c->pg)) != NULL) {
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = from_result(c, res, err);
        PQclear(res);
    }
    return rc;
}

const char *
db_id_array(app_arena *a, const long long *ids, int n)
{
    size_t cap = (size_t)n * 21 + 3, k = 0;
    char *s = app_arena_alloc(a, cap);
    s[k++] = '{';
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(s + k, cap - k, "%s%lld", i ? "," : "", ids[i]);
    s[k++] = '}';
    s[k] = '\0';
    return s;
}

int
db_ping(db_conn *c, app_err *err)
{
    static const db_stmt ping = {"db_ping", "SELECT 1"};
    return db_exec(c, &ping, 0, NULL, NULL, err);
}

int
db_begin(db_conn *c, app_err *err)
{
    /* inside a transaction, a savepoint: the callee's work commits or rolls
       back with it, and a failure undoes only its own part */
    char sql[32];
    if (c->in_tx > 0)
        snprintf(sql, sizeof(sql), "SAVEPOINT xj%d", c->in_tx);
    if (c->in_tx == 0)
        memset(&c->keys, 0, sizeof(c->keys));
    int rc = db_exec_sql(c, c->in_tx > 0 ? sql : "BEGIN", err);
    if (rc == 0)
        c->in_tx++;
    return rc;
}

int
db_commit(db_conn *c, app_err *err)
{
    if (c->in_tx > 1) {
        char sql[40];
        c->in_tx--;
        snprintf(sql, sizeof(sql), "RELEASE SAVEPOINT xj%d", c->in_tx);
        return db_exec_sql(c, sql, err);
    }
    c->in_tx = 0;
    memset(&c->keys, 0, sizeof(c->keys));
    return db_exec_sql(c, "COMMIT", err);
}

void
db_rollback(db_conn *c)
{
    if (c->in_tx > 1) {
        char sql[96];
        c->in_tx--;
        snprintf(sql, sizeof(sql), "ROLLBACK TO SAVEPOINT xj%d; RELEASE SAVEPOINT xj%d", c->in_tx,
                 c->in_tx);
        if (db_conn_ok(c)) {
            PGresult *res = PQexec(c->pg, sql);
            PQclear(res);
        }
        return;
    }
    c->in_tx = 0;
    memset(&c->keys, 0, sizeof(c->keys));
    if (db_conn_ok(c)) {
        PGresult *res = PQexec(c->pg, "ROLLBACK");
        PQclear(res);
    }
}

int
db_in_tx(const db_conn *c)
{
    return c->in_tx;
}

db__tx_keys *
db__keys_of(db_conn *c)
{
    return &c->keys;
}

int
db_res_nrows(const db_res *r)
{
    return PQntuples(r->pg);
}

const char *
db_res_get(const db_res *r, int row, int col)
{
    return PQgetvalue(r->pg, row, col);
}

size_t
db_res_len(const db_res *r, int row, int col)
{
    return (size_t)PQgetlength(r->pg, row, col);
}

int
db_res_isnull(const db_res *r, int row, int col)
{
    return PQgetisnull(r->pg, row, col);
}

char *
db__dup_or_null(app_arena *a, const db_res *r, int row, int col)
{
    return db_res_isnull(r, row, col) ? NULL : app_arena_strdup(a, db_res_get(r, row, col));
}

long long
db_res_int(const db_res *r, int row, int col)
{
    return strtoll(PQgetvalue(r->pg, row, col), NULL, 10);
}

long long
db_res_affected(const db_res *r)
{
    return strtoll(PQcmdTuples(r->pg), NULL, 10);
}

void
db_res_free(db_res *r)
{
    if (r == NULL)
        return;
    PQclear(r->pg);
    free(r);
}
