/*
 * core/student_edit.c - edits of a record's non-key fields by its school
 * (core_student_patch, see core/student.h).
 */
#include "core/student_int.h"
#include "db/history.h"
#include "db/problem.h"
#include "db/request.h"
#include "db/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Who may edit the loaded student now: a school, an active record at the
   expected version without an open problem record (rule 24). */
static int
check_editable(db_conn *db, const core_op *op, const db_student *s, int expect_version,
               app_err *err)
{
    if (op->actor->level != CORE_LEVEL_SCHOOL)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "only schools edit records");
    if (!CORE__ACTIVE(s->state))
        return app_err_set(err, APP_ESTATE, "student_not_active", "state %s", s->state);
    if (s->version != expect_version)
        return app_err_set(err, APP_EPRECOND, "precondition_failed", "stale");
    int nprob = 0;
    int rc = db_problem_open_count(db, s->id, &nprob, err);
    if (rc != 0)
        return rc;
    if (nprob > 0)
        return app_err_set(err, APP_ECONFLICT, "student_has_problem", "open problem");
    return 0;
}

/* Lock the class (serialises its size limit) and check it. */
static int
place_in_class(db_conn *db, const db_school *sc, const core_record *rec, long long *out_class_id,
               app_err *err)
{
    long long id = 0;
    int limit = 0, found = 0, count = 0;
    int rc = db_class_lock(db, sc->code, atoi(rec->v[CORE_R_GRADE]), atoi(rec->v[CORE_R_CLASS]),
                           &id, &limit, &found, err);
    if (rc != 0)
        return rc;
    if (!found) {
        app_err_add(err, "/class", "class_not_found", NULL);
        return APP_EINVAL;
    }
    if (limit > 0) {
        if ((rc = db_class_count(db, id, &count, err)) != 0)
            return rc;
        if (count >= limit)
            return app_err_set(err, APP_ECONFLICT, "class_full", "class %lld full (%d)", id, limit);
    }
    *out_class_id = id;
    return 0;
}

/* 1 in *out when `s` is a pending record whose registration its holder
   returned for correction (DOMAIN rule 15) and the actor is its school's
   registrar, the registration's starter: the key fields may then be
   corrected too, before the registrar resubmits. */
static int
registration_returned(db_conn *db, const core_op *op, const db_student *s, int *out, app_err *err)
{
    *out = 0;
    if (strcmp(s->state, "pending") != 0 || op->actor->staff_role != CORE_STAFF_REGISTRAR ||
        strcmp(op->actor->org, s->school) != 0)
        return 0;
    db_request *q;
    int n = 0;
    int rc = db_request_list_for_student(db, s->id, op->arena, &q, &n, err);
    for (int i = 0; rc == 0 && i < n; i++)
        *out |= strcmp(q[i].type, "registration") == 0 && strcmp(q[i].state, "returned") == 0;
    return rc;
}

/* The merged record is valid and, unless `correcting`, changes no key field
   (each one changed and present is an item: key_field_requires_approval). */
static int
check_fields(db_conn *db, const core_op *op, const db_school *sc, const core_record *cur,
             core_record *next, const unsigned char *present, int correcting, app_err *err)
{
    db_settings set;
    int rc = db_settings_for_school(db, sc->code, op->arena, &set, err);
    if (rc != 0)
        return rc;
    core_record_rules rules = {op->env->codes, op->today, set.required_fields,
                               set.nrequired_fields};
    core_record_validate(next, &rules, op->arena, NULL, err);
    int keys = correcting ? 0 : core_record_key_changed(cur, next);
    for (int i = 0; i < CORE_NFIELDS; i++) {
        if (i < 31 && keys & (1 << i) && present[i]) { /* i < 31 first: no shift UB */
            char p[64];
            core_field_pointer(i, p, sizeof(p));
            app_err_add(err, p, "key_field_requires_approval", NULL);
        }
    }
    return err->nitems > 0 ? APP_EINVAL : 0;
}

/* A class change moves the student within the school, within the caller's
   scope (a head teacher moves pupils between their own classes only). */
static int
check_place(db_conn *db, const core_op *op, const db_school *sc, db_student *s,
            const core_record *cur, const core_record *next, app_err *err)
{
    int rc;
    if (!core__same(cur->v[CORE_R_GRADE], next->v[CORE_R_GRADE])) {
        app_err_add(err, "/grade", "grade_change_requires_approval", NULL);
        return APP_EINVAL;
    }
    if (!core__same(cur->v[CORE_R_CLASS], next->v[CORE_R_CLASS]) &&
        (rc = place_in_class(db, sc, next, &s->class_id, err)) != 0)
        return rc;
    if (!core__sees_student(op->actor, sc, s)) {
        app_err_field(err, "/class");
        return app_err_set(err, APP_EFORBIDDEN, "class_out_of_scope", "class %lld", s->class_id);
    }
    return 0;
}

/* The row rewritten from `next` under the current data key (so an edit also
   rotates it), blind indexes with it, stored at `expect_version`. */
static int
rewrite_row(db_conn *db, const core_op *op, db_student *s, const core_record *next,
            int expect_version, app_err *err)
{
    const char **vals;
    int rc = core__row_of_record(op, next, &vals, err);
    if (rc != 0)
        return rc;
    s->vals = vals;
    s->key_id = core_pii_key_id(op->env->ring, 0);
    if (s->id_bidx && next->v[CORE_R_ID_TYPE]) /* (a correction has set it already) */
        s->id_bidx = core__id_bidx(op, next->v[CORE_R_ID_TYPE], next->v[CORE_R_ID_NUMBER]);
    if ((rc = core__stuno_rewrap(op, s, err)) != 0)
        return rc;
    return db_student_update(db, s, expect_version, err);
}

/* History (old and new values of plain fields; PII only named), audit entry
   and event of an edit with `nchg` changes. */
static int
record_edit(db_conn *db, const core_op *op, const db_student *s, const db_school *sc,
            const char *changes_json, int nchg, app_err *err)
{
    const core_actor *a = op->actor;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", s->id);
    db_history h = {0, s->id, a->user_id, 0, NULL, "edited", a->org, sc->code, changes_json, NULL};
    jw detail, data;
    jw_init(&detail, op->arena);
    jw_obj(&detail);
    jw_int(&detail, "changes", nchg);
    jw_end(&detail);
    jw_init(&data, op->arena);
    jw_obj(&data);
    jw_int(&data, "version", s->version);
    jw_end(&data);
    int rc;
    if ((rc = db_history_insert(db, &h, err)) != 0 ||
        (rc = core_audit(db, op, "student.edit", "student", sid, jw_text(&detail, NULL), err)) != 0)
        return rc;
    return core_event(db, "student.updated", s->id, sc->code, sc->authority, sc->province, 0,
                      jw_text(&data, NULL), err);
}

/* The edit inside the open transaction; *out_nchg = 0: nothing changes
   (nothing written). */
static int
patch_tx(db_conn *db, const core_op *op, db_student *s, db_school *sc, int expect_version,
         const core_record *changes, const unsigned char *present, int *out_nchg, app_err *err)
{
    int correcting = 0;
    int rc = check_editable(db, op, s, expect_version, err);
    if (rc != 0 || (rc = registration_returned(db, op, s, &correcting, err)) != 0)
        return rc;
    /* the current record, in clear, to merge into */
    core_record cur;
    if ((rc = core__record_of_row(op, (const char *const *)s->vals, 1, &cur, err)) != 0)
        return rc;
    core_record next = cur;
    for (int i = 0; i < CORE_NFIELDS; i++)
        if (present[i])
            next.v[i] = changes->v[i];
    if ((rc = check_fields(db, op, sc, &cur, &next, present, correcting, err)) != 0 ||
        (rc = check_place(db, op, sc, s, &cur, &next, err)) != 0 ||
        (correcting && (rc = core__registration_recheck(db, op, sc, s, &cur, &next, err)) != 0))
        return rc;
    jw w;
    jw_init(&w, op->arena);
    jw_arr(&w);
    *out_nchg = core__history_fields(&w, &cur, &next, NULL, 0);
    jw_arr_end(&w);
    if (*out_nchg == 0)
        return 0;
    if ((rc = rewrite_row(db, op, s, &next, expect_version, err)) != 0)
        return rc;
    return record_edit(db, op, s, sc, jw_text(&w, NULL), *out_nchg, err);
}

int
core_student_patch(db_conn *db, const core_op *op, const char *key, int expect_version,
                   const core_record *changes, const unsigned char *present, core_student *out,
                   app_err *err)
{
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    db_student s;
    db_school sc;
    int nchg = 0;
    /* not visible is 404 for everyone; visible to a bureau is 403: schools edit */
    if ((rc = core__load_visible(db, op, key, 1, &s, &sc, err)) != 0 ||
        (rc = patch_tx(db, op, &s, &sc, expect_version, changes, present, &nchg, err)) != 0) {
        db_rollback(db);
        return rc;
    }
    if (nchg == 0) {
        db_rollback(db);
        return core__fill_out(op, &s, &sc, 0, out, err);
    }
    if ((rc = db_commit(db, err)) != 0)
        return rc;
    int found = 0;
    if ((rc = db_student_get(db, s.id, 0, op->arena, &s, &found, err)) != 0)
        return rc;
    return core__fill_out(op, &s, &sc, 0, out, err);
}
