/*
 * tests/unit/router_test.c - the routing table and path matching.
 */
#include "api/api.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static api_call *
new_call(void)
{
    api_call *c = calloc(1, sizeof(*c));
    c->arena = app_arena_new();
    return c;
}

static void
free_call(api_call *c)
{
    app_arena_free(c->arena);
    free(c);
}

static const struct {
    const char *method, *path;
    const char *pattern; /* NULL: no match */
    int result;          /* -1 no path, -2 method not allowed, 0 match */
    const char *param, *value;
} cases[] = {
    {"GET", "/healthz", "/healthz", 0, NULL, NULL},
    {"GET", "/api/v1/regions", "/api/v1/regions", 0, NULL, NULL},
    {"GET", "/api/v1/regions/410102", "/api/v1/regions/{code}", 0, "code", "410102"},
    {"GET", "/api/v1/code-tables/gender", "/api/v1/code-tables/{name}", 0, "name", "gender"},
    {"POST", "/api/v1/id-numbers/validate", "/api/v1/id-numbers/validate", 0, NULL, NULL},
    {"GET", "/api/v1/regions/", NULL, -1, NULL, NULL},        /* empty segment */
    {"GET", "/api/v1/regions/4101/02", NULL, -1, NULL, NULL}, /* one segment too many */
    {"GET", "/api/v1/regionsX", NULL, -1, NULL, NULL},
    {"GET", "/healthz/", NULL, -1, NULL, NULL},
    {"GET", "/", NULL, -1, NULL, NULL},
    {"GET", "", NULL, -1, NULL, NULL},
    {"DELETE", "/api/v1/regions/410102", NULL, -2, NULL, NULL},
    {"GET", "/api/v1/id-numbers/validate", NULL, -2, NULL, NULL},
    {"POST", "/healthz", NULL, -2, NULL, NULL},
};

START_TEST(test_match_table)
{
    api_call *c = new_call();
    int allow = 0;
    int r = api_route_match(cases[_i].method, cases[_i].path, c, &allow);
    if (cases[_i].pattern != NULL) {
        ck_assert_int_ge(r, 0);
        ck_assert_str_eq(api_routes[r].pattern, cases[_i].pattern);
        if (cases[_i].param != NULL) {
            ck_assert_int_eq(c->nparams, 1);
            ck_assert_str_eq(c->param_names[0], cases[_i].param);
            ck_assert_str_eq(c->params[0], cases[_i].value);
        } else {
            ck_assert_int_eq(c->nparams, 0);
        }
    } else {
        ck_assert_int_eq(r, cases[_i].result);
        if (r == -2)
            ck_assert_int_ne(allow, 0);
        else
            ck_assert_int_eq(allow, 0);
    }
    free_call(c);
}
END_TEST

START_TEST(test_allow_of_method_mismatch)
{
    api_call *c = new_call();
    int allow = 0;
    ck_assert_int_eq(api_route_match("PUT", "/api/v1/regions/410102", c, &allow), -2);
    ck_assert_int_eq(allow, API_GET);
    char buf[96];
    api_allow_string(allow, buf, sizeof(buf));
    ck_assert_str_eq(buf, "GET, HEAD, OPTIONS");
    api_allow_string(API_GET | API_POST, buf, sizeof(buf));
    ck_assert_str_eq(buf, "GET, HEAD, POST, OPTIONS");
    free_call(c);
}
END_TEST

/* Every pattern is well formed and no two routes share method and pattern. */
START_TEST(test_table_is_consistent)
{
    ck_assert_int_gt(api_nroutes, 0);
    for (int i = 0; i < api_nroutes; i++) {
        const api_route *r = &api_routes[i];
        ck_assert_msg(r->pattern[0] == '/', "%s must start with /", r->pattern);
        ck_assert_ptr_nonnull(r->handler);
        ck_assert_msg(__builtin_popcount((unsigned)r->method) == 1, "%s: one method", r->pattern);
        int open = 0;
        for (const char *p = r->pattern; *p; p++) {
            if (*p == '{')
                open++;
            if (*p == '}')
                open--;
            ck_assert_msg(open == 0 || open == 1, "%s: braces", r->pattern);
        }
        ck_assert_int_eq(open, 0);
        ck_assert_msg(strncmp(r->pattern, "/api/v1/", 8) == 0 ||
                          strchr(r->pattern + 1, '/') == NULL,
                      "%s: API routes live under /api/v1", r->pattern);
        for (int j = 0; j < i; j++)
            ck_assert_msg(!(api_routes[j].method == r->method &&
                            strcmp(api_routes[j].pattern, r->pattern) == 0),
                          "duplicate route %s", r->pattern);
    }
}
END_TEST

/* A route's own pattern, with sample parameter values, reaches that route. */
START_TEST(test_every_route_reachable)
{
    static const char *const names[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (int i = 0; i < api_nroutes; i++) {
        char path[256];
        size_t n = 0;
        for (const char *p = api_routes[i].pattern; *p && n < sizeof(path) - 8; p++) {
            if (*p == '{') {
                memcpy(path + n, "x1", 2);
                n += 2;
                p = strchr(p, '}');
            } else {
                path[n++] = *p;
            }
        }
        path[n] = '\0';
        const char *m = names[__builtin_ctz((unsigned)api_routes[i].method)];
        api_call *c = new_call();
        int allow;
        ck_assert_msg(api_route_match(m, path, c, &allow) == i, "%s %s", m, path);
        free_call(c);
    }
}
END_TEST

/* The routes whose answers carry a secret (tokens, one-time passwords, client
   secrets) are flagged so, and only they: their answers are never stored under
   an Idempotency-Key (api/server.c). */
START_TEST(test_secret_routes_flagged)
{
    static const char *const secret[] = {
        "POST /api/v1/auth/login",
        "POST /api/v1/auth/refresh",
        "POST /api/v1/auth/token",
        "PUT /api/v1/me/password",
        "POST /api/v1/users",
        "POST /api/v1/users/{id}/password-reset",
        "POST /api/v1/clients",
        "POST /api/v1/schools/{code}/uni-students/{no}/account", /* a student's one-time password */
        "POST /api/v1/schools/{code}/uni-classes/{id}/accounts", /* a class's one-time passwords */
    };
    static const char *const names[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    int seen = 0;
    for (int i = 0; i < api_nroutes; i++) {
        char key[160];
        snprintf(key, sizeof(key), "%s %s", names[__builtin_ctz((unsigned)api_routes[i].method)],
                 api_routes[i].pattern);
        int listed = 0;
        for (size_t k = 0; k < sizeof(secret) / sizeof(secret[0]); k++)
            listed |= strcmp(key, secret[k]) == 0;
        seen += listed;
        ck_assert_msg(!(api_routes[i].flags & API_ROUTE_SECRET) == !listed, "%s: secret flag", key);
    }
    ck_assert_int_eq(seen, (int)(sizeof(secret) / sizeof(secret[0])));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("match");
    tcase_add_loop_test(tc, test_match_table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
    tcase_add_test(tc, test_allow_of_method_mismatch);
    tcase_add_test(tc, test_table_is_consistent);
    tcase_add_test(tc, test_every_route_reachable);
    tcase_add_test(tc, test_secret_routes_flagged);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
