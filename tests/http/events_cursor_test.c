/*
 * tests/http/events_cursor_test.c - GET /api/v1/events over HTTP: the
 * cursor is a feed position (its forms, the ones refused), and events get
 * their positions once committed (docs/decisions/0024): a transaction held
 * open on the database stalls nothing else; its event appears when it
 * commits, with a greater position than anything read before; a rolled-back
 * one never appears.
 */
#include "tests/http/students_world.h"

/* Follow the feed as `who` from `after` to its end: the events' positions
   and types in *ids / types (cap), the last cursor in `end` (32 bytes).
   Positions ascend; next_cursor is the page's last one, or `after` on an
   empty page. */
static int
read_to_end(enum actor who, const char *after, long long *ids, char (*types)[32], int cap,
            char *end)
{
    char cur[32];
    snprintf(cur, sizeof(cur), "%s", after);
    int n = 0;
    long long last = atoll(after);
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
            long long id = atoll(ht_json_str(it, "id"));
            ck_assert_msg(id > last, "position %lld after %lld", id, last);
            last = id;
            if (n < cap) {
                ids[n] = id;
                snprintf(types[n], sizeof(types[n]), "%s", ht_json_str(it, "type"));
            }
            n++;
        }
        const char *next = ht_json_str(r.json, "next_cursor");
        int empty = json_array_size(items) == 0;
        char want[32];
        snprintf(want, sizeof(want), "%lld", last);
        ck_assert_str_eq(next, empty ? cur : want);
        snprintf(cur, sizeof(cur), "%s", next);
        ht_resp_free(&r);
        if (empty)
            break;
    }
    snprintf(end, 32, "%s", cur);
    return n;
}

/* The table's positions after `mark` have no gap: 1, 2, ... up to the
   largest, and every event has one once a read has run. */
static void
expect_no_gap(const char *mark)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) = coalesce(max(pos), %s) - %s FROM events WHERE pos > %s", mark, mark,
             mark);
    ck_assert_str_eq(scalar_str(sql), "t");
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

/* next_cursor is the position of the page's last event; an event's id is
   its position, as `after` too; anything else is 400 invalid_cursor. */
START_TEST(test_cursor_forms)
{
    char name[64], end[32], mark[32];
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
    expect_no_gap(mark);

    /* an event's id as the cursor: what came after it */
    char after[32], end2[32];
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
    expect_bad_cursor("7731.3"); /* no longer a form of the cursor */
    expect_bad_cursor("1.");
    expect_bad_cursor("-1");
    expect_bad_cursor("1234567890123456789"); /* 18 digits at most */
}
END_TEST

/* A transaction open on the database holds nothing else back: what commits
   meanwhile is read at once; the open one's event appears when it commits,
   after everything read before; a rolled-back one never. */
START_TEST(test_open_transaction_stalls_nothing)
{
    char name[64], mark[32], end[32];
    prefix("滕", name, sizeof(name));
    read_to_end(REG_A, "0", NULL, NULL, 0, mark);

    ht_db_exec(pg, "BEGIN");
    ht_db_exec(pg, "INSERT INTO events (type, school, authority, province, data) VALUES"
                   " ('school.checked_in', '" SCH_A "', '410102', '410000', '{\"held\": 1}')");
    stu s;
    register_named(REG_A, name, 13, 1, &s);
    static long long ids[64];
    static char types[64][32];
    /* committed after the open transaction wrote: read at once */
    int n = read_to_end(REG_A, mark, ids, types, 64, end);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(types[0], "student.registered");
    long long before_commit = atoll(end);

    ht_db_exec(pg, "COMMIT");
    snprintf(mark, sizeof(mark), "%s", end);
    n = read_to_end(REG_A, mark, ids, types, 64, end);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(types[0], "school.checked_in");
    ck_assert_int_gt(ids[0], before_commit);
    ck_assert_str_eq(scalar_str("SELECT data->>'held' FROM events WHERE pos = (SELECT max(pos)"
                                " FROM events WHERE type = 'school.checked_in')"),
                     "1");
    expect_no_gap(mark);

    /* rolled back: never */
    snprintf(mark, sizeof(mark), "%s", end);
    ht_db_exec(pg, "BEGIN");
    ht_db_exec(pg, "INSERT INTO events (type, school, authority, province, data) VALUES"
                   " ('school.checked_in', '" SCH_A "', '410102', '410000', '{\"held\": 2}')");
    approve(ZHONGYUAN, &s);
    n = read_to_end(REG_A, mark, ids, types, 64, end);
    ck_assert_int_eq(n, 2); /* decided, enrolled */
    ht_db_exec(pg, "ROLLBACK");
    snprintf(mark, sizeof(mark), "%s", end);
    ck_assert_int_eq(read_to_end(REG_A, mark, ids, types, 64, end), 0);
    ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE data->>'held' = '2'"), 0);
    ck_assert_int_eq(scalar("SELECT count(*) FROM events WHERE pos IS NULL"), 0);
}
END_TEST

/* Nobody reads the feed: xuejid's background pass (with the audit sealer,
   every 200 ms in tests) still gives a committed event its position, after
   every position given before. */
START_TEST(test_positions_given_without_a_reader)
{
    long long before = scalar("SELECT coalesce(max(pos), 0) FROM events");
    long long id = scalar("INSERT INTO events (type, school, authority, province, data) VALUES"
                          " ('school.checked_in', '" SCH_A "', '410102', '410000', '{}')"
                          " RETURNING id");
    char sql[128];
    snprintf(sql, sizeof(sql), "SELECT coalesce(pos, 0) FROM events WHERE id = %lld", id);
    long long pos = 0;
    for (int i = 0; i < 100 && pos == 0; i++) {
        usleep(50000);
        pos = scalar(sql);
    }
    ck_assert_msg(pos > before, "event %lld: position %lld after 5 s (largest before: %lld)", id,
                  pos, before);
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
    tcase_add_test(tc, test_open_transaction_stalls_nothing);
    tcase_add_test(tc, test_positions_given_without_a_reader);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return world_main(events_suite());
}
