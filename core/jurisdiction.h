/*
 * core/jurisdiction.h - who may see and manage what (DOMAIN §1, §8).
 *
 * Orgs are codes: the ministry "000000", a province PP0000, a city PPCC00, a
 * county PPCCDD (GB/T 2260) and a school its 10-digit 学校标识码. Containment
 * is judged by code prefixes, which is sound because placeholder city rows
 * (市辖区, 省直辖县级行政区划, ... see docs/decisions/0002) are never orgs: no
 * actor holds 110100 or 429000, so a prefix test never grants one. The one
 * place where placeholders matter is the lowest common authority, which
 * must skip them; the caller says which city codes are real (the region
 * table knows).
 *
 * A school is located in a county (or, in 东莞 441900, 中山 442000 and 儋州
 * 460400, in a city without counties) and has a competent authority: its
 * county bureau, or a city or province bureau that manages it directly
 * (直管学校). Jurisdiction follows the AUTHORITY, never the location.
 *
 * Pure: no I/O, no allocation, thread-safe. Every string argument may be
 * NULL or malformed; such input never matches (fail closed).
 */
#ifndef CORE_JURISDICTION_H
#define CORE_JURISDICTION_H

#include "core/region.h"

#define CORE_ACTOR_MAX_CLASSES 32

/*
 * School staff roles (DOMAIN §31) and the offices of a university
 * (docs/decisions/0032, UNIVERSITY.md "Who is who"). Stored and compared as
 * ints. The university roles from CORE_STAFF_COLLEGE_OFFICE to
 * CORE_STAFF_COURSE_TEACHER belong to one college (core_actor.college);
 * the others to the whole university.
 */
typedef enum {
    CORE_STAFF_NONE = 0,         /* a bureau user, or a school user with no staff role */
    CORE_STAFF_REGISTRAR = 1,    /* 学籍管理员: the whole school */
    CORE_STAFF_GRADE_LEADER = 2, /* 年级组长: one grade */
    CORE_STAFF_HEAD_TEACHER = 3, /* 班主任: own classes */
    /* university, one college */
    CORE_STAFF_COLLEGE_OFFICE = 4,     /* 学院教务办公室 */
    CORE_STAFF_TEACHING_VICE_DEAN = 5, /* 学院教学院长 */
    CORE_STAFF_DEAN = 6,               /* 学院院长 */
    CORE_STAFF_COURSE_TEACHER = 7,     /* 任课教师 */
    /* university, the whole university */
    CORE_STAFF_REGISTRAR_SECTION = 8,     /* 教务处教务科 */
    CORE_STAFF_REGISTRAR_DEPUTY_HEAD = 9, /* 教务处主管处长 */
    CORE_STAFF_REGISTRAR_HEAD = 10,       /* 教务处处长 */
    CORE_STAFF_VICE_PRESIDENT = 11,       /* 主管校长 */
    CORE_STAFF_STUDENT_AFFAIRS = 12,      /* 学生处 */
    CORE_STAFF_ADMISSIONS = 13,           /* 招生就业处 */
} core_staff_role;
#define CORE_STAFF_LAST CORE_STAFF_ADMISSIONS

/* A school as jurisdiction checks need it. All strings borrowed. */
typedef struct core_school_ref {
    const char *code;      /* 学校标识码, 10 digits */
    const char *county;    /* location: a county code, or a city without counties */
    const char *authority; /* competent authority: a county, city or province code */
} core_school_ref;

/* The caller of an operation, from the access token. Stack-allocated. */
typedef struct core_actor {
    long long user_id;
    core_level level;           /* CORE_LEVEL_SCHOOL .. CORE_LEVEL_MINISTRY */
    char org[11];               /* region code (6 digits) or school code (10), NUL-terminated */
    core_staff_role staff_role; /* school users only; CORE_STAFF_NONE otherwise */
    int grade;                  /* a grade leader's grade code (e.g. 13); 0 otherwise */
    int nclasses;               /* a head teacher's classes: 0..CORE_ACTOR_MAX_CLASSES */
    long long classes[CORE_ACTOR_MAX_CLASSES];
    long long college;    /* a college-scoped university role's college (uni_college.id); 0 else */
    long long student_id; /* a student signed in (role student): their record; 0 otherwise.
                             Such an actor has level CORE_LEVEL_NONE and its university's code
                             as org, so that no rule written for staff or bureaus grants it
                             anything (fail closed); only core/uni_me.h serves it. */
} core_actor;

/*
 * Tells whether six-digit city code `code6` (PPCC00) is a real org, i.e. has
 * a row in the region table. `ctx` is the caller's.
 */
typedef int (*core_is_org_fn)(const char *code6, void *ctx);

/*
 * The level of an org code: a valid school code (core_school_code_parse())
 * -> CORE_LEVEL_SCHOOL; a six-digit code -> core_region_code_level();
 * anything else, and NULL -> CORE_LEVEL_NONE. Format only.
 */
core_level core_org_level(const char *org);

/*
 * 1 if region org `outer` (ministry, province, city or county code)
 * contains region code `inner` (any level), by GB/T 2260 prefixes: the
 * ministry contains every region code, PP0000 every PPxxxx, PPCC00 every
 * PPCCxx, a county only itself. Containment is reflexive. 0 if either is
 * not a six-digit region code (a school code is not one).
 */
int core_region_contains(const char *outer, const char *inner);

/*
 * 1 if the actor's org contains school `s`. A bureau contains a school whose
 * competent AUTHORITY lies within its region (core_region_contains()), so a
 * county does not see a school in its territory that its city manages
 * directly; the ministry sees every school. A school org contains only
 * itself (equal codes). Staff roles do not narrow this; check them apart.
 * 0 when `a` or `s` is NULL, when a->level does not match
 * core_org_level(a->org) (a token that contradicts itself), or when a
 * bureau other than the ministry meets a school whose authority is not a
 * county, city or province code (NULL authority included: the default
 * "its county" is the database's to fill in, not guessed here).
 */
int core_actor_sees_school(const core_actor *a, const core_school_ref *s);

/*
 * 1 if the actor is a bureau whose region contains region `code`
 * (core_region_contains()). A school actor sees no region. 0 as well for
 * NULL arguments and an actor whose level contradicts its org.
 */
int core_actor_sees_region(const core_actor *a, const char *code);

/*
 * 1 if org `superior` is strictly above region org `sub`: it contains `sub`
 * and is not equal to it. The ministry is above every province, city and
 * county; a province above its cities and counties (including those under
 * a placeholder city, such as 429004 under 420000); a city above its
 * counties; a county above no region; nothing is above itself; a school
 * is above nothing. Used for "a superior manages the accounts of the level
 * below" (DOMAIN §29). `sub` must be a six-digit region code; a school code
 * gives 0 (use core_org_is_superior_of_school(), which needs the authority).
 */
int core_org_is_superior(const char *superior, const char *sub);

/*
 * 1 if org `superior` is a bureau above school `s`: one whose region
 * contains the school's competent authority (so the authority itself, and
 * every bureau above it), or the ministry. A county is not above a school
 * in its territory that its city manages directly. A school is above
 * nothing, not even itself.
 */
int core_org_is_superior_of_school(const char *superior, const core_school_ref *s);

/*
 * The lowest common authority of two schools (DOMAIN §1), from their
 * AUTHORITY codes: the same authority -> it; else the same real city ->
 * the city; else the same province -> the province; else the ministry
 * "000000". The shared city PPCC00 counts only when it is an org: it is
 * skipped (to the province) when `is_org` returns 0 for it, as for the
 * placeholders 110100 and 429000. `is_org` NULL treats every PPCC00 as an
 * org; `ctx` is passed to it. A school whose authority is not a county,
 * city or province code gives "000000". Writes six digits and a NUL to `out_code`. `a` and `b` must
 * not be NULL.
 */
void core_lowest_common_authority(const core_school_ref *a, const core_school_ref *b,
                                  core_is_org_fn is_org, void *ctx, char out_code[7]);

/*
 * The stable name of a staff role: "registrar", "grade_leader",
 * "head_teacher", and the university roles "college_office",
 * "teaching_vice_dean", "dean", "course_teacher", "registrar_section",
 * "registrar_deputy_head", "registrar_head", "vice_president",
 * "student_affairs", "admissions". NULL for CORE_STAFF_NONE and out-of-range
 * values. Static.
 */
const char *core_staff_role_name(core_staff_role role);

/*
 * The role named `name` (exact, case-sensitive match of
 * core_staff_role_name()). CORE_STAFF_NONE if `name` is NULL or names no role.
 */
core_staff_role core_staff_role_from_name(const char *name);

/* 1 if `role` is an office of a university (CORE_STAFF_COLLEGE_OFFICE and after). */
int core_staff_role_university(core_staff_role role);

/* 1 if `role` belongs to one college (college office, teaching vice-dean,
   dean, course teacher). */
int core_staff_role_college_scoped(core_staff_role role);

/* The Chinese name of a staff role (学籍管理员, 学院教务办公室, 教务处处长, ...),
   static; NULL where core_staff_role_name() is NULL. */
const char *core_staff_role_label(core_staff_role role);

#endif
