/*
 * tests/http/select_test.c - course selection over HTTP (docs/decisions/0041):
 * rounds and their commitment, no proxy, pre-selection, add/drop, closed
 * rounds, eligibility, exemptions, a student's selections and missing PE
 * course, the leftover round at the college office, preload, and the seat
 * count under a parallel race.
 */
#include "tests/http/select_world.h"

#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <unistd.h>

static void
expect(const char *token, const char *method, const char *path, const char *body, long status,
       const char *code)
{
    ht_resp r;
    sw_call(token, method, path, body, &r);
    if (code)
        ht_assert_problem(&r, status, code);
    else
        ck_assert_msg(r.status == status, "%s %s %s: %ld %s", method, path, body ? body : "",
                      r.status, r.body);
    ht_resp_free(&r);
}

static void
select_as(const swstu *s, long long section, long long replaces, long status, const char *code)
{
    char body[96];
    if (replaces)
        snprintf(body, sizeof(body), "{\"section\":%lld,\"replaces\":%lld}", section, replaces);
    else
        snprintf(body, sizeof(body), "{\"section\":%lld}", section);
    expect(s->token, "POST", "/api/v1/me/selections", body, status, code);
}

static void
drop_as(const swstu *s, long long section, long status, const char *code)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/me/selections/%lld", section);
    expect(s->token, "DELETE", path, NULL, status, code);
}

static const char *
state_of(const swstu *s, long long section)
{
    return swv("SELECT coalesce((SELECT state || '/' || source FROM uni_selection WHERE"
               " student = %lld AND section = %lld), '-')",
               s->id, section);
}

static int
taken(long long section)
{
    return atoi(swv("SELECT taken FROM uni_section WHERE id = %lld", section));
}

START_TEST(test_rounds_and_commitment)
{
    const char *path = "/api/v1/schools/" SWU "/selection-rounds";
    ht_resp r;
    sw_call(
        sw_tok[SW_RS], "POST", path,
        "{\"term\":\"2029-1\",\"kind\":\"preselect\",\"opens_at\":\"2029-06-01T08:00:00+08:00\","
        "\"closes_at\":\"2029-06-08T00:00:00Z\",\"cohorts\":[2027,2028]}",
        &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    long long id = json_integer_value(json_object_get(r.json, "id"));
    const char *commit = ht_json_str(r.json, "commitment");
    ck_assert_int_eq((int)strlen(commit), 64);
    ck_assert(json_is_null(json_object_get(r.json, "reveal")));
    ck_assert_str_eq(ht_json_str(r.json, "opens_at"), "2029-06-01T00:00:00Z");
    ck_assert_int_eq((int)json_array_size(json_object_get(r.json, "cohorts")), 2);
    char want[65];
    snprintf(want, sizeof(want), "%s", commit);
    ht_resp_free(&r);
    /* the stored reveal hashes to the commitment; it is not shown while open */
    ck_assert_str_eq(swv("SELECT encode(sha256(reveal), 'hex') FROM uni_round WHERE id = %lld", id),
                     want);
    /* nor written to the audit trail */
    ck_assert_int_eq(atoi(swv("SELECT count(*) FROM audit a, uni_round r WHERE r.id = %lld"
                              " AND a.action = 'uni_round_create' AND a.target_id = r.id::text"
                              " AND position(encode(r.reveal, 'hex') IN a.detail::text) > 0",
                              id)),
                     0);
    ck_assert_int_eq(atoi(swv("SELECT count(*) FROM audit WHERE action = 'uni_round_create'"
                              " AND target_id = '%lld'",
                              id)),
                     1);
    char one[128];
    snprintf(one, sizeof(one), "%s/%lld", path, id);
    sw_call(sw_tok[SW_RS], "GET", one, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert(json_is_null(json_object_get(r.json, "reveal")));
    ht_resp_free(&r);
    swv("UPDATE uni_round SET state = 'closed', closed_at = now() WHERE id = %lld", id);
    sw_call(sw_tok[SW_PROV], "GET", one, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    unsigned char rv[32], h[32];
    size_t n = 0;
    const char *rs = ht_json_str(r.json, "reveal");
    ck_assert_int_eq(sodium_hex2bin(rv, 32, rs, strlen(rs), NULL, &n, NULL), 0);
    ck_assert_int_eq((int)n, 32);
    crypto_hash_sha256(h, rv, 32);
    char hx[65];
    sodium_bin2hex(hx, sizeof(hx), h, 32);
    ck_assert_str_eq(hx, want);
    ht_resp_free(&r);
    /* add/drop: no commitment; the list of the term has both */
    sw_call(sw_tok[SW_RS], "POST", path,
            "{\"term\":\"2029-1\",\"kind\":\"add_drop\",\"opens_at\":\"2029-06-10T00:00:00Z\","
            "\"closes_at\":\"2029-06-12T00:00:00Z\"}",
            &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert(json_is_null(json_object_get(r.json, "commitment")));
    ck_assert(json_is_null(json_object_get(r.json, "cohorts")));
    ht_resp_free(&r);
    sw_call(sw_tok[SW_OFF1], "GET", "/api/v1/schools/" SWU "/selection-rounds?term=2029-1", NULL,
            &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq((int)json_array_size(json_object_get(r.json, "items")), 2);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_round_validation_and_who)
{
    const char *path = "/api/v1/schools/" SWU "/selection-rounds";
    expect(sw_tok[SW_RS], "POST", path,
           "{\"term\":\"2029-3\",\"kind\":\"add_drop\",\"opens_at\":\"2029-06-10T00:00:00Z\","
           "\"closes_at\":\"2029-06-12T00:00:00Z\"}",
           422, "invalid_term");
    expect(sw_tok[SW_RS], "POST", path,
           "{\"term\":\"2029-1\",\"kind\":\"lottery\",\"opens_at\":\"2029-06-10T00:00:00Z\","
           "\"closes_at\":\"2029-06-12T00:00:00Z\"}",
           422, "invalid_value");
    expect(sw_tok[SW_RS], "POST", path,
           "{\"term\":\"2029-1\",\"kind\":\"add_drop\",\"opens_at\":\"2029-06-10 08:00\","
           "\"closes_at\":\"2029-06-12T00:00:00Z\"}",
           422, "invalid_datetime");
    expect(sw_tok[SW_RS], "POST", path,
           "{\"term\":\"2029-1\",\"kind\":\"add_drop\",\"opens_at\":\"2029-06-12T00:00:00Z\","
           "\"closes_at\":\"2029-06-12T00:00:00Z\"}",
           422, "invalid_round_times");
    expect(sw_tok[SW_RS], "POST", path,
           "{\"term\":\"2029-1\",\"kind\":\"add_drop\",\"opens_at\":\"2029-06-10T00:00:00Z\","
           "\"closes_at\":\"2029-06-12T00:00:00Z\",\"cohorts\":[1900]}",
           422, "invalid_cohort");
    const char *ok = "{\"term\":\"2029-2\",\"kind\":\"add_drop\",\"opens_at\":"
                     "\"2030-01-10T00:00:00Z\",\"closes_at\":\"2030-01-12T00:00:00Z\"}";
    expect(sw_tok[SW_OFF1], "POST", path, ok, 403, "forbidden");
    expect(sw_tok[SW_PROV], "POST", path, ok, 403, "forbidden");
    ck_assert_int_eq(swi("SELECT count(*) FROM uni_round WHERE school = '" SWU "'"
                         " AND term IN ('2029-3', '2029-2')"),
                     0);
    expect(sw_tok[SW_RS], "GET", "/api/v1/schools/" SWU "/selection-rounds/999999999", NULL, 404,
           "not_found");
}
END_TEST

/* L311: no one selects for another; a staff token gets 403 on /me/. */
START_TEST(test_no_proxy)
{
    const int who[] = {SW_RS, SW_OFF1, SW_PROV};
    for (int i = 0; i < 3; i++) {
        ht_resp r;
        sw_call(sw_tok[who[i]], "POST", "/api/v1/me/selections", "{\"section\":1}", &r);
        ht_assert_problem(&r, 403, "forbidden");
        ck_assert_msg(strstr(ht_json_str(r.json, "detail"), "本人") != NULL, "%s", r.body);
        ht_resp_free(&r);
        expect(sw_tok[who[i]], "GET", "/api/v1/me/sections?term=2026-2", NULL, 403, "forbidden");
        expect(sw_tok[who[i]], "GET", "/api/v1/me/selections?term=2026-2", NULL, 403, "forbidden");
        expect(sw_tok[who[i]], "DELETE", "/api/v1/me/selections/1", NULL, 403, "forbidden");
    }
    expect(NULL, "POST", "/api/v1/me/selections", "{\"section\":1}", 401, NULL);
}
END_TEST

START_TEST(test_preselect)
{
    sw_round("2027-1", "preselect", -60, 3600, NULL);
    long long course = sw_course("elective"), other = sw_course("elective");
    long long s1 = sw_section(course, "2027-1", 1, 1, 0, NULL);
    long long s2 = sw_section(course, "2027-1", 2, 1, 0, NULL);
    long long x = sw_section(other, "2027-1", 1, 5, 0, NULL);
    swstu a, b;
    sw_student(&a, "SM01", 2025);
    sw_student(&b, "SM02", 2025);
    /* no capacity limit in pre-selection: both hold the one seat's section */
    select_as(&a, s1, 0, 201, NULL);
    select_as(&b, s1, 0, 201, NULL);
    ck_assert_str_eq(state_of(&a, s1), "preselected/student");
    ck_assert_int_eq(taken(s1), 0);
    select_as(&a, s1, 0, 200, NULL); /* again: nothing changes */
    select_as(&a, s2, 0, 409, "course_already_selected");
    select_as(&a, s2, x, 422, "invalid_value");
    select_as(&a, s2, s1, 201, NULL); /* a change of section */
    ck_assert_str_eq(state_of(&a, s1), "-");
    ck_assert_str_eq(state_of(&a, s2), "preselected/student");
    drop_as(&a, s2, 200, NULL);
    ck_assert_str_eq(state_of(&a, s2), "-");
    drop_as(&a, s2, 404, "not_found");
    /* exempted: shown, and refused */
    swv("INSERT INTO uni_exemption (student, course, kind) VALUES (%lld, %lld, 'exemption')", b.id,
        other);
    ht_resp r;
    sw_call(b.token, "GET", "/api/v1/me/sections?term=2027-1", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "round"), "kind")),
                     "preselect");
    size_t i;
    json_t *it;
    int seen = 0;
    json_array_foreach(json_object_get(r.json, "items"), i, it)
    {
        if (json_integer_value(json_object_get(it, "id")) == x) {
            ck_assert(json_is_true(json_object_get(it, "exempted")));
            seen++;
        }
        if (json_integer_value(json_object_get(it, "id")) == s1) {
            ck_assert_str_eq(ht_json_str(it, "my_state"), "preselected");
            ck_assert_int_eq((int)json_integer_value(json_object_get(it, "free")), 1);
            seen++;
        }
    }
    ck_assert_int_eq(seen, 2);
    ht_resp_free(&r);
    select_as(&b, x, 0, 409, "course_exempted");
    select_as(&a, 999999999, 0, 404, "not_found");
    /* a student of the cohort whose first term this is */
    swstu fresh;
    sw_student(&fresh, "SM01", 2027);
    select_as(&fresh, x, 0, 409, "not_eligible");
}
END_TEST

/* The audit rows of `s`'s changes of `section`, oldest first:
   "action:state,..." ("" when none). */
static const char *
audits(const swstu *s, long long section)
{
    return swv("SELECT coalesce(string_agg(action || ':' || (detail->>'state'), ',' ORDER BY id),"
               " '') FROM audit WHERE target_type = 'uni_section' AND target_id = '%lld'"
               " AND (detail->>'student')::bigint = %lld",
               section, s->id);
}

START_TEST(test_add_drop)
{
    sw_round("2026-2", "add_drop", -60, 3600, NULL);
    long long course = sw_course("elective"), other = sw_course("pe");
    long long s1 = sw_section(course, "2026-2", 1, 2, 0, NULL);
    long long s2 = sw_section(course, "2026-2", 2, 1, 0, NULL);
    long long only3 = sw_section(other, "2026-2", 1, 5, 2025, "SM03");
    swstu a, b, c;
    sw_student(&a, "SM01", 2025);
    sw_student(&b, "SM01", 2025);
    sw_student(&c, "SM01", 2024);
    select_as(&a, s1, 0, 201, NULL);
    ck_assert_str_eq(state_of(&a, s1), "selected/student");
    ck_assert_int_eq(taken(s1), 1);
    /* the change and its audit row are one statement: one row per change made */
    ck_assert_str_eq(audits(&a, s1), "uni_selection_add:selected");
    select_as(&a, s1, 0, 200, NULL); /* again: nothing changes, nothing audited */
    ck_assert_str_eq(audits(&a, s1), "uni_selection_add:selected");
    select_as(&b, s2, 0, 201, NULL);
    ck_assert_int_eq(taken(s2), 1);
    /* a change into a full section fails whole: the old seat is kept */
    select_as(&a, s2, s1, 409, "section_full");
    ck_assert_str_eq(state_of(&a, s1), "selected/student");
    ck_assert_int_eq(taken(s1), 1);
    /* b changes s2 -> s1: atomically, both counts move */
    select_as(&b, s1, s2, 201, NULL);
    ck_assert_str_eq(state_of(&b, s2), "dropped/student");
    ck_assert_int_eq(taken(s2), 0);
    ck_assert_int_eq(taken(s1), 2);
    select_as(&c, s1, 0, 409, "section_full");
    ck_assert_str_eq(audits(&c, s1), ""); /* a refused change leaves no audit row */
    /* a drop releases the seat; then the section has room again */
    drop_as(&a, s1, 200, NULL);
    ck_assert_str_eq(state_of(&a, s1), "dropped/student");
    ck_assert_int_eq(taken(s1), 1);
    ck_assert_str_eq(audits(&a, s1), "uni_selection_add:selected,uni_selection_drop:dropped");
    drop_as(&a, s1, 404, "not_found"); /* nothing left to drop: no row */
    ck_assert_str_eq(audits(&a, s1), "uni_selection_add:selected,uni_selection_drop:dropped");
    select_as(&c, s1, 0, 201, NULL);
    select_as(&a, s1, 0, 409, "section_full");
    select_as(&a, s2, 0, 201, NULL); /* a dropped row is taken up again */
    ck_assert_str_eq(state_of(&a, s2), "selected/student");
    /* a section meant for another major and cohort */
    select_as(&a, only3, 0, 409, "not_eligible");
    ck_assert_int_eq(taken(only3), 0);
    select_as(&a, 0, 0, 422, "wrong_type");
}
END_TEST

START_TEST(test_round_closed)
{
    long long course = sw_course("elective");
    /* 2027-2: the preselect round has closed but is not drawn; add/drop is open */
    sw_round("2027-2", "preselect", -7200, -3600, NULL);
    sw_round("2027-2", "add_drop", -60, 3600, NULL);
    long long s = sw_section(course, "2027-2", 1, 5, 0, NULL);
    /* 2028-1: no round at all */
    long long t = sw_section(course, "2028-1", 1, 5, 0, NULL);
    swstu a;
    sw_student(&a, "SM01", 2025);
    select_as(&a, s, 0, 409, "round_closed");
    select_as(&a, t, 0, 409, "round_closed");
    /* a selection made earlier is valid: the drop outside a round is refused */
    swv("INSERT INTO uni_selection (student, section, school, course, term, state, source)"
        " VALUES (%lld, %lld, '" SWU "', %lld, '2028-1', 'selected', 'preload')",
        a.id, t, course);
    swv("UPDATE uni_section SET taken = 1 WHERE id = %lld", t);
    drop_as(&a, t, 409, "round_closed");
    ck_assert_str_eq(state_of(&a, t), "selected/preload");
    ck_assert_int_eq(taken(t), 1);
    /* drawn: add/drop opens for real */
    swv("UPDATE uni_round SET state = 'drawn', closed_at = now(), drawn_at = now()"
        " WHERE school = '" SWU "' AND term = '2027-2' AND kind = 'preselect'");
    select_as(&a, s, 0, 201, NULL);
    /* a round admitting only cohort 2024 */
    sw_round("2028-2", "add_drop", -60, 3600, "'{2024}'");
    long long u = sw_section(course, "2028-2", 1, 5, 0, NULL);
    select_as(&a, u, 0, 409, "not_eligible");
    swstu old;
    sw_student(&old, "SM01", 2024);
    select_as(&old, u, 0, 201, NULL);
}
END_TEST

START_TEST(test_mine_and_missing_pe)
{
    sw_round("2026-2", "add_drop", -60, 3600, NULL);
    long long pe = sw_course("pe"), el = sw_course("elective");
    /* the plan of SM02 cohort 2025: PE in its 4th term (2026-2) */
    swv("INSERT INTO uni_plan_course (school, major, cohort, course, term_no) SELECT '" SWU "',"
        " id, 2025, %lld, 4 FROM uni_major WHERE school = '" SWU "' AND code = 'SM02'",
        pe);
    long long spe = sw_section(pe, "2026-2", 1, 30, 2025, NULL);
    long long sel = sw_section(el, "2026-2", 1, 30, 0, NULL);
    swstu a;
    sw_student(&a, "SM02", 2025);
    select_as(&a, sel, 0, 201, NULL);
    ht_resp r;
    sw_call(a.token, "GET", "/api/v1/me/selections?term=2026-2", NULL, &r);
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.json, "items"), *miss = json_object_get(r.json, "missing");
    ck_assert_int_eq((int)json_array_size(items), 1);
    ck_assert_str_eq(ht_json_str(json_array_get(items, 0), "state"), "selected");
    ck_assert_int_eq((int)json_array_size(miss), 1);
    ck_assert_int_eq((int)json_integer_value(json_object_get(json_array_get(miss, 0), "course")),
                     (int)pe);
    ht_resp_free(&r);
    select_as(&a, spe, 0, 201, NULL);
    sw_call(a.token, "GET", "/api/v1/me/selections?term=2026-2", NULL, &r);
    ck_assert_int_eq((int)json_array_size(json_object_get(r.json, "missing")), 0);
    ck_assert_int_eq((int)json_array_size(json_object_get(r.json, "items")), 2);
    ht_resp_free(&r);
    expect(a.token, "GET", "/api/v1/me/selections?term=2026", NULL, 422, "invalid_term");
    expect(a.token, "GET", "/api/v1/me/sections", NULL, 422, "invalid_term");
}
END_TEST

/* 遗留问题 (L302): the college office adds or changes, in weeks 1-2 of the term. */
START_TEST(test_leftover)
{
    long long course = sw_course("elective");
    long long s1 = sw_section(course, "2026-2", 1, 1, 0, NULL);
    long long s2 = sw_section(course, "2026-2", 2, 3, 0, NULL);
    long long later = sw_section(course, "2027-1", 1, 3, 0, NULL);
    swstu a, b;
    sw_student(&a, "SM01", 2025);
    sw_student(&b, "SM01", 2025);
    char path[160], body[96];
    snprintf(path, sizeof(path), "/api/v1/schools/" SWU "/uni-students/%s/selections", a.no);
    snprintf(body, sizeof(body), "{\"section\":%lld}", s1);
    expect(sw_tok[SW_OFF2], "POST", path, body, 403, "forbidden");
    expect(sw_tok[SW_RS], "POST", path, body, 403, "forbidden");
    expect(a.token, "POST", path, body, 403, "forbidden");
    expect(sw_tok[SW_OFF1], "POST", path, body, 201, NULL);
    ck_assert_str_eq(state_of(&a, s1), "selected/office");
    ck_assert_int_eq(taken(s1), 1);
    /* a change of section */
    snprintf(body, sizeof(body), "{\"section\":%lld,\"replaces\":%lld}", s2, s1);
    expect(sw_tok[SW_OFF1], "POST", path, body, 201, NULL);
    ck_assert_str_eq(state_of(&a, s1), "dropped/office");
    ck_assert_int_eq(taken(s1), 0);
    ck_assert_int_eq(taken(s2), 1);
    /* the next term's section: outside its weeks 1-2 */
    snprintf(body, sizeof(body), "{\"section\":%lld}", later);
    expect(sw_tok[SW_OFF1], "POST", path, body, 409, "window_closed");
    /* full */
    char pb[160];
    snprintf(pb, sizeof(pb), "/api/v1/schools/" SWU "/uni-students/%s/selections", b.no);
    snprintf(body, sizeof(body), "{\"section\":%lld}", s1);
    expect(sw_tok[SW_OFF1], "POST", pb, body, 201, NULL);
    snprintf(body, sizeof(body), "{\"section\":%lld,\"replaces\":%lld}", s1, s2);
    expect(sw_tok[SW_OFF1], "POST", path, body, 409, "section_full");
    ck_assert_str_eq(state_of(&a, s2), "selected/office");
    expect(sw_tok[SW_OFF1], "POST", "/api/v1/schools/" SWU "/uni-students/nobody/selections", body,
           404, "student_not_found");
}
END_TEST

START_TEST(test_preload)
{
    long long pe = sw_course("pe");
    /* SM03 cohort 2026: its plan has the course in its 2nd term (2026-2) */
    swv("INSERT INTO uni_plan_course (school, major, cohort, course, term_no) SELECT '" SWU "',"
        " id, 2026, %lld, 2 FROM uni_major WHERE school = '" SWU "' AND code = 'SM03'",
        pe);
    long long s = sw_section(pe, "2026-2", 1, 3, 2026, "SM03");
    swstu st[5];
    for (int i = 0; i < 5; i++)
        sw_student(&st[i], "SM03", 2026);
    swv("INSERT INTO uni_exemption (student, course, kind) VALUES (%lld, %lld, 'exemption')",
        st[4].id, pe);
    swstu other;
    sw_student(&other, "SM01", 2026); /* another major: not a candidate */
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/schools/" SWU "/sections/%lld/preload", s);
    expect(sw_tok[SW_OFF1], "POST", path, NULL, 403, "forbidden");
    ht_resp r;
    sw_call(sw_tok[SW_RS], "POST", path, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq((int)json_integer_value(json_object_get(r.json, "preloaded")), 3);
    ck_assert_int_eq((int)json_integer_value(json_object_get(r.json, "already")), 0);
    ck_assert_int_eq((int)json_integer_value(json_object_get(r.json, "no_seat")), 1);
    ht_resp_free(&r);
    ck_assert_int_eq(taken(s), 3);
    ck_assert_str_eq(state_of(&st[0], s), "selected/preload");
    ck_assert_str_eq(state_of(&st[4], s), "-");
    ck_assert_str_eq(state_of(&other, s), "-");
    sw_call(sw_tok[SW_RS], "POST", path, NULL, &r);
    ck_assert_int_eq((int)json_integer_value(json_object_get(r.json, "preloaded")), 0);
    ck_assert_int_eq((int)json_integer_value(json_object_get(r.json, "already")), 3);
    ck_assert_int_eq((int)json_integer_value(json_object_get(r.json, "no_seat")), 1);
    ht_resp_free(&r);
    expect(sw_tok[SW_RS], "POST", "/api/v1/schools/" SWU "/sections/999999999/preload", NULL, 404,
           "not_found");
}
END_TEST

/* ---- the race ---- */

#define RACERS 40
#define SEATS 7

typedef struct racer {
    const swstu *s;
    long long section;
    int drop; /* 1: DELETE, else POST */
    long status;
    char code[40];
} racer;

static void *
race_one(void *arg)
{
    racer *r = arg;
    char auth[1100], path[96], body[64];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", r->s->token);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
    ht_resp out;
    int rc;
    if (r->drop) {
        snprintf(path, sizeof(path), "/api/v1/me/selections/%lld", r->section);
        rc = ht_request(sw_srv, "DELETE", path, h, NULL, 0, &out);
    } else {
        snprintf(body, sizeof(body), "{\"section\":%lld}", r->section);
        rc = ht_request(sw_srv, "POST", "/api/v1/me/selections", h, body, strlen(body), &out);
    }
    r->status = rc == 0 ? out.status : -1;
    snprintf(r->code, sizeof(r->code), "%s", out.json ? ht_json_str(out.json, "code") : "");
    ht_resp_free(&out);
    return NULL;
}

static void
race(racer *v, int n)
{
    pthread_t t[RACERS];
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, race_one, &v[i]), 0);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

START_TEST(test_capacity_race)
{
    sw_round("2026-2", "add_drop", -60, 3600, NULL);
    long long course = sw_course("elective");
    long long s = sw_section(course, "2026-2", 1, SEATS, 0, NULL);
    static swstu st[RACERS];
    for (int i = 0; i < RACERS; i++)
        sw_student(&st[i], i % 2 ? "SM01" : "SM02", 2025);
    racer v[RACERS];
    for (int i = 0; i < RACERS; i++)
        v[i] = (racer){.s = &st[i], .section = s};
    race(v, RACERS);
    int ok = 0, full = 0;
    for (int i = 0; i < RACERS; i++) {
        ok += v[i].status == 201;
        full += v[i].status == 409 && strcmp(v[i].code, "section_full") == 0;
    }
    ck_assert_int_eq(ok, SEATS);
    ck_assert_int_eq(full, RACERS - SEATS);
    ck_assert_int_eq(taken(s), SEATS);
    ck_assert_int_eq(atoi(swv("SELECT count(*) FROM uni_selection WHERE section = %lld"
                              " AND state = 'selected'",
                              s)),
                     SEATS);
    /* the holders drop while the others add: the count stays the rows' */
    for (int i = 0; i < RACERS; i++)
        v[i] = (racer){.s = &st[i], .section = s, .drop = v[i].status == 201};
    race(v, RACERS);
    int dropped = 0, added = 0;
    for (int i = 0; i < RACERS; i++) {
        dropped += v[i].drop && v[i].status == 200;
        added += !v[i].drop && v[i].status == 201;
    }
    ck_assert_int_eq(dropped, SEATS);
    int sel = atoi(swv("SELECT count(*) FROM uni_selection WHERE section = %lld"
                       " AND state = 'selected'",
                       s));
    ck_assert_int_eq(taken(s), sel);
    ck_assert_int_eq(sel, added);
    ck_assert_int_le(sel, SEATS);
}
END_TEST

/* One student sends the same selection many times at once: one seat is
   taken, one 201; the others see it made (200) or lose to it in the
   statement (409 course_already_selected), and none leaves a seat behind
   without its row (docs/decisions/0046). */
START_TEST(test_same_student_race)
{
    sw_round("2026-2", "add_drop", -60, 3600, NULL);
    long long course = sw_course("elective");
    long long s = sw_section(course, "2026-2", 1, SEATS, 0, NULL);
    swstu one;
    sw_student(&one, "SM01", 2025);
    racer v[RACERS];
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < RACERS; i++)
            v[i] = (racer){.s = &one, .section = s};
        race(v, RACERS);
        int made = 0, seen = 0, lost = 0;
        for (int i = 0; i < RACERS; i++) {
            made += v[i].status == 201;
            seen += v[i].status == 200;
            lost += v[i].status == 409 && strcmp(v[i].code, "course_already_selected") == 0;
        }
        ck_assert_int_eq(made, 1);
        ck_assert_int_eq(made + seen + lost, RACERS);
        ck_assert_int_eq(taken(s), 1);
        ck_assert_str_eq(state_of(&one, s), "selected/student");
        /* and the drops race the same way: one 200, the others 404 */
        for (int i = 0; i < RACERS; i++)
            v[i] = (racer){.s = &one, .section = s, .drop = 1};
        race(v, RACERS);
        int dropped = 0, gone = 0;
        for (int i = 0; i < RACERS; i++) {
            dropped += v[i].status == 200;
            gone += v[i].status == 404;
        }
        ck_assert_int_eq(dropped, 1);
        ck_assert_int_eq(gone, RACERS - 1);
        ck_assert_int_eq(taken(s), 0);
    }
    ck_assert_int_eq(atoi(swv("SELECT count(*) FROM audit WHERE target_type = 'uni_section'"
                              " AND target_id = '%lld'",
                              s)),
                     6);
}
END_TEST

/* A connection inside a transaction that has run the statements of `fmt`
   (printf-style, separated by ";"): it holds what they locked until
   race_held. */
static PGconn *hold(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static PGconn *
hold(const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    PGconn *c = ht_db_connect();
    ht_db_exec(c, "BEGIN");
    ht_db_exec(c, sql);
    return c;
}

/* Send `r` while `held` holds what it needs; once the change's statement
   waits for a lock, commit `held`, then wait for `r`'s answer. */
static void
race_held(PGconn *held, racer *r)
{
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, race_one, r), 0);
    int waited = 0;
    for (int i = 0; i < 250 && !waited; i++) {
        waited = atoi(swv("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                          " AND query LIKE 'WITH ctx AS MATERIALIZED (SELECT u.student_id%%'")) > 0;
        if (!waited)
            usleep(20 * 1000);
    }
    ht_db_exec(held, "COMMIT");
    PQfinish(held);
    pthread_join(t, NULL);
    ck_assert_msg(waited, "the change never waited: %ld %s", r->status, r->code);
}

/* The statement itself refuses a seat without its row. The student's other
   request takes the seat and makes the row, and commits while this one's
   statement waits for the seat's row lock: the statement read no selection
   (its snapshot is older), takes the seat, finds the row live and must abort
   as course_already_selected, leaving the one seat of the other request. */
START_TEST(test_seat_needs_its_row)
{
    sw_round("2026-2", "add_drop", -60, 3600, NULL);
    long long course = sw_course("elective");
    long long s = sw_section(course, "2026-2", 1, 3, 0, NULL);
    swstu one;
    sw_student(&one, "SM01", 2025);
    racer r = {.s = &one, .section = s};
    race_held(hold("UPDATE uni_section SET taken = taken + 1 WHERE id = %lld; INSERT INTO"
                   " uni_selection (student, section, school, course, term, state, source)"
                   " VALUES (%lld, %lld, '" SWU "', %lld, '2026-2', 'selected', 'student')",
                   s, one.id, s, course),
              &r);
    ck_assert_msg(r.status == 409 && strcmp(r.code, "course_already_selected") == 0, "%ld %s",
                  r.status, r.code);
    ck_assert_int_eq(taken(s), 1);
    ck_assert_str_eq(state_of(&one, s), "selected/student");
    /* a full section: no seat, no row */
    swv("UPDATE uni_section SET taken = capacity WHERE id = %lld", s);
    swstu two;
    sw_student(&two, "SM01", 2025);
    select_as(&two, s, 0, 409, "section_full");
    ck_assert_str_eq(state_of(&two, s), "-");
    ck_assert_int_eq(taken(s), 3);
}
END_TEST

/* A pre-selection racing the round's close: the close holds the round's row
   (as db/lottery.c does) and ends the round; the pre-selection waits for it
   and answers round_closed, leaving no row the draw never saw. */
START_TEST(test_preselect_racing_close)
{
    long long course = sw_course("elective");
    long long round = sw_round("2029-1", "preselect", -60, 3600, NULL);
    long long s = sw_section(course, "2029-1", 1, 5, 0, NULL);
    swstu a;
    sw_student(&a, "SM01", 2025);
    racer r = {.s = &a, .section = s};
    race_held(hold("SELECT id FROM uni_round WHERE id = %lld FOR UPDATE; UPDATE uni_round"
                   " SET state = 'drawn', closed_at = now(), drawn_at = now() WHERE id = %lld",
                   round, round),
              &r);
    ck_assert_msg(r.status == 409 && strcmp(r.code, "round_closed") == 0, "%ld %s", r.status,
                  r.code);
    ck_assert_str_eq(state_of(&a, s), "-");
}
END_TEST

static Suite *
select_suite(void)
{
    Suite *s = suite_create("select");
    TCase *tc = tcase_create("select");
    tcase_add_unchecked_fixture(tc, sw_world, NULL);
    tcase_add_checked_fixture(tc, sw_use, sw_close);
    tcase_set_timeout(tc, ht_timeout(30));
    tcase_add_test(tc, test_rounds_and_commitment);
    tcase_add_test(tc, test_round_validation_and_who);
    tcase_add_test(tc, test_no_proxy);
    tcase_add_test(tc, test_preselect);
    tcase_add_test(tc, test_add_drop);
    tcase_add_test(tc, test_round_closed);
    tcase_add_test(tc, test_mine_and_missing_pe);
    tcase_add_test(tc, test_leftover);
    tcase_add_test(tc, test_preload);
    tcase_add_test(tc, test_capacity_race);
    tcase_add_test(tc, test_same_student_race);
    tcase_add_test(tc, test_seat_needs_its_row);
    tcase_add_test(tc, test_preselect_racing_close);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(select_suite(), sw_close);
}
