/*
 * core/system.h - what the system routes need below api/: readiness (can the
 * database be reached) and the HTTP contract compiled into the binary.
 */
#ifndef CORE_SYSTEM_H
#define CORE_SYSTEM_H

#include "base/err.h"
#include "db/db.h"

#include <stddef.h>

/* One round trip to the database: 0, or APP_EUNAVAIL database_unavailable. */
int core_system_ready(db_conn *db, app_err *err);

/* openapi.yaml as built into the binary (static, *out_len bytes), or NULL. */
const char *core_system_contract(size_t *out_len);

#endif
