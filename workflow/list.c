/*
 * workflow/list.c - reading requests: one by id, and the inboxes (see
 * workflow/wf.h). A request is visible to the orgs that hold or are
 * escalated one of its steps, and to whoever sees either of its schools.
 */
#include "workflow/common.h"

#include <string.h>

/* A university's student sees the requests about them; an office of the
   university those it holds or is escalated a step of, and the university's
   offices above the colleges every request of the university
   (docs/decisions/0033). */
static int
visible_in_university(const core_op *op, const core_request *q)
{
    const core_actor *ac = op->actor;
    if (wf_actor_is_student(ac)) /* their own requests only (docs/decisions/0032) */
        return q->student_id == ac->student_id;
    if (wf_actor_college(ac) == 0 && strcmp(q->school, ac->org) == 0)
        return 1;
    for (int i = 0; i < q->nsteps; i++) {
        const db_step *st = &q->steps[i];
        if ((st->office && wf_actor_holds(ac, st->org, st->office, st->college)) ||
            (st->escalate_office && st->escalate_to &&
             wf_actor_holds(ac, st->escalate_to, st->escalate_office, NULL)))
            return 1;
    }
    return 0;
}

static int
visible(db_conn *db, const core_op *op, const core_request *q, int *out, app_err *err)
{
    const core_actor *ac = op->actor;
    *out = 0;
    if (wf_actor_is_student(ac) || wf_actor_office(ac)) {
        *out = visible_in_university(op, q);
        return 0;
    }
    for (int i = 0; i < q->nsteps; i++)
        if (strcmp(q->steps[i].org, ac->org) == 0 ||
            (q->steps[i].escalate_to && strcmp(q->steps[i].escalate_to, ac->org) == 0))
            *out = 1;
    if (*out)
        return ac->level != CORE_LEVEL_SCHOOL || wf_actor_is_registrar(ac) ? 0 : (*out = 0);
    const char *schools[2] = {q->school, q->other_school};
    for (int k = 0; k < 2 && !*out; k++) {
        if (schools[k] == NULL)
            continue;
        db_school sc;
        int found = 0;
        int rc = db_school_get(db, schools[k], op->arena, &sc, &found, err);
        if (rc != 0)
            return rc;
        core_school_ref ref = {sc.code, sc.county, sc.authority};
        *out = found && core_actor_sees_school(ac, &ref);
    }
    if (*out && ac->level == CORE_LEVEL_SCHOOL)
        *out = wf_actor_is_registrar(ac);
    return 0;
}

int
wf_request_load(db_conn *db, const core_op *op, long long id, int lock, core_request *out,
                app_err *err)
{
    int found = 0, ok = 0;
    int rc = db_request_get(db, id, lock, op->arena, out, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return wf_request_not_found(err, id);
    if ((rc = visible(db, op, out, &ok, err)) != 0)
        return rc;
    return ok ? 0 : wf_request_not_found(err, id);
}

int
wf_request_get(db_conn *db, const core_op *op, long long id, core_request *out, app_err *err)
{
    return wf_request_load(db, op, id, 0, out, err);
}

int
wf_request_list(db_conn *db, const core_op *op, const char *box, const char *state,
                const char *type, long long after_id, int limit, core_request **out, int *out_n,
                app_err *err)
{
    const core_actor *ac = op->actor;
    db_request_filter f = {0};
    f.state = state;
    f.type = type;
    f.after_id = after_id;
    f.limit = limit;
    *out_n = 0;
    const char *office = wf_actor_office(ac);
    if (wf_actor_is_student(ac)) /* GET /me/requests lists theirs (docs/decisions/0032) */
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "a student's are under /me");
    if (office) {
        /* an office: what waits at it (todo), or what it holds or held */
        f.todo_org = ac->org;
        f.todo_office = office;
        long long col = wf_actor_college(ac);
        f.todo_college = col ? app_arena_printf(op->arena, "%lld", col) : NULL;
        if (col && ac->staff_role == CORE_STAFF_COURSE_TEACHER) /* a person's steps (ADR 0043) */
            f.todo_college = app_arena_printf(op->arena, "%lld/%lld", col, ac->user_id);
        f.held = strcmp(box, "todo") != 0;
        if (f.held && f.todo_college == NULL) {
            f.todo_org = f.todo_office = NULL;
            f.school_like = ac->org;
        }
        return db_request_list(db, &f, op->arena, out, out_n, err);
    }
    if (ac->level == CORE_LEVEL_SCHOOL && !wf_actor_is_registrar(ac))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "requests are the registrar's");
    if (strcmp(box, "todo") == 0) {
        f.todo_org = ac->org;
    } else if (strcmp(box, "mine") == 0) {
        f.started_org = ac->org;
    } else if (ac->level == CORE_LEVEL_SCHOOL) {
        f.school_like = ac->org;
    } else if (ac->level != CORE_LEVEL_MINISTRY) {
        char *like = app_arena_alloc(op->arena, 8);
        core_region_like(ac->org, like);
        f.authority_like = like;
    }
    return db_request_list(db, &f, op->arena, out, out_n, err);
}
