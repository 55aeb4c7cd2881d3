/*
 * core/promotion_job.c - region promotion jobs (see core/promotion_job.h).
 */
#include "core/promotion_job.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/promotion.h"
#include "core/region.h"

#include <stdio.h>
#include <string.h>

int
core_promotion_job_create(db_conn *db, const core_op *op, const char *region, int year,
                          db_promotion_job *out, app_err *err)
{
    const core_actor *ac = op->actor;
    if (ac->level == CORE_LEVEL_SCHOOL)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "promotion is the authority's");
    if (core_org_level(region) < CORE_LEVEL_COUNTY ||
        core_org_level(region) > CORE_LEVEL_PROVINCE || !core_actor_sees_region(ac, region))
        return app_err_set(err, APP_ENOTFOUND, "region_not_found", "region %s", region);
    char like[8];
    core_region_like(region, like);
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    jw w;
    jw_init(&w, op->arena);
    if ((rc = db_promotion_job_insert(db, region, like, year, ac->user_id, ac->org, op->arena, out,
                                      err)) != 0)
        goto fail;
    jw_obj(&w);
    jw_int(&w, "job", out->id);
    jw_int(&w, "year", year);
    jw_int(&w, "schools", out->total);
    jw_end(&w);
    if ((rc = core_audit(db, op, "promotion_job.create", "region", region, jw_text(&w, NULL),
                         err)) != 0)
        goto fail;
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
}

int
core_promotion_job_get(db_conn *db, const core_op *op, long long id, db_promotion_job *out,
                       app_err *err)
{
    int found = 0;
    int rc = db_promotion_job_get(db, id, op->arena, out, &found, err);
    if (rc != 0)
        return rc;
    if (!found || op->actor->level == CORE_LEVEL_SCHOOL ||
        !core_actor_sees_region(op->actor, out->region))
        return app_err_set(err, APP_ENOTFOUND, "promotion_job_not_found", "job %lld", id);
    return 0;
}

/* Run school `school` of job `j`; its outcome in the job's progress. */
static int
run_school(db_conn *db, const core_op *op, const db_promotion_job *j, const char *school,
           app_err *err)
{
    core_promotion_result r;
    app_err e = {0};
    int rc = core_promotion_run(db, op, school, j->year, 0, j->id, &r, &e);
    if (rc != 0 && rc != APP_EINVAL && rc != APP_ECONFLICT && rc != APP_ENOTFOUND &&
        rc != APP_EFORBIDDEN) {
        *err = e;
        return rc; /* the database: the job stops here and is taken over later */
    }
    const char *code = rc == 0 ? NULL : e.slug ? e.slug : "error";
    return db_promotion_job_step(db, j->id, school, rc == 0, rc == 0 ? r.run.promoted : 0,
                                 rc == 0 ? r.run.graduated : 0, code, err);
}

int
core_promotion_job_turn(db_conn *db, int stale_s, core_promotion_op_fn op_for, app_arena *a,
                        db_promotion_job *out, int *out_found, app_err *err)
{
    int rc = db_promotion_job_claim(db, stale_s, a, out, out_found, err);
    if (rc != 0 || !*out_found)
        return rc;
    /* the job acts as a bureau of the org that created it */
    out->role = core_level_name(core_org_level(out->created_org));
    core_actor actor;
    core_op op;
    op_for(out, a, &actor, &op);
    char like[8], school[11];
    core_region_like(out->region, like);
    snprintf(school, sizeof(school), "%s", out->last_school);
    for (;;) {
        int more = 0;
        if ((rc = db_promotion_job_next_school(db, like, school, school, &more, err)) != 0)
            return rc;
        if (!more)
            break;
        /* each school's plan lives in an arena of its own */
        core_op sop = op;
        sop.arena = app_arena_new();
        rc = run_school(db, &sop, out, school, err);
        app_arena_free(sop.arena);
        if (rc != 0)
            return rc;
    }
    if ((rc = db_promotion_job_finish(db, out->id, "done", err)) != 0)
        return rc;
    int found = 0;
    return db_promotion_job_get(db, out->id, a, out, &found, err);
}
