/*
 * db/uni_catalog.h - a university's catalog (课程), teaching plans (培养方案)
 * and sections (教学班): the tables uni_course, uni_plan_course,
 * uni_section of migration 024 and uni_plan of migration 025
 * (docs/decisions/0039).
 *
 * No rules here beyond what the schema enforces: core/uni_catalog.h decides
 * who may, validates and audits. Strings handed back live in the arena `a`.
 * Credits are tenths (30 = 3.0 学分). A unique violation on insert is
 * APP_ECONFLICT with the slug named below; a missing referenced row is
 * APP_EINVAL "uni_reference". Every function may answer APP_EUNAVAIL,
 * APP_ERETRY, APP_EINTERNAL.
 */
#ifndef DB_UNI_CATALOG_H
#define DB_UNI_CATALOG_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

typedef struct db_uni_course {
    long long id;
    char school[11];
    const char *code, *name;
    const char *kind; /* compulsory, elective, public_elective, pe */
    int credits10;    /* tenths of a credit */
    int hours;
    long long college;
    const char *college_code; /* read back only */
    int version;
} db_uni_course;

typedef struct db_uni_plan_entry {
    long long course;
    const char *code, *name, *kind; /* the course's, read back only */
    int credits10;
    int term_no; /* 1..16 */
} db_uni_plan_entry;

typedef struct db_uni_section {
    long long id;
    char school[11];
    long long course;
    const char *course_code, *course_name; /* read back only */
    long long college;                     /* the course's, read back only */
    char term[8];
    int number; /* 课序号 */
    long long teacher;
    const char *teacher_username; /* NULL: none */
    int capacity, taken;
    int cohort;        /* 0: any */
    long long *majors; /* NULL: any */
    const char **major_codes;
    int nmajors;
    int version;
} db_uni_section;

/* ---- courses ---- */

/* Insert `in` (school, code, name, kind, credits10, hours, college).
   APP_ECONFLICT course_exists. */
int db_uni_course_insert(db_conn *c, const db_uni_course *in, app_arena *a, db_uni_course *out,
                         app_err *err);
/* The course `code` of `school` (lock: FOR UPDATE). */
int db_uni_course_get(db_conn *c, const char *school, const char *code, int lock, app_arena *a,
                      db_uni_course *out, int *out_found, app_err *err);
/* Courses by id after `after`, at most `limit`; college 0 / kind NULL: any. */
int db_uni_course_list(db_conn *c, const char *school, long long college, const char *kind,
                       long long after, int limit, app_arena *a, db_uni_course **out, int *out_n,
                       app_err *err);
/* Every course of `school` (code and id only filled besides kind). */
int db_uni_course_all(db_conn *c, const char *school, app_arena *a, db_uni_course **out, int *out_n,
                      app_err *err);
/* Update name, kind, credits10, hours, college of course in->id at version
   `version`; *out_found 0 when no row has that version. */
int db_uni_course_update(db_conn *c, const db_uni_course *in, int version, app_arena *a,
                         db_uni_course *out, int *out_found, app_err *err);

/* ---- teaching plans ---- */

/* The plan of `major` and `cohort`: *out_version 0 when never stored
   (lock: its uni_plan row FOR UPDATE), entries by term_no then course code. */
int db_uni_plan_get(db_conn *c, const char *school, long long major, int cohort, int lock,
                    app_arena *a, int *out_version, db_uni_plan_entry **out, int *out_n,
                    app_err *err);
/* Replace the plan's entries by `in` (course, term_no) and bump its version
   (created at 1), recording `user`; *out_version the new version. */
int db_uni_plan_replace(db_conn *c, const char *school, long long major, int cohort, long long user,
                        const db_uni_plan_entry *in, int n, app_arena *a, int *out_version,
                        app_err *err);

/* ---- sections ---- */

/* Insert `in` (school, course, term, number, teacher, capacity, cohort,
   majors). APP_ECONFLICT section_exists. */
int db_uni_section_insert(db_conn *c, const db_uni_section *in, app_arena *a, db_uni_section *out,
                          app_err *err);
/* Section `id` of `school` (lock: FOR UPDATE). */
int db_uni_section_get(db_conn *c, const char *school, long long id, int lock, app_arena *a,
                       db_uni_section *out, int *out_found, app_err *err);
/* The section of course `course`, term and number, if any. */
int db_uni_section_find(db_conn *c, long long course, const char *term, int number, app_arena *a,
                        db_uni_section *out, int *out_found, app_err *err);
/* Sections by id after `after`, at most `limit`; term NULL, course 0,
   college 0: any. */
int db_uni_section_list(db_conn *c, const char *school, const char *term, long long course,
                        long long college, long long after, int limit, app_arena *a,
                        db_uni_section **out, int *out_n, app_err *err);
/* Update number, teacher, capacity, cohort, majors of section in->id at
   version `version`, only while capacity >= taken: *out_found 0 when no row
   matched (stale or below taken: the caller reads again to tell). */
int db_uni_section_update(db_conn *c, const db_uni_section *in, int version, app_arena *a,
                          db_uni_section *out, int *out_found, app_err *err);

/* The enabled course_teacher account `username` of `school`: *out_id 0 when none. */
int db_uni_teacher_find(db_conn *c, const char *school, const char *username, app_arena *a,
                        long long *out_id, app_err *err);

#endif
