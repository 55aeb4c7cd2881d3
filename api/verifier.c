/*
 * api/verifier.c - the identity verifier client on libcurl's easy API: one
 * easy handle per check (handles are not shared between threads), HTTP/1.1
 * over http or https, no redirects, no proxy, one total timeout. libcurl
 * does the framing (Content-Length, chunked, close-delimited, interim 1xx
 * answers); the callbacks here count the response against
 * API_VERIFIER_MAX_RESPONSE and refuse conflicting Content-Length headers.
 */
#include "api/verifier.h"

#include "base/arena.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define URL_PATH_MAX 1024
#define TIMEOUT_MAX_MS 600000

struct api_verifier {
    char host[256];        /* an IPv6 address without brackets */
    char port[8];          /* decimal */
    char host_header[272]; /* as written in the URL, ":port" unless the scheme's default */
    char path[URL_PATH_MAX + 1];
    char url[8 + 272 + URL_PATH_MAX + 1]; /* scheme://host_header/path, given to libcurl */
    int timeout_ms;
};

static const char *const result_names[] = {
    [API_VERIFY_PASSED] = "passed",
    [API_VERIFY_ID_NOT_FOUND] = "id_not_found",
    [API_VERIFY_NAME_MISMATCH] = "name_mismatch",
    [API_VERIFY_CANCELLED] = "cancelled",
    [API_VERIFY_MIGRATING] = "migrating",
    [API_VERIFY_DUPLICATE_POPULATION] = "duplicate_population",
    [API_VERIFY_UNAVAILABLE] = "unavailable",
};

const char *
api_verify_result_name(api_verify_result r)
{
    if ((unsigned)r > API_VERIFY_UNAVAILABLE)
        return result_names[API_VERIFY_UNAVAILABLE];
    return result_names[r];
}

/* ---- the URL ------------------------------------------------------------ */

static api_verifier *
bad_url(api_verifier *v, app_err *err, const char *why)
{
    free(v);
    app_err_set(err, APP_EINVAL, "bad_verifier_url", "verifier URL: %s", why);
    return NULL;
}

static int
host_char(char ch, int ipv6)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
        return 1;
    return ipv6 ? ch == ':' || ch == '.' : ch == '-' || ch == '.' || ch == '_';
}

/* Host and port of the authority p[0..end) into v; NULL (the error set) or v. */
static api_verifier *
parse_authority(api_verifier *v, const char *p, const char *end, long port, app_err *err)
{
    if (memchr(p, '@', (size_t)(end - p)) != NULL)
        return bad_url(v, err, "user info (user@host) is not supported");
    const char *host = p, *host_end, *after;
    int ipv6 = *p == '[';
    if (ipv6) {
        host = p + 1;
        host_end = memchr(host, ']', (size_t)(end - host));
        if (host_end == NULL)
            return bad_url(v, err, "unterminated [IPv6 address]");
        after = host_end + 1;
    } else {
        host_end = memchr(host, ':', (size_t)(end - host));
        if (host_end == NULL)
            host_end = end;
        after = host_end;
    }
    size_t hlen = (size_t)(host_end - host);
    if (hlen == 0)
        return bad_url(v, err, "no host");
    if (hlen >= sizeof(v->host))
        return bad_url(v, err, "host name too long");
    for (const char *q = host; q < host_end; q++)
        if (!host_char(*q, ipv6))
            return bad_url(v, err, "bad character in the host");
    memcpy(v->host, host, hlen);
    v->host[hlen] = '\0';

    long dflt = port;
    if (after < end) {
        const char *d = after + 1;
        if (*after != ':' || d == end || end - d > 5)
            return bad_url(v, err, "bad port");
        port = 0;
        for (; d < end; d++) {
            if (*d < '0' || *d > '9')
                return bad_url(v, err, "bad port");
            port = port * 10 + (*d - '0');
        }
        if (port < 1 || port > 65535)
            return bad_url(v, err, "port out of range (1-65535)");
    }
    snprintf(v->port, sizeof(v->port), "%ld", port);
    snprintf(v->host_header, sizeof(v->host_header), "%s%s%s%s%s", ipv6 ? "[" : "", v->host,
             ipv6 ? "]" : "", port == dflt ? "" : ":", port == dflt ? "" : v->port);
    return v;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void
curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

api_verifier *
api_verifier_new(const char *url, int timeout_ms, app_err *err)
{
    api_verifier *v = xcalloc(1, sizeof(*v));

    if (url == NULL || *url == '\0')
        return bad_url(v, err, "empty");
    for (const char *q = url; *q; q++)
        if ((unsigned char)*q <= 0x20 || *q == 0x7f)
            return bad_url(v, err, "spaces and control characters are not allowed");
    int tls = strncasecmp(url, "https://", 8) == 0;
    if (!tls && strncasecmp(url, "http://", 7) != 0)
        return bad_url(v, err, "only http:// or https://host[:port][/path] is supported");
    if (strchr(url, '#') != NULL)
        return bad_url(v, err, "a fragment (#) is not allowed");
    if (timeout_ms < 1 || timeout_ms > TIMEOUT_MAX_MS)
        return bad_url(v, err, "the timeout must be 1 to 600000 ms");
    v->timeout_ms = timeout_ms;

    /* authority: host[:port], up to the path or query */
    const char *p = url + (tls ? 8 : 7);
    const char *auth_end = p + strcspn(p, "/?");
    if (parse_authority(v, p, auth_end, tls ? 443 : 80, err) == NULL)
        return NULL;

    /* path (and query), "/" when absent */
    size_t plen = strlen(auth_end), off = *auth_end == '/' ? 0 : 1;
    if (off + plen > URL_PATH_MAX)
        return bad_url(v, err, "path too long");
    v->path[0] = '/';
    memcpy(v->path + off, auth_end, plen + 1);
    snprintf(v->url, sizeof(v->url), "%s://%s%s", tls ? "https" : "http", v->host_header, v->path);

    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return bad_url(v, err, "libcurl could not be initialised");
    return v;
}

void
api_verifier_free(api_verifier *v)
{
    free(v);
}

/* ---- one check ------------------------------------------------------------ */

/* The state of one check. `why` collects the reason for UNAVAILABLE. */
typedef struct call {
    const api_verifier *v;
    char *buf; /* the body, API_VERIFIER_MAX_RESPONSE + 1 bytes */
    size_t len;
    size_t total;   /* bytes of heads and body received, against the cap */
    long long clen; /* Content-Length of the current answer, -1 if none */
    char why[200];
} call;

static int fail(call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record why the check failed (the first reason wins); returns -1. */
static int
fail(call *c, const char *fmt, ...)
{
    va_list ap;
    if (c->why[0] != '\0')
        return -1;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof(c->why), fmt, ap);
    va_end(ap);
    return -1;
}

/* Count n more bytes of the answer; 0, or -1 (c->why) past the cap. */
static int
count(call *c, size_t n)
{
    c->total += n;
    if (c->total > API_VERIFIER_MAX_RESPONSE)
        return fail(c, "response larger than %d bytes", API_VERIFIER_MAX_RESPONSE);
    return 0;
}

/* A Content-Length value; -1 when it is not all digits. Capped just past the limit. */
static long long
content_length(const char *p, size_t n)
{
    long long cl = 0;
    while (n > 0 && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    while (n > 0 && (*p == ' ' || *p == '\t'))
        p++, n--;
    if (n == 0)
        return -1;
    for (; n > 0; p++, n--) {
        if (*p < '0' || *p > '9')
            return -1;
        if (cl <= API_VERIFIER_MAX_RESPONSE)
            cl = cl * 10 + (*p - '0');
    }
    return cl;
}

/* libcurl's header callback: one line of a head (interim answers' too). */
static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
    call *c = ud;
    (void)size; /* always 1 */
    if (count(c, n) < 0)
        return 0;
    if (n >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        c->clen = -1; /* a new answer (after an interim one) */
    } else if (n > 15 && strncasecmp(p, "content-length:", 15) == 0) {
        long long cl = content_length(p + 15, n - 15);
        if (cl < 0)
            return fail(c, "malformed Content-Length"), 0;
        if (c->clen >= 0 && c->clen != cl)
            return fail(c, "conflicting Content-Length headers"), 0;
        c->clen = cl;
    }
    return n;
}

/* libcurl's write callback: the body. */
static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
    call *c = ud;
    (void)size;
    if (count(c, n) < 0 || c->len + n > API_VERIFIER_MAX_RESPONSE)
        return 0;
    memcpy(c->buf + c->len, p, n);
    c->len += n;
    return n;
}

/* A result word from the answer may be quoted in the detail only when it
   cannot hold an ID number (digits and X) or other personal data. */
static int
quotable(const char *w)
{
    size_t n = strlen(w);
    if (n == 0 || n > 32)
        return 0;
    for (; *w; w++)
        if (!((*w >= 'a' && *w <= 'z') || *w == '_'))
            return 0;
    return 1;
}

/* Map the JSON answer to a result; API_VERIFY_UNAVAILABLE with c->why. */
static api_verify_result
parse_answer(call *c, const char *body, size_t n)
{
    json_error_t je;
    api_verify_result res = API_VERIFY_UNAVAILABLE;

    /* je.text may quote the input: only its position is reported */
    json_t *root = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL) {
        fail(c, "the answer is not JSON (line %d, column %d)", je.line, je.column);
        return res;
    }
    json_t *r = json_object_get(root, "result");
    if (!json_is_object(root)) {
        fail(c, "the answer is not a JSON object");
    } else if (!json_is_string(r)) {
        fail(c, "the answer has no \"result\" string");
    } else {
        const char *w = json_string_value(r);
        for (int i = 0; i < API_VERIFY_UNAVAILABLE; i++)
            if (strcmp(w, result_names[i]) == 0)
                res = (api_verify_result)i;
        if (res == API_VERIFY_UNAVAILABLE)
            fail(c, "unknown result \"%s\" in the answer", quotable(w) ? w : "(not shown)");
    }
    json_decref(root);
    return res;
}

/* The request body in a malloc'd string; NULL (c->why) on a missing field or bad UTF-8. */
static char *
build_body(call *c, const char *name, const char *id_type, const char *id_number,
           const char *gender, const char *birth_date)
{
    json_error_t je;
    if (name == NULL || id_type == NULL || id_number == NULL) {
        fail(c, "name, id_type and id_number are required");
        return NULL;
    }
    json_t *o =
        json_pack_ex(&je, 0, "{s:s, s:s, s:s, s:s?, s:s?}", "name", name, "id_type", id_type,
                     "id_number", id_number, "gender", gender, "birth_date", birth_date);
    if (o == NULL) {
        fail(c, "a request field is not valid UTF-8"); /* je.text may quote it */
        return NULL;
    }
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (body == NULL)
        fail(c, "cannot encode the request");
    return body;
}

/* An easy handle for one POST of `body`, or NULL. */
static CURL *
easy_new(call *c, const char *body, struct curl_slist *headers, char *errbuf)
{
    CURL *h = curl_easy_init();
    if (h == NULL)
        return NULL;
    int bad = 0;
#define SET(opt, val) (bad |= curl_easy_setopt(h, opt, val) != CURLE_OK)
    SET(CURLOPT_URL, c->v->url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_PROXY, ""); /* not even one named by http_proxy and the like */
    SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_TIMEOUT_MS, (long)c->v->timeout_ms);
    SET(CURLOPT_HTTPHEADER, headers);
    SET(CURLOPT_USERAGENT, "xueji");
    SET(CURLOPT_POSTFIELDS, body);
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)API_VERIFIER_MAX_RESPONSE);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, c);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, c);
    SET(CURLOPT_ERRORBUFFER, errbuf);
#undef SET
    if (bad) {
        curl_easy_cleanup(h);
        return NULL;
    }
    return h;
}

/*
 * Why a transfer failed, in words of our own: libcurl's error buffer may
 * quote the answer, so it is only looked at, never copied.
 */
static void
transfer_failed(call *c, CURLcode rc, const char *errbuf)
{
    const char *to = c->v->host_header;
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        fail(c, "timed out after %d ms (resolving, connecting to %s, or waiting for the answer)",
             c->v->timeout_ms, to);
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        fail(c, "cannot resolve %s", c->v->host);
        break;
    case CURLE_COULDNT_CONNECT:
        fail(c, "cannot connect to %s", to);
        break;
    case CURLE_GOT_NOTHING:
        fail(c, "connection closed before a complete answer");
        break;
    case CURLE_PARTIAL_FILE:
        fail(c, "connection closed before the end of the body");
        break;
    case CURLE_FILESIZE_EXCEEDED:
        fail(c, "response larger than %d bytes", API_VERIFIER_MAX_RESPONSE);
        break;
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_UNSUPPORTED_PROTOCOL:
        fail(c, "malformed HTTP status line or header from %s", to);
        break;
    case CURLE_RECV_ERROR:
        if (strstr(errbuf, "chunk") != NULL)
            fail(c, "malformed chunked body (chunk size or framing)");
        else
            fail(c, "receiving the answer from %s failed", to);
        break;
    default:
        fail(c, "%s: %s", to, curl_easy_strerror(rc)); /* libcurl's fixed text for the code */
        break;
    }
}

/* POST the body and read the answer into c->buf; 0 or -1 (c->why). */
static int
exchange(call *c, const char *body)
{
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hl = NULL, *next;
    static const char *const headers[] = {"Accept: application/json",
                                          "Content-Type: application/json",
                                          "Expect:", "Connection: close"};
    for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        if ((next = curl_slist_append(hl, headers[i])) == NULL) {
            curl_slist_free_all(hl);
            return fail(c, "out of memory");
        }
        hl = next;
    }
    CURL *h = easy_new(c, body, hl, errbuf);
    int rc = -1;
    if (h == NULL) {
        fail(c, "cannot set up a libcurl handle");
    } else {
        CURLcode cc = curl_easy_perform(h);
        long status = 0;
        if (cc != CURLE_OK)
            transfer_failed(c, cc, errbuf);
        else if (curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK)
            fail(c, "no HTTP status");
        else if (status == 204)
            fail(c, "the verifier answered HTTP 204 (no body)");
        else if (status < 200 || status > 299)
            fail(c, "the verifier answered HTTP %ld", status);
        else
            rc = 0;
        curl_easy_cleanup(h);
    }
    curl_slist_free_all(hl);
    return rc;
}

api_verify_result
api_verifier_check(api_verifier *v, const char *name, const char *id_type, const char *id_number,
                   const char *gender, const char *birth_date, app_err *err)
{
    call c = {.v = v, .clen = -1};
    api_verify_result res = API_VERIFY_UNAVAILABLE;

    char *body = build_body(&c, name, id_type, id_number, gender, birth_date);
    if (body != NULL) {
        c.buf = xmalloc(API_VERIFIER_MAX_RESPONSE + 1);
        if (exchange(&c, body) == 0) {
            c.buf[c.len] = '\0';
            res = parse_answer(&c, c.buf, c.len);
        }
        sodium_memzero(body, strlen(body));
        free(body);
        sodium_memzero(c.buf, API_VERIFIER_MAX_RESPONSE + 1);
        free(c.buf);
    }
    if (res == API_VERIFY_UNAVAILABLE)
        app_err_set(err, APP_EUNAVAIL, "verifier_unavailable", "verifier: %s", c.why);
    return res;
}
