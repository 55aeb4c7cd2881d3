/*
 * api/registry.h - the student registry's process-wide services for the
 * HTTP layer: code tables and regions in memory, the PII key ring, the
 * identity verifier, and the core_op of a call.
 */
#ifndef API_REGISTRY_H
#define API_REGISTRY_H

#include "api/api.h"
#include "api/config.h"
#include "core/student.h"

/* Build everything from the configuration and the (migrated) database. Once, at start. */
int api_registry_init(const api_config *cfg, db_conn *db, app_err *err);
/* The part after loading the code tables: takes `codes` (sealed; freed by
   api_registry_free). Needs no database (the fuzz targets start here). */
int api_registry_setup(const api_config *cfg, core_codes *codes, app_err *err);
void api_registry_free(void);

/* The services (NULL before api_registry_init()). */
const core_env *api_env(void);

/* A core_op for the call (worker thread): actor, arena, audit context, today, verifier. */
void api_op(api_call *c, core_op *out);
/* The same for work outside a call (import workers): no IP or request id. */
void api_op_for(const core_actor *actor, app_arena *a, core_op *out);

#endif
