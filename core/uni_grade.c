/*
 * core/uni_grade.c - posting and reading grades of a university
 * (core/uni_grade.h).
 */
#include "core/uni_grade.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/uni.h"
#include "core/uni_student.h"

#include <stdio.h>
#include <string.h>

int
core_uni_exam_valid(const char *exam)
{
    return exam && (strcmp(exam, "normal") == 0 || strcmp(exam, "retake") == 0 ||
                    strcmp(exam, "deferred") == 0);
}

static int
section_not_found(app_err *err)
{
    return app_err_set(err, APP_ENOTFOUND, "section_not_found", NULL);
}

/* Section `id` of the visible university `code`. */
static int
load_section(db_conn *db, const core_op *op, const char *code, long long id, db_usection *s,
             app_err *err)
{
    db_school sc;
    int found = 0;
    int rc = core_uni_visible(db, op, code, &sc, err);
    if (rc == 0)
        rc = db_usection_get(db, sc.code, id, op->arena, s, &found, err);
    if (rc == 0 && !found)
        rc = section_not_found(err);
    return rc;
}

static int
is_teacher(const core_actor *a, const db_usection *s)
{
    return a->student_id == 0 && a->level == CORE_LEVEL_SCHOOL && s->teacher != 0 &&
           a->user_id == s->teacher && strcmp(a->org, s->school) == 0;
}

/* The exam rule of one item (core/uni_grade.h), NULL when it holds. */
static const char *
exam_problem(const db_ugrade_who *w, const char *exam)
{
    if (strcmp(exam, "deferred") == 0)
        return w->deferred_to ? NULL : "exam_not_allowed";
    if (strcmp(exam, "retake") == 0)
        return w->sel_source && strcmp(w->sel_source, "retake") == 0 ? NULL : "exam_not_allowed";
    return w->deferred_from ? "exam_not_allowed" : NULL;
}

static void
item_err(app_err *err, int i, const char *member, const char *code)
{
    char p[48];
    snprintf(p, sizeof(p), "/grades/%d/%s", i, member);
    app_err_add(err, p, code, NULL);
}

/* Every item checked against the section; the students' ids into ids[]. */
static int
check_items(db_conn *db, const core_op *op, const db_usection *s, const core_ugrade_item *items,
            int n, long long *ids, app_err *err)
{
    const char **nos = app_arena_alloc(op->arena, sizeof(*nos) * (size_t)n);
    db_ugrade_who *w = app_arena_alloc(op->arena, sizeof(*w) * (size_t)n);
    memset(w, 0, sizeof(*w) * (size_t)n);
    for (int i = 0; i < n; i++)
        nos[i] = items[i].student;
    int rc = db_ugrade_whos(db, s, nos, n, op->arena, w, err);
    if (rc != 0)
        return rc;
    for (int i = 0; i < n; i++) {
        ids[i] = w[i].student;
        const char *ex = exam_problem(&w[i], items[i].exam);
        if (w[i].student == 0)
            item_err(err, i, "student", "unknown_student_no");
        else if (strcmp(items[i].exam, "deferred") != 0 &&
                 (w[i].sel_state == NULL || strcmp(w[i].sel_state, "selected") != 0))
            item_err(err, i, "student", "not_selected");
        else if (ex)
            item_err(err, i, "exam", ex);
        for (int j = 0; j < i && w[i].student; j++)
            if (ids[j] == ids[i] && strcmp(items[j].exam, items[i].exam) == 0) {
                item_err(err, i, "student", "duplicate_value");
                break;
            }
    }
    return err->nitems > 0 ? APP_EINVAL : 0;
}

static int
put_audit(db_conn *db, const core_op *op, const db_usection *s, int n, int created, int changed,
          app_err *err)
{
    jw j;
    jw_init(&j, op->arena);
    jw_obj(&j);
    jw_int(&j, "section", s->id);
    jw_str(&j, "term", s->term);
    jw_int(&j, "items", n);
    jw_int(&j, "created", created);
    jw_int(&j, "changed", changed);
    jw_end(&j);
    char id[24];
    snprintf(id, sizeof(id), "%lld", s->id);
    return core_audit(db, op, "uni_grade_put", "uni_section", id, jw_text(&j, NULL), err);
}

int
core_uni_grade_put(db_conn *db, const core_op *op, const char *code, long long section,
                   const core_ugrade_item *items, int n, int *out_created, int *out_changed,
                   int *out_unchanged, app_err *err)
{
    db_usection s;
    int rc = load_section(db, op, code, section, &s, err);
    if (rc != 0)
        return rc;
    if (!is_teacher(op->actor, &s))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "not the section's teacher");
    long long *ids = app_arena_alloc(op->arena, sizeof(*ids) * (size_t)(n ? n : 1));
    const char **exams = app_arena_alloc(op->arena, sizeof(*exams) * (size_t)(n ? n : 1));
    const char **scores = app_arena_alloc(op->arena, sizeof(*scores) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        exams[i] = items[i].exam;
        scores[i] = items[i].score;
    }
    if ((rc = db_begin(db, err)) != 0)
        return rc;
    int created = 0, changed = 0;
    if ((rc = check_items(db, op, &s, items, n, ids, err)) != 0 ||
        (n > 0 && (rc = db_ugrade_put(db, &s, ids, exams, scores, n, op->actor->user_id, &created,
                                      &changed, err)) != 0) ||
        (rc = put_audit(db, op, &s, n, created, changed, err)) != 0 ||
        (rc = db_commit(db, err)) != 0) {
        db_rollback(db);
        return rc;
    }
    *out_created = created;
    *out_changed = changed;
    *out_unchanged = n - created - changed;
    return 0;
}

/* ---- reads ---- */

static int
with_changes(db_conn *db, const core_op *op, core_ugrade_list *out, app_err *err)
{
    long long *ids = app_arena_alloc(op->arena, sizeof(*ids) * (size_t)(out->n ? out->n : 1));
    for (int i = 0; i < out->n; i++)
        ids[i] = out->grades[i].id;
    out->nchanges = 0;
    if (out->n == 0)
        return 0;
    return db_ugrade_changes(db, ids, out->n, op->arena, &out->changes, &out->nchanges, err);
}

/* The teacher, the registrar section, the course's college office. */
static int
reads_section(const core_actor *a, const db_usection *s)
{
    if (is_teacher(a, s))
        return 1;
    return core_uni_actor_holds(a, s->school, CORE_STAFF_REGISTRAR_SECTION, 0) ||
           core_uni_actor_holds(a, s->school, CORE_STAFF_COLLEGE_OFFICE, s->college);
}

int
core_uni_grade_of_section(db_conn *db, const core_op *op, const char *code, long long section,
                          core_ugrade_list *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    int rc = load_section(db, op, code, section, &out->section, err);
    if (rc != 0)
        return rc;
    if (!reads_section(op->actor, &out->section))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL);
    if ((rc = db_ugrade_of_section(db, section, op->arena, &out->grades, &out->n, err)) != 0)
        return rc;
    return with_changes(db, op, out, err);
}

static int
term_ok(const char *term, app_err *err)
{
    if (term == NULL)
        return 0;
    int ok = strlen(term) == 6 && term[4] == '-' && (term[5] == '1' || term[5] == '2');
    for (int i = 0; ok && i < 4; i++)
        ok = term[i] >= '0' && term[i] <= '9';
    if (!ok) {
        app_err_add(err, "/query/term", "invalid_term", NULL);
        return APP_EINVAL;
    }
    return 0;
}

int
core_uni_grade_of_student(db_conn *db, const core_op *op, const char *code, const char *no,
                          const char *term, core_ugrade_list *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    core_uni_student st;
    int rc = term_ok(term, err);
    if (rc == 0)
        rc = core_uni_student_get(db, op, code, no, &st, err);
    if (rc == 0)
        rc = db_ugrade_of_student(db, st.place.st.student_id, term, op->arena, &out->grades,
                                  &out->n, err);
    return rc != 0 ? rc : with_changes(db, op, out, err);
}

int
core_uni_grade_mine(db_conn *db, const core_op *op, const char *term, core_ugrade_list *out,
                    app_err *err)
{
    memset(out, 0, sizeof(*out));
    if (op->actor->student_id == 0)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "students only");
    int rc = term_ok(term, err);
    if (rc == 0)
        rc = db_ugrade_of_student(db, op->actor->student_id, term, op->arena, &out->grades, &out->n,
                                  err);
    return rc != 0 ? rc : with_changes(db, op, out, err);
}
