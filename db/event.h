/*
 * db/event.h - the change feed (table events): one row per change that
 * subscribers may see, with the school, authority and province it concerns
 * so that a feed can be read within a scope. Strings read back are in the
 * caller's arena.
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

int db_event_insert(db_conn *c, const db_event *e, app_err *err);
/* Events after `after` within a scope: school exact, or authority LIKE. */
int db_event_list(db_conn *c, long long after, const char *school, const char *authority_like,
                  int limit, app_arena *a, db_event **out, int *out_n, app_err *err);

#endif
