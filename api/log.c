/*
 * api/log.c - structured log lines.
 */
#include "api/log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int log_level = API_LOG_INFO;
static const char *const names[] = {"error", "warn", "info", "debug"};

void
api_log_set_level(int level)
{
    log_level = level;
}

int
api_log_enabled(int level)
{
    return level <= log_level;
}

static void
timestamp(char *buf, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, cap - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void
emit(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (s == NULL)
        return;
    fprintf(stderr, "%s\n", s); /* one fprintf: stdio locks, lines never interleave */
    free(s);
}

void
api_log(int level, const char *msg, const char *request_id, const char *detail)
{
    if (!api_log_enabled(level))
        return;
    char ts[40];
    timestamp(ts, sizeof(ts));
    json_t *o = json_object();
    json_object_set_new(o, "ts", json_string(ts));
    json_object_set_new(o, "level", json_string(names[level]));
    json_object_set_new(o, "msg", json_string(msg));
    if (request_id != NULL)
        json_object_set_new(o, "request_id", json_string(request_id));
    if (detail != NULL && *detail)
        json_object_set_new(o, "detail", json_string(detail));
    emit(o);
}

/*
 * Hot path: formatted by hand. Every string here is safe to print unescaped:
 * the method is one of a fixed set (api/request.c maps others to "OTHER"), the
 * route is a static pattern and the request id is checked to [A-Za-z0-9._:-].
 */
void
api_log_access(const char *method, const char *route, int status, double ms, const char *request_id)
{
    if (!api_log_enabled(API_LOG_INFO))
        return;
    char ts[40];
    timestamp(ts, sizeof(ts));
    fprintf(stderr,
            "{\"ts\":\"%s\",\"level\":\"info\",\"msg\":\"request\",\"method\":\"%s\","
            "\"route\":\"%s\",\"status\":%d,\"duration_ms\":%.3f,\"request_id\":\"%s\"}\n",
            ts, method, route, status, ms, request_id);
}
