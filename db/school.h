/*
 * db/school.h - schools and classes.
 *
 * No rules here beyond what the schema enforces: api/ checks the shape of
 * codes and names, core/school.h the locations, authorities and grades, and
 * the jurisdiction.
 */
#ifndef DB_SCHOOL_H
#define DB_SCHOOL_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

typedef struct db_school {
    char code[11];
    const char *name;
    char county[7], authority[7], province[7];
    int category;
    const char *system; /* "63" or "54" */
    int closed;
    int version;
    const char *created_at, *updated_at;      /* ISO 8601 */
    const char *county_name, *authority_name; /* region names; "" when unknown */
    const char *merged_into;                  /* the school it was merged into, or NULL */
} db_school;

/* 0 with *out_found = 0 when there is no such school. */
int db_school_get(db_conn *c, const char *code, app_arena *a, db_school *out, int *out_found,
                  app_err *err);

/* The same, locking the row (FOR UPDATE) for the caller's transaction. */
int db_school_get_for_update(db_conn *c, const char *code, app_arena *a, db_school *out,
                             int *out_found, app_err *err);
/* The same, FOR SHARE: an update of the row (a merge closing it) waits for
   the caller's transaction and the other way round; writers of rows that
   reference the school (KEY SHARE) do not. */
int db_school_get_for_share(db_conn *c, const char *code, app_arena *a, db_school *out,
                            int *out_found, app_err *err);

/*
 * A page of schools by code. Every filter is optional (NULL = any):
 * `authority_like` and `county_like` are LIKE patterns on the competent
 * authority and on the location ("41%", "4101%", "410102"), `code` an exact
 * school code, `name_ilike` an ILIKE pattern whose % and _ the caller has
 * escaped with a backslash. Codes greater than `after` ("" = from the
 * start), at most `limit` rows.
 */
typedef struct db_school_filter {
    const char *authority_like, *county_like, *code, *name_ilike;
    const char *after;
    int limit;
} db_school_filter;
int db_school_list(db_conn *c, const db_school_filter *f, app_arena *a, db_school **out, int *out_n,
                   app_err *err);

/*
 * New school from s (code, name, county, authority, province, category,
 * system; closed false, version 1); *out fills the stored row.
 * With out_created NULL a taken code is APP_ECONFLICT (slug "school_exists");
 * with out_created set the insert is skipped instead and *out_created = 0
 * (idempotent loaders), and `out` may then be NULL.
 */
int db_school_insert(db_conn *c, const db_school *s, int *out_created, app_arena *a, db_school *out,
                     app_err *err);

/*
 * Store name, authority, system and closed of s->code when its version is
 * still `expect_version`; the version goes up by one. APP_EPRECOND when the
 * version moved, APP_ENOTFOUND when the school is gone.
 */
int db_school_update(db_conn *c, const db_school *s, int expect_version, app_arena *a,
                     db_school *out, app_err *err);

/*
 * Location check for a new school: *out_ok = 1 when `code` is a current
 * (not retired) region of level county, or of level city with no child
 * regions (东莞 441900: docs/decisions/0002).
 */
int db_school_location_ok(db_conn *c, const char *code, int *out_ok, app_err *err);

typedef struct db_class {
    long long id;
    char school[11];
    int grade, number;
    const char *name;
    int size_limit; /* 0 = none */
    int version;
    const char *created_at;
} db_class;

/* Classes of `school` after (grade, number) = (after_grade, after_number), by grade and
   number, at most `limit` (pass 0, 0 for the first page). */
int db_class_list(db_conn *c, const char *school, int after_grade, int after_number, int limit,
                  app_arena *a, db_class **out, int *out_n, app_err *err);

/* The distinct grades that have classes in `school`, ascending. */
int db_class_grades(db_conn *c, const char *school, app_arena *a, int **out, int *out_n,
                    app_err *err);

/*
 * New class. With out_created NULL a taken (school, grade, number) is
 * APP_ECONFLICT (slug "class_exists"); with out_created set it is skipped
 * (*out_created = 0) and `out` may be NULL.
 */
int db_class_insert(db_conn *c, const db_class *k, int *out_created, app_arena *a, db_class *out,
                    app_err *err);

/* The id of class (school, grade, number), 0 when none. */
int db_class_id(db_conn *c, const char *school, int grade, int number, long long *out_id,
                app_err *err);

/* ---- merges (学校合并): the rules are core/school_merge.h's ---- */

/* Lock the rows of schools `a` and `b` (may be equal) for the caller's
   transaction, in code order, so that two merges of the same pair in
   opposite directions queue instead of deadlocking, then the rows of their
   students: a request being started about one of them (which holds its
   student's row) commits first and the merge sees it, then the rows of their
   classes: a registration placing students there (it holds the class rows)
   commits first and the merge sees its request. Absent codes lock nothing. */
int db_school_lock_pair(db_conn *c, const char *a, const char *b, app_err *err);

/* Open requests (state open or returned) whose school or other_school is
   `a` or `b`; open problem records whose school or other_school is. */
int db_school_open_requests(db_conn *c, const char *a, const char *b, long long *out_n,
                            app_err *err);
int db_school_open_problems(db_conn *c, const char *a, const char *b, long long *out_n,
                            app_err *err);

/* The distinct grades of the classes and of the students (any state) of
   `school`, ascending. */
int db_school_grades_in_use(db_conn *c, const char *school, app_arena *a, int **out, int *out_n,
                            app_err *err);

/* A class of the merged school whose (grade, number) is taken at the
   surviving one, and the number it takes there. */
typedef struct db_renumber {
    long long class_id;
    int grade, from, to;
    const char *name;     /* its display name now */
    const char *new_name; /* the name to give it, or NULL to keep `name` */
} db_renumber;

/*
 * The classes of `from` whose (grade, number) `into` already has, by grade
 * and number, each with `to` = the highest number of its grade over both
 * schools + 1, + 2, ... in that order (so no number clashes with a class
 * that keeps its own). `to` may exceed 99: the caller checks. new_name NULL.
 */
int db_school_merge_plan(db_conn *c, const char *from, const char *into, app_arena *a,
                         db_renumber **out, int *out_n, app_err *err);

typedef struct db_merge {
    const char *from, *into;
    const db_renumber *renumbered; /* from db_school_merge_plan(), new_name filled in */
    int nrenumbered;
    long long actor_id;         /* 0: none */
    const char *actor_org;      /* for history */
    const char *into_authority; /* for the change feed */
    const char *into_province;  /* the students' new partition key, and the feed's */
} db_merge;

/*
 * The effect of a merge, set-based, in the caller's transaction: every class
 * of `from` moves to `into` (renumbered ones take their `to` and new_name);
 * every student of `from`, in any state, moves too (school, province, class
 * number when its class was renumbered, version + 1, updated_at), with one
 * student_history row each (kind "school_merge", changes /school and, when
 * renumbered, /class) and one change-feed event each ("student.moved", data
 * {type, from, into}, scoped to `into`); then `from` is closed with
 * merged_into = `into` and a new version. *out_students and *out_classes
 * count what moved; `a` holds scratch text. A class number taken meanwhile
 * (a class created at `into` after the plan) is APP_ERETRY: the caller's
 * transaction reruns.
 */
int db_school_merge_apply(db_conn *c, const db_merge *m, app_arena *a, long long *out_students,
                          long long *out_classes, app_err *err);

#endif
