/*
 * tests/lib/race.c - two writers at once (see race.h).
 */
#include "tests/lib/race.h"

#include "tests/lib/coreworld.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Sleeps for race.pause seconds once per session that set it (the child). */
static const char PAUSE_FN[] =
    "CREATE OR REPLACE FUNCTION race_pause() RETURNS trigger LANGUAGE plpgsql AS $$"
    " DECLARE s text := current_setting('race.pause', true);"
    " BEGIN"
    "  IF s IS NOT NULL AND s <> '' THEN"
    "   PERFORM set_config('race.pause', '', false);"
    "   PERFORM pg_sleep(s::float8);"
    "  END IF;"
    "  RETURN NULL;"
    " END $$";

void
race_pause_at(const char *table)
{
    cw_exec("%s", PAUSE_FN);
    /* named to fire after the project's own statement triggers */
    cw_exec("CREATE TRIGGER zz_race_pause_%s AFTER INSERT OR UPDATE ON %s"
            " FOR EACH STATEMENT EXECUTE FUNCTION race_pause()",
            table, table);
}

pid_t
race_child(race_fn fn, void *arg, double seconds)
{
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_msg(pid >= 0, "fork");
    if (pid > 0)
        return pid;
    cw_reconnect();
    cw_exec("SET race.pause = '%.3f'", seconds);
    int rc = fn(arg);
    fflush(NULL);
    _exit(rc < 0 ? -rc : rc);
}

void
race_wait_paused(void)
{
    for (int i = 0; i < 1000; i++) {
        if (cw_count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                     " AND wait_event = 'PgSleep'") > 0)
            return;
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    ck_abort_msg("the child never reached its pause");
}

int
race_join(pid_t pid)
{
    int st = 0;
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_msg(WIFEXITED(st), "the child died (status %d)", st);
    return -WEXITSTATUS(st);
}
