/*
 * core/mask.h - masking of personal numbers in lists and ordinary reads
 * (DOMAIN rule 27). Revealing the full value is a separate, audited read.
 *
 * All functions work on bytes and expect ASCII (callers validate first).
 * Each writes at most cap - 1 characters and a NUL to `out` (nothing when
 * cap is 0), like snprintf: a truncated result is a prefix of the full
 * masked string, so it never shows more than the full mask would. `s` and
 * `out` must not overlap. Pure, thread-safe.
 */
#ifndef CORE_MASK_H
#define CORE_MASK_H

#include <stddef.h>

/*
 * ID numbers: keep the first 4 and last 4 characters and replace the rest
 * with '*' ("410102199001011234" -> "4101**********1234"). A string of 8
 * or fewer characters becomes all stars of the same length.
 */
void core_mask_id(const char *s, char *out, size_t cap);

/*
 * Student numbers: a G number (which contains an ID number) keeps its
 * letter and masks the rest as core_mask_id() does
 * ("G410102199001011234" -> "G4101**********1234"). J and L numbers
 * (either case) are copied unchanged. Anything else is masked whole like
 * an ID number, so an unexpected value is never shown in clear.
 */
void core_mask_stuno(const char *s, char *out, size_t cap);

/*
 * Phone numbers: keep the first 3 and last 4 characters ("13812345678" ->
 * "138****5678"). A string of 7 or fewer characters becomes all stars of
 * the same length.
 */
void core_mask_phone(const char *s, char *out, size_t cap);

/*
 * Names (UTF-8, validated by the caller): keep the first character and
 * replace every other one with one '*' ("李小明" -> "李**"). A name of one
 * character is kept. A first character that does not fit in cap - 1
 * bytes is left out whole, never cut.
 */
void core_mask_name(const char *s, char *out, size_t cap);

#endif
