/*
 * core/grade.c - grade codes, which grades a school teaches, class names.
 */
#include "core/grade.h"

#include <stdio.h>
#include <string.h>

static const char *const primary[] = {"一年级", "二年级", "三年级", "四年级", "五年级", "六年级"};
static const char *const junior[] = {"初一", "初二", "初三", "初四"};
static const char *const senior[] = {"高一", "高二", "高三"};

int
core_grade_valid(int grade)
{
    return (grade >= 11 && grade <= 16) || (grade >= 21 && grade <= 24) ||
           (grade >= 31 && grade <= 33);
}

const char *
core_grade_label(int grade)
{
    if (!core_grade_valid(grade))
        return NULL;
    switch (grade / 10) {
    case 1:
        return primary[grade - 11];
    case 2:
        return junior[grade - 21];
    default:
        return senior[grade - 31];
    }
}

int
core_school_system_valid(const char *system)
{
    return system != NULL && (strcmp(system, "63") == 0 || strcmp(system, "54") == 0);
}

int
core_grade_fits_school(int category, const char *system, int grade)
{
    int five_four = system != NULL && strcmp(system, "54") == 0;

    if (!core_grade_valid(grade))
        return 0;
    switch (category) {
    case 21:
        return grade >= 11 && grade <= (five_four ? 15 : 16);
    case 31:
        return grade >= 21 && grade <= (five_four ? 24 : 23);
    case 34:
        return grade >= 31 && grade <= 33;
    case 41:
    case 42:
        return 0; /* a university's classes are administrative classes (core/uni.h) */
    default:
        return 1;
    }
}

int
core_class_default_name(int grade, int number, char *out, size_t cap)
{
    const char *label = core_grade_label(grade);
    int n;

    if (cap > 0)
        out[0] = '\0';
    if (label == NULL || number < 1 || number > CORE_CLASS_NUMBER_MAX || cap == 0)
        return -1;
    n = snprintf(out, cap, "%s(%d)班", label, number);
    if (n < 0 || (size_t)n >= cap) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}
