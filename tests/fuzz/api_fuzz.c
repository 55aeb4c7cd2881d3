/*
 * tests/fuzz/api_fuzz.c - libFuzzer target for the route handlers' own
 * checks of a request (make fuzz): path parameters, query parameters, the
 * headers they read and the JSON body (users, schools, classes, settings,
 * students, requests and their payloads, problems, tokens), in process, no
 * network and no database. The call is made as api/server.c's on_req makes
 * it; a handler that accepts the request hands its job to api_submit, which
 * this target takes over (linked with --wrap=api_submit) and does not run.
 *
 * Input: byte 0 chooses the route, byte 1 the caller (see actors[]); then
 * lines: the path parameters joined by '/', the query string, the header
 * values "if-match TAB content-type TAB authorization" (empty: absent);
 * the rest is the body.
 *
 * Promises: no crash or sanitizer report; a rejected request answers 4xx
 * with a problem+json body that is valid UTF-8 JSON with a code; a request
 * handed to the database is not also failed.
 */
#include "api/handlers.h"
#include "tests/fuzz/fuzz_api.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void __wrap_api_submit(api_call *c, api_job_fn fn);

void
__wrap_api_submit(api_call *c, api_job_fn fn)
{
    c->job = fn;
}

static const struct {
    core_level level;
    const char *org;
    core_staff_role staff;
    int grade;
    const char *client;
} actors[] = {
    {CORE_LEVEL_MINISTRY, "000000", CORE_STAFF_NONE, 0, NULL},
    {CORE_LEVEL_PROVINCE, "410000", CORE_STAFF_NONE, 0, NULL},
    {CORE_LEVEL_CITY, "410100", CORE_STAFF_NONE, 0, NULL},
    {CORE_LEVEL_COUNTY, "410102", CORE_STAFF_NONE, 0, NULL},
    {CORE_LEVEL_SCHOOL, "2141000001", CORE_STAFF_REGISTRAR, 0, NULL},
    {CORE_LEVEL_SCHOOL, "2141000001", CORE_STAFF_GRADE_LEADER, 13, NULL},
    {CORE_LEVEL_SCHOOL, "2141000001", CORE_STAFF_HEAD_TEACHER, 0, NULL},
    {CORE_LEVEL_COUNTY, "410102", CORE_STAFF_NONE, 0, "xjc-0123abcd"},
};
#define NACTORS (sizeof(actors) / sizeof(actors[0]))

static const char *
method_of(int bit)
{
    switch (bit) {
    case API_POST:
        return "POST";
    case API_PUT:
        return "PUT";
    case API_PATCH:
        return "PATCH";
    case API_DELETE:
        return "DELETE";
    default:
        return "GET";
    }
}

/* Up to the next '\n' (or the end): [*p, *p + *len), and *p moves past it. */
static const char *
next_line(const char **p, const char *end, size_t *len)
{
    const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
    *len = (size_t)((nl ? nl : end) - s);
    *p = nl ? nl + 1 : end;
    return s;
}

/* The route's pattern with each {name} replaced by the next '/'-separated
   piece of params (an empty piece when they run out). */
static char *
fill_pattern(app_arena *a, const char *pattern, const char *params, size_t plen)
{
    base_buf b = {0};
    const char *q = params, *qend = params + plen;
    for (const char *p = pattern; *p;) {
        if (*p != '{') {
            base_buf_add(&b, p++, 1);
            continue;
        }
        const char *close = strchr(p, '}');
        const char *slash = memchr(q, '/', (size_t)(qend - q));
        const char *piece_end = slash ? slash : qend;
        base_buf_add(&b, q, (size_t)(piece_end - q));
        q = slash ? slash + 1 : qend;
        p = close + 1;
    }
    char *out = app_arena_strndup(a, b.p ? (const char *)b.p : "", b.n);
    base_buf_free(&b);
    return out;
}

static void
set_actor(api_call *c, int which)
{
    memset(&c->actor, 0, sizeof(c->actor));
    c->actor.user_id = 42;
    c->actor.level = actors[which].level;
    snprintf(c->actor.org, sizeof(c->actor.org), "%s", actors[which].org);
    c->actor.staff_role = actors[which].staff;
    c->actor.grade = actors[which].grade;
    if (actors[which].staff == CORE_STAFF_HEAD_TEACHER) {
        c->actor.nclasses = 2;
        c->actor.classes[0] = 7;
        c->actor.classes[1] = 8;
    }
    c->client_id = actors[which].client;
    c->authed = 1;
    c->token_iat = FUZZ_NOW;
    c->token_exp = FUZZ_NOW + 900;
}

static void
add_headers(fuzz_call *f, const char *s, size_t n)
{
    static const char *const names[] = {"if-match", "content-type", "authorization"};
    const char *end = s + n;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && s <= end; i++) {
        const char *tab = memchr(s, '\t', (size_t)(end - s));
        const char *vend = tab ? tab : end;
        if (vend > s)
            fuzz_call_header(f, names[i], s, (size_t)(vend - s));
        if (tab == NULL)
            break;
        s = tab + 1;
    }
}

static void
decref_json(void *p)
{
    json_decref(p);
}

/* What on_req does with a JSON body: 0, or -1 with the call failed. */
static int
parse_body(api_call *c)
{
    json_error_t jerr;
    c->json = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (c->json == NULL) {
        api_fail_code(c, APP_EINVAL, "malformed_json", NULL);
        return -1;
    }
    app_arena_defer(c->arena, decref_json, c->json);
    return 0;
}

static void
run(fuzz_call *f, int route, const char *p, const char *end)
{
    api_call *c = &f->c;
    size_t n;
    const char *params = next_line(&p, end, &n);
    c->path = fill_pattern(c->arena, api_routes[route].pattern, params, n);
    const char *q = next_line(&p, end, &n);
    c->query = app_arena_strndup(c->arena, q, n);
    const char *h = next_line(&p, end, &n);
    add_headers(f, h, n);
    c->body = app_arena_strndup(c->arena, p, (size_t)(end - p));
    c->body_len = (size_t)(end - p);
    c->method = method_of(api_routes[route].method);

    int allow = 0;
    int r = api_route_match(c->method, c->path, c, &allow);
    if (r < 0) /* a parameter with '/' or an empty one: no route, as on_req */
        return;
    FUZZ_CHECK(api_routes[r].method & allow);
    c->route_index = r;
    if ((api_routes[r].flags & API_ROUTE_JSON_BODY) && parse_body(c) != 0)
        return;
    api_routes[r].handler(c);
    if (c->job != NULL)
        FUZZ_CHECK(!c->failed);
}

/* Handlers that answer from process state other than the request (metrics,
   the contract, the template workbook): not parsers of input. */
static int
skipped(api_handler h)
{
    return h == h_metrics || h == h_openapi || h == h_template_students || h == h_healthz ||
           h == h_readyz;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_api_init();
    if (size < 2)
        return 0;
    int route = data[0] % api_nroutes;
    if (skipped(api_routes[route].handler))
        return 0;
    fuzz_call f;
    fuzz_call_init(&f);
    set_actor(&f.c, data[1] % NACTORS);
    run(&f, route, (const char *)data + 2, (const char *)data + size);
    fuzz_check_answer(&f.c);
    fuzz_call_free(&f);
    return 0;
}
