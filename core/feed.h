/*
 * core/feed.h - reading the change feed (GET /events, API.md "Change feed"):
 * the events core/audit.h's core_event() wrote, in id order, within the
 * actor's scope. The feed is the registrar's at a school (staff scopes are
 * narrower than a school); a bureau reads the events of the schools within
 * its region, the ministry all.
 *
 * The rows are db/student.h's db_event, handed back through this header;
 * they live in op->arena.
 */
#ifndef CORE_FEED_H
#define CORE_FEED_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/event.h"

/*
 * Up to `limit` events after id `after` in *out (*out_n of them).
 * APP_EFORBIDDEN forbidden: a school user other than the registrar.
 * APP_EUNAVAIL, APP_EINTERNAL from db/.
 */
int core_feed_list(db_conn *db, const core_op *op, long long after, int limit, db_event **out,
                   int *out_n, app_err *err);

#endif
