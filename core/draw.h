/*
 * core/draw.h - closing a selection round and its lottery (抽签, issue 17,
 * docs/decisions/0039 and 0042).
 *
 * Closing a round (scheduled, whether open yet or not) sets it closed now.
 * A pre-selection round is drawn in the same transaction: its reveal is
 * checked against its commitment, the seed derived (core/lottery.h), each
 * section's pre-selections ranked and the first `free` (capacity - taken at
 * the draw) become 'selected' (taking their seats in uni_section.taken), the
 * others 'not_selected', each with its draw_rank; the ranking is published
 * (uni_draw_section) and the round becomes 'drawn' with its reveal public.
 * One audit row: "uni_lottery" (seed, commitment, reveal and counts; nobody
 * is named), or "uni_round_close" for the other kinds.
 *
 * Who: closing by the route, the university's registrar section
 * (教务处教务科) only; by the ticker, the system (op->actor NULL). The
 * published draw: whoever sees the university (core_uni_visible), its
 * students included.
 *
 * Errors: those of core_uni_visible; APP_EFORBIDDEN forbidden; APP_ENOTFOUND
 * round_not_found; APP_ECONFLICT round_closed (not scheduled any more),
 * round_not_drawn (GET of a round without a draw); APP_EINTERNAL when the
 * stored reveal does not match the commitment; the db/ ones.
 */
#ifndef CORE_DRAW_H
#define CORE_DRAW_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/lottery.h"

typedef struct core_draw_counts {
    int candidates, selected, not_selected;
    int sections;       /* sections with candidates */
    int oversubscribed; /* of them, with more candidates than free seats */
} core_draw_counts;

/* POST /schools/{code}/selection-rounds/{id}/close: the closed round in
 *out_round, the draw's counts (zero for a round of another kind). */
int core_draw_close(db_conn *db, const core_op *op, const char *code, long long round,
                    db_lottery_round *out_round, core_draw_counts *out, app_err *err);

/* The ticker: close (and draw) due rounds one transaction each, at most
   `max`, each once across processes (SKIP LOCKED); *out_n closed. A round
   that fails is skipped in this pass and the first failure returned (the
   others still close); APP_EUNAVAIL stops the pass. */
int core_draw_close_due(db_conn *db, const core_op *op, int max, int *out_n, app_err *err);

/* A published draw: everything needed to re-run it. */
typedef struct core_draw_pub {
    db_lottery_round round;
    char seed[65]; /* hex */
    const char *algorithm;
    db_lottery_drawn *sections;
    int n;
} core_draw_pub;

/* GET /schools/{code}/selection-rounds/{id}/draw. */
int core_draw_get(db_conn *db, const core_op *op, const char *code, long long round,
                  core_draw_pub *out, app_err *err);

/* The same for xuejictl, without an actor: round `round` of any university. */
int core_draw_load(db_conn *db, long long round, app_arena *a, core_draw_pub *out, app_err *err);

/*
 * Re-run a published draw (pure): the reveal matches the commitment, the
 * seed is the round's, and each section's ranking is what core_lottery_rank
 * gives (the first `free` selected: `selected`, when not NULL, holds the
 * published flags of each section's candidates, selected[i][k]). 1 when all
 * match; else 0 with *out_why a static reason and *out_section the first
 * section that differs (0 for the round itself).
 */
int core_draw_verify(const core_draw_pub *p, const int *const *selected, const char **out_why,
                     long long *out_section);

#endif
