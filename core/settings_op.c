/*
 * core/settings_op.c - reading and writing region settings (see
 * core/settings_op.h).
 */
#include "core/settings_op.h"

#include "base/jw.h"
#include "core/audit.h"
#include "db/refdata.h"
#include "db/school.h"

#include <string.h>

/* May a school user read the settings of `code`: its authority or a region above it? */
static int
school_reads(db_conn *db, const core_op *op, const char *code, int *out_ok, app_err *err)
{
    db_school s;
    int found = 0;
    *out_ok = 0;
    int rc = db_school_get(db, op->actor->org, op->arena, &s, &found, err);
    if (rc != 0 || !found)
        return rc;
    db_region *chain;
    int m = 0;
    if ((rc = db_region_get_with_ancestors(db, s.authority, op->arena, &chain, &m, err)) != 0)
        return rc;
    for (int i = 0; i < m; i++)
        *out_ok |= strcmp(chain[i].code, code) == 0 && strcmp(chain[i].level, "ministry") != 0;
    return 0;
}

/*
 * The loader: region `code` if the actor may read its settings, with
 * *out_can_write. Not a region, the ministry root, or not visible:
 * APP_ENOTFOUND region_not_found.
 */
static int
load_region(db_conn *db, const core_op *op, const char *code, int *out_can_write, app_err *err)
{
    db_region *v;
    int n = 0;
    int rc = db_region_get_with_ancestors(db, code, op->arena, &v, &n, err);
    if (rc != 0)
        return rc;
    int sees = 0;
    *out_can_write = 0;
    if (n > 0 && strcmp(v[0].level, "ministry") != 0) {
        if (op->actor->level == CORE_LEVEL_SCHOOL) {
            if ((rc = school_reads(db, op, code, &sees, err)) != 0)
                return rc;
        } else {
            sees = *out_can_write = core_actor_sees_region(op->actor, code);
        }
    }
    if (!sees)
        return app_err_set(err, APP_ENOTFOUND, "region_not_found", "region %s", code);
    return 0;
}

int
core_settings_get(db_conn *db, const core_op *op, const char *code, db_region_settings *out,
                  app_err *err)
{
    int can_write, found = 0;
    int rc = load_region(db, op, code, &can_write, err);
    if (rc == 0)
        rc = db_settings_get(db, code, op->arena, out, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return app_err_set(err, APP_ENOTFOUND, "region_not_found", NULL);
    return 0;
}

static const char *
put_detail(const core_op *op, const db_region_settings *before, const db_region_settings *after)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_json(&w, "before", before->settings);
    jw_json(&w, "after", after->settings);
    jw_int(&w, "version", after->version);
    jw_end(&w);
    return jw_text(&w, NULL);
}

/* The write itself, in the open transaction. */
static int
put_in_tx(db_conn *db, const core_op *op, const char *code, const char *settings_json, int if_match,
          db_region_settings *out, app_err *err)
{
    db_region_settings before;
    int found = 0, version = 0;
    int rc = db_settings_get(db, code, op->arena, &before, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return app_err_set(err, APP_ENOTFOUND, "region_not_found", NULL);
    if (before.version != if_match) {
        app_err_field(err, "/headers/if-match");
        return app_err_set(err, APP_EPRECOND, "precondition_failed", NULL);
    }
    if ((rc = db_settings_put(db, code, settings_json, before.version, op->actor->user_id, &version,
                              err)) != 0 ||
        (rc = db_settings_get(db, code, op->arena, out, &found, err)) != 0)
        return rc;
    return core_audit(db, op, "settings_update", "region", code, put_detail(op, &before, out), err);
}

int
core_settings_put(db_conn *db, const core_op *op, const char *code, const char *settings_json,
                  int if_match, db_region_settings *out, app_err *err)
{
    int can_write;
    int rc = load_region(db, op, code, &can_write, err);
    if (rc != 0)
        return rc;
    if (!can_write)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL);
    if ((rc = db_begin(db, err)) != 0)
        return rc;
    if ((rc = put_in_tx(db, op, code, settings_json, if_match, out, err)) != 0 ||
        (rc = db_commit(db, err)) != 0) {
        db_rollback(db);
        return rc;
    }
    return 0;
}

int
core_settings_effective_of(db_conn *db, const core_op *op, const char *code, db_settings *out,
                           app_err *err)
{
    int can_write;
    int rc = load_region(db, op, code, &can_write, err);
    if (rc != 0)
        return rc;
    return db_settings_effective(db, code, op->arena, out, err);
}
