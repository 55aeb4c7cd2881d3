/*
 * tests/integration/student_history_test.c - the history and change-feed
 * texts that core/ writes for a student's edits and effects, called
 * directly on a real PostgreSQL (XUEJI_TEST_DATABASE_URL), below HTTP:
 * core_student_patch, core_student_key_change and
 * core_student_apply_registration. Values that need escaping (quotes,
 * backslashes) come back as written; personal information is only named;
 * a student number moves from its old to its new (masked) form.
 */
#include "core/calendar.h"
#include "core/demo.h"
#include "core/env.h"
#include "core/mask.h"
#include "core/pii.h"
#include "core/student.h"
#include "core/stuno.h"
#include "db/db.h"
#include "db/history.h"
#include "db/migrate.h"
#include "db/school.h"
#include "db/student.h"
#include "tests/lib/dbtest.h"

#include <check.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHOOL "2141010201"

static db_conn *conn;
static app_arena *arena;
static core_codes *codes;
static core_pii_ring *ring;
static core_env env;
static core_actor registrar;
static long long class_id;

static void
setup(void)
{
    ck_assert_int_ge(sodium_init(), 0);
    conn = dbt_create_migrated("xueji_hist");
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
    sodium_memzero(key, sizeof(key));
    env = (core_env){codes, ring};

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
    registrar =
        (core_actor){.user_id = 0, .level = CORE_LEVEL_SCHOOL, .staff_role = CORE_STAFF_REGISTRAR};
    snprintf(registrar.org, sizeof(registrar.org), "%s", SCHOOL);
}

static void
teardown(void)
{
    core_pii_ring_free(ring);
    core_codes_free(codes);
    app_arena_free(arena);
    dbt_drop(conn);
}

static core_op
op_of(void)
{
    core_op op = {.actor = &registrar, .env = &env, .arena = arena, .today = core_today()};
    return op;
}

/* A generated student stored as xuejictl demo stores it: enrolled with its G
   number, or (`pending`) awaiting approval with an L number. The record in
   *out_rec. */
static long long
store_student(int pending, core_record *out_rec)
{
    core_op op = op_of();
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
    core_demo_student st;
    ck_assert_int_eq(core_demo_student_make(&rng, ids, &k, sy, &st), 0);
    core_demo_ids_free(ids);
    int ncols = 0;
    core_record_columns(&ncols);
    const char **vals = app_arena_alloc(arena, sizeof(char *) * (size_t)ncols);
    app_err err = {0};
    ck_assert_int_eq(core_student_row(&op, &st.rec, vals, &err), 0);
    db_student s;
    memset(&s, 0, sizeof(s));
    memcpy(s.province, "410000", 7);
    memcpy(s.school, SCHOOL, 11);
    s.class_id = class_id;
    s.key_id = (long long)core_pii_key_id(ring, 0);
    s.vals = vals;
    s.id_bidx = core_student_bidx(&op, "id:1", st.rec.v[CORE_R_ID_NUMBER]);
    char number[20], masked[24];
    if (pending) {
        core_stuno_make_l("410102", 20180101, 1234, number);
        s.state = "pending";
        s.stuno_kind[0] = 'L';
        s.stuno_text = app_arena_strdup(arena, number);
    } else {
        snprintf(number, sizeof(number), "%s", st.student_number);
        core_mask_stuno(number, masked, sizeof(masked));
        s.state = "enrolled";
        s.stuno_kind[0] = 'G';
        s.stuno_text = app_arena_strdup(arena, masked);
        s.stuno_enc = NULL;
    }
    s.stuno_bidx = core_student_bidx(&op, "stuno", number);
    ck_assert_msg(db_student_insert(conn, &s, &err) == 0, "insert: %s", err.detail);
    *out_rec = st.rec;
    for (int i = 0; i < CORE_NFIELDS; i++)
        if (st.rec.v[i])
            out_rec->v[i] = app_arena_strdup(arena, st.rec.v[i]);
    return s.id;
}

/* The catalog index of the student's own field `json`. */
static int
field(const char *json)
{
    for (int i = 0; i < CORE_NFIELDS; i++)
        if (core_fields[i].member == 0 && strcmp(core_fields[i].json, json) == 0)
            return i;
    ck_abort_msg("no field %s", json);
    return -1;
}

/* The changes of the student's latest history row of `kind`, parsed. */
static json_t *
changes_of(long long id, const char *kind)
{
    db_history *h;
    int n = 0;
    app_err err = {0};
    ck_assert_msg(db_history_list(conn, id, 0, 100, arena, &h, &n, &err) == 0, "history: %s",
                  err.detail);
    for (int i = n - 1; i >= 0; i--) {
        if (strcmp(h[i].kind, kind) != 0)
            continue;
        json_error_t je;
        json_t *v = json_loads(h[i].changes_json, 0, &je);
        ck_assert_msg(v != NULL && json_is_array(v), "changes %s: %s", h[i].changes_json, je.text);
        return v;
    }
    ck_abort_msg("no history row %s", kind);
    return NULL;
}

/* The item of `changes` about `pointer` (NULL when none). */
static json_t *
item_of(json_t *changes, const char *pointer)
{
    size_t i;
    json_t *it;
    json_array_foreach(changes, i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "field")), pointer) == 0)
            return it;
    }
    return NULL;
}

static void
assert_string(json_t *v, const char *want)
{
    if (want == NULL) {
        ck_assert_msg(json_is_null(v), "want null");
        return;
    }
    ck_assert_msg(json_is_string(v), "want a string: %s", want);
    ck_assert_str_eq(json_string_value(v), want);
}

START_TEST(test_edit_history_names_old_and_new_values_and_only_names_pii)
{
    core_record rec;
    long long id = store_student(0, &rec);
    core_op op = op_of();
    core_record ch;
    unsigned char present[CORE_NFIELDS] = {0};
    memset(&ch, 0, sizeof(ch));
    const char *addr = "建设路\"1\"号\\2室";
    int fa = field("current_address"), fp = field("phone");
    ch.v[fa] = addr;
    ch.v[fp] = strcmp(rec.v[fp] ? rec.v[fp] : "", "13800138000") ? "13800138000" : "13900139000";
    present[fa] = present[fp] = 1;
    core_student out;
    app_err err = {0};
    char key[24];
    snprintf(key, sizeof(key), "%lld", id);
    ck_assert_msg(core_student_patch(conn, &op, key, 1, &ch, present, &out, &err) == 0,
                  "patch: %s %s", err.slug ? err.slug : "-", err.detail);
    ck_assert_int_eq(out.version, 2);
    ck_assert_str_eq(out.rec.v[fa], addr);

    json_t *c = changes_of(id, "edited");
    ck_assert_uint_eq(json_array_size(c), 2);
    json_t *a = item_of(c, "/current_address");
    ck_assert_ptr_nonnull(a);
    assert_string(json_object_get(a, "old"), rec.v[fa]);
    assert_string(json_object_get(a, "new"), addr);
    json_t *p = item_of(c, "/phone");
    ck_assert_ptr_nonnull(p);
    ck_assert(json_is_true(json_object_get(p, "pii")));
    ck_assert_ptr_null(json_object_get(p, "old"));
    ck_assert_ptr_null(json_object_get(p, "new"));
    json_decref(c);
}
END_TEST

START_TEST(test_key_change_history_names_fields_and_keeps_values_of_plain_ones)
{
    core_record rec;
    long long id = store_student(0, &rec);
    core_op op = op_of();
    core_record ch;
    unsigned char present[CORE_NFIELDS] = {0};
    memset(&ch, 0, sizeof(ch));
    const char *name = "欧阳\"小\\明";
    ch.v[CORE_R_NAME] = name;
    present[CORE_R_NAME] = 1;
    long long holder = -1;
    app_err err = {0};
    ck_assert_int_eq(db_begin(conn, &err), 0);
    ck_assert_msg(core_student_key_change(conn, &op, id, &ch, present, 0, 0, &holder, &err) == 0,
                  "key change: %s %s", err.slug ? err.slug : "-", err.detail);
    ck_assert_int_eq(db_commit(conn, &err), 0);
    ck_assert_int_eq(holder, 0);

    json_t *c = changes_of(id, "key_field_change");
    ck_assert_uint_eq(json_array_size(c), 1); /* the number stays */
    json_t *n = item_of(c, "/name");
    ck_assert_ptr_nonnull(n);
    assert_string(json_object_get(n, "old"), rec.v[CORE_R_NAME]);
    assert_string(json_object_get(n, "new"), name);
    json_decref(c);
}
END_TEST

START_TEST(test_enrolment_history_moves_the_number_from_l_to_masked_g)
{
    core_record rec;
    long long id = store_student(1, &rec);
    db_student before;
    int found = 0;
    app_err err = {0};
    ck_assert_int_eq(db_student_get(conn, id, 0, arena, &before, &found, &err), 0);
    ck_assert(found);
    core_op op = op_of();
    ck_assert_int_eq(db_begin(conn, &err), 0);
    ck_assert_msg(core_student_apply_registration(conn, &op, id, 0, &err) == 0, "apply: %s %s",
                  err.slug ? err.slug : "-", err.detail);
    ck_assert_int_eq(db_commit(conn, &err), 0);
    db_student after;
    ck_assert_int_eq(db_student_get(conn, id, 0, arena, &after, &found, &err), 0);
    ck_assert_str_eq(after.state, "enrolled");
    ck_assert_int_eq(after.stuno_kind[0], 'G');

    json_t *c = changes_of(id, "enrolled");
    ck_assert_uint_eq(json_array_size(c), 2);
    json_t *s = item_of(c, "/state");
    ck_assert_ptr_nonnull(s);
    assert_string(json_object_get(s, "old"), "pending");
    assert_string(json_object_get(s, "new"), "enrolled");
    json_t *n = item_of(c, "/student_number");
    ck_assert_ptr_nonnull(n);
    assert_string(json_object_get(n, "old"), before.stuno_text);
    assert_string(json_object_get(n, "new"), after.stuno_text);
    ck_assert_str_ne(before.stuno_text, after.stuno_text);
    json_decref(c);
}
END_TEST

static Suite *
history_suite(void)
{
    Suite *s = suite_create("student_history");
    TCase *tc = tcase_create("texts");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_edit_history_names_old_and_new_values_and_only_names_pii);
    tcase_add_test(tc, test_key_change_history_names_fields_and_keeps_values_of_plain_ones);
    tcase_add_test(tc, test_enrolment_history_moves_the_number_from_l_to_masked_g);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(history_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
