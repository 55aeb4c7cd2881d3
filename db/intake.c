/*
 * db/intake.c - the graduate pool and intake claims (see db/intake.h).
 */
#include "db/intake.h"

#include <stdio.h>
#include <string.h>

#define POOL_COLS                                                                                  \
    "SELECT s.id, s.name, coalesce(s.gender, ''), coalesce(s.birth_date::text, ''),"               \
    " coalesce(s.id_number_mask, ''), s.stuno_kind, s.stuno_text, s.school, sc.name, s.grade"      \
    " FROM student s JOIN school sc ON sc.code = s.school"

/* $1 province or NULL; the limit is one more than answered, to tell there are more */
static const db_stmt SQL_BY_DOCUMENT = {
    "pool_by_document", POOL_COLS " WHERE s.id_bidx = $3::bytea AND s.state = 'graduated'"
                                  " AND s.id_type = $2 AND ($1::text IS NULL OR s.province = $1)"
                                  " ORDER BY s.id LIMIT 21"};

static const db_stmt SQL_BY_NAME = {
    "pool_by_name",
    POOL_COLS " WHERE s.state = 'graduated' AND s.name = $2 AND s.birth_date = $3::date"
              " AND ($1::text IS NULL OR s.province = $1) ORDER BY s.id LIMIT 21"};

static void
hits_fill(const db_res *r, app_arena *a, db_pool_hit **out, int *out_n)
{
    int n = db_res_nrows(r);
    *out_n = n;
    *out = app_arena_alloc(a, sizeof(db_pool_hit) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        db_pool_hit *h = &(*out)[i];
        h->id = db_res_int(r, i, 0);
        h->name = app_arena_strdup(a, db_res_get(r, i, 1));
        h->gender = app_arena_strdup(a, db_res_get(r, i, 2));
        h->birth_date = app_arena_strdup(a, db_res_get(r, i, 3));
        h->id_number_mask = app_arena_strdup(a, db_res_get(r, i, 4));
        h->stuno_kind = db_res_get(r, i, 5)[0];
        h->stuno_text = app_arena_strdup(a, db_res_get(r, i, 6));
        h->school = app_arena_strdup(a, db_res_get(r, i, 7));
        h->school_name = app_arena_strdup(a, db_res_get(r, i, 8));
        h->grade = (int)db_res_int(r, i, 9);
    }
}

static int
pool_query(db_conn *c, const db_stmt *st, const char *const p[3], app_arena *a, db_pool_hit **out,
           int *out_n, app_err *err)
{
    db_res *r = NULL;
    int rc = db_exec(c, st, 3, p, &r, err);
    if (rc != 0)
        return rc;
    hits_fill(r, a, out, out_n);
    db_res_free(r);
    return 0;
}

int
db_pool_by_document(db_conn *c, const char *province, const char *id_type, const char *bidx_hex,
                    app_arena *a, db_pool_hit **out, int *out_n, app_err *err)
{
    const char *p[] = {province, id_type, bidx_hex};
    return pool_query(c, &SQL_BY_DOCUMENT, p, a, out, out_n, err);
}

int
db_pool_by_name(db_conn *c, const char *province, const char *name, const char *birth_date,
                app_arena *a, db_pool_hit **out, int *out_n, app_err *err)
{
    const char *p[] = {province, name, birth_date};
    return pool_query(c, &SQL_BY_NAME, p, a, out, out_n, err);
}

static const db_stmt SQL_CLAIM_LOCK = {
    "intake_claim_lock", "SELECT s.id FROM request r JOIN student s ON s.id = r.student_id"
                         " WHERE r.id = $1 AND r.type = 'intake_claim' FOR UPDATE OF s"};

int
db_intake_claim_lock(db_conn *c, long long request_id, long long *out_student, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", request_id);
    const char *p[] = {k};
    db_res *r = NULL;
    *out_student = 0;
    int rc = db_exec(c, &SQL_CLAIM_LOCK, 1, p, &r, err);
    if (rc != 0)
        return rc;
    if (db_res_nrows(r) > 0)
        *out_student = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_ENROL = {
    "intake_enrol",
    "UPDATE student s SET state = 'enrolled', school = $2, class_id = $3, grade = $4,"
    " class_no = $5, enrolled_month = $6, province = (SELECT province FROM school WHERE code = $2),"
    " version = s.version + 1, updated_at = now()"
    " FROM (SELECT enrolled_month FROM student WHERE id = $1) old"
    " WHERE s.id = $1 AND s.state = 'graduated' RETURNING coalesce(old.enrolled_month, '')"};

int
db_intake_enrol(db_conn *c, long long student, const char *school, long long class_id, int grade,
                int class_no, const char *enrolled_month, app_arena *a, const char **out_old_month,
                int *out_found, app_err *err)
{
    char k[24], cid[24], g[16], n[16];
    snprintf(k, sizeof(k), "%lld", student);
    snprintf(cid, sizeof(cid), "%lld", class_id);
    snprintf(g, sizeof(g), "%d", grade);
    snprintf(n, sizeof(n), "%d", class_no);
    const char *p[] = {k, school, cid, g, n, enrolled_month};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_ENROL, 6, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    *out_old_month = *out_found ? app_arena_strdup(a, db_res_get(r, 0, 0)) : "";
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_RESTORE_MONTH = {
    "intake_restore_month",
    "UPDATE student SET enrolled_month = nullif($2, ''), updated_at = now() WHERE id = $1"};

int
db_intake_restore_month(db_conn *c, long long student, const char *month, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", student);
    const char *p[] = {k, month};
    return db_exec(c, &SQL_RESTORE_MONTH, 2, p, NULL, err);
}

static const db_stmt SQL_SUPERSEDE = {
    "intake_supersede", "WITH s AS (UPDATE request SET state = 'superseded', current_step = NULL,"
                        " version = version + 1, updated_at = now()"
                        " WHERE type = 'intake_claim' AND student_id = $1 AND id <> $2"
                        " AND state IN ('open', 'returned') RETURNING id, school)"
                        " SELECT id, school FROM s ORDER BY id"};

int
db_intake_supersede(db_conn *c, long long student, long long except, app_arena *a,
                    db_superseded **out, int *out_n, app_err *err)
{
    char k[24], x[24];
    snprintf(k, sizeof(k), "%lld", student);
    snprintf(x, sizeof(x), "%lld", except);
    const char *p[] = {k, x};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SUPERSEDE, 2, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out_n = n;
    *out = app_arena_alloc(a, sizeof(db_superseded) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        (*out)[i].id = db_res_int(r, i, 0);
        (*out)[i].school = app_arena_strdup(a, db_res_get(r, i, 1));
    }
    db_res_free(r);
    return 0;
}
