/*
 * ctl/demo_uni.c - the demo university of `xuejictl demo` (docs/decisions/0032):
 * 中原理工大学 (4141019901, authority 河南 410000), three colleges (one the PE
 * college), four majors, administrative classes of the cohorts 2023-2026,
 * every office with an account, the teaching calendar, and a few hundred
 * students with sign-in accounts (username = 学号). Built once: when the
 * university exists, nothing is changed. Accounts share the demo password.
 */
#include "core/calendar.h"
#include "core/demo.h"
#include "core/env.h"
#include "core/pwhash.h"
#include "core/uni.h"
#include "core/uni_calendar.h"
#include "core/uni_student.h"
#include "ctl/ctl.h"
#include "db/school.h"
#include "db/uni.h"
#include "db/user.h"

#include <stdio.h>
#include <string.h>

#define UNI_CODE "4141019901"
#define UNI_NAME "中原理工大学"
#define UNI_COUNTY "410103" /* 二七区: no demo school, so no ID number clashes */
#define PER_CLASS 15

static const struct {
    const char *code, *name, *key;
    int is_pe;
} colleges[] = {
    {"01", "数学与统计学院", "math", 0},
    {"02", "计算机学院", "cs", 0},
    {"09", "体育学院", "pe", 1},
};

static const struct {
    int college; /* index into colleges */
    const char *code, *name, *level;
    int years;
} majors[] = {
    {0, "070101", "数学与应用数学", "undergraduate", 4},
    {1, "080901", "计算机科学与技术", "undergraduate", 4},
    {1, "510203", "软件技术", "junior", 3},
    {2, "040201", "体育教育", "undergraduate", 4},
};

static const struct {
    const char *username, *display, *role;
} offices[] = {
    {"zyut.section", "中原理工大学 教务处教务科", "registrar_section"},
    {"zyut.deputy", "中原理工大学 教务处主管处长", "registrar_deputy_head"},
    {"zyut.head", "中原理工大学 教务处处长", "registrar_head"},
    {"zyut.vp", "中原理工大学 主管校长", "vice_president"},
    {"zyut.affairs", "中原理工大学 学生处", "student_affairs"},
    {"zyut.admissions", "中原理工大学 招生就业处", "admissions"},
};

static const struct {
    const char *suffix, *display, *role;
} college_offices[] = {
    {"office", "教务办公室", "college_office"},
    {"vicedean", "教学院长", "teaching_vice_dean"},
    {"dean", "院长", "dean"},
    {"teacher", "任课教师", "course_teacher"},
};

static const struct {
    const char *term;
    int first_day;
} terms[] = {
    {"2025-1", 20250908}, {"2025-2", 20260223}, {"2026-1", 20260907}, {"2026-2", 20270222}};

typedef struct uni_demo {
    db_conn *db;
    core_op op;        /* the ministry, for the structure */
    core_actor actor;  /* its actor */
    core_op sop;       /* the registrar section, for students and the calendar */
    core_actor sactor; /* its actor */
    char hash[CORE_PWHASH_LEN];
    long long college_id[3], major_id[4];
    int students, accounts;
} uni_demo;

static int
add_account(uni_demo *u, const char *username, const char *display, const char *role,
            const char *staff, long long college, long long student_id, long long *out_id,
            app_err *err)
{
    db_user nu = {.username = username,
                  .display_name = display,
                  .role = role,
                  .org = UNI_CODE,
                  .staff_role = staff,
                  .college = college,
                  .student_id = student_id,
                  .password_hash = u->hash,
                  .must_change_password = 0};
    long long id = 0;
    int rc = db_user_insert(u->db, &nu, &id, err);
    if (rc == 0)
        u->accounts++;
    if (out_id != NULL)
        *out_id = id;
    return rc;
}

static int
structure(uni_demo *u, app_err *err)
{
    int rc = 0;
    for (int c = 0; rc == 0 && c < 3; c++) {
        core_uni_college_new in = {colleges[c].code, colleges[c].name, colleges[c].is_pe};
        db_uni_college out;
        rc = core_uni_college_create(u->db, &u->op, UNI_CODE, &in, &out, err);
        u->college_id[c] = out.id;
    }
    for (int m = 0; rc == 0 && m < 4; m++) {
        core_uni_major_new in = {u->college_id[majors[m].college], majors[m].code, majors[m].name,
                                 majors[m].level, majors[m].years};
        db_uni_major out;
        rc = core_uni_major_create(u->db, &u->op, UNI_CODE, &in, &out, err);
        u->major_id[m] = out.id;
    }
    return rc;
}

static int
offices_and_calendar(uni_demo *u, app_err *err)
{
    int rc = 0;
    long long section = 0;
    for (size_t i = 0; rc == 0 && i < sizeof(offices) / sizeof(offices[0]); i++)
        rc = add_account(u, offices[i].username, offices[i].display, "school", offices[i].role, 0,
                         0, i == 0 ? &section : NULL, err);
    for (int c = 0; rc == 0 && c < 3; c++)
        for (size_t k = 0; rc == 0 && k < sizeof(college_offices) / sizeof(college_offices[0]);
             k++) {
            char name[64], display[128];
            snprintf(name, sizeof(name), "zyut.%s.%s", colleges[c].key, college_offices[k].suffix);
            snprintf(display, sizeof(display), "%s %s", colleges[c].name,
                     college_offices[k].display);
            rc = add_account(u, name, display, "school", college_offices[k].role, u->college_id[c],
                             0, NULL, err);
        }
    u->sactor.user_id = section;
    for (size_t t = 0; rc == 0 && t < sizeof(terms) / sizeof(terms[0]); t++) {
        db_uni_term out;
        rc = core_uni_term_set(u->db, &u->sop, UNI_CODE, terms[t].term, terms[t].first_day, 20,
                               &out, err);
    }
    return rc;
}

/* One class of major m in `cohort` and its students, each with an account. */
static int
class_students(uni_demo *u, core_demo_rng *rng, core_demo_ids *ids, int m, int cohort, int number,
               app_err *err)
{
    core_uni_class_new kin = {.major = u->major_id[m], .cohort = cohort, .number = number};
    db_uni_class k;
    int rc = core_uni_class_create(u->db, &u->op, UNI_CODE, &kin, &k, err);
    core_demo_class dk = {.system = "63", .category = 34, .grade = 33, .number = 1};
    snprintf(dk.school, sizeof(dk.school), "%s", UNI_CODE);
    snprintf(dk.county, sizeof(dk.county), "%s", UNI_COUNTY);
    for (int i = 1; rc == 0 && i <= PER_CLASS; i++) {
        core_demo_student st;
        if (core_demo_student_make(rng, ids, &dk, cohort - 1, &st) != 0)
            break;
        char no[48]; /* 10 digits: 4 + 2 + 2 + 2, sized for any int */
        snprintf(no, sizeof(no), "%d%02d%02d%02d", cohort, m + 1, number, i);
        core_uni_student_new in = {.student_no = no, .class_id = k.id};
        core_uni_student out;
        if ((rc = core_uni_student_create(u->db, &u->sop, UNI_CODE, &st.rec, &in, &out, err)) != 0)
            break;
        u->students++;
        rc = add_account(u, no, st.rec.v[CORE_R_NAME], "student", NULL, 0, out.base.id, NULL, err);
    }
    return rc;
}

static int
students(uni_demo *u, app_err *err)
{
    core_demo_rng rng;
    core_demo_rng_seed(&rng, 20261207);
    const char *counties[] = {UNI_COUNTY};
    core_demo_ids *ids = core_demo_ids_new(counties, 1, 20030101, 20101231);
    int rc = 0;
    for (int cohort = 2023; rc == 0 && cohort <= 2026; cohort++)
        for (int m = 0; rc == 0 && m < 4; m++)
            for (int n = 1; rc == 0 && n <= (m == 1 ? 2 : 1); n++)
                rc = class_students(u, &rng, ids, m, cohort, n, err);
    core_demo_ids_free(ids);
    return rc;
}

static void
print_accounts(const uni_demo *u, const char *password)
{
    printf("\ndemo university %s %s: %d students with accounts\n", UNI_CODE, UNI_NAME, u->students);
    printf("\n  %-22s %-22s %s\n", "username", "staff_role", "college");
    for (size_t i = 0; i < sizeof(offices) / sizeof(offices[0]); i++)
        printf("  %-22s %-22s %s\n", offices[i].username, offices[i].role, "-");
    for (int c = 0; c < 3; c++)
        for (size_t k = 0; k < sizeof(college_offices) / sizeof(college_offices[0]); k++) {
            char name[64];
            snprintf(name, sizeof(name), "zyut.%s.%s", colleges[c].key, college_offices[k].suffix);
            printf("  %-22s %-22s %s\n", name, college_offices[k].role, colleges[c].name);
        }
    printf("\n  students sign in with their 学号 (cohort, major, class, seat), e.g. 2025010101"
           " (数学与应用数学), 2025020101 (计算机), 2025040101 (体育教育)\n");
    printf("  demo password (every university account too): %s\n", password);
}

static int
demo_university(db_conn *db, const core_env *env, const char *password)
{
    app_err err = {0};
    app_arena *a = app_arena_new();
    uni_demo *u = app_arena_alloc(a, sizeof(*u));
    memset(u, 0, sizeof(*u));
    u->db = db;
    u->actor = (core_actor){.level = CORE_LEVEL_MINISTRY, .org = "000000"};
    u->sactor = (core_actor){
        .level = CORE_LEVEL_SCHOOL, .org = UNI_CODE, .staff_role = CORE_STAFF_REGISTRAR_SECTION};
    int today = core_today();
    app_arena *work = app_arena_new();
    u->op = (core_op){.actor = &u->actor, .env = env, .arena = work, .today = today};
    u->sop = (core_op){.actor = &u->sactor, .env = env, .arena = work, .today = today};
    db_school s = {.name = UNI_NAME, .category = 41, .system = "63"};
    snprintf(s.code, sizeof(s.code), "%s", UNI_CODE);
    snprintf(s.county, sizeof(s.county), "%s", UNI_COUNTY);
    snprintf(s.authority, sizeof(s.authority), "410000");
    snprintf(s.province, sizeof(s.province), "410000");
    int created = 0;
    int rc = core_pwhash(password, u->hash) != 0
                 ? app_err_set(&err, APP_EINTERNAL, NULL, "pwhash")
                 : db_school_insert(db, &s, &created, a, NULL, &err);
    if (rc == 0 && created && (rc = structure(u, &err)) == 0 &&
        (rc = offices_and_calendar(u, &err)) == 0 && (rc = students(u, &err)) == 0)
        rc = ctl_demo_catalog(db, env, u->hash, &err);     /* ctl/demo_courses.c */
    if (rc == 0 && created && ctl_demo_selection(db) != 0) /* ctl/demo_select.c */
        rc = app_err_set(&err, APP_EINTERNAL, NULL, "selection rounds");
    if (rc != 0)
        fprintf(stderr, "xuejictl: demo: university: %s (%s)\n",
                err.detail[0] ? err.detail : app_code_name(err.code), err.slug ? err.slug : "-");
    else if (!created)
        printf("\ndemo university %s %s: already loaded\n", UNI_CODE, UNI_NAME);
    if (rc == 0)
        print_accounts(u, password);
    app_arena_free(work);
    app_arena_free(a);
    return rc == 0 ? 0 : 1;
}

int
ctl_demo_university(db_conn *db, const char *password)
{
    app_err err = {0};
    core_pii_ring *ring = ctl_load_ring();
    if (ring == NULL)
        return 1;
    core_codes *codes = NULL;
    int rc = core_codes_load(db, &codes, &err);
    if (rc == 0 && core_student_init() != 0)
        rc = app_err_set(&err, APP_EINTERNAL, NULL, "field catalog columns");
    core_env env = {codes, ring};
    int status = 1;
    if (rc == 0)
        status = demo_university(db, &env, password);
    else
        fprintf(stderr, "xuejictl: demo: university: %s\n", err.detail);
    core_codes_free(codes);
    core_pii_ring_free(ring);
    return status;
}
