/*
 * tests/lib/coreworld.h - a small world for the integration suites that call
 * core/ and workflow/ directly (no xuejid, no HTTP): schools, classes and
 * actors in a database of each test's own, the code tables, a PII key ring
 * and helpers around every core/ and workflow/ call, so that a change of a
 * signature there changes only tests/lib/coreworld.c.
 *
 * The runner (main, before srunner_run_all) calls cw_suite_init(): it
 * migrates and seeds a template database once. Each forked test calls
 * cw_setup() in its checked fixture (a copy of the template: CREATE
 * DATABASE ... TEMPLATE, a fraction of a second) and cw_teardown(). Main
 * calls cw_suite_done() at the end (drops the template).
 *
 * The world (regions of migration 002):
 *   A 2143019401 小学 in 芙蓉区 430102 (authority 430102), classes 11-1,
 *     13-1, 13-2 (size limit 1), 14-1, 16-1
 *   B 2143019402 小学 in 芙蓉区 (authority 430102), classes 13-1, 13-2, 16-1
 *   C 2143019403 小学 in 天心区 430103 (authority 430103), class 13-1
 *   D 2143019404 小学 in 芙蓉区, managed by the city 430100, class 13-1
 *   H 3443019401 高级中学 in 芙蓉区 (authority 430102), classes 31-1, 33-1
 *   J 2136019401 小学 in 东湖区 360102 (江西 360000), class 13-1
 *   X 2143019409 小学 in 芙蓉区, closed, class 13-1
 * Actors: the registrar of each school, a head teacher of A, and the
 * bureaus 芙蓉区, 天心区, 长沙市, 湖南省, 东湖区, 江西省 and the ministry.
 */
#ifndef TESTS_LIB_COREWORLD_H
#define TESTS_LIB_COREWORLD_H

#include "core/school_merge.h"
#include "core/student.h"
#include "workflow/wf.h"

#include <check.h>

#define CW_A "2143019401"
#define CW_B "2143019402"
#define CW_C "2143019403"
#define CW_D "2143019404"
#define CW_H "3443019401"
#define CW_J "2136019401"
#define CW_X "2143019409"

enum {
    CW_REG_A,
    CW_REG_B,
    CW_REG_C,
    CW_REG_D,
    CW_REG_H,
    CW_REG_J,
    CW_REG_X,
    CW_TEACHER_A, /* head teacher of A 13-1: not a registrar */
    CW_FURONG,    /* county 430102 */
    CW_TIANXIN,   /* county 430103 */
    CW_CHANGSHA,  /* city 430100 */
    CW_HUNAN,     /* province 430000 */
    CW_DONGHU,    /* county 360102 */
    CW_JIANGXI,   /* province 360000 */
    CW_MINISTRY,  /* 000000 */
    CW_NACTORS
};

/* ---- lifetime ---- */

void cw_suite_init(void);
void cw_suite_done(void);
void cw_setup(void);
void cw_teardown(void);

/* The test's connection and arena. */
db_conn *cw_db(void);
/* In a process forked by a test: a connection of its own to the test's
   database for every later cw_ call (the parent's is left untouched). */
void cw_reconnect(void);
app_arena *cw_arena(void);

/* The actor `who`, and an op for it (today: cw_today, see cw_set_today). */
const core_actor *cw_actor(int who);
const core_op *cw_op(int who);
/* The actor that holds org `org` (a school's registrar, a bureau); -1 if none. */
int cw_actor_of(const char *org);
/* The date ops carry (YYYYMMDD); 0 = the real date in China. */
void cw_set_today(int ymd);
/* The date ops carry now (YYYYMMDD). */
int cw_today(void);
/* The identity check's answer for every later op (rule 23); NULL: no check. */
void cw_set_verify(const char *answer);

/* ---- SQL (setup and assertions only; never the behaviour under test) ---- */

void cw_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One value of a one-row query, in the test's arena ("" for NULL). */
const char *cw_scalar(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long long cw_count(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- records ---- */

/* A complete valid record (resident ID of the school's county) for class
   (grade, class_no) of `school`. `seed` varies the person. In the arena. */
core_record *cw_record(const char *school, int grade, int class_no, unsigned seed);
/* A suspected twin of `r`: same name, gender and birth date, another ID. */
core_record *cw_twin(const core_record *r, const char *school, int grade, int class_no,
                     unsigned seed);
/* A copy of `r` (the same identity). */
core_record *cw_copy(const core_record *r);
/* Another resident ID of the same birth date and gender as `r`'s, with the
   county of `school`. */
const char *cw_new_id(const core_record *r, const char *school);
/* A Hong Kong residence permit number (type C, area 810000) that agrees
   with `r`'s birth date and gender. */
const char *cw_permit_id(const core_record *r);
/* Give `r` (of a student of `school`) birth date `ymd` and a resident ID that
   agrees with it. */
void cw_reborn(core_record *r, const char *school, int ymd);

/* ---- core/ ---- */

int cw_register(int who, core_record *rec, core_student *out, core_request *out_req,
                int *out_warnings, app_err *err);
int cw_register_many(int who, core_reg *rows, int n, app_err *err);
/* Register `rec` at `who`'s school and approve every step: the student id
   (asserts that it ends enrolled). */
long long cw_enrol(int who, core_record *rec);
/* An enrolled student of `school` in (grade, class_no). */
long long cw_student(const char *school, int grade, int class_no, unsigned seed);
int cw_student_get(int who, long long id, core_student *out, app_err *err);
/* The full student number of `id` (revealed by its school's registrar). */
const char *cw_number(long long id);
/* `id` as the key text operations take. */
const char *cw_key(long long id);
/* core_student_patch of the fields in `present` (v NULL clears). */
int cw_patch(int who, long long id, int version, const core_record *changes,
             const unsigned char *present, core_student *out, app_err *err);
/* core_photo_put of a small valid PNG; *out_version the record's new version. */
int cw_photo_put(int who, long long id, int version, int *out_version, app_err *err);
int cw_merge(int who, const char *code, const char *into, core_merge_result *out, app_err *err);
/* Open a problem record about `student` (and `other`) as registration does. */
long long cw_problem_open(const char *kind, long long student, long long other, const char *school,
                          const char *other_school, const char *authority, const char *reason);

/* A student's state, school, grade, class and student number (from the row). */
const char *cw_state(long long student);
const char *cw_school_of(long long student);
int cw_grade_of(long long student);
int cw_class_of(long long student);
/* The stored student number kind: 'G', 'L' or 'J'. */
char cw_stuno_kind(long long student);

/* ---- workflow/ ---- */

/* wf_request_start with the payload the API would store: built here from the
   typed members of `a` (sealed key-field changes appended). */
int cw_start(int who, wf_start *a, core_request *out, app_err *err);
long long cw_start_ok(int who, wf_start *a);
int cw_act(int who, long long rid, const char *action, int step, core_request *out, app_err *err);
/* Act and assert success; the request afterwards. */
void cw_act_ok(int who, long long rid, const char *action, int step, core_request *out);
int cw_revert(int who, long long rid, core_request *out, app_err *err);
int cw_list(int who, const char *box, const char *state, const char *type, core_request **out,
            int *out_n, app_err *err);
int cw_get(int who, long long rid, core_request *out, app_err *err);
int cw_add_evidence(int who, long long problem, const long long *files, int n, app_err *err);
/* A stored evidence file (PDF) of org `org`: its id. */
long long cw_file(const char *org);
/* Approve every remaining step of `rid`, each by its holder; the request. */
void cw_approve_all(long long rid, core_request *out);

/* ---- several connections (concurrency suites) ---- */

/* Another connection to this test's database (db_conn_close it). */
db_conn *cw_conn_open(void);
/* An op for `who` as cw_op makes it, in *out, allocating in `a`: one per
   thread, each with its own arena and connection. Both are called from the
   test's own thread, before it starts others. */
void cw_op_on(int who, app_arena *a, core_op *out);

/* ---- assertions ---- */

/* rc is `code` and err->slug is `slug` (NULL: any). */
#define cw_fails(rc, err, code, slug) cw_fails_at(__FILE__, __LINE__, rc, err, code, slug)
void cw_fails_at(const char *file, int line, int rc, const app_err *err, int code,
                 const char *slug);
/* err has an item at `field` with code `code`. */
#define cw_has_item(err, field, code) cw_has_item_at(__FILE__, __LINE__, err, field, code)
void cw_has_item_at(const char *file, int line, const app_err *err, const char *field,
                    const char *code);
#define cw_ok(rc, err)                                                                             \
    ck_assert_msg((rc) == 0, "rc %d slug %s detail %s", rc, (err)->slug ? (err)->slug : "-",       \
                  (err)->detail)

#endif
