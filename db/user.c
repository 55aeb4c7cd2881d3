/*
 * db/user.c - account, token, client and audit queries.
 */
#include "db/user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USER_COLS                                                                                  \
    "id, username, display_name, role, org, staff_role, coalesce(grade, 0), classes::text,"        \
    " password_hash, must_change_password, disabled, frozen,"                                      \
    " greatest(0, ceil(extract(epoch FROM locked_until - now())))::bigint,"                        \
    " extract(epoch FROM tokens_valid_after), coalesce(extract(epoch FROM last_login_at), 0),"     \
    " extract(epoch FROM created_at), coalesce(created_by, 0), version,"                           \
    " coalesce(college, 0), coalesce(student_id, 0)"
#define USER_NCOLS 20 /* fill_user reads columns 0..19 */

static const db_stmt SQL_BY_NAME = {"user_by_name",
                                    "SELECT " USER_COLS " FROM app_user WHERE username = $1"};
static const db_stmt SQL_BY_ID = {"user_by_id", "SELECT " USER_COLS " FROM app_user WHERE id = $1"};
/* the account and whether its session (refresh family $2) is alive, in one read */
static const db_stmt SQL_BY_ID_SESSION = {
    "user_by_id_session",
    "SELECT " USER_COLS ", EXISTS (SELECT 1 FROM refresh_token WHERE family = $2 AND user_id = $1"
    " AND revoked_at IS NULL AND expires_at > now())::int FROM app_user WHERE id = $1"};
/* $1 is a region prefix of digits only (never user input with % or _). */
static const db_stmt SQL_LIST_REGION = {
    "user_list_region",
    "SELECT " USER_COLS " FROM app_user u WHERE u.id > $2 AND ($1 = '' OR"
    " (u.role <> 'school' AND u.org LIKE $1 || '%') OR"
    " (u.role = 'school' AND EXISTS (SELECT 1 FROM school s WHERE s.code = u.org::char(10)"
    "   AND s.authority LIKE $1 || '%')))"
    " ORDER BY u.id LIMIT $3"};
static const db_stmt SQL_LIST_ORG = {"user_list_org",
                                     "SELECT " USER_COLS " FROM app_user WHERE org = $1 AND id > $2"
                                     " ORDER BY id LIMIT $3"};
static const db_stmt SQL_CLASSES_IN_SCHOOL = {
    "user_classes_in_school",
    "SELECT count(*) FROM class WHERE school = $1::char(10) AND id = ANY ($2::bigint[])"};
static const db_stmt SQL_INSERT = {
    "user_insert",
    "INSERT INTO app_user (username, display_name, role, org, staff_role, grade, classes,"
    " password_hash, must_change_password, created_by, college, student_id)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7::bigint[], $8, $9, nullif($10, '0')::bigint,"
    " nullif($11, '0')::bigint, nullif($12, '0')::bigint) RETURNING id"};
static const db_stmt SQL_FAILED = {
    "user_login_failed",
    "WITH w AS (SELECT id, CASE WHEN failed_since IS NULL OR failed_since < now() - interval '15 minutes'"
    "   THEN 1 ELSE failed_count + 1 END AS n,"
    "   CASE WHEN failed_since IS NULL OR failed_since < now() - interval '15 minutes'"
    "   THEN now() ELSE failed_since END AS since FROM app_user WHERE id = $1 FOR UPDATE)"
    " UPDATE app_user u SET failed_count = w.n, failed_since = w.since,"
    "   locked_until = CASE WHEN w.n >= $2 THEN now() + interval '15 minutes' ELSE u.locked_until END"
    " FROM w WHERE u.id = w.id"
    " RETURNING greatest(0, ceil(extract(epoch FROM u.locked_until - now())))::bigint"};
/*
 * Failures per account and source: 15-minute windows as above. The account's
 * other sources' rows are dropped once stale, so they do not pile up.
 */
#define SRC_NEW_WINDOW "f.failed_since < now() - interval '15 minutes'"
#define SRC_COUNT "CASE WHEN " SRC_NEW_WINDOW " THEN 1 ELSE f.failed_count + 1 END"
static const db_stmt SQL_SRC_FAILED = {
    "user_source_failed",
    "WITH stale AS (DELETE FROM login_source_failure WHERE user_id = $1 AND source <> $2"
    "   AND failed_since < now() - interval '15 minutes'"
    "   AND coalesce(locked_until, '-infinity') < now())"
    " INSERT INTO login_source_failure AS f (user_id, source, failed_count, failed_since,"
    "   locked_until) VALUES ($1, $2, 1, now(),"
    "   CASE WHEN $3::int <= 1 THEN now() + interval '15 minutes' END)"
    " ON CONFLICT (user_id, source) DO UPDATE SET failed_count = " SRC_COUNT ","
    "   failed_since = CASE WHEN " SRC_NEW_WINDOW " THEN now() ELSE f.failed_since END,"
    "   locked_until = CASE WHEN " SRC_COUNT " >= $3::int"
    "   THEN now() + interval '15 minutes' ELSE f.locked_until END"
    " RETURNING greatest(0, ceil(extract(epoch FROM f.locked_until - now())))::bigint"};
static const db_stmt SQL_SRC_LOCKED = {
    "user_source_locked",
    "SELECT greatest(0, ceil(extract(epoch FROM locked_until - now())))::bigint"
    " FROM login_source_failure WHERE user_id = $1 AND source = $2"};
static const db_stmt SQL_SRC_CLEAR = {
    "user_source_clear", "DELETE FROM login_source_failure WHERE user_id = $1 AND source = $2"};
static const db_stmt SQL_SRC_CLEAR_ALL = {"user_source_clear_all",
                                          "DELETE FROM login_source_failure WHERE user_id = $1"};
/* A success clears its source's count only: the account-wide count of a
   guessing campaign from many addresses runs out with its window. */
static const db_stmt SQL_OK = {"user_login_ok",
                               "UPDATE app_user SET last_login_at = now() WHERE id = $1"};
static const db_stmt SQL_FREEZE = {"user_freeze",
                                   "UPDATE app_user SET frozen = true WHERE id = $1"};
/*
 * Revoking tokens: access tokens carry a whole-second iat, so the cut-off is a
 * whole second too: every token of this second and before dies, and tokens
 * issued afterwards are dated at the cut-off (api_token_issue_after). A second
 * revocation within the same second moves the cut-off one more second on, so it
 * also kills the tokens issued since the first.
 */
#define REVOKE_NOW                                                                                 \
    "greatest(date_trunc('second', now()) + interval '1 second',"                                  \
    " tokens_valid_after + interval '1 second')"

static const db_stmt SQL_SET_PASSWORD = {
    "user_set_password",
    "UPDATE app_user SET password_hash = $2, must_change_password = $3,"
    " tokens_valid_after = " REVOKE_NOW ", updated_at = now(), version = version + 1"
    " WHERE id = $1"};
static const db_stmt SQL_UNLOCK = {
    "user_unlock", "UPDATE app_user SET failed_count = 0, failed_since = NULL, locked_until = NULL,"
                   " frozen = false, last_login_at = coalesce(last_login_at, now()),"
                   " updated_at = now(), version = version + 1 WHERE id = $1"};
static const db_stmt SQL_UPDATE = {
    "user_update",
    "UPDATE app_user SET display_name = $2, disabled = $3, grade = nullif($4, '0')::smallint,"
    " classes = $5::bigint[],"
    " tokens_valid_after = CASE WHEN disabled <> $3 OR coalesce(grade, 0) <> $4::int"
    "   OR classes <> $5::bigint[] THEN " REVOKE_NOW " ELSE tokens_valid_after END,"
    " updated_at = now(), version = version + 1 WHERE id = $1 AND version = $6"};
static const db_stmt SQL_COUNT = {"user_count", "SELECT count(*) FROM app_user"};

static const db_stmt SQL_RT_FAMILY = {"rt_family", "SELECT nextval('refresh_family_seq')"};
static const db_stmt SQL_RT_INSERT = {
    "rt_insert", "INSERT INTO refresh_token (user_id, family, token_hash, expires_at)"
                 " VALUES ($1, $2, $3, now() + make_interval(secs => $4))"};
/* Marks the token used only if it is live; returns the row in any case. */
static const db_stmt SQL_RT_USE = {
    "rt_use",
    "WITH t AS (SELECT id, user_id, family, used_at, revoked_at, expires_at FROM refresh_token"
    "   WHERE token_hash = $1 FOR UPDATE),"
    " u AS (UPDATE refresh_token r SET used_at = now() FROM t"
    "   WHERE r.id = t.id AND t.used_at IS NULL AND t.revoked_at IS NULL AND t.expires_at > now()"
    "   RETURNING r.id)"
    " SELECT t.user_id, t.family, (t.used_at IS NOT NULL)::int,"
    "  (t.revoked_at IS NOT NULL OR t.expires_at <= now())::int FROM t"};
static const db_stmt SQL_RT_REVOKE_FAMILY = {
    "rt_revoke_family",
    "UPDATE refresh_token SET revoked_at = now() WHERE family = $1 AND revoked_at IS NULL"};
/* A session is alive while its family holds a token that is not revoked. */
static const db_stmt SQL_RT_REVOKE_USER = {
    "rt_revoke_user",
    "UPDATE refresh_token SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL"};

static const db_stmt SQL_CLIENT_INSERT = {
    "client_insert", "INSERT INTO service_client (client_id, name, org, secret_hash, created_by)"
                     " VALUES ($1, $2, $3, $4, $5)"};
static const db_stmt SQL_CLIENT_GET = {
    "client_get",
    "SELECT org, secret_hash FROM service_client WHERE client_id = $1 AND NOT disabled"};

static const db_stmt SQL_AUDIT = {
    "audit_insert",
    "INSERT INTO audit (" DB_AUDIT_COLS ")"
    " VALUES (nullif($1, '0')::bigint, $2, $3, $4, $5, $6, $7, $8, coalesce($9::jsonb, '{}'))"};

static void
parse_classes(const char *text, db_user *u)
{
    /* PostgreSQL array text: {1,2,3} */
    u->nclasses = 0;
    const char *p = text;
    while (*p && u->nclasses < DB_USER_MAX_CLASSES) {
        if (*p >= '0' && *p <= '9') {
            char *end;
            u->classes[u->nclasses++] = strtoll(p, &end, 10);
            p = end;
        } else {
            p++;
        }
    }
}

static void
fill_user(const db_res *r, int row, app_arena *a, db_user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = db_res_int(r, row, 0);
    u->username = app_arena_strdup(a, db_res_get(r, row, 1));
    u->display_name = app_arena_strdup(a, db_res_get(r, row, 2));
    u->role = app_arena_strdup(a, db_res_get(r, row, 3));
    u->org = app_arena_strdup(a, db_res_get(r, row, 4));
    u->staff_role = db_res_isnull(r, row, 5) ? NULL : app_arena_strdup(a, db_res_get(r, row, 5));
    u->grade = (int)db_res_int(r, row, 6);
    parse_classes(db_res_get(r, row, 7), u);
    u->password_hash = app_arena_strdup(a, db_res_get(r, row, 8));
    u->must_change_password = db_res_get(r, row, 9)[0] == 't';
    u->disabled = db_res_get(r, row, 10)[0] == 't';
    u->frozen = db_res_get(r, row, 11)[0] == 't';
    u->locked_for_s = db_res_int(r, row, 12);
    /* '-infinity' comes back as -Infinity */
    u->tokens_valid_after = strtod(db_res_get(r, row, 13), NULL);
    u->last_login_at = strtod(db_res_get(r, row, 14), NULL);
    u->created_at = strtod(db_res_get(r, row, 15), NULL);
    u->created_by = db_res_int(r, row, 16);
    u->version = (int)db_res_int(r, row, 17);
    u->college = db_res_int(r, row, 18);
    u->student_id = db_res_int(r, row, 19);
}

static int
one_user(db_conn *c, const db_stmt *st, const char *param, app_arena *a, db_user *out,
         int *out_found, app_err *err)
{
    const char *p[] = {param};
    db_res *r = NULL;
    int rc = db_exec(c, st, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    if (*out_found)
        fill_user(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_user_by_username(db_conn *c, const char *username, app_arena *a, db_user *out, int *out_found,
                    app_err *err)
{
    return one_user(c, &SQL_BY_NAME, username, a, out, out_found, err);
}

int
db_user_by_id(db_conn *c, long long id, app_arena *a, db_user *out, int *out_found, app_err *err)
{
    char s[24];
    snprintf(s, sizeof(s), "%lld", id);
    return one_user(c, &SQL_BY_ID, s, a, out, out_found, err);
}

int
db_user_session(db_conn *c, long long id, long long family, app_arena *a, db_user *out,
                int *out_found, int *out_alive, app_err *err)
{
    char s[24], f[24];
    snprintf(s, sizeof(s), "%lld", id);
    snprintf(f, sizeof(f), "%lld", family);
    const char *p[] = {s, f};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_BY_ID_SESSION, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    *out_alive = 0;
    if (*out_found) {
        fill_user(r, 0, a, out);
        *out_alive = (int)db_res_int(r, 0, USER_NCOLS);
    }
    db_res_free(r);
    return 0;
}

static void
classes_text(const db_user *u, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "{");
    for (int i = 0; i < u->nclasses && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? "," : "", u->classes[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, "}");
}

int
db_user_insert(db_conn *c, const db_user *u, long long *out_id, app_err *err)
{
    char grade[8], classes[32 * 21 + 4], by[24], col[24], sid[24];
    snprintf(grade, sizeof(grade), "%d", u->grade);
    classes_text(u, classes, sizeof(classes));
    snprintf(by, sizeof(by), "%lld", u->created_by);
    snprintf(col, sizeof(col), "%lld", u->college);
    snprintf(sid, sizeof(sid), "%lld", u->student_id);
    const char *p[] = {u->username,
                       u->display_name,
                       u->role,
                       u->org,
                       u->staff_role,
                       u->grade ? grade : NULL,
                       classes,
                       u->password_hash,
                       u->must_change_password ? "true" : "false",
                       by,
                       col,
                       sid};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_INSERT, 12, p, &r, err);
    if (rc == APP_ECONFLICT && err != NULL)
        err->slug = "username_taken";
    if (rc != 0)
        return rc;
    *out_id = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

static int
exec_id(db_conn *c, const db_stmt *st, long long id, app_err *err)
{
    char s[24];
    snprintf(s, sizeof(s), "%lld", id);
    const char *p[] = {s};
    return db_exec(c, st, 1, p, NULL, err);
}

int
db_user_login_failed(db_conn *c, long long id, int max_failures, long long *out_locked_for_s,
                     app_err *err)
{
    char s[24], m[12];
    snprintf(s, sizeof(s), "%lld", id);
    snprintf(m, sizeof(m), "%d", max_failures);
    const char *p[] = {s, m};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_FAILED, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_locked_for_s = db_res_nrows(r) ? db_res_int(r, 0, 0) : 0;
    db_res_free(r);
    return 0;
}

static int
source_locked_for(db_conn *c, const db_stmt *st, int nparams, const char *const *p,
                  long long *out_locked_for_s, app_err *err)
{
    db_res *r = NULL;
    int rc = db_exec(c, st, nparams, p, &r, err);
    if (rc != 0)
        return rc;
    *out_locked_for_s = db_res_nrows(r) ? db_res_int(r, 0, 0) : 0;
    db_res_free(r);
    return 0;
}

int
db_user_source_failed(db_conn *c, long long id, const char *source, int max_failures,
                      long long *out_locked_for_s, app_err *err)
{
    char s[24], m[12];
    snprintf(s, sizeof(s), "%lld", id);
    snprintf(m, sizeof(m), "%d", max_failures);
    const char *p[] = {s, source, m};
    return source_locked_for(c, &SQL_SRC_FAILED, 3, p, out_locked_for_s, err);
}

int
db_user_source_locked(db_conn *c, long long id, const char *source, long long *out_locked_for_s,
                      app_err *err)
{
    char s[24];
    snprintf(s, sizeof(s), "%lld", id);
    const char *p[] = {s, source};
    return source_locked_for(c, &SQL_SRC_LOCKED, 2, p, out_locked_for_s, err);
}

int
db_user_login_ok(db_conn *c, long long id, const char *source, app_err *err)
{
    char s[24];
    snprintf(s, sizeof(s), "%lld", id);
    const char *p[] = {s, source};
    int rc = db_exec(c, &SQL_SRC_CLEAR, 2, p, NULL, err);
    return rc != 0 ? rc : exec_id(c, &SQL_OK, id, err);
}

int
db_user_freeze(db_conn *c, long long id, app_err *err)
{
    return exec_id(c, &SQL_FREEZE, id, err);
}

int
db_user_set_password(db_conn *c, long long id, const char *hash, int must_change, app_err *err)
{
    char s[24];
    snprintf(s, sizeof(s), "%lld", id);
    const char *p[] = {s, hash, must_change ? "true" : "false"};
    int rc = db_exec(c, &SQL_SET_PASSWORD, 3, p, NULL, err);
    if (rc == 0)
        rc = db_refresh_revoke_user(c, id, err);
    return rc;
}

int
db_user_unlock(db_conn *c, long long id, app_err *err)
{
    int rc = exec_id(c, &SQL_SRC_CLEAR_ALL, id, err);
    return rc != 0 ? rc : exec_id(c, &SQL_UNLOCK, id, err);
}

int
db_user_update(db_conn *c, const db_user *u, int expect_version, app_err *err)
{
    char s[24], grade[8], classes[32 * 21 + 4], ver[12];
    snprintf(s, sizeof(s), "%lld", u->id);
    snprintf(grade, sizeof(grade), "%d", u->grade);
    classes_text(u, classes, sizeof(classes));
    snprintf(ver, sizeof(ver), "%d", expect_version);
    const char *p[] = {s, u->display_name, u->disabled ? "true" : "false", grade, classes, ver};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_UPDATE, 6, p, &r, err);
    if (rc != 0)
        return rc;
    long long n = db_res_affected(r);
    db_res_free(r);
    if (n == 0)
        return app_err_set(err, APP_EPRECOND, "precondition_failed", "user %lld version", u->id);
    /* a disabled account keeps no session: re-enabling it brings none back */
    return u->disabled ? db_refresh_revoke_user(c, u->id, err) : 0;
}

static int
list(db_conn *c, const db_stmt *st, const char *key, long long after, int limit, app_arena *a,
     db_user **out, int *out_n, app_err *err)
{
    char aft[24], lim[12];
    snprintf(aft, sizeof(aft), "%lld", after);
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *p[] = {key, aft, lim};
    db_res *r = NULL;
    int rc = db_exec(c, st, 3, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_user *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        fill_user(r, i, a, &v[i]);
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

int
db_user_list_region(db_conn *c, const char *region_prefix, long long after, int limit, app_arena *a,
                    db_user **out, int *out_n, app_err *err)
{
    return list(c, &SQL_LIST_REGION, region_prefix, after, limit, a, out, out_n, err);
}

int
db_user_list_org(db_conn *c, const char *org, long long after, int limit, app_arena *a,
                 db_user **out, int *out_n, app_err *err)
{
    return list(c, &SQL_LIST_ORG, org, after, limit, a, out, out_n, err);
}

int
db_user_classes_in_school(db_conn *c, const char *school, const long long *ids, int n,
                          int *out_count, app_err *err)
{
    db_user tmp;
    tmp.nclasses = n > DB_USER_MAX_CLASSES ? DB_USER_MAX_CLASSES : n;
    for (int i = 0; i < tmp.nclasses; i++)
        tmp.classes[i] = ids[i];
    char arr[32 * 21 + 4];
    classes_text(&tmp, arr, sizeof(arr));
    const char *p[] = {school, arr};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CLASSES_IN_SCHOOL, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_count = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

int
db_user_count(db_conn *c, long long *out, app_err *err)
{
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_COUNT, 0, NULL, &r, err);
    if (rc != 0)
        return rc;
    *out = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

int
db_refresh_new_family(db_conn *c, long long *out_family, app_err *err)
{
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_RT_FAMILY, 0, NULL, &r, err);
    if (rc != 0)
        return rc;
    *out_family = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

int
db_refresh_insert(db_conn *c, long long user_id, long long family, const char *hash, int ttl_s,
                  app_err *err)
{
    char u[24], f[24], t[16];
    snprintf(u, sizeof(u), "%lld", user_id);
    snprintf(f, sizeof(f), "%lld", family);
    snprintf(t, sizeof(t), "%d", ttl_s);
    const char *p[] = {u, f, hash, t};
    return db_exec(c, &SQL_RT_INSERT, 4, p, NULL, err);
}

int
db_refresh_use(db_conn *c, const char *hash, long long *out_user, long long *out_family,
               int *out_state, app_err *err)
{
    const char *p[] = {hash};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_RT_USE, 1, p, &r, err);
    if (rc != 0)
        return rc;
    if (db_res_nrows(r) == 0) {
        *out_state = 1;
    } else {
        *out_user = db_res_int(r, 0, 0);
        *out_family = db_res_int(r, 0, 1);
        if (db_res_int(r, 0, 2))
            *out_state = 2;
        else if (db_res_int(r, 0, 3))
            *out_state = 1;
        else
            *out_state = 0;
    }
    db_res_free(r);
    return 0;
}

int
db_refresh_revoke_family(db_conn *c, long long family, app_err *err)
{
    return exec_id(c, &SQL_RT_REVOKE_FAMILY, family, err);
}

int
db_refresh_revoke_user(db_conn *c, long long user_id, app_err *err)
{
    return exec_id(c, &SQL_RT_REVOKE_USER, user_id, err);
}

int
db_client_insert(db_conn *c, const char *client_id, const char *name, const char *org,
                 const char *secret_hash, long long created_by, app_err *err)
{
    char by[24];
    snprintf(by, sizeof(by), "%lld", created_by);
    const char *p[] = {client_id, name, org, secret_hash, by};
    return db_exec(c, &SQL_CLIENT_INSERT, 5, p, NULL, err);
}

int
db_client_get(db_conn *c, const char *client_id, app_arena *a, const char **out_org,
              const char **out_secret_hash, int *out_found, app_err *err)
{
    const char *p[] = {client_id};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CLIENT_GET, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    if (*out_found) {
        *out_org = app_arena_strdup(a, db_res_get(r, 0, 0));
        *out_secret_hash = app_arena_strdup(a, db_res_get(r, 0, 1));
    }
    db_res_free(r);
    return 0;
}

void
db_audit_params(const db_audit *e, char actor[24], const char **p)
{
    for (int i = 0; i < DB_AUDIT_NPARAMS; i++)
        p[i] = NULL;
    if (e == NULL)
        return;
    snprintf(actor, 24, "%lld", e->actor_id);
    p[0] = actor;
    p[1] = e->actor_org;
    p[2] = e->action;
    p[3] = e->target_type;
    p[4] = e->target_id;
    p[5] = e->ip;
    p[6] = e->user_agent;
    p[7] = e->request_id;
    p[8] = e->detail_json;
}

int
db_audit_insert(db_conn *c, const db_audit *e, app_err *err)
{
    char actor[24];
    const char *p[DB_AUDIT_NPARAMS];
    db_audit_params(e, actor, p);
    return db_exec(c, &SQL_AUDIT, DB_AUDIT_NPARAMS, p, NULL, err);
}
