/*
 * db/keylock.h - the transaction-level advisory locks on keys (an identity's
 * blind index, a look-alike key), with lock escalation.
 *
 * A key lock is two locks, held to the end of the transaction: SHARED on the
 * key's bucket (pg_advisory_xact_lock_shared(space, hash & 1023)) and
 * EXCLUSIVE on the key itself (pg_advisory_xact_lock(hash)). Two writers of
 * different keys do not wait for each other; two writers of one key take
 * turns.
 *
 * A transaction that locks many keys escalates: it takes every bucket of the
 * key space EXCLUSIVE (1,024 locks, ascending, in one statement, at its first
 * key lock of that space; again at each later one, which costs no shared
 * memory) and no key locks. Every writer of the space then waits for its
 * commit. PostgreSQL's shared lock table (max_locks_per_transaction x
 * (max_connections + max_prepared_transactions), about 12,000 by default)
 * thus never holds more than 2 x 1,024 locks of one escalated transaction,
 * whatever its size. A transaction escalates
 *   - when it says so first (db_keylocks_escalate(): an atomic import of
 *     more than DB_KEYLOCK_ESCALATE rows), or
 *   - when its key locks of one space would pass DB_KEYLOCK_ESCALATE (a
 *     large batch; counted per outermost transaction of db_begin()).
 * docs/concurrency.md describes the cost.
 */
#ifndef DB_KEYLOCK_H
#define DB_KEYLOCK_H

#include "base/err.h"
#include "db/db.h"

/* Key locks per space and transaction before it escalates. */
#define DB_KEYLOCK_ESCALATE 2000

/* The key spaces: the first key of the two-int advisory locks of their
   buckets. Two-int advisory keys never meet the bigint ones (migrations,
   sealer, the keys themselves: pg_locks objsubid 1 against 2). */
#define DB_KEYS_IDENTITY 7263 /* db_student_lock_identity(), db_identities_lock() */
#define DB_KEYS_TWINS 7264    /* db_twins_lock() */

/* The current transaction (db_begin(), outermost) locks many keys: every
   later key lock of it escalates. Errors: APP_EINTERNAL outside a
   transaction of db_begin(). Takes no lock itself (the lock order of
   docs/concurrency.md stays). */
int db_keylocks_escalate(db_conn *c, app_err *err);

/* 1 when the current transaction's locks of `space` are escalated. */
int db_keylocks_escalated(db_conn *c, int space);

#endif
