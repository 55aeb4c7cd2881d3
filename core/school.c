/*
 * core/school.c - schools and their classes (see core/school.h).
 */
#include "core/school.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/grade.h"
#include "core/region.h"
#include "db/refdata.h"

#include <stdio.h>
#include <string.h>

static int
is_bureau(const core_actor *a)
{
    return a->level >= CORE_LEVEL_COUNTY;
}

/* Has err an item for `field`? */
static int
has_item(const app_err *err, const char *field)
{
    for (int i = 0; i < err->nitems; i++)
        if (strcmp(err->items[i].field, field) == 0)
            return 1;
    return 0;
}

/* The items of err as its code (one: that item's; several: validation_failed). */
static int
fail_items(app_err *err)
{
    if (err->nitems == 1) {
        app_err_set(err, APP_EINVAL, err->items[0].code, NULL);
        app_err_field(err, err->items[0].field);
        app_err_param(err, err->items[0].param);
    } else {
        app_err_set(err, APP_EINVAL, "validation_failed", NULL);
    }
    return APP_EINVAL;
}

static int
rollback(db_conn *db, int rc)
{
    db_rollback(db);
    return rc;
}

int
core_school_visible(db_conn *db, const core_op *op, const char *code, int lock, db_school *out,
                    app_err *err)
{
    int found = 0;
    int rc = lock == CORE_SCHOOL_SHARE
                 ? db_school_get_for_share(db, code, op->arena, out, &found, err)
             : lock ? db_school_get_for_update(db, code, op->arena, out, &found, err)
                    : db_school_get(db, code, op->arena, out, &found, err);
    if (rc != 0)
        return rc;
    core_school_ref ref = {out->code, out->county, out->authority};
    if (!found || !core_actor_sees_school(op->actor, &ref))
        return app_err_set(err, APP_ENOTFOUND, "school_not_found", "school %s", code);
    return 0;
}

int
core_school_get(db_conn *db, const core_op *op, const char *code, db_school *out, app_err *err)
{
    return core_school_visible(db, op, code, 0, out, err);
}

/*
 * Is `authority` a valid competent authority for a school located in
 * `county`: the county itself or a region above it (its city, its province),
 * never the ministry? Uses the region tree (docs/decisions/0002), not the
 * shape of the codes.
 */
static int
authority_contains_county(db_conn *db, const core_op *op, const char *county, const char *authority,
                          int *out_ok, app_err *err)
{
    db_region *v;
    int n = 0;
    int rc = db_region_get_with_ancestors(db, county, op->arena, &v, &n, err);
    if (rc != 0)
        return rc;
    *out_ok = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(v[i].code, authority) == 0 && strcmp(v[i].level, "ministry") != 0)
            *out_ok = 1;
    return 0;
}

/* ------------------------------------------------------------ list */

/* The LIKE pattern of the codes a region code contains: PP%, PPCC%, or itself. */
static const char *
region_pattern(const core_op *op, const char *code)
{
    char *like = app_arena_alloc(op->arena, 8);
    core_region_like(code, like);
    return like;
}

/* LIKE-escape `s` (\ % _) and wrap it in %...%. */
static const char *
contains_pattern(const core_op *op, const char *s)
{
    size_t n = strlen(s);
    char *out = app_arena_alloc(op->arena, 2 * n + 3), *o = out;
    *o++ = '%';
    for (; *s; s++) {
        if (*s == '\\' || *s == '%' || *s == '_')
            *o++ = '\\';
        *o++ = *s;
    }
    *o++ = '%';
    *o = '\0';
    return out;
}

/* May the actor filter by `region`: a bureau within its own, a school user
   by a region its school stands in? Not a region: no. */
static int
region_filter_ok(db_conn *db, const core_op *op, const char *region, int *out_ok, app_err *err)
{
    db_region *v;
    int n = 0;
    int rc = db_region_get_with_ancestors(db, region, op->arena, &v, &n, err);
    if (rc != 0)
        return rc;
    *out_ok = n > 0 && strcmp(v[0].level, "ministry") != 0;
    if (*out_ok && is_bureau(op->actor)) {
        *out_ok = core_actor_sees_region(op->actor, region);
    } else if (*out_ok) {
        db_school own;
        int found = 0;
        if ((rc = db_school_get(db, op->actor->org, op->arena, &own, &found, err)) != 0)
            return rc;
        *out_ok = found && core_region_contains(region, own.county);
    }
    return 0;
}

int
core_school_list(db_conn *db, const core_op *op, const core_school_query *q, db_school **out,
                 int *out_n, int *out_more, app_err *err)
{
    const core_actor *ac = op->actor;
    db_school_filter f = {.after = q->after ? q->after : "", .limit = q->limit + 1};
    *out_n = *out_more = 0;
    /* the jurisdiction, in SQL: the same rule as core_actor_sees_school() */
    switch (ac->level) {
    case CORE_LEVEL_MINISTRY:
        break;
    case CORE_LEVEL_PROVINCE:
    case CORE_LEVEL_CITY:
    case CORE_LEVEL_COUNTY:
        f.authority_like = region_pattern(op, ac->org);
        break;
    case CORE_LEVEL_SCHOOL:
        f.code = ac->org;
        break;
    default:
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL);
    }
    if (q->q != NULL && *q->q != '\0')
        f.name_ilike = contains_pattern(op, q->q);
    if (q->region != NULL && *q->region != '\0') {
        int ok = 0;
        int rc = region_filter_ok(db, op, q->region, &ok, err);
        if (rc != 0)
            return rc;
        if (!ok) {
            app_err_field(err, "/query/region");
            return app_err_set(err, APP_ENOTFOUND, "region_not_found", NULL);
        }
        f.county_like = region_pattern(op, q->region);
    }
    int n = 0;
    int rc = db_school_list(db, &f, op->arena, out, &n, err);
    if (rc != 0)
        return rc;
    /* the one extra row read tells whether there is a next page */
    *out_more = n > q->limit;
    *out_n = *out_more ? q->limit : n;
    return 0;
}

/* ------------------------------------------------------------ create */

/* The checks of a new school that need the database, added to err as items. */
static int
create_checks(db_conn *db, const core_op *op, const core_school_new *in, const char *authority,
              app_err *err)
{
    int code_ok = !has_item(err, "/code"), county_ok = !has_item(err, "/county");
    int rc;
    if (county_ok) {
        int ok = 0;
        if ((rc = db_school_location_ok(db, in->county, &ok, err)) != 0)
            return rc;
        if (!ok) {
            app_err_add(err, "/county", "unknown_county", NULL);
            county_ok = 0;
        }
    }
    if (county_ok && code_ok && strncmp(in->code + 2, in->county, 2) != 0)
        app_err_add(err, "/county", "province_mismatch", NULL);
    if (county_ok && !has_item(err, "/authority")) {
        int ok = 0;
        if ((rc = authority_contains_county(db, op, in->county, authority, &ok, err)) != 0)
            return rc;
        if (!ok)
            app_err_add(err, in->authority ? "/authority" : "/county", "invalid_authority", NULL);
    }
    return 0;
}

static const char *
school_detail(const core_op *op, const db_school *s)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "code", s->code);
    jw_str(&w, "name", s->name);
    jw_str(&w, "county", s->county);
    jw_str(&w, "authority", s->authority);
    jw_int(&w, "category", s->category);
    jw_str(&w, "system", s->system);
    jw_end(&w);
    return jw_text(&w, NULL);
}

int
core_school_create(db_conn *db, const core_op *op, const core_school_new *in, db_school *out,
                   app_err *err)
{
    if (!is_bureau(op->actor))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL);
    if (in == NULL) {
        app_err_field(err, "");
        return app_err_set(err, APP_EINVAL, "wrong_type", NULL);
    }
    const char *authority = in->authority ? in->authority : in->county;
    int rc = create_checks(db, op, in, authority, err);
    if (rc != 0)
        return rc;
    if (err->nitems > 0)
        return fail_items(err);
    if (!core_actor_sees_region(op->actor, authority)) {
        app_err_field(err, in->authority ? "/authority" : "/county");
        return app_err_set(err, APP_EFORBIDDEN, "authority_out_of_jurisdiction", NULL);
    }
    db_school s = {.name = in->name, .category = in->category, .system = in->system};
    snprintf(s.code, sizeof(s.code), "%s", in->code);
    snprintf(s.county, sizeof(s.county), "%s", in->county);
    snprintf(s.authority, sizeof(s.authority), "%s", authority);
    snprintf(s.province, sizeof(s.province), "%.2s0000", in->county);
    if ((rc = db_begin(db, err)) != 0)
        return rc;
    rc = db_school_insert(db, &s, NULL, op->arena, out, err);
    if (rc == APP_ECONFLICT)
        app_err_field(err, "/code");
    if (rc == 0)
        rc = core_audit(db, op, "school_create", "school", out->code, school_detail(op, out), err);
    if (rc == 0)
        rc = db_commit(db, err);
    return rc != 0 ? rollback(db, rc) : 0;
}

/* ------------------------------------------------------------ patch */

/* "field": {"from": a, "to": b} when they differ. */
static void
change_str(jw *w, int *n, const char *field, const char *from, const char *to)
{
    if (to == NULL || strcmp(from, to) == 0)
        return;
    jw_key(w, field);
    jw_obj(w);
    jw_str(w, "from", from);
    jw_str(w, "to", to);
    jw_end(w);
    ++*n;
}

/* The changes ch makes to s as JSON members into w; how many in *out_n. */
static void
changes_of(jw *w, const db_school *s, const core_school_change *ch, int *out_n)
{
    *out_n = 0;
    change_str(w, out_n, "name", s->name, ch->name);
    change_str(w, out_n, "authority", s->authority, ch->authority);
    change_str(w, out_n, "system", s->system, ch->system);
    if (ch->closed >= 0 && ch->closed != s->closed) {
        jw_key(w, "closed");
        jw_obj(w);
        jw_bool(w, "from", s->closed);
        jw_bool(w, "to", ch->closed);
        jw_end(w);
        ++*out_n;
    }
}

/* A new authority must contain the county and be within the actor's reach. */
static int
check_authority(db_conn *db, const core_op *op, const db_school *s, const char *authority,
                app_err *err)
{
    int ok = 0;
    int rc = authority_contains_county(db, op, s->county, authority, &ok, err);
    if (rc != 0)
        return rc;
    if (!ok) {
        app_err_field(err, "/authority");
        return app_err_set(err, APP_EINVAL, "invalid_authority", NULL);
    }
    /* the old authority is visible (the loader), the new one must be too */
    if (!core_actor_sees_region(op->actor, authority)) {
        app_err_field(err, "/authority");
        return app_err_set(err, APP_EFORBIDDEN, "authority_out_of_jurisdiction", NULL);
    }
    return 0;
}

/* Every existing class must still fit the school under a new system. */
static int
check_system(db_conn *db, const core_op *op, const db_school *s, const char *system, app_err *err)
{
    int *grades, n = 0;
    int rc = db_class_grades(db, s->code, op->arena, &grades, &n, err);
    if (rc != 0)
        return rc;
    for (int i = 0; i < n; i++) {
        if (!core_grade_fits_school(s->category, system, grades[i])) {
            app_err_field(err, "/system");
            return app_err_set(err, APP_ECONFLICT, "system_conflicts_with_classes", "grade %d",
                               grades[i]);
        }
    }
    return 0;
}

/* The checks of a patch on the locked row s, in the order of core/school.h. */
static int
patch_checks(db_conn *db, const core_op *op, const db_school *s, const core_school_change *ch,
             app_err *err)
{
    if (!is_bureau(op->actor))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL);
    if (ch->if_match != s->version) {
        app_err_field(err, "/headers/if-match");
        return app_err_set(err, APP_EPRECOND, "precondition_failed", NULL);
    }
    if (ch->closed == 0 && s->merged_into != NULL) {
        app_err_field(err, "/closed");
        return app_err_set(err, APP_ECONFLICT, "school_merged", "merged into %s", s->merged_into);
    }
    int rc = 0;
    if (ch->authority != NULL && strcmp(s->authority, ch->authority) != 0)
        rc = check_authority(db, op, s, ch->authority, err);
    if (rc == 0 && ch->system != NULL && strcmp(s->system, ch->system) != 0)
        rc = check_system(db, op, s, ch->system, err);
    return rc;
}

int
core_school_patch(db_conn *db, const core_op *op, const char *code, const core_school_change *ch,
                  db_school *out, app_err *err)
{
    db_school s;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    if ((rc = core_school_visible(db, op, code, 1, &s, err)) != 0 ||
        (rc = patch_checks(db, op, &s, ch, err)) != 0)
        return rollback(db, rc);
    jw w;
    int nchanges = 0;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_key(&w, "changes");
    jw_obj(&w);
    changes_of(&w, &s, ch, &nchanges);
    jw_end(&w);
    if (nchanges == 0) {
        /* nothing to change: no new version, no audit row */
        *out = s;
        return rollback(db, 0);
    }
    db_school next = s;
    if (ch->name)
        next.name = ch->name;
    if (ch->authority)
        snprintf(next.authority, sizeof(next.authority), "%s", ch->authority);
    if (ch->system)
        next.system = ch->system;
    if (ch->closed >= 0)
        next.closed = ch->closed;
    if ((rc = db_school_update(db, &next, s.version, op->arena, out, err)) != 0)
        return rollback(db, rc);
    jw_int(&w, "version", out->version);
    jw_end(&w);
    if ((rc = core_audit(db, op, "school_update", "school", s.code, jw_text(&w, NULL), err)) != 0 ||
        (rc = db_commit(db, err)) != 0)
        return rollback(db, rc);
    return 0;
}

/* ------------------------------------------------------------ classes */

int
core_class_list(db_conn *db, const core_op *op, const char *code, int after_grade, int after_number,
                int limit, db_class **out, int *out_n, int *out_more, app_err *err)
{
    db_school s;
    *out_n = *out_more = 0;
    int rc = core_school_visible(db, op, code, 0, &s, err);
    if (rc != 0)
        return rc;
    int n = 0;
    rc = db_class_list(db, s.code, after_grade, after_number, limit + 1, op->arena, out, &n, err);
    if (rc != 0)
        return rc;
    *out_more = n > limit;
    *out_n = *out_more ? limit : n;
    return 0;
}

/* The checks of a new class of the visible school s, in the order of core/school.h. */
static int
class_checks(const core_op *op, const db_school *s, const core_class_new *in, app_err *err)
{
    /* the school's registrar, or a bureau over it; grade leaders and head teachers not */
    if (!is_bureau(op->actor) && op->actor->staff_role != CORE_STAFF_REGISTRAR)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL);
    if (in->number < 1 || in->number > CORE_CLASS_NUMBER_MAX) {
        app_err_field(err, "/number");
        return app_err_set(err, APP_EINVAL, "invalid_class_number", NULL);
    }
    if (in->size_limit < 0 || in->size_limit > CORE_CLASS_SIZE_MAX) {
        app_err_field(err, "/size_limit");
        return app_err_set(err, APP_EINVAL, "invalid_size_limit", NULL);
    }
    if (s->closed)
        return app_err_set(err, APP_ECONFLICT, "school_closed", NULL);
    if (!core_grade_fits_school(s->category, s->system, in->grade)) {
        app_err_field(err, "/grade");
        return app_err_set(err, APP_EINVAL, "grade_not_in_school", "category %d system %s",
                           s->category, s->system);
    }
    return 0;
}

static const char *
class_detail(const core_op *op, const db_class *k)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "school", k->school);
    jw_int(&w, "grade", k->grade);
    jw_int(&w, "number", k->number);
    jw_str(&w, "name", k->name);
    if (k->size_limit)
        jw_int(&w, "size_limit", k->size_limit);
    else
        jw_null(&w, "size_limit");
    jw_end(&w);
    return jw_text(&w, NULL);
}

int
core_class_create(db_conn *db, const core_op *op, const char *code, const core_class_new *in,
                  db_class *out, app_err *err)
{
    db_school s;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    /* shared: a merge closing the school waits, or is waited for and seen */
    if ((rc = core_school_visible(db, op, code, CORE_SCHOOL_SHARE, &s, err)) != 0 ||
        (rc = class_checks(op, &s, in, err)) != 0)
        return rollback(db, rc);
    db_class k = {
        .grade = in->grade, .number = in->number, .name = in->name, .size_limit = in->size_limit};
    memcpy(k.school, s.code, sizeof(k.school));
    if (k.name == NULL) {
        char name[CORE_CLASS_NAME_MAX];
        core_class_default_name(k.grade, k.number, name, sizeof(name));
        k.name = app_arena_strdup(op->arena, name);
    }
    rc = db_class_insert(db, &k, NULL, op->arena, out, err);
    if (rc == APP_ECONFLICT)
        app_err_field(err, "/number");
    if (rc != 0)
        return rollback(db, rc);
    char id[24];
    snprintf(id, sizeof(id), "%lld", out->id);
    if ((rc = core_audit(db, op, "class_create", "class", id, class_detail(op, out), err)) != 0 ||
        (rc = db_commit(db, err)) != 0)
        return rollback(db, rc);
    return 0;
}
