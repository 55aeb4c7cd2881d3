/*
 * core/files.h - uploads at rest (docs/decisions/0013): import uploads,
 * evidence files and photos are stored sealed under the data key, one
 * XChaCha20-Poly1305 value per file in the format of core/pii.h, and opened
 * only where they are used (the import worker, errors.xlsx, the photo
 * download). Rows stored in clear before migration 012 (`data_key` NULL)
 * are still read, and sealed by core_files_seal(). An import's upload is
 * deleted after the retention period of its school's authority
 * (`import_upload_retention_days`, region settings), or as soon as the job
 * ends refused as a whole (no errors file is offered then).
 *
 * Plaintext buffers are the caller's: malloc'd ones are wiped and freed by
 * whoever the function names; arena ones die with the arena.
 */
#ifndef CORE_FILES_H
#define CORE_FILES_H

#include "base/arena.h"
#include "base/err.h"
#include "core/pii.h"
#include "db/db.h"
#include "db/files.h"
#include "db/import.h"

#include <stddef.h>

/* SHA-256 of data[0..len) as 64 lower-case hex digits and a NUL. */
void core_file_sha256_hex(const unsigned char *data, size_t len, char out[65]);

/*
 * Seal `len` bytes under the ring's current key: *out (malloc'd, free() it)
 * gets len + CORE_PII_OVERHEAD bytes, *out_key the key id. Returns 0, or
 * APP_ETOOLARGE when len is beyond what one value may hold.
 */
int core_file_seal(const core_pii_ring *r, const unsigned char *plain, size_t len,
                   unsigned char **out, size_t *out_len, long long *out_key, app_err *err);

/*
 * Open a stored file: decrypt it when `sealed`, else copy it (stored in clear
 * before migration 012). Into `a`, or malloc'd when `a` is NULL (the caller
 * wipes and frees it). A NUL follows the bytes. Errors: APP_EINTERNAL when
 * it does not decrypt (its key is not in the ring, or it was altered).
 */
int core_file_open(const core_pii_ring *r, const unsigned char *stored, size_t len, int sealed,
                   app_arena *a, unsigned char **out, size_t *out_len, app_err *err);

/* The photo of student `student_id`, opened into `a`; *out_found = 0 when none. */
int core_photo_bytes(db_conn *db, const core_pii_ring *r, long long student_id, app_arena *a,
                     const unsigned char **out, size_t *out_len, int *out_found, app_err *err);

/*
 * A claimed import job's upload (db_import_claim) opened for the worker:
 * `data` then points at the plaintext (job->data_plain), and the stored copy
 * is freed at once. A job stored in clear is left as it is.
 */
int core_import_open_upload(const core_pii_ring *r, db_import *job, app_err *err);

/*
 * The upload of import job `id`, opened into `a` (errors.xlsx). APP_ESTATE
 * "import_upload_deleted" when it was deleted (retention), APP_ENOTFOUND
 * "import_not_found" when there is no such job.
 */
int core_import_upload(db_conn *db, const core_pii_ring *r, long long id, app_arena *a,
                       const unsigned char **out, size_t *out_len, app_err *err);

/*
 * One transaction of sealing: stored files (imports, then evidence, then
 * photos) in clear and, unless `clear_only`, under a key other than the
 * ring's current one, re-encrypted under it. At most `batch` files and about
 * `max_bytes` stored bytes (at least one file) per call; one file is in
 * memory at a time (its stored copy, plaintext and new copy). Files locked
 * by running transactions are skipped. *out_done counts the files sealed; 0
 * means none was left. Errors: APP_EINTERNAL "decrypt failed" for a file
 * under a key that is not in the ring (nothing of the batch is kept).
 */
int core_files_seal(db_conn *db, const core_pii_ring *r, int clear_only, int batch,
                    size_t max_bytes, int *out_done, app_err *err);
/* Stored files still in clear or under another key than the current one. */
int core_files_count_to_seal(db_conn *db, const core_pii_ring *r, long long *out, app_err *err);

/* The default of region setting import_upload_retention_days. */
#define CORE_UPLOAD_RETENTION_DAYS 7

/*
 * Delete the uploads that are no longer kept: those of finished jobs whose
 * end is at least the retention period of their school's authority before
 * `now` (Unix seconds; the caller's clock, injectable for tests), and those
 * of jobs refused as a whole. The jobs, their counts and errors stay.
 * *out_n counts the uploads deleted.
 */
int core_import_purge(db_conn *db, long long now, int *out_n, app_err *err);

#endif
