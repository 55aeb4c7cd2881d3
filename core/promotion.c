/*
 * core/promotion.c - promotion and automatic graduation of a school (see
 * core/promotion.h).
 */
#include "core/promotion.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/calendar_op.h"
#include "core/grade.h"
#include "core/school_year.h"
#include "db/request.h"
#include "db/school.h"

#include <stdio.h>
#include <string.h>

static const int grades[] = {11, 12, 13, 14, 15, 16, 21, 22, 23, 24, 31, 32, 33};
#define NGRADES ((int)(sizeof(grades) / sizeof(grades[0])))

/* What promotion does to a grade of `sc`; *out_next as core_promotion_grade. */
static const char *
grade_action(const db_school *sc, int g, int *out_next)
{
    int next = core_grade_promoted(sc->system, g);
    *out_next = next;
    if (next < 0 || !core_grade_fits_school(sc->category, sc->system, g) ||
        (next > 0 && !core_grade_fits_school(sc->category, sc->system, next))) {
        *out_next = -1;
        return "grade_not_in_system";
    }
    if (next > 0)
        return "promote";
    return g / 10 == 3 ? "graduation_request" : "graduate";
}

/* The grade map of db/promotion.h, and the labels of the grades. */
static const char *
grade_map(const core_op *op, const db_school *sc, const char **out_labels)
{
    jw w, l;
    jw_init(&w, op->arena);
    jw_init(&l, op->arena);
    jw_arr(&w);
    jw_arr(&l);
    for (int i = 0; i < NGRADES; i++) {
        int next;
        const char *act = grade_action(sc, grades[i], &next);
        jw_elem(&w);
        jw_obj(&w);
        jw_int(&w, "g", grades[i]);
        jw_int(&w, "nx", next);
        jw_str(&w, "act", act);
        jw_end(&w);
        jw_elem(&l);
        jw_obj(&l);
        jw_int(&l, "g", grades[i]);
        jw_str(&l, "label", core_grade_label(grades[i]));
        jw_end(&l);
    }
    jw_arr_end(&w);
    jw_arr_end(&l);
    *out_labels = jw_text(&l, NULL);
    return jw_text(&w, NULL);
}

static core_promotion_grade *
grade_of(core_promotion_result *out, int g, int next)
{
    for (int i = 0; i < out->ngrades; i++)
        if (out->grades[i].grade == g)
            return &out->grades[i];
    core_promotion_grade *x = &out->grades[out->ngrades++];
    memset(x, 0, sizeof(*x));
    x->grade = g;
    x->next = next < 0 ? (core_grade_valid(g) ? 0 : -1) : next;
    return x;
}

/* Fold the plan's counts into grades and totals. */
static void
fold(core_promotion_result *out, const db_promotion_count *v, int n, app_arena *a)
{
    out->grades = app_arena_alloc(a, sizeof(core_promotion_grade) * (size_t)(n ? n : 1));
    out->ngrades = 0;
    db_promotion *r = &out->run;
    for (int i = 0; i < n; i++) {
        core_promotion_grade *x = grade_of(out, v[i].grade, v[i].next);
        if (strcmp(v[i].act, "promote") == 0)
            x->promoted += v[i].n, r->promoted += v[i].n;
        else if (strcmp(v[i].act, "graduate") == 0)
            x->graduated += v[i].n, r->graduated += v[i].n;
        else if (strcmp(v[i].act, "suspended") == 0)
            x->suspended += v[i].n, r->suspended += v[i].n;
        else
            x->left_out += v[i].n, r->left_out += v[i].n;
    }
}

/* The plan as stored with the run: grades and who was left out (ids). */
static const char *
plan_json(const core_op *op, const core_promotion_result *out)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_key(&w, "grades");
    jw_arr(&w);
    for (int i = 0; i < out->ngrades; i++) {
        const core_promotion_grade *g = &out->grades[i];
        jw_elem(&w);
        jw_obj(&w);
        jw_int(&w, "grade", g->grade);
        jw_int(&w, "promoted", g->promoted);
        jw_int(&w, "graduated", g->graduated);
        jw_int(&w, "suspended", g->suspended);
        jw_int(&w, "left_out", g->left_out);
        jw_end(&w);
    }
    jw_arr_end(&w);
    jw_key(&w, "left_out");
    jw_arr(&w);
    for (int i = 0; i < out->nleft; i++) {
        jw_elem(&w);
        jw_obj(&w);
        jw_int(&w, "student", out->left[i].id);
        jw_str(&w, "reason", out->left[i].reason);
        jw_end(&w);
    }
    jw_arr_end(&w);
    jw_end(&w);
    return jw_text(&w, NULL);
}

/* The school, if the actor is a bureau over it; the calendar check. */
static int
load_checked(db_conn *db, const core_op *op, const char *code, int year, int revert, db_school *sc,
             app_err *err)
{
    int found = 0;
    int rc = db_school_get(db, code, op->arena, sc, &found, err);
    if (rc != 0)
        return rc;
    core_school_ref ref = {sc->code, sc->county, sc->authority};
    if (!found || !core_actor_sees_school(op->actor, &ref))
        return app_err_set(err, APP_ENOTFOUND, "school_not_found", "school %s", code);
    if (op->actor->level == CORE_LEVEL_SCHOOL ||
        !core_org_is_superior_of_school(op->actor->org, &ref))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "promotion is the authority's");
    if (sc->closed)
        return app_err_set(err, APP_ECONFLICT, "school_closed", "school %s closed", code);
    int y0, t2;
    if ((rc = core_calendar_of_school(db, op, sc->code, &y0, &t2, err)) != 0)
        return rc;
    return revert ? core_promotion_revertible(year, op->today, y0, t2, err)
                  : core_promotion_due(year, op->today, y0, t2, err);
}

static int
already_done(const db_promotion *first, app_err *err)
{
    char p[96];
    snprintf(p, sizeof(p), "%lld %s", first->id, first->created_at);
    app_err_set(err, APP_ECONFLICT, "promotion_done", "school %s year %d: run %lld", first->school,
                first->year, first->id);
    app_err_param(err, p);
    return APP_ECONFLICT;
}

static db_promotion_who
who_of(const core_op *op, const db_school *sc, int year)
{
    db_promotion_who w = {
        .actor_id = op->actor->user_id,
        .actor_org = op->actor->org,
        .ip = op->ip,
        .user_agent = op->user_agent,
        .request_id = op->request_id,
        .school = sc->code,
        .authority = sc->authority,
        .province = sc->province,
        .year = year,
    };
    return w;
}

static const char *
run_detail(const core_op *op, const db_promotion *r)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_int(&w, "promotion", r->id);
    jw_int(&w, "year", r->year);
    jw_int(&w, "promoted", r->promoted);
    jw_int(&w, "graduated", r->graduated);
    jw_int(&w, "suspended", r->suspended);
    jw_int(&w, "left_out", r->left_out);
    jw_end(&w);
    return jw_text(&w, NULL);
}

/* The writes of a run whose plan is in *out. */
static int
apply(db_conn *db, const core_op *op, const db_school *sc, const char *map, const char *labels,
      core_promotion_result *out, app_err *err)
{
    db_promotion *r = &out->run;
    r->plan_json = plan_json(op, out);
    r->created_org = op->actor->org;
    int rc = db_promotion_insert(db, r, op->actor->user_id, op->arena, err);
    int promoted = 0, graduated = 0, first = 0;
    /* certificates carry the calendar year the school year ends in */
    if (rc == 0 && r->graduated > 0)
        rc = db_certificate_take(db, sc->code, r->year + 1, r->graduated, &first, err);
    if (rc == 0)
        rc = db_promotion_members(db, r->id, sc->code, map, r->year + 1, first, &promoted,
                                  &graduated, err);
    if (rc != 0)
        return rc;
    /* the pupils are locked, but a problem record about one may open meanwhile (a
       registration elsewhere finding a look-alike): the plan no longer holds, try again */
    if (promoted != r->promoted || graduated != r->graduated)
        return app_err_set(err, APP_ERETRY, NULL, "plan %d/%d, members %d/%d", r->promoted,
                           r->graduated, promoted, graduated);
    db_promotion_who w = who_of(op, sc, r->year);
    if ((rc = db_promotion_apply(db, r->id, sc->code, labels, err)) != 0 ||
        (rc = db_promotion_record(db, r->id, &w, 0, err)) != 0)
        return rc;
    return core_audit(db, op, "promotion.apply", "school", sc->code, run_detail(op, r), err);
}

int
core_promotion_run(db_conn *db, const core_op *op, const char *school, int year, int dry_run,
                   long long job_id, core_promotion_result *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    out->dry_run = dry_run;
    db_school sc;
    int rc = load_checked(db, op, school, year, 0, &sc, err);
    if (rc != 0)
        return rc;
    const char *labels, *map = grade_map(op, &sc, &labels);
    if ((rc = db_begin(db, err)) != 0)
        return rc;
    db_school locked;
    db_promotion first;
    int found = 0;
    db_promotion_count *counts;
    int ncounts = 0;
    if ((rc = db_school_get_for_update(db, sc.code, op->arena, &locked, &found, err)) != 0 ||
        (rc = db_promotion_find(db, sc.code, year, op->arena, &first, &found, err)) != 0)
        goto fail;
    if (found) {
        rc = already_done(&first, err);
        goto fail;
    }
    if ((!dry_run && (rc = db_promotion_lock_pupils(db, sc.code, err)) != 0) ||
        (rc = db_promotion_plan(db, sc.code, map, op->arena, &counts, &ncounts, &out->left,
                                &out->nleft, err)) != 0)
        goto fail;
    snprintf(out->run.school, sizeof(out->run.school), "%s", sc.code);
    out->run.year = year;
    out->run.job_id = job_id;
    fold(out, counts, ncounts, op->arena);
    if (dry_run) {
        db_rollback(db);
        return 0;
    }
    if ((rc = apply(db, op, &sc, map, labels, out, err)) != 0)
        goto fail;
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
}

int
core_promotion_revert(db_conn *db, const core_op *op, const char *school, int year,
                      db_promotion *out, app_err *err)
{
    db_school sc, locked;
    int rc = load_checked(db, op, school, year, 1, &sc, err);
    if (rc != 0)
        return rc;
    if ((rc = db_begin(db, err)) != 0)
        return rc;
    int found = 0, nchanged = 0;
    long long *changed;
    if ((rc = db_school_get_for_update(db, sc.code, op->arena, &locked, &found, err)) != 0 ||
        (rc = db_promotion_find(db, sc.code, year, op->arena, out, &found, err)) != 0)
        goto fail;
    if (!found) {
        rc = app_err_set(err, APP_ENOTFOUND, "promotion_not_found", "school %s year %d", school,
                         year);
        goto fail;
    }
    if ((rc = db_promotion_changed(db, out->id, sc.code, 100000, op->arena, &changed, &nchanged,
                                   err)) != 0)
        goto fail;
    if (nchanged > 0) {
        char p[16];
        snprintf(p, sizeof(p), "%d", nchanged);
        rc = app_err_set(err, APP_ECONFLICT, "promotion_changed", "%d pupils changed since",
                         nchanged);
        app_err_param(err, p);
        goto fail;
    }
    db_promotion_who w = who_of(op, &sc, year);
    if ((rc = db_promotion_revert_apply(db, out->id, sc.code, op->actor->user_id, err)) != 0 ||
        (rc = db_promotion_record(db, out->id, &w, 1, err)) != 0 ||
        (rc = core_audit(db, op, "promotion.revert", "school", sc.code, run_detail(op, out),
                         err)) != 0)
        goto fail;
    if ((rc = db_commit(db, err)) != 0)
        return rc;
    out->state = "reverted";
    return 0;
fail:
    db_rollback(db);
    return rc;
}
