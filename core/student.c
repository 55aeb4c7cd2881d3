/*
 * core/student.c - registration, reads, edits and look-ups of student
 * records (see core/student.h).
 */
#include "core/student.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/files.h"
#include "core/idnum.h"
#include "formats/image.h"
#include "core/grade.h"
#include "core/mask.h"
#include "core/settings.h"
#include "core/stuno.h"
#include "db/bulk.h"
#include "db/photo.h"
#include "db/problem.h"
#include "db/refdata.h"
#include "db/school.h"
#include "db/settings.h"
#include "db/user.h"

#define ACTIVE(st)                                                                             \
    (strcmp(st, "pending") == 0 || strcmp(st, "enrolled") == 0 || strcmp(st, "suspended") == 0)

/* Defined below, used before. */
static const char **id_indexes(const core_op *op, const char *type, const char *number,
                               int *out_n);
static int same(const char *a, const char *b);
static const char *json_str(app_arena *a, const char *s);

/* The physical columns, from the catalog (see core_record_columns()). */
static const char *const *cols;
static int ncols;
static int col_grade, col_class; /* indexes of "grade" and "class" in the row values */
static int col_of(const char *json);

int
core_student_init(void)
{
    cols = core_record_columns(&ncols);
    col_grade = col_of("grade");
    col_class = col_of("class");
    return db_student_setup(cols, ncols);
}

static void
add_code(void *ctx, const char *table, const char *code, const char *label)
{
    core_codes_add(ctx, table, code, label);
}

int
core_codes_load(db_conn *db, core_codes **out, app_err *err)
{
    core_codes *c = core_codes_new();
    int rc = db_code_values_all(db, add_code, c, err);
    if (rc != 0) {
        core_codes_free(c);
        return rc;
    }
    core_codes_seal(c);
    *out = c;
    return 0;
}

int
core_key_parse(const char *text, unsigned char out[CORE_PII_KEY_BYTES], int *out_dev)
{
    static const char marker[] = "xueji-dev-";
    size_t got = 0;
    *out_dev = strncmp(text, marker, sizeof(marker) - 1) == 0;
    if (*out_dev)
        text += sizeof(marker) - 1;
    if (strlen(text) != 2 * CORE_PII_KEY_BYTES ||
        sodium_hex2bin(out, CORE_PII_KEY_BYTES, text, strlen(text), NULL, &got, NULL) != 0 ||
        got != CORE_PII_KEY_BYTES)
        return APP_EINVAL;
    return 0;
}

/* ------------------------------------------------------------ dates */

int
core_today(void)
{
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
}

int
core_add_working_days(int from, int n, const int *holidays, int nholidays)
{
    long z = core_days_of(from);
    while (n > 0) {
        z++;
        int wd = (int)((z + 4) % 7); /* 1970-01-01 was a Thursday: 0 = Sunday */
        if (wd == 0 || wd == 6)
            continue;
        int ymd = core_ymd_of_days(z), holiday = 0;
        for (int i = 0; i < nholidays; i++)
            holiday |= holidays[i] == ymd;
        if (!holiday)
            n--;
    }
    return core_ymd_of_days(z);
}

/* ------------------------------------------------------------ PII helpers */

static char *
to_pghex(app_arena *a, const unsigned char *b, size_t n)
{
    char *s = app_arena_alloc(a, 2 * n + 3);
    s[0] = '\\';
    s[1] = 'x';
    sodium_bin2hex(s + 2, 2 * n + 1, b, n);
    return s;
}

/* "\x0a1b.." -> bytes in the arena; -1 on malformed input. */
static int
from_pghex(app_arena *a, const char *s, unsigned char **out, size_t *out_n)
{
    if (s == NULL || s[0] != '\\' || s[1] != 'x')
        return -1;
    size_t hl = strlen(s + 2), n = 0;
    unsigned char *b = app_arena_alloc(a, hl / 2 + 1);
    if (sodium_hex2bin(b, hl / 2 + 1, s + 2, hl, NULL, &n, NULL) != 0)
        return -1;
    *out = b;
    *out_n = n;
    return 0;
}

static const char *
encrypt_hex(const core_op *op, const char *plain)
{
    size_t n = strlen(plain), got = 0;
    unsigned char *b = app_arena_alloc(op->arena, n + CORE_PII_OVERHEAD);
    if (core_pii_encrypt(op->env->ring, plain, n, b, n + CORE_PII_OVERHEAD, &got) != 0)
        return NULL;
    return to_pghex(op->arena, b, got);
}

static const char *
decrypt_hex(app_arena *a, const core_pii_ring *ring, const char *hex)
{
    unsigned char *b;
    size_t n, got = 0;
    if (from_pghex(a, hex, &b, &n) != 0 || n < CORE_PII_OVERHEAD)
        return NULL;
    char *out = app_arena_alloc(a, n - CORE_PII_OVERHEAD + 1);
    if (core_pii_decrypt(ring, b, n, out, n - CORE_PII_OVERHEAD + 1, &got) != 0)
        return NULL;
    return out;
}

static const char *
bidx_hex(const core_op *op, int key_index, const char *domain, const char *value)
{
    unsigned char b[CORE_PII_BIDX_BYTES];
    core_pii_blind_index(op->env->ring, key_index, domain, value, strlen(value), b);
    return to_pghex(op->arena, b, sizeof(b));
}

/* The blind index domain of a student's document: "id:<type>". */
static const char *
id_domain(const core_op *op, const char *type)
{
    return app_arena_printf(op->arena, "id:%s", type);
}

static void
mask_of(const core_field *f, const char *v, char *out, size_t cap)
{
    if (f->kind == CORE_FK_PHONE)
        core_mask_phone(v, out, cap);
    else
        core_mask_id(v, out, cap);
}

/* Record -> row values (catalog column order), encrypting PII. */
static int
record_to_row(const core_op *op, const core_record *r, const char **vals, app_err *err)
{
    int k = 0;
    for (int i = 0; i < CORE_NFIELDS; i++) {
        const core_field *f = &core_fields[i];
        if (f->column == NULL)
            continue;
        if (!(f->flags & CORE_F_PII)) {
            vals[k++] = r->v[i];
            continue;
        }
        if (r->v[i] == NULL) {
            vals[k++] = NULL;
            vals[k++] = NULL;
            continue;
        }
        const char *enc = encrypt_hex(op, r->v[i]);
        if (enc == NULL)
            return app_err_set(err, APP_EINTERNAL, NULL, "encrypt failed");
        char m[64];
        mask_of(f, r->v[i], m, sizeof(m));
        vals[k++] = enc;
        vals[k++] = app_arena_strdup(op->arena, m);
    }
    return 0;
}

/* Row values -> record: PII masked, or decrypted when `reveal`. */
static int
row_to_record(const core_op *op, const char *const *vals, int reveal, core_record *r,
              app_err *err)
{
    int k = 0;
    memset(r, 0, sizeof(*r));
    for (int i = 0; i < CORE_NFIELDS; i++) {
        const core_field *f = &core_fields[i];
        if (f->column == NULL)
            continue;
        if (!(f->flags & CORE_F_PII)) {
            r->v[i] = vals[k++];
            continue;
        }
        const char *enc = vals[k++], *mask = vals[k++];
        if (!reveal || enc == NULL) {
            r->v[i] = mask;
            continue;
        }
        r->v[i] = decrypt_hex(op->arena, op->env->ring, enc);
        if (r->v[i] == NULL)
            return app_err_set(err, APP_EINTERNAL, NULL, "decrypt failed (field %s)", f->json);
    }
    return 0;
}

int
core_student_row(const core_op *op, const core_record *rec, const char **out_vals, app_err *err)
{
    return record_to_row(op, rec, out_vals, err);
}

const char *
core_student_bidx(const core_op *op, const char *domain, const char *value)
{
    return bidx_hex(op, 0, domain, value);
}

/* ------------------------------------------------------------ loading */

static int
load_school(db_conn *db, const core_op *op, const char *code, db_school *out, app_err *err)
{
    int found = 0;
    int rc = db_school_get(db, code, op->arena, out, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return app_err_set(err, APP_ENOTFOUND, "school_not_found", "school %s", code);
    return 0;
}

/* The column index (in vals) of a plain catalog field. */
static int
col_of(const char *json)
{
    int k = 0;
    for (int i = 0; i < CORE_NFIELDS; i++) {
        const core_field *f = &core_fields[i];
        if (f->column == NULL)
            continue;
        if (f->member == 0 && strcmp(f->json, json) == 0)
            return k;
        k += f->flags & CORE_F_PII ? 2 : 1;
    }
    return -1;
}

static int
grade_of(const db_student *s)
{
    return s->vals[col_grade] ? atoi(s->vals[col_grade]) : 0;
}

void
core_student_place_of(const db_student *s, int *out_grade, int *out_class)
{
    *out_grade = grade_of(s);
    *out_class = s->vals[col_class] ? atoi(s->vals[col_class]) : 0;
}

/* May the actor see this student? Its school, then a staff role's narrowing. */
static int
sees_student(const core_actor *a, const db_school *sc, const db_student *s)
{
    core_school_ref ref = {sc->code, sc->county, sc->authority};
    if (!core_actor_sees_school(a, &ref))
        return 0;
    if (a->level != CORE_LEVEL_SCHOOL)
        return 1;
    switch (a->staff_role) {
    case CORE_STAFF_REGISTRAR:
        return 1;
    case CORE_STAFF_GRADE_LEADER:
        return grade_of(s) == a->grade;
    case CORE_STAFF_HEAD_TEACHER:
        for (int i = 0; i < a->nclasses; i++)
            if (a->classes[i] == s->class_id)
                return 1;
        return 0;
    default:
        return 0;
    }
}

/* Parse a key: digits = id; else a student number -> blind index look-up. */
static int
find_student(db_conn *db, const core_op *op, const char *key, int lock, db_student *out,
             int *out_found, app_err *err)
{
    size_t n = strlen(key);
    int digits = n > 0 && n <= 18;
    for (size_t i = 0; digits && i < n; i++)
        digits = key[i] >= '0' && key[i] <= '9';
    *out_found = 0;
    if (digits)
        return db_student_get(db, atoll(key), lock, op->arena, out, out_found, err);
    char num[20];
    if (core_stuno_parse(key, n, num, NULL) != 0)
        return 0;
    for (int k = 0; k < core_pii_ring_count(op->env->ring) && !*out_found; k++) {
        int rc = db_student_get_by_stuno(db, bidx_hex(op, k, "stuno", num), lock, op->arena, out,
                                         out_found, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int
not_found(app_err *err, const char *key)
{
    (void)key;
    return app_err_set(err, APP_ENOTFOUND, "student_not_found", "no visible student");
}

/* Load a student the actor sees, with its school. */
static int
load_visible(db_conn *db, const core_op *op, const char *key, int lock, db_student *s,
             db_school *sc, app_err *err)
{
    int found = 0;
    int rc = find_student(db, op, key, lock, s, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return not_found(err, key);
    /* the school came with the row */
    memset(sc, 0, sizeof(*sc));
    snprintf(sc->code, sizeof(sc->code), "%s", s->school);
    snprintf(sc->county, sizeof(sc->county), "%s", s->school_county);
    snprintf(sc->authority, sizeof(sc->authority), "%s", s->school_authority);
    snprintf(sc->province, sizeof(sc->province), "%s", s->province);
    sc->name = s->school_name;
    sc->closed = s->school_closed;
    sc->county_name = sc->authority_name = "";
    if (!sees_student(op->actor, sc, s)) {
        /* rule 26: the other party of an open transfer sees the record meanwhile */
        int party = 0;
        if (lock != DB_STUDENT_LOCK && op->actor->level == CORE_LEVEL_SCHOOL &&
            op->actor->staff_role == CORE_STAFF_REGISTRAR &&
            (rc = db_request_open_transfer_to(db, s->id, op->actor->org, &party, err)) != 0)
            return rc;
        if (!party)
            return not_found(err, key);
    }
    return 0;
}

static int
fill_out(const core_op *op, const db_student *s, const db_school *sc, int reveal,
         core_student *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    out->id = s->id;
    snprintf(out->school, sizeof(out->school), "%s", s->school);
    out->school_name = sc ? sc->name : s->school_name;
    snprintf(out->authority, sizeof(out->authority), "%s", sc ? sc->authority : s->school_authority);
    snprintf(out->county, sizeof(out->county), "%s", sc ? sc->county : s->school_county);
    out->state = s->state;
    out->student_number = s->stuno_text;
    if (reveal && s->stuno_enc) {
        out->student_number = decrypt_hex(op->arena, op->env->ring, s->stuno_enc);
        if (out->student_number == NULL)
            return app_err_set(err, APP_EINTERNAL, NULL, "decrypt failed (student number)");
    }
    out->version = s->version;
    out->created_at = s->created_at;
    out->updated_at = s->updated_at;
    out->has_photo = s->has_photo;
    out->verification = s->verification;
    out->revealed = reveal;
    return row_to_record(op, (const char *const *)s->vals, reveal, &out->rec, err);
}

int
core_student_load(db_conn *db, const core_op *op, const char *key, int lock, db_student *out,
                  db_school *out_school, app_err *err)
{
    return load_visible(db, op, key, lock, out, out_school, err);
}

int
core_student_load_by_number(db_conn *db, const core_op *op, const char *number, int lock,
                            db_student *out, db_school *out_school, app_err *err)
{
    char num[20];
    int found = 0;
    if (core_stuno_parse(number, strlen(number), num, NULL) != 0)
        return not_found(err, number);
    for (int k = 0; k < core_pii_ring_count(op->env->ring) && !found; k++) {
        int rc = db_student_get_by_stuno(db, bidx_hex(op, k, "stuno", num), lock, op->arena, out,
                                         &found, err);
        if (rc != 0)
            return rc;
    }
    if (!found)
        return not_found(err, number);
    return load_school(db, op, out->school, out_school, err);
}

int
core_student_record(const core_op *op, const db_student *s, core_record *out, app_err *err)
{
    return row_to_record(op, (const char *const *)s->vals, 1, out, err);
}

int
core_school_load(db_conn *db, const core_op *op, const char *code, db_school *out, app_err *err)
{
    return load_school(db, op, code, out, err);
}

int
core_grade_is_final(const db_school *sc, int grade)
{
    if (!core_grade_fits_school(sc->category, sc->system, grade))
        return 0;
    int next = grade + 1;
    /* the next grade of the same level (11-16, 21-24, 31-33) */
    return next / 10 != grade / 10 || !core_grade_valid(next) ||
           !core_grade_fits_school(sc->category, sc->system, next);
}

const char *
core_changes_seal(const core_op *op, const core_record *ch, const unsigned char *present)
{
    char *text = app_arena_strdup(op->arena, "");
    for (int i = 0; i < CORE_NFIELDS; i++)
        if (present[i])
            text = app_arena_printf(op->arena, "%s%d\x1f%s\x1e", text, i, ch->v[i] ? ch->v[i] : "\x1d");
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
    const char *text = decrypt_hex(op->arena, op->env->ring,
                                   app_arena_printf(op->arena, "\\x%s", hex));
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
            out->v[i] = us[1] == '\x1d' ? NULL : app_arena_strndup(op->arena, us + 1, (size_t)(rs - us - 1));
        }
        p = rs + 1;
    }
    return 0;
}

int
core_problem_open(db_conn *db, const char *kind, long long student, long long other,
                  const char *school, const char *other_school, const char *authority,
                  const char *reason, app_err *err)
{
    db_problem p = {.student_id = student, .other_student_id = other, .kind = kind,
                    .state = "open", .school = school, .other_school = other_school,
                    .authority = authority, .reason = reason};
    return db_problem_insert(db, &p, err);
}

int
core_student_key_change(db_conn *db, const core_op *op, long long id,
                        const core_record *changes, const unsigned char *present, int renumber,
                        long long request_id, long long *out_holder, app_err *err)
{
    db_student s;
    int found = 0;
    *out_holder = 0;
    int rc = db_student_get(db, id, 1, op->arena, &s, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return not_found(err, "");
    core_record cur, next;
    if ((rc = row_to_record(op, (const char *const *)s.vals, 1, &cur, err)) != 0)
        return rc;
    next = cur;
    static const int keys[] = {CORE_R_NAME, CORE_R_GENDER, CORE_R_BIRTH_DATE, CORE_R_ID_TYPE,
                               CORE_R_ID_NUMBER};
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
        if (present[keys[k]])
            next.v[keys[k]] = changes->v[keys[k]];
    db_settings set;
    if ((rc = db_settings_for_school(db, s.school, op->arena, &set, err)) != 0)
        return rc;
    core_record_rules rules = {op->env->codes, op->today, set.required_fields,
                               set.nrequired_fields};
    if ((rc = core_record_validate(&next, &rules, op->arena, NULL, err)) != 0)
        return rc;
    const char *type = next.v[CORE_R_ID_TYPE], *number = next.v[CORE_R_ID_NUMBER];
    if (type) {
        int nidx = 0;
        const char **idx = id_indexes(op, type, number, &nidx);
        char hs[11];
        if ((rc = db_student_lock_identity(db, idx[0], err)) != 0 ||
            (rc = db_student_find_holder(db, type, idx, nidx, s.id, out_holder, hs, &found,
                                         err)) != 0)
            return rc;
        if (found)
            return app_err_set(err, APP_ECONFLICT, "duplicate_enrolled", "held by %lld",
                               *out_holder);
    }
    const char *old_number = s.stuno_text;
    if (renumber && type && (strcmp(type, "1") == 0 || strcmp(type, "C") == 0)) {
        char num[20], m[24];
        core_stuno_make_g(number, num);
        core_mask_stuno(num, m, sizeof(m));
        s.stuno_kind[0] = 'G';
        s.stuno_text = app_arena_strdup(op->arena, m);
        s.stuno_enc = encrypt_hex(op, num);
        s.stuno_bidx = bidx_hex(op, 0, "stuno", num);
    } else {
        const char *full = s.stuno_enc ? decrypt_hex(op->arena, op->env->ring, s.stuno_enc)
                                       : s.stuno_text;
        if (full == NULL)
            return app_err_set(err, APP_EINTERNAL, NULL, "decrypt failed");
        if (s.stuno_enc)
            s.stuno_enc = encrypt_hex(op, full);
        s.stuno_bidx = bidx_hex(op, 0, "stuno", full);
    }
    const char **vals = app_arena_alloc(op->arena, sizeof(char *) * (size_t)ncols);
    if ((rc = record_to_row(op, &next, vals, err)) != 0)
        return rc;
    s.vals = vals;
    s.key_id = core_pii_key_id(op->env->ring, 0);
    s.id_bidx = type ? bidx_hex(op, 0, id_domain(op, type), number) : NULL;
    if ((rc = db_student_update(db, &s, s.version, err)) != 0)
        return rc;
    char *chg = app_arena_strdup(op->arena, "[");
    int n = 0;
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        int i = keys[k];
        if (same(cur.v[i], next.v[i]))
            continue;
        char p[32];
        core_field_pointer(i, p, sizeof(p));
        const char *item =
            core_fields[i].flags & CORE_F_PII
                ? app_arena_printf(op->arena, "{\"field\":\"%s\",\"pii\":true}", p)
                : app_arena_printf(op->arena, "{\"field\":\"%s\",\"old\":%s,\"new\":%s}", p,
                                   json_str(op->arena, cur.v[i]), json_str(op->arena, next.v[i]));
        chg = app_arena_printf(op->arena, "%s%s%s", chg, n++ ? "," : "", item);
    }
    if (strcmp(old_number, s.stuno_text) != 0)
        chg = app_arena_printf(op->arena, "%s%s{\"field\":\"/student_number\",\"old\":%s,\"new\":%s}",
                               chg, n++ ? "," : "", json_str(op->arena, old_number),
                               json_str(op->arena, s.stuno_text));
    chg = app_arena_printf(op->arena, "%s]", chg);
    db_history h = {0, s.id, op->actor->user_id, request_id, NULL, "key_field_change",
                    op->actor->org, s.school, chg};
    return db_history_insert(db, &h, err);
}

/* ------------------------------------------------------------ registration */

/* "郑州市金水区的一所学校" or "建设路第一小学（2141010201）" for duplicate answers. */
static const char *
describe_school(db_conn *db, const core_op *op, const char *code, int for_error, app_err *err)
{
    db_school sc;
    if (load_school(db, op, code, &sc, err) != 0)
        return "";
    core_school_ref ref = {sc.code, sc.county, sc.authority};
    if (core_actor_sees_school(op->actor, &ref))
        return app_arena_printf(op->arena, "%s（%s）", sc.name, sc.code);
    const char *county = sc.county_name[0] ? sc.county_name : "其他地区";
    /* an error param marks the hidden form with '@' so api/problem.c can word
       it in the caller's language */
    return for_error ? app_arena_printf(op->arena, "@%s", county)
                     : app_arena_printf(op->arena, "%s的一所学校", county);
}

/* The steps of a registration: the competent authority; without a document
   every level from it up to the province (DOMAIN §5). */
static int
registration_steps(db_conn *db, const core_op *op, const db_school *sc, int no_doc,
                   const db_settings *set, db_step **out, int *out_n, app_err *err)
{
    db_region *chain;
    int n = 0;
    int rc = db_region_get_with_ancestors(db, sc->authority, op->arena, &chain, &n, err);
    if (rc != 0)
        return rc;
    db_step *v = app_arena_alloc(op->arena, sizeof(db_step) * (size_t)(n ? n : 1));
    int k = 0;
    int due = core_add_working_days(op->today, set->step_deadline_days, set->holidays,
                                    set->nholidays);
    for (int i = 0; i < n; i++) {
        if (strcmp(chain[i].level, "ministry") == 0)
            break;
        db_step *st = &v[k];
        memset(st, 0, sizeof(*st));
        st->number = k + 1;
        st->level = chain[i].level;
        st->org = app_arena_strdup(op->arena, chain[i].code);
        st->state = k == 0 ? "waiting" : "pending";
        /* overdue: the next level up sees it too (DOMAIN rule 14) */
        st->escalate_to = i + 1 < n ? app_arena_strdup(op->arena, chain[i + 1].code) : NULL;
        st->due_at = k == 0 ? app_arena_printf(op->arena, "%04d-%02d-%02dT23:59:59+08:00",
                                               due / 10000, due / 100 % 100, due % 100)
                            : NULL;
        k++;
        if (!no_doc)
            break;
    }
    *out = v;
    *out_n = k;
    return 0;
}

static int
ymd(const char *date)
{
    int v = 0;
    return date && core_date_parse(date, &v) == 0 ? v : 0;
}

/* The caller and its school: a registrar of an open school whose reporting
   window is open (the same for every record of a batch). */
static int
school_checks(db_conn *db, const core_op *op, db_school *sc, db_settings *set, app_err *err)
{
    const core_actor *a = op->actor;
    if (a->level != CORE_LEVEL_SCHOOL || a->staff_role != CORE_STAFF_REGISTRAR)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden",
                           "only a school's registrar registers students");
    int rc = load_school(db, op, a->org, sc, err);
    if (rc != 0)
        return rc;
    if (sc->closed)
        return app_err_set(err, APP_ESTATE, "school_closed", "school %s is closed", sc->code);
    if ((rc = db_settings_for_school(db, sc->code, op->arena, set, err)) != 0)
        return rc;
    return core_window_check(set->window_required, set->window_from, set->window_until,
                             op->today, err);
}

/* One record before the transaction: fields, grade, entry age. */
static int
record_checks(const core_op *op, core_record *rec, const db_school *sc, const db_settings *set,
              int *out_warnings, app_err *err)
{
    core_record_rules rules = {op->env->codes, op->today, set->required_fields,
                               set->nrequired_fields};
    core_record_validate(rec, &rules, op->arena, out_warnings, err);
    /* a registration places the student: grade and class always */
    if (rec->v[CORE_R_GRADE] == NULL)
        app_err_add(err, "/grade", "missing_field", NULL);
    if (rec->v[CORE_R_CLASS] == NULL)
        app_err_add(err, "/class", "missing_field", NULL);
    if (rec->v[CORE_R_NAME] == NULL && set->nrequired_fields == 0)
        app_err_add(err, "/name", "missing_field", NULL);
    if (rec->v[CORE_R_BIRTH_DATE] == NULL && set->nrequired_fields == 0)
        app_err_add(err, "/birth_date", "missing_field", NULL);
    if (err->nitems > 0)
        return APP_EINVAL;

    int grade = atoi(rec->v[CORE_R_GRADE]);
    if (!core_grade_fits_school(sc->category, sc->system, grade)) {
        app_err_add(err, "/grade", "grade_not_in_school", NULL);
        return APP_EINVAL;
    }
    /* rule 21: grade 1 of primary school, the entry age */
    int birth = ymd(rec->v[CORE_R_BIRTH_DATE]);
    if (grade == 11 && birth &&
        !core_entry_age_ok(birth, op->today / 10000, set->entry_age_cutoff, set->entry_min_age)) {
        app_err_add(err, "/birth_date", "below_entry_age",
                    app_arena_printf(op->arena, "%d", set->entry_min_age));
        return APP_EINVAL;
    }
    return 0;
}

/* Lock the class (serialises its size limit) and check it. */
static int
place_in_class(db_conn *db, const core_op *op, const db_school *sc, const core_record *rec,
               long long *out_class_id, app_err *err)
{
    long long id = 0;
    int limit = 0, found = 0, count = 0;
    int rc = db_class_lock(db, sc->code, atoi(rec->v[CORE_R_GRADE]), atoi(rec->v[CORE_R_CLASS]),
                           &id, &limit, &found, err);
    if (rc != 0)
        return rc;
    if (!found) {
        app_err_add(err, "/class", "class_not_found", NULL);
        return APP_EINVAL;
    }
    if (limit > 0) {
        if ((rc = db_class_count(db, id, &count, err)) != 0)
            return rc;
        if (count >= limit)
            return app_err_set(err, APP_ECONFLICT, "class_full", "class %lld full (%d)", id,
                               limit);
    }
    (void)op;
    *out_class_id = id;
    return 0;
}

/* Blind indexes of (type, number) under every ring key, current first. */
static const char **
id_indexes(const core_op *op, const char *type, const char *number, int *out_n)
{
    int n = core_pii_ring_count(op->env->ring);
    const char **v = app_arena_alloc(op->arena, sizeof(char *) * (size_t)n);
    for (int k = 0; k < n; k++)
        v[k] = bidx_hex(op, k, id_domain(op, type), number);
    *out_n = n;
    return v;
}

/* What a batch's transaction needs of each record, prepared before it. */
typedef struct reg_work {
    const char **vals;  /* the row's columns (ciphertexts, masks, blind indexes) */
    const char **idx;   /* blind indexes of its identity under every key, or NULL */
    int nidx, no_doc;
    const char *verification;
    int slot;           /* its class among the batch's classes */
    char lnum[20];
    const char *lbidx;
} reg_work;

/* Schools named in duplicate answers, looked up once per batch. */
typedef struct who_cache {
    char code[8][11];
    const char *who[8];
    int n;
} who_cache;

static const char *
holder_named(db_conn *db, const core_op *op, who_cache *c, const char *code, app_err *err)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->code[i], code) == 0)
            return c->who[i];
    const char *who = describe_school(db, op, code, 1, err);
    if (err->code != APP_OK)
        return NULL;
    if (c->n < 8) {
        snprintf(c->code[c->n], sizeof(c->code[0]), "%s", code);
        c->who[c->n++] = who;
    }
    return who;
}

static void
duplicate(core_reg *r, long long holder, const char *who)
{
    app_err_set(r->err, APP_ECONFLICT, "duplicate_enrolled", "identity held by student %lld",
                holder);
    app_err_field(r->err, "/id_number");
    app_err_param(r->err, who);
    r->rc = APP_ECONFLICT;
}

/* An L number that is never "L" + a valid ID number (rule 8); not yet
   checked against the numbers in use. */
static void
l_candidate(const char *county, int birth, char out[20])
{
    do
        core_stuno_make_l(county, birth, randombytes_uniform(10000), out);
    while (core_idnum_check_digit(out + 1) == out[18]);
}

/* An entry of mark_repeats(): a key, pinned (kept when it has equals) or not, its index. */
typedef struct keyed {
    const char *key;
    int pinned, at;
} keyed;

static int
keyed_cmp(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    if (c == 0)
        c = b->pinned - a->pinned;
    return c != 0 ? c : (a->at > b->at) - (a->at < b->at);
}

/* repeat[i] = 1 when keys[i] (NULL: left out) equals another key that is
   pinned (pinned[i], NULL: none) or, among unpinned ones, comes earlier: of
   equal keys the pinned one, else the first, is kept. By sorting, not by
   comparing every pair (a batch may have thousands of rows). */
static void
mark_repeats(app_arena *a, const char *const *keys, const unsigned char *pinned, int n,
             unsigned char *repeat)
{
    keyed *v = app_arena_alloc(a, sizeof(keyed) * (size_t)(n ? n : 1));
    int m = 0;
    for (int i = 0; i < n; i++) {
        repeat[i] = 0;
        if (keys[i])
            v[m++] = (keyed){keys[i], pinned ? pinned[i] : 0, i};
    }
    qsort(v, (size_t)m, sizeof(keyed), keyed_cmp);
    for (int k = 1; k < m; k++)
        if (strcmp(v[k].key, v[k - 1].key) == 0)
            repeat[v[k].at] = 1;
}

/* Free L numbers for the rows still in: drawn, then checked together against
   the numbers in use and each other, the taken ones drawn again. */
static int
l_numbers(db_conn *db, const core_op *op, const db_school *sc, core_reg *rows, reg_work *w,
          int n, app_err *err)
{
    size_t sz = (size_t)(n ? n : 1);
    int *todo = app_arena_alloc(op->arena, sizeof(int) * sz);
    const char **bidx = app_arena_alloc(op->arena, sizeof(char *) * sz);
    const char **keys = app_arena_alloc(op->arena, sizeof(char *) * sz);
    unsigned char *taken = app_arena_alloc(op->arena, sz);
    unsigned char *kept = app_arena_alloc(op->arena, sz);
    unsigned char *repeat = app_arena_alloc(op->arena, sz);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (rows[i].rc == 0)
            todo[m++] = i;
    for (int round = 0; m > 0; round++) {
        if (round == 50)
            return app_err_set(err, APP_ECONFLICT, "student_number_exhausted",
                               "no free L number for county %s", sc->county);
        for (int k = 0; k < m; k++) {
            reg_work *x = &w[todo[k]];
            l_candidate(sc->county, ymd(rows[todo[k]].rec->v[CORE_R_BIRTH_DATE]), x->lnum);
            x->lbidx = bidx_hex(op, 0, "stuno", x->lnum);
            bidx[k] = x->lbidx;
        }
        int rc = db_stunos_taken(db, bidx, m, taken, err);
        if (rc != 0)
            return rc;
        /* numbers kept from earlier rounds stay; a new one equal to another goes again */
        for (int i = 0; i < n; i++) {
            keys[i] = rows[i].rc == 0 ? w[i].lbidx : NULL;
            kept[i] = 1;
        }
        for (int k = 0; k < m; k++)
            kept[todo[k]] = 0;
        mark_repeats(op->arena, keys, kept, n, repeat);
        int left = 0;
        for (int k = 0; k < m; k++)
            if (taken[k] || repeat[todo[k]]) {
                w[todo[k]].lbidx = NULL;
                todo[left++] = todo[k];
            }
        m = left;
    }
    return 0;
}

/* The rows still in after the duplicate checks, under the identity locks. */
static int
check_identities(db_conn *db, const core_op *op, const db_school *sc, core_reg *rows,
                 reg_work *w, int n, who_cache *wc, app_err *err)
{
    int ne = 0, nl = 0;
    for (int i = 0; i < n; i++)
        if (rows[i].rc == 0 && w[i].idx)
            ne += w[i].nidx, nl++;
    if (nl == 0)
        return 0;
    const char **lk = app_arena_alloc(op->arena, sizeof(char *) * (size_t)nl);
    int *erow = app_arena_alloc(op->arena, sizeof(int) * (size_t)ne);
    const char **etype = app_arena_alloc(op->arena, sizeof(char *) * (size_t)ne);
    const char **ebidx = app_arena_alloc(op->arena, sizeof(char *) * (size_t)ne);
    nl = ne = 0;
    for (int i = 0; i < n; i++) {
        if (rows[i].rc != 0 || w[i].idx == NULL)
            continue;
        lk[nl++] = w[i].idx[0];
        for (int k = 0; k < w[i].nidx; k++) {
            erow[ne] = i;
            etype[ne] = rows[i].rec->v[CORE_R_ID_TYPE];
            ebidx[ne++] = w[i].idx[k];
        }
    }
    /* rule 22: one registration of an identity at a time, then look */
    db_holder *h;
    int nh = 0;
    int rc = db_identities_lock(db, lk, nl, err);
    if (rc == 0)
        rc = db_holders_find(db, ne, erow, etype, ebidx, op->arena, &h, &nh, err);
    if (rc != 0)
        return rc;
    for (int k = 0; k < nh; k++) {
        const char *who = holder_named(db, op, wc, h[k].school, err);
        if (who == NULL)
            return err->code;
        duplicate(&rows[h[k].row], h[k].id, who);
    }
    /* the same identity twice in the batch: the later row meets the earlier */
    const char **keys = app_arena_alloc(op->arena, sizeof(char *) * (size_t)n);
    unsigned char *repeat = app_arena_alloc(op->arena, (size_t)n);
    for (int i = 0; i < n; i++)
        keys[i] = rows[i].rc == 0 && w[i].idx
                      ? app_arena_printf(op->arena, "%s|%s", rows[i].rec->v[CORE_R_ID_TYPE],
                                         w[i].idx[0])
                      : NULL;
    mark_repeats(op->arena, keys, NULL, n, repeat);
    for (int i = 0; i < n; i++) {
        if (!repeat[i])
            continue;
        const char *who = holder_named(db, op, wc, sc->code, err);
        if (who == NULL)
            return err->code;
        duplicate(&rows[i], 0, who);
    }
    return 0;
}

/* Classes: locked, counted, then filled in the order of the rows. */
static int
place_rows(db_conn *db, const core_op *op, const db_school *sc, core_reg *rows, reg_work *w,
           int n, long long *class_id, app_err *err)
{
    db_class_slot *slots = app_arena_alloc(op->arena, sizeof(db_class_slot) * (size_t)(n ? n : 1));
    int ns = 0;
    for (int i = 0; i < n; i++) {
        if (rows[i].rc != 0)
            continue;
        int g = atoi(rows[i].rec->v[CORE_R_GRADE]), c = atoi(rows[i].rec->v[CORE_R_CLASS]);
        int k = 0;
        while (k < ns && !(slots[k].grade == g && slots[k].number == c))
            k++;
        if (k == ns) {
            slots[ns].grade = g;
            slots[ns++].number = c;
        }
        w[i].slot = k;
    }
    if (ns == 0)
        return 0;
    int rc = db_classes_lock(db, sc->code, slots, ns, err);
    if (rc != 0)
        return rc;
    for (int i = 0; i < n; i++) {
        if (rows[i].rc != 0)
            continue;
        db_class_slot *s = &slots[w[i].slot];
        if (s->id == 0) {
            app_err_add(rows[i].err, "/class", "class_not_found", NULL);
            rows[i].rc = APP_EINVAL;
        } else if (s->limit > 0 && s->count >= s->limit) {
            rows[i].rc = app_err_set(rows[i].err, APP_ECONFLICT, "class_full",
                                     "class %lld full (%d)", s->id, s->limit);
            app_err_field(rows[i].err, "/class"); /* an upload's row names the column */
        } else {
            s->count++;
            class_id[i] = s->id;
        }
    }
    return 0;
}

/* Suspected duplicates (same name, gender, birth date in the province) and
   failed identity checks open problem records. */
static int
open_problems(db_conn *db, const core_op *op, const db_school *sc, core_reg *rows,
              const reg_work *w, const int *in, int m, app_err *err)
{
    long long *ids = app_arena_alloc(op->arena, sizeof(long long) * (size_t)m);
    const char **name = app_arena_alloc(op->arena, sizeof(char *) * (size_t)m);
    const char **gender = app_arena_alloc(op->arena, sizeof(char *) * (size_t)m);
    const char **birth = app_arena_alloc(op->arena, sizeof(char *) * (size_t)m);
    for (int k = 0; k < m; k++) {
        core_record *rec = rows[in[k]].rec;
        ids[k] = rows[in[k]].student_id;
        name[k] = rec->v[CORE_R_NAME];
        gender[k] = rec->v[CORE_R_GENDER];
        birth[k] = rec->v[CORE_R_BIRTH_DATE];
    }
    db_similar *sim;
    int nsim = 0;
    int rc = db_similar_find_many(db, sc->province, m, ids, name, gender, birth, op->arena, &sim,
                                  &nsim, err);
    if (rc != 0)
        return rc;
    for (int k = 0; k < nsim; k++) {
        char lca[7];
        db_school other;
        if ((rc = load_school(db, op, sim[k].school, &other, err)) != 0)
            return rc;
        core_school_ref ra = {sc->code, sc->county, sc->authority};
        core_school_ref rb = {other.code, other.county, other.authority};
        core_lowest_common_authority(&ra, &rb, core_codes_is_region, (void *)op->env->codes,
                                     lca);
        if ((rc = core_problem_open(db, "suspected_duplicate", ids[sim[k].row], sim[k].id,
                                    sc->code, other.code, lca, "same name, gender and birth date",
                                    err)) != 0)
            return rc;
    }
    /* rule 23: a failed identity check opens a problem record */
    for (int k = 0; k < m; k++) {
        const char *v = w[in[k]].verification;
        if (v && strcmp(v, "passed") != 0 && strcmp(v, "unavailable") != 0 &&
            (rc = core_problem_open(db, "identity_failed", ids[k], 0, sc->code, NULL,
                                    sc->authority, v, err)) != 0)
            return rc;
    }
    return 0;
}

/* One attempt: everything from the locks to the commit. APP_ERETRY when a
   concurrent writer took an identity or a number between check and insert. */
static int
register_tx(db_conn *db, const core_op *op, const db_school *sc, const db_settings *set,
            core_reg *rows, reg_work *w, int n, app_err *err)
{
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    who_cache wc = {0};
    long long *class_id = app_arena_alloc(op->arena, sizeof(long long) * (size_t)n);
    if ((rc = check_identities(db, op, sc, rows, w, n, &wc, err)) != 0 ||
        (rc = place_rows(db, op, sc, rows, w, n, class_id, err)) != 0 ||
        (rc = l_numbers(db, op, sc, rows, w, n, err)) != 0)
        goto fail;

    int *in = app_arena_alloc(op->arena, sizeof(int) * (size_t)n);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (rows[i].rc == 0)
            in[m++] = i;
    if (m == 0)
        return db_commit(db, err);

    long long *sid = app_arena_alloc(op->arena, sizeof(long long) * (size_t)m);
    long long *qid = app_arena_alloc(op->arena, sizeof(long long) * (size_t)m);
    if ((rc = db_ids_next(db, "student", m, sid, err)) != 0 ||
        (rc = db_ids_next(db, "request", m, qid, err)) != 0)
        goto fail;

    db_student *s = app_arena_alloc(op->arena, sizeof(db_student) * (size_t)m);
    for (int k = 0; k < m; k++) {
        int i = in[k];
        rows[i].student_id = sid[k];
        rows[i].request_id = qid[k];
        db_student *x = &s[k];
        memset(x, 0, sizeof(*x));
        x->id = sid[k];
        snprintf(x->province, sizeof(x->province), "%s", sc->province);
        snprintf(x->school, sizeof(x->school), "%s", sc->code);
        x->class_id = class_id[i];
        x->state = "pending";
        x->stuno_kind[0] = 'L';
        x->stuno_text = w[i].lnum;
        x->stuno_bidx = w[i].lbidx;
        x->id_bidx = w[i].idx ? w[i].idx[0] : NULL;
        x->key_id = core_pii_key_id(op->env->ring, 0);
        x->verification = w[i].verification;
        x->vals = w[i].vals;
    }
    if ((rc = db_student_insert_many(db, s, m, err)) != 0) {
        if (rc == APP_ECONFLICT &&
            (strstr(err->detail, "one_person") || strstr(err->detail, "stuno")))
            rc = app_err_set(err, APP_ERETRY, NULL, "identity or number taken concurrently");
        goto fail;
    }
    if ((rc = open_problems(db, op, sc, rows, w, in, m, err)) != 0)
        goto fail;

    /* the registration requests, routed to the competent authority; with
       and without a document the steps differ (DOMAIN §5) */
    db_step *steps[2] = {NULL, NULL};
    int nsteps[2] = {0, 0};
    for (int k = 0; k < m; k++) {
        int v = w[in[k]].no_doc; /* each variant routed once, when a row needs it */
        if (steps[v] == NULL &&
            (rc = registration_steps(db, op, sc, v, set, &steps[v], &nsteps[v], err)) != 0)
            goto fail;
    }
    db_request *q = app_arena_alloc(op->arena, sizeof(db_request) * (size_t)m);
    db_history *h = app_arena_alloc(op->arena, sizeof(db_history) * (size_t)m);
    db_audit *au = app_arena_alloc(op->arena, sizeof(db_audit) * (size_t)m);
    db_event *ev = app_arena_alloc(op->arena, sizeof(db_event) * (size_t)m);
    for (int k = 0; k < m; k++) {
        int i = in[k];
        memset(&q[k], 0, sizeof(q[k]));
        q[k].id = qid[k];
        q[k].type = "registration";
        q[k].state = "open";
        q[k].student_id = sid[k];
        q[k].school = sc->code;
        q[k].province = sc->province;
        q[k].payload_json = "{}";
        q[k].current_step = 1;
        q[k].started_by = op->actor->user_id;
        q[k].started_org = op->actor->org;
        q[k].steps = steps[w[i].no_doc ? 1 : 0];
        q[k].nsteps = nsteps[w[i].no_doc ? 1 : 0];
        h[k] = (db_history){0, sid[k], op->actor->user_id, qid[k], NULL, "registered",
                            op->actor->org, sc->code, "[]"};
        au[k] = (db_audit){op->actor->user_id,
                           op->actor->org,
                           "student.register",
                           "student",
                           app_arena_printf(op->arena, "%lld", sid[k]),
                           op->ip,
                           op->user_agent,
                           op->request_id,
                           app_arena_printf(op->arena, "{\"request\":%lld,\"school\":\"%s\"}",
                                            qid[k], sc->code)};
        const core_record *rec = rows[i].rec;
        ev[k] = (db_event){0,
                           sid[k],
                           qid[k],
                           NULL,
                           "student.registered",
                           sc->code,
                           sc->authority,
                           sc->province,
                           app_arena_printf(op->arena,
                                            "{\"state\":\"pending\",\"grade\":\"%s\","
                                            "\"class\":%s,\"request\":%lld}",
                                            rec->v[CORE_R_GRADE], rec->v[CORE_R_CLASS], qid[k])};
    }
    if ((rc = db_request_insert_many(db, q, m, err)) != 0 ||
        (rc = db_history_insert_many(db, h, m, err)) != 0 ||
        (rc = db_audit_insert_many(db, au, m, err)) != 0 ||
        (rc = db_event_insert_many(db, ev, m, err)) != 0)
        goto fail;
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
}

int
core_student_register_many(db_conn *db, const core_op *op, core_reg *rows, int n, app_err *err)
{
    for (int i = 0; i < n; i++) {
        /* rows[i].err may already list items of the caller's (unknown fields) */
        rows[i].rc = rows[i].warnings = 0;
        rows[i].student_id = rows[i].request_id = 0;
    }
    db_school sc;
    db_settings set;
    app_err be = {0};
    int rc = school_checks(db, op, &sc, &set, &be);
    if (rc == APP_EUNAVAIL || rc == APP_EINTERNAL) {
        *err = be;
        return rc;
    }
    if (rc != 0) {
        /* the school's answer is every record's answer */
        for (int i = 0; i < n; i++) {
            rows[i].rc = rc;
            *rows[i].err = be;
        }
        return 0;
    }
    reg_work *w = app_arena_alloc(op->arena, sizeof(reg_work) * (size_t)(n ? n : 1));
    unsigned char *pre = app_arena_alloc(op->arena, (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        core_reg *r = &rows[i];
        memset(&w[i], 0, sizeof(w[i]));
        r->rc = record_checks(op, r->rec, &sc, &set, &r->warnings, r->err);
        if (r->rc == 0) {
            const char *type = r->rec->v[CORE_R_ID_TYPE], *number = r->rec->v[CORE_R_ID_NUMBER];
            w[i].no_doc = core_record_no_document(r->rec);
            /* the identity check calls out: before the transaction holds any lock */
            if (op->verify && type && strcmp(type, "1") == 0)
                op->verify(op->verify_ctx, r->rec, &w[i].verification);
            w[i].vals = app_arena_alloc(op->arena, sizeof(char *) * (size_t)ncols);
            r->rc = record_to_row(op, r->rec, w[i].vals, r->err);
            if (r->rc == 0 && !w[i].no_doc)
                w[i].idx = id_indexes(op, type, number, &w[i].nidx);
        }
        pre[i] = r->rc != 0;
    }
    for (int attempt = 0;; attempt++) {
        rc = register_tx(db, op, &sc, &set, rows, w, n, err);
        if (rc != APP_ERETRY || attempt == 3)
            break;
        /* start over from the checks made before the transaction */
        memset(err, 0, sizeof(*err));
        for (int i = 0; i < n; i++)
            if (!pre[i]) {
                memset(rows[i].err, 0, sizeof(*rows[i].err));
                rows[i].rc = 0;
                rows[i].student_id = rows[i].request_id = 0;
                w[i].lbidx = NULL;
            }
    }
    if (rc != 0)
        for (int i = 0; i < n; i++)
            rows[i].student_id = rows[i].request_id = 0;
    return rc;
}

int
core_student_register(db_conn *db, const core_op *op, core_record *rec, core_student *out,
                      core_request *out_req, int *out_warnings, app_err *err)
{
    core_reg row;
    memset(&row, 0, sizeof(row));
    row.rec = rec;
    row.err = err;
    app_err batch = {0};
    int rc = core_student_register_many(db, op, &row, 1, &batch);
    *out_warnings = row.warnings;
    if (rc != 0) {
        *err = batch;
        return rc;
    }
    if (row.rc != 0)
        return row.rc;
    /* read back what was stored, masked */
    db_student back;
    int found = 0;
    if ((rc = db_student_get(db, row.student_id, 0, op->arena, &back, &found, err)) != 0 ||
        (rc = db_request_get(db, row.request_id, 0, op->arena, out_req, &found, err)) != 0)
        return rc;
    if (!found)
        return app_err_set(err, APP_EINTERNAL, NULL, "student %lld vanished", row.student_id);
    return fill_out(op, &back, NULL, 0, out, err);
}

/* ------------------------------------------------------------ reads */

int
core_student_get(db_conn *db, const core_op *op, const char *key, int reveal, core_student *out,
                 app_err *err)
{
    db_student s;
    db_school sc;
    int rc = load_visible(db, op, key, reveal ? DB_STUDENT_FULL : DB_STUDENT_LIGHT, &s, &sc, err);
    if (rc != 0)
        return rc;
    if ((rc = fill_out(op, &s, &sc, reveal, out, err)) != 0)
        return rc;
    if (reveal) { /* (loaded with DB_STUDENT_FULL) */
        char sid[24];
        snprintf(sid, sizeof(sid), "%lld", s.id);
        rc = core_audit(db, op, "student.reveal", "student", sid, "{\"fields\":\"id_number\"}",
                        err);
    }
    return rc;
}

/*
 * The db filter of f as the actor may see it: its school, a grade leader's
 * grade, a head teacher's classes, a bureau's region. 0 when the actor can
 * see none of what f asks for.
 */
static int
scope_filter(const core_op *op, const core_student_filter *f, db_student_filter *df)
{
    const core_actor *a = op->actor;
    memset(df, 0, sizeof(*df));
    df->grade = f->grade;
    df->class_no = f->class_no;
    df->state = f->state;
    df->name_prefix = f->name_prefix;
    df->left_behind = f->left_behind;
    df->migrant_child = f->migrant_child;
    df->after_id = f->after_id;
    df->limit = f->limit;
    df->school = f->school;
    df->full = f->reveal;
    if (a->level == CORE_LEVEL_SCHOOL) {
        if (f->school && strcmp(f->school, a->org) != 0)
            return 0;
        df->school = a->org;
        if (a->staff_role == CORE_STAFF_GRADE_LEADER) {
            if (f->grade && f->grade != a->grade)
                return 0;
            df->grade = a->grade;
        } else if (a->staff_role == CORE_STAFF_HEAD_TEACHER) {
            df->class_ids = a->classes;
            df->nclass_ids = a->nclasses;
            if (a->nclasses == 0)
                return 0;
        } else if (a->staff_role != CORE_STAFF_REGISTRAR) {
            return 0;
        }
    } else if (a->level == CORE_LEVEL_MINISTRY) {
        df->authority_like = NULL;
    } else {
        char *like = app_arena_alloc(op->arena, 8);
        core_region_like(a->org, like);
        df->authority_like = like;
    }
    return 1;
}

int
core_student_list(db_conn *db, const core_op *op, const core_student_filter *f,
                  core_student **out, int *out_n, app_err *err)
{
    db_student_filter df;
    *out = NULL;
    *out_n = 0;
    if (!scope_filter(op, f, &df))
        return 0;
    db_student *rows;
    int n = 0;
    int rc = db_student_list(db, &df, op->arena, &rows, &n, err);
    if (rc != 0)
        return rc;
    *out = app_arena_alloc(op->arena, sizeof(core_student) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        if ((rc = fill_out(op, &rows[i], NULL, f->reveal, &(*out)[i], err)) != 0)
            return rc;
    *out_n = n;
    return 0;
}

int
core_student_count(db_conn *db, const core_op *op, const core_student_filter *f,
                   long long *out_n, app_err *err)
{
    db_student_filter df;
    *out_n = 0;
    if (!scope_filter(op, f, &df))
        return 0;
    return db_student_count(db, &df, out_n, err);
}

int
core_student_history(db_conn *db, const core_op *op, const char *key, long long after_id,
                     int limit, db_history **out, int *out_n, core_request **out_reqs,
                     int *out_nreqs, app_err *err)
{
    db_student s;
    db_school sc;
    int rc = load_visible(db, op, key, 0, &s, &sc, err);
    if (rc == 0)
        rc = db_history_list(db, s.id, after_id, limit, op->arena, out, out_n, err);
    if (rc == 0)
        rc = db_request_list_for_student(db, s.id, op->arena, out_reqs, out_nreqs, err);
    return rc;
}

/* ------------------------------------------------------------ edits */

/* A JSON string literal of s into the arena (for history values). */
static const char *
json_str(app_arena *a, const char *s)
{
    if (s == NULL)
        return "null";
    size_t n = strlen(s);
    char *o = app_arena_alloc(a, n * 6 + 3), *p = o;
    *p++ = '"';
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            *p++ = '\\';
            *p++ = (char)ch;
        } else if (ch < 0x20) {
            p += sprintf(p, "\\u%04x", ch);
        } else {
            *p++ = (char)ch;
        }
    }
    *p++ = '"';
    *p = '\0';
    return o;
}

static int
same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int
core_student_patch(db_conn *db, const core_op *op, const char *key, int expect_version,
                   const core_record *changes, const unsigned char *present, core_student *out,
                   app_err *err)
{
    const core_actor *a = op->actor;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    db_student s;
    db_school sc;
    /* not visible is 404 for everyone; visible to a bureau is 403: schools edit */
    if ((rc = load_visible(db, op, key, 1, &s, &sc, err)) != 0)
        goto fail;
    if (a->level != CORE_LEVEL_SCHOOL) {
        rc = app_err_set(err, APP_EFORBIDDEN, "forbidden", "only schools edit records");
        goto fail;
    }
    if (!ACTIVE(s.state)) {
        rc = app_err_set(err, APP_ESTATE, "student_not_active", "state %s", s.state);
        goto fail;
    }
    if (s.version != expect_version) {
        rc = app_err_set(err, APP_EPRECOND, "precondition_failed", "stale");
        goto fail;
    }
    int nprob = 0;
    if ((rc = db_problem_open_count(db, s.id, &nprob, err)) != 0)
        goto fail;
    if (nprob > 0) {
        rc = app_err_set(err, APP_ECONFLICT, "student_has_problem", "open problem");
        goto fail;
    }
    /* the current record, in clear, to merge into */
    core_record cur;
    if ((rc = row_to_record(op, (const char *const *)s.vals, 1, &cur, err)) != 0)
        goto fail;
    core_record next = cur;
    for (int i = 0; i < CORE_NFIELDS; i++)
        if (present[i])
            next.v[i] = changes->v[i];
    db_settings set;
    if ((rc = db_settings_for_school(db, sc.code, op->arena, &set, err)) != 0)
        goto fail;
    core_record_rules rules = {op->env->codes, op->today, set.required_fields,
                               set.nrequired_fields};
    core_record_validate(&next, &rules, op->arena, NULL, err);
    int keys = core_record_key_changed(&cur, &next);
    for (int i = 0; i < CORE_NFIELDS; i++) {
        if (i < 31 && keys & (1 << i) && present[i]) { /* i < 31 first: no shift UB */
            char p[64];
            core_field_pointer(i, p, sizeof(p));
            app_err_add(err, p, "key_field_requires_approval", NULL);
        }
    }
    if (err->nitems > 0) {
        rc = APP_EINVAL;
        goto fail;
    }
    /* a class change moves the student within the school */
    if (!same(cur.v[CORE_R_GRADE], next.v[CORE_R_GRADE])) {
        app_err_add(err, "/grade", "grade_change_requires_approval", NULL);
        rc = APP_EINVAL;
        goto fail;
    }
    if (!same(cur.v[CORE_R_CLASS], next.v[CORE_R_CLASS]) &&
        (rc = place_in_class(db, op, &sc, &next, &s.class_id, err)) != 0)
        goto fail;
    /* the student must stay in the caller's scope: a head teacher moves
       pupils between their own classes only */
    if (!sees_student(a, &sc, &s)) {
        app_err_field(err, "/class");
        rc = app_err_set(err, APP_EFORBIDDEN, "class_out_of_scope", "class %lld", s.class_id);
        goto fail;
    }

    /* history: old and new values of plain fields; PII only named */
    char *changes_json = app_arena_strdup(op->arena, "[");
    int nchg = 0;
    for (int i = 0; i < CORE_NFIELDS; i++) {
        if (same(cur.v[i], next.v[i]))
            continue;
        char p[64];
        core_field_pointer(i, p, sizeof(p));
        const char *item = core_fields[i].flags & CORE_F_PII
                               ? app_arena_printf(op->arena, "{\"field\":\"%s\",\"pii\":true}", p)
                               : app_arena_printf(op->arena,
                                                  "{\"field\":\"%s\",\"old\":%s,\"new\":%s}", p,
                                                  json_str(op->arena, cur.v[i]),
                                                  json_str(op->arena, next.v[i]));
        changes_json = app_arena_printf(op->arena, "%s%s%s", changes_json, nchg ? "," : "", item);
        nchg++;
    }
    changes_json = app_arena_printf(op->arena, "%s]", changes_json);
    if (nchg == 0) {
        db_rollback(db);
        return fill_out(op, &s, &sc, 0, out, err);
    }
    const char **vals = app_arena_alloc(op->arena, sizeof(char *) * (size_t)ncols);
    if ((rc = record_to_row(op, &next, vals, err)) != 0)
        goto fail;
    s.vals = vals;
    s.key_id = core_pii_key_id(op->env->ring, 0);
    /* the blind indexes are re-made under the current key with the row */
    if (s.id_bidx && next.v[CORE_R_ID_TYPE])
        s.id_bidx = bidx_hex(op, 0, id_domain(op, next.v[CORE_R_ID_TYPE]),
                             next.v[CORE_R_ID_NUMBER]);
    const char *full = s.stuno_text;
    if (s.stuno_enc) {
        full = decrypt_hex(op->arena, op->env->ring, s.stuno_enc);
        if (full == NULL) {
            rc = app_err_set(err, APP_EINTERNAL, NULL, "decrypt failed");
            goto fail;
        }
        s.stuno_enc = encrypt_hex(op, full);
    }
    s.stuno_bidx = bidx_hex(op, 0, "stuno", full);
    if ((rc = db_student_update(db, &s, expect_version, err)) != 0)
        goto fail;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", s.id);
    db_history h = {0, s.id, a->user_id, 0, NULL, "edited", a->org, sc.code, changes_json};
    const char *data = app_arena_printf(op->arena, "{\"version\":%d}", s.version);
    if ((rc = db_history_insert(db, &h, err)) != 0 ||
        (rc = core_audit(db, op, "student.edit", "student", sid,
                         app_arena_printf(op->arena, "{\"changes\":%d}", nchg), err)) != 0 ||
        (rc = core_event(db, "student.updated", s.id, sc.code, sc.authority, sc.province, 0, data,
                         err)) != 0)
        goto fail;
    if ((rc = db_commit(db, err)) != 0)
        return rc;
    int found = 0;
    if ((rc = db_student_get(db, s.id, 0, op->arena, &s, &found, err)) != 0)
        return rc;
    return fill_out(op, &s, &sc, 0, out, err);
fail:
    db_rollback(db);
    return rc;
}

/* ------------------------------------------------------------ look-up */

int
core_student_lookup(db_conn *db, const core_op *op, const char *id_type, const char *id_number,
                    int *out_found, int *out_visible, core_student *out, app_err *err)
{
    /* normalise the document as registration would */
    core_record r;
    memset(&r, 0, sizeof(r));
    r.v[CORE_R_ID_TYPE] = id_type;
    r.v[CORE_R_ID_NUMBER] = id_number;
    r.v[CORE_R_NAME] = "-";
    r.v[CORE_R_F1 + CORE_M_GUARDIAN] = NULL;
    core_record_rules rules = {op->env->codes, op->today, NULL, 0};
    core_record_validate(&r, &rules, op->arena, NULL, err);
    /* only the document's own items matter here */
    int keep = 0;
    for (int i = 0; i < err->nitems; i++)
        if (strcmp(err->items[i].field, "/id_type") == 0 ||
            strcmp(err->items[i].field, "/id_number") == 0)
            err->items[keep++] = err->items[i];
    err->nitems = keep;
    if (keep > 0)
        return APP_EINVAL;
    if (id_type == NULL || id_number == NULL) {
        app_err_add(err, id_type ? "/id_number" : "/id_type", "missing_field", NULL);
        return APP_EINVAL;
    }
    int nidx = 0;
    const char **idx =
        id_indexes(op, r.v[CORE_R_ID_TYPE], r.v[CORE_R_ID_NUMBER], &nidx);
    long long holder = 0;
    char school[11];
    int rc = db_student_find_holder(db, r.v[CORE_R_ID_TYPE], idx, nidx, 0, &holder, school,
                                    out_found, err);
    if (rc != 0)
        return rc;
    *out_visible = 0;
    if (*out_found) {
        db_student s;
        db_school sc;
        int found = 0;
        if ((rc = db_student_get(db, holder, 0, op->arena, &s, &found, err)) != 0 ||
            (rc = load_school(db, op, s.school, &sc, err)) != 0)
            return rc;
        *out_visible = sees_student(op->actor, &sc, &s);
        if ((rc = fill_out(op, &s, &sc, 0, out, err)) != 0)
            return rc;
        if (!*out_visible) {
            /* outside the jurisdiction: only where, never who */
            memset(&out->rec, 0, sizeof(out->rec));
            out->id = 0;
            out->student_number = NULL;
            out->school_name = describe_school(db, op, sc.code, 0, err);
            out->school[0] = '\0';
        }
    }
    return core_audit(db, op, "student.lookup", "student",
                      *out_found && *out_visible
                          ? app_arena_printf(op->arena, "%lld", holder)
                          : NULL,
                      app_arena_printf(op->arena, "{\"found\":%s}", *out_found ? "true" : "false"),
                      err);
}

/* ------------------------------------------------------------ check-ins */

int
core_checkin(db_conn *db, const core_op *op, const char *school, const char *term,
             const char *const *keys, int nkeys, core_checkin_result *out, app_err *err)
{
    const core_actor *a = op->actor;
    memset(out, 0, sizeof(*out));
    db_school sc;
    int rc = load_school(db, op, school, &sc, err);
    if (rc != 0)
        return rc;
    core_school_ref ref = {sc.code, sc.county, sc.authority};
    if (!core_actor_sees_school(a, &ref))
        return app_err_set(err, APP_ENOTFOUND, "school_not_found", "school %s", school);
    if (a->level != CORE_LEVEL_SCHOOL)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden", "check-ins are the school's");
    if ((rc = db_begin(db, err)) != 0)
        return rc;
    for (int i = 0; i < nkeys; i++) {
        db_student s;
        int found = 0;
        char p[32];
        snprintf(p, sizeof(p), "/students/%d", i);
        if ((rc = find_student(db, op, keys[i], 0, &s, &found, err)) != 0)
            goto fail;
        if (!found || strcmp(s.school, sc.code) != 0 || !sees_student(a, &sc, &s)) {
            app_err_add(err, p, "student_not_found", NULL);
            continue;
        }
        if (strcmp(s.state, "enrolled") != 0) {
            app_err_add(err, p, "student_not_enrolled", s.state);
            continue;
        }
        int fresh = 0;
        if ((rc = db_checkin_insert(db, s.id, term, sc.code, a->user_id, &fresh, err)) != 0)
            goto fail;
        if (fresh)
            out->checked_in++;
        else
            out->already++;
    }
    out->nerrors = err->nitems;
    if (err->nitems > 0) {
        /* all or nothing: the clerk fixes the list and sends it again */
        db_rollback(db);
        out->checked_in = out->already = 0;
        return APP_EINVAL;
    }
    const char *detail = app_arena_printf(op->arena, "{\"term\":\"%s\",\"count\":%d}", term,
                                          out->checked_in);
    if ((rc = core_audit(db, op, "school.checkin", "school", sc.code, detail, err)) != 0 ||
        (rc = core_event(db, "school.checked_in", 0, sc.code, sc.authority, sc.province, 0, detail,
                         err)) != 0)
        goto fail;
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
}

/* ------------------------------------------------------------ photos */

int
core_photo_put(db_conn *db, const core_op *op, const char *key, int expect_version,
               const unsigned char *data, size_t len, int *out_version, app_err *err)
{
    fmt_image_info info;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    db_student s;
    db_school sc;
    char sid[24];
    /* who first (404, then 403 for bureaus), then what */
    if ((rc = load_visible(db, op, key, 1, &s, &sc, err)) != 0)
        goto fail;
    if (op->actor->level != CORE_LEVEL_SCHOOL) {
        rc = app_err_set(err, APP_EFORBIDDEN, "forbidden", "only schools edit records");
        goto fail;
    }
    if (s.version != expect_version) {
        rc = app_err_set(err, APP_EPRECOND, "precondition_failed", "stale");
        goto fail;
    }
    if ((rc = fmt_image_check(data, len, &info, err)) != 0)
        goto fail;
    snprintf(sid, sizeof(sid), "%lld", s.id);
    const char *detail = app_arena_printf(op->arena, "{\"bytes\":%zu,\"width\":%d,\"height\":%d}",
                                          len, info.width, info.height);
    db_history h = {0, s.id, op->actor->user_id, 0, NULL, "photo", op->actor->org, sc.code,
                    "[{\"field\":\"/photo\"}]"};
    /* stored sealed under the data key (docs/decisions/0013) */
    unsigned char *sealed = NULL;
    size_t sealed_len = 0;
    long long key_id = 0;
    if ((rc = core_file_seal(op->env->ring, data, len, &sealed, &sealed_len, &key_id, err)) != 0)
        goto fail;
    rc = db_photo_put(db, s.id, fmt_image_mime(info.type), info.width, info.height, sealed,
                      sealed_len, key_id, err);
    free(sealed);
    if (rc != 0 ||
        (rc = db_student_touch(db, s.id, expect_version, out_version, err)) != 0 ||
        (rc = db_history_insert(db, &h, err)) != 0 ||
        (rc = core_audit(db, op, "student.photo", "student", sid, detail, err)) != 0 ||
        (rc = core_event(db, "student.updated", s.id, sc.code, sc.authority, sc.province, 0,
                         "{\"photo\":true}", err)) != 0)
        goto fail;
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
}

int
core_photo_get(db_conn *db, const core_op *op, const char *key, const char **out_mime,
               const unsigned char **out_data, size_t *out_len, app_err *err)
{
    db_student s;
    db_school sc;
    int rc = load_visible(db, op, key, 0, &s, &sc, err);
    if (rc != 0)
        return rc;
    const char *updated;
    int found = 0;
    if ((rc = db_photo_get(db, s.id, op->arena, out_mime, &updated, &found, err)) != 0)
        return rc;
    if (found && (rc = core_photo_bytes(db, op->env->ring, s.id, op->arena, out_data, out_len,
                                        &found, err)) != 0)
        return rc;
    if (!found)
        return app_err_set(err, APP_ENOTFOUND, "photo_not_found", "no photo");
    return 0;
}

/* ------------------------------------------------------------ registration effects */

int
core_student_apply_registration(db_conn *db, const core_op *op, long long student_id,
                                long long request_id, app_err *err)
{
    db_student s;
    int found = 0;
    int rc = db_student_get(db, student_id, 1, op->arena, &s, &found, err);
    if (rc != 0)
        return rc;
    if (!found || strcmp(s.state, "pending") != 0)
        return app_err_set(err, APP_ESTATE, "transition_not_allowed", "not pending");
    /* rule 24: an open problem record (failed identity check, suspected
       duplicate) blocks the approval until it is resolved */
    int nprob = 0;
    if ((rc = db_problem_open_count(db, s.id, &nprob, err)) != 0)
        return rc;
    if (nprob > 0)
        return app_err_set(err, APP_ECONFLICT, "student_has_problem", "%d open problems", nprob);
    db_school sc;
    if ((rc = load_school(db, op, s.school, &sc, err)) != 0)
        return rc;
    core_record r;
    if ((rc = row_to_record(op, (const char *const *)s.vals, 1, &r, err)) != 0)
        return rc;
    const char *type = r.v[CORE_R_ID_TYPE], *number = r.v[CORE_R_ID_NUMBER];
    /* rule 9: the duplicate check again before a final number */
    if (type) {
        int nidx = 0;
        const char **idx = id_indexes(op, type, number, &nidx);
        long long holder = 0;
        char hs[11];
        if ((rc = db_student_find_holder(db, type, idx, nidx, s.id, &holder, hs, &found, err)) !=
            0)
            return rc;
        if (found)
            return app_err_set(err, APP_ECONFLICT, "duplicate_enrolled", "held by %lld", holder);
    }
    char num[20];
    const char *old = s.stuno_text;
    if (type && (strcmp(type, "1") == 0 || strcmp(type, "C") == 0)) {
        core_stuno_make_g(number, num);
        char m[24];
        core_mask_stuno(num, m, sizeof(m));
        s.stuno_kind[0] = 'G';
        s.stuno_text = app_arena_strdup(op->arena, m);
        s.stuno_enc = encrypt_hex(op, num);
        s.stuno_bidx = bidx_hex(op, 0, "stuno", num);
    } else if (type == NULL) {
        int seq = 0;
        int birth = ymd(r.v[CORE_R_BIRTH_DATE]);
        if ((rc = db_stuno_j_next(db, sc.county, r.v[CORE_R_BIRTH_DATE], &seq, err)) != 0)
            return rc;
        if (seq > 999)
            return app_err_set(err, APP_ECONFLICT, "student_number_exhausted", "J sequence");
        core_stuno_make_j(sc.county, birth, (unsigned)seq, num);
        s.stuno_kind[0] = 'J';
        s.stuno_text = app_arena_strdup(op->arena, num);
        s.stuno_enc = NULL;
        s.stuno_bidx = bidx_hex(op, 0, "stuno", num);
    } else {
        snprintf(num, sizeof(num), "%s", s.stuno_text); /* other documents keep L */
    }
    s.state = "enrolled";
    /* the row is rewritten whole: its ciphertexts under the current key */
    const char **vals = app_arena_alloc(op->arena, sizeof(char *) * (size_t)ncols);
    if ((rc = record_to_row(op, &r, vals, err)) != 0)
        return rc;
    s.vals = vals;
    s.key_id = core_pii_key_id(op->env->ring, 0);
    if (type)
        s.id_bidx = bidx_hex(op, 0, id_domain(op, type), number);
    int version = s.version;
    if ((rc = db_student_update(db, &s, version, err)) != 0)
        return rc;
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", s.id);
    const char *chg = app_arena_printf(
        op->arena,
        "[{\"field\":\"/state\",\"old\":\"pending\",\"new\":\"enrolled\"},"
        "{\"field\":\"/student_number\",\"old\":%s,\"new\":%s}]",
        json_str(op->arena, old), json_str(op->arena, s.stuno_text));
    db_history h = {0, s.id, op->actor->user_id, request_id, NULL, "enrolled", op->actor->org,
                    sc.code, chg};
    const char *data = app_arena_printf(
        op->arena, "{\"state\":\"enrolled\",\"student_number\":%s,\"request\":%lld}",
        json_str(op->arena, s.stuno_text), request_id);
    if ((rc = db_history_insert(db, &h, err)) != 0 ||
        (rc = core_event(db, "student.enrolled", s.id, sc.code, sc.authority, sc.province,
                         request_id, data, err)) != 0)
        return rc;
    return 0;
}

int
core_student_reject_registration(db_conn *db, const core_op *op, long long student_id,
                                 long long request_id, app_err *err)
{
    db_student s;
    int found = 0;
    int rc = db_student_get(db, student_id, 1, op->arena, &s, &found, err);
    if (rc != 0)
        return rc;
    if (!found || strcmp(s.state, "pending") != 0)
        return app_err_set(err, APP_ESTATE, "transition_not_allowed", "not pending");
    db_school sc;
    if ((rc = load_school(db, op, s.school, &sc, err)) != 0)
        return rc;
    s.state = "registration_rejected";
    if ((rc = db_student_update(db, &s, s.version, err)) != 0)
        return rc;
    db_history h = {0, s.id, op->actor->user_id, request_id, NULL, "registration_rejected",
                    op->actor->org, sc.code,
                    "[{\"field\":\"/state\",\"old\":\"pending\","
                    "\"new\":\"registration_rejected\"}]"};
    const char *data =
        app_arena_printf(op->arena, "{\"state\":\"registration_rejected\",\"request\":%lld}",
                         request_id);
    if ((rc = db_history_insert(db, &h, err)) != 0 ||
        (rc = core_event(db, "student.registration_rejected", s.id, sc.code, sc.authority,
                         sc.province, request_id, data, err)) != 0)
        return rc;
    return 0;
}

/* ------------------------------------------------------------ key rotation */

int
core_student_rekey(db_conn *db, const core_env *env, int batch, int *out_done, app_err *err)
{
    app_arena *a = app_arena_new();
    core_op op = {NULL, env, a, NULL, NULL, NULL, core_today(), NULL, NULL};
    long long key = core_pii_key_id(env->ring, 0);
    long long *ids;
    int n = 0;
    *out_done = 0;
    int rc = db_begin(db, err);
    if (rc == 0)
        rc = db_student_ids_not_under(db, key, batch, a, &ids, &n, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        db_student s;
        int found = 0;
        core_record r;
        if ((rc = db_student_get(db, ids[i], 1, a, &s, &found, err)) != 0)
            break;
        if ((rc = row_to_record(&op, (const char *const *)s.vals, 1, &r, err)) != 0)
            break;
        const char **vals = app_arena_alloc(a, sizeof(char *) * (size_t)ncols);
        if ((rc = record_to_row(&op, &r, vals, err)) != 0)
            break;
        s.vals = vals;
        s.key_id = key;
        if (r.v[CORE_R_ID_TYPE] && r.v[CORE_R_ID_NUMBER])
            s.id_bidx = bidx_hex(&op, 0, id_domain(&op, r.v[CORE_R_ID_TYPE]),
                                 r.v[CORE_R_ID_NUMBER]);
        const char *full = s.stuno_text;
        if (s.stuno_enc) {
            if ((full = decrypt_hex(a, env->ring, s.stuno_enc)) == NULL) {
                rc = app_err_set(err, APP_EINTERNAL, NULL, "decrypt failed (student %lld)", s.id);
                break;
            }
            s.stuno_enc = encrypt_hex(&op, full);
        }
        s.stuno_bidx = bidx_hex(&op, 0, "stuno", full);
        if ((rc = db_student_update(db, &s, s.version, err)) != 0)
            break;
    }
    if (rc == 0)
        rc = db_commit(db, err);
    else
        db_rollback(db);
    if (rc == 0)
        *out_done = n;
    app_arena_free(a);
    return rc;
}
