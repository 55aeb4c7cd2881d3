/*
 * core/client.c - service clients (see core/client.h).
 */
#include "core/client.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/pwhash.h"
#include "core/session.h"
#include "db/refdata.h"
#include "db/user.h"

#include <sodium.h>
#include <string.h>

int
core_client_may_create(const core_actor *a)
{
    return a != NULL && a->user_id != 0 &&
           (a->level == CORE_LEVEL_PROVINCE || a->level == CORE_LEVEL_MINISTRY);
}

static int
org_not_found(app_err *err)
{
    app_err_field(err, "/province");
    return app_err_set(err, APP_ENOTFOUND, "org_not_found", NULL);
}

/* Is `org` a province in the actor's reach? */
static int
check_province(db_conn *db, const core_op *op, const char *org, app_err *err)
{
    /* a province creates clients for itself only */
    if (op->actor->level == CORE_LEVEL_PROVINCE && strcmp(org, op->actor->org) != 0)
        return org_not_found(err);
    db_region *v;
    int n = 0;
    int rc = db_region_get_with_ancestors(db, org, op->arena, &v, &n, err);
    if (rc != 0)
        return rc;
    return n == 0 || strcmp(v[0].level, "province") != 0 ? org_not_found(err) : 0;
}

/* A fresh id and secret, and the secret's hash. */
static int
make_credentials(core_client_made *out, char hash[CORE_PWHASH_LEN], app_err *err)
{
    unsigned char rnd[32];
    randombytes_buf(rnd, 10);
    memcpy(out->id, "xjc-", 4);
    sodium_bin2hex(out->id + 4, sizeof(out->id) - 4, rnd, 10);
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2base64(out->secret, sizeof(out->secret), rnd, sizeof(rnd),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(rnd, sizeof(rnd));
    if (core_pwhash(out->secret, hash) != 0) {
        sodium_memzero(out->secret, sizeof(out->secret));
        return app_err_set(err, APP_EINTERNAL, NULL, "pwhash");
    }
    return 0;
}

int
core_client_create(db_conn *db, const core_op *op, const char *name, const char *province,
                   core_client_made *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    if (!core_client_may_create(op->actor))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL);
    const char *org = province ? province : app_arena_strdup(op->arena, op->actor->org);
    char hash[CORE_PWHASH_LEN];
    int rc = check_province(db, op, org, err);
    if (rc != 0 || (rc = make_credentials(out, hash, err)) != 0)
        return rc;
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "client_id", out->id);
    jw_str(&w, "name", name);
    jw_str(&w, "org", org);
    jw_end(&w);
    rc = db_begin(db, err);
    if (rc == 0)
        rc = db_client_insert(db, out->id, name, org, hash, op->actor->user_id, err);
    sodium_memzero(hash, sizeof(hash));
    if (rc == 0)
        rc = core_audit(db, op, "client_create", "client", out->id, jw_text(&w, NULL), err);
    if (rc == 0)
        rc = db_commit(db, err);
    if (rc != 0) {
        db_rollback(db);
        sodium_memzero(out->secret, sizeof(out->secret));
        return rc;
    }
    out->org = org;
    return 0;
}

int
core_client_authenticate(db_conn *db, const core_op *op, const char *id, const char *secret,
                         const char **out_org, app_err *err)
{
    const char *hash = NULL;
    int found = 0;
    int rc = db_client_get(db, id, op->arena, out_org, &hash, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        core_pwhash_verify(core_session_dummy_hash(), secret);
    if (!found || !core_pwhash_verify(hash, secret)) {
        jw w;
        jw_init(&w, op->arena);
        jw_obj(&w);
        jw_str(&w, "client_id", id);
        jw_end(&w);
        rc = core_audit(db, op, "client_auth_failure", "client", found ? id : NULL,
                        jw_text(&w, NULL), err);
        return rc != 0 ? rc : app_err_set(err, APP_EAUTH, "invalid_client", NULL);
    }
    if ((rc = core_audit(db, op, "client_token", "client", id, NULL, err)) != 0)
        return rc;
    return 0;
}

int
core_client_active(db_conn *db, const char *id, app_arena *a, const char **out_org, int *out_found,
                   app_err *err)
{
    const char *hash = NULL;
    return db_client_get(db, id, a, out_org, &hash, out_found, err);
}
