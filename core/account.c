/*
 * core/account.c - accounts managed by their superiors (see core/account.h).
 */
#include "core/account.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/pwhash.h"
#include "core/schoolcode.h"
#include "db/refdata.h"
#include "db/school.h"
#include "db/uni.h"
#include "db/user.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

_Static_assert(CORE_ACCOUNT_MAX_CLASSES == DB_USER_MAX_CLASSES, "class limits differ");

static void
from_row(core_account *a, const db_user *u)
{
    memset(a, 0, sizeof(*a));
    a->id = u->id;
    a->username = u->username;
    a->display_name = u->display_name;
    a->role = u->role;
    a->org = u->org;
    a->staff_role = u->staff_role;
    a->grade = u->grade;
    a->nclasses = u->nclasses;
    memcpy(a->classes, u->classes, sizeof(long long) * (size_t)u->nclasses);
    a->must_change_password = u->must_change_password;
    a->disabled = u->disabled;
    a->frozen = u->frozen;
    a->locked = u->locked_for_s > 0;
    a->tokens_valid_after = u->tokens_valid_after;
    a->last_login_at = u->last_login_at;
    a->created_at = u->created_at;
    a->created_by = u->created_by;
    a->version = u->version;
    a->college = u->college;
    a->student_id = u->student_id;
}

static int
is_registrar(const core_actor *a)
{
    /* a school's registrar, or a university's registrar section (docs/decisions/0032) */
    return a->user_id != 0 && a->level == CORE_LEVEL_SCHOOL &&
           (a->staff_role == CORE_STAFF_REGISTRAR || a->staff_role == CORE_STAFF_REGISTRAR_SECTION);
}

static int
is_bureau(const core_actor *a)
{
    return a->user_id != 0 && a->level >= CORE_LEVEL_COUNTY && a->level <= CORE_LEVEL_MINISTRY;
}

int
core_account_manages_anyone(const core_actor *a)
{
    return a != NULL && (is_bureau(a) || is_registrar(a));
}

static int
user_not_found(app_err *err)
{
    return app_err_set(err, APP_ENOTFOUND, "user_not_found", NULL);
}

static int
org_not_found(app_err *err, const char *field)
{
    app_err_field(err, field);
    return app_err_set(err, APP_ENOTFOUND, "org_not_found", NULL);
}

static int
school_ref(db_conn *db, const core_op *op, const char *code, db_school *s, int *found, app_err *err)
{
    return db_school_get(db, code, op->arena, s, found, err);
}

/* Does the actor manage account `u`? See core/account.h. */
static int
manages(db_conn *db, const core_op *op, const db_user *u, int *out, app_err *err)
{
    const core_actor *ac = op->actor;
    *out = 0;
    if (!core_account_manages_anyone(ac) || u->id == ac->user_id)
        return 0;
    if (strcmp(u->role, "student") == 0) { /* its university's registrar section */
        *out = is_registrar(ac) && strcmp(ac->org, u->org) == 0;
        return 0;
    }
    if (strcmp(u->role, "school") != 0) {
        *out = is_bureau(ac) && core_org_is_superior(ac->org, u->org);
        return 0;
    }
    if (is_registrar(ac)) {
        *out = strcmp(ac->org, u->org) == 0;
        return 0;
    }
    db_school s;
    int found = 0;
    int rc = school_ref(db, op, u->org, &s, &found, err);
    if (rc != 0 || !found)
        return rc;
    core_school_ref ref = {.code = s.code, .county = s.county, .authority = s.authority};
    *out = core_org_is_superior_of_school(ac->org, &ref);
    return 0;
}

/* The account `id` if the actor manages it, else user_not_found. */
static int
load_managed(db_conn *db, const core_op *op, long long id, db_user *u, app_err *err)
{
    int found = 0, ok = 0;
    if (id <= 0 || !core_account_manages_anyone(op->actor))
        return user_not_found(err);
    int rc = db_user_by_id(db, id, op->arena, u, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return user_not_found(err);
    if ((rc = manages(db, op, u, &ok, err)) != 0)
        return rc;
    return ok ? 0 : user_not_found(err);
}

/* Every class id belongs to `school`, else APP_EINVAL invalid_classes. */
static int
check_classes(db_conn *db, const char *school, const long long *ids, int n, app_err *err)
{
    int count = 0;
    int rc = db_user_classes_in_school(db, school, ids, n, &count, err);
    if (rc != 0)
        return rc;
    if (count != n) {
        app_err_field(err, "/classes");
        return app_err_set(err, APP_EINVAL, "invalid_classes", "classes of another school");
    }
    return 0;
}

/* A fresh one-time password that passes the policy for `username`, and its hash. */
static int
make_password(const char *username, char pw[CORE_PASSWORD_GEN_LEN + 1], char hash[CORE_PWHASH_LEN],
              app_err *err)
{
    unsigned char rnd[16];
    for (int i = 0; i < 64; i++) {
        randombytes_buf(rnd, sizeof(rnd));
        core_password_generate(pw, rnd);
        if (core_password_check(pw, username, NULL) == 0)
            break;
    }
    sodium_memzero(rnd, sizeof(rnd));
    if (core_pwhash(pw, hash) != 0) {
        sodium_memzero(pw, CORE_PASSWORD_GEN_LEN + 1);
        return app_err_set(err, APP_EINTERNAL, NULL, "pwhash");
    }
    return 0;
}

static const char *
id_text(const core_op *op, long long id)
{
    return app_arena_printf(op->arena, "%lld", id);
}

/* ---- list ---- */

static int
list_org(db_conn *db, const core_op *op, const char *org, long long after, int limit, db_user **v,
         int *n, app_err *err)
{
    const core_actor *ac = op->actor;
    int visible = 0, rc;
    if (is_registrar(ac)) {
        visible = strcmp(org, ac->org) == 0;
    } else if (core_org_level(org) == CORE_LEVEL_SCHOOL) {
        db_school s;
        int found = 0;
        if ((rc = school_ref(db, op, org, &s, &found, err)) != 0)
            return rc;
        core_school_ref ref = {.code = s.code, .county = s.county, .authority = s.authority};
        visible = found && core_actor_sees_school(ac, &ref);
    } else {
        visible = core_actor_sees_region(ac, org);
    }
    if (!visible)
        return org_not_found(err, "/query/org");
    return db_user_list_org(db, org, after, limit, op->arena, v, n, err);
}

int
core_account_list(db_conn *db, const core_op *op, const char *org, long long after, int limit,
                  core_account_page *out, app_err *err)
{
    const core_actor *ac = op->actor;
    memset(out, 0, sizeof(*out));
    if (!core_account_manages_anyone(ac))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL);
    db_user *v = NULL;
    int n = 0, rc;
    if (is_registrar(ac) && org == NULL) {
        rc = db_user_list_org(db, ac->org, after, limit + 1, op->arena, &v, &n, err);
    } else if (org != NULL) {
        rc = list_org(db, op, org, after, limit + 1, &v, &n, err);
    } else {
        /* the region's significant digits: ministry none, province 2, city 4, county 6 */
        static const int digits[] = {[CORE_LEVEL_COUNTY] = 6,
                                     [CORE_LEVEL_CITY] = 4,
                                     [CORE_LEVEL_PROVINCE] = 2,
                                     [CORE_LEVEL_MINISTRY] = 0};
        const char *prefix = app_arena_strndup(op->arena, ac->org, (size_t)digits[ac->level]);
        rc = db_user_list_region(db, prefix, after, limit + 1, op->arena, &v, &n, err);
    }
    if (rc != 0)
        return rc;
    out->more = n > limit;
    out->n = out->more ? limit : n;
    out->items = app_arena_alloc(op->arena, sizeof(core_account) * (size_t)(out->n + 1));
    for (int i = 0; i < out->n; i++)
        from_row(&out->items[i], &v[i]);
    return 0;
}

/* ---- create ---- */

/* Who may create what (rule 29): a level the actor may never create is a 403
   whatever the org; an org outside its jurisdiction is a 404. */
static int
may_create(const core_actor *ac, const core_account_new *in, app_err *err)
{
    if (!core_account_manages_anyone(ac))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL);
    if (is_registrar(ac)) {
        if (in->role != CORE_LEVEL_SCHOOL) {
            app_err_field(err, "/role");
            return app_err_set(err, APP_EFORBIDDEN, "role_not_allowed", NULL);
        }
        return strcmp(in->org, ac->org) == 0 ? 0 : org_not_found(err, "/org");
    }
    if (in->role >= ac->level) {
        app_err_field(err, "/role");
        return app_err_set(err, APP_EFORBIDDEN, "role_not_allowed", NULL);
    }
    if (in->role == CORE_LEVEL_SCHOOL && in->staff != CORE_STAFF_REGISTRAR &&
        in->staff != CORE_STAFF_REGISTRAR_SECTION) {
        app_err_field(err, "/staff_role");
        return app_err_set(err, APP_EFORBIDDEN, "role_not_allowed", NULL);
    }
    if (in->role != CORE_LEVEL_SCHOOL && !core_org_is_superior(ac->org, in->org))
        return org_not_found(err, "/org");
    return 0;
}

/* A university's offices at universities only, K-12 roles at K-12 schools
   only; a college-scoped office names a college of the university. */
static int
check_university_role(db_conn *db, const core_op *op, const db_school *s,
                      const core_account_new *in, app_err *err)
{
    if (core_school_is_university(s->category) != core_staff_role_university(in->staff)) {
        app_err_field(err, "/staff_role");
        return app_err_set(err, APP_EINVAL, "invalid_staff_role", "role and school kind differ");
    }
    if (!core_staff_role_college_scoped(in->staff))
        return 0;
    db_uni_college col;
    int found = 0;
    int rc = db_uni_college_get(db, s->code, in->college, op->arena, &col, &found, err);
    if (rc != 0)
        return rc;
    if (!found) {
        app_err_field(err, "/college");
        return app_err_set(err, APP_EINVAL, "college_not_found", NULL);
    }
    return 0;
}

/* The org exists at the role's level and lies in the actor's jurisdiction. */
static int
check_org(db_conn *db, const core_op *op, const core_account_new *in, app_err *err)
{
    int rc, found = 0;
    if (in->role == CORE_LEVEL_SCHOOL) {
        db_school s;
        if ((rc = school_ref(db, op, in->org, &s, &found, err)) != 0)
            return rc;
        core_school_ref ref = {.code = s.code, .county = s.county, .authority = s.authority};
        /* a registrar's own school (see may_create), or a bureau above it */
        if (!found ||
            (!is_registrar(op->actor) && !core_org_is_superior_of_school(op->actor->org, &ref)))
            return org_not_found(err, "/org");
        if ((rc = check_university_role(db, op, &s, in, err)) != 0)
            return rc;
        if (in->nclasses > 0)
            return check_classes(db, in->org, in->classes, in->nclasses, err);
        return 0;
    }
    db_region *v;
    int n = 0;
    if ((rc = db_region_get_with_ancestors(db, in->org, op->arena, &v, &n, err)) != 0)
        return rc;
    if (n == 0 || strcmp(v[0].level, core_level_name(in->role)) != 0)
        return org_not_found(err, "/org");
    return 0;
}

static const char *
create_detail(const core_op *op, const db_user *u)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "username", u->username);
    jw_str(&w, "role", u->role);
    jw_str(&w, "org", u->org);
    if (u->staff_role != NULL)
        jw_str(&w, "staff_role", u->staff_role);
    if (u->college)
        jw_int(&w, "college", u->college);
    jw_end(&w);
    return jw_text(&w, NULL);
}

/* Insert `u`, audit it and read it back, in one transaction. */
static int
insert_account(db_conn *db, const core_op *op, db_user *u, core_account *out, app_err *err)
{
    long long id = 0;
    int found = 0;
    db_user made;
    int rc = db_begin(db, err);
    if (rc == 0 && (rc = db_user_insert(db, u, &id, err)) == APP_ECONFLICT) /* username_taken */
        app_err_field(err, "/username");
    if (rc == 0)
        rc = db_user_by_id(db, id, op->arena, &made, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_EINTERNAL, NULL, "inserted user %lld not found", id);
    if (rc == 0)
        rc = core_audit(db, op, "user_create", "user", id_text(op, id), create_detail(op, u), err);
    if (rc == 0)
        rc = db_commit(db, err);
    if (rc != 0) {
        db_rollback(db);
        return rc;
    }
    from_row(out, &made);
    return 0;
}

int
core_account_create(db_conn *db, const core_op *op, const core_account_new *in, core_account *out,
                    char one_time_password[CORE_PASSWORD_GEN_LEN + 1], app_err *err)
{
    int rc = may_create(op->actor, in, err);
    if (rc == 0)
        rc = check_org(db, op, in, err);
    if (rc != 0)
        return rc;
    char hash[CORE_PWHASH_LEN];
    if ((rc = make_password(in->username, one_time_password, hash, err)) != 0)
        return rc;
    db_user u = {
        .username = in->username,
        .display_name = in->display_name,
        .role = core_level_name(in->role),
        .org = in->org,
        .staff_role = core_staff_role_name(in->staff),
        .grade = in->grade,
        .nclasses = in->nclasses,
        .password_hash = hash,
        .must_change_password = 1,
        .created_by = op->actor->user_id,
        .college = in->college,
    };
    memcpy(u.classes, in->classes, sizeof(long long) * (size_t)in->nclasses);
    rc = insert_account(db, op, &u, out, err);
    sodium_memzero(hash, sizeof(hash));
    if (rc != 0)
        sodium_memzero(one_time_password, CORE_PASSWORD_GEN_LEN + 1);
    return rc;
}

/* ---- one account ---- */

int
core_account_get(db_conn *db, const core_op *op, long long id, core_account *out, app_err *err)
{
    db_user u;
    int rc = load_managed(db, op, id, &u, err);
    if (rc == 0)
        from_row(out, &u);
    return rc;
}

/*
 * The end of every change to an account, inside the transaction the caller
 * opened (rc: how the change went): audit it, re-read the account, commit.
 */
static int
commit_change(db_conn *db, const core_op *op, int rc, const char *action, long long id,
              const char *detail, core_account *out, app_err *err)
{
    db_user u;
    int found = 0;
    if (rc == 0)
        rc = core_audit(db, op, action, "user", id_text(op, id), detail, err);
    if (rc == 0)
        rc = db_user_by_id(db, id, op->arena, &u, &found, err);
    if (rc == 0)
        rc = db_commit(db, err);
    if (rc != 0) {
        db_rollback(db);
        return rc;
    }
    from_row(out, &u);
    return 0;
}

static int
check_scope(db_conn *db, const db_user *u, const core_account_change *in, app_err *err)
{
    const char *staff = u->staff_role ? u->staff_role : "";
    if (in->grade && strcmp(staff, "grade_leader") != 0) {
        app_err_field(err, "/grade");
        return app_err_set(err, APP_EINVAL, "invalid_grade", "not a grade leader");
    }
    if (in->has_classes && strcmp(staff, "head_teacher") != 0) {
        app_err_field(err, "/classes");
        return app_err_set(err, APP_EINVAL, "invalid_classes", "not a head teacher");
    }
    if (in->has_classes)
        return check_classes(db, u->org, in->classes, in->nclasses, err);
    return 0;
}

/* Apply `in` to `u`; the members changed, as the audit detail. */
static const char *
apply_change(const core_op *op, db_user *u, const core_account_change *in)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    if (in->display_name != NULL && strcmp(in->display_name, u->display_name) != 0) {
        u->display_name = in->display_name;
        jw_str(&w, "display_name", in->display_name);
    }
    if (in->disabled >= 0 && in->disabled != u->disabled) {
        u->disabled = in->disabled;
        jw_bool(&w, "disabled", in->disabled);
    }
    if (in->grade && in->grade != u->grade) {
        u->grade = in->grade;
        jw_str(&w, "grade", app_arena_printf(op->arena, "%d", in->grade));
    }
    if (in->has_classes) {
        u->nclasses = in->nclasses;
        memcpy(u->classes, in->classes, sizeof(long long) * (size_t)in->nclasses);
        jw_key(&w, "classes");
        jw_arr(&w);
        for (int i = 0; i < in->nclasses; i++) {
            jw_elem(&w);
            jw_raw(&w, id_text(op, in->classes[i]), strlen(id_text(op, in->classes[i])));
        }
        jw_arr_end(&w);
    }
    jw_end(&w);
    return jw_text(&w, NULL);
}

int
core_account_patch(db_conn *db, const core_op *op, long long id, const core_account_change *in,
                   core_account *out, app_err *err)
{
    db_user u;
    int rc = load_managed(db, op, id, &u, err);
    if (rc != 0)
        return rc;
    if (u.version != in->expect_version)
        return app_err_set(err, APP_EPRECOND, "precondition_failed", "version %d, not %d",
                           u.version, in->expect_version);
    if ((rc = check_scope(db, &u, in, err)) != 0)
        return rc;
    const char *detail = apply_change(op, &u, in);
    if ((rc = db_begin(db, err)) != 0)
        return rc;
    rc = db_user_update(db, &u, in->expect_version, err);
    return commit_change(db, op, rc, "user_update", u.id, detail, out, err);
}

int
core_account_password_reset(db_conn *db, const core_op *op, long long id,
                            char one_time_password[CORE_PASSWORD_GEN_LEN + 1], app_err *err)
{
    db_user u;
    int rc = load_managed(db, op, id, &u, err);
    if (rc != 0)
        return rc;
    char hash[CORE_PWHASH_LEN];
    if ((rc = make_password(u.username, one_time_password, hash, err)) != 0)
        return rc;
    rc = db_begin(db, err);
    /* must change at next login; every token and refresh token of the account dies */
    if (rc == 0)
        rc = db_user_set_password(db, u.id, hash, 1, err);
    sodium_memzero(hash, sizeof(hash));
    if (rc == 0)
        rc = core_audit(db, op, "password_reset", "user", id_text(op, u.id), NULL, err);
    if (rc == 0)
        rc = db_commit(db, err);
    if (rc != 0) {
        db_rollback(db);
        sodium_memzero(one_time_password, CORE_PASSWORD_GEN_LEN + 1);
    }
    return rc;
}

int
core_account_unlock(db_conn *db, const core_op *op, long long id, core_account *out, app_err *err)
{
    db_user u;
    int rc = load_managed(db, op, id, &u, err);
    if (rc != 0)
        return rc;
    const char *was =
        app_arena_printf(op->arena, "{\"locked\":%s,\"frozen\":%s}",
                         u.locked_for_s > 0 ? "true" : "false", u.frozen ? "true" : "false");
    rc = db_begin(db, err);
    if (rc == 0)
        rc = db_user_unlock(db, u.id, err);
    return commit_change(db, op, rc, "unlock", u.id, was, out, err);
}

/* ---- the caller's own account ---- */

/* The jurisdiction's name: a region's full name, or the school's. */
static int
org_name(db_conn *db, const core_op *op, const char *org, const char **out, app_err *err)
{
    *out = NULL;
    if (core_org_level(org) == CORE_LEVEL_SCHOOL) {
        db_school s;
        int found = 0;
        app_err ignored = {0};
        if (school_ref(db, op, org, &s, &found, &ignored) == 0 && found)
            *out = s.name;
        return 0;
    }
    db_region *v;
    int n = 0;
    int rc = db_region_get_with_ancestors(db, org, op->arena, &v, &n, err);
    if (rc != 0)
        return rc;
    char *full = "";
    for (int i = n - 1; i >= 0; i--)
        if (strcmp(v[i].level, "ministry") != 0 || n == 1)
            full = app_arena_printf(op->arena, "%s%s", full, v[i].name);
    *out = full;
    return 0;
}

int
core_account_me(db_conn *db, const core_op *op, core_me *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    out->is_user = op->actor->user_id != 0;
    if (out->is_user) {
        int found = 0;
        int rc = core_account_read(db, op->actor->user_id, op->arena, &out->account, &found, err);
        if (rc != 0)
            return rc;
        if (!found)
            return app_err_set(err, APP_EAUTH, "invalid_token", NULL);
    }
    return org_name(db, op, op->actor->org, &out->jurisdiction, err);
}

int
core_account_read(db_conn *db, long long id, app_arena *a, core_account *out, int *out_found,
                  app_err *err)
{
    db_user u;
    int rc = db_user_by_id(db, id, a, &u, out_found, err);
    if (rc == 0 && *out_found)
        from_row(out, &u);
    return rc;
}

int
core_account_session(db_conn *db, long long id, long long sid, app_arena *a, core_account *out,
                     int *out_found, int *out_alive, app_err *err)
{
    db_user u;
    int rc = db_user_session(db, id, sid, a, &u, out_found, out_alive, err);
    if (rc == 0 && *out_found)
        from_row(out, &u);
    return rc;
}

int
core_account_bootstrap_admin(db_conn *db, const char *password, app_err *err)
{
    long long n = 0;
    int rc = db_user_count(db, &n, err);
    if (rc != 0 || n > 0 || password == NULL)
        return rc;
    if (core_password_check(password, "admin", err) != 0) {
        snprintf(err->detail, sizeof(err->detail),
                 "XUEJI_ADMIN_PASSWORD does not meet the password policy (10+ characters, "
                 "three of: lower, upper, digit, symbol)");
        return APP_EINVAL;
    }
    char hash[CORE_PWHASH_LEN];
    if (core_pwhash(password, hash) != 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "pwhash");
    db_user u = {.username = "admin",
                 .display_name = "教育部学籍管理员",
                 .role = "ministry",
                 .org = "000000",
                 .password_hash = hash,
                 .must_change_password = 0};
    core_op op = {0};
    long long id;
    rc = db_begin(db, err);
    if (rc == 0)
        rc = db_user_insert(db, &u, &id, err);
    sodium_memzero(hash, sizeof(hash));
    if (rc == 0)
        rc = core_audit(db, &op, "bootstrap_admin", "user", "admin", NULL, err);
    if (rc == 0)
        rc = db_commit(db, err);
    if (rc != 0)
        db_rollback(db);
    if (rc == APP_ECONFLICT) /* another xuejid made it first */
        return 0;
    return rc;
}
