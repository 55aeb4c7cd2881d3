/*
 * tests/lib/dbtest.h - a database of its own for each integration test, in
 * the throwaway cluster of $XUEJI_TEST_DATABASE_URL (scripts/run-tests.sh).
 * Call from checked fixtures (each forked test gets its own connection).
 */
#ifndef TESTS_LIB_DBTEST_H
#define TESTS_LIB_DBTEST_H

#include "db/db.h"

/* Create database `<prefix>_<pid>` and connect to it (asserts on failure). */
db_conn *dbt_create(const char *prefix);
/* The same, cloned from a migrated template (much cheaper than migrating each
   test's database): the template `dbt_migrated` is migrated once per cluster,
   under an advisory lock, and each clone is migrated again (a no-op unless
   migrations came after the template; a template whose migrations changed is
   made afresh). For tests that need the schema, not its migration. */
db_conn *dbt_create_migrated(const char *prefix);
/* Close `c` and drop the database dbt_create or dbt_create_migrated made. */
void dbt_drop(db_conn *c);

#endif
