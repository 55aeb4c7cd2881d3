/*
 * db/uni.c - the tables of universities (db/uni.h).
 */
#include "db/uni.h"

#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YMD(col) "coalesce(to_char(" col ", 'YYYYMMDD')::int, 0)"

/* ---- statements ---- */

#define COLLEGE_COLS "id, school, code, name, is_pe, version"
static const db_stmt SQL_COLLEGE_INSERT = {"uni_college_insert",
                                           "INSERT INTO uni_college (school, code, name, is_pe)"
                                           " VALUES ($1, $2, $3, $4) RETURNING " COLLEGE_COLS};
static const db_stmt SQL_COLLEGE_LIST = {
    "uni_college_list", "SELECT " COLLEGE_COLS " FROM uni_college WHERE school = $1 ORDER BY code"};
static const db_stmt SQL_COLLEGE_GET = {
    "uni_college_get", "SELECT " COLLEGE_COLS " FROM uni_college WHERE school = $1 AND id = $2"};

#define MAJOR_COLS "id, school, college, code, name, level, years, version"
static const db_stmt SQL_MAJOR_INSERT = {
    "uni_major_insert", "INSERT INTO uni_major (school, college, code, name, level, years)"
                        " VALUES ($1, $2, $3, $4, $5, $6) RETURNING " MAJOR_COLS};
static const db_stmt SQL_MAJOR_LIST = {"uni_major_list",
                                       "SELECT " MAJOR_COLS " FROM uni_major WHERE school = $1"
                                       " AND ($2::bigint = 0 OR college = $2) ORDER BY code"};
static const db_stmt SQL_MAJOR_GET = {
    "uni_major_get", "SELECT " MAJOR_COLS " FROM uni_major WHERE school = $1 AND id = $2"};

static const db_stmt SQL_COHORT_ENSURE = {
    "uni_cohort_ensure",
    "INSERT INTO uni_cohort (school, year) VALUES ($1, $2) ON CONFLICT DO NOTHING"};
static const db_stmt SQL_COHORT_LIST = {
    "uni_cohort_list", "SELECT year FROM uni_cohort WHERE school = $1 ORDER BY year"};

#define CLASS_COLS "u.id, u.school, u.major, m.college, u.cohort, u.number, k.number, u.name"
#define CLASS_FROM                                                                                 \
    " FROM uni_class u JOIN uni_major m ON m.id = u.major JOIN class k ON k.id = u.id"
/* The backing class row (grade 40, the next number of the university; the
   school's row lock serialises numbering), then the uni_class row. */
static const db_stmt SQL_CLASS_INSERT = {
    "uni_class_insert",
    "WITH k AS (INSERT INTO class (school, grade, number, name)"
    " SELECT $1, 40, coalesce(max(number), 0) + 1, $5 FROM class WHERE school = $1 AND grade = 40"
    " RETURNING id, number)"
    " INSERT INTO uni_class (id, school, major, cohort, number, name)"
    " SELECT k.id, $1, $2, $3, $4, $5 FROM k RETURNING id"};
static const db_stmt SQL_CLASS_LIST = {
    "uni_class_list", "SELECT " CLASS_COLS CLASS_FROM " WHERE u.school = $1"
                      " AND ($2::bigint = 0 OR u.major = $2) AND ($3::int = 0 OR u.cohort = $3)"
                      " ORDER BY u.cohort, m.code, u.number"};
static const db_stmt SQL_CLASS_GET = {"uni_class_get", "SELECT " CLASS_COLS CLASS_FROM
                                                       " WHERE u.school = $1 AND u.id = $2"};

#define STUDENT_COLS                                                                               \
    "student_id, school, student_no, college, major, class_id, cohort, level, state, " YMD(        \
        "entry_date") ", " YMD("expected_graduation") ", " YMD("suspended_until") ","              \
                                                                                  " coalesce(sitting_in_major, 0), coalesce(sitting_in_class, 0), version"
static const db_stmt SQL_STUDENT_INSERT = {
    "uni_student_insert",
    "INSERT INTO uni_student (student_id, school, student_no, college, major, class_id, cohort,"
    " level, state, entry_date, expected_graduation)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::date, $11::date)"};
static const db_stmt SQL_STUDENT_GET = {
    "uni_student_get", "SELECT " STUDENT_COLS " FROM uni_student WHERE student_id = $1"};
static const db_stmt SQL_STUDENT_GET_LOCK = {"uni_student_get_lock",
                                             "SELECT " STUDENT_COLS
                                             " FROM uni_student WHERE student_id = $1 FOR UPDATE"};
static const db_stmt SQL_STUDENT_FIND = {
    "uni_student_find", "SELECT student_id FROM uni_student WHERE school = $1 AND student_no = $2"};
static const db_stmt SQL_STUDENT_UPDATE = {
    "uni_student_update",
    "UPDATE uni_student SET college = $3, major = $4, cohort = $5, class_id = $6, state = $7,"
    " suspended_until = nullif($8, '0')::date, sitting_in_major = nullif($9::bigint, 0),"
    " sitting_in_class = nullif($10::bigint, 0), version = version + 1, updated_at = now()"
    " WHERE student_id = $1 AND version = $2"};
static const db_stmt SQL_STUDENT_LIST = {
    "uni_student_list",
    "SELECT " STUDENT_COLS " FROM uni_student WHERE school = $1"
    " AND ($2::bigint = 0 OR college = $2) AND ($3::bigint = 0 OR class_id = $3)"
    " AND student_id > $4 ORDER BY student_id LIMIT $5"};

#define TERM_COLS "school, term, " YMD("first_day") ", weeks, version"
static const db_stmt SQL_TERM_PUT = {
    "uni_term_put",
    "INSERT INTO uni_term AS t (school, term, first_day, weeks, updated_by)"
    " VALUES ($1, $2, $3::date, $4, nullif($5::bigint, 0))"
    " ON CONFLICT (school, term) DO UPDATE SET first_day = EXCLUDED.first_day,"
    " weeks = EXCLUDED.weeks, updated_by = EXCLUDED.updated_by, version = t.version + 1,"
    " updated_at = now() RETURNING " TERM_COLS};
static const db_stmt SQL_TERM_LIST = {
    "uni_term_list", "SELECT " TERM_COLS " FROM uni_term WHERE school = $1 ORDER BY term"};

static const db_stmt SQL_HOLDERS = {
    "uni_office_holders",
    "SELECT id FROM app_user WHERE org = $1 AND staff_role = $2 AND NOT disabled"
    " AND ($3::bigint = 0 OR college = $3) ORDER BY id LIMIT $4"};

/* ---- helpers ---- */

static const char *
num(app_arena *a, long long v)
{
    return app_arena_printf(a, "%lld", v);
}

/* A unique violation named `slug`; a foreign key violation uni_reference. */
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

static void
copy_school(char dst[11], const char *src)
{
    snprintf(dst, 11, "%s", src);
}

/* ---- colleges ---- */

static void
college_fill(const db_res *r, int i, app_arena *a, db_uni_college *o)
{
    memset(o, 0, sizeof(*o));
    o->id = db_res_int(r, i, 0);
    copy_school(o->school, db_res_get(r, i, 1));
    o->code = app_arena_strdup(a, db_res_get(r, i, 2));
    o->name = app_arena_strdup(a, db_res_get(r, i, 3));
    o->is_pe = strcmp(db_res_get(r, i, 4), "t") == 0;
    o->version = (int)db_res_int(r, i, 5);
}

int
db_uni_college_insert(db_conn *c, const db_uni_college *in, app_arena *a, db_uni_college *out,
                      app_err *err)
{
    const char *p[] = {in->school, in->code, in->name, in->is_pe ? "true" : "false"};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_COLLEGE_INSERT, 4, p, &r, err);
    if (rc == APP_ECONFLICT && err != NULL)
        return named(rc, err,
                     strstr(err->detail, "uni_college_pe_idx") ? "pe_college_exists"
                                                               : "college_exists");
    if (rc != 0)
        return named(rc, err, NULL);
    college_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_uni_college_list(db_conn *c, const char *school, app_arena *a, db_uni_college **out, int *out_n,
                    app_err *err)
{
    const char *p[] = {school};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_COLLEGE_LIST, 1, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_uni_college *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        college_fill(r, i, a, &v[i]);
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

int
db_uni_college_get(db_conn *c, const char *school, long long id, app_arena *a, db_uni_college *out,
                   int *out_found, app_err *err)
{
    const char *p[] = {school, num(a, id)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_COLLEGE_GET, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    if (*out_found)
        college_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

/* ---- majors ---- */

static void
major_fill(const db_res *r, int i, app_arena *a, db_uni_major *o)
{
    memset(o, 0, sizeof(*o));
    o->id = db_res_int(r, i, 0);
    copy_school(o->school, db_res_get(r, i, 1));
    o->college = db_res_int(r, i, 2);
    o->code = app_arena_strdup(a, db_res_get(r, i, 3));
    o->name = app_arena_strdup(a, db_res_get(r, i, 4));
    o->level = app_arena_strdup(a, db_res_get(r, i, 5));
    o->years = (int)db_res_int(r, i, 6);
    o->version = (int)db_res_int(r, i, 7);
}

int
db_uni_major_insert(db_conn *c, const db_uni_major *in, app_arena *a, db_uni_major *out,
                    app_err *err)
{
    const char *p[] = {in->school, num(a, in->college), in->code,
                       in->name,   in->level,           num(a, in->years)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_MAJOR_INSERT, 6, p, &r, err);
    if (rc != 0)
        return named(rc, err, "major_exists");
    major_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_uni_major_list(db_conn *c, const char *school, long long college, app_arena *a,
                  db_uni_major **out, int *out_n, app_err *err)
{
    const char *p[] = {school, num(a, college)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_MAJOR_LIST, 2, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_uni_major *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        major_fill(r, i, a, &v[i]);
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

int
db_uni_major_get(db_conn *c, const char *school, long long id, app_arena *a, db_uni_major *out,
                 int *out_found, app_err *err)
{
    const char *p[] = {school, num(a, id)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_MAJOR_GET, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    if (*out_found)
        major_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

/* ---- cohorts ---- */

int
db_uni_cohort_ensure(db_conn *c, const char *school, int year, app_err *err)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    const char *p[] = {school, y};
    return db_exec(c, &SQL_COHORT_ENSURE, 2, p, NULL, err);
}

int
db_uni_cohort_list(db_conn *c, const char *school, app_arena *a, int **out, int *out_n,
                   app_err *err)
{
    const char *p[] = {school};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_COHORT_LIST, 1, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    int *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        v[i] = (int)db_res_int(r, i, 0);
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

/* ---- classes ---- */

static void
class_fill(const db_res *r, int i, app_arena *a, db_uni_class *o)
{
    memset(o, 0, sizeof(*o));
    o->id = db_res_int(r, i, 0);
    copy_school(o->school, db_res_get(r, i, 1));
    o->major = db_res_int(r, i, 2);
    o->college = db_res_int(r, i, 3);
    o->cohort = (int)db_res_int(r, i, 4);
    o->number = (int)db_res_int(r, i, 5);
    o->seq = (int)db_res_int(r, i, 6);
    o->name = app_arena_strdup(a, db_res_get(r, i, 7));
}

int
db_uni_class_insert(db_conn *c, const db_uni_class *in, app_arena *a, db_uni_class *out,
                    app_err *err)
{
    const char *p[] = {in->school, num(a, in->major), num(a, in->cohort), num(a, in->number),
                       in->name};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CLASS_INSERT, 5, p, &r, err);
    if (rc != 0)
        return named(rc, err, "class_exists");
    long long id = db_res_int(r, 0, 0);
    db_res_free(r);
    int found = 0;
    if ((rc = db_uni_class_get(c, in->school, id, a, out, &found, err)) != 0)
        return rc;
    return found ? 0 : app_err_set(err, APP_EINTERNAL, NULL, "class %lld vanished", id);
}

int
db_uni_class_list(db_conn *c, const char *school, long long major, int cohort, app_arena *a,
                  db_uni_class **out, int *out_n, app_err *err)
{
    const char *p[] = {school, num(a, major), num(a, cohort)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CLASS_LIST, 3, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_uni_class *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        class_fill(r, i, a, &v[i]);
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

int
db_uni_class_get(db_conn *c, const char *school, long long id, app_arena *a, db_uni_class *out,
                 int *out_found, app_err *err)
{
    const char *p[] = {school, num(a, id)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CLASS_GET, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    if (*out_found)
        class_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

/* ---- students ---- */

static void
student_fill(const db_res *r, int i, app_arena *a, db_uni_student *o)
{
    memset(o, 0, sizeof(*o));
    o->student_id = db_res_int(r, i, 0);
    copy_school(o->school, db_res_get(r, i, 1));
    o->student_no = app_arena_strdup(a, db_res_get(r, i, 2));
    o->college = db_res_int(r, i, 3);
    o->major = db_res_int(r, i, 4);
    o->class_id = db_res_int(r, i, 5);
    o->cohort = (int)db_res_int(r, i, 6);
    o->level = app_arena_strdup(a, db_res_get(r, i, 7));
    o->state = app_arena_strdup(a, db_res_get(r, i, 8));
    o->entry_date = (int)db_res_int(r, i, 9);
    o->expected_graduation = (int)db_res_int(r, i, 10);
    o->suspended_until = (int)db_res_int(r, i, 11);
    o->sitting_in_major = db_res_int(r, i, 12);
    o->sitting_in_class = db_res_int(r, i, 13);
    o->version = (int)db_res_int(r, i, 14);
}

int
db_uni_student_insert(db_conn *c, const db_uni_student *in, app_err *err)
{
    char v[7][24];
    snprintf(v[0], sizeof(v[0]), "%lld", in->student_id);
    snprintf(v[1], sizeof(v[1]), "%lld", in->college);
    snprintf(v[2], sizeof(v[2]), "%lld", in->major);
    snprintf(v[3], sizeof(v[3]), "%lld", in->class_id);
    snprintf(v[4], sizeof(v[4]), "%d", in->cohort);
    snprintf(v[5], sizeof(v[5]), "%d", in->entry_date);
    snprintf(v[6], sizeof(v[6]), "%d", in->expected_graduation);
    const char *p[] = {v[0], in->school, in->student_no,
                       v[1], v[2],       v[3],
                       v[4], in->level,  in->state ? in->state : "studying",
                       v[5], v[6]};
    int rc = db_exec(c, &SQL_STUDENT_INSERT, 11, p, NULL, err);
    return rc == 0 ? 0 : named(rc, err, "student_no_taken");
}

int
db_uni_student_get(db_conn *c, long long student_id, int lock, app_arena *a, db_uni_student *out,
                   int *out_found, app_err *err)
{
    const char *p[] = {num(a, student_id)};
    db_res *r = NULL;
    int rc = db_exec(c, lock ? &SQL_STUDENT_GET_LOCK : &SQL_STUDENT_GET, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    if (*out_found)
        student_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_uni_student_find(db_conn *c, const char *school, const char *no, long long *out_id, app_err *err)
{
    const char *p[] = {school, no};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_STUDENT_FIND, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_id = db_res_nrows(r) == 1 ? db_res_int(r, 0, 0) : 0;
    db_res_free(r);
    return 0;
}

int
db_uni_student_update(db_conn *c, const db_uni_student *in, app_err *err)
{
    char v[9][24];
    snprintf(v[0], sizeof(v[0]), "%lld", in->student_id);
    snprintf(v[1], sizeof(v[1]), "%d", in->version);
    snprintf(v[2], sizeof(v[2]), "%lld", in->college);
    snprintf(v[3], sizeof(v[3]), "%lld", in->major);
    snprintf(v[4], sizeof(v[4]), "%d", in->cohort);
    snprintf(v[5], sizeof(v[5]), "%lld", in->class_id);
    snprintf(v[6], sizeof(v[6]), "%d", in->suspended_until);
    snprintf(v[7], sizeof(v[7]), "%lld", in->sitting_in_major);
    snprintf(v[8], sizeof(v[8]), "%lld", in->sitting_in_class);
    const char *p[] = {v[0], v[1], v[2], v[3], v[4], v[5], in->state, v[6], v[7], v[8]};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_STUDENT_UPDATE, 10, p, &r, err);
    if (rc != 0)
        return named(rc, err, NULL);
    long long n = db_res_affected(r);
    db_res_free(r);
    return n == 1 ? 0
                  : app_err_set(err, APP_EPRECOND, "precondition_failed", "uni_student %lld",
                                in->student_id);
}

int
db_uni_student_list(db_conn *c, const char *school, long long college, long long class_id,
                    long long after, int limit, app_arena *a, db_uni_student **out, int *out_n,
                    app_err *err)
{
    const char *p[] = {school, num(a, college), num(a, class_id), num(a, after), num(a, limit)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_STUDENT_LIST, 5, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_uni_student *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        student_fill(r, i, a, &v[i]);
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

/* ---- the teaching calendar ---- */

static void
term_fill(const db_res *r, int i, db_uni_term *o)
{
    memset(o, 0, sizeof(*o));
    copy_school(o->school, db_res_get(r, i, 0));
    snprintf(o->term, sizeof(o->term), "%s", db_res_get(r, i, 1));
    o->first_day = (int)db_res_int(r, i, 2);
    o->weeks = (int)db_res_int(r, i, 3);
    o->version = (int)db_res_int(r, i, 4);
}

int
db_uni_term_put(db_conn *c, const db_uni_term *in, long long by_user, app_arena *a,
                db_uni_term *out, app_err *err)
{
    const char *p[] = {in->school, in->term, num(a, in->first_day), num(a, in->weeks),
                       num(a, by_user)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_TERM_PUT, 5, p, &r, err);
    if (rc != 0)
        return named(rc, err, NULL);
    term_fill(r, 0, out);
    db_res_free(r);
    return 0;
}

int
db_uni_term_list(db_conn *c, const char *school, app_arena *a, db_uni_term **out, int *out_n,
                 app_err *err)
{
    const char *p[] = {school};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_TERM_LIST, 1, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_uni_term *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        term_fill(r, i, &v[i]);
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

/* ---- offices ---- */

int
db_uni_office_holders(db_conn *c, const char *school, const char *staff_role, long long college,
                      long long *out_ids, int max, int *out_n, app_err *err)
{
    char col[24], lim[16];
    snprintf(col, sizeof(col), "%lld", college);
    snprintf(lim, sizeof(lim), "%d", max);
    const char *p[] = {school, staff_role, col, lim};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_HOLDERS, 4, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    for (int i = 0; i < n && i < max; i++)
        out_ids[i] = db_res_int(r, i, 0);
    db_res_free(r);
    *out_n = n < max ? n : max;
    return 0;
}
