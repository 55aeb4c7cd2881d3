/*
 * ctl/demo.c - xuejictl demo: the demo province (API.md "Bootstrap and
 * demo"): 河南 with 郑州 and 洛阳, two counties each, twenty schools (one
 * managed directly by the city of 郑州), classes for every grade each school
 * teaches, and accounts at every level sharing one password. Loading is
 * idempotent: rows that exist are left as they are, so a second run changes
 * nothing. Generated students: ctl/demo_students.c.
 */
#include "base/jw.h"
#include "core/audit.h"
#include "core/grade.h"
#include "core/password.h"
#include "core/pwhash.h"
#include "core/schema.h"
#include "core/student.h"
#include "ctl/ctl.h"
#include "db/school.h"
#include "db/settings.h"
#include "db/user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_PASSWORD "Xueji-Demo-2026!"

const ctl_demo_school ctl_demo_schools[] = {
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
_Static_assert(sizeof(ctl_demo_schools) / sizeof(ctl_demo_schools[0]) == CTL_DEMO_NSCHOOLS,
               "CTL_DEMO_NSCHOOLS (ctl/ctl.h) counts the demo schools");

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
    /* the graduate pool: junior schools of four counties claim 建设路第一小学's graduates
       (README, bench/claims.sh) */
    {"zy1c.registrar", "中原区第一初级中学 学籍管理员", "school", "3141010201", "registrar", 0, 0},
    {"zz8z.registrar", "郑州市第八中学 学籍管理员", "school", "3141010501", "registrar", 0, 0},
    {"ly23z.registrar", "洛阳市第二十三中学 学籍管理员", "school", "3141030201", "registrar", 0, 0},
    {"ly22z.registrar", "洛阳市第二十二中学 学籍管理员", "school", "3141030501", "registrar", 0, 0},
};

/* Overrides the demo stores (only where none exist yet). */
static const struct {
    const char *region, *settings;
} demo_settings[] = {
    /* claims from the graduate pool any day, so that the README's examples work
       outside the default window 10-16..10-31 */
    {"410000", "{\"entry_age_cutoff\":\"08-31\",\"entry_min_age\":6,\"intake_window\":null,"
               "\"holidays\":[\"2026-01-01\",\"2026-05-01\",\"2026-10-01\",\"2026-10-02\","
               "\"2026-10-03\"]}"},
    {"410100", "{\"transfer_blackout\":{\"from\":\"07-10\",\"until\":\"08-20\"}}"},
};

/* Classes per grade and their size limit, by school category. */
static void
demo_class_plan(int category, int *out_per_grade, int *out_size)
{
    switch (category) {
    case 21:
        *out_per_grade = 3, *out_size = 45;
        break;
    case 31:
        *out_per_grade = 4, *out_size = 50;
        break;
    case 34:
        *out_per_grade = 4, *out_size = 50;
        break;
    default:
        *out_per_grade = 1, *out_size = 12;
        break;
    }
}

typedef struct demo_counts {
    int schools, classes, accounts, settings;
} demo_counts;

/* The schools and their classes (those missing). */
static int
load_schools(db_conn *db, app_arena *a, demo_counts *made, app_err *err)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < CTL_DEMO_NSCHOOLS; i++) {
        const ctl_demo_school *d = &ctl_demo_schools[i];
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
    return rc;
}

/* The regions' setting overrides (where a region has none yet). */
static int
load_settings(db_conn *db, demo_counts *made, app_err *err)
{
    int rc = 0;
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
    return rc;
}

/* Account `d` as a new row (nu); a head teacher gets class (class_grade, 1). */
static int
account_row(db_conn *db, const demo_account *d, const char *hash, db_user *nu, app_err *err)
{
    *nu = (db_user){.username = d->username,
                    .display_name = d->display_name,
                    .role = d->role,
                    .org = d->org,
                    .staff_role = d->staff_role,
                    .grade = d->grade,
                    .password_hash = hash,
                    .must_change_password = 0};
    if (d->class_grade == 0)
        return 0;
    long long id = 0;
    int rc = db_class_id(db, d->org, d->class_grade, 1, &id, err);
    if (rc != 0)
        return rc;
    if (id == 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "no class %d-1 at %s", d->class_grade, d->org);
    nu->classes[0] = id;
    nu->nclasses = 1;
    return 0;
}

/* The accounts (those whose username is free), all with DEMO_PASSWORD. */
static int
load_accounts(db_conn *db, app_arena *a, demo_counts *made, app_err *err)
{
    int rc = 0;
    char hash[CORE_PWHASH_LEN] = "";
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
        db_user nu;
        if ((rc = account_row(db, d, hash, &nu, err)) != 0)
            break;
        long long id;
        if ((rc = db_user_insert(db, &nu, &id, err)) == 0)
            made->accounts++;
    }
    return rc;
}

static int
demo_load(db_conn *db, app_arena *a, demo_counts *made, app_err *err)
{
    int rc = load_schools(db, a, made, err);
    if (rc == 0)
        rc = load_settings(db, made, err);
    if (rc == 0)
        rc = load_accounts(db, a, made, err);
    int total = made->schools + made->classes + made->accounts + made->settings;
    if (rc == 0 && total > 0) {
        jw w;
        jw_init(&w, a);
        jw_obj(&w);
        jw_int(&w, "schools", made->schools);
        jw_int(&w, "classes", made->classes);
        jw_int(&w, "accounts", made->accounts);
        jw_int(&w, "settings", made->settings);
        jw_end(&w);
        core_op op = {.arena = a};
        rc = core_audit(db, &op, "demo_load", "region", "410000", jw_text(&w, NULL), err);
    }
    return rc;
}

static const char *
demo_org_name(const char *org)
{
    static const struct {
        const char *code, *name;
    } regions[] = {{"410000", "河南省"},       {"410100", "郑州市"},
                   {"410300", "洛阳市"},       {"410102", "郑州市中原区"},
                   {"410105", "郑州市金水区"}, {"410302", "洛阳市老城区"},
                   {"410305", "洛阳市涧西区"}};
    for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
        if (strcmp(regions[i].code, org) == 0)
            return regions[i].name;
    for (size_t i = 0; i < sizeof(ctl_demo_schools) / sizeof(ctl_demo_schools[0]); i++)
        if (strcmp(ctl_demo_schools[i].code, org) == 0)
            return ctl_demo_schools[i].name;
    return "";
}

int
ctl_cmd_demo(long long students, int jobs, int sample)
{
    const char *url = getenv("XUEJI_DATABASE_URL");
    url = url ? url : "postgresql:///xueji";
    app_err err = {0};
    db_conn *db = db_conn_open(url, &err);
    int applied = 0;
    int rc = db_conn_ok(db) ? core_schema_migrate(db, &applied, &err) : APP_EUNAVAIL;
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
           made.schools + made.classes + made.accounts + made.settings == 0 ? " (already loaded)"
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
    int status = students > 0 ? ctl_demo_students(db, url, students, jobs, sample) : 0;
    if (status == 0)
        status = ctl_demo_university(db, DEMO_PASSWORD);
    if (status == 0) /* grades of 2025-2 (docs/decisions/0043) */
        status = ctl_demo_grades(db);
    db_conn_close(db);
    return status;
}
