/*
 * db/reward.h - rewards and punishments (奖惩) on a student's record
 * (table student_reward, migration 019; rules in core/reward.h). A row is
 * never deleted: an approved reward_removal request marks it removed.
 * Strings read back are in the caller's arena.
 */
#ifndef DB_REWARD_H
#define DB_REWARD_H

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

typedef struct db_reward {
    long long id, student_id, created_by, removed_by; /* removed_by: the request, 0 if none */
    char school[11];
    const char *kind;       /* code of table reward_kind */
    const char *date;       /* YYYY-MM-DD */
    const char *issuer;     /* 颁发/处分单位 */
    const char *text;       /* 事由 */
    const char *created_at; /* API time text */
    const char *removed_at; /* API time text, NULL when not removed */
} db_reward;

/* Insert one entry (r->id, created_by, ... as given); *out_id its id. */
int db_reward_insert(db_conn *c, const db_reward *r, long long *out_id, app_err *err);

/* Every entry of `student_id` in id order (removed ones too). */
int db_reward_list(db_conn *c, long long student_id, app_arena *a, db_reward **out, int *out_n,
                   app_err *err);

/* The entries not removed of the students `ids` (n of them), by student and id. */
int db_reward_list_many(db_conn *c, const long long *ids, int n, app_arena *a, db_reward **out,
                        int *out_n, app_err *err);

/* Entry `id` of `student_id` (FOR UPDATE with `lock`); *out_found 0 if none. */
int db_reward_get(db_conn *c, long long student_id, long long id, int lock, app_arena *a,
                  db_reward *out, int *out_found, app_err *err);

/* Mark entry `id` removed by request `request_id` (it was not removed). */
int db_reward_remove(db_conn *c, long long id, long long request_id, app_err *err);

#endif
