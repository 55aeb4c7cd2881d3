/*
 * api/h_lottery.c - closing a selection round and its published lottery
 * (issue 17, docs/decisions/0042): POST /schools/{code}/selection-rounds/
 * {id}/close (the registrar section) and GET .../draw (whoever sees the
 * university, its students included). Handlers check the path and call one
 * core/ function (core/draw.h).
 */
#include "api/handlers.h"
#include "api/registry.h"
#include "core/draw.h"

#include <stdlib.h>
#include <string.h>

/* The {code} and {id} of the path into c->data, else 404. 0 or -1. */
static int
path_round(api_call *c)
{
    const char *code = api_param(c, "code"), *id = api_param(c, "id");
    size_t n = code ? strlen(code) : 0;
    if (n != 10 || strspn(code, "0123456789") != n) {
        api_fail_code(c, APP_ENOTFOUND, "school_not_found", NULL);
        return -1;
    }
    n = id ? strlen(id) : 0;
    if (n == 0 || n > 18 || strspn(id, "0123456789") != n || atoll(id) <= 0) {
        api_fail_code(c, APP_ENOTFOUND, "round_not_found", NULL);
        return -1;
    }
    long long *v = app_arena_alloc(c->arena, sizeof(*v));
    *v = atoll(id);
    c->data = v;
    return 0;
}

static json_t *
str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int
job_close(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_lottery_round r;
    core_draw_counts k;
    int rc = core_draw_close(db, &op, api_param(c, "code"), *(long long *)c->data, &r, &k, &c->err);
    if (rc != 0)
        return rc;
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:i}", "id", (json_int_t)r.id, "school",
                  r.school, "term", r.term, "kind", r.kind, "state", r.state, "candidates",
                  k.candidates, "selected", k.selected, "not_selected", k.not_selected, "sections",
                  k.sections, "oversubscribed", k.oversubscribed);
    json_object_set_new(o, "closed_at", str_or_null(r.closed_at));
    json_object_set_new(o, "drawn_at", str_or_null(r.drawn_at));
    json_object_set_new(o, "commitment", str_or_null(r.commitment[0] ? r.commitment : NULL));
    json_object_set_new(o, "reveal", str_or_null(r.reveal[0] ? r.reveal : NULL));
    api_reply_json(c, 200, o);
    return 0;
}

void
h_round_close(api_call *c)
{
    if (path_round(c) == 0)
        api_submit(c, job_close);
}

static json_t *
section_json(const db_lottery_drawn *d)
{
    json_t *cands = json_array();
    for (int i = 0; i < d->n; i++)
        json_array_append_new(cands, json_pack("{s:s,s:i,s:b}", "student_no", d->student_nos[i],
                                               "rank", i + 1, "selected", i < d->free));
    int selected = d->n < d->free ? d->n : d->free;
    return json_pack("{s:I,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:o}", "section", (json_int_t)d->section,
                     "course_code", d->course_code, "course_name", d->course_name, "number",
                     d->number, "capacity", d->capacity, "free", d->free, "selected", selected,
                     "not_selected", d->n - selected, "candidates", cands);
}

static int
job_draw(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    core_draw_pub p;
    int rc = core_draw_get(db, &op, api_param(c, "code"), *(long long *)c->data, &p, &c->err);
    if (rc != 0)
        return rc;
    json_t *secs = json_array();
    for (int i = 0; i < p.n; i++)
        json_array_append_new(secs, section_json(&p.sections[i]));
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "round", (json_int_t)p.round.id, "school",
                  p.round.school, "term", p.round.term, "algorithm", p.algorithm, "commitment",
                  p.round.commitment, "reveal", p.round.reveal, "seed", p.seed);
    json_object_set_new(o, "closed_at", str_or_null(p.round.closed_at));
    json_object_set_new(o, "drawn_at", str_or_null(p.round.drawn_at));
    json_object_set_new(o, "sections", secs);
    api_reply_json(c, 200, o);
    return 0;
}

void
h_round_draw(api_call *c)
{
    if (path_round(c) == 0)
        api_submit(c, job_draw);
}
