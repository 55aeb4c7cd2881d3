/*
 * tests/http/regions_test.c - regions, code tables and idempotency over HTTP.
 * The world and helpers: tests/http/regions_world.h.
 */
#include "tests/http/regions_world.h"

/* GET `path`, assert 200 and a JSON body; the caller frees. */
static void
get_ok(const char *path, ht_resp *r)
{
    ck_assert_int_eq(ht_get(srv, path, r), 0);
    ck_assert_msg(r->status == 200, "GET %s -> %ld %s", path, r->status, r->body);
    ck_assert_msg(r->json != NULL, "GET %s: not JSON: %s", path, r->body);
}

static void
assert_region(const json_t *o, const char *code, const char *name, const char *level)
{
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(ht_json_str(o, "code"), code);
    ck_assert_str_eq(ht_json_str(o, "name"), name);
    ck_assert_str_eq(ht_json_str(o, "level"), level);
}

/* ---- one region ---------------------------------------------------------- */

START_TEST(test_region_county_with_ancestors)
{
    ht_resp r;
    get_ok("/api/v1/regions/410102", &r);
    assert_region(r.json, "410102", "中原区", "county");
    ck_assert_str_eq(ht_json_str(r.json, "parent"), "410100");
    json_t *anc = json_object_get(r.json, "ancestors");
    ck_assert(json_is_array(anc));
    ck_assert_int_eq(json_array_size(anc), 2);
    assert_region(json_array_get(anc, 0), "410000", "河南省", "province");
    assert_region(json_array_get(anc, 1), "410100", "郑州市", "city");
    const char *cc = ht_header(&r, "cache-control");
    ck_assert_msg(cc != NULL && strstr(cc, "max-age=") != NULL, "cache-control: %s", cc);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_region_municipality_district)
{
    ht_resp r;
    get_ok("/api/v1/regions/110101", &r);
    assert_region(r.json, "110101", "东城区", "county");
    ck_assert_str_eq(ht_json_str(r.json, "parent"), "110000");
    json_t *anc = json_object_get(r.json, "ancestors");
    ck_assert_int_eq(json_array_size(anc), 1);
    assert_region(json_array_get(anc, 0), "110000", "北京市", "province");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_region_province_governed_county)
{
    ht_resp r;
    get_ok("/api/v1/regions/429004", &r);
    assert_region(r.json, "429004", "仙桃市", "county");
    ck_assert_str_eq(ht_json_str(r.json, "parent"), "420000");
    json_t *anc = json_object_get(r.json, "ancestors");
    ck_assert_int_eq(json_array_size(anc), 1);
    assert_region(json_array_get(anc, 0), "420000", "湖北省", "province");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_region_city)
{
    ht_resp r;
    get_ok("/api/v1/regions/410100", &r);
    assert_region(r.json, "410100", "郑州市", "city");
    ck_assert_str_eq(ht_json_str(r.json, "parent"), "410000");
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "ancestors")), 1);
    ht_resp_free(&r);
}
END_TEST

/*
 * openapi.yaml, Region.parent: "Absent for provinces' parent (the ministry
 * root, 000000, is not listed as a region)". GET /api/v1/regions/000000 is 404,
 * so a province must not point at it.
 */
START_TEST(test_province_has_no_parent)
{
    ht_resp r;
    get_ok("/api/v1/regions/410000", &r);
    assert_region(r.json, "410000", "河南省", "province");
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "ancestors")), 0);
    ck_assert_msg(json_object_get(r.json, "parent") == NULL, "a province has a parent: %s", r.body);
    ht_resp_free(&r);

    get_ok("/api/v1/regions", &r);
    json_t *first = json_array_get(json_object_get(r.json, "items"), 0);
    ck_assert_msg(json_object_get(first, "parent") == NULL, "a listed province has a parent: %s",
                  r.body);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_region_not_found)
{
    static const char *const paths[] = {
        "/api/v1/regions/999999", "/api/v1/regions/41010x", "/api/v1/regions/4101020",
        "/api/v1/regions/41010",  "/api/v1/regions/000000", "/api/v1/regions/%20%20%20%20%20%20",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        ht_resp r;
        ck_assert_int_eq(ht_get(srv, paths[i], &r), 0);
        ck_assert_msg(r.status == 404, "%s -> %ld", paths[i], r.status);
        ht_assert_problem(&r, 404, "region_not_found");
        ht_resp_free(&r);
    }
}
END_TEST

/* ---- region lists -------------------------------------------------------- */

START_TEST(test_regions_provinces)
{
    ht_resp r;
    get_ok("/api/v1/regions", &r);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 31);
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    const char *prev = "";
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        ck_assert_str_eq(ht_json_str(it, "level"), "province");
        ck_assert_msg(strcmp(ht_json_str(it, "code"), prev) > 0, "not ordered by code");
        prev = ht_json_str(it, "code");
    }
    assert_region(json_array_get(items, 0), "110000", "北京市", "province");
    ht_resp_free(&r);

    /* an empty parent is the same as none */
    get_ok("/api/v1/regions?parent=", &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 31);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_regions_children)
{
    ht_resp r;
    get_ok("/api/v1/regions?parent=410000", &r);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 18); /* 17 cities and 济源市 */
    assert_region(json_array_get(items, 0), "410100", "郑州市", "city");
    assert_region(json_array_get(items, 17), "419001", "济源市", "county");
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        ck_assert_str_eq(ht_json_str(it, "parent"), "410000");
    }
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    ht_resp_free(&r);

    /* a county has no children: an empty page, not 404 */
    get_ok("/api/v1/regions?parent=410102", &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    ht_resp_free(&r);
}
END_TEST

/* Follow next_cursor from `first` to the end; returns the codes joined by ','. */
static char *
walk_pages(const char *first, int *out_pages)
{
    char path[256], *all = calloc(1, 1);
    ck_assert_ptr_nonnull(all);
    snprintf(path, sizeof(path), "%s", first);
    int pages = 0;
    for (;;) {
        ht_resp r;
        get_ok(path, &r);
        json_t *items = json_object_get(r.json, "items");
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            const char *code = ht_json_str(it, "code");
            size_t n = strlen(all);
            all = realloc(all, n + strlen(code) + 2);
            ck_assert_ptr_nonnull(all);
            sprintf(all + n, "%s%s", n ? "," : "", code);
        }
        pages++;
        ck_assert_int_lt(pages, 100);
        json_t *next = json_object_get(r.json, "next_cursor");
        if (json_is_null(next)) {
            ht_resp_free(&r);
            break;
        }
        ck_assert_msg(json_is_string(next), "next_cursor: %s", r.body);
        ck_assert_msg(json_array_size(items) > 0, "an empty page with a next cursor");
        snprintf(path, sizeof(path), "%s&cursor=%s", first, json_string_value(next));
        ht_resp_free(&r);
    }
    *out_pages = pages;
    return all;
}

START_TEST(test_regions_pagination)
{
    int pages;
    char *whole = walk_pages("/api/v1/regions?parent=410000", &pages);
    ck_assert_int_eq(pages, 1);
    char *paged = walk_pages("/api/v1/regions?parent=410000&limit=5", &pages);
    ck_assert_int_eq(pages, 4); /* 5 + 5 + 5 + 3 */
    ck_assert_str_eq(paged, whole);
    /* no duplicates: codes strictly increase */
    char prev[8] = "";
    for (char *p = paged; *p;) {
        ck_assert_msg(strncmp(p, prev, 6) > 0, "duplicate or disorder at %.6s", p);
        memcpy(prev, p, 6);
        prev[6] = '\0';
        p += 6;
        if (*p == ',')
            p++;
    }
    free(paged);

    /* a limit equal to the size: one page and no dangling cursor */
    paged = walk_pages("/api/v1/regions?parent=410000&limit=18", &pages);
    ck_assert_int_eq(pages, 1);
    ck_assert_str_eq(paged, whole);
    free(paged);
    paged = walk_pages("/api/v1/regions?parent=410000&limit=17", &pages);
    ck_assert_int_eq(pages, 2);
    ck_assert_str_eq(paged, whole);
    free(paged);
    paged = walk_pages("/api/v1/regions?limit=1", &pages);
    ck_assert_int_eq(pages, 31);
    free(paged);
    free(whole);

    /* a cursor past the end */
    ht_resp r;
    get_ok("/api/v1/regions?parent=410000&cursor=419001", &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_regions_bad_parameters)
{
    static const struct {
        const char *path, *code, *field;
    } cases[] = {
        {"/api/v1/regions?limit=0", "invalid_parameter", "/query/limit"},
        {"/api/v1/regions?limit=501", "invalid_parameter", "/query/limit"},
        {"/api/v1/regions?limit=abc", "invalid_parameter", "/query/limit"},
        {"/api/v1/regions?limit=-1", "invalid_parameter", "/query/limit"},
        {"/api/v1/regions?limit=", "invalid_parameter", "/query/limit"},
        {"/api/v1/regions?limit=5x", "invalid_parameter", "/query/limit"},
        {"/api/v1/regions?cursor=zz", "invalid_cursor", "/query/cursor"},
        {"/api/v1/regions?parent=410000&cursor=41010", "invalid_cursor", "/query/cursor"},
        {"/api/v1/regions?parent=abc", "invalid_parameter", "/query/parent"},
        {"/api/v1/regions?parent=4100000", "invalid_parameter", "/query/parent"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ht_resp r;
        ck_assert_int_eq(ht_get(srv, cases[i].path, &r), 0);
        ck_assert_msg(r.status == 400, "%s -> %ld %s", cases[i].path, r.status, r.body);
        ht_assert_problem(&r, 400, cases[i].code);
        json_t *e0 = json_array_get(json_object_get(r.json, "errors"), 0);
        ck_assert_msg(e0 != NULL && strcmp(ht_json_str(e0, "field"), cases[i].field) == 0,
                      "%s: errors %s", cases[i].path, r.body);
        ht_resp_free(&r);
    }
    /* the bounds themselves are fine */
    ht_resp r;
    get_ok("/api/v1/regions?limit=500", &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 31);
    ht_resp_free(&r);
    get_ok("/api/v1/regions?limit=1", &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(r.json, "next_cursor")), "110000");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_regions_unknown_parent)
{
    ht_resp r;
    ck_assert_int_eq(ht_get(srv, "/api/v1/regions?parent=999999", &r), 0);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
}
END_TEST

/* ---- code tables ---------------------------------------------------------- */

START_TEST(test_code_tables_list)
{
    ht_resp r;
    get_ok("/api/v1/code-tables", &r);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_ge(json_array_size(items), 22);
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    int seen = 0;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        const char *name = ht_json_str(it, "name");
        ck_assert_ptr_nonnull(name);
        ck_assert_ptr_nonnull(ht_json_str(it, "label"));
        ck_assert_ptr_nonnull(ht_json_str(it, "source"));
        ck_assert(json_is_integer(json_object_get(it, "count")));
        long long count = json_integer_value(json_object_get(it, "count"));
        if (strcmp(name, "gender") == 0) {
            ck_assert_int_eq(count, 2);
            ck_assert_str_eq(ht_json_str(it, "label"), "性别");
            seen |= 1;
        } else if (strcmp(name, "ethnicity") == 0) {
            ck_assert_int_eq(count, 58); /* 56 ethnic groups + 其他 + 外国血统中国籍人士 */
            ck_assert_str_eq(ht_json_str(it, "label"), "民族");
            seen |= 2;
        } else if (strcmp(name, "nationality") == 0) {
            ck_assert_int_gt(count, 200);
            seen |= 4;
        } else if (strcmp(name, "id_type") == 0) {
            seen |= 8;
        }
    }
    ck_assert_int_eq(seen, 15);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_code_table_gender)
{
    ht_resp r;
    get_ok("/api/v1/code-tables/gender", &r);
    ck_assert_str_eq(ht_json_str(r.json, "name"), "gender");
    ck_assert_str_eq(ht_json_str(r.json, "label"), "性别");
    ck_assert_ptr_nonnull(ht_json_str(r.json, "source"));
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 2);
    ck_assert_str_eq(ht_json_str(json_array_get(items, 0), "code"), "1");
    ck_assert_str_eq(ht_json_str(json_array_get(items, 0), "label"), "男");
    ck_assert_str_eq(ht_json_str(json_array_get(items, 1), "code"), "2");
    ck_assert_str_eq(ht_json_str(json_array_get(items, 1), "label"), "女");
    ht_resp_free(&r);

    get_ok("/api/v1/code-tables/ethnicity", &r);
    items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 58);
    ck_assert_str_eq(ht_json_str(json_array_get(items, 0), "code"), "01");
    ck_assert_str_eq(ht_json_str(json_array_get(items, 0), "label"), "汉族");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_code_table_not_found)
{
    ht_resp r;
    ck_assert_int_eq(ht_get(srv, "/api/v1/code-tables/nope", &r), 0);
    ht_assert_problem(&r, 404, "code_table_not_found");
    ht_resp_free(&r);
    const char *en[] = {"Accept-Language: en", NULL};
    ck_assert_int_eq(ht_request(srv, "GET", "/api/v1/code-tables/nope", en, NULL, 0, &r), 0);
    ht_assert_problem(&r, 404, "code_table_not_found");
    ck_assert_str_eq(ht_json_str(r.json, "title"), "No such code table");
    ht_resp_free(&r);
}
END_TEST

/* ---- idempotency ---------------------------------------------------------- */

static void
unique_key(char *buf, size_t cap, const char *tag)
{
    snprintf(buf, cap, "Idempotency-Key: %s-%ld-%lld", tag, (long)getpid(), ht_now_ms());
}

START_TEST(test_idempotency_replay)
{
    char key[128];
    unique_key(key, sizeof(key), "replay");
    const char *h[] = {key, NULL};
    ht_resp a, b;
    validate("\"" GOOD_ID "\"", h, &a);
    ck_assert_int_eq(a.status, 200);
    ck_assert_ptr_null(ht_header(&a, "idempotent-replayed"));
    validate("\"" GOOD_ID "\"", h, &b);
    ck_assert_int_eq(b.status, 200);
    ck_assert_str_eq(b.body, a.body);
    ck_assert_str_eq(ht_header(&b, "idempotent-replayed"), "true");
    const char *ct = ht_header(&b, "content-type");
    ck_assert_msg(ct != NULL && strncmp(ct, "application/json", 16) == 0, "content-type %s", ct);
    ck_assert_str_ne(ht_header(&b, "x-request-id"), ht_header(&a, "x-request-id"));
    ht_resp_free(&a);
    ht_resp_free(&b);

    /* a key is scoped to its caller and body: another key runs afresh */
    char key2[128];
    unique_key(key2, sizeof(key2), "replay-other");
    const char *h2[] = {key2, NULL};
    validate("\"" GOOD_ID "\"", h2, &a);
    ck_assert_int_eq(a.status, 200);
    ck_assert_ptr_null(ht_header(&a, "idempotent-replayed"));
    ht_resp_free(&a);
}
END_TEST

START_TEST(test_idempotency_key_reused)
{
    char key[128];
    unique_key(key, sizeof(key), "reused");
    const char *h[] = {key, NULL};
    ht_resp r;
    validate("\"" GOOD_ID "\"", h, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    validate("\"610104620927690\"", h, &r);
    ht_assert_problem(&r, 422, "idempotency_key_reused");
    ck_assert_str_eq(ht_json_str(json_array_get(json_object_get(r.json, "errors"), 0), "field"),
                     "/headers/idempotency-key");
    ck_assert_ptr_null(ht_header(&r, "idempotent-replayed"));
    ht_resp_free(&r);
    /* the first answer is still what the first body replays */
    validate("\"" GOOD_ID "\"", h, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_header(&r, "idempotent-replayed"), "true");
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_idempotency_bad_keys)
{
    ht_resp r;
    const char *empty[] = {"Idempotency-Key;", NULL};
    validate("\"" GOOD_ID "\"", empty, &r);
    ht_assert_problem(&r, 400, "invalid_idempotency_key");
    ht_resp_free(&r);

    char longkey[300] = "Idempotency-Key: ";
    size_t n = strlen(longkey);
    memset(longkey + n, 'k', 256);
    longkey[n + 256] = '\0';
    const char *lk[] = {longkey, NULL};
    validate("\"" GOOD_ID "\"", lk, &r);
    ht_assert_problem(&r, 400, "invalid_idempotency_key");
    ht_resp_free(&r);

    /* 255 characters is the longest allowed */
    snprintf(longkey + n, sizeof(longkey) - n, "%lld-", ht_now_ms());
    size_t m = strlen(longkey);
    memset(longkey + m, 'k', n + 255 - m);
    longkey[n + 255] = '\0';
    validate("\"" GOOD_ID "\"", lk, &r);
    ck_assert_msg(r.status == 200, "255-character key -> %ld %s", r.status, r.body);
    ht_resp_free(&r);
}
END_TEST

START_TEST(test_idempotency_replays_problems)
{
    char key[128];
    unique_key(key, sizeof(key), "problem");
    const char *h[] = {key, NULL};
    ht_resp a, b;
    validate("\"110101199003078031\"", h, &a);
    ck_assert_int_eq(a.status, 422);
    validate("\"110101199003078031\"", h, &b);
    ck_assert_int_eq(b.status, 422);
    ck_assert_str_eq(ht_header(&b, "idempotent-replayed"), "true");
    const char *ct = ht_header(&b, "content-type");
    ck_assert_msg(ct != NULL && strncmp(ct, "application/problem+json", 24) == 0, "%s", ct);
    ck_assert_str_eq(ht_json_str(b.json, "code"), "invalid_id_number");
    ht_resp_free(&a);
    ht_resp_free(&b);
}
END_TEST

static Suite *
regions_suite(void)
{
    Suite *s = suite_create("http-regions");

    TCase *tc = shared_tcase("regions");
    tcase_add_test(tc, test_region_county_with_ancestors);
    tcase_add_test(tc, test_region_municipality_district);
    tcase_add_test(tc, test_region_province_governed_county);
    tcase_add_test(tc, test_region_city);
    tcase_add_test(tc, test_region_not_found);
    tcase_add_test(tc, test_regions_provinces);
    tcase_add_test(tc, test_regions_children);
    tcase_add_test(tc, test_regions_pagination);
    tcase_add_test(tc, test_regions_bad_parameters);
    tcase_add_test(tc, test_regions_unknown_parent);
    suite_add_tcase(s, tc);

    tc = shared_tcase("code-tables");
    tcase_add_test(tc, test_code_tables_list);
    tcase_add_test(tc, test_code_table_gender);
    tcase_add_test(tc, test_code_table_not_found);
    suite_add_tcase(s, tc);

    /* the PII check, last, reads the log that all the tests above wrote */
    tc = shared_tcase("validate");
    tcase_add_test(tc, test_idempotency_replay);
    tcase_add_test(tc, test_idempotency_key_reused);
    tcase_add_test(tc, test_idempotency_bad_keys);
    tcase_add_test(tc, test_idempotency_replays_problems);
    suite_add_tcase(s, tc);

    /* Regression tests of server bugs this suite found (all fixed). */
    tc = shared_tcase("province-parent");
    tcase_add_test(tc, test_province_has_no_parent);
    suite_add_tcase(s, tc);

    /* last: the shared server exits 0 (ASan and UBSan reports exit non-zero) */
    tc = tcase_create("clean-exit");
    tcase_add_unchecked_fixture(tc, ht_shared_stop, NULL);
    tcase_add_test(tc, test_shared_servers_exited_cleanly);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    ht_global_init();
    SRunner *sr = srunner_create(regions_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}
