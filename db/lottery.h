/*
 * db/lottery.h - the tables of a round's close and draw (migrations 024 and
 * 027, docs/decisions/0042): the round row, its pre-selections and their
 * sections, the draw's writes (selections, seats, the published ranking)
 * and the published draw read back. No rules here: core/draw.h decides.
 *
 * Every function runs in the caller's transaction (the locks need one).
 * Outputs live in the arena `a`. Errors: the db/ codes (db/db.h).
 */
#ifndef DB_LOTTERY_H
#define DB_LOTTERY_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* A selection round (uni_round); hex fields are 64 hex digits or "". */
typedef struct db_lottery_round {
    long long id;
    char school[11];
    char term[8];
    char kind[12];  /* preselect, add_drop, leftover */
    char state[12]; /* scheduled, closed, drawn */
    char commitment[65], reveal[65];
    const char *opens_at, *closes_at, *closed_at, *drawn_at; /* UTC text, NULL when unset */
} db_lottery_round;

/* Round `id` of university `school` (NULL: of any) (lock: FOR UPDATE);
 *out_found 0 when none. */
int db_lottery_round_get(db_conn *c, const char *school, long long id, int lock, app_arena *a,
                         db_lottery_round *out, int *out_found, app_err *err);

/* The earliest due round (state scheduled, closes_at passed) that no other
   transaction holds and that is not in `skip` (an id array literal, "{}"
   for none), locked FOR UPDATE SKIP LOCKED; *out_found 0 when none. */
int db_lottery_due(db_conn *c, const char *skip, long long *out_id, char out_school[11],
                   int *out_found, app_err *err);

/* Close round `id` (state scheduled): state 'drawn' (drawn != 0) or 'closed',
   closed_at (and drawn_at) now; the new row in *out. APP_ECONFLICT
   round_closed when it was no longer scheduled. */
int db_lottery_round_close(db_conn *c, long long id, int drawn, app_arena *a, db_lottery_round *out,
                           app_err *err);

/* A section with pre-selections of the round: seats at the draw. */
typedef struct db_lottery_section {
    long long id;
    int capacity, taken;
    int free, winners; /* the caller's: free seats used by the draw, and the winners */
} db_lottery_section;

/* The sections the round's pre-selections are in, ascending, locked FOR UPDATE. */
int db_lottery_sections_lock(db_conn *c, long long round, app_arena *a, db_lottery_section **out,
                             int *out_n, app_err *err);

/* A pre-selection of the round. */
typedef struct db_lottery_entry {
    long long section, student;
    const char *student_no; /* 学号 */
    int rank, win;          /* the caller's: draw rank (1 first) and selected */
} db_lottery_entry;

/* The round's pre-selections, by section. */
int db_lottery_entries(db_conn *c, long long round, app_arena *a, db_lottery_entry **out,
                       int *out_n, app_err *err);

/*
 * Write the draw: every entry's selection becomes 'selected' (source
 * lottery) or 'not_selected' with its draw_rank, each section's taken grows
 * by its winners, and the published ranking (uni_draw_section) is stored
 * with `algorithm`. `e` is sorted by section (as db_lottery_entries gives
 * it); entries with rank 0 (not drawn) are left as they are. Three
 * statements.
 */
int db_lottery_apply(db_conn *c, long long round, const db_lottery_entry *e, int n,
                     const db_lottery_section *s, int ns, const char *algorithm, app_arena *a,
                     app_err *err);

/* A section of a published draw, with its ranking. */
typedef struct db_lottery_drawn {
    long long section;
    const char *course_code, *course_name, *algorithm;
    int number, capacity, free, n;
    const char **student_nos; /* n, rank order */
} db_lottery_drawn;

/* The published draw of round `round`, by section id. */
int db_lottery_drawn_list(db_conn *c, long long round, app_arena *a, db_lottery_drawn **out,
                          int *out_n, app_err *err);

#endif
