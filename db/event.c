/*
 * db/event.c - the change feed (see db/event.h).
 */
#include "db/event.h"

#include "db/internal.h"

#include <stdio.h>
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

static const db_stmt SQL_EVENT_POSITION_LOCK = {"event_position_lock",
                                                "SELECT pg_advisory_xact_lock(7263512024)"};

int
db_event_position_lock(db_conn *c, app_err *err)
{
    return db_exec(c, &SQL_EVENT_POSITION_LOCK, 0, NULL, NULL, err);
}

/* The candidates (events_unpositioned_idx, in id order) travel as one array
   and come back numbered by unnest WITH ORDINALITY: the planner then looks
   each up by primary key whatever the statistics say. (A join with the
   numbered subquery made it choose, from statistics taken when few events
   were unpositioned, a nested loop rescanning the subquery per row: 83 s for
   10,000 events.) max(pos) comes from the unique index on pos. All of it is
   read with this statement's snapshot. */
static const db_stmt SQL_EVENT_POSITION = {
    "event_position", "UPDATE events e SET pos = b.base + u.rn"
                      " FROM unnest((SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM events"
                      "   WHERE pos IS NULL ORDER BY id LIMIT $1) c)) WITH ORDINALITY AS u(id, rn),"
                      " (SELECT coalesce(max(pos), 0) AS base FROM events) b"
                      " WHERE e.id = u.id"};

int
db_event_position(db_conn *c, int cap, int *out_n, app_err *err)
{
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", cap);
    const char *p[] = {lim};
    db_res *r = NULL;
    *out_n = 0;
    int rc = db_exec(c, &SQL_EVENT_POSITION, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_n = (int)db_res_affected(r);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_EVENT_LIST = {
    "event_list",
    "SELECT pos, coalesce(student_id, 0), coalesce(request_id, 0)," DB__TS(
        "at") ", type, coalesce(school, ''), coalesce(authority, ''), coalesce(province, ''), data::text"
              " FROM events WHERE pos > $1 AND ($2::text IS NULL OR school = $2)"
              " AND ($3::text IS NULL OR authority LIKE $3) ORDER BY pos LIMIT $4"};

int
db_event_list(db_conn *c, long long after, const char *school, const char *authority_like,
              int limit, app_arena *a, db_event **out, int *out_n, app_err *err)
{
    char af[24], lim[16];
    snprintf(af, sizeof(af), "%lld", after);
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *p[] = {af, school, authority_like, lim};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_EVENT_LIST, 4, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(db_event) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        db_event *e = &(*out)[i];
        e->id = db_res_int(r, i, 0);
        e->student_id = db_res_int(r, i, 1);
        e->request_id = db_res_int(r, i, 2);
        e->at = app_arena_strdup(a, db_res_get(r, i, 3));
        e->type = app_arena_strdup(a, db_res_get(r, i, 4));
        e->school = app_arena_strdup(a, db_res_get(r, i, 5));
        e->authority = app_arena_strdup(a, db_res_get(r, i, 6));
        e->province = app_arena_strdup(a, db_res_get(r, i, 7));
        e->data_json = app_arena_strdup(a, db_res_get(r, i, 8));
    }
    *out_n = n;
    db_res_free(r);
    return 0;
}
