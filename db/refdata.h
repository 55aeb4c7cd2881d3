/*
 * db/refdata.h - region (GB/T 2260) and code-table reads.
 */
#ifndef DB_REFDATA_H
#define DB_REFDATA_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

typedef struct db_region {
    char code[7];
    const char *name;  /* in arena */
    const char *level; /* "ministry", "province", "city", "county" (static) */
    char parent[7];    /* "" for the ministry */
} db_region;

/*
 * The region `code` followed by its ancestors, nearest first, in one round trip.
 * *out_n counts them all (0 when the code does not exist).
 */
int db_region_get_with_ancestors(db_conn *c, const char *code, app_arena *a, db_region **out,
                                 int *out_n, app_err *err);

/* Children of `parent` with code > `after` ("" for the start), at most `limit`, by code. */
int db_region_children(db_conn *c, const char *parent, const char *after, int limit, app_arena *a,
                       db_region **out, int *out_n, app_err *err);

typedef struct db_code_table {
    const char *name, *label, *source;
    int count;
} db_code_table;

typedef struct db_code_value {
    const char *code, *label;
} db_code_value;

int db_code_tables(db_conn *c, app_arena *a, db_code_table **out, int *out_n, app_err *err);

/* Values of one table in display order; APP_ENOTFOUND when there is no such table. */
int db_code_values(db_conn *c, const char *table, app_arena *a, db_code_table *out_table,
                   db_code_value **out, int *out_n, app_err *err);

/* Every code-table value and every region (table "region": code -> name), one call each. */
typedef void (*db_code_fn)(void *ctx, const char *table, const char *code, const char *label);
int db_code_values_all(db_conn *c, db_code_fn fn, void *ctx, app_err *err);

#endif
