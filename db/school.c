/*
 * db/school.c - school and class queries.
 */
#include "db/school.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHOOL_COLS                                                                            \
    "code, name, county, authority, province, category, system, closed, version,"              \
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                \
    " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const db_stmt SQL_GET = {"school_get",
                                "SELECT " SCHOOL_COLS " FROM school WHERE code = $1"};

void db__school_fill(const db_res *r, int row, app_arena *a, db_school *s);

void
db__school_fill(const db_res *r, int row, app_arena *a, db_school *s)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->code, sizeof(s->code), "%s", db_res_get(r, row, 0));
    s->name = app_arena_strdup(a, db_res_get(r, row, 1));
    snprintf(s->county, sizeof(s->county), "%s", db_res_get(r, row, 2));
    snprintf(s->authority, sizeof(s->authority), "%s", db_res_get(r, row, 3));
    snprintf(s->province, sizeof(s->province), "%s", db_res_get(r, row, 4));
    s->category = (int)db_res_int(r, row, 5);
    s->system = app_arena_strdup(a, db_res_get(r, row, 6));
    s->closed = db_res_get(r, row, 7)[0] == 't';
    s->version = (int)db_res_int(r, row, 8);
    s->created_at = app_arena_strdup(a, db_res_get(r, row, 9));
    s->updated_at = app_arena_strdup(a, db_res_get(r, row, 10));
}

int
db_school_get(db_conn *c, const char *code, app_arena *a, db_school *out, int *out_found,
              app_err *err)
{
    const char *p[] = {code};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_GET, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) == 1;
    if (*out_found)
        db__school_fill(r, 0, a, out);
    db_res_free(r);
    return 0;
}
