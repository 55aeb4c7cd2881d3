/*
 * core/student_effects.c - what the workflow's last approval does to a
 * student record: the registration applied or refused, the key-field change,
 * and the sealed form in which key-field changes travel (see core/student.h).
 * Each runs in the workflow's open transaction.
 */
#include "core/mask.h"
#include "core/student_int.h"
#include "core/stuno.h"
#include "db/history.h"
#include "db/problem.h"
#include "db/settings.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ sealed changes */

const char *
core_changes_seal(const core_op *op, const core_record *ch, const unsigned char *present)
{
    char *text = app_arena_strdup(op->arena, "");
    for (int i = 0; i < CORE_NFIELDS; i++)
        if (present[i])
            text = app_arena_printf(op->arena, "%s%d\x1f%s\x1e", text, i,
                                    ch->v[i] ? ch->v[i] : "\x1d");
    size_t n = strlen(text), got = 0;
    unsigned char *b = app_arena_alloc(op->arena, n + CORE_PII_OVERHEAD);
    if (core_pii_encrypt(op->env->ring, text, n, b, n + CORE_PII_OVERHEAD, &got) != 0)
        return NULL;
    char *hex = app_arena_alloc(op->arena, 2 * got + 1);
    sodium_bin2hex(hex, 2 * got + 1, b, got);
    return hex;
}

int
core_changes_open(const core_op *op, const char *hex, core_record *out, unsigned char *present,
                  app_err *err)
{
    const char *text =
        core__decrypt_hex(op->arena, op->env->ring, app_arena_printf(op->arena, "\\x%s", hex));
    memset(out, 0, sizeof(*out));
    memset(present, 0, CORE_NFIELDS);
    if (text == NULL)
        return app_err_set(err, APP_EINTERNAL, NULL, "sealed changes do not open");
    for (const char *p = text; *p;) {
        const char *us = strchr(p, '\x1f'), *rs = us ? strchr(us, '\x1e') : NULL;
        if (us == NULL || rs == NULL)
            return app_err_set(err, APP_EINTERNAL, NULL, "sealed changes malformed");
        int i = atoi(p);
        if (i >= 0 && i < CORE_NFIELDS) {
            present[i] = 1;
            out->v[i] = us[1] == '\x1d'
                            ? NULL
                            : app_arena_strndup(op->arena, us + 1, (size_t)(rs - us - 1));
        }
        p = rs + 1;
    }
    return 0;
}

/* ------------------------------------------------------------ shared steps */

/* Rule 9: no other active record holds the document (type, number); with
   `lock`, under the identity lock of rule 22. A holder: APP_ECONFLICT
   duplicate_enrolled, *out_holder its id. */
static int
check_identity_free(db_conn *db, const core_op *op, const char *type, const char *number,
                    long long self, int lock, long long *out_holder, app_err *err)
{
    int nidx = 0, found = 0, rc;
    const char **idx = core__id_indexes(op, type, number, &nidx);
    char hs[11];
    if (lock && (rc = db_student_lock_identity(db, idx[0], err)) != 0)
        return rc;
    if ((rc = db_student_find_holder(db, type, idx, nidx, self, out_holder, hs, &found, err)) != 0)
        return rc;
    if (found)
        return app_err_set(err, APP_ECONFLICT, "duplicate_enrolled", "held by %lld", *out_holder);
    return 0;
}

/* Rewrite the whole row from `r` under the current key (its ciphertexts and
   the document's blind index, when it has a document) and store it at its
   version. */
static int
rewrite_row(db_conn *db, const core_op *op, db_student *s, const core_record *r, app_err *err)
{
    const char **vals;
    int rc = core__row_of_record(op, r, &vals, err);
    if (rc != 0)
        return rc;
    s->vals = vals;
    s->key_id = core_pii_key_id(op->env->ring, 0);
    const char *type = r->v[CORE_R_ID_TYPE];
    if (type)
        s->id_bidx = core__id_bidx(op, type, r->v[CORE_R_ID_NUMBER]);
    return db_student_update(db, s, s->version, err);
}

/* A pending student, locked (else APP_ESTATE transition_not_allowed). */
static int
load_pending(db_conn *db, const core_op *op, long long id, db_student *s, app_err *err)
{
    int found = 0;
    int rc = db_student_get(db, id, 1, op->arena, s, &found, err);
    if (rc != 0)
        return rc;
    if (!found || strcmp(s->state, "pending") != 0)
        return app_err_set(err, APP_ESTATE, "transition_not_allowed", "not pending");
    return 0;
}

/* ------------------------------------------------------------ registration */

/* The final number (rule 9): G + ID for types 1 and C, a J self-code
   without a document; other documents keep the L number. */
static int
final_number(db_conn *db, const core_op *op, db_student *s, const db_school *sc,
             const core_record *r, app_err *err)
{
    const char *type = r->v[CORE_R_ID_TYPE];
    if (type && (strcmp(type, "1") == 0 || strcmp(type, "C") == 0)) {
        core__stuno_set_g(op, s, r->v[CORE_R_ID_NUMBER]);
    } else if (type == NULL) {
        int seq = 0;
        int birth = core__ymd(r->v[CORE_R_BIRTH_DATE]);
        int rc = db_stuno_j_next(db, sc->county, r->v[CORE_R_BIRTH_DATE], &seq, err);
        if (rc != 0)
            return rc;
        if (seq > 999)
            return app_err_set(err, APP_ECONFLICT, "student_number_exhausted", "J sequence");
        char num[20];
        core_stuno_make_j(sc->county, birth, (unsigned)seq, num);
        s->stuno_kind[0] = 'J';
        s->stuno_text = app_arena_strdup(op->arena, num);
        s->stuno_enc = NULL;
        s->stuno_bidx = core__bidx_hex(op, 0, "stuno", num);
    }
    return 0;
}

/* History and event of an enrolment (the number was `old`). */
static int
record_enrolled(db_conn *db, const core_op *op, const db_student *s, const db_school *sc,
                const char *old, long long request_id, app_err *err)
{
    jw chg, data;
    jw_init(&chg, op->arena);
    jw_arr(&chg);
    jw_elem(&chg);
    jw_obj(&chg);
    jw_str(&chg, "field", "/state");
    jw_str(&chg, "old", "pending");
    jw_str(&chg, "new", "enrolled");
    jw_end(&chg);
    jw_elem(&chg);
    jw_obj(&chg);
    jw_str(&chg, "field", "/student_number");
    jw_str(&chg, "old", old);
    jw_str(&chg, "new", s->stuno_text);
    jw_end(&chg);
    jw_arr_end(&chg);
    jw_init(&data, op->arena);
    jw_obj(&data);
    jw_str(&data, "state", "enrolled");
    jw_str(&data, "student_number", s->stuno_text);
    jw_int(&data, "request", request_id);
    jw_end(&data);
    db_history h = {0,          s->id,          op->actor->user_id, request_id,          NULL,
                    "enrolled", op->actor->org, sc->code,           jw_text(&chg, NULL), NULL};
    int rc = db_history_insert(db, &h, err);
    if (rc != 0)
        return rc;
    return core_event(db, "student.enrolled", s->id, sc->code, sc->authority, sc->province,
                      request_id, jw_text(&data, NULL), err);
}

int
core_student_apply_registration(db_conn *db, const core_op *op, long long student_id,
                                long long request_id, app_err *err)
{
    db_student s;
    db_school sc;
    int rc = load_pending(db, op, student_id, &s, err);
    if (rc != 0)
        return rc;
    /* rule 24: an open problem record (failed identity check, suspected
       duplicate) blocks the approval until it is resolved */
    int nprob = 0;
    if ((rc = db_problem_open_count(db, s.id, &nprob, err)) != 0)
        return rc;
    if (nprob > 0)
        return app_err_set(err, APP_ECONFLICT, "student_has_problem", "%d open problems", nprob);
    core_record r;
    if ((rc = core__load_school(db, op, s.school, &sc, err)) != 0 ||
        (rc = core__record_of_row(op, (const char *const *)s.vals, 1, &r, err)) != 0)
        return rc;
    /* rule 9: the duplicate check again before a final number, and no
       record (a graduate's, say) holding the G number it would get */
    const char *type = r.v[CORE_R_ID_TYPE], *old = s.stuno_text;
    long long holder = 0;
    if (type && ((rc = check_identity_free(db, op, type, r.v[CORE_R_ID_NUMBER], s.id, 0, &holder,
                                           err)) != 0 ||
                 (rc = core__check_no_record(db, op, type, r.v[CORE_R_ID_NUMBER], s.id, err)) != 0))
        return rc;
    if ((rc = final_number(db, op, &s, &sc, &r, err)) != 0)
        return rc;
    s.state = "enrolled";
    if ((rc = rewrite_row(db, op, &s, &r, err)) != 0)
        return rc;
    return record_enrolled(db, op, &s, &sc, old, request_id, err);
}

int
core_student_reject_registration(db_conn *db, const core_op *op, long long student_id,
                                 long long request_id, app_err *err)
{
    db_student s;
    db_school sc;
    int rc;
    if ((rc = load_pending(db, op, student_id, &s, err)) != 0 ||
        (rc = core__load_school(db, op, s.school, &sc, err)) != 0)
        return rc;
    s.state = "registration_rejected";
    if ((rc = db_student_update(db, &s, s.version, err)) != 0)
        return rc;
    db_history h = {0,
                    s.id,
                    op->actor->user_id,
                    request_id,
                    NULL,
                    "registration_rejected",
                    op->actor->org,
                    sc.code,
                    "[{\"field\":\"/state\",\"old\":\"pending\","
                    "\"new\":\"registration_rejected\"}]",
                    NULL};
    jw data;
    jw_init(&data, op->arena);
    jw_obj(&data);
    jw_str(&data, "state", "registration_rejected");
    jw_int(&data, "request", request_id);
    jw_end(&data);
    if ((rc = db_history_insert(db, &h, err)) != 0)
        return rc;
    return core_event(db, "student.registration_rejected", s.id, sc.code, sc.authority, sc.province,
                      request_id, jw_text(&data, NULL), err);
}

/* ------------------------------------------------------------ key-field change */

static const int key_fields[] = {CORE_R_NAME, CORE_R_GENDER, CORE_R_BIRTH_DATE, CORE_R_ID_TYPE,
                                 CORE_R_ID_NUMBER};
#define NKEY_FIELDS ((int)(sizeof(key_fields) / sizeof(key_fields[0])))

/* The record of s in clear (*cur) and with the present key fields applied
   (*next), validated as a whole under the school's settings. */
static int
key_change_merge(db_conn *db, const core_op *op, const db_student *s, const core_record *changes,
                 const unsigned char *present, core_record *cur, core_record *next, app_err *err)
{
    int rc = core__record_of_row(op, (const char *const *)s->vals, 1, cur, err);
    if (rc != 0)
        return rc;
    *next = *cur;
    for (int k = 0; k < NKEY_FIELDS; k++)
        if (present[key_fields[k]])
            next->v[key_fields[k]] = changes->v[key_fields[k]];
    db_settings set;
    if ((rc = db_settings_for_school(db, s->school, op->arena, &set, err)) != 0)
        return rc;
    core_record_rules rules = {op->env->codes, op->today, set.required_fields,
                               set.nrequired_fields};
    return core_record_validate(next, &rules, op->arena, NULL, err);
}

/* History of a key-field change: the fields (PII without values) and the
   student number when it changed (from `old_number`). */
static int
record_key_change(db_conn *db, const core_op *op, const db_student *s, const core_record *cur,
                  const core_record *next, const char *old_number, const core_key_change *kc,
                  app_err *err)
{
    jw chg;
    jw_init(&chg, op->arena);
    jw_arr(&chg);
    core__history_fields(&chg, cur, next, key_fields, NKEY_FIELDS);
    if (strcmp(old_number, s->stuno_text) != 0) {
        jw_elem(&chg);
        jw_obj(&chg);
        jw_str(&chg, "field", "/student_number");
        jw_str(&chg, "old", old_number);
        jw_str(&chg, "new", s->stuno_text);
        jw_end(&chg);
    }
    jw_arr_end(&chg);
    db_history h = {0,
                    s->id,
                    op->actor->user_id,
                    kc->request_id,
                    NULL,
                    kc->kind ? kc->kind : "key_field_change",
                    op->actor->org,
                    s->school,
                    jw_text(&chg, NULL),
                    NULL};
    return db_history_insert(db, &h, err);
}

/* A revert finds the record as the change left it: every present field
   still holds the value in `expect` (else APP_ECONFLICT revert_conflict). */
static int
still_as_left(const core_record *cur, const core_record *expect, const unsigned char *present,
              app_err *err)
{
    for (int k = 0; k < NKEY_FIELDS; k++) {
        int i = key_fields[k];
        if (!present[i])
            continue;
        const char *a = cur->v[i], *b = expect->v[i];
        if ((a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0))
            return app_err_set(err, APP_ECONFLICT, "revert_conflict", "key field %d changed since",
                               i);
    }
    return 0;
}

int
core_student_key_apply(db_conn *db, const core_op *op, long long id, core_key_change *kc,
                       long long *out_holder, app_err *err)
{
    db_student s;
    int found = 0;
    *out_holder = 0;
    kc->sealed_old = NULL;
    int rc = db_student_get(db, id, 1, op->arena, &s, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return core__not_found(err);
    core_record cur, next;
    if ((rc = key_change_merge(db, op, &s, kc->changes, kc->present, &cur, &next, err)) != 0)
        return rc;
    if (kc->expect && (rc = still_as_left(&cur, kc->expect, kc->present, err)) != 0)
        return rc;
    const char *type = next.v[CORE_R_ID_TYPE], *number = next.v[CORE_R_ID_NUMBER];
    if (type && (rc = check_identity_free(db, op, type, number, s.id, 1, out_holder, err)) != 0)
        return rc;
    const char *old_number = s.stuno_text;
    if (kc->renumber && type && (strcmp(type, "1") == 0 || strcmp(type, "C") == 0))
        core__stuno_set_g(op, &s, number);
    else if ((rc = core__stuno_rewrap(op, &s, err)) != 0)
        return rc;
    if (type == NULL)
        s.id_bidx = NULL; /* the document was removed */
    if ((rc = rewrite_row(db, op, &s, &next, err)) != 0)
        return rc;
    kc->sealed_old = core_changes_seal(op, &cur, kc->present);
    if (kc->sealed_old == NULL)
        return app_err_set(err, APP_EINTERNAL, NULL, "old key fields not sealed");
    return record_key_change(db, op, &s, &cur, &next, old_number, kc, err);
}

int
core_student_key_change(db_conn *db, const core_op *op, long long id, const core_record *changes,
                        const unsigned char *present, int renumber, long long request_id,
                        long long *out_holder, app_err *err)
{
    core_key_change kc = {changes, present, renumber, request_id, "key_field_change", NULL, NULL};
    return core_student_key_apply(db, op, id, &kc, out_holder, err);
}
