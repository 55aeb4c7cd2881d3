/*
 * core/school_merge.h - school merges (学校合并, DOMAIN §1, API.md "Schools").
 *
 * A merge moves every class and every student (any state) of one school to
 * another and closes the first, which keeps its row (closed, merged_into)
 * so that history and requests that name it still resolve. It is decided by
 * the lowest common authority of the two schools' competent authorities, or
 * a bureau above it (DOMAIN §1). History keeps what was: earlier rows still
 * name the old school, and each moved student gets one "school_merge" row.
 */
#ifndef CORE_SCHOOL_MERGE_H
#define CORE_SCHOOL_MERGE_H

#include "core/student.h"
#include "db/school.h"

/* What a merge did. Strings and the array in op->arena. */
typedef struct core_merge_result {
    char from[11], into[11];
    long long students, classes;
    const db_renumber *renumbered; /* classes whose number was taken at `into`, by grade, number */
    int nrenumbered;
} core_merge_result;

/*
 * Merge school `code` into school `into` in one transaction of its own.
 * Errors, in the order they are checked:
 *   APP_ENOTFOUND school_not_found: `code` is not a school the actor sees;
 *   APP_EFORBIDDEN forbidden: a school user;
 *   APP_EINVAL, item /into merge_into_self: `into` equals `code`;
 *   APP_EFORBIDDEN forbidden, field /into: `into` is no school, or the actor
 *     is not the lowest common authority of the two (nor above it) - one
 *     answer for both, so that a school outside the actor's jurisdiction is
 *     never confirmed to exist (docs/decisions/0004);
 *   APP_ECONFLICT school_closed (field /into when it is `into`);
 *   APP_ECONFLICT school_has_open_requests / school_has_open_problems: a
 *     request open or returned, or an open problem record, on either school;
 *   APP_EINVAL, item /into grade_not_in_school (param: the grades): `into`
 *     does not teach a grade that a class or student of `code` is in;
 *   APP_ECONFLICT class_numbers_exhausted: renumbering would pass 99;
 *   APP_ERETRY (a class created at `into` meanwhile), APP_EINTERNAL, ...
 * On success the change is committed with an audit row "school.merge", one
 * "student.moved" event per student and one "school.merged" event.
 */
int core_school_merge(db_conn *db, const core_op *op, const char *code, const char *into,
                      core_merge_result *out, app_err *err);

#endif
