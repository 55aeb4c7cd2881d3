/*
 * tests/integration/bulk_test.c - the set-based statements of db/bulk.h
 * against a real PostgreSQL (XUEJI_TEST_DATABASE_URL), with values that need
 * escaping: quotes, backslashes, tabs, newlines, carriage returns and other
 * control characters travel both in the JSON parameter of the look-ups and in
 * the COPY text of the inserts, and must arrive unchanged.
 */
#include "core/calendar.h"
#include "core/demo.h"
#include "core/env.h"
#include "core/feed.h"
#include "core/mask.h"
#include "core/pii.h"
#include "core/student.h"
#include "db/bulk.h"
#include "db/db.h"
#include "db/event.h"
#include "db/history.h"
#include "db/migrate.h"
#include "db/school.h"
#include "db/student.h"
#include "tests/lib/dbtest.h"

#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHOOL "2141010201"
/* Every character that either format escapes, and some that need none. */
#define ODD_NAME "王\"小\\明\t一\n二\r三\x01四/五"

static db_conn *conn;
static app_arena *arena;
static core_codes *codes;
static core_pii_ring *ring;
static long long class_id;

static void
setup(void)
{
    ck_assert_int_ge(sodium_init(), 0);
    conn = dbt_create_migrated("xueji_bulk");
    app_err err = {0};
    int applied = 0;
    ck_assert_msg(db_migrate(conn, &applied, &err) == 0, "migrate: %s", err.detail);
    ck_assert_int_eq(core_student_init(), 0);
    ck_assert_msg(core_codes_load(conn, &codes, &err) == 0, "codes: %s", err.detail);
    arena = app_arena_new();
    unsigned char key[1][CORE_PII_KEY_BYTES];
    randombytes_buf(key, sizeof(key));
    ring = core_pii_ring_new((const unsigned char(*)[CORE_PII_KEY_BYTES])key, 1);
    ck_assert_ptr_nonnull(ring);

    db_school s = {.code = SCHOOL,
                   .name = "建设路第一小学",
                   .county = "410102",
                   .authority = "410102",
                   .province = "410000",
                   .category = 21,
                   .system = "63"};
    ck_assert_msg(db_school_insert(conn, &s, NULL, arena, NULL, &err) == 0, "school: %s",
                  err.detail);
    db_class k = {.school = SCHOOL, .grade = 13, .number = 1, .name = "三年级(1)班"};
    db_class out;
    ck_assert_msg(db_class_insert(conn, &k, NULL, arena, &out, &err) == 0, "class: %s", err.detail);
    class_id = out.id;
}

static void
teardown(void)
{
    core_pii_ring_free(ring);
    core_codes_free(codes);
    app_arena_free(arena);
    dbt_drop(conn);
}

/* The position of a physical column in db_student.vals. */
static int
col(const char *name)
{
    int n = 0;
    const char *const *cols = core_record_columns(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(cols[i], name) == 0)
            return i;
    ck_abort_msg("no column %s", name);
    return -1;
}

/* n generated, enrolled students (ids drawn, not yet inserted), all named `name`. */
static void
make_students(db_student *out, int n, const char *name)
{
    core_env env = {codes, ring};
    core_op op = {.env = &env, .arena = arena, .today = core_today()};
    int sy = core_demo_school_year(op.today), from, until;
    core_demo_birth_window(3, sy, &from, &until);
    const char *county = "410102";
    core_demo_ids *ids = core_demo_ids_new(&county, 1, from, until);
    core_demo_rng rng;
    core_demo_rng_seed(&rng, 7);
    core_demo_class k = {.school = SCHOOL,
                         .county = "410102",
                         .system = "63",
                         .category = 21,
                         .grade = 13,
                         .number = 1};
    long long *idv = app_arena_alloc(arena, sizeof(long long) * (size_t)n);
    app_err err = {0};
    ck_assert_msg(db_ids_next(conn, "student", n, idv, &err) == 0, "ids: %s", err.detail);
    int ncols = 0;
    core_record_columns(&ncols);
    for (int i = 0; i < n; i++) {
        core_demo_student st;
        ck_assert_int_eq(core_demo_student_make(&rng, ids, &k, sy, &st), 0);
        const char **vals = app_arena_alloc(arena, sizeof(char *) * (size_t)ncols);
        ck_assert_int_eq(core_student_row(&op, &st.rec, vals, &err), 0);
        for (int c = 0; c < ncols; c++) /* they may point into st, which the next one reuses */
            vals[c] = vals[c] ? app_arena_strdup(arena, vals[c]) : NULL;
        vals[col("name")] = name;
        db_student *s = &out[i];
        memset(s, 0, sizeof(*s));
        s->id = idv[i];
        memcpy(s->province, "410000", 7);
        memcpy(s->school, SCHOOL, 11);
        s->class_id = class_id;
        s->key_id = (long long)core_pii_key_id(ring, 0);
        s->vals = vals;
        s->state = "enrolled";
        s->stuno_kind[0] = 'G';
        char masked[24];
        core_mask_stuno(st.student_number, masked, sizeof(masked));
        s->stuno_text = app_arena_strdup(arena, masked);
        s->stuno_bidx = core_student_bidx(&op, "stuno", st.student_number);
        s->id_bidx = core_student_bidx(&op, "id:1", st.rec.v[CORE_R_ID_NUMBER]);
    }
    core_demo_ids_free(ids);
}

START_TEST(test_students_copied_and_found_with_odd_characters)
{
    db_student s[2];
    make_students(s, 2, ODD_NAME);
    /* the second one a suspected twin of the first */
    s[1].vals[col("gender")] = s[0].vals[col("gender")];
    s[1].vals[col("birth_date")] = s[0].vals[col("birth_date")];
    app_err err = {0};
    ck_assert_msg(db_begin(conn, &err) == 0, "%s", err.detail);
    ck_assert_msg(db_student_insert_many(conn, s, 2, &err) == 0, "insert: %s", err.detail);
    ck_assert_msg(db_commit(conn, &err) == 0, "%s", err.detail);

    /* COPY text: the name arrives unchanged */
    db_student got;
    int found = 0;
    ck_assert_msg(db_student_get(conn, s[0].id, DB_STUDENT_FULL, arena, &got, &found, &err) == 0,
                  "get: %s", err.detail);
    ck_assert(found);
    ck_assert_str_eq(got.vals[col("name")], ODD_NAME);
    ck_assert_str_eq(got.stuno_bidx, s[0].stuno_bidx);

    /* JSON parameter: the same name matches */
    const char *name[] = {ODD_NAME};
    const char *gender[] = {s[1].vals[col("gender")]};
    const char *birth[] = {s[1].vals[col("birth_date")]};
    db_similar *sim = NULL;
    int nsim = -1;
    ck_assert_msg(db_similar_find_many(conn, "410000", 1, &s[1].id, name, gender, birth, arena,
                                       &sim, &nsim, &err) == 0,
                  "similar: %s", err.detail);
    ck_assert_int_eq(nsim, 1);
    ck_assert_int_eq(sim[0].row, 0);
    ck_assert_int_eq(sim[0].id, s[0].id);
    ck_assert_str_eq(sim[0].school, SCHOOL);

    /* hex bytea text ("\x...") through JSON: its backslash survives */
    const char *bidx[] = {s[1].stuno_bidx, "\\x00", s[0].stuno_bidx};
    unsigned char taken[3];
    ck_assert_msg(db_stunos_taken(conn, bidx, 3, taken, &err) == 0, "taken: %s", err.detail);
    ck_assert_int_eq(taken[0], 1);
    ck_assert_int_eq(taken[1], 0);
    ck_assert_int_eq(taken[2], 1);

    const int row[] = {5, 9};
    const char *id_type[] = {s[0].vals[col("id_type")], "1"};
    const char *id_bidx[] = {s[0].id_bidx, "\\x0102"};
    db_holder *h = NULL;
    int nh = -1;
    ck_assert_msg(db_holders_find(conn, 2, row, id_type, id_bidx, arena, &h, &nh, &err) == 0,
                  "holders: %s", err.detail);
    ck_assert_int_eq(nh, 1);
    ck_assert_int_eq(h[0].row, 5);
    ck_assert_int_eq(h[0].id, s[0].id);
}
END_TEST

START_TEST(test_history_and_events_copied_with_odd_characters)
{
    db_student s[1];
    make_students(s, 1, "李四");
    app_err err = {0};
    ck_assert_msg(db_student_insert_many(conn, s, 1, &err) == 0, "insert: %s", err.detail);

    /* JSON text with tabs, newlines and escapes in it, and an org with a backslash */
    const char *changes = "[\n\t{\"field\": \"name\", \"to\": \"a\\tb\\\\c\\n\"}\r\n]";
    db_history hv[2] = {
        {.student_id = s[0].id,
         .kind = "update",
         .actor_org = "41\\0102",
         .school = SCHOOL,
         .changes_json = changes},
        {.student_id = s[0].id, .kind = "create", .school = SCHOOL},
    };
    ck_assert_msg(db_history_insert_many(conn, hv, 2, &err) == 0, "history: %s", err.detail);
    db_history *h = NULL;
    int nh = 0;
    ck_assert_msg(db_history_list(conn, s[0].id, 0, 10, arena, &h, &nh, &err) == 0, "list: %s",
                  err.detail);
    ck_assert_int_eq(nh, 2);
    ck_assert_str_eq(h[0].changes_json, "[{\"to\": \"a\\tb\\\\c\\n\", \"field\": \"name\"}]");
    ck_assert_str_eq(h[0].actor_org, "41\\0102");
    ck_assert_str_eq(h[1].changes_json, "[]");
    ck_assert_str_eq(h[1].actor_org, "");

    db_event ev[1] = {{.type = "student.updated",
                       .student_id = s[0].id,
                       .school = SCHOOL,
                       .authority = "410102",
                       .province = "410000",
                       .data_json = "{\"note\":\"x\\ty\\\\z\\u0001\"}"}};
    ck_assert_msg(db_event_insert_many(conn, ev, 1, &err) == 0, "events: %s", err.detail);
    long long positioned = 0; /* the feed lists positioned events only */
    ck_assert_msg(core_feed_position(conn, &positioned, &err) == 0, "position: %s", err.detail);
    ck_assert_int_ge(positioned, 1);
    db_event *e = NULL;
    int ne = 0;
    ck_assert_msg(db_event_list(conn, 0, SCHOOL, NULL, 10, arena, &e, &ne, &err) == 0, "list: %s",
                  err.detail);
    ck_assert_int_ge(ne, 1);
    ck_assert_str_eq(e[ne - 1].type, "student.updated");
    ck_assert_str_eq(e[ne - 1].data_json, "{\"note\": \"x\\ty\\\\z\\u0001\"}");
}
END_TEST

START_TEST(test_lookups_of_odd_text_and_of_nothing)
{
    app_err err = {0};
    /* the identity locks take any text; an empty batch is no statement */
    const char *keys[] = {"\\x01\"", ODD_NAME};
    ck_assert_msg(db_begin(conn, &err) == 0, "%s", err.detail);
    ck_assert_msg(db_identities_lock(conn, keys, 2, &err) == 0, "locks: %s", err.detail);
    ck_assert_msg(db_identities_lock(conn, keys, 0, &err) == 0, "locks: %s", err.detail);
    db_rollback(conn);

    /* no rows to compare: no statement, nothing found */
    const char *none[] = {NULL};
    const char *gender[] = {"1"};
    long long id = 1;
    db_similar *sim = NULL;
    int nsim = -1;
    ck_assert_msg(db_similar_find_many(conn, "410000", 1, &id, none, gender, none, arena, &sim,
                                       &nsim, &err) == 0,
                  "similar: %s", err.detail);
    ck_assert_int_eq(nsim, 0);

    /* no classes asked for: an empty array, nothing locked */
    db_class_slot v[1];
    ck_assert_msg(db_classes_lock(conn, SCHOOL, v, 0, &err) == 0, "classes: %s", err.detail);
    v[0] = (db_class_slot){.grade = 13, .number = 1};
    ck_assert_msg(db_classes_lock(conn, SCHOOL, v, 1, &err) == 0, "classes: %s", err.detail);
    ck_assert_int_eq(v[0].id, class_id);
}
END_TEST

static Suite *
bulk_suite(void)
{
    Suite *s = suite_create("bulk");
    TCase *tc = tcase_create("escaping");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_students_copied_and_found_with_odd_characters);
    tcase_add_test(tc, test_history_and_events_copied_with_odd_characters);
    tcase_add_test(tc, test_lookups_of_odd_text_and_of_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(bulk_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed != 0;
}
