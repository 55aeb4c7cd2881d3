/*
 * db/confirmation.c - parent confirmations (see db/confirmation.h).
 */
#include "db/confirmation.h"

#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>

static const db_stmt SQL_CONFIRMATION_INSERT = {
    "confirmation_insert",
    "INSERT INTO student_confirmation (student_id, school, term, signed_on, evidence, by_user)"
    " VALUES ($1, $2, $3, $4::date, $5::bigint[], nullif($6, '0')::bigint)"
    " ON CONFLICT (student_id, term) DO NOTHING"
    " RETURNING id, " DB__TS("created_at")};

int
db_confirmation_insert(db_conn *conn, db_confirmation *c, app_arena *a, int *out_new, app_err *err)
{
    char sid[24], who[24];
    snprintf(sid, sizeof(sid), "%lld", c->student_id);
    snprintf(who, sizeof(who), "%lld", c->by_user);
    const char *p[] = {sid, c->school, c->term, c->signed_on, c->evidence ? c->evidence : "{}",
                       who};
    db_res *r = NULL;
    int rc = db_exec(conn, &SQL_CONFIRMATION_INSERT, 6, p, &r, err);
    if (rc != 0)
        return rc;
    *out_new = db_res_nrows(r) > 0;
    if (*out_new) {
        c->id = db_res_int(r, 0, 0);
        c->created_at = app_arena_strdup(a, db_res_get(r, 0, 1));
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_CONFIRMATION_COUNTS = {
    "confirmation_counts",
    "SELECT s.grade, s.class_no, count(*), count(c.id)"
    " FROM student s LEFT JOIN student_confirmation c ON c.student_id = s.id AND c.term = $2"
    " WHERE s.school = $1 AND s.state = 'enrolled'"
    " GROUP BY s.grade, s.class_no ORDER BY s.grade, s.class_no"};

int
db_confirmation_counts(db_conn *conn, const char *school, const char *term, app_arena *a,
                       db_confirmation_count **out, int *out_n, app_err *err)
{
    const char *p[] = {school, term};
    db_res *r = NULL;
    *out = NULL;
    *out_n = 0;
    int rc = db_exec(conn, &SQL_CONFIRMATION_COUNTS, 2, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(**out) * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        (*out)[i].grade = (int)db_res_int(r, i, 0);
        (*out)[i].class_no = (int)db_res_int(r, i, 1);
        (*out)[i].students = db_res_int(r, i, 2);
        (*out)[i].confirmed = db_res_int(r, i, 3);
    }
    *out_n = n;
    db_res_free(r);
    return 0;
}
