/*
 * db/audit_read.c - reading the audit trail (see db/audit_read.h).
 */
#include "db/audit_read.h"

#include "db/internal.h"

#include <stdio.h>
#include <string.h>

/* The columns of a row and its seal: the seal whose range starts at or
   below the row's seq, when that range reaches it (audit_seal's unique
   index on first_seq finds it in one step). */
static const char SQL_AUDIT_SELECT[] =
    "SELECT a.id, coalesce(a.actor_id, 0), coalesce(a.seq, 0),"
    " CASE WHEN ls.last_seq >= a.seq THEN ls.id ELSE 0 END," DB__TS(
        "a.at") ", a.actor_org, a.action, a.target_type, a.target_id, a.ip, a.user_agent,"
                " a.request_id, a.detail::text, a.hash"
                " FROM audit a LEFT JOIN LATERAL (SELECT s.id, s.last_seq FROM audit_seal s"
                " WHERE s.first_seq <= a.seq ORDER BY s.first_seq DESC LIMIT 1) ls ON true"
                " WHERE true";

/* The filters; "$?" is the filter's one parameter, numbered as it is added. */
static const char SQL_BEFORE[] = " AND a.id < $?::bigint";
static const char SQL_ACTOR[] = " AND a.actor_id = $?::bigint";
static const char SQL_STUDENT[] =
    " AND ((a.target_type = 'student' AND a.target_id = $?::text)"
    " OR (a.target_type = 'request' AND a.target_id = ANY (ARRAY(SELECT m.request_id::text"
    " FROM request_member m WHERE m.student_id = $?::bigint))))";
static const char SQL_ACTION[] = " AND a.action = $?::text";
static const char SQL_FROM[] = " AND a.at >= to_timestamp($?::float8)";
static const char SQL_TO[] = " AND a.at < to_timestamp($?::float8)";
static const char SQL_ORG[] = " AND a.actor_org = $?::text";
static const char SQL_REGION[] =
    " AND ((length(a.actor_org) = 6 AND a.actor_org LIKE $?::text)"
    " OR a.actor_org IN (SELECT sc.code::text FROM school sc WHERE sc.authority LIKE $?::text))";
static const char SQL_ORDER[] = " ORDER BY a.id DESC LIMIT $?::int";

#define MAX_PARAMS 12

typedef struct sqlb {
    char sql[2048];
    size_t n;
    const char *p[MAX_PARAMS];
    int np;
} sqlb;

/* Append `fragment`, each "$?" of it bound to `value` (one parameter). */
static void
add(sqlb *b, const char *fragment, const char *value)
{
    int k = ++b->np;
    b->p[k - 1] = value;
    for (const char *f = fragment; *f && b->n + 8 < sizeof(b->sql); f++) {
        if (f[0] == '$' && f[1] == '?') {
            b->n += (size_t)snprintf(b->sql + b->n, sizeof(b->sql) - b->n, "$%d", k);
            f++;
        } else {
            b->sql[b->n++] = *f;
        }
    }
    b->sql[b->n] = '\0';
}

static const char *
num(app_arena *a, long long v)
{
    return app_arena_printf(a, "%lld", v);
}

static void
build(sqlb *b, const db_audit_query *q, app_arena *a)
{
    memset(b, 0, sizeof(*b));
    b->n = (size_t)snprintf(b->sql, sizeof(b->sql), "%s", SQL_AUDIT_SELECT);
    if (q->before > 0)
        add(b, SQL_BEFORE, num(a, q->before));
    if (q->actor_id > 0)
        add(b, SQL_ACTOR, num(a, q->actor_id));
    if (q->student_id > 0)
        add(b, SQL_STUDENT, num(a, q->student_id));
    if (q->action != NULL)
        add(b, SQL_ACTION, q->action);
    if (q->has_from)
        add(b, SQL_FROM, num(a, q->from_epoch));
    if (q->has_to)
        add(b, SQL_TO, num(a, q->to_epoch));
    if (q->org != NULL)
        add(b, SQL_ORG, q->org);
    if (q->region_like != NULL)
        add(b, SQL_REGION, q->region_like);
    add(b, SQL_ORDER, num(a, q->limit));
}

static void
read_row(const db_res *r, int i, app_arena *a, db_audit_row *o)
{
    o->id = db_res_int(r, i, 0);
    o->actor_id = db_res_int(r, i, 1);
    o->seq = db_res_int(r, i, 2);
    o->seal_id = db_res_int(r, i, 3);
    o->at = app_arena_strdup(a, db_res_get(r, i, 4));
    o->actor_org = db__dup_or_null(a, r, i, 5);
    o->action = app_arena_strdup(a, db_res_get(r, i, 6));
    o->target_type = db__dup_or_null(a, r, i, 7);
    o->target_id = db__dup_or_null(a, r, i, 8);
    o->ip = db__dup_or_null(a, r, i, 9);
    o->user_agent = db__dup_or_null(a, r, i, 10);
    o->request_id = db__dup_or_null(a, r, i, 11);
    o->detail_json = app_arena_strdup(a, db_res_get(r, i, 12));
    o->hash = app_arena_strdup(a, db_res_get(r, i, 13));
}

int
db_audit_list(db_conn *c, const db_audit_query *q, app_arena *a, db_audit_row **out, int *out_n,
              app_err *err)
{
    sqlb b;
    build(&b, q, a);
    db_res *r = NULL;
    *out_n = 0;
    int rc = db_exec_once(c, b.sql, b.np, b.p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(db_audit_row) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        read_row(r, i, a, &(*out)[i]);
    *out_n = n;
    db_res_free(r);
    return 0;
}
