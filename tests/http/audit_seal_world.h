/*
 * tests/http/audit_seal_world.h - the seal of each row in GET /api/v1/audit,
 * on a database of its own (xueji_audit_seal in the test cluster): the
 * test seals a row by hand, as the sealer does (UPDATE audit SET seq, once,
 * and a row of audit_seal covering it), with a signature no key made, so
 * that seal must never join the chain of the database the other suites
 * share. Rows are sealed before xuejid starts; a sealer in xuejid may seal
 * the others meanwhile, so what the answer says of them is checked against
 * the database as it stands after the answer (a row still unsealed then was
 * unsealed when it was read).
 */
#ifndef TESTS_HTTP_AUDIT_SEAL_WORLD_H
#define TESTS_HTTP_AUDIT_SEAL_WORLD_H

#include "core/pwhash.h"
#include "tests/lib/httptest.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEAL_DB "xueji_audit_seal"
#define SEAL_PW "Audit-Seal-2026!"
#define SEAL_FAR 9000000000000000LL /* a seq no seal reaches */

static char seal_url[512];

/* One value of a one-row query on `c`. */
static long long
seal_scalar(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql,
                  PQresultErrorMessage(r));
    long long v = PQgetisnull(r, 0, 0) ? 0 : atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

/* A fresh database, migrated, with a ministry account; a connection to it. */
static PGconn *
seal_database(void)
{
    const char *base = getenv("XUEJI_TEST_DATABASE_URL");
    ck_assert_ptr_nonnull(base);
    const char *scheme = strstr(base, "://");
    const char *path = scheme ? strchr(scheme + 3, '/') : NULL;
    if (path == NULL) {
        snprintf(seal_url, sizeof(seal_url), "%s dbname=%s", base, SEAL_DB);
    } else {
        const char *q = strchr(path, '?');
        snprintf(seal_url, sizeof(seal_url), "%.*s/%s%s", (int)(path - base), base, SEAL_DB,
                 q ? q : "");
    }
    PGconn *admin = ht_db_connect();
    ht_db_exec(admin, "SET client_min_messages TO warning"); /* no "does not exist" */
    ht_db_exec(admin, "DROP DATABASE IF EXISTS " SEAL_DB);
    ht_db_exec(admin, "CREATE DATABASE " SEAL_DB);
    PQfinish(admin);
    char env_db[600];
    snprintf(env_db, sizeof(env_db), "XUEJI_DATABASE_URL=%s", seal_url);
    const char *args[] = {"migrate", NULL}, *env[] = {env_db, NULL};
    char *out = NULL;
    int rc = ht_run_xuejid(args, env, 300, &out);
    ck_assert_msg(rc == 0, "migrate: %d %s", rc, out ? out : "");
    free(out);
    PGconn *c = PQconnectdb(seal_url);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
    char hash[CORE_PWHASH_LEN], sql[1024];
    ck_assert_int_eq(core_pwhash(SEAL_PW, hash), 0);
    snprintf(sql, sizeof(sql),
             "INSERT INTO app_user (username, display_name, role, org, password_hash,"
             " must_change_password) VALUES ('seal_ministry', 'seal_ministry', 'ministry',"
             " '000000', '%s', false)",
             hash);
    ht_db_exec(c, sql);
    return c;
}

/* An audit row of `action` written by the ministry; its id. */
static long long
seal_row(PGconn *c, const char *action)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "INSERT INTO audit (actor_org, action, target_type, target_id)"
             " VALUES ('000000', '%s', 'region', '000000') RETURNING id",
             action);
    return seal_scalar(c, sql);
}

/* Seal row `id` alone as the next seq under the next seal; the seal's id. */
static long long
seal_by_hand(PGconn *c, long long id, long long *out_seq)
{
    char sql[1024];
    ht_db_exec(c, "BEGIN");
    snprintf(sql, sizeof(sql),
             "UPDATE audit SET seq = (SELECT coalesce(max(seq), 0) + 1 FROM audit WHERE seq < %lld)"
             " WHERE id = %lld RETURNING seq",
             SEAL_FAR, id);
    *out_seq = seal_scalar(c, sql);
    snprintf(sql, sizeof(sql),
             "INSERT INTO audit_seal (id, first_seq, last_seq, upto_xid, prev_hash, rows_hash,"
             " hash, key_id, signature) SELECT coalesce(max(id), 0) + 1, %lld, %lld,"
             " pg_current_xact_id(), repeat('0', 64), (SELECT hash FROM audit WHERE id = %lld),"
             " repeat('1', 64), 'test', 'not-a-signature' FROM audit_seal RETURNING id",
             *out_seq, *out_seq, id);
    long long seal = seal_scalar(c, sql);
    ht_db_exec(c, "COMMIT");
    return seal;
}

/* The one item of GET /audit?action=<action> as the ministry on `s`. */
static json_t *
seal_item(ht_server *s, const char *token, const char *action, ht_resp *r)
{
    char path[128], auth[1100];
    snprintf(path, sizeof(path), "/api/v1/audit?action=%s", action);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    const char *h[] = {auth, NULL};
    ck_assert_int_eq(ht_request(s, "GET", path, h, NULL, 0, r), 0);
    ck_assert_msg(r->status == 200, "%s: %ld %s", path, r->status, r->body);
    json_t *items = json_object_get(r->json, "items");
    ck_assert_int_eq(json_array_size(items), 1);
    return json_array_get(items, 0);
}

START_TEST(test_audit_seal_of_each_row)
{
    PGconn *c = seal_database();
    long long sealed = seal_row(c, "test.sealed"), open = seal_row(c, "test.unsealed");
    long long numbered = seal_row(c, "test.numbered"), seq = 0;
    long long seal = seal_by_hand(c, sealed, &seq);
    char sql[256];
    snprintf(sql, sizeof(sql), "UPDATE audit SET seq = %lld WHERE id = %lld", SEAL_FAR, numbered);
    ht_db_exec(c, sql); /* a seq that no seal covers */

    char env_db[600];
    snprintf(env_db, sizeof(env_db), "XUEJI_DATABASE_URL=%s", seal_url);
    const char *env[] = {env_db, "XUEJI_RATE_LIMIT_ACCOUNT=0", NULL};
    ht_server *s = ht_server_start(env);
    ck_assert_msg(s != NULL, "xuejid did not start");
    ht_resp r;
    ck_assert_int_eq(ht_post_json(s, "/api/v1/auth/login",
                                  "{\"username\":\"seal_ministry\",\"password\":\"" SEAL_PW "\"}",
                                  NULL, &r),
                     0);
    ck_assert_msg(r.status == 200, "login: %ld %s", r.status, r.body);
    char *token = strdup(ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);

    json_t *it = seal_item(s, token, "test.sealed", &r);
    ck_assert_int_eq(json_integer_value(json_object_get(it, "id")), sealed);
    const json_t *sl = json_object_get(it, "seal");
    ck_assert_str_eq(ht_json_str(sl, "state"), "sealed");
    ck_assert_int_eq(json_integer_value(json_object_get(sl, "seq")), seq);
    ck_assert_int_eq(json_integer_value(json_object_get(sl, "id")), seal);
    ht_resp_free(&r);

    it = seal_item(s, token, "test.unsealed", &r);
    snprintf(sql, sizeof(sql), "SELECT coalesce(seq, 0) FROM audit WHERE id = %lld", open);
    sl = json_object_get(it, "seal");
    if (seal_scalar(c, sql) == 0) { /* not sealed since: it was not when read */
        ck_assert_str_eq(ht_json_str(sl, "state"), "unsealed");
        ck_assert_ptr_null(json_object_get(sl, "seq"));
        ck_assert_ptr_null(json_object_get(sl, "id"));
    }
    ht_resp_free(&r);

    it = seal_item(s, token, "test.numbered", &r);
    sl = json_object_get(it, "seal");
    ck_assert_str_eq(ht_json_str(sl, "state"), "unsealed");
    ck_assert_int_eq(json_integer_value(json_object_get(sl, "seq")), SEAL_FAR);
    ht_resp_free(&r);

    free(token);
    PQfinish(c);
    ck_assert_int_eq(ht_server_stop(s), 0);
}
END_TEST

static TCase *
audit_seal_tcase(void)
{
    TCase *tc = tcase_create("audit_seal");
    tcase_add_test(tc, test_audit_seal_of_each_row);
    tcase_set_timeout(tc, ht_timeout(120));
    return tc;
}

#endif
