/*
 * api/registry.c - process-wide services of the student registry (see registry.h).
 */
#include "api/registry.h"

#include "api/verifier.h"
#include "core/calendar.h"
#include "core/env.h"
#include "workflow/wf.h"

#include <sodium.h>
#include <string.h>

static core_env ENV;
static core_codes *CODES;
static core_pii_ring *RING;
static api_verifier *VERIFIER;
static int TODAY; /* XUEJI_TODAY, 0 = the real date */

int
api_registry_init(const api_config *cfg, db_conn *db, app_err *err)
{
    if (!cfg->have_data_key)
        return app_err_set(err, APP_EINVAL, "bad_config",
                           "XUEJI_DATA_KEY is required: it encrypts ID and phone numbers");
    core_codes *codes = NULL;
    int rc = core_codes_load(db, &codes, err);
    if (rc != 0)
        return rc;
    return api_registry_setup(cfg, codes, err);
}

int
api_registry_setup(const api_config *cfg, core_codes *codes, app_err *err)
{
    int rc;
    CODES = codes;
    if (!cfg->have_data_key)
        return app_err_set(err, APP_EINVAL, "bad_config", "XUEJI_DATA_KEY is required");
    unsigned char keys[8][CORE_PII_KEY_BYTES];
    memcpy(keys[0], cfg->data_key, CORE_PII_KEY_BYTES);
    for (int i = 0; i < cfg->nold_keys; i++)
        memcpy(keys[1 + i], cfg->old_keys[i], CORE_PII_KEY_BYTES);
    RING = core_pii_ring_new((const unsigned char(*)[CORE_PII_KEY_BYTES])keys, 1 + cfg->nold_keys);
    sodium_memzero(keys, sizeof(keys));
    if (RING == NULL)
        return app_err_set(err, APP_EINVAL, "bad_config", "data keys: a key is given twice");
    if ((rc = core_student_init()) != 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "field catalog columns");
    if (cfg->verifier_url[0]) {
        VERIFIER = api_verifier_new(cfg->verifier_url, cfg->verifier_timeout_ms, err);
        if (VERIFIER == NULL)
            return APP_EINVAL;
    }
    TODAY = cfg->today_override;
    wf_fault_after_effect = cfg->fault_after_effect;
    ENV.codes = CODES;
    ENV.ring = RING;
    return 0;
}

void
api_registry_free(void)
{
    api_verifier_free(VERIFIER);
    core_pii_ring_free(RING);
    core_codes_free(CODES);
    VERIFIER = NULL;
    RING = NULL;
    CODES = NULL;
}

const core_env *
api_env(void)
{
    return ENV.ring ? &ENV : NULL;
}

/* core_verify_fn over the configured verifier. */
static void
verify(void *ctx, const core_record *r, const char **out)
{
    app_err e = {0};
    api_verify_result res =
        api_verifier_check(ctx, r->v[CORE_R_NAME], r->v[CORE_R_ID_TYPE], r->v[CORE_R_ID_NUMBER],
                           r->v[CORE_R_GENDER], r->v[CORE_R_BIRTH_DATE], &e);
    *out = api_verify_result_name(res);
}

void
api_op_for(const core_actor *actor, app_arena *a, core_op *out)
{
    memset(out, 0, sizeof(*out));
    out->actor = actor;
    out->env = &ENV;
    out->arena = a;
    out->today = TODAY ? TODAY : core_today();
    if (VERIFIER) {
        out->verify = verify;
        out->verify_ctx = VERIFIER;
    }
}

void
api_op(api_call *c, core_op *out)
{
    memset(out, 0, sizeof(*out));
    out->actor = &c->actor;
    out->env = &ENV;
    out->arena = c->arena;
    out->ip = c->client_ip;
    out->user_agent = c->user_agent;
    out->request_id = c->request_id;
    out->today = TODAY ? TODAY : core_today();
    if (VERIFIER) {
        out->verify = verify;
        out->verify_ctx = VERIFIER;
    }
}
