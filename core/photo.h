/*
 * core/photo.h - a student's photo (item 13 of the record), stored sealed
 * under the data key (docs/decisions/0013).
 */
#ifndef CORE_PHOTO_H
#define CORE_PHOTO_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"

#include <stddef.h>

/*
 * Store the photo of student `key` (id or student number) the actor sees:
 * `data` (borrowed) is validated by formats/image.h. A PUT needs the
 * record's version (If-Match; stale: APP_EPRECOND) and bumps it
 * (*out_version). Not visible: APP_ENOTFOUND; a bureau: APP_EFORBIDDEN. One
 * transaction with history, audit entry and event.
 */
int core_photo_put(db_conn *db, const core_op *op, const char *key, int expect_version,
                   const unsigned char *data, size_t len, int *out_version, app_err *err);

/* The photo of a visible student, opened: MIME type and bytes in op->arena.
   No photo: APP_ENOTFOUND photo_not_found. */
int core_photo_get(db_conn *db, const core_op *op, const char *key, const char **out_mime,
                   const unsigned char **out_data, size_t *out_len, app_err *err);

#endif
