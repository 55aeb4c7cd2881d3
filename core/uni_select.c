/*
 * core/uni_select.c - rounds and the student's own selections
 * (core/uni_select.h). The offices' changes are in core/uni_select_office.c.
 */
#include "core/uni_select.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/uni.h"
#include "core/uni_calendar.h"
#include "core/uni_select_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
core_sel__rollback(db_conn *db, int rc)
{
    db_rollback(db);
    return rc;
}

int
core_sel_cohort_admitted(const char *cohorts, int cohort)
{
    if (cohorts == NULL)
        return 1;
    for (const char *p = cohorts; *p;) {
        if (*p >= '0' && *p <= '9') {
            char *end;
            long v = strtol(p, &end, 10);
            if (v == cohort)
                return 1;
            p = end;
        } else {
            p++;
        }
    }
    return 0;
}

void
core_sel__audit_of(const core_op *op, const char *action, long long section, long long student,
                   const char *state, const char *source, db_audit *out)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_int(&w, "student", student);
    jw_int(&w, "section", section);
    if (state) {
        jw_str(&w, "state", state);
    }
    if (source) {
        jw_str(&w, "source", source);
    }
    jw_end(&w);
    core_audit_row(op, action, "uni_section", app_arena_printf(op->arena, "%lld", section),
                   jw_text(&w, NULL), out);
}

/* ---- rounds ---- */

static int
registrar_section(const core_actor *a, const char *code)
{
    return a->level == CORE_LEVEL_SCHOOL && strcmp(a->org, code) == 0 &&
           a->staff_role == CORE_STAFF_REGISTRAR_SECTION;
}

int
core_sel__begin_registrar(db_conn *db, const core_op *op, const char *code, db_school *sc,
                          app_err *err)
{
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    if ((rc = core_uni_visible(db, op, code, sc, err)) != 0)
        return core_sel__rollback(db, rc);
    if (!registrar_section(op->actor, code))
        return core_sel__rollback(db, app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL));
    return 0;
}

static int
round_invalid(const core_sel_round_new *in, app_err *err)
{
    const char *field = NULL, *slug = NULL;
    if (!core_uni_term_valid(in->term))
        field = "/term", slug = "invalid_term";
    else if (in->kind == NULL || (strcmp(in->kind, "preselect") && strcmp(in->kind, "add_drop") &&
                                  strcmp(in->kind, "leftover")))
        field = "/kind", slug = "invalid_value";
    else if (in->closes_at <= in->opens_at)
        field = "/closes_at", slug = "invalid_round_times";
    for (int i = 0; slug == NULL && in->cohorts && i < in->ncohorts; i++)
        if (in->cohorts[i] < 1950 || in->cohorts[i] > 2200)
            field = "/cohorts", slug = "invalid_cohort";
    if (slug == NULL && in->cohorts && (in->ncohorts < 1 || in->ncohorts > 16))
        field = "/cohorts", slug = "invalid_cohort";
    if (slug == NULL)
        return 0;
    app_err_field(err, field);
    return app_err_set(err, APP_EINVAL, slug, NULL);
}

static const char *
cohort_literal(app_arena *a, const int *v, int n)
{
    if (v == NULL)
        return NULL;
    char *s = app_arena_alloc(a, (size_t)n * 6 + 3), *p = s;
    *p++ = '{';
    for (int i = 0; i < n; i++)
        p += sprintf(p, "%s%d", i ? "," : "", v[i]);
    *p++ = '}';
    *p = '\0';
    return s;
}

int
core_sel_round_create(db_conn *db, const core_op *op, const char *code,
                      const core_sel_round_new *in, db_sel_round *out, app_err *err)
{
    db_school sc;
    int rc = core_sel__begin_registrar(db, op, code, &sc, err);
    if (rc != 0)
        return rc;
    if ((rc = round_invalid(in, err)) != 0)
        return core_sel__rollback(db, rc);
    unsigned char reveal[32], commitment[32];
    int pre = strcmp(in->kind, "preselect") == 0;
    if (pre) {
        randombytes_buf(reveal, sizeof(reveal));
        crypto_hash_sha256(commitment, reveal, sizeof(reveal));
    }
    db_sel_round_new row = {code,
                            in->term,
                            in->kind,
                            in->opens_at,
                            in->closes_at,
                            cohort_literal(op->arena, in->cohorts, in->ncohorts),
                            pre ? commitment : NULL,
                            pre ? reveal : NULL,
                            op->actor->user_id};
    rc = db_sel_round_insert(db, &row, op->arena, out, err);
    sodium_memzero(reveal, sizeof(reveal));
    if (rc != 0)
        return core_sel__rollback(db, rc);
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "term", out->term);
    jw_str(&w, "kind", out->kind);
    jw_str(&w, "opens_at", out->opens_at);
    jw_str(&w, "closes_at", out->closes_at);
    if (out->commitment) {
        jw_str(&w, "commitment", out->commitment);
    }
    jw_end(&w);
    char ids[24];
    snprintf(ids, sizeof(ids), "%lld", out->id);
    rc = core_audit(db, op, "uni_round_create", "uni_round", ids, jw_text(&w, NULL), err);
    if (rc == 0)
        rc = db_commit(db, err);
    return rc ? core_sel__rollback(db, rc) : 0;
}

int
core_sel_round_list(db_conn *db, const core_op *op, const char *code, const char *term,
                    db_sel_round **out, int *out_n, app_err *err)
{
    if (term != NULL && !core_uni_term_valid(term)) {
        app_err_field(err, "/query/term");
        return app_err_set(err, APP_EINVAL, "invalid_term", NULL);
    }
    db_school sc;
    int rc = core_uni_visible(db, op, code, &sc, err);
    if (rc != 0)
        return rc;
    return db_sel_round_list(db, code, term, op->arena, out, out_n, err);
}

int
core_sel_round_get(db_conn *db, const core_op *op, const char *code, long long id,
                   db_sel_round *out, app_err *err)
{
    db_school sc;
    int found = 0;
    int rc = core_uni_visible(db, op, code, &sc, err);
    if (rc == 0)
        rc = db_sel_round_get(db, code, id, op->arena, out, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ENOTFOUND, "not_found", "round %lld", id);
    return rc;
}

/* ---- the student's own ---- */

int
core_sel__student_only(const core_op *op, app_err *err)
{
    if (op->actor->student_id != 0)
        return 0;
    app_err_param(err, "student_only");
    return app_err_set(err, APP_EFORBIDDEN, "forbidden", "selection is by the student");
}

/* The signed-in student's university record. */
static int
me(db_conn *db, const core_op *op, db_uni_student *st, app_err *err)
{
    int found = 0;
    int rc = db_uni_student_get(db, op->actor->student_id, 0, op->arena, st, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ENOTFOUND, "student_not_found", NULL);
    return rc;
}

static int
term_arg(const char *term, app_err *err)
{
    if (term != NULL && core_uni_term_valid(term))
        return 0;
    app_err_field(err, "/query/term");
    return app_err_set(err, APP_EINVAL, "invalid_term", NULL);
}

int
core_sel_my_sections(db_conn *db, const core_op *op, const char *term, db_sel_section **out,
                     int *out_n, db_sel_round *round, int *round_found, app_err *err)
{
    db_uni_student st;
    int undrawn = 0;
    int rc = core_sel__student_only(op, err);
    if (rc == 0)
        rc = term_arg(term, err);
    if (rc == 0)
        rc = me(db, op, &st, err);
    if (rc == 0)
        rc = db_sel_section_list(db, st.school, term, st.student_id, st.cohort, st.major, op->arena,
                                 out, out_n, err);
    if (rc == 0)
        rc = db_sel_round_now(db, st.school, term, op->arena, round, round_found, &undrawn, err);
    return rc;
}

int
core_sel_mine(db_conn *db, const core_op *op, const char *term, db_sel_row **out, int *out_n,
              db_sel_course **missing, int *out_nmissing, app_err *err)
{
    db_uni_student st;
    int rc = core_sel__student_only(op, err);
    if (rc == 0)
        rc = term_arg(term, err);
    if (rc == 0)
        rc = me(db, op, &st, err);
    if (rc == 0)
        rc = db_sel_mine(db, st.student_id, term, op->arena, out, out_n, err);
    if (rc == 0)
        rc = db_sel_plan_missing(db, st.student_id, st.major, st.cohort, term, "pe", op->arena,
                                 missing, out_nmissing, err);
    return rc;
}

/* The round the student's change of `sec` falls in (`round`, found: open
   now; undrawn: a preselect round waits for its draw): open, drawn if it
   follows a preselection; admitting the student. */
static int
student_round(const db_uni_student *st, const db_sel_section *sec, const db_sel_round *round,
              int found, int undrawn, app_err *err)
{
    if (!found || (strcmp(round->kind, "add_drop") == 0 && undrawn))
        return app_err_set(err, APP_ECONFLICT, "round_closed", "term %s", sec->term);
    char first[8];
    snprintf(first, sizeof(first), "%d-1", st->cohort);
    if (strcmp(sec->term, first) == 0 || !core_sel_cohort_admitted(round->cohorts, st->cohort) ||
        !sec->for_student ||
        (strcmp(st->state, "studying") != 0 && strcmp(st->state, "sitting_in") != 0))
        return app_err_set(err, APP_ECONFLICT, "not_eligible", "cohort %d", st->cohort);
    return 0;
}

/* The signed-in student, section `section` and the round now, in one read
   (db_sel_context), checked for a change by the student. */
static int
my_change(db_conn *db, const core_op *op, long long section, db_uni_student *st,
          db_sel_context_t *x, app_err *err)
{
    int rc = db_sel_context(db, op->actor->student_id, section, op->arena, x, err);
    if (rc != 0)
        return rc;
    if (!x->found)
        return app_err_set(err, APP_ENOTFOUND, "student_not_found", NULL);
    if (!x->section_found)
        return app_err_set(err, APP_ENOTFOUND, "not_found", "section %lld", section);
    memset(st, 0, sizeof(*st));
    st->student_id = x->student;
    snprintf(st->school, sizeof(st->school), "%s", x->school);
    st->cohort = x->cohort;
    st->major = x->major;
    st->college = x->college;
    st->state = x->state;
    return student_round(st, &x->section, &x->round, x->round_found, x->undrawn, err);
}

/* The student, the section and its course's live selection, for a change. */
int
core_sel__section(db_conn *db, const core_op *op, const db_uni_student *st, long long section,
                  db_sel_section *sec, app_err *err)
{
    int found = 0;
    int rc = db_sel_section_get(db, st->school, section, st->student_id, st->cohort, st->major,
                                op->arena, sec, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ENOTFOUND, "not_found", "section %lld", section);
    return rc;
}

int
core_sel__checks(const db_sel_section *sec, long long replaces, int *out_same, app_err *err)
{
    *out_same = sec->live == sec->id;
    if (sec->exempted)
        return app_err_set(err, APP_ECONFLICT, "course_exempted", NULL);
    if (*out_same)
        return 0;
    if (replaces != 0 && replaces != sec->live) {
        app_err_field(err, "/replaces");
        return app_err_set(err, APP_EINVAL, "invalid_value", "not the live section");
    }
    if (sec->live != 0 && replaces == 0)
        return app_err_set(err, APP_ECONFLICT, "course_already_selected", NULL);
    return 0;
}

int
core_sel__change(db_conn *db, const db_sel_section *sec, long long student, long long round,
                 int preselect, const char *source, long long replaces, const db_audit *au,
                 app_err *err)
{
    const char *was = NULL;
    int rc = 0, ok = 0;
    if (replaces != 0 && (rc = db_sel_release(db, replaces, student, NULL, &was, err)) != 0)
        return rc;
    if (preselect)
        rc = db_sel_preselect(db, sec, student, round, au, &ok, err);
    else
        rc = db_sel_take(db, sec, student, round, source, au, &ok, err);
    if (rc == 0 && !ok)
        rc = app_err_set(err, APP_ECONFLICT, preselect ? "course_already_selected" : "section_full",
                         NULL);
    return rc;
}

/* A change without `replaces` is one statement in its own transaction; with
   it, the release and the take are one transaction (docs/decisions/0046).
   The student, section and round are read before, outside it: each
   statement re-checks what could change in between (the seat, the live
   selection, a preselect round's state). */
int
core_sel_add(db_conn *db, const core_op *op, long long section, long long replaces,
             const char **out_state, int *out_created, app_err *err)
{
    int rc = core_sel__student_only(op, err);
    if (rc != 0)
        return rc;
    db_uni_student st;
    db_sel_context_t x;
    const db_sel_section *sec = &x.section;
    const db_sel_round *round = &x.round;
    int same = 0;
    if ((rc = my_change(db, op, section, &st, &x, err)) != 0 ||
        (rc = core_sel__checks(sec, replaces, &same, err)) != 0)
        return rc;
    *out_created = !same;
    if (same) {
        *out_state = sec->mystate;
        return 0;
    }
    int pre = strcmp(round->kind, "preselect") == 0;
    *out_state = pre ? "preselected" : "selected";
    db_audit au;
    core_sel__audit_of(op, "uni_selection_add", section, st.student_id, *out_state, "student", &au);
    if (replaces == 0)
        return core_sel__change(db, sec, st.student_id, round->id, pre, "student", 0, &au, err);
    if ((rc = db_begin(db, err)) != 0)
        return rc;
    rc = core_sel__change(db, sec, st.student_id, round->id, pre, "student", replaces, &au, err);
    if (rc == 0)
        rc = db_commit(db, err);
    return rc ? core_sel__rollback(db, rc) : 0;
}

int
core_sel_drop(db_conn *db, const core_op *op, long long section, const char **out_state,
              app_err *err)
{
    int rc = core_sel__student_only(op, err);
    if (rc != 0)
        return rc;
    db_uni_student st;
    db_sel_context_t x;
    const char *mine;
    if ((rc = my_change(db, op, section, &st, &x, err)) != 0)
        return rc;
    mine = x.section.mystate;
    if (mine == NULL || (strcmp(mine, "selected") != 0 && strcmp(mine, "preselected") != 0))
        return app_err_set(err, APP_ENOTFOUND, "not_found", "no selection");
    if (strcmp(x.round.kind, "preselect") == 0 && strcmp(mine, "preselected") != 0)
        return app_err_set(err, APP_ECONFLICT, "round_closed", "selected");
    db_audit au;
    core_sel__audit_of(op, "uni_selection_drop", section, st.student_id, NULL, NULL, &au);
    const char *was = NULL;
    if ((rc = db_sel_release(db, section, st.student_id, &au, &was, err)) != 0)
        return rc;
    if (was == NULL) /* released by a request of the same student meanwhile */
        return app_err_set(err, APP_ENOTFOUND, "not_found", "no selection");
    *out_state = strcmp(was, "selected") == 0 ? "dropped" : "removed";
    return 0;
}
