/*
 * core/feed.c - reading the change feed (see core/feed.h).
 */
#include "core/feed.h"

#include "core/region.h"

#include <stdio.h>
#include <string.h>

/* Digits s[0..n) as a number at most INT64_MAX: 0, or -1. */
static int
digits(const char *s, size_t n, size_t maxn, unsigned long long *out)
{
    if (n == 0 || n > maxn)
        return -1;
    unsigned long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned long long)(s[i] - '0'); /* 19 digits fit in 64 bits */
    }
    if (v > 9223372036854775807ULL)
        return -1;
    *out = v;
    return 0;
}

int
core_feed_cursor_parse(const char *text, db_event_pos *out)
{
    db_event_pos p = {0};
    unsigned long long id = 0;
    if (text == NULL || *text == '\0') {
        *out = p;
        return 0;
    }
    size_t n = strlen(text);
    const char *dot = strchr(text, '.');
    if (dot == NULL) {
        if (digits(text, n, 18, &id) != 0)
            return -1;
        p.by_id = 1;
    } else {
        size_t xn = (size_t)(dot - text);
        if (digits(text, xn, 19, &p.xid) != 0 || digits(dot + 1, n - xn - 1, 19, &id) != 0)
            return -1;
    }
    p.id = (long long)id;
    *out = p;
    return 0;
}

void
core_feed_cursor_format(const db_event_row *e, char buf[CORE_FEED_CURSOR_MAX])
{
    snprintf(buf, CORE_FEED_CURSOR_MAX, "%llu.%lld", e->xid, e->ev.id);
}

int
core_feed_list(db_conn *db, const core_op *op, const db_event_pos *after, int limit,
               db_event_row **out, int *out_n, app_err *err)
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
