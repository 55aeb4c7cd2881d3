/*
 * tests/lib/wfworld.h - the world of the workflow HTTP suites
 * (tests/http/workflow_*_test.c): schools in 长沙 and 南昌 with their
 * registrars and bureaus, students registered and enrolled through the API,
 * and helpers to start requests and act on them. Seeded idempotently by SQL
 * with codes and usernames no other suite uses:
 *   A 2143019301 小学 in 芙蓉区 430102 (authority 430102), classes 13-1, 13-2, 14-1
 *   B 2143019302 小学 in 芙蓉区 too (same authority), classes 13-1, 13-2
 *   C 2143019303 小学 in 天心区 430103 (another county of 长沙 430100), class 13-1
 *   D 2143019304 小学 in 芙蓉区, managed by the city 430100 directly, class 13-1
 *   H 3443019301 高级中学 in 芙蓉区 (authority 430102), class 31-1
 *   J 2136019301 小学 in 东湖区 360102 (江西 360000), class 13-1
 * A suite calls shared_world() in its runner (one xuejid for the suite,
 * tokens logged in once) and use_shared() in each test's setup.
 */
#ifndef TESTS_LIB_WFWORLD_H
#define TESTS_LIB_WFWORLD_H

#include "tests/lib/httptest.h"

#include <check.h>
#include <stdlib.h>

#define PW "Wf-Workflow-2026!"

#define SCH_A "2143019301"
#define SCH_B "2143019302"
#define SCH_C "2143019303"
#define SCH_D "2143019304"
#define SCH_H "3443019301"
#define SCH_J "2136019301"

enum {
    REG_A,
    REG_B,
    REG_C,
    REG_D,
    REG_H,
    REG_J,
    GRADE_A,
    FURONG,
    TIANXIN,
    CHANGSHA,
    HUNAN,
    DONGHU,
    JIANGXI,
    NACTORS
};

typedef struct stu {
    long long id, n;
    int gender, ymd;
    char idnum[24], birth[16], name[64];
} stu;

extern const struct wf_cast {
    const char *user, *role, *org, *staff;
} cast[NACTORS];
extern const char *const shared_env[];
extern ht_server *srv;             /* the server the current test talks to */
extern char tokens[NACTORS][1024]; /* logged in by the runner, inherited by each test */

#define count_of(...) atoll(scalar(__VA_ARGS__))
#define start_fails(...) start_fails_at(__FILE__, __LINE__, __VA_ARGS__)
#define call_fails(...) call_fails_at(__FILE__, __LINE__, __VA_ARGS__)
#define act_fails(...) act_fails_at(__FILE__, __LINE__, __VA_ARGS__)
#define STEPS(...) ((const char *const[]){__VA_ARGS__, NULL})

#define REASON_DATE "{\"reason\":\"家庭原因\",\"date\":\"2025-03-01\"}"
#define SUSPEND_PAYLOAD                                                                            \
    "{\"reason\":\"病休\",\"start_date\":\"2025-03-01\",\"end_date\":\"2025-09-01\"}"
#define COUNTY_WAITING STEPS("430102:waiting")
#define COUNTY_APPROVED STEPS("430102:approved")

PGconn *tdb(void);
const char *scalar(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void close_db(void);
void seed_world(void);
void login(int who);
void shared_world(void);
void use_shared(void);
void call_on(ht_server *s, const char *method, const char *path, int who, const char *body,
             ht_resp *out);
void call(const char *method, const char *path, int who, const char *body, ht_resp *out);
long long jint(const json_t *o, const char *key);
long long upload_pdf(int who);
void start_on(ht_server *s, int who, const char *type, const char *student, const char *payload,
              const char *evidence, ht_resp *out);
void start(int who, const char *type, long long student, const char *payload, const char *evidence,
           ht_resp *out);
long long start_ok(int who, const char *type, long long student, const char *payload,
                   const char *evidence);
void start_fails_at(const char *file, int line, int who, const char *type, long long student,
                    const char *payload, const char *evidence, long status, const char *code);
void call_fails_at(const char *file, int line, const char *method, const char *path, int who,
                   const char *body, long status, const char *code);
void act_on(ht_server *s, int who, long long rid, const char *action, int step, ht_resp *out);
void act(int who, long long rid, const char *action, int step, ht_resp *out);
void act_ok(int who, long long rid, const char *action, int step, const char *want_state);
void act_fails_at(const char *file, int line, int who, long long rid, const char *action, int step,
                  long status, const char *code);
void get_request(int who, long long rid, ht_resp *out);
const json_t *step_of(const ht_resp *r, int number);
void assert_request(const ht_resp *r, const char *state, int current, const char *const *steps);
void check_request(int who, long long rid, const char *state, int current,
                   const char *const *steps);
const char *actions_of(int who, long long rid);
char check_digit(const char *s17);
void make_id(int ymd, int gender, long long seq, char out[24]);
void stu_make(stu *s, int year);
void enrol(int reg, int auth, int grade, stu *s);
/* Register a new student in class grade-class_no as registrar `reg`: its open
   registration request (step 1 the county's); s->id the student. */
long long wf_register(int reg, int grade, int class_no, stu *s);
void get_student(int who, long long id, ht_resp *out);
const char *placement(int who, long long id);
int history_has(int who, long long id, const char *kind, long long rid);
long long events_of(long long rid, const char *type);
ht_server *server_with(const char *extra);
TCase *wf_tcase(const char *name, int timeout);
/* Import workers: a server of their own (the shared one runs none), started
   with the world by wf_import_tcase()'s test cases; a test may kill it. */
extern ht_server *wf_workers;
void wf_start_workers(void);
void wf_stop_workers(void);
TCase *wf_import_tcase(const char *name, int timeout);
/* The template column (0-based) of field `json` of `member` (0: the student). */
int wf_col_of(const char *json, int member);
/* POST /imports?<query> with `body` as `who`, expecting status `want`: the job id. */
long long wf_upload(int who, const char *query, const char *body, size_t len, long want);
/* GET /imports/{id} until it is done or failed (60 s at most). */
void wf_wait_import(int who, long long id, ht_resp *out);

#endif
