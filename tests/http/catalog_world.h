/*
 * tests/http/catalog_world.h - the world of the catalog suites
 * (catalog_test.c, catalog_import_test.c), built once through the API and
 * the database: university 4141019911 目录测试大学 (authority 河南 410000,
 * in 中原区 410102), created by the province; its registrar section; a
 * college office account; two course teachers (cat_teacher1, cat_teacher2)
 * and a head teacher of another school; colleges CT01 计算机学院 and CT09
 * 体育学院 (the PE college); majors CT0101 软件工程 and CT0102 网络工程 of
 * CT01; a class of CT0101 cohort 2025 with one student (学号 CT2025001)
 * signed in; and a K-12 school 2141019911.
 */
#ifndef TESTS_HTTP_CATALOG_WORLD_H
#define TESTS_HTTP_CATALOG_WORLD_H

#include "core/pwhash.h"
#include "db/db.h"
#include "db/user.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CW_PW "Catalog-Test-2026!"
/* a suite that includes this file may name its own university (each suite
   builds its world once; suites may share a database) */
#ifndef CW_UNI
#define CW_UNI "4141019911"
#define CW_K12 "2141019911"
#define CW_P "cat_"                /* the accounts' prefix */
#define CW_ID "410102200703070015" /* the student's ID number */
#define CW_TAG "甲"                /* in the schools' names */
#endif
#define CU "/api/v1/schools/" CW_UNI

static ht_server *cw_srv;
static int cw_built;
static char tok_prov[1024], tok_sec[1024], tok_office[1024], tok_stu[1024];
static long long cw_class;

static const char *cfmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *
cfmt(const char *f, ...)
{
    static char buf[8][4096];
    static int i;
    char *b = buf[i++ % 8];
    va_list ap;
    va_start(ap, f);
    vsnprintf(b, sizeof(buf[0]), f, ap);
    va_end(ap);
    return b;
}

/* METHOD path as `token` with the JSON body; if_match NULL: no If-Match. */
static void
ccall(const char *method, const char *path, const char *token, const char *if_match,
      const char *json, ht_resp *r)
{
    const char *h[4];
    int n = 0;
    char auth[1100], im[64];
    if (if_match != NULL) {
        snprintf(im, sizeof(im), "If-Match: %s", if_match);
        h[n++] = im;
    }
    if (token != NULL) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        h[n++] = auth;
    }
    if (json != NULL)
        h[n++] = "Content-Type: application/json";
    h[n] = NULL;
    ck_assert_int_eq(ht_request(cw_srv, method, path, h, json, json ? strlen(json) : 0, r), 0);
}

static void
cexpect(const char *method, const char *path, const char *token, const char *json, long status,
        const char *code)
{
    ht_resp r;
    ccall(method, path, token, strcmp(method, "PATCH") == 0 ? "\"1\"" : NULL, json, &r);
    if (code != NULL)
        ht_assert_problem(&r, status, code);
    else
        ck_assert_msg(r.status == status, "%s %s: %ld %s", method, path, r.status, r.body);
    ht_resp_free(&r);
}

static db_conn *
cdb(void)
{
    static db_conn *c;
    if (c == NULL) {
        app_err err = {0};
        c = db_conn_open(getenv("XUEJI_TEST_DATABASE_URL"), &err);
        ck_assert_msg(db_conn_ok(c), "connect: %s", err.detail);
    }
    return c;
}

/* The first value of a query ("" when none), in a static buffer. */
static const char *
cval(const char *sql)
{
    static char buf[1024];
    db_res *r = NULL;
    app_err err = {0};
    ck_assert_msg(db_exec_once(cdb(), sql, 0, NULL, &r, &err) == 0, "%s: %s", sql, err.detail);
    snprintf(buf, sizeof(buf), "%s", db_res_nrows(r) > 0 ? db_res_get(r, 0, 0) : "");
    db_res_free(r);
    return buf;
}

static void
cuser(const char *name, const char *role, const char *org, const char *staff, long long college,
      long long student)
{
    static char hash[CORE_PWHASH_LEN];
    if (hash[0] == '\0')
        ck_assert_int_eq(core_pwhash(CW_PW, hash), 0);
    db_user u = {.username = name,
                 .display_name = name,
                 .role = role,
                 .org = org,
                 .staff_role = staff,
                 .college = college,
                 .student_id = student,
                 .password_hash = hash};
    long long id;
    app_err err = {0};
    int rc = db_user_insert(cdb(), &u, &id, &err);
    ck_assert_msg(rc == 0 || rc == APP_ECONFLICT, "insert %s: %s", name, err.detail);
}

static void
clogin(const char *name, char out[1024])
{
    ht_resp r;
    ccall("POST", "/api/v1/auth/login", NULL, NULL,
          cfmt("{\"username\":\"%s\",\"password\":\"%s\"}", name, CW_PW), &r);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", name, r.status, r.body);
    snprintf(out, 1024, "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

static long long
cpost_id(const char *path, const char *token, const char *json)
{
    ht_resp r;
    ccall("POST", path, token, NULL, json, &r);
    ck_assert_msg(r.status == 201, "POST %s: %ld %s", path, r.status, r.body);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    ht_resp_free(&r);
    return id;
}

static void
cw_build(void)
{
    cw_srv = ht_shared();
    ck_assert_msg(cw_srv != NULL, "no shared server");
    if (cw_built)
        return;
    cw_built = 1;
    cuser(CW_P "henan", "province", "410000", NULL, 0, 0);
    clogin(CW_P "henan", tok_prov);
    cexpect("POST", "/api/v1/schools", tok_prov,
            "{\"code\":\"" CW_UNI "\",\"name\":\"目录测试大学" CW_TAG "\",\"county\":\"410102\","
            "\"authority\":\"410000\"}",
            201, NULL);
    cexpect("POST", "/api/v1/schools", tok_prov,
            "{\"code\":\"" CW_K12 "\",\"name\":\"目录测试小学" CW_TAG "\",\"county\":\"410102\"}",
            201, NULL);
    cuser(CW_P "section", "school", CW_UNI, "registrar_section", 0, 0);
    clogin(CW_P "section", tok_sec);
    long long c1 = cpost_id(CU "/colleges", tok_sec, "{\"code\":\"CT01\",\"name\":\"计算机学院\"}");
    cpost_id(CU "/colleges", tok_sec, "{\"code\":\"CT09\",\"name\":\"体育学院\",\"is_pe\":true}");
    long long m1 = cpost_id(CU "/majors", tok_sec,
                            cfmt("{\"college\":%lld,\"code\":\"CT0101\",\"name\":\"软件工程\","
                                 "\"level\":\"undergraduate\",\"years\":4}",
                                 c1));
    cpost_id(CU "/majors", tok_sec,
             cfmt("{\"college\":%lld,\"code\":\"CT0102\",\"name\":\"网络工程\","
                  "\"level\":\"undergraduate\",\"years\":4}",
                  c1));
    cw_class = cpost_id(CU "/uni-classes", tok_sec,
                        cfmt("{\"major\":%lld,\"cohort\":2025,\"number\":1}", m1));
    cuser(CW_P "office", "school", CW_UNI, "college_office", c1, 0);
    clogin(CW_P "office", tok_office);
    cuser(CW_P "teacher1", "school", CW_UNI, "course_teacher", c1, 0);
    cuser(CW_P "teacher2", "school", CW_UNI, "course_teacher", c1, 0);
    cuser(CW_P "k12_head", "school", CW_K12, "head_teacher", 0, 0);
    long long st = cpost_id(CU "/uni-students", tok_sec,
                            cfmt("{\"student_no\":\"CT2025001\",\"class_id\":%lld,"
                                 "\"name\":\"目录学生\",\"gender\":\"1\",\"birth_date\":"
                                 "\"2007-03-07\",\"ethnicity\":\"01\",\"nationality\":\"CHN\","
                                 "\"id_type\":\"1\",\"id_number\":\"" CW_ID "\"}",
                                 cw_class));
    cuser(CW_P "CT2025001", "student", CW_UNI, NULL, 0, st);
    clogin(CW_P "CT2025001", tok_stu);
}

#endif
