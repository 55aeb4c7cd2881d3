/*
 * workflow/route.c - who holds each step of a request (see workflow/route.h).
 *
 * Each holder kind of the definition gives zero or more orgs, appended in
 * order; an org already on the route is skipped, so "the sending authority"
 * of a transfer within one authority, or "the receiving province" when the
 * receiving school is managed by that province, simply vanish.
 */
#include "workflow/route.h"

#include "core/region.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static const char ministry[] = "000000";

typedef struct route {
    wf_route_step *v;
    int n;
    core_is_org_fn is_org;
    void *ctx;
} route;

/* 1 if `p` has a competent authority we can route by: a county, city or province code. */
static int
authority_ok(const wf_place *p)
{
    core_level l = core_org_level(p->authority);

    return l == CORE_LEVEL_COUNTY || l == CORE_LEVEL_CITY || l == CORE_LEVEL_PROVINCE;
}

void
wf_route_parent(const char *code6, core_is_org_fn is_org, void *ctx, char out[11])
{
    char up[7];

    assert(out != NULL);
    /* `out` is written last, so it may be `code6` itself */
    switch (core_org_level(code6)) {
    case CORE_LEVEL_COUNTY:
        /* 110101's city 110100 and 429004's 429000 are placeholders, not
           orgs: such a county reports to the province (docs/decisions/0002) */
        core_region_city_of(code6, up);
        if (is_org != NULL && !is_org(up, ctx))
            core_region_province_of(code6, up);
        break;
    case CORE_LEVEL_CITY:
        core_region_province_of(code6, up);
        break;
    case CORE_LEVEL_PROVINCE:
        memcpy(up, ministry, sizeof(ministry));
        break;
    default:
        out[0] = '\0'; /* the ministry, a school or garbage: no region above it */
        return;
    }
    memcpy(out, up, sizeof(up));
}

/* Whether a whole org (office NULL) or one office of it already holds a step. */
static int
holds_office(const route *r, const char *org, const char *office, const char *college)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->v[i].org, org) == 0 && strcmp(r->v[i].office, office ? office : "") == 0 &&
            strcmp(r->v[i].college, college ? college : "") == 0)
            return 1;
    return 0;
}

static int
holds(const route *r, const char *org)
{
    return holds_office(r, org, NULL, NULL);
}

/* Append a step held by `org` (at most 10 characters, checked by the callers). */
static int
add(route *r, const char *org, core_level level, const char *escalate_to)
{
    wf_route_step *s;
    size_t n = strlen(org), m = strlen(escalate_to);

    assert(n < sizeof(s->org) && m < sizeof(s->escalate_to));
    if (holds(r, org))
        return 0; /* one org decides once: its first step stands */
    if (r->n == WF_ROUTE_MAX)
        return -1;
    s = &r->v[r->n++];
    memset(s, 0, sizeof(*s));
    s->level = level;
    memcpy(s->org, org, n + 1);
    memcpy(s->escalate_to, escalate_to, m + 1);
    return 0;
}

/* Which office an office holder kind names, and the office it escalates to
   ("" : the university's competent authority; NULL: nobody). */
static const char *
office_of(wf_holder h, const char **esc)
{
    switch (h) {
    case WF_H_U_ACADEMIC_OFFICE:
        *esc = "registrar_head";
        return "college_office";
    case WF_H_U_VICE_DEAN:
        *esc = "registrar_head";
        return "teaching_vice_dean";
    case WF_H_U_SENDING_DEAN:
    case WF_H_U_RECEIVING_DEAN:
        *esc = "registrar_head";
        return "dean";
    case WF_H_U_REGISTRAR_HEAD:
        *esc = "vice_president";
        return "registrar_head";
    case WF_H_U_VICE_PRESIDENT:
        *esc = "";
        return "vice_president";
    case WF_H_U_REGISTRATION:
        *esc = NULL; /* nobody forces the national platform's answer */
        return "student_affairs";
    case WF_H_U_REGISTRAR_SECTION:
        *esc = "registrar_head";
        return "registrar_section";
    case WF_H_U_DEPUTY_HEAD:
        *esc = "registrar_head";
        return "registrar_deputy_head";
    case WF_H_U_COURSE_OFFICE:
    case WF_H_U_RETAKE_OFFICE:
        *esc = "registrar_head";
        return "college_office";
    case WF_H_U_COURSE_TEACHER:
        *esc = "registrar_head";
        return "course_teacher";
    case WF_H_U_CROSS_VICE_DEAN:
        *esc = "registrar_head";
        return "teaching_vice_dean";
    default:
        *esc = NULL;
        return NULL;
    }
}

/* A step held by an office of university `p` (docs/decisions/0033); a
   college's office needs the college. One office decides once. */
static int
add_office(route *r, const wf_place *p, wf_holder h, const char *college)
{
    const char *esc, *office = office_of(h, &esc);
    int scoped = h == WF_H_U_ACADEMIC_OFFICE || h == WF_H_U_VICE_DEAN || h == WF_H_U_SENDING_DEAN ||
                 h == WF_H_U_RECEIVING_DEAN || h == WF_H_U_COURSE_OFFICE ||
                 h == WF_H_U_COURSE_TEACHER || h == WF_H_U_RETAKE_OFFICE ||
                 h == WF_H_U_CROSS_VICE_DEAN;
    if (office == NULL || core_org_level(p->code) != CORE_LEVEL_SCHOOL ||
        (scoped && (college == NULL || !*college || strlen(college) >= 24)))
        return -1;
    if (!scoped)
        college = NULL;
    if (holds_office(r, p->code, office, college))
        return 0;
    int n = r->n;
    const char *up = esc && !*esc ? p->authority : esc ? p->code : "";
    if (add(r, p->code, CORE_LEVEL_SCHOOL, up) != 0 || r->n == n)
        return -1;
    wf_route_step *s = &r->v[n];
    snprintf(s->office, sizeof(s->office), "%s", office);
    snprintf(s->college, sizeof(s->college), "%s", college ? college : "");
    snprintf(s->escalate_office, sizeof(s->escalate_office), "%s", esc ? esc : "");
    return 0;
}

/*
 * A step held by region org `code6` (validated by the caller): it escalates
 * to its parent, which is left in `up`.
 */
static int
add_region_up(route *r, const char *code6, char up[11])
{
    wf_route_parent(code6, r->is_org, r->ctx, up);
    return add(r, code6, core_org_level(code6), up);
}

static int
add_region(route *r, const char *code6)
{
    char up[11];

    return add_region_up(r, code6, up);
}

/* A step held by a school: it escalates to the school's competent authority. */
static int
add_school(route *r, const wf_place *p)
{
    if (core_org_level(p->code) != CORE_LEVEL_SCHOOL)
        return -1;
    return add(r, p->code, CORE_LEVEL_SCHOOL, p->authority);
}

/* Every level from `code6` up to and including its province, never the ministry. */
static int
add_chain(route *r, const char *code6)
{
    char cur[11], up[11];

    memcpy(cur, code6, 7);
    /* county -> [city] -> province: at most three rounds */
    for (int k = 0; k < 3; k++) {
        if (add_region_up(r, cur, up) != 0)
            return -1;
        if (core_org_level(cur) == CORE_LEVEL_PROVINCE)
            return 0;
        memcpy(cur, up, 7);
    }
    return -1; /* `code6` was no county, city or province code */
}

/* Holder kinds that compare the student's school with the other one. */
static int
needs_other(wf_holder h)
{
    return h == WF_H_RECEIVING_AUTHORITY || h == WF_H_RECEIVING_PROVINCE ||
           h == WF_H_SENDING_PROVINCE || h == WF_H_TO_SCHOOL;
}

/*
 * Whether the definition routes by `other`: 2 when it must be given (a
 * transfer), 1 when it may be (problem_resolution), 0 when it is ignored.
 */
static int
uses_other(const wf_def *d)
{
    int use = d->effect == WF_E_TRANSFER || d->effect == WF_E_BATCH_TRANSFER ? 2 : 0;

    for (int i = 0; i < WF_MAX_STEPS && d->steps[i] != WF_H_NONE; i++) {
        if (needs_other(d->steps[i]))
            use = 2;
        else if (d->steps[i] == WF_H_LOWEST_COMMON && use == 0)
            use = 1;
    }
    return use;
}

/* The two schools' provinces and how they relate. */
typedef struct sides {
    char ps[7], po[7]; /* provinces of the school and of the other school */
    int has_other, same_auth, cross;
} sides;

/* The org(s) of one holder kind, appended to `r`. */
static int
add_step(route *r, const wf_route_in *in, wf_holder h, const sides *sd)
{
    const wf_place *sc = &in->school, *ot = &in->other;
    switch (h) {
    case WF_H_COMPETENT:
        /* registration without a document climbs to the province (DOMAIN §5) */
        if (in->def->effect == WF_E_REGISTER && in->no_document)
            return add_chain(r, sc->authority);
        return add_region(r, sc->authority);
    case WF_H_CHAIN_TO_PROVINCE:
        return add_chain(r, sc->authority);
    case WF_H_PROVINCE:
        return add_region(r, sd->ps);
    case WF_H_SENDING_SCHOOL:
    case WF_H_FROM_SCHOOL:
        return add_school(r, sc);
    case WF_H_SENDING_AUTHORITY:
        return add_region(r, sc->authority);
    case WF_H_RECEIVING_AUTHORITY:
        /* within one authority it decides once, after the sending school */
        return sd->same_auth ? 0 : add_region(r, ot->authority);
    case WF_H_RECEIVING_PROVINCE:
        return sd->cross && in->province_approves_other ? add_region(r, sd->po) : 0;
    case WF_H_SENDING_PROVINCE:
        return sd->cross && in->province_approves_school ? add_region(r, sd->ps) : 0;
    case WF_H_COMPETENT_IF_SENIOR:
        /* primary and junior graduations the school completes itself */
        return in->senior ? add_region(r, sc->authority) : 0;
    case WF_H_TO_SCHOOL:
        return add_school(r, ot);
    case WF_H_LOWEST_COMMON:
        if (sd->has_other) {
            char lca[7];
            core_school_ref a = {sc->code, NULL, sc->authority};
            core_school_ref b = {ot->code, NULL, ot->authority};
            core_lowest_common_authority(&a, &b, r->is_org, r->ctx, lca);
            return add_region(r, lca);
        }
        return add_region(r, sc->authority);
    case WF_H_U_ACADEMIC_OFFICE:
    case WF_H_U_VICE_DEAN:
    case WF_H_U_SENDING_DEAN:
        return add_office(r, sc, h, in->college);
    case WF_H_U_RECEIVING_DEAN:
        return add_office(r, sc, h, in->other_college);
    /* grade requests: other_college is the course's college (a teacher's step:
       "college/account", docs/decisions/0043) */
    case WF_H_U_COURSE_OFFICE:
    case WF_H_U_COURSE_TEACHER:
    case WF_H_U_RETAKE_OFFICE:
        return add_office(r, sc, h, in->other_college);
    case WF_H_U_CROSS_VICE_DEAN:
        return in->cross_major ? add_office(r, sc, h, in->college) : 0;
    case WF_H_U_REGISTRAR_HEAD:
    case WF_H_U_VICE_PRESIDENT:
    case WF_H_U_REGISTRATION:
    case WF_H_U_REGISTRAR_SECTION:
    case WF_H_U_DEPUTY_HEAD:
        return add_office(r, sc, h, NULL);
    case WF_H_PROVINCE_IF_DELETE_G:
        /* the ministry above two provinces needs no province below it */
        return in->delete_g && !holds(r, ministry) ? add_region(r, sd->ps) : 0;
    default:
        return -1; /* a holder kind this router does not know */
    }
}

int
wf_route(const wf_route_in *in, core_is_org_fn is_org, void *ctx, wf_route_step out[WF_ROUTE_MAX],
         int *out_n)
{
    route r = {out, 0, is_org, ctx};
    sides sd = {.has_other = 0};
    int rc = 0;

    assert(out != NULL && out_n != NULL);
    *out_n = 0;
    if (in == NULL || in->def == NULL || !authority_ok(&in->school))
        return -1;
    const wf_def *d = in->def;
    const wf_place *sc = &in->school, *ot = &in->other;
    core_region_province_of(sc->authority, sd.ps);
    switch (uses_other(d)) {
    case 2:
        if (ot->code == NULL)
            return -1;
        sd.has_other = 1;
        break;
    case 1:
        sd.has_other = ot->code != NULL;
        break;
    default:
        break;
    }
    if (sd.has_other) {
        if (!authority_ok(ot))
            return -1;
        core_region_province_of(ot->authority, sd.po);
        sd.same_auth = strcmp(sc->authority, ot->authority) == 0;
        sd.cross = strcmp(sd.ps, sd.po) != 0;
    }
    for (int i = 0; i < WF_MAX_STEPS && d->steps[i] != WF_H_NONE && rc == 0; i++)
        rc = add_step(&r, in, d->steps[i], &sd);
    /* a new student number needs the province (DOMAIN §5, rule 10) */
    if (rc == 0 && d->effect == WF_E_KEY_FIELDS && in->renumber)
        rc = add_region(&r, sd.ps);
    if (rc != 0)
        return -1;
    *out_n = r.n;
    return 0;
}
