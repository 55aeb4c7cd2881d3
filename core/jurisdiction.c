/*
 * core/jurisdiction.c - containment of orgs by GB/T 2260 prefixes.
 */
#include "core/jurisdiction.h"

#include "core/schoolcode.h"

#include <assert.h>
#include <string.h>

static const char ministry[] = "000000";

static const char *const role_names[] = {
    [CORE_STAFF_REGISTRAR] = "registrar",
    [CORE_STAFF_GRADE_LEADER] = "grade_leader",
    [CORE_STAFF_HEAD_TEACHER] = "head_teacher",
    [CORE_STAFF_COLLEGE_OFFICE] = "college_office",
    [CORE_STAFF_TEACHING_VICE_DEAN] = "teaching_vice_dean",
    [CORE_STAFF_DEAN] = "dean",
    [CORE_STAFF_COURSE_TEACHER] = "course_teacher",
    [CORE_STAFF_REGISTRAR_SECTION] = "registrar_section",
    [CORE_STAFF_REGISTRAR_DEPUTY_HEAD] = "registrar_deputy_head",
    [CORE_STAFF_REGISTRAR_HEAD] = "registrar_head",
    [CORE_STAFF_VICE_PRESIDENT] = "vice_president",
    [CORE_STAFF_STUDENT_AFFAIRS] = "student_affairs",
    [CORE_STAFF_ADMISSIONS] = "admissions",
};

static const char *const role_labels[] = {
    [CORE_STAFF_REGISTRAR] = "学籍管理员",
    [CORE_STAFF_GRADE_LEADER] = "年级组长",
    [CORE_STAFF_HEAD_TEACHER] = "班主任",
    [CORE_STAFF_COLLEGE_OFFICE] = "学院教务办公室",
    [CORE_STAFF_TEACHING_VICE_DEAN] = "学院教学院长",
    [CORE_STAFF_DEAN] = "学院院长",
    [CORE_STAFF_COURSE_TEACHER] = "任课教师",
    [CORE_STAFF_REGISTRAR_SECTION] = "教务处教务科",
    [CORE_STAFF_REGISTRAR_DEPUTY_HEAD] = "教务处主管处长",
    [CORE_STAFF_REGISTRAR_HEAD] = "教务处处长",
    [CORE_STAFF_VICE_PRESIDENT] = "主管校长",
    [CORE_STAFF_STUDENT_AFFAIRS] = "学生处",
    [CORE_STAFF_ADMISSIONS] = "招生就业处",
};

/*
 * The level of a NUL-terminated six-digit region code. strnlen() bounds the
 * read so that a long or unterminated string is simply "not a code".
 */
static core_level
region_level(const char *code)
{
    if (code == NULL)
        return CORE_LEVEL_NONE;
    return core_region_code_level(code, strnlen(code, 7));
}

core_level
core_org_level(const char *org)
{
    core_school_code sc;
    size_t n;

    if (org == NULL)
        return CORE_LEVEL_NONE;
    n = strnlen(org, 11);
    if (n == 10)
        return core_school_code_parse(org, n, &sc, NULL) == 0 ? CORE_LEVEL_SCHOOL : CORE_LEVEL_NONE;
    return core_region_code_level(org, n);
}

/* How many leading digits a region org of `level` shares with what it contains. */
static size_t
prefix_len(core_level level)
{
    switch (level) {
    case CORE_LEVEL_MINISTRY:
        return 0;
    case CORE_LEVEL_PROVINCE:
        return 2;
    case CORE_LEVEL_CITY:
        return 4;
    case CORE_LEVEL_COUNTY:
        return 6;
    default:
        break;
    }
    assert(!"not a region level");
    return 6;
}

int
core_region_contains(const char *outer, const char *inner)
{
    core_level lo = region_level(outer);

    if (lo == CORE_LEVEL_NONE || region_level(inner) == CORE_LEVEL_NONE)
        return 0;
    return memcmp(outer, inner, prefix_len(lo)) == 0;
}

/* The school's competent authority if it is a valid bureau code below the ministry, else NULL. */
static const char *
authority_of(const core_school_ref *s)
{
    core_level l = region_level(s->authority);

    if (l == CORE_LEVEL_NONE || l == CORE_LEVEL_MINISTRY)
        return NULL;
    return s->authority;
}

/*
 * The actor's level, or CORE_LEVEL_NONE when the claimed level does not
 * match the org's shape: such a token grants nothing.
 */
static core_level
actor_level(const core_actor *a)
{
    if (memchr(a->org, '\0', sizeof(a->org)) == NULL)
        return CORE_LEVEL_NONE;
    if (a->level == CORE_LEVEL_NONE || core_org_level(a->org) != a->level)
        return CORE_LEVEL_NONE;
    return a->level;
}

int
core_actor_sees_school(const core_actor *a, const core_school_ref *s)
{
    core_level l;

    if (a == NULL || s == NULL)
        return 0;
    l = actor_level(a);
    if (l == CORE_LEVEL_NONE)
        return 0;
    if (l == CORE_LEVEL_SCHOOL)
        return s->code != NULL && strcmp(a->org, s->code) == 0;
    return core_org_is_superior_of_school(a->org, s);
}

int
core_actor_sees_region(const core_actor *a, const char *code)
{
    core_level l;

    if (a == NULL)
        return 0;
    l = actor_level(a);
    if (l == CORE_LEVEL_NONE || l == CORE_LEVEL_SCHOOL)
        return 0;
    return core_region_contains(a->org, code);
}

int
core_org_is_superior(const char *superior, const char *sub)
{
    /* core_region_contains() has checked both are six-digit codes. */
    return core_region_contains(superior, sub) && memcmp(superior, sub, 6) != 0;
}

int
core_org_is_superior_of_school(const char *superior, const core_school_ref *s)
{
    const char *auth;
    core_level l = region_level(superior);

    if (s == NULL || l == CORE_LEVEL_NONE)
        return 0;
    if (l == CORE_LEVEL_MINISTRY)
        return 1;
    auth = authority_of(s);
    return auth != NULL && core_region_contains(superior, auth);
}

void
core_lowest_common_authority(const core_school_ref *a, const core_school_ref *b,
                             core_is_org_fn is_org, void *ctx, char out_code[7])
{
    const char *x, *y;
    char cx[7], cy[7];

    assert(a != NULL && b != NULL && out_code != NULL);
    x = authority_of(a);
    y = authority_of(b);
    if (x == NULL || y == NULL) {
        memcpy(out_code, ministry, sizeof(ministry));
        return;
    }
    if (memcmp(x, y, 6) == 0) {
        memcpy(out_code, x, 6);
        out_code[6] = '\0';
        return;
    }
    /*
     * Only a city-level result needs the predicate: a province's "city" is
     * the province itself, and two different counties under a placeholder
     * (110101, 110105 -> 110100) share a city code that is no org.
     */
    core_region_city_of(x, cx);
    core_region_city_of(y, cy);
    if (memcmp(cx, cy, 6) == 0 && region_level(cx) == CORE_LEVEL_CITY &&
        (is_org == NULL || is_org(cx, ctx))) {
        memcpy(out_code, cx, sizeof(cx));
        return;
    }
    if (memcmp(x, y, 2) == 0) {
        core_region_province_of(x, out_code);
        return;
    }
    memcpy(out_code, ministry, sizeof(ministry));
}

const char *
core_staff_role_name(core_staff_role role)
{
    /* Compare as int: an out-of-range value must not index the table. */
    int i = (int)role;

    if (i <= (int)CORE_STAFF_NONE || i > (int)CORE_STAFF_LAST)
        return NULL;
    return role_names[i];
}

const char *
core_staff_role_label(core_staff_role role)
{
    int i = (int)role;

    if (i <= (int)CORE_STAFF_NONE || i > (int)CORE_STAFF_LAST)
        return NULL;
    return role_labels[i];
}

int
core_staff_role_university(core_staff_role role)
{
    return (int)role >= (int)CORE_STAFF_COLLEGE_OFFICE && (int)role <= (int)CORE_STAFF_LAST;
}

int
core_staff_role_college_scoped(core_staff_role role)
{
    return (int)role >= (int)CORE_STAFF_COLLEGE_OFFICE &&
           (int)role <= (int)CORE_STAFF_COURSE_TEACHER;
}

core_staff_role
core_staff_role_from_name(const char *name)
{
    if (name == NULL)
        return CORE_STAFF_NONE;
    for (int i = CORE_STAFF_REGISTRAR; i <= CORE_STAFF_LAST; i++)
        if (strcmp(name, role_names[i]) == 0)
            return (core_staff_role)i;
    return CORE_STAFF_NONE;
}
