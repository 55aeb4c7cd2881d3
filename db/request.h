/*
 * db/request.h - the students a request is about (request members),
 * graduation certificate numbers, and problem records as the workflow
 * engine resolves them. The request rows themselves are in db/student.h.
 */
#ifndef DB_REQUEST_H
#define DB_REQUEST_H

#include "db/student.h"

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
/* For each row of `r`, ordered by the request id in its column 0, the index
   of that request in q[0..n) (-1: none); counts[i]: the rows of q[i]. */
int *db_rows_by_request(const db_res *r, const struct db_request *q, int n, app_arena *a,
                        int *counts);
/* The members of requests q[0..n) (ids: the array literal of their ids), one query. */
int db_members_of(db_conn *c, const char *ids, struct db_request *q, int n, app_arena *a,
                  app_err *err);
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
int db_grade_candidates(db_conn *c, const char *school, int grade, app_arena *a,
                        db_candidate **out, int *out_n, app_err *err);

/* ---- problems ---- */

int db_problem_get(db_conn *c, long long id, int for_update, app_arena *a, db_problem *out,
                   int *out_found, app_err *err);
/* Append evidence file ids (duplicates dropped). */
int db_problem_add_evidence(db_conn *c, long long id, const long long *ids, int n,
                            app_err *err);
/* Resolve an open problem: resolution "evidence", "change" or "delete". */
int db_problem_resolve(db_conn *c, long long id, const char *resolution, long long request_id,
                       app_err *err);

#endif
