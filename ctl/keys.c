/*
 * ctl/keys.c - the data key ring from the environment, and xuejictl rekey
 * (docs/decisions/0005, 0013).
 */
#include "base/jw.h"
#include "core/audit.h"
#include "core/env.h"
#include "core/files.h"
#include "core/rekey.h"
#include "core/student.h"
#include "ctl/ctl.h"
#include "db/student.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A secret from NAME or NAME_FILE (as xuejid reads it), trailing blanks removed. */
int
ctl_secret(const char *name, char *buf, size_t cap)
{
    char fname[64];
    snprintf(fname, sizeof(fname), "%s_FILE", name);
    const char *v = getenv(name), *path = getenv(fname);
    buf[0] = '\0';
    if (v != NULL) {
        if (strlen(v) >= cap)
            return -1;
        snprintf(buf, cap, "%s", v);
    } else if (path != NULL) {
        FILE *f = fopen(path, "r");
        if (f == NULL) {
            fprintf(stderr, "xuejictl: %s: cannot read %s\n", fname, path);
            return -1;
        }
        size_t n = fread(buf, 1, cap - 1, f);
        fclose(f);
        buf[n] = '\0';
    }
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return 0;
}

/*
 * The key ring xuejid builds (api/config.c, api/registry.c): XUEJI_DATA_KEY
 * is the current key, XUEJI_DATA_KEYS_OLD (comma-separated) the older ones.
 * Development keys ("xueji-dev-...") only when XUEJI_ENV=development.
 */
core_pii_ring *
ctl_load_ring(void)
{
    unsigned char keys[CORE_PII_MAX_KEYS][CORE_PII_KEY_BYTES];
    char buf[1024];
    int n = 0, dev = 0, any_dev = 0;
    core_pii_ring *ring = NULL;
    if (ctl_secret("XUEJI_DATA_KEY", buf, sizeof(buf)) != 0 || buf[0] == '\0') {
        fprintf(stderr, "xuejictl: XUEJI_DATA_KEY (or XUEJI_DATA_KEY_FILE) is required: it "
                        "encrypts ID and phone numbers\n");
        goto done;
    }
    if (core_key_parse(buf, keys[n++], &dev) != 0) {
        fprintf(stderr, "xuejictl: XUEJI_DATA_KEY must be 64 hex digits (32 bytes)\n");
        goto done;
    }
    any_dev |= dev;
    sodium_memzero(buf, sizeof(buf));
    if (ctl_secret("XUEJI_DATA_KEYS_OLD", buf, sizeof(buf)) != 0)
        goto done;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (n == CORE_PII_MAX_KEYS || core_key_parse(tok, keys[n], &dev) != 0) {
            fprintf(stderr, "xuejictl: XUEJI_DATA_KEYS_OLD: up to %d keys of 64 hex digits\n",
                    CORE_PII_MAX_KEYS - 1);
            goto done;
        }
        n++;
        any_dev |= dev;
    }
    const char *mode = getenv("XUEJI_ENV");
    if (any_dev && (mode == NULL || strcmp(mode, "development") != 0)) {
        fprintf(stderr, "xuejictl: development keys (xueji-dev-...) need XUEJI_ENV=development\n");
        goto done;
    }
    if ((ring = core_pii_ring_new((const unsigned char(*)[CORE_PII_KEY_BYTES])keys, n)) == NULL)
        fprintf(stderr, "xuejictl: data keys: a key is given twice\n");
done:
    sodium_memzero(buf, sizeof(buf));
    sodium_memzero(keys, sizeof(keys));
    return ring;
}

/* ------------------------------------------------------------ rekey */

#define REKEY_FILE_BYTES (64u << 20) /* stored bytes of files re-encrypted per transaction */

/* Stored files (import uploads, evidence, photos; docs/decisions/0013):
   those in clear and those under an old key, `batch` files or about
   REKEY_FILE_BYTES per transaction. Adds to *done and *left. */
static int
rekey_files(db_conn *db, const core_pii_ring *ring, int batch, long long *done, long long *left,
            app_err *err)
{
    long long total = 0, n0 = *done;
    int rc = core_files_count_to_seal(db, ring, &total, err);
    if (rc == 0)
        printf("rekey: %lld stored files to seal under key %08llx\n", total,
               (long long)core_pii_key_id(ring, 0));
    while (rc == 0) {
        int n = 0;
        rc = core_files_seal(db, ring, 0, batch, REKEY_FILE_BYTES, &n, err);
        if (rc != 0 || n == 0)
            break;
        *done += n;
    }
    long long rest = 0;
    if (rc == 0)
        rc = core_files_count_to_seal(db, ring, &rest, err);
    if (rc == 0)
        printf("rekey: %lld stored files sealed\n", *done - n0);
    *left += rest;
    return rc;
}

/* The audit row of a rekey that changed something. */
static void
rekey_audit(db_conn *db, long long key, long long done, long long files, long long left)
{
    app_arena *a = app_arena_new();
    jw w;
    jw_init(&w, a);
    jw_obj(&w);
    jw_int(&w, "rows", done);
    jw_int(&w, "files", files);
    jw_int(&w, "left", left);
    jw_end(&w);
    char target[16];
    snprintf(target, sizeof(target), "%08llx", key);
    core_op op = {.arena = a};
    app_err e2 = {0};
    if (core_audit(db, &op, "data_rekey", "data_key", target, jw_text(&w, NULL), &e2) != 0)
        fprintf(stderr, "xuejictl: rekey: audit entry: %s\n", e2.detail);
    app_arena_free(a);
}

/* The student rows not under `env`'s current key, `batch` per transaction,
   until none is left (or a failure); the count into *done. */
static int
rekey_rows(db_conn *db, const core_env *env, int batch, long long total, long long *done,
           app_err *err)
{
    int rc = 0;
    double t0 = ctl_now_s(), last = t0;
    while (rc == 0) {
        int n = 0;
        rc = core_student_rekey(db, env, batch, &n, err);
        if (rc != 0 || n == 0)
            break;
        *done += n;
        double t = ctl_now_s();
        if (t - last >= 5) {
            last = t;
            fprintf(stderr, "rekey: %lld/%lld rows (%.0f rows/s)\n", *done, total,
                    (double)*done / (t - t0));
        }
    }
    return rc;
}

/* What a rekey tells at its end; its exit status. */
static int
rekey_report(int rc, const app_err *err, long long key, long long done, long long files,
             long long left, double secs)
{
    if (rc != 0) {
        fprintf(stderr, "xuejictl: rekey: %s after %lld rows and %lld files%s\n",
                err->detail[0] ? err->detail : app_code_name(err->code), done, files,
                strstr(err->detail, "decrypt") ? " (a row is under a key that is not in the "
                                                 "ring: add it to XUEJI_DATA_KEYS_OLD)"
                                               : "");
        return 1;
    }
    printf("rekey: %lld rows re-encrypted in %.1f s (%.0f rows/s)\n", done, secs,
           secs > 0 ? (double)done / secs : 0.0);
    if (left > 0) {
        printf("rekey: %lld rows or files are left (locked by running transactions): run it "
               "again\n",
               left);
        return 1;
    }
    printf("rekey: 0 rows left: every row and stored file is under key %08llx; the old keys "
           "may now be removed from XUEJI_DATA_KEYS_OLD\n",
           key);
    return 0;
}

/*
 * Key rotation, step 2 (docs/decisions/0005): with XUEJI_DATA_KEY = the new
 * key and XUEJI_DATA_KEYS_OLD = the old ones, re-encrypt the rows still
 * under an old key, `batch` rows per transaction, until none is left; then
 * the stored files the same way (and those still in clear).
 */
int
ctl_cmd_rekey(int batch)
{
    app_err err = {0};
    core_pii_ring *ring = ctl_load_ring();
    if (ring == NULL)
        return 1;
    db_conn *db = ctl_connect(&err);
    core_env env = {NULL, ring};
    long long key = (long long)core_pii_key_id(ring, 0), total = 0, done = 0, left = 0;
    long long files = 0;
    int rc = db_conn_ok(db) ? 0 : APP_EUNAVAIL;
    if (rc == 0 && core_student_init() != 0)
        rc = app_err_set(&err, APP_EINTERNAL, NULL, "field catalog columns");
    if (rc == 0)
        rc = db_student_count_not_under(db, key, &total, &err);
    if (rc == 0)
        printf("rekey: %lld rows to re-encrypt under key %08llx (%d keys in the ring)\n", total,
               key, core_pii_ring_count(ring));
    double t0 = ctl_now_s();
    if (rc == 0)
        rc = rekey_rows(db, &env, batch, total, &done, &err);
    double secs = ctl_now_s() - t0;
    if (rc == 0)
        rc = db_student_count_not_under(db, key, &left, &err);
    if (rc == 0)
        rc = rekey_files(db, ring, batch, &files, &left, &err);
    if (done + files > 0)
        rekey_audit(db, key, done, files, left);
    db_conn_close(db);
    core_pii_ring_free(ring);
    return rekey_report(rc, &err, key, done, files, left, secs);
}
