/*
 * core/region.c - GB/T 2260 code shapes and jurisdiction level names.
 */
#include "core/region.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

static const char *const level_names[] = {
    [CORE_LEVEL_SCHOOL] = "school",     [CORE_LEVEL_COUNTY] = "county",
    [CORE_LEVEL_CITY] = "city",         [CORE_LEVEL_PROVINCE] = "province",
    [CORE_LEVEL_MINISTRY] = "ministry",
};

const char *
core_level_name(core_level level)
{
    /* Compare as int: an out-of-range value must not index the table. */
    int i = (int)level;

    if (i <= (int)CORE_LEVEL_NONE || i > (int)CORE_LEVEL_MINISTRY)
        return NULL;
    return level_names[i];
}

core_level
core_level_from_name(const char *name)
{
    if (name == NULL)
        return CORE_LEVEL_NONE;
    for (int i = CORE_LEVEL_SCHOOL; i <= CORE_LEVEL_MINISTRY; i++)
        if (strcmp(name, level_names[i]) == 0)
            return (core_level)i;
    return CORE_LEVEL_NONE;
}

int
core_region_province_valid(int pp)
{
    return (pp >= 11 && pp <= 15) || (pp >= 21 && pp <= 23) || (pp >= 31 && pp <= 37) ||
           (pp >= 41 && pp <= 46) || (pp >= 50 && pp <= 54) || (pp >= 61 && pp <= 65) || pp == 71 ||
           pp == 81 || pp == 82;
}

static int
all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

core_level
core_region_code_level(const char *code, size_t len)
{
    assert(code != NULL || len == 0);
    if (len != 6 || !all_digits(code, 6))
        return CORE_LEVEL_NONE;
    if (memcmp(code, "000000", 6) == 0)
        return CORE_LEVEL_MINISTRY;
    if (!core_region_province_valid((code[0] - '0') * 10 + (code[1] - '0')))
        return CORE_LEVEL_NONE;
    if (memcmp(code + 2, "0000", 4) == 0)
        return CORE_LEVEL_PROVINCE;
    if (memcmp(code + 4, "00", 2) == 0)
        return CORE_LEVEL_CITY;
    return CORE_LEVEL_COUNTY;
}

void
core_region_province_of(const char *code6, char out[7])
{
    assert(code6 != NULL && out != NULL);
    memcpy(out, code6, 2);
    memcpy(out + 2, "0000", 5);
}

void
core_region_city_of(const char *code6, char out[7])
{
    assert(code6 != NULL && out != NULL);
    memcpy(out, code6, 4);
    memcpy(out + 4, "00", 3);
}

int
core_region12_parse(const char *in, size_t len, char out_county[7], app_err *err)
{
    assert(in != NULL || len == 0);
    assert(out_county != NULL);
    if (len != 12) {
        app_err_set(err, APP_EINVAL, "invalid_region_code",
                    "region code has %zu characters, want 12", len);
        app_err_param(err, "length");
        return APP_EINVAL;
    }
    if (!all_digits(in, 12)) {
        app_err_set(err, APP_EINVAL, "invalid_region_code", "region code has a non-digit");
        app_err_param(err, "chars");
        return APP_EINVAL;
    }
    core_level lv = core_region_code_level(in, 6);
    if (lv != CORE_LEVEL_COUNTY && lv != CORE_LEVEL_CITY) {
        app_err_set(err, APP_EINVAL, "invalid_region_code",
                    "region code %.6s is not a city or county code", in);
        app_err_param(err, "province");
        return APP_EINVAL;
    }
    memcpy(out_county, in, 6);
    out_county[6] = '\0';
    return 0;
}

void
core_region_like(const char *code6, char out[8])
{
    switch (core_region_code_level(code6, strlen(code6))) {
    case CORE_LEVEL_MINISTRY:
        snprintf(out, 8, "%%");
        break;
    case CORE_LEVEL_PROVINCE:
        snprintf(out, 8, "%.2s%%", code6);
        break;
    case CORE_LEVEL_CITY:
        snprintf(out, 8, "%.4s%%", code6);
        break;
    default:
        snprintf(out, 8, "%.6s", code6);
        break;
    }
}
