/*
 * tests/http/authz_test.c - the authorization matrix: every route in the
 * routing table (api/router.c) x every level and school staff role x inside or
 * outside the caller's jurisdiction, against the expected statuses in
 * tests/http/authz_matrix.txt. A route missing from that file fails the test.
 *
 * The world: an "in" chain 河南 410000 > 郑州 410100 > 中原区 410102 > school
 * IN, and an "out" chain 湖北 420000 > 武汉 420100 > 江岸区 420102 > school OUT.
 * Actors (all with one password, no change required): the bootstrap ministry
 * admin, province 410000, city 410100, county 410102, and the registrar, a
 * grade leader and a head teacher of school IN; plus anonymous.
 *
 * Matrix lines:  METHOD PATTERN | IN-PATH | OUT-PATH | BODY | 8 statuses | 8 statuses
 * statuses in the actor order above, "in" then "out"; BODY is JSON or "-".
 * Placeholders: @SCHOOL_IN @SCHOOL_OUT @USER_IN @USER_OUT (a county-level
 * account: in 410102 / out 420102); the _X forms (@SCHOOL_X @CLASS_X @USER_X
 * @COUNTY_X @PROVINCE_X) mean the "in" or the "out" one after the column;
 * @SCHOOLCODE_X a fresh school code of that province; @N a number unique to
 * each request, @N6 six digits of it, @N99 one from 1 to 99.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/pwhash.h"
#include "tests/lib/httptest.h"

#define NACTORS 8
#define PASSWORD "Matrix-Test-2026!"
#define ADMIN_PASSWORD "Xueji-Test-2026!"

static const char *const actor_names[NACTORS] = {
    "ministry", "province", "city", "county", "registrar", "grade_leader", "head_teacher", "anonymous"};

typedef struct row {
    char method[8], pattern[128], in_path[256], out_path[256], body[512];
    int expect[2][NACTORS];
    int line;
} row;

static row rows[256];
static int nrows;

static void
trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t'))
        s[--n] = '\0';
    size_t i = 0;
    while (s[i] == ' ' || s[i] == '\t')
        i++;
    memmove(s, s + i, n - i + 1);
}

static void
load_matrix(void)
{
    const char *path = "tests/http/authz_matrix.txt";
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s (run from the repository root)", path);
    char line[2048];
    int ln = 0;
    nrows = 0;
    while (fgets(line, sizeof(line), f)) {
        ln++;
        trim(line);
        if (line[0] == '\0' || line[0] == '#')
            continue;
        char *field[6];
        int nf = 0;
        char *save = NULL;
        for (char *t = strtok_r(line, "|", &save); t && nf < 6; t = strtok_r(NULL, "|", &save)) {
            trim(t);
            field[nf++] = t;
        }
        ck_assert_msg(nf == 6, "%s:%d: expected 6 fields, got %d", path, ln, nf);
        row *r = &rows[nrows++];
        memset(r, 0, sizeof(*r));
        r->line = ln;
        ck_assert_msg(sscanf(field[0], "%7s %127s", r->method, r->pattern) == 2,
                      "%s:%d: METHOD PATTERN", path, ln);
        snprintf(r->in_path, sizeof(r->in_path), "%s", field[1]);
        snprintf(r->out_path, sizeof(r->out_path), "%s", field[2]);
        snprintf(r->body, sizeof(r->body), "%s", strcmp(field[3], "-") == 0 ? "" : field[3]);
        for (int k = 0; k < 2; k++) {
            char *p = field[4 + k];
            for (int a = 0; a < NACTORS; a++) {
                char *end;
                r->expect[k][a] = (int)strtol(p, &end, 10);
                ck_assert_msg(end != p, "%s:%d: %d statuses expected", path, ln, NACTORS);
                p = end;
            }
        }
    }
    fclose(f);
}

static const char *
method_name(int bit)
{
    switch (bit) {
    case API_GET: return "GET";
    case API_POST: return "POST";
    case API_PUT: return "PUT";
    case API_PATCH: return "PATCH";
    default: return "DELETE";
    }
}

/* ---- the world ---- */

static ht_server *srv;
static PGconn *db;
static char tokens[NACTORS][1024];
static char user_in[24], user_out[24], class_in[24], class_out[24];
static int seq;

#define SCHOOL_IN "2141019001"
#define SCHOOL_OUT "2142019001"

static const char *
scalar(const char *sql)
{
    static char buf[256];
    PGresult *r = PQexec(db, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1, "%s: %s", sql,
                  PQerrorMessage(db));
    snprintf(buf, sizeof(buf), "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return buf;
}

static void
add_user(const char *hash, const char *name, const char *role, const char *org,
         const char *staff, const char *grade, const char *classes, char *out_id)
{
    char sql[1024];
    snprintf(sql, sizeof(sql),
             "INSERT INTO app_user (username, display_name, role, org, staff_role, grade, classes,"
             " password_hash, must_change_password) VALUES ('%s', '%s', '%s', '%s', %s, %s, '%s',"
             " '%s', false) ON CONFLICT (username) DO UPDATE SET username = EXCLUDED.username"
             " RETURNING id",
             name, name, role, org, staff, grade, classes, hash);
    const char *id = scalar(sql);
    if (out_id != NULL)
        strcpy(out_id, id);
}

static void
login(int actor, const char *username, const char *password)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"username\":\"%s\",\"password\":\"%s\"}", username, password);
    ht_resp r;
    ck_assert_int_eq(ht_post_json(srv, "/api/v1/auth/login", body, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "login %s: %ld %s", username, r.status, r.body);
    snprintf(tokens[actor], sizeof(tokens[actor]), "%s", ht_json_str(r.json, "access_token"));
    ht_resp_free(&r);
}

static void
build_world(void)
{
    static const char *const env[] = {"XUEJI_ADMIN_PASSWORD=" ADMIN_PASSWORD,
                                      "XUEJI_RATE_LIMIT_IP=0", "XUEJI_RATE_LIMIT_ACCOUNT=0",
                                      NULL};
    srv = ht_server_start(env);
    ck_assert_ptr_nonnull(srv);
    db = ht_db_connect();
    ht_db_exec(db, "INSERT INTO school (code, name, county, authority, province, category)"
                   " VALUES ('" SCHOOL_IN "', '矩阵测试小学', '410102', '410102', '410000', 21),"
                   " ('" SCHOOL_OUT "', '矩阵对照小学', '420102', '420102', '420000', 21)"
                   " ON CONFLICT DO NOTHING");
    strcpy(class_in, scalar("INSERT INTO class (school, grade, number, name) VALUES ('" SCHOOL_IN
                            "', 13, 1, '三年级1班') ON CONFLICT (school, grade, number) DO UPDATE"
                            " SET name = EXCLUDED.name RETURNING id"));
    strcpy(class_out, scalar("INSERT INTO class (school, grade, number, name) VALUES ('" SCHOOL_OUT
                             "', 13, 1, '三年级1班') ON CONFLICT (school, grade, number) DO UPDATE"
                             " SET name = EXCLUDED.name RETURNING id"));
    char hash[CORE_PWHASH_LEN];
    ck_assert_int_eq(core_pwhash(PASSWORD, hash), 0);
    char classes[64];
    snprintf(classes, sizeof(classes), "{%s}", class_in);
    add_user(hash, "mx_province", "province", "410000", "NULL", "NULL", "{}", NULL);
    add_user(hash, "mx_city", "city", "410100", "NULL", "NULL", "{}", NULL);
    add_user(hash, "mx_county", "county", "410102", "NULL", "NULL", "{}", NULL);
    add_user(hash, "mx_registrar", "school", SCHOOL_IN, "'registrar'", "NULL", "{}", NULL);
    add_user(hash, "mx_grade", "school", SCHOOL_IN, "'grade_leader'", "13", "{}", NULL);
    add_user(hash, "mx_head", "school", SCHOOL_IN, "'head_teacher'", "NULL", classes, NULL);
    /* accounts to act on: a county-level account inside and one outside */
    add_user(hash, "mx_target_in", "county", "410102", "NULL", "NULL", "{}", user_in);
    add_user(hash, "mx_target_out", "county", "420102", "NULL", "NULL", "{}", user_out);

    login(0, "admin", ADMIN_PASSWORD);
    login(1, "mx_province", PASSWORD);
    login(2, "mx_city", PASSWORD);
    login(3, "mx_county", PASSWORD);
    login(4, "mx_registrar", PASSWORD);
    login(5, "mx_grade", PASSWORD);
    login(6, "mx_head", PASSWORD);
    tokens[7][0] = '\0';
}

/*
 * Replace the placeholders of `in` into out. `out_case` selects what the _X
 * placeholders mean: 0 the "in" chain, 1 the "out" chain.
 */
static void
expand(const char *in, int out_case, char *out, size_t cap)
{
    char n[16], n6[8], n99[4], code[16];
    seq++;
    snprintf(n, sizeof(n), "%d%04d", (int)(getpid() % 1000), seq);
    snprintf(n6, sizeof(n6), "%06d", (int)((getpid() % 100) * 10000 + seq) % 1000000);
    snprintf(n99, sizeof(n99), "%d", seq % 99 + 1);
    snprintf(code, sizeof(code), "21%s%s", out_case ? "42" : "41", n6);
    const struct {
        const char *key, *val;
    } keys[] = {
        {"@SCHOOLCODE_X", code},
        {"@SCHOOL_IN", SCHOOL_IN},
        {"@SCHOOL_OUT", SCHOOL_OUT},
        {"@SCHOOL_X", out_case ? SCHOOL_OUT : SCHOOL_IN},
        {"@CLASS_X", out_case ? class_out : class_in},
        {"@USER_IN", user_in},
        {"@USER_OUT", user_out},
        {"@USER_X", out_case ? user_out : user_in},
        {"@COUNTY_X", out_case ? "420102" : "410102"},
        {"@PROVINCE_X", out_case ? "420000" : "410000"},
        {"@N99", n99},
        {"@N6", n6},
        {"@N", n},
    };
    size_t o = 0;
    for (const char *p = in; *p && o + 1 < cap;) {
        int hit = 0;
        for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
            size_t kl = strlen(keys[k].key);
            if (strncmp(p, keys[k].key, kl) == 0) {
                o += (size_t)snprintf(out + o, cap - o, "%s", keys[k].val);
                p += kl;
                hit = 1;
                break;
            }
        }
        if (!hit)
            out[o++] = *p++;
    }
    out[o < cap ? o : cap - 1] = '\0';
}

START_TEST(test_every_route_has_a_row)
{
    load_matrix();
    for (int i = 0; i < api_nroutes; i++) {
        const char *m = method_name(api_routes[i].method);
        int found = 0;
        for (int j = 0; j < nrows; j++)
            if (strcmp(rows[j].method, m) == 0 && strcmp(rows[j].pattern, api_routes[i].pattern) == 0)
                found++;
        ck_assert_msg(found == 1, "route %s %s has %d rows in tests/http/authz_matrix.txt (want 1)",
                      m, api_routes[i].pattern, found);
    }
    /* and no row names a route that does not exist */
    for (int j = 0; j < nrows; j++) {
        int found = 0;
        for (int i = 0; i < api_nroutes; i++)
            if (strcmp(rows[j].method, method_name(api_routes[i].method)) == 0 &&
                strcmp(rows[j].pattern, api_routes[i].pattern) == 0)
                found = 1;
        ck_assert_msg(found, "authz_matrix.txt:%d: %s %s is not a route", rows[j].line,
                      rows[j].method, rows[j].pattern);
    }
}
END_TEST

START_TEST(test_matrix)
{
    load_matrix();
    build_world();
    int failures = 0;
    char report[8192] = "";
    size_t rl = 0;
    for (int j = 0; j < nrows; j++) {
        row *r = &rows[j];
        for (int k = 0; k < 2; k++) {
            for (int a = 0; a < NACTORS; a++) {
                char path[512], body[1024], auth[1100];
                expand(k == 0 ? r->in_path : r->out_path, k, path, sizeof(path));
                expand(r->body, k, body, sizeof(body));
                snprintf(auth, sizeof(auth), "Authorization: Bearer %.1000s", tokens[a]);
                const char *hdrs[] = {"Content-Type: application/json", "If-Match: *",
                                      tokens[a][0] ? auth : NULL, NULL};
                ht_resp resp;
                ck_assert_int_eq(ht_request(srv, r->method, path, hdrs, body[0] ? body : NULL,
                                            strlen(body), &resp),
                                 0);
                if (resp.status != r->expect[k][a]) {
                    failures++;
                    if (rl < sizeof(report) - 300)
                        rl += (size_t)snprintf(report + rl, sizeof(report) - rl,
                                               "\n  line %d %s %s [%s, %s]: got %ld want %d %.80s",
                                               r->line, r->method, path, actor_names[a],
                                               k ? "out" : "in", resp.status, r->expect[k][a],
                                               resp.body ? resp.body : "");
                }
                ht_resp_free(&resp);
            }
        }
    }
    ck_assert_msg(failures == 0, "%d cells differ from tests/http/authz_matrix.txt:%s", failures,
                  report);
    PQfinish(db);
    ck_assert_int_eq(ht_server_stop(srv), 0);
}
END_TEST

int
main(void)
{
    ht_global_init();
    Suite *s = suite_create("authz");
    TCase *tc = tcase_create("matrix");
    tcase_set_timeout(tc, ht_timeout(240));
    tcase_add_test(tc, test_every_route_has_a_row);
    tcase_add_test(tc, test_matrix);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    ht_global_cleanup();
    return failed ? 1 : 0;
}
