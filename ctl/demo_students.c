/*
 * ctl/demo_students.c - generated students for the demo schools.
 *
 * `xuejictl demo --students N` tops the demo schools up to N students, all
 * enrolled with G numbers, spread over the demo classes in proportion to
 * their size limits (beyond the demo's capacity, 12,974, classes go
 * over their limits: the limit is a registration rule, not a constraint).
 * Rows go in with COPY, BATCH rows per statement (each its own
 * transaction), from --jobs threads with a connection each: one generates
 * and encrypts while the other's COPY runs. A failed batch stops the load;
 * the batches before it stay, and a rerun continues from there.
 */
#include "base/jw.h"
#include "core/audit.h"
#include "core/calendar.h"
#include "core/demo.h"
#include "core/env.h"
#include "core/mask.h"
#include "core/pii.h"
#include "core/school_year.h"
#include "core/student.h"
#include "ctl/ctl.h"
#include "db/school.h"
#include "db/student.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 10000

typedef struct demo_class_slot {
    core_demo_class k;
    long long id;
    long long weight_end; /* cumulative size limits */
} demo_class_slot;

typedef struct loader {
    pthread_mutex_t lock;
    const char *url;
    const core_env *env;
    core_demo_ids *ids;
    demo_class_slot *classes;
    int nclasses;
    long long weight;
    int school_year, today;
    long long key_id;
    const char *copy_sql;
    long long target, claimed, done;
    int failed;
    app_err err;
    double t0, last_print;
    int want_sample, nsample;
    char (*sample)[2][20]; /* G number, school: a uniform sample of the load */
    int validated;
} loader;

/* Append `s` in COPY text format (NULL -> \N). */
static void
copy_field(char **buf, size_t *len, size_t *cap, const char *s, int first)
{
    size_t need = *len + (s ? 2 * strlen(s) : 2) + 2;
    if (need > *cap) {
        *cap = need * 2;
        *buf = xrealloc(*buf, *cap);
    }
    char *p = *buf + *len;
    if (!first)
        *p++ = '\t';
    if (s == NULL) {
        *p++ = '\\';
        *p++ = 'N';
    } else {
        for (; *s; s++) {
            switch (*s) {
            case '\\':
                *p++ = '\\', *p++ = '\\';
                break;
            case '\t':
                *p++ = '\\', *p++ = 't';
                break;
            case '\n':
                *p++ = '\\', *p++ = 'n';
                break;
            case '\r':
                *p++ = '\\', *p++ = 'r';
                break;
            default:
                *p++ = *s;
            }
        }
    }
    *len = (size_t)(p - *buf);
}

static const demo_class_slot *
pick_class(const loader *L, core_demo_rng *rng)
{
    long long w = (long long)core_demo_rand(rng, (uint32_t)L->weight);
    int lo = 0, hi = L->nclasses - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (L->classes[mid].weight_end > w)
            hi = mid;
        else
            lo = mid + 1;
    }
    return &L->classes[lo];
}

/* One student as a COPY line. Returns 0 or an APP_E* code. */
static int
student_line(loader *L, const core_op *op, core_demo_rng *rng, long long index, int validate,
             char **buf, size_t *len, size_t *cap, app_err *err)
{
    const demo_class_slot *c = pick_class(L, rng);
    core_demo_student st;
    if (core_demo_student_make(rng, L->ids, &c->k, L->school_year, &st) != 0)
        return app_err_set(err, APP_ECONFLICT, "id_space_full",
                           "no free ID number left for grade %d in county %s", c->k.grade,
                           c->k.county);
    if (validate) {
        core_record copy = st.rec;
        core_record_rules rules = {op->env->codes, L->today, NULL, 0};
        if (core_record_validate(&copy, &rules, op->arena, NULL, err) != 0)
            return app_err_set(err, APP_EINTERNAL, NULL, "generated record invalid: %s %s (%s)",
                               err->items[0].field, err->items[0].code, err->items[0].param);
    }
    int ncols = 0;
    core_record_columns(&ncols);
    const char **vals = app_arena_alloc(op->arena, sizeof(char *) * (size_t)ncols);
    int rc = core_student_row(op, &st.rec, vals, err);
    if (rc != 0)
        return rc;

    /* the G number: encrypted (it contains the ID number), masked, indexed */
    const char *num = st.student_number;
    unsigned char enc[20 + CORE_PII_OVERHEAD];
    size_t enc_len = 0;
    if (core_pii_encrypt(op->env->ring, num, strlen(num), enc, sizeof(enc), &enc_len) != 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "encrypt failed");
    char enc_hex[2 * sizeof(enc) + 3] = "\\x", masked[24], province[7], cls[24], key[24];
    sodium_bin2hex(enc_hex + 2, sizeof(enc_hex) - 2, enc, enc_len);
    core_mask_stuno(num, masked, sizeof(masked));
    snprintf(province, sizeof(province), "%.2s0000", c->k.county);
    snprintf(cls, sizeof(cls), "%lld", c->id);
    snprintf(key, sizeof(key), "%lld", L->key_id);
    const char *fixed[] = {province,
                           c->k.school,
                           cls,
                           "enrolled",
                           "G",
                           masked,
                           enc_hex,
                           core_student_bidx(op, "stuno", num),
                           core_student_bidx(op, "id:1", st.rec.v[CORE_R_ID_NUMBER]),
                           key,
                           NULL};
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        copy_field(buf, len, cap, fixed[i], i == 0);
    for (int i = 0; i < ncols; i++)
        copy_field(buf, len, cap, vals[i], 0);
    (*buf)[(*len)++] = '\n'; /* copy_field always leaves room for two more bytes */

    if (L->sample) {
        /* reservoir sampling over the rows in load order (`index`) */
        uint32_t seen = index + 1 > UINT32_MAX ? UINT32_MAX : (uint32_t)(index + 1);
        long long slot = index < L->want_sample ? index : (long long)core_demo_rand(rng, seen);
        if (slot < L->want_sample) {
            pthread_mutex_lock(&L->lock);
            snprintf(L->sample[slot][0], 20, "%s", num);
            snprintf(L->sample[slot][1], 20, "%s", c->k.school);
            if (L->nsample <= slot)
                L->nsample = (int)slot + 1;
            pthread_mutex_unlock(&L->lock);
        }
    }
    return 0;
}

static void *
loader_thread(void *arg)
{
    loader *L = arg;
    app_err err = {0};
    db_conn *db = db_conn_open(L->url, &err);
    core_demo_rng rng;
    uint64_t seed;
    randombytes_buf(&seed, sizeof(seed));
    core_demo_rng_seed(&rng, seed);
    size_t cap = 1 << 20, len = 0;
    char *buf = xmalloc(cap);
    int rc = db_conn_ok(db) ? 0 : APP_EUNAVAIL;

    while (rc == 0) {
        pthread_mutex_lock(&L->lock);
        long long first = L->claimed, n = L->target - L->claimed;
        if (L->failed)
            n = 0;
        if (n > BATCH)
            n = BATCH;
        /* the first rows of a run are validated against the catalog and code tables */
        int validate_first = L->validated < 2000 ? 2000 - L->validated : 0;
        L->validated += validate_first;
        L->claimed += n;
        pthread_mutex_unlock(&L->lock);
        if (n <= 0)
            break;

        app_arena *a = app_arena_new();
        core_op op = {.env = L->env, .arena = a, .today = L->today};
        len = 0;
        for (long long i = 0; rc == 0 && i < n; i++)
            rc = student_line(L, &op, &rng, first + i, i < validate_first, &buf, &len, &cap, &err);
        app_arena_free(a);
        if (rc == 0)
            rc = db_copy_in(db, L->copy_sql, buf, len, &err);

        pthread_mutex_lock(&L->lock);
        if (rc == 0) {
            L->done += n;
            double t = ctl_now_s();
            if (t - L->last_print >= 5 && L->done < L->target) {
                L->last_print = t;
                fprintf(stderr, "demo: %lld/%lld students loaded (%.0f rows/s)\n", L->done,
                        L->target, (double)L->done / (t - L->t0));
            }
        } else if (!L->failed) {
            L->failed = 1;
            L->err = err;
        }
        pthread_mutex_unlock(&L->lock);
    }
    if (rc == APP_EUNAVAIL) {
        pthread_mutex_lock(&L->lock);
        if (!L->failed) {
            L->failed = 1;
            L->err = err;
        }
        pthread_mutex_unlock(&L->lock);
    }
    free(buf);
    db_conn_close(db);
    return NULL;
}

/* db_idmask_fn: stored numbers the generator must not hand out again. */
void
ctl_mark_stored(void *ctx, const char *prefix4, const char *birth, const char *seqs)
{
    int b = atoi(birth);
    for (const char *p = seqs; strlen(p) >= 3; p += 3) {
        char d[4] = {p[0], p[1], p[2], 0};
        core_demo_ids_mark(ctx, prefix4, b, atoi(d));
    }
}

/* The demo classes, weighted by their size limits (none: 45). */
static int
demo_classes(db_conn *db, app_arena *a, demo_class_slot **out, int *out_n, long long *out_weight,
             app_err *err)
{
    size_t nschools = CTL_DEMO_NSCHOOLS;
    int cap = 0, n = 0;
    demo_class_slot *v = NULL;
    long long w = 0;
    for (size_t i = 0; i < nschools; i++) {
        const ctl_demo_school *d = &ctl_demo_schools[i];
        db_class *k;
        int nk = 0;
        int rc = db_class_list(db, d->code, 0, 0, 2000, a, &k, &nk, err);
        if (rc != 0)
            return rc;
        for (int j = 0; j < nk; j++) {
            if (n == cap) { /* the arena frees the old array with the rest */
                demo_class_slot *old = v;
                cap = cap ? 2 * cap : 256;
                v = app_arena_alloc(a, sizeof(*v) * (size_t)cap);
                if (n)
                    memcpy(v, old, sizeof(*v) * (size_t)n);
            }
            demo_class_slot *c = &v[n++];
            memset(c, 0, sizeof(*c));
            snprintf(c->k.school, sizeof(c->k.school), "%s", d->code);
            snprintf(c->k.county, sizeof(c->k.county), "%s", d->county);
            snprintf(c->k.system, sizeof(c->k.system), "%s", d->system);
            c->k.category = (d->code[0] - '0') * 10 + (d->code[1] - '0');
            c->k.grade = k[j].grade;
            c->k.number = k[j].number;
            c->id = k[j].id;
            w += k[j].size_limit > 0 ? k[j].size_limit : 45;
            c->weight_end = w;
        }
    }
    *out = v;
    *out_n = n;
    *out_weight = w;
    return 0;
}

/* The demo schools' counties (*ncounties of them) and the students they
   hold now. */
static int
demo_have(db_conn *db, const char **counties, int *ncounties, long long *have, app_err *err)
{
    const char *codes_of[CTL_DEMO_NSCHOOLS];
    *ncounties = 0;
    for (size_t i = 0; i < CTL_DEMO_NSCHOOLS; i++) {
        codes_of[i] = ctl_demo_schools[i].code;
        int seen = 0;
        for (int j = 0; j < *ncounties; j++)
            seen |= strcmp(counties[j], ctl_demo_schools[i].county) == 0;
        if (!seen)
            counties[(*ncounties)++] = ctl_demo_schools[i].county;
    }
    return db_student_count_in_schools(db, codes_of, CTL_DEMO_NSCHOOLS, have, err);
}

/*
 * The demo stands at the end of a school year (issue 15): its pupils are
 * those of the last school year whose second term has begun (under the
 * default calendar), so that promotion of that year can be tried at once
 * (README "The school year"). In the first term of school year Y that is
 * Y - 1, from its second term on Y itself.
 */
static int
demo_school_year(int today)
{
    int y = core_school_year_at(today, CORE_SCHOOL_YEAR_START);
    core_school_year sy;
    if (core_school_year_get(y, CORE_SCHOOL_YEAR_START, CORE_SECOND_TERM_START, &sy) == 0 &&
        today < sy.term2_start)
        y--;
    return y;
}

/* The classes to fill and the ID numbers to avoid (those stored). */
static int
loader_prepare(db_conn *db, loader *L, app_arena *a, const char **counties, int ncounties,
               long long have, app_err *err)
{
    int rc = demo_classes(db, a, &L->classes, &L->nclasses, &L->weight, err);
    if (rc == 0 && L->nclasses == 0)
        rc = app_err_set(err, APP_EINTERNAL, NULL, "the demo schools have no classes");
    if (rc != 0)
        return rc;

    /* every birth date a student of any grade can have in the demo's school year */
    L->today = core_today();
    L->school_year = demo_school_year(L->today);
    int from, until, f2, u2;
    core_demo_birth_window(12, L->school_year, &from, &u2);
    core_demo_birth_window(1, L->school_year, &f2, &until);
    L->ids = core_demo_ids_new(counties, ncounties, from, until);
    double t = ctl_now_s();
    if ((rc = db_student_id_masks(db, ctl_mark_stored, L->ids, err)) != 0)
        return rc;
    if (have > 0)
        fprintf(stderr, "demo: %lld students there already (their ID numbers read in %.1f s)\n",
                have, ctl_now_s() - t);
    return 0;
}

/* COPY student (...) FROM STDIN with the catalog's columns, in `a`. */
static const char *
copy_sql(app_arena *a)
{
    int ncols = 0;
    const char *const *cols = core_record_columns(&ncols);
    size_t sqlcap = 4096;
    char *sql = app_arena_alloc(a, sqlcap);
    size_t off = (size_t)snprintf(sql, sqlcap,
                                  "COPY student (province, school, class_id, state, stuno_kind, "
                                  "stuno_text, stuno_enc, stuno_bidx, id_bidx, key_id, "
                                  "verification");
    for (int i = 0; i < ncols && off < sqlcap; i++)
        off += (size_t)snprintf(sql + off, sqlcap - off, ", %s", cols[i]);
    if (off < sqlcap)
        snprintf(sql + off, sqlcap - off, ") FROM STDIN");
    return sql;
}

/* Run `jobs` (1..8) loader threads to their end; how many started into
 *out_started. 0, or the first failure. */
static int
loaders_run(loader *L, int jobs, int *out_started, app_err *err)
{
    if (jobs < 1)
        jobs = 1;
    if (jobs > 8)
        jobs = 8;
    pthread_t th[8];
    int started = 0;
    for (int i = 0; i < jobs; i++)
        if (pthread_create(&th[i], NULL, loader_thread, L) == 0)
            started++;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    *out_started = started;
    if (started == 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "cannot start a loader thread");
    if (L->failed) {
        *err = L->err;
        return err->code ? err->code : APP_EINTERNAL;
    }
    return 0;
}

/* The audit row of a load that added students. */
static void
students_audit(db_conn *db, long long done)
{
    app_arena *a = app_arena_new();
    jw w;
    jw_init(&w, a);
    jw_obj(&w);
    jw_int(&w, "students", done);
    jw_end(&w);
    core_op op = {.arena = a};
    app_err e2 = {0};
    if (core_audit(db, &op, "demo_students", "region", "410000", jw_text(&w, NULL), &e2) != 0)
        fprintf(stderr, "xuejictl: demo: audit entry: %s\n", e2.detail);
    app_arena_free(a);
}

/* A sample for benchmarks: record id, full student number, school. */
static void
print_sample(db_conn *db, const core_env *env, const loader *L, int sample)
{
    for (int i = 0; i < sample && i < L->nsample; i++) {
        app_arena *x = app_arena_new();
        core_op op = {.env = env, .arena = x};
        db_student s;
        int found = 0;
        app_err err = {0};
        const char *bidx = core_student_bidx(&op, "stuno", L->sample[i][0]);
        if (db_student_get_by_stuno(db, bidx, 0, x, &s, &found, &err) == 0 && found)
            printf("%lld\t%s\t%s\n", s.id, L->sample[i][0], L->sample[i][1]);
        app_arena_free(x);
    }
}

/* Load want - have students (the loader's settings), report, audit. */
static int
load(db_conn *db, const char *url, loader *L, app_arena *a, long long want, long long have,
     int jobs, int sample, app_err *err)
{
    L->copy_sql = copy_sql(a);
    L->url = url;
    L->key_id = (long long)core_pii_key_id(L->env->ring, 0);
    L->target = want - have;
    if (sample > 0)
        L->sample = app_arena_alloc(a, sizeof(*L->sample) * (size_t)sample);
    L->want_sample = sample;
    L->t0 = L->last_print = ctl_now_s();

    int started = 0;
    int rc = loaders_run(L, jobs, &started, err);
    double secs = ctl_now_s() - L->t0;
    if (L->done > 0)
        students_audit(db, L->done);
    printf("demo: %lld students added in %.1f s (%.0f rows/s, %d jobs), the demo schools hold "
           "%lld\n",
           L->done, secs, secs > 0 ? (double)L->done / secs : 0.0, started, have + L->done);
    if (rc == 0)
        print_sample(db, L->env, L, sample);
    return rc;
}

int
ctl_demo_students(db_conn *db, const char *url, long long want, int jobs, int sample)
{
    app_err err = {0};
    core_pii_ring *ring = ctl_load_ring();
    if (ring == NULL)
        return 1;
    core_codes *codes = NULL;
    app_arena *a = app_arena_new();
    loader L;
    memset(&L, 0, sizeof(L));
    pthread_mutex_init(&L.lock, NULL);
    int rc = core_codes_load(db, &codes, &err);
    if (rc == 0 && core_student_init() != 0)
        rc = app_err_set(&err, APP_EINTERNAL, NULL, "field catalog columns");
    core_env env = {codes, ring};
    L.env = &env;

    const char *counties[CTL_DEMO_NSCHOOLS];
    int ncounties = 0;
    long long have = 0;
    if (rc == 0)
        rc = demo_have(db, counties, &ncounties, &have, &err);
    if (rc == 0 && have >= want)
        printf("demo: the demo schools hold %lld students already (--students %lld)\n", have, want);
    else if (rc == 0 && (rc = loader_prepare(db, &L, a, counties, ncounties, have, &err)) == 0)
        rc = load(db, url, &L, a, want, have, jobs, sample, &err);
    if (rc == 0)
        rc = ctl_demo_pool(db, &env, &err);

    if (rc != 0)
        fprintf(stderr, "xuejictl: demo: students: %s (%s)\n",
                err.detail[0] ? err.detail : app_code_name(err.code), err.slug ? err.slug : "-");
    core_demo_ids_free(L.ids);
    pthread_mutex_destroy(&L.lock);
    app_arena_free(a);
    core_codes_free(codes);
    core_pii_ring_free(ring);
    return rc == 0 ? 0 : 1;
}
