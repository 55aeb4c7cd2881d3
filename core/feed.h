/*
 * core/feed.h - the change feed (GET /events, API.md "Change feed"): the
 * events core/audit.h's core_event() wrote, within the actor's scope, in
 * the order of their feed positions (docs/decisions/0024).
 *
 * An event gets its position only once its transaction has certainly
 * committed: a positioning pass (core_feed_position) gives every event it
 * sees committed and not yet positioned the next positions, consecutive, in
 * id order, in a short transaction of its own; passes run one at a time. A
 * reader therefore always sees a prefix of the positions: one that follows
 * the cursor never skips nor repeats an event, and the order agrees with
 * commit order, also for the changes of one student. The feed is the
 * registrar's at a school (staff scopes are narrower than a school); a
 * bureau reads the events of the schools within its region, the ministry
 * all.
 *
 * The rows are db/event.h's db_event, handed back through this header; they
 * live in op->arena. An event's id is its position.
 */
#ifndef CORE_FEED_H
#define CORE_FEED_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/event.h"

/* A pass positions at most this many events per transaction. */
#define CORE_FEED_PASS_CAP 50000

/*
 * The position a cursor names: NULL or "" the start (0), else 1-18 digits.
 * 0, or -1 for any other text (*out untouched).
 */
int core_feed_cursor_parse(const char *text, long long *out);

/*
 * Position every event committed and not yet positioned: passes of at most
 * CORE_FEED_PASS_CAP events, each in its own transaction under the
 * positioning lock, until one finds fewer. *out_n (may be NULL): how many.
 * `db` must not be in a transaction (APP_EINTERNAL). APP_EUNAVAIL,
 * APP_EINTERNAL from db/ (the pass then rolls back; nothing is lost, the
 * next pass positions those events).
 */
int core_feed_position(db_conn *db, long long *out_n, app_err *err);

/*
 * Run core_feed_position, then up to `limit` events with a position after
 * `after` in *out (*out_n of them).
 * APP_EFORBIDDEN forbidden: a school user other than the registrar.
 * APP_EUNAVAIL, APP_EINTERNAL from db/.
 */
int core_feed_list(db_conn *db, const core_op *op, long long after, int limit, db_event **out,
                   int *out_n, app_err *err);

#endif
