/*
 * db/request.c - requests with their steps and actions, request members,
 * certificate numbers and graduation candidates (see db/request.h).
 */
#include "db/request.h"

#include "base/buf.h"
#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ members */

static const db_stmt SQL_MEMBER_ADD = {"member_add",
                                       "INSERT INTO request_member (request_id, student_id)"
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

/* For each row of `r`, ordered by the request id in its column 0, the index
   of that request in q[0..n) (-1: none); counts[i]: the rows of q[i]. */
static int *
rows_by_request(const db_res *r, const db_request *q, int n, app_arena *a, int *counts)
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

/* The members of requests q[0..n) (ids: the array literal of their ids), one query. */
static int
members_of(db_conn *c, const char *ids, db_request *q, int n, app_arena *a, app_err *err)
{
    const char *p[] = {ids};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_MEMBER_LIST, 1, p, &r, err);
    if (rc != 0)
        return rc;
    int *counts = app_arena_alloc(a, sizeof(int) * (size_t)(n ? n : 1));
    int *owner = rows_by_request(r, q, n, a, counts);
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
        m->outcome = db__dup_or_null(a, r, k, 6);
        m->certificate_no = db__dup_or_null(a, r, k, 7);
        m->applied_json = db__dup_or_null(a, r, k, 8);
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
db_certificate_take(db_conn *c, const char *school, int year, int n, int *out_first, app_err *err)
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
db_grade_candidates(db_conn *c, const char *school, int grade, app_arena *a, db_candidate **out,
                    int *out_n, app_err *err)
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

/* ------------------------------------------------------------ requests */

static const db_stmt SQL_REQUEST_INSERT = {
    "request_insert",
    "INSERT INTO request (type, state, student_id, school, province, payload, comment,"
    " current_step, started_by, started_org, other_school, evidence, problem_id, subject) VALUES"
    " ($1, $2, nullif($3, '0')::bigint, $4, $5, coalesce($6, '{}')::jsonb, $7,"
    " nullif($8, '0')::int, nullif($9, '0')::bigint, $10, $11, coalesce($12, '{}')::bigint[],"
    " nullif($13, '0')::bigint, $14)"
    " RETURNING id, version," DB__TS("created_at") "," DB__TS("updated_at")};
static const db_stmt SQL_STEP_INSERT = {
    "step_insert",
    "INSERT INTO request_step (request_id, number, level, org, state, due_at, escalate_to,"
    " office, college, escalate_office) VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7, $8, $9,"
    " $10)"};

static int
insert_steps(db_conn *c, long long id, const db_step *steps, int n, app_err *err)
{
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", id);
    for (int i = 0; i < n; i++) {
        char num[16];
        snprintf(num, sizeof(num), "%d", steps[i].number);
        const char *sp[] = {rid,
                            num,
                            steps[i].level,
                            steps[i].org,
                            steps[i].state,
                            steps[i].due_at,
                            steps[i].escalate_to,
                            steps[i].office,
                            steps[i].college,
                            steps[i].escalate_office};
        int rc = db_exec(c, &SQL_STEP_INSERT, 10, sp, NULL, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int
db_request_insert(db_conn *c, db_request *q, app_err *err)
{
    char sid[24], step[16], by[24], pid[24];
    snprintf(sid, sizeof(sid), "%lld", q->student_id);
    snprintf(step, sizeof(step), "%d", q->current_step);
    snprintf(by, sizeof(by), "%lld", q->started_by);
    snprintf(pid, sizeof(pid), "%lld", q->problem_id);
    const char *p[] = {q->type,         q->state,    sid,  q->school, q->province,
                       q->payload_json, q->comment,  step, by,        q->started_org,
                       q->other_school, q->evidence, pid,  q->subject};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_REQUEST_INSERT, 14, p, &r, err);
    if (rc != 0)
        return rc;
    q->id = db_res_int(r, 0, 0);
    q->version = (int)db_res_int(r, 0, 1);
    db_res_free(r);
    return insert_steps(c, q->id, q->steps, q->nsteps, err);
}

static const db_stmt SQL_STEPS_DELETE = {"steps_delete",
                                         "DELETE FROM request_step WHERE request_id = $1"};

int
db_request_steps_replace(db_conn *c, long long id, const db_step *steps, int n, app_err *err)
{
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", id);
    const char *p[] = {rid};
    int rc = db_exec(c, &SQL_STEPS_DELETE, 1, p, NULL, err);
    return rc != 0 ? rc : insert_steps(c, id, steps, n, err);
}

#define REQUEST_COLS                                                                               \
    "id, coalesce(student_id, 0), coalesce(started_by, 0), type, state, school, province,"         \
    " payload::text, comment, started_org," DB__TS("created_at") "," DB__TS(                       \
        "updated_at") ", coalesce(current_step, 0), version, other_school, applied::text, coalesce(problem_id, 0)"

static const db_stmt SQL_REQUEST_GET = {"request_get",
                                        "SELECT " REQUEST_COLS " FROM request WHERE id = $1"};
static const db_stmt SQL_REQUEST_GET_UPD = {
    "request_get_upd", "SELECT " REQUEST_COLS " FROM request WHERE id = $1 FOR UPDATE"};
static const db_stmt SQL_REQUEST_FOR_STUDENT = {
    "request_for_student",
    "SELECT " REQUEST_COLS " FROM request WHERE id IN (SELECT request_id FROM request_member"
    " WHERE student_id = $1) OR (type = 'problem_resolution' AND student_id = $1) ORDER BY id"};
/* The steps and actions of many requests: one query each, by request. */
static const db_stmt SQL_STEPS = {
    "request_steps",
    "SELECT request_id, number, level, org, state, coalesce(" DB__TS("due_at") ", ''), coalesce(" DB__TS(
        "decided_at") ", ''), comment, coalesce(decided_by, 0), forced, escalate_to, office, college, escalate_office"
                      " FROM request_step WHERE request_id = ANY($1::bigint[]) ORDER BY request_id, number"};

static const db_stmt SQL_ACTIONS = {
    "request_actions",
    "SELECT request_id, coalesce(step, 0), action, coalesce(actor_org, ''), " DB__TS(
        "at") ", comment, coalesce(actor_id, 0), evidence::text FROM request_action"
              " WHERE request_id = ANY($1::bigint[])"
              " ORDER BY request_id, id"};

static void
request_row(const db_res *r, int row, app_arena *a, db_request *q)
{
    memset(q, 0, sizeof(*q));
    q->id = db_res_int(r, row, 0);
    q->student_id = db_res_int(r, row, 1);
    q->started_by = db_res_int(r, row, 2);
    q->type = app_arena_strdup(a, db_res_get(r, row, 3));
    q->state = app_arena_strdup(a, db_res_get(r, row, 4));
    q->school = app_arena_strdup(a, db_res_get(r, row, 5));
    q->province = app_arena_strdup(a, db_res_get(r, row, 6));
    q->payload_json = app_arena_strdup(a, db_res_get(r, row, 7));
    q->comment = db__dup_or_null(a, r, row, 8);
    q->started_org = app_arena_strdup(a, db_res_get(r, row, 9));
    q->created_at = app_arena_strdup(a, db_res_get(r, row, 10));
    q->updated_at = app_arena_strdup(a, db_res_get(r, row, 11));
    q->current_step = (int)db_res_int(r, row, 12);
    q->version = (int)db_res_int(r, row, 13);
    q->other_school = db__dup_or_null(a, r, row, 14);
    q->applied_json = db__dup_or_null(a, r, row, 15);
    q->problem_id = db_res_int(r, row, 16);
}

/* Steps, actions and members of requests q[0..n): three queries however many. */
static int
request_details(db_conn *c, db_request *q, int n, app_arena *a, app_err *err)
{
    if (n == 0)
        return 0;
    long long *idv = app_arena_alloc(a, sizeof(long long) * (size_t)n);
    for (int i = 0; i < n; i++)
        idv[i] = q[i].id;
    const char *p[] = {db_id_array(a, idv, n)};
    int *counts = app_arena_alloc(a, sizeof(int) * (size_t)n);
    db_res *s = NULL;
    int rc = db_exec(c, &SQL_STEPS, 1, p, &s, err);
    if (rc != 0)
        return rc;
    int *owner = rows_by_request(s, q, n, a, counts);
    for (int i = 0; i < n; i++) {
        q[i].steps = app_arena_alloc(a, sizeof(db_step) * (size_t)(counts[i] ? counts[i] : 1));
        q[i].nsteps = 0;
    }
    for (int k = 0; k < db_res_nrows(s); k++) {
        if (owner[k] < 0)
            continue;
        db_request *x = &q[owner[k]];
        db_step *st = &x->steps[x->nsteps++];
        st->number = (int)db_res_int(s, k, 1);
        st->level = app_arena_strdup(a, db_res_get(s, k, 2));
        st->org = app_arena_strdup(a, db_res_get(s, k, 3));
        st->state = app_arena_strdup(a, db_res_get(s, k, 4));
        st->due_at = app_arena_strdup(a, db_res_get(s, k, 5));
        st->decided_at = app_arena_strdup(a, db_res_get(s, k, 6));
        st->comment = db__dup_or_null(a, s, k, 7);
        st->decided_by = db_res_int(s, k, 8);
        st->forced = db_res_get(s, k, 9)[0] == 't';
        st->escalate_to = db__dup_or_null(a, s, k, 10);
        st->office = db__dup_or_null(a, s, k, 11);
        st->college = db__dup_or_null(a, s, k, 12);
        st->escalate_office = db__dup_or_null(a, s, k, 13);
    }
    db_res_free(s);
    if ((rc = db_exec(c, &SQL_ACTIONS, 1, p, &s, err)) != 0)
        return rc;
    owner = rows_by_request(s, q, n, a, counts);
    for (int i = 0; i < n; i++) {
        q[i].actions = app_arena_alloc(a, sizeof(db_action) * (size_t)(counts[i] ? counts[i] : 1));
        q[i].nactions = 0;
    }
    for (int k = 0; k < db_res_nrows(s); k++) {
        if (owner[k] < 0)
            continue;
        db_request *x = &q[owner[k]];
        db_action *y = &x->actions[x->nactions++];
        y->step = (int)db_res_int(s, k, 1);
        y->action = app_arena_strdup(a, db_res_get(s, k, 2));
        y->actor_org = app_arena_strdup(a, db_res_get(s, k, 3));
        y->at = app_arena_strdup(a, db_res_get(s, k, 4));
        y->comment = db__dup_or_null(a, s, k, 5);
        y->actor_id = db_res_int(s, k, 6);
        y->evidence = app_arena_strdup(a, db_res_get(s, k, 7));
    }
    db_res_free(s);
    return members_of(c, p[0], q, n, a, err);
}

/* Requests from the rows of `r`, with their details. */
static int
requests_from(db_conn *c, const db_res *r, app_arena *a, db_request **out, int *out_n, app_err *err)
{
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(db_request) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        request_row(r, i, a, &(*out)[i]);
    *out_n = n;
    return request_details(c, *out, n, a, err);
}

int
db_request_get(db_conn *c, long long id, int for_update, app_arena *a, db_request *out,
               int *out_found, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", id);
    const char *p[] = {k};
    db_res *r = NULL;
    int rc = db_exec(c, for_update ? &SQL_REQUEST_GET_UPD : &SQL_REQUEST_GET, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    if (*out_found) {
        request_row(r, 0, a, out);
        rc = request_details(c, out, 1, a, err);
    }
    db_res_free(r);
    return rc;
}

int
db_request_list_for_student(db_conn *c, long long student_id, app_arena *a, db_request **out,
                            int *out_n, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", student_id);
    const char *p[] = {k};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_REQUEST_FOR_STUDENT, 1, p, &r, err);
    if (rc != 0)
        return rc;
    rc = requests_from(c, r, a, out, out_n, err);
    db_res_free(r);
    return rc;
}

static const db_stmt SQL_STEP_DECIDE = {
    "step_decide", "UPDATE request_step SET state = $3, decided_by = nullif($4, '0')::bigint,"
                   " decided_at = now(), comment = $5, forced = $6::boolean"
                   " WHERE request_id = $1 AND number = $2"};
static const db_stmt SQL_REQUEST_MOVE = {
    "request_move", "UPDATE request SET state = $2, current_step = nullif($3, '0')::int,"
                    " version = version + 1, updated_at = now() WHERE id = $1"};
static const db_stmt SQL_STEP_WAIT = {
    "step_wait", "UPDATE request_step SET state = 'waiting', due_at = $3::timestamptz"
                 " WHERE request_id = $1 AND number = $2"};

int
db_request_decide(db_conn *c, long long id, int number, const char *step_state, long long by,
                  const char *comment, int forced, const char *req_state, int next_step,
                  const char *next_due_at, app_err *err)
{
    char rid[24], num[16], who[24], next[16];
    snprintf(rid, sizeof(rid), "%lld", id);
    snprintf(num, sizeof(num), "%d", number);
    snprintf(who, sizeof(who), "%lld", by);
    snprintf(next, sizeof(next), "%d", next_step);
    const char *p1[] = {rid, num, step_state, who, comment, forced ? "true" : "false"};
    int rc = db_exec(c, &SQL_STEP_DECIDE, 6, p1, NULL, err);
    if (rc == 0) {
        const char *p2[] = {rid, req_state, next};
        rc = db_exec(c, &SQL_REQUEST_MOVE, 3, p2, NULL, err);
    }
    if (rc == 0 && next_step > 0) {
        const char *p3[] = {rid, next, next_due_at};
        rc = db_exec(c, &SQL_STEP_WAIT, 3, p3, NULL, err);
    }
    return rc;
}

int
db_request_set_state(db_conn *c, long long id, const char *state, int current_step, app_err *err)
{
    char rid[24], step[16];
    snprintf(rid, sizeof(rid), "%lld", id);
    snprintf(step, sizeof(step), "%d", current_step);
    const char *p[] = {rid, state, step};
    return db_exec(c, &SQL_REQUEST_MOVE, 3, p, NULL, err);
}

static const db_stmt SQL_STEPS_RESET = {
    "steps_reset",
    "UPDATE request_step SET state = CASE WHEN number <= $3::int THEN 'waiting' ELSE 'pending'"
    " END, due_at = CASE WHEN number <= $3::int THEN $2::timestamptz END, decided_by = NULL,"
    " decided_at = NULL, comment = NULL, forced = false WHERE request_id = $1"};

int
db_request_steps_reset(db_conn *c, long long id, const char *due_at, int parallel, app_err *err)
{
    char rid[24], par[16];
    snprintf(rid, sizeof(rid), "%lld", id);
    snprintf(par, sizeof(par), "%d", parallel > 1 ? parallel : 1);
    const char *p[] = {rid, due_at, par};
    return db_exec(c, &SQL_STEPS_RESET, 3, p, NULL, err);
}

static const db_stmt SQL_SET_APPLIED = {"request_set_applied",
                                        "UPDATE request SET applied = $2::jsonb WHERE id = $1"};

int
db_request_set_applied(db_conn *c, long long id, const char *json, app_err *err)
{
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", id);
    const char *p[] = {rid, json};
    return db_exec(c, &SQL_SET_APPLIED, 2, p, NULL, err);
}

static const db_stmt SQL_OPEN_TRANSFER = {
    "request_open_transfer", "SELECT 1 FROM request WHERE student_id = $1 AND type = 'transfer'"
                             " AND other_school = $2 AND state IN ('open', 'returned')"};

int
db_request_open_transfer_to(db_conn *c, long long student_id, const char *school, int *out_found,
                            app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", student_id);
    const char *p[] = {k, school};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_OPEN_TRANSFER, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_OPEN_COUNT = {
    "request_open_count", "SELECT count(*) FROM request_member WHERE student_id = $1 AND open"};
static const db_stmt SQL_OPEN_PLAIN = {"request_open_plain",
                                       "SELECT count(*) FROM request_member WHERE student_id = $1"
                                       " AND open AND subject IS NULL"};

static int
student_count(db_conn *c, const db_stmt *st, long long student_id, int *out_n, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", student_id);
    const char *p[] = {k};
    db_res *r = NULL;
    int rc = db_exec(c, st, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_n = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

int
db_request_open_count(db_conn *c, long long student_id, int *out_n, app_err *err)
{
    return student_count(c, &SQL_OPEN_COUNT, student_id, out_n, err);
}

int
db_request_open_plain_count(db_conn *c, long long student_id, int *out_n, app_err *err)
{
    return student_count(c, &SQL_OPEN_PLAIN, student_id, out_n, err);
}

/* box=todo: a step waiting at the org (and office), or escalated to it once
   overdue. The deans of a major transfer wait side by side (ADR 0033), so
   any waiting step counts, not only the current one. */
static void
todo_filter(base_buf *q, const db_request_filter *f, const char **p, int *np)
{
    int o = ++*np, u = 0, k = 0;
    p[o - 1] = f->todo_org;
    if (f->todo_office) {
        p[(u = ++*np) - 1] = f->todo_office;
        p[(k = ++*np) - 1] = f->todo_college ? f->todo_college : "";
    }
    if (f->held && u) {
        base_buf_printf(q,
                        " AND EXISTS (SELECT 1 FROM request_step t WHERE t.request_id = r.id AND"
                        " t.org = $%d AND t.office = $%d AND coalesce(t.college, $%d) = $%d)",
                        o, u, k, k);
        return;
    }
    base_buf_printf(q, " AND r.state = 'open' AND EXISTS (SELECT 1 FROM request_step t"
                       " WHERE t.request_id = r.id AND t.state = 'waiting' AND (");
    if (u)
        base_buf_printf(
            q,
            "(t.org = $%d AND t.office = $%d AND coalesce(t.college, $%d) = $%d)"
            " OR (t.escalate_to = $%d AND t.escalate_office = $%d AND t.due_at < now())",
            o, u, k, k, o, u);
    else
        base_buf_printf(q,
                        "(t.org = $%d AND t.office IS NULL) OR (t.escalate_to = $%d AND"
                        " t.escalate_office IS NULL AND t.due_at < now())",
                        o, o);
    base_buf_printf(q, "))");
}

/* Built per call from the filters present, like the student list. */
int
db_request_list(db_conn *c, const db_request_filter *f, app_arena *a, db_request **out, int *out_n,
                app_err *err)
{
    const char *p[16];
    int np = 0;
    char after[24], lim[16];
    base_buf q = {0};
    base_buf_printf(&q, "SELECT " REQUEST_COLS " FROM request r WHERE");
    snprintf(after, sizeof(after), "%lld", f->after_id);
    p[np++] = after;
    base_buf_printf(&q, " r.id > $%d", np);
    if (f->todo_org)
        todo_filter(&q, f, p, &np);
    if (f->started_org) {
        p[np++] = f->started_org;
        base_buf_printf(&q, " AND r.started_org = $%d", np);
    }
    if (f->school_like) {
        p[np++] = f->school_like;
        base_buf_printf(&q, " AND (r.school = $%d OR r.other_school = $%d)", np, np);
    }
    if (f->authority_like) {
        p[np++] = f->authority_like;
        base_buf_printf(
            &q,
            " AND EXISTS (SELECT 1 FROM school s WHERE s.code IN (r.school, r.other_school)"
            " AND s.authority LIKE $%d)",
            np);
    }
    if (f->state) {
        p[np++] = f->state;
        base_buf_printf(&q, " AND r.state = $%d", np);
    }
    if (f->type) {
        p[np++] = f->type;
        base_buf_printf(&q, " AND r.type = $%d", np);
    }
    snprintf(lim, sizeof(lim), "%d", f->limit);
    p[np++] = lim;
    base_buf_printf(&q, " ORDER BY r.id LIMIT $%d", np);
    db_res *r = NULL;
    int rc = db_exec_once(c, (const char *)q.p, np, p, &r, err);
    free(q.p);
    if (rc != 0)
        return rc;
    rc = requests_from(c, r, a, out, out_n, err);
    db_res_free(r);
    return rc;
}

static const db_stmt SQL_ACTION_INSERT = {
    "action_insert",
    "INSERT INTO request_action (request_id, step, action, actor_id, actor_org, comment, evidence)"
    " VALUES ($1, nullif($2, '0')::int, $3, nullif($4, '0')::bigint, $5, $6,"
    " coalesce($7::bigint[], '{}'))"};

int
db_request_action_insert(db_conn *c, long long request_id, int step, const char *action,
                         long long actor_id, const char *actor_org, const char *comment,
                         app_err *err)
{
    return db_request_action_insert_ev(c, request_id, step, action, actor_id, actor_org, comment,
                                       NULL, err);
}

int
db_request_action_insert_ev(db_conn *c, long long request_id, int step, const char *action,
                            long long actor_id, const char *actor_org, const char *comment,
                            const char *evidence, app_err *err)
{
    char rid[24], st[16], who[24];
    snprintf(rid, sizeof(rid), "%lld", request_id);
    snprintf(st, sizeof(st), "%d", step);
    snprintf(who, sizeof(who), "%lld", actor_id);
    const char *p[] = {rid, st, action, who, actor_org, comment, evidence};
    return db_exec(c, &SQL_ACTION_INSERT, 7, p, NULL, err);
}
