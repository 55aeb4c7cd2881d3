/*
 * db/system_change.c - the statements of a school system change (see
 * db/system_change.h).
 */
#include "db/system_change.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTIVE "('pending', 'enrolled', 'suspended')"

static const db_stmt SQL_BY_GRADE = {
    "system_active_by_grade",
    "SELECT grade, count(*) FROM student WHERE school = $1 AND state IN " ACTIVE " GROUP BY grade"};

int
db_system_active_by_grade(db_conn *c, const char *school, long long counts[40], app_err *err)
{
    const char *p[] = {school};
    db_res *r = NULL;
    memset(counts, 0, sizeof(long long) * 40);
    int rc = db_exec(c, &SQL_BY_GRADE, 1, p, &r, err);
    if (rc != 0)
        return rc;
    for (int i = 0; i < db_res_nrows(r); i++) {
        long long g = db_res_int(r, i, 0);
        if (g >= 0 && g < 40)
            counts[g] = db_res_int(r, i, 1);
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_CLASSES = {
    "system_classes_ensure",
    "INSERT INTO class (school, grade, number, name, size_limit)"
    " SELECT $1, $3::smallint, c.number, $4 || '(' || c.number || ')班', c.size_limit"
    " FROM class c WHERE c.school = $1 AND c.grade = $2::smallint AND EXISTS (SELECT 1 FROM"
    " student s WHERE s.class_id = c.id AND s.state IN " ACTIVE ")"
    " ON CONFLICT (school, grade, number) DO NOTHING"};

int
db_system_classes_ensure(db_conn *c, const char *school, int from, int to, const char *to_label,
                         int *out_created, app_err *err)
{
    char f[8], t[8];
    snprintf(f, sizeof(f), "%d", from);
    snprintf(t, sizeof(t), "%d", to);
    const char *p[] = {school, f, t, to_label};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CLASSES, 4, p, &r, err);
    if (rc == 0)
        *out_created = (int)db_res_affected(r);
    db_res_free(r);
    return rc;
}

/* One statement: the pupils move, then their history rows are written. */
static const db_stmt SQL_REMAP = {
    "system_remap",
    "WITH m AS (SELECT * FROM unnest($2::smallint[], $3::smallint[]) AS m (from_g, to_g)),"
    " moved AS (UPDATE student s SET grade = m.to_g, class_id = c.id, version = s.version + 1,"
    " updated_at = now() FROM m, class c WHERE s.school = $1 AND s.grade = m.from_g"
    " AND s.state IN " ACTIVE " AND c.school = $1 AND c.grade = m.to_g AND c.number = s.class_no"
    " RETURNING s.id, m.from_g, m.to_g),"
    " h AS (INSERT INTO student_history (student_id, kind, actor_id, actor_org, school, changes)"
    " SELECT id, 'system_change', $4::bigint, $5, $1, jsonb_build_array(jsonb_build_object("
    "'field', '/grade', 'old', from_g::text, 'new', to_g::text)) FROM moved)"
    " SELECT id FROM moved ORDER BY id"};

/* "{a,b,...}" of n numbers, in `a`. */
static const char *
int_array(app_arena *a, const int *v, int n)
{
    char *s = app_arena_alloc(a, (size_t)n * 12 + 3);
    size_t k = 0;
    s[k++] = '{';
    for (int i = 0; i < n; i++)
        k += (size_t)sprintf(s + k, i ? ",%d" : "%d", v[i]);
    s[k++] = '}';
    s[k] = '\0';
    return s;
}

int
db_system_remap(db_conn *c, const char *school, const int *from, const int *to, int n,
                long long actor_id, const char *actor_org, app_arena *a, long long **out_ids,
                int *out_n, app_err *err)
{
    char actor[24];
    snprintf(actor, sizeof(actor), "%lld", actor_id);
    const char *p[] = {school, int_array(a, from, n), int_array(a, to, n), actor, actor_org};
    db_res *r = NULL;
    *out_ids = NULL;
    *out_n = 0;
    int rc = db_exec(c, &SQL_REMAP, 5, p, &r, err);
    if (rc != 0)
        return rc;
    int rows = db_res_nrows(r);
    *out_ids = app_arena_alloc(a, sizeof(long long) * (size_t)(rows ? rows : 1));
    for (int i = 0; i < rows; i++)
        (*out_ids)[i] = db_res_int(r, i, 0);
    *out_n = rows;
    db_res_free(r);
    return 0;
}
