/*
 * core/op.h - who performs an operation of core/ or workflow/, from where,
 * with which process-wide services. Every operation that writes takes a
 * core_op; the audit row of core/audit.h is made from it.
 */
#ifndef CORE_OP_H
#define CORE_OP_H

#include "base/arena.h"
#include "core/jurisdiction.h"
#include "core/pii.h"
#include "core/record.h"

/* Process-wide services, built at start, read-only afterwards. */
typedef struct core_env {
    const core_codes *codes;
    const core_pii_ring *ring;
} core_env;

/*
 * The identity check of DOMAIN rule 23 (an external service; NULL when none
 * is configured). Called before the transaction opens. Writes one of
 * "passed", "id_not_found", "name_mismatch", "cancelled", "migrating",
 * "duplicate_population" or "unavailable" into out (static string).
 */
typedef void (*core_verify_fn)(void *ctx, const core_record *r, const char **out_result);

typedef struct core_op {
    const core_actor *actor;
    const core_env *env;
    app_arena *arena;
    const char *ip, *user_agent, *request_id; /* for the audit trail */
    int today;                                /* YYYYMMDD (Asia/Shanghai) */
    core_verify_fn verify;
    void *verify_ctx;
} core_op;

#endif
