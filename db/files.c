/*
 * db/files.c - stored files as blobs (see db/files.h).
 */
#include "db/files.h"

#include "base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One kind's statements. `live` restricts to rows that hold a blob. */
#define TO_SEAL(t, id, live)                                                                       \
    "SELECT " id ", octet_length(data) FROM " t " WHERE " id " = ANY (ARRAY("                      \
    "(SELECT " id " FROM " t " WHERE " live " data_key IS NULL LIMIT $2) UNION ALL"                \
    " (SELECT " id " FROM " t " WHERE " live " NOT $3::boolean AND data_key < $1"                  \
    " ORDER BY data_key LIMIT $2) UNION ALL"                                                       \
    " (SELECT " id " FROM " t " WHERE " live " NOT $3::boolean AND data_key > $1"                  \
    " ORDER BY data_key LIMIT $2)))"                                                               \
    " AND " live " true ORDER BY " id " LIMIT $2 FOR UPDATE SKIP LOCKED"
#define COUNT(t, live)                                                                             \
    "SELECT count(*) FROM " t " WHERE " live " (data_key IS NULL OR data_key <> $1)"
#define GET(t, id)                                                                                 \
    "SELECT data, (data_key IS NOT NULL)::text FROM " t " WHERE " id " = $1 AND data IS NOT NULL"
#define PUT(t, id) "UPDATE " t " SET data = $2::bytea, data_key = $3::bigint WHERE " id " = $1"

static const struct {
    const char *name;
    db_stmt to_seal, count;
    const char *get, *put;
} kinds[DB_BLOB_NKINDS] = {
    [DB_BLOB_IMPORT] = {"import",
                        {"blob_import_to_seal",
                         TO_SEAL("import_job", "id", "data IS NOT NULL AND")},
                        {"blob_import_count", COUNT("import_job", "data IS NOT NULL AND")},
                        GET("import_job", "id"),
                        PUT("import_job", "id")},
    [DB_BLOB_FILE] = {"file",
                      {"blob_file_to_seal", TO_SEAL("file", "id", "")},
                      {"blob_file_count", COUNT("file", "")},
                      GET("file", "id"),
                      PUT("file", "id")},
    [DB_BLOB_PHOTO] = {"photo",
                       {"blob_photo_to_seal", TO_SEAL("student_photo", "student_id", "")},
                       {"blob_photo_count", COUNT("student_photo", "")},
                       GET("student_photo", "student_id"),
                       PUT("student_photo", "student_id")},
};

const char *
db_blob_kind_name(db_blob_kind k)
{
    return kinds[k].name;
}

int
db_blob_ids_to_seal(db_conn *c, db_blob_kind k, long long key_id, int clear_only, int limit,
                    app_arena *a, long long **out_ids, long long **out_sizes, int *out_n,
                    app_err *err)
{
    char key[24], lim[16];
    snprintf(key, sizeof(key), "%lld", key_id);
    snprintf(lim, sizeof(lim), "%d", limit);
    const char *p[] = {key, lim, clear_only ? "true" : "false"};
    db_res *r = NULL;
    int rc = db_exec(c, &kinds[k].to_seal, 3, p, &r, err);
    if (rc != 0)
        return rc;
    int n = db_res_nrows(r);
    *out_ids = app_arena_alloc(a, sizeof(long long) * (size_t)(n ? n : 1));
    *out_sizes = app_arena_alloc(a, sizeof(long long) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        (*out_ids)[i] = db_res_int(r, i, 0);
        (*out_sizes)[i] = db_res_int(r, i, 1);
    }
    *out_n = n;
    db_res_free(r);
    return 0;
}

int
db_blob_count_to_seal(db_conn *c, db_blob_kind k, long long key_id, long long *out, app_err *err)
{
    char key[24];
    snprintf(key, sizeof(key), "%lld", key_id);
    const char *p[] = {key};
    db_res *r = NULL;
    int rc = db_exec(c, &kinds[k].count, 1, p, &r, err);
    if (rc != 0)
        return rc;
    *out = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

int
db_blob_get(db_conn *c, db_blob_kind k, long long id, db_res **out_res,
            const unsigned char **out_data, size_t *out_len, int *out_sealed, int *out_found,
            app_err *err)
{
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", id);
    const char *p[] = {sid};
    db_res *r = NULL;
    /* binary result: data as bytes; the flag as its text (a text column's binary form) */
    int rc = db_exec_raw(c, kinds[k].get, 1, p, NULL, NULL, 1, &r, err);
    if (rc != 0)
        return rc;
    *out_found = db_res_nrows(r) > 0;
    *out_res = NULL;
    *out_data = NULL;
    *out_len = 0;
    *out_sealed = 0;
    if (!*out_found) {
        db_res_free(r);
        return 0;
    }
    *out_res = r;
    *out_data = (const unsigned char *)db_res_get(r, 0, 0);
    *out_len = db_res_len(r, 0, 0);
    *out_sealed = db_res_get(r, 0, 1)[0] == 't';
    return 0;
}

int
db_blob_put(db_conn *c, db_blob_kind k, long long id, const unsigned char *data, size_t len,
            long long key_id, app_err *err)
{
    char sid[24], key[24];
    snprintf(sid, sizeof(sid), "%lld", id);
    snprintf(key, sizeof(key), "%lld", key_id);
    const char *p[] = {sid, (const char *)data, key};
    int lens[] = {0, (int)len, 0};
    int fmts[] = {0, 1, 0};
    return db_exec_raw(c, kinds[k].put, 3, p, lens, fmts, 0, NULL, err);
}

/* ------------------------------------------------------------ evidence files */

/* The file as stored (sealed by the caller, binary: no hex); hash and size
   are the plaintext's. */
#define SQL_FILE_INSERT                                                                            \
    "INSERT INTO file (org, mime, size, sha256, data, data_key, created_by) VALUES ($1, $2,"       \
    " $3, $4, $5::bytea, $6::bigint, nullif($7, '0')::bigint) RETURNING id"

int
db_file_insert(db_conn *c, const db_file *f, const unsigned char *data, size_t len,
               long long *out_id, app_err *err)
{
    char size[24], who[24], key[24];
    snprintf(size, sizeof(size), "%zu", f->size);
    snprintf(who, sizeof(who), "%lld", f->created_by);
    snprintf(key, sizeof(key), "%lld", f->data_key);
    const char *p[] = {f->org, f->mime, size, f->sha256, (const char *)data, key, who};
    int lens[] = {0, 0, 0, 0, (int)len, 0, 0};
    int fmts[] = {0, 0, 0, 0, 1, 0, 0};
    db_res *r = NULL;
    int rc = db_exec_raw(c, SQL_FILE_INSERT, 7, p, lens, fmts, 0, &r, err);
    if (rc != 0)
        return rc;
    *out_id = db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}

static const db_stmt SQL_FILES_OWNED = {
    "files_owned", "SELECT count(*) FROM file WHERE id = ANY($1::bigint[]) AND org = $2"};

int
db_files_owned(db_conn *c, const long long *ids, int n, const char *org, int *out_count,
               app_err *err)
{
    base_buf b = {0};
    base_buf_printf(&b, "{");
    for (int i = 0; i < n; i++)
        base_buf_printf(&b, "%s%lld", i ? "," : "", ids[i]);
    base_buf_printf(&b, "}");
    const char *p[] = {(const char *)b.p, org};
    db_res *r = NULL;
    int rc = db_exec(c, &SQL_FILES_OWNED, 2, p, &r, err);
    free(b.p);
    if (rc != 0)
        return rc;
    *out_count = (int)db_res_int(r, 0, 0);
    db_res_free(r);
    return 0;
}
