/*
 * tests/http/uniflow_test.c - a university's status changes through the
 * workflow engine (issue 16, docs/decisions/0033): every type's chain of
 * offices as the student and each office, the windows, evidence and limits,
 * the effects, 插班学习 -> confirmed / refused, escalation, revert, and that
 * a student starts and sees only their own requests. World:
 * tests/http/uniflow_world.h.
 */
#include "tests/http/uniflow_world.h"

/* `want` among the `errors` of problem `r`: field and code. */
static void
assert_item(const ht_resp *r, long status, const char *field, const char *code)
{
    ck_assert_msg(r->status == status, "%ld %s", r->status, r->body);
    const json_t *x;
    size_t i;
    int found = 0;
    json_array_foreach(json_object_get(r->json, "errors"), i, x) found |=
        strcmp(ht_json_str(x, "field"), field) == 0 && strcmp(ht_json_str(x, "code"), code) == 0;
    ck_assert_msg(found, "no %s at %s in %s", code, field, r->body);
}

static void
start_fails(const ustu *s, const char *type, const char *payload, long long ev, long status,
            const char *code)
{
    ht_resp r;
    ustart(s, type, payload, ev, &r);
    ht_assert_problem(&r, status, code);
    ht_resp_free(&r);
}

static void
start_item(const ustu *s, const char *type, const char *payload, long long ev, const char *field,
           const char *code)
{
    ht_resp r;
    ustart(s, type, payload, ev, &r);
    assert_item(&r, 422, field, code);
    ht_resp_free(&r);
}

#define SUSPEND_ILL                                                                                \
    "{\"reason_kind\":\"illness\",\"hospital\":\"campus\",\"reason\":\"肺炎住院\","            \
    "\"start_date\":\"2027-03-01\",\"end_date\":\"2028-02-28\"}"

/* ------------------------------------------------------------ 休学 */

START_TEST(test_suspend_chain)
{
    ustu s;
    ustudent(&s, "UF0101", 2025);
    long long ev = uupload(s.token);
    long long rid = ustart_ok(&s, "uni_suspend", SUSPEND_ILL, ev);
    ck_assert_str_eq(ureq_state(rid), "open:1");
    /* the other college's vice-dean, the registrar head first: not theirs */
    uact_fails(uf_tokens[VD2], rid, "approve", 1, 404, "request_not_found");
    uact_fails(uf_tokens[RH], rid, "approve", 1, 403, "not_step_holder");
    uact_ok(uf_tokens[VD1], rid, "approve", 1, "open");
    uact_fails(uf_tokens[VD1], rid, "approve", 2, 403, "not_step_holder");
    uact_ok(uf_tokens[RH], rid, "approve", 2, "approved");
    ck_assert_str_eq(ucol(s.id, "state"), "suspended");
    ck_assert_str_eq(ucol(s.id, "suspended_until"), "2028-02-28");
    ck_assert_str_eq(uval("SELECT state FROM student WHERE id = %lld", s.id), "suspended");
    ck_assert_str_eq(uval("SELECT count(*) FROM student_history WHERE student_id = %lld AND"
                          " request_id = %lld AND kind = 'uni_suspend'",
                          s.id, rid),
                     "1");
}
END_TEST

START_TEST(test_suspend_evidence_and_limits)
{
    ustu s;
    ustudent(&s, "UF0101", 2025);
    long long ev = uupload(s.token);
    /* evidence always; illness names its hospital */
    start_item(&s, "uni_suspend", SUSPEND_ILL, 0, "/evidence", "evidence_required");
    start_item(&s, "uni_suspend",
               "{\"reason_kind\":\"illness\",\"reason\":\"病\",\"start_date\":\"2027-03-01\","
               "\"end_date\":\"2027-09-01\"}",
               ev, "/payload/hospital", "missing_field");
    start_item(&s, "uni_suspend",
               "{\"reason_kind\":\"holiday\",\"reason\":\"x\",\"start_date\":\"2027-03-01\","
               "\"end_date\":\"2027-09-01\"}",
               ev, "/payload/reason_kind", "invalid_value");
    /* personal: one year; illness: two */
    start_item(&s, "uni_suspend",
               "{\"reason_kind\":\"personal\",\"reason\":\"创业\",\"start_date\":\"2027-03-01\","
               "\"end_date\":\"2028-03-02\"}",
               ev, "/payload/end_date", "suspension_too_long");
    start_item(&s, "uni_suspend",
               "{\"reason_kind\":\"illness\",\"hospital\":\"grade_2a\",\"reason\":\"病\","
               "\"start_date\":\"2027-03-01\",\"end_date\":\"2029-03-02\"}",
               ev, "/payload/end_date", "suspension_too_long");
    /* two approved suspensions already: a third is refused */
    for (int k = 0; k < 2; k++)
        uval("INSERT INTO request (type, state, student_id, school, province, payload,"
             " started_org) VALUES ('uni_suspend', 'approved', %lld, '" UNIV "', '410000',"
             " '{\"reason_kind\":\"personal\",\"start_date\":\"202%d-09-01\","
             "\"end_date\":\"202%d-01-15\"}', '" UNIV "')",
             s.id, 3 + k, 4 + k);
    start_fails(&s, "uni_suspend",
                "{\"reason_kind\":\"personal\",\"reason\":\"x\",\"start_date\":\"2027-03-01\","
                "\"end_date\":\"2027-06-01\"}",
                ev, 422, "suspension_limit_reached");
    /* military service counts apart */
    ck_assert(ustart_ok(&s, "uni_suspend",
                        "{\"reason_kind\":\"military\",\"reason\":\"应征入伍\","
                        "\"start_date\":\"2027-03-01\",\"end_date\":\"2029-03-01\"}",
                        ev) > 0);
}
END_TEST

/* ------------------------------------------------------------ 复学 */

/* A student suspended (by an approved suspension) from `from` to `to`. */
static void
suspended(ustu *s, const char *kind, const char *from, const char *to)
{
    ustudent(s, "UF0101", 2025);
    uval("INSERT INTO request (type, state, student_id, school, province, payload, started_org)"
         " VALUES ('uni_suspend', 'approved', %lld, '" UNIV "', '410000', '{\"reason_kind\":"
         "\"%s\",\"start_date\":\"%s\",\"end_date\":\"%s\"}', '" UNIV "')",
         s->id, kind, from, to);
    uval("UPDATE uni_student SET state = 'suspended', suspended_until = '%s' WHERE"
         " student_id = %lld",
         to, s->id);
    uval("UPDATE student SET state = 'suspended' WHERE id = %lld", s->id);
}

START_TEST(test_resume_chain_and_cohort)
{
    ustu s;
    /* suspended for a term, ends 2027-03-20: the window is open today */
    suspended(&s, "personal", "2026-09-01", "2027-03-20");
    /* open from 02-18 until the term that started on 03-01: closed today */
    start_fails(&s, "uni_resume", NULL, 0, 409, "window_closed");
    ustu t;
    suspended(&t, "personal", "2026-04-01", "2027-04-01");
    /* open from 03-02; the first term starting from then is 2027-09-06 */
    long long rid = ustart_ok(&t, "uni_resume", NULL, 0);
    uact_ok(uf_tokens[VD1], rid, "approve", 1, "open");
    uact_ok(uf_tokens[RH], rid, "approve", 2, "approved");
    ck_assert_str_eq(ucol(t.id, "state"), "studying");
    /* one started year of suspension: the next cohort, in its class */
    ck_assert_str_eq(ucol(t.id, "cohort"), "2026");
    ck_assert_str_eq(uval("SELECT c.cohort FROM uni_student s JOIN uni_class c ON c.id ="
                          " s.class_id WHERE s.student_id = %lld",
                          t.id),
                     "2026");
    ck_assert_str_eq(uval("SELECT state FROM student WHERE id = %lld", t.id), "enrolled");
}
END_TEST

START_TEST(test_resume_after_illness_needs_certificate)
{
    ustu s;
    suspended(&s, "illness", "2026-04-01", "2027-04-01");
    start_item(&s, "uni_resume", NULL, 0, "/evidence", "evidence_required");
    long long ev = uupload(s.token);
    ck_assert(ustart_ok(&s, "uni_resume", NULL, ev) > 0);
    /* a student who is not suspended cannot resume */
    ustu t;
    ustudent(&t, "UF0101", 2025);
    start_fails(&t, "uni_resume", NULL, 0, 422, "transition_not_allowed");
}
END_TEST

/* ------------------------------------------------------------ 退学 */

START_TEST(test_withdraw_chain)
{
    ustu s;
    ustudent(&s, "UF0101", 2025);
    long long rid = ustart_ok(&s, "uni_withdraw", "{\"reason\":\"个人原因\"}", 0);
    /* the vice-dean holds no step of it: not theirs to see */
    uact_fails(uf_tokens[VD1], rid, "approve", 1, 404, "request_not_found");
    uact_ok(uf_tokens[OFF1], rid, "approve", 1, "open");
    uact_ok(uf_tokens[RH], rid, "approve", 2, "open");
    uact_fails(uf_tokens[RH], rid, "approve", 3, 403, "not_step_holder");
    uact_ok(uf_tokens[VP], rid, "approve", 3, "approved");
    ck_assert_str_eq(ucol(s.id, "state"), "withdrawn");
    ck_assert_str_eq(uval("SELECT state FROM student WHERE id = %lld", s.id), "withdrawn");
    /* closed, kept: the record is still there */
    ck_assert_str_eq(uval("SELECT count(*) FROM uni_student WHERE student_id = %lld", s.id), "1");
    /* the province (over the university) reverts it */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    ht_resp r;
    ucall(uf_tokens[PROV], "POST", path, "{\"comment\":\"误操作\"}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(ucol(s.id, "state"), "studying");
    ck_assert_str_eq(uval("SELECT state FROM student WHERE id = %lld", s.id), "enrolled");
}
END_TEST

/* ------------------------------------------------------------ 转专业 */

/* A major transfer of a 2026 student from 软件工程 to 数学 up to the
   university's approval (the vice-president): 插班学习. */
static long long
transfer_to_sitting_in(ustu *s)
{
    ustudent(s, "UF0101", 2026);
    long long rid =
        ustart_ok(s, "major_transfer", "{\"to_major\":\"UF0201\",\"reason\":\"兴趣\"}", 0);
    /* both deans wait at once: the receiving one first */
    uact_fails(uf_tokens[RH], rid, "approve", 3, 409, "step_already_decided");
    uact_ok(uf_tokens[DEAN2], rid, "approve", 2, "open");
    ck_assert_str_eq(ureq_state(rid), "open:1");
    uact_fails(uf_tokens[DEAN2], rid, "approve", 1, 403, "not_step_holder");
    uact_ok(uf_tokens[DEAN1], rid, "approve", 1, "open");
    ck_assert_str_eq(ureq_state(rid), "open:3");
    uact_ok(uf_tokens[RH], rid, "approve", 3, "open");
    ck_assert_str_eq(ucol(s->id, "state"), "studying");
    uact_ok(uf_tokens[VP], rid, "approve", 4, "open");
    /* 插班学习: studies in the new major, counted in the old */
    ck_assert_str_eq(ucol(s->id, "state"), "sitting_in");
    ck_assert_str_eq(ucol(s->id, "major"), umajor_id("UF0101"));
    ck_assert_str_eq(ucol(s->id, "sitting_in_major"), umajor_id("UF0201"));
    return rid;
}

static long
confirm(const char *token, long long rid, const char *result, ht_resp *r)
{
    char path[96], body[160];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/confirmations", rid);
    snprintf(body, sizeof(body), "{\"result\":\"%s\",\"reference\":\"XJ2027-0001\"}", result);
    ucall(token, "POST", path, body, r);
    return r->status;
}

START_TEST(test_major_transfer_confirmed)
{
    ustu s;
    long long rid = transfer_to_sitting_in(&s);
    ht_resp r;
    /* the registration answers only after the province */
    confirm(uf_tokens[SA], rid, "confirmed", &r);
    ht_assert_problem(&r, 409, "not_awaiting_confirmation");
    ht_resp_free(&r);
    uact_ok(uf_tokens[PROV], rid, "approve", 5, "open");
    ck_assert_str_eq(ucol(s.id, "state"), "sitting_in");
    /* the student cannot confirm; a bad result is refused */
    confirm(s.token, rid, "confirmed", &r);
    ck_assert_msg(r.status == 403 || r.status == 404, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    confirm(uf_tokens[SA], rid, "maybe", &r);
    assert_item(&r, 422, "/result", "invalid_value");
    ht_resp_free(&r);
    confirm(uf_tokens[SA], rid, "confirmed", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "approved");
    ht_resp_free(&r);
    ck_assert_str_eq(ucol(s.id, "state"), "studying");
    ck_assert_str_eq(ucol(s.id, "major"), umajor_id("UF0201"));
    ck_assert_str_eq(ucol(s.id, "sitting_in_major"), "");
    ck_assert_str_eq(ucol(s.id, "college"), uval("SELECT id FROM uni_college WHERE school = '" UNIV
                                                 "' AND code = 'UF02'"));
    ck_assert_str_eq(uval("SELECT count(*) FROM request_action WHERE request_id = %lld AND"
                          " comment LIKE '%%XJ2027-0001%%'",
                          rid),
                     "1");
}
END_TEST

/* A service client of the university's province confirms; a province
   user who is not a client cannot. */
START_TEST(test_major_transfer_confirmed_by_client)
{
    ustu s;
    long long rid = transfer_to_sitting_in(&s);
    uact_ok(uf_tokens[PROV], rid, "approve", 5, "open");
    ht_resp r;
    confirm(uf_tokens[PROV], rid, "confirmed", &r);
    ht_assert_problem(&r, 403, "not_step_holder");
    ht_resp_free(&r);
    ucall(uf_tokens[PROV], "POST", "/api/v1/clients", "{\"name\":\"学信网对接\"}", &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"grant_type\":\"client_credentials\",\"client_id\":\"%s\","
             "\"client_secret\":\"%s\"}",
             ht_json_str(r.json, "client_id"), ht_json_str(r.json, "client_secret"));
    ht_resp_free(&r);
    ucall(NULL, "POST", "/api/v1/auth/token", body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    char ctok[1024];
    snprintf(ctok, sizeof(ctok), "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
    confirm(ctok, rid, "confirmed", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(ucol(s.id, "state"), "studying");
    ck_assert_str_eq(ucol(s.id, "major"), umajor_id("UF0201"));
}
END_TEST

START_TEST(test_major_transfer_refused)
{
    ustu s;
    long long rid = transfer_to_sitting_in(&s);
    uact_ok(uf_tokens[PROV], rid, "approve", 5, "open");
    ht_resp r;
    confirm(uf_tokens[SA], rid, "refused", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "rejected");
    ht_resp_free(&r);
    /* as if it never happened: the old major, studying */
    ck_assert_str_eq(ucol(s.id, "state"), "studying");
    ck_assert_str_eq(ucol(s.id, "major"), umajor_id("UF0101"));
    ck_assert_str_eq(ucol(s.id, "sitting_in_major"), "");
    /* the province refusing does the same */
    ustu t;
    rid = transfer_to_sitting_in(&t);
    uact_ok(uf_tokens[PROV], rid, "reject", 5, "rejected");
    ck_assert_str_eq(ucol(t.id, "state"), "studying");
    ck_assert_str_eq(ucol(t.id, "major"), umajor_id("UF0101"));
}
END_TEST

START_TEST(test_major_transfer_window_and_rules)
{
    ustu s;
    /* year two: not in week 1 of the 2nd term of ITS first year */
    ustudent(&s, "UF0101", 2025);
    start_fails(&s, "major_transfer", "{\"to_major\":\"UF0201\",\"reason\":\"兴趣\"}", 0, 409,
                "window_closed");
    ustu t;
    ustudent(&t, "UF0101", 2026);
    start_item(&t, "major_transfer", "{\"to_major\":\"NOPE\",\"reason\":\"x\"}", 0,
               "/payload/to_major", "major_not_found");
    start_item(&t, "major_transfer", "{\"to_major\":\"UF0101\",\"reason\":\"x\"}", 0,
               "/payload/to_major", "same_major");
    /* within one college: its dean decides once */
    long long rid =
        ustart_ok(&t, "major_transfer", "{\"to_major\":\"UF0102\",\"reason\":\"x\"}", 0);
    ck_assert_str_eq(uval("SELECT count(*) FROM request_step WHERE request_id = %lld", rid), "5");
    uact_ok(uf_tokens[DEAN1], rid, "approve", 1, "open");
    ck_assert_str_eq(ureq_state(rid), "open:2");
}
END_TEST

START_TEST(test_major_transfer_late_server)
{
    /* a week later (2027-03-08, week 2) the same student is refused */
    static const char *const env[] = {"XUEJI_RATE_LIMIT_ACCOUNT=0", "XUEJI_TODAY=2027-03-08", NULL};
    ustu s;
    ustudent(&s, "UF0101", 2026);
    ht_server *late = ht_server_start(env);
    ck_assert_ptr_nonnull(late);
    ht_server *keep = uf_srv;
    uf_srv = late;
    ht_resp r;
    ustart(&s, "major_transfer", "{\"to_major\":\"UF0201\",\"reason\":\"兴趣\"}", 0, &r);
    uf_srv = keep;
    ht_server_stop(late);
    ht_assert_problem(&r, 409, "window_closed");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_withdraw_undoes_sitting_in)
{
    ustu s;
    long long rid = transfer_to_sitting_in(&s);
    uact_ok(s.token, rid, "withdraw", 0, "withdrawn");
    ck_assert_str_eq(ucol(s.id, "state"), "studying");
    ck_assert_str_eq(ucol(s.id, "sitting_in_major"), "");
}
END_TEST

/* ------------------------------------------------------------ 调整年级 */

START_TEST(test_cohort_change)
{
    ustu s;
    ustudent(&s, "UF0101", 2025);
    long long rid = ustart_ok(&s, "cohort_change", "{\"reason\":\"随下届学习\"}", 0);
    uact_fails(uf_tokens[VD1], rid, "approve", 1, 404, "request_not_found");
    uact_ok(uf_tokens[RH], rid, "approve", 1, "approved");
    ck_assert_str_eq(ucol(s.id, "cohort"), "2026");
    ck_assert_str_eq(uval("SELECT issued_on || ' ' || from_cohort || '>' || to_cohort FROM"
                          " uni_notice WHERE request_id = %lld AND NOT revoked",
                          rid),
                     "2027-03-02 2025>2026");
    /* reverted: back in 2025, the notice revoked */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    ht_resp r;
    ucall(uf_tokens[PROV], "POST", path, "{}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(ucol(s.id, "cohort"), "2025");
    ck_assert_str_eq(uval("SELECT revoked FROM uni_notice WHERE request_id = %lld", rid), "t");
}
END_TEST

/* ------------------------------------------------------------ who may */

START_TEST(test_student_own_only)
{
    ustu s, t;
    ustudent(&s, "UF0101", 2025);
    ustudent(&t, "UF0101", 2025);
    /* another student's record: as if it did not exist */
    char body[256];
    snprintf(body, sizeof(body),
             "{\"type\":\"uni_withdraw\",\"student\":%lld,\"payload\":{\"reason\":\"x\"}}", t.id);
    ht_resp r;
    ucall(s.token, "POST", "/api/v1/requests", body, &r);
    ht_assert_problem(&r, 404, "student_not_found");
    ht_resp_free(&r);
    /* offices never start a student's request; students no K-12 type */
    ucall(uf_tokens[RH], "POST", "/api/v1/requests",
          "{\"type\":\"uni_withdraw\",\"payload\":{\"reason\":\"x\"}}", &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    long long rid = ustart_ok(&t, "uni_withdraw", "{\"reason\":\"x\"}", 0);
    /* the other student neither sees nor withdraws it; the owner lists it */
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld", rid);
    ucall(s.token, "GET", path, NULL, &r);
    ht_assert_problem(&r, 404, "request_not_found");
    ht_resp_free(&r);
    uact_fails(s.token, rid, "withdraw", 0, 404, "request_not_found");
    uact_fails(t.token, rid, "approve", 1, 403, "not_step_holder");
    ucall(s.token, "GET", "/api/v1/me/requests", NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    ht_resp_free(&r);
    ucall(t.token, "GET", "/api/v1/me/requests", NULL, &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ht_resp_free(&r);
    /* the office's inbox has it; the other college's has not */
    ucall(uf_tokens[OFF1], "GET", "/api/v1/requests?box=todo", NULL, &r);
    ck_assert_msg(strstr(r.body, path + 8) || json_array_size(json_object_get(r.json, "items")),
                  "%s", r.body);
    int found = 0;
    const json_t *x;
    size_t i;
    json_array_foreach(json_object_get(r.json, "items"), i, x) found |=
        json_integer_value(json_object_get(x, "id")) == rid;
    ck_assert(found);
    ht_resp_free(&r);
    ucall(uf_tokens[VD2], "GET", "/api/v1/requests?box=todo", NULL, &r);
    found = 0;
    json_array_foreach(json_object_get(r.json, "items"), i, x) found |=
        json_integer_value(json_object_get(x, "id")) == rid;
    ck_assert(!found);
    ht_resp_free(&r);
    /* one open request per student */
    start_fails(&t, "cohort_change", "{\"reason\":\"x\"}", 0, 409, "student_in_flight");
    /* the student withdraws and it is over */
    uact_ok(t.token, rid, "withdraw", 0, "withdrawn");
}
END_TEST

START_TEST(test_overdue_escalates)
{
    ustu s;
    ustudent(&s, "UF0101", 2025);
    long long rid = ustart_ok(&s, "uni_withdraw", "{\"reason\":\"x\"}", 0);
    uact_fails(uf_tokens[RH], rid, "approve", 1, 403, "not_step_holder");
    uval("UPDATE request_step SET due_at = now() - interval '1 day' WHERE request_id = %lld"
         " AND number = 1",
         rid);
    /* the college office's step is overdue: the registrar head decides instead */
    uact_ok(uf_tokens[RH], rid, "approve", 1, "open");
    ck_assert_str_eq(
        uval("SELECT forced FROM request_step WHERE request_id = %lld AND number = 1", rid), "t");
    uact_ok(uf_tokens[RH], rid, "approve", 2, "open");
    uact_fails(uf_tokens[PROV], rid, "approve", 3, 403, "not_step_holder");
    uval("UPDATE request_step SET due_at = now() - interval '1 day' WHERE request_id = %lld"
         " AND number = 3",
         rid);
    /* the vice-president's overdue step: the province, the university's authority */
    uact_ok(uf_tokens[PROV], rid, "approve", 3, "approved");
}
END_TEST

/* ------------------------------------------- revert, resubmit, batch review */

/* A confirmed major transfer reverted by the province over the university:
   the student is back in the old college, major and class, studying. */
START_TEST(test_major_transfer_confirmed_reverted)
{
    ustu s;
    long long rid = transfer_to_sitting_in(&s);
    const char *old_class = ucol(s.id, "class_id");
    char cls[32];
    snprintf(cls, sizeof(cls), "%s", old_class);
    uact_ok(uf_tokens[PROV], rid, "approve", 5, "open");
    ht_resp r;
    confirm(uf_tokens[SA], rid, "confirmed", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(ucol(s.id, "major"), umajor_id("UF0201"));
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    /* the university's own offices do not revert */
    ucall(uf_tokens[RH], "POST", path, "{\"comment\":\"误操作\"}", &r);
    ck_assert_msg(r.status == 403 || r.status == 404, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ucall(uf_tokens[PROV], "POST", path, "{\"comment\":\"电子注册撤销\"}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(ucol(s.id, "state"), "studying");
    ck_assert_str_eq(ucol(s.id, "major"), umajor_id("UF0101"));
    ck_assert_str_eq(ucol(s.id, "class_id"), cls);
    ck_assert_str_eq(ucol(s.id, "sitting_in_major"), "");
    ck_assert_str_eq(ucol(s.id, "college"), uval("SELECT id FROM uni_college WHERE school = '" UNIV
                                                 "' AND code = 'UF01'"));
    ck_assert_str_eq(uval("SELECT class_id::text FROM student WHERE id = %lld", s.id), cls);
    ck_assert_str_eq(uval("SELECT state FROM request WHERE id = %lld", rid), "reverted");
}
END_TEST

/* Returned by the vice-dean: only the student resubmits, and the chain
   starts again at its first step. */
START_TEST(test_suspend_returned_and_resubmitted)
{
    ustu s;
    ustudent(&s, "UF0101", 2025);
    long long rid = ustart_ok(&s, "uni_suspend", SUSPEND_ILL, uupload(s.token));
    uact_ok(uf_tokens[VD1], rid, "return", 1, "returned");
    ck_assert_str_eq(uval("SELECT state FROM request WHERE id = %lld", rid), "returned");
    /* nothing decided meanwhile: the registrar head holds nothing yet */
    uact_fails(uf_tokens[RH], rid, "approve", 2, 409, "step_already_decided");
    uact_fails(uf_tokens[VD1], rid, "resubmit", 0, 403, "not_request_starter");
    ck_assert_str_eq(ucol(s.id, "state"), "studying");
    ht_resp r;
    uact(s.token, rid, "resubmit", 0, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(ureq_state(rid), "open:1");
    uact_ok(uf_tokens[VD1], rid, "approve", 1, "open");
    uact_ok(uf_tokens[RH], rid, "approve", 2, "approved");
    ck_assert_str_eq(ucol(s.id, "state"), "suspended");
}
END_TEST

/* An office decides many requests in one batch call (POST
   /requests/actions): each item as the single call would. */
START_TEST(test_offices_batch_review)
{
    ustu a, b;
    ustudent(&a, "UF0101", 2025);
    ustudent(&b, "UF0102", 2025);
    long long ra = ustart_ok(&a, "uni_suspend", SUSPEND_ILL, uupload(a.token));
    long long rb = ustart_ok(&b, "uni_suspend", SUSPEND_ILL, uupload(b.token));
    char body[256];
    snprintf(body, sizeof(body),
             "{\"items\":[{\"request\":%lld,\"step\":1,\"action\":\"approve\"},"
             "{\"request\":%lld,\"step\":1,\"action\":\"approve\"}]}",
             ra, rb);
    ht_resp r;
    /* the registrar head holds neither first step */
    ucall(uf_tokens[RH], "POST", "/api/v1/requests/actions", body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 2);
    for (size_t i = 0; i < 2; i++)
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(items, i), "status")),
                         403);
    ht_resp_free(&r);
    ucall(uf_tokens[VD1], "POST", "/api/v1/requests/actions", body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    items = json_object_get(r.json, "items");
    for (size_t i = 0; i < 2; i++)
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(items, i), "status")),
                         200);
    ht_resp_free(&r);
    snprintf(body, sizeof(body),
             "{\"items\":[{\"request\":%lld,\"step\":2,\"action\":\"approve\"},"
             "{\"request\":%lld,\"step\":2,\"action\":\"approve\"}]}",
             ra, rb);
    ucall(uf_tokens[RH], "POST", "/api/v1/requests/actions", body, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_str_eq(ucol(a.id, "state"), "suspended");
    ck_assert_str_eq(ucol(b.id, "state"), "suspended");
    /* a student never batch-reviews */
    ucall(a.token, "POST", "/api/v1/requests/actions", body, &r);
    ck_assert_msg(r.status == 403, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
}
END_TEST

static Suite *
uniflow_suite(void)
{
    Suite *s = suite_create("uniflow");
    TCase *tc = tcase_create("uniflow");
    tcase_add_unchecked_fixture(tc, uworld, NULL);
    tcase_add_checked_fixture(tc, uuse, uclose);
    tcase_set_timeout(tc, ht_timeout(30));
    tcase_add_test(tc, test_suspend_chain);
    tcase_add_test(tc, test_suspend_evidence_and_limits);
    tcase_add_test(tc, test_resume_chain_and_cohort);
    tcase_add_test(tc, test_resume_after_illness_needs_certificate);
    tcase_add_test(tc, test_withdraw_chain);
    tcase_add_test(tc, test_major_transfer_confirmed);
    tcase_add_test(tc, test_major_transfer_confirmed_by_client);
    tcase_add_test(tc, test_major_transfer_refused);
    tcase_add_test(tc, test_major_transfer_window_and_rules);
    tcase_add_test(tc, test_major_transfer_late_server);
    tcase_add_test(tc, test_withdraw_undoes_sitting_in);
    tcase_add_test(tc, test_cohort_change);
    tcase_add_test(tc, test_student_own_only);
    tcase_add_test(tc, test_overdue_escalates);
    tcase_add_test(tc, test_major_transfer_confirmed_reverted);
    tcase_add_test(tc, test_suspend_returned_and_resubmitted);
    tcase_add_test(tc, test_offices_batch_review);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(uniflow_suite(), uclose);
}
