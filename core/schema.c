/*
 * core/schema.c - migrations (see core/schema.h).
 */
#include "core/schema.h"

#include "db/migrate.h"

int
core_schema_migrate(db_conn *db, int *out_applied, app_err *err)
{
    return db_migrate(db, out_applied, err);
}
