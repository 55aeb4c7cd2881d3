/*
 * core/password.h - the password policy (DOMAIN §8) and one-time passwords.
 *
 * Policy, all rules checked and every failure reported at once:
 *   - at least CORE_PASSWORD_MIN_CHARS characters, counted as UTF-8 code
 *     points (10 Chinese characters are 10 characters, not 30);
 *   - at most CORE_PASSWORD_MAX_BYTES bytes;
 *   - characters of at least CORE_PASSWORD_MIN_CLASSES of four classes:
 *     ASCII lower-case letter, ASCII upper-case letter, ASCII digit, other
 *     (any other byte: punctuation, space, non-ASCII);
 *   - not equal to the username, and not containing it when the username
 *     has CORE_PASSWORD_USERNAME_MIN or more characters; both compared with
 *     ASCII letters case-folded (other bytes compared exactly).
 *
 * Hashing is not here (libsodium's, in the caller). Pure: no I/O, no
 * allocation, thread-safe.
 */
#ifndef CORE_PASSWORD_H
#define CORE_PASSWORD_H

#include "base/err.h"

#define CORE_PASSWORD_MIN_CHARS 10
#define CORE_PASSWORD_MAX_BYTES 128
#define CORE_PASSWORD_MIN_CLASSES 3
#define CORE_PASSWORD_USERNAME_MIN 4 /* characters, as for the password */
#define CORE_PASSWORD_GEN_LEN 16     /* characters of a generated password */

/*
 * Check `password` (NUL-terminated UTF-8; the caller has validated the
 * encoding, as jansson does) against the policy for account `username`
 * (NULL or "" skips the username rule). A NULL password is checked as "".
 * Returns 0 if it passes. Otherwise returns APP_EINVAL with slug
 * "weak_password" and one item per failed rule, in this order, each with
 * field "/new_password" and no param:
 *   "password_too_short"         - fewer than 10 code points;
 *   "password_too_long"          - more than 128 bytes;
 *   "password_classes"           - fewer than 3 of the 4 classes;
 *   "password_contains_username" - equals or contains the username.
 * `err` may be NULL; its existing items are kept (items are appended).
 */
int core_password_check(const char *password, const char *username, app_err *err);

/*
 * Turn 16 random bytes (from randombytes_buf(), in the caller) into a
 * one-time password of CORE_PASSWORD_GEN_LEN characters and a NUL in
 * `out`. It holds at least one ASCII lower-case letter, upper-case letter,
 * digit and one of "-_.!", uses no look-alike character (0 O o 1 l I), and
 * so always passes the length and class rules; drawn from an alphabet of 60
 * characters it carries roughly 90 bits. It could in principle contain a
 * username (odds about one in a million for a 4-character one): callers
 * that care run core_password_check() and draw again. Deterministic: the same bytes
 * give the same password. The caller wipes `random` and `out` when done.
 */
void core_password_generate(char out[CORE_PASSWORD_GEN_LEN + 1], const unsigned char random[16]);

#endif
