/*
 * ctl/demo_pool.c - xuejictl demo: a finished primary school year for the
 * graduate pool (毕业库抽取, docs/decisions/0027). The grade 16 of
 * 郑州市中原区建设路第一小学 graduates (the school's registrar starts the
 * graduation through the workflow, as POST /requests would), so that the
 * junior schools' registrars can search and claim its pupils (README). Run
 * again it finds no grade 16 left and changes nothing.
 */
#include "core/calendar.h"
#include "ctl/ctl.h"
#include "db/user.h"
#include "workflow/wf.h"

#include <stdio.h>
#include <string.h>

#define POOL_SCHOOL "2141010201"
#define POOL_REGISTRAR "jianshe.registrar"

int
ctl_demo_pool(db_conn *db, const core_env *env, app_err *err)
{
    app_arena *a = app_arena_new();
    db_user u;
    int found = 0;
    int rc = db_user_by_username(db, POOL_REGISTRAR, a, &u, &found, err);
    if (rc != 0 || !found) {
        app_arena_free(a);
        return rc;
    }
    core_actor actor = {
        .user_id = u.id, .level = CORE_LEVEL_SCHOOL, .staff_role = CORE_STAFF_REGISTRAR};
    snprintf(actor.org, sizeof(actor.org), "%s", POOL_SCHOOL);
    core_op op = {.actor = &actor,
                  .env = env,
                  .arena = a,
                  .ip = "127.0.0.1",
                  .user_agent = "xuejictl demo",
                  .today = core_today()};
    wf_start s = {.type = "graduation", .grade = 16, .payload_json = "{\"grade\":\"16\"}"};
    core_request q;
    rc = wf_request_start(db, &op, &s, &q, err);
    if (rc == 0)
        printf("demo: graduate pool: %d pupils of grade 16 at %s graduated (request %lld)\n",
               q.nmembers, POOL_SCHOOL, q.id);
    else if (rc == APP_EINVAL && err->nitems > 0 &&
             strcmp(err->items[0].code, "no_students") == 0) {
        app_err_clear(err); /* graduated already: nothing to do */
        rc = 0;
    }
    app_arena_free(a);
    return rc;
}
