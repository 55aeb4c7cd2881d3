/*
 * ctl/xuejictl.c - the administrator's command line.
 *
 *   xuejictl migrate             apply pending migrations
 *   xuejictl check-id NUMBER     validate a resident ID number (GB 11643) offline
 *   xuejictl demo                load the demo province (idempotent)
 *
 * Reads XUEJI_DATABASE_URL like xuejid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/grade.h"
#include "core/idnum.h"
#include "core/mask.h"
#include "core/password.h"
#include "core/pwhash.h"
#include "db/db.h"
#include "db/migrate.h"
#include "db/school.h"
#include "db/settings.h"
#include "db/user.h"

static int
usage(FILE *out)
{
    fprintf(out, "Usage:\n"
                 "  xuejictl migrate           apply pending migrations (XUEJI_DATABASE_URL)\n"
                 "  xuejictl check-id NUMBER   validate a resident ID number offline\n"
                 "  xuejictl demo              load the demo province: schools, classes,\n"
                 "                             accounts (XUEJI_DATABASE_URL; idempotent)\n"
                 "  xuejictl audit verify      check the audit trail's hash chain; exit 1\n"
                 "                             naming the first broken row\n");
    return out == stdout ? 0 : 2;
}

static db_conn *
connect_env(app_err *err)
{
    const char *url = getenv("XUEJI_DATABASE_URL");
    return db_conn_open(url ? url : "postgresql:///xueji", err);
}

static int
cmd_audit_verify(void)
{
    app_err err = {0};
    db_conn *db = connect_env(&err);
    long long rows = 0, bad = 0;
    int rc = db_conn_ok(db) ? db_audit_verify(db, &rows, &bad, &err) : APP_EUNAVAIL;
    db_conn_close(db);
    if (rc != 0) {
        fprintf(stderr, "xuejictl: audit verify: %s\n", err.detail);
        return 2;
    }
    if (bad != 0) {
        printf("audit chain BROKEN at row %lld (%lld rows checked): the row or the one before "
               "it was changed or deleted\n",
               bad, rows);
        return 1;
    }
    printf("audit chain intact: %lld rows\n", rows);
    return 0;
}

static int
cmd_migrate(void)
{
    app_err err = {0};
    db_conn *db = connect_env(&err);
    int applied = 0;
    int rc = db_conn_ok(db) ? db_migrate(db, &applied, &err) : APP_EUNAVAIL;
    db_conn_close(db);
    if (rc != 0) {
        fprintf(stderr, "xuejictl: migrate: %s\n", err.detail);
        return 1;
    }
    printf("migrations up to date (%d applied)\n", applied);
    return 0;
}

static int
cmd_check_id(const char *number)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int today = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    core_idnum id;
    app_err err = {0};
    if (core_idnum_parse(number, strlen(number), today, NULL, NULL, &id, &err) != 0) {
        printf("invalid: %s (%s)\n", err.slug ? err.slug : "invalid", err.param);
        return 1;
    }
    char masked[32];
    core_mask_id(id.number, masked, sizeof(masked));
    printf("valid: %s born %04d-%02d-%02d %s region %s%s\n", masked, id.year, id.month, id.day,
           id.gender == 1 ? "male" : "female", id.region, id.legacy15 ? " (converted from 15)" : "");
    return 0;
}

/* ------------------------------------------------------------------ demo */

/*
 * The demo province (API.md "Bootstrap and demo"): 河南 with 郑州 and 洛阳, two
 * counties each, twenty schools (one managed directly by the city of 郑州),
 * classes for every grade each school teaches, and accounts at every level
 * sharing one password. Loading is idempotent: rows that exist are left as
 * they are, so a second run changes nothing.
 */
#define DEMO_PASSWORD "Xueji-Demo-2026!"

typedef struct demo_school {
    const char *code, *name, *county, *authority, *system;
} demo_school;

static const demo_school demo_schools[] = {
    /* 郑州市中原区 */
    {"2141010201", "郑州市中原区建设路第一小学", "410102", "410102", "63"},
    {"2141010202", "郑州市中原区伊河路小学", "410102", "410102", "63"},
    {"2141010203", "郑州市中原区棉纺路小学", "410102", "410102", "63"},
    {"3141010201", "郑州市中原区第一初级中学", "410102", "410102", "63"},
    {"3441010201", "郑州市第一中学", "410102", "410100", "63"}, /* 市直管 */
    {"5141010201", "郑州市中原区特殊教育学校", "410102", "410102", "63"},
    /* 郑州市金水区 */
    {"2141010501", "郑州市金水区文化路第一小学", "410105", "410105", "63"},
    {"2141010502", "郑州市金水区纬五路第一小学", "410105", "410105", "63"},
    {"2141010503", "郑州市金水区农科路小学", "410105", "410105", "63"},
    {"3141010501", "郑州市第八中学", "410105", "410105", "63"},
    {"3441010501", "郑州市第十一中学", "410105", "410105", "63"},
    /* 洛阳市老城区: 五四制 */
    {"2141030201", "洛阳市老城区西大街小学", "410302", "410302", "54"},
    {"2141030202", "洛阳市老城区青年宫小学", "410302", "410302", "54"},
    {"3141030201", "洛阳市第二十三中学", "410302", "410302", "54"},
    {"3441030201", "洛阳市第一高级中学", "410302", "410302", "63"},
    /* 洛阳市涧西区 */
    {"2141030501", "洛阳市涧西区东升第二小学", "410305", "410305", "63"},
    {"2141030502", "洛阳市涧西区天津路小学", "410305", "410305", "63"},
    {"3141030501", "洛阳市第二十二中学", "410305", "410305", "63"},
    {"3441030501", "洛阳市第二高级中学", "410305", "410305", "63"},
    {"5141030501", "洛阳市涧西区特殊教育学校", "410305", "410305", "63"},
};

typedef struct demo_account {
    const char *username, *display_name, *role, *org, *staff_role;
    int grade;       /* grade leaders */
    int class_grade; /* head teachers: class (class_grade, 1) of the school */
} demo_account;

static const demo_account demo_accounts[] = {
    {"henan", "河南省教育厅学籍管理员", "province", "410000", NULL, 0, 0},
    {"zhengzhou", "郑州市教育局学籍管理员", "city", "410100", NULL, 0, 0},
    {"luoyang", "洛阳市教育局学籍管理员", "city", "410300", NULL, 0, 0},
    {"zhongyuan", "中原区教育局学籍管理员", "county", "410102", NULL, 0, 0},
    {"jinshui", "金水区教育局学籍管理员", "county", "410105", NULL, 0, 0},
    {"laocheng", "老城区教育局学籍管理员", "county", "410302", NULL, 0, 0},
    {"jianxi", "涧西区教育局学籍管理员", "county", "410305", NULL, 0, 0},
    {"jianshe.registrar", "建设路第一小学 学籍管理员", "school", "2141010201", "registrar", 0, 0},
    {"jianshe.grade13", "建设路第一小学 三年级组长", "school", "2141010201", "grade_leader", 13, 0},
    {"jianshe.teacher", "建设路第一小学 三年级(1)班班主任", "school", "2141010201", "head_teacher",
     0, 13},
    {"zz1z.registrar", "郑州市第一中学 学籍管理员", "school", "3441010201", "registrar", 0, 0},
    {"zz1z.grade31", "郑州市第一中学 高一年级组长", "school", "3441010201", "grade_leader", 31, 0},
    {"zz1z.teacher", "郑州市第一中学 高一(1)班班主任", "school", "3441010201", "head_teacher", 0,
     31},
    {"ly1g.registrar", "洛阳市第一高级中学 学籍管理员", "school", "3441030201", "registrar", 0, 0},
    {"ly1g.grade32", "洛阳市第一高级中学 高二年级组长", "school", "3441030201", "grade_leader", 32,
     0},
    {"ly1g.teacher", "洛阳市第一高级中学 高二(1)班班主任", "school", "3441030201", "head_teacher",
     0, 32},
};

/* Overrides the demo stores (only where none exist yet). */
static const struct {
    const char *region, *settings;
} demo_settings[] = {
    {"410000", "{\"entry_age_cutoff\":\"08-31\",\"entry_min_age\":6,"
               "\"holidays\":[\"2026-01-01\",\"2026-05-01\",\"2026-10-01\",\"2026-10-02\","
               "\"2026-10-03\"]}"},
    {"410100", "{\"transfer_blackout\":{\"from\":\"07-10\",\"until\":\"08-20\"}}"},
};

/* Classes per grade and their size limit, by school category. */
static void
demo_class_plan(int category, int *out_per_grade, int *out_size)
{
    switch (category) {
    case 21: *out_per_grade = 3, *out_size = 45; break;
    case 31: *out_per_grade = 4, *out_size = 50; break;
    case 34: *out_per_grade = 4, *out_size = 50; break;
    default: *out_per_grade = 1, *out_size = 12; break;
    }
}

typedef struct demo_counts {
    int schools, classes, accounts, settings;
} demo_counts;

static int
demo_load(db_conn *db, app_arena *a, demo_counts *made, app_err *err)
{
    int rc = 0;
    char hash[CORE_PWHASH_LEN] = "";

    for (size_t i = 0; rc == 0 && i < sizeof(demo_schools) / sizeof(demo_schools[0]); i++) {
        const demo_school *d = &demo_schools[i];
        db_school s = {.name = d->name, .system = d->system};
        snprintf(s.code, sizeof(s.code), "%s", d->code);
        snprintf(s.county, sizeof(s.county), "%s", d->county);
        snprintf(s.authority, sizeof(s.authority), "%s", d->authority);
        snprintf(s.province, sizeof(s.province), "%.2s0000", d->county);
        s.category = (d->code[0] - '0') * 10 + (d->code[1] - '0');
        int created = 0;
        rc = db_school_insert(db, &s, &created, a, NULL, err);
        made->schools += created;

        int per_grade, size;
        demo_class_plan(s.category, &per_grade, &size);
        for (int g = 11; rc == 0 && g <= 33; g++) {
            /* special education and other categories: the primary grades */
            int fits = s.category == 21 || s.category == 31 || s.category == 34
                           ? core_grade_fits_school(s.category, s.system, g)
                           : g >= 11 && g <= 16;
            for (int n = 1; rc == 0 && fits && n <= per_grade; n++) {
                db_class k = {.grade = g, .number = n, .size_limit = size};
                char name[CORE_CLASS_NAME_MAX];
                core_class_default_name(g, n, name, sizeof(name));
                k.name = name;
                memcpy(k.school, s.code, sizeof(k.school));
                rc = db_class_insert(db, &k, &created, a, NULL, err);
                made->classes += created;
            }
        }
    }

    for (size_t i = 0; rc == 0 && i < sizeof(demo_settings) / sizeof(demo_settings[0]); i++) {
        int version;
        app_err e2 = {0};
        int r = db_settings_put(db, demo_settings[i].region, demo_settings[i].settings, 0, 0,
                                &version, &e2);
        if (r == 0)
            made->settings++;
        else if (r != APP_EPRECOND) /* EPRECOND: the region has overrides already */
            rc = app_err_set(err, (app_code)r, e2.slug, "%s", e2.detail);
    }

    for (size_t i = 0; rc == 0 && i < sizeof(demo_accounts) / sizeof(demo_accounts[0]); i++) {
        const demo_account *d = &demo_accounts[i];
        db_user u;
        int found = 0;
        if ((rc = db_user_by_username(db, d->username, a, &u, &found, err)) != 0 || found)
            continue;
        if (core_password_check(DEMO_PASSWORD, d->username, err) != 0) {
            rc = APP_EINVAL;
            break;
        }
        /* one hash for every demo account: they share the password anyway */
        if (hash[0] == '\0' && core_pwhash(DEMO_PASSWORD, hash) != 0) {
            rc = app_err_set(err, APP_EINTERNAL, NULL, "pwhash: out of memory");
            break;
        }
        db_user nu = {.username = d->username,
                      .display_name = d->display_name,
                      .role = d->role,
                      .org = d->org,
                      .staff_role = d->staff_role,
                      .grade = d->grade,
                      .password_hash = hash,
                      .must_change_password = 0};
        if (d->class_grade != 0) {
            long long id = 0;
            if ((rc = db_class_id(db, d->org, d->class_grade, 1, &id, err)) != 0)
                break;
            if (id == 0) {
                rc = app_err_set(err, APP_EINTERNAL, NULL, "no class %d-1 at %s", d->class_grade,
                                 d->org);
                break;
            }
            nu.classes[0] = id;
            nu.nclasses = 1;
        }
        long long id;
        if ((rc = db_user_insert(db, &nu, &id, err)) == 0)
            made->accounts++;
    }

    int total = made->schools + made->classes + made->accounts + made->settings;
    if (rc == 0 && total > 0) {
        char detail[160];
        snprintf(detail, sizeof(detail),
                 "{\"schools\":%d,\"classes\":%d,\"accounts\":%d,\"settings\":%d}", made->schools,
                 made->classes, made->accounts, made->settings);
        db_audit e = {.action = "demo_load", .target_type = "region", .target_id = "410000",
                      .detail_json = detail};
        rc = db_audit_insert(db, &e, err);
    }
    return rc;
}

static const char *
demo_org_name(const char *org)
{
    static const struct {
        const char *code, *name;
    } regions[] = {{"410000", "河南省"},     {"410100", "郑州市"},     {"410300", "洛阳市"},
                   {"410102", "郑州市中原区"}, {"410105", "郑州市金水区"}, {"410302", "洛阳市老城区"},
                   {"410305", "洛阳市涧西区"}};
    for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
        if (strcmp(regions[i].code, org) == 0)
            return regions[i].name;
    for (size_t i = 0; i < sizeof(demo_schools) / sizeof(demo_schools[0]); i++)
        if (strcmp(demo_schools[i].code, org) == 0)
            return demo_schools[i].name;
    return "";
}

static int
cmd_demo(void)
{
    const char *url = getenv("XUEJI_DATABASE_URL");
    app_err err = {0};
    db_conn *db = db_conn_open(url ? url : "postgresql:///xueji", &err);
    int applied = 0;
    int rc = db_conn_ok(db) ? db_migrate(db, &applied, &err) : APP_EUNAVAIL;
    app_arena *a = app_arena_new();
    demo_counts made = {0};
    if (rc == 0)
        rc = db_begin(db, &err);
    if (rc == 0)
        rc = demo_load(db, a, &made, &err);
    if (rc == 0)
        rc = db_commit(db, &err);
    if (rc != 0) {
        db_rollback(db);
        fprintf(stderr, "xuejictl: demo: %s (%s)\n",
                err.detail[0] ? err.detail : app_code_name(err.code), err.slug ? err.slug : "-");
        app_arena_free(a);
        db_conn_close(db);
        return 1;
    }
    printf("demo: %d schools, %d classes, %d accounts, %d region settings created%s\n",
           made.schools, made.classes, made.accounts, made.settings,
           made.schools + made.classes + made.accounts + made.settings == 0
               ? " (already loaded)"
               : "");
    printf("\n  %-20s %-9s %-18s %-11s %s\n", "username", "role", "staff_role", "org", "org name");
    for (size_t i = 0; i < sizeof(demo_accounts) / sizeof(demo_accounts[0]); i++) {
        const demo_account *d = &demo_accounts[i];
        char staff[32];
        if (d->grade)
            snprintf(staff, sizeof(staff), "%s %d", d->staff_role, d->grade);
        else if (d->class_grade)
            snprintf(staff, sizeof(staff), "%s %d-1", d->staff_role, d->class_grade);
        else
            snprintf(staff, sizeof(staff), "%s", d->staff_role ? d->staff_role : "-");
        printf("  %-20s %-9s %-18s %-11s %s\n", d->username, d->role, staff, d->org,
               demo_org_name(d->org));
    }
    printf("\n  demo password (every account above): %s\n", DEMO_PASSWORD);
    app_arena_free(a);
    db_conn_close(db);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
        return usage(stdout);
    if (strcmp(argv[1], "migrate") == 0)
        return cmd_migrate();
    if (strcmp(argv[1], "check-id") == 0 && argc == 3)
        return cmd_check_id(argv[2]);
    if (strcmp(argv[1], "demo") == 0 && argc == 2)
        return cmd_demo();
    if (strcmp(argv[1], "audit") == 0 && argc == 3 && strcmp(argv[2], "verify") == 0)
        return cmd_audit_verify();
    return usage(stderr);
}
