/*
 * tests/http/workflow_review_test.c - batch review (批量审核, POST
 * /api/v1/requests/actions) and evidence on actions (POST
 * /requests/{id}/actions `evidence`), end to end through xuejid: a county
 * approves a class's new registrations in one call; mixed items (valid,
 * stale, another county's, missing, withdrawn, twice in one call, not the
 * holder, a foreign file) each with the answer the single call gives; 500
 * items in one call while the server keeps answering others; 501 and
 * malformed bodies refused with nothing decided; Idempotency-Key replays.
 * The world is tests/lib/wfworld.h's.
 */
#include "tests/lib/httptest.h"
#include "tests/lib/wfworld.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REVIEW "/api/v1/requests/actions"

/* POST /requests/actions as `who` with `body` (JSON text as given). */
static void
review(int who, const char *body, ht_resp *out)
{
    call("POST", REVIEW, who, body, out);
}

/* {"items":[{"request":id,"step":1,"action":"approve"}, ...]} for ids[0..n). */
static char *
approve_all(const long long *ids, int n)
{
    size_t cap = 64 + (size_t)n * 64, len = 0;
    char *b = malloc(cap);
    len += (size_t)snprintf(b + len, cap - len, "{\"items\":[");
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(b + len, cap - len,
                                "%s{\"request\":%lld,\"step\":1,\"action\":\"approve\"}",
                                i ? "," : "", ids[i]);
    snprintf(b + len, cap - len, "]}");
    return b;
}

/* Item i of a batch answer. */
static const json_t *
item(const ht_resp *r, size_t i)
{
    const json_t *v = json_array_get(json_object_get(r->json, "items"), i);
    ck_assert_msg(v != NULL, "no item %zu in %.300s", i, r->body);
    return v;
}

/* Item i answers `status` (and `code` when not NULL) for request `rid`. */
static void
item_is_at(const char *file, int line, const ht_resp *r, size_t i, long long rid, long status,
           const char *code)
{
    const json_t *v = item(r, i);
    const char *got = ht_json_str(v, "code");
    ck_assert_msg(jint(v, "request") == rid && jint(v, "status") == status &&
                      (code == NULL ? got == NULL : got && strcmp(got, code) == 0),
                  "%s:%d: item %zu: want %lld %ld %s, got %.300s", file, line, i, rid, status,
                  code ? code : "-", json_dumps(v, JSON_COMPACT));
}
#define item_is(...) item_is_at(__FILE__, __LINE__, __VA_ARGS__)

static long long
actions_count(long long rid)
{
    return count_of("SELECT count(*) FROM request_action WHERE request_id = %lld", rid);
}

/* ------------------------------------------------------------ evidence on actions */

/* The evidence of the last action of `rid` as GET /requests/{id} shows it: "[1,2]". */
static const char *
last_evidence(int who, long long rid)
{
    static char buf[256];
    ht_resp r;
    get_request(who, rid, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    const json_t *acts = json_object_get(r.json, "actions");
    const json_t *ev = json_object_get(json_array_get(acts, json_array_size(acts) - 1), "evidence");
    char *t = ev ? json_dumps(ev, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    snprintf(buf, sizeof(buf), "%s", t ? t : "(none)");
    free(t);
    ht_resp_free(&r);
    return buf;
}

START_TEST(test_action_evidence)
{
    stu s;
    long long rid = wf_register(REG_A, 13, 2, &s);
    long long mine = upload_pdf(FURONG), theirs = upload_pdf(REG_A), other = upload_pdf(TIANXIN);
    char path[64], body[256];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", rid);

    /* a file of another org, a file nobody has, a wrong shape, an unknown member: nothing recorded
     */
    char theirs_ev[32];
    snprintf(theirs_ev, sizeof(theirs_ev), "[%lld]", theirs);
    const struct {
        const char *evidence;
        long status;
        const char *code;
    } bad[] = {
        {theirs_ev, 422, "file_not_found"},
        {"[999999999]", 422, "file_not_found"},
        {"\"x\"", 422, "wrong_type"},
        {"[0]", 422, "wrong_type"},
        {"[1,2,3,4,5,6,7,8,9,10,11]", 422, "wrong_type"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(body, sizeof(body), "{\"action\":\"approve\",\"step\":1,\"evidence\":%s}",
                 bad[i].evidence);
        call_fails("POST", path, FURONG, body, bad[i].status, bad[i].code);
    }
    snprintf(body, sizeof(body), "{\"action\":\"approve\",\"step\":1,\"evidence\":[%lld]}", other);
    call_fails("POST", path, FURONG, body, 422, "file_not_found");
    call_fails("POST", path, FURONG, "{\"action\":\"approve\",\"step\":1,\"files\":[1]}", 422,
               "unknown_field");
    check_request(REG_A, rid, "open", 1, COUNTY_WAITING);
    ck_assert_int_eq(actions_count(rid), 0); /* a registration has no start action */
    ck_assert_str_eq(placement(REG_A, s.id), "pending " SCH_A " 13-2");

    /* the county's own file: recorded with the action and shown */
    snprintf(body, sizeof(body),
             "{\"action\":\"approve\",\"step\":1,\"comment\":\"核验\",\"evidence\":[%lld]}", mine);
    ht_resp r;
    call("POST", path, FURONG, body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    char want[32];
    snprintf(want, sizeof(want), "[%lld]", mine);
    ck_assert_str_eq(last_evidence(REG_A, rid), want);
    ck_assert_int_eq(count_of("SELECT count(*) FROM request_action WHERE request_id = %lld AND"
                              " action = 'approve' AND evidence = '{%lld}'",
                              rid, mine),
                     1);
    /* an action without evidence shows an empty list */
    long long drop = start_ok(REG_A, "drop_out", s.id, REASON_DATE, NULL);
    ck_assert_str_eq(last_evidence(REG_A, drop), "[]");

    /* a start's evidence is shown on its start action */
    long long f = upload_pdf(REG_A);
    snprintf(want, sizeof(want), "[%lld]", f);
    stu t;
    enrol(REG_A, FURONG, 13, &t);
    long long sus = start_ok(REG_A, "suspend", t.id, SUSPEND_PAYLOAD, want);
    ck_assert_str_eq(last_evidence(REG_A, sus), want);
}
END_TEST

/* ------------------------------------------------------------ batch review */

/* A county approves a class's 20 new registrations in one call. */
START_TEST(test_review_a_class)
{
    enum { N = 20 };
    stu s[N];
    long long rid[N];
    for (int i = 0; i < N; i++)
        rid[i] = wf_register(REG_A, 14, 1, &s[i]);
    char *body = approve_all(rid, N);
    ht_resp r;
    review(FURONG, body, &r);
    free(body);
    ck_assert_msg(r.status == 200, "%ld %.300s", r.status, r.body);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), N);
    for (int i = 0; i < N; i++) {
        item_is(&r, (size_t)i, rid[i], 200, NULL);
        ck_assert_str_eq(ht_json_str(item(&r, (size_t)i), "state"), "approved");
        ck_assert_msg(json_is_null(json_object_get(item(&r, (size_t)i), "current_step")), "%s",
                      r.body);
    }
    ht_resp_free(&r);
    for (int i = 0; i < N; i++) {
        ck_assert_str_eq(placement(REG_A, s[i].id), "enrolled " SCH_A " 14-1");
        ck_assert_int_eq(events_of(rid[i], "request.decided"), 1);
        ck_assert_int_eq(count_of("SELECT count(*) FROM audit WHERE action = 'request.act' AND"
                                  " target_id = '%lld'",
                                  rid[i]),
                         1);
    }
    ck_assert_str_eq(actions_of(FURONG, rid[0]), "approve");
}
END_TEST

/* Valid, stale, another county's, missing, withdrawn, twice, not the holder,
   a foreign file: each its own answer, in order; the failed ones unchanged. */
START_TEST(test_review_mixed)
{
    stu a, b, c, w, d;
    long long ok = wf_register(REG_A, 13, 2, &a);
    long long stale = wf_register(REG_A, 13, 2, &b);
    act_ok(FURONG, stale, "approve", 1, "approved");
    long long foreign = wf_register(REG_C, 13, 1, &c); /* 天心区's */
    long long withdrawn = wf_register(REG_A, 13, 2, &w);
    act_ok(REG_A, withdrawn, "withdraw", 0, "withdrawn");
    long long fresh = wf_register(REG_A, 13, 2, &d);
    long long theirs = upload_pdf(REG_A);
    long long n_foreign = actions_count(foreign), n_fresh = actions_count(fresh);
    long long ev_before = count_of("SELECT count(*) FROM events WHERE request_id = %lld", foreign);

    char body[1024];
    snprintf(body, sizeof(body),
             "{\"items\":["
             "{\"request\":%lld,\"step\":1,\"action\":\"approve\",\"comment\":\"批量\"},"
             "{\"request\":%lld,\"step\":1,\"action\":\"approve\"},"
             "{\"request\":%lld,\"step\":1,\"action\":\"approve\"},"
             "{\"request\":999999999,\"step\":1,\"action\":\"approve\"},"
             "{\"request\":%lld,\"step\":1,\"action\":\"approve\"},"
             "{\"request\":%lld,\"step\":1,\"action\":\"approve\"},"
             "{\"request\":%lld,\"step\":1,\"action\":\"reject\"},"
             "{\"request\":%lld,\"step\":1,\"action\":\"approve\",\"evidence\":[%lld]},"
             "{\"request\":%lld,\"step\":2,\"action\":\"approve\"}]}",
             ok, stale, foreign, withdrawn, ok, ok, fresh, theirs, fresh);
    ht_resp r;
    review(FURONG, body, &r);
    ck_assert_msg(r.status == 200, "%ld %.300s", r.status, r.body);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 9);
    item_is(&r, 0, ok, 200, NULL);
    item_is(&r, 1, stale, 409, "step_already_decided");
    item_is(&r, 2, foreign, 404, "request_not_found");
    item_is(&r, 3, 999999999, 404, "request_not_found");
    item_is(&r, 4, withdrawn, 409, "step_already_decided");
    item_is(&r, 5, ok, 409, "step_already_decided"); /* the second of one request */
    item_is(&r, 6, ok, 409, "step_already_decided");
    item_is(&r, 7, fresh, 422, "file_not_found");
    item_is(&r, 8, fresh, 409, "step_already_decided");
    /* a failed item says why, in the single call's words */
    const char *detail = ht_json_str(item(&r, 1), "detail");
    ck_assert_msg(detail != NULL && detail[0] != '\0', "%s", r.body);
    const json_t *errs = json_object_get(item(&r, 7), "errors");
    ck_assert_str_eq(ht_json_str(json_array_get(errs, 0), "field"), "/items/7/evidence");
    ht_resp_free(&r);

    /* the valid one applied, the failed ones unchanged */
    ck_assert_str_eq(placement(REG_A, a.id), "enrolled " SCH_A " 13-2");
    ck_assert_int_eq(events_of(ok, "request.decided"), 1);
    check_request(REG_C, foreign, "open", 1, STEPS("430103:waiting"));
    ck_assert_int_eq(actions_count(foreign), n_foreign);
    ck_assert_int_eq(count_of("SELECT count(*) FROM events WHERE request_id = %lld", foreign),
                     ev_before);
    check_request(REG_A, fresh, "open", 1, COUNTY_WAITING);
    ck_assert_int_eq(actions_count(fresh), n_fresh);
    ck_assert_str_eq(placement(REG_A, d.id), "pending " SCH_A " 13-2");
    check_request(REG_A, withdrawn, "withdrawn", 0, NULL);

    /* the school's registrar may call it; each item is then its own: not the holder */
    snprintf(body, sizeof(body),
             "{\"items\":[{\"request\":%lld,\"step\":1,\"action\":\"approve\"}]}", fresh);
    review(REG_A, body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    item_is(&r, 0, fresh, 403, "not_step_holder");
    ht_resp_free(&r);
    /* the starter's own actions take no step */
    snprintf(body, sizeof(body), "{\"items\":[{\"request\":%lld,\"action\":\"withdraw\"}]}", fresh);
    review(REG_A, body, &r);
    item_is(&r, 0, fresh, 200, NULL);
    ck_assert_str_eq(ht_json_str(item(&r, 0), "state"), "withdrawn");
    ht_resp_free(&r);
    /* staff other than the registrar may not call it; nobody signed in neither */
    call_fails("POST", REVIEW, GRADE_A, body, 403, "forbidden");
    call_fails("POST", REVIEW, -1, body, 401, "unauthenticated");
}
END_TEST

/* Malformed bodies and 501 items: the whole call refused, nothing decided. */
START_TEST(test_review_refused)
{
    stu s;
    long long rid = wf_register(REG_A, 13, 2, &s);
    char one[160];
    snprintf(one, sizeof(one), "{\"request\":%lld,\"step\":1,\"action\":\"approve\"}", rid);
    char body[1024];
    /* each body is pre + one valid item + post */
    const struct {
        const char *pre, *post;
        long status;
        const char *code;
    } bad[] = {
        {"{\"items\":[", ",", 400, "malformed_json"},
        {"[", "]", 422, "wrong_type"},
        {"{\"items\":{\"x\":", "}}", 422, "wrong_type"},
        {"{\"items\":[", ",7]}", 422, "wrong_type"},
        {"{\"items\":[", ",{\"request\":\"1\",\"step\":1,\"action\":\"approve\"}]}", 422,
         "wrong_type"},
        {"{\"items\":[", ",{\"request\":1,\"step\":\"1\",\"action\":\"approve\"}]}", 422,
         "wrong_type"},
        {"{\"items\":[", ",{\"request\":1,\"step\":1,\"action\":\"accept\"}]}", 422,
         "invalid_action"},
        {"{\"items\":[", ",{\"request\":1,\"step\":1,\"action\":\"approve\",\"x\":1}]}", 422,
         "unknown_field"},
        {"{\"items\":[", ",{\"step\":1,\"action\":\"approve\"}]}", 422, "missing_field"},
        {"{\"items\":[", "],\"dry_run\":true}", 422, "unknown_field"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        snprintf(body, sizeof(body), "%s%s%s", bad[i].pre, one, bad[i].post);
        call_fails("POST", REVIEW, FURONG, body, bad[i].status, bad[i].code);
    }
    /* not a request id: /requests/{id} takes digits */
    call_fails("GET", REVIEW, FURONG, NULL, 404, "request_not_found");
    call_fails("POST", REVIEW, FURONG, "{\"items\":[]}", 422, "missing_field");
    call_fails("POST", REVIEW, FURONG, "{}", 422, "missing_field");
    call_fails("POST", REVIEW, FURONG, "{\"items\":null}", 422, "missing_field");
    /* where: the item and its member */
    ht_resp r;
    snprintf(body, sizeof(body),
             "{\"items\":[%s,{\"request\":1,\"step\":0,\"action\":\"approve\"}]}", one);
    review(FURONG, body, &r);
    ht_assert_problem(&r, 422, "wrong_type");
    ck_assert_msg(strstr(r.body, "\"/items/1/step\"") != NULL, "%s", r.body);
    ht_resp_free(&r);

    /* 501 items: too many; 500 of the same request would be taken */
    long long ids[501];
    for (int i = 0; i < 501; i++)
        ids[i] = rid;
    char *big = approve_all(ids, 501);
    review(FURONG, big, &r);
    free(big);
    ht_assert_problem(&r, 422, "too_many_items");
    ck_assert_msg(strstr(r.body, "500") != NULL, "%s", r.body);
    ht_resp_free(&r);

    check_request(REG_A, rid, "open", 1, COUNTY_WAITING);
    ck_assert_int_eq(actions_count(rid), 0);
    ck_assert_int_eq(events_of(rid, "request.decided"), 0);
}
END_TEST

/* Idempotency-Key: the same call again is the stored answer, decided once. */
START_TEST(test_review_idempotent)
{
    stu s;
    long long rid = wf_register(REG_A, 13, 2, &s);
    char body[160], auth[1100];
    snprintf(body, sizeof(body),
             "{\"items\":[{\"request\":%lld,\"step\":1,\"action\":\"approve\"}]}", rid);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[FURONG]);
    char key[64];
    snprintf(key, sizeof(key), "Idempotency-Key: review-%lld", rid);
    const char *h[] = {auth, "Content-Type: application/json", key, NULL};
    ht_resp r1, r2;
    ck_assert_int_eq(ht_request(srv, "POST", REVIEW, h, body, strlen(body), &r1), 0);
    ck_assert_int_eq(ht_request(srv, "POST", REVIEW, h, body, strlen(body), &r2), 0);
    ck_assert_msg(r1.status == 200 && r2.status == 200, "%ld %ld %s", r1.status, r2.status,
                  r2.body);
    item_is(&r1, 0, rid, 200, NULL);
    item_is(&r2, 0, rid, 200, NULL);
    ck_assert_str_eq(ht_header(&r2, "idempotent-replayed"), "true");
    ck_assert_str_eq(r1.body, r2.body);
    ht_resp_free(&r1);
    ht_resp_free(&r2);
    ck_assert_int_eq(events_of(rid, "request.decided"), 1);
    ck_assert_str_eq(actions_of(FURONG, rid), "approve");
}
END_TEST

/* ------------------------------------------------------------ 500 items */

typedef struct big_call {
    const char *body;
    ht_resp r;
    long long ms;
    volatile int done;
} big_call;

static void *
post_big(void *arg)
{
    big_call *b = arg;
    long long t0 = ht_now_ms();
    review(FURONG, b->body, &b->r);
    b->ms = ht_now_ms() - t0;
    b->done = 1;
    return NULL;
}

/* 500 approvals in one call; meanwhile the server answers others. */
START_TEST(test_review_500)
{
    enum { N = 500 };
    static stu s[N];
    static long long rid[N];
    for (int i = 0; i < N; i++)
        rid[i] = wf_register(REG_B, 13, 2, &s[i]);
    char *body = approve_all(rid, N);
    big_call b = {body, {0}, 0, 0};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, post_big, &b), 0);
    /* other callers are served by the pool's other connections meanwhile */
    int answered_during = 0;
    for (int k = 0; k < 50 && !b.done; k++) {
        ht_resp r;
        call("GET", "/api/v1/me", REG_A, NULL, &r);
        ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
        ht_resp_free(&r);
        answered_during += !b.done;
        ht_sleep_ms(20);
    }
    pthread_join(t, NULL);
    free(body);
    ck_assert_msg(b.r.status == 200, "%ld %.300s", b.r.status, b.r.body);
    ck_assert_int_eq(json_array_size(json_object_get(b.r.json, "items")), N);
    for (int i = 0; i < N; i++)
        item_is(&b.r, (size_t)i, rid[i], 200, NULL);
    ht_resp_free(&b.r);
    fprintf(stderr, "batch review: %d approvals in %lld ms (%.0f/s); %d other answers meanwhile\n",
            N, b.ms, b.ms > 0 ? N * 1000.0 / (double)b.ms : 0.0, answered_during);
    ck_assert_msg(answered_during > 0, "no other call answered during the batch (%lld ms)", b.ms);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE school = '" SCH_B
                              "' AND state = 'enrolled' AND id BETWEEN %lld AND %lld",
                              s[0].id, s[N - 1].id),
                     N);
    ck_assert_int_eq(count_of("SELECT count(*) FROM events WHERE type = 'request.decided' AND"
                              " request_id BETWEEN %lld AND %lld",
                              rid[0], rid[N - 1]),
                     N);
}
END_TEST

static Suite *
review_suite(void)
{
    Suite *s = suite_create("http-workflow-review");
    TCase *tc = wf_tcase("review", 180);
    tcase_add_test(tc, test_action_evidence);
    tcase_add_test(tc, test_review_a_class);
    tcase_add_test(tc, test_review_mixed);
    tcase_add_test(tc, test_review_refused);
    tcase_add_test(tc, test_review_idempotent);
    tcase_add_test(tc, test_review_500);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(review_suite(), close_db);
}
