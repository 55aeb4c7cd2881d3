/*
 * workflow/creq.c - starting the course requests of a university's
 * students: windows, eligibility and every listed course or section
 * checked (see workflow/creq.h, docs/decisions/0044).
 */
#include "workflow/creq.h"

#include "base/buf.h"
#include "core/uni_calendar.h"
#include "db/creq.h"
#include "workflow/payload.h"
#include "workflow/uni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TERMS 64
#define PASS_EXEMPT 800 /* 良好: 80.0, in tenths */
#define PASS_COVER 600  /* passed: 60.0 */

/* One start: where it reads and reports. */
typedef struct cctx {
    db_conn *db;
    const core_op *op;
    const wf_start *a;
    const db_uplace *p;
    app_err *err;
    int bad; /* an item was added */
} cctx;

int
wf_creq_is(const wf_def *d)
{
    return d->effect == WF_E_U_EXEMPT || d->effect == WF_E_U_SUBSTITUTE ||
           d->effect == WF_E_U_COVER || d->effect == WF_E_U_LATE;
}

/* An item at /payload/<list>/<i>[/<member>]. */
static void
bad_item(cctx *c, const char *list, size_t i, const char *member, const char *code)
{
    const char *ptr = member ? app_arena_printf(c->op->arena, "/payload/%s/%zu/%s", list, i, member)
                             : app_arena_printf(c->op->arena, "/payload/%s/%zu", list, i);
    app_err_add(c->err, ptr, code, NULL);
    c->bad = 1;
}

static int
in_ids(const json_t *ids, long long id)
{
    size_t i;
    json_t *x;
    json_array_foreach(ids, i, x) if (json_integer_value(x) == id) return 1;
    return 0;
}

/*
 * The course (课程号) at item i of `list` (`member` of it, or the item
 * itself): *out its id, 0 after an item was added. `own`: a course the
 * request is about, so neither listed twice (`seen`) nor exempted already.
 */
static int
course_item(cctx *c, json_t *v, const char *list, size_t i, const char *member, int own,
            const json_t *seen, long long *out)
{
    *out = 0;
    const char *code = json_string_value(v);
    if (code == NULL || !*code || strlen(code) > 16) {
        bad_item(c, list, i, member, v ? "wrong_type" : "missing_field");
        return 0;
    }
    long long id = 0;
    int rc = db_creq_course_find(c->db, c->p->school, code, &id, c->err), ex = 0;
    if (rc != 0)
        return rc;
    if (id == 0) {
        bad_item(c, list, i, member, "unknown_course");
        return 0;
    }
    if (own && in_ids(seen, id)) {
        bad_item(c, list, i, member, "duplicate_course");
        return 0;
    }
    if (own && (rc = db_creq_exempted(c->db, c->p->student_id, id, &ex, c->err)) != 0)
        return rc;
    if (ex) {
        bad_item(c, list, i, member, "course_already_exempted");
        return 0;
    }
    *out = id;
    return 0;
}

/* Members of item object `o` other than `names`: unknown_field. */
static void
unknown_members(cctx *c, json_t *o, const char *list, size_t i, const char *const *names)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        int known = 0;
        for (const char *const *n = names; *n && !known; n++)
            known = strcmp(*n, k) == 0;
        if (!known)
            bad_item(c, list, i, app_arena_printf(c->op->arena, "%.40s", k), "unknown_field");
    }
}

/* The stored payload with `key` set to the ids (reference taken). */
static void
with_ids(cctx *c, const char **payload, const char *key, json_t *ids)
{
    *payload = wf_payload_with(c->op->arena, *payload, key, ids);
}

static int
finish(cctx *c, json_t *pl, int rc)
{
    json_decref(pl);
    return rc != 0 ? rc : c->bad ? APP_EINVAL : 0;
}

/* ------------------------------------------------------------ 课程免修 */

/* Within 3 days of the 调整年级通知单; each course passed with >= 80 before
   it and in the new cohort's plan. */
static int
start_exemption(cctx *c, json_t *pl, const char **payload)
{
    int issued = 0, to = 0, found = 0;
    int rc = db_creq_notice_latest(c->db, c->p->student_id, &issued, &to, &found, c->err);
    if (rc != 0)
        return rc;
    if (!found)
        return app_err_set(c->err, APP_ECONFLICT, "no_cohort_notice", "no 调整年级通知单");
    long t = wf_uni_days(c->op->today), n = wf_uni_days(issued);
    if (t < n || t - n > 3)
        return app_err_set(c->err, APP_ECONFLICT, "window_closed", "3 days after the notice");
    json_t *ids = json_array(), *x;
    size_t i;
    json_array_foreach(json_object_get(pl, "courses"), i, x)
    {
        long long id = 0;
        int in = 0, best = -1;
        if ((rc = course_item(c, x, "courses", i, NULL, 1, ids, &id)) != 0)
            break;
        if (id == 0)
            continue;
        if ((rc = db_creq_in_plan(c->db, c->p->major, c->p->cohort, id, &in, c->err)) != 0 ||
            (rc = db_creq_best_score(c->db, c->p->student_id, id, issued, &best, c->err)) != 0)
            break;
        if (!in)
            bad_item(c, "courses", i, NULL, "course_not_in_plan");
        else if (best < PASS_EXEMPT)
            bad_item(c, "courses", i, NULL, "course_not_passed");
        else
            json_array_append_new(ids, json_integer(id));
    }
    with_ids(c, payload, "course_ids", ids);
    return rc;
}

/* ------------------------------------------------------------ 课程置换 */

static int
text_ok(json_t *v, size_t max)
{
    const char *s = json_string_value(v);
    return s && *s && base_text_visible(s, max);
}

/* One course taken elsewhere: {course, taken, institution, credits, score}. */
static void
check_elsewhere(cctx *c, json_t *o, size_t i)
{
    static const char *const NAMES[] = {"course", "taken", "institution", "credits", "score", NULL};
    static const char *const TEXTS[] = {"taken", "institution"};
    unknown_members(c, o, "courses", i, NAMES);
    for (int k = 0; k < 2; k++) {
        json_t *v = json_object_get(o, TEXTS[k]);
        if (!text_ok(v, 100))
            bad_item(c, "courses", i, TEXTS[k], v ? "wrong_type" : "missing_field");
    }
    json_t *cr = json_object_get(o, "credits"), *sc = json_object_get(o, "score");
    double credits = json_number_value(cr), score = json_number_value(sc);
    if (!json_is_number(cr) || credits <= 0 || credits > 30)
        bad_item(c, "courses", i, "credits", cr ? "wrong_type" : "missing_field");
    if (json_is_number(sc) ? score < 0 || score > 100 : !text_ok(sc, 20))
        bad_item(c, "courses", i, "score", sc ? "wrong_type" : "missing_field");
}

/* The first 3 teaching weeks of the term (evidence: wf_def). */
static int
start_substitution(cctx *c, json_t *pl, const char **payload)
{
    db_uni_term t;
    int week = 0, found = 0;
    int rc =
        core_uni_term_at_tx(c->db, c->op, c->p->school, c->op->today, &t, &week, &found, c->err);
    if (rc != 0)
        return rc;
    if (!found || week < 1 || week > 3)
        return app_err_set(c->err, APP_ECONFLICT, "window_closed", "the first 3 weeks");
    json_t *ids = json_array(), *x;
    size_t i;
    json_array_foreach(json_object_get(pl, "courses"), i, x)
    {
        if (!json_is_object(x)) {
            bad_item(c, "courses", i, NULL, "wrong_type");
            continue;
        }
        long long id = 0;
        check_elsewhere(c, x, i);
        if ((rc = course_item(c, json_object_get(x, "course"), "courses", i, "course", 1, ids,
                              &id)) != 0)
            break;
        if (id)
            json_array_append_new(ids, json_integer(id));
    }
    with_ids(c, payload, "course_ids", ids);
    return rc;
}

/* ------------------------------------------------------------ 课程覆盖 */

/* Pairs {course, by}: `by` a course of the student's passed with >= 60. */
static int
start_coverage(cctx *c, json_t *pl, const char **payload)
{
    static const char *const NAMES[] = {"course", "by", NULL};
    json_t *ids = json_array(), *x;
    size_t i;
    int rc = 0;
    json_array_foreach(json_object_get(pl, "courses"), i, x)
    {
        if (!json_is_object(x)) {
            bad_item(c, "courses", i, NULL, "wrong_type");
            continue;
        }
        unknown_members(c, x, "courses", i, NAMES);
        long long id = 0, by = 0;
        int best = -1;
        if ((rc = course_item(c, json_object_get(x, "course"), "courses", i, "course", 1, ids,
                              &id)) != 0 ||
            (rc = course_item(c, json_object_get(x, "by"), "courses", i, "by", 0, NULL, &by)) != 0)
            break;
        if (by && (rc = db_creq_best_score(c->db, c->p->student_id, by, 0, &best, c->err)) != 0)
            break;
        if (by && by == id)
            bad_item(c, "courses", i, "by", "same_course");
        else if (by && best < PASS_COVER)
            bad_item(c, "courses", i, "by", "course_not_passed");
        else if (id && by)
            json_array_append_new(ids, json_integer(id));
    }
    with_ids(c, payload, "course_ids", ids);
    return rc;
}

/* ------------------------------------------------------------ 补选 */

/* The section at item i of `list`: an id, or {course: 课程号, number: 课序号}. */
static int
section_item(cctx *c, json_t *v, const char *list, size_t i, const char *term, db_creq_section *out,
             int *found)
{
    *found = 0;
    long long id = json_is_integer(v) ? json_integer_value(v) : 0;
    json_t *code = json_object_get(v, "course"), *nb = json_object_get(v, "number");
    int by_code = json_is_object(v) && json_is_string(code) && json_is_integer(nb) &&
                  json_object_size(v) == 2;
    if (id <= 0 && !by_code) {
        bad_item(c, list, i, NULL, "wrong_type");
        return 0;
    }
    int rc =
        db_creq_section_find(c->db, c->p->school, term, id > 0 ? id : 0, json_string_value(code),
                             (int)json_integer_value(nb), c->op->arena, out, found, c->err);
    if (rc == 0 && !*found)
        bad_item(c, list, i, NULL, "unknown_section");
    return rc;
}

/* The 转专业, 转学, 随下届 or 复学 the student names as `basis`, since the
   previous term began (转学: the evidence shows it). */
static int
eligible(cctx *c, const char *basis, int since, int *out)
{
    *out = 0;
    if (strcmp(basis, "transfer_in") == 0) {
        *out = 1;
        return c->a->nevidence > 0 ? 0 : wf_err_item(c->err, "/evidence", "evidence_required");
    }
    if (strcmp(basis, "major_transfer") == 0 && strcmp(c->p->state, "sitting_in") == 0) {
        *out = 1;
        return 0;
    }
    const char *type = strcmp(basis, "major_transfer") == 0  ? "major_transfer"
                       : strcmp(basis, "cohort_change") == 0 ? "cohort_change"
                                                             : "uni_resume";
    return db_creq_approved_since(c->db, c->p->student_id, type, since, out, c->err);
}

/* Within a month of the term's first teaching day, after a status change. */
static int
late_window(cctx *c, const char *basis, db_uni_term *t)
{
    int week = 0, found = 0, starts[MAX_TERMS], n = 0, ok = 0;
    int rc =
        core_uni_term_at_tx(c->db, c->op, c->p->school, c->op->today, t, &week, &found, c->err);
    if (rc == 0)
        rc = db_uterm_starts(c->db, c->p->school, starts, MAX_TERMS, &n, c->err);
    if (rc != 0)
        return rc;
    if (!found || c->op->today > wf_creq_month_after(t->first_day))
        return app_err_set(c->err, APP_ECONFLICT, "window_closed", "a month after term start");
    int since = 19000101; /* the previous term's first day */
    for (int i = 0; i < n; i++)
        if (starts[i] < t->first_day)
            since = starts[i];
    if ((rc = eligible(c, basis, since, &ok)) != 0)
        return rc;
    return ok ? 0
              : app_err_set(c->err, APP_ECONFLICT, "no_status_change",
                            "no 转专业, 随下届 or 复学 of the student's");
}

static int
start_late(cctx *c, json_t *pl, const char **payload)
{
    db_uni_term t;
    const char *basis = json_string_value(json_object_get(pl, "basis"));
    int rc = late_window(c, basis ? basis : "", &t);
    if (rc != 0)
        return rc;
    json_t *rm = json_object_get(pl, "remove"), *add = json_object_get(pl, "add");
    if (json_array_size(rm) + json_array_size(add) == 0)
        return wf_err_item(c->err, "/payload/add", "missing_field");
    json_t *rids = json_array(), *aids = json_array(), *courses = json_array(), *x;
    size_t i;
    db_creq_section s;
    int found;
    json_array_foreach(rm, i, x)
    {
        const char *st = "";
        long long live = 0;
        if ((rc = section_item(c, x, "remove", i, t.term, &s, &found)) != 0 ||
            (found && (rc = db_creq_selection_of(c->db, c->p->student_id, s.id, s.course, t.term,
                                                 c->op->arena, &st, &live, c->err)) != 0))
            break;
        if (found && strcmp(st, "selected") != 0 && strcmp(st, "preselected") != 0)
            bad_item(c, "remove", i, NULL, "not_selected");
        else if (found)
            json_array_append_new(rids, json_integer(s.id));
    }
    json_array_foreach(rc == 0 ? add : NULL, i, x)
    {
        const char *st = "";
        long long live = 0;
        int ex = 0;
        if ((rc = section_item(c, x, "add", i, t.term, &s, &found)) != 0 ||
            (found &&
             ((rc = db_creq_exempted(c->db, c->p->student_id, s.course, &ex, c->err)) != 0 ||
              (rc = db_creq_selection_of(c->db, c->p->student_id, s.id, s.course, t.term,
                                         c->op->arena, &st, &live, c->err)) != 0)))
            break;
        if (!found)
            continue;
        if (ex)
            bad_item(c, "add", i, NULL, "course_exempted");
        else if ((live && !in_ids(rids, live)) || in_ids(courses, s.course))
            bad_item(c, "add", i, NULL, "course_already_selected");
        else {
            json_array_append_new(aids, json_integer(s.id));
            json_array_append_new(courses, json_integer(s.course));
        }
    }
    json_decref(courses);
    with_ids(c, payload, "remove_ids", rids);
    with_ids(c, payload, "add_ids", aids);
    *payload = wf_payload_with(c->op->arena, *payload, "term", json_string(t.term));
    return rc;
}

int
wf_creq_start(db_conn *db, const core_op *op, const wf_def *d, const wf_start *a,
              const db_uplace *p, const char **payload, app_err *err)
{
    cctx c = {db, op, a, p, err, 0};
    json_t *pl = json_loads(a->payload_json ? a->payload_json : "{}", 0, NULL);
    if (pl == NULL)
        return app_err_set(err, APP_EINTERNAL, NULL, "stored payload");
    switch (d->effect) {
    case WF_E_U_EXEMPT:
        return finish(&c, pl, start_exemption(&c, pl, payload));
    case WF_E_U_SUBSTITUTE:
        return finish(&c, pl, start_substitution(&c, pl, payload));
    case WF_E_U_COVER:
        return finish(&c, pl, start_coverage(&c, pl, payload));
    case WF_E_U_LATE:
        return finish(&c, pl, start_late(&c, pl, payload));
    default:
        return finish(&c, pl, app_err_set(err, APP_EINTERNAL, NULL, "effect %d", d->effect));
    }
}
