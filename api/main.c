/*
 * api/main.c - xuejid: `xuejid serve` (default), `xuejid migrate`, `--help`.
 */
#include "api/config.h"
#include "api/handlers.h"
#include "api/log.h"
#include "api/registry.h"
#include "api/server.h"
#include "core/schema.h"
#include "db/db.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define XUEJI_VERSION "0.1.0"
#define CONNECT_WAIT_S 30

static void
usage(FILE *out)
{
    fprintf(out,
            "xuejid %s - the xueji student status registry server\n\n"
            "Usage:\n"
            "  xuejid [serve]    apply pending migrations, then serve HTTP\n"
            "  xuejid migrate    apply pending migrations and exit\n"
            "  xuejid --help     this text\n"
            "  xuejid --version\n\n%s",
            XUEJI_VERSION, api_config_help());
}

/* Connect (waiting up to CONNECT_WAIT_S for PostgreSQL to come up) and migrate. */
static int
migrate(const api_config *cfg, int wait, int serve)
{
    app_err err = {0};
    db_conn *db = db_conn_open(cfg->database_url, &err);
    for (int i = 0; wait && !db_conn_ok(db) && i < CONNECT_WAIT_S * 4; i++) {
        if (i == 0)
            api_log(API_LOG_WARN, "waiting for the database", NULL, err.detail);
        usleep(250000);
        app_err_clear(&err);
        db_conn_ensure(db, &err);
    }
    int applied = 0;
    int rc = db_conn_ok(db) ? core_schema_migrate(db, &applied, &err) : APP_EUNAVAIL;
    if (rc != 0) {
        db_conn_close(db);
        api_log(API_LOG_ERROR, "migration failed", NULL, err.detail);
        return 1;
    }
    /* the ministry account `admin` on first start (API.md "Bootstrap") */
    rc = api_bootstrap_admin(cfg, db, &err);
    if (rc == 0 && serve && (rc = api_registry_init(cfg, db, &err)) != 0) {
        db_conn_close(db);
        api_log(API_LOG_ERROR, "cannot start the registry", NULL, err.detail);
        return 1;
    }
    db_conn_close(db);
    if (rc != 0) {
        api_log(API_LOG_ERROR, "cannot create the admin account", NULL, err.detail);
        return 1;
    }
    char d[64];
    snprintf(d, sizeof(d), "%d applied", applied);
    api_log(API_LOG_INFO, "migrations up to date", NULL, d);
    return 0;
}

int
main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "serve";
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("xuejid %s\n", XUEJI_VERSION);
        return 0;
    }
    if (strcmp(cmd, "serve") != 0 && strcmp(cmd, "migrate") != 0) {
        fprintf(stderr, "xuejid: unknown command '%s'\n\n", cmd);
        usage(stderr);
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "xuejid: libsodium failed to initialise\n");
        return 1;
    }

    static api_config cfg;
    app_err err = {0};
    if (api_config_load(&cfg, &err) != 0) {
        fprintf(stderr, "xuejid: configuration: %s\n", err.detail);
        return 2;
    }
    api_log_set_level(cfg.log_level);

    int rc;
    if (strcmp(cmd, "migrate") == 0) {
        rc = migrate(&cfg, 0, 0);
    } else {
        rc = migrate(&cfg, 1, 1);
        if (rc == 0)
            rc = api_server_run(&cfg);
        api_registry_free();
    }
    api_config_wipe(&cfg);
    return rc;
}
