/*
 * tests/http/workflow_chain_test.c - the approval engine (workflow/, API.md
 * "Requests", DOMAIN §5 rules 14-18, §7 rule 26), second part: transfer
 * chains (same authority, different authorities, across provinces), the
 * transfer blackout, deadlines and escalation to the holder's superior
 * (强制干预), atomicity of the last approval under an injected fault, key-field
 * changes and the request lists. Single-student types, rules 12-13, actions,
 * races, revert and GET /workflows are in
 * tests/http/workflow_test.c, whose world (schools, classes, accounts) this
 * suite shares:
 *   A 2143019301 小学 in 芙蓉区 430102 (authority 430102), classes 13-1, 13-2, 14-1
 *   B 2143019302 小学 in 芙蓉区 too (same authority), classes 13-1, 13-2
 *   C 2143019303 小学 in 天心区 430103 (another county of 长沙 430100), class 13-1
 *   D 2143019304 小学 in 芙蓉区, managed by the city 430100 directly, class 13-1
 *   H 3443019301 高级中学 in 芙蓉区 (authority 430102), class 31-1
 *   J 2136019301 小学 in 东湖区 360102 (江西 360000), class 13-1
 * Extra servers on the same database: one whose registry date
 * (XUEJI_TODAY) is 30 days back, one on 07-20 (the blackout), one with
 * XUEJI_TEST_FAULT=after_effect.
 */
#include "core/pwhash.h"
#include "tests/lib/httptest.h"
#include "tests/lib/wfworld.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------ helpers of this part */

/* Today in China (UTC+8) moved by `days`, as YYYY-MM-DD. */
static void
china_date(int days, char out[16])
{
    time_t t = time(NULL) + 8 * 3600 + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

/* The full student number, revealed by `reg` (the sending school's registrar). */
static void
full_number(int reg, long long id, char out[32])
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/students/%lld?reveal=id_number", id);
    ht_resp r;
    call("GET", path, reg, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    snprintf(out, 32, "%s", ht_json_str(r.json, "student_number"));
    ht_resp_free(&r);
    ck_assert_msg(out[0] == 'G' && strlen(out) == 19, "student number %s", out);
}

/* The status of GET /students/{id} as `who`. */
static long
student_status(int who, long long id)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/students/%lld", id);
    ht_resp r;
    call("GET", path, who, NULL, &r);
    long st = r.status;
    ht_resp_free(&r);
    return st;
}

/* The province's settings: province_approves_transfers = true (as its account). */
static void
province_approves_transfers(int who, const char *region)
{
    char path[96], auth[1100], im[64];
    snprintf(path, sizeof(path), "/api/v1/regions/%s/settings", region);
    ht_resp r;
    call("GET", path, who, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    snprintf(im, sizeof(im), "If-Match: %s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[who]);
    const char *h[] = {auth, "Content-Type: application/json", im, NULL};
    const char *body = "{\"settings\":{\"province_approves_transfers\":true}}";
    ck_assert_int_eq(ht_request(srv, "PUT", path, h, body, strlen(body), &r), 0);
    ck_assert_msg(r.status == 200, "PUT %s: %ld %s", path, r.status, r.body);
    ht_resp_free(&r);
}

/* The item of request `rid` in GET `query` as `who` (all pages), or NULL; the
   caller decrefs. */
static json_t *
list_find(int who, const char *query, long long rid)
{
    char path[256], cursor[32] = "";
    for (int page = 0; page < 50; page++) {
        snprintf(path, sizeof(path), "/api/v1/requests?%s&limit=100%s%s", query,
                 cursor[0] ? "&cursor=" : "", cursor);
        ht_resp r;
        call("GET", path, who, NULL, &r);
        ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
        json_t *found = NULL, *x;
        size_t i;
        json_array_foreach(json_object_get(r.json, "items"), i, x) if (jint(x, "id") == rid) found =
            json_incref(x);
        const char *next = ht_json_str(r.json, "next_cursor");
        snprintf(cursor, sizeof(cursor), "%s", next ? next : "");
        ht_resp_free(&r);
        if (found || cursor[0] == '\0')
            return found;
    }
    return NULL;
}

static int
listed(int who, const char *query, long long rid)
{
    json_t *x = list_find(who, query, rid);
    json_decref(x);
    return x != NULL;
}

/* ------------------------------------------------------------ 3: transfers */

/* (a) Same authority: sending school, then the county once; then a revert. */
START_TEST(test_transfer_same_authority)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char num[32];
    full_number(REG_A, s.id, num);
    ht_resp r;

    /* the receiving school is the caller; a transfer names the student by number */
    start_on(srv, REG_C, "transfer", num, "{\"to_school\":\"" SCH_B "\"}", NULL, &r);
    ht_assert_problem(&r, 422, "to_school_not_caller");
    ht_resp_free(&r);
    start_fails(REG_B, "transfer", s.id, "{\"to_school\":\"" SCH_B "\"}", NULL, 404,
                "student_not_found");
    start_on(srv, REG_A, "transfer", num, "{\"to_school\":\"" SCH_A "\"}", NULL, &r);
    ht_assert_problem(&r, 422, "transition_not_allowed");
    ht_resp_free(&r);
    start_on(srv, REG_B, "transfer", num, "{\"to_school\":\"" SCH_B "\",\"class\":9}", NULL, &r);
    ht_assert_problem(&r, 422, "class_not_found");
    ht_resp_free(&r);
    ck_assert_int_eq(student_status(REG_B, s.id), 404); /* not a party yet */

    start_on(srv, REG_B, "transfer", num, "{\"to_school\":\"" SCH_B "\",\"class\":2}", NULL, &r);
    assert_request(&r, "open", 1, STEPS(SCH_A ":waiting", "430102:pending"));
    ck_assert_str_eq(ht_json_str(r.json, "school"), SCH_A);
    ck_assert_str_eq(ht_json_str(r.json, "started_org"), SCH_B);
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    /* rule 12 holds for transfers too */
    start_fails(REG_A, "go_abroad", s.id, REASON_DATE, NULL, 409, "student_in_flight");
    /* rule 26: the receiving school sees the record while the transfer is open */
    ck_assert_int_eq(student_status(REG_B, s.id), 200);
    ck_assert_int_eq(student_status(REG_C, s.id), 404);

    act_fails(FURONG, rid, "approve", 1, 403, "not_step_holder");
    act_fails(REG_B, rid, "approve", 1, 403, "not_step_holder");
    act_ok(REG_A, rid, "approve", 1, "open");
    check_request(REG_B, rid, "open", 2, STEPS(SCH_A ":approved", "430102:waiting"));
    act_fails(REG_A, rid, "approve", 1, 409, "step_already_decided");
    act_fails(REG_A, rid, "approve", 2, 403, "not_step_holder");
    /* rule 15: only the receiving school withdraws */
    act_fails(REG_A, rid, "withdraw", 0, 403, "not_request_starter");
    act_ok(FURONG, rid, "approve", 2, "approved");
    check_request(REG_B, rid, "approved", 0, STEPS(SCH_A ":approved", "430102:approved"));
    act_fails(REG_B, rid, "withdraw", 0, 409, "step_already_decided");

    /* at the receiving school: grade kept, class from the payload */
    ck_assert_str_eq(placement(REG_B, s.id), "enrolled " SCH_B " 13-2");
    ck_assert_int_eq(student_status(REG_A, s.id), 404);
    ck_assert(history_has(FURONG, s.id, "transfer", rid));
    ck_assert_int_eq(events_of(rid, "request.decided"), 2);
    ck_assert_str_eq(actions_of(REG_B, rid), "start,approve,approve");

    /* 异动纠错: the county puts the student back */
    call_fails("POST", "/api/v1/requests/0/revert", FURONG, "{}", 404, "request_not_found");
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    call_fails("POST", path, REG_B, "{}", 403, "forbidden");
    call("POST", path, FURONG, "{\"comment\":\"转错了\"}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "reverted");
    ht_resp_free(&r);
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    ck_assert(history_has(FURONG, s.id, "revert", rid));
    ck_assert(history_has(FURONG, s.id, "transfer", rid));
}
END_TEST

/* (b) Different authorities: receiving authority, sending school, sending authority. */
START_TEST(test_transfer_other_county)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char num[32];
    full_number(REG_A, s.id, num);
    ht_resp r;
    start_on(srv, REG_C, "transfer", num, "{}", NULL, &r); /* to_school defaults to the caller */
    assert_request(&r, "open", 1, STEPS("430103:waiting", SCH_A ":pending", "430102:pending"));
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    act_fails(FURONG, rid, "approve", 1, 403, "not_step_holder");
    act_fails(REG_A, rid, "approve", 1, 403, "not_step_holder");
    act_ok(TIANXIN, rid, "approve", 1, "open");
    act_fails(TIANXIN, rid, "approve", 2, 403, "not_step_holder");
    act_ok(REG_A, rid, "approve", 2, "open");
    act_fails(TIANXIN, rid, "approve", 3, 403, "not_step_holder");
    act_fails(FURONG, rid, "approve", 2, 409, "step_already_decided");
    act_ok(FURONG, rid, "approve", 3, "approved");
    check_request(REG_C, rid, "approved", 0,
                  STEPS("430103:approved", SCH_A ":approved", "430102:approved"));
    ck_assert_str_eq(placement(REG_C, s.id), "enrolled " SCH_C " 13-1");
    ck_assert_int_eq(student_status(REG_A, s.id), 404);
    ck_assert_int_eq(student_status(FURONG, s.id), 404);
    ck_assert_int_eq(student_status(TIANXIN, s.id), 200);
}
END_TEST

/* (b) A school the city manages directly; withdrawn by the receiving school. */
START_TEST(test_transfer_city_school_withdrawn)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char num[32];
    full_number(REG_A, s.id, num);
    ht_resp r;
    start_on(srv, REG_D, "transfer", num, "{\"to_school\":\"" SCH_D "\",\"grade\":\"13\"}", NULL,
             &r);
    assert_request(&r, "open", 1, STEPS("430100:waiting", SCH_A ":pending", "430102:pending"));
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    ck_assert_int_eq(student_status(REG_D, s.id), 200);
    act_ok(CHANGSHA, rid, "approve", 1, "open");
    act_ok(REG_A, rid, "approve", 2, "open");
    act_fails(REG_A, rid, "withdraw", 0, 403, "not_request_starter");
    act_fails(FURONG, rid, "withdraw", 0, 403, "not_request_starter");
    act_ok(REG_D, rid, "withdraw", 0, "withdrawn");
    check_request(REG_A, rid, "withdrawn", 0, NULL);
    act_fails(FURONG, rid, "approve", 3, 409, "step_already_decided");
    /* the party's view ends with the transfer */
    ck_assert_int_eq(student_status(REG_D, s.id), 404);
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    ck_assert_str_eq(actions_of(REG_A, rid), "start,approve,approve,withdraw");
    /* and the student is free for a new request */
    long long again = start_ok(REG_A, "missing", s.id, REASON_DATE, NULL);
    act_ok(REG_A, again, "withdraw", 0, "withdrawn");
}
END_TEST

/* (c) Across provinces, both of which approve transfers by their settings. */
START_TEST(test_transfer_across_provinces)
{
    province_approves_transfers(HUNAN, "430000");
    province_approves_transfers(JIANGXI, "360000");
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char num[32];
    full_number(REG_A, s.id, num);
    ht_resp r;
    start_on(srv, REG_J, "transfer", num, "{\"to_school\":\"" SCH_J "\",\"class\":1}", NULL, &r);
    assert_request(&r, "open", 1,
                   STEPS("360102:waiting", "360000:pending", SCH_A ":pending", "430102:pending",
                         "430000:pending"));
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    static const int holder[] = {DONGHU, JIANGXI, REG_A, FURONG, HUNAN};
    for (int step = 1; step <= 5; step++) {
        int wrong = holder[step % 5]; /* another party of the chain */
        act_fails(wrong, rid, "approve", step, 403, "not_step_holder");
        act_ok(holder[step - 1], rid, "approve", step, step == 5 ? "approved" : "open");
    }
    ck_assert_str_eq(placement(REG_J, s.id), "enrolled " SCH_J " 13-1");
    ck_assert_int_eq(student_status(REG_A, s.id), 404);
    ck_assert_int_eq(student_status(HUNAN, s.id), 404);
    ck_assert_int_eq(student_status(JIANGXI, s.id), 200);
    ck_assert(history_has(DONGHU, s.id, "transfer", rid));
}
END_TEST

/* Rule 16: no new transfer from 07-15 to 08-14; one in flight continues. */
START_TEST(test_transfer_blackout)
{
    stu s, t;
    enrol(REG_A, FURONG, 13, &s);
    enrol(REG_A, FURONG, 13, &t);
    char num[32], today[16], env[40];
    full_number(REG_A, s.id, num);
    long long inflight;
    {
        char tnum[32];
        full_number(REG_A, t.id, tnum);
        ht_resp r;
        start_on(srv, REG_B, "transfer", tnum, "{}", NULL, &r);
        ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
        inflight = jint(r.json, "id");
        ht_resp_free(&r);
    }
    china_date(0, today);
    snprintf(env, sizeof(env), "XUEJI_TODAY=%.4s-07-20", today);
    ht_server *b = server_with(env);
    ht_resp r;
    start_on(b, REG_B, "transfer", num, "{}", NULL, &r);
    ht_assert_problem(&r, 409, "transfer_blackout");
    ht_resp_free(&r);
    /* other requests go on, and so does the transfer in flight */
    act_on(b, REG_A, inflight, "approve", 1, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    act_on(b, FURONG, inflight, "approve", 2, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "approved");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_server_stop(b), 0);
    /* the same start on the real date */
    start_on(srv, REG_B, "transfer", num, "{}", NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ 6: deadlines */

/* Rule 14: an overdue step stays with its holder, flagged, and is escalated to
   the holder's superior, which may force a decision. */
START_TEST(test_overdue_escalation)
{
    stu s, t;
    enrol(REG_A, FURONG, 13, &s);
    enrol(REG_A, FURONG, 13, &t);
    char past[16], env[40];
    china_date(-30, past);
    snprintf(env, sizeof(env), "XUEJI_TODAY=%s", past);
    ht_server *p = server_with(env);
    char key[24];
    snprintf(key, sizeof(key), "%lld", s.id);
    ht_resp r;
    start_on(p, REG_A, "go_abroad", key, REASON_DATE, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long rid = jint(r.json, "id");
    char due[32];
    snprintf(due, sizeof(due), "%s", ht_json_str(step_of(&r, 1), "due_at"));
    ht_resp_free(&r);
    ck_assert_int_eq(ht_server_stop(p), 0);
    ck_assert_int_eq(count_of("SELECT count(*) FROM request_step WHERE request_id = %lld"
                              " AND due_at < now()",
                              rid),
                     1);
    long long fresh = start_ok(REG_A, "go_abroad", t.id, REASON_DATE, NULL);

    /* the holder: flagged */
    json_t *x = list_find(FURONG, "box=todo", rid);
    ck_assert_msg(x != NULL, "not in the holder's todo");
    ck_assert(json_is_true(json_object_get(x, "overdue")));
    ck_assert(json_is_false(json_object_get(x, "escalated")));
    ck_assert_str_eq(ht_json_str(x, "due_at"), due);
    json_decref(x);
    /* the superior: escalated; not a fresh request */
    x = list_find(CHANGSHA, "box=todo", rid);
    ck_assert_msg(x != NULL, "not in the superior's todo");
    ck_assert(json_is_true(json_object_get(x, "overdue")));
    ck_assert(json_is_true(json_object_get(x, "escalated")));
    json_decref(x);
    ck_assert(!listed(CHANGSHA, "box=todo", fresh));
    ck_assert(!listed(HUNAN, "box=todo", rid));
    ck_assert(!listed(TIANXIN, "box=todo", rid));
    act_fails(CHANGSHA, fresh, "approve", 1, 403, "not_step_holder");

    /* neither a sibling county nor the province forces it */
    act(TIANXIN, rid, "approve", 1, &r);
    ck_assert_msg(r.status == 404 || r.status == 403, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    act_fails(HUNAN, rid, "approve", 1, 403, "not_step_holder");
    /* the superior does (强制干预) */
    act_ok(CHANGSHA, rid, "approve", 1, "approved");
    ck_assert_str_eq(actions_of(CHANGSHA, rid), "start,forced_approve");
    ck_assert_int_eq(count_of("SELECT count(*) FROM request_step WHERE request_id = %lld"
                              " AND forced AND state = 'approved'",
                              rid),
                     1);
    ck_assert_str_eq(placement(REG_A, s.id), "abroad " SCH_A " 13-1");
    ck_assert(!listed(CHANGSHA, "box=todo", rid));
    ck_assert(!listed(FURONG, "box=todo", rid));
    act_ok(FURONG, fresh, "approve", 1, "approved");
}
END_TEST

/* ------------------------------------------------------------ 7: atomicity */

/* Counts of history, events and actions, and the states of student, request and steps. */
#define SNAP                                                                                       \
    "SELECT (SELECT count(*) FROM student_history WHERE student_id = %lld) || ' ' ||"              \
    " (SELECT count(*) FROM events WHERE student_id = %lld) || ' ' ||"                             \
    " (SELECT count(*) FROM request_action WHERE request_id = %lld) || ' ' ||"                     \
    " (SELECT state || version FROM student WHERE id = %lld) || ' ' ||"                            \
    " (SELECT state || current_step || version FROM request WHERE id = %lld) || ' ' ||"            \
    " (SELECT string_agg(state || coalesce(decided_by, 0), ',') FROM request_step"                 \
    " WHERE request_id = %lld)"

/* Rule 17: a fault after the effect and before the commit leaves nothing behind. */
START_TEST(test_fault_after_effect)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char ev[32];
    snprintf(ev, sizeof(ev), "[%lld]", upload_pdf(REG_A));
    long long rid = start_ok(REG_A, "suspend", s.id, SUSPEND_PAYLOAD, ev);
    char before[512];
    snprintf(before, sizeof(before), "%s", scalar(SNAP, s.id, s.id, rid, s.id, rid, rid));

    ht_server *f = server_with("XUEJI_TEST_FAULT=after_effect");
    ht_resp r;
    act_on(f, FURONG, rid, "approve", 1, &r);
    ht_assert_problem(&r, 500, "internal_error");
    ht_resp_free(&r);
    act_on(f, FURONG, rid, "reject", 1, &r);
    ht_assert_problem(&r, 500, "internal_error");
    ht_resp_free(&r);
    ck_assert_int_eq(ht_server_stop(f), 0);

    ck_assert_str_eq(scalar(SNAP, s.id, s.id, rid, s.id, rid, rid), before);
    check_request(REG_A, rid, "open", 1, COUNTY_WAITING);
    ck_assert_str_eq(placement(REG_A, s.id), "enrolled " SCH_A " 13-1");
    /* and the real server still approves it */
    act_ok(FURONG, rid, "approve", 1, "approved");
    ck_assert_str_eq(placement(REG_A, s.id), "suspended " SCH_A " 13-1");
}
END_TEST

/* ------------------------------------------------------------ 9: key fields */

/* 关键信息变更: a name, with evidence; history names the field. */
START_TEST(test_key_field_name)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char ev[32], body[256], name[64];
    snprintf(ev, sizeof(ev), "[%lld]", upload_pdf(REG_A));
    snprintf(name, sizeof(name), "新名%lld", s.n);
    snprintf(body, sizeof(body), "{\"changes\":{\"name\":\"%s\"}}", name);
    ht_resp r;
    start_fails(REG_A, "key_field_change", s.id, body, NULL, 422, "evidence_required");
    start_fails(REG_A, "key_field_change", s.id, "{\"changes\":{\"grade\":\"14\"}}", ev, 422,
                "not_a_key_field");
    start(REG_A, "key_field_change", s.id, "{\"changes\":{}}", ev, &r);
    ck_assert_int_eq(r.status, 422);
    ht_resp_free(&r);
    snprintf(body, sizeof(body), "{\"changes\":{\"name\":\"%s\"}}", s.name);
    start_fails(REG_A, "key_field_change", s.id, body, ev, 422, "nothing_changes");

    snprintf(body, sizeof(body), "{\"changes\":{\"name\":\"%s\"}}", name);
    start(REG_A, "key_field_change", s.id, body, ev, &r);
    assert_request(&r, "open", 1, COUNTY_WAITING);
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    act_fails(CHANGSHA, rid, "approve", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "approve", 1, "approved");
    get_student(REG_A, s.id, &r);
    ck_assert_str_eq(ht_json_str(r.json, "name"), name);
    ht_resp_free(&r);
    ck_assert(history_has(FURONG, s.id, "key_field_change", rid));
    ck_assert_int_eq(
        count_of("SELECT count(*) FROM student_history WHERE request_id = %lld"
                 " AND kind = 'key_field_change' AND changes @> '[{\"field\":\"/name\"}]'",
                 rid),
        1);
    ck_assert_int_eq(events_of(rid, "request.decided"), 1);
    /* its revert: tests/http/record_http_test.c (docs/decisions/0030) */
}
END_TEST

/* A new ID number with renumbering: the province approves too; a new G number. */
START_TEST(test_key_field_renumber)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char old[32], id2[24], ev[32], body[256], m[24];
    full_number(REG_A, s.id, old);
    long long n2 = count_of("SELECT nextval('wf_seq')");
    make_id(s.ymd, s.gender, 499 - n2 % 100, id2); /* same birth date and gender */
    ck_assert_str_ne(id2, s.idnum);
    snprintf(ev, sizeof(ev), "[%lld]", upload_pdf(REG_A));
    snprintf(body, sizeof(body), "{\"changes\":{\"id_number\":\"%s\"},\"renumber\":true}", id2);
    ht_resp r;
    start(REG_A, "key_field_change", s.id, body, ev, &r);
    assert_request(&r, "open", 1, STEPS("430102:waiting", "430000:pending"));
    long long rid = jint(r.json, "id");
    snprintf(m, sizeof(m), "%.4s**********%s", id2, id2 + 14);
    const json_t *ch = json_object_get(json_object_get(r.json, "payload"), "changes");
    ck_assert_str_eq(ht_json_str(ch, "id_number"), m);
    ck_assert_msg(strstr(r.body, id2) == NULL, "plaintext ID in %s", r.body);
    ht_resp_free(&r);
    get_request(FURONG, rid, &r);
    ck_assert_msg(strstr(r.body, id2) == NULL, "plaintext ID in %s", r.body);
    ht_resp_free(&r);
    ck_assert_int_eq(count_of("SELECT count(*) FROM request r WHERE id = %lld"
                              " AND strpos(r::text, '%s') = 0 AND strpos(payload::text, '%s') = 0",
                              rid, id2, id2),
                     1);

    act_fails(HUNAN, rid, "approve", 1, 403, "not_step_holder");
    act_ok(FURONG, rid, "approve", 1, "open");
    act_fails(FURONG, rid, "approve", 2, 403, "not_step_holder");
    act_ok(HUNAN, rid, "approve", 2, "approved");

    /* the new G number resolves, the old one no longer does */
    char key[32], path[64];
    snprintf(key, sizeof(key), "G%s", id2);
    snprintf(path, sizeof(path), "/api/v1/students/%s", key);
    call("GET", path, REG_A, NULL, &r);
    ck_assert_msg(r.status == 200, "%s: %ld %s", key, r.status, r.body);
    ck_assert_int_eq(jint(r.json, "id"), s.id);
    ht_resp_free(&r);
    snprintf(path, sizeof(path), "/api/v1/students/%s", old);
    call_fails("GET", path, REG_A, NULL, 404, "student_not_found");
    char now[32];
    full_number(REG_A, s.id, now);
    ck_assert_str_eq(now, key);
    ck_assert(history_has(FURONG, s.id, "key_field_change", rid));
    /* nothing of the plaintext in the rows the request wrote */
    ck_assert_int_eq(count_of("SELECT count(*) FROM request r WHERE id = %lld"
                              " AND strpos(r::text, '%s') = 0",
                              rid, id2),
                     1);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student_history h WHERE request_id = %lld"
                              " AND strpos(h::text, '%s') > 0",
                              rid, id2),
                     0);
    ck_assert_int_eq(count_of("SELECT count(*) FROM events e WHERE request_id = %lld"
                              " AND strpos(e::text, '%s') > 0",
                              rid, id2),
                     0);
}
END_TEST

/* A new ID that another active student holds: the request fails, a problem opens. */
START_TEST(test_key_field_duplicate)
{
    stu u, v;
    enrol(REG_A, FURONG, 13, &u);
    enrol(REG_B, FURONG, 13, &v);
    char ev[32], body[512];
    snprintf(ev, sizeof(ev), "[%lld]", upload_pdf(REG_A));
    snprintf(body, sizeof(body),
             "{\"changes\":{\"id_number\":\"%s\",\"birth_date\":\"%s\",\"gender\":\"%d\"}}",
             v.idnum, v.birth, v.gender);
    ht_resp r;
    start(REG_A, "key_field_change", u.id, body, ev, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    long long problems = count_of("SELECT count(*) FROM problem");

    act(FURONG, rid, "approve", 1, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "rejected");
    ck_assert_msg(json_is_null(json_object_get(r.json, "current_step")), "%s", r.body);
    ht_resp_free(&r);
    ck_assert_int_eq(count_of("SELECT count(*) FROM problem"), problems + 1);
    ck_assert_int_eq(
        count_of("SELECT count(*) FROM problem WHERE kind = 'duplicate_id'"
                 " AND state = 'open' AND student_id = %lld AND other_student_id = %lld",
                 u.id, v.id),
        1);
    /* the ID is unchanged */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/students/%lld?reveal=id_number", u.id);
    call("GET", path, REG_A, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "id_number"), u.idnum);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "enrolled");
    ht_resp_free(&r);
    /* rule 12: an open problem stops new requests */
    start_fails(REG_A, "go_abroad", u.id, REASON_DATE, NULL, 409, "student_has_problem");
    ck_assert_int_eq(count_of("SELECT count(*) FROM request r WHERE id = %lld"
                              " AND strpos(r::text, '%s') = 0",
                              rid, v.idnum),
                     1);
}
END_TEST
/* ------------------------------------------------------------ 10: request lists */

START_TEST(test_lists)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    long long open = start_ok(REG_A, "missing", s.id, REASON_DATE, NULL);

    /* todo: waiting at the caller's org */
    json_t *x = list_find(FURONG, "box=todo", open);
    ck_assert_msg(x != NULL, "not in the county's todo");
    ck_assert(json_is_false(json_object_get(x, "overdue")));
    ck_assert(json_is_false(json_object_get(x, "escalated")));
    ck_assert_str_eq(ht_json_str(x, "state"), "open");
    json_decref(x);
    ck_assert(listed(FURONG, "box=todo&type=missing", open));
    ck_assert(!listed(FURONG, "box=todo&type=go_abroad", open));
    ck_assert(!listed(REG_A, "box=todo", open));
    ck_assert(!listed(CHANGSHA, "box=todo", open)); /* not overdue: not escalated */
    ck_assert(!listed(TIANXIN, "box=todo", open));
    /* mine: started by the caller's org */
    ck_assert(listed(REG_A, "box=mine", open));
    ck_assert(listed(REG_A, "box=mine&state=open&type=missing", open));
    ck_assert(!listed(REG_A, "box=mine&state=approved", open));
    ck_assert(!listed(REG_B, "box=mine", open));
    ck_assert(!listed(FURONG, "box=mine", open));
    /* all: within jurisdiction */
    ck_assert(listed(REG_A, "box=all", open));
    ck_assert(listed(FURONG, "box=all", open));
    ck_assert(listed(CHANGSHA, "box=all", open));
    ck_assert(listed(HUNAN, "box=all&state=open", open));
    ck_assert(!listed(TIANXIN, "box=all", open));
    ck_assert(!listed(REG_B, "box=all", open));
    ck_assert(!listed(JIANGXI, "box=all", open));

    act_ok(FURONG, open, "approve", 1, "approved");
    ck_assert(!listed(FURONG, "box=todo", open));
    ck_assert(listed(FURONG, "box=all&state=approved&type=missing", open));
    ck_assert(!listed(FURONG, "box=all&state=open", open));
    ck_assert(listed(REG_A, "box=mine&state=approved", open));

    /* bad parameters */
    static const char *const bad[] = {"box=inbox",         "box=todo&state=done",
                                      "box=all&type=nope", "box=all&cursor=abc",
                                      "box=all&limit=0",   NULL};
    for (const char *const *q = bad; *q; q++) {
        char path[128];
        snprintf(path, sizeof(path), "/api/v1/requests?%s", *q);
        ht_resp r;
        call("GET", path, FURONG, NULL, &r);
        ck_assert_msg(r.status == 400, "%s: %ld %s", *q, r.status, r.body);
        ht_resp_free(&r);
    }
    ht_resp r;
    call("GET", "/api/v1/requests?box=all", -1, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    ht_resp_free(&r);
    /* a grade leader has no request lists */
    call_fails("GET", "/api/v1/requests?box=all", GRADE_A, NULL, 403, "forbidden");
    /* paging: limit=1 walks with next_cursor */
    call("GET", "/api/v1/requests?box=mine&limit=1", REG_A, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ck_assert_ptr_nonnull(ht_json_str(r.json, "next_cursor"));
    ht_resp_free(&r);
}
END_TEST

/* A page of the list carries each request's own steps, actions and members
   (loaded for the whole page at once): every item as GET /requests/{id}. */
START_TEST(test_list_items_match_get)
{
    ht_resp r;
    call("GET", "/api/v1/requests?box=all&limit=100", FURONG, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_ge(json_array_size(items), 3);
    size_t i, with_actions = 0, with_steps = 0;
    json_t *x;
    json_array_foreach(items, i, x)
    {
        char path[64];
        snprintf(path, sizeof(path), "/api/v1/requests/%lld", jint(x, "id"));
        ht_resp g;
        call("GET", path, FURONG, NULL, &g);
        ck_assert_int_eq(g.status, 200);
        const char *k;
        json_t *v;
        json_object_foreach(x, k, v)
        {
            if (strcmp(k, "overdue") == 0 || strcmp(k, "due_at") == 0 ||
                strcmp(k, "escalated") == 0)
                continue; /* the list's own fields (the caller's inbox) */
            json_t *w = json_object_get(g.json, k);
            ck_assert_msg(w != NULL && json_equal(v, w), "request %lld: %s differs", jint(x, "id"),
                          k);
        }
        with_actions += json_array_size(json_object_get(x, "actions")) > 0;
        with_steps += json_array_size(json_object_get(x, "steps")) > 0;
        ht_resp_free(&g);
    }
    ck_assert_uint_gt(with_actions, 0);
    ck_assert_uint_gt(with_steps, 0);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ the suite */

static Suite *
workflow_chain_suite(void)
{
    Suite *s = suite_create("http-workflow-chain");
    TCase *tc = wf_tcase("transfers", 120);
    tcase_add_test(tc, test_transfer_same_authority);
    tcase_add_test(tc, test_transfer_other_county);
    tcase_add_test(tc, test_transfer_city_school_withdrawn);
    tcase_add_test(tc, test_transfer_across_provinces);
    suite_add_tcase(s, tc);

    /* each starts a server of its own next to the shared one */
    tc = wf_tcase("other-servers", 180);
    tcase_add_test(tc, test_transfer_blackout);
    tcase_add_test(tc, test_overdue_escalation);
    tcase_add_test(tc, test_fault_after_effect);
    suite_add_tcase(s, tc);

    tc = wf_tcase("changes", 120);
    tcase_add_test(tc, test_key_field_name);
    tcase_add_test(tc, test_key_field_renumber);
    tcase_add_test(tc, test_key_field_duplicate);
    tcase_add_test(tc, test_lists);
    tcase_add_test(tc, test_list_items_match_get);
    suite_add_tcase(s, tc);

    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(workflow_chain_suite(), close_db);
}
