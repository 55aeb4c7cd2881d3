/*
 * tests/lib/dbtest.c - per-test databases.
 */
#include "tests/lib/dbtest.h"

#include "db/migrate.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dbname[64];

/* The test URL with its database name replaced. */
static const char *
url_for(const char *name)
{
    const char *base = getenv("XUEJI_TEST_DATABASE_URL");
    ck_assert_msg(base != NULL, "XUEJI_TEST_DATABASE_URL is not set");
    const char *at = strstr(base, "@/");
    const char *q = strchr(base, '?');
    ck_assert_msg(at != NULL && q != NULL, "unexpected URL form: %s", base);
    static char buf[1024];
    snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at + 2 - base), base, name, q);
    return buf;
}

#define TEMPLATE "dbt_migrated"

static db_conn *
admin_open(void)
{
    app_err err = {0};
    db_conn *admin = db_conn_open(url_for("postgres"), &err);
    ck_assert_msg(db_conn_ok(admin), "connect: %s", err.detail);
    return admin;
}

static void
admin_sql(db_conn *admin, const char *sql)
{
    app_err err = {0};
    ck_assert_msg(db_exec_sql(admin, sql, &err) == 0, "%s: %s", sql, err.detail);
}

static void
admin_exec(const char *verb)
{
    db_conn *admin = admin_open();
    char sql[128];
    snprintf(sql, sizeof(sql), "%s %s", verb, dbname);
    app_err err = {0};
    int rc = db_exec_sql(admin, sql, &err);
    db_conn_close(admin);
    ck_assert_msg(rc == 0, "%s: %s", sql, err.detail);
}

/* Migrate database `name`: 0, or -1 with `err` set. */
static int
migrate(const char *name, app_err *err)
{
    db_conn *c = db_conn_open(url_for(name), err);
    int rc = db_conn_ok(c) ? db_migrate(c, NULL, err) : -1;
    db_conn_close(c);
    return rc;
}

/* The template, migrated up to this build's migrations, on `admin` (which holds
   the lock that keeps other suites of the cluster out meanwhile). */
static void
template_ready(db_conn *admin)
{
    app_err err = {0};
    db_res *r = NULL;
    ck_assert_msg(db_exec_once(admin,
                               "SELECT count(*) FROM pg_database WHERE datname = '" TEMPLATE "'", 0,
                               NULL, &r, &err) == 0,
                  "%s", err.detail);
    int have = db_res_int(r, 0, 0) > 0;
    db_res_free(r);
    if (have && migrate(TEMPLATE, &err) == 0)
        return;
    /* missing, or made with migrations that changed since: afresh */
    admin_sql(admin, "DROP DATABASE IF EXISTS " TEMPLATE);
    admin_sql(admin, "CREATE DATABASE " TEMPLATE);
    err = (app_err){0};
    ck_assert_msg(migrate(TEMPLATE, &err) == 0, "migrate the template: %s", err.detail);
}

db_conn *
dbt_create(const char *prefix)
{
    snprintf(dbname, sizeof(dbname), "%s_%d", prefix, (int)getpid());
    admin_exec("CREATE DATABASE");
    app_err err = {0};
    db_conn *c = db_conn_open(url_for(dbname), &err);
    ck_assert_msg(db_conn_ok(c), "connect: %s", err.detail);
    return c;
}

db_conn *
dbt_create_migrated(const char *prefix)
{
    snprintf(dbname, sizeof(dbname), "%s_%d", prefix, (int)getpid());
    db_conn *admin = admin_open();
    admin_sql(admin, "SELECT pg_advisory_lock(4141019901)");
    template_ready(admin);
    char sql[160];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE " TEMPLATE, dbname);
    admin_sql(admin, sql);
    db_conn_close(admin); /* and the lock with it */
    app_err err = {0};
    db_conn *c = db_conn_open(url_for(dbname), &err);
    ck_assert_msg(db_conn_ok(c), "connect: %s", err.detail);
    return c;
}

void
dbt_drop(db_conn *c)
{
    db_conn_close(c);
    admin_exec("DROP DATABASE IF EXISTS");
}
