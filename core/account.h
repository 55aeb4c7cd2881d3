/*
 * core/account.h - accounts managed by their superiors (DOMAIN §8, rule 29):
 * list, create, read, change (display name, disabled, staff scope), password
 * reset and unlock, the caller's own account (/me) and the first
 * administrator.
 *
 * Who manages whom (one predicate, used by every function on one account):
 *   - a bureau account (county..province) is managed by every bureau strictly
 *     above its org (core_org_is_superior);
 *   - a school account by every bureau whose region contains the school's
 *     competent authority (core_org_is_superior_of_school), and by that
 *     school's registrars (a university's: its registrar section);
 *   - a student account (role student) by its university's registrar section;
 *   - nobody manages their own account here (that is /me), and service
 *     clients (op->actor->user_id 0) manage nothing.
 * An account the caller does not manage answers APP_ENOTFOUND user_not_found,
 * so that its existence does not leak. Lists are wider: a bureau lists every
 * account at or below its org, its own colleagues included; a registrar its
 * school. Callers who manage nobody get APP_EFORBIDDEN forbidden on the list
 * and on creation.
 *
 * Every write owns its transaction and writes its audit row (core_audit) in
 * it. Passwords and their hashes never go into an audit row or a log; a
 * one-time password is handed back once, in the caller's buffer, which the
 * caller wipes (sodium_memzero) after use.
 *
 * op->actor is required (the caller: a user, or a service client with
 * user_id 0). Strings of the outputs live in op->arena. Besides the errors named, every
 * function may answer APP_EUNAVAIL, APP_ERETRY or APP_EINTERNAL from db/.
 */
#ifndef CORE_ACCOUNT_H
#define CORE_ACCOUNT_H

#include "base/err.h"
#include "core/op.h"
#include "core/password.h"
#include "db/db.h"

#define CORE_ACCOUNT_MAX_CLASSES 32
#define CORE_DISPLAY_NAME_MAX 100 /* characters */

/* An account as callers see it: never the password hash. */
typedef struct core_account {
    long long id;
    const char *username, *display_name, *role, *org, *staff_role; /* staff_role NULL if none */
    int grade;                                                     /* 0: none */
    int nclasses;
    long long classes[CORE_ACCOUNT_MAX_CLASSES];
    int must_change_password, disabled, frozen, locked;
    double tokens_valid_after; /* epoch seconds; tokens with an earlier iat are dead */
    double last_login_at;      /* epoch seconds, 0 = never */
    double created_at;         /* epoch seconds */
    long long created_by;      /* 0 = none */
    int version;
    long long college;    /* a college-scoped university office's college; 0 = none */
    long long student_id; /* role student: the student's record; 0 = none */
} core_account;

/* Does the actor manage any account (a bureau user or a registrar)? Pure; the
   handler asks it first so that a caller who manages nobody gets its 403/404
   before any validation of the request, as the functions below answer it. */
int core_account_manages_anyone(const core_actor *a);

/* ---- list ---- */

typedef struct core_account_page {
    core_account *items; /* op->arena */
    int n;               /* <= limit */
    int more;            /* another page follows: next cursor is items[n-1].id */
} core_account_page;

/*
 * Accounts by id > `after`, at most `limit`: a registrar's school, the org
 * `org` (validated by the caller: a region or school code, or NULL) or, when
 * `org` is NULL, the bureau's whole region. Errors: APP_EFORBIDDEN forbidden
 * (manages nobody); APP_ENOTFOUND org_not_found, field /query/org (an org
 * the actor does not see; a registrar names another school).
 */
int core_account_list(db_conn *db, const core_op *op, const char *org, long long after, int limit,
                      core_account_page *out, app_err *err);

/* ---- create ---- */

typedef struct core_account_new {
    const char *username, *display_name, *org; /* validated by the caller */
    core_level role;                           /* the org's level */
    core_staff_role staff;                     /* school accounts only */
    int grade;                                 /* grade leaders */
    int nclasses;                              /* head teachers */
    long long classes[CORE_ACCOUNT_MAX_CLASSES];
    long long college; /* college-scoped university offices (docs/decisions/0032) */
} core_account_new;

/*
 * A new account with a one-time password (written to `one_time_password`,
 * which the caller wipes); it must be changed at first login. Errors, in
 * order: APP_EFORBIDDEN forbidden (manages nobody); APP_EFORBIDDEN
 * role_not_allowed, field /role (a registrar creating a bureau account, a
 * bureau creating its own level or above) or /staff_role (a bureau creating a
 * school account other than a registrar or a university's registrar section);
 * APP_ENOTFOUND org_not_found, field /org (an org outside the actor's
 * jurisdiction or unknown); APP_EINVAL invalid_staff_role, field /staff_role
 * (a university office at a K-12 school or a K-12 role at a university),
 * college_not_found, field /college (a college-scoped office without a
 * college of that university); APP_EINVAL
 * invalid_classes, field /classes (classes of another school); APP_ECONFLICT
 * username_taken, field /username. Audit: "user_create" with username, role,
 * org and staff_role.
 */
int core_account_create(db_conn *db, const core_op *op, const core_account_new *in,
                        core_account *out, char one_time_password[CORE_PASSWORD_GEN_LEN + 1],
                        app_err *err);

/* ---- one account ---- */

/* Account `id` if the actor manages it, else APP_ENOTFOUND user_not_found. */
int core_account_get(db_conn *db, const core_op *op, long long id, core_account *out, app_err *err);

typedef struct core_account_change {
    int expect_version;
    const char *display_name; /* NULL: unchanged */
    int disabled;             /* -1: unchanged */
    int grade;                /* 0: unchanged */
    int has_classes, nclasses;
    long long classes[CORE_ACCOUNT_MAX_CLASSES];
} core_account_change;

/*
 * Change a managed account; *out is the account after the change. Errors:
 * user_not_found; APP_EPRECOND precondition_failed (version); APP_EINVAL
 * invalid_grade (/grade, not a grade leader), invalid_classes (/classes, not
 * a head teacher or classes of another school). Disabling or changing scope
 * ends the account's tokens. Audit: "user_update" with the members changed.
 */
int core_account_patch(db_conn *db, const core_op *op, long long id, const core_account_change *in,
                       core_account *out, app_err *err);

/*
 * A new one-time password for a managed account (must be changed at next
 * login; every token and session of the account ends). Errors:
 * user_not_found. Audit: "password_reset" (no detail).
 */
int core_account_password_reset(db_conn *db, const core_op *op, long long id,
                                char one_time_password[CORE_PASSWORD_GEN_LEN + 1], app_err *err);

/* Lift the locks and the freeze of a managed account; *out after the change.
   Errors: user_not_found. Audit: "unlock" with what was locked and frozen. */
int core_account_unlock(db_conn *db, const core_op *op, long long id, core_account *out,
                        app_err *err);

/* ---- the caller's own account ---- */

typedef struct core_me {
    int is_user;              /* 0: a service client (no account) */
    core_account account;     /* when is_user */
    const char *jurisdiction; /* the org's full name (region chain or school); may be NULL */
} core_me;

/* The actor's account and the name of its org. Errors: APP_EAUTH
   invalid_token (the account is gone). */
int core_account_me(db_conn *db, const core_op *op, core_me *out, app_err *err);

/* ---- reads without authorization (the per-request account check) ---- */

/* Account `id` whatever the actor; 0 with *out_found 0 when there is none. */
int core_account_read(db_conn *db, long long id, app_arena *a, core_account *out, int *out_found,
                      app_err *err);

/* The same and whether session `sid` of the account is alive (*out_alive),
   in one read: the per-request check when neither is cached. */
int core_account_session(db_conn *db, long long id, long long sid, app_arena *a, core_account *out,
                         int *out_found, int *out_alive, app_err *err);

/*
 * At start: when there is no account at all and `password` is not NULL, the
 * ministry administrator "admin" with that password (audit
 * "bootstrap_admin"). APP_EINVAL when the password fails the policy. Another
 * process creating it first is not an error.
 */
int core_account_bootstrap_admin(db_conn *db, const char *password, app_err *err);

#endif
