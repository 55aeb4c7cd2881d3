/*
 * db/uniflow.h - what the status changes of a university's students
 * (workflow/uni.c, docs/decisions/0033) read and write: a university
 * student's place (college, major, cohort, class, state), majors and
 * classes, the teaching calendar's terms, the student's past suspensions
 * and the notices a change issues (migration 022). Strings read back are in
 * the caller's arena. Every function may answer APP_EUNAVAIL, APP_ERETRY or
 * APP_EINTERNAL.
 */
#ifndef DB_UNIFLOW_H
#define DB_UNIFLOW_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* A university student as a status change sees it. */
typedef struct db_uplace {
    long long student_id;
    const char *school;    /* the university */
    const char *state;     /* the university's state (uni_student.state: studying, ...) */
    const char *college;   /* college id, as text */
    const char *major;     /* major id, as text */
    int cohort;            /* entry year */
    long long class_id;    /* administrative class, 0 when none */
    const char *sit_major; /* 插班学习: the major studied in (id), else NULL */
    long long sit_class;   /* 插班学习: the class studied in, else 0 */
} db_uplace;

/* The place of student `id` (FOR UPDATE when `lock`); *out_found 0 when
   no such student or no university student. */
int db_uplace_get(db_conn *c, long long id, int lock, app_arena *a, db_uplace *out, int *out_found,
                  app_err *err);

/* The student record of university student account `user_id`: *out_id, 0
   when the account has none. */
int db_uplace_of_user(db_conn *c, long long user_id, long long *out_id, app_err *err);

/* Move student `p->student_id` to p's state, college, major, cohort, class
   and sitting-in major and class; `suspended_until` YYYY-MM-DD or NULL.
   student.state and class_id follow (studying and sitting_in: enrolled). */
int db_uplace_set(db_conn *c, const db_uplace *p, const char *suspended_until, app_err *err);

/* Major `code` (专业代码) of `school`: its id and its college's id (text);
 *out_found 0 when none. */
int db_umajor_find(db_conn *c, const char *school, const char *code, app_arena *a,
                   const char **out_id, const char **out_college, int *out_found, app_err *err);

/* A class of `major` (id) and `cohort` at `school`: `class_id` when it is
   one of them, the first of them (lowest number) when `class_id` is 0; *out
   0 when none. */
int db_uclass_pick(db_conn *c, const char *school, const char *major, int cohort,
                   long long class_id, long long *out, app_err *err);

/* The first teaching days (YYYYMMDD) of the terms of `school`'s teaching
   calendar, ascending, up to `max` of them. */
int db_uterm_starts(db_conn *c, const char *school, int *out, int max, int *out_n, app_err *err);

/* One approved, unreverted suspension of a university student. */
typedef struct db_ususpension {
    int start, end; /* YYYYMMDD */
    const char *reason_kind;
} db_ususpension;

/* The student's approved suspensions (uni_suspend requests not reverted),
   oldest first, up to `max`. */
int db_ususpensions(db_conn *c, long long student_id, app_arena *a, db_ususpension *out, int max,
                    int *out_n, app_err *err);

/* A notice of `kind` for request `request_id` dated `issued_on`
   (YYYY-MM-DD): *out_id. */
int db_unotice_insert(db_conn *c, const char *kind, long long student_id, long long request_id,
                      const char *issued_on, int from_cohort, int to_cohort, long long *out_id,
                      app_err *err);

/* The notices of request `request_id` revoked (a revert). */
int db_unotice_revoke(db_conn *c, long long request_id, app_err *err);

/* A notice a change issued, as its PDF shows it. */
typedef struct db_unotice {
    const char *issued_on; /* YYYY-MM-DD */
    int from_cohort, to_cohort;
} db_unotice;

/* The unrevoked notice of `kind` of request `request_id` (the latest);
 *out_found 0 when none. */
int db_unotice_of(db_conn *c, long long request_id, const char *kind, app_arena *a, db_unotice *out,
                  int *out_found, app_err *err);

#endif
