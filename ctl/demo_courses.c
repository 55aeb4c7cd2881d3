/*
 * ctl/demo_courses.c - the catalog of the demo university (issue 17): about
 * forty courses across its colleges (compulsory, elective, public
 * elective, PE; the PE college offers PE), the teaching plan of every major
 * for the cohorts 2023-2026, twelve course teachers (zyut.teacher1..12,
 * four per college), and the sections of terms 2026-1 (current) and 2026-2
 * (next: its selection is due now). The 2026-2 elective, PE and public
 * elective sections are small (10-30 seats) so that a pre-selection
 * oversubscribes them. Everything through core/uni_catalog.h as the
 * registrar section (教务处教务科), audited as over HTTP.
 */
#include "core/calendar.h"
#include "core/env.h"
#include "core/uni.h"
#include "core/uni_catalog.h"
#include "ctl/ctl.h"
#include "db/uni.h"
#include "db/user.h"

#include <stdio.h>
#include <string.h>

#define DEMO_UNI "4141019901"
#define NTEACHERS 12 /* zyut.teacher1..12: 1-4 college 01, 5-8 college 02, 9-12 college 09 */

/* college: 0 数学与统计学院 (01), 1 计算机学院 (02), 2 体育学院 (09) */
static const struct {
    const char *code, *name, *kind;
    int credits10, hours, college;
} courses[] = {
    {"GE101", "大学英语Ⅰ", "compulsory", 30, 48, 0},
    {"GE102", "大学英语Ⅱ", "compulsory", 30, 48, 0},
    {"GE103", "大学英语Ⅲ", "compulsory", 20, 32, 0},
    {"GE104", "大学英语Ⅳ", "compulsory", 20, 32, 0},
    {"GE111", "思想道德与法治", "compulsory", 30, 48, 0},
    {"GE112", "中国近现代史纲要", "compulsory", 30, 48, 0},
    {"GE113", "马克思主义基本原理", "compulsory", 30, 48, 0},
    {"GE114", "形势与政策", "compulsory", 10, 16, 0},
    {"GE121", "军事理论", "compulsory", 20, 36, 0},
    {"GE901", "数学文化", "public_elective", 20, 32, 0},
    {"GE902", "人工智能通识", "public_elective", 20, 32, 1},
    {"GE903", "健康教育", "public_elective", 10, 16, 2},
    {"GE904", "中华诗词鉴赏", "public_elective", 20, 32, 0},
    {"MA101", "数学分析Ⅰ", "compulsory", 50, 80, 0},
    {"MA102", "数学分析Ⅱ", "compulsory", 50, 80, 0},
    {"MA103", "数学分析Ⅲ", "compulsory", 40, 64, 0},
    {"MA111", "高等代数Ⅰ", "compulsory", 40, 64, 0},
    {"MA112", "高等代数Ⅱ", "compulsory", 40, 64, 0},
    {"MA121", "解析几何", "compulsory", 30, 48, 0},
    {"MA201", "概率论", "compulsory", 30, 48, 0},
    {"MA202", "常微分方程", "compulsory", 30, 48, 0},
    {"MA301", "实变函数", "compulsory", 30, 48, 0},
    {"MA302", "复变函数", "compulsory", 30, 48, 0},
    {"MA303", "数理统计", "compulsory", 30, 48, 0},
    {"MA311", "数值分析", "elective", 20, 32, 0},
    {"MA312", "运筹学", "elective", 20, 32, 0},
    {"CS101", "程序设计基础", "compulsory", 35, 56, 1},
    {"CS102", "离散数学", "compulsory", 30, 48, 1},
    {"CS201", "数据结构", "compulsory", 40, 64, 1},
    {"CS202", "计算机组成原理", "compulsory", 35, 56, 1},
    {"CS203", "操作系统", "compulsory", 35, 56, 1},
    {"CS204", "计算机网络", "compulsory", 30, 48, 1},
    {"CS205", "数据库系统", "compulsory", 30, 48, 1},
    {"CS301", "机器学习", "elective", 20, 32, 1},
    {"CS302", "编译原理", "elective", 25, 40, 1},
    {"CS303", "Web应用开发", "elective", 20, 32, 1},
    {"PE101", "篮球", "pe", 10, 32, 2},
    {"PE102", "足球", "pe", 10, 32, 2},
    {"PE103", "羽毛球", "pe", 10, 32, 2},
    {"PE104", "太极拳", "pe", 10, 32, 2},
    {"PE105", "游泳", "pe", 10, 32, 2},
    {"PE201", "运动解剖学", "compulsory", 30, 48, 2},
    {"PE202", "运动生理学", "compulsory", 30, 48, 2},
    {"PE203", "体育教学论", "compulsory", 30, 48, 2},
    {"PE204", "田径", "compulsory", 20, 48, 2},
    {"PE301", "运动康复", "elective", 20, 32, 2},
};
#define NCOURSES ((int)(sizeof(courses) / sizeof(courses[0])))

typedef struct entry {
    const char *course;
    int term_no;
} entry;

/* Every major but 体育教育: English, politics, military theory, PE. */
static const entry common[] = {
    {"GE101", 1}, {"GE111", 1}, {"GE121", 1}, {"PE101", 1}, {"GE102", 2},
    {"GE112", 2}, {"PE103", 2}, {"GE103", 3}, {"GE113", 3}, {"PE104", 3},
    {"GE104", 4}, {"GE114", 4}, {"PE105", 4}, {NULL, 0},
};

/* The majors of ctl/demo_uni.c, in its order, and their own courses. */
static const struct {
    const char *major;
    int common; /* takes `common` */
    entry own[16];
} plans[] = {
    {"070101",
     1,
     {{"MA101", 1},
      {"MA111", 1},
      {"MA121", 1},
      {"MA102", 2},
      {"MA112", 2},
      {"MA103", 3},
      {"CS101", 3},
      {"MA201", 4},
      {"MA202", 4},
      {"MA301", 5},
      {"MA302", 5},
      {"MA303", 6},
      {"MA311", 6},
      {"MA312", 7},
      {NULL, 0}}},
    {"080901",
     1,
     {{"CS101", 1},
      {"MA101", 1},
      {"CS102", 2},
      {"MA111", 2},
      {"CS201", 3},
      {"CS202", 4},
      {"MA201", 4},
      {"CS203", 5},
      {"CS204", 5},
      {"CS205", 6},
      {"CS301", 6},
      {"CS302", 7},
      {"CS303", 7},
      {NULL, 0}}},
    {"510203",
     1,
     {{"CS101", 1},
      {"CS102", 2},
      {"CS201", 3},
      {"CS303", 3},
      {"CS204", 4},
      {"CS205", 4},
      {"CS301", 5},
      {NULL, 0}}},
    {"040201",
     0,
     {{"GE101", 1},
      {"GE111", 1},
      {"GE121", 1},
      {"PE204", 1},
      {"GE102", 2},
      {"GE112", 2},
      {"PE201", 2},
      {"PE101", 2},
      {"PE202", 3},
      {"PE102", 3},
      {"GE113", 3},
      {"PE203", 4},
      {"PE105", 4},
      {"GE114", 4},
      {"PE301", 5},
      {NULL, 0}}},
};
#define NPLANS ((int)(sizeof(plans) / sizeof(plans[0])))

typedef struct demo {
    db_conn *db;
    core_op op;
    core_actor actor;
    const char *hash;
    int nplans, nsections;
} demo;

static int
teachers(demo *d, app_err *err)
{
    static const char *const college_codes[] = {"01", "02", "09"};
    db_uni_college *cv;
    int nc = 0, rc = db_uni_college_list(d->db, DEMO_UNI, d->op.arena, &cv, &nc, err);
    for (int t = 0; rc == 0 && t < NTEACHERS; t++) {
        long long college = 0;
        for (int i = 0; i < nc; i++)
            if (strcmp(cv[i].code, college_codes[t / 4]) == 0)
                college = cv[i].id;
        char name[32], display[64];
        snprintf(name, sizeof(name), "zyut.teacher%d", t + 1);
        snprintf(display, sizeof(display), "中原理工大学 任课教师%d", t + 1);
        db_user u = {.username = name,
                     .display_name = display,
                     .role = "school",
                     .org = DEMO_UNI,
                     .staff_role = "course_teacher",
                     .college = college,
                     .password_hash = d->hash};
        long long id;
        rc = db_user_insert(d->db, &u, &id, err);
    }
    return rc;
}

static int
catalog(demo *d, app_err *err)
{
    static const char *const college_codes[] = {"01", "02", "09"};
    int rc = 0;
    for (int i = 0; rc == 0 && i < NCOURSES; i++) {
        core_uni_course_in in = {courses[i].code,  courses[i].name,
                                 courses[i].kind,  courses[i].credits10,
                                 courses[i].hours, college_codes[courses[i].college]};
        db_uni_course out;
        rc = core_uni_course_create(d->db, &d->op, DEMO_UNI, &in, &out, err);
    }
    return rc;
}

/* The plan of major p as PUT entries; their number. */
static int
plan_entries(int p, core_uni_plan_in *out)
{
    int n = 0;
    for (int i = 0; plans[p].common && common[i].course; i++)
        out[n++] = (core_uni_plan_in){common[i].course, common[i].term_no};
    for (int i = 0; plans[p].own[i].course; i++)
        out[n++] = (core_uni_plan_in){plans[p].own[i].course, plans[p].own[i].term_no};
    return n;
}

static int
teaching_plans(demo *d, app_err *err)
{
    int rc = 0;
    for (int p = 0; rc == 0 && p < NPLANS; p++)
        for (int cohort = 2023; rc == 0 && cohort <= 2026; cohort++) {
            core_uni_plan_in in[40];
            int n = plan_entries(p, in);
            core_uni_plan out;
            rc = core_uni_plan_put(d->db, &d->op, DEMO_UNI, plans[p].major, cohort, in, n, 0, &out,
                                   err);
            d->nplans += rc == 0;
        }
    return rc;
}

/* The absolute term of entry `term_no` of `cohort` (migration 024). */
static void
abs_term(int cohort, int term_no, char out[16])
{
    snprintf(out, 16, "%04d-%d", (cohort + (term_no - 1) / 2) % 10000, 1 + (term_no - 1) % 2);
}

/* One section of course c in `term`; teacher by the offering college. */
static int
section(demo *d, int c, const char *term, int number, int capacity, int cohort,
        const char *const *majors, int nmajors, app_err *err)
{
    char teacher[32];
    snprintf(teacher, sizeof(teacher), "zyut.teacher%d",
             courses[c].college * 4 + 1 + (c + number) % 4);
    core_uni_section_in in = {.course = courses[c].code,
                              .term = term,
                              .number = number,
                              .teacher = teacher,
                              .teacher_given = 1,
                              .capacity = capacity,
                              .cohort = cohort,
                              .majors = nmajors ? majors : NULL,
                              .nmajors = nmajors,
                              .majors_given = 1};
    db_uni_section out;
    int rc = core_uni_section_create(d->db, &d->op, DEMO_UNI, &in, &out, err);
    d->nsections += rc == 0;
    return rc;
}

/* The next free 课序号 of course c in `term` (numbers[c][t]). */
static int numbers[NCOURSES][2];

/* The plans' sections of `term` (t 0: 2026-1, 1: 2026-2): per course and
   cohort one section for the majors that take it then. Compulsory ones
   seat the cohort; in 2026-2 electives and PE are small. */
static int
plan_sections(demo *d, int t, app_err *err)
{
    const char *term = t == 0 ? "2026-1" : "2026-2";
    int rc = 0;
    for (int c = 0; rc == 0 && c < NCOURSES; c++)
        for (int cohort = 2023; rc == 0 && cohort <= 2026; cohort++) {
            const char *majors[NPLANS];
            int nm = 0;
            for (int p = 0; p < NPLANS; p++) {
                core_uni_plan_in in[40];
                int n = plan_entries(p, in);
                for (int i = 0; i < n; i++) {
                    char at[16];
                    abs_term(cohort, in[i].term_no, at);
                    if (strcmp(in[i].course, courses[c].code) == 0 && strcmp(at, term) == 0)
                        majors[nm++] = plans[p].major;
                }
            }
            if (nm == 0)
                continue;
            int small = t == 1 && strcmp(courses[c].kind, "compulsory") != 0;
            int cap = small ? 10 + 5 * ((c + cohort) % 5) : 40 * nm;
            rc = section(d, c, term, ++numbers[c][t], cap, cohort, majors, nm, err);
        }
    return rc;
}

/* Public electives in both terms, and in 2026-2 one more section of every
   PE course and elective: open to every cohort and major, 10-30 seats. */
static int
open_sections(demo *d, app_err *err)
{
    int rc = 0;
    for (int c = 0; rc == 0 && c < NCOURSES; c++) {
        int pub = strcmp(courses[c].kind, "public_elective") == 0;
        int pe = strcmp(courses[c].kind, "pe") == 0 || strcmp(courses[c].kind, "elective") == 0;
        for (int t = 0; rc == 0 && t < 2 && (pub || pe); t++) {
            if (pe && t == 0)
                continue;
            rc = section(d, c, t == 0 ? "2026-1" : "2026-2", ++numbers[c][t],
                         pub ? 20 + 5 * (c % 3) : 10 + 2 * (c % 6), 0, NULL, 0, err);
        }
    }
    return rc;
}

int
ctl_demo_catalog(db_conn *db, const struct core_env *env, const char *password_hash, app_err *err)
{
    demo d;
    memset(&d, 0, sizeof(d));
    memset(numbers, 0, sizeof(numbers));
    d.db = db;
    d.hash = password_hash;
    d.actor = (core_actor){
        .level = CORE_LEVEL_SCHOOL, .org = DEMO_UNI, .staff_role = CORE_STAFF_REGISTRAR_SECTION};
    d.op =
        (core_op){.actor = &d.actor, .env = env, .arena = app_arena_new(), .today = core_today()};
    int rc = teachers(&d, err);
    if (rc == 0)
        rc = catalog(&d, err);
    if (rc == 0)
        rc = teaching_plans(&d, err);
    for (int t = 0; rc == 0 && t < 2; t++)
        rc = plan_sections(&d, t, err);
    if (rc == 0)
        rc = open_sections(&d, err);
    if (rc == 0)
        printf("\ndemo catalog of %s: %d courses, %d teaching plans (cohorts 2023-2026), %d"
               " sections of 2026-1 and 2026-2; course teachers zyut.teacher1..%d\n",
               DEMO_UNI, NCOURSES, d.nplans, d.nsections, NTEACHERS);
    app_arena_free(d.op.arena);
    return rc;
}
