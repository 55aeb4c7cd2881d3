/*
 * core/rekey.c - data key rotation of student rows (see core/rekey.h).
 */
#include "core/rekey.h"

#include "core/calendar.h"
#include "core/student_int.h"

/* Rewrite student `id` (locked) under the current key `key`. */
static int
rekey_one(db_conn *db, const core_op *op, long long id, long long key, app_err *err)
{
    db_student s;
    int found = 0;
    core_record r;
    const char **vals;
    int rc;
    if ((rc = db_student_get(db, id, 1, op->arena, &s, &found, err)) != 0 ||
        (rc = core__record_of_row(op, (const char *const *)s.vals, 1, &r, err)) != 0 ||
        (rc = core__row_of_record(op, &r, &vals, err)) != 0)
        return rc;
    s.vals = vals;
    s.key_id = key;
    if (r.v[CORE_R_ID_TYPE] && r.v[CORE_R_ID_NUMBER])
        s.id_bidx = core__id_bidx(op, r.v[CORE_R_ID_TYPE], r.v[CORE_R_ID_NUMBER]);
    if ((rc = core__stuno_rewrap(op, &s, err)) != 0)
        return rc;
    return db_student_update(db, &s, s.version, err);
}

int
core_student_rekey(db_conn *db, const core_env *env, int batch, int *out_done, app_err *err)
{
    app_arena *a = app_arena_new();
    core_op op = {NULL, env, a, NULL, NULL, NULL, core_today(), NULL, NULL};
    long long key = core_pii_key_id(env->ring, 0);
    long long *ids;
    int n = 0;
    *out_done = 0;
    int rc = db_begin(db, err);
    if (rc == 0)
        rc = db_student_ids_not_under(db, key, batch, a, &ids, &n, err);
    for (int i = 0; rc == 0 && i < n; i++)
        rc = rekey_one(db, &op, ids[i], key, err);
    if (rc == 0)
        rc = db_commit(db, err);
    else
        db_rollback(db);
    if (rc == 0)
        *out_done = n;
    app_arena_free(a);
    return rc;
}
