/*
 * core/datacheck.c - the semester data check and its sign-offs (see core/datacheck.h).
 */
#include "core/datacheck.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/school.h"
#include "db/settings.h"

#include <stdio.h>
#include <string.h>

static const struct {
    unsigned bit;
    const char *name;
} issues_[] = {
    {DB_DC_MISSING, "missing_fields"},
    {DB_DC_DUPLICATE, "duplicate"},
    {DB_DC_NO_PHOTO, "no_photo"},
    {DB_DC_NOT_IN, "not_checked_in"},
};
#define NISSUES (sizeof(issues_) / sizeof(issues_[0]))

unsigned
core_datacheck_issue(const char *p, size_t len)
{
    for (size_t i = 0; i < NISSUES; i++)
        if (strlen(issues_[i].name) == len && memcmp(issues_[i].name, p, len) == 0)
            return issues_[i].bit;
    return 0;
}

const char *
core_datacheck_issue_name(unsigned bit)
{
    for (size_t i = 0; i < NISSUES; i++)
        if (issues_[i].bit == bit)
            return issues_[i].name;
    return NULL;
}

int
core_term_valid(const char *t)
{
    if (t == NULL || strlen(t) != 6 || t[4] != '-' || (t[5] != '1' && t[5] != '2'))
        return 0;
    for (int i = 0; i < 4; i++)
        if (t[i] < '0' || t[i] > '9')
            return 0;
    return t[0] == '1' ? t[1] == '9' : t[0] == '2';
}

/* One catalog field as a column to check. */
static void
field_add(db_dc_field *f, int *n, int i)
{
    if (i < 0 || core_fields[i].column == NULL || *n >= DB_DC_MAX_FIELDS)
        return;
    f[*n] = (db_dc_field){core_fields[i].column, i, (core_fields[i].flags & CORE_F_PII) != 0};
    (*n)++;
}

/* The required fields that govern `school` as columns, as validation reads
   the setting (core/record.c check_required). */
static int
required_fields(db_conn *db, const core_op *op, const char *school, db_dc_query *q, app_err *err)
{
    db_settings set;
    int rc = db_settings_for_school(db, school, op->arena, &set, err);
    if (rc != 0)
        return rc;
    db_dc_field *f = app_arena_alloc(op->arena, sizeof(db_dc_field) * DB_DC_MAX_FIELDS);
    int n = 0;
    for (int k = 0; k < set.nrequired_fields; k++) {
        const char *name = set.required_fields[k];
        if (strcmp(name, "family") == 0) {
            static const int need[] = {CORE_M_NAME, CORE_M_RELATION, CORE_M_PHONE, CORE_M_GUARDIAN};
            for (size_t j = 0; j < sizeof(need) / sizeof(need[0]); j++)
                field_add(f, &n, CORE_R_F1 + need[j]);
            continue;
        }
        int i = core_field_index(0, name);
        if (i < 0 || core_fields[i].flags & CORE_F_READONLY || i == CORE_R_ID_TYPE ||
            i == CORE_R_ID_NUMBER)
            continue; /* no document is a valid answer; the number follows its type */
        field_add(f, &n, i);
    }
    q->fields = f;
    q->nfields = n;
    return 0;
}

/* The school, seen by the actor; school staff must be its registrar. */
static int
check_reader(db_conn *db, const core_op *op, const char *school, int lock, db_school *sc,
             app_err *err)
{
    int rc = core_school_visible(db, op, school, lock, sc, err);
    if (rc != 0)
        return rc;
    if (op->actor->level == CORE_LEVEL_SCHOOL && op->actor->staff_role != CORE_STAFF_REGISTRAR)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "the data check is the registrar's");
    return 0;
}

int
core_datacheck_get(db_conn *db, const core_op *op, const char *school, const char *term,
                   unsigned want, long long after, int limit, core_datacheck *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    db_school sc;
    db_dc_query q = {school, term, NULL, 0};
    int rc = check_reader(db, op, school, 0, &sc, err);
    if (rc == 0)
        rc = required_fields(db, op, sc.code, &q, err);
    if (rc == 0)
        rc = db_datacheck_counts(db, &q, op->arena, &out->counts, err);
    if (rc == 0)
        rc = db_datacheck_items(db, &q, want ? want : CORE_DC_ALL, after, limit, op->arena,
                                &out->items, &out->nitems, &out->more, err);
    if (rc == 0)
        rc =
            db_datacheck_signoffs(db, sc.code, term, op->arena, &out->signoff, &out->approval, err);
    return rc;
}

/* The counts as the sign-off keeps them. */
static const char *
counts_json(app_arena *a, const db_dc_counts *c)
{
    jw w;
    jw_init(&w, a);
    jw_obj(&w);
    jw_int(&w, "students", c->students);
    jw_int(&w, "with_issues", c->with_issues);
    jw_int(&w, "missing_fields", c->missing);
    jw_int(&w, "duplicate", c->duplicate);
    jw_int(&w, "no_photo", c->no_photo);
    jw_int(&w, "not_checked_in", c->not_checked_in);
    jw_end(&w);
    return jw_text(&w, NULL);
}

int
core_datacheck_sign_school(db_conn *db, const core_op *op, const char *school, const char *term,
                           db_dc_signoff *out, int *out_new, app_err *err)
{
    const core_actor *ac = op->actor;
    *out_new = 0;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    db_school sc;
    db_dc_query q = {school, term, NULL, 0};
    db_dc_counts cnt;
    if ((rc = check_reader(db, op, school, CORE_SCHOOL_SHARE, &sc, err)) != 0)
        goto fail;
    if (ac->level != CORE_LEVEL_SCHOOL) {
        rc = app_err_set(err, APP_EFORBIDDEN, "forbidden", "the school signs off its own check");
        goto fail;
    }
    if (sc.closed) {
        rc = app_err_set(err, APP_ESTATE, "school_closed", "school %s is closed", sc.code);
        goto fail;
    }
    if ((rc = required_fields(db, op, sc.code, &q, err)) != 0 ||
        (rc = db_datacheck_counts(db, &q, op->arena, &cnt, err)) != 0)
        goto fail;
    const char *counts = counts_json(op->arena, &cnt);
    if ((rc = db_datacheck_sign_school(db, sc.code, term, ac->user_id, counts, op->arena, out,
                                       out_new, err)) != 0)
        goto fail;
    if (*out_new) {
        jw w;
        jw_init(&w, op->arena);
        jw_obj(&w);
        jw_str(&w, "term", term);
        jw_json(&w, "counts", counts);
        jw_end(&w);
        if ((rc = core_audit(db, op, "data_check.sign_off", "school", sc.code, jw_text(&w, NULL),
                             err)) != 0)
            goto fail;
    }
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
}

/* A bureau that sees `region`, which must exist. */
static int
region_reader(const core_op *op, const char *region, app_err *err)
{
    if (op->actor->level == CORE_LEVEL_SCHOOL)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "a region's data check is a bureau's");
    if (core_codes_label(op->env->codes, "region", region) == NULL ||
        !core_actor_sees_region(op->actor, region))
        return app_err_set(err, APP_ENOTFOUND, "region_not_found", "region %s", region);
    return 0;
}

int
core_datacheck_sign_region(db_conn *db, const core_op *op, const char *region, const char *term,
                           db_dc_authority_result *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    int rc = region_reader(op, region, err);
    if (rc != 0)
        return rc;
    if (strcmp(op->actor->org, region) != 0)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden",
                           "only the region's own bureau signs off its schools");
    if ((rc = db_begin(db, err)) != 0)
        return rc;
    if ((rc = db_datacheck_sign_authority(db, region, term, op->actor->user_id, out, err)) != 0)
        goto fail;
    if (out->signed_now > 0) {
        jw w;
        jw_init(&w, op->arena);
        jw_obj(&w);
        jw_str(&w, "term", term);
        jw_int(&w, "schools", out->signed_now);
        jw_int(&w, "pending", out->pending);
        jw_end(&w);
        if ((rc = core_audit(db, op, "data_check.approve", "region", region, jw_text(&w, NULL),
                             err)) != 0)
            goto fail;
    }
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
}

int
core_datacheck_region(db_conn *db, const core_op *op, const char *region, const char *term,
                      int missing, const char *after, int limit, db_dc_region_counts *out_counts,
                      db_dc_school_row **out, int *out_n, int *out_more, app_err *err)
{
    int rc = region_reader(op, region, err);
    if (rc != 0)
        return rc;
    char *like = app_arena_alloc(op->arena, 8);
    core_region_like(region, like);
    db_dc_region_query q = {like, term, missing, after, limit};
    return db_datacheck_region(db, &q, op->arena, out_counts, out, out_n, out_more, err);
}
