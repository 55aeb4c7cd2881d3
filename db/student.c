/*
 * db/student.c - student rows (see db/student.h).
 */
#include "db/student.h"

#include "base/buf.h"
#include "db/bulk.h"
#include "db/internal.h"
#include "db/keylock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fixed columns read before the catalog columns (keep in step with fill()). */
#define FIXED_COLS                                                                                                      \
    "s.id, s.province, s.school, s.class_id, s.state, s.stuno_kind, s.stuno_text,"                                      \
    " s.stuno_enc, s.stuno_bidx, s.id_bidx, s.key_id, s.verification, s.version," DB__TS(                               \
        "s.created_at") "," DB__TS("s.updated_at") ", EXISTS (SELECT 1 FROM student_photo p WHERE p.student_id = s.id)" \
                                                   ", sc.county, sc.authority, sc.name, sc.closed"
#define NFIXED 20
/* Ordinary (masked) reads leave the ciphertexts and blind indexes out: they
   are half of a row's bytes and only reveals and writes need them. */
#define FIXED_COLS_LIGHT                                                                                                \
    "s.id, s.province, s.school, s.class_id, s.state, s.stuno_kind, s.stuno_text,"                                      \
    " NULL::bytea, NULL::bytea, NULL::bytea, s.key_id, s.verification, s.version," DB__TS(                              \
        "s.created_at") "," DB__TS("s.updated_at") ", EXISTS (SELECT 1 FROM student_photo p WHERE p.student_id = s.id)" \
                                                   ", sc.county, sc.authority, sc.name, sc.closed"
/* Every read joins the student's school: jurisdiction needs its authority. */
#define FROM_STUDENT " FROM student s JOIN school sc ON sc.code = s.school"

static const char *const *cols;
static int ncols;
static char *sel_cols;  /* "s.c1, s.c2, ..." */
static char *sel_light; /* the same with NULL for every *_enc column */
static db_stmt st_insert, st_get, st_get_upd, st_get_stuno, st_get_stuno_upd, st_update;
static db_stmt st_get_light, st_get_stuno_light;

static int
plain_name(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static char *
with_suffix(const char *a, const char *b)
{
    base_buf x = {0};
    base_buf_printf(&x, "%s%s", a, b);
    return (char *)x.p;
}

int
db_student_setup(const char *const *c, int n)
{
    for (int i = 0; i < n; i++)
        if (!plain_name(c[i]))
            return APP_EINVAL;
    cols = c;
    ncols = n;

    base_buf sel = {0};
    for (int i = 0; i < n; i++)
        base_buf_printf(&sel, "%ss.%s", i ? ", " : "", c[i]);
    sel_cols = (char *)sel.p;
    base_buf light = {0};
    for (int i = 0; i < n; i++) {
        size_t l = strlen(c[i]);
        if (l > 4 && strcmp(c[i] + l - 4, "_enc") == 0)
            base_buf_printf(&light, "%sNULL::bytea", i ? ", " : "");
        else
            base_buf_printf(&light, "%ss.%s", i ? ", " : "", c[i]);
    }
    sel_light = (char *)light.p;

    base_buf ins = {0};
    base_buf_printf(&ins, "INSERT INTO student (province, school, class_id, state, stuno_kind,"
                          " stuno_text, stuno_enc, stuno_bidx, id_bidx, key_id, verification");
    for (int i = 0; i < n; i++)
        base_buf_printf(&ins, ", %s", c[i]);
    base_buf_printf(&ins, ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11");
    for (int i = 0; i < n; i++)
        base_buf_printf(&ins, ", $%d", 12 + i);
    base_buf_printf(&ins, ") RETURNING id, version," DB__TS("created_at") "," DB__TS("updated_at"));
    st_insert = (db_stmt){"student_insert", (char *)ins.p};

    base_buf get = {0};
    base_buf_printf(&get, "SELECT " FIXED_COLS ", %s" FROM_STUDENT " WHERE s.id = $1", sel_cols);
    st_get = (db_stmt){"student_get", (char *)get.p};
    st_get_upd = (db_stmt){"student_get_upd", with_suffix((char *)get.p, " FOR UPDATE OF s")};
    base_buf gs = {0};
    base_buf_printf(&gs, "SELECT " FIXED_COLS ", %s" FROM_STUDENT " WHERE s.stuno_bidx = $1",
                    sel_cols);
    st_get_stuno = (db_stmt){"student_get_stuno", (char *)gs.p};
    st_get_stuno_upd =
        (db_stmt){"student_get_stuno_upd", with_suffix((char *)gs.p, " FOR UPDATE OF s")};
    base_buf gl = {0};
    base_buf_printf(&gl, "SELECT " FIXED_COLS_LIGHT ", %s" FROM_STUDENT " WHERE s.id = $1",
                    sel_light);
    st_get_light = (db_stmt){"student_get_light", (char *)gl.p};
    base_buf gsl = {0};
    base_buf_printf(&gsl, "SELECT " FIXED_COLS_LIGHT ", %s" FROM_STUDENT " WHERE s.stuno_bidx = $1",
                    sel_light);
    st_get_stuno_light = (db_stmt){"student_get_stuno_light", (char *)gsl.p};

    base_buf up = {0};
    base_buf_printf(&up,
                    "UPDATE student SET class_id = $3, state = $4, stuno_kind = $5,"
                    " stuno_text = $6, stuno_enc = $7, stuno_bidx = $8, id_bidx = $9, key_id = $10,"
                    " verification = $11, school = $12, version = version + 1, updated_at = now()");
    for (int i = 0; i < n; i++)
        base_buf_printf(&up, ", %s = $%d", c[i], 13 + i);
    base_buf_printf(&up, " WHERE id = $1 AND version = $2 RETURNING version," DB__TS("updated_at"));
    st_update = (db_stmt){"student_update", (char *)up.p};
    db_bulk_setup(c, n);
    return 0;
}

const char *const *
db_student_columns(int *out_n)
{
    *out_n = ncols;
    return cols;
}

static void
fill(const db_res *r, int row, app_arena *a, db_student *s)
{
    memset(s, 0, sizeof(*s));
    s->id = db_res_int(r, row, 0);
    snprintf(s->province, sizeof(s->province), "%s", db_res_get(r, row, 1));
    snprintf(s->school, sizeof(s->school), "%s", db_res_get(r, row, 2));
    s->class_id = db_res_int(r, row, 3);
    s->state = app_arena_strdup(a, db_res_get(r, row, 4));
    snprintf(s->stuno_kind, sizeof(s->stuno_kind), "%s", db_res_get(r, row, 5));
    s->stuno_text = app_arena_strdup(a, db_res_get(r, row, 6));
    s->stuno_enc = db__dup_or_null(a, r, row, 7);
    s->stuno_bidx = db__dup_or_null(a, r, row, 8);
    s->id_bidx = db__dup_or_null(a, r, row, 9);
    s->key_id = db_res_int(r, row, 10);
    s->verification = db__dup_or_null(a, r, row, 11);
    s->version = (int)db_res_int(r, row, 12);
    s->created_at = app_arena_strdup(a, db_res_get(r, row, 13));
    s->updated_at = app_arena_strdup(a, db_res_get(r, row, 14));
    s->has_photo = db_res_get(r, row, 15)[0] == 't';
    snprintf(s->school_county, sizeof(s->school_county), "%s", db_res_get(r, row, 16));
    snprintf(s->school_authority, sizeof(s->school_authority), "%s", db_res_get(r, row, 17));
    s->school_name = app_arena_strdup(a, db_res_get(r, row, 18));
    s->school_closed = db_res_get(r, row, 19)[0] == 't';
    s->vals = app_arena_alloc(a, sizeof(char *) * (size_t)ncols);
    for (int i = 0; i < ncols; i++)
        s->vals[i] = db__dup_or_null(a, r, row, NFIXED + i);
}

int
db_student_insert(db_conn *c, db_student *s, app_err *err)
{
    const char **p = xcalloc((size_t)(11 + ncols), sizeof(char *));
    char class_id[24], key_id[24];
    snprintf(class_id, sizeof(class_id), "%lld", s->class_id);
    snprintf(key_id, sizeof(key_id), "%lld", s->key_id);
    p[0] = s->province;
    p[1] = s->school;
    p[2] = class_id;
    p[3] = s->state;
    p[4] = s->stuno_kind;
    p[5] = s->stuno_text;
    p[6] = s->stuno_enc;
    p[7] = s->stuno_bidx;
    p[8] = s->id_bidx;
    p[9] = key_id;
    p[10] = s->verification;
    for (int i = 0; i < ncols; i++)
        p[11 + i] = s->vals[i];
    db_res *r = NULL;
    int rc = db_exec(c, &st_insert, 11 + ncols, p, &r, err);
    free(p);
    if (rc != 0)
        return rc;
    s->id = db_res_int(r, 0, 0);
    s->version = (int)db_res_int(r, 0, 1);
    db_res_free(r);
    return 0;
}

static int
get_one(db_conn *c, const db_stmt *st, const char *key, app_arena *a, db_student *out,
        int *out_found, app_err *err)
{
    db_res *r = NULL;
    const char *p[] = {key};
    int rc = db_exec(c, st, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    if (*out_found)
        fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_student_get(db_conn *c, long long id, int for_update, app_arena *a, db_student *out,
               int *out_found, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", id);
    const db_stmt *st = for_update == DB_STUDENT_LOCK   ? &st_get_upd
                        : for_update == DB_STUDENT_FULL ? &st_get
                                                        : &st_get_light;
    return get_one(c, st, k, a, out, out_found, err);
}

int
db_student_get_by_stuno(db_conn *c, const char *bidx, int for_update, app_arena *a, db_student *out,
                        int *out_found, app_err *err)
{
    const db_stmt *st = for_update == DB_STUDENT_LOCK   ? &st_get_stuno_upd
                        : for_update == DB_STUDENT_FULL ? &st_get_stuno
                                                        : &st_get_stuno_light;
    return get_one(c, st, bidx, a, out, out_found, err);
}

int
db_student_update(db_conn *c, db_student *s, int expect_version, app_err *err)
{
    const char **p = xcalloc((size_t)(12 + ncols), sizeof(char *));
    char id[24], ver[16], class_id[24], key_id[24];
    snprintf(id, sizeof(id), "%lld", s->id);
    snprintf(ver, sizeof(ver), "%d", expect_version);
    snprintf(class_id, sizeof(class_id), "%lld", s->class_id);
    snprintf(key_id, sizeof(key_id), "%lld", s->key_id);
    p[0] = id;
    p[1] = ver;
    p[2] = class_id;
    p[3] = s->state;
    p[4] = s->stuno_kind;
    p[5] = s->stuno_text;
    p[6] = s->stuno_enc;
    p[7] = s->stuno_bidx;
    p[8] = s->id_bidx;
    p[9] = key_id;
    p[10] = s->verification;
    p[11] = s->school;
    for (int i = 0; i < ncols; i++)
        p[12 + i] = s->vals[i];
    db_res *r = NULL;
    int rc = db_exec(c, &st_update, 12 + ncols, p, &r, err);
    free(p);
    if (rc != 0)
        return rc;
    if (db_res_nrows(r) == 0) {
        db_res_free(r);
        return app_err_set(err, APP_EPRECOND, "precondition_failed", "student %lld: stale", s->id);
    }
    s->version = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_TOUCH = {"student_touch",
                                  "UPDATE student SET version = version + 1, updated_at = now()"
                                  " WHERE id = $1 AND version = $2 RETURNING version"};

int
db_student_touch(db_conn *c, long long id, int expect_version, int *out_version, app_err *err)
{
    char k[24], v[16];
    snprintf(k, sizeof(k), "%lld", id);
    snprintf(v, sizeof(v), "%d", expect_version);
    const char *p[] = {k, v};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_TOUCH, 2, p, &r, err);
    if (rc != 0)
        return rc;
    int ok = db_res_nrows(r) > 0;
    if (ok)
        *out_version = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    return ok ? 0 : app_err_set(err, APP_EPRECOND, "precondition_failed", "student %lld", id);
}

/* The key lock of db/keylock.h: the SHARED bucket lock, then the key's
   (the target list runs in order). */
static const db_stmt SQL_LOCK_ID = {
    "student_lock_identity",
    "SELECT pg_advisory_xact_lock_shared(7263, (k & 1023)::int), pg_advisory_xact_lock(k)"
    " FROM (SELECT hashtextextended($1, 7263) AS k) AS t"};

int
db_student_lock_identity(db_conn *c, const char *bidx_hex, app_err *err)
{
    const char *p[] = {bidx_hex};
    return db__keys_lock(c, DB_KEYS_IDENTITY, 1, &SQL_LOCK_ID, 0, 1, p, err);
}

static const db_stmt SQL_HOLDER = {
    "student_holder",
    "SELECT id, school FROM student WHERE id_type = $1 AND id_bidx = ANY($2::bytea[])"
    " AND state IN ('pending', 'enrolled', 'suspended') AND id <> $3 ORDER BY id LIMIT 1"};

/* A PostgreSQL array literal of hex bytea values: {"\\x..","\\x.."}. */
static char *
bytea_array(const char *const *v, int n)
{
    size_t cap = 3;
    for (int i = 0; i < n; i++)
        cap += strlen(v[i]) + 4;
    char *s = xmalloc(cap), *p = s;
    *p++ = '{';
    for (int i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        *p++ = '"';
        for (const char *q = v[i]; *q; q++) {
            if (*q == '\\')
                *p++ = '\\';
            *p++ = *q;
        }
        *p++ = '"';
    }
    *p++ = '}';
    *p = '\0';
    return s;
}

int
db_student_find_holder(db_conn *c, const char *id_type, const char *const *bidx_hex, int nbidx,
                       long long exclude, long long *out_id, char out_school[11], int *out_found,
                       app_err *err)
{
    char ex[24];
    snprintf(ex, sizeof(ex), "%lld", exclude);
    char *arr = bytea_array(bidx_hex, nbidx);
    const char *p[] = {id_type, arr, ex};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_HOLDER, 3, p, &r, err);
    free(arr);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    if (*out_found) {
        *out_id = db_res_int(r, 0, 0);
        snprintf(out_school, 11, "%s", db_res_get(r, 0, 1));
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_CLASS_LOCK = {
    "class_lock", "SELECT id, coalesce(size_limit, 0) FROM class WHERE school = $1 AND grade = $2"
                  " AND number = $3 FOR UPDATE"};

int
db_class_lock(db_conn *c, const char *school, int grade, int number, long long *out_id,
              int *out_limit, int *out_found, app_err *err)
{
    char g[16], n[16];
    snprintf(g, sizeof(g), "%d", grade);
    snprintf(n, sizeof(n), "%d", number);
    const char *p[] = {school, g, n};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CLASS_LOCK, 3, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    if (*out_found) {
        *out_id = db_res_int(r, 0, 0);
        *out_limit = (int)db_res_int(r, 0, 1);
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_CLASS_COUNT = {"class_count",
                                        "SELECT count(*) FROM student WHERE class_id = $1"
                                        " AND state IN ('pending', 'enrolled', 'suspended')"};

int
db_class_count(db_conn *c, long long class_id, int *out_n, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", class_id);
    const char *p[] = {k};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CLASS_COUNT, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_n = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

/*
 * The list query is built per call from the filters present, so that each
 * shape gets its own plan (index on school, class or id), and run unnamed.
 * Values are always parameters. The count uses the same conditions.
 */
typedef struct where_params {
    const char *p[12];
    int np;
    char gbuf[8], cbuf[8], after[24];
    char *ids; /* malloc'ed: the head teacher's class ids as an array literal */
} where_params;

/* " WHERE ..." of filter f onto q, its values into w (free w->ids afterwards). */
static void
student_where(base_buf *q, const db_student_filter *f, where_params *w)
{
    snprintf(w->after, sizeof(w->after), "%lld", f->after_id);
    w->p[w->np++] = w->after;
    base_buf_printf(q, " WHERE s.id > $%d", w->np);
    if (f->authority_like) {
        w->p[w->np++] = f->authority_like;
        base_buf_printf(q, " AND sc.authority LIKE $%d", w->np);
    }
    if (f->school) {
        w->p[w->np++] = f->school;
        base_buf_printf(q, " AND s.school = $%d", w->np);
    }
    if (f->grade) {
        snprintf(w->gbuf, sizeof(w->gbuf), "%d", f->grade);
        w->p[w->np++] = w->gbuf;
        base_buf_printf(q, " AND s.grade = $%d", w->np);
    }
    if (f->class_no) {
        snprintf(w->cbuf, sizeof(w->cbuf), "%d", f->class_no);
        w->p[w->np++] = w->cbuf;
        base_buf_printf(q, " AND s.class_no = $%d", w->np);
    }
    if (f->state) {
        w->p[w->np++] = f->state;
        base_buf_printf(q, " AND s.state = $%d", w->np);
    }
    if (f->name_prefix) {
        w->p[w->np++] = f->name_prefix;
        base_buf_printf(q, " AND starts_with(s.name, $%d)", w->np);
    }
    if (f->left_behind) {
        w->p[w->np++] = f->left_behind;
        base_buf_printf(q, " AND s.left_behind = $%d", w->np);
    }
    if (f->migrant_child) {
        w->p[w->np++] = f->migrant_child;
        base_buf_printf(q, " AND s.migrant_child = $%d", w->np);
    }
    if (f->class_ids) {
        base_buf b = {0};
        base_buf_printf(&b, "{");
        for (int i = 0; i < f->nclass_ids; i++)
            base_buf_printf(&b, "%s%lld", i ? "," : "", f->class_ids[i]);
        base_buf_printf(&b, "}");
        w->ids = (char *)b.p;
        w->p[w->np++] = w->ids;
        base_buf_printf(q, " AND s.class_id = ANY($%d::bigint[])", w->np);
    }
}

int
db_student_list(db_conn *c, const db_student_filter *f, app_arena *a, db_student **out, int *out_n,
                app_err *err)
{
    where_params w = {0};
    char lim[16];
    base_buf q = {0};
    if (f->full)
        base_buf_printf(&q, "SELECT " FIXED_COLS ", %s" FROM_STUDENT, sel_cols);
    else
        base_buf_printf(&q, "SELECT " FIXED_COLS_LIGHT ", %s" FROM_STUDENT, sel_light);
    student_where(&q, f, &w);
    snprintf(lim, sizeof(lim), "%d", f->limit);
    w.p[w.np++] = lim;
    base_buf_printf(&q, " ORDER BY s.id LIMIT $%d", w.np);

    db_res *r = NULL;
    int rc = db_exec_once(c, (char *)q.p, w.np, w.p, &r, err);
    free(q.p);
    free(w.ids);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(db_student) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        fill(r, i, a, &(*out)[i]);
    *out_n = n;
    db_res_free(r);
    return 0;
}

int
db_student_count(db_conn *c, const db_student_filter *f, long long *out_n, app_err *err)
{
    where_params w = {0};
    base_buf q = {0};
    base_buf_printf(&q, "SELECT count(*)" FROM_STUDENT);
    student_where(&q, f, &w);
    db_res *r = NULL;
    int rc = db_exec_once(c, (char *)q.p, w.np, w.p, &r, err);
    free(q.p);
    free(w.ids);
    if (rc != 0)
        return rc;
    *out_n = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_J_NEXT = {
    "stuno_j_next", "INSERT INTO stuno_j_seq (county, birth, last) VALUES ($1, $2, 1)"
                    " ON CONFLICT (county, birth) DO UPDATE SET last = stuno_j_seq.last + 1"
                    " RETURNING last"};

int
db_stuno_j_next(db_conn *c, const char *county, const char *birth_date, int *out_seq, app_err *err)
{
    const char *p[] = {county, birth_date};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_J_NEXT, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_seq = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_PLACE = {
    "student_place",
    "UPDATE student SET state = $2, school = $3, class_id = $4, grade = $5, class_no = $6,"
    " province = (SELECT province FROM school WHERE code = $3), version = version + 1,"
    " updated_at = now() WHERE id = $1 RETURNING version"};

int
db_student_place(db_conn *c, long long id, const char *state, const char *school,
                 long long class_id, int grade, int class_no, int *out_version, app_err *err)
{
    char k[24], cid[24], g[16], n[16];
    snprintf(k, sizeof(k), "%lld", id);
    snprintf(cid, sizeof(cid), "%lld", class_id);
    snprintf(g, sizeof(g), "%d", grade);
    snprintf(n, sizeof(n), "%d", class_no);
    const char *p[] = {k, state, school, cid, g, n};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_PLACE, 6, p, &r, err);
    if (rc != 0)
        return rc;
    int ok = db_res_nrows(r) > 0;
    if (ok)
        *out_version = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    return ok ? 0 : app_err_set(err, APP_ENOTFOUND, "student_not_found", "student %lld", id);
}

/*
 * Two range scans of student_key_idx rather than `key_id <> $1 ORDER BY id`:
 * that one walked the primary key from the start through every row already
 * re-encrypted (a heap fetch each), so a rotation of n rows cost O(n^2).
 * Here the scans start at the old keys' entries; the entries that earlier
 * batches left dead are visited once and then skipped (killed index tuples).
 */
static const db_stmt SQL_NOT_UNDER = {
    "student_not_under",
    "SELECT id FROM student WHERE id = ANY (ARRAY("
    "(SELECT id FROM student WHERE key_id < $1 ORDER BY key_id LIMIT $2) UNION ALL"
    " (SELECT id FROM student WHERE key_id > $1 ORDER BY key_id LIMIT $2)))"
    " ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED"};

int
db_student_ids_not_under(db_conn *c, long long key_id, int limit, app_arena *a, long long **out_ids,
                         int *out_n, app_err *err)
{
    char k[24], lim[16];
    snprintf(k, sizeof(k), "%lld", key_id);
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *p[] = {k, lim};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_NOT_UNDER, 2, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out_ids = app_arena_alloc(a, sizeof(long long) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        (*out_ids)[i] = db_res_int(r, i, 0);
    *out_n = n;
    db_res_free(r);
    return 0;
}

/* ------------------------------------------------------------ bulk loading */

int
db_student_id_masks(db_conn *c, db_idmask_fn fn, void *ctx, app_err *err)
{
    static const char sql[] =
        "SELECT left(id_number_mask, 4), to_char(birth_date, 'YYYYMMDD'),"
        " string_agg(substr(id_number_mask, 15, 3), '') FROM student"
        " WHERE id_type = '1' AND length(id_number_mask) = 18 AND birth_date IS NOT NULL"
        " GROUP BY 1, 2";
    db_res *r = NULL;
    int rc = db_exec_once(c, sql, 0, NULL, &r, err);
    if (rc != 0)
        return rc;
    for (int i = 0, n = db_res_nrows(r); i < n; i++)
        fn(ctx, db_res_get(r, i, 0), db_res_get(r, i, 1), db_res_get(r, i, 2));
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_COUNT_IN = {"student_count_in",
                                     "SELECT count(*) FROM student WHERE school = ANY($1::text[])"};

int
db_student_count_in_schools(db_conn *c, const char *const *codes, int n, long long *out,
                            app_err *err)
{
    base_buf arr = {0};
    base_buf_printf(&arr, "{");
    for (int i = 0; i < n; i++)
        base_buf_printf(&arr, "%s\"%.10s\"", i ? "," : "", codes[i]);
    base_buf_printf(&arr, "}");
    const char *p[] = {(char *)arr.p};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_COUNT_IN, 1, p, &r, err);
    free(arr.p);
    if (rc != 0)
        return rc;
    *out = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_COUNT_NOT_UNDER = {"student_count_not_under",
                                            "SELECT count(*) FROM student WHERE key_id <> $1"};

int
db_student_count_not_under(db_conn *c, long long key_id, long long *out, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", key_id);
    const char *p[] = {k};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_COUNT_NOT_UNDER, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}
