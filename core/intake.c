/*
 * core/intake.c - the graduate pool: search and the claim window (see
 * core/intake.h).
 */
#include "core/intake.h"

#include "base/buf.h"
#include "base/jw.h"
#include "core/audit.h"
#include "core/mask.h"
#include "core/settings.h"
#include "core/student_int.h"
#include "db/intake.h"
#include "db/settings.h"

#include <stdio.h>
#include <string.h>

#define NAME_MAX_CHARS 50

int
core_intake_grade(int grade)
{
    if (grade >= 11 && grade <= 16)
        return 21;
    if (grade >= 21 && grade <= 24)
        return 31;
    return 0;
}

/* The document checked and normalised as registration would; its own items only. */
static int
check_document(const core_op *op, core_pool_query *q, app_err *err)
{
    core_record r;
    memset(&r, 0, sizeof(r));
    r.v[CORE_R_ID_TYPE] = q->id_type;
    r.v[CORE_R_ID_NUMBER] = q->id_number;
    r.v[CORE_R_NAME] = "-";
    core_record_rules rules = {op->env->codes, op->today, NULL, 0};
    core_record_validate(&r, &rules, op->arena, NULL, err);
    int keep = 0;
    for (int i = 0; i < err->nitems; i++)
        if (strcmp(err->items[i].field, "/id_type") == 0 ||
            strcmp(err->items[i].field, "/id_number") == 0)
            err->items[keep++] = err->items[i];
    err->nitems = keep;
    if (keep > 0)
        return APP_EINVAL;
    q->id_type = r.v[CORE_R_ID_TYPE];
    q->id_number = r.v[CORE_R_ID_NUMBER];
    return 0;
}

/* One search names one person: a document, or a name with a birth date. */
static int
check_query(const core_op *op, core_pool_query *q, app_err *err)
{
    if (q->id_number) {
        if (q->id_type == NULL)
            q->id_type = "1";
        return check_document(op, q, err);
    }
    if (q->name == NULL && q->birth_date == NULL) {
        app_err_add(err, "/id_number", "missing_field", NULL);
        return APP_EINVAL;
    }
    int ymd;
    size_t n = q->name ? strlen(q->name) : 0;
    if (q->name == NULL)
        app_err_add(err, "/name", "missing_field", NULL);
    else if (n == 0 || !base_utf8_valid(q->name, n) || base_utf8_chars(q->name, n) > NAME_MAX_CHARS)
        app_err_add(err, "/name", "wrong_type", NULL);
    if (q->birth_date == NULL)
        app_err_add(err, "/birth_date", "missing_field", NULL);
    else if (core_date_parse(q->birth_date, &ymd) != 0)
        app_err_add(err, "/birth_date", "invalid_date", NULL);
    return err->nitems ? APP_EINVAL : 0;
}

/* The province the actor searches: its school's, its region's; NULL for the ministry. */
static int
search_province(db_conn *db, const core_op *op, const char **out, app_err *err)
{
    const core_actor *ac = op->actor;
    *out = NULL;
    if (ac->level == CORE_LEVEL_MINISTRY)
        return 0;
    if (ac->level == CORE_LEVEL_SCHOOL) {
        if (ac->staff_role != CORE_STAFF_REGISTRAR)
            return app_err_set(err, APP_EFORBIDDEN, "forbidden", "the registrar searches the pool");
        db_school sc;
        int rc = core_school_load(db, op, ac->org, &sc, err);
        if (rc == 0)
            *out = app_arena_strdup(op->arena, sc.province);
        return rc;
    }
    *out = app_arena_printf(op->arena, "%.2s0000", ac->org);
    return 0;
}

static void
hit_of(const core_op *op, const db_pool_hit *h, core_pool_hit *o)
{
    char name[256], num[64];
    core_mask_name(h->name, name, sizeof(name));
    core_mask_stuno(h->stuno_text, num, sizeof(num));
    o->id = h->id;
    o->name = app_arena_strdup(op->arena, name);
    o->gender = h->gender;
    o->birth_date = h->birth_date;
    o->id_number = h->id_number_mask;
    o->student_number = app_arena_strdup(op->arena, num);
    o->school = h->school;
    o->school_name = h->school_name;
    o->grade = h->grade;
    o->intake_grade = core_intake_grade(h->grade);
}

/* The hits of every key of the ring (a document's blind index per key). */
static int
find(db_conn *db, const core_op *op, const core_pool_query *q, const char *prov, db_pool_hit **out,
     int *out_n, app_err *err)
{
    if (q->id_number == NULL)
        return db_pool_by_name(db, prov, q->name, q->birth_date, op->arena, out, out_n, err);
    int nidx = 0;
    const char **idx = core__id_indexes(op, q->id_type, q->id_number, &nidx);
    *out_n = 0;
    for (int k = 0; k < nidx && *out_n == 0; k++) {
        int rc = db_pool_by_document(db, prov, q->id_type, idx[k], op->arena, out, out_n, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int
core_pool_search(db_conn *db, const core_op *op, const core_pool_query *query, core_pool_hit **out,
                 int *out_n, app_err *err)
{
    core_pool_query q = *query;
    const char *prov = NULL;
    db_pool_hit *h = NULL;
    int n = 0, rc;
    *out_n = 0;
    if ((rc = search_province(db, op, &prov, err)) != 0 || (rc = check_query(op, &q, err)) != 0 ||
        (rc = find(db, op, &q, prov, &h, &n, err)) != 0)
        return rc;
    *out = app_arena_alloc(op->arena, sizeof(core_pool_hit) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        if (core_intake_grade(h[i].grade) != 0 && *out_n < DB_POOL_MAX)
            hit_of(op, &h[i], &(*out)[(*out_n)++]);
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "by", q.id_number ? "document" : "name");
    jw_int(&w, "found", *out_n);
    jw_end(&w);
    return core_audit(db, op, "graduate_pool.search", "graduate_pool", NULL, jw_text(&w, NULL),
                      err);
}

int
core_intake_window_check(db_conn *db, const core_op *op, const db_school *sc, app_err *err)
{
    db_settings set;
    int rc = db_settings_for_school(db, sc->code, op->arena, &set, err);
    if (rc != 0)
        return rc;
    if (set.intake_from == 0 ||
        core_blackout_contains(set.intake_from, set.intake_until, op->today))
        return 0;
    return app_err_set(err, APP_ECONFLICT, "window_closed", "intake window %04d-%04d",
                       set.intake_from, set.intake_until);
}
