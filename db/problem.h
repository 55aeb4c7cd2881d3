/*
 * db/problem.h - problem records (问题学籍, DOMAIN rule 24: a wrong ID, a
 * duplicate, a suspected duplicate): opened by registration, listed by scope,
 * resolved (evidence, change, delete) by a problem_resolution request through
 * the workflow engine. Strings read back are in the caller's arena.
 */
#ifndef DB_PROBLEM_H
#define DB_PROBLEM_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

typedef struct db_problem {
    long long id, student_id, other_student_id;
    const char *kind, *state, *school, *other_school, *authority, *reason, *created_at;
    const char *evidence;   /* file ids, "{1,2}" */
    const char *resolution; /* evidence / change / delete once resolved, else NULL */
    long long resolved_by_request;
} db_problem;

int db_problem_insert(db_conn *c, db_problem *p, app_err *err);
int db_problem_open_count(db_conn *c, long long student_id, int *out_n, app_err *err);
/* Problems touching a school of the scope (school exact, or schools whose
   authority LIKE; both NULL: all), by state (NULL: any), ascending id. */
int db_problem_list(db_conn *c, const char *school, const char *authority_like, const char *state,
                    long long after, int limit, app_arena *a, db_problem **out, int *out_n,
                    app_err *err);

int db_problem_get(db_conn *c, long long id, int for_update, app_arena *a, db_problem *out,
                   int *out_found, app_err *err);
/* Append evidence file ids (duplicates dropped). */
int db_problem_add_evidence(db_conn *c, long long id, const long long *ids, int n, app_err *err);
/* Resolve an open problem: resolution "evidence", "change" or "delete". */
int db_problem_resolve(db_conn *c, long long id, const char *resolution, long long request_id,
                       app_err *err);

#endif
