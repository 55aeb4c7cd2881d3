/*
 * core/stuno.h - student numbers (学籍号, DOMAIN rules 7-9).
 *
 * A student number is 19 characters: 'G', 'J' or 'L' and 18 more.
 *   G + the holder's 18-character resident ID number (may end in X);
 *   J + a self-code built like an ID number: county + birth date +
 *       3-digit sequence + GB 11643 check digit (may end in X);
 *   L + county + birth date + 4 random digits (temporary; all digits).
 * Uniqueness (and "an L number never equals L + an ID number") is the
 * database's business. Pure: no I/O, no allocation, thread-safe.
 */
#ifndef CORE_STUNO_H
#define CORE_STUNO_H

#include "base/err.h"

#include <stddef.h>

/*
 * Check the format of `len` bytes at `in` (need not be NUL-terminated; may
 * be NULL only when len is 0). A lower-case prefix letter or final x is
 * upper-cased. On success writes the 19 characters and a NUL to `out` and
 * returns 0; `out` is not written on error. The format only is checked: the
 * check digit of a G or J number is not verified.
 * Errors: APP_EINVAL with slug "invalid_student_number" and param, in
 * this order:
 *   "length" - not exactly 19 characters;
 *   "prefix" - the first character is not G, J or L (either case);
 *   "chars"  - characters 2-19 are not digits, except that a G or J number
 *              may end in X (or x).
 * `err` may be NULL.
 */
int core_stuno_parse(const char *in, size_t len, char out[20], app_err *err);

/*
 * Build numbers into `out` (19 characters and a NUL). Preconditions
 * (asserted): `county6` starts with 6 ASCII digits, `birth_yyyymmdd` has 8
 * digits (10000101..99991231), `id18` starts with 17 digits and a digit or
 * 'X'.
 *   core_stuno_make_l: "L" + county6 + birth date + rand4 (0..9999, zero-padded).
 *   core_stuno_make_j: "J" + county6 + birth date + seq3 (0..999, zero-padded)
 *                      + core_idnum_check_digit() of those 17 digits.
 *   core_stuno_make_g: "G" + id18.
 */
void core_stuno_make_l(const char *county6, int birth_yyyymmdd, unsigned rand4, char out[20]);
void core_stuno_make_j(const char *county6, int birth_yyyymmdd, unsigned seq3, char out[20]);
void core_stuno_make_g(const char *id18, char out[20]);

#endif
