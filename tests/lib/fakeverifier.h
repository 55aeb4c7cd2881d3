/*
 * tests/lib/fakeverifier.h - a stand-in for the population register's identity
 * verifier (api/verifier.h): a small HTTP/1.1 server on 127.0.0.1, on a port
 * the kernel picks, served by one pthread, one connection at a time.
 *
 * It reads a POST with a Content-Length body, parses the JSON and answers
 * 200 {"result":"<word>"} where the word is the one fv_set gave for the
 * body's "id_number" ("passed" by default). A request that is not an HTTP/1.1
 * POST of an origin-form path with a Host header, Content-Type
 * application/json and a body with an "id_number" string gets 405, 415 or 400.
 * Every answer carries "Connection: close" and the connection is closed.
 *
 * The setters and getters are thread-safe and take effect for the next
 * request. Start from checked fixtures (each forked test gets its own server).
 */
#ifndef TESTS_LIB_FAKEVERIFIER_H
#define TESTS_LIB_FAKEVERIFIER_H

typedef struct fv_server fv_server;

/* Listen and start the thread. NULL (with a message on stderr) on failure. */
fv_server *fv_start(void);

/* The port it listens on. */
int fv_port(fv_server *s);

/* The answer for `id_number` (copied): a result word, or any other string to
   test unknown words; NULL goes back to the default "passed". */
void fv_set(fv_server *s, const char *id_number, const char *result);

/* Wait `ms` after reading a request, before answering (0: none). fv_stop
   cuts the wait short. */
void fv_set_delay_ms(fv_server *s, int ms);

/* Answer these bytes verbatim (copied) instead of a normal answer, e.g. a 500
   or a chunked body; NULL goes back to normal answers. The request is still
   read and counted first. */
void fv_set_raw(fv_server *s, const char *raw_response);

/* Requests read completely so far. */
int fv_requests(fv_server *s);

/* A copy of the body of the last request (caller frees with free()), or NULL
   before the first. */
char *fv_last_body(fv_server *s);

/* Stop the thread, close the sockets and free everything. `s` may be NULL. */
void fv_stop(fv_server *s);

#endif
