/*
 * core/grade.h - grade codes and classes (DOMAIN §1).
 *
 * Grade codes (our choice): primary 11-16, junior secondary 21-24, senior
 * secondary 31-33. Which grades a school teaches follows its category (the AA
 * of its 学校标识码) and its school system (学制 "63" 六三制 or "54" 五四制):
 *
 *   category 21 小学      11-16 ("63"), 11-15 ("54")
 *   category 31 初级中学  21-23 ("63"), 21-24 ("54")
 *   category 34 高级中学  31-33
 *   category 41, 42       none: a university's classes are administrative
 *                         classes (core/uni.h), backed by class rows of
 *                         grade code CORE_GRADE_UNIVERSITY
 *   any other category    every grade code (special education 51, adult and
 *                         vocational schools, 9-year schools registered under
 *                         another category: we do not guess their structure)
 *
 * A class is (school, grade, number 1-99); its default display name is
 * "<grade label>(<number>)班": 一年级(1)班, 初一(2)班, 高三(12)班.
 *
 * Pure: no I/O, no allocation, thread-safe.
 */
#ifndef CORE_GRADE_H
#define CORE_GRADE_H

#include <stddef.h>

#define CORE_CLASS_NUMBER_MAX 99
#define CORE_GRADE_UNIVERSITY 40 /* the class rows backing a university's 行政班 */
#define CORE_CLASS_SIZE_MAX 200
#define CORE_CLASS_NAME_MAX 64 /* bytes of a default name, NUL included */

/* 1 if `grade` is one of 11-16, 21-24, 31-33. */
int core_grade_valid(int grade);

/*
 * The Chinese label of a grade (UTF-8, static): 一年级 .. 六年级, 初一 .. 初四,
 * 高一 .. 高三. NULL when core_grade_valid() is 0.
 */
const char *core_grade_label(int grade);

/* 1 if `system` is "63" or "54" (NULL gives 0). */
int core_school_system_valid(const char *system);

/*
 * 1 if a school of `category` and `system` teaches `grade` (table above). 0
 * for an invalid grade; an unknown system counts as "63".
 */
int core_grade_fits_school(int category, const char *system, int grade);

/*
 * The default display name of class `number` of `grade` into `out`
 * ("一年级(1)班"); `cap` should be CORE_CLASS_NAME_MAX. Returns 0, or -1 (and
 * writes "") when the grade or the number (1..CORE_CLASS_NUMBER_MAX) is
 * invalid or `cap` is too small.
 */
int core_class_default_name(int grade, int number, char *out, size_t cap);

#endif
