/*
 * core/pwhash.h - password hashes: argon2id through libsodium's
 * crypto_pwhash_str (interactive limits: ~57 ms and 64 MiB each here).
 * Blocking and memory-hungry: call from DB worker threads or tools, never from
 * an event-loop thread; the worker pool size bounds how many run at once.
 */
#ifndef CORE_PWHASH_H
#define CORE_PWHASH_H

#define CORE_PWHASH_LEN 128

/* 0, or -1 when libsodium could not allocate. */
int core_pwhash(const char *password, char out[CORE_PWHASH_LEN]);
/* 1 when `password` matches `hash`. */
int core_pwhash_verify(const char *hash, const char *password);

#endif
