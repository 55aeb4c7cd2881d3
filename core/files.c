/*
 * core/files.c - uploads at rest: sealing, opening, rotation, retention
 * (see core/files.h).
 */
#include "core/files.h"

#include "db/settings.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
core_file_sha256_hex(const unsigned char *data, size_t len, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

int
core_file_seal(const core_pii_ring *r, const unsigned char *plain, size_t len, unsigned char **out,
               size_t *out_len, long long *out_key, app_err *err)
{
    if (len > SIZE_MAX - CORE_PII_OVERHEAD)
        return app_err_set(err, APP_ETOOLARGE, NULL, "file too large to seal");
    size_t cap = len + CORE_PII_OVERHEAD;
    unsigned char *buf = xmalloc(cap);
    if (core_pii_encrypt(r, (const char *)plain, len, buf, cap, out_len) != 0) {
        free(buf);
        return app_err_set(err, APP_ETOOLARGE, NULL, "file too large to seal");
    }
    *out = buf;
    *out_key = (long long)core_pii_key_id(r, 0);
    return 0;
}

int
core_file_open(const core_pii_ring *r, const unsigned char *stored, size_t len, int sealed,
               app_arena *a, unsigned char **out, size_t *out_len, app_err *err)
{
    size_t cap = sealed ? (len >= CORE_PII_OVERHEAD ? len - CORE_PII_OVERHEAD : 0) + 1 : len + 1;
    unsigned char *buf = a ? app_arena_alloc(a, cap) : xmalloc(cap);
    *out = NULL;
    *out_len = 0;
    if (!sealed) {
        memcpy(buf, stored, len);
        buf[len] = '\0';
        *out = buf;
        *out_len = len;
        return 0;
    }
    if (core_pii_decrypt(r, stored, len, (char *)buf, cap, out_len) != 0) {
        if (a == NULL)
            free(buf);
        int ki = core_pii_decrypt_key_index(r, stored, len);
        return app_err_set(err, APP_EINTERNAL, NULL, "decrypt failed (%s)",
                           ki < 0 ? "its key is not in the ring" : "altered");
    }
    *out = buf;
    return 0;
}

/* Stored bytes of blob `id` opened into `a` (NULL: malloc'd). */
static int
blob_open(db_conn *db, const core_pii_ring *r, db_blob_kind k, long long id, app_arena *a,
          unsigned char **out, size_t *out_len, int *out_found, app_err *err)
{
    db_res *res = NULL;
    const unsigned char *stored;
    size_t len;
    int sealed = 0;
    int rc = db_blob_get(db, k, id, &res, &stored, &len, &sealed, out_found, err);
    if (rc != 0 || !*out_found)
        return rc;
    rc = core_file_open(r, stored, len, sealed, a, out, out_len, err);
    db_res_free(res);
    if (rc != 0)
        app_err_set(err, rc, NULL, "decrypt failed (%s %lld)", db_blob_kind_name(k), id);
    return rc;
}

int
core_photo_bytes(db_conn *db, const core_pii_ring *r, long long student_id, app_arena *a,
                 const unsigned char **out, size_t *out_len, int *out_found, app_err *err)
{
    unsigned char *p = NULL;
    int rc = blob_open(db, r, DB_BLOB_PHOTO, student_id, a, &p, out_len, out_found, err);
    *out = p;
    return rc;
}

int
core_import_open_upload(const core_pii_ring *r, db_import *job, app_err *err)
{
    if (!job->data_sealed || job->data == NULL)
        return 0;
    unsigned char *plain = NULL;
    size_t n = 0;
    int rc = core_file_open(r, job->data, job->data_len, 1, NULL, &plain, &n, err);
    if (rc != 0)
        return app_err_set(err, rc, NULL, "decrypt failed (import %lld)", job->id);
    /* the stored copy goes now: one copy of the file while the job runs */
    db_res_free(job->data_res);
    job->data_res = NULL;
    job->data_plain = plain;
    job->data = plain;
    job->data_len = n;
    job->data_sealed = 0;
    return 0;
}

int
core_import_upload(db_conn *db, const core_pii_ring *r, long long id, app_arena *a,
                   const unsigned char **out, size_t *out_len, app_err *err)
{
    unsigned char *p = NULL;
    int found = 0;
    int rc = blob_open(db, r, DB_BLOB_IMPORT, id, a, &p, out_len, &found, err);
    if (rc != 0)
        return rc;
    if (!found)
        return app_err_set(err, APP_ESTATE, "import_upload_deleted", "import %lld: no upload", id);
    *out = p;
    return 0;
}

/* ------------------------------------------------------------ rotation */

/* Re-encrypt blob `id` under the current key. */
static int
reseal(db_conn *db, const core_pii_ring *r, db_blob_kind k, long long id, int *out_done,
       app_err *err)
{
    unsigned char *plain = NULL, *sealed = NULL;
    size_t n = 0, sn = 0;
    long long key = 0;
    int found = 0;
    int rc = blob_open(db, r, k, id, NULL, &plain, &n, &found, err);
    if (rc != 0 || !found)
        return rc; /* gone meanwhile (an upload deleted): nothing to do */
    rc = core_file_seal(r, plain, n, &sealed, &sn, &key, err);
    sodium_memzero(plain, n);
    free(plain);
    if (rc == 0)
        rc = db_blob_put(db, k, id, sealed, sn, key, err);
    free(sealed);
    if (rc == 0)
        (*out_done)++;
    return rc;
}

int
core_files_seal(db_conn *db, const core_pii_ring *r, int clear_only, int batch, size_t max_bytes,
                int *out_done, app_err *err)
{
    long long key = (long long)core_pii_key_id(r, 0);
    app_arena *a = app_arena_new();
    size_t bytes = 0;
    int done = 0;
    *out_done = 0;
    int rc = db_begin(db, err);
    for (int k = 0; rc == 0 && k < DB_BLOB_NKINDS && done < batch && bytes < max_bytes; k++) {
        long long *ids, *sizes;
        int n = 0;
        rc = db_blob_ids_to_seal(db, (db_blob_kind)k, key, clear_only, batch - done, a, &ids,
                                 &sizes, &n, err);
        for (int i = 0; rc == 0 && i < n && bytes < max_bytes; i++) {
            rc = reseal(db, r, (db_blob_kind)k, ids[i], &done, err);
            bytes += (size_t)sizes[i];
        }
    }
    if (rc == 0)
        rc = db_commit(db, err);
    else
        db_rollback(db);
    if (rc == 0)
        *out_done = done;
    app_arena_free(a);
    return rc;
}

int
core_files_count_to_seal(db_conn *db, const core_pii_ring *r, long long *out, app_err *err)
{
    long long key = (long long)core_pii_key_id(r, 0), n;
    *out = 0;
    for (int k = 0; k < DB_BLOB_NKINDS; k++) {
        int rc = db_blob_count_to_seal(db, (db_blob_kind)k, key, &n, err);
        if (rc != 0)
            return rc;
        *out += n;
    }
    return 0;
}

/* ------------------------------------------------------------ retention */

int
core_import_purge(db_conn *db, long long now, int *out_n, app_err *err)
{
    app_arena *a = app_arena_new();
    const char **auth;
    int n = 0;
    *out_n = 0;
    int rc = db_import_kept_authorities(db, a, &auth, &n, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        db_settings s;
        int days = CORE_UPLOAD_RETENTION_DAYS, m = 0;
        if (db_settings_effective(db, auth[i], a, &s, NULL) == 0)
            days = s.import_upload_retention_days;
        if ((rc = db_import_purge(db, auth[i], days, now, &m, err)) == 0)
            *out_n += m;
    }
    app_arena_free(a);
    return rc;
}
