/*
 * tests/lib/fakeverifier.c - the fake identity verifier (see fakeverifier.h).
 *
 * One thread polls the listening socket and a wake-up pipe; fv_stop writes to
 * the pipe, so every wait (accept, reading a request, the answer delay) ends
 * at once and the thread is joined.
 */
#include "tests/lib/fakeverifier.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQ_MAX (64 * 1024) /* larger requests get 413 */
#define READ_TIMEOUT_MS 5000

typedef struct answer {
    struct answer *next;
    char *id_number;
    char *result;
} answer;

struct fv_server {
    int lfd;
    int wake[2]; /* pipe: fv_stop writes one byte */
    int port;
    pthread_t tid;
    pthread_mutex_t mu;
    /* under mu */
    answer *answers;
    int delay_ms;
    char *raw;
    int requests;
    char *last_body;
};

/* ---- setters and getters ------------------------------------------------- */

int
fv_port(fv_server *s)
{
    return s->port;
}

void
fv_set(fv_server *s, const char *id_number, const char *result)
{
    pthread_mutex_lock(&s->mu);
    answer **pp = &s->answers;
    while (*pp != NULL && strcmp((*pp)->id_number, id_number) != 0)
        pp = &(*pp)->next;
    if (*pp != NULL) {
        answer *a = *pp;
        *pp = a->next;
        free(a->id_number);
        free(a->result);
        free(a);
    }
    if (result != NULL) {
        answer *a = calloc(1, sizeof(*a));
        a->id_number = strdup(id_number);
        a->result = strdup(result);
        a->next = s->answers;
        s->answers = a;
    }
    pthread_mutex_unlock(&s->mu);
}

void
fv_set_delay_ms(fv_server *s, int ms)
{
    pthread_mutex_lock(&s->mu);
    s->delay_ms = ms;
    pthread_mutex_unlock(&s->mu);
}

void
fv_set_raw(fv_server *s, const char *raw_response)
{
    pthread_mutex_lock(&s->mu);
    free(s->raw);
    s->raw = raw_response != NULL ? strdup(raw_response) : NULL;
    pthread_mutex_unlock(&s->mu);
}

int
fv_requests(fv_server *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->requests;
    pthread_mutex_unlock(&s->mu);
    return n;
}

char *
fv_last_body(fv_server *s)
{
    pthread_mutex_lock(&s->mu);
    char *b = s->last_body != NULL ? strdup(s->last_body) : NULL;
    pthread_mutex_unlock(&s->mu);
    return b;
}

/* ---- serving -------------------------------------------------------------- */

/* Wait for `fd` (or the wake-up pipe) up to `ms`. 1 ready, 0 timeout, -1 stop/error. */
static int
wait_for(fv_server *s, int fd, short events, int ms)
{
    struct pollfd p[2] = {{.fd = s->wake[0], .events = POLLIN}, {.fd = fd, .events = events}};
    int n = fd >= 0 ? 2 : 1;
    for (;;) {
        int r = poll(p, (nfds_t)n, ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || p[0].revents != 0)
            return -1;
        return r > 0 ? 1 : 0;
    }
}

static void
send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void
send_answer(int fd, int status, const char *reason, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                     status, reason, strlen(body));
    send_all(fd, head, (size_t)n);
    send_all(fd, body, strlen(body));
}

/* The value of header `name` in the head buf[0..hlen), copied into out; 0 or -1. */
static int
header(const char *buf, size_t hlen, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);
    const char *p = memchr(buf, '\n', hlen), *end = buf + hlen;
    while (p != NULL && ++p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            break;
        if ((size_t)(nl - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
            const char *v = p + nlen + 1, *ve = nl;
            while (v < ve && (*v == ' ' || *v == '\t'))
                v++;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            snprintf(out, cap, "%.*s", (int)(ve - v), v);
            return 0;
        }
        p = nl;
    }
    return -1;
}

/*
 * Read one request into buf: head, then Content-Length bytes of body.
 * Returns the body length with *out_hlen set, or -1 (timeout, stop, close,
 * malformed: the connection is just dropped), -2 when too large.
 */
static long
read_request(fv_server *s, int fd, char *buf, size_t cap, size_t *out_hlen)
{
    size_t len = 0, hlen = 0;
    long clen = -1;

    for (;;) {
        if (hlen == 0) {
            char *e = memmem(buf, len, "\r\n\r\n", 4);
            if (e != NULL) {
                char v[32];
                hlen = (size_t)(e - buf) + 4;
                if (header(buf, hlen, "content-length", v, sizeof(v)) < 0)
                    return -1;
                clen = strtol(v, NULL, 10);
                if (clen < 0)
                    return -1;
                if (hlen + (size_t)clen > cap)
                    return -2;
            }
        }
        if (hlen > 0 && len >= hlen + (size_t)clen) {
            *out_hlen = hlen;
            return clen;
        }
        if (len == cap)
            return -2;
        if (wait_for(s, fd, POLLIN, READ_TIMEOUT_MS) != 1)
            return -1;
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        len += (size_t)n;
    }
}

static void
serve(fv_server *s, int fd)
{
    char *buf = malloc(REQ_MAX + 1);
    size_t hlen = 0;
    long blen = read_request(s, fd, buf, REQ_MAX, &hlen);

    if (blen == -2) {
        send_answer(fd, 413, "Content Too Large", "{\"error\":\"too large\"}");
        goto done;
    }
    if (blen < 0)
        goto done;
    buf[hlen + (size_t)blen] = '\0';
    const char *body = buf + hlen;

    /* count, record, and take a snapshot of the settings */
    pthread_mutex_lock(&s->mu);
    s->requests++;
    free(s->last_body);
    s->last_body = strdup(body);
    int delay = s->delay_ms;
    char *raw = s->raw != NULL ? strdup(s->raw) : NULL;
    pthread_mutex_unlock(&s->mu);

    if (delay > 0 && wait_for(s, -1, 0, delay) != 0)
        goto done_raw; /* stopping */
    if (raw != NULL) {
        send_all(fd, raw, strlen(raw));
        goto done_raw;
    }

    char ctype[64];
    if (strncmp(buf, "POST ", 5) != 0) {
        send_answer(fd, 405, "Method Not Allowed", "{\"error\":\"POST only\"}");
        goto done_raw;
    }
    if (buf[5] != '/' || memmem(buf, hlen, " HTTP/1.1\r\n", 11) == NULL ||
        header(buf, hlen, "host", ctype, sizeof(ctype)) < 0) {
        send_answer(fd, 400, "Bad Request", "{\"error\":\"bad request line or no Host\"}");
        goto done_raw;
    }
    if (header(buf, hlen, "content-type", ctype, sizeof(ctype)) < 0 ||
        strcasecmp(ctype, "application/json") != 0) {
        send_answer(fd, 415, "Unsupported Media Type", "{\"error\":\"application/json only\"}");
        goto done_raw;
    }
    json_t *req = json_loadb(body, (size_t)blen, 0, NULL);
    const char *id = json_string_value(json_object_get(req, "id_number"));
    if (id == NULL) {
        send_answer(fd, 400, "Bad Request", "{\"error\":\"no id_number\"}");
    } else {
        pthread_mutex_lock(&s->mu);
        const char *word = "passed";
        for (answer *a = s->answers; a != NULL; a = a->next)
            if (strcmp(a->id_number, id) == 0)
                word = a->result;
        json_t *ans = json_pack("{s:s}", "result", word);
        pthread_mutex_unlock(&s->mu);
        char *text = json_dumps(ans, JSON_COMPACT);
        json_decref(ans);
        send_answer(fd, 200, "OK", text);
        free(text);
    }
    json_decref(req);

done_raw:
    free(raw);
done:
    /* half-close, then let the client finish reading before the close */
    shutdown(fd, SHUT_WR);
    while (wait_for(s, fd, POLLIN, 1000) == 1 && recv(fd, buf, REQ_MAX, 0) > 0)
        ;
    free(buf);
}

static void *
server_main(void *arg)
{
    fv_server *s = arg;
    for (;;) {
        int r = wait_for(s, s->lfd, POLLIN, -1);
        if (r < 0)
            break;
        int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        serve(s, fd);
        close(fd);
    }
    return NULL;
}

/* ---- start and stop ------------------------------------------------------- */

fv_server *
fv_start(void)
{
    fv_server *s = calloc(1, sizeof(*s));
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof(sa);

    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    s->wake[0] = s->wake[1] = -1;
    if (s->lfd < 0 || bind(s->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(s->lfd, 64) < 0 || getsockname(s->lfd, (struct sockaddr *)&sa, &sl) < 0 ||
        pipe2(s->wake, O_CLOEXEC) < 0) {
        perror("fv_start");
        goto fail;
    }
    s->port = ntohs(sa.sin_port);
    pthread_mutex_init(&s->mu, NULL);
    if (pthread_create(&s->tid, NULL, server_main, s) != 0) {
        fprintf(stderr, "fv_start: pthread_create failed\n");
        pthread_mutex_destroy(&s->mu);
        goto fail;
    }
    return s;
fail:
    if (s->lfd >= 0)
        close(s->lfd);
    if (s->wake[0] >= 0) {
        close(s->wake[0]);
        close(s->wake[1]);
    }
    free(s);
    return NULL;
}

void
fv_stop(fv_server *s)
{
    if (s == NULL)
        return;
    ssize_t w;
    do
        w = write(s->wake[1], "x", 1);
    while (w < 0 && errno == EINTR);
    pthread_join(s->tid, NULL);
    close(s->lfd);
    close(s->wake[0]);
    close(s->wake[1]);
    while (s->answers != NULL) {
        answer *a = s->answers;
        s->answers = a->next;
        free(a->id_number);
        free(a->result);
        free(a);
    }
    free(s->raw);
    free(s->last_body);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
