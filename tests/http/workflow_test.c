/*
 * tests/http/workflow_test.c - the approval engine (workflow/, API.md
 * "Requests", DOMAIN §5 rules 12-19) end to end through xuejid: every
 * single-student type with the right and the wrong org, rules 12 and 13 (also
 * under a race), the actions (reject, return, resubmit, stale steps, holders),
 * two approvals of one step at once, revert (异动纠错) and GET /workflows.
 * Transfers, deadlines, atomicity, key-field changes and the request lists
 * are in tests/http/workflow_chain_test.c; batches, graduation (and its
 * revert) and problem resolutions in tests/http/workflow_batch_test.c. The
 * world is tests/lib/wfworld.h's.
 */
#include "core/pwhash.h"
#include "tests/lib/httptest.h"
#include "tests/lib/wfworld.h"

#include <check.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* After the last approval: history and the change-feed event are there. */
static void
assert_applied(long long student, long long rid, const char *kind)
{
    ck_assert_msg(history_has(FURONG, student, kind, rid), "no history %s of %lld", kind, rid);
    ck_assert_int_eq(events_of(rid, "request.decided"), 1);
    ck_assert_int_eq(events_of(rid, "request.started"), 1);
}

/* ------------------------------------------------------------ 1: single-student types */

/* Suspend (休学, with evidence, rule 19) and resume (复学), the right and the wrong orgs. */
START_TEST(test_suspend_and_resume)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    long long mine = upload_pdf(REG_A), theirs = upload_pdf(REG_B);
    char ev[64];
    ht_resp r;

    /* evidence: required, and the caller's org's own */
    start_fails(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, NULL, 422, "evidence_required");
    snprintf(ev, sizeof(ev), "[%lld]", theirs);
    start_fails(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, ev, 422, "file_not_found");
    start_fails(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, "[999999999]", 422, "file_not_found");
    /* not JPEG, PNG or PDF */
    {
        char auth[1100];
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[REG_A]);
        const char *h[] = {auth, "Content-Type: text/plain", NULL};
        ck_assert_int_eq(ht_request(srv, "POST", "/api/v1/files", h, "hello", 5, &r), 0);
        ht_assert_problem(&r, 422, "file_bad_format");
        ht_resp_free(&r);
    }
    /* a county does not start requests; a grade leader neither */
    snprintf(ev, sizeof(ev), "[%lld]", mine);
    start(FURONG, "suspend", s.id, SUSPEND_PAYLOAD, ev, &r);
    ck_assert_msg(r.status == 403 || r.status == 404, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    start(GRADE_A, "suspend", s.id, SUSPEND_PAYLOAD, ev, &r);
    ck_assert_msg(r.status == 403 || r.status == 404, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    start(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, ev, &r);
    assert_request(&r, "open", 1, COUNTY_WAITING);
    ck_assert_str_eq(ht_json_str(r.json, "school"), SCH_A);
    ck_assert_str_eq(ht_json_str(r.json, "started_org"), SCH_A);
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "payload"), "reason"), "病休");
    ck_assert_msg(ht_json_str(step_of(&r, 1), "due_at") != NULL, "%s", r.body);
    long long rid = jint(r.json, "id");
    char loc[64];
    snprintf(loc, sizeof(loc), "/api/v1/requests/%lld", rid);
    ck_assert_str_eq(ht_header(&r, "location"), loc);
    ht_resp_free(&r);
    ck_assert_str_eq(actions_of(REG_A, rid), "start");

    /* wrong orgs: the school itself, the city (not overdue), a sibling county */
    act_fails(REG_A, rid, "approve", 1, 403, "not_step_holder");
    act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
    act_fails(TIANXIN, rid, "approve", 1, 404, "request_not_found");
    act_fails(FURONG, rid, "approve", 2, 409, "step_already_decided");
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");

    act_ok(FURONG, rid, "approve", 1, "approved");
    check_request(REG_A, rid, "approved", 0, COUNTY_APPROVED);
    ck_assert_str_eq(actions_of(FURONG, rid), "start,approve");
    ck_assert_str_eq(placement(REG_A, s.id), "suspended " SCH_A " 13-1");
    assert_applied(s.id, rid, "suspend");
    ck_assert_int_eq(
        count_of("SELECT count(*) FROM request WHERE id = %lld AND evidence = '{%lld}'", rid, mine),
        1);

    /* resume: only from suspended */
    rid = start_ok(REG_A, "resume", s.id, NULL, NULL);
    act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    assert_applied(s.id, rid, "resume");
}
END_TEST

/* Withdraw (退学): senior secondary only; then restore from withdrawn. */
START_TEST(test_withdraw_senior_only)
{
    stu p, h;
    enrol(REG_A, FURONG, 13, &p);
    start_fails(REG_A, "withdraw", p.id, REASON_DATE, NULL, 422, "transition_not_allowed");

    enrol(REG_H, FURONG, 31, &h);
    /* reason and date are required */
    start_fails(REG_H, "withdraw", h.id, "{\"reason\":\"x\"}", NULL, 422, "missing_field");
    start_fails(REG_H, "withdraw", h.id, "{\"reason\":\"x\",\"date\":\"2025-02-30\"}", NULL, 422,
                "invalid_date");
    long long rid = start_ok(REG_H, "withdraw", h.id, REASON_DATE, NULL);
    check_request(REG_H, rid, "open", 1, COUNTY_WAITING);
    act_fails(REG_H, rid, "approve", 1, 403, "not_step_holder");
    act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_H, h.id), "withdrawn " SCH_H " 31-1");
    assert_applied(h.id, rid, "withdraw");

    rid = start_ok(REG_H, "restore", h.id, NULL, NULL);
    act_fails(TIANXIN, rid, "approve", 1, 404, "request_not_found");
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_H, h.id), "enrolled " SCH_H " 31-1");
    assert_applied(h.id, rid, "restore");
}
END_TEST

/* go_abroad, leave_other, missing, drop_out, each then restored (恢复). */
START_TEST(test_leave_types_and_restore)
{
    static const struct {
        const char *type, *state;
    } leave[] = {{"go_abroad", "abroad"},
                 {"leave_other", "left_other"},
                 {"missing", "missing"},
                 {"drop_out", "dropped_out"}};
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    for (size_t i = 0; i < sizeof(leave) / sizeof(leave[0]); i++) {
        long long rid = start_ok(REG_A, leave[i].type, s.id, REASON_DATE, NULL);
        check_request(FURONG, rid, "open", 1, COUNTY_WAITING);
        act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
        act_fails(REG_A, rid, "approve", 1, 403, "not_step_holder");
        act_ok(FURONG, rid, "approve", 1, "approved");
        char want[96];
        snprintf(want, sizeof(want), "%s " SCH_A " 13-1", leave[i].state);
        ck_assert_str_eq(placement(REG_A, s.id), want);
        assert_applied(s.id, rid, leave[i].type);
        /* rule 13: only restore from here */
        start_fails(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, "[1]", 422, "transition_not_allowed");

        rid = start_ok(REG_A, "restore", s.id, NULL, NULL);
        act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
        act_ok(FURONG, rid, "approve", 1, "approved");
        ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
        assert_applied(s.id, rid, "restore");
    }
    /* drop_out needs {reason, date} */
    start_fails(REG_A, "drop_out", s.id, "{\"date\":\"2025-03-01\"}", NULL, 422, "missing_field");
    start_fails(REG_A, "drop_out", s.id, "{\"reason\":\"x\",\"date\":\"2025-03-01\",\"x\":1}", NULL,
                422, "unknown_field");
}
END_TEST

/* Decease: final; restore is not allowed from deceased. */
START_TEST(test_decease)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    long long rid = start_ok(REG_A, "decease", s.id, REASON_DATE, NULL);
    act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "deceased " SCH_A " 13-1");
    assert_applied(s.id, rid, "decease");
    start_fails(REG_A, "restore", s.id, NULL, NULL, 422, "transition_not_allowed");
}
END_TEST

/* Grade change (调整年级): the class must exist; grade and class move. */
START_TEST(test_grade_change)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    start_fails(REG_A, "grade_change", s.id, "{\"grade\":\"14\",\"class\":5}", NULL, 422,
                "class_not_found");
    start_fails(REG_A, "grade_change", s.id, "{\"grade\":\"31\",\"class\":1}", NULL, 422,
                "grade_not_in_school");
    start_fails(REG_A, "grade_change", s.id, "{\"class\":1}", NULL, 422, "missing_field");
    long long rid = start_ok(REG_A, "grade_change", s.id, "{\"grade\":\"14\",\"class\":1}", NULL);
    act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 14-1");
    assert_applied(s.id, rid, "grade_change");
    /* back to grade 13, class 2 (a number: the payload takes both) */
    rid = start_ok(REG_A, "grade_change", s.id, "{\"grade\":13,\"class\":2}", NULL);
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-2");
}
END_TEST

/* A school managed by the city: its single steps go to 长沙市, not 芙蓉区. */
START_TEST(test_city_managed_school)
{
    stu s;
    enrol(REG_D, CHANGSHA, 13, &s);
    long long rid = start_ok(REG_D, "go_abroad", s.id, REASON_DATE, NULL);
    check_request(REG_D, rid, "open", 1, STEPS("430100:waiting"));
    act_fails(FURONG, rid, "approve", 1, 404, "request_not_found");
    act_fails(HUNAN, rid, "approve", 1, 403, "not_step_holder");
    act_ok(CHANGSHA, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_D, s.id), "abroad " SCH_D " 13-1");
    ck_assert(history_has(CHANGSHA, s.id, "go_abroad", rid));
}
END_TEST

/* ------------------------------------------------------------ 2: rules 12 and 13 */

START_TEST(test_rules_12_and_13)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    /* rule 13 */
    start_fails(REG_A, "resume", s.id, NULL, NULL, 422, "transition_not_allowed");
    start_fails(REG_A, "restore", s.id, NULL, NULL, 422, "transition_not_allowed");
    start_fails(REG_A, "registration", s.id, NULL, NULL, 422, "invalid_request_type");
    start_fails(REG_A, "no_such_type", s.id, NULL, NULL, 422, "invalid_request_type");
    /* rule 12: one open request */
    long long rid = start_ok(REG_A, "missing", s.id, REASON_DATE, NULL);
    start_fails(REG_A, "go_abroad", s.id, REASON_DATE, NULL, 409, "student_in_flight");
    /* also while returned */
    act_ok(FURONG, rid, "return", 1, "returned");
    start_fails(REG_A, "go_abroad", s.id, REASON_DATE, NULL, 409, "student_in_flight");
    act_ok(REG_A, rid, "withdraw", 0, "withdrawn");
    rid = start_ok(REG_A, "go_abroad", s.id, REASON_DATE, NULL);
    act_ok(REG_A, rid, "withdraw", 0, "withdrawn");
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    /* a student of another school is not found */
    start_fails(REG_B, "go_abroad", s.id, REASON_DATE, NULL, 404, "student_not_found");
}
END_TEST

typedef struct race {
    ht_server *srv;
    int who;
    long long rid, student;
    const char *type;
    long status;
    char code[64];
} race;

static void *
race_start(void *arg)
{
    race *x = arg;
    char body[256], auth[1100];
    snprintf(body, sizeof(body), "{\"type\":\"%s\",\"student\":%lld,\"payload\":" REASON_DATE "}",
             x->type, x->student);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[x->who]);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    ht_resp r;
    x->status = -1;
    x->code[0] = '\0';
    if (ht_request(x->srv, "POST", "/api/v1/requests", h, body, strlen(body), &r) != 0)
        return NULL;
    x->status = r.status;
    if (r.status == 201)
        x->rid = json_integer_value(json_object_get(r.json, "id"));
    else if (r.json && ht_json_str(r.json, "code"))
        snprintf(x->code, sizeof(x->code), "%s", ht_json_str(r.json, "code"));
    ht_resp_free(&r);
    return NULL;
}

static void *
race_approve(void *arg)
{
    race *x = arg;
    char path[96], auth[1100];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", x->rid);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[x->who]);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    const char *body = "{\"action\":\"approve\",\"step\":1}";
    ht_resp r;
    x->status = -1;
    x->code[0] = '\0';
    if (ht_request(x->srv, "POST", path, h, body, strlen(body), &r) != 0)
        return NULL;
    x->status = r.status;
    if (r.status != 200 && r.json && ht_json_str(r.json, "code"))
        snprintf(x->code, sizeof(x->code), "%s", ht_json_str(r.json, "code"));
    ht_resp_free(&r);
    return NULL;
}

/* Run `fn` on two threads at once over a and b. */
static void
twice(void *(*fn)(void *), race *a, race *b)
{
    pthread_t ta, tb;
    ck_assert_int_eq(pthread_create(&ta, NULL, fn, a), 0);
    ck_assert_int_eq(pthread_create(&tb, NULL, fn, b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
}

/* Rule 12 under a race: two starts at once give one 201 and one 409. */
START_TEST(test_concurrent_starts)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    for (int round = 0; round < 10; round++) {
        race a = {srv, REG_A, 0, s.id, "go_abroad", 0, ""};
        race b = {srv, REG_A, 0, s.id, round % 2 ? "missing" : "leave_other", 0, ""};
        twice(race_start, &a, &b);
        race *won = a.status == 201 ? &a : &b, *lost = a.status == 201 ? &b : &a;
        ck_assert_msg(won->status == 201 && lost->status == 409 &&
                          strcmp(lost->code, "student_in_flight") == 0,
                      "round %d: %ld %s / %ld %s", round, a.status, a.code, b.status, b.code);
        ck_assert_int_eq(count_of("SELECT count(*) FROM request WHERE student_id = %lld"
                                  " AND state IN ('open', 'returned')",
                                  s.id),
                         1);
        act_ok(REG_A, won->rid, "withdraw", 0, "withdrawn");
    }
}
END_TEST

/* ------------------------------------------------------------ 4: actions */

START_TEST(test_actions)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);

    /* reject ends the request; the student is unchanged */
    long long rid = start_ok(REG_A, "leave_other", s.id, REASON_DATE, NULL);
    act_fails(CHANGSHA, rid, "reject", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "reject", 1, "rejected");
    check_request(REG_A, rid, "rejected", 0, STEPS("430102:rejected"));
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    act_fails(FURONG, rid, "approve", 1, 409, "step_already_decided");
    act_fails(REG_A, rid, "withdraw", 0, 409, "step_already_decided");
    ck_assert_int_eq(events_of(rid, "request.decided"), 1);

    /* return: back to the starter */
    rid = start_ok(REG_A, "leave_other", s.id, REASON_DATE, NULL);
    act_ok(FURONG, rid, "return", 1, "returned");
    check_request(REG_A, rid, "returned", 1, STEPS("430102:returned"));
    act_fails(FURONG, rid, "approve", 1, 409, "step_already_decided");
    act_fails(FURONG, rid, "reject", 1, 409, "step_already_decided");
    /* only the starter resubmits: not the county, not another school, not a grade leader */
    act_fails(FURONG, rid, "resubmit", 0, 403, "not_request_starter");
    {
        ht_resp r;
        act(GRADE_A, rid, "resubmit", 0, &r);
        ck_assert_msg(r.status == 403 || r.status == 404, "%ld %s", r.status, r.body);
        ht_resp_free(&r);
    }
    act_ok(REG_A, rid, "resubmit", 0, "open");
    check_request(REG_A, rid, "open", 1, COUNTY_WAITING);
    act_fails(REG_A, rid, "resubmit", 0, 409, "step_already_decided");
    /* a stale step, a step out of range, an unknown action, no step */
    act_fails(FURONG, rid, "approve", 2, 409, "step_already_decided");
    act_fails(FURONG, rid, "approve", 7, 409, "step_already_decided");
    act_fails(FURONG, rid, "bless", 1, 422, "invalid_action");
    {
        char path[96];
        snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", rid);
        call_fails("POST", path, FURONG, "{\"action\":\"approve\"}", 422, "missing_field");
    }
    /* a grade leader of the school neither sees nor acts (visible(): registrars only) */
    {
        ht_resp r;
        get_request(GRADE_A, rid, &r);
        ht_assert_problem(&r, 404, "request_not_found");
        ht_resp_free(&r);
        act(GRADE_A, rid, "approve", 1, &r);
        ck_assert_msg(r.status == 404 || r.status == 403, "%ld %s", r.status, r.body);
        ht_resp_free(&r);
        get_request(TIANXIN, rid, &r);
        ht_assert_problem(&r, 404, "request_not_found");
        ht_resp_free(&r);
        get_request(REG_B, rid, &r);
        ht_assert_problem(&r, 404, "request_not_found");
        ht_resp_free(&r);
        call_fails("GET", "/api/v1/requests/0", FURONG, NULL, 404, "request_not_found");
    }
    act_ok(FURONG, rid, "approve", 1, "approved");
    act_fails(FURONG, rid, "approve", 1, 409, "step_already_decided");
    act_fails(REG_A, rid, "withdraw", 0, 409, "step_already_decided");
    ck_assert_str_eq(actions_of(REG_A, rid), "start,return,resubmit,approve");
    ck_assert_str_eq(placement(REG_A, s.id), "left_other " SCH_A " 13-1");
}
END_TEST

/* ------------------------------------------------------------ 5: two approvals at once */

START_TEST(test_concurrent_approvals)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    int won_a = 0;
    for (int round = 0; round < 100; round++) {
        /* enrolled -> abroad -> enrolled -> ... */
        const char *type = round % 2 ? "restore" : "go_abroad";
        long long rid = start_ok(REG_A, type, s.id, round % 2 ? NULL : REASON_DATE, NULL);
        race a = {srv, FURONG, rid, s.id, type, 0, ""}, b = a;
        twice(race_approve, &a, &b);
        race *won = a.status == 200 ? &a : &b, *lost = a.status == 200 ? &b : &a;
        ck_assert_msg(won->status == 200 && lost->status == 409 &&
                          strcmp(lost->code, "step_already_decided") == 0,
                      "round %d: %ld %s / %ld %s", round, a.status, a.code, b.status, b.code);
        won_a += a.status == 200;
        ck_assert_int_eq(count_of("SELECT count(*) FROM request_action WHERE request_id = %lld"
                                  " AND action = 'approve'",
                                  rid),
                         1);
    }
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    ck_assert_int_eq(count_of("SELECT count(*) FROM student_history WHERE student_id = %lld"
                              " AND kind IN ('go_abroad', 'restore')",
                              s.id),
                     100);
}
END_TEST

/* ------------------------------------------------------------ 8: revert */

START_TEST(test_revert)
{
    stu s, t;
    enrol(REG_A, FURONG, 13, &s);
    enrol(REG_A, FURONG, 13, &t);
    char ev[32];
    snprintf(ev, sizeof(ev), "[%lld]", upload_pdf(REG_A));
    long long rid = start_ok(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, ev);
    long long open = start_ok(REG_A, "missing", t.id, REASON_DATE, NULL);
    char path[96];
    ht_resp r;
    /* only what was applied */
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", open);
    call_fails("POST", path, FURONG, "{}", 422, "not_revertible");
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    call_fails("POST", path, FURONG, "{}", 422, "not_revertible");
    act_ok(FURONG, open, "reject", 1, "rejected");
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", open);
    call_fails("POST", path, FURONG, "{}", 422, "not_revertible");

    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "suspended " SCH_A " 13-1");
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    /* county or above, over the school */
    call_fails("POST", path, REG_A, "{}", 403, "forbidden");
    call("POST", path, TIANXIN, "{}", &r);
    ck_assert_msg(r.status == 403 || r.status == 404, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    call("POST", path, FURONG, "{\"comment\":\"误操作\"}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "reverted");
    ht_resp_free(&r);
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    ck_assert(history_has(FURONG, s.id, "suspend", rid));
    ck_assert(history_has(FURONG, s.id, "revert", rid));
    ck_assert_int_eq(events_of(rid, "request.reverted"), 1);
    ck_assert_str_eq(actions_of(FURONG, rid), "start,approve,revert");
    call_fails("POST", path, FURONG, "{}", 422, "not_revertible");
    /* the city is above the school too */
    rid = start_ok(REG_A, "grade_change", s.id, "{\"grade\":\"14\",\"class\":1}", NULL);
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 14-1");
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    call("POST", path, CHANGSHA, "{}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
}
END_TEST

/* Rule 18 for every type that sets a state: the revert puts the state back
   and both entries stay in the history. */
static void
approve_then_revert(int reg, long long sid, const char *type, const char *payload,
                    const char *evidence, const char *applied, const char *back)
{
    long long rid = start_ok(reg, type, sid, payload, evidence);
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_msg(strncmp(placement(FURONG, sid), applied, strlen(applied)) == 0, "%s: %s", type,
                  placement(FURONG, sid));
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    ht_resp r;
    call("POST", path, FURONG, "{}", &r);
    ck_assert_msg(r.status == 200, "revert %s: %ld %s", type, r.status, r.body);
    ht_resp_free(&r);
    ck_assert_msg(strncmp(placement(FURONG, sid), back, strlen(back)) == 0, "%s reverted: %s", type,
                  placement(FURONG, sid));
    ck_assert(history_has(FURONG, sid, type, rid));
    ck_assert(history_has(FURONG, sid, "revert", rid));
}

START_TEST(test_revert_state_types)
{
    static const struct {
        const char *type, *to;
    } leave[] = {{"decease", "deceased "},
                 {"go_abroad", "abroad "},
                 {"leave_other", "left_other "},
                 {"missing", "missing "},
                 {"drop_out", "dropped_out "}};
    for (size_t i = 0; i < sizeof(leave) / sizeof(leave[0]); i++) {
        stu s;
        enrol(REG_A, FURONG, 13, &s);
        approve_then_revert(REG_A, s.id, leave[i].type, REASON_DATE, NULL, leave[i].to,
                            "enrolled ");
    }
    stu h;
    enrol(REG_H, FURONG, 31, &h);
    approve_then_revert(REG_H, h.id, "withdraw", REASON_DATE, NULL, "withdrawn ", "enrolled ");
    /* restore (恢复) and resume (复学) go back to the state they left */
    stu d;
    enrol(REG_A, FURONG, 13, &d);
    act_ok(FURONG, start_ok(REG_A, "drop_out", d.id, REASON_DATE, NULL), "approve", 1, "approved");
    approve_then_revert(REG_A, d.id, "restore", "{}", NULL, "enrolled ", "dropped_out ");
    stu p;
    enrol(REG_A, FURONG, 13, &p);
    char ev[32];
    snprintf(ev, sizeof(ev), "[%lld]", upload_pdf(REG_A));
    act_ok(FURONG, start_ok(REG_A, "suspend", p.id, SUSPEND_PAYLOAD, ev), "approve", 1, "approved");
    approve_then_revert(REG_A, p.id, "resume", "{}", NULL, "enrolled ", "suspended ");
}
END_TEST

/* ------------------------------------------------------------ 10: definitions */

START_TEST(test_workflows)
{
    static const char *const types[] = {"registration",
                                        "transfer",
                                        "suspend",
                                        "resume",
                                        "withdraw",
                                        "decease",
                                        "go_abroad",
                                        "leave_other",
                                        "missing",
                                        "drop_out",
                                        "restore",
                                        "grade_change",
                                        "key_field_change",
                                        "graduation_revert",
                                        "batch_transfer",
                                        "graduation",
                                        "problem_resolution",
                                        NULL};
    ht_resp r;
    call("GET", "/api/v1/workflows", -1, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    json_t *items = json_object_get(r.json, "items");
    for (const char *const *t = types; *t; t++) {
        const json_t *d = NULL, *x;
        size_t i;
        json_array_foreach(items, i, x) if (strcmp(ht_json_str(x, "type"), *t) == 0) d = x;
        ck_assert_msg(d != NULL, "no workflow %s in %s", *t, r.body);
        ck_assert_msg(json_array_size(json_object_get(d, "steps")) >= 1, "%s has no steps", *t);
        /* every holder kind has a name (a kind the table misses would be null) */
        const json_t *st;
        size_t k;
        json_array_foreach(json_object_get(d, "steps"), k, st)
            ck_assert_msg(ht_json_str(st, "holder") != NULL, "%s step %zu", *t, k);
        ck_assert_ptr_nonnull(
            ht_json_str(json_array_get(json_object_get(d, "steps"), 0), "holder"));
        ck_assert_ptr_nonnull(ht_json_str(d, "label"));
        ck_assert(json_array_size(json_object_get(d, "from_states")) >= 1);
    }
    const json_t *x;
    size_t i;
    json_array_foreach(items, i, x)
    {
        const char *t = ht_json_str(x, "type");
        if (strcmp(t, "suspend") == 0 || strcmp(t, "key_field_change") == 0)
            ck_assert(json_is_true(json_object_get(x, "evidence_required")));
        if (strcmp(t, "withdraw") == 0)
            ck_assert(json_is_true(json_object_get(x, "senior_secondary_only")));
        if (strcmp(t, "transfer") == 0) {
            ck_assert_str_eq(ht_json_str(x, "started_by"), "receiving_school");
            ck_assert_int_eq(json_array_size(json_object_get(x, "steps")), 5);
        }
    }
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ the suite */

static Suite *
workflow_suite(void)
{
    Suite *s = suite_create("http-workflow");
    TCase *tc = wf_tcase("types", 120);
    tcase_add_test(tc, test_suspend_and_resume);
    tcase_add_test(tc, test_withdraw_senior_only);
    tcase_add_test(tc, test_leave_types_and_restore);
    tcase_add_test(tc, test_decease);
    tcase_add_test(tc, test_grade_change);
    tcase_add_test(tc, test_city_managed_school);
    tcase_add_test(tc, test_rules_12_and_13);
    tcase_add_test(tc, test_actions);
    tcase_add_test(tc, test_revert);
    tcase_add_test(tc, test_revert_state_types);
    tcase_add_test(tc, test_workflows);
    suite_add_tcase(s, tc);

    tc = wf_tcase("races", 300);
    tcase_add_test(tc, test_concurrent_starts);
    tcase_add_test(tc, test_concurrent_approvals);
    suite_add_tcase(s, tc);

    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(workflow_suite(), close_db);
}
