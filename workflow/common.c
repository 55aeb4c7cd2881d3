/*
 * workflow/common.c - helpers the engine's files share (see workflow/common.h).
 */
#include "workflow/common.h"

#include "core/calendar.h"
#include "db/files.h"
#include "db/problem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
wf_request_not_found(app_err *err, long long id)
{
    return app_err_set(err, APP_ENOTFOUND, "request_not_found", "request %lld", id);
}

int
wf_evidence_check(db_conn *db, const core_op *op, const long long *ids, int n, const char **out,
                  app_err *err)
{
    *out = NULL;
    if (n <= 0)
        return 0;
    int owned = 0;
    int rc = db_files_owned(db, ids, n, op->actor->org, &owned, err);
    if (rc != 0)
        return rc;
    if (owned != n)
        return wf_err_item(err, "/evidence", "file_not_found");
    size_t cap = (size_t)n * 21 + 3, len = 1;
    char *ev = app_arena_alloc(op->arena, cap);
    ev[0] = '{';
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(ev + len, cap - len, "%s%lld", i ? "," : "", ids[i]);
    snprintf(ev + len, cap - len, "}");
    *out = ev;
    return 0;
}

int
wf_actor_is_registrar(const core_actor *a)
{
    return a->level == CORE_LEVEL_SCHOOL && a->staff_role == CORE_STAFF_REGISTRAR;
}

const char *
wf_step_due(const core_op *op, const db_settings *set)
{
    int due =
        core_add_working_days(op->today, set->step_deadline_days, set->holidays, set->nholidays);
    return app_arena_printf(op->arena, "%04d-%02d-%02dT23:59:59+08:00", due / 10000,
                            due / 100 % 100, due % 100);
}

void
wf_now_text(char out[24])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
wf_err_item(app_err *err, const char *ptr, const char *code)
{
    app_err_add(err, ptr, code, NULL);
    return APP_EINVAL;
}

int
wf_class_lock(db_conn *db, const char *school, int grade, int number, long long *out_id,
              app_err *err)
{
    int limit = 0, found = 0;
    int rc = db_class_lock(db, school, grade, number, out_id, &limit, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return wf_err_item(err, "/payload/class", "class_not_found");
    return 0;
}

int
wf_problem_visible(db_conn *db, const core_op *op, const db_problem *pr)
{
    const core_actor *ac = op->actor;
    const char *schools[2] = {pr->school, pr->other_school};
    for (int k = 0; k < 2; k++) {
        db_school x;
        app_err e = {0};
        if (schools[k] == NULL || !*schools[k] || core_school_load(db, op, schools[k], &x, &e) != 0)
            continue;
        core_school_ref ref = {x.code, x.county, x.authority};
        if (ac->level == CORE_LEVEL_SCHOOL
                ? wf_actor_is_registrar(ac) && strcmp(ac->org, x.code) == 0
                : core_actor_sees_school(ac, &ref))
            return 1;
    }
    return 0;
}

const char *
wf_json_text(app_arena *a, json_t *o)
{
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    const char *t = app_arena_strdup(a, s ? s : "{}");
    free(s);
    return t;
}

int
wf_parallel_of(const wf_def *d, const db_step *steps, int n)
{
    int k = 1;
    while (k < d->parallel && k < n && steps[0].office && steps[k].office &&
           strcmp(steps[0].office, steps[k].office) == 0)
        k++;
    return k;
}

int
wf_actor_holds(const core_actor *a, const char *org, const char *office, const char *college)
{
    if (strcmp(a->org, org) != 0)
        return 0;
    if (office == NULL) /* a bureau user, or the school's registrar (never a student) */
        return a->level >= CORE_LEVEL_COUNTY || wf_actor_is_registrar(a);
    const char *mine = wf_actor_office(a);
    /* a person's step (a course teacher's, docs/decisions/0043): "college/account" */
    const char *who = college ? strchr(college, '/') : NULL;
    return mine && strcmp(mine, office) == 0 &&
           (college == NULL ||
            (wf_actor_college(a) != 0 && atoll(college) == wf_actor_college(a))) &&
           (who == NULL || atoll(who + 1) == a->user_id);
}

/* ---- university accounts (docs/decisions/0033) ---- */

int
wf_actor_is_student(const core_actor *a)
{
    return a->student_id != 0;
}

const char *
wf_actor_office(const core_actor *a)
{
    if (a->student_id != 0 || a->level != CORE_LEVEL_SCHOOL ||
        !core_staff_role_university(a->staff_role))
        return NULL;
    return core_staff_role_name(a->staff_role);
}

long long
wf_actor_college(const core_actor *a)
{
    return wf_actor_office(a) && core_staff_role_college_scoped(a->staff_role) ? a->college : 0;
}
