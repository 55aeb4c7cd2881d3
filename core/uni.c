/*
 * core/uni.c - the structure of a university and its look-ups (core/uni.h).
 */
#include "core/uni.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/school.h"
#include "core/schoolcode.h"

#include <stdio.h>
#include <string.h>

static int
rollback(db_conn *db, int rc)
{
    db_rollback(db);
    return rc;
}

static int
invalid(app_err *err, const char *field, const char *slug)
{
    app_err_field(err, field);
    return app_err_set(err, APP_EINVAL, slug, NULL);
}

int
core_uni_code_ok(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return 0;
    }
    return 1;
}

/* 1..100 characters (UTF-8 code points), not blank. */
static int
name_ok(const char *s)
{
    if (s == NULL || *s == '\0')
        return 0;
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            chars++;
    return chars <= 100;
}

int
core_uni_visible(db_conn *db, const core_op *op, const char *code, db_school *out, app_err *err)
{
    int rc, found = 0;
    if (op->actor->student_id != 0) { /* a student sees their own university's structure */
        if (strcmp(op->actor->org, code) != 0)
            return app_err_set(err, APP_ENOTFOUND, "school_not_found", NULL);
        if ((rc = db_school_get(db, code, op->arena, out, &found, err)) != 0)
            return rc;
        if (!found)
            return app_err_set(err, APP_ENOTFOUND, "school_not_found", NULL);
    } else if ((rc = core_school_visible(db, op, code, 0, out, err)) != 0) {
        return rc;
    }
    if (!core_school_is_university(out->category))
        return app_err_set(err, APP_ENOTFOUND, "not_a_university", "category %d", out->category);
    return 0;
}

int
core_uni_manages(const core_actor *a, const db_school *sc)
{
    if (a == NULL || sc == NULL)
        return 0;
    if (a->level == CORE_LEVEL_SCHOOL)
        return strcmp(a->org, sc->code) == 0 && a->staff_role == CORE_STAFF_REGISTRAR_SECTION;
    core_school_ref ref = {sc->code, sc->county, sc->authority};
    return a->level >= CORE_LEVEL_COUNTY && core_actor_sees_school(a, &ref);
}

/* The university for a write: visible, managed by the actor, in a
   transaction that core_uni_*_create commits. */
static int
begin_managed(db_conn *db, const core_op *op, const char *code, db_school *sc, app_err *err)
{
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    if ((rc = core_uni_visible(db, op, code, sc, err)) != 0)
        return rollback(db, rc);
    if (!core_uni_manages(op->actor, sc))
        return rollback(db, app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL));
    return 0;
}

static int
audit_commit(db_conn *db, const core_op *op, const char *action, const char *type, long long id,
             jw *w, app_err *err)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%lld", id);
    jw_end(w);
    int rc = core_audit(db, op, action, type, ids, jw_text(w, NULL), err);
    if (rc == 0)
        rc = db_commit(db, err);
    return rc ? rollback(db, rc) : 0;
}

/* ---- colleges ---- */

int
core_uni_college_list(db_conn *db, const core_op *op, const char *code, db_uni_college **out,
                      int *out_n, app_err *err)
{
    db_school sc;
    int rc = core_uni_visible(db, op, code, &sc, err);
    return rc ? rc : db_uni_college_list(db, sc.code, op->arena, out, out_n, err);
}

int
core_uni_college_create(db_conn *db, const core_op *op, const char *code,
                        const core_uni_college_new *in, db_uni_college *out, app_err *err)
{
    db_school sc;
    int rc = begin_managed(db, op, code, &sc, err);
    if (rc != 0)
        return rc;
    if (!core_uni_code_ok(in->code, 10))
        return rollback(db, invalid(err, "/code", "invalid_college_code"));
    if (!name_ok(in->name))
        return rollback(db, invalid(err, "/name", "invalid_name"));
    db_uni_college c = {.code = in->code, .name = in->name, .is_pe = in->is_pe};
    memcpy(c.school, sc.code, sizeof(c.school));
    if ((rc = db_uni_college_insert(db, &c, op->arena, out, err)) != 0) {
        if (rc == APP_ECONFLICT)
            app_err_field(err, strcmp(err->slug, "pe_college_exists") == 0 ? "/is_pe" : "/code");
        return rollback(db, rc);
    }
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "school", out->school);
    jw_str(&w, "code", out->code);
    jw_str(&w, "name", out->name);
    jw_bool(&w, "is_pe", out->is_pe);
    return audit_commit(db, op, "uni_college_create", "uni_college", out->id, &w, err);
}

/* ---- majors ---- */

int
core_uni_major_list(db_conn *db, const core_op *op, const char *code, long long college,
                    db_uni_major **out, int *out_n, app_err *err)
{
    db_school sc;
    int rc = core_uni_visible(db, op, code, &sc, err);
    return rc ? rc : db_uni_major_list(db, sc.code, college, op->arena, out, out_n, err);
}

static int
major_checks(const core_uni_major_new *in, app_err *err)
{
    if (!core_uni_code_ok(in->code, 12))
        return invalid(err, "/code", "invalid_major_code");
    if (!name_ok(in->name))
        return invalid(err, "/name", "invalid_name");
    if (in->level == NULL ||
        (strcmp(in->level, "undergraduate") != 0 && strcmp(in->level, "junior") != 0))
        return invalid(err, "/level", "invalid_level");
    if (in->years < 2 || in->years > 8)
        return invalid(err, "/years", "invalid_years");
    return 0;
}

int
core_uni_major_create(db_conn *db, const core_op *op, const char *code,
                      const core_uni_major_new *in, db_uni_major *out, app_err *err)
{
    db_school sc;
    int rc = begin_managed(db, op, code, &sc, err);
    if (rc != 0)
        return rc;
    if ((rc = major_checks(in, err)) != 0)
        return rollback(db, rc);
    db_uni_college col;
    int found = 0;
    if ((rc = db_uni_college_get(db, sc.code, in->college, op->arena, &col, &found, err)) != 0)
        return rollback(db, rc);
    if (!found)
        return rollback(db, invalid(err, "/college", "college_not_found"));
    db_uni_major m = {.college = in->college,
                      .code = in->code,
                      .name = in->name,
                      .level = in->level,
                      .years = in->years};
    memcpy(m.school, sc.code, sizeof(m.school));
    if ((rc = db_uni_major_insert(db, &m, op->arena, out, err)) != 0) {
        if (rc == APP_ECONFLICT)
            app_err_field(err, "/code");
        return rollback(db, rc);
    }
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "school", out->school);
    jw_int(&w, "college", out->college);
    jw_str(&w, "code", out->code);
    jw_str(&w, "name", out->name);
    jw_str(&w, "level", out->level);
    jw_int(&w, "years", out->years);
    return audit_commit(db, op, "uni_major_create", "uni_major", out->id, &w, err);
}

/* ---- cohorts and classes ---- */

int
core_uni_cohort_list(db_conn *db, const core_op *op, const char *code, int **out, int *out_n,
                     app_err *err)
{
    db_school sc;
    int rc = core_uni_visible(db, op, code, &sc, err);
    return rc ? rc : db_uni_cohort_list(db, sc.code, op->arena, out, out_n, err);
}

int
core_uni_class_list(db_conn *db, const core_op *op, const char *code, long long major, int cohort,
                    db_uni_class **out, int *out_n, app_err *err)
{
    db_school sc;
    int rc = core_uni_visible(db, op, code, &sc, err);
    return rc ? rc : db_uni_class_list(db, sc.code, major, cohort, op->arena, out, out_n, err);
}

static int
class_checks(const core_uni_class_new *in, app_err *err)
{
    if (in->cohort < 1950 || in->cohort > 2200)
        return invalid(err, "/cohort", "invalid_cohort");
    if (in->number < 1 || in->number > 99)
        return invalid(err, "/number", "invalid_class_number");
    if (in->name != NULL && !name_ok(in->name))
        return invalid(err, "/name", "invalid_name");
    return 0;
}

int
core_uni_class_create(db_conn *db, const core_op *op, const char *code,
                      const core_uni_class_new *in, db_uni_class *out, app_err *err)
{
    db_school sc;
    int rc = begin_managed(db, op, code, &sc, err);
    if (rc != 0)
        return rc;
    db_uni_major m;
    int found = 0;
    if ((rc = db_uni_major_get(db, sc.code, in->major, op->arena, &m, &found, err)) != 0)
        return rollback(db, rc);
    if (!found)
        return rollback(db, invalid(err, "/major", "major_not_found"));
    if ((rc = class_checks(in, err)) != 0)
        return rollback(db, rc);
    /* the school's row numbers the backing class rows: one class at a time */
    if ((rc = core_school_visible(db, op, sc.code, CORE_SCHOOL_UPDATE, &sc, err)) != 0 ||
        (rc = db_uni_cohort_ensure(db, sc.code, in->cohort, err)) != 0)
        return rollback(db, rc);
    db_uni_class k = {.major = m.id, .cohort = in->cohort, .number = in->number, .name = in->name};
    memcpy(k.school, sc.code, sizeof(k.school));
    if (k.name == NULL)
        k.name = app_arena_printf(op->arena, "%s%02d%02d班", m.name, in->cohort % 100, in->number);
    if ((rc = db_uni_class_insert(db, &k, op->arena, out, err)) != 0) {
        if (rc == APP_ECONFLICT)
            app_err_field(err, "/number");
        return rollback(db, rc);
    }
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "school", out->school);
    jw_int(&w, "major", out->major);
    jw_int(&w, "cohort", out->cohort);
    jw_int(&w, "number", out->number);
    jw_str(&w, "name", out->name);
    return audit_commit(db, op, "uni_class_create", "uni_class", out->id, &w, err);
}

/* ---- look-ups ---- */

int
core_uni_place_tx(db_conn *db, const core_op *op, long long student_id, int lock,
                  core_uni_place *out, int *out_found, app_err *err)
{
    int rc, f = 0;
    memset(out, 0, sizeof(*out));
    if ((rc = db_uni_student_get(db, student_id, lock, op->arena, &out->st, out_found, err)) != 0 ||
        !*out_found)
        return rc;
    const char *s = out->st.school;
    if ((rc = db_uni_college_get(db, s, out->st.college, op->arena, &out->college, &f, err)) != 0 ||
        (rc = db_uni_major_get(db, s, out->st.major, op->arena, &out->major, &f, err)) != 0 ||
        (rc = db_uni_class_get(db, s, out->st.class_id, op->arena, &out->cls, &f, err)) != 0)
        return rc;
    return 0;
}

int
core_uni_office_holders_tx(db_conn *db, const char *school, core_staff_role role, long long college,
                           long long out_ids[CORE_UNI_MAX_HOLDERS], int *out_n, app_err *err)
{
    *out_n = 0;
    if (!core_staff_role_university(role))
        return 0;
    int scoped = core_staff_role_college_scoped(role);
    if (scoped && college == 0)
        return 0;
    return db_uni_office_holders(db, school, core_staff_role_name(role), scoped ? college : 0,
                                 out_ids, CORE_UNI_MAX_HOLDERS, out_n, err);
}

int
core_uni_actor_holds(const core_actor *a, const char *school, core_staff_role role,
                     long long college)
{
    if (a == NULL || school == NULL || a->level != CORE_LEVEL_SCHOOL || a->student_id != 0 ||
        a->staff_role != role || !core_staff_role_university(role) || strcmp(a->org, school) != 0)
        return 0;
    return !core_staff_role_college_scoped(role) || (college != 0 && a->college == college);
}

static const struct {
    const char *uni, *student;
} states[] = {
    {"studying", "enrolled"},   {"sitting_in", "enrolled"}, {"suspended", "suspended"},
    {"withdrawn", "withdrawn"}, {"graduated", "graduated"}, {"completed", "completed"},
    {"deceased", "deceased"},
};

const char *
core_uni_student_state(const char *uni_state)
{
    if (uni_state == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
        if (strcmp(states[i].uni, uni_state) == 0)
            return states[i].student;
    return NULL;
}

int
core_uni_state_valid(const char *s)
{
    return core_uni_student_state(s) != NULL;
}
