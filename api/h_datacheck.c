/*
 * api/h_datacheck.c - the semester data check (数据质量核查, issue #15;
 * core/datacheck.h, docs/decisions/0031):
 *   GET  /schools/{code}/data-check?term=&issue=&limit=&cursor=
 *   POST /schools/{code}/data-check/sign-off {term}
 *   GET  /regions/{code}/data-check?term=&missing=school|authority&limit=&cursor=
 *   POST /regions/{code}/data-check/sign-off {term}
 * Handlers parse and submit; the jobs call one core/ function and reply.
 */
#include "api/api.h"
#include "api/handlers.h"
#include "api/registry.h"
#include "core/datacheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct dc_args {
    const char *term;
    unsigned want; /* issues (school) */
    int missing;   /* 0, 1 school, 2 authority (region) */
    int limit;
    long long after;
} dc_args;

/* ?term= (required), or -1 answered 422 invalid_term. */
static int
query_term(api_call *c, dc_args *a)
{
    a->term = api_query(c, "term");
    if (!core_term_valid(a->term)) {
        api_fail_code(c, APP_EINVAL, "invalid_term", "/query/term");
        return -1;
    }
    return 0;
}

/* The body's term, or -1 answered. */
static int
body_term(api_call *c, dc_args *a)
{
    if ((a->term = api_body_string(c, "term", 1)) == NULL)
        return -1;
    if (!core_term_valid(a->term)) {
        api_fail_code(c, APP_EINVAL, "invalid_term", "/term");
        return -1;
    }
    return 0;
}

static json_t *
signoff_json(const db_dc_signoff *s)
{
    if (s == NULL)
        return json_null();
    json_t *counts = json_loads(s->counts, 0, NULL);
    return json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:o}", "school", s->school, "term", s->term, "level",
                     s->level, "org", s->org, "signed_by", (json_int_t)s->by_user, "signed_at",
                     s->at, "counts", counts ? counts : json_object());
}

/* ---------------------------------------------------------------- GET /schools/{code}/data-check
 */

static json_t *
dc_counts_json(const db_dc_counts *k)
{
    json_t *fields = json_array();
    for (int i = 0; i < k->nfields; i++) {
        int f = k->field_index[i];
        char p[64];
        if (f < 0 || f >= CORE_NFIELDS)
            continue;
        core_field_pointer(f, p, sizeof(p));
        char title[96];
        core_field_title(f, title, sizeof(title));
        json_array_append_new(fields, json_pack("{s:s,s:s,s:I}", "field", p, "label", title,
                                                "count", (json_int_t)k->field_cnt[i]));
    }
    return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:o}", "students", (json_int_t)k->students,
                     "with_issues", (json_int_t)k->with_issues, "missing_fields",
                     (json_int_t)k->missing, "duplicate", (json_int_t)k->duplicate, "no_photo",
                     (json_int_t)k->no_photo, "not_checked_in", (json_int_t)k->not_checked_in,
                     "missing_by_field", fields);
}

static json_t *
dc_item_json(const db_dc_item *it)
{
    json_t *issues = json_array(), *missing = json_array();
    for (unsigned b = 1; b <= DB_DC_NOT_IN; b <<= 1)
        if (it->issues & b)
            json_array_append_new(issues, json_string(core_datacheck_issue_name(b)));
    for (int i = 0; i < it->nmissing; i++) {
        char p[64];
        if (it->missing[i] < 0 || it->missing[i] >= CORE_NFIELDS)
            continue;
        core_field_pointer(it->missing[i], p, sizeof(p));
        json_array_append_new(missing, json_string(p));
    }
    char grade[8], cls[8];
    snprintf(grade, sizeof(grade), "%d", it->grade);
    snprintf(cls, sizeof(cls), "%d", it->class_no);
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:o,s:o}", "id", (json_int_t)it->id,
                     "student_number", it->student_number, "name", it->name, "state", it->state,
                     "grade", grade, "class", it->class_no, "issues", issues, "missing_fields",
                     missing);
}

static int
job_dc_get(api_call *c, db_conn *db)
{
    dc_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_datacheck d;
    int rc = core_datacheck_get(db, &op, api_param(c, "code"), a->term, a->want, a->after, a->limit,
                                &d, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    json_t *items = json_array();
    for (int i = 0; i < d.nitems; i++)
        json_array_append_new(items, dc_item_json(&d.items[i]));
    json_t *next = json_null();
    if (d.more && d.nitems > 0) {
        char cur[24];
        snprintf(cur, sizeof(cur), "%lld", d.items[d.nitems - 1].id);
        json_decref(next);
        next = json_string(cur);
    }
    api_reply_json(c, 200,
                   json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "school", api_param(c, "code"),
                             "term", a->term, "counts", dc_counts_json(&d.counts), "sign_off",
                             signoff_json(d.signoff), "authority_sign_off",
                             signoff_json(d.approval), "items", items, "next_cursor", next));
    return 0;
}

/* ?issue=a,b (names of core/datacheck.h), or -1 answered. */
static int
query_issues(api_call *c, dc_args *a)
{
    const char *v = api_query(c, "issue");
    a->want = 0;
    if (v == NULL || *v == '\0')
        return 0;
    for (const char *p = v;;) {
        size_t len = strcspn(p, ",");
        unsigned bit = core_datacheck_issue(p, len);
        if (bit == 0) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/issue");
            return -1;
        }
        a->want |= bit;
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

static int
school_code(api_call *c)
{
    const char *code = api_param(c, "code");
    if (code == NULL || strlen(code) != 10 || !api_digits_only(code, 10)) {
        api_fail_code(c, APP_ENOTFOUND, "school_not_found", NULL);
        return -1;
    }
    return 0;
}

void
h_school_data_check(api_call *c)
{
    dc_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    if (school_code(c) != 0 || query_term(c, a) != 0 || query_issues(c, a) != 0 ||
        api_list_limit(c, &a->limit) != 0 || api_list_after(c, "cursor", &a->after) != 0)
        return;
    c->data = a;
    api_submit(c, job_dc_get);
}

/* ---------------------------------------------------------------- POST
 * /schools/{code}/data-check/sign-off */

static int
job_dc_sign_school(api_call *c, db_conn *db)
{
    dc_args *a = c->data;
    core_op op;
    api_op(c, &op);
    db_dc_signoff s;
    int fresh = 0;
    int rc =
        core_datacheck_sign_school(db, &op, api_param(c, "code"), a->term, &s, &fresh, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    json_t *j = signoff_json(&s);
    json_object_set_new(j, "created", json_boolean(fresh));
    api_reply_json(c, 200, j); /* the same status the second time: idempotent */
    return 0;
}

void
h_school_data_check_sign(api_call *c)
{
    dc_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    if (school_code(c) != 0 || body_term(c, a) != 0)
        return;
    c->data = a;
    api_submit(c, job_dc_sign_school);
}

/* ---------------------------------------------------------------- /regions/{code}/data-check */

static int
region_code(api_call *c)
{
    if (!api_six_digits(api_param(c, "code"))) {
        api_fail_code(c, APP_ENOTFOUND, "region_not_found", NULL);
        return -1;
    }
    return 0;
}

static int
job_dc_region(api_call *c, db_conn *db)
{
    dc_args *a = c->data;
    core_op op;
    api_op(c, &op);
    char after[24] = "";
    if (a->after > 0)
        snprintf(after, sizeof(after), "%010lld", a->after);
    db_dc_region_counts k;
    db_dc_school_row *rows;
    int n = 0, more = 0;
    int rc = core_datacheck_region(db, &op, api_param(c, "code"), a->term, a->missing, after,
                                   a->limit, &k, &rows, &n, &more, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(
            items, json_pack("{s:s,s:s,s:s,s:s,s:o,s:o}", "school", rows[i].code, "name",
                             rows[i].name, "county", rows[i].county, "authority", rows[i].authority,
                             "sign_off", signoff_json(rows[i].school_signoff), "authority_sign_off",
                             signoff_json(rows[i].authority_signoff)));
    json_t *next = more && n > 0 ? json_string(rows[n - 1].code) : json_null();
    api_reply_json(c, 200,
                   json_pack("{s:s,s:s,s:{s:I,s:I,s:I,s:I,s:I},s:o,s:o}", "region",
                             api_param(c, "code"), "term", a->term, "counts", "schools",
                             (json_int_t)k.schools, "school_signed", (json_int_t)k.school_signed,
                             "school_pending", (json_int_t)(k.schools - k.school_signed),
                             "authority_signed", (json_int_t)k.authority_signed,
                             "authority_pending", (json_int_t)(k.schools - k.authority_signed),
                             "items", items, "next_cursor", next));
    return 0;
}

void
h_region_data_check(api_call *c)
{
    dc_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    if (region_code(c) != 0 || query_term(c, a) != 0 || api_list_limit(c, &a->limit) != 0 ||
        api_list_after(c, "cursor", &a->after) != 0)
        return;
    const char *m = api_query(c, "missing");
    if (m != NULL && *m != '\0') {
        a->missing = strcmp(m, "school") == 0 ? 1 : strcmp(m, "authority") == 0 ? 2 : -1;
        if (a->missing < 0) {
            api_fail_code(c, APP_EINVAL, "invalid_parameter", "/query/missing");
            return;
        }
    }
    c->data = a;
    api_submit(c, job_dc_region);
}

static int
job_dc_sign_region(api_call *c, db_conn *db)
{
    dc_args *a = c->data;
    core_op op;
    api_op(c, &op);
    db_dc_authority_result r;
    int rc = core_datacheck_sign_region(db, &op, api_param(c, "code"), a->term, &r, &c->err);
    if (rc != 0)
        return api_fail_core(c, rc);
    api_reply_json(c, 200,
                   json_pack("{s:s,s:s,s:i,s:i,s:i,s:i}", "region", api_param(c, "code"), "term",
                             a->term, "schools", r.schools, "signed_off", r.signed_now,
                             "already_signed_off", r.already, "pending", r.pending));
    return 0;
}

void
h_region_data_check_sign(api_call *c)
{
    dc_args *a = app_arena_alloc(c->arena, sizeof(*a));
    memset(a, 0, sizeof(*a));
    if (region_code(c) != 0 || body_term(c, a) != 0)
        return;
    c->data = a;
    api_submit(c, job_dc_sign_region);
}
