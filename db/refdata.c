/*
 * db/refdata.c - region and code-table queries.
 */
#include "db/refdata.h"

#include <stdio.h>
#include <string.h>

static const db_stmt SQL_REGION_UP = {
    "region_up", "WITH RECURSIVE up AS ("
                 " SELECT code, name, level, parent, 0 AS depth FROM region WHERE code = $1"
                 " UNION ALL"
                 " SELECT r.code, r.name, r.level, r.parent, up.depth + 1"
                 " FROM region r JOIN up ON r.code = up.parent)"
                 " SELECT code, name, level, coalesce(parent, '') FROM up ORDER BY depth"};

static const db_stmt SQL_REGION_CHILDREN = {
    "region_children", "SELECT code, name, level, coalesce(parent, '') FROM region"
                       " WHERE parent = $1 AND code > $2 ORDER BY code LIMIT $3"};

static const db_stmt SQL_CODE_TABLES = {
    "code_tables", "SELECT t.name, t.label, t.source, count(v.code)"
                   " FROM code_table t LEFT JOIN code_value v ON v.table_name = t.name"
                   " GROUP BY t.name ORDER BY t.name"};

static const db_stmt SQL_CODE_TABLE = {
    "code_table", "SELECT name, label, source FROM code_table WHERE name = $1"};

static const db_stmt SQL_CODE_VALUES = {
    "code_values", "SELECT code, label FROM code_value WHERE table_name = $1 ORDER BY sort, code"};

static const char *
level_static(const char *s)
{
    static const char *const levels[] = {"ministry", "province", "city", "county"};
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (strcmp(s, levels[i]) == 0)
            return levels[i];
    return "county";
}

static void
fill_regions(const db_res *res, app_arena *a, db_region **out, int *out_n)
{
    int n = db_res_nrows(res);
    db_region *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        snprintf(v[i].code, sizeof(v[i].code), "%s", db_res_get(res, i, 0));
        v[i].name = app_arena_strdup(a, db_res_get(res, i, 1));
        v[i].level = level_static(db_res_get(res, i, 2));
        snprintf(v[i].parent, sizeof(v[i].parent), "%s", db_res_get(res, i, 3));
    }
    *out = v;
    *out_n = n;
}

int
db_region_get_with_ancestors(db_conn *c, const char *code, app_arena *a, db_region **out,
                             int *out_n, app_err *err)
{
    const char *p[] = {code};
    db_res *res = NULL;
    int rc = db_exec(c, &SQL_REGION_UP, 1, p, &res, err);
    if (rc != 0)
        return rc;
    fill_regions(res, a, out, out_n);
    db_res_free(res);
    return 0;
}

int
db_region_children(db_conn *c, const char *parent, const char *after, int limit, app_arena *a,
                   db_region **out, int *out_n, app_err *err)
{
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *p[] = {parent, after, lim};
    db_res *res = NULL;
    int rc = db_exec(c, &SQL_REGION_CHILDREN, 3, p, &res, err);
    if (rc != 0)
        return rc;
    fill_regions(res, a, out, out_n);
    db_res_free(res);
    return 0;
}

int
db_code_tables(db_conn *c, app_arena *a, db_code_table **out, int *out_n, app_err *err)
{
    db_res *res = NULL;
    int rc = db_exec(c, &SQL_CODE_TABLES, 0, NULL, &res, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(res);
    db_code_table *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        v[i].name = app_arena_strdup(a, db_res_get(res, i, 0));
        v[i].label = app_arena_strdup(a, db_res_get(res, i, 1));
        v[i].source = app_arena_strdup(a, db_res_get(res, i, 2));
        v[i].count = (int)db_res_int(res, i, 3);
    }
    db_res_free(res);
    *out = v;
    *out_n = n;
    return 0;
}

int
db_code_values(db_conn *c, const char *table, app_arena *a, db_code_table *out_table,
               db_code_value **out, int *out_n, app_err *err)
{
    const char *p[] = {table};
    db_res *res = NULL;
    int rc = db_exec(c, &SQL_CODE_TABLE, 1, p, &res, err);
    if (rc != 0)
        return rc;
    if (db_res_nrows(res) == 0) {
        db_res_free(res);
        return app_err_set(err, APP_ENOTFOUND, "code_table_not_found", "no code table %s", table);
    }
    out_table->name = app_arena_strdup(a, db_res_get(res, 0, 0));
    out_table->label = app_arena_strdup(a, db_res_get(res, 0, 1));
    out_table->source = app_arena_strdup(a, db_res_get(res, 0, 2));
    db_res_free(res);

    rc = db_exec(c, &SQL_CODE_VALUES, 1, p, &res, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(res);
    db_code_value *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        v[i].code = app_arena_strdup(a, db_res_get(res, i, 0));
        v[i].label = app_arena_strdup(a, db_res_get(res, i, 1));
    }
    db_res_free(res);
    out_table->count = n;
    *out = v;
    *out_n = n;
    return 0;
}

static const db_stmt SQL_ALL_CODES = {"codes_all",
                                      "SELECT table_name, code, label FROM code_value"
                                      " UNION ALL SELECT 'region', code, name FROM region"};

int
db_code_values_all(db_conn *c, db_code_fn fn, void *ctx, app_err *err)
{
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_ALL_CODES, 0, NULL, &r, err);
    if (rc != 0)
        return rc;
    for (int i = 0; i < db_res_nrows(r); i++)
        fn(ctx, db_res_get(r, i, 0), db_res_get(r, i, 1), db_res_get(r, i, 2));
    db_res_free(r);
    return 0;
}
