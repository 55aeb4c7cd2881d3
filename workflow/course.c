/*
 * workflow/course.c - a university student's grade requests: 成绩复核,
 * 缓考, 重修 (see workflow/course.h, docs/decisions/0043).
 */
#include "workflow/course.h"

#include "core/uni_calendar.h"
#include "db/uni_grade.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFER_NOTICE_DAYS 7 /* 缓考: at least one week before the exam (L324) */
#define REVIEW_DUE_WEEK 3   /* 成绩复核: corrected around week 3 (L319) */
#define RETAKE_WEEKS 2      /* 重修: the first two weeks (L289) */
#define PASS_SCORE 60.0

int
wf_course_type(const wf_def *d)
{
    return d->effect == WF_E_U_GRADE_REVIEW || d->effect == WF_E_U_DEFERRED_EXAM ||
           d->effect == WF_E_U_RETAKE;
}

void
wf_course_prev_term(const char *term, char out[8])
{
    int y = atoi(term);
    if (strlen(term) == 6 && term[5] == '2')
        snprintf(out, 8, "%04d-1", y % 10000);
    else
        snprintf(out, 8, "%04d-2", (y - 1 + 10000) % 10000);
}

static long long
member_id(app_arena *a, const char *json, const char *name)
{
    const char *v = wf_payload_member(a, json, name);
    return v ? atoll(v) : 0;
}

/* YYYY-MM-DD -> YYYYMMDD. */
static int
date_int(const char *s)
{
    return s && strlen(s) == 10 ? atoi(s) * 10000 + atoi(s + 5) * 100 + atoi(s + 8) : 0;
}

/* The term today is in and its teaching week; no term begun: window_closed. */
static int
term_now(db_conn *db, const core_op *op, const char *school, db_uni_term *t, int *week,
         app_err *err)
{
    int found = 0;
    int rc = core_uni_term_at_tx(db, op, school, op->today, t, week, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ECONFLICT, "window_closed", "no term has begun");
    return rc;
}

/* The end (Sunday 23:59:59, Beijing time) of teaching week `week` of a term
   starting on `first_day`, as a step's due date. */
static const char *
week_end(app_arena *a, int first_day, int week)
{
    long d = wf_uni_days(first_day);
    long monday = d - ((d + 3) % 7); /* 1970-01-01 was a Thursday */
    int sun = wf_uni_date(monday + 7L * week - 1);
    return app_arena_printf(a, "%04d-%02d-%02dT23:59:59+08:00", sun / 10000, sun / 100 % 100,
                            sun % 100);
}

/* The student's own grade named by /payload/grade. */
static int
own_grade(db_conn *db, const core_op *op, const wf_start *a, const db_uplace *p, db_ugrade *g,
          app_err *err)
{
    int found = 0;
    int rc = db_ugrade_get(db, member_id(op->arena, a->payload_json, "grade"), 0, op->arena, g,
                           &found, err);
    if (rc == 0 && (!found || g->student != p->student_id))
        rc = wf_err_item(err, "/payload/grade", "grade_not_found");
    return rc;
}

/* ------------------------------------------------------------ 成绩复核 */

static int
start_review(db_conn *db, const core_op *op, const wf_start *a, const db_uplace *p,
             wf_uni_draft *out, app_err *err)
{
    db_uni_term t;
    int week = 0;
    int rc = term_now(db, op, p->school, &t, &week, err);
    if (rc != 0)
        return rc;
    if (week != 1)
        return app_err_set(err, APP_ECONFLICT, "window_closed", "week 1 only, now week %d", week);
    db_ugrade g;
    if ((rc = own_grade(db, op, a, p, &g, err)) != 0)
        return rc;
    if (strcmp(g.exam, "deferred") == 0)
        return wf_err_item(err, "/payload/grade", "exam_not_allowed");
    char prev[8];
    wf_course_prev_term(t.term, prev);
    if (strcmp(g.term, prev) != 0)
        return wf_err_item(err, "/payload/grade", "not_last_term");
    out->other_college = app_arena_printf(op->arena, "%lld", g.college);
    out->due = week_end(op->arena, t.first_day, REVIEW_DUE_WEEK);
    json_t *o = json_loads(out->payload, 0, NULL);
    json_object_set_new(o, "course_code", json_string(g.course_code));
    json_object_set_new(o, "term", json_string(g.term));
    json_object_set_new(o, "exam", json_string(g.exam));
    json_object_set_new(o, "score", json_string(g.score));
    out->payload = wf_json_text(op->arena, o);
    return 0;
}

/* ------------------------------------------------------------ 缓考 */

static int
start_deferral(db_conn *db, const core_op *op, const wf_start *a, const db_uplace *p,
               wf_uni_draft *out, app_err *err)
{
    db_usection s;
    int found = 0;
    long long sid = member_id(op->arena, a->payload_json, "section"), sel = 0;
    int rc = db_usection_get(db, p->school, sid, op->arena, &s, &found, err);
    if (rc != 0)
        return rc;
    if (!found || s.teacher == 0 || s.teacher_college == 0)
        return wf_err_item(err, "/payload/section", "section_not_found");
    if ((rc = db_uselection_of_course(db, p->student_id, s.course, s.term, &sel, err)) != 0)
        return rc;
    if (sel != s.id)
        return wf_err_item(err, "/payload/section", "not_selected");
    int exam =
        date_int(a->date ? a->date : wf_payload_member(op->arena, a->payload_json, "exam_date"));
    if (wf_uni_days(exam) - wf_uni_days(op->today) < DEFER_NOTICE_DAYS)
        return wf_err_item(err, "/payload/exam_date", "exam_too_soon");
    const char *kind = wf_payload_member(op->arena, a->payload_json, "reason_kind");
    if (kind && strcmp(kind, "illness") == 0 && a->nevidence == 0)
        return wf_err_item(err, "/evidence", "evidence_required");
    long long target = 0;
    if ((rc = db_usection_for_cohort(db, s.course, p->cohort + 1, atoll(p->major), &target, err)) !=
        0)
        return rc;
    out->other_college = app_arena_printf(op->arena, "%lld/%lld", s.teacher_college, s.teacher);
    json_t *o = json_loads(out->payload, 0, NULL);
    json_object_set_new(o, "course", json_integer(s.course));
    json_object_set_new(o, "course_code", json_string(s.course_code));
    json_object_set_new(o, "term", json_string(s.term));
    json_object_set_new(o, "target_cohort", json_integer(p->cohort + 1));
    json_object_set_new(o, "target_section", target ? json_integer(target) : json_null());
    out->payload = wf_json_text(op->arena, o);
    return 0;
}

/* ------------------------------------------------------------ 重修 */

/* 1 if `majors` ("{1,2}", NULL: any) holds major `m` (id as text). */
static int
majors_hold(const char *majors, const char *m)
{
    if (majors == NULL)
        return 1;
    long long want = atoll(m);
    for (const char *x = majors; *x; x++)
        if ((*x == '{' || *x == ',') && atoll(x + 1) == want)
            return 1;
    return 0;
}

/* The target section of a retake of grade `g` this term `t`. */
static int
retake_section(db_conn *db, const core_op *op, const wf_start *a, const db_uplace *p,
               const db_ugrade *g, const db_uni_term *t, int cross, db_usection *s, app_err *err)
{
    long long lower = 0, want = member_id(op->arena, a->payload_json, "section");
    int rc = db_usection_lower(db, g->course, t->term, p->cohort, atoll(p->major), &lower, err);
    if (rc != 0)
        return rc;
    if (cross && lower)
        return wf_err_item(err, "/payload/cross_major", "cross_major_not_allowed");
    if (cross && want == 0)
        return wf_err_item(err, "/payload/section", "missing_field");
    int found = 0;
    if ((rc = db_usection_get(db, p->school, want ? want : lower, op->arena, s, &found, err)) != 0)
        return rc;
    if (!found || strcmp(s->term, t->term) != 0)
        return wf_err_item(err, "/payload/section", "no_retake_section");
    int ok =
        cross ? !majors_hold(s->majors, p->major) && s->hours >= g->hours &&
                    (s->course == g->course || strcmp(s->course_name, g->course_name) == 0)
              : s->course == g->course && s->cohort > p->cohort && majors_hold(s->majors, p->major);
    return ok ? 0 : wf_err_item(err, "/payload/section", "no_retake_section");
}

static int
start_retake(db_conn *db, const core_op *op, const wf_start *a, const db_uplace *p,
             wf_uni_draft *out, app_err *err)
{
    db_uni_term t;
    int week = 0;
    int rc = term_now(db, op, p->school, &t, &week, err);
    if (rc != 0)
        return rc;
    if (week < 1 || week > RETAKE_WEEKS)
        return app_err_set(err, APP_ECONFLICT, "window_closed", "weeks 1-2 only, now %d", week);
    db_ugrade g;
    if ((rc = own_grade(db, op, a, p, &g, err)) != 0)
        return rc;
    if (strcmp(g.kind, "public_elective") == 0)
        return wf_err_item(err, "/payload/grade", "retake_excluded");
    if (atof(g.score) >= PASS_SCORE)
        return wf_err_item(err, "/payload/grade", "not_failed");
    const char *cm = wf_payload_member(op->arena, a->payload_json, "cross_major");
    int cross = cm && atoi(cm) == 1;
    db_usection s;
    if ((rc = retake_section(db, op, a, p, &g, &t, cross, &s, err)) != 0)
        return rc;
    long long pe = 0;
    if (strcmp(g.kind, "pe") == 0 && (rc = db_ucollege_pe(db, p->school, &pe, err)) != 0)
        return rc;
    out->other_college = pe ? app_arena_printf(op->arena, "%lld", pe) : p->college;
    out->cross_major = cross;
    json_t *o = json_loads(out->payload, 0, NULL);
    json_object_set_new(o, "target_section", json_integer(s.id));
    json_object_set_new(o, "course_code", json_string(g.course_code));
    json_object_set_new(o, "failed_term", json_string(g.term));
    json_object_set_new(o, "failed_score", json_string(g.score));
    out->payload = wf_json_text(op->arena, o);
    return 0;
}

int
wf_course_start(db_conn *db, const core_op *op, const wf_def *d, const wf_start *a,
                const db_uplace *p, wf_uni_draft *out, app_err *err)
{
    switch (d->effect) {
    case WF_E_U_GRADE_REVIEW:
        return start_review(db, op, a, p, out, err);
    case WF_E_U_DEFERRED_EXAM:
        return start_deferral(db, op, a, p, out, err);
    case WF_E_U_RETAKE:
        return start_retake(db, op, a, p, out, err);
    default:
        return app_err_set(err, APP_EINTERNAL, NULL, "not a grade request: %s", d->type);
    }
}

/* ------------------------------------------------------------ approval, effects */

int
wf_course_approval(db_conn *db, const core_op *op, const core_request *q, const char *score,
                   app_err *err)
{
    (void)op;
    if (score == NULL)
        return wf_err_item(err, "/score", "score_required");
    return db_request_note(db, q->id, "corrected_score", score, err);
}

static int
effect_review(db_conn *db, const core_op *op, const core_request *q, json_t *applied, app_err *err)
{
    const char *score = wf_payload_member(op->arena, q->payload_json, "corrected_score");
    db_ugrade g;
    int found = 0;
    int rc = db_ugrade_get(db, member_id(op->arena, q->payload_json, "grade"), 1, op->arena, &g,
                           &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_EINTERNAL, NULL, "grade gone");
    if (rc != 0)
        return rc;
    json_object_set_new(applied, "old_score", json_string(g.score));
    if (score == NULL || strcmp(score, "unchanged") == 0 || atof(score) == atof(g.score)) {
        json_object_set_new(applied, "unchanged", json_true());
        return 0;
    }
    json_object_set_new(applied, "new_score", json_string(score));
    return db_ugrade_correct(db, g.id, score, op->actor->user_id, q->id, "成绩复核", err);
}

static int
effect_deferral(db_conn *db, const core_op *op, const core_request *q, app_err *err)
{
    app_arena *a = op->arena;
    const char *pl = q->payload_json;
    db_udeferral d = {q->school,
                      q->student_id,
                      member_id(a, pl, "course"),
                      member_id(a, pl, "section"),
                      q->id,
                      (int)member_id(a, pl, "target_cohort"),
                      member_id(a, pl, "target_section"),
                      wf_payload_member(a, pl, "exam_date"),
                      wf_payload_member(a, pl, "reason_kind")};
    return db_udeferral_insert(db, &d, err);
}

static int
effect_retake(db_conn *db, const core_op *op, const core_request *q, app_err *err)
{
    db_usection s;
    int found = 0;
    int rc = db_usection_get(db, q->school, member_id(op->arena, q->payload_json, "target_section"),
                             op->arena, &s, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ECONFLICT, "no_retake_section", "section gone");
    if (rc == 0)
        rc = db_uselection_retake(db, q->student_id, &s, err);
    return rc;
}

int
wf_course_effect(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
                 app_err *err)
{
    json_t *applied = json_object();
    int rc;
    switch (d->effect) {
    case WF_E_U_GRADE_REVIEW:
        rc = effect_review(db, op, q, applied, err);
        break;
    case WF_E_U_DEFERRED_EXAM:
        rc = effect_deferral(db, op, q, err);
        break;
    case WF_E_U_RETAKE:
        rc = effect_retake(db, op, q, err);
        break;
    default:
        rc = app_err_set(err, APP_EINTERNAL, NULL, "not a grade request: %s", d->type);
    }
    if (rc != 0) {
        json_decref(applied);
        return rc;
    }
    json_object_set_new(applied, "effect", json_string(wf_effect_name(d->effect)));
    return db_request_set_applied(db, q->id, wf_json_text(op->arena, applied), err);
}
