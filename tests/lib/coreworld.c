/*
 * tests/lib/coreworld.c - the world of the core/ and workflow/ integration
 * suites (see coreworld.h). Every call into core/ and workflow/ of those
 * suites is made here.
 */
#include "tests/lib/coreworld.h"

#include "core/calendar.h"
#include "core/demo.h"
#include "core/env.h"
#include "core/idnum.h"
#include "core/photo.h"
#include "core/problem.h"
#include "db/migrate.h"
#include "db/problem.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ the world */

static const struct cw_school {
    const char *code, *county, *system;
    int category;
} schools[] = {
    {CW_A, "430102", "63", 21}, {CW_B, "430102", "63", 21}, {CW_C, "430103", "63", 21},
    {CW_D, "430102", "63", 21}, {CW_H, "430102", "63", 34}, {CW_J, "360102", "63", 21},
    {CW_X, "430102", "63", 21},
};

static const char SEED_SQL[] =
    "INSERT INTO school (code, name, county, authority, province, category, closed) VALUES"
    " ('" CW_A "', '核心测试芙蓉第一小学', '430102', '430102', '430000', 21, false),"
    " ('" CW_B "', '核心测试芙蓉第二小学', '430102', '430102', '430000', 21, false),"
    " ('" CW_C "', '核心测试天心小学', '430103', '430103', '430000', 21, false),"
    " ('" CW_D "', '核心测试长沙市直属小学', '430102', '430100', '430000', 21, false),"
    " ('" CW_H "', '核心测试芙蓉高级中学', '430102', '430102', '430000', 34, false),"
    " ('" CW_J "', '核心测试东湖小学', '360102', '360102', '360000', 21, false),"
    " ('" CW_X "', '核心测试已撤并小学', '430102', '430102', '430000', 21, true);"
    "INSERT INTO class (school, grade, number, name, size_limit) VALUES"
    " ('" CW_A "', 11, 1, '一年级(1)班', NULL), ('" CW_A "', 13, 1, '三年级(1)班', NULL),"
    " ('" CW_A "', 13, 2, '三年级(2)班', 1), ('" CW_A "', 14, 1, '四年级(1)班', NULL),"
    " ('" CW_A "', 16, 1, '六年级(1)班', NULL), ('" CW_B "', 13, 1, '三年级(1)班', NULL),"
    " ('" CW_B "', 13, 2, '三年级(2)班', NULL), ('" CW_B "', 16, 1, '六年级(1)班', NULL),"
    " ('" CW_C "', 13, 1, '三年级(1)班', NULL), ('" CW_D "', 13, 1, '三年级(1)班', NULL),"
    " ('" CW_H "', 31, 1, '高一(1)班', NULL), ('" CW_H "', 33, 1, '高三(1)班', NULL),"
    " ('" CW_J "', 13, 1, '三年级(1)班', NULL), ('" CW_X "', 13, 1, '三年级(1)班', NULL)";

static const struct cw_cast {
    core_level level;
    const char *org;
    core_staff_role staff;
} cast[CW_NACTORS] = {
    [CW_REG_A] = {CORE_LEVEL_SCHOOL, CW_A, CORE_STAFF_REGISTRAR},
    [CW_REG_B] = {CORE_LEVEL_SCHOOL, CW_B, CORE_STAFF_REGISTRAR},
    [CW_REG_C] = {CORE_LEVEL_SCHOOL, CW_C, CORE_STAFF_REGISTRAR},
    [CW_REG_D] = {CORE_LEVEL_SCHOOL, CW_D, CORE_STAFF_REGISTRAR},
    [CW_REG_H] = {CORE_LEVEL_SCHOOL, CW_H, CORE_STAFF_REGISTRAR},
    [CW_REG_J] = {CORE_LEVEL_SCHOOL, CW_J, CORE_STAFF_REGISTRAR},
    [CW_REG_X] = {CORE_LEVEL_SCHOOL, CW_X, CORE_STAFF_REGISTRAR},
    [CW_TEACHER_A] = {CORE_LEVEL_SCHOOL, CW_A, CORE_STAFF_HEAD_TEACHER},
    [CW_FURONG] = {CORE_LEVEL_COUNTY, "430102", CORE_STAFF_NONE},
    [CW_TIANXIN] = {CORE_LEVEL_COUNTY, "430103", CORE_STAFF_NONE},
    [CW_CHANGSHA] = {CORE_LEVEL_CITY, "430100", CORE_STAFF_NONE},
    [CW_HUNAN] = {CORE_LEVEL_PROVINCE, "430000", CORE_STAFF_NONE},
    [CW_DONGHU] = {CORE_LEVEL_COUNTY, "360102", CORE_STAFF_NONE},
    [CW_JIANGXI] = {CORE_LEVEL_PROVINCE, "360000", CORE_STAFF_NONE},
    [CW_MINISTRY] = {CORE_LEVEL_MINISTRY, "000000", CORE_STAFF_NONE},
};

static char tmpl[64];       /* the template database (the runner's pid) */
static char dbname[64];     /* this test's database */
static core_codes *codes;   /* the runner's, inherited by each fork */
static core_pii_ring *ring; /* one random data key */
static core_env env;
static struct timespec started;

static db_conn *conn;      /* per test */
static app_arena *arena;   /* per test */
static core_demo_ids *ids; /* per test */
static core_actor actors[CW_NACTORS];
static core_op ops[CW_NACTORS];
static int today_override;

/* The runner has no test to fail: it says why and exits. */
static int in_test;
#define must(cond, ...)                                                                            \
    do {                                                                                           \
        if (in_test) {                                                                             \
            ck_assert_msg(cond, __VA_ARGS__);                                                      \
        } else if (!(cond)) {                                                                      \
            fprintf(stderr, "coreworld: " __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                                   \
            exit(2);                                                                               \
        }                                                                                          \
    } while (0)

/* The test URL with its database name replaced. */
static const char *
url_for(const char *name)
{
    const char *base = getenv("XUEJI_TEST_DATABASE_URL");
    must(base != NULL, "XUEJI_TEST_DATABASE_URL is not set");
    const char *at = strstr(base, "@/");
    const char *q = strchr(base, '?');
    must(at != NULL && q != NULL, "unexpected URL form: %s", base);
    static char buf[1024];
    snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at + 2 - base), base, name, q);
    return buf;
}

static db_conn *
connect_to(const char *name)
{
    app_err err = {0};
    db_conn *c = db_conn_open(url_for(name), &err);
    must(db_conn_ok(c), "connect %s: %s", name, err.detail);
    return c;
}

static void
admin_sql(const char *sql)
{
    app_err err = {0};
    db_conn *admin = connect_to("postgres");
    int rc = db_exec_sql(admin, sql, &err);
    db_conn_close(admin);
    must(rc == 0, "%s: %s", sql, err.detail);
}

static double
seconds_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

void
cw_suite_init(void)
{
    clock_gettime(CLOCK_MONOTONIC, &started);
    must(sodium_init() >= 0, "sodium_init");
    snprintf(tmpl, sizeof(tmpl), "cw_tmpl_%d", (int)getpid());
    char sql[160];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", tmpl);
    admin_sql(sql);
    db_conn *c = connect_to(tmpl);
    app_err err = {0};
    int applied = 0;
    must(db_migrate(c, &applied, &err) == 0, "migrate: %s", err.detail);
    must(db_exec_sql(c, SEED_SQL, &err) == 0, "seed: %s", err.detail);
    must(core_codes_load(c, &codes, &err) == 0, "codes: %s", err.detail);
    db_conn_close(c);
    must(core_student_init() == 0, "core_student_init");
    unsigned char key[1][CORE_PII_KEY_BYTES];
    randombytes_buf(key, sizeof(key));
    ring = core_pii_ring_new((const unsigned char(*)[CORE_PII_KEY_BYTES])key, 1);
    sodium_memzero(key, sizeof(key));
    must(ring != NULL, "ring");
    env.codes = codes;
    env.ring = ring;
    printf("coreworld: template database ready in %.2f s\n", seconds_since(&started));
    fflush(stdout);
}

void
cw_suite_done(void)
{
    in_test = 0;
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", tmpl);
    admin_sql(sql);
    core_pii_ring_free(ring);
    core_codes_free(codes);
    printf("coreworld: suite ran in %.2f s\n", seconds_since(&started));
}

void
cw_setup(void)
{
    in_test = 1;
    snprintf(dbname, sizeof(dbname), "cw_%d", (int)getpid());
    char sql[200];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE %s STRATEGY FILE_COPY", dbname, tmpl);
    admin_sql(sql);
    conn = connect_to(dbname);
    arena = app_arena_new();
    const char *counties[] = {"430102", "430103", "360102"};
    ids = core_demo_ids_new(counties, 3, 20000101, 20231231);
    today_override = 0;
    long long classes[] = {0};
    for (int i = 0; i < CW_NACTORS; i++) {
        core_actor *a = &actors[i];
        memset(a, 0, sizeof(*a));
        a->user_id = 1000 + i;
        a->level = cast[i].level;
        snprintf(a->org, sizeof(a->org), "%s", cast[i].org);
        a->staff_role = cast[i].staff;
    }
    classes[0] = atoll(cw_scalar("SELECT id FROM class WHERE school = '%s' AND grade = 13"
                                 " AND number = 1",
                                 CW_A));
    actors[CW_TEACHER_A].nclasses = 1;
    actors[CW_TEACHER_A].classes[0] = classes[0];
}

void
cw_teardown(void)
{
    core_demo_ids_free(ids);
    app_arena_free(arena);
    db_conn_close(conn);
    conn = NULL;
    char sql[160];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", dbname);
    admin_sql(sql);
}

db_conn *
cw_db(void)
{
    return conn;
}

void
cw_reconnect(void)
{
    /* not closed: closing would end the parent's session on the shared socket */
    conn = connect_to(dbname);
}

app_arena *
cw_arena(void)
{
    return arena;
}

const core_actor *
cw_actor(int who)
{
    return &actors[who];
}

int
cw_today(void)
{
    return today_override ? today_override : core_today();
}

void
cw_set_today(int ymd)
{
    today_override = ymd;
}

/* The identity check of rule 23, answering `ctx` (a static string). */
static void
fixed_verify(void *ctx, const core_record *r, const char **out)
{
    (void)r;
    *out = ctx;
}

static const char *verify_answer;

void
cw_set_verify(const char *answer)
{
    verify_answer = answer;
}

const core_op *
cw_op(int who)
{
    core_op *op = &ops[who];
    memset(op, 0, sizeof(*op));
    op->actor = &actors[who];
    op->env = &env;
    op->arena = arena;
    op->ip = "127.0.0.1";
    op->user_agent = "coreworld";
    op->request_id = "cw";
    op->today = cw_today();
    if (verify_answer) {
        op->verify = fixed_verify;
        op->verify_ctx = (void *)verify_answer;
    }
    return op;
}

int
cw_actor_of(const char *org)
{
    for (int i = 0; i < CW_NACTORS; i++)
        if (strcmp(cast[i].org, org) == 0 &&
            (cast[i].level != CORE_LEVEL_SCHOOL || cast[i].staff == CORE_STAFF_REGISTRAR))
            return i;
    return -1;
}

/* ------------------------------------------------------------ SQL */

static db_res *
query(const char *sql)
{
    app_err err = {0};
    db_res *r = NULL;
    int rc = db_exec_once(conn, sql, 0, NULL, &r, &err);
    ck_assert_msg(rc == 0, "%s: %s", sql, err.detail);
    return r;
}

void
cw_exec(const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    db_res_free(query(sql));
}

static const char *
vscalar(const char *fmt, va_list ap)
{
    char sql[4096];
    vsnprintf(sql, sizeof(sql), fmt, ap);
    db_res *r = query(sql);
    ck_assert_msg(db_res_nrows(r) == 1, "%s: %d rows", sql, db_res_nrows(r));
    const char *v = db_res_isnull(r, 0, 0) ? "" : app_arena_strdup(arena, db_res_get(r, 0, 0));
    db_res_free(r);
    return v;
}

const char *
cw_scalar(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *v = vscalar(fmt, ap);
    va_end(ap);
    return v;
}

long long
cw_count(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *v = vscalar(fmt, ap);
    va_end(ap);
    return atoll(v);
}

const char *
cw_state(long long student)
{
    return cw_scalar("SELECT state FROM student WHERE id = %lld", student);
}

const char *
cw_school_of(long long student)
{
    return cw_scalar("SELECT school FROM student WHERE id = %lld", student);
}

int
cw_grade_of(long long student)
{
    return (int)cw_count("SELECT grade FROM student WHERE id = %lld", student);
}

int
cw_class_of(long long student)
{
    return (int)cw_count("SELECT class_no FROM student WHERE id = %lld", student);
}

char
cw_stuno_kind(long long student)
{
    return cw_scalar("SELECT stuno_kind FROM student WHERE id = %lld", student)[0];
}

long long
cw_file(const char *org)
{
    return cw_count("INSERT INTO file (org, mime, size, sha256, data) VALUES ('%s',"
                    " 'application/pdf', 5, 'x', '\\x2550444631') RETURNING id",
                    org);
}

/* ------------------------------------------------------------ records */

static const struct cw_school *
school_of(const char *code)
{
    for (size_t i = 0; i < sizeof(schools) / sizeof(schools[0]); i++)
        if (strcmp(schools[i].code, code) == 0)
            return &schools[i];
    ck_abort_msg("no school %s in the world", code);
    return NULL;
}

core_record *
cw_record(const char *school, int grade, int class_no, unsigned seed)
{
    const struct cw_school *s = school_of(school);
    core_demo_class k = {.category = s->category, .grade = grade, .number = class_no};
    snprintf(k.school, sizeof(k.school), "%s", s->code);
    snprintf(k.county, sizeof(k.county), "%s", s->county);
    snprintf(k.system, sizeof(k.system), "%s", s->system);
    core_demo_rng rng;
    core_demo_rng_seed(&rng, 0x9e3779b97f4a7c15ULL ^ seed);
    core_demo_student *d = app_arena_alloc(arena, sizeof(*d));
    ck_assert_int_eq(core_demo_student_make(&rng, ids, &k, core_demo_school_year(cw_today()), d),
                     0);
    return &d->rec;
}

core_record *
cw_copy(const core_record *r)
{
    core_record *c = app_arena_alloc(arena, sizeof(*c));
    *c = *r;
    return c;
}

void
cw_reborn(core_record *r, const char *school, int ymd)
{
    int gender = atoi(r->v[CORE_R_GENDER]);
    const char *county = school_of(school)->county;
    int seq = core_demo_ids_take(ids, county, ymd, gender);
    ck_assert_int_ge(seq, 0);
    char num[19];
    snprintf(num, sizeof(num), "%s%08d%03d", county, ymd, seq);
    num[17] = core_idnum_check_digit(num);
    num[18] = '\0';
    r->v[CORE_R_ID_NUMBER] = app_arena_strdup(arena, num);
    r->v[CORE_R_BIRTH_DATE] =
        app_arena_printf(arena, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

const char *
cw_new_id(const core_record *r, const char *school)
{
    core_record c = *r;
    const char *birth = r->v[CORE_R_BIRTH_DATE];
    cw_reborn(&c, school, atoi(birth) * 10000 + atoi(birth + 5) * 100 + atoi(birth + 8));
    return c.v[CORE_R_ID_NUMBER];
}

const char *
cw_permit_id(const core_record *r)
{
    const char *birth = r->v[CORE_R_BIRTH_DATE];
    int ymd = atoi(birth) * 10000 + atoi(birth + 5) * 100 + atoi(birth + 8);
    char num[19];
    snprintf(num, sizeof(num), "810000%08d%03d", ymd, atoi(r->v[CORE_R_GENDER]) == 1 ? 101 : 102);
    num[17] = core_idnum_check_digit(num);
    num[18] = '\0';
    return app_arena_strdup(arena, num);
}

core_record *
cw_twin(const core_record *r, const char *school, int grade, int class_no, unsigned seed)
{
    core_record *t = cw_record(school, grade, class_no, seed);
    const char *birth = r->v[CORE_R_BIRTH_DATE];
    t->v[CORE_R_GENDER] = r->v[CORE_R_GENDER];
    cw_reborn(t, school, atoi(birth) * 10000 + atoi(birth + 5) * 100 + atoi(birth + 8));
    t->v[CORE_R_NAME] = r->v[CORE_R_NAME];
    t->v[CORE_R_BIRTH_DATE] = birth;
    return t;
}

/* ------------------------------------------------------------ core/ */

int
cw_register(int who, core_record *rec, core_student *out, core_request *out_req, int *out_warnings,
            app_err *err)
{
    core_student s;
    core_request q;
    int w = 0;
    return core_student_register(conn, cw_op(who), rec, out ? out : &s, out_req ? out_req : &q,
                                 out_warnings ? out_warnings : &w, err);
}

int
cw_register_many(int who, core_reg *rows, int n, app_err *err)
{
    return core_student_register_many(conn, cw_op(who), rows, n, err);
}

long long
cw_enrol(int who, core_record *rec)
{
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(who, rec, &s, &q, NULL, &err);
    cw_ok(rc, &err);
    cw_approve_all(q.id, &q);
    ck_assert_str_eq(q.state, "approved");
    ck_assert_str_eq(cw_state(s.id), "enrolled");
    return s.id;
}

long long
cw_student(const char *school, int grade, int class_no, unsigned seed)
{
    int who = cw_actor_of(school);
    ck_assert_int_ge(who, 0);
    return cw_enrol(who, cw_record(school, grade, class_no, seed));
}

int
cw_student_get(int who, long long id, core_student *out, app_err *err)
{
    char key[24];
    snprintf(key, sizeof(key), "%lld", id);
    return core_student_get(conn, cw_op(who), key, 0, out, err);
}

const char *
cw_number(long long id)
{
    int who = cw_actor_of(cw_school_of(id));
    ck_assert_int_ge(who, 0);
    core_student s;
    app_err err = {0};
    int rc = core_student_get(conn, cw_op(who), cw_key(id), 1, &s, &err);
    cw_ok(rc, &err);
    return s.student_number;
}

const char *
cw_key(long long id)
{
    return app_arena_printf(arena, "%lld", id);
}

int
cw_patch(int who, long long id, int version, const core_record *changes,
         const unsigned char *present, core_student *out, app_err *err)
{
    core_student s;
    return core_student_patch(conn, cw_op(who), cw_key(id), version, changes, present,
                              out ? out : &s, err);
}

/* A PNG signature, an IHDR of 358 x 441 (8-bit RGB) and an IEND chunk. */
static size_t
small_png(unsigned char b[45])
{
    static const unsigned char png[45] = {
        0x89, 'P',  'N',  'G', '\r', '\n', 0x1A, '\n', 0,    0,   0,   13,   'I',  'H',  'D',
        'R',  0,    0,    1,   0x66, 0,    0,    1,    0xB9, 8,   2,   0,    0,    0,    0x12,
        0x34, 0x56, 0x78, 0,   0,    0,    0,    'I',  'E',  'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    memcpy(b, png, sizeof(png));
    return sizeof(png);
}

int
cw_photo_put(int who, long long id, int version, int *out_version, app_err *err)
{
    unsigned char png[45];
    size_t n = small_png(png);
    int v = 0;
    return core_photo_put(conn, cw_op(who), cw_key(id), version, png, n,
                          out_version ? out_version : &v, err);
}

int
cw_merge(int who, const char *code, const char *into, core_merge_result *out, app_err *err)
{
    return core_school_merge(conn, cw_op(who), code, into, out, err);
}

long long
cw_problem_open(const char *kind, long long student, long long other, const char *school,
                const char *other_school, const char *authority, const char *reason)
{
    app_err err = {0};
    int rc = core_problem_open(conn, kind, student, other, school, other_school, authority, reason,
                               &err);
    cw_ok(rc, &err);
    return cw_count("SELECT max(id) FROM problem");
}

/* ------------------------------------------------------------ workflow/ */

static void
set_str(json_t *o, const char *k, const char *v)
{
    if (v != NULL)
        json_object_set_new(o, k, json_string(v));
}

/* The payload as api/h_requests.c stores it: the typed members, keys sorted;
   key-field changes masked in `changes` and sealed in `sealed`. */
static const char *
payload_of(const core_op *op, const wf_start *a)
{
    json_t *o = json_object();
    set_str(o, "reason", a->reason);
    set_str(o, "date", a->date);
    set_str(o, "start_date", a->start_date);
    set_str(o, "end_date", a->end_date);
    set_str(o, "to_school", a->to_school);
    set_str(o, "effective_date", a->effective_date);
    set_str(o, "from_school", a->from_school);
    set_str(o, "method", a->method);
    if (a->grade)
        json_object_set_new(o, "grade", json_integer(a->grade));
    if (a->class_no)
        json_object_set_new(o, "class", json_integer(a->class_no));
    if (a->nstudents > 0) {
        json_t *v = json_array();
        for (int i = 0; i < a->nstudents; i++)
            json_array_append_new(v, json_string(a->students[i]));
        json_object_set_new(o, "students", v);
    }
    if (a->noutcomes > 0) {
        json_t *v = json_object();
        for (int i = 0; i < a->noutcomes; i++) {
            char k[24];
            snprintf(k, sizeof(k), "%lld", a->outcome_ids[i]);
            json_object_set_new(v, k, json_string(a->outcome_vals[i]));
        }
        json_object_set_new(o, "outcomes", v);
    }
    int change = strcmp(a->type, "key_field_change") == 0 ||
                 (a->method != NULL && strcmp(a->method, "change") == 0);
    if (change) {
        json_t *shown = json_object();
        for (int i = 0; i < CORE_NFIELDS; i++)
            if (a->present[i])
                json_object_set_new(shown, core_fields[i].json, json_string("*"));
        json_object_set_new(o, "changes", shown);
        if (strcmp(a->type, "key_field_change") == 0)
            json_object_set_new(o, "renumber", json_integer(a->renumber));
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    const char *p = app_arena_strdup(arena, s);
    free(s);
    if (change)
        p = app_arena_printf(arena, "%.*s,\"sealed\":\"%s\"}", (int)strlen(p) - 1, p,
                             core_changes_seal(op, &a->changes, a->present));
    return p;
}

int
cw_start(int who, wf_start *a, core_request *out, app_err *err)
{
    const core_op *op = cw_op(who);
    if (a->payload_json == NULL)
        a->payload_json = payload_of(op, a);
    return wf_request_start(conn, op, a, out, err);
}

long long
cw_start_ok(int who, wf_start *a)
{
    core_request q;
    app_err err = {0};
    int rc = cw_start(who, a, &q, &err);
    cw_ok(rc, &err);
    return q.id;
}

int
cw_act(int who, long long rid, const char *action, int step, core_request *out, app_err *err)
{
    core_request q;
    return wf_request_act(conn, cw_op(who), rid, action, step, "coreworld", out ? out : &q, err);
}

void
cw_act_ok(int who, long long rid, const char *action, int step, core_request *out)
{
    app_err err = {0};
    int rc = cw_act(who, rid, action, step, out, &err);
    cw_ok(rc, &err);
}

int
cw_revert(int who, long long rid, core_request *out, app_err *err)
{
    core_request q;
    return wf_request_revert(conn, cw_op(who), rid, "coreworld", out ? out : &q, err);
}

int
cw_list(int who, const char *box, const char *state, const char *type, core_request **out,
        int *out_n, app_err *err)
{
    return wf_request_list(conn, cw_op(who), box, state, type, 0, 100, out, out_n, err);
}

int
cw_get(int who, long long rid, core_request *out, app_err *err)
{
    return wf_request_get(conn, cw_op(who), rid, out, err);
}

int
cw_add_evidence(int who, long long problem, const long long *files, int n, app_err *err)
{
    db_problem p;
    return wf_problem_add_evidence(conn, cw_op(who), problem, files, n, &p, err);
}

void
cw_approve_all(long long rid, core_request *out)
{
    app_err err = {0};
    int rc = cw_get(CW_MINISTRY, rid, out, &err);
    cw_ok(rc, &err);
    while (strcmp(out->state, "open") == 0) {
        int step = out->current_step;
        const char *org = out->steps[step - 1].org;
        int who = cw_actor_of(org);
        ck_assert_msg(who >= 0, "no actor holds %s", org);
        cw_act_ok(who, rid, "approve", step, out);
    }
}

/* ------------------------------------------------------------ several connections */

db_conn *
cw_conn_open(void)
{
    return connect_to(dbname);
}

void
cw_op_on(int who, app_arena *a, core_op *out)
{
    *out = *cw_op(who);
    out->arena = a;
}

/* ------------------------------------------------------------ assertions */

void
cw_fails_at(const char *file, int line, int rc, const app_err *err, int code, const char *slug)
{
    ck_assert_msg(rc == code, "%s:%d: rc %d, want %d (slug %s, detail %s)", file, line, rc, code,
                  err->slug ? err->slug : "-", err->detail);
    if (slug != NULL)
        ck_assert_msg(err->slug != NULL && strcmp(err->slug, slug) == 0,
                      "%s:%d: slug %s, want %s (detail %s)", file, line,
                      err->slug ? err->slug : "(null)", slug, err->detail);
}

void
cw_has_item_at(const char *file, int line, const app_err *err, const char *field, const char *code)
{
    for (int i = 0; i < err->nitems; i++)
        if (strcmp(err->items[i].field, field) == 0 && strcmp(err->items[i].code, code) == 0)
            return;
    char seen[512] = "";
    for (int i = 0; i < err->nitems; i++) {
        size_t n = strlen(seen);
        snprintf(seen + n, sizeof(seen) - n, " %s:%s", err->items[i].field, err->items[i].code);
    }
    ck_abort_msg("%s:%d: no item %s %s; items:%s", file, line, field, code, seen);
}
