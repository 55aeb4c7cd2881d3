/*
 * core/rekey.h - data key rotation (docs/decisions/0005): student rows
 * written under an older key of the ring are rewritten under the current
 * one (ciphertexts and blind indexes), a batch per transaction.
 */
#ifndef CORE_REKEY_H
#define CORE_REKEY_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"

/* Re-encrypt up to `batch` rows not under the current key, in one
   transaction (all or none). *out_done counts them; 0 means nothing is
   left. Errors: the db/ error, or APP_EINTERNAL when a row does not open. */
int core_student_rekey(db_conn *db, const core_env *env, int batch, int *out_done, app_err *err);

#endif
