/*
 * tests/integration/rekey_test.c - key rotation (core_student_rekey, what
 * `xuejictl rekey` runs) and the demo generator (core/demo.h, what
 * `xuejictl demo --students` loads) against a real PostgreSQL
 * (XUEJI_TEST_DATABASE_URL). Each test works in a database of its own.
 *
 * Rotation: rows written under key A; a ring [B] alone cannot read them;
 * rekey with the ring [B, A]; then every row is under B, decrypts with [B]
 * alone to the same values, and its blind indexes are B's. The same for the
 * stored files (core_files_seal: import uploads, evidence, photos), with
 * files still in clear from before migration 012 among them.
 */
#include "core/calendar.h"
#include "core/demo.h"
#include "core/env.h"
#include "core/files.h"
#include "core/idnum.h"
#include "core/mask.h"
#include "core/pii.h"
#include "core/rekey.h"
#include "core/student.h"
#include "core/stuno.h"
#include "db/db.h"
#include "db/files.h"
#include "db/import.h"
#include "db/migrate.h"
#include "db/photo.h"
#include "db/school.h"
#include "db/student.h"
#include "tests/lib/dbtest.h"

#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SCHOOL "2141010201"
#define NSTUDENTS 7 /* one of them pending with an L number */

static db_conn *conn;
static app_arena *arena;
static core_codes *codes;
static core_pii_ring *ring_a, *ring_b, *ring_ba;
static long long class_id;

static core_pii_ring *
ring_of(const unsigned char (*keys)[CORE_PII_KEY_BYTES], int n)
{
    core_pii_ring *r = core_pii_ring_new(keys, n);
    ck_assert_ptr_nonnull(r);
    return r;
}

static void
setup(void)
{
    ck_assert_int_ge(sodium_init(), 0);
    conn = dbt_create_migrated("xueji_rk");
    app_err err = {0};
    int applied = 0;
    ck_assert_msg(db_migrate(conn, &applied, &err) == 0, "migrate: %s", err.detail);
    ck_assert_int_eq(core_student_init(), 0);
    ck_assert_msg(core_codes_load(conn, &codes, &err) == 0, "codes: %s", err.detail);
    arena = app_arena_new();

    unsigned char keys[2][CORE_PII_KEY_BYTES]; /* A, B */
    randombytes_buf(keys, sizeof(keys));
    ring_a = ring_of(&keys[0], 1);
    ring_b = ring_of(&keys[1], 1);
    unsigned char ba[2][CORE_PII_KEY_BYTES];
    memcpy(ba[0], keys[1], CORE_PII_KEY_BYTES);
    memcpy(ba[1], keys[0], CORE_PII_KEY_BYTES);
    ring_ba = ring_of((const unsigned char(*)[CORE_PII_KEY_BYTES])ba, 2);
    sodium_memzero(keys, sizeof(keys));
    sodium_memzero(ba, sizeof(ba));

    db_school s = {.code = SCHOOL,
                   .name = "建设路第一小学",
                   .county = "410102",
                   .authority = "410102",
                   .province = "410000",
                   .category = 21,
                   .system = "63"};
    ck_assert_msg(db_school_insert(conn, &s, NULL, arena, NULL, &err) == 0, "school: %s",
                  err.detail);
    db_class k = {.school = SCHOOL, .grade = 13, .number = 1, .name = "三年级(1)班"};
    db_class out;
    ck_assert_msg(db_class_insert(conn, &k, NULL, arena, &out, &err) == 0, "class: %s", err.detail);
    class_id = out.id;
}

static void
teardown(void)
{
    core_pii_ring_free(ring_a);
    core_pii_ring_free(ring_b);
    core_pii_ring_free(ring_ba);
    core_codes_free(codes);
    app_arena_free(arena);
    dbt_drop(conn);
}

/* The position of a physical column in db_student.vals. */
static int
col(const char *name)
{
    int n = 0;
    const char *const *cols = core_record_columns(&n);
    for (int i = 0; i < n; i++)
        if (strcmp(cols[i], name) == 0)
            return i;
    ck_abort_msg("no column %s", name);
    return -1;
}

/* "\x.." ciphertext -> plaintext under `ring`, or NULL when it cannot decrypt. */
static const char *
decrypt(const core_pii_ring *ring, const char *hex)
{
    ck_assert_ptr_nonnull(hex);
    ck_assert(hex[0] == '\\' && hex[1] == 'x');
    size_t hl = strlen(hex + 2), n = 0, got = 0;
    unsigned char *b = app_arena_alloc(arena, hl / 2 + 1);
    ck_assert_int_eq(sodium_hex2bin(b, hl / 2 + 1, hex + 2, hl, NULL, &n, NULL), 0);
    ck_assert_uint_gt(n, CORE_PII_OVERHEAD);
    char *out = app_arena_alloc(arena, n - CORE_PII_OVERHEAD + 1);
    if (core_pii_decrypt(ring, b, n, out, n - CORE_PII_OVERHEAD + 1, &got) != 0)
        return NULL;
    return out;
}

static const char *
encrypt(const core_pii_ring *ring, const char *plain)
{
    size_t n = strlen(plain), got = 0;
    unsigned char *b = app_arena_alloc(arena, n + CORE_PII_OVERHEAD);
    ck_assert_int_eq(core_pii_encrypt(ring, plain, n, b, n + CORE_PII_OVERHEAD, &got), 0);
    char *hex = app_arena_alloc(arena, 2 * got + 3);
    memcpy(hex, "\\x", 2);
    sodium_bin2hex(hex + 2, 2 * got + 1, b, got);
    return hex;
}

/* What a test remembers of a student it stored. */
typedef struct stored {
    long long id;
    char number[20]; /* G or L */
    char id_number[19], phone[21], f1_id[19], f2_phone[21];
} stored;

static core_demo_class
demo_class(void)
{
    core_demo_class k = {.school = SCHOOL,
                         .county = "410102",
                         .system = "63",
                         .category = 21,
                         .grade = 13,
                         .number = 1};
    return k;
}

/* Store NSTUDENTS generated students under `ring` as xuejictl demo does. */
static void
store_students(const core_pii_ring *ring, stored *out)
{
    core_env env = {codes, ring};
    core_op op = {.env = &env, .arena = arena, .today = core_today()};
    int sy = core_demo_school_year(op.today), from, until;
    core_demo_birth_window(3, sy, &from, &until);
    const char *county = "410102";
    core_demo_ids *ids = core_demo_ids_new(&county, 1, from, until);
    core_demo_rng rng;
    core_demo_rng_seed(&rng, 42);
    core_demo_class k = demo_class();
    for (int i = 0; i < NSTUDENTS; i++) {
        core_demo_student st;
        ck_assert_int_eq(core_demo_student_make(&rng, ids, &k, sy, &st), 0);
        int ncols = 0;
        core_record_columns(&ncols);
        const char **vals = app_arena_alloc(arena, sizeof(char *) * (size_t)ncols);
        app_err err = {0};
        ck_assert_int_eq(core_student_row(&op, &st.rec, vals, &err), 0);

        db_student s;
        memset(&s, 0, sizeof(s));
        memcpy(s.province, "410000", 7);
        memcpy(s.school, SCHOOL, 11);
        s.class_id = class_id;
        s.key_id = (long long)core_pii_key_id(ring, 0);
        s.vals = vals;
        s.id_bidx = core_student_bidx(&op, "id:1", st.rec.v[CORE_R_ID_NUMBER]);
        stored *m = &out[i];
        if (i == NSTUDENTS - 1) { /* pending, with a temporary L number in clear */
            core_stuno_make_l("410102", 20180101, 1234, m->number);
            s.state = "pending";
            s.stuno_kind[0] = 'L';
            s.stuno_text = m->number;
        } else {
            snprintf(m->number, sizeof(m->number), "%s", st.student_number);
            char masked[24];
            core_mask_stuno(m->number, masked, sizeof(masked));
            s.state = "enrolled";
            s.stuno_kind[0] = 'G';
            s.stuno_text = app_arena_strdup(arena, masked);
            s.stuno_enc = encrypt(ring, m->number);
        }
        s.stuno_bidx = core_student_bidx(&op, "stuno", m->number);
        ck_assert_msg(db_student_insert(conn, &s, &err) == 0, "insert: %s", err.detail);
        m->id = s.id;
        snprintf(m->id_number, sizeof(m->id_number), "%s", st.rec.v[CORE_R_ID_NUMBER]);
        snprintf(m->phone, sizeof(m->phone), "%s", st.rec.v[CORE_R_PHONE]);
        snprintf(m->f1_id, sizeof(m->f1_id), "%s", st.rec.v[CORE_R_F1 + CORE_M_ID_NUMBER]);
        snprintf(m->f2_phone, sizeof(m->f2_phone), "%s", st.rec.v[CORE_R_F2 + CORE_M_PHONE]);
    }
    core_demo_ids_free(ids);
}

static db_student
load(long long id)
{
    db_student s;
    int found = 0;
    app_err err = {0};
    ck_assert_msg(db_student_get(conn, id, DB_STUDENT_FULL, arena, &s, &found, &err) == 0,
                  "get: %s", err.detail);
    ck_assert(found);
    return s;
}

START_TEST(test_rekey_moves_every_row_to_the_new_key)
{
    stored st[NSTUDENTS];
    store_students(ring_a, st);
    long long key_a = (long long)core_pii_key_id(ring_a, 0);
    long long key_b = (long long)core_pii_key_id(ring_b, 0);
    ck_assert_int_eq(core_pii_key_id(ring_ba, 0), key_b);
    app_err err = {0};
    long long left = 0;
    ck_assert_int_eq(db_student_count_not_under(conn, key_b, &left, &err), 0);
    ck_assert_int_eq(left, NSTUDENTS);

    /* before: the new key alone reads nothing, and a rekey with it alone fails whole */
    for (int i = 0; i < NSTUDENTS; i++) {
        db_student s = load(st[i].id);
        ck_assert_int_eq(s.key_id, key_a);
        ck_assert_ptr_null(decrypt(ring_b, s.vals[col("id_number_enc")]));
        ck_assert_str_eq(decrypt(ring_a, s.vals[col("id_number_enc")]), st[i].id_number);
    }
    core_env env_b = {codes, ring_b};
    int done = -1;
    ck_assert_int_ne(core_student_rekey(conn, &env_b, 100, &done, &err), 0);
    ck_assert_int_eq(done, 0);
    ck_assert_int_eq(db_student_count_not_under(conn, key_b, &left, &err), 0);
    ck_assert_int_eq(left, NSTUDENTS);

    /* the rotation: batches of 3 until none is left */
    core_env env_ba = {codes, ring_ba};
    int total = 0, rounds = 0;
    do {
        ck_assert_msg(core_student_rekey(conn, &env_ba, 3, &done, &err) == 0, "rekey: %s",
                      err.detail);
        ck_assert_int_le(done, 3);
        total += done;
        ck_assert_int_lt(++rounds, 10);
    } while (done > 0);
    ck_assert_int_eq(total, NSTUDENTS);
    ck_assert_int_eq(db_student_count_not_under(conn, key_b, &left, &err), 0);
    ck_assert_int_eq(left, 0);

    /* after: [B] alone reads every value, and the indexes are B's */
    core_op op_b = {.env = &env_b, .arena = arena};
    for (int i = 0; i < NSTUDENTS; i++) {
        db_student s = load(st[i].id);
        ck_assert_int_eq(s.key_id, key_b);
        ck_assert_str_eq(decrypt(ring_b, s.vals[col("id_number_enc")]), st[i].id_number);
        ck_assert_str_eq(decrypt(ring_b, s.vals[col("phone_enc")]), st[i].phone);
        ck_assert_str_eq(decrypt(ring_b, s.vals[col("f1_id_number_enc")]), st[i].f1_id);
        ck_assert_str_eq(decrypt(ring_b, s.vals[col("f2_phone_enc")]), st[i].f2_phone);
        ck_assert_ptr_null(decrypt(ring_a, s.vals[col("id_number_enc")]));
        ck_assert_str_eq(s.id_bidx, core_student_bidx(&op_b, "id:1", st[i].id_number));
        ck_assert_str_eq(s.stuno_bidx, core_student_bidx(&op_b, "stuno", st[i].number));
        if (s.stuno_kind[0] == 'G') {
            ck_assert_str_eq(decrypt(ring_b, s.stuno_enc), st[i].number);
        } else {
            ck_assert_ptr_null(s.stuno_enc);
            ck_assert_str_eq(s.stuno_text, st[i].number);
        }
        /* the masks stay as they were */
        char m[32];
        core_mask_id(st[i].id_number, m, sizeof(m));
        ck_assert_str_eq(s.vals[col("id_number_mask")], m);
    }
    /* the look-up by student number finds the row under the new index */
    db_student s;
    int found = 0;
    ck_assert_int_eq(db_student_get_by_stuno(conn, core_student_bidx(&op_b, "stuno", st[0].number),
                                             0, arena, &s, &found, &err),
                     0);
    ck_assert(found);
    ck_assert_int_eq(s.id, st[0].id);

    /* a second run has nothing to do */
    ck_assert_int_eq(core_student_rekey(conn, &env_ba, 100, &done, &err), 0);
    ck_assert_int_eq(done, 0);
}
END_TEST

/* ------------------------------------------------------------ stored files */

/* A file's bytes: `tag` and a size, filled with a pattern (the last one large). */
static unsigned char *
file_bytes(const char *tag, size_t n)
{
    unsigned char *b = app_arena_alloc(arena, n);
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)('a' + i % 23);
    memcpy(b, tag, strlen(tag));
    return b;
}

/* Stored under `ring`: an import upload, an evidence file, the photo of `student`. */
static void
store_files(const core_pii_ring *ring, const unsigned char *const *plain, const size_t *len,
            long long student, long long *out_ids)
{
    app_err err = {0};
    unsigned char *sealed;
    size_t sn;
    long long key;
    char sha[65];
    /* an import upload */
    ck_assert_int_eq(core_file_seal(ring, plain[0], len[0], &sealed, &sn, &key, &err), 0);
    core_file_sha256_hex(plain[0], len[0], sha);
    db_import j = {.school = SCHOOL,
                   .mode = "create",
                   .format = "csv",
                   .sha256 = sha,
                   .size = (int)len[0],
                   .data_sealed = 1,
                   .data_key = key,
                   .created_by = 1,
                   .created_org = SCHOOL};
    int existing = 0;
    ck_assert_msg(db_import_insert(conn, &j, sealed, sn, &out_ids[0], &existing, &err) == 0,
                  "import: %s", err.detail);
    free(sealed);
    /* evidence */
    ck_assert_int_eq(core_file_seal(ring, plain[1], len[1], &sealed, &sn, &key, &err), 0);
    core_file_sha256_hex(plain[1], len[1], sha);
    db_file f = {
        .org = SCHOOL, .mime = "application/pdf", .sha256 = sha, .size = len[1], .data_key = key};
    ck_assert_msg(db_file_insert(conn, &f, sealed, sn, &out_ids[1], &err) == 0, "file: %s",
                  err.detail);
    free(sealed);
    /* a photo */
    ck_assert_int_eq(core_file_seal(ring, plain[2], len[2], &sealed, &sn, &key, &err), 0);
    ck_assert_msg(db_photo_put(conn, student, "image/png", 120, 160, sealed, sn, key, &err) == 0,
                  "photo: %s", err.detail);
    free(sealed);
    out_ids[2] = student;
}

/* The same three kinds stored in clear, as before migration 012. */
static void
store_clear(long long student, long long *out_ids)
{
    app_err err = {0};
    db_res *r = NULL;
    ck_assert_int_eq(db_exec_once(conn,
                                  "INSERT INTO import_job (school, mode, format, sha256, size,"
                                  " data, created_by, created_org) VALUES ($1, 'update', 'csv',"
                                  " 'old', 9, convert_to('old,upload', 'UTF8'), 1, $2)"
                                  " RETURNING id",
                                  2, (const char *[]){SCHOOL, SCHOOL}, &r, &err),
                     0);
    out_ids[0] = db_res_int(r, 0, 0);
    db_res_free(r);
    ck_assert_int_eq(db_exec_once(conn,
                                  "INSERT INTO file (org, mime, size, sha256, data) VALUES ($1,"
                                  " 'application/pdf', 12, 'old', convert_to('%PDF-old-file',"
                                  " 'UTF8')) RETURNING id",
                                  1, (const char *[]){SCHOOL}, &r, &err),
                     0);
    out_ids[1] = db_res_int(r, 0, 0);
    db_res_free(r);
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", student);
    ck_assert_int_eq(db_exec_once(conn,
                                  "INSERT INTO student_photo (student_id, mime, width, height,"
                                  " data) VALUES ($1, 'image/png', 1, 1,"
                                  " convert_to('old-photo', 'UTF8'))",
                                  1, (const char *[]){sid}, NULL, &err),
                     0);
    out_ids[2] = student;
}

/* Blob `id` of kind `k` opened with `ring`: 1 when it is sealed and opens to want[0..n). */
static int
opens_to(db_blob_kind k, long long id, const core_pii_ring *ring, const void *want, size_t n)
{
    db_res *res = NULL;
    const unsigned char *data;
    size_t len;
    int sealed = 0, found = 0;
    app_err err = {0};
    ck_assert_int_eq(db_blob_get(conn, k, id, &res, &data, &len, &sealed, &found, &err), 0);
    ck_assert(found);
    unsigned char *plain = NULL;
    size_t pn = 0;
    int ok = sealed && core_file_open(ring, data, len, 1, arena, &plain, &pn, &err) == 0 &&
             pn == n && memcmp(plain, want, n) == 0;
    db_res_free(res);
    return ok;
}

START_TEST(test_rekey_seals_stored_files)
{
    stored st[NSTUDENTS];
    store_students(ring_a, st);
    const size_t len[3] = {3u << 20, 2000, 300}; /* a 3 MiB upload */
    const unsigned char *plain[3] = {file_bytes("upload", len[0]), file_bytes("%PDF-", len[1]),
                                     file_bytes("\x89PNG", len[2])};
    long long ids[3], old[3];
    store_files(ring_a, plain, len, st[0].id, ids);
    store_clear(st[1].id, old);
    app_err err = {0};
    long long left = 0;
    ck_assert_int_eq(core_files_count_to_seal(conn, ring_b, &left, &err), 0);
    ck_assert_int_eq(left, 6);
    ck_assert(opens_to(DB_BLOB_IMPORT, ids[0], ring_a, plain[0], len[0]));
    ck_assert(!opens_to(DB_BLOB_IMPORT, ids[0], ring_b, plain[0], len[0]));

    /* [B] alone cannot read A's files: the batch fails whole, nothing changes */
    int done = -1;
    ck_assert_int_ne(core_files_seal(conn, ring_b, 0, 100, 64u << 20, &done, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.detail, "decrypt failed"));
    ck_assert_int_eq(done, 0);
    ck_assert_int_eq(core_files_count_to_seal(conn, ring_b, &left, &err), 0);
    ck_assert_int_eq(left, 6);

    /* the upkeep's pass (clear only) seals the old rows under B and leaves A's alone */
    ck_assert_int_eq(core_files_seal(conn, ring_b, 1, 100, 64u << 20, &done, &err), 0);
    ck_assert_int_eq(done, 3);
    ck_assert_int_eq(core_files_count_to_seal(conn, ring_b, &left, &err), 0);
    ck_assert_int_eq(left, 3);
    ck_assert(opens_to(DB_BLOB_IMPORT, old[0], ring_b, "old,upload", 10));
    ck_assert(opens_to(DB_BLOB_FILE, old[1], ring_b, "%PDF-old-file", 13));
    ck_assert(opens_to(DB_BLOB_PHOTO, old[2], ring_b, "old-photo", 9));
    ck_assert_int_eq(core_files_seal(conn, ring_b, 1, 100, 64u << 20, &done, &err), 0);
    ck_assert_int_eq(done, 0);

    /* the rotation with [B, A]: a byte budget below the upload still moves one file */
    ck_assert_msg(core_files_seal(conn, ring_ba, 0, 100, 1u << 20, &done, &err) == 0, "seal: %s",
                  err.detail);
    ck_assert_int_eq(done, 1);
    int total = done, rounds = 0;
    do {
        ck_assert_msg(core_files_seal(conn, ring_ba, 0, 1, 64u << 20, &done, &err) == 0, "seal: %s",
                      err.detail);
        ck_assert_int_le(done, 1);
        total += done;
        ck_assert_int_lt(++rounds, 10);
    } while (done > 0);
    ck_assert_int_eq(total, 3);
    ck_assert_int_eq(core_files_count_to_seal(conn, ring_b, &left, &err), 0);
    ck_assert_int_eq(left, 0);

    /* after: [B] alone reads every file as it was; A reads none */
    ck_assert(opens_to(DB_BLOB_IMPORT, ids[0], ring_b, plain[0], len[0]));
    ck_assert(opens_to(DB_BLOB_FILE, ids[1], ring_b, plain[1], len[1]));
    ck_assert(opens_to(DB_BLOB_PHOTO, ids[2], ring_b, plain[2], len[2]));
    ck_assert(!opens_to(DB_BLOB_FILE, ids[1], ring_a, plain[1], len[1]));
    const unsigned char *got = NULL;
    size_t gn = 0;
    int found = 0;
    ck_assert_int_eq(core_photo_bytes(conn, ring_b, st[0].id, arena, &got, &gn, &found, &err), 0);
    ck_assert(found && gn == len[2] && memcmp(got, plain[2], gn) == 0);
    ck_assert_int_eq(core_import_upload(conn, ring_b, ids[0], arena, &got, &gn, &err), 0);
    ck_assert(gn == len[0] && memcmp(got, plain[0], gn) == 0);
    /* a second run has nothing to do */
    ck_assert_int_eq(core_files_seal(conn, ring_ba, 0, 100, 64u << 20, &done, &err), 0);
    ck_assert_int_eq(done, 0);
}
END_TEST

/* db_idmask_fn for the test below: mark into the allocator. */
static void
mark(void *ctx, const char *prefix4, const char *birth, const char *seqs)
{
    for (const char *p = seqs; strlen(p) >= 3; p += 3) {
        char d[4] = {p[0], p[1], p[2], 0};
        core_demo_ids_mark(ctx, prefix4, atoi(birth), atoi(d));
    }
}

START_TEST(test_generated_students_are_valid_and_unique)
{
    int today = core_today(), sy = core_demo_school_year(today);
    /* grade 1 is 6 on 08-31 of its first school year, and not yet 7 */
    int from, until;
    core_demo_birth_window(1, sy, &from, &until);
    ck_assert_int_eq(from, (sy - 7) * 10000 + 901);
    ck_assert_int_eq(until, (sy - 6) * 10000 + 831);
    ck_assert_int_eq(core_demo_schooling_year(21, "54"), 6);
    ck_assert_int_eq(core_demo_schooling_year(24, "54"), 9);
    ck_assert_int_eq(core_demo_schooling_year(24, "63"), 0);
    ck_assert_int_eq(core_demo_schooling_year(16, "54"), 0);
    ck_assert_int_eq(core_demo_schooling_year(33, "63"), 12);
    ck_assert_int_eq(core_demo_school_year(20260831), 2025);
    ck_assert_int_eq(core_demo_school_year(20260901), 2026);

    /* numbers stored already are never handed out again */
    stored st[NSTUDENTS];
    store_students(ring_a, st);
    core_demo_birth_window(3, sy, &from, &until);
    const char *county = "410102";
    core_demo_ids *ids = core_demo_ids_new(&county, 1, from, until);
    app_err err = {0};
    ck_assert_int_eq(db_student_id_masks(conn, mark, ids, &err), 0);

    core_demo_rng rng;
    core_demo_rng_seed(&rng, 7);
    core_demo_class k = demo_class();
    core_record_rules rules = {codes, today, NULL, 0};
    enum { N = 3000 };
    char(*seen)[19] = app_arena_alloc(arena, sizeof(*seen) * (N + NSTUDENTS));
    for (int i = 0; i < NSTUDENTS; i++)
        memcpy(seen[i], st[i].id_number, 19);
    int men = 0;
    for (int i = 0; i < N; i++) {
        core_demo_student s;
        ck_assert_int_eq(core_demo_student_make(&rng, ids, &k, sy, &s), 0);
        core_record r = s.rec;
        app_err e = {0};
        int rc = core_record_validate(&r, &rules, arena, NULL, &e);
        ck_assert_msg(rc == 0, "student %d: %s %s %s", i, e.items[0].field, e.items[0].code,
                      e.items[0].param);
        for (int f = 0; f < CORE_NFIELDS; f++) /* already normalised */
            ck_assert_msg((r.v[f] == NULL) == (s.rec.v[f] == NULL) &&
                              (r.v[f] == NULL || strcmp(r.v[f], s.rec.v[f]) == 0),
                          "field %s changed by validation", core_fields[f].json);

        const char *id = s.rec.v[CORE_R_ID_NUMBER];
        core_idnum p;
        ck_assert_int_eq(core_idnum_parse(id, 18, today, NULL, NULL, &p, NULL), 0);
        ck_assert_str_eq(p.region, "410102");
        int birth = p.year * 10000 + p.month * 100 + p.day;
        ck_assert_int_ge(birth, from);
        ck_assert_int_le(birth, until);
        ck_assert_int_eq(p.gender, atoi(s.rec.v[CORE_R_GENDER]));
        men += p.gender == 1;
        ck_assert_str_eq(s.rec.v[CORE_R_GRADE], "13");
        ck_assert_str_eq(s.rec.v[CORE_R_CLASS], "1");
        ck_assert_int_eq(s.student_number[0], 'G');
        ck_assert_str_eq(s.student_number + 1, id);
        ck_assert_str_eq(s.rec.v[CORE_R_F1 + CORE_M_RELATION], "1");
        ck_assert_str_eq(s.rec.v[CORE_R_F2 + CORE_M_RELATION], "2");
        ck_assert_str_eq(s.rec.v[CORE_R_F1 + CORE_M_GUARDIAN], "1");
        for (int m = 0; m < 2; m++) { /* adults born 1975-1992, fathers male */
            const char *pid = s.rec.v[(m ? CORE_R_F2 : CORE_R_F1) + CORE_M_ID_NUMBER];
            ck_assert_int_eq(core_idnum_parse(pid, 18, today, NULL, NULL, &p, NULL), 0);
            ck_assert_int_ge(p.year, 1975);
            ck_assert_int_le(p.year, 1992);
            ck_assert_int_eq(p.gender, m + 1);
        }
        /* 4.5 million comparisons: ck_assert per comparison would record each
           passing check (a write to check's message file, most of the suite's time) */
        for (int j = 0; j < NSTUDENTS + i; j++)
            if (strcmp(seen[j], id) == 0)
                ck_abort_msg("ID number handed out twice");
        memcpy(seen[NSTUDENTS + i], id, 19);
    }
    ck_assert_int_gt(men, N / 3);
    ck_assert_int_lt(men, 2 * N / 3);
    core_demo_ids_free(ids);
}
END_TEST

static Suite *
rekey_suite(void)
{
    Suite *s = suite_create("rekey");
    TCase *tc = tcase_create("rotation");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_rekey_moves_every_row_to_the_new_key);
    tcase_add_test(tc, test_rekey_seals_stored_files);
    tcase_add_test(tc, test_generated_students_are_valid_and_unique);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(rekey_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
