/*
 * tests/lib/dbtest.c - per-test databases.
 */
#include "tests/lib/dbtest.h"

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

static void
admin_exec(const char *verb)
{
    app_err err = {0};
    db_conn *admin = db_conn_open(url_for("postgres"), &err);
    ck_assert_msg(db_conn_ok(admin), "connect: %s", err.detail);
    char sql[128];
    snprintf(sql, sizeof(sql), "%s %s", verb, dbname);
    int rc = db_exec_sql(admin, sql, &err);
    db_conn_close(admin);
    ck_assert_msg(rc == 0, "%s: %s", sql, err.detail);
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

void
dbt_drop(db_conn *c)
{
    db_conn_close(c);
    admin_exec("DROP DATABASE IF EXISTS");
}
