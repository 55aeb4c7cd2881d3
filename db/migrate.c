/*
 * db/migrate.c - the migration runner.
 */
#include "db/migrate.h"

#include "base/arena.h"
#include "db/embedded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIGRATION_LOCK_KEY "7263512001" /* any constant, shared by every xuejid */

static const char SQL_BOOTSTRAP[] = "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                    " version int PRIMARY KEY,"
                                    " name text NOT NULL,"
                                    " checksum text NOT NULL,"
                                    " applied_at timestamptz NOT NULL DEFAULT now())";

static const db_stmt SQL_APPLIED = {"migrate_applied",
                                    "SELECT checksum FROM schema_migrations WHERE version = $1"};
static const db_stmt SQL_RECORD = {
    "migrate_record",
    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)"};

const struct embedded_file *
db_embedded_find(const char *name)
{
    for (const struct embedded_file *f = embedded_files; f->name != NULL; f++)
        if (strcmp(f->name, name) == 0)
            return f;
    return NULL;
}

/* FNV-1a 64: detects an edited migration; not a security measure. */
static void
checksum(const unsigned char *p, size_t n, char out[17])
{
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    snprintf(out, 17, "%016llx", h);
}

/* Run text[0..n) as SQL through the simple protocol (several statements allowed). */
static int
exec_span(db_conn *c, const char *text, size_t n, app_err *err)
{
    char *sql = xmalloc(n + 1);
    memcpy(sql, text, n);
    sql[n] = '\0';
    int rc = db_exec_sql(c, sql, err);
    free(sql);
    return rc;
}

/* One `\copy TABLE (COLS) from 'PATH' with (OPTIONS)` line, [line, end). */
static int
exec_copy(db_conn *c, const char *line, const char *end, app_err *err)
{
    const char *spec = line + strlen("\\copy ");
    const char *from = strstr(spec, " from '");
    const char *q2 = from && from < end ? memchr(from + 7, '\'', (size_t)(end - from - 7)) : NULL;
    const char *with = q2 ? strstr(q2, " with ") : NULL;
    if (q2 == NULL || (with != NULL && with > end))
        return app_err_set(err, APP_EINTERNAL, "migration_failed", "malformed \\copy line");
    if (with == NULL)
        with = end;

    char path[256];
    snprintf(path, sizeof(path), "%.*s", (int)(q2 - (from + 7)), from + 7);
    const struct embedded_file *f = db_embedded_find(path);
    if (f == NULL)
        return app_err_set(err, APP_EINTERNAL, "migration_failed", "%s is not embedded", path);

    char sql[512];
    snprintf(sql, sizeof(sql), "COPY %.*s FROM STDIN%s%.*s", (int)(from - spec), spec,
             with < end ? " WITH " : "", with < end ? (int)(end - (with + 6)) : 0,
             with < end ? with + 6 : "");
    return db_copy_in(c, sql, (const char *)f->data, f->len, err);
}

/*
 * Execute one migration's text: plain SQL spans through the simple protocol,
 * `\copy` lines as COPY FROM STDIN fed with the embedded data file.
 */
static int
run_script(db_conn *c, const char *text, app_err *err)
{
    const char *span = text, *p = text;
    int rc = 0;
    while (rc == 0 && *p) {
        const char *eol = strchr(p, '\n');
        const char *end = eol ? eol : p + strlen(p);
        if (strncmp(p, "\\copy ", 6) == 0) {
            if (p > span)
                rc = exec_span(c, span, (size_t)(p - span), err);
            if (rc == 0)
                rc = exec_copy(c, p, end, err);
            span = eol ? eol + 1 : end;
        }
        p = eol ? eol + 1 : end;
    }
    if (rc == 0 && p > span)
        rc = exec_span(c, span, (size_t)(p - span), err);
    return rc;
}

static int
is_migration(const char *name)
{
    const char *prefix = "db/migrations/";
    size_t n = strlen(name);
    return strncmp(name, prefix, strlen(prefix)) == 0 && n > 4 && strcmp(name + n - 4, ".sql") == 0;
}

int
db_migrate(db_conn *c, int *out_applied, app_err *err)
{
    return db_migrate_files(c, embedded_files, out_applied, err);
}

int
db_migrate_files(db_conn *c, const struct embedded_file *files, int *out_applied, app_err *err)
{
    int applied = 0;
    int rc = db_exec_sql(c, "SELECT pg_advisory_lock(" MIGRATION_LOCK_KEY ")", err);
    if (rc != 0)
        return rc;
    rc = db_exec_sql(c, SQL_BOOTSTRAP, err);

    /* embedded_files is sorted by path, so migrations come in numeric order */
    for (const struct embedded_file *f = files; rc == 0 && f->name != NULL; f++) {
        if (!is_migration(f->name))
            continue;
        const char *base = f->name + strlen("db/migrations/");
        int version = atoi(base);
        char vbuf[16], sum[17];
        snprintf(vbuf, sizeof(vbuf), "%d", version);
        checksum(f->data, f->len, sum);

        const char *p1[] = {vbuf};
        db_res *res = NULL;
        rc = db_exec(c, &SQL_APPLIED, 1, p1, &res, err);
        if (rc != 0)
            break;
        if (db_res_nrows(res) == 1) {
            int same = strcmp(db_res_get(res, 0, 0), sum) == 0;
            db_res_free(res);
            if (!same) {
                rc = app_err_set(err, APP_EINTERNAL, "migration_failed",
                                 "migration %s changed after it was applied", base);
                break;
            }
            continue;
        }
        db_res_free(res);

        rc = db_begin(c, err);
        if (rc == 0)
            rc = run_script(c, (const char *)f->data, err);
        if (rc == 0) {
            const char *p3[] = {vbuf, base, sum};
            rc = db_exec(c, &SQL_RECORD, 3, p3, NULL, err);
        }
        if (rc == 0)
            rc = db_commit(c, err);
        if (rc != 0) {
            db_rollback(c);
            if (err != NULL) {
                char d[sizeof(err->detail)];
                int n = snprintf(d, sizeof(d), "%.60s: ", base);
                memcpy(d + n, err->detail, sizeof(d) - (size_t)n - 1);
                d[sizeof(d) - 1] = '\0';
                memcpy(err->detail, d, sizeof(d));
            }
            break;
        }
        applied++;
    }
    app_err unlock_err = {0};
    db_exec_sql(c, "SELECT pg_advisory_unlock(" MIGRATION_LOCK_KEY ")", &unlock_err);
    if (out_applied != NULL)
        *out_applied = applied;
    return rc;
}
