/*
 * core/school_merge.c - merging one school into another (see core/school_merge.h).
 *
 * The checks run on both school rows locked (in code order) and on every
 * student of both locked, so a second merge of the same school waits and then
 * finds it closed, and a request being started about one of their students
 * is committed, and found open, before the checks run. The effect
 * is set-based (db_school_merge_apply): a school may have thousands of
 * students, and one statement moves them with their history and events.
 */
#include "core/school_merge.h"

#include "base/jw.h"
#include "core/grade.h"
#include "core/school.h"
#include "db/refdata.h"

#include <stdio.h>
#include <string.h>

/* May the actor merge `a` into `b`: its org is their lowest common authority or above it? */
static int
decides(db_conn *db, const core_op *op, const db_school *a, const db_school *b, int *out_ok,
        app_err *err)
{
    core_school_ref ra = {a->code, a->county, a->authority};
    core_school_ref rb = {b->code, b->county, b->authority};
    char lca[7];
    (void)db;
    (void)err;
    /* placeholder cities (110100, 429000, docs/decisions/0002) are not in
       the region table, so they are never the common authority */
    core_lowest_common_authority(&ra, &rb, core_codes_is_region, (void *)op->env->codes, lca);
    *out_ok = core_actor_sees_region(op->actor, lca);
    return 0;
}

/* {"from", "into", "students", "classes"} and, for the audit row,
   "renumbered": [{"grade": "13", "from": 1, "to": 3}, ...]. */
static const char *
merge_json(const core_op *op, const core_merge_result *m, const db_school *from,
           const db_school *to, const db_renumber *v, int n, int with_renumbered)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "from", from->code);
    jw_str(&w, "into", to->code);
    jw_int(&w, "students", m->students);
    jw_int(&w, "classes", m->classes);
    if (with_renumbered) {
        jw_key(&w, "renumbered");
        jw_arr(&w);
        for (int i = 0; i < n; i++) {
            char grade[8];
            snprintf(grade, sizeof(grade), "%d", v[i].grade);
            jw_elem(&w);
            jw_obj(&w);
            jw_str(&w, "grade", grade);
            jw_int(&w, "from", v[i].from);
            jw_int(&w, "to", v[i].to);
            jw_end(&w);
        }
        jw_arr_end(&w);
    }
    jw_end(&w);
    return jw_text(&w, NULL);
}

/* Lock both schools and load them; the actor must be a bureau that decides
   the merge of `code` into `into` (the first four errors of the contract). */
static int
merge_load(db_conn *db, const core_op *op, const char *code, const char *into, db_school *from,
           db_school *to, app_err *err)
{
    int rc, found = 0, ok = 0;
    if ((rc = db_school_lock_pair(db, code, into, err)) != 0 ||
        (rc = core_school_visible(db, op, code, 0, from, err)) != 0)
        return rc;
    if (op->actor->level < CORE_LEVEL_COUNTY)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "a bureau merges schools");
    if (strcmp(from->code, into) == 0) {
        app_err_add(err, "/into", "merge_into_self", NULL);
        return APP_EINVAL;
    }
    if ((rc = db_school_get(db, into, op->arena, to, &found, err)) != 0 ||
        (found && (rc = decides(db, op, from, to, &ok, err)) != 0))
        return rc;
    if (!found || !ok) {
        app_err_field(err, "/into");
        return app_err_set(err, APP_EFORBIDDEN, "forbidden",
                           found ? "below the lowest common authority with %s" : "no school %s",
                           into);
    }
    return 0;
}

/* Neither school closed, and no open request or problem record on either. */
static int
merge_both_open(db_conn *db, const db_school *from, const db_school *to, app_err *err)
{
    if (from->closed || to->closed) {
        if (!from->closed)
            app_err_field(err, "/into");
        return app_err_set(err, APP_ECONFLICT, "school_closed", "school %s is closed",
                           from->closed ? from->code : to->code);
    }
    long long nreq = 0, nprob = 0;
    int rc;
    if ((rc = db_school_open_requests(db, from->code, to->code, &nreq, err)) != 0 ||
        (rc = db_school_open_problems(db, from->code, to->code, &nprob, err)) != 0)
        return rc;
    if (nreq > 0)
        return app_err_set(err, APP_ECONFLICT, "school_has_open_requests", "%lld open", nreq);
    if (nprob > 0)
        return app_err_set(err, APP_ECONFLICT, "school_has_open_problems", "%lld open", nprob);
    return 0;
}

/* Every grade in use at `from` must be one `to` teaches. */
static int
merge_grades_fit(db_conn *db, const core_op *op, const db_school *from, const db_school *to,
                 app_err *err)
{
    int *grades, ngrades = 0;
    int rc = db_school_grades_in_use(db, from->code, op->arena, &grades, &ngrades, err);
    if (rc != 0)
        return rc;
    char *misfit = app_arena_strdup(op->arena, "");
    for (int i = 0; i < ngrades; i++)
        if (!core_grade_fits_school(to->category, to->system, grades[i]))
            misfit = app_arena_printf(op->arena, "%s%s%d", misfit, *misfit ? ", " : "", grades[i]);
    if (*misfit) {
        app_err_add(err, "/into", "grade_not_in_school", misfit);
        return APP_EINVAL;
    }
    return 0;
}

/* The classes whose number `to` already has in their grade, with the new
   numbers (and names) they take. */
static int
merge_plan(db_conn *db, const core_op *op, const db_school *from, const db_school *to,
           db_renumber **plan, int *nplan, app_err *err)
{
    int rc = db_school_merge_plan(db, from->code, to->code, op->arena, plan, nplan, err);
    if (rc != 0)
        return rc;
    for (int i = 0; i < *nplan; i++) {
        db_renumber *k = &(*plan)[i];
        if (k->to > CORE_CLASS_NUMBER_MAX)
            return app_err_set(err, APP_ECONFLICT, "class_numbers_exhausted", "grade %d: %d",
                               k->grade, k->to);
        /* a class still called by its default name is called by its new number */
        char was[CORE_CLASS_NAME_MAX], now[CORE_CLASS_NAME_MAX];
        if (core_class_default_name(k->grade, k->from, was, sizeof(was)) == 0 &&
            strcmp(was, k->name) == 0 &&
            core_class_default_name(k->grade, k->to, now, sizeof(now)) == 0)
            k->new_name = app_arena_strdup(op->arena, now);
    }
    return 0;
}

/* Move the students and classes, then write the audit row and the event. */
static int
merge_apply(db_conn *db, const core_op *op, const db_school *from, const db_school *to,
            db_renumber *plan, int nplan, core_merge_result *out, app_err *err)
{
    const core_actor *ac = op->actor;
    db_merge m = {from->code,  to->code, plan,          nplan,
                  ac->user_id, ac->org,  to->authority, to->province};
    int rc = db_school_merge_apply(db, &m, op->arena, &out->students, &out->classes, err);
    if (rc != 0)
        return rc;
    const char *detail = merge_json(op, out, from, to, plan, nplan, 1);
    const char *data = merge_json(op, out, from, to, plan, nplan, 0);
    /* scoped to the merged school: its readers learn where its students went,
       the surviving school's learn of each arrival (student.moved) */
    if ((rc = core_audit(db, op, "school.merge", "school", from->code, detail, err)) != 0)
        return rc;
    return core_event(db, "school.merged", 0, from->code, from->authority, from->province, 0, data,
                      err);
}

int
core_school_merge(db_conn *db, const core_op *op, const char *code, const char *into,
                  core_merge_result *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    db_school from, to;
    db_renumber *plan = NULL;
    int nplan = 0;
    if ((rc = merge_load(db, op, code, into, &from, &to, err)) != 0 ||
        (rc = merge_both_open(db, &from, &to, err)) != 0 ||
        (rc = merge_grades_fit(db, op, &from, &to, err)) != 0 ||
        (rc = merge_plan(db, op, &from, &to, &plan, &nplan, err)) != 0 ||
        (rc = merge_apply(db, op, &from, &to, plan, nplan, out, err)) != 0 ||
        (rc = db_commit(db, err)) != 0) {
        db_rollback(db);
        return rc;
    }
    memcpy(out->from, from.code, sizeof(out->from));
    memcpy(out->into, to.code, sizeof(out->into));
    out->renumbered = plan;
    out->nrenumbered = nplan;
    return 0;
}
