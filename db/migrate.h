/*
 * db/migrate.h - numbered SQL migrations (db/migrations/NNN_name.sql).
 *
 * Each migration runs in its own transaction together with its row in
 * schema_migrations, so a failing migration leaves nothing behind; a session
 * advisory lock serialises concurrent migrators (two xuejid starting at once).
 * Applied migrations are skipped, so running twice is a no-op. A migration whose
 * file changed after it was applied is refused (checksum mismatch).
 *
 * A migration may contain lines of exactly this form, which load an embedded
 * data file (psql understands the same line, for manual use from the repo root):
 *   \copy TABLE (COLS) from 'PATH' with (format csv, header true)
 */
#ifndef DB_MIGRATE_H
#define DB_MIGRATE_H

#include "base/err.h"
#include "db/db.h"
#include "db/embedded.h"

/* Apply pending migrations; *out_applied (may be NULL) receives how many ran. */
int db_migrate(db_conn *c, int *out_applied, app_err *err);

/* The same over another file table (tests): entries named db/migrations/NNN_x.sql
   are migrations, in table order; the others serve \copy lines. */
int db_migrate_files(db_conn *c, const struct embedded_file *files, int *out_applied, app_err *err);

#endif
