/*
 * ctl/admin.c - xuejictl migrate and check-id.
 */
#include "core/idnum.h"
#include "core/mask.h"
#include "core/schema.h"
#include "ctl/ctl.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int
ctl_cmd_migrate(void)
{
    app_err err = {0};
    db_conn *db = ctl_connect(&err);
    int applied = 0;
    int rc = db_conn_ok(db) ? core_schema_migrate(db, &applied, &err) : APP_EUNAVAIL;
    db_conn_close(db);
    if (rc != 0) {
        fprintf(stderr, "xuejictl: migrate: %s\n", err.detail);
        return 1;
    }
    printf("migrations up to date (%d applied)\n", applied);
    return 0;
}

int
ctl_cmd_check_id(const char *number)
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
           id.gender == 1 ? "male" : "female", id.region,
           id.legacy15 ? " (converted from 15)" : "");
    return 0;
}
