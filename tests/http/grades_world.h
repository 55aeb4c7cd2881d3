/*
 * tests/http/grades_world.h - the world of tests/http/grades_test.c and
 * courseflow_test.c: the university of tests/http/uniflow_world.h (server
 * date 2027-03-02, week 1 of term 2026-2) with a PE college, course
 * teachers of two colleges, the registrar section, the registrar deputy
 * head and the other colleges' offices; courses, sections and selections
 * made per test by SQL (codes from a sequence, so tests never share one).
 */
#ifndef TESTS_HTTP_GRADES_WORLD_H
#define TESTS_HTTP_GRADES_WORLD_H

/* each suite uses only part of the shared world */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "tests/http/uniflow_world.h"

enum { T1, T2, T3, RS, DH, OFF2, OFFPE, VDPE, GSTAFF };

static const struct {
    const char *user, *staff, *college;
} gstaff[GSTAFF] = {
    [T1] = {"gr_t1", "course_teacher", "UF01"},
    [T2] = {"gr_t2", "course_teacher", "UF02"},
    [T3] = {"gr_t3", "course_teacher", "UF01"},
    [RS] = {"gr_rs", "registrar_section", NULL},
    [DH] = {"gr_dh", "registrar_deputy_head", NULL},
    [OFF2] = {"gr_off2", "college_office", "UF02"},
    [OFFPE] = {"gr_offpe", "college_office", "UF09"},
    [VDPE] = {"gr_vdpe", "teaching_vice_dean", "UF09"},
};

static char g_tokens[GSTAFF][1024];

static long long
guser(int who)
{
    return atoll(uval("SELECT id FROM app_user WHERE username = '%s'", gstaff[who].user));
}

static void
gseed(void)
{
    ht_db_exec(udb(), "INSERT INTO uni_college (school, code, name, is_pe) VALUES"
                      " ('" UNIV "', 'UF09', '体育学院', true) ON CONFLICT DO NOTHING");
    ht_db_exec(udb(), "CREATE SEQUENCE IF NOT EXISTS gr_seq");
    char hash[CORE_PWHASH_LEN];
    ck_assert_int_eq(core_pwhash(UF_PW, hash), 0);
    for (int i = 0; i < GSTAFF; i++) {
        char col[160] = "NULL";
        if (gstaff[i].college)
            snprintf(col, sizeof(col),
                     "(SELECT id FROM uni_college WHERE school = '" UNIV "' AND code = '%s')",
                     gstaff[i].college);
        uval("INSERT INTO app_user (username, display_name, role, org, staff_role, college,"
             " password_hash, must_change_password) VALUES ('%s', '%s', 'school', '" UNIV "',"
             " '%s', %s, '%s', false) ON CONFLICT (username) DO NOTHING",
             gstaff[i].user, gstaff[i].user, gstaff[i].staff, col, hash);
    }
}

/* uniflow's world, signed in as only the two of its offices these suites use
   (every sign-in costs an argon2id hash on the server) */
static void
gworld(void)
{
    static const char *const env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", "XUEJI_IMPORT_WORKERS=0",
                                      UF_TODAY, NULL};
    ht_shared_start_env(env);
    uf_srv = ht_shared();
    useed();
    ulogin(staff[OFF1].user, uf_tokens[OFF1]);
    ulogin(staff[VD1].user, uf_tokens[VD1]);
    gseed();
    for (int i = 0; i < GSTAFF; i++)
        ulogin(gstaff[i].user, g_tokens[i]);
    PQfinish(uf_db);
    uf_db = NULL;
}

/* A new course of college `college` (code) and `kind`, `hours`: its id. */
static long long
gcourse(const char *college, const char *kind, int hours)
{
    return atoll(uval("INSERT INTO uni_course (school, code, name, kind, credits, hours, college)"
                      " SELECT '" UNIV "', 'GR' || nextval('gr_seq'), '课程' || currval('gr_seq'),"
                      " '%s', 3, %d, id FROM uni_college WHERE school = '" UNIV "' AND code = '%s'"
                      " RETURNING id",
                      kind, hours, college));
}

/* A section of `course` in `term` for `cohort` (0: any) and major `major`
   (code, NULL: any), taught by gstaff `teacher` (-1: none). */
static long long
gsection(long long course, const char *term, int cohort, const char *major, int teacher,
         int capacity)
{
    char mj[160] = "NULL", co[16] = "NULL", te[64] = "NULL";
    if (major)
        snprintf(mj, sizeof(mj), "ARRAY[%s]::bigint[]", umajor_id(major));
    if (cohort)
        snprintf(co, sizeof(co), "%d", cohort);
    if (teacher >= 0)
        snprintf(te, sizeof(te), "%lld", guser(teacher));
    return atoll(uval("INSERT INTO uni_section (school, course, term, number, teacher, capacity,"
                      " cohort, majors) VALUES ('" UNIV "', %lld, '%s',"
                      " (SELECT coalesce(max(number), 0) + 1 FROM uni_section WHERE course = %lld"
                      " AND term = '%s'), %s, %d, %s, %s) RETURNING id",
                      course, term, course, term, te, capacity, co, mj));
}

/* A selection of `section` by student `sid` in `state` (selected takes a seat). */
static void
gselect(long long sid, long long section, const char *state, const char *source)
{
    uval("INSERT INTO uni_selection (student, section, school, course, term, state, source)"
         " SELECT %lld, id, school, course, term, '%s', '%s' FROM uni_section WHERE id = %lld",
         sid, state, source, section);
    if (strcmp(state, "selected") == 0)
        uval("UPDATE uni_section SET taken = taken + 1 WHERE id = %lld", section);
}

/* A grade posted directly: its id. */
static long long
ggrade(long long sid, long long section, const char *exam, const char *score)
{
    return atoll(uval("INSERT INTO uni_grade (school, student, section, course, term, exam, score)"
                      " SELECT school, %lld, id, course, term, '%s', %s FROM uni_section"
                      " WHERE id = %lld RETURNING id",
                      sid, exam, score, section));
}

/* PUT the grades `json` (the array) of `section` as `token`. */
static void
gput(const char *token, long long section, const char *json, ht_resp *out)
{
    char path[128];
    size_t n = strlen(json) + 32;
    char *body = malloc(n);
    snprintf(body, n, "{\"grades\":%s}", json);
    snprintf(path, sizeof(path), "/api/v1/schools/" UNIV "/sections/%lld/grades", section);
    ucall(token, "PUT", path, body, out);
    free(body);
}

/* `want` among the `errors` of problem `r`: field and code. */
static void
gassert_item(const ht_resp *r, long status, const char *field, const char *code)
{
    ck_assert_msg(r->status == status, "%ld %s", r->status, r->body);
    const json_t *x;
    size_t i;
    int found = 0;
    json_array_foreach(json_object_get(r->json, "errors"), i, x) found |=
        strcmp(ht_json_str(x, "field"), field) == 0 && strcmp(ht_json_str(x, "code"), code) == 0;
    ck_assert_msg(found, "no %s at %s in %s", code, field, r->body);
}

#endif
