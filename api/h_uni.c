/*
 * api/h_uni.c - universities (docs/decisions/0032): colleges, majors,
 * cohorts, administrative classes, university students and their accounts,
 * the teaching calendar, and what a signed-in student reads of their own.
 * Handlers check the shape and call one core/ function (core/uni.h,
 * core/uni_calendar.h, core/uni_student.h).
 */
#include "api/auth.h"
#include "api/handlers.h"
#include "api/registry.h"
#include "api/uni.h"
#include "base/jw.h"
#include "core/uni.h"
#include "core/uni_calendar.h"
#include "core/uni_student.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared ---- */

/* The {code} of the path: ten digits, else 404 school_not_found. */
static const char *
path_code(api_call *c)
{
    const char *code = api_param(c, "code");
    size_t n = code ? strlen(code) : 0;
    int ok = n == 10;
    for (size_t i = 0; ok && i < n; i++)
        ok = code[i] >= '0' && code[i] <= '9';
    if (!ok) {
        api_fail_code(c, APP_ENOTFOUND, "school_not_found", NULL);
        return NULL;
    }
    return code;
}

static int
body_object(api_call *c)
{
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return -1;
    }
    return 0;
}

/* A string member: NULL when absent or null; wrong_type added when not a string. */
static const char *
str_member(api_call *c, app_err *e, const char *name, int required)
{
    json_t *v = json_object_get(c->json, name);
    char p[64];
    snprintf(p, sizeof(p), "/%s", name);
    if (v == NULL || json_is_null(v)) {
        if (required)
            app_err_add(e, p, "missing_field", NULL);
        return NULL;
    }
    if (!json_is_string(v)) {
        app_err_add(e, p, "wrong_type", NULL);
        return NULL;
    }
    return json_string_value(v);
}

/* An integer member: 0 when absent or null; wrong_type added when not an integer. */
static long long
int_member(api_call *c, app_err *e, const char *name, int required)
{
    json_t *v = json_object_get(c->json, name);
    char p[64];
    snprintf(p, sizeof(p), "/%s", name);
    if (v == NULL || json_is_null(v)) {
        if (required)
            app_err_add(e, p, "missing_field", NULL);
        return 0;
    }
    if (!json_is_integer(v)) {
        app_err_add(e, p, "wrong_type", NULL);
        return 0;
    }
    return json_integer_value(v);
}

/* "YYYY-MM-DD" -> YYYYMMDD; 0 when absent; -1 (item added) when malformed. */
static int
date_member(api_call *c, app_err *e, const char *name)
{
    const char *s = str_member(c, e, name, 0);
    if (s == NULL)
        return 0;
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 ||
        d < 1 || d > 31) {
        char p[64];
        snprintf(p, sizeof(p), "/%s", name);
        app_err_add(e, p, "invalid_date", NULL);
        return -1;
    }
    return y * 10000 + m * 100 + d;
}

static json_t *
date_json(int ymd)
{
    if (ymd <= 0)
        return json_null();
    return json_sprintf("%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* A query parameter of digits (0 when absent); -1 with 400 failed when bad. */
static long long
query_id(api_call *c, const char *name)
{
    const char *s = api_query(c, name);
    if (s == NULL || *s == '\0')
        return 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0' || v <= 0 || v > 999999999999LL) {
        char p[64];
        snprintf(p, sizeof(p), "/query/%s", name);
        api_fail_code(c, APP_EINVAL, "invalid_parameter", p);
        return -1;
    }
    return v;
}

static int
submit_body(api_call *c, app_err *e, void *data, api_job_fn fn)
{
    if (api_fail_items(e) != 0) {
        api_fail(c, e);
        return -1;
    }
    c->data = data;
    api_submit(c, fn);
    return 0;
}

/* ---- JSON of the structure ---- */

static json_t *
college_json(const db_uni_college *k)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:b}", "id", (json_int_t)k->id, "school", k->school, "code",
                     k->code, "name", k->name, "is_pe", k->is_pe);
}

static const char *
level_label(const char *level)
{
    return level && strcmp(level, "junior") == 0 ? "专科" : "本科";
}

static json_t *
major_json(const db_uni_major *m)
{
    return json_pack("{s:I,s:s,s:I,s:s,s:s,s:s,s:s,s:i}", "id", (json_int_t)m->id, "school",
                     m->school, "college", (json_int_t)m->college, "code", m->code, "name", m->name,
                     "level", m->level, "level_label", level_label(m->level), "years", m->years);
}

static json_t *
class_json(const db_uni_class *k)
{
    return json_pack("{s:I,s:s,s:I,s:I,s:i,s:i,s:s}", "id", (json_int_t)k->id, "school", k->school,
                     "major", (json_int_t)k->major, "college", (json_int_t)k->college, "cohort",
                     k->cohort, "number", k->number, "name", k->name);
}

static json_t *
place_json(const core_uni_place *p)
{
    const core_env *env = api_env();
    const db_uni_student *st = &p->st;
    json_t *o = json_pack("{s:s,s:I,s:s,s:I,s:s,s:i,s:I,s:s,s:s,s:s,s:s}", "student_no",
                          st->student_no, "college", (json_int_t)st->college, "college_name",
                          p->college.name ? p->college.name : "", "major", (json_int_t)st->major,
                          "major_name", p->major.name ? p->major.name : "", "cohort", st->cohort,
                          "class_id", (json_int_t)st->class_id, "class_name",
                          p->cls.name ? p->cls.name : "", "level", st->level, "level_label",
                          level_label(st->level), "state", st->state);
    const char *sl = core_codes_label(env->codes, "uni_student_state", st->state);
    json_object_set_new(o, "state_label", sl ? json_string(sl) : json_null());
    json_object_set_new(o, "entry_date", date_json(st->entry_date));
    json_object_set_new(o, "expected_graduation", date_json(st->expected_graduation));
    json_object_set_new(o, "suspended_until", date_json(st->suspended_until));
    json_object_set_new(o, "sitting_in_major",
                        st->sitting_in_major ? json_integer(st->sitting_in_major) : json_null());
    json_object_set_new(o, "sitting_in_class",
                        st->sitting_in_class ? json_integer(st->sitting_in_class) : json_null());
    json_object_set_new(o, "version", json_integer(st->version));
    return o;
}

/* The student record (API.md's fields) with its university part. */
static json_t *
uni_student_json(api_call *c, const core_uni_student *s)
{
    jw w;
    jw_init(&w, c->arena);
    api_student_write(&w, &s->base);
    json_t *o = json_loads(jw_text(&w, NULL), 0, NULL);
    if (o == NULL)
        o = json_object();
    json_object_set_new(o, "university", place_json(&s->place));
    return o;
}

int
api_uni_me_json(api_call *c, db_conn *db, const core_op *op, json_t *me)
{
    core_uni_student s;
    int rc = core_uni_me(db, op, &s, &c->err);
    if (rc != 0)
        return rc;
    json_object_set_new(me, "student", uni_student_json(c, &s));
    return 0;
}

/* ---- colleges ---- */

static int
job_colleges_list(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_uni_college *v;
    int n = 0;
    int rc = core_uni_college_list(db, &op, api_param(c, "code"), &v, &n, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, college_json(&v[i]));
    api_reply_json(c, 200, json_pack("{s:o}", "items", items));
    return 0;
}

void
h_uni_colleges_list(api_call *c)
{
    if (path_code(c) != NULL)
        api_submit(c, job_colleges_list);
}

static int
job_college_create(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_uni_college out;
    int rc = core_uni_college_create(db, &op, api_param(c, "code"), c->data, &out, &c->err);
    if (rc == 0)
        api_reply_json(c, 201, college_json(&out));
    return rc;
}

void
h_uni_college_create(api_call *c)
{
    if (path_code(c) == NULL || body_object(c) != 0)
        return;
    app_err e = {0};
    core_uni_college_new *k = app_arena_alloc(c->arena, sizeof(*k));
    k->code = str_member(c, &e, "code", 1);
    k->name = str_member(c, &e, "name", 1);
    json_t *pe = json_object_get(c->json, "is_pe");
    if (pe != NULL && !json_is_null(pe) && !json_is_boolean(pe))
        app_err_add(&e, "/is_pe", "wrong_type", NULL);
    k->is_pe = json_is_true(pe);
    submit_body(c, &e, k, job_college_create);
}

/* ---- majors ---- */

static int
job_majors_list(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_uni_major *v;
    int n = 0;
    long long college = *(long long *)c->data;
    int rc = core_uni_major_list(db, &op, api_param(c, "code"), college, &v, &n, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, major_json(&v[i]));
    api_reply_json(c, 200, json_pack("{s:o}", "items", items));
    return 0;
}

void
h_uni_majors_list(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    long long *college = app_arena_alloc(c->arena, sizeof(*college));
    if ((*college = query_id(c, "college")) < 0)
        return;
    c->data = college;
    api_submit(c, job_majors_list);
}

static int
job_major_create(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_uni_major out;
    int rc = core_uni_major_create(db, &op, api_param(c, "code"), c->data, &out, &c->err);
    if (rc == 0)
        api_reply_json(c, 201, major_json(&out));
    return rc;
}

void
h_uni_major_create(api_call *c)
{
    if (path_code(c) == NULL || body_object(c) != 0)
        return;
    app_err e = {0};
    core_uni_major_new *m = app_arena_alloc(c->arena, sizeof(*m));
    m->college = int_member(c, &e, "college", 1);
    m->code = str_member(c, &e, "code", 1);
    m->name = str_member(c, &e, "name", 1);
    m->level = str_member(c, &e, "level", 1);
    m->years = (int)int_member(c, &e, "years", 1);
    submit_body(c, &e, m, job_major_create);
}

/* ---- cohorts and classes ---- */

static int
job_cohorts_list(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    int *v, n = 0;
    int rc = core_uni_cohort_list(db, &op, api_param(c, "code"), &v, &n, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, json_pack("{s:i}", "year", v[i]));
    api_reply_json(c, 200, json_pack("{s:o}", "items", items));
    return 0;
}

void
h_uni_cohorts_list(api_call *c)
{
    if (path_code(c) != NULL)
        api_submit(c, job_cohorts_list);
}

typedef struct class_query {
    long long major, cohort;
} class_query;

static int
job_classes_list(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    const class_query *q = c->data;
    db_uni_class *v;
    int n = 0;
    int rc = core_uni_class_list(db, &op, api_param(c, "code"), q->major, (int)q->cohort, &v, &n,
                                 &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, class_json(&v[i]));
    api_reply_json(c, 200, json_pack("{s:o}", "items", items));
    return 0;
}

void
h_uni_classes_list(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    class_query *q = app_arena_alloc(c->arena, sizeof(*q));
    if ((q->major = query_id(c, "major")) < 0 || (q->cohort = query_id(c, "cohort")) < 0)
        return;
    c->data = q;
    api_submit(c, job_classes_list);
}

static int
job_class_create(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_uni_class out;
    int rc = core_uni_class_create(db, &op, api_param(c, "code"), c->data, &out, &c->err);
    if (rc == 0)
        api_reply_json(c, 201, class_json(&out));
    return rc;
}

void
h_uni_class_create(api_call *c)
{
    if (path_code(c) == NULL || body_object(c) != 0)
        return;
    app_err e = {0};
    core_uni_class_new *k = app_arena_alloc(c->arena, sizeof(*k));
    k->major = int_member(c, &e, "major", 1);
    k->cohort = (int)int_member(c, &e, "cohort", 1);
    k->number = (int)int_member(c, &e, "number", 1);
    k->name = str_member(c, &e, "name", 0);
    submit_body(c, &e, k, job_class_create);
}

/* ---- university students ---- */

typedef struct student_args {
    core_record rec;
    unsigned char present[CORE_NFIELDS];
    core_uni_student_new in;
} student_args;

static int
job_student_create(api_call *c, db_conn *db)
{
    student_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_uni_student out;
    int rc = core_uni_student_create(db, &op, api_param(c, "code"), &a->rec, &a->in, &out, &c->err);
    if (rc == 0)
        api_reply_json(c, 201, uni_student_json(c, &out));
    return rc;
}

/* The body: the record's fields (as POST /students) and student_no,
   class_id, entry_date, expected_graduation. */
void
h_uni_student_create(api_call *c)
{
    if (path_code(c) == NULL || body_object(c) != 0)
        return;
    app_err e = {0};
    student_args *a = app_arena_alloc(c->arena, sizeof(*a));
    a->in.student_no = str_member(c, &e, "student_no", 1);
    a->in.class_id = int_member(c, &e, "class_id", 1);
    a->in.entry_date = date_member(c, &e, "entry_date");
    a->in.expected_graduation = date_member(c, &e, "expected_graduation");
    static const char *const own[] = {"student_no", "class_id", "entry_date", "expected_graduation",
                                      "grade",      "class",    NULL};
    json_t *whole = c->json, *rec = json_copy(whole);
    for (int i = 0; own[i]; i++)
        json_object_del(rec, own[i]);
    c->json = rec;
    api_record_from_json(c, &a->rec, a->present, &e);
    c->json = whole;
    json_decref(rec);
    submit_body(c, &e, a, job_student_create);
}

static int
job_student_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    core_uni_student out;
    int rc = core_uni_student_get(db, &op, api_param(c, "code"), api_param(c, "no"), &out, &c->err);
    if (rc == 0)
        api_reply_json(c, 200, uni_student_json(c, &out));
    return rc;
}

void
h_uni_student_get(api_call *c)
{
    if (path_code(c) != NULL)
        api_submit(c, job_student_get);
}

typedef struct students_query {
    long long college, class_id, after;
    int limit;
} students_query;

static int
job_students_list(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    const students_query *q = c->data;
    core_uni_student *v;
    int n = 0;
    int rc = core_uni_student_list(db, &op, api_param(c, "code"), q->college, q->class_id, q->after,
                                   q->limit + 1, &v, &n, &c->err);
    if (rc != 0)
        return rc;
    int more = n > q->limit;
    if (more)
        n = q->limit;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, uni_student_json(c, &v[i]));
    json_t *o = json_pack("{s:o}", "items", items);
    json_object_set_new(o, "next_cursor",
                        more ? json_sprintf("%lld", v[n - 1].base.id) : json_null());
    api_reply_json(c, 200, o);
    return 0;
}

void
h_uni_students_list(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    students_query *q = app_arena_alloc(c->arena, sizeof(*q));
    if ((q->college = query_id(c, "college")) < 0 || (q->class_id = query_id(c, "class_id")) < 0 ||
        api_list_after(c, "cursor", &q->after) != 0 || api_list_limit(c, &q->limit) != 0)
        return;
    c->data = q;
    api_submit(c, job_students_list);
}

static int
job_account_create(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    long long id = 0;
    char pw[CORE_PASSWORD_GEN_LEN + 1];
    const char *no = api_param(c, "no");
    int rc = core_uni_account_create(db, &op, api_param(c, "code"), no, &id, pw, &c->err);
    if (rc != 0)
        return rc;
    api_header(c, "cache-control", "no-store");
    api_reply_json(c, 201,
                   json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)id, "username", no, "role",
                             "student", "org", api_param(c, "code"), "one_time_password", pw));
    sodium_memzero(pw, sizeof(pw));
    return 0;
}

void
h_uni_account_create(api_call *c)
{
    if (path_code(c) != NULL)
        api_submit(c, job_account_create);
}

static int
job_class_accounts(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    core_uni_new_account *v = NULL;
    int n = 0;
    long long id = *(long long *)c->data;
    int rc = core_uni_accounts_for_class(db, &op, api_param(c, "code"), id, &v, &n, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    int made = 0;
    for (int i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s,s:b}", "username", v[i].student_no, "skipped", v[i].skipped);
        if (!v[i].skipped) {
            made++;
            json_object_set_new(o, "id", json_integer(v[i].user_id));
            json_object_set_new(o, "one_time_password", json_string(v[i].one_time_password));
        }
        sodium_memzero(v[i].one_time_password, sizeof(v[i].one_time_password));
        json_array_append_new(items, o);
    }
    api_header(c, "cache-control", "no-store");
    api_reply_json(c, 201, json_pack("{s:i,s:o}", "created", made, "items", items));
    return 0;
}

void
h_uni_class_accounts(api_call *c)
{
    if (path_code(c) == NULL)
        return;
    const char *p = api_param(c, "id");
    char *end;
    long long *id = app_arena_alloc(c->arena, sizeof(*id));
    *id = p ? strtoll(p, &end, 10) : 0;
    if (p == NULL || *end != '\0' || *id <= 0) {
        api_fail_code(c, APP_EINVAL, "class_not_found", "/class_id");
        return;
    }
    c->data = id;
    api_submit(c, job_class_accounts);
}

/* ---- the teaching calendar ---- */

static json_t *
term_json(const db_uni_term *t)
{
    json_t *o =
        json_pack("{s:s,s:i,s:i}", "term", t->term, "weeks", t->weeks, "version", t->version);
    json_object_set_new(o, "first_day", date_json(t->first_day));
    return o;
}

static int
job_calendar_get(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    db_uni_term *v;
    int n = 0;
    int rc = core_uni_term_list(db, &op, api_param(c, "code"), &v, &n, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(items, term_json(&v[i]));
    json_t *o = json_pack("{s:o}", "terms", items);
    /* today's term and teaching week, when a term has begun */
    const char *cur = NULL;
    int week = 0;
    for (int i = n - 1; i >= 0 && cur == NULL; i--)
        if (v[i].first_day <= op.today) {
            cur = v[i].term;
            week = core_teaching_week(v[i].first_day, op.today);
        }
    json_object_set_new(o, "today", date_json(op.today));
    json_object_set_new(o, "current_term", cur ? json_string(cur) : json_null());
    json_object_set_new(o, "teaching_week", cur ? json_integer(week) : json_null());
    api_reply_json(c, 200, o);
    return 0;
}

void
h_uni_calendar_get(api_call *c)
{
    if (path_code(c) != NULL)
        api_submit(c, job_calendar_get);
}

typedef struct term_args {
    int first_day, weeks;
} term_args;

static int
job_term_put(api_call *c, db_conn *db)
{
    const term_args *a = c->data;
    core_op op;
    api_op(c, &op);
    db_uni_term out;
    int rc = core_uni_term_set(db, &op, api_param(c, "code"), api_param(c, "term"), a->first_day,
                               a->weeks, &out, &c->err);
    if (rc == 0)
        api_reply_json(c, 200, term_json(&out));
    return rc;
}

void
h_uni_term_put(api_call *c)
{
    if (path_code(c) == NULL || body_object(c) != 0)
        return;
    app_err e = {0};
    term_args *a = app_arena_alloc(c->arena, sizeof(*a));
    a->first_day = date_member(c, &e, "first_day");
    if (a->first_day == 0 && json_object_get(c->json, "first_day") == NULL)
        app_err_add(&e, "/first_day", "missing_field", NULL);
    json_t *w = json_object_get(c->json, "weeks");
    a->weeks = w == NULL || json_is_null(w) ? 20 : (int)int_member(c, &e, "weeks", 0);
    submit_body(c, &e, a, job_term_put);
}

/* ---- GET /me/requests ---- */

static int
job_me_requests(api_call *c, db_conn *db)
{
    core_op op;
    api_op(c, &op);
    if (c->actor.student_id == 0) /* h_me_requests refused them already */
        return app_err_set(&c->err, APP_EFORBIDDEN, "forbidden", NULL);
    char key[24];
    snprintf(key, sizeof(key), "%lld", c->actor.student_id);
    db_history *h;
    core_request *q;
    int nh = 0, nq = 0;
    int rc = core_student_history(db, &op, key, 0, 1, &h, &nh, &q, &nq, &c->err);
    if (rc != 0)
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < nq; i++)
        json_array_append_new(items, api_request_json(&q[i]));
    api_reply_json(c, 200, json_pack("{s:o}", "items", items));
    return 0;
}

void
h_me_requests(api_call *c)
{
    if (c->actor.student_id == 0) {
        api_fail_code(c, APP_EFORBIDDEN, "forbidden", NULL);
        return;
    }
    api_submit(c, job_me_requests);
}

/* ---- what a student may call ---- */

int
api_student_route(const api_route *route)
{
    static const struct {
        int method;
        const char *pattern;
    } allowed[] = {
        {API_GET, "/api/v1/me"},
        {API_PUT, "/api/v1/me/password"},
        {API_GET, "/api/v1/me/requests"},
        {API_GET, "/api/v1/students/{key}"},
        {API_GET, "/api/v1/students/{key}/history"},
        {API_GET, "/api/v1/students/{key}/photo"},
        {API_GET, "/api/v1/schools/{code}/colleges"},
        {API_GET, "/api/v1/schools/{code}/majors"},
        {API_GET, "/api/v1/schools/{code}/cohorts"},
        {API_GET, "/api/v1/schools/{code}/uni-classes"},
        {API_GET, "/api/v1/schools/{code}/uni-students/{no}"},
        {API_GET, "/api/v1/schools/{code}/calendar"},
        /* the catalog, plans and sections (api/h_catalog.c, issue 17) */
        {API_GET, "/api/v1/schools/{code}/courses"},
        {API_GET, "/api/v1/schools/{code}/courses/{course}"},
        {API_GET, "/api/v1/schools/{code}/plans/{major}/{cohort}"},
        {API_GET, "/api/v1/schools/{code}/sections"},
        {API_GET, "/api/v1/schools/{code}/sections/{id}"},
        {API_GET, "/api/v1/requests/{id}"},
        {API_GET, "/api/v1/requests/{id}/notice.pdf"}, /* their own notices (issue 16) */
        /* their status changes (docs/decisions/0033): start, evidence, withdraw, resubmit */
        {API_POST, "/api/v1/requests"},
        {API_POST, "/api/v1/files"},
        {API_POST, "/api/v1/requests/{id}/actions"},
        /* their grades (docs/decisions/0043) */
        {API_GET, "/api/v1/me/grades"},
        {API_GET, "/api/v1/schools/{code}/uni-students/{no}/grades"},
        /* the published lottery of a selection round (issue 17, docs/decisions/0042) */
        {API_GET, "/api/v1/schools/{code}/selection-rounds/{id}/draw"},
        /* course selection, by the student in person (docs/decisions/0041) */
        {API_GET, "/api/v1/schools/{code}/selection-rounds"},
        {API_GET, "/api/v1/schools/{code}/selection-rounds/{id}"},
        {API_GET, "/api/v1/me/sections"},
        {API_GET, "/api/v1/me/selections"},
        {API_POST, "/api/v1/me/selections"},
        {API_DELETE, "/api/v1/me/selections/{section}"},
    };
    if (!(route->flags & API_ROUTE_AUTH))
        return 1;
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (route->method == allowed[i].method && strcmp(route->pattern, allowed[i].pattern) == 0)
            return 1;
    return 0;
}
