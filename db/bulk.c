/*
 * db/bulk.c - set-based statements of a registration (see db/bulk.h).
 */
#include "db/bulk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTIVE "('pending', 'enrolled', 'suspended')"

/* ------------------------------------------------------------ JSON rows */

/* A JSON array of objects, built by appending (malloc'd; freed by the caller). */
typedef struct jb {
    char *p;
    size_t n, cap;
    int rows, fields;
} jb;

static void
need(jb *b, size_t more)
{
    if (b->n + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + more + 1)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

static void
lit(jb *b, const char *s, size_t n)
{
    need(b, n);
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void
row_begin(jb *b)
{
    if (b->rows++ == 0)
        lit(b, "[{", 2);
    else
        lit(b, ",{", 2);
    b->fields = 0;
}

static void
row_end(jb *b)
{
    lit(b, "}", 1);
}

static void
key(jb *b, const char *k)
{
    size_t n = strlen(k);
    need(b, n + 4);
    if (b->fields++)
        b->p[b->n++] = ',';
    b->p[b->n++] = '"';
    memcpy(b->p + b->n, k, n);
    b->n += n;
    b->p[b->n++] = '"';
    b->p[b->n++] = ':';
    b->p[b->n] = '\0';
}

/* A string (NULL: null), escaped for JSON. */
static void
sval(jb *b, const char *v)
{
    if (v == NULL) {
        lit(b, "null", 4);
        return;
    }
    size_t n = strlen(v);
    need(b, n * 6 + 2);
    char *o = b->p + b->n;
    *o++ = '"';
    for (const unsigned char *s = (const unsigned char *)v; *s; s++) {
        if (*s == '"' || *s == '\\') {
            *o++ = '\\';
            *o++ = (char)*s;
        } else if (*s < 0x20) {
            o += sprintf(o, "\\u%04x", *s);
        } else {
            *o++ = (char)*s;
        }
    }
    *o++ = '"';
    b->n = (size_t)(o - b->p);
    b->p[b->n] = '\0';
}

static void
str(jb *b, const char *k, const char *v)
{
    key(b, k);
    sval(b, v);
}

static void
num(jb *b, const char *k, long long v)
{
    char t[24];
    int n = snprintf(t, sizeof(t), "%lld", v);
    key(b, k);
    lit(b, t, (size_t)n);
}

/* A number, or null for 0 (ids that are absent). */
static void
id_or_null(jb *b, const char *k, long long v)
{
    if (v == 0) {
        key(b, k);
        lit(b, "null", 4);
    } else {
        num(b, k, v);
    }
}

/* A JSON value as it is (NULL: null). */
static void
raw(jb *b, const char *k, const char *json)
{
    key(b, k);
    if (json == NULL)
        lit(b, "null", 4);
    else
        lit(b, json, strlen(json));
}

static const char *
done(jb *b)
{
    if (b->rows == 0)
        lit(b, "[", 1);
    lit(b, "]", 1);
    return b->p;
}

/* Run `st` with the array as $k (the others given), freeing the array. */
static int
run(db_conn *c, const db_stmt *st, jb *b, int nparams, const char **p, int at, db_res **out,
    app_err *err)
{
    p[at] = done(b);
    int rc = db_exec(c, st, nparams, p, out, err);
    free(b->p);
    memset(b, 0, sizeof(*b));
    return rc;
}

/* ------------------------------------------------------------ ids, locks, lookups */

static const db_stmt SQL_IDS = {
    "bulk_ids", "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)"};

int
db_ids_next(db_conn *c, const char *table, int n, long long *out, app_err *err)
{
    if (strcmp(table, "student") != 0 && strcmp(table, "request") != 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "no id sequence for %s", table);
    char k[16];
    snprintf(k, sizeof(k), "%d", n);
    const char *p[] = {table, k};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_IDS, 2, p, &r, err);
    if (rc != 0)
        return rc;
    if (db_res_nrows(r) != n) {
        db_res_free(r);
        return app_err_set(err, APP_EINTERNAL, NULL, "%s ids: %d of %d", table,
                           db_res_nrows(r), n);
    }
    for (int i = 0; i < n; i++)
        out[i] = db_res_int(r, i, 0);
    db_res_free(r);
    return 0;
}

/* The same keys as db_student_lock_identity(), ascending. */
static const db_stmt SQL_LOCK_IDS = {
    "bulk_lock_identities",
    "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT DISTINCT hashtextextended(b, 7263) AS k"
    " FROM json_array_elements_text($1::json) AS b ORDER BY 1) AS t"};

int
db_identities_lock(db_conn *c, const char *const *bidx_hex, int n, app_err *err)
{
    if (n == 0)
        return 0;
    jb b = {0};
    lit(&b, "[", 1);
    for (int i = 0; i < n; i++) {
        if (i)
            lit(&b, ",", 1);
        sval(&b, bidx_hex[i]);
    }
    lit(&b, "]", 1);
    const char *p[] = {b.p};
    int rc = db_exec(c, &SQL_LOCK_IDS, 1, p, NULL, err);
    free(b.p);
    return rc;
}

static const db_stmt SQL_HOLDERS = {
    "bulk_holders",
    "SELECT DISTINCT ON (x.i) x.i, s.id, s.school"
    " FROM json_to_recordset($1::json) AS x(i int, t text, b bytea)"
    " JOIN student s ON s.id_type = x.t AND s.id_bidx = x.b AND s.state IN " ACTIVE
    " ORDER BY x.i, s.id"};

int
db_holders_find(db_conn *c, int n, const int *row, const char *const *id_type,
                const char *const *bidx_hex, app_arena *a, db_holder **out, int *out_n,
                app_err *err)
{
    jb b = {0};
    for (int i = 0; i < n; i++) {
        row_begin(&b);
        num(&b, "i", row[i]);
        str(&b, "t", id_type[i]);
        str(&b, "b", bidx_hex[i]);
        row_end(&b);
    }
    const char *p[1];
    db_res *r = NULL;
    int rc = run(c, &SQL_HOLDERS, &b, 1, p, 0, &r, err);
    if (rc != 0)
        return rc;
    int k = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(db_holder) * (size_t)(k ? k : 1));
    for (int i = 0; i < k; i++) {
        (*out)[i].row = (int)db_res_int(r, i, 0);
        (*out)[i].id = db_res_int(r, i, 1);
        snprintf((*out)[i].school, sizeof((*out)[i].school), "%s", db_res_get(r, i, 2));
    }
    *out_n = k;
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_CLASSES_LOCK = {
    "bulk_classes_lock",
    "SELECT c.id, c.grade, c.number, coalesce(c.size_limit, 0) FROM class c"
    " JOIN json_to_recordset($2::json) AS x(g int, n int) ON c.grade = x.g AND c.number = x.n"
    " WHERE c.school = $1 ORDER BY c.id FOR UPDATE OF c"};
/* counted after the locks, in a statement of its own (a snapshot that sees
   what the lock holders before us committed) */
static const db_stmt SQL_CLASSES_COUNT = {
    "bulk_classes_count",
    "SELECT class_id, count(*) FROM student WHERE class_id = ANY($1::bigint[])"
    " AND state IN " ACTIVE " GROUP BY class_id"};

int
db_classes_lock(db_conn *c, const char *school, db_class_slot *v, int n, app_err *err)
{
    jb b = {0};
    for (int i = 0; i < n; i++) {
        v[i].id = 0;
        v[i].limit = v[i].count = 0;
        row_begin(&b);
        num(&b, "g", v[i].grade);
        num(&b, "n", v[i].number);
        row_end(&b);
    }
    const char *p[] = {school, NULL};
    db_res *r = NULL;
    int rc = run(c, &SQL_CLASSES_LOCK, &b, 2, p, 1, &r, err);
    if (rc != 0)
        return rc;
    jb ids = {0}; /* an array literal {1,2} of the limited classes */
    lit(&ids, "{", 1);
    int found = 0;
    for (int k = 0; k < db_res_nrows(r); k++) {
        long long id = db_res_int(r, k, 0);
        int g = (int)db_res_int(r, k, 1), num_ = (int)db_res_int(r, k, 2);
        int limit = (int)db_res_int(r, k, 3);
        for (int i = 0; i < n; i++)
            if (v[i].grade == g && v[i].number == num_) {
                v[i].id = id;
                v[i].limit = limit;
            }
        if (limit == 0)
            continue; /* no limit: nothing to count (and a big class is dear to count) */
        char t[32];
        int l = snprintf(t, sizeof(t), "%s%lld", found++ ? "," : "", id);
        lit(&ids, t, (size_t)l);
    }
    lit(&ids, "}", 1);
    db_res_free(r);
    if (found == 0) {
        free(ids.p);
        return 0;
    }
    const char *pc[] = {ids.p};
    rc = db_exec(c, &SQL_CLASSES_COUNT, 1, pc, &r, err);
    free(ids.p);
    if (rc != 0)
        return rc;
    for (int k = 0; k < db_res_nrows(r); k++) {
        long long id = db_res_int(r, k, 0);
        for (int i = 0; i < n; i++)
            if (v[i].id == id)
                v[i].count = (int)db_res_int(r, k, 1);
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_STUNOS_TAKEN = {
    "bulk_stunos_taken", "SELECT x.i FROM json_to_recordset($1::json) AS x(i int, b bytea)"
                         " JOIN student s ON s.stuno_bidx = x.b"};

int
db_stunos_taken(db_conn *c, const char *const *bidx_hex, int n, unsigned char *taken,
                app_err *err)
{
    memset(taken, 0, (size_t)n);
    if (n == 0)
        return 0;
    jb b = {0};
    for (int i = 0; i < n; i++) {
        row_begin(&b);
        num(&b, "i", i);
        str(&b, "b", bidx_hex[i]);
        row_end(&b);
    }
    const char *p[1];
    db_res *r = NULL;
    int rc = run(c, &SQL_STUNOS_TAKEN, &b, 1, p, 0, &r, err);
    if (rc != 0)
        return rc;
    for (int k = 0; k < db_res_nrows(r); k++) {
        long long i = db_res_int(r, k, 0);
        if (i >= 0 && i < n)
            taken[i] = 1;
    }
    db_res_free(r);
    return 0;
}

/* ------------------------------------------------------------ inserts */

static db_stmt st_students;

void
db_bulk_setup(const char *const *cols, int n)
{
    static const char head[] = "id, province, school, class_id, state, stuno_kind, stuno_text,"
                               " stuno_enc, stuno_bidx, id_bidx, key_id, verification";
    size_t len = 2 * sizeof(head) + 200;
    for (int i = 0; i < n; i++)
        len += 2 * (strlen(cols[i]) + 2);
    char *list = xmalloc(len / 2 + 1), *sql = xmalloc(len + 200);
    size_t at = (size_t)snprintf(list, len / 2 + 1, "%s", head);
    for (int i = 0; i < n; i++)
        at += (size_t)snprintf(list + at, len / 2 + 1 - at, ", %s", cols[i]);
    snprintf(sql, len + 200,
             "INSERT INTO student (%s) OVERRIDING SYSTEM VALUE SELECT %s"
             " FROM json_populate_recordset(NULL::student, $1::json)",
             list, list);
    free(list);
    st_students = (db_stmt){"bulk_students", sql};
}

int
db_student_insert_many(db_conn *c, const db_student *s, int n, app_err *err)
{
    if (n == 0)
        return 0;
    int ncols = 0;
    const char *const *cols = db_student_columns(&ncols);
    jb b = {0};
    for (int i = 0; i < n; i++) {
        const db_student *x = &s[i];
        row_begin(&b);
        num(&b, "id", x->id);
        str(&b, "province", x->province);
        str(&b, "school", x->school);
        num(&b, "class_id", x->class_id);
        str(&b, "state", x->state);
        str(&b, "stuno_kind", x->stuno_kind);
        str(&b, "stuno_text", x->stuno_text);
        str(&b, "stuno_enc", x->stuno_enc);
        str(&b, "stuno_bidx", x->stuno_bidx);
        str(&b, "id_bidx", x->id_bidx);
        num(&b, "key_id", x->key_id);
        str(&b, "verification", x->verification);
        for (int k = 0; k < ncols; k++)
            str(&b, cols[k], x->vals[k]);
        row_end(&b);
    }
    const char *p[1];
    return run(c, &st_students, &b, 1, p, 0, NULL, err);
}

static const db_stmt SQL_SIMILAR_MANY = {
    "bulk_similar",
    "SELECT x.i, s.id, s.school FROM json_to_recordset($2::json)"
    " AS x(i int, id bigint, name text, gender text, birth date)"
    " CROSS JOIN LATERAL (SELECT s.id, s.school FROM student s WHERE s.province = $1"
    " AND s.name = x.name AND s.birth_date = x.birth AND s.gender IS NOT DISTINCT FROM x.gender"
    " AND s.state IN " ACTIVE " AND s.id <> x.id"
    " AND (s.id < x.id OR s.id NOT IN (SELECT (y->>'id')::bigint FROM json_array_elements($2::json) y))"
    " ORDER BY s.id LIMIT 10) AS s ORDER BY x.i, s.id"};

int
db_similar_find_many(db_conn *c, const char *province, int n, const long long *id,
                     const char *const *name, const char *const *gender,
                     const char *const *birth_date, app_arena *a, db_similar **out, int *out_n,
                     app_err *err)
{
    *out_n = 0;
    *out = NULL;
    jb b = {0};
    int rows = 0;
    for (int i = 0; i < n; i++) {
        if (name[i] == NULL || birth_date[i] == NULL)
            continue; /* nothing to compare with (the single check matches nothing either) */
        row_begin(&b);
        num(&b, "i", i);
        num(&b, "id", id[i]);
        str(&b, "name", name[i]);
        str(&b, "gender", gender[i]);
        str(&b, "birth", birth_date[i]);
        row_end(&b);
        rows++;
    }
    if (rows == 0) {
        free(b.p);
        return 0;
    }
    const char *p[] = {province, NULL};
    db_res *r = NULL;
    int rc = run(c, &SQL_SIMILAR_MANY, &b, 2, p, 1, &r, err);
    if (rc != 0)
        return rc;
    int k = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(db_similar) * (size_t)(k ? k : 1));
    for (int i = 0; i < k; i++) {
        (*out)[i].row = (int)db_res_int(r, i, 0);
        (*out)[i].id = db_res_int(r, i, 1);
        snprintf((*out)[i].school, sizeof((*out)[i].school), "%s", db_res_get(r, i, 2));
    }
    *out_n = k;
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_REQUESTS = {
    "bulk_requests",
    "INSERT INTO request (id, type, state, student_id, school, province, payload, comment,"
    " current_step, started_by, started_org, other_school, problem_id) OVERRIDING SYSTEM VALUE"
    " SELECT id, type, state, student_id, school, province, coalesce(payload, '{}'), comment,"
    " current_step, started_by, started_org, other_school, problem_id"
    " FROM json_populate_recordset(NULL::request, $1::json)"};
static const db_stmt SQL_STEPS = {
    "bulk_steps",
    "INSERT INTO request_step (request_id, number, level, org, state, due_at, escalate_to)"
    " SELECT request_id, number, level, org, state, due_at, escalate_to"
    " FROM json_populate_recordset(NULL::request_step, $1::json)"};

int
db_request_insert_many(db_conn *c, const db_request *q, int n, app_err *err)
{
    if (n == 0)
        return 0;
    jb b = {0}, s = {0};
    for (int i = 0; i < n; i++) {
        const db_request *x = &q[i];
        row_begin(&b);
        num(&b, "id", x->id);
        str(&b, "type", x->type);
        str(&b, "state", x->state);
        id_or_null(&b, "student_id", x->student_id);
        str(&b, "school", x->school);
        str(&b, "province", x->province);
        raw(&b, "payload", x->payload_json);
        str(&b, "comment", x->comment);
        id_or_null(&b, "current_step", x->current_step);
        id_or_null(&b, "started_by", x->started_by);
        str(&b, "started_org", x->started_org);
        str(&b, "other_school", x->other_school);
        id_or_null(&b, "problem_id", x->problem_id);
        row_end(&b);
        for (int k = 0; k < x->nsteps; k++) {
            const db_step *st = &x->steps[k];
            row_begin(&s);
            num(&s, "request_id", x->id);
            num(&s, "number", st->number);
            str(&s, "level", st->level);
            str(&s, "org", st->org);
            str(&s, "state", st->state);
            str(&s, "due_at", st->due_at);
            str(&s, "escalate_to", st->escalate_to);
            row_end(&s);
        }
    }
    const char *p[1];
    int rc = run(c, &SQL_REQUESTS, &b, 1, p, 0, NULL, err);
    if (rc == 0 && s.rows > 0)
        rc = run(c, &SQL_STEPS, &s, 1, p, 0, NULL, err);
    free(s.p);
    return rc;
}

static const db_stmt SQL_HISTORY_MANY = {
    "bulk_history",
    "INSERT INTO student_history (student_id, kind, actor_id, actor_org, school, request_id,"
    " changes) SELECT student_id, kind, actor_id, actor_org, school, request_id,"
    " coalesce(changes, '[]') FROM json_populate_recordset(NULL::student_history, $1::json)"};

int
db_history_insert_many(db_conn *c, const db_history *h, int n, app_err *err)
{
    if (n == 0)
        return 0;
    jb b = {0};
    for (int i = 0; i < n; i++) {
        row_begin(&b);
        num(&b, "student_id", h[i].student_id);
        str(&b, "kind", h[i].kind);
        id_or_null(&b, "actor_id", h[i].actor_id);
        str(&b, "actor_org", h[i].actor_org);
        str(&b, "school", h[i].school);
        id_or_null(&b, "request_id", h[i].request_id);
        raw(&b, "changes", h[i].changes_json);
        row_end(&b);
    }
    const char *p[1];
    return run(c, &SQL_HISTORY_MANY, &b, 1, p, 0, NULL, err);
}

/* Rows are chained by the audit trigger in the order of the array. */
static const db_stmt SQL_AUDIT_MANY = {
    "bulk_audit",
    "INSERT INTO audit (actor_id, actor_org, action, target_type, target_id, ip, user_agent,"
    " request_id, detail, prev_hash, hash) SELECT actor_id, actor_org, action, target_type,"
    " target_id, ip, user_agent, request_id, coalesce(detail, '{}'), '', ''"
    " FROM json_populate_recordset(NULL::audit, $1::json)"};

int
db_audit_insert_many(db_conn *c, const db_audit *e, int n, app_err *err)
{
    if (n == 0)
        return 0;
    jb b = {0};
    for (int i = 0; i < n; i++) {
        row_begin(&b);
        id_or_null(&b, "actor_id", e[i].actor_id);
        str(&b, "actor_org", e[i].actor_org);
        str(&b, "action", e[i].action);
        str(&b, "target_type", e[i].target_type);
        str(&b, "target_id", e[i].target_id);
        str(&b, "ip", e[i].ip);
        str(&b, "user_agent", e[i].user_agent);
        str(&b, "request_id", e[i].request_id);
        raw(&b, "detail", e[i].detail_json);
        row_end(&b);
    }
    const char *p[1];
    return run(c, &SQL_AUDIT_MANY, &b, 1, p, 0, NULL, err);
}

static const db_stmt SQL_EVENTS_MANY = {
    "bulk_events",
    "INSERT INTO events (type, student_id, school, authority, province, request_id, data)"
    " SELECT type, student_id, school, authority, province, request_id, coalesce(data, '{}')"
    " FROM json_populate_recordset(NULL::events, $1::json)"};

int
db_event_insert_many(db_conn *c, const db_event *e, int n, app_err *err)
{
    if (n == 0)
        return 0;
    jb b = {0};
    for (int i = 0; i < n; i++) {
        row_begin(&b);
        str(&b, "type", e[i].type);
        id_or_null(&b, "student_id", e[i].student_id);
        str(&b, "school", e[i].school);
        str(&b, "authority", e[i].authority);
        str(&b, "province", e[i].province);
        id_or_null(&b, "request_id", e[i].request_id);
        raw(&b, "data", e[i].data_json);
        row_end(&b);
    }
    const char *p[1];
    return run(c, &SQL_EVENTS_MANY, &b, 1, p, 0, NULL, err);
}
