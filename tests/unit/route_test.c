/*
 * tests/unit/route_test.c - who holds each approval step (workflow/route.c,
 * DOMAIN §5 table and rule 14), branch by branch, on real GB/T 2260 codes.
 * A route is written as its steps "org>escalate_to".
 */
#include "core/jurisdiction.h"
#include "core/region.h"
#include "workflow/defs.h"
#include "workflow/route.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixtures ----------------------------------------------------------- */

/* Schools: code and competent authority. */
enum {
    NOSCHOOL,  /* other.code NULL */
    ZY,        /* 郑州 中原区 410102, a county school */
    ZY2,       /* a second school of 中原区 */
    ERQI,      /* 郑州 二七区 410103 */
    LONGTING,  /* 开封 龙亭区 410202 */
    ZZ_DIRECT, /* managed directly by the city 郑州 410100 */
    HN_PRV,    /* managed directly by the province 河南 410000 */
    JIYUAN,    /* 济源 419001, under the placeholder 419000 */
    DONGCHENG, /* 北京 东城区 110101: 110100 is no org */
    XICHENG,   /* 北京 西城区 110102 */
    XIANTAO,   /* 湖北 仙桃 429004, under the placeholder 429000 */
    QIANJIANG, /* 湖北 潜江 429005 */
    WUCHANG,   /* 武汉 武昌区 420106 */
    HB_PRV,    /* managed directly by the province 湖北 420000 */
    DONGGUAN,  /* 东莞 441900: a city without counties */
    DONGGUAN2, /* another 东莞 school */
    NANSHAN,   /* 深圳 南山区 440305 */
    NSCHOOLS
};

static const wf_place schools[NSCHOOLS] = {
    [NOSCHOOL] = {NULL, NULL},
    [ZY] = {"2141000001", "410102"},
    [ZY2] = {"2141000002", "410102"},
    [ERQI] = {"2141000003", "410103"},
    [LONGTING] = {"2141000005", "410202"},
    [ZZ_DIRECT] = {"3441000001", "410100"},
    [HN_PRV] = {"3441000002", "410000"},
    [JIYUAN] = {"2141000004", "419001"},
    [DONGCHENG] = {"2111000001", "110101"},
    [XICHENG] = {"2111000002", "110102"},
    [XIANTAO] = {"2142000001", "429004"},
    [QIANJIANG] = {"2142000002", "429005"},
    [WUCHANG] = {"2142000003", "420106"},
    [HB_PRV] = {"3442000001", "420000"},
    [DONGGUAN] = {"2144000001", "441900"},
    [DONGGUAN2] = {"2144000002", "441900"},
    [NANSHAN] = {"2144000004", "440305"},
};

/* The city codes that are real orgs (rows in the region table); the
   placeholders 110100, 419000, 429000 ... are not in it. */
static const char *const real_cities[] = {
    "410100", "410200", "410300", "420100", "440100", "440300", "441900", "442000",
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
    for (size_t i = 0; i < NELEM(real_cities); i++)
        if (strcmp(code6, real_cities[i]) == 0)
            return 1;
    return 0;
}

enum {
    PA_SCHOOL = 1 << 0, /* province_approves_school */
    PA_OTHER = 1 << 1,  /* province_approves_other */
    NO_DOC = 1 << 2,
    RENUMBER = 1 << 3,
    DELETE_G = 1 << 4,
    SENIOR = 1 << 5,
    ALL_FLAGS = (1 << 6) - 1,
};

static wf_route_in
make_in(const wf_def *d, int school, int other, unsigned flags)
{
    wf_route_in in;

    memset(&in, 0, sizeof(in));
    in.def = d;
    in.school = schools[school];
    in.other = schools[other];
    in.province_approves_school = !!(flags & PA_SCHOOL);
    in.province_approves_other = !!(flags & PA_OTHER);
    in.no_document = !!(flags & NO_DOC);
    in.renumber = !!(flags & RENUMBER);
    in.delete_g = !!(flags & DELETE_G);
    in.senior = !!(flags & SENIOR);
    return in;
}

/* "a>b c>d" for failure messages. */
static const char *
show(const wf_route_step *v, int n)
{
    static char buf[512];
    size_t k = 0;

    buf[0] = '\0';
    for (int i = 0; i < n && k < sizeof(buf); i++)
        k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s>%s", i ? " " : "", v[i].org,
                              v[i].escalate_to);
    return buf;
}

typedef struct row {
    const char *what;
    const char *type;
    int school, other;
    unsigned flags;
    const char *want[8]; /* "org>escalate_to", NULL-terminated */
} row;

/* Route `w` and compare every step: holder, escalation, level. */
static void
check_row(const row *w)
{
    const wf_def *d = wf_def_find(w->type);
    wf_route_in in = make_in(d, w->school, w->other, w->flags);
    wf_route_step out[WF_ROUTE_MAX];
    struct pred_ctx pc = {0};
    char step[32];
    int n = -1, nwant = 0;

    ck_assert_ptr_nonnull(d);
    memset(out, '#', sizeof(out));
    while (w->want[nwant] != NULL)
        nwant++;
    ck_assert_msg(wf_route(&in, is_org, &pc, out, &n) == 0, "%s: failed", w->what);
    ck_assert_msg(n == nwant, "%s: %d steps [%s], want %d", w->what, n, show(out, n), nwant);
    for (int i = 0; i < n; i++) {
        snprintf(step, sizeof(step), "%s>%s", out[i].org, out[i].escalate_to);
        ck_assert_msg(strcmp(step, w->want[i]) == 0, "%s: step %d is %s, want %s [%s]", w->what,
                      i + 1, step, w->want[i], show(out, n));
        ck_assert_int_eq(out[i].level, core_org_level(out[i].org));
    }
    ck_assert_int_eq(pc.bad_calls, 0);
}

/* ---- every type --------------------------------------------------------- */

/* Every type routes an ordinary school (中原区, other school in 二七区). */
START_TEST(test_every_type)
{
    static const char *const allowed[] = {"2141000001", "2141000003", "410102",
                                          "410103",     "410100",     "410000"};
    const wf_def *d = &wf_defs[_i];
    wf_route_step out[WF_ROUTE_MAX];
    struct pred_ctx pc = {0};

    if (d->university)
        return; /* a university's offices: tests/unit/uni_rules_test.c */
    for (unsigned flags = 0; flags <= ALL_FLAGS; flags += ALL_FLAGS) {
        wf_route_in in = make_in(d, ZY, ERQI, flags);
        int n = -1;

        ck_assert_msg(wf_route(&in, is_org, &pc, out, &n) == 0, "%s flags %u", d->type, flags);
        if (d->effect == WF_E_GRADUATE && !in.senior)
            ck_assert_int_eq(n, 0);
        else
            ck_assert_msg(n >= 1, "%s has no step", d->type);
        for (int i = 0; i < n; i++) {
            int known = 0;

            for (size_t k = 0; k < NELEM(allowed); k++)
                known |= strcmp(out[i].org, allowed[k]) == 0;
            ck_assert_msg(known, "%s: unexpected holder %s", d->type, out[i].org);
            ck_assert_msg(out[i].escalate_to[0] != '\0', "%s: %s escalates nowhere", d->type,
                          out[i].org);
            for (int j = 0; j < i; j++)
                ck_assert_str_ne(out[i].org, out[j].org);
        }
        /* a type held by the competent authority alone: exactly it */
        if (d->steps[0] == WF_H_COMPETENT && d->steps[1] == WF_H_NONE && flags == 0) {
            ck_assert_int_eq(n, 1);
            ck_assert_str_eq(out[0].org, "410102");
            ck_assert_str_eq(out[0].escalate_to, "410100");
            ck_assert_int_eq(out[0].level, CORE_LEVEL_COUNTY);
        }
    }
    ck_assert_int_eq(pc.bad_calls, 0);
}
END_TEST

/* Without the other school only transfers fail; the rest never read it. */
START_TEST(test_every_type_without_other)
{
    const wf_def *d = &wf_defs[_i];
    if (d->university)
        return; /* routed by colleges: tests/unit/uni_rules_test.c */
    int two_schools = d->effect == WF_E_TRANSFER || d->effect == WF_E_BATCH_TRANSFER;
    wf_route_step out[WF_ROUTE_MAX];
    wf_route_in in = make_in(d, ZY, NOSCHOOL, 0);
    int n = -1;

    ck_assert_int_eq(wf_route(&in, is_org, &(struct pred_ctx){0}, out, &n), two_schools ? -1 : 0);
    if (two_schools)
        ck_assert_int_eq(n, 0);
    /* an other school with garbage is ignored by the types that do not route by it */
    in.other.code = "2141000003";
    in.other.authority = "garbage";
    n = -1;
    int rc = wf_route(&in, is_org, &(struct pred_ctx){0}, out, &n);
    if (two_schools || d->effect == WF_E_RESOLVE)
        ck_assert_int_eq(rc, -1);
    else
        ck_assert_int_eq(rc, 0);
}
END_TEST

/* ---- transfer ----------------------------------------------------------- */

static const row transfer_rows[] = {
    {"same authority",
     "transfer",
     ZY,
     ZY2,
     PA_SCHOOL | PA_OTHER,
     {"2141000001>410102", "410102>410100"}},
    {"two counties of one city",
     "transfer",
     ZY,
     ERQI,
     0,
     {"410103>410100", "2141000001>410102", "410102>410100"}},
    {"two cities of one province, settings on",
     "transfer",
     ZY,
     LONGTING,
     PA_SCHOOL | PA_OTHER,
     {"410202>410200", "2141000001>410102", "410102>410100"}},
    /* across provinces: the four combinations of the two settings */
    {"provinces, neither",
     "transfer",
     ZY,
     WUCHANG,
     0,
     {"420106>420100", "2141000001>410102", "410102>410100"}},
    {"provinces, sending only",
     "transfer",
     ZY,
     WUCHANG,
     PA_SCHOOL,
     {"420106>420100", "2141000001>410102", "410102>410100", "410000>000000"}},
    {"provinces, receiving only",
     "transfer",
     ZY,
     WUCHANG,
     PA_OTHER,
     {"420106>420100", "420000>000000", "2141000001>410102", "410102>410100"}},
    {"provinces, both",
     "transfer",
     ZY,
     WUCHANG,
     PA_SCHOOL | PA_OTHER,
     {"420106>420100", "420000>000000", "2141000001>410102", "410102>410100", "410000>000000"}},
    /* 北京: the districts report to 110000, one province, no province step */
    {"municipality",
     "transfer",
     DONGCHENG,
     XICHENG,
     PA_SCHOOL | PA_OTHER,
     {"110102>110000", "2111000001>110101", "110101>110000"}},
    {"municipality to another province",
     "transfer",
     DONGCHENG,
     ZY,
     PA_SCHOOL | PA_OTHER,
     {"410102>410100", "410000>000000", "2111000001>110101", "110101>110000", "110000>000000"}},
    /* 直管学校 */
    {"sending school managed by the city",
     "transfer",
     ZZ_DIRECT,
     ERQI,
     0,
     {"410103>410100", "3441000001>410100", "410100>410000"}},
    {"receiving school managed by the city",
     "transfer",
     ZY,
     ZZ_DIRECT,
     0,
     {"410100>410000", "2141000001>410102", "410102>410100"}},
    {"sending school managed by the province",
     "transfer",
     HN_PRV,
     ZY,
     PA_SCHOOL | PA_OTHER,
     {"410102>410100", "3441000002>410000", "410000>000000"}},
    {"receiving school managed by the province",
     "transfer",
     ZY,
     HN_PRV,
     0,
     {"410000>000000", "2141000001>410102", "410102>410100"}},
    /* 省直辖县: 429004 reports to 420000 */
    {"省直辖县 to a city district",
     "transfer",
     XIANTAO,
     WUCHANG,
     0,
     {"420106>420100", "2142000001>429004", "429004>420000"}},
    {"two 省直辖县",
     "transfer",
     XIANTAO,
     QIANJIANG,
     0,
     {"429005>420000", "2142000001>429004", "429004>420000"}},
    {"济源 to 郑州",
     "transfer",
     JIYUAN,
     ZY,
     0,
     {"410102>410100", "2141000004>419001", "419001>410000"}},
    /* a city without counties */
    {"东莞 to 深圳",
     "transfer",
     DONGGUAN,
     NANSHAN,
     0,
     {"440305>440300", "2144000001>441900", "441900>440000"}},
    {"within 东莞", "transfer", DONGGUAN, DONGGUAN2, 0, {"2144000001>441900", "441900>440000"}},
    /* duplicates dropped: the receiving authority is its province */
    {"receiving province is the receiving authority",
     "transfer",
     ZY,
     HB_PRV,
     PA_SCHOOL | PA_OTHER,
     {"420000>000000", "2141000001>410102", "410102>410100", "410000>000000"}},
    {"sending province is the sending authority",
     "transfer",
     HN_PRV,
     WUCHANG,
     PA_SCHOOL | PA_OTHER,
     {"420106>420100", "420000>000000", "3441000002>410000", "410000>000000"}},
    {"both authorities are provinces",
     "transfer",
     HN_PRV,
     HB_PRV,
     PA_SCHOOL | PA_OTHER,
     {"420000>000000", "3441000002>410000", "410000>000000"}},
};

START_TEST(test_transfer)
{
    check_row(&transfer_rows[_i]);
}
END_TEST

/* ---- the other types ---------------------------------------------------- */

static const row other_rows[] = {
    /* registration: the competent authority; without a document up to the province */
    {"registration 北京", "registration", DONGCHENG, NOSCHOOL, 0, {"110101>110000"}},
    {"registration 北京 no document",
     "registration",
     DONGCHENG,
     NOSCHOOL,
     NO_DOC,
     {"110101>110000", "110000>000000"}},
    {"registration 郑州", "registration", ZY, NOSCHOOL, 0, {"410102>410100"}},
    {"registration 郑州 no document",
     "registration",
     ZY,
     NOSCHOOL,
     NO_DOC,
     {"410102>410100", "410100>410000", "410000>000000"}},
    {"registration 仙桃 no document",
     "registration",
     XIANTAO,
     NOSCHOOL,
     NO_DOC,
     {"429004>420000", "420000>000000"}},
    {"registration 济源 no document",
     "registration",
     JIYUAN,
     NOSCHOOL,
     NO_DOC,
     {"419001>410000", "410000>000000"}},
    {"registration 东莞 no document",
     "registration",
     DONGGUAN,
     NOSCHOOL,
     NO_DOC,
     {"441900>440000", "440000>000000"}},
    {"registration city-managed no document",
     "registration",
     ZZ_DIRECT,
     NOSCHOOL,
     NO_DOC,
     {"410100>410000", "410000>000000"}},
    {"registration province-managed no document",
     "registration",
     HN_PRV,
     NOSCHOOL,
     NO_DOC,
     {"410000>000000"}},
    /* the flag belongs to registration; other types ignore it */
    {"suspend ignores no_document", "suspend", ZY, NOSCHOOL, NO_DOC, {"410102>410100"}},
    /* key fields: the province when renumbering */
    {"key fields", "key_field_change", ZY, NOSCHOOL, 0, {"410102>410100"}},
    {"key fields renumber",
     "key_field_change",
     ZY,
     NOSCHOOL,
     RENUMBER,
     {"410102>410100", "410000>000000"}},
    {"key fields renumber 北京",
     "key_field_change",
     DONGCHENG,
     NOSCHOOL,
     RENUMBER,
     {"110101>110000", "110000>000000"}},
    {"key fields renumber, authority is the province",
     "key_field_change",
     HN_PRV,
     NOSCHOOL,
     RENUMBER,
     {"410000>000000"}},
    {"resume ignores renumber", "resume", ZY, NOSCHOOL, RENUMBER, {"410102>410100"}},
    /* graduation: only senior secondary needs the authority */
    {"graduation senior", "graduation", ZY, NOSCHOOL, SENIOR, {"410102>410100"}},
    {"graduation primary", "graduation", ZY, NOSCHOOL, 0, {NULL}},
    {"graduation primary, other flags", "graduation", ZY, NOSCHOOL, ALL_FLAGS & ~SENIOR, {NULL}},
    {"suspend ignores senior", "suspend", ZZ_DIRECT, NOSCHOOL, SENIOR, {"410100>410000"}},
    /* batch_transfer: both schools, each escalating to its own authority */
    {"batch",
     "batch_transfer",
     ZY,
     ERQI,
     PA_SCHOOL | PA_OTHER,
     {"2141000001>410102", "2141000003>410103"}},
    {"batch, city-managed receiving school",
     "batch_transfer",
     ZY,
     ZZ_DIRECT,
     0,
     {"2141000001>410102", "3441000001>410100"}},
    /* problem_resolution */
    {"problem, one school", "problem_resolution", ZY, NOSCHOOL, 0, {"410102>410100"}},
    {"problem, one school, delete G",
     "problem_resolution",
     ZY,
     NOSCHOOL,
     DELETE_G,
     {"410102>410100", "410000>000000"}},
    {"problem, one province-managed school, delete G",
     "problem_resolution",
     HN_PRV,
     NOSCHOOL,
     DELETE_G,
     {"410000>000000"}},
    {"problem, one county", "problem_resolution", ZY, ZY2, 0, {"410102>410100"}},
    {"problem, one county, delete G",
     "problem_resolution",
     ZY,
     ZY2,
     DELETE_G,
     {"410102>410100", "410000>000000"}},
    {"problem, two counties of a city", "problem_resolution", ZY, ERQI, 0, {"410100>410000"}},
    {"problem, two counties of a city, delete G",
     "problem_resolution",
     ERQI,
     ZY,
     DELETE_G,
     {"410100>410000", "410000>000000"}},
    {"problem, city-managed and county", "problem_resolution", ZZ_DIRECT, ZY, 0, {"410100>410000"}},
    {"problem, two cities", "problem_resolution", ZY, LONGTING, DELETE_G, {"410000>000000"}},
    {"problem, 北京", "problem_resolution", DONGCHENG, XICHENG, 0, {"110000>000000"}},
    {"problem, 北京, delete G",
     "problem_resolution",
     DONGCHENG,
     XICHENG,
     DELETE_G,
     {"110000>000000"}},
    {"problem, 省直辖县", "problem_resolution", XIANTAO, QIANJIANG, 0, {"420000>000000"}},
    {"problem, 东莞",
     "problem_resolution",
     DONGGUAN,
     DONGGUAN2,
     DELETE_G,
     {"441900>440000", "440000>000000"}},
    {"problem, two provinces", "problem_resolution", ZY, WUCHANG, 0, {"000000>"}},
    {"problem, two provinces, delete G", "problem_resolution", ZY, WUCHANG, DELETE_G, {"000000>"}},
    {"problem ignores senior", "problem_resolution", ZY, NOSCHOOL, SENIOR, {"410102>410100"}},
};

START_TEST(test_other_types)
{
    check_row(&other_rows[_i]);
}
END_TEST

/* Holder kinds no type uses yet: the chain and the province alone. */
START_TEST(test_unused_kinds)
{
    static const char *const from[] = {"enrolled", NULL};
    wf_def chain = {.type = "chain",
                    .label = "逐级",
                    .from = from,
                    .starter = WF_START_SCHOOL,
                    .steps = {WF_H_CHAIN_TO_PROVINCE},
                    .effect = WF_E_GRADE};
    wf_def prov = {.type = "prov",
                   .label = "省",
                   .from = from,
                   .starter = WF_START_SCHOOL,
                   .steps = {WF_H_COMPETENT, WF_H_PROVINCE},
                   .effect = WF_E_GRADE};
    wf_route_step out[WF_ROUTE_MAX];
    struct pred_ctx pc = {0};
    wf_route_in in = make_in(&chain, ZY, NOSCHOOL, 0);
    int n = -1;

    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), 0);
    ck_assert_str_eq(show(out, n), "410102>410100 410100>410000 410000>000000");
    in = make_in(&chain, XIANTAO, NOSCHOOL, 0);
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), 0);
    ck_assert_str_eq(show(out, n), "429004>420000 420000>000000");
    in = make_in(&prov, DONGGUAN, NOSCHOOL, 0);
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), 0);
    ck_assert_str_eq(show(out, n), "441900>440000 440000>000000");
    in = make_in(&prov, HB_PRV, NOSCHOOL, 0);
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), 0);
    ck_assert_str_eq(show(out, n), "420000>000000");
}
END_TEST

/* The level of each holder, spelled out. */
START_TEST(test_levels)
{
    wf_route_step out[WF_ROUTE_MAX];
    struct pred_ctx pc = {0};
    wf_route_in in = make_in(wf_def_find("registration"), ZY, NOSCHOOL, NO_DOC);
    int n = -1;

    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), 0);
    ck_assert_int_eq(n, 3);
    ck_assert_int_eq(out[0].level, CORE_LEVEL_COUNTY);
    ck_assert_int_eq(out[1].level, CORE_LEVEL_CITY);
    ck_assert_int_eq(out[2].level, CORE_LEVEL_PROVINCE);
    in = make_in(wf_def_find("transfer"), ZY, ZY2, 0);
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), 0);
    ck_assert_int_eq(out[0].level, CORE_LEVEL_SCHOOL);
    ck_assert_int_eq(out[1].level, CORE_LEVEL_COUNTY);
    in = make_in(wf_def_find("registration"), DONGGUAN, NOSCHOOL, 0);
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), 0);
    ck_assert_int_eq(out[0].level, CORE_LEVEL_CITY);
    in = make_in(wf_def_find("problem_resolution"), ZY, WUCHANG, 0);
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), 0);
    ck_assert_int_eq(out[0].level, CORE_LEVEL_MINISTRY);
}
END_TEST

/* The predicate gets the caller's ctx; NULL treats every PPCC00 as an org. */
START_TEST(test_predicate)
{
    wf_route_step out[WF_ROUTE_MAX];
    struct pred_ctx pc = {0};
    wf_route_in in = make_in(wf_def_find("registration"), DONGCHENG, NOSCHOOL, NO_DOC);
    int n = -1;

    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), 0);
    ck_assert_int_eq(pc.calls, 1); /* 110100? no */
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(wf_route(&in, NULL, NULL, out, &n), 0);
    ck_assert_str_eq(show(out, n), "110101>110100 110100>110000 110000>000000");
    in = make_in(wf_def_find("problem_resolution"), DONGCHENG, XICHENG, 0);
    ck_assert_int_eq(wf_route(&in, NULL, NULL, out, &n), 0);
    ck_assert_str_eq(show(out, n), "110100>110000");
}
END_TEST

/* ---- wf_route_parent ---------------------------------------------------- */

static const struct {
    const char *code, *want;
} parent_rows[] = {
    {"410102", "410100"}, /* county of a real city */
    {"440305", "440300"},
    {"110101", "110000"}, /* municipality district: 110100 is no org */
    {"500101", "500000"},
    {"429004", "420000"}, /* 省直辖县 */
    {"419001", "410000"},
    {"659001", "650000"},
    {"410100", "410000"}, /* city */
    {"441900", "440000"}, /* city without counties */
    {"410000", "000000"}, /* province */
    {"110000", "000000"},
    {"000000", ""},     /* the ministry */
    {"2141000001", ""}, /* a school */
    {"", ""},
    {"4101", ""},
    {"4101020", ""},
    {"41010x", ""},
    {"990102", ""},
};

START_TEST(test_parent)
{
    struct pred_ctx pc = {0};
    char out[16];

    memset(out, '#', sizeof(out));
    wf_route_parent(parent_rows[_i].code, is_org, &pc, out);
    ck_assert_msg(strcmp(out, parent_rows[_i].want) == 0, "parent(%s) = %s, want %s",
                  parent_rows[_i].code, out, parent_rows[_i].want);
    ck_assert_int_eq(out[7], '#'); /* six digits and a NUL at most */
    ck_assert_int_eq(pc.bad_calls, 0);
    /* only a county asks whether its city is an org */
    ck_assert_int_eq(pc.calls, core_org_level(parent_rows[_i].code) == CORE_LEVEL_COUNTY ? 1 : 0);
}
END_TEST

START_TEST(test_parent_edges)
{
    char out[11] = "######";

    wf_route_parent(NULL, is_org, &(struct pred_ctx){0}, out);
    ck_assert_str_eq(out, "");
    wf_route_parent("110101", NULL, NULL, out);
    ck_assert_str_eq(out, "110100"); /* NULL predicate: every city is an org */
    /* in place */
    strcpy(out, "410102");
    wf_route_parent(out, is_org, &(struct pred_ctx){0}, out);
    ck_assert_str_eq(out, "410100");
    wf_route_parent(out, is_org, &(struct pred_ctx){0}, out);
    ck_assert_str_eq(out, "410000");
    wf_route_parent(out, is_org, &(struct pred_ctx){0}, out);
    ck_assert_str_eq(out, "000000");
    wf_route_parent(out, is_org, &(struct pred_ctx){0}, out);
    ck_assert_str_eq(out, "");
}
END_TEST

/* ---- unusable input ----------------------------------------------------- */

static const char *const bad_authorities[] = {
    NULL, "", "41010", "4101020", "000000", "2141000001", "990102", "41010x", "410102 ",
};

/* A bad authority on either school fails every type that reads it. */
START_TEST(test_bad_authority)
{
    static const char *const types[] = {"registration",      "suspend",  "graduation",
                                        "key_field_change",  "transfer", "batch_transfer",
                                        "problem_resolution"};
    wf_route_step out[WF_ROUTE_MAX];
    struct pred_ctx pc = {0};

    for (size_t t = 0; t < NELEM(types); t++) {
        const wf_def *d = wf_def_find(types[t]);
        int two = d->effect == WF_E_TRANSFER || d->effect == WF_E_BATCH_TRANSFER ||
                  d->effect == WF_E_RESOLVE;
        wf_route_in in = make_in(d, ZY, ERQI, ALL_FLAGS);
        int n = 99;

        in.school.authority = bad_authorities[_i];
        ck_assert_msg(wf_route(&in, is_org, &pc, out, &n) == -1, "%s school %s", types[t],
                      bad_authorities[_i] ? bad_authorities[_i] : "NULL");
        ck_assert_int_eq(n, 0);
        if (!two)
            continue;
        in = make_in(d, ZY, ERQI, ALL_FLAGS);
        in.other.authority = bad_authorities[_i];
        n = 99;
        ck_assert_msg(wf_route(&in, is_org, &pc, out, &n) == -1, "%s other %s", types[t],
                      bad_authorities[_i] ? bad_authorities[_i] : "NULL");
        ck_assert_int_eq(n, 0);
    }
    ck_assert_int_eq(pc.bad_calls, 0);
}
END_TEST

START_TEST(test_unusable)
{
    static const char *const from[] = {"enrolled", NULL};
    wf_def odd = {.type = "odd",
                  .label = "未知",
                  .from = from,
                  .starter = WF_START_SCHOOL,
                  .steps = {WF_H_COMPETENT, (wf_holder)99},
                  .effect = WF_E_GRADE};
    wf_route_step out[WF_ROUTE_MAX];
    struct pred_ctx pc = {0};
    wf_route_in in;
    int n = 99;

    ck_assert_int_eq(wf_route(NULL, is_org, &pc, out, &n), -1);
    ck_assert_int_eq(n, 0);
    in = make_in(NULL, ZY, ERQI, 0);
    n = 99;
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), -1);
    ck_assert_int_eq(n, 0);
    /* transfers without the receiving school */
    in = make_in(wf_def_find("transfer"), ZY, NOSCHOOL, 0);
    n = 99;
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), -1);
    ck_assert_int_eq(n, 0);
    in.other.authority = "410103"; /* an authority is no school */
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), -1);
    in = make_in(wf_def_find("batch_transfer"), ZY, NOSCHOOL, 0);
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), -1);
    /* a school holding a step must have a school code */
    in = make_in(wf_def_find("transfer"), ZY, ERQI, 0);
    in.school.code = "214100000";
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), -1);
    in.school.code = NULL;
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), -1);
    in = make_in(wf_def_find("batch_transfer"), ZY, ERQI, 0);
    in.other.code = "9941000003";
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), -1);
    /* ... but not where no school holds a step: registration reads the authority only */
    in = make_in(wf_def_find("registration"), ZY, NOSCHOOL, 0);
    in.school.code = NULL;
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), 0);
    ck_assert_int_eq(n, 1);
    /* a holder kind the router does not know */
    in = make_in(&odd, ZY, NOSCHOOL, 0);
    n = 99;
    ck_assert_int_eq(wf_route(&in, is_org, &pc, out, &n), -1);
    ck_assert_int_eq(n, 0);
}
END_TEST

/* ---- suite -------------------------------------------------------------- */

static Suite *
route_suite(void)
{
    Suite *s = suite_create("route");
    TCase *tc;

    tc = tcase_create("types");
    tcase_add_loop_test(tc, test_every_type, 0, wf_ndefs);
    tcase_add_loop_test(tc, test_every_type_without_other, 0, wf_ndefs);
    suite_add_tcase(s, tc);

    tc = tcase_create("transfer");
    tcase_add_loop_test(tc, test_transfer, 0, NELEM(transfer_rows));
    suite_add_tcase(s, tc);

    tc = tcase_create("others");
    tcase_add_loop_test(tc, test_other_types, 0, NELEM(other_rows));
    tcase_add_test(tc, test_unused_kinds);
    tcase_add_test(tc, test_levels);
    tcase_add_test(tc, test_predicate);
    suite_add_tcase(s, tc);

    tc = tcase_create("parent");
    tcase_add_loop_test(tc, test_parent, 0, NELEM(parent_rows));
    tcase_add_test(tc, test_parent_edges);
    suite_add_tcase(s, tc);

    tc = tcase_create("unusable");
    tcase_add_loop_test(tc, test_bad_authority, 0, NELEM(bad_authorities));
    tcase_add_test(tc, test_unusable);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(route_suite());

    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
