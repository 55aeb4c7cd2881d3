/*
 * core/uni_student.c - university students: the record, its reads, student
 * accounts (core/uni_student.h).
 */
#include "core/uni_student.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/grade.h"
#include "core/pwhash.h"
#include "core/school.h"
#include "core/student_int.h"
#include "db/history.h"
#include "db/user.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static int
rollback(db_conn *db, int rc)
{
    db_rollback(db);
    return rc;
}

static int
student_no_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 4 || n > 20)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
            return 0;
    }
    return 1;
}

int
core_uni_staff_sees(const core_actor *a, const char *school, const db_uni_student *st)
{
    if (a == NULL || st == NULL || a->student_id != 0 || a->level != CORE_LEVEL_SCHOOL ||
        !core_staff_role_university(a->staff_role) || strcmp(a->org, school) != 0 ||
        strcmp(st->school, school) != 0)
        return 0;
    return !core_staff_role_college_scoped(a->staff_role) || a->college == st->college;
}

/* ---- create ---- */

/* The personal fields validated (grade and class come from the class). */
static int
record_checks(const core_op *op, core_record *rec, app_err *err)
{
    rec->v[CORE_R_GRADE] = rec->v[CORE_R_CLASS] = NULL;
    core_record_rules rules = {op->env->codes, op->today, NULL, 0};
    core_record_validate(rec, &rules, op->arena, NULL, err);
    if (rec->v[CORE_R_NAME] == NULL)
        app_err_add(err, "/name", "missing_field", NULL);
    if (rec->v[CORE_R_BIRTH_DATE] == NULL)
        app_err_add(err, "/birth_date", "missing_field", NULL);
    return err->nitems > 0 ? APP_EINVAL : 0;
}

/* The class and major of the new student; the dates defaulted. */
static int
place_checks(db_conn *db, const core_op *op, const db_school *sc, core_uni_student_new *in,
             db_uni_class *k, db_uni_major *m, app_err *err)
{
    int found = 0, rc;
    if (!student_no_ok(in->student_no))
        app_err_add(err, "/student_no", "invalid_student_no", NULL);
    if ((rc = db_uni_class_get(db, sc->code, in->class_id, op->arena, k, &found, err)) != 0)
        return rc;
    if (!found)
        app_err_add(err, "/class_id", "class_not_found", NULL);
    else if ((rc = db_uni_major_get(db, sc->code, k->major, op->arena, m, &found, err)) != 0)
        return rc;
    if (err->nitems > 0)
        return APP_EINVAL;
    if (in->entry_date == 0)
        in->entry_date = k->cohort * 10000 + 901;
    if (in->expected_graduation == 0)
        in->expected_graduation = (k->cohort + m->years) * 10000 + 701;
    if (in->expected_graduation <= in->entry_date) {
        app_err_add(err, "/expected_graduation", "invalid_date", NULL);
        return APP_EINVAL;
    }
    return 0;
}

/* 一人一籍: no active record holds the document (under its lock). */
static int
identity_free(db_conn *db, const core_op *op, const core_record *r, app_err *err)
{
    const char *type = r->v[CORE_R_ID_TYPE];
    if (type == NULL)
        return 0;
    int nidx = 0, found = 0, rc;
    const char **idx = core__id_indexes(op, type, r->v[CORE_R_ID_NUMBER], &nidx);
    long long holder = 0;
    char hs[11];
    if ((rc = db_student_lock_identity(db, idx[0], err)) != 0 ||
        (rc = db_student_find_holder(db, type, idx, nidx, 0, &holder, hs, &found, err)) != 0)
        return rc;
    if (found) {
        app_err_field(err, "/id_number");
        return app_err_set(err, APP_ECONFLICT, "duplicate_enrolled", "held by %lld", holder);
    }
    return 0;
}

/* The student row: enrolled, in the class's backing row, numbered U + the
   university's code + 学号 (docs/decisions/0032). */
static int
insert_student(db_conn *db, const core_op *op, const db_school *sc, core_record *rec,
               const core_uni_student_new *in, const db_uni_class *k, db_student *s, app_err *err)
{
    rec->v[CORE_R_GRADE] = app_arena_printf(op->arena, "%d", CORE_GRADE_UNIVERSITY);
    rec->v[CORE_R_CLASS] = app_arena_printf(op->arena, "%d", k->seq);
    const char **vals;
    int rc = core__row_of_record(op, rec, &vals, err);
    if (rc != 0)
        return rc;
    memset(s, 0, sizeof(*s));
    snprintf(s->province, sizeof(s->province), "%s", sc->province);
    snprintf(s->school, sizeof(s->school), "%s", sc->code);
    s->class_id = k->id;
    s->state = "enrolled";
    s->stuno_kind[0] = 'U';
    s->stuno_text = app_arena_printf(op->arena, "U%s%s", sc->code, in->student_no);
    s->stuno_bidx = core__bidx_hex(op, 0, "stuno", s->stuno_text);
    const char *type = rec->v[CORE_R_ID_TYPE];
    s->id_bidx = type ? core__id_bidx(op, type, rec->v[CORE_R_ID_NUMBER]) : NULL;
    s->key_id = core_pii_key_id(op->env->ring, 0);
    s->vals = vals;
    rc = db_student_insert(db, s, err);
    if (rc == APP_ECONFLICT) {
        int one = strstr(err->detail, "one_person") != NULL;
        app_err_field(err, one ? "/id_number" : "/student_no");
        err->slug = one ? "duplicate_enrolled" : "student_no_taken";
    }
    return rc;
}

/* History, audit and event of the new student. */
static int
record_created(db_conn *db, const core_op *op, const db_school *sc, const db_student *s,
               const db_uni_student *u, app_err *err)
{
    jw chg, det;
    jw_init(&chg, op->arena);
    jw_arr(&chg);
    jw_elem(&chg);
    jw_obj(&chg);
    jw_str(&chg, "field", "/state");
    jw_null(&chg, "old");
    jw_str(&chg, "new", "enrolled");
    jw_end(&chg);
    jw_arr_end(&chg);
    db_history h = {0,
                    s->id,
                    op->actor->user_id,
                    0,
                    NULL,
                    "registered",
                    op->actor->org,
                    sc->code,
                    jw_text(&chg, NULL),
                    NULL};
    jw_init(&det, op->arena);
    jw_obj(&det);
    jw_str(&det, "school", sc->code);
    jw_str(&det, "student_no", u->student_no);
    jw_int(&det, "college", u->college);
    jw_int(&det, "major", u->major);
    jw_int(&det, "class_id", u->class_id);
    jw_int(&det, "cohort", u->cohort);
    jw_end(&det);
    const char *detail = jw_text(&det, NULL);
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", s->id);
    int rc = db_history_insert(db, &h, err);
    if (rc == 0)
        rc = core_audit(db, op, "uni_student_create", "student", sid, detail, err);
    if (rc == 0)
        rc = core_event(db, "student.created", s->id, sc->code, sc->authority, sc->province, 0,
                        detail, err);
    return rc;
}

static int
create_tx(db_conn *db, const core_op *op, const db_school *sc, core_record *rec,
          core_uni_student_new *in, core_uni_student *out, app_err *err)
{
    db_uni_class k;
    db_uni_major m;
    db_student s;
    record_checks(op, rec, err); /* its items are reported with those of the place */
    int rc = place_checks(db, op, sc, in, &k, &m, err);
    if (rc != 0)
        return rc;
    if ((rc = identity_free(db, op, rec, err)) != 0 ||
        (rc = insert_student(db, op, sc, rec, in, &k, &s, err)) != 0)
        return rc;
    db_uni_student u = {.student_id = s.id,
                        .student_no = in->student_no,
                        .college = k.college,
                        .major = k.major,
                        .class_id = k.id,
                        .cohort = k.cohort,
                        .level = m.level,
                        .state = "studying",
                        .entry_date = in->entry_date,
                        .expected_graduation = in->expected_graduation};
    memcpy(u.school, sc->code, sizeof(u.school));
    if ((rc = db_uni_student_insert(db, &u, err)) != 0) {
        if (rc == APP_ECONFLICT)
            app_err_field(err, "/student_no");
        return rc;
    }
    if ((rc = record_created(db, op, sc, &s, &u, err)) != 0)
        return rc;
    int found = 0;
    if ((rc = core__fill_out(op, &s, sc, 0, &out->base, err)) != 0 ||
        (rc = core_uni_place_tx(db, op, s.id, 0, &out->place, &found, err)) != 0)
        return rc;
    return 0;
}

int
core_uni_student_create(db_conn *db, const core_op *op, const char *code, core_record *rec,
                        const core_uni_student_new *in_, core_uni_student *out, app_err *err)
{
    core_uni_student_new in = *in_;
    db_school sc;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    if ((rc = core_uni_visible(db, op, code, &sc, err)) != 0)
        return rollback(db, rc);
    if (!core_uni_actor_holds(op->actor, sc.code, CORE_STAFF_REGISTRAR_SECTION, 0))
        return rollback(db, app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL));
    if ((rc = create_tx(db, op, &sc, rec, &in, out, err)) != 0 || (rc = db_commit(db, err)) != 0)
        return rollback(db, rc);
    return 0;
}

/* ---- reads ---- */

int
core_uni_student_of(db_conn *db, const core_op *op, long long student_id, core_uni_place *out,
                    int *out_found, app_err *err)
{
    return core_uni_place_tx(db, op, student_id, 0, out, out_found, err);
}

/* The record of student `id` with its university part; no authorization. */
static int
read_student(db_conn *db, const core_op *op, long long id, const db_school *sc,
             core_uni_student *out, app_err *err)
{
    db_student s;
    int found = 0;
    int rc = db_student_get(db, id, DB_STUDENT_LIGHT, op->arena, &s, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return core__not_found(err);
    if ((rc = core__fill_out(op, &s, sc, 0, &out->base, err)) != 0 ||
        (rc = core_uni_place_tx(db, op, id, 0, &out->place, &found, err)) != 0)
        return rc;
    return found ? 0 : core__not_found(err);
}

int
core_uni_student_get(db_conn *db, const core_op *op, const char *code, const char *no,
                     core_uni_student *out, app_err *err)
{
    db_school sc;
    long long id = 0;
    int rc = core_uni_visible(db, op, code, &sc, err);
    if (rc != 0)
        return rc;
    if (!student_no_ok(no))
        return core__not_found(err);
    if ((rc = db_uni_student_find(db, sc.code, no, &id, err)) != 0)
        return rc;
    if (id == 0)
        return core__not_found(err);
    if ((rc = read_student(db, op, id, &sc, out, err)) != 0)
        return rc;
    core_school_ref ref = {sc.code, sc.county, sc.authority};
    int bureau = op->actor->level >= CORE_LEVEL_COUNTY && core_actor_sees_school(op->actor, &ref);
    int self = op->actor->student_id != 0 && op->actor->student_id == id;
    if (!bureau && !self && !core_uni_staff_sees(op->actor, sc.code, &out->place.st))
        return core__not_found(err);
    return 0;
}

int
core_uni_student_list(db_conn *db, const core_op *op, const char *code, long long college,
                      long long class_id, long long after, int limit, core_uni_student **out,
                      int *out_n, app_err *err)
{
    db_school sc;
    int rc = core_uni_visible(db, op, code, &sc, err);
    if (rc != 0)
        return rc;
    const core_actor *a = op->actor;
    core_school_ref ref = {sc.code, sc.county, sc.authority};
    int bureau = a->level >= CORE_LEVEL_COUNTY && core_actor_sees_school(a, &ref);
    if (!bureau && !(a->level == CORE_LEVEL_SCHOOL && core_staff_role_university(a->staff_role)))
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL);
    if (!bureau && core_staff_role_college_scoped(a->staff_role)) {
        if (college != 0 && college != a->college) {
            *out_n = 0;
            return 0;
        }
        college = a->college;
    }
    db_uni_student *v = NULL;
    int n = 0;
    if ((rc = db_uni_student_list(db, sc.code, college, class_id, after, limit, op->arena, &v, &n,
                                  err)) != 0)
        return rc;
    *out = app_arena_alloc(op->arena, sizeof(**out) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        if ((rc = read_student(db, op, v[i].student_id, &sc, &(*out)[i], err)) != 0)
            return rc;
    *out_n = n;
    return 0;
}

int
core_uni_me(db_conn *db, const core_op *op, core_uni_student *out, app_err *err)
{
    if (op->actor->student_id == 0)
        return core__not_found(err);
    db_school sc;
    int rc = core__load_school(db, op, op->actor->org, &sc, err);
    return rc ? rc : read_student(db, op, op->actor->student_id, &sc, out, err);
}

/* ---- accounts ---- */

static int
account_tx(db_conn *db, const core_op *op, const db_school *sc, const char *no, long long *out_id,
           char pw[CORE_PASSWORD_GEN_LEN + 1], app_err *err)
{
    long long sid = 0;
    int rc = db_uni_student_find(db, sc->code, no, &sid, err);
    if (rc != 0)
        return rc;
    if (sid == 0)
        return core__not_found(err);
    core_uni_student st;
    if ((rc = read_student(db, op, sid, sc, &st, err)) != 0)
        return rc;
    char hash[CORE_PWHASH_LEN];
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof(rnd));
    core_password_generate(pw, rnd);
    sodium_memzero(rnd, sizeof(rnd));
    if (core_pwhash(pw, hash) != 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "pwhash");
    db_user u = {.username = no,
                 .display_name = st.base.rec.v[CORE_R_NAME],
                 .role = "student",
                 .org = sc->code,
                 .password_hash = hash,
                 .must_change_password = 1,
                 .created_by = op->actor->user_id,
                 .student_id = sid};
    db_user other;
    int taken = 0;
    if ((rc = db_user_by_username(db, no, op->arena, &other, &taken, err)) == 0 && !taken)
        rc = db_user_insert(db, &u, out_id, err);
    sodium_memzero(hash, sizeof(hash));
    if (rc == 0 && taken) /* the student's own account, or someone else's username */
        return app_err_set(err, APP_ECONFLICT,
                           other.student_id == sid ? "account_exists" : "username_taken",
                           "student %lld", sid);
    if (rc == APP_ECONFLICT) /* the student has an account under another name */
        return app_err_set(err, APP_ECONFLICT,
                           strstr(err->detail, "app_user_student_idx") ? "account_exists"
                                                                       : "username_taken",
                           "student %lld", sid);
    if (rc != 0)
        return rc;
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "username", no);
    jw_str(&w, "role", "student");
    jw_str(&w, "org", sc->code);
    jw_int(&w, "student_id", sid);
    jw_end(&w);
    char uid[24];
    snprintf(uid, sizeof(uid), "%lld", *out_id);
    return core_audit(db, op, "user_create", "user", uid, jw_text(&w, NULL), err);
}

int
core_uni_account_create(db_conn *db, const core_op *op, const char *code, const char *no,
                        long long *out_user_id, char one_time_password[CORE_PASSWORD_GEN_LEN + 1],
                        app_err *err)
{
    db_school sc;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    if ((rc = core_uni_visible(db, op, code, &sc, err)) != 0)
        return rollback(db, rc);
    if (!core_uni_actor_holds(op->actor, sc.code, CORE_STAFF_REGISTRAR_SECTION, 0))
        return rollback(db, app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL));
    if (!student_no_ok(no))
        return rollback(db, core__not_found(err));
    if ((rc = account_tx(db, op, &sc, no, out_user_id, one_time_password, err)) != 0 ||
        (rc = db_commit(db, err)) != 0) {
        sodium_memzero(one_time_password, CORE_PASSWORD_GEN_LEN + 1);
        return rollback(db, rc);
    }
    return 0;
}

/* One student of the class: a new account, or skipped (`skip` set) when the
   学号 is taken as a username already (theirs or another account's). */
static int
class_account(db_conn *db, const core_op *op, const db_school *sc, const db_uni_student *st,
              core_uni_new_account *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    out->student_no = st->student_no;
    app_err e = {0};
    db_user u;
    int rc = db_user_by_username(db, st->student_no, op->arena, &u, &out->skipped, err);
    if (rc != 0 || out->skipped)
        return rc;
    rc = account_tx(db, op, sc, st->student_no, &out->user_id, out->one_time_password, &e);
    if (rc != 0)
        *err = e;
    return rc;
}

int
core_uni_accounts_for_class(db_conn *db, const core_op *op, const char *code, long long class_id,
                            core_uni_new_account **out, int *out_n, app_err *err)
{
    db_school sc;
    db_uni_class k;
    int found = 0, n = 0;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    if ((rc = core_uni_visible(db, op, code, &sc, err)) != 0)
        return rollback(db, rc);
    if (!core_uni_actor_holds(op->actor, sc.code, CORE_STAFF_REGISTRAR_SECTION, 0))
        return rollback(db, app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL));
    if ((rc = db_uni_class_get(db, sc.code, class_id, op->arena, &k, &found, err)) != 0)
        return rollback(db, rc);
    if (!found) {
        app_err_field(err, "/class_id");
        return rollback(db, app_err_set(err, APP_EINVAL, "class_not_found", NULL));
    }
    db_uni_student *v = NULL;
    if ((rc = db_uni_student_list(db, sc.code, 0, class_id, 0, CORE_UNI_CLASS_ACCOUNTS_MAX,
                                  op->arena, &v, &n, err)) != 0)
        return rollback(db, rc);
    *out = app_arena_alloc(op->arena, sizeof(**out) * (size_t)(n ? n : 1));
    for (int i = 0; i < n && rc == 0; i++)
        rc = class_account(db, op, &sc, &v[i], &(*out)[i], err);
    if (rc != 0 || (rc = db_commit(db, err)) != 0) {
        for (int i = 0; i < n; i++)
            sodium_memzero((*out)[i].one_time_password, sizeof((*out)[i].one_time_password));
        return rollback(db, rc);
    }
    *out_n = n;
    return 0;
}
