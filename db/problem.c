/*
 * db/problem.c - problem records (see db/problem.h).
 */
#include "db/problem.h"

#include "db/internal.h"

#include <stdio.h>
#include <string.h>

static const db_stmt SQL_PROBLEM_INSERT = {
    "problem_insert",
    "INSERT INTO problem (kind, student_id, other_student_id, school, other_school, authority,"
    " reason) VALUES ($1, $2, nullif($3, '0')::bigint, $4, $5, $6, $7) RETURNING id"};

int
db_problem_insert(db_conn *c, db_problem *pr, app_err *err)
{
    char sid[24], oid[24];
    snprintf(sid, sizeof(sid), "%lld", pr->student_id);
    snprintf(oid, sizeof(oid), "%lld", pr->other_student_id);
    const char *p[] = {pr->kind, sid, oid, pr->school, pr->other_school, pr->authority, pr->reason};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_PROBLEM_INSERT, 7, p, &r, err);
    if (rc != 0)
        return rc;
    pr->id = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_PROBLEM_OPEN = {
    "problem_open", "SELECT count(*) FROM problem WHERE (student_id = $1 OR other_student_id = $1)"
                    " AND state = 'open'"};

int
db_problem_open_count(db_conn *c, long long student_id, int *out_n, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", student_id);
    const char *p[] = {k};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_PROBLEM_OPEN, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_n = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

#define PROBLEM_COLS                                                                               \
    "id, student_id, coalesce(other_student_id, 0), kind, state, school,"                          \
    " coalesce(other_school, ''), authority, coalesce(reason, '')," DB__TS(                        \
        "created_at") ", evidence::text, resolution, coalesce(resolved_by_request, 0)"

static void
problem_fill(const db_res *r, int i, app_arena *a, db_problem *x)
{
    x->id = db_res_int(r, i, 0);
    x->student_id = db_res_int(r, i, 1);
    x->other_student_id = db_res_int(r, i, 2);
    x->kind = app_arena_strdup(a, db_res_get(r, i, 3));
    x->state = app_arena_strdup(a, db_res_get(r, i, 4));
    x->school = app_arena_strdup(a, db_res_get(r, i, 5));
    x->other_school = app_arena_strdup(a, db_res_get(r, i, 6));
    x->authority = app_arena_strdup(a, db_res_get(r, i, 7));
    x->reason = app_arena_strdup(a, db_res_get(r, i, 8));
    x->created_at = app_arena_strdup(a, db_res_get(r, i, 9));
    x->evidence = app_arena_strdup(a, db_res_get(r, i, 10));
    x->resolution = db_res_isnull(r, i, 11) ? NULL : app_arena_strdup(a, db_res_get(r, i, 11));
    x->resolved_by_request = db_res_int(r, i, 12);
}

static const db_stmt SQL_PROBLEM_LIST = {
    "problem_list",
    "SELECT " PROBLEM_COLS " FROM problem p WHERE id > $1 AND ($2::text IS NULL OR state = $2)"
    " AND ($3::text IS NULL OR school = $3 OR other_school = $3)"
    " AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM school s WHERE s.authority LIKE $4"
    " AND s.code IN (p.school, p.other_school))) ORDER BY id LIMIT $5"};

int
db_problem_list(db_conn *c, const char *school, const char *authority_like, const char *state,
                long long after, int limit, app_arena *a, db_problem **out, int *out_n,
                app_err *err)
{
    char af[24], lim[16];
    snprintf(af, sizeof(af), "%lld", after);
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *p[] = {af, state, school, authority_like, lim};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_PROBLEM_LIST, 5, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(db_problem) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        problem_fill(r, i, a, &(*out)[i]);
    *out_n = n;
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_PROBLEM_GET = {"problem_get",
                                        "SELECT " PROBLEM_COLS " FROM problem WHERE id = $1"};
static const db_stmt SQL_PROBLEM_GET_UPD = {
    "problem_get_upd", "SELECT " PROBLEM_COLS " FROM problem WHERE id = $1 FOR UPDATE"};

int
db_problem_get(db_conn *c, long long id, int for_update, app_arena *a, db_problem *out,
               int *out_found, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", id);
    const char *p[] = {k};
    db_res *r = NULL;
    int rc = db_exec(c, for_update ? &SQL_PROBLEM_GET_UPD : &SQL_PROBLEM_GET, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    if (*out_found)
        problem_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_PROBLEM_EVIDENCE = {
    "problem_evidence",
    "UPDATE problem SET evidence = ARRAY(SELECT DISTINCT e FROM unnest(evidence || $2::bigint[])"
    " AS e ORDER BY e), version = version + 1 WHERE id = $1"};

int
db_problem_add_evidence(db_conn *c, long long id, const long long *ids, int n, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", id);
    app_arena *a = app_arena_new();
    const char *p[] = {k, db_id_array(a, ids, n)};
    int rc = db_exec(c, &SQL_PROBLEM_EVIDENCE, 2, p, NULL, err);
    app_arena_free(a);
    return rc;
}

static const db_stmt SQL_PROBLEM_RESOLVE = {
    "problem_resolve",
    "UPDATE problem SET state = 'resolved', resolution = $2, resolved_by_request = $3,"
    " resolved_at = now(), version = version + 1 WHERE id = $1 AND state = 'open'"};

int
db_problem_resolve(db_conn *c, long long id, const char *resolution, long long request_id,
                   app_err *err)
{
    char k[24], q[24];
    snprintf(k, sizeof(k), "%lld", id);
    snprintf(q, sizeof(q), "%lld", request_id);
    const char *p[] = {k, resolution, q};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_PROBLEM_RESOLVE, 3, p, &r, err);
    if (rc != 0)
        return rc;
    long long n = db_res_affected(r);
    db_res_free(r);
    return n == 1 ? 0 : app_err_set(err, APP_ECONFLICT, "problem_resolved", "problem %lld", id);
}
