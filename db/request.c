/*
 * db/request.c - request members, certificate numbers and problem records
 * (see db/request.h).
 */
#include "db/request.h"

#include <stdio.h>
#include <string.h>

#define TS(col) " to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static char *
dup_or_null(app_arena *a, const db_res *r, int row, int col)
{
    return db_res_isnull(r, row, col) ? NULL : app_arena_strdup(a, db_res_get(r, row, col));
}

/* ------------------------------------------------------------ members */

static const db_stmt SQL_MEMBER_ADD = {
    "member_add", "INSERT INTO request_member (request_id, student_id)"
                  " SELECT $1, unnest($2::bigint[])"};

int
db_member_add(db_conn *c, long long request_id, const long long *ids, int n, app_err *err)
{
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", request_id);
    app_arena *a = app_arena_new();
    const char *p[] = {rid, db_id_array(a, ids, n)};
    int rc = db_exec(c, &SQL_MEMBER_ADD, 2, p, NULL, err);
    app_arena_free(a);
    return rc;
}

static const db_stmt SQL_MEMBER_LIST = {
    "member_list",
    "SELECT m.request_id, m.student_id, s.name, s.stuno_text, s.school, m.open, m.outcome,"
    " m.certificate_no, m.applied::text FROM request_member m JOIN student s ON s.id ="
    " m.student_id WHERE m.request_id = ANY($1::bigint[]) ORDER BY m.request_id, m.student_id"};

int *
db_rows_by_request(const db_res *r, const db_request *q, int n, app_arena *a, int *counts)
{
    int rows = db_res_nrows(r);
    int *owner = app_arena_alloc(a, sizeof(int) * (size_t)(rows ? rows : 1));
    for (int i = 0; i < n; i++)
        counts[i] = 0;
    long long last = 0;
    int at = -1;
    for (int k = 0; k < rows; k++) {
        long long id = db_res_int(r, k, 0);
        if (k == 0 || id != last) { /* rows come by request: look up each run once */
            at = -1;
            for (int i = 0; i < n && at < 0; i++)
                if (q[i].id == id)
                    at = i;
            last = id;
        }
        owner[k] = at;
        if (at >= 0)
            counts[at]++;
    }
    return owner;
}

int
db_members_of(db_conn *c, const char *ids, db_request *q, int n, app_arena *a, app_err *err)
{
    const char *p[] = {ids};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_MEMBER_LIST, 1, p, &r, err);
    if (rc != 0)
        return rc;
    int *counts = app_arena_alloc(a, sizeof(int) * (size_t)(n ? n : 1));
    int *owner = db_rows_by_request(r, q, n, a, counts);
    for (int i = 0; i < n; i++) {
        q[i].members = app_arena_alloc(a, sizeof(db_member) * (size_t)(counts[i] ? counts[i] : 1));
        q[i].nmembers = 0;
    }
    for (int k = 0; k < db_res_nrows(r); k++) {
        if (owner[k] < 0)
            continue;
        db_request *x = &q[owner[k]];
        db_member *m = &x->members[x->nmembers++];
        m->student_id = db_res_int(r, k, 1);
        m->name = app_arena_strdup(a, db_res_get(r, k, 2));
        m->student_number = app_arena_strdup(a, db_res_get(r, k, 3));
        m->school = app_arena_strdup(a, db_res_get(r, k, 4));
        m->open = db_res_get(r, k, 5)[0] == 't';
        m->outcome = dup_or_null(a, r, k, 6);
        m->certificate_no = dup_or_null(a, r, k, 7);
        m->applied_json = dup_or_null(a, r, k, 8);
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_MEMBER_SET = {
    "member_set", "UPDATE request_member SET outcome = $3, certificate_no = $4,"
                  " applied = $5::jsonb WHERE request_id = $1 AND student_id = $2"};

int
db_member_set(db_conn *c, long long request_id, long long student_id, const char *outcome,
              const char *certificate_no, const char *applied_json, app_err *err)
{
    char rid[24], sid[24];
    snprintf(rid, sizeof(rid), "%lld", request_id);
    snprintf(sid, sizeof(sid), "%lld", student_id);
    const char *p[] = {rid, sid, outcome, certificate_no, applied_json};
    return db_exec(c, &SQL_MEMBER_SET, 5, p, NULL, err);
}

static const db_stmt SQL_END_OPEN = {
    "request_end_open_of",
    "UPDATE request SET state = $2, current_step = NULL, version = version + 1,"
    " updated_at = now() WHERE id IN (SELECT request_id FROM request_member"
    " WHERE student_id = $1 AND open)"};

int
db_request_end_open_of(db_conn *c, long long student_id, const char *state, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", student_id);
    const char *p[] = {k, state};
    return db_exec(c, &SQL_END_OPEN, 2, p, NULL, err);
}

static const db_stmt SQL_CERT_TAKE = {
    "certificate_take",
    "INSERT INTO certificate_seq (school, year, last) VALUES ($1, $2, $3)"
    " ON CONFLICT (school, year) DO UPDATE SET last = certificate_seq.last + EXCLUDED.last"
    " RETURNING last"};

int
db_certificate_take(db_conn *c, const char *school, int year, int n, int *out_first,
                    app_err *err)
{
    char y[16], k[16];
    snprintf(y, sizeof(y), "%d", year);
    snprintf(k, sizeof(k), "%d", n);
    const char *p[] = {school, y, k};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CERT_TAKE, 3, p, &r, err);
    if (rc != 0)
        return rc;
    *out_first = (int)db_res_int(r, 0, 0) - n + 1;
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_GRADE_CANDIDATES = {
    "grade_candidates",
    "SELECT s.id, s.class_no,"
    " EXISTS (SELECT 1 FROM request_member m WHERE m.student_id = s.id AND m.open),"
    " EXISTS (SELECT 1 FROM problem p WHERE (p.student_id = s.id OR p.other_student_id = s.id)"
    " AND p.state = 'open')"
    " FROM student s WHERE s.school = $1 AND s.grade = $2 AND s.state = 'enrolled'"
    " ORDER BY s.id FOR UPDATE OF s"};

int
db_grade_candidates(db_conn *c, const char *school, int grade, app_arena *a,
                    db_candidate **out, int *out_n, app_err *err)
{
    char g[16];
    snprintf(g, sizeof(g), "%d", grade);
    const char *p[] = {school, g};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_GRADE_CANDIDATES, 2, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(db_candidate) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        db_candidate *x = &(*out)[i];
        x->id = db_res_int(r, i, 0);
        x->class_no = (int)db_res_int(r, i, 1);
        x->in_flight = db_res_get(r, i, 2)[0] == 't';
        x->has_problem = db_res_get(r, i, 3)[0] == 't';
    }
    *out_n = n;
    db_res_free(r);
    return 0;
}

/* ------------------------------------------------------------ problems */

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
    const char *p[] = {pr->kind,         sid,           oid,       pr->school,
                       pr->other_school, pr->authority, pr->reason};
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

#define PROBLEM_COLS                                                                           \
    "id, student_id, coalesce(other_student_id, 0), kind, state, school,"                      \
    " coalesce(other_school, ''), authority, coalesce(reason, '')," TS("created_at")           \
    ", evidence::text, resolution, coalesce(resolved_by_request, 0)"

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
