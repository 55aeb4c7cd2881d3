/*
 * api/server.h - the HTTP server: N libuv/h2o loop threads on one port
 * (SO_REUSEPORT), a DB worker pool, graceful shutdown on SIGTERM/SIGINT.
 */
#ifndef API_SERVER_H
#define API_SERVER_H

#include "api/config.h"

/* Serve until SIGTERM/SIGINT; returns the process exit code. */
int api_server_run(const api_config *cfg);

/* The configuration in force (read-only), for handlers. */
const api_config *api_server_config(void);

/* Install a configuration without serving (unit tests of token code). */
void api_server_set_config(const api_config *cfg);

#endif
