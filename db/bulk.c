/*
 * db/bulk.c - set-based statements of a registration (see db/bulk.h).
 */
#include "db/bulk.h"

#include "base/buf.h"
#include "base/jw.h"
#include "db/internal.h"
#include "db/keylock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTIVE "('pending', 'enrolled', 'suspended')"

/* ------------------------------------------------------------ JSON rows */

/*
 * The look-ups' JSON parameter is written with base/jw.h into an arena of
 * its own, one per statement: it dies when the statement has run, so memory
 * stays bounded by one batch.
 */
typedef struct jrows {
    app_arena *arena;
    jw w;
} jrows;

static void
rows_begin(jrows *b)
{
    b->arena = app_arena_new();
    jw_init(&b->w, b->arena);
    jw_arr(&b->w);
}

/* Open the next object of the array. */
static void
row_begin(jrows *b)
{
    jw_elem(&b->w);
    jw_obj(&b->w);
}

/*
 * Run `st` with the array as parameter `at` (the others given), then free it.
 * Not prepared: each batch's look-up is planned for the table as it is now.
 * A prepared statement switches to its generic plan after five runs, and an
 * import into an empty or small table then kept the plan of that size (a
 * hash join over the whole student table) while its own rows grew the table:
 * on a 100,000-row import into an empty database the look-ups took 14 of its
 * 31 s of statements. Planning one look-up costs well under a millisecond.
 */
/* Close the array as parameter `at`; rows_free() once the statement ran. */
static void
rows_end(jrows *b, const char **p, int at)
{
    jw_arr_end(&b->w);
    p[at] = jw_text(&b->w, NULL);
}

static void
rows_free(jrows *b)
{
    app_arena_free(b->arena);
    b->arena = NULL;
}

static int
run(db_conn *c, const db_stmt *st, jrows *b, int nparams, const char **p, int at, db_res **out,
    app_err *err)
{
    rows_end(b, p, at);
    int rc = db_exec_once(c, st->sql, nparams, p, out, err);
    rows_free(b);
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
        return app_err_set(err, APP_EINTERNAL, NULL, "%s ids: %d of %d", table, db_res_nrows(r), n);
    }
    for (int i = 0; i < n; i++)
        out[i] = db_res_int(r, i, 0);
    db_res_free(r);
    return 0;
}

/*
 * Key locks (db/keylock.h) of the keys in CTE k: the SHARED bucket locks of
 * space `ns`, then the key locks, each ascending, in one statement (the
 * aggregate takes them in the order of the sorted rows).
 */
#define KEYS_LOCK(ns)                                                                              \
    " SELECT count(CASE WHEN t.f THEN pg_advisory_xact_lock(t.k)::text"                            \
    " ELSE pg_advisory_xact_lock_shared(" ns ", t.k::int)::text END) FROM (SELECT DISTINCT"        \
    " false AS f, k & 1023 AS k FROM k UNION ALL SELECT true, k FROM k ORDER BY 1, 2) AS t"

/* The same keys as db_student_lock_identity(). */
static const db_stmt SQL_LOCK_IDS = {
    "bulk_lock_identities", "WITH k AS (SELECT DISTINCT hashtextextended(b, 7263) AS k"
                            " FROM json_array_elements_text($1::json) AS b)" KEYS_LOCK("7263")};

/* Run key-lock statement `st` of `space` for `n` keys with the array as
   parameter `at`, then free it. */
static int
lock_run(db_conn *c, int space, int n, const db_stmt *st, jrows *b, int nparams, const char **p,
         int at, app_err *err)
{
    rows_end(b, p, at);
    int rc = db__keys_lock(c, space, n, st, 1, nparams, p, err);
    rows_free(b);
    return rc;
}

int
db_identities_lock(db_conn *c, const char *const *bidx_hex, int n, app_err *err)
{
    if (n == 0)
        return 0;
    jrows b;
    rows_begin(&b);
    for (int i = 0; i < n; i++)
        jw_value(&b.w, bidx_hex[i]);
    const char *p[1];
    return lock_run(c, DB_KEYS_IDENTITY, n, &SQL_LOCK_IDS, &b, 1, p, 0, err);
}

static const db_stmt SQL_HOLDERS = {
    "bulk_holders", "SELECT DISTINCT ON (x.i) x.i, s.id, s.school"
                    " FROM json_to_recordset($1::json) AS x(i int, t text, b bytea)"
                    " JOIN student s ON s.id_type = x.t AND s.id_bidx = x.b AND s.state IN " ACTIVE
                    " ORDER BY x.i, s.id"};

int
db_holders_find(db_conn *c, int n, const int *row, const char *const *id_type,
                const char *const *bidx_hex, app_arena *a, db_holder **out, int *out_n,
                app_err *err)
{
    jrows b;
    rows_begin(&b);
    for (int i = 0; i < n; i++) {
        row_begin(&b);
        jw_int(&b.w, "i", row[i]);
        jw_str(&b.w, "t", id_type[i]);
        jw_str(&b.w, "b", bidx_hex[i]);
        jw_end(&b.w);
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
        (*out)[i].state[0] = '\0';
        (*out)[i].grade = 0;
    }
    *out_n = k;
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_STUNO_HOLDERS = {
    "bulk_stuno_holders", "SELECT DISTINCT ON (x.i) x.i, s.id, s.school, s.state, s.grade"
                          " FROM json_to_recordset($1::json) AS x(i int, b bytea)"
                          " JOIN student s ON s.stuno_bidx = x.b ORDER BY x.i, s.id"};

int
db_stuno_holders_find(db_conn *c, int n, const int *row, const char *const *bidx_hex, app_arena *a,
                      db_holder **out, int *out_n, app_err *err)
{
    *out_n = 0;
    *out = NULL;
    if (n == 0)
        return 0;
    jrows b;
    rows_begin(&b);
    for (int i = 0; i < n; i++) {
        row_begin(&b);
        jw_int(&b.w, "i", row[i]);
        jw_str(&b.w, "b", bidx_hex[i]);
        jw_end(&b.w);
    }
    const char *p[1];
    db_res *r = NULL;
    int rc = run(c, &SQL_STUNO_HOLDERS, &b, 1, p, 0, &r, err);
    if (rc != 0)
        return rc;
    int k = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(db_holder) * (size_t)(k ? k : 1));
    for (int i = 0; i < k; i++) {
        db_holder *h = &(*out)[i];
        h->row = (int)db_res_int(r, i, 0);
        h->id = db_res_int(r, i, 1);
        snprintf(h->school, sizeof(h->school), "%s", db_res_get(r, i, 2));
        snprintf(h->state, sizeof(h->state), "%s", db_res_get(r, i, 3));
        h->grade = (int)db_res_int(r, i, 4);
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
    jrows b;
    rows_begin(&b);
    for (int i = 0; i < n; i++) {
        v[i].id = 0;
        v[i].limit = v[i].count = 0;
        row_begin(&b);
        jw_int(&b.w, "g", v[i].grade);
        jw_int(&b.w, "n", v[i].number);
        jw_end(&b.w);
    }
    const char *p[] = {school, NULL};
    db_res *r = NULL;
    int rc = run(c, &SQL_CLASSES_LOCK, &b, 2, p, 1, &r, err);
    if (rc != 0)
        return rc;
    /* only classes with a size limit are counted (a big class is dear to count) */
    long long *limited = xcalloc((size_t)(n ? n : 1), sizeof(long long));
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
        if (limit > 0)
            limited[found++] = id;
    }
    db_res_free(r);
    if (found == 0) {
        free(limited);
        return 0;
    }
    app_arena *a = app_arena_new();
    const char *pc[] = {db_id_array(a, limited, found)};
    rc = db_exec_once(c, SQL_CLASSES_COUNT.sql, 1, pc, &r, err); /* planned now, as run() */
    app_arena_free(a);
    free(limited);
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
db_stunos_taken(db_conn *c, const char *const *bidx_hex, int n, unsigned char *taken, app_err *err)
{
    memset(taken, 0, (size_t)n);
    if (n == 0)
        return 0;
    jrows b;
    rows_begin(&b);
    for (int i = 0; i < n; i++) {
        row_begin(&b);
        jw_int(&b.w, "i", i);
        jw_str(&b.w, "b", bidx_hex[i]);
        jw_end(&b.w);
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

/*
 * Rows to insert travel as COPY text (one COPY ... FROM STDIN per table):
 * PostgreSQL reads it straight into rows (no JSON objects to unpack), and the
 * triggers (audit hash, events, request members) fire as for INSERT.
 * Fields are tab-separated, NULL is \N, and backslash, tab, newline and
 * carriage return are escaped.
 */
typedef struct cb {
    base_buf b;
    int fields;
} cb;

static void
cb_sep(cb *b)
{
    if (b->fields++)
        base_buf_addc(&b->b, '\t');
}

static void
cb_str(cb *b, const char *v)
{
    cb_sep(b);
    if (v == NULL) {
        base_buf_add(&b->b, "\\N", 2);
        return;
    }
    base_buf_reserve(&b->b, 2 * strlen(v));
    char *o = (char *)b->b.p + b->b.n;
    for (const char *q = v; *q; q++) {
        char ch = *q;
        if (ch == '\\' || ch == '\t' || ch == '\n' || ch == '\r') {
            *o++ = '\\';
            ch = ch == '\t' ? 't' : ch == '\n' ? 'n' : ch == '\r' ? 'r' : '\\';
        }
        *o++ = ch;
    }
    b->b.n = (size_t)(o - (char *)b->b.p);
    b->b.p[b->b.n] = '\0';
}

static void
cb_num(cb *b, long long v)
{
    char t[24];
    snprintf(t, sizeof(t), "%lld", v);
    cb_str(b, t);
}

/* A number, or NULL for 0 (ids that are absent). */
static void
cb_id(cb *b, long long v)
{
    if (v == 0)
        cb_str(b, NULL);
    else
        cb_num(b, v);
}

static void
cb_end(cb *b)
{
    base_buf_addc(&b->b, '\n');
    b->fields = 0;
}

/* COPY the rows into `sql`'s table, freeing them. */
static int
cb_copy(db_conn *c, const char *sql, cb *b, app_err *err)
{
    int rc = b->b.n ? db_copy_in(c, sql, (const char *)b->b.p, b->b.n, err) : 0;
    base_buf_free(&b->b);
    b->fields = 0;
    return rc;
}

static char *copy_students;

void
db_bulk_setup(const char *const *cols, int n)
{
    static const char head[] = "COPY student (id, province, school, class_id, state, stuno_kind,"
                               " stuno_text, stuno_enc, stuno_bidx, id_bidx, key_id, verification";
    size_t len = sizeof(head) + 32;
    for (int i = 0; i < n; i++)
        len += strlen(cols[i]) + 2;
    char *sql = xmalloc(len);
    size_t at = (size_t)snprintf(sql, len, "%s", head);
    for (int i = 0; i < n; i++)
        at += (size_t)snprintf(sql + at, len - at, ", %s", cols[i]);
    snprintf(sql + at, len - at, ") FROM STDIN");
    copy_students = sql;
}

int
db_student_insert_many(db_conn *c, const db_student *s, int n, app_err *err)
{
    int ncols = 0;
    db_student_columns(&ncols);
    cb b = {0};
    for (int i = 0; i < n; i++) {
        const db_student *x = &s[i];
        cb_num(&b, x->id);
        cb_str(&b, x->province);
        cb_str(&b, x->school);
        cb_num(&b, x->class_id);
        cb_str(&b, x->state);
        cb_str(&b, x->stuno_kind);
        cb_str(&b, x->stuno_text);
        cb_str(&b, x->stuno_enc);
        cb_str(&b, x->stuno_bidx);
        cb_str(&b, x->id_bidx);
        cb_num(&b, x->key_id);
        cb_str(&b, x->verification);
        for (int k = 0; k < ncols; k++)
            cb_str(&b, x->vals[k]);
        cb_end(&b);
    }
    return cb_copy(c, copy_students, &b, err);
}

/* One key per (province, name, gender, birth date): two writers of
   look-alike students take turns (the later one's search, a statement of its
   own, then sees the earlier one's committed rows). */
static const db_stmt SQL_LOCK_TWINS = {
    "bulk_lock_twins",
    "WITH k AS (SELECT DISTINCT hashtextextended($1 || '|' || x.name || '|'"
    " || coalesce(x.gender, '') || '|' || x.birth::text, 7264) AS k FROM json_to_recordset($2::json)"
    " AS x(name text, gender text, birth date))" KEYS_LOCK("7264")};

int
db_twins_lock(db_conn *c, const char *province, int n, const char *const *name,
              const char *const *gender, const char *const *birth_date, app_err *err)
{
    jrows b;
    rows_begin(&b);
    int rows = 0;
    for (int i = 0; i < n; i++) {
        if (name[i] == NULL || birth_date[i] == NULL)
            continue; /* db_similar_find_many() does not look for these */
        row_begin(&b);
        jw_str(&b.w, "name", name[i]);
        jw_str(&b.w, "gender", gender[i]);
        jw_str(&b.w, "birth", birth_date[i]);
        jw_end(&b.w);
        rows++;
    }
    if (rows == 0) {
        rows_free(&b);
        return 0;
    }
    const char *p[] = {province, NULL};
    return lock_run(c, DB_KEYS_TWINS, rows, &SQL_LOCK_TWINS, &b, 2, p, 1, err);
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
    jrows b;
    rows_begin(&b);
    int rows = 0;
    for (int i = 0; i < n; i++) {
        if (name[i] == NULL || birth_date[i] == NULL)
            continue; /* nothing to compare with (the single check matches nothing either) */
        row_begin(&b);
        jw_int(&b.w, "i", i);
        jw_int(&b.w, "id", id[i]);
        jw_str(&b.w, "name", name[i]);
        jw_str(&b.w, "gender", gender[i]);
        jw_str(&b.w, "birth", birth_date[i]);
        jw_end(&b.w);
        rows++;
    }
    if (rows == 0) {
        rows_free(&b);
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

int
db_request_insert_many(db_conn *c, const db_request *q, int n, app_err *err)
{
    cb b = {0}, st = {0};
    for (int i = 0; i < n; i++) {
        const db_request *x = &q[i];
        cb_num(&b, x->id);
        cb_str(&b, x->type);
        cb_str(&b, x->state);
        cb_id(&b, x->student_id);
        cb_str(&b, x->school);
        cb_str(&b, x->province);
        cb_str(&b, x->payload_json ? x->payload_json : "{}");
        cb_str(&b, x->comment);
        cb_id(&b, x->current_step);
        cb_id(&b, x->started_by);
        cb_str(&b, x->started_org);
        cb_str(&b, x->other_school);
        cb_id(&b, x->problem_id);
        cb_end(&b);
        for (int k = 0; k < x->nsteps; k++) {
            const db_step *y = &x->steps[k];
            cb_num(&st, x->id);
            cb_num(&st, y->number);
            cb_str(&st, y->level);
            cb_str(&st, y->org);
            cb_str(&st, y->state);
            cb_str(&st, y->due_at);
            cb_str(&st, y->escalate_to);
            cb_end(&st);
        }
    }
    int rc = cb_copy(c,
                     "COPY request (id, type, state, student_id, school, province, payload,"
                     " comment, current_step, started_by, started_org, other_school, problem_id)"
                     " FROM STDIN",
                     &b, err);
    if (rc == 0)
        rc = cb_copy(c,
                     "COPY request_step (request_id, number, level, org, state, due_at,"
                     " escalate_to) FROM STDIN",
                     &st, err);
    base_buf_free(&st.b);
    return rc;
}

int
db_history_insert_many(db_conn *c, const db_history *h, int n, app_err *err)
{
    cb b = {0};
    for (int i = 0; i < n; i++) {
        cb_num(&b, h[i].student_id);
        cb_str(&b, h[i].kind);
        cb_id(&b, h[i].actor_id);
        cb_str(&b, h[i].actor_org);
        cb_str(&b, h[i].school);
        cb_id(&b, h[i].request_id);
        cb_str(&b, h[i].changes_json ? h[i].changes_json : "[]");
        cb_end(&b);
    }
    return cb_copy(c,
                   "COPY student_history (student_id, kind, actor_id, actor_org, school,"
                   " request_id, changes) FROM STDIN",
                   &b, err);
}

/* Each row gets its id, transaction and content hash from the audit trigger. */
int
db_audit_insert_many(db_conn *c, const db_audit *e, int n, app_err *err)
{
    cb b = {0};
    for (int i = 0; i < n; i++) {
        cb_id(&b, e[i].actor_id);
        cb_str(&b, e[i].actor_org);
        cb_str(&b, e[i].action);
        cb_str(&b, e[i].target_type);
        cb_str(&b, e[i].target_id);
        cb_str(&b, e[i].ip);
        cb_str(&b, e[i].user_agent);
        cb_str(&b, e[i].request_id);
        cb_str(&b, e[i].detail_json ? e[i].detail_json : "{}");
        cb_end(&b);
    }
    return cb_copy(c,
                   "COPY audit (actor_id, actor_org, action, target_type, target_id, ip,"
                   " user_agent, request_id, detail) FROM STDIN",
                   &b, err);
}

int
db_event_insert_many(db_conn *c, const db_event *e, int n, app_err *err)
{
    cb b = {0};
    for (int i = 0; i < n; i++) {
        cb_str(&b, e[i].type);
        cb_id(&b, e[i].student_id);
        cb_str(&b, e[i].school);
        cb_str(&b, e[i].authority);
        cb_str(&b, e[i].province);
        cb_id(&b, e[i].request_id);
        cb_str(&b, e[i].data_json ? e[i].data_json : "{}");
        cb_end(&b);
    }
    return cb_copy(c,
                   "COPY events (type, student_id, school, authority, province, request_id,"
                   " data) FROM STDIN",
                   &b, err);
}
