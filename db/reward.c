/*
 * db/reward.c - rewards and punishments on the record (see db/reward.h).
 */
#include "db/reward.h"

#include "db/internal.h"

#include <stdio.h>
#include <string.h>

#define REWARD_COLS                                                                                \
    "id, student_id, coalesce(created_by, 0), coalesce(removed_by, 0), school, kind,"              \
    " to_char(date, 'YYYY-MM-DD'), issuer, text," DB__TS(                                          \
        "created_at") ","                                                                          \
                      " CASE WHEN removed_at IS NULL THEN NULL ELSE" DB__TS("removed_at") " END"

static const db_stmt SQL_INSERT = {
    "reward_insert",
    "INSERT INTO student_reward (student_id, school, kind, date, issuer, text, created_by)"
    " VALUES ($1, $2, $3, $4::date, $5, $6, nullif($7, '0')::bigint) RETURNING id"};
static const db_stmt SQL_LIST = {
    "reward_list", "SELECT " REWARD_COLS " FROM student_reward WHERE student_id = $1 ORDER BY id"};
static const db_stmt SQL_LIST_MANY = {"reward_list_many",
                                      "SELECT " REWARD_COLS " FROM student_reward"
                                      " WHERE student_id = ANY($1::bigint[]) AND removed_at IS NULL"
                                      " ORDER BY student_id, id"};
static const db_stmt SQL_GET = {"reward_get", "SELECT " REWARD_COLS " FROM student_reward"
                                              " WHERE student_id = $1 AND id = $2"};
static const db_stmt SQL_GET_LOCK = {"reward_get_lock",
                                     "SELECT " REWARD_COLS " FROM student_reward"
                                     " WHERE student_id = $1 AND id = $2 FOR UPDATE"};
static const db_stmt SQL_REMOVE = {"reward_remove",
                                   "UPDATE student_reward SET removed_by = $2, removed_at = now()"
                                   " WHERE id = $1 AND removed_at IS NULL"};

int
db_reward_insert(db_conn *c, const db_reward *r, long long *out_id, app_err *err)
{
    char sid[24], by[24];
    snprintf(sid, sizeof(sid), "%lld", r->student_id);
    snprintf(by, sizeof(by), "%lld", r->created_by);
    const char *p[] = {sid, r->school, r->kind, r->date, r->issuer, r->text, by};
    db_res *res = NULL;
    int rc = db_exec(c, &SQL_INSERT, 7, p, &res, err);
    if (rc != 0)
        return rc;
    *out_id = db_res_nrows(res) == 1 ? db_res_int(res, 0, 0) : 0;
    db_res_free(res);
    return 0;
}

static void
row_of(const db_res *r, int i, app_arena *a, db_reward *out)
{
    memset(out, 0, sizeof(*out));
    out->id = db_res_int(r, i, 0);
    out->student_id = db_res_int(r, i, 1);
    out->created_by = db_res_int(r, i, 2);
    out->removed_by = db_res_int(r, i, 3);
    snprintf(out->school, sizeof(out->school), "%s", db_res_get(r, i, 4));
    out->kind = app_arena_strdup(a, db_res_get(r, i, 5));
    out->date = app_arena_strdup(a, db_res_get(r, i, 6));
    out->issuer = app_arena_strdup(a, db_res_get(r, i, 7));
    out->text = app_arena_strdup(a, db_res_get(r, i, 8));
    out->created_at = app_arena_strdup(a, db_res_get(r, i, 9));
    out->removed_at = db__dup_or_null(a, r, i, 10);
}

static int
rows_of(db_res *r, app_arena *a, db_reward **out, int *out_n)
{
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(db_reward) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        row_of(r, i, a, &(*out)[i]);
    *out_n = n;
    db_res_free(r);
    return 0;
}

int
db_reward_list(db_conn *c, long long student_id, app_arena *a, db_reward **out, int *out_n,
               app_err *err)
{
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", student_id);
    const char *p[] = {sid};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_LIST, 1, p, &r, err);
    return rc != 0 ? rc : rows_of(r, a, out, out_n);
}

int
db_reward_list_many(db_conn *c, const long long *ids, int n, app_arena *a, db_reward **out,
                    int *out_n, app_err *err)
{
    /* a Postgres array literal of the ids: {1,2,3} */
    char *pg = app_arena_alloc(a, (size_t)n * 21 + 3);
    size_t k = 0;
    pg[k++] = '{';
    for (int i = 0; i < n; i++)
        k += (size_t)sprintf(pg + k, i ? ",%lld" : "%lld", ids[i]);
    pg[k++] = '}';
    pg[k] = '\0';
    const char *p[] = {pg};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_LIST_MANY, 1, p, &r, err);
    return rc != 0 ? rc : rows_of(r, a, out, out_n);
}

int
db_reward_get(db_conn *c, long long student_id, long long id, int lock, app_arena *a,
              db_reward *out, int *out_found, app_err *err)
{
    char sid[24], rid[24];
    snprintf(sid, sizeof(sid), "%lld", student_id);
    snprintf(rid, sizeof(rid), "%lld", id);
    const char *p[] = {sid, rid};
    db_res *r = NULL;
    int rc = db_exec(c, lock ? &SQL_GET_LOCK : &SQL_GET, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    if (*out_found)
        row_of(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_reward_remove(db_conn *c, long long id, long long request_id, app_err *err)
{
    char rid[24], req[24];
    snprintf(rid, sizeof(rid), "%lld", id);
    snprintf(req, sizeof(req), "%lld", request_id);
    const char *p[] = {rid, req};
    return db_exec(c, &SQL_REMOVE, 2, p, NULL, err);
}
