/*
 * db/uni_grade.c - grades, their history, deferrals and retake seats of a
 * university (db/uni_grade.h).
 */
#include "db/uni_grade.h"

#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- statements ---- */

#define SECTION_COLS                                                                               \
    "x.id, x.course, c.college, x.school, x.term, c.code, c.name, c.kind, c.credits::text,"        \
    " x.number, c.hours, coalesce(x.cohort, 0), coalesce(x.teacher, 0), coalesce(u.college, 0),"   \
    " x.majors::text, x.capacity, x.taken"
#define SECTION_FROM                                                                               \
    " FROM uni_section x JOIN uni_course c ON c.id = x.course"                                     \
    " LEFT JOIN app_user u ON u.id = x.teacher"
static const db_stmt SQL_SECTION_GET = {"ugrade_section_get",
                                        "SELECT " SECTION_COLS SECTION_FROM
                                        " WHERE x.id = $1 AND ($2 = '' OR x.school = $2)"};

/* a live deferral of section $1's exam (from), or one that sits it (to):
   the same course, this section or, with none named, a section meant for
   the target cohort */
static const db_stmt SQL_WHO = {
    "ugrade_who",
    "SELECT u.student_id, s.state, s.source,"
    " EXISTS (SELECT 1 FROM uni_deferral d WHERE d.student = u.student_id AND d.section = $1"
    "   AND NOT d.revoked),"
    " EXISTS (SELECT 1 FROM uni_deferral d WHERE d.student = u.student_id AND NOT d.revoked"
    "   AND d.course = $3 AND (d.target_section = $1 OR (d.target_section IS NULL"
    "   AND d.target_cohort = $4)))"
    " FROM unnest($5::text[]) WITH ORDINALITY n (no, i)"
    " LEFT JOIN uni_student u ON u.school = $2 AND u.student_no = n.no"
    " LEFT JOIN uni_selection s ON s.student = u.student_id AND s.section = $1"
    " ORDER BY n.i"};

/* the history first (the rows locked by SQL_PUT_LOCK), then the scores */
#define PUT_ITEMS                                                                                  \
    "WITH n AS (SELECT * FROM unnest($2::bigint[], $3::text[], $4::numeric[])"                     \
    "   AS n (student, exam, score)) "
static const db_stmt SQL_PUT_HISTORY = {
    "ugrade_put_history",
    PUT_ITEMS "INSERT INTO uni_grade_change (grade, old_score, new_score, changed_by)"
              " SELECT g.id, g.score, n.score, $5 FROM uni_grade g JOIN n ON g.student = n.student"
              " AND g.section = $1 AND g.exam = n.exam WHERE g.score <> n.score"};
static const db_stmt SQL_PUT = {
    "ugrade_put",
    PUT_ITEMS "INSERT INTO uni_grade (school, student, section, course, term, exam, score,"
              " posted_by) SELECT $6, n.student, $1, $7, $8, n.exam, n.score, $5 FROM n"
              " ON CONFLICT (student, section, exam) DO UPDATE SET score = EXCLUDED.score,"
              " posted_by = EXCLUDED.posted_by, updated_at = now(),"
              " version = uni_grade.version + 1 WHERE uni_grade.score <> EXCLUDED.score"};

/* puts of one section one after the other (a first posting racing another
   would otherwise skip its history row), and the rows a put may change
   locked (a review's correction): the history then reads the latest scores */
static const db_stmt SQL_PUT_LOCK = {
    "ugrade_put_lock",
    "SELECT pg_advisory_xact_lock(hashtextextended('uni_grade_put:' || $1::text, 0)),"
    " (SELECT count(*) FROM (SELECT 1 FROM uni_grade WHERE section = $1::bigint"
    " AND student = ANY ($2::bigint[]) FOR UPDATE) l)"};

#define GRADE_COLS                                                                                 \
    "g.id, g.student, g.section, g.course, c.college, u.student_no, g.term, g.exam,"               \
    " g.score::text, c.code, c.name, c.kind, c.credits::text, " DB__TS("g.posted_at") "," DB__TS(  \
        "g.updated_at") ", x.number, g.version, coalesce(x.teacher, 0), c.hours"
#define GRADE_FROM                                                                                 \
    " FROM uni_grade g JOIN uni_course c ON c.id = g.course JOIN uni_section x ON"                 \
    " x.id = g.section JOIN uni_student u ON u.student_id = g.student"
static const db_stmt SQL_OF_SECTION = {"ugrade_of_section",
                                       "SELECT " GRADE_COLS GRADE_FROM " WHERE g.section = $1"
                                       " ORDER BY u.student_no, g.exam"};
static const db_stmt SQL_OF_STUDENT = {"ugrade_of_student",
                                       "SELECT " GRADE_COLS GRADE_FROM
                                       " WHERE g.student = $1 AND ($2 = '' OR g.term = $2)"
                                       " ORDER BY g.term, c.code, g.exam"};
static const db_stmt SQL_GET = {"ugrade_get", "SELECT " GRADE_COLS GRADE_FROM " WHERE g.id = $1"};
static const db_stmt SQL_GET_LOCK = {"ugrade_get_lock", "SELECT " GRADE_COLS GRADE_FROM
                                                        " WHERE g.id = $1 FOR UPDATE OF g"};
static const db_stmt SQL_CHANGES = {
    "ugrade_changes",
    "SELECT grade, coalesce(changed_by, 0), coalesce(request, 0), old_score::text,"
    " new_score::text, reason, " DB__TS(
        "changed_at") " FROM uni_grade_change"
                      " WHERE grade = ANY($1::bigint[]) ORDER BY grade, id"};
static const db_stmt SQL_CORRECT = {
    "ugrade_correct",
    "WITH old AS (SELECT id, score FROM uni_grade WHERE id = $1),"
    " up AS (UPDATE uni_grade SET score = $2, updated_at = now(), version = version + 1"
    "   WHERE id = $1 RETURNING id, score)"
    " INSERT INTO uni_grade_change (grade, old_score, new_score, changed_by, request, reason)"
    " SELECT up.id, old.score, up.score, $3, $4, nullif($5, '') FROM up JOIN old ON"
    " old.id = up.id"};
static const db_stmt SQL_SEL_OF_COURSE = {
    "uselection_of_course", "SELECT section FROM uni_selection WHERE student = $1 AND course = $2"
                            " AND term = $3 AND state = 'selected'"};
static const db_stmt SQL_LOWER = {"usection_lower",
                                  "SELECT id FROM uni_section WHERE course = $1 AND term = $2"
                                  " AND cohort > $3 AND (majors IS NULL OR $4 = ANY (majors))"
                                  " ORDER BY cohort, number LIMIT 1"};
static const db_stmt SQL_FOR_COHORT = {
    "usection_for_cohort", "SELECT id FROM uni_section WHERE course = $1 AND cohort = $2"
                           " AND (majors IS NULL OR $3 = ANY (majors))"
                           " ORDER BY term, number LIMIT 1"};
static const db_stmt SQL_SEAT = {"uselection_seat",
                                 "UPDATE uni_section SET taken = taken + 1, version = version + 1"
                                 " WHERE id = $1 AND taken < capacity"};
static const db_stmt SQL_LIVE_OF_COURSE = {
    "uselection_live", "SELECT 1 FROM uni_selection WHERE student = $1 AND course = $2"
                       " AND term = $3 AND state IN ('preselected', 'selected')"};
static const db_stmt SQL_RETAKE = {
    "uselection_retake",
    "INSERT INTO uni_selection (student, section, school, course, term, state, source)"
    " VALUES ($1, $2, $3, $4, $5, 'selected', 'retake') ON CONFLICT (student, section)"
    " DO UPDATE SET state = 'selected', source = 'retake', updated_at = now()"};
static const db_stmt SQL_DEFERRAL_INSERT = {
    "udeferral_insert",
    "INSERT INTO uni_deferral (school, student, course, section, target_cohort, target_section,"
    " exam_date, reason_kind, request) VALUES ($1, $2, $3, $4, $5, nullif($6::bigint, 0),"
    " $7::date, $8, $9)"};
static const db_stmt SQL_DEFERRAL_LIVE = {
    "udeferral_live",
    "SELECT 1 FROM uni_deferral WHERE student = $1 AND course = $2 AND NOT revoked"};

static const db_stmt SQL_PE_COLLEGE = {"ucollege_pe",
                                       "SELECT id FROM uni_college WHERE school = $1 AND is_pe"};
static const db_stmt SQL_REQUEST_NOTE = {
    "urequest_note",
    "UPDATE request SET payload = payload || jsonb_build_object($2::text, $3::text)"
    " WHERE id = $1"};

/* ---- helpers ---- */

static const char *
num(app_arena *a, long long v)
{
    return app_arena_printf(a, "%lld", v);
}

static const char *
dup(app_arena *a, const db_res *r, int i, int k)
{
    return db__dup_or_null(a, r, i, k);
}

/* One row of a query with params p: *out the first column as an integer
   (0 when no row). */
static int
one_int(db_conn *c, const db_stmt *st, int np, const char *const *p, long long *out, app_err *err)
{
    db_res *r = NULL;
    int rc = db_exec(c, st, np, p, &r, err);
    if (rc != 0)
        return rc;
    *out = db_res_nrows(r) > 0 ? db_res_int(r, 0, 0) : 0;
    db_res_free(r);
    return 0;
}

/* "{a,b}" of words checked by the caller (letters and digits only). */
static const char *
text_array(app_arena *a, const char *const *v, int n)
{
    size_t len = 3;
    for (int i = 0; i < n; i++)
        len += strlen(v[i]) + 1;
    char *s = app_arena_alloc(a, len);
    size_t k = 0;
    s[k++] = '{';
    for (int i = 0; i < n; i++) {
        size_t m = strlen(v[i]);
        if (i)
            s[k++] = ',';
        memcpy(s + k, v[i], m);
        k += m;
    }
    s[k++] = '}';
    s[k] = 0;
    return s;
}

/* ---- sections ---- */

int
db_usection_get(db_conn *c, const char *school, long long id, app_arena *a, db_usection *o,
                int *out_found, app_err *err)
{
    const char *p[] = {num(a, id), school ? school : ""};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SECTION_GET, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    if (*out_found) {
        memset(o, 0, sizeof(*o));
        o->id = db_res_int(r, 0, 0);
        o->course = db_res_int(r, 0, 1);
        o->college = db_res_int(r, 0, 2);
        o->school = dup(a, r, 0, 3);
        o->term = dup(a, r, 0, 4);
        o->course_code = dup(a, r, 0, 5);
        o->course_name = dup(a, r, 0, 6);
        o->kind = dup(a, r, 0, 7);
        o->credits = dup(a, r, 0, 8);
        o->number = (int)db_res_int(r, 0, 9);
        o->hours = (int)db_res_int(r, 0, 10);
        o->cohort = (int)db_res_int(r, 0, 11);
        o->teacher = db_res_int(r, 0, 12);
        o->teacher_college = db_res_int(r, 0, 13);
        o->majors = dup(a, r, 0, 14);
        o->capacity = (int)db_res_int(r, 0, 15);
        o->taken = (int)db_res_int(r, 0, 16);
    }
    db_res_free(r);
    return 0;
}

/* ---- grades ---- */

int
db_ugrade_whos(db_conn *c, const db_usection *s, const char *const *nos, int n, app_arena *a,
               db_ugrade_who *out, app_err *err)
{
    const char *p[] = {num(a, s->id), s->school, num(a, s->course), num(a, s->cohort),
                       text_array(a, nos, n)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_WHO, 5, p, &r, err);
    if (rc != 0)
        return rc;
    for (int i = 0; i < n && i < db_res_nrows(r); i++) {
        db_ugrade_who *w = &out[i];
        w->student = db_res_isnull(r, i, 0) ? 0 : db_res_int(r, i, 0);
        w->sel_state = dup(a, r, i, 1);
        w->sel_source = dup(a, r, i, 2);
        w->deferred_from = strcmp(db_res_get(r, i, 3), "t") == 0;
        w->deferred_to = strcmp(db_res_get(r, i, 4), "t") == 0;
    }
    db_res_free(r);
    return 0;
}

int
db_ugrade_put(db_conn *c, const db_usection *s, const long long *students, const char *const *exams,
              const char *const *scores, int n, long long user, int *out_created, int *out_changed,
              app_err *err)
{
    app_arena *a = app_arena_new();
    if (a == NULL)
        return app_err_set(err, APP_EINTERNAL, NULL, "out of memory");
    const char *p[] = {num(a, s->id),
                       db_id_array(a, students, n),
                       text_array(a, exams, n),
                       text_array(a, scores, n),
                       num(a, user),
                       s->school,
                       num(a, s->course),
                       s->term};
    db_res *r = NULL, *h = NULL;
    int rc = db_exec(c, &SQL_PUT_LOCK, 2, p, NULL, err);
    if (rc == 0)
        rc = db_exec(c, &SQL_PUT_HISTORY, 5, p, &h, err);
    if (rc == 0)
        rc = db_exec(c, &SQL_PUT, 8, p, &r, err);
    app_arena_free(a);
    if (rc != 0) {
        db_res_free(h);
        return rc;
    }
    *out_changed = (int)db_res_affected(h);
    *out_created = (int)db_res_affected(r) - *out_changed;
    db_res_free(h);
    db_res_free(r);
    return 0;
}
static void
grade_fill(const db_res *r, int i, app_arena *a, db_ugrade *o)
{
    memset(o, 0, sizeof(*o));
    o->id = db_res_int(r, i, 0);
    o->student = db_res_int(r, i, 1);
    o->section = db_res_int(r, i, 2);
    o->course = db_res_int(r, i, 3);
    o->college = db_res_int(r, i, 4);
    o->student_no = dup(a, r, i, 5);
    o->term = dup(a, r, i, 6);
    o->exam = dup(a, r, i, 7);
    o->score = dup(a, r, i, 8);
    o->course_code = dup(a, r, i, 9);
    o->course_name = dup(a, r, i, 10);
    o->kind = dup(a, r, i, 11);
    o->credits = dup(a, r, i, 12);
    o->posted_at = dup(a, r, i, 13);
    o->updated_at = dup(a, r, i, 14);
    o->section_number = (int)db_res_int(r, i, 15);
    o->version = (int)db_res_int(r, i, 16);
    o->teacher = db_res_int(r, i, 17);
    o->hours = (int)db_res_int(r, i, 18);
}

static int
grade_rows(db_conn *c, const db_stmt *st, int np, const char *const *p, app_arena *a,
           db_ugrade **out, int *out_n, app_err *err)
{
    db_res *r = NULL;
    int rc = db_exec(c, st, np, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_ugrade *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        grade_fill(r, i, a, &v[i]);
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

int
db_ugrade_of_section(db_conn *c, long long section, app_arena *a, db_ugrade **out, int *out_n,
                     app_err *err)
{
    const char *p[] = {num(a, section)};
    return grade_rows(c, &SQL_OF_SECTION, 1, p, a, out, out_n, err);
}

int
db_ugrade_of_student(db_conn *c, long long student, const char *term, app_arena *a, db_ugrade **out,
                     int *out_n, app_err *err)
{
    const char *p[] = {num(a, student), term ? term : ""};
    return grade_rows(c, &SQL_OF_STUDENT, 2, p, a, out, out_n, err);
}

int
db_ugrade_get(db_conn *c, long long id, int lock, app_arena *a, db_ugrade *out, int *out_found,
              app_err *err)
{
    const char *p[] = {num(a, id)};
    db_ugrade *v;
    int n = 0;
    int rc = grade_rows(c, lock ? &SQL_GET_LOCK : &SQL_GET, 1, p, a, &v, &n, err);
    if (rc != 0)
        return rc;
    *out_found = n == 1;
    if (n == 1)
        *out = v[0];
    return 0;
}

int
db_ugrade_changes(db_conn *c, const long long *ids, int n, app_arena *a, db_ugrade_change **out,
                  int *out_n, app_err *err)
{
    const char *p[] = {db_id_array(a, ids, n)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CHANGES, 1, p, &r, err);
    if (rc != 0)
        return rc;
    int m = db_res_nrows(r);
    db_ugrade_change *v = app_arena_alloc(a, sizeof(*v) * (size_t)(m ? m : 1));
    for (int i = 0; i < m; i++) {
        v[i].grade = db_res_int(r, i, 0);
        v[i].changed_by = db_res_int(r, i, 1);
        v[i].request = db_res_int(r, i, 2);
        v[i].old_score = dup(a, r, i, 3);
        v[i].new_score = dup(a, r, i, 4);
        v[i].reason = dup(a, r, i, 5);
        v[i].changed_at = dup(a, r, i, 6);
    }
    db_res_free(r);
    *out = v;
    *out_n = m;
    return 0;
}

int
db_ugrade_correct(db_conn *c, long long id, const char *score, long long user, long long request,
                  const char *reason, app_err *err)
{
    char s1[24], s3[24], s4[24];
    snprintf(s1, sizeof(s1), "%lld", id);
    snprintf(s3, sizeof(s3), "%lld", user);
    snprintf(s4, sizeof(s4), "%lld", request);
    const char *p[] = {s1, score, s3, s4, reason ? reason : ""};
    return db_exec(c, &SQL_CORRECT, 5, p, NULL, err);
}

/* ---- selections and deferrals ---- */

int
db_uselection_of_course(db_conn *c, long long student, long long course, const char *term,
                        long long *out_section, app_err *err)
{
    char s1[24], s2[24];
    snprintf(s1, sizeof(s1), "%lld", student);
    snprintf(s2, sizeof(s2), "%lld", course);
    const char *p[] = {s1, s2, term};
    return one_int(c, &SQL_SEL_OF_COURSE, 3, p, out_section, err);
}

int
db_usection_lower(db_conn *c, long long course, const char *term, int cohort, long long major,
                  long long *out, app_err *err)
{
    char s1[24], s3[24], s4[24];
    snprintf(s1, sizeof(s1), "%lld", course);
    snprintf(s3, sizeof(s3), "%d", cohort);
    snprintf(s4, sizeof(s4), "%lld", major);
    const char *p[] = {s1, term, s3, s4};
    return one_int(c, &SQL_LOWER, 4, p, out, err);
}

int
db_usection_for_cohort(db_conn *c, long long course, int cohort, long long major, long long *out,
                       app_err *err)
{
    char s1[24], s2[24], s3[24];
    snprintf(s1, sizeof(s1), "%lld", course);
    snprintf(s2, sizeof(s2), "%d", cohort);
    snprintf(s3, sizeof(s3), "%lld", major);
    const char *p[] = {s1, s2, s3};
    return one_int(c, &SQL_FOR_COHORT, 3, p, out, err);
}

int
db_uselection_retake(db_conn *c, long long student, const db_usection *s, app_err *err)
{
    char st[24], sec[24], co[24];
    snprintf(st, sizeof(st), "%lld", student);
    snprintf(sec, sizeof(sec), "%lld", s->id);
    snprintf(co, sizeof(co), "%lld", s->course);
    const char *pl[] = {st, co, s->term};
    long long live = 0;
    int rc = one_int(c, &SQL_LIVE_OF_COURSE, 3, pl, &live, err);
    if (rc != 0)
        return rc;
    if (live)
        return app_err_set(err, APP_ECONFLICT, "course_already_selected",
                           "live selection of course");
    const char *ps[] = {sec};
    db_res *r = NULL;
    if ((rc = db_exec(c, &SQL_SEAT, 1, ps, &r, err)) != 0)
        return rc;
    long long got = db_res_affected(r);
    db_res_free(r);
    if (got != 1)
        return app_err_set(err, APP_ECONFLICT, "section_full", "no seat left");
    const char *p[] = {st, sec, s->school, co, s->term};
    return db_exec(c, &SQL_RETAKE, 5, p, NULL, err);
}

int
db_udeferral_insert(db_conn *c, const db_udeferral *d, app_err *err)
{
    char st[24], co[24], se[24], tc[24], ts[24], rq[24];
    snprintf(st, sizeof(st), "%lld", d->student);
    snprintf(co, sizeof(co), "%lld", d->course);
    snprintf(se, sizeof(se), "%lld", d->section);
    snprintf(tc, sizeof(tc), "%d", d->target_cohort);
    snprintf(ts, sizeof(ts), "%lld", d->target_section);
    snprintf(rq, sizeof(rq), "%lld", d->request);
    const char *p[] = {d->school, st, co, se, tc, ts, d->exam_date, d->reason_kind, rq};
    return db_exec(c, &SQL_DEFERRAL_INSERT, 9, p, NULL, err);
}

int
db_udeferral_live(db_conn *c, long long student, long long course, int *out, app_err *err)
{
    char st[24], co[24];
    snprintf(st, sizeof(st), "%lld", student);
    snprintf(co, sizeof(co), "%lld", course);
    const char *p[] = {st, co};
    long long v = 0;
    int rc = one_int(c, &SQL_DEFERRAL_LIVE, 2, p, &v, err);
    *out = v != 0;
    return rc;
}

int
db_ucollege_pe(db_conn *c, const char *school, long long *out, app_err *err)
{
    const char *p[] = {school};
    return one_int(c, &SQL_PE_COLLEGE, 1, p, out, err);
}

int
db_request_note(db_conn *c, long long request, const char *key, const char *value, app_err *err)
{
    char id[24];
    snprintf(id, sizeof(id), "%lld", request);
    const char *p[] = {id, key, value};
    return db_exec(c, &SQL_REQUEST_NOTE, 3, p, NULL, err);
}
