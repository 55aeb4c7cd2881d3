/*
 * tests/http/merge_test.c - merging schools over HTTP (POST /schools/{code}/merge).
 * The world and helpers: tests/http/merge_world.h.
 */
#include "tests/http/merge_world.h"

START_TEST(test_merge_moves_everything)
{
    long long s1 = register_student(REG_MA, NANMING, 13, 1, NULL);
    long long s2 = register_student(REG_MA, NANMING, 13, 2, NULL);
    long long s3 = register_student(REG_MA, NANMING, 14, 1, NULL);
    change_state(REG_MA, NANMING, s3, "drop_out"); /* any state moves */
    long long s5 = register_student(REG_MB, NANMING, 13, 1, NULL);
    ck_assert_str_eq(placement(NANMING, s1), "enrolled " MA " 13-1 v2");
    ck_assert_str_eq(placement(NANMING, s3), "dropped_out " MA " 14-1 v3");
    const char *s5_before = placement(NANMING, s5);
    char s5_was[128];
    snprintf(s5_was, sizeof(s5_was), "%s", s5_before);
    ht_resp r;
    history(NANMING, s1, &r);
    size_t s1_entries = json_array_size(json_object_get(r.json, "items"));
    ck_assert_uint_gt(s1_entries, 0);
    ht_resp_free(&r);
    ck_assert_str_eq(school_state(NANMING, MA), "false null");

    /* 13-1 and 14-1 are taken at MB: after the grade's top over both schools */
    merge_ok(NANMING, MA, MB, 3, 3, "13:1>3,14:1>2");

    /* the merged school stays readable, closed, naming the survivor */
    ck_assert_str_eq(school_state(NANMING, MA), "true " MB);
    ck_assert_str_eq(school_state(REG_MA, MA), "true " MB);
    ck_assert_str_eq(school_state(NANMING, MB), "false null");
    ck_assert_str_eq(classes_of(NANMING, MA), "");
    /* a renumbered class with its default name takes the new number's; others keep theirs */
    ck_assert_str_eq(classes_of(NANMING, MB),
                     "13-1 三年级(1)班,13-2 三年级(2)班,13-3 三年级(3)班,"
                     "14-1 四年级(1)班,14-2 四年级火箭班,15-1 五年级(1)班");

    /* students: school, class where renumbered, version + 1; MB's own untouched */
    ck_assert_str_eq(placement(NANMING, s1), "enrolled " MB " 13-3 v3");
    ck_assert_str_eq(placement(NANMING, s2), "enrolled " MB " 13-2 v3");
    ck_assert_str_eq(placement(NANMING, s3), "dropped_out " MB " 14-2 v4");
    ck_assert_str_eq(placement(NANMING, s5), s5_was);
    /* the records now belong to MB's registrar, no longer to MA's */
    ck_assert_int_eq(student_status(REG_MB, s1), 200);
    ck_assert_int_eq(student_status(REG_MA, s1), 404);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE school = '" MA "'"), 0);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student s JOIN class k ON k.id = s.class_id"
                              " WHERE s.id IN (%lld, %lld, %lld) AND k.school = '" MB "'"
                              " AND k.grade = s.grade AND k.number = s.class_no",
                              s1, s2, s3),
                     3);

    /* history: the earlier entries still name MA; one school_merge entry more */
    history(NANMING, s1, &r);
    const json_t *items = json_object_get(r.json, "items");
    ck_assert_uint_eq(json_array_size(items), s1_entries + 1);
    for (size_t i = 0; i < s1_entries; i++)
        ck_assert_str_eq(ht_json_str(json_array_get(items, i), "school"), MA);
    const json_t *last = json_array_get(items, s1_entries);
    ck_assert_str_eq(ht_json_str(last, "kind"), "school_merge");
    ck_assert_str_eq(ht_json_str(last, "school"), MB);
    ck_assert_str_eq(ht_json_str(last, "actor_org"), "520102");
    ck_assert_str_eq(changes_text(last), "/school:" MA ">" MB ",/class:1>3");
    ht_resp_free(&r);
    history(NANMING, s2, &r);
    items = json_object_get(r.json, "items");
    last = json_array_get(items, json_array_size(items) - 1);
    ck_assert_str_eq(ht_json_str(last, "kind"), "school_merge");
    ck_assert_str_eq(changes_text(last), "/school:" MA ">" MB);
    ht_resp_free(&r);

    /* change feed: one student.moved per student, one school.merged; one audit row */
    ck_assert_int_eq(count_of("SELECT count(*) FROM events WHERE type = 'student.moved'"
                              " AND data->>'from' = '" MA "' AND data->>'into' = '" MB "'"
                              " AND data->>'type' = 'school_merge' AND school = '" MB "'"
                              " AND student_id IN (%lld, %lld, %lld)",
                              s1, s2, s3),
                     3);
    ck_assert_int_eq(count_of("SELECT count(*) FROM events WHERE type = 'student.moved'"
                              " AND student_id = %lld",
                              s5),
                     0);
    ck_assert_int_eq(count_of("SELECT count(*) FROM events WHERE type = 'school.merged'"
                              " AND school = '" MA "' AND data->>'into' = '" MB "'"),
                     1);
    ck_assert_str_eq(scalar("SELECT (detail->>'students') || ' ' || (detail->>'classes') FROM audit"
                            " WHERE action = 'school.merge' AND target_id = '" MA "'"),
                     "3 3");

    /* done once: the merged school is closed, either way round */
    merge_fails(NANMING, MA, MB, 409, "school_closed", NULL);
    merge_fails(NANMING, MB, MA, 409, "school_closed", "/into");
    ck_assert_int_eq(count_of("SELECT count(*) FROM audit WHERE action = 'school.merge'"
                              " AND target_id IN ('" MA "', '" MB "')"),
                     1);

    /* and it stays closed */
    get_school(NANMING, MA, &r);
    char etag[32];
    snprintf(etag, sizeof(etag), "If-Match: \"%lld\"", jint(r.json, "version"));
    ht_resp_free(&r);
    call_h("PATCH", "/api/v1/schools/" MA, NANMING, "{\"closed\":false}", etag, &r);
    ht_assert_problem(&r, 409, "school_merged");
    ht_resp_free(&r);
    call_h("PATCH", "/api/v1/schools/" MA, NANMING, "{\"merged_into\":null}", etag, &r);
    ht_assert_problem(&r, 422, "field_not_editable");
    ht_resp_free(&r);
    ck_assert_str_eq(school_state(NANMING, MA), "true " MB);
}
END_TEST

/* ------------------------------------------------------------ 2: who */

START_TEST(test_merge_jurisdiction)
{
    /* XA (南明区) into XB (云岩区): their lowest common authority is 贵阳市 */
    merge_fails(REG_XA, XA, XB, 403, "forbidden", NULL);
    /* 南明区 sees XA but is below the city: the same 403 as for a school that
       does not exist, so that XB's existence is not confirmed */
    merge_fails(NANMING, XA, XB, 403, "forbidden", "/into");
    merge_fails(NANMING, XA, NOSCHOOL, 403, "forbidden", "/into");
    /* a school the caller does not see at all: 404 */
    merge_fails(YUNYAN, XA, XB, 404, "school_not_found", NULL);
    merge_fails(HONGHUAGANG, XA, XB, 404, "school_not_found", NULL);
    ht_resp r;
    merge(-1, XA, XB, &r);
    ht_assert_problem(&r, 401, "unauthenticated");
    ht_resp_free(&r);
    ck_assert_str_eq(school_state(GUIYANG, XA), "false null");
    ck_assert_int_eq(count_of("SELECT count(*) FROM audit WHERE action = 'school.merge'"
                              " AND target_id = '" XA "'"),
                     0);

    /* the city decides */
    merge_ok(GUIYANG, XA, XB, 0, 1, "12:1>2");
    ck_assert_str_eq(school_state(GUIYANG, XA), "true " XB);
    ck_assert_str_eq(classes_of(YUNYAN, XB), "12-1 二年级(1)班,12-2 二年级(2)班");
}
END_TEST

/* 万州区 and 涪陵区 share the city-level code 500100, which is no org (重庆's
   市辖区): their lowest common authority is 重庆市 500000. An account made to
   hold 500100 sees both schools by prefix, yet is below it. */
START_TEST(test_merge_lca_skips_placeholder_city)
{
    ck_assert_str_eq(school_state(CQ_PLACEHOLDER, CA), "false null");
    merge_fails(CQ_PLACEHOLDER, CA, CB, 403, "forbidden", "/into");
    merge_ok(CHONGQING, CA, CB, 0, 1, "11:1>2");
}
END_TEST

/* ------------------------------------------------------------ 3: what blocks */

START_TEST(test_merge_open_request_blocks)
{
    long long rid;
    long long sid = register_student(REG_RA, -1, 13, 1, &rid); /* registration still open */
    merge_fails(NANMING, RA, RB, 409, "school_has_open_requests", NULL);
    merge_fails(NANMING, RB, RA, 409, "school_has_open_requests", NULL);
    ck_assert_str_eq(school_state(NANMING, RA), "false null");
    /* decided: nothing blocks any more */
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", rid);
    ht_resp r;
    call("POST", path, NANMING, "{\"action\":\"approve\",\"step\":1}", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    merge_ok(NANMING, RA, RB, 1, 1, "13:1>2");
    ck_assert_str_eq(placement(NANMING, sid), "enrolled " RB " 13-2 v3");
}
END_TEST

START_TEST(test_merge_open_problem_blocks)
{
    long long sid = register_student(REG_PA, NANMING, 13, 1, NULL);
    ht_db_exec(tdb(), "INSERT INTO problem (kind, student_id, school, authority, reason)"
                      " SELECT 'wrong_id', id, school, '520102', 'merge test' FROM student"
                      " WHERE school = '" PA "'");
    /* on the surviving school as on the merged one */
    merge_fails(NANMING, PB, PA, 409, "school_has_open_problems", NULL);
    merge_fails(NANMING, PA, PB, 409, "school_has_open_problems", NULL);
    ht_db_exec(tdb(), "UPDATE problem SET state = 'resolved' WHERE school = '" PA "'");
    merge_ok(NANMING, PB, PA, 0, 1, "13:1>2");
    ck_assert_str_eq(placement(NANMING, sid), "enrolled " PA " 13-1 v2");
}
END_TEST

START_TEST(test_merge_grade_not_taught)
{
    /* a 五四制 primary school teaches 11-15: GA's 16-1 has nowhere to go */
    merge_fails(NANMING, GA, GB, 422, "grade_not_in_school", "/into");
    ck_assert_str_eq(school_state(NANMING, GA), "false null");
    ck_assert_str_eq(classes_of(NANMING, GA), "16-1 六年级(1)班");
    /* the other way round it fits */
    merge_ok(NANMING, GB, GA, 0, 1, "");
    ck_assert_str_eq(classes_of(NANMING, GA), "15-1 五年级(1)班,16-1 六年级(1)班");
}
END_TEST

START_TEST(test_merge_class_numbers_exhausted)
{
    /* NB has 13-99: NA's 13-1 would become 13-100 */
    merge_fails(NANMING, NA, NB, 409, "class_numbers_exhausted", NULL);
    ck_assert_str_eq(school_state(NANMING, NA), "false null");
    ck_assert_str_eq(classes_of(NANMING, NA), "13-1 三年级(1)班");
}
END_TEST

START_TEST(test_merge_bad_bodies)
{
    static const struct {
        const char *body;
        long status;
        const char *code, *field;
    } cases[] = {
        {"{", 400, "malformed_json", NULL},
        {"[\"" MB "\"]", 422, "wrong_type", NULL},
        {"{}", 422, "missing_field", "/into"},
        {"{\"into\":null}", 422, "missing_field", "/into"},
        {"{\"into\":2152019802}", 422, "wrong_type", "/into"},
        {"{\"into\":\"21520198\"}", 422, "invalid_school_code", "/into"},
        {"{\"into\":\"99520198xx\"}", 422, "invalid_school_code", "/into"},
        {"{\"into\":\"" MB "\",\"students\":[]}", 422, "unknown_field", "/students"},
        {"{\"into\":\"" BA "\"}", 422, "merge_into_self", "/into"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ht_resp r;
        call("POST", "/api/v1/schools/" BA "/merge", NANMING, cases[i].body, &r);
        ht_assert_problem(&r, cases[i].status, cases[i].code);
        if (cases[i].field != NULL) {
            const json_t *e = json_array_get(json_object_get(r.json, "errors"), 0);
            ck_assert_msg(e != NULL && strcmp(ht_json_str(e, "field"), cases[i].field) == 0,
                          "%s: %s", cases[i].body, r.body);
        }
        ht_resp_free(&r);
    }
    ht_resp r;
    call("POST", "/api/v1/schools/21520198/merge", NANMING, "{\"into\":\"" MB "\"}", &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/" BA "/merge", NANMING, NULL, &r);
    ck_assert_int_eq(r.status, 405);
    ht_resp_free(&r);
    ck_assert_str_eq(school_state(NANMING, BA), "false null");
}
END_TEST

/* ------------------------------------------------------------ 4: many students */

/* A school of 2000 students moves in one request: every row, history entry and
   event is there (the effect is set-based SQL, not a loop per student). The
   other 1999 are copies of one registered student made in SQL, each with a
   student number of its own and no identity document (so 一人一籍 holds). */
START_TEST(test_merge_many_students)
{
    long long model = register_student(REG_LA, NANMING, 13, 1, NULL);
    char sql[2048];
    snprintf(sql, sizeof(sql),
             "DO $$ DECLARE cols text; scols text; BEGIN"
             " SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),"
             "  string_agg('s.' || quote_ident(column_name), ', ' ORDER BY ordinal_position)"
             "  INTO cols, scols FROM information_schema.columns"
             "  WHERE table_schema = current_schema() AND table_name = 'student' AND column_name"
             "  NOT IN ('id', 'stuno_bidx', 'id_bidx', 'class_id', 'class_no', 'version');"
             " EXECUTE 'INSERT INTO student (' || cols || ', stuno_bidx, class_id, class_no)"
             "  SELECT ' || scols || ', decode(md5(''mg-many-'' || g), ''hex''), k.id, k.number"
             "  FROM student s CROSS JOIN generate_series(1, 1999) g JOIN class k"
             "  ON k.school = s.school AND k.grade = 13 AND k.number = 1 + mod(g, 2)"
             "  WHERE s.id = %lld';"
             " END $$",
             model);
    ht_db_exec(tdb(), sql);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE school = '" LA "'"), 2000);

    long long t0 = ht_now_ms();
    merge_ok(NANMING, LA, LB, 2000, 2, "13:1>3");
    long long ms = ht_now_ms() - t0;
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE school = '" LB "'"
                              " AND class_no = 3"),
                     1000);
    /* the copies were made at version 1 */
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE school = '" LB "'"
                              " AND version = 2 AND id <> %lld",
                              model),
                     1999);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student WHERE school = '" LB "'"
                              " AND class_no = 2"),
                     1000);
    ck_assert_int_eq(count_of("SELECT count(*) FROM student_history h JOIN student s"
                              " ON s.id = h.student_id WHERE s.school = '" LB "'"
                              " AND h.kind = 'school_merge'"),
                     2000);
    ck_assert_int_eq(count_of("SELECT count(DISTINCT student_id) FROM events WHERE"
                              " type = 'student.moved' AND data->>'from' = '" LA "'"),
                     2000);
    /* event ids follow student ids (one ordered insert) */
    ck_assert_int_eq(count_of("SELECT count(*) FROM (SELECT student_id, id, lag(student_id)"
                              " OVER (ORDER BY id) AS prev FROM events WHERE type = 'student.moved'"
                              " AND data->>'from' = '" LA "') e WHERE prev > student_id"),
                     0);
    ck_assert_str_eq(placement(NANMING, model), "enrolled " LB " 13-3 v3");
    fprintf(stderr, "merge_test: 2000 students merged in %lld ms\n", ms);
}
END_TEST

/* ------------------------------------------------------------ 5: a race */

typedef struct race {
    ht_server *srv;
    const char *from, *into;
    long status;
    char code[64];
} race;

static void *
race_merge(void *arg)
{
    race *x = arg;
    char path[96], body[96], auth[1100];
    snprintf(path, sizeof(path), "/api/v1/schools/%s/merge", x->from);
    snprintf(body, sizeof(body), "{\"into\":\"%s\"}", x->into);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tokens[NANMING]);
    const char *h[] = {auth, "Content-Type: application/json", NULL};
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

/* KA into KB and KB into KA at once: one merge, the other finds its school closed. */
START_TEST(test_merge_opposite_race)
{
    race a = {srv, KA, KB, 0, ""}, b = {srv, KB, KA, 0, ""};
    pthread_t ta, tb;
    ck_assert_int_eq(pthread_create(&ta, NULL, race_merge, &a), 0);
    ck_assert_int_eq(pthread_create(&tb, NULL, race_merge, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    race *won = a.status == 200 ? &a : &b, *lost = a.status == 200 ? &b : &a;
    ck_assert_msg(won->status == 200 && lost->status == 409 &&
                      strcmp(lost->code, "school_closed") == 0,
                  "%ld %s / %ld %s", a.status, a.code, b.status, b.code);
    ck_assert_int_eq(count_of("SELECT count(*) FROM school WHERE code IN ('" KA "', '" KB "')"
                              " AND closed"),
                     1);
    ck_assert_int_eq(count_of("SELECT count(*) FROM class WHERE school = '%s'", won->into), 2);
}
END_TEST

/* A request being started (its student's row locked, the request not yet
   written) when the merge begins: the merge waits for it, finds it open and
   refuses, instead of moving a student with an open request (or deadlocking
   on the school row the request's foreign key needs). */
START_TEST(test_merge_waits_for_a_request_being_started)
{
    long long sid = register_student(REG_SA, NANMING, 13, 1, NULL);
    PGconn *start = ht_db_connect();
    ht_db_exec(start, "BEGIN");
    char sql[512];
    snprintf(sql, sizeof(sql), "SELECT id FROM student WHERE id = %lld FOR UPDATE", sid);
    ht_db_exec(start, sql);
    race m = {srv, SA, SB, 0, ""};
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, race_merge, &m), 0);
    /* the merge is waiting for the student's row by now */
    for (int i = 0; i < 100; i++) {
        if (count_of("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                     " AND query LIKE '%%FROM student WHERE school IN%%'") > 0)
            break;
        ht_sleep_ms(20);
    }
    snprintf(sql, sizeof(sql),
             "INSERT INTO request (type, state, student_id, school, province, started_org,"
             " current_step) VALUES ('leave_other', 'open', %lld, '" SA "', '520000', '" SA "', 1)",
             sid);
    ht_db_exec(start, sql); /* the foreign key's lock on the school is not refused */
    ht_db_exec(start, "COMMIT");
    PQfinish(start);
    pthread_join(t, NULL);
    ck_assert_msg(m.status == 409 && strcmp(m.code, "school_has_open_requests") == 0, "%ld %s",
                  m.status, m.code);
    ck_assert_str_eq(scalar("SELECT school FROM student WHERE id = %lld", sid), SA);
    ck_assert_str_eq(scalar("SELECT closed::text FROM school WHERE code = '" SA "'"), "false");
}
END_TEST

static Suite *
merge_suite(void)
{
    Suite *s = suite_create("http-merge");
    TCase *tc = tcase_create("merge");
    tcase_add_unchecked_fixture(tc, shared_world, NULL);
    tcase_add_checked_fixture(tc, use_shared, close_db);
    tcase_set_timeout(tc, ht_timeout(120));
    tcase_add_test(tc, test_merge_moves_everything);
    tcase_add_test(tc, test_merge_jurisdiction);
    tcase_add_test(tc, test_merge_lca_skips_placeholder_city);
    tcase_add_test(tc, test_merge_open_request_blocks);
    tcase_add_test(tc, test_merge_open_problem_blocks);
    tcase_add_test(tc, test_merge_grade_not_taught);
    tcase_add_test(tc, test_merge_class_numbers_exhausted);
    tcase_add_test(tc, test_merge_bad_bodies);
    tcase_add_test(tc, test_merge_many_students);
    tcase_add_test(tc, test_merge_opposite_race);
    tcase_add_test(tc, test_merge_waits_for_a_request_being_started);
    suite_add_tcase(s, tc);

    suite_add_tcase(s, ht_clean_exit_tcase()); /* last */
    return s;
}

int
main(void)
{
    return ht_run_suite(merge_suite(), close_db);
}
