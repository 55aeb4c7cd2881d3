/*
 * core/feed.c - the change feed (see core/feed.h).
 */
#include "core/feed.h"

#include "core/region.h"

#include <string.h>

int
core_feed_cursor_parse(const char *text, long long *out)
{
    if (text == NULL || *text == '\0') {
        *out = 0;
        return 0;
    }
    size_t n = strlen(text);
    if (n > 18)
        return -1;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        v = v * 10 + (text[i] - '0'); /* 18 digits fit in 63 bits */
    }
    *out = v;
    return 0;
}

/* One pass in its own transaction: the lock, then the statement. */
static int
position_pass(db_conn *db, int *out_n, app_err *err)
{
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    rc = db_event_position_lock(db, err);
    if (rc == 0)
        rc = db_event_position(db, CORE_FEED_PASS_CAP, out_n, err);
    if (rc == 0)
        rc = db_commit(db, err);
    if (rc != 0)
        db_rollback(db);
    return rc;
}

int
core_feed_position(db_conn *db, long long *out_n, app_err *err)
{
    long long total = 0;
    if (out_n)
        *out_n = 0;
    if (db_in_tx(db))
        return app_err_set(err, APP_EINTERNAL, NULL,
                           "feed positions are given in a transaction of their own");
    for (;;) {
        int n = 0;
        int rc = position_pass(db, &n, err);
        if (rc != 0)
            return rc;
        total += n;
        if (n < CORE_FEED_PASS_CAP)
            break;
    }
    if (out_n)
        *out_n = total;
    return 0;
}

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
    /* read-your-writes: whatever committed before this request is positioned
       (on the primary; a replica shows what the primary's passes positioned) */
    if (!db_conn_is_replica(db)) {
        int rc = core_feed_position(db, NULL, err);
        if (rc != 0)
            return rc;
    }
    return db_event_list(db, after, school, like, limit, op->arena, out, out_n, err);
}
