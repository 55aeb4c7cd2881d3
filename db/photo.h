/*
 * db/photo.h - a student's photo (student_photo, one per student) and the
 * term check-ins (checkin). The photo's bytes are sealed by the caller
 * (core/) and stored as given, in binary.
 */
#ifndef DB_PHOTO_H
#define DB_PHOTO_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

#include <stddef.h>

/* `data` stored as given, sealed under `key_id` (docs/decisions/0013). */
int db_photo_put(db_conn *c, long long student_id, const char *mime, int width, int height,
                 const unsigned char *data, size_t len, long long key_id, app_err *err);
/* The photo's type and time; *out_found = 0 when there is none. Its bytes:
   db_blob_get(DB_BLOB_PHOTO, student_id) (db/files.h). */
int db_photo_get(db_conn *c, long long student_id, app_arena *a, const char **out_mime,
                 const char **out_updated_at, int *out_found, app_err *err);
/* Record a check-in; *out_new = 0 when the student had already checked in for the term. */
int db_checkin_insert(db_conn *c, long long student_id, const char *term, const char *school,
                      long long by, int *out_new, app_err *err);

#endif
