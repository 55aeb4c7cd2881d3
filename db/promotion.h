/*
 * db/promotion.h - promotion runs (学年升级) of a school (tables promotion,
 * promotion_member, migration 015), set-based: each statement handles every
 * pupil of the school at once (INSERT ... SELECT, UPDATE ... FROM), so a
 * school costs a fixed number of round trips however many pupils it has.
 *
 * The plan classifies every active pupil (pending, enrolled, suspended) of
 * the school by a grade map that core/ makes (core/school_year.h): a JSON
 * array [{"g": grade, "nx": next grade, "act": action, "label": label of
 * the next grade}], where act is "promote", "graduate", "graduation_request"
 * (senior final grade) or "grade_not_in_system"; a grade missing from the map
 * counts as grade_not_in_system. Before the map: a suspended pupil is
 * "suspended" (stays), a pupil with an open problem "student_has_problem",
 * one with an open request (a member of it) "student_in_flight".
 *
 * The history rows, change-feed events and audit rows of the pupils of a
 * run are written by db_promotion_record() in the caller's transaction, as
 * INSERT ... SELECT over the run's members (docs/decisions/0026). Every
 * statement that joins the student table names the school as well, so that
 * it reads the school's pupils by student_school_idx (a join by id alone
 * was planned as a scan of the whole table).
 * Strings read back live in the caller's arena. Errors: APP_EUNAVAIL,
 * APP_ERETRY, APP_EINTERNAL.
 */
#ifndef DB_PROMOTION_H
#define DB_PROMOTION_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* A run. */
typedef struct db_promotion {
    long long id;
    char school[11];
    int year;
    const char *state; /* "applied" or "reverted" */
    int promoted, graduated, suspended, left_out;
    const char *plan_json; /* {"grades": [...], "left_out": [...]} */
    const char *created_at, *created_org, *reverted_at;
    long long job_id;
} db_promotion;

/* Counts of one grade and action of a plan. */
typedef struct db_promotion_count {
    int grade, next; /* next: -1 when none */
    const char *act;
    int n;
} db_promotion_count;

/* A pupil left out, and why (the act). */
typedef struct db_promotion_left {
    long long id;
    const char *name;
    int grade, class_no;
    const char *reason;
} db_promotion_left;

/* The applied run of (school, year): *out_found 0 when none. */
int db_promotion_find(db_conn *c, const char *school, int year, app_arena *a, db_promotion *out,
                      int *out_found, app_err *err);

/* Lock every active pupil of the school (FOR UPDATE), ascending id. */
int db_promotion_lock_pupils(db_conn *c, const char *school, app_err *err);

/* The plan of the school under `map_json`: counts by grade and action, and
   every pupil left out (act other than promote, graduate, suspended). */
int db_promotion_plan(db_conn *c, const char *school, const char *map_json, app_arena *a,
                      db_promotion_count **out_counts, int *out_ncounts,
                      db_promotion_left **out_left, int *out_nleft, app_err *err);

/* A new run with its counts and plan; out->id, created_at filled. */
int db_promotion_insert(db_conn *c, db_promotion *p, long long actor_id, app_arena *a,
                        app_err *err);

/*
 * The members of run `id` of `school` under `map_json`: the pupils the plan
 * promotes or graduates, each with where it is now and the version the run
 * will leave; the graduates with certificate numbers <school><cert_year><5
 * digits> from `cert_first` on, in id order (db_certificate_take() took
 * them). *out_promoted and *out_graduated count them.
 */
int db_promotion_members(db_conn *c, long long id, const char *school, const char *map_json,
                         int cert_year, int cert_first, int *out_promoted, int *out_graduated,
                         app_err *err);

/* Apply run `id`: the classes of the new grades that do not exist yet
   (default names from `labels_json` [{g, label}]), then the records (grade
   and class, or state graduated; version + 1). */
int db_promotion_apply(db_conn *c, long long id, const char *school, const char *labels_json,
                       app_err *err);

/* Who wrote a run's rows: for history, events and audit. */
typedef struct db_promotion_who {
    long long actor_id;
    const char *actor_org, *ip, *user_agent, *request_id;
    const char *school, *authority, *province;
    int year;
} db_promotion_who;

/* History, event and audit row of every member of run `id`; `revert` 1 for
   the rows of its revert. */
int db_promotion_record(db_conn *c, long long id, const db_promotion_who *w, int revert,
                        app_err *err);

/*
 * Revert run `id` of `school`: lock its members' records, then the ids (at
 * most `cap`, ascending) of those that changed since (left the school, or
 * another version than the run
 * left) or have an open request or problem now: *out_n of them in *out. When
 * none, put every member back where it was (grade, class, enrolled) and mark
 * the run reverted (db_promotion_revert_apply).
 */
int db_promotion_changed(db_conn *c, long long id, const char *school, int cap, app_arena *a,
                         long long **out, int *out_n, app_err *err);
int db_promotion_revert_apply(db_conn *c, long long id, const char *school, long long actor_id,
                              app_err *err);

/* ---- region jobs (table promotion_job) ---- */

typedef struct db_promotion_job {
    long long id;
    char region[7];
    int year;
    const char *state; /* queued, running, done, failed */
    int total, processed, applied, skipped, promoted, graduated;
    const char *errors_json; /* [{"school": code, "code": slug}] */
    const char *created_at, *created_org, *started_at, *finished_at;
    /* the creator, who the job acts as (claim only) */
    long long created_by;
    const char *role;
    const char *last_school; /* "" before the first school */
} db_promotion_job;

/* Queue a job over the open schools whose authority lies in `authority_like`
   (a LIKE prefix of region codes); out->total counts them. */
int db_promotion_job_insert(db_conn *c, const char *region, const char *authority_like, int year,
                            long long actor_id, const char *actor_org, app_arena *a,
                            db_promotion_job *out, app_err *err);

/* Job `id`; *out_found 0 when none. */
int db_promotion_job_get(db_conn *c, long long id, app_arena *a, db_promotion_job *out,
                         int *out_found, app_err *err);

/* Claim the oldest queued job, or a running one not beaten for `stale_s`
   seconds (SKIP LOCKED): it becomes running. *out_found 0 when none. */
int db_promotion_job_claim(db_conn *c, int stale_s, app_arena *a, db_promotion_job *out,
                           int *out_found, app_err *err);

/* The next open school of the job's region after `after` ("" for the first),
   in code order: *out_found 0 when there is none left. */
int db_promotion_job_next_school(db_conn *c, const char *authority_like, const char *after,
                                 char out_school[11], int *out_found, app_err *err);

/* One school done: progress, counts, an error item (code NULL: none), heartbeat. */
int db_promotion_job_step(db_conn *c, long long id, const char *school, int applied, int promoted,
                          int graduated, const char *code, app_err *err);

/* The job ends: state done (or failed). */
int db_promotion_job_finish(db_conn *c, long long id, const char *state, app_err *err);

#endif
