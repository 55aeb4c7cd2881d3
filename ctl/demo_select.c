/*
 * ctl/demo_select.c - course selection in the demo university (issue 17,
 * docs/decisions/0041): for term 2026-2 of 中原理工大学 (4141019901), a
 * preselect round open now (today is 2026-12-07, week 14 of 2026-1) until a
 * week from now, with pre-selections by the demo students so that the first
 * section of each course is oversubscribed (half as many again as its seats:
 * the lottery has something to draw), and an add/drop round after it. Runs
 * after the catalog demo (the sections of 2026-2 must exist); changes nothing
 * when the term has a preselect round already.
 */
#include "ctl/ctl.h"
#include "db/db.h"

#include <sodium.h>
#include <stdio.h>

#define SEL_UNI "4141019901"
#define SEL_TERM "2026-2"

static const char ROUNDS_SQL[] =
    "INSERT INTO uni_round (school, term, kind, opens_at, closes_at, commitment, reveal) VALUES"
    " ($1, $2, 'preselect', now() - interval '1 hour', now() + interval '7 days',"
    " sha256($3::bytea), $3::bytea),"
    " ($1, $2, 'add_drop', now() + interval '8 days', now() + interval '15 days', NULL, NULL)";

/* the k-th section of a course takes the students whose id is k-1 modulo the
   course's sections (one live section per course and student); the first is
   filled to 1.5 x its capacity, the others to half */
static const char PRESELECT_SQL[] =
    "INSERT INTO uni_selection (student, section, school, course, term, state, source, round)"
    " SELECT u.student_id, s.id, s.school, s.course, s.term, 'preselected', 'student', r.id"
    " FROM (SELECT x.*, row_number() OVER (PARTITION BY x.course ORDER BY x.number) AS k,"
    " count(*) OVER (PARTITION BY x.course) AS n FROM uni_section x WHERE x.school = $1"
    " AND x.term = $2) s JOIN uni_round r ON r.school = $1 AND r.term = $2"
    " AND r.kind = 'preselect' CROSS JOIN LATERAL (SELECT student_id FROM uni_student u"
    " WHERE u.school = s.school AND u.state = 'studying' AND u.cohort::text || '-1' <> $2"
    " AND (s.cohort IS NULL OR u.cohort = s.cohort) AND (s.majors IS NULL OR u.major = ANY"
    " (s.majors)) AND u.student_id % s.n = s.k - 1 AND NOT EXISTS (SELECT 1 FROM uni_exemption e"
    " WHERE e.student = u.student_id AND e.course = s.course) ORDER BY u.student_id"
    " LIMIT CASE WHEN s.k = 1 THEN s.capacity * 3 / 2 + 1 ELSE s.capacity / 2 END) u"
    " ON CONFLICT DO NOTHING";

int
ctl_demo_selection(db_conn *db)
{
    app_err err = {0};
    db_res *r = NULL;
    const char *p[] = {SEL_UNI, SEL_TERM};
    if (db_exec_once(db,
                     "SELECT count(*) FROM uni_round WHERE school = $1 AND term = $2"
                     " AND kind = 'preselect'",
                     2, p, &r, &err) != 0) {
        fprintf(stderr, "demo: selection: %s\n", err.detail);
        return 1;
    }
    long long have = db_res_int(r, 0, 0);
    db_res_free(r);
    if (have > 0)
        return 0;
    unsigned char reveal[32];
    char lit[2 + 64 + 1] = "\\x";
    randombytes_buf(reveal, sizeof(reveal));
    sodium_bin2hex(lit + 2, sizeof(lit) - 2, reveal, sizeof(reveal));
    sodium_memzero(reveal, sizeof(reveal));
    const char *q[] = {SEL_UNI, SEL_TERM, lit};
    int rc = db_begin(db, &err);
    if (rc == 0)
        rc = db_exec_once(db, ROUNDS_SQL, 3, q, NULL, &err);
    sodium_memzero(lit, sizeof(lit));
    if (rc == 0)
        rc = db_exec_once(db, PRESELECT_SQL, 2, p, &r, &err);
    long long made = rc == 0 ? db_res_affected(r) : 0;
    db_res_free(r);
    if (rc == 0)
        rc = db_commit(db, &err);
    if (rc != 0) {
        db_rollback(db);
        fprintf(stderr, "demo: selection: %s\n", err.detail);
        return 1;
    }
    printf("demo: course selection of %s: a preselect round open until a week from now"
           " (%lld pre-selections), then an add/drop round\n",
           SEL_TERM, made);
    return 0;
}
