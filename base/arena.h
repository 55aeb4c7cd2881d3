/*
 * base/arena.h - a bump allocator owned by one unit of work (a request's job,
 * a CLI command). Everything allocated from it dies with app_arena_free().
 * core/ and workflow/ allocate through it so they never include h2o.
 * Out of memory aborts (house rule: no untested NULL branches).
 * Not thread-safe: one arena, one thread at a time.
 */
#ifndef BASE_ARENA_H
#define BASE_ARENA_H

#include <stddef.h>

typedef struct app_arena app_arena;

app_arena *app_arena_new(void);
void app_arena_free(app_arena *a); /* a may be NULL */

/* Zeroed, 16-byte aligned memory; never NULL. */
void *app_arena_alloc(app_arena *a, size_t n);
char *app_arena_strdup(app_arena *a, const char *s);
char *app_arena_strndup(app_arena *a, const char *s, size_t n);
char *app_arena_printf(app_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Run fn(arg) when the arena is freed (last registered runs first). */
void app_arena_defer(app_arena *a, void (*fn)(void *), void *arg);

/* Abort-on-OOM helpers for process-scope memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
