/*
 * tests/integration/account_test.c - core/account.c, core/session.c and
 * core/client.c called directly on a throwaway database: who may create and
 * change which account, login with its lockout counts, refresh rotation and
 * reuse, password change and logout ending sessions, service clients; the
 * error codes and the audit rows. A write and its audit row commit together:
 * a trigger that makes the audit insert fail must leave the change undone.
 */
#include "core/account.h"
#include "core/client.h"
#include "core/session.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/school.h"
#include "tests/lib/dbtest.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHOOL_A "2141010201" /* 中原区 410102 */
#define SCHOOL_B "2141010501" /* 金水区 410105 */
#define ADMIN_PW "Quiet-Harbor-7301"

static db_conn *conn;
static app_arena *arena;
static long long admin_id;

static void
add_school(const char *code, const char *county)
{
    db_school s = {.code = "",
                   .name = "测试小学",
                   .county = "",
                   .authority = "",
                   .province = "410000",
                   .category = 21,
                   .system = "63"};
    snprintf(s.code, sizeof(s.code), "%s", code);
    snprintf(s.county, sizeof(s.county), "%s", county);
    snprintf(s.authority, sizeof(s.authority), "%s", county);
    app_err err = {0};
    ck_assert_msg(db_school_insert(conn, &s, NULL, arena, NULL, &err) == 0, "school: %s",
                  err.detail);
}

static long long
query_ll(const char *sql, const char *p1)
{
    const char *params[1] = {p1};
    db_res *r = NULL;
    app_err err = {0};
    ck_assert_msg(db_exec_once(conn, sql, p1 ? 1 : 0, params, &r, &err) == 0, "%s: %s", sql,
                  err.detail);
    long long v = atoll(db_res_get(r, 0, 0));
    db_res_free(r);
    return v;
}

static long long
audit_count(const char *action)
{
    return query_ll("SELECT count(*) FROM audit WHERE action = $1", action);
}

static void
setup(void)
{
    conn = dbt_create_migrated("xueji_acct");
    app_err err = {0};
    int applied = 0;
    ck_assert_msg(db_migrate(conn, &applied, &err) == 0, "migrate: %s", err.detail);
    arena = app_arena_new();
    ck_assert_msg(core_account_bootstrap_admin(conn, ADMIN_PW, &err) == 0, "admin: %s", err.detail);
    admin_id = query_ll("SELECT id FROM app_user WHERE username = 'admin'", NULL);
    add_school(SCHOOL_A, "410102");
    add_school(SCHOOL_B, "410105");
}

static void
teardown(void)
{
    app_arena_free(arena);
    dbt_drop(conn);
}

static core_actor
actor(long long id, core_level level, const char *org, core_staff_role staff)
{
    core_actor a = {.user_id = id, .level = level, .staff_role = staff};
    snprintf(a.org, sizeof(a.org), "%s", org);
    return a;
}

static core_op
op_as(const core_actor *a, const char *ip)
{
    core_op op = {.actor = a, .arena = arena, .ip = ip, .request_id = "test"};
    return op;
}

/* Create an account as `by`; its one-time password in pw. */
static int
create(const core_actor *by, const char *username, core_level role, const char *org,
       core_staff_role staff, core_account *out, char pw[CORE_PASSWORD_GEN_LEN + 1], app_err *err)
{
    core_op op = op_as(by, "10.0.0.1");
    core_account_new in = {
        .username = username, .display_name = "测试用户", .org = org, .role = role, .staff = staff};
    return core_account_create(conn, &op, &in, out, pw, err);
}

static const char *
hash_of(int n)
{
    return app_arena_printf(arena, "%064d", n);
}

/* Log `username` in from `ip`; the session with refresh hash_of(n). */
static int
login(const char *username, const char *password, const char *ip, int n, core_login_out *out,
      app_err *err)
{
    static const core_login_rules rules = {
        .max_failures = 3, .max_failures_account = 10, .freeze_days = 0};
    core_op op = op_as(NULL, ip);
    core_login_in in = {.username = username,
                        .password = password,
                        .rules = &rules,
                        .refresh_hash = hash_of(n),
                        .refresh_ttl_s = 3600};
    return core_session_login(conn, &op, &in, out, err);
}

static int
alive(long long family, long long user)
{
    /* the per-request check: the account and its session in one read */
    app_err err = {0};
    core_account a;
    int found = 0, ok = -1;
    ck_assert_int_eq(core_account_session(conn, user, family, arena, &a, &found, &ok, &err), 0);
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(a.id, user);
    /* the same family under another (absent) account: neither found nor alive */
    int both = -1;
    ck_assert_int_eq(
        core_account_session(conn, user + 1000000, family, arena, &a, &found, &both, &err), 0);
    ck_assert_int_eq(found, 0);
    ck_assert_int_eq(both, 0);
    return ok;
}

START_TEST(test_create_scope)
{
    core_actor admin = actor(admin_id, CORE_LEVEL_MINISTRY, "000000", CORE_STAFF_NONE);
    core_account county;
    char pw[CORE_PASSWORD_GEN_LEN + 1];
    app_err err = {0};
    ck_assert_int_eq(
        create(&admin, "county_a", CORE_LEVEL_COUNTY, "410102", CORE_STAFF_NONE, &county, pw, &err),
        0);
    ck_assert_str_eq(county.org, "410102");
    ck_assert(county.must_change_password);
    ck_assert_int_eq(strlen(pw), CORE_PASSWORD_GEN_LEN);
    ck_assert_int_eq(query_ll("SELECT count(*) FROM audit WHERE action = 'user_create' AND "
                              "detail->>'username' = $1 AND detail::text NOT LIKE '%hash%'",
                              "county_a"),
                     1);

    core_actor ca = actor(county.id, CORE_LEVEL_COUNTY, "410102", CORE_STAFF_NONE);
    core_account reg;
    /* a school of another county: not in its jurisdiction */
    app_err e1 = {0};
    ck_assert_int_eq(
        create(&ca, "reg_b", CORE_LEVEL_SCHOOL, SCHOOL_B, CORE_STAFF_REGISTRAR, &reg, pw, &e1),
        APP_ENOTFOUND);
    ck_assert_str_eq(e1.slug, "org_not_found");
    ck_assert_str_eq(e1.field, "/org");
    /* its own level */
    app_err e2 = {0};
    ck_assert_int_eq(
        create(&ca, "county_b", CORE_LEVEL_COUNTY, "410105", CORE_STAFF_NONE, &reg, pw, &e2),
        APP_EFORBIDDEN);
    ck_assert_str_eq(e2.slug, "role_not_allowed");
    /* a school account other than a registrar */
    app_err e3 = {0};
    ck_assert_int_eq(
        create(&ca, "teacher", CORE_LEVEL_SCHOOL, SCHOOL_A, CORE_STAFF_HEAD_TEACHER, &reg, pw, &e3),
        APP_EFORBIDDEN);
    ck_assert_str_eq(e3.field, "/staff_role");
    /* a service client manages nobody */
    core_actor client = actor(0, CORE_LEVEL_PROVINCE, "410000", CORE_STAFF_NONE);
    app_err e4 = {0};
    ck_assert_int_eq(create(&client, "x_client", CORE_LEVEL_SCHOOL, SCHOOL_A, CORE_STAFF_REGISTRAR,
                            &reg, pw, &e4),
                     APP_EFORBIDDEN);
    ck_assert_str_eq(e4.slug, "forbidden");
    /* its own school: fine, then the name is taken */
    app_err e5 = {0};
    ck_assert_int_eq(
        create(&ca, "reg_a", CORE_LEVEL_SCHOOL, SCHOOL_A, CORE_STAFF_REGISTRAR, &reg, pw, &e5), 0);
    ck_assert_int_eq(
        create(&ca, "reg_a", CORE_LEVEL_SCHOOL, SCHOOL_A, CORE_STAFF_REGISTRAR, &reg, pw, &e5),
        APP_ECONFLICT);
    ck_assert_str_eq(e5.field, "/username");
    ck_assert_int_eq(audit_count("user_create"), 2);
}
END_TEST

START_TEST(test_patch_disable)
{
    core_actor admin = actor(admin_id, CORE_LEVEL_MINISTRY, "000000", CORE_STAFF_NONE);
    core_account county, other, reg;
    char pw[CORE_PASSWORD_GEN_LEN + 1];
    app_err err = {0};
    ck_assert_int_eq(
        create(&admin, "county_a", CORE_LEVEL_COUNTY, "410102", CORE_STAFF_NONE, &county, pw, &err),
        0);
    ck_assert_int_eq(
        create(&admin, "county_b", CORE_LEVEL_COUNTY, "410105", CORE_STAFF_NONE, &other, pw, &err),
        0);
    core_actor ca = actor(county.id, CORE_LEVEL_COUNTY, "410102", CORE_STAFF_NONE);
    core_actor cb = actor(other.id, CORE_LEVEL_COUNTY, "410105", CORE_STAFF_NONE);
    ck_assert_int_eq(
        create(&ca, "reg_a", CORE_LEVEL_SCHOOL, SCHOOL_A, CORE_STAFF_REGISTRAR, &reg, pw, &err), 0);
    core_op op_a = op_as(&ca, "10.0.0.1"), op_b = op_as(&cb, "10.0.0.2");
    core_account got;
    app_err e1 = {0};
    ck_assert_int_eq(core_account_get(conn, &op_b, reg.id, &got, &e1), APP_ENOTFOUND);
    ck_assert_str_eq(e1.slug, "user_not_found");
    /* nobody manages their own account here */
    app_err e2 = {0};
    ck_assert_int_eq(core_account_get(conn, &op_a, county.id, &got, &e2), APP_ENOTFOUND);

    core_account_change ch = {.expect_version = reg.version + 1, .disabled = 1};
    app_err e3 = {0};
    ck_assert_int_eq(core_account_patch(conn, &op_a, reg.id, &ch, &got, &e3), APP_EPRECOND);
    ch.expect_version = reg.version;
    ch.display_name = "王老师";
    app_err e4 = {0};
    ck_assert_int_eq(core_account_patch(conn, &op_a, reg.id, &ch, &got, &e4), 0);
    ck_assert(got.disabled);
    ck_assert_str_eq(got.display_name, "王老师");
    ck_assert_int_eq(got.version, reg.version + 1);
    ck_assert_int_eq(query_ll("SELECT count(*) FROM audit WHERE action = 'user_update' AND "
                              "(detail->>'disabled')::boolean AND target_id = $1",
                              app_arena_printf(arena, "%lld", reg.id)),
                     1);
    /* a grade for a registrar */
    core_account_change g = {.expect_version = got.version, .disabled = -1, .grade = 13};
    app_err e5 = {0};
    ck_assert_int_eq(core_account_patch(conn, &op_a, reg.id, &g, &got, &e5), APP_EINVAL);
    ck_assert_str_eq(e5.slug, "invalid_grade");
    /* unlock and reset */
    app_err e6 = {0};
    ck_assert_int_eq(core_account_unlock(conn, &op_a, reg.id, &got, &e6), 0);
    char pw2[CORE_PASSWORD_GEN_LEN + 1];
    ck_assert_int_eq(core_account_password_reset(conn, &op_a, reg.id, pw2, &e6), 0);
    ck_assert_str_ne(pw, pw2);
    ck_assert_int_eq(audit_count("unlock"), 1);
    ck_assert_int_eq(audit_count("password_reset"), 1);
}
END_TEST

START_TEST(test_list_scope)
{
    core_actor admin = actor(admin_id, CORE_LEVEL_MINISTRY, "000000", CORE_STAFF_NONE);
    core_account county, reg;
    char pw[CORE_PASSWORD_GEN_LEN + 1];
    app_err err = {0};
    ck_assert_int_eq(
        create(&admin, "county_a", CORE_LEVEL_COUNTY, "410102", CORE_STAFF_NONE, &county, pw, &err),
        0);
    core_actor ca = actor(county.id, CORE_LEVEL_COUNTY, "410102", CORE_STAFF_NONE);
    ck_assert_int_eq(
        create(&ca, "reg_a", CORE_LEVEL_SCHOOL, SCHOOL_A, CORE_STAFF_REGISTRAR, &reg, pw, &err), 0);
    core_op op = op_as(&ca, "10.0.0.1");
    core_account_page page;
    ck_assert_int_eq(core_account_list(conn, &op, NULL, 0, 1, &page, &err), 0);
    ck_assert_int_eq(page.n, 1);
    ck_assert(page.more);
    ck_assert_int_eq(core_account_list(conn, &op, NULL, page.items[0].id, 5, &page, &err), 0);
    ck_assert_int_eq(page.n, 1);
    ck_assert(!page.more);
    app_err e1 = {0};
    ck_assert_int_eq(core_account_list(conn, &op, SCHOOL_B, 0, 5, &page, &e1), APP_ENOTFOUND);
    ck_assert_str_eq(e1.field, "/query/org");
    core_actor head = actor(reg.id, CORE_LEVEL_SCHOOL, SCHOOL_A, CORE_STAFF_HEAD_TEACHER);
    core_op hop = op_as(&head, "10.0.0.1");
    app_err e2 = {0};
    ck_assert_int_eq(core_account_list(conn, &hop, NULL, 0, 5, &page, &e2), APP_EFORBIDDEN);
}
END_TEST

START_TEST(test_login_lockout)
{
    core_login_out out;
    app_err e0 = {0};
    ck_assert_int_eq(login("nobody", "whatever-1A", "10.0.0.1", 1, &out, &e0), APP_EAUTH);
    ck_assert_str_eq(e0.slug, "invalid_credentials");
    ck_assert_int_eq(query_ll("SELECT count(*) FROM audit WHERE action = 'login_failure' AND "
                              "detail->>'username' = $1",
                              "nobody"),
                     1);
    for (int i = 1; i <= 2; i++) {
        app_err e = {0};
        ck_assert_int_eq(login("admin", "wrong-Password-1", "10.0.0.1", 1, &out, &e), APP_EAUTH);
        ck_assert_str_eq(e.slug, "invalid_credentials");
    }
    app_err e3 = {0};
    ck_assert_int_eq(login("admin", "wrong-Password-1", "10.0.0.1", 1, &out, &e3), APP_EAUTH);
    ck_assert_str_eq(e3.slug, "account_locked");
    ck_assert(out.retry_after > 0);
    ck_assert_int_eq(audit_count("login_failure"), 4);
    ck_assert_int_eq(audit_count("lock"), 1);
    /* the right password from the locked source is refused too */
    app_err e4 = {0};
    ck_assert_int_eq(login("admin", ADMIN_PW, "10.0.0.1", 1, &out, &e4), APP_EAUTH);
    ck_assert_str_eq(e4.slug, "account_locked");
    ck_assert_int_eq(audit_count("login_refused_locked"), 1);
    /* another source may log in; an IPv6 peer counts as its /64 */
    app_err e5 = {0};
    ck_assert_int_eq(login("admin", ADMIN_PW, "2001:db8::5", 2, &out, &e5), 0);
    ck_assert_int_eq(out.session.actor.user_id, admin_id);
    ck_assert_int_eq(out.session.actor.level, CORE_LEVEL_MINISTRY);
    ck_assert(out.session.family > 0);
    ck_assert_int_eq(alive(out.session.family, admin_id), 1);
    ck_assert_int_eq(query_ll("SELECT count(*) FROM audit WHERE action = 'login_success' AND "
                              "actor_id::text = $1",
                              app_arena_printf(arena, "%lld", admin_id)),
                     1);
    char src[64];
    core_session_login_source("2001:db8::5", src, sizeof(src));
    ck_assert_str_eq(src, "2001:db8::/64");
}
END_TEST

START_TEST(test_refresh_rotation)
{
    core_login_out out;
    app_err err = {0};
    ck_assert_int_eq(login("admin", ADMIN_PW, "10.0.0.1", 1, &out, &err), 0);
    long long family = out.session.family, revoked = 0;
    core_op op = op_as(NULL, "10.0.0.1");
    core_session s;
    ck_assert_int_eq(
        core_session_refresh(conn, &op, hash_of(1), hash_of(2), 3600, &s, &revoked, &err), 0);
    ck_assert_int_eq(s.family, family);
    ck_assert_int_eq(revoked, 0);
    /* the rotated token comes back: the session ends */
    app_err e1 = {0};
    ck_assert_int_eq(
        core_session_refresh(conn, &op, hash_of(1), hash_of(3), 3600, &s, &revoked, &e1),
        APP_EAUTH);
    ck_assert_str_eq(e1.slug, "refresh_token_reused");
    ck_assert_int_eq(revoked, family);
    ck_assert_int_eq(alive(family, admin_id), 0);
    ck_assert_int_eq(audit_count("refresh_reuse_revoked"), 1);
    app_err e2 = {0};
    ck_assert_int_eq(
        core_session_refresh(conn, &op, hash_of(2), hash_of(4), 3600, &s, &revoked, &e2),
        APP_EAUTH);
    ck_assert_str_eq(e2.slug, "invalid_refresh_token");
}
END_TEST

START_TEST(test_password_change_ends_sessions)
{
    core_login_out one, two;
    app_err err = {0};
    ck_assert_int_eq(login("admin", ADMIN_PW, "10.0.0.1", 1, &one, &err), 0);
    ck_assert_int_eq(login("admin", ADMIN_PW, "10.0.0.2", 2, &two, &err), 0);
    core_actor me = one.session.actor;
    core_op op = op_as(&me, "10.0.0.1");
    core_password_change in = {.old_password = "Not-The-Password-1",
                               .new_password = "Another-Secret-42",
                               .refresh_hash = hash_of(3),
                               .refresh_ttl_s = 3600};
    core_session s;
    app_err e1 = {0};
    ck_assert_int_eq(core_session_password_change(conn, &op, &in, &s, &e1), APP_EINVAL);
    ck_assert_str_eq(e1.slug, "wrong_password");
    ck_assert_int_eq(alive(one.session.family, admin_id), 1);
    in.old_password = ADMIN_PW;
    ck_assert_int_eq(core_session_password_change(conn, &op, &in, &s, &err), 0);
    ck_assert_int_eq(alive(one.session.family, admin_id), 0);
    ck_assert_int_eq(alive(two.session.family, admin_id), 0);
    ck_assert_int_eq(alive(s.family, admin_id), 1);
    ck_assert_int_eq(audit_count("password_change"), 1);
    core_login_out again;
    ck_assert_int_eq(login("admin", "Another-Secret-42", "10.0.0.1", 4, &again, &err), 0);
}
END_TEST

/* The audit insert of `action` fails (as a full disk or a broken chain would). */
static void
fail_audit_of(const char *action)
{
    char sql[512];
    snprintf(sql, sizeof(sql),
             "CREATE FUNCTION audit_fails() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
             "IF NEW.action = '%s' THEN RAISE EXCEPTION 'audit refused'; END IF; "
             "RETURN NEW; END $$; "
             "CREATE TRIGGER audit_fails BEFORE INSERT ON audit FOR EACH ROW "
             "EXECUTE FUNCTION audit_fails();",
             action);
    app_err err = {0};
    ck_assert_msg(db_exec_sql(conn, sql, &err) == 0, "trigger: %s", err.detail);
}

static void
audit_works_again(void)
{
    app_err err = {0};
    ck_assert(db_exec_sql(conn, "DROP TRIGGER audit_fails ON audit", &err) == 0);
}

START_TEST(test_logout_commits_with_its_audit_row)
{
    core_login_out out;
    app_err err = {0};
    ck_assert_int_eq(login("admin", ADMIN_PW, "10.0.0.1", 1, &out, &err), 0);
    long long family = out.session.family, ended = 0;
    core_op op = op_as(NULL, "10.0.0.1");
    fail_audit_of("logout");
    app_err e1 = {0};
    ck_assert_int_ne(core_session_logout(conn, &op, hash_of(1), &ended, &e1), 0);
    /* no audit row, no logout: the session is alive and its token unused */
    ck_assert_int_eq(alive(family, admin_id), 1);
    ck_assert_int_eq(audit_count("logout"), 0);
    audit_works_again();
    ck_assert_int_eq(core_session_logout(conn, &op, hash_of(1), &ended, &err), 0);
    ck_assert_int_eq(ended, family);
    ck_assert_int_eq(alive(family, admin_id), 0);
    ck_assert_int_eq(audit_count("logout"), 1);
    app_err e2 = {0};
    ck_assert_int_eq(core_session_logout(conn, &op, hash_of(99), &ended, &e2), APP_EAUTH);
    ck_assert_str_eq(e2.slug, "invalid_refresh_token");
}
END_TEST

START_TEST(test_failed_login_counts_with_its_audit_row)
{
    core_login_out out;
    fail_audit_of("login_failure");
    for (int i = 0; i < 3; i++) {
        app_err e = {0};
        ck_assert_int_ne(login("admin", "wrong-Password-1", "10.0.0.1", 1, &out, &e), 0);
        ck_assert_int_ne(e.code, APP_EAUTH);
    }
    /* the failures whose audit row was lost were not counted either */
    ck_assert_int_eq(query_ll("SELECT count(*) FROM login_source_failure", NULL), 0);
    ck_assert_int_eq(query_ll("SELECT coalesce(max(failed_count), 0) FROM app_user", NULL), 0);
    audit_works_again();
    app_err e1 = {0};
    ck_assert_int_eq(login("admin", "wrong-Password-1", "10.0.0.1", 1, &out, &e1), APP_EAUTH);
    ck_assert_str_eq(e1.slug, "invalid_credentials");
    app_err e2 = {0};
    ck_assert_int_eq(login("admin", ADMIN_PW, "10.0.0.1", 1, &out, &e2), 0);
}
END_TEST

START_TEST(test_client_create_commits_with_its_audit_row)
{
    core_actor admin = actor(admin_id, CORE_LEVEL_MINISTRY, "000000", CORE_STAFF_NONE);
    core_op op = op_as(&admin, "10.0.0.1");
    core_client_made made;
    fail_audit_of("client_create");
    app_err e1 = {0};
    ck_assert_int_ne(core_client_create(conn, &op, "省平台", "410000", &made, &e1), 0);
    ck_assert_int_eq(query_ll("SELECT count(*) FROM service_client", NULL), 0);
    audit_works_again();

    app_err err = {0};
    ck_assert_int_eq(core_client_create(conn, &op, "省平台", "410000", &made, &err), 0);
    ck_assert_str_eq(made.org, "410000");
    ck_assert_int_eq(strlen(made.secret), CORE_CLIENT_SECRET_LEN);
    ck_assert_int_eq(query_ll("SELECT count(*) FROM audit WHERE action = 'client_create' AND "
                              "target_id = $1",
                              made.id),
                     1);
    core_op anon = op_as(NULL, "10.0.0.1");
    const char *org = NULL;
    ck_assert_int_eq(core_client_authenticate(conn, &anon, made.id, made.secret, &org, &err), 0);
    ck_assert_str_eq(org, "410000");
    app_err e2 = {0};
    ck_assert_int_eq(core_client_authenticate(conn, &anon, made.id, "wrong", &org, &e2), APP_EAUTH);
    ck_assert_str_eq(e2.slug, "invalid_client");
    ck_assert_int_eq(audit_count("client_token"), 1);
    ck_assert_int_eq(audit_count("client_auth_failure"), 1);
    int found = 0;
    ck_assert_int_eq(core_client_active(conn, made.id, arena, &org, &found, &err), 0);
    ck_assert(found);

    /* a province creates clients for itself only; a county none */
    core_actor prov = actor(admin_id, CORE_LEVEL_PROVINCE, "410000", CORE_STAFF_NONE);
    core_op pop = op_as(&prov, "10.0.0.1");
    app_err e3 = {0};
    ck_assert_int_eq(core_client_create(conn, &pop, "x", "420000", &made, &e3), APP_ENOTFOUND);
    ck_assert_str_eq(e3.field, "/province");
    core_actor county = actor(admin_id, CORE_LEVEL_COUNTY, "410102", CORE_STAFF_NONE);
    core_op cop = op_as(&county, "10.0.0.1");
    app_err e4 = {0};
    ck_assert_int_eq(core_client_create(conn, &cop, "x", NULL, &made, &e4), APP_EFORBIDDEN);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("account");
    TCase *t = tcase_create("core");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, test_create_scope);
    tcase_add_test(t, test_patch_disable);
    tcase_add_test(t, test_list_scope);
    tcase_add_test(t, test_login_lockout);
    tcase_add_test(t, test_refresh_rotation);
    tcase_add_test(t, test_password_change_ends_sessions);
    tcase_add_test(t, test_logout_commits_with_its_audit_row);
    tcase_add_test(t, test_failed_login_counts_with_its_audit_row);
    tcase_add_test(t, test_client_create_commits_with_its_audit_row);
    suite_add_tcase(s, t);
    return s;
}

int
main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
