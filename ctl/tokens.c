/*
 * ctl/tokens.c - xuejictl tokens: access tokens for every student account of
 * a university, minted offline (the selection peak bench, bench/selection.sh,
 * docs/decisions/0041), instead of 20,000 Argon2 logins.
 *
 * Each token is what xuejid's login issues (api/auth.c): a JWS, HS256 with
 * the deployment's XUEJI_JWT_SECRET (or _FILE), claims iss "xueji", sub the
 * account id, role "student", org the university, iat, exp (at most the
 * server's 15 minutes), jti, sid and stu. `sid` names a session made here:
 * a refresh family with one row whose hash no token has (so it cannot be
 * refreshed) and which a logout or revocation ends like any other. The
 * secret and the tokens are never printed to the terminal; the file is
 * created with mode 0600.
 */
#include "ctl/ctl.h"
#include "db/db.h"

#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* one session per enabled student account of the university, by account id */
static const char SESSIONS_SQL[] =
    "WITH u AS (SELECT id, student_id FROM app_user WHERE role = 'student' AND org = $1"
    " AND NOT disabled AND student_id IS NOT NULL), ins AS (INSERT INTO refresh_token (family,"
    " user_id, token_hash, expires_at) SELECT nextval('refresh_family_seq'), id, 'xuejictl:'"
    " || md5(random()::text || clock_timestamp()::text) || ':' || id, now() + make_interval(secs"
    " => $2::int) FROM u RETURNING family, user_id) SELECT ins.user_id, u.student_id, ins.family"
    " FROM ins JOIN u ON u.id = ins.user_id ORDER BY ins.user_id";

/* XUEJI_JWT_SECRET or the file XUEJI_JWT_SECRET_FILE, trailing blanks cut (as xuejid). */
static size_t
jwt_secret(unsigned char *buf, size_t cap)
{
    const char *v = getenv("XUEJI_JWT_SECRET"), *path = getenv("XUEJI_JWT_SECRET_FILE");
    size_t n = 0;
    if (v != NULL) {
        n = strlen(v) < cap ? strlen(v) : 0;
        memcpy(buf, v, n);
    } else if (path != NULL) {
        FILE *f = fopen(path, "r");
        if (f == NULL)
            return 0;
        n = fread(buf, 1, cap - 1, f);
        fclose(f);
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
        n--;
    return n >= 32 ? n : 0;
}

static void
b64url(char *out, size_t cap, const unsigned char *p, size_t n)
{
    sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* header.payload.signature of one student's token into out (cap bytes). */
static int
sign(char *out, size_t cap, const unsigned char *key, size_t keylen, long long uid,
     long long student, long long sid, const char *org, long now, int ttl)
{
    unsigned char rnd[16], mac[crypto_auth_hmacsha256_BYTES];
    char jti[33], sub[24];
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(jti, sizeof(jti), rnd, sizeof(rnd));
    snprintf(sub, sizeof(sub), "%lld", uid);
    json_t *claims =
        json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:s,s:I,s:I}", "iss", "xueji", "sub", sub, "role",
                  "student", "org", org, "iat", (json_int_t)now, "exp", (json_int_t)(now + ttl),
                  "jti", jti, "sid", (json_int_t)sid, "stu", (json_int_t)student);
    char *payload = json_dumps(claims, JSON_COMPACT);
    json_decref(claims);
    if (payload == NULL)
        return -1;
    static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    char h64[64], p64[1024];
    b64url(h64, sizeof(h64), (const unsigned char *)header, sizeof(header) - 1);
    b64url(p64, sizeof(p64), (const unsigned char *)payload, strlen(payload));
    free(payload);
    int n = snprintf(out, cap, "%s.%s", h64, p64);
    if (n <= 0 || (size_t)n >= cap - 64)
        return -1;
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, keylen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)out, (unsigned long long)n);
    crypto_auth_hmacsha256_final(&st, mac);
    out[n] = '.';
    b64url(out + n + 1, cap - (size_t)n - 1, mac, sizeof(mac));
    return 0;
}

/* xuejictl tokens --school CODE --out FILE [--ttl S]: lines "STUDENT_ID TOKEN". */
int
ctl_cmd_tokens(const char *school, const char *path, int ttl)
{
    unsigned char key[257];
    size_t keylen = jwt_secret(key, sizeof(key));
    if (keylen == 0 || school == NULL || strlen(school) != 10 || path == NULL) {
        fprintf(stderr, "tokens: need --school CODE, --out FILE and XUEJI_JWT_SECRET(_FILE)"
                        " of 32 to 256 bytes\n");
        return 2;
    }
    app_err err = {0};
    db_conn *db = ctl_connect(&err);
    char ttls[16];
    snprintf(ttls, sizeof(ttls), "%d", ttl);
    const char *p[] = {school, ttls};
    db_res *r = NULL;
    if (db == NULL || db_exec_once(db, SESSIONS_SQL, 2, p, &r, &err) != 0) {
        fprintf(stderr, "tokens: %s\n", err.detail[0] ? err.detail : "no database");
        db_conn_close(db);
        return 1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    int n = db_res_nrows(r), rc = f ? 0 : 1;
    long now = (long)time(NULL);
    char tok[1536];
    for (int i = 0; rc == 0 && i < n; i++) {
        rc = sign(tok, sizeof(tok), key, keylen, db_res_int(r, i, 0), db_res_int(r, i, 1),
                  db_res_int(r, i, 2), school, now, ttl);
        if (rc == 0 && fprintf(f, "%lld %s\n", db_res_int(r, i, 1), tok) < 0)
            rc = 1;
    }
    sodium_memzero(key, sizeof(key));
    db_res_free(r);
    db_conn_close(db);
    if (f != NULL && fclose(f) != 0)
        rc = 1;
    if (rc != 0) {
        fprintf(stderr, "tokens: cannot write %s\n", path);
        return 1;
    }
    printf("tokens: %d student tokens of %s in %s (valid %d s)\n", n, school, path, ttl);
    return 0;
}
