/*
 * core/uni_catalog.c - a university's courses and teaching plans, and the
 * helpers sections share (core/uni_catalog.h).
 */
#include "core/uni_catalog.h"

#include "core/audit.h"
#include "core/uni.h"
#include "core/uni_catalog_int.h"

#include <stdio.h>
#include <string.h>

/* ---- shared helpers ---- */

int
core_uc_rollback(db_conn *db, int rc)
{
    db_rollback(db);
    return rc;
}

int
core_uc_invalid(app_err *err, const char *field, const char *slug)
{
    app_err_add(err, field, slug, NULL);
    return APP_EINVAL;
}

int
core_uc_begin_managed(db_conn *db, const core_op *op, const char *code, db_school *sc, app_err *err)
{
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    if ((rc = core_uni_visible(db, op, code, sc, err)) != 0)
        return core_uc_rollback(db, rc);
    if (!core_uni_manages(op->actor, sc))
        return core_uc_rollback(db, app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL));
    return 0;
}

int
core_uc_audit_commit(db_conn *db, const core_op *op, const char *action, const char *type,
                     long long id, jw *w, app_err *err)
{
    char ids[24];
    snprintf(ids, sizeof(ids), "%lld", id);
    jw_end(w);
    int rc = core_audit(db, op, action, type, ids, jw_text(w, NULL), err);
    if (rc == 0)
        rc = db_commit(db, err);
    return rc ? core_uc_rollback(db, rc) : 0;
}

int
core_uc_college_id(db_conn *db, const char *school, const char *code, app_arena *a, long long *out,
                   app_err *err)
{
    db_uni_college *v;
    int n = 0, rc = db_uni_college_list(db, school, a, &v, &n, err);
    *out = 0;
    for (int i = 0; rc == 0 && code != NULL && i < n && *out == 0; i++)
        if (strcmp(v[i].code, code) == 0 || strcmp(v[i].name, code) == 0)
            *out = v[i].id;
    return rc;
}

int
core_uc_major_id(db_conn *db, const char *school, const char *code, app_arena *a, long long *out,
                 app_err *err)
{
    db_uni_major *v;
    int n = 0, rc = db_uni_major_list(db, school, 0, a, &v, &n, err);
    *out = 0;
    for (int i = 0; rc == 0 && code != NULL && i < n && *out == 0; i++)
        if (strcmp(v[i].code, code) == 0)
            *out = v[i].id;
    return rc;
}

int
core_uc_term_ok(const char *s)
{
    if (s == NULL || strlen(s) != 6 || strspn(s, "0123456789") != 4 || s[4] != '-' ||
        (s[5] != '1' && s[5] != '2'))
        return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    return y >= 1990 && y <= 2100;
}

/* 1..100 characters (UTF-8 code points), not blank. */
static int
name_ok(const char *s)
{
    if (s == NULL || *s == '\0' || *s == ' ')
        return 0;
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            chars++;
    return chars <= 100;
}

int
core_uni_course_kind_valid(const char *kind)
{
    static const char *const kinds[] = {"compulsory", "elective", "public_elective", "pe"};
    for (size_t i = 0; kind != NULL && i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strcmp(kind, kinds[i]) == 0)
            return 1;
    return 0;
}

/* ---- courses ---- */

int
core_uni_course_list(db_conn *db, const core_op *op, const char *code, const char *college,
                     const char *kind, long long after, int limit, db_uni_course **out, int *out_n,
                     app_err *err)
{
    db_school sc;
    long long cid = 0;
    int rc = core_uni_visible(db, op, code, &sc, err);
    if (rc == 0 && college != NULL)
        rc = core_uc_college_id(db, sc.code, college, op->arena, &cid, err);
    if (rc != 0)
        return rc;
    if (college != NULL && cid == 0) { /* no such college: no courses */
        *out = NULL;
        *out_n = 0;
        return 0;
    }
    return db_uni_course_list(db, sc.code, cid, kind, after, limit, op->arena, out, out_n, err);
}

int
core_uni_course_get(db_conn *db, const core_op *op, const char *code, const char *course,
                    db_uni_course *out, app_err *err)
{
    db_school sc;
    int found = 0;
    int rc = core_uni_visible(db, op, code, &sc, err);
    if (rc == 0)
        rc = db_uni_course_get(db, sc.code, course, 0, op->arena, out, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ENOTFOUND, "course_not_found", NULL);
    return rc;
}

/* The fields of `in` checked and merged over `base` into `out`, the
   college resolved: APP_EINVAL with an item per bad field. */
static int
course_merge(db_conn *db, const db_school *sc, const core_uni_course_in *in,
             const db_uni_course *base, app_arena *a, db_uni_course *out, app_err *err)
{
    *out = *base;
    if (in->name != NULL && !name_ok(in->name))
        core_uc_invalid(err, "/name", "invalid_name");
    if (in->kind != NULL && !core_uni_course_kind_valid(in->kind))
        core_uc_invalid(err, "/kind", "invalid_course_kind");
    if (in->credits10 != -1 && (in->credits10 < 1 || in->credits10 > 300))
        core_uc_invalid(err, "/credits", "invalid_credits");
    if (in->hours != -1 && (in->hours < 1 || in->hours > 1000))
        core_uc_invalid(err, "/hours", "invalid_hours");
    if (in->college != NULL) {
        int rc = core_uc_college_id(db, sc->code, in->college, a, &out->college, err);
        if (rc != 0)
            return rc;
        if (out->college == 0)
            core_uc_invalid(err, "/college", "college_not_found");
        out->college_code = in->college;
    }
    if (err->nitems > 0)
        return APP_EINVAL;
    out->name = in->name ? in->name : base->name;
    out->kind = in->kind ? in->kind : base->kind;
    out->credits10 = in->credits10 != -1 ? in->credits10 : base->credits10;
    out->hours = in->hours != -1 ? in->hours : base->hours;
    return 0;
}

static void
course_detail(jw *w, app_arena *a, const db_uni_course *c)
{
    jw_init(w, a);
    jw_obj(w);
    jw_str(w, "school", c->school);
    jw_str(w, "code", c->code);
    jw_str(w, "name", c->name);
    jw_str(w, "kind", c->kind);
    jw_int(w, "credits10", c->credits10);
    jw_int(w, "hours", c->hours);
    jw_int(w, "college", c->college);
    jw_int(w, "version", c->version);
}

/* Insert in the open transaction, audit, commit. */
static int
course_insert(db_conn *db, const core_op *op, const db_school *sc, const core_uni_course_in *in,
              db_uni_course *out, app_err *err)
{
    if (!core_uni_code_ok(in->code, 16))
        core_uc_invalid(err, "/code", "invalid_course_code");
    if (in->name == NULL)
        core_uc_invalid(err, "/name", "missing_field");
    if (in->kind == NULL)
        core_uc_invalid(err, "/kind", "missing_field");
    if (in->college == NULL)
        core_uc_invalid(err, "/college", "missing_field");
    if (in->credits10 == -1)
        core_uc_invalid(err, "/credits", "missing_field");
    if (in->hours == -1)
        core_uc_invalid(err, "/hours", "missing_field");
    db_uni_course base = {.credits10 = -1, .hours = -1}, c;
    int rc = course_merge(db, sc, in, &base, op->arena, &c, err);
    if (rc == 0 && err->nitems > 0)
        rc = APP_EINVAL;
    if (rc != 0)
        return core_uc_rollback(db, rc);
    c.code = in->code;
    snprintf(c.school, sizeof(c.school), "%s", sc->code);
    if ((rc = db_uni_course_insert(db, &c, op->arena, out, err)) != 0) {
        if (rc == APP_ECONFLICT)
            app_err_field(err, "/code");
        return core_uc_rollback(db, rc);
    }
    jw w;
    course_detail(&w, op->arena, out);
    return core_uc_audit_commit(db, op, "uni_course_create", "uni_course", out->id, &w, err);
}

int
core_uni_course_create(db_conn *db, const core_op *op, const char *code,
                       const core_uni_course_in *in, db_uni_course *out, app_err *err)
{
    db_school sc;
    int rc = core_uc_begin_managed(db, op, code, &sc, err);
    return rc ? rc : course_insert(db, op, &sc, in, out, err);
}

static int
course_same(const db_uni_course *a, const db_uni_course *b)
{
    return strcmp(a->name, b->name) == 0 && strcmp(a->kind, b->kind) == 0 &&
           a->credits10 == b->credits10 && a->hours == b->hours && a->college == b->college;
}

/* Change the locked course `cur` to `in` (version checked by the caller). */
static int
course_change(db_conn *db, const core_op *op, const db_school *sc, const db_uni_course *cur,
              const core_uni_course_in *in, db_uni_course *out, int *out_changed, app_err *err)
{
    db_uni_course next;
    int found = 0, rc = course_merge(db, sc, in, cur, op->arena, &next, err);
    if (rc != 0)
        return core_uc_rollback(db, rc);
    *out_changed = !course_same(cur, &next);
    if (!*out_changed) {
        *out = *cur;
        return core_uc_rollback(db, 0);
    }
    if ((rc = db_uni_course_update(db, &next, cur->version, op->arena, out, &found, err)) != 0)
        return core_uc_rollback(db, rc);
    if (!found)
        return core_uc_rollback(db, app_err_set(err, APP_EPRECOND, "precondition_failed", NULL));
    jw w;
    course_detail(&w, op->arena, out);
    jw_int(&w, "old_version", cur->version);
    return core_uc_audit_commit(db, op, "uni_course_update", "uni_course", out->id, &w, err);
}

int
core_uni_course_patch(db_conn *db, const core_op *op, const char *code, const char *course,
                      const core_uni_course_in *in, int if_match, db_uni_course *out, app_err *err)
{
    db_school sc;
    db_uni_course cur;
    int found = 0, changed = 0;
    int rc = core_uc_begin_managed(db, op, code, &sc, err);
    if (rc != 0)
        return rc;
    if ((rc = db_uni_course_get(db, sc.code, course, 1, op->arena, &cur, &found, err)) != 0)
        return core_uc_rollback(db, rc);
    if (!found)
        return core_uc_rollback(db, app_err_set(err, APP_ENOTFOUND, "course_not_found", NULL));
    if (if_match != cur.version)
        return core_uc_rollback(db, app_err_set(err, APP_EPRECOND, "precondition_failed", NULL));
    return course_change(db, op, &sc, &cur, in, out, &changed, err);
}

int
core_uni_course_put(db_conn *db, const core_op *op, const char *code, const core_uni_course_in *in,
                    int *out_did, app_err *err)
{
    db_school sc;
    db_uni_course cur, out;
    int found = 0, changed = 0;
    int rc = core_uc_begin_managed(db, op, code, &sc, err);
    if (rc != 0)
        return rc;
    if (core_uni_code_ok(in->code, 16) &&
        (rc = db_uni_course_get(db, sc.code, in->code, 1, op->arena, &cur, &found, err)) != 0)
        return core_uc_rollback(db, rc);
    if (!found) {
        *out_did = CORE_UNI_CREATED;
        return course_insert(db, op, &sc, in, &out, err);
    }
    rc = course_change(db, op, &sc, &cur, in, &out, &changed, err);
    *out_did = changed ? CORE_UNI_UPDATED : CORE_UNI_UNCHANGED;
    return rc;
}

/* ---- teaching plans ---- */

/* The university (begun and managed when `write`), the major and the
   cohort checked. */
static int
plan_open(db_conn *db, const core_op *op, const char *code, const char *major, int cohort,
          int write, db_school *sc, core_uni_plan *out, app_err *err)
{
    int rc = write ? core_uc_begin_managed(db, op, code, sc, err)
                   : core_uni_visible(db, op, code, sc, err);
    if (rc != 0)
        return rc; /* rolled back already */
    memset(out, 0, sizeof(*out));
    out->major_code = major;
    out->cohort = cohort;
    if ((rc = core_uc_major_id(db, sc->code, major, op->arena, &out->major, err)) == 0 &&
        out->major == 0)
        rc = app_err_set(err, APP_ENOTFOUND, "not_found", "major %s", major);
    if (rc == 0 && (cohort < 1990 || cohort > 2100))
        rc = core_uc_invalid(err, "/cohort", "invalid_cohort");
    return rc != 0 && write ? core_uc_rollback(db, rc) : rc;
}

int
core_uni_plan_get(db_conn *db, const core_op *op, const char *code, const char *major, int cohort,
                  core_uni_plan *out, app_err *err)
{
    db_school sc;
    int rc = plan_open(db, op, code, major, cohort, 0, &sc, out, err);
    return rc ? rc
              : db_uni_plan_get(db, sc.code, out->major, cohort, 0, op->arena, &out->version,
                                &out->entries, &out->n, err);
}

/* The entries `in` resolved to course ids: an item per bad one. */
static int
plan_entries(db_conn *db, const core_op *op, const db_school *sc, const core_uni_plan_in *in, int n,
             db_uni_plan_entry **out, app_err *err)
{
    db_uni_course *all;
    int nall = 0;
    int rc = db_uni_course_all(db, sc->code, op->arena, &all, &nall, err);
    if (rc != 0)
        return rc;
    db_uni_plan_entry *v = app_arena_alloc(op->arena, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        char p[48];
        memset(&v[i], 0, sizeof(v[i]));
        for (int k = 0; in[i].course && k < nall && v[i].course == 0; k++)
            if (strcmp(all[k].code, in[i].course) == 0)
                v[i].course = all[k].id;
        for (int k = 0; v[i].course && k < i; k++)
            if (v[k].course == v[i].course) {
                snprintf(p, sizeof(p), "/entries/%d/course", i);
                app_err_add(err, p, "plan_duplicate_course", in[i].course);
            }
        if (v[i].course == 0) {
            snprintf(p, sizeof(p), "/entries/%d/course", i);
            app_err_add(err, p, "unknown_course", NULL);
        }
        if ((v[i].term_no = in[i].term_no) < 1 || in[i].term_no > 16) {
            snprintf(p, sizeof(p), "/entries/%d/term_no", i);
            app_err_add(err, p, "invalid_term_no", NULL);
        }
    }
    *out = v;
    return err->nitems > 0 ? APP_EINVAL : 0;
}

/* Replace the plan (version checked by the caller), audit, commit, read back. */
static int
plan_store(db_conn *db, const core_op *op, const db_school *sc, core_uni_plan *p,
           const db_uni_plan_entry *v, int n, const char *action, app_err *err)
{
    int rc = db_uni_cohort_ensure(db, sc->code, p->cohort, err);
    int old = p->version;
    if (rc == 0)
        rc = db_uni_plan_replace(db, sc->code, p->major, p->cohort,
                                 op->actor ? op->actor->user_id : 0, v, n, op->arena, &p->version,
                                 err);
    if (rc == 0)
        rc = db_uni_plan_get(db, sc->code, p->major, p->cohort, 0, op->arena, &p->version,
                             &p->entries, &p->n, err);
    if (rc != 0)
        return core_uc_rollback(db, rc);
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "school", sc->code);
    jw_str(&w, "major", p->major_code);
    jw_int(&w, "cohort", p->cohort);
    jw_int(&w, "entries", p->n);
    jw_int(&w, "old_version", old);
    jw_int(&w, "version", p->version);
    return core_uc_audit_commit(db, op, action, "uni_plan", p->major * 10000 + p->cohort, &w, err);
}

int
core_uni_plan_put(db_conn *db, const core_op *op, const char *code, const char *major, int cohort,
                  const core_uni_plan_in *in, int n, int if_match, core_uni_plan *out, app_err *err)
{
    db_school sc;
    db_uni_plan_entry *cur, *v;
    int ncur = 0;
    int rc = plan_open(db, op, code, major, cohort, 1, &sc, out, err);
    if (rc != 0)
        return rc;
    if ((rc = db_uni_plan_get(db, sc.code, out->major, cohort, 1, op->arena, &out->version, &cur,
                              &ncur, err)) != 0)
        return core_uc_rollback(db, rc);
    if (if_match != out->version)
        return core_uc_rollback(db, app_err_set(err, APP_EPRECOND, "precondition_failed", NULL));
    if (n > CORE_UNI_PLAN_MAX)
        return core_uc_rollback(db, core_uc_invalid(err, "/entries", "too_many_items"));
    if ((rc = plan_entries(db, op, &sc, in, n, &v, err)) != 0)
        return core_uc_rollback(db, rc);
    return plan_store(db, op, &sc, out, v, n, "uni_plan_put", err);
}

int
core_uni_plan_entry_put(db_conn *db, const core_op *op, const char *code, const char *major,
                        int cohort, const core_uni_plan_in *in, int *out_did, app_err *err)
{
    db_school sc;
    core_uni_plan p;
    db_uni_plan_entry *cur, *one;
    int ncur = 0;
    int rc = plan_open(db, op, code, major, cohort, 1, &sc, &p, err);
    if (rc == APP_ENOTFOUND && strcmp(err->slug, "not_found") == 0)
        return core_uc_invalid(err, "/major", "major_not_found");
    if (rc != 0)
        return rc;
    if ((rc = db_uni_plan_get(db, sc.code, p.major, cohort, 1, op->arena, &p.version, &cur, &ncur,
                              err)) != 0 ||
        (rc = plan_entries(db, op, &sc, in, 1, &one, err)) != 0) {
        for (int i = 0; i < err->nitems; i++) /* "/entries/0/course" -> "/course" */
            if (strncmp(err->items[i].field, "/entries/0", 10) == 0)
                memmove(err->items[i].field, err->items[i].field + 10,
                        strlen(err->items[i].field + 10) + 1);
        return core_uc_rollback(db, rc);
    }
    db_uni_plan_entry *v = app_arena_alloc(op->arena, sizeof(*v) * (size_t)(ncur + 1));
    int n = 0, did = CORE_UNI_CREATED;
    for (int i = 0; i < ncur; i++) {
        if (cur[i].course == one->course)
            did = cur[i].term_no == one->term_no ? CORE_UNI_UNCHANGED : CORE_UNI_UPDATED;
        v[n++] = cur[i].course == one->course ? *one : cur[i];
    }
    if (did == CORE_UNI_CREATED)
        v[n++] = *one;
    *out_did = did;
    if (did == CORE_UNI_UNCHANGED)
        return core_uc_rollback(db, 0);
    return plan_store(db, op, &sc, &p, v, n, "uni_plan_entry", err);
}
