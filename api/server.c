/*
 * api/server.c - the loop threads: each owns a libuv loop and an h2o
 * context and accepts on its own SO_REUSEPORT socket (docs/decisions/0001);
 * finished calls come back to it from the DB workers; on SIGTERM/SIGINT it
 * stops listening and drains within XUEJI_SHUTDOWN_TIMEOUT_MS. The request
 * pipeline is api/request.c, api/job.c and api/call.c.
 */
#include "api/server.h"

#include "api/internal.h"
#include "api/jobs.h"
#include "api/log.h"
#include "api/metrics.h"
#include "api/pool.h"
#include "api/ratelimit.h"
#include "api/round_closer.h"
#include "api/sealer.h"
#include "api/stream.h"
#include "api/upkeep.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const api_config *CFG;
static h2o_globalconf_t GLOBALCONF;
static api_thread *THREADS;

const api_config *
api_server_config(void)
{
    return CFG;
}

void
api_server_set_config(const api_config *cfg)
{
    CFG = cfg;
}

/* ------------------------------------------------------------ finished calls */

void
api_thread_post_done(api_thread *t, api_call *c)
{
    pthread_mutex_lock(&t->done_mu);
    c->next = NULL;
    if (t->done_tail != NULL)
        t->done_tail->next = c;
    else
        t->done_head = c;
    t->done_tail = c;
    pthread_mutex_unlock(&t->done_mu);
    uv_async_send(&t->done_async);
}

static void
on_done(uv_async_t *a)
{
    api_thread *t = a->data;
    pthread_mutex_lock(&t->done_mu);
    api_call *c = t->done_head;
    t->done_head = t->done_tail = NULL;
    pthread_mutex_unlock(&t->done_mu);
    while (c != NULL) {
        api_call *next = c->next;
        if (api__stream_started(c))
            api__stream_stepped(c);
        else
            api_finish(c);
        c = next;
    }
}

/* ------------------------------------------------------------ threads */

static void
on_accept(uv_stream_t *listener, int status)
{
    if (status != 0)
        return;
    api_thread *t = listener->data;
    uv_tcp_t *conn = xmalloc(sizeof(*conn));
    uv_tcp_init(listener->loop, conn);
    if (uv_accept(listener, (uv_stream_t *)conn) != 0) {
        uv_close((uv_handle_t *)conn, (uv_close_cb)free);
        return;
    }
    /* a streamed answer is many writes: without this, Nagle holds each one's
       last segment until the client's delayed ACK (tens of ms per part) */
    uv_tcp_nodelay(conn, 1);
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)conn, (uv_close_cb)free);
    h2o_accept(&t->accept_ctx, sock);
}

static int
open_listener(const char *host, int port, int *out_fd)
{
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    *out_fd = fd;
    return 0;
}

static void
drain_check(uv_timer_t *timer)
{
    api_thread *t = timer->data;
    uint64_t now = uv_now(&t->loop);
    if (t->inflight > 0 && now < t->drain_deadline)
        return;
    if (t->inflight > 0)
        api_log(API_LOG_WARN, "shutdown deadline passed with requests in flight", NULL, NULL);
    uv_timer_stop(timer);
    uv_stop(&t->loop);
}

static void
on_stop(uv_async_t *a)
{
    api_thread *t = a->data;
    if (t->listening) {
        uv_close((uv_handle_t *)&t->listener, NULL);
        t->listening = 0;
    }
    if (t->mlistening) {
        uv_close((uv_handle_t *)&t->mlistener, NULL);
        t->mlistening = 0;
    }
    h2o_context_request_shutdown(&t->ctx);
    t->drain_deadline = uv_now(&t->loop) + (uint64_t)CFG->shutdown_timeout_ms;
    uv_timer_start(&t->drain_timer, drain_check, 0, 20);
}

static void
close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void *
thread_main(void *arg)
{
    api_thread *t = arg;
    uv_run(&t->loop, UV_RUN_DEFAULT);

    /*
     * Connections still open now are idle keep-alives (or requests past the
     * deadline). h2o 2.2.5 has no call that closes them, and disposing a
     * context under live connections aborts; the process is about to exit and
     * the kernel closes them. Leave this thread's state alone.
     */
    if (!h2o_linklist_is_empty(&t->ctx.http1._conns) ||
        !h2o_linklist_is_empty(&t->ctx.http2._conns) || t->inflight > 0) {
        t->unclean = 1;
        return NULL;
    }
    /* h2o's HTTP/2 graceful-shutdown timer must be unlinked before dispose,
       or h2o_timeout_dispose asserts (see STACK-NOTES 11). */
    if (h2o_timeout_is_linked(&t->ctx.http2._graceful_shutdown_timeout))
        h2o_timeout_unlink(&t->ctx.http2._graceful_shutdown_timeout);
    h2o_context_dispose(&t->ctx);
    uv_walk(&t->loop, close_walk, NULL);
    uv_run(&t->loop, UV_RUN_DEFAULT);
    return NULL;
}

/* Listen on `fd` with `h` (the thread's API or metrics socket). */
static int
listen_on(api_thread *t, uv_tcp_t *h, int fd)
{
    uv_tcp_init(&t->loop, h);
    h->data = t;
    return uv_tcp_open(h, fd) != 0 || uv_listen((uv_stream_t *)h, 1024, on_accept) != 0 ? -1 : 0;
}

static int
thread_init(api_thread *t, int index, int fd, int mfd)
{
    t->index = index;
    t->listen_fd = fd;
    pthread_mutex_init(&t->done_mu, NULL);
    uv_loop_init(&t->loop);
    h2o_context_init(&t->ctx, &t->loop, &GLOBALCONF);
    t->accept_ctx.ctx = &t->ctx;
    t->accept_ctx.hosts = GLOBALCONF.hosts;
    uv_async_init(&t->loop, &t->done_async, on_done);
    t->done_async.data = t;
    uv_async_init(&t->loop, &t->stop_async, on_stop);
    t->stop_async.data = t;
    uv_timer_init(&t->loop, &t->drain_timer);
    t->drain_timer.data = t;
    if (listen_on(t, &t->listener, fd) != 0)
        return -1;
    t->listening = 1;
    if (mfd >= 0) {
        if (listen_on(t, &t->mlistener, mfd) != 0)
            return -1;
        t->mlistening = 1;
    }
    return 0;
}

/*
 * Answers h2o makes itself (413 above its body cap, 400s of a request it
 * could not route) go through the host's fallback path: the same two headers
 * as ours (api__put_head).
 */
static void
own_answers_headers(h2o_hostconf_t *host)
{
    static h2o_iovec_t nosniff_name;
    static h2o_headers_command_t cmds[3];
    nosniff_name = h2o_iovec_init(H2O_STRLIT("x-content-type-options"));
    cmds[0] = (h2o_headers_command_t){H2O_HEADERS_CMD_SET, &nosniff_name,
                                      h2o_iovec_init(H2O_STRLIT("nosniff"))};
    cmds[1] = (h2o_headers_command_t){H2O_HEADERS_CMD_SET, &H2O_TOKEN_CACHE_CONTROL->buf,
                                      h2o_iovec_init(H2O_STRLIT("no-store"))};
    cmds[2] = (h2o_headers_command_t){H2O_HEADERS_CMD_NULL, NULL, {NULL, 0}};
    h2o_headers_register(&host->fallback_path, cmds);
}

/* The XUEJI_METRICS_LISTEN socket, or -1 when there is none (or on error: *out_failed). */
static int
metrics_listener(const api_config *cfg, int *out_failed)
{
    int fd = -1;
    *out_failed = 0;
    if (!cfg->metrics_listen)
        return -1;
    if (open_listener(cfg->metrics_host, cfg->metrics_port, &fd) != 0) {
        char d[160];
        snprintf(d, sizeof(d), "XUEJI_METRICS_LISTEN %s:%d: %s", cfg->metrics_host,
                 cfg->metrics_port, strerror(errno));
        api_log(API_LOG_ERROR, "cannot listen", NULL, d);
        *out_failed = 1;
        return -1;
    }
    char d[128];
    snprintf(d, sizeof(d), "GET /metrics on http://%s:%d only", cfg->metrics_host,
             cfg->metrics_port);
    api_log(API_LOG_INFO, "metrics", NULL, d);
    return fd;
}

/* h2o's configuration: one host whose every path goes to api__on_req. */
static void
configure_h2o(const api_config *cfg)
{
    h2o_config_init(&GLOBALCONF);
    GLOBALCONF.server_name = h2o_iovec_init(H2O_STRLIT("xuejid"));
    /* h2o's own cap sits above ours so that we, not h2o, answer 413 as problem+json */
    GLOBALCONF.max_request_entity_size = cfg->max_upload + 1024 * 1024;
    h2o_hostconf_t *host =
        h2o_config_register_host(&GLOBALCONF, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *pathconf = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(pathconf, sizeof(*handler));
    handler->on_req = api__on_req;
    own_answers_headers(host);
}

/* The DB worker pool, the import workers and the file upkeep. 0, or 1 (logged). */
static int
start_workers(const api_config *cfg)
{
    char opts[96];
    snprintf(opts, sizeof(opts), "-c statement_timeout=%d -c lock_timeout=%d",
             cfg->statement_timeout_ms, cfg->lock_timeout_ms);
    if (api_pool_start(cfg->db_pool, cfg->database_url, cfg->replica_url, opts) != 0) {
        api_log(API_LOG_ERROR, "cannot start the DB pool", NULL, NULL);
        return 1;
    }
    if (api_jobs_start(cfg) != 0) {
        api_log(API_LOG_ERROR, "cannot start the import workers", NULL, NULL);
        return 1;
    }
    if (api_upkeep_start(cfg) != 0) {
        api_log(API_LOG_ERROR, "cannot start the file upkeep", NULL, NULL);
        return 1;
    }
    if (api_sealer_start(cfg) != 0) {
        api_log(API_LOG_ERROR, "cannot start the audit sealer", NULL, NULL);
        return 1;
    }
    if (api_round_closer_start(cfg) != 0) {
        api_log(API_LOG_ERROR, "cannot start the round closer", NULL, NULL);
        return 1;
    }
    return 0;
}

/* Open a listener per loop thread (thread 0 also gets the metrics socket
   `mfd`, -1: none) and start the threads; the port (chosen by the first
   socket when cfg->port is 0) into *out_port. 0, or 1 (logged). */
static int
start_threads(const api_config *cfg, int mfd, int *out_port)
{
    int n = cfg->threads, port = cfg->port;
    THREADS = xcalloc((size_t)n, sizeof(api_thread));
    for (int i = 0; i < n; i++) {
        int fd;
        if (open_listener(cfg->host, port, &fd) != 0) {
            char d[160];
            snprintf(d, sizeof(d), "%s:%d: %s", cfg->host, port, strerror(errno));
            api_log(API_LOG_ERROR, "cannot listen", NULL, d);
            return 1;
        }
        if (port == 0) { /* the first socket picks a free port; the others share it */
            struct sockaddr_in sa;
            socklen_t sl = sizeof(sa);
            getsockname(fd, (struct sockaddr *)&sa, &sl);
            port = ntohs(sa.sin_port);
        }
        if (thread_init(&THREADS[i], i, fd, i == 0 ? mfd : -1) != 0) {
            api_log(API_LOG_ERROR, "cannot listen", NULL, strerror(errno));
            return 1;
        }
    }
    for (int i = 0; i < n; i++)
        pthread_create(&THREADS[i].tid, NULL, thread_main, &THREADS[i]);
    *out_port = port;
    return 0;
}

static void
announce(const api_config *cfg, int port)
{
    char d[128];
    snprintf(d, sizeof(d), "http://%s:%d (%d loop threads, %d DB connections)", cfg->host, port,
             cfg->threads, cfg->db_pool);
    api_log(API_LOG_INFO, "listening", NULL, d);
    if (cfg->port_file != NULL) {
        FILE *f = fopen(cfg->port_file, "w");
        if (f != NULL) {
            fprintf(f, "%d\n", port);
            fclose(f);
        }
    }
}

/* Stop the loop threads, then the import workers, the upkeep thread and the
   pool. 1 when something was left at the deadline (idle keep-alive
   connections, a running job), 0 when everything stopped. */
static int
stop_all(const api_config *cfg)
{
    int n = cfg->threads;
    for (int i = 0; i < n; i++)
        uv_async_send(&THREADS[i].stop_async);
    int unclean = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(THREADS[i].tid, NULL);
        unclean |= THREADS[i].unclean;
    }
    /* Import workers (an import stops after its current batch, committed), the
       upkeep thread and the request jobs still running share one deadline;
       past it we go anyway, and a transaction cut short is rolled back. */
    struct timespec deadline;
    api_deadline_in(cfg->shutdown_timeout_ms, &deadline);
    if (api_jobs_stop(&deadline) != 0)
        unclean = 1;
    if (api_upkeep_stop(&deadline) != 0)
        unclean = 1;
    if (api_sealer_stop(&deadline) != 0)
        unclean = 1;
    if (api_round_closer_stop(&deadline) != 0)
        unclean = 1;
    if (api_pool_stop(&deadline) != 0)
        unclean = 1;
    return unclean;
}

/* After a clean stop: the calls still queued to the threads, their loops. */
static void
free_threads(int n)
{
    for (int i = 0; i < n; i++) {
        api_call *c = THREADS[i].done_head;
        while (c != NULL) {
            api_call *next = c->next;
            app_arena_free(c->arena);
            free(c);
            c = next;
        }
        uv_loop_close(&THREADS[i].loop);
        pthread_mutex_destroy(&THREADS[i].done_mu);
    }
    free(THREADS);
}

int
api_server_run(const api_config *cfg)
{
    CFG = cfg;
    api_log_set_level(cfg->log_level);
    signal(SIGPIPE, SIG_IGN);
    configure_h2o(cfg);
    api_metrics_init(api_nroutes);

    /* Block the signals in every thread; main waits for them with sigwait. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);

    if (start_workers(cfg) != 0)
        return 1;
    int mfailed, port;
    int mfd = metrics_listener(cfg, &mfailed);
    if (mfailed || start_threads(cfg, mfd, &port) != 0)
        return 1;
    announce(cfg, port);

    int sig = 0;
    sigwait(&sigs, &sig);
    api_log(API_LOG_INFO, "shutting down", NULL, sig == SIGTERM ? "SIGTERM" : "SIGINT");
    if (stop_all(cfg)) {
        /* idle keep-alive connections or a stuck job: the kernel closes what is
           left; nothing is half-written, since every write is one transaction */
        api_log(API_LOG_INFO, "stopped", NULL, "connections or jobs left at the deadline");
        fflush(stderr);
        _exit(0);
    }
    free_threads(cfg->threads);
    api_ratelimit_free();
    h2o_config_dispose(&GLOBALCONF);
    api_log(API_LOG_INFO, "stopped", NULL, NULL);
    return 0;
}
