/*
 * db/promotion.c - promotion runs, set-based (see db/promotion.h).
 */
#include "db/promotion.h"

#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTIVE "('pending', 'enrolled', 'suspended')"

/* The plan: every active pupil of school $1 with its action under map $2. */
#define PLAN_WITH                                                                                  \
    "WITH m AS (SELECT * FROM json_to_recordset($2::json) AS m(g int, nx int, act text)),"         \
    " plan AS (SELECT s.id, s.name, s.grade, s.class_no, s.class_id, s.version, m.nx,"             \
    " CASE WHEN s.state = 'suspended' THEN 'suspended'"                                            \
    " WHEN s.id IN (SELECT unnest(ARRAY[p.student_id, p.other_student_id]) FROM problem p"         \
    " WHERE p.state = 'open') THEN 'student_has_problem'"                                          \
    " WHEN EXISTS (SELECT 1 FROM request_member rm WHERE rm.student_id = s.id AND rm.open)"        \
    " THEN 'student_in_flight'"                                                                    \
    " ELSE coalesce(m.act, 'grade_not_in_system') END AS act"                                      \
    " FROM student s LEFT JOIN m ON m.g = s.grade"                                                 \
    " WHERE s.school = $1 AND s.state IN " ACTIVE ")"

#define LEFT_OUT                                                                                   \
    "('student_has_problem', 'student_in_flight', 'graduation_request', "                          \
    "'grade_not_in_system')"

static const db_stmt SQL_FIND = {
    "promotion_find",
    "SELECT id, school, year, state, promoted, graduated, suspended, left_out, plan::text,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), created_org,"
    " coalesce(to_char(reverted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),"
    " coalesce(job_id, 0) FROM promotion WHERE school = $1 AND year = $2::int AND state = 'applied'"};

static const db_stmt SQL_LOCK = {
    "promotion_lock_pupils",
    "SELECT count(*) FROM (SELECT 1 FROM student WHERE school = $1 AND state IN " ACTIVE
    " ORDER BY id FOR UPDATE) AS x"};

static const db_stmt SQL_COUNTS = {"promotion_counts", PLAN_WITH
                                   " SELECT grade, coalesce(nx, -1), act, count(*) FROM plan"
                                   " GROUP BY 1, 2, 3 ORDER BY 1, 3"};

static const db_stmt SQL_LEFT = {"promotion_left", PLAN_WITH
                                 " SELECT id, name, grade, class_no, act FROM plan"
                                 " WHERE act IN " LEFT_OUT " ORDER BY grade, class_no, id"};

static const db_stmt SQL_INSERT = {
    "promotion_insert",
    "INSERT INTO promotion (school, year, promoted, graduated, suspended, left_out, plan,"
    " job_id, created_by, created_org) VALUES ($1, $2::int, $3::int, $4::int, $5::int, $6::int,"
    " $7::jsonb, nullif($8, '0')::bigint, nullif($9, '0')::bigint, $10)"
    " RETURNING id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"};

/* $3 the run, $4 the certificate prefix (school and year), $5 the first number: the
   graduates' certificate numbers in id order; version_after is the version the
   run's UPDATE gives (each record's version goes up by one) */
static const db_stmt SQL_MEMBERS = {
    "promotion_members",
    PLAN_WITH " INSERT INTO promotion_member (promotion_id, student_id, from_grade, from_class_id,"
              " class_no, to_grade, to_class_id, to_state, certificate_no, version_after)"
              " SELECT $3::bigint, id, grade, class_id, class_no,"
              " CASE WHEN act = 'promote' THEN nx ELSE grade END,"
              " CASE WHEN act = 'promote' THEN NULL ELSE class_id END,"
              " CASE WHEN act = 'promote' THEN 'enrolled' ELSE 'graduated' END,"
              " CASE WHEN act = 'graduate' THEN $4 || lpad(($5::int - 1 + row_number()"
              " OVER (PARTITION BY act ORDER BY id))::text, 5, '0') END, version + 1"
              " FROM plan WHERE act IN ('promote', 'graduate') RETURNING to_state"};

/* $1 run, $2 school, $3 labels [{g, label}] */
static const db_stmt SQL_CLASSES = {
    "promotion_classes",
    "INSERT INTO class (school, grade, number, name)"
    " SELECT DISTINCT $2, pm.to_grade, pm.class_no, l.label || '(' || pm.class_no || ')班'"
    " FROM promotion_member pm JOIN json_to_recordset($3::json) AS l(g int, label text)"
    " ON l.g = pm.to_grade WHERE pm.promotion_id = $1 AND pm.to_state = 'enrolled'"
    " ORDER BY 2, 3 ON CONFLICT (school, grade, number) DO NOTHING"};

/* a look-up per member by the class's unique key: linear whatever the plan */
static const db_stmt SQL_TO_CLASS = {
    "promotion_to_class",
    "UPDATE promotion_member pm SET to_class_id = (SELECT c.id FROM class c WHERE c.school = $2"
    " AND c.grade = pm.to_grade AND c.number = pm.class_no)"
    " WHERE pm.promotion_id = $1 AND pm.to_state = 'enrolled'"};

static const db_stmt SQL_STUDENTS = {
    "promotion_students",
    "UPDATE student s SET grade = pm.to_grade, class_id = pm.to_class_id,"
    " state = pm.to_state, version = s.version + 1, updated_at = now()"
    " FROM promotion_member pm WHERE pm.promotion_id = $1 AND s.id = pm.student_id"
    " AND s.school = $2"};

/* The change of one member: $2 = 'f' applied, 't' reverted (old and new swap). */
#define MEMBER_CHANGE                                                                              \
    "CASE WHEN pm.to_state = 'graduated' THEN jsonb_build_array(jsonb_build_object('field',"       \
    " '/state', 'old', CASE WHEN $2::bool THEN 'graduated' ELSE 'enrolled' END, 'new',"            \
    " CASE WHEN $2::bool THEN 'enrolled' ELSE 'graduated' END))"                                   \
    " ELSE jsonb_build_array(jsonb_build_object('field', '/grade', 'old',"                         \
    " (CASE WHEN $2::bool THEN pm.to_grade ELSE pm.from_grade END)::text, 'new',"                  \
    " (CASE WHEN $2::bool THEN pm.from_grade ELSE pm.to_grade END)::text)) END"

#define EVENT_TYPE                                                                                 \
    "CASE WHEN $2::bool THEN 'student.reverted' WHEN pm.to_state = 'graduated'"                    \
    " THEN 'student.graduated' ELSE 'student.promoted' END"

#define EVENT_DATA                                                                                 \
    "jsonb_strip_nulls(jsonb_build_object('type', CASE WHEN $2::bool THEN 'promotion_revert'"      \
    " ELSE 'promotion' END, 'promotion', $1::bigint, 'year', $11::int, 'state',"                   \
    " CASE WHEN $2::bool THEN 'enrolled' ELSE pm.to_state END, 'grade',"                           \
    " CASE WHEN $2::bool THEN pm.from_grade ELSE pm.to_grade END, 'from_grade',"                   \
    " CASE WHEN $2::bool THEN pm.to_grade ELSE pm.from_grade END, 'class', pm.class_no,"           \
    " 'certificate_no', CASE WHEN $2::bool THEN NULL ELSE pm.certificate_no END))"

/*
 * $1 run, $2 revert, $3 actor id, $4 actor org, $5 school, $6 authority,
 * $7 province, $8 ip, $9 user agent, $10 request id, $11 year. Three
 * statements in one round trip would need a multi-statement string, which
 * takes no parameters: one CTE writes all three tables.
 */
static const db_stmt SQL_RECORD = {
    "promotion_record",
    "WITH h AS (INSERT INTO student_history (student_id, kind, actor_id, actor_org, school,"
    " changes) SELECT pm.student_id, CASE WHEN $2::bool THEN 'revert' ELSE 'promotion' END,"
    " nullif($3, '0')::bigint, $4, $5, " MEMBER_CHANGE
    " FROM promotion_member pm WHERE pm.promotion_id = $1 RETURNING 1),"
    " e AS (INSERT INTO events (type, student_id, school, authority, province, data)"
    " SELECT " EVENT_TYPE ", pm.student_id, $5, $6, $7, " EVENT_DATA
    " FROM promotion_member pm WHERE pm.promotion_id = $1 ORDER BY pm.student_id RETURNING 1),"
    " a AS (INSERT INTO audit (actor_id, actor_org, action, target_type, target_id, ip,"
    " user_agent, request_id, detail) SELECT nullif($3, '0')::bigint, $4,"
    " CASE WHEN $2::bool THEN 'student.promotion_revert' WHEN pm.to_state = 'graduated'"
    " THEN 'student.graduate' ELSE 'student.promote' END, 'student', pm.student_id::text,"
    " $8, $9, $10, jsonb_build_object('promotion', $1::bigint, 'year', $11::int)"
    " FROM promotion_member pm WHERE pm.promotion_id = $1 ORDER BY pm.student_id RETURNING 1)"
    " SELECT (SELECT count(*) FROM h), (SELECT count(*) FROM e), (SELECT count(*) FROM a)"};

static const db_stmt SQL_LOCK_MEMBERS = {
    "promotion_lock_members",
    "SELECT count(*) FROM (SELECT 1 FROM student s JOIN promotion_member pm"
    " ON pm.student_id = s.id AND pm.promotion_id = $1 WHERE s.school = $2"
    " ORDER BY s.id FOR UPDATE OF s) AS x"};

static const db_stmt SQL_CHANGED = {
    "promotion_changed",
    "SELECT pm.student_id FROM promotion_member pm LEFT JOIN student s ON s.id = pm.student_id"
    " AND s.school = $3 WHERE pm.promotion_id = $1 AND (s.version IS DISTINCT FROM pm.version_after"
    " OR EXISTS (SELECT 1 FROM request_member rm WHERE rm.student_id = s.id AND rm.open)"
    " OR EXISTS (SELECT 1 FROM problem p WHERE p.state = 'open'"
    " AND (p.student_id = s.id OR p.other_student_id = s.id)))"
    " ORDER BY pm.student_id LIMIT $2::int"};

static const db_stmt SQL_REVERT = {
    "promotion_revert",
    "WITH u AS (UPDATE student s SET grade = pm.from_grade, class_id = pm.from_class_id,"
    " state = 'enrolled', version = s.version + 1, updated_at = now()"
    " FROM promotion_member pm WHERE pm.promotion_id = $1 AND s.id = pm.student_id"
    " AND s.school = $3 RETURNING s.id)"
    " UPDATE promotion SET state = 'reverted', reverted_by = nullif($2, '0')::bigint,"
    " reverted_at = now() WHERE id = $1 AND state = 'applied'"
    " RETURNING (SELECT count(*) FROM u)"};

static void
fill(const db_res *r, int i, app_arena *a, db_promotion *p)
{
    memset(p, 0, sizeof(*p));
    p->id = db_res_int(r, i, 0);
    snprintf(p->school, sizeof(p->school), "%s", db_res_get(r, i, 1));
    p->year = (int)db_res_int(r, i, 2);
    p->state = app_arena_strdup(a, db_res_get(r, i, 3));
    p->promoted = (int)db_res_int(r, i, 4);
    p->graduated = (int)db_res_int(r, i, 5);
    p->suspended = (int)db_res_int(r, i, 6);
    p->left_out = (int)db_res_int(r, i, 7);
    p->plan_json = app_arena_strdup(a, db_res_get(r, i, 8));
    p->created_at = app_arena_strdup(a, db_res_get(r, i, 9));
    p->created_org = app_arena_strdup(a, db_res_get(r, i, 10));
    p->reverted_at = app_arena_strdup(a, db_res_get(r, i, 11));
    p->job_id = db_res_int(r, i, 12);
}

int
db_promotion_find(db_conn *c, const char *school, int year, app_arena *a, db_promotion *out,
                  int *out_found, app_err *err)
{
    char y[16];
    snprintf(y, sizeof(y), "%d", year);
    const char *p[] = {school, y};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_FIND, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    if (*out_found)
        fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_promotion_lock_pupils(db_conn *c, const char *school, app_err *err)
{
    const char *p[] = {school};
    return db_exec(c, &SQL_LOCK, 1, p, NULL, err);
}

int
db_promotion_plan(db_conn *c, const char *school, const char *map_json, app_arena *a,
                  db_promotion_count **out_counts, int *out_ncounts, db_promotion_left **out_left,
                  int *out_nleft, app_err *err)
{
    const char *p[] = {school, map_json};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_COUNTS, 2, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_promotion_count *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        v[i].grade = (int)db_res_int(r, i, 0);
        v[i].next = (int)db_res_int(r, i, 1);
        v[i].act = app_arena_strdup(a, db_res_get(r, i, 2));
        v[i].n = (int)db_res_int(r, i, 3);
    }
    db_res_free(r);
    *out_counts = v;
    *out_ncounts = n;
    if ((rc = db_exec(c, &SQL_LEFT, 2, p, &r, err)) != 0)
        return rc;
    n = db_res_nrows(r);
    db_promotion_left *l = app_arena_alloc(a, sizeof(*l) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        l[i].id = db_res_int(r, i, 0);
        l[i].name = app_arena_strdup(a, db_res_get(r, i, 1));
        l[i].grade = (int)db_res_int(r, i, 2);
        l[i].class_no = (int)db_res_int(r, i, 3);
        l[i].reason = app_arena_strdup(a, db_res_get(r, i, 4));
    }
    db_res_free(r);
    *out_left = l;
    *out_nleft = n;
    return 0;
}

int
db_promotion_insert(db_conn *c, db_promotion *pr, long long actor_id, app_arena *a, app_err *err)
{
    char y[16], np[16], ng[16], ns[16], nl[16], job[24], by[24];
    snprintf(y, sizeof(y), "%d", pr->year);
    snprintf(np, sizeof(np), "%d", pr->promoted);
    snprintf(ng, sizeof(ng), "%d", pr->graduated);
    snprintf(ns, sizeof(ns), "%d", pr->suspended);
    snprintf(nl, sizeof(nl), "%d", pr->left_out);
    snprintf(job, sizeof(job), "%lld", pr->job_id);
    snprintf(by, sizeof(by), "%lld", actor_id);
    const char *p[] = {pr->school, y, np, ng, ns, nl, pr->plan_json, job, by, pr->created_org};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_INSERT, 10, p, &r, err);
    if (rc != 0)
        return rc;
    pr->id = db_res_int(r, 0, 0);
    pr->created_at = app_arena_strdup(a, db_res_get(r, 0, 1));
    pr->state = "applied";
    db_res_free(r);
    return 0;
}

int
db_promotion_members(db_conn *c, long long id, const char *school, const char *map_json,
                     int cert_year, int cert_first, int *out_promoted, int *out_graduated,
                     app_err *err)
{
    char k[24], prefix[24], first[16];
    snprintf(k, sizeof(k), "%lld", id);
    snprintf(prefix, sizeof(prefix), "%s%04d", school, cert_year);
    snprintf(first, sizeof(first), "%d", cert_first);
    const char *p[] = {school, map_json, k, prefix, first};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_MEMBERS, 5, p, &r, err);
    if (rc != 0)
        return rc;
    *out_promoted = *out_graduated = 0;
    for (int i = 0; i < db_res_nrows(r); i++) {
        if (strcmp(db_res_get(r, i, 0), "graduated") == 0)
            (*out_graduated)++;
        else
            (*out_promoted)++;
    }
    db_res_free(r);
    return 0;
}

int
db_promotion_apply(db_conn *c, long long id, const char *school, const char *labels_json,
                   app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", id);
    const char *pc[] = {k, school, labels_json};
    int rc;
    if ((rc = db_exec(c, &SQL_CLASSES, 3, pc, NULL, err)) != 0 ||
        (rc = db_exec(c, &SQL_TO_CLASS, 2, pc, NULL, err)) != 0)
        return rc;
    return db_exec(c, &SQL_STUDENTS, 2, pc, NULL, err);
}

int
db_promotion_record(db_conn *c, long long id, const db_promotion_who *w, int revert, app_err *err)
{
    char k[24], by[24], y[16];
    snprintf(k, sizeof(k), "%lld", id);
    snprintf(by, sizeof(by), "%lld", w->actor_id);
    snprintf(y, sizeof(y), "%d", w->year);
    const char *p[] = {k,
                       revert ? "t" : "f",
                       by,
                       w->actor_org,
                       w->school,
                       w->authority,
                       w->province,
                       w->ip,
                       w->user_agent,
                       w->request_id,
                       y};
    return db_exec(c, &SQL_RECORD, 11, p, NULL, err);
}

int
db_promotion_changed(db_conn *c, long long id, const char *school, int cap, app_arena *a,
                     long long **out, int *out_n, app_err *err)
{
    char k[24], n[16];
    snprintf(k, sizeof(k), "%lld", id);
    snprintf(n, sizeof(n), "%d", cap);
    const char *p[] = {k, n, school}, *pl[] = {k, school};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_LOCK_MEMBERS, 2, pl, NULL, err);
    if (rc == 0)
        rc = db_exec(c, &SQL_CHANGED, 3, p, &r, err);
    if (rc != 0)
        return rc;
    *out_n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(long long) * (size_t)(*out_n ? *out_n : 1));
    for (int i = 0; i < *out_n; i++)
        (*out)[i] = db_res_int(r, i, 0);
    db_res_free(r);
    return 0;
}

int
db_promotion_revert_apply(db_conn *c, long long id, const char *school, long long actor_id,
                          app_err *err)
{
    char k[24], by[24];
    snprintf(k, sizeof(k), "%lld", id);
    snprintf(by, sizeof(by), "%lld", actor_id);
    const char *p[] = {k, by, school};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_REVERT, 3, p, &r, err);
    if (rc != 0)
        return rc;
    int ok = db_res_nrows(r) == 1;
    db_res_free(r);
    return ok ? 0 : app_err_set(err, APP_ECONFLICT, "promotion_not_applied", "run %lld", id);
}

/* ------------------------------------------------------------ region jobs */

#define JOB_COLS                                                                                   \
    "j.id, j.region, j.year, j.state, j.total, j.processed, j.applied, j.skipped, j.promoted,"     \
    " j.graduated, j.errors::text,"                                                                \
    " to_char(j.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), j.created_org,"  \
    " coalesce(to_char(j.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),"   \
    " coalesce(to_char(j.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''),"  \
    " coalesce(j.created_by, 0), coalesce(u.role, ''), coalesce(j.last_school, '')"

static const db_stmt SQL_JOB_INSERT = {
    "promotion_job_insert",
    "WITH j AS (INSERT INTO promotion_job (region, year, total, created_by, created_org)"
    " SELECT $1, $3::int, count(*), nullif($4, '0')::bigint, $5 FROM school"
    " WHERE authority LIKE $2 AND NOT closed RETURNING *)"
    " SELECT " JOB_COLS " FROM j LEFT JOIN app_user u ON u.id = j.created_by"};

static const db_stmt SQL_JOB_GET = {"promotion_job_get",
                                    "SELECT " JOB_COLS " FROM promotion_job j"
                                    " LEFT JOIN app_user u ON u.id = j.created_by WHERE j.id = $1"};

static const db_stmt SQL_JOB_CLAIM = {
    "promotion_job_claim",
    "WITH j AS (UPDATE promotion_job SET state = 'running', heartbeat = now(),"
    " started_at = coalesce(started_at, now()) WHERE id = (SELECT id FROM promotion_job"
    " WHERE state = 'queued' OR (state = 'running' AND heartbeat < now() - $1::int * interval"
    " '1 second') ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING *)"
    " SELECT " JOB_COLS " FROM j LEFT JOIN app_user u ON u.id = j.created_by"};

static const db_stmt SQL_JOB_NEXT = {
    "promotion_job_next", "SELECT code FROM school WHERE authority LIKE $1 AND NOT closed"
                          " AND code > $2 ORDER BY code LIMIT 1"};

static const db_stmt SQL_JOB_STEP = {
    "promotion_job_step",
    "UPDATE promotion_job SET processed = processed + 1, last_school = $2::text,"
    " applied = applied + $3::int, skipped = skipped + 1 - $3::int,"
    " promoted = promoted + $4::int, graduated = graduated + $5::int, heartbeat = now(),"
    " errors = CASE WHEN $6::text IS NULL OR jsonb_array_length(errors) >= 1000 THEN errors"
    " ELSE errors || jsonb_build_array(jsonb_build_object('school', $2::text, 'code', $6::text))"
    " END WHERE id = $1"};

static const db_stmt SQL_JOB_FINISH = {
    "promotion_job_finish",
    "UPDATE promotion_job SET state = $2, finished_at = now(), heartbeat = now() WHERE id = $1"};

static void
job_fill(const db_res *r, app_arena *a, db_promotion_job *j)
{
    memset(j, 0, sizeof(*j));
    j->id = db_res_int(r, 0, 0);
    snprintf(j->region, sizeof(j->region), "%s", db_res_get(r, 0, 1));
    j->year = (int)db_res_int(r, 0, 2);
    j->state = app_arena_strdup(a, db_res_get(r, 0, 3));
    j->total = (int)db_res_int(r, 0, 4);
    j->processed = (int)db_res_int(r, 0, 5);
    j->applied = (int)db_res_int(r, 0, 6);
    j->skipped = (int)db_res_int(r, 0, 7);
    j->promoted = (int)db_res_int(r, 0, 8);
    j->graduated = (int)db_res_int(r, 0, 9);
    j->errors_json = app_arena_strdup(a, db_res_get(r, 0, 10));
    j->created_at = app_arena_strdup(a, db_res_get(r, 0, 11));
    j->created_org = app_arena_strdup(a, db_res_get(r, 0, 12));
    j->started_at = app_arena_strdup(a, db_res_get(r, 0, 13));
    j->finished_at = app_arena_strdup(a, db_res_get(r, 0, 14));
    j->created_by = db_res_int(r, 0, 15);
    j->role = app_arena_strdup(a, db_res_get(r, 0, 16));
    j->last_school = app_arena_strdup(a, db_res_get(r, 0, 17));
}

static int
job_one(db_conn *c, const db_stmt *st, int n, const char *const *p, app_arena *a,
        db_promotion_job *out, int *out_found, app_err *err)
{
    db_res *r = NULL;
    int rc = db_exec(c, st, n, p, &r, err);
    if (rc != 0)
        return rc;
    int found = db_res_nrows(r) == 1;
    if (found)
        job_fill(r, a, out);
    if (out_found)
        *out_found = found;
    db_res_free(r);
    return found || out_found ? 0 : app_err_set(err, APP_EINTERNAL, NULL, "no job row");
}

int
db_promotion_job_insert(db_conn *c, const char *region, const char *authority_like, int year,
                        long long actor_id, const char *actor_org, app_arena *a,
                        db_promotion_job *out, app_err *err)
{
    char y[16], by[24];
    snprintf(y, sizeof(y), "%d", year);
    snprintf(by, sizeof(by), "%lld", actor_id);
    const char *p[] = {region, authority_like, y, by, actor_org};
    return job_one(c, &SQL_JOB_INSERT, 5, p, a, out, NULL, err);
}

int
db_promotion_job_get(db_conn *c, long long id, app_arena *a, db_promotion_job *out, int *out_found,
                     app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", id);
    const char *p[] = {k};
    return job_one(c, &SQL_JOB_GET, 1, p, a, out, out_found, err);
}

int
db_promotion_job_claim(db_conn *c, int stale_s, app_arena *a, db_promotion_job *out, int *out_found,
                       app_err *err)
{
    char s[16];
    snprintf(s, sizeof(s), "%d", stale_s);
    const char *p[] = {s};
    return job_one(c, &SQL_JOB_CLAIM, 1, p, a, out, out_found, err);
}

int
db_promotion_job_next_school(db_conn *c, const char *authority_like, const char *after,
                             char out_school[11], int *out_found, app_err *err)
{
    const char *p[] = {authority_like, after};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_JOB_NEXT, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    if (*out_found)
        snprintf(out_school, 11, "%s", db_res_get(r, 0, 0));
    db_res_free(r);
    return 0;
}

int
db_promotion_job_step(db_conn *c, long long id, const char *school, int applied, int promoted,
                      int graduated, const char *code, app_err *err)
{
    char k[24], ap[8], np[16], ng[16];
    snprintf(k, sizeof(k), "%lld", id);
    snprintf(ap, sizeof(ap), "%d", applied ? 1 : 0);
    snprintf(np, sizeof(np), "%d", promoted);
    snprintf(ng, sizeof(ng), "%d", graduated);
    const char *p[] = {k, school, ap, np, ng, code};
    return db_exec(c, &SQL_JOB_STEP, 6, p, NULL, err);
}

int
db_promotion_job_finish(db_conn *c, long long id, const char *state, app_err *err)
{
    char k[24];
    snprintf(k, sizeof(k), "%lld", id);
    const char *p[] = {k, state};
    return db_exec(c, &SQL_JOB_FINISH, 2, p, NULL, err);
}
