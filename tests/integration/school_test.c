/*
 * tests/integration/school_test.c - the school, class, settings and import
 * job operations of core/ (core/school.h, core/settings_op.h,
 * core/import_jobs.h) called directly on a real PostgreSQL
 * (XUEJI_TEST_DATABASE_URL): their error codes in and out of jurisdiction,
 * and the audit row each write leaves (or does not). Each test works in a
 * database of its own.
 */
#include "core/grade.h"
#include "core/import_jobs.h"
#include "core/school.h"
#include "core/settings_op.h"
#include "db/db.h"
#include "db/migrate.h"
#include "tests/lib/dbtest.h"

#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHOOL "2141010201" /* 中原区 (410102), primary, its own authority */
#define OTHER "2141010301"  /* 二七区 (410103) */

static db_conn *conn;
static app_arena *arena;
static core_pii_ring *ring;
static core_env env;

/* One value of SQL `sql` (text parameters), or NULL when it has no row. */
static const char *
one(const char *sql, int n, const char *const *params)
{
    app_err err = {0};
    db_res *r = NULL;
    ck_assert_msg(db_exec_once(conn, sql, n, params, &r, &err) == 0, "%s: %s", sql, err.detail);
    const char *v = db_res_nrows(r) > 0 && !db_res_isnull(r, 0, 0)
                        ? app_arena_strdup(arena, db_res_get(r, 0, 0))
                        : NULL;
    db_res_free(r);
    return v;
}

static void
add_school(const char *code, const char *county)
{
    app_err err = {0};
    db_school s = {.name = "测试小学", .category = 21, .system = "63"};
    snprintf(s.code, sizeof(s.code), "%s", code);
    snprintf(s.county, sizeof(s.county), "%s", county);
    snprintf(s.authority, sizeof(s.authority), "%s", county);
    snprintf(s.province, sizeof(s.province), "%.2s0000", county);
    ck_assert_msg(db_school_insert(conn, &s, NULL, arena, NULL, &err) == 0, "school: %s",
                  err.detail);
}

static void
setup(void)
{
    ck_assert_int_ge(sodium_init(), 0);
    conn = dbt_create_migrated("xueji_sc");
    app_err err = {0};
    int applied = 0;
    ck_assert_msg(db_migrate(conn, &applied, &err) == 0, "migrate: %s", err.detail);
    arena = app_arena_new();
    unsigned char key[1][CORE_PII_KEY_BYTES];
    randombytes_buf(key, sizeof(key));
    ring = core_pii_ring_new((const unsigned char(*)[CORE_PII_KEY_BYTES])key, 1);
    ck_assert_ptr_nonnull(ring);
    env.ring = ring;
    add_school(SCHOOL, "410102");
    add_school(OTHER, "410103");
    /* the bureaus' account (region_settings.updated_by names one) */
    ck_assert_ptr_nonnull(one("INSERT INTO app_user (id, username, display_name, role, org, "
                              "password_hash) VALUES (7, 'bureau7', '局', 'county', '410102', "
                              "'x') RETURNING id",
                              0, NULL));
}

static void
teardown(void)
{
    core_pii_ring_free(ring);
    app_arena_free(arena);
    dbt_drop(conn);
}

static core_actor
bureau(const char *region, core_level level)
{
    core_actor a = {.user_id = 7, .level = level};
    snprintf(a.org, sizeof(a.org), "%s", region);
    return a;
}

static core_actor
staff(const char *school, core_staff_role role)
{
    core_actor a = {.user_id = 9, .level = CORE_LEVEL_SCHOOL, .staff_role = role, .grade = 13};
    snprintf(a.org, sizeof(a.org), "%s", school);
    return a;
}

static core_op
op_of(const core_actor *a)
{
    core_op op = {.actor = a,
                  .env = &env,
                  .arena = arena,
                  .ip = "192.0.2.1",
                  .request_id = "req-1",
                  .today = 20261207};
    return op;
}

static int
audits(const char *action, const char *target)
{
    const char *p[] = {action, target};
    return atoi(one("SELECT count(*) FROM audit WHERE action = $1 AND target_id = $2", 2, p));
}

/* detail->>member of the newest audit row of (action, target). */
static const char *
audit_detail(const char *action, const char *target, const char *member)
{
    const char *p[] = {action, target, member};
    return one("SELECT detail->>$3 FROM audit WHERE action = $1 AND target_id = $2 "
               "ORDER BY id DESC LIMIT 1",
               3, p);
}

static void
assert_err(int rc, const app_err *err, int code, const char *slug, const char *field)
{
    ck_assert_int_eq(rc, code);
    ck_assert_str_eq(err->slug, slug);
    if (field != NULL) {
        ck_assert_ptr_nonnull(err->field);
        ck_assert_str_eq(err->field, field);
    }
}

/* ------------------------------------------------------------ schools */

static core_school_new
new_school(const char *code, const char *county)
{
    core_school_new s = {
        .code = code, .name = "新建小学", .county = county, .category = 21, .system = "63"};
    return s;
}

START_TEST(test_school_create_in_jurisdiction)
{
    core_actor a = bureau("410102", CORE_LEVEL_COUNTY);
    core_op op = op_of(&a);
    core_school_new s = new_school("2141010288", "410102");
    db_school out;
    app_err err = {0};
    ck_assert_int_eq(core_school_create(conn, &op, &s, &out, &err), 0);
    ck_assert_str_eq(out.code, "2141010288");
    ck_assert_str_eq(out.authority, "410102");
    ck_assert_str_eq(out.province, "410000");
    ck_assert_int_eq(out.version, 1);
    ck_assert_int_eq(audits("school_create", "2141010288"), 1);
    ck_assert_str_eq(audit_detail("school_create", "2141010288", "category"), "21");
    const char *p[] = {"2141010288"};
    ck_assert_str_eq(one("SELECT actor_org || ' ' || ip FROM audit WHERE target_id = $1", 1, p),
                     "410102 192.0.2.1");
    ck_assert(!db_in_tx(conn));

    /* the same code again: 409 on /code, no second row */
    err = (app_err){0};
    assert_err(core_school_create(conn, &op, &s, &out, &err), &err, APP_ECONFLICT, "school_exists",
               "/code");
    ck_assert_int_eq(audits("school_create", "2141010288"), 1);
    ck_assert(!db_in_tx(conn));
}
END_TEST

START_TEST(test_school_create_refused)
{
    db_school out;
    /* a county does not create a school in the county next door */
    core_actor a = bureau("410103", CORE_LEVEL_COUNTY);
    core_op op = op_of(&a);
    core_school_new s = new_school("2141010288", "410102");
    app_err err = {0};
    assert_err(core_school_create(conn, &op, &s, &out, &err), &err, APP_EFORBIDDEN,
               "authority_out_of_jurisdiction", "/county");
    /* nor names the city as the authority while being a county */
    a = bureau("410102", CORE_LEVEL_COUNTY);
    s.authority = "410100";
    err = (app_err){0};
    assert_err(core_school_create(conn, &op, &s, &out, &err), &err, APP_EFORBIDDEN,
               "authority_out_of_jurisdiction", "/authority");
    /* an authority not above the county */
    s.authority = "410103";
    err = (app_err){0};
    assert_err(core_school_create(conn, &op, &s, &out, &err), &err, APP_EINVAL, "invalid_authority",
               "/authority");
    /* a school user creates none, whatever the body (checked first) */
    core_actor r = staff(SCHOOL, CORE_STAFF_REGISTRAR);
    core_op rop = op_of(&r);
    err = (app_err){0};
    assert_err(core_school_create(conn, &rop, NULL, &out, &err), &err, APP_EFORBIDDEN, "forbidden",
               NULL);
    err = (app_err){0};
    assert_err(core_school_create(conn, &op, NULL, &out, &err), &err, APP_EINVAL, "wrong_type", "");
    const char *p[] = {"2141010288"};
    ck_assert_str_eq(one("SELECT count(*) FROM school WHERE code = $1", 1, p), "0");
    ck_assert_str_eq(one("SELECT count(*) FROM audit", 0, NULL), "0");
}
END_TEST

START_TEST(test_school_create_items)
{
    core_actor a = bureau("410100", CORE_LEVEL_CITY);
    core_op op = op_of(&a);
    db_school out;
    /* the code's province digits (42) against a county of 41 */
    core_school_new s = new_school("2142010288", "410102");
    app_err err = {0};
    assert_err(core_school_create(conn, &op, &s, &out, &err), &err, APP_EINVAL, "province_mismatch",
               "/county");
    /* a problem found in the body is reported with those found here */
    err = (app_err){0};
    app_err_add(&err, "/name", "missing_field", NULL);
    assert_err(core_school_create(conn, &op, &s, &out, &err), &err, APP_EINVAL, "validation_failed",
               NULL);
    ck_assert_int_eq(err.nitems, 2);
    /* a province is no county to locate a school in */
    s = new_school("2141010288", "410000");
    err = (app_err){0};
    assert_err(core_school_create(conn, &op, &s, &out, &err), &err, APP_EINVAL, "unknown_county",
               "/county");
    /* a field the body already refused is not checked again */
    s = new_school("", "410102");
    err = (app_err){0};
    app_err_add(&err, "/code", "invalid_school_code", "length");
    assert_err(core_school_create(conn, &op, &s, &out, &err), &err, APP_EINVAL,
               "invalid_school_code", "/code");
    ck_assert_int_eq(err.nitems, 1);
    ck_assert_str_eq(one("SELECT count(*) FROM audit", 0, NULL), "0");
}
END_TEST

static core_school_change
no_change(int version)
{
    core_school_change ch = {.closed = -1, .if_match = version};
    return ch;
}

START_TEST(test_school_patch)
{
    core_actor city = bureau("410100", CORE_LEVEL_CITY);
    core_op op = op_of(&city);
    db_school out;
    app_err err = {0};
    /* nothing to change: the row as it is, no version, no audit row */
    core_school_change ch = no_change(1);
    ch.name = "测试小学";
    ck_assert_int_eq(core_school_patch(conn, &op, SCHOOL, &ch, &out, &err), 0);
    ck_assert_int_eq(out.version, 1);
    ck_assert_int_eq(audits("school_update", SCHOOL), 0);
    ck_assert(!db_in_tx(conn));

    ch = no_change(1);
    ch.authority = "410100";
    ch.closed = 1;
    ck_assert_int_eq(core_school_patch(conn, &op, SCHOOL, &ch, &out, &err), 0);
    ck_assert_int_eq(out.version, 2);
    ck_assert_str_eq(out.authority, "410100");
    ck_assert_int_eq(out.closed, 1);
    ck_assert_int_eq(audits("school_update", SCHOOL), 1);
    const char *p[] = {SCHOOL};
    ck_assert_str_eq(one("SELECT concat_ws(' ', detail #>> '{changes,authority,from}', "
                         "detail #>> '{changes,authority,to}', detail #>> '{changes,closed,to}', "
                         "detail ->> 'version') "
                         "FROM audit WHERE action = 'school_update' AND target_id = $1",
                         1, p),
                     "410102 410100 true 2");

    /* the version read is stale now */
    err = (app_err){0};
    assert_err(core_school_patch(conn, &op, SCHOOL, &ch, &out, &err), &err, APP_EPRECOND,
               "precondition_failed", "/headers/if-match");
    ck_assert(!db_in_tx(conn));
}
END_TEST

START_TEST(test_school_patch_jurisdiction)
{
    db_school out;
    app_err err = {0};
    core_school_change ch = no_change(1);
    ch.name = "改名小学";
    /* the county next door does not see it: 404, not 403 */
    core_actor other = bureau("410103", CORE_LEVEL_COUNTY);
    core_op op = op_of(&other);
    assert_err(core_school_patch(conn, &op, SCHOOL, &ch, &out, &err), &err, APP_ENOTFOUND,
               "school_not_found", NULL);
    /* its registrar sees it and may not change it */
    core_actor reg = staff(SCHOOL, CORE_STAFF_REGISTRAR);
    op = op_of(&reg);
    err = (app_err){0};
    assert_err(core_school_patch(conn, &op, SCHOOL, &ch, &out, &err), &err, APP_EFORBIDDEN,
               "forbidden", NULL);
    /* its county may not hand it to the city above */
    core_actor county = bureau("410102", CORE_LEVEL_COUNTY);
    op = op_of(&county);
    ch = no_change(1);
    ch.authority = "410100";
    err = (app_err){0};
    assert_err(core_school_patch(conn, &op, SCHOOL, &ch, &out, &err), &err, APP_EFORBIDDEN,
               "authority_out_of_jurisdiction", "/authority");
    ck_assert_int_eq(audits("school_update", SCHOOL), 0);
    ck_assert(!db_in_tx(conn));
}
END_TEST

START_TEST(test_school_patch_system_and_merged)
{
    core_actor county = bureau("410102", CORE_LEVEL_COUNTY);
    core_op op = op_of(&county);
    app_err err = {0};
    db_class k;
    core_class_new c6 = {.grade = 16, .number = 1};
    ck_assert_int_eq(core_class_create(conn, &op, SCHOOL, &c6, &k, &err), 0);
    /* five-four: a primary school teaches no grade 16 */
    db_school out;
    core_school_change ch = no_change(1);
    ch.system = "54";
    assert_err(core_school_patch(conn, &op, SCHOOL, &ch, &out, &err), &err, APP_ECONFLICT,
               "system_conflicts_with_classes", "/system");
    /* a merged school is not reopened */
    ck_assert_ptr_nonnull(one("UPDATE school SET closed = true, merged_into = '" OTHER
                              "' WHERE code = '" SCHOOL "' RETURNING code",
                              0, NULL));
    ch = no_change(1);
    ch.closed = 0;
    err = (app_err){0};
    assert_err(core_school_patch(conn, &op, SCHOOL, &ch, &out, &err), &err, APP_ECONFLICT,
               "school_merged", "/closed");
}
END_TEST

START_TEST(test_school_list)
{
    add_school("2141010202", "410102");
    core_actor county = bureau("410102", CORE_LEVEL_COUNTY);
    core_op op = op_of(&county);
    db_school *v;
    int n = 0, more = 0;
    app_err err = {0};
    core_school_query q = {.limit = 1};
    ck_assert_int_eq(core_school_list(conn, &op, &q, &v, &n, &more, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(more, 1);
    ck_assert_str_eq(v[0].code, SCHOOL);
    q.after = SCHOOL;
    ck_assert_int_eq(core_school_list(conn, &op, &q, &v, &n, &more, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(more, 0);
    ck_assert_str_eq(v[0].code, "2141010202"); /* never OTHER, in 410103 */
    /* a region outside the county */
    core_school_query r = {.region = "410103", .limit = 10};
    assert_err(core_school_list(conn, &op, &r, &v, &n, &more, &err), &err, APP_ENOTFOUND,
               "region_not_found", "/query/region");
    /* a name part is matched literally: "_" is no wildcard */
    core_school_query nq = {.q = "_", .limit = 10};
    err = (app_err){0};
    ck_assert_int_eq(core_school_list(conn, &op, &nq, &v, &n, &more, &err), 0);
    ck_assert_int_eq(n, 0);
    core_actor nobody = {.level = CORE_LEVEL_NONE};
    core_op nop = op_of(&nobody);
    assert_err(core_school_list(conn, &nop, &q, &v, &n, &more, &err), &err, APP_EFORBIDDEN,
               "forbidden", NULL);
}
END_TEST

/* ------------------------------------------------------------ classes */

START_TEST(test_class_create)
{
    core_actor reg = staff(SCHOOL, CORE_STAFF_REGISTRAR);
    core_op op = op_of(&reg);
    app_err err = {0};
    db_class k;
    core_class_new in = {.grade = 11, .number = 2, .size_limit = 45};
    ck_assert_int_eq(core_class_create(conn, &op, SCHOOL, &in, &k, &err), 0);
    ck_assert_str_eq(k.name, "一年级(2)班");
    ck_assert_int_eq(k.size_limit, 45);
    char id[24];
    snprintf(id, sizeof(id), "%lld", k.id);
    ck_assert_int_eq(audits("class_create", id), 1);
    ck_assert_str_eq(audit_detail("class_create", id, "size_limit"), "45");
    ck_assert_str_eq(audit_detail("class_create", id, "school"), SCHOOL);
    /* the same number again */
    err = (app_err){0};
    assert_err(core_class_create(conn, &op, SCHOOL, &in, &k, &err), &err, APP_ECONFLICT,
               "class_exists", "/number");
    ck_assert(!db_in_tx(conn));
    /* no limit: null in the audit row */
    core_class_new nolimit = {.grade = 11, .number = 3, .name = "实验班"};
    err = (app_err){0};
    ck_assert_int_eq(core_class_create(conn, &op, SCHOOL, &nolimit, &k, &err), 0);
    snprintf(id, sizeof(id), "%lld", k.id);
    ck_assert_ptr_null(audit_detail("class_create", id, "size_limit"));
    ck_assert_str_eq(k.name, "实验班");

    db_class *v;
    int n = 0, more = 0;
    ck_assert_int_eq(core_class_list(conn, &op, SCHOOL, 0, 0, 1, &v, &n, &more, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(more, 1);
    ck_assert_int_eq(v[0].number, 2);
    ck_assert_int_eq(core_class_list(conn, &op, SCHOOL, 11, 2, 5, &v, &n, &more, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(more, 0);
    ck_assert_int_eq(v[0].number, 3);
}
END_TEST

START_TEST(test_class_limits)
{
    core_actor reg = staff(SCHOOL, CORE_STAFF_REGISTRAR);
    core_op op = op_of(&reg);
    db_class k;
    app_err err = {0};
    core_class_new in = {.grade = 11, .number = CORE_CLASS_NUMBER_MAX + 1};
    assert_err(core_class_create(conn, &op, SCHOOL, &in, &k, &err), &err, APP_EINVAL,
               "invalid_class_number", "/number");
    in = (core_class_new){.grade = 11, .number = 1, .size_limit = CORE_CLASS_SIZE_MAX + 1};
    err = (app_err){0};
    assert_err(core_class_create(conn, &op, SCHOOL, &in, &k, &err), &err, APP_EINVAL,
               "invalid_size_limit", "/size_limit");
    /* a primary school has no grade 31 */
    in = (core_class_new){.grade = 31, .number = 1};
    err = (app_err){0};
    assert_err(core_class_create(conn, &op, SCHOOL, &in, &k, &err), &err, APP_EINVAL,
               "grade_not_in_school", "/grade");
    in = (core_class_new){
        .grade = 11, .number = CORE_CLASS_NUMBER_MAX, .size_limit = CORE_CLASS_SIZE_MAX};
    err = (app_err){0};
    ck_assert_int_eq(core_class_create(conn, &op, SCHOOL, &in, &k, &err), 0);
}
END_TEST

START_TEST(test_class_create_who)
{
    db_class k;
    app_err err = {0};
    core_class_new in = {.grade = 13, .number = 1};
    /* a grade leader and a head teacher create no class */
    core_actor gl = staff(SCHOOL, CORE_STAFF_GRADE_LEADER);
    core_op op = op_of(&gl);
    assert_err(core_class_create(conn, &op, SCHOOL, &in, &k, &err), &err, APP_EFORBIDDEN,
               "forbidden", NULL);
    /* another school's registrar does not see this one */
    core_actor reg = staff(OTHER, CORE_STAFF_REGISTRAR);
    op = op_of(&reg);
    err = (app_err){0};
    assert_err(core_class_create(conn, &op, SCHOOL, &in, &k, &err), &err, APP_ENOTFOUND,
               "school_not_found", NULL);
    db_class *v;
    int n = 0, more = 0;
    err = (app_err){0};
    assert_err(core_class_list(conn, &op, SCHOOL, 0, 0, 10, &v, &n, &more, &err), &err,
               APP_ENOTFOUND, "school_not_found", NULL);
    /* a closed school takes no new class, even from its county */
    ck_assert_ptr_nonnull(
        one("UPDATE school SET closed = true WHERE code = '" SCHOOL "' RETURNING code", 0, NULL));
    core_actor county = bureau("410102", CORE_LEVEL_COUNTY);
    op = op_of(&county);
    err = (app_err){0};
    assert_err(core_class_create(conn, &op, SCHOOL, &in, &k, &err), &err, APP_ECONFLICT,
               "school_closed", NULL);
    ck_assert_str_eq(one("SELECT count(*) FROM audit", 0, NULL), "0");
    ck_assert_str_eq(one("SELECT count(*) FROM class", 0, NULL), "0");
}
END_TEST

/* ------------------------------------------------------------ settings */

START_TEST(test_settings_write_and_inherit)
{
    core_actor city = bureau("410100", CORE_LEVEL_CITY);
    core_op op = op_of(&city);
    db_region_settings rs;
    app_err err = {0};
    ck_assert_int_eq(core_settings_put(conn, &op, "410100", "{\"entry_min_age\":7}", 0, &rs, &err),
                     0);
    ck_assert_int_eq(rs.version, 1);
    ck_assert_int_eq(audits("settings_update", "410100"), 1);
    ck_assert_str_eq(audit_detail("settings_update", "410100", "after"), "{\"entry_min_age\": 7}");
    ck_assert_str_eq(audit_detail("settings_update", "410100", "before"), "{}");
    ck_assert(!db_in_tx(conn));

    /* the county inherits it, and overrides another key of its own */
    core_actor county = bureau("410102", CORE_LEVEL_COUNTY);
    core_op cop = op_of(&county);
    ck_assert_int_eq(
        core_settings_put(conn, &cop, "410102", "{\"step_deadline_days\":5}", 0, &rs, &err), 0);
    db_settings eff;
    ck_assert_int_eq(db_settings_effective(conn, "410102", arena, &eff, &err), 0);
    ck_assert_int_eq(eff.entry_min_age, 7);
    ck_assert_int_eq(eff.step_deadline_days, 5);
    /* its registrar reads the county's settings and writes none */
    core_actor reg = staff(SCHOOL, CORE_STAFF_REGISTRAR);
    core_op rop = op_of(&reg);
    ck_assert_int_eq(core_settings_get(conn, &rop, "410102", &rs, &err), 0);
    ck_assert_int_eq(rs.version, 1);
    ck_assert_ptr_nonnull(strstr(rs.effective, "\"entry_min_age\": 7"));
    err = (app_err){0};
    assert_err(core_settings_put(conn, &rop, "410102", "{}", 1, &rs, &err), &err, APP_EFORBIDDEN,
               "forbidden", NULL);
}
END_TEST

START_TEST(test_settings_refused)
{
    db_region_settings rs;
    app_err err = {0};
    /* a county does not see the city above it, nor the county next door */
    core_actor county = bureau("410102", CORE_LEVEL_COUNTY);
    core_op op = op_of(&county);
    assert_err(core_settings_put(conn, &op, "410100", "{}", 0, &rs, &err), &err, APP_ENOTFOUND,
               "region_not_found", NULL);
    err = (app_err){0};
    assert_err(core_settings_get(conn, &op, "410103", &rs, &err), &err, APP_ENOTFOUND,
               "region_not_found", NULL);
    /* nor is the ministry root a region to set */
    core_actor moe = bureau("000000", CORE_LEVEL_MINISTRY);
    core_op mop = op_of(&moe);
    err = (app_err){0};
    assert_err(core_settings_get(conn, &mop, "000000", &rs, &err), &err, APP_ENOTFOUND,
               "region_not_found", NULL);
    /* a stale version */
    err = (app_err){0};
    assert_err(core_settings_put(conn, &op, "410102", "{}", 3, &rs, &err), &err, APP_EPRECOND,
               "precondition_failed", "/headers/if-match");
    ck_assert(!db_in_tx(conn));
    ck_assert_str_eq(one("SELECT count(*) FROM audit", 0, NULL), "0");
}
END_TEST

/* ------------------------------------------------------------ import jobs */

#define CSV "name,gender\n张三,1\n"

static core_import_new
upload(const char *mode)
{
    core_import_new in = {.mode = mode, .body = (const unsigned char *)CSV, .len = strlen(CSV)};
    return in;
}

START_TEST(test_import_create)
{
    core_actor reg = staff(SCHOOL, CORE_STAFF_REGISTRAR);
    core_op op = op_of(&reg);
    core_import_new in = upload("create");
    db_import j;
    int existing = -1;
    app_err err = {0};
    ck_assert_int_eq(core_import_job_create(conn, &op, &in, &j, &existing, &err), 0);
    ck_assert_int_eq(existing, 0);
    ck_assert_str_eq(j.state, "queued");
    ck_assert_str_eq(j.format, "csv");
    char id[24];
    snprintf(id, sizeof(id), "%lld", j.id);
    ck_assert_int_eq(audits("import.upload", id), 1);
    ck_assert_str_eq(audit_detail("import.upload", id, "size"), "21");
    /* the same file again: the first job, no second audit row */
    db_import again;
    ck_assert_int_eq(core_import_job_create(conn, &op, &in, &again, &existing, &err), 0);
    ck_assert_int_eq(existing, 1);
    ck_assert_int_eq(again.id, j.id);
    ck_assert_int_eq(audits("import.upload", id), 1);
    ck_assert(!db_in_tx(conn));

    /* who sees the job */
    core_import_view view;
    core_actor county = bureau("410102", CORE_LEVEL_COUNTY);
    core_op cop = op_of(&county);
    ck_assert_int_eq(core_import_job_get(conn, &cop, j.id, 0, 50, &view, &err), 0);
    ck_assert_int_eq(view.nerrors, 0);
    core_actor next = bureau("410103", CORE_LEVEL_COUNTY);
    core_actor ht = staff(SCHOOL, CORE_STAFF_HEAD_TEACHER);
    core_actor reg2 = staff(OTHER, CORE_STAFF_REGISTRAR);
    const core_actor *blind[] = {&next, &ht, &reg2};
    for (int i = 0; i < 3; i++) {
        core_op bop = op_of(blind[i]);
        err = (app_err){0};
        assert_err(core_import_job_get(conn, &bop, j.id, 0, 50, &view, &err), &err, APP_ENOTFOUND,
                   "import_not_found", NULL);
    }
    /* its rejected rows exist once it has run */
    unsigned char *x = NULL;
    size_t xn = 0;
    err = (app_err){0};
    assert_err(core_import_job_errors_xlsx(conn, &op, j.id, &j, &x, &xn, &err), &err, APP_ESTATE,
               "import_not_finished", NULL);
    ck_assert_ptr_null(x);
}
END_TEST

START_TEST(test_import_create_refused)
{
    db_import j;
    int existing = 0;
    app_err err = {0};
    core_import_new in = upload("create");
    /* only a registrar uploads: checked before the parameters */
    core_actor gl = staff(SCHOOL, CORE_STAFF_GRADE_LEADER);
    core_actor county = bureau("410102", CORE_LEVEL_COUNTY);
    const core_actor *who[] = {&gl, &county};
    core_import_new bad = upload("merge");
    for (int i = 0; i < 2; i++) {
        core_op op = op_of(who[i]);
        err = (app_err){0};
        assert_err(core_import_job_create(conn, &op, &bad, &j, &existing, &err), &err,
                   APP_EFORBIDDEN, "forbidden", NULL);
    }
    core_actor reg = staff(SCHOOL, CORE_STAFF_REGISTRAR);
    core_op op = op_of(&reg);
    err = (app_err){0};
    assert_err(core_import_job_create(conn, &op, &bad, &j, &existing, &err), &err, APP_EINVAL,
               "invalid_parameter", "/query/mode");
    /* into its own school only */
    in.school = OTHER;
    err = (app_err){0};
    assert_err(core_import_job_create(conn, &op, &in, &j, &existing, &err), &err, APP_EFORBIDDEN,
               "forbidden", "/query/school");
    in = upload("update");
    in.atomic = "yes";
    err = (app_err){0};
    assert_err(core_import_job_create(conn, &op, &in, &j, &existing, &err), &err, APP_EINVAL,
               "invalid_parameter", "/query/atomic");
    in = upload("update");
    in.body = (const unsigned char *)"\xD0\xCF\x11\xE0 old excel";
    in.len = 14;
    err = (app_err){0};
    assert_err(core_import_job_create(conn, &op, &in, &j, &existing, &err), &err, APP_EINVAL,
               "import_xls", NULL);
    in.len = 0;
    err = (app_err){0};
    assert_err(core_import_job_create(conn, &op, &in, &j, &existing, &err), &err, APP_EINVAL,
               "import_empty", NULL);
    ck_assert_str_eq(one("SELECT count(*) FROM import_job", 0, NULL), "0");
    ck_assert_str_eq(one("SELECT count(*) FROM audit", 0, NULL), "0");
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("integration-school");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_school_create_in_jurisdiction);
    tcase_add_test(tc, test_school_create_refused);
    tcase_add_test(tc, test_school_create_items);
    tcase_add_test(tc, test_school_patch);
    tcase_add_test(tc, test_school_patch_jurisdiction);
    tcase_add_test(tc, test_school_patch_system_and_merged);
    tcase_add_test(tc, test_school_list);
    tcase_add_test(tc, test_class_create);
    tcase_add_test(tc, test_class_limits);
    tcase_add_test(tc, test_class_create_who);
    tcase_add_test(tc, test_settings_write_and_inherit);
    tcase_add_test(tc, test_settings_refused);
    tcase_add_test(tc, test_import_create);
    tcase_add_test(tc, test_import_create_refused);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
