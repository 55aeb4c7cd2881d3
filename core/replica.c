/*
 * core/replica.c - replica reads and read-your-writes (core/replica.h).
 */
#include "core/replica.h"

#include <string.h>

static int
hex_digits(const char *s, size_t n)
{
    if (n == 0 || n > 8)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'F') || (ch >= 'a' && ch <= 'f')))
            return 0;
    }
    return 1;
}

int
core_lsn_valid(const char *s)
{
    if (s == NULL)
        return 0;
    const char *slash = strchr(s, '/');
    return slash != NULL && hex_digits(s, (size_t)(slash - s)) &&
           hex_digits(slash + 1, strlen(slash + 1));
}

int
core_replica_fresh(db_conn *db, const char *min_lsn, int max_lag_ms, int *out_fresh, app_err *err)
{
    *out_fresh = 0;
    if (min_lsn != NULL && !core_lsn_valid(min_lsn))
        return 0;
    return db_replica_fresh(db, min_lsn, max_lag_ms, out_fresh, err);
}

int
core_wal_position(db_conn *db, char out[CORE_LSN_MAX], app_err *err)
{
    return db_wal_position(db, out, err);
}
