/*
 * core/student_row.c - a student record in its stored form: the row values
 * in catalog column order with personal information encrypted and masked,
 * blind indexes, student number re-keying, and history change items (see
 * core/student_int.h; core_student_init, core_student_row and
 * core_student_bidx of core/student.h).
 */
#include "core/mask.h"
#include "core/settings.h"
#include "core/student_int.h"
#include "core/stuno.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* The physical columns, from the catalog (see core_record_columns()). */
static const char *const *cols;
static int ncols;
static int col_grade, col_class; /* indexes of "grade" and "class" in the row values */

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

int
core_student_init(void)
{
    cols = core_record_columns(&ncols);
    col_grade = col_of("grade");
    col_class = col_of("class");
    return db_student_setup(cols, ncols);
}

int
core__ncols(void)
{
    return ncols;
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

const char *
core__encrypt_hex(const core_op *op, const char *plain)
{
    size_t n = strlen(plain), got = 0;
    unsigned char *b = app_arena_alloc(op->arena, n + CORE_PII_OVERHEAD);
    if (core_pii_encrypt(op->env->ring, plain, n, b, n + CORE_PII_OVERHEAD, &got) != 0)
        return NULL;
    return to_pghex(op->arena, b, got);
}

const char *
core__decrypt_hex(app_arena *a, const core_pii_ring *ring, const char *hex)
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

const char *
core__bidx_hex(const core_op *op, int key_index, const char *domain, const char *value)
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

const char *
core__id_bidx(const core_op *op, const char *type, const char *number)
{
    return core__bidx_hex(op, 0, id_domain(op, type), number);
}

const char **
core__id_indexes(const core_op *op, const char *type, const char *number, int *out_n)
{
    int n = core_pii_ring_count(op->env->ring);
    const char **v = app_arena_alloc(op->arena, sizeof(char *) * (size_t)n);
    for (int k = 0; k < n; k++)
        v[k] = core__bidx_hex(op, k, id_domain(op, type), number);
    *out_n = n;
    return v;
}

/* ------------------------------------------------------------ record <-> row */

static void
mask_of(const core_field *f, const char *v, char *out, size_t cap)
{
    if (f->kind == CORE_FK_PHONE)
        core_mask_phone(v, out, cap);
    else
        core_mask_id(v, out, cap);
}

/* Record -> row values into `vals` (core__ncols() of them). */
static int
fill_row(const core_op *op, const core_record *r, const char **vals, app_err *err)
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
        const char *enc = core__encrypt_hex(op, r->v[i]);
        if (enc == NULL)
            return app_err_set(err, APP_EINTERNAL, NULL, "encrypt failed");
        char m[64];
        mask_of(f, r->v[i], m, sizeof(m));
        vals[k++] = enc;
        vals[k++] = app_arena_strdup(op->arena, m);
    }
    return 0;
}

int
core__row_of_record(const core_op *op, const core_record *r, const char ***out_vals, app_err *err)
{
    const char **vals = app_arena_alloc(op->arena, sizeof(char *) * (size_t)ncols);
    int rc = fill_row(op, r, vals, err);
    if (rc == 0)
        *out_vals = vals;
    return rc;
}

int
core__record_of_row(const core_op *op, const char *const *vals, int reveal, core_record *r,
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
        r->v[i] = core__decrypt_hex(op->arena, op->env->ring, enc);
        if (r->v[i] == NULL)
            return app_err_set(err, APP_EINTERNAL, NULL, "decrypt failed (field %s)", f->json);
    }
    return 0;
}

int
core_student_row(const core_op *op, const core_record *rec, const char **out_vals, app_err *err)
{
    return fill_row(op, rec, out_vals, err);
}

const char *
core_student_bidx(const core_op *op, const char *domain, const char *value)
{
    return core__bidx_hex(op, 0, domain, value);
}

int
core_student_record(const core_op *op, const db_student *s, core_record *out, app_err *err)
{
    return core__record_of_row(op, (const char *const *)s->vals, 1, out, err);
}

/* ------------------------------------------------------------ plain columns */

int
core__grade_of(const db_student *s)
{
    return s->vals[col_grade] ? atoi(s->vals[col_grade]) : 0;
}

void
core_student_place_of(const db_student *s, int *out_grade, int *out_class)
{
    *out_grade = core__grade_of(s);
    *out_class = s->vals[col_class] ? atoi(s->vals[col_class]) : 0;
}

/* ------------------------------------------------------------ student numbers */

void
core__stuno_set_g(const core_op *op, db_student *s, const char *number)
{
    char num[20], m[24];
    core_stuno_make_g(number, num);
    core_mask_stuno(num, m, sizeof(m));
    s->stuno_kind[0] = 'G';
    s->stuno_text = app_arena_strdup(op->arena, m);
    s->stuno_enc = core__encrypt_hex(op, num);
    s->stuno_bidx = core__bidx_hex(op, 0, "stuno", num);
}

int
core__stuno_rewrap(const core_op *op, db_student *s, app_err *err)
{
    const char *full = s->stuno_text;
    if (s->stuno_enc) {
        full = core__decrypt_hex(op->arena, op->env->ring, s->stuno_enc);
        if (full == NULL)
            return app_err_set(err, APP_EINTERNAL, NULL, "decrypt failed (student %lld)", s->id);
        s->stuno_enc = core__encrypt_hex(op, full);
    }
    s->stuno_bidx = core__bidx_hex(op, 0, "stuno", full);
    return 0;
}

/* ------------------------------------------------------------ small helpers */

int
core__same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

int
core__ymd(const char *date)
{
    int v = 0;
    return date && core_date_parse(date, &v) == 0 ? v : 0;
}

int
core__history_fields(jw *w, const core_record *cur, const core_record *next, const int *fields,
                     int n)
{
    int count = 0;
    for (int k = 0; k < (fields ? n : CORE_NFIELDS); k++) {
        int i = fields ? fields[k] : k;
        if (core__same(cur->v[i], next->v[i]))
            continue;
        char p[64];
        core_field_pointer(i, p, sizeof(p));
        jw_elem(w);
        jw_obj(w);
        jw_str(w, "field", p);
        if (core_fields[i].flags & CORE_F_PII) {
            jw_bool(w, "pii", 1);
        } else {
            jw_str(w, "old", cur->v[i]);
            jw_str(w, "new", next->v[i]);
        }
        jw_end(w);
        count++;
    }
    return count;
}
