/*
 * db/uni_select.c - selection rounds and selections (db/uni_select.h).
 */
#include "db/uni_select.h"

#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rounds ---- */

#define ROUND_COLS                                                                                                        \
    "id, school, term, kind," DB__TS("opens_at") "," DB__TS(                                                              \
        "closes_at") ", cohorts::text, state,"                                                                            \
                     " encode(commitment, 'hex'), CASE WHEN state <> 'scheduled' THEN encode(reveal, 'hex') END," DB__TS( \
                         "closed_at") "," DB__TS("drawn_at") ","                                                          \
                                                             " (state = 'scheduled' AND opens_at <= now() AND closes_at > now())::int, version"

static const db_stmt SQL_ROUND_INSERT = {
    "sel_round_insert",
    "INSERT INTO uni_round (school, term, kind, opens_at, closes_at, cohorts, commitment, reveal,"
    " created_by) VALUES ($1, $2, $3, to_timestamp($4::bigint), to_timestamp($5::bigint),"
    " $6::smallint[], $7::bytea, $8::bytea, nullif($9::bigint, 0)) RETURNING " ROUND_COLS};
static const db_stmt SQL_ROUND_LIST = {
    "sel_round_list", "SELECT " ROUND_COLS " FROM uni_round WHERE school = $1"
                      " AND ($2::text IS NULL OR term = $2) ORDER BY opens_at, id"};
static const db_stmt SQL_ROUND_GET = {
    "sel_round_get", "SELECT " ROUND_COLS " FROM uni_round WHERE school = $1 AND id = $2"};
/* the open round (if any) and whether an earlier preselect round waits for its draw */
static const db_stmt SQL_ROUND_NOW = {
    "sel_round_now",
    "SELECT " ROUND_COLS ", (SELECT EXISTS (SELECT 1 FROM uni_round p WHERE p.school = $1"
    " AND p.term = $2 AND p.kind = 'preselect' AND (p.state = 'closed' OR (p.state = 'scheduled'"
    " AND p.closes_at <= now()))))::int FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT * FROM"
    " uni_round WHERE school = $1 AND term = $2 AND kind IN ('preselect', 'add_drop')"
    " AND state = 'scheduled' AND opens_at <= now() AND closes_at > now()"
    " ORDER BY opens_at DESC, id DESC LIMIT 1) r ON true"};

static void
round_fill_at(const db_res *r, int i, int k, app_arena *a, db_sel_round *o)
{
    memset(o, 0, sizeof(*o));
    o->id = db_res_int(r, i, k);
    snprintf(o->school, sizeof(o->school), "%s", db_res_get(r, i, k + 1));
    snprintf(o->term, sizeof(o->term), "%s", db_res_get(r, i, k + 2));
    o->kind = app_arena_strdup(a, db_res_get(r, i, k + 3));
    o->opens_at = app_arena_strdup(a, db_res_get(r, i, k + 4));
    o->closes_at = app_arena_strdup(a, db_res_get(r, i, k + 5));
    o->cohorts = db__dup_or_null(a, r, i, k + 6);
    o->state = app_arena_strdup(a, db_res_get(r, i, k + 7));
    o->commitment = db__dup_or_null(a, r, i, k + 8);
    o->reveal = db__dup_or_null(a, r, i, k + 9);
    o->closed_at = db__dup_or_null(a, r, i, k + 10);
    o->drawn_at = db__dup_or_null(a, r, i, k + 11);
    o->open = (int)db_res_int(r, i, k + 12);
    o->version = (int)db_res_int(r, i, k + 13);
}

static void
round_fill(const db_res *r, int i, app_arena *a, db_sel_round *o)
{
    round_fill_at(r, i, 0, a, o);
}

static const char *
hex_bytea(app_arena *a, const unsigned char *b)
{
    if (b == NULL)
        return NULL;
    char *s = app_arena_alloc(a, 2 + 64 + 1);
    memcpy(s, "\\x", 2);
    for (int i = 0; i < 32; i++)
        snprintf(s + 2 + 2 * i, 3, "%02x", b[i]);
    return s;
}

int
db_sel_round_insert(db_conn *c, const db_sel_round_new *in, app_arena *a, db_sel_round *out,
                    app_err *err)
{
    char o[24], cl[24], by[24];
    snprintf(o, sizeof(o), "%lld", in->opens_at);
    snprintf(cl, sizeof(cl), "%lld", in->closes_at);
    snprintf(by, sizeof(by), "%lld", in->by_user);
    const char *p[] = {in->school,
                       in->term,
                       in->kind,
                       o,
                       cl,
                       in->cohorts,
                       hex_bytea(a, in->commitment),
                       hex_bytea(a, in->reveal),
                       by};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_ROUND_INSERT, 9, p, &r, err);
    if (rc != 0)
        return rc;
    round_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_sel_round_list(db_conn *c, const char *school, const char *term, app_arena *a,
                  db_sel_round **out, int *out_n, app_err *err)
{
    const char *p[] = {school, term};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_ROUND_LIST, 2, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(**out) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        round_fill(r, i, a, &(*out)[i]);
    *out_n = n;
    db_res_free(r);
    return 0;
}

int
db_sel_round_get(db_conn *c, const char *school, long long id, app_arena *a, db_sel_round *out,
                 int *out_found, app_err *err)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%lld", id);
    const char *p[] = {school, ids};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_ROUND_GET, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    if (*out_found)
        round_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_sel_round_now(db_conn *c, const char *school, const char *term, app_arena *a, db_sel_round *out,
                 int *out_found, int *out_undrawn, app_err *err)
{
    const char *p[] = {school, term};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_ROUND_NOW, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = !db_res_isnull(r, 0, 0);
    if (*out_found)
        round_fill(r, 0, a, out);
    *out_undrawn = (int)db_res_int(r, 0, 14);
    db_res_free(r);
    return 0;
}

/* ---- sections ---- */

/* what student ST (cohort CO, major MA: SQL expressions) has of section s */
#define SECTION_COLS_OF(ST, CO, MA)                                                                \
    "s.id, s.course, s.school, s.term, s.number, s.capacity, s.taken, coalesce(s.cohort, 0),"      \
    " s.majors::text, ((s.cohort IS NULL OR s.cohort = " CO ") AND (s.majors IS NULL"              \
    " OR " MA "::bigint = ANY (s.majors)))::int, EXISTS (SELECT 1 FROM uni_exemption e"            \
    " WHERE e.student = " ST " AND e.course = s.course)::int, coalesce((SELECT l.section FROM"     \
    " uni_selection l WHERE l.student = " ST " AND l.course = s.course AND l.term = s.term"        \
    " AND l.state IN ('preselected', 'selected')), 0), (SELECT m.state FROM uni_selection m"       \
    " WHERE m.student = " ST " AND m.section = s.id), c.code, c.name, c.kind, c.credits::text"
#define SECTION_NCOLS 17
/* $3 student, $4 cohort, $5 major */
#define SECTION_COLS SECTION_COLS_OF("$3", "$4", "$5")
#define SECTION_FROM " FROM uni_section s JOIN uni_course c ON c.id = s.course"

static const db_stmt SQL_SECTION_GET = {"sel_section_get", "SELECT " SECTION_COLS SECTION_FROM
                                                           " WHERE s.school = $1 AND s.id = $2"};
static const db_stmt SQL_SECTION_LIST = {
    "sel_section_list",
    "SELECT " SECTION_COLS SECTION_FROM " WHERE s.school = $1 AND s.term = $2"
    " AND (s.cohort IS NULL OR s.cohort = $4) AND (s.majors IS NULL OR $5::bigint = ANY (s.majors))"
    " ORDER BY c.code, s.number"};

static void
section_fill_at(const db_res *r, int i, int k, app_arena *a, db_sel_section *o)
{
    memset(o, 0, sizeof(*o));
    o->id = db_res_int(r, i, k);
    o->course = db_res_int(r, i, k + 1);
    snprintf(o->school, sizeof(o->school), "%s", db_res_get(r, i, k + 2));
    snprintf(o->term, sizeof(o->term), "%s", db_res_get(r, i, k + 3));
    o->number = (int)db_res_int(r, i, k + 4);
    o->capacity = (int)db_res_int(r, i, k + 5);
    o->taken = (int)db_res_int(r, i, k + 6);
    o->cohort = (int)db_res_int(r, i, k + 7);
    o->majors = db__dup_or_null(a, r, i, k + 8);
    o->for_student = (int)db_res_int(r, i, k + 9);
    o->exempted =
        strcmp(db_res_get(r, i, k + 10), "1") == 0 || strcmp(db_res_get(r, i, k + 10), "t") == 0;
    o->live = db_res_int(r, i, k + 11);
    o->mystate = db__dup_or_null(a, r, i, k + 12);
    o->course_code = app_arena_strdup(a, db_res_get(r, i, k + 13));
    o->course_name = app_arena_strdup(a, db_res_get(r, i, k + 14));
    o->course_kind = app_arena_strdup(a, db_res_get(r, i, k + 15));
    o->credits = app_arena_strdup(a, db_res_get(r, i, k + 16));
}

static void
section_fill(const db_res *r, int i, app_arena *a, db_sel_section *o)
{
    section_fill_at(r, i, 0, a, o);
}

int
db_sel_section_get(db_conn *c, const char *school, long long id, long long student, int cohort,
                   long long major, app_arena *a, db_sel_section *out, int *out_found, app_err *err)
{
    char ids[24], st[24], co[16], ma[24];
    snprintf(ids, sizeof(ids), "%lld", id);
    snprintf(st, sizeof(st), "%lld", student);
    snprintf(co, sizeof(co), "%d", cohort);
    snprintf(ma, sizeof(ma), "%lld", major);
    const char *p[] = {school, ids, st, co, ma};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SECTION_GET, 5, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    if (*out_found)
        section_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_sel_section_list(db_conn *c, const char *school, const char *term, long long student, int cohort,
                    long long major, app_arena *a, db_sel_section **out, int *out_n, app_err *err)
{
    char st[24], co[16], ma[24];
    snprintf(st, sizeof(st), "%lld", student);
    snprintf(co, sizeof(co), "%d", cohort);
    snprintf(ma, sizeof(ma), "%lld", major);
    const char *p[] = {school, term, st, co, ma};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SECTION_LIST, 5, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(**out) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        section_fill(r, i, a, &(*out)[i]);
    *out_n = n;
    db_res_free(r);
    return 0;
}

#define OPEN_ROUND                                                                                 \
    " kind IN ('preselect', 'add_drop') AND state = 'scheduled' AND opens_at <= now()"             \
    " AND closes_at > now()"

/* Each change is one statement: the seat, the selection row and, when the
   change happened, its audit row (docs/decisions/0046). The audit row's
   parameters are the last DB_AUDIT_NPARAMS of each statement, from
   db_audit_params (P1..P9 their placeholders); without a db_audit they are
   NULL and no row is written. */
#define SEL_AUDIT(SRC, P1, P2, P3, P4, P5, P6, P7, P8, P9, DETAIL)                                 \
    " aud AS (INSERT INTO audit (" DB_AUDIT_COLS ") SELECT nullif(" P1 "::text, '0')::bigint, " P2 \
    "::text, " P3 "::text, " P4 "::text, " P5 "::text, " P6 "::text, " P7 "::text, " P8            \
    "::text, coalesce(" P9 "::jsonb, '{}')" DETAIL " FROM " SRC " WHERE " P3                       \
    "::text IS NOT NULL RETURNING 1)"

/* ---- a change of one selection, checked and made in one statement ---- */

/* The student $1, section $2 of their university as they see it and, for
   the student's own change ($3 = 'student'), the round of its term open now
   and whether a preselect round of the term waits for its draw; then the
   verdict of the rules of docs/decisions/0041 and 0047, NULL when the change
   may be made. The statement's changes below run only without a verdict. */
#define SEL_CTX(VERDICT)                                                                           \
    " ctx AS MATERIALIZED (SELECT u.student_id, u.school, u.cohort, u.state AS ustate,"            \
    " s.id AS sid, s.course,"                                                                      \
    " s.term, ((s.cohort IS NULL OR s.cohort = u.cohort) AND (s.majors IS NULL"                    \
    " OR u.major = ANY (s.majors))) AS for_me, EXISTS (SELECT 1 FROM uni_exemption e"              \
    " WHERE e.student = u.student_id AND e.course = s.course) AS exempted, coalesce((SELECT"       \
    " l.section FROM uni_selection l WHERE l.student = u.student_id AND l.course = s.course"       \
    " AND l.term = s.term AND l.state IN ('preselected', 'selected')), 0) AS live, (SELECT"        \
    " m.state FROM uni_selection m WHERE m.student = u.student_id AND m.section = s.id) AS mine,"  \
    " r.id AS rid, r.kind, r.cohorts, EXISTS (SELECT 1 FROM uni_round p WHERE"                     \
    " p.school = u.school AND p.term = s.term AND p.kind = 'preselect' AND (p.state = 'closed'"    \
    " OR (p.state = 'scheduled' AND p.closes_at <= now()))) AS undrawn FROM uni_student u"         \
    " LEFT JOIN uni_section s ON s.school = u.school AND s.id = $2 LEFT JOIN LATERAL (SELECT id,"  \
    " kind, cohorts FROM uni_round WHERE school = u.school AND term = s.term AND" OPEN_ROUND       \
    " ORDER BY opens_at DESC, id DESC LIMIT 1) r ON $3::text = 'student'"                          \
    " WHERE u.student_id = $1), v AS (SELECT ctx.*, CASE WHEN sid IS NULL THEN 'not_found'"        \
    " WHEN $3::text = 'student' AND (rid IS NULL OR (kind = 'add_drop' AND undrawn))"              \
    " THEN 'round_closed' WHEN $3::text = 'student' AND (term = cohort || '-1'"                    \
    " OR NOT (cohorts IS NULL OR cohort = ANY (cohorts)) OR NOT for_me"                            \
    " OR ustate NOT IN ('studying', 'sitting_in')) THEN 'not_eligible'" VERDICT " END AS verdict"  \
    " FROM ctx), go AS (SELECT * FROM v WHERE verdict IS NULL),"
/* what the statement answers: the verdict (student_not_found without the
   student), the state the change made or found, the term and the cohort */
#define SEL_ANSWER(STATE, EXTRA)                                                                   \
    " SELECT CASE WHEN v.student_id IS NULL THEN 'student_not_found' ELSE v.verdict END, " STATE   \
    ", v.term, v.cohort, v.kind" EXTRA " FROM (SELECT 1) one LEFT JOIN v ON true"

/* SQL_ADD, SQL_ADD_REPLACING: $1 student, $2 section, $3 source (student,
   office), $4 the section it replaces (0: none), then the audit row's. In
   SQL_ADD_REPLACING the release of $4 runs first (the take's and the
   preselection's WHERE wait for its count), so that the live course moves
   from one section to the other within the statement. A take without its
   row aborts as a unique violation. */
#define SEL_ADD_VERDICT                                                                            \
    " WHEN exempted THEN 'course_exempted' WHEN live = sid THEN 'same'"                            \
    " WHEN $4::bigint <> 0 AND $4::bigint <> live THEN 'replaces_not_live'"                        \
    " WHEN live <> 0 AND $4::bigint = 0 THEN 'course_already_selected'"
#define SEL_RELEASE_REPLACED                                                                       \
    " rd AS (UPDATE uni_selection SET state = 'dropped', updated_at = now() WHERE student = $1"    \
    " AND section = $4 AND state = 'selected' AND EXISTS (SELECT 1 FROM go) RETURNING section),"   \
    " rp AS (DELETE FROM uni_selection WHERE student = $1 AND section = $4"                        \
    " AND state = 'preselected' AND EXISTS (SELECT 1 FROM go) RETURNING section),"                 \
    " rseat AS (UPDATE uni_section SET taken = taken - 1 WHERE id IN (SELECT section FROM rd)"     \
    " RETURNING id), released AS (SELECT (SELECT count(*) FROM rd) + (SELECT count(*) FROM rp)"    \
    " AS n),"
/* the take and the preselection, after GATE (a condition: the release's
   count, or true without one) */
#define SEL_MAKE(GATE)                                                                             \
    " lk AS (SELECT id FROM uni_round WHERE id = (SELECT rid FROM go WHERE kind = 'preselect')"    \
    " AND state = 'scheduled' AND closes_at > now() FOR SHARE), pre AS (INSERT INTO"               \
    " uni_selection (student, section, school, course, term, state, source, round)"                \
    " SELECT $1::bigint, go.sid, go.school, go.course, go.term, 'preselected', 'student', lk.id"   \
    " FROM go, lk WHERE " GATE " ON CONFLICT (student, section) DO UPDATE"                         \
    " SET state = 'preselected', source = 'student', round = excluded.round, draw_rank = NULL,"    \
    " updated_at = now() WHERE uni_selection.state IN ('not_selected', 'dropped')"                 \
    " RETURNING state), seat AS (UPDATE uni_section SET taken = taken + 1 WHERE id = (SELECT sid"  \
    " FROM go WHERE kind IS DISTINCT FROM 'preselect') AND taken < capacity"                       \
    " AND " GATE " RETURNING id), ins AS (INSERT INTO uni_selection"                               \
    " (student, section, school, course, term, state, source, round) SELECT $1::bigint, seat.id,"  \
    " go.school, go.course, go.term, 'selected', $3, go.rid FROM seat, go"                         \
    " ON CONFLICT (student, section) DO UPDATE SET state = 'selected', source = excluded.source,"  \
    " round = excluded.round, draw_rank = NULL, updated_at = now()"                                \
    " WHERE uni_selection.state IN ('not_selected', 'dropped') RETURNING state),"                  \
    " x AS (SELECT state FROM pre UNION ALL SELECT state FROM ins),"
#define SEL_ADD_ANSWER                                                                             \
    SEL_ANSWER("CASE WHEN v.verdict = 'same' THEN v.mine ELSE (SELECT state FROM x) END",          \
               ", (SELECT count(*) FROM lk), xueji_assert((SELECT count(*) FROM seat) ="           \
               " (SELECT count(*) FROM ins), '23505', 'a seat without its selection')")
#define SEL_STATE_DETAIL " || jsonb_build_object('state', x.state)"
/* Without `replaces` (the common case) the statement has no release: a
   smaller plan, less work per call. */
static const db_stmt SQL_ADD = {"sel_add",
                                "WITH" SEL_CTX(SEL_ADD_VERDICT) SEL_MAKE("true")
                                    SEL_AUDIT("x", "$5", "$6", "$7", "$8", "$9", "$10", "$11",
                                              "$12", "$13", SEL_STATE_DETAIL) SEL_ADD_ANSWER};
static const db_stmt SQL_ADD_REPLACING = {
    "sel_add_replacing",
    "WITH" SEL_CTX(SEL_ADD_VERDICT) SEL_RELEASE_REPLACED SEL_MAKE("(SELECT n FROM released) >= 0")
        SEL_AUDIT("x", "$5", "$6", "$7", "$8", "$9", "$10", "$11", "$12", "$13", SEL_STATE_DETAIL)
            SEL_ADD_ANSWER};

/* SQL_DROP: $1 student, $2 section, $3 'student', then the audit row's. A
   selected row is dropped with its seat; a preselected one is deleted. The
   audit detail gains the state: dropped (a seat freed) or removed. */
#define SEL_DROP_VERDICT                                                                           \
    " WHEN mine IS NULL OR mine NOT IN ('selected', 'preselected') THEN 'no_selection'"            \
    " WHEN kind = 'preselect' AND mine <> 'preselected' THEN 'round_closed'"
#define SEL_RELEASE                                                                                \
    " d AS (UPDATE uni_selection SET state = 'dropped', updated_at = now() WHERE student = $1"     \
    " AND section = $2 AND state = 'selected' AND EXISTS (SELECT 1 FROM go) RETURNING section),"   \
    " p AS (DELETE FROM uni_selection WHERE student = $1 AND section = $2"                         \
    " AND state = 'preselected' AND EXISTS (SELECT 1 FROM go) RETURNING section),"                 \
    " seat AS (UPDATE uni_section SET taken = taken - 1 WHERE id IN (SELECT section FROM d)"       \
    " RETURNING id), x AS (SELECT 'dropped' AS state FROM d UNION ALL SELECT 'removed' FROM p),"
static const db_stmt SQL_DROP = {"sel_drop",
                                 "WITH" SEL_CTX(SEL_DROP_VERDICT)
                                     SEL_RELEASE SEL_AUDIT("x", "$4", "$5", "$6", "$7", "$8", "$9",
                                                           "$10", "$11", "$12", SEL_STATE_DETAIL)
                                         SEL_ANSWER("(SELECT state FROM x)", "")};

/* The error of a verdict of the statement, 0 for none (the change made) and
   for `same` (nothing to make). */
static int
verdict_err(const char *v, const db_res *r, long long section, app_err *err)
{
    if (v == NULL || strcmp(v, "same") == 0)
        return 0;
    if (strcmp(v, "student_not_found") == 0)
        return app_err_set(err, APP_ENOTFOUND, "student_not_found", NULL);
    if (strcmp(v, "not_found") == 0)
        return app_err_set(err, APP_ENOTFOUND, "not_found", "section %lld", section);
    if (strcmp(v, "no_selection") == 0)
        return app_err_set(err, APP_ENOTFOUND, "not_found", "no selection");
    if (strcmp(v, "round_closed") == 0)
        return app_err_set(err, APP_ECONFLICT, "round_closed", "term %s", db_res_get(r, 0, 2));
    if (strcmp(v, "not_eligible") == 0)
        return app_err_set(err, APP_ECONFLICT, "not_eligible", "cohort %s", db_res_get(r, 0, 3));
    if (strcmp(v, "replaces_not_live") == 0) {
        app_err_field(err, "/replaces");
        return app_err_set(err, APP_EINVAL, "invalid_value", "not the live section");
    }
    /* the slug must outlive the result `v` points into: a static string */
    static const char *const conflicts[] = {"course_exempted", "course_already_selected",
                                            "section_full"};
    for (size_t i = 0; i < sizeof(conflicts) / sizeof(conflicts[0]); i++)
        if (strcmp(v, conflicts[i]) == 0)
            return app_err_set(err, APP_ECONFLICT, conflicts[i], NULL);
    return app_err_set(err, APP_EINTERNAL, "internal_error", "selection verdict %s", v);
}

int
db_sel_add(db_conn *c, const db_sel_change *in, app_arena *a, const char **out_state, int *out_made,
           app_err *err)
{
    char st[24], sec[24], rep[24], actor[24];
    snprintf(st, sizeof(st), "%lld", in->student);
    snprintf(sec, sizeof(sec), "%lld", in->section);
    snprintf(rep, sizeof(rep), "%lld", in->replaces);
    const char *p[4 + DB_AUDIT_NPARAMS] = {st, sec, in->source, rep};
    db_audit_params(in->au, actor, p + 4);
    db_res *r = NULL;
    int rc =
        db_exec(c, in->replaces ? &SQL_ADD_REPLACING : &SQL_ADD, 4 + DB_AUDIT_NPARAMS, p, &r, err);
    if (rc == APP_ECONFLICT && err != NULL)
        err->slug = "course_already_selected";
    if (rc != 0)
        return rc;
    /* verdict, state, term, cohort, kind, round held */
    const char *v = db_res_isnull(r, 0, 0) ? NULL : db_res_get(r, 0, 0);
    *out_made = v == NULL && !db_res_isnull(r, 0, 1);
    *out_state = db_res_isnull(r, 0, 1) ? NULL : app_arena_strdup(a, db_res_get(r, 0, 1));
    if (v == NULL && !*out_made) {
        /* made nothing: a preselect round closed meanwhile (its row no longer
           held) or the same student's other request made the section live;
           a take found no seat left */
        if (strcmp(db_res_get(r, 0, 4), "preselect") != 0)
            v = "section_full";
        else
            v = db_res_int(r, 0, 5) == 0 ? "round_closed" : "course_already_selected";
    }
    rc = verdict_err(v, r, in->section, err);
    db_res_free(r);
    return rc;
}

int
db_sel_drop(db_conn *c, long long student, long long section, const db_audit *au, app_arena *a,
            const char **out_state, app_err *err)
{
    char st[24], sec[24], actor[24];
    snprintf(st, sizeof(st), "%lld", student);
    snprintf(sec, sizeof(sec), "%lld", section);
    const char *p[3 + DB_AUDIT_NPARAMS] = {st, sec, "student"};
    db_audit_params(au, actor, p + 3);
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_DROP, 3 + DB_AUDIT_NPARAMS, p, &r, err);
    if (rc != 0)
        return rc;
    /* verdict, state, term, cohort, kind */
    const char *v = db_res_isnull(r, 0, 0) ? NULL : db_res_get(r, 0, 0);
    *out_state = db_res_isnull(r, 0, 1) ? NULL : app_arena_strdup(a, db_res_get(r, 0, 1));
    if (v == NULL && *out_state == NULL) /* dropped by the same student's other request */
        v = "no_selection";
    rc = verdict_err(v, r, section, err);
    db_res_free(r);
    return rc;
}

/* ---- a student's selections ---- */

static const db_stmt SQL_MINE = {
    "sel_mine",
    "SELECT x.section, x.course, s.number, c.code, c.name, c.kind, c.credits::text, x.state,"
    " x.source," DB__TS(
        "x.updated_at") ", coalesce(x.round, 0) FROM uni_selection x"
                        " JOIN uni_section s ON s.id = x.section JOIN uni_course c ON c.id = x.course"
                        " WHERE x.student = $1 AND x.term = $2 ORDER BY c.code, s.number"};
/* the plan's term number of the term: (year - cohort) * 2 + half */
static const db_stmt SQL_PLAN_MISSING = {
    "sel_plan_missing",
    "SELECT c.id, c.code, c.name, c.kind FROM uni_plan_course p JOIN uni_course c ON c.id ="
    " p.course WHERE p.major = $2 AND p.cohort = $3 AND c.kind = $5 AND p.term_no ="
    " (left($4, 4)::int - $3::int) * 2 + right($4, 1)::int AND NOT EXISTS (SELECT 1 FROM"
    " uni_selection x WHERE x.student = $1 AND x.course = c.id AND x.term = $4 AND x.state IN"
    " ('preselected', 'selected')) AND NOT EXISTS (SELECT 1 FROM uni_exemption e WHERE"
    " e.student = $1 AND e.course = c.id) ORDER BY c.code"};

int
db_sel_mine(db_conn *c, long long student, const char *term, app_arena *a, db_sel_row **out,
            int *out_n, app_err *err)
{
    char st[24];
    snprintf(st, sizeof(st), "%lld", student);
    const char *p[] = {st, term};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_MINE, 2, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(**out) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        db_sel_row *o = &(*out)[i];
        o->section = db_res_int(r, i, 0);
        o->course = db_res_int(r, i, 1);
        o->number = (int)db_res_int(r, i, 2);
        o->course_code = app_arena_strdup(a, db_res_get(r, i, 3));
        o->course_name = app_arena_strdup(a, db_res_get(r, i, 4));
        o->course_kind = app_arena_strdup(a, db_res_get(r, i, 5));
        o->credits = app_arena_strdup(a, db_res_get(r, i, 6));
        o->state = app_arena_strdup(a, db_res_get(r, i, 7));
        o->source = app_arena_strdup(a, db_res_get(r, i, 8));
        o->updated_at = app_arena_strdup(a, db_res_get(r, i, 9));
        o->round = db_res_int(r, i, 10);
    }
    *out_n = n;
    db_res_free(r);
    return 0;
}

int
db_sel_plan_missing(db_conn *c, long long student, long long major, int cohort, const char *term,
                    const char *kind, app_arena *a, db_sel_course **out, int *out_n, app_err *err)
{
    char st[24], ma[24], co[16];
    snprintf(st, sizeof(st), "%lld", student);
    snprintf(ma, sizeof(ma), "%lld", major);
    snprintf(co, sizeof(co), "%d", cohort);
    const char *p[] = {st, ma, co, term, kind};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_PLAN_MISSING, 5, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out = app_arena_alloc(a, sizeof(**out) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        (*out)[i].id = db_res_int(r, i, 0);
        (*out)[i].code = app_arena_strdup(a, db_res_get(r, i, 1));
        (*out)[i].name = app_arena_strdup(a, db_res_get(r, i, 2));
        (*out)[i].kind = app_arena_strdup(a, db_res_get(r, i, 3));
    }
    *out_n = n;
    db_res_free(r);
    return 0;
}

/* ---- preload ---- */

static const db_stmt SQL_PRELOAD = {
    "sel_preload",
    "WITH sec AS (SELECT id, school, course, term, cohort, majors, capacity - taken AS free"
    " FROM uni_section WHERE school = $1 AND id = $2 FOR UPDATE),"
    " cand AS (SELECT u.student_id AS student, EXISTS (SELECT 1 FROM uni_selection x"
    " WHERE x.student = u.student_id AND x.course = sec.course AND x.term = sec.term"
    " AND x.state IN ('preselected', 'selected')) AS live FROM sec JOIN uni_student u"
    " ON u.school = sec.school AND u.state = 'studying' AND (sec.cohort IS NULL"
    " OR u.cohort = sec.cohort) AND (sec.majors IS NULL OR u.major = ANY (sec.majors))"
    " JOIN uni_plan_course p ON p.major = u.major AND p.cohort = u.cohort"
    " AND p.course = sec.course AND p.term_no = (left(sec.term, 4)::int - u.cohort) * 2"
    " + right(sec.term, 1)::int WHERE NOT EXISTS (SELECT 1 FROM uni_exemption e"
    " WHERE e.student = u.student_id AND e.course = sec.course)),"
    " pick AS (SELECT student FROM cand WHERE NOT live ORDER BY student"
    " LIMIT (SELECT greatest(free, 0) FROM sec)),"
    " ins AS (INSERT INTO uni_selection (student, section, school, course, term, state, source)"
    " SELECT pick.student, sec.id, sec.school, sec.course, sec.term, 'selected', 'preload'"
    " FROM pick, sec ON CONFLICT (student, section) DO UPDATE SET state = 'selected',"
    " source = 'preload', round = NULL, draw_rank = NULL, updated_at = now()"
    " WHERE uni_selection.state IN ('not_selected', 'dropped') RETURNING 1),"
    " upd AS (UPDATE uni_section s SET taken = s.taken + (SELECT count(*) FROM ins)"
    " FROM sec WHERE s.id = sec.id RETURNING s.id)"
    " SELECT (SELECT count(*) FROM sec), (SELECT count(*) FROM cand WHERE live),"
    " (SELECT count(*) FROM ins), (SELECT count(*) FROM cand WHERE NOT live)"
    " - (SELECT count(*) FROM ins), (SELECT count(*) FROM upd)"};

int
db_sel_preload(db_conn *c, const char *school, long long id, int *out_found, int *already,
               int *preloaded, int *no_seat, app_err *err)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%lld", id);
    const char *p[] = {school, ids};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_PRELOAD, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_int(r, 0, 0) > 0;
    *already = (int)db_res_int(r, 0, 1);
    *preloaded = (int)db_res_int(r, 0, 2);
    *no_seat = (int)db_res_int(r, 0, 3);
    db_res_free(r);
    return 0;
}
