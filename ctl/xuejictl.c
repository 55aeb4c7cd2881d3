/*
 * ctl/xuejictl.c - the administrator's command line.
 *
 *   xuejictl migrate             apply pending migrations
 *   xuejictl check-id NUMBER     validate a resident ID number (GB 11643) offline
 *
 * Reads XUEJI_DATABASE_URL like xuejid.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/idnum.h"
#include "core/mask.h"
#include "db/db.h"
#include "db/migrate.h"

static int
usage(FILE *out)
{
    fprintf(out, "Usage:\n"
                 "  xuejictl migrate           apply pending migrations (XUEJI_DATABASE_URL)\n"
                 "  xuejictl check-id NUMBER   validate a resident ID number offline\n");
    return out == stdout ? 0 : 2;
}

static int
cmd_migrate(void)
{
    const char *url = getenv("XUEJI_DATABASE_URL");
    app_err err = {0};
    db_conn *db = db_conn_open(url ? url : "postgresql:///xueji", &err);
    int applied = 0;
    int rc = db_conn_ok(db) ? db_migrate(db, &applied, &err) : APP_EUNAVAIL;
    db_conn_close(db);
    if (rc != 0) {
        fprintf(stderr, "xuejictl: migrate: %s\n", err.detail);
        return 1;
    }
    printf("migrations up to date (%d applied)\n", applied);
    return 0;
}

static int
cmd_check_id(const char *number)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int today = (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    core_idnum id;
    app_err err = {0};
    if (core_idnum_parse(number, strlen(number), today, NULL, NULL, &id, &err) != 0) {
        printf("invalid: %s (%s)\n", err.slug ? err.slug : "invalid", err.param);
        return 1;
    }
    char masked[32];
    core_mask_id(id.number, masked, sizeof(masked));
    printf("valid: %s born %04d-%02d-%02d %s region %s%s\n", masked, id.year, id.month, id.day,
           id.gender == 1 ? "male" : "female", id.region, id.legacy15 ? " (converted from 15)" : "");
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
        return usage(stdout);
    if (strcmp(argv[1], "migrate") == 0)
        return cmd_migrate();
    if (strcmp(argv[1], "check-id") == 0 && argc == 3)
        return cmd_check_id(argv[2]);
    return usage(stderr);
}
