/*
 * core/uni_section.c - the sections (教学班) of a university's courses
 * (core/uni_catalog.h).
 */
#include "core/audit.h"
#include "core/uni.h"
#include "core/uni_catalog.h"
#include "core/uni_catalog_int.h"

#include <stdio.h>
#include <string.h>

int
core_uni_section_list(db_conn *db, const core_op *op, const char *code, const char *term,
                      const char *course, const char *college, long long after, int limit,
                      db_uni_section **out, int *out_n, app_err *err)
{
    db_school sc;
    db_uni_course c = {0};
    long long cid = 0;
    int found = 1;
    int rc = core_uni_visible(db, op, code, &sc, err);
    if (rc == 0 && course != NULL)
        rc = db_uni_course_get(db, sc.code, course, 0, op->arena, &c, &found, err);
    if (rc == 0 && college != NULL &&
        (rc = core_uc_college_id(db, sc.code, college, op->arena, &cid, err)) == 0)
        found = found && cid != 0;
    if (rc != 0)
        return rc;
    if (!found) { /* an unknown course or college: no sections */
        *out = NULL;
        *out_n = 0;
        return 0;
    }
    return db_uni_section_list(db, sc.code, term, c.id, cid, after, limit, op->arena, out, out_n,
                               err);
}

int
core_uni_section_get(db_conn *db, const core_op *op, const char *code, long long id,
                     db_uni_section *out, app_err *err)
{
    db_school sc;
    int found = 0;
    int rc = core_uni_visible(db, op, code, &sc, err);
    if (rc == 0)
        rc = db_uni_section_get(db, sc.code, id, 0, op->arena, out, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ENOTFOUND, "section_not_found", NULL);
    return rc;
}

/* The teacher and majors of `in` resolved into `out`: items when bad. */
static int
section_people(db_conn *db, const core_op *op, const db_school *sc, const core_uni_section_in *in,
               db_uni_section *out, app_err *err)
{
    int rc = 0;
    if (in->teacher_given) {
        out->teacher = 0;
        out->teacher_username = in->teacher;
        if (in->teacher != NULL &&
            (rc = db_uni_teacher_find(db, sc->code, in->teacher, op->arena, &out->teacher, err)) ==
                0 &&
            out->teacher == 0)
            core_uc_invalid(err, "/teacher", "teacher_not_found");
    }
    if (rc != 0 || !in->majors_given)
        return rc;
    out->majors = NULL;
    out->nmajors = 0;
    if (in->majors == NULL)
        return 0;
    if (in->nmajors > CORE_UNI_SECTION_MAJORS)
        return core_uc_invalid(err, "/majors", "too_many_items");
    out->majors = app_arena_alloc(op->arena, sizeof(long long) * (size_t)(in->nmajors + 1));
    out->major_codes = (const char **)in->majors;
    out->nmajors = in->nmajors;
    for (int i = 0; rc == 0 && i < in->nmajors; i++) {
        if ((rc = core_uc_major_id(db, sc->code, in->majors[i], op->arena, &out->majors[i], err)) ==
                0 &&
            out->majors[i] == 0) {
            char p[32];
            snprintf(p, sizeof(p), "/majors/%d", i);
            app_err_add(err, p, "major_not_found", NULL);
        }
    }
    return rc;
}

/* `in` checked and merged over `base` into `out`. */
static int
section_merge(db_conn *db, const core_op *op, const db_school *sc, const core_uni_section_in *in,
              const db_uni_section *base, db_uni_section *out, app_err *err)
{
    *out = *base;
    if (in->number != 0 && (in->number < 1 || in->number > 999))
        core_uc_invalid(err, "/number", "invalid_section_number");
    if (in->capacity != 0 && (in->capacity < 1 || in->capacity > 10000))
        core_uc_invalid(err, "/capacity", "invalid_capacity");
    if (in->cohort != -1 && in->cohort != 0 && (in->cohort < 1990 || in->cohort > 2100))
        core_uc_invalid(err, "/cohort", "invalid_cohort");
    int rc = section_people(db, op, sc, in, out, err);
    if (rc != 0)
        return rc;
    if (err->nitems > 0)
        return APP_EINVAL;
    out->number = in->number ? in->number : base->number;
    out->capacity = in->capacity ? in->capacity : base->capacity;
    out->cohort = in->cohort != -1 ? in->cohort : base->cohort;
    return 0;
}

static void
section_detail(jw *w, app_arena *a, const db_uni_section *s)
{
    jw_init(w, a);
    jw_obj(w);
    jw_str(w, "school", s->school);
    jw_int(w, "course", s->course);
    jw_str(w, "term", s->term);
    jw_int(w, "number", s->number);
    jw_int(w, "teacher", s->teacher);
    jw_int(w, "capacity", s->capacity);
    jw_int(w, "cohort", s->cohort);
    jw_int(w, "majors", s->nmajors);
    jw_int(w, "version", s->version);
}

/* Create in the open transaction, audit, commit. */
static int
section_insert(db_conn *db, const core_op *op, const db_school *sc, const core_uni_section_in *in,
               db_uni_section *out, app_err *err)
{
    db_uni_course c;
    int found = 0, rc = 0;
    if (in->course == NULL ||
        ((rc = db_uni_course_get(db, sc->code, in->course, 0, op->arena, &c, &found, err)) == 0 &&
         !found))
        core_uc_invalid(err, "/course", "unknown_course");
    if (rc == 0 && !core_uc_term_ok(in->term))
        core_uc_invalid(err, "/term", "invalid_term");
    if (rc == 0 && in->number == 0)
        core_uc_invalid(err, "/number", "invalid_section_number");
    if (rc == 0 && in->capacity == 0)
        core_uc_invalid(err, "/capacity", "invalid_capacity");
    db_uni_section base = {0}, s;
    if (rc == 0)
        rc = section_merge(db, op, sc, in, &base, &s, err);
    if (rc == 0 && err->nitems > 0)
        rc = APP_EINVAL;
    if (rc != 0)
        return core_uc_rollback(db, rc);
    snprintf(s.school, sizeof(s.school), "%s", sc->code);
    snprintf(s.term, sizeof(s.term), "%s", in->term);
    s.course = c.id;
    if ((rc = db_uni_section_insert(db, &s, op->arena, out, err)) != 0) {
        if (rc == APP_ECONFLICT)
            app_err_field(err, "/number");
        return core_uc_rollback(db, rc);
    }
    jw w;
    section_detail(&w, op->arena, out);
    return core_uc_audit_commit(db, op, "uni_section_create", "uni_section", out->id, &w, err);
}

int
core_uni_section_create(db_conn *db, const core_op *op, const char *code,
                        const core_uni_section_in *in, db_uni_section *out, app_err *err)
{
    db_school sc;
    int rc = core_uc_begin_managed(db, op, code, &sc, err);
    return rc ? rc : section_insert(db, op, &sc, in, out, err);
}

static int
section_same(const db_uni_section *a, const db_uni_section *b)
{
    if (a->number != b->number || a->teacher != b->teacher || a->capacity != b->capacity ||
        a->cohort != b->cohort || (a->majors == NULL) != (b->majors == NULL) ||
        a->nmajors != b->nmajors)
        return 0;
    for (int i = 0; i < a->nmajors; i++)
        if (a->majors[i] != b->majors[i])
            return 0;
    return 1;
}

/* Change the locked section `cur` to `in`. */
static int
section_change(db_conn *db, const core_op *op, const db_school *sc, const db_uni_section *cur,
               const core_uni_section_in *in, db_uni_section *out, int *out_changed, app_err *err)
{
    db_uni_section next;
    int found = 0, rc = section_merge(db, op, sc, in, cur, &next, err);
    if (rc != 0)
        return core_uc_rollback(db, rc);
    *out_changed = !section_same(cur, &next);
    if (!*out_changed) {
        *out = *cur;
        return core_uc_rollback(db, 0);
    }
    if (next.capacity < cur->taken) { /* the row is locked: taken cannot move */
        app_err_field(err, "/capacity");
        return core_uc_rollback(
            db, app_err_set(err, APP_ECONFLICT, "capacity_below_taken", "taken %d", cur->taken));
    }
    if ((rc = db_uni_section_update(db, &next, cur->version, op->arena, out, &found, err)) != 0) {
        if (rc == APP_ECONFLICT)
            app_err_field(err, "/number");
        return core_uc_rollback(db, rc);
    }
    if (!found)
        return core_uc_rollback(db, app_err_set(err, APP_EPRECOND, "precondition_failed", NULL));
    jw w;
    section_detail(&w, op->arena, out);
    jw_int(&w, "old_capacity", cur->capacity);
    jw_int(&w, "old_version", cur->version);
    return core_uc_audit_commit(db, op, "uni_section_update", "uni_section", out->id, &w, err);
}

int
core_uni_section_patch(db_conn *db, const core_op *op, const char *code, long long id,
                       const core_uni_section_in *in, int if_match, db_uni_section *out,
                       app_err *err)
{
    db_school sc;
    db_uni_section cur;
    int found = 0, changed = 0;
    int rc = core_uc_begin_managed(db, op, code, &sc, err);
    if (rc != 0)
        return rc;
    if ((rc = db_uni_section_get(db, sc.code, id, 1, op->arena, &cur, &found, err)) != 0)
        return core_uc_rollback(db, rc);
    if (!found)
        return core_uc_rollback(db, app_err_set(err, APP_ENOTFOUND, "section_not_found", NULL));
    if (if_match != cur.version)
        return core_uc_rollback(db, app_err_set(err, APP_EPRECOND, "precondition_failed", NULL));
    return section_change(db, op, &sc, &cur, in, out, &changed, err);
}

int
core_uni_section_put(db_conn *db, const core_op *op, const char *code,
                     const core_uni_section_in *in, int *out_did, app_err *err)
{
    db_school sc;
    db_uni_course c;
    db_uni_section cur, out;
    int found = 0, changed = 0;
    int rc = core_uc_begin_managed(db, op, code, &sc, err);
    if (rc != 0)
        return rc;
    if (in->course != NULL && core_uc_term_ok(in->term) && in->number > 0 &&
        (rc = db_uni_course_get(db, sc.code, in->course, 0, op->arena, &c, &found, err)) == 0 &&
        found)
        rc = db_uni_section_find(db, c.id, in->term, in->number, op->arena, &cur, &found, err);
    if (rc != 0)
        return core_uc_rollback(db, rc);
    if (!found) {
        *out_did = CORE_UNI_CREATED;
        return section_insert(db, op, &sc, in, &out, err);
    }
    rc = section_change(db, op, &sc, &cur, in, &out, &changed, err);
    *out_did = changed ? CORE_UNI_UPDATED : CORE_UNI_UNCHANGED;
    return rc;
}
