/*
 * base/jw.c - the JSON text writer (see base/jw.h).
 */
#include "base/jw.h"

#include <stdio.h>
#include <string.h>

void
jw_init(jw *w, app_arena *a)
{
    w->arena = a;
    w->cap = 4096;
    w->p = app_arena_alloc(a, w->cap);
    w->n = 0;
    w->first = 1;
}

void
jw_raw(jw *w, const char *s, size_t len)
{
    if (w->n + len + 1 > w->cap) {
        size_t cap = w->cap * 2;
        while (cap < w->n + len + 1)
            cap *= 2;
        char *p = app_arena_alloc(w->arena, cap);
        memcpy(p, w->p, w->n);
        w->p = p;
        w->cap = cap;
    }
    memcpy(w->p + w->n, s, len);
    w->n += len;
}

static void
comma(jw *w)
{
    if (!w->first)
        jw_raw(w, ",", 1);
    w->first = 0;
}

void
jw_obj(jw *w)
{
    jw_raw(w, "{", 1);
    w->first = 1;
}

void
jw_end(jw *w)
{
    jw_raw(w, "}", 1);
    w->first = 0;
}

void
jw_arr(jw *w)
{
    jw_raw(w, "[", 1);
    w->first = 1;
}

void
jw_arr_end(jw *w)
{
    jw_raw(w, "]", 1);
    w->first = 0;
}

void
jw_elem(jw *w)
{
    comma(w);
}

static void
string(jw *w, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    jw_raw(w, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        jw_raw(w, run, (size_t)(s - run));
        char e[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t el = 2;
        switch (ch) {
        case '"':
            e[1] = '"';
            break;
        case '\\':
            e[1] = '\\';
            break;
        case '\n':
            e[1] = 'n';
            break;
        case '\r':
            e[1] = 'r';
            break;
        case '\t':
            e[1] = 't';
            break;
        default:
            e[1] = 'u', e[2] = '0', e[3] = '0', e[4] = hex[ch >> 4], e[5] = hex[ch & 15];
            el = 6;
        }
        jw_raw(w, e, el);
        run = s + 1;
    }
    jw_raw(w, run, (size_t)(s - run));
    jw_raw(w, "\"", 1);
}

void
jw_key(jw *w, const char *key)
{
    comma(w);
    string(w, key);
    jw_raw(w, ":", 1);
}

void
jw_str(jw *w, const char *key, const char *v)
{
    jw_key(w, key);
    if (v)
        string(w, v);
    else
        jw_raw(w, "null", 4);
}

void
jw_int(jw *w, const char *key, long long v)
{
    char b[24];
    int n = snprintf(b, sizeof(b), "%lld", v);
    jw_key(w, key);
    jw_raw(w, b, (size_t)n);
}

void
jw_bool(jw *w, const char *key, int v)
{
    jw_key(w, key);
    jw_raw(w, v ? "true" : "false", v ? 4 : 5);
}

void
jw_null(jw *w, const char *key)
{
    jw_key(w, key);
    jw_raw(w, "null", 4);
}

void
jw_json(jw *w, const char *key, const char *json)
{
    jw_key(w, key);
    jw_raw(w, json, strlen(json));
}

void
jw_value(jw *w, const char *v)
{
    comma(w);
    if (v)
        string(w, v);
    else
        jw_raw(w, "null", 4);
}

const char *
jw_quote(app_arena *a, const char *s)
{
    if (s == NULL)
        return "null";
    jw w = {.arena = a, .cap = strlen(s) + 3, .first = 1};
    w.p = app_arena_alloc(a, w.cap);
    string(&w, s);
    return jw_text(&w, NULL);
}

const char *
jw_text(jw *w, size_t *out_len)
{
    jw_raw(w, "", 0);
    w->p[w->n] = '\0';
    if (out_len)
        *out_len = w->n;
    return w->p;
}
