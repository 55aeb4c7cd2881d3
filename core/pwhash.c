/*
 * core/pwhash.c - argon2id password hashes.
 */
#include "core/pwhash.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

int
core_pwhash(const char *password, char out[CORE_PWHASH_LEN])
{
    char h[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(h, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return -1;
    snprintf(out, CORE_PWHASH_LEN, "%s", h);
    return 0;
}

int
core_pwhash_verify(const char *hash, const char *password)
{
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}
