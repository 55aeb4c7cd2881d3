/*
 * db/student.c - student records and what hangs off them (see db/student.h).
 */
#include "db/student.h"

#include "db/bulk.h"
#include "db/request.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TS(col) " to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Fixed columns read before the catalog columns (keep in step with fill()). */
#define FIXED_COLS                                                                             \
    "s.id, s.province, s.school, s.class_id, s.state, s.stuno_kind, s.stuno_text,"             \
    " s.stuno_enc, s.stuno_bidx, s.id_bidx, s.key_id, s.verification, s.version,"              \
    TS("s.created_at") "," TS("s.updated_at")                                                  \
    ", EXISTS (SELECT 1 FROM student_photo p WHERE p.student_id = s.id)"                      \
    ", sc.county, sc.authority, sc.name, sc.closed"
#define NFIXED 20
/* Ordinary (masked) reads leave the ciphertexts and blind indexes out: they
   are half of a row's bytes and only reveals and writes need them. */
#define FIXED_COLS_LIGHT                                                                       \
    "s.id, s.province, s.school, s.class_id, s.state, s.stuno_kind, s.stuno_text,"             \
    " NULL::bytea, NULL::bytea, NULL::bytea, s.key_id, s.verification, s.version,"             \
    TS("s.created_at") "," TS("s.updated_at")                                                  \
    ", EXISTS (SELECT 1 FROM student_photo p WHERE p.student_id = s.id)"                      \
    ", sc.county, sc.authority, sc.name, sc.closed"
/* Every read joins the student's school: jurisdiction needs its authority. */
#define FROM_STUDENT " FROM student s JOIN school sc ON sc.code = s.school"

static const char *const *cols;
static int ncols;
static char *sel_cols;   /* "s.c1, s.c2, ..." */
static char *sel_light;  /* the same with NULL for every *_enc column */
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

/* A growing string (setup only). */
typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void
sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_add(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (b->n + (size_t)need + 1 > b->cap) {
        b->cap = (b->n + (size_t)need + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)need;
}

static char *
with_suffix(const char *a, const char *b)
{
    sbuf x = {0};
    sb_add(&x, "%s%s", a, b);
    return x.p;
}

int
db_student_setup(const char *const *c, int n)
{
    for (int i = 0; i < n; i++)
        if (!plain_name(c[i]))
            return APP_EINVAL;
    cols = c;
    ncols = n;

    sbuf sel = {0};
    for (int i = 0; i < n; i++)
        sb_add(&sel, "%ss.%s", i ? ", " : "", c[i]);
    sel_cols = sel.p;
    sbuf light = {0};
    for (int i = 0; i < n; i++) {
        size_t l = strlen(c[i]);
        if (l > 4 && strcmp(c[i] + l - 4, "_enc") == 0)
            sb_add(&light, "%sNULL::bytea", i ? ", " : "");
        else
            sb_add(&light, "%ss.%s", i ? ", " : "", c[i]);
    }
    sel_light = light.p;

    sbuf ins = {0};
    sb_add(&ins, "INSERT INTO student (province, school, class_id, state, stuno_kind,"
                 " stuno_text, stuno_enc, stuno_bidx, id_bidx, key_id, verification");
    for (int i = 0; i < n; i++)
        sb_add(&ins, ", %s", c[i]);
    sb_add(&ins, ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11");
    for (int i = 0; i < n; i++)
        sb_add(&ins, ", $%d", 12 + i);
    sb_add(&ins, ") RETURNING id, version," TS("created_at") "," TS("updated_at"));
    st_insert = (db_stmt){"student_insert", ins.p};

    sbuf get = {0};
    sb_add(&get, "SELECT " FIXED_COLS ", %s" FROM_STUDENT " WHERE s.id = $1", sel_cols);
    st_get = (db_stmt){"student_get", get.p};
    st_get_upd = (db_stmt){"student_get_upd", with_suffix(get.p, " FOR UPDATE OF s")};
    sbuf gs = {0};
    sb_add(&gs, "SELECT " FIXED_COLS ", %s" FROM_STUDENT " WHERE s.stuno_bidx = $1", sel_cols);
    st_get_stuno = (db_stmt){"student_get_stuno", gs.p};
    st_get_stuno_upd = (db_stmt){"student_get_stuno_upd", with_suffix(gs.p, " FOR UPDATE OF s")};
    sbuf gl = {0};
    sb_add(&gl, "SELECT " FIXED_COLS_LIGHT ", %s" FROM_STUDENT " WHERE s.id = $1", sel_light);
    st_get_light = (db_stmt){"student_get_light", gl.p};
    sbuf gsl = {0};
    sb_add(&gsl, "SELECT " FIXED_COLS_LIGHT ", %s" FROM_STUDENT " WHERE s.stuno_bidx = $1",
           sel_light);
    st_get_stuno_light = (db_stmt){"student_get_stuno_light", gsl.p};

    sbuf up = {0};
    sb_add(&up, "UPDATE student SET class_id = $3, state = $4, stuno_kind = $5,"
                " stuno_text = $6, stuno_enc = $7, stuno_bidx = $8, id_bidx = $9, key_id = $10,"
                " verification = $11, school = $12, version = version + 1, updated_at = now()");
    for (int i = 0; i < n; i++)
        sb_add(&up, ", %s = $%d", c[i], 13 + i);
    sb_add(&up, " WHERE id = $1 AND version = $2 RETURNING version," TS("updated_at"));
    st_update = (db_stmt){"student_update", up.p};
    db_bulk_setup(c, n);
    return 0;
}

const char *const *
db_student_columns(int *out_n)
{
    *out_n = ncols;
    return cols;
}

static char *
dup_or_null(app_arena *a, const db_res *r, int row, int col)
{
    return db_res_isnull(r, row, col) ? NULL : app_arena_strdup(a, db_res_get(r, row, col));
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
    s->stuno_enc = dup_or_null(a, r, row, 7);
    s->stuno_bidx = dup_or_null(a, r, row, 8);
    s->id_bidx = dup_or_null(a, r, row, 9);
    s->key_id = db_res_int(r, row, 10);
    s->verification = dup_or_null(a, r, row, 11);
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
        s->vals[i] = dup_or_null(a, r, row, NFIXED + i);
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
db_student_get_by_stuno(db_conn *c, const char *bidx, int for_update, app_arena *a,
                        db_student *out, int *out_found, app_err *err)
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
        return app_err_set(err, APP_EPRECOND, "precondition_failed", "student %lld: stale",
                           s->id);
    }
    s->version = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_TOUCH = {
    "student_touch", "UPDATE student SET version = version + 1, updated_at = now()"
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

static const db_stmt SQL_LOCK_ID = {"student_lock_identity",
                                    "SELECT pg_advisory_xact_lock(hashtextextended($1, 7263))"};

int
db_student_lock_identity(db_conn *c, const char *bidx_hex, app_err *err)
{
    const char *p[] = {bidx_hex};
    return db_exec(c, &SQL_LOCK_ID, 1, p, NULL, err);
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
                       long long exclude, long long *out_id, char out_school[11],
                       int *out_found, app_err *err)
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

static const db_stmt SQL_SIMILAR = {
    "student_similar",
    "SELECT id, school FROM student WHERE province = $1 AND name = $2 AND birth_date = $4"
    " AND gender IS NOT DISTINCT FROM $3 AND state IN ('pending', 'enrolled', 'suspended')"
    " AND id <> $5 ORDER BY id LIMIT 10"};

int
db_student_find_similar(db_conn *c, const char *province, const char *name, const char *gender,
                        const char *birth_date, long long exclude, app_arena *a,
                        long long **out_ids, char (**out_schools)[11], int *out_n,
                        app_err *err)
{
    char ex[24];
    snprintf(ex, sizeof(ex), "%lld", exclude);
    const char *p[] = {province, name, gender, birth_date, ex};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SIMILAR, 5, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out_ids = app_arena_alloc(a, sizeof(long long) * (size_t)(n ? n : 1));
    *out_schools = app_arena_alloc(a, 11 * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        (*out_ids)[i] = db_res_int(r, i, 0);
        snprintf((*out_schools)[i], 11, "%s", db_res_get(r, i, 1));
    }
    *out_n = n;
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

static const db_stmt SQL_CLASS_COUNT = {
    "class_count", "SELECT count(*) FROM student WHERE class_id = $1"
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
student_where(sbuf *q, const db_student_filter *f, where_params *w)
{
    snprintf(w->after, sizeof(w->after), "%lld", f->after_id);
    w->p[w->np++] = w->after;
    sb_add(q, " WHERE s.id > $%d", w->np);
    if (f->authority_like) {
        w->p[w->np++] = f->authority_like;
        sb_add(q, " AND sc.authority LIKE $%d", w->np);
    }
    if (f->school) {
        w->p[w->np++] = f->school;
        sb_add(q, " AND s.school = $%d", w->np);
    }
    if (f->grade) {
        snprintf(w->gbuf, sizeof(w->gbuf), "%d", f->grade);
        w->p[w->np++] = w->gbuf;
        sb_add(q, " AND s.grade = $%d", w->np);
    }
    if (f->class_no) {
        snprintf(w->cbuf, sizeof(w->cbuf), "%d", f->class_no);
        w->p[w->np++] = w->cbuf;
        sb_add(q, " AND s.class_no = $%d", w->np);
    }
    if (f->state) {
        w->p[w->np++] = f->state;
        sb_add(q, " AND s.state = $%d", w->np);
    }
    if (f->name_prefix) {
        w->p[w->np++] = f->name_prefix;
        sb_add(q, " AND starts_with(s.name, $%d)", w->np);
    }
    if (f->left_behind) {
        w->p[w->np++] = f->left_behind;
        sb_add(q, " AND s.left_behind = $%d", w->np);
    }
    if (f->migrant_child) {
        w->p[w->np++] = f->migrant_child;
        sb_add(q, " AND s.migrant_child = $%d", w->np);
    }
    if (f->class_ids) {
        sbuf b = {0};
        sb_add(&b, "{");
        for (int i = 0; i < f->nclass_ids; i++)
            sb_add(&b, "%s%lld", i ? "," : "", f->class_ids[i]);
        sb_add(&b, "}");
        w->ids = b.p;
        w->p[w->np++] = w->ids;
        sb_add(q, " AND s.class_id = ANY($%d::bigint[])", w->np);
    }
}

int
db_student_list(db_conn *c, const db_student_filter *f, app_arena *a, db_student **out,
                int *out_n, app_err *err)
{
    where_params w = {0};
    char lim[16];
    sbuf q = {0};
    if (f->full)
        sb_add(&q, "SELECT " FIXED_COLS ", %s" FROM_STUDENT, sel_cols);
    else
        sb_add(&q, "SELECT " FIXED_COLS_LIGHT ", %s" FROM_STUDENT, sel_light);
    student_where(&q, f, &w);
    snprintf(lim, sizeof(lim), "%d", f->limit);
    w.p[w.np++] = lim;
    sb_add(&q, " ORDER BY s.id LIMIT $%d", w.np);

    db_res *r = NULL;
    int rc = db_exec_once(c, q.p, w.np, w.p, &r, err);
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
    sbuf q = {0};
    sb_add(&q, "SELECT count(*)" FROM_STUDENT);
    student_where(&q, f, &w);
    db_res *r = NULL;
    int rc = db_exec_once(c, q.p, w.np, w.p, &r, err);
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
db_stuno_j_next(db_conn *c, const char *county, const char *birth_date, int *out_seq,
                app_err *err)
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

static const db_stmt SQL_STUNO_TAKEN = {"stuno_taken",
                                        "SELECT 1 FROM student WHERE stuno_bidx = $1"};

int
db_stuno_taken(db_conn *c, const char *bidx_hex, int *out_taken, app_err *err)
{
    const char *p[] = {bidx_hex};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_STUNO_TAKEN, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_taken = db_res_nrows(r) > 0;
    db_res_free(r);
    return 0;
}

/* ------------------------------------------------------------ history */

static const db_stmt SQL_HISTORY_INSERT = {
    "history_insert",
    "INSERT INTO student_history (student_id, kind, actor_id, actor_org, school, request_id,"
    " changes) VALUES ($1, $2, nullif($3, '0')::bigint, $4, $5, nullif($6, '0')::bigint,"
    " coalesce($7, '[]')::jsonb)"};

int
db_history_insert(db_conn *c, const db_history *h, app_err *err)
{
    char sid[24], actor[24], req[24];
    snprintf(sid, sizeof(sid), "%lld", h->student_id);
    snprintf(actor, sizeof(actor), "%lld", h->actor_id);
    snprintf(req, sizeof(req), "%lld", h->request_id);
    const char *p[] = {sid, h->kind, actor, h->actor_org, h->school, req, h->changes_json};
    return db_exec(c, &SQL_HISTORY_INSERT, 7, p, NULL, err);
}

static const db_stmt SQL_HISTORY_LIST = {
    "history_list",
    "SELECT id, student_id, coalesce(actor_id, 0), coalesce(request_id, 0)," TS("at")
    ", kind, coalesce(actor_org, ''), coalesce(school, ''), changes::text"
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
    }
    *out_n = n;
    db_res_free(r);
    return 0;
}

/* ------------------------------------------------------------ requests */

static const db_stmt SQL_REQUEST_INSERT = {
    "request_insert",
    "INSERT INTO request (type, state, student_id, school, province, payload, comment,"
    " current_step, started_by, started_org, other_school, evidence, problem_id) VALUES ($1, $2,"
    " nullif($3, '0')::bigint, $4, $5, coalesce($6, '{}')::jsonb, $7, nullif($8, '0')::int,"
    " nullif($9, '0')::bigint, $10, $11, coalesce($12, '{}')::bigint[], nullif($13, '0')::bigint)"
    " RETURNING id, version," TS("created_at") "," TS("updated_at")};
static const db_stmt SQL_STEP_INSERT = {
    "step_insert",
    "INSERT INTO request_step (request_id, number, level, org, state, due_at, escalate_to)"
    " VALUES ($1, $2, $3, $4, $5, $6::timestamptz, $7)"};

int
db_request_insert(db_conn *c, db_request *q, app_err *err)
{
    char sid[24], step[16], by[24], pid[24];
    snprintf(sid, sizeof(sid), "%lld", q->student_id);
    snprintf(step, sizeof(step), "%d", q->current_step);
    snprintf(by, sizeof(by), "%lld", q->started_by);
    snprintf(pid, sizeof(pid), "%lld", q->problem_id);
    const char *p[] = {q->type,    q->state, sid, q->school,       q->province,  q->payload_json,
                       q->comment, step,     by,  q->started_org, q->other_school,
                       q->evidence, pid};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_REQUEST_INSERT, 13, p, &r, err);
    if (rc != 0)
        return rc;
    q->id = db_res_int(r, 0, 0);
    q->version = (int)db_res_int(r, 0, 1);
    db_res_free(r);
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", q->id);
    for (int i = 0; i < q->nsteps; i++) {
        char num[16];
        snprintf(num, sizeof(num), "%d", q->steps[i].number);
        const char *sp[] = {rid,
                            num,
                            q->steps[i].level,
                            q->steps[i].org,
                            q->steps[i].state,
                            q->steps[i].due_at,
                            q->steps[i].escalate_to};
        if ((rc = db_exec(c, &SQL_STEP_INSERT, 7, sp, NULL, err)) != 0)
            return rc;
    }
    return 0;
}

#define REQUEST_COLS                                                                           \
    "id, coalesce(student_id, 0), coalesce(started_by, 0), type, state, school, province,"     \
    " payload::text, comment, started_org," TS("created_at") "," TS("updated_at")              \
    ", coalesce(current_step, 0), version, other_school, applied::text, coalesce(problem_id, 0)"

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
    "SELECT request_id, number, level, org, state, coalesce(" TS("due_at") ", ''), coalesce("
    TS("decided_at") ", ''), comment, coalesce(decided_by, 0), forced, escalate_to"
    " FROM request_step WHERE request_id = ANY($1::bigint[]) ORDER BY request_id, number"};

static const db_stmt SQL_ACTIONS = {
    "request_actions",
    "SELECT request_id, coalesce(step, 0), action, coalesce(actor_org, ''), " TS("at")
    ", comment, coalesce(actor_id, 0) FROM request_action WHERE request_id = ANY($1::bigint[])"
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
    q->comment = dup_or_null(a, r, row, 8);
    q->started_org = app_arena_strdup(a, db_res_get(r, row, 9));
    q->created_at = app_arena_strdup(a, db_res_get(r, row, 10));
    q->updated_at = app_arena_strdup(a, db_res_get(r, row, 11));
    q->current_step = (int)db_res_int(r, row, 12);
    q->version = (int)db_res_int(r, row, 13);
    q->other_school = dup_or_null(a, r, row, 14);
    q->applied_json = dup_or_null(a, r, row, 15);
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
    int *owner = db_rows_by_request(s, q, n, a, counts);
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
        st->comment = dup_or_null(a, s, k, 7);
        st->decided_by = db_res_int(s, k, 8);
        st->forced = db_res_get(s, k, 9)[0] == 't';
        st->escalate_to = dup_or_null(a, s, k, 10);
    }
    db_res_free(s);
    if ((rc = db_exec(c, &SQL_ACTIONS, 1, p, &s, err)) != 0)
        return rc;
    owner = db_rows_by_request(s, q, n, a, counts);
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
        y->comment = dup_or_null(a, s, k, 5);
        y->actor_id = db_res_int(s, k, 6);
    }
    db_res_free(s);
    return db_members_of(c, p[0], q, n, a, err);
}

/* Requests from the rows of `r`, with their details. */
static int
requests_from(db_conn *c, const db_res *r, app_arena *a, db_request **out, int *out_n,
              app_err *err)
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
    "UPDATE request_step SET state = CASE WHEN number = 1 THEN 'waiting' ELSE 'pending' END,"
    " due_at = CASE WHEN number = 1 THEN $2::timestamptz END, decided_by = NULL,"
    " decided_at = NULL, comment = NULL, forced = false WHERE request_id = $1"};

int
db_request_steps_reset(db_conn *c, long long id, const char *due_at, app_err *err)
{
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", id);
    const char *p[] = {rid, due_at};
    return db_exec(c, &SQL_STEPS_RESET, 2, p, NULL, err);
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

int
db_request_open_count(db_conn *c, long long student_id, int *out_n, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", student_id);
    const char *p[] = {k};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_OPEN_COUNT, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_n = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

/* Built per call from the filters present, like the student list. */
int
db_request_list(db_conn *c, const db_request_filter *f, app_arena *a, db_request **out,
                int *out_n, app_err *err)
{
    const char *p[10];
    int np = 0;
    char after[24], lim[16];
    sbuf q = {0};
    sb_add(&q, "SELECT " REQUEST_COLS " FROM request r WHERE");
    snprintf(after, sizeof(after), "%lld", f->after_id);
    p[np++] = after;
    sb_add(&q, " r.id > $%d", np);
    if (f->todo_org) {
        p[np++] = f->todo_org;
        sb_add(&q, " AND r.state = 'open' AND EXISTS (SELECT 1 FROM request_step t"
                   " WHERE t.request_id = r.id AND t.number = r.current_step AND t.state = 'waiting'"
                   " AND (t.org = $%d OR (t.escalate_to = $%d AND t.due_at < now())))",
               np, np);
    }
    if (f->started_org) {
        p[np++] = f->started_org;
        sb_add(&q, " AND r.started_org = $%d", np);
    }
    if (f->school_like) {
        p[np++] = f->school_like;
        sb_add(&q, " AND (r.school = $%d OR r.other_school = $%d)", np, np);
    }
    if (f->authority_like) {
        p[np++] = f->authority_like;
        sb_add(&q, " AND EXISTS (SELECT 1 FROM school s WHERE s.code IN (r.school, r.other_school)"
                   " AND s.authority LIKE $%d)",
               np);
    }
    if (f->state) {
        p[np++] = f->state;
        sb_add(&q, " AND r.state = $%d", np);
    }
    if (f->type) {
        p[np++] = f->type;
        sb_add(&q, " AND r.type = $%d", np);
    }
    snprintf(lim, sizeof(lim), "%d", f->limit);
    p[np++] = lim;
    sb_add(&q, " ORDER BY r.id LIMIT $%d", np);
    db_res *r = NULL;
    int rc = db_exec_once(c, q.p, np, p, &r, err);
    free(q.p);
    if (rc != 0)
        return rc;
    rc = requests_from(c, r, a, out, out_n, err);
    db_res_free(r);
    return rc;
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

static const db_stmt SQL_ACTION_INSERT = {
    "action_insert",
    "INSERT INTO request_action (request_id, step, action, actor_id, actor_org, comment)"
    " VALUES ($1, nullif($2, '0')::int, $3, nullif($4, '0')::bigint, $5, $6)"};

int
db_request_action_insert(db_conn *c, long long request_id, int step, const char *action,
                         long long actor_id, const char *actor_org, const char *comment,
                         app_err *err)
{
    char rid[24], st[16], who[24];
    snprintf(rid, sizeof(rid), "%lld", request_id);
    snprintf(st, sizeof(st), "%d", step);
    snprintf(who, sizeof(who), "%lld", actor_id);
    const char *p[] = {rid, st, action, who, actor_org, comment};
    return db_exec(c, &SQL_ACTION_INSERT, 6, p, NULL, err);
}

/* ------------------------------------------------------------ evidence files */

/* The file as stored (sealed by the caller, binary: no hex); hash and size
   are the plaintext's. */
#define SQL_FILE_INSERT                                                                        \
    "INSERT INTO file (org, mime, size, sha256, data, data_key, created_by) VALUES ($1, $2,"  \
    " $3, $4, $5::bytea, $6::bigint, nullif($7, '0')::bigint) RETURNING id"

int
db_file_insert(db_conn *c, const db_file *f, const unsigned char *data, size_t len,
               long long *out_id, app_err *err)
{
    char size[24], who[24], key[24];
    snprintf(size, sizeof(size), "%zu", f->size);
    snprintf(who, sizeof(who), "%lld", f->created_by);
    snprintf(key, sizeof(key), "%lld", f->data_key);
    const char *p[] = {f->org, f->mime, size, f->sha256, (const char *)data, key, who};
    int lens[] = {0, 0, 0, 0, (int)len, 0, 0};
    int fmts[] = {0, 0, 0, 0, 1, 0, 0};
    db_res *r = NULL;
    int rc = db_exec_raw(c, SQL_FILE_INSERT, 7, p, lens, fmts, 0, &r, err);
    if (rc != 0)
        return rc;
    *out_id = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_FILES_OWNED = {
    "files_owned", "SELECT count(*) FROM file WHERE id = ANY($1::bigint[]) AND org = $2"};

int
db_files_owned(db_conn *c, const long long *ids, int n, const char *org, int *out_count,
               app_err *err)
{
    sbuf b = {0};
    sb_add(&b, "{");
    for (int i = 0; i < n; i++)
        sb_add(&b, "%s%lld", i ? "," : "", ids[i]);
    sb_add(&b, "}");
    const char *p[] = {b.p, org};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_FILES_OWNED, 2, p, &r, err);
    free(b.p);
    if (rc != 0)
        return rc;
    *out_count = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

/* ------------------------------------------------------------ change feed */

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

static const db_stmt SQL_EVENT_LIST = {
    "event_list",
    "SELECT id, coalesce(student_id, 0), coalesce(request_id, 0)," TS("at")
    ", type, coalesce(school, ''), coalesce(authority, ''), coalesce(province, ''), data::text"
    " FROM events WHERE id > $1 AND ($2::text IS NULL OR school = $2)"
    " AND ($3::text IS NULL OR authority LIKE $3) ORDER BY id LIMIT $4"};

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

/* ------------------------------------------------------------ photos, check-ins */

/* The photo as stored (sealed by the caller under key $6), binary. */
#define SQL_PHOTO_PUT                                                                          \
    "INSERT INTO student_photo (student_id, mime, width, height, data, data_key)"             \
    " VALUES ($1, $2, $3, $4, $5::bytea, $6::bigint) ON CONFLICT (student_id) DO UPDATE SET"  \
    " mime = $2, width = $3, height = $4, data = $5::bytea, data_key = $6::bigint,"           \
    " version = student_photo.version + 1, updated_at = now()"

int
db_photo_put(db_conn *c, long long student_id, const char *mime, int width, int height,
             const unsigned char *data, size_t len, long long key_id, app_err *err)
{
    char sid[24], w[16], h[16], key[24];
    snprintf(sid, sizeof(sid), "%lld", student_id);
    snprintf(w, sizeof(w), "%d", width);
    snprintf(h, sizeof(h), "%d", height);
    snprintf(key, sizeof(key), "%lld", key_id);
    const char *p[] = {sid, mime, w, h, (const char *)data, key};
    int lens[] = {0, 0, 0, 0, (int)len, 0};
    int fmts[] = {0, 0, 0, 0, 1, 0};
    return db_exec_raw(c, SQL_PHOTO_PUT, 6, p, lens, fmts, 0, NULL, err);
}

static const db_stmt SQL_PHOTO_GET = {
    "photo_get", "SELECT mime, " TS("updated_at") " FROM student_photo WHERE student_id = $1"};

int
db_photo_get(db_conn *c, long long student_id, app_arena *a, const char **out_mime,
             const char **out_updated_at, int *out_found, app_err *err)
{
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", student_id);
    const char *p[] = {sid};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_PHOTO_GET, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    if (*out_found) {
        *out_mime = app_arena_strdup(a, db_res_get(r, 0, 0));
        *out_updated_at = app_arena_strdup(a, db_res_get(r, 0, 1));
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_CHECKIN = {
    "checkin_insert", "INSERT INTO checkin (student_id, term, school, by_user)"
                      " VALUES ($1, $2, $3, nullif($4, '0')::bigint)"
                      " ON CONFLICT (student_id, term) DO NOTHING"};

int
db_checkin_insert(db_conn *c, long long student_id, const char *term, const char *school,
                  long long by, int *out_new, app_err *err)
{
    char sid[24], who[24];
    snprintf(sid, sizeof(sid), "%lld", student_id);
    snprintf(who, sizeof(who), "%lld", by);
    const char *p[] = {sid, term, school, who};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CHECKIN, 4, p, &r, err);
    if (rc != 0)
        return rc;
    *out_new = db_res_affected(r) > 0;
    db_res_free(r);
    return 0;
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
db_student_ids_not_under(db_conn *c, long long key_id, int limit, app_arena *a,
                         long long **out_ids, int *out_n, app_err *err)
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

static const db_stmt SQL_COUNT_IN = {
    "student_count_in", "SELECT count(*) FROM student WHERE school = ANY($1::text[])"};

int
db_student_count_in_schools(db_conn *c, const char *const *codes, int n, long long *out,
                            app_err *err)
{
    sbuf arr = {0};
    sb_add(&arr, "{");
    for (int i = 0; i < n; i++)
        sb_add(&arr, "%s\"%.10s\"", i ? "," : "", codes[i]);
    sb_add(&arr, "}");
    const char *p[] = {arr.p};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_COUNT_IN, 1, p, &r, err);
    free(arr.p);
    if (rc != 0)
        return rc;
    *out = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_COUNT_NOT_UNDER = {
    "student_count_not_under", "SELECT count(*) FROM student WHERE key_id <> $1"};

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
