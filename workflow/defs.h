/*
 * workflow/defs.h - request types as data (DOMAIN §5): for each type the
 * student states it may start from, who may start it, the ordered approval
 * steps and how each step's holder is found, and the effect to apply on the
 * last approval, and the members of its payload. Adding a type is adding its
 * lines in workflow/defs.c and, when its effect is new, an effect function in
 * workflow/effects.c (docs/decisions/0022).
 */
#ifndef WORKFLOW_DEFS_H
#define WORKFLOW_DEFS_H

/* How a step's holder is found from the request. */
typedef enum {
    WF_H_NONE = 0,
    WF_H_COMPETENT,            /* the competent authority of the student's school */
    WF_H_CHAIN_TO_PROVINCE,    /* every level from the competent authority up to the province */
    WF_H_PROVINCE,             /* the province of the student's school */
    WF_H_SENDING_SCHOOL,       /* transfer: the student's current school */
    WF_H_SENDING_AUTHORITY,    /* transfer: its competent authority */
    WF_H_RECEIVING_AUTHORITY,  /* transfer: the competent authority of the receiving school */
    WF_H_SENDING_PROVINCE,     /* transfer across provinces, when that province's settings ask */
    WF_H_RECEIVING_PROVINCE,   /* likewise for the receiving side */
    WF_H_COMPETENT_IF_SENIOR,  /* graduation: the competent authority, senior secondary only */
    WF_H_FROM_SCHOOL,          /* batch_transfer: the sending school */
    WF_H_TO_SCHOOL,            /* batch_transfer: the receiving school */
    WF_H_LOWEST_COMMON,        /* problem_resolution: lowest common authority of the schools */
    WF_H_PROVINCE_IF_DELETE_G, /* problem_resolution: the province, deleting a G-numbered record */
    /* offices of a university (docs/decisions/0033): the step's org is the
       university, its office the staff role that decides it */
    WF_H_U_ACADEMIC_OFFICE,   /* the academic office of the student's college */
    WF_H_U_VICE_DEAN,         /* the teaching vice-dean of the student's college */
    WF_H_U_SENDING_DEAN,      /* major transfer: the dean of the student's college */
    WF_H_U_RECEIVING_DEAN,    /* major transfer: the dean of the receiving college */
    WF_H_U_REGISTRAR_HEAD,    /* the registrar head (教务处处长) */
    WF_H_U_VICE_PRESIDENT,    /* the vice-president in charge (主管校长) */
    WF_H_U_REGISTRATION,      /* electronic registration: student affairs, or a service
                                 client of the province (POST /requests/{id}/confirmations) */
    WF_H_U_REGISTRAR_SECTION, /* the registrar section (教务处教务科), course requests */
    WF_H_U_DEPUTY_HEAD,       /* the registrar deputy head (教务处主管处长) */
    /* grade requests (docs/decisions/0043): the step's college comes from the course */
    WF_H_U_COURSE_OFFICE,   /* the academic office of the course's (its teacher's) college */
    WF_H_U_COURSE_TEACHER,  /* the section's course teacher: that one account */
    WF_H_U_RETAKE_OFFICE,   /* the student's college office; a PE course: the PE college's */
    WF_H_U_CROSS_VICE_DEAN, /* the student's teaching vice-dean, a cross-major retake only */
} wf_holder;

/* Who starts a request. */
typedef enum {
    WF_START_SCHOOL = 1, /* the student's school (registrar) */
    WF_START_RECEIVING,  /* the receiving school of a transfer (registrar) */
    WF_START_NONE,       /* not started through POST /requests (registration:
                            its student's school withdraws and resubmits it) */
    WF_START_AUTHORITY,  /* a bureau over both schools (batch_transfer) */
    WF_START_PROBLEM,    /* POST /problems/{id}/resolutions */
    WF_START_CLAIMING,   /* a school of the next stage claims a graduate (intake_claim) */
    WF_START_STUDENT,    /* a university student, for their own record (role student) */
} wf_starter;

/* What the last approval does. */
typedef enum {
    WF_E_REGISTER = 1,   /* pending -> enrolled, final student number */
    WF_E_STATE,          /* state -> to_state */
    WF_E_TRANSFER,       /* school, grade and class of the receiving school */
    WF_E_GRADE,          /* another grade and class in the same school */
    WF_E_KEY_FIELDS,     /* name, document, gender, birth date (checks rerun) */
    WF_E_BATCH_TRANSFER, /* every member to the receiving school, same grade */
    WF_E_GRADUATE,       /* every member: graduated / completed / incomplete, certificate number */
    WF_E_RESOLVE,        /* a problem record: evidence, change (key fields) or delete */
    WF_E_INTAKE,         /* a graduate enrolled at the claiming school; its other claims end
                            (superseded) */
    /* a university student (workflow/uni.h) */
    WF_E_U_SUSPEND,     /* 休学 until the end date */
    WF_E_U_RESUME,      /* 在读 again, in a class of the right cohort */
    WF_E_U_WITHDRAW,    /* 退学: the record closed, kept */
    WF_E_U_MAJOR,       /* 转专业: 插班学习 after the university's approval, the new major
                           once the electronic registration confirms */
    WF_E_U_COHORT,      /* 调整年级: the next cohort of the same major, a notice */
    WF_E_REWARD_REMOVE, /* a reward or punishment entry marked removed (docs/decisions/0030) */
    /* grade requests of a university student (workflow/course.h, docs/decisions/0043) */
    WF_E_U_GRADE_REVIEW,  /* 成绩复核: the grade corrected (or left) with a change row */
    WF_E_U_DEFERRED_EXAM, /* 缓考: a deferral to the next cohort's exam */
    WF_E_U_RETAKE,        /* 重修: a retake selection taking a seat */
    /* a university student's course requests (workflow/creq.h, docs/decisions/0044) */
    WF_E_U_EXEMPT,     /* 课程免修: exempted, live selections of the courses dropped */
    WF_E_U_SUBSTITUTE, /* 课程置换: credited from elsewhere, dropped likewise */
    WF_E_U_COVER,      /* 课程覆盖: covered by a course taken, dropped likewise */
    WF_E_U_LATE,       /* 补选: drops and adds of sections, seats moved atomically */
} wf_effect;

/* When a type's steps are due, besides the engine's working days. */
typedef enum {
    WF_DUE_DEFAULT = 0, /* step_deadline_days working days after the step starts */
    WF_DUE_WEEK5,       /* the last step by the end of teaching week 5 (processed in
                           weeks 4-5) */
    WF_DUE_FRIDAY,      /* every step by the Friday one week after submission */
} wf_due;

/* The kind of a payload member: how workflow/payload.c reads, checks and
   stores it, and which wf_start field (workflow/wf.h) receives it. */
typedef enum {
    WF_K_TEXT = 1,      /* visible text of at most .max characters (wrong_type) */
    WF_K_DATE,          /* YYYY-MM-DD (invalid_date); .after: not before that member */
    WF_K_GRADE,         /* grade code, integer or 1-2 digit string; stored "%02d"; 0 is absent */
    WF_K_CLASS,         /* class number, as a grade; stored as an integer; 0 is absent */
    WF_K_SCHOOL,        /* 10-digit school code (invalid_school_code) */
    WF_K_CALLER_SCHOOL, /* a school code, the caller's org when absent (transfer) */
    WF_K_STUDENTS,      /* 1..max students by id (integer) or number (1-19 characters) */
    WF_K_OUTCOMES,      /* {"<student id>": "graduated" | "completed" | "incomplete"} */
    WF_K_CHANGES,       /* key fields {field: string | null}; stored with PII masked */
    WF_K_FLAG,          /* boolean; stored as 0 or 1, also when absent */
    WF_K_CHOICE,        /* one of .choices (invalid_method) */
    WF_K_STUDENT_ID,    /* a positive integer: the student (id) it is about */
    WF_K_FILES,         /* at most 10 evidence file ids (positive integers) */
    WF_K_ROW_ID,        /* a positive integer: a row of the student's the request is about */
    WF_K_LIST,          /* an array of at most .max items, stored as given; its items are
                           checked by the type's start rules (workflow/creq.c) */
} wf_kind;

/* One payload member of a request type. */
typedef struct wf_member {
    const char *name;
    wf_kind kind;
    int required;               /* absent (a grade: 0) is missing_field */
    long long min, max;         /* TEXT: max characters; STUDENTS: max count; CLASS: range
                                   when max > 0 (wrong_type) */
    const char *after;          /* DATE: the member it may not precede (before_start) */
    const char *bad_at;         /* JSON pointer of a wrong type when not the member's own */
    int sealed;                 /* CHANGES: the new values are stored encrypted, as `sealed` */
    const char *const *choices; /* CHOICE */
    const char *bad_code;       /* CHOICE: the code of a value not in .choices
                                   (NULL: invalid_method) */
    const char *with_method;    /* taken only with this method, else unknown_field */
    const char *required_with;  /* required with this method (checked after the others) */
    int unstored;               /* a typed field only, not part of the stored payload */
    int non_string_absent;      /* DATE: a value that is not a string counts as absent */
} wf_member;

#define WF_MAX_STEPS 8

typedef struct wf_def {
    const char *type;
    const char *label;       /* Chinese name */
    const char *const *from; /* student states it starts from */
    const char *to_state;    /* WF_E_STATE: the state it leaves; others: NULL */
    wf_starter starter;
    wf_holder steps[WF_MAX_STEPS]; /* WF_H_NONE-terminated */
    wf_effect effect;
    const wf_member *members; /* payload members, {NULL}-terminated; NULL: none */
    int evidence_required;    /* evidence file ids required */
    int senior_only;          /* only senior secondary students (grades 31-33) */
    int revertible;
    int batch;           /* many students (request members), no single `student` */
    int body_members;    /* members at the top of the body, not in `payload`
                            (problem_resolution) */
    int parallel;        /* the first `parallel` steps wait side by side, decided in any
                            order (a major transfer's two deans) */
    wf_holder interim;   /* after this step's approval the interim effect applies
                            (a major transfer: 插班学习); WF_H_NONE: none */
    int university;      /* a university's type: the student's college routes it */
    wf_due due;          /* a course request's own deadline (workflow/creq.h) */
    int due_fixed;       /* every step is due by the first step's due date (成绩复核: week 3) */
    int approval_score;  /* the last approval gives `score` (成绩复核's corrected score) */
    const char *subject; /* the payload member the request is about (a grade, a section): open
                            requests of the student with other subjects do not hold it back
                            (docs/decisions/0048); NULL: one open request per student */
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

/* Member `name` of type `d`, or NULL. */
const wf_member *wf_def_member(const wf_def *d, const char *name);

#endif
