/*
 * api/verifier.c - the identity verifier client: a minimal HTTP/1.1 client
 * over one non-blocking TCP socket per check, every wait a poll() against a
 * single deadline. Request framing: Content-Length, "Connection: close".
 * Response framing: Content-Length, chunked, or the end of the connection;
 * interim 1xx answers are skipped. The whole response is capped at
 * API_VERIFIER_MAX_RESPONSE bytes.
 */
#include "api/verifier.h"

#include <errno.h>
#include <jansson.h>
#include <netdb.h>
#include <poll.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"

#define URL_PATH_MAX 1024
#define TIMEOUT_MAX_MS 600000

struct api_verifier {
    char host[256];        /* for getaddrinfo: an IPv6 address without brackets */
    char port[8];          /* decimal */
    char host_header[272]; /* as written in the URL, ":port" unless 80 */
    char path[URL_PATH_MAX + 1];
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

api_verifier *
api_verifier_new(const char *url, int timeout_ms, app_err *err)
{
    api_verifier *v = xcalloc(1, sizeof(*v));

    if (url == NULL || *url == '\0')
        return bad_url(v, err, "empty");
    for (const char *q = url; *q; q++)
        if ((unsigned char)*q <= 0x20 || *q == 0x7f)
            return bad_url(v, err, "spaces and control characters are not allowed");
    if (strncasecmp(url, "https://", 8) == 0)
        return bad_url(v, err,
                       "https is not supported: put a local TLS-terminating proxy in front "
                       "of the verifier and give the proxy's http:// URL");
    if (strncasecmp(url, "http://", 7) != 0)
        return bad_url(v, err, "only http://host[:port][/path] is supported");
    if (strchr(url, '#') != NULL)
        return bad_url(v, err, "a fragment (#) is not allowed");
    if (timeout_ms < 1 || timeout_ms > TIMEOUT_MAX_MS)
        return bad_url(v, err, "the timeout must be 1 to 600000 ms");
    v->timeout_ms = timeout_ms;

    /* authority: host[:port], up to the path or query */
    const char *p = url + 7;
    const char *auth_end = p + strcspn(p, "/?");
    if (memchr(p, '@', (size_t)(auth_end - p)) != NULL)
        return bad_url(v, err, "user info (user@host) is not supported");
    const char *host = p, *host_end, *after;
    int ipv6 = *p == '[';
    if (ipv6) {
        host = p + 1;
        host_end = memchr(host, ']', (size_t)(auth_end - host));
        if (host_end == NULL)
            return bad_url(v, err, "unterminated [IPv6 address]");
        after = host_end + 1;
    } else {
        host_end = memchr(host, ':', (size_t)(auth_end - host));
        if (host_end == NULL)
            host_end = auth_end;
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

    long port = 80;
    if (after < auth_end) {
        const char *d = after + 1;
        if (*after != ':' || d == auth_end || auth_end - d > 5)
            return bad_url(v, err, "bad port");
        port = 0;
        for (; d < auth_end; d++) {
            if (*d < '0' || *d > '9')
                return bad_url(v, err, "bad port");
            port = port * 10 + (*d - '0');
        }
        if (port < 1 || port > 65535)
            return bad_url(v, err, "port out of range (1-65535)");
    }
    snprintf(v->port, sizeof(v->port), "%ld", port);
    snprintf(v->host_header, sizeof(v->host_header), "%s%s%s%s%s", ipv6 ? "[" : "", v->host,
             ipv6 ? "]" : "", port == 80 ? "" : ":", port == 80 ? "" : v->port);

    /* path (and query), "/" when absent */
    size_t plen = strlen(auth_end), off = *auth_end == '/' ? 0 : 1;
    if (off + plen > URL_PATH_MAX)
        return bad_url(v, err, "path too long");
    v->path[0] = '/';
    memcpy(v->path + off, auth_end, plen + 1);
    return v;
}

void
api_verifier_free(api_verifier *v)
{
    free(v);
}

/* ---- one check: the connection ------------------------------------------ */

/* The state of one check. `why` collects the reason for UNAVAILABLE. */
typedef struct call {
    const api_verifier *v;
    int64_t deadline; /* CLOCK_MONOTONIC, ns */
    int fd;
    char why[200];
} call;

static int fail(call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Record why the check failed; returns -1. */
static int
fail(call *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof(c->why), fmt, ap);
    va_end(ap);
    return -1;
}

static const char *
errstr(int e, char *buf, size_t cap)
{
    return strerror_r(e, buf, cap); /* the GNU variant: thread-safe, returns the text */
}

static int64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Wait until `fd` is ready for `events` (or has an error or hangup, which the
 * next call on it reports). Returns 0, -ETIMEDOUT at the deadline, or -errno.
 */
static int
wait_fd(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - now_ns();
        if (left <= 0)
            return -ETIMEDOUT;
        struct pollfd pfd = {.fd = fd, .events = events};
        int r = poll(&pfd, 1, (int)((left + 999999) / 1000000));
        if (r > 0)
            return 0;
        if (r < 0 && errno != EINTR)
            return -errno;
    }
}

/* Resolve the host (no deadline: the system resolver's own timeouts apply). */
static int
resolve(call *c, struct addrinfo **out_res)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV};
    int g = getaddrinfo(c->v->host, c->v->port, &hints, out_res);
    if (g != 0)
        return fail(c, "cannot resolve %s: %s", c->v->host, gai_strerror(g));
    return 0;
}

/* Connect to the first address of `res` that answers before the deadline; sets c->fd. */
static int
connect_any(call *c, const struct addrinfo *res)
{
    char eb[96];
    int last = ECONNREFUSED;

    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        ai->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            c->fd = fd;
            return 0;
        }
        if (errno == EINPROGRESS || errno == EINTR) {
            int w = wait_fd(fd, POLLOUT, c->deadline);
            if (w == -ETIMEDOUT) {
                close(fd);
                return fail(c, "timed out after %d ms connecting to %s", c->v->timeout_ms,
                            c->v->host_header);
            }
            int so = -w;
            socklen_t sl = sizeof(so);
            if (w == 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &so, &sl) < 0)
                so = errno;
            if (so == 0) {
                c->fd = fd;
                return 0;
            }
            last = so;
        } else {
            last = errno;
        }
        close(fd);
    }
    return fail(c, "cannot connect to %s: %s", c->v->host_header, errstr(last, eb, sizeof(eb)));
}

static int
send_all(call *c, const char *p, size_t n)
{
    char eb[96];
    size_t off = 0;

    while (off < n) {
        ssize_t w = send(c->fd, p + off, n - off, MSG_NOSIGNAL);
        if (w > 0) {
            off += (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int r = wait_fd(c->fd, POLLOUT, c->deadline);
            if (r == -ETIMEDOUT)
                return fail(c, "timed out after %d ms sending the request", c->v->timeout_ms);
            if (r < 0)
                return fail(c, "poll: %s", errstr(-r, eb, sizeof(eb)));
            continue;
        }
        return fail(c, "sending the request failed: %s", errstr(w < 0 ? errno : EPIPE, eb, sizeof(eb)));
    }
    return 0;
}

/* ---- one check: the response -------------------------------------------- */

typedef struct head {
    size_t len;     /* status line and headers, the empty line included */
    int status;
    long long clen; /* Content-Length, -1 if none */
    int chunked;    /* Transfer-Encoding ends in chunked */
    int te;         /* any Transfer-Encoding: Content-Length does not count */
} head;

static int
is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static int
name_is(const char *name, size_t n, const char *want)
{
    return n == strlen(want) && strncasecmp(name, want, n) == 0;
}

/*
 * Parse the status line and headers at the start of buf[0..len).
 * Returns 1 with *h filled, 0 when the empty line has not arrived yet, or -1
 * (c->why) when malformed. Lines end in CRLF or a bare LF.
 */
static int
parse_head(call *c, const char *buf, size_t len, head *h)
{
    size_t pos = 0;
    int first = 1;

    memset(h, 0, sizeof(*h));
    h->clen = -1;
    for (;;) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        if (nl == NULL)
            return 0;
        const char *line = buf + pos;
        size_t n = (size_t)(nl - line);
        if (n > 0 && line[n - 1] == '\r')
            n--;
        pos = (size_t)(nl - buf) + 1;

        if (first) {
            /* HTTP/1.x SP 3DIGIT [SP reason] */
            if (n < 12 || memcmp(line, "HTTP/1.", 7) != 0 || !is_digit(line[7]) ||
                line[8] != ' ' || !is_digit(line[9]) || !is_digit(line[10]) ||
                !is_digit(line[11]) || (n > 12 && line[12] != ' '))
                return fail(c, "malformed HTTP status line");
            h->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
            first = 0;
            continue;
        }
        if (n == 0) {
            h->len = pos;
            if (h->te)
                h->clen = -1;
            return 1;
        }
        const char *colon = memchr(line, ':', n);
        if (colon == NULL || colon == line || line[0] == ' ' || line[0] == '\t')
            return fail(c, "malformed HTTP header line");
        size_t nlen = (size_t)(colon - line);
        const char *val = colon + 1, *end = line + n;
        while (val < end && (*val == ' ' || *val == '\t'))
            val++;
        while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
            end--;

        if (name_is(line, nlen, "content-length")) {
            long long cl = 0;
            if (val == end)
                return fail(c, "malformed Content-Length");
            for (const char *q = val; q < end; q++) {
                if (!is_digit(*q))
                    return fail(c, "malformed Content-Length");
                if (cl <= API_VERIFIER_MAX_RESPONSE)
                    cl = cl * 10 + (*q - '0');
            }
            if (h->clen >= 0 && h->clen != cl)
                return fail(c, "conflicting Content-Length headers");
            h->clen = cl;
        } else if (name_is(line, nlen, "transfer-encoding")) {
            /* the last coding decides: chunked, or the body runs to the close */
            const char *last = val;
            for (const char *q = val; q < end; q++)
                if (*q == ',')
                    last = q + 1;
            while (last < end && (*last == ' ' || *last == '\t'))
                last++;
            h->te = 1;
            h->chunked = name_is(last, (size_t)(end - last), "chunked");
        }
    }
}

/* Incremental chunked decoder; decodes in place (out <= in always). */
enum { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE };

typedef struct chunks {
    size_t in;   /* next raw byte to read */
    size_t out;  /* end of the decoded body */
    size_t left; /* bytes left in the current chunk */
    int phase;
} chunks;

/*
 * Consume what has arrived in buf[ch->in..len). Returns 1 when the last chunk
 * and the trailer section are complete, 0 when more is needed, -1 (c->why)
 * when malformed.
 */
static int
chunked_step(call *c, char *buf, size_t len, chunks *ch)
{
    for (;;) {
        const char *nl;
        switch (ch->phase) {
        case CH_SIZE: {
            nl = memchr(buf + ch->in, '\n', len - ch->in);
            if (nl == NULL)
                return 0;
            size_t size = 0, ndig = 0;
            const char *q = buf + ch->in;
            for (;; q++, ndig++) {
                int d;
                if (*q >= '0' && *q <= '9')
                    d = *q - '0';
                else if (*q >= 'a' && *q <= 'f')
                    d = *q - 'a' + 10;
                else if (*q >= 'A' && *q <= 'F')
                    d = *q - 'A' + 10;
                else
                    break;
                if (size > API_VERIFIER_MAX_RESPONSE)
                    return fail(c, "response larger than %d bytes", API_VERIFIER_MAX_RESPONSE);
                size = size * 16 + (size_t)d;
            }
            /* after the digits: optional whitespace and ;extensions, then (CR)LF */
            if (ndig == 0 || (q != nl && *q != '\r' && *q != ';' && *q != ' ' && *q != '\t'))
                return fail(c, "malformed chunk size");
            ch->in = (size_t)(nl - buf) + 1;
            ch->left = size;
            ch->phase = size > 0 ? CH_DATA : CH_TRAILER;
            break;
        }
        case CH_DATA: {
            size_t n = len - ch->in;
            if (n > ch->left)
                n = ch->left;
            memmove(buf + ch->out, buf + ch->in, n);
            ch->out += n;
            ch->in += n;
            ch->left -= n;
            if (ch->left > 0)
                return 0;
            ch->phase = CH_DATA_END;
            break;
        }
        case CH_DATA_END:
            if (ch->in >= len)
                return 0;
            if (buf[ch->in] == '\r') {
                if (ch->in + 1 >= len)
                    return 0;
                if (buf[ch->in + 1] != '\n')
                    return fail(c, "malformed chunk end");
                ch->in += 2;
            } else if (buf[ch->in] == '\n') {
                ch->in += 1;
            } else {
                return fail(c, "malformed chunk end");
            }
            ch->phase = CH_SIZE;
            break;
        case CH_TRAILER: {
            /* trailer fields (ignored) up to an empty line */
            nl = memchr(buf + ch->in, '\n', len - ch->in);
            if (nl == NULL)
                return 0;
            size_t n = (size_t)(nl - (buf + ch->in));
            ch->in = (size_t)(nl - buf) + 1;
            if (n == 0 || (n == 1 && nl[-1] == '\r'))
                ch->phase = CH_DONE;
            break;
        }
        default:
            return 1;
        }
    }
}

/*
 * Read the response into buf (cap bytes, one more for a NUL) until its end.
 * On success *out_body points into buf, NUL-terminated, *out_len bytes.
 */
static int
read_response(call *c, char *buf, size_t cap, char **out_body, size_t *out_len)
{
    char eb[96];
    size_t len = 0;
    int have_head = 0, eof = 0;
    head h = {0};
    chunks ch = {0};

    for (;;) {
        if (!eof) {
            if (len == cap)
                return fail(c, "response larger than %zu bytes", cap);
            int r = wait_fd(c->fd, POLLIN, c->deadline);
            if (r == -ETIMEDOUT)
                return fail(c, "timed out after %d ms waiting for the answer", c->v->timeout_ms);
            if (r < 0)
                return fail(c, "poll: %s", errstr(-r, eb, sizeof(eb)));
            ssize_t n = recv(c->fd, buf + len, cap - len, 0);
            if (n < 0) {
                if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                    continue;
                return fail(c, "receiving the answer failed: %s", errstr(errno, eb, sizeof(eb)));
            }
            if (n == 0)
                eof = 1;
            len += (size_t)n;
        }

        while (!have_head) {
            int r = parse_head(c, buf, len, &h);
            if (r < 0)
                return -1;
            if (r == 0)
                break;
            if (h.status >= 100 && h.status <= 199 && h.status != 101) {
                /* interim answer (100 Continue, 103 Early Hints): skip it */
                memmove(buf, buf + h.len, len - h.len);
                len -= h.len;
                continue;
            }
            if (h.status < 200 || h.status > 299)
                return fail(c, "the verifier answered HTTP %d", h.status);
            if (h.status == 204)
                return fail(c, "the verifier answered HTTP 204 (no body)");
            if (!h.chunked && h.clen >= 0 && h.len + (size_t)h.clen > cap)
                return fail(c, "response larger than %zu bytes", cap);
            have_head = 1;
            ch.in = ch.out = h.len;
        }

        if (have_head) {
            if (h.chunked) {
                int r = chunked_step(c, buf, len, &ch);
                if (r < 0)
                    return -1;
                if (r > 0) {
                    *out_len = ch.out - h.len;
                    break;
                }
            } else if (h.clen >= 0) {
                if (len - h.len >= (size_t)h.clen) {
                    *out_len = (size_t)h.clen;
                    break;
                }
            } else if (eof) {
                *out_len = len - h.len;
                break;
            }
        }
        if (eof)
            return fail(c, have_head ? "connection closed before the end of the body"
                                     : "connection closed before a complete answer");
    }
    *out_body = buf + h.len;
    (*out_body)[*out_len] = '\0';
    return 0;
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

/* The request head; the JSON body follows as the last %s. */
#define REQUEST_FMT \
    "POST %s HTTP/1.1\r\n" \
    "Host: %s\r\n" \
    "User-Agent: xueji\r\n" \
    "Accept: application/json\r\n" \
    "Content-Type: application/json\r\n" \
    "Content-Length: %zu\r\n" \
    "Connection: close\r\n" \
    "\r\n" \
    "%s"

/* The request (head and body) in a malloc'd buffer; NULL (c->why) on bad UTF-8. */
static char *
build_request(call *c, const char *name, const char *id_type, const char *id_number,
              const char *gender, const char *birth_date, size_t *out_len)
{
    json_error_t je;
    if (name == NULL || id_type == NULL || id_number == NULL) {
        fail(c, "name, id_type and id_number are required");
        return NULL;
    }
    json_t *o = json_pack_ex(&je, 0, "{s:s, s:s, s:s, s:s?, s:s?}", "name", name, "id_type",
                             id_type, "id_number", id_number, "gender", gender, "birth_date",
                             birth_date);
    if (o == NULL) {
        fail(c, "a request field is not valid UTF-8"); /* je.text may quote it */
        return NULL;
    }
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (body == NULL) {
        fail(c, "cannot encode the request");
        return NULL;
    }
    size_t blen = strlen(body);
    int n = snprintf(NULL, 0, REQUEST_FMT, c->v->path, c->v->host_header, blen, body);
    char *req = xmalloc((size_t)n + 1);
    snprintf(req, (size_t)n + 1, REQUEST_FMT, c->v->path, c->v->host_header, blen, body);
    sodium_memzero(body, blen);
    free(body);
    *out_len = (size_t)n;
    return req;
}

api_verify_result
api_verifier_check(api_verifier *v, const char *name, const char *id_type, const char *id_number,
                   const char *gender, const char *birth_date, app_err *err)
{
    call c = {.v = v, .fd = -1};
    api_verify_result res = API_VERIFY_UNAVAILABLE;
    char *req = NULL, *buf = NULL, *body = NULL;
    size_t req_len = 0, body_len = 0;
    struct addrinfo *ai = NULL;

    req = build_request(&c, name, id_type, id_number, gender, birth_date, &req_len);
    if (req == NULL)
        goto done;
    if (resolve(&c, &ai) < 0)
        goto done;
    c.deadline = now_ns() + (int64_t)v->timeout_ms * 1000000; /* the clock starts here */
    if (connect_any(&c, ai) < 0)
        goto done;
    if (send_all(&c, req, req_len) < 0)
        goto done;
    buf = xmalloc(API_VERIFIER_MAX_RESPONSE + 1);
    if (read_response(&c, buf, API_VERIFIER_MAX_RESPONSE, &body, &body_len) < 0)
        goto done;
    res = parse_answer(&c, body, body_len);
done:
    if (ai != NULL)
        freeaddrinfo(ai);
    if (c.fd >= 0)
        close(c.fd);
    if (req != NULL) {
        sodium_memzero(req, req_len);
        free(req);
    }
    if (buf != NULL) {
        sodium_memzero(buf, API_VERIFIER_MAX_RESPONSE + 1);
        free(buf);
    }
    if (res == API_VERIFY_UNAVAILABLE)
        app_err_set(err, APP_EUNAVAIL, "verifier_unavailable", "verifier: %s", c.why);
    return res;
}
