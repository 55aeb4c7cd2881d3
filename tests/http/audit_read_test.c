/*
 * tests/http/audit_read_test.c - GET /api/v1/audit (API.md "Sync, audit,
 * operations"): who reads which rows (the ministry all; a province the rows
 * written by orgs within it; a city, a county or a school's registrar only
 * its own org's; narrower staff 403), each filter (actor, student by id or
 * number with its requests, action, from/to as dates or RFC 3339 times),
 * keyset pages that neither repeat nor skip while rows are added, personal
 * numbers masked in what is shown, and bad parameters. The world:
 * tests/lib/wfworld.h, plus a ministry account. Seals: a database of its
 * own (tests/http/audit_seal_world.h), so that the seal written here by
 * hand never joins the shared database's chain.
 */
#include "core/pwhash.h"
#include "tests/http/audit_seal_world.h"
#include "tests/lib/wfworld.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define MINISTRY NACTORS /* an actor index of our own, after wfworld's */

static char ministry_token[1024];

/* Unchecked setup: wfworld's, plus the ministry account and its token. */
static void
audit_world(void)
{
    shared_world();
    char hash[CORE_PWHASH_LEN], sql[1024];
    ck_assert_int_eq(core_pwhash(PW, hash), 0);
    snprintf(sql, sizeof(sql),
             "INSERT INTO app_user (username, display_name, role, org, password_hash,"
             " must_change_password) VALUES ('ar_ministry', 'ar_ministry', 'ministry', '000000',"
             " '%s', false) ON CONFLICT (username) DO NOTHING",
             hash);
    ht_db_exec(tdb(), sql);
    close_db();
    ht_resp r;
    ck_assert_int_eq(ht_post_json(ht_shared(), "/api/v1/auth/login",
                                  "{\"username\":\"ar_ministry\",\"password\":\"" PW "\"}", NULL,
                                  &r),
                     0);
    ck_assert_msg(r.status == 200, "login ar_ministry: %ld %s", r.status, r.body);
    snprintf(ministry_token, sizeof(ministry_token), "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

static TCase *
audit_tcase(const char *name, int timeout)
{
    TCase *tc = tcase_create(name);
    tcase_add_unchecked_fixture(tc, audit_world, NULL);
    tcase_add_checked_fixture(tc, use_shared, close_db);
    tcase_set_timeout(tc, ht_timeout(timeout));
    return tc;
}

/* GET /api/v1/audit?<query> as `who` (MINISTRY: ours); the answer. */
static void
audit_call(int who, const char *query, ht_resp *r)
{
    char path[1024], auth[1100];
    snprintf(path, sizeof(path), "/api/v1/audit%s%s", query[0] ? "?" : "", query);
    if (who != MINISTRY) {
        call("GET", path, who, NULL, r);
        return;
    }
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", ministry_token);
    const char *h[] = {auth, NULL};
    ck_assert_int_eq(ht_request(srv, "GET", path, h, NULL, 0, r), 0);
}

/* The same, expecting 200 and a well-formed page: its items (owned by r). */
static json_t *
audit_ok(int who, const char *query, ht_resp *r)
{
    audit_call(who, query, r);
    ck_assert_msg(r->status == 200, "audit?%s as %d: %ld %s", query, who, r->status, r->body);
    json_t *items = json_object_get(r->json, "items");
    ck_assert(json_is_array(items));
    ck_assert(json_object_get(r->json, "next_cursor") != NULL);
    return items;
}

/* How many items are `action` on (type, id); with `org` non-NULL, every item
   must have been written by it. */
static int
count_rows(const json_t *items, const char *action, const char *type, long long id, const char *org)
{
    char tid[24];
    snprintf(tid, sizeof(tid), "%lld", id);
    int n = 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const json_t *actor = json_object_get(it, "actor"), *target = json_object_get(it, "target");
        if (org != NULL)
            ck_assert_str_eq(ht_json_str(actor, "org"), org);
        if (strcmp(ht_json_str(it, "action"), action) == 0 && json_is_object(target) &&
            strcmp(ht_json_str(target, "type"), type) == 0 &&
            strcmp(ht_json_str(target, "id"), tid) == 0)
            n++;
    }
    return n;
}

static long long
user_id(int who)
{
    return count_of("SELECT id FROM app_user WHERE username = '%s'", cast[who].user);
}

/* Register a student at `reg`'s school (grade 13, class 1): its id, its
   registration request and its provisional (L) student number. */
static void
register_one(int reg, stu *s, long long *rid, char number[24])
{
    stu_make(s, 2016);
    char g[2] = {(char)('0' + s->gender), 0};
    json_t *o = json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:f,s:s,s:s,s:s,s:[{s:s,s:s,"
        "s:s,s:s},{s:s,s:s,s:s}]}",
        "name", s->name, "gender", g, "birth_date", s->birth, "ethnicity", "01", "nationality",
        "CHN", "id_type", "1", "id_number", s->idnum, "hukou_region", "430102000000", "hukou_type",
        "1", "grade", "13", "class", 1, "enrolled_month", "202209", "entry_mode", "1", "study_mode",
        "1", "source", "1", "distance_km", 1.5, "transport", "1", "school_bus", "0", "phone",
        "13900000000", "family", "name", "审计家长", "relation", "1", "phone", "13700000000",
        "guardian", "1", "name", "家长二", "relation", "2", "phone", "13700000001");
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    ht_resp r;
    call("POST", "/api/v1/students", reg, text, &r);
    free(text);
    ck_assert_msg(r.status == 201, "register: %ld %s", r.status, r.body);
    const json_t *st = json_object_get(r.json, "student");
    s->id = jint(st, "id");
    *rid = jint(json_object_get(r.json, "request"), "id");
    snprintf(number, 24, "%s", ht_json_str(st, "student_number"));
    ht_resp_free(&r);
}

/* `n` rows of `action` on (type, id) in GET /audit?student=<sid> as `who`. */
static int
seen(int who, long long sid, const char *action, const char *type, long long id)
{
    char q[64];
    snprintf(q, sizeof(q), "student=%lld&limit=500", sid);
    ht_resp r;
    int n = count_rows(audit_ok(who, q, &r), action, type, id, NULL);
    ht_resp_free(&r);
    return n;
}

/* Every item of GET /audit?<query> as `who` was written by `org`; how many. */
static int
all_by(int who, const char *query, const char *org)
{
    ht_resp r;
    json_t *items = audit_ok(who, query, &r);
    count_rows(items, "", "", 0, org);
    int n = (int)json_array_size(items);
    ht_resp_free(&r);
    return n;
}

START_TEST(test_audit_scope_by_level)
{
    stu a, c, j;
    long long ra, rc, rj;
    char num[24], q[64];
    register_one(REG_A, &a, &ra, num);
    act_ok(FURONG, ra, "approve", 1, "approved");
    register_one(REG_C, &c, &rc, num);
    act_ok(TIANXIN, rc, "approve", 1, "approved");
    register_one(REG_J, &j, &rj, num);
    act_ok(DONGHU, rj, "approve", 1, "approved");

    /* a county: the rows its own org wrote, not its schools', not another county's */
    snprintf(q, sizeof(q), "student=%lld", a.id);
    ck_assert_int_ge(all_by(FURONG, q, "430102"), 1);
    ck_assert_int_eq(seen(FURONG, a.id, "request.act", "request", ra), 1);
    ck_assert_int_eq(seen(FURONG, a.id, "student.register", "student", a.id), 0);
    snprintf(q, sizeof(q), "student=%lld", c.id);
    ck_assert_int_eq(all_by(FURONG, q, NULL), 0);
    ck_assert_int_eq(seen(TIANXIN, c.id, "request.act", "request", rc), 1);
    ck_assert_int_ge(all_by(FURONG, "limit=500", "430102"), 1);

    /* a school's registrar: its school's rows only */
    snprintf(q, sizeof(q), "student=%lld", a.id);
    ck_assert_int_ge(all_by(REG_A, q, SCH_A), 1);
    ck_assert_int_eq(seen(REG_A, a.id, "student.register", "student", a.id), 1);
    ck_assert_int_eq(seen(REG_A, a.id, "request.act", "request", ra), 0);
    ck_assert_int_eq(all_by(REG_B, q, NULL), 0);

    /* a city: its own org's rows (it wrote none about these students) */
    ck_assert_int_eq(all_by(CHANGSHA, q, NULL), 0);
    ck_assert_int_ge(all_by(CHANGSHA, "limit=500", "430100"), 1); /* its logins */

    /* a province: every org within it, schools by their authority */
    ck_assert_int_eq(seen(HUNAN, a.id, "student.register", "student", a.id), 1);
    ck_assert_int_eq(seen(HUNAN, a.id, "request.act", "request", ra), 1);
    ck_assert_int_eq(seen(HUNAN, c.id, "request.act", "request", rc), 1);
    snprintf(q, sizeof(q), "student=%lld", j.id);
    ck_assert_int_eq(all_by(HUNAN, q, NULL), 0);
    ck_assert_int_eq(seen(JIANGXI, j.id, "student.register", "student", j.id), 1);
    ck_assert_int_eq(seen(JIANGXI, j.id, "request.act", "request", rj), 1);

    /* the ministry: everything */
    ck_assert_int_eq(seen(MINISTRY, j.id, "request.act", "request", rj), 1);
    ck_assert_int_eq(seen(MINISTRY, a.id, "student.register", "student", a.id), 1);

    /* staff narrower than a school */
    ht_resp r;
    audit_call(GRADE_A, "", &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
}
END_TEST

/* The CST date `days` from today, YYYY-MM-DD; the UTC time `secs` from now, RFC 3339. */
static void
cst_date(int days, char out[16])
{
    time_t t = time(NULL) + 8 * 3600 + days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

static void
utc_time(int secs, char out[48])
{
    time_t t = time(NULL) + secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 48, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

START_TEST(test_audit_filters)
{
    stu a, n;
    long long ra, rn;
    char num[24], q[256];
    register_one(REG_A, &a, &ra, num);
    act_ok(FURONG, ra, "approve", 1, "approved");

    /* actor: the user id, as /users/{id} */
    long long furong = user_id(FURONG);
    snprintf(q, sizeof(q), "actor=%lld&student=%lld", furong, a.id);
    ht_resp r;
    json_t *items = audit_ok(HUNAN, q, &r);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        ck_assert_int_eq(jint(json_object_get(it, "actor"), "id"), furong);
    }
    ck_assert_int_eq(count_rows(items, "request.act", "request", ra, "430102"), 1);
    ht_resp_free(&r);
    snprintf(q, sizeof(q), "actor=%lld&student=%lld", user_id(REG_B), a.id);
    ck_assert_int_eq(all_by(HUNAN, q, NULL), 0);

    /* action */
    snprintf(q, sizeof(q), "student=%lld&action=student.register", a.id);
    items = audit_ok(HUNAN, q, &r);
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert_str_eq(ht_json_str(json_array_get(items, 0), "action"), "student.register");
    ck_assert_int_eq(count_rows(items, "student.register", "student", a.id, SCH_A), 1);
    ht_resp_free(&r);

    /* student by its student number (an L number until approved); an unknown one: nothing */
    register_one(REG_A, &n, &rn, num);
    ck_assert_int_eq(num[0], 'L');
    snprintf(q, sizeof(q), "student=%s", num);
    items = audit_ok(HUNAN, q, &r);
    ck_assert_int_eq(count_rows(items, "student.register", "student", n.id, SCH_A), 1);
    ht_resp_free(&r);
    ck_assert_int_eq(all_by(HUNAN, "student=L999999999999999999", NULL), 0);
    ck_assert_int_eq(all_by(HUNAN, "student=999999999999", NULL), 0);

    /* from / to: days in China Standard Time, or RFC 3339 times; all of a's
       rows (registration, approval, ...) are of the last minute */
    snprintf(q, sizeof(q), "student=%lld", a.id);
    int rows = all_by(HUNAN, q, NULL);
    ck_assert_int_ge(rows, 2);
    char d0[16], dm1[16], dp1[16], t0[48], t1[48], t2[48];
    cst_date(0, d0);
    cst_date(-1, dm1);
    cst_date(1, dp1);
    snprintf(q, sizeof(q), "student=%lld&from=%s&to=%s", a.id, d0, d0);
    ck_assert_int_eq(all_by(HUNAN, q, NULL), rows);
    snprintf(q, sizeof(q), "student=%lld&to=%s", a.id, dm1);
    ck_assert_int_eq(all_by(HUNAN, q, NULL), 0);
    snprintf(q, sizeof(q), "student=%lld&from=%s", a.id, dp1);
    ck_assert_int_eq(all_by(HUNAN, q, NULL), 0);
    utc_time(-3600, t0);
    time_t later = time(NULL) + 3600 + 8 * 3600;
    struct tm tm;
    gmtime_r(&later, &tm);
    strftime(t1, sizeof(t1), "%Y-%m-%dT%H:%M:%S.250%%2B08:00", &tm); /* "+08:00", encoded */
    strftime(t2, sizeof(t2), "%Y-%m-%dT%H:%M:%S+08:00", &tm);        /* a raw '+' (a blank) */
    snprintf(q, sizeof(q), "student=%lld&from=%s&to=%s", a.id, t0, t1);
    ck_assert_int_eq(all_by(HUNAN, q, NULL), rows);
    snprintf(q, sizeof(q), "student=%lld&from=%s&to=%s", a.id, t0, t2);
    ck_assert_int_eq(all_by(HUNAN, q, NULL), rows);
    snprintf(q, sizeof(q), "student=%lld&to=%s", a.id, t0);
    ck_assert_int_eq(all_by(HUNAN, q, NULL), 0);
}
END_TEST

/* Walk GET /audit?<query> in pages of `limit` as `who` into ids[] (newest
   first), checking the keyset contract; after the first page, `between` runs
   (rows added meanwhile). Returns how many. */
static int
walk(int who, const char *query, int limit, long long *ids, int cap, void (*between)(void))
{
    char cursor[32] = "", q[512];
    int n = 0, pages = 0;
    for (;;) {
        snprintf(q, sizeof(q), "%s&limit=%d%s%s", query, limit, cursor[0] ? "&cursor=" : "",
                 cursor);
        ht_resp r;
        json_t *items = audit_ok(who, q, &r);
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            long long id = jint(it, "id");
            ck_assert_msg(n == 0 || id < ids[n - 1], "id %lld after %lld", id, n ? ids[n - 1] : 0);
            ck_assert_int_lt(n, cap);
            ids[n++] = id;
        }
        pages++;
        const json_t *next = json_object_get(r.json, "next_cursor");
        if (json_is_null(next)) {
            ht_resp_free(&r);
            break;
        }
        ck_assert_int_eq(json_array_size(items), limit);
        snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
        ck_assert_int_eq(atoll(cursor), ids[n - 1]);
        ht_resp_free(&r);
        if (pages == 1 && between != NULL)
            between();
    }
    return n;
}

static void
register_more(void)
{
    stu s;
    long long rid;
    char num[24];
    for (int i = 0; i < 3; i++)
        register_one(REG_B, &s, &rid, num);
}

START_TEST(test_audit_pages_neither_repeat_nor_skip)
{
    char from[48], q[256];
    utc_time(-2, from);
    register_more();
    register_more(); /* six registrations by REG_B */
    snprintf(q, sizeof(q), "actor=%lld&from=%s", user_id(REG_B), from);
    long long all[64], paged[64];
    int n = walk(HUNAN, q, 500, all, 64, NULL);
    ck_assert_int_ge(n, 6);
    /* pages of 2, with three more registrations after the first page: the
       walk goes on below its cursor, so it shows exactly the rows of before */
    int m = walk(HUNAN, q, 2, paged, 64, register_more);
    ck_assert_int_eq(m, n);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(paged[i], all[i]);
    /* a new walk starts with the new rows */
    ck_assert_int_eq(walk(HUNAN, q, 500, all, 64, NULL), n + 3);
}
END_TEST

START_TEST(test_audit_masks_personal_numbers)
{
    stu s;
    long long rid;
    char num[24], q[256], sql[1024];
    register_one(REG_A, &s, &rid, num);
    /* a row whose detail holds personal numbers (as no writer of today does):
       by name, in an array, and under names that do not say what they hold */
    snprintf(sql, sizeof(sql),
             "INSERT INTO audit (actor_org, action, target_type, target_id, detail) VALUES"
             " ('%s', 'test.pii', 'student', '%lld', '{\"id_number\": \"%s\", \"family\":"
             " [{\"phone\": \"13700000000\"}], \"note\": \"%s\", \"numbers\": [\"G%s\"]}')",
             SCH_A, s.id, s.idnum, s.idnum, s.idnum);
    ht_db_exec(tdb(), sql);
    snprintf(q, sizeof(q), "student=%lld", s.id);
    ht_resp r;
    json_t *items = audit_ok(HUNAN, q, &r);
    ck_assert_int_ge(json_array_size(items), 2);
    ck_assert_msg(strstr(r.body, s.idnum) == NULL, "clear ID number in %s", r.body);
    ck_assert_msg(strstr(r.body, "13700000000") == NULL, "clear phone in %s", r.body);
    ck_assert_msg(strstr(r.body, "13900000000") == NULL, "clear phone in %s", r.body);
    char masked[24], gmasked[32];
    snprintf(masked, sizeof(masked), "%.4s**********%.4s", s.idnum, s.idnum + 14);
    snprintf(gmasked, sizeof(gmasked), "G%s", masked);
    const json_t *d = json_object_get(json_array_get(items, 0), "detail");
    ck_assert_str_eq(ht_json_str(json_array_get(items, 0), "action"), "test.pii");
    ck_assert_str_eq(ht_json_str(d, "id_number"), masked);
    ck_assert_str_eq(ht_json_str(d, "note"), masked);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(d, "numbers"), 0)), gmasked);
    ck_assert_str_eq(ht_json_str(json_array_get(json_object_get(d, "family"), 0), "phone"),
                     "137****0000");
    /* the registration's own row holds no personal number at all */
    const json_t *reg = NULL;
    for (size_t i = 1; i < json_array_size(items) && reg == NULL; i++)
        if (strcmp(ht_json_str(json_array_get(items, i), "action"), "student.register") == 0)
            reg = json_array_get(items, i);
    ck_assert_ptr_nonnull(reg);
    ck_assert_int_eq(jint(json_object_get(reg, "detail"), "request"), rid);
    ck_assert_int_eq(strlen(ht_json_str(reg, "hash")), 64);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_audit_bad_parameters)
{
    static const struct {
        const char *query, *code, *field;
    } cases[] = {
        {"limit=0", "invalid_parameter", "/query/limit"},
        {"limit=501", "invalid_parameter", "/query/limit"},
        {"cursor=abc", "invalid_cursor", "/query/cursor"},
        {"cursor=1234567890123456789", "invalid_cursor", "/query/cursor"},
        {"actor=abc", "invalid_parameter", "/query/actor"},
        {"actor=0", "invalid_parameter", "/query/actor"},
        {"actor=wf_hunan", "invalid_parameter", "/query/actor"},
        {"student=X123", "invalid_parameter", "/query/student"},
        {"student=1;DROP", "invalid_parameter", "/query/student"},
        {"action=DROP%20TABLE", "invalid_parameter", "/query/action"},
        {"from=2026-13-01", "invalid_parameter", "/query/from"},
        {"from=2025-02-29", "invalid_parameter", "/query/from"},
        {"from=2026-12-07T10:00:00", "invalid_parameter", "/query/from"},
        {"from=yesterday", "invalid_parameter", "/query/from"},
        {"to=2026-12-07T25:00:00Z", "invalid_parameter", "/query/to"},
        {"to=2026-12-07T10:00:00%2B8", "invalid_parameter", "/query/to"},
        {"from=2026-12-07&to=2026-12-06", "invalid_parameter", "/query/to"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ht_resp r;
        audit_call(HUNAN, cases[i].query, &r);
        ck_assert_msg(r.status == 400, "%s -> %ld %s", cases[i].query, r.status, r.body);
        ht_assert_problem(&r, 400, cases[i].code);
        const json_t *e0 = json_array_get(json_object_get(r.json, "errors"), 0);
        ck_assert_msg(e0 != NULL && strcmp(ht_json_str(e0, "field"), cases[i].field) == 0, "%s: %s",
                      cases[i].query, r.body);
        ht_resp_free(&r);
    }
    ht_resp r;
    ht_get(srv, "/api/v1/audit", &r);
    ht_assert_problem(&r, 401, "unauthenticated");
    ht_resp_free(&r);
}
END_TEST

static Suite *
audit_read_suite(void)
{
    Suite *s = suite_create("http-audit-read");
    TCase *tc = audit_tcase("audit_read", 120);
    tcase_add_test(tc, test_audit_scope_by_level);
    tcase_add_test(tc, test_audit_filters);
    tcase_add_test(tc, test_audit_pages_neither_repeat_nor_skip);
    tcase_add_test(tc, test_audit_masks_personal_numbers);
    tcase_add_test(tc, test_audit_bad_parameters);
    suite_add_tcase(s, tc);
    suite_add_tcase(s, audit_seal_tcase());
    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(audit_read_suite(), close_db);
}
