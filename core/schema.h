/*
 * core/schema.h - the database schema: the numbered migrations embedded in
 * the binaries (db/migrations/NNN_name.sql, db/migrate.h) brought up to
 * date, for `xuejid migrate`, `xuejid serve` and `xuejictl migrate`.
 */
#ifndef CORE_SCHEMA_H
#define CORE_SCHEMA_H

#include "base/err.h"
#include "db/db.h"

/*
 * Apply the pending migrations, each in its own transaction, serialised with
 * other migrators; *out_applied (may be NULL) receives how many ran (0: the
 * schema was up to date). A migration whose file changed after it was
 * applied is refused. Errors: APP_EUNAVAIL, APP_EINTERNAL (err->detail says
 * which migration and why).
 */
int core_schema_migrate(db_conn *db, int *out_applied, app_err *err);

#endif
