/*
 * core/school.h - schools and their classes (学校, 班级; DOMAIN §1, API.md
 * "Organisation"): the reads, create and patch of a school, the list and
 * create of its classes. Merges are core/school_merge.h's, which shares the
 * loader below.
 *
 * Jurisdiction (docs/decisions/0004): a school the actor does not see
 * (core_actor_sees_school()) is APP_ENOTFOUND school_not_found whether or not
 * it exists; a visible school the actor may not change is APP_EFORBIDDEN
 * forbidden. Lists filter in SQL with the same rule (authority prefix).
 *
 * The rows are db/school.h's db_school and db_class, handed back through this
 * header rather than copied into core types of the same fifteen members.
 * Every function is called with no transaction open on `db`; the writes open,
 * commit (with their audit row, core/audit.h) or roll back their own. Rows,
 * arrays and strings handed back live in op->arena. Errors besides those
 * listed: APP_EUNAVAIL, APP_ERETRY, APP_EINTERNAL from db/.
 */
#ifndef CORE_SCHOOL_H
#define CORE_SCHOOL_H

#include "base/err.h"
#include "core/op.h"
#include "db/db.h"
#include "db/school.h"

/*
 * School `code` if op->actor sees it, else APP_ENOTFOUND school_not_found.
 * lock: CORE_SCHOOL_UPDATE (1) FOR UPDATE, CORE_SCHOOL_SHARE (2) FOR SHARE,
 * inside the caller's open transaction (no transaction of its own either way).
 */
#define CORE_SCHOOL_UPDATE 1
#define CORE_SCHOOL_SHARE 2
int core_school_visible(db_conn *db, const core_op *op, const char *code, int lock, db_school *out,
                        app_err *err);

/* GET /schools/{code}: core_school_visible() without a lock. */
int core_school_get(db_conn *db, const core_op *op, const char *code, db_school *out, app_err *err);

/* A page of the schools the actor sees, by code. Every filter optional (NULL, "" = none). */
typedef struct core_school_query {
    const char *region; /* six digits: schools located within it */
    const char *q;      /* a part of the name (matched literally, case-insensitively) */
    const char *after;  /* the code of the last school of the previous page */
    int limit;          /* 1..500 */
} core_school_query;

/*
 * Up to q->limit schools in *out (*out_n of them); *out_more = 1 when there
 * are more after the last. Errors: APP_EFORBIDDEN forbidden (an actor of no
 * level); APP_ENOTFOUND region_not_found, field /query/region: `region` is
 * not a region, or not one the actor may filter by (a bureau: within its
 * own; a school user: a region its school stands in).
 */
int core_school_list(db_conn *db, const core_op *op, const core_school_query *q, db_school **out,
                     int *out_n, int *out_more, app_err *err);

/* A new school as read from a request body. */
typedef struct core_school_new {
    const char *code;      /* ten digits, "" when the body's was unusable */
    const char *name;      /* trimmed display name */
    const char *county;    /* six digits, "" when the body's was unusable */
    const char *authority; /* NULL: not given (the county is the authority) */
    int category;          /* the category the code carries */
    const char *system;    /* "63" or "54" */
} core_school_new;

/*
 * POST /schools. Only a bureau (county and above) creates schools: else
 * APP_EFORBIDDEN forbidden, before anything else. `in` NULL: the body was
 * not a JSON object (APP_EINVAL wrong_type, field ""). `err` may arrive with
 * items (field, code) found while reading the body; a field that has one is
 * not checked further, and every item is reported together
 * (app_err_add: one item answers its own code, several validation_failed):
 * /county unknown_county (not a current county, or a city without
 * counties), /county province_mismatch (the code's province digits),
 * /authority (or /county when no authority was given) invalid_authority: not
 * the county nor a region above it. Then APP_EFORBIDDEN
 * authority_out_of_jurisdiction (same field) when the actor does not see the
 * authority; APP_ECONFLICT school_exists, field /code. On success *out is the
 * stored row, committed with audit row "school_create".
 */
int core_school_create(db_conn *db, const core_op *op, const core_school_new *in, db_school *out,
                       app_err *err);

/* A change to a school; members NULL (closed: -1) are kept. Validated for shape. */
typedef struct core_school_change {
    const char *name, *authority, *system;
    int closed;   /* 0, 1, or -1 */
    int if_match; /* the version the caller read */
} core_school_change;

/*
 * PATCH /schools/{code}. Errors in order: APP_ENOTFOUND school_not_found;
 * APP_EFORBIDDEN forbidden (not a bureau); APP_EPRECOND precondition_failed,
 * field /headers/if-match; APP_ECONFLICT school_merged, field /closed
 * (reopening a merged school); APP_EINVAL invalid_authority and
 * APP_EFORBIDDEN authority_out_of_jurisdiction, field /authority; APP_ECONFLICT
 * system_conflicts_with_classes, field /system (a class's grade would no
 * longer fit). Nothing to change: *out is the row as it is, no new version
 * and no audit row. Else the new row, committed with audit row
 * "school_update" {changes: {field: {from, to}}, version}.
 */
int core_school_patch(db_conn *db, const core_op *op, const char *code,
                      const core_school_change *ch, db_school *out, app_err *err);

/*
 * GET /schools/{code}/classes: up to `limit` classes of a visible school
 * after (after_grade, after_number) by grade and number (0, 0: from the
 * start); *out_more = 1 when there are more. APP_ENOTFOUND school_not_found.
 */
int core_class_list(db_conn *db, const core_op *op, const char *code, int after_grade,
                    int after_number, int limit, db_class **out, int *out_n, int *out_more,
                    app_err *err);

/* A new class as read from a request body. */
typedef struct core_class_new {
    int grade;        /* a code of core/grade.h */
    int number;       /* 1..CORE_CLASS_NUMBER_MAX */
    const char *name; /* NULL: the default name ("一年级(1)班") */
    int size_limit;   /* 0: none, else 1..CORE_CLASS_SIZE_MAX */
} core_class_new;

/*
 * POST /schools/{code}/classes. Errors in order: APP_ENOTFOUND
 * school_not_found; APP_EFORBIDDEN forbidden (neither the school's registrar
 * nor a bureau: grade leaders and head teachers do not create classes);
 * APP_EINVAL invalid_class_number (/number), invalid_size_limit
 * (/size_limit); APP_ECONFLICT school_closed; APP_EINVAL grade_not_in_school,
 * field /grade; APP_ECONFLICT class_exists, field /number. On success *out is
 * the stored row, committed with audit row "class_create".
 */
int core_class_create(db_conn *db, const core_op *op, const char *code, const core_class_new *in,
                      db_class *out, app_err *err);

#endif
