/*
 * workflow/start.c - starting a request (POST /requests, POST
 * /problems/{id}/resolutions; see workflow/wf.h): the rules of its type,
 * its approval steps, and the stored request with its history, audit row
 * and change-feed event. A type that nobody approves (graduation of
 * primary and junior grades) is applied at once (workflow/effects.h).
 */
#include "core/grade.h"
#include "core/intake.h"
#include "core/reward.h"
#include "core/settings.h"
#include "db/files.h"
#include "db/history.h"
#include "db/problem.h"
#include "workflow/creq.h"
#include "workflow/effects.h"
#include "workflow/payload.h"
#include "workflow/route.h"
#include "workflow/uni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a start has found out before the request is stored. */
typedef struct draft {
    db_school sc; /* the student's school (batch: sending; problem: the problem's) */
    db_school rs; /* transfer, batch: receiving school; problem: the other school */
    int has_rs;
    long long student_id; /* 0 for a batch */
    long long *members;   /* batch: the students it is about */
    int nmembers;
    const char *payload; /* as stored */
    long long problem_id;
    int renumber, delete_g, senior;
    const char *college, *other_college; /* a university's type (workflow/uni.h) */
    const char *due;                     /* every step's due date when the type fixes it */
    int cross_major;                     /* a cross-major retake (docs/decisions/0043) */
    const char *subject;                 /* a grade request's (docs/decisions/0048) */
} draft;

/* ------------------------------------------------------------ holders */

typedef struct stepv {
    db_step v[WF_ROUTE_MAX];
    int n;
} stepv;

static int
province_wants(db_conn *db, const core_op *op, const char *school, int *out, app_err *err)
{
    db_settings set;
    int rc = db_settings_for_school(db, school, op->arena, &set, err);
    if (rc == 0)
        *out = set.province_approves_transfers;
    return rc;
}

/*
 * The steps of a request (DOMAIN §5 table), routed by wf_route() from the
 * schools in the draft; only a transfer across provinces asks the
 * provinces' settings.
 */
static int
holders(db_conn *db, const core_op *op, const wf_def *d, const draft *dr, stepv *sv, app_err *err)
{
    wf_route_in in;
    memset(&in, 0, sizeof(in));
    in.def = d;
    in.school = (wf_place){dr->sc.code, dr->sc.authority};
    if (dr->has_rs)
        in.other = (wf_place){dr->rs.code, dr->rs.authority};
    in.renumber = dr->renumber;
    in.delete_g = dr->delete_g;
    in.senior = dr->senior;
    in.college = dr->college;
    in.other_college = dr->other_college;
    in.cross_major = dr->cross_major;
    int rc;
    if (d->effect == WF_E_TRANSFER && strcmp(dr->sc.province, dr->rs.province) != 0 &&
        ((rc = province_wants(db, op, dr->rs.code, &in.province_approves_other, err)) != 0 ||
         (rc = province_wants(db, op, dr->sc.code, &in.province_approves_school, err)) != 0))
        return rc;
    wf_route_step r[WF_ROUTE_MAX];
    int n = 0;
    if (wf_route(&in, core_codes_is_region, (void *)op->env->codes, r, &n) != 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "no route for %s from %s", d->type,
                           dr->sc.code);
    sv->n = n;
    for (int i = 0; i < n; i++) {
        db_step *st = &sv->v[i];
        memset(st, 0, sizeof(*st));
        st->number = i + 1;
        st->level = core_level_name(r[i].level);
        st->org = app_arena_strdup(op->arena, r[i].org);
        st->state = i == 0 ? "waiting" : "pending";
        st->escalate_to =
            r[i].escalate_to[0] ? app_arena_strdup(op->arena, r[i].escalate_to) : NULL;
        /* a university's office (docs/decisions/0033); its parallel steps wait at once */
        st->office = r[i].office[0] ? app_arena_strdup(op->arena, r[i].office) : NULL;
        st->college = r[i].college[0] ? app_arena_strdup(op->arena, r[i].college) : NULL;
        st->escalate_office =
            r[i].escalate_office[0] ? app_arena_strdup(op->arena, r[i].escalate_office) : NULL;
    }
    for (int i = 1; i < wf_parallel_of(d, sv->v, n); i++)
        sv->v[i].state = "waiting";
    return 0;
}

/* A transfer done on paper first (docs/decisions/0030): its effective
   date is not after today nor more than the receiving school's
   transfer_backdate_days before it. */
static int
check_backdate(db_conn *db, const core_op *op, const wf_start *a, const db_school *rs, app_err *err)
{
    int ymd = 0;
    if (a->effective_date == NULL || core_date_parse(a->effective_date, &ymd) != 0)
        return 0; /* absent; the payload reader checked the format */
    db_settings set;
    int rc = db_settings_for_school(db, rs->code, op->arena, &set, err);
    if (rc != 0)
        return rc;
    if (ymd > op->today) {
        app_err_add(err, "/payload/effective_date", "invalid_date", "future");
        return APP_EINVAL;
    }
    long days = core_days_of(op->today) - core_days_of(ymd);
    if (days > set.transfer_backdate_days) {
        app_err_add(err, "/payload/effective_date", "effective_date_too_old",
                    app_arena_printf(op->arena, "%d", set.transfer_backdate_days));
        return APP_EINVAL;
    }
    return 0;
}

/* Transfer rules (DOMAIN rule 16) and the receiving school's placement. */
static int
check_transfer(db_conn *db, const core_op *op, const wf_start *a, const db_student *s,
               const db_school *sc, db_school *rs, app_err *err)
{
    if (a->to_school == NULL || strcmp(a->to_school, op->actor->org) != 0) {
        app_err_add(err, "/payload/to_school", "to_school_not_caller", NULL);
        return APP_EINVAL;
    }
    if (strcmp(s->school, a->to_school) == 0)
        return app_err_set(err, APP_ESTATE, "transition_not_allowed", "already at that school");
    int rc = core_school_load(db, op, a->to_school, rs, err);
    if (rc != 0)
        return rc;
    if (rs->closed)
        return app_err_set(err, APP_ESTATE, "school_closed", "school %s", rs->code);
    /* the blackout of either side's province stops a new transfer */
    const char *sides[2] = {rs->code, sc->code};
    for (int k = 0; k < 2; k++) {
        db_settings set;
        if ((rc = db_settings_for_school(db, sides[k], op->arena, &set, err)) != 0)
            return rc;
        if (core_blackout_contains(set.blackout_from, set.blackout_until, op->today))
            return app_err_set(err, APP_ECONFLICT, "transfer_blackout", "blackout");
    }
    return check_backdate(db, op, a, rs, err);
}

/* The key-field changes of `a` on top of record `s`: valid and changing a key field. */
static int
check_key_changes(db_conn *db, const core_op *op, const wf_start *a, const db_student *s,
                  const char *school, app_err *err)
{
    core_record cur, next;
    int rc = core_student_record(op, s, &cur, err);
    if (rc != 0)
        return rc;
    next = cur;
    int changed = 0;
    for (int i = 0; i < CORE_NFIELDS; i++)
        if (a->present[i]) {
            next.v[i] = a->changes.v[i];
            changed = 1;
        }
    if (!changed)
        return wf_err_item(err, "/payload/changes", "missing_field");
    db_settings set;
    if ((rc = db_settings_for_school(db, school, op->arena, &set, err)) != 0)
        return rc;
    core_record_rules rules = {op->env->codes, op->today, set.required_fields,
                               set.nrequired_fields};
    if (core_record_validate(&next, &rules, op->arena, NULL, err) != 0 ||
        core_record_key_changed(&cur, &next) == 0) {
        if (err->nitems == 0)
            app_err_add(err, "/payload/changes", "nothing_changes", NULL);
        return APP_EINVAL;
    }
    return 0;
}

/* A request about one student (every type but the batches and resolutions). */
static int
start_single(db_conn *db, const core_op *op, const wf_def *d, const wf_start *a, draft *dr,
             app_err *err)
{
    db_student s;
    db_school *sc = &dr->sc, *rs = &dr->rs;
    int rc;
    if (d->starter == WF_START_RECEIVING)
        rc = core_student_load_by_number(db, op, a->student, 1, &s, sc, err);
    else
        rc = core_student_load(db, op, a->student, 1, &s, sc, err);
    /* core_student_load fills only the school's codes: the category and
       system (grade checks below) come with the whole school row */
    if (rc == 0 && d->starter != WF_START_RECEIVING)
        rc = core_school_load(db, op, s.school, sc, err);
    if (rc != 0)
        return rc;
    dr->student_id = s.id;
    /* rule 13, then rule 12 */
    if (!wf_def_allows(d, s.state))
        return app_err_set(err, APP_EINVAL, "transition_not_allowed", "%s from %s", d->type,
                           s.state);
    int grade, class_no;
    core_student_place_of(&s, &grade, &class_no);
    if (d->senior_only && grade / 10 != 3)
        return app_err_set(err, APP_EINVAL, "transition_not_allowed", "senior secondary only");
    int nprob = 0, nopen = 0;
    if ((rc = db_problem_open_count(db, s.id, &nprob, err)) != 0 ||
        (rc = db_request_open_count(db, s.id, &nopen, err)) != 0)
        return rc;
    if (nprob > 0)
        return app_err_set(err, APP_ECONFLICT, "student_has_problem", "open problem");
    if (nopen > 0)
        return app_err_set(err, APP_ECONFLICT, "student_in_flight", "open request");
    int month = op->today / 100 % 100;
    int last_term = core_grade_is_final(sc, grade) && month >= 2 && month <= 7;
    long long cid;
    switch (d->effect) {
    case WF_E_TRANSFER: {
        if ((rc = check_transfer(db, op, a, &s, sc, rs, err)) != 0)
            return rc;
        dr->has_rs = 1;
        if (last_term)
            return app_err_set(err, APP_EINVAL, "transition_not_allowed",
                               "graduating grade, last term");
        /* no grade named: the grade of the same year of schooling under the
           receiving school's system (core_grade_map, docs/decisions/0028),
           written into the payload so that the approval applies it */
        int g = a->grade ? a->grade : core_grade_map(sc->system, rs->system, grade);
        if (g == 0)
            g = grade;
        if (a->grade == 0 && g != grade)
            dr->payload = wf_payload_with(op->arena, dr->payload, "grade", json_sprintf("%d", g));
        if (!core_grade_fits_school(rs->category, rs->system, g))
            return wf_err_item(err, "/payload/grade", "grade_not_in_school");
        if (a->class_no && (rc = wf_class_lock(db, rs->code, g, a->class_no, &cid, err)) != 0)
            return rc;
        break;
    }
    case WF_E_GRADE:
        if (a->grade == grade || !core_grade_fits_school(sc->category, sc->system, a->grade))
            return wf_err_item(err, "/payload/grade", "grade_not_in_school");
        return wf_class_lock(db, sc->code, a->grade, a->class_no ? a->class_no : 1, &cid, err);
    case WF_E_STATE:
        if (strcmp(d->type, "suspend") == 0 && last_term)
            return app_err_set(err, APP_EINVAL, "transition_not_allowed",
                               "no suspension in the graduating grade's last term");
        break;
    case WF_E_KEY_FIELDS:
        dr->renumber = a->renumber;
        return check_key_changes(db, op, a, &s, sc->code, err);
    case WF_E_REWARD_REMOVE: {
        const char *rid = wf_payload_member(op->arena, dr->payload, "reward");
        return core_reward_check(db, op, s.id, rid ? atoll(rid) : 0, err);
    }
    default:
        break;
    }
    return 0;
}

/* A bureau over both schools moves a cohort (DOMAIN §5 batch_transfer). */
static int
start_batch(db_conn *db, const core_op *op, const wf_def *d, const wf_start *a, draft *dr,
            app_err *err)
{
    const core_actor *ac = op->actor;
    int rc;
    if (ac->level < CORE_LEVEL_COUNTY)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "an authority starts batch transfers");
    if ((rc = core_school_load(db, op, a->from_school, &dr->sc, err)) != 0 ||
        (rc = core_school_load(db, op, a->to_school, &dr->rs, err)) != 0)
        return rc;
    dr->has_rs = 1;
    const db_school *sc = &dr->sc, *rs = &dr->rs;
    core_school_ref fr = {sc->code, sc->county, sc->authority};
    core_school_ref tr = {rs->code, rs->county, rs->authority};
    if (!core_org_is_superior_of_school(ac->org, &fr) ||
        !core_org_is_superior_of_school(ac->org, &tr))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "not over both schools");
    if (strcmp(sc->code, rs->code) == 0)
        return wf_err_item(err, "/payload/to_school", "same_school");
    if (rs->closed || sc->closed)
        return app_err_set(err, APP_ESTATE, "school_closed", "school closed");
    db_settings set;
    if ((rc = db_settings_for_school(db, rs->code, op->arena, &set, err)) != 0)
        return rc;
    if (core_blackout_contains(set.blackout_from, set.blackout_until, op->today))
        return app_err_set(err, APP_ECONFLICT, "transfer_blackout", "blackout");
    int month = op->today / 100 % 100;
    dr->members = app_arena_alloc(op->arena, sizeof(long long) * (size_t)a->nstudents);
    for (int i = 0; i < a->nstudents; i++) {
        char ptr[48];
        snprintf(ptr, sizeof(ptr), "/payload/students/%d", i);
        db_student s;
        db_school ssc;
        app_err e = {0};
        rc = core_student_load(db, op, a->students[i], 1, &s, &ssc, &e);
        if (rc != 0 && rc != APP_ENOTFOUND && rc != APP_EINVAL) {
            *err = e; /* the database failed, not the student */
            return rc;
        }
        if (rc != 0 || strcmp(s.school, sc->code) != 0) {
            app_err_clear(&e);
            wf_err_item(err, ptr, "student_not_found");
            continue;
        }
        for (int k = 0; k < dr->nmembers; k++)
            if (dr->members[k] == s.id) {
                wf_err_item(err, ptr, "duplicate_value");
                s.id = 0;
            }
        if (s.id == 0)
            continue;
        int grade, class_no, nprob = 0, nopen = 0;
        core_student_place_of(&s, &grade, &class_no);
        /* the grade it goes to: the same year of schooling (docs/decisions/0028) */
        int to = core_grade_map(sc->system, rs->system, grade);
        if (to == 0)
            to = grade;
        if ((rc = db_problem_open_count(db, s.id, &nprob, err)) != 0 ||
            (rc = db_request_open_count(db, s.id, &nopen, err)) != 0)
            return rc;
        long long cid;
        if (!wf_def_allows(d, s.state) ||
            (core_grade_is_final(sc, grade) && month >= 2 && month <= 7))
            wf_err_item(err, ptr, "transition_not_allowed");
        else if (nprob)
            wf_err_item(err, ptr, "student_has_problem");
        else if (nopen)
            wf_err_item(err, ptr, "student_in_flight");
        else if (!core_grade_fits_school(rs->category, rs->system, to))
            wf_err_item(err, ptr, "grade_not_in_school");
        else if (wf_class_lock(db, rs->code, to, a->class_no ? a->class_no : class_no, &cid, &e) !=
                 0) {
            app_err_clear(&e);
            wf_err_item(err, ptr, "class_not_found");
        } else {
            dr->members[dr->nmembers++] = s.id;
        }
    }
    return err->nitems ? APP_EINVAL : 0;
}

/* 佐证 / 变更 / 删除 of a problem record (DOMAIN rule 24). */
static int
start_resolution(db_conn *db, const core_op *op, const wf_start *a, draft *dr, app_err *err)
{
    db_problem pr;
    int found = 0;
    int rc = db_problem_get(db, a->problem_id, 1, op->arena, &pr, &found, err);
    if (rc != 0)
        return rc;
    if (!found || !wf_problem_visible(db, op, &pr))
        return app_err_set(err, APP_ENOTFOUND, "problem_not_found", "problem %lld", a->problem_id);
    if (strcmp(pr.state, "open") != 0)
        return app_err_set(err, APP_ECONFLICT, "problem_resolved", "problem %lld", pr.id);
    long long sid = pr.student_id;
    if (a->student) {
        sid = atoll(a->student);
        if (sid != pr.student_id && sid != pr.other_student_id)
            return wf_err_item(err, "/student", "student_not_in_problem");
    }
    db_student s;
    if ((rc = db_student_get(db, sid, 1, op->arena, &s, &found, err)) != 0)
        return rc;
    if (!found || !wf_def_allows(wf_def_find("problem_resolution"), s.state))
        return app_err_set(err, APP_EINVAL, "transition_not_allowed", "state %s",
                           found ? s.state : "-");
    if ((rc = core_school_load(db, op, pr.school, &dr->sc, err)) != 0)
        return rc;
    if (pr.other_school && *pr.other_school && strcmp(pr.other_school, pr.school) != 0) {
        if ((rc = core_school_load(db, op, pr.other_school, &dr->rs, err)) != 0)
            return rc;
        dr->has_rs = 1;
    }
    dr->student_id = sid;
    dr->problem_id = pr.id;
    if (strcmp(a->method, "evidence") == 0) {
        if (a->nevidence == 0 && strcmp(pr.evidence, "{}") == 0)
            return wf_err_item(err, "/evidence", "evidence_required");
    } else if (strcmp(a->method, "change") == 0) {
        if ((rc = check_key_changes(db, op, a, &s, s.school, err)) != 0)
            return rc;
    } else if (strcmp(a->method, "delete") == 0) {
        dr->delete_g = s.stuno_kind[0] == 'G';
    } else {
        return wf_err_item(err, "/method", "invalid_method");
    }
    return 0;
}

/* A school's graduating grade (DOMAIN §5 graduation, rule 12). */
static int
start_graduation(db_conn *db, const core_op *op, const wf_start *a, draft *dr, app_err *err)
{
    db_school *sc = &dr->sc;
    int rc = core_school_load(db, op, op->actor->org, sc, err);
    if (rc != 0)
        return rc;
    if (sc->closed)
        return app_err_set(err, APP_ESTATE, "school_closed", "school closed");
    if (!core_grade_fits_school(sc->category, sc->system, a->grade) ||
        !core_grade_is_final(sc, a->grade))
        return wf_err_item(err, "/payload/grade", "grade_not_final");
    db_candidate *v;
    int n = 0;
    if ((rc = db_grade_candidates(db, sc->code, a->grade, op->arena, &v, &n, err)) != 0)
        return rc;
    for (int i = 0; i < a->noutcomes; i++) {
        int found = 0;
        for (int k = 0; k < n && !found; k++)
            found = v[k].id == a->outcome_ids[i];
        if (!found) {
            char ptr[48];
            snprintf(ptr, sizeof(ptr), "/payload/outcomes/%lld", a->outcome_ids[i]);
            wf_err_item(err, ptr, "student_not_in_grade");
        }
    }
    if (err->nitems)
        return APP_EINVAL;
    dr->members = app_arena_alloc(op->arena, sizeof(long long) * (size_t)(n ? n : 1));
    json_t *ex = json_array();
    for (int k = 0; k < n; k++) {
        if (v[k].in_flight || v[k].has_problem)
            json_array_append_new(
                ex, json_pack("{s:I,s:s}", "student", (json_int_t)v[k].id, "reason",
                              v[k].has_problem ? "student_has_problem" : "student_in_flight"));
        else
            dr->members[dr->nmembers++] = v[k].id;
    }
    if (dr->nmembers == 0) {
        json_decref(ex);
        return wf_err_item(err, "/payload/grade", "no_students");
    }
    /* the payload lists who was left out, and why (rule 12) */
    dr->payload = wf_payload_with(op->arena, dr->payload, "excluded", ex);
    dr->senior = a->grade / 10 == 3;
    return 0;
}

/*
 * 毕业库抽取 (docs/decisions/0027): the registrar of a school claims a
 * graduate of its province into the grade its stage enters (21, 31) of its
 * own school, in the province's intake window. The draft's school is the
 * claiming school (its authority decides), the other the school the
 * graduate left. The graduate's row is locked first, as every transaction
 * on its claims does (db/intake.h).
 */
static int
start_claim(db_conn *db, const core_op *op, const wf_def *d, const wf_start *a, draft *dr,
            app_err *err)
{
    db_school *sc = &dr->sc;
    int rc = core_school_load(db, op, op->actor->org, sc, err);
    if (rc != 0)
        return rc;
    if (sc->closed)
        return app_err_set(err, APP_ESTATE, "school_closed", "school closed");
    if ((rc = core_intake_window_check(db, op, sc, err)) != 0)
        return rc;
    db_student s;
    int found = 0;
    if (a->student && core_all_digits(a->student) && strlen(a->student) <= 18 &&
        (rc = db_student_get(db, atoll(a->student), DB_STUDENT_LOCK, op->arena, &s, &found, err)) !=
            0)
        return rc;
    int grade = 0, class_no = 0;
    if (found)
        core_student_place_of(&s, &grade, &class_no);
    /* outside the pool, or of another province: as if there were none */
    if (!found || strcmp(s.province, sc->province) != 0 || !wf_def_allows(d, s.state) ||
        core_intake_grade(grade) == 0)
        return app_err_set(err, APP_ENOTFOUND, "student_not_found", "not in the pool");
    dr->student_id = s.id;
    int g = core_intake_grade(grade), nprob = 0, nopen = 0;
    if (a->grade != g || !core_grade_fits_school(sc->category, sc->system, g))
        return wf_err_item(err, "/payload/grade", "grade_not_in_school");
    if ((rc = db_problem_open_count(db, s.id, &nprob, err)) != 0 ||
        (rc = db_request_open_count(db, s.id, &nopen, err)) != 0)
        return rc;
    if (nprob > 0)
        return app_err_set(err, APP_ECONFLICT, "student_has_problem", "open problem");
    if (nopen > 0)
        return app_err_set(err, APP_ECONFLICT, "student_in_flight", "open request");
    long long cid;
    if ((rc = wf_class_lock(db, sc->code, g, a->class_no, &cid, err)) != 0 ||
        (rc = db_school_get(db, s.school, op->arena, &dr->rs, &found, err)) != 0)
        return rc;
    dr->has_rs = found;
    return 0;
}

/* A university student's own request (workflow/uni.h). */
static int
start_university(db_conn *db, const core_op *op, const wf_def *d, const wf_start *a, draft *dr,
                 app_err *err)
{
    wf_uni_draft u;
    int rc = wf_uni_start(db, op, d, a, &u, err);
    if (rc == 0)
        rc = core_school_load(db, op, u.school, &dr->sc, err);
    if (rc != 0)
        return rc;
    dr->student_id = u.student_id;
    dr->college = u.college;
    dr->other_college = u.other_college;
    dr->payload = u.payload;
    dr->due = u.due;
    dr->cross_major = u.cross_major;
    dr->subject = u.subject;
    return 0;
}

/* The type's own rules; fills the draft. */
static int
start_draft(db_conn *db, const core_op *op, const wf_def *d, const wf_start *a, draft *dr,
            app_err *err)
{
    if (d->university)
        return start_university(db, op, d, a, dr, err);
    switch (d->effect) {
    case WF_E_BATCH_TRANSFER:
        return start_batch(db, op, d, a, dr, err);
    case WF_E_GRADUATE:
        return start_graduation(db, op, a, dr, err);
    case WF_E_RESOLVE:
        return start_resolution(db, op, a, dr, err);
    case WF_E_INTAKE:
        return start_claim(db, op, d, a, dr, err);
    default:
        return start_single(db, op, d, a, dr, err);
    }
}

/* Store the request, its steps and members: *q gets its id. */
static int
insert_request(db_conn *db, const core_op *op, const wf_def *d, const wf_start *a, const draft *dr,
               stepv *sv, const char *ev, core_request *q, app_err *err)
{
    const db_school *sc = &dr->sc;
    memset(q, 0, sizeof(*q));
    q->type = d->type;
    q->state = "open";
    q->student_id = dr->student_id;
    q->school = sc->code;
    q->other_school = dr->has_rs ? dr->rs.code : NULL;
    q->province = sc->province;
    q->payload_json = dr->payload;
    q->comment = a->comment;
    q->evidence = ev;
    q->current_step = sv->n > 0 ? 1 : 0;
    q->started_by = op->actor->user_id;
    q->started_org = op->actor->org;
    q->steps = sv->v;
    q->nsteps = sv->n;
    q->problem_id = dr->problem_id;
    q->subject = dr->subject;
    int rc = db_request_insert(db, q, err);
    if (rc == 0 && dr->nmembers > 0)
        rc = db_member_add(db, q->id, dr->members, dr->nmembers, err);
    /* the unique indexes keep one open request per student and problem */
    if (rc == APP_ECONFLICT && strstr(err->detail, "one_open_resolution"))
        rc = app_err_set(err, APP_ECONFLICT, "problem_in_flight", "unique index");
    else if (rc == APP_ECONFLICT && strstr(err->detail, "claim_open"))
        rc = app_err_set(err, APP_ECONFLICT, "already_claimed", "unique index");
    else if (rc == APP_ECONFLICT && strstr(err->detail, "one_open"))
        rc = app_err_set(err, APP_ECONFLICT, "student_in_flight", "unique index");
    return rc;
}

/* History, action row, audit row and event of a new request. */
static int
record_start(db_conn *db, const core_op *op, const wf_def *d, const wf_start *a, const draft *dr,
             const core_request *q, app_err *err)
{
    const db_school *sc = &dr->sc;
    int rc;
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", q->id);
    if (dr->student_id) {
        db_history h = {0,         dr->student_id, op->actor->user_id, q->id, NULL,
                        "request", op->actor->org, sc->code,           "[]",  NULL};
        if ((rc = db_history_insert(db, &h, err)) != 0)
            return rc;
    }
    const char *detail =
        wf_json_text(op->arena, json_pack("{s:s,s:I,s:i}", "type", d->type, "student",
                                          (json_int_t)dr->student_id, "members", dr->nmembers));
    const char *data =
        wf_json_text(op->arena, json_pack("{s:s,s:s}", "type", d->type, "state", "open"));
    /* the request's evidence is shown on its start action */
    if ((rc = db_request_action_insert_ev(db, q->id, 0, "start", op->actor->user_id, op->actor->org,
                                          a->comment, q->evidence, err)) != 0 ||
        (rc = core_audit(db, op, "request.start", "request", rid, detail, err)) != 0)
        return rc;
    return core_event(db, "request.started", dr->student_id, sc->code, sc->authority, sc->province,
                      q->id, data, err);
}

/* Who may start type `d`, and what it must come with. */
static int
start_allowed(const core_op *op, const wf_def *d, const wf_start *a, app_err *err)
{
    if (d == NULL || d->starter == WF_START_NONE ||
        (d->starter == WF_START_PROBLEM) != (a->problem_id != 0))
        return wf_err_item(err, "/type", "invalid_request_type");
    if (d->starter == WF_START_STUDENT
            ? !wf_actor_is_student(op->actor)
            : d->starter != WF_START_PROBLEM && d->starter != WF_START_AUTHORITY &&
                  !wf_actor_is_registrar(op->actor))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden",
                           "a school's registrar starts requests");
    if ((d->evidence_required || a->effective_date) && a->nevidence == 0)
        return wf_err_item(err, "/evidence", "evidence_required");
    return 0;
}

int
wf_request_start(db_conn *db, const core_op *op, const wf_start *a, core_request *out, app_err *err)
{
    const wf_def *d = wf_def_find(a->type);
    int rc = start_allowed(op, d, a, err);
    if (rc != 0 || (rc = db_begin(db, err)) != 0)
        return rc;
    draft dr;
    memset(&dr, 0, sizeof(dr));
    /* the members as stored, with key-field changes sealed (docs/decisions/0022) */
    dr.payload = wf_payload_stored(op, d, a);
    const char *ev = NULL;
    stepv sv;
    db_settings set;
    if ((rc = start_draft(db, op, d, a, &dr, err)) != 0 ||
        (rc = wf_evidence_check(db, op, a->evidence, a->nevidence, &ev, err)) != 0 ||
        (rc = holders(db, op, d, &dr, &sv, err)) != 0 ||
        (rc = db_settings_for_school(db, dr.sc.code, op->arena, &set, err)) != 0)
        goto fail;
    for (int i = 0; i < sv.n && rc == 0; i++)
        if (strcmp(sv.v[i].state, "waiting") == 0)
            rc = wf_creq_due(db, op, d, dr.sc.code, NULL, i + 1,
                             dr.due ? dr.due : wf_step_due(op, &set), &sv.v[i].due_at, err);
    if (rc != 0)
        goto fail;
    core_request *q = out;
    if ((rc = insert_request(db, op, d, a, &dr, &sv, ev, q, err)) != 0 ||
        (rc = record_start(db, op, d, a, &dr, q, err)) != 0)
        goto fail;
    if (sv.n == 0) {
        /* nobody approves it (graduation of primary and junior grades): the
           school's start is the decision */
        const char *st = "approved", *failure = NULL;
        if ((rc = db_request_set_state(db, q->id, "approved", 0, err)) != 0 ||
            (rc = wf_effect_apply(db, op, d, q->id, &st, &failure, err)) != 0)
            goto fail;
        if (wf_fault_after_effect) {
            rc = app_err_set(err, APP_EINTERNAL, NULL, "injected fault after the effect");
            goto fail;
        }
    }
    long long id = q->id;
    if ((rc = db_commit(db, err)) != 0)
        return rc;
    return wf_request_get(db, op, id, out, err);
fail:
    db_rollback(db);
    return rc;
}
