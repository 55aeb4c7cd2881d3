/*
 * db/school.c - school and class queries.
 */
#include "db/school.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TS(col) " to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Every school query selects these columns from `school s` joined with SCHOOL_JOIN. */
#define SCHOOL_COLS                                                                            \
    "s.code, s.name, s.county, s.authority, s.province, s.category, s.system, s.closed,"       \
    " s.version," TS("s.created_at") "," TS("s.updated_at")                                   \
    ", coalesce(rc.name, ''), coalesce(ra.name, '')"
#define SCHOOL_JOIN                                                                            \
    " LEFT JOIN region rc ON rc.code = s.county LEFT JOIN region ra ON ra.code = s.authority"

static const db_stmt SQL_GET = {
    "school_get", "SELECT " SCHOOL_COLS " FROM school s" SCHOOL_JOIN " WHERE s.code = $1"};
static const db_stmt SQL_GET_FOR_UPDATE = {
    "school_get_for_update",
    "SELECT " SCHOOL_COLS " FROM school s" SCHOOL_JOIN " WHERE s.code = $1 FOR UPDATE OF s"};

/* Keyset by code; each filter is skipped when its parameter is NULL. */
static const db_stmt SQL_LIST = {
    "school_list",
    "SELECT " SCHOOL_COLS " FROM school s" SCHOOL_JOIN
    " WHERE ($1::text IS NULL OR s.authority LIKE $1)"
    " AND ($2::text IS NULL OR s.county LIKE $2)"
    " AND ($3::text IS NULL OR s.code = $3)"
    " AND ($4::text IS NULL OR s.name ILIKE $4)"
    " AND s.code > $5 ORDER BY s.code LIMIT $6"};

#define SCHOOL_INSERT                                                                          \
    "INSERT INTO school (code, name, county, authority, province, category, system)"           \
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"
static const db_stmt SQL_INSERT = {
    "school_insert",
    "WITH s AS (" SCHOOL_INSERT " RETURNING *) SELECT " SCHOOL_COLS " FROM s" SCHOOL_JOIN};
static const db_stmt SQL_INSERT_IF_ABSENT = {
    "school_insert_if_absent", "WITH s AS (" SCHOOL_INSERT " ON CONFLICT (code) DO NOTHING"
                               " RETURNING *) SELECT " SCHOOL_COLS " FROM s" SCHOOL_JOIN};

static const db_stmt SQL_UPDATE = {
    "school_update",
    "WITH s AS (UPDATE school SET name = $2, authority = $3, system = $4, closed = $5,"
    " version = version + 1, updated_at = now() WHERE code = $1 AND version = $6 RETURNING *)"
    " SELECT " SCHOOL_COLS " FROM s" SCHOOL_JOIN};
static const db_stmt SQL_EXISTS = {"school_exists", "SELECT 1 FROM school WHERE code = $1"};

static const db_stmt SQL_LOCATION_OK = {
    "school_location_ok",
    "SELECT (r.level = 'county' OR (r.level = 'city' AND NOT EXISTS"
    " (SELECT 1 FROM region k WHERE k.parent = r.code))) AND NOT r.retired"
    " FROM region r WHERE r.code = $1"};

#define CLASS_COLS                                                                             \
    "id, school, grade, number, name, coalesce(size_limit, 0), version," TS("created_at")

static const db_stmt SQL_CLASS_LIST = {
    "class_list", "SELECT " CLASS_COLS " FROM class WHERE school = $1"
                  " AND (grade, number) > ($2::int, $3::int) ORDER BY grade, number LIMIT $4"};
static const db_stmt SQL_CLASS_GRADES = {
    "class_grades", "SELECT DISTINCT grade FROM class WHERE school = $1 ORDER BY grade"};
#define CLASS_INSERT                                                                           \
    "INSERT INTO class (school, grade, number, name, size_limit)"                              \
    " VALUES ($1, $2, $3, $4, nullif($5, '0')::int)"
static const db_stmt SQL_CLASS_INSERT = {"class_insert",
                                         CLASS_INSERT " RETURNING " CLASS_COLS};
static const db_stmt SQL_CLASS_INSERT_IF_ABSENT = {
    "class_insert_if_absent",
    CLASS_INSERT " ON CONFLICT (school, grade, number) DO NOTHING RETURNING " CLASS_COLS};
static const db_stmt SQL_CLASS_ID = {
    "class_id", "SELECT id FROM class WHERE school = $1 AND grade = $2 AND number = $3"};

static void
school_fill(const db_res *r, int row, app_arena *a, db_school *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->code, sizeof(s->code), "%s", db_res_get(r, row, 0));
    s->name = app_arena_strdup(a, db_res_get(r, row, 1));
    snprintf(s->county, sizeof(s->county), "%s", db_res_get(r, row, 2));
    snprintf(s->authority, sizeof(s->authority), "%s", db_res_get(r, row, 3));
    snprintf(s->province, sizeof(s->province), "%s", db_res_get(r, row, 4));
    s->category = (int)db_res_int(r, row, 5);
    s->system = app_arena_strdup(a, db_res_get(r, row, 6));
    s->closed = db_res_get(r, row, 7)[0] == 't';
    s->version = (int)db_res_int(r, row, 8);
    s->created_at = app_arena_strdup(a, db_res_get(r, row, 9));
    s->updated_at = app_arena_strdup(a, db_res_get(r, row, 10));
    s->county_name = app_arena_strdup(a, db_res_get(r, row, 11));
    s->authority_name = app_arena_strdup(a, db_res_get(r, row, 12));
}

static int
get_one(db_conn *c, const db_stmt *st, const char *code, app_arena *a, db_school *out,
        int *out_found, app_err *err)
{
    const char *p[] = {code};
    db_res *r = NULL;
    int rc = db_exec(c, st, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    if (*out_found)
        school_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_school_get(db_conn *c, const char *code, app_arena *a, db_school *out, int *out_found,
              app_err *err)
{
    return get_one(c, &SQL_GET, code, a, out, out_found, err);
}

int
db_school_get_for_update(db_conn *c, const char *code, app_arena *a, db_school *out,
                         int *out_found, app_err *err)
{
    return get_one(c, &SQL_GET_FOR_UPDATE, code, a, out, out_found, err);
}

int
db_school_list(db_conn *c, const db_school_filter *f, app_arena *a, db_school **out, int *out_n,
               app_err *err)
{
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", f->limit);
    const char *p[] = {f->authority_like, f->county_like, f->code, f->name_ilike,
                       f->after ? f->after : "", lim};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_LIST, 6, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_school *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        school_fill(r, i, a, &v[i]);
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

int
db_school_insert(db_conn *c, const db_school *s, int *out_created, app_arena *a, db_school *out,
                 app_err *err)
{
    char cat[8];
    snprintf(cat, sizeof(cat), "%d", s->category);
    const char *p[] = {s->code, s->name, s->county, s->authority, s->province, cat,
                       s->system ? s->system : "63"};
    db_res *r = NULL;
    int rc = db_exec(c, out_created ? &SQL_INSERT_IF_ABSENT : &SQL_INSERT, 7, p, &r, err);
    if (rc == APP_ECONFLICT && err != NULL)
        err->slug = "school_exists";
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    if (out_created != NULL)
        *out_created = n == 1;
    if (n == 1 && out != NULL)
        school_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_school_update(db_conn *c, const db_school *s, int expect_version, app_arena *a,
                 db_school *out, app_err *err)
{
    char ver[16];
    snprintf(ver, sizeof(ver), "%d", expect_version);
    const char *p[] = {s->code, s->name, s->authority, s->system, s->closed ? "true" : "false",
                       ver};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_UPDATE, 6, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    if (n == 1)
        school_fill(r, 0, a, out);
    db_res_free(r);
    if (n == 1)
        return 0;
    const char *q[] = {s->code};
    rc = db_exec(c, &SQL_EXISTS, 1, q, &r, err);
    if (rc != 0)
        return rc;
    n = db_res_nrows(r);
    db_res_free(r);
    return n == 1 ? app_err_set(err, APP_EPRECOND, "precondition_failed", "school %s moved on",
                                s->code)
                  : app_err_set(err, APP_ENOTFOUND, "school_not_found", "school %s gone",
                                s->code);
}

int
db_school_location_ok(db_conn *c, const char *code, int *out_ok, app_err *err)
{
    const char *p[] = {code};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_LOCATION_OK, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_ok = db_res_nrows(r) == 1 && db_res_get(r, 0, 0)[0] == 't';
    db_res_free(r);
    return 0;
}

/* ---- classes ---- */

static void
class_fill(const db_res *r, int row, app_arena *a, db_class *k)
{
    memset(k, 0, sizeof(*k));
    k->id = db_res_int(r, row, 0);
    snprintf(k->school, sizeof(k->school), "%s", db_res_get(r, row, 1));
    k->grade = (int)db_res_int(r, row, 2);
    k->number = (int)db_res_int(r, row, 3);
    k->name = app_arena_strdup(a, db_res_get(r, row, 4));
    k->size_limit = (int)db_res_int(r, row, 5);
    k->version = (int)db_res_int(r, row, 6);
    k->created_at = app_arena_strdup(a, db_res_get(r, row, 7));
}

int
db_class_list(db_conn *c, const char *school, int after_grade, int after_number, int limit,
              app_arena *a, db_class **out, int *out_n, app_err *err)
{
    char g[16], n[16], lim[16];
    snprintf(g, sizeof(g), "%d", after_grade);
    snprintf(n, sizeof(n), "%d", after_number);
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *p[] = {school, g, n, lim};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CLASS_LIST, 4, p, &r, err);
    if (rc != 0)
        return rc;
    int rows = db_res_nrows(r);
    db_class *v = app_arena_alloc(a, sizeof(*v) * (size_t)(rows ? rows : 1));
    for (int i = 0; i < rows; i++)
        class_fill(r, i, a, &v[i]);
    db_res_free(r);
    *out = v;
    *out_n = rows;
    return 0;
}

int
db_class_grades(db_conn *c, const char *school, app_arena *a, int **out, int *out_n,
                app_err *err)
{
    const char *p[] = {school};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CLASS_GRADES, 1, p, &r, err);
    if (rc != 0)
        return rc;
    int rows = db_res_nrows(r);
    int *v = app_arena_alloc(a, sizeof(*v) * (size_t)(rows ? rows : 1));
    for (int i = 0; i < rows; i++)
        v[i] = (int)db_res_int(r, i, 0);
    db_res_free(r);
    *out = v;
    *out_n = rows;
    return 0;
}

int
db_class_insert(db_conn *c, const db_class *k, int *out_created, app_arena *a, db_class *out,
                app_err *err)
{
    char g[16], n[16], lim[16];
    snprintf(g, sizeof(g), "%d", k->grade);
    snprintf(n, sizeof(n), "%d", k->number);
    snprintf(lim, sizeof(lim), "%d", k->size_limit);
    const char *p[] = {k->school, g, n, k->name, lim};
    db_res *r = NULL;
    int rc = db_exec(c, out_created ? &SQL_CLASS_INSERT_IF_ABSENT : &SQL_CLASS_INSERT, 5, p, &r,
                     err);
    if (rc == APP_ECONFLICT && err != NULL)
        err->slug = "class_exists";
    if (rc != 0)
        return rc;
    int rows = db_res_nrows(r);
    if (out_created != NULL)
        *out_created = rows == 1;
    if (rows == 1 && out != NULL)
        class_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_class_id(db_conn *c, const char *school, int grade, int number, long long *out_id,
            app_err *err)
{
    char g[16], n[16];
    snprintf(g, sizeof(g), "%d", grade);
    snprintf(n, sizeof(n), "%d", number);
    const char *p[] = {school, g, n};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CLASS_ID, 3, p, &r, err);
    if (rc != 0)
        return rc;
    *out_id = db_res_nrows(r) == 1 ? db_res_int(r, 0, 0) : 0;
    db_res_free(r);
    return 0;
}
