/*
 * tests/http/registration_dup_test.c - registration of students, the checks
 * around the record: duplicates (also under a race), suspected duplicates, the
 * identity verifier, reporting windows, entry age, class limits, who may
 * register, idempotency, and the plaintext scan. DOMAIN.md §2-§7.
 * The world: tests/http/registration_world.h.
 */
#include "tests/http/registration_world.h"

/* ------------------------------------------------------------ 5: duplicates */

/*
 * Rule 22: an ID that holds an active record refuses a new one, naming the
 * holding school to a caller whose jurisdiction covers it and only its county
 * to anyone else (rule 26: a school's jurisdiction is itself, so a
 * neighbouring school of the same county gets the masked form too).
 */
START_TEST(test_duplicate_enrolled)
{
    stu s;
    stu_new(&s);
    ht_resp r;
    register_ok(REG_A, &s, &r);
    ht_resp_free(&r);
    long long before = student_rows();
    long long reqs = count_of("SELECT count(*) FROM request");

    /* again at the same school: its own, named */
    stu t;
    stu_new(&t);
    json_t *b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(s.id));
    post_student(REG_A, b, NULL, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    const char *detail = ht_json_str(r.json, "detail");
    ck_assert_msg(strstr(detail, NAME_A) && strstr(detail, SCHOOL_A), "detail: %s", detail);
    assert_error(&r, "/id_number", "duplicate_enrolled");
    ht_resp_free(&r);

    /* another school of the same county */
    b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(s.id));
    post_student(REG_B, b, NULL, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    detail = ht_json_str(r.json, "detail");
    ck_assert_msg(strstr(detail, "中原区的一所学校") != NULL, "detail: %s", detail);
    ck_assert_msg(strstr(detail, NAME_A) == NULL && strstr(detail, SCHOOL_A) == NULL,
                  "detail names the school outside the jurisdiction: %s", detail);
    ht_resp_free(&r);

    /* a school of another province: only the county, in either language */
    b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(s.id));
    post_student(REG_C, b, NULL, &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    detail = ht_json_str(r.json, "detail");
    ck_assert_msg(strstr(detail, "中原区的一所学校") != NULL, "detail: %s", detail);
    ck_assert_msg(strstr(detail, NAME_A) == NULL && strstr(detail, SCHOOL_A) == NULL,
                  "detail names the school outside the jurisdiction: %s", detail);
    ck_assert_msg(strstr(r.body, NAME_A) == NULL && strstr(r.body, SCHOOL_A) == NULL,
                  "body names the school: %s", r.body);
    ht_resp_free(&r);
    b = stu_json(&t, "13", 1);
    json_object_set_new(b, "id_number", json_string(s.id));
    post_student(REG_C, b, "Accept-Language: en", &r);
    ht_assert_problem(&r, 409, "duplicate_enrolled");
    ck_assert_msg(strstr(ht_json_str(r.json, "detail"), "held at a school in 中原区") != NULL,
                  "detail: %s", ht_json_str(r.json, "detail"));
    ck_assert_msg(strstr(r.body, NAME_A) == NULL && strstr(r.body, SCHOOL_A) == NULL,
                  "body names the school: %s", r.body);
    ht_resp_free(&r);

    /* nothing written by the refusals */
    ck_assert_int_eq(student_rows(), before);
    ck_assert_int_eq(count_of("SELECT count(*) FROM request"), reqs);

    /* the county over both schools reads the holder through the look-up */
    char body[128];
    snprintf(body, sizeof(body), "{\"id_type\":\"1\",\"id_number\":\"%s\"}", s.id);
    call("POST", "/api/v1/students/lookup", COUNTY, body, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_true(json_object_get(r.json, "found")));
    ck_assert_str_eq(ht_json_str(r.json, "school"), SCHOOL_A);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ 6: the race */

typedef struct racer {
    pthread_barrier_t *go;
    const char *body;
    int who;
    long status;
    char code[64];
} racer;

static void *
race_one(void *arg)
{
    racer *x = arg;
    char auth[1100];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[x->who]);
    const char *h[] = {auth, NULL};
    ht_resp r;
    pthread_barrier_wait(x->go);
    x->status = -1;
    x->code[0] = '\0';
    if (ht_post_json(srv, "/api/v1/students", x->body, h, &r) != 0)
        return NULL;
    x->status = r.status;
    const char *c = r.json ? ht_json_str(r.json, "code") : NULL;
    snprintf(x->code, sizeof(x->code), "%s", c ? c : "");
    ht_resp_free(&r);
    return NULL;
}

#define RACE_ROUNDS 100

/* Rule 22 in real time: two schools register one ID at once; exactly one wins. */
START_TEST(test_duplicate_race)
{
    long long before = student_rows();
    for (int round = 0; round < RACE_ROUNDS; round++) {
        stu s;
        stu_new(&s);
        char *ba = stu_text(&s, "13", 1);
        char name_a[64];
        snprintf(name_a, sizeof(name_a), "%s", s.name);
        snprintf(s.name, sizeof(s.name), "注册学生%lld乙", s.n);
        char *bb = stu_text(&s, "13", 1);
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 2);
        racer x[2] = {{&go, ba, REG_A, 0, ""}, {&go, bb, REG_B, 0, ""}};
        pthread_t t[2];
        for (int i = 0; i < 2; i++)
            ck_assert_int_eq(pthread_create(&t[i], NULL, race_one, &x[i]), 0);
        for (int i = 0; i < 2; i++)
            pthread_join(t[i], NULL);
        pthread_barrier_destroy(&go);
        free(ba);
        free(bb);
        int won = (x[0].status == 201) + (x[1].status == 201);
        int lost = 0;
        for (int i = 0; i < 2; i++)
            lost += x[i].status == 409 && strcmp(x[i].code, "duplicate_enrolled") == 0;
        ck_assert_msg(won == 1 && lost == 1, "round %d: %ld %s / %ld %s", round, x[0].status,
                      x[0].code, x[1].status, x[1].code);
        char sql[256];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM student WHERE name IN ('%s', '%s')",
                 name_a, s.name);
        ck_assert_msg(count_of(sql) == 1, "round %d: not one row", round);
    }
    ck_assert_int_eq(student_rows(), before + RACE_ROUNDS);
    /* one active record per identity, over the whole table */
    ck_assert_int_eq(count_of("SELECT count(*) FROM (SELECT id_bidx FROM student"
                              " WHERE id_bidx IS NOT NULL"
                              " AND state IN ('pending', 'enrolled', 'suspended')"
                              " GROUP BY id_type, id_bidx HAVING count(*) > 1) d"),
                     0);
    ck_assert_int_eq(count_of("SELECT count(*) FROM (SELECT id_bidx FROM student"
                              " WHERE id_bidx IS NOT NULL GROUP BY id_bidx"
                              " HAVING count(*) > 1) d"),
                     0);
}
END_TEST

/* ------------------------------------------------------------ 7: suspected duplicate */

/* Rule 24: same name, gender and birth date with another ID: accepted, problem opened. */
START_TEST(test_suspected_duplicate)
{
    stu s, t;
    stu_make(&s, 20160517, 2);
    stu_make(&t, 20160517, 2);
    snprintf(t.name, sizeof(t.name), "%s", s.name);
    ck_assert_str_ne(s.id, t.id);
    ht_resp r;
    register_ok(REG_A, &s, &r);
    long long first = student_id_of(&r);
    ht_resp_free(&r);
    register_ok(REG_B, &t, &r);
    long long second = student_id_of(&r);
    ht_resp_free(&r);
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM problem WHERE kind = 'suspected_duplicate' AND state = 'open'"
             " AND student_id = %lld AND other_student_id = %lld AND school = '" SCHOOL_B "'"
             " AND other_school = '" SCHOOL_A "' AND authority = '410102'",
             second, first);
    ck_assert_int_eq(count_of(sql), 1);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM problem WHERE student_id = %lld", first);
    ck_assert_int_eq(count_of(sql), 0);

    /* GET /problems: both schools and their county see it; a school elsewhere does not */
    const int sees[] = {COUNTY, REG_A, REG_B, CITY}, blind[] = {REG_C, COUNTY_D};
    for (int k = 0; k < 6; k++) {
        int who = k < 4 ? sees[k] : blind[k - 4];
        ht_resp p;
        call("GET", "/api/v1/problems?state=open&limit=500", who, NULL, NULL, &p);
        ck_assert_int_eq(p.status, 200);
        int hit = 0;
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(p.json, "items"), i, it)
        {
            hit |= json_integer_value(json_object_get(it, "student")) == second &&
                   strcmp(json_string_value(json_object_get(it, "kind")), "suspected_duplicate") ==
                       0 &&
                   json_integer_value(json_object_get(it, "other_student")) == first;
        }
        ck_assert_msg(hit == (k < 4), "actor %d sees the problem: %d", who, hit);
        ht_resp_free(&p);
    }

    /* another gender is another person */
    stu u;
    stu_make(&u, 20160517, 1);
    snprintf(u.name, sizeof(u.name), "%s", s.name);
    register_ok(REG_A, &u, &r);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM problem WHERE student_id = %lld",
             student_id_of(&r));
    ht_resp_free(&r);
    ck_assert_int_eq(count_of(sql), 0);
}
END_TEST

/* ------------------------------------------------------------ 8: the identity verifier */

/* A problem row of `kind` for student `id` (open). */
static long long
problems_of(long long id, const char *kind)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM problem WHERE student_id = %lld AND state = 'open'%s%s%s", id,
             kind ? " AND kind = '" : "", kind ? kind : "", kind ? "'" : "");
    return count_of(sql);
}

static void assert_no_plaintext(const char *what, const char *text);

/* Rule 23: the verifier's answer is recorded; a failure opens a problem; slowness does not block.
 */
START_TEST(test_verifier)
{
    fv_server *fv = fv_start();
    ck_assert_ptr_nonnull(fv);
    char url[96];
    snprintf(url, sizeof(url), "XUEJI_VERIFIER_URL=http://127.0.0.1:%d/verify", fv_port(fv));
    const char *env[] = {url, "XUEJI_VERIFIER_TIMEOUT_MS=300", "XUEJI_RATE_LIMIT_ACCOUNT=0",
                         "XUEJI_LOG_LEVEL=debug", NULL};
    srv = ht_server_start(env);
    ck_assert_msg(srv != NULL, "xuejid with a verifier did not start");
    ht_resp r;

    /* name_mismatch: accepted, flagged, a problem record */
    stu a;
    stu_new(&a);
    fv_set(fv, a.id, "name_mismatch");
    register_ok(REG_A, &a, &r);
    long long ida = student_id_of(&r);
    json_t *st = json_object_get(r.json, "student");
    ck_assert_str_eq(ht_json_str(st, "verification"), "name_mismatch");
    ck_assert_str_eq(ht_json_str(st, "state"), "pending");
    ht_resp_free(&r);
    ck_assert_int_eq(problems_of(ida, "identity_failed"), 1);
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT reason FROM problem WHERE student_id = %lld", ida);
    ck_assert_str_eq(scalar(sql), "name_mismatch");
    /* what the verifier was asked */
    char *sent = fv_last_body(fv);
    ck_assert_ptr_nonnull(sent);
    json_t *q = json_loads(sent, 0, NULL);
    free(sent);
    ck_assert_ptr_nonnull(q);
    ck_assert_str_eq(ht_json_str(q, "id_number"), a.id);
    ck_assert_str_eq(ht_json_str(q, "name"), a.name);
    ck_assert_str_eq(ht_json_str(q, "id_type"), "1");
    json_decref(q);

    /* passed: no problem */
    stu b;
    stu_new(&b);
    int asked = fv_requests(fv);
    register_ok(REG_A, &b, &r);
    long long idb = student_id_of(&r);
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "student"), "verification"), "passed");
    ht_resp_free(&r);
    ck_assert_int_eq(fv_requests(fv), asked + 1);
    ck_assert_int_eq(problems_of(idb, NULL), 0);
    get_student_id(REG_A, idb, 0, &r);
    ck_assert_str_eq(ht_json_str(r.json, "verification"), "passed");
    ht_resp_free(&r);

    /* the other failures are problems too */
    static const char *const fails[] = {"id_not_found", "cancelled", "migrating",
                                        "duplicate_population"};
    for (size_t i = 0; i < sizeof(fails) / sizeof(fails[0]); i++) {
        stu c;
        stu_new(&c);
        fv_set(fv, c.id, fails[i]);
        register_ok(REG_A, &c, &r);
        ck_assert_str_eq(ht_json_str(json_object_get(r.json, "student"), "verification"), fails[i]);
        ck_assert_int_eq(problems_of(student_id_of(&r), "identity_failed"), 1);
        ht_resp_free(&r);
    }

    /* a word the client does not know: unavailable, no problem */
    stu c;
    stu_new(&c);
    fv_set(fv, c.id, "maybe");
    register_ok(REG_A, &c, &r);
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "student"), "verification"),
                     "unavailable");
    ck_assert_int_eq(problems_of(student_id_of(&r), NULL), 0);
    ht_resp_free(&r);

    /* slower than XUEJI_VERIFIER_TIMEOUT_MS: registered anyway, quickly */
    stu d;
    stu_new(&d);
    fv_set_delay_ms(fv, 5000);
    long long t0 = ht_now_ms();
    register_ok(REG_A, &d, &r);
    long long took = ht_now_ms() - t0;
    fv_set_delay_ms(fv, 0);
    ck_assert_msg(took < 2000, "registration took %lld ms with a silent verifier", took);
    ck_assert_str_eq(ht_json_str(json_object_get(r.json, "student"), "verification"),
                     "unavailable");
    ck_assert_int_eq(problems_of(student_id_of(&r), NULL), 0);
    ht_resp_free(&r);

    /* other documents are not sent */
    stu e;
    stu_new(&e);
    char passport[16];
    snprintf(passport, sizeof(passport), "H%08lld", e.n);
    note_pii(passport);
    json_t *body = stu_json(&e, "13", 1);
    json_object_set_new(body, "id_type", json_string("6"));
    json_object_set_new(body, "id_number", json_string(passport));
    asked = fv_requests(fv);
    post_student(REG_A, body, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert(json_is_null(json_object_get(json_object_get(r.json, "student"), "verification")));
    ht_resp_free(&r);
    ck_assert_int_eq(fv_requests(fv), asked);

    /* nothing of what went to the verifier is in the log */
    char *log = ht_server_log(srv);
    assert_no_plaintext("the verifier server's log", log);
    free(log);
    ck_assert_int_eq(ht_server_stop(srv), 0);
    fv_stop(fv);
}
END_TEST

/* ------------------------------------------------------------ 9: reporting window */

static void
put_settings(int who, const char *region, const char *settings_json)
{
    char path[64], body[512], im[64];
    snprintf(path, sizeof(path), "/api/v1/regions/%s/settings", region);
    ht_resp r;
    call("GET", path, who, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "GET %s: %ld %s", path, r.status, r.body);
    snprintf(im, sizeof(im), "If-Match: %s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    snprintf(body, sizeof(body), "{\"settings\":%s}", settings_json);
    call("PUT", path, who, body, im, &r);
    ck_assert_msg(r.status == 200, "PUT %s %s: %ld %s", path, body, r.status, r.body);
    ht_resp_free(&r);
}

/* Rule 32: outside the window its county opened, registrations answer 409 window_closed. */
START_TEST(test_window_closed)
{
    ht_resp r;
    call("GET", "/api/v1/regions/410104/settings", COUNTY_D, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    char *saved = json_dumps(json_object_get(r.json, "settings"), JSON_COMPACT);
    ht_resp_free(&r);

    put_settings(COUNTY_D, "410104",
                 "{\"registration_window\":{\"required\":true,\"from\":null,\"until\":null}}");
    long long before = student_rows();
    stu s;
    stu_new(&s);
    post_student(REG_D, stu_json(&s, "13", 1), NULL, &r);
    ht_assert_problem(&r, 409, "window_closed");
    ht_resp_free(&r);
    ck_assert_int_eq(student_rows(), before);

    /* another county's schools are not concerned */
    stu o;
    stu_new(&o);
    register_ok(REG_A, &o, &r);
    ht_resp_free(&r);

    /* a window in the past */
    put_settings(COUNTY_D, "410104",
                 "{\"registration_window\":{\"required\":true,\"from\":\"2000-01-01\","
                 "\"until\":\"2000-12-31\"}}");
    post_student(REG_D, stu_json(&s, "13", 1), NULL, &r);
    ht_assert_problem(&r, 409, "window_closed");
    ht_resp_free(&r);

    /* a window around today */
    put_settings(COUNTY_D, "410104",
                 "{\"registration_window\":{\"required\":true,\"from\":\"2000-01-01\","
                 "\"until\":\"2099-12-31\"}}");
    stu t;
    stu_new(&t);
    register_ok(REG_D, &t, &r);
    ht_resp_free(&r);

    /* restored: open again */
    put_settings(COUNTY_D, "410104", saved);
    free(saved);
    register_ok(REG_D, &s, &r);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ 10: entry age */

/* Rule 21: a grade-1 pupil is at least 6 on 08-31 of this year. */
START_TEST(test_entry_age)
{
    int y = today() / 10000;
    char month[16];
    snprintf(month, sizeof(month), "%06d", today() / 100);
    ht_resp r;

    stu s; /* turns 6 on 09-01: 5 on the cut-off day */
    stu_make(&s, (y - 6) * 10000 + 901, 2);
    json_t *b = stu_json(&s, "11", 1);
    json_object_set_new(b, "enrolled_month", json_string(month));
    post_student(REG_A, b, NULL, &r);
    ht_assert_problem(&r, 422, "below_entry_age");
    assert_error(&r, "/birth_date", "below_entry_age");
    ck_assert_msg(strstr(ht_json_str(r.json, "detail"), "6") != NULL, "%s", r.body);
    ht_resp_free(&r);

    stu t; /* 6 on the cut-off day */
    stu_make(&t, (y - 6) * 10000 + 831, 2);
    b = stu_json(&t, "11", 1);
    json_object_set_new(b, "enrolled_month", json_string(month));
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    /* only grade 1 is checked */
    b = stu_json(&s, "13", 1);
    json_object_set_new(b, "enrolled_month", json_string(month));
    post_student(REG_A, b, NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
}
END_TEST

/* ------------------------------------------------------------ 11: classes */

/* Rule 21: a class may have a size limit; the class must exist, in a grade the school teaches. */
START_TEST(test_class_limit_and_unknown_class)
{
    ht_resp r;
    stu s, t;
    stu_new(&s);
    stu_new(&t);
    post_student(REG_A, stu_json(&s, "13", 9), NULL, &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_int_eq(
        json_integer_value(json_object_get(json_object_get(r.json, "student"), "class")), 9);
    ht_resp_free(&r);
    long long before = student_rows();
    post_student(REG_A, stu_json(&t, "13", 9), NULL, &r);
    ht_assert_problem(&r, 409, "class_full");
    ht_resp_free(&r);

    post_student(REG_A, stu_json(&t, "13", 98), NULL, &r);
    ht_assert_problem(&r, 422, "class_not_found");
    assert_error(&r, "/class", "class_not_found");
    ht_resp_free(&r);
    post_student(REG_A, stu_json(&t, "15", 1), NULL, &r);
    ht_assert_problem(&r, 422, "class_not_found");
    ht_resp_free(&r);
    post_student(REG_A, stu_json(&t, "31", 1), NULL, &r);
    ht_assert_problem(&r, 422, "grade_not_in_school");
    assert_error(&r, "/grade", "grade_not_in_school");
    ht_resp_free(&r);
    ck_assert_int_eq(student_rows(), before);
}
END_TEST

/* ------------------------------------------------------------ 12: who registers */

/* DOMAIN §5: the school starts a registration; only its registrar (rule 31). */
START_TEST(test_only_registrars_register)
{
    stu s;
    stu_new(&s);
    char *text = stu_text(&s, "13", 1);
    long long before = student_rows();
    static const int who[] = {COUNTY, CITY, PROVINCE, HEAD_A};
    ht_resp r;
    for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
        call("POST", "/api/v1/students", who[i], text, NULL, &r);
        ht_assert_problem(&r, 403, "forbidden");
        ht_resp_free(&r);
    }
    call("POST", "/api/v1/students", -1, text, NULL, &r);
    ck_assert_int_eq(r.status, 401);
    ht_resp_free(&r);
    free(text);
    ck_assert_int_eq(student_rows(), before);
}
END_TEST

/* ------------------------------------------------------------ 14: idempotency */

/* The same POST with one Idempotency-Key: one student, the same answer. */
START_TEST(test_idempotent_registration)
{
    stu s;
    stu_new(&s);
    char *text = stu_text(&s, "13", 1);
    char key[64];
    snprintf(key, sizeof(key), "Idempotency-Key: rg-register-%lld", s.n);
    ht_resp a, b;
    call("POST", "/api/v1/students", REG_A, text, key, &a);
    ck_assert_msg(a.status == 201, "%ld %s", a.status, a.body);
    call("POST", "/api/v1/students", REG_A, text, key, &b);
    ck_assert_int_eq(b.status, 201);
    ck_assert_str_eq(a.body, b.body);
    ck_assert_str_eq(ht_header(&b, "idempotent-replayed"), "true");
    ht_resp_free(&a);
    ht_resp_free(&b);
    char sql[160];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM student WHERE name = '%s'", s.name);
    ck_assert_int_eq(count_of(sql), 1);

    /* the key with another body */
    stu t;
    stu_new(&t);
    char *other = stu_text(&t, "13", 1);
    call("POST", "/api/v1/students", REG_A, other, key, &b);
    ht_assert_problem(&b, 422, "idempotency_key_reused");
    ht_resp_free(&b);
    free(other);
    free(text);
}
END_TEST

static Suite *
registration_suite(void)
{
    Suite *s = suite_create("http-registration-dup");

    TCase *tc = shared_tcase("register", 120);
    tcase_add_test(tc, test_duplicate_enrolled);
    tcase_add_test(tc, test_suspected_duplicate);
    tcase_add_test(tc, test_window_closed);
    tcase_add_test(tc, test_entry_age);
    tcase_add_test(tc, test_class_limit_and_unknown_class);
    tcase_add_test(tc, test_only_registrars_register);
    tcase_add_test(tc, test_idempotent_registration);
    suite_add_tcase(s, tc);

    /* a server of its own, pointed at the fake verifier (tokens of the shared one work) */
    tc = tcase_create("verifier");
    tcase_add_unchecked_fixture(tc, shared_world, NULL);
    tcase_add_checked_fixture(tc, NULL, close_db);
    tcase_set_timeout(tc, ht_timeout(120));
    tcase_add_test(tc, test_verifier);
    suite_add_tcase(s, tc);

    tc = shared_tcase("race", 400);
    tcase_add_test(tc, test_duplicate_race);
    suite_add_tcase(s, tc);

    /* after everything else: the scan reads what they all wrote */
    tc = shared_tcase("plaintext", 120);
    tcase_add_test(tc, test_no_plaintext_anywhere);
    suite_add_tcase(s, tc);

    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return world_main(registration_suite());
}
