/*
 * tests/unit/payload_test.c - request bodies read by the member
 * declarations of workflow/defs.c (workflow/payload.c): the typed fields of
 * wf_start, the stored payload, and the problem items (code and JSON
 * pointer) of every kind of member, without a database.
 */
#include "workflow/payload.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORG "1101010001"

static app_arena *A;
static app_err E;
static wf_start S;

static int
parse(const char *body)
{
    json_t *b = json_loads(body, 0, NULL);
    ck_assert_ptr_nonnull(b);
    app_err_clear(&E);
    int rc = wf_start_parse(b, ORG, A, &S, &E);
    json_decref(b);
    return rc;
}

static int
resolve(const char *body)
{
    json_t *b = json_loads(body, 0, NULL);
    ck_assert_ptr_nonnull(b);
    app_err_clear(&E);
    int rc = wf_resolution_parse(b, 7, A, &S, &E);
    json_decref(b);
    return rc;
}

/* 1 when E has the item (ptr, code). */
static int
has(const char *ptr, const char *code)
{
    for (int i = 0; i < E.nitems; i++)
        if (strcmp(E.items[i].field, ptr) == 0 && strcmp(E.items[i].code, code) == 0)
            return 1;
    return 0;
}

/* Member `name` of the stored payload, as JSON text. */
static const char *
stored(const char *name)
{
    json_t *o = json_loads(S.payload_json, 0, NULL);
    ck_assert_ptr_nonnull(o);
    json_t *v = json_object_get(o, name);
    char *t = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    const char *r = t ? app_arena_strdup(A, t) : NULL;
    free(t);
    json_decref(o);
    return r;
}

static void
setup(void)
{
    A = app_arena_new();
}

static void
teardown(void)
{
    app_arena_free(A);
}

START_TEST(test_leave_and_suspend)
{
    ck_assert_int_eq(parse("{\"type\":\"withdraw\",\"student\":42,\"comment\":\"ok\","
                           "\"payload\":{\"reason\":\"迁居\",\"date\":\"2026-12-01\"}}"),
                     0);
    ck_assert_str_eq(S.student, "42");
    ck_assert_str_eq(S.reason, "迁居");
    ck_assert_str_eq(S.date, "2026-12-01");
    ck_assert_str_eq(stored("reason"), "\"迁居\"");
    ck_assert_int_eq(parse("{\"type\":\"withdraw\",\"student\":\"G1\",\"payload\":"
                           "{\"reason\":\"  \",\"date\":\"2026-02-30\",\"x\":1}}"),
                     APP_EINVAL);
    ck_assert(has("/payload/reason", "wrong_type"));
    ck_assert(has("/payload/date", "invalid_date"));
    ck_assert(has("/payload/x", "unknown_field"));
    ck_assert_int_eq(E.nitems, 3);
    ck_assert_int_eq(parse("{\"type\":\"decease\",\"student\":1}"), APP_EINVAL);
    ck_assert(has("/payload/reason", "missing_field") && has("/payload/date", "missing_field"));
    ck_assert_int_eq(parse("{\"type\":\"suspend\",\"student\":1,\"evidence\":[3],\"payload\":"
                           "{\"reason\":\"病\",\"start_date\":\"2026-12-01\","
                           "\"end_date\":\"2026-11-01\"}}"),
                     APP_EINVAL);
    ck_assert(has("/payload/end_date", "invalid_date"));
    ck_assert_str_eq(E.items[0].param, "before_start");
    ck_assert_int_eq(parse("{\"type\":\"suspend\",\"student\":1,\"evidence\":[3,4],\"payload\":"
                           "{\"reason\":\"病\",\"start_date\":\"2026-12-01\"}}"),
                     0);
    ck_assert_int_eq(S.nevidence, 2);
    ck_assert_ptr_null(stored("end_date"));
}
END_TEST

START_TEST(test_top_level)
{
    json_t *arr = json_array();
    ck_assert_int_eq(wf_start_parse(arr, ORG, A, &S, &E), APP_EINVAL);
    ck_assert_str_eq(E.slug, "wrong_type");
    ck_assert_str_eq(E.field, "");
    json_decref(arr);
    ck_assert_int_eq(parse("{\"type\":\"registration\",\"student\":1,\"y\":2,"
                           "\"evidence\":[0,\"a\"],\"payload\":{\"reason\":\"r\"}}"),
                     APP_EINVAL);
    ck_assert(has("/y", "unknown_field"));
    ck_assert(has("/type", "invalid_request_type"));
    ck_assert(has("/payload/reason", "unknown_field")); /* registration takes none */
    ck_assert_int_eq(E.nitems, 5);                      /* /evidence twice, as before */
    ck_assert_int_eq(parse("{\"student\":true,\"payload\":[]}"), APP_EINVAL);
    ck_assert(has("/type", "missing_field") && has("/student", "wrong_type") &&
              has("/payload", "wrong_type"));
    ck_assert_int_eq(parse("{\"type\":\"problem_resolution\",\"student\":1,"
                           "\"payload\":{\"method\":\"delete\"}}"),
                     APP_EINVAL);
    ck_assert(has("/type", "invalid_request_type") && has("/payload/method", "unknown_field"));
}
END_TEST

START_TEST(test_transfer_and_grade)
{
    ck_assert_int_eq(parse("{\"type\":\"transfer\",\"student\":\"L1\",\"payload\":"
                           "{\"grade\":\"2\",\"class\":3}}"),
                     0);
    ck_assert_str_eq(S.to_school, ORG); /* the caller receives */
    ck_assert_int_eq(S.grade, 2);
    ck_assert_int_eq(S.class_no, 3);
    ck_assert_str_eq(stored("grade"), "\"02\"");
    ck_assert_str_eq(stored("class"), "3");
    ck_assert_str_eq(stored("to_school"), "\"" ORG "\"");
    /* a wrong type of these members is one item at /payload */
    ck_assert_int_eq(parse("{\"type\":\"transfer\",\"student\":\"L1\",\"payload\":"
                           "{\"to_school\":5,\"grade\":\"abc\",\"class\":[]}}"),
                     APP_EINVAL);
    ck_assert_int_eq(E.nitems, 1);
    ck_assert(has("/payload", "wrong_type"));
    ck_assert_int_eq(parse("{\"type\":\"grade_change\",\"student\":1,\"payload\":{}}"), APP_EINVAL);
    ck_assert(has("/payload/grade", "missing_field"));
    ck_assert_int_eq(parse("{\"type\":\"grade_change\",\"student\":1,"
                           "\"payload\":{\"grade\":true}}"),
                     APP_EINVAL);
    ck_assert(has("/payload", "wrong_type") && has("/payload/grade", "missing_field"));
    ck_assert_int_eq(parse("{\"type\":\"grade_change\",\"student\":1,"
                           "\"payload\":{\"grade\":3,\"to_school\":\"" ORG "\"}}"),
                     APP_EINVAL);
    ck_assert(has("/payload/to_school", "unknown_field"));
}
END_TEST

START_TEST(test_batch_and_graduation)
{
    ck_assert_int_eq(parse("{\"type\":\"batch_transfer\",\"student\":1,\"payload\":"
                           "{\"from_school\":\"12\",\"students\":[1,\"L2\",0,\"\"],"
                           "\"class\":-1}}"),
                     APP_EINVAL);
    ck_assert(has("/student", "unknown_field"));
    ck_assert(has("/payload/from_school", "invalid_school_code"));
    ck_assert(has("/payload/to_school", "missing_field"));
    ck_assert(has("/payload/class", "wrong_type"));
    ck_assert(has("/payload/students/2", "wrong_type") && has("/payload/students/3", "wrong_type"));
    ck_assert(!has("/payload/students/1", "wrong_type"));
    ck_assert_int_eq(parse("{\"type\":\"batch_transfer\",\"payload\":{\"from_school\":\"" ORG
                           "\",\"to_school\":\"1101010002\",\"students\":[5,\"L6\"]}}"),
                     0);
    ck_assert_int_eq(S.nstudents, 2);
    ck_assert_str_eq(S.students[0], "5");
    ck_assert_str_eq(S.students[1], "L6");
    ck_assert_str_eq(stored("students"), "[5,\"L6\"]");
    ck_assert_int_eq(parse("{\"type\":\"graduation\",\"payload\":{\"grade\":16,\"outcomes\":"
                           "{\"9\":\"completed\",\"x\":\"completed\",\"8\":\"passed\"}}}"),
                     APP_EINVAL);
    ck_assert(has("/payload/outcomes/x", "student_not_in_grade"));
    ck_assert(has("/payload/outcomes/8", "invalid_code"));
    ck_assert_int_eq(parse("{\"type\":\"graduation\",\"payload\":{\"grade\":\"16\","
                           "\"outcomes\":{\"9\":\"incomplete\"}}}"),
                     0);
    ck_assert_int_eq(S.noutcomes, 1);
    ck_assert_int_eq(S.outcome_ids[0], 9);
    ck_assert_str_eq(S.outcome_vals[0], "incomplete");
    ck_assert_str_eq(stored("outcomes"), "{\"9\":\"incomplete\"}");
    ck_assert_int_eq(parse("{\"type\":\"graduation\",\"payload\":{\"grade\":\"x\"}}"), APP_EINVAL);
    ck_assert_int_eq(E.nitems, 1);
    ck_assert(has("/payload/grade", "wrong_type"));
}
END_TEST

START_TEST(test_key_field_changes)
{
    ck_assert_int_eq(parse("{\"type\":\"key_field_change\",\"student\":1,\"evidence\":[1],"
                           "\"payload\":{\"changes\":{\"id_number\":\"11010119900307803X\","
                           "\"gender\":null},\"renumber\":true}}"),
                     0);
    ck_assert_int_eq(S.renumber, 1);
    ck_assert(S.present[CORE_R_ID_NUMBER] && S.present[CORE_R_GENDER]);
    ck_assert_str_eq(S.changes.v[CORE_R_ID_NUMBER], "11010119900307803X");
    /* the stored payload shows the ID masked; the value travels sealed */
    ck_assert_ptr_null(strstr(S.payload_json, "11010119900307803X"));
    ck_assert_str_eq(stored("renumber"), "1");
    ck_assert_int_eq(parse("{\"type\":\"key_field_change\",\"student\":1,\"payload\":"
                           "{\"changes\":{\"phone\":\"1\",\"name\":5},\"renumber\":\"y\"}}"),
                     APP_EINVAL);
    ck_assert(has("/payload/changes/phone", "not_a_key_field"));
    ck_assert(has("/payload/changes/name", "wrong_type"));
    ck_assert(has("/payload/renumber", "wrong_type"));
    ck_assert_int_eq(parse("{\"type\":\"key_field_change\",\"student\":1,\"payload\":{}}"),
                     APP_EINVAL);
    ck_assert(has("/payload/changes", "missing_field"));
}
END_TEST

START_TEST(test_resolution)
{
    ck_assert_int_eq(resolve("{\"method\":\"delete\",\"student\":3}"), APP_EINVAL);
    ck_assert(has("/reason", "missing_field"));
    ck_assert_int_eq(resolve("{\"method\":\"evidence\",\"changes\":{\"name\":\"李四\"}}"),
                     APP_EINVAL);
    ck_assert(has("/changes", "unknown_field"));
    ck_assert_int_eq(resolve("{\"method\":\"drop\",\"student\":-1,\"z\":0,\"evidence\":[0,0]}"),
                     APP_EINVAL);
    ck_assert(has("/method", "invalid_method") && has("/student", "wrong_type") &&
              has("/z", "unknown_field"));
    ck_assert_int_eq(E.nitems, 4); /* one /evidence item for the first bad id */
    ck_assert_int_eq(resolve("{\"method\":\"change\",\"reason\":\"sealed\","
                             "\"changes\":{\"name\":\"李四\"},\"evidence\":[2]}"),
                     0);
    ck_assert_str_eq(S.type, "problem_resolution");
    ck_assert_int_eq(S.problem_id, 7);
    ck_assert_str_eq(S.method, "change");
    ck_assert_str_eq(S.changes.v[CORE_R_NAME], "李四");
    ck_assert_str_eq(stored("reason"), "\"sealed\"");
    ck_assert_str_eq(stored("method"), "\"change\"");
}
END_TEST

/* wf_payload_stored adds the sealed changes with jansson, whatever the
   other members say. */
START_TEST(test_stored_with_sealed)
{
    unsigned char key[1][CORE_PII_KEY_BYTES];
    memset(key, 7, sizeof(key));
    core_pii_ring *ring = core_pii_ring_new((const unsigned char(*)[CORE_PII_KEY_BYTES])key, 1);
    core_env env = {NULL, ring};
    core_op op = {0};
    op.env = &env;
    op.arena = A;
    ck_assert_int_eq(resolve("{\"method\":\"change\",\"reason\":\"sealed\","
                             "\"changes\":{\"name\":\"李四\"}}"),
                     0);
    const char *text = wf_payload_stored(&op, wf_def_find("problem_resolution"), &S);
    json_t *o = json_loads(text, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(o, "reason")), "sealed");
    const char *hex = json_string_value(json_object_get(o, "sealed"));
    ck_assert_ptr_nonnull(hex);
    core_record back;
    unsigned char present[CORE_NFIELDS];
    app_err e = {0};
    ck_assert_int_eq(core_changes_open(&op, hex, &back, present, &e), 0);
    ck_assert_str_eq(back.v[CORE_R_NAME], "李四");
    json_decref(o);
    /* evidence takes no changes: nothing sealed */
    ck_assert_int_eq(resolve("{\"method\":\"evidence\"}"), 0);
    ck_assert_ptr_null(
        strstr(wf_payload_stored(&op, wf_def_find("problem_resolution"), &S), "sealed"));
    core_pii_ring_free(ring);
}
END_TEST

/* Every type's members read: a required member that is null is reported at
   its own pointer. */
START_TEST(test_every_type)
{
    for (int i = 0; i < wf_ndefs; i++) {
        const wf_def *d = &wf_defs[i];
        json_t *b =
            json_pack("{s:s,s:i,s:o}", "type", d->type, "student", 1, "payload", json_object());
        for (const wf_member *m = d->members; m && m->name; m++)
            json_object_set_new(json_object_get(b, "payload"), m->name, json_null());
        app_err_clear(&E);
        int rc = wf_start_parse(b, ORG, A, &S, &E);
        json_decref(b);
        int takes = d->starter != WF_START_NONE && d->starter != WF_START_PROBLEM;
        ck_assert_int_eq(rc, E.nitems > 0 ? APP_EINVAL : 0);
        ck_assert(takes || has("/type", "invalid_request_type"));
        for (const wf_member *m = d->members; takes && m && m->name; m++) {
            char ptr[64];
            snprintf(ptr, sizeof(ptr), "/payload/%s", m->name);
            /* a null student list is of the wrong type, as it always was */
            ck_assert_msg(!m->required || has(ptr, "missing_field") || has(ptr, "wrong_type"),
                          "%s %s", d->type, ptr);
        }
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("payload");
    TCase *tc = tcase_create("members");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_leave_and_suspend);
    tcase_add_test(tc, test_top_level);
    tcase_add_test(tc, test_transfer_and_grade);
    tcase_add_test(tc, test_batch_and_graduation);
    tcase_add_test(tc, test_key_field_changes);
    tcase_add_test(tc, test_resolution);
    tcase_add_test(tc, test_stored_with_sealed);
    tcase_add_test(tc, test_every_type);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
