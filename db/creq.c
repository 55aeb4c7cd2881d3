/*
 * db/creq.c - notices, courses, plans, scores, exemptions, sections and
 * selections for the course requests (see db/creq.h; migrations 022, 024).
 */
#include "db/creq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
num(char *buf, size_t n, long long v)
{
    snprintf(buf, n, "%lld", v);
    return buf;
}

/* The first value of a one-row query as an integer; `dflt` when no row. */
static int
one_int(db_conn *c, const db_stmt *st, int np, const char *const *p, long long dflt, long long *out,
        app_err *err)
{
    db_res *r = NULL;
    int rc = db_exec(c, st, np, p, &r, err);
    if (rc != 0)
        return rc;
    *out = db_res_nrows(r) > 0 && !db_res_isnull(r, 0, 0) ? db_res_int(r, 0, 0) : dflt;
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_NOTICE = {
    "creq_notice", "SELECT to_char(issued_on, 'YYYYMMDD')::int, to_cohort FROM uni_notice"
                   " WHERE student_id = $1 AND kind = 'cohort_change' AND NOT revoked"
                   " ORDER BY id DESC LIMIT 1"};

int
db_creq_notice_latest(db_conn *c, long long student, int *out_issued, int *out_to_cohort,
                      int *out_found, app_err *err)
{
    char s[24];
    const char *p[] = {num(s, sizeof(s), student)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_NOTICE, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    *out_issued = *out_found ? (int)db_res_int(r, 0, 0) : 0;
    *out_to_cohort = *out_found ? (int)db_res_int(r, 0, 1) : 0;
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_COURSE = {"creq_course",
                                   "SELECT id FROM uni_course WHERE school = $1 AND code = $2"};

int
db_creq_course_find(db_conn *c, const char *school, const char *code, long long *out_id,
                    app_err *err)
{
    const char *p[] = {school, code};
    return one_int(c, &SQL_COURSE, 2, p, 0, out_id, err);
}

static const db_stmt SQL_PLAN = {"creq_plan",
                                 "SELECT count(*) FROM uni_plan_course WHERE major = $1::bigint"
                                 " AND cohort = $2::int AND course = $3::bigint"};

int
db_creq_in_plan(db_conn *c, const char *major, int cohort, long long course, int *out, app_err *err)
{
    char co[16], cs[24];
    const char *p[] = {major, num(co, sizeof(co), cohort), num(cs, sizeof(cs), course)};
    long long n = 0;
    int rc = one_int(c, &SQL_PLAN, 3, p, 0, &n, err);
    *out = n > 0;
    return rc;
}

static const db_stmt SQL_BEST = {
    "creq_best", "SELECT (max(score) * 10)::int FROM uni_grade WHERE student = $1::bigint"
                 " AND course = $2::bigint AND ($3::int = 0 OR posted_at <"
                 " to_date($3::text, 'YYYYMMDD') + 1)"};

int
db_creq_best_score(db_conn *c, long long student, long long course, int before, int *out,
                   app_err *err)
{
    char s[24], cs[24], b[16];
    const char *p[] = {num(s, sizeof(s), student), num(cs, sizeof(cs), course),
                       num(b, sizeof(b), before)};
    long long v = -1;
    int rc = one_int(c, &SQL_BEST, 3, p, -1, &v, err);
    *out = (int)v;
    return rc;
}

static const db_stmt SQL_EXEMPTED = {"creq_exempted",
                                     "SELECT count(*) FROM uni_exemption WHERE student = $1::bigint"
                                     " AND course = $2::bigint"};

int
db_creq_exempted(db_conn *c, long long student, long long course, int *out, app_err *err)
{
    char s[24], cs[24];
    const char *p[] = {num(s, sizeof(s), student), num(cs, sizeof(cs), course)};
    long long n = 0;
    int rc = one_int(c, &SQL_EXEMPTED, 2, p, 0, &n, err);
    *out = n > 0;
    return rc;
}

static const db_stmt SQL_EXEMPT = {
    "creq_exempt", "INSERT INTO uni_exemption (student, course, kind, request)"
                   " VALUES ($1::bigint, $2::bigint, $3, $4::bigint) ON CONFLICT DO NOTHING"};

int
db_creq_exempt(db_conn *c, long long student, long long course, const char *kind, long long request,
               int *out_inserted, app_err *err)
{
    char s[24], cs[24], q[24];
    const char *p[] = {num(s, sizeof(s), student), num(cs, sizeof(cs), course), kind,
                       num(q, sizeof(q), request)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_EXEMPT, 4, p, &r, err);
    if (rc != 0)
        return rc;
    *out_inserted = db_res_affected(r) > 0;
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_UNEXEMPT = {"creq_unexempt",
                                     "DELETE FROM uni_exemption WHERE request = $1::bigint"};

int
db_creq_unexempt(db_conn *c, long long request, int *out_n, app_err *err)
{
    char q[24];
    const char *p[] = {num(q, sizeof(q), request)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_UNEXEMPT, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_n = (int)db_res_affected(r);
    db_res_free(r);
    return 0;
}

/* The rows are locked first; the seat of each selected one goes back in
   the same statement (docs/decisions/0039). */
static const db_stmt SQL_DROP_COURSE = {
    "creq_drop_course",
    "WITH d AS (SELECT section, state FROM uni_selection WHERE student = $1::bigint"
    " AND course = $2::bigint AND term >= $3 AND state IN ('preselected', 'selected')"
    " FOR UPDATE),"
    " u AS (UPDATE uni_selection s SET state = 'dropped', source = 'exemption',"
    " updated_at = now() FROM d WHERE s.student = $1::bigint AND s.section = d.section"
    " RETURNING s.section, d.state AS was),"
    " r AS (UPDATE uni_section x SET taken = taken - 1 FROM u WHERE x.id = u.section"
    " AND u.was = 'selected' RETURNING x.id)"
    " SELECT section, was, (SELECT count(*) FROM r) FROM u ORDER BY section"};

int
db_creq_drop_course(db_conn *c, long long student, long long course, const char *from_term,
                    app_arena *a, db_creq_drop *out, int max, int *out_n, app_err *err)
{
    char s[24], cs[24];
    const char *p[] = {num(s, sizeof(s), student), num(cs, sizeof(cs), course), from_term};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_DROP_COURSE, 3, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out_n = 0;
    for (int i = 0; i < n && i < max; i++) {
        out[i].section = db_res_int(r, i, 0);
        out[i].was = app_arena_strdup(a, db_res_get(r, i, 1));
        (*out_n)++;
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_SECTION = {
    "creq_section",
    "SELECT s.id, s.course, c.code, s.number, s.term, s.capacity, s.taken FROM uni_section s"
    " JOIN uni_course c ON c.id = s.course WHERE s.school = $1 AND s.term = $2 AND"
    " CASE WHEN $3::bigint > 0 THEN s.id = $3::bigint ELSE c.code = $4 AND"
    " s.number = $5::int END"};

int
db_creq_section_find(db_conn *c, const char *school, const char *term, long long id,
                     const char *code, int number, app_arena *a, db_creq_section *out,
                     int *out_found, app_err *err)
{
    char i[24], nb[16];
    const char *p[] = {school, term, num(i, sizeof(i), id), code ? code : "",
                       num(nb, sizeof(nb), number)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SECTION, 5, p, &r, err);
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof(*out));
    *out_found = db_res_nrows(r) > 0;
    if (*out_found) {
        out->id = db_res_int(r, 0, 0);
        out->course = db_res_int(r, 0, 1);
        out->code = app_arena_strdup(a, db_res_get(r, 0, 2));
        out->number = (int)db_res_int(r, 0, 3);
        out->term = app_arena_strdup(a, db_res_get(r, 0, 4));
        out->capacity = (int)db_res_int(r, 0, 5);
        out->taken = (int)db_res_int(r, 0, 6);
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_SEL_OF = {
    "creq_selection_of",
    "SELECT coalesce((SELECT state FROM uni_selection WHERE student = $1::bigint AND"
    " section = $2::bigint), ''), coalesce((SELECT section FROM uni_selection WHERE"
    " student = $1::bigint AND course = $3::bigint AND term = $4 AND state IN"
    " ('preselected', 'selected')), 0)"};

int
db_creq_selection_of(db_conn *c, long long student, long long section, long long course,
                     const char *term, app_arena *a, const char **out_state, long long *out_live,
                     app_err *err)
{
    char s[24], sec[24], cs[24];
    const char *p[] = {num(s, sizeof(s), student), num(sec, sizeof(sec), section),
                       num(cs, sizeof(cs), course), term};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SEL_OF, 4, p, &r, err);
    if (rc != 0)
        return rc;
    *out_state = app_arena_strdup(a, db_res_get(r, 0, 0));
    *out_live = db_res_int(r, 0, 1);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_DROP_SECTION = {
    "creq_drop_section",
    "WITH d AS (SELECT state FROM uni_selection WHERE student = $1::bigint AND"
    " section = $2::bigint AND state IN ('preselected', 'selected') FOR UPDATE),"
    " u AS (UPDATE uni_selection s SET state = 'dropped', updated_at = now() FROM d"
    " WHERE s.student = $1::bigint AND s.section = $2::bigint RETURNING d.state AS was),"
    " r AS (UPDATE uni_section SET taken = taken - 1 WHERE id = $2::bigint AND"
    " EXISTS (SELECT 1 FROM u WHERE was = 'selected') RETURNING id)"
    " SELECT coalesce((SELECT was FROM u), ''), (SELECT count(*) FROM r)"};

int
db_creq_drop_section(db_conn *c, long long student, long long section, app_arena *a,
                     const char **out_was, app_err *err)
{
    char s[24], sec[24];
    const char *p[] = {num(s, sizeof(s), student), num(sec, sizeof(sec), section)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_DROP_SECTION, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_was = app_arena_strdup(a, db_res_get(r, 0, 0));
    db_res_free(r);
    return 0;
}

/* The seat first (one statement, below capacity only), then the row: a
   dropped or lost earlier selection of the same section is taken up again. */
static const db_stmt SQL_SEAT = {"creq_seat",
                                 "UPDATE uni_section SET taken = taken + 1 WHERE id = $1::bigint"
                                 " AND taken < capacity RETURNING id"};
static const db_stmt SQL_ADD = {
    "creq_add",
    "INSERT INTO uni_selection (student, section, school, course, term, state, source)"
    " SELECT $1::bigint, s.id, s.school, s.course, s.term, 'selected', $3 FROM uni_section s"
    " WHERE s.id = $2::bigint ON CONFLICT (student, section) DO UPDATE SET state = 'selected',"
    " source = EXCLUDED.source, round = NULL, draw_rank = NULL, updated_at = now()"
    " WHERE uni_selection.state NOT IN ('preselected', 'selected')"};

int
db_creq_add_section(db_conn *c, long long student, long long section, const char *source,
                    int *out_full, app_err *err)
{
    char s[24], sec[24];
    const char *p[] = {num(s, sizeof(s), student), num(sec, sizeof(sec), section), source};
    long long got = 0;
    int rc = one_int(c, &SQL_SEAT, 1, p + 1, 0, &got, err);
    *out_full = rc == 0 && got == 0;
    if (rc != 0 || *out_full)
        return rc;
    db_res *r = NULL;
    if ((rc = db_exec(c, &SQL_ADD, 3, p, &r, err)) != 0)
        return rc;
    long long n = db_res_affected(r);
    db_res_free(r);
    /* the section's own live selection: the seat taken is not the student's to take */
    return n > 0 ? 0 : app_err_set(err, APP_ECONFLICT, "conflict", "already live");
}

static const db_stmt SQL_SEC_EXEMPT = {
    "creq_section_exempted",
    "SELECT count(*) FROM uni_exemption e JOIN uni_section s ON s.course = e.course"
    " WHERE e.student = $1::bigint AND s.id = $2::bigint"};

int
db_creq_section_exempted(db_conn *c, long long student, long long section, int *out, app_err *err)
{
    char s[24], sec[24];
    const char *p[] = {num(s, sizeof(s), student), num(sec, sizeof(sec), section)};
    long long n = 0;
    int rc = one_int(c, &SQL_SEC_EXEMPT, 2, p, 0, &n, err);
    *out = n > 0;
    return rc;
}

static const db_stmt SQL_SINCE = {
    "creq_since", "SELECT count(*) FROM request WHERE student_id = $1::bigint AND type = $2"
                  " AND state = 'approved' AND updated_at >= to_date($3::text, 'YYYYMMDD')"};

int
db_creq_approved_since(db_conn *c, long long student, const char *type, int since, int *out,
                       app_err *err)
{
    char s[24], d[16];
    const char *p[] = {num(s, sizeof(s), student), type, num(d, sizeof(d), since)};
    long long n = 0;
    int rc = one_int(c, &SQL_SINCE, 3, p, 0, &n, err);
    *out = n > 0;
    return rc;
}
