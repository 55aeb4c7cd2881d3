/*
 * base/err.c - the error value.
 */
#include "base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void
copy(char *dst, size_t cap, const char *src)
{
    if (src == NULL) {
        dst[0] = '\0';
        return;
    }
    snprintf(dst, cap, "%s", src);
}

int
app_err_set(app_err *e, app_code c, const char *slug, const char *fmt, ...)
{
    if (e == NULL)
        return c;
    e->code = c;
    e->slug = slug;
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
        va_end(ap);
    } else {
        e->detail[0] = '\0';
    }
    return c;
}

void
app_err_field(app_err *e, const char *field)
{
    if (e != NULL)
        copy(e->field, sizeof(e->field), field);
}

void
app_err_param(app_err *e, const char *param)
{
    if (e != NULL)
        copy(e->param, sizeof(e->param), param);
}

void
app_err_add(app_err *e, const char *field, const char *code, const char *param)
{
    if (e == NULL || e->nitems >= APP_ERR_MAX_ITEMS)
        return;
    app_err_item *it = &e->items[e->nitems++];
    memset(it, 0, sizeof(*it));
    copy(it->field, sizeof(it->field), field);
    it->code = code;
    copy(it->param, sizeof(it->param), param);
}

void
app_err_clear(app_err *e)
{
    if (e != NULL)
        memset(e, 0, sizeof(*e));
}

const char *
app_code_name(app_code c)
{
    switch (c) {
    case APP_OK:
        return "ok";
    case APP_EINVAL:
        return "invalid input";
    case APP_ENOTFOUND:
        return "not found";
    case APP_ECONFLICT:
        return "conflict";
    case APP_ESTATE:
        return "invalid state";
    case APP_EAUTH:
        return "unauthenticated";
    case APP_EFORBIDDEN:
        return "forbidden";
    case APP_ERETRY:
        return "retry";
    case APP_EUNAVAIL:
        return "unavailable";
    case APP_EINTERNAL:
        return "internal error";
    case APP_ETOOLARGE:
        return "too large";
    case APP_EPRECOND:
        return "precondition failed";
    }
    return "unknown";
}
