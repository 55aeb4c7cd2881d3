/*
 * db/system_change.h - the set-based statements of a school system change
 * (学校变更学制, core/system_change.h, docs/decisions/0028): the active
 * pupils of a school by grade, the classes a remap needs, and the remap of
 * its pupils with their history rows. Run in the caller's transaction, the
 * school row locked by the caller. No rules here: core/ decides the table.
 */
#ifndef DB_SYSTEM_CHANGE_H
#define DB_SYSTEM_CHANGE_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

/* Active pupils (pending, enrolled, suspended) of `school` per grade:
   counts[g] for g in 0..39 (other grades are not counted). */
int db_system_active_by_grade(db_conn *c, const char *school, long long counts[40], app_err *err);

/*
 * Classes of grade `to` for every class number of grade `from` that holds an
 * active pupil, created when missing: name "<to_label>(<number>)班", the size
 * limit of the class of `from`. *out_created: how many were created.
 */
int db_system_classes_ensure(db_conn *c, const char *school, int from, int to, const char *to_label,
                             int *out_created, app_err *err);

/*
 * Move every active pupil of `school` in a grade from[i] to grade to[i]
 * (n pairs, one statement: each pupil moves once, by its grade before the
 * statement), keeping its class number, into the class of that number of its
 * new grade (db_system_classes_ensure made it); version + 1. A history row
 * kind "system_change" is written for each (actor, org; changes /grade old
 * and new). *out_ids (in `a`, *out_n of them) are the pupils moved, by id.
 */
int db_system_remap(db_conn *c, const char *school, const int *from, const int *to, int n,
                    long long actor_id, const char *actor_org, app_arena *a, long long **out_ids,
                    int *out_n, app_err *err);

#endif
