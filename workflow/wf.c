/*
 * workflow/wf.c - the approval engine (see workflow/wf.h).
 */
#include "workflow/wf.h"

#include "core/calendar.h"
#include "core/grade.h"
#include "core/problem.h"
#include "core/settings.h"
#include "db/refdata.h"
#include "db/request.h"
#include "db/settings.h"
#include "workflow/route.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int wf_fault_after_effect;

static int
not_found(app_err *err, long long id)
{
    return app_err_set(err, APP_ENOTFOUND, "request_not_found", "request %lld", id);
}

static int
is_registrar(const core_actor *a)
{
    return a->level == CORE_LEVEL_SCHOOL && a->staff_role == CORE_STAFF_REGISTRAR;
}

static const char *
due_string(const core_op *op, const db_settings *set)
{
    int due =
        core_add_working_days(op->today, set->step_deadline_days, set->holidays, set->nholidays);
    return app_arena_printf(op->arena, "%04d-%02d-%02dT23:59:59+08:00", due / 10000,
                            due / 100 % 100, due % 100);
}

/* Now in UTC as the steps' due_at text compares ("YYYY-MM-DDTHH:MM:SSZ"). */
static void
now_text(char out[24])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

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
    }
    return 0;
}

/* ------------------------------------------------------------ visibility */

static int
visible(db_conn *db, const core_op *op, const core_request *q, int *out, app_err *err)
{
    const core_actor *ac = op->actor;
    *out = 0;
    for (int i = 0; i < q->nsteps; i++)
        if (strcmp(q->steps[i].org, ac->org) == 0 ||
            (q->steps[i].escalate_to && strcmp(q->steps[i].escalate_to, ac->org) == 0))
            *out = 1;
    if (*out)
        return ac->level != CORE_LEVEL_SCHOOL || is_registrar(ac) ? 0 : (*out = 0);
    const char *schools[2] = {q->school, q->other_school};
    for (int k = 0; k < 2 && !*out; k++) {
        if (schools[k] == NULL)
            continue;
        db_school sc;
        int found = 0;
        int rc = db_school_get(db, schools[k], op->arena, &sc, &found, err);
        if (rc != 0)
            return rc;
        core_school_ref ref = {sc.code, sc.county, sc.authority};
        *out = found && core_actor_sees_school(ac, &ref);
    }
    if (*out && ac->level == CORE_LEVEL_SCHOOL)
        *out = is_registrar(ac);
    return 0;
}

static int
load(db_conn *db, const core_op *op, long long id, int lock, core_request *out, app_err *err)
{
    int found = 0, ok = 0;
    int rc = db_request_get(db, id, lock, op->arena, out, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return not_found(err, id);
    if ((rc = visible(db, op, out, &ok, err)) != 0)
        return rc;
    return ok ? 0 : not_found(err, id);
}

int
wf_request_get(db_conn *db, const core_op *op, long long id, core_request *out, app_err *err)
{
    return load(db, op, id, 0, out, err);
}

/* ------------------------------------------------------------ start */

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
    return 0;
}

static int
class_of(db_conn *db, const char *school, int grade, int number, long long *out_id, app_err *err)
{
    int limit = 0, found = 0;
    int rc = db_class_lock(db, school, grade, number, out_id, &limit, &found, err);
    if (rc != 0)
        return rc;
    if (!found) {
        app_err_add(err, "/payload/class", "class_not_found", NULL);
        return APP_EINVAL;
    }
    return 0;
}

static int
item(app_err *err, const char *ptr, const char *code)
{
    app_err_add(err, ptr, code, NULL);
    return APP_EINVAL;
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
        return item(err, "/payload/changes", "missing_field");
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
        int g = a->grade ? a->grade : grade;
        if (!core_grade_fits_school(rs->category, rs->system, g))
            return item(err, "/payload/grade", "grade_not_in_school");
        if (a->class_no && (rc = class_of(db, rs->code, g, a->class_no, &cid, err)) != 0)
            return rc;
        break;
    }
    case WF_E_GRADE:
        if (a->grade == grade || !core_grade_fits_school(sc->category, sc->system, a->grade))
            return item(err, "/payload/grade", "grade_not_in_school");
        return class_of(db, sc->code, a->grade, a->class_no ? a->class_no : 1, &cid, err);
    case WF_E_STATE:
        if (strcmp(d->type, "suspend") == 0 && last_term)
            return app_err_set(err, APP_EINVAL, "transition_not_allowed",
                               "no suspension in the graduating grade's last term");
        break;
    case WF_E_KEY_FIELDS:
        dr->renumber = a->renumber;
        return check_key_changes(db, op, a, &s, sc->code, err);
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
        return item(err, "/payload/to_school", "same_school");
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
            item(err, ptr, "student_not_found");
            continue;
        }
        for (int k = 0; k < dr->nmembers; k++)
            if (dr->members[k] == s.id) {
                item(err, ptr, "duplicate_value");
                s.id = 0;
            }
        if (s.id == 0)
            continue;
        int grade, class_no, nprob = 0, nopen = 0;
        core_student_place_of(&s, &grade, &class_no);
        if ((rc = db_problem_open_count(db, s.id, &nprob, err)) != 0 ||
            (rc = db_request_open_count(db, s.id, &nopen, err)) != 0)
            return rc;
        long long cid;
        if (!wf_def_allows(d, s.state) ||
            (core_grade_is_final(sc, grade) && month >= 2 && month <= 7))
            item(err, ptr, "transition_not_allowed");
        else if (nprob)
            item(err, ptr, "student_has_problem");
        else if (nopen)
            item(err, ptr, "student_in_flight");
        else if (!core_grade_fits_school(rs->category, rs->system, grade))
            item(err, ptr, "grade_not_in_school");
        else if (class_of(db, rs->code, grade, a->class_no ? a->class_no : class_no, &cid, &e) !=
                 0) {
            app_err_clear(&e);
            item(err, ptr, "class_not_found");
        } else {
            dr->members[dr->nmembers++] = s.id;
        }
    }
    return err->nitems ? APP_EINVAL : 0;
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
        return item(err, "/payload/grade", "grade_not_final");
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
            item(err, ptr, "student_not_in_grade");
        }
    }
    if (err->nitems)
        return APP_EINVAL;
    dr->members = app_arena_alloc(op->arena, sizeof(long long) * (size_t)(n ? n : 1));
    char *ex = app_arena_strdup(op->arena, "");
    for (int k = 0; k < n; k++) {
        if (v[k].in_flight || v[k].has_problem)
            ex = app_arena_printf(op->arena, "%s%s{\"student\":%lld,\"reason\":\"%s\"}", ex,
                                  *ex ? "," : "", v[k].id,
                                  v[k].has_problem ? "student_has_problem" : "student_in_flight");
        else
            dr->members[dr->nmembers++] = v[k].id;
    }
    if (dr->nmembers == 0)
        return item(err, "/payload/grade", "no_students");
    /* the payload lists who was left out, and why (rule 12) */
    size_t pl = strlen(a->payload_json);
    dr->payload = app_arena_printf(op->arena, "%.*s%s\"excluded\":[%s]}", (int)(pl - 1),
                                   a->payload_json, pl > 2 ? "," : "", ex);
    dr->senior = a->grade / 10 == 3;
    return 0;
}

/* A problem record is the business of the registrars of its schools and of
   the bureaus over either school. */
static int
problem_visible(db_conn *db, const core_op *op, const db_problem *pr)
{
    const core_actor *ac = op->actor;
    const char *schools[2] = {pr->school, pr->other_school};
    for (int k = 0; k < 2; k++) {
        db_school x;
        app_err e = {0};
        if (schools[k] == NULL || !*schools[k] || core_school_load(db, op, schools[k], &x, &e) != 0)
            continue;
        core_school_ref ref = {x.code, x.county, x.authority};
        if (ac->level == CORE_LEVEL_SCHOOL ? is_registrar(ac) && strcmp(ac->org, x.code) == 0
                                           : core_actor_sees_school(ac, &ref))
            return 1;
    }
    return 0;
}

int
wf_problem_add_evidence(db_conn *db, const core_op *op, long long id, const long long *files, int n,
                        db_problem *out, app_err *err)
{
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    int found = 0, owned = 0;
    if ((rc = db_problem_get(db, id, 1, op->arena, out, &found, err)) != 0)
        goto fail;
    if (!found || !problem_visible(db, op, out)) {
        rc = app_err_set(err, APP_ENOTFOUND, "problem_not_found", "problem %lld", id);
        goto fail;
    }
    if (strcmp(out->state, "open") != 0) {
        rc = app_err_set(err, APP_ECONFLICT, "problem_resolved", "problem %lld", id);
        goto fail;
    }
    if ((rc = db_files_owned(db, files, n, op->actor->org, &owned, err)) != 0)
        goto fail;
    if (owned != n) {
        rc = item(err, "/files", "file_not_found");
        goto fail;
    }
    char pid[24];
    snprintf(pid, sizeof(pid), "%lld", id);
    if ((rc = db_problem_add_evidence(db, id, files, n, err)) != 0 ||
        (rc = core_audit(db, op, "problem.evidence", "problem", pid,
                         app_arena_printf(op->arena, "{\"files\":%d}", n), err)) != 0 ||
        (rc = db_problem_get(db, id, 0, op->arena, out, &found, err)) != 0)
        goto fail;
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
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
    if (!found || !problem_visible(db, op, &pr))
        return app_err_set(err, APP_ENOTFOUND, "problem_not_found", "problem %lld", a->problem_id);
    if (strcmp(pr.state, "open") != 0)
        return app_err_set(err, APP_ECONFLICT, "problem_resolved", "problem %lld", pr.id);
    long long sid = pr.student_id;
    if (a->student) {
        sid = atoll(a->student);
        if (sid != pr.student_id && sid != pr.other_student_id)
            return item(err, "/student", "student_not_in_problem");
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
            return item(err, "/evidence", "evidence_required");
    } else if (strcmp(a->method, "change") == 0) {
        if ((rc = check_key_changes(db, op, a, &s, s.school, err)) != 0)
            return rc;
    } else if (strcmp(a->method, "delete") == 0) {
        dr->delete_g = s.stuno_kind[0] == 'G';
    } else {
        return item(err, "/method", "invalid_method");
    }
    return 0;
}

/* Apply the effect of a request that needs no approval (graduation of a
   primary or junior grade) or whose last step was just approved. */
static int apply_effect(db_conn *db, const core_op *op, const wf_def *d, long long id,
                        const char **req_state, const char **data_extra, app_err *err);

int
wf_request_start(db_conn *db, const core_op *op, const wf_start *a, core_request *out, app_err *err)
{
    const wf_def *d = wf_def_find(a->type);
    if (d == NULL || d->starter == WF_START_NONE ||
        (d->starter == WF_START_PROBLEM) != (a->problem_id != 0)) {
        app_err_add(err, "/type", "invalid_request_type", NULL);
        return APP_EINVAL;
    }
    if (d->starter != WF_START_PROBLEM && d->starter != WF_START_AUTHORITY &&
        !is_registrar(op->actor))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden",
                           "a school's registrar starts requests");
    if ((d->payload & WF_P_EVIDENCE) && a->nevidence == 0) {
        app_err_add(err, "/evidence", "evidence_required", NULL);
        return APP_EINVAL;
    }
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    draft dr;
    memset(&dr, 0, sizeof(dr));
    dr.payload = a->payload_json ? a->payload_json : "{}";
    switch (d->effect) {
    case WF_E_BATCH_TRANSFER:
        rc = start_batch(db, op, d, a, &dr, err);
        break;
    case WF_E_GRADUATE:
        rc = start_graduation(db, op, a, &dr, err);
        break;
    case WF_E_RESOLVE:
        rc = start_resolution(db, op, a, &dr, err);
        break;
    default:
        rc = start_single(db, op, d, a, &dr, err);
        break;
    }
    if (rc != 0)
        goto fail;
    const db_school *sc = &dr.sc;

    /* evidence: files the caller's org uploaded */
    char *ev = NULL;
    if (a->nevidence > 0) {
        int owned = 0;
        if ((rc = db_files_owned(db, a->evidence, a->nevidence, op->actor->org, &owned, err)) != 0)
            goto fail;
        if (owned != a->nevidence) {
            app_err_add(err, "/evidence", "file_not_found", NULL);
            rc = APP_EINVAL;
            goto fail;
        }
        ev = app_arena_strdup(op->arena, "{");
        for (int i = 0; i < a->nevidence; i++)
            ev = app_arena_printf(op->arena, "%s%s%lld", ev, i ? "," : "", a->evidence[i]);
        ev = app_arena_printf(op->arena, "%s}", ev);
    }
    stepv sv;
    if ((rc = holders(db, op, d, &dr, &sv, err)) != 0)
        goto fail;
    db_settings set;
    if ((rc = db_settings_for_school(db, sc->code, op->arena, &set, err)) != 0)
        goto fail;
    if (sv.n > 0)
        sv.v[0].due_at = due_string(op, &set);

    core_request *q = out;
    memset(q, 0, sizeof(*q));
    q->type = d->type;
    q->state = "open";
    q->student_id = dr.student_id;
    q->school = sc->code;
    q->other_school = dr.has_rs ? dr.rs.code : NULL;
    q->province = sc->province;
    q->payload_json = dr.payload;
    q->comment = a->comment;
    q->evidence = ev;
    q->current_step = sv.n > 0 ? 1 : 0;
    q->started_by = op->actor->user_id;
    q->started_org = op->actor->org;
    q->steps = sv.v;
    q->nsteps = sv.n;
    q->problem_id = dr.problem_id;
    if ((rc = db_request_insert(db, q, err)) != 0 ||
        (dr.nmembers > 0 && (rc = db_member_add(db, q->id, dr.members, dr.nmembers, err)) != 0)) {
        if (rc == APP_ECONFLICT && strstr(err->detail, "one_open_resolution"))
            rc = app_err_set(err, APP_ECONFLICT, "problem_in_flight", "unique index");
        else if (rc == APP_ECONFLICT && strstr(err->detail, "one_open"))
            rc = app_err_set(err, APP_ECONFLICT, "student_in_flight", "unique index");
        goto fail;
    }
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", q->id);
    if (dr.student_id) {
        db_history h = {0,         dr.student_id,  op->actor->user_id, q->id, NULL,
                        "request", op->actor->org, sc->code,           "[]"};
        if ((rc = db_history_insert(db, &h, err)) != 0)
            goto fail;
    }
    const char *data = app_arena_printf(op->arena, "{\"type\":\"%s\",\"state\":\"open\"}", d->type);
    if ((rc = db_request_action_insert(db, q->id, 0, "start", op->actor->user_id, op->actor->org,
                                       a->comment, err)) != 0 ||
        (rc = core_audit(db, op, "request.start", "request", rid,
                         app_arena_printf(op->arena,
                                          "{\"type\":\"%s\",\"student\":%lld,\"members\":%d}",
                                          d->type, dr.student_id, dr.nmembers),
                         err)) != 0 ||
        (rc = core_event(db, "request.started", dr.student_id, sc->code, sc->authority,
                         sc->province, q->id, data, err)) != 0)
        goto fail;
    if (sv.n == 0) {
        /* nobody approves it (graduation of primary and junior grades): the
           school's start is the decision */
        const char *st = "approved", *extra = "";
        if ((rc = db_request_set_state(db, q->id, "approved", 0, err)) != 0 ||
            (rc = apply_effect(db, op, d, q->id, &st, &extra, err)) != 0)
            goto fail;
        if (wf_fault_after_effect) {
            rc = app_err_set(err, APP_EINTERNAL, NULL, "injected fault after the effect");
            goto fail;
        }
    }
    if ((rc = db_commit(db, err)) != 0)
        return rc;
    return wf_request_get(db, op, q->id, out, err);
fail:
    db_rollback(db);
    return rc;
}

/* ------------------------------------------------------------ effects */

/* Member `name` of the parsed object `o`: a string, or an integer as text; or NULL. */
static const char *
member_text(app_arena *a, const json_t *o, const char *name)
{
    const json_t *v = json_object_get(o, name);
    if (json_is_string(v))
        return app_arena_strndup(a, json_string_value(v), json_string_length(v));
    if (json_is_integer(v))
        return app_arena_printf(a, "%lld", (long long)json_integer_value(v));
    return NULL;
}

/* Member `name` of a payload (jsonb text), read as JSON (docs/decisions/0019):
   a string, or an integer as text; or NULL. */
static const char *
payload_member(app_arena *a, const char *json, const char *name)
{
    json_t *o = json ? json_loads(json, 0, NULL) : NULL;
    const char *v = member_text(a, o, name);
    json_decref(o);
    return v;
}

/*
 * Apply the effect of `q` (the last approval). `applied` receives what was
 * there before, for a revert.
 */
static int
apply(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
      const char **out_applied, long long *out_holder, app_err *err)
{
    *out_applied = NULL;
    *out_holder = 0;
    if (d->effect == WF_E_REGISTER)
        return core_student_apply_registration(db, op, q->student_id, q->id, err);
    db_student s;
    int found = 0;
    int rc = db_student_get(db, q->student_id, 1, op->arena, &s, &found, err);
    if (rc != 0)
        return rc;
    if (!found || !wf_def_allows(d, s.state))
        return app_err_set(err, APP_EINVAL, "transition_not_allowed", "state %s", s.state);
    int grade, class_no;
    core_student_place_of(&s, &grade, &class_no);
    *out_applied = app_arena_printf(
        op->arena,
        "{\"state\":\"%s\",\"school\":\"%s\",\"class_id\":%lld,\"grade\":%d,\"class\":%d}", s.state,
        s.school, s.class_id, grade, class_no);
    const char *state = s.state, *school = s.school;
    long long class_id = s.class_id;
    int ng = grade, nc = class_no;
    switch (d->effect) {
    case WF_E_STATE:
        state = d->to_state;
        break;
    case WF_E_TRANSFER: {
        const char *g = payload_member(op->arena, q->payload_json, "grade");
        const char *c = payload_member(op->arena, q->payload_json, "class");
        school = q->other_school;
        ng = g ? atoi(g) : grade;
        nc = c ? atoi(c) : 1;
        if ((rc = class_of(db, school, ng, nc, &class_id, err)) != 0)
            return rc;
        break;
    }
    case WF_E_GRADE: {
        const char *g = payload_member(op->arena, q->payload_json, "grade");
        const char *c = payload_member(op->arena, q->payload_json, "class");
        ng = g ? atoi(g) : grade;
        nc = c ? atoi(c) : 1;
        if ((rc = class_of(db, school, ng, nc, &class_id, err)) != 0)
            return rc;
        break;
    }
    case WF_E_KEY_FIELDS:
        return APP_EINTERNAL; /* handled by the caller with the typed changes */
    default:
        return app_err_set(err, APP_EINTERNAL, NULL, "effect %d", d->effect);
    }
    int version = 0;
    if ((rc = db_student_place(db, s.id, state, school, class_id, ng, nc, &version, err)) != 0)
        return rc;
    /* and what it left, so that a revert can tell whether a later change intervened */
    size_t al = strlen(*out_applied);
    *out_applied = app_arena_printf(op->arena, "%.*s,\"to_state\":\"%s\",\"to_school\":\"%s\"}",
                                    (int)(al - 1), *out_applied, state, school);
    /* history names what changed */
    char *chg = app_arena_strdup(op->arena, "[");
    if (strcmp(s.state, state) != 0)
        chg = app_arena_printf(op->arena, "%s{\"field\":\"/state\",\"old\":\"%s\",\"new\":\"%s\"},",
                               chg, s.state, state);
    if (strcmp(s.school, school) != 0)
        chg =
            app_arena_printf(op->arena, "%s{\"field\":\"/school\",\"old\":\"%s\",\"new\":\"%s\"},",
                             chg, s.school, school);
    if (grade != ng)
        chg = app_arena_printf(op->arena, "%s{\"field\":\"/grade\",\"old\":\"%d\",\"new\":\"%d\"},",
                               chg, grade, ng);
    if (class_no != nc || class_id != s.class_id)
        chg = app_arena_printf(op->arena, "%s{\"field\":\"/class\",\"old\":%d,\"new\":%d},", chg,
                               class_no, nc);
    size_t cl = strlen(chg);
    if (chg[cl - 1] == ',')
        chg[cl - 1] = '\0';
    chg = app_arena_printf(op->arena, "%s]", chg);
    db_history h = {0, s.id, op->actor->user_id, q->id, NULL, d->type, op->actor->org, school, chg};
    return db_history_insert(db, &h, err);
}

/* ------------------------------------------------------------ act */

static int
holds(const core_op *op, const db_step *st, int *out_forced)
{
    const core_actor *a = op->actor;
    *out_forced = 0;
    if (a->level == CORE_LEVEL_SCHOOL && !is_registrar(a))
        return 0;
    if (strcmp(st->org, a->org) == 0)
        return 1;
    char now[24];
    now_text(now);
    if (st->escalate_to && strcmp(st->escalate_to, a->org) == 0 && st->due_at && st->due_at[0] &&
        strcmp(st->due_at, now) < 0) {
        *out_forced = 1; /* 强制干预 */
        return 1;
    }
    return 0;
}

/* The key-field changes a request carries: sealed (encrypted) in its payload. */
static int
wf_key_changes_from_payload(const core_op *op, const char *payload, core_record *out,
                            unsigned char *present, int *renumber, app_err *err)
{
    const char *sealed = payload_member(op->arena, payload, "sealed");
    const char *rn = payload_member(op->arena, payload, "renumber");
    *renumber = rn && atoi(rn) == 1;
    if (sealed == NULL)
        return app_err_set(err, APP_EINTERNAL, NULL, "key_field_change without sealed changes");
    return core_changes_open(op, sealed, out, present, err);
}

/* The history entry of a move: what changed of state, school, grade, class. */
static const char *
move_changes(app_arena *a, const char *st0, const char *st1, const char *sc0, const char *sc1,
             int g0, int g1, int c0, int c1)
{
    char *chg = app_arena_strdup(a, "[");
    if (strcmp(st0, st1) != 0)
        chg = app_arena_printf(a, "%s{\"field\":\"/state\",\"old\":\"%s\",\"new\":\"%s\"},", chg,
                               st0, st1);
    if (strcmp(sc0, sc1) != 0)
        chg = app_arena_printf(a, "%s{\"field\":\"/school\",\"old\":\"%s\",\"new\":\"%s\"},", chg,
                               sc0, sc1);
    if (g0 != g1)
        chg = app_arena_printf(a, "%s{\"field\":\"/grade\",\"old\":\"%d\",\"new\":\"%d\"},", chg,
                               g0, g1);
    if (c0 != c1)
        chg = app_arena_printf(a, "%s{\"field\":\"/class\",\"old\":%d,\"new\":%d},", chg, c0, c1);
    size_t cl = strlen(chg);
    if (chg[cl - 1] == ',')
        chg[cl - 1] = '\0';
    return app_arena_printf(a, "%s]", chg);
}

/* The outcome of graduation member `id` from the parsed payload's outcomes
   ({"<student id>": "completed" | "incomplete"}); graduated when not named. */
static const char *
outcome_of(const json_t *payload, long long id)
{
    char key[24];
    snprintf(key, sizeof(key), "%lld", id);
    const char *o = json_string_value(json_object_get(json_object_get(payload, "outcomes"), key));
    if (o != NULL && strcmp(o, "completed") == 0)
        return "completed";
    if (o != NULL && strcmp(o, "incomplete") == 0)
        return "incomplete";
    return "graduated";
}

/* batch_transfer and graduation: every member, in id order; `pl` is the parsed payload. */
static int
apply_members_of(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
                 const json_t *pl, app_err *err)
{
    db_member *m = q->members;
    int n = q->nmembers, rc;
    const char *cls = member_text(op->arena, pl, "class");
    int year = op->today / 10000, ngrad = 0, first = 0;
    if (d->effect == WF_E_GRADUATE) {
        for (int i = 0; i < n; i++)
            ngrad += strcmp(outcome_of(pl, m[i].student_id), "graduated") == 0;
        if (ngrad && (rc = db_certificate_take(db, q->school, year, ngrad, &first, err)) != 0)
            return rc;
    }
    db_school dst;
    if ((rc = core_school_load(db, op, d->effect == WF_E_GRADUATE ? q->school : q->other_school,
                               &dst, err)) != 0)
        return rc;
    for (int i = 0; i < n; i++) {
        db_student s;
        int found = 0;
        if ((rc = db_student_get(db, m[i].student_id, 1, op->arena, &s, &found, err)) != 0)
            return rc;
        /* the members are held by this request: nothing else moved them */
        if (!found || !wf_def_allows(d, s.state) || strcmp(s.school, q->school) != 0)
            return app_err_set(err, APP_ESTATE, "transition_not_allowed", "member %lld",
                               m[i].student_id);
        int grade, class_no;
        core_student_place_of(&s, &grade, &class_no);
        const char *state = "enrolled", *cert = NULL, *etype;
        long long class_id = s.class_id;
        int nc = class_no;
        if (d->effect == WF_E_GRADUATE) {
            state = outcome_of(pl, s.id);
            if (strcmp(state, "graduated") == 0)
                cert = app_arena_printf(op->arena, "%s%04d%05d", q->school, year, first++);
            etype = "student.graduated";
        } else {
            nc = cls ? atoi(cls) : class_no;
            if ((rc = class_of(db, dst.code, grade, nc, &class_id, err)) != 0)
                return rc;
            etype = "student.transferred";
        }
        const char *applied = app_arena_printf(
            op->arena,
            "{\"state\":\"%s\",\"school\":\"%s\",\"class_id\":%lld,\"grade\":%d,\"class\":%d,"
            "\"to_state\":\"%s\",\"to_school\":\"%s\"}",
            s.state, s.school, s.class_id, grade, class_no, state, dst.code);
        int version = 0;
        const char *chg =
            move_changes(op->arena, s.state, state, s.school, dst.code, grade, grade, class_no, nc);
        db_history h = {0,       s.id,           op->actor->user_id, q->id, NULL,
                        d->type, op->actor->org, dst.code,           chg};
        const char *data = app_arena_printf(
            op->arena, "{\"type\":\"%s\",\"state\":\"%s\",\"from\":\"%s\",\"school\":\"%s\"%s%s%s}",
            d->type, state, s.school, dst.code, cert ? ",\"certificate_no\":\"" : "",
            cert ? cert : "", cert ? "\"" : "");
        if ((rc = db_student_place(db, s.id, state, dst.code, class_id, grade, nc, &version,
                                   err)) != 0 ||
            (rc = db_history_insert(db, &h, err)) != 0 ||
            (rc = db_member_set(db, q->id, s.id, d->effect == WF_E_GRADUATE ? state : NULL, cert,
                                applied, err)) != 0 ||
            (rc = core_event(db, etype, s.id, dst.code, dst.authority, dst.province, q->id, data,
                             err)) != 0)
            return rc;
    }
    return 0;
}

static int
apply_members(db_conn *db, const core_op *op, const wf_def *d, const core_request *q, app_err *err)
{
    json_t *pl = q->payload_json ? json_loads(q->payload_json, 0, NULL) : NULL;
    int rc = apply_members_of(db, op, d, q, pl, err);
    json_decref(pl);
    return rc;
}

/* problem_resolution: 佐证 closes the problem, 变更 corrects the key fields
   (checks rerun), 删除 takes the record out of the active states. */
static int
apply_resolution(db_conn *db, const core_op *op, const core_request *q, const char **req_state,
                 const char **data_extra, app_err *err)
{
    const char *method = payload_member(op->arena, q->payload_json, "method");
    int rc = 0;
    if (method == NULL)
        return app_err_set(err, APP_EINTERNAL, NULL, "resolution without method");
    if (strcmp(method, "change") == 0) {
        core_record ch;
        unsigned char present[CORE_NFIELDS];
        int renumber = 0;
        long long holder = 0;
        if ((rc = wf_key_changes_from_payload(op, q->payload_json, &ch, present, &renumber, err)) !=
            0)
            return rc;
        rc = core_student_key_change(db, op, q->student_id, &ch, present, renumber, q->id, &holder,
                                     err);
        if (rc == APP_ECONFLICT && err->slug && strcmp(err->slug, "duplicate_enrolled") == 0) {
            /* the new identity is held: the request fails, the problem stays */
            app_err_clear(err);
            *req_state = "rejected";
            *data_extra = ",\"failure\":\"duplicate_enrolled\"";
            return db_request_set_state(db, q->id, "rejected", 0, err);
        }
        if (rc != 0)
            return rc;
    } else if (strcmp(method, "delete") == 0) {
        db_student s;
        int found = 0, grade, class_no, version = 0;
        if ((rc = db_student_get(db, q->student_id, 1, op->arena, &s, &found, err)) != 0)
            return rc;
        if (!found)
            return app_err_set(err, APP_ESTATE, "transition_not_allowed", "no student");
        core_student_place_of(&s, &grade, &class_no);
        const char *chg = move_changes(op->arena, s.state, "deleted", s.school, s.school, grade,
                                       grade, class_no, class_no);
        db_history h = {
            0,        s.id, op->actor->user_id, q->id, NULL, "problem_resolution", op->actor->org,
            s.school, chg};
        /* a registration waiting for this record ends with it */
        if ((rc = db_request_end_open_of(db, s.id, "rejected", err)) != 0 ||
            (rc = db_student_place(db, s.id, "deleted", s.school, s.class_id, grade, class_no,
                                   &version, err)) != 0 ||
            (rc = db_history_insert(db, &h, err)) != 0)
            return rc;
    }
    return db_problem_resolve(db, q->problem_id, method, q->id, err);
}

static int
apply_effect(db_conn *db, const core_op *op, const wf_def *d, long long id, const char **req_state,
             const char **data_extra, app_err *err)
{
    core_request q;
    int found = 0;
    int rc = db_request_get(db, id, 0, op->arena, &q, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return not_found(err, id);
    const char *applied = NULL;
    long long holder = 0;
    switch (d->effect) {
    case WF_E_BATCH_TRANSFER:
    case WF_E_GRADUATE:
        return apply_members(db, op, d, &q, err);
    case WF_E_RESOLVE:
        return apply_resolution(db, op, &q, req_state, data_extra, err);
    case WF_E_KEY_FIELDS: {
        core_record ch;
        unsigned char present[CORE_NFIELDS];
        int renumber = 0;
        if ((rc = wf_key_changes_from_payload(op, q.payload_json, &ch, present, &renumber, err)) !=
            0)
            return rc;
        rc =
            core_student_key_change(db, op, q.student_id, &ch, present, renumber, id, &holder, err);
        break;
    }
    default:
        rc = apply(db, op, d, &q, &applied, &holder, err);
        break;
    }
    if (rc == APP_ECONFLICT && err->slug && strcmp(err->slug, "duplicate_enrolled") == 0 &&
        d->effect == WF_E_KEY_FIELDS) {
        /* the new identity is held: the request fails, a problem opens */
        app_err_clear(err);
        *req_state = "rejected";
        *data_extra = ",\"failure\":\"duplicate_enrolled\"";
        db_student hs;
        if ((rc = db_request_set_state(db, id, "rejected", 0, err)) != 0 ||
            (rc = db_student_get(db, holder, 0, op->arena, &hs, &found, err)) != 0)
            return rc;
        return core_problem_open(db, "duplicate_id", q.student_id, holder, q.school,
                                 found ? hs.school : NULL, op->actor->org,
                                 "key_field_change: duplicate_enrolled", err);
    }
    if (rc != 0)
        return rc;
    return applied ? db_request_set_applied(db, id, applied, err) : 0;
}

int
wf_request_act(db_conn *db, const core_op *op, long long id, const char *action, int step,
               const char *comment, core_request *out, app_err *err)
{
    int approve = strcmp(action, "approve") == 0, reject = strcmp(action, "reject") == 0;
    int ret = strcmp(action, "return") == 0, withdraw = strcmp(action, "withdraw") == 0;
    int resubmit = strcmp(action, "resubmit") == 0;
    if (!approve && !reject && !ret && !withdraw && !resubmit)
        return app_err_set(err, APP_EINVAL, "invalid_action", "action %s", action);
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    core_request q;
    if ((rc = load(db, op, id, 1, &q, err)) != 0)
        goto fail;
    const wf_def *d = wf_def_find(q.type);
    if (d == NULL) {
        rc = app_err_set(err, APP_EINTERNAL, NULL, "unknown type %s", q.type);
        goto fail;
    }
    const char *req_state = q.state;
    int forced = 0, decided_step = 0;
    const char *data_extra = "";

    if (withdraw || resubmit) {
        /* the starter's own actions (rule 15: for transfers only the receiving school) */
        if (strcmp(q.started_org, op->actor->org) != 0 ||
            (op->actor->level == CORE_LEVEL_SCHOOL && !is_registrar(op->actor)) ||
            strcmp(q.type, "registration") == 0) {
            rc = app_err_set(err, APP_EFORBIDDEN, "not_request_starter", "starter %s",
                             q.started_org);
            goto fail;
        }
        if (withdraw && strcmp(q.state, "open") != 0 && strcmp(q.state, "returned") != 0) {
            rc = app_err_set(err, APP_ECONFLICT, "step_already_decided", "state %s", q.state);
            goto fail;
        }
        if (resubmit && strcmp(q.state, "returned") != 0) {
            rc = app_err_set(err, APP_ECONFLICT, "step_already_decided", "state %s", q.state);
            goto fail;
        }
        if (withdraw) {
            req_state = "withdrawn";
            rc = db_request_set_state(db, id, "withdrawn", 0, err);
        } else {
            db_settings set;
            req_state = "open";
            if ((rc = db_settings_for_school(db, q.school, op->arena, &set, err)) == 0 &&
                (rc = db_request_steps_reset(db, id, due_string(op, &set), err)) == 0)
                rc = db_request_set_state(db, id, "open", 1, err);
        }
        if (rc != 0)
            goto fail;
    } else {
        if (strcmp(q.state, "open") != 0 || q.current_step != step || step < 1 || step > q.nsteps) {
            rc = app_err_set(err, APP_ECONFLICT, "step_already_decided", "current step %d",
                             q.current_step);
            goto fail;
        }
        const db_step *st = &q.steps[step - 1];
        if (!holds(op, st, &forced)) {
            rc = app_err_set(err, APP_EFORBIDDEN, "not_step_holder", "step %d is held by %s", step,
                             st->org);
            goto fail;
        }
        decided_step = step;
        int last = step == q.nsteps;
        if (ret) {
            req_state = "returned";
            /* the step stays `returned` until the starter resubmits */
            rc = db_request_decide(db, id, step, "returned", op->actor->user_id, comment, forced,
                                   "returned", 0, NULL, err);
            if (rc == 0)
                rc = db_request_set_state(db, id, "returned", step, err);
        } else {
            req_state = reject ? "rejected" : last ? "approved" : "open";
            int next = reject || last ? 0 : step + 1;
            const char *due = NULL;
            if (next) {
                db_settings set;
                if ((rc = db_settings_for_school(db, q.school, op->arena, &set, err)) != 0)
                    goto fail;
                due = due_string(op, &set);
            }
            rc = db_request_decide(db, id, step, reject ? "rejected" : "approved",
                                   op->actor->user_id, comment, forced, req_state, next, due, err);
        }
        if (rc != 0)
            goto fail;
        /* the effect, in this transaction (rule 17) */
        if (reject && d->effect == WF_E_REGISTER) {
            if ((rc = core_student_reject_registration(db, op, q.student_id, id, err)) != 0)
                goto fail;
        } else if (approve && req_state[0] == 'a') {
            if ((rc = apply_effect(db, op, d, id, &req_state, &data_extra, err)) != 0)
                goto fail;
        }
    }
    if (wf_fault_after_effect) {
        rc = app_err_set(err, APP_EINTERNAL, NULL, "injected fault after the effect");
        goto fail;
    }
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", id);
    const char *detail = app_arena_printf(op->arena, "{\"action\":\"%s\",\"step\":%d%s}", action,
                                          decided_step, forced ? ",\"forced\":true" : "");
    const char *data = app_arena_printf(
        op->arena, "{\"type\":\"%s\",\"action\":\"%s\",\"step\":%d,\"state\":\"%s\"%s%s}", q.type,
        action, decided_step, req_state, forced ? ",\"forced\":true" : "", data_extra);
    db_school sc;
    const char *act = forced ? app_arena_printf(op->arena, "forced_%s", action) : action;
    if ((rc = db_request_action_insert(db, id, decided_step, act, op->actor->user_id,
                                       op->actor->org, comment, err)) != 0 ||
        (rc = core_school_load(db, op, q.school, &sc, err)) != 0 ||
        (rc = core_audit(db, op, "request.act", "request", rid, detail, err)) != 0 ||
        (rc = core_event(db, "request.decided", q.student_id, q.school, sc.authority, q.province,
                         id, data, err)) != 0)
        goto fail;
    if ((rc = db_commit(db, err)) != 0)
        return rc;
    return wf_request_get(db, op, id, out, err);
fail:
    db_rollback(db);
    return rc;
}

/* ------------------------------------------------------------ revert */

/* Revert a batch: every member back where it was, or none when any has
   moved since (or has business open now). */
static int
revert_members(db_conn *db, const core_op *op, const wf_def *d, const core_request *q,
               const char *comment, app_err *err)
{
    const core_actor *ac = op->actor;
    int rc = 0;
    db_school sc;
    if ((rc = core_school_load(db, op, q->school, &sc, err)) != 0)
        return rc;
    for (int i = 0; i < q->nmembers; i++) {
        const db_member *m = &q->members[i];
        const char *aj = m->applied_json;
        const char *st = aj ? payload_member(op->arena, aj, "state") : NULL;
        const char *school = aj ? payload_member(op->arena, aj, "school") : NULL;
        const char *cid = aj ? payload_member(op->arena, aj, "class_id") : NULL;
        const char *g = aj ? payload_member(op->arena, aj, "grade") : NULL;
        const char *c = aj ? payload_member(op->arena, aj, "class") : NULL;
        const char *ts = aj ? payload_member(op->arena, aj, "to_state") : NULL;
        const char *tsc = aj ? payload_member(op->arena, aj, "to_school") : NULL;
        if (!st || !school || !cid || !g || !c || !ts || !tsc)
            return app_err_set(err, APP_EINTERNAL, NULL, "applied snapshot incomplete");
        db_student s;
        int found = 0, nopen = 0, grade, class_no, version = 0;
        if ((rc = db_student_get(db, m->student_id, 1, op->arena, &s, &found, err)) != 0 ||
            (rc = db_request_open_count(db, m->student_id, &nopen, err)) != 0)
            return rc;
        if (!found || nopen > 0 || strcmp(ts, s.state) != 0 || strcmp(tsc, s.school) != 0)
            return app_err_set(err, APP_ECONFLICT, "revert_conflict", "member %lld changed",
                               m->student_id);
        core_student_place_of(&s, &grade, &class_no);
        const char *chg = move_changes(op->arena, s.state, st, s.school, school, grade, atoi(g),
                                       class_no, atoi(c));
        db_history h = {0, s.id, ac->user_id, q->id, NULL, "revert", ac->org, school, chg};
        if ((rc = db_student_place(db, s.id, st, school, atoll(cid), atoi(g), atoi(c), &version,
                                   err)) != 0 ||
            (rc = db_history_insert(db, &h, err)) != 0 ||
            (rc = core_event(db, "student.reverted", s.id, school, sc.authority, sc.province, q->id,
                             app_arena_printf(op->arena, "{\"type\":\"%s\"}", d->type), err)) != 0)
            return rc;
    }
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", q->id);
    const char *data =
        app_arena_printf(op->arena, "{\"type\":\"%s\",\"state\":\"reverted\"}", q->type);
    if ((rc = db_request_set_state(db, q->id, "reverted", 0, err)) != 0 ||
        (rc = db_request_action_insert(db, q->id, 0, "revert", ac->user_id, ac->org, comment,
                                       err)) != 0 ||
        (rc = core_audit(db, op, "request.revert", "request", rid, "{}", err)) != 0)
        return rc;
    return core_event(db, "request.reverted", 0, q->school, sc.authority, q->province, q->id, data,
                      err);
}

int
wf_request_revert(db_conn *db, const core_op *op, long long id, const char *comment,
                  core_request *out, app_err *err)
{
    const core_actor *ac = op->actor;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    core_request q;
    if ((rc = load(db, op, id, 1, &q, err)) != 0)
        goto fail;
    db_school sc;
    if ((rc = core_school_load(db, op, q.school, &sc, err)) != 0)
        goto fail;
    /* county or above, over the school the change started at (rule 18) */
    if (ac->level < CORE_LEVEL_COUNTY ||
        !core_org_is_superior_of_school(ac->org,
                                        &(core_school_ref){sc.code, sc.county, sc.authority})) {
        rc = app_err_set(err, APP_EFORBIDDEN, "forbidden", "revert needs an authority above");
        goto fail;
    }
    const wf_def *d = wf_def_find(q.type);
    if (d == NULL || !d->revertible || strcmp(q.state, "approved") != 0 ||
        (!d->batch && q.applied_json == NULL)) {
        rc = app_err_set(err, APP_EINVAL, "not_revertible", "%s in state %s", q.type, q.state);
        goto fail;
    }
    if (d->batch) {
        if ((rc = revert_members(db, op, d, &q, comment, err)) != 0)
            goto fail;
        if ((rc = db_commit(db, err)) != 0)
            return rc;
        return wf_request_get(db, op, id, out, err);
    }
    int nopen = 0;
    if ((rc = db_request_open_count(db, q.student_id, &nopen, err)) != 0)
        goto fail;
    if (nopen > 0) {
        rc = app_err_set(err, APP_ECONFLICT, "student_in_flight", "open request");
        goto fail;
    }
    const char *st = payload_member(op->arena, q.applied_json, "state");
    const char *school = payload_member(op->arena, q.applied_json, "school");
    const char *cid = payload_member(op->arena, q.applied_json, "class_id");
    const char *g = payload_member(op->arena, q.applied_json, "grade");
    const char *c = payload_member(op->arena, q.applied_json, "class");
    if (!st || !school || !cid || !g || !c) {
        rc = app_err_set(err, APP_EINTERNAL, NULL, "applied snapshot incomplete");
        goto fail;
    }
    db_student s;
    int found = 0;
    if ((rc = db_student_get(db, q.student_id, 1, op->arena, &s, &found, err)) != 0)
        goto fail;
    /* only the latest change comes back: the student is where this one left it */
    const char *ts = payload_member(op->arena, q.applied_json, "to_state");
    const char *tsc = payload_member(op->arena, q.applied_json, "to_school");
    if (!ts || !tsc || strcmp(ts, s.state) != 0 || strcmp(tsc, s.school) != 0) {
        rc = app_err_set(err, APP_ECONFLICT, "revert_conflict", "changed since");
        goto fail;
    }
    int version = 0;
    if ((rc = db_student_place(db, s.id, st, school, atoll(cid), atoi(g), atoi(c), &version,
                               err)) != 0 ||
        (rc = db_request_set_state(db, id, "reverted", 0, err)) != 0)
        goto fail;
    char rid[24];
    snprintf(rid, sizeof(rid), "%lld", id);
    const char *chg = app_arena_printf(op->arena,
                                       "[{\"field\":\"/state\",\"old\":\"%s\",\"new\":\"%s\"},"
                                       "{\"field\":\"/school\",\"old\":\"%s\",\"new\":\"%s\"}]",
                                       s.state, st, s.school, school);
    db_history h = {0, s.id, ac->user_id, id, NULL, "revert", ac->org, school, chg};
    const char *data =
        app_arena_printf(op->arena, "{\"type\":\"%s\",\"state\":\"reverted\"}", q.type);
    if ((rc = db_history_insert(db, &h, err)) != 0 ||
        (rc = db_request_action_insert(db, id, 0, "revert", ac->user_id, ac->org, comment, err)) !=
            0 ||
        (rc = core_audit(db, op, "request.revert", "request", rid, "{}", err)) != 0 ||
        (rc = core_event(db, "request.reverted", s.id, school, sc.authority, q.province, id, data,
                         err)) != 0)
        goto fail;
    if ((rc = db_commit(db, err)) != 0)
        return rc;
    return wf_request_get(db, op, id, out, err);
fail:
    db_rollback(db);
    return rc;
}

/* ------------------------------------------------------------ lists */

int
wf_request_list(db_conn *db, const core_op *op, const char *box, const char *state,
                const char *type, long long after_id, int limit, core_request **out, int *out_n,
                app_err *err)
{
    const core_actor *ac = op->actor;
    db_request_filter f = {0};
    f.state = state;
    f.type = type;
    f.after_id = after_id;
    f.limit = limit;
    *out_n = 0;
    if (ac->level == CORE_LEVEL_SCHOOL && !is_registrar(ac))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "requests are the registrar's");
    if (strcmp(box, "todo") == 0) {
        f.todo_org = ac->org;
    } else if (strcmp(box, "mine") == 0) {
        f.started_org = ac->org;
    } else if (ac->level == CORE_LEVEL_SCHOOL) {
        f.school_like = ac->org;
    } else if (ac->level != CORE_LEVEL_MINISTRY) {
        char *like = app_arena_alloc(op->arena, 8);
        core_region_like(ac->org, like);
        f.authority_like = like;
    }
    return db_request_list(db, &f, op->arena, out, out_n, err);
}
