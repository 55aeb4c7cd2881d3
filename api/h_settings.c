/*
 * api/h_settings.c - GET and PUT /api/v1/regions/{code}/settings: province
 * rules with inheritance county -> city -> province -> defaults. The body's
 * shape is api/settings.h's; who may read or write which region, the
 * transaction and the audit row are core/settings_op.h's.
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "api/settings.h"
#include "core/settings_op.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
parse_object(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return json_object();
    }
    json_t *o = api_settings_ordered(j);
    json_decref(j);
    return o;
}

static void
reply_settings(api_call *c, int status, const db_region_settings *rs)
{
    json_t *o =
        json_pack("{s:s,s:o,s:o,s:i}", "region", rs->region, "settings", parse_object(rs->settings),
                  "effective", parse_object(rs->effective), "version", rs->version);
    json_object_set_new(o, "updated_at",
                        rs->updated_at[0] ? json_string(rs->updated_at) : json_null());
    api_etag(c, rs->version);
    api_reply_json(c, status, o);
}

/* ---- GET ---- */

static int
job_settings_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_region_settings rs;
    int rc = core_settings_get(db, &op, api_param(c, "code"), &rs, &c->err);
    if (rc != 0)
        return rc;
    reply_settings(c, 200, &rs);
    return 0;
}

void
h_region_settings_get(api_call *c)
{
    if (!api_six_digits(api_param(c, "code"))) {
        api_fail_code(c, APP_ENOTFOUND, "region_not_found", NULL);
        return;
    }
    api_submit(c, job_settings_get);
}

/* ---- PUT ---- */

typedef struct put_args {
    int if_match;
    const char *settings; /* validated JSON text */
} put_args;

static int
job_settings_put(api_call *c, db_conn *db)
{
    put_args *a = c->data;
    core_op op;
    api_op(c, &op);
    db_region_settings after;
    int rc =
        core_settings_put(db, &op, api_param(c, "code"), a->settings, a->if_match, &after, &c->err);
    if (rc != 0)
        return rc;
    reply_settings(c, 200, &after);
    return 0;
}

void
h_region_settings_put(api_call *c)
{
    if (!api_six_digits(api_param(c, "code"))) {
        api_fail_code(c, APP_ENOTFOUND, "region_not_found", NULL);
        return;
    }
    put_args *a = app_arena_alloc(c->arena, sizeof(*a));
    if (api_if_match(c, &a->if_match) != 0)
        return;
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    app_err e = {0};
    /* the members a GET answers may come back; they are read-only and ignored */
    static const char *const ignored[] = {"region", "effective", "version", "updated_at", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(c->json, k, v)
    {
        int known = strcmp(k, "settings") == 0;
        for (const char *const *i = ignored; *i; i++)
            known |= strcmp(*i, k) == 0;
        if (!known) {
            char p[64];
            snprintf(p, sizeof(p), "/%s", k);
            app_err_add(&e, p, "unknown_field", NULL);
        }
    }
    json_t *s = json_object_get(c->json, "settings");
    if (s == NULL)
        app_err_add(&e, "/settings", "missing_field", NULL);
    else
        api_settings_validate(s, "/settings", &e);
    if (api_fail_items(&e) != 0) {
        api_fail(c, &e);
        return;
    }
    char *text = json_dumps(s, JSON_COMPACT | JSON_PRESERVE_ORDER);
    a->settings = app_arena_strdup(c->arena, text ? text : "{}");
    free(text);
    c->data = a;
    api_submit(c, job_settings_put);
}
