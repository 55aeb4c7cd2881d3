/*
 * core/register.c - registration of students by their school, set-based: a
 * batch of records is checked and written with one statement per table, in
 * one transaction (core_student_register, core_student_register_many; see
 * core/student.h).
 */
#include "core/calendar.h"
#include "core/grade.h"
#include "core/idnum.h"
#include "core/problem.h"
#include "core/settings.h"
#include "core/student_int.h"
#include "core/stuno.h"
#include "db/bulk.h"
#include "db/event.h"
#include "db/history.h"
#include "db/refdata.h"
#include "db/request.h"
#include "db/settings.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    int due =
        core_add_working_days(op->today, set->step_deadline_days, set->holidays, set->nholidays);
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

/* The caller and its school: a registrar of an open school whose reporting
   window is open (the same for every record of a batch). */
static int
school_checks(db_conn *db, const core_op *op, db_school *sc, db_settings *set, app_err *err)
{
    const core_actor *a = op->actor;
    if (a->level != CORE_LEVEL_SCHOOL || a->staff_role != CORE_STAFF_REGISTRAR)
        return app_err_set(err, APP_EFORBIDDEN, "forbidden",
                           "only a school's registrar registers students");
    int rc = core__load_school(db, op, a->org, sc, err);
    if (rc != 0)
        return rc;
    if (sc->closed)
        return app_err_set(err, APP_ESTATE, "school_closed", "school %s is closed", sc->code);
    if ((rc = db_settings_for_school(db, sc->code, op->arena, set, err)) != 0)
        return rc;
    return core_window_check(set->window_required, set->window_from, set->window_until, op->today,
                             err);
}

/* One record before the transaction: fields, grade, entry age. */
static int
record_checks(const core_op *op, core_record *rec, const db_school *sc, const db_settings *set,
              int *out_warnings, app_err *err)
{
    core_record_rules rules = {op->env->codes, op->today, set->required_fields,
                               set->nrequired_fields};
    core_record_validate(rec, &rules, op->arena, out_warnings, err);
    core_record_family_check(rec, &rules, set->family_members_required, err);
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
    int birth = core__ymd(rec->v[CORE_R_BIRTH_DATE]);
    if (grade == 11 && birth &&
        !core_entry_age_ok(birth, op->today / 10000, set->entry_age_cutoff, set->entry_min_age)) {
        app_err_add(err, "/birth_date", "below_entry_age",
                    app_arena_printf(op->arena, "%d", set->entry_min_age));
        return APP_EINVAL;
    }
    return 0;
}

/* What a batch's transaction needs of each record, prepared before it. */
typedef struct reg_work {
    const char **vals; /* the row's columns (ciphertexts, masks, blind indexes) */
    const char **idx;  /* blind indexes of its identity under every key, or NULL */
    int nidx, no_doc;
    const char *verification;
    int slot; /* its class among the batch's classes */
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
    const char *who = core__describe_school(db, op, code, 1, err);
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
l_numbers(db_conn *db, const core_op *op, const db_school *sc, core_reg *rows, reg_work *w, int n,
          app_err *err)
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
            l_candidate(sc->county, core__ymd(rows[todo[k]].rec->v[CORE_R_BIRTH_DATE]), x->lnum);
            x->lbidx = core__bidx_hex(op, 0, "stuno", x->lnum);
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
check_identities(db_conn *db, const core_op *op, const db_school *sc, core_reg *rows, reg_work *w,
                 int n, who_cache *wc, app_err *err)
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
        keys[i] =
            rows[i].rc == 0 && w[i].idx
                ? app_arena_printf(op->arena, "%s|%s", rows[i].rec->v[CORE_R_ID_TYPE], w[i].idx[0])
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

/* Rule 9 until intake from the graduate pool exists: a row whose approval
   would give a G number that a record already holds (a graduate's, or any
   other state's) is refused now, student_has_record, rather than at every
   approval. Under every key of the ring; after check_identities (its locks
   held, its duplicates out). */
static int
check_records(db_conn *db, const core_op *op, core_reg *rows, int n, who_cache *wc, app_err *err)
{
    int nk = core_pii_ring_count(op->env->ring), m = 0;
    int *row = app_arena_alloc(op->arena, sizeof(int) * (size_t)(n * nk + 1));
    const char **bidx = app_arena_alloc(op->arena, sizeof(char *) * (size_t)(n * nk + 1));
    for (int i = 0; i < n; i++) {
        const char *g = rows[i].rc != 0 ? NULL
                                        : core__g_number(op, rows[i].rec->v[CORE_R_ID_TYPE],
                                                         rows[i].rec->v[CORE_R_ID_NUMBER]);
        for (int k = 0; g && k < nk; k++) {
            row[m] = i;
            bidx[m++] = core__bidx_hex(op, k, "stuno", g);
        }
    }
    db_holder *h;
    int nh = 0;
    int rc = db_stuno_holders_find(db, m, row, bidx, op->arena, &h, &nh, err);
    for (int k = 0; rc == 0 && k < nh; k++) {
        core_reg *r = &rows[h[k].row];
        if (r->rc != 0)
            continue; /* held under two keys: one answer */
        const char *who = holder_named(db, op, wc, h[k].school, err);
        if (who == NULL)
            return err->code;
        if (core__repeats_stage(h[k].state, h[k].grade, atoi(r->rec->v[CORE_R_GRADE])))
            r->rc = core__repeater(r->err);
        else
            r->rc = core__has_record(op, r->err, h[k].id, who, h[k].state);
    }
    return rc;
}

/* Classes: locked, counted, then filled in the order of the rows. */
static int
place_rows(db_conn *db, const core_op *op, const db_school *sc, core_reg *rows, reg_work *w, int n,
           long long *class_id, app_err *err)
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
    /* a look-alike registered at the same time is seen (docs/concurrency.md) */
    int rc = db_twins_lock(db, sc->province, m, name, gender, birth, err);
    if (rc == 0)
        rc = db_similar_find_many(db, sc->province, m, ids, name, gender, birth, op->arena, &sim,
                                  &nsim, err);
    if (rc != 0)
        return rc;
    for (int k = 0; k < nsim; k++) {
        char lca[7];
        db_school other;
        if ((rc = core__load_school(db, op, sim[k].school, &other, err)) != 0)
            return rc;
        core_school_ref ra = {sc->code, sc->county, sc->authority};
        core_school_ref rb = {other.code, other.county, other.authority};
        core_lowest_common_authority(&ra, &rb, core_codes_is_region, (void *)op->env->codes, lca);
        if ((rc = core_problem_open(db, "suspected_duplicate", ids[sim[k].row], sim[k].id, sc->code,
                                    other.code, lca, "same name, gender and birth date", err)) != 0)
            return rc;
    }
    /* rule 23: a failed identity check opens a problem record */
    for (int k = 0; k < m; k++) {
        const char *v = w[in[k]].verification;
        if (v && strcmp(v, "passed") != 0 && strcmp(v, "unavailable") != 0 &&
            (rc = core_problem_open(db, "identity_failed", ids[k], 0, sc->code, NULL, sc->authority,
                                    v, err)) != 0)
            return rc;
    }
    return 0;
}

/* The student rows of the records still in (in[0..m)), ids drawn: state
   pending, the L number, the identity's blind index. APP_ERETRY when a
   concurrent writer took an identity or a number between check and insert. */
static int
insert_students(db_conn *db, const core_op *op, const db_school *sc, core_reg *rows,
                const reg_work *w, const int *in, int m, const long long *class_id, app_err *err)
{
    db_student *s = app_arena_alloc(op->arena, sizeof(db_student) * (size_t)m);
    for (int k = 0; k < m; k++) {
        int i = in[k];
        db_student *x = &s[k];
        memset(x, 0, sizeof(*x));
        x->id = rows[i].student_id;
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
    int rc = db_student_insert_many(db, s, m, err);
    if (rc == APP_ECONFLICT && (strstr(err->detail, "one_person") || strstr(err->detail, "stuno")))
        rc = app_err_set(err, APP_ERETRY, NULL, "identity or number taken concurrently");
    return rc;
}

/* The registration requests, routed to the competent authority; with and
   without a document the steps differ (DOMAIN §5). */
static int
insert_requests(db_conn *db, const core_op *op, const db_school *sc, const db_settings *set,
                const core_reg *rows, const reg_work *w, const int *in, int m, app_err *err)
{
    db_step *steps[2] = {NULL, NULL};
    int nsteps[2] = {0, 0};
    int rc;
    for (int k = 0; k < m; k++) {
        int v = w[in[k]].no_doc; /* each variant routed once, when a row needs it */
        if (steps[v] == NULL &&
            (rc = registration_steps(db, op, sc, v, set, &steps[v], &nsteps[v], err)) != 0)
            return rc;
    }
    db_request *q = app_arena_alloc(op->arena, sizeof(db_request) * (size_t)m);
    for (int k = 0; k < m; k++) {
        int v = w[in[k]].no_doc ? 1 : 0;
        memset(&q[k], 0, sizeof(q[k]));
        q[k].id = rows[in[k]].request_id;
        q[k].type = "registration";
        q[k].state = "open";
        q[k].student_id = rows[in[k]].student_id;
        q[k].school = sc->code;
        q[k].province = sc->province;
        q[k].payload_json = "{}";
        q[k].current_step = 1;
        q[k].started_by = op->actor->user_id;
        q[k].started_org = op->actor->org;
        q[k].steps = steps[v];
        q[k].nsteps = nsteps[v];
    }
    return db_request_insert_many(db, q, m, err);
}

/* The audit details and event data of the registrations, one JSON text
   each, written by one writer per kind (a batch may have thousands). */
static void
registration_texts(const core_op *op, const db_school *sc, const core_reg *rows, const int *in,
                   int m, const char **detail, const char **data)
{
    size_t *doff = app_arena_alloc(op->arena, sizeof(size_t) * (size_t)m);
    size_t *eoff = app_arena_alloc(op->arena, sizeof(size_t) * (size_t)m);
    jw dw, ew;
    jw_init(&dw, op->arena);
    jw_init(&ew, op->arena);
    for (int k = 0; k < m; k++) {
        const core_reg *r = &rows[in[k]];
        doff[k] = dw.n;
        jw_obj(&dw);
        jw_int(&dw, "request", r->request_id);
        jw_str(&dw, "school", sc->code);
        jw_end(&dw);
        jw_raw(&dw, "", 1); /* each text ends in its NUL */
        eoff[k] = ew.n;
        jw_obj(&ew);
        jw_str(&ew, "state", "pending");
        jw_str(&ew, "grade", r->rec->v[CORE_R_GRADE]);
        jw_json(&ew, "class", r->rec->v[CORE_R_CLASS]); /* a validated class number */
        jw_int(&ew, "request", r->request_id);
        jw_end(&ew);
        jw_raw(&ew, "", 1);
    }
    const char *dp = jw_text(&dw, NULL), *ep = jw_text(&ew, NULL);
    for (int k = 0; k < m; k++) {
        detail[k] = dp + doff[k];
        data[k] = ep + eoff[k];
    }
}

/* History, audit entries and events of the registrations. */
static int
insert_records(db_conn *db, const core_op *op, const db_school *sc, const core_reg *rows,
               const int *in, int m, app_err *err)
{
    const char **detail = app_arena_alloc(op->arena, sizeof(char *) * (size_t)m);
    const char **data = app_arena_alloc(op->arena, sizeof(char *) * (size_t)m);
    registration_texts(op, sc, rows, in, m, detail, data);
    db_history *h = app_arena_alloc(op->arena, sizeof(db_history) * (size_t)m);
    db_audit *au = app_arena_alloc(op->arena, sizeof(db_audit) * (size_t)m);
    db_event *ev = app_arena_alloc(op->arena, sizeof(db_event) * (size_t)m);
    for (int k = 0; k < m; k++) {
        long long sid = rows[in[k]].student_id, qid = rows[in[k]].request_id;
        h[k] = (db_history){0,    sid,          op->actor->user_id, qid,
                            NULL, "registered", op->actor->org,     sc->code,
                            "[]", NULL};
        au[k] = (db_audit){op->actor->user_id,
                           op->actor->org,
                           "student.register",
                           "student",
                           app_arena_printf(op->arena, "%lld", sid),
                           op->ip,
                           op->user_agent,
                           op->request_id,
                           detail[k]};
        ev[k] = (db_event){0,        sid,           qid,          NULL,   "student.registered",
                           sc->code, sc->authority, sc->province, data[k]};
    }
    int rc;
    if ((rc = db_history_insert_many(db, h, m, err)) != 0 ||
        (rc = db_audit_insert_many(db, au, m, err)) != 0)
        return rc;
    return db_event_insert_many(db, ev, m, err);
}

/* The writes for the records still in after the checks, in[0..m). */
static int
write_rows(db_conn *db, const core_op *op, const db_school *sc, const db_settings *set,
           core_reg *rows, const reg_work *w, const int *in, int m, const long long *class_id,
           app_err *err)
{
    long long *sid = app_arena_alloc(op->arena, sizeof(long long) * (size_t)m);
    long long *qid = app_arena_alloc(op->arena, sizeof(long long) * (size_t)m);
    int rc;
    if ((rc = db_ids_next(db, "student", m, sid, err)) != 0 ||
        (rc = db_ids_next(db, "request", m, qid, err)) != 0)
        return rc;
    for (int k = 0; k < m; k++) {
        rows[in[k]].student_id = sid[k];
        rows[in[k]].request_id = qid[k];
    }
    if ((rc = insert_students(db, op, sc, rows, w, in, m, class_id, err)) != 0 ||
        (rc = open_problems(db, op, sc, rows, w, in, m, err)) != 0 ||
        (rc = insert_requests(db, op, sc, set, rows, w, in, m, err)) != 0)
        return rc;
    return insert_records(db, op, sc, rows, in, m, err);
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
        (rc = check_records(db, op, rows, n, &wc, err)) != 0 ||
        (rc = place_rows(db, op, sc, rows, w, n, class_id, err)) != 0 ||
        (rc = l_numbers(db, op, sc, rows, w, n, err)) != 0)
        goto fail;
    int *in = app_arena_alloc(op->arena, sizeof(int) * (size_t)n);
    int m = 0;
    for (int i = 0; i < n; i++)
        if (rows[i].rc == 0)
            in[m++] = i;
    if (m > 0 && (rc = write_rows(db, op, sc, set, rows, w, in, m, class_id, err)) != 0)
        goto fail;
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
}

/* Each record before the transaction: its checks, the identity check (it
   calls out: before the transaction holds any lock), its row and identity
   indexes. pre[i] = 1 when record i failed here. */
static void
prepare_rows(const core_op *op, const db_school *sc, const db_settings *set, core_reg *rows,
             reg_work *w, unsigned char *pre, int n)
{
    for (int i = 0; i < n; i++) {
        core_reg *r = &rows[i];
        memset(&w[i], 0, sizeof(w[i]));
        r->rc = record_checks(op, r->rec, sc, set, &r->warnings, r->err);
        if (r->rc == 0) {
            const char *type = r->rec->v[CORE_R_ID_TYPE], *number = r->rec->v[CORE_R_ID_NUMBER];
            w[i].no_doc = core_record_no_document(r->rec);
            if (op->verify && type && strcmp(type, "1") == 0)
                op->verify(op->verify_ctx, r->rec, &w[i].verification);
            r->rc = core__row_of_record(op, r->rec, &w[i].vals, r->err);
            if (r->rc == 0 && !w[i].no_doc)
                w[i].idx = core__id_indexes(op, type, number, &w[i].nidx);
        }
        pre[i] = r->rc != 0;
    }
}

/* register_tx() up to four times while a concurrent writer interferes,
   each time from the checks made before the transaction. */
static int
register_attempts(db_conn *db, const core_op *op, const db_school *sc, const db_settings *set,
                  core_reg *rows, reg_work *w, const unsigned char *pre, int n, app_err *err)
{
    for (int attempt = 0;; attempt++) {
        int rc = register_tx(db, op, sc, set, rows, w, n, err);
        if (rc != APP_ERETRY || attempt == 3)
            return rc;
        memset(err, 0, sizeof(*err));
        for (int i = 0; i < n; i++)
            if (!pre[i]) {
                memset(rows[i].err, 0, sizeof(*rows[i].err));
                rows[i].rc = 0;
                rows[i].student_id = rows[i].request_id = 0;
                w[i].lbidx = NULL;
            }
    }
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
    prepare_rows(op, &sc, &set, rows, w, pre, n);
    rc = register_attempts(db, op, &sc, &set, rows, w, pre, n, err);
    if (rc != 0)
        for (int i = 0; i < n; i++)
            rows[i].student_id = rows[i].request_id = 0;
    return rc;
}

int
core_student_registration_steps(db_conn *db, const core_op *op, long long student_id, db_step **out,
                                int *out_n, app_err *err)
{
    db_student s;
    db_school sc;
    db_settings set;
    core_record r;
    int found = 0;
    int rc = db_student_get(db, student_id, 0, op->arena, &s, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return core__not_found(err);
    if ((rc = core__load_school(db, op, s.school, &sc, err)) != 0 ||
        (rc = db_settings_for_school(db, sc.code, op->arena, &set, err)) != 0 ||
        (rc = core__record_of_row(op, (const char *const *)s.vals, 0, &r, err)) != 0)
        return rc;
    return registration_steps(db, op, &sc, core_record_no_document(&r), &set, out, out_n, err);
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
    return core__fill_out(op, &back, NULL, 0, out, err);
}
