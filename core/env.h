/*
 * core/env.h - what a process builds once at start for core_env (core/op.h):
 * the code tables and region list from the database, and the data keys from
 * the configuration.
 */
#ifndef CORE_ENV_H
#define CORE_ENV_H

#include "base/err.h"
#include "core/pii.h"
#include "core/record.h"
#include "db/db.h"

/*
 * Load the code tables and the region list into a new core_codes (sealed).
 * On success *out is the caller's (free with core_codes_free). Errors: the
 * db/ error (APP_EUNAVAIL, APP_EINTERNAL) in *err; nothing is kept then.
 */
int core_codes_load(db_conn *db, core_codes **out, app_err *err);

/*
 * Parse a data key as configured: 64 hex digits, optionally behind the
 * development marker "xueji-dev-" (*out_dev = 1 then). Returns 0 or
 * APP_EINVAL (no app_err: the caller words the configuration error).
 */
int core_key_parse(const char *text, unsigned char out[CORE_PII_KEY_BYTES], int *out_dev);

#endif
