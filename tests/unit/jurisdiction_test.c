/*
 * tests/unit/jurisdiction_test.c - containment, superiors and the lowest
 * common authority of orgs (DOMAIN §1), on real GB/T 2260 codes.
 */
#include "core/jurisdiction.h"
#include "core/region.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixtures ----------------------------------------------------------- */

/* Schools: code, location, competent authority. */
enum {
    DONGCHENG,   /* 北京 东城区 110101: municipality district, parent 110000 */
    CHAOYANG,    /* 北京 朝阳区 110105 */
    XIANTAO,     /* 湖北 仙桃市 429004: county-level city under the province */
    QIANJIANG,   /* 湖北 潜江市 429005 */
    WUCHANG,     /* 武汉 武昌区 420106 */
    ZY_DIRECT,   /* located in 中原区 410102, managed directly by 郑州 410100 */
    ZY_COUNTY,   /* 中原区 410102, managed by the county */
    ZY_COUNTY2,  /* a second school of 中原区 */
    ERQI,        /* 郑州 二七区 410103 */
    JINSHUI_PRV, /* located in 金水区 410105, managed by the province 410000 */
    JIYUAN,      /* 济源 419001: county-level city under 河南 */
    LONGTING,    /* 开封 龙亭区 410202 */
    DONGGUAN,    /* 东莞 441900: a city without counties */
    DONGGUAN2,   /* another 东莞 school */
    ZHONGSHAN,   /* 中山 442000: another one */
    NANSHAN,     /* 深圳 南山区 440305 */
    NSCHOOLS
};

static const core_school_ref schools[NSCHOOLS] = {
    [DONGCHENG] = {"2111000001", "110101", "110101"},
    [CHAOYANG] = {"2111000002", "110105", "110105"},
    [XIANTAO] = {"2142000001", "429004", "429004"},
    [QIANJIANG] = {"2142000002", "429005", "429005"},
    [WUCHANG] = {"2142000003", "420106", "420106"},
    [ZY_DIRECT] = {"3441000001", "410102", "410100"},
    [ZY_COUNTY] = {"2141000001", "410102", "410102"},
    [ZY_COUNTY2] = {"2141000002", "410102", "410102"},
    [ERQI] = {"2141000003", "410103", "410103"},
    [JINSHUI_PRV] = {"3441000002", "410105", "410000"},
    [JIYUAN] = {"2141000004", "419001", "419001"},
    [LONGTING] = {"2141000005", "410202", "410202"},
    [DONGGUAN] = {"2144000001", "441900", "441900"},
    [DONGGUAN2] = {"2144000002", "441900", "441900"},
    [ZHONGSHAN] = {"2144000003", "442000", "442000"},
    [NANSHAN] = {"2144000004", "440305", "440305"},
};

/* The placeholder city codes of docs/decisions/0002: no region row, no org. */
static const char *const placeholders[] = {
    "110100", "120100", "310100", "500100", "500200", "419000", "429000", "469000", "659000",
};

struct pred_ctx {
    int calls;
    int bad_calls; /* called with something other than a city code */
};

static int
is_org(const char *code6, void *ctx)
{
    struct pred_ctx *pc = ctx;

    pc->calls++;
    if (core_region_code_level(code6, strlen(code6)) != CORE_LEVEL_CITY)
        pc->bad_calls++;
    for (size_t i = 0; i < NELEM(placeholders); i++)
        if (strcmp(code6, placeholders[i]) == 0)
            return 0;
    return 1;
}

static core_actor
actor(core_level level, const char *org)
{
    core_actor a;

    memset(&a, 0, sizeof(a));
    a.user_id = 1;
    a.level = level;
    snprintf(a.org, sizeof(a.org), "%s", org);
    return a;
}

/* ---- org levels --------------------------------------------------------- */

static const struct {
    const char *org;
    core_level want;
} level_rows[] = {
    /* regions */
    {"000000", CORE_LEVEL_MINISTRY},
    {"410000", CORE_LEVEL_PROVINCE},
    {"410100", CORE_LEVEL_CITY},
    {"441900", CORE_LEVEL_CITY},
    {"410102", CORE_LEVEL_COUNTY},
    {"429004", CORE_LEVEL_COUNTY},
    /* schools */
    {"2141000001", CORE_LEVEL_SCHOOL},
    {"3441000001", CORE_LEVEL_SCHOOL},
    /* neither */
    {"9941000001", CORE_LEVEL_NONE}, /* no such category */
    {"2199000001", CORE_LEVEL_NONE}, /* no such province */
    {"214100000", CORE_LEVEL_NONE},
    {"21410000011", CORE_LEVEL_NONE},
    {"214100000a", CORE_LEVEL_NONE},
    {"4101", CORE_LEVEL_NONE},
    {"4101020", CORE_LEVEL_NONE},
    {"", CORE_LEVEL_NONE},
};

START_TEST(test_org_level)
{
    ck_assert_int_eq(core_org_level(level_rows[_i].org), level_rows[_i].want);
}
END_TEST

START_TEST(test_org_level_null)
{
    ck_assert_int_eq(core_org_level(NULL), CORE_LEVEL_NONE);
}
END_TEST

/* ---- region containment ------------------------------------------------- */

static const struct {
    const char *outer, *inner;
    int want;
} contains_rows[] = {
    /* the ministry contains every region, itself included */
    {"000000", "000000", 1},
    {"000000", "110000", 1},
    {"000000", "410102", 1},
    {"000000", "441900", 1},
    {"000000", "650000", 1},
    /* municipalities: districts lie directly under the province */
    {"110000", "110000", 1},
    {"110000", "110101", 1},
    {"110000", "110105", 1},
    {"110000", "120101", 0},
    {"110000", "000000", 0},
    /* province-administered county-level cities */
    {"420000", "429004", 1},
    {"420000", "429005", 1},
    {"420100", "429004", 0},
    {"420100", "420106", 1},
    {"420100", "420000", 0},
    /* a city: its counties and itself */
    {"410100", "410100", 1},
    {"410100", "410102", 1},
    {"410100", "410202", 0},
    {"410100", "410000", 0},
    {"410100", "419001", 0},
    /* a county: only itself */
    {"410102", "410102", 1},
    {"410102", "410103", 0},
    {"410102", "410100", 0},
    {"410102", "410000", 0},
    /* cities without counties */
    {"441900", "441900", 1},
    {"440000", "441900", 1},
    {"440300", "441900", 0},
    /* not region codes */
    {"2141000001", "410102", 0},
    {"410000", "2141000001", 0},
    {"41010", "410102", 0},
    {"410102", "4101020", 0},
    {"abcdef", "abcdef", 0},
    {"990000", "990101", 0},
    {"", "", 0},
};

START_TEST(test_region_contains)
{
    ck_assert_msg(core_region_contains(contains_rows[_i].outer, contains_rows[_i].inner) ==
                      contains_rows[_i].want,
                  "%s contains %s", contains_rows[_i].outer, contains_rows[_i].inner);
}
END_TEST

START_TEST(test_region_contains_null)
{
    ck_assert_int_eq(core_region_contains(NULL, "410102"), 0);
    ck_assert_int_eq(core_region_contains("000000", NULL), 0);
    ck_assert_int_eq(core_region_contains(NULL, NULL), 0);
}
END_TEST

/* ---- what an actor sees ------------------------------------------------- */

static const struct {
    core_level level;
    const char *org;
    int school;
    int want;
} sees_rows[] = {
    /* a directly managed school: its county does not see it, the city up do */
    {CORE_LEVEL_COUNTY, "410102", ZY_DIRECT, 0},
    {CORE_LEVEL_CITY, "410100", ZY_DIRECT, 1},
    {CORE_LEVEL_PROVINCE, "410000", ZY_DIRECT, 1},
    {CORE_LEVEL_MINISTRY, "000000", ZY_DIRECT, 1},
    {CORE_LEVEL_COUNTY, "410103", ZY_DIRECT, 0},
    {CORE_LEVEL_CITY, "410200", ZY_DIRECT, 0},
    /* a province-managed school: neither its county nor its city */
    {CORE_LEVEL_COUNTY, "410105", JINSHUI_PRV, 0},
    {CORE_LEVEL_CITY, "410100", JINSHUI_PRV, 0},
    {CORE_LEVEL_PROVINCE, "410000", JINSHUI_PRV, 1},
    /* ordinary county schools */
    {CORE_LEVEL_COUNTY, "410102", ZY_COUNTY, 1},
    {CORE_LEVEL_COUNTY, "410103", ZY_COUNTY, 0},
    {CORE_LEVEL_CITY, "410100", ZY_COUNTY, 1},
    {CORE_LEVEL_CITY, "410200", ZY_COUNTY, 0},
    {CORE_LEVEL_PROVINCE, "420000", ZY_COUNTY, 0},
    {CORE_LEVEL_PROVINCE, "410000", JIYUAN, 1},
    {CORE_LEVEL_CITY, "410100", JIYUAN, 0},
    /* province-administered county-level cities */
    {CORE_LEVEL_PROVINCE, "420000", XIANTAO, 1},
    {CORE_LEVEL_PROVINCE, "420000", QIANJIANG, 1},
    {CORE_LEVEL_CITY, "420100", XIANTAO, 0},
    {CORE_LEVEL_CITY, "420100", QIANJIANG, 0},
    {CORE_LEVEL_CITY, "420100", WUCHANG, 1},
    {CORE_LEVEL_COUNTY, "429004", XIANTAO, 1},
    {CORE_LEVEL_COUNTY, "429004", QIANJIANG, 0},
    /* municipalities */
    {CORE_LEVEL_PROVINCE, "110000", DONGCHENG, 1},
    {CORE_LEVEL_PROVINCE, "110000", CHAOYANG, 1},
    {CORE_LEVEL_COUNTY, "110101", DONGCHENG, 1},
    {CORE_LEVEL_COUNTY, "110101", CHAOYANG, 0},
    {CORE_LEVEL_PROVINCE, "120000", DONGCHENG, 0},
    /* cities without counties */
    {CORE_LEVEL_CITY, "441900", DONGGUAN, 1},
    {CORE_LEVEL_CITY, "441900", ZHONGSHAN, 0},
    {CORE_LEVEL_CITY, "440300", DONGGUAN, 0},
    {CORE_LEVEL_CITY, "440300", NANSHAN, 1},
    {CORE_LEVEL_PROVINCE, "440000", DONGGUAN, 1},
    /* schools */
    {CORE_LEVEL_SCHOOL, "2141000001", ZY_COUNTY, 1},
    {CORE_LEVEL_SCHOOL, "2141000001", ZY_COUNTY2, 0},
    {CORE_LEVEL_SCHOOL, "3441000001", ZY_DIRECT, 1},
    /* a token whose level contradicts its org grants nothing */
    {CORE_LEVEL_COUNTY, "410100", ZY_COUNTY, 0},
    {CORE_LEVEL_CITY, "410102", ZY_COUNTY, 0},
    {CORE_LEVEL_PROVINCE, "000000", ZY_COUNTY, 0},
    {CORE_LEVEL_MINISTRY, "410000", ZY_COUNTY, 0},
    {CORE_LEVEL_SCHOOL, "410102", ZY_COUNTY, 0},
    {CORE_LEVEL_COUNTY, "2141000001", ZY_COUNTY, 0},
    {CORE_LEVEL_NONE, "000000", ZY_COUNTY, 0},
    {CORE_LEVEL_SCHOOL, "9941000001", ZY_COUNTY, 0},
    {(core_level)9, "000000", ZY_COUNTY, 0},
};

START_TEST(test_sees_school)
{
    core_actor a = actor(sees_rows[_i].level, sees_rows[_i].org);

    ck_assert_msg(core_actor_sees_school(&a, &schools[sees_rows[_i].school]) == sees_rows[_i].want,
                  "%s sees %s", sees_rows[_i].org, schools[sees_rows[_i].school].code);
}
END_TEST

START_TEST(test_ministry_sees_all)
{
    core_actor a = actor(CORE_LEVEL_MINISTRY, "000000");

    for (int i = 0; i < NSCHOOLS; i++)
        ck_assert_msg(core_actor_sees_school(&a, &schools[i]), "school %s", schools[i].code);
}
END_TEST

/* A school sees exactly itself among all fixtures, whatever its location or authority. */
START_TEST(test_school_sees_only_itself)
{
    core_actor a = actor(CORE_LEVEL_SCHOOL, schools[_i].code);

    for (int j = 0; j < NSCHOOLS; j++)
        ck_assert_int_eq(core_actor_sees_school(&a, &schools[j]), j == _i);
}
END_TEST

/* A county sees a school iff it is the school's authority; location alone is not enough. */
START_TEST(test_county_sees_by_authority)
{
    const char *county = schools[_i].county;
    core_actor a = actor(CORE_LEVEL_COUNTY, county);

    if (core_region_code_level(county, 6) != CORE_LEVEL_COUNTY)
        return; /* 东莞 and 中山: the location is a city */
    ck_assert_int_eq(core_actor_sees_school(&a, &schools[_i]),
                     strcmp(county, schools[_i].authority) == 0);
}
END_TEST

START_TEST(test_sees_school_bad_input)
{
    core_actor m = actor(CORE_LEVEL_MINISTRY, "000000");
    core_actor p = actor(CORE_LEVEL_PROVINCE, "410000");
    core_actor s = actor(CORE_LEVEL_SCHOOL, "2141000001");
    core_school_ref no_auth = {"2141000001", "410102", NULL};
    core_school_ref empty_auth = {"2141000001", "410102", ""};
    core_school_ref ministry_auth = {"2141000001", "410102", "000000"};
    core_school_ref bad_auth = {"2141000001", "410102", "41010x"};
    core_school_ref no_code = {NULL, "410102", "410102"};

    ck_assert_int_eq(core_actor_sees_school(NULL, &schools[0]), 0);
    ck_assert_int_eq(core_actor_sees_school(&m, NULL), 0);
    /* the ministry sees every school, even one with broken data */
    ck_assert_int_eq(core_actor_sees_school(&m, &no_auth), 1);
    ck_assert_int_eq(core_actor_sees_school(&m, &bad_auth), 1);
    /* below it, no valid authority means nobody sees it (the county is not assumed) */
    ck_assert_int_eq(core_actor_sees_school(&p, &no_auth), 0);
    ck_assert_int_eq(core_actor_sees_school(&p, &empty_auth), 0);
    ck_assert_int_eq(core_actor_sees_school(&p, &ministry_auth), 0);
    ck_assert_int_eq(core_actor_sees_school(&p, &bad_auth), 0);
    ck_assert_int_eq(core_actor_sees_school(&s, &no_code), 0);
    /* the school actor compares codes only */
    ck_assert_int_eq(core_actor_sees_school(&s, &no_auth), 1);
}
END_TEST

/* An org without a NUL in its 11 bytes is not read past its end. */
START_TEST(test_sees_unterminated_org)
{
    core_actor a = actor(CORE_LEVEL_SCHOOL, "");

    memset(a.org, '2', sizeof(a.org));
    ck_assert_int_eq(core_actor_sees_school(&a, &schools[ZY_COUNTY]), 0);
    ck_assert_int_eq(core_actor_sees_region(&a, "410102"), 0);
}
END_TEST

/* Staff roles do not change what the org sees. */
START_TEST(test_sees_ignores_staff_scope)
{
    core_actor a = actor(CORE_LEVEL_SCHOOL, "2141000001");

    a.staff_role = CORE_STAFF_HEAD_TEACHER;
    a.nclasses = 2;
    a.classes[0] = 7;
    a.classes[1] = 8;
    ck_assert_int_eq(core_actor_sees_school(&a, &schools[ZY_COUNTY]), 1);
    a.staff_role = CORE_STAFF_GRADE_LEADER;
    a.grade = 13;
    ck_assert_int_eq(core_actor_sees_school(&a, &schools[ZY_COUNTY2]), 0);
}
END_TEST

static const struct {
    core_level level;
    const char *org;
    const char *code;
    int want;
} region_rows[] = {
    {CORE_LEVEL_MINISTRY, "000000", "650000", 1},
    {CORE_LEVEL_MINISTRY, "000000", "000000", 1},
    {CORE_LEVEL_PROVINCE, "110000", "110101", 1},
    {CORE_LEVEL_PROVINCE, "110000", "110000", 1},
    {CORE_LEVEL_PROVINCE, "110000", "000000", 0},
    {CORE_LEVEL_PROVINCE, "420000", "429004", 1},
    {CORE_LEVEL_CITY, "420100", "429004", 0},
    {CORE_LEVEL_CITY, "410100", "410102", 1},
    {CORE_LEVEL_CITY, "410100", "410000", 0},
    {CORE_LEVEL_COUNTY, "410102", "410102", 1},
    {CORE_LEVEL_COUNTY, "410102", "410100", 0},
    {CORE_LEVEL_COUNTY, "410102", "410103", 0},
    {CORE_LEVEL_CITY, "441900", "441900", 1},
    {CORE_LEVEL_SCHOOL, "2141000001", "410102", 0}, /* its own location */
    {CORE_LEVEL_SCHOOL, "2141000001", "2141000001", 0},
    {CORE_LEVEL_COUNTY, "410100", "410102", 0}, /* level contradicts org */
    {CORE_LEVEL_PROVINCE, "410000", "2141000001", 0},
    {CORE_LEVEL_PROVINCE, "410000", "4101", 0},
};

START_TEST(test_sees_region)
{
    core_actor a = actor(region_rows[_i].level, region_rows[_i].org);

    ck_assert_msg(core_actor_sees_region(&a, region_rows[_i].code) == region_rows[_i].want,
                  "%s sees %s", region_rows[_i].org, region_rows[_i].code);
}
END_TEST

START_TEST(test_sees_region_null)
{
    core_actor a = actor(CORE_LEVEL_MINISTRY, "000000");

    ck_assert_int_eq(core_actor_sees_region(NULL, "410102"), 0);
    ck_assert_int_eq(core_actor_sees_region(&a, NULL), 0);
}
END_TEST

/* ---- superiors ---------------------------------------------------------- */

static const struct {
    const char *sup, *sub;
    int want;
} superior_rows[] = {
    /* the ministry: above every region but itself */
    {"000000", "410000", 1},
    {"000000", "410100", 1},
    {"000000", "410102", 1},
    {"000000", "429004", 1},
    {"000000", "441900", 1},
    {"000000", "000000", 0},
    /* a province: its cities and counties, also those under a placeholder */
    {"410000", "410100", 1},
    {"410000", "410102", 1},
    {"410000", "419001", 1},
    {"420000", "429004", 1},
    {"110000", "110101", 1},
    {"440000", "441900", 1},
    {"410000", "410000", 0},
    {"410000", "420000", 0},
    {"410000", "420106", 0}, /* another province's county */
    {"410000", "000000", 0},
    /* a city: its counties only */
    {"410100", "410102", 1},
    {"410100", "410100", 0},
    {"410100", "410202", 0},
    {"410100", "410000", 0},
    {"420100", "429004", 0},
    {"441900", "441900", 0},
    /* a county: no region */
    {"410102", "410103", 0}, /* sibling county */
    {"410102", "410102", 0},
    {"410102", "410100", 0},
    /* not region orgs */
    {"2141000001", "410102", 0}, /* a school is above nothing */
    {"410102", "2141000001", 0}, /* schools go through ..._of_school */
    {"41000", "410100", 0},
    {"", "", 0},
};

START_TEST(test_superior)
{
    ck_assert_msg(core_org_is_superior(superior_rows[_i].sup, superior_rows[_i].sub) ==
                      superior_rows[_i].want,
                  "%s above %s", superior_rows[_i].sup, superior_rows[_i].sub);
}
END_TEST

START_TEST(test_superior_null)
{
    ck_assert_int_eq(core_org_is_superior(NULL, "410102"), 0);
    ck_assert_int_eq(core_org_is_superior("000000", NULL), 0);
    ck_assert_int_eq(core_org_is_superior_of_school(NULL, &schools[ZY_COUNTY]), 0);
    ck_assert_int_eq(core_org_is_superior_of_school("000000", NULL), 0);
}
END_TEST

static const struct {
    const char *sup;
    int school;
    int want;
} superior_school_rows[] = {
    {"410102", ZY_COUNTY, 1}, /* its authority */
    {"410103", ZY_COUNTY, 0},
    {"410100", ZY_COUNTY, 1},
    {"410000", ZY_COUNTY, 1},
    {"000000", ZY_COUNTY, 1},
    {"420000", ZY_COUNTY, 0},
    {"410102", ZY_DIRECT, 0}, /* located there, managed by the city */
    {"410100", ZY_DIRECT, 1},
    {"410100", JINSHUI_PRV, 0},
    {"410000", JINSHUI_PRV, 1},
    {"420000", XIANTAO, 1},
    {"420100", XIANTAO, 0},
    {"441900", DONGGUAN, 1},
    {"2141000001", ZY_COUNTY, 0}, /* not even itself */
    {"2141000001", ZY_COUNTY2, 0},
};

START_TEST(test_superior_of_school)
{
    ck_assert_int_eq(core_org_is_superior_of_school(superior_school_rows[_i].sup,
                                                    &schools[superior_school_rows[_i].school]),
                     superior_school_rows[_i].want);
}
END_TEST

/* ministry > province > city > county > the county's school: a strict order. */
START_TEST(test_superior_chain)
{
    static const char *const chain[] = {"000000", "410000", "410100", "410102"};

    for (size_t i = 0; i < NELEM(chain); i++) {
        ck_assert(core_org_is_superior_of_school(chain[i], &schools[ZY_COUNTY]));
        for (size_t j = 0; j < NELEM(chain); j++)
            ck_assert_msg(core_org_is_superior(chain[i], chain[j]) == (i < j), "%s above %s",
                          chain[i], chain[j]);
    }
}
END_TEST

/* ---- lowest common authority -------------------------------------------- */

static const struct {
    int a, b;
    int pred; /* 1: is_org knows the placeholders; 0: NULL predicate */
    const char *want;
} lca_rows[] = {
    /* municipalities: 110100 is no org */
    {DONGCHENG, CHAOYANG, 1, "110000"},
    {DONGCHENG, CHAOYANG, 0, "110100"}, /* what goes wrong without the predicate */
    /* province-administered county-level cities: 429000 is no org */
    {XIANTAO, QIANJIANG, 1, "420000"},
    {XIANTAO, QIANJIANG, 0, "429000"},
    {XIANTAO, WUCHANG, 1, "420000"},
    {JIYUAN, ZY_COUNTY, 1, "410000"},
    /* a directly managed school and a county school of the same city */
    {ZY_DIRECT, ERQI, 1, "410100"},
    {ZY_DIRECT, ERQI, 0, "410100"},
    {ZY_DIRECT, ZY_COUNTY, 1, "410100"}, /* same location, different authorities */
    {ZY_DIRECT, JINSHUI_PRV, 1, "410000"},
    {ZY_COUNTY, JINSHUI_PRV, 1, "410000"},
    /* same county, same city, same province, different provinces */
    {ZY_COUNTY, ZY_COUNTY2, 1, "410102"},
    {ZY_COUNTY, ZY_COUNTY, 1, "410102"},
    {ZY_DIRECT, ZY_DIRECT, 1, "410100"},
    {JINSHUI_PRV, JINSHUI_PRV, 1, "410000"},
    {ZY_COUNTY, ERQI, 1, "410100"},
    {ZY_COUNTY, LONGTING, 1, "410000"},
    {ZY_COUNTY, LONGTING, 0, "410000"},
    {ZY_COUNTY, DONGCHENG, 1, "000000"},
    {XIANTAO, DONGGUAN, 1, "000000"},
    {DONGCHENG, DONGCHENG, 1, "110101"},
    /* cities without counties */
    {DONGGUAN, DONGGUAN2, 1, "441900"},
    {DONGGUAN, ZHONGSHAN, 1, "440000"},
    {DONGGUAN, NANSHAN, 1, "440000"},
};

START_TEST(test_lca)
{
    struct pred_ctx ctx = {0};
    char out[16];
    const core_school_ref *a = &schools[lca_rows[_i].a], *b = &schools[lca_rows[_i].b];
    core_is_org_fn fn = lca_rows[_i].pred ? is_org : NULL;

    /* both orders give the same answer */
    for (int swap = 0; swap < 2; swap++) {
        memset(out, '#', sizeof(out));
        core_lowest_common_authority(swap ? b : a, swap ? a : b, fn, &ctx, out);
        ck_assert_msg(strcmp(out, lca_rows[_i].want) == 0, "lca(%s, %s) = %s, want %s",
                      (swap ? b : a)->code, (swap ? a : b)->code, out, lca_rows[_i].want);
        ck_assert_int_eq(out[7], '#'); /* writes exactly 7 bytes */
    }
    ck_assert_int_eq(ctx.bad_calls, 0);
    if (!lca_rows[_i].pred)
        ck_assert_int_eq(ctx.calls, 0);
}
END_TEST

/* The predicate gets the shared city code and the caller's ctx. */
START_TEST(test_lca_predicate_ctx)
{
    struct pred_ctx ctx = {0};
    char out[7];

    core_lowest_common_authority(&schools[ZY_COUNTY], &schools[ERQI], is_org, &ctx, out);
    ck_assert_str_eq(out, "410100");
    ck_assert_int_eq(ctx.calls, 1);
    /* no shared city: not asked */
    core_lowest_common_authority(&schools[ZY_COUNTY], &schools[LONGTING], is_org, &ctx, out);
    ck_assert_int_eq(ctx.calls, 1);
    /* same authority: not asked */
    core_lowest_common_authority(&schools[ZY_COUNTY], &schools[ZY_COUNTY2], is_org, &ctx, out);
    ck_assert_int_eq(ctx.calls, 1);
}
END_TEST

START_TEST(test_lca_bad_authority)
{
    core_school_ref no_auth = {"2141000009", "410102", NULL};
    core_school_ref short_auth = {"2141000009", "410102", "41010"};
    core_school_ref ministry_auth = {"2141000009", "410102", "000000"};
    char out[7];

    core_lowest_common_authority(&no_auth, &schools[ZY_COUNTY], NULL, NULL, out);
    ck_assert_str_eq(out, "000000");
    core_lowest_common_authority(&schools[ZY_COUNTY], &short_auth, NULL, NULL, out);
    ck_assert_str_eq(out, "000000");
    core_lowest_common_authority(&ministry_auth, &ministry_auth, NULL, NULL, out);
    ck_assert_str_eq(out, "000000");
}
END_TEST

/* The LCA sees both schools, and no bureau strictly below it sees both. */
START_TEST(test_lca_is_lowest)
{
    static const char *const bureaus[] = {
        "000000", "110000", "110101", "110105", "420000", "420100", "420106", "429004",
        "429005", "410000", "410100", "410102", "410103", "410105", "419001", "410200",
        "410202", "440000", "440300", "440305", "441900", "442000",
    };
    struct pred_ctx ctx = {0};
    char lca[7];

    for (int j = 0; j < NSCHOOLS; j++) {
        const core_school_ref *a = &schools[_i], *b = &schools[j];

        core_lowest_common_authority(a, b, is_org, &ctx, lca);
        ck_assert(core_org_is_superior_of_school(lca, a));
        ck_assert(core_org_is_superior_of_school(lca, b));
        for (size_t k = 0; k < NELEM(bureaus); k++)
            if (core_org_is_superior(lca, bureaus[k]))
                ck_assert_msg(!(core_org_is_superior_of_school(bureaus[k], a) &&
                                core_org_is_superior_of_school(bureaus[k], b)),
                              "%s is below lca(%s, %s) = %s and sees both", bureaus[k], a->code,
                              b->code, lca);
    }
}
END_TEST

/* ---- staff roles -------------------------------------------------------- */

static const struct {
    core_staff_role role;
    const char *name;
} role_rows[] = {
    {CORE_STAFF_REGISTRAR, "registrar"},
    {CORE_STAFF_GRADE_LEADER, "grade_leader"},
    {CORE_STAFF_HEAD_TEACHER, "head_teacher"},
};

START_TEST(test_role_name)
{
    ck_assert_str_eq(core_staff_role_name(role_rows[_i].role), role_rows[_i].name);
    ck_assert_int_eq(core_staff_role_from_name(role_rows[_i].name), role_rows[_i].role);
}
END_TEST

static const char *const bad_roles[] = {
    "",        "none", "Registrar", "REGISTRAR", "grade-leader", "head teacher", "head_teacherx",
    "teacher",
};

START_TEST(test_role_bad)
{
    ck_assert_int_eq(core_staff_role_from_name(bad_roles[_i]), CORE_STAFF_NONE);
}
END_TEST

START_TEST(test_role_none)
{
    ck_assert_int_eq(CORE_STAFF_NONE, 0);
    ck_assert_int_eq(core_staff_role_from_name(NULL), CORE_STAFF_NONE);
    ck_assert_ptr_null(core_staff_role_name(CORE_STAFF_NONE));
    ck_assert_ptr_null(core_staff_role_name((core_staff_role)(CORE_STAFF_LAST + 1)));
    ck_assert_ptr_null(core_staff_role_name((core_staff_role)-1));
}
END_TEST

static Suite *
jurisdiction_suite(void)
{
    Suite *s = suite_create("jurisdiction");
    TCase *tc;

    tc = tcase_create("levels");
    tcase_add_loop_test(tc, test_org_level, 0, NELEM(level_rows));
    tcase_add_test(tc, test_org_level_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("contains");
    tcase_add_loop_test(tc, test_region_contains, 0, NELEM(contains_rows));
    tcase_add_test(tc, test_region_contains_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("sees");
    tcase_add_loop_test(tc, test_sees_school, 0, NELEM(sees_rows));
    tcase_add_test(tc, test_ministry_sees_all);
    tcase_add_loop_test(tc, test_school_sees_only_itself, 0, NSCHOOLS);
    tcase_add_loop_test(tc, test_county_sees_by_authority, 0, NSCHOOLS);
    tcase_add_test(tc, test_sees_school_bad_input);
    tcase_add_test(tc, test_sees_unterminated_org);
    tcase_add_test(tc, test_sees_ignores_staff_scope);
    tcase_add_loop_test(tc, test_sees_region, 0, NELEM(region_rows));
    tcase_add_test(tc, test_sees_region_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("superior");
    tcase_add_loop_test(tc, test_superior, 0, NELEM(superior_rows));
    tcase_add_test(tc, test_superior_null);
    tcase_add_loop_test(tc, test_superior_of_school, 0, NELEM(superior_school_rows));
    tcase_add_test(tc, test_superior_chain);
    suite_add_tcase(s, tc);

    tc = tcase_create("lca");
    tcase_add_loop_test(tc, test_lca, 0, NELEM(lca_rows));
    tcase_add_test(tc, test_lca_predicate_ctx);
    tcase_add_test(tc, test_lca_bad_authority);
    tcase_add_loop_test(tc, test_lca_is_lowest, 0, NSCHOOLS);
    suite_add_tcase(s, tc);

    tc = tcase_create("staff_roles");
    tcase_add_loop_test(tc, test_role_name, 0, NELEM(role_rows));
    tcase_add_loop_test(tc, test_role_bad, 0, NELEM(bad_roles));
    tcase_add_test(tc, test_role_none);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(jurisdiction_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
