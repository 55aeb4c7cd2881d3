/*
 * api/h_system.c - liveness, readiness, metrics and the contract.
 */
#include "api/handlers.h"
#include "api/metrics.h"
#include "core/system.h"

#include <string.h>

void
h_healthz(api_call *c)
{
    api_reply_json(c, 200, json_pack("{s:s}", "status", "ok"));
}

static int
job_ready(api_call *c, db_conn *db)
{
    int rc = core_system_ready(db, &c->err);
    if (rc != 0)
        return rc;
    api_reply_json(c, 200, json_pack("{s:s}", "status", "ready"));
    return 0;
}

void
h_readyz(api_call *c)
{
    api_submit(c, job_ready);
}

void
h_metrics(api_call *c)
{
    size_t len;
    char *text = api_metrics_render(c->arena, &len);
    api_reply_raw(c, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

void
h_openapi(api_call *c)
{
    size_t len;
    const char *text = core_system_contract(&len);
    if (text == NULL) {
        api_fail_code(c, APP_ENOTFOUND, "not_found", NULL);
        return;
    }
    api_reply_raw(c, 200, "application/yaml; charset=utf-8", text, len);
}
