/*
 * workflow/route.h - who holds each approval step of a request (DOMAIN §5
 * table, rule 14): the pure part of the engine. Given a type, the schools
 * involved and the few settings that change a route, it lists the steps in
 * order with each holder org and the org an overdue step escalates to.
 *
 * No I/O: the one thing the region table must say - whether a city code
 * PPCC00 is a real org (municipalities and 省直辖 placeholders are not,
 * docs/decisions/0002) - comes through a core_is_org_fn callback. Tested
 * branch by branch in tests/unit/route_test.c.
 */
#ifndef WORKFLOW_ROUTE_H
#define WORKFLOW_ROUTE_H

#include "core/jurisdiction.h"
#include "workflow/defs.h"

#define WF_ROUTE_MAX 12

/* A school as routing needs it. Strings borrowed. */
typedef struct wf_place {
    const char *code;      /* 10-digit school code; NULL: no such school */
    const char *authority; /* its competent authority (county, city or province code) */
} wf_place;

typedef struct wf_route_in {
    const wf_def *def;
    wf_place school;              /* the student's school; batch_transfer: the sending school;
                                     problem_resolution: the school of the problem's student */
    wf_place other;               /* transfer, batch_transfer: the receiving school;
                                     problem_resolution: the other student's school (code NULL: none) */
    int province_approves_school; /* the school's province settings ask to approve transfers */
    int province_approves_other;  /* likewise for the other school's province */
    int no_document;              /* registration of a student without an identity document */
    int renumber;                 /* key_field_change that gives a new student number */
    int delete_g;                 /* problem_resolution deleting a G-numbered record */
    int senior;                   /* graduation of a senior secondary grade */
    const char *college;          /* a university's type: the student's college */
    const char *other_college;    /* major transfer: the receiving college; grade requests: the
                                     course's (docs/decisions/0043) */
    int cross_major;              /* retake in another major's section */
} wf_route_in;

typedef struct wf_route_step {
    core_level level;         /* of the holder org */
    char org[11];             /* the holder: school code or region code */
    char escalate_to[11];     /* its superior: a school's authority, a region's
                                 parent org ("000000" above a province); "" above the ministry */
    char office[24];          /* a university's office that holds it ("" for a whole org) */
    char college[24];         /* the college of a college's office, else "" */
    char escalate_office[24]; /* the office of the university it escalates to, else "" */
} wf_route_step;

/*
 * The steps of a request, in order, into out[0..*out_n). An org holds at
 * most one step (the first where it appears). A route may be empty
 * (graduation of a primary or junior grade: the school completes it).
 * Returns 0, or -1 when the input is unusable (NULL def, a school without a
 * valid authority, a transfer without the other school, a school holding a
 * step whose code is no school code, a holder kind this router does not
 * know) or needs more than WF_ROUTE_MAX steps; *out_n is 0 then. `other`
 * is read only by types that route by it. `is_org` NULL treats every PPCC00
 * as an org, as core_lowest_common_authority() does.
 */
int wf_route(const wf_route_in *in, core_is_org_fn is_org, void *ctx,
             wf_route_step out[WF_ROUTE_MAX], int *out_n);

/* The superior org of region `code6`: PPCC00 (when an org) or PP0000 above
   a county, PP0000 above a city, "000000" above a province, "" above the
   ministry and for anything that is no region code. `out` may be `code6`. */
void wf_route_parent(const char *code6, core_is_org_fn is_org, void *ctx, char out[11]);

#endif
