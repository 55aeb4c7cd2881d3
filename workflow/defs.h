/*
 * workflow/defs.h - request types as data (DOMAIN §5): for each type the
 * student states it may start from, who may start it, the ordered approval
 * steps and how each step's holder is found, and the effect to apply on the
 * last approval. Adding a type is adding a line here and, when its effect is
 * new, an effect function in workflow/effects.c.
 */
#ifndef WORKFLOW_DEFS_H
#define WORKFLOW_DEFS_H

/* How a step's holder is found from the request. */
typedef enum {
    WF_H_NONE = 0,
    WF_H_COMPETENT,          /* the competent authority of the student's school */
    WF_H_CHAIN_TO_PROVINCE,  /* every level from the competent authority up to the province */
    WF_H_PROVINCE,           /* the province of the student's school */
    WF_H_SENDING_SCHOOL,     /* transfer: the student's current school */
    WF_H_SENDING_AUTHORITY,  /* transfer: its competent authority */
    WF_H_RECEIVING_AUTHORITY, /* transfer: the competent authority of the receiving school */
    WF_H_SENDING_PROVINCE,   /* transfer across provinces, when that province's settings ask */
    WF_H_RECEIVING_PROVINCE, /* likewise for the receiving side */
    WF_H_COMPETENT_IF_SENIOR, /* graduation: the competent authority, senior secondary only */
    WF_H_FROM_SCHOOL,        /* batch_transfer: the sending school */
    WF_H_TO_SCHOOL,          /* batch_transfer: the receiving school */
    WF_H_LOWEST_COMMON,      /* problem_resolution: lowest common authority of the schools */
    WF_H_PROVINCE_IF_DELETE_G, /* problem_resolution: the province, deleting a G-numbered record */
} wf_holder;

/* Who starts a request. */
typedef enum {
    WF_START_SCHOOL = 1,     /* the student's school (registrar) */
    WF_START_RECEIVING,      /* the receiving school of a transfer (registrar) */
    WF_START_NONE,           /* not started through POST /requests (registration) */
    WF_START_AUTHORITY,      /* a bureau over both schools (batch_transfer) */
    WF_START_PROBLEM,        /* POST /problems/{id}/resolutions */
} wf_starter;

/* What the last approval does. */
typedef enum {
    WF_E_REGISTER = 1, /* pending -> enrolled, final student number */
    WF_E_STATE,        /* state -> to_state */
    WF_E_TRANSFER,     /* school, grade and class of the receiving school */
    WF_E_GRADE,        /* another grade and class in the same school */
    WF_E_KEY_FIELDS,   /* name, document, gender, birth date (checks rerun) */
    WF_E_BATCH_TRANSFER, /* every member to the receiving school, same grade */
    WF_E_GRADUATE,     /* every member: graduated / completed / incomplete, certificate number */
    WF_E_RESOLVE,      /* a problem record: evidence, change (key fields) or delete */
} wf_effect;

/* Payload members a type takes. */
enum {
    WF_P_REASON = 1 << 0,   /* reason (required) */
    WF_P_DATE = 1 << 1,     /* date (required) */
    WF_P_START_END = 1 << 2, /* start_date (required), end_date */
    WF_P_TO_SCHOOL = 1 << 3, /* to_school (required), grade, class */
    WF_P_GRADE = 1 << 4,    /* grade (required), class */
    WF_P_CHANGES = 1 << 5,  /* changes (required), renumber */
    WF_P_EVIDENCE = 1 << 6, /* evidence file ids required */
    WF_P_BATCH = 1 << 7,    /* from_school, to_school, students (required), class */
    WF_P_GRADUATION = 1 << 8, /* grade (required), outcomes */
};

#define WF_MAX_STEPS 8

typedef struct wf_def {
    const char *type;
    const char *label;             /* Chinese name */
    const char *const *from;       /* student states it starts from */
    const char *to_state;          /* WF_E_STATE: the state it leaves; others: NULL */
    wf_starter starter;
    wf_holder steps[WF_MAX_STEPS]; /* WF_H_NONE-terminated */
    wf_effect effect;
    unsigned payload;              /* WF_P_* */
    int senior_only;               /* only senior secondary students (grades 31-33) */
    int revertible;
    int batch;                     /* many students (request members), no single `student` */
} wf_def;

extern const wf_def wf_defs[];
extern const int wf_ndefs;

/* The definition of `type`, or NULL. */
const wf_def *wf_def_find(const char *type);

/* 1 if `state` is one the type starts from. */
int wf_def_allows(const wf_def *d, const char *state);

/* Stable names, for GET /workflows. */
const char *wf_holder_name(wf_holder h);
const char *wf_holder_label(wf_holder h);
const char *wf_starter_name(wf_starter s);
const char *wf_effect_name(wf_effect e);

#endif
