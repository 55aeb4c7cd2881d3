/*
 * core/feed.c - reading the change feed (see core/feed.h).
 */
#include "core/feed.h"

#include "core/region.h"

int
core_feed_list(db_conn *db, const core_op *op, long long after, int limit, db_event **out,
               int *out_n, app_err *err)
{
    const core_actor *ac = op->actor;
    const char *school = NULL, *like = NULL;
    *out_n = 0;
    if (ac->level == CORE_LEVEL_SCHOOL && ac->staff_role != CORE_STAFF_REGISTRAR)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden",
                           "the feed is the registrar's: staff scopes are narrower than a school");
    char likebuf[8];
    if (ac->level == CORE_LEVEL_SCHOOL) {
        school = ac->org;
    } else if (ac->level != CORE_LEVEL_MINISTRY) {
        core_region_like(ac->org, likebuf);
        like = likebuf;
    }
    return db_event_list(db, after, school, like, limit, op->arena, out, out_n, err);
}
