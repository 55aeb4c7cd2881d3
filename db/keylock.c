/*
 * db/keylock.c - advisory key locks with escalation (see db/keylock.h).
 */
#include "db/keylock.h"

#include "db/internal.h"

#include <stdio.h>

/* Every bucket of space $1, EXCLUSIVE, ascending (generate_series' order). */
static const db_stmt SQL_WHOLE = {
    "keylock_whole",
    "SELECT count(pg_advisory_xact_lock($1::int, b)) FROM generate_series(0, 1023) AS b"};

int
db_keylocks_escalate(db_conn *c, app_err *err)
{
    if (db_in_tx(c) == 0)
        return app_err_set(err, APP_EINTERNAL, NULL, "key lock escalation outside a transaction");
    db__keys_of(c)->escalate = 1;
    return 0;
}

static int
escalated(db_conn *c, int space, int more)
{
    if (db_in_tx(c) == 0)
        return more > DB_KEYLOCK_ESCALATE; /* autocommit or a BEGIN of its own: this call alone */
    const db__tx_keys *k = db__keys_of(c);
    return k->escalate || k->n[space - DB_KEYS_IDENTITY] + more > DB_KEYLOCK_ESCALATE;
}

int
db_keylocks_escalated(db_conn *c, int space)
{
    return escalated(c, space, 0);
}

int
db__keys_lock(db_conn *c, int space, int n, const db_stmt *fine, int once, int np,
              const char *const *p, app_err *err)
{
    if (n <= 0)
        return 0;
    if (escalated(c, space, n)) {
        char s[12];
        snprintf(s, sizeof(s), "%d", space);
        const char *wp[] = {s};
        int rc = db_exec(c, &SQL_WHOLE, 1, wp, NULL, err);
        if (rc == 0 && db_in_tx(c))
            db__keys_of(c)->n[space - DB_KEYS_IDENTITY] += n; /* stays escalated */
        return rc;
    }
    int rc =
        once ? db_exec_once(c, fine->sql, np, p, NULL, err) : db_exec(c, fine, np, p, NULL, err);
    if (rc == 0 && db_in_tx(c))
        db__keys_of(c)->n[space - DB_KEYS_IDENTITY] += n;
    return rc;
}
