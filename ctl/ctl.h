/*
 * ctl/ctl.h - what the files of xuejictl share (private to ctl/).
 *
 *   ctl/main.c           dispatch, usage, option parsing, shared helpers
 *   ctl/admin.c          migrate, check-id
 *   ctl/audit.c          audit verify, audit pubkey (the sealed trail, ADR 0023)
 *   ctl/demo.c           demo: the demo province (schools, classes, accounts)
 *   ctl/demo_students.c  demo --students: generated students loaded with COPY
 *   ctl/gen_import.c     gen-import: an import file of new valid students
 *   ctl/keys.c           the data key ring from the environment, rekey
 *   ctl/lottery.c        lottery-verify: re-run a selection round's published draw
 *
 * Every ctl_cmd_* returns the process's exit status and prints its own
 * messages (stdout: results, stderr: progress and errors).
 */
#ifndef CTL_CTL_H
#define CTL_CTL_H

#include "base/arena.h"
#include "base/err.h"
#include "core/pii.h"
#include "db/db.h"

/* ---- ctl/main.c ---- */

/* A connection to XUEJI_DATABASE_URL (default postgresql:///xueji); check
   db_conn_ok. */
db_conn *ctl_connect(app_err *err);
/* The monotonic clock in seconds (progress rates). */
double ctl_now_s(void);

/* ---- ctl/admin.c ---- */

int ctl_cmd_migrate(void);
int ctl_cmd_check_id(const char *number);

/* ---- ctl/audit.c ---- */

int ctl_cmd_audit_verify(void);
int ctl_cmd_audit_pubkey(void);

/* ---- ctl/demo.c ---- */

#define CTL_DEMO_NSCHOOLS 20

typedef struct ctl_demo_school {
    const char *code, *name, *county, *authority, *system;
} ctl_demo_school;

/* The demo province's schools (CTL_DEMO_NSCHOOLS of them). */
extern const ctl_demo_school ctl_demo_schools[];

/* `xuejictl demo`: migrate, load the province, then (students > 0) top its
   schools up to `students` (ctl_demo_students). */
int ctl_cmd_demo(long long students, int jobs, int sample);

/* ---- ctl/demo_select.c ---- */
/* Course selection of the demo university for term 2026-2 (its sections made
   by the catalog demo first): a preselect round open now with oversubscribed
   pre-selections, and an add/drop round after it. Idempotent. Exit status. */
int ctl_demo_selection(db_conn *db);

/* ---- ctl/demo_uni.c ---- */

/* The demo university (docs/decisions/0032): structure, offices, calendar and
   students with accounts, all with `password`; nothing when it exists. Prints
   the accounts. 0, or 1 (reported on stderr). */
int ctl_demo_university(db_conn *db, const char *password);

/* ---- ctl/demo_grades.c ---- */

/* Grades of term 2025-2 for the demo university's students (courses DG...,
   sections, preloaded selections; docs/decisions/0043), after
   ctl_demo_university. Idempotent. 0, or 1 (reported on stderr). */
int ctl_demo_grades(db_conn *db);

/* ---- ctl/demo_courses.c ---- */

/* The demo university's catalog (issue 17), made as its registrar section
   right after the university (ctl/demo_uni.c): courses, the plans of every
   major for the cohorts 2023-2026, course teachers zyut.teacher1..12 (with
   `password_hash`), sections of 2026-1 and 2026-2 (the 2026-2 electives,
   PE and public electives with 10-30 seats). Prints a line. 0 or an app
   code in err. The selection demo runs after it. */
struct core_env;
int ctl_demo_catalog(db_conn *db, const struct core_env *env, const char *password_hash,
                     app_err *err);

/* ---- ctl/demo_students.c ---- */

#define CTL_DEMO_SAMPLE_MAX 10000 /* --print-sample */

/* Top the demo schools up to `want` students with `jobs` loader threads on
   `url`; print `sample` of them. Exit status. */
int ctl_demo_students(db_conn *db, const char *url, long long want, int jobs, int sample);
/* db_idmask_fn over a core_demo_ids (ctx): stored numbers the generator
   must not hand out again. */
void ctl_mark_stored(void *ctx, const char *prefix4, const char *birth, const char *seqs);

/* ---- ctl/demo_pool.c ---- */

/* The grade 16 of a demo primary school graduated into the graduate pool
   (nothing when it has none left). */
struct core_env;
int ctl_demo_pool(db_conn *db, const struct core_env *env, app_err *err);

/* ---- ctl/gen_import.c ---- */

/* xuejictl tokens (ctl/tokens.c): a signed access token per student account of
   university `school`, each with a session, into `path`; `ttl` 60..900 s. */
int ctl_cmd_tokens(const char *school, const char *path, int ttl);
int ctl_cmd_gen_import(long long rows, const char *school, const char *format, int grade, int first,
                       int last, const char *out_path);

/* ---- ctl/lottery.c ---- */

/* `xuejictl lottery-verify`: round `round` from the database, or the
   published draw saved in `file` (not NULL). */
int ctl_cmd_lottery_verify(long long round, const char *file);

/* ---- ctl/keys.c ---- */

/* A secret from NAME or NAME_FILE (as xuejid reads it) into buf, trailing
   blanks removed ("" when neither is set); -1 (printed) when unreadable or
   too long. */
int ctl_secret(const char *name, char *buf, size_t cap);

/* The key ring xuejid builds from XUEJI_DATA_KEY and XUEJI_DATA_KEYS_OLD (or
   their _FILE forms), or NULL with the reason printed. */
core_pii_ring *ctl_load_ring(void);
int ctl_cmd_rekey(int batch);

#endif
