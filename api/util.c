/*
 * api/util.c - small helpers shared by the handlers: headers, ETag/If-Match,
 * text and code checks, form decoding.
 */
#include "api/handlers.h"

#include <stdio.h>
#include <string.h>

const char *
api_req_header(api_call *c, const char *name)
{
    if (c->req == NULL)
        return NULL;
    ssize_t i = h2o_find_header_by_str(&c->req->headers, name, strlen(name), -1);
    if (i < 0)
        return NULL;
    h2o_iovec_t v = c->req->headers.entries[i].value;
    return app_arena_strndup(c->arena, v.base, v.len);
}

int
api_if_match(api_call *c, int *out_version)
{
    const char *v = api_req_header(c, "if-match");
    if (v == NULL) {
        api_fail_code(c, APP_EINVAL, "precondition_required", "/headers/if-match");
        return -1;
    }
    /* the first strong tag "<digits>" of the list counts (0 is the version of
       settings never stored); W/ tags, `*` and anything else never match, so
       the job answers 412 */
    *out_version = -1;
    for (const char *p = v; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == '"') {
            const char *q = p + 1;
            long long n = 0;
            while (*q >= '0' && *q <= '9' && q - p <= 9)
                n = n * 10 + (*q++ - '0');
            if (q > p + 1 && *q == '"') {
                *out_version = (int)n;
                return 0;
            }
        }
        p = strchr(p, ',');
        if (p == NULL)
            break;
    }
    return 0;
}

void
api_etag(api_call *c, int version)
{
    char tag[24];
    snprintf(tag, sizeof(tag), "\"%d\"", version);
    api_header(c, "etag", tag);
}

int
api_six_digits(const char *s)
{
    if (s == NULL || strlen(s) != 6)
        return 0;
    for (int i = 0; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int
api_hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Items become the problem's code (one) or validation_failed (several). */
int
api_fail_core(api_call *c, int rc)
{
    if (rc == APP_EINVAL && c->err.nitems > 0 && c->err.slug == NULL)
        api_fail_items(&c->err);
    else if (rc != APP_EINVAL)
        c->err.nitems = 0; /* not found, forbidden, conflict: no field list */
    return rc;
}

int
api_digits_only(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* A path key that can be neither an id nor a student number is a student we do not have. */
const char *
api_student_key(api_call *c)
{
    const char *k = api_param(c, "key");
    size_t n = k ? strlen(k) : 0;
    if (n == 0 || n > 19) {
        api_fail_code(c, APP_ENOTFOUND, "student_not_found", NULL);
        return NULL;
    }
    return k;
}

int
api_file_ids(api_call *c, json_t *v, const char *ptr, long long **out, int *n, app_err *e)
{
    *n = 0;
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_array(v) || json_array_size(v) > 10) {
        app_err_add(e, ptr, "wrong_type", NULL);
        return -1;
    }
    *out = app_arena_alloc(c->arena, sizeof(long long) * (json_array_size(v) + 1));
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x)
    {
        if (!json_is_integer(x) || json_integer_value(x) < 1) {
            app_err_add(e, ptr, "wrong_type", NULL);
            return -1;
        }
        (*out)[(*n)++] = (long long)json_integer_value(x);
    }
    return 0;
}
