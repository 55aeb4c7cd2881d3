/*
 * db/user.h - accounts, refresh tokens, service clients and audit rows.
 */
#ifndef DB_USER_H
#define DB_USER_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

#define DB_USER_MAX_CLASSES 32

typedef struct db_user {
    long long id;
    const char *username, *display_name, *role, *org, *staff_role; /* staff_role NULL if none */
    int grade;
    int nclasses;
    long long classes[DB_USER_MAX_CLASSES];
    const char *password_hash;
    int must_change_password, disabled, frozen;
    long long locked_for_s;    /* seconds the lock still holds; 0 = not locked */
    double tokens_valid_after; /* epoch seconds (whole); tokens with an earlier iat are dead */
    double last_login_at;      /* epoch seconds, 0 = never */
    double created_at;         /* epoch seconds */
    long long created_by;      /* 0 = none */
    int version;
    long long college;    /* a college-scoped university office's college; 0 = none */
    long long student_id; /* role student: the student's record; 0 = none */
} db_user;

/* Lookups: 0 with *out_found = 0 when there is no such user. */
int db_user_by_username(db_conn *c, const char *username, app_arena *a, db_user *out,
                        int *out_found, app_err *err);
int db_user_by_id(db_conn *c, long long id, app_arena *a, db_user *out, int *out_found,
                  app_err *err);

/* Account `id` and whether its session, refresh family `family`, is alive
   (*out_alive; 0 when there is no account): the per-request check in one read. */
int db_user_session(db_conn *c, long long id, long long family, app_arena *a, db_user *out,
                    int *out_found, int *out_alive, app_err *err);

/* New account; *out_id receives its id. APP_ECONFLICT when the username is taken. */
int db_user_insert(db_conn *c, const db_user *u, long long *out_id, app_err *err);

/*
 * A failed login, counted for the whole account: failures in a 15-minute window
 * lock the account for 15 minutes at the `max_failures`-th (a guessing campaign
 * from many addresses). *out_locked_for_s > 0 when locked now.
 */
int db_user_login_failed(db_conn *c, long long id, int max_failures, long long *out_locked_for_s,
                         app_err *err);
/*
 * The same for the account from one `source` (ADR 0014): at the `max_failures`-th
 * failure within 15 minutes that source may not log in to the account for 15
 * minutes; other sources may.
 */
int db_user_source_failed(db_conn *c, long long id, const char *source, int max_failures,
                          long long *out_locked_for_s, app_err *err);
/* Seconds `source` is still locked out of the account (0: not locked). */
int db_user_source_locked(db_conn *c, long long id, const char *source, long long *out_locked_for_s,
                          app_err *err);
/* A successful login from `source`: clears that source's failures, stamps
   last_login_at. The account-wide count runs out with its window. */
int db_user_login_ok(db_conn *c, long long id, const char *source, app_err *err);
/* Mark the account frozen (unused too long). */
int db_user_freeze(db_conn *c, long long id, app_err *err);

/*
 * New password hash. must_change: the user must change it at next login (a
 * reset). Every access token issued up to now dies (tokens_valid_after moves
 * past the current second; see REVOKE_NOW in user.c)
 * and every refresh token is revoked: the user logs in again.
 */
int db_user_set_password(db_conn *c, long long id, const char *hash, int must_change, app_err *err);
/* Lift a lock (the account's and every source's) and a freeze. */
int db_user_unlock(db_conn *c, long long id, app_err *err);
/* Update display name, disabled, staff scope (grade, classes) with a version check.
   APP_EPRECOND when the version is stale. Changing scope or disabling ends access
   tokens; disabling also revokes every refresh token (every session ends). */
int db_user_update(db_conn *c, const db_user *u, int expect_version, app_err *err);
/*
 * Accounts within a bureau's region, by id > `after`, at most `limit`, ordered
 * by id: bureau accounts whose org starts with `region_prefix` (the region's
 * significant digits: "" for the ministry, "41" for 410000, "4101" for
 * 410100, "410102" for a county) and school accounts whose school's competent
 * AUTHORITY starts with it. School codes are never matched by prefix: their
 * first digits are a category, not a province. *out (in `a`) may be empty.
 */
int db_user_list_region(db_conn *c, const char *region_prefix, long long after, int limit,
                        app_arena *a, db_user **out, int *out_n, app_err *err);
/* Accounts whose org is exactly `org` (a region or a school code), as above. */
int db_user_list_org(db_conn *c, const char *org, long long after, int limit, app_arena *a,
                     db_user **out, int *out_n, app_err *err);
/* How many of the `n` class ids are classes of school `school` (ids distinct). */
int db_user_classes_in_school(db_conn *c, const char *school, const long long *ids, int n,
                              int *out_count, app_err *err);

/* ---- refresh tokens ---- */
int db_refresh_insert(db_conn *c, long long user_id, long long family, const char *hash, int ttl_s,
                      app_err *err);
int db_refresh_new_family(db_conn *c, long long *out_family, app_err *err);
/*
 * Use a refresh token: in one statement marks it used and returns its user and
 * family. *out_state: 0 ok, 1 unknown or expired or revoked, 2 reused (already
 * used: the caller revokes the family).
 */
int db_refresh_use(db_conn *c, const char *hash, long long *out_user, long long *out_family,
                   int *out_state, app_err *err);
int db_refresh_revoke_family(db_conn *c, long long family, app_err *err);
int db_refresh_revoke_user(db_conn *c, long long user_id, app_err *err);

/* ---- service clients ---- */
int db_client_insert(db_conn *c, const char *client_id, const char *name, const char *org,
                     const char *secret_hash, long long created_by, app_err *err);
/* *out_found = 0 when unknown or disabled. */
int db_client_get(db_conn *c, const char *client_id, app_arena *a, const char **out_org,
                  const char **out_secret_hash, int *out_found, app_err *err);

/* ---- audit ---- */
typedef struct db_audit {
    long long actor_id; /* 0 = none */
    const char *actor_org, *action, *target_type, *target_id;
    const char *ip, *user_agent, *request_id;
    const char *detail_json; /* NULL = {} */
} db_audit;
int db_audit_insert(db_conn *c, const db_audit *e, app_err *err);

/* What an audit row is written with: its columns (DB_AUDIT_COLS), and the
   DB_AUDIT_NPARAMS parameters for them (db_audit_params: `e` in
   DB_AUDIT_COLS' order, all NULL when `e` is NULL; `actor` holds the actor
   id's text). For statements that write their change's audit row themselves
   (db/uni_select.c): actor_id as nullif($n::text, '0')::bigint, detail as
   coalesce($n::jsonb, '{}'), as db_audit_insert does. */
#define DB_AUDIT_COLS                                                                              \
    "actor_id, actor_org, action, target_type, target_id, ip, user_agent, request_id, detail"
#define DB_AUDIT_NPARAMS 9
void db_audit_params(const db_audit *e, char actor[24], const char **p);

/* Count users (bootstrap: create admin only in an empty database). */
int db_user_count(db_conn *c, long long *out, app_err *err);

#endif
