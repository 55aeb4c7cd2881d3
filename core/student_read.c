/*
 * core/student_read.c - finding students and what an actor may see of them:
 * visibility, loads for the workflow, get, list, count, history and the
 * document look-up of rule 11 (see core/student.h, core/student_int.h).
 */
#include "core/grade.h"
#include "core/region.h"
#include "core/student_int.h"
#include "core/stuno.h"
#include "db/history.h"
#include "db/request.h"
#include "db/uni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ schools */

int
core__load_school(db_conn *db, const core_op *op, const char *code, db_school *out, app_err *err)
{
    int found = 0;
    int rc = db_school_get(db, code, op->arena, out, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return app_err_set(err, APP_ENOTFOUND, "school_not_found", "school %s", code);
    return 0;
}

int
core_school_load(db_conn *db, const core_op *op, const char *code, db_school *out, app_err *err)
{
    return core__load_school(db, op, code, out, err);
}

int
core_grade_is_final(const db_school *sc, int grade)
{
    if (!core_grade_fits_school(sc->category, sc->system, grade))
        return 0;
    int next = grade + 1;
    /* the next grade of the same level (11-16, 21-24, 31-33) */
    return next / 10 != grade / 10 || !core_grade_valid(next) ||
           !core_grade_fits_school(sc->category, sc->system, next);
}

const char *
core__describe_school(db_conn *db, const core_op *op, const char *code, int for_error, app_err *err)
{
    db_school sc;
    if (core__load_school(db, op, code, &sc, err) != 0)
        return "";
    core_school_ref ref = {sc.code, sc.county, sc.authority};
    if (core_actor_sees_school(op->actor, &ref))
        return app_arena_printf(op->arena, "%s（%s）", sc.name, sc.code);
    const char *county = sc.county_name[0] ? sc.county_name : "其他地区";
    /* an error param marks the hidden form with '@' so api/problem.c can word
       it in the caller's language */
    return for_error ? app_arena_printf(op->arena, "@%s", county)
                     : app_arena_printf(op->arena, "%s的一所学校", county);
}

/* ------------------------------------------------------------ visibility */

int
core__sees_student(const core_actor *a, const db_school *sc, const db_student *s)
{
    core_school_ref ref = {sc->code, sc->county, sc->authority};
    if (!core_actor_sees_school(a, &ref))
        return 0;
    if (a->level != CORE_LEVEL_SCHOOL)
        return 1;
    /* a university's offices (docs/decisions/0032): university-wide ones see
       the whole university; college-scoped ones their college's students,
       which core__load_visible asks the database about */
    if (core_staff_role_university(a->staff_role))
        return !core_staff_role_college_scoped(a->staff_role);
    switch (a->staff_role) {
    case CORE_STAFF_REGISTRAR:
        return 1;
    case CORE_STAFF_GRADE_LEADER:
        return core__grade_of(s) == a->grade;
    case CORE_STAFF_HEAD_TEACHER:
        for (int i = 0; i < a->nclasses; i++)
            if (a->classes[i] == s->class_id)
                return 1;
        return 0;
    default:
        return 0;
    }
}

/* A student by full student number, under every key of the ring. */
static int
find_by_number(db_conn *db, const core_op *op, const char *num, int lock, db_student *out,
               int *out_found, app_err *err)
{
    for (int k = 0; k < core_pii_ring_count(op->env->ring) && !*out_found; k++) {
        int rc = db_student_get_by_stuno(db, core__bidx_hex(op, k, "stuno", num), lock, op->arena,
                                         out, out_found, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int
core__find_student(db_conn *db, const core_op *op, const char *key, int lock, db_student *out,
                   int *out_found, app_err *err)
{
    size_t n = strlen(key);
    int digits = n > 0 && n <= 18;
    for (size_t i = 0; digits && i < n; i++)
        digits = key[i] >= '0' && key[i] <= '9';
    *out_found = 0;
    if (digits)
        return db_student_get(db, atoll(key), lock, op->arena, out, out_found, err);
    char num[20];
    if (core_stuno_parse(key, n, num, NULL) != 0)
        return 0;
    return find_by_number(db, op, num, lock, out, out_found, err);
}

int
core__not_found(app_err *err)
{
    return app_err_set(err, APP_ENOTFOUND, "student_not_found", "no visible student");
}

/* The school of a loaded row, from the row's own columns. */
static void
school_of_row(const db_student *s, db_school *sc)
{
    memset(sc, 0, sizeof(*sc));
    snprintf(sc->code, sizeof(sc->code), "%s", s->school);
    snprintf(sc->county, sizeof(sc->county), "%s", s->school_county);
    snprintf(sc->authority, sizeof(sc->authority), "%s", s->school_authority);
    snprintf(sc->province, sizeof(sc->province), "%s", s->province);
    sc->name = s->school_name;
    sc->closed = s->school_closed;
    sc->county_name = sc->authority_name = "";
}

int
core__load_visible(db_conn *db, const core_op *op, const char *key, int lock, db_student *s,
                   db_school *sc, app_err *err)
{
    int found = 0;
    int rc = core__find_student(db, op, key, lock, s, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return core__not_found(err);
    school_of_row(s, sc);
    /* a student: only their own record, never revealed (core/uni_student.h);
       writes refuse a student (level none) themselves */
    if (op->actor->student_id != 0)
        return s->id == op->actor->student_id && lock != DB_STUDENT_FULL ? 0 : core__not_found(err);
    if (core_staff_role_college_scoped(op->actor->staff_role)) {
        db_uni_student u;
        int in = 0;
        core_school_ref ref = {sc->code, sc->county, sc->authority};
        if (core_actor_sees_school(op->actor, &ref) &&
            (rc = db_uni_student_get(db, s->id, 0, op->arena, &u, &in, err)) != 0)
            return rc;
        return in && u.college == op->actor->college ? 0 : core__not_found(err);
    }
    if (!core__sees_student(op->actor, sc, s)) {
        /* rule 26: the other party of an open transfer sees the record meanwhile */
        int party = 0;
        if (lock != DB_STUDENT_LOCK && op->actor->level == CORE_LEVEL_SCHOOL &&
            op->actor->staff_role == CORE_STAFF_REGISTRAR &&
            (rc = db_request_open_transfer_to(db, s->id, op->actor->org, &party, err)) != 0)
            return rc;
        if (!party)
            return core__not_found(err);
    }
    return 0;
}

int
core__fill_out(const core_op *op, const db_student *s, const db_school *sc, int reveal,
               core_student *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    out->id = s->id;
    snprintf(out->school, sizeof(out->school), "%s", s->school);
    out->school_name = sc ? sc->name : s->school_name;
    snprintf(out->authority, sizeof(out->authority), "%s",
             sc ? sc->authority : s->school_authority);
    snprintf(out->county, sizeof(out->county), "%s", sc ? sc->county : s->school_county);
    out->state = s->state;
    out->student_number = s->stuno_text;
    if (reveal && s->stuno_enc) {
        out->student_number = core__decrypt_hex(op->arena, op->env->ring, s->stuno_enc);
        if (out->student_number == NULL)
            return app_err_set(err, APP_EINTERNAL, NULL, "decrypt failed (student number)");
    }
    out->version = s->version;
    out->created_at = s->created_at;
    out->updated_at = s->updated_at;
    out->has_photo = s->has_photo;
    out->verification = s->verification;
    out->revealed = reveal;
    return core__record_of_row(op, (const char *const *)s->vals, reveal, &out->rec, err);
}

/* ------------------------------------------------------------ loads for the workflow */

int
core_student_load(db_conn *db, const core_op *op, const char *key, int lock, db_student *out,
                  db_school *out_school, app_err *err)
{
    return core__load_visible(db, op, key, lock, out, out_school, err);
}

int
core_student_load_by_number(db_conn *db, const core_op *op, const char *number, int lock,
                            db_student *out, db_school *out_school, app_err *err)
{
    char num[20];
    int found = 0;
    if (core_stuno_parse(number, strlen(number), num, NULL) != 0)
        return core__not_found(err);
    int rc = find_by_number(db, op, num, lock, out, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return core__not_found(err);
    return core__load_school(db, op, out->school, out_school, err);
}

/* ------------------------------------------------------------ reads */

int
core_student_get(db_conn *db, const core_op *op, const char *key, int reveal, core_student *out,
                 app_err *err)
{
    db_student s;
    db_school sc;
    int rc =
        core__load_visible(db, op, key, reveal ? DB_STUDENT_FULL : DB_STUDENT_LIGHT, &s, &sc, err);
    if (rc != 0)
        return rc;
    if ((rc = core__fill_out(op, &s, &sc, reveal, out, err)) != 0)
        return rc;
    if (reveal) { /* (loaded with DB_STUDENT_FULL) */
        char sid[24];
        snprintf(sid, sizeof(sid), "%lld", s.id);
        rc =
            core_audit(db, op, "student.reveal", "student", sid, "{\"fields\":\"id_number\"}", err);
    }
    return rc;
}

/* The staff roles' narrowing of a school actor's filter; 0: none visible. */
static int
scope_staff(const core_actor *a, const core_student_filter *f, db_student_filter *df)
{
    if (f->school && strcmp(f->school, a->org) != 0)
        return 0;
    df->school = a->org;
    if (a->staff_role == CORE_STAFF_GRADE_LEADER) {
        if (f->grade && f->grade != a->grade)
            return 0;
        df->grade = a->grade;
    } else if (a->staff_role == CORE_STAFF_HEAD_TEACHER) {
        df->class_ids = a->classes;
        df->nclass_ids = a->nclasses;
        if (a->nclasses == 0)
            return 0;
    } else if (a->staff_role != CORE_STAFF_REGISTRAR) {
        return 0;
    }
    return 1;
}

/*
 * The db filter of f as the actor may see it: its school, a grade leader's
 * grade, a head teacher's classes, a bureau's region. 0 when the actor can
 * see none of what f asks for.
 */
static int
scope_filter(const core_op *op, const core_student_filter *f, db_student_filter *df)
{
    const core_actor *a = op->actor;
    memset(df, 0, sizeof(*df));
    df->grade = f->grade;
    df->class_no = f->class_no;
    df->state = f->state;
    df->name_prefix = f->name_prefix;
    df->left_behind = f->left_behind;
    df->migrant_child = f->migrant_child;
    df->after_id = f->after_id;
    df->limit = f->limit;
    df->school = f->school;
    df->full = f->reveal;
    if (a->level == CORE_LEVEL_SCHOOL)
        return scope_staff(a, f, df);
    if (a->level == CORE_LEVEL_MINISTRY) {
        df->authority_like = NULL;
    } else {
        char *like = app_arena_alloc(op->arena, 8);
        core_region_like(a->org, like);
        df->authority_like = like;
    }
    return 1;
}

int
core_student_list(db_conn *db, const core_op *op, const core_student_filter *f, core_student **out,
                  int *out_n, app_err *err)
{
    db_student_filter df;
    *out = NULL;
    *out_n = 0;
    if (!scope_filter(op, f, &df))
        return 0;
    db_student *rows;
    int n = 0;
    int rc = db_student_list(db, &df, op->arena, &rows, &n, err);
    if (rc != 0)
        return rc;
    *out = app_arena_alloc(op->arena, sizeof(core_student) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        if ((rc = core__fill_out(op, &rows[i], NULL, f->reveal, &(*out)[i], err)) != 0)
            return rc;
    *out_n = n;
    return 0;
}

int
core_student_count(db_conn *db, const core_op *op, const core_student_filter *f, long long *out_n,
                   app_err *err)
{
    db_student_filter df;
    *out_n = 0;
    if (!scope_filter(op, f, &df))
        return 0;
    return db_student_count(db, &df, out_n, err);
}

int
core_student_history(db_conn *db, const core_op *op, const char *key, long long after_id, int limit,
                     db_history **out, int *out_n, core_request **out_reqs, int *out_nreqs,
                     app_err *err)
{
    db_student s;
    db_school sc;
    int rc = core__load_visible(db, op, key, 0, &s, &sc, err);
    if (rc == 0)
        rc = db_history_list(db, s.id, after_id, limit, op->arena, out, out_n, err);
    if (rc == 0)
        rc = db_request_list_for_student(db, s.id, op->arena, out_reqs, out_nreqs, err);
    return rc;
}

/* ------------------------------------------------------------ look-up */

/* The document normalised as registration would, in *r; APP_EINVAL with the
   document's own items in *err when it is not one. */
static int
lookup_document(const core_op *op, const char *id_type, const char *id_number, core_record *r,
                app_err *err)
{
    memset(r, 0, sizeof(*r));
    r->v[CORE_R_ID_TYPE] = id_type;
    r->v[CORE_R_ID_NUMBER] = id_number;
    r->v[CORE_R_NAME] = "-";
    r->v[CORE_R_F1 + CORE_M_GUARDIAN] = NULL;
    core_record_rules rules = {op->env->codes, op->today, NULL, 0};
    core_record_validate(r, &rules, op->arena, NULL, err);
    /* only the document's own items matter here */
    int keep = 0;
    for (int i = 0; i < err->nitems; i++)
        if (strcmp(err->items[i].field, "/id_type") == 0 ||
            strcmp(err->items[i].field, "/id_number") == 0)
            err->items[keep++] = err->items[i];
    err->nitems = keep;
    if (keep > 0)
        return APP_EINVAL;
    if (id_type == NULL || id_number == NULL) {
        app_err_add(err, id_type ? "/id_number" : "/id_type", "missing_field", NULL);
        return APP_EINVAL;
    }
    return 0;
}

/* The holder `holder` as the actor may see it: outside its jurisdiction
   only where, never who. */
static int
lookup_holder(db_conn *db, const core_op *op, long long holder, int *out_visible, core_student *out,
              app_err *err)
{
    db_student s;
    db_school sc;
    int found = 0;
    int rc;
    if ((rc = db_student_get(db, holder, 0, op->arena, &s, &found, err)) != 0 ||
        (rc = core__load_school(db, op, s.school, &sc, err)) != 0)
        return rc;
    *out_visible = core__sees_student(op->actor, &sc, &s);
    if ((rc = core__fill_out(op, &s, &sc, 0, out, err)) != 0)
        return rc;
    if (!*out_visible) {
        memset(&out->rec, 0, sizeof(out->rec));
        out->id = 0;
        out->student_number = NULL;
        out->school_name = core__describe_school(db, op, sc.code, 0, err);
        out->school[0] = '\0';
    }
    return 0;
}

int
core_student_lookup(db_conn *db, const core_op *op, const char *id_type, const char *id_number,
                    int *out_found, int *out_visible, core_student *out, app_err *err)
{
    core_record r;
    int rc = lookup_document(op, id_type, id_number, &r, err);
    if (rc != 0)
        return rc;
    int nidx = 0;
    const char **idx = core__id_indexes(op, r.v[CORE_R_ID_TYPE], r.v[CORE_R_ID_NUMBER], &nidx);
    long long holder = 0;
    char school[11];
    rc = db_student_find_holder(db, r.v[CORE_R_ID_TYPE], idx, nidx, 0, &holder, school, out_found,
                                err);
    if (rc != 0)
        return rc;
    *out_visible = 0;
    if (*out_found && (rc = lookup_holder(db, op, holder, out_visible, out, err)) != 0)
        return rc;
    int named = *out_found && *out_visible;
    return core_audit(db, op, "student.lookup", "student",
                      named ? app_arena_printf(op->arena, "%lld", holder) : NULL,
                      *out_found ? "{\"found\":true}" : "{\"found\":false}", err);
}
