/*
 * tests/http/events_cursor_test.c - GET /api/v1/events over HTTP: the
 * opaque cursor (its forms, the ones refused), and a transaction held open
 * on the database: the feed stops before it and goes on, in commit order,
 * when it ends (docs/decisions/0024).
 */
#include "tests/http/students_world.h"

/* Follow the feed as `who` from `after` to its end: the events' ids and
   types in *ids / types (cap), the last cursor in `end` (64 bytes). */
static int
read_to_end(enum actor who, const char *after, long long *ids, char (*types)[32], int cap,
            char *end)
{
    char cur[64];
    snprintf(cur, sizeof(cur), "%s", after);
    int n = 0;
    for (;;) {
        char path[160];
        snprintf(path, sizeof(path), "/api/v1/events?after=%s&limit=500", cur);
        ht_resp r;
        get(path, who, &r);
        ck_assert_msg(r.status == 200, "%s: %ld %s", path, r.status, r.body);
        json_t *items = json_object_get(r.json, "items");
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            if (n < cap) {
                ids[n] = atoll(ht_json_str(it, "id"));
                snprintf(types[n], sizeof(types[n]), "%s", ht_json_str(it, "type"));
            }
            n++;
        }
        const char *next = ht_json_str(r.json, "next_cursor");
        int empty = json_array_size(items) == 0;
        if (empty)
            ck_assert_str_eq(next, cur);
        snprintf(cur, sizeof(cur), "%s", next);
        ht_resp_free(&r);
        if (empty)
            break;
    }
    snprintf(end, 64, "%s", cur);
    return n;
}

static void
expect_bad_cursor(const char *after)
{
    char path[160];
    snprintf(path, sizeof(path), "/api/v1/events?after=%s", after);
    ht_resp r;
    get(path, REG_A, &r);
    ht_assert_problem(&r, 400, "invalid_cursor");
    ck_assert_msg(has_error(&r, "/query/after", "invalid_cursor"), "%s: %s", after, r.body);
    ht_resp_free(&r);
}

/* next_cursor is "<transaction>.<event id>"; a plain id names the place just
   after that event; anything else is 400 invalid_cursor. */
START_TEST(test_cursor_forms)
{
    char name[64], end[64], mark[64];
    prefix("游", name, sizeof(name));
    read_to_end(REG_A, "0", NULL, NULL, 0, mark);
    stu s;
    register_named(REG_A, name, 13, 1, &s);
    approve(ZHONGYUAN, &s);

    static long long ids[64];
    static char types[64][32];
    int n = read_to_end(REG_A, mark, ids, types, 64, end);
    ck_assert_int_ge(n, 3); /* registered, decided, enrolled */
    ck_assert_str_eq(types[0], "student.registered");
    const char *dot = strchr(end, '.');
    ck_assert_msg(dot != NULL && strspn(end, "0123456789") == (size_t)(dot - end) &&
                      atoll(dot + 1) == ids[n - 1] && dot[1 + strspn(dot + 1, "0123456789")] == 0,
                  "next_cursor %s, last event %lld", end, ids[n - 1]);

    /* an event's id as the cursor: what came after it */
    char after[32], end2[64];
    static long long ids2[64];
    static char types2[64][32];
    snprintf(after, sizeof(after), "%lld", ids[0]);
    int m = read_to_end(REG_A, after, ids2, types2, 64, end2);
    ck_assert_int_eq(m, n - 1);
    for (int i = 0; i < m; i++)
        ck_assert_int_eq(ids2[i], ids[i + 1]);
    ck_assert_str_eq(end2, end);

    /* an empty `after`: from the start */
    ht_resp r;
    get("/api/v1/events?after=&limit=1", REG_A, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);

    expect_bad_cursor("abc");
    expect_bad_cursor("1.");
    expect_bad_cursor(".1");
    expect_bad_cursor("1.2.3");
    expect_bad_cursor("-1");
    expect_bad_cursor("1.-2");
    expect_bad_cursor("1234567890123456789");    /* a plain id: 18 digits at most */
    expect_bad_cursor("12345678901234567890.1"); /* 20 digits */
    expect_bad_cursor("9223372036854775808.1");  /* above 2^63 - 1 */
    expect_bad_cursor("1.9223372036854775808");
}
END_TEST

/* A transaction open on the database holds the feed before it; when it
   commits, its event comes first, then what committed while it was open. */
START_TEST(test_open_transaction_stalls_the_feed_in_order)
{
    char name[64], mark[64], end[64];
    prefix("滕", name, sizeof(name));
    read_to_end(REG_A, "0", NULL, NULL, 0, mark);

    ht_db_exec(pg, "BEGIN");
    ht_db_exec(pg, "INSERT INTO events (type, school, authority, province, data) VALUES"
                   " ('school.checked_in', '" SCH_A "', '410102', '410000', '{\"held\": 1}')");
    long long held = scalar("SELECT max(id) FROM events WHERE xid = pg_current_xact_id()");
    stu s;
    register_named(REG_A, name, 13, 1, &s);
    static long long ids[64];
    static char types[64][32];
    /* committed, but behind the open transaction: not yet */
    int n = read_to_end(REG_A, mark, ids, types, 64, end);
    ck_assert_int_eq(n, 0);
    ck_assert_str_eq(end, mark);

    ht_db_exec(pg, "COMMIT");
    n = read_to_end(REG_A, mark, ids, types, 64, end);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(ids[0], held);
    ck_assert_str_eq(types[1], "student.registered");
    ck_assert_int_gt(ids[0], 0);

    /* rolled back: the feed goes on without it */
    snprintf(mark, sizeof(mark), "%s", end);
    ht_db_exec(pg, "BEGIN");
    ht_db_exec(pg, "INSERT INTO events (type, school, authority, province, data) VALUES"
                   " ('school.checked_in', '" SCH_A "', '410102', '410000', '{\"held\": 2}')");
    approve(ZHONGYUAN, &s);
    ck_assert_int_eq(read_to_end(REG_A, mark, ids, types, 64, end), 0);
    ht_db_exec(pg, "ROLLBACK");
    n = read_to_end(REG_A, mark, ids, types, 64, end);
    ck_assert_int_eq(n, 2);
    for (int i = 0; i < n; i++)
        ck_assert_str_ne(types[i], "school.checked_in");
}
END_TEST

static Suite *
events_suite(void)
{
    Suite *s = suite_create("http-events-cursor");
    TCase *tc = tcase_create("feed");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, ht_timeout(120));
    tcase_add_test(tc, test_cursor_forms);
    tcase_add_test(tc, test_open_transaction_stalls_the_feed_in_order);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return world_main(events_suite());
}
