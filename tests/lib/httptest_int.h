/*
 * tests/lib/httptest_int.h - what the two halves of tests/lib/httptest.h
 * share: httptest.c (servers: start, stop, logs, xuejid runs) and htclient.c
 * (requests, answers, assertions, the database).
 */
#ifndef TESTS_LIB_HTTPTEST_INT_H
#define TESTS_LIB_HTTPTEST_INT_H

#include <limits.h>
#include <sys/types.h>

struct ht_server {
    pid_t pid;
    pid_t owner; /* the process that started it (check forks one per test) */
    int port;
    int running;
    int status;
    char dir[PATH_MAX + 32];
    char log_path[PATH_MAX + 64];
    char port_path[PATH_MAX + 64];
    struct ht_server *next;
};

/* A wait status as an exit code (128 + signal when killed). */
int ht__decode_status(int st);

/* strdup that ends the test process on failure. */
char *ht__xstrdup(const char *s);

#endif
