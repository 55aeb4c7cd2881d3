/*
 * workflow/review.c - batch review (批量审核, see wf_request_review in
 * workflow/wf.h): many actions in one call, each decided by
 * wf_request_act_on in a transaction of its own.
 */
#include "workflow/common.h"

#include <string.h>

#define ITEM_RETRIES 3

/* One item: its own transaction, retried alone after a serialization
   failure (the items before it stay committed, so the call is never rerun
   as a whole). */
static int
review_item(db_conn *db, const core_op *op, const wf_act *a, core_request *q, app_err *e)
{
    int rc = 0;
    for (int attempt = 0; attempt < ITEM_RETRIES; attempt++) {
        app_err_clear(e);
        memset(q, 0, sizeof(*q));
        rc = wf_request_act_on(db, op, a, q, e);
        if (rc != APP_ERETRY)
            break;
    }
    return rc;
}

int
wf_request_review(db_conn *db, const core_op *op, const wf_act *items, int n, wf_review_fn fn,
                  void *ctx, app_err *err)
{
    const core_actor *ac = op->actor;
    if (wf_actor_is_student(ac) ||
        (ac->level == CORE_LEVEL_SCHOOL && !wf_actor_is_registrar(ac) && !wf_actor_office(ac)))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "requests are the registrar's");
    if (n < 1 || n > WF_REVIEW_MAX)
        return app_err_set(err, APP_EINVAL, "too_many_items", "%d items", n);
    app_err e;
    int down = 0;
    for (int i = 0; i < n; i++) {
        if (down) { /* the rest fail as the first that found the database gone */
            fn(ctx, i, APP_EUNAVAIL, NULL, &e);
            continue;
        }
        /* each item's rows in an arena of its own, freed once `fn` has them:
           500 items do not pile up in the call's arena */
        core_op iop = *op;
        iop.arena = app_arena_new();
        core_request q;
        int rc = review_item(db, &iop, &items[i], &q, &e);
        fn(ctx, i, rc, rc == 0 ? &q : NULL, &e);
        app_arena_free(iop.arena);
        down = rc == APP_EUNAVAIL && e.slug && strcmp(e.slug, "database_unavailable") == 0;
    }
    return 0;
}
