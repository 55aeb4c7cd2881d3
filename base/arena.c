/*
 * base/arena.c - bump allocator in growing chunks.
 */
#include "base/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN 4096

typedef struct chunk {
    struct chunk *next;
    size_t cap, used;
    _Alignas(16) unsigned char data[];
} chunk;

typedef struct deferred {
    struct deferred *next;
    void (*fn)(void *);
    void *arg;
} deferred;

struct app_arena {
    chunk *head;
    deferred *defers;
};

static void
oom(void)
{
    fputs("xueji: out of memory\n", stderr);
    abort();
}

void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        oom();
    return p;
}

void *
xcalloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (p == NULL)
        oom();
    return p;
}

void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        oom();
    return q;
}

char *
xstrdup(const char *s)
{
    char *p = strdup(s);
    if (p == NULL)
        oom();
    return p;
}

app_arena *
app_arena_new(void)
{
    return xcalloc(1, sizeof(app_arena));
}

void
app_arena_free(app_arena *a)
{
    if (a == NULL)
        return;
    for (deferred *d = a->defers; d != NULL; d = d->next)
        d->fn(d->arg);
    chunk *c = a->head;
    while (c != NULL) {
        chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void *
app_arena_alloc(app_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (n == 0)
        n = 16;
    chunk *c = a->head;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;
        if (c != NULL && cap < c->cap * 2 && c->cap * 2 <= 1u << 20)
            cap = c->cap * 2 > n ? c->cap * 2 : n;
        if (cap > SIZE_MAX - sizeof(chunk))
            oom();
        c = xmalloc(sizeof(chunk) + cap);
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *
app_arena_strndup(app_arena *a, const char *s, size_t n)
{
    char *p = app_arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
app_arena_strdup(app_arena *a, const char *s)
{
    return app_arena_strndup(a, s, strlen(s));
}

char *
app_arena_printf(app_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom();
    char *p = app_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

void
app_arena_defer(app_arena *a, void (*fn)(void *), void *arg)
{
    deferred *d = app_arena_alloc(a, sizeof(*d));
    d->fn = fn;
    d->arg = arg;
    d->next = a->defers;
    a->defers = d;
}
