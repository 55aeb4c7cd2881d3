/*
 * core/feed.h - reading the change feed (GET /events, API.md "Change feed"):
 * the events core/audit.h's core_event() wrote, within the actor's scope,
 * in the order of their transactions (xid, then id), and only those of
 * transactions that are certainly over (docs/decisions/0024): a reader that
 * follows the cursor never skips nor repeats an event, and sees the events
 * of a transaction that committed before another began first. The feed is
 * the registrar's at a school (staff scopes are narrower than a school); a
 * bureau reads the events of the schools within its region, the ministry
 * all.
 *
 * The rows are db/event.h's db_event_row, handed back through this header;
 * they live in op->arena.
 */
#ifndef CORE_FEED_H
#define CORE_FEED_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/event.h"

#include <stddef.h>

/* Room for a cursor's text with its NUL: "<xid>.<id>", 19 digits each. */
#define CORE_FEED_CURSOR_MAX 40

/*
 * The position a cursor names. The cursor is opaque to callers:
 *   NULL or ""  the start of the feed;
 *   "X.N"       just after event N of transaction X (what
 *               core_feed_cursor_format writes), X and N of 1-19 digits,
 *               at most 9223372036854775807;
 *   "N"         just after event N (1-18 digits): cursors handed out
 *               before the feed was ordered by transaction were event ids,
 *               and an event's id still names its place.
 * 0, or -1 for any other text (*out untouched).
 */
int core_feed_cursor_parse(const char *text, db_event_pos *out);

/* The cursor just after event `e`, in buf (CORE_FEED_CURSOR_MAX bytes). */
void core_feed_cursor_format(const db_event_row *e, char buf[CORE_FEED_CURSOR_MAX]);

/*
 * Up to `limit` events after position `after` in *out (*out_n of them).
 * APP_EFORBIDDEN forbidden: a school user other than the registrar.
 * APP_EUNAVAIL, APP_EINTERNAL from db/.
 */
int core_feed_list(db_conn *db, const core_op *op, const db_event_pos *after, int limit,
                   db_event_row **out, int *out_n, app_err *err);

#endif
