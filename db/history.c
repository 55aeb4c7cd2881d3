/*
 * db/history.c - a student's history (see db/history.h).
 */
#include "db/history.h"

#include "db/internal.h"

#include <stdio.h>
#include <string.h>

static const db_stmt SQL_HISTORY_INSERT = {
    "history_insert",
    "INSERT INTO student_history (student_id, kind, actor_id, actor_org, school, request_id,"
    " changes, effective_date) VALUES ($1, $2, nullif($3, '0')::bigint, $4, $5,"
    " nullif($6, '0')::bigint, coalesce($7, '[]')::jsonb, $8::date)"};

int
db_history_insert(db_conn *c, const db_history *h, app_err *err)
{
    char sid[24], actor[24], req[24];
    snprintf(sid, sizeof(sid), "%lld", h->student_id);
    snprintf(actor, sizeof(actor), "%lld", h->actor_id);
    snprintf(req, sizeof(req), "%lld", h->request_id);
    const char *p[] = {sid,       h->kind, actor,           h->actor_org,
                       h->school, req,     h->changes_json, h->effective_date};
    return db_exec(c, &SQL_HISTORY_INSERT, 8, p, NULL, err);
}

static const db_stmt SQL_HISTORY_LIST = {
    "history_list",
    "SELECT id, student_id, coalesce(actor_id, 0), coalesce(request_id, 0)," DB__TS(
        "at") ", kind, coalesce(actor_org, ''), coalesce(school, ''), changes::text,"
              " coalesce(to_char(effective_date, 'YYYY-MM-DD'), '')"
              " FROM student_history WHERE student_id = $1 AND id > $2 ORDER BY id LIMIT $3"};

int
db_history_list(db_conn *c, long long student_id, long long after_id, int limit, app_arena *a,
                db_history **out, int *out_n, app_err *err)
{
    char sid[24], after[24], lim[16];
    snprintf(sid, sizeof(sid), "%lld", student_id);
    snprintf(after, sizeof(after), "%lld", after_id);
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *p[] = {sid, after, lim};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_HISTORY_LIST, 3, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(db_history) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        db_history *h = &(*out)[i];
        h->id = db_res_int(r, i, 0);
        h->student_id = db_res_int(r, i, 1);
        h->actor_id = db_res_int(r, i, 2);
        h->request_id = db_res_int(r, i, 3);
        h->at = app_arena_strdup(a, db_res_get(r, i, 4));
        h->kind = app_arena_strdup(a, db_res_get(r, i, 5));
        h->actor_org = app_arena_strdup(a, db_res_get(r, i, 6));
        h->school = app_arena_strdup(a, db_res_get(r, i, 7));
        h->changes_json = app_arena_strdup(a, db_res_get(r, i, 8));
        const char *ed = db_res_get(r, i, 9);
        h->effective_date = *ed ? app_arena_strdup(a, ed) : NULL;
    }
    *out_n = n;
    db_res_free(r);
    return 0;
}
