/*
 * core/settings_op.h - reading and writing a region's settings (province
 * rules, DOMAIN rules 14, 16, 21, 32; API.md "GET/PUT
 * /regions/{code}/settings"). The merge along the region chain is
 * db/settings.h's; the date rules are core/settings.h's (pure).
 *
 * Who: a bureau reads and writes the settings of its own region and of every
 * region below it (core_actor_sees_region); a school user reads those of its
 * competent authority and of the regions above it (where its effective rules
 * come from) and writes none. Any other region - not a region, the ministry
 * root, or not visible - is APP_ENOTFOUND region_not_found; a visible region
 * the actor may not write is APP_EFORBIDDEN forbidden.
 *
 * The row is db/settings.h's db_region_settings, handed back through this
 * header; its strings live in op->arena. Called with no transaction open.
 * Other errors: APP_EUNAVAIL, APP_ERETRY, APP_EINTERNAL from db/.
 */
#ifndef CORE_SETTINGS_OP_H
#define CORE_SETTINGS_OP_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/settings.h"

/* The settings of region `code` (six digits) as stored and as merged. */
int core_settings_get(db_conn *db, const core_op *op, const char *code, db_region_settings *out,
                      app_err *err);

/*
 * Replace the overrides of region `code` with `settings_json` (a JSON object
 * the caller has validated, api/settings.h) when their version is still
 * `if_match`: else APP_EPRECOND precondition_failed, field
 * /headers/if-match. On success *out is the stored row, committed with audit
 * row "settings_update" {before, after, version}.
 */
int core_settings_put(db_conn *db, const core_op *op, const char *code, const char *settings_json,
                      int if_match, db_region_settings *out, app_err *err);

/* The effective settings of region `code`, typed, for a reader who may read
   its settings (the same rule as core_settings_get). */
int core_settings_effective_of(db_conn *db, const core_op *op, const char *code, db_settings *out,
                               app_err *err);

#endif
