/*
 * core/system.c - readiness and the contract (see core/system.h).
 */
#include "core/system.h"

#include "db/embedded.h"

int
core_system_ready(db_conn *db, app_err *err)
{
    if (db_ping(db, err) != 0) {
        err->slug = "database_unavailable";
        err->code = APP_EUNAVAIL;
        return APP_EUNAVAIL;
    }
    return 0;
}

const char *
core_system_contract(size_t *out_len)
{
    const struct embedded_file *f = db_embedded_find("openapi.yaml");
    *out_len = f ? f->len : 0;
    return f ? (const char *)f->data : NULL;
}
