/*
 * tests/lib/race.h - two writers at once, for the concurrency suite
 * (tests/integration/race_test.c, docs/concurrency.md), on the coreworld of
 * tests/lib/coreworld.h.
 *
 * A test forks one writer (race_child): the child takes a connection of its
 * own, runs its side through core/ or workflow/ and exits with the result.
 * The child's transaction is held open at a chosen write by a trigger of
 * the test database (race_pause_at: pg_sleep, once, in the child's session
 * only), after the child's checks and before its commit; the parent waits
 * until the child sleeps there (race_wait_paused) and runs its own side,
 * which thus runs inside the child's transaction. A guarantee that rests on
 * a lock makes the parent wait for the child's commit; one that rests on
 * nothing lets the parent write past the child's uncommitted rows.
 */
#ifndef TESTS_LIB_RACE_H
#define TESTS_LIB_RACE_H

#include <sys/types.h>

/* One side of a race: 0 or an APP_E* code. */
typedef int (*race_fn)(void *arg);

/* The child's first statement that writes `table` (INSERT or UPDATE) ends
   with a pause, in the child's session only. Call before race_child(). */
void race_pause_at(const char *table);

/* Fork the child: a connection of its own (cw_reconnect), a pause of
   `seconds` armed, fn(arg); it exits with the result. */
pid_t race_child(race_fn fn, void *arg, double seconds);

/* Wait (at most 10 s, else the test fails) until the child sleeps in its pause. */
void race_wait_paused(void);

/* The child's result (0 or an APP_E* code); the test fails if it crashed. */
int race_join(pid_t pid);

#endif
