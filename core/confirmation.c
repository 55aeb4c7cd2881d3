/*
 * core/confirmation.c - parent confirmations (see core/confirmation.h).
 */
#include "core/confirmation.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/settings.h"
#include "core/student_int.h"
#include "db/files.h"

#include <stdio.h>
#include <string.h>

/* The input's own checks, as items of APP_EINVAL; the evidence list literal. */
static int
check_input(db_conn *db, const core_op *op, const core_confirmation_in *in, const char **out_ev,
            app_err *err)
{
    int ymd = 0;
    if (core_date_parse(in->signed_on, &ymd) != 0)
        app_err_add(err, "/date", "invalid_date", "format");
    else if (ymd > op->today)
        app_err_add(err, "/date", "invalid_date", "future");
    *out_ev = "{}";
    if (in->nevidence > 0) {
        int owned = 0;
        int rc = db_files_owned(db, in->evidence, in->nevidence, op->actor->org, &owned, err);
        if (rc != 0)
            return rc;
        if (owned != in->nevidence)
            app_err_add(err, "/evidence", "file_not_found", NULL);
        jw w;
        jw_init(&w, op->arena);
        jw_raw(&w, "{", 1);
        for (int i = 0; i < in->nevidence; i++) {
            char n[24];
            int len = snprintf(n, sizeof(n), "%s%lld", i ? "," : "", in->evidence[i]);
            jw_raw(&w, n, (size_t)len);
        }
        jw_raw(&w, "}", 1);
        *out_ev = jw_text(&w, NULL);
    }
    /* the items are the answer (api_fail_core); no slug of its own */
    return err != NULL && err->nitems > 0 ? APP_EINVAL : 0;
}

/* The audit entry and the event, in the transaction. */
static int
write_trail(db_conn *db, const core_op *op, const db_school *sc, const db_confirmation *c,
            int nevidence, app_err *err)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_int(&w, "confirmation", c->id);
    jw_str(&w, "term", c->term);
    jw_str(&w, "signed_on", c->signed_on);
    jw_int(&w, "evidence", nevidence);
    jw_end(&w);
    const char *detail = jw_text(&w, NULL);
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", c->student_id);
    int rc = core_audit(db, op, "student.confirmation", "student", sid, detail, err);
    if (rc == 0)
        rc = core_event(db, "student.confirmed", c->student_id, sc->code, sc->authority,
                        sc->province, 0, detail, err);
    return rc;
}

int
core_confirmation_record(db_conn *db, const core_op *op, const char *key,
                         const core_confirmation_in *in, db_confirmation *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    db_student s;
    db_school sc;
    const char *ev;
    int fresh = 0;
    if ((rc = core__load_visible(db, op, key, DB_STUDENT_LOCK, &s, &sc, err)) != 0)
        goto fail;
    /* a bureau that sees the pupil is told no; one that does not, not found */
    if (op->actor->level != CORE_LEVEL_SCHOOL) {
        rc = app_err_set(err, APP_EFORBIDDEN, "forbidden", "confirmations are the school's");
        goto fail;
    }
    if (strcmp(s.school, op->actor->org) != 0) {
        rc = core__not_found(err);
        goto fail;
    }
    if ((rc = check_input(db, op, in, &ev, err)) != 0)
        goto fail;
    if (strcmp(s.state, "enrolled") != 0) {
        rc = app_err_set(err, APP_ESTATE, "student_not_enrolled", "state %s", s.state);
        app_err_param(err, s.state);
        goto fail;
    }
    *out = (db_confirmation){.student_id = s.id,
                             .school = sc.code,
                             .term = in->term,
                             .signed_on = in->signed_on,
                             .evidence = ev,
                             .by_user = op->actor->user_id};
    out->school = app_arena_strdup(op->arena, sc.code);
    if ((rc = db_confirmation_insert(db, out, op->arena, &fresh, err)) != 0)
        goto fail;
    if (!fresh) {
        rc = app_err_set(err, APP_ECONFLICT, "already_confirmed", "term %s", in->term);
        app_err_field(err, "/term");
        goto fail;
    }
    if ((rc = write_trail(db, op, &sc, out, in->nevidence, err)) != 0)
        goto fail;
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
}

int
core_confirmation_report(db_conn *db, const core_op *op, const char *school, const char *term,
                         db_confirmation_count **out, int *out_n, app_err *err)
{
    *out = NULL;
    *out_n = 0;
    db_school sc;
    int rc = core__load_school(db, op, school, &sc, err);
    if (rc != 0)
        return rc;
    core_school_ref ref = {sc.code, sc.county, sc.authority};
    if (!core_actor_sees_school(op->actor, &ref))
        return app_err_set(err, APP_ENOTFOUND, "school_not_found", "school %s", school);
    return db_confirmation_counts(db, sc.code, term, op->arena, out, out_n, err);
}
