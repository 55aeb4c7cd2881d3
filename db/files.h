/*
 * db/files.h - evidence files (table file), and stored files (import
 * uploads, evidence files, photos) as blobs, for key rotation and for
 * sealing the rows stored in clear before migration 012
 * (docs/decisions/0013). Each kind is a table with a bytea
 * `data` and a `data_key`: the key id of the sealed value, NULL when the
 * value is in clear. The callers (core/files.c) seal and open values; this
 * layer only moves bytes, in binary (never as hex).
 */
#ifndef DB_FILES_H
#define DB_FILES_H

#include "db/db.h"

#include <stddef.h>

/* An evidence file: `data` is stored as given, sealed under `data_key`
   (docs/decisions/0013); size and sha256 (hex) are the plaintext's. */
typedef struct db_file {
    const char *org, *mime, *sha256;
    size_t size;
    long long data_key, created_by;
} db_file;

int db_file_insert(db_conn *c, const db_file *f, const unsigned char *data, size_t len,
                   long long *out_id, app_err *err);
/* How many of the ids are files of `org`. */
int db_files_owned(db_conn *c, const long long *ids, int n, const char *org, int *out_count,
                   app_err *err);

typedef enum {
    DB_BLOB_IMPORT, /* import_job.data (a deleted upload is NULL: not a blob any more) */
    DB_BLOB_FILE,   /* file.data: evidence */
    DB_BLOB_PHOTO,  /* student_photo.data, by student_id */
    DB_BLOB_NKINDS
} db_blob_kind;

/* "import", "file", "photo" (static). */
const char *db_blob_kind_name(db_blob_kind k);

/*
 * Lock (FOR UPDATE SKIP LOCKED, in the caller's transaction) and list up to
 * `limit` blobs of kind `k` to re-encrypt: those in clear, and unless
 * `clear_only` those under a key other than `key_id`; ids ascending with
 * their stored sizes (in `a`). Rows locked by others are skipped.
 */
int db_blob_ids_to_seal(db_conn *c, db_blob_kind k, long long key_id, int clear_only, int limit,
                        app_arena *a, long long **out_ids, long long **out_sizes, int *out_n,
                        app_err *err);
/* How many blobs of kind `k` are in clear or under another key than `key_id`. */
int db_blob_count_to_seal(db_conn *c, db_blob_kind k, long long key_id, long long *out,
                          app_err *err);
/*
 * The stored bytes of blob `id`: *out_data points into *out_res (free with
 * db_res_free); *out_sealed 1 when under a key. *out_found = 0 (and *out_res
 * NULL) when there is none.
 */
int db_blob_get(db_conn *c, db_blob_kind k, long long id, db_res **out_res,
                const unsigned char **out_data, size_t *out_len, int *out_sealed, int *out_found,
                app_err *err);
/* Replace blob `id` with `data` sealed under key `key_id`. */
int db_blob_put(db_conn *c, db_blob_kind k, long long id, const unsigned char *data, size_t len,
                long long key_id, app_err *err);

#endif
