/*
 * core/region.h - GB/T 2260 six-digit region codes and the jurisdiction
 * levels they name (DOMAIN §1), at the format level only.
 *
 * Whether a code exists (and in which edition) is a database question; this
 * module answers only "is this shaped like a code, and of which level". Pure:
 * no I/O, no allocation, thread-safe.
 */
#ifndef CORE_REGION_H
#define CORE_REGION_H

#include "base/err.h"

#include <stddef.h>

typedef enum {
    CORE_LEVEL_NONE = 0,
    CORE_LEVEL_SCHOOL = 1,
    CORE_LEVEL_COUNTY = 2,
    CORE_LEVEL_CITY = 3,
    CORE_LEVEL_PROVINCE = 4,
    CORE_LEVEL_MINISTRY = 5,
} core_level;

/*
 * The stable English name of a level: "school", "county", "city",
 * "province", "ministry". NULL for CORE_LEVEL_NONE and out-of-range values.
 * The string is static.
 */
const char *core_level_name(core_level level);

/*
 * The level named `name` (exact, case-sensitive match of core_level_name()).
 * CORE_LEVEL_NONE if `name` is NULL or names no level.
 */
core_level core_level_from_name(const char *name);

/*
 * 1 if `pp` is a GB/T 2260 province-level prefix: 11-15, 21-23, 31-37,
 * 41-46, 50-54, 61-65, 71 (Taiwan), 81 (Hong Kong), 82 (Macao); else 0.
 * 83 (Taiwan residence permits) is not a region and is not accepted here;
 * core_idnum_parse() accepts it separately.
 */
int core_region_province_valid(int pp);

/*
 * The level a six-digit code names, judged by its shape:
 *   "000000"                              -> CORE_LEVEL_MINISTRY
 *   PP0000 with a valid province PP       -> CORE_LEVEL_PROVINCE
 *   PPCC00 with CC != "00"                -> CORE_LEVEL_CITY
 *   any other PPxxxx with a valid PP      -> CORE_LEVEL_COUNTY
 *   anything else (len != 6, non-digit, bad province) -> CORE_LEVEL_NONE
 * `code` need not be NUL-terminated; it may be NULL only when len is 0.
 */
core_level core_region_code_level(const char *code, size_t len);

/*
 * Pure string arithmetic on the first six characters of `code6` (which the
 * caller has validated): the province code PP0000 and the city code PPCC00.
 * `out` receives six characters and a NUL. For a province code, the "city"
 * is the province code itself.
 */
void core_region_province_of(const char *code6, char out[7]);

/*
 * The SQL LIKE pattern of the region codes that region `code6` contains
 * (the caller has validated it): "%" for the ministry, "PP%" for a
 * province, "PPCC%" for a city, the code itself for a county. Written to
 * `out` with its NUL.
 */
void core_region_like(const char *code6, char out[8]);
void core_region_city_of(const char *code6, char out[7]);

/*
 * Parse a 12-digit statistical region code (birthplace, household: the
 * six-digit county or city code followed by a 3-digit township and a 3-digit
 * village code, or by "000000"). On success copies the first six digits and
 * a NUL into `out_county` and returns 0; `out_county` is not written on
 * error.
 * Errors: APP_EINVAL with slug "invalid_region_code" and param
 *   "length"   - not exactly 12 characters,
 *   "chars"    - a character that is not an ASCII digit,
 *   "province" - the first two digits are not a province code, or the first
 *                six name a whole province (PP0000) or the ministry rather
 *                than a city or county.
 * `err` may be NULL. `in` need not be NUL-terminated.
 */
int core_region12_parse(const char *in, size_t len, char out_county[7], app_err *err);

#endif
