/*
 * core/refdata.c - regions, code tables and the ID number check (see
 * core/refdata.h).
 */
#include "core/refdata.h"

#include <string.h>

int
core_region_get(db_conn *db, const core_op *op, const char *code, db_region **out, int *out_n,
                app_err *err)
{
    int rc = db_region_get_with_ancestors(db, code, op->arena, out, out_n, err);
    if (rc != 0)
        return rc;
    if (*out_n == 0 || strcmp((*out)[0].level, "ministry") == 0)
        return app_err_set(err, APP_ENOTFOUND, "region_not_found", NULL);
    return 0;
}

int
core_region_children(db_conn *db, const core_op *op, const char *parent, const char *after,
                     int limit, db_region **out, int *out_n, int *out_more, app_err *err)
{
    int n = 0;
    *out_n = *out_more = 0;
    /* one extra row tells whether there is a next page */
    int rc = db_region_children(db, parent, after, limit + 1, op->arena, out, &n, err);
    if (rc != 0)
        return rc;
    if (n == 0 && after[0] == '\0' && strcmp(parent, "000000") != 0) {
        db_region *self;
        int m;
        if ((rc = db_region_get_with_ancestors(db, parent, op->arena, &self, &m, err)) != 0)
            return rc;
        if (m == 0) {
            app_err_field(err, "/query/parent");
            return app_err_set(err, APP_ENOTFOUND, "region_not_found", NULL);
        }
    }
    *out_more = n > limit;
    *out_n = *out_more ? limit : n;
    return 0;
}

int
core_code_tables(db_conn *db, const core_op *op, db_code_table **out, int *out_n, app_err *err)
{
    return db_code_tables(db, op->arena, out, out_n, err);
}

int
core_code_table_get(db_conn *db, const core_op *op, const char *name, db_code_table *out_table,
                    db_code_value **out, int *out_n, app_err *err)
{
    return db_code_values(db, name, op->arena, out_table, out, out_n, err);
}

static int
region_known(const char *code6, void *ctx)
{
    db_conn *db = ctx;
    app_arena *a = app_arena_new();
    db_region *v;
    int n = 0;
    app_err err = {0};
    int rc = db_region_get_with_ancestors(db, code6, a, &v, &n, &err);
    app_arena_free(a);
    return rc != 0 || n > 0; /* on a DB error, do not warn */
}

int
core_idnum_check(db_conn *db, const core_op *op, const char *number, size_t len, int today,
                 core_idnum *out, const char **out_region_name, app_err *err)
{
    *out_region_name = NULL;
    int rc = core_idnum_parse(number, len, today, region_known, db, out, err);
    if (rc != 0) {
        app_err_field(err, "/id_number");
        return rc;
    }
    db_region *v;
    int n = 0;
    if ((rc = db_region_get_with_ancestors(db, out->region, op->arena, &v, &n, err)) != 0)
        return rc;
    if (n == 0)
        return 0;
    /* the full name, province first: 河南省郑州市中原区 */
    char *full = "";
    for (int i = n - 1; i >= 0; i--)
        if (strcmp(v[i].level, "ministry") != 0)
            full = app_arena_printf(op->arena, "%s%s", full, v[i].name);
    *out_region_name = full;
    return 0;
}
