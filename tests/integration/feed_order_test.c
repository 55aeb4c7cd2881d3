/*
 * tests/integration/feed_order_test.c - the change feed in commit order
 * without a lock (docs/decisions/0024): events get their feed positions
 * from a positioning pass once they are certainly committed; through core/
 * and workflow/ on a real PostgreSQL.
 *
 * Eight writers, each on its own connection and in its own class: four
 * register students and approve them, one transaction each; two register
 * and approve inside a transaction of their own that they hold open for a
 * second; two do the same and roll back. Meanwhile a reader follows
 * core_feed_list's cursor (each read runs a pass first), and a second
 * reader follows the ids alone (`id > last ORDER BY id`, the feed before
 * positions). Afterwards:
 *   - the reader saw every event in the table exactly once, each with the
 *     table's position, type and student, and positions without a gap;
 *     none of a rolled-back transaction;
 *   - the events of a transaction that committed before another began come
 *     first (the writers note the time before they begin and after they
 *     commit);
 *   - the id reader skipped events (what the positions prevent).
 *
 * And one student changed by two transactions: T2 writes first, T1 changes
 * the student and commits, T2 then changes the student (at once, or after
 * waiting for T1's row lock) and commits: T1's change comes first in the
 * feed, whether or not a reader positioned T1's before T2 committed.
 *
 * And a pass over 3,000 new events reads only those, whatever the planner's
 * statistics say (no sequential scan of events, one scan of the index of
 * unpositioned events).
 */
#include "core/feed.h"
#include "tests/lib/coreworld.h"

#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WRITERS 8
#define SHORT_RUN_S 2.5 /* the one-transaction writers run this long */
#define PER_WRITER 64   /* records prepared per writer */
#define MAX_TX 1024
#define MAX_EV 8192

enum { TX_REG, TX_APPROVE, TX_BOTH };
enum { W_SHORT, W_LONG, W_ROLLBACK };

/* One transaction of a writer. */
typedef struct tx {
    long long student;
    int kind, committed;
    double t0, t1;        /* before it began; after it committed or rolled back */
    int first, last, nev; /* its events' places in what the reader saw */
} tx;

/* What a reader saw: id is the feed position (the id reader: the table's id). */
typedef struct seen {
    long long id, student;
    char type[32];
} seen;

typedef struct writer {
    int mode;
    const char *school;
    int grade, class_no;
    int registrar, holder; /* actors */
    db_conn *db;
    app_arena *arena;
    core_op reg_op, holder_op;
    core_record *recs[PER_WRITER];
    pthread_t thread;
} writer;

static writer writers[WRITERS];
static tx txs[MAX_TX];
static atomic_int ntx;
static atomic_int writers_done;
static atomic_int stop_naive;
static atomic_llong naive_last; /* the id reader's place */
static struct timespec t_start;

static seen feed[MAX_EV], naive[MAX_EV];
static int nfeed, nnaive;
static long long feed_mark; /* the feed's end before the writers began */

static double
now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t_start.tv_sec) + (double)(t.tv_nsec - t_start.tv_nsec) / 1e9;
}

static void
tx_note(long long student, int kind, int committed, double t0, double t1)
{
    int i = atomic_fetch_add(&ntx, 1);
    ck_assert_int_lt(i, MAX_TX);
    txs[i] = (tx){.student = student, .kind = kind, .committed = committed, .t0 = t0, .t1 = t1};
}

/* Register recs[k] (and approve it, in the same transaction, when `both`). */
static void
write_one(writer *w, int k, int both, long long *out_student)
{
    core_student s;
    core_request q;
    int warn = 0;
    app_err err = {0};
    int rc = core_student_register(w->db, &w->reg_op, w->recs[k], &s, &q, &warn, &err);
    cw_ok(rc, &err);
    *out_student = s.id;
    if (both) {
        rc = wf_request_act(w->db, &w->holder_op, q.id, "approve", 1, "feed", &q, &err);
        cw_ok(rc, &err);
    }
}

/* One transaction per registration and per approval, until SHORT_RUN_S. */
static void
run_short(writer *w)
{
    for (int k = 0; k < PER_WRITER && now_s() < SHORT_RUN_S; k++) {
        core_student s;
        core_request q;
        int warn = 0;
        app_err err = {0};
        double t0 = now_s();
        int rc = core_student_register(w->db, &w->reg_op, w->recs[k], &s, &q, &warn, &err);
        cw_ok(rc, &err);
        tx_note(s.id, TX_REG, 1, t0, now_s());
        t0 = now_s();
        rc = wf_request_act(w->db, &w->holder_op, q.id, "approve", 1, "feed", &q, &err);
        cw_ok(rc, &err);
        tx_note(s.id, TX_APPROVE, 1, t0, now_s());
    }
}

/* Register and approve in a transaction held open (1 s), then commit; or
   (rollback) held 0.3 s, then rolled back. */
static void
run_held(writer *w)
{
    int rounds = w->mode == W_LONG ? 2 : 3;
    for (int k = 0; k < rounds; k++) {
        app_err err = {0};
        long long student = 0;
        double t0 = now_s();
        ck_assert_int_eq(db_begin(w->db, &err), 0);
        write_one(w, k, 1, &student);
        usleep(w->mode == W_LONG ? 1000000 : 300000);
        if (w->mode == W_LONG) {
            int rc = db_commit(w->db, &err);
            cw_ok(rc, &err);
        } else {
            db_rollback(w->db);
        }
        tx_note(student, TX_BOTH, w->mode == W_LONG, t0, now_s());
    }
}

static void *
writer_main(void *arg)
{
    writer *w = arg;
    if (w->mode == W_SHORT)
        run_short(w);
    else
        run_held(w);
    atomic_fetch_add(&writers_done, 1);
    return NULL;
}

/* ------------------------------------------------------------ the readers */

static void
note_seen(seen *to, int *n, long long id, long long student, const char *type)
{
    ck_assert_int_lt(*n, MAX_EV);
    to[*n] = (seen){.id = id, .student = student};
    snprintf(to[*n].type, sizeof(to[*n].type), "%s", type);
    (*n)++;
}

/* The feed before the horizon: ids only. Runs until told to stop and then
   reads to the end once more. */
static void *
naive_main(void *arg)
{
    db_conn *db = arg;
    for (;;) {
        int stopping = atomic_load(&stop_naive);
        char after[24];
        snprintf(after, sizeof(after), "%lld", atomic_load(&naive_last));
        const char *p[] = {after};
        db_res *r = NULL;
        app_err err = {0};
        int rc = db_exec_once(db,
                              "SELECT id, coalesce(student_id, 0), type FROM events WHERE id > $1"
                              " ORDER BY id LIMIT 64",
                              1, p, &r, &err);
        cw_ok(rc, &err);
        int n = db_res_nrows(r);
        for (int i = 0; i < n; i++)
            note_seen(naive, &nnaive, db_res_int(r, i, 0), db_res_int(r, i, 1),
                      db_res_get(r, i, 2));
        if (n > 0)
            atomic_store(&naive_last, db_res_int(r, n - 1, 0));
        db_res_free(r);
        if (n == 0 && stopping)
            break;
        if (n == 0)
            usleep(1000);
    }
    return NULL;
}

static long long
count_of(db_conn *db, const char *sql)
{
    db_res *r = NULL;
    app_err err = {0};
    int rc = db_exec_once(db, sql, 0, NULL, &r, &err);
    cw_ok(rc, &err);
    long long n = db_res_int(r, 0, 0);
    db_res_free(r);
    return n;
}

/* One read of the feed as the ministry (all events) on `db`: up to `limit`
   after *pos, noted in `to`, *pos moved to the last. The positions follow
   each other without a gap. How many. */
static int
read_page(db_conn *db, long long *pos, int limit, seen *to, int *nto)
{
    app_arena *a = app_arena_new();
    core_op op;
    cw_op_on(CW_MINISTRY, a, &op);
    db_event *v = NULL;
    int n = 0;
    app_err err = {0};
    int rc = core_feed_list(db, &op, *pos, limit, &v, &n, &err);
    cw_ok(rc, &err);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(v[i].id == *pos + 1, "position %lld after %lld: a gap", v[i].id, *pos);
        *pos = v[i].id;
        if (to != NULL)
            note_seen(to, nto, v[i].id, v[i].student_id, v[i].type);
    }
    app_arena_free(a);
    return n;
}

/* Follow core_feed_list's cursor from feed_mark until the writers are done
   and every event of the table has come (at most 5 s after the last writer
   ended). */
static void
follow_feed(db_conn *db, long long before)
{
    long long pos = feed_mark;
    double done_at = 0;
    for (;;) {
        if (read_page(db, &pos, 64, feed, &nfeed) > 0)
            continue;
        if (atomic_load(&writers_done) == WRITERS) {
            long long total = count_of(db, "SELECT count(*) FROM events") - before;
            if (nfeed >= total)
                return;
            done_at = done_at > 0 ? done_at : now_s();
            ck_assert_msg(now_s() < done_at + 5, "the feed stopped short: %d of %lld events read",
                          nfeed, total);
        }
        usleep(1000);
    }
}

/* ------------------------------------------------------------ the checks */

static tx *
tx_of(const seen *e)
{
    int reg = strcmp(e->type, "student.registered") == 0 || strcmp(e->type, "request.started") == 0;
    for (int i = 0; i < ntx; i++)
        if (txs[i].student == e->student &&
            (txs[i].kind == TX_BOTH || txs[i].kind == (reg ? TX_REG : TX_APPROVE)))
            return &txs[i];
    return NULL;
}

static int
cmp_id(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* The table's event ids above `after_id`, ascending, in *out (MAX_EV). */
static int
table_ids(long long after_id, long long *out)
{
    char after[24];
    snprintf(after, sizeof(after), "%lld", after_id);
    const char *p[] = {after};
    db_res *r = NULL;
    app_err err = {0};
    int rc =
        db_exec_once(cw_db(), "SELECT id FROM events WHERE id > $1 ORDER BY id", 1, p, &r, &err);
    cw_ok(rc, &err);
    int n = db_res_nrows(r);
    ck_assert_int_le(n, MAX_EV);
    for (int i = 0; i < n; i++)
        out[i] = db_res_int(r, i, 0);
    db_res_free(r);
    return n;
}

/* How many of the table's events `v` lacks (each of v's ids is one of them). */
static int
missing(const seen *v, int n, const long long *all, int nall)
{
    static long long ids[MAX_EV];
    for (int i = 0; i < n; i++)
        ids[i] = v[i].id;
    qsort(ids, (size_t)n, sizeof(ids[0]), cmp_id);
    int j = 0, found = 0;
    for (int i = 0; i < nall; i++) {
        while (j < n && ids[j] < all[i])
            j++;
        found += j < n && ids[j] == all[i];
    }
    return nall - found;
}

/* Every event once, as the table has it at its position; none of a
   rolled-back transaction. */
static void
check_exactly_once(void)
{
    char mark[24];
    snprintf(mark, sizeof(mark), "%lld", feed_mark);
    const char *p[] = {mark};
    db_res *r = NULL;
    app_err err = {0};
    int rc = db_exec_once(cw_db(),
                          "SELECT pos, coalesce(student_id, 0), type FROM events"
                          " WHERE pos IS NULL OR pos > $1 ORDER BY pos",
                          1, p, &r, &err);
    cw_ok(rc, &err);
    int n = db_res_nrows(r);
    ck_assert_int_eq(nfeed, n);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(!db_res_isnull(r, i, 0), "an event without a position");
        ck_assert_int_eq(feed[i].id, db_res_int(r, i, 0));
        ck_assert_int_eq(feed[i].student, db_res_int(r, i, 1));
        ck_assert_str_eq(feed[i].type, db_res_get(r, i, 2));
    }
    db_res_free(r);
    for (int i = 0; i < nfeed; i++) {
        tx *t = tx_of(&feed[i]);
        ck_assert_msg(t != NULL, "event %lld (%s of %lld) of no writer", feed[i].id, feed[i].type,
                      feed[i].student);
        ck_assert_msg(t->committed, "event %lld of a rolled-back transaction", feed[i].id);
    }
}

/* A transaction that committed before another began comes first. (The
   events of one transaction need not be together: a pass positions what it
   sees committed in id order.) Returns the number of ordered pairs checked. */
static long
check_commit_order(void)
{
    for (int i = 0; i < ntx; i++)
        txs[i].first = -1;
    for (int i = 0; i < nfeed; i++) {
        tx *t = tx_of(&feed[i]);
        if (t->first < 0)
            t->first = i;
        t->last = i;
        t->nev++;
    }
    long pairs = 0;
    for (int i = 0; i < ntx; i++) {
        const tx *a = &txs[i];
        if (!a->committed)
            continue;
        ck_assert_msg(a->nev > 0, "no event of the transaction of student %lld", a->student);
        for (int j = 0; j < ntx; j++) {
            const tx *b = &txs[j];
            if (!b->committed || a->t1 >= b->t0)
                continue;
            ck_assert_msg(a->last < b->first,
                          "student %lld's transaction (done at %.3f s) read after student %lld's"
                          " (begun at %.3f s)",
                          a->student, a->t1, b->student, b->t0);
            pairs++;
        }
    }
    return pairs;
}

/* ------------------------------------------------------------ the test */

static const struct {
    int mode;
    const char *school;
    int grade, class_no, holder;
} cast[WRITERS] = {
    {W_SHORT, CW_A, 13, 1, CW_FURONG},    {W_SHORT, CW_B, 13, 1, CW_FURONG},
    {W_SHORT, CW_C, 13, 1, CW_TIANXIN},   {W_SHORT, CW_D, 13, 1, CW_CHANGSHA},
    {W_LONG, CW_A, 14, 1, CW_FURONG},     {W_LONG, CW_B, 16, 1, CW_FURONG},
    {W_ROLLBACK, CW_A, 16, 1, CW_FURONG}, {W_ROLLBACK, CW_J, 13, 1, CW_DONGHU},
};

static void
writers_prepare(void)
{
    for (int i = 0; i < WRITERS; i++) {
        writer *w = &writers[i];
        w->mode = cast[i].mode;
        w->school = cast[i].school;
        w->registrar = cw_actor_of(w->school);
        w->holder = cast[i].holder;
        w->db = cw_conn_open();
        w->arena = app_arena_new();
        cw_op_on(w->registrar, w->arena, &w->reg_op);
        cw_op_on(w->holder, w->arena, &w->holder_op);
        for (int k = 0; k < PER_WRITER; k++)
            w->recs[k] = cw_record(w->school, cast[i].grade, cast[i].class_no,
                                   (unsigned)(1000 * (i + 1) + k));
    }
}

START_TEST(test_feed_in_commit_order_with_long_and_rolled_back_writers)
{
    writers_prepare();
    db_conn *reader = cw_conn_open(), *naive_db = cw_conn_open();
    /* start both readers at the end of what is there */
    while (read_page(reader, &feed_mark, 500, NULL, NULL) > 0)
        ;
    long long before = count_of(reader, "SELECT count(*) FROM events");
    long long first_id = count_of(reader, "SELECT coalesce(max(id), 0) FROM events");
    atomic_store(&naive_last, first_id);
    clock_gettime(CLOCK_MONOTONIC, &t_start);
    pthread_t nt;
    ck_assert_int_eq(pthread_create(&nt, NULL, naive_main, naive_db), 0);
    for (int i = 0; i < WRITERS; i++)
        ck_assert_int_eq(pthread_create(&writers[i].thread, NULL, writer_main, &writers[i]), 0);

    follow_feed(reader, before);

    for (int i = 0; i < WRITERS; i++)
        pthread_join(writers[i].thread, NULL);
    atomic_store(&stop_naive, 1);
    pthread_join(nt, NULL);
    double took = now_s();

    check_exactly_once();
    long pairs = check_commit_order();
    int rolled = 0;
    for (int i = 0; i < ntx; i++)
        rolled += !txs[i].committed;
    ck_assert_int_gt(rolled, 0);
    /* the same writers defeat a reader of ids alone: it moves past the id of
       an event whose transaction is still open, and never sees it */
    static long long all[MAX_EV];
    int nall = table_ids(first_id, all);
    ck_assert_int_eq(nall, nfeed);
    int skipped = missing(naive, nnaive, all, nall);
    fprintf(stderr,
            "feed_order_test: %d transactions (%d rolled back), %d events in %.2f s; %ld pairs"
            " in commit order; a reader of ids alone skipped %d\n",
            (int)ntx, rolled, nall, took, pairs, skipped);
    ck_assert_msg(skipped > 0, "the id reader skipped nothing: the test would not catch it");
    ck_assert_int_gt(pairs, 0);

    for (int i = 0; i < WRITERS; i++) {
        db_conn_close(writers[i].db);
        app_arena_free(writers[i].arena);
    }
    db_conn_close(reader);
    db_conn_close(naive_db);
}
END_TEST

/* ------------------------------------------------------------ one student, two transactions */

/* The phone of student `key` set to `phone` from `version`, on `db` as the
   registrar of school A; rc. */
static int
set_phone(db_conn *db, const core_op *op, const char *key, int version, const char *phone,
          app_err *err)
{
    core_record ch = {0};
    unsigned char present[CORE_NFIELDS] = {0};
    ch.v[CORE_R_PHONE] = phone;
    present[CORE_R_PHONE] = 1;
    core_student out;
    return core_student_patch(db, op, key, version, &ch, present, &out, err);
}

typedef struct t2_change {
    db_conn *db;
    const core_op *op;
    const char *key;
    int version, rc;
    app_err err;
} t2_change;

static void *
t2_change_main(void *arg)
{
    t2_change *c = arg;
    c->rc = set_phone(c->db, c->op, c->key, c->version, "13800000002", &c->err);
    return NULL;
}

/* The "version" of each student.updated event of `student` in the feed after
   `mark`, in feed order, in v (at most 8); how many. */
static int
update_versions(db_conn *db, long long mark, long long student, int *v)
{
    static seen page[MAX_EV];
    int n = 0, nv = 0;
    long long pos = mark;
    while (read_page(db, &pos, 500, page, &n) > 0)
        ;
    for (int i = 0; i < n; i++) {
        if (page[i].student != student || strcmp(page[i].type, "student.updated") != 0)
            continue;
        char sql[128];
        snprintf(sql, sizeof(sql), "SELECT (data->>'version')::int FROM events WHERE pos = %lld",
                 page[i].id);
        ck_assert_int_lt(nv, 8);
        v[nv++] = (int)count_of(db, sql);
    }
    return nv;
}

/* T2 writes first (so its transaction id is the smaller), T1 changes the
   student and commits, T2 changes the student and commits. _i bit 0: T2's
   change waits for T1's row lock (T1 holds it open until T2 is waiting);
   bit 1: a reader positions T1's change before T2 commits. */
START_TEST(test_one_student_changed_by_two_transactions)
{
    int wait = _i & 1, read_between = _i & 2;
    /* ids in the order of the inserts, across sessions (docs/decisions/0024) */
    ck_assert_int_eq(
        cw_count("SELECT cache_size FROM pg_sequences WHERE sequencename = 'events_id_seq'"), 1);
    db_conn *c1 = cw_conn_open(), *c2 = cw_conn_open(), *rd = cw_conn_open();
    app_arena *a1 = app_arena_new(), *a2 = app_arena_new();
    core_op op1, op2;
    cw_op_on(CW_REG_A, a1, &op1);
    cw_op_on(CW_REG_A, a2, &op2);
    long long s = cw_student(CW_A, 13, 1, (unsigned)(500 + _i));
    const char *key = cw_key(s);
    int v0 = (int)cw_count("SELECT version FROM student WHERE id = %lld", s);
    long long mark = 0;
    while (read_page(rd, &mark, 500, NULL, NULL) > 0)
        ;

    /* T2 begins with a write of its own: a registration in another class */
    app_err err = {0};
    ck_assert_int_eq(db_begin(c2, &err), 0);
    core_student other;
    core_request q;
    int warn = 0;
    int rc = core_student_register(c2, &op2, cw_record(CW_A, 14, 1, (unsigned)(600 + _i)), &other,
                                   &q, &warn, &err);
    cw_ok(rc, &err);

    /* T1: the student's phone, committed */
    ck_assert_int_eq(db_begin(c1, &err), 0);
    rc = set_phone(c1, &op1, key, v0, "13800000001", &err);
    cw_ok(rc, &err);
    t2_change t2 = {.db = c2, .op = &op2, .key = key, .version = v0 + 1};
    pthread_t th;
    if (wait) {
        ck_assert_int_eq(pthread_create(&th, NULL, t2_change_main, &t2), 0);
        /* until T2 waits for the student's row */
        for (int k = 0; k < 500 && cw_count("SELECT count(*) FROM pg_stat_activity WHERE"
                                            " wait_event_type = 'Lock' AND datname ="
                                            " current_database()") == 0;
             k++)
            usleep(10000);
    }
    rc = db_commit(c1, &err);
    cw_ok(rc, &err);
    if (read_between) {
        int v[8];
        ck_assert_int_eq(update_versions(rd, mark, s, v), 1);
        ck_assert_int_eq(v[0], v0 + 1);
    }
    if (wait)
        pthread_join(th, NULL);
    else
        t2_change_main(&t2);
    cw_ok(t2.rc, &t2.err);
    rc = db_commit(c2, &err);
    cw_ok(rc, &err);

    /* T1's change first, then T2's: the student's state at the end of the
       feed is T2's, as in the table */
    int v[8];
    ck_assert_int_eq(update_versions(rd, mark, s, v), 2);
    ck_assert_msg(v[0] == v0 + 1 && v[1] == v0 + 2, "versions %d, %d in feed order (T1 made %d)",
                  v[0], v[1], v0 + 1);
    ck_assert_int_eq(cw_count("SELECT version FROM student WHERE id = %lld", s), v0 + 2);
    db_conn_close(c1);
    db_conn_close(c2);
    db_conn_close(rd);
    app_arena_free(a1);
    app_arena_free(a2);
}
END_TEST

/* ------------------------------------------------------------ the pass's plan */

/* Sequential scans of events and index scans of events_unpositioned_idx so
   far, this connection's included (flushed first). */
static void
scans(long long *seq, long long *unpositioned)
{
    cw_exec("SELECT pg_stat_force_next_flush()");
    *seq = cw_count("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'events'");
    *unpositioned = cw_count("SELECT idx_scan FROM pg_stat_user_indexes"
                             " WHERE indexrelname = 'events_unpositioned_idx'");
}

/* One pass over the 3,000 events `insert` writes, after statistics taken
   with `analyze`: it reads no more than its candidates, whatever the
   statistics say (no sequential scan of the table, one scan of the index
   of unpositioned events: a plan from statistics that rescans the
   candidates per event, or scans the whole table, takes seconds on a large
   one). */
static void
pass_after(const char *analyze, const char *insert)
{
    cw_exec("%s", analyze);
    cw_exec("%s", insert);
    long long seq0, idx0, seq1, idx1, n = 0;
    scans(&seq0, &idx0);
    app_err err = {0};
    double t0 = now_s();
    int rc = core_feed_position(cw_db(), &n, &err);
    double took = now_s() - t0;
    cw_ok(rc, &err);
    scans(&seq1, &idx1);
    ck_assert_int_eq(n, 3000);
    fprintf(stderr, "feed_order_test: a pass over 3,000 events after %s: %.3f s\n", analyze, took);
    ck_assert_msg(seq1 == seq0 && idx1 - idx0 <= 1,
                  "after %s, a pass scanned events %lld times, its index of unpositioned events"
                  " %lld times",
                  analyze, seq1 - seq0, idx1 - idx0);
    ck_assert_int_eq(cw_count("SELECT count(*) FROM events WHERE pos IS NULL"), 0);
    ck_assert_int_eq(cw_count("SELECT max(pos) - min(pos) + 1 - count(*) FROM events"
                              " WHERE pos > (SELECT max(pos) - 3000 FROM events)"),
                     0);
}

START_TEST(test_pass_reads_only_its_candidates)
{
    static const char *insert =
        "INSERT INTO events (type, school, authority, province) SELECT 'school.checked_in', '" CW_A
        "', '430102', '430000' FROM generate_series(1, 3000)";
    cw_exec("ALTER TABLE events SET (autovacuum_enabled = false)");
    cw_exec("%s", insert);
    app_err err = {0};
    int rc = core_feed_position(cw_db(), NULL, &err);
    cw_ok(rc, &err);
    /* statistics that see half the table unpositioned, then none */
    cw_exec("%s", insert);
    pass_after("ANALYZE events", "SELECT 1");
    pass_after("VACUUM ANALYZE events", insert);
}
END_TEST

int
main(void)
{
    cw_suite_init();
    Suite *s = suite_create("integration-feed-order");
    TCase *tc = tcase_create("feed");
    tcase_add_checked_fixture(tc, cw_setup, cw_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_feed_in_commit_order_with_long_and_rolled_back_writers);
    tcase_add_loop_test(tc, test_one_student_changed_by_two_transactions, 0, 4);
    tcase_add_test(tc, test_pass_reads_only_its_candidates);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    cw_suite_done();
    return failed == 0 ? 0 : 1;
}
