/*
 * core/reward.c - rewards and punishments on the record (see core/reward.h).
 */
#include "core/reward.h"

#include "base/buf.h"
#include "base/jw.h"
#include "core/audit.h"
#include "core/settings.h"
#include "core/student.h"
#include "core/student_int.h"
#include "db/history.h"
#include "db/problem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A required text of at most `max` characters, without control characters. */
static void
check_text(const char *v, size_t max, const char *ptr, app_err *err)
{
    if (v == NULL || *v == '\0') {
        app_err_add(err, ptr, "missing_field", NULL);
        return;
    }
    size_t n = strlen(v);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
            app_err_add(err, ptr, "invalid_text", "control");
            return;
        }
    char lim[24];
    snprintf(lim, sizeof(lim), "%zu", max);
    if (base_utf8_chars(v, n) > max)
        app_err_add(err, ptr, "too_long", lim);
}

/* The members of `in` for a student in `grade`. */
static int
check_input(const core_op *op, const core_reward_in *in, int grade, app_err *err)
{
    int ymd = 0;
    if (in->kind == NULL)
        app_err_add(err, "/kind", "missing_field", NULL);
    else if (core_codes_label(op->env->codes, "reward_kind", in->kind) == NULL)
        app_err_add(err, "/kind", "invalid_code", "reward_kind");
    else if (strcmp(in->kind, "25") == 0 && (grade / 10 == 1 || grade / 10 == 2))
        app_err_add(err, "/kind", "expulsion_not_compulsory", NULL);
    if (in->date == NULL)
        app_err_add(err, "/date", "missing_field", NULL);
    else if (core_date_parse(in->date, &ymd) != 0)
        app_err_add(err, "/date", "invalid_date", "format");
    else if (ymd > op->today)
        app_err_add(err, "/date", "invalid_date", "future");
    check_text(in->issuer, 100, "/issuer", err);
    check_text(in->text, 500, "/text", err);
    return err->nitems > 0 ? APP_EINVAL : 0;
}

/* History, audit and event of entry `r` added (`removed`: taken off by `request_id`). */
static int
record_entry(db_conn *db, const core_op *op, const db_student *s, const db_school *sc,
             const db_reward *r, int removed, long long request_id, app_err *err)
{
    jw chg;
    jw_init(&chg, op->arena);
    jw_arr(&chg);
    jw_elem(&chg);
    jw_obj(&chg);
    jw_str(&chg, "field", app_arena_printf(op->arena, "/rewards/%lld", r->id));
    const char *what = app_arena_printf(op->arena, "%s %s", r->date, r->kind);
    jw_str(&chg, removed ? "old" : "new", what);
    jw_end(&chg);
    jw_arr_end(&chg);
    db_history h = {0,
                    s->id,
                    op->actor->user_id,
                    request_id,
                    NULL,
                    removed ? "reward_removal" : "reward",
                    op->actor->org,
                    s->school,
                    jw_text(&chg, NULL),
                    NULL};
    jw data;
    jw_init(&data, op->arena);
    jw_obj(&data);
    jw_int(&data, "reward", r->id);
    jw_str(&data, "kind", r->kind);
    jw_str(&data, "date", r->date);
    jw_end(&data);
    const char *dj = jw_text(&data, NULL);
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", s->id);
    int rc;
    if ((rc = db_history_insert(db, &h, err)) != 0 ||
        (!removed && (rc = core_audit(db, op, "student.reward_add", "student", sid, dj, err)) != 0))
        return rc;
    return core_event(db, removed ? "student.reward_removed" : "student.reward_added", s->id,
                      s->school, sc->authority, sc->province, request_id, dj, err);
}

static int
add_in_tx(db_conn *db, const core_op *op, const char *key, const core_reward_in *in, db_reward *out,
          app_err *err)
{
    db_student s;
    db_school sc;
    int rc = core_student_load(db, op, key, 1, &s, &sc, err);
    if (rc != 0)
        return rc;
    if (op->actor->level != CORE_LEVEL_SCHOOL || strcmp(op->actor->org, s.school) != 0)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "the student's school adds rewards");
    if (!CORE__ACTIVE(s.state) || strcmp(s.state, "pending") == 0)
        return app_err_set(err, APP_ESTATE, "student_not_active", "state %s", s.state);
    int nprob = 0, grade, class_no;
    if ((rc = db_problem_open_count(db, s.id, &nprob, err)) != 0)
        return rc;
    if (nprob > 0)
        return app_err_set(err, APP_ECONFLICT, "student_has_problem", "open problem");
    core_student_place_of(&s, &grade, &class_no);
    if ((rc = check_input(op, in, grade, err)) != 0)
        return rc;
    memset(out, 0, sizeof(*out));
    out->student_id = s.id;
    snprintf(out->school, sizeof(out->school), "%s", s.school);
    out->kind = in->kind;
    out->date = in->date;
    out->issuer = in->issuer;
    out->text = in->text;
    out->created_by = op->actor->user_id;
    if ((rc = db_reward_insert(db, out, &out->id, err)) != 0 ||
        (rc = record_entry(db, op, &s, &sc, out, 0, 0, err)) != 0)
        return rc;
    int found = 0;
    return db_reward_get(db, s.id, out->id, 0, op->arena, out, &found, err);
}

int
core_reward_add(db_conn *db, const core_op *op, const char *key, const core_reward_in *in,
                db_reward *out, app_err *err)
{
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    if ((rc = add_in_tx(db, op, key, in, out, err)) != 0) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db, err);
}

int
core_reward_list(db_conn *db, const core_op *op, const char *key, db_reward **out, int *out_n,
                 app_err *err)
{
    db_student s;
    db_school sc;
    int rc = core_student_load(db, op, key, 0, &s, &sc, err);
    if (rc != 0)
        return rc;
    return db_reward_list(db, s.id, op->arena, out, out_n, err);
}

int
core_reward_check(db_conn *db, const core_op *op, long long student_id, long long reward_id,
                  app_err *err)
{
    db_reward r;
    int found = 0;
    int rc = db_reward_get(db, student_id, reward_id, 1, op->arena, &r, &found, err);
    if (rc != 0)
        return rc;
    if (!found || r.removed_at != NULL) {
        app_err_add(err, "/payload/reward", "reward_not_found", NULL);
        return APP_EINVAL;
    }
    return 0;
}

int
core_reward_remove(db_conn *db, const core_op *op, long long student_id, long long reward_id,
                   long long request_id, app_err *err)
{
    db_reward r;
    db_student s;
    db_school sc;
    int found = 0, sfound = 0;
    int rc = db_reward_get(db, student_id, reward_id, 1, op->arena, &r, &found, err);
    if (rc != 0)
        return rc;
    if (!found || r.removed_at != NULL)
        return app_err_set(err, APP_ESTATE, "transition_not_allowed", "reward %lld", reward_id);
    if ((rc = db_student_get(db, student_id, 0, op->arena, &s, &sfound, err)) != 0 ||
        (rc = core_school_load(db, op, s.school, &sc, err)) != 0 ||
        (rc = db_reward_remove(db, reward_id, request_id, err)) != 0)
        return rc;
    return record_entry(db, op, &s, &sc, &r, 1, request_id, err);
}

int
core_reward_cells(db_conn *db, const core_codes *codes, const long long *ids, int n, app_arena *a,
                  const char **out, app_err *err)
{
    db_reward *r;
    int nr = 0;
    for (int i = 0; i < n; i++)
        out[i] = NULL;
    if (n == 0)
        return 0;
    int rc = db_reward_list_many(db, ids, n, a, &r, &nr, err);
    if (rc != 0)
        return rc;
    for (int k = 0, i = 0; k < nr; k++) {
        while (i < n && ids[i] != r[k].student_id)
            i++; /* both in student id order */
        if (i == n)
            break;
        const char *label = core_codes_label(codes, "reward_kind", r[k].kind);
        const char *one = app_arena_printf(a, "%s %s %s %s", r[k].date, label ? label : r[k].kind,
                                           r[k].issuer, r[k].text);
        out[i] = out[i] ? app_arena_printf(a, "%s；%s", out[i], one) : one;
    }
    return 0;
}
