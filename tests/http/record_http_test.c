/*
 * tests/http/record_http_test.c - the record's completeness (issue 15,
 * docs/decisions/0030) through xuejid: rewards and punishments (GET/POST
 * /students/{key}/rewards and their removal by a reward_removal request),
 * a key-field change reverted by POST /requests/{id}/revert, a transfer done
 * on paper first with its effective_date in the history, and a
 * compulsory-stage repeater refused with 409 compulsory_repeater. The
 * rules themselves are tested below HTTP in
 * tests/integration/record_completeness_test.c. The world is
 * tests/lib/wfworld.h's.
 */
#include "tests/lib/httptest.h"
#include "tests/lib/wfworld.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The entry of the history of `id` of `kind` for request `rid` (a new reference), or NULL. */
static json_t *
history_entry(long long id, const char *kind, long long rid)
{
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/students/%lld/history", id);
    ht_resp r;
    call("GET", path, FURONG, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    json_t *found = NULL, *items = json_object_get(r.json, "items");
    for (size_t i = 0; i < json_array_size(items) && !found; i++) {
        json_t *e = json_array_get(items, i);
        if (strcmp(ht_json_str(e, "kind"), kind) == 0 && jint(e, "request") == rid)
            found = json_incref(e);
    }
    ht_resp_free(&r);
    return found;
}

START_TEST(test_rewards_added_listed_and_removed_by_request)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char path[80];
    snprintf(path, sizeof(path), "/api/v1/students/%lld/rewards", s.id);
    ht_resp r;
    call("POST", path, REG_A,
         "{\"kind\":\"21\",\"date\":\"2026-11-02\",\"issuer\":\"长沙市芙蓉区第一小学\","
         "\"text\":\"课堂违纪\"}",
         &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long id = jint(r.json, "id");
    ck_assert_str_eq(ht_json_str(r.json, "kind"), "21");
    ck_assert(json_is_false(json_object_get(r.json, "removed")));
    ht_resp_free(&r);
    /* bad input: every problem named, nothing stored */
    call_fails("POST", path, REG_A,
               "{\"kind\":\"25\",\"date\":\"2026-11-02\",\"issuer\":\"学校\",\"text\":\"x\"}", 422,
               "expulsion_not_compulsory");
    call_fails("POST", path, REG_A, "{\"kind\":\"15\",\"date\":\"2026-11-02\",\"issuer\":\"学校\"}",
               422, "missing_field");
    call_fails("POST", path, REG_A,
               "{\"kind\":15,\"date\":\"2026-11-02\",\"issuer\":\"学校\",\"text\":\"x\",\"y\":1}",
               422, "validation_failed");
    call_fails("POST", path, FURONG,
               "{\"kind\":\"15\",\"date\":\"2026-11-02\",\"issuer\":\"学校\",\"text\":\"x\"}", 403,
               "forbidden");
    /* the county reads the list */
    call("GET", path, FURONG, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ht_resp_free(&r);
    /* removal only through the competent authority */
    char payload[96];
    snprintf(payload, sizeof(payload), "{\"reward\":%lld,\"reason\":\"误录\"}", id);
    start_fails(REG_A, "reward_removal", s.id, "{\"reward\":999999,\"reason\":\"误录\"}", NULL, 422,
                "reward_not_found");
    long long rid = start_ok(REG_A, "reward_removal", s.id, payload, NULL);
    act_ok(FURONG, rid, "approve", 1, "approved");
    call("GET", path, REG_A, NULL, &r);
    json_t *e = json_array_get(json_object_get(r.json, "items"), 0);
    ck_assert(json_is_true(json_object_get(e, "removed")));
    ck_assert_int_eq(jint(e, "removed_by_request"), rid);
    ht_resp_free(&r);
    ck_assert(history_has(FURONG, s.id, "reward_removal", rid));
    ck_assert_int_eq(events_of(rid, "student.reward_removed"), 1);
    /* not revertible */
    char rpath[64];
    snprintf(rpath, sizeof(rpath), "/api/v1/requests/%lld/revert", rid);
    call_fails("POST", rpath, FURONG, "{}", 422, "not_revertible");
}
END_TEST

START_TEST(test_key_field_change_reverted)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char ev[32];
    snprintf(ev, sizeof(ev), "[%lld]", upload_pdf(REG_A));
    long long rid =
        start_ok(REG_A, "key_field_change", s.id, "{\"changes\":{\"name\":\"欧阳改名\"}}", ev);
    act_ok(FURONG, rid, "approve", 1, "approved");
    ht_resp r;
    get_student(FURONG, s.id, &r);
    ck_assert_str_eq(ht_json_str(r.json, "name"), "欧阳改名");
    ht_resp_free(&r);
    char path[64];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/revert", rid);
    call_fails("POST", path, REG_A, "{}", 403, "forbidden");
    call("POST", path, FURONG, "{\"comment\":\"改错了\"}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "state"), "reverted");
    ht_resp_free(&r);
    get_student(FURONG, s.id, &r);
    ck_assert_str_eq(ht_json_str(r.json, "name"), s.name);
    ht_resp_free(&r);
    ck_assert(history_has(FURONG, s.id, "key_field_change", rid));
    ck_assert(history_has(FURONG, s.id, "revert", rid));
    call_fails("POST", path, FURONG, "{}", 422, "not_revertible");
}
END_TEST

START_TEST(test_offline_transfer_shows_both_dates)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/students/%lld?reveal=id_number", s.id);
    ht_resp r;
    call("GET", path, REG_A, NULL, &r);
    char num[32];
    snprintf(num, sizeof(num), "%s", ht_json_str(r.json, "student_number"));
    ht_resp_free(&r);
    /* a date some days ago: yesterday in the database's calendar */
    char when[16];
    snprintf(when, sizeof(when), "%s",
             scalar("SELECT to_char((now() AT TIME ZONE 'Asia/Shanghai')::date - 20,"
                    " 'YYYY-MM-DD')"));
    char payload[128];
    snprintf(payload, sizeof(payload), "{\"to_school\":\"" SCH_B "\",\"effective_date\":\"%s\"}",
             when);
    /* without evidence: refused */
    start_on(srv, REG_B, "transfer", num, payload, NULL, &r);
    ht_assert_problem(&r, 422, "evidence_required");
    ht_resp_free(&r);
    start_on(srv, REG_B, "transfer", num,
             "{\"to_school\":\"" SCH_B "\",\"effective_date\":\"2001-01-01\"}", "[1]", &r);
    ck_assert_int_eq(r.status, 422);
    ht_resp_free(&r);
    char ev[32];
    snprintf(ev, sizeof(ev), "[%lld]", upload_pdf(REG_B));
    start_on(srv, REG_B, "transfer", num, payload, ev, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long rid = jint(r.json, "id");
    ht_resp_free(&r);
    act_ok(REG_A, rid, "approve", 1, "open");
    act_ok(FURONG, rid, "approve", 2, "approved");
    json_t *e = history_entry(s.id, "transfer", rid);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(ht_json_str(e, "effective_date"), when);
    ck_assert_ptr_nonnull(json_object_get(e, "at"));
    json_decref(e);
}
END_TEST

START_TEST(test_compulsory_repeater_refused)
{
    stu s;
    enrol(REG_A, FURONG, 13, &s);
    scalar("UPDATE student SET state = 'graduated' WHERE id = %lld RETURNING 1", s.id);
    char g[2] = {(char)('0' + s.gender), 0};
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:f,s:s,s:s,s:s,s:[{s:s,s:s,"
        "s:s,s:s},{s:s,s:s,s:s}]}",
        "name", s.name, "gender", g, "birth_date", s.birth, "ethnicity", "01", "nationality", "CHN",
        "id_type", "1", "id_number", s.idnum, "hukou_region", "430102000000", "hukou_type", "1",
        "grade", "13", "class", 1, "enrolled_month", "202209", "entry_mode", "1", "study_mode", "1",
        "source", "1", "distance_km", 1.5, "transport", "1", "school_bus", "0", "phone",
        "13900000000", "family", "name", "复读家长", "relation", "1", "phone", "13700000000",
        "guardian", "1", "name", "复读家长二", "relation", "2", "phone", "13700000001");
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    ht_resp r;
    call("POST", "/api/v1/students", REG_B, body, &r);
    free(body);
    ht_assert_problem(&r, 409, "compulsory_repeater");
    ck_assert_ptr_nonnull(strstr(ht_json_str(r.json, "title"), "复读生"));
    ht_resp_free(&r);
}
END_TEST

static Suite *
record_suite(void)
{
    Suite *s = suite_create("http-record");
    TCase *tc = wf_tcase("record", 120);
    tcase_add_test(tc, test_rewards_added_listed_and_removed_by_request);
    tcase_add_test(tc, test_key_field_change_reverted);
    tcase_add_test(tc, test_offline_transfer_shows_both_dates);
    tcase_add_test(tc, test_compulsory_repeater_refused);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(record_suite(), close_db);
}
