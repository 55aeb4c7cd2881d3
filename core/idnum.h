/*
 * core/idnum.h - GB 11643-1999 resident ID numbers (DOMAIN rules 1-6).
 *
 * An ID number is 6 address digits, an 8-digit birth date YYYYMMDD, a 3-digit
 * sequence (odd 17th digit = male) and a check digit '0'-'9' or 'X'. Legacy
 * 15-digit numbers are converted to 18. Pure: no I/O, no allocation,
 * thread-safe (the region callback is the caller's business).
 *
 * Internal error detail never contains the ID number itself (it is logged).
 */
#ifndef CORE_IDNUM_H
#define CORE_IDNUM_H

#include "base/err.h"

#include <stddef.h>

typedef struct core_idnum {
    char number[19]; /* always 18 characters, upper-case X, NUL-terminated */
    char region[7];  /* the 6-digit address code */
    int year, month, day;
    int gender;         /* 1 male, 2 female: 17th digit odd = male */
    int legacy15;       /* input was 15 digits */
    int region_unknown; /* warning: 6-digit code not in the region list */
} core_idnum;

/*
 * Returns 1 if the NUL-terminated 6-digit `code6` exists in the current
 * region list, else 0. `ctx` is the caller's.
 */
typedef int (*core_region_known_fn)(const char *code6, void *ctx);

/*
 * The GB 11643 check character of the 17 digits at `first17` (need not be
 * NUL-terminated): "10X98765432"[sum(d_i * w_i) mod 11] with
 * w = 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2. Returns '0'..'9' or 'X'.
 * Precondition (asserted): the first 17 characters are ASCII digits.
 */
char core_idnum_check_digit(const char *first17);

/*
 * Parse `len` bytes at `in` (need not be NUL-terminated; may be NULL only
 * when len is 0) as an 18-character ID number (a final 'x' is normalised to
 * 'X') or a legacy 15-digit one (converted: "19" is inserted after the
 * address code and the check digit computed). Surrounding spaces are not
 * accepted: callers trim.
 *
 * `today_yyyymmdd` (e.g. 20250901) bounds the birth date. `known`, if not
 * NULL, is asked whether the address code exists; an unknown code whose
 * province prefix is valid is accepted with out->region_unknown = 1 (codes
 * are retired, IDs keep them: rule 4). `known` is called at most once, and
 * only when everything else is valid.
 *
 * On success fills *out and returns 0. On error returns APP_EINVAL, sets
 * slug "invalid_id_number" and exactly one param, and leaves *out untouched.
 * The checks run in this order, so the first failing one is reported:
 *   "length"     - not 15 or 18 characters;
 *   "chars"      - a non-digit where a digit is required (an 'X' or 'x'
 *                  anywhere but the 18th position included);
 *   "checksum"   - the 18th character is not the check digit (18 only);
 *   "birth_date" - not a real date, after today, or before 1900-01-01;
 *   "region"     - the first two digits are not a province code (11-15,
 *                  21-23, 31-37, 41-46, 50-54, 61-65, 71) nor 81/82/83.
 * Checksum comes before date and region so that any mistyped digit of an
 * 18-character number reports "checksum". `err` may be NULL.
 */
int core_idnum_parse(const char *in, size_t len, int today_yyyymmdd, core_region_known_fn known,
                     void *known_ctx, core_idnum *out, app_err *err);

/*
 * Rule 6: compare a record's gender (1 male, 2 female) and birth date
 * (YYYYMMDD) with those derived from `id`. Returns 0 if both agree, else a
 * bitmask: 1 = the gender contradicts (CORE_IDNUM_MISMATCH_GENDER), 2 = the
 * birth date contradicts (CORE_IDNUM_MISMATCH_BIRTH).
 * Values are compared as given: a caller with no gender or birth date on the
 * record should take them from `id` instead of calling this.
 */
#define CORE_IDNUM_MISMATCH_GENDER 1
#define CORE_IDNUM_MISMATCH_BIRTH 2
int core_idnum_matches(const core_idnum *id, int gender, int birth_yyyymmdd);

#endif
