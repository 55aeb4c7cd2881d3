/*
 * ctl/lottery.c - xuejictl lottery-verify (docs/decisions/0042): re-run the
 * published draw of a pre-selection round and say whether it matches.
 *
 *   --round ID   the draw as xuejid publishes it, read from the database
 *   --file FILE  the answer of GET /schools/{code}/selection-rounds/{id}/draw
 *                saved by anyone (no database needed)
 *
 * Exit 0: match; 1: mismatch (the reason and the first section that
 * differs on stdout); 2: the draw could not be read.
 */
#include "core/draw.h"
#include "ctl/ctl.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
report(const core_draw_pub *p, const int *const *selected)
{
    const char *why = NULL;
    long long section = 0;
    long long candidates = 0;
    for (int i = 0; i < p->n; i++)
        candidates += p->sections[i].n;
    if (core_draw_verify(p, selected, &why, &section)) {
        printf("match: round %lld, %d sections, %lld candidates, seed %s\n", p->round.id, p->n,
               candidates, p->seed);
        return 0;
    }
    if (section)
        printf("mismatch: round %lld: %s (section %lld)\n", p->round.id, why, section);
    else
        printf("mismatch: round %lld: %s\n", p->round.id, why);
    return 1;
}

static int
from_db(long long round)
{
    app_err err = {0};
    db_conn *db = ctl_connect(&err);
    app_arena *a = app_arena_new();
    core_draw_pub p;
    int rc = db_conn_ensure(db, &err);
    if (rc == 0)
        rc = core_draw_load(db, round, a, &p, &err);
    if (rc != 0) {
        fprintf(stderr, "xuejictl: lottery-verify: round %lld: %s %s\n", round,
                err.slug ? err.slug : app_code_name(err.code), err.detail);
        rc = 2;
    } else {
        rc = report(&p, NULL);
    }
    app_arena_free(a);
    db_conn_close(db);
    return rc;
}

static const char *
str_of(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* One published section into d and its flags into *sel; 0, or -1. */
static int
section_of(json_t *js, app_arena *a, db_lottery_drawn *d, int **sel)
{
    json_t *cands = json_object_get(js, "candidates");
    if (!json_is_array(cands) || !json_is_integer(json_object_get(js, "section")))
        return -1;
    d->section = json_integer_value(json_object_get(js, "section"));
    d->free = (int)json_integer_value(json_object_get(js, "free"));
    d->n = (int)json_array_size(cands);
    d->student_nos = app_arena_alloc(a, sizeof(char *) * (size_t)(d->n ? d->n : 1));
    *sel = app_arena_alloc(a, sizeof(int) * (size_t)(d->n ? d->n : 1));
    for (int i = 0; i < d->n; i++) {
        json_t *c = json_array_get(cands, (size_t)i);
        /* published in ranking order: a rank out of place is a different ranking */
        if (json_integer_value(json_object_get(c, "rank")) != i + 1)
            d->student_nos[i] = "";
        else
            d->student_nos[i] = app_arena_strdup(a, str_of(c, "student_no"));
        (*sel)[i] = json_is_true(json_object_get(c, "selected"));
    }
    return 0;
}

static int
from_file(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    json_t *secs = json_object_get(j, "sections");
    if (j == NULL || !json_is_array(secs) || !json_is_integer(json_object_get(j, "round"))) {
        fprintf(stderr, "xuejictl: lottery-verify: %s: not a published draw (%s)\n", path,
                j ? "members missing" : je.text);
        json_decref(j);
        return 2;
    }
    app_arena *a = app_arena_new();
    core_draw_pub p;
    memset(&p, 0, sizeof(p));
    p.round.id = json_integer_value(json_object_get(j, "round"));
    snprintf(p.round.commitment, sizeof(p.round.commitment), "%s", str_of(j, "commitment"));
    snprintf(p.round.reveal, sizeof(p.round.reveal), "%s", str_of(j, "reveal"));
    snprintf(p.seed, sizeof(p.seed), "%s", str_of(j, "seed"));
    p.algorithm = app_arena_strdup(a, str_of(j, "algorithm"));
    p.n = (int)json_array_size(secs);
    p.sections = app_arena_alloc(a, sizeof(*p.sections) * (size_t)(p.n ? p.n : 1));
    int **sel = app_arena_alloc(a, sizeof(int *) * (size_t)(p.n ? p.n : 1));
    int rc = 0;
    for (int i = 0; i < p.n && rc == 0; i++) {
        memset(&p.sections[i], 0, sizeof(p.sections[i]));
        if (section_of(json_array_get(secs, (size_t)i), a, &p.sections[i], &sel[i]) != 0) {
            fprintf(stderr, "xuejictl: lottery-verify: %s: section %d malformed\n", path, i);
            rc = 2;
        }
    }
    if (rc == 0)
        rc = report(&p, (const int *const *)sel);
    app_arena_free(a);
    json_decref(j);
    return rc;
}

int
ctl_cmd_lottery_verify(long long round, const char *file)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "xuejictl: libsodium failed to start\n");
        return 2;
    }
    return file ? from_file(file) : from_db(round);
}
