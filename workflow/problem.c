/*
 * workflow/problem.c - problem records and evidence files (see
 * workflow/problem.h and wf_problem_add_evidence in workflow/wf.h).
 */
#include "workflow/problem.h"

#include "core/files.h"
#include "db/files.h"
#include "db/problem.h"
#include "workflow/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
wf_problem_list(db_conn *db, const core_op *op, const char *state, long long after, int limit,
                db_problem **out, int *out_n, app_err *err)
{
    const core_actor *ac = op->actor;
    const char *school = NULL, *like = NULL;
    *out_n = 0;
    if (ac->level == CORE_LEVEL_SCHOOL && ac->staff_role != CORE_STAFF_REGISTRAR)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "problems are the registrar's");
    char likebuf[8];
    if (ac->level == CORE_LEVEL_SCHOOL) {
        school = ac->org;
    } else if (ac->level != CORE_LEVEL_MINISTRY) {
        core_region_like(ac->org, likebuf);
        like = likebuf;
    }
    return db_problem_list(db, school, like, state, after, limit, op->arena, out, out_n, err);
}

int
wf_evidence_upload(db_conn *db, const core_op *op, const char *mime, const unsigned char *data,
                   size_t len, long long *out_id, app_err *err)
{
    char sha[65];
    core_file_sha256_hex(data, len, sha);
    db_file f = {.org = op->actor->org,
                 .mime = mime,
                 .sha256 = sha,
                 .size = len,
                 .created_by = op->actor->user_id};
    unsigned char *sealed = NULL;
    size_t sealed_len = 0;
    int rc = core_file_seal(op->env->ring, data, len, &sealed, &sealed_len, &f.data_key, err);
    if (rc == 0 && (rc = db_begin(db, err)) == 0) {
        rc = db_file_insert(db, &f, sealed, sealed_len, out_id, err);
        char sid[24];
        snprintf(sid, sizeof(sid), "%lld", *out_id);
        json_t *detail = json_pack("{s:s,s:I}", "type", mime, "size", (json_int_t)len);
        if (rc == 0)
            rc = core_audit(db, op, "file.upload", "file", sid, wf_json_text(op->arena, detail),
                            err);
        else
            json_decref(detail);
        if (rc == 0)
            rc = db_commit(db, err);
        else
            db_rollback(db);
    }
    free(sealed);
    return rc;
}

int
wf_problem_add_evidence(db_conn *db, const core_op *op, long long id, const long long *files, int n,
                        db_problem *out, app_err *err)
{
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    int found = 0, owned = 0;
    if ((rc = db_problem_get(db, id, 1, op->arena, out, &found, err)) != 0)
        goto fail;
    if (!found || !wf_problem_visible(db, op, out)) {
        rc = app_err_set(err, APP_ENOTFOUND, "problem_not_found", "problem %lld", id);
        goto fail;
    }
    if (strcmp(out->state, "open") != 0) {
        rc = app_err_set(err, APP_ECONFLICT, "problem_resolved", "problem %lld", id);
        goto fail;
    }
    if ((rc = db_files_owned(db, files, n, op->actor->org, &owned, err)) != 0)
        goto fail;
    if (owned != n) {
        rc = wf_err_item(err, "/files", "file_not_found");
        goto fail;
    }
    char pid[24];
    snprintf(pid, sizeof(pid), "%lld", id);
    if ((rc = db_problem_add_evidence(db, id, files, n, err)) != 0 ||
        (rc = core_audit(db, op, "problem.evidence", "problem", pid,
                         wf_json_text(op->arena, json_pack("{s:i}", "files", n)), err)) != 0 ||
        (rc = db_problem_get(db, id, 0, op->arena, out, &found, err)) != 0)
        goto fail;
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
}
