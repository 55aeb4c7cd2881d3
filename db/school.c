/*
 * db/school.c - school and class queries.
 */
#include "db/school.h"

#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every school query selects these columns from `school s` joined with SCHOOL_JOIN. */
#define SCHOOL_COLS                                                                                \
    "s.code, s.name, s.county, s.authority, s.province, s.category, s.system, s.closed,"           \
    " s.version," DB__TS("s.created_at") "," DB__TS(                                               \
        "s.updated_at") ", coalesce(rc.name, ''), coalesce(ra.name, ''), s.merged_into"
#define SCHOOL_JOIN                                                                                \
    " LEFT JOIN region rc ON rc.code = s.county LEFT JOIN region ra ON ra.code = s.authority"

static const db_stmt SQL_GET = {"school_get", "SELECT " SCHOOL_COLS " FROM school s" SCHOOL_JOIN
                                              " WHERE s.code = $1"};
static const db_stmt SQL_GET_FOR_UPDATE = {"school_get_for_update",
                                           "SELECT " SCHOOL_COLS " FROM school s" SCHOOL_JOIN
                                           " WHERE s.code = $1 FOR UPDATE OF s"};
static const db_stmt SQL_GET_FOR_SHARE = {"school_get_for_share",
                                          "SELECT " SCHOOL_COLS " FROM school s" SCHOOL_JOIN
                                          " WHERE s.code = $1 FOR SHARE OF s"};

/* Keyset by code; each filter is skipped when its parameter is NULL. */
static const db_stmt SQL_LIST = {"school_list", "SELECT " SCHOOL_COLS " FROM school s" SCHOOL_JOIN
                                                " WHERE ($1::text IS NULL OR s.authority LIKE $1)"
                                                " AND ($2::text IS NULL OR s.county LIKE $2)"
                                                " AND ($3::text IS NULL OR s.code = $3)"
                                                " AND ($4::text IS NULL OR s.name ILIKE $4)"
                                                " AND s.code > $5 ORDER BY s.code LIMIT $6"};

#define SCHOOL_INSERT                                                                              \
    "INSERT INTO school (code, name, county, authority, province, category, system)"               \
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"
static const db_stmt SQL_INSERT = {"school_insert",
                                   "WITH s AS (" SCHOOL_INSERT " RETURNING *) SELECT " SCHOOL_COLS
                                   " FROM s" SCHOOL_JOIN};
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
    "school_location_ok", "SELECT (r.level = 'county' OR (r.level = 'city' AND NOT EXISTS"
                          " (SELECT 1 FROM region k WHERE k.parent = r.code))) AND NOT r.retired"
                          " FROM region r WHERE r.code = $1"};

#define CLASS_COLS                                                                                 \
    "id, school, grade, number, name, coalesce(size_limit, 0), version," DB__TS("created_at")

static const db_stmt SQL_CLASS_LIST = {
    "class_list", "SELECT " CLASS_COLS " FROM class WHERE school = $1"
                  " AND (grade, number) > ($2::int, $3::int) ORDER BY grade, number LIMIT $4"};
static const db_stmt SQL_CLASS_GRADES = {
    "class_grades", "SELECT DISTINCT grade FROM class WHERE school = $1 ORDER BY grade"};
#define CLASS_INSERT                                                                               \
    "INSERT INTO class (school, grade, number, name, size_limit)"                                  \
    " VALUES ($1, $2, $3, $4, nullif($5, '0')::int)"
static const db_stmt SQL_CLASS_INSERT = {"class_insert", CLASS_INSERT " RETURNING " CLASS_COLS};
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
    s->merged_into = db_res_isnull(r, row, 13) ? NULL : app_arena_strdup(a, db_res_get(r, row, 13));
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
db_school_get_for_update(db_conn *c, const char *code, app_arena *a, db_school *out, int *out_found,
                         app_err *err)
{
    return get_one(c, &SQL_GET_FOR_UPDATE, code, a, out, out_found, err);
}

int
db_school_get_for_share(db_conn *c, const char *code, app_arena *a, db_school *out, int *out_found,
                        app_err *err)
{
    return get_one(c, &SQL_GET_FOR_SHARE, code, a, out, out_found, err);
}

int
db_school_list(db_conn *c, const db_school_filter *f, app_arena *a, db_school **out, int *out_n,
               app_err *err)
{
    char lim[16];
    snprintf(lim, sizeof(lim), "%d", f->limit);
    const char *p[] = {f->authority_like, f->county_like,           f->code,
                       f->name_ilike,     f->after ? f->after : "", lim};
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
    const char *p[] = {
        s->code, s->name, s->county, s->authority, s->province, cat, s->system ? s->system : "63"};
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
db_school_update(db_conn *c, const db_school *s, int expect_version, app_arena *a, db_school *out,
                 app_err *err)
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
                  : app_err_set(err, APP_ENOTFOUND, "school_not_found", "school %s gone", s->code);
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
db_class_grades(db_conn *c, const char *school, app_arena *a, int **out, int *out_n, app_err *err)
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
    int rc =
        db_exec(c, out_created ? &SQL_CLASS_INSERT_IF_ABSENT : &SQL_CLASS_INSERT, 5, p, &r, err);
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
db_class_id(db_conn *c, const char *school, int grade, int number, long long *out_id, app_err *err)
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

/* ---- merges ---- */

/* The two schools (NO KEY UPDATE: a second merge waits, while a request
   being inserted, whose foreign key takes KEY SHARE on its school, does
   not), then every student of both: a request being started holds its
   student's row, so the merge waits for it and then sees the request. */
static const db_stmt SQL_LOCK_PAIR = {
    "school_lock_pair",
    "SELECT code FROM school WHERE code IN ($1, $2) ORDER BY code FOR NO KEY UPDATE"};
static const db_stmt SQL_LOCK_STUDENTS = {
    "school_lock_students",
    "SELECT count(*) FROM (SELECT id FROM student WHERE school IN ($1, $2) ORDER BY id"
    " FOR UPDATE) AS t"};
/* and their classes: a registration placing students in one of them holds
   the class's row to its commit, so the merge waits and then sees its
   request (the class ids after the student ids, as a request start does). */
static const db_stmt SQL_LOCK_CLASSES = {
    "school_lock_classes", "SELECT count(*) FROM (SELECT id FROM class WHERE school IN ($1, $2)"
                           " ORDER BY id FOR UPDATE) AS t"};
static const db_stmt SQL_OPEN_REQUESTS = {
    "school_open_requests", "SELECT count(*) FROM request WHERE state IN ('open', 'returned')"
                            " AND (school IN ($1, $2) OR other_school IN ($1, $2))"};
static const db_stmt SQL_OPEN_PROBLEMS = {"school_open_problems",
                                          "SELECT count(*) FROM problem WHERE state = 'open'"
                                          " AND (school IN ($1, $2) OR other_school IN ($1, $2))"};
static const db_stmt SQL_GRADES_IN_USE = {
    "school_grades_in_use",
    "SELECT grade FROM class WHERE school = $1 UNION SELECT grade FROM student WHERE school = $1"
    " ORDER BY 1"};

/* The clashing classes of $1 at $2, numbered after the grade's top over both schools. */
static const db_stmt SQL_MERGE_PLAN = {
    "school_merge_plan",
    "WITH clash AS (SELECT m.id, m.grade, m.number, m.name,"
    "  row_number() OVER (PARTITION BY m.grade ORDER BY m.number) AS k"
    "  FROM class m JOIN class t ON t.school = $2 AND t.grade = m.grade AND t.number = m.number"
    "  WHERE m.school = $1),"
    " top AS (SELECT grade, max(number) AS n FROM class WHERE school IN ($1, $2) GROUP BY grade)"
    " SELECT c.id, c.grade, c.number, top.n + c.k, c.name FROM clash c JOIN top USING (grade)"
    " ORDER BY c.grade, c.number"};

/* $3..$5: the renumbered classes (id, new number, new name or NULL). */
static const db_stmt SQL_MERGE_CLASSES = {
    "school_merge_classes",
    "WITH r AS (SELECT * FROM unnest($3::bigint[], $4::int[], $5::text[]) AS r(id, number, name))"
    " UPDATE class k SET school = $2, number = coalesce(r.number, k.number),"
    " name = coalesce(r.name, k.name), version = k.version + 1"
    " FROM class o LEFT JOIN r ON r.id = o.id WHERE o.id = k.id AND o.school = $1"};

/*
 * Every student of $1 to $2 in one statement, with its history row and its
 * event. $3..$5 the renumbered classes (id, old number, new number); $6, $7
 * the actor; $8, $9 the authority and province of $2. Ordered inserts give
 * history and event ids in student order. Data-modifying CTEs run to
 * completion whether or not the outer query reads them.
 */
static const db_stmt SQL_MERGE_STUDENTS = {
    "school_merge_students",
    "WITH r AS (SELECT * FROM unnest($3::bigint[], $4::int[], $5::int[]) AS r(id, old_no, new_no)),"
    " moved AS (UPDATE student s SET school = $2, province = $9,"
    "  class_no = coalesce((SELECT r.new_no FROM r WHERE r.id = s.class_id), s.class_no),"
    "  version = s.version + 1, updated_at = now()"
    "  WHERE s.school = $1 RETURNING s.id, s.class_id),"
    " h AS (INSERT INTO student_history (student_id, kind, actor_id, actor_org, school, changes)"
    "  SELECT m.id, 'school_merge', nullif($6::bigint, 0), $7, $2,"
    "   jsonb_build_array(jsonb_build_object('field', '/school', 'old', $1::text, 'new', $2::text))"
    "   || CASE WHEN r.id IS NULL THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object("
    "    'field', '/class', 'old', r.old_no, 'new', r.new_no)) END"
    "  FROM moved m LEFT JOIN r ON r.id = m.class_id ORDER BY m.id RETURNING 1),"
    " e AS (INSERT INTO events (type, student_id, school, authority, province, data)"
    "  SELECT 'student.moved', m.id, $2, $8, $9, jsonb_build_object('type', 'school_merge',"
    "   'from', $1::text, 'into', $2::text) FROM moved m ORDER BY m.id RETURNING 1)"
    " SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM h), (SELECT count(*) FROM e)"};

static const db_stmt SQL_MARK_MERGED = {
    "school_mark_merged",
    "UPDATE school SET closed = true, merged_into = $2, version = version + 1, updated_at = now()"
    " WHERE code = $1"};

int
db_school_lock_pair(db_conn *c, const char *a, const char *b, app_err *err)
{
    const char *p[] = {a, b};
    int rc = db_exec(c, &SQL_LOCK_PAIR, 2, p, NULL, err);
    if (rc == 0)
        rc = db_exec(c, &SQL_LOCK_STUDENTS, 2, p, NULL, err);
    return rc != 0 ? rc : db_exec(c, &SQL_LOCK_CLASSES, 2, p, NULL, err);
}

static int
count_pair(db_conn *c, const db_stmt *st, const char *a, const char *b, long long *out_n,
           app_err *err)
{
    const char *p[] = {a, b};
    db_res *r = NULL;
    int rc = db_exec(c, st, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_n = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

int
db_school_open_requests(db_conn *c, const char *a, const char *b, long long *out_n, app_err *err)
{
    return count_pair(c, &SQL_OPEN_REQUESTS, a, b, out_n, err);
}

int
db_school_open_problems(db_conn *c, const char *a, const char *b, long long *out_n, app_err *err)
{
    return count_pair(c, &SQL_OPEN_PROBLEMS, a, b, out_n, err);
}

int
db_school_grades_in_use(db_conn *c, const char *school, app_arena *a, int **out, int *out_n,
                        app_err *err)
{
    const char *p[] = {school};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_GRADES_IN_USE, 1, p, &r, err);
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
db_school_merge_plan(db_conn *c, const char *from, const char *into, app_arena *a,
                     db_renumber **out, int *out_n, app_err *err)
{
    const char *p[] = {from, into};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_MERGE_PLAN, 2, p, &r, err);
    if (rc != 0)
        return rc;
    int rows = db_res_nrows(r);
    db_renumber *v = app_arena_alloc(a, sizeof(*v) * (size_t)(rows ? rows : 1));
    for (int i = 0; i < rows; i++) {
        memset(&v[i], 0, sizeof(v[i]));
        v[i].class_id = db_res_int(r, i, 0);
        v[i].grade = (int)db_res_int(r, i, 1);
        v[i].from = (int)db_res_int(r, i, 2);
        v[i].to = (int)db_res_int(r, i, 3);
        v[i].name = app_arena_strdup(a, db_res_get(r, i, 4));
    }
    db_res_free(r);
    *out = v;
    *out_n = rows;
    return 0;
}

/* An array element of a PostgreSQL array literal: "text" with \ and " escaped, or NULL. */
static char *
array_text(app_arena *a, char *acc, const char *s)
{
    if (s == NULL)
        return app_arena_printf(a, "%s%sNULL", acc, acc[1] ? "," : "");
    size_t n = strlen(s);
    char *q = app_arena_alloc(a, 2 * n + 1), *o = q;
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            *o++ = '\\';
        *o++ = *s;
    }
    *o = '\0';
    return app_arena_printf(a, "%s%s\"%s\"", acc, acc[1] ? "," : "", q);
}

int
db_school_merge_apply(db_conn *c, const db_merge *m, app_arena *a, long long *out_students,
                      long long *out_classes, app_err *err)
{
    /* the renumbered classes as array literals: ids, old and new numbers, names */
    char *ids = app_arena_strdup(a, "{"), *olds = app_arena_strdup(a, "{");
    char *news = app_arena_strdup(a, "{"), *names = app_arena_strdup(a, "{");
    for (int i = 0; i < m->nrenumbered; i++) {
        const db_renumber *k = &m->renumbered[i];
        const char *sep = i ? "," : "";
        ids = app_arena_printf(a, "%s%s%lld", ids, sep, k->class_id);
        olds = app_arena_printf(a, "%s%s%d", olds, sep, k->from);
        news = app_arena_printf(a, "%s%s%d", news, sep, k->to);
        names = array_text(a, names, k->new_name);
    }
    ids = app_arena_printf(a, "%s}", ids);
    olds = app_arena_printf(a, "%s}", olds);
    news = app_arena_printf(a, "%s}", news);
    names = app_arena_printf(a, "%s}", names);

    db_res *r = NULL;
    const char *pc[] = {m->from, m->into, ids, news, names};
    int rc = db_exec(c, &SQL_MERGE_CLASSES, 5, pc, &r, err);
    if (rc == APP_ECONFLICT)
        /* a class created at `into` since the plan took a number: plan again */
        rc = app_err_set(err, APP_ERETRY, NULL, "class number taken during a merge");
    if (rc != 0)
        goto done;
    *out_classes = db_res_affected(r);
    db_res_free(r);
    r = NULL;

    char actor[24];
    snprintf(actor, sizeof(actor), "%lld", m->actor_id);
    const char *ps[] = {m->from,           m->into,         ids, olds, news, actor, m->actor_org,
                        m->into_authority, m->into_province};
    if ((rc = db_exec(c, &SQL_MERGE_STUDENTS, 9, ps, &r, err)) != 0)
        goto done;
    *out_students = db_res_int(r, 0, 0);
    if (db_res_int(r, 0, 1) != *out_students || db_res_int(r, 0, 2) != *out_students) {
        rc =
            app_err_set(err, APP_EINTERNAL, NULL, "merge: %lld students, %lld history, %lld events",
                        *out_students, db_res_int(r, 0, 1), db_res_int(r, 0, 2));
        goto done;
    }
    db_res_free(r);
    r = NULL;

    const char *pm[] = {m->from, m->into};
    rc = db_exec(c, &SQL_MARK_MERGED, 2, pm, &r, err);
    if (rc == 0 && db_res_affected(r) != 1)
        rc = app_err_set(err, APP_ENOTFOUND, "school_not_found", "school %s gone", m->from);
done:
    db_res_free(r);
    return rc;
}
