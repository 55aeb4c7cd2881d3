/*
 * core/draw.c - closing a selection round and its lottery (core/draw.h).
 */
#include "core/draw.h"

#include "base/jw.h"
#include "core/audit.h"
#include "core/lottery.h"
#include "core/uni.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
rollback(db_conn *db, int rc)
{
    db_rollback(db);
    return rc;
}

/* 64 hex digits into 32 bytes: 0, or -1. */
static int
unhex(const char *hex, unsigned char out[CORE_LOTTERY_BYTES])
{
    size_t n = 0;
    if (strlen(hex) != 2 * CORE_LOTTERY_BYTES ||
        sodium_hex2bin(out, CORE_LOTTERY_BYTES, hex, strlen(hex), NULL, &n, NULL) != 0 ||
        n != CORE_LOTTERY_BYTES)
        return -1;
    return 0;
}

/* The seed (hex) of a round with a reveal that matches its commitment: 0,
   or -1 with *why. */
static int
round_seed(const db_lottery_round *r, unsigned char seed[CORE_LOTTERY_BYTES], char hex[65],
           const char **why)
{
    unsigned char reveal[CORE_LOTTERY_BYTES], com[CORE_LOTTERY_BYTES], want[CORE_LOTTERY_BYTES];
    if (unhex(r->reveal, reveal) != 0 || unhex(r->commitment, com) != 0) {
        *why = "the round has no reveal or commitment";
        return -1;
    }
    core_lottery_commitment(reveal, want);
    if (sodium_memcmp(want, com, CORE_LOTTERY_BYTES) != 0) {
        *why = "the reveal does not match the commitment";
        return -1;
    }
    core_lottery_seed(r->id, reveal, seed);
    if (hex)
        sodium_bin2hex(hex, 65, seed, CORE_LOTTERY_BYTES);
    return 0;
}

/* Rank the entries e[0..n-1] of section s (sorted by section), setting their
   rank and win and s->free, s->winners. */
static void
draw_section(const unsigned char seed[CORE_LOTTERY_BYTES], db_lottery_section *s,
             db_lottery_entry *e, int n, app_arena *a)
{
    core_lottery_cand *c = app_arena_alloc(a, sizeof(*c) * (size_t)n);
    for (int i = 0; i < n; i++) {
        c[i].key = e[i].student_no;
        c[i].id = i;
    }
    s->free = s->capacity > s->taken ? s->capacity - s->taken : 0;
    s->winners = core_lottery_rank(seed, s->id, c, n, s->free);
    for (int i = 0; i < n; i++) {
        e[c[i].id].rank = i + 1;
        e[c[i].id].win = i < s->winners;
    }
}

/* Draw every section of the round in memory; counts in *k. */
static void
draw_all(const unsigned char seed[CORE_LOTTERY_BYTES], db_lottery_section *s, int ns,
         db_lottery_entry *e, int n, app_arena *a, core_draw_counts *k)
{
    int i = 0;
    for (int j = 0; j < ns; j++) {
        while (i < n && e[i].section < s[j].id)
            i++; /* a pre-selection of a section not locked: left as it is */
        int from = i;
        while (i < n && e[i].section == s[j].id)
            i++;
        if (i == from)
            continue;
        draw_section(seed, &s[j], e + from, i - from, a);
        k->sections++;
        k->candidates += i - from;
        k->selected += s[j].winners;
        k->oversubscribed += i - from > s[j].free;
    }
    k->not_selected = k->candidates - k->selected;
}

static int
audit_draw(db_conn *db, const core_op *op, const db_lottery_round *r, const char *seed,
           const core_draw_counts *k, app_err *err)
{
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_str(&w, "school", r->school);
    jw_str(&w, "term", r->term);
    jw_str(&w, "kind", r->kind);
    if (seed) {
        jw_str(&w, "algorithm", CORE_LOTTERY_ALGORITHM);
        jw_str(&w, "commitment", r->commitment);
        jw_str(&w, "reveal", r->reveal);
        jw_str(&w, "seed", seed);
        jw_int(&w, "candidates", k->candidates);
        jw_int(&w, "selected", k->selected);
        jw_int(&w, "not_selected", k->not_selected);
        jw_int(&w, "sections", k->sections);
        jw_int(&w, "oversubscribed", k->oversubscribed);
    }
    jw_bool(&w, "by_ticker", op->actor == NULL);
    jw_end(&w);
    char id[24];
    snprintf(id, sizeof(id), "%lld", r->id);
    return core_audit(db, op, seed ? "uni_lottery" : "uni_round_close", "uni_round", id,
                      jw_text(&w, NULL), err);
}

/* Close the locked round `r` in the open transaction (not committed). */
static int
close_tx(db_conn *db, const core_op *op, db_lottery_round *r, core_draw_counts *k, app_err *err)
{
    memset(k, 0, sizeof(*k));
    if (strcmp(r->state, "scheduled") != 0)
        return app_err_set(err, APP_ECONFLICT, "round_closed", "round %lld is %s", r->id, r->state);
    int rc, drawn = strcmp(r->kind, "preselect") == 0;
    unsigned char seed[CORE_LOTTERY_BYTES];
    char hex[65];
    if (drawn) {
        const char *why = NULL;
        if (round_seed(r, seed, hex, &why) != 0)
            return app_err_set(err, APP_EINTERNAL, NULL, "round %lld: %s", r->id, why);
        db_lottery_section *s;
        db_lottery_entry *e;
        int ns, n;
        if ((rc = db_lottery_sections_lock(db, r->id, op->arena, &s, &ns, err)) != 0 ||
            (rc = db_lottery_entries(db, r->id, op->arena, &e, &n, err)) != 0)
            return rc;
        draw_all(seed, s, ns, e, n, op->arena, k);
        if (n > 0 && (rc = db_lottery_apply(db, r->id, e, n, s, ns, CORE_LOTTERY_ALGORITHM,
                                            op->arena, err)) != 0)
            return rc;
    }
    if ((rc = db_lottery_round_close(db, r->id, drawn, op->arena, r, err)) != 0)
        return rc;
    return audit_draw(db, op, r, drawn ? hex : NULL, k, err);
}

int
core_draw_close(db_conn *db, const core_op *op, const char *code, long long round,
                db_lottery_round *out_round, core_draw_counts *out, app_err *err)
{
    db_school sc;
    int rc = db_begin(db, err), found = 0;
    if (rc != 0)
        return rc;
    if ((rc = core_uni_visible(db, op, code, &sc, err)) != 0)
        return rollback(db, rc);
    if (!core_uni_actor_holds(op->actor, sc.code, CORE_STAFF_REGISTRAR_SECTION, 0))
        return rollback(db, app_err_set(err, APP_EFORBIDDEN, "forbidden", NULL));
    if ((rc = db_lottery_round_get(db, sc.code, round, 1, op->arena, out_round, &found, err)) != 0)
        return rollback(db, rc);
    if (!found)
        return rollback(db, app_err_set(err, APP_ENOTFOUND, "round_not_found", NULL));
    if ((rc = close_tx(db, op, out_round, out, err)) != 0 || (rc = db_commit(db, err)) != 0)
        return rollback(db, rc);
    return 0;
}

int
core_draw_close_due(db_conn *db, const core_op *op, int max, int *out_n, app_err *err)
{
    /* a round that fails (a reveal that does not match its commitment) is
       left for the log and skipped, so that the rounds after it still close */
    long long *skip = app_arena_alloc(op->arena, sizeof(long long) * (size_t)(max > 0 ? max : 1));
    int nskip = 0, first_rc = 0;
    *out_n = 0;
    while (*out_n + nskip < max) {
        long long id = 0;
        char school[11];
        int found = 0, rc = db_begin(db, err);
        if (rc != 0)
            return rc;
        if ((rc = db_lottery_due(db, db_id_array(op->arena, skip, nskip), &id, school, &found,
                                 err)) != 0)
            return rollback(db, rc);
        if (!found)
            return rollback(db, first_rc);
        db_lottery_round r;
        core_draw_counts k;
        app_err e = {0};
        if ((rc = db_lottery_round_get(db, school, id, 1, op->arena, &r, &found, &e)) != 0 ||
            (rc = close_tx(db, op, &r, &k, &e)) != 0 || (rc = db_commit(db, &e)) != 0) {
            db_rollback(db);
            if (rc == APP_EUNAVAIL)
                return app_err_set(err, rc, e.slug, "%s", e.detail);
            if (first_rc == 0) {
                first_rc = rc;
                app_err_set(err, rc, e.slug, "round %lld: %s", id, e.detail);
            }
            skip[nskip++] = id;
            continue;
        }
        (*out_n)++;
    }
    return first_rc;
}

/* The published draw of a round already read. */
static int
load(db_conn *db, app_arena *a, core_draw_pub *out, app_err *err)
{
    if (strcmp(out->round.state, "drawn") != 0)
        return app_err_set(err, APP_ECONFLICT, "round_not_drawn", NULL);
    const char *why = NULL;
    unsigned char seed[CORE_LOTTERY_BYTES];
    if (round_seed(&out->round, seed, out->seed, &why) != 0)
        out->seed[0] = '\0'; /* published as it is: verify reports it */
    out->algorithm = CORE_LOTTERY_ALGORITHM;
    int rc = db_lottery_drawn_list(db, out->round.id, a, &out->sections, &out->n, err);
    if (rc == 0 && out->n > 0)
        out->algorithm = out->sections[0].algorithm;
    return rc;
}

int
core_draw_get(db_conn *db, const core_op *op, const char *code, long long round, core_draw_pub *out,
              app_err *err)
{
    memset(out, 0, sizeof(*out));
    db_school sc;
    int found = 0, rc = core_uni_visible(db, op, code, &sc, err);
    if (rc == 0)
        rc = db_lottery_round_get(db, sc.code, round, 0, op->arena, &out->round, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ENOTFOUND, "round_not_found", NULL);
    return rc ? rc : load(db, op->arena, out, err);
}

int
core_draw_load(db_conn *db, long long round, app_arena *a, core_draw_pub *out, app_err *err)
{
    memset(out, 0, sizeof(*out));
    int found = 0, rc = db_lottery_round_get(db, NULL, round, 0, a, &out->round, &found, err);
    if (rc == 0 && !found)
        rc = app_err_set(err, APP_ENOTFOUND, "round_not_found", NULL);
    return rc ? rc : load(db, a, out, err);
}

/* One section of a published draw against the re-run. */
static int
verify_section(const unsigned char seed[CORE_LOTTERY_BYTES], const db_lottery_drawn *d,
               const int *published)
{
    int *sel = xcalloc((size_t)(d->n ? d->n : 1), sizeof(int));
    for (int i = 0; i < d->n; i++)
        sel[i] = published ? published[i] : i < d->free;
    int ok = core_lottery_check(seed, d->section, d->free, d->student_nos, sel, d->n, NULL);
    free(sel);
    return ok;
}

int
core_draw_verify(const core_draw_pub *p, const int *const *selected, const char **out_why,
                 long long *out_section)
{
    unsigned char seed[CORE_LOTTERY_BYTES], pub[CORE_LOTTERY_BYTES];
    *out_section = 0;
    if (round_seed(&p->round, seed, NULL, out_why) != 0)
        return 0;
    if (unhex(p->seed, pub) != 0 || sodium_memcmp(seed, pub, CORE_LOTTERY_BYTES) != 0) {
        *out_why = "the published seed is not the round's";
        return 0;
    }
    if (p->algorithm == NULL || strcmp(p->algorithm, CORE_LOTTERY_ALGORITHM) != 0) {
        *out_why = "another algorithm";
        return 0;
    }
    for (int j = 0; j < p->n; j++)
        if (!verify_section(seed, &p->sections[j], selected ? selected[j] : NULL)) {
            *out_section = p->sections[j].section;
            *out_why = "a section's ranking or selection differs from the re-run";
            return 0;
        }
    *out_why = NULL;
    return 1;
}
