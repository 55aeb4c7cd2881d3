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
#include <string.h>

int
core_sel__rollback(db_conn *db, int rc)
{
    db_rollback(db);
    return rc;
}

void
core_sel__audit_of(const core_op *op, const char *action, long long section, long long student,
                   const char *source, db_audit *out)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_int(&w, "student", student);
    jw_int(&w, "section", section);
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

/* A change by the student is one statement (docs/decisions/0046, 0047): it
   reads the student, the section and the round open now, checks them and
   makes the change with its audit row. With `replaces` the release of the
   replaced section and the take are one transaction. */
int
core_sel_add(db_conn *db, const core_op *op, long long section, long long replaces,
             const char **out_state, int *out_created, app_err *err)
{
    int rc = core_sel__student_only(op, err);
    if (rc != 0)
        return rc;
    db_audit au;
    core_sel__audit_of(op, "uni_selection_add", section, op->actor->student_id, "student", &au);
    db_sel_change ch = {op->actor->student_id, section, "student", replaces, &au};
    if (replaces == 0)
        return db_sel_add(db, &ch, op->arena, out_state, out_created, err);
    if ((rc = db_begin(db, err)) != 0)
        return rc;
    rc = db_sel_add(db, &ch, op->arena, out_state, out_created, err);
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
    db_audit au;
    core_sel__audit_of(op, "uni_selection_drop", section, op->actor->student_id, NULL, &au);
    return db_sel_drop(db, op->actor->student_id, section, &au, op->arena, out_state, err);
}
