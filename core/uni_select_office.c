/*
 * core/uni_select_office.c - the offices' changes of selections
 * (core/uni_select.h): the college office's leftover round and the
 * registrar section's preload of a section.
 */
#include "base/jw.h"
#include "core/audit.h"
#include "core/uni.h"
#include "core/uni_calendar.h"
#include "core/uni_select.h"
#include "core/uni_select_int.h"

#include <stdio.h>
#include <string.h>

/* The student of 学号 `no` at the visible university `code`. */
static int
student_of(db_conn *db, const core_op *op, const char *code, const char *no, db_uni_student *st,
           app_err *err)
{
    db_school sc;
    long long id = 0;
    int found = 0;
    int rc = core_uni_visible(db, op, code, &sc, err);
    if (rc == 0)
        rc = db_uni_student_find(db, code, no, &id, err);
    if (rc == 0 && id == 0)
        return app_err_set(err, APP_ENOTFOUND, "student_not_found", NULL);
    if (rc == 0)
        rc = db_uni_student_get(db, id, 1, op->arena, st, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ENOTFOUND, "student_not_found", NULL);
    return rc;
}

/* Section `section` as student `st` sees it; APP_ENOTFOUND not_found. */
static int
section_of(db_conn *db, const core_op *op, const db_uni_student *st, long long section,
           db_sel_section *sec, app_err *err)
{
    int found = 0;
    int rc = db_sel_section_get(db, st->school, section, st->student_id, st->cohort, st->major,
                                op->arena, sec, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ENOTFOUND, "not_found", "section %lld", section);
    return rc;
}

/* Weeks 1-2 of the section's term by op->today (L302). */
static int
leftover_window(db_conn *db, const core_op *op, const db_sel_section *sec, app_err *err)
{
    db_uni_term t;
    int week = 0, found = 0;
    int rc = core_uni_term_at_tx(db, op, sec->school, op->today, &t, &week, &found, err);
    if (rc != 0)
        return rc;
    if (!found || strcmp(t.term, sec->term) != 0 || week < 1 || week > 2)
        return app_err_set(err, APP_ECONFLICT, "window_closed", "leftover: term %s week %d",
                           found ? t.term : "-", week);
    return 0;
}

int
core_sel_office_add(db_conn *db, const core_op *op, const char *code, const char *no,
                    long long section, long long replaces, int *out_created, app_err *err)
{
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    db_uni_student st;
    db_sel_section sec;
    if ((rc = student_of(db, op, code, no, &st, err)) != 0)
        return core_sel__rollback(db, rc);
    if (!core_uni_actor_holds(op->actor, code, CORE_STAFF_COLLEGE_OFFICE, st.college))
        return core_sel__rollback(db, app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL));
    if ((rc = section_of(db, op, &st, section, &sec, err)) != 0 ||
        (rc = leftover_window(db, op, &sec, err)) != 0)
        return core_sel__rollback(db, rc);
    db_audit au;
    core_sel__audit_of(op, "uni_selection_office", section, st.student_id, "office", &au);
    db_sel_change ch = {st.student_id, section, "office", replaces, &au};
    const char *state = NULL;
    if ((rc = db_sel_add(db, &ch, op->arena, &state, out_created, err)) == 0)
        rc = db_commit(db, err);
    return rc ? core_sel__rollback(db, rc) : 0;
}

int
core_sel_preload(db_conn *db, const core_op *op, const char *code, long long id,
                 core_sel_preload_counts *out, app_err *err)
{
    db_school sc;
    int found = 0;
    int rc = core_sel__begin_registrar(db, op, code, &sc, err);
    if (rc != 0)
        return rc;
    rc = db_sel_preload(db, code, id, &found, &out->already, &out->preloaded, &out->no_seat, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ENOTFOUND, "not_found", "section %lld", id);
    if (rc != 0)
        return core_sel__rollback(db, rc);
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_int(&w, "preloaded", out->preloaded);
    jw_int(&w, "already", out->already);
    jw_int(&w, "no_seat", out->no_seat);
    jw_end(&w);
    char ids[24];
    snprintf(ids, sizeof(ids), "%lld", id);
    rc = core_audit(db, op, "uni_section_preload", "uni_section", ids, jw_text(&w, NULL), err);
    if (rc == 0)
        rc = db_commit(db, err);
    return rc ? core_sel__rollback(db, rc) : 0;
}
