/*
 * tests/fuzz/jwt_fuzz.c - libFuzzer target for the access-token verifier
 * api_token_verify (api/auth.c; make fuzz), with a fixed secret and clock.
 *
 * Byte 0 chooses what the rest is:
 *   even: a bearer token as a client sends it (forged, truncated, any bytes);
 *   odd:  a JOSE header and a claims set separated by '\n', which this target
 *         signs with HMAC-SHA256 under the server's secret, so that what
 *         follows the signature check (algorithm, issuer, claims, times,
 *         subject, scope) is reached as well.
 *
 * Promises: the answer is 0 or 401 (invalid_token, token_expired); an
 * accepted token names a level, an org that fits the actor, an iat not in the
 * future and an exp not past, and its header says HS256 (in any case, as
 * libjwt reads it); the same token
 * verified again (now from the per-thread cache) gets the same answer.
 */
#include "api/auth.h"
#include "tests/fuzz/fuzz_api.h"

#include <stddef.h>
#include <stdint.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
b64url(base_buf *b, const void *p, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *s = malloc(cap);
    sodium_bin2base64(s, cap, p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    base_buf_adds(b, s);
    free(s);
}

/* header '\n' claims -> header.claims.HS256-signature under the server's secret */
static void
sign(base_buf *tok, const char *s, size_t n)
{
    const char *nl = memchr(s, '\n', n);
    size_t hl = nl ? (size_t)(nl - s) : 0;
    const char *claims = nl ? nl + 1 : s;
    b64url(tok, s, hl);
    base_buf_addc(tok, '.');
    b64url(tok, claims, (size_t)(s + n - claims));
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, fuzz_cfg.jwt_secret, fuzz_cfg.jwt_secret_len);
    crypto_auth_hmacsha256_update(&st, tok->p, tok->n);
    crypto_auth_hmacsha256_final(&st, mac);
    base_buf_addc(tok, '.');
    b64url(tok, mac, sizeof(mac));
}

static int
verify(const char *tok, size_t n, api_call *out)
{
    fuzz_call f;
    fuzz_call_init(&f);
    app_err e = {0};
    int rc = api_token_verify(&f.c, tok, n, FUZZ_NOW, &e);
    FUZZ_CHECK(rc == 0 || rc == APP_EAUTH);
    if (rc != 0) {
        FUZZ_CHECK(e.code == APP_EAUTH && e.slug != NULL);
        FUZZ_CHECK(strcmp(e.slug, "invalid_token") == 0 || strcmp(e.slug, "token_expired") == 0);
        FUZZ_CHECK(!f.c.authed);
    } else {
        const core_actor *a = &f.c.actor;
        FUZZ_CHECK(f.c.authed);
        FUZZ_CHECK(a->level >= CORE_LEVEL_SCHOOL && a->level <= CORE_LEVEL_MINISTRY);
        FUZZ_CHECK(memchr(a->org, '\0', sizeof(a->org)) != NULL);
        FUZZ_CHECK(a->nclasses >= 0 && a->nclasses <= CORE_ACTOR_MAX_CLASSES);
        FUZZ_CHECK(f.c.token_iat > 0 && f.c.token_iat <= FUZZ_NOW + API_TOKEN_SKEW_S);
        FUZZ_CHECK(f.c.client_id != NULL || a->user_id > 0);
        /* 0 when the answer came from the cache, which checked it then */
        FUZZ_CHECK(f.c.token_exp == 0 || f.c.token_exp + API_TOKEN_SKEW_S >= FUZZ_NOW);
        if (out != NULL) {
            out->actor = *a;
            out->token_iat = f.c.token_iat;
            out->token_pwc = f.c.token_pwc;
            out->authed = (f.c.client_id != NULL) + 1;
        }
    }
    fuzz_call_free(&f);
    return rc;
}

/* An accepted token's header says HS256 (base64url, as libjwt reads it). */
static void
check_header_alg(const char *t, size_t n)
{
    const char *dot = memchr(t, '.', n);
    FUZZ_CHECK(dot != NULL);
    size_t hl = (size_t)(dot - t), bl = 0, k = 0;
    char *std = malloc(hl + 1);
    for (size_t i = 0; i < hl; i++)
        if (t[i] != '=')
            std[k++] = t[i] == '-' ? '+' : t[i] == '_' ? '/' : t[i];
    unsigned char *hdr = malloc(hl + 1);
    if (sodium_base642bin(hdr, hl + 1, std, k, NULL, &bl, NULL,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0) {
        hdr[bl] = '\0'; /* libjwt reads the header as a C string: up to a NUL */
        json_t *h = json_loads((const char *)hdr, 0, NULL);
        const char *alg = json_string_value(json_object_get(h, "alg"));
        /* libjwt names algorithms case-insensitively: "hs256" is HS256 */
        FUZZ_CHECK(alg != NULL && strcasecmp(alg, "HS256") == 0);
        json_decref(h);
    }
    free(hdr);
    free(std);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_api_init();
    if (size < 1)
        return 0;
    base_buf tok = {0};
    if (data[0] & 1)
        sign(&tok, (const char *)data + 1, size - 1);
    else
        base_buf_add(&tok, data + 1, size - 1);
    const char *t = tok.p ? (const char *)tok.p : "";
    api_call first = {0}, again = {0};
    int rc = verify(t, tok.n, &first);
    FUZZ_CHECK(verify(t, tok.n, &again) == rc);
    if (rc == 0) {
        FUZZ_CHECK(memcmp(&first.actor, &again.actor, sizeof(first.actor)) == 0);
        FUZZ_CHECK(first.token_iat == again.token_iat && first.token_pwc == again.token_pwc);
        FUZZ_CHECK(first.authed == again.authed);
        check_header_alg(t, tok.n);
    }
    base_buf_free(&tok);
    return 0;
}
