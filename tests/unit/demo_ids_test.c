/*
 * tests/unit/demo_ids_test.c - the demo's ID numbers (core/demo.c): unique,
 * valid, every number of the school's county used and the others from the
 * migrant families' hometowns, and none once every county is full.
 */
#include "core/calendar.h"
#include "core/demo.h"
#include "core/idnum.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define PER_DAY 1000 /* sequence numbers of one county and one birth date */
#define HOMETOWNS 12 /* core/demo.c's hometowns, none of them 410102 */
#define HOMETOWN_CODES                                                                             \
    "411321 411328 411381 411421 411425 411481 411525 411528 411621 410122 410327 410325"

static int
by_id(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

START_TEST(test_full_county_spills_to_hometowns)
{
    int sy = core_demo_school_year(core_today()), from, until;
    core_demo_birth_window(3, sy, &from, &until);
    const char *county = "410102";
    /* numbers of one birth date only: 1,000 a county */
    core_demo_ids *ids = core_demo_ids_new(&county, 1, from, from);
    core_demo_rng rng;
    core_demo_rng_seed(&rng, 11);
    core_demo_class k = {.school = "4101020001",
                         .county = "410102",
                         .system = "63",
                         .category = 21,
                         .grade = 13,
                         .number = 1};
    int cap = PER_DAY * (1 + HOMETOWNS), own = 0;
    char(*seen)[19] = calloc((size_t)cap, sizeof(*seen));
    ck_assert_ptr_nonnull(seen);
    /* 13,000 students: plain ifs, no assertion per student (docs/decisions/0045) */
    for (int i = 0; i < cap; i++) {
        core_demo_student st;
        if (core_demo_student_make(&rng, ids, &k, sy, &st) != 0)
            ck_abort_msg("student %d: no number left", i);
        const char *id = st.student_number + 1; /* "G" and the ID number */
        char prefix[7] = {0};
        memcpy(prefix, id, 6);
        if (strlen(id) != 18 || id[17] != core_idnum_check_digit(id))
            ck_abort_msg("student %d: %s is no valid ID number", i, id);
        if (strcmp(prefix, "410102") != 0 && strstr(HOMETOWN_CODES, prefix) == NULL)
            ck_abort_msg("%d: %s from neither the school's county nor a hometown", i, id);
        own += strcmp(prefix, "410102") == 0;
        memcpy(seen[i], id, 19);
    }
    ck_assert_int_eq(own, PER_DAY);
    qsort(seen, (size_t)cap, sizeof(*seen), by_id);
    for (int i = 1; i < cap; i++)
        if (strcmp(seen[i - 1], seen[i]) == 0)
            ck_abort_msg("%s twice", seen[i]);
    core_demo_student st;
    ck_assert_int_eq(core_demo_student_make(&rng, ids, &k, sy, &st), -1);
    free(seen);
    core_demo_ids_free(ids);
}
END_TEST

static Suite *
demo_ids_suite(void)
{
    Suite *s = suite_create("demo_ids");
    TCase *tc = tcase_create("ids");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_full_county_spills_to_hometowns);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(demo_ids_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
