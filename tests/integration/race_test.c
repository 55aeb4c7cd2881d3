/*
 * tests/integration/race_test.c - the guarantees of docs/concurrency.md
 * under two writers at once, on a real PostgreSQL, without HTTP. Until
 * migration 014 every write took one advisory lock from its first audit row
 * or event to its commit; each test here holds one writer's transaction open
 * after its checks (tests/lib/race.h) and runs the other inside it, so that
 * a guarantee that rests on nothing but timing shows.
 */
#include "core/checkin.h"
#include "core/import.h"
#include "core/import_jobs.h"
#include "core/school.h"
#include "core/settings_op.h"
#include "db/import.h"
#include "db/request.h"
#include "tests/lib/coreworld.h"
#include "tests/lib/race.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAUSE 0.5 /* seconds the child holds its transaction open */

/* A registration of `rec` by `who` (the child's side of a race). */
typedef struct reg_arg {
    int who;
    core_record *rec;
} reg_arg;

static int
register_side(void *arg)
{
    reg_arg *a = arg;
    app_err err = {0};
    return cw_register(a->who, a->rec, NULL, NULL, NULL, &err);
}

/* A registration of the school's, paused after its checks (at its request). */
static pid_t
register_paused(reg_arg *a)
{
    race_pause_at("request");
    pid_t pid = race_child(register_side, a, PAUSE);
    race_wait_paused();
    return pid;
}

/* ------------------------------------------------------------ registration */

/* Rule 9 (一人一籍): two registrations of one identity at once, at two
   schools: one record. Held by the identity lock and student_one_person_idx. */
START_TEST(test_one_identity_one_record)
{
    core_record *rec = cw_record(CW_A, 13, 1, 501);
    reg_arg a = {CW_REG_A, cw_copy(rec)};
    pid_t pid = register_paused(&a);
    app_err err = {0};
    int rc = cw_register(CW_REG_B, cw_copy(rec), NULL, NULL, NULL, &err);
    int crc = race_join(pid);
    ck_assert_int_eq(crc, 0);
    cw_fails(rc, &err, APP_ECONFLICT, NULL);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student WHERE state = 'pending'"), 1);
}
END_TEST

/* A class with a size limit (A 13-2 takes one) is never filled past it by
   two registrations at once. Held by the class row lock. */
START_TEST(test_class_limit_holds)
{
    reg_arg a = {CW_REG_A, cw_record(CW_A, 13, 2, 511)};
    pid_t pid = register_paused(&a);
    app_err err = {0};
    int rc = cw_register(CW_REG_A, cw_record(CW_A, 13, 2, 512), NULL, NULL, NULL, &err);
    ck_assert_int_eq(race_join(pid), 0);
    cw_fails(rc, &err, APP_ECONFLICT, "class_full");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student s JOIN class c ON c.id = s.class_id"
                              " WHERE c.school = '%s' AND c.grade = 13 AND c.number = 2",
                              CW_A),
                     1);
}
END_TEST

/* Look-alikes (same name, gender and birth date in the province) registered
   at the same time at two schools: the later one opens the suspected
   duplicate problem record (rule 24), as it does one after the other. Held
   by the look-alike lock (db_twins_lock); the old global lock came after
   this search, so it was missed before too. */
START_TEST(test_twins_at_once_open_a_problem)
{
    core_record *first = cw_record(CW_C, 13, 1, 521);
    reg_arg a = {CW_REG_C, first};
    pid_t pid = register_paused(&a);
    app_err err = {0};
    core_student s;
    int rc = cw_register(CW_REG_A, cw_twin(first, CW_A, 13, 1, 522), &s, NULL, NULL, &err);
    cw_ok(rc, &err);
    ck_assert_int_eq(race_join(pid), 0);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student"), 2);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM problem WHERE kind = 'suspected_duplicate'"
                              " AND state = 'open' AND %lld IN (student_id, other_student_id)",
                              s.id),
                     1);
}
END_TEST

/* ------------------------------------------------------------ merges */

/* A registration at a school being merged away: the merge waits for it and
   refuses (an open request), instead of closing the school under an open
   registration. Held by the class row locks of both (db_school_lock_pair). */
START_TEST(test_merge_waits_for_registration)
{
    reg_arg a = {CW_REG_A, cw_record(CW_A, 13, 1, 531)};
    pid_t pid = register_paused(&a);
    core_merge_result m;
    app_err err = {0};
    int rc = cw_merge(CW_FURONG, CW_A, CW_B, &m, &err);
    ck_assert_int_eq(race_join(pid), 0);
    cw_fails(rc, &err, APP_ECONFLICT, "school_has_open_requests");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM request r JOIN school s ON s.code = r.school"
                              " WHERE r.state IN ('open', 'returned') AND s.closed"),
                     0);
}
END_TEST

static int
merge_side(void *arg)
{
    (void)arg;
    core_merge_result m;
    app_err err = {0};
    return cw_merge(CW_FURONG, CW_A, CW_B, &m, &err);
}

/* A class created at a school while it is merged away: after the merge the
   closed school has no class. Held by the school row (FOR SHARE against the
   merge's FOR NO KEY UPDATE). */
START_TEST(test_class_create_waits_for_merge)
{
    race_pause_at("school");
    pid_t pid = race_child(merge_side, NULL, PAUSE);
    race_wait_paused();
    core_class_new in = {.grade = 12, .number = 1};
    db_class k;
    app_err err = {0};
    int rc = core_class_create(cw_db(), cw_op(CW_REG_A), CW_A, &in, &k, &err);
    ck_assert_int_eq(race_join(pid), 0);
    cw_fails(rc, &err, APP_ECONFLICT, "school_closed");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM class WHERE school = '%s'", CW_A), 0);
}
END_TEST

/* ------------------------------------------------------------ requests */

typedef struct act_arg {
    int who;
    long long rid;
    const char *action;
    int step;
} act_arg;

static int
act_side(void *arg)
{
    act_arg *a = arg;
    app_err err = {0};
    return cw_act(a->who, a->rid, a->action, a->step, NULL, &err);
}

static int
start_side(void *arg)
{
    app_err err = {0};
    core_request q;
    return cw_start(CW_REG_A, arg, &q, &err);
}

/* Rule 12: two requests started at once for one student: one is open. Held
   by the student's row lock and request_member_one_open_idx. */
START_TEST(test_one_open_request_per_student)
{
    long long s = cw_student(CW_A, 13, 1, 541);
    wf_start w = {.type = "go_abroad", .student = cw_key(s), .reason = "r", .date = "2026-11-01"};
    race_pause_at("request");
    pid_t pid = race_child(start_side, &w, PAUSE);
    race_wait_paused();
    wf_start v = {.type = "go_abroad", .student = cw_key(s), .reason = "r", .date = "2026-11-02"};
    app_err err = {0};
    core_request q;
    int rc = cw_start(CW_REG_A, &v, &q, &err);
    ck_assert_int_eq(race_join(pid), 0);
    cw_fails(rc, &err, APP_ECONFLICT, "student_in_flight");
    ck_assert_int_eq(
        cw_count("SELECT count(*) FROM request_member WHERE student_id = %lld AND open", s), 1);
}
END_TEST

static int
batch_side(void *arg)
{
    app_err err = {0};
    core_request q;
    return cw_start(CW_FURONG, arg, &q, &err);
}

/* A student in a batch transfer being started gets no request of its own
   meanwhile (rule 12 over batch members). Held by the members' row locks and
   request_member_one_open_idx. */
START_TEST(test_batch_member_not_started_alone)
{
    long long s = cw_student(CW_A, 13, 1, 545);
    const char *students[] = {cw_key(s)};
    wf_start b = {.type = "batch_transfer",
                  .from_school = CW_A,
                  .to_school = CW_B,
                  .students = students,
                  .nstudents = 1};
    race_pause_at("request");
    pid_t pid = race_child(batch_side, &b, PAUSE);
    race_wait_paused();
    wf_start w = {.type = "go_abroad", .student = cw_key(s), .reason = "r", .date = "2026-11-01"};
    app_err err = {0};
    core_request q;
    int rc = cw_start(CW_REG_A, &w, &q, &err);
    ck_assert_int_eq(race_join(pid), 0);
    cw_fails(rc, &err, APP_ECONFLICT, "student_in_flight");
    ck_assert_int_eq(
        cw_count("SELECT count(*) FROM request_member WHERE student_id = %lld AND open", s), 1);
}
END_TEST

/* A step approved while the school withdraws the request: one of the two
   decides it, the other is refused. Held by the request's row lock. */
START_TEST(test_approve_or_withdraw_not_both)
{
    long long s = cw_student(CW_A, 13, 1, 551);
    wf_start w = {.type = "go_abroad", .student = cw_key(s), .reason = "r", .date = "2026-11-01"};
    long long rid = cw_start_ok(CW_REG_A, &w);
    race_pause_at("request_step");
    act_arg a = {CW_FURONG, rid, "approve", 1};
    pid_t pid = race_child(act_side, &a, PAUSE);
    race_wait_paused();
    app_err err = {0};
    int rc = cw_act(CW_REG_A, rid, "withdraw", 0, NULL, &err);
    ck_assert_int_eq(race_join(pid), 0);
    cw_fails(rc, &err, APP_ECONFLICT, "step_already_decided");
    ck_assert_int_eq(cw_count("SELECT count(*) FROM request_action WHERE request_id = %lld"
                              " AND action IN ('approve', 'withdraw')",
                              rid),
                     1);
}
END_TEST

/* Rule 24: a registration is not approved while a problem record about its
   student is being opened (a look-alike registered at once elsewhere): the
   approval waits and refuses. Held by the foreign key of problem (KEY SHARE
   on the student's row) against the approval's FOR UPDATE of that row. */
START_TEST(test_approval_waits_for_problem)
{
    core_record *first = cw_record(CW_A, 13, 1, 561);
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_A, first, &s, &q, NULL, &err);
    cw_ok(rc, &err);
    reg_arg a = {CW_REG_C, cw_twin(first, CW_C, 13, 1, 562)};
    pid_t pid = register_paused(&a);
    app_err e2 = {0};
    rc = cw_act(CW_FURONG, q.id, "approve", 1, NULL, &e2);
    ck_assert_int_eq(race_join(pid), 0);
    cw_fails(rc, &e2, APP_ECONFLICT, "student_has_problem");
    ck_assert_str_eq(cw_state(s.id), "pending");
}
END_TEST

/* A registration without a document, its last step (the province). */
static long long
no_doc_at_last_step(core_record *rec)
{
    rec->v[CORE_R_ID_TYPE] = rec->v[CORE_R_ID_NUMBER] = NULL;
    core_student s;
    core_request q;
    app_err err = {0};
    int rc = cw_register(CW_REG_A, rec, &s, &q, NULL, &err);
    cw_ok(rc, &err);
    ck_assert_int_eq(q.nsteps, 3);
    for (int i = 0; i < 2; i++)
        cw_act_ok(cw_actor_of(q.steps[i].org), q.id, "approve", i + 1, &q);
    return q.id;
}

/* J numbers (county + birth date + a sequence) given by two approvals at
   once are distinct. Held by the atomic upsert of stuno_j_seq (its row
   lock) and student_stuno_idx. */
START_TEST(test_j_numbers_distinct)
{
    core_record *r1 = cw_record(CW_A, 13, 1, 571), *r2 = cw_record(CW_A, 13, 1, 572);
    r2->v[CORE_R_BIRTH_DATE] = r1->v[CORE_R_BIRTH_DATE];
    long long q1 = no_doc_at_last_step(r1), q2 = no_doc_at_last_step(r2);
    race_pause_at("student");
    act_arg a = {CW_HUNAN, q1, "approve", 3};
    pid_t pid = race_child(act_side, &a, PAUSE);
    race_wait_paused();
    app_err err = {0};
    int rc = cw_act(CW_HUNAN, q2, "approve", 3, NULL, &err);
    ck_assert_int_eq(race_join(pid), 0);
    cw_ok(rc, &err);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM student WHERE state = 'enrolled'"
                              " AND stuno_kind = 'J'"),
                     2);
    ck_assert_int_eq(cw_count("SELECT count(DISTINCT stuno_bidx) FROM student"), 2);
    ck_assert_int_eq(cw_count("SELECT last FROM stuno_j_seq"), 2);
}
END_TEST

static int
class_side(void *arg)
{
    db_class k;
    app_err err = {0};
    return core_class_create(cw_db(), cw_op(CW_REG_A), CW_A, arg, &k, &err);
}

/* One class number of a grade at a school, even when two clerks create it
   at once: the second gets class_exists. Held by UNIQUE (school, grade, number). */
START_TEST(test_class_number_once)
{
    core_class_new in = {.grade = 12, .number = 1};
    race_pause_at("class");
    pid_t pid = race_child(class_side, &in, PAUSE);
    race_wait_paused();
    db_class k;
    app_err err = {0};
    int rc = core_class_create(cw_db(), cw_op(CW_REG_A), CW_A, &in, &k, &err);
    ck_assert_int_eq(race_join(pid), 0);
    cw_fails(rc, &err, APP_ECONFLICT, "class_exists");
    ck_assert_int_eq(
        cw_count("SELECT count(*) FROM class WHERE school = '%s' AND grade = 12", CW_A), 1);
}
END_TEST

/* Certificate numbers of one school and year, taken by two graduations at
   once: two ranges that do not meet. The child takes three and holds its
   transaction open; the parent's two come after them. Held by the atomic
   upsert of certificate_seq (and request_member_certificate_idx). */
static int
certificates_side(void *arg)
{
    int *first = arg;
    app_err err = {0};
    int rc = db_begin(cw_db(), &err);
    if (rc == 0)
        rc = db_certificate_take(cw_db(), CW_A, 2026, 3, first, &err);
    if (rc != 0)
        return rc;
    cw_exec("SELECT pg_sleep(%.3f)", PAUSE);
    return *first == 1 ? db_commit(cw_db(), &err) : APP_EINTERNAL;
}

START_TEST(test_certificate_ranges_disjoint)
{
    int child_first = 0;
    pid_t pid = race_child(certificates_side, &child_first, 0);
    race_wait_paused();
    int first = 0;
    app_err err = {0};
    int rc = db_certificate_take(cw_db(), CW_A, 2026, 2, &first, &err);
    cw_ok(rc, &err);
    ck_assert_int_eq(race_join(pid), 0); /* the child had 1..3 */
    ck_assert_int_eq(first, 4);
    ck_assert_int_eq(cw_count("SELECT last FROM certificate_seq WHERE school = '%s'", CW_A), 5);
}
END_TEST

/* ------------------------------------------------------------ versions, check-ins */

typedef struct patch_arg {
    long long id;
    int version;
    const char *phone;
} patch_arg;

static int
patch_side(void *arg)
{
    patch_arg *a = arg;
    core_record ch;
    memset(&ch, 0, sizeof(ch));
    ch.v[CORE_R_PHONE] = a->phone;
    unsigned char present[CORE_NFIELDS] = {0};
    present[CORE_R_PHONE] = 1;
    app_err err = {0};
    return cw_patch(CW_REG_A, a->id, a->version, &ch, present, NULL, &err);
}

/* Two edits of one record from the same version at once: the second is
   refused (412), not written over the first. Held by the student row lock
   and UPDATE ... WHERE version = $n. */
START_TEST(test_edit_no_lost_update)
{
    long long s = cw_student(CW_A, 13, 1, 581);
    int version = (int)cw_count("SELECT version FROM student WHERE id = %lld", s);
    patch_arg a = {s, version, "13800000001"}, b = {s, version, "13900000002"};
    race_pause_at("student");
    pid_t pid = race_child(patch_side, &a, PAUSE);
    race_wait_paused();
    int rc = patch_side(&b);
    ck_assert_int_eq(race_join(pid), 0);
    ck_assert_int_eq(rc, APP_EPRECOND);
    ck_assert_int_eq(cw_count("SELECT version FROM student WHERE id = %lld", s), version + 1);
}
END_TEST

static int
checkin_side(void *arg)
{
    const char *keys[] = {arg};
    core_checkin_result out;
    app_err err = {0};
    return core_checkin(cw_db(), cw_op(CW_REG_A), CW_A, "2026-1", keys, 1, &out, &err);
}

/* A student checked in by two clerks at once is checked in once and counted
   once. Held by PK (student_id, term) and ON CONFLICT DO NOTHING. */
START_TEST(test_checkin_once)
{
    long long s = cw_student(CW_A, 13, 1, 591);
    const char *key = cw_key(s);
    race_pause_at("checkin");
    pid_t pid = race_child(checkin_side, (void *)key, PAUSE);
    race_wait_paused();
    const char *keys[] = {key};
    core_checkin_result out;
    app_err err = {0};
    int rc = core_checkin(cw_db(), cw_op(CW_REG_A), CW_A, "2026-1", keys, 1, &out, &err);
    ck_assert_int_eq(race_join(pid), 0);
    cw_ok(rc, &err);
    ck_assert_int_eq(out.checked_in, 0);
    ck_assert_int_eq(out.already, 1);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM checkin WHERE student_id = %lld", s), 1);
}
END_TEST

static int
settings_side(void *arg)
{
    db_region_settings out;
    app_err err = {0};
    /* no user row behind the world's actors: updated_by stays NULL */
    core_actor ac = *cw_actor(CW_FURONG);
    ac.user_id = 0;
    core_op op = *cw_op(CW_FURONG);
    op.actor = &ac;
    return core_settings_put(cw_db(), &op, "430102", "{}", *(int *)arg, &out, &err);
}

/* Two bureaus' settings written from the same version at once: one wins,
   the other is refused (412). Held by UPDATE ... WHERE version = $n (or the
   first version's INSERT ... ON CONFLICT DO NOTHING). */
START_TEST(test_settings_one_version)
{
    db_region_settings cur;
    app_err err = {0};
    int rc = core_settings_get(cw_db(), cw_op(CW_FURONG), "430102", &cur, &err);
    cw_ok(rc, &err);
    int version = cur.version;
    race_pause_at("region_settings");
    pid_t pid = race_child(settings_side, &version, PAUSE);
    race_wait_paused();
    rc = settings_side(&version);
    ck_assert_int_eq(race_join(pid), 0);
    ck_assert_int_eq(rc, APP_EPRECOND);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM audit WHERE action = 'settings_update'"), 1);
}
END_TEST

/* ------------------------------------------------------------ imports */

/* A CSV in the template's columns: one row of `rec`'s name and document and
   phone `phone`. In the arena. */
static const char *
update_csv(const core_record *rec, const char *phone)
{
    const char *line[2] = {"", ""};
    for (int col = 0; col < core_template_ncols(); col++) {
        char title[128];
        core_template_title(col, title, sizeof(title));
        int f = core_template_field(col);
        const char *v = f == CORE_R_NAME        ? rec->v[CORE_R_NAME]
                        : f == CORE_R_ID_TYPE   ? rec->v[CORE_R_ID_TYPE]
                        : f == CORE_R_ID_NUMBER ? rec->v[CORE_R_ID_NUMBER]
                        : f == CORE_R_PHONE     ? phone
                                                : "";
        const char *sep = col ? "," : "";
        line[0] = app_arena_printf(cw_arena(), "%s%s\"%s\"", line[0], sep, title);
        line[1] = app_arena_printf(cw_arena(), "%s%s\"%s\"", line[1], sep, v);
    }
    return app_arena_printf(cw_arena(), "%s\n%s\n", line[0], line[1]);
}

static const char *
message_of(void *ctx, app_arena *a, long row, int column, const char *header, const char *code,
           const char *param)
{
    (void)ctx, (void)row, (void)column, (void)header, (void)param;
    return app_arena_strdup(a, code);
}

/* An update-mode import of a record that a clerk edits at the same moment:
   the row applies to the record as the edit left it, not refused with
   precondition_failed (the clerk's file names no version). The old global
   lock held this: each row's lookup was audited before its patch. Held by
   the row's lock on the record before its patch. */
START_TEST(test_import_update_after_edit)
{
    core_record *rec = cw_record(CW_A, 13, 1, 601);
    long long s = cw_enrol(CW_REG_A, cw_copy(rec));
    int version = (int)cw_count("SELECT version FROM student WHERE id = %lld", s);
    const char *csv = update_csv(rec, "13700000003");
    core_import_new in = {.mode = "update", .body = (const unsigned char *)csv, .len = strlen(csv)};
    db_import job;
    int existing = 0;
    app_err err = {0};
    int rc = core_import_job_create(cw_db(), cw_op(CW_REG_A), &in, &job, &existing, &err);
    cw_ok(rc, &err);
    int found = 0; /* claimed as a worker does: running, its upload loaded */
    rc = db_import_claim(cw_db(), 300, cw_arena(), &job, &found, &err);
    cw_ok(rc, &err);
    ck_assert(found);
    patch_arg a = {s, version, "13800000001"};
    race_pause_at("student");
    pid_t pid = race_child(patch_side, &a, PAUSE);
    race_wait_paused();
    rc = core_import_run(cw_db(), cw_op(CW_REG_A), &job, message_of, NULL, &err);
    db_import_release(&job);
    ck_assert_int_eq(race_join(pid), 0);
    cw_ok(rc, &err);
    ck_assert_msg(job.updated == 1 && job.rejected == 0, "updated %d rejected %d: %s", job.updated,
                  job.rejected,
                  cw_scalar("SELECT coalesce(string_agg(code, ','), '') FROM import_error"
                            " WHERE job = %lld",
                            job.id));
    ck_assert_int_eq(cw_count("SELECT version FROM student WHERE id = %lld", s), version + 2);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("race");
    TCase *tc = tcase_create("race");
    tcase_add_checked_fixture(tc, cw_setup, cw_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_one_identity_one_record);
    tcase_add_test(tc, test_class_limit_holds);
    tcase_add_test(tc, test_twins_at_once_open_a_problem);
    tcase_add_test(tc, test_merge_waits_for_registration);
    tcase_add_test(tc, test_class_create_waits_for_merge);
    tcase_add_test(tc, test_one_open_request_per_student);
    tcase_add_test(tc, test_batch_member_not_started_alone);
    tcase_add_test(tc, test_approve_or_withdraw_not_both);
    tcase_add_test(tc, test_approval_waits_for_problem);
    tcase_add_test(tc, test_j_numbers_distinct);
    tcase_add_test(tc, test_class_number_once);
    tcase_add_test(tc, test_certificate_ranges_disjoint);
    tcase_add_test(tc, test_edit_no_lost_update);
    tcase_add_test(tc, test_checkin_once);
    tcase_add_test(tc, test_settings_one_version);
    tcase_add_test(tc, test_import_update_after_edit);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    cw_suite_init();
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    cw_suite_done();
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
