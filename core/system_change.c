/*
 * core/system_change.c - a school changes its system (see core/system_change.h).
 */
#include "core/system_change.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/grade.h"
#include "core/jurisdiction.h"
#include "core/school.h"
#include "db/system_change.h"

#include <stdio.h>
#include <string.h>

int
core_school_year_of(int today)
{
    int y = today / 10000, m = today / 100 % 100;
    return m >= 9 ? y : y - 1;
}

static int
fail_at(app_err *err, app_code code, const char *slug, const char *field)
{
    app_err_field(err, field);
    return app_err_set(err, code, slug, NULL);
}

/* The checks on the locked school, in the order of core/system_change.h. */
static int
checks(const core_op *op, const db_school *s, const char *system, int year, app_err *err)
{
    if (op->actor->level == CORE_LEVEL_SCHOOL || op->actor->level == CORE_LEVEL_NONE)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL);
    if (!core_school_system_valid(system))
        return fail_at(err, APP_EINVAL, "invalid_system", "/system");
    int now = core_school_year_of(op->today);
    if (year != now && year != now + 1)
        return fail_at(err, APP_EINVAL, "invalid_effective_year", "/effective_year");
    if (s->closed)
        return app_err_set(err, APP_ECONFLICT, "school_closed", NULL);
    if (strcmp(s->system, system) == 0)
        return fail_at(err, APP_ECONFLICT, "system_unchanged", "/system");
    return 0;
}

/* The grades whose pupils move into out->grades; every grade with pupils
   must have a place under the new system. */
static int
plan(db_conn *db, const db_school *s, const char *to, core_system_change *out, app_err *err)
{
    long long n[40];
    int rc = db_system_active_by_grade(db, s->code, n, err);
    if (rc != 0)
        return rc;
    for (int g = 11; g < 40; g++) {
        if (n[g] == 0)
            continue;
        int m = core_grade_map(s->system, to, g);
        if (m == 0 || !core_grade_fits_school(s->category, to, m)) {
            app_err_field(err, "/system");
            app_err_set(err, APP_ECONFLICT, "system_change_blocked", "grade %d", g);
            const char *label = core_grade_label(g);
            if (label != NULL)
                app_err_param(err, label);
            return APP_ECONFLICT;
        }
        if (m != g && out->ngrades < 12)
            out->grades[out->ngrades++] = (core_system_grade){g, m, n[g]};
    }
    return 0;
}

/* The classes, the pupils, their events. */
static int
remap(db_conn *db, const core_op *op, const db_school *s, core_system_change *out, app_err *err)
{
    int from[12], to[12], rc;
    for (int i = 0; i < out->ngrades; i++) {
        int made = 0;
        from[i] = out->grades[i].from;
        to[i] = out->grades[i].to;
        if ((rc = db_system_classes_ensure(db, s->code, from[i], to[i], core_grade_label(to[i]),
                                           &made, err)) != 0)
            return rc;
        out->classes_created += made;
    }
    if (out->ngrades == 0)
        return 0;
    long long *ids = NULL;
    int nids = 0;
    if ((rc = db_system_remap(db, s->code, from, to, out->ngrades, op->actor->user_id,
                              op->actor->org, op->arena, &ids, &nids, err)) != 0)
        return rc;
    out->students = nids;
    for (int i = 0; i < nids; i++)
        if ((rc = core_event(db, "student.updated", ids[i], s->code, s->authority, s->province, 0,
                             "{\"reason\":\"system_change\"}", err)) != 0)
            return rc;
    return 0;
}

static int
audit(db_conn *db, const core_op *op, const core_system_change *out, app_err *err)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "from", out->from);
    jw_str(&w, "to", out->school.system);
    jw_int(&w, "effective_year", out->effective_year);
    jw_int(&w, "students", out->students);
    jw_int(&w, "classes_created", out->classes_created);
    jw_int(&w, "version", out->school.version);
    jw_end(&w);
    return core_audit(db, op, "school.system_change", "school", out->school.code, jw_text(&w, NULL),
                      err);
}

int
core_school_system_change(db_conn *db, const core_op *op, const char *code, const char *system,
                          int effective_year, core_system_change *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    db_school s;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    if ((rc = core_school_visible(db, op, code, CORE_SCHOOL_UPDATE, &s, err)) != 0 ||
        (rc = checks(op, &s, system, effective_year, err)) != 0 ||
        (rc = plan(db, &s, system, out, err)) != 0 || (rc = remap(db, op, &s, out, err)) != 0)
        goto fail;
    out->from = s.system;
    out->effective_year = effective_year;
    db_school next = s;
    next.system = system;
    if ((rc = db_school_update(db, &next, s.version, op->arena, &out->school, err)) != 0 ||
        (rc = audit(db, op, out, err)) != 0 || (rc = db_commit(db, err)) != 0)
        goto fail;
    return 0;
fail:
    db_rollback(db);
    return rc;
}
