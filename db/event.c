/*
 * db/event.c - the change feed (see db/event.h).
 */
#include "db/event.h"

#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const db_stmt SQL_EVENT_INSERT = {
    "event_insert",
    "INSERT INTO events (type, student_id, school, authority, province, request_id, data)"
    " VALUES ($1, nullif($2, '0')::bigint, $3, $4, $5, nullif($6, '0')::bigint,"
    " coalesce($7, '{}')::jsonb)"};

int
db_event_insert(db_conn *c, const db_event *e, app_err *err)
{
    char sid[24], rid[24];
    snprintf(sid, sizeof(sid), "%lld", e->student_id);
    snprintf(rid, sizeof(rid), "%lld", e->request_id);
    const char *p[] = {e->type, sid, e->school, e->authority, e->province, rid, e->data_json};
    return db_exec(c, &SQL_EVENT_INSERT, 7, p, NULL, err);
}

/* $2 NULL: the position is just after event $1, whatever its transaction.
   The horizon pg_snapshot_xmin(pg_current_snapshot()) comes from the
   snapshot the rows are read with (one statement): every transaction below
   it is over, and its committed events are visible here. */
static const db_stmt SQL_EVENT_LIST = {
    "event_list",
    "SELECT e.id, e.xid::text, coalesce(e.student_id, 0), coalesce(e.request_id, 0)," DB__TS(
        "e.at") ", e.type, coalesce(e.school, ''), coalesce(e.authority, ''),"
                " coalesce(e.province, ''), e.data::text FROM events e"
                " WHERE (e.xid, e.id) > (coalesce($2::xid8, (SELECT p.xid FROM events p"
                "   WHERE p.id = $1::bigint), '0'::xid8), $1::bigint)"
                " AND e.xid < pg_snapshot_xmin(pg_current_snapshot())"
                " AND ($3::text IS NULL OR e.school = $3)"
                " AND ($4::text IS NULL OR e.authority LIKE $4) ORDER BY e.xid, e.id LIMIT $5"};

static void
event_row(const db_res *r, int i, app_arena *a, db_event_row *row)
{
    db_event *e = &row->ev;
    row->xid = strtoull(db_res_get(r, i, 1), NULL, 10);
    e->id = db_res_int(r, i, 0);
    e->student_id = db_res_int(r, i, 2);
    e->request_id = db_res_int(r, i, 3);
    e->at = app_arena_strdup(a, db_res_get(r, i, 4));
    e->type = app_arena_strdup(a, db_res_get(r, i, 5));
    e->school = app_arena_strdup(a, db_res_get(r, i, 6));
    e->authority = app_arena_strdup(a, db_res_get(r, i, 7));
    e->province = app_arena_strdup(a, db_res_get(r, i, 8));
    e->data_json = app_arena_strdup(a, db_res_get(r, i, 9));
}

int
db_event_list(db_conn *c, const db_event_pos *after, const char *school, const char *authority_like,
              int limit, app_arena *a, db_event_row **out, int *out_n, app_err *err)
{
    char id[24], xid[24], lim[16];
    snprintf(id, sizeof(id), "%lld", after->id);
    snprintf(xid, sizeof(xid), "%llu", after->xid);
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *p[] = {id, after->by_id ? NULL : xid, school, authority_like, lim};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_EVENT_LIST, 5, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(db_event_row) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        event_row(r, i, a, &(*out)[i]);
    *out_n = n;
    db_res_free(r);
    return 0;
}
