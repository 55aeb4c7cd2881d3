/*
 * db/uniflow.c - a university student's place, majors, classes, terms,
 * suspensions and notices for the status changes (see db/uniflow.h;
 * tables of migrations 021 and 022).
 */
#include "db/uniflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLACE_COLS                                                                                 \
    "student_id, school, state, college::text, major::text, cohort, class_id,"                     \
    " sitting_in_major::text, coalesce(sitting_in_class, 0)"

static const db_stmt SQL_PLACE = {"uplace_get",
                                  "SELECT " PLACE_COLS " FROM uni_student WHERE student_id = $1"};
static const db_stmt SQL_PLACE_UPD = {
    "uplace_get_upd", "SELECT " PLACE_COLS " FROM uni_student WHERE student_id = $1 FOR UPDATE"};

int
db_uplace_get(db_conn *c, long long id, int lock, app_arena *a, db_uplace *out, int *out_found,
              app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", id);
    const char *p[] = {k};
    db_res *r = NULL;
    int rc = db_exec(c, lock ? &SQL_PLACE_UPD : &SQL_PLACE, 1, p, &r, err);
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof(*out));
    *out_found = db_res_nrows(r) > 0;
    if (*out_found) {
        out->student_id = db_res_int(r, 0, 0);
        out->school = app_arena_strdup(a, db_res_get(r, 0, 1));
        out->state = app_arena_strdup(a, db_res_get(r, 0, 2));
        out->college = app_arena_strdup(a, db_res_get(r, 0, 3));
        out->major = app_arena_strdup(a, db_res_get(r, 0, 4));
        out->cohort = (int)db_res_int(r, 0, 5);
        out->class_id = db_res_int(r, 0, 6);
        out->sit_major = db_res_isnull(r, 0, 7) ? NULL : app_arena_strdup(a, db_res_get(r, 0, 7));
        out->sit_class = db_res_int(r, 0, 8);
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_OF_USER = {"uplace_of_user",
                                    "SELECT coalesce(student_id, 0) FROM app_user WHERE id = $1"};

int
db_uplace_of_user(db_conn *c, long long user_id, long long *out_id, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", user_id);
    const char *p[] = {k};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_OF_USER, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_id = db_res_nrows(r) > 0 ? db_res_int(r, 0, 0) : 0;
    db_res_free(r);
    return 0;
}

/* student.state follows the university's state where the two coincide
   (migration 021): studying and sitting_in are enrolled. */
static const db_stmt SQL_SET = {
    "uplace_set",
    "WITH u AS (UPDATE uni_student SET state = $2, college = $3::bigint, major = $4::bigint,"
    " cohort = $5::int, class_id = $6::bigint, suspended_until = $7::date,"
    " sitting_in_major = $8::bigint, sitting_in_class = nullif($9, '0')::bigint,"
    " version = version + 1, updated_at = now() WHERE student_id = $1 RETURNING student_id)"
    " UPDATE student SET state = CASE WHEN $2 IN ('studying', 'sitting_in') THEN 'enrolled'"
    " ELSE $2 END, class_id = $6::bigint, version = version + 1, updated_at = now()"
    " WHERE id = (SELECT student_id FROM u)"};

int
db_uplace_set(db_conn *c, const db_uplace *p, const char *suspended_until, app_err *err)
{
    char id[24], cohort[16], cls[24], sit[24];
    snprintf(id, sizeof(id), "%lld", p->student_id);
    snprintf(cohort, sizeof(cohort), "%d", p->cohort);
    snprintf(cls, sizeof(cls), "%lld", p->class_id);
    snprintf(sit, sizeof(sit), "%lld", p->sit_class);
    const char *v[] = {id,  p->state,        p->college,   p->major, cohort,
                       cls, suspended_until, p->sit_major, sit};
    return db_exec(c, &SQL_SET, 9, v, NULL, err);
}

static const db_stmt SQL_MAJOR = {
    "umajor_college",
    "SELECT id::text, college::text FROM uni_major WHERE school = $1 AND code = $2"};

int
db_umajor_find(db_conn *c, const char *school, const char *code, app_arena *a, const char **out_id,
               const char **out_college, int *out_found, app_err *err)
{
    const char *p[] = {school, code};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_MAJOR, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    if (*out_found) {
        *out_id = app_arena_strdup(a, db_res_get(r, 0, 0));
        *out_college = app_arena_strdup(a, db_res_get(r, 0, 1));
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_CLASS = {
    "uclass_pick", "SELECT id FROM uni_class WHERE school = $1 AND major = $2::bigint AND"
                   " cohort = $3::int AND ($4::bigint = 0 OR id = $4::bigint)"
                   " ORDER BY number, id LIMIT 1 FOR SHARE"};

int
db_uclass_pick(db_conn *c, const char *school, const char *major, int cohort, long long class_id,
               long long *out, app_err *err)
{
    char co[16], cl[24];
    snprintf(co, sizeof(co), "%d", cohort);
    snprintf(cl, sizeof(cl), "%lld", class_id);
    const char *p[] = {school, major, co, cl};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CLASS, 4, p, &r, err);
    if (rc != 0)
        return rc;
    *out = db_res_nrows(r) > 0 ? db_res_int(r, 0, 0) : 0;
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_TERMS = {"uterm_starts",
                                  "SELECT to_char(first_day, 'YYYYMMDD')::int FROM uni_term"
                                  " WHERE school = $1 ORDER BY first_day"};

int
db_uterm_starts(db_conn *c, const char *school, int *out, int max, int *out_n, app_err *err)
{
    const char *p[] = {school};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_TERMS, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_n = 0;
    for (int i = 0; i < db_res_nrows(r) && *out_n < max; i++)
        out[(*out_n)++] = (int)db_res_int(r, i, 0);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_SUSPENSIONS = {
    "ususpensions",
    "SELECT to_char((payload->>'start_date')::date, 'YYYYMMDD')::int,"
    " to_char((payload->>'end_date')::date, 'YYYYMMDD')::int,"
    " coalesce(payload->>'reason_kind', 'personal') FROM request"
    " WHERE student_id = $1 AND type = 'uni_suspend' AND state = 'approved' ORDER BY id"};

int
db_ususpensions(db_conn *c, long long student_id, app_arena *a, db_ususpension *out, int max,
                int *out_n, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", student_id);
    const char *p[] = {k};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SUSPENSIONS, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_n = 0;
    for (int i = 0; i < db_res_nrows(r) && *out_n < max; i++) {
        db_ususpension *s = &out[(*out_n)++];
        s->start = (int)db_res_int(r, i, 0);
        s->end = (int)db_res_int(r, i, 1);
        s->reason_kind = app_arena_strdup(a, db_res_get(r, i, 2));
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_NOTICE = {
    "unotice_insert",
    "INSERT INTO uni_notice (kind, student_id, request_id, issued_on, from_cohort, to_cohort)"
    " VALUES ($1, $2::bigint, $3::bigint, $4::date, $5::int, $6::int) RETURNING id"};

int
db_unotice_insert(db_conn *c, const char *kind, long long student_id, long long request_id,
                  const char *issued_on, int from_cohort, int to_cohort, long long *out_id,
                  app_err *err)
{
    char s[24], q[24], f[16], t[16];
    snprintf(s, sizeof(s), "%lld", student_id);
    snprintf(q, sizeof(q), "%lld", request_id);
    snprintf(f, sizeof(f), "%d", from_cohort);
    snprintf(t, sizeof(t), "%d", to_cohort);
    const char *p[] = {kind, s, q, issued_on, f, t};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_NOTICE, 6, p, &r, err);
    if (rc != 0)
        return rc;
    *out_id = db_res_nrows(r) > 0 ? db_res_int(r, 0, 0) : 0;
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_NOTICE_REVOKE = {
    "unotice_revoke", "UPDATE uni_notice SET revoked = true WHERE request_id = $1::bigint"};

int
db_unotice_revoke(db_conn *c, long long request_id, app_err *err)
{
    char q[24];
    snprintf(q, sizeof(q), "%lld", request_id);
    const char *p[] = {q};
    return db_exec(c, &SQL_NOTICE_REVOKE, 1, p, NULL, err);
}

static const db_stmt SQL_NOTICE_OF = {
    "unotice_of", "SELECT to_char(issued_on, 'YYYY-MM-DD'), from_cohort, to_cohort FROM uni_notice"
                  " WHERE request_id = $1::bigint AND kind = $2 AND NOT revoked"
                  " ORDER BY id DESC LIMIT 1"};

int
db_unotice_of(db_conn *c, long long request_id, const char *kind, app_arena *a, db_unotice *out,
              int *out_found, app_err *err)
{
    char q[24];
    snprintf(q, sizeof(q), "%lld", request_id);
    const char *p[] = {q, kind};
    db_res *r = NULL;
    *out_found = 0;
    int rc = db_exec(c, &SQL_NOTICE_OF, 2, p, &r, err);
    if (rc != 0)
        return rc;
    if (db_res_nrows(r) > 0) {
        out->issued_on = app_arena_strdup(a, db_res_get(r, 0, 0));
        out->from_cohort = (int)db_res_int(r, 0, 1);
        out->to_cohort = (int)db_res_int(r, 0, 2);
        *out_found = 1;
    }
    db_res_free(r);
    return 0;
}
