/*
 * tests/http/users_test.c - accounts over HTTP: bootstrap, first login, hierarchy and scoping,
 * resets, locks, patch and disable. The world and helpers: tests/http/users_world.h.
 */
#include "tests/http/users_world.h"

START_TEST(test_bootstrap_admin_and_first_login)
{
    ht_resp r;
    login("admin", ADMIN_PASSWORD, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_false(json_object_get(r.json, "must_change_password")));
    char *admin = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);

    long long id;
    char *otp = create_user(admin, "fl-henan", "province", "410000", NULL, &id);

    login("fl-henan", otp, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_true(json_object_get(r.json, "must_change_password")));
    char *first = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);

    /* nothing but the password change until it is done */
    expect_status("GET", "/api/v1/me", first, NULL, 403, "password_change_required");
    expect_status("GET", "/api/v1/users", first, NULL, 403, "password_change_required");

    call("PUT", "/api/v1/me/password", first,
         fmt("{\"old_password\":\"%s\",\"new_password\":\"abc\"}", otp), NULL, NULL, &r);
    ht_assert_problem(&r, 422, "weak_password");
    json_t *items = json_object_get(r.json, "errors");
    int short_seen = 0, classes_seen = 0;
    for (size_t i = 0; i < json_array_size(items); i++) {
        const char *code = ht_json_str(json_array_get(items, i), "code");
        short_seen |= strcmp(code, "password_too_short") == 0;
        classes_seen |= strcmp(code, "password_classes") == 0;
    }
    ck_assert_msg(short_seen && classes_seen, "rules not listed: %s", r.body);
    ht_resp_free(&r);

    call("PUT", "/api/v1/me/password", first,
         fmt("{\"old_password\":\"%s\",\"new_password\":\"Fl-Henan-2026-x\"}", otp), NULL, NULL,
         &r);
    ht_assert_problem(&r, 422, "weak_password"); /* contains the username */
    ck_assert_ptr_nonnull(strstr(r.body, "password_contains_username"));
    ht_resp_free(&r);

    call("PUT", "/api/v1/me/password", first,
         fmt("{\"old_password\":\"%s\",\"new_password\":\"%s\"}", otp, NEW_PASSWORD), NULL, NULL,
         &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_false(json_object_get(r.json, "must_change_password")));
    ck_assert_ptr_nonnull(ht_json_str(r.json, "refresh_token"));
    char *fresh = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);

    /* the new token works at once, even within the second of the change */
    call("GET", "/api/v1/me", fresh, NULL, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "role"), "province");
    ck_assert_str_eq(ht_json_str(r.json, "org"), "410000");
    ck_assert(json_is_false(json_object_get(r.json, "must_change_password")));
    ht_resp_free(&r);
    /* the token of the one-time password is dead */
    expect_status("GET", "/api/v1/me", first, NULL, 401, NULL);
    /* and so is the one-time password */
    login("fl-henan", otp, &r);
    ht_assert_problem(&r, 401, "invalid_credentials");
    ht_resp_free(&r);
    free(otp);
    free(first);
    free(fresh);
    free(admin);
}
END_TEST

/* ---- the hierarchy --------------------------------------------------------------------- */

START_TEST(test_hierarchy_and_scoping)
{
    char *admin = admin_token();
    long long pid, cid, k1, k2;
    char *prov = new_account(admin, "hs-prov", "province", "410000", NULL, &pid);
    char *city = new_account(prov, "hs-city", "city", "410100", NULL, &cid);
    char *county = new_account(city, "hs-k1", "county", "410102", NULL, &k1);
    char *sibling = new_account(city, "hs-k2", "county", "410103", NULL, &k2);

    /* a county creates no account of its own level or above: 403 whatever the org */
    const char *up = "{\"username\":\"hs-up\",\"display_name\":\"x\",\"role\":\"province\","
                     "\"org\":\"410000\"}";
    expect_status("POST", "/api/v1/users", county, up, 403, "role_not_allowed");
    expect_status("POST", "/api/v1/users", county,
                  "{\"username\":\"hs-same\",\"display_name\":\"x\",\"role\":\"county\","
                  "\"org\":\"410103\"}",
                  403, "role_not_allowed");
    /* a city does not reach into another province */
    expect_status("POST", "/api/v1/users", city,
                  "{\"username\":\"hs-hubei\",\"display_name\":\"x\",\"role\":\"county\","
                  "\"org\":\"420102\"}",
                  404, "org_not_found");
    /* nor into a sibling city */
    expect_status("POST", "/api/v1/users", city,
                  "{\"username\":\"hs-kaifeng\",\"display_name\":\"x\",\"role\":\"county\","
                  "\"org\":\"410202\"}",
                  404, "org_not_found");
    /* role must be the level of org; a region that does not exist is not found */
    expect_status("POST", "/api/v1/users", city,
                  "{\"username\":\"hs-mis\",\"display_name\":\"x\",\"role\":\"county\","
                  "\"org\":\"410100\"}",
                  422, "role_org_mismatch");
    expect_status("POST", "/api/v1/users", city,
                  "{\"username\":\"hs-ghost\",\"display_name\":\"x\",\"role\":\"county\","
                  "\"org\":\"410199\"}",
                  404, "org_not_found");
    /* every bad field at once */
    ht_resp r;
    call("POST", "/api/v1/users", city,
         "{\"username\":\"a b\",\"display_name\":\"\",\"role\":\"boss\",\"org\":\"41\"}", NULL,
         NULL, &r);
    ht_assert_problem(&r, 422, "validation_failed");
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "errors")), 4);
    ht_resp_free(&r);

    /* a sibling county does not even learn the account exists */
    expect_status("GET", fmt("/api/v1/users/%lld", k1), sibling, NULL, 404, "user_not_found");
    expect_status("GET", "/api/v1/users/999999999", city, NULL, 404, "user_not_found");
    expect_status("GET", "/api/v1/users/abc", city, NULL, 404, "user_not_found");
    /* nobody manages their own account here (that is /me) */
    expect_status("GET", fmt("/api/v1/users/%lld", k1), county, NULL, 404, "user_not_found");
    /* nor a peer of the same org, nor a superior */
    expect_status("GET", fmt("/api/v1/users/%lld", cid), county, NULL, 404, "user_not_found");
    /* superiors see it, with an ETag */
    call("GET", fmt("/api/v1/users/%lld", k1), city, NULL, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert_str_eq(ht_json_str(r.json, "username"), "hs-k1");
    ck_assert_str_eq(ht_header(&r, "etag"), "\"2\""); /* created, then password changed */
    ck_assert_ptr_null(json_object_get(r.json, "password_hash"));
    ck_assert(json_is_false(json_object_get(r.json, "must_change_password")));
    ht_resp_free(&r);
    expect_status("GET", fmt("/api/v1/users/%lld", k1), prov, NULL, 200, NULL);
    expect_status("GET", fmt("/api/v1/users/%lld", k1), admin, NULL, 200, NULL);

    /* lists: at or below the caller's org */
    call("GET", "/api/v1/users", city, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert(has_id(items, cid) && has_id(items, k1) && has_id(items, k2));
    ck_assert(!has_id(items, pid));
    ck_assert(json_is_null(json_object_get(r.json, "next_cursor")));
    ck_assert_ptr_null(strstr(r.body, "password_hash"));
    ht_resp_free(&r);
    call("GET", "/api/v1/users", county, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    items = json_object_get(r.json, "items");
    ck_assert(has_id(items, k1) && !has_id(items, k2) && !has_id(items, cid));
    ht_resp_free(&r);
    call("GET", "/api/v1/users?org=410102", prov, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 1);
    ck_assert(has_id(items, k1));
    ht_resp_free(&r);
    expect_status("GET", "/api/v1/users?org=420000", city, NULL, 404, "org_not_found");
    expect_status("GET", "/api/v1/users?org=410000", city, NULL, 404, "org_not_found");
    expect_status("GET", "/api/v1/users?org=4", city, NULL, 400, "invalid_parameter");
    expect_status("GET", "/api/v1/users?cursor=x", city, NULL, 400, "invalid_cursor");
    expect_status("GET", "/api/v1/users?limit=501", city, NULL, 400, "invalid_parameter");

    /* keyset pages of one */
    long long seen[8];
    int nseen = 0;
    char path[128] = "/api/v1/users?limit=1";
    for (int page = 0; page < 8; page++) {
        call("GET", path, city, NULL, NULL, NULL, &r);
        ck_assert_int_eq(r.status, 200);
        items = json_object_get(r.json, "items");
        ck_assert_int_le(json_array_size(items), 1);
        if (json_array_size(items) == 1)
            seen[nseen++] = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
        const json_t *next = json_object_get(r.json, "next_cursor");
        if (json_is_null(next)) {
            ht_resp_free(&r);
            break;
        }
        snprintf(path, sizeof(path), "/api/v1/users?limit=1&cursor=%s", json_string_value(next));
        ht_resp_free(&r);
    }
    ck_assert_int_eq(nseen, 3);
    ck_assert(seen[0] < seen[1] && seen[1] < seen[2]);

    free(admin);
    free(prov);
    free(city);
    free(county);
    free(sibling);
}
END_TEST

START_TEST(test_duplicate_and_invalid_username)
{
    char *admin = admin_token();
    char *otp = create_user(admin, "dup.user@x", "province", "410000", NULL, NULL);
    free(otp);
    const char *again = "{\"username\":\"dup.user@x\",\"display_name\":\"x\","
                        "\"role\":\"province\",\"org\":\"420000\"}";
    ht_resp r;
    call("POST", "/api/v1/users", admin, again, NULL, NULL, &r);
    ht_assert_problem(&r, 409, "username_taken");
    ht_resp_free(&r);
    expect_status("POST", "/api/v1/users", admin,
                  "{\"username\":\"ab\",\"display_name\":\"x\",\"role\":\"province\","
                  "\"org\":\"420000\"}",
                  422, "invalid_username");
    expect_status("POST", "/api/v1/users", admin,
                  "{\"display_name\":\"x\",\"role\":\"province\",\"org\":\"420000\"}", 422,
                  "missing_field");
    /* nobody creates a ministry account */
    expect_status("POST", "/api/v1/users", admin,
                  "{\"username\":\"dup-min\",\"display_name\":\"x\",\"role\":\"ministry\","
                  "\"org\":\"000000\"}",
                  403, "role_not_allowed");
    free(admin);
}
END_TEST

/* ---- reset, lock, disable ------------------------------------------------------------ */

START_TEST(test_password_reset)
{
    char *admin = admin_token();
    long long id;
    char *tok = new_account(admin, "pr-user", "province", "410000", NULL, &id);
    expect_status("GET", "/api/v1/me", tok, NULL, 200, NULL);

    ht_resp r;
    call("POST", fmt("/api/v1/users/%lld/password-reset", id), admin, NULL, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    const char *otp = ht_json_str(r.json, "one_time_password");
    ck_assert_ptr_nonnull(otp);
    ck_assert_int_eq((int)strlen(otp), 16);
    char *pw = strdup(otp);
    ht_resp_free(&r);

    /* the old token dies within a couple of seconds (at once in this process) */
    long long deadline = ht_now_ms() + 2500;
    long status = 0;
    do {
        call("GET", "/api/v1/me", tok, NULL, NULL, NULL, &r);
        status = r.status;
        ht_resp_free(&r);
        if (status != 401)
            ht_sleep_ms(100);
    } while (status != 401 && ht_now_ms() < deadline);
    ck_assert_int_eq(status, 401);

    login("pr-user", NEW_PASSWORD, &r);
    ht_assert_problem(&r, 401, "invalid_credentials");
    ht_resp_free(&r);
    login("pr-user", pw, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_true(json_object_get(r.json, "must_change_password")));
    char *first = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
    expect_status("GET", "/api/v1/me", first, NULL, 403, "password_change_required");

    /* only a superior resets; a peer or the user itself gets 404 */
    long long pid2;
    char *peer = new_account(admin, "pr-peer", "province", "410000", NULL, &pid2);
    expect_status("POST", fmt("/api/v1/users/%lld/password-reset", id), peer, NULL, 404,
                  "user_not_found");
    ck_assert_int_eq(audit_count(id, "password_reset"), 1);

    free(first);
    free(peer);
    free(pw);
    free(tok);
    free(admin);
}
END_TEST

START_TEST(test_lock_unlock_and_audit)
{
    char *admin = admin_token();
    long long id;
    char *tok = new_account(admin, "lk-user", "province", "410000", NULL, &id);
    free(tok);

    ht_resp r;
    for (int i = 1; i <= 5; i++) {
        login("lk-user", "Wrong-Password-1", &r);
        if (i < 5) {
            ht_assert_problem(&r, 401, "invalid_credentials");
        } else {
            ht_assert_problem(&r, 423, "account_locked");
            const char *ra = ht_header(&r, "retry-after");
            ck_assert_ptr_nonnull(ra);
            ck_assert_int_gt(atoi(ra), 0);
        }
        ht_resp_free(&r);
    }
    /* locked: even the right password is refused */
    login("lk-user", NEW_PASSWORD, &r);
    ht_assert_problem(&r, 423, "account_locked");
    ht_resp_free(&r);

    /* this address is locked out; the account itself is not (test_lock_per_source) */
    call("GET", fmt("/api/v1/users/%lld", id), admin, NULL, NULL, NULL, &r);
    ck_assert(json_is_false(json_object_get(r.json, "locked")));
    ht_resp_free(&r);

    call("POST", fmt("/api/v1/users/%lld/unlock", id), admin, NULL, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_false(json_object_get(r.json, "locked")));
    ck_assert_ptr_nonnull(ht_header(&r, "etag"));
    ht_resp_free(&r);

    login("lk-user", NEW_PASSWORD, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);

    /* the audit trail has every step, each naming the account */
    ck_assert_int_eq(audit_count(id, "user_create"), 1);
    ck_assert_int_ge(audit_count(id, "login_success"), 2);
    ck_assert_int_eq(audit_count(id, "login_failure"), 5);
    ck_assert_int_eq(audit_count(id, "lock"), 1);
    ck_assert_int_eq(audit_count(id, "unlock"), 1);
    ck_assert_int_eq(audit_count(id, "password_change"), 1);
    free(admin);
}
END_TEST

START_TEST(test_patch_preconditions_and_disable)
{
    char *admin = admin_token();
    long long id;
    char *tok = new_account(admin, "pd-user", "province", "410000", NULL, &id);
    const char *path = fmt("/api/v1/users/%lld", id);
    char upath[64];
    snprintf(upath, sizeof(upath), "%s", path);

    ht_resp r;
    call("GET", upath, admin, NULL, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    char etag[32];
    snprintf(etag, sizeof(etag), "%s", ht_header(&r, "etag"));
    int version = (int)json_integer_value(json_object_get(r.json, "version"));
    ck_assert_str_eq(etag, fmt("\"%d\"", version));
    ht_resp_free(&r);

    call("PATCH", upath, admin, "{\"disabled\":true}", NULL, NULL, &r);
    ht_assert_problem(&r, 428, "precondition_required");
    ht_resp_free(&r);
    call("PATCH", upath, admin, "{\"disabled\":true}", fmt("If-Match: \"%d\"", version + 7), NULL,
         &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    call("PATCH", upath, admin, "{\"disabled\":true}", "If-Match: *", NULL, &r);
    ht_assert_problem(&r, 412, "precondition_failed"); /* only our tags match */
    ht_resp_free(&r);
    call("PATCH", upath, tok, "{\"disabled\":true}", fmt("If-Match: %s", etag), NULL, &r);
    ht_assert_problem(&r, 404, "user_not_found"); /* not even the account itself */
    ht_resp_free(&r);
    call("PATCH", upath, admin, "{\"role\":\"city\"}", fmt("If-Match: %s", etag), NULL, &r);
    ht_assert_problem(&r, 422, "field_not_editable");
    ht_resp_free(&r);
    call("PATCH", upath, admin, "{\"grade\":\"13\"}", fmt("If-Match: %s", etag), NULL, &r);
    ht_assert_problem(&r, 422, "invalid_grade"); /* not a grade leader */
    ht_resp_free(&r);
    /* still usable: none of that changed anything */
    expect_status("GET", "/api/v1/me", tok, NULL, 200, NULL);

    call("PATCH", upath, admin, "{\"disabled\":true,\"display_name\":\"停用的账户\"}",
         fmt("If-Match: %s", etag), NULL, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ck_assert(json_is_true(json_object_get(r.json, "disabled")));
    ck_assert_str_eq(ht_json_str(r.json, "display_name"), "停用的账户");
    ck_assert_str_eq(ht_header(&r, "etag"), fmt("\"%d\"", version + 1));
    ht_resp_free(&r);

    /* the user's token dies, and logging in is refused */
    expect_status("GET", "/api/v1/me", tok, NULL, 401, NULL);
    login("pd-user", NEW_PASSWORD, &r);
    ht_assert_problem(&r, 403, "account_disabled");
    ht_resp_free(&r);

    /* the old ETag is stale now */
    call("PATCH", upath, admin, "{\"disabled\":false}", fmt("If-Match: %s", etag), NULL, &r);
    ht_assert_problem(&r, 412, "precondition_failed");
    ht_resp_free(&r);
    call("PATCH", upath, admin, "{\"disabled\":false}", fmt("If-Match: \"%d\"", version + 1), NULL,
         &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    login("pd-user", NEW_PASSWORD, &r);
    ck_assert_msg(r.status == 200, "%ld %s", r.status, r.body);
    ht_resp_free(&r);
    ck_assert_int_eq(audit_count(id, "user_update"), 2);
    free(tok);
    free(admin);
}
END_TEST

static Suite *
users_suite(void)
{
    Suite *s = suite_create("http-users");
    TCase *tc = tcase_create("accounts");
    tcase_add_checked_fixture(tc, start_server, stop_server);
    tcase_set_timeout(tc, ht_timeout(180));
    tcase_add_test(tc, test_bootstrap_admin_and_first_login);
    tcase_add_test(tc, test_hierarchy_and_scoping);
    tcase_add_test(tc, test_duplicate_and_invalid_username);
    tcase_add_test(tc, test_password_reset);
    tcase_add_test(tc, test_lock_unlock_and_audit);
    tcase_add_test(tc, test_patch_preconditions_and_disable);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return world_main(users_suite());
}
