/*
 * core/schoolcode.h - school identifiers (学校标识码, DOMAIN §1).
 *
 * Ten digits AABBCCCCCC: AA the school category, BB the province code
 * (core_region_province_valid()), CCCCCC a sequence. The school's county is
 * stored separately. Format only: existence is a database question. Pure:
 * no I/O, no allocation, thread-safe.
 */
#ifndef CORE_SCHOOLCODE_H
#define CORE_SCHOOLCODE_H

#include "base/err.h"

#include <stddef.h>

typedef struct core_school_code {
    char code[11]; /* the 10 digits, NUL-terminated */
    int category;  /* AA, one of the categories below */
    int province;  /* BB */
} core_school_code;

/*
 * Parse `len` bytes at `in` (need not be NUL-terminated; may be NULL only
 * when len is 0). On success fills *out and returns 0; *out is not written
 * on error. Errors: APP_EINVAL with slug "invalid_school_code" and param,
 * checked in this order:
 *   "length"   - not exactly 10 characters;
 *   "chars"    - a character that is not an ASCII digit;
 *   "category" - AA is not 11, 21, 22, 31-37, 41, 42, 51, 91, 92 or 93;
 *   "province" - BB is not a province code.
 * `err` may be NULL.
 */
int core_school_code_parse(const char *in, size_t len, core_school_code *out, app_err *err);

/*
 * The Chinese label (UTF-8, static) of a school category: 11 幼儿园,
 * 21 小学, 22 成人小学, 31 初级中学, 32 职业初中, 33 成人初中, 34 高级中学,
 * 35 成人高中, 36 中等职业学校, 37 工读学校, 41 普通高等学校, 42 成人高等学校,
 * 51 特殊教育学校, 91-93 其他. NULL for any other value.
 */
const char *core_school_category_label(int category);

/* 1 if `category` is a university's (41, 42: 学校标识码 starting with 4,
   docs/decisions/0032). */
int core_school_is_university(int category);

#endif
