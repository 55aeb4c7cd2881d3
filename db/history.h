/*
 * db/history.h - a student's history (student_history): one row per change
 * of a record, with who made it and, as JSON text, what changed. Rows are
 * written in the transaction of the change; strings read back are in the
 * caller's arena.
 */
#ifndef DB_HISTORY_H
#define DB_HISTORY_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

typedef struct db_history {
    long long id, student_id, actor_id, request_id;
    const char *at, *kind, *actor_org, *school, *changes_json;
    /* YYYY-MM-DD: the day the change took effect when that is not the day
       it was recorded (`at`), a transfer done on paper first; NULL else */
    const char *effective_date;
} db_history;

int db_history_insert(db_conn *c, const db_history *h, app_err *err);
int db_history_list(db_conn *c, long long student_id, long long after_id, int limit, app_arena *a,
                    db_history **out, int *out_n, app_err *err);

#endif
