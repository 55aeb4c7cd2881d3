/*
 * api/ratelimit.c - a chained hash table of token buckets under one mutex;
 * idle buckets are swept so the table cannot grow without bound.
 */
#include "api/ratelimit.h"

#include "base/arena.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NBUCKETS 4096
#define SWEEP_EVERY_S 30.0
#define IDLE_S 120.0

typedef struct entry {
    struct entry *next;
    double tokens, last;
    char key[];
} entry;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static entry *table[NBUCKETS];
static double last_sweep;

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t
hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void
sweep(double now)
{
    for (int i = 0; i < NBUCKETS; i++) {
        entry **pp = &table[i];
        while (*pp != NULL) {
            if (now - (*pp)->last > IDLE_S) {
                entry *dead = *pp;
                *pp = dead->next;
                free(dead);
            } else {
                pp = &(*pp)->next;
            }
        }
    }
    last_sweep = now;
}

int
api_ratelimit_take(const char *key, double rate)
{
    if (rate <= 0)
        return 0;
    double burst = rate * 2, now = now_s();
    int wait = 0;
    pthread_mutex_lock(&mu);
    if (now - last_sweep > SWEEP_EVERY_S)
        sweep(now);
    entry **slot = &table[hash(key) % NBUCKETS], *e = *slot;
    while (e != NULL && strcmp(e->key, key) != 0)
        e = e->next;
    if (e == NULL) {
        size_t n = strlen(key);
        e = xmalloc(sizeof(*e) + n + 1);
        memcpy(e->key, key, n + 1);
        e->tokens = burst;
        e->last = now;
        e->next = *slot;
        *slot = e;
    }
    e->tokens = fmin(burst, e->tokens + (now - e->last) * rate);
    e->last = now;
    if (e->tokens >= 1) {
        e->tokens -= 1;
    } else {
        wait = (int)ceil((1 - e->tokens) / rate);
        if (wait < 1)
            wait = 1;
    }
    pthread_mutex_unlock(&mu);
    return wait;
}

void
api_ratelimit_free(void)
{
    pthread_mutex_lock(&mu);
    for (int i = 0; i < NBUCKETS; i++) {
        while (table[i] != NULL) {
            entry *e = table[i];
            table[i] = e->next;
            free(e);
        }
    }
    pthread_mutex_unlock(&mu);
}
