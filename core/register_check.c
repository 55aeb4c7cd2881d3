/*
 * core/register_check.c - the checks a registration shares with its
 * approval and with the school's correction of a returned registration
 * (see core/student_int.h): the final G number already held by another
 * record (student_has_record), and a pending record's corrected identity
 * checked again as at registration.
 */
#include "core/problem.h"
#include "core/settings.h"
#include "core/student_int.h"
#include "core/stuno.h"
#include "db/bulk.h"
#include "db/problem.h"
#include "db/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
core__g_number(const core_op *op, const char *type, const char *number)
{
    if (type == NULL || number == NULL || (strcmp(type, "1") != 0 && strcmp(type, "C") != 0))
        return NULL;
    char num[20];
    core_stuno_make_g(number, num);
    return app_arena_strdup(op->arena, num);
}

int
core__has_record(const core_op *op, app_err *err, long long holder, const char *who,
                 const char *state)
{
    const char *label = core_codes_label(op->env->codes, "student_state", state);
    app_err_set(err, APP_ECONFLICT, "student_has_record", "number held by student %lld (%s)",
                holder, state);
    app_err_field(err, "/id_number");
    app_err_param(err, app_arena_printf(op->arena, "%s|%s", who, label ? label : state));
    return APP_ECONFLICT;
}

int
core__repeats_stage(const char *state, int held_grade, int grade)
{
    int stage = grade / 10;
    if (strcmp(state, "graduated") != 0 && strcmp(state, "completed") != 0)
        return 0;
    return (stage == 1 || stage == 2) && held_grade / 10 == stage;
}

int
core__repeater(app_err *err)
{
    app_err_set(err, APP_ECONFLICT, "compulsory_repeater", "finished this compulsory stage");
    app_err_field(err, "/grade");
    return APP_ECONFLICT;
}

int
core__check_no_record(db_conn *db, const core_op *op, const char *type, const char *number,
                      long long self, app_err *err)
{
    const char *g = core__g_number(op, type, number);
    if (g == NULL)
        return 0;
    db_student h;
    int found = 0;
    for (int k = 0; k < core_pii_ring_count(op->env->ring) && !found; k++) {
        int rc = db_student_get_by_stuno(db, core__bidx_hex(op, k, "stuno", g), 0, op->arena, &h,
                                         &found, err);
        if (rc != 0)
            return rc;
    }
    if (!found || h.id == self)
        return 0;
    const char *who = core__describe_school(db, op, h.school, 1, err);
    if (err->code != APP_OK)
        return err->code;
    return core__has_record(op, err, h.id, who, h.state);
}

/* Rule 21 again when a grade-1 pupil's birth date was corrected. */
static int
check_entry_age(const core_op *op, const db_settings *set, const core_record *next, app_err *err)
{
    int birth = core__ymd(next->v[CORE_R_BIRTH_DATE]);
    const char *grade = next->v[CORE_R_GRADE];
    if (grade == NULL || atoi(grade) != 11 || birth == 0 ||
        core_entry_age_ok(birth, op->today / 10000, set->entry_age_cutoff, set->entry_min_age))
        return 0;
    app_err_add(err, "/birth_date", "below_entry_age",
                app_arena_printf(op->arena, "%d", set->entry_min_age));
    return APP_EINVAL;
}

/* Rules 11 and 22: no other active record holds the corrected document,
   under the identity lock; a holder is duplicate_enrolled naming its school. */
static int
check_identity(db_conn *db, const core_op *op, long long self, const char *type, const char *number,
               app_err *err)
{
    int nidx = 0, found = 0, rc;
    const char **idx = core__id_indexes(op, type, number, &nidx);
    long long holder = 0;
    char hs[11];
    if ((rc = db_student_lock_identity(db, idx[0], err)) != 0 ||
        (rc = db_student_find_holder(db, type, idx, nidx, self, &holder, hs, &found, err)) != 0)
        return rc;
    if (!found)
        return 0;
    const char *who = core__describe_school(db, op, hs, 1, err);
    if (err->code != APP_OK)
        return err->code;
    app_err_set(err, APP_ECONFLICT, "duplicate_enrolled", "identity held by student %lld", holder);
    app_err_field(err, "/id_number");
    app_err_param(err, who);
    return APP_ECONFLICT;
}

/* Rule 24: a corrected name, gender or birth date that another active
   record of the province shares opens a suspected-duplicate problem record
   for the lowest common authority of the two schools, as registration does. */
static int
check_similar(db_conn *db, const core_op *op, const db_school *sc, const db_student *s,
              const core_record *cur, const core_record *next, app_err *err)
{
    const char *name = next->v[CORE_R_NAME], *gender = next->v[CORE_R_GENDER],
               *birth = next->v[CORE_R_BIRTH_DATE];
    if (core__same(cur->v[CORE_R_NAME], name) && core__same(cur->v[CORE_R_GENDER], gender) &&
        core__same(cur->v[CORE_R_BIRTH_DATE], birth))
        return 0;
    db_similar *sim;
    int nsim = 0;
    int rc = db_similar_find_many(db, sc->province, 1, &s->id, &name, &gender, &birth, op->arena,
                                  &sim, &nsim, err);
    for (int k = 0; rc == 0 && k < nsim; k++) {
        db_school other;
        char lca[7];
        if ((rc = core__load_school(db, op, sim[k].school, &other, err)) != 0)
            return rc;
        core_school_ref ra = {sc->code, sc->county, sc->authority};
        core_school_ref rb = {other.code, other.county, other.authority};
        core_lowest_common_authority(&ra, &rb, core_codes_is_region, (void *)op->env->codes, lca);
        rc = core_problem_open(db, "suspected_duplicate", s->id, sim[k].id, sc->code, other.code,
                               lca, "same name, gender and birth date", err);
    }
    return rc;
}

/* Rule 23: the identity check of the corrected document (a resident ID,
   when a verifier is set); a failure opens a problem record. */
static int
verify_again(db_conn *db, const core_op *op, const db_school *sc, db_student *s,
             const core_record *next, app_err *err)
{
    const char *type = next->v[CORE_R_ID_TYPE];
    s->verification = NULL;
    if (op->verify == NULL || type == NULL || strcmp(type, "1") != 0)
        return 0;
    op->verify(op->verify_ctx, next, &s->verification);
    const char *v = s->verification;
    if (v == NULL || strcmp(v, "passed") == 0 || strcmp(v, "unavailable") == 0)
        return 0;
    return core_problem_open(db, "identity_failed", s->id, 0, sc->code, NULL, sc->authority, v,
                             err);
}

int
core__registration_recheck(db_conn *db, const core_op *op, const db_school *sc, db_student *s,
                           const core_record *cur, const core_record *next, app_err *err)
{
    if (!core_record_key_changed(cur, next))
        return 0;
    db_settings set;
    int rc = db_settings_for_school(db, sc->code, op->arena, &set, err);
    if (rc != 0 || (rc = check_entry_age(op, &set, next, err)) != 0)
        return rc;
    const char *type = next->v[CORE_R_ID_TYPE], *number = next->v[CORE_R_ID_NUMBER];
    if (type != NULL && ((rc = check_identity(db, op, s->id, type, number, err)) != 0 ||
                         (rc = core__check_no_record(db, op, type, number, s->id, err)) != 0))
        return rc;
    s->id_bidx = type ? core__id_bidx(op, type, number) : NULL;
    if ((rc = check_similar(db, op, sc, s, cur, next, err)) != 0)
        return rc;
    return verify_again(db, op, sc, s, next, err);
}
