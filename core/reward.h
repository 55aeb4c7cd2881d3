/*
 * core/reward.h - rewards and punishments (奖惩) on a student's record
 * (issue 15, docs/decisions/0030).
 *
 * The student's school adds entries: a kind from code table reward_kind
 * (1x rewards, 2x punishments; 25 开除学籍 never in the compulsory stage,
 * grades 1x and 2x), the date it was given (not in the future), the body
 * that gave it (颁发/处分单位, at most 100 characters) and its text (事由,
 * at most 500). Each entry is in the record's history (kind "reward"), the
 * audit (student.reward_add) and the change feed (student.reward_added),
 * and in the exported roster (column 奖惩). An entry is removed only by an
 * approved `reward_removal` request to the competent authority
 * (workflow/defs.c); the row stays, marked removed, with its request.
 *
 * Errors: APP_ENOTFOUND student_not_found (not visible); APP_EFORBIDDEN
 * forbidden (not a school account); APP_ESTATE student_not_active;
 * APP_ECONFLICT student_has_problem; APP_EINVAL with items missing_field,
 * invalid_code, invalid_date (future), too_long, invalid_text,
 * expulsion_not_compulsory (/kind).
 */
#ifndef CORE_REWARD_H
#define CORE_REWARD_H

#include "core/op.h"
#include "db/reward.h"

/* What a school gives: every member required. */
typedef struct core_reward_in {
    const char *kind, *date, *issuer, *text;
} core_reward_in;

/* Add an entry to student `key` (id or student number); *out the stored row. */
int core_reward_add(db_conn *db, const core_op *op, const char *key, const core_reward_in *in,
                    db_reward *out, app_err *err);

/* The entries of student `key` the actor sees (removed ones too), in op->arena. */
int core_reward_list(db_conn *db, const core_op *op, const char *key, db_reward **out, int *out_n,
                     app_err *err);

/* reward_removal, at its start: entry `reward_id` belongs to `student_id` and
   is not removed (else APP_EINVAL item reward_not_found at /payload/reward). */
int core_reward_check(db_conn *db, const core_op *op, long long student_id, long long reward_id,
                      app_err *err);

/* reward_removal's effect, in the caller's transaction: the entry marked
   removed by `request_id`, its history entry and change-feed event. */
int core_reward_remove(db_conn *db, const core_op *op, long long student_id, long long reward_id,
                       long long request_id, app_err *err);

/* The export's 奖惩 cell of each of `n` students `ids` (entries not removed:
   "date kind-label issuer text", joined by "；"), in `a`; NULL for none. */
int core_reward_cells(db_conn *db, const core_codes *codes, const long long *ids, int n,
                      app_arena *a, const char **out, app_err *err);

#endif
