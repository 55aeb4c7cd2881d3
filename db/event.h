/*
 * db/event.h - the change feed (table events): one row per change that
 * subscribers may see, with the school, authority and province it concerns
 * so that a feed can be read within a scope. Strings read back are in the
 * caller's arena.
 *
 * An event is inserted with an id from a plain sequence and no feed
 * position (pos NULL). A positioning pass gives the events it sees
 * committed the next positions, consecutive, in id order; the feed is read
 * by position (docs/decisions/0024). core/feed.c runs the passes and owns
 * their transaction.
 */
#ifndef DB_EVENT_H
#define DB_EVENT_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* Written: id is the table's. Read back by db_event_list: id is the
   event's feed position. */
typedef struct db_event {
    long long id, student_id, request_id;
    const char *at, *type, *school, *authority, *province, *data_json;
} db_event;

int db_event_insert(db_conn *c, const db_event *e, app_err *err);

/*
 * The positioning lock: pg_advisory_xact_lock on the feed's own key
 * (7263512024), held to the end of the caller's transaction. Only
 * positioning passes take it, never writers: it makes passes one at a time.
 * APP_EUNAVAIL (e.g. lock_timeout), APP_EINTERNAL.
 */
int db_event_position_lock(db_conn *c, app_err *err);

/*
 * One statement: the first `cap` events (in id order) that this
 * statement's snapshot sees and that have no position get positions
 * max(pos) + 1, + 2, ... in id order. *out_n: how many. Run it after
 * db_event_position_lock in the same transaction, so that it sees every
 * earlier pass. APP_EUNAVAIL, APP_EINTERNAL.
 */
int db_event_position(db_conn *c, int cap, int *out_n, app_err *err);

/*
 * Up to `limit` positioned events with a position greater than `after`, in
 * position order, within a scope: school exact, or authority LIKE (NULL:
 * no condition). Each event's id is its position.
 */
int db_event_list(db_conn *c, long long after, const char *school, const char *authority_like,
                  int limit, app_arena *a, db_event **out, int *out_n, app_err *err);

#endif
