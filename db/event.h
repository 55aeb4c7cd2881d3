/*
 * db/event.h - the change feed (table events): one row per change that
 * subscribers may see, with the school, authority and province it concerns
 * so that a feed can be read within a scope. Strings read back are in the
 * caller's arena.
 *
 * Each event carries the id of the transaction that wrote it (xid, the
 * column default pg_current_xact_id(); 0 for events written before
 * migration 014). The feed is read in (xid, id) order and only below the
 * horizon of finished transactions, so a reader that resumes from a
 * position never skips nor repeats an event (docs/decisions/0024).
 */
#ifndef DB_EVENT_H
#define DB_EVENT_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

typedef struct db_event {
    long long id, student_id, request_id;
    const char *at, *type, *school, *authority, *province, *data_json;
} db_event;

/* An event read back from the feed, with the id of its transaction. */
typedef struct db_event_row {
    db_event ev;
    unsigned long long xid;
} db_event_row;

/*
 * A position in the feed: just after event (xid, id). With by_id set, the
 * position is just after event `id`, whatever its transaction: the list
 * looks its xid up, and takes 0 when there is no such event (positions
 * handed out before migration 014 were plain ids, of events of xid 0).
 */
typedef struct db_event_pos {
    unsigned long long xid;
    long long id;
    int by_id;
} db_event_pos;

int db_event_insert(db_conn *c, const db_event *e, app_err *err);
/*
 * Up to `limit` events after position `after`, in (xid, id) order, of
 * transactions below the oldest one still running (the horizon of this
 * statement's snapshot: none of them can still commit), within a scope:
 * school exact, or authority LIKE (NULL: no condition).
 */
int db_event_list(db_conn *c, const db_event_pos *after, const char *school,
                  const char *authority_like, int limit, app_arena *a, db_event_row **out,
                  int *out_n, app_err *err);

#endif
