/*
 * tests/fault/load.c - the load of the fault script (tests/fault/run.sh).
 *
 * Usage: load URL SECONDS OUTDIR
 *
 * FAULT_CLIENTS clients (default 32), each with its own keep-alive connection:
 * the even ones register students (POST /api/v1/students as the school's
 * registrar, FAULT_REGISTRAR_TOKEN), the odd ones approve the registrations the
 * registrars saw acknowledged (POST /api/v1/requests/{id}/actions as the county,
 * FAULT_APPROVER_TOKEN). Every answer is written to OUTDIR/answers and every
 * acknowledged write to OUTDIR/acked at once (line-buffered), so both survive
 * whatever happens to the server:
 *
 *   answers: <ms since the epoch> <status> <ms taken> <problem code or -> <kind>
 *            status 0 = no answer (connection refused, reset, ...), -1 = no answer
 *            within FAULT_TIMEOUT_MS (a hang); code "notproblem" = an error answer
 *            that is not problem+json
 *   acked:   student <student id> <registration request id>
 *            approved <request id>
 *
 * ID numbers are new and valid (GB 11643 check digit) in counties the demo does not
 * use; FAULT_SEED (a run number, default 0) keeps runs on the same database apart
 * (a million numbers a run; the ID numbers are unique below 5,110,000, so runs 0-4).
 * Classes 13-FAULT_CLASS_FIRST.. (default 91, FAULT_CLASSES of them, default 8)
 * of the registrar's school must exist without a size limit.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 256
#define QUEUE_CAP 65536

static struct {
    const char *url;
    const char *reg_token;
    const char *app_token;
    long timeout_ms;
    int nclasses, first_class;
    long seed;
    int64_t end_ms;
    FILE *answers, *acked;
    pthread_mutex_t out_mu;
    atomic_long next_k;
    /* registration requests acknowledged and not yet taken by an approver */
    pthread_mutex_t q_mu;
    long long queue[QUEUE_CAP];
    int q_head, q_len;
} G = {.out_mu = PTHREAD_MUTEX_INITIALIZER, .q_mu = PTHREAD_MUTEX_INITIALIZER};

typedef struct answer {
    char *body;
    size_t len;
    int problem; /* Content-Type application/problem+json */
} answer;

static int64_t
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
    answer *a = arg;
    size_t add = size * n;
    char *b = realloc(a->body, a->len + add + 1);
    if (b == NULL)
        return 0;
    memcpy(b + a->len, p, add);
    a->body = b;
    a->len += add;
    b[a->len] = '\0';
    return add;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
    answer *a = arg;
    size_t len = size * n;
    if (len > 13 && strncasecmp(p, "content-type:", 13) == 0 &&
        memmem(p, len, "application/problem+json", 24) != NULL)
        a->problem = 1;
    return len;
}

/* The problem's `code`, or "notproblem" for an error answer without one. */
static const char *
problem_code(const answer *a, char *buf, size_t cap)
{
    snprintf(buf, cap, "notproblem");
    if (!a->problem || a->body == NULL)
        return buf;
    json_t *j = json_loads(a->body, 0, NULL);
    const char *code = json_string_value(json_object_get(j, "code"));
    if (code != NULL)
        snprintf(buf, cap, "%s", code);
    json_decref(j);
    return buf;
}

static void
record_answer(int64_t t0, int status, const answer *a, const char *kind)
{
    char code[64] = "-";
    if (status >= 400)
        problem_code(a, code, sizeof(code));
    pthread_mutex_lock(&G.out_mu);
    fprintf(G.answers, "%lld %d %lld %s %s\n", (long long)t0, status, (long long)(now_ms() - t0),
            code, kind);
    pthread_mutex_unlock(&G.out_mu);
}

static void
record_ack(const char *line)
{
    pthread_mutex_lock(&G.out_mu);
    fputs(line, G.acked);
    pthread_mutex_unlock(&G.out_mu);
}

/* POST `body` to `path`; the status, 0 without an answer, -1 past the timeout. */
static int
post(CURL *h, const char *path, const char *token, const char *body, answer *a)
{
    char url[512], auth[2048];
    snprintf(url, sizeof(url), "%s%s", G.url, path);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    hd = curl_slist_append(hd, auth);
    free(a->body);
    memset(a, 0, sizeof(*a));
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, G.timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(hd);
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return -1;
    if (rc != CURLE_OK)
        return 0;
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return (int)status;
}

/* ------------------------------------------------------------ registrations */

static const char *const COUNTIES[] = {"410103", "410104", "410106", "410108", "410181",
                                       "410182", "410183", "410184", "410185", "410303",
                                       "410304", "410307", "410308", "410311"};
#define NCOUNTIES (sizeof(COUNTIES) / sizeof(COUNTIES[0]))

/* Registration k: a new valid ID number, born 2017-09-01 + (k % 365) days. */
static void
registration_body(long k, char *out, size_t cap)
{
    static const int weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char checks[] = "10X98765432";
    static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨",
                                           "赵", "黄", "周", "吴", "徐", "孙"};
    static const char *const given[] = {"子涵", "浩宇", "欣怡", "梓轩", "雨萱",
                                        "一诺", "俊杰", "思彤", "博文", "佳怡"};
    const long per = 365L * 1000;
    const char *county = COUNTIES[(k / per) % NCOUNTIES];
    long r = k % per, seq = r / 365;
    struct tm tm = {.tm_year = 117, .tm_mon = 8, .tm_mday = 1 + (int)(r % 365), .tm_hour = 12};
    timegm(&tm); /* normalises the day into its month */
    char first17[40];
    snprintf(first17, sizeof(first17), "%s%04d%02d%02d%03ld", county, tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, seq % 1000);
    int sum = 0;
    for (int p = 0; p < 17; p++)
        sum += (first17[p] - '0') * weights[p];
    static const char *const more[] = {"明", "华", "安", "宁", "晨", "曦", "远", "航", "悦", "然",
                                       "泽", "琪", "睿", "涛", "楠", "瑶", "鑫", "阳", "婷", "峰"};
    /* name and birth date differ for 17.5 million registrations in a row (no
       suspected twins: the similarity check compares name, gender and birth) */
    char name[64];
    long n = k / 365;
    snprintf(name, sizeof(name), "%s%s%s%s", surnames[n % 12], given[(n / 12) % 10],
             more[(n / 120) % 20], more[(n / 2400) % 20]);
    snprintf(out, cap,
             "{\"name\":\"%s\",\"gender\":\"%s\",\"birth_date\":\"%04d-%02d-%02d\","
             "\"ethnicity\":\"01\",\"nationality\":\"CHN\",\"id_type\":\"1\","
             "\"id_number\":\"%s%c\",\"hukou_region\":\"%s000000\",\"hukou_type\":\"1\","
             "\"grade\":\"13\",\"class\":%ld,\"enrolled_month\":\"202409\",\"entry_mode\":\"1\","
             "\"study_mode\":\"1\",\"source\":\"1\",\"distance_km\":1.5,\"transport\":\"1\","
             "\"school_bus\":\"0\",\"family\":[{\"name\":\"%s父\",\"relation\":\"1\","
             "\"phone\":\"139%08ld\",\"guardian\":\"1\"},{\"name\":\"%s母\",\"relation\":\"2\","
             "\"phone\":\"138%08ld\"}]}",
             name, seq % 2 ? "1" : "2", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, first17,
             checks[sum % 11], county, G.first_class + k % G.nclasses, name, k % 100000000, name,
             k % 100000000);
}

static void
queue_push(long long rid)
{
    pthread_mutex_lock(&G.q_mu);
    if (G.q_len < QUEUE_CAP) {
        G.queue[(G.q_head + G.q_len) % QUEUE_CAP] = rid;
        G.q_len++;
    }
    pthread_mutex_unlock(&G.q_mu);
}

static long long
queue_pop(void)
{
    long long rid = 0;
    pthread_mutex_lock(&G.q_mu);
    if (G.q_len > 0) {
        rid = G.queue[G.q_head];
        G.q_head = (G.q_head + 1) % QUEUE_CAP;
        G.q_len--;
    }
    pthread_mutex_unlock(&G.q_mu);
    return rid;
}

/* Both return the answer's status (0 or -1: none), or 1 when there was nothing to do. */
static int
register_one(CURL *h, answer *a)
{
    char body[2048];
    /* a million numbers a run: a run whose clients retried through an outage
       (each try takes a number) stays clear of the next run's */
    long k = G.seed * 1000000L + atomic_fetch_add(&G.next_k, 1);
    registration_body(k, body, sizeof(body));
    int64_t t0 = now_ms();
    int st = post(h, "/api/v1/students", G.reg_token, body, a);
    record_answer(t0, st, a, "register");
    if (st != 201)
        return st;
    json_t *j = json_loads(a->body, 0, NULL);
    json_int_t sid = json_integer_value(json_object_get(json_object_get(j, "student"), "id"));
    json_int_t rid = json_integer_value(json_object_get(json_object_get(j, "request"), "id"));
    json_decref(j);
    char line[96];
    snprintf(line, sizeof(line), "student %lld %lld\n", (long long)sid, (long long)rid);
    record_ack(line);
    if (rid > 0)
        queue_push(rid);
    return st;
}

static int
approve_one(CURL *h, answer *a)
{
    long long rid = queue_pop();
    if (rid == 0)
        return 1;
    char path[96];
    snprintf(path, sizeof(path), "/api/v1/requests/%lld/actions", rid);
    int64_t t0 = now_ms();
    static const char body[] = "{\"action\":\"approve\",\"step\":1,\"comment\":\"fault\"}";
    int st = post(h, path, G.app_token, body, a);
    record_answer(t0, st, a, "approve");
    if (st == 200) {
        char line[64];
        snprintf(line, sizeof(line), "approved %lld\n", rid);
        record_ack(line);
    }
    return st;
}

static void *
client(void *arg)
{
    int approver = (int)(long)arg % 2;
    CURL *h = curl_easy_init();
    answer a = {0};
    while (now_ms() < G.end_ms) {
        int st = approver ? approve_one(h, &a) : register_one(h, &a);
        if (st == 1)
            usleep(20000); /* nothing acknowledged to approve yet */
        else if (st <= 0)
            usleep(50000); /* no answer: the server is down, do not spin */
    }
    free(a.body);
    curl_easy_cleanup(h);
    return NULL;
}

static long
env_long(const char *name, long def)
{
    const char *v = getenv(name);
    return v != NULL && *v != '\0' ? strtol(v, NULL, 10) : def;
}

static FILE *
open_out(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "a");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    setvbuf(f, NULL, _IOLBF, 0);
    return f;
}

int
main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: load URL SECONDS OUTDIR\n");
        return 2;
    }
    G.url = argv[1];
    G.reg_token = getenv("FAULT_REGISTRAR_TOKEN");
    G.app_token = getenv("FAULT_APPROVER_TOKEN");
    if (G.reg_token == NULL || G.app_token == NULL) {
        fprintf(stderr, "load: FAULT_REGISTRAR_TOKEN and FAULT_APPROVER_TOKEN are needed\n");
        return 2;
    }
    int n = (int)env_long("FAULT_CLIENTS", 32);
    if (n < 2 || n > MAX_CLIENTS) {
        fprintf(stderr, "load: FAULT_CLIENTS must be 2..%d\n", MAX_CLIENTS);
        return 2;
    }
    G.timeout_ms = env_long("FAULT_TIMEOUT_MS", 30000);
    G.nclasses = (int)env_long("FAULT_CLASSES", 8);
    G.first_class = (int)env_long("FAULT_CLASS_FIRST", 91);
    G.seed = env_long("FAULT_SEED", 0);
    G.end_ms = now_ms() + strtol(argv[2], NULL, 10) * 1000;
    G.answers = open_out(argv[3], "answers");
    G.acked = open_out(argv[3], "acked");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    pthread_t tids[MAX_CLIENTS];
    for (long i = 0; i < n; i++)
        pthread_create(&tids[i], NULL, client, (void *)i);
    for (int i = 0; i < n; i++)
        pthread_join(tids[i], NULL);
    fclose(G.answers);
    fclose(G.acked);
    curl_global_cleanup();
    return 0;
}
