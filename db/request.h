/*
 * db/request.h - requests (migrations 005, 007): the request rows with their
 * approval steps and the actions taken on them, the students a request is
 * about (request members), graduation certificate numbers and the
 * candidates of a graduation. The workflow engine (workflow/) gives these
 * rows their meaning; this layer only reads and writes them. Strings read
 * back are in the caller's arena.
 */
#ifndef DB_REQUEST_H
#define DB_REQUEST_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* ---- requests, steps, actions ---- */

typedef struct db_step {
    int number;
    const char *level, *org, *state, *due_at, *decided_at, *comment;
    const char *escalate_to; /* the holder's superior (overdue steps), or NULL */
    /* a university's office holds it (migration 022): the staff role, the
       college of a college's office, the office it escalates to; NULL for
       K-12 steps, which the whole org holds */
    const char *office, *college, *escalate_office;
    long long decided_by;
    int forced;
} db_step;

typedef struct db_action {
    int step;
    const char *action, *actor_org, *at, *comment;
    const char *evidence; /* file ids as a PostgreSQL array literal, "{}" when none */
    long long actor_id;
} db_action;

typedef struct db_request {
    long long id, student_id, started_by;
    const char *type, *state, *school, *province, *payload_json, *comment, *started_org;
    const char *other_school; /* transfer: the receiving school, else NULL */
    const char *evidence;     /* file ids as a PostgreSQL array literal "{1,2}" (insert) */
    const char *applied_json; /* what the effect changed, NULL before */
    const char *created_at, *updated_at;
    int current_step; /* 0 when ended */
    int version;
    db_step *steps;
    int nsteps;
    db_action *actions; /* every action taken, oldest first */
    int nactions;
    long long problem_id;      /* problem_resolution: the problem, else 0 */
    const char *subject;       /* a grade request's grade or section ("retake:812"; insert),
                                  else NULL: docs/decisions/0048 */
    struct db_member *members; /* the students it is about (below) */
    int nmembers;
} db_request;

/* Insert a request with its steps (steps[i].state and due_at as given). A
   second open request of the student without a subject, or with the same
   subject: APP_ECONFLICT (detail names request_member_one_open_idx or
   request_member_one_open_subject_idx). */
int db_request_insert(db_conn *c, db_request *r, app_err *err);
int db_request_get(db_conn *c, long long id, int for_update, app_arena *a, db_request *out,
                   int *out_found, app_err *err);
/* Requests of a student, newest last. */
int db_request_list_for_student(db_conn *c, long long student_id, app_arena *a, db_request **out,
                                int *out_n, app_err *err);
/* Decide step `number`: state, decided_by, comment; then move the request to
   `req_state` and `current_step` (0 = ended); the next step (if any) becomes
   waiting with due_at. */
int db_request_decide(db_conn *c, long long id, int number, const char *step_state, long long by,
                      const char *comment, int forced, const char *req_state, int next_step,
                      const char *next_due_at, app_err *err);
/* Move a request to `state` and `current_step` (0 = none) without deciding a step. */
int db_request_set_state(db_conn *c, long long id, const char *state, int current_step,
                         app_err *err);
/* Resubmission: every step pending again, step 1 (and the steps up to
   `parallel`, when they wait side by side) waiting with `due_at`. */
int db_request_steps_reset(db_conn *c, long long id, const char *due_at, int parallel,
                           app_err *err);
/* Resubmission with another route: the steps replaced by `steps` (n of
   them, states and due_at as given). */
int db_request_steps_replace(db_conn *c, long long id, const db_step *steps, int n, app_err *err);
/* Record what the effect changed (JSON object text). */
int db_request_set_applied(db_conn *c, long long id, const char *json, app_err *err);
/* Is there an open transfer of the student to `school` (DOMAIN rule 26)? */
int db_request_open_transfer_to(db_conn *c, long long student_id, const char *school,
                                int *out_found, app_err *err);
/* Open requests (open or returned) the student is a member of. */
int db_request_open_count(db_conn *c, long long student_id, int *out_n, app_err *err);
/* Those of them without a subject (docs/decisions/0048). */
int db_request_open_plain_count(db_conn *c, long long student_id, int *out_n, app_err *err);

typedef struct db_request_filter {
    const char *todo_org;       /* box=todo: steps waiting at this org or escalated to it */
    const char *todo_office;    /* with todo_org: only steps of this office (NULL: steps of
                                   the whole org, office NULL) */
    const char *todo_college;   /* with todo_office: a college office's own college */
    int held;                   /* with todo_office: every request with a step of that office,
                                   whatever its state, not only what waits there */
    const char *started_org;    /* box=mine */
    const char *school_like;    /* box=all for a school: school = this */
    const char *authority_like; /* box=all for a bureau: schools whose authority LIKE */
    const char *state, *type;
    long long after_id;
    int limit;
} db_request_filter;
/* Requests by filter, ascending id (the oldest first). */
int db_request_list(db_conn *c, const db_request_filter *f, app_arena *a, db_request **out,
                    int *out_n, app_err *err);
int db_request_action_insert(db_conn *c, long long request_id, int step, const char *action,
                             long long actor_id, const char *actor_org, const char *comment,
                             app_err *err);
/* The same with evidence file ids (an array literal "{1,2}", NULL for none). */
int db_request_action_insert_ev(db_conn *c, long long request_id, int step, const char *action,
                                long long actor_id, const char *actor_org, const char *comment,
                                const char *evidence, app_err *err);

/* ---- members ---- */

/* A student of a request (a batch request has many). Strings in the arena. */
typedef struct db_member {
    long long student_id;
    const char *name, *student_number; /* the number as listed (G masked) */
    const char *school;                /* where the student is now */
    int open;
    const char *outcome, *certificate_no, *applied_json; /* NULL until applied */
} db_member;

/* Make students `ids` members of request `request_id` (open). A student
   with another open request: APP_ECONFLICT (detail names
   request_member_one_open_idx). */
int db_member_add(db_conn *c, long long request_id, const long long *ids, int n, app_err *err);
/* Record what the effect did for one member. */
int db_member_set(db_conn *c, long long request_id, long long student_id, const char *outcome,
                  const char *certificate_no, const char *applied_json, app_err *err);

/* End every open request the student is a member of, in `state`. */
int db_request_end_open_of(db_conn *c, long long student_id, const char *state, app_err *err);

/* Take `n` certificate numbers of `school` in `year`: *out_first is the
   first of n consecutive sequence numbers (from 1 each year). */
int db_certificate_take(db_conn *c, const char *school, int year, int n, int *out_first,
                        app_err *err);

/* Students of `school` in `grade` in state enrolled, locked, ascending id;
   with whether each has an open request or an open problem. */
typedef struct db_candidate {
    long long id;
    int class_no;
    int in_flight, has_problem;
} db_candidate;
int db_grade_candidates(db_conn *c, const char *school, int grade, app_arena *a, db_candidate **out,
                        int *out_n, app_err *err);

#endif
