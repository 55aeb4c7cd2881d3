/*
 * tests/http/schools_classes_test.c - classes, settings and the demo loader over HTTP.
 * The world and helpers: tests/http/schools_world.h.
 */
#include "tests/http/schools_world.h"

/* ------------------------------------------------------------- classes */

static long long
post_class(const char *token, const char *school, const char *body, long want_status,
           const char *want_code)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/schools/%s/classes", school);
    ht_resp r;
    call("POST", path, token, body, NULL, &r);
    long long id = 0;
    if (want_code == NULL) {
        ck_assert_msg(r.status == want_status, "%s %s: %ld %s", school, body, r.status, r.body);
        id = json_integer_value(json_object_get(r.json, "id"));
    } else {
        ht_assert_problem(&r, want_status, want_code);
    }
    ht_resp_free(&r);
    return id;
}

START_TEST(test_classes)
{
    char *cty = as("t_zhongyuan"), *jinshui = as("t_jinshui");
    /* a primary (六三), a primary (五四), a junior (五四), a senior, a special school */
    ensure_school(cty, "{\"code\":\"2141010287\",\"name\":\"班级测试小学\",\"county\":\"410102\"}");
    ensure_school(cty, "{\"code\":\"2141010288\",\"name\":\"五四制测试小学\",\"county\":\"410102\","
                       "\"system\":\"54\"}");
    ensure_school(cty, "{\"code\":\"3141010288\",\"name\":\"五四制测试初中\",\"county\":\"410102\","
                       "\"system\":\"54\"}");
    ensure_school(cty, "{\"code\":\"3441010288\",\"name\":\"班级测试高中\",\"county\":\"410102\"}");
    ensure_school(cty,
                  "{\"code\":\"5141010288\",\"name\":\"班级测试特教学校\",\"county\":\"410102\"}");
    ensure_user_full("t_reg287", "school", "2141010287", "registrar", 0, 0);
    ensure_user_full("t_lead287", "school", "2141010287", "grade_leader", 11, 0);
    char *reg = login("t_reg287"), *lead = login("t_lead287");

    /* the registrar: 201 with the default name */
    ht_resp r;
    call("POST", "/api/v1/schools/2141010287/classes", reg, "{\"grade\":\"11\",\"number\":1}", NULL,
         &r);
    ck_assert_msg(r.status == 201, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "grade"), "11");
    ck_assert_str_eq(ht_json_str(r.json, "grade_label"), "一年级");
    ck_assert_str_eq(ht_json_str(r.json, "name"), "一年级(1)班");
    ck_assert_str_eq(ht_json_str(r.json, "school"), "2141010287");
    ck_assert(json_is_null(json_object_get(r.json, "size_limit")));
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    long long first = json_integer_value(json_object_get(r.json, "id"));
    ht_resp_free(&r);
    /* the county over it, with a name and a size limit */
    post_class(cty, "2141010287",
               "{\"grade\":11,\"number\":2,\"name\":\"一年级(2)班（实验班）\","
               "\"size_limit\":40}",
               201, NULL);
    post_class(reg, "2141010287", "{\"grade\":\"16\",\"number\":3}", 201, NULL);
    post_class(reg, "2141010287", "{\"grade\":\"12\",\"number\":1}", 201, NULL);

    /* refused */
    post_class(reg, "2141010287", "{\"grade\":\"11\",\"number\":1}", 409, "class_exists");
    post_class(reg, "2141010287", "{\"grade\":\"21\",\"number\":1}", 422, "grade_not_in_school");
    post_class(reg, "2141010287", "{\"grade\":\"17\",\"number\":1}", 422, "invalid_grade");
    post_class(reg, "2141010287", "{\"grade\":\"11\",\"number\":0}", 422, "invalid_class_number");
    post_class(reg, "2141010287", "{\"grade\":\"11\",\"number\":100}", 422, "invalid_class_number");
    post_class(reg, "2141010287", "{\"grade\":\"11\",\"number\":5,\"size_limit\":201}", 422,
               "invalid_size_limit");
    post_class(reg, "2141010287", "{\"number\":\"5\"}", 422, "validation_failed");
    post_class(lead, "2141010287", "{\"grade\":\"11\",\"number\":6}", 403, "forbidden");
    ensure_user_full("t_head287", "school", "2141010287", "head_teacher", 0, first);
    char *head = login("t_head287");
    post_class(head, "2141010287", "{\"grade\":\"11\",\"number\":6}", 403, "forbidden");
    post_class(jinshui, "2141010287", "{\"grade\":\"11\",\"number\":6}", 404, "school_not_found");
    post_class(reg, "2141010288", "{\"grade\":\"11\",\"number\":6}", 404, "school_not_found");

    /* grades by category and system */
    post_class(cty, "2141010288", "{\"grade\":\"15\",\"number\":1}", 201, NULL);
    post_class(cty, "2141010288", "{\"grade\":\"16\",\"number\":1}", 422, "grade_not_in_school");
    post_class(cty, "3141010288", "{\"grade\":\"24\",\"number\":1}", 201, NULL);
    post_class(cty, "3141010288", "{\"grade\":\"31\",\"number\":1}", 422, "grade_not_in_school");
    post_class(cty, "3441010288", "{\"grade\":\"33\",\"number\":1}", 201, NULL);
    post_class(cty, "3441010288", "{\"grade\":\"23\",\"number\":1}", 422, "grade_not_in_school");
    post_class(cty, "5141010288", "{\"grade\":\"11\",\"number\":1}", 201, NULL);
    post_class(cty, "5141010288", "{\"grade\":\"23\",\"number\":1}", 201, NULL);

    /* 五四 -> 六三 would orphan grade 24 of the junior school */
    call("GET", "/api/v1/schools/3141010288", cty, NULL, NULL, &r);
    char etag[16];
    snprintf(etag, sizeof(etag), "%s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    call("PATCH", "/api/v1/schools/3141010288", cty, "{\"system\":\"63\"}", etag, &r);
    ht_assert_problem(&r, 409, "system_conflicts_with_classes");
    ht_resp_free(&r);

    /* the list: every member of the school, sorted by grade and number, in pages */
    call("GET", "/api/v1/schools/2141010287/classes", head, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_uint_eq(json_array_size(items), 4);
    ck_assert_str_eq(ht_json_str(json_array_get(items, 0), "name"), "一年级(1)班");
    ck_assert_str_eq(ht_json_str(json_array_get(items, 1), "name"), "一年级(2)班（实验班）");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(items, 1), "size_limit")),
                     40);
    ck_assert_str_eq(ht_json_str(json_array_get(items, 2), "grade"), "12");
    ck_assert_str_eq(ht_json_str(json_array_get(items, 3), "name"), "六年级(3)班");
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/2141010287/classes?limit=3", lead, NULL, NULL, &r);
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 3);
    ck_assert_str_eq(ht_json_str(r.json, "next_cursor"), "1201");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/2141010287/classes?limit=3&cursor=1201", cty, NULL, NULL, &r);
    items = json_object_get(r.json, "items");
    ck_assert_uint_eq(json_array_size(items), 1);
    ck_assert_str_eq(ht_json_str(json_array_get(items, 0), "grade"), "16");
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/2141010287/classes?cursor=12-1", cty, NULL, NULL, &r);
    ht_assert_problem(&r, 400, "invalid_cursor");
    ht_resp_free(&r);
    call("GET", "/api/v1/schools/2141010287/classes", jinshui, NULL, NULL, &r);
    ht_assert_problem(&r, 404, "school_not_found");
    ht_resp_free(&r);

    /* a closed school takes no new class */
    call("GET", "/api/v1/schools/5141010288", cty, NULL, NULL, &r);
    snprintf(etag, sizeof(etag), "%s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    call("PATCH", "/api/v1/schools/5141010288", cty, "{\"closed\":true}", etag, &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    post_class(cty, "5141010288", "{\"grade\":\"12\",\"number\":1}", 409, "school_closed");

    ck_assert_int_eq(scalar("SELECT count(*) FROM audit a JOIN class c ON a.target_id = c.id::text"
                            " WHERE a.action = 'class_create' AND c.school = '2141010287'"),
                     4);
    free(cty);
    free(jinshui);
    free(reg);
    free(lead);
    free(head);
}
END_TEST

/* ------------------------------------------------------------ settings */

static void
get_settings(const char *token, const char *region, ht_resp *r)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/regions/%s/settings", region);
    call("GET", path, token, NULL, NULL, r);
}

static void
put_settings(const char *token, const char *region, const char *body, const char *if_match,
             ht_resp *r)
{
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/regions/%s/settings", region);
    call("PUT", path, token, body, if_match, r);
}

/* Read the ETag, then PUT with it; asserts 200. */
static void
put_current(const char *token, const char *region, const char *body)
{
    ht_resp r;
    get_settings(token, region, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    char etag[16];
    snprintf(etag, sizeof(etag), "%s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    put_settings(token, region, body, etag, &r);
    ck_assert_msg(r.status == 200, "PUT %s: %ld %s", region, r.status, r.body);
    ht_resp_free(&r);
}

static const char *
eff_str(const ht_resp *r, const char *key)
{
    return ht_json_str(json_object_get(r->json, "effective"), key);
}

static long long
eff_int(const ht_resp *r, const char *key)
{
    return json_integer_value(json_object_get(json_object_get(r->json, "effective"), key));
}

START_TEST(test_settings_inheritance)
{
    /* 湖北 420000 > 武汉 420100 > 江岸区 420102 (and its sibling 江汉区 420103) */
    char *prov = as("t_hubei"), *city = as("t_wuhan"), *cty = as("t_jiangan"),
         *sib = as("t_jianghan");
    ht_resp r;
    get_settings(prov, "420000", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(ht_json_str(r.json, "region"), "420000");
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 0);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"0\"");
    ck_assert_int_eq(json_object_size(json_object_get(r.json, "settings")), 0);
    /* with no overrides, the effective settings are the defaults */
    ck_assert_str_eq(eff_str(&r, "entry_age_cutoff"), "08-31");
    ck_assert_int_eq(eff_int(&r, "entry_min_age"), 6);
    ck_assert_int_eq(eff_int(&r, "step_deadline_days"), 10);
    ck_assert(json_is_false(
        json_object_get(json_object_get(r.json, "effective"), "province_approves_transfers")));
    ck_assert_uint_eq(
        json_array_size(json_object_get(json_object_get(r.json, "effective"), "required_fields")),
        19);
    ht_resp_free(&r);

    put_settings(prov, "420000",
                 "{\"settings\":{\"entry_min_age\":6,\"entry_age_cutoff\":\"08-31\","
                 "\"step_deadline_days\":12}}",
                 "\"0\"", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 1);
    ck_assert_str_eq(ht_header(&r, "etag"), "\"1\"");
    ht_resp_free(&r);
    put_settings(cty, "420102", "{\"settings\":{\"entry_age_cutoff\":\"09-01\"}}", "\"0\"", &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    /* the county: its own override, the province's values, the defaults */
    get_settings(cty, "420102", &r);
    ck_assert_int_eq(r.status, 200);
    json_t *own = json_object_get(r.json, "settings");
    ck_assert_uint_eq(json_object_size(own), 1);
    ck_assert_str_eq(ht_json_str(own, "entry_age_cutoff"), "09-01");
    ck_assert_str_eq(eff_str(&r, "entry_age_cutoff"), "09-01");
    ck_assert_int_eq(eff_int(&r, "entry_min_age"), 6);
    ck_assert_int_eq(eff_int(&r, "step_deadline_days"), 12);
    ck_assert_str_eq(
        ht_json_str(json_object_get(json_object_get(r.json, "effective"), "transfer_blackout"),
                    "from"),
        "07-15");
    ht_resp_free(&r);
    /* the city, with no overrides, shows the province's values */
    get_settings(city, "420100", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_object_size(json_object_get(r.json, "settings")), 0);
    ck_assert_str_eq(eff_str(&r, "entry_age_cutoff"), "08-31");
    ck_assert_int_eq(eff_int(&r, "step_deadline_days"), 12);
    ht_resp_free(&r);
    /* the sibling county is untouched by its neighbour */
    get_settings(sib, "420103", &r);
    ck_assert_str_eq(eff_str(&r, "entry_age_cutoff"), "08-31");
    ht_resp_free(&r);

    /* a later province change reaches the county at once */
    put_current(prov, "420000", "{\"settings\":{\"entry_min_age\":7}}");
    get_settings(cty, "420102", &r);
    ck_assert_int_eq(eff_int(&r, "entry_min_age"), 7);
    ck_assert_int_eq(eff_int(&r, "step_deadline_days"), 10); /* dropped from the overrides */
    ht_resp_free(&r);

    /* a superior may write a county's settings; a GET body may be sent back as is */
    get_settings(city, "420102", &r);
    char *back = json_dumps(r.json, JSON_COMPACT);
    char etag[16];
    snprintf(etag, sizeof(etag), "%s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    put_settings(city, "420102", back, etag, &r);
    free(back);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(eff_str(&r, "entry_age_cutoff"), "09-01");
    ht_resp_free(&r);
    ck_assert_int_ge(scalar("SELECT count(*) FROM audit WHERE action = 'settings_update'"
                            " AND target_id = '420102'"
                            " AND detail->'after'->>'entry_age_cutoff' = '09-01'"),
                     2);
    free(prov);
    free(city);
    free(cty);
    free(sib);
}
END_TEST

START_TEST(test_settings_errors_and_access)
{
    char *prov = as("t_hubei"), *cty = as("t_jiangan"), *sib = as("t_jianghan"),
         *min = as("t_ministry"), *henan = as("t_henan");
    ensure_school(
        cty, "{\"code\":\"2142010282\",\"name\":\"江岸区设置测试小学\",\"county\":\"420102\"}");
    ensure_user_full("t_school_hb", "school", "2142010282", "registrar", 0, 0);
    char *school = login("t_school_hb");
    ht_resp r;

    /* every bad key at once, each at its JSON pointer */
    put_settings(cty, "420102",
                 "{\"settings\":{\"entry_age_cutoff\":\"02-30\",\"entry_min_age\":\"six\","
                 "\"favourite_colour\":\"red\",\"holidays\":[\"2026-10-01\",\"soon\"],"
                 "\"registration_window\":{\"required\":true,\"from\":\"2026-09-30\","
                 "\"until\":\"2026-09-01\"},\"required_fields\":[\"name\",\"shoe_size\"]}}",
                 "\"0\"", &r);
    ht_assert_problem(&r, 422, "validation_failed");
    ck_assert(has_error(&r, "/settings/entry_age_cutoff", "invalid_setting"));
    ck_assert(has_error(&r, "/settings/entry_min_age", "wrong_type"));
    ck_assert(has_error(&r, "/settings/favourite_colour", "unknown_setting"));
    ck_assert(has_error(&r, "/settings/holidays/1", "invalid_setting"));
    ck_assert(has_error(&r, "/settings/registration_window/until", "invalid_setting"));
    ck_assert(has_error(&r, "/settings/required_fields/1", "invalid_setting"));
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "errors")), 6);
    ht_resp_free(&r);
    put_settings(cty, "420102", "{\"settings\":{\"entry_min_age\":6},\"extra\":1}", "\"0\"", &r);
    ht_assert_problem(&r, 422, "unknown_field");
    ht_resp_free(&r);
    put_settings(cty, "420102", "{}", "\"0\"", &r);
    ht_assert_problem(&r, 422, "missing_field");
    ht_resp_free(&r);

    /* a sibling county: 404 for the GET and the PUT alike */
    put_settings(sib, "420102", "{\"settings\":{\"entry_min_age\":6}}", "\"0\"", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    get_settings(sib, "420102", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    /* another province; a county reading its province (above it) */
    get_settings(henan, "420102", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    get_settings(cty, "420000", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    /* no such region, the ministry root, a malformed code */
    get_settings(min, "429999", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    get_settings(min, "000000", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    get_settings(min, "42", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);

    /* If-Match: missing 428, stale 412 */
    put_settings(prov, "420103", "{\"settings\":{}}", NULL, &r);
    ht_assert_problem(&r, 428, "precondition_required");
    ht_resp_free(&r);
    put_current(sib, "420103", "{\"settings\":{\"holidays\":[\"2026-10-01\"]}}");
    put_settings(prov, "420103", "{\"settings\":{}}", "\"0\"", &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);

    /* a school reads its authority's chain, writes nothing, sees no other region */
    get_settings(school, "420102", &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    get_settings(school, "420000", &r);
    ck_assert_int_eq(r.status, 200);
    ht_resp_free(&r);
    get_settings(school, "420103", &r);
    ht_assert_problem(&r, 404, "region_not_found");
    ht_resp_free(&r);
    get_settings(school, "420102", &r);
    char etag[16];
    snprintf(etag, sizeof(etag), "%s", ht_header(&r, "etag"));
    ht_resp_free(&r);
    put_settings(school, "420102", "{\"settings\":{}}", etag, &r);
    ht_assert_problem(&r, 403, "forbidden");
    ht_resp_free(&r);
    get_settings(NULL, "420102", &r);
    ck_assert_int_eq(r.status, 401);
    ht_resp_free(&r);
    free(prov);
    free(cty);
    free(sib);
    free(min);
    free(henan);
    free(school);
}
END_TEST

/* --------------------------------------------------------------- demo */

/* Run `xuejictl demo` (next to XUEJID_BIN) on the test database; its exit status. */
static int
run_demo(char **out_text)
{
    const char *bin = getenv("XUEJID_BIN");
    ck_assert_ptr_nonnull(bin);
    char ctl[PATH_MAX], out[PATH_MAX + 16];
    snprintf(ctl, sizeof(ctl), "%s", bin);
    char *slash = strrchr(ctl, '/');
    ck_assert_ptr_nonnull(slash);
    snprintf(slash + 1, sizeof(ctl) - (size_t)(slash + 1 - ctl), "xuejictl");
    snprintf(out, sizeof(out), "/tmp/xueji-demo.%ld.out", (long)getpid());
    char url[1024];
    snprintf(url, sizeof(url), "XUEJI_DATABASE_URL=%s", getenv("XUEJI_TEST_DATABASE_URL"));
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        const char *path = getenv("PATH");
        char pathv[PATH_MAX + 8];
        snprintf(pathv, sizeof(pathv), "PATH=%s", path ? path : "/usr/bin:/bin");
        char *argv[] = {ctl, (char *)"demo", NULL};
        /* the demo university's students and the graduate pool hold encrypted fields */
        char *envp[] = {url, pathv, (char *)"XUEJI_DATA_KEY=" HT_DATA_KEY, NULL};
        execve(ctl, argv, envp);
        _exit(127);
    }
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    FILE *f = fopen(out, "r");
    ck_assert_ptr_nonnull(f);
    char *text = calloc(1, 65536);
    size_t n = fread(text, 1, 65535, f);
    text[n] = '\0';
    fclose(f);
    unlink(out);
    *out_text = text;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
counts(long long out[5])
{
    out[0] = scalar("SELECT count(*) FROM school");
    out[1] = scalar("SELECT count(*) FROM class");
    out[2] = scalar("SELECT count(*) FROM app_user");
    out[3] = scalar("SELECT count(*) FROM region_settings");
    out[4] = scalar("SELECT count(*) FROM audit");
}

START_TEST(test_demo_twice)
{
    char *text;
    int rc = run_demo(&text);
    ck_assert_msg(rc == 0, "xuejictl demo: %d\n%s", rc, text);
    ck_assert_msg(strstr(text, DEMO_PW) != NULL, "%s", text);
    ck_assert_msg(strstr(text, "zhongyuan") != NULL && strstr(text, "jianshe.registrar") != NULL,
                  "%s", text);
    free(text);
    ck_assert_int_eq(scalar("SELECT count(*) FROM school WHERE province = '410000'"
                            " AND code IN ('2141010201', '3441010201', '5141030501')"),
                     3);
    ck_assert_int_ge(scalar("SELECT count(*) FROM school WHERE code LIKE '__41%'"
                            " AND created_at IS NOT NULL AND code ~ '^(21|31|34|51)41'"),
                     20);
    ck_assert_int_eq(scalar("SELECT count(*) FROM school WHERE code = '3441010201'"
                            " AND authority = '410100' AND county = '410102'"),
                     1);
    ck_assert_int_eq(scalar("SELECT count(*) FROM class c JOIN school s ON s.code = c.school"
                            " WHERE s.code = '2141030201' AND c.grade = 16"),
                     0); /* 五四制 primary: no grade 6 */
    ck_assert_int_eq(scalar("SELECT count(*) FROM app_user WHERE username IN ('henan',"
                            " 'zhengzhou', 'luoyang', 'zhongyuan', 'jinshui', 'laocheng', 'jianxi')"
                            " AND NOT must_change_password"),
                     7);

    long long before[5], after[5];
    counts(before);
    rc = run_demo(&text);
    ck_assert_msg(rc == 0, "xuejictl demo (again): %d\n%s", rc, text);
    ck_assert_msg(strstr(text, "already loaded") != NULL, "%s", text);
    free(text);
    counts(after);
    for (int i = 0; i < 5; i++)
        ck_assert_msg(before[i] == after[i], "count %d changed: %lld -> %lld", i, before[i],
                      after[i]);

    /* the demo accounts work without a password change, with their jurisdiction */
    char *cty = login_pw("zhongyuan", DEMO_PW), *city = login_pw("zhengzhou", DEMO_PW),
         *teacher = login_pw("jianshe.teacher", DEMO_PW);
    json_t *l = list_all(cty, "", 50, NULL);
    ck_assert(has_code(l, "2141010201") && !has_code(l, "3441010201"));
    json_decref(l);
    l = list_all(city, "", 500, NULL);
    ck_assert(has_code(l, "2141010201") && has_code(l, "3441010201"));
    json_decref(l);
    ht_resp r;
    call("GET", "/api/v1/schools/2141010201/classes", teacher, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(json_array_size(json_object_get(r.json, "items")), 18);
    ht_resp_free(&r);
    get_settings(cty, "410102", &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(
        ht_json_str(json_object_get(json_object_get(r.json, "effective"), "transfer_blackout"),
                    "from"),
        "07-10"); /* the demo's 郑州 override */
    ht_resp_free(&r);
    free(cty);
    free(city);
    free(teacher);
}
END_TEST

static Suite *
schools_suite(void)
{
    Suite *s = suite_create("http-schools-classes");
    int t = ht_timeout(120);

    TCase *tc = tcase_create("classes");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_classes);
    suite_add_tcase(s, tc);

    tc = tcase_create("settings");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_settings_inheritance);
    tcase_add_test(tc, test_settings_errors_and_access);
    suite_add_tcase(s, tc);

    tc = tcase_create("demo");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_set_timeout(tc, t);
    tcase_add_test(tc, test_demo_twice);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    ht_global_init();
    SRunner *sr = srunner_create(schools_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed != 0;
}
