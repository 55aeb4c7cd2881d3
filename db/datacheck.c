/*
 * db/datacheck.c - the semester data check and its sign-offs (see db/datacheck.h).
 */
#include "db/datacheck.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUP_KINDS "kind IN ('duplicate_id', 'suspected_duplicate')"

static int
plain_name(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 59)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static void add(char *q, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
add(char *q, size_t cap, const char *fmt, ...)
{
    size_t n = strlen(q);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(q + n, cap - n, fmt, ap);
    va_end(ap);
}

/*
 * The common table expressions of a check ($1 school, $2 term): "dc", one
 * row per active student of the school with its empty fields (the caller's
 * indexes) and its issue bits.
 */
static int
check_cte(const db_dc_query *q, char *sql, size_t cap, app_err *err)
{
    if (q->nfields < 0 || q->nfields > DB_DC_MAX_FIELDS)
        return app_err_set(err, APP_EINVAL, NULL, "data check: %d fields", q->nfields);
    snprintf(
        sql, cap,
        "WITH dup AS (SELECT student_id AS id FROM problem WHERE state = 'open' AND " DUP_KINDS
        " AND school = $1::bpchar UNION SELECT other_student_id FROM problem WHERE state = 'open' AND"
        " " DUP_KINDS " AND other_school = $1::bpchar AND other_student_id IS NOT NULL),"
        " base AS (SELECT st.id, st.stuno_text, st.name, st.state, st.grade, st.class_no,"
        " array_remove(ARRAY[NULL::int");
    for (int i = 0; i < q->nfields; i++) {
        const db_dc_field *f = &q->fields[i];
        if (!plain_name(f->column))
            return app_err_set(err, APP_EINVAL, NULL, "data check: bad column");
        if (f->pii)
            add(sql, cap, ", CASE WHEN st.%s_enc IS NULL THEN %d END", f->column, f->index);
        else
            add(sql, cap, ", CASE WHEN coalesce(st.%s::text, '') = '' THEN %d END", f->column,
                f->index);
    }
    add(sql, cap,
        "], NULL) AS missing, st.id IN (SELECT id FROM dup) AS dup,"
        " NOT EXISTS (SELECT 1 FROM student_photo ph WHERE ph.student_id = st.id) AS no_photo,"
        " st.state = 'enrolled' AND NOT EXISTS (SELECT 1 FROM checkin ci"
        " WHERE ci.student_id = st.id AND ci.term = $2::text) AS not_in"
        " FROM student st WHERE st.school = $1::bpchar AND st.state IN ('enrolled', 'suspended')),"
        " dc AS (SELECT *, (CASE WHEN cardinality(missing) > 0 THEN %d ELSE 0 END"
        " | CASE WHEN dup THEN %d ELSE 0 END | CASE WHEN no_photo THEN %d ELSE 0 END"
        " | CASE WHEN not_in THEN %d ELSE 0 END) AS issues FROM base) ",
        DB_DC_MISSING, DB_DC_DUPLICATE, DB_DC_NO_PHOTO, DB_DC_NOT_IN);
    if (strlen(sql) + 1 >= cap)
        return app_err_set(err, APP_EINTERNAL, NULL, "data check: statement too long");
    return 0;
}

/* "{3,17}" (a text int[]) into an arena array. */
static int
int_array(const char *s, app_arena *a, int **out)
{
    int n = 0;
    for (const char *p = s; *p; p++)
        n += *p == ',';
    n += s[0] != '\0' && strcmp(s, "{}") != 0;
    *out = app_arena_alloc(a, sizeof(int) * (size_t)(n ? n : 1));
    int k = 0;
    for (const char *p = s; *p && k < n;) {
        while (*p == '{' || *p == ',')
            p++;
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p)
            break;
        (*out)[k++] = (int)v;
        p = end;
    }
    return k;
}

int
db_datacheck_counts(db_conn *c, const db_dc_query *q, app_arena *a, db_dc_counts *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    char sql[12288];
    int rc = check_cte(q, sql, sizeof(sql) - 512, err);
    if (rc != 0)
        return rc;
    /* one pass: the first row (f NULL) the counts, then one row per empty field
       (dc is read twice, so PostgreSQL computes it once) */
    add(sql, sizeof(sql),
        "SELECT 0 AS k, NULL::int AS f, count(*), count(*) FILTER (WHERE issues <> 0),"
        " count(*) FILTER (WHERE issues & %d <> 0), count(*) FILTER (WHERE issues & %d <> 0),"
        " count(*) FILTER (WHERE issues & %d <> 0), count(*) FILTER (WHERE issues & %d <> 0)"
        " FROM dc UNION ALL SELECT 1, f, count(*), 0, 0, 0, 0, 0"
        " FROM dc, unnest(missing) f GROUP BY f ORDER BY 1, 2",
        DB_DC_MISSING, DB_DC_DUPLICATE, DB_DC_NO_PHOTO, DB_DC_NOT_IN);
    const char *p[] = {q->school, q->term};
    db_res *r = NULL;
    if ((rc = db_exec_once(c, sql, 2, p, &r, err)) != 0)
        return rc;
    int n = db_res_nrows(r) - 1;
    if (n < 0 || !db_res_isnull(r, 0, 1)) {
        db_res_free(r);
        return app_err_set(err, APP_EINTERNAL, NULL, "data check: no counts row");
    }
    long long *v[] = {&out->students,  &out->with_issues, &out->missing,
                      &out->duplicate, &out->no_photo,    &out->not_checked_in};
    for (int i = 0; i < 6; i++)
        *v[i] = db_res_int(r, 0, 2 + i);
    out->field_index = app_arena_alloc(a, sizeof(int) * (size_t)(n ? n : 1));
    out->field_cnt = app_arena_alloc(a, sizeof(long long) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        out->field_index[i] = (int)db_res_int(r, i + 1, 1);
        out->field_cnt[i] = db_res_int(r, i + 1, 2);
    }
    out->nfields = n;
    db_res_free(r);
    return 0;
}

int
db_datacheck_items(db_conn *c, const db_dc_query *q, unsigned want, long long after, int limit,
                   app_arena *a, db_dc_item **out, int *out_n, int *out_more, app_err *err)
{
    char sql[12288];
    int rc = check_cte(q, sql, sizeof(sql) - 512, err);
    if (rc != 0)
        return rc;
    add(sql, sizeof(sql),
        "SELECT id, stuno_text, name, state, grade, class_no, issues, missing::text FROM dc"
        " WHERE issues & $3::int <> 0 AND id > $4::bigint ORDER BY id LIMIT $5::int");
    char w[16], af[24], lim[16];
    snprintf(w, sizeof(w), "%u", want);
    snprintf(af, sizeof(af), "%lld", after);
    snprintf(lim, sizeof(lim), "%d", limit + 1);
    const char *p[] = {q->school, q->term, w, af, lim};
    db_res *r = NULL;
    if ((rc = db_exec_once(c, sql, 5, p, &r, err)) != 0)
        return rc;
    int n = db_res_nrows(r);
    *out_more = n > limit;
    if (n > limit)
        n = limit;
    *out = app_arena_alloc(a, sizeof(db_dc_item) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        db_dc_item *it = &(*out)[i];
        it->id = db_res_int(r, i, 0);
        it->student_number = app_arena_strdup(a, db_res_get(r, i, 1));
        it->name = app_arena_strdup(a, db_res_get(r, i, 2));
        it->state = app_arena_strdup(a, db_res_get(r, i, 3));
        it->grade = (int)db_res_int(r, i, 4);
        it->class_no = (int)db_res_int(r, i, 5);
        it->issues = (unsigned)db_res_int(r, i, 6);
        it->nmissing = int_array(db_res_get(r, i, 7), a, &it->missing);
    }
    *out_n = n;
    db_res_free(r);
    return 0;
}

/* ---------------------------------------------------------------- sign-offs */

#define SIGNOFF_COLS                                                                               \
    "school, term, level, org, coalesce(by_user, 0),"                                              \
    " to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), counts::text"

static const db_stmt SQL_SIGN_SCHOOL = {
    "dc_sign_school", "INSERT INTO data_check_signoff (school, term, level, org, by_user, counts)"
                      " VALUES ($1::text, $2, 'school', $1::text, nullif($3::bigint, 0), $4::jsonb)"
                      " ON CONFLICT DO NOTHING RETURNING " SIGNOFF_COLS};
static const db_stmt SQL_SIGNOFF_GET = {"dc_signoff_get",
                                        "SELECT " SIGNOFF_COLS " FROM data_check_signoff"
                                        " WHERE school = $1 AND term = $2 AND level = 'school'"};
static const db_stmt SQL_SIGNOFFS = {"dc_signoffs",
                                     "SELECT " SIGNOFF_COLS " FROM data_check_signoff"
                                     " WHERE school = $1 AND term = $2"};

static void
signoff_row(const db_res *r, int i, int col, app_arena *a, db_dc_signoff *out)
{
    snprintf(out->school, sizeof(out->school), "%s", db_res_get(r, i, col));
    out->term = app_arena_strdup(a, db_res_get(r, i, col + 1));
    out->level = app_arena_strdup(a, db_res_get(r, i, col + 2));
    out->org = app_arena_strdup(a, db_res_get(r, i, col + 3));
    out->by_user = db_res_int(r, i, col + 4);
    out->at = app_arena_strdup(a, db_res_get(r, i, col + 5));
    out->counts = app_arena_strdup(a, db_res_get(r, i, col + 6));
}

int
db_datacheck_sign_school(db_conn *c, const char *school, const char *term, long long by,
                         const char *counts_json, app_arena *a, db_dc_signoff *out, int *out_new,
                         app_err *err)
{
    char who[24];
    snprintf(who, sizeof(who), "%lld", by);
    const char *p[] = {school, term, who, counts_json};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SIGN_SCHOOL, 4, p, &r, err);
    if (rc != 0)
        return rc;
    *out_new = db_res_nrows(r) == 1;
    if (!*out_new) {
        db_res_free(r);
        r = NULL;
        if ((rc = db_exec(c, &SQL_SIGNOFF_GET, 2, p, &r, err)) != 0)
            return rc;
        if (db_res_nrows(r) != 1) {
            db_res_free(r);
            return app_err_set(err, APP_ERETRY, NULL, "sign-off vanished");
        }
    }
    signoff_row(r, 0, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_datacheck_signoffs(db_conn *c, const char *school, const char *term, app_arena *a,
                      db_dc_signoff **out_school, db_dc_signoff **out_authority, app_err *err)
{
    *out_school = *out_authority = NULL;
    const char *p[] = {school, term};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SIGNOFFS, 2, p, &r, err);
    if (rc != 0)
        return rc;
    for (int i = 0; i < db_res_nrows(r); i++) {
        db_dc_signoff *s = app_arena_alloc(a, sizeof(*s));
        signoff_row(r, i, 0, a, s);
        if (strcmp(s->level, "school") == 0)
            *out_school = s;
        else
            *out_authority = s;
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_SIGN_AUTHORITY = {
    "dc_sign_authority",
    "WITH s AS (SELECT sc.code, so.school IS NOT NULL AS signed, au.school IS NOT NULL AS done"
    " FROM school sc"
    " LEFT JOIN data_check_signoff so ON so.school = sc.code AND so.term = $2 AND so.level = 'school'"
    " LEFT JOIN data_check_signoff au ON au.school = sc.code AND au.term = $2"
    " AND au.level = 'authority'"
    " WHERE sc.authority = $1 AND NOT sc.closed),"
    " ins AS (INSERT INTO data_check_signoff (school, term, level, org, by_user)"
    " SELECT code, $2, 'authority', $1, nullif($3::bigint, 0) FROM s WHERE signed AND NOT done"
    " ON CONFLICT DO NOTHING RETURNING school)"
    " SELECT (SELECT count(*) FROM s), (SELECT count(*) FROM ins),"
    " (SELECT count(*) FROM s WHERE done), (SELECT count(*) FROM s WHERE NOT signed)"};

int
db_datacheck_sign_authority(db_conn *c, const char *authority, const char *term, long long by,
                            db_dc_authority_result *out, app_err *err)
{
    char who[24];
    snprintf(who, sizeof(who), "%lld", by);
    const char *p[] = {authority, term, who};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SIGN_AUTHORITY, 3, p, &r, err);
    if (rc != 0)
        return rc;
    out->schools = (int)db_res_int(r, 0, 0);
    out->signed_now = (int)db_res_int(r, 0, 1);
    out->already = (int)db_res_int(r, 0, 2);
    out->pending = (int)db_res_int(r, 0, 3);
    db_res_free(r);
    return 0;
}

/* ---------------------------------------------------------------- the region's report */

static const db_stmt SQL_REGION_COUNTS = {
    "dc_region_counts",
    "SELECT count(*), count(so.school), count(au.school) FROM school sc"
    " LEFT JOIN data_check_signoff so ON so.school = sc.code AND so.term = $2 AND so.level = 'school'"
    " LEFT JOIN data_check_signoff au ON au.school = sc.code AND au.term = $2"
    " AND au.level = 'authority'"
    " WHERE sc.authority LIKE $1 AND NOT sc.closed"};

static const db_stmt SQL_REGION_PAGE = {
    "dc_region_page",
    "SELECT sc.code, sc.name, sc.county, sc.authority, so.school IS NOT NULL,"
    " so.school, so.term, so.level, so.org, coalesce(so.by_user, 0),"
    " to_char(so.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), so.counts::text,"
    " au.school IS NOT NULL, au.school, au.term, au.level, au.org, coalesce(au.by_user, 0),"
    " to_char(au.at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), au.counts::text"
    " FROM school sc"
    " LEFT JOIN data_check_signoff so ON so.school = sc.code AND so.term = $2 AND so.level = 'school'"
    " LEFT JOIN data_check_signoff au ON au.school = sc.code AND au.term = $2"
    " AND au.level = 'authority'"
    " WHERE sc.authority LIKE $1 AND NOT sc.closed AND sc.code > $3"
    " AND ($4::int = 0 OR ($4 = 1 AND so.school IS NULL) OR ($4 = 2 AND au.school IS NULL))"
    " ORDER BY sc.code LIMIT $5::int"};

int
db_datacheck_region(db_conn *c, const db_dc_region_query *q, app_arena *a,
                    db_dc_region_counts *out_counts, db_dc_school_row **out, int *out_n,
                    int *out_more, app_err *err)
{
    const char *p2[] = {q->authority_like, q->term};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_REGION_COUNTS, 2, p2, &r, err);
    if (rc != 0)
        return rc;
    out_counts->schools = db_res_int(r, 0, 0);
    out_counts->school_signed = db_res_int(r, 0, 1);
    out_counts->authority_signed = db_res_int(r, 0, 2);
    db_res_free(r);

    char miss[8], lim[16];
    snprintf(miss, sizeof(miss), "%d", q->missing);
    snprintf(lim, sizeof(lim), "%d", q->limit + 1);
    const char *p[] = {q->authority_like, q->term, q->after ? q->after : "", miss, lim};
    if ((rc = db_exec(c, &SQL_REGION_PAGE, 5, p, &r, err)) != 0)
        return rc;
    int n = db_res_nrows(r);
    *out_more = n > q->limit;
    if (n > q->limit)
        n = q->limit;
    *out = app_arena_alloc(a, sizeof(db_dc_school_row) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        db_dc_school_row *row = &(*out)[i];
        memset(row, 0, sizeof(*row));
        snprintf(row->code, sizeof(row->code), "%s", db_res_get(r, i, 0));
        row->name = app_arena_strdup(a, db_res_get(r, i, 1));
        snprintf(row->county, sizeof(row->county), "%s", db_res_get(r, i, 2));
        snprintf(row->authority, sizeof(row->authority), "%s", db_res_get(r, i, 3));
        if (strcmp(db_res_get(r, i, 4), "t") == 0) {
            db_dc_signoff *s = app_arena_alloc(a, sizeof(*s));
            signoff_row(r, i, 5, a, s);
            row->school_signoff = s;
        }
        if (strcmp(db_res_get(r, i, 12), "t") == 0) {
            db_dc_signoff *s = app_arena_alloc(a, sizeof(*s));
            signoff_row(r, i, 13, a, s);
            row->authority_signoff = s;
        }
    }
    *out_n = n;
    db_res_free(r);
    return 0;
}
