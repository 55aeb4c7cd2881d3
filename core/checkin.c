/*
 * core/checkin.c - semester check-ins (see core/checkin.h).
 */
#include "core/checkin.h"

#include "core/calendar_op.h"
#include "core/school_year.h"
#include "core/student_int.h"
#include "db/photo.h"

#include <stdio.h>
#include <string.h>

/* Check in each key's student, or add an item naming it to *err. */
static int
checkin_keys(db_conn *db, const core_op *op, const db_school *sc, const char *term,
             const char *const *keys, int nkeys, core_checkin_result *out, app_err *err)
{
    for (int i = 0; i < nkeys; i++) {
        db_student s;
        int found = 0;
        char p[32];
        snprintf(p, sizeof(p), "/students/%d", i);
        int rc = core__find_student(db, op, keys[i], 0, &s, &found, err);
        if (rc != 0)
            return rc;
        if (!found || strcmp(s.school, sc->code) != 0 || !core__sees_student(op->actor, sc, &s)) {
            app_err_add(err, p, "student_not_found", NULL);
            continue;
        }
        if (strcmp(s.state, "enrolled") != 0) {
            app_err_add(err, p, "student_not_enrolled", s.state);
            continue;
        }
        int fresh = 0;
        if ((rc = db_checkin_insert(db, s.id, term, sc->code, op->actor->user_id, &fresh, err)) !=
            0)
            return rc;
        if (fresh)
            out->checked_in++;
        else
            out->already++;
    }
    return 0;
}

int
core_checkin(db_conn *db, const core_op *op, const char *school, const char *term,
             const char *const *keys, int nkeys, core_checkin_result *out, app_err *err)
{
    const core_actor *a = op->actor;
    memset(out, 0, sizeof(*out));
    db_school sc;
    int rc = core__load_school(db, op, school, &sc, err);
    if (rc != 0)
        return rc;
    core_school_ref ref = {sc.code, sc.county, sc.authority};
    if (!core_actor_sees_school(a, &ref))
        return app_err_set(err, APP_ENOTFOUND, "school_not_found", "school %s", school);
    if (a->level != CORE_LEVEL_SCHOOL)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "check-ins are the school's");
    /* only a term of the school's calendar that has begun (core/school_year.h) */
    int y0, t2;
    if ((rc = core_calendar_of_school(db, op, sc.code, &y0, &t2, err)) != 0 ||
        (rc = core_term_check(term, op->today, y0, t2, "/term", err)) != 0)
        return rc;
    if ((rc = db_begin(db, err)) != 0)
        return rc;
    if ((rc = checkin_keys(db, op, &sc, term, keys, nkeys, out, err)) != 0)
        goto fail;
    out->nerrors = err->nitems;
    if (err->nitems > 0) {
        /* all or nothing: the clerk fixes the list and sends it again */
        db_rollback(db);
        out->checked_in = out->already = 0;
        return APP_EINVAL;
    }
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "term", term);
    jw_int(&w, "count", out->checked_in);
    jw_end(&w);
    const char *detail = jw_text(&w, NULL);
    if ((rc = core_audit(db, op, "school.checkin", "school", sc.code, detail, err)) != 0 ||
        (rc = core_event(db, "school.checked_in", 0, sc.code, sc.authority, sc.province, 0, detail,
                         err)) != 0)
        goto fail;
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
}
