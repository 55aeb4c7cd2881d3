/*
 * db/uni_catalog.c - courses, teaching plans and sections of a university
 * (db/uni_catalog.h).
 */
#include "db/uni_catalog.h"

#include "base/buf.h"
#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- statements ---- */

#define COURSE_COLS                                                                                \
    "c.id, c.school, c.code, c.name, c.kind, (c.credits * 10)::int, c.hours, c.college,"           \
    " k.code, c.version"
#define COURSE_FROM " FROM uni_course c JOIN uni_college k ON k.id = c.college"
/* after a data-changing CTE `c`: its rows, not the table's snapshot */
#define COURSE_FROM_CTE " FROM c JOIN uni_college k ON k.id = c.college"
static const db_stmt SQL_COURSE_INSERT = {
    "uni_course_insert",
    "WITH c AS (INSERT INTO uni_course (school, code, name, kind, credits, hours, college)"
    " VALUES ($1, $2, $3, $4, $5::numeric / 10, $6, $7) RETURNING *)"
    " SELECT " COURSE_COLS COURSE_FROM_CTE};
static const db_stmt SQL_COURSE_GET = {"uni_course_get", "SELECT " COURSE_COLS COURSE_FROM
                                                         " WHERE c.school = $1 AND c.code = $2"};
static const db_stmt SQL_COURSE_GET_LOCK = {"uni_course_get_lock",
                                            "SELECT " COURSE_COLS COURSE_FROM
                                            " WHERE c.school = $1 AND c.code = $2 FOR UPDATE OF c"};
static const db_stmt SQL_COURSE_LIST = {
    "uni_course_list",
    "SELECT " COURSE_COLS COURSE_FROM " WHERE c.school = $1 AND ($2::bigint = 0 OR c.college = $2)"
    " AND ($3::text IS NULL OR c.kind = $3) AND c.id > $4 ORDER BY c.id LIMIT $5"};
static const db_stmt SQL_COURSE_ALL = {"uni_course_all", "SELECT " COURSE_COLS COURSE_FROM
                                                         " WHERE c.school = $1 ORDER BY c.code"};
static const db_stmt SQL_COURSE_UPDATE = {
    "uni_course_update",
    "WITH c AS (UPDATE uni_course SET name = $3, kind = $4, credits = $5::numeric / 10,"
    " hours = $6, college = $7, version = version + 1 WHERE id = $1 AND version = $2"
    " RETURNING *) SELECT " COURSE_COLS COURSE_FROM_CTE};

static const db_stmt SQL_PLAN_VERSION = {
    "uni_plan_version", "SELECT version FROM uni_plan WHERE major = $1 AND cohort = $2"};
static const db_stmt SQL_PLAN_VERSION_LOCK = {
    "uni_plan_version_lock",
    "SELECT version FROM uni_plan WHERE major = $1 AND cohort = $2 FOR UPDATE"};
static const db_stmt SQL_PLAN_ENTRIES = {
    "uni_plan_entries",
    "SELECT c.id, c.code, c.name, c.kind, (c.credits * 10)::int, p.term_no FROM uni_plan_course p"
    " JOIN uni_course c ON c.id = p.course WHERE p.major = $1 AND p.cohort = $2"
    " ORDER BY p.term_no, c.code"};
static const db_stmt SQL_PLAN_BUMP = {
    "uni_plan_bump",
    "INSERT INTO uni_plan AS p (school, major, cohort, updated_by) VALUES ($1, $2, $3,"
    " nullif($4::bigint, 0)) ON CONFLICT (major, cohort) DO UPDATE SET version = p.version + 1,"
    " updated_by = EXCLUDED.updated_by, updated_at = now() RETURNING version"};
static const db_stmt SQL_PLAN_CLEAR = {
    "uni_plan_clear", "DELETE FROM uni_plan_course WHERE major = $1 AND cohort = $2"};
static const db_stmt SQL_PLAN_FILL = {
    "uni_plan_fill", "INSERT INTO uni_plan_course (school, major, cohort, course, term_no)"
                     " SELECT $1, $2, $3, e.course, e.term_no FROM unnest($4::bigint[],"
                     " $5::smallint[]) AS e (course, term_no)"};

#define SECTION_COLS                                                                               \
    "s.id, s.school, s.course, c.code, c.name, c.college, s.term, s.number,"                       \
    " coalesce(s.teacher, 0), u.username, s.capacity, s.taken, coalesce(s.cohort, 0),"             \
    " array_to_string(s.majors, ','), (SELECT string_agg(m.code, ',' ORDER BY"                     \
    " array_position(s.majors, m.id)) FROM uni_major m WHERE m.id = ANY (s.majors)),"              \
    " s.majors IS NULL, s.version"
#define SECTION_FROM                                                                               \
    " FROM uni_section s JOIN uni_course c ON c.id = s.course"                                     \
    " LEFT JOIN app_user u ON u.id = s.teacher"
#define SECTION_FROM_CTE                                                                           \
    " FROM s JOIN uni_course c ON c.id = s.course LEFT JOIN app_user u ON u.id = s.teacher"
static const db_stmt SQL_SECTION_INSERT = {
    "uni_section_insert",
    "WITH s AS (INSERT INTO uni_section (school, course, term, number, teacher, capacity, cohort,"
    " majors) VALUES ($1, $2, $3, $4, nullif($5::bigint, 0), $6, nullif($7::int, 0),"
    " $8::bigint[]) RETURNING *) SELECT " SECTION_COLS SECTION_FROM_CTE};
static const db_stmt SQL_SECTION_GET = {"uni_section_get", "SELECT " SECTION_COLS SECTION_FROM
                                                           " WHERE s.school = $1 AND s.id = $2"};
static const db_stmt SQL_SECTION_GET_LOCK = {"uni_section_get_lock",
                                             "SELECT " SECTION_COLS SECTION_FROM
                                             " WHERE s.school = $1 AND s.id = $2 FOR UPDATE OF s"};
static const db_stmt SQL_SECTION_FIND = {"uni_section_find",
                                         "SELECT " SECTION_COLS SECTION_FROM
                                         " WHERE s.course = $1 AND s.term = $2 AND s.number = $3"};
static const db_stmt SQL_SECTION_LIST = {
    "uni_section_list",
    "SELECT " SECTION_COLS SECTION_FROM " WHERE s.school = $1 AND ($2::text IS NULL OR s.term = $2)"
    " AND ($3::bigint = 0 OR s.course = $3) AND ($4::bigint = 0 OR c.college = $4)"
    " AND s.id > $5 ORDER BY s.id LIMIT $6"};
static const db_stmt SQL_SECTION_UPDATE = {
    "uni_section_update",
    "WITH s AS (UPDATE uni_section SET number = $3, teacher = nullif($4::bigint, 0),"
    " capacity = $5, cohort = nullif($6::int, 0), majors = $7::bigint[], version = version + 1"
    " WHERE id = $1 AND version = $2 AND taken <= $5 RETURNING *)"
    " SELECT " SECTION_COLS SECTION_FROM_CTE};

static const db_stmt SQL_TEACHER_FIND = {"uni_teacher_find",
                                         "SELECT id FROM app_user WHERE org = $1 AND username = $2"
                                         " AND staff_role = 'course_teacher' AND NOT disabled"};

/* ---- helpers ---- */

static const char *
num(app_arena *a, long long v)
{
    return app_arena_printf(a, "%lld", v);
}

static int
named(int rc, app_err *err, const char *slug)
{
    if (err == NULL)
        return rc;
    if (rc == APP_ECONFLICT && slug != NULL)
        err->slug = slug;
    else if (rc == APP_EINTERNAL && strcmp(err->sqlstate, "23503") == 0) {
        rc = APP_EINVAL;
        err->code = APP_EINVAL;
        err->slug = "uni_reference";
    }
    return rc;
}

/* ---- courses ---- */

static void
course_fill(const db_res *r, int i, app_arena *a, db_uni_course *o)
{
    memset(o, 0, sizeof(*o));
    o->id = db_res_int(r, i, 0);
    snprintf(o->school, sizeof(o->school), "%s", db_res_get(r, i, 1));
    o->code = app_arena_strdup(a, db_res_get(r, i, 2));
    o->name = app_arena_strdup(a, db_res_get(r, i, 3));
    o->kind = app_arena_strdup(a, db_res_get(r, i, 4));
    o->credits10 = (int)db_res_int(r, i, 5);
    o->hours = (int)db_res_int(r, i, 6);
    o->college = db_res_int(r, i, 7);
    o->college_code = app_arena_strdup(a, db_res_get(r, i, 8));
    o->version = (int)db_res_int(r, i, 9);
}

/* Run `st` and read its rows as courses. */
static int
course_rows(db_conn *c, const db_stmt *st, int np, const char *const *p, app_arena *a,
            db_uni_course **out, int *out_n, app_err *err)
{
    db_res *r = NULL;
    int rc = db_exec(c, st, np, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_uni_course *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        course_fill(r, i, a, &v[i]);
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

int
db_uni_course_insert(db_conn *c, const db_uni_course *in, app_arena *a, db_uni_course *out,
                     app_err *err)
{
    const char *p[] = {
        in->school,        in->code,           in->name, in->kind, num(a, in->credits10),
        num(a, in->hours), num(a, in->college)};
    db_uni_course *v;
    int n = 0;
    int rc = course_rows(c, &SQL_COURSE_INSERT, 7, p, a, &v, &n, err);
    if (rc != 0)
        return named(rc, err, "course_exists");
    *out = v[0];
    return 0;
}

int
db_uni_course_get(db_conn *c, const char *school, const char *code, int lock, app_arena *a,
                  db_uni_course *out, int *out_found, app_err *err)
{
    const char *p[] = {school, code};
    db_uni_course *v;
    int n = 0;
    int rc = course_rows(c, lock ? &SQL_COURSE_GET_LOCK : &SQL_COURSE_GET, 2, p, a, &v, &n, err);
    if (rc != 0)
        return rc;
    *out_found = n == 1;
    if (n == 1)
        *out = v[0];
    return 0;
}

int
db_uni_course_list(db_conn *c, const char *school, long long college, const char *kind,
                   long long after, int limit, app_arena *a, db_uni_course **out, int *out_n,
                   app_err *err)
{
    const char *p[] = {school, num(a, college), kind, num(a, after), num(a, limit)};
    return course_rows(c, &SQL_COURSE_LIST, 5, p, a, out, out_n, err);
}

int
db_uni_course_all(db_conn *c, const char *school, app_arena *a, db_uni_course **out, int *out_n,
                  app_err *err)
{
    const char *p[] = {school};
    return course_rows(c, &SQL_COURSE_ALL, 1, p, a, out, out_n, err);
}

int
db_uni_course_update(db_conn *c, const db_uni_course *in, int version, app_arena *a,
                     db_uni_course *out, int *out_found, app_err *err)
{
    const char *p[] = {num(a, in->id),        num(a, version),   in->name,           in->kind,
                       num(a, in->credits10), num(a, in->hours), num(a, in->college)};
    db_uni_course *v;
    int n = 0;
    int rc = course_rows(c, &SQL_COURSE_UPDATE, 7, p, a, &v, &n, err);
    if (rc != 0)
        return named(rc, err, NULL);
    *out_found = n == 1;
    if (n == 1)
        *out = v[0];
    return 0;
}

/* ---- teaching plans ---- */

int
db_uni_plan_get(db_conn *c, const char *school, long long major, int cohort, int lock, app_arena *a,
                int *out_version, db_uni_plan_entry **out, int *out_n, app_err *err)
{
    (void)school; /* major ids are the school's (the caller checked) */
    const char *p[] = {num(a, major), num(a, cohort)};
    db_res *r = NULL;
    int rc = db_exec(c, lock ? &SQL_PLAN_VERSION_LOCK : &SQL_PLAN_VERSION, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_version = db_res_nrows(r) == 1 ? (int)db_res_int(r, 0, 0) : 0;
    db_res_free(r);
    if ((rc = db_exec(c, &SQL_PLAN_ENTRIES, 2, p, &r, err)) != 0)
        return rc;
    int n = db_res_nrows(r);
    db_uni_plan_entry *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        v[i].course = db_res_int(r, i, 0);
        v[i].code = app_arena_strdup(a, db_res_get(r, i, 1));
        v[i].name = app_arena_strdup(a, db_res_get(r, i, 2));
        v[i].kind = app_arena_strdup(a, db_res_get(r, i, 3));
        v[i].credits10 = (int)db_res_int(r, i, 4);
        v[i].term_no = (int)db_res_int(r, i, 5);
    }
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

/* "{a,b,c}" of the n values get(i). */
static const char *
array_text(app_arena *a, int n, long long (*get)(const void *, int), const void *ctx)
{
    base_buf b = {0};
    base_buf_addc(&b, '{');
    for (int i = 0; i < n; i++)
        base_buf_printf(&b, "%s%lld", i ? "," : "", get(ctx, i));
    base_buf_addc(&b, '}');
    const char *s = app_arena_strndup(a, (const char *)b.p, b.n);
    base_buf_free(&b);
    return s;
}

static long long
entry_course(const void *v, int i)
{
    return ((const db_uni_plan_entry *)v)[i].course;
}

static long long
entry_term(const void *v, int i)
{
    return ((const db_uni_plan_entry *)v)[i].term_no;
}

int
db_uni_plan_replace(db_conn *c, const char *school, long long major, int cohort, long long user,
                    const db_uni_plan_entry *in, int n, app_arena *a, int *out_version,
                    app_err *err)
{
    const char *pb[] = {school, num(a, major), num(a, cohort), num(a, user)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_PLAN_BUMP, 4, pb, &r, err);
    if (rc != 0)
        return named(rc, err, NULL);
    *out_version = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    const char *pc[] = {pb[1], pb[2]};
    if ((rc = db_exec(c, &SQL_PLAN_CLEAR, 2, pc, NULL, err)) != 0 || n == 0)
        return rc;
    const char *pf[] = {school, pb[1], pb[2], array_text(a, n, entry_course, in),
                        array_text(a, n, entry_term, in)};
    rc = db_exec(c, &SQL_PLAN_FILL, 5, pf, NULL, err);
    return rc ? named(rc, err, "plan_duplicate_course") : 0;
}

/* ---- sections ---- */

/* "1,2,3" into n values (arena). */
static int
split_csv(app_arena *a, const char *s, long long **ids, const char ***codes, int want_codes)
{
    int n = *s ? 1 : 0;
    for (const char *p = s; *p; p++)
        n += *p == ',';
    if (want_codes)
        *codes = app_arena_alloc(a, sizeof(**codes) * (size_t)(n ? n : 1));
    else
        *ids = app_arena_alloc(a, sizeof(**ids) * (size_t)(n ? n : 1));
    const char *p = s;
    for (int i = 0; i < n; i++) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (want_codes)
            (*codes)[i] = app_arena_strndup(a, p, len);
        else
            (*ids)[i] = atoll(p);
        p += len + (e ? 1 : 0);
    }
    return n;
}

static void
section_fill(const db_res *r, int i, app_arena *a, db_uni_section *o)
{
    memset(o, 0, sizeof(*o));
    o->id = db_res_int(r, i, 0);
    snprintf(o->school, sizeof(o->school), "%s", db_res_get(r, i, 1));
    o->course = db_res_int(r, i, 2);
    o->course_code = app_arena_strdup(a, db_res_get(r, i, 3));
    o->course_name = app_arena_strdup(a, db_res_get(r, i, 4));
    o->college = db_res_int(r, i, 5);
    snprintf(o->term, sizeof(o->term), "%s", db_res_get(r, i, 6));
    o->number = (int)db_res_int(r, i, 7);
    o->teacher = db_res_int(r, i, 8);
    o->teacher_username = db__dup_or_null(a, r, i, 9);
    o->capacity = (int)db_res_int(r, i, 10);
    o->taken = (int)db_res_int(r, i, 11);
    o->cohort = (int)db_res_int(r, i, 12);
    if (strcmp(db_res_get(r, i, 15), "t") != 0) {
        o->nmajors = split_csv(a, db_res_get(r, i, 13), &o->majors, NULL, 0);
        split_csv(a, db_res_get(r, i, 14), NULL, &o->major_codes, 1);
    }
    o->version = (int)db_res_int(r, i, 16);
}

static int
section_rows(db_conn *c, const db_stmt *st, int np, const char *const *p, app_arena *a,
             db_uni_section **out, int *out_n, app_err *err)
{
    db_res *r = NULL;
    int rc = db_exec(c, st, np, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_uni_section *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        section_fill(r, i, a, &v[i]);
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

static long long
major_at(const void *v, int i)
{
    return ((const long long *)v)[i];
}

static const char *
majors_param(app_arena *a, const db_uni_section *in)
{
    return in->majors ? array_text(a, in->nmajors, major_at, in->majors) : NULL;
}

int
db_uni_section_insert(db_conn *c, const db_uni_section *in, app_arena *a, db_uni_section *out,
                      app_err *err)
{
    const char *p[] = {in->school,         num(a, in->course),  in->term,
                       num(a, in->number), num(a, in->teacher), num(a, in->capacity),
                       num(a, in->cohort), majors_param(a, in)};
    db_uni_section *v;
    int n = 0;
    int rc = section_rows(c, &SQL_SECTION_INSERT, 8, p, a, &v, &n, err);
    if (rc != 0)
        return named(rc, err, "section_exists");
    *out = v[0];
    return 0;
}

int
db_uni_section_get(db_conn *c, const char *school, long long id, int lock, app_arena *a,
                   db_uni_section *out, int *out_found, app_err *err)
{
    const char *p[] = {school, num(a, id)};
    db_uni_section *v;
    int n = 0;
    int rc = section_rows(c, lock ? &SQL_SECTION_GET_LOCK : &SQL_SECTION_GET, 2, p, a, &v, &n, err);
    if (rc != 0)
        return rc;
    *out_found = n == 1;
    if (n == 1)
        *out = v[0];
    return 0;
}

int
db_uni_section_find(db_conn *c, long long course, const char *term, int number, app_arena *a,
                    db_uni_section *out, int *out_found, app_err *err)
{
    const char *p[] = {num(a, course), term, num(a, number)};
    db_uni_section *v;
    int n = 0;
    int rc = section_rows(c, &SQL_SECTION_FIND, 3, p, a, &v, &n, err);
    if (rc != 0)
        return rc;
    *out_found = n == 1;
    if (n == 1)
        *out = v[0];
    return 0;
}

int
db_uni_section_list(db_conn *c, const char *school, const char *term, long long course,
                    long long college, long long after, int limit, app_arena *a,
                    db_uni_section **out, int *out_n, app_err *err)
{
    const char *p[] = {school, term, num(a, course), num(a, college), num(a, after), num(a, limit)};
    return section_rows(c, &SQL_SECTION_LIST, 6, p, a, out, out_n, err);
}

int
db_uni_section_update(db_conn *c, const db_uni_section *in, int version, app_arena *a,
                      db_uni_section *out, int *out_found, app_err *err)
{
    const char *p[] = {num(a, in->id),      num(a, version),      num(a, in->number),
                       num(a, in->teacher), num(a, in->capacity), num(a, in->cohort),
                       majors_param(a, in)};
    db_uni_section *v;
    int n = 0;
    int rc = section_rows(c, &SQL_SECTION_UPDATE, 7, p, a, &v, &n, err);
    if (rc != 0)
        return named(rc, err, "section_exists");
    *out_found = n == 1;
    if (n == 1)
        *out = v[0];
    return 0;
}

int
db_uni_teacher_find(db_conn *c, const char *school, const char *username, app_arena *a,
                    long long *out_id, app_err *err)
{
    (void)a;
    const char *p[] = {school, username};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_TEACHER_FIND, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_id = db_res_nrows(r) == 1 ? db_res_int(r, 0, 0) : 0;
    db_res_free(r);
    return 0;
}
