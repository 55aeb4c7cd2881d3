/*
 * core/photo.c - a student's photo (see core/photo.h).
 */
#include "core/photo.h"

#include "core/files.h"
#include "core/student_int.h"
#include "db/history.h"
#include "db/photo.h"
#include "formats/image.h"

#include <stdio.h>
#include <stdlib.h>

/* Seal and store the checked photo, bump the record's version; history,
   audit entry and event. */
static int
photo_store(db_conn *db, const core_op *op, const db_student *s, const db_school *sc,
            int expect_version, const unsigned char *data, size_t len, const fmt_image_info *info,
            int *out_version, app_err *err)
{
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", s->id);
    jw w;
    jw_init(&w, op->arena);
    jw_obj(&w);
    jw_int(&w, "bytes", (long long)len);
    jw_int(&w, "width", info->width);
    jw_int(&w, "height", info->height);
    jw_end(&w);
    db_history h = {0,
                    s->id,
                    op->actor->user_id,
                    0,
                    NULL,
                    "photo",
                    op->actor->org,
                    sc->code,
                    "[{\"field\":\"/photo\"}]",
                    NULL};
    /* stored sealed under the data key (docs/decisions/0013) */
    unsigned char *sealed = NULL;
    size_t sealed_len = 0;
    long long key_id = 0;
    int rc = core_file_seal(op->env->ring, data, len, &sealed, &sealed_len, &key_id, err);
    if (rc != 0)
        return rc;
    rc = db_photo_put(db, s->id, fmt_image_mime(info->type), info->width, info->height, sealed,
                      sealed_len, key_id, err);
    free(sealed);
    if (rc != 0 || (rc = db_student_touch(db, s->id, expect_version, out_version, err)) != 0 ||
        (rc = db_history_insert(db, &h, err)) != 0 ||
        (rc = core_audit(db, op, "student.photo", "student", sid, jw_text(&w, NULL), err)) != 0)
        return rc;
    return core_event(db, "student.updated", s->id, sc->code, sc->authority, sc->province, 0,
                      "{\"photo\":true}", err);
}

int
core_photo_put(db_conn *db, const core_op *op, const char *key, int expect_version,
               const unsigned char *data, size_t len, int *out_version, app_err *err)
{
    fmt_image_info info;
    int rc = db_begin(db, err);
    if (rc != 0)
        return rc;
    db_student s;
    db_school sc;
    /* who first (404, then 403 for bureaus), then what */
    if ((rc = core__load_visible(db, op, key, 1, &s, &sc, err)) != 0)
        goto fail;
    if (op->actor->level != CORE_LEVEL_SCHOOL) {
        rc = app_err_set(err, APP_EFORBIDDEN, "forbidden", "only schools edit records");
        goto fail;
    }
    if (s.version != expect_version) {
        rc = app_err_set(err, APP_EPRECOND, "precondition_failed", "stale");
        goto fail;
    }
    if ((rc = fmt_image_check(data, len, &info, err)) != 0 ||
        (rc = photo_store(db, op, &s, &sc, expect_version, data, len, &info, out_version, err)) !=
            0)
        goto fail;
    return db_commit(db, err);
fail:
    db_rollback(db);
    return rc;
}

int
core_photo_get(db_conn *db, const core_op *op, const char *key, const char **out_mime,
               const unsigned char **out_data, size_t *out_len, app_err *err)
{
    db_student s;
    db_school sc;
    int rc = core__load_visible(db, op, key, 0, &s, &sc, err);
    if (rc != 0)
        return rc;
    const char *updated;
    int found = 0;
    if ((rc = db_photo_get(db, s.id, op->arena, out_mime, &updated, &found, err)) != 0)
        return rc;
    if (found && (rc = core_photo_bytes(db, op->env->ring, s.id, op->arena, out_data, out_len,
                                        &found, err)) != 0)
        return rc;
    if (!found)
        return app_err_set(err, APP_ENOTFOUND, "photo_not_found", "no photo");
    return 0;
}
