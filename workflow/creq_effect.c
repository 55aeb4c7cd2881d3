/*
 * workflow/creq_effect.c - what an approved course request does: exempted
 * courses and their live selections dropped with their seats released, or
 * a late selection's drops and adds in one transaction; its revert; the
 * due dates of its steps (see workflow/creq.h, docs/decisions/0044).
 */
#include "core/uni_calendar.h"
#include "db/creq.h"
#include "db/history.h"
#include "workflow/creq.h"
#include "workflow/uni.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DROPS 32
#define MAX_TERMS 64

/* ------------------------------------------------------------ pure rules */

/* Days since Monday (0) of day number `t` (1970-01-01 was a Thursday). */
static long
weekday(long t)
{
    return (t % 7 + 10) % 7;
}

int
wf_creq_friday_after(int submitted)
{
    long t = wf_uni_days(submitted) + 7;
    return wf_uni_date(t + (4 - weekday(t) + 7) % 7);
}

int
wf_creq_week5_end(int first_day)
{
    long f = wf_uni_days(first_day);
    return wf_uni_date(f - weekday(f) + 5 * 7 - 1);
}

int
wf_creq_month_after(int d)
{
    static const int DAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = d / 10000, m = d / 100 % 100 + 1, day = d % 100;
    if (m > 12) {
        m = 1;
        y++;
    }
    int last = DAYS[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
    return y * 10000 + m * 100 + (day > last ? last : day);
}

/* ------------------------------------------------------------ due dates */

static const char *
due_text(app_arena *a, int d)
{
    return app_arena_printf(a, "%04d-%02d-%02dT23:59:59+08:00", d / 10000, d / 100 % 100, d % 100);
}

static int
nsteps(const wf_def *d)
{
    int n = 0;
    while (n < WF_MAX_STEPS && d->steps[n] != WF_H_NONE)
        n++;
    return n;
}

/* The end of week 5 of the current term, or of the next one once it is past. */
static int
week5_due(db_conn *db, const core_op *op, const char *school, int *out, app_err *err)
{
    db_uni_term t;
    int week = 0, found = 0, starts[MAX_TERMS], n = 0;
    int rc = core_uni_term_at_tx(db, op, school, op->today, &t, &week, &found, err);
    if (rc == 0)
        rc = db_uterm_starts(db, school, starts, MAX_TERMS, &n, err);
    if (rc != 0)
        return rc;
    *out = 0;
    if (found && op->today <= wf_creq_week5_end(t.first_day))
        *out = wf_creq_week5_end(t.first_day);
    for (int i = 0; i < n && *out == 0; i++)
        if (starts[i] > op->today)
            *out = wf_creq_week5_end(starts[i]);
    return 0;
}

int
wf_creq_due(db_conn *db, const core_op *op, const wf_def *d, const char *school,
            const core_request *q, int step, const char *dflt, const char **out, app_err *err)
{
    *out = dflt;
    if (d->due == WF_DUE_FRIDAY) {
        if (q && q->nsteps > 0 && q->steps[0].due_at)
            *out = q->steps[0].due_at;
        else
            *out = due_text(op->arena, wf_creq_friday_after(op->today));
        return 0;
    }
    if (d->due != WF_DUE_WEEK5 || step != nsteps(d))
        return 0;
    int due = 0;
    int rc = week5_due(db, op, school, &due, err);
    if (rc == 0 && due)
        *out = due_text(op->arena, due);
    return rc;
}

/* ------------------------------------------------------------ effects */

static int
history(db_conn *db, const core_op *op, const core_request *q, const char *kind, json_t *changes,
        app_err *err)
{
    db_history h = {0,
                    q->student_id,
                    op->actor->user_id,
                    q->id,
                    NULL,
                    kind,
                    op->actor->org,
                    q->school,
                    wf_json_text(op->arena, changes),
                    NULL};
    return db_history_insert(db, &h, err);
}

static const char *
kind_of(const wf_def *d)
{
    return d->effect == WF_E_U_EXEMPT       ? "exemption"
           : d->effect == WF_E_U_SUBSTITUTE ? "substitution"
                                            : "coverage";
}

/* Exempt from each course; drop its live selections of this term and
   later, seats released (a past term's selection is the record of the
   course taken: kept). */
static int
exempt(db_conn *db, const core_op *op, const wf_def *d, const core_request *q, json_t *pl,
       json_t *done, json_t *dropped, app_err *err)
{
    db_uni_term t;
    int week = 0, found = 0;
    int rc = core_uni_term_at_tx(db, op, q->school, op->today, &t, &week, &found, err);
    if (rc != 0)
        return rc;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(pl, "course_ids"), i, x)
    {
        long long course = json_integer_value(x);
        int ins = 0, n = 0;
        db_creq_drop drops[MAX_DROPS];
        if ((rc = db_creq_exempt(db, q->student_id, course, kind_of(d), q->id, &ins, err)) != 0 ||
            (rc = db_creq_drop_course(db, q->student_id, course, found ? t.term : "", op->arena,
                                      drops, MAX_DROPS, &n, err)) != 0)
            return rc;
        if (ins)
            json_array_append_new(done, json_integer(course));
        for (int k = 0; k < n; k++)
            json_array_append_new(dropped,
                                  json_pack("{s:I,s:s}", "section", (json_int_t)drops[k].section,
                                            "was", drops[k].was));
    }
    return 0;
}

/* Drops, then adds: a seat each, below capacity only; a full section
   fails the whole approval (the request stays at its step). */
static int
late(db_conn *db, const core_op *op, const core_request *q, json_t *pl, json_t *removed,
     json_t *added, app_err *err)
{
    size_t i;
    json_t *x;
    int rc = 0;
    json_array_foreach(json_object_get(pl, "remove_ids"), i, x)
    {
        const char *was = "";
        if ((rc = db_creq_drop_section(db, q->student_id, json_integer_value(x), op->arena, &was,
                                       err)) != 0)
            return rc;
        json_array_append_new(removed, json_pack("{s:O,s:s}", "section", x, "was", was));
    }
    json_array_foreach(json_object_get(pl, "add_ids"), i, x)
    {
        int full = 0, ex = 0;
        /* an exemption granted since the start: an exempted course is not selected */
        if ((rc = db_creq_section_exempted(db, q->student_id, json_integer_value(x), &ex, err)) !=
            0)
            return rc;
        if (ex)
            return app_err_set(err, APP_EINVAL, "course_exempted", "section %lld",
                               (long long)json_integer_value(x));
        rc = db_creq_add_section(db, q->student_id, json_integer_value(x), "late", &full, err);
        if (rc == APP_ECONFLICT)
            return app_err_set(err, APP_ECONFLICT, "course_already_selected", "section %lld",
                               (long long)json_integer_value(x));
        if (rc != 0)
            return rc;
        if (full)
            return app_err_set(err, APP_ECONFLICT, "section_full", "section %lld",
                               (long long)json_integer_value(x));
        json_array_append(added, x);
    }
    return 0;
}

int
wf_creq_effect(db_conn *db, const core_op *op, const wf_def *d, const core_request *q, app_err *err)
{
    json_t *pl = json_loads(q->payload_json ? q->payload_json : "{}", 0, NULL);
    if (pl == NULL)
        return app_err_set(err, APP_EINTERNAL, NULL, "payload of request %lld", q->id);
    json_t *a = json_array(), *b = json_array();
    int is_late = d->effect == WF_E_U_LATE;
    int rc = is_late ? late(db, op, q, pl, a, b, err) : exempt(db, op, d, q, pl, a, b, err);
    json_decref(pl);
    json_t *ap = is_late ? json_pack("{s:o,s:o}", "removed", a, "added", b)
                         : json_pack("{s:o,s:o}", "exempted", a, "dropped", b);
    if (rc != 0) {
        json_decref(ap);
        return rc;
    }
    json_t *chg = json_pack("[{s:s,s:n,s:O}]", "field", is_late ? "/selections" : "/exemptions",
                            "old", "new", ap);
    if ((rc = history(db, op, q, d->type, chg, err)) != 0) {
        json_decref(ap);
        return rc;
    }
    return db_request_set_applied(db, q->id, wf_json_text(op->arena, ap), err);
}

int
wf_creq_revert(db_conn *db, const core_op *op, const wf_def *d, const core_request *q, app_err *err)
{
    if (d->effect == WF_E_U_LATE)
        return app_err_set(err, APP_EINVAL, "not_revertible", "late selection");
    int n = 0;
    int rc = db_creq_unexempt(db, q->id, &n, err);
    if (rc != 0)
        return rc;
    json_t *chg = json_pack("[{s:s,s:i,s:n}]", "field", "/exemptions", "old", n, "new");
    return history(db, op, q, "revert", chg, err);
}
