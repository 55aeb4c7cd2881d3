/*
 * api/h_clients.c - service clients of integrating provincial systems:
 * POST /clients (a province or the ministry creates one) and POST /auth/token
 * (OAuth 2.0 client credentials grant, RFC 6749 §4.4).
 *
 * A client belongs to one province: its tokens carry `sub` "client:<id>", role
 * `province` and that province as org, so they see what a province user sees.
 * The secret is shown once and stored as an argon2id hash (core/client.h
 * makes, stores and checks it; tokens are signed here). Both answers are
 * secrets: both routes are flagged API_ROUTE_SECRET and ignore Idempotency-Key.
 */
#include "api/auth.h"
#include "api/handlers.h"
#include "api/registry.h"
#include "base/buf.h"
#include "core/client.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CLIENT_NAME_MAX 100 /* characters */
#define CLIENT_ID_MAX 64
#define CLIENT_SECRET_MAX 256
#define TOKEN_BODY_MAX 4096
#define FORM_MAX_PAIRS 16

/* ---- POST /clients ---- */

typedef struct client_args {
    const char *name, *province; /* province NULL: the actor's */
} client_args;

static int
job_client_create(api_call *c, db_conn *db)
{
    client_args *a = c->data;
    core_op op;
    api_op(c, &op);
    core_client_made made;
    int rc = core_client_create(db, &op, a->name, a->province, &made, &c->err);
    if (rc != 0)
        return rc;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "client_id", made.id, "client_secret", made.secret,
                          "name", a->name, "org", made.org);
    sodium_memzero(made.secret, sizeof(made.secret));
    api_header(c, "cache-control", "no-store");
    api_reply_json(c, 201, o);
    return 0;
}

void
h_client_create(api_call *c)
{
    /* provinces and the ministry only; a service client creates no clients
       (asked before the body is read; core_client_create decides it again) */
    if (c->client_id != NULL || !core_client_may_create(&c->actor)) {
        api_fail_code(c, APP_EFORBIDDEN, "forbidden", NULL);
        return;
    }
    if (!json_is_object(c->json)) {
        api_fail_code(c, APP_EINVAL, "wrong_type", "");
        return;
    }
    client_args *a = app_arena_alloc(c->arena, sizeof(*a));
    a->name = api_body_string(c, "name", 1);
    a->province = api_body_string(c, "province", c->actor.level == CORE_LEVEL_MINISTRY);
    if (c->failed)
        return;
    if (!base_text_visible(a->name, CLIENT_NAME_MAX)) {
        api_fail_code(c, APP_EINVAL, "invalid_name", "/name");
        return;
    }
    if (a->province != NULL && core_org_level(a->province) != CORE_LEVEL_PROVINCE) {
        api_fail_code(c, APP_EINVAL, "invalid_org", "/province");
        return;
    }
    c->data = a;
    api_submit(c, job_client_create);
}

/* ---- POST /auth/token ---- */

typedef struct token_args {
    const char *client_id, *client_secret;
    int basic; /* the credentials came in an Authorization: Basic header */
} token_args;

static int
job_token(api_call *c, db_conn *db)
{
    token_args *a = c->data;
    core_op op;
    api_op(c, &op);
    op.actor = NULL; /* nobody is signed in yet */
    const char *org = NULL;
    int rc = core_client_authenticate(db, &op, a->client_id, a->client_secret, &org, &c->err);
    if (rc == APP_EAUTH && a->basic)
        api_header(c, "www-authenticate", "Basic realm=\"xueji\"");
    if (rc != 0)
        return rc;
    core_actor actor;
    memset(&actor, 0, sizeof(actor));
    actor.level = core_org_level(org);
    snprintf(actor.org, sizeof(actor.org), "%s", org);
    char *tok = NULL;
    if ((rc = api_token_issue(&actor, a->client_id, 0, &tok, &c->err)) != 0)
        return rc;
    json_t *o = json_pack("{s:s,s:s,s:i}", "access_token", tok, "token_type", "Bearer",
                          "expires_in", API_TOKEN_TTL_S);
    free(tok);
    api_header(c, "cache-control", "no-store");
    api_header(c, "pragma", "no-cache");
    api_reply_json(c, 200, o);
    return 0;
}

/* application/x-www-form-urlencoded decoding of s[0..n) into the arena; NULL
   when an escape is malformed or decodes to a NUL byte. */
static char *
form_decode(api_call *c, const char *s, size_t n)
{
    char *out = app_arena_alloc(c->arena, n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] == '%') {
            if (i + 2 >= n)
                return NULL;
            int hi = api_hexval(s[i + 1]), lo = api_hexval(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return NULL;
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else if (s[i] == '\0') {
            return NULL;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

typedef struct params {
    int n;
    const char *name[FORM_MAX_PAIRS], *value[FORM_MAX_PAIRS];
} params;

/* Split a form body into pairs. -1 when malformed or too many. */
static int
parse_form(api_call *c, const char *body, size_t len, params *out)
{
    out->n = 0;
    for (size_t i = 0; i < len;) {
        const char *amp = memchr(body + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - body) : len;
        if (end > i) {
            const char *eq = memchr(body + i, '=', end - i);
            size_t kend = eq ? (size_t)(eq - body) : end;
            if (out->n >= FORM_MAX_PAIRS)
                return -1;
            out->name[out->n] = form_decode(c, body + i, kend - i);
            out->value[out->n] = eq ? form_decode(c, eq + 1, end - kend - 1) : "";
            if (out->name[out->n] == NULL || out->value[out->n] == NULL)
                return -1;
            out->n++;
        }
        i = end + 1;
    }
    return 0;
}

/* A JSON object of string members into pairs. -1 when not that. */
static int
parse_json(api_call *c, params *out)
{
    json_error_t jerr;
    json_t *j = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &jerr);
    int rc = json_is_object(j) && json_object_size(j) <= FORM_MAX_PAIRS ? 0 : -1;
    const char *key;
    json_t *v;
    out->n = 0;
    if (rc == 0) {
        json_object_foreach(j, key, v)
        {
            if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v)) {
                rc = -1;
                break;
            }
            out->name[out->n] = app_arena_strdup(c->arena, key);
            out->value[out->n] = app_arena_strdup(c->arena, json_string_value(v));
            out->n++;
        }
    }
    json_decref(j);
    return rc;
}

/* The value of `name`, NULL when absent; *dup set when it occurs twice. */
static const char *
param(const params *p, const char *name, int *dup)
{
    const char *found = NULL;
    for (int i = 0; i < p->n; i++) {
        if (strcmp(p->name[i], name) != 0)
            continue;
        if (found != NULL)
            *dup = 1;
        found = p->value[i];
    }
    return found;
}

/* Client ids are ours ("xjc-" and hex); anything else is refused before the
   database sees it (it might not even be UTF-8). */
static int
valid_client_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CLIENT_ID_MAX)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.' || *s == '~'))
            return 0;
    return 1;
}

/* Media type of the body without parameters, compared case-insensitively. */
static int
media_is(const char *ct, const char *type)
{
    size_t n = strlen(type);
    if (ct == NULL || strncasecmp(ct, type, n) != 0)
        return 0;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* Authorization: Basic base64(urlencode(id) ":" urlencode(secret)). -1 malformed. */
static int
parse_basic(api_call *c, const char *h, token_args *a)
{
    const char *b64 = h + 6;
    while (*b64 == ' ')
        b64++;
    size_t n = strlen(b64), bin_len = 0;
    if (n == 0 || n > 1024)
        return -1;
    unsigned char *bin = app_arena_alloc(c->arena, n);
    if (sodium_base642bin(bin, n, b64, n, NULL, &bin_len, NULL, sodium_base64_VARIANT_ORIGINAL) !=
            0 &&
        sodium_base642bin(bin, n, b64, n, NULL, &bin_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
        return -1;
    const char *colon = memchr(bin, ':', bin_len);
    if (colon == NULL)
        return -1;
    size_t idlen = (size_t)(colon - (const char *)bin);
    a->client_id = form_decode(c, (const char *)bin, idlen);
    a->client_secret = form_decode(c, colon + 1, bin_len - idlen - 1);
    sodium_memzero(bin, n);
    if (a->client_id == NULL || a->client_secret == NULL)
        return -1;
    a->basic = 1;
    return 0;
}

void
h_token(api_call *c)
{
    if (c->body_len > TOKEN_BODY_MAX) {
        api_fail_code(c, APP_ETOOLARGE, "body_too_large", NULL);
        return;
    }
    const char *ct = api_req_header(c, "content-type");
    params p = {0};
    int bad = 0;
    if (media_is(ct, "application/x-www-form-urlencoded"))
        bad = parse_form(c, c->body, c->body_len, &p);
    else if (media_is(ct, "application/json"))
        bad = parse_json(c, &p);
    else if (c->body_len > 0 || ct != NULL) {
        api_fail_code(c, APP_EINVAL, "unsupported_media_type", "/headers/content-type");
        return;
    }
    int dup = 0;
    const char *grant = bad ? NULL : param(&p, "grant_type", &dup);
    token_args *a = app_arena_alloc(c->arena, sizeof(*a));
    a->client_id = param(&p, "client_id", &dup);
    a->client_secret = param(&p, "client_secret", &dup);
    if (bad || dup) { /* RFC 6749 §3.2: no parameter may occur twice */
        api_fail_code(c, APP_EINVAL, "invalid_request", NULL);
        return;
    }
    if (grant == NULL) {
        api_fail_code(c, APP_EINVAL, "invalid_request", "/grant_type");
        return;
    }
    if (strcmp(grant, "client_credentials") != 0) {
        api_fail_code(c, APP_EINVAL, "unsupported_grant_type", "/grant_type");
        return;
    }
    const char *auth = api_req_header(c, "authorization");
    if (auth != NULL && strncasecmp(auth, "Basic ", 6) == 0) {
        /* RFC 6749 §2.3: one authentication method per request */
        if (a->client_id != NULL || a->client_secret != NULL) {
            api_fail_code(c, APP_EINVAL, "invalid_request", NULL);
            return;
        }
        if (parse_basic(c, auth, a) != 0) {
            api_header(c, "www-authenticate", "Basic realm=\"xueji\"");
            api_fail_code(c, APP_EAUTH, "invalid_client", NULL);
            return;
        }
    }
    if (a->client_id == NULL || a->client_secret == NULL || !valid_client_id(a->client_id) ||
        strlen(a->client_secret) > CLIENT_SECRET_MAX) {
        if (a->basic)
            api_header(c, "www-authenticate", "Basic realm=\"xueji\"");
        api_fail_code(c, APP_EAUTH, "invalid_client", NULL);
        return;
    }
    c->data = a;
    api_submit(c, job_token);
}
