/*
 * db/photo.c - photos and check-ins (see db/photo.h).
 */
#include "db/photo.h"

#include "db/internal.h"

#include <stdio.h>
#include <string.h>

/* The photo as stored (sealed by the caller under key $6), binary. */
#define SQL_PHOTO_PUT                                                                              \
    "INSERT INTO student_photo (student_id, mime, width, height, data, data_key)"                  \
    " VALUES ($1, $2, $3, $4, $5::bytea, $6::bigint) ON CONFLICT (student_id) DO UPDATE SET"       \
    " mime = $2, width = $3, height = $4, data = $5::bytea, data_key = $6::bigint,"                \
    " version = student_photo.version + 1, updated_at = now()"

int
db_photo_put(db_conn *c, long long student_id, const char *mime, int width, int height,
             const unsigned char *data, size_t len, long long key_id, app_err *err)
{
    char sid[24], w[16], h[16], key[24];
    snprintf(sid, sizeof(sid), "%lld", student_id);
    snprintf(w, sizeof(w), "%d", width);
    snprintf(h, sizeof(h), "%d", height);
    snprintf(key, sizeof(key), "%lld", key_id);
    const char *p[] = {sid, mime, w, h, (const char *)data, key};
    int lens[] = {0, 0, 0, 0, (int)len, 0};
    int fmts[] = {0, 0, 0, 0, 1, 0};
    return db_exec_raw(c, SQL_PHOTO_PUT, 6, p, lens, fmts, 0, NULL, err);
}

static const db_stmt SQL_PHOTO_GET = {
    "photo_get", "SELECT mime, " DB__TS("updated_at") " FROM student_photo WHERE student_id = $1"};

int
db_photo_get(db_conn *c, long long student_id, app_arena *a, const char **out_mime,
             const char **out_updated_at, int *out_found, app_err *err)
{
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", student_id);
    const char *p[] = {sid};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_PHOTO_GET, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    if (*out_found) {
        *out_mime = app_arena_strdup(a, db_res_get(r, 0, 0));
        *out_updated_at = app_arena_strdup(a, db_res_get(r, 0, 1));
    }
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_CHECKIN = {"checkin_insert",
                                    "INSERT INTO checkin (student_id, term, school, by_user)"
                                    " VALUES ($1, $2, $3, nullif($4, '0')::bigint)"
                                    " ON CONFLICT (student_id, term) DO NOTHING"};

int
db_checkin_insert(db_conn *c, long long student_id, const char *term, const char *school,
                  long long by, int *out_new, app_err *err)
{
    char sid[24], who[24];
    snprintf(sid, sizeof(sid), "%lld", student_id);
    snprintf(who, sizeof(who), "%lld", by);
    const char *p[] = {sid, term, school, who};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_CHECKIN, 4, p, &r, err);
    if (rc != 0)
        return rc;
    *out_new = db_res_affected(r) > 0;
    db_res_free(r);
    return 0;
}
