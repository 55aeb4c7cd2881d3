/*
 * tests/fuzz/route_fuzz.c - libFuzzer target for the parsers of the request
 * line (make fuzz): route matching and path parameters (api/router.c), query
 * parameters (api_query), the list parameters (?limit=, cursors), If-Match
 * (api/util.c) and the text checks handlers apply to parameters.
 *
 * Input: byte 0 chooses the method; then lines: the path (as h2o hands it
 * over, percent-decoded), the query string, the If-Match value (absent when
 * the line is missing).
 *
 * Promises: a matched route has the method asked for and its pattern with
 * the parameters put back gives the path again, each parameter one non-empty
 * segment; a path that matches no method of any route reports no allowed
 * method; query values decode to at most their raw length; limits and
 * cursors are in range when accepted and fail the call when not.
 */
#include "api/handlers.h"
#include "base/buf.h"
#include "tests/fuzz/fuzz_api.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

static const char *
line(app_arena *a, const char **p, const char *end, int *present)
{
    const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
    const char *e = nl ? nl : end;
    *present = s < end || nl != NULL;
    *p = nl ? nl + 1 : end;
    return app_arena_strndup(a, s, (size_t)(e - s));
}

/* The pattern of route r with the call's parameters put back. */
static void
check_match(const api_call *c, int r, const char *path)
{
    base_buf b = {0};
    int k = 0;
    for (const char *p = api_routes[r].pattern; *p;) {
        if (*p != '{') {
            base_buf_add(&b, p++, 1);
            continue;
        }
        const char *close = strchr(p, '}');
        FUZZ_CHECK(k < c->nparams);
        FUZZ_CHECK(strncmp(c->param_names[k], p + 1, (size_t)(close - p - 1)) == 0);
        FUZZ_CHECK(c->params[k][0] != '\0' && strchr(c->params[k], '/') == NULL);
        base_buf_adds(&b, c->params[k]);
        k++;
        p = close + 1;
    }
    FUZZ_CHECK(k == c->nparams);
    FUZZ_CHECK(b.n == strlen(path) && memcmp(b.p, path, b.n) == 0);
    base_buf_free(&b);
}

static void
check_route(api_call *c, const char *method, const char *path)
{
    int allow = 0;
    int r = api_route_match(method, path, c, &allow);
    FUZZ_CHECK(r >= -2 && r < api_nroutes);
    char list[96];
    api_allow_string(allow, list, sizeof(list));
    FUZZ_CHECK(strstr(list, "OPTIONS") != NULL);
    if (r == -1) {
        FUZZ_CHECK(allow == 0);
        return;
    }
    FUZZ_CHECK(allow != 0);
    if (r == -2)
        return;
    FUZZ_CHECK(strcmp(method, "GET") == 0 ? api_routes[r].method == API_GET
                                          : api_routes[r].method != API_GET);
    FUZZ_CHECK(api_routes[r].method & allow);
    check_match(c, r, path);
    for (int i = 0; i < c->nparams; i++) {
        /* what handlers ask of their parameters must hold up to anything */
        int six = api_six_digits(c->params[i]);
        FUZZ_CHECK(!six || strlen(c->params[i]) == 6);
        (void)base_text_visible(c->params[i], 64);
    }
}

static void
check_query(api_call *c)
{
    static const char *const names[] = {"limit", "after", "mode",   "school", "q",     "state",
                                        "box",   "type",  "atomic", "grade",  "class", ""};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *v = api_query(c, names[i]);
        FUZZ_CHECK(v == NULL || strlen(v) <= strlen(c->query));
    }
    int limit = -1;
    c->failed = 0;
    if (api_list_limit(c, &limit) == 0)
        FUZZ_CHECK(!c->failed && limit >= 1 && limit <= 500);
    else
        FUZZ_CHECK(c->failed && c->err.code == APP_EINVAL);
    long long after = -1;
    c->failed = 0;
    if (api_list_after(c, "after", &after) == 0)
        FUZZ_CHECK(!c->failed && after >= 0);
    else
        FUZZ_CHECK(c->failed && c->err.code == APP_EINVAL);
    c->failed = 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_api_init();
    if (size < 1)
        return 0;
    fuzz_call f;
    fuzz_call_init(&f);
    api_call *c = &f.c;
    const char *method = methods[data[0] % (sizeof(methods) / sizeof(methods[0]))];
    const char *p = (const char *)data + 1, *end = (const char *)data + size;
    int present;
    const char *path = line(c->arena, &p, end, &present);
    c->query = line(c->arena, &p, end, &present);
    const char *im = line(c->arena, &p, end, &present);
    if (present)
        fuzz_call_header(&f, "if-match", im, strlen(im));

    check_route(c, method, path);
    check_query(c);
    int version = -2;
    if (api_if_match(c, &version) == 0)
        FUZZ_CHECK(present && version >= -1 && version <= 999999999);
    else
        FUZZ_CHECK(!present && c->failed);
    fuzz_check_answer(c);
    fuzz_call_free(&f);
    return 0;
}
