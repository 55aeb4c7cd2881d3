/*
 * tests/integration/catalog_test.c - the field catalog (core/record.c) and
 * the `student` table of migration 005 describe the same record: every
 * catalog column exists with a fitting type, and the table has no column
 * the catalog does not know besides the registry's own bookkeeping.
 */
#include "core/record.h"
#include "db/db.h"
#include "db/migrate.h"
#include "tests/lib/dbtest.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns of `student` that the catalog does not describe. */
static const char *const bookkeeping[] = {"id",         "province",   "school",     "class_id",
                                          "state",      "stuno_kind", "stuno_text", "stuno_enc",
                                          "stuno_bidx", "id_bidx",    "key_id",     "verification",
                                          "version",    "created_at", "updated_at", NULL};

START_TEST(test_catalog_matches_table)
{
    db_conn *c = dbt_create("xueji_cat");
    app_err err = {0};
    int applied = 0;
    ck_assert_msg(db_migrate(c, &applied, &err) == 0, "migrate: %s", err.detail);

    db_res *r = NULL;
    ck_assert_int_eq(db_exec_once(c,
                                  "SELECT column_name, data_type FROM information_schema.columns"
                                  " WHERE table_name = 'student' ORDER BY ordinal_position",
                                  0, NULL, &r, &err),
                     0);
    int n = 0;
    const char *const *cols = core_record_columns(&n);
    int nrows = db_res_nrows(r);
    for (int i = 0; i < n; i++) {
        const char *type = NULL;
        for (int k = 0; k < nrows; k++)
            if (strcmp(db_res_get(r, k, 0), cols[i]) == 0)
                type = db_res_get(r, k, 1);
        ck_assert_msg(type != NULL, "catalog column %s is not in table student", cols[i]);
        size_t l = strlen(cols[i]);
        if (l > 4 && strcmp(cols[i] + l - 4, "_enc") == 0)
            ck_assert_msg(strcmp(type, "bytea") == 0, "%s is %s, want bytea", cols[i], type);
    }
    for (int k = 0; k < nrows; k++) {
        const char *name = db_res_get(r, k, 0);
        int known = 0;
        for (int i = 0; i < n; i++)
            known |= strcmp(cols[i], name) == 0;
        for (const char *const *b = bookkeeping; *b; b++)
            known |= strcmp(*b, name) == 0;
        ck_assert_msg(known, "table student has column %s that the catalog does not know", name);
    }
    ck_assert_int_eq(nrows, n + 15);
    db_res_free(r);
    dbt_drop(c);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("table");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_catalog_matches_table);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
