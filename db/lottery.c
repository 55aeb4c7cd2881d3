/*
 * db/lottery.c - the tables of a round's close and draw (db/lottery.h).
 */
#include "db/lottery.h"

#include "base/buf.h"
#include "db/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUND_COLS                                                                                 \
    "id, school, term, kind, state, coalesce(encode(commitment, 'hex'), ''),"                      \
    " coalesce(encode(reveal, 'hex'), ''), " DB__TS("opens_at") ", " DB__TS(                       \
        "closes_at") ","                                                                           \
                     " " DB__TS("closed_at") ", " DB__TS("drawn_at")

static const db_stmt SQL_ROUND_GET = {
    "lottery_round_get", "SELECT " ROUND_COLS " FROM uni_round"
                         " WHERE ($1::char(10) IS NULL OR school = $1::char(10)) AND id = $2"};
static const db_stmt SQL_ROUND_GET_LOCK = {"lottery_round_get_lock",
                                           "SELECT " ROUND_COLS " FROM uni_round"
                                           " WHERE ($1::char(10) IS NULL OR school = $1::char(10))"
                                           " AND id = $2 FOR UPDATE"};
static const db_stmt SQL_DUE = {"lottery_due",
                                "SELECT id, school FROM uni_round WHERE state = 'scheduled'"
                                " AND closes_at <= now() AND id <> ALL ($1::bigint[])"
                                " ORDER BY closes_at, id LIMIT 1"
                                " FOR UPDATE SKIP LOCKED"};
static const db_stmt SQL_ROUND_CLOSE = {
    "lottery_round_close",
    "UPDATE uni_round SET state = CASE WHEN $2 THEN 'drawn' ELSE 'closed' END,"
    " closed_at = now(), drawn_at = CASE WHEN $2 THEN now() END, version = version + 1"
    " WHERE id = $1 AND state = 'scheduled' RETURNING " ROUND_COLS};
static const db_stmt SQL_SECTIONS_LOCK = {
    "lottery_sections_lock",
    "SELECT id, capacity, taken FROM uni_section WHERE id IN (SELECT section FROM uni_selection"
    " WHERE round = $1 AND state = 'preselected') ORDER BY id FOR UPDATE"};
static const db_stmt SQL_ENTRIES = {
    "lottery_entries", "SELECT s.section, s.student, u.student_no FROM uni_selection s"
                       " JOIN uni_student u ON u.student_id = s.student"
                       " WHERE s.round = $1 AND s.state = 'preselected' ORDER BY s.section"};
static const db_stmt SQL_APPLY_SELECTIONS = {
    "lottery_apply_selections",
    "UPDATE uni_selection s SET state = CASE WHEN r.win THEN 'selected' ELSE 'not_selected' END,"
    " source = CASE WHEN r.win THEN 'lottery' ELSE s.source END, draw_rank = r.rank,"
    " updated_at = now()"
    " FROM unnest($2::bigint[], $3::bigint[], $4::int[], $5::bool[]) AS r (student, section,"
    " rank, win)"
    " WHERE s.student = r.student AND s.section = r.section AND s.round = $1"
    " AND s.state = 'preselected' AND r.rank > 0"};
static const db_stmt SQL_APPLY_SEATS = {"lottery_apply_seats",
                                        "UPDATE uni_section c SET taken = c.taken + w.n"
                                        " FROM unnest($1::bigint[], $2::int[]) AS w (id, n)"
                                        " WHERE c.id = w.id AND w.n > 0"};
/* The ranking of each section comes as the text of a text[] literal ($5),
   built from the entries in memory: nothing is read back. */
static const db_stmt SQL_APPLY_PUBLISH = {
    "lottery_apply_publish",
    "INSERT INTO uni_draw_section (round, section, capacity, free, student_nos, algorithm)"
    " SELECT $1, d.id, d.capacity, d.free, d.nos::text[], $6"
    " FROM unnest($2::bigint[], $3::int[], $4::int[], $5::text[]) AS d (id, capacity, free, nos)"};
static const db_stmt SQL_DRAWN = {
    "lottery_drawn", "SELECT d.section, k.code, k.name, c.number, d.capacity, d.free,"
                     " cardinality(d.student_nos), d.algorithm FROM uni_draw_section d"
                     " JOIN uni_section c ON c.id = d.section JOIN uni_course k ON k.id = c.course"
                     " WHERE d.round = $1 ORDER BY d.section"};
static const db_stmt SQL_DRAWN_NOS = {"lottery_drawn_nos",
                                      "SELECT d.section, x.no FROM uni_draw_section d,"
                                      " unnest(d.student_nos) WITH ORDINALITY AS x (no, ord)"
                                      " WHERE d.round = $1 ORDER BY d.section, x.ord"};

static const char *
num(app_arena *a, long long v)
{
    return app_arena_printf(a, "%lld", v);
}

static void
round_fill(const db_res *r, int i, app_arena *a, db_lottery_round *o)
{
    memset(o, 0, sizeof(*o));
    o->id = db_res_int(r, i, 0);
    snprintf(o->school, sizeof(o->school), "%s", db_res_get(r, i, 1));
    snprintf(o->term, sizeof(o->term), "%s", db_res_get(r, i, 2));
    snprintf(o->kind, sizeof(o->kind), "%s", db_res_get(r, i, 3));
    snprintf(o->state, sizeof(o->state), "%s", db_res_get(r, i, 4));
    snprintf(o->commitment, sizeof(o->commitment), "%s", db_res_get(r, i, 5));
    snprintf(o->reveal, sizeof(o->reveal), "%s", db_res_get(r, i, 6));
    o->opens_at = db__dup_or_null(a, r, i, 7);
    o->closes_at = db__dup_or_null(a, r, i, 8);
    o->closed_at = db__dup_or_null(a, r, i, 9);
    o->drawn_at = db__dup_or_null(a, r, i, 10);
}

int
db_lottery_round_get(db_conn *c, const char *school, long long id, int lock, app_arena *a,
                     db_lottery_round *out, int *out_found, app_err *err)
{
    const char *p[] = {school, num(a, id)};
    db_res *r = NULL;
    int rc = db_exec(c, lock ? &SQL_ROUND_GET_LOCK : &SQL_ROUND_GET, 2, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    if (*out_found)
        round_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}

int
db_lottery_due(db_conn *c, const char *skip, long long *out_id, char out_school[11], int *out_found,
               app_err *err)
{
    const char *p[] = {skip};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_DUE, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    if (*out_found) {
        *out_id = db_res_int(r, 0, 0);
        snprintf(out_school, 11, "%s", db_res_get(r, 0, 1));
    }
    db_res_free(r);
    return 0;
}

int
db_lottery_round_close(db_conn *c, long long id, int drawn, app_arena *a, db_lottery_round *out,
                       app_err *err)
{
    const char *p[] = {num(a, id), drawn ? "true" : "false"};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_ROUND_CLOSE, 2, p, &r, err);
    if (rc != 0)
        return rc;
    int found = db_res_nrows(r) == 1;
    if (found)
        round_fill(r, 0, a, out);
    db_res_free(r);
    return found ? 0 : app_err_set(err, APP_ECONFLICT, "round_closed", "round %lld", id);
}

int
db_lottery_sections_lock(db_conn *c, long long round, app_arena *a, db_lottery_section **out,
                         int *out_n, app_err *err)
{
    const char *p[] = {num(a, round)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_SECTIONS_LOCK, 1, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_lottery_section *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    memset(v, 0, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        v[i].id = db_res_int(r, i, 0);
        v[i].capacity = (int)db_res_int(r, i, 1);
        v[i].taken = (int)db_res_int(r, i, 2);
    }
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

int
db_lottery_entries(db_conn *c, long long round, app_arena *a, db_lottery_entry **out, int *out_n,
                   app_err *err)
{
    const char *p[] = {num(a, round)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_ENTRIES, 1, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_lottery_entry *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    memset(v, 0, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        v[i].section = db_res_int(r, i, 0);
        v[i].student = db_res_int(r, i, 1);
        v[i].student_no = app_arena_strdup(a, db_res_get(r, i, 2));
    }
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}

/* "{...}" of n values printed by `put` into a (an array literal). */
static const char *
array_of(app_arena *a, int n, const void *v, void (*put)(base_buf *, const void *, int))
{
    base_buf b = {0};
    base_buf_addc(&b, '{');
    for (int i = 0; i < n; i++) {
        if (i)
            base_buf_addc(&b, ',');
        put(&b, v, i);
    }
    base_buf_addc(&b, '}');
    char *s = app_arena_strdup(a, (const char *)b.p);
    base_buf_free(&b);
    return s;
}

static void
put_student(base_buf *b, const void *v, int i)
{
    base_buf_printf(b, "%lld", ((const db_lottery_entry *)v)[i].student);
}
static void
put_section(base_buf *b, const void *v, int i)
{
    base_buf_printf(b, "%lld", ((const db_lottery_entry *)v)[i].section);
}
static void
put_rank(base_buf *b, const void *v, int i)
{
    base_buf_printf(b, "%d", ((const db_lottery_entry *)v)[i].rank);
}
static void
put_win(base_buf *b, const void *v, int i)
{
    base_buf_addc(b, ((const db_lottery_entry *)v)[i].win ? 't' : 'f');
}
static void
put_sec_id(base_buf *b, const void *v, int i)
{
    base_buf_printf(b, "%lld", ((const db_lottery_section *)v)[i].id);
}
static void
put_sec_winners(base_buf *b, const void *v, int i)
{
    base_buf_printf(b, "%d", ((const db_lottery_section *)v)[i].winners);
}
static void
put_sec_capacity(base_buf *b, const void *v, int i)
{
    base_buf_printf(b, "%d", ((const db_lottery_section *)v)[i].capacity);
}
static void
put_sec_free(base_buf *b, const void *v, int i)
{
    base_buf_printf(b, "%d", ((const db_lottery_section *)v)[i].free);
}

/* Per section, the quoted text of its ranking's array literal: {"{no1,no2}",...}
   (学号 are letters and digits, so nothing inside needs escaping). e is sorted
   by section; s[j].ranking order comes from e[].rank. */
static const char *
rankings_of(app_arena *a, const db_lottery_entry *e, int n, const db_lottery_section *s, int ns)
{
    const char **by_rank = xcalloc((size_t)(n ? n : 1), sizeof(char *));
    base_buf b = {0};
    base_buf_addc(&b, '{');
    int i = 0;
    for (int j = 0; j < ns; j++) {
        while (i < n && e[i].section < s[j].id)
            i++;
        int from = i;
        while (i < n && e[i].section == s[j].id)
            i++;
        for (int k = from; k < i; k++)
            if (e[k].rank >= 1 && e[k].rank <= i - from)
                by_rank[from + e[k].rank - 1] = e[k].student_no;
        base_buf_adds(&b, j ? ",\"{" : "\"{");
        for (int k = from; k < i; k++) {
            if (k > from)
                base_buf_addc(&b, ',');
            base_buf_adds(&b, by_rank[k] ? by_rank[k] : "");
        }
        base_buf_adds(&b, "}\"");
    }
    base_buf_addc(&b, '}');
    char *out = app_arena_strdup(a, (const char *)b.p);
    base_buf_free(&b);
    free(by_rank);
    return out;
}

int
db_lottery_apply(db_conn *c, long long round, const db_lottery_entry *e, int n,
                 const db_lottery_section *s, int ns, const char *algorithm, app_arena *a,
                 app_err *err)
{
    const char *id = num(a, round);
    const char *sel[] = {id, array_of(a, n, e, put_student), array_of(a, n, e, put_section),
                         array_of(a, n, e, put_rank), array_of(a, n, e, put_win)};
    int rc = db_exec(c, &SQL_APPLY_SELECTIONS, 5, sel, NULL, err);
    if (rc != 0)
        return rc;
    const char *ids = array_of(a, ns, s, put_sec_id);
    const char *seats[] = {ids, array_of(a, ns, s, put_sec_winners)};
    if ((rc = db_exec(c, &SQL_APPLY_SEATS, 2, seats, NULL, err)) != 0)
        return rc;
    const char *pub[] = {id,
                         ids,
                         array_of(a, ns, s, put_sec_capacity),
                         array_of(a, ns, s, put_sec_free),
                         rankings_of(a, e, n, s, ns),
                         algorithm};
    return db_exec(c, &SQL_APPLY_PUBLISH, 6, pub, NULL, err);
}

int
db_lottery_drawn_list(db_conn *c, long long round, app_arena *a, db_lottery_drawn **out, int *out_n,
                      app_err *err)
{
    const char *p[] = {num(a, round)};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_DRAWN, 1, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    db_lottery_drawn *v = app_arena_alloc(a, sizeof(*v) * (size_t)(n ? n : 1));
    memset(v, 0, sizeof(*v) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        v[i].section = db_res_int(r, i, 0);
        v[i].course_code = app_arena_strdup(a, db_res_get(r, i, 1));
        v[i].course_name = app_arena_strdup(a, db_res_get(r, i, 2));
        v[i].number = (int)db_res_int(r, i, 3);
        v[i].capacity = (int)db_res_int(r, i, 4);
        v[i].free = (int)db_res_int(r, i, 5);
        int k = (int)db_res_int(r, i, 6);
        v[i].algorithm = app_arena_strdup(a, db_res_get(r, i, 7));
        v[i].student_nos = app_arena_alloc(a, sizeof(char *) * (size_t)(k ? k : 1));
    }
    db_res_free(r);
    r = NULL;
    if ((rc = db_exec(c, &SQL_DRAWN_NOS, 1, p, &r, err)) != 0)
        return rc;
    int rows = db_res_nrows(r), j = 0;
    for (int i = 0; i < rows; i++) {
        long long sec = db_res_int(r, i, 0);
        while (j < n && v[j].section != sec)
            j++;
        if (j == n)
            break;
        v[j].student_nos[v[j].n++] = app_arena_strdup(a, db_res_get(r, i, 1));
    }
    db_res_free(r);
    *out = v;
    *out_n = n;
    return 0;
}
