/*
 * api/h_settings.c - GET and PUT /api/v1/regions/{code}/settings: province
 * rules with inheritance county -> city -> province -> defaults (db/settings.h,
 * api/settings.h).
 *
 * Who: a bureau reads and writes the settings of its own region and of every
 * region below it (core_actor_sees_region); a school user reads the settings
 * of its competent authority and of the regions above it (where its
 * effective rules come from) and writes none. Any other region is 404
 * region_not_found; a visible region the caller may not write is 403.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/settings.h"
#include "db/refdata.h"
#include "db/school.h"
#include "db/settings.h"

/*
 * The loader: region `code` if the caller may read its settings, with
 * *out_can_write. Not a region, the ministry root, or not visible:
 * APP_ENOTFOUND region_not_found.
 */
static int
load_region(api_call *c, db_conn *db, const char *code, int *out_can_write)
{
    db_region *v;
    int n = 0;
    int rc = db_region_get_with_ancestors(db, code, c->arena, &v, &n, &c->err);
    if (rc != 0)
        return rc;
    int sees = 0;
    *out_can_write = 0;
    if (n > 0 && strcmp(v[0].level, "ministry") != 0) {
        if (c->actor.level == CORE_LEVEL_SCHOOL) {
            db_school s;
            int found = 0;
            if ((rc = db_school_get(db, c->actor.org, c->arena, &s, &found, &c->err)) != 0)
                return rc;
            db_region *chain;
            int m = 0;
            if (found && (rc = db_region_get_with_ancestors(db, s.authority, c->arena, &chain,
                                                            &m, &c->err)) != 0)
                return rc;
            for (int i = 0; found && i < m; i++)
                sees |= strcmp(chain[i].code, code) == 0 && strcmp(chain[i].level, "ministry") != 0;
        } else {
            sees = *out_can_write = core_actor_sees_region(&c->actor, code);
        }
    }
    if (!sees)
        return app_err_set(&c->err, APP_ENOTFOUND, "region_not_found", "region %s", code);
    return 0;
}

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
    json_t *o = json_pack("{s:s,s:o,s:o,s:i}", "region", rs->region, "settings",
                          parse_object(rs->settings), "effective", parse_object(rs->effective),
                          "version", rs->version);
    json_object_set_new(o, "updated_at",
                        rs->updated_at[0] ? json_string(rs->updated_at) : json_null());
    api_etag(c, rs->version);
    api_reply_json(c, status, o);
}

/* ---- GET ---- */

static int
job_settings_get(api_call *c, db_conn *db)
{
    const char *code = api_param(c, "code");
    int can_write;
    int rc = load_region(c, db, code, &can_write);
    if (rc != 0)
        return rc;
    db_region_settings rs;
    int found = 0;
    if ((rc = db_settings_get(db, code, c->arena, &rs, &found, &c->err)) != 0)
        return rc;
    if (!found)
        return app_err_set(&c->err, APP_ENOTFOUND, "region_not_found", NULL);
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
    const char *code = api_param(c, "code");
    int can_write;
    int rc = load_region(c, db, code, &can_write);
    if (rc != 0)
        return rc;
    if (!can_write)
        return app_err_set(&c->err, APP_EFORBIDDEN, "forbidden", NULL);
    db_region_settings before, after;
    int found = 0, version = 0;
    if ((rc = db_begin(db, &c->err)) != 0 ||
        (rc = db_settings_get(db, code, c->arena, &before, &found, &c->err)) != 0)
        return rc;
    if (!found)
        return app_err_set(&c->err, APP_ENOTFOUND, "region_not_found", NULL);
    if (before.version != a->if_match) {
        app_err_field(&c->err, "/headers/if-match");
        return app_err_set(&c->err, APP_EPRECOND, "precondition_failed", NULL);
    }
    rc = db_settings_put(db, code, a->settings, before.version, c->actor.user_id, &version,
                         &c->err);
    if (rc == 0)
        rc = db_settings_get(db, code, c->arena, &after, &found, &c->err);
    if (rc != 0)
        return rc;
    json_t *d = json_pack("{s:o,s:o,s:i}", "before", parse_object(before.settings), "after",
                          parse_object(after.settings), "version", after.version);
    char *ds = json_dumps(d, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(d);
    api_audit(c, db, "settings_update", "region", code, app_arena_strdup(c->arena, ds ? ds : "{}"));
    free(ds);
    if ((rc = c->err.code) != 0 || (rc = db_commit(db, &c->err)) != 0)
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
    json_object_foreach(c->json, k, v) {
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
