/*
 * tests/lib/httptest.c - see httptest.h: the servers (start, stop, shared
 * servers, logs, runs of xuejid). Requests, answers, assertions and the
 * database are in tests/lib/htclient.c.
 */
#include "tests/lib/httptest.h"

#include "tests/lib/httptest_int.h"

#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define SHUTDOWN_GRACE_MS 10000
#define START_TIMEOUT_MS 30000

_Static_assert(sizeof(HT_JWT_SECRET) - 1 == 40, "the test JWT secret is 40 bytes");
_Static_assert(sizeof(HT_DATA_KEY) - 1 == 64, "the test data key is 64 hex digits");
_Static_assert(sizeof(HT_AUDIT_KEY) - 1 == 64, "the test audit key is 64 hex digits");

static ht_server *servers; /* every server this process started (kept reachable) */
static pid_t main_pid;     /* the test binary's own process, before check forks */
static pid_t atexit_pid;   /* the process that registered cleanup() */

/* ------------------------------------------------------------------ utils */

long long
ht_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
ht_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int
ht_timeout(int base)
{
#if defined(__SANITIZE_ADDRESS__)
    return base * 2;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return base * 2;
#else
    return base;
#endif
#else
    return base;
#endif
}

static void *
xmalloc_or_die(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "httptest: out of memory\n");
        abort();
    }
    return p;
}

char *
ht__xstrdup(const char *s)
{
    size_t n = strlen(s);
    char *p = xmalloc_or_die(n + 1);
    memcpy(p, s, n + 1);
    return p;
}

static char *
read_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    size_t len = 0, cap = 4096;
    char *buf = xmalloc_or_die(cap);
    if (f != NULL) {
        size_t n;
        while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
            len += n;
            if (cap - len < 2) {
                cap *= 2;
                char *nb = realloc(buf, cap);
                if (nb == NULL) {
                    free(buf);
                    fclose(f);
                    return ht__xstrdup("");
                }
                buf = nb;
            }
        }
        fclose(f);
    }
    buf[len] = '\0';
    if (out_len != NULL)
        *out_len = len;
    return buf;
}

static void
print_tail(const char *what, const char *path, int lines)
{
    size_t len;
    char *text = read_file(path, &len);
    const char *p = text + len;
    int n = 0;
    while (p > text && n <= lines) {
        p--;
        if (*p == '\n')
            n++;
    }
    if (*p == '\n')
        p++;
    fprintf(stderr, "---- %s (%s), last lines ----\n%s%s---- end ----\n", what, path, p,
            len && text[len - 1] != '\n' ? "\n" : "");
    free(text);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void
rm_tree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int
keep_logs(void)
{
    const char *k = getenv("XUEJI_TEST_KEEP");
    return k != NULL && *k && strcmp(k, "0") != 0;
}

static void
base_dir(char *buf, size_t cap)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(buf, cap, "%s/xueji-http.%ld", tmp && *tmp ? tmp : "/tmp", (long)main_pid);
}

static void
cleanup(void)
{
    pid_t me = getpid();
    if (me != atexit_pid)
        return; /* inherited through fork: not ours */
    for (ht_server *s = servers; s != NULL; s = s->next) {
        if (s->owner != me)
            continue;
        if (s->running) {
            fprintf(stderr, "httptest: killing xuejid %ld left running (log below)\n",
                    (long)s->pid);
            print_tail("xuejid log", s->log_path, 30);
            ht_server_kill(s);
        }
        if (keep_logs())
            fprintf(stderr, "httptest: kept %s\n", s->log_path);
        else
            rm_tree(s->dir);
    }
    if (me == main_pid && !keep_logs()) {
        char b[PATH_MAX];
        base_dir(b, sizeof(b));
        rm_tree(b);
    }
}

__attribute__((constructor)) static void
ht_init(void)
{
    main_pid = getpid();
    atexit_pid = main_pid;
    atexit(cleanup);
}

static void
ensure_cleanup(void)
{
    /* a forked test process has its own servers: register for it too */
    if (atexit_pid != getpid()) {
        atexit_pid = getpid();
        atexit(cleanup);
    }
}

/* ------------------------------------------------------- environment */

typedef struct envb {
    char **v;
    int n, cap;
} envb;

static void
env_set(envb *e, const char *kv)
{
    const char *eq = strchr(kv, '=');
    size_t nlen = eq ? (size_t)(eq - kv) : strlen(kv);
    for (int i = 0; i < e->n; i++) {
        if (strncmp(e->v[i], kv, nlen) == 0 && e->v[i][nlen] == '=') {
            free(e->v[i]);
            if (eq != NULL) {
                e->v[i] = ht__xstrdup(kv);
            } else {
                e->v[i] = e->v[--e->n];
                e->v[e->n] = NULL;
            }
            return;
        }
    }
    if (eq == NULL)
        return;
    if (e->n + 2 > e->cap) {
        e->cap = e->cap ? e->cap * 2 : 64;
        char **nv = realloc(e->v, sizeof(char *) * (size_t)e->cap);
        if (nv == NULL)
            abort();
        e->v = nv;
    }
    e->v[e->n++] = ht__xstrdup(kv);
    e->v[e->n] = NULL;
}

static void env_setf(envb *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
env_setf(envb *e, const char *fmt, ...)
{
    char buf[PATH_MAX + 128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    env_set(e, buf);
}

static void
env_free(envb *e)
{
    for (int i = 0; i < e->n; i++)
        free(e->v[i]);
    free(e->v);
}

/* The inherited environment minus XUEJI_*, the test defaults, then extra_env. */
static void
build_env(envb *e, const char *port_file, const char *const *extra_env)
{
    memset(e, 0, sizeof(*e));
    for (char **p = environ; *p != NULL; p++)
        if (strncmp(*p, "XUEJI_", 6) != 0)
            env_set(e, *p);
    const char *url = getenv("XUEJI_TEST_DATABASE_URL");
    env_setf(e, "XUEJI_DATABASE_URL=%s", url ? url : "");
    env_set(e, "XUEJI_LISTEN=127.0.0.1:0");
    if (port_file != NULL)
        env_setf(e, "XUEJI_PORT_FILE=%s", port_file);
    env_set(e, "XUEJI_ENV=development");
    env_set(e, "XUEJI_JWT_SECRET=" HT_JWT_SECRET);
    env_set(e, "XUEJI_DATA_KEY=" HT_DATA_KEY);
    env_set(e, "XUEJI_AUDIT_SIGNING_KEY=" HT_AUDIT_KEY);
    env_set(e, "XUEJI_AUDIT_SEAL_INTERVAL_MS=200");
    env_set(e, "XUEJI_SHUTDOWN_TIMEOUT=5");
    env_set(e, "XUEJI_RATE_LIMIT_IP=0");
    for (const char *const *x = extra_env; x != NULL && *x != NULL; x++)
        env_set(e, *x);
}

static const char *
xuejid_bin(void)
{
    const char *bin = getenv("XUEJID_BIN");
    if (bin == NULL || *bin == '\0') {
        fprintf(stderr, "httptest: XUEJID_BIN is not set (run through `make check-http`)\n");
        return NULL;
    }
    if (access(bin, X_OK) != 0) {
        fprintf(stderr, "httptest: XUEJID_BIN=%s is not executable\n", bin);
        return NULL;
    }
    return bin;
}

/* fork + exec with output to `log_path`; the child dies with its parent. */
static pid_t
spawn(const char *bin, char *const argv[], char *const envp[], const char *log_path)
{
    pid_t parent = getpid();
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(126);
    int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || in < 0)
        _exit(126);
    dup2(in, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    /* check blocks no signals, but be sure SIGTERM reaches the server */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    execve(bin, argv, envp);
    dprintf(2, "httptest: exec %s: %s\n", bin, strerror(errno));
    _exit(127);
}

int
ht__decode_status(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return -1;
}

/* ------------------------------------------------------------- server */

ht_server *
ht_server_start(const char *const *extra_env)
{
    const char *bin = xuejid_bin();
    if (bin == NULL)
        return NULL;
    ensure_cleanup();

    char base[PATH_MAX];
    base_dir(base, sizeof(base));
    if (mkdir(base, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "httptest: mkdir %s: %s\n", base, strerror(errno));
        return NULL;
    }
    ht_server *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    snprintf(s->dir, sizeof(s->dir), "%s/srv.XXXXXX", base);
    if (mkdtemp(s->dir) == NULL) {
        fprintf(stderr, "httptest: mkdtemp %s: %s\n", s->dir, strerror(errno));
        free(s);
        return NULL;
    }
    snprintf(s->log_path, sizeof(s->log_path), "%s/xuejid.log", s->dir);
    snprintf(s->port_path, sizeof(s->port_path), "%s/port", s->dir);
    s->owner = getpid();
    s->status = -1;
    s->next = servers;
    servers = s;

    envb e;
    build_env(&e, s->port_path, extra_env);
    char *argv[] = {(char *)bin, (char *)"serve", NULL};
    s->pid = spawn(bin, argv, e.v, s->log_path);
    env_free(&e);
    if (s->pid < 0) {
        fprintf(stderr, "httptest: fork: %s\n", strerror(errno));
        return NULL;
    }
    s->running = 1;

    long long deadline = ht_now_ms() + START_TIMEOUT_MS;
    while (ht_now_ms() < deadline) {
        int st;
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            s->running = 0;
            s->status = ht__decode_status(st);
            fprintf(stderr, "httptest: xuejid exited with %d before listening\n", s->status);
            print_tail("xuejid log", s->log_path, 30);
            return NULL;
        }
        size_t len;
        char *txt = read_file(s->port_path, &len);
        if (len > 0 && txt[len - 1] == '\n') {
            s->port = atoi(txt);
            free(txt);
            if (s->port > 0)
                return s;
        } else {
            free(txt);
        }
        ht_sleep_ms(10);
    }
    fprintf(stderr, "httptest: xuejid did not listen within %d ms\n", START_TIMEOUT_MS);
    print_tail("xuejid log", s->log_path, 30);
    ht_server_kill(s);
    return NULL;
}

/* ------------------------------------------------------- shared servers */

#define MAX_SHARED 64

static ht_server *shared_srv;
static int shared_status[MAX_SHARED];
static int shared_port[MAX_SHARED];
static int nshared;

static const char *const *shared_env; /* the environment it was started with */

void
ht_shared_stop(void)
{
    if (shared_srv == NULL)
        return;
    int st = ht_server_stop(shared_srv);
    if (nshared < MAX_SHARED) {
        shared_status[nshared] = st;
        shared_port[nshared] = shared_srv->port;
        nshared++;
    }
    shared_srv = NULL;
}

void
ht_shared_start_env(const char *const *extra_env)
{
    if (shared_srv != NULL && shared_env == extra_env && ht_server_alive(shared_srv))
        return;
    ht_shared_stop();
    shared_srv = ht_server_start(extra_env);
    shared_env = extra_env;
    ck_assert_msg(shared_srv != NULL, "the shared xuejid did not start");
}

void
ht_shared_start(void)
{
    ht_shared_start_env(NULL);
}

ht_server *
ht_shared(void)
{
    return shared_srv;
}

void
ht_assert_shared_exits(void)
{
    ck_assert_msg(nshared > 0, "no shared server was stopped before this test");
    for (int i = 0; i < nshared; i++)
        ck_assert_msg(shared_status[i] == 0,
                      "shared server #%d (port %d) exited with status %d (its log was printed "
                      "above)",
                      i + 1, shared_port[i], shared_status[i]);
}

int
ht_server_port(ht_server *s)
{
    return s->port;
}

int
ht_server_pid(ht_server *s)
{
    return (int)s->pid;
}

const char *
ht_server_log_path(ht_server *s)
{
    return s->log_path;
}

int
ht_server_alive(ht_server *s)
{
    if (!s->running)
        return 0;
    if (s->owner != getpid()) {
        /* not our child (a shared server seen from a forked test): look, don't reap */
        char path[64], buf[256];
        snprintf(path, sizeof(path), "/proc/%ld/stat", (long)s->pid);
        FILE *f = fopen(path, "r");
        if (f == NULL)
            return 0;
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char *rp = strrchr(buf, ')');
        return rp != NULL && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
    }
    int st;
    if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
        s->running = 0;
        s->status = ht__decode_status(st);
        return 0;
    }
    return 1;
}

void
ht_server_signal_term(ht_server *s)
{
    if (s->running)
        kill(s->pid, SIGTERM);
}

int
ht_server_wait(ht_server *s, int timeout_ms)
{
    long long deadline = ht_now_ms() + timeout_ms;
    for (;;) {
        if (!ht_server_alive(s))
            return s->status;
        if (ht_now_ms() >= deadline)
            return -2;
        ht_sleep_ms(10);
    }
}

int
ht_server_stop(ht_server *s)
{
    if (s == NULL)
        return -1;
    if (s->owner != getpid()) {
        fprintf(stderr, "httptest: xuejid %ld belongs to process %ld; not stopping it here\n",
                (long)s->pid, (long)s->owner);
        return -1;
    }
    if (s->running) {
        kill(s->pid, SIGTERM);
        int rc = ht_server_wait(s, 5000 + SHUTDOWN_GRACE_MS);
        if (rc == -2) {
            fprintf(stderr, "httptest: xuejid %ld ignored SIGTERM; killing it\n", (long)s->pid);
            ht_server_kill(s);
            print_tail("xuejid log", s->log_path, 30);
            return -1;
        }
    }
    if (s->status != 0)
        print_tail("xuejid log (exit status not 0)", s->log_path, 60);
    return s->status;
}

void
ht_server_kill(ht_server *s)
{
    if (s == NULL || !s->running)
        return;
    kill(s->pid, SIGKILL);
    int st = 0;
    while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
        ;
    s->running = 0;
    s->status = ht__decode_status(st);
}

char *
ht_server_log(ht_server *s)
{
    return read_file(s->log_path, NULL);
}

int
ht_server_log_count(ht_server *s, const char *needle)
{
    char *text = ht_server_log(s);
    int n = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl != NULL)
            *nl = '\0';
        if (strstr(line, needle) != NULL)
            n++;
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    return n;
}

int
ht_run_xuejid(const char *const *args, const char *const *extra_env, int timeout_s,
              char **out_output)
{
    if (out_output != NULL)
        *out_output = NULL;
    const char *bin = xuejid_bin();
    if (bin == NULL)
        return -1;
    ensure_cleanup();
    char base[PATH_MAX], dir[PATH_MAX + 32], out[PATH_MAX + 64];
    base_dir(base, sizeof(base));
    if (mkdir(base, 0755) != 0 && errno != EEXIST)
        return -1;
    snprintf(dir, sizeof(dir), "%s/run.XXXXXX", base);
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(out, sizeof(out), "%s/output", dir);

    char *argv[16];
    int argc = 0;
    argv[argc++] = (char *)bin;
    for (const char *const *a = args; a != NULL && *a != NULL && argc < 15; a++)
        argv[argc++] = (char *)*a;
    argv[argc] = NULL;
    envb e;
    build_env(&e, NULL, extra_env);
    pid_t pid = spawn(bin, argv, e.v, out);
    env_free(&e);
    if (pid < 0)
        return -1;

    int rc = -1, st;
    long long deadline = ht_now_ms() + (long long)timeout_s * 1000;
    for (;;) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) {
            rc = ht__decode_status(st);
            break;
        }
        if (ht_now_ms() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            fprintf(stderr, "httptest: xuejid %s ran over %d s; killed\n",
                    args && args[0] ? args[0] : "", timeout_s);
            rc = -1;
            break;
        }
        ht_sleep_ms(10);
    }
    if (out_output != NULL)
        *out_output = read_file(out, NULL);
    if (!keep_logs())
        rm_tree(dir);
    return rc;
}
